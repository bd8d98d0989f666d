"""A municipal rule set extends a base set: overrides, switched-off rules, a raised level,
added rules; the report says which set and version each rule came from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import inclusiecheck
from inclusiecheck.engine.loader import RuleSetError, load_set, resolve_selectors, validate_folder
from inclusiecheck.model import Level, Outcome

BASE = """name: basis
version: "2.1"
title: {nl: Basis, en: Base}
publisher: tests
default: false
"""

RULE = """id: {rule_id}
name: walkway.{slug}
title: {{nl: Regel {rule_id}, en: Rule {rule_id}}}
pillar: accessibility
level: recommendation
source: {{document: Basisgids, article: "Art. 1", kind: guidance}}
applies_to: {{layer: walkway}}
check:
  type: threshold
  params: {{property: {prop}, min: {min}, unit: m}}
message: {{nl: "{{measured}} m < {{required}} m", en: "{{measured}} m < {{required}} m"}}
advice: {{nl: Breder., en: Wider.}}
"""

MUNI = """name: gemeente
version: "2026.3"
title: {nl: Gemeente, en: Municipality}
publisher: Gemeente Test
default: false
extends: [basis]
overrides:
  BA-01:
    params: {min: 1.8}
    note: stricter municipal policy
  BA-02:
    enabled: false
  BA-03:
    level: obligation
    source:
      document: Gemeentelijke stedenbouwkundige verordening Test
      article: Art. 12
      kind: law
