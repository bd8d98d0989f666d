"""Rule versions by permit date, and the toegankelijkheidsverordening rule set as users run it.

Acceptance of the accessibility issue: "a plan dated before and after a change in the
regulation picks the matching rule version". The change encoded is the amendment of the
verordening by BVR 18 February 2011 (in force 2011-03-31, ten days after publication on
2011-03-21): Art. 27 2° no longer asks an adapted *angled* parking bay to be 6.00 m long, it
must be 3.50 m wide like a perpendicular one. Rule TV-36 has version 1 (2010-03-01 ..
2011-03-30) and version 2 (from 2011-03-31). Every plan below is a small GeoJSON run through
the real reader, loader, evaluator, report and CLI.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from inclusiecheck.api import check, load_model
from inclusiecheck.engine.evaluate import evaluate, rules_in_force
from inclusiecheck.engine.loader import load_set
from inclusiecheck.model import Outcome

RULES = Path(__file__).resolve().parents[2] / "rules" / "toegankelijkheidsverordening"
X0, Y0 = 150000.0, 200000.0
# the bays stand alone (no building drawn): the plan says they are the outdoor works of a
# publicly accessible building (plan regime), so the verordening governs them
META = {"work_kind": "new", "public_building": True, "building_area_m2": 500,
        "regime": "verordening"}


def rect(x: float, y: float, w: float, h: float) -> dict[str, Any]:
    return {"type": "Polygon",
            "coordinates": [[[x, y], [x + w, y], [x + w, y + h], [x, y + h], [x, y]]]}


def write_plan(folder: Path, features: list[dict[str, Any]]) -> Path:
    data = {"type": "FeatureCollection",
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::31370"}},
            "features": [{"type": "Feature", "properties": p, "geometry": g}
                         for p, g in features]}
    path = folder / "plan.geojson"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture()
def angled_bay_plan(tmp_path: Path) -> Path:
    """An adapted angled bay 3.60 m wide and 5.00 m long (legal since 2011, not before)."""
    return write_plan(tmp_path, [
        ({"layer": "parking", "id": "bay-angled", "accessible": True, "arrangement": "angled",
          "width_m": 3.6, "length_m": 5.0}, rect(X0, Y0, 3.6, 5.0)),
        ({"layer": "parking", "id": "bay-perp-narrow", "accessible": True,
          "arrangement": "perpendicular", "width_m": 3.3, "length_m": 5.0},
         rect(X0 + 10, Y0, 3.3, 5.0)),
    ])


def tv36(report: Any, feature_id: str) -> Any:
    found = [f for f in report.findings if f.rule_id == "TV-36" and f.feature_id == feature_id]
    assert len(found) == 1, found
    return found[0]


def test_both_versions_load_with_disjoint_periods() -> None:
    ruleset = load_set(RULES)
    assert ruleset is not None
    versions = [r for r in ruleset.rules if r.id == "TV-36"]
    assert [(r.spec.version, r.spec.valid_from, r.spec.valid_until) for r in versions] == [
        (1, dt.date(2010, 3, 1), dt.date(2011, 3, 30)),
        (2, dt.date(2011, 3, 31), None),
    ]


@pytest.mark.parametrize("day, version", [
    (dt.date(2010, 3, 1), 1),    # the day the verordening came into force
    (dt.date(2011, 3, 30), 1),   # last day before the amendment
    (dt.date(2011, 3, 31), 2),   # the amendment in force
    (dt.date(2026, 1, 1), 2),
])
def test_rules_in_force_picks_one_version(day: dt.date, version: int) -> None:
    ruleset = load_set(RULES)
    in_force = [r for r in rules_in_force([ruleset], day) if r.id == "TV-36"]
    assert [r.spec.version for r in in_force] == [version]


def test_before_the_regulation_nothing_applies(angled_bay_plan: Path) -> None:
    report = check(angled_bay_plan, rules=[str(RULES)], date="2010-02-28", meta=META,
                   list_all=True)
    assert not [f for f in report.findings if f.rule_set == "toegankelijkheidsverordening"]


def test_plan_dated_before_the_amendment_uses_the_2009_text(angled_bay_plan: Path) -> None:
    report = check(angled_bay_plan, rules=[str(RULES)], date="2010-06-01", meta=META,
                   list_all=True)
    finding = tv36(report, "bay-angled")
    assert finding.outcome is Outcome.FAIL
    assert finding.rule_version == 1
    assert finding.rule_set_version == "2026.1"
    assert finding.property == "length_m" and finding.measured == 5.0 and finding.required == 6.0
    assert tv36(report, "bay-perp-narrow").outcome is Outcome.FAIL  # unchanged by 2011


def test_plan_dated_after_the_amendment_uses_the_2011_text(angled_bay_plan: Path) -> None:
    report = check(angled_bay_plan, rules=[str(RULES)], date="2011-04-15", meta=META,
                   list_all=True)
    finding = tv36(report, "bay-angled")
    assert finding.outcome is Outcome.PASS
    assert finding.rule_version == 2
    assert finding.property == "width_m" and finding.measured == 3.6 and finding.required == 3.5
    assert tv36(report, "bay-perp-narrow").outcome is Outcome.FAIL


def test_permit_date_from_plan_metadata(angled_bay_plan: Path) -> None:
    """Without --date the plan's permit_date decides."""
    early = check(angled_bay_plan, rules=[str(RULES)], meta={**META, "permit_date": "2010-12-01"},
                  list_all=True)
    late = check(angled_bay_plan, rules=[str(RULES)], meta={**META, "permit_date": "2012-01-01"},
                 list_all=True)
    assert tv36(early, "bay-angled").rule_version == 1
    assert tv36(late, "bay-angled").rule_version == 2


