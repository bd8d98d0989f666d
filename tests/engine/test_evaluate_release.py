"""A check lets go of what its evaluation kept and leaves nothing frozen for the collector
(issue 16): ``evaluate`` empties the run's caches once the evaluation is made (the evaluator
and its check context are a cycle, which a frozen heap would keep until the report is
written), and ``api.check`` / the CLI's ``write_outputs`` unfreeze what they froze."""

from __future__ import annotations

import datetime as dt
import gc
from pathlib import Path

import pytest

from inclusiecheck.api import check
from inclusiecheck.engine.evaluate import Evaluator, evaluate, rules_in_force
from inclusiecheck.engine.loader import resolve_selectors
from inclusiecheck.api import load_model

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "marktplein"


@pytest.mark.skipif(not SAMPLE.is_dir(), reason="sample plan absent")
def test_evaluate_releases_the_run_caches_and_keeps_the_findings(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    model = load_model(SAMPLE)
    day = model.meta.permit_date or dt.date(2026, 1, 1)
    rules = rules_in_force(resolve_selectors(["voetgangerswegen", "publiek-domein"]), day)
    kept: list[Evaluator] = []
    original = Evaluator.release

    def spy(self):  # type: ignore[no-untyped-def]
        assert self.ctx.regimes is not None and self.ctx._cache   # the run filled them
        kept.append(self)
        original(self)

    monkeypatch.setattr(Evaluator, "release", spy)
    result = evaluate(model, rules, date=day)
    assert len(kept) == 1
    ctx = kept[0].ctx
    assert ctx.regimes is None and not kept[0]._plans and not kept[0]._labels
    assert not ctx._cache and not ctx._shared and not ctx._outcomes
    # the evaluation is whole: the same findings as an evaluator that keeps its caches
    again = Evaluator(model, rules, date=day).run()
    assert result.findings == again.findings and result.counts == again.counts
    assert result.regimes == again.regimes


@pytest.mark.skipif(not SAMPLE.is_dir(), reason="sample plan absent")
def test_check_leaves_nothing_frozen() -> None:
    assert gc.get_freeze_count() == 0
    report = check(SAMPLE, rules=["voetgangerswegen"])
    assert report.findings
    assert gc.get_freeze_count() == 0


@pytest.mark.skipif(not SAMPLE.is_dir(), reason="sample plan absent")
def test_write_outputs_leaves_nothing_frozen(tmp_path: Path) -> None:
    from inclusiecheck.cli import write_outputs

    report = check(SAMPLE, rules=["voetgangerswegen"])
    written = write_outputs(report, tmp_path, ["json", "html"])
    assert [p.name for p in written] == ["report.json", "report.html"]
    assert gc.get_freeze_count() == 0
