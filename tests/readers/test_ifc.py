"""Tests of the IFC reader: IFC-SPF and ifcXML onto the IFC-lite model and the data profile."""

from __future__ import annotations

import math
import os
import sys
import time
from pathlib import Path

import pytest
from shapely.geometry import Point

pytest.importorskip("ifcopenshell")

from inclusiecheck.model import InputError, RawPlan  # noqa: E402
from inclusiecheck.readers import ReadOptions, find_reader, read_plan  # noqa: E402
from inclusiecheck.readers.ifc import LOCAL_CRS, read_ifc, read_lite  # noqa: E402
from inclusiecheck.readers.ifc.lite import normalise_map_conversion  # noqa: E402
from inclusiecheck.readers.ifc.mapping import load_profile, map_model, parse_profile  # noqa: E402
from inclusiecheck.readers.ifc.xml import XmlSource  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "data" / "ifc"
STEMS = ("design_ifc4_georef", "design_ifc4_local", "design_ifc2x3_georef")
ENTRANCE_ID = "0000000000000000000008"
COS10, SIN10 = math.cos(math.radians(10)), math.sin(math.radians(10))


def shared_data() -> Path | None:
    """The shared folder of real exports, if present (env INCLUSIECHECK_SHARED_DATA wins)."""
    env = os.environ.get("INCLUSIECHECK_SHARED_DATA")
    candidates = [Path(env)] if env else []
    candidates.append(Path(__file__).resolve().parents[2] / ".." / "shared" / "data")
    for candidate in candidates:
        if (candidate / "ifc").is_dir():
            return candidate / "ifc"
    return None


def by_key(plan: RawPlan) -> dict[tuple[str, str], object]:
    return {(f.layer, f.properties["id"]): f for f in plan.features}


def plan(name: str, **options: object) -> RawPlan:
    return read_ifc(DATA / name, ReadOptions(**options))  # type: ignore[arg-type]


# --------------------------------------------------------------------------- encodings


@pytest.mark.parametrize("stem", STEMS)
def test_both_encodings_give_identical_models_and_plans(stem: str) -> None:
    spf, xml = read_lite(DATA / f"{stem}.ifc"), read_lite(DATA / f"{stem}.ifcxml")
    assert spf == xml
    a, b = plan(f"{stem}.ifc"), plan(f"{stem}.ifcxml")
    assert a.crs == b.crs and a.metadata == b.metadata
    fa, fb = by_key(a), by_key(b)
    assert fa.keys() == fb.keys() and len(fa) == 10  # 9 elements + the building
    for key, feature in fa.items():
        other = fb[key]
        assert feature.properties == other.properties
        assert (feature.source.layer, feature.source.fid, feature.source.global_id) == (
            other.source.layer, other.source.fid, other.source.global_id)
        assert feature.source.global_id == feature.properties["id"] == feature.source.fid
        assert feature.geometry.equals_exact(other.geometry, 0.001)
    assert sorted(w.code for w in a.warnings) == sorted(w.code for w in b.warnings)


@pytest.mark.parametrize("suffix", [".ifc", ".ifcxml"])
def test_entrance_door_of_80_cm_keeps_its_globalid(suffix: str) -> None:
    result = plan(f"design_ifc4_georef{suffix}")
    entrance = by_key(result)[("entrance", ENTRANCE_ID)]
    assert entrance.properties["door_width_cm"] == pytest.approx(80.0)
    assert entrance.properties["public"] is True  # from the lobby's Pset_SpaceCommon
    assert entrance.properties["threshold_cm"] == pytest.approx(2.0)
    assert entrance.source.global_id == ENTRANCE_ID and entrance.source.layer == "IfcDoor"
    assert entrance.source.file == f"design_ifc4_georef{suffix}"
    notes = [w for w in result.warnings if w.code == "ifc_door_width_overall"]
    assert [w.feature_id for w in notes] == [ENTRANCE_ID]  # the other door has a lining


