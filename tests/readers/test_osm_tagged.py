"""OSM-tagged GeoJSON and GeoPackage (Overpass, MapComplete, uMap, QuickOSM, ogr2ogr exports)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from inclusiecheck.api import check as run_check
from inclusiecheck.model import InputError
from inclusiecheck.readers import ReadOptions, read_plan, reader_mapping_kind
from inclusiecheck.readers.osm.vector import feature_tags, osm_identity, parse_hstore


def _point(lon: float, lat: float, props: dict, fid: str | None = None) -> dict:
    feature = {"type": "Feature", "properties": props,
               "geometry": {"type": "Point", "coordinates": [lon, lat]}}
    if fid is not None:
        feature["id"] = fid
    return feature


def _square(lon: float, lat: float, props: dict, fid: str, d: float = 0.0001) -> dict:
    ring = [[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]
    return {"type": "Feature", "id": fid, "properties": props,
            "geometry": {"type": "Polygon", "coordinates": [ring]}}


def _write(path: Path, features: list[dict]) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}),
                    encoding="utf-8")
    return path


def belgian_toilets(path: Path) -> Path:
    """A small export shaped like the MapComplete/Overpass 'Belgian toilets' GeoJSON."""
    return _write(path, [
        _point(4.3517, 50.8503, {"@id": "node/1", "amenity": "toilets", "access": "yes",
                                 "wheelchair": "no", "fee": "no", "_backend": "osm"}, "node/1"),
        _point(4.3520, 50.8505, {"@id": "node/2", "amenity": "toilets", "access": "yes",
                                 "wheelchair": "yes", "changing_table": "yes"}, "node/2"),
        _point(4.3522, 50.8507, {"@id": "node/3", "amenity": "toilets", "access": "yes",
                                 "wheelchair": "limited"}, "node/3"),
        _point(4.3524, 50.8509, {"@id": "node/4", "amenity": "toilets", "access": "yes"},
               "node/4"),
        _point(4.3526, 50.8511, {"id": "node/5", "amenity": "toilets", "access": "yes",
                                 "wheelchair": "yes", "layer": "1"}),
        # a free-standing toilet block: a building whose only use is a public toilet
        _square(4.3540, 50.8520, {"@id": "way/10", "amenity": "toilets", "building": "toilets",
                                  "access": "yes", "wheelchair": "no"}, "way/10"),
    ])


def test_belgian_toilets_read_through_the_osm_mapping(tmp_path: Path) -> None:
    plan = read_plan(belgian_toilets(tmp_path / "toiletten.geojson"))
    toilets = [f for f in plan.features if f.layer == "toilet"]
    assert sorted(f.source.fid for f in toilets) == ["n1", "n2", "n3", "n4", "n5", "w10"]
    assert {f.source.osm_id for f in toilets} >= {"node/1", "way/10"}
    by_id = {f.source.fid: f.properties for f in toilets}
    assert by_id["n1"]["accessible"] is False and by_id["n1"]["public"] is True
    assert by_id["n3"]["accessible"] == "limited"
    assert "accessible" not in by_id["n4"]
    assert plan.metadata["data_attribution"].startswith("© OpenStreetMap")
    # the OSM layer tag did not become a layer name
    assert {f.layer for f in plan.features} <= {"toilet", "building"}


def test_every_toilet_judged_and_wheelchair_no_fails(tmp_path: Path) -> None:
    report = run_check(belgian_toilets(tmp_path / "toiletten.geojson"), rules=["voorzieningen"])
    vz15 = {f.feature_id: f.outcome.value for f in report.findings if f.rule_id == "VZ-15"}
    assert vz15["n1"] == "fail"
    assert vz15["n3"] == "warn"
    assert vz15["n4"] == "to_verify"
    assert vz15["w10"] == "fail"  # the free-standing toilet block is judged as one
    judged = {f.feature_id for f in report.findings if f.layer == "toilet"}
    assert judged >= {"n1", "n2", "n3", "n4", "n5", "w10"}


def test_layer_property_stays_a_selector_for_profile_names(tmp_path: Path) -> None:
    path = _write(tmp_path / "mix.geojson", [
        _point(4.35, 50.85, {"layer": "bench", "backrest": "yes"}),
        _point(4.3501, 50.85, {"layer": "zitbank"}),  # an alias of the nl profile
    ])
    plan = read_plan(path)
    assert [f.layer for f in plan.features] == ["bench", "zitbank"]


def test_osm_layer_tag_is_not_a_layer_name(tmp_path: Path) -> None:
    path = _write(tmp_path / "paden.geojson", [
        {"type": "Feature", "id": "way/7", "properties": {"highway": "footway", "layer": "-1",
                                                          "tunnel": "yes", "lit": "yes"},
         "geometry": {"type": "LineString", "coordinates": [[4.35, 50.85], [4.351, 50.85]]}},
        {"type": "Feature", "id": "way/8", "properties": {"highway": "footway", "layer": 1},
         "geometry": {"type": "LineString", "coordinates": [[4.35, 50.851], [4.351, 50.851]]}},
    ])
    plan = read_plan(path)
    assert {f.layer for f in plan.features} == {"walkway", "underpass"}
    walkways = [f for f in plan.features if f.layer == "walkway"]
    assert [f.source.fid for f in walkways] == ["w7", "w8"]


def test_nested_tags_and_numeric_ids(tmp_path: Path) -> None:
    path = _write(tmp_path / "export.geojson", [
        _point(4.35, 50.85, {"type": "node", "id": 42, "tags": {"highway": "street_lamp",
                                                                  "height": "6"}}),
    ])
    plan = read_plan(path)
    [lamp] = plan.features
    assert lamp.layer == "light" and lamp.properties["mounting_height_m"] == 6
    assert lamp.source.osm_id == "node/42"


def test_mapping_osm_forces_the_tag_mapping(tmp_path: Path) -> None:
    # a layer named like a profile layer is a design layer unless --mapping osm says otherwise
    path = _write(tmp_path / "bench.geojson", [_point(4.35, 50.85, {"amenity": "bench",
                                                                     "backrest": "no"})])
    assert read_plan(path).features[0].properties == {"amenity": "bench", "backrest": "no"}
    [bench] = read_plan(path, mapping="osm").features
    assert bench.layer == "bench" and bench.properties["backrest"] is False
    assert reader_mapping_kind("osm") == "tags" and reader_mapping_kind("nl") is None


def test_quickosm_geopackage(tmp_path: Path) -> None:
    fiona = pytest.importorskip("fiona")
    path = tmp_path / "quickosm.gpkg"
    schema = {"geometry": "Point", "properties": {"full_id": "str", "osm_id": "str",
                                                  "osm_type": "str", "amenity": "str",
                                                  "wheelchair": "str", "access": "str",
                                                  "other_tags": "str"}}
    with fiona.open(path, "w", driver="GPKG", layer="toilets", schema=schema,
                    crs="EPSG:4326") as dst:
        dst.write({"geometry": {"type": "Point", "coordinates": (3.2247, 51.2093)},
                   "properties": {"full_id": "n99", "osm_id": "99", "osm_type": "node",
                                  "amenity": "toilets", "wheelchair": "no", "access": "yes",
                                  "other_tags": '"fee"=>"no","unisex"=>"yes"'}})
    [toilet] = read_plan(path).features
    assert toilet.layer == "toilet" and toilet.source.fid == "n99"
    assert toilet.properties["free_of_charge"] is True
    assert toilet.properties["gender_neutral"] is True


def test_tags_and_ids_helpers() -> None:
    assert parse_hstore('"a"=>"1","b:c"=>"x y"') == {"a": "1", "b:c": "x y"}
    assert feature_tags({"@id": "way/1", "_x": 1, "highway": "footway", "width": 1.5,
                         "tags": {"lit": "yes"}}) == {"lit": "yes", "highway": "footway",
                                                      "width": "1.5"}
    assert osm_identity({"@id": "relation/5"}, None) == ("relation", 5)
    assert osm_identity({}, "w12") == ("way", 12)
    assert osm_identity({"highway": "x"}, "3") is None


def test_unmapped_osm_export_is_one_clear_error(tmp_path: Path) -> None:
    path = _write(tmp_path / "shops.geojson", [
        _point(4.35, 50.85, {"@id": "node/1", "shop": "bakery"}, "node/1")])
    with pytest.raises(InputError, match="tag mapping"):
        read_plan(path, ReadOptions())


def test_design_layer_with_attribute_like_keys_is_not_an_osm_export(tmp_path: Path) -> None:
    # a municipal layer name the profile does not know, with surface/wheelchair columns
    path = _write(tmp_path / "trottoirs_nieuw.geojson", [
        {"type": "Feature", "properties": {"surface": "asphalt", "wheelchair": "yes",
                                           "width_m": 1.8},
         "geometry": {"type": "LineString", "coordinates": [[4.35, 50.85], [4.351, 50.85]]}},
    ])
    [feature] = read_plan(path).features
    assert feature.layer == "trottoirs_nieuw"  # left to a mapping profile, not classified
    assert feature.properties["width_m"] == 1.8


def test_ogr2ogr_osm_layers_in_a_geopackage(tmp_path: Path) -> None:
    fiona = pytest.importorskip("fiona")
    path = tmp_path / "ogr-osm.gpkg"
    with fiona.open(path, "w", driver="GPKG", layer="points", crs="EPSG:4326",
                    schema={"geometry": "Point", "properties": {
                        "osm_id": "str", "name": "str", "other_tags": "str"}}) as dst:
        dst.write({"geometry": {"type": "Point", "coordinates": (3.2247, 51.2093)},
                   "properties": {"osm_id": "77", "name": "Markt",
                                  "other_tags": '"amenity"=>"bench","backrest"=>"yes"'}})
    ring = [(3.2250, 51.2090), (3.2252, 51.2090), (3.2252, 51.2092), (3.2250, 51.2092),
            (3.2250, 51.2090)]
    with fiona.open(path, "w", driver="GPKG", layer="multipolygons", crs="EPSG:4326",
                    schema={"geometry": "MultiPolygon", "properties": {
                        "osm_id": "str", "osm_way_id": "str", "building": "str",
                        "other_tags": "str"}}) as dst:
        dst.write({"geometry": {"type": "MultiPolygon", "coordinates": [[ring]]},
                   "properties": {"osm_id": None, "osm_way_id": "88", "building": "yes",
                                  "other_tags": None}})
    plan = read_plan(path)
    got = sorted((f.layer, f.source.osm_id) for f in plan.features)
    assert got == [("bench", "node/77"), ("building", "way/88")]
    bench = next(f for f in plan.features if f.layer == "bench")
    assert bench.properties["backrest"] is True and bench.properties["name"] == "Markt"
