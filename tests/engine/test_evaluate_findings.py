"""How the evaluator builds findings and treats the garbage collector (issue 15, item 3)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import inspect
from pathlib import Path

import pytest

from inclusiecheck.api import check
from inclusiecheck.engine import evaluate as evaluation
from inclusiecheck.engine.evaluate import Evaluator, evaluate
from shapely.geometry import LineString

from inclusiecheck.model import Finding, RawFeature, RawPlan, SourceRef
from inclusiecheck.model.normalise import normalise

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "marktplein"


def _empty_model():  # type: ignore[no-untyped-def]
    walkway = RawFeature("walkway", {"id": "w"}, LineString([(0, 0), (10, 0)]),
                         SourceRef("plan.geojson", "walkway", "w"))
    return normalise(RawPlan(Path("plan.geojson"), "EPSG:31370", [walkway]))


def test_model_is_frozen_while_rules_run_and_unfrozen_after(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    seen: list[int] = []
    original = Evaluator._run

    def spy(self):  # type: ignore[no-untyped-def]
        seen.append(gc.get_freeze_count())
        return original(self)

    monkeypatch.setattr(Evaluator, "_run", spy)
    assert gc.get_freeze_count() == 0
    model = _empty_model()
    evaluate(model, [], date=dt.date(2026, 1, 1))
    assert seen and seen[0] > 0          # the site model was in the permanent generation
    assert gc.get_freeze_count() == 0    # and is handed back to the collector afterwards
    assert gc.isenabled()


def test_objects_frozen_by_the_caller_stay_frozen() -> None:
    gc.freeze()
    try:
        before = gc.get_freeze_count()
        evaluate(_empty_model(), [], date=dt.date(2026, 1, 1))
        assert gc.get_freeze_count() >= before > 0
    finally:
        gc.unfreeze()


def test_no_module_flag_for_the_collector() -> None:
    assert not hasattr(evaluation, "PAUSE_GC")


def test_finding_arguments_name_every_field() -> None:
    """The evaluator gives every Finding field by keyword (location is filled in last)."""
    source = inspect.getsource(Evaluator._finding)
    fields = {f.name for f in dataclasses.fields(Finding)}
    named = {name for name in fields if f"{name}=" in source}
    assert named == fields


@pytest.mark.skipif(not SAMPLE.is_dir(), reason="sample plan absent")
def test_findings_carry_their_values_in_the_right_fields() -> None:
    report = check(SAMPLE, rules=["voetgangerswegen"], list_all=True)
    findings = report.findings
    assert findings
    for f in findings:
        assert isinstance(f, Finding)
        assert f.rule_id.startswith(("VW-", "vw-")) or f.rule_set == "voetgangerswegen"
        assert f.location is not None and f.location["type"]
        assert f.source.document and isinstance(f.message, str)
        assert f.status in ("new", "existing", "to_remove", "removed")
        assert f.texts is not None and set(f.texts) == {"message", "advice", "note"}


@pytest.mark.skipif(not SAMPLE.is_dir(), reason="sample plan absent")
def test_findings_are_frozen_with_the_model_inside_frozen_heap() -> None:
    """Inside ``frozen_heap`` what each rule leaves behind (and the findings made at the end
    of a pass) goes to the permanent generation; all is handed back afterwards."""
    from inclusiecheck.api import load_model
    from inclusiecheck.engine.evaluate import rules_in_force, run_order
    from inclusiecheck.engine.loader import resolve_selectors

    model = load_model(SAMPLE)
    rules = rules_in_force(resolve_selectors(["voetgangerswegen"]), dt.date(2026, 1, 1))
    assert gc.get_freeze_count() == 0
    with evaluation.frozen_heap():
        frozen_model = gc.get_freeze_count()
        part = Evaluator(model, rules, date=dt.date(2026, 1, 1), list_all=True).evaluate_pass(
            list(enumerate(run_order(rules))))
        assert part.findings
        assert gc.get_freeze_count() > frozen_model
        collected = {id(o) for o in gc.get_objects()}   # (the frozen ones are not listed)
        assert not any(id(f) in collected for f in part.findings)
        assert gc.isenabled()
    assert gc.get_freeze_count() == 0
    assert gc.isenabled()


@pytest.mark.skipif(not SAMPLE.is_dir(), reason="sample plan absent")
def test_nothing_is_frozen_outside_frozen_heap() -> None:
    """A pass run without ``frozen_heap`` (a caller that would never unfreeze) freezes
    nothing and leaves the collector enabled; its findings equal those of a frozen run."""
    from inclusiecheck.api import load_model
    from inclusiecheck.engine.evaluate import rules_in_force, run_order
    from inclusiecheck.engine.loader import resolve_selectors

    model = load_model(SAMPLE)
    rules = rules_in_force(resolve_selectors(["voetgangerswegen"]), dt.date(2026, 1, 1))
    assert gc.get_freeze_count() == 0
    plain = Evaluator(model, rules, date=dt.date(2026, 1, 1), list_all=True).evaluate_pass(
        list(enumerate(run_order(rules))))
    assert gc.get_freeze_count() == 0 and gc.isenabled()
    with evaluation.frozen_heap():
        frozen = Evaluator(model, rules, date=dt.date(2026, 1, 1),
                           list_all=True).evaluate_pass(list(enumerate(run_order(rules))))
    assert plain.findings == frozen.findings
    assert [f.location for f in plain.findings] == [f.location for f in frozen.findings]


def test_collector_restored_when_making_kept_objects_fails() -> None:
    for enabled in (True, False):
        (gc.enable if enabled else gc.disable)()
        try:
            with pytest.raises(RuntimeError), evaluation._making_kept_objects():
                assert not gc.isenabled()
                raise RuntimeError
            assert gc.isenabled() is enabled
            assert gc.get_freeze_count() == 0   # outside frozen_heap: nothing frozen
        finally:
            gc.enable()


@pytest.mark.skipif(not SAMPLE.is_dir(), reason="sample plan absent")
def test_a_heap_frozen_before_gets_no_survivors_frozen() -> None:
    """An application that froze its own heap before the check (gc.freeze at start-up):
    ``frozen_heap`` will not unfreeze at its end, so the evaluator freezes nothing more (the
    garbage cycles a rule leaves would otherwise stay frozen, and in memory, for good)."""
    from inclusiecheck.api import load_model
    from inclusiecheck.engine.evaluate import rules_in_force, run_order
    from inclusiecheck.engine.loader import resolve_selectors

    model = load_model(SAMPLE)
    rules = rules_in_force(resolve_selectors(["voetgangerswegen"]), dt.date(2026, 1, 1))
    assert gc.get_freeze_count() == 0
    gc.freeze()   # the application's own
    try:
        with evaluation.frozen_heap():
            frozen = gc.get_freeze_count()
            part = Evaluator(model, rules, date=dt.date(2026, 1, 1),
                             list_all=True).evaluate_pass(list(enumerate(run_order(rules))))
            assert part.findings
            collected = {id(o) for o in gc.get_objects()}
            assert all(id(f) in collected for f in part.findings)   # not frozen
            assert gc.get_freeze_count() <= frozen
        assert gc.get_freeze_count() > 0   # the application's freeze is left as it was
    finally:
        gc.unfreeze()
