"""BCF 2.1 export: archive structure, topics, GUIDs, viewpoints, XSD validity, determinism."""

from __future__ import annotations

import dataclasses
import importlib.util
import io
import math
import uuid
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from inclusiecheck.model import (
    Citation,
    Finding,
    InputError,
    Level,
    Outcome,
    Pillar,
    Report,
    RuleInfo,
    Verdict,
)
from inclusiecheck.report import RenderOptions, get_format, render
from inclusiecheck.report.bcf import (
    MapConversion,
    camera_for_location,
    render_bcf,
    topic_guid,
)

ENTRANCE_GUID = "2O2Fr$t4X7Zf8NOew3FLOH"
BENCH_GUID = "0K3l8a1Fv9gQ2mUqZr7$wX"
PARSER = etree.XMLParser(resolve_entities=False, no_network=True)

# --------------------------------------------------------------------------- fixtures

VTV = Citation("Toegankelijkheidsverordening", "art. 22", "https://codex.vlaanderen.be/vtv")
GUIDE = Citation("Vademecum Toegankelijk Publiek Domein", "hfst. 4", None, kind="guidance")

RULES = (
    RuleInfo("VTV-ART22-DOOR-WIDTH", "vtv", "2024.1", "Vrije doorgangsbreedte toegangsdeur",
             Pillar.ACCESSIBILITY, Level.OBLIGATION, True, VTV, "entrance"),
    RuleInfo("VTV-ART18-RAMP-SLOPE", "vtv", "2024.1", "Helling van een hellend vlak",
             Pillar.ACCESSIBILITY, Level.OBLIGATION, False, VTV, "ramp"),
    RuleInfo("VTV-ART14-KERB", "vtv", "2024.1", "Hoogte boordsteen", Pillar.ACCESSIBILITY,
             Level.OBLIGATION, False, VTV, "kerb"),
    RuleInfo("UD-BENCH-SPACING", "universal_design", "1.0", "Afstand tussen zitbanken",
             Pillar.COMFORT, Level.RECOMMENDATION, False, GUIDE, "bench"),
    RuleInfo("VTV-ART22-DOOR-PASS", "vtv", "2024.1", "Deur ok", Pillar.ACCESSIBILITY,
             Level.OBLIGATION, False, VTV, "entrance"),
)


def _finding(rule_id: str, layer: str, feature_id: str, outcome: Outcome, level: Level,
             **kw: object) -> Finding:
    base: dict[str, object] = dict(
        rule_id=rule_id, rule_set="vtv", layer=layer, feature_id=feature_id,
        source_ref={"file": "plan.ifc"}, outcome=outcome, level=level, structural=False,
        pillar=Pillar.ACCESSIBILITY, property=None, measured=None, required=None, unit=None,
        message="", advice="", source=VTV, location=None)
    base.update(kw)
    return Finding(**base)  # type: ignore[arg-type]


# The map conversion used by the IFC report: origin at (150000, 200000, 10), x axis at 30 deg.
CONVERSION = {"eastings": 150000.0, "northings": 200000.0, "orthogonal_height": 10.0,
              "x_axis_abscissa": math.cos(math.radians(30)),
              "x_axis_ordinate": math.sin(math.radians(30)), "scale": 1.0}
# engineering (10, 0) -> map (150000 + 10 cos 30, 200000 + 10 sin 30)
ENTRANCE_MAP_XY = [150000.0 + 10 * math.cos(math.radians(30)), 200000.0 + 5.0]

FAIL = _finding(
    "VTV-ART22-DOOR-WIDTH", "entrance", "E1", Outcome.FAIL, Level.OBLIGATION,
    source_ref={"file": "/data/project/plan.ifc", "global_id": ENTRANCE_GUID},
    structural=True, property="clear_width_m", measured=0.80, required=0.90, unit="m",
    message="De vrije doorgangsbreedte is 0.80 m, minstens 0.90 m vereist.",
    advice="Kies een deur met een bredere vleugel.",
    location={"type": "Point", "coordinates": ENTRANCE_MAP_XY})
