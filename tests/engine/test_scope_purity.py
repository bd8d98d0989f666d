"""A pure scope (every built-in one) is decided once per feature and run, for every rule that
names it; a scope not declared pure (a plugin's) is called for every (rule, feature), in the
evaluation's order. Either way the findings are the same."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from inclusiecheck.api import load_model
from inclusiecheck.engine.evaluate import Evaluator, rules_in_force
from inclusiecheck.engine.loader import resolve_selectors
from inclusiecheck.engine.scopes import PURE_SCOPES, SCOPES, public_domain

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "marktplein"


def _run(model: Any, rules: Any, day: dt.date) -> tuple[Any, Any]:
    result = Evaluator(model, rules, date=day).run()
    return result.findings, result.counts


@pytest.mark.skipif(not SAMPLE.is_dir(), reason="sample plan absent")
@pytest.mark.parametrize("pure", [False, True])
def test_scope_calls_and_findings(pure: bool) -> None:
    model = load_model(SAMPLE)
    day = model.meta.permit_date or dt.date(2026, 1, 1)
    rules = rules_in_force(resolve_selectors(["publiek-domein"]), day)
    naming = [r for r in rules if r.spec.applies_to.scope == "public_domain"]
    assert len(naming) > 1
    assert public_domain in PURE_SCOPES
    expected = _run(model, rules, day)
    calls: Counter[int] = Counter()

    def counted(feature: Any, ctx: Any) -> Any:
        calls[id(feature)] += 1
        return public_domain(feature, ctx)

    SCOPES.register(counted, name="public_domain", replace=True)
    if pure:
        PURE_SCOPES.add(counted)
    try:
        assert _run(model, rules, day) == expected
    finally:
        SCOPES.register(public_domain, name="public_domain", replace=True)
        PURE_SCOPES.discard(counted)
    assert calls
    if pure:
        assert max(calls.values()) == 1
    else:
        assert max(calls.values()) > 1   # once per rule that reaches the scope