"""


def write_rule(folder: Path, rule_id: str, slug: str, prop: str = "width_m",
               min_value: float = 1.5) -> None:
    sub = folder / f"{rule_id}-{slug}"
    sub.mkdir(parents=True)
    (sub / "rule.yaml").write_text(RULE.format(rule_id=rule_id, slug=slug.replace("-", "_"),
                                               prop=prop, min=min_value), encoding="utf-8")


@pytest.fixture()
def sets(tmp_path: Path) -> Path:
    root = tmp_path / "sets"
    base = root / "basis"
    base.mkdir(parents=True)
    (base / "ruleset.yaml").write_text(BASE, encoding="utf-8")
    write_rule(base, "BA-01", "width", "width_m", 1.5)
    write_rule(base, "BA-02", "total", "total_width_m", 2.0)
    write_rule(base, "BA-03", "street", "street_width_m", 3.0)
    muni = root / "gemeente"
    muni.mkdir()
    (muni / "ruleset.yaml").write_text(MUNI, encoding="utf-8")
    write_rule(muni, "GT-01", "extra", "width_m", 1.0)
    return root


def plan(tmp_path: Path, width: float) -> Path:
    data = {"type": "FeatureCollection",
            "crs": {"type": "name", "properties": {"name": "EPSG:31370"}},
            "features": [{"type": "Feature",
                          "properties": {"layer": "walkway", "id": "w1", "kind": "sidewalk",
                                         "width_m": width, "total_width_m": 1.0,
                                         "street_width_m": 2.0},
                          "geometry": {"type": "LineString",
                                       "coordinates": [[150000, 200000], [150020, 200000]]}}]}
    path = tmp_path / f"plan-{width}.geojson"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_resolved_rules_of_the_extending_set(sets: Path) -> None:
    [muni] = resolve_selectors([str(sets / "gemeente")])
    rules = {r.id: r for r in muni.rules}
    assert sorted(rules) == ["BA-01", "BA-03", "GT-01"]  # BA-02 switched off
    assert muni.disabled == ["BA-02"]
    assert muni.bases == {"basis": "2.1"}
    ba01 = rules["BA-01"]
    assert ba01.params.min == 1.8 and ba01.spec.check.params["min"] == 1.8
    assert (ba01.rule_set, ba01.rule_set_version) == ("gemeente", "2026.3")
    assert ba01.defined_in == "basis" and ba01.modified_by == ("gemeente",)
    assert ba01.override_note == "stricter municipal policy"
    assert ba01.path == sets / "basis" / "BA-01-width" / "rule.yaml"
    ba03 = rules["BA-03"]
    assert ba03.spec.level == "obligation" and ba03.spec.source.kind == "law"
    assert (rules["GT-01"].rule_set, rules["GT-01"].defined_in) == ("gemeente", "gemeente")


def test_the_base_set_itself_is_unchanged(sets: Path) -> None:
    base = load_set(sets / "basis")
    assert base is not None
    rules = {r.id: r for r in base.rules}
    assert rules["BA-01"].params.min == 1.5 and rules["BA-03"].spec.level == "recommendation"
    assert sorted(rules) == ["BA-01", "BA-02", "BA-03"]


def test_report_says_which_set_and_version(sets: Path, tmp_path: Path) -> None:
    report = inclusiecheck.check(plan(tmp_path, 1.6), rules=[str(sets / "gemeente")],
                                 lang="en", list_all=True)
    by_rule = {f.rule_id: f for f in report.findings}
    assert set(by_rule) == {"BA-01", "BA-03", "GT-01"}
    assert (by_rule["BA-01"].rule_set, by_rule["BA-01"].rule_set_version) == \
        ("gemeente", "2026.3")
    assert by_rule["BA-01"].outcome is Outcome.FAIL and by_rule["BA-01"].required == 1.8
    # the raised rule is an obligation now, and it decides the verdict
    assert by_rule["BA-03"].level is Level.OBLIGATION and by_rule["BA-03"].outcome is Outcome.FAIL
    assert report.verdict.code == "gunstig_onder_voorwaarden"
    [entry] = report.rule_sets
    assert entry["name"] == "gemeente" and entry["extends"] == ["basis"]
    assert entry["bases"] == [{"name": "basis", "version": "2.1"}]
    assert entry["overridden_rules"] == ["BA-01", "BA-03"]
    assert entry["disabled_rules"] == ["BA-02"]
    info = report.rule("BA-01")
    assert info is not None and info.modified_by == ("gemeente",)
    assert info.as_dict()["defined_in"] == "basis"
    assert "modified_by" not in report.rule("GT-01").as_dict()  # type: ignore[union-attr]
    from inclusiecheck.report import render

    data = json.loads(render(report, "json"))
    assert data["rule_sets"][0]["bases"] == [{"name": "basis", "version": "2.1"}]


def test_same_plan_under_the_base_set(sets: Path, tmp_path: Path) -> None:
    report = inclusiecheck.check(plan(tmp_path, 1.6), rules=[str(sets / "basis")],
                                 list_all=True)
    by_rule = {f.rule_id: f for f in report.findings}
    assert by_rule["BA-01"].outcome is Outcome.PASS and by_rule["BA-01"].rule_set == "basis"
    assert by_rule["BA-02"].outcome is Outcome.FAIL
    assert by_rule["BA-03"].level is Level.RECOMMENDATION
    assert report.verdict.code == "niet_van_toepassing"  # no obligation in the base set


def test_base_selected_too_is_not_run_twice(sets: Path, tmp_path: Path) -> None:
    for selectors in ([str(sets / "basis"), str(sets / "gemeente")],
                      [str(sets / "gemeente"), str(sets / "basis")], [str(sets)]):
        loaded = resolve_selectors(selectors)
        assert [s.name for s in loaded] == ["gemeente"], selectors
    report = inclusiecheck.check(plan(tmp_path, 1.6), rules=[str(sets)], list_all=True)
    ids = [f.rule_id for f in report.findings]
    assert sorted(ids) == ["BA-01", "BA-03", "GT-01"]  # each rule once


def test_indirect_base_is_not_run_twice(sets: Path) -> None:
    wijk = sets / "wijk"
    wijk.mkdir()
    (wijk / "ruleset.yaml").write_text(BASE.replace("name: basis", "name: wijk")
                                       + "extends: [gemeente]\n", encoding="utf-8")
    loaded = resolve_selectors([str(sets / "basis"), str(sets / "wijk")])
    assert [s.name for s in loaded] == ["wijk"]
    assert loaded[0].bases == {"gemeente": "2026.3", "basis": "2.1"}
    assert {r.id for r in loaded[0].rules} == {"BA-01", "BA-03", "GT-01"}


def test_raising_to_obligation_needs_a_law(sets: Path) -> None:
    text = (sets / "gemeente" / "ruleset.yaml").read_text(encoding="utf-8")
    cut = text[:text.index("    source:")]
    (sets / "gemeente" / "ruleset.yaml").write_text(cut, encoding="utf-8")
    problems, _ = validate_folder(sets)
    [problem] = problems
    assert "raising BA-03 to an obligation needs a 'source' with kind: law" in problem.message
    assert problem.file.name == "ruleset.yaml" and problem.line == cut.count("\n")
    with pytest.raises(RuleSetError):
        resolve_selectors([str(sets / "gemeente")])


def test_override_cases_are_run_by_rules_test(sets: Path) -> None:
    from inclusiecheck.testing import run_cases

    cases = sets / "gemeente" / "BA-01-stricter" / "cases"
    cases.mkdir(parents=True)
    features = [{"type": "Feature", "properties": {"layer": "walkway", "id": fid, "width_m": w},
                 "geometry": {"type": "LineString",
                              "coordinates": [[150000, 200000 + i], [150010, 200000 + i]]}}
                for i, (fid, w) in enumerate([("w180", 1.8), ("w160", 1.6)])]
    (cases / "c.geojson").write_text(json.dumps({"type": "FeatureCollection",
                                                 "features": features}), encoding="utf-8")
    (cases / "expected.yaml").write_text("cases:\n  - file: c.geojson\n    expect: "
                                         "{w180: pass, w160: fail}\n", encoding="utf-8")
    results = [r for r in run_cases(sets / "gemeente") if r.rule_id == "BA-01"]
    assert [(r.feature_id, r.actual, r.ok) for r in results] == \
        [("w180", "pass", True), ("w160", "fail", True)]
    # and the folder is not a stray folder for validate
    assert validate_folder(sets / "gemeente")[0] == []
