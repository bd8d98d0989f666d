"""The public test runner for rule cases: one runner for the project and for rule authors.

Each rule folder may hold ``cases/expected.yaml`` naming fixture files (GeoJSON plans, one
feature collection whose features carry a ``layer`` property, or any plan the readers take)
and the expected outcome per feature id::

    crs: EPSG:31370
    cases:
      - file: cases.geojson
        plan: {built_up_area: true}
        expect: {w-wide: pass, w-narrow: fail, w-no-width: to_verify}

:func:`run_cases` turns every expectation into a :class:`CaseResult`; ``inclusiecheck rules
test`` prints them with a closing "N passed, N failed" line, and the pytest plugin
(``inclusiecheck.pytest_plugin``) turns them into test items.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path
from collections.abc import Callable, Iterable, Iterator

from pydantic import ValidationError

from inclusiecheck.engine.evaluate import Evaluator
from inclusiecheck.engine.loader import (
    LoadedRule,
    Problem,
    RuleSet,
    RuleSetError,
    _sets_below,
    bind_rule,
    known_with,
    load_set,
    override_case_folders,
)
from inclusiecheck.engine.schema import CasesSpec
from inclusiecheck.engine.yamlio import line_of, load_yaml
from inclusiecheck.model import InputError
from inclusiecheck.model.findings import Finding

CASES_DIR = "cases"
EXPECTED = "expected.yaml"


@dataclass(frozen=True, slots=True)
class CaseResult:
    rule_id: str
    case: str
    feature_id: str
    expected: str
    actual: str
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.expected == self.actual

    @property
    def test_id(self) -> str:
        return f"{self.rule_id}:{self.case}:{self.feature_id}"


def rulesets_at(path: Path) -> list[RuleSet]:
    """Load every rule set below ``path`` (raises RuleSetError on invalid rule files)."""
    found = _sets_below(path)
    if not found:
        raise InputError(f"{path}: no ruleset.yaml here or in its sub-folders")
    known = known_with([path])
    cache: dict[Path, RuleSet | None] = {}
    out = []
    for folder in found.values():
        ruleset = load_set(folder, known=known, _cache=cache)
        if ruleset is not None:
            out.append(ruleset)
    return out


def _read_by(rule: LoadedRule, others: Iterable[LoadedRule]) -> list[LoadedRule]:
    """The rules (of ``others``) whose outcomes ``rule`` reads, and those they read in turn."""
    pool: dict[str, list[LoadedRule]] = {}
    for other in others:
        pool.setdefault(other.id, []).append(other)
    out: dict[int, LoadedRule] = {}
    todo = list(rule.params.reads())
    while todo:
        rule_id = todo.pop()
        for other in pool.get(rule_id, ()):
            if id(other) not in out and other is not rule:
                out[id(other)] = other
                todo.extend(other.params.reads())
    return list(out.values())


FindingSink = Callable[[str, str, list[Finding]], None]


def run_rule_cases(rule: LoadedRule, folder: Path | None = None,
                   others: Iterable[LoadedRule] = (),
                   sink: FindingSink | None = None) -> Iterator[CaseResult]:
    """Run the cases of one rule: those in ``folder/cases/`` (default: the rule's own folder;
    an extending set keeps the cases of a rule it overrides in a folder named after the id).
    A rule that reads other rules' outcomes (``any_compliant``) runs with those rules, taken
    from ``others`` (the rules of its set); only its own findings are compared.

    ``sink``, if given, receives ``(rule id, "file#index", findings)`` for every case run: all
    of the rule's findings (passes and not-applicable outcomes too), in evaluation order."""
    companions = _read_by(rule, others)
    from inclusiecheck.api import load_model

    expected_path = (folder or rule.folder) / CASES_DIR / EXPECTED
    if not expected_path.is_file():
        if rule.spec.check.type != "manual":
            yield CaseResult(rule.id, "-", "-", "cases", "missing",
                             f"no {CASES_DIR}/{EXPECTED} in {rule.folder}")
        return
    data = load_yaml(expected_path)
    try:
        spec = CasesSpec.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        line = line_of(expected_path, err["loc"])
        yield CaseResult(rule.id, EXPECTED, "-", "valid", "invalid",
                         f"{expected_path}:{line}: {'.'.join(map(str, err['loc']))}: {err['msg']}")
        return
    for index, case in enumerate(spec.cases):
        fixture = expected_path.parent / case.file
        if not fixture.resolve().is_relative_to(expected_path.parent.resolve()):
            yield CaseResult(rule.id, case.file, "-", "readable", "error",
                             f"{expected_path}: {case.file!r} lies outside the cases folder")
            continue
        bound = rule
        if case.params:
            problems: list[Problem] = []
            rebound = bind_rule(rule.spec, rule.path, problems, case.params)
            if rebound is None:
                yield CaseResult(rule.id, case.file, "-", "params", "invalid", str(problems[0]))
                continue
            misspelt = _attribute_errors(rule, case.params, expected_path)
            if misspelt:
                yield CaseResult(rule.id, case.file, "-", "params", "invalid", misspelt)
                continue
            bound = replace(rule, params=rebound[1])
        try:
            model = load_model(fixture, crs=spec.crs, meta=dict(case.plan))
        except InputError as exc:
            yield CaseResult(rule.id, case.file, "-", "readable", "error", str(exc))
            continue
        day = case.date or model.meta.permit_date or dt.date.today()
        if not bound.spec.valid_on(day):
            outcomes: dict[tuple[str, str], str] = {}
            if sink is not None:
                sink(bound.id, f"{case.file}#{index}", [])
        else:
            in_force = [r for r in companions if r.spec.valid_on(day)]
            evaluator = Evaluator(model, [*in_force, bound], date=day, list_all=True)
            result = evaluator.run()
            if sink is not None:
                sink(bound.id, f"{case.file}#{index}",
                     [f for f in result.findings if f.rule_id == bound.id])
            outcomes = {}
            for finding in result.findings:
                if finding.rule_id != bound.id:
                    continue
                key = (finding.layer, finding.feature_id)
                previous = outcomes.get(key)
                # a feature with several results (e.g. two narrowings) takes its worst outcome
                if previous is None or _rank(finding.outcome.value) < _rank(previous):
                    outcomes[key] = finding.outcome.value
        by_id: dict[str, str] = {}
        for (_layer, fid), outcome in outcomes.items():
            by_id.setdefault(fid, outcome)
        for feature_id, expected in case.expect.items():
            actual = by_id.get(feature_id, "not_applicable")
            present = any(f.id == feature_id for f in model)
            detail = "" if present else "feature id not in the fixture"
            if present and actual == "not_applicable" and expected != actual \
                    and bound.spec.valid_on(day):
                feature = next(f for f in model if f.id == feature_id)
                detail = evaluator.why_not_applicable(bound, feature)
            elif present and actual == "not_applicable" and expected != actual:
                detail = f"the rule is not in force on {day.isoformat()}"
            yield CaseResult(rule.id, case.file, feature_id, expected,
                             actual if present else "missing", detail)


