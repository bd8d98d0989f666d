"""Geometric check types: clear width and narrowings, obstruction, free height, and the
agreement between drawn geometry and attributes.

``clear_width``
    The narrowest clear width of a walkway measured from the drawing (obstacles subtracted),
    with each local narrowing reported with its length and location. Narrowings can be
    tolerated by length: a *short* narrowing (at most ``short_narrowing_max_length_m`` long)
    down to ``short_narrowing_min_m``, a *long* one (up to ``long_narrowing_max_length_m``)
    down to ``long_narrowing_min_m``; anything narrower or longer fails. ``judge`` splits
    the work between a width rule (``width``: only stretches longer than any tolerated
    narrowing) and a narrowing rule (``narrowings``: only the local narrowings).
``obstruction``
    The width taken by obstacles at the narrowest cross-section (``obstruction_m``) is at most
    ``max_m``; the finding is located at the obstacles.
``free_height``
    The free height under objects over the walking area (obstacles with ``free_height_m``,
    trees by ``canopy_base_m``) is at least ``min_m``; each low object is its own finding.
``geometry_agreement``
    Attributes (``slope_pct``, ``cross_slope_pct``, ``rise_cm``, ``length_m``, ``width_m``) and
    the values measured from the drawing agree within a tolerance; a disagreement is a
    ``warn`` located at the feature.

How narrowings are judged (``clear_width``)
-------------------------------------------
The width profile is cut at each level: every stretch narrower than ``min_m`` is a
narrowing. A stretch that is longer than the longest tolerated narrowing, or that spans the
whole walkway (there is no wider walkway around it, so it is not *local*), is judged as the
walkway's width against ``min_m``. A local stretch no longer than the short maximum must keep
``short_narrowing_min_m``; a longer local stretch must keep ``long_narrowing_min_m``, except
for short stretches inside it (cut again at that level) which may go down to
``short_narrowing_min_m``. So a 5 m stretch at 1.30 m with a 0.3 m pole pinch at 1.05 m
passes the guidance (1.20 m over <= 10 m, 1.00 m over <= 1.20 m). Every width is compared
within the measurement tolerance (``WIDTH_TOLERANCE_M``, 5 mm: widths are measured to the
centimetre) and reported rounded to the centimetre; the finding's data gives ``tolerance_m``.
"""

from __future__ import annotations

import math
from typing import Any, Literal
from collections.abc import Iterable

import shapely
from pydantic import Field, model_validator

from inclusiecheck.engine.checks.api import (
    SIGNED_PROPERTIES,
    CheckContext,
    CheckParams,
    CheckResult,
    check_type,
)
from inclusiecheck.engine.measures import (
    MEASURES,
    OBSTACLE_LAYERS,
    clear_width_result,
    obstacle_footprints,
    obstacles_at,
    walking_area,
)
from inclusiecheck.engine.messages import format_number
from inclusiecheck.geometry.clearwidth import WIDTH_TOLERANCE_M, below_required, round_width
from inclusiecheck.model import Feature, Outcome

#: Narrowing lengths are compared to 2 mm: near obstacles the stations lie 1 mm either side
#: of every edge, so a 1.20 m cabinet gives a narrowing measured 1.201 m long.
_EPS_LEN = 0.002
#: A narrowing covering at least this share of its walkway part spans the whole walkway.
_WHOLE_SHARE = 0.98


#: what a width finding says where no obstacle narrows the walkway (the outline itself does)
NO_OBSTACLE = {"nl": "geen obstakel, de getekende rand zelf",
               "en": "no obstacle, the drawn edge itself"}


def _ids(features: Iterable[Feature]) -> str:
    seen: list[str] = []
    for f in features:
        key = f"{f.layer}/{f.id}"
        if key not in seen:
            seen.append(key)
    return ", ".join(seen)


