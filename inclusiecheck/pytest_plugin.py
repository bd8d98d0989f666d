"""pytest plugin: run rule cases as test items with the same runner as ``rules test``.

Use ``pytest --rule-cases PATH`` (a rule-set folder or a folder of sets); each expectation
becomes one test item named ``RULE:case-file:feature`` (``RULE:case-file#N:feature`` for the
N-th case of a fixture file listed more than once), so one broken case is one named failure
and ``pytest -k TV-01`` selects a rule's cases.

``--rule-cases builtin`` runs the built-in rule sets (the project's ``pyproject.toml`` sets it
in ``addopts``). The built-in cases are collected when the run covers the whole test suite or
a folder that holds rule tests (``pytest``, ``pytest -k TV-01``, ``pytest tests`` or
``pytest tests/rules``), not when single test files or other folders are named, so a
targeted run stays fast. A named path (``--rule-cases rules/mijnstad``) always runs.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

BUILTIN = "builtin"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("inclusiecheck")
    group.addoption("--rule-cases", action="append", default=[], metavar="PATH",
                    help="run the pass/fail cases of the rule sets below PATH "
                         "('builtin': the built-in rule sets)")


class RuleCaseItem(pytest.Item):
    """One expectation of a rule case; the rule's cases run (once) when its first item runs,
    so a run that deselects a rule (``-k``) never evaluates it."""

    def __init__(self, *, result=None, job=None, key=None, expected=None,  # type: ignore[no-untyped-def]
                 **kwargs):
        super().__init__(**kwargs)
        self.result = result      # a result known at collection (an invalid rule set)
        self.job = job            # (rule, folder, others): the rule whose cases to run
        self.key = key            # (case file, n-th case of that file listing it, feature id)
        self.expected = expected

    def runtest(self) -> None:
        r = self.result if self.result is not None else _result_of(self.job, self.key,
                                                                   self.expected)
        if not r.ok:
            raise AssertionError(f"{r.test_id}: expected {r.expected}, got {r.actual}"
                                 + (f" ({r.detail})" if r.detail else ""))

    def reportinfo(self):  # type: ignore[no-untyped-def]
        return self.path, None, self.name


_RUNS: dict[tuple[int, str], list] = {}  # (id of rule, cases folder) -> its case results


def _result_of(job, key, expected):  # type: ignore[no-untyped-def]
    """The result of one expectation, from the (memoised) run of its rule's cases."""
    from inclusiecheck.testing import CaseResult, run_rule_cases

    rule, folder, others = job
    memo = (id(rule), str(folder))
    if memo not in _RUNS:
        _RUNS[memo] = list(run_rule_cases(rule, folder, others=others))
    file, nth, feature_id = key
    matches = [r for r in _RUNS[memo] if r.case == file and r.feature_id == feature_id]
    if nth < len(matches):
        return matches[nth]
    errors = [r for r in _RUNS[memo] if r.case in (file, "-", "expected.yaml")
              and r.feature_id == "-"]
    if errors:
        return errors[0]
    return CaseResult(rule.id, file, feature_id, expected, "missing", "no result for this case")


class RuleCaseCollector(pytest.Collector):
    def __init__(self, *, folder: Path, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(**kwargs)
        self.folder = folder

    def collect(self):  # type: ignore[no-untyped-def]
        from inclusiecheck.engine.loader import RuleSetError, override_case_folders
        from inclusiecheck.testing import CaseResult, rulesets_at

        try:
            sets = rulesets_at(self.folder)
        except RuleSetError as exc:
            for problem in exc.problems:
                result = CaseResult("-", str(problem.file), "-", "valid", "invalid", str(problem))
                yield RuleCaseItem.from_parent(self, name=result.test_id, result=result)
            return
        for ruleset in sets:
            for rule in ruleset.rules:
                if rule.folder.parent == ruleset.path:
                    folders = [rule.folder]
                elif ruleset.name in rule.modified_by:
                    folders = list(override_case_folders(ruleset.path, rule.id))
                else:
                    continue
                for folder in folders:
                    yield from self._items(rule, folder, tuple(ruleset.rules))

    def _items(self, rule, folder: Path, others):  # type: ignore[no-untyped-def]
        from pydantic import ValidationError

        from inclusiecheck.engine.schema import CasesSpec
        from inclusiecheck.engine.yamlio import load_yaml
        from inclusiecheck.testing import CASES_DIR, EXPECTED

        job = (rule, folder, others)
        path = folder / CASES_DIR / EXPECTED
        try:
            spec = CasesSpec.model_validate(load_yaml(path)) if path.is_file() else None
        except (ValidationError, ValueError):
            spec = None
        if spec is None:  # no or invalid cases: the runner says why, as one item
            if path.is_file() or rule.spec.check.type != "manual":
                yield RuleCaseItem.from_parent(self, name=f"{rule.id}:cases", job=job,
                                               key=("-", 0, "-"), expected="cases")
            return
        files = Counter(c.file for c in spec.cases)
        seen: Counter[tuple[str, str]] = Counter()
        numbers: Counter[str] = Counter()
        for case in spec.cases:
            numbers[case.file] += 1
            label = case.file if files[case.file] == 1 else f"{case.file}#{numbers[case.file]}"
            for feature_id, expected in case.expect.items():
                nth = seen[(case.file, feature_id)]
                seen[(case.file, feature_id)] += 1
                yield RuleCaseItem.from_parent(self, name=f"{rule.id}:{label}:{feature_id}",
                                               job=job, key=(case.file, nth, feature_id),
                                               expected=expected)


def _covers_rule_tests(config: pytest.Config) -> bool:
    """Whether this run is the whole suite (or a folder holding the rule tests)."""
    if config.args_source is not pytest.Config.ArgsSource.ARGS:
        return True
    root = config.rootpath
    for arg in config.args:
        path = Path(arg.split("::")[0])
        path = (path if path.is_absolute() else Path(config.invocation_params.dir) / path)
        path = path.resolve()
        if path.is_dir() and (path == root or (root / "tests" / "rules").resolve()
                              .is_relative_to(path)):
            return True
    return False


@pytest.hookimpl(tryfirst=True)  # before -k / -m deselect, so `pytest -k TV-01` selects cases
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config,
                                  items: list[pytest.Item]) -> None:
    paths = config.getoption("--rule-cases")
    for raw in dict.fromkeys(paths):
        if raw == BUILTIN:
            if not _covers_rule_tests(config):
                continue
            from inclusiecheck.engine.loader import builtin_rules_dir

            folder = builtin_rules_dir()
        else:
            folder = Path(raw)
        collector = RuleCaseCollector.from_parent(session, name=f"rule-cases:{raw}",
                                                  folder=folder)
        items.extend(collector.collect())