def test_layers_and_attributes_of_the_design() -> None:
    features = by_key(plan("design_ifc4_local.ifc"))
    layers = sorted(layer for layer, _ in features)
    assert layers == ["bench", "building", "door", "entrance", "light", "obstacle", "ramp", "stairs",
                      "toilet", "vegetation"]
    props = {layer: f.properties for (layer, _), f in features.items()}
    assert props["door"]["door_width_cm"] == pytest.approx(83.0)  # 93 - 2 x 5 cm lining
    assert props["ramp"] | {} == {"id": props["ramp"]["id"], "name": "Helling 1", "slope_pct": 5.0,
                                  "width_m": 1.5, "length_m": 6.0}
    assert props["stairs"]["steps"] == 3 and props["stairs"]["riser_cm"] == pytest.approx(16.0)
    assert props["stairs"]["tread_cm"] == pytest.approx(30.0)
    assert props["stairs"]["handrail"] == "both_sides"  # two HANDRAIL railings of the stair
    assert props["toilet"]["room_width_m"] == pytest.approx(2.0)
    assert props["toilet"]["room_length_m"] == pytest.approx(2.2)
    assert props["toilet"]["public"] is True and props["toilet"]["accessible"] is True
    assert props["light"]["mounting_height_m"] == pytest.approx(4.0)
    assert props["bench"]["backrest"] is True and props["bench"]["seat_height_cm"] == pytest.approx(45.0)
    assert props["obstacle"]["kind"] == "bollard" and props["vegetation"]["kind"] == "tree"
    ramp = next(f for (layer, _), f in features.items() if layer == "ramp")
    assert ramp.geometry.area == pytest.approx(9.0) and ramp.geometry.bounds == (-8.0, 0.0, -2.0, 1.5)


# --------------------------------------------------------------------------- georeferencing


def test_georeferenced_model_lands_in_lambert72() -> None:
    result = plan("design_ifc4_georef.ifc")
    assert result.crs == "EPSG:31370"
    conversion = result.metadata["ifc_map_conversion"]
    assert conversion["eastings"] == 150000.0 and conversion["crs"] == "EPSG:31370"
    assert conversion["x_axis_abscissa"] == pytest.approx(COS10)
    entrance = by_key(result)[("entrance", ENTRANCE_ID)].geometry
    # local (12, 0) rotated by 10 degrees around the origin at E 150000, N 200000
    assert entrance.x == pytest.approx(150000 + 12 * COS10, abs=1e-6)
    assert entrance.y == pytest.approx(200000 + 12 * SIN10, abs=1e-6)
    assert result.metadata["project"] == "Inclusiecheck testplein"
    assert not [w for w in result.warnings if w.code == "ifc_not_georeferenced"]


def test_local_model_stays_local_with_a_warning() -> None:
    result = plan("design_ifc4_local.ifcxml")
    assert result.crs == LOCAL_CRS and result.metadata["ifc_map_conversion"] is None
    assert [w.code for w in result.warnings].count("ifc_not_georeferenced") == 1
    assert by_key(result)[("entrance", ENTRANCE_ID)].geometry.equals(Point(12, 0))


def test_origin_option_places_a_local_model_like_its_map_conversion() -> None:
    placed = plan("design_ifc4_local.ifc", crs="EPSG:31370", origin=(150000.0, 200000.0, 10.0))
    georef = plan("design_ifc4_georef.ifc")
    assert placed.crs == "EPSG:31370"
    for key, feature in by_key(georef).items():
        assert by_key(placed)[key].geometry.equals_exact(feature.geometry, 0.001)
    assert placed.metadata["ifc_map_conversion"]["x_axis_ordinate"] == pytest.approx(SIN10)


def test_origin_without_crs_is_an_input_error() -> None:
    with pytest.raises(InputError, match="needs a CRS"):
        plan("design_ifc4_local.ifc", origin=(1.0, 2.0, 0.0))


def test_map_conversion_scale_conventions_agree() -> None:
    """IFC4 puts the mm -> m conversion in Scale, IFC4X3 does not: both give the same."""
    values = {"Eastings": 100.0, "Northings": 200.0, "XAxisAbscissa": 0.0, "XAxisOrdinate": 2.0}
    ifc4 = normalise_map_conversion(values | {"Scale": 0.001}, "EPSG:31370", 0.001, 1.0, "x")
    ifc4x3 = normalise_map_conversion(values | {"Scale": 1.0}, "EPSG:31370", 0.001, 1.0, "x")
    assert ifc4 == ifc4x3 and ifc4.scale == 1.0
    assert (ifc4.x_axis_abscissa, ifc4.x_axis_ordinate) == (0.0, 1.0)
    import numpy as np

    assert ifc4.to_map(np.array([[1.0, 0.0]])).tolist() == [[100.0, 201.0]]


