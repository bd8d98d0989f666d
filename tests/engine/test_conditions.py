"""Sets of conditions with ``any:`` and ``not:``: three-valued decisions, validation with the
place of the problem, the names they use, and their use in ``applies_to.where``."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from inclusiecheck.engine.conditions import (
    compile_conditions,
    condition_names,
    condition_problems,
    decide,
    explain_failure,
    held_names,
    holds,
    validate_conditions,
)
from inclusiecheck.model.safe_yaml import YamlProblem, load_text

RAMP = {"any": [{"rise_cm": {"gt": 50}}, {"length_m": {"gt": 10}}]}


def values(**kw: Any):
    return kw.get


@pytest.mark.parametrize("attrs, expected", [
    ({"rise_cm": 60, "length_m": 5}, (True, [])),       # the first holds
    ({"rise_cm": 50, "length_m": 10.5}, (True, [])),    # the second holds (50 is not > 50)
    ({"rise_cm": 50, "length_m": 10}, (False, [])),     # neither, at both limits
    ({"rise_cm": 40}, (None, ["length_m"])),            # one false, one unknown: undecided
    ({"rise_cm": 60}, (True, [])),                      # one holds: the unknown one is moot
    ({}, (None, ["rise_cm", "length_m"])),
])
def test_any(attrs: dict[str, Any], expected: tuple[Any, list[str]]) -> None:
    assert decide(RAMP, values(**attrs)) == expected


@pytest.mark.parametrize("attrs, expected", [
    ({"automatic": True}, (False, [])),
    ({"automatic": False}, (True, [])),
    ({}, (None, ["automatic"])),                        # not of unknown stays unknown
])
def test_not(attrs: dict[str, Any], expected: tuple[Any, list[str]]) -> None:
    assert decide({"not": {"automatic": True}}, values(**attrs)) == expected


def test_nested_and_combined_with_attributes() -> None:
    cond = {"kind": ["sidewalk", "footpath"],
            "not": {"any": [{"status": "removed"}, {"width_m": {"lt": 0.5}}]}}
    assert decide(cond, values(kind="sidewalk", status="new", width_m=1.0)) == (True, [])
    assert decide(cond, values(kind="sidewalk", status="removed", width_m=1.0)) == (False, [])
    assert decide(cond, values(kind="sidewalk", width_m=0.4)) == (False, [])
    assert decide(cond, values(kind="sidewalk", width_m=1.0)) == (None, ["status"])
    # a false entry decides, whatever is unknown
    assert decide(cond, values(kind="cycle_path")) == (False, [])
    assert holds(cond, values(kind="sidewalk", status="new", width_m=1.0))
    assert not holds(cond, values(kind="sidewalk", width_m=1.0))


def test_held_names_and_explanation() -> None:
    exempt = {"not": {"any": [{"automatic": True}, {"revolving": True}]}}
    assert held_names(exempt["not"], values(automatic=True, revolving=True)) \
        == ["automatic", "revolving"]
    assert explain_failure(exempt, values(automatic=True)) \
        == "not: (any (automatic = True | revolving = True)) holds"
    assert explain_failure(RAMP, values(rise_cm=40, length_m=8)) \
        == "any: none of (rise_cm > 50 | length_m > 10) holds"
    assert explain_failure({"kind": "sidewalk"}, values(kind="footpath")) \
        == "kind: 'footpath' does not meet = sidewalk"
    assert explain_failure(RAMP, values(rise_cm=60)) is None
    assert condition_names({"kind": "x", **RAMP, "not": {"automatic": True}}) \
        == ["kind", "rise_cm", "length_m", "automatic"]


@pytest.mark.parametrize("cond, loc, words", [
    ({"any": {"a": 1}}, ("any",), "expects a list of condition sets"),
    ({"any": []}, ("any",), "expects a list of condition sets"),
    ({"any": [{"a": 1}, "b"]}, ("any", 1), "each item is a non-empty mapping"),
    ({"any": [{"a": {"gte": "x"}}]}, ("any", 0, "a"), "gte: expects a number"),
    ({"not": [1]}, ("not",), "expects a non-empty mapping"),
    ({"not": {"any": [{"b": {"foo": 1}}]}}, ("not", "any", 0, "b"), "unknown operator 'foo'"),
])
def test_validation_names_the_place(cond: dict[str, Any], loc: tuple[Any, ...],
                                    words: str) -> None:
    problems = condition_problems(cond, ("where",))
    assert problems and problems[0][0] == ("where", *loc)
    assert words in problems[0][1]
    with pytest.raises(ValueError, match=words.split(":", maxsplit=1)[0]):
        validate_conditions(cond)


def test_valid_sets_pass() -> None:
    assert validate_conditions({**RAMP, "not": {"automatic": True}, "kind": ["a", "b"]})
    assert condition_problems({}) == []


def test_a_key_written_twice_is_an_error_in_rule_files() -> None:
    """A second ``any:`` in one mapping would silently replace the first."""
    text = "where:\n  any: [{a: 1}]\n  any: [{b: 1}]\n"
    assert load_text(text)["where"]["any"] == [{"b": 1}]  # plain YAML keeps the last
    with pytest.raises(YamlProblem, match="written twice") as exc:
        load_text(text, unique_keys=True)
    assert exc.value.line == 3


RULE = """\
id: GENT-09
name: walkway.width_any
title: {nl: Breedte, en: Width}
pillar: accessibility
level: recommendation
source: {document: Gemeente Gent handboek, article: "4.2", kind: guidance}
applies_to:
  layer: walkway
  where:
    any:
      - kind: sidewalk
      - kind: footpath
        width_m: {gte: 1.0}
    not: {surface: gravel}
