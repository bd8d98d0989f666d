"""Regimes: the regulation that governs each feature, decided before any rule runs.

Acceptance of "Trustworthy verdicts" (items 1-3): a measured violation never disappears into
"data missing" (would_fail), the two regulations never judge the same feature, a reviewer can
correct a derived regime in plan.yaml, and an undecided filter is named instead of the scope.
Every plan is a small GeoJSON through the real reader, loader, evaluator and report.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from inclusiecheck.api import check
from inclusiecheck.model import Outcome

X0, Y0 = 150000.0, 200000.0


def rect(x: float, y: float, w: float, h: float) -> dict[str, Any]:
    return {"type": "Polygon",
            "coordinates": [[[x, y], [x + w, y], [x + w, y + h], [x, y + h], [x, y]]]}


def pt(x: float, y: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [x, y]}


def line(*xyz: tuple[float, ...]) -> dict[str, Any]:
    return {"type": "LineString", "coordinates": [list(c) for c in xyz]}


def write_plan(folder: Path, features: list[tuple[dict[str, Any], dict[str, Any]]],
               plan_yaml: str | None = None) -> Path:
    data = {"type": "FeatureCollection",
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::31370"}},
            "features": [{"type": "Feature", "properties": p, "geometry": g}
                         for p, g in features]}
    path = folder / "plan.geojson"
    path.write_text(json.dumps(data), encoding="utf-8")
    if plan_yaml is not None:
        (folder / "plan.yaml").write_text(plan_yaml, encoding="utf-8")
    return path


def by(report: Any, rule_id: str, feature_id: str) -> Any:
    found = [f for f in report.findings if f.rule_id == rule_id and f.feature_id == feature_id]
    assert len(found) == 1, [(f.rule_id, f.feature_id, f.outcome) for f in report.findings
                             if f.feature_id == feature_id]
    return found[0]


# -- 1. undecided scope still measures -----------------------------------------------------------
def _entrances(tmp_path: Path) -> Path:
    """A public building of 500 m² with a 70 cm door on a 15 cm step, and a compliant door;
    the plan says nothing of the kind of works."""
    return write_plan(tmp_path, [
        ({"layer": "building", "id": "bib", "name": "Bibliotheek", "public": True,
          "building_area_m2": 500}, rect(X0, Y0, 30, 20)),
        ({"layer": "entrance", "id": "e-narrow", "door_width_cm": 70, "threshold_cm": 15},
         pt(X0 + 5, Y0)),
        ({"layer": "entrance", "id": "e-wide", "door_width_cm": 105, "threshold_cm": 1},
         pt(X0 + 20, Y0)),
    ])


def test_a_measured_violation_is_not_hidden_behind_missing_scope_data(tmp_path: Path) -> None:
    report = check(_entrances(tmp_path), rules=["toegankelijkheidsverordening"], lang="nl")
    door = by(report, "TV-01", "e-narrow")
    step = by(report, "TV-03", "e-narrow")
    for finding, measured in ((door, 70), (step, 15)):
        assert finding.outcome is Outcome.TO_VERIFY
        assert finding.would_fail is True
        assert finding.measured == measured and finding.required is not None
        assert "work_kind" in finding.missing
        assert finding.regime == "verordening"
    assert door.required == 90 and door.unit == "cm"
    assert "70 cm gemeten" in door.message and "minstens 90 cm verplicht" in door.message
    assert "aard van de werken onbekend" in door.message
    # the compliant door says it would pass, and is not a false alarm
    wide = by(report, "TV-01", "e-wide")
    assert wide.outcome is Outcome.TO_VERIFY and wide.would_fail is False
    assert wide.measured == 105
    # would-fail obligations come first in the conditions; the verdict once scope is confirmed
    verdict = report.verdict
    assert verdict.code == "gunstig_onder_voorwaarden"
    assert verdict.if_in_scope == "ongunstig"          # TV-01 is structural
    first = verdict.conditions[:2]
    assert {(f.rule_id, f.feature_id) for f in first} == {("TV-01", "e-narrow"),
                                                          ("TV-03", "e-narrow")}
    assert all(f.would_fail for f in first)


def test_would_fail_travels_in_json_and_english(tmp_path: Path) -> None:
    report = check(_entrances(tmp_path), rules=["toegankelijkheidsverordening"], lang="en")
    door = by(report, "TV-01", "e-narrow")
    assert "70 cm measured" in door.message and "at least 90 cm is required" in door.message
    data = door.as_dict()
    assert data["would_fail"] is True and data["regime"] == "verordening"
    assert set(data["regime_reason"]) == {"nl", "en"}
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "inclusiecheck", "check", str(tmp_path /
                           "plan.geojson"), "--rules", "toegankelijkheidsverordening", "--format",
                           "json", "--out", str(out)], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode in (0, 1), proc.stderr
    js = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert js["verdict"]["if_in_scope"] == "ongunstig"
    assert js["verdict"]["conditions"][0]["would_fail"] is True
    listed = [f for f in js["findings"] if f.get("would_fail") is True]
    assert {f["rule_id"] for f in listed} >= {"TV-01", "TV-03"}
    # a finding whose scope was decided carries no would_fail
    assert all("would_fail" not in f for f in js["findings"] if f["outcome"] == "fail")


def test_decided_scope_gives_plain_outcomes(tmp_path: Path) -> None:
    report = check(_entrances(tmp_path), rules=["toegankelijkheidsverordening"],
                   meta={"work_kind": "new"}, lang="nl")
    door = by(report, "TV-01", "e-narrow")
    assert door.outcome is Outcome.FAIL and door.would_fail is None
    assert report.verdict.code == "ongunstig" and report.verdict.if_in_scope == "ongunstig"


# -- 2. one regime per feature --------------------------------------------------------------------
def _ramps(tmp_path: Path, plan_yaml: str | None = None) -> Path:
    """A kerb ramp at a crossing on the public road, and a ramp against the town hall; neither
    says whether it is an access path."""
    return write_plan(tmp_path, [
        ({"layer": "building", "id": "stadhuis", "name": "Stadhuis", "public": True,
          "building_area_m2": 850}, rect(X0, Y0 + 10, 40, 20)),
        ({"layer": "entrance", "id": "e1", "door_width_cm": 105}, pt(X0 + 10, Y0 + 10)),
        ({"layer": "walkway", "id": "voetpad", "kind": "sidewalk", "width_m": 2.0},
         line((X0 - 20, Y0), (X0 + 80, Y0))),
        # against the building, leading to the entrance
        ({"layer": "ramp", "id": "ramp-building", "slope_pct": 7, "rise_cm": 30,
          "width_m": 1.5}, line((X0 + 10, Y0 + 4), (X0 + 10, Y0 + 9.5))),
        # a kerb ramp 60 m away on the public road
        ({"layer": "ramp", "id": "kerb-ramp", "slope_pct": 7, "rise_cm": 12, "width_m": 1.5},
         line((X0 + 70, Y0 - 2), (X0 + 70, Y0 - 0.5))),
    ], plan_yaml)


def test_kerb_ramp_is_bv97_and_building_ramp_is_verordening(tmp_path: Path) -> None:
    report = check(_ramps(tmp_path), rules=["toegankelijkheidsverordening", "voetgangerswegen"],
                   meta={"work_kind": "new", "public_building": True}, list_all=True)
    kerb_tv = by(report, "TV-18", "kerb-ramp")
    assert kerb_tv.outcome is Outcome.NOT_APPLICABLE and kerb_tv.regime == "bv97"
    assert "openbare weg" in kerb_tv.regime_reason["nl"]
    assert by(report, "VW-06", "kerb-ramp").outcome is Outcome.PASS   # 7 % <= 10 % at 12 cm
    building_vw = by(report, "VW-06", "ramp-building")
    assert building_vw.outcome is Outcome.NOT_APPLICABLE
    assert building_vw.regime == "verordening"
    assert "Stadhuis" in building_vw.regime_reason["nl"]
    assert by(report, "TV-18", "ramp-building").outcome is Outcome.FAIL  # 7 % > 6.25 % at 30 cm
    # no feature is judged by both regulations' obligations
    judged: dict[str, set[str]] = {}
    for f in report.findings:
        if f.level.value == "obligation" and f.outcome is not Outcome.NOT_APPLICABLE:
            judged.setdefault(f.feature_id, set()).add(f.rule_set)
    assert all(len(sets) == 1 for sets in judged.values()), judged
    to_confirm = {e["feature_id"]: e for e in report.summary["regimes"]["to_confirm"]}
    assert to_confirm["ramp-building"]["regime"] == "verordening"
    assert "kerb-ramp" not in to_confirm


def test_access_path_on_the_route_from_entrance_to_sidewalk(tmp_path: Path) -> None:
    plan = write_plan(tmp_path, [
        ({"layer": "building", "id": "school", "public": True, "building_area_m2": 900},
         rect(X0, Y0 + 12, 30, 20)),
        ({"layer": "entrance", "id": "e1", "door_width_cm": 100}, pt(X0 + 10, Y0 + 12)),
        ({"layer": "walkway", "id": "voetpad", "kind": "sidewalk", "width_m": 2.0},
         line((X0 - 20, Y0), (X0 + 80, Y0))),
        # a path without kind from the sidewalk to the entrance (12 m), 1.2 m wide
        ({"layer": "walkway", "id": "pad", "width_m": 1.2},
         line((X0 + 10, Y0 + 0.5), (X0 + 10, Y0 + 12))),
        # a path without kind elsewhere (not on any entrance's access)
        ({"layer": "walkway", "id": "ander-pad", "width_m": 1.2},
         line((X0 + 60, Y0 + 0.5), (X0 + 60, Y0 + 20))),
    ])
    report = check(plan, rules=["toegankelijkheidsverordening", "voetgangerswegen"],
                   meta={"work_kind": "new"}, list_all=True)
    tv10 = by(report, "TV-10", "pad")
    assert tv10.regime == "verordening" and tv10.outcome is Outcome.FAIL  # 1.2 < 1.5 m
    assert "ingang e1" in tv10.regime_reason["nl"]
    assert by(report, "TV-10", "ander-pad").outcome is Outcome.NOT_APPLICABLE
    assert by(report, "TV-10", "ander-pad").regime == "bv97"


def test_plan_yaml_correction_changes_the_rules_that_apply(tmp_path: Path) -> None:
    plan = _ramps(tmp_path, "work_kind: new\npublic_building: true\n"
                            "regimes:\n  ramp-building: bv97\n")
    report = check(plan, rules=["toegankelijkheidsverordening", "voetgangerswegen"],
                   list_all=True)
    vw = by(report, "VW-06", "ramp-building")
    assert vw.regime == "bv97" and vw.outcome is not Outcome.NOT_APPLICABLE
    assert "plan.yaml" in vw.regime_reason["nl"]
    assert by(report, "TV-18", "ramp-building").outcome is Outcome.NOT_APPLICABLE
    assert report.plan["regimes"] == {"ramp-building": "bv97"}
    # a correction is stated, not derived: it is not listed for confirmation
    assert "ramp-building" not in {e["feature_id"]
                                   for e in report.summary["regimes"]["to_confirm"]}


def test_outdoor_only_never_gives_verordening(tmp_path: Path) -> None:
    report = check(_ramps(tmp_path), rules=["toegankelijkheidsverordening", "voetgangerswegen"],
                   meta={"work_kind": "outdoor_only", "public_building": True}, list_all=True)
    counts = report.summary["regimes"]["counts"]
    assert counts["verordening"] == 0
    assert by(report, "VW-06", "ramp-building").regime == "bv97"


def test_undecided_building_lists_its_candidates(tmp_path: Path) -> None:
    plan = write_plan(tmp_path, [
        ({"layer": "entrance", "id": "e-unknown", "door_width_cm": 70}, pt(X0, Y0)),
    ])
    report = check(plan, rules=["toegankelijkheidsverordening"], meta={"work_kind": "new"})
    finding = by(report, "TV-01", "e-unknown")
    assert finding.outcome is Outcome.TO_VERIFY and finding.would_fail is True
    assert finding.regime is None and finding.as_dict()["regime"] == "undecided"
    assert "public" in finding.missing
    entry = report.summary["regimes"]["to_confirm"][0]
    assert entry["candidates"] == ["verordening", "public_space"]


# -- 3. applicability before scope ----------------------------------------------------------------
def test_undecided_filter_is_named_and_excluded_feature_is_not_applicable(tmp_path: Path) -> None:
    """TV-07 (revolving doors need an alternative) has ``where: {revolving: true}``: a door
    that says it does not revolve is not applicable whatever the scope; one that says nothing
    is not judged for revolving at all (unknown filter: not applicable), never to_verify on
    the scope."""
    plan = write_plan(tmp_path, [
        ({"layer": "entrance", "id": "plain", "door_width_cm": 100, "revolving": False},
         pt(X0, Y0)),
        ({"layer": "entrance", "id": "silent", "door_width_cm": 100}, pt(X0 + 30, Y0)),
        ({"layer": "entrance", "id": "revolving", "door_width_cm": 100, "revolving": True},
         pt(X0 + 60, Y0)),
    ])
    report = check(plan, rules=["toegankelijkheidsverordening"],
                   meta={"public_building": True}, list_all=True)   # work kind unknown
    assert by(report, "TV-07", "plain").outcome is Outcome.NOT_APPLICABLE
    assert by(report, "TV-07", "silent").outcome is Outcome.NOT_APPLICABLE
    revolving = by(report, "TV-07", "revolving")
    assert revolving.outcome is Outcome.TO_VERIFY and "work_kind" in revolving.missing


# -- the least strict in-scope limit (check.lenient) ----------------------------------------------
def _lenient_set(folder: Path) -> Path:
    rules = folder / "lenient-set"
    rule = rules / "LX-01-door"
    rule.mkdir(parents=True, exist_ok=True)
    (rules / "ruleset.yaml").write_text(
        "name: lenient-set\nversion: '1'\ntitle: {nl: Test, en: Test}\npublisher: tests\n",
        encoding="utf-8")
    (rule / "rule.yaml").write_text("""
