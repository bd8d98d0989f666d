"""Check types for buildings and their outdoor access (toegankelijkheidsverordening).

``conditional_threshold``: a threshold that only holds when one of several conditions holds
(an intermediate ramp landing when the rise exceeds 50 cm *or* the run exceeds 10 m) and/or
that does not hold for exempt features (the space beside the handle of an automatic door).
``threshold_by_code``: the property and limit depend on a code (a parking bay's width or
length by its arrangement). ``stair_step_rule``: the step rule 2 x riser + tread.
``access_path_width``: clear width of an access path with the tolerated local narrowings.
``free_height_over``: free height under objects that hang over an access path.
``level_difference``: a level difference is tolerated, bridged by a ramp, or by a ramp or a lift.
``alternative_within``: another feature of a kind lies within a distance (a non-revolving
door beside a revolving one).
"""

from __future__ import annotations

from typing import Any, Literal
from collections.abc import Iterable

from pydantic import Field, field_validator, model_validator

from inclusiecheck.engine.checks.api import (
    CheckContext,
    CheckParams,
    CheckResult,
    absence_unproven,
    as_number,
    check_type,
)
from inclusiecheck.engine.conditions import decide, held_names, validate_conditions
from inclusiecheck.geometry.clearwidth import WIDTH_TOLERANCE_M, round_width
from inclusiecheck.model import Feature, Outcome
from inclusiecheck.model.labels import label, value_label


def _evaluate(feature: Feature, conditions: dict[str, Any],
              ctx: CheckContext) -> tuple[list[str], list[str]]:
    """Names of the conditions that hold, and of those whose value is missing (an ``any:`` or
    ``not:`` entry counts as one condition, named by the attributes it holds or lacks)."""
    held: list[str] = []
    unknown: list[str] = []

    def value_of(name: str) -> Any:
        return ctx.value(feature, name)

    for name, cond in conditions.items():
        state, names = decide({name: cond}, value_of)
        if state is None:
            unknown.extend(n for n in names if n not in unknown)
        elif state:
            held.extend(n for n in held_names({name: cond}, value_of) or [name] if n not in held)
    return held, unknown


# --------------------------------------------------------------------------------------------
class ConditionalThresholdParams(CheckParams):
    """``property`` within ``min``/``max``, only when one of ``when_any`` holds (all features
    when it is empty) and not for features meeting one of ``exempt_when``.

    A missing value that decides applicability does not block a passing value; when the value
    fails, the result is ``to_verify`` naming the deciding attribute (``unknown: to_verify``)
    or the fail stands with a note saying what was assumed (``unknown: assume_applies``).
    """

    property: str
    min: float | None = None
    max: float | None = None
    min_inclusive: bool = True
    max_inclusive: bool = True
    unit: str | None = None
    when_any: dict[str, Any] = Field(default_factory=dict)
    exempt_when: dict[str, Any] = Field(default_factory=dict)
    unknown: Literal["to_verify", "assume_applies"] = "to_verify"

    _w = field_validator("when_any", "exempt_when")(
        classmethod(lambda cls, v: validate_conditions(v)))

    @model_validator(mode="after")
    def _limits(self) -> ConditionalThresholdParams:
        if self.min is None and self.max is None:
            raise ValueError("conditional_threshold needs min or max")
        return self