check: {type: threshold, params: {property: width_m, min: 1.5, unit: m}}
message: {nl: "Te smal: {measured} m.", en: "Too narrow: {measured} m."}
advice: {nl: Verbreed., en: Widen.}
"""


def _set(tmp_path: Path, rule: str) -> Path:
    folder = tmp_path / "gent"
    (folder / "GENT-09-width").mkdir(parents=True, exist_ok=True)
    (folder / "ruleset.yaml").write_text(
        "name: gent\nversion: '1'\ntitle: {nl: Gent, en: Ghent}\npublisher: Stad Gent\n"
        "default: false\n", encoding="utf-8")
    (folder / "GENT-09-width" / "rule.yaml").write_text(rule, encoding="utf-8")
    return folder


def plan(tmp_path: Path, walkways: list[dict[str, Any]]) -> Path:
    features = [{"type": "Feature", "properties": {"layer": "walkway", **props},
                 "geometry": {"type": "LineString",
                              "coordinates": [[150000, 200000 + 5 * i], [150010, 200000 + 5 * i]]}}
                for i, props in enumerate(walkways)]
    path = tmp_path / "plan.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection",
                                "crs": {"type": "name", "properties": {"name": "EPSG:31370"}},
                                "features": features}), encoding="utf-8")
    return path


def test_any_and_not_in_where_select_features(tmp_path: Path) -> None:
    import datetime as dt

    import inclusiecheck
    from inclusiecheck.api import load_model
    from inclusiecheck.engine.evaluate import Evaluator
    from inclusiecheck.engine.loader import load_set

    walkways = [{"id": "side", "kind": "sidewalk", "width_m": 1.2, "surface": "asphalt"},
                {"id": "foot-wide", "kind": "footpath", "width_m": 1.6, "surface": "sett"},
                {"id": "foot-narrow", "kind": "footpath", "width_m": 0.8},
                {"id": "gone", "kind": "sidewalk", "width_m": 1.0, "surface": "gravel"},
                {"id": "cycle", "kind": "cycle_path", "width_m": 1.0}]
    path = plan(tmp_path, walkways)
    folder = _set(tmp_path, RULE)
    report = inclusiecheck.check(path, rules=[str(folder)], list_all=True)
    outcome = {f.feature_id: f.outcome.value for f in report.findings}
    assert outcome == {"side": "fail", "foot-wide": "pass", "foot-narrow": "not_applicable",
                       "gone": "not_applicable", "cycle": "not_applicable"}
    rule = load_set(folder).rules[0]
    model = load_model(path)
    evaluator = Evaluator(model, [rule], date=dt.date(2026, 1, 1))
    by_id = {f.id: f for f in model.features("walkway")}
    assert evaluator.why_not_applicable(rule, by_id["foot-narrow"]) \
        == "where any: none of (kind = sidewalk | kind = footpath & width_m ≥ 1.0) holds"
    assert evaluator.why_not_applicable(rule, by_id["gone"]) \
        == "where not: (surface = gravel) holds"


def test_validate_reports_bad_and_misspelt_conditions_inside_any(tmp_path: Path) -> None:
    from inclusiecheck.engine.loader import validate_folder

    bad = RULE.replace("width_m: {gte: 1.0}", "width_m: {gte: wide}").replace(
        "not: {surface: gravel}", "not: {backrset: true}")
    folder = _set(tmp_path, bad)
    warnings: list[Any] = []
    problems, _ = validate_folder(folder, warnings)
    text = "\n".join(str(p) for p in problems)
    assert "rule.yaml:13: applies_to.where.any.1.width_m: gte: expects a number" in text, text
    folder = _set(tmp_path, RULE.replace("not: {surface: gravel}", "not: {surfcae: gravel}"))
    problems, _ = validate_folder(folder, warnings)
    text = "\n".join(str(p) for p in problems)
    assert "rule.yaml:14: applies_to.where.not.surfcae: unknown attribute 'surfcae'" in text, text


# -- compiled conditions: the same decisions as decide() -------------------------------------
def _random_condition(rng: random.Random) -> Any:
    values: list[Any] = ["a", "b", "yes", "no", True, False, 0, 1, 2.5, -3]
    kind = rng.randrange(5)
    if kind == 0:
        return rng.choice(values)
    if kind == 1:
        return rng.sample(values, rng.randrange(1, 4))
    if kind == 2:
        return rng.sample(["a", "b", "yes"], rng.randrange(1, 3))
    ops: dict[str, Any] = {}
    for op in rng.sample(["eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte", "exists"],
                         rng.randrange(1, 3)):
        if op == "exists":
            ops[op] = rng.choice([True, False])
        elif op in ("in", "not_in"):
            ops[op] = rng.sample(values, rng.randrange(1, 4))
        elif op in ("gt", "gte", "lt", "lte"):
            ops[op] = rng.choice([0, 1, 2.5, -3])
        else:
            ops[op] = rng.choice(values)
    return ops


def _random_set(rng: random.Random, depth: int = 0) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for _ in range(rng.randrange(1, 4)):
        pick = rng.randrange(6) if depth < 2 else 0
        if pick == 4:
            out["any"] = [_random_set(rng, depth + 1) for _ in range(rng.randrange(1, 3))]
        elif pick == 5:
            out["not"] = _random_set(rng, depth + 1)
        else:
            out[rng.choice(["p", "q", "r", "s"])] = _random_condition(rng)
    return out


def test_compiled_conditions_decide_as_decide() -> None:
    """compile_conditions gives decide()'s state and undecided names, and reads the same
    attributes in the same order, on random sets (any:, not:, every operator, yes/no codes,
    missing values)."""
    rng = random.Random(16)
    values: list[Any] = [None, "a", "b", "yes", "no", "limited", True, False, 0, 1, 2.5, -3,
                         "2.5"]
    for _ in range(3000):
        conditions = _random_set(rng)
        assert not condition_problems(conditions)
        _same_decision(conditions, {n: rng.choice(values) for n in "pqrs"})


def _same_decision(conditions: dict[str, Any], record: dict[str, Any]) -> None:
    read_plain: list[str] = []
    read_compiled: list[str] = []

    def plain(name: str) -> Any:
        read_plain.append(name)
        return record[name]

    def getter(name: str) -> Any:
        def read(obj: dict[str, Any]) -> Any:
            read_compiled.append(name)
            return obj[name]
        return read

    expected = decide(conditions, plain)
    got = compile_conditions(conditions, getter)(record)
    assert got == expected, (conditions, record)
    assert got[0] is expected[0]
    assert read_compiled == read_plain, (conditions, record)