id: LX-01
name: entrance.door_width_lenient
title: {nl: Deurbreedte, en: Door width}
pillar: accessibility
level: obligation
structural: true
source: {document: BVR 5 juni 2009, article: Art. 22, kind: law}
applies_to: {layer: entrance, scope: tv_building_any_size}
check:
  type: threshold
  params: {property: door_width_cm, min: 90, unit: cm}
  lenient: {min: 85}
message: {nl: '{measured} cm; minstens {required} cm.', en: '{measured} cm; at least {required} cm.'}
advice: {nl: Verbreed de deur., en: Widen the door.}
""", encoding="utf-8")
    return rules


def test_lenient_limit_decides_would_fail(tmp_path: Path) -> None:
    plan = write_plan(tmp_path, [
        ({"layer": "entrance", "id": "d80", "door_width_cm": 80, "public": True}, pt(X0, Y0)),
        ({"layer": "entrance", "id": "d88", "door_width_cm": 88, "public": True},
         pt(X0 + 20, Y0)),
        ({"layer": "entrance", "id": "d92", "door_width_cm": 92, "public": True},
         pt(X0 + 40, Y0)),
    ])
    report = check(plan, rules=[str(_lenient_set(tmp_path))], lang="en")
    assert by(report, "LX-01", "d80").would_fail is True      # fails 85 too
    between = by(report, "LX-01", "d88")                      # fails 90, passes 85
    assert between.outcome is Outcome.TO_VERIFY and between.would_fail is None
    assert "in the least strict case 85 cm" in between.message
    assert "would_fail" not in between.as_dict()
    assert by(report, "LX-01", "d92").would_fail is False
    # once the scope is decided, the strict limit applies as usual
    decided = check(plan, rules=[str(tmp_path / "lenient-set")], meta={"work_kind": "new"})
    assert by(decided, "LX-01", "d88").outcome is Outcome.FAIL


def test_lenient_parameters_are_validated(tmp_path: Path) -> None:
    rules = _lenient_set(tmp_path)
    path = rules / "LX-01-door" / "rule.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("lenient: {min: 85}",
                                                             "lenient: {minimum: 85}"),
                    encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "inclusiecheck", "rules", "validate",
                           str(rules)], capture_output=True, text=True, timeout=300)
    assert proc.returncode != 0
    assert "minimum" in (proc.stdout + proc.stderr)


# -- review fixes: messages at a limit, warnings, and the reason of a plan-default building -----
def test_undecided_message_names_the_kind_of_limit_at_the_limit_and_keeps_warnings(
        tmp_path: Path) -> None:
    """A value AT a maximum passes "at most", not "at least"; a warn (within the legal limit,
    beyond the target value) is never worded as "meets the requirement"."""
    plan = write_plan(tmp_path, [
        ({"layer": "building", "id": "b"}, rect(X0, Y0, 30, 20)),   # public: unknown
        ({"layer": "entrance", "id": "e2", "door_width_cm": 90, "threshold_cm": 2,
          "public": True, "building_area_m2": 500}, pt(X0 + 40, Y0 + 40)),
        # a ramp against the building: verordening or BV97, undecided; 10 % at 20 cm is
        # within BV97's 10 % and above its target of 8.3 % (VW-06 warns)
        ({"layer": "ramp", "id": "r", "slope_pct": 10, "rise_cm": 20, "width_m": 1.5},
         line((X0 + 15, Y0 - 2), (X0 + 15, Y0))),
    ])
    report = check(plan, rules=["toegankelijkheidsverordening", "voetgangerswegen"],
                   meta={"building_area_m2": 500, "work_kind": None}, lang="nl")
    step = by(report, "TV-03", "e2")
    assert step.outcome is Outcome.TO_VERIFY and step.would_fail is False
    assert "hoogstens 2 cm" in step.message and "minstens" not in step.message
    door = by(report, "TV-01", "e2")
    assert door.would_fail is False and "minstens 90 cm" in door.message
    warn = by(report, "VW-06", "r")
    assert warn.outcome is Outcome.TO_VERIFY and warn.would_fail is False
    assert "voldoet" not in warn.message.lower()
    assert "richtwaarde" in warn.message and "10 %" in warn.message


def test_building_public_by_plan_default_says_so(tmp_path: Path) -> None:
    """A building whose publicness comes from --public-building is not 'public according to its
    entrances'; a ramp against it is listed for confirmation and its reason names the plan."""
    plan = write_plan(tmp_path, [
        ({"layer": "building", "id": "b", "name": "Stadhuis"}, rect(X0, Y0, 30, 20)),
        ({"layer": "entrance", "id": "e", "door_width_cm": 100}, pt(X0 + 15, Y0)),
        ({"layer": "ramp", "id": "r", "slope_pct": 12, "rise_cm": 30, "width_m": 1.2},
         line((X0 + 15, Y0 - 2.5), (X0 + 15, Y0))),
    ])
    report = check(plan, rules=["toegankelijkheidsverordening"],
                   meta={"work_kind": "new", "public_building": True}, lang="nl")
    building = by(report, "TV-44", "b")
    assert building.regime == "verordening"
    assert "ingangen" not in building.regime_reason["nl"]
    assert "plangegevens" in building.regime_reason["nl"]
    ramp = by(report, "TV-18", "r")
    assert ramp.regime == "verordening" and "plangegevens" in ramp.regime_reason["nl"]
    to_confirm = {e["feature_id"] for e in report.summary["regimes"]["to_confirm"]}
    assert "r" in to_confirm


