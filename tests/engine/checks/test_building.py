"""Unit tests of the building check types (engine/checks/building.py) on small plans.

Hand calculations: the step rule 2 x riser + tread, the narrowings an access path tolerates
(0.90 m over at most 1.20 m, 1.20 m beyond that with a turning space every 10 m), level
differences bridged by a ramp or lift, and the conditional thresholds.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from inclusiecheck.api import load_model
from inclusiecheck.engine.checks import get
from inclusiecheck.engine.checks.api import CheckContext
from inclusiecheck.engine.measures import MEASURES
from inclusiecheck.engine.scopes import DERIVED
from inclusiecheck.model import Outcome

X0, Y0 = 150000.0, 200000.0


def rect(x: float, y: float, w: float, h: float) -> dict[str, Any]:
    return {"type": "Polygon",
            "coordinates": [[[x, y], [x + w, y], [x + w, y + h], [x, y + h], [x, y]]]}


def point(x: float, y: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [x, y]}


def model_of(tmp_path: Path, features: list[tuple[dict[str, Any], dict[str, Any]]]) -> Any:
    data = {"type": "FeatureCollection",
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::31370"}},
            "features": [{"type": "Feature", "properties": p, "geometry": g}
                         for p, g in features]}
    path = tmp_path / "plan.geojson"
    path.write_text(json.dumps(data), encoding="utf-8")
    return load_model(path)


def run(model: Any, check: str, params: dict[str, Any], layer: str, fid: str) -> list[Any]:
    ctype = get(check)
    ctx = CheckContext(model, dt.date(2026, 1, 1), "nl", MEASURES, DERIVED)
    feature = model.by_id(layer, fid)
    assert feature is not None
    return ctype.run(feature, ctype.params.model_validate(params), ctx)


# -- stair_step_rule ---------------------------------------------------------------------------
@pytest.mark.parametrize("riser, tread, step, outcome", [
    (17, 27, 61, Outcome.PASS),
    (15, 27, 57, Outcome.PASS),      # lower limit inclusive
    (17, 29, 63, Outcome.PASS),      # upper limit inclusive
    (16, 24.9, 56.9, Outcome.FAIL),
    (18, 27.1, 63.1, Outcome.FAIL),
])
def test_step_rule(tmp_path: Path, riser: float, tread: float, step: float,
                   outcome: Outcome) -> None:
    model = model_of(tmp_path, [({"layer": "stairs", "id": "s", "riser_cm": riser,
                                  "tread_cm": tread}, rect(X0, Y0, 3, 1.2))])
    [result] = run(model, "stair_step_rule", {}, "stairs", "s")
    assert result.outcome is outcome
    assert result.measured == pytest.approx(step)


def test_step_rule_missing_tread(tmp_path: Path) -> None:
    model = model_of(tmp_path, [({"layer": "stairs", "id": "s", "riser_cm": 17},
                                 rect(X0, Y0, 3, 1.2))])
    [result] = run(model, "stair_step_rule", {}, "stairs", "s")
    assert result.outcome is Outcome.TO_VERIFY and result.missing == ("tread_cm",)


# -- access_path_width -----------------------------------------------------------------------
def _path_with_block(tmp_path: Path, length: float, depth: float, width: float = 1.6,
                     path_length: float = 20.0) -> Any:
    return model_of(tmp_path, [
        ({"layer": "walkway", "id": "p", "access_path": True}, rect(X0, Y0, path_length, width)),
        ({"layer": "obstacle", "id": "o", "kind": "cabinet"},
         rect(X0 + 8, Y0, length, depth)),
    ])


@pytest.mark.parametrize("length, depth, outcome, required", [
    (1.0, 0.70, Outcome.PASS, None),    # 0.90 m clear over 1.00 m: tolerated point narrowing
    (1.2, 0.70, Outcome.PASS, None),    # 0.90 m over exactly 1.20 m: still tolerated
    (1.0, 0.75, Outcome.FAIL, 0.9),     # 0.85 m: below the point-narrowing minimum
    (2.0, 0.45, Outcome.FAIL, 1.2),     # 1.15 m over 2 m: a long narrowing must keep 1.20 m
    (2.0, 0.40, Outcome.PASS, None),    # 1.20 m over 2 m: tolerated long narrowing
    (11.0, 0.20, Outcome.FAIL, 1.5),    # 1.40 m over 11 m: no turning space within 10 m
    (9.0, 0.20, Outcome.PASS, None),    # 1.40 m over 9 m
])
def test_access_path_narrowings(tmp_path: Path, length: float, depth: float, outcome: Outcome,
                                required: float | None) -> None:
    model = _path_with_block(tmp_path, length, depth)
    results = run(model, "access_path_width", {}, "walkway", "p")
    assert results[0].outcome is outcome
    if outcome is Outcome.FAIL:
        assert results[0].required == required
        assert results[0].location is not None  # the narrowing itself, for the map
        assert results[0].data["narrowing_length_m"] == pytest.approx(length, abs=0.02)
        assert results[0].measured == pytest.approx(1.6 - depth, abs=0.01)


def test_access_path_width_attribute_on_a_line(tmp_path: Path) -> None:
    line = {"type": "LineString", "coordinates": [[X0, Y0], [X0 + 20, Y0]]}
    model = model_of(tmp_path, [
        ({"layer": "walkway", "id": "narrow", "access_path": True, "width_m": 1.4}, line),
        ({"layer": "walkway", "id": "unknown", "access_path": True},
         {"type": "LineString", "coordinates": [[X0, Y0 + 10], [X0 + 20, Y0 + 10]]}),
    ])
    [narrow] = run(model, "access_path_width", {}, "walkway", "narrow")
    assert narrow.outcome is Outcome.FAIL and narrow.measured == 1.4
    [unknown] = run(model, "access_path_width", {}, "walkway", "unknown")
    assert unknown.outcome is Outcome.TO_VERIFY and unknown.missing == ("width_m",)


# -- level_difference --------------------------------------------------------------------------
def test_level_difference_needs_ramp_or_lift(tmp_path: Path) -> None:
    model = model_of(tmp_path, [
        ({"layer": "level_change", "id": "low", "height_cm": 12}, point(X0, Y0)),
        ({"layer": "level_change", "id": "high", "height_cm": 40}, point(X0 + 50, Y0)),
        ({"layer": "stairs", "id": "st", "steps": 3}, rect(X0 + 50.5, Y0 - 1, 1, 2)),
        ({"layer": "level_change", "id": "lifted", "height_cm": 40}, point(X0 + 100, Y0)),
        ({"layer": "lift", "id": "l"}, point(X0 + 101.5, Y0)),
        ({"layer": "level_change", "id": "ramp-far", "height_cm": 12}, point(X0 + 150, Y0)),
        ({"layer": "ramp", "id": "r"}, rect(X0 + 152.1, Y0, 3, 1.2)),  # 2.1 m away
    ])
    params = {"within_m": 2.0}
    assert run(model, "level_difference", params, "level_change", "low")[0].outcome \
        is Outcome.FAIL
    assert run(model, "level_difference", params, "level_change", "high")[0].outcome \
        is Outcome.FAIL  # a stair alone is not enough
    lifted = run(model, "level_difference", params, "level_change", "lifted")[0]
    assert lifted.outcome is Outcome.PASS and lifted.data["bridge"] == "lift/l"
    assert run(model, "level_difference", params, "level_change", "ramp-far")[0].outcome \
        is Outcome.FAIL


# -- conditional_threshold ---------------------------------------------------------------------
def test_conditional_threshold_unknown_trigger(tmp_path: Path) -> None:
    model = model_of(tmp_path, [
        ({"layer": "door", "id": "tight", "handle_side_clearance_cm": 40}, point(X0, Y0)),
        ({"layer": "door", "id": "ample", "handle_side_clearance_cm": 60}, point(X0 + 5, Y0)),
        ({"layer": "door", "id": "auto", "handle_side_clearance_cm": 10, "automatic": True},
         point(X0 + 10, Y0)),
    ])
    params = {"property": "handle_side_clearance_cm", "min": 50, "exempt_when": {"automatic": True}}
    tight = run(model, "conditional_threshold", params, "door", "tight")[0]
    assert tight.outcome is Outcome.TO_VERIFY and tight.missing == ("automatic",)
    assert tight.measured == 40 and tight.required == 50
    assumed = run(model, "conditional_threshold", {**params, "unknown": "assume_applies"},
                  "door", "tight")[0]
    assert assumed.outcome is Outcome.FAIL
    assert run(model, "conditional_threshold", params, "door", "ample")[0].outcome \
        is Outcome.PASS
    assert run(model, "conditional_threshold", params, "door", "auto")[0].outcome \
        is Outcome.NOT_APPLICABLE


def test_threshold_by_code(tmp_path: Path) -> None:
    model = model_of(tmp_path, [
        ({"layer": "parking", "id": "par", "arrangement": "parallel", "length_m": 5.5},
         rect(X0, Y0, 2.5, 5.5)),
        ({"layer": "parking", "id": "odd", "arrangement": "angled", "length_m": 5.5},
         rect(X0 + 10, Y0, 2.5, 5.5)),
    ])
    params = {"key": "arrangement",
              "limits": {"parallel": {"property": "length_m", "min": 6.0, "unit": "m"}}}
    par = run(model, "threshold_by_code", params, "parking", "par")[0]
    assert par.outcome is Outcome.FAIL and par.property == "length_m" and par.required == 6.0
    assert run(model, "threshold_by_code", params, "parking", "odd")[0].outcome \
        is Outcome.NOT_APPLICABLE
