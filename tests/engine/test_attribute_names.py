"""``rules validate`` knows the data profile (issue 15, item 5): attribute names in
``where``, plan conditions and check parameters are looked up on the rule's layers (profile,
derived values, measures), their conditions checked against the attribute's kind, with a
did-you-mean; ``status`` is usable in ``where``; ``rules test`` says why a feature was not
applicable."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from inclusiecheck.engine.attributes import ATTRIBUTE_PARAMS, known_on
from inclusiecheck.engine.checks import registry
from inclusiecheck.engine.loader import RuleSetError, builtin_rules_dir, load_set, validate_folder
from inclusiecheck.scaffold import new_rule, new_rule_set
from inclusiecheck.testing import run_cases

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = (ROOT / "examples" / "inclusiecheck-voorbeeldegem" / "src" / "inclusiecheck_voorbeeldegem"
           / "rules" / "voorbeeldegem")
RULE = "GENT-01-width-m-min"


@pytest.fixture()
def rule_set(tmp_path: Path) -> Path:
    folder = tmp_path / "mijnset"
    new_rule_set(folder, "mijnset")
    new_rule(folder, "GENT-01", "walkway", "threshold")
    assert validate_folder(folder)[0] == []
    return folder


def edit(rule_set: Path, old: str, new: str) -> Path:
    path = rule_set / RULE / "rule.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def line_with(path: Path, fragment: str) -> int:
    return next(i for i, line in enumerate(path.read_text("utf-8").splitlines(), 1)
                if fragment in line)


def test_builtin_and_example_rules_name_only_known_attributes() -> None:
    for folder in (builtin_rules_dir(), EXAMPLE):
        warnings: list = []
        problems, count = validate_folder(folder, warnings)
        assert problems == [] and count > 0
        assert warnings == [], "\n".join(map(str, warnings))


def test_attribute_params_name_real_parameters() -> None:
    """Every parameter the table names exists on its check type (a renamed parameter would
    silently stop being checked)."""
    checks = registry()
    for check_name, entries in ATTRIBUTE_PARAMS.items():
        fields = checks[check_name].params.model_fields
        for path, _role, layers in entries:
            assert path[0] in fields, (check_name, path)
            assert layers in ("rule", "-", "walkway") or layers in fields, (check_name, layers)


def test_known_names_include_profile_derived_and_measures() -> None:
    bench = known_on("bench")
    assert bench["backrest"] == "boolean" and bench["seat_height_cm"] == "number"
    assert bench["status"] == "code" and bench["indoor"] == "boolean"
    assert known_on("walkway")["clear_width_m"] == "measure"
    assert known_on("entrance")["public"] == "boolean"


@pytest.mark.parametrize("old,new,fragment,marker", [
    ("kind: [sidewalk]", "acces_path: true", "unknown attribute 'acces_path' of walkway; "
                                             "did you mean 'access_path'?", "acces_path"),
    ("kind: [sidewalk]", "lti: true", "did you mean 'lit'?", "lti"),
    ("property: width_m", "property: widht_m", "did you mean 'width_m'?", "widht_m"),
    ("kind: [sidewalk]", 'lit: "yes"', "lit is true/false, not 'yes'; write true", "lit:"),
    ("kind: [sidewalk]", "kind: [sidewalks]", "kind has no code 'sidewalks'; did you mean "
                                              "'sidewalk'?", "sidewalks"),
    ("kind: [sidewalk]", "width_m: wide", "width_m is a number, not 'wide'", "width_m: wide"),
    ("kind: [sidewalk]", "lit: {gte: 1}", "lit is true/false: gte compares numbers", "gte"),
    ("kind: [sidewalk]", "status: [neww]", "status has no code 'neww'", "neww"),
    # a threshold on a true/false or code attribute would leave every feature to verify
    ("property: width_m", "property: lit", "lit is true/false: threshold compares numbers",
     "property: lit"),
    ("property: width_m", "property: surface", "surface is a code: threshold compares numbers",
     "property: surface"),
    ("min: 1.5", 'min: "1.5"', "min is a number, not '1.5'; write it without quotes", "min:"),
])
def test_validate_rejects_with_file_line_and_suggestion(rule_set: Path, old: str, new: str,
                                                       fragment: str, marker: str) -> None:
    path = edit(rule_set, old, new)
    problems, _ = validate_folder(rule_set)
    assert len(problems) == 1, problems
    (problem,) = problems
    assert problem.file == path and problem.severity == "error"
    assert fragment in problem.message
    assert problem.line == line_with(path, marker)
    with pytest.raises(RuleSetError):          # and check refuses to load it
        load_set(rule_set)


def test_bench_rule_misspellings(tmp_path: Path) -> None:
    """The acceptance cases of the issue on a bench rule: a misspelt where, a misspelt
    criterion property and a boolean compared with "yes"."""
    folder = tmp_path / "bankset"
    new_rule_set(folder, "bankset")
    new_rule(folder, "BANK-01", "bench", "threshold")
    path = next(folder.glob("BANK-01-*/rule.yaml"))
    text = path.read_text("utf-8")
    start = text.index("applies_to:")
    end = text.index("message:")
    path.write_text(text[:start] + """applies_to:
  layer: bench
  where:
    backrset: true
    backrest: "yes"
