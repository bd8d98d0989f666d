"""The check-type API: how a check turns a feature and its parameters into outcomes.

A check type is a plain function registered with :func:`check_type`::

    class MinWidth(CheckParams):
        min_m: float

    @check_type("my_min_width", params=MinWidth)
    def my_min_width(feature: Feature, params: MinWidth, ctx: CheckContext) -> CheckResult:
        width = ctx.value(feature, "width_m")
        if width is None:
            return ctx.missing("width_m")
        return ctx.compare("width_m", width, min_value=params.min_m, unit="m")

It receives the feature, its validated parameters (a pydantic model, so a rule with a wrong
parameter fails at load time) and a :class:`CheckContext` that gives attribute values,
named measures (lazy, cached per run), other layers through spatial indexes, and the plan
metadata. It returns one :class:`CheckResult` or an iterable of them. The engine adds the
rule's metadata, message, advice and source to turn each result into a finding. The
built-in check types are written against exactly this API; plugins register theirs through
the ``inclusiecheck.checks`` entry-point group.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, cast
from collections.abc import Callable, Iterable, Mapping, Sequence

from pydantic import BaseModel, ConfigDict
from shapely.geometry.base import BaseGeometry

from inclusiecheck.engine.conditions import holds
from inclusiecheck.model import Feature, Outcome, SiteModel


#: Attributes (and measures) that may carry a sign giving a direction, judged by their size:
#: running and cross slopes (``slope_pct`` of ``-10`` is a 10 % slope downhill in the drawing
#: direction; OpenSidewalks and OSM ``incline`` give it so).
SIGNED_PROPERTIES: frozenset[str] = frozenset({"slope_pct", "cross_slope_pct"})


def as_number(value: Any) -> float | None:
    """A finite float from an attribute value, else ``None`` (booleans are not numbers)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