RECOMMENDATION = _finding(
    "UD-BENCH-SPACING", "bench", "B7", Outcome.FAIL, Level.RECOMMENDATION,
    rule_set="universal_design", pillar=Pillar.COMFORT, source=GUIDE,
    source_ref={"file": "plan.ifc", "global_id": BENCH_GUID}, property="spacing_m",
    measured=180.0, required=100.0, unit="m", advice="Voeg een bank toe.",
    location={"type": "LineString", "coordinates": [[150000.0, 200000.0], [150020.0, 200000.0]]})
TO_VERIFY = _finding(
    "VTV-ART18-RAMP-SLOPE", "ramp", "R2", Outcome.TO_VERIFY, Level.OBLIGATION,
    property="slope_pct", missing=("slope_pct", "length_m"),
    message="Helling onbekend.")
DEVIATION = _finding(
    "VTV-ART14-KERB", "kerb", "K3", Outcome.DEVIATION, Level.OBLIGATION,
    source_ref={"file": "plan.ifc", "global_id": "3vB2YO$MX4xv5uCqZZG05x"},
    property="kerb_height_cm", measured=4.0, required=2.0, unit="cm",
    deviation={"justification": "Historische boordsteen, goedgekeurd door de commissie.",
               "granted_by": "Gemeentelijke adviesraad"})
PASSED = _finding("VTV-ART22-DOOR-PASS", "entrance", "E2", Outcome.PASS, Level.OBLIGATION)


def make_report(*findings: Finding, plan: dict | None = None) -> Report:
    if plan is None:
        plan = {"project": "Dorpsplein", "permit_date": "2024-03-15",
                "ifc_map_conversion": CONVERSION}
    return Report(
        lang="nl", plan=plan, crs="EPSG:31370", rule_sets=({"name": "vtv", "version": "2024.1"},),
        verdict=Verdict("ongunstig", "structural obligation fails"), summary={}, coverage={},
        warnings=(), findings=findings or (FAIL, RECOMMENDATION, TO_VERIFY, DEVIATION, PASSED),
        rules=RULES, list_all=True)


def open_bcf(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))


def parse(data: bytes) -> etree._Element:
    return etree.fromstring(data, PARSER)


def markup_of(archive: zipfile.ZipFile, finding: Finding) -> etree._Element:
    return parse(archive.read(f"{topic_guid(finding)}/markup.bcf"))


# --------------------------------------------------------------------------- structure


def test_zip_structure_and_entry_order() -> None:
    archive = open_bcf(render_bcf(make_report(), RenderOptions()))
    names = archive.namelist()
    assert names[0] == "bcf.version"
    assert names[1] == "project.bcfp"
    fail_dir, kerb_dir, ramp_dir = topic_guid(FAIL), topic_guid(DEVIATION), topic_guid(TO_VERIFY)
    # report order; the to_verify without location or GlobalId has no viewpoint
    assert names[2:] == [f"{fail_dir}/markup.bcf", f"{fail_dir}/viewpoint.bcfv",
                         f"{ramp_dir}/markup.bcf",
                         f"{kerb_dir}/markup.bcf", f"{kerb_dir}/viewpoint.bcfv"]
    version = parse(archive.read("bcf.version"))
    assert version.get("VersionId") == "2.1"
    assert version.findtext("DetailedVersion") == "2.1"
    for info in archive.infolist():
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
    assert not any(name.endswith(".png") for name in names)


def test_topic_count_with_and_without_recommendations() -> None:
    report = make_report()
    without = open_bcf(render_bcf(report, RenderOptions()))
    with_rec = open_bcf(render_bcf(report, RenderOptions(bcf_recommendations=True)))
    count = lambda z: sum(n.endswith("/markup.bcf") for n in z.namelist())  # noqa: E731
    assert count(without) == 3  # fail, to_verify, deviation; the pass is never a topic
    assert count(with_rec) == 4
    assert f"{topic_guid(RECOMMENDATION)}/markup.bcf" in with_rec.namelist()
    assert f"{topic_guid(RECOMMENDATION)}/markup.bcf" not in without.namelist()