check:
  type: threshold
  params:
    property: seat_heigth_cm
    min: 45
    unit: cm
""" + text[end:], "utf-8")
    problems, _ = validate_folder(folder)
    texts = {p.line: p.message for p in problems if p.file == path}
    assert "did you mean 'backrest'?" in texts[line_with(path, "backrset")]
    assert "write true" in texts[line_with(path, 'backrest: "yes"')]
    assert "did you mean 'seat_height_cm'?" in texts[line_with(path, "seat_heigth_cm")]


def test_unknown_name_warns_unless_declared(rule_set: Path) -> None:
    edit(rule_set, "kind: [sidewalk]", "paint_colour: red")
    warnings: list = []
    problems, count = validate_folder(rule_set, warnings)
    assert problems == [] and count == 1
    (warning,) = warnings
    assert warning.severity == "warning" and "'paint_colour' is not an attribute" in str(warning)
    assert "warning:" in str(warning) and "attributes:" in str(warning)
    ruleset = rule_set / "ruleset.yaml"
    ruleset.write_text(ruleset.read_text("utf-8") + "attributes: [paint_colour]\n", "utf-8")
    warnings = []
    assert validate_folder(rule_set, warnings)[0] == [] and warnings == []


def test_attributes_of_another_layer_are_named(rule_set: Path) -> None:
    edit(rule_set, "kind: [sidewalk]", "backrest: true")
    warnings: list = []
    assert validate_folder(rule_set, warnings)[0] == []
    assert "it is an attribute of bench" in str(warnings[0])


def test_plan_conditions_are_checked(rule_set: Path) -> None:
    path = edit(rule_set, "  where:", "  plan: {built_up_aera: true}\n  where:")
    (problem,) = validate_folder(rule_set)[0]
    assert "did you mean 'built_up_area'?" in problem.message
    assert problem.line == line_with(path, "built_up_aera")


def test_criteria_labels_are_not_attributes(tmp_path: Path) -> None:
    """VZ-14's criteria: properties are checked, labels are texts."""
    problems, _ = validate_folder(builtin_rules_dir() / "voorzieningen"
                                  / "VZ-14-bench-design")
    assert problems == []