# --------------------------------------------------------------------------------------------
class ClearWidthParams(CheckParams):
    """Clear width of a walkway (see the module docstring for how narrowings are judged)."""

    min_m: float = Field(gt=0)
    warn_min_m: float | None = Field(default=None, gt=0)
    short_narrowing_max_length_m: float = Field(default=1.20, ge=0)
    short_narrowing_min_m: float | None = Field(default=None, gt=0)
    long_narrowing_max_length_m: float | None = Field(default=None, gt=0)
    long_narrowing_min_m: float | None = Field(default=None, gt=0)
    judge: Literal["all", "width", "narrowings"] = "all"
    obstacle_layers: list[str] = Field(default_factory=lambda: list(OBSTACLE_LAYERS))
    property: str = "clear_width_m"

    @model_validator(mode="after")
    def _levels(self) -> ClearWidthParams:
        if self.warn_min_m is not None and self.warn_min_m < self.min_m:
            raise ValueError("warn_min_m (the preferred width) is below min_m")
        for name in ("short_narrowing_min_m", "long_narrowing_min_m"):
            value = getattr(self, name)
            if value is not None and value > self.min_m:
                raise ValueError(f"{name} is above min_m: a narrowing is narrower than min_m")
        if (self.short_narrowing_min_m is not None and self.long_narrowing_min_m is not None
                and self.short_narrowing_min_m > self.long_narrowing_min_m):
            raise ValueError("short_narrowing_min_m is above long_narrowing_min_m")
        if self.long_narrowing_max_length_m is not None and \
                self.long_narrowing_max_length_m < self.short_narrowing_max_length_m:
            raise ValueError("long_narrowing_max_length_m is below short_narrowing_max_length_m")
        return self

    def tolerated_length(self) -> float:
        """The longest stretch that can be a tolerated (local) narrowing."""
        if self.long_narrowing_min_m is not None:
            return self.long_narrowing_max_length_m or math.inf
        if self.short_narrowing_min_m is not None:
            return self.short_narrowing_max_length_m
        return 0.0


def _part_length(centreline: Any, point: Any) -> float:
    if centreline.geom_type == "LineString":  # one part (a rectangle's centre line)
        return float(centreline.length)
    parts = list(shapely.get_parts(centreline))
    if len(parts) == 1:
        return float(parts[0].length)
    return float(min(parts, key=lambda g: g.distance(point)).length)


def _narrowing_result(ctx: CheckContext, feature: Feature, params: ClearWidthParams,
                      narrowing: Any, required: float, kind: str,
                      outcome: Outcome = Outcome.FAIL) -> CheckResult:
    layers = tuple(params.obstacle_layers)
    obstacles = [o for o, _fp in obstacle_footprints(ctx, narrowing.geometry, layers)]
    names = {"short": ("korte vernauwing", "short narrowing"),
             "long": ("lange vernauwing", "long narrowing"),
             "width": ("te smalle doorgang", "too narrow passage")}[kind]
    length = round(float(narrowing.length_m), 2)
    width = round_width(narrowing.width_m)
    where_nl = f" bij {_ids(obstacles)}" if obstacles else ""
    where_en = f" at {_ids(obstacles)}" if obstacles else ""
    note = {"nl": f"{names[0].capitalize()} van {format_number(width, 'nl')} m breed over "
                  f"{format_number(length, 'nl')} m lengte{where_nl}.",
            "en": f"{names[1].capitalize()} {format_number(width, 'en')} m wide over "
                  f"{format_number(length, 'en')} m length{where_en}."}
    return CheckResult(outcome, params.property, width, required, "m",
                       location=narrowing.geometry, note=note,
                       data={"length_m": length, "narrowing": {"nl": names[0].capitalize(),
                                                            "en": names[1].capitalize()},
                             "obstacles": _ids(obstacles) or NO_OBSTACLE,
                             "source": "measured", "tolerance_m": WIDTH_TOLERANCE_M})


