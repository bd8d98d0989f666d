"""The one ``threshold`` check type: its range dialect, ``when`` conditions and the
``limits_by`` table, at and just beyond every limit, with missing and undecided data."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from inclusiecheck.api import load_model
from inclusiecheck.engine.checks import get
from inclusiecheck.engine.checks.api import CheckContext
from inclusiecheck.engine.measures import MEASURES
from inclusiecheck.engine.scopes import DERIVED
from inclusiecheck.model import Outcome

X0, Y0 = 150000.0, 200000.0
P, F, W, V, NA = (Outcome.PASS, Outcome.FAIL, Outcome.WARN, Outcome.TO_VERIFY,
                  Outcome.NOT_APPLICABLE)


@pytest.fixture()
def plan(tmp_path: Path):
    """``plan(layer, {id: attrs})``: a model with one point feature per id."""

    def make(layer: str, features: dict[str, dict[str, Any]]) -> Any:
        data = {"type": "FeatureCollection",
                "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::31370"}},
                "features": [{"type": "Feature",
                              "properties": {"layer": layer, "id": fid, **attrs},
                              "geometry": _geometry(layer, X0 + 5 * i)}
                             for i, (fid, attrs) in enumerate(features.items())]}
        path = tmp_path / f"plan-{layer}.geojson"
        path.write_text(json.dumps(data), encoding="utf-8")
        return load_model(path)

    return make


def _geometry(layer: str, x: float) -> dict[str, Any]:
    if layer in ("walkway", "ramp"):  # a 3 m line
        return {"type": "LineString", "coordinates": [[x, Y0], [x, Y0 + 3]]}
    if layer == "parking":
        return {"type": "Polygon", "coordinates": [[[x, Y0], [x + 2, Y0], [x + 2, Y0 + 5],
                                                    [x, Y0 + 5], [x, Y0]]]}
    return {"type": "Point", "coordinates": [x, Y0]}


def judge(model: Any, params: dict[str, Any], layer: str) -> dict[str, Any]:
    """Every feature's one result."""
    check = get("threshold")
    bound = check.params.model_validate(params)
    ctx = CheckContext(model, dt.date(2026, 1, 1), "nl", MEASURES, DERIVED)
    out = {}
    for feature in model.features(layer):
        [result] = check.run(feature, bound, ctx)
        out[feature.id] = result
    return out


# -- the range dialect -------------------------------------------------------------------------
def test_min_max_include_the_limit_and_warn_targets(plan) -> None:
    model = plan("walkway", {"w149": {"width_m": 1.49}, "w150": {"width_m": 1.5},
                             "w179": {"width_m": 1.79}, "w180": {"width_m": 1.8},
                             "w300": {"width_m": 3.0}, "w301": {"width_m": 3.01}, "none": {}})
    r = judge(model, {"property": "width_m", "min": 1.5, "warn_min": 1.8, "max": 3.0,
                      "unit": "m"}, "walkway")
    assert {k: v.outcome for k, v in r.items()} == {
        "w149": F, "w150": W, "w179": W, "w180": P, "w300": P, "w301": F, "none": V}
    assert r["w149"].required == 1.5 and r["w179"].required == 1.8 and r["w301"].required == 3.0
    assert r["none"].missing == ("width_m",)
    assert r["w150"].data == {"source": "attribute"}


def test_more_than_and_less_than_exclude_the_limit(plan) -> None:
    model = plan("walkway", {"at": {"street_width_m": 9.0}, "in": {"street_width_m": 8.99},
                             "low": {"street_width_m": 2.0}, "lowin": {"street_width_m": 2.01}})
    r = judge(model, {"property": "street_width_m", "less_than": 9.0, "more_than": 2.0},
              "walkway")
    assert {k: v.outcome for k, v in r.items()} == {"at": F, "in": P, "low": F, "lowin": P}
    assert r["at"].required == 9.0 and r["low"].required == 2.0
    # the deprecated flag reads the same
    old = judge(model, {"property": "street_width_m", "max": 9.0, "max_inclusive": False,
                        "min": 2.0, "min_inclusive": False}, "walkway")
    assert {k: v.outcome for k, v in old.items()} == {k: v.outcome for k, v in r.items()}


