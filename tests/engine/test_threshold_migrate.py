"""The deprecated threshold-like check types: they still load and run, ``rules validate``
warns about them, ``rules migrate`` rewrites them (dry run, ``--write``, idempotent, comments
kept), and an old-type rule and its migrated form give the same findings on its cases."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from inclusiecheck.cli import app
from inclusiecheck.engine.loader import (
    bind_rule,
    builtin_rules_dir,
    load_set,
    validate_folder,
)
from inclusiecheck.engine.migrate import migrate_text, translate
from inclusiecheck.engine.schema import Rule
from inclusiecheck.engine.yamlio import load_yaml
from inclusiecheck.report.json_report import finding_dict
from inclusiecheck.testing import run_rule_cases

DATA = Path(__file__).parent / "data" / "deprecated_checks.yaml"
OLD_CHECKS: dict[str, dict[str, Any]] = load_yaml(DATA)
#: rules whose findings gain data (key, key_value, value_source) and lose two notes of the
#: former mode_threshold (tests/golden/CHANGES.md): compared on what they judge
MODE_RULES = {"haltes/HA-03-platform-height", "haltes/HA-05-platform-length"}


def _old_text(folder: str) -> str:
    """The built-in rule file as it was, with its former check: block."""
    from inclusiecheck.engine.migrate import dump_check, _check_span

    text = (builtin_rules_dir() / folder / "rule.yaml").read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    start, end = _check_span(lines)
    return "".join(lines[:start]) + dump_check(OLD_CHECKS[folder]) + "".join(lines[end:])


def test_every_deprecated_use_in_the_builtin_rules_was_migrated() -> None:
    assert len(OLD_CHECKS) == 16
    kinds = {c["type"] for c in OLD_CHECKS.values()}
    assert kinds == {"lookup", "conditional_threshold", "threshold_by_code", "mode_threshold",
                     "threshold"}
    for path in builtin_rules_dir().rglob("rule.yaml"):
        check = load_yaml(path)["check"]
        assert translate(check["type"], check.get("params") or {}) is None, path


@pytest.mark.parametrize("folder", sorted(OLD_CHECKS))
def test_migrate_gives_the_committed_rule_file(folder: str) -> None:
    old = _old_text(folder)
    new = migrate_text(old)
    assert new == (builtin_rules_dir() / folder / "rule.yaml").read_text(encoding="utf-8")
    assert migrate_text(new) == new  # idempotent


def _findings(rule: Any, others: list[Any]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}

    def keep(rule_id: str, case: str, findings: list[Any]) -> None:
        out[case] = [finding_dict(f) for f in findings]

    results = list(run_rule_cases(rule, others=others, sink=keep))
    assert results and all(r.ok for r in results), [r for r in results if not r.ok][:3]
    return out


@pytest.mark.parametrize("folder", sorted(OLD_CHECKS))
def test_old_type_and_migrated_form_give_the_same_findings(folder: str) -> None:
    """The alias runs the former implementation; the migrated rule runs ``threshold``."""
    set_folder = builtin_rules_dir() / folder.split("/", maxsplit=1)[0]
    ruleset = load_set(set_folder)
    path = builtin_rules_dir() / folder / "rule.yaml"
    new_rule = next(r for r in ruleset.rules if r.path == path)
    spec = Rule.model_validate({**load_yaml(path), "check": OLD_CHECKS[folder]})
    problems: list[Any] = []
    bound = bind_rule(spec, path, problems)
    assert bound is not None and not problems, problems
    old_rule = dataclasses.replace(new_rule, spec=spec, check=bound[0], params=bound[1])
    assert old_rule.check.name == OLD_CHECKS[folder]["type"]
    old = _findings(old_rule, ruleset.rules)
    new = _findings(new_rule, ruleset.rules)
    assert old.keys() == new.keys()
    if folder in MODE_RULES:
        judged = ("feature_id", "outcome", "property", "measured", "required", "unit",
                  "message", "missing")
        old = {c: [{k: f.get(k) for k in judged} for f in fs] for c, fs in old.items()}
        new = {c: [{k: f.get(k) for k in judged} for f in fs] for c, fs in new.items()}
    assert json.dumps(old, sort_keys=True) == json.dumps(new, sort_keys=True)


def test_validate_warns_about_deprecated_types_and_parameters(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    shutil.copytree(builtin_rules_dir() / "voetgangerswegen", folder / "voetgangerswegen")
    for name in ("VW-06-ramp-slope", "VW-03-narrow-road"):
        path = folder / "voetgangerswegen" / name / "rule.yaml"
        path.write_text(_old_text(f"voetgangerswegen/{name}"), encoding="utf-8")
    warnings: list[Any] = []
    problems, count = validate_folder(folder, warnings)
    assert not problems and count > 2
    text = "\n".join(str(w) for w in warnings)
    assert ("VW-06-ramp-slope/rule.yaml:42: warning: deprecated check type lookup: run "
            "`inclusiecheck rules migrate`") in text, text
    assert ("VW-03-narrow-road/rule.yaml:35: warning: deprecated parameter max_inclusive: run "
            "`inclusiecheck rules migrate`") in text, text
    result = CliRunner().invoke(app, ["rules", "validate", str(folder)])
    assert result.exit_code == 0 and "deprecated check type lookup" in result.output


# -- a third-party rule set: the CLI ----------------------------------------------------------
RULESET = """\
name: mijnstad
version: "1"
title: {nl: Mijnstad, en: Mijnstad}
publisher: Stad Mijnstad
default: false
"""
OLD_RULE = """\
# yaml-language-server: $schema=../../schemas/rule.schema.json
# Mijnstad: bays by arrangement (comments and key order stay)
id: MS-03
name: parking.bay_size
version: 2
title: {nl: Parkeerplaats, en: Parking bay}
pillar: accessibility
level: recommendation
source: {document: Handboek Mijnstad, article: "4.3", kind: guidance}
applies_to:
  layer: parking
  where: {accessible: true}   # adapted bays only
