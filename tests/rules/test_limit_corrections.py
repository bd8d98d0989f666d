"""The limits corrected in issue 10 (item 5): what an undecided case says, and the texts.

The pass/fail outcome of each corrected limit is in the rules' own cases (run as test items);
these tests check what the cases cannot: which attribute a `to_verify` names, what was
measured and required, and that the texts name the figures of the regulation.
"""

from __future__ import annotations

from pathlib import Path

from inclusiecheck.api import check
from inclusiecheck.engine.loader import builtin_rules_dir

RULES = builtin_rules_dir()
TV = RULES / "toegankelijkheidsverordening"
META = {"work_kind": "new", "public_building": True, "building_area_m2": 500,
        "regime": "verordening"}


def finding(plan: Path, rule_set: str, rule_id: str, feature_id: str, lang: str = "nl",
            meta: dict | None = None):  # type: ignore[no-untyped-def]
    report = check(plan, crs="EPSG:31370", rules=[rule_set], meta=meta, list_all=True,
                   lang=lang)
    return next(f for f in report.findings
                if f.rule_id == rule_id and f.feature_id == feature_id)


def test_tv18_exactly_10_cm_with_indoor_unknown_names_indoor() -> None:
    plan = TV / "TV-18-ramp-slope-by-rise" / "cases" / "no-building.geojson"
    f = finding(plan, "toegankelijkheidsverordening", "TV-18", "u-10-9", "en", META)
    assert f.outcome.value == "to_verify" and f.missing == ("indoor",)
    assert f.measured == 9 and f.required == 8.3       # the stricter (indoor) row
    assert "the limit depends on indoor" in (f.note or "")
    passed = finding(plan, "toegankelijkheidsverordening", "TV-18", "u-10-8.3", "en", META)
    assert passed.outcome.value == "pass"


def test_tv16_tolerance_only_outdoors_or_at_a_transition() -> None:
    plan = TV / "TV-16-level-difference" / "cases" / "cases.geojson"
    inside = finding(plan, "toegankelijkheidsverordening", "TV-16", "lc-in-1cm", "en", META)
    assert inside.outcome.value == "fail" and inside.required == 0
    assert "indoors" in (inside.note or "")
    door = finding(plan, "toegankelijkheidsverordening", "TV-16", "lc-in-door-2cm", "en", META)
    assert door.outcome.value == "pass" and "transition" in (door.note or "")
    unknown = finding(TV / "TV-16-level-difference" / "cases" / "no-building.geojson",
                      "toegankelijkheidsverordening", "TV-16", "lc-u-1cm", "en", META)
    assert unknown.outcome.value == "to_verify" and unknown.missing == ("indoor",)
    assert unknown.measured == 1


def test_tv01_door_between_85_and_90_cm_depends_on_the_building_use() -> None:
    plan = TV / "TV-01-entrance-door-width" / "cases" / "cases.geojson"
    f = finding(plan, "toegankelijkheidsverordening", "TV-01", "e-87", "en",
                {"work_kind": "new", "public_building": True, "building_area_m2": 500})
    assert f.outcome.value == "to_verify" and f.missing == ("use",)
    assert f.measured == 87 and f.required == 90
    assert "housing: ≥ 85 cm" in (f.note or "")
    housing = finding(plan, "toegankelijkheidsverordening", "TV-01", "e-housing-85", "en",
                      {"work_kind": "new", "public_building": True, "building_area_m2": 500})
    assert housing.outcome.value == "pass" and housing.required == 85


def test_tv34_cabin_between_1_00_and_1_10_m_depends_on_the_lift_kind() -> None:
    plan = TV / "TV-34-lift-cabin-size" / "cases" / "cases.geojson"
    meta = {"work_kind": "new", "public_building": True, "building_area_m2": 500}
    f = finding(plan, "toegankelijkheidsverordening", "TV-34", "l-boundary", "en", meta)
    assert f.outcome.value == "to_verify" and f.missing == ("kind",)
    assert "Fails if kind = shaft" in (f.note or "")
    shaft = finding(plan, "toegankelijkheidsverordening", "TV-34", "s-100", "nl", meta)
    assert shaft.outcome.value == "fail" and "EN 81-70 type 2" in (shaft.note or "")
    assert "1,10 × 1,40 m" in shaft.message


def test_vw06_message_names_the_legal_limit_and_the_target() -> None:
    plan = RULES / "voetgangerswegen" / "VW-06-ramp-slope" / "cases" / "cases.geojson"
    meta = {"built_up_area": True}
    fail = finding(plan, "voetgangerswegen", "VW-06", "r-fail", "nl", meta)
    assert fail.outcome.value == "fail"
    assert "wettelijk is hoogstens 12 % toegelaten" in fail.message
    assert "richtwaarde is 10 %" in fail.message
    warn = finding(plan, "voetgangerswegen", "VW-06", "r-warn", "en", meta)
    assert warn.outcome.value == "warn"
    assert "within the legal limit of 12 %" in warn.message
    assert "above the target value of 10 %" in warn.message


def test_ha01_platform_above_18_cm_is_judged_on_the_boarding_ramp() -> None:
    plan = RULES / "haltes" / "HA-01-accessible-motor" / "cases" / "categories.geojson"
    unknown = finding(plan, "haltes", "HA-01", "s-high-unknown", "en")
    assert unknown.outcome.value == "to_verify"
    assert "boarding_gradient_pct" in unknown.missing
    ok = finding(plan, "haltes", "HA-01", "s-high-12", "en")
    assert ok.outcome.value == "pass"
    height = finding(RULES / "haltes" / "HA-03-platform-height" / "cases" / "heights.geojson",
                     "haltes", "HA-03", "bus-25", "en")
    assert height.outcome.value == "warn" and "discouraged" in (height.note or "")
