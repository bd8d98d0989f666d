"""``inclusiecheck scan``: region monitoring by grid cells or unit polygons, with resume.

Small GeoJSON plans in EPSG:31370 and the ``haltes`` and ``voorzieningen`` sets keep every
scan to seconds. The fixture has two grid cells of 1000 m: cell A (x 0-1000 from X0) with four
stops of known categories, an accessible public toilet and a square beside it; cell B (x
1700-1900) with two stops and a park 1.5 km from the only toilet, beyond the default halo.
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import fiona
import pytest

import inclusiecheck
from inclusiecheck.model import InputError
from inclusiecheck.scan import (
    GPKG_FILE,
    RULES_CSV,
    SCAN_JSON,
    STATE_FILE,
    SUMMARY_CSV,
    ScanOptions,
    TextBar,
    parse_by,
    scan,
)

X0, Y0 = 150_000.0, 200_000.0
SETS = ("haltes", "voorzieningen")
A, B = "E150000_N200000", "E151000_N200000"
OUTPUTS = (GPKG_FILE, SUMMARY_CSV, RULES_CSV, SCAN_JSON)
FINDING_LAYERS = ("findings_point", "findings_line", "findings_polygon")


def pt(x: float, y: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [X0 + x, Y0 + y]}


def rect(x: float, y: float, w: float, h: float) -> list[list[float]]:
    return [[X0 + x, Y0 + y], [X0 + x + w, Y0 + y], [X0 + x + w, Y0 + y + h],
            [X0 + x, Y0 + y + h], [X0 + x, Y0 + y]]


def poly(x: float, y: float, w: float, h: float) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [rect(x, y, w, h)]}


def feat(layer: str, fid: str, geom: dict[str, Any], **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"layer": layer, "id": fid, **props},
            "geometry": geom}


def write_geojson(path: Path, features: list[dict[str, Any]], epsg: int = 31370) -> Path:
    path.write_text(json.dumps({
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{epsg}"}},
        "features": features}), encoding="utf-8")
    return path


#: meets both categories (raised 18 cm bus platform, guide line and boarding tiles)
GOOD = {"mode": "bus", "platform_height_cm": 18, "swing_in": False, "platform_width_m": 2.0,
        "tactile_guidance": True, "boarding_tactile": True}
TOILET = {"public": True, "accessible": "yes"}


def fixture_features() -> list[dict[str, Any]]:
    return [
        # cell A: motor and visual each 2 accessible, 1 not, 1 to verify (one stop existing)
        feat("stop", "a-good", pt(100, 0), **GOOD),
        feat("stop", "a-bad", pt(200, 0), mode="bus", platform_height_cm=3,
             platform_width_m=2.0, tactile_guidance=False, boarding_tactile=True),
        feat("stop", "a-unknown", pt(300, 0), mode="bus", platform_width_m=2.0,
             tactile_guidance=True, boarding_tactile=True),
        feat("stop", "a-old", pt(400, 0), status="existing", **GOOD),
        feat("toilet", "wc", pt(150, 70), **TOILET),
        feat("area", "markt", poly(120, 40, 60, 60), kind="square"),
        feat("obstacle", "far-pole", pt(500, 500), kind="pole"),
        # cell B: motor 2 of 2, visual 1 of 2 (no guide line); the toilet 1.5 km away
        feat("stop", "b-motor-only", pt(1800, 0), **{**GOOD, "tactile_guidance": False}),
        feat("stop", "b-good", pt(1900, 0), **GOOD),
        feat("area", "park", poly(1700, 100, 100, 100), kind="park"),
    ]


@pytest.fixture
def plan(tmp_path: Path) -> Path:
    return write_geojson(tmp_path / "plan.geojson", fixture_features())


def options(**changes: Any) -> ScanOptions:
    return ScanOptions(**{"rules": SETS, "lang": "en", **changes})


def rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def gpkg_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of a GeoPackage (geometry as WKB), for comparison."""
    con = sqlite3.connect(path)
    try:
        tables = [t for (t,) in con.execute(
            "SELECT table_name FROM gpkg_contents ORDER BY table_name")]
        return {t: con.execute(f'SELECT * FROM "{t}"').fetchall() for t in tables}
    finally:
        con.close()


def findings_of(out: Path) -> list[dict[str, Any]]:
    found = []
    for layer in FINDING_LAYERS:
        with fiona.open(out / GPKG_FILE, layer=layer) as src:
            found += [dict(f.properties) for f in src]
    return found