@check_type("conditional_threshold", params=ConditionalThresholdParams)
def conditional_threshold(feature: Feature, params: ConditionalThresholdParams,
                          ctx: CheckContext) -> CheckResult:
    """**Deprecated alias** (it loads and runs as before; `inclusiecheck rules migrate` rewrites it): a ``threshold`` with ``when: {any: [...], not: {...}}``.

    A limit that holds when any of several conditions holds, except for exempt features."""
    undecided: list[str] = []
    if params.when_any:
        held, unknown = _evaluate(feature, params.when_any, ctx)
        if not held and not unknown:
            return CheckResult(Outcome.NOT_APPLICABLE, params.property)
        if not held:
            undecided.extend(unknown)
    if params.exempt_when:
        held, unknown = _evaluate(feature, params.exempt_when, ctx)
        if held:
            return CheckResult(Outcome.NOT_APPLICABLE, params.property,
                               note={"nl": f"vrijgesteld ({', '.join(held)})",
                                     "en": f"exempt ({', '.join(held)})"})
        undecided.extend(unknown)
    value = as_number(ctx.value(feature, params.property))
    if value is None:
        return ctx.missing(params.property, *undecided)
    result = ctx.compare(params.property, value, min_value=params.min, max_value=params.max,
                         min_inclusive=params.min_inclusive, max_inclusive=params.max_inclusive,
                         unit=params.unit, data={"source": ctx.source_of(feature, params.property)})
    if result.outcome is not Outcome.FAIL or not undecided:
        return result
    names = ", ".join(undecided)
    if params.unknown == "assume_applies":
        return CheckResult(Outcome.FAIL, result.property, result.measured, result.required,
                           result.unit, data=result.data,
                           note={"nl": f"aangenomen dat de eis geldt ({names} niet opgegeven)",
                                 "en": f"assumed that the requirement applies ({names} not given)"})
    return CheckResult(Outcome.TO_VERIFY, result.property, result.measured, result.required,
                       result.unit, missing=tuple(undecided), data=result.data,
                       note={"nl": f"voldoet niet als de eis geldt; {names} beslist dat",
                             "en": f"fails if the requirement applies; {names} decides that"})


# --------------------------------------------------------------------------------------------
class CodeLimit(CheckParams):
    """The limit for one code: ``property`` within ``min``/``max``."""

    property: str
    min: float | None = None
    max: float | None = None
    unit: str | None = None


class ThresholdByCodeParams(CheckParams):
    """The property and limit are chosen by the value of ``key`` (a code) in ``limits``; a
    code not in the table takes ``default`` when given, else gives ``other``.

    ``unknown``: what a missing code gives. ``to_verify`` (default) names the key;
    ``judge_all`` judges the value against every limit (the table and ``default``): when all
    agree that outcome stands (reported against ``default``, or the first limit), else it is
    ``to_verify`` naming the key (e.g. a door of 87 cm: 90 cm required, 85 cm for housing)."""

    key: str
    limits: dict[str, CodeLimit] = Field(min_length=1)
    default: CodeLimit | None = None
    other: Literal["not_applicable", "to_verify", "fail"] = "not_applicable"
    unknown: Literal["to_verify", "judge_all"] = "to_verify"


def _by_code(feature: Feature, params: ThresholdByCodeParams, ctx: CheckContext,
             limit: CodeLimit, code: str | None) -> CheckResult:
    value = as_number(ctx.value(feature, limit.property))
    if value is None:
        return ctx.missing(limit.property)
    return ctx.compare(limit.property, value, min_value=limit.min, max_value=limit.max,
                       unit=limit.unit, data={"key": params.key, "key_value": code,
                                              "source": ctx.source_of(feature, limit.property)})


def _limit_text(limit: CodeLimit) -> str:
    unit = f" {limit.unit}" if limit.unit else ""
    parts = ([f"≥ {limit.min:g}{unit}"] if limit.min is not None else []) + \
        ([f"≤ {limit.max:g}{unit}"] if limit.max is not None else [])
    return " ".join(parts)


