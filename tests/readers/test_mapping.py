"""Tests of mapping profiles: format, shipped profiles, renames, units and values."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from shapely.geometry import Point

from inclusiecheck.model import InputError, RawFeature, RawPlan, SourceRef
from inclusiecheck.model.profile import LAYER_MODELS, attribute_names
from inclusiecheck.readers import read_plan
from inclusiecheck.readers.mapping import (
    MappingProfile,
    apply_mapping,
    convert_unit,
    load_mapping,
    parse_mapping,
    shipped_profiles,
    unit_of,
)

MAPPINGS = Path(__file__).parents[2] / "inclusiecheck" / "readers" / "mappings"


def plan_of(*features: tuple[str, dict[str, Any]]) -> RawPlan:
    return RawPlan(path=Path("plan"), crs="EPSG:31370", features=[
        RawFeature(layer, dict(props), Point(i, 0), SourceRef("plan.gpkg", layer, str(i)))
        for i, (layer, props) in enumerate(features)])


def mapped(profile: str | MappingProfile, layer: str, **props: Any) -> tuple[str, dict[str, Any]]:
    out = apply_mapping(plan_of((layer, props)), load_mapping(profile)).features[0]
    return out.layer, out.properties


# ------------------------------------------------------------------------------------------
# units


@pytest.mark.parametrize(("value", "source", "target", "expected"), [
    (120, "cm", "m", 1.2),
    (1.5, "m", "cm", 150.0),
    (0.1, "m", "cm", 10.0),
    (850, "mm", "cm", 85.0),
    (33, "cm", "m", 0.33),
    (5, "permille", "pct", 0.5),
    (0.05, "ratio", "pct", 5.0),
    (2, "%", "pct", 2.0),
    (1.2, "ha", "m2", 12000.0),
])
def test_convert_unit_exact(value: float, source: str, target: str, expected: float) -> None:
    assert convert_unit(value, source, target) == expected


def test_convert_degrees() -> None:
    assert convert_unit(45, "deg", "pct") == pytest.approx(100.0)
    assert convert_unit(100, "pct", "deg") == pytest.approx(45.0)
    with pytest.raises(ValueError, match="cannot convert"):
        convert_unit(1, "cm", "pct")


def test_unit_of() -> None:
    assert unit_of("width_m") == "m"
    assert unit_of("kerb_height_cm") == "cm"
    assert unit_of("slope_pct") == "pct"
    assert unit_of("building_area_m2") == "m2"
    assert unit_of("surface") is None
    assert unit_of("handrail") is None


# ------------------------------------------------------------------------------------------
# loading


def test_shipped_profiles_load() -> None:
    assert {"nl", "shapefile"} <= set(shipped_profiles())
    for name in shipped_profiles():
        assert load_mapping(name).name == name


def test_unknown_profile_lists_shipped_names() -> None:
    with pytest.raises(InputError, match=r"unknown mapping profile 'fr'; shipped profiles: "
                                         r".*nl.*shapefile"):
        load_mapping("fr")


def test_profile_from_file(tmp_path: Path) -> None:
    path = tmp_path / "cad.yaml"
    path.write_text("layers:\n  walkway:\n    from: [VOETPAD_AS]\n", encoding="utf-8")
    profile = load_mapping(path)
    assert profile.name == "cad"  # defaults to the file stem
    assert load_mapping(str(path)).layers["walkway"].names == ("VOETPAD_AS",)


def test_missing_profile_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such mapping profile"):
        load_mapping(tmp_path / "nope.yaml")


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("name: bad\nlayers:\n  walkway: {from: [a\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.yaml: invalid YAML at line 4"):
        load_mapping(path)


@pytest.mark.parametrize(("text", "message"), [
    ("attributes:\n  width_m: {from: b, unit: furlong}\n", "unknown unit 'furlong'"),
    ("attributes:\n  surface: {from: b, unit: cm}\n", "does not end in a unit"),
    ("attributes:\n  width_m: {from: b, unit: pct}\n", "cannot convert pct to m"),
    ("layers:\n  walkway: {from: [pad]}\n  ramp: {from: [pad]}\n", "listed for both"),
    ("layers:\n  walkway: {from: [ramp]}\n", "itself a target layer"),
    ("attributes:\n  width_m: [b]\n  total_width_m: [b]\n", "source of both"),
    ("attributes:\n  accessible_bays: [accessible]\n", "itself an attribute name"),
    ("colour: red\n", "colour"),
    ("- a\n", "expected a mapping profile"),
])
def test_invalid_profiles(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_mapping(text, "test.yaml")


def test_shorthand_forms() -> None:
    profile = parse_mapping("""
