"""The ``scooter_parking_clearance`` check type: where a shared e-scooter zone may lie.

Written against inclusiecheck's public check-type API only
(:mod:`inclusiecheck.engine.checks.api`) and its pure geometry functions
(:mod:`inclusiecheck.geometry.clearwidth`). It is exposed through the ``inclusiecheck.checks``
entry-point group in ``pyproject.toml``; rules then use ``check: {type:
scooter_parking_clearance}``.

A scooter zone is an ``obstacle`` feature with ``kind: scooter_zone`` (a polygon as drawn, or
a point or line with ``size_m``). The check reports one result per aspect:

- ``clear_width_m``, for every walkway the zone reaches into: the clear width the zone itself
  leaves on that walkway must be at least ``min_clear_width_m`` (inclusive). Other obstacles
  are left out on purpose: they have their own rules, and the question here is whether this
  zone may be put here at all.
- ``on_walkway``: with ``forbidden_walkway_kinds``, a zone may not reach into a walkway of
  those kinds at all (e.g. a footpath in a park).
- ``crossing_distance_m``: the zone keeps at least ``min_crossing_distance_m`` from the nearest
  crossing (inclusive), so that the kerb ramp, the tactile tiles and the sight lines at the
  crossing stay free. Not judged when the plan draws no crossings.

A zone that touches no walkway in a plan without crossings passes.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import Field

from inclusiecheck.engine.checks.api import CheckContext, CheckParams, CheckResult, check_type
from inclusiecheck.geometry.clearwidth import (
    clear_width,
    clear_width_centreline,
    obstacle_footprint,
)
from inclusiecheck.model import Feature, Outcome


class ScooterParkingParams(CheckParams):
    """Clear width beside a scooter zone, walkways it must avoid, distance to crossings."""

    min_clear_width_m: float = Field(1.5, gt=0)
    walkway_kinds: list[str] | None = None
    forbidden_walkway_kinds: list[str] = Field(default_factory=list)
    min_crossing_distance_m: float | None = Field(5.0, ge=0)
    default_size_m: float = Field(2.0, gt=0)


def _num(value: float, lang: str) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if lang == "nl" else text


def _text(nl: str, en: str) -> dict[str, str]:
    return {"nl": nl, "en": en}


def _footprint(feature: Feature, params: ScooterParkingParams):  # type: ignore[no-untyped-def]
    size = feature.attrs.get("size_m")
    if not isinstance(size, (int, float)) or isinstance(size, bool) or size <= 0:
        size = params.default_size_m
    if feature.geom_type == "Polygon":
        return obstacle_footprint(feature.geometry)
    return obstacle_footprint(feature.geometry, float(size))


#: how far from a walkway's centre line a zone is looked for (half the widest walkway)
SEARCH_M = 10.0


def _width(walkway: Feature, ctx: CheckContext) -> float | None:
    width = ctx.value(walkway, "width_m")
    if not isinstance(width, (int, float)) or isinstance(width, bool) or width <= 0:
        return None
    return float(width)


def _area(walkway: Feature, ctx: CheckContext):  # type: ignore[no-untyped-def]
    """The walking surface: the polygon, or the centre line buffered by half its width."""
    if walkway.geom_type == "Polygon":
        return walkway.geometry
    width = _width(walkway, ctx)
    if width is None:
        return None
    return walkway.geometry.buffer(width / 2.0, cap_style="flat", join_style="mitre")


def _clear_width_beside(walkway: Feature, footprint, ctx: CheckContext) -> float:  # type: ignore[no-untyped-def]
    """Clear width the footprint leaves on ``walkway`` (whose width is known)."""
    if walkway.geom_type == "Polygon":
        return clear_width(walkway.geometry, [footprint]).min_width_m
    return clear_width_centreline(walkway.geometry, _width(walkway, ctx) or 0.0,
                                  [footprint]).min_width_m


@check_type("scooter_parking_clearance", params=ScooterParkingParams)
def scooter_parking_clearance(feature: Feature, params: ScooterParkingParams,
                              ctx: CheckContext) -> Iterable[CheckResult]:
    """A shared e-scooter zone leaves the walkway clear and keeps away from crossings."""
    footprint = _footprint(feature, params)
    results: list[CheckResult] = []
    for walkway in ctx.model.near("walkway", footprint, SEARCH_M):
        kind = walkway.attrs.get("kind")
        if params.walkway_kinds is not None and kind not in params.walkway_kinds:
            continue
        area = _area(walkway, ctx)
        if area is None:  # a centre line without a width: only a zone on the line itself
            if footprint.intersects(walkway.geometry):
                results.append(ctx.missing("width_m", property="clear_width_m"))
            continue
        if not footprint.intersects(area) or footprint.touches(area):
            continue
        overlap = footprint.intersection(area)
        if kind in params.forbidden_walkway_kinds:
            results.append(CheckResult(
                Outcome.FAIL, property="on_walkway", measured=True, required=False,
                location=overlap,
                data={"walkway": walkway.id, "problem": _text(
                    f"staat op {kind} {walkway.id}, waar geen deelsteppen mogen staan",
                    f"stands on {kind} {walkway.id}, where no shared scooters may stand")}))
            continue
        clear = round(_clear_width_beside(walkway, footprint, ctx), 3)
        limit = params.min_clear_width_m
        results.append(ctx.compare(
            "clear_width_m", clear, min_value=limit, unit="m", location=overlap,
            data={"walkway": walkway.id, "problem": _text(
                f"laat op {walkway.id} {_num(clear, 'nl')} m vrije doorgang "
                f"(minstens {_num(limit, 'nl')} m)",
                f"leaves {_num(clear, 'en')} m of clear passage on {walkway.id} "
                f"(at least {_num(limit, 'en')} m)")}))
    if params.min_crossing_distance_m is not None:
        nearest = ctx.model.nearest("crossing", footprint)
        if nearest is not None:
            crossing, distance = nearest
            distance = round(distance, 3)
            limit = params.min_crossing_distance_m
            results.append(ctx.compare(
                "crossing_distance_m", distance, min_value=limit, unit="m",
                data={"crossing": crossing.id, "problem": _text(
                    f"ligt {_num(distance, 'nl')} m van oversteekplaats {crossing.id} "
                    f"(minstens {_num(limit, 'nl')} m)",
                    f"lies {_num(distance, 'en')} m from crossing {crossing.id} "
                    f"(at least {_num(limit, 'en')} m)")}))
    if not results:
        results.append(CheckResult(Outcome.PASS, property="clear_width_m", data={"problem": _text(
            "raakt geen voetpad", "touches no walkway")}))
    return results