# -------------------------------------------------------------------------------- grid mode
def test_grid_summary_counts_stop_categories_and_toilet_coverage(plan: Path,
                                                                 tmp_path: Path) -> None:
    result = scan(plan, tmp_path / "out", options())
    assert (result.units, result.resumed, result.features, result.outside) == (2, 0, 10, 0)
    summary = {r["unit"]: r for r in rows(tmp_path / "out" / SUMMARY_CSV)}
    assert list(summary) == [A, B]
    a, b = summary[A], summary[B]
    assert (a["features"], a["stops"], b["features"], b["stops"]) == ("7", "4", "3", "2")
    # cell A: 2 accessible (one of them existing), 1 not, 1 to verify, in both categories
    for cat, baseline, diff in (("motor", "15.3", "34.7"), ("visual", "7.9", "42.1")):
        assert (a[f"stops_{cat}_accessible"], a[f"stops_{cat}_not_accessible"],
                a[f"stops_{cat}_to_verify"]) == ("2", "1", "1")
        assert a[f"stops_{cat}_share_pct"] == "50.0"
        assert a[f"stops_{cat}_share_decided_pct"] == "66.7"
        assert a[f"stops_{cat}_baseline_pct"] == baseline
        assert a[f"stops_{cat}_vs_baseline_pp"] == diff
    # cell B: every stop accessible for motor, one of two for visual
    assert (b["stops_motor_accessible"], b["stops_motor_share_pct"],
            b["stops_motor_vs_baseline_pp"]) == ("2", "100.0", "84.7")
    assert (b["stops_visual_accessible"], b["stops_visual_not_accessible"],
            b["stops_visual_share_pct"], b["stops_visual_vs_baseline_pp"]) == \
        ("1", "1", "50.0", "42.1")
    # toilet coverage (VZ-10 areas, VZ-11 stops): A is covered; B is 1.5 km from the toilet
    assert (a["toilet_square_judged"], a["toilet_square_covered"],
            a["toilet_square_covered_pct"]) == ("1", "1", "100.0")
    assert (a["toilet_park_judged"], a["toilet_park_covered_pct"]) == ("0", "")
    assert (a["toilet_stop_judged"], a["toilet_stop_covered"]) == ("4", "4")
    assert (b["toilet_park_judged"], b["toilet_park_not_covered"],
            b["toilet_park_covered_pct"]) == ("1", "1", "0.0")
    # beyond the halo, yet judged on the far toilet (a fail), not as "no toilet in the plan"
    assert (b["toilet_stop_judged"], b["toilet_stop_not_covered"], b["toilet_stop_to_verify"],
            b["toilet_stop_covered_pct"]) == ("2", "2", "0", "0.0")


def test_grid_findings_equal_a_whole_plan_check(plan: Path, tmp_path: Path) -> None:
    """Every finding of the scan is the one the whole-plan check gives, with its unit."""
    out = tmp_path / "out"
    scan(plan, out, options(list_all=True))
    report = inclusiecheck.check(plan, rules=list(SETS), lang="en", list_all=True)
    expected = sorted((f.rule_id, f.feature_id, f.outcome.value, f.message)
                      for f in report.findings if f.location)
    found = findings_of(out)
    assert sorted((f["rule_id"], f["feature_id"], f["outcome"], f["message"])
                  for f in found) == expected
    units = {f["feature_id"]: f["unit"] for f in found}
    assert units["a-old"] == A and units["park"] == B and units["wc"] == A
    # numbers run over the whole scan, unit by unit
    assert sorted({f["number"] for f in found}) == list(range(1, len({f["number"] for f in found}) + 1))
    # per-rule counts add up to the check's totals
    totals: dict[str, int] = {}
    for row in rows(out / RULES_CSV):
        for outcome in ("fail", "warn", "to_verify", "pass", "not_applicable"):
            totals[outcome] = totals.get(outcome, 0) + int(row[outcome])
    check_totals = {**report.summary["total"]}
    for outcome, n in report.summary["existing"].items():
        check_totals[outcome] = check_totals.get(outcome, 0) + n
    assert {k: v for k, v in totals.items() if v} == check_totals
    # the summary layer holds each unit's cell with its row
    with fiona.open(out / GPKG_FILE, layer="unit_summary") as src:
        cells = {f.properties["unit"]: f for f in src}
        assert src.crs.to_epsg() == 31370
    from shapely.geometry import shape

    assert shape(cells[A].geometry).bounds == (X0, Y0, X0 + 1000, Y0 + 1000)
    assert cells[B].properties["stops_visual_share_pct"] == 50.0