# --------------------------------------------------------------------------- IFC2X3 vs IFC4


def test_ifc2x3_and_ifc4_exports_of_the_design_map_alike() -> None:
    old, new = read_lite(DATA / "design_ifc2x3_georef.ifc"), read_lite(DATA / "design_ifc4_georef.ifc")
    assert (old.schema, new.schema) == ("IFC2X3", "IFC4")
    assert old.length_unit_m == 0.001 and new.length_unit_m == 1.0
    assert old.angle_unit_rad == pytest.approx(math.pi / 180) and new.angle_unit_rad == 1.0
    assert old.map_conversion.source == "ePSet_MapConversion"
    assert new.map_conversion.source == "IfcMapConversion"
    assert {e.entity for e in old.elements} > {"IfcFlowTerminal", "IfcFurnishingElement"}
    assert {e.entity for e in new.elements} > {"IfcSanitaryTerminal", "IfcLightFixture", "IfcFurniture"}
    stairs_old = next(e for e in old.elements if e.entity == "IfcStairFlight")
    assert stairs_old.attributes["NumberOfRiser"] == 3 and stairs_old.attributes["RiserHeight"] == 0.16

    def signature(result: RawPlan) -> list[tuple]:
        out = []
        for f in result.features:
            props = {k: v for k, v in f.properties.items() if k != "id"}
            centroid = f.geometry.centroid
            out.append((f.layer, sorted(props.items()), round(centroid.x, 3), round(centroid.y, 3)))
        return sorted(out)

    assert signature(plan("design_ifc2x3_georef.ifcxml")) == signature(plan("design_ifc4_georef.ifcxml"))


# --------------------------------------------------------------------------- SPF robustness

HAND_WRITTEN = """ISO-10303-21;
HEADER;
/* exported by hand, with comments */
FILE_DESCRIPTION(('ViewDefinition [ReferenceView]'),'2;1');
FILE_NAME('hand.ifc','2024-01-01T00:00:00',('tester'),(''),'','','');
FILE_SCHEMA(('IFC4'));
ENDSEC;
DATA;
#1=IFCPROJECT('2aG1gZj7PD2PztLOx2$IVX',$,'Caf\\X2\\00E9\\X0\\ ''t Hoekske',$,$,$,$,$,#2);
#2=IFCUNITASSIGNMENT((#3));
#3=IFCSIUNIT(*,.LENGTHUNIT.,.MILLI.,.METRE.);
/* an entity IfcOpenShell does not know */
#4=IFCFANCYTHING('x',1.0);
#5=IFCSITE('1aG1gZj7PD2PztLOx2$IVX',$,'Site',$,$,#6,$,$,.ELEMENT.,$,$,$,$,$);
#6=IFCLOCALPLACEMENT($,#7);
#7=IFCAXIS2PLACEMENT3D(#8,$,$);
#8=IFCCARTESIANPOINT((1000.,2000.,0.));
#10=IFCDOOR('3aG1gZj7PD2PztLOx2$IVX',$,
  'Voordeur \\X2\\00E9\\X0\\n',
  'multi-line record',$,#11,$,$,
  2100.,800.,.DOOR.,.SINGLE_SWING_LEFT.,$);
#11=IFCLOCALPLACEMENT(#6,#12);
#12=IFCAXIS2PLACEMENT3D(#13,$,$);
#13=IFCCARTESIANPOINT((500.,0.,0.));
#14=IFCRELAGGREGATES('0aG1gZj7PD2PztLOx2$IVY',$,$,$,#1,(#5));
#15=IFCRELCONTAINEDINSPATIALSTRUCTURE('0aG1gZj7PD2PztLOx2$IVZ',$,$,$,(#10),#5);
#16=IFCPROPERTYSINGLEVALUE('IsExternal',$,IFCBOOLEAN(.T.),$);
#17=IFCPROPERTYSET('0aG1gZj7PD2PztLOx2$IV0',$,'Pset_DoorCommon',$,(#16));
#18=IFCRELDEFINESBYPROPERTIES('0aG1gZj7PD2PztLOx2$IV1',$,$,$,(#10),#17);
ENDSEC;
END-ISO-10303-21;
"""