@check_type("threshold_by_code", params=ThresholdByCodeParams)
def threshold_by_code(feature: Feature, params: ThresholdByCodeParams,
                      ctx: CheckContext) -> CheckResult:
    """**Deprecated alias** (it loads and runs as before; `inclusiecheck rules migrate` rewrites it): a ``threshold`` with ``key`` and ``limits_by``.

    A limit chosen by a code (e.g. a parking bay's width or length by its arrangement)."""
    code = ctx.value(feature, params.key)
    if code is None:
        if params.unknown == "to_verify":
            return ctx.missing(params.key)
        options: list[tuple[str | None, CodeLimit]] = (
            [(None, params.default)] if params.default is not None else [])
        options += list(params.limits.items())
        results = [(c, _by_code(feature, params, ctx, lim, None)) for c, lim in options]
        missing = [m for _, r in results for m in r.missing if r.outcome is Outcome.TO_VERIFY]
        if missing:
            return ctx.missing(*dict.fromkeys([*missing, params.key]))
        first = results[0][1]
        if len({r.outcome for _, r in results}) == 1:
            return first
        fails = next(r for _, r in results if r.outcome is Outcome.FAIL)
        def code_text(code: str | None, lang: str, other: str) -> str:
            return other if code is None else value_label(params.key, code, lang) or code

        table = {lang: "; ".join(f"{code_text(c, lang, other)}: {_limit_text(lim)}"
                                 for c, lim in options)
                 for lang, other in (("nl", "anders"), ("en", "otherwise"))}
        return CheckResult(Outcome.TO_VERIFY, fails.property, fails.measured, fails.required,
                           fails.unit, missing=(params.key,), data=fails.data, note={
            "nl": f"de grens hangt af van: {label(params.key, 'nl')} ({table['nl']})",
            "en": f"the limit depends on: {label(params.key, 'en')} ({table['en']})"})
    limit = params.limits.get(str(code)) or params.default
    if limit is None:
        return CheckResult(Outcome(params.other), params.key, str(code),
                           ", ".join(params.limits))
    return _by_code(feature, params, ctx, limit, str(code))


# --------------------------------------------------------------------------------------------
class StairStepParams(CheckParams):
    """Step rule: ``factor`` x riser + tread (the step length) within ``min``..``max``
    (inclusive), in the unit of the two attributes."""

    riser: str = "riser_cm"
    tread: str = "tread_cm"
    factor: float = 2.0
    min: float = 57.0
    max: float = 63.0
    unit: str = "cm"


@check_type("stair_step_rule", params=StairStepParams)
def stair_step_rule(feature: Feature, params: StairStepParams, ctx: CheckContext) -> CheckResult:
    """The step length 2 x riser + tread lies within the comfortable range."""
    (riser, tread), missing = ctx.numbers(feature, params.riser, params.tread)
    if missing:
        return ctx.missing(*missing, property="step_length_cm")
    assert riser is not None and tread is not None
    step = round(params.factor * riser + tread, 3)
    result = ctx.compare("step_length_cm", step, min_value=params.min, max_value=params.max,
                         unit=params.unit, data={"riser": riser, "tread": tread})
    if result.outcome is Outcome.PASS:
        return result
    return CheckResult(result.outcome, result.property, result.measured,
                       f"{params.min:g}–{params.max:g}", result.unit, data=result.data)


# --------------------------------------------------------------------------------------------
class AccessPathWidthParams(CheckParams):
    """Clear width ``min_m`` with tolerated narrowings: at least ``short_min_m`` over at most
    ``short_max_length_m``, at least ``long_min_m`` over a longer stretch, which needs a
    turning space of ``min_m`` at least every ``long_max_length_m`` (verordening Art. 14:
    1.50 m; 0.90 m over at most 1.20 m; 1.20 m beyond that, turning space every 10 m)."""

    property: str = "width_m"
    min_m: float = Field(default=1.5, gt=0)
    short_min_m: float = Field(default=0.9, gt=0)
    short_max_length_m: float = Field(default=1.2, gt=0)
    long_min_m: float = Field(default=1.2, gt=0)
    long_max_length_m: float = Field(default=10.0, gt=0)


#: tolerances of the drawn measure: widths to 1e-6 m (floating point), narrowing lengths to
#: 5 mm (the clear-width measure locates the ends of a narrowing within about 1 mm each side)
#: widths are compared within the clear-width measurement tolerance (5 mm: measured to the cm)
_WIDTH_TOL_M = WIDTH_TOLERANCE_M
_LENGTH_TOL_M = 0.005


def _g(value: float) -> str:
    """A number in its shortest form with a decimal comma (Dutch notes)."""
    return f"{value:g}".replace(".", ",")


def _nl(value: float) -> str:
    """A length in metres with two decimals and a decimal comma (Dutch notes)."""
    return f"{value:.2f}".replace(".", ",")