def test_parse_by() -> None:
    assert parse_by(None) == 1000 and parse_by("grid") == 1000
    assert parse_by("grid:500") == 500 and parse_by("GRID:250m") == 250
    for bad in ("grid:abc", "grid:0", "grid:5", "grid:12.5", "grid:1000000", "hex:100", "units"):
        with pytest.raises(InputError):
            parse_by(bad)


# -------------------------------------------------------------------------------- units mode
def units_file(tmp_path: Path, name: str = "gemeenten.geojson") -> Path:
    """Two named polygons in WGS 84 (reprojected on reading): "Noord" covers cell A's stops
    in two parts, "Leeg" holds nothing; cell B and the toilet, square and pole lie outside."""
    from pyproj import Transformer

    to_wgs = Transformer.from_crs(31370, 4326, always_xy=True)

    def wgs(x: float, y: float, w: float, h: float) -> dict[str, Any]:
        ring = [list(to_wgs.transform(px, py)) for px, py in rect(x, y, w, h)]
        return {"type": "Polygon", "coordinates": [ring]}

    return write_geojson(tmp_path / name, [
        {"type": "Feature", "properties": {"NAAM": "Noord", "NISCODE": 11001},
         "geometry": wgs(50, -50, 200, 100)},
        {"type": "Feature", "properties": {"NAAM": "Noord", "NISCODE": 11001},
         "geometry": wgs(250, -50, 200, 100)},
        {"type": "Feature", "properties": {"NAAM": "Leeg", "NISCODE": 11002},
         "geometry": wgs(3000, 3000, 100, 100)},
    ], epsg=4326)


