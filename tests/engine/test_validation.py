"""Validation of rule files: every problem with its file, line and (where possible) a hint.

A rule file is data: it can never run code.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from inclusiecheck.engine.loader import RuleSetError, load_set, validate_folder
from inclusiecheck.engine.messages import render

RULESET = """name: {name}
version: "1.0"
title: {{nl: Testset, en: Test set}}
publisher: tests
default: false
"""

RULE = """id: {rule_id}
name: walkway.width_min
title:
  nl: Breedte
  en: Width
pillar: accessibility
level: recommendation
source:
  document: Test guidance
  article: Art. 1
  kind: guidance
applies_to:
  layer: walkway
check:
  type: threshold
  params:
    property: width_m
    min: 1.5
    unit: m
message:
  nl: "Breedte {{measured}} m; minstens {{required}} m."
  en: "Width {{measured}} m; at least {{required}} m."
advice:
  nl: Maak het breder.
  en: Make it wider.
"""


def make_set(root: Path, name: str = "testset", rules: dict[str, str] | None = None,
             extra: str = "") -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "ruleset.yaml").write_text(RULESET.format(name=name) + extra, encoding="utf-8")
    for sub, text in (rules or {}).items():
        (folder / sub).mkdir()
        (folder / sub / "rule.yaml").write_text(text, encoding="utf-8")
    return folder


def rule_text(rule_id: str = "TS-01") -> str:
    return RULE.format(rule_id=rule_id)


def line_no(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def only(problems: list) -> object:  # type: ignore[type-arg]
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def test_valid_set_has_no_problems(tmp_path: Path) -> None:
    folder = make_set(tmp_path, rules={"TS-01-width": rule_text()})
    problems, count = validate_folder(folder)
    assert problems == [] and count == 1


@pytest.mark.parametrize("typo,meant", [("titel", "title"), ("aplies_to", "applies_to"),
                                        ("mesage", "message")])
def test_typo_in_a_key_gives_file_line_and_suggestion(tmp_path: Path, typo: str,
                                                      meant: str) -> None:
    text = rule_text().replace(f"{meant}:", f"{typo}:", 1)
    folder = make_set(tmp_path, rules={"TS-01-width": text})
    problems, _ = validate_folder(folder)
    typo_problem = next(p for p in problems if f"unknown key {typo!r}" in p.message)
    assert typo_problem.file == folder / "TS-01-width" / "rule.yaml"
    assert typo_problem.line == line_no(text, f"{typo}:")
    assert f"did you mean {meant!r}" in typo_problem.message
    # the key it should have been is reported missing too
    assert any(meant in p.message and "missing" in p.message for p in problems)


def test_typo_in_a_nested_key(tmp_path: Path) -> None:
    text = rule_text().replace("  article:", "  artikel:")
    folder = make_set(tmp_path, rules={"TS-01-width": text})
    problems, _ = validate_folder(folder)
    problem = next(p for p in problems if "artikel" in p.message)
    assert problem.line == line_no(text, "artikel:")
    assert "source.artikel" in problem.message and "'article'" in problem.message


def test_unknown_check_type_gives_line_and_suggestion(tmp_path: Path) -> None:
    text = rule_text().replace("type: threshold", "type: treshold")
    folder = make_set(tmp_path, rules={"TS-01-width": text})
    problem = only(validate_folder(folder)[0])
    assert problem.line == line_no(text, "type: treshold")
    assert "unknown check type 'treshold'" in problem.message
    assert "did you mean 'threshold'" in problem.message


def test_unknown_parameter_of_a_check_type(tmp_path: Path) -> None:
    text = rule_text().replace("    min: 1.5", "    minimum: 1.5")
    folder = make_set(tmp_path, rules={"TS-01-width": text})
    problems, _ = validate_folder(folder)
    problem = next(p for p in problems if "minimum" in p.message)
    assert problem.line == line_no(text, "minimum:")
    assert "check.params.minimum" in problem.message and "did you mean 'min'" in problem.message


def test_invalid_parameter_value(tmp_path: Path) -> None:
    text = rule_text().replace("    min: 1.5", "    min: breed")
    folder = make_set(tmp_path, rules={"TS-01-width": text})
    problem = only(validate_folder(folder)[0])
    assert problem.line == line_no(text, "min: breed") and "check.params.min" in problem.message


def test_invalid_yaml_syntax_reports_its_line(tmp_path: Path) -> None:
    text = rule_text().replace("  layer: walkway", "  layer: [walkway")
    folder = make_set(tmp_path, rules={"TS-01-width": text})
    problem = only(validate_folder(folder)[0])
    assert problem.file == folder / "TS-01-width" / "rule.yaml"
    assert problem.line is not None and abs(problem.line - line_no(text, "[walkway")) <= 1
    assert "invalid YAML" in problem.message
    assert ":" + str(problem.line) + ":" in str(problem)


def test_invalid_yaml_in_ruleset_file(tmp_path: Path) -> None:
    folder = make_set(tmp_path, extra="extends: [a, b\n")
    problem = only(validate_folder(folder)[0])
    assert problem.file.name == "ruleset.yaml" and problem.line is not None


def test_duplicate_rule_ids(tmp_path: Path) -> None:
    folder = make_set(tmp_path, rules={"TS-01-width": rule_text(), "TS-01-copy": rule_text()})
    problem = only(validate_folder(folder)[0])
    assert "duplicate rule id TS-01" in problem.message
    assert problem.line == line_no(rule_text(), "id: TS-01")


def test_versions_of_a_rule_must_not_overlap(tmp_path: Path) -> None:
    old = rule_text() + "valid_until: 2020-12-31\n"
    new = rule_text() + "valid_from: 2020-06-01\nversion: 2\n"
    folder = make_set(tmp_path, rules={"TS-01-old": old, "TS-01-new": new})
    problem = only(validate_folder(folder)[0])
    assert "do not overlap" in problem.message
    # adjacent periods are fine
    (folder / "TS-01-new" / "rule.yaml").write_text(
        rule_text() + "valid_from: 2021-01-01\nversion: 2\n", encoding="utf-8")
    assert validate_folder(folder) == ([], 2)


def test_extends_cycle_is_reported_once(tmp_path: Path) -> None:
    make_set(tmp_path, "set-a", extra="extends: [set-b]\n")
    make_set(tmp_path, "set-b", extra="extends: set-a\n")
    problems, _ = validate_folder(tmp_path)
    cycles = [p for p in problems if "cycle" in p.message]
    assert len(cycles) == 1, [str(p) for p in problems]
    assert "set-a -> set-b -> set-a" in cycles[0].message
    assert cycles[0].line == 6  # the extends line


def test_extends_itself(tmp_path: Path) -> None:
    folder = make_set(tmp_path, "zelf", extra="extends: [zelf]\n")
    problem = only(validate_folder(folder)[0])
    assert "cycle" in problem.message


def test_extends_unknown_set_suggests(tmp_path: Path) -> None:
    folder = make_set(tmp_path, extra="extends: [publiek-domien]\n")
    problem = only(validate_folder(folder)[0])
    assert "extends unknown rule set 'publiek-domien'" in problem.message
    assert "did you mean 'publiek-domein'" in problem.message and problem.line == 6


def test_override_of_an_unknown_rule(tmp_path: Path) -> None:
    make_set(tmp_path, "base", rules={"TS-01-width": rule_text()})
    folder = make_set(tmp_path, "muni", extra="extends: [base]\noverrides:\n  TS-02:\n"
                                              "    enabled: false\n")
    problems, _ = validate_folder(tmp_path)
    problem = only(problems)
    assert problem.file == folder / "ruleset.yaml" and problem.line == 8
    assert "overrides unknown rule 'TS-02'" in problem.message
    assert "did you mean 'TS-01'" in problem.message


def test_override_with_an_unknown_parameter(tmp_path: Path) -> None:
    make_set(tmp_path, "base", rules={"TS-01-width": rule_text()})
    make_set(tmp_path, "muni", extra="extends: [base]\noverrides:\n  TS-01:\n"
                                     "    params: {minn: 1.8}\n")
    problem = only(validate_folder(tmp_path)[0])
    assert problem.file.name == "ruleset.yaml" and problem.line == 9
    assert "minn" in problem.message and "did you mean 'min'" in problem.message


def test_a_rule_in_an_extending_set_may_not_reuse_a_base_id(tmp_path: Path) -> None:
    make_set(tmp_path, "base", rules={"TS-01-width": rule_text()})
    make_set(tmp_path, "muni", rules={"TS-01-mine": rule_text()}, extra="extends: [base]\n")
    problem = only(validate_folder(tmp_path)[0])
    assert "already defined in base set 'base'" in problem.message
    assert "overrides" in problem.message


def test_unknown_layer_and_scope(tmp_path: Path) -> None:
    text = rule_text().replace("  layer: walkway", "  layer: walkay\n  scope: pedestrian_raod")
    folder = make_set(tmp_path, rules={"TS-01-width": text})
    problems, _ = validate_folder(folder)
    messages = " | ".join(p.message for p in problems)
    assert "unknown layer 'walkay'; did you mean 'walkway'" in messages
    assert "unknown scope 'pedestrian_raod'; did you mean 'pedestrian_road'" in messages


def test_misnamed_rule_file_is_not_silently_skipped(tmp_path: Path) -> None:
    folder = make_set(tmp_path, rules={"TS-01-width": rule_text()})
    (folder / "TS-02-slope").mkdir()
    (folder / "TS-02-slope" / "rule.yml").write_text(rule_text("TS-02"), encoding="utf-8")
    problem = only(validate_folder(folder)[0])
    assert "must be named exactly 'rule.yaml'" in problem.message


def test_single_rule_file_can_be_validated(tmp_path: Path) -> None:
    folder = make_set(tmp_path, rules={"TS-01-width": rule_text().replace("min: 1.5",
                                                                          "min: -")})
    problems, count = validate_folder(folder / "TS-01-width" / "rule.yaml")
    assert count == 0 and len(problems) == 1


def test_loading_raises_one_error_naming_the_first_problem(tmp_path: Path) -> None:
    text = rule_text().replace("titel", "x").replace("title:", "titel:")
    folder = make_set(tmp_path, rules={"TS-01-width": text})
    with pytest.raises(RuleSetError) as info:
        load_set(folder)
    assert "rule.yaml:" in str(info.value) and "run 'inclusiecheck rules validate'" in \
        str(info.value)


# -- a rule file can never run code ------------------------------------------------------------
def test_python_tags_are_rejected_and_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = rule_text() + f"tags: !!python/object/apply:os.system [\"touch {marker}\"]\n"
    folder = make_set(tmp_path, rules={"TS-01-width": text})
    problem = only(validate_folder(folder)[0])
    assert "invalid YAML" in problem.message and "not allowed" in problem.message
    assert problem.line == line_no(text, "!!python")
    assert not marker.exists()


@pytest.mark.parametrize("tag", ["!!python/name:os.system", "!!python/object:os._wrap_close",
                                 "!!python/module:os"])
def test_other_python_tags_are_rejected(tmp_path: Path, tag: str) -> None:
    text = rule_text().replace("tags: []", "") + f"tags: [{tag} x]\n"
    folder = make_set(tmp_path, rules={"TS-01-width": text})
    problems, _ = validate_folder(folder)
    assert problems and all("invalid YAML" in p.message for p in problems)


def test_message_templates_are_not_evaluated() -> None:
    values = {"measured": 1.2, "required": 1.5}
    # str.format would reach attributes; the renderer only substitutes plain known names
    assert render("{__class__} {measured.__class__} {required}", values, "en") == \
        "{__class__} {measured.__class__} 1.5"
    # no conversion or format spec is ever applied: only the plain inner name is filled in
    assert render("{measured!r:>{required}}", values, "nl") == "{measured!r:>1,5}"


def test_attribute_style_placeholders_fail_validation(tmp_path: Path) -> None:
    text = rule_text().replace("Width {measured} m", "Width {measured.__class__} m")
    folder = make_set(tmp_path, rules={"TS-01-width": text})
    problem = only(validate_folder(folder)[0])
    assert "message.en" in problem.message and "not a plain name" in problem.message
    assert problem.line == line_no(text, "  en: \"Width")


def test_obligation_must_cite_law(tmp_path: Path) -> None:
    text = rule_text().replace("level: recommendation", "level: obligation")
    folder = make_set(tmp_path, rules={"TS-01-width": text})
    problem = only(validate_folder(folder)[0])
    assert "an obligation must cite a law" in problem.message