def _narrowing_results(feature: Feature, params: AccessPathWidthParams,
                       result_wide: Any, result_long: Any) -> list[CheckResult]:
    out: list[CheckResult] = []
    for n in result_long.narrowings:  # stretches below the long-narrowing minimum
        if n.width_m >= params.long_min_m - _WIDTH_TOL_M:
            continue  # floating-point noise at the limit itself
        if n.width_m >= params.short_min_m - _WIDTH_TOL_M \
                and n.length_m <= params.short_max_length_m + _LENGTH_TOL_M:
            continue
        if n.width_m < params.short_min_m - _WIDTH_TOL_M:
            required = params.short_min_m
            why = {"nl": f"versmalling tot {_nl(n.width_m)} m over {_nl(n.length_m)} m: minder "
                         f"dan {_nl(params.short_min_m)} m", "en": f"narrowing to {n.width_m:.2f} m over "
                   f"{n.length_m:.2f} m: less than {params.short_min_m:g} m"}
        else:
            required = params.long_min_m
            why = {"nl": f"versmalling van {_nl(n.length_m)} m lang (meer dan "
                         f"{_nl(params.short_max_length_m)} m) moet minstens "
                         f"{_nl(params.long_min_m)} m breed zijn",
                   "en": f"a narrowing {n.length_m:.2f} m long (more than "
                         f"{params.short_max_length_m:g} m) must be at least "
                         f"{params.long_min_m:g} m wide"}
        out.append(CheckResult(Outcome.FAIL, params.property, round_width(n.width_m), required,
                               "m", location=n.geometry, note=why,
                               data={"narrowing_length_m": round(n.length_m, 3),
                                     "source": "measured", "tolerance_m": WIDTH_TOLERANCE_M}))
    for n in result_wide.narrowings:  # long narrowings without a turning space every 10 m
        if n.length_m <= params.long_max_length_m + _LENGTH_TOL_M:
            continue
        if n.width_m >= params.min_m - _WIDTH_TOL_M:
            continue
        if any(o.geometry.intersects(n.geometry) for o in result_long.narrowings
               if o.width_m < params.long_min_m - _WIDTH_TOL_M
               and not (o.width_m >= params.short_min_m - _WIDTH_TOL_M
                       and o.length_m <= params.short_max_length_m + _LENGTH_TOL_M)):
            continue  # already reported as too narrow
        out.append(CheckResult(
            Outcome.FAIL, params.property, round_width(n.width_m), params.min_m, "m",
            location=n.geometry,
            note={"nl": f"versmalling van {_nl(n.length_m)} m lang zonder draairuimte van "
                        f"{_nl(params.min_m)} m: die is minstens elke "
                        f"{_g(params.long_max_length_m)} m nodig",
                  "en": f"narrowing {n.length_m:.2f} m long without a {params.min_m:g} m turning "
                        f"space: one is needed at least every {params.long_max_length_m:g} m"},
            data={"narrowing_length_m": round(n.length_m, 3), "source": "measured",
                  "tolerance_m": WIDTH_TOLERANCE_M}))
    if out:
        return out
    narrowings = [n for n in result_wide.narrowings if n.width_m < params.min_m - _WIDTH_TOL_M]
    longs = [n for n in narrowings if n.length_m > params.short_max_length_m + _LENGTH_TOL_M]
    note = None
    if narrowings:
        note = {"nl": f"{len(narrowings)} toegelaten versmalling(en) onder {_nl(params.min_m)} m",
                "en": f"{len(narrowings)} tolerated narrowing(s) below {params.min_m:g} m"}
        if longs:
            note = {"nl": note["nl"] + "; bij een lijnversmalling is elke 10 m en aan begin en "
                                       "einde een draairuimte van 1,50 m nodig (na te gaan)",
                    "en": note["en"] + "; a long narrowing needs a 1.50 m turning space every "
                                       "10 m and at both ends (to check)"}
    return [CheckResult(Outcome.PASS, params.property, round_width(result_wide.min_width_m),
                        params.min_m, "m", note=note,
                        data={"source": "measured", "tolerance_m": WIDTH_TOLERANCE_M})]


