"""Evaluate rule sets on a site model: select features, run checks, emit findings.

Selection ("which features does this rule apply to": layer, geometry kind, attribute and plan
conditions, legal scope) is cheap and runs first; the check (and any measure it needs) only
runs on features the rule applies to. Passes and not-applicable outcomes are counted, and only
kept as findings when ``list_all`` is set, so a 100k-feature plan stays light.
"""

from __future__ import annotations

import datetime as dt
import enum
import gc
import json
import types
from contextlib import contextmanager
from collections import Counter, defaultdict
from dataclasses import dataclass, field, fields
from typing import Any, Final, cast
from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from inclusiecheck.engine.checks.api import CheckContext, CheckResult
from inclusiecheck.engine.conditions import compile_conditions, decide, explain_failure
from inclusiecheck.engine.deviations import Deviation
from inclusiecheck.engine.loader import LoadedRule, RuleSet, run_order
from inclusiecheck.engine.messages import render
from inclusiecheck.engine.regimes import RegimeIndex
from inclusiecheck.engine.scopes import DERIVED, PURE_SCOPES, REGULATION_NAMES, SCOPES
from inclusiecheck.model import (
    Citation,
    Feature,
    Finding,
    Level,
    Outcome,
    Pillar,
    ReadWarning,
    SiteModel,
)
from inclusiecheck.model.findings import LISTED_OUTCOMES
from inclusiecheck.model.labels import join_labels, label, labels, unit_label, value_text
from inclusiecheck.model.texts import LANGS, placeholders

@contextmanager
def frozen_heap() -> Any:
    """Move every object alive now (the normalised site model) to the collector's permanent
    generation (:func:`gc.freeze`) while the rules run, and back afterwards.

    An evaluation creates hundreds of thousands of small acyclic objects (results, findings,
    GeoJSON locations) while the whole site model stays alive; without the freeze, every
    full collection would traverse that model again (about a fifth of the evaluation time
    of a 100k-feature plan) and free nothing reference counting does not. The collector
    keeps running for the objects the evaluation makes; what each rule leaves behind is
    frozen too once it has run (:func:`_freeze_survivors`). When something else (an embedding
    application, or a check that keeps the model and the findings frozen from the evaluation
    until its report is assembled and written: :func:`inclusiecheck.api.check`, the CLI's
    ``write_outputs``) had already frozen objects, they stay frozen.
    """
    frozen_before = gc.get_freeze_count() > 0
    gc.freeze()
    owner = not frozen_before   # this block unfreezes at its end
    if owner:
        _FrozenBlocks.open += 1
    try:
        yield
    finally:
        if owner:
            _FrozenBlocks.open -= 1
            # gc.unfreeze() releases every frozen object: only when none was frozen before
            gc.unfreeze()


class _FrozenBlocks:
    """How many :func:`frozen_heap` blocks are open that will unfreeze the heap when they end
    (the evaluator then also freezes what each rule leaves behind: :func:`_freeze_survivors`).
    A block entered with objects frozen already (by an embedding application that froze its
    own heap, or an outer block) does not count: what it froze would stay frozen for good, so
    the garbage a rule leaves (cycles not collected yet) would never be freed."""

    open = 0


def _freeze_survivors() -> None:
    """Inside :func:`frozen_heap`: move what is alive now (the findings, measures and shared
    structures of the rules run so far) to the permanent generation too.

    Without it, every full collection during an evaluation traverses all the findings and
    cached measures made so far (and frees nothing: they are alive until the report is
    written): on a 60k-feature plan about sixteen full collections, some 2 s of CPU. What
    the next rules make is still collected as usual, and everything is handed back to the
    collector when the outermost :func:`frozen_heap` ends. Outside one: nothing (a caller
    that never unfreezes would keep the objects out of the collector for good)."""
    if _FrozenBlocks.open:
        gc.freeze()


#: the name the evaluator and the parallel runs use
_model_frozen = frozen_heap


TO_VERIFY_TEXT = {
    "nl": "Te controleren: de gegevens ontbreken om dit te beoordelen ({missing}).",
    "en": "To verify: the data needed to judge this is missing ({missing}).",
}
PASS_TEXT = {"nl": "Voldoet.", "en": "Meets the requirement."}
DEVIATION_TEXT = {"nl": "Afwijking toegestaan: ", "en": "Deviation granted: "}
NA_TEXT = {"nl": "Niet van toepassing.", "en": "Not applicable."}

#: messages of a to_verify finding whose scope is undecided but whose check was measured
UNDECIDED_TEXT = {
    "would_fail": {
        "nl": "{measured}{unit} gemeten; als {regulation} van toepassing is, is {bound} "
              "{required}{unit} {needed} ({undecided}).",
        "en": "{measured}{unit} measured; if {regulation} applies, {bound} {required}{unit} is "
              "{needed} ({undecided}).",
    },
    "would_pass": {
        "nl": "{measured}{unit} gemeten: voldoet als {regulation} van toepassing is ({bound} "
              "{required}{unit}); te bevestigen: {undecided}.",
        "en": "{measured}{unit} measured: meets the requirement if {regulation} applies ({bound} "
              "{required}{unit}); to confirm: {undecided}.",
    },
    "depends": {
        "nl": "{measured}{unit} gemeten: als {regulation} van toepassing is, is {bound} "
              "{required}{unit} {needed}, in het mildste geval {lenient}{unit} ({undecided}).",
        "en": "{measured}{unit} measured: if {regulation} applies, {bound} {required}{unit} is "
              "{needed}, in the least strict case {lenient}{unit} ({undecided}).",
    },
    "other": {
        "nl": "Als {regulation} van toepassing is: {message} ({undecided})",
        "en": "If {regulation} applies: {message} ({undecided})",
    },
    "other_pass": {
        "nl": "Voldoet als {regulation} van toepassing is; te bevestigen: {undecided}.",
        "en": "Meets the requirement if {regulation} applies; to confirm: {undecided}.",
    },
}
BOUND_TEXT = {"min": {"nl": "minstens", "en": "at least"},
              "max": {"nl": "hoogstens", "en": "at most"}}
NEEDED_TEXT = {"obligation": {"nl": "verplicht", "en": "required"},
               "recommendation": {"nl": "aanbevolen", "en": "recommended"}}
#: why a scope is undecided, per missing datum
UNDECIDED_REASON = {
    "work_kind": {"nl": "aard van de werken onbekend", "en": "kind of works unknown"},
    "public": {"nl": "niet bekend of het gebouw publiek toegankelijk is",
               "en": "not known whether the building is publicly accessible"},
    "building_area_m2": {"nl": "publiek toegankelijke oppervlakte onbekend",
                         "en": "publicly accessible floor area unknown"},
}