class CheckParams(BaseModel):
    """Base class of every check type's parameters (unknown keys are errors)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def reads(self) -> tuple[str, ...]:
        """Ids of the rules whose outcomes this check reads (``ctx.outcomes``): the engine
        runs those rules first and records their outcomes (see ``any_compliant``)."""
        return ()


P = TypeVar("P", bound=CheckParams)


@dataclass(frozen=True, slots=True)
class CheckResult:
    """What a check says about one feature (or one part of it, e.g. one narrowing).

    ``note`` is an optional explanation in both languages (``{"nl": ..., "en": ...}``);
    ``location`` is the geometry of the problem itself (the narrowing, the dark stretch),
    defaulting to the feature's geometry; ``data`` holds extra values for message templates.
    """

    outcome: Outcome
    property: str | None = None
    measured: Any = None
    required: Any = None
    unit: str | None = None
    location: BaseGeometry | None = None
    missing: tuple[str, ...] = ()
    note: Mapping[str, str] | None = None
    data: Mapping[str, Any] = field(default_factory=dict)


#: "not computed yet" in the per-run cache (a computed value may be None)
_UNSET: Any = object()


#: layer -> (nl, en) what an incomplete layer leaves unknown
_ABSENCE = {
    "light": ("een lichtpunt", "a light"),
    "building": ("een gebouw", "a building"),
    "bench": ("een zitbank", "a bench"),
    "toilet": ("een toilet", "a toilet"),
}


def absence_unproven(result: CheckResult, layer: str, extra: Mapping[str, str] | None = None
                     ) -> CheckResult:
    """A fail or warn that rests on the absence of ``layer`` features, for a layer that is
    not complete (OpenStreetMap, or not listed in ``complete_layers``): ``to_verify`` with the
    measured value kept, ``layer`` as the missing data and a note that says why.

    Other outcomes are returned unchanged (presence is proof even in an incomplete layer).
    """
    if result.outcome not in (Outcome.FAIL, Outcome.WARN):
        return result
    what = _ABSENCE.get(layer, (f"een {layer}", f"a {layer}"))
    note = {
        "nl": (f"De laag {layer} is niet volledig (bv. OpenStreetMap): dat hier geen "
               f"{what[0].split(' ', 1)[1]} staat, bewijst niet dat er geen is"
               + (f"; {extra['nl']}" if extra else "")
               + ". Vul de laag aan of verklaar ze volledig (complete_layers)."),
        "en": (f"The {layer} layer is not complete (e.g. OpenStreetMap): that no "
               f"{what[1].split(' ', 1)[1]} is mapped here does not prove there is none"
               + (f"; {extra['en']}" if extra else "")
               + ". Complete the layer or declare it complete (complete_layers)."),
    }
    data = dict(result.data)
    data["incomplete_layer"] = layer
    return CheckResult(Outcome.TO_VERIFY, property=result.property, measured=result.measured,
                       required=result.required, unit=result.unit, location=result.location,
                       missing=tuple(dict.fromkeys((*result.missing, layer))), note=note,
                       data=data)


MeasureFunc = Callable[[Feature, "CheckContext"], Any]
#: the batch form of a measure: the values of many features in one call (arrays in, arrays
#: out): ``func(features, ctx)`` returns one value per feature, in order
BatchMeasureFunc = Callable[[Sequence[Feature], "CheckContext"], Sequence[Any]]


class CheckContext:
    """What a check may use besides its feature and parameters."""

    def __init__(self, model: SiteModel, date: dt.date, lang: str,
                 measures: Mapping[str, Measure], derived: Mapping[str, Derived]) -> None:
        self.model = model
        self.date = date
        self.lang = lang
        self._measures = measures
        self._derived = derived
        self._cache: dict[tuple[str, int], Any] = {}
        #: rule id -> {id(feature): outcomes}, kept only for rules that a check reads
        self._outcomes: dict[str, dict[int, list[tuple[Outcome, Outcome]]]] = {}
        #: true while a check runs for a feature whose scope is undecided (the evaluator sets
        #: it): its results become ``to_verify`` with ``would_fail``
        self.scope_undecided = False
        self._shared: dict[Any, Any] = {}
        #: the features the current pass judges, layer -> positions in the model's layer, or
        #: ``None`` for every feature (the evaluator sets it): :meth:`of_layer` computes a
        #: layer's batch for these only (a worker of a parallel run judges a part of the plan)
        self.part: Mapping[str, Sequence[int]] | None = None
        #: (layer, name) -> the reader of that value (:meth:`reader`)
        self._readers: dict[tuple[str, str], Callable[[Feature], Any]] = {}
        #: the legal figures that decide scope (``scope_parameters`` of the rule sets)
        self.scope_parameters: dict[str, float] = {}
        #: the regime of every feature (:class:`inclusiecheck.engine.regimes.RegimeIndex`),
        #: set by the evaluator before any rule runs
        self.regimes: Any = None

    @property
    def meta(self) -> Any:
        return self.model.meta

    # -- outcomes of other rules ------------------------------------------------------------
    def watch(self, rule_ids: Iterable[str]) -> None:
        """Record the outcomes of these rules from now on (the evaluator calls this with the
        rules that some rule's check parameters ``reads()``)."""
        for rule_id in rule_ids:
            self._outcomes.setdefault(rule_id, {})

    def watches(self, rule_id: str) -> bool:
        return rule_id in self._outcomes

    def record(self, rule_id: str, feature: Feature, outcome: Outcome,
               would_fail: bool | None = None) -> None:
        """Note one outcome of a watched rule on a feature (a feature may get several), and
        what it would be once the scope is confirmed (``would_fail`` of an undecided scope)."""
        seen = self._outcomes.get(rule_id)
        if seen is not None:
            in_scope = outcome
            if outcome is Outcome.TO_VERIFY and would_fail is not None:
                in_scope = Outcome.FAIL if would_fail else Outcome.PASS
            seen.setdefault(id(feature), []).append((outcome, in_scope))

    def ran(self, rule_id: str) -> bool:
        """Whether a watched rule has recorded an outcome in this run (it was in force)."""
        return bool(self._outcomes.get(rule_id))

    def outcomes(self, rule_id: str, feature: Feature, *,
                 in_scope: bool = False) -> tuple[Outcome, ...]:
        """The outcomes recorded so far of rule ``rule_id`` on ``feature``; empty when the rule
        did not judge it, is not watched, or has not run yet. ``in_scope``: a ``to_verify``
        of an undecided scope is given as the ``fail`` or ``pass`` it would be once the scope
        is confirmed (``would_fail``)."""
        entries = self._outcomes.get(rule_id, {}).get(id(feature), ())
        return tuple(e[1] if in_scope else e[0] for e in entries)

    # -- values ---------------------------------------------------------------------------
    def value(self, feature: Feature, name: str) -> Any:
        """An attribute of the feature; if absent, a derived value or named measure of that name.

        ``width_m`` of a walkway polygon is measured from the drawing, ``public`` of an entrance
        comes from the building it touches or the plan metadata, and so on (see the measures
        reference). Returns ``None`` when neither the data nor the drawing can tell.

        A signed slope (:data:`SIGNED_PROPERTIES`: ``-10`` % is 10 % downhill in the drawing
        direction, as OpenSidewalks and OSM ``incline`` give it) is returned as its size, so
        that every limit, lookup and ``where`` judges the steepness; the data keeps the sign,
        and :meth:`signed` gives it.
        """
        value = self.signed(feature, name)
        if name in SIGNED_PROPERTIES and isinstance(value, (int, float)) \
                and not isinstance(value, bool) and value < 0:
            return -value
        return value

    def signed(self, feature: Feature, name: str) -> Any:
        """:meth:`value` with the sign a slope has in the data (or measure)."""
        if name in feature.attrs:
            return feature.attrs[name]
        if name == "status":   # the normaliser keeps it on the feature, not in attrs
            return feature.status
        derived = self._derived.get(name)
        if derived is not None and feature.layer in derived.layers:
            return self.cached(name, feature, derived.func)
        measure = self._measures.get(name)
        if measure is not None and (not measure.layers or feature.layer in measure.layers):
            return self._measured(measure, feature)
        return feature.extra.get(name)

    def reader(self, layer: str, name: str) -> Callable[[Feature], Any]:
        """``read(feature)``: :meth:`value` of ``name`` for features of ``layer``, with the
        source of a value that is not an attribute (status, a derived value, a measure, an
        extra attribute) looked up once per run instead of per feature (a rule's ``where``
        compiled for one layer reads its attributes through it)."""
        key = (layer, name)
        readers = self._readers
        read = readers.get(key)
        if read is not None:
            return read
        fallback: Callable[[Feature], Any]
        derived = self._derived.get(name)
        measure = self._measures.get(name)
        cached = self.cached
        if name == "status":
            def fallback(feature: Feature) -> Any:
                return feature.status
        elif derived is not None and layer in derived.layers:
            dfunc = derived.func

            def fallback(feature: Feature) -> Any:
                return cached(name, feature, dfunc)
        elif measure is not None and (not measure.layers or layer in measure.layers):
            def fallback(feature: Feature) -> Any:
                return self._measured(measure, feature)
        else:
            def fallback(feature: Feature) -> Any:
                return feature.extra.get(name)
        if name in SIGNED_PROPERTIES:
            def read(feature: Feature) -> Any:
                attrs = feature.attrs
                value = attrs[name] if name in attrs else fallback(feature)
                if isinstance(value, (int, float)) and not isinstance(value, bool) \
                        and value < 0:
                    return -value
                return value
        else:
            def read(feature: Feature) -> Any:
                attrs = feature.attrs
                return attrs[name] if name in attrs else fallback(feature)
        readers[key] = read
        return read

    def _measured(self, measure: Measure, feature: Feature) -> Any:
        if measure.batch is not None:
            return self.of_layer(measure.name, feature, measure.batch)
        return self.cached(measure.name, feature, measure.func)

    def sign_note(self, feature: Feature, name: str) -> tuple[dict[str, Any], dict[str, str] | None]:
        """For a slope given with a negative sign: ``data`` (``signed_value``) and a note saying
        that the finding judges its size; ``({}, None)`` otherwise."""
        if name not in SIGNED_PROPERTIES:
            return {}, None
        raw = as_number(self.signed(feature, name))
        if raw is None or raw >= 0:
            return {}, None
        size = f"{-raw:g}"
        return ({"signed_value": raw, "judged": "magnitude"},
                {"nl": f"in de gegevens {f'{raw:g}'.replace('.', ',')} % (het teken is de "
                       f"richting t.o.v. de tekenrichting); beoordeeld op de grootte, "
                       f"{size.replace('.', ',')} %",
                 "en": f"{raw:g} % in the data (the sign is the direction relative to the "
                       f"drawing direction); judged by its size, {size} %"})

    def meets(self, feature: Feature, conditions: Mapping[str, Any]) -> bool:
        """Whether the feature meets a set of conditions ``{name: condition}`` (with ``any:``
        and ``not:``; an undecided set, for a missing value, does not)."""
        return holds(conditions, lambda name: self.value(feature, name))

    def numbers(self, feature: Feature, *names: str) -> tuple[list[float | None], tuple[str, ...]]:
        """The values of ``names`` as finite floats (``None`` where unknown), and the names
        that are missing: ``values, missing = ctx.numbers(f, "riser_cm", "tread_cm")``."""
        values = [as_number(self.value(feature, name)) for name in names]
        return values, tuple(n for n, v in zip(names, values) if v is None)

    def measure(self, name: str, feature: Feature) -> Any:
        """A named measure of a feature, computed once per run."""
        measure = self._measures.get(name)
        if measure is None:
            raise KeyError(f"unknown measure {name!r}")
        return self._measured(measure, feature)

    def shared(self, key: Any, builder: Callable[[], Any]) -> Any:
        """A structure built once per run and shared by every rule (a network, an index).

        ``key`` names the structure (a tuple starting with the module's name, plus whatever
        the structure depends on: a layer, a distance, the rule's parameters as data - never
        ``id(params)``); ``builder()`` is called the first time only. This is the one
        run-scoped cache: checks and measures keep nothing in the model or in module globals.
        """
        try:
            return self._shared[key]
        except KeyError:
            value = self._shared[key] = builder()
            return value

    def release(self) -> None:
        """Empty what the run kept (per-feature values, shared structures, recorded outcomes,
        regimes) once the evaluation is made: the evaluator that owns this context lets go
        of it (:meth:`inclusiecheck.engine.evaluate.Evaluator.release`)."""
        self._cache.clear()
        self._shared.clear()
        self._readers.clear()
        self._outcomes.clear()
        self.regimes = None

    def regime(self, feature: Feature) -> Any:
        """The :class:`~inclusiecheck.engine.regimes.Regime` that governs ``feature``."""
        if self.regimes is None:
            from inclusiecheck.engine.regimes import RegimeIndex

            self.regimes = RegimeIndex(self.model, self.scope_parameters)
        return self.regimes.of(feature)

    def cached(self, name: str, feature: Feature, func: MeasureFunc) -> Any:
        """The per-feature value ``name`` of ``feature``, computed by ``func`` once per run."""
        key = (name, id(feature))
        value = self._cache.get(key, _UNSET)
        if value is _UNSET:
            value = self._cache[key] = func(feature, self)
        return value

    def batch(self, name: str, features: Sequence[Feature],
              func: BatchMeasureFunc) -> list[Any]:
        """The per-feature values ``name`` of many features, in order: those not computed yet
        in this run come from ONE call ``func(missing_features, ctx)`` (arrays in, arrays out,
        one value per feature) and are kept, so that :meth:`cached` and later batches return
        them. The batch form of a measure or check uses it for the spatial joins and
        vectorised geometry that a feature-at-a-time loop would repeat."""
        cache = self._cache
        missing = [f for f in features if (name, id(f)) not in cache]
        if missing:
            values = func(missing, self)
            if len(values) != len(missing):
                raise ValueError(f"batch {name!r} gave {len(values)} values for "
                                 f"{len(missing)} features")
            for f, v in zip(missing, values):
                cache[(name, id(f))] = v
        return [cache[(name, id(f))] for f in features]

    def of_layer(self, name: str, feature: Feature, func: BatchMeasureFunc) -> Any:
        """The per-feature value ``name`` of ``feature``; the first request for a feature of
        a layer computes it for EVERY feature of that layer in one :meth:`batch` call (a
        feature outside the model's layers, or outside the pass's :attr:`part` of a layer
        the part has features of, is computed on its own). A batch function gives each
        feature the value it would get alone, so the split changes no value."""
        key = (name, id(feature))
        cache = self._cache
        if key not in cache:
            self.batch(name, self.part_of(feature.layer), func)
            if key not in cache:
                self.batch(name, [feature], func)
        return cache[key]

    def part_of(self, layer: str) -> Sequence[Feature]:
        """The features of ``layer`` that the current pass judges (:attr:`part`), or every
        feature of the layer (no part set, or a part without features of that layer)."""
        feats = self.model.features(layer)
        part = self.part.get(layer) if self.part is not None else None
        return feats if part is None else [feats[k] for k in part]

    def is_cached(self, name: str, feature: Feature) -> bool:
        """Whether :meth:`cached` already holds ``name`` for ``feature``."""
        return (name, id(feature)) in self._cache

    def store(self, name: str, feature: Feature, value: Any) -> None:
        """Put a per-feature value that a batch computed for many features at once, so that
        :meth:`cached` returns it (a batch measure fills the values of every feature)."""
        self._cache[(name, id(feature))] = value

    def source_of(self, feature: Feature, name: str) -> str:
        """``attribute``, ``derived``, ``measured`` or ``missing``: where a value comes from."""
        if name in feature.attrs or name == "status":
            return "attribute"
        if name in self._derived and feature.layer in self._derived[name].layers:
            return "derived"
        if name in self._measures:
            return "measured"
        return "missing"

    # -- results ----------------------------------------------------------------------------
    @staticmethod
    def missing(*names: str, note: Mapping[str, str] | None = None,
                property: str | None = None) -> CheckResult:
        """A ``to_verify`` result naming the attributes the plan should add."""
        return CheckResult(Outcome.TO_VERIFY, property=property or (names[0] if names else None),
                           missing=tuple(names), note=note)

    @staticmethod
    def compare(property: str, measured: float, *, min_value: float | None = None,
                max_value: float | None = None, min_inclusive: bool = True,
                max_inclusive: bool = True, warn_min: float | None = None,
                warn_max: float | None = None, unit: str | None = None,
                location: BaseGeometry | None = None,
                note: Mapping[str, str] | None = None,
                data: Mapping[str, Any] | None = None) -> CheckResult:
        """Compare a number with limits; below a stricter target (``warn_min``) is ``warn``.

        ``required`` in the result is the limit that decided (the violated one), else the
        minimum (or maximum) that was checked.
        """
        outcome = Outcome.PASS
        required: float | None = min_value if min_value is not None else max_value
        if min_value is not None and (measured < min_value if min_inclusive
                                      else measured <= min_value):
            outcome, required = Outcome.FAIL, min_value
        elif max_value is not None and (measured > max_value if max_inclusive
                                        else measured >= max_value):
            outcome, required = Outcome.FAIL, max_value
        elif warn_min is not None and measured < warn_min:
            outcome, required = Outcome.WARN, warn_min
        elif warn_max is not None and measured > warn_max:
            outcome, required = Outcome.WARN, warn_max
        return CheckResult(outcome, property=property, measured=measured, required=required,
                           unit=unit, location=location, note=note, data=dict(data or {}))


@dataclass(frozen=True, slots=True)
class Measure:
    """A named measure: a function of a feature (and the context) computed lazily."""

    name: str
    func: MeasureFunc
    unit: str | None
    layers: tuple[str, ...]
    doc: str = ""
    #: optional batch form (:data:`BatchMeasureFunc`): when given, the first request for a
    #: feature computes the measure for every feature of its layer in one call
    batch: BatchMeasureFunc | None = None


@dataclass(frozen=True, slots=True)
class Derived:
    """A derived attribute: a profile attribute filled from elsewhere when the feature lacks it
    (``public`` of an entrance from the building it touches, else the plan metadata)."""

    name: str
    func: MeasureFunc
    layers: tuple[str, ...]
    doc: str = ""


CheckFunc = Callable[[Feature, Any, CheckContext], "CheckResult | Iterable[CheckResult]"]
#: the batch form of a check: ``func(features, params, ctx)`` judges every applicable feature
#: of a rule's layer in one call and returns, per feature and in order, a result or an
#: iterable of results
BatchCheckFunc = Callable[[Sequence[Feature], Any, CheckContext],
                          "Sequence[CheckResult | Iterable[CheckResult]]"]


def _as_list(result: CheckResult | Iterable[CheckResult]) -> list[CheckResult]:
    if isinstance(result, CheckResult):
        return [result]
    return list(result)
#: ``reach(params, model) -> metres | None``: how far from a feature the check reads other
#: features (``None``: no bound, the rule runs in the global pass of a parallel check)
ReachFunc = Callable[[Any, SiteModel], "float | None"]


@dataclass(frozen=True, slots=True)
class CheckType(Generic[P]):
    """A registered check type.

    ``batch``: ``func`` is a :data:`BatchCheckFunc` (it takes a list of features) and the
    evaluator calls it once per rule and layer with every feature that the rule's scope and
    ``where`` select.

    ``reach``: how far (m) from the judged feature's geometry the check reads other features
    (itself and every value it asks for), from its parameters and the plan; a parallel check
    gives a tile's features a halo of that width (see ``docs/scale.md``). ``None`` (the
    default for a plugin that declares nothing): unbounded, so its rules run in one global
    pass on the whole plan.
    """

    name: str
    func: CheckFunc | BatchCheckFunc
    params: type[CheckParams]
    doc: str = ""
    origin: str = "builtin"
    batch: bool = False
    reach: ReachFunc | None = None

    def run(self, feature: Feature, params: CheckParams, ctx: CheckContext) -> list[CheckResult]:
        if self.batch:
            return self.run_many([feature], params, ctx)[0]
        # (no typing.cast here: a call per feature and rule)
        result: CheckResult | Iterable[CheckResult] = \
            self.func(feature, params, ctx)  # type: ignore[arg-type,assignment]
        return [result] if type(result) is CheckResult else _as_list(result)

    def run_many(self, features: Sequence[Feature], params: CheckParams,
                 ctx: CheckContext) -> list[list[CheckResult]]:
        """The results of many features, in order (one call of a batch check; a plain check
        runs feature by feature)."""
        if not self.batch:
            func = cast(CheckFunc, self.func)
            return [_as_list(func(f, params, ctx)) for f in features]
        if not features:
            return []
        out = [_as_list(r) for r in cast(BatchCheckFunc, self.func)(features, params, ctx)]
        if len(out) != len(features):
            raise ValueError(f"batch check {self.name!r} gave {len(out)} results for "
                             f"{len(features)} features")
        return out


def check_type(name: str, *, params: type[CheckParams],
               batch: bool = False,
               reach: ReachFunc | None = None) -> Callable[[Any], CheckType]:
    """Declare a check type. The decorated function becomes a :class:`CheckType`; register it
    with :func:`inclusiecheck.engine.checks.register` or expose it through the
    ``inclusiecheck.checks`` entry-point group. ``batch=True``: the function takes the list of
    features (:data:`BatchCheckFunc`) and returns one result (or iterable) per feature.
    ``reach(params, model)``: the distance in metres within which the check reads other
    features (see :class:`CheckType`); leave it out when it has no bound."""

    def decorate(func: Any) -> CheckType:
        doc = (func.__doc__ or "").strip()
        return CheckType(name=name, func=func, params=params, doc=doc,
                         origin=getattr(func, "__module__", "builtin"), batch=batch,
                         reach=reach)

    return decorate