@check_type("clear_width", params=ClearWidthParams)
def clear_width(feature: Feature, params: ClearWidthParams,
                ctx: CheckContext) -> Iterable[CheckResult]:
    """Narrowest clear width of a walkway and its local narrowings, measured from the drawing."""
    layers = tuple(params.obstacle_layers)
    base = clear_width_result(feature, ctx, layers)
    if base is None:
        if feature.geom_type != "Polygon":
            return [ctx.missing("width_m", property=params.property)]
        return [ctx.missing(params.property, note={
            "nl": "De breedte kon niet uit de tekening gemeten worden.",
            "en": "The width could not be measured from the drawing."})]
    tol_len = params.tolerated_length()
    short_max = params.short_narrowing_max_length_m
    judge_width = params.judge in ("all", "width")
    judge_narrowings = params.judge in ("all", "narrowings")

    def is_local(n: Any) -> bool:
        if n.length_m > tol_len + _EPS_LEN:
            return False
        return n.length_m < _WHOLE_SHARE * _part_length(base.centreline, n.location)

    fails: list[CheckResult] = []
    tolerated = 0
    # widths are compared within the measurement tolerance (5 mm: measured to the centimetre)
    if below_required(base.min_width_m, params.min_m):
        cut = clear_width_result(feature, ctx, layers, params.min_m)
        narrowings = cut.narrowings if cut is not None else ()
        long_local = []
        for n in narrowings:
            if not is_local(n):
                if judge_width:
                    fails.append(_narrowing_result(ctx, feature, params, n, params.min_m,
                                                   "width"))
                continue
            if not judge_narrowings:
                continue
            if n.length_m <= short_max + _EPS_LEN:
                req = params.short_narrowing_min_m
                if req is None:
                    req = params.long_narrowing_min_m
                assert req is not None  # local implies a tolerance
                if below_required(n.width_m, req):
                    fails.append(_narrowing_result(ctx, feature, params, n, req, "short"))
                else:
                    tolerated += 1
            else:
                assert params.long_narrowing_min_m is not None
                if not below_required(n.width_m, params.long_narrowing_min_m):
                    tolerated += 1
                else:
                    long_local.append(n)
        if long_local:
            long_min = params.long_narrowing_min_m
            assert long_min is not None
            sub_cut = clear_width_result(feature, ctx, layers, long_min)
            subs = sub_cut.narrowings if sub_cut is not None else ()
            for n in long_local:
                inside = [s for s in subs if n.geometry.buffer(0.01).intersects(s.location)]
                ok = True
                for s in inside:
                    short = s.length_m <= short_max + _EPS_LEN
                    req = params.short_narrowing_min_m if short else None
                    if req is None or below_required(s.width_m, req):
                        ok = False
                        fails.append(_narrowing_result(
                            ctx, feature, params, s, req if req is not None else long_min,
                            "short" if short else "long"))
                if ok:
                    tolerated += 1
        if not fails and not narrowings and judge_width:
            # below the minimum but no stretch found (numerical edge): report the narrowest
            fails.append(CheckResult(Outcome.FAIL, params.property, round_width(base.min_width_m),
                                     params.min_m, "m", location=base.narrowest,
                                     data={"length_m": 0.0, "obstacles": NO_OBSTACLE,
                                           "source": "measured",
                                           "tolerance_m": WIDTH_TOLERANCE_M}))
    if fails:
        return fails
    if judge_width and params.warn_min_m is not None \
            and below_required(base.min_width_m, params.warn_min_m):
        cut = clear_width_result(feature, ctx, layers, params.warn_min_m)
        warns = [_narrowing_result(ctx, feature, params, n, params.warn_min_m, "width",
                                   Outcome.WARN)
                 for n in (cut.narrowings if cut is not None else ()) if not is_local(n)]
        if warns:
            return warns
    note = None
    if tolerated:
        note = {"nl": f"{tolerated} plaatselijke vernauwing(en) binnen de toegelaten lengte "
                      "en breedte.",
                "en": f"{tolerated} local narrowing(s) within the tolerated length and width."}
    return [CheckResult(Outcome.PASS, params.property, round_width(base.min_width_m),
                        params.min_m, "m", note=note,
                        data={"tolerated_narrowings": tolerated, "source": "measured",
                              "tolerance_m": WIDTH_TOLERANCE_M})]


# --------------------------------------------------------------------------------------------
class ObstructionParams(CheckParams):
    """The width taken by obstacles at the narrowest cross-section is at most ``max_m``."""

    max_m: float = Field(gt=0)
    obstacle_layers: list[str] = Field(default_factory=lambda: list(OBSTACLE_LAYERS))
    property: str = "obstruction_m"


@check_type("obstruction", params=ObstructionParams)
def obstruction(feature: Feature, params: ObstructionParams, ctx: CheckContext) -> CheckResult:
    """Width taken by obstacles in a pedestrian road (BV97 Art. 3), located at the obstacles."""
    layers = tuple(params.obstacle_layers)
    result = clear_width_result(feature, ctx, layers)
    total = feature.attrs.get("total_width_m")
    if result is None:
        return ctx.missing("width_m" if feature.geom_type != "Polygon" else params.property,
                           property=params.property)
    if total is None:
        if feature.geom_type != "Polygon":
            return ctx.missing("total_width_m", property=params.property)
        total = result.gross_width_m
    taken = round(max(0.0, float(total) - float(result.min_width_m)), 3)
    obstacles = obstacles_at(result, feature, ctx, layers=layers) if taken > 0 else []
    location = None
    if obstacles:
        location = shapely.union_all([o.geometry for o in obstacles])
    data = {"clear_width_m": round(float(result.min_width_m), 3),
            "total_width_m": round(float(total), 3),
            "obstacles": _ids(obstacles) or NO_OBSTACLE,
            "source": "measured"}
    note = None
    if obstacles:
        note = {"nl": f"Ingenomen door {_ids(obstacles)}.", "en": f"Taken by {_ids(obstacles)}."}
    return ctx.compare(params.property, taken, max_value=params.max_m, unit="m",
                       location=location, note=note, data=data)