check:
  type: threshold_by_code
  params:
    key: arrangement   # how the bay lies
    limits:
      perpendicular: {property: width_m, min: 3.5, unit: m}
      parallel: {property: length_m, min: 6.0, unit: m}

# texts
message:
  nl: "Parkeerplaats {feature_id} ({key_value}): {measured} m; minstens {required} m."
  en: "Parking bay {feature_id} ({key_value}): {measured} m; at least {required} m."
advice: {nl: Maak de plaats groter., en: Make the bay larger.}
"""
NEW_CHECK = """\
check:
  type: threshold
  params:
    key: arrangement  # how the bay lies
    limits_by:
      - when: {arrangement: perpendicular}
        property: width_m
        min: 3.5
        unit: m
      - when: {arrangement: parallel}
        property: length_m
        min: 6.0
        unit: m
      - outcome: not_applicable

# texts
"""
CASES = """\
cases:
  - file: cases.geojson
    expect: {perp-34: fail, perp-35: pass, par-59: fail, par-60: pass, angled: not_applicable,
             unknown: to_verify}
"""


def _bay(fid: str, x: float, **attrs: Any) -> dict[str, Any]:
    ring = [[x, 200000], [x + 2, 200000], [x + 2, 200005], [x, 200005], [x, 200000]]
    return {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]},
            "properties": {"layer": "parking", "id": fid, "accessible": True, **attrs}}


@pytest.fixture()
def third_party(tmp_path: Path) -> Path:
    folder = tmp_path / "mijnstad"
    rule = folder / "MS-03-bay"
    (rule / "cases").mkdir(parents=True)
    (folder / "ruleset.yaml").write_text(RULESET, encoding="utf-8")
    (rule / "rule.yaml").write_text(OLD_RULE, encoding="utf-8")
    (rule / "cases" / "expected.yaml").write_text(CASES, encoding="utf-8")
    bays = [_bay("perp-34", 150000, arrangement="perpendicular", width_m=3.49),
            _bay("perp-35", 150010, arrangement="perpendicular", width_m=3.5),
            _bay("par-59", 150020, arrangement="parallel", length_m=5.99),
            _bay("par-60", 150030, arrangement="parallel", length_m=6.0),
            _bay("angled", 150040, arrangement="angled", width_m=2.0),
            _bay("unknown", 150050, width_m=3.6)]
    (rule / "cases" / "cases.geojson").write_text(json.dumps(
        {"type": "FeatureCollection", "features": bays,
         "crs": {"type": "name", "properties": {"name": "EPSG:31370"}}}), encoding="utf-8")
    return folder


def test_migrate_dry_run_write_and_idempotent(third_party: Path) -> None:
    runner = CliRunner()
    path = third_party / "MS-03-bay" / "rule.yaml"
    before = runner.invoke(app, ["rules", "test", str(third_party)])
    assert before.exit_code == 0 and "6 passed, 0 failed" in before.output

    dry = runner.invoke(app, ["rules", "migrate", str(third_party)])
    assert dry.exit_code == 0, dry.output
    assert "--- a/MS-03-bay/rule.yaml\n+++ b/MS-03-bay/rule.yaml" in dry.output
    assert "-  type: threshold_by_code\n+  type: threshold" in dry.output
    assert path.read_text(encoding="utf-8") == OLD_RULE  # a dry run writes nothing

    wrote = runner.invoke(app, ["rules", "migrate", str(third_party), "--write"])
    assert wrote.exit_code == 0 and f"migrated {path}" in wrote.output
    text = path.read_text(encoding="utf-8")
    head, rest = OLD_RULE.split("check:\n", 1)
    assert text.startswith(head)                                   # comments, order kept
    assert NEW_CHECK in text and text.endswith(OLD_RULE.split("# texts\n", 1)[1])
    assert not list(path.parent.glob(".rule.yaml.*"))              # no temporary left

    again = runner.invoke(app, ["rules", "migrate", str(third_party), "--write"])
    assert again.exit_code == 0 and "0 of 1 rule files migrated" in again.output
    assert path.read_text(encoding="utf-8") == text

    after = runner.invoke(app, ["rules", "test", str(third_party)])
    assert after.exit_code == 0 and "6 passed, 0 failed" in after.output
    validate = runner.invoke(app, ["rules", "validate", str(third_party)])
    assert validate.exit_code == 0 and "deprecated" not in validate.output


def test_migrate_bad_input(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(app, ["rules", "migrate", str(tmp_path / "nope")])
    assert missing.exit_code != 0
    broken = tmp_path / "rule.yaml"
    broken.write_text("check: [unclosed\n", encoding="utf-8")
    result = runner.invoke(app, ["rules", "migrate", str(broken), "--write"])
    assert result.exit_code == 2 and "invalid YAML" in result.output
    assert broken.read_text(encoding="utf-8") == "check: [unclosed\n"


@pytest.mark.parametrize("kind, params, expected", [
    ("conditional_threshold",
     {"property": "p", "min": 1, "when_any": {"a": True, "b": {"gt": 2}},
      "exempt_when": {"c": True}, "unknown": "assume_applies"},
     {"property": "p", "min": 1, "when": {"any": [{"a": True}, {"b": {"gt": 2}}],
                                          "not": {"c": True}}, "unknown": "assume_applies"}),
    ("threshold", {"property": "p", "min": 1, "min_inclusive": False, "max": 5,
                   "max_inclusive": True},
     {"property": "p", "more_than": 1, "max": 5}),
    ("lookup", {"property": "s", "key": "k_m", "key_unit": "mm", "outside": "fail",
                "rows": [{"lt": 1, "max": 2, "where": {"x": True}}]},
     {"property": "s", "key": "k_m", "limits_by": [
         {"when": {"k_m": {"lt": 1}, "x": True}, "max": 2, "label": "< 1 mm"},
         {"outcome": "fail"}]}),
    ("mode_threshold", {"property": "h", "modes": {"bus": {"min": 15, "max": 20,
                                                           "swing_in_max": 16}}},
     {"property": "h", "key": "mode", "limits_by": [
         {"when": {"mode": "bus", "swing_in": True}, "min": 15, "max": 16},
         {"when": {"mode": "bus"}, "min": 15, "max": 20},
         {"outcome": "to_verify", "note": {
             "nl": "geen referentiewaarde voor modus {key_value}: stem af met de vervoerder",
             "en": "no reference value for mode {key_value}: agree it with the operator"}}]}),
])
def test_translations(kind: str, params: dict[str, Any], expected: dict[str, Any]) -> None:
    from inclusiecheck.engine.checks import get

    new = translate(kind, params)
    assert new == expected
    get("threshold").params.model_validate(new)


def test_an_override_with_a_former_parameter_says_what_it_became(tmp_path: Path) -> None:
    """A municipal set written for PD-29 as a conditional_threshold (``when_any``) gets a
    message naming the new form, at the override's line; an override of ``min`` keeps
    working unchanged."""
    folder = tmp_path / "mijnstad"
    folder.mkdir()
    (folder / "ruleset.yaml").write_text(RULESET + """\
extends: [publiek-domein]
overrides:
  PD-29:
    params:
      when_any: {length_m: {gt: 8}}
  PD-04:
    params: {max: 5}
""", encoding="utf-8")
    problems, _ = validate_folder(folder)
    text = "\n".join(str(p) for p in problems)
    assert len(problems) == 1, text
    assert "ruleset.yaml:9" in text and "when_any is a parameter of the deprecated " \
        "conditional_threshold; threshold writes it as when (with any: and not:)" in text, text
