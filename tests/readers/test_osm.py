"""Tests of the OpenStreetMap reader: OSM XML and PBF, tag mapping, ids, CRS, unsafe XML."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pyproj
import pytest
import shapely

from inclusiecheck.model import InputError, RawFeature, RawPlan
from inclusiecheck.model.normalise import normalise
from inclusiecheck.readers import find_reader, read_plan
from inclusiecheck.readers.mapping import shipped_profiles
from inclusiecheck.readers.osm import (
    PBF_MISSING,
    changing_table,
    classify,
    handrail_sides,
    load_tag_mapping,
    parse_quantity,
    parse_tag_mapping,
    read_osm,
)

# ------------------------------------------------------------------------------------------
# a small hand-written extract around the Grote Markt, Brussels

LON0, LAT0 = 4.3525, 50.8467
D = 0.0001  # about 7 m in longitude, 11 m in latitude here


def node(osm_id: int, dx: float, dy: float, **tags: str) -> str:
    body = "".join(f'<tag k="{k.replace("__", ":")}" v="{v}"/>' for k, v in tags.items())
    lon, lat = LON0 + dx * D, LAT0 + dy * D
    if not body:
        return f'<node id="{osm_id}" lat="{lat:.7f}" lon="{lon:.7f}" version="1"/>'
    return f'<node id="{osm_id}" lat="{lat:.7f}" lon="{lon:.7f}" version="1">{body}</node>'


def way(osm_id: int, refs: list[int], **tags: str) -> str:
    nds = "".join(f'<nd ref="{ref}"/>' for ref in refs)
    body = "".join(f'<tag k="{k.replace("__", ":")}" v="{v}"/>' for k, v in tags.items())
    return f'<way id="{osm_id}" version="1">{nds}{body}</way>'


def osm(*items: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="test">\n'
            '<bounds minlat="50.84" minlon="4.35" maxlat="50.85" maxlon="4.36"/>\n'
            + "\n".join(items) + "\n</osm>\n")


EXTRACT = osm(
    # sidewalk with width, surface, incline, lit
    node(1, 0, 0), node(2, 10, 0), node(3, 20, 0),
    way(10, [1, 2, 3], highway="footway", footway="sidewalk", width="1.5", surface="sett",
        incline="-5%", lit="yes", smoothness="good", name="Grote Markt"),
    # a second footway: width with a unit, a direction-only incline, an unknown surface
    node(4, 0, 5), node(5, 10, 5),
    way(11, [4, 5], highway="footway", width="150 cm", incline="up", surface="metal"),
    # crossing nodes: a signalled one with kerb height, a flush one, a lowered one
    node(20, 30, 0, highway="crossing", crossing="traffic_signals", kerb="lowered",
         kerb__height="3 cm", tactile_paving="yes", traffic_signals__sound="yes"),
    node(21, 31, 0, highway="crossing", crossing="uncontrolled", kerb="flush",
         tactile_paving="no"),
    node(22, 32, 0, highway="crossing", crossing="marked", kerb="lowered"),
    # a crossing way with kerb nodes at its ends
    node(23, 40, 0, barrier="kerb", kerb="raised", kerb__height="0.12"),
    node(24, 40, 3, barrier="kerb", kerb="flush"),
    way(12, [23, 24], highway="footway", footway="crossing", crossing="zebra"),
    # a bus stop, a toilet, a bench, a street lamp, a tree, an entrance
    node(30, 50, 0, highway="bus_stop", public_transport="platform", bench="yes", shelter="no",
         tactile_paving="yes", wheelchair="yes", departures_board="realtime",
         name="Beurs"),
    node(31, 52, 2, amenity="toilets", wheelchair="yes", changing_table="yes",
         changing_table__location="female_toilet;male_toilet", unisex="yes", fee="no",
         opening_hours="24/7", access="yes"),
    node(32, 54, 2, amenity="bench", backrest="yes", armrest="no"),
    node(33, 56, 2, highway="street_lamp", height="6 m", lamp_mount="straight_mast"),
    node(34, 58, 2, natural="tree", circumference="1.57", height="12"),
    node(35, 60, 2, entrance="main", door__width="0.9", automatic_door="yes",
         wheelchair="yes"),
    # steps with a handrail on one side
    node(40, 0, 10), node(41, 0, 12),
    way(13, [40, 41], highway="steps", step_count="12", handrail__left="yes",
        handrail__right="no", width="2"),
    # a building (closed way, about 14 m x 22 m) and a toilet block that is also a building
    node(50, 70, 0), node(51, 72, 0), node(52, 72, 2), node(53, 70, 2),
    way(14, [50, 51, 52, 53, 50], building="yes", height="9"),
    node(54, 80, 0), node(55, 81, 0), node(56, 81, 1), node(57, 80, 1),
    way(15, [54, 55, 56, 57, 54], building="yes", amenity="toilets", wheelchair="no"),
    # a parking lot, a closed footway that is a loop (a line), a wrong value, a bad kerb
    node(60, 90, 0), node(61, 95, 0), node(62, 95, 5), node(63, 90, 5),
    way(16, [60, 61, 62, 63, 60], amenity="parking", capacity="20",
        capacity__disabled="2"),
    way(17, [60, 61, 62, 63, 60], highway="footway"),
    node(64, 100, 0), node(65, 110, 0),
    way(18, [64, 65], highway="footway", footway="sidewalk", width="narrow"),
    node(66, 120, 0, barrier="kerb", kerb__height="3"),
    # not read: a multipolygon building, a deleted node, an untagged node, unmapped tags
    '<relation id="70" version="1"><member type="way" ref="14" role="outer"/>'
    '<tag k="type" v="multipolygon"/><tag k="building" v="yes"/></relation>',
    '<node id="71" lat="50.8" lon="4.3" action="delete"><tag k="amenity" v="bench"/></node>',
    node(72, 130, 0),
    node(73, 131, 0, shop="bakery"),
)


@pytest.fixture(scope="module")
def extract(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("osm") / "grote-markt.osm"
    path.write_text(EXTRACT, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def plan(extract: Path) -> RawPlan:
    return read_plan(extract)


def get(plan: RawPlan, layer: str, fid: str) -> RawFeature:
    found = [f for f in plan.features if f.layer == layer and f.source.fid == fid]
    assert len(found) == 1, (layer, fid, found)
    return found[0]


def lambert(dx: float, dy: float) -> tuple[float, float]:
    transformer = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:3812", always_xy=True)
    return transformer.transform(LON0 + dx * D, LAT0 + dy * D)


# ------------------------------------------------------------------------------------------
# registry


@pytest.mark.parametrize("name", ["a.osm", "a.OSM", "a.osm.xml", "a.osm.pbf", "a.pbf"])
def test_find_reader_handles_osm_suffixes(name: str) -> None:
    assert find_reader(Path(name)).name == "osm"


def test_gis_mapping_loader_does_not_list_osm_tags() -> None:
    assert "osm-tags" not in shipped_profiles()
    assert set(shipped_profiles()) >= {"nl", "shapefile"}


# ------------------------------------------------------------------------------------------
# layers, ids, CRS, geometry


def test_layers_found(plan: RawPlan) -> None:
    layers = {(f.layer, f.source.fid) for f in plan.features}
    assert layers == {
        ("walkway", "w10"), ("walkway", "w11"), ("walkway", "w17"), ("walkway", "w18"),
        ("crossing", "n20"), ("crossing", "n21"), ("crossing", "n22"), ("crossing", "w12"),
        ("level_change", "n23"), ("level_change", "n24"), ("level_change", "n66"),
        ("stop", "n30"), ("toilet", "n31"), ("bench", "n32"), ("light", "n33"),
        ("vegetation", "n34"), ("entrance", "n35"), ("stairs", "w13"),
        ("building", "w14"), ("toilet", "w15"), ("parking", "w16"),
        ("building", "r70"),  # a multipolygon relation whose outer ring is way 14
    }


def test_source_refs_keep_osm_ids(plan: RawPlan) -> None:
    crossing = get(plan, "crossing", "n20")
    assert crossing.source.file == "grote-markt.osm"
    assert (crossing.source.layer, crossing.source.fid, crossing.source.osm_id) == \
        ("node", "n20", "node/20")
    building = get(plan, "building", "w14")
    assert (building.source.layer, building.source.osm_id) == ("way", "way/14")
    assert plan.mapping is None


def test_brussels_goes_to_lambert_2008(plan: RawPlan) -> None:
    assert plan.crs == "EPSG:3812"
    x, y = lambert(30, 0)
    point = get(plan, "crossing", "n20").geometry
    assert point.x == pytest.approx(x, abs=1e-6) and point.y == pytest.approx(y, abs=1e-6)
    assert any(w.code == "crs_reprojected" and "EPSG:3812" in w.message for w in plan.warnings)


def test_line_length_matches_the_ellipsoid(plan: RawPlan) -> None:
    line = get(plan, "walkway", "w10").geometry
    assert line.geom_type == "LineString" and len(line.coords) == 3
    geod = pyproj.Geod(ellps="GRS80")
    distance = geod.line_length([LON0, LON0 + 20 * D], [LAT0, LAT0])
    assert line.length == pytest.approx(distance, rel=1e-3)  # about 14.1 m


def test_closed_ways_polygon_or_line(plan: RawPlan) -> None:
    building = get(plan, "building", "w14").geometry
    assert building.geom_type == "Polygon" and building.is_valid
    xs, ys = zip(*(lambert(dx, dy) for dx, dy in [(70, 0), (72, 0), (72, 2), (70, 2)]))
    expected = shapely.Polygon(list(zip(xs, ys))).area
    assert building.area == pytest.approx(expected)
    assert 250 < building.area < 400  # about 14 m x 22 m
    assert get(plan, "parking", "w16").geometry.geom_type == "Polygon"
    assert get(plan, "toilet", "w15").geometry.geom_type == "Polygon"
    loop = get(plan, "walkway", "w17").geometry  # a closed footway without area=yes
    assert loop.geom_type == "LineString" and loop.is_closed


def test_status_existing_by_default(plan: RawPlan) -> None:
    assert {f.properties["status"] for f in plan.features} == {"existing"}


# ------------------------------------------------------------------------------------------
# attributes


def test_sidewalk_attributes(plan: RawPlan) -> None:
    props = get(plan, "walkway", "w10").properties
    assert props["kind"] == "sidewalk"
    assert props["width_m"] == 1.5
    assert props["slope_pct"] == -5.0  # incline -5%: the sign (direction) is kept in the data
    assert props["surface"] == "sett"
    assert props["lit"] is True
    assert props["name"] == "Grote Markt"
    assert props["osm:smoothness"] == "good"


def test_units_and_unknown_values(plan: RawPlan) -> None:
    props = get(plan, "walkway", "w11").properties
    assert props["kind"] == "footpath"
    assert props["width_m"] == 1.5  # "150 cm"
    assert "slope_pct" not in props  # incline=up: the slope is unknown (to_verify)
    assert props["osm:incline"] == "up"
    assert props["surface"] == "other"
    assert "width_m" not in get(plan, "walkway", "w18").properties
    invalid = [w for w in plan.warnings if w.code == "invalid_value"]
    assert any("width='narrow'" in w.message and w.feature_id == "w18" for w in invalid)
    # incline=up is a direction, not a bad value: it gives no warning
    assert not any("incline" in w.message for w in invalid)


def test_crossing_attributes(plan: RawPlan) -> None:
    signalled = get(plan, "crossing", "n20").properties
    assert signalled["kerb_height_cm"] == 3.0
    assert signalled["tactile_paving"] is True
    assert signalled["traffic_signals"] is True
    assert signalled["acoustic_signal"] is True
    assert signalled["osm:kerb"] == "lowered"
    flush = get(plan, "crossing", "n21").properties
    assert flush["kerb_height_cm"] == 0 and flush["tactile_paving"] is False
    assert flush["traffic_signals"] is False
    lowered = get(plan, "crossing", "n22").properties
    assert "kerb_height_cm" not in lowered  # kerb=lowered has no height: to_verify
    assert lowered["osm:kerb"] == "lowered"


def test_crossing_way_takes_the_highest_kerb_of_its_nodes(plan: RawPlan) -> None:
    props = get(plan, "crossing", "w12").properties
    assert props["kerb_height_cm"] == 12.0  # max(12 cm raised, 0 cm flush)
    assert get(plan, "crossing", "w12").geometry.geom_type == "LineString"
    assert get(plan, "level_change", "n23").properties["height_cm"] == 12.0
    assert get(plan, "level_change", "n24").properties["height_cm"] == 0


def test_implausible_kerb_height_dropped(plan: RawPlan) -> None:
    assert "height_cm" not in get(plan, "level_change", "n66").properties
    assert any(w.code == "implausible_value" and "kerb:height='3'" in w.message
               for w in plan.warnings)


def test_stop_toilet_bench_light_tree_entrance(plan: RawPlan) -> None:
    stop = get(plan, "stop", "n30").properties
    assert stop == {"status": "existing", "mode": "bus", "seating": True, "shelter": False,
                    "boarding_tactile": True, "real_time_info": True, "name": "Beurs",
                    "osm:wheelchair": "yes", "osm:departures_board": "realtime"}
    toilet = get(plan, "toilet", "n31").properties
    assert toilet["public"] is True and toilet["accessible"] is True
    assert toilet["changing_table"] == "all"
    assert toilet["gender_neutral"] is True and toilet["free_of_charge"] is True
    assert toilet["opening_hours"] == "24/7"
    assert get(plan, "toilet", "w15").properties["accessible"] is False
    bench = get(plan, "bench", "n32").properties
    assert bench["backrest"] is True and bench["armrests"] is False
    light = get(plan, "light", "n33").properties
    assert light["mounting_height_m"] == 6.0 and light["osm:lamp_mount"] == "straight_mast"
    tree = get(plan, "vegetation", "n34").properties
    assert tree["kind"] == "tree" and tree["height_m"] == 12.0
    assert tree["size_m"] == pytest.approx(0.5)  # circumference 1.57 m / pi
    entrance = get(plan, "entrance", "n35").properties
    assert entrance["door_width_cm"] == pytest.approx(90.0)
    assert entrance["automatic"] is True and entrance["osm:wheelchair"] == "yes"


def test_steps_building_parking(plan: RawPlan) -> None:
    steps = get(plan, "stairs", "w13").properties
    assert steps["steps"] == 12 and steps["handrail"] == "one_side" and steps["width_m"] == 2.0
    assert get(plan, "building", "w14").properties["height_m"] == 9.0
    parking = get(plan, "parking", "w16").properties
    assert parking["bays"] == 20 and parking["accessible_bays"] == 2


def test_multipolygon_relations_read(plan: RawPlan) -> None:
    relation = get(plan, "building", "r70")
    assert relation.source.osm_id == "relation/70"
    assert relation.geometry.equals_exact(get(plan, "building", "w14").geometry, 1e-6) or \
        relation.geometry.symmetric_difference(get(plan, "building", "w14").geometry).area < 1e-6
    assert not [w for w in plan.warnings if w.code.startswith("osm_relations")]


def test_normalises_without_invalid_values(plan: RawPlan) -> None:
    model = normalise(plan)
    codes = {w.code for w in model.warnings}
    assert "invalid_value" in codes  # only the reader's own (width=narrow)
    assert not [w for w in model.warnings if w.code == "wrong_geometry"]
    crossing = next(f for f in model.layers["crossing"] if f.id == "n20")
    assert crossing.status == "existing"
    assert crossing.attrs["kerb_height_cm"] == 3.0
    assert crossing.source.osm_id == "node/20"
    assert crossing.extra["osm:kerb"] == "lowered"
    assert model.meta.model_dump()["data_attribution"].startswith("© OpenStreetMap")


# ------------------------------------------------------------------------------------------
# options


def test_status_option_and_plan_yaml(tmp_path: Path) -> None:
    path = tmp_path / "x.osm"
    path.write_text(osm(node(1, 0, 0, amenity="bench")), encoding="utf-8")
    assert read_osm(path, status="new").features[0].properties["status"] == "new"
    (tmp_path / "plan.yaml").write_text("project: Test\nosm: {status: new}\n", encoding="utf-8")
    plan = read_osm(path)
    assert plan.features[0].properties["status"] == "new"
    assert "osm" not in plan.metadata and plan.metadata["project"] == "Test"
    with pytest.raises(InputError, match="OSM status 'removed' unknown"):
        read_osm(path, status="removed")


def test_custom_tag_mapping(tmp_path: Path) -> None:
    path = tmp_path / "x.osm"
    path.write_text(osm(node(1, 0, 0, amenity="bench", backrest="no")), encoding="utf-8")
    custom = tmp_path / "tags.yaml"
    custom.write_text("format: osm-tags\nversion: 1\nclassify:\n"
                      "  - {layer: obstacle, elements: [node], match: {amenity: bench},\n"
                      "     set: {kind: other}}\n", encoding="utf-8")
    plan = read_osm(path, tags=custom)
    assert [(f.layer, f.properties) for f in plan.features] == \
        [("obstacle", {"status": "existing", "kind": "other"})]
    custom.write_text("format: osm-tags\nversion: 1\nclassify:\n"
                      "  - {layer: benches, elements: [node], match: {amenity: bench}}\n",
                      encoding="utf-8")
    with pytest.raises(InputError, match="unknown layer 'benches'"):
        read_osm(path, tags=custom)


def test_shipped_mapping_is_valid() -> None:
    mapping = load_tag_mapping()
    assert mapping.format == "osm-tags"
    # a building whose only use is a public toilet is a free-standing toilet
    assert [r.layer for r in classify({"building": "yes", "amenity": "toilets"}, "area",
                                      mapping)] == ["toilet"]
    # a customers' toilet in a building stays a building that holds a toilet
    assert [r.layer for r in classify({"building": "yes", "amenity": "toilets",
                                       "access": "customers"}, "area", mapping)] == \
        ["building", "toilet"]
    # a toilet node that is also an entrance keeps both roles
    assert [r.layer for r in classify({"entrance": "yes", "amenity": "toilets"}, "node",
                                      mapping)] == ["entrance", "toilet"]
    assert classify({"highway": "steps"}, "node", mapping) == []
    assert classify({}, "node", mapping) == []


# ------------------------------------------------------------------------------------------
# value parsing


@pytest.mark.parametrize(("text", "default", "target", "expected"), [
    ("1.5", "m", "m", 1.5), ("1,5", "m", "m", 1.5), ("150 cm", "m", "m", 1.5),
    ("1.5 m", "m", "cm", 150.0), ("0.03", "m", "cm", 3.0), ("3cm", "m", "cm", 3.0),
    ("5%", "pct", "pct", 5.0), ("-8 %", "pct", "pct", -8.0), ("10°", "pct", "pct", 17.632698070),
    ("12", None, None, 12.0), ("5‰", "pct", "pct", 0.5),
])
def test_parse_quantity(text: str, default: str | None, target: str | None,
                        expected: float) -> None:
    assert parse_quantity(text, default, target) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["up", "down", "narrow", "3'6\"", "", "1.5 furlong", "1-2"])
def test_parse_quantity_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_quantity(text, "m", "m")


@pytest.mark.parametrize(("tags", "expected"), [
    ({"handrail:left": "yes", "handrail:right": "yes"}, "both_sides"),
    ({"handrail:left": "yes", "handrail:right": "no"}, "one_side"),
    ({"handrail:left": "no", "handrail:right": "no", "handrail:center": "yes"}, "one_side"),
    ({"handrail:left": "no", "handrail:right": "no"}, "none"),
    ({"handrail": "no"}, "none"),
    ({"handrail": "yes"}, None),  # present, but on how many sides?
    ({"handrail:left": "yes"}, None),
    ({}, None),
])
def test_handrail_sides(tags: dict[str, str], expected: str | None) -> None:
    assert handrail_sides(tags) == expected


@pytest.mark.parametrize(("tags", "expected"), [
    ({"changing_table": "no"}, "no"),
    ({"changing_table": "yes"}, "yes"),
    ({"changing_table": "yes", "changing_table:location": "female_toilet"}, "women_only"),
    ({"changing_table": "yes", "changing_table:location": "male_toilet"}, "men_only"),
    ({"changing_table": "yes", "changing_table:location": "female_toilet;male_toilet"}, "all"),
    ({"changing_table": "yes", "changing_table:location": "wheelchair_toilet"}, "all"),
    ({"changing_table": "limited"}, None),
    ({}, None),
])
def test_changing_table(tags: dict[str, str], expected: str | None) -> None:
    assert changing_table(tags) == expected


# ------------------------------------------------------------------------------------------
# extracts cut at the edge


def test_ways_with_missing_nodes(tmp_path: Path) -> None:
    path = tmp_path / "cut.osm"
    path.write_text(osm(
        node(1, 0, 0), node(2, 10, 0), node(4, 30, 0), node(5, 40, 0),
        way(10, [1, 2, 3, 4, 5], highway="footway"),  # node 3 lies outside the extract
        way(11, [1, 9], highway="footway"),  # one node left: no line
        node(20, 0, 10), node(21, 5, 10), node(22, 5, 15),
        way(12, [20, 21, 22, 23, 20], building="yes"),  # an area without all its nodes
        node(30, 50, 0, amenity="bench"),
    ), encoding="utf-8")
    plan = read_plan(path)
    line = get(plan, "walkway", "w10").geometry
    assert line.geom_type == "MultiLineString" and len(line.geoms) == 2  # 1-2 and 4-5
    assert not [f for f in plan.features if f.source.fid in ("w11", "w12")]
    codes = {w.code for w in plan.warnings}
    assert {"osm_missing_nodes", "geometry_skipped"} <= codes


# ------------------------------------------------------------------------------------------
# bad and unsafe input

XXE = ('<?xml version="1.0"?>\n<!DOCTYPE osm [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
       '<osm version="0.6"><node id="1" lat="50.8" lon="4.3"><tag k="name" v="&xxe;"/>'
       '<tag k="amenity" v="bench"/></node></osm>')
LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
          + "".join(f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
                    for i in range(1, 10))
          + ']>\n<osm version="0.6"><node id="1" lat="50.8" lon="4.3">'
          '<tag k="name" v="&lol9;"/><tag k="amenity" v="bench"/></node></osm>')


@pytest.mark.parametrize("text", [XXE, LAUGHS], ids=["xxe", "billion-laughs"])
def test_unsafe_xml_rejected_without_expansion(tmp_path: Path, text: str) -> None:
    path = tmp_path / "evil.osm"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_plan(path)
    assert "DOCTYPE" in str(info.value) and "without expanding" in str(info.value)
    assert "root:" not in str(info.value)  # /etc/passwd was never read


@pytest.mark.parametrize(("text", "message"), [
    ('<?xml version="1.0"?><!DOCTYPE osm><osm/>', "must not have a DOCTYPE"),
    ('<?xml version="1.0"?><gpx version="1.1"/>', "not OpenStreetMap XML"),
    ('<osm version="0.6"><node id="1" lat="50.8" lon="4.3">', "not well-formed"),
    ("", "empty file|not well-formed"),
    ('<osm version="0.6"><node id="1" lat="50.8" lon="4.3"/></osm>', "no OpenStreetMap feature"),
])
def test_bad_xml_is_one_input_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.osm.xml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        read_plan(path)


def test_pbf_without_osmium(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "x.osm.pbf"
    path.write_bytes(b"\x00" * 64)
    monkeypatch.setitem(sys.modules, "osmium", None)  # import osmium -> ImportError
    with pytest.raises(InputError) as info:
        read_plan(path)
    assert str(info.value) == PBF_MISSING


def test_corrupt_pbf(tmp_path: Path) -> None:
    pytest.importorskip("osmium")
    path = tmp_path / "x.osm.pbf"
    path.write_bytes(b"\x00\x00\x00\x0dnot a pbf file at all" * 4)
    with pytest.raises(InputError, match="cannot read the OSM PBF"):
        read_plan(path)


def test_invalid_tag_mapping_yaml() -> None:
    with pytest.raises(InputError, match="invalid YAML"):
        parse_tag_mapping("classify: [", "t.yaml")
    with pytest.raises(InputError, match="not an OSM tag mapping"):
        parse_tag_mapping("name: nl\nlayers: {}\n", "t.yaml")


# ------------------------------------------------------------------------------------------
# the real extract (Helsinki, PBF)


def helsinki() -> Path:
    env = os.environ.get("INCLUSIECHECK_SHARED_DATA")
    candidates = [Path(env)] if env else []
    candidates.append(Path(__file__).resolve().parents[2] / ".." / "shared" / "data")
    for candidate in candidates:
        path = candidate / "osm" / "helsinki-test.osm.pbf"
        if path.is_file():
            pytest.importorskip("osmium")
            return path
    pytest.skip("helsinki-test.osm.pbf not available (set INCLUSIECHECK_SHARED_DATA)")


def test_helsinki_reads() -> None:
    plan = read_plan(helsinki())
    assert plan.crs == "EPSG:32635"  # UTM 35N
    layers = {f.layer for f in plan.features}
    assert {"building", "walkway", "crossing", "stop", "cycle_path", "parking"} <= layers
    assert all(f.source.osm_id and f.source.osm_id.split("/")[0] in ("node", "way")
               for f in plan.features)
    assert {f.properties["status"] for f in plan.features} == {"existing"}
    x_min, y_min, x_max, y_max = shapely.total_bounds([f.geometry for f in plan.features])
    assert 400_000 < x_min < x_max < 600_000 and 6_600_000 < y_min < y_max < 6_800_000
    assert all(f.geometry.is_valid for f in plan.features)


@pytest.mark.slow
def test_helsinki_check_end_to_end() -> None:
    import inclusiecheck

    report = inclusiecheck.check(helsinki())
    assert report.crs == "EPSG:32635"
    assert report.findings, "the existing situation should give findings"
    assert {f.status for f in report.findings} == {"existing"}
    assert {f.source_ref["osm_id"].split("/")[0] for f in report.findings} <= {"node", "way"}
    # the existing situation never decides the verdict
    assert report.verdict.code == "niet_van_toepassing"
    sets = {f.rule_set for f in report.findings}
    assert {"publiek-domein", "haltes", "sociale-veiligheid"} <= sets


def test_reads_the_same_from_xml_and_pbf(tmp_path: Path, extract: Path) -> None:
    osmium = pytest.importorskip("osmium")
    pbf = tmp_path / "grote-markt.osm.pbf"
    with osmium.SimpleWriter(str(pbf)) as writer:
        for obj in osmium.FileProcessor(str(extract)):
            if obj.id != 71:  # libosmium does not know JOSM's action="delete"
                writer.add(obj)
    xml_plan, pbf_plan = read_plan(extract), read_plan(pbf)

    def key(plan: RawPlan) -> list[tuple[Any, ...]]:
        return sorted((f.layer, f.source.fid, sorted(f.properties.items(), key=str),
                       f.geometry.wkb_hex) for f in plan.features)

    assert key(xml_plan) == key(pbf_plan)
    assert len(xml_plan.features) == 22