# --------------------------------------------------------------------------------------------
class FreeHeightParams(CheckParams):
    """Objects over the walking area leave at least ``min_m`` free height.

    Obstacles count by ``free_height_m`` (those without it stand on the ground and are judged
    by the clear width); trees (``tree``, ``tree_row``, or any vegetation with
    ``canopy_base_m``) by ``canopy_base_m``: a tree polygon (its crown) or line over the walking
    area, a tree point within ``crown_reach_m`` of it. A tree without ``canopy_base_m`` is
    ``to_verify``.
    """

    min_m: float = Field(gt=0)
    warn_min_m: float | None = Field(default=None, gt=0)
    layers: list[str] = Field(default_factory=lambda: ["obstacle", "vegetation"])
    crown_reach_m: float = Field(default=2.0, ge=0)
    line_half_width_m: float = Field(default=0.75, gt=0)
    property: str = "free_height_m"


def _overhead(ctx: CheckContext, area: Any, params: FreeHeightParams
              ) -> tuple[list[tuple[Feature, float]], list[Feature]]:
    known: list[tuple[Feature, float]] = []
    unknown: list[Feature] = []
    for layer in params.layers:
        reach = params.crown_reach_m if layer == "vegetation" else 0.0
        for obj in ctx.model.near(layer, area, reach):
            if layer == "vegetation":
                value = obj.attrs.get("canopy_base_m")
                crown = obj.attrs.get("kind") in ("tree", "tree_row") or value is not None
                if not crown:
                    continue
                if obj.geom_type != "Point" and not obj.geometry.intersects(area):
                    continue
            else:
                value = obj.attrs.get("free_height_m")
                if value is None:
                    continue
            if value is None:
                unknown.append(obj)
            else:
                known.append((obj, float(value)))
    return known, unknown


@check_type("free_height", params=FreeHeightParams)
def free_height(feature: Feature, params: FreeHeightParams,
                ctx: CheckContext) -> Iterable[CheckResult]:
    """Free height over a walkway under overhanging obstacles and tree crowns."""
    area = walking_area(ctx, feature)
    if area is None:
        area = feature.geometry.buffer(params.line_half_width_m, cap_style="flat")
    known, unknown = _overhead(ctx, area, params)
    results = []
    for obj, value in known:
        res = ctx.compare(params.property, value, min_value=params.min_m,
                          warn_min=params.warn_min_m, unit="m",
                          data={"object": f"{obj.layer}/{obj.id}", "source": "attribute"},
                          note={"nl": f"Onder {obj.layer}/{obj.id}.",
                                "en": f"Under {obj.layer}/{obj.id}."})
        if res.outcome is not Outcome.PASS:
            location = obj.geometry
            if obj.geom_type == "Polygon":
                inter = obj.geometry.intersection(area)
                location = inter if not inter.is_empty else obj.geometry
            results.append(CheckResult(res.outcome, res.property, res.measured, res.required,
                                       res.unit, location=location, note=res.note,
                                       data=res.data))
    if results:
        return results
    if unknown:
        return [ctx.missing("canopy_base_m", property=params.property, note={
            "nl": f"Kruinhoogte onbekend van {_ids(unknown)}.",
            "en": f"Crown height unknown for {_ids(unknown)}."})]
    lowest = min((v for _o, v in known), default=None)
    note = None if known else {"nl": "Geen overhangende objecten getekend.",
                               "en": "No overhanging objects drawn."}
    return [CheckResult(Outcome.PASS, params.property, lowest, params.min_m, "m", note=note,
                        data={"objects": len(known)})]


# --------------------------------------------------------------------------------------------
#: Default tolerances (absolute, relative) per property, from ``inclusiecheck.geometry.slope``:
#: slopes 0.5 percentage point, rises 2 cm, lengths and widths 5 cm or 5 %.
DEFAULT_TOLERANCES: dict[str, tuple[float, float]] = {
    "slope_pct": (0.5, 0.0),
    "cross_slope_pct": (0.5, 0.0),
    "rise_cm": (2.0, 0.0),
    "length_m": (0.05, 0.05),
    "width_m": (0.05, 0.05),
}
_UNITS = {"slope_pct": "%", "cross_slope_pct": "%", "rise_cm": "cm", "length_m": "m",
          "width_m": "m"}


