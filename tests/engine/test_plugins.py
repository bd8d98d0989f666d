"""The example external rule set (examples/inclusiecheck-voorbeeldegem) as an installed plugin.

Install it with ``pip install -e examples/inclusiecheck-voorbeeldegem --no-deps``; without it
these tests are skipped.
"""

from __future__ import annotations

import json
from importlib.metadata import entry_points
from pathlib import Path

import pytest

pytest.importorskip("inclusiecheck_voorbeeldegem",
                    reason="example plugin not installed: pip install -e "
                           "examples/inclusiecheck-voorbeeldegem --no-deps")

import inclusiecheck  # noqa: E402
from inclusiecheck.engine import checks  # noqa: E402
from inclusiecheck.engine.loader import (  # noqa: E402
    discover,
    plugin_load_errors,
    resolve_selectors,
)
from inclusiecheck.model import Outcome  # noqa: E402


def _plan(tmp_path: Path, features: list[dict]) -> Path:
    path = tmp_path / "plan.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection",
                                "crs": {"type": "name", "properties": {"name": "EPSG:31370"}},
                                "features": features}), encoding="utf-8")
    return path


def _walkway(fid: str, width: float, y: float = 0.0, kind: str = "sidewalk") -> dict:
    return {"type": "Feature", "properties": {"layer": "walkway", "id": fid, "kind": kind,
                                              "width_m": width},
            "geometry": {"type": "LineString",
                         "coordinates": [[150000, 200000 + y], [150040, 200000 + y]]}}


def _zone(fid: str, x0: float, y0: float, x1: float, y1: float) -> dict:
    return {"type": "Feature", "properties": {"layer": "obstacle", "id": fid,
                                              "kind": "scooter_zone"},
            "geometry": {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1],
                                                             [x0, y1], [x0, y0]]]}}


def test_discovered_through_its_entry_points() -> None:
    names = {ep.name for ep in entry_points(group="inclusiecheck.rulesets")}
    assert "voorbeeldegem" in names
    folder, origin = discover()["voorbeeldegem"]
    assert origin == "inclusiecheck-voorbeeldegem"
    assert (folder / "ruleset.yaml").is_file()
    check = checks.registry()["scooter_parking_clearance"]
    assert check.origin == "inclusiecheck_voorbeeldegem.checks"
    assert not plugin_load_errors()


def test_selected_by_name_with_its_base() -> None:
    [ruleset] = resolve_selectors(["voorbeeldegem"])
    assert ruleset.origin == "inclusiecheck-voorbeeldegem"
    assert "publiek-domein" in ruleset.bases
    ids = {r.id for r in ruleset.rules}
    assert {"PD-01", "VBG-01"} <= ids
    pd01 = next(r for r in ruleset.rules if r.id == "PD-01")
    assert pd01.modified_by == ("voorbeeldegem",) and pd01.params.min_m == 1.8  # type: ignore[attr-defined]
    # not a default set: installing a plugin does not change what runs without --rules
    assert "voorbeeldegem" not in {s.name for s in resolve_selectors(None)}


def test_custom_check_type_runs(tmp_path: Path) -> None:
    # walkway 4.00 m wide around y=200000 (edges at +-2.00 m); crossing at x=150030
    crossing = {"type": "Feature", "properties": {"layer": "crossing", "id": "c1"},
                "geometry": {"type": "Point", "coordinates": [150030, 199990]}}
    path = _plan(tmp_path, [
        _walkway("s1", 4.0), crossing,
        _zone("z-ok", 150002, 200001, 150006, 200004),      # leaves 3.00 m
        _zone("z-deep", 150010, 199999, 150014, 200004),    # leaves 1.00 m
        _zone("z-cross", 150032, 199991, 150034, 199993),   # 2.24 m from the crossing
    ])
    report = inclusiecheck.check(path, rules=["voorbeeldegem"], lang="en", list_all=True,
                                 date="2025-06-01")
    found = [f for f in report.findings if f.rule_id == "VBG-01"]
    by = {(f.feature_id, f.property): f for f in found}
    assert by[("z-ok", "clear_width_m")].outcome is Outcome.PASS
    assert by[("z-ok", "clear_width_m")].measured == pytest.approx(3.0, abs=0.01)
    deep = by[("z-deep", "clear_width_m")]
    assert deep.outcome is Outcome.FAIL and deep.measured == pytest.approx(1.0, abs=0.01)
    assert deep.required == 1.5 and deep.rule_set == "voorbeeldegem"
    assert deep.message == ("Shared e-scooter zone z-deep leaves 1 m of clear passage on s1 "
                            "(at least 1.5 m).")
    cross = by[("z-cross", "crossing_distance_m")]
    assert cross.outcome is Outcome.FAIL
    assert cross.measured == pytest.approx((2 ** 2 + 1 ** 2) ** 0.5, abs=0.01)
    nl = inclusiecheck.check(path, rules=["voorbeeldegem"], lang="nl", date="2025-06-01")
    deep_nl = next(f for f in nl.findings if f.feature_id == "z-deep")
    assert "laat op s1 1 m vrije doorgang (minstens 1,5 m)" in deep_nl.message


def test_override_changes_the_outcome_of_a_160_walkway(tmp_path: Path) -> None:
    path = _plan(tmp_path, [_walkway("w160", 1.6)])
    base = inclusiecheck.check(path, rules=["publiek-domein"], list_all=True)
    muni = inclusiecheck.check(path, rules=["voorbeeldegem"], list_all=True, date="2025-06-01")
    [under_base] = [f for f in base.findings if f.rule_id == "PD-01"]
    [under_muni] = [f for f in muni.findings if f.rule_id == "PD-01"]
    assert under_base.outcome is Outcome.WARN  # 1.50 <= 1.60 < 1.80 (preferred)
    assert under_muni.outcome is Outcome.FAIL and under_muni.required == 1.8
    assert (under_base.rule_set, under_muni.rule_set) == ("publiek-domein", "voorbeeldegem")
    assert under_muni.rule_set_version == "1.0.0"
    assert "1,80 m" in under_muni.advice  # the override's own advice


def test_rules_test_on_the_example_set() -> None:
    from typer.testing import CliRunner

    import inclusiecheck_voorbeeldegem
    from inclusiecheck.cli import app

    folder = inclusiecheck_voorbeeldegem.rules_dir()
    result = CliRunner().invoke(app, ["rules", "test", str(folder), "-v"])
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    passed, failed = (int(part.split()[0]) for part in last.split(", "))
    assert failed == 0 and passed >= 10
    assert "VBG-01" in result.output and "PD-01" in result.output  # override cases too
    valid = CliRunner().invoke(app, ["rules", "validate", str(folder)])
    assert valid.exit_code == 0, valid.output
