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


def _random_fields(rng):  # type: ignore[no-untyped-def]
    from inclusiecheck.model import Citation, Level, Outcome, Pillar

    pick = rng.choice
    return {
        "rule_id": pick(["A-1", "B-2"]), "rule_set": "s", "layer": pick(["walkway", "ramp"]),
        "feature_id": str(rng.integers(100)), "source_ref": {"file": "plan.gpkg", "fid": "1"},
        "outcome": pick(list(Outcome)), "level": pick(list(Level)),
        "structural": bool(rng.integers(2)), "pillar": pick(list(Pillar)),
        "property": pick(["width_m", None]), "measured": float(rng.random()),
        "required": pick([1, "x", None, True]), "unit": pick(["m", None]), "message": "m",
        "advice": pick(["a", None]), "source": Citation("doc", "art. 1"),
        "location": pick([None, {"type": "Point", "coordinates": [1.0, 2.0]}]),
        "status": pick(["new", "existing"]), "missing": tuple(pick(["a", "b"], 2)),
        "note": pick([None, "n."]), "deviation": None, "rule_set_version": pick([None, "1"]),
        "data": {"k": float(rng.random())}, "rule_version": pick([None, 2]),
        "regime": pick([None, "bv97"]), "regime_reason": {"nl": "x", "en": "y"},
        "would_fail": pick([None, True, False]), "texts": {"message": {"template": {}}},
    }


def test_new_finding_makes_what_the_dataclass_makes() -> None:
    """_new_finding (slots set directly) gives a Finding equal in every field (texts too) to
    Finding(**fields), the very value objects in each field; every field is required."""
    import numpy as np

    rng = np.random.default_rng(3)
    for _ in range(200):
        values = _random_fields(rng)
        made, reference = evaluation._new_finding(**values), Finding(**values)
        assert type(made) is Finding and made == reference
        for f in dataclasses.fields(Finding):
            assert getattr(made, f.name) is getattr(reference, f.name) is values[f.name]
    values = _random_fields(rng)
    del values["would_fail"]
    with pytest.raises(TypeError):
        evaluation._new_finding(**values)
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.rule_id = "other"  # type: ignore[misc]


def _reference_jsonable_dict(data):  # type: ignore[no-untyped-def]
    """_jsonable_dict as it was before its fast paths (isinstance, in this order)."""
    jsonable = evaluation._jsonable
    out = {}
    for key, value in data.items():
        if isinstance(value, dict):
            out[key] = _reference_jsonable_dict(value)
        elif isinstance(value, (list, tuple)):
            out[key] = [jsonable(v) if not isinstance(v, (dict, list)) else v for v in value]
        else:
            out[key] = jsonable(value)
    return out


def test_finding_data_equals_the_two_step_reference() -> None:
    """_finding_data (one pass, fast paths) against the copy-then-_jsonable_dict it
    replaced, key order and value types included, on random data with and without
    ``source`` and ``value_source``."""
    import numpy as np

    def reference(rdata):  # type: ignore[no-untyped-def]
        data = {k: v for k, v in rdata.items() if k != "source"}
        if "source" in rdata:
            data["value_source"] = rdata["source"]
        return _reference_jsonable_dict(data)

    rng = np.random.default_rng(5)
    pool = [None, True, 3, 2.123456, -0.0004, "t", np.float64(1.23456), np.int64(4),
            [1.23456, "a", {"x": 1.0}], (2.5, None), {"nl": "a", "en": 1.98765},
            {"deep": {"x": 1.11111}}, float("nan")]
    names = ["a", "b", "source", "value_source", "c"]
    for _ in range(500):
        rdata = {name: pool[int(rng.integers(len(pool)))] for name in rng.permutation(names)
                 if rng.random() < 0.6}
        got, want = evaluation._finding_data(rdata), reference(rdata)
        assert list(got) == list(want)
        assert repr(got) == repr(want)


def test_message_text_memo_gives_what_render_gives() -> None:
    """_label_text (a template naming only property, unit and missing names: its text
    memoised per those names) renders what render renders from _message_text's values, also
    when the check's data names one of them (no memo then) and in either language."""
    import numpy as np

    from inclusiecheck.engine.checks.api import CheckResult
    from inclusiecheck.model import Outcome
    from inclusiecheck.model.texts import render

    model = _empty_model()
    feature = model.features("walkway")[0]
    templates = ["Ontbreekt ({missing}).", "{property} in {unit}: {missing}", "zonder", "{x}",
                 "{property} {measured}{unit} ({missing})", "{missing} {feature_id}"]
    rng = np.random.default_rng(11)
    for lang in ("nl", "en"):
        ev = Evaluator(model, [], date=dt.date(2026, 1, 1), lang=lang)
        for _ in range(400):
            data = {}
            if rng.random() < 0.3:
                data[str(rng.choice(["missing", "unit", "x", "property"]))] = \
                    str(rng.choice(["eigen", "own"]))
            result = CheckResult(
                Outcome.TO_VERIFY, property=rng.choice(["width_m", "slope_pct", None]),
                measured=rng.choice([1.5, None]), unit=rng.choice(["m", "pct", None]),
                missing=tuple(rng.choice(["width_m", "contrast", "height_m"],
                                         int(rng.integers(0, 3)))), data=data)
            both = {"nl": str(rng.choice(templates)), "en": str(rng.choice(templates))}
            message = ev._message_text(both, feature, result)
            want = render(both[lang], message["values"], lang)
            assert ev._label_text(both[lang], message["values"], result) == want


def test_source_ref_as_dict_equals_the_loop() -> None:
    """SourceRef.as_dict (written out) gives the dict of the loop it replaced, key order
    included, for every combination of set fields."""
    import itertools

    names = ("layer", "fid", "global_id", "osm_id")
    for present in itertools.product((False, True), repeat=len(names)):
        values = {n: (f"{n}-v" if on else None) for n, on in zip(names, present)}
        ref = SourceRef("plan.gpkg", **values)
        want = {"file": "plan.gpkg"}
        for key in names:
            if getattr(ref, key) is not None:
                want[key] = getattr(ref, key)
        assert list(ref.as_dict().items()) == list(want.items())
