"""Acceptance tests of issue 4 for the accessibility rule sets (voetgangerswegen, publiek-domein).

* A sidewalk polygon 1.80 m wide inside the built-up area with a cabinet that takes 0.70 m,
  leaving 1.10 m, fails BV97 Art. 3 (VW-02) located at the cabinet; the same sidewalk without
  the cabinet passes. The fixture is the one in the rule's own cases.
* A 3D ramp line rising 0.60 m over 6 m is judged by its measured 10 % slope.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from shapely.geometry import shape

from inclusiecheck.api import load_model
from inclusiecheck.engine.evaluate import evaluate
from inclusiecheck.model import Outcome
from inclusiecheck.testing import rulesets_at

RULES = Path(__file__).resolve().parents[2] / "rules"
VW02_CASES = RULES / "voetgangerswegen" / "VW-02-obstacles-medium" / "cases" / "cases.geojson"
DAY = dt.date(2026, 6, 1)


def _rule(set_name: str, rule_id: str):  # type: ignore[no-untyped-def]
    for ruleset in rulesets_at(RULES / set_name):
        for rule in ruleset.rules:
            if rule.id == rule_id:
                return rule
    raise AssertionError(f"{rule_id} not found in {set_name}")


def _write(tmp_path: Path, name: str, features: list[dict]) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::31370"}},
        "features": features}), encoding="utf-8")
    return path


def _findings(path: Path, rule, meta=None, lang="en"):  # type: ignore[no-untyped-def]
    model = load_model(path, crs="EPSG:31370", meta=meta or {"built_up_area": True})
    return evaluate(model, [rule], date=DAY, lang=lang, list_all=True).findings


def _box(x0: float, y0: float, x1: float, y1: float) -> dict:
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def test_vw02_cabinet_in_180_sidewalk_fails_at_the_cabinet() -> None:
    findings = {f.feature_id: f for f in _findings(VW02_CASES, _rule("voetgangerswegen", "VW-02"))}
    cabinet_case = findings["w-cabinet"]
    assert cabinet_case.outcome is Outcome.FAIL
    assert cabinet_case.measured == pytest.approx(0.70, abs=1e-3)   # width taken
    assert cabinet_case.required == pytest.approx(0.50)
    assert cabinet_case.data["clear_width_m"] == pytest.approx(1.10, abs=1e-3)
    assert cabinet_case.data["total_width_m"] == pytest.approx(1.80, abs=1e-3)
    assert cabinet_case.data["obstacles"] == "obstacle/cabinet"
    # located at the cabinet itself, not at the whole sidewalk
    cabinet = load_model(VW02_CASES, crs="EPSG:31370").by_id("obstacle", "cabinet")
    assert cabinet is not None
    location = shape(cabinet_case.location)
    assert location.equals(cabinet.geometry)
    assert cabinet_case.level.value == "obligation"
    assert "0.7" in cabinet_case.message and "1.1" in cabinet_case.message
    # the same sidewalk without the cabinet
    assert findings["w-clean"].outcome is Outcome.PASS
    assert findings["w-clean"].measured == pytest.approx(0.0)


def test_vw02_same_sidewalk_alone_passes_and_with_cabinet_fails(tmp_path: Path) -> None:
    x, y = 150000.0, 200000.0
    sidewalk = {"type": "Feature", "properties": {"layer": "walkway", "id": "sw", "kind": "sidewalk"},
                "geometry": _box(x, y, x + 20, y + 1.8)}
    cabinet = {"type": "Feature", "properties": {"layer": "obstacle", "id": "cab", "kind": "cabinet"},
               "geometry": _box(x + 9, y, x + 9.5, y + 0.7)}
    rule = _rule("voetgangerswegen", "VW-02")
    with_cab = _findings(_write(tmp_path, "with.geojson", [sidewalk, cabinet]), rule)
    without = _findings(_write(tmp_path, "without.geojson", [sidewalk]), rule)
    assert [f.outcome for f in with_cab] == [Outcome.FAIL]
    assert shape(with_cab[0].location).equals(shape(cabinet["geometry"]))
    assert [f.outcome for f in without] == [Outcome.PASS]
    # the same plan outside the built-up area: BV97 does not apply
    outside = _findings(_write(tmp_path, "with2.geojson", [sidewalk, cabinet]), rule,
                        meta={"built_up_area": False})
    assert [f.outcome for f in outside] == [Outcome.NOT_APPLICABLE]


def test_vw01_and_vw04_on_the_acceptance_sidewalk(tmp_path: Path) -> None:
    """1.80 m is not wider than 2.00 m (VW-01 not applicable); 1.10 m >= 1.00 m (VW-04 passes)."""
    x, y = 150000.0, 200000.0
    feats = [
        {"type": "Feature", "properties": {"layer": "walkway", "id": "sw", "kind": "sidewalk"},
         "geometry": _box(x, y, x + 20, y + 1.8)},
        {"type": "Feature", "properties": {"layer": "obstacle", "id": "cab", "kind": "cabinet"},
         "geometry": _box(x + 9, y, x + 9.5, y + 0.7)},
    ]
    path = _write(tmp_path, "plan.geojson", feats)
    [vw01] = _findings(path, _rule("voetgangerswegen", "VW-01"))
    [vw04] = _findings(path, _rule("voetgangerswegen", "VW-04"))
    assert vw01.outcome is Outcome.NOT_APPLICABLE
    assert vw04.outcome is Outcome.PASS
    assert vw04.measured == pytest.approx(1.10, abs=1e-3)


def test_3d_ramp_rising_060_over_6_m_is_judged_by_its_measured_10_pct(tmp_path: Path) -> None:
    x, y = 150000.0, 200000.0
    ramp = {"type": "Feature", "properties": {"layer": "ramp", "id": "r1"},
            "geometry": {"type": "LineString", "coordinates": [[x, y, 12.0], [x + 6, y, 12.6]]}}
    path = _write(tmp_path, "ramp.geojson", [ramp])
    [pd05] = _findings(path, _rule("publiek-domein", "PD-05"))
    assert pd05.outcome is Outcome.FAIL
    assert pd05.measured == pytest.approx(10.0)
    assert pd05.required == pytest.approx(5.0)          # rise 60 cm > 50 cm: 5 %
    assert pd05.data["key_value"] == pytest.approx(60.0)
    assert pd05.data["value_source"] == "measured"
    [pd19] = _findings(path, _rule("publiek-domein", "PD-19"))
    assert pd19.outcome is Outcome.PASS and pd19.measured == pytest.approx(6.0)
    # the same line with a wrong slope attribute: the attribute is judged, and PD-17 warns
    ramp["properties"]["slope_pct"] = 4.0
    path = _write(tmp_path, "ramp-attr.geojson", [ramp])
    [pd05] = _findings(path, _rule("publiek-domein", "PD-05"))
    assert pd05.outcome is Outcome.PASS and pd05.measured == pytest.approx(4.0)
    [pd17] = _findings(path, _rule("publiek-domein", "PD-17"))
    assert pd17.outcome is Outcome.WARN
    assert pd17.measured == pytest.approx(10.0) and pd17.required == pytest.approx(4.0)


def test_3d_ramp_line_under_bv97_uses_the_measured_slope(tmp_path: Path) -> None:
    """0.30 m over 3 m = 10 % > 8 % (BV97 Art. 5, 25-50 cm row): fail."""
    x, y = 150000.0, 200000.0
    ramp = {"type": "Feature", "properties": {"layer": "ramp", "id": "r1"},
            "geometry": {"type": "LineString", "coordinates": [[x, y, 0.0], [x + 3, y, 0.3]]}}
    [vw06] = _findings(_write(tmp_path, "ramp.geojson", [ramp]),
                       _rule("voetgangerswegen", "VW-06"))
    assert vw06.outcome is Outcome.FAIL
    assert vw06.measured == pytest.approx(10.0) and vw06.required == pytest.approx(8.0)