# -- when: conditions with any: and not: ---------------------------------------------------------
LANDING = {"property": "landing_intermediate_m", "min": 1.5, "unit": "m",
           "when": {"any": [{"rise_cm": {"gt": 50}}, {"length_m": {"gt": 10}}]}}


def test_when_any(plan) -> None:
    model = plan("ramp", {
        "rise-51": {"rise_cm": 51, "length_m": 5, "landing_intermediate_m": 1.4},
        "rise-50": {"rise_cm": 50, "length_m": 10, "landing_intermediate_m": 1.4},
        "long": {"rise_cm": 20, "length_m": 10.5, "landing_intermediate_m": 1.5},
        "maybe-ok": {"length_m": 5, "landing_intermediate_m": 1.6},
        "maybe-short": {"length_m": 5, "landing_intermediate_m": 1.2},
        "maybe-none": {"length_m": 5},
    })
    r = judge(model, LANDING, "ramp")
    assert {k: v.outcome for k, v in r.items()} == {
        "rise-51": F, "rise-50": NA, "long": P, "maybe-ok": P, "maybe-short": V,
        "maybe-none": V}
    assert r["maybe-short"].missing == ("rise_cm",) and r["maybe-short"].required == 1.5
    assert r["maybe-short"].note["en"] == "fails if the requirement applies; rise_cm decides that"
    assert r["maybe-none"].missing == ("landing_intermediate_m", "rise_cm")
    assumed = judge(model, {**LANDING, "unknown": "assume_applies"}, "ramp")["maybe-short"]
    assert assumed.outcome is F and "assumed" in assumed.note["en"]


def test_when_not_is_an_exemption_named_in_the_note(plan) -> None:
    model = plan("door", {"auto": {"automatic": True, "handle_side_clearance_cm": 10},
                          "manual": {"automatic": False, "handle_side_clearance_cm": 49},
                          "unknown": {"handle_side_clearance_cm": 40}})
    r = judge(model, {"property": "handle_side_clearance_cm", "min": 50,
                      "when": {"not": {"automatic": True}}}, "door")
    assert r["auto"].outcome is NA and r["auto"].note == {"nl": "vrijgesteld (automatic)",
                                                          "en": "exempt (automatic)"}
    assert r["manual"].outcome is F
    assert r["unknown"].outcome is V and r["unknown"].missing == ("automatic",)


# -- limits_by with a number key ---------------------------------------------------------------
RAMP = {"property": "slope_pct", "unit": "%", "key": "rise_cm", "limits_by": [
    {"when": {"rise_cm": {"lt": 10}}, "max": 12, "warn_max": 10},
    {"when": {"rise_cm": {"gte": 10, "lt": 25}}, "max": 10, "warn_max": 8.3},
    {"outcome": "not_applicable"}]}


@pytest.mark.parametrize("rise, slope, outcome, required", [
    (8, 10.0, P, 12), (8, 10.1, W, 10), (8, 12.0, W, 10), (8, 12.1, F, 12),
    (10, 10.0, W, 8.3), (10, 10.1, F, 10), (9.9, 10.1, W, 10),    # the row boundary
    (24, 8.3, P, 10), (24, 8.4, W, 8.3), (25, 20.0, NA, None),   # outside: otherwise
])
def test_limits_by_number_key_at_and_beyond_each_limit(plan, rise: float, slope: float,
                                                       outcome: Outcome, required: Any) -> None:
    model = plan("ramp", {"r": {"rise_cm": rise, "slope_pct": slope}})
    result = judge(model, RAMP, "ramp")["r"]
    assert result.outcome is outcome and result.required == required
    assert result.data["key"] == "rise_cm" and result.data["key_value"] == float(rise)


