"""pytest plugin: run rule cases as test items with the same runner as ``rules test``.

Use ``pytest --rule-cases PATH`` (a rule-set folder or a folder of sets); each expectation
becomes one test item named ``RULE:case-file:feature``.
"""

from __future__ import annotations

from pathlib import Path

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("inclusiecheck")
    group.addoption("--rule-cases", action="append", default=[], metavar="PATH",
                    help="run the pass/fail cases of the rule sets below PATH")


class RuleCaseItem(pytest.Item):
    def __init__(self, *, result, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(**kwargs)
        self.result = result

    def runtest(self) -> None:
        r = self.result
        if not r.ok:
            raise AssertionError(f"{r.test_id}: expected {r.expected}, got {r.actual}"
                                 + (f" ({r.detail})" if r.detail else ""))

    def reportinfo(self):  # type: ignore[no-untyped-def]
        return self.path, None, self.name


class RuleCaseCollector(pytest.Collector):
    def __init__(self, *, folder: Path, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(**kwargs)
        self.folder = folder

    def collect(self):  # type: ignore[no-untyped-def]
        from inclusiecheck.testing import run_cases

        for result in run_cases(self.folder):
            yield RuleCaseItem.from_parent(self, name=result.test_id, result=result)


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config,
                                  items: list[pytest.Item]) -> None:
    paths = config.getoption("--rule-cases")
    for raw in paths:
        collector = RuleCaseCollector.from_parent(session, name=f"rule-cases:{raw}",
                                                  folder=Path(raw))
        items.extend(collector.collect())