def test_units_mode_polygons_by_name(plan: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = scan(plan, out, options(grid_m=None, units=units_file(tmp_path),
                                     unit_field="NAAM"))
    assert (result.units, result.outside) == (2, 6)   # the four stops are inside
    summary = {r["unit"]: r for r in rows(out / SUMMARY_CSV)}
    assert list(summary) == ["Leeg", "Noord"]
    assert summary["Leeg"]["features"] == "0" and summary["Leeg"]["stops_motor_share_pct"] == ""
    noord = summary["Noord"]
    assert (noord["stops"], noord["stops_motor_accessible"], noord["stops_motor_share_pct"]) == \
        ("4", "2", "50.0")
    # the toilet outside every unit is still the stops' neighbour: they are covered
    assert noord["toilet_stop_covered"] == "4"
    found = findings_of(out)
    assert {f["unit"] for f in found} == {"Noord"}
    assert not any(f["feature_id"].startswith("b-") or f["feature_id"] == "park" for f in found)
    meta = json.loads((out / SCAN_JSON).read_text(encoding="utf-8"))
    assert (meta["by"], meta["units"], meta["features_outside"]) == ("units", 2, 6)
    assert meta["baselines"] == {"motor": 15.3, "motor_assisted": 46.4, "visual": 7.9}
    # a numeric field names the units too (NISCODE)
    again = scan(plan, tmp_path / "out2", options(grid_m=None, units=units_file(tmp_path),
                                                  unit_field="NISCODE"))
    assert again.units == 2
    assert [r["unit"] for r in rows(tmp_path / "out2" / SUMMARY_CSV)] == ["11001", "11002"]


# -------------------------------------------------------------------------------- resume
class Stop(Exception):
    """Raised by the progress hook to stop a scan after some units (a simulated kill)."""


def stop_after(k: int) -> Any:
    def hook(event: dict[str, Any]) -> None:
        if event["stage"] == "unit" and event["done"] >= k:
            raise Stop()
    return hook


def spread_plan(tmp_path: Path, cells: int = 6) -> Path:
    """``cells`` grid cells of 100 m in a row, each with a stop and a bench."""
    features = []
    for n in range(cells):
        x = 100.0 * n + 50
        features.append(feat("stop", f"s{n}", pt(x, 10), **(GOOD if n % 2 else {"mode": "bus"})))
        features.append(feat("bench", f"b{n}", pt(x, 30), backrest=bool(n % 2)))
    return write_geojson(tmp_path / "spread.geojson", features)


def test_interrupted_scan_resumes_with_identical_outputs(tmp_path: Path) -> None:
    plan = spread_plan(tmp_path)
    opts = options(grid_m=100, halo_m=50.0)
    whole = scan(plan, tmp_path / "whole", opts)
    assert whole.units == 6
    out = tmp_path / "resumed"
    with pytest.raises(Stop):
        scan(plan, out, opts, progress=stop_after(2))
    state = (out / STATE_FILE).read_text(encoding="utf-8").splitlines()
    assert len(state) == 3   # the header and two finished units
    assert {json.loads(line)["unit"] for line in state[1:]} == {"E150000_N200000",
                                                              "E150100_N200000"}
    assert not (out / GPKG_FILE).exists()
    # a kill while a unit's result is being written leaves a cut line: that unit is redone
    with (out / STATE_FILE).open("a", encoding="utf-8") as handle:
        handle.write('{"unit": "E150200_N200000", "fingerp')
    seen: list[str] = []
    result = scan(plan, out, opts, progress=lambda e: seen.append(e.get("unit", "")))
    assert (result.units, result.resumed) == (6, 2)
    assert "E150000_N200000" not in seen and "E150200_N200000" in seen
    for name in OUTPUTS:
        assert (out / name).read_bytes() == (tmp_path / "whole" / name).read_bytes(), name
    # the same command once more: nothing left to do, the same outputs
    third = scan(plan, out, opts)
    assert third.resumed == 6
    assert (out / GPKG_FILE).read_bytes() == (tmp_path / "whole" / GPKG_FILE).read_bytes()


def test_changed_input_or_option_starts_afresh(tmp_path: Path) -> None:
    plan = spread_plan(tmp_path)
    out = tmp_path / "out"
    opts = options(grid_m=100, halo_m=50.0)
    scan(plan, out, opts)
    notes: list[str] = []
    other = scan(plan, out, options(grid_m=100, halo_m=60.0), note=notes.append)
    assert other.resumed == 0
    assert len(notes) == 1 and "other options" in notes[0] and "starts afresh" in notes[0]
    # the discarded units' result files are gone; only this scan's remain
    assert len(list((out / "scan-units").iterdir())) == 6
    data = json.loads(plan.read_text(encoding="utf-8"))
    data["features"][0]["properties"]["platform_height_cm"] = 18
    plan.write_text(json.dumps(data), encoding="utf-8")
    notes.clear()
    changed = scan(plan, out, options(grid_m=100, halo_m=60.0), note=notes.append)
    assert changed.resumed == 0 and "other input files" in notes[0]
    # a changed result file makes its unit unfinished (redone), not an error
    result_file = min((out / "scan-units").iterdir())
    result_file.write_text("{}", encoding="utf-8")
    again = scan(plan, out, options(grid_m=100, halo_m=60.0))
    assert again.resumed == 5


def _cli(*args: str, **kwargs: Any) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(Path(inclusiecheck.__file__).parents[1])}
    return subprocess.run([sys.executable, "-m", "inclusiecheck", *args], capture_output=True,
                          text=True, timeout=600, env=env, check=False, **kwargs)