@contextmanager
def _making_kept_objects() -> Any:
    """The collector paused while a block makes many objects that are all kept (the findings'
    locations and the findings at the end of a pass), then those frozen with the model
    (:func:`_freeze_survivors`, inside :func:`frozen_heap`).

    None of them can be garbage, yet each young collection during the block would traverse
    the ones made so far (the coordinate lists of 80,000 locations: about 0.4 s of CPU), and
    the full collections after it all of them again. The collector's state is restored."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        _freeze_survivors()
        if enabled:
            gc.enable()


class _Scope(enum.Enum):
    UNDECIDED = "undecided"


#: marker of "the scope is undecided for lack of scope data only: measure anyway"
UNDECIDED: Final = _Scope.UNDECIDED


@dataclass(slots=True)
class RuleStats:
    counts: Counter[str] = field(default_factory=Counter)
    missing: Counter[str] = field(default_factory=Counter)


@dataclass(slots=True)
class Partial:
    """What one pass over some rules and features gives (:meth:`Evaluator.evaluate_pass`): the
    listed findings (with their keys in a single-process run's order when keyed), the counts,
    the per-rule statistics, the deviations used and the features (layer, index in the whole
    plan) on which a rule's scope was undecided."""

    findings: list[Finding]
    keys: list[tuple[int, int, int, int]] | None
    counts: Counter[tuple[str, str, str, str, str]]
    stats: dict[str, RuleStats]
    used_deviations: set[tuple[str, str, str | None]]
    undecided: list[tuple[str, int]]


@dataclass(slots=True)
class Evaluation:
    """Findings (listed ones, or all with ``list_all``), counts and per-rule statistics."""

    findings: list[Finding]
    counts: dict[tuple[str, str, str, str, str], int]  # (set, pillar, level, status, outcome)
    rule_stats: dict[str, RuleStats]
    rules: list[LoadedRule]
    warnings: list[ReadWarning]
    #: features per regime, and the regimes derived from geometry or plan defaults for the
    #: reviewer to confirm (see :meth:`Evaluator.regime_summary`)
    regimes: dict[str, Any] = field(default_factory=dict)


def rules_in_force(rulesets: Iterable[RuleSet], day: dt.date) -> list[LoadedRule]:
    """The rules valid on ``day`` (a rule's own dates, within its set's validity)."""
    out: list[LoadedRule] = []
    for ruleset in rulesets:
        spec = ruleset.spec
        if spec.valid_from and day < spec.valid_from:
            continue
        if spec.valid_until and day > spec.valid_until:
            continue
        out.extend(r for r in ruleset.rules if r.spec.valid_on(day))
    return out


def locations_of(geoms: list[BaseGeometry | None]) -> list[dict[str, Any] | None]:
    """GeoJSON geometries (2D, coordinates rounded to the millimetre), vectorised.

    Rounding moves coordinates only (no topology operations), so tiny features survive. A
    geometry object listed several times (a feature with several findings) is converted for
    each entry, in the same vectorised calls: every entry gets its own dict and lists (made
    by numpy's ``tolist``, not copied in Python).
    """
    out: list[dict[str, Any] | None] = [None] * len(geoms)
    present = [k for k, g in enumerate(geoms) if g is not None]
    if not present:
        return out
    arr = np.empty(len(present), dtype=object)
    arr[:] = [geoms[k] for k in present]
    for k, shape in zip(present, _geojson_dicts(arr)):
        out[k] = shape
    return out


#: shapely type ids written directly (Point, LineString, Polygon); others go through GEOS
_POINT, _LINE, _POLYGON = 0, 1, 3


def _geojson_dicts(arr: np.ndarray) -> list[dict[str, Any] | None]:
    """GeoJSON dicts of non-``None`` geometries, 2D, rounded to the millimetre (the only
    rounding of a finding's coordinates: the reports write them as they are; ``+ 0.0`` turns
    a rounded ``-0.0`` into ``0.0``).

    Points, lines and polygons are built straight from their coordinate arrays (the same
    values and nesting GEOS writes); other kinds through ``to_geojson``. Empty: ``None``.
    """
    out: list[dict[str, Any] | None] = [None] * len(arr)
    types = shapely.get_type_id(arr)
    empty = shapely.is_empty(arr)
    simple = ~empty & np.isin(types, (_POINT, _LINE, _POLYGON))
    other = np.flatnonzero(~empty & ~simple)
    if len(other):
        flat = shapely.transform(shapely.force_2d(arr[other]), lambda xy: np.round(xy, 3) + 0.0)
        for k, text in zip(other.tolist(), shapely.to_geojson(flat).tolist()):
            out[k] = json.loads(text)
    for type_id, name in ((_POINT, "Point"), (_LINE, "LineString")):
        sel = np.flatnonzero(simple & (types == type_id))
        if not len(sel):
            continue
        xy, owner = shapely.get_coordinates(arr[sel], return_index=True)
        xy = (np.round(xy, 3) + 0.0).tolist()
        if type_id == _POINT:
            for k, c in zip(sel.tolist(), xy):
                out[k] = {"type": name, "coordinates": c}
            continue
        for k, lo, hi in zip(sel.tolist(), *_runs(owner, len(sel))):
            out[k] = {"type": name, "coordinates": xy[lo:hi]}
    sel = np.flatnonzero(simple & (types == _POLYGON))
    if len(sel):
        rings, ring_owner = shapely.get_rings(arr[sel], return_index=True)
        xy, owner = shapely.get_coordinates(rings, return_index=True)
        xy = (np.round(xy, 3) + 0.0).tolist()
        ring_lists = [xy[lo:hi] for lo, hi in zip(*_runs(owner, len(rings)))]
        for k, lo, hi in zip(sel.tolist(), *_runs(ring_owner, len(sel))):
            out[k] = {"type": "Polygon", "coordinates": ring_lists[lo:hi]}
    return out


def _runs(owner: np.ndarray, n: int) -> tuple[list[int], list[int]]:
    """Start and end positions of each of ``n`` owners in a sorted owner-index array."""
    bounds = np.searchsorted(owner, np.arange(n + 1))
    return bounds[:-1].tolist(), bounds[1:].tolist()


@dataclass(slots=True)
class _RulePlan:
    """What a rule needs per feature, computed once per run (not once per finding)."""

    geometry: frozenset[str] | None
    where: dict[str, Any]
    plan_na: bool
    plan_missing: tuple[str, ...]
    scope: Any
    to_verify_unknown: bool
    level: Level
    pillar: Pillar
    citation: Citation
    advice: str | None
    templates: dict[Outcome, dict[str, str]]   # outcome -> {nl, en}
    advice_texts: dict[str, str] | None = None
    scope_name: str | None = None
    lenient: Any = None  # check parameters with the least strict in-scope limits
    #: nothing to decide per feature (no geometry kinds, ``where``, plan condition or scope):
    #: the rule applies to every feature of its layers
    applies_to_all: bool = False
    #: layer -> the rule's selection compiled for the features of that layer (:meth:`_decider`)
    deciders: dict[str, Callable[[Feature], _Decision]] = field(default_factory=dict)


class Evaluator:
    def __init__(self, model: SiteModel, rules: list[LoadedRule], *, date: dt.date,
                 lang: str = "nl", list_all: bool = False,
                 deviations: list[Deviation] | None = None,
                 scope_parameters: dict[str, float] | None = None) -> None:
        from inclusiecheck.engine.measures import MEASURES

        self.model = model
        self.rules = rules
        self.lang = lang
        self.list_all = list_all
        self.ctx = CheckContext(model, date, lang, MEASURES, DERIVED)
        # outcomes that a rule's check reads (any_compliant) are recorded while rules run
        self.ctx.watch(r for rule in rules for r in rule.params.reads())
        from inclusiecheck.engine.loader import scope_parameters as scope_parameters_of

        ctx = self.ctx
        # a tile of a parallel run gets the figures of every rule in force, not only its own
        ctx.scope_parameters = (dict(scope_parameters) if scope_parameters is not None
                                else scope_parameters_of(rules))
        ctx.regimes = RegimeIndex(model, ctx.scope_parameters,
                                  public_of=lambda f: ctx.value(f, "public"))
        self.deviations = {(d.rule, d.feature, d.layer): d for d in deviations or []}
        self.used_deviations: set[tuple[str, str, str | None]] = set()
        self._plans: dict[int, _RulePlan] = {}
        #: features on which some rule's scope was undecided (their regime needs confirming)
        self._undecided_seen: set[int] = set()
        #: labels that depend only on a name (a property, a unit, missing names): worked out
        #: once per run, copied into each finding (never shared between findings)
        self._labels: dict[Any, Any] = {}
        #: the results of pure scopes (:data:`PURE_SCOPES`): scope -> {id(feature): result}
        self._scope_results: dict[Any, dict[int, Any]] = {}

    def _plan(self, rule: LoadedRule) -> _RulePlan:
        """The per-run constants of ``rule`` (selection, metadata, message templates)."""
        plan = self._plans.get(id(rule))
        if plan is not None:
            return plan
        spec = rule.spec
        applies = spec.applies_to
        lang = self.lang
        # plan conditions do not depend on the feature: decide them once
        state, plan_missing = decide(applies.plan, self._plan_value)
        plan_na = state is False
        templates: dict[Outcome, dict[str, str]] = {}
        per = spec.messages
        chosen_by = {}
        if per is not None:
            chosen_by = {Outcome.FAIL: per.fail, Outcome.WARN: per.warn,
                         Outcome.TO_VERIFY: per.to_verify, Outcome.PASS: per.pass_}
        for outcome in Outcome:
            both = {}
            for code in LANGS:   # both report languages: a report renders its own
                chosen = chosen_by.get(outcome)
                template = chosen.get(code) if chosen is not None else None
                if template is None:
                    if outcome in (Outcome.FAIL, Outcome.WARN, Outcome.DEVIATION):
                        template = spec.message.get(code)
                    elif outcome is Outcome.TO_VERIFY:
                        template = TO_VERIFY_TEXT[code]
                    elif outcome is Outcome.PASS:
                        template = PASS_TEXT[code]
                    else:
                        template = NA_TEXT[code]
                both[code] = template
            templates[outcome] = both
        plan = _RulePlan(
            geometry=frozenset(applies.geometry) if applies.geometry else None,
            where=dict(applies.where), plan_na=plan_na,
            plan_missing=tuple(plan_missing),
            scope=SCOPES[applies.scope] if applies.scope else None,
            to_verify_unknown=applies.unknown == "to_verify",
            level=Level(spec.level), pillar=Pillar(spec.pillar),
            citation=Citation(spec.source.document, spec.source.article, spec.source.url,
                              spec.source.kind),
            advice=spec.advice.get(lang), templates=templates, scope_name=applies.scope,
            advice_texts={code: spec.advice.get(code) for code in LANGS},
            lenient=_lenient_params(rule))
        plan.applies_to_all = (plan.geometry is None and not plan.where and not plan.plan_na
                               and not plan.plan_missing and plan.scope is None)
        self._plans[id(rule)] = plan
        return plan

    def _plan_value(self, name: str) -> Any:
        """A plan-metadata value a rule's ``applies_to.plan`` names."""
        meta = self.model.meta
        value = getattr(meta, name, None)
        if value is None:
            value = (meta.model_extra or {}).get(name)
        if name == "built_up_area" and value is None:
            value = meta.effective_built_up_area()
        return value

    # -- selection ---------------------------------------------------------------------------
    def why_not_applicable(self, rule: LoadedRule, feature: Feature) -> str:
        """Which selection step made ``rule`` not applicable to ``feature`` (for ``rules
        test``): the layer, the geometry, a ``where`` or plan condition, the scope, or the
        check itself."""
        applies = rule.spec.applies_to
        if feature.layer not in applies.layers:
            return f"layer {feature.layer} is not among {', '.join(applies.layers)}"
        plan = self._plan(rule)
        if plan.geometry is not None and feature.geom_type not in plan.geometry:
            return (f"geometry {feature.geom_type} is not among "
                    f"{', '.join(sorted(plan.geometry))}")

        def value_of(name: str) -> Any:
            return self.ctx.value(feature, name)

        state, missing = decide(plan.where, value_of)
        if state is False:
            return f"where {explain_failure(plan.where, value_of)}"
        failed = explain_failure(applies.plan, self._plan_value)
        if failed:
            return f"plan {failed}"
        if plan.scope is not None:
            result = plan.scope(feature, self.ctx)
            if result.applies is False:
                why = result.case.get("en") if result.case else ""
                return f"scope {plan.scope_name} does not apply" + (f": {why}" if why else "")
        if missing and not plan.to_verify_unknown:
            return (f"where {', '.join(missing)}: unknown in the data (applies_to.unknown: "
                    "not_applicable)")
        results = rule.check.run(feature, rule.params, self.ctx)
        notes = [r.note.get("en", "") for r in results
                 if r.outcome is Outcome.NOT_APPLICABLE and r.note]
        return "the check judged it not applicable" + (f" ({'; '.join(notes)})" if notes else "")

    def _decider(self, plan: _RulePlan, layer: str) -> Callable[[Feature], _Decision]:
        """Whether the rule of ``plan`` applies to a feature of ``layer``, as one function built
        once per (rule, layer) and run: ``decider(feature)`` is ``(None, (), case)`` when the
        rule applies, else the outcome to report instead, with the missing names
        (``to_verify``) or the scope's case note.

        In order: the geometry kind, the ``where`` conditions (compiled into a predicate tree
        that reads each attribute through a reader resolved for the layer,
        :meth:`CheckContext.reader`, instead of interpreting the conditions per feature), the
        plan conditions (decided once in :meth:`_plan`), the legal scope (a feature outside
        it is not applicable, whatever else it lacks), then missing selection data (named
        before an undecided scope); an undecided scope alone gives :data:`UNDECIDED` (the
        check still measures). A pure scope (:data:`PURE_SCOPES`: the built-in ones) is
        decided once per feature and run, for every rule that names it; any other is called
        per (rule, feature), in the evaluation's order (a plugin scope may read the outcomes
        that earlier rules recorded)."""
        known = plan.deciders.get(layer)
        if known is not None:
            return known
        ctx = self.ctx
        geometry = plan.geometry
        predicate = compile_conditions(plan.where, lambda name: ctx.reader(layer, name)) \
            if plan.where else None
        plan_na, plan_missing = plan.plan_na, plan.plan_missing
        scope, to_verify = plan.scope, plan.to_verify_unknown
        na, to_verify_outcome = Outcome.NOT_APPLICABLE, Outcome.TO_VERIFY
        not_applicable: _Decision = (na, (), None)
        # a pure scope is decided once per feature and run, for every rule that names it
        known_results = self._scope_results.setdefault(scope, {}) \
            if scope is not None and scope in PURE_SCOPES else None

        def decider(feature: Feature) -> _Decision:
            if geometry is not None and feature.geom_type not in geometry:
                return not_applicable
            missing: list[str]
            if predicate is not None:
                state, missing = predicate(feature)
                if state is False:
                    return not_applicable
            else:
                missing = []
            if plan_na:
                return not_applicable
            if plan_missing:
                missing = [*missing, *plan_missing]
            # the legal scope decides before missing selection data: a feature outside the
            # scope is not applicable, whatever else it lacks
            if scope is None:
                if missing:
                    return (to_verify_outcome, tuple(missing), None) if to_verify \
                        else not_applicable
                return _APPLIES
            if known_results is None:
                result = scope(feature, ctx)
            else:
                result = known_results.get(id(feature))
                if result is None:
                    result = known_results[id(feature)] = scope(feature, ctx)
            applies = result.applies
            if applies is False:
                return na, (), result.case
            # applicability before scope: an undecided filter is named, not the undecided scope
            if missing:
                return (to_verify_outcome, tuple(missing), result.case) if to_verify \
                    else not_applicable
            if applies is None:
                # undecided for lack of scope data only: the check still measures
                return UNDECIDED, result.missing, result.case
            return None, (), result.case

        plan.deciders[layer] = decider
        return decider

    # -- findings -------------------------------------------------------------------------------
    def _finding(self, rule: LoadedRule, feature: Feature, result: CheckResult,
                 case: dict[str, str] | None, would_fail: bool | None = None,
                 message: dict[str, Any] | None = None, *,
                 plan: _RulePlan | None = None) -> Finding:
        """The :class:`Finding` of ``result``, its ``location`` still ``None`` (the locations
        of a pass are made at once, then filled in: :meth:`evaluate_pass`); ``plan``: the
        rule's :meth:`_plan`, when the caller has it."""
        spec = rule.spec
        if plan is None:
            plan = self._plan(rule)
        lang = self.lang
        outcome = result.outcome
        deviation = None
        if self.deviations and outcome in (Outcome.FAIL, Outcome.WARN):
            dev = (self.deviations.get((spec.id, feature.id, feature.layer))
                   or self.deviations.get((spec.id, feature.id, None)))
            if dev is not None:
                self.used_deviations.add((dev.rule, dev.feature, dev.layer))
                deviation = {**dev.as_dict(), "original_outcome": outcome.value}
                outcome = Outcome.DEVIATION
        if message is None:
            template = plan.templates[outcome]
            message = self._message_text(template, feature, result)
            text = self._label_text(template[lang], message["values"], result)
        else:
            text = render(message["template"][lang], message["values"], lang)
        notes_by: dict[str, str | None]
        if not case and not result.note and not deviation:
            notes_by = dict.fromkeys(LANGS)   # no note in any language (most findings)
        elif not deviation and not result.note:
            # the scope's case note alone: the same for many findings (a check's own note
            # mostly names the feature's values: not memoised)
            try:
                nkey = ("notes", tuple(case.items()))   # type: ignore[union-attr]
                known_notes = self._labels.get(nkey)
            except TypeError:   # (an unhashable text: no memo)
                nkey, known_notes = None, None
            if known_notes is None:
                known_notes = _notes(case, None, None)
                if nkey is not None:
                    self._labels[nkey] = known_notes
            notes_by = dict(known_notes)   # (each finding its own)
        else:
            notes_by = _notes(case, result.note, deviation)
        rdata = result.data
        regime = self.ctx.regime(feature)
        measured, required = result.measured, result.required
        cls = type(measured)
        if not (measured is None or cls is str or cls is int or cls is bool):
            measured = round(measured, 3) if cls is float else _jsonable(measured)
        cls = type(required)
        if not (required is None or cls is str or cls is int or cls is bool):
            required = round(required, 3) if cls is float else _jsonable(required)
        return _new_finding(
            rule_id=spec.id, rule_set=rule.rule_set, layer=feature.layer,
            feature_id=feature.id, source_ref=feature.source.as_dict(), outcome=outcome,
            level=plan.level, structural=spec.structural, pillar=plan.pillar,
            property=result.property, measured=measured, required=required, unit=result.unit,
            message=text,
            # (advice: None for a rule without advice in the report's language, as ever)
            advice=plan.advice, source=plan.citation, location=None, status=feature.status,
            missing=result.missing, note=notes_by[lang], deviation=deviation,
            rule_set_version=rule.rule_set_version,
            data=_finding_data(rdata) if rdata else {}, rule_version=spec.version,
            regime=regime.code, regime_reason=dict(regime.reason), would_fail=would_fail,
            texts={"message": message, "advice": plan.advice_texts, "note": notes_by})

    def _message_text(self, template: dict[str, str], feature: Feature,
                      result: CheckResult) -> dict[str, Any]:
        """The message of a finding as template ``{nl, en}`` + values: names and codes as
        labels in both languages, so a report renders it in its own language."""
        memo = self._labels
        tkey = ("template", id(template))
        known = memo.get(tkey)
        if known is None or known[0] is not template:   # (the id of this very template)
            known = memo[tkey] = (template, any("{" in t for t in template.values()))
        if not known[1]:
            return {"template": template, "values": {}}
        prop, unit, missing = result.property, result.unit, result.missing
        if type(missing) is not tuple:
            missing = tuple(missing)
        # the labels of the property, the unit and the missing names, worked out once per run
        # (with whether each is a dict: each finding gets its own copy of one)
        lkey = ("labels", prop, unit, missing)
        names = memo.get(lkey)
        if names is None:
            found: Any = labels(prop) if prop else prop
            words = _unit_words(unit)
            names = memo[lkey] = (found, isinstance(found, dict), words,
                                  isinstance(words, dict), join_labels(missing))
        prop_labels, prop_dict, unit_words, unit_dict, missing_labels = names
        measured, required = result.measured, result.required
        values: dict[str, Any] = {
            "feature_id": feature.id, "layer": feature.layer,
            "property": dict(prop_labels) if prop_dict else prop_labels,
            "measured": self._value_text(prop, measured) if isinstance(measured, str)
            else measured,   # (value_text gives anything but a code as it is)
            "required": self._value_text(prop, required) if isinstance(required, str)
            else required,
            "unit": dict(unit_words) if unit_dict else unit_words,
            "missing": dict(missing_labels),
        }
        data = result.data
        if data:
            for key, value in data.items():
                cls = type(value)
                if cls is str or cls is float or cls is int or cls is bool or isinstance(
                        value, _PLAIN_VALUES) or (isinstance(value, dict)
                                                  and value.keys() >= _LANG_KEYS):
                    values[key] = value
            if isinstance(values.get("key_value"), str):
                # the code that chose the limit (threshold_by_code): its label, not the code
                values["key_value"] = value_text(data.get("key"), values["key_value"])
        return {"template": template, "values": values}

    def _label_text(self, template: str, values: dict[str, Any], result: CheckResult) -> str:
        """``render(template, values, lang)`` in the report's language, for ``values`` made by
        :meth:`_message_text` from ``result``; worked out once per run for a template that
        names only the property, the unit and the missing names (and the check's ``data``
        none of these): its text then depends on those names only (most to-verify
        findings: "the data needed to judge this is missing ({missing})")."""
        memo = self._labels
        nkey = ("placeholders", template)
        names = memo.get(nkey)
        if names is None:
            names = memo[nkey] = frozenset(placeholders(template))
        lang = self.lang
        data = result.data
        if not names <= _LABEL_NAMES or (data and not names.isdisjoint(data)):
            return render(template, values, lang)
        missing = result.missing
        key = ("text", template, lang, result.property, result.unit,
               missing if type(missing) is tuple else tuple(missing))
        text = memo.get(key)
        if text is None:
            text = memo[key] = render(template, values, lang)
        return text

    def _value_text(self, prop: str | None, value: str) -> Any:
        """:func:`value_text` of a measured or required text (a code), worked out once per
        run; each finding gets its own copy of a ``{nl, en}`` label."""
        if not value:
            return value
        mkey = ("value", prop, value)
        text = self._labels.get(mkey, _MISSING)
        if text is _MISSING:
            text = self._labels[mkey] = value_text(prop, value)
        return _copy(text)

    # -- undecided scope ------------------------------------------------------------------------
    def _undecided(self, rule: LoadedRule, feature: Feature, scope_missing: tuple[str, ...],
                   case: dict[str, str] | None
                   ) -> list[tuple[CheckResult, bool | None, dict[str, Any] | None]]:
        """Run the check although the scope is undecided for lack of scope data: each result
        becomes ``to_verify`` that keeps what was measured, with ``would_fail`` (and a message
        saying both the measurement and the undecided scope)."""
        plan = self._plan(rule)
        self._undecided_seen.add(id(feature))
        self.ctx.scope_undecided = True
        try:
            results = rule.check.run(feature, rule.params, self.ctx)
        finally:
            self.ctx.scope_undecided = False
        lenient: list[CheckResult] | None = None
        out: list[tuple[CheckResult, bool | None, dict[str, Any] | None]] = []
        for k, r in enumerate(results):
            if r.outcome is Outcome.NOT_APPLICABLE:
                out.append((r, None, None))
                continue
            if r.outcome is Outcome.TO_VERIFY:
                out.append((_replace(r, missing=(*scope_missing, *(m for m in r.missing
                                                                   if m not in scope_missing))),
                            None, None))
                continue
            would_fail: bool | None
            lenient_value = None
            if r.outcome is Outcome.FAIL:
                would_fail = True
                if plan.lenient is not None:
                    if lenient is None:
                        lenient = rule.check.run(feature, plan.lenient, self.ctx)
                    other = lenient[k] if len(lenient) == len(results) else None
                    if other is None or other.outcome is not Outcome.FAIL:
                        would_fail = None
                        lenient_value = other.required if other is not None else None
            else:
                would_fail = False
            if would_fail and self._small_case_possible(plan, scope_missing):
                # the floor area is unknown and under it the rule does not apply at all (the
                # least strict in-scope case): failing it is no certain violation
                would_fail = None
            message = self._undecided_message(rule, feature, r, scope_missing, would_fail,
                                              lenient_value, case)
            out.append((_replace(r, outcome=Outcome.TO_VERIFY, missing=scope_missing),
                        would_fail, message))
        return out

    @staticmethod
    def _small_case_possible(plan: _RulePlan, scope_missing: tuple[str, ...]) -> bool:
        """Whether the unknown floor area leaves open the case in which the rule does not
        apply (``tv_building`` and ``tv_access_path`` hold from the small-building figure)."""
        return ("building_area_m2" in scope_missing
                and plan.scope_name in ("tv_building", "tv_access_path"))

    def _undecided_message(self, rule: LoadedRule, feature: Feature, result: CheckResult,
                           scope_missing: tuple[str, ...], would_fail: bool | None,
                           lenient: Any, case: dict[str, str] | None) -> dict[str, Any]:
        """The message (template ``{nl, en}`` + values) of a to-verify finding whose scope
        is undecided but whose check was measured."""
        plan = self._plan(rule)
        regulation = REGULATION_NAMES.get(plan.scope_name or "", REGULATION_NAMES["public_domain"])
        small_case = self._small_case_possible(plan, scope_missing)
        if small_case:
            small = self.ctx.scope_parameters.get("small_building_m2", 150)
            regulation = {
                "nl": f"{regulation['nl']} (bij een publiek toegankelijke oppervlakte van "
                      f"minstens {small:g} m²)",
                "en": f"{regulation['en']} (for a publicly accessible floor area of at least "
                      f"{small:g} m²)"}
        undecided = {code: ", ".join(UNDECIDED_REASON.get(m, {}).get(code) or label(m, code)
                                     for m in scope_missing) for code in LANGS}
        measured, required = result.measured, result.required
        numeric = (isinstance(measured, (int, float)) and not isinstance(measured, bool)
                   and isinstance(required, (int, float)) and not isinstance(required, bool))
        values: dict[str, Any] = {"regulation": regulation, "undecided": undecided,
                                  "feature_id": feature.id}
        if not numeric and result.outcome is Outcome.PASS:
            return {"template": UNDECIDED_TEXT["other_pass"], "values": values}
        if result.outcome is Outcome.WARN:
            # within the limit but beyond the target: the rule's own warn message says both
            inner = self._message_text(plan.templates[Outcome.WARN], feature, result)
            values["message"] = {code: render(inner["template"][code], inner["values"],
                                              code).rstrip(".") for code in LANGS}
            return {"template": UNDECIDED_TEXT["other"], "values": values}
        if not numeric:
            fail_result = _replace(result, outcome=Outcome.FAIL) \
                if result.outcome is not Outcome.PASS else result
            inner = self._message_text(plan.templates[fail_result.outcome], feature, fail_result)
            values["message"] = {code: render(inner["template"][code], inner["values"],
                                              code).rstrip(".") for code in LANGS}
            return {"template": UNDECIDED_TEXT["other"], "values": values}
        unit = _unit_text(result.unit)
        words = _unit_words(result.unit)
        values.update(measured=measured, required=required,
                      unit={code: (" " + words[code]) if unit else ""
                            for code in LANGS} if isinstance(words, dict) else
                      ((" " + unit) if unit else ""),
                      needed=NEEDED_TEXT[plan.level.value],
                      bound=BOUND_TEXT[_bound_side(rule, result)])
        if would_fail is None and small_case and result.outcome is Outcome.FAIL:
            key = "would_fail"   # the regulation's name states the floor-area condition
        elif would_fail is None:
            values["lenient"] = lenient
            key = "depends"
        else:
            key = "would_fail" if would_fail else "would_pass"
        return {"template": UNDECIDED_TEXT[key], "values": values}

    # -- run --------------------------------------------------------------------------------------
    def release(self) -> None:
        """Let go of what the run kept (measures, shared structures, recorded outcomes,
        regimes, per-rule plans and labels) once the evaluation is made.

        The evaluator and its check context refer to each other, so only the collector frees
        them; when they were frozen with the model (:func:`frozen_heap`, which a check keeps
        until its report is written), everything they hold would stay in memory that long.
        Emptied, those structures are freed at once."""
        self.ctx.release()
        self._plans.clear()
        self._labels.clear()
        self._scope_results.clear()

    def run(self) -> Evaluation:
        with _model_frozen():
            return self._run()

    def _run(self) -> Evaluation:
        return self.finish([self.evaluate_pass(list(enumerate(run_order(self.rules))))])

    def evaluate_pass(self, rules: list[tuple[int, LoadedRule]],
                      own: Mapping[str, Sequence[int]] | None = None,
                      index: Mapping[str, Sequence[int]] | None = None,
                      keyed: bool = False) -> Partial:
        """:meth:`_evaluate_pass` with the context's :attr:`~CheckContext.part` set to
        ``own`` meanwhile: a layer's batch measures cover the pass's features only."""
        before, self.ctx.part = self.ctx.part, own
        try:
            return self._evaluate_pass(rules, own, index, keyed)
        finally:
            self.ctx.part = before

    def _evaluate_pass(self, rules: list[tuple[int, LoadedRule]],
                       own: Mapping[str, Sequence[int]] | None = None,
                       index: Mapping[str, Sequence[int]] | None = None,
                       keyed: bool = False) -> Partial:
        """Run ``rules`` (``(position in the run order, rule)``, in that order) on the features
        of the model, or only on ``own`` (layer -> positions in ``model.features(layer)``: a
        tile's own features), and return the findings, counts and statistics.

        ``keyed``: each finding comes with the key of its place in a single-process run
        (rule position, layer position in ``applies_to``, the feature's index in its layer in
        the whole plan (``index``, else its position), result number), so that the findings of
        several passes merge into exactly that order (:meth:`finish`).
        """
        pending: list[Finding] = []   # (their locations filled in at the end)
        keys: list[tuple[int, int, int, int]] = []
        counts: Counter[tuple[str, str, str, str, str]] = Counter()
        stats: dict[str, RuleStats] = defaultdict(RuleStats)
        geoms: list[BaseGeometry | None] = []
        listed = frozenset(LISTED_OUTCOMES)
        list_all = self.list_all
        na, na_value = Outcome.NOT_APPLICABLE, Outcome.NOT_APPLICABLE.value
        ctx_record = self.ctx.record
        undecided_before = set(self._undecided_seen)
        for rpos, rule in rules:   # a rule reading others' outcomes runs after them
            spec = rule.spec
            if spec.check.type == "manual":
                continue
            record = ctx_record if self.ctx.watches(spec.id) else None
            rstats = stats[spec.id]
            rcounts, rmissing = rstats.counts, rstats.missing
            check_run, params, ctx = rule.check.run, rule.params, self.ctx
            batched = rule.check.batch
            rplan = self._plan(rule)
            everywhere = rplan.applies_to_all
            key_head = (rule.rule_set, spec.pillar, spec.level)
            for lpos, layer in enumerate(spec.applies_to.layers):
                feats = self.model.features(layer)
                positions: Sequence[int] = range(len(feats)) if own is None \
                    else own.get(layer, ())
                where = index.get(layer) if index is not None else None
                decider = None if everywhere else self._decider(rplan, layer)
                if batched:
                    # a batch check judges every applicable feature of the layer (or of the
                    # tile) in one call; findings are then emitted in feature order, as
                    # feature by feature
                    decided = [_APPLIES] * len(positions) if decider is None \
                        else [decider(feats[k]) for k in positions]
                    judged = iter(rule.check.run_many(
                        [feats[k] for k, d in zip(positions, decided) if d[0] is None],
                        params, ctx))
                for i, k in enumerate(positions):
                    feature = feats[k]
                    if batched:
                        outcome, missing, case = decided[i]
                    elif decider is None:
                        outcome, missing, case = _APPLIES
                    else:
                        outcome, missing, case = decider(feature)
                    extra: list[tuple[bool | None, dict[str, Any] | None]] | None = None
                    if outcome is None:
                        results = next(judged) if batched else check_run(feature, params, ctx)
                        if not results:
                            continue
                    elif outcome is UNDECIDED:
                        triples = self._undecided(rule, feature, missing, case)
                        if not triples:
                            continue
                        results = [t[0] for t in triples]
                        extra = [(t[1], t[2]) for t in triples]
                    elif outcome is na and not list_all:   # counted only, never listed
                        rcounts[na_value] += 1
                        counts[(*key_head, feature.status, na_value)] += 1
                        if record is not None:
                            record(spec.id, feature, na)
                        continue
                    else:
                        results = [CheckResult(outcome, missing=missing,
                                               property=missing[0] if missing else None)]
                    for n, result in enumerate(results):
                        out = result.outcome
                        out_value = out._value_   # (the attribute behind Enum.value)
                        rcounts[out_value] += 1
                        for name in result.missing:
                            rmissing[name] += 1
                        if list_all or out in listed:
                            finding = self._finding(rule, feature, result, case,
                                                    *(extra[n] if extra else ()), plan=rplan)
                            pending.append(finding)
                            if keyed:
                                keys.append((rpos, lpos, where[k] if where is not None else k,
                                             n))
                            geoms.append(result.location if result.location is not None
                                         else feature.geometry)
                            out = finding.outcome   # a granted deviation changes it
                            out_value = out._value_
                        counts[(*key_head, feature.status, out_value)] += 1
                        if record is not None:
                            record(spec.id, feature, out, extra[n][0] if extra else None)
            _freeze_survivors()   # the next full collections skip this rule's findings
        with _making_kept_objects():   # every location made here is kept
            for finding, loc in zip(pending, locations_of(geoms)):
                # the one field set after the finding is made, before it leaves the evaluator
                object.__setattr__(finding, "location", loc)
        findings = pending
        undecided: list[tuple[str, int]] = []
        if keyed and len(self._undecided_seen) > len(undecided_before):
            # (the features first seen undecided in this pass, in plan order)
            new = self._undecided_seen - undecided_before
            undecided = [(layer, index[layer][k] if index is not None else k)
                         for layer, feats in self.model.layers.items()
                         for k, f in enumerate(feats) if id(f) in new]
        return Partial(findings, keys if keyed else None, counts, dict(stats),
                       set(self.used_deviations), undecided)

    def finish(self, parts: list[Partial]) -> Evaluation:
        """The :class:`Evaluation` of one pass, or of several merged (a parallel run: the
        global pass and the tiles): findings in the order a single-process run gives them,
        counts and statistics summed, the regimes and stale corrections of the whole plan."""
        if len(parts) == 1 and parts[0].keys is None:
            part = parts[0]
            findings, counts, stats = part.findings, dict(part.counts), part.stats
        else:
            keyed = [(key, f) for part in parts
                     for key, f in zip(part.keys or (), part.findings)]
            keyed.sort(key=lambda item: item[0])
            findings = [f for _key, f in keyed]
            total: Counter[tuple[str, str, str, str, str]] = Counter()
            for part in parts:
                total.update(part.counts)
            counts = dict(total)
            stats = {}
            for rule in run_order(self.rules):
                if rule.spec.check.type == "manual" or rule.spec.id in stats:
                    continue
                merged = RuleStats()
                for part in parts:
                    got = part.stats.get(rule.spec.id)
                    if got is not None:
                        merged.counts.update(got.counts)
                        merged.missing.update(got.missing)
                stats[rule.spec.id] = merged
            for part in parts:
                self.used_deviations |= part.used_deviations
                for layer, k in part.undecided:
                    self._undecided_seen.add(id(self.model.features(layer)[k]))
        findings.sort(key=Finding.sort_key)
        warnings = self._stale_deviations() + self._stale_regimes()
        return Evaluation(findings, counts, stats, self.rules, warnings, self.regime_summary())

    def regime_summary(self) -> dict[str, Any]:
        """Features per regime (new and existing), and each regime that was derived from the
        geometry (inside, against or on the access of a building), or is undecided while a
        rule's scope depended on it, with its reason in both languages: the reviewer confirms
        those, or corrects them in plan.yaml."""
        counts = {"verordening": 0, "bv97": 0, "public_space": 0, "undecided": 0}
        stated = derived = 0
        listed = []
        for layer in sorted(self.model.layers):
            for feature in self.model.features(layer):
                regime = self.ctx.regime(feature)
                counts[regime.code or "undecided"] += 1
                stated += not regime.derived
                derived += regime.derived
                if (regime.code is None and id(feature) in self._undecided_seen) or (
                        regime.code is not None and regime.derived
                        and regime.basis in ("route", "building")):
                    entry: dict[str, Any] = {"layer": layer, "feature_id": feature.id,
                                             "regime": regime.code or "undecided",
                                             "basis": regime.basis,
                                             "reason": dict(regime.reason)}
                    if regime.candidates:
                        entry["candidates"] = list(regime.candidates)
                    if regime.missing:
                        entry["missing"] = list(regime.missing)
                    listed.append(entry)
        return {"counts": counts, "stated": stated, "derived": derived, "to_confirm": listed}

    def _stale_regimes(self) -> list[ReadWarning]:
        """A correction in plan.yaml (``regimes:``) that names no feature of the plan (a typo
        in an id) would silently change nothing: say so."""
        overrides = self.model.meta.regimes or {}
        if not overrides:
            return []
        ids = {f.id for f in self.model}
        keys = ids | {f"{f.layer}:{f.id}" for f in self.model}
        return [ReadWarning("stale_regime",
                            f"regimes: {key} in plan.yaml names no feature of the plan; "
                            "its correction was not applied", None, None, str(key))
                for key in sorted(overrides) if key not in keys]

    def _stale_deviations(self) -> list[ReadWarning]:
        out = []
        rule_ids = {r.spec.id for r in self.rules}
        for key, dev in sorted(self.deviations.items(), key=lambda kv: (kv[0][0], kv[0][1])):
            if key in self.used_deviations:
                continue
            if dev.rule not in rule_ids:
                why = f"rule {dev.rule} is not in the rule sets in force"
            elif not any(f.id == dev.feature for f in self.model):
                why = f"feature {dev.feature} is not in the plan"
            else:
                why = "the rule no longer fails on this feature"
            out.append(ReadWarning("stale_deviation",
                                   f"deviation for {dev.rule} on {dev.feature} was not used: {why}",
                                   None, dev.layer, dev.feature))
        return out


def _bound_side(rule: LoadedRule, result: CheckResult) -> str:
    """``min`` or ``max``: the kind of limit ``result.required`` is. A value apart from the
    limit tells by its outcome; a value AT the limit (a pass of an inclusive limit, a fail of
    an exclusive one) is told by the rule's parameters: the limit is a minimum or a maximum
    there (``min``/``warn_min``/``*_min``..., ``max``/``warn_max``/``*_max``/``tolerance*``)."""
    measured, required = result.measured, result.required
    if measured != required:
        below = measured < required
        return "min" if below == (result.outcome is not Outcome.PASS) else "max"
    found: set[str] = set()

    def walk(obj: Any) -> None:
        if isinstance(obj, dict):
            for key, value in obj.items():
                if isinstance(value, (dict, list, tuple)):
                    walk(value)
                    continue
                if isinstance(value, bool) or not isinstance(value, (int, float)) \
                        or float(value) != float(required):
                    continue
                name = str(key)
                if (name == "min" or name.startswith("min_") or name.endswith("_min")
                        or "_min_" in name):
                    found.add("min")
                elif (name == "max" or name.startswith("max_") or name.endswith("_max")
                      or "_max_" in name or name.startswith("tolerance")):
                    found.add("max")
        elif isinstance(obj, (list, tuple)):
            for value in obj:
                walk(value)

    walk(rule.params.model_dump())
    if len(found) == 1:
        return found.pop()
    return "min" if result.outcome is Outcome.PASS else "max"


_MISSING: Final = object()
#: values of a check's ``data`` that a message template may name as they are (and
#: ``{nl, en}`` dicts: :data:`_LANG_KEYS`)
_PLAIN_VALUES: Final = (str, int, float, bool)
_LANG_KEYS: Final = frozenset(LANGS)
#: the values of a message that :meth:`Evaluator._message_text` takes from the labels of
#: the result's property, unit and missing names (unless its ``data`` has one of them)
_LABEL_NAMES: Final = frozenset({"property", "unit", "missing"})
#: what a rule's selection (:meth:`Evaluator._decider`) gives for a feature: the outcome to
#: report instead of running the check (``None``: the rule applies), the missing names, the
#: scope's case note
_Decision = tuple[Outcome | _Scope | None, tuple[str, ...], dict[str, str] | None]
#: what :meth:`Evaluator._decider` gives for a rule that applies (no case note)
_APPLIES: Final[tuple[None, tuple[str, ...], None]] = (None, (), None)


def _notes(case: Mapping[str, str] | None, note: Mapping[str, str] | None,
           deviation: Mapping[str, Any] | None) -> dict[str, str | None]:
    """A finding's note per language: the scope's case note, the check's note and the
    granted deviation's justification, each ending with a stop (None: none of them)."""
    notes_by: dict[str, str | None] = {}
    for code in LANGS:
        notes = []
        if case:
            notes.append(case.get(code, ""))
        if note:
            notes.append(note.get(code, ""))
        if deviation:
            notes.append(DEVIATION_TEXT[code] + deviation["justification"])
        notes = [n.strip().rstrip(".") + "." for n in notes if n and n.strip()]
        notes_by[code] = " ".join(notes) or None   # (each one ends with a stop)
    return notes_by


def _copy(value: Any) -> Any:
    """A dict copied (a memoised ``{nl, en}`` label is not shared between findings)."""
    return dict(value) if isinstance(value, dict) else value


def _replace(result: CheckResult, **changes: Any) -> CheckResult:
    from dataclasses import replace

    return replace(result, **changes)


def _lenient_params(rule: LoadedRule) -> Any:
    """The rule's check parameters with ``check.lenient`` applied (None when it has none)."""
    lenient = getattr(rule.spec.check, "lenient", None)
    if not lenient:
        return None
    given = rule.params.model_dump(by_alias=True, exclude_unset=True)
    return type(rule.params).model_validate({**given, **lenient})


def _unit_words(unit: str | None) -> Any:
    """The unit as messages write it: ``{nl, en}`` words for a counted unit (``bays``),
    else the symbol."""
    text = _unit_text(unit)
    words = {code: unit_label(text, code) for code in LANGS}
    return words if any(w != text for w in words.values()) else text


def _unit_text(unit: str | None) -> str:
    if unit is None:
        return ""
    return {"pct": "%", "percent": "%"}.get(unit, unit)


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return round(value, 3)
    try:
        return round(float(value), 3)
    except (TypeError, ValueError):
        return str(value)


def _jsonable_dict(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` as plain JSON values (floats rounded to 3 decimals; nested dicts alike; the
    items of a list or tuple by :func:`_jsonable`, a dict or list among them as it is)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        cls = type(value)   # fast paths for the exact built-in types
        if value is None or cls is str or cls is int or cls is bool:
            out[key] = value
        elif cls is float:
            out[key] = round(value, 3)
        elif isinstance(value, dict):
            out[key] = _jsonable_dict(value)
        elif isinstance(value, (list, tuple)):
            out[key] = [_jsonable(v) if not isinstance(v, (dict, list)) else v for v in value]
        else:
            out[key] = _jsonable(value)
    return out


def _finding_data(rdata: Mapping[str, Any]) -> dict[str, Any]:
    """A finding's ``data``: its check's ``data`` as :func:`_jsonable_dict` gives it, with
    ``source`` (where a value came from) renamed ``value_source`` (last, or in the place of
    a ``value_source`` the check gave too)."""
    if "source" not in rdata:
        return _jsonable_dict(rdata)   # type: ignore[arg-type]
    data = {k: v for k, v in rdata.items() if k != "source"}
    data["value_source"] = rdata["source"]
    return _jsonable_dict(data)


def _finding_constructor(positional: bool = False) -> Callable[..., Finding]:
    """A function that makes a :class:`Finding` from every one of its fields, given by
    keyword (or, ``positional``, in field order): the same object ``Finding(**fields)``
    makes (Finding has no ``__post_init__``), each slot set directly by its descriptor
    instead of through the frozen dataclass's ``__init__`` (``object.__setattr__`` per
    field: about half the cost; the evaluator makes one per listed finding, the parallel
    run one per finding a worker sends). Without slots: ``Finding`` itself."""
    names = [f.name for f in fields(Finding)]
    setters = [getattr(Finding, name, None) for name in names]
    if not all(isinstance(s, types.MemberDescriptorType) for s in setters) \
            or hasattr(Finding, "__post_init__"):
        return Finding
    star = "" if positional else "*, "
    lines = [f"def new_finding({star}{', '.join(names)}):", "    self = new(cls)"]
    lines += [f"    set_{k}(self, {name})" for k, name in enumerate(names)]
    lines.append("    return self")
    scope: dict[str, Any] = {"new": object.__new__, "cls": Finding}
    scope.update({f"set_{k}": s.__set__ for k, s in enumerate(setters)})   # type: ignore[union-attr]
    exec("\n".join(lines), scope)   # (names: the dataclass's own field names)
    return cast(Callable[..., Finding], scope["new_finding"])


#: :func:`_finding_constructor`, by keyword and in field order
_new_finding: Final = _finding_constructor()
_finding_of_fields: Final = _finding_constructor(positional=True)


def evaluate(model: SiteModel, rules: list[LoadedRule], *, date: dt.date, lang: str = "nl",
             list_all: bool = False, deviations: list[Deviation] | None = None) -> Evaluation:
    """Run ``rules`` on ``model`` (see the module docstring)."""
    evaluator = Evaluator(model, rules, date=date, lang=lang, list_all=list_all,
                          deviations=deviations)
    try:
        return evaluator.run()
    finally:
        evaluator.release()