def test_status_in_where_selects_new_features(rule_set: Path) -> None:
    edit(rule_set, "kind: [sidewalk]", "status: [new]")
    cases = rule_set / RULE / "cases"
    data = json.loads((cases / "cases.geojson").read_text("utf-8"))
    ids = [f["properties"]["id"] for f in data["features"]]
    for feature in data["features"]:
        if feature["properties"]["id"] == "bad":
            feature["properties"]["status"] = "existing"
    (cases / "cases.geojson").write_text(json.dumps(data), "utf-8")
    expected = (cases / "expected.yaml").read_text("utf-8")
    (cases / "expected.yaml").write_text(
        expected.replace("bad: fail", "bad: not_applicable")
                .replace("other-kind: not_applicable", "other-kind: pass"), "utf-8")
    assert "bad" in ids
    results = {r.feature_id: r for r in run_cases(rule_set)}
    assert results["bad"].actual == "not_applicable"        # existing: not selected
    assert results["good"].actual == "pass"                  # new: selected
    assert all(r.ok for r in results.values()), [r for r in results.values() if not r.ok]


def test_rules_test_explains_not_applicable(rule_set: Path) -> None:
    cases = rule_set / RULE / "cases" / "expected.yaml"
    cases.write_text(cases.read_text("utf-8").replace("other-kind: not_applicable",
                                                      "other-kind: pass"), "utf-8")
    run = subprocess.run([sys.executable, "-m", "inclusiecheck", "rules", "test", str(rule_set)],
                         capture_output=True, text=True, timeout=120,
                         env={**os.environ, "NO_COLOR": "1"})
    assert run.returncode == 1
    line = next(x for x in run.stdout.splitlines() if "other-kind" in x)
    assert "expected pass, got not_applicable" in line
    assert "where kind:" in line and "does not meet ∈ sidewalk" in line


def test_override_params_are_checked(tmp_path: Path) -> None:
    """A set that extends another and changes a parameter naming an attribute: a misspelling
    is an error at its line in ruleset.yaml; the base set's own names are not repeated."""
    new_rule_set(tmp_path / "basis", "basis")
    new_rule(tmp_path / "basis", "BASIS-01", "walkway", "threshold")
    folder = tmp_path / "gent"
    new_rule_set(folder, "gent")
    ruleset = folder / "ruleset.yaml"
    ruleset.write_text(ruleset.read_text("utf-8")
                       + "extends: basis\noverrides:\n  BASIS-01:\n    params:\n"
                         "      property: widht_m\n", "utf-8")
    problems, _ = validate_folder(tmp_path)
    (problem,) = [p for p in problems if p.file == ruleset]
    assert "overrides.BASIS-01.params.property: unknown attribute 'widht_m' of walkway; " \
           "did you mean 'width_m'?" in problem.message
    assert problem.line == line_with(ruleset, "widht_m")


def test_a_plugin_check_type_declares_its_attribute_parameters(rule_set: Path) -> None:
    from typing import Any, ClassVar

    from inclusiecheck.engine import checks
    from inclusiecheck.engine.checks.api import CheckParams, CheckResult, check_type
    from inclusiecheck.model import Outcome

    class SpacingParams(CheckParams):
        attribute_params: ClassVar[Any] = ((("property",), "name", "rule"),)
        property: str

    @check_type("test_attr_spacing", params=SpacingParams)
    def spacing(feature, params, ctx):  # type: ignore[no-untyped-def]
        return CheckResult(Outcome.PASS, params.property)

    checks.register(spacing, replace=True)
    try:
        edit(rule_set, "type: threshold", "type: test_attr_spacing")
        path = edit(rule_set, "property: width_m\n    min: 1.5           # TODO: the limit; "
                              "'min' is inclusive (the limit itself passes)\n    unit: m",
                    "property: widht_m")
        problems, _ = validate_folder(rule_set)
        assert any("did you mean 'width_m'?" in p.message and p.file == path for p in problems)
    finally:
        checks.CHECKS.unregister("test_attr_spacing")


def test_case_params_name_known_attributes(rule_set: Path) -> None:
    cases = rule_set / RULE / "cases" / "expected.yaml"
    cases.write_text(cases.read_text("utf-8").replace(
        "    expect:", "    params: {property: widht_m}\n    expect:", 1), "utf-8")
    results = run_cases(rule_set)
    (result,) = results
    assert result.actual == "invalid"
    assert "params.property: unknown attribute 'widht_m' of walkway; did you mean 'width_m'?" \
        in result.detail