def test_empty_report_gives_version_only() -> None:
    report = dataclasses.replace(make_report(), findings=(PASSED,), plan={})
    archive = open_bcf(render_bcf(report, RenderOptions()))
    assert archive.namelist() == ["bcf.version"]


def test_registered_and_deterministic_bytes() -> None:
    report = make_report()
    fmt = get_format("bcf")
    assert (fmt.filename, fmt.media_type) == ("report.bcf", "application/octet-stream")
    first = render(report, "bcf")
    assert first == render(make_report(), "bcf")
    assert first[:2] == b"PK"


# --------------------------------------------------------------------------- GUIDs


def test_topic_guid_deterministic_uuid5() -> None:
    guid = topic_guid(FAIL)
    assert uuid.UUID(guid).version == 5
    assert guid == topic_guid(dataclasses.replace(FAIL, measured=0.7, message="other"))
    assert guid != topic_guid(dataclasses.replace(FAIL, feature_id="E9"))
    assert guid != topic_guid(dataclasses.replace(FAIL, property="height_m"))
    assert guid != topic_guid(dataclasses.replace(FAIL, layer="door"))
    assert guid != topic_guid(dataclasses.replace(FAIL, rule_id="OTHER"))
    archive = open_bcf(render_bcf(make_report(), RenderOptions()))
    assert markup_of(archive, FAIL).find("Topic").get("Guid") == guid


def test_duplicate_keys_get_distinct_guids() -> None:
    twin = dataclasses.replace(FAIL, measured=0.7)
    archive = open_bcf(render_bcf(make_report(FAIL, twin), RenderOptions()))
    markups = [n for n in archive.namelist() if n.endswith("markup.bcf")]
    assert len(markups) == 2 and len(set(n.split("/")[0] for n in markups)) == 2


# --------------------------------------------------------------------------- markup


def test_fail_topic_content() -> None:
    archive = open_bcf(render_bcf(make_report(), RenderOptions(lang="nl")))
    markup = markup_of(archive, FAIL)
    topic = markup.find("Topic")
    assert topic.get("TopicType") == "Issue"
    assert topic.get("TopicStatus") == "Open"
    assert topic.findtext("Title") == "Vrije doorgangsbreedte toegangsdeur (entrance E1)"
    assert topic.findtext("Priority") == "High"
    assert [e.text for e in topic.findall("Labels")] == [
        "accessibility", "obligation", "VTV-ART22-DOOR-WIDTH", "vtv"]
    assert topic.findtext("ReferenceLink") == "https://codex.vlaanderen.be/vtv"
    assert topic.findtext("CreationDate") == "2024-03-15T00:00:00Z"
    assert topic.findtext("CreationAuthor") == "inclusiecheck"
    description = topic.findtext("Description")
    assert "Gemeten: 0.8 m - Vereist: 0.9 m" in description
    assert "Toegankelijkheidsverordening, art. 22 (https://codex.vlaanderen.be/vtv)" in description
    assert "Advies: Kies een deur met een bredere vleugel." in description
    assert ENTRANCE_GUID in description
    # the header names the IFC file, without its directory
    assert markup.findtext("Header/File/Filename") == "plan.ifc"
    assert markup.find("Viewpoints").findtext("Viewpoint") == "viewpoint.bcfv"