def _attribute_errors(rule: LoadedRule, params: dict, expected_path: Path) -> str:
    """The first attribute-name error among a case's changed ``params`` ('' if none)."""
    from inclusiecheck.engine.attributes import attribute_problems

    merged = {**rule.spec.check.params, **params}
    for problem in attribute_problems(rule.spec, params=merged):
        if problem.error and problem.loc[:2] == ("check", "params") and len(problem.loc) > 2 \
                and problem.loc[2] in params:
            return f"{expected_path}: params.{'.'.join(map(str, problem.loc[2:]))}: " \
                   f"{problem.message}"
    return ""


_RANKS = {"fail": 0, "deviation": 1, "warn": 2, "to_verify": 3, "pass": 4, "not_applicable": 5}


def _rank(outcome: str) -> int:
    return _RANKS.get(outcome, 9)


def run_cases(path: Path, sink: FindingSink | None = None) -> list[CaseResult]:
    """Run every case of every rule in the sets below ``path`` (``sink``: see
    :func:`run_rule_cases`)."""
    try:
        sets = rulesets_at(path)
    except RuleSetError as exc:
        return [CaseResult("-", str(p.file), "-", "valid", "invalid", str(p)) for p in exc.problems]
    results: list[CaseResult] = []
    for ruleset in sets:
        for rule in ruleset.rules:
            if rule.folder.parent == ruleset.path:
                results.extend(run_rule_cases(rule, others=ruleset.rules, sink=sink))
            elif ruleset.name in rule.modified_by:
                # an inherited rule this set overrides: its base cases are the base set's
                # business; the override's own cases sit in a folder named after the rule id
                for folder in override_case_folders(ruleset.path, rule.id):
                    results.extend(run_rule_cases(rule, folder, others=ruleset.rules,
                                                  sink=sink))
    return results


def collect_case_findings(path: Path) -> list[tuple[tuple[str, str], list[Finding]]]:
    """Every case of every rule below ``path`` with the findings of its rule, sorted by
    (rule id, case); used by the whole-report golden files (tests/golden)."""
    collected: dict[tuple[str, str], list[Finding]] = {}

    def keep(rule_id: str, case: str, findings: list[Finding]) -> None:
        collected[(rule_id, case)] = findings

    results = run_cases(path, sink=keep)
    broken = [r for r in results if r.expected in ("valid", "readable", "params", "cases")]
    if broken:
        raise InputError(f"rule cases below {path} do not run: {broken[0].detail}")
    return sorted(collected.items(), key=lambda item: item[0])