def test_limits_by_row_text_and_missing_key(plan) -> None:
    model = plan("ramp", {"r": {"rise_cm": 12, "slope_pct": 9.0}, "nothing": {}})
    r = judge(model, RAMP, "ramp")
    assert r["r"].data == {"source": "attribute", "key": "rise_cm", "key_value": 12.0,
                           "row": "≥ 10 cm & < 25 cm", "limit": 10, "target": 8.3}
    # no rise (nor a slope to derive it from): the key is named first, not guessed
    assert r["nothing"].outcome is V and r["nothing"].missing == ("rise_cm", "slope_pct")


def test_an_undecided_row_condition_judges_both_rows(plan) -> None:
    """With a wheel guard a ramp may be 10 % (else 8 %): an unknown ``wheel_guard`` matters
    only when the rows disagree."""
    table = {"property": "slope_pct", "unit": "%", "key": "rise_cm", "limits_by": [
        {"when": {"rise_cm": {"lte": 10}, "wheel_guard": True}, "max": 10},
        {"when": {"rise_cm": {"lte": 10}}, "max": 8, "warn_max": 6},
        {"outcome": "not_applicable"}]}
    model = plan("ramp", {"both-pass": {"rise_cm": 5, "slope_pct": 5},
                          "warn": {"rise_cm": 5, "slope_pct": 7},
                          "differ": {"rise_cm": 5, "slope_pct": 9},
                          "both-fail": {"rise_cm": 5, "slope_pct": 11},
                          "guarded": {"rise_cm": 5, "slope_pct": 9, "wheel_guard": True}})
    r = judge(model, table, "ramp")
    assert {k: v.outcome for k, v in r.items()} == {
        "both-pass": P, "warn": W, "differ": V, "both-fail": F, "guarded": P}
    assert r["differ"].missing == ("wheel_guard",) and r["differ"].required == 8
    assert r["differ"].note["en"] == "the limit depends on wheel_guard"
    assert r["both-fail"].required == 8  # the row that applies otherwise


# -- limits_by with a code key -------------------------------------------------------------------
BAYS = {"key": "arrangement", "limits_by": [
    {"when": {"arrangement": "perpendicular"}, "property": "width_m", "min": 3.5, "unit": "m"},
    {"when": {"arrangement": "parallel"}, "property": "length_m", "min": 6.0, "unit": "m"},
    {"outcome": "not_applicable"}]}


def test_limits_by_code_key_chooses_the_property(plan) -> None:
    model = plan("parking", {
        "perp-349": {"arrangement": "perpendicular", "width_m": 3.49, "length_m": 5},
        "perp-350": {"arrangement": "perpendicular", "width_m": 3.5},
        "par-599": {"arrangement": "parallel", "width_m": 2, "length_m": 5.99},
        "par-600": {"arrangement": "parallel", "length_m": 6.0},
        "angled": {"arrangement": "angled", "width_m": 3},
        "unknown": {"width_m": 3}})
    r = judge(model, BAYS, "parking")
    assert {k: v.outcome for k, v in r.items()} == {
        "perp-349": F, "perp-350": P, "par-599": F, "par-600": P, "angled": NA, "unknown": V}
    assert r["par-599"].property == "length_m" and r["par-599"].required == 6.0
    assert r["par-599"].data == {"source": "attribute", "key": "arrangement",
                                 "key_value": "parallel"}
    angled = r["angled"]
    assert (angled.property, angled.measured, angled.required) == (
        "arrangement", "angled", "perpendicular, parallel")
    assert r["unknown"].missing == ("arrangement",) and r["unknown"].property == "arrangement"