def test_types_priorities_and_deviation_comment() -> None:
    archive = open_bcf(render_bcf(make_report(), RenderOptions(bcf_recommendations=True)))
    ramp = markup_of(archive, TO_VERIFY).find("Topic")
    assert ramp.get("TopicType") == "Request"
    assert ramp.findtext("Priority") == "Normal"
    # names for people: labels with their unit, not the profile's internal names
    assert "Ontbrekende gegevens: helling (%), lengte (m)" in ramp.findtext("Description")
    assert "Element: hellend vlak R2" in ramp.findtext("Description")
    assert ramp.find("ReferenceLink") is not None
    assert markup_of(archive, TO_VERIFY).find("Viewpoints") is None

    rec = markup_of(archive, RECOMMENDATION).find("Topic")
    assert rec.findtext("Priority") == "Low"
    assert rec.find("ReferenceLink") is None  # the guidance has no url
    assert "recommendation" in [e.text for e in rec.findall("Labels")]

    kerb_markup = markup_of(archive, DEVIATION)
    kerb = kerb_markup.find("Topic")
    assert kerb.get("TopicType") == "Remark"
    assert kerb.get("TopicStatus") == "Closed"
    comment = kerb_markup.find("Comment")
    assert comment.findtext("Author") == "inclusiecheck"
    assert comment.findtext("Date") == "2024-03-15T00:00:00Z"
    text = comment.findtext("Comment")
    assert "Historische boordsteen, goedgekeurd door de commissie." in text
    assert "granted_by: Gemeentelijke adviesraad" in text

    warn = dataclasses.replace(FAIL, outcome=Outcome.WARN)
    warn_topic = markup_of(open_bcf(render_bcf(make_report(warn), RenderOptions())), warn)
    assert warn_topic.find("Topic").get("TopicType") == "Remark"
    assert warn_topic.find("Topic").findtext("Priority") == "Normal"  # structural, but no fail


def test_english_words_and_fallback_date() -> None:
    report = make_report(FAIL, plan={})
    archive = open_bcf(render_bcf(report, RenderOptions(lang="en")))
    topic = markup_of(archive, FAIL).find("Topic")
    assert "Measured: 0.8 m - Required: 0.9 m" in topic.findtext("Description")
    assert topic.findtext("CreationDate") == "1980-01-01T00:00:00Z"
    assert "project.bcfp" not in archive.namelist()


def test_hostile_text_is_escaped() -> None:
    hostile = "<script>alert('x')</script> & ]]> \"q\" \x00\x0b<!ENTITY e SYSTEM 'file:///x'>"
    finding = dataclasses.replace(FAIL, feature_id=hostile, message=hostile, advice=hostile,
                                  deviation=None)
    report = make_report(finding, plan={"project": hostile, "permit_date": "not a date"})
    data = render_bcf(report, RenderOptions())
    archive = open_bcf(data)
    raw = archive.read(f"{topic_guid(finding)}/markup.bcf")
    assert b"<script>" not in raw and b"<!ENTITY" not in raw
    topic = parse(raw).find("Topic")
    expected = hostile.replace("\x00", "").replace("\x0b", "")
    assert topic.findtext("Title").endswith(f"(entrance {expected})")
    assert topic.findtext("Description").startswith(expected)
    assert parse(archive.read("project.bcfp")).findtext("Project/Name") == expected


# --------------------------------------------------------------------------- viewpoints


def test_viewpoint_selects_global_id() -> None:
    archive = open_bcf(render_bcf(make_report(), RenderOptions()))
    view = parse(archive.read(f"{topic_guid(FAIL)}/viewpoint.bcfv"))
    markup = markup_of(archive, FAIL)
    assert view.get("Guid") == markup.find("Viewpoints").get("Guid")
    assert [c.get("IfcGuid") for c in view.findall("Components/Selection/Component")] == [
        ENTRANCE_GUID]
    assert view.find("Components/Visibility").get("DefaultVisibility") == "true"
    assert view.find("PerspectiveCamera") is not None
    # the deviation has a GlobalId but no location: selection only, no camera
    kerb = parse(archive.read(f"{topic_guid(DEVIATION)}/viewpoint.bcfv"))
    kerb_guid = DEVIATION.source_ref["global_id"]
    assert kerb.find("Components/Selection/Component").get("IfcGuid") == kerb_guid
    assert kerb.find("PerspectiveCamera") is None


def test_invalid_global_id_is_not_selected() -> None:
    finding = dataclasses.replace(FAIL, source_ref={"file": "x.ifc", "global_id": "not-a-guid"})
    archive = open_bcf(render_bcf(make_report(finding), RenderOptions()))
    view = parse(archive.read(f"{topic_guid(finding)}/viewpoint.bcfv"))
    assert view.find("Components") is None
    assert view.find("PerspectiveCamera") is not None  # the location still gives a camera


