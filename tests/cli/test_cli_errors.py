"""Bad inputs give one clear line on stderr and exit code 2, never a traceback, and never
modify the input (acceptance of the core issue)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

PLAN_FEATURE = {
    "type": "Feature",
    "properties": {"layer": "walkway", "id": "w1", "kind": "sidewalk", "width_m": 1.2},
    "geometry": {"type": "LineString", "coordinates": [[150000, 200000], [150020, 200000]]},
}


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "inclusiecheck", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def digest(path: Path) -> str:
    if path.is_dir():
        return "".join(digest(p) for p in sorted(path.rglob("*")) if p.is_file())
    return hashlib.sha256(path.read_bytes()).hexdigest() + str(path.stat().st_mtime_ns)


def geojson(features: list[dict], crs: str | None = "EPSG:31370") -> str:
    data: dict = {"type": "FeatureCollection", "features": features}
    if crs:
        data["crs"] = {"type": "name", "properties": {"name": crs}}
    return json.dumps(data)


def _bad_inputs(tmp: Path) -> dict[str, tuple[Path, list[str]]]:
    corrupt = tmp / "corrupt.gpkg"
    corrupt.write_bytes(b"SQLite format 3\x00" + b"\x00garbage" * 50)
    broken = tmp / "broken.geojson"
    broken.write_text('{"type": "FeatureCollection", "features": [ {"type": ', encoding="utf-8")
    good = tmp / "good.geojson"
    good.write_text(geojson([PLAN_FEATURE]), encoding="utf-8")
    unknown_layer = tmp / "nolayer.geojson"
    feat = dict(PLAN_FEATURE, properties={"layer": "kabouters", "id": "k1"})
    unknown_layer.write_text(geojson([feat]), encoding="utf-8")
    return {
        "missing file": (tmp / "does-not-exist.gpkg", []),
        "corrupt geopackage": (corrupt, []),
        "invalid json": (broken, []),
        "unknown crs": (good, ["--crs", "EPSG:999999"]),
        "no known layer": (unknown_layer, []),
    }


@pytest.mark.parametrize("case", ["missing file", "corrupt geopackage", "invalid json",
                                  "unknown crs", "no known layer"])
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, case: str) -> None:
    path, extra = _bad_inputs(tmp_path)[case]
    before = digest(tmp_path)
    result = run_cli("check", str(path), "--out", str(tmp_path / "out"), *extra, cwd=tmp_path)
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("inclusiecheck: error:")
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()
    assert digest(tmp_path) == before  # the input is never modified


def test_unknown_format_and_bad_date_are_input_errors(tmp_path: Path) -> None:
    good = tmp_path / "good.geojson"
    good.write_text(geojson([PLAN_FEATURE]), encoding="utf-8")
    for extra in (["--format", "pdfx"], ["--date", "2026-13-45"], ["--rules", "nope"],
                  ["--mapping", "klingon"]):
        result = run_cli("check", str(good), "--out", str(tmp_path / "o"), *extra, cwd=tmp_path)
        assert result.returncode == 2, (extra, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_exit_codes_follow_fail_on(tmp_path: Path) -> None:
    plan = tmp_path / "plan.geojson"
    plan.write_text(geojson([PLAN_FEATURE]), encoding="utf-8")  # 1.20 m: recommendation fails
    out = tmp_path / "out"
    strict = run_cli("check", str(plan), "-o", str(out), "--fail-on", "recommendation",
                     "--rules", "publiek-domein", "-f", "json", cwd=tmp_path)
    assert strict.returncode == 1, strict.stderr
    lenient = run_cli("check", str(plan), "-o", str(out), "--fail-on", "never",
                      "--rules", "publiek-domein", "-f", "json", cwd=tmp_path)
    assert lenient.returncode == 0, lenient.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert any(f["rule_id"] == "PD-01" and f["outcome"] == "fail" for f in report["findings"])
