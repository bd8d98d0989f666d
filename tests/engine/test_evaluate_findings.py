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
    source = inspect.getsource(Evaluator._finding_args)
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