def _camera(view: etree._Element) -> dict[str, tuple[float, ...]]:
    cam = view.find("PerspectiveCamera")
    return {tag: tuple(float(cam.findtext(f"{tag}/{a}")) for a in "XYZ")
            for tag in ("CameraViewPoint", "CameraDirection", "CameraUpVector")}


def test_camera_through_map_conversion_hand_computed() -> None:
    # Target: map (150008.660, 200005.0) is engineering (10, 0); a 2D location lies at z = 0.
    # Eye in map: 15 m south, 10 m up: dE = 8.660, dN = -10, dH = 10. Rotating by -30 deg:
    #   x = dE cos30 + dN sin30 = 7.5 - 5 = 2.5 ; y = -dE sin30 + dN cos30 = -4.330 - 8.660
    view = parse(open_bcf(render_bcf(make_report(), RenderOptions())).read(
        f"{topic_guid(FAIL)}/viewpoint.bcfv"))
    cam = _camera(view)
    assert cam["CameraViewPoint"] == pytest.approx((2.5, -12.990381, 10.0), abs=1e-6)
    # direction = (10 - 2.5, 0 + 12.990, -10) / sqrt(325)
    norm = math.sqrt(325.0)
    assert cam["CameraDirection"] == pytest.approx(
        (7.5 / norm, 12.990381 / norm, -10.0 / norm), abs=1e-6)
    up = cam["CameraUpVector"]
    assert sum(u * d for u, d in zip(up, cam["CameraDirection"])) == pytest.approx(0, abs=1e-6)
    assert up[2] > 0 and math.hypot(*up) == pytest.approx(1.0, abs=1e-6)
    assert float(view.findtext("PerspectiveCamera/FieldOfView")) == 60.0


def test_camera_without_conversion_uses_map_coordinates() -> None:
    report = make_report(RECOMMENDATION, plan={"permit_date": "2024-03-15"})
    view = parse(open_bcf(render_bcf(report, RenderOptions(bcf_recommendations=True))).read(
        f"{topic_guid(RECOMMENDATION)}/viewpoint.bcfv"))
    # centroid of the line is (150010, 200000)
    assert _camera(view)["CameraViewPoint"] == pytest.approx((150010.0, 199985.0, 10.0))
    direction = _camera(view)["CameraDirection"]
    assert direction == pytest.approx((0.0, 15 / math.sqrt(325), -10 / math.sqrt(325)))


def test_camera_uses_location_height_and_scale() -> None:
    conv = MapConversion.from_dict({**CONVERSION, "scale": 0.001, "length_unit_m": 0.001})
    # a model in millimetres: metres out are the same as with scale 1
    assert conv.to_engineering(ENTRANCE_MAP_XY[0], ENTRANCE_MAP_XY[1], 12.0) == pytest.approx(
        (10.0, 0.0, 2.0), abs=1e-9)
    half = MapConversion.from_dict({**CONVERSION, "scale": 2.0})
    assert half.to_engineering(ENTRANCE_MAP_XY[0], ENTRANCE_MAP_XY[1], 10.0) == pytest.approx(
        (5.0, 0.0, 0.0), abs=1e-9)
    round_trip = half.to_engineering(*half.to_map(3.0, -4.0, 1.5))
    assert round_trip == pytest.approx((3.0, -4.0, 1.5), abs=1e-9)
    pose = camera_for_location(
        {"type": "Point", "coordinates": [*ENTRANCE_MAP_XY, 13.0]}, MapConversion.from_dict(
            CONVERSION))
    assert pose is not None and pose.viewpoint[2] == pytest.approx(13.0)  # 3 m up + 10 m


@pytest.mark.parametrize("location", [
    None, {}, {"type": "Point", "coordinates": []}, {"type": "Nonsense"},
    {"type": "GeometryCollection", "geometries": []},
    {"type": "Point", "coordinates": [float("nan"), 1.0]},
])
def test_unusable_location_gives_no_camera(location: dict | None) -> None:
    assert camera_for_location(location) is None