def test_hand_written_spf_with_comments_multiline_escapes_and_unknown_entities(tmp_path: Path) -> None:
    path = tmp_path / "hand.ifc"
    path.write_text(HAND_WRITTEN, encoding="ascii")
    model = read_lite(path)
    assert model.project_name == "Café 't Hoekske"
    door = model.elements[0]
    assert door.name == "Voordeur én" and door.attributes["OverallWidth"] == 0.8
    assert door.location.equals(Point(1.5, 2.0))  # mm placements -> metres
    skipped = [w for w in model.warnings if w.code == "ifc_record_skipped"]
    assert len(skipped) == 1 and "IFCFANCYTHING" in skipped[0].message
    result = read_ifc(path, ReadOptions())
    assert [(f.layer, f.properties["door_width_cm"]) for f in result.features] == [("entrance", 80.0)]
    assert "ifc_record_skipped" in [w.code for w in result.warnings]


@pytest.mark.parametrize(("text", "message"), [
    (HAND_WRITTEN[:HAND_WRITTEN.index("#14=")], "truncated"),
    (HAND_WRITTEN[HAND_WRITTEN.index("DATA;"):], "no 'ISO-10303-21;' header"),
    (HAND_WRITTEN.replace("('IFC4')", "('IFC9X9')"), "unknown IFC schema 'IFC9X9'"),
    (HAND_WRITTEN.replace("FILE_SCHEMA(('IFC4'));", ""), "no FILE_SCHEMA"),
    ("", "no 'ISO-10303-21;' header"),
])
def test_spf_files_ifcopenshell_cannot_open_give_one_clear_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "broken.ifc"
    path.write_text(text, encoding="ascii")
    with pytest.raises(InputError) as info:
        read_ifc(path, ReadOptions())
    assert message in str(info.value) and "\n" not in str(info.value)


def test_missing_ifcopenshell_names_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ifcopenshell", None)
    with pytest.raises(InputError, match=r"pip install 'inclusiecheck\[ifc\]'"):
        read_ifc(DATA / "design_ifc4_local.ifc", ReadOptions())


# --------------------------------------------------------------------------- ifcXML safety

XXE = """<?xml version="1.0"?>
<!DOCTYPE ifcXML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<ifcXML xmlns="http://www.buildingsmart-tech.org/ifcXML/IFC4/Add2"><IfcProject id="i1" Name="&xxe;"/></ifcXML>
"""
LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
          + "".join(f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
                    for i in range(1, 10))
          + ']>\n<ifcXML xmlns="http://www.buildingsmart-tech.org/ifcXML/IFC4/Add2">'
          '<IfcProject id="i1" Name="&lol9;"/></ifcXML>\n')


@pytest.mark.parametrize("text", [XXE, LAUGHS], ids=["xxe", "billion-laughs"])
def test_ifcxml_with_entities_is_rejected_without_expanding(tmp_path: Path, text: str) -> None:
    path = tmp_path / "evil.ifcxml"
    path.write_text(text, encoding="utf-8")
    start = time.process_time()
    with pytest.raises(InputError) as info:
        read_ifc(path, ReadOptions())
    assert "DOCTYPE" in str(info.value) and "without expanding" in str(info.value)
    assert "\n" not in str(info.value)
    assert time.process_time() - start < 1.0


@pytest.mark.parametrize(("text", "message"), [
    ('<?xml version="1.0"?><!DOCTYPE ifcXML><ifcXML/>', "must not have a DOCTYPE"),
    ('<?xml version="1.0"?><ifcXML xmlns="http://www.buildingsmart-tech.org/ifcXML/IFC4/Add2">'
     '<IfcProject id="i1"></ifcXML>', "not well-formed"),
    ('<?xml version="1.0"?><gml:FeatureCollection xmlns:gml="http://www.opengis.net/gml"/>', "not an ifcXML"),
    ('<?xml version="1.0"?><ifcXML xmlns="urn:something-else"/>', "unknown ifcXML schema"),
    ("", "no XML root element"),
])
def test_bad_ifcxml_gives_one_clear_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.ifcxml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        read_ifc(path, ReadOptions())