@pytest.mark.parametrize("day, outcome, version", [
    ("2010-06-01", "fail", 1),
    ("2011-04-15", None, 2),  # passes: not listed without --all
])
def test_cli_json_names_the_rule_version(angled_bay_plan: Path, tmp_path: Path, day: str,
                                         outcome: str | None, version: int) -> None:
    out = tmp_path / f"report-{day}"
    (angled_bay_plan.parent / "plan.yaml").write_text(
        "work_kind: new\npublic_building: true\nbuilding_area_m2: 500\nregime: verordening\n",
        encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "inclusiecheck", "check", str(angled_bay_plan), "--rules",
         str(RULES), "--date", day, "--format", "json", "--out", str(out)],
        capture_output=True, text=True, timeout=300)
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert {"name": "toegankelijkheidsverordening", "version": "2026.1"}.items() <= \
        report["rule_sets"][0].items()
    # per-rule fields (versions, source, advice) are in the rules table, joined on rule_id
    joined = [{**report["rules"][f["rule_id"]], **f} for f in report["findings"]]
    listed = [f for f in joined if f["rule_id"] == "TV-36" and f["feature_id"] == "bay-angled"]
    perp = [f for f in joined
            if f["rule_id"] == "TV-36" and f["feature_id"] == "bay-perp-narrow"]
    assert perp and perp[0]["rule_version"] == version
    assert perp[0]["rule_set_version"] == "2026.1"
    if outcome is None:
        assert listed == []
    else:
        assert listed[0]["outcome"] == outcome and listed[0]["rule_version"] == version


# -- the scope of the verordening, reported per case --------------------------------------------
def _entrance_plan(tmp_path: Path) -> Path:
    return write_plan(tmp_path, [
        # 84 cm: too narrow whatever the building's use (85 cm suffices for housing, TV-01 v2)
        ({"layer": "entrance", "id": "e1", "door_width_cm": 84, "turning_space_m": 1.2},
         {"type": "Point", "coordinates": [X0, Y0]}),
    ])


@pytest.mark.parametrize("area, door, turning, case", [
    (500, "fail", "fail", "art. 3 §1"),
    (300, "fail", "fail", "art. 3 §2"),
    (120, "fail", "not_applicable", "< 150"),
])
def test_scope_case_is_reported(tmp_path: Path, area: float, door: str, turning: str,
                                case: str) -> None:
    report = check(_entrance_plan(tmp_path), rules=[str(RULES)], list_all=True,
                   meta={"work_kind": "renovation", "public_building": True,
                         "building_area_m2": area})
    by_rule = {f.rule_id: f for f in report.findings if f.feature_id == "e1"}
    assert by_rule["TV-01"].outcome.value == door
    assert by_rule["TV-05"].outcome.value == turning
    assert case in (by_rule["TV-01"].note or "")


def test_outdoor_works_only_and_missing_scope_data(tmp_path: Path) -> None:
    plan = _entrance_plan(tmp_path)
    outdoor = check(plan, rules=[str(RULES)], list_all=True,
                    meta={"work_kind": "outdoor_only", "public_building": True})
    assert {f.outcome for f in outdoor.findings if f.rule_id.startswith("TV-")} == \
        {Outcome.NOT_APPLICABLE}
    unknown = check(plan, rules=[str(RULES)], meta={"public_building": True})
    tv01 = [f for f in unknown.findings if f.rule_id == "TV-01"]
    assert tv01[0].outcome is Outcome.TO_VERIFY and "work_kind" in tv01[0].missing
    tv05 = [f for f in unknown.findings if f.rule_id == "TV-05"]
    assert set(tv05[0].missing) == {"work_kind", "building_area_m2"}


def test_free_standing_toilet_is_left_to_the_public_space_rules(tmp_path: Path) -> None:
    plan = write_plan(tmp_path, [
        ({"layer": "building", "id": "b1"}, rect(X0 - 5, Y0 - 5, 20, 10)),
        ({"layer": "toilet", "id": "in-building", "accessible": True, "front_space_cm": 100},
         {"type": "Point", "coordinates": [X0, Y0]}),
        ({"layer": "toilet", "id": "street", "public": True, "accessible": True,
          "front_space_cm": 100}, {"type": "Point", "coordinates": [X0 + 100, Y0]}),
    ])
    model = load_model(plan, meta=META)
    ruleset = load_set(RULES)
    rules = [r for r in ruleset.rules if r.id == "TV-40"]
    result = evaluate(model, rules, date=dt.date(2026, 1, 1), list_all=True)
    outcomes = {f.feature_id: f for f in result.findings}
    assert outcomes["in-building"].outcome is Outcome.FAIL
    assert outcomes["street"].outcome is Outcome.NOT_APPLICABLE
    assert outcomes["street"].regime == "public_space"
    assert "vrijstaande voorziening" in (outcomes["street"].note or "")