def test_killed_scan_process_resumes(tmp_path: Path) -> None:
    """A real kill (SIGKILL) of the scan process after some units; the restarted command
    finishes with the outputs of an uninterrupted scan."""
    # enough units that the kill lands halfway even on a fast, quiet machine
    cells = 40
    plan = spread_plan(tmp_path, cells)
    args = ["scan", str(plan), "--by", "grid:100", "--halo", "50", "-r", "haltes",
            "-r", "voorzieningen", "--lang", "en", "-q"]
    out = tmp_path / "killed"
    env = {**os.environ, "PYTHONPATH": str(Path(inclusiecheck.__file__).parents[1])}
    proc = subprocess.Popen([sys.executable, "-m", "inclusiecheck", *args, "--out", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    state = out / STATE_FILE
    deadline = time.monotonic() + 300
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if state.is_file() and len(state.read_text(encoding="utf-8").splitlines()) >= 3:
                break
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    finished = len(state.read_text(encoding="utf-8").splitlines()) - 1
    if finished >= cells:  # pragma: no cover - the machine raced past the kill
        pytest.skip("the scan finished before it could be killed")
    assert not (out / GPKG_FILE).exists()
    resumed = _cli(*args, "--out", str(out))
    assert resumed.returncode == 0, resumed.stderr
    whole = _cli(*args, "--out", str(tmp_path / "whole"))
    assert whole.returncode == 0, whole.stderr
    for name in OUTPUTS:
        assert (out / name).read_bytes() == (tmp_path / "whole" / name).read_bytes(), name
    assert gpkg_rows(out / GPKG_FILE) == gpkg_rows(tmp_path / "whole" / GPKG_FILE)


# -------------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("extra, message", [
    (["--by", "grid:abc"], "--by 'grid:abc'"),
    (["--by", "grid:0"], "whole number of metres"),
    (["--units", "UNITS", "--unit-field", "NAME"],
     "--unit-field 'NAME': gemeenten.geojson has no such field"),
    (["--units", "POINTS", "--unit-field", "NAAM"], "none a polygon"),
    (["--units", "UNITS"], "--units needs --unit-field"),
    (["--by", "grid", "--units", "UNITS", "--unit-field", "NAAM"], "exclude each other"),
    (["--halo", "-5"], "--halo"),
    (["--units", "MISSING", "--unit-field", "NAAM"], "no such file"),
])
def test_bad_input_one_line_exit_2(plan: Path, tmp_path: Path, extra: list[str],
                                   message: str) -> None:
    units = units_file(tmp_path)
    points = write_geojson(tmp_path / "punten.geojson", [
        {"type": "Feature", "properties": {"NAAM": "x"}, "geometry": pt(0, 0)}])
    paths = {"UNITS": str(units), "POINTS": str(points), "MISSING": str(tmp_path / "nope.gpkg")}
    result = _cli("scan", str(plan), "-r", "haltes", "--out", str(tmp_path / "out"),
                  *[paths.get(a, a) for a in extra])
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("inclusiecheck: error:")
    assert message in result.stderr
    if "NAME" in extra:
        assert "NAAM, NISCODE" in result.stderr   # the fields it does have
    assert not (tmp_path / "out").exists()


# -------------------------------------------------------------------------------- progress
def test_text_bar_only_on_a_terminal() -> None:
    quiet = io.StringIO()
    bar = TextBar(quiet)   # a StringIO is no terminal
    bar({"stage": "units", "done": 0, "total": 4, "message": "4 units"})
    assert quiet.getvalue() == ""
    shown = io.StringIO()
    bar = TextBar(shown, enabled=True)
    bar({"stage": "units", "done": 1, "total": 4, "message": "4 units, 1 finished before"})
    bar({"stage": "unit", "done": 2, "total": 4, "unit": "E0_N0", "message": "unit E0_N0"})
    text = shown.getvalue()
    assert "\r[" + "#" * 15 + "-" * 15 + "] 2/4 units" in text and "E0_N0" in text
    assert "left" in text


def test_progress_json_lines(tmp_path: Path) -> None:
    plan = spread_plan(tmp_path)
    result = _cli("scan", str(plan), "--by", "grid:100", "--halo", "50", "-r", "haltes",
                  "--out", str(tmp_path / "out"), "--progress", "json", "-q")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    assert lines[0]["stage"] == "read" and lines[-1]["event"] == "done"
    percents = [line["percent"] for line in lines]
    assert percents == sorted(percents) and percents[-1] == 100
    units = [line for line in lines if line["stage"] == "evaluate" and "unit" in line]
    assert [line["done"] for line in units] == [1, 2, 3, 4, 5, 6]
    written = next(line for line in lines if line["stage"] == "written")
    assert sorted(Path(p).name for p in written["files"]) == sorted(OUTPUTS)


def test_sample_in_small_cells_equals_check(tmp_path: Path) -> None:
    """The sample plan cut into 30 m cells (11 units): buildings, their entrances and access
    paths fall into different cells, and the rules that read other rules' outcomes
    (TV-44/45/54, any_compliant) still judge as on the whole plan."""
    from inclusiecheck.cli import sample_plan

    sets = ("toegankelijkheidsverordening", "toegankelijkheidsketen")
    out = tmp_path / "out"
    result = scan(sample_plan(), out, ScanOptions(grid_m=30, rules=sets, lang="en",
                                                  list_all=True))
    assert result.units == 11
    report = inclusiecheck.check(sample_plan(), rules=list(sets), lang="en", list_all=True)
    expected = sorted((f.rule_id, f.layer, f.feature_id, f.outcome.value, f.message)
                      for f in report.findings if f.location)
    found = findings_of(out)
    assert sorted((f["rule_id"], f["layer"], f["feature_id"], f["outcome"], f["message"])
                  for f in found) == expected
    assert any(f["rule_id"] in ("TV-44", "TV-45") for f in found)
    assert len({f["unit"] for f in found}) > 5