def test_degenerate_locations_still_aim() -> None:
    zero_length = {"type": "LineString", "coordinates": [[1.0, 1.0], [1.0, 1.0]]}
    assert camera_for_location(zero_length).viewpoint == pytest.approx((1.0, -14.0, 10.0))
    flat = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]}  # zero area
    assert camera_for_location(flat).viewpoint == pytest.approx((0.5, -15.0, 10.0))


def test_polygon_with_hole_and_multipolygon_centroid() -> None:
    square = [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]
    hole = [[1, 1], [3, 1], [3, 3], [1, 3], [1, 1]]
    pose = camera_for_location({"type": "Polygon", "coordinates": [square, hole]})
    assert pose is not None
    # centroid with a hole shifts away from the hole: (5*100 - 2*4) / 96
    expected = (500 - 8) / 96
    assert pose.viewpoint[:2] == pytest.approx((expected, expected - 15.0))
    multi = {"type": "MultiPolygon", "coordinates": [
        [[[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]], [[[8, 0], [10, 0], [10, 2], [8, 2], [8, 0]]]]}
    assert camera_for_location(multi).viewpoint[:2] == pytest.approx((5.0, 1.0 - 15.0))


def test_malformed_map_conversion_is_input_error() -> None:
    for bad in ({"northings": 1.0}, {**CONVERSION, "eastings": "abc"},
                {**CONVERSION, "x_axis_abscissa": 0.0, "x_axis_ordinate": 0.0},
                {**CONVERSION, "scale": 0.0}):
        with pytest.raises(InputError, match="ifc_map_conversion"):
            render_bcf(make_report(plan={"ifc_map_conversion": bad}), RenderOptions())


# --------------------------------------------------------------------------- XSD validity


def _schema_dir() -> Path | None:
    spec = importlib.util.find_spec("bcf_api_xml")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "Schemas"
    return folder if (folder / "markup.xsd").is_file() else None


@pytest.fixture(scope="module")
def schemas() -> dict[str, etree.XMLSchema]:
    folder = _schema_dir()
    if folder is None:
        pytest.skip("bcf-api-xml (BCF 2.1 XSDs) is not installed")
    return {name: etree.XMLSchema(etree.parse(str(folder / f"{name}.xsd"), PARSER))
            for name in ("markup", "visinfo", "version", "project")}


def _validate(schema: etree.XMLSchema, data: bytes, name: str) -> None:
    doc = etree.fromstring(data, PARSER).getroottree()
    assert schema.validate(doc), f"{name}: {schema.error_log}"


def test_every_file_validates_against_bcf21_xsds(schemas: dict[str, etree.XMLSchema]) -> None:
    hostile = dataclasses.replace(TO_VERIFY, feature_id="<a>&\x01", message="]]>&lt;")
    no_url = dataclasses.replace(DEVIATION, source=GUIDE, deviation={})
    report = make_report(FAIL, RECOMMENDATION, hostile, DEVIATION, no_url,
                         dataclasses.replace(FAIL, outcome=Outcome.WARN, feature_id="E3"))
    archive = open_bcf(render_bcf(report, RenderOptions(bcf_recommendations=True)))
    kinds = {"markup.bcf": "markup", "viewpoint.bcfv": "visinfo", "bcf.version": "version",
             "project.bcfp": "project"}
    seen = set()
    for name in archive.namelist():
        kind = kinds[name.rsplit("/", 1)[-1]]
        _validate(schemas[kind], archive.read(name), name)
        seen.add(kind)
    assert seen == {"markup", "visinfo", "version", "project"}


def test_schema_rejects_a_broken_markup(schemas: dict[str, etree.XMLSchema]) -> None:
    """Guard that validation really checks something: a topic without a Guid fails."""
    bad = b"<Markup><Topic><Title>x</Title></Topic></Markup>"
    assert not schemas["markup"].validate(etree.fromstring(bad, PARSER).getroottree())