class GeometryAgreementParams(CheckParams):
    """Each of ``properties`` given as an attribute agrees with the value measured from the
    drawing (measure ``drawn_<property>``) within its tolerance (``tolerances`` overrides the
    absolute tolerance of :data:`DEFAULT_TOLERANCES`). With ``consistency`` a ramp's
    ``slope_pct``, ``rise_cm`` and ``length_m`` attributes must also agree with each other."""

    properties: list[str] = Field(default_factory=lambda: list(DEFAULT_TOLERANCES))
    tolerances: dict[str, float] = Field(default_factory=dict)
    consistency: bool = True

    @model_validator(mode="after")
    def _known(self) -> GeometryAgreementParams:
        for name in [*self.properties, *self.tolerances]:
            if name not in DEFAULT_TOLERANCES:
                raise ValueError(f"geometry_agreement cannot compare {name!r}; "
                                 f"known: {', '.join(DEFAULT_TOLERANCES)}")
        for name, value in self.tolerances.items():
            if value < 0:
                raise ValueError(f"tolerance of {name} is negative")
        return self


def _disagreement(prop: str, attr: float, other: float, tol: tuple[float, float],
                  what: dict[str, str], location: Any = None) -> CheckResult:
    unit = _UNITS[prop]
    return CheckResult(Outcome.WARN, prop, round(other, 3), round(attr, 3), unit,
                       location=location,
                       note={"nl": f"{prop}: attribuut {format_number(attr, 'nl')} {unit}, volgens "
                                   f"{what['nl']} {format_number(other, 'nl')} {unit} "
                                   f"(tolerantie {format_number(tol[0], 'nl')} {unit})",
                             "en": f"{prop}: attribute {format_number(attr, 'en')} {unit}, by "
                                   f"{what['en']} {format_number(other, 'en')} {unit} "
                                   f"(tolerance {format_number(tol[0], 'en')} {unit})"},
                       data={"attribute": round(attr, 3), "compared_with": what,
                             "tolerance": tol[0], "source": "attribute"})


@check_type("geometry_agreement", params=GeometryAgreementParams)
def geometry_agreement(feature: Feature, params: GeometryAgreementParams,
                       ctx: CheckContext) -> Iterable[CheckResult]:
    """Attributes and the drawn geometry (and a ramp's attributes among themselves) agree."""
    from inclusiecheck.geometry.slope import disagrees

    results: list[CheckResult] = []
    compared = 0
    drawn_what = {"nl": "de tekening", "en": "the drawing"}
    for prop in params.properties:
        attr = feature.attrs.get(prop)
        measure = MEASURES.get(f"drawn_{prop}")
        if attr is None or isinstance(attr, bool) or measure is None \
                or feature.layer not in measure.layers:
            continue
        drawn = ctx.measure(f"drawn_{prop}", feature)
        if drawn is None:
            continue
        if prop in SIGNED_PROPERTIES:  # the drawing gives the size; the sign is a direction
            attr = abs(float(attr))
        compared += 1
        abs_tol, rel_tol = DEFAULT_TOLERANCES[prop]
        abs_tol = params.tolerances.get(prop, abs_tol)
        if disagrees(float(attr), float(drawn), abs_tol, relative=rel_tol):
            results.append(_disagreement(prop, float(attr), float(drawn), (abs_tol, rel_tol),
                                         drawn_what))
    if params.consistency and feature.layer == "ramp":
        slope, rise, length = (feature.attrs.get(n) for n in ("slope_pct", "rise_cm", "length_m"))
        if slope is not None and rise is not None and length:
            compared += 1
            slope = abs(float(slope))  # a signed slope: compared by its size
            derived = abs(float(rise)) / float(length)
            abs_tol = params.tolerances.get("slope_pct", DEFAULT_TOLERANCES["slope_pct"][0])
            if disagrees(float(slope), derived, abs_tol):
                results.append(_disagreement(
                    "slope_pct", float(slope), derived, (abs_tol, 0.0),
                    {"nl": "rise_cm / length_m", "en": "rise_cm / length_m"}))
    if results:
        return results
    if not compared:
        return [CheckResult(Outcome.NOT_APPLICABLE, note={
            "nl": "Niets te vergelijken: geen attribuut met een meetbare tekening.",
            "en": "Nothing to compare: no attribute with a measurable drawing."})]
    return [CheckResult(Outcome.PASS, None, None, None, data={"compared": compared})]
