"""IFC end to end: the real pipeline (``inclusiecheck.check`` and the CLI) on IFC models.

Issue 7's acceptance: the same design as IFC-SPF, ifcXML and GeoPackage gives the same
findings; an 0.80 m entrance door of a public building fails with its GlobalId in the finding
and in a BCF topic that validates against the BCF 2.1 XSDs; unreadable SPF files and hostile
ifcXML files are one line and exit 2; a model placed with ``--crs`` and ``--origin`` lands
where a hand calculation says, and the BCF camera goes back to model coordinates; real
exports run without a traceback.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import math
import os
import shutil
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("ifcopenshell")

import fiona  # noqa: E402
from lxml import etree  # noqa: E402
from shapely.geometry import mapping  # noqa: E402

import inclusiecheck  # noqa: E402
from inclusiecheck.model import Report  # noqa: E402
from inclusiecheck.readers import ReadOptions, read_plan  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "data" / "ifc"
ENTRANCE = "0000000000000000000008"  # Hoofdingang: IfcDoor, IsExternal, OverallWidth 0.80 m
INNER_DOOR = "0000000000000000000009"
META = {"work_kind": "new", "building_area_m2": 200}
DATE = "2024-06-01"
PLAN_YAML = "project: Bibliotheek testplein\nwork_kind: new\nbuilding_area_m2: 200\n"
#: generous bound for the hostile-file runs: they must be rejected, not expanded
TIMEOUT_S = 120
PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


# --------------------------------------------------------------------------- helpers


def run_cli(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``python -m inclusiecheck <args>`` in ``cwd`` (bounded in time)."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "inclusiecheck", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=TIMEOUT_S, env=env)


def assert_one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> str:
    """Exit 2, exactly one line on stderr, no traceback; return the line."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("inclusiecheck: error: ") and "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in line, line
    return line


def finding_set(report: Report) -> set[tuple[Any, ...]]:
    return {(f.rule_id, f.layer, f.feature_id, f.outcome.value, _hashable(f.measured),
             _hashable(f.required)) for f in report.findings}


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


_FIONA_TYPES = {bool: "bool", int: "int", float: "float", str: "str"}


def write_geopackage(plan_path: Path, target: Path) -> Path:
    """Write the IFC reader's features to a GeoPackage: a layer per data-profile layer,
    ``id`` = GlobalId, the same attributes and the same CRS."""
    raw = read_plan(plan_path, ReadOptions())
    by_layer: dict[str, list[Any]] = {}
    for feature in raw.features:
        by_layer.setdefault(feature.layer, []).append(feature)
    for layer, features in sorted(by_layer.items()):
        fields: dict[str, str] = {}
        for feature in features:
            for key, value in feature.properties.items():
                fields.setdefault(key, _FIONA_TYPES[type(value)])
        geom_types = {f.geometry.geom_type for f in features}
        assert len(geom_types) == 1, (layer, geom_types)
        schema = {"geometry": geom_types.pop(), "properties": fields}
        with fiona.open(target, "w", driver="GPKG", layer=layer, schema=schema,
                        crs=raw.crs) as sink:
            for feature in features:
                assert feature.properties["id"] == feature.source.global_id
                sink.write({"geometry": mapping(feature.geometry),
                            "properties": {k: feature.properties.get(k) for k in fields}})
    return target


def bcf_schemas() -> dict[str, etree.XMLSchema] | None:
    """The BCF 2.1 XSDs shipped in the bcf-api-xml package (as tests/report/test_bcf.py)."""
    spec = importlib.util.find_spec("bcf_api_xml")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "Schemas"
    if not (folder / "markup.xsd").is_file():
        return None
    return {name: etree.XMLSchema(etree.parse(str(folder / f"{name}.xsd"), PARSER))
            for name in ("markup", "visinfo", "version", "project")}


def copy_model(name: str, folder: Path, plan_yaml: str | None = PLAN_YAML) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    shutil.copyfile(DATA / name, target)
    if plan_yaml is not None:
        (folder / "plan.yaml").write_text(plan_yaml, encoding="utf-8")
    return target