@check_type("access_path_width", params=AccessPathWidthParams)
def access_path_width(feature: Feature, params: AccessPathWidthParams,
                      ctx: CheckContext) -> Iterable[CheckResult]:
    """Clear width of an access path, with the short and long narrowings the law tolerates.

    A width given as an attribute on a polygon is the width of the whole path (no narrowing
    length is known): it must reach ``min_m``. A polygon without it, and a centre line with a
    ``width_m``, are measured against the obstacles standing in them (the clear-width measure
    of :mod:`inclusiecheck.engine.measures`: obstacles, benches, light poles, trees, ...).
    """
    from inclusiecheck.engine.measures import clear_width_result

    attr = as_number(feature.attrs.get(params.property))
    if attr is not None and (feature.geom_type == "Polygon" or attr < params.min_m):
        note = None if feature.geom_type != "Polygon" else \
            {"nl": "breedte van het hele pad (attribuut)", "en": "width of the whole path (attribute)"}
        return [ctx.compare(params.property, attr, min_value=params.min_m, unit="m", note=note,
                            data={"source": "attribute"})]
    wide = clear_width_result(feature, ctx, min_required_m=params.min_m)
    long = clear_width_result(feature, ctx, min_required_m=params.long_min_m)
    if wide is None or long is None:
        return [ctx.missing(params.property)]
    return _narrowing_results(feature, params, wide, long)