def test_judge_all_with_a_missing_key(plan) -> None:
    door = {"property": "door_width_cm", "unit": "cm", "key": "use", "unknown": "judge_all",
            "limits_by": [{"when": {"use": "housing"}, "min": 85}, {"min": 90}]}
    model = plan("entrance", {"wide": {"door_width_cm": 90}, "narrow": {"door_width_cm": 84},
                              "between": {"door_width_cm": 87}, "none": {}})
    r = judge(model, door, "entrance")
    assert {k: v.outcome for k, v in r.items()} == {
        "wide": P, "narrow": F, "between": V, "none": V}  # use: derived from a building
    assert r["narrow"].required == 90 and r["narrow"].data["key_value"] is None
    assert r["between"].missing == ("use",) and r["between"].required == 90
    assert r["between"].note["nl"] == ("de grens hangt af van: gebruik van het gebouw "
                                       "(anders: ≥ 90 cm; woongebouw: ≥ 85 cm)")
    assert r["none"].missing == ("door_width_cm", "use")


def test_an_outcome_row_with_a_note(plan) -> None:
    stops = {"property": "platform_height_cm", "unit": "cm", "key": "mode", "limits_by": [
        {"when": {"mode": "bus"}, "min": 15},
        {"outcome": "to_verify", "note": {"nl": "geen referentie voor {key_value}",
                                          "en": "no reference for {key_value}"}}]}
    model = plan("stop", {"tram": {"mode": "tram", "platform_height_cm": 30},
                          "tram-none": {"mode": "tram"}})
    r = judge(model, stops, "stop")
    assert r["tram"].outcome is V and r["tram"].missing == ("reference",)
    assert r["tram"].measured == 30 and r["tram"].note["en"] == "no reference for tram"
    assert r["tram-none"].missing == ("platform_height_cm",)


# -- what does not validate ------------------------------------------------------------------
@pytest.mark.parametrize("params, words", [
    ({"property": "width_m"}, "needs a limit"),
    ({"property": "width_m", "min": 1, "more_than": 1}, "not both"),
    ({"property": "width_m", "min": 2, "max": 1}, "above the upper limit"),
    ({"property": "width_m", "min": 1, "key": "kind"}, "give limits_by or leave key out"),
    ({"property": "s", "min": 1, "limits_by": [{"max": 1}]}, "write the limits in its rows"),
    ({"property": "s", "limits_by": [{"when": {"a": 1}, "max": 1}]}, "the last row has no when"),
    ({"property": "s", "limits_by": [{"max": 1}, {"max": 2}]}, "row 1 has no when"),
    ({"property": "s", "key": "rise_cm", "limits_by": [{"when": {"rise": {"lt": 1}}, "max": 1},
                                                       {"max": 2}]}, "does not name the key"),
    ({"property": "s", "limits_by": [{"when": {"a": 1}}, {"max": 2}]}, "a row needs limits"),
    ({"property": "s", "limits_by": [{"outcome": "fail", "max": 2}]}, "not both"),
    ({"limits_by": [{"when": {"a": 1}, "max": 1}, {"outcome": "pass"}]}, "has limits but no "
                                                                           "property"),
    ({"property": "s", "min": 1, "when": {"any": {"a": 1}}}, "any: expects a list"),
])
def test_invalid_parameters(params: dict[str, Any], words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        get("threshold").params.model_validate(params)


def test_the_implicit_row_is_made_once_and_follows_a_copy_that_changes_limits() -> None:
    """``rows()`` builds the implicit row of the rule's own limits once per parameters (a
    check asks for every feature); a copy with other limits gets its own, and the list
    handed out is the caller's."""
    import copy
    import pickle

    params = get("threshold").params.model_validate(
        {"property": "width_m", "min": 1.5, "warn_min": 1.8})
    first = params.rows()
    assert [(r.min, r.warn_min) for r in first] == [(1.5, 1.8)]
    assert params.rows()[0] is first[0]          # made once
    first.append(first[0])
    assert len(params.rows()) == 1               # a list of the caller's own
    changed = params.model_copy(update={"min": 3.0})
    assert changed.rows()[0].min == 3.0 and params.rows()[0].min == 1.5
    assert params.model_copy().rows()[0].min == 1.5
    assert copy.copy(params).rows()[0].min == 1.5
    back = pickle.loads(pickle.dumps(params))    # (to spawned workers and Dask)
    assert back == params and back.rows()[0].min == 1.5
    assert "_rows" not in params.model_dump()