def test_plan_yaml_correction_naming_no_feature_is_a_warning(tmp_path: Path) -> None:
    """A typo in a reviewer's correction must not silently leave the derived regime in place."""
    plan = _ramps(tmp_path, "work_kind: new\npublic_building: true\n"
                            "regimes:\n  ramp_building: bv97\n  ramp:kerb-ramp: bv97\n")
    report = check(plan, rules=["toegankelijkheidsverordening", "voetgangerswegen"])
    stale = [w for w in report.warnings if w["code"] == "stale_regime"]
    assert [w["feature_id"] for w in stale] == ["ramp_building"]
    assert "plan.yaml" in stale[0]["message"]
    assert by(report, "TV-18", "ramp-building").regime == "verordening"   # not corrected


def test_ramp_on_a_bending_access_path_is_the_verordenings(tmp_path: Path) -> None:
    """The access path leaves the entrance, turns and reaches the sidewalk further on: a ramp on
    its second leg (off the straight line to the sidewalk) is on the access route too, and takes
    the floor area of that entrance's building; a kerb ramp farther than the reach stays BV97."""
    plan = write_plan(tmp_path, [
        ({"layer": "building", "id": "b", "name": "Stadhuis", "public": True,
          "building_area_m2": 800}, rect(X0, Y0, 30, 20)),
        ({"layer": "entrance", "id": "e", "door_width_cm": 100}, pt(X0 + 15, Y0)),
        ({"layer": "walkway", "id": "sidewalk", "kind": "sidewalk", "width_m": 2},
         line((X0 - 40, Y0 - 12), (X0 + 60, Y0 - 12))),
        ({"layer": "walkway", "id": "path", "width_m": 1.5},
         line((X0 + 15, Y0), (X0 + 15, Y0 - 4), (X0 + 23, Y0 - 4), (X0 + 23, Y0 - 12))),
        ({"layer": "ramp", "id": "ramp-leg", "slope_pct": 7, "rise_cm": 30, "width_m": 1.2},
         line((X0 + 23, Y0 - 5), (X0 + 23, Y0 - 9))),
        ({"layer": "ramp", "id": "kerb-ramp", "slope_pct": 7, "rise_cm": 12, "width_m": 1.5},
         line((X0 + 50, Y0 - 12), (X0 + 50, Y0 - 13.5))),
    ])
    report = check(plan, rules=["toegankelijkheidsverordening", "voetgangerswegen"],
                   meta={"work_kind": "new"}, list_all=True)
    leg = by(report, "TV-18", "ramp-leg")
    assert leg.regime == "verordening" and "toegangspad" in leg.regime_reason["nl"]
    assert leg.outcome is Outcome.FAIL            # 7 % > 6.25 % at 30 cm, 800 m² known
    assert by(report, "VW-06", "ramp-leg").outcome is Outcome.NOT_APPLICABLE
    assert by(report, "TV-18", "kerb-ramp").outcome is Outcome.NOT_APPLICABLE
    assert by(report, "VW-06", "kerb-ramp").regime == "bv97"
    assert "ramp-leg" in {e["feature_id"] for e in report.summary["regimes"]["to_confirm"]}


