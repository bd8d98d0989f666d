"""The bad-input corpus: hostile and broken inputs, each with the exit code and the message
it must give (issue 13; see docs/robustness.md).

Every input is generated here, the large ones too (a 100,000-vertex walkway, a GeoJSON beyond
the size limit as a sparse file), so the repository holds no large file. Run as a script to
write the corpus into a folder and list the cases::

    python tests/corpus/make_corpus.py /tmp/corpus

``tests/corpus/test_corpus.py`` runs every case as a subprocess under a 60 s hang guard.

A case says where its message must appear: ``stderr`` (an input error: exit 2, one line),
``warning`` (a warning in report.json of a run that completes), ``stdout`` or ``not_stdout``
(what the console shows).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import struct
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
IFC_DATA = ROOT / "tests" / "data" / "ifc"
X0, Y0 = 150000.0, 200000.0
LAMBERT72 = {"type": "name", "properties": {"name": "EPSG:31370"}}
#: exit codes of a run that completes (0: no fail, 1: a fail)
RAN = (0, 1)


@dataclass
class Case:
    """One corpus case: the CLI arguments (``{dir}`` is the corpus folder, ``{out}`` a fresh
    output folder), the allowed exit codes and a message fragment and where it appears."""

    name: str
    args: list[str]
    exit: tuple[int, ...]
    fragment: str
    where: str = "stderr"  # stderr | warning | stdout | not_stdout
    notes: str = ""
    posix_only: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


# ------------------------------------------------------------------------ file builders


def _collection(features: list[dict[str, Any]], crs: Any = LAMBERT72) -> dict[str, Any]:
    data: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    if crs is not None:
        data["crs"] = crs
    return data


def _walkway(props: dict[str, Any], coords: list[list[float]] | None = None) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"layer": "walkway", "id": "w1", **props},
            "geometry": {"type": "LineString",
                         "coordinates": coords or [[X0, Y0], [X0 + 20.0, Y0]]}}


def _write_json(path: Path, data: Any, replace: tuple[str, str] | None = None) -> Path:
    text = json.dumps(data, allow_nan=True, ensure_ascii=True)
    if replace is not None:
        assert replace[0] in text
        text = text.replace(replace[0], replace[1], 1)
    path.write_text(text, encoding="utf-8")
    return path


def _width_plan(folder: Path, name: str, raw: str, attribute: str = "width_m") -> str:
    _write_json(folder / f"{name}.geojson", _collection([_walkway({attribute: "@@"})]),
                ('"@@"', raw))
    return f"{{dir}}/{name}.geojson"


def _ifc_variant(folder: Path, name: str, old: str, new: str) -> str:
    text = (IFC_DATA / "design_ifc4_georef.ifc").read_text(encoding="utf-8")
    assert old in text, old
    (folder / f"{name}.ifc").write_text(text.replace(old, new, 1), encoding="utf-8")
    return f"{{dir}}/{name}.ifc"


def _shapefile(folder: Path, name: str, *, truncate_dbf: bool = False,
               drop_dbf: bool = False) -> str:
    import fiona
    from fiona.crs import CRS

    sub = folder / name
    sub.mkdir()
    schema = {"geometry": "LineString", "properties": {"id": "str", "width_m": "float"}}
    with fiona.open(sub / "walkway.shp", "w", driver="ESRI Shapefile", schema=schema,
                    crs=CRS.from_epsg(31370)) as dst:
        for i in range(10):
            dst.write({"geometry": {"type": "LineString",
                                    "coordinates": [(X0 + 30 * i, Y0), (X0 + 30 * i + 20, Y0)]},
                       "properties": {"id": f"w{i}", "width_m": 1.5}})
    dbf = sub / "walkway.dbf"
    if truncate_dbf:
        data = dbf.read_bytes()
        _count, header_len, record_len = struct.unpack("<IHH", data[4:12])
        dbf.write_bytes(data[:header_len + 4 * record_len + 5])
    if drop_dbf:
        dbf.unlink()
    return f"{{dir}}/{name}/walkway.shp"


def _big_walkway(folder: Path, vertices: int = 100_000) -> str:
    half = vertices // 2
    bottom = [[X0 + 200.0 * i / (half - 1), Y0 + 0.0003 * ((i % 3) - 1)] for i in range(half)]
    top = [[X0 + 200.0 * i / (half - 1), Y0 + 2.0 + 0.0003 * ((i % 5) - 2)]
           for i in range(half)][::-1]
    ring = bottom + top + [bottom[0]]
    feature = {"type": "Feature", "properties": {"layer": "walkway", "id": "long",
                                                 "kind": "sidewalk"},
               "geometry": {"type": "Polygon", "coordinates": [ring]}}
    _write_json(folder / "walkway_100k.geojson", _collection([feature]))
    return "{dir}/walkway_100k.geojson"


def _rule_set(folder: Path, name: str, old: str, new: str, file: str = "rule.yaml") -> str:
    from inclusiecheck.scaffold import new_rule, new_rule_set

    set_folder = folder / name
    new_rule_set(set_folder, "corpus")
    new_rule(set_folder, "CORP-01", "walkway", "threshold")
    rule = set_folder / "CORP-01-width-m-min"
    path = rule / file if file == "rule.yaml" else rule / "cases" / file
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return f"{{dir}}/{name}"


# ------------------------------------------------------------------------------- the cases


def build(folder: Path) -> list[Case]:
    """Write every corpus input into ``folder`` and return the cases."""
    folder.mkdir(parents=True, exist_ok=True)
    cases: list[Case] = []
    add = cases.append

    def check(*paths: str, extra: tuple[str, ...] = ()) -> list[str]:
        return ["check", *paths, "-o", "{out}", "-f", "json", "-q", *extra]

    # --- numbers that are not numbers, deep nesting --------------------------------------
    add(Case("number-1e400", check(_width_plan(folder, "n1e400", "1e400")), RAN,
             "not a finite number", "warning"))
    add(Case("integer-5000-digits", check(_width_plan(folder, "nbig", "9" * 5000)), RAN,
             "not a finite number", "warning"))
    add(Case("width-nan", check(_width_plan(folder, "nnan", "NaN")), RAN,
             "width_m=nan ignored", "warning"))
    add(Case("width-infinity", check(_width_plan(folder, "ninf", "-Infinity")), RAN,
             "not a finite number", "warning"))
    add(Case("width-negative", check(_width_plan(folder, "nneg", "-3")), RAN,
             "walkway w1: width_m=-3.0 ignored: outside the plausible range", "warning"))
    add(Case("width-zero", check(_width_plan(folder, "nzero", "0")), RAN,
             "width_m=0.0 ignored: outside the plausible range 0.1 to 50 m", "warning"))
    add(Case("width-1e9", check(_width_plan(folder, "nhuge", "1e9")), RAN,
             "outside the plausible range", "warning"))
    add(Case("width-mm-in-metre-field", check(_width_plan(folder, "nmm", "1200")), RAN,
             "it looks like millimetres: 1200 millimetres is 1.2 m", "warning"))
    deep = '{"a":' * 900 + "1" + "}" * 900
    add(Case("property-nested-900-deep",
             check(_width_plan(folder, "deep", f'1.5, "deep": {deep}')), RAN,
             "nested more than 32 levels", "warning"))

    # --- IFC units and georeferencing -------------------------------------------------
    metre = "#2=IFCSIUNIT(*,.LENGTHUNIT.,$,.METRE.);"
    add(Case("ifc-exa-length-unit",
             check(_ifc_variant(folder, "exa", metre,
                                "#2=IFCSIUNIT(*,.LENGTHUNIT.,.EXA.,.METRE.);")),
             (2,), "the project length unit is 1e+18 m"))
    add(Case("ifc-map-scale-1e300",
             check(_ifc_variant(folder, "scale", "0.173648177667,1.);",
                                "0.173648177667,1.E+300);")),
             (2,), "the map conversion scales the model by 1e+300"))
    factor = ("#2=IFCCONVERSIONBASEDUNIT(#9990,.LENGTHUNIT.,'FOOT',#9991);\n"
              "#9990=IFCDIMENSIONALEXPONENTS(1,0,0,0,0,0,0);\n"
              "#9991=IFCMEASUREWITHUNIT(IFCLENGTHMEASURE(1.E+300),#9992);\n"
              "#9992=IFCSIUNIT(*,.LENGTHUNIT.,$,.METRE.);")
    add(Case("ifc-conversion-factor-1e300", check(_ifc_variant(folder, "factor", metre, factor)),
             (2,), "the project length unit is 1e+300 m"))
    add(Case("ifc-georeferenced-far-away",
             check(_ifc_variant(folder, "far", "IFCMAPCONVERSION(#9,#12,150000.,",
                                "IFCMAPCONVERSION(#9,#12,5150000.,")),
             (2,), "far outside the area of use of EPSG:31370"))
    add(Case("building-area-infinite", check(str(ROOT / "samples" / "marktplein"),
                                             extra=("--building-area", "inf")), (2,),
             "building_area_m2: Input should be a finite number"))
    local = str(IFC_DATA / "design_ifc4_local.ifc")
    add(Case("origin-nan", check(local, extra=("--crs", "31370", "--origin", "nan,nan")), (2,),
             "--origin 'nan,nan': E and N must be finite"))
    add(Case("origin-inf", check(local, extra=("--crs", "31370", "--origin", "inf,0")), (2,),
             "--origin 'inf,0'"))

    # --- special files and size limits --------------------------------------------------
    if hasattr(os, "mkfifo"):
        os.mkfifo(folder / "fifo.geojson")
        add(Case("fifo-as-plan", check("{dir}/fifo.geojson"), (2,), "a named pipe (FIFO)",
                 posix_only=True))
    if Path("/dev/zero").exists():
        (folder / "zero.geojson").symlink_to("/dev/zero")
        add(Case("dev-zero-as-plan", check("{dir}/zero.geojson"), (2,), "a device, not a file",
                 posix_only=True))
    if hasattr(os, "mkfifo"):
        mixed = folder / "folder-with-fifo"
        mixed.mkdir()
        _write_json(mixed / "walkway.geojson", _collection([_walkway({"width_m": 1.5})]))
        os.mkfifo(mixed / "pipe.geojson")
        add(Case("fifo-inside-a-folder-plan", check("{dir}/folder-with-fifo"), RAN,
                 "pipe.geojson: not a regular file (a pipe or a device); file skipped",
                 "warning", posix_only=True))
    sparse = folder / "huge.geojson"
    with sparse.open("wb") as handle:  # sparse: takes no disk space
        handle.truncate(257 * 1024 * 1024)
    add(Case("geojson-over-size-limit", check("{dir}/huge.geojson"), (2,),
             "the GeoJSON size limit"))

    # --- silent data loss -----------------------------------------------------------------
    add(Case("shapefile-truncated-dbf", check(_shapefile(folder, "trunc", truncate_dbf=True)),
             RAN, "only 4 of 10 features could be read", "warning"))
    add(Case("shapefile-without-dbf", check(_shapefile(folder, "nodbf", drop_dbf=True)), RAN,
             "the attributes of all 10 features are missing", "warning"))
    (folder / "badid.osm").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6">\n'
        '<node id="1" lat="50.8460" lon="4.3520"/><node id="2" lat="50.8462" lon="4.3524"/>\n'
        '<node id="3" lat="50.8464" lon="4.3528"/>\n'
        '<way id="10"><nd ref="1"/><nd ref="2"/><tag k="highway" v="footway"/></way>\n'
        '<way id="abc"><nd ref="2"/><nd ref="3"/><tag k="highway" v="footway"/></way>\n'
        "</osm>\n", encoding="utf-8")
    add(Case("osm-non-numeric-id", check("{dir}/badid.osm"), RAN,
             "1 elements without a numeric id skipped", "warning"))

    # --- misleading messages ----------------------------------------------------------------
    nan_point = {"type": "Feature", "properties": {"layer": "walkway"},
                 "geometry": {"type": "Point", "coordinates": [X0, math.nan]}}
    _write_json(folder / "allnan.geojson", _collection([nan_point]))
    add(Case("all-geometries-nan", check("{dir}/allnan.geojson"), (2,),
             "all 1 features were skipped (walkway: 1 coordinates that are not finite"))
    point = {"type": "Feature", "properties": {"layer": "walkway"},
             "geometry": {"type": "Point", "coordinates": [X0, Y0]}}
    _write_json(folder / "wronggeom.geojson", _collection([point, point]))
    add(Case("all-geometries-wrong-type", check("{dir}/wronggeom.geojson"), (2,),
             "walkway: 2 Point geometry (the layer takes LineString, Polygon)"))
    _write_json(folder / "lambert-as-4326.geojson",
                _collection([_walkway({})], {"type": "name", "properties": {"name": "EPSG:4326"}}))
    add(Case("lambert-declared-as-wgs84", check("{dir}/lambert-as-4326.geojson"), (2,),
             "coordinates look projected"))
    swapped = _walkway({}, [[51.05, 3.72], [51.0502, 3.7202]])
    _write_json(folder / "swapped.geojson", _collection([swapped], None))
    add(Case("lat-lon-swapped", check("{dir}/swapped.geojson"), (2,),
             "latitude and longitude look swapped"))
    far = _walkway({}, [[X0 + 5e6, Y0], [X0 + 5e6 + 20, Y0]])
    _write_json(folder / "far.geojson", _collection([far]))
    add(Case("outside-area-of-use", check("{dir}/far.geojson"), (2,),
             "far outside the area of use of EPSG:31370"))
    add(Case("usage-error-one-line", ["check", "--no-such-option", "x"], (2,),
             "No such option: --no-such-option"))
    _write_json(folder / "bidi.geojson", _collection([_walkway({"id": "evil\u202eabc",
                                                                 "width_m": 0.5})]))
    add(Case("bidi-override-escaped-on-console",
             ["check", "{dir}/bidi.geojson", "-o", "{out}", "-f", "json"], RAN,
             "\u202e", "not_stdout"))

    # --- rules ------------------------------------------------------------------------------
    add(Case("rule-min-nan", ["rules", "validate",
                              _rule_set(folder, "rs-nan", "min: 1.5", "min: .nan")], (1,),
             "check.params.min: nan is not a finite number"))
    add(Case("rule-where-in-5", ["check", "{dir}/rs-in5/CORP-01-width-m-min/cases/cases.geojson",
                                 "-r", _rule_set(folder, "rs-in5", "kind: [sidewalk]",
                                                 "kind: {in: 5}"),
                                 "-o", "{out}", "-f", "json"], (2,),
             "in: expects a list of values"))
    add(Case("rule-unknown-placeholder",
             ["rules", "validate", _rule_set(folder, "rs-ph", "at least {required}",
                                             "at least {requird}")], (1,),
             "unknown placeholder {requird}"))
    add(Case("rule-case-outside-folder",
             ["rules", "validate", _rule_set(folder, "rs-case", "file: cases.geojson",
                                             "file: ../../../../etc/passwd", "expected.yaml")],
             (1,), "no absolute path, no '..'"))
    _rule_set(folder, "rs-slug", "min: 1.5", "min: 1.5")
    add(Case("rules-new-slug-outside", ["rules", "new", "{dir}/rs-slug", "--id", "CORP-02",
                                        "--slug", "../../x"], (2,),
             "--slug '../../x': a slug is a plain folder name"))

    # --- bounded work -----------------------------------------------------------------------
    add(Case("walkway-100000-vertices", check(_big_walkway(folder)), RAN, "report.json",
             "stdout"))

    # --- inputs already covered elsewhere, kept here as one list ---------------------------
    (folder / "broken.geojson").write_text('{"type": "FeatureCollection", "features": [',
                                           encoding="utf-8")
    add(Case("invalid-json", check("{dir}/broken.geojson"), (2,), "invalid JSON at line 1"))
    (folder / "utf16.geojson").write_bytes('{"type": "FeatureCollection"}'.encode("utf-16"))
    add(Case("utf16-geojson", check("{dir}/utf16.geojson"), (2,), "UTF-16 text"))
    (folder / "empty.geojson").write_bytes(b"")
    add(Case("empty-file", check("{dir}/empty.geojson"), (2,), "the file is empty"))
    (folder / "plan.dwg").write_bytes(b"AC1032")
    add(Case("unknown-suffix", check("{dir}/plan.dwg"), (2,), "unknown file type '.dwg'"))
    add(Case("missing-file", check("{dir}/nothere.geojson"), (2,), "no such file or folder"))
    (folder / "doctype.osm").write_text('<?xml version="1.0"?><!DOCTYPE osm><osm/>',
                                        encoding="utf-8")
    add(Case("osm-doctype", check("{dir}/doctype.osm"), (2,), "must not have a DOCTYPE"))
    bomb = folder / "bomb"
    bomb.mkdir()
    _write_json(bomb / "walkway.geojson", _collection([_walkway({})]))
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    (bomb / "plan.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    add(Case("yaml-alias-bomb", check("{dir}/bomb"), (2,), "plan.yaml"))
    _write_json(folder / "unknown-crs.geojson",
                _collection([_walkway({})],
                            {"type": "name", "properties": {"name": "EPSG:999999"}}))
    add(Case("unknown-crs", check("{dir}/unknown-crs.geojson"), (2,), "unknown CRS"))
    _write_json(folder / "kabouter.geojson", _collection([{
        "type": "Feature", "properties": {"layer": "kabouter"},
        "geometry": {"type": "Point", "coordinates": [X0, Y0]}}]))
    add(Case("no-known-layer", check("{dir}/kabouter.geojson"), (2,), "no known layer"))
    (folder / "out-is-a-file").write_text("x", encoding="utf-8")
    add(Case("out-is-a-file", ["check", str(ROOT / "samples" / "marktplein"), "-o",
                               "{dir}/out-is-a-file", "-q"], (2,), "is a file"))
    return cases


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: make_corpus.py FOLDER", file=sys.stderr)
        return 2
    folder = Path(argv[1])
    if folder.exists():
        shutil.rmtree(folder)
    for case in build(folder):
        print(json.dumps({"name": case.name, "args": case.args, "exit": case.exit,
                          "fragment": case.fragment, "where": case.where}, ensure_ascii=True))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv))


__all__ = ["Case", "build", "main"]