attributes:
  name: naam
  width_m: [breedte, {from: [breedte_cm, br_cm], unit: centimeter}]
values:
  surface: {yes: other, "no": grass}
  kind: {1: bollard}
""", "t")
    width = profile.attributes["width_m"]
    assert [(s.names, s.unit) for s in width] == [(("breedte",), None),
                                                  (("breedte_cm", "br_cm"), "cm")]
    assert profile.attributes["name"][0].names == ("naam",)
    # an unquoted yes is a YAML boolean: it still matches the text "true"
    assert profile.values["surface"] == {"true": "other", "no": "grass"}
    assert profile.values["kind"] == {"1": "bollard"}


# ------------------------------------------------------------------------------------------
# shipped shapefile profile


def test_shapefile_profile_covers_every_long_attribute() -> None:
    data = yaml.safe_load((MAPPINGS / "shapefile.yaml").read_text(encoding="utf-8"))
    listed: dict[str, set[str]] = {}
    for target, source in data["attributes"].items():
        listed.setdefault(target, set()).add(source)
    for layer in data.get("layers", {}).values():
        for target, source in layer["attributes"].items():
            listed.setdefault(target, set()).add(source)
    long_names = {a for layer in LAYER_MODELS for a in attribute_names(layer) if len(a) > 10}
    assert set(listed) == long_names
    for target, sources in listed.items():
        for source in sources:
            assert len(source) <= 10
            assert source == target[:10] or source == target[:8] + "_1"
    # no collisions: a cut name never means two attributes
    cuts = [s for sources in listed.values() for s in sources]
    assert len(cuts) == len(set(cuts))
    # and never shadows a short attribute name in a layer that has the long one
    for layer in LAYER_MODELS:
        names = set(attribute_names(layer))
        for target in names & set(data["attributes"]):
            assert data["attributes"][target] not in names


@pytest.mark.parametrize(("layer", "props", "expected"), [
    ("crossing", {"kerb_heigh": 3}, {"kerb_height_cm": 3}),
    ("entrance", {"handle_sid": "50", "door_width": 95}, {"handle_side_clearance_cm": "50",
                                                          "door_width_cm": 95}),
    ("walkway", {"cross_slop": "1,5", "width_m": 2}, {"cross_slope_pct": "1,5", "width_m": 2}),
    ("parking", {"accessible": "ja", "accessib_1": 2}, {"accessible": "ja",
                                                        "accessible_bays": 2}),
    ("toilet", {"accessible": "ja"}, {"accessible": "ja"}),
])
def test_shapefile_profile(layer: str, props: dict[str, Any], expected: dict[str, Any]) -> None:
    assert mapped("shapefile", layer, **props) == (layer, expected)


# ------------------------------------------------------------------------------------------
# applying the nl profile


@pytest.mark.parametrize(("source", "target"), [
    ("looppad", "walkway"), ("Voetpad", "walkway"), ("TROTTOIR", "walkway"),
    ("zebrapad", "crossing"), ("bushalte", "stop"), ("hellend vlak", "ramp"),
    ("hellend-vlak", "ramp"), ("trap", "stairs"), ("wc", "toilet"), ("zitbank", "bench"),
    ("lantaarn", "light"), ("hindernis", "obstacle"), ("haag", "vegetation"),
    ("gebouw", "building"), ("muur", "wall"), ("parking", "parking"),
    ("onderdoorgang", "underpass"), ("zone", "area"), ("noppentegels", "tactile"),
    ("fietspad", "cycle_path"), ("niveauverschil", "level_change"), ("ingang", "entrance"),
    ("deur", "door"), ("lift", "lift"),
    ("Walkway", "walkway"),  # the profile's own names pass through, in any case
    ("onbekend", "onbekend"),  # unknown layers stay as they are
])
def test_nl_layers(source: str, target: str) -> None:
    assert mapped("nl", source)[0] == target


def test_nl_attributes_units_and_values() -> None:
    layer, props = mapped("nl", "looppad", Breedte_cm="120", Verharding=" Klinkers ",
                          hellingspercentage="4,5", dwarshelling=2, verlicht="ja",
                          naam="Kerkstraat", soort="trottoir", opmerking="nieuw")
    assert layer == "walkway"
    assert props == {"width_m": 1.2, "surface": "paving_stones", "slope_pct": "4,5",
                     "cross_slope_pct": 2, "lit": "ja", "name": "Kerkstraat",
                     "kind": "sidewalk", "opmerking": "nieuw"}


def test_partly_dutch_plan() -> None:
    layer, props = mapped("nl", "walkway", width_m="1,5", verharding="asfalt",
                          surface_note="x", Slope_Pct=3)
    assert layer == "walkway"
    assert props == {"width_m": "1,5", "slope_pct": 3, "surface": "asphalt",
                     "surface_note": "x"}


def test_profile_name_wins_and_conflict_is_warned() -> None:
    plan = apply_mapping(plan_of(("walkway", {"breedte": "1,20", "width_m": 1.5}),
                                 ("walkway", {"breedte": "1,50", "width_m": 1.5})),
                         load_mapping("nl"))
    assert [f.properties for f in plan.features] == [{"width_m": 1.5}, {"width_m": 1.5}]
    assert [(w.code, w.feature_id) for w in plan.warnings] == [("mapping_conflict", "0")]
    assert "breedte='1,20' ignored" in plan.warnings[0].message


def test_empty_source_falls_back_to_the_next() -> None:
    assert mapped("nl", "looppad", breedte="", breedte_cm=90)[1] == {"width_m": 0.9}
    assert mapped("nl", "looppad", breedte=None)[1] == {"width_m": None}


def test_unparseable_value_is_kept_raw_for_the_normaliser() -> None:
    assert mapped("nl", "looppad", breedte_cm="ongeveer 1 m")[1] == {"width_m": "ongeveer 1 m"}


def test_global_rule_only_where_the_layer_has_the_attribute() -> None:
    # 'hoogte' is height_m in a building, but a crossing has no height_m: it stays raw
    assert mapped("nl", "gebouw", hoogte=9)[1] == {"height_m": 9}
    assert mapped("nl", "oversteekplaats", hoogte=9)[1] == {"hoogte": 9}
    # a layer's own rule wins over the global one: 'hoogte' of a level change is height_cm
    assert mapped("nl", "niveauverschil", hoogte=2)[1] == {"height_cm": 2}


def test_kind_values_per_layer() -> None:
    assert mapped("nl", "obstakel", soort="Verkeersbord")[1] == {"kind": "sign"}
    assert mapped("nl", "beplanting", soort="haag")[1] == {"kind": "hedge"}
    assert mapped("nl", "gebied", type="plein")[1] == {"kind": "square"}
    assert mapped("nl", "looppad", soort="plein")[1] == {"kind": "square_surface"}


def test_truncated_dutch_shapefile_names() -> None:
    assert mapped("nl", "looppad", hellingspe="5", verlichtin="M4")[1] == {
        "slope_pct": "5", "lighting_class": "M4"}


def test_apply_mapping_returns_a_new_plan() -> None:
    plan = plan_of(("looppad", {"breedte": 2}))
    plan.metadata["project"] = "x"
    out = apply_mapping(plan, load_mapping("nl"))
    assert plan.features[0].layer == "looppad"
    assert plan.features[0].properties == {"breedte": 2}
    assert out.features[0].source == plan.features[0].source  # still points at the file
    assert out.features[0].geometry is plan.features[0].geometry
    assert out.metadata == {"project": "x"} and out.crs == plan.crs


def test_custom_profile_with_numeric_values(tmp_path: Path) -> None:
    path = tmp_path / "gemeente.yaml"
    path.write_text("""