def test_code_that_chose_the_limit_is_named_by_its_label(tmp_path: Path) -> None:
    """threshold_by_code messages ("Aangepaste parkeerplaats P (…)") name the arrangement in
    the report's language, never the data code ``perpendicular``."""
    plan = write_plan(tmp_path, [
        ({"layer": "parking", "id": "p", "accessible": True, "width_m": 3.3, "length_m": 5,
          "arrangement": "perpendicular"}, rect(X0, Y0, 3.3, 5)),
    ])
    nl = by(check(plan, rules=["publiek-domein"], lang="nl"), "PD-31", "p")
    assert nl.outcome is Outcome.FAIL and "(haaks parkeren)" in nl.message
    assert "perpendicular" not in nl.message and nl.data["key_value"] == "perpendicular"
    en = by(check(plan, rules=["publiek-domein"], lang="en"), "PD-31", "p")
    assert "(perpendicular)" in en.message


def test_plan_yaml_regimes_take_numeric_ids_and_any_case(tmp_path: Path) -> None:
    """Feature ids are often numbers (Shapefile and GeoJSON feature ids): ``regimes: {7: bv97}``
    in YAML corrects feature ``7``, and ``BV97`` is read as ``bv97``."""
    plan = write_plan(tmp_path, [
        ({"layer": "building", "id": "b", "public": True}, rect(X0, Y0, 30, 20)),
        ({"layer": "ramp", "id": "7", "slope_pct": 7, "rise_cm": 30, "width_m": 1.5},
         line((X0 + 15, Y0 - 2), (X0 + 15, Y0))),
    ], "work_kind: new\nregimes:\n  7: BV97\n")
    report = check(plan, rules=["toegankelijkheidsverordening", "voetgangerswegen"])
    finding = by(report, "VW-06", "7")
    assert finding.regime == "bv97" and "plan.yaml" in finding.regime_reason["nl"]
    assert not [w for w in report.warnings if w["code"] == "stale_regime"]


def test_unknown_floor_area_gives_no_would_fail_for_rules_from_150_m2(tmp_path: Path) -> None:
    """Under 150 m² only the entrance door must comply: with the floor area unknown, a 15 cm
    step (TV-03, from 150 m²) is no certain violation, while a 70 cm door (TV-01, any size) is."""
    plan = write_plan(tmp_path, [
        ({"layer": "building", "id": "winkel", "public": True}, rect(X0, Y0, 10, 10)),
        ({"layer": "entrance", "id": "e1", "door_width_cm": 70, "threshold_cm": 15},
         pt(X0 + 5, Y0)),
    ])
    report = check(plan, rules=["toegankelijkheidsverordening"], meta={"work_kind": "new"},
                   lang="nl")
    step = by(report, "TV-03", "e1")
    assert step.outcome is Outcome.TO_VERIFY and step.would_fail is None
    assert step.measured == 15 and "building_area_m2" in step.missing
    assert "minstens 150 m²" in step.message and "15 cm gemeten" in step.message
    door = by(report, "TV-01", "e1")
    assert door.outcome is Outcome.FAIL      # any floor area: decided
    # the verdict once in scope counts the door only
    assert report.verdict.code == "ongunstig"
