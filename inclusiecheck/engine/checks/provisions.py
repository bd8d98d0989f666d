"""Check types for provisions: public-transport stops, public toilets and rest points.

``mode_threshold``
    A number whose limits depend on the stop's ``mode`` (bus, tram), with a stricter maximum
    where the vehicle must swing in (``swing_in``): platform height and platform length.
``boarding_zone_free``
    No obstacle in the boarding zone: inside the platform polygon, or within ``radius_m`` of a
    stop drawn as a point.
``stop_category``
    De Lijn's accessibility categories (motor, visual impairment): several criteria, each
    judged as in the detailed rules, with the failed ones listed as reasons.
``toilet_coverage``
    An area or a stop must have an accessible public toilet within walking distance (along the
    walkway network when one exists, else straight-line); one multi-source distance
    computation per parameter set and layer, built once per run (``ctx.shared``).
``rest_gaps``
    Stretches of a main route, or of the paths in a park or square, longer than the allowed
    spacing between seats; every gap is a finding of its own with its LineString.

The module also registers the measures ``platform_width_m`` / ``platform_length_m`` (stop
polygons), ``room_width_m`` / ``room_length_m`` (toilet polygons) and ``seating`` (a bench
drawn at a stop): :data:`inclusiecheck.engine.measures.MEASURES` names this module among its
built-ins. (The ``stops`` summary block is registered by :mod:`inclusiecheck.engine.stops`,
which :data:`inclusiecheck.engine.summaries.SUMMARIES` names.)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal
from collections.abc import Iterable, Mapping

import numpy as np
import shapely
from pydantic import Field, field_validator, model_validator
from shapely.geometry.base import BaseGeometry

from inclusiecheck.engine.checks.api import (
    absence_unproven,
    CheckContext,
    CheckParams,
    CheckResult,
    as_number,
    check_type,
)
from inclusiecheck.engine.checks.relations import (
    AttributeOrNearbyParams,
    attribute_or_nearby,
)
from inclusiecheck.engine.conditions import decide, validate_conditions
from inclusiecheck.engine.measures import measure, walk_network
from inclusiecheck.engine.messages import format_number
from inclusiecheck.model.labels import join_labels
from inclusiecheck.model import Feature, Outcome

NL_EN = dict[str, str]


# ============================================================================================
# measures
# ============================================================================================
def _rect_sides(geometry: BaseGeometry) -> tuple[float, float] | None:
    """Short and long side of the minimum rotated rectangle of a polygon (``None`` otherwise)."""
    if geometry.geom_type not in ("Polygon", "MultiPolygon") or geometry.is_empty:
        return None
    rect = shapely.oriented_envelope(geometry)
    if rect.geom_type != "Polygon":
        return None
    xy = np.asarray(rect.exterior.coords)[:4]
    sides = np.hypot(*(np.roll(xy, -1, axis=0) - xy).T)
    a, b = float(sides[0]), float(sides[1])
    return (min(a, b), max(a, b))


@measure("platform_width_m", unit="m", layers=("stop",))
def platform_width_m(feature: Feature, ctx: CheckContext) -> float | None:
    """Width of a stop platform drawn as a polygon: the short side of its minimum rotated
    rectangle (an upper bound for an irregular platform)."""
    sides = _rect_sides(feature.geometry)
    return None if sides is None else round(sides[0], 3)


@measure("platform_length_m", unit="m", layers=("stop",))
def platform_length_m(feature: Feature, ctx: CheckContext) -> float | None:
    """Length of a stop platform drawn as a polygon: the long side of its minimum rotated
    rectangle."""
    sides = _rect_sides(feature.geometry)
    return None if sides is None else round(sides[1], 3)


@measure("room_width_m", unit="m", layers=("toilet",))
def room_width_m(feature: Feature, ctx: CheckContext) -> float | None:
    """Inner width of a toilet room drawn as a polygon (short side of its rotated rectangle)."""
    sides = _rect_sides(feature.geometry)
    return None if sides is None else round(sides[0], 3)


@measure("room_length_m", unit="m", layers=("toilet",))
def room_length_m(feature: Feature, ctx: CheckContext) -> float | None:
    """Inner length of a toilet room drawn as a polygon (long side of its rotated rectangle)."""
    sides = _rect_sides(feature.geometry)
    return None if sides is None else round(sides[1], 3)


SEATING_NEAR_STOP_M = 10.0


@measure("seating", unit=None, layers=("stop",))
def seating(feature: Feature, ctx: CheckContext) -> bool | None:
    """Seating at a stop from the drawing: a bench within 10 m of the stop; ``False`` when the
    plan's bench layer is complete (a design plan that draws benches, or ``complete_layers``)
    but has none there, ``None`` otherwise (no benches drawn, or OpenStreetMap benches)."""
    if ctx.model.near("bench", feature.geometry, SEATING_NEAR_STOP_M):
        return True
    return False if ctx.model.layer_complete("bench") else None


# ============================================================================================
# small helpers
# ============================================================================================
@dataclass(frozen=True, slots=True)
class Verdict:
    """One criterion's judgement: ``pass``, ``fail`` or ``unknown`` (data missing)."""

    state: Literal["pass", "fail", "unknown"]
    measured: Any = None
    required: Any = None
    unit: str | None = None
    missing: tuple[str, ...] = ()
    note: Mapping[str, str] | None = None
    location: BaseGeometry | None = None
    warn: bool = False


_num = as_number


def _point_of(geometry: BaseGeometry) -> BaseGeometry:
    return geometry if geometry.geom_type == "Point" else geometry.point_on_surface()


def _fmt(value: float) -> str:
    return f"{value:g}"


