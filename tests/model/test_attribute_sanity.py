"""Attribute sanity (issue 13): non-finite numbers, plausible ranges per attribute, unit slips,
deeply nested property values. Out-of-range values become ``invalid_value`` warnings naming
the feature and count as missing; nothing crashes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from inclusiecheck.api import load_model
from inclusiecheck.model.normalise import MAX_NESTING, TOO_DEEP, clean_text, nesting_depth
from inclusiecheck.model.profile import LAYER_MODELS, attribute_kind
from inclusiecheck.model.ranges import derived_range, layer_ranges, out_of_range, range_table
from inclusiecheck.model.values import parse_int, parse_number

X0, Y0 = 150000.0, 200000.0
LAMBERT72 = {"type": "name", "properties": {"name": "EPSG:31370"}}


def walkway_plan(tmp_path: Path, raw_value: str, attribute: str = "width_m") -> Path:
    """A one-walkway plan whose ``attribute`` is the literal JSON text ``raw_value``."""
    feature = {"type": "Feature", "properties": {"layer": "walkway", "id": "w1",
                                                 attribute: "@@"},
               "geometry": {"type": "LineString", "coordinates": [[X0, Y0], [X0 + 20, Y0]]}}
    text = json.dumps({"type": "FeatureCollection", "crs": LAMBERT72, "features": [feature]})
    path = tmp_path / "plan.geojson"
    path.write_text(text.replace('"@@"', raw_value), encoding="utf-8")
    return path


@pytest.mark.parametrize("value", [10**400, float("nan"), float("inf"), "-Infinity", "1e400",
                                   "9" * 5000])
def test_parse_number_rejects_non_finite_with_a_short_message(value: Any) -> None:
    with pytest.raises(ValueError) as info:
        parse_number(value)
    assert len(str(info.value)) < 120


def test_parse_number_still_reads_designer_numbers() -> None:
    assert parse_number("1,50") == 1.5
    assert parse_number(" 2.3 ") == 2.3
    assert parse_number(None) is None and parse_number("") is None
    assert parse_int("12,0") == 12


@pytest.mark.parametrize("raw,shown", [("1e400", "not a finite number"),
                                       ("9" * 5000, "not a finite number"),
                                       ("NaN", "not a finite number"),
                                       ("Infinity", "not a finite number"),
                                       ("-3", "outside the plausible range 0.1 to 50 m"),
                                       ("0", "outside the plausible range"),
                                       ("1e9", "outside the plausible range"),
                                       ("1200", "looks like millimetres")])
def test_implausible_width_is_warned_and_missing(tmp_path: Path, raw: str, shown: str) -> None:
    model = load_model(walkway_plan(tmp_path, raw))
    (walkway,) = model.layers["walkway"]
    assert "width_m" not in walkway.attrs
    warnings = [w for w in model.warnings if w.code == "invalid_value"]
    assert len(warnings) == 1
    assert shown in warnings[0].message
    assert warnings[0].feature_id == "w1" and "walkway w1" in warnings[0].message


def test_plausible_width_is_kept(tmp_path: Path) -> None:
    model = load_model(walkway_plan(tmp_path, "1.2"))
    assert model.layers["walkway"][0].attrs["width_m"] == 1.2
    assert not [w for w in model.warnings if w.code == "invalid_value"]


@pytest.mark.parametrize("value,valid", [(-8.0, True), (8.0, True), (-100.0, True),
                                         (100.0, True), (-100.5, False), (250.0, False)])
def test_slope_keeps_its_sign_and_is_judged_by_size(tmp_path: Path, value: float,
                                                     valid: bool) -> None:
    model = load_model(walkway_plan(tmp_path, repr(value), "slope_pct"))
    attrs = model.layers["walkway"][0].attrs
    assert (attrs.get("slope_pct") == value) is valid


@pytest.mark.parametrize("layer,attribute,value", [("crossing", "kerb_height_cm", 0.0),
                                                   ("entrance", "threshold_cm", 0.0),
                                                   ("crossing", "refuge_width_m", 0.0),
                                                   ("building", "height_m", 0.0),
                                                   ("walkway", "street_width_m", 80.0)])
def test_zero_and_large_where_they_make_sense(layer: str, attribute: str, value: float) -> None:
    assert out_of_range(layer, {attribute: value}) == []


def test_every_numeric_profile_attribute_has_a_range() -> None:
    for layer, model in LAYER_MODELS.items():
        for name in model.model_fields:
            if attribute_kind(layer, name) in ("number", "integer"):
                assert name in layer_ranges(layer), (layer, name)
    assert len(range_table()) == sum(len(layer_ranges(layer)) for layer in LAYER_MODELS)


def test_new_attributes_get_a_range_from_their_unit() -> None:
    assert derived_range("walkway", "kerb_gap_width_m").text() == "0.1 to 50 m"
    assert derived_range("stop", "shelter_height_cm").low == 0.0
    assert derived_range("ramp", "gradient_slope_pct").low == -100.0
    assert derived_range("area", "illuminance_lx").unit == "lx"
    assert derived_range("area", "description") is None


def test_deep_nesting_is_cut_not_a_crash(tmp_path: Path) -> None:
    deep = '{"a":' * 900 + "1" + "}" * 900
    model = load_model(walkway_plan(tmp_path, f'1.5, "deep": {deep}'))
    (walkway,) = model.layers["walkway"]
    assert walkway.attrs["width_m"] == 1.5
    assert any(w.code == "invalid_value" and "nested more than" in w.message
               for w in model.warnings)
    assert nesting_depth(walkway.extra["deep"]) <= MAX_NESTING + 1


def test_clean_text_depth_limit() -> None:
    value: Any = "x"
    for _ in range(200):
        value = [value]
    cleaned = clean_text(value)
    depth = 0
    while isinstance(cleaned, list):
        cleaned = cleaned[0]
        depth += 1
    assert depth == MAX_NESTING and cleaned == TOO_DEEP
    assert nesting_depth({"a": [1, {"b": 2}]}) == 3


def test_the_profile_states_every_override() -> None:
    """docs/data-profile.md lists each explicit override with its range."""
    from inclusiecheck.model.ranges import OVERRIDES

    doc = (Path(__file__).resolve().parents[2] / "docs" / "data-profile.md").read_text(
        encoding="utf-8")
    section = doc.split("### Plausible values", 1)[1].split("\n## ", 1)[0]
    for (_layer, attribute), bounds in OVERRIDES.items():
        row = next((line for line in section.splitlines() if f"`{attribute}`" in line), None)
        assert row is not None, attribute
        low, high = f"{bounds.low:,g}", f"{bounds.high:,g}"
        assert low in row and high.replace(",", "") in row.replace(",", ""), (attribute, row)