# --------------------------------------------------------------------------------------------
class FreeHeightOverParams(CheckParams):
    """Objects over a host feature (``hosts`` layers meeting ``where``; a centre line counts
    with half its ``width_m``, else ``default_half_width_m``) leave at least ``min_m`` free
    height. ``properties`` names the clearance attribute per layer; ``required_where`` says,
    per layer, which features must state it (others without it are not applicable).
    ``scope``: the legal scope judged on the host."""

    hosts: list[str] = Field(default_factory=lambda: ["walkway"])
    where: dict[str, Any] = Field(default_factory=dict)
    properties: dict[str, str] = Field(min_length=1)
    required_where: dict[str, dict[str, Any]] = Field(default_factory=dict)
    min_m: float = Field(gt=0)
    default_half_width_m: float = 0.75
    scope: str | None = None

    _w = field_validator("where")(classmethod(lambda cls, v: validate_conditions(v)))

    @field_validator("required_where")
    @classmethod
    def _required_where(cls, value: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        for conditions in value.values():
            validate_conditions(conditions)
        return value


def _hosts(feature: Feature, params: FreeHeightOverParams, ctx: CheckContext) -> list[Feature]:
    out = []
    reach = max(params.default_half_width_m, 5.0)
    for layer in params.hosts:
        for host in ctx.model.near(layer, feature.geometry, reach):
            if not ctx.meets(host, params.where):
                continue
            if host.geom_type == "Polygon":
                hit = host.geometry.intersects(feature.geometry)
            else:
                width = as_number(host.attrs.get("width_m"))
                half = width / 2 if width else params.default_half_width_m
                hit = host.geometry.distance(feature.geometry) <= half
            if hit:
                out.append(host)
    return out


@check_type("free_height_over", params=FreeHeightOverParams)
def free_height_over(feature: Feature, params: FreeHeightOverParams,
                     ctx: CheckContext) -> CheckResult:
    """Free height under an object (sign, awning, tree canopy) over an access path."""
    prop = params.properties.get(feature.layer)
    if prop is None:
        return CheckResult(Outcome.NOT_APPLICABLE)
    hosts = _hosts(feature, params, ctx)
    if not hosts:
        return CheckResult(Outcome.NOT_APPLICABLE, prop)
    case = None
    if params.scope:
        from inclusiecheck.engine.scopes import SCOPES

        results = [SCOPES[params.scope](h, ctx) for h in hosts]
        applying = [r for r in results if r.applies]
        if not applying:
            undecided = [r for r in results if r.applies is None]
            if undecided:
                return CheckResult(Outcome.TO_VERIFY, prop, missing=undecided[0].missing,
                                   note=undecided[0].case)
            return CheckResult(Outcome.NOT_APPLICABLE, prop, note=results[0].case)
        case = applying[0].case
    value = as_number(ctx.value(feature, prop))
    host = hosts[0]
    note = {"nl": f"boven toegangspad {host.id}" + (f"; {case['nl']}" if case else ""),
            "en": f"over access path {host.id}" + (f"; {case['en']}" if case else "")}
    if value is None:
        required = params.required_where.get(feature.layer)
        if required is not None and ctx.meets(feature, required):
            return CheckResult(Outcome.TO_VERIFY, prop, missing=(prop,), note=note)
        return CheckResult(Outcome.NOT_APPLICABLE, prop)
    return ctx.compare(prop, value, min_value=params.min_m, unit="m", note=note,
                       data={"host": f"{host.layer}/{host.id}"})


# --------------------------------------------------------------------------------------------
class LevelDifferenceParams(CheckParams):
    """A level difference up to ``tolerance_cm`` is tolerated; up to ``ramp_max_cm`` it needs
    a ramp (``ramp_layers``), above it a ramp or lift (``high_layers``; a stair alone is not
    enough); a bridging feature counts within ``within_m`` of the level change.

    ``indoors: not_applicable`` skips level differences inside a building outline.
    ``tolerance_outdoors_only``: the tolerance holds only outdoors (``indoor`` false) or at a
    transition between inside and outside (within ``transition_m`` of a building outline or
    of an ``entrance``); indoors even a small level difference needs a ramp, and when
    ``indoor`` is unknown a small, unbridged one is ``to_verify``."""

    property: str = "height_cm"
    tolerance_cm: float = 2.0
    ramp_max_cm: float = 18.0
    ramp_layers: list[str] = Field(default_factory=lambda: ["ramp"])
    high_layers: list[str] = Field(default_factory=lambda: ["ramp", "lift"])
    within_m: float = Field(default=2.0, ge=0)
    tolerance_outdoors_only: bool = False
    transition_m: float = Field(default=1.0, ge=0)
    #: ``not_applicable``: a level difference inside a building outline is not judged (a
    #: public-space rule leaves it to the building's regulation)
    indoors: Literal["judge", "not_applicable"] = "judge"


def _tolerance_place(feature: Feature, params: LevelDifferenceParams,
                     ctx: CheckContext) -> str | None:
    """``outdoors``, ``transition`` or ``indoors`` for the tolerance of a small level
    difference; ``None`` when the plan cannot tell."""
    indoor = ctx.value(feature, "indoor")
    if indoor is False:
        return "outdoors"
    if indoor is None:
        return None
    point = feature.geometry.representative_point()
    if ctx.model.near("entrance", point, params.transition_m):
        return "transition"
    for building in ctx.model.near("building", point, 0.0):
        if building.geometry.covers(point) and \
                building.geometry.boundary.distance(point) <= params.transition_m:
            return "transition"
    return "indoors"


@check_type("level_difference", params=LevelDifferenceParams)
def level_difference(feature: Feature, params: LevelDifferenceParams,
                     ctx: CheckContext) -> CheckResult:
    """A level difference is small enough, or bridged by a ramp (or lift when higher)."""
    height = as_number(ctx.value(feature, params.property))
    if height is None:
        return ctx.missing(params.property)
    height = abs(height)
    if params.indoors == "not_applicable" and ctx.value(feature, "indoor") is True:
        return CheckResult(Outcome.NOT_APPLICABLE, params.property, height,
                           note={"nl": "binnen een gebouw", "en": "inside a building"})
    tolerance = params.tolerance_cm
    place = _tolerance_place(feature, params, ctx) if params.tolerance_outdoors_only else None
    if height <= tolerance:
        if not params.tolerance_outdoors_only or place in ("outdoors", "transition"):
            note = None if place is None else {
                "outdoors": {"nl": "buiten", "en": "outdoors"},
                "transition": {"nl": "overgang tussen binnen en buiten",
                               "en": "transition between inside and outside"}}[place]
            return CheckResult(Outcome.PASS, params.property, height, tolerance, "cm", note=note)
        tolerance = 0.0  # indoors (or perhaps indoors): the tolerance does not hold
    layers = params.ramp_layers if height <= params.ramp_max_cm else params.high_layers
    bridges = [f for layer in layers
               for f in ctx.model.near(layer, feature.geometry, params.within_m)]
    what = {"nl": " of ".join({"ramp": "helling", "lift": "lift"}.get(x, x) for x in layers),
            "en": " or ".join(layers)}
    if not bridges and height <= params.tolerance_cm and place is None:
        return CheckResult(Outcome.TO_VERIFY, params.property, height, 0.0, "cm",
                           missing=("indoor",), data={"needs": what},
                           note={"nl": f"tot {_g(params.tolerance_cm)} cm is enkel buiten of bij "
                                       "een overgang tussen binnen en buiten toegelaten; teken "
                                       "de gebouwomtrek",
                                 "en": f"up to {params.tolerance_cm:g} cm is only allowed outdoors "
                                       "or at a transition between inside and outside; draw the "
                                       "building outline"})
    if bridges:
        b = bridges[0]
        return CheckResult(Outcome.PASS, params.property, height, tolerance, "cm",
                           note={"nl": f"overbrugd door {b.layer} {b.id}",
                                 "en": f"bridged by {b.layer} {b.id}"},
                           data={"bridge": f"{b.layer}/{b.id}", "needs": what})
    inside = {"nl": "binnen; ", "en": "indoors; "} if place == "indoors" and \
        height <= params.tolerance_cm else {"nl": "", "en": ""}
    return CheckResult(Outcome.FAIL, params.property, height, tolerance, "cm",
                       note={"nl": f"{inside['nl']}geen {what['nl']} getekend binnen "
                                   f"{_g(params.within_m)} m",
                             "en": f"{inside['en']}no {what['en']} drawn within "
                                   f"{params.within_m:g} m"},
                       data={"needs": what})


# --------------------------------------------------------------------------------------------
class AlternativeWithinParams(CheckParams):
    """Another feature of ``layers`` lies within ``within_m``, meeting ``where`` and with none
    of ``not_true`` set to true (a missing value counts as not true)."""

    layers: list[str] = Field(min_length=1)
    within_m: float = Field(gt=0)
    where: dict[str, Any] = Field(default_factory=dict)
    not_true: list[str] = Field(default_factory=list)
    property: str = "alternative"

    _w = field_validator("where")(classmethod(lambda cls, v: validate_conditions(v)))


@check_type("alternative_within", params=AlternativeWithinParams)
def alternative_within(feature: Feature, params: AlternativeWithinParams,
                       ctx: CheckContext) -> CheckResult:
    """An alternative (e.g. a swing door beside a revolving door) is drawn close by."""
    for layer in params.layers:
        for other in ctx.model.near(layer, feature.geometry, params.within_m):
            if other is feature:
                continue
            if any(ctx.value(other, name) is True for name in params.not_true):
                continue
            if not ctx.meets(other, params.where):
                continue
            distance = round(float(feature.geometry.distance(other.geometry)), 2)
            return CheckResult(Outcome.PASS, params.property, distance, params.within_m, "m",
                               note={"nl": f"alternatief: {other.layer} {other.id}",
                                     "en": f"alternative: {other.layer} {other.id}"},
                               data={"target": f"{other.layer}/{other.id}"})
    result = CheckResult(Outcome.FAIL, params.property, None, params.within_m, "m",
                         note={"nl": f"geen alternatief binnen {_g(params.within_m)} m getekend",
                               "en": f"no alternative drawn within {params.within_m:g} m"})
    partial = [layer for layer in params.layers if not ctx.model.layer_complete(layer)]
    # nothing drawn nearby proves nothing in a layer that is not complete (OpenStreetMap)
    return absence_unproven(result, partial[0], result.note) if partial else result
