"""``compare`` tells a finding that changed because a rule changed from one the plan changed.

Two versions of a plan hold the same adapted angled parking bay (3.30 m wide, 6.20 m long).
The first is dated June 2010, when TV-36 version 1 asked an angled bay to be 6.00 m long; the
second is dated 2026, when version 2 asks it to be 3.50 m wide (BVR 18 February 2011, see
rules/CHANGELOG.md and tests/rules/test_rule_versions.py). The bay fails only in the second
report although the plan did not change it: compare must say the change comes from the new
rule version. The second version also narrows a door, a change of the plan itself.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from inclusiecheck.api import check, compare

X0, Y0 = 150000.0, 200000.0
RULES = Path(__file__).resolve().parents[2] / "rules" / "toegankelijkheidsverordening"


def rect(x: float, y: float, w: float, h: float) -> dict[str, Any]:
    return {"type": "Polygon",
            "coordinates": [[[x, y], [x + w, y], [x + w, y + h], [x, y + h], [x, y]]]}


def plan_version(folder: Path, *, permit_date: str, door_cm: float) -> Path:
    folder.mkdir(parents=True)
    features = [
        ({"layer": "parking", "id": "bay-angled", "accessible": True, "arrangement": "angled",
          "width_m": 3.3, "length_m": 6.2}, rect(X0, Y0, 3.3, 6.2)),
        ({"layer": "entrance", "id": "e1", "door_width_cm": door_cm},
         {"type": "Point", "coordinates": [X0 + 20, Y0]}),
    ]
    data = {"type": "FeatureCollection",
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::31370"}},
            "features": [{"type": "Feature", "properties": p, "geometry": g}
                         for p, g in features]}
    (folder / "plan.geojson").write_text(json.dumps(data), encoding="utf-8")
    (folder / "plan.yaml").write_text(
        f"permit_date: {permit_date}\nwork_kind: new\npublic_building: true\n"
        "building_area_m2: 500\nregime: verordening\n", encoding="utf-8")
    return folder / "plan.geojson"  # a file plan: plan.yaml beside it holds its metadata


def _versions(tmp_path: Path) -> tuple[Path, Path]:
    old = plan_version(tmp_path / "v2010", permit_date="2010-06-01", door_cm=95)
    new = plan_version(tmp_path / "v2026", permit_date="2026-01-15", door_cm=80)
    return old, new


def test_a_new_rule_version_is_told_apart_from_a_changed_plan(tmp_path: Path) -> None:
    old, new = _versions(tmp_path)
    a = check(old, rules=[str(RULES)], lang="en")
    b = check(new, rules=[str(RULES)], lang="en")
    result = compare(a, b)
    introduced = {(i["rule_id"], i["feature_id"]): i for i in result["introduced"]}
    bay = introduced[("TV-36", "bay-angled")]
    assert bay["outcome"] == "fail" and bay["rule_version"] == 2
    assert bay["cause"] == "rule" and bay["rule_versions"] == {"old": 1, "new": 2}
    # the door became narrower: the plan changed, TV-01's version is the same in both reports
    door = introduced[("TV-01", "e1")]
    assert door["cause"] == "plan" and "rule_versions" not in door
    assert {r.id: r.version for r in a.rules}["TV-36"] == 1
    assert {r.id: r.version for r in b.rules}["TV-36"] == 2


RULE = """id: CMP-01
name: walkway.width_compare
version: {version}
title: {{nl: Breedte, en: Width}}
pillar: accessibility
level: recommendation
source: {{document: Test guidance, article: "1", kind: guidance}}
applies_to: {{layer: walkway}}
check: {{type: threshold, params: {{property: width_m, min: {min}, unit: m}}}}
message: {{nl: "Te smal: {{measured}} m.", en: "Too narrow: {{measured}} m."}}
advice: {{nl: Verbreed., en: Widen.}}
{dates}
"""


def _two_version_set(folder: Path) -> Path:
    """A rule set whose rule CMP-01 asks 1.50 m until 2020 and 1.80 m from 2021."""
    rules = folder / "cmp-set"
    rules.mkdir(parents=True)
    (rules / "ruleset.yaml").write_text(
        "name: cmp-set\nversion: '1'\ntitle: {nl: Test, en: Test}\npublisher: tests\n",
        encoding="utf-8")
    for version, minimum, dates in ((1, 1.5, "valid_until: 2020-12-31"),
                                    (2, 1.8, "valid_from: 2021-01-01")):
        rule = rules / f"CMP-01-width-v{version}"
        rule.mkdir()
        (rule / "rule.yaml").write_text(RULE.format(version=version, min=minimum, dates=dates),
                                        encoding="utf-8")
    return rules


def _walkways(folder: Path, permit_date: str, second_m: float) -> Path:
    folder.mkdir(parents=True)
    data = {"type": "FeatureCollection",
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::31370"}},
            "features": [{"type": "Feature", "properties": {"layer": "walkway", "id": fid,
                                                            "kind": "footpath", "width_m": w},
                          "geometry": {"type": "LineString",
                                       "coordinates": [[X0, Y0 + y], [X0 + 20, Y0 + y]]}}
                         for fid, w, y in (("w-same", 1.6, 0), ("w-narrowed", second_m, 10))]}
    (folder / "plan.geojson").write_text(json.dumps(data), encoding="utf-8")
    (folder / "plan.yaml").write_text(f"permit_date: {permit_date}\n", encoding="utf-8")
    return folder / "plan.geojson"


def test_changed_finding_names_both_rule_versions(tmp_path: Path) -> None:
    """A 1.60 m walkway passes version 1 (1.50 m) and fails version 2 (1.80 m) of the same
    rule: a *changed* finding caused by the rule; a walkway narrowed from 2.00 to 1.00 m
    changed by both the rule version and the plan."""
    rules = str(_two_version_set(tmp_path))
    a = check(_walkways(tmp_path / "old", "2020-06-01", 2.0), rules=[rules], list_all=True)
    b = check(_walkways(tmp_path / "new", "2026-01-15", 1.0), rules=[rules], list_all=True)
    result = compare(a, b)
    changed = {c["new"]["feature_id"]: c for c in result["changed"]}
    same = changed["w-same"]
    assert (same["old"]["outcome"], same["new"]["outcome"]) == ("pass", "fail")
    assert same["cause"] == "rule"
    assert same["rule_versions"] == {"old": 1, "new": 2}
    assert (same["old"]["rule_version"], same["new"]["rule_version"]) == (1, 2)
    narrowed = changed["w-narrowed"]
    assert narrowed["cause"] == "rule_and_plan"
    # the same two plans judged on one date: only the plan can have changed
    c = check(_walkways(tmp_path / "old2", "2026-01-15", 2.0), rules=[rules], list_all=True)
    again = {x["new"]["feature_id"]: x for x in compare(c, b)["changed"]}
    assert set(again) == {"w-narrowed"} and again["w-narrowed"]["cause"] == "plan"
    assert "rule_versions" not in again["w-narrowed"]


def test_cli_compare_says_new_rule_version(tmp_path: Path) -> None:
    old, new = _versions(tmp_path)
    out = tmp_path / "cmp"
    proc = subprocess.run([sys.executable, "-m", "inclusiecheck", "compare", str(old), str(new),
                           "--rules", str(RULES), "--out", str(out), "--lang", "en"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    text = (out / "compare.md").read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if "TV-36" in x)
    assert "new rule version 1 → 2, plan unchanged" in line
    door = next(x for x in text.splitlines() if "TV-01" in x)
    assert "rule version" not in door
    assert "from a rule change" in proc.stdout
    data = json.loads((out / "compare.json").read_text(encoding="utf-8"))
    assert any(i["cause"] == "rule" for i in data["introduced"])
