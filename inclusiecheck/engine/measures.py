"""Named measures: values computed from the drawing, lazily, once per feature and run.

A check asks ``ctx.value(feature, "width_m")``: the attribute when the plan gives it, else
the measure of that name (the clear width measured on a walkway polygon, the slope of a 3D
ramp line, ...). The measures reference in docs/ lists them.
"""

from __future__ import annotations

from typing import Any

from inclusiecheck.engine.checks.api import CheckContext, Measure
from inclusiecheck.model import Feature

MEASURES: dict[str, Measure] = {}


def measure(name: str, *, unit: str | None, layers: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    def decorate(func):  # type: ignore[no-untyped-def]
        MEASURES[name] = Measure(name, func, unit, layers, (func.__doc__ or "").strip())
        return func

    return decorate


@measure("length_m", unit="m", layers=("ramp", "stairs", "underpass", "walkway"))
def length_m(feature: Feature, ctx: CheckContext) -> Any:
    """Horizontal length of a drawn line (ramps, stairs, underpasses)."""
    if feature.geom_type == "LineString":
        return round(float(feature.geometry.length), 3)
    return None


def network_distance(ctx: CheckContext, feature: Feature, targets: list[Feature]) -> float | None:
    """Distance along the walkway centre-line network from ``feature`` to the nearest of
    ``targets`` (``None`` when the plan has no line walkways or a point does not snap)."""
    import numpy as np

    from inclusiecheck.geometry.network import build_walk_network, nearest_destination

    key = ("walk_network",)
    net = ctx.model.cache.get(key)
    if net is None:
        lines = [f.geometry for f in ctx.model.features("walkway") if f.geom_type == "LineString"]
        if not lines:
            ctx.model.cache[key] = False
            return None
        net = build_walk_network(lines)
        ctx.model.cache[key] = net
    if net is False:
        return None
    origin = feature.geometry.representative_point() if feature.geom_type != "Point" \
        else feature.geometry
    dests = [t.geometry if t.geom_type == "Point" else t.geometry.representative_point()
             for t in targets]
    distances, _idx = nearest_destination(net, [origin], dests)
    value = float(distances[0])
    return value if np.isfinite(value) else None


# ============================================================================================
# Accessibility measures: clear width, obstruction, slopes and ramp dimensions from the drawing
# ============================================================================================
#
# Every measure below is lazy and cached per feature and run (``ctx.value`` / ``ctx.measure``
# go through ``ctx.cached``). Widths are rounded to the millimetre, slopes to 0.01 percentage
# point, rises to the millimetre, so that a boundary value drawn exactly (1.50 m) is judged as
# drawn and not as 1.4999999.

#: Layers whose features stand in a walkway and take clear width (see :func:`obstacle_footprints`).
#: ``stop`` counts only as a point (the stop pole); a stop polygon is a platform one walks on.
#: ``lift`` is left out: a lift is a destination at a level change, not street furniture.
OBSTACLE_LAYERS: tuple[str, ...] = ("obstacle", "bench", "light", "vegetation", "stop")

#: Footprint defaults (m) for vegetation kinds that :data:`DEFAULT_FOOTPRINT_M` does not name.
VEGETATION_FOOTPRINT_M: dict[str, float] = {"tree": 0.40, "tree_row": 0.40, "hedge": 0.60,
                                            "shrubs": 0.80}

#: Objects whose underside (``free_height_m`` / ``canopy_base_m``) is at least this high do not
#: take clear width at walking height (they are judged by the free-height rules instead).
OVERHEAD_CLEAR_M: float = 2.10

#: Search margin (m) around a walkway for obstacle features whose footprint may reach into it.
_OBSTACLE_REACH_M: float = 2.5
_CROWN_KINDS = ("tree", "tree_row")


def _r(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(float(value), digits)


def _footprint_of(feature: Feature) -> Any:
    """The footprint a feature of an obstacle layer takes from a walkway (``None``: none)."""
    from inclusiecheck.geometry.clearwidth import DEFAULT_FOOTPRINT_M, obstacle_footprint

    layer, geom, attrs = feature.layer, feature.geometry, feature.attrs
    size = attrs.get("size_m")
    if size is not None and (not isinstance(size, (int, float)) or size <= 0):
        size = None  # a nonsensical size falls back to the documented default
    if layer == "obstacle":
        if (attrs.get("free_height_m") or 0.0) >= OVERHEAD_CLEAR_M:
            return None
        kind = attrs.get("kind")
    elif layer == "vegetation":
        kind = attrs.get("kind")
        if kind == "lawn":
            return None
        if size is None:
            size = VEGETATION_FOOTPRINT_M.get(kind or "tree", DEFAULT_FOOTPRINT_M["other"])
        if kind in _CROWN_KINDS and feature.geom_type == "Polygon":
            geom = geom.centroid  # a tree polygon is its crown: the trunk stands at its centre
    elif layer == "light":
        kind = "light"
    elif layer == "bench":
        kind = "bench"
    elif layer == "stop":
        if feature.geom_type != "Point":
            return None
        kind = "pole"
    else:
        kind = attrs.get("kind")
    try:
        return obstacle_footprint(geom, size, kind)
    except (TypeError, ValueError):
        return None


def obstacle_footprints(ctx: CheckContext, area: Any, layers: tuple[str, ...] = OBSTACLE_LAYERS,
                        reach_m: float = _OBSTACLE_REACH_M) -> list[tuple[Feature, Any]]:
    """Features of ``layers`` near ``area`` (spatial index) with the footprint each takes.

    Footprints are built once per obstacle feature and run (cached in the context). Only
    footprints that intersect ``area`` are returned.
    """
    out: list[tuple[Feature, Any]] = []
    for layer in layers:
        for obstacle in ctx.model.near(layer, area, reach_m):
            footprint = ctx.cached("_footprint", obstacle, lambda f, _c: _footprint_of(f))
            if footprint is not None and not footprint.is_empty and footprint.intersects(area):
                out.append((obstacle, footprint))
    return out


def _walking_area(feature: Feature) -> Any:
    """The surface of a walkway: its polygon, or its centre line buffered by half its width."""
    if feature.geom_type == "Polygon":
        return feature.geometry
    width = feature.attrs.get("width_m") or feature.attrs.get("total_width_m")
    if not width or width <= 0:
        return None
    return feature.geometry.buffer(float(width) / 2.0, cap_style="flat", join_style="mitre")


def clear_width_result(feature: Feature, ctx: CheckContext,
                       layers: tuple[str, ...] = OBSTACLE_LAYERS,
                       min_required_m: float | None = None) -> Any:
    """The full :class:`~inclusiecheck.geometry.clearwidth.ClearWidthResult` of a walkway.

    A polygon is measured as drawn; a centre line with ``width_m`` (else ``total_width_m``)
    is buffered by half that width. Every obstacle-layer feature whose footprint reaches into
    it is subtracted. Cached per feature, obstacle layers and required width; ``None`` when the
    walkway cannot be measured (a line without a width, a degenerate polygon).
    """
    key = f"_clear_width:{','.join(layers)}:{min_required_m}"

    def compute(f: Feature, c: CheckContext) -> Any:
        from inclusiecheck.geometry.clearwidth import clear_width, clear_width_centreline

        area = _walking_area(f)
        if area is None or area.is_empty:
            return None
        footprints = [fp for _o, fp in obstacle_footprints(c, area, layers)]
        try:
            if f.geom_type == "Polygon":
                return clear_width(f.geometry, footprints, min_required_m=min_required_m)
            width = f.attrs.get("width_m") or f.attrs.get("total_width_m")
            return clear_width_centreline(f.geometry, float(width), footprints,
                                          min_required_m=min_required_m)
        except (TypeError, ValueError):
            return None

    return ctx.cached(key, feature, compute)


def obstacles_at(result: Any, feature: Feature, ctx: CheckContext, section: Any = None,
                 layers: tuple[str, ...] = OBSTACLE_LAYERS) -> list[Feature]:
    """Obstacle features whose footprint crosses the narrowest cross-section (or ``section``).

    The narrowest free piece is extended along its own direction across the whole walkway,
    so the obstacles on either side of the free passage are found.
    """
    import numpy as np
    from shapely.geometry import LineString

    area = _walking_area(feature)
    if area is None:
        return []
    if section is None:
        piece = result.narrowest
        coords = np.asarray(piece.coords)[:, :2] if piece is not None and not piece.is_empty \
            else None
        if coords is None or len(coords) < 2 \
                or float(np.hypot(*(coords[-1] - coords[0]))) < 1e-6:
            section = result.location.buffer(0.01)
        else:
            mid = (coords[0] + coords[-1]) / 2.0
            d = coords[-1] - coords[0]
            d = d / np.linalg.norm(d)
            reach = 2.0 * float(result.gross_width_m) + 1.0
            section = LineString([mid - d * reach, mid + d * reach]).intersection(area)
    hits = [(o, fp) for o, fp in obstacle_footprints(ctx, area, layers)
            if fp.intersects(section)]
    return [o for o, _fp in hits]


@measure("clear_width_m", unit="m", layers=("walkway",))
def clear_width_m(feature: Feature, ctx: CheckContext) -> Any:
    """Narrowest clear width of a walkway measured from the drawing: a polygon as drawn, a
    centre line buffered by its ``width_m`` (else ``total_width_m``), minus the footprints of
    obstacles, benches, light poles, trees and tree pits, stop poles, terraces, bike racks,
    cabinets and scooter zones standing in it (points by ``size_m`` or the default per kind)."""
    result = clear_width_result(feature, ctx)
    return None if result is None else _r(result.min_width_m)


def _width_m(feature: Feature, ctx: CheckContext) -> Any:
    """Clear width of a walkway or ramp polygon measured from the drawing (obstacles
    subtracted); a centre line has no measured width (give ``width_m``)."""
    if feature.geom_type != "Polygon":
        return None
    result = clear_width_result(feature, ctx)
    return None if result is None else _r(result.min_width_m)


measure("width_m", unit="m", layers=("walkway", "ramp"))(_width_m)
measure("drawn_width_m", unit="m", layers=("walkway", "ramp"))(_width_m)


@measure("total_width_m", unit="m", layers=("walkway",))
def total_width_m(feature: Feature, ctx: CheckContext) -> Any:
    """Overall width of a walkway polygon (the whole pedestrian road as drawn, obstacles not
    subtracted): the area inside its outline divided by the length of its centreline."""
    import shapely

    if feature.geom_type != "Polygon":
        return None
    result = clear_width_result(feature, ctx)
    if result is None or result.centreline.length <= 0:
        return None
    shells = [shapely.polygons(p.exterior) for p in shapely.get_parts(feature.geometry)]
    area = float(sum(s.area for s in shells))
    return _r(area / float(result.centreline.length))


@measure("obstruction_m", unit="m", layers=("walkway",))
def obstruction_m(feature: Feature, ctx: CheckContext) -> Any:
    """Width taken by obstacles: ``total_width_m`` (attribute) minus the clear width, or for a
    polygon without it the drawn width at the narrowest cross-section minus the clear width
    there (BV97 Art. 3: on a 1.50-2.00 m pedestrian road obstacles take at most 0.50 m)."""
    result = clear_width_result(feature, ctx)
    if result is None:
        return None
    total = feature.attrs.get("total_width_m")
    if total is None:
        if feature.geom_type != "Polygon":
            return None
        total = result.gross_width_m
    return _r(max(0.0, float(total) - float(result.min_width_m)))


# -- slopes and ramps ---------------------------------------------------------------------------
def drawn_ramp(feature: Feature, ctx: CheckContext) -> Any:
    """:class:`~inclusiecheck.geometry.slope.RampGeometry` of a 3D ramp (``None`` without Z)."""
    from inclusiecheck.geometry.slope import ramp_from_geometry

    def compute(f: Feature, _c: CheckContext) -> Any:
        try:
            return ramp_from_geometry(f.geometry)
        except TypeError:
            return None

    return ctx.cached("_drawn_ramp", feature, compute)


def _drawn_slopes(feature: Feature, ctx: CheckContext) -> tuple[float | None, float | None]:
    """(running, cross) slope in % of a 3D walkway or ramp; ``None`` where not measurable."""
    from inclusiecheck.geometry.slope import has_z, polygon_slopes, running_slope_pct

    def compute(f: Feature, _c: CheckContext) -> tuple[float | None, float | None]:
        geom = f.geometry
        if not has_z(geom):
            return None, None
        if f.geom_type == "Polygon":
            slopes = polygon_slopes(geom)
            return (None, None) if slopes is None else (slopes[0], slopes[1])
        if geom.geom_type == "MultiLineString":
            parts = [running_slope_pct(g) for g in geom.geoms]
            values = [p[0] for p in parts if p is not None]
            return (max(values) if values else None), None
        if geom.geom_type == "LineString":
            slopes = running_slope_pct(geom)
            return (None if slopes is None else slopes[0]), None
        return None, None

    return ctx.cached("_drawn_slopes", feature, compute)


@measure("drawn_slope_pct", unit="pct", layers=("walkway", "ramp"))
def drawn_slope_pct(feature: Feature, ctx: CheckContext) -> Any:
    """Running slope from the drawing's Z values only: the steepest segment of a 3D line, the
    best-fit plane of a 3D polygon along its long side."""
    return _r(_drawn_slopes(feature, ctx)[0], 2)


@measure("drawn_cross_slope_pct", unit="pct", layers=("walkway", "ramp"))
def drawn_cross_slope_pct(feature: Feature, ctx: CheckContext) -> Any:
    """Cross slope of a 3D polygon (best-fit plane, across its long side) from Z values only."""
    return _r(_drawn_slopes(feature, ctx)[1], 2)


@measure("drawn_rise_cm", unit="cm", layers=("ramp",))
def drawn_rise_cm(feature: Feature, ctx: CheckContext) -> Any:
    """Height difference between the ends of a 3D ramp, from Z values only."""
    ramp = drawn_ramp(feature, ctx)
    return None if ramp is None else _r(ramp.rise_cm, 1)


def _plan_length_m(feature: Feature) -> float | None:
    """Horizontal length of a drawn ramp: a line's length, a polygon's long side."""
    import shapely

    geom = feature.geometry
    if feature.geom_type == "LineString":
        return float(geom.length) if geom.length > 0 else None
    if feature.geom_type == "Polygon":
        rect = shapely.oriented_envelope(shapely.force_2d(geom))
        if rect.geom_type != "Polygon":
            return None
        c = shapely.get_coordinates(rect.exterior)[:3]
        return float(max(((c[1] - c[0]) ** 2).sum() ** 0.5, ((c[2] - c[1]) ** 2).sum() ** 0.5))
    return None


@measure("drawn_length_m", unit="m", layers=("ramp",))
def drawn_length_m(feature: Feature, ctx: CheckContext) -> Any:
    """Horizontal length of a ramp from the drawing: the line, or the polygon's long side."""
    ramp = drawn_ramp(feature, ctx)
    if ramp is not None:
        return _r(ramp.length_m)
    return _r(_plan_length_m(feature))


def _num_attr(feature: Feature, name: str) -> float | None:
    value = feature.attrs.get(name)
    if value is None or isinstance(value, bool):
        return None
    return float(value)


@measure("slope_pct", unit="pct", layers=("walkway", "ramp"))
def slope_pct(feature: Feature, ctx: CheckContext) -> Any:
    """Running slope when the attribute is missing: for a ramp ``rise_cm / length_m`` from its
    attributes, else the steepest part of the 3D drawing, else ``rise_cm`` over the drawn
    length; for a walkway the 3D drawing (steepest segment of a line, plane of a polygon)."""
    if feature.layer == "ramp":
        rise, length = _num_attr(feature, "rise_cm"), _num_attr(feature, "length_m")
        if rise is not None and length:
            return _r(rise / length, 2)  # cm / m = % (rise/100 / length * 100)
        ramp = drawn_ramp(feature, ctx)
        if ramp is not None:
            return _r(ramp.max_slope_pct, 2)
        plan = _plan_length_m(feature)
        if rise is not None and plan:
            return _r(rise / plan, 2)
        return None
    return drawn_slope_pct(feature, ctx)


@measure("cross_slope_pct", unit="pct", layers=("walkway", "ramp"))
def cross_slope_pct(feature: Feature, ctx: CheckContext) -> Any:
    """Cross slope of a 3D walkway or ramp polygon (best-fit plane) when the attribute is
    missing."""
    return drawn_cross_slope_pct(feature, ctx)


@measure("rise_cm", unit="cm", layers=("ramp",))
def rise_cm(feature: Feature, ctx: CheckContext) -> Any:
    """Rise of a ramp when the attribute is missing: ``slope_pct x length_m`` from its
    attributes, else the 3D drawing, else ``slope_pct`` x the drawn horizontal length."""
    slope, length = _num_attr(feature, "slope_pct"), _num_attr(feature, "length_m")
    if slope is not None and length is not None:
        return _r(slope * length, 1)  # % x m = cm
    ramp = drawn_ramp(feature, ctx)
    if ramp is not None:
        return _r(ramp.rise_cm, 1)
    plan = _plan_length_m(feature)
    if slope is not None and plan:
        return _r(slope * plan, 1)
    return None


_line_length_m = MEASURES["length_m"].func


@measure("length_m", unit="m", layers=("ramp", "stairs", "underpass", "walkway"))
def length_m_extended(feature: Feature, ctx: CheckContext) -> Any:
    """Horizontal length: for a ramp ``rise_cm / slope_pct`` from its attributes, else the
    3D drawing, else the drawn line or the polygon's long side; for other layers the length of
    a drawn line (as before)."""
    if feature.layer == "ramp":
        rise, slope = _num_attr(feature, "rise_cm"), _num_attr(feature, "slope_pct")
        if rise is not None and slope:
            return _r(rise / slope)
        return drawn_length_m(feature, ctx)
    return _line_length_m(feature, ctx)