# ============================================================================================
# mode_threshold: platform height and length by mode
# ============================================================================================
class ModeLimits(CheckParams):
    """Limits for one mode; ``swing_in_max``: stricter maximum where ``swing_in`` is true;
    ``warn_min``/``warn_max``: below or above them is discouraged (``warn``), not a fail.
    A mode with no limit at all is judged ``to_verify`` (no figure to compare with)."""

    min: float | None = None
    max: float | None = None
    warn_min: float | None = None
    warn_max: float | None = None
    swing_in_max: float | None = None
    note: dict[str, str] | None = None

    @field_validator("note")
    @classmethod
    def _note(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        if value is not None and set(value) != {"nl", "en"}:
            raise ValueError("note needs exactly the keys nl and en")
        return value


class ModeThresholdParams(CheckParams):
    """``property`` judged against the limits of the stop's ``mode`` (``modes``)."""

    property: str
    unit: str | None = None
    modes: dict[str, ModeLimits] = Field(min_length=1)
    mode_property: str = "mode"


def judge_mode_threshold(feature: Feature, params: ModeThresholdParams,
                         ctx: CheckContext) -> Verdict:
    """Judge a mode-dependent limit (see :class:`ModeThresholdParams`)."""
    mode = ctx.value(feature, params.mode_property)
    value = _num(ctx.value(feature, params.property))
    if mode is None or value is None:
        return Verdict("unknown", missing=tuple(
            n for n, v in ((params.mode_property, mode), (params.property, value)) if v is None))
    limits = params.modes.get(str(mode))
    if limits is None or (limits.min is None and limits.max is None
                          and limits.warn_max is None):
        note = (limits.note if limits is not None else None) or {
            "nl": f"geen referentiewaarde voor modus {mode}: stem af met de vervoerder",
            "en": f"no reference value for mode {mode}: agree it with the operator"}
        return Verdict("unknown", measured=value, unit=params.unit, missing=("reference",),
                       note=note)
    upper = limits.max
    unit = f" {params.unit}" if params.unit else ""
    swing = ctx.value(feature, "swing_in")
    if limits.swing_in_max is not None:
        if swing is True:
            upper = limits.swing_in_max if upper is None else min(upper, limits.swing_in_max)
        elif swing is None and value > limits.swing_in_max and (upper is None or value <= upper):
            return Verdict("unknown", measured=value, required=limits.swing_in_max,
                           unit=params.unit, missing=("swing_in",),
                           note={"nl": f"moet het voertuig indraaien (haltehaven, bocht), dan "
                                       f"is het maximum {_fmt(limits.swing_in_max)}{unit}",
                                 "en": f"if the vehicle must swing in (bus bay, bend), the "
                                       f"maximum is {_fmt(limits.swing_in_max)}{unit}"})
    if limits.min is not None and value < limits.min:
        return Verdict("fail", value, limits.min, params.unit)
    if upper is not None and value > upper:
        return Verdict("fail", value, upper, params.unit)
    if limits.warn_max is not None and value > limits.warn_max:
        return Verdict("pass", value, limits.warn_max, params.unit, warn=True, note={
            "nl": f"meer dan {_fmt(limits.warn_max)}{unit} is af te raden",
            "en": f"more than {_fmt(limits.warn_max)}{unit} is discouraged"})
    target = limits.warn_min
    if swing is True and target is not None and upper is not None:
        target = min(target, upper)
    if target is not None and value < target:
        return Verdict("pass", value, target, params.unit, warn=True)
    return Verdict("pass", value, limits.min if limits.min is not None else upper, params.unit)


def _to_result(v: Verdict, property: str) -> CheckResult:
    if v.state == "unknown":
        return CheckResult(Outcome.TO_VERIFY, property=property, measured=v.measured,
                           required=v.required, unit=v.unit, missing=v.missing, note=v.note)
    outcome = Outcome.FAIL if v.state == "fail" else (Outcome.WARN if v.warn else Outcome.PASS)
    return CheckResult(outcome, property=property, measured=v.measured, required=v.required,
                       unit=v.unit, location=v.location, note=v.note)


@check_type("mode_threshold", params=ModeThresholdParams)
def mode_threshold(feature: Feature, params: ModeThresholdParams,
                   ctx: CheckContext) -> CheckResult:
    """**Deprecated alias** (it loads and runs as before; `inclusiecheck rules migrate` rewrites it): a ``threshold`` with ``key: mode`` and ``limits_by`` (a bus that must swing in is a
    row ``when: {mode: bus, swing_in: true}``).

    A number within limits that depend on the stop's mode (and on ``swing_in``)."""
    return _to_result(judge_mode_threshold(feature, params, ctx), params.property)


# ============================================================================================
# boarding_zone_free
# ============================================================================================
class BoardingZoneParams(CheckParams):
    """No feature of ``layers`` (except vegetation of the kinds in ``ignore_kinds``) in the
    boarding zone: the platform polygon, or a circle of ``radius_m`` around a stop point."""

    layers: list[str] = Field(default_factory=lambda: ["obstacle", "light", "vegetation"],
                              min_length=1)
    radius_m: float = Field(default=2.5, gt=0)
    #: lawn and flush grates are no obstacle to boarding
    ignore_kinds: list[str] = Field(default_factory=lambda: ["lawn", "grate"])


def judge_boarding_zone(feature: Feature, params: BoardingZoneParams,
                        ctx: CheckContext) -> Verdict:
    """Obstacles in the boarding zone: features intersecting the platform polygon, or within
    ``radius_m`` (inclusive) of a stop drawn as a point."""
    is_point = feature.geom_type == "Point"
    radius = params.radius_m if is_point else 0.0
    found: list[Feature] = []
    for layer in params.layers:
        for other in ctx.model.near(layer, feature.geometry, radius):
            if other.attrs.get("kind") in params.ignore_kinds:
                continue
            found.append(other)
    how = ({"nl": f"gezocht binnen {_fmt(params.radius_m)} m van de haltepaal (halte als punt "
                  "getekend; teken het perron voor een volledige controle)",
            "en": f"searched within {_fmt(params.radius_m)} m of the stop pole (stop drawn as a "
                  "point; draw the platform for a complete check)"}
           if is_point else None)
    if found:
        ids = ", ".join(f"{f.layer} {f.id}" for f in found)
        note = {"nl": f"obstakels: {ids}", "en": f"obstacles: {ids}"}
        if how:
            note = {k: f"{note[k]}; {how[k]}" for k in note}
        location = shapely.union_all([f.geometry for f in found])
        return Verdict("fail", len(found), 0, None, note=note, location=location)
    if not any(ctx.model.has_layer(layer) for layer in params.layers):
        return Verdict("unknown", missing=tuple(params.layers), note={
            "nl": "het plan tekent geen obstakels, verlichting of beplanting",
            "en": "the plan draws no obstacles, lights or vegetation"})
    return Verdict("pass", 0, 0, None, note=how)


@check_type("boarding_zone_free", params=BoardingZoneParams)
def boarding_zone_free(feature: Feature, params: BoardingZoneParams,
                       ctx: CheckContext) -> CheckResult:
    """No obstacle (pole, bin, light, tree ...) in the boarding zone of a stop."""
    return _to_result(judge_boarding_zone(feature, params, ctx), "obstacles_in_boarding_zone")


# ============================================================================================
# stop_category
# ============================================================================================
CRITERION_LABELS: dict[str, NL_EN] = {
    "platform_height": {"nl": "perronhoogte niet geschikt voor de modus",
                        "en": "platform height not suited to the mode"},
    "platform_width": {"nl": "perron te smal", "en": "platform too narrow"},
    "boarding_zone_free": {"nl": "obstakel in de opstapzone",
                           "en": "obstacle in the boarding zone"},
    "tactile_guidance": {"nl": "geen geleidelijn van het looppad naar het opstappunt",
                         "en": "no tactile guide line from the walkway to the boarding point"},
    "boarding_tactile": {"nl": "geen opstapvlak (rubbertegels) aan het opstappunt",
                         "en": "no boarding tile (rubber tiles) at the boarding point"},
    "boarding_gradient": {"nl": "helling van de oprijplaat te steil",
                          "en": "boarding ramp too steep"},
}
CriterionName = Literal["platform_height", "platform_width", "boarding_zone_free",
                        "tactile_guidance", "boarding_tactile", "boarding_gradient"]


def _default_height() -> ModeThresholdParams:
    return ModeThresholdParams(property="platform_height_cm", unit="cm", modes={
        "bus": ModeLimits(min=15, warn_min=18, warn_max=18, swing_in_max=16),
        "tram": ModeLimits()})


def judge_platform_height(feature: Feature, params: StopCategoryParams,
                          ctx: CheckContext) -> Verdict:
    """The platform-height criterion of a category: the mode's limits; a platform above the
    mode's ``warn_max`` (discouraged, not forbidden) meets the category when the boarding
    ramp's gradient (``gradient.property``) is at most ``gradient.max_pct``, and is
    ``to_verify`` when the gradient is not given."""
    v = judge_mode_threshold(feature, params.height, ctx)
    limits = params.height.modes.get(str(ctx.value(feature, params.height.mode_property)))
    if (v.state != "pass" or limits is None or limits.warn_max is None
            or not isinstance(v.measured, (int, float)) or v.measured <= limits.warn_max):
        return v
    limit = params.gradient.max_pct
    gradient = _num(ctx.value(feature, params.gradient.property))
    h = _fmt(v.measured)
    if gradient is None:
        return Verdict("unknown", measured=v.measured, required=limits.warn_max, unit=v.unit,
                       missing=(params.gradient.property,), note={
            "nl": f"perron van {h} cm, hoger dan aanbevolen: toegankelijk als de oprijplaat "
                  f"hoogstens {_fmt(limit)} % helt; meet de helling",
            "en": f"{h} cm platform, higher than recommended: accessible if the boarding ramp "
                  f"is at most {_fmt(limit)} %; measure the gradient"})
    gradient = abs(gradient)
    state: Literal["pass", "fail"] = "pass" if gradient <= limit else "fail"
    return Verdict(state, gradient, limit, "%", note={
        "nl": f"perron van {h} cm: beoordeeld op de helling van de oprijplaat",
        "en": f"{h} cm platform: judged on the boarding ramp gradient"})


class TactileParams(CheckParams):
    """A tactile element: the attribute, or a ``tactile`` feature of ``kind`` drawn within
    ``within_m`` of the stop."""

    property: str
    kind: str
    within_m: float = Field(default=2.0, ge=0)


class GradientParams(CheckParams):
    """The boarding ramp's gradient ``property`` (%) is at most ``max_pct`` (inclusive).

    Without the attribute, a platform that meets the category's ``height`` (the raised
    platform of the category without assistance, whose ramp is at most 12 %) passes; any
    other platform is ``to_verify``: the gradient depends on the vehicle and its kneeling,
    so it is measured at the stop (De Lijn's inventory records it)."""

    property: str = "boarding_gradient_pct"
    max_pct: float = Field(default=20.0, gt=0)


class StopCategoryParams(CheckParams):
    """An accessibility category of the operator: every criterion in ``criteria`` must hold.

    ``category`` names it for the ``stops`` summary; ``baseline_pct`` is the Flemish share of
    stops that meet it today (shown beside the plan's share).
    """

    category: str = Field(pattern=r"^[a-z][a-z_]*$")
    criteria: list[CriterionName] = Field(min_length=1)
    baseline_pct: float | None = Field(default=None, ge=0, le=100)
    baseline_source: str | None = None
    height: ModeThresholdParams = Field(default_factory=_default_height)
    min_width_m: float = Field(default=1.5, gt=0)
    boarding_zone: BoardingZoneParams = Field(default_factory=BoardingZoneParams)
    guidance: TactileParams = Field(default_factory=lambda: TactileParams(
        property="tactile_guidance", kind="guide_line"))
    boarding_tile: TactileParams = Field(default_factory=lambda: TactileParams(
        property="boarding_tactile", kind="boarding"))
    gradient: GradientParams = Field(default_factory=GradientParams)

    @model_validator(mode="after")
    def _unique(self) -> StopCategoryParams:
        if len(set(self.criteria)) != len(self.criteria):
            raise ValueError("a criterion is listed twice")
        return self


def judge_tactile(feature: Feature, params: TactileParams, ctx: CheckContext) -> Verdict:
    """The attribute, or a drawn ``tactile`` feature of the kind (same logic as the
    ``attribute_or_nearby`` check type)."""
    (result,) = attribute_or_nearby.run(feature, AttributeOrNearbyParams(
        property=params.property, layers=["tactile"], where={"kind": params.kind},
        within_m=params.within_m), ctx)
    if result.outcome is Outcome.PASS:
        return Verdict("pass", True, True, note=result.note)
    if result.outcome is Outcome.FAIL:
        return Verdict("fail", False, True, note=result.note)
    return Verdict("unknown", missing=result.missing or (params.property,))


def judge_width(feature: Feature, min_m: float, ctx: CheckContext) -> Verdict:
    width = _num(ctx.value(feature, "platform_width_m"))
    if width is None:
        return Verdict("unknown", missing=("platform_width_m",))
    return Verdict("pass" if width >= min_m else "fail", width, min_m, "m")


def judge_gradient(feature: Feature, params: StopCategoryParams, ctx: CheckContext) -> Verdict:
    """The boarding ramp's gradient (see :class:`GradientParams`); a signed value is judged
    by its size."""
    limit = params.gradient.max_pct
    value = _num(ctx.value(feature, params.gradient.property))
    if value is not None:
        value = abs(value)
        return Verdict("pass" if value <= limit else "fail", value, limit, "%")
    height = judge_platform_height(feature, params, ctx)   # above 18 cm: needs the gradient
    if height.state == "pass":
        h = _fmt(height.measured) if isinstance(height.measured, (int, float)) else "?"
        return Verdict("pass", note={
            "nl": f"geen {params.gradient.property}: het perron van {h} cm heeft de hoogte van "
                  "een halte zonder assistentie (oprijplaat hoogstens 12 %)",
            "en": f"no {params.gradient.property}: the {h} cm platform has the height of a stop "
                  "without assistance (boarding ramp at most 12 %)"})
    return Verdict("unknown", missing=(params.gradient.property,), note={
        "nl": f"perron niet op de hoogte van een halte zonder assistentie: meet de helling van "
              f"de oprijplaat (hoogstens {_fmt(limit)} %)",
        "en": f"platform not at the height of a stop without assistance: measure the boarding "
              f"ramp gradient (at most {_fmt(limit)} %)"})


def judge_criterion(name: str, feature: Feature, params: StopCategoryParams,
                    ctx: CheckContext) -> Verdict:
    """Judge one named criterion of a stop category."""
    if name == "platform_height":
        return judge_platform_height(feature, params, ctx)
    if name == "platform_width":
        return judge_width(feature, params.min_width_m, ctx)
    if name == "boarding_zone_free":
        return judge_boarding_zone(feature, params.boarding_zone, ctx)
    if name == "tactile_guidance":
        return judge_tactile(feature, params.guidance, ctx)
    if name == "boarding_tactile":
        return judge_tactile(feature, params.boarding_tile, ctx)
    if name == "boarding_gradient":
        return judge_gradient(feature, params, ctx)
    raise ValueError(f"unknown criterion {name!r}")  # pragma: no cover - validated


def _describe(name: str, v: Verdict, lang: str) -> str:
    label = CRITERION_LABELS[name][lang]
    if v.measured is not None and not isinstance(v.measured, bool) and v.required is not None:
        sep = "," if lang == "nl" else "."
        measured = f"{v.measured:g}".replace(".", sep)
        required = f"{v.required:g}".replace(".", sep)
        unit = f" {v.unit}" if v.unit else ""
        if name == "boarding_zone_free":
            return f"{label} ({measured})"
        return f"{label} ({measured}{unit}; {'vereist' if lang == 'nl' else 'required'} " \
               f"{required}{unit})"
    return label


@check_type("stop_category", params=StopCategoryParams)
def stop_category(feature: Feature, params: StopCategoryParams,
                  ctx: CheckContext) -> CheckResult:
    """Whether a stop meets an operator's accessibility category, with the reasons."""
    failed: list[tuple[str, Verdict]] = []
    unknown: list[tuple[str, Verdict]] = []
    met = 0
    for name in params.criteria:
        v = judge_criterion(name, feature, params, ctx)
        if v.state == "fail":
            failed.append((name, v))
        elif v.state == "unknown":
            unknown.append((name, v))
        else:
            met += 1
    reasons = {lang: [_describe(n, v, lang) for n, v in failed] for lang in ("nl", "en")}
    missing = tuple(dict.fromkeys(m for _, v in unknown for m in v.missing))
    data: dict[str, Any] = {
        "category": params.category, "reasons": reasons,
        "criteria": len(params.criteria), "criteria_met": met,
        "failed_criteria": [n for n, _ in failed],
        "unknown_criteria": [n for n, _ in unknown],
        "accessible": not failed and not unknown,
    }
    # the reasons are in the message ({reasons}); the note adds what is still to verify
    notes = [v.note for _, v in unknown if v.note]
    note = {k: "; ".join(n[k] for n in notes) for k in ("nl", "en")} if notes else None
    if failed and unknown:
        words = join_labels(missing)
        extra = {"nl": f"Ook te controleren: {words['nl']}",
                 "en": f"Also to verify: {words['en']}"}
        note = {k: extra[k] + (f" ({note[k]})" if note else "") for k in ("nl", "en")}
    locations = [v.location for _, v in failed if v.location is not None]
    if failed:
        outcome = Outcome.FAIL
    elif unknown:
        outcome = Outcome.TO_VERIFY
    else:
        outcome = Outcome.PASS
    return CheckResult(outcome, property=f"category_{params.category}",
                       measured=f"{met}/{len(params.criteria)}",
                       required=", ".join(params.criteria),
                       missing=missing if outcome is not Outcome.PASS else (),
                       location=shapely.union_all([feature.geometry, *locations])
                       if locations else None,
                       note=note, data=data)


# ============================================================================================
# room_size: an accessible toilet room, in either orientation
# ============================================================================================
class RoomSizeParams(CheckParams):
    """The room's short side must be at least ``min_width_m`` and its long side at least
    ``min_length_m`` (inclusive, either orientation); below the larger ``target_*`` is
    ``warn``. Sizes come from ``width``/``length`` attributes or from the drawn polygon."""

    min_width_m: float = Field(gt=0)
    min_length_m: float = Field(gt=0)
    target_width_m: float | None = Field(default=None, gt=0)
    target_length_m: float | None = Field(default=None, gt=0)
    width: str = "room_width_m"
    length: str = "room_length_m"

    @model_validator(mode="after")
    def _order(self) -> RoomSizeParams:
        if self.min_width_m > self.min_length_m:
            raise ValueError("min_width_m is the short side: it must not exceed min_length_m")
        return self


@check_type("room_size", params=RoomSizeParams)
def room_size(feature: Feature, params: RoomSizeParams, ctx: CheckContext) -> CheckResult:
    """Inner room size (short x long side) against a minimum and a target."""
    (w, ln), missing = ctx.numbers(feature, params.width, params.length)
    if missing or w is None or ln is None:
        return ctx.missing(*missing, property="room_size_m")
    short, long_ = min(w, ln), max(w, ln)
    measured = f"{short:g} x {long_:g}"
    required = f"{params.min_width_m:g} x {params.min_length_m:g}"
    data = {"short_m": short, "long_m": long_}
    if short < params.min_width_m or long_ < params.min_length_m:
        return CheckResult(Outcome.FAIL, property="room_size_m", measured=measured,
                           required=required, unit="m", data=data)
    tw = params.target_width_m or params.min_width_m
    tl = params.target_length_m or params.min_length_m
    if short < tw or long_ < tl:
        return CheckResult(Outcome.WARN, property="room_size_m", measured=measured,
                           required=f"{tw:g} x {tl:g}", unit="m", data=data)
    return CheckResult(Outcome.PASS, property="room_size_m", measured=measured,
                       required=required, unit="m", data=data)


# ============================================================================================
# toilet_coverage
# ============================================================================================
class ToiletCoverageParams(CheckParams):
    """An area (polygon) or place (point) must have a facility within ``max_m``.

    The facilities are the features of ``source_layer`` meeting ``source_where`` (a toilet's
    ``accessible`` is ``yes``/``limited``/``no``; ``true`` in a condition means ``yes``); those
    that meet the conditions only possibly (a value missing) make a far place ``to_verify``
    rather than ``fail``. When no facility is known to meet them (none drawn, or none public
    and accessible) the outcome is ``missing_target``: the nearest one may lie outside the
    plan. Measured along the walkway centre-line network when ``network`` is set and
    the plan has one, else straight-line. For areas, ``warn_uncovered_pct`` makes a partly
    covered area ``warn``; the location is the uncovered zone: the area minus the part within
    ``buffer_m`` of the covered walkways (network), or minus the ``max_m`` circles (straight).
    """

    max_m: float = Field(default=500.0, gt=0)
    network: bool = True
    source_layer: str = "toilet"
    source_where: dict[str, Any] = Field(default_factory=lambda: {"public": True,
                                                                  "accessible": "yes"})
    missing_target: Literal["fail", "to_verify", "not_applicable"] = "to_verify"
    warn_uncovered_pct: float | None = Field(default=25.0, ge=0, le=100)
    buffer_m: float = Field(default=25.0, ge=0)
    max_snap_m: float = Field(default=50.0, ge=0)

    @field_validator("source_where")
    @classmethod
    def _where(cls, value: dict[str, Any]) -> dict[str, Any]:
        return validate_conditions(value)


@dataclass(frozen=True, slots=True)
class Coverage:
    """Coverage of one target: distance to the nearest facility and the uncovered share."""

    distance_m: float
    along_network: bool
    nearest: str | None
    uncovered_pct: float | None = None
    straight_m: float = math.inf


def _facilities(ctx: CheckContext, params: ToiletCoverageParams
                ) -> tuple[list[Feature], list[Feature]]:
    """Facilities that certainly qualify, and those that might (a condition undecided)."""
    sure: list[Feature] = []
    maybe: list[Feature] = []
    for f in ctx.model.features(params.source_layer):
        state, _ = decide(params.source_where, partial(ctx.value, f))
        if state is True:
            sure.append(f)
        elif state is None:
            maybe.append(f)
    return sure, maybe


def _geom_array(geoms: Iterable[BaseGeometry]) -> np.ndarray:
    items = list(geoms)
    arr = np.empty(len(items), dtype=object)
    arr[:] = items
    return arr


def _point_coverage(targets: list[Feature], sources: list[Feature], params: ToiletCoverageParams,
                    net: Any) -> list[Coverage]:
    from inclusiecheck.geometry.coverage import points_beyond
    from inclusiecheck.geometry.network import euclidean_distance_to_nearest

    pts = _geom_array(f.geometry for f in targets)
    src = _geom_array(_point_of(f.geometry) for f in sources)
    check = points_beyond(pts, src, params.max_m, net, max_snap_m=params.max_snap_m)
    straight, _ = euclidean_distance_to_nearest(pts, src)
    out = []
    for i in range(len(targets)):
        k = int(check.nearest[i])
        out.append(Coverage(float(check.distance_m[i]), bool(check.along_network[i]),
                            f"{sources[k].layer} {sources[k].id}" if k >= 0 else None,
                            straight_m=float(straight[i])))
    return out


def _area_coverage(targets: list[Feature], sources: list[Feature], params: ToiletCoverageParams,
                   net: Any) -> tuple[list[Coverage], dict[str, Any]]:
    """Coverage of polygons: nearest facility distance and uncovered share, batched."""
    from inclusiecheck.geometry.network import (
        euclidean_distance_to_nearest,
        nearest_destination,
        service_area,
    )

    areas = _geom_array(f.geometry for f in targets)
    src = _geom_array(_point_of(f.geometry) for f in sources)
    straight_d, straight_i = euclidean_distance_to_nearest(areas, src)
    dist = straight_d.copy()
    idx = straight_i.copy()
    along = np.zeros(len(targets), dtype=bool)
    covered_len = np.zeros(len(targets))
    inside_len = np.zeros(len(targets))
    extra: dict[str, Any] = {"covered_pieces": None}
    if net is not None and len(sources):
        from inclusiecheck.geometry.network import snap_points

        if not np.any(snap_points(net, src, params.max_snap_m).on_network):
            net = None  # no facility near the network: straight-line, as points_beyond does
    if net is not None and len(sources):
        # the network inside each area: clipped edges
        ai, ei = net.tree.query(areas, predicate="intersects")
        if ai.size:
            clipped = shapely.intersection(net.edges[ei], areas[ai])
            parts, owner = shapely.get_parts(clipped, return_index=True)
            lines = shapely.get_type_id(parts) == 1
            parts, owner = parts[lines], owner[lines]
            plen = shapely.length(parts)
            keep = plen > 0
            parts, owner, plen = parts[keep], owner[keep], plen[keep]
            area_of = ai[owner]
            np.add.at(inside_len, area_of, plen)
            if parts.size:
                # distance at both ends of every clipped piece: one multi-source search
                ends = np.concatenate([shapely.get_point(parts, 0), shapely.get_point(parts, -1)])
                nd, ni = nearest_destination(net, ends, src, max_snap_m=params.max_snap_m)
                end_area = np.concatenate([area_of, area_of])
                best = np.full(len(targets), np.inf)
                best_i = np.full(len(targets), -1, dtype=np.int64)
                order = np.lexsort((ni, nd, end_area))
                first = np.ones(order.size, dtype=bool)
                first[1:] = end_area[order][1:] != end_area[order][:-1]
                sel = order[first]
                best[end_area[sel]] = nd[sel]
                best_i[end_area[sel]] = ni[sel]
                has_net = inside_len > 0
                # a facility inside the area (straight distance 0) stays 0
                use = has_net & (straight_d > 0)
                dist[use] = best[use]
                idx[use] = best_i[use]
                along[has_net] = True
                covered = service_area(net, src, params.max_m, buffer_m=0,
                                       max_snap_m=params.max_snap_m)
                pieces = shapely.get_parts(covered) if not covered.is_empty else np.empty(0, object)
                extra["covered_pieces"] = pieces
                if pieces.size:
                    ci, pi = shapely.STRtree(pieces).query(areas, predicate="intersects")
                    if ci.size:
                        lens = shapely.length(shapely.intersection(pieces[pi], areas[ci]))
                        np.add.at(covered_len, ci, lens)
    out = []
    for i in range(len(targets)):
        k = int(idx[i])
        # network: uncovered share of the path length inside the area; straight-line: None
        # (the uncovered area is computed only for areas that are judged on it)
        share = (100.0 * max(0.0, 1.0 - covered_len[i] / inside_len[i]) if along[i]
                 else None)
        out.append(Coverage(float(dist[i]), bool(along[i]),
                            f"{sources[k].layer} {sources[k].id}" if k >= 0 else None, share,
                            float(straight_d[i])))
    return out, extra


def _straight_uncovered(area: BaseGeometry, sources: list[Feature], max_m: float,
                        ctx: CheckContext, layer: str) -> BaseGeometry:
    from inclusiecheck.geometry.coverage import uncovered

    near = [f for f in ctx.model.near(layer, area, max_m) if f in sources]
    if not near:
        return area
    circles = shapely.union_all(shapely.buffer(_geom_array(_point_of(f.geometry) for f in near),
                                               max_m))
    return uncovered(area, circles)


def _network_uncovered(area: BaseGeometry, extra: dict[str, Any], buffer_m: float
                       ) -> BaseGeometry:
    """The area minus a ``buffer_m`` corridor along the covered walkways near it."""
    from inclusiecheck.geometry.coverage import uncovered

    pieces = extra.get("covered_pieces")
    if pieces is None or not pieces.size or buffer_m == 0:
        return area
    tree = extra.get("covered_tree")
    if tree is None:
        tree = extra["covered_tree"] = shapely.STRtree(pieces)
    hits = tree.query(area, predicate="dwithin", distance=buffer_m)
    if len(hits) == 0:
        return area
    corridor = shapely.union_all(shapely.buffer(pieces[np.sort(hits)], buffer_m))
    return uncovered(area, corridor)


_COVERAGE_KEY = "provisions.toilet_coverage"


def _coverage_batch(feature: Feature, params: ToiletCoverageParams,
                    ctx: CheckContext) -> dict[str, Any]:
    """Coverage of every feature of ``feature.layer`` (same geometry kind), computed once per
    run for each parameter set (the parameters as data key the shared structure)."""
    kind = "area" if feature.geom_type == "Polygon" else "point"
    return ctx.shared((_COVERAGE_KEY, params.model_dump_json(), feature.layer, kind),
                      lambda: _build_coverage(feature.layer, kind, params, ctx))


def _build_coverage(layer: str, kind: str, params: ToiletCoverageParams,
                    ctx: CheckContext) -> dict[str, Any]:
    sure, maybe = _facilities(ctx, params)
    net = walk_network(ctx) if params.network else None
    targets = [f for f in ctx.model.features(layer)
               if (f.geom_type == "Polygon") == (kind == "area")]
    batch: dict[str, Any] = {"params": params, "sure": sure, "maybe": maybe, "net": net,
                             "index": {id(f): i for i, f in enumerate(targets)},
                             "sure_cov": [], "maybe_cov": None, "extra": {}}
    compute = _area_coverage if kind == "area" else _point_coverage
    if sure:
        res = compute(targets, sure, params, net)
        batch["sure_cov"], batch["extra"] = res if kind == "area" else (res, {})
    if maybe:
        both = [*sure, *maybe]
        res = compute(targets, both, params, net)
        batch["maybe_cov"] = res[0] if kind == "area" else res
    return batch


def _no_known_facility(batch: dict[str, Any], i: int, params: ToiletCoverageParams,
                       ctx: CheckContext) -> CheckResult:
    """No facility in the plan is known to qualify (none drawn, or every drawn one is not
    public, not accessible, only ``limited``, or does not say): the nearest qualifying one may
    lie outside the plan, so the outcome is ``missing_target`` (``to_verify``), never a fail
    without a distance. The nearest facility that might qualify is named with its distance."""
    outcome = Outcome(params.missing_target)
    maybe_cov = batch["maybe_cov"][i] if batch["maybe_cov"] is not None else None
    if maybe_cov is not None and maybe_cov.nearest:
        along = math.isfinite(maybe_cov.distance_m)
        distance = maybe_cov.distance_m if along else maybe_cov.straight_m
        d = round(distance, 1)
        how = _how(along and maybe_cov.along_network, batch["net"] is not None)
        return CheckResult(
            outcome, property="distance_m", measured=d, required=params.max_m, unit="m",
            missing=tuple(params.source_where) if outcome is Outcome.TO_VERIFY else (),
            note={"nl": f"geen toilet in het plan is zeker openbaar en toegankelijk; "
                        f"{maybe_cov.nearest} op {format_number(d, 'nl')} m zegt het niet "
                        f"({how['nl']})",
                  "en": f"no toilet in the plan is known to be public and accessible; "
                        f"{maybe_cov.nearest} at {format_number(d, 'en')} m does not say "
                        f"({how['en']})"},
            data={"nearest": maybe_cov.nearest,
                  "method": "network" if along and maybe_cov.along_network else "straight_line"})
    drawn = sum(1 for _ in ctx.model.features(params.source_layer))
    extra = ({"nl": f"; de {drawn} getekende toilet(ten) zijn niet openbaar of niet (volledig) "
                    "toegankelijk",
              "en": f"; the {drawn} drawn toilet(s) are not public or not (fully) accessible"}
             if drawn else {"nl": "", "en": ""})
    return CheckResult(
        outcome, property="distance_m", required=params.max_m, unit="m",
        missing=(params.source_layer,) if outcome is Outcome.TO_VERIFY else (),
        note={"nl": "geen toegankelijk openbaar toilet in het plan" + extra["nl"] + "; teken het "
                    "dichtstbijzijnde (status existing) als het buiten het plan ligt",
              "en": "no accessible public toilet in the plan" + extra["en"] + "; draw the "
                    "nearest one (status existing) if it lies outside the plan"})


def _how(along: bool, has_network: bool) -> NL_EN:
    if along:
        return {"nl": "gemeten langs het looppadennetwerk",
                "en": "measured along the walkway network"}
    if has_network:
        return {"nl": "gemeten in rechte lijn (niet aan het looppadennetwerk te koppelen)",
                "en": "measured in a straight line (not connected to the walkway network)"}
    return {"nl": "gemeten in rechte lijn (geen looppadennetwerk van aslijnen)",
            "en": "measured in a straight line (no walkway centre-line network)"}


@check_type("toilet_coverage", params=ToiletCoverageParams)
def toilet_coverage(feature: Feature, params: ToiletCoverageParams,
                    ctx: CheckContext) -> CheckResult:
    """An accessible public toilet within walking distance of an area or a stop."""
    batch = _coverage_batch(feature, params, ctx)
    i = batch["index"].get(id(feature))
    if i is None:  # pragma: no cover - every feature of the layer is in the batch
        return ctx.missing(params.source_layer)
    is_area = feature.geom_type == "Polygon"
    if not batch["sure"]:
        return _no_known_facility(batch, i, params, ctx)
    cov: Coverage | None = batch["sure_cov"][i] if batch["sure"] else None
    distance = cov.distance_m if cov is not None else math.inf
    data: dict[str, Any] = {"method": "network" if cov is not None and cov.along_network
                            else "straight_line"}
    how = _how(cov is not None and cov.along_network, batch["net"] is not None)
    if distance > params.max_m:
        maybe_cov = batch["maybe_cov"][i] if batch["maybe_cov"] is not None else None
        if maybe_cov is not None and maybe_cov.distance_m <= params.max_m:
            return CheckResult(Outcome.TO_VERIFY, property="distance_m",
                               measured=round(maybe_cov.distance_m, 1), required=params.max_m,
                               unit="m", missing=tuple(params.source_where),
                               note={"nl": f"{maybe_cov.nearest} ligt binnen bereik, maar het plan "
                                           "zegt niet of het openbaar en toegankelijk is",
                                     "en": f"{maybe_cov.nearest} lies within reach, but the plan "
                                           "does not say whether it is public and accessible"},
                               data=data)
        location = None
        if is_area:
            if cov is not None and cov.along_network:
                location = _network_uncovered(feature.geometry, batch["extra"],
                                              params.buffer_m)
            else:
                location = feature.geometry
        nearest = cov.nearest if cov is not None and cov.nearest else "-"
        data.update({"nearest": nearest, "uncovered_pct": 100.0} if is_area
                    else {"nearest": nearest})
        note = {k: f"{how[k]}; {'dichtstbijzijnde' if k == 'nl' else 'nearest'}: {nearest}"
                for k in how}
        measured: float | None = round(distance, 1) if math.isfinite(distance) else None
        if measured is None and cov is not None and math.isfinite(cov.straight_m):
            # on the network but no facility reachable through it: say so, give the
            # straight-line distance as the measure
            measured = round(cov.straight_m, 1)
            data["method"] = "straight_line"
            note = {"nl": "geen toegankelijk openbaar toilet bereikbaar via het "
                          f"looppadennetwerk; {measured:g} m in rechte lijn".replace(".", ","),
                    "en": "no accessible public toilet reachable through the walkway "
                          f"network; {measured:g} m in a straight line"}
        result = CheckResult(Outcome.FAIL, property="distance_m", measured=measured,
                             required=params.max_m, unit="m", location=location, note=note,
                             data=data)
        if not ctx.model.layer_complete(params.source_layer):
            return absence_unproven(result, params.source_layer, note)
        return result
    data["nearest"] = cov.nearest if cov is not None else None
    if is_area and params.warn_uncovered_pct is not None and cov is not None:
        if cov.along_network:
            share = cov.uncovered_pct or 0.0
        else:
            zone = _straight_uncovered(feature.geometry, batch["sure"], params.max_m, ctx,
                                       params.source_layer)
            share = 100.0 * zone.area / feature.geometry.area if feature.geometry.area else 0.0
        data["uncovered_pct"] = round(share, 1)
        if share > params.warn_uncovered_pct:
            if cov.along_network:
                zone = _network_uncovered(feature.geometry, batch["extra"], params.buffer_m)
            else:
                zone = _straight_uncovered(feature.geometry, batch["sure"], params.max_m, ctx,
                                           params.source_layer)
            result = CheckResult(Outcome.WARN, property="uncovered_pct",
                                 measured=round(share, 1), required=params.warn_uncovered_pct,
                                 unit="%", location=zone,
                                 note={"nl": f"{how['nl']}; deels buiten bereik",
                                       "en": f"{how['en']}; partly out of reach"}, data=data)
            if not ctx.model.layer_complete(params.source_layer):
                return absence_unproven(result, params.source_layer, result.note)
            return result
    return CheckResult(Outcome.PASS, property="distance_m", measured=round(distance, 1),
                       required=params.max_m, unit="m", note=how, data=data)


# ============================================================================================
# rest_gaps
# ============================================================================================
class RestGapsParams(CheckParams):
    """The longest stretch without a seat (``max_gap_m``, a gap of exactly that length is
    allowed); ``warn_gap_m`` optionally warns above a stricter target.

    ``route``: ``main_route`` judges the walkway centre lines meeting ``route_where`` together
    (merged, so a route split into segments is one route; each gap is reported on the segment
    holding its midpoint); ``area`` judges the walkway lines inside a park or square, or, when
    none is drawn, every point of the area within ``max_gap_m / 2`` of a seat in a straight
    line. Seats: benches, and stops with seating when ``stop_seating`` is set.
    """

    max_gap_m: float = Field(default=125.0, gt=0)
    warn_gap_m: float | None = Field(default=None, gt=0)
    route: Literal["main_route", "area"] = "main_route"
    route_where: dict[str, Any] = Field(default_factory=lambda: {"main_route": True})
    snap_m: float = Field(default=10.0, ge=0)
    stop_seating: bool = True
    min_uncovered_m2: float = Field(default=25.0, ge=0)

    @model_validator(mode="after")
    def _warn(self) -> RestGapsParams:
        if self.warn_gap_m is not None and self.warn_gap_m > self.max_gap_m:
            raise ValueError("warn_gap_m must not exceed max_gap_m")
        validate_conditions(self.route_where)
        return self


def seat_points(ctx: CheckContext, stop_seating: bool) -> list[BaseGeometry]:
    """Points of every seat: benches (a line bench by its midpoint), stops with seating."""
    seats = [_point_of(f.geometry) if f.geom_type != "LineString"
             else f.geometry.interpolate(0.5, normalized=True)
             for f in ctx.model.features("bench")]
    if stop_seating:
        seats.extend(_point_of(f.geometry) for f in ctx.model.features("stop")
                     if f.attrs.get("seating") is True)
    return seats


def _gap_result(gap: Any, params: RestGapsParams, owner: str | None = None) -> CheckResult:
    length = round(float(gap.length_m), 1)
    outcome = Outcome.FAIL if gap.length_m > params.max_gap_m else Outcome.WARN
    required = params.max_gap_m if outcome is Outcome.FAIL else params.warn_gap_m
    return CheckResult(outcome, property="gap_m", measured=length, required=required, unit="m",
                       location=gap.geometry,
                       data={"start_m": round(float(gap.start_m), 1),
                             "end_m": round(float(gap.end_m), 1),
                             **({"route": owner} if owner else {})})


_GAPS_KEY = "provisions.rest_gaps"


def _route_gaps(params: RestGapsParams, ctx: CheckContext) -> dict[int, list[Any]]:
    """All gaps of all main routes, once per run and parameter set, keyed by the walkway
    holding their midpoint."""
    return ctx.shared((_GAPS_KEY, params.model_dump_json()),
                      lambda: _build_route_gaps(params, ctx))


def _build_route_gaps(params: RestGapsParams, ctx: CheckContext) -> dict[int, list[Any]]:
    from inclusiecheck.geometry.coverage import gap_stretches_network

    routes = [f for f in ctx.model.features("walkway") if f.geom_type == "LineString"
              and ctx.meets(f, params.route_where)]
    by_feature: dict[int, list[Any]] = {}
    if routes:
        limit = params.warn_gap_m or params.max_gap_m
        gaps = gap_stretches_network([f.geometry for f in routes], list(_seat_array(
            ctx, params.stop_seating)), max_gap_m=limit, snap_distance_m=params.snap_m)
        if gaps:
            tree = shapely.STRtree(_geom_array(f.geometry for f in routes))
            mids = _geom_array(g.geometry.interpolate(0.5, normalized=True) for g in gaps)
            owner = tree.nearest(mids)
            for gap, k in zip(gaps, np.atleast_1d(owner).tolist()):
                by_feature.setdefault(id(routes[int(k)]), []).append(gap)
    return by_feature


@check_type("rest_gaps", params=RestGapsParams)
def rest_gaps(feature: Feature, params: RestGapsParams,
              ctx: CheckContext) -> Iterable[CheckResult]:
    """Stretches without a seat longer than the recommended spacing, as geometry."""
    results = _rest_gaps(feature, params, ctx)
    if ctx.model.layer_complete("bench"):
        return results
    return [absence_unproven(result, "bench") for result in results]


def _rest_gaps(feature: Feature, params: RestGapsParams,
               ctx: CheckContext) -> list[CheckResult]:
    if params.route == "main_route":
        if feature.geom_type != "LineString":
            return [ctx.missing("centre_line", note={
                "nl": "hoofdroute als vlak getekend: teken de aslijn om de afstand tussen "
                      "rustpunten te meten",
                "en": "main route drawn as a surface: draw its centre line to measure the "
                      "distance between rest points"})]
        gaps = _route_gaps(params, ctx).get(id(feature), [])
        if not gaps:
            return [CheckResult(Outcome.PASS, property="gap_m", required=params.max_gap_m,
                                unit="m")]
        return [_gap_result(g, params) for g in gaps]
    return list(_area_gaps(feature, params, ctx))


_SEATS_KEY = "provisions.seats"
_AREA_SEATS_KEY = "provisions.area_seats"


def _seat_array(ctx: CheckContext, stop_seating: bool) -> np.ndarray:
    """:func:`seat_points` as an array, once per run."""
    return ctx.shared((_SEATS_KEY, stop_seating),
                      lambda: _geom_array(seat_points(ctx, stop_seating)))


def _seats_within(seats: np.ndarray, areas: np.ndarray, reach: float) -> list[np.ndarray]:
    """Per area, the indices (ascending) of the seats at most ``reach`` from it: one bulk
    index query of the areas' envelopes grown by ``reach`` (a little more, so that rounding
    of the bounds loses no seat), then the exact distance ``seat.distance(area) <= reach``
    of every pair found, vectorised."""
    out = [np.zeros(0, dtype=np.int64) for _ in range(len(areas))]
    if not len(seats) or not len(areas):
        return out
    grow = reach * (1 + 1e-9) + 1e-6
    bounds = shapely.bounds(areas)
    boxes = shapely.box(bounds[:, 0] - grow, bounds[:, 1] - grow,
                        bounds[:, 2] + grow, bounds[:, 3] + grow)
    ok = ~np.isnan(bounds).any(axis=1)  # an empty area has no bounds (and no seat)
    a, s = shapely.STRtree(seats).query(boxes[ok])
    a = np.flatnonzero(ok)[a]
    close = shapely.distance(seats[s], areas[a]) <= reach
    a, s = a[close], s[close]
    order = np.lexsort((s, a))
    a, s = a[order], s[order]
    cuts = np.flatnonzero(np.diff(a)) + 1
    for group in np.split(np.arange(a.size), cuts):
        if group.size:
            out[int(a[group[0]])] = s[group]
    return out


def _area_seats(feature: Feature, params: RestGapsParams, ctx: CheckContext) -> list[Any]:
    """The seats within reach of an area (``max(snap_m, max_gap_m / 2)``), in the order of
    :func:`seat_points`. The first area asking computes them for every feature of its layer
    in one bulk query (once per run and reach), so the cost grows with seats + areas, not
    seats x areas."""
    seats = _seat_array(ctx, params.stop_seating)
    reach = max(params.snap_m, params.max_gap_m / 2)

    def build() -> dict[int, np.ndarray]:
        layer = ctx.model.features(feature.layer)
        found = _seats_within(seats, _geom_array(f.geometry for f in layer), reach)
        return {id(f): idx for f, idx in zip(layer, found)}

    table = ctx.shared((_AREA_SEATS_KEY, feature.layer, params.stop_seating, reach), build)
    idx = table.get(id(feature))
    if idx is None:  # not a feature of the model's layer: on its own
        idx = _seats_within(seats, _geom_array([feature.geometry]), reach)[0]
    return list(seats[idx])


def _area_gaps(feature: Feature, params: RestGapsParams,
               ctx: CheckContext) -> Iterable[CheckResult]:
    from inclusiecheck.geometry.coverage import gap_stretches_network

    area = feature.geometry
    lines: list[BaseGeometry] = []
    for walkway in ctx.model.near("walkway", area):
        if walkway.geom_type != "LineString":
            continue
        clipped = shapely.intersection(walkway.geometry, area)
        lines.extend(p for p in shapely.get_parts(clipped)
                     if p.geom_type == "LineString" and p.length > 0)
    seats = _area_seats(feature, params, ctx)
    if lines:
        limit = params.warn_gap_m or params.max_gap_m
        gaps = gap_stretches_network(lines, seats, max_gap_m=limit,
                                     snap_distance_m=params.snap_m)
        if not gaps:
            yield CheckResult(Outcome.PASS, property="gap_m", required=params.max_gap_m,
                              unit="m", note={"nl": "gemeten langs de paden in het gebied",
                                              "en": "measured along the paths in the area"})
            return
        for gap in gaps:
            yield _gap_result(gap, params)
        return
    # no path drawn inside: every point within half the spacing of a seat (straight line)
    radius = params.max_gap_m / 2.0
    from inclusiecheck.geometry.coverage import uncovered

    covered = (shapely.union_all(shapely.buffer(_geom_array(seats), radius)) if seats
               else None)
    zone = uncovered(area, covered)
    how = {"nl": f"geen paden getekend: elk punt binnen {_fmt(radius)} m van een zitplaats "
                 "(rechte lijn)",
           "en": f"no paths drawn: every point within {_fmt(radius)} m of a seat "
                 "(straight line)"}
    size = float(zone.area)
    if size > params.min_uncovered_m2:
        yield CheckResult(Outcome.FAIL, property="uncovered_m2", measured=round(size, 1),
                          required=params.min_uncovered_m2, unit="m2", location=zone, note=how)
    else:
        yield CheckResult(Outcome.PASS, property="uncovered_m2", measured=round(size, 1),
                          required=params.min_uncovered_m2, unit="m2", note=how)