def fingerprint(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


# --------------------------------------------------------------------------- 1. three encodings


@pytest.mark.parametrize("stem", ["design_ifc4_georef", "design_ifc2x3_georef"])
def test_spf_ifcxml_and_geopackage_give_the_same_findings(stem: str, tmp_path: Path) -> None:
    spf = DATA / f"{stem}.ifc"
    gpkg = write_geopackage(spf, tmp_path / f"{stem}.gpkg")
    with fiona.Env():
        layers = set(fiona.listlayers(gpkg))
    assert {"entrance", "door", "ramp", "stairs", "toilet", "light", "bench", "obstacle",
            "vegetation", "building"} <= layers

    reports = {path.suffix: inclusiecheck.check(path, meta=META, date=DATE, list_all=True)
               for path in (spf, DATA / f"{stem}.ifcxml", gpkg)}
    spf_set, xml_set, gpkg_set = (finding_set(reports[s]) for s in (".ifc", ".ifcxml", ".gpkg"))
    assert spf_set == xml_set == gpkg_set
    # a real comparison: every outcome kind is there, and the door fails in all three
    assert {key[3] for key in spf_set} >= {"fail", "pass", "to_verify", "not_applicable"}
    assert ("TV-01", "entrance", ENTRANCE, "fail", 80.0, 90.0) in gpkg_set
    # same crs and the same feature ids by layer; only source_ref tells the paths apart
    assert reports[".ifc"].crs == reports[".ifcxml"].crs == reports[".gpkg"].crs == "EPSG:31370"
    by_key = {s: {(f.rule_id, f.layer, f.feature_id): f for f in r.findings}
              for s, r in reports.items()}
    for key, finding in by_key[".ifc"].items():
        assert by_key[".ifcxml"][key].source_ref == {**finding.source_ref,
                                                     "file": f"{stem}.ifcxml"}
        assert by_key[".gpkg"][key].location == finding.location
        assert by_key[".gpkg"][key].source_ref.get("global_id") is None
        assert finding.source_ref["global_id"] == finding.feature_id


# --------------------------------------------------------------------------- 2. door and BCF


def test_plan_yaml_beside_the_model_gives_the_tv_metadata(tmp_path: Path) -> None:
    model = copy_model("design_ifc4_georef.ifcxml", tmp_path / "with")
    bare = copy_model("design_ifc4_georef.ifcxml", tmp_path / "without", plan_yaml=None)
    report = inclusiecheck.check(model, rules=["toegankelijkheidsverordening"], date=DATE)
    assert report.plan["work_kind"] == "new" and report.plan["building_area_m2"] == 200
    assert report.plan["project"] == "Bibliotheek testplein"  # plan.yaml wins over IfcProject
    assert report.plan["ifc_schema"] == "IFC4" and report.plan["ifc_map_conversion"]
    door = {f.rule_id: f for f in report.findings if f.feature_id == ENTRANCE}
    assert door["TV-01"].outcome.value == "fail"
    # without plan.yaml the verordening cannot decide (work_kind unknown) ...
    unknown = inclusiecheck.check(bare, rules=["toegankelijkheidsverordening"], date=DATE)
    first = next(f for f in unknown.findings if f.rule_id == "TV-01")
    assert first.outcome.value == "to_verify" and "work_kind" in first.missing
    # ... and the CLI/API options win over plan.yaml
    outdoor = inclusiecheck.check(model, rules=["toegankelijkheidsverordening"], date=DATE,
                                  meta={"work_kind": "outdoor_only"})
    assert not [f for f in outdoor.findings if f.rule_id == "TV-01"]


def test_narrow_door_fails_with_its_globalid_in_json_and_bcf(tmp_path: Path) -> None:
    model = copy_model("design_ifc4_georef.ifc", tmp_path / "plan")
    result = run_cli("check", model, "--format", "bcf,json", "--out", "out", "--date", DATE,
                     cwd=tmp_path)
    assert result.returncode == 1, result.stderr  # an obligation fails
    assert "Traceback" not in result.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    tv01 = [f for f in report["findings"] if f["rule_id"] == "TV-01"]
    assert len(tv01) == 1
    finding = tv01[0]
    assert finding["outcome"] == "fail" and finding["layer"] == "entrance"
    assert finding["measured"] == 80.0 and finding["required"] == 90.0
    assert finding["feature_id"] == ENTRANCE
    assert finding["source_ref"]["global_id"] == ENTRANCE
    assert finding["source_ref"]["layer"] == "IfcDoor"

    archive = zipfile.ZipFile(tmp_path / "out" / "report.bcf")
    names = archive.namelist()
    topics = {}
    for name in names:
        if name.endswith("/markup.bcf"):
            markup = etree.fromstring(archive.read(name), PARSER)
            labels = [e.text for e in markup.iter("Labels")]
            topics[name.split("/")[0]] = (markup, labels)
    tv01_topics = [(guid, m) for guid, (m, labels) in topics.items() if "TV-01" in labels]
    assert len(tv01_topics) == 1
    guid, markup = tv01_topics[0]
    assert markup.findtext("Topic/Priority") == "High"  # structural obligation that fails
    assert markup.findtext("Header/File/Filename") == "design_ifc4_georef.ifc"
    assert f"GlobalId {ENTRANCE}" in markup.findtext("Topic/Description")
    viewpoint = etree.fromstring(archive.read(f"{guid}/viewpoint.bcfv"), PARSER)
    selected = [c.get("IfcGuid") for c in viewpoint.iterfind("Components/Selection/Component")]
    assert selected == [ENTRANCE]
    # every obligation finding that is not a pass became a topic
    obligations = [f for f in report["findings"]
                   if report["rules"][f["rule_id"]]["level"] == "obligation"
                   and f["outcome"] in ("fail", "warn", "to_verify", "deviation")]
    assert len(topics) == len(obligations)

    schemas = bcf_schemas()
    if schemas is None:
        pytest.skip("bcf-api-xml (BCF 2.1 XSDs) is not installed")
    kinds = {"markup.bcf": "markup", "viewpoint.bcfv": "visinfo", "bcf.version": "version",
             "project.bcfp": "project"}
    seen = Counter()
    for name in names:
        kind = kinds[name.rsplit("/", 1)[-1]]
        doc = etree.fromstring(archive.read(name), PARSER).getroottree()
        assert schemas[kind].validate(doc), f"{name}: {schemas[kind].error_log}"
        seen[kind] += 1
    assert seen["version"] == seen["project"] == 1 and seen["markup"] == len(topics)


# --------------------------------------------------------------------------- 3. unreadable SPF


def _spf_text() -> str:
    return (DATA / "design_ifc4_georef.ifc").read_text(encoding="utf-8")


def _no_header(text: str) -> str:
    return text.replace("ISO-10303-21;", "", 1)


def _truncated(text: str) -> str:
    return text[: text.index("END-ISO-10303-21;") - 200]


def _unknown_schema(text: str) -> str:
    return text.replace("FILE_SCHEMA(('IFC4'))", "FILE_SCHEMA(('IFC9X9'))", 1)


@pytest.mark.parametrize(("make", "fragment"), [
    (_no_header, "no 'ISO-10303-21;' header"),
    (_truncated, "truncated"),
    (_unknown_schema, "unknown IFC schema 'IFC9X9'"),
    (lambda text: "", "no 'ISO-10303-21;' header"),
])
def test_spf_that_ifcopenshell_cannot_open_is_one_line_and_exit_2(make: Any, fragment: str,
                                                                 tmp_path: Path) -> None:
    text = _spf_text()
    assert "FILE_SCHEMA(('IFC4'))" in text
    bad = tmp_path / "bad.ifc"
    bad.write_text(make(text), encoding="utf-8")
    before = fingerprint(bad)
    result = run_cli("check", bad, "--format", "json,bcf", "--out", "out", cwd=tmp_path)
    assert_one_line_error(result, "bad.ifc", fragment)
    assert fingerprint(bad) == before
    assert not (tmp_path / "out" / "report.json").exists()


def test_records_ifcopenshell_skips_are_listed_as_warnings(tmp_path: Path) -> None:
    text = _spf_text()
    end = text.rindex("ENDSEC;")
    model = tmp_path / "odd.ifc"
    model.write_text(text[:end] + "#99999=IFCNOSUCHENTITY('x',$);\n" + text[end:],
                     encoding="utf-8")
    report = inclusiecheck.check(model, meta=META, date=DATE)
    skipped = [w for w in report.warnings if w["code"] == "ifc_record_skipped"]
    assert skipped and "IFCNOSUCHENTITY" in skipped[0]["message"]
    assert any(f.rule_id == "TV-01" and f.outcome.value == "fail" for f in report.findings)


# --------------------------------------------------------------------------- 4. hostile ifcXML

_BOMB = """<?xml version="1.0" encoding="{encoding}"?>
<!DOCTYPE ifcXML [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
 <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
 <!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">
]>
<ifcXML xmlns="http://www.buildingsmart-tech.org/ifcXML/IFC4/Add2">
<IfcProject id="i1" GlobalId="0000000000000000000001" Name="&h;"><Description>&h;</Description></IfcProject>
</ifcXML>
"""

_EXTERNAL = """<?xml version="1.0" encoding="{encoding}"?>
<!DOCTYPE ifcXML [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<ifcXML xmlns="http://www.buildingsmart-tech.org/ifcXML/IFC4/Add2">
<IfcProject id="i1" GlobalId="0000000000000000000001" Name="&secret;"/>
</ifcXML>
"""

_PARAMETER = """<?xml version="1.0" encoding="{encoding}"?>
<!-- a comment before the DOCTYPE -->
<!DOCTYPE ifcXML [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;]>
<ifcXML xmlns="http://www.buildingsmart-tech.org/ifcXML/IFC4/Add2"/>
"""


@pytest.mark.parametrize("encoding", ["UTF-8", "UTF-16", "UTF-16LE", "UTF-16BE"])
@pytest.mark.parametrize("kind", ["bomb", "external", "parameter"])
def test_hostile_ifcxml_is_rejected_without_expanding_it(kind: str, encoding: str,
                                                         tmp_path: Path) -> None:
    template = {"bomb": _BOMB, "external": _EXTERNAL, "parameter": _PARAMETER}[kind]
    # UTF-16 writes a byte-order mark; UTF-16LE/BE do not (the prolog must still be found)
    data = template.format(encoding="UTF-16" if encoding.startswith("UTF-16") else encoding)
    hostile = tmp_path / "hostile.ifcxml"
    hostile.write_bytes(data.encode(encoding.lower().replace("utf-", "utf_")))
    before = fingerprint(hostile)
    result = run_cli("check", hostile, "--format", "json", "--out", "out", cwd=tmp_path)
    line = assert_one_line_error(result, "hostile.ifcxml", "rejected without expanding it")
    assert "aaaa" not in line and "root:" not in result.stdout + result.stderr
    assert fingerprint(hostile) == before
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- 5. --crs --origin


def test_local_model_with_crs_and_origin_lands_where_expected(tmp_path: Path) -> None:
    model = copy_model("design_ifc4_local.ifc", tmp_path / "plan")
    result = run_cli("check", model, "--crs", "31370", "--origin", "150000,200000,30",
                     "--format", "json,bcf", "--out", "out", "--date", DATE, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["crs"] == "EPSG:31370"
    assert not [w for w in report["warnings"] if w["code"] == "ifc_not_georeferenced"]
    # the entrance stands at model (12, 0): building at x = 10, door at x = 2 in its storey
    finding = next(f for f in report["findings"] if f["rule_id"] == "TV-01")
    e, n = finding["location"]["coordinates"]
    assert e == pytest.approx(150000 + 12 * math.cos(math.radians(30)), abs=1e-3)  # 150010.392
    assert n == pytest.approx(200000 + 12 * math.sin(math.radians(30)), abs=1e-3)  # 200006.000
    conversion = report["plan"]["ifc_map_conversion"]
    assert conversion["eastings"] == 150000 and conversion["northings"] == 200000
    assert conversion["orthogonal_height"] == 0

    # the BCF camera is in model coordinates: the eye 15 m map-south of the door and 10 m up,
    # i.e. model (12 - 15 sin 30, -15 cos 30, 10) = (4.5, -12.990381, 10); finding locations
    # are rounded to the millimetre, so the camera is exact to 1 mm
    archive = zipfile.ZipFile(tmp_path / "out" / "report.bcf")
    guid = next(name.split("/")[0] for name in archive.namelist()
                if name.endswith("markup.bcf") and b"TV-01" in archive.read(name))
    view = etree.fromstring(archive.read(f"{guid}/viewpoint.bcfv"), PARSER)

    def xyz(tag: str) -> tuple[float, ...]:
        return tuple(float(view.findtext(f"PerspectiveCamera/{tag}/{a}")) for a in "XYZ")

    assert xyz("CameraViewPoint") == pytest.approx((4.5, -15 * math.cos(math.radians(30)), 10),
                                                   abs=1e-3)
    norm = math.sqrt(7.5 ** 2 + (15 * math.cos(math.radians(30))) ** 2 + 10 ** 2)
    assert xyz("CameraDirection") == pytest.approx(
        (7.5 / norm, 15 * math.cos(math.radians(30)) / norm, -10 / norm), abs=1e-4)
    # eye + t * direction reaches the door at model (12, 0, 0)
    eye, direction = xyz("CameraViewPoint"), xyz("CameraDirection")
    t = -eye[2] / direction[2]
    assert (eye[0] + t * direction[0], eye[1] + t * direction[1]) == pytest.approx((12, 0),
                                                                                   abs=1e-3)


def test_crs_and_origin_from_plan_yaml_place_a_local_model(tmp_path: Path) -> None:
    model = copy_model("design_ifc4_local.ifcxml", tmp_path,
                       plan_yaml=PLAN_YAML + "crs: 31370\norigin: [150000, 200000, 30]\n")
    report = inclusiecheck.check(model, rules=["toegankelijkheidsverordening"], date=DATE)
    assert report.crs == "EPSG:31370"
    finding = next(f for f in report.findings if f.rule_id == "TV-01")
    assert finding.location["coordinates"][0] == pytest.approx(150010.392, abs=1e-3)
    assert finding.location["coordinates"][1] == pytest.approx(200006.0, abs=1e-3)
    # without any placement the plan stays local, with a warning
    local = copy_model("design_ifc4_local.ifcxml", tmp_path / "bare")
    report = inclusiecheck.check(local, rules=["toegankelijkheidsverordening"], date=DATE)
    assert report.crs == "LOCAL"
    assert any(w["code"] == "ifc_not_georeferenced" for w in report.warnings)


# --------------------------------------------------------------------------- 6. real exports


def shared_ifc() -> Path | None:
    """The shared real exports (env INCLUSIECHECK_SHARED_DATA wins), or None."""
    env = os.environ.get("INCLUSIECHECK_SHARED_DATA")
    candidates = [Path(env)] if env else []
    candidates.append(Path(__file__).resolve().parents[2] / ".." / "shared" / "data")
    for candidate in candidates:
        if (candidate / "ifc").is_dir():
            return candidate / "ifc"
    return None


REAL = ("AC20-FZK-Haus.ifc", "Small.ifcxml", "basin-tessellation.ifc", "bath-csg-solid.ifc")


@pytest.mark.parametrize("name", REAL)
def test_real_exports_run_through_the_cli_without_a_traceback(name: str, tmp_path: Path) -> None:
    folder = shared_ifc()
    if folder is None or not (folder / name).exists():
        pytest.skip("shared IFC exports not available (set INCLUSIECHECK_SHARED_DATA)")
    source = folder / name
    before = fingerprint(source)
    result = run_cli("check", source, "--format", "json,bcf", "--out", "out", cwd=tmp_path)
    assert "Traceback" not in result.stderr
    assert fingerprint(source) == before
    if result.returncode == 2:
        assert_one_line_error(result, name, "no element the IFC mapping profile knows")
        return
    assert result.returncode in (0, 1), result.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["summary"]["features"]
    if name == "AC20-FZK-Haus.ifc":
        assert report["summary"]["features"] == {"door": 5}
        codes = Counter(w["code"] for w in report["warnings"])
        # the stair and the corridor space ("Flur", a corridor walkway since Art. 15 is
        # checked) have B-rep bodies: named, not an anonymous wrong_geometry
        missing = {w["layer"] for w in report["warnings"] if w["code"] == "ifc_footprint_missing"}
        assert missing == {"IfcStair", "IfcSpace"} and "wrong_geometry" not in codes
        assert codes["ifc_not_georeferenced"] == 1