def test_ifcxml_keeps_only_the_records_the_lite_model_needs() -> None:
    source = XmlSource(DATA / "design_ifc4_georef.ifcxml")
    kinds = {record.type for record in source.records.values()}
    assert "IfcDoor" in kinds and "IfcMapConversion" in kinds
    assert not kinds & {"IfcOwnerHistory", "IfcGeometricRepresentationContext", "IfcApplication"}
    # the IfcRelAggregates nested under IsDecomposedBy got its RelatingObject back
    assert all(source.attr(rel, "RelatingObject") is not None for rel in source.by_type("IfcRelAggregates"))


# --------------------------------------------------------------------------- mapping profile


def test_registry_dispatches_both_suffixes() -> None:
    assert find_reader(DATA / "design_ifc4_local.ifc").name == "ifc"
    assert find_reader(DATA / "design_ifc4_local.ifcxml").name == "ifc"
    result = read_plan(DATA / "design_ifc4_local.ifcxml")
    assert result.mapping is None and len(result.features) == 10


def test_building_without_body_is_the_outline_of_its_spaces() -> None:
    """IfcBuilding has no body in the test model: its footprint is the union of its spaces
    (lobby 6 x 5 m at building x 0..6, toilet 2.2 x 2.0 m at x 6..8.2), building at x = 10."""
    building = [f for f in plan("design_ifc4_local.ifc").features if f.layer == "building"]
    assert len(building) == 1 and building[0].source.layer == "IfcBuilding"
    outline = building[0].geometry
    assert outline.geom_type == "Polygon"
    assert outline.area == pytest.approx(6.0 * 5.0 + 2.2 * 2.0, abs=1e-6)
    assert outline.bounds == pytest.approx((10.0, 0.0, 18.2, 5.0), abs=1e-6)


def test_profile_is_validated_and_can_be_replaced() -> None:
    with pytest.raises(InputError, match="layer"):
        parse_profile({"rules": [{"layer": "nonsense"}]}, "p.yaml")
    with pytest.raises(InputError, match="no attribute 'width_cm'"):
        parse_profile({"rules": [{"layer": "door", "attributes": {"width_cm": [{"value": 1}]}}]}, "p.yaml")
    rules = parse_profile({"rules": [{"layer": "obstacle", "match": {"entity": ["IfcDoor"]},
                                      "attributes": {"kind": [{"value": "other"}]}}]}, "p.yaml")
    model = read_lite(DATA / "design_ifc4_local.ifc")
    mapped = map_model(model, rules)
    assert sorted(f.properties["kind"] for f in mapped.features) == ["other", "other"]
    assert len(load_profile()) > 10


def test_kernel_footprints_on_request() -> None:
    exact = read_lite(DATA / "design_ifc4_local.ifc", geometry=True)
    flight = next(e for e in exact.elements if e.entity == "IfcRampFlight")
    assert flight.footprint.area == pytest.approx(9.0, abs=1e-3)


# --------------------------------------------------------------------------- real exports

REAL = ("AC20-FZK-Haus.ifc", "Small.ifcxml", "basin-tessellation.ifc", "bath-csg-solid.ifc")


@pytest.mark.parametrize("name", REAL)
def test_real_exports_read_without_crashing(name: str) -> None:
    folder = shared_data()
    if folder is None or not (folder / name).exists():
        pytest.skip("shared IFC exports not available (set INCLUSIECHECK_SHARED_DATA)")
    result = read_ifc(folder / name, ReadOptions())
    assert result.metadata["ifc_schema"] in ("IFC2X3", "IFC4", "IFC4X3")
    for feature in result.features:
        assert feature.source.global_id and feature.properties["id"] == feature.source.global_id
    if name == "AC20-FZK-Haus.ifc":
        doors = [f for f in result.features if f.layer in ("door", "entrance")]
        assert len(doors) == 5 and all(f.properties["door_width_cm"] > 70 for f in doors)
    if name == "Small.ifcxml":
        model = read_lite(folder / name)
        assert model.schema == "IFC2X3" and model.length_unit_m == 0.001
        assert [s.entity for s in model.spatial] == ["IfcSite", "IfcBuilding", "IfcBuildingStorey"]