name: gemeente
layers:
  obstacle:
    from: [MEUBILAIR]
    attributes:
      kind: [CODE]
      height_m: {from: HOOGTE_MM, unit: mm}
    values:
      kind: {1: bollard, 2: bin}
""", encoding="utf-8")
    assert mapped(load_mapping(path), "meubilair", CODE=1, HOOGTE_MM="1100")[1] == {
        "kind": "bollard", "height_m": 1.1}
    assert mapped(load_mapping(path), "meubilair", CODE=2.0, HOOGTE_MM=850)[1] == {
        "kind": "bin", "height_m": 0.85}


def test_read_plan_with_nl_mapping(tmp_path: Path) -> None:
    path = tmp_path / "ontwerp.geojson"
    data = {"type": "FeatureCollection",
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::31370"}},
            "features": [{"type": "Feature", "properties": {"layer": "looppad", "breedte": "1,5"},
                          "geometry": {"type": "LineString",
                                       "coordinates": [[150000, 200000], [150010, 200000]]}}]}
    path.write_text(json.dumps(data), encoding="utf-8")
    plan = read_plan(path, mapping="nl")
    assert plan.features[0].layer == "walkway"
    assert plan.features[0].properties == {"width_m": "1,5"}
    assert plan.features[0].source.layer == "looppad"
