"""Rule validation closes the gaps of issue 13: operator value types, finite numbers, known
message placeholders, case paths inside the rule folder, plain slugs. What ``rules validate``
accepts never crashes ``check``; what it refuses, ``check`` refuses with exit code 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from inclusiecheck.engine.conditions import validate_condition
from inclusiecheck.engine.loader import validate_folder
from inclusiecheck.model import InputError
from inclusiecheck.scaffold import new_rule, new_rule_set

RULE = "GENT-01-width-m-min"


@pytest.fixture()
def rule_set(tmp_path: Path) -> Path:
    folder = tmp_path / "mijnset"
    new_rule_set(folder, "mijnset")
    new_rule(folder, "GENT-01", "walkway", "threshold")
    assert validate_folder(folder)[0] == []
    return folder


def edit(rule_set: Path, old: str, new: str, name: str = "rule.yaml") -> Path:
    path = rule_set / RULE / name if name == "rule.yaml" else rule_set / RULE / "cases" / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "inclusiecheck", *args], capture_output=True,
                          text=True, timeout=60, env={**os.environ, "NO_COLOR": "1"})


@pytest.mark.parametrize("cond,fragment", [
    ({"in": 5}, "in: expects a list"),
    ({"gte": [1]}, "gte: expects a number"),
    ({"lt": "5"}, "lt: expects a number"),
    ({"gte": float("nan")}, "not a finite number"),
    ({"eq": {"a": 1}}, "eq: expects a single value"),
    ({"exists": "maybe"}, "exists: expects true or false"),
    ([["a"]], "expects a single value"),
    (float("inf"), "not a finite number"),
])
def test_condition_value_types(cond: object, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        validate_condition(cond)


@pytest.mark.parametrize("cond", [{"in": ["a", "b"]}, {"gte": 1.5}, {"gte": 1, "lt": 3},
                                  {"exists": True}, ["a", 1, True], "a", 2, None])
def test_valid_conditions_pass(cond: object) -> None:
    validate_condition(cond)


@pytest.mark.parametrize("old,new,fragment", [
    ("min: 1.5", "min: .nan", "check.params.min: nan is not a finite number"),
    ("min: 1.5", "min: -.inf", "is not a finite number"),
    ("kind: [sidewalk]", "kind: {in: 5}", "in: expects a list"),
    ("kind: [sidewalk]", "width_m: {gte: [1]}", "gte: expects a number"),
    ("at least {required}", "at least {requird}", "unknown placeholder {requird}"),
])
def test_validate_refuses_and_check_exits_2(rule_set: Path, old: str, new: str,
                                            fragment: str) -> None:
    edit(rule_set, old, new)
    problems, _count = validate_folder(rule_set)
    assert any(fragment in str(p) for p in problems), problems
    fixture = rule_set / RULE / "cases" / "cases.geojson"
    done = cli("check", str(fixture), "-r", str(rule_set), "-o",
               str(rule_set.parent / "out"), "-f", "json", "-q")
    assert done.returncode == 2, done.stderr
    assert fragment in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_unknown_placeholder_suggests_the_close_name(rule_set: Path) -> None:
    edit(rule_set, "at least {required}", "at least {requird}")
    (problem,) = validate_folder(rule_set)[0]
    assert "did you mean {required}?" in str(problem)


@pytest.mark.parametrize("target", ["../../../../etc/passwd", "/etc/passwd", "a/../../x"])
def test_case_file_outside_the_rule_folder(rule_set: Path, target: str) -> None:
    edit(rule_set, "file: cases.geojson", f"file: {target}", "expected.yaml")
    problems, _ = validate_folder(rule_set)
    assert any("cases.0.file" in str(p) for p in problems), problems
    done = cli("rules", "test", str(rule_set))
    assert done.returncode == 1 and "Traceback" not in done.stderr + done.stdout


def test_case_file_symlinked_outside(rule_set: Path, tmp_path: Path) -> None:
    outside = tmp_path / "secret.geojson"
    outside.write_text("{}", encoding="utf-8")
    (rule_set / RULE / "cases" / "evil.geojson").symlink_to(outside)
    edit(rule_set, "file: cases.geojson", "file: evil.geojson", "expected.yaml")
    problems, _ = validate_folder(rule_set)
    assert any("lies outside the cases folder" in str(p) for p in problems), problems


def test_missing_case_file(rule_set: Path) -> None:
    edit(rule_set, "file: cases.geojson", "file: nothere.geojson", "expected.yaml")
    problems, _ = validate_folder(rule_set)
    assert any("not found" in str(p) for p in problems), problems


@pytest.mark.parametrize("slug", ["../../x", "a/b", "..", "Kerb Height", ""])
def test_slug_must_be_a_plain_name(rule_set: Path, slug: str) -> None:
    with pytest.raises(InputError, match="--slug"):
        new_rule(rule_set, "GENT-02", "walkway", slug=slug)
    assert not (rule_set.parent / "x").exists()


def test_rules_new_twice_exits_2_not_3(rule_set: Path) -> None:
    for _ in range(2):
        done = cli("rules", "new", str(rule_set), "--id", "GENT-01")
        assert done.returncode == 2 and "already exists" in done.stderr
    done = cli("rules", "new", str(rule_set), "--id", "GENT-03", "--slug", "../../x")
    assert done.returncode == 2 and "--slug" in done.stderr


def test_builtin_rules_still_validate() -> None:
    root = Path(__file__).resolve().parents[2] / "rules"
    problems, count = validate_folder(root)
    assert problems == [] and count > 100


def test_case_params_must_be_finite(rule_set: Path) -> None:
    path = rule_set / RULE / "cases" / "expected.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  - file: cases.geojson\n",
                                 "  - file: cases.geojson\n    params: {min: .nan}\n", 1),
                    encoding="utf-8")
    problems, _ = validate_folder(rule_set)
    assert any("params.min: nan is not a finite number" in str(p) for p in problems), problems
