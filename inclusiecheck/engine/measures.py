"""Named measures: values computed from the drawing, lazily, once per feature and run.

A check asks ``ctx.value(feature, "width_m")``: the attribute when the plan gives it, else
the measure of that name (the clear width measured on a walkway polygon, the slope of a 3D
ramp line, ...). The measures reference in docs/ lists them.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from inclusiecheck.engine.checks.api import CheckContext, Measure, as_number
from inclusiecheck.geometry import rectwidth as rw
from inclusiecheck.geometry.clearwidth import WIDTH_TOLERANCE_M as _WIDTH_TOLERANCE_M
from inclusiecheck.model import Feature
from inclusiecheck.registry import Registry

#: every named measure: those of this module and of the modules that register their own
#: (the stop and toilet dimensions in ``checks/provisions.py``), imported on first use
MEASURES: Registry[Measure] = Registry(
    "measure", builtins=("inclusiecheck.engine.measures", "inclusiecheck.engine.checks.provisions"))


def measure(name: str, *, unit: str | None, layers: tuple[str, ...] = (),  # type: ignore[no-untyped-def]
            batch: Any = None, replace: bool = False):
    """Register the decorated function as the measure ``name`` (a name registered twice is
    an error unless ``replace``). ``batch``: its batch form (``batch(features, ctx)`` returns
    one value per feature): the first request for a feature then computes the whole layer at
    once (:meth:`~inclusiecheck.engine.checks.api.CheckContext.of_layer`)."""
    def decorate(func):  # type: ignore[no-untyped-def]
        MEASURES.register(Measure(name, func, unit, layers, (func.__doc__ or "").strip(),
                                  batch), replace=replace)
        return func

    return decorate


@measure("length_m", unit="m", layers=("ramp", "stairs", "underpass", "walkway"))
def length_m(feature: Feature, ctx: CheckContext) -> Any:
    """Horizontal length: for a ramp ``rise_cm / slope_pct`` from its attributes, else the
    3D drawing, else the drawn line or the polygon's long side; for other layers the length of
    a drawn line (stairs, underpasses, walkways)."""
    if feature.layer == "ramp":
        rise, slope = _num_attr(feature, "rise_cm"), _num_attr(feature, "slope_pct")
        if rise is not None and slope:
            return _r(abs(rise) / abs(slope))  # a signed slope counts by its size
        return drawn_length_m(feature, ctx)
    if feature.geom_type == "LineString":
        return round(float(feature.geometry.length), 3)
    return None


def walk_network(ctx: CheckContext) -> Any:
    """The run's walkway centre-line network, built once and shared by every rule
    (``network_distance`` of ``nearest``, the toilet coverage), or ``None`` when the plan has
    no drawn walkway line or its lines give no edge (one too short to keep, for instance).

    The one builder of the ``("walk_network",)`` structure: empty line geometries are left
    out and an edgeless network is ``None`` whichever rule asks first.
    """

    def build() -> Any:
        from inclusiecheck.geometry.network import build_walk_network

        lines = [f.geometry for f in ctx.model.features("walkway")
                 if f.geom_type == "LineString" and not f.geometry.is_empty]
        if not lines:
            return None
        net = build_walk_network(lines)
        return net if net.n_edges else None

    return ctx.shared(("walk_network",), build)


def network_distance(ctx: CheckContext, feature: Feature, targets: list[Feature]) -> float | None:
    """Distance along the walkway centre-line network from ``feature`` to the nearest of
    ``targets`` (``None`` when the plan has no line walkways or a point does not snap)."""
    import numpy as np

    from inclusiecheck.geometry.network import nearest_destination

    net = walk_network(ctx)
    if net is None:
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
# go through ``ctx.cached``). Clear widths are rounded to the centimetre, their measurement
# tolerance (a walkway drawn 1.00 m wide with slight bends measures 0.9994 m on some sections:
# see ``WIDTH_TOLERANCE_M`` in ``geometry/clearwidth.py``), other widths and lengths to the
# millimetre, slopes to 0.01 percentage point, rises to the millimetre, so that a boundary value
# drawn exactly (1.50 m) is judged as drawn and not as 1.4999999.

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

#: Obstacle kinds that lie flush with the walking surface (a grate): they take no clear width
#: and block no view; their own rules judge them (e.g. the grate opening, PD-34).
FLUSH_OBSTACLE_KINDS: tuple[str, ...] = ("grate",)

#: Search margin (m) around a walkway for obstacle features whose footprint may reach into it.
_OBSTACLE_REACH_M: float = 2.5
_CROWN_KINDS = ("tree", "tree_row")


def _r(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(float(value), digits)


def _cm(width_m: float) -> float:
    """A width measured from the drawing, to the centimetre (its measurement tolerance)."""
    from inclusiecheck.geometry.clearwidth import round_width

    return round_width(width_m)


def _footprint_of(feature: Feature) -> Any:
    """The footprint a feature of an obstacle layer takes from a walkway (``None``: none)."""
    from inclusiecheck.geometry.clearwidth import obstacle_footprint

    args = _footprint_args(feature)
    if args is None:
        return None
    try:
        return obstacle_footprint(*args)
    except (TypeError, ValueError):
        return None


def _footprint_args(feature: Feature) -> tuple[Any, Any, Any] | None:
    """What :func:`_footprint_of` gives ``obstacle_footprint``: the geometry, the size and the
    kind (``None``: the feature takes no width)."""
    from inclusiecheck.geometry.clearwidth import DEFAULT_FOOTPRINT_M

    layer, geom, attrs = feature.layer, feature.geometry, feature.attrs
    size = attrs.get("size_m")
    if size is not None and (not isinstance(size, (int, float)) or size <= 0):
        size = None  # a nonsensical size falls back to the documented default
    if layer == "obstacle":
        if (attrs.get("free_height_m") or 0.0) >= OVERHEAD_CLEAR_M:
            return None
        kind = attrs.get("kind")
        if kind in FLUSH_OBSTACLE_KINDS:
            return None
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
    return geom, size, kind


def obstacle_footprints(ctx: CheckContext, area: Any, layers: tuple[str, ...] = OBSTACLE_LAYERS,
                        reach_m: float = _OBSTACLE_REACH_M) -> list[tuple[Feature, Any]]:
    """Features of ``layers`` near ``area`` (spatial index) with the footprint each takes.

    Footprints are built once per obstacle feature and run (cached in the context). Only
    footprints that intersect ``area`` are returned.
    """
    out: list[tuple[Feature, Any]] = []
    tree, feats = _obstacle_tree(ctx, layers)
    if tree is None:
        return out
    if reach_m > 0:
        idx = tree.query(area, predicate="dwithin", distance=reach_m)
    else:
        idx = tree.query(area, predicate="intersects")
    idx.sort()   # layers in the order asked, then feature order (as one query per layer)
    for i in idx.tolist():
        obstacle = feats[i]
        footprint = ctx.cached("_footprint", obstacle, lambda f, _c: _footprint_of(f))
        if footprint is not None and not footprint.is_empty and footprint.intersects(area):
            out.append((obstacle, footprint))
    return out


def _obstacle_tree(ctx: CheckContext, layers: tuple[str, ...]) -> tuple[Any, list[Feature]]:
    """One spatial index over the features of all ``layers`` (in that order), built once per
    run: one query finds the obstacles of every layer near an area."""
    from shapely import STRtree

    def build() -> tuple[Any, list[Feature]]:
        feats = [f for layer in layers for f in ctx.model.features(layer)]
        return (STRtree([f.geometry for f in feats]) if feats else None, feats)

    return ctx.shared(("_obstacle_tree", tuple(layers)), build)


def _footprints(ctx: CheckContext, features: list[Feature]) -> list[Any]:
    """The footprints of obstacle-layer features (see :func:`_footprint_of`), cached per
    feature and run; computed for all not yet known in one batch (:func:`_footprints_batch`)."""
    return ctx.batch("_footprint", features, _footprints_batch)


def _footprints_batch(features: Sequence[Feature], ctx: CheckContext) -> list[Any]:
    """:func:`_footprint_of` of many features: the discs of point obstacles in one vectorised
    buffer call, the others (lines, polygons, vegetation with kind-dependent defaults) through
    :func:`~inclusiecheck.geometry.clearwidth.obstacle_footprints` (points and lines
    vectorised there too)."""
    import math

    import numpy as np
    import shapely

    from inclusiecheck.geometry.clearwidth import (
        DEFAULT_FOOTPRINT_M,
        FOOTPRINT_SIDES,
        obstacle_footprints,
    )

    out: list[Any] = [None] * len(features)
    points, radii, where = [], [], []
    others: list[int] = []   # the footprints of _footprint_of, in one batch
    for n, f in enumerate(features):
        layer, attrs = f.layer, f.attrs
        disc = f.geometry.geom_type == "Point"
        kind: Any = None
        if disc:
            if layer == "obstacle":
                kind = attrs.get("kind")
                disc = (attrs.get("free_height_m") or 0.0) < OVERHEAD_CLEAR_M \
                    and kind not in FLUSH_OBSTACLE_KINDS
            elif layer == "vegetation":
                disc = False   # kind-dependent defaults: one by one
            elif layer == "stop":
                kind = "pole"
            else:
                kind = layer
        if not disc:
            others.append(n)
            continue
        size = attrs.get("size_m")
        if size is None or isinstance(size, bool) or not size > 0:
            size = DEFAULT_FOOTPRINT_M.get(kind or "other", DEFAULT_FOOTPRINT_M["other"])
        points.append(f)
        radii.append(float(size) / 2.0 / math.cos(math.pi / FOOTPRINT_SIDES))
        where.append(n)
    if points:
        geoms = shapely.force_2d(np.array([f.geometry for f in points], dtype=object))
        discs = shapely.buffer(geoms, np.array(radii), quad_segs=FOOTPRINT_SIDES // 4)
        for n, disc_geom in zip(where, discs.tolist()):
            out[n] = disc_geom
    if others:
        args = [_footprint_args(features[n]) for n in others]
        todo = [n for n, a in zip(others, args) if a is not None]
        for n, fp in zip(todo, obstacle_footprints([a for a in args if a is not None])):
            out[n] = fp
    return out


def walkway_obstacles(ctx: CheckContext, feature: Feature,
                      layers: tuple[str, ...] = OBSTACLE_LAYERS) -> list[tuple[Feature, Any]]:
    """Obstacle features and footprints reaching into a walkway's walking area.

    The first call for a layer pairs every feature of that layer with its obstacles at once
    (:func:`_walkway_obstacles_batch`); the list of each feature is cached in the context.
    """
    return ctx.of_layer(f"_walkway_obstacles:{','.join(layers)}", feature,
                        lambda feats, c: _walkway_obstacles_batch(feats, c, layers))


def _walkway_obstacles_batch(walkways: Sequence[Feature], ctx: CheckContext,
                             layers: tuple[str, ...]) -> list[list[tuple[Feature, Any]]]:
    """:func:`walkway_obstacles` of many walkways: one bulk spatial-index query per obstacle
    layer (candidates within reach of each walking area), the footprints in one batch, and one
    vectorised ``intersects`` over all candidate pairs. Per walkway: obstacle layers in the
    order asked, then feature order within a layer."""
    import numpy as np
    import shapely

    areas = walking_areas(ctx, walkways)
    valid = np.array([a is not None and not a.is_empty for a in areas], dtype=bool)
    index = np.flatnonzero(valid)
    geoms = np.empty(len(index), dtype=object)
    geoms[:] = [areas[i] for i in index]
    w_parts, o_parts, f_parts = [], [], []
    for rank, obstacle_layer in enumerate(layers):
        feats = ctx.model.features(obstacle_layer)
        if not feats or not len(geoms):
            continue
        w_idx, o_idx = ctx.model.tree(obstacle_layer).query(geoms, predicate="dwithin",
                                                            distance=_OBSTACLE_REACH_M)
        if not len(w_idx):
            continue
        fps = _footprints(ctx, [feats[i] for i in o_idx.tolist()])
        w_parts.append(w_idx)
        o_parts.append(o_idx)
        f_parts.append((rank, feats, fps))
    out: list[list[tuple[Feature, Any]]] = [[] for _ in walkways]
    if w_parts:
        all_w = np.concatenate(w_parts)
        all_o = np.concatenate(o_parts)
        all_rank = np.concatenate([np.full(len(w), r) for w, (r, _f, _p) in zip(w_parts, f_parts)])
        all_feat: list[Feature] = []
        all_fp: list[Any] = []
        for w, (_r, feats, fps) in zip(o_parts, f_parts):
            all_feat.extend(feats[i] for i in w.tolist())
            all_fp.extend(fps)
        fp_arr = np.empty(len(all_fp), dtype=object)
        fp_arr[:] = [fp if fp is not None else shapely.Point() for fp in all_fp]
        hit = ~shapely.is_empty(fp_arr) & shapely.intersects(fp_arr, geoms[all_w])
        order = np.lexsort((all_o, all_rank, all_w))
        order = order[hit[order]]
        for k in order.tolist():
            out[int(index[all_w[k]])].append((all_feat[k], all_fp[k]))
    return out


#: a walking area with more vertices than this is simplified before it is measured, so that
#: the clear-width cost (stations x vertices) stays bounded: a 100,000-vertex polygon is
#: measured in seconds instead of minutes
SIMPLIFY_ABOVE_VERTICES = 500
#: tolerances (m) of that simplification, tried in turn until the outline has at most
#: :data:`MAX_MEASURED_VERTICES` vertices: each outline moves at most 1 mm (then 2 mm), so a
#: width changes by at most 4 mm, below the clear-width measurement tolerance
#: (``WIDTH_TOLERANCE_M``, 5 mm)
SIMPLIFY_TOLERANCES_M = (0.001, 0.002)
#: most vertices a walking area may keep after simplification; a more detailed outline (noise
#: above the tolerance all along a very long polygon) is not measured: its clear width is
#: to_verify
MAX_MEASURED_VERTICES = 5_000


def bounded_area(geom: Any) -> Any:
    """``geom`` as drawn when it has at most :data:`SIMPLIFY_ABOVE_VERTICES` vertices, else
    simplified within :data:`SIMPLIFY_TOLERANCES_M` (topology kept); ``None`` when even the
    simplified outline has more than :data:`MAX_MEASURED_VERTICES` vertices. A pure function:
    the walking areas that use it are cached per run (:func:`walking_areas`)."""
    import shapely

    if geom is None or shapely.get_num_coordinates(geom) <= SIMPLIFY_ABOVE_VERTICES:
        return geom
    return _simplified(geom)


def too_detailed_warnings(model: Any) -> list[Any]:
    """``invalid_value`` warnings for walkway polygons whose outline keeps more than
    :data:`MAX_MEASURED_VERTICES` vertices after simplification: their clear width is not
    measured (to_verify), and the warning says why."""
    import shapely

    from inclusiecheck.model import ReadWarning

    found = []
    walkways = model.layers.get("walkway", ())
    # the vertex counts of all walkways at once; only the detailed polygons are simplified
    counts = shapely.get_num_coordinates([feature.geometry for feature in walkways]).tolist()
    for feature, count in zip(walkways, counts):
        if count <= MAX_MEASURED_VERTICES or feature.geom_type != "Polygon":
            continue
        if bounded_area(feature.geometry) is None:
            found.append(ReadWarning(
                "geometry_too_detailed",
                f"walkway {feature.id}: the outline has "
                f"{shapely.get_num_coordinates(feature.geometry)} vertices, more than "
                f"{MAX_MEASURED_VERTICES} even when simplified within "
                f"{SIMPLIFY_TOLERANCES_M[-1] * 1000:g} mm; its clear width is not measured "
                "(to verify): simplify the drawing", feature.source.file, "walkway",
                feature.id))
    return found


def _simplified(geom: Any) -> Any:
    import shapely

    for tolerance in SIMPLIFY_TOLERANCES_M:
        simple = shapely.simplify(geom, tolerance, preserve_topology=True)
        if simple.is_empty or not simple.is_valid or simple.geom_type != geom.geom_type:
            simple = geom
        if shapely.get_num_coordinates(simple) <= MAX_MEASURED_VERTICES:
            return simple
    return None


def walking_areas(ctx: CheckContext, features: Any) -> list[Any]:
    """The walking areas of ``features`` (a polygon as drawn, a centre line buffered by half its width), cached per feature and
    run; computed for all not yet known in one batch (:func:`_walking_areas_batch`)."""
    return ctx.batch("_walking_area", list(features), _walking_areas_batch)


def walking_area(ctx: CheckContext, feature: Feature) -> Any:
    """The walking area of one walkway (its layer computed in one batch on first request)."""
    return ctx.of_layer("_walking_area", feature, _walking_areas_batch)


def _walking_areas_batch(features: Sequence[Feature], _ctx: CheckContext) -> list[Any]:
    """The walking areas of many features (a polygon as drawn; a centre line buffered by half its
    ``width_m``, else ``total_width_m``; ``None`` without a width), the centre lines buffered in one vectorised
    call (then bounded as one by one)."""
    import numpy as np
    import shapely

    out: list[Any] = [None] * len(features)
    todo, dist = [], []
    for n, f in enumerate(features):
        if f.geom_type == "Polygon":
            out[n] = bounded_area(f.geometry)
            continue
        width = f.attrs.get("width_m") or f.attrs.get("total_width_m")
        if not width or width <= 0:
            continue
        todo.append(n)
        dist.append(float(width) / 2.0)
    if todo:
        geoms = np.empty(len(todo), dtype=object)
        geoms[:] = [features[n].geometry for n in todo]
        buffered = shapely.buffer(geoms, np.array(dist), cap_style="flat", join_style="mitre")
        for n, area in zip(todo, buffered.tolist()):
            out[n] = bounded_area(area)
    return out


# -- clear width: one engine in inclusiecheck.geometry (clearwidth + rectwidth) ---------------
#
# The geometry lives in :mod:`inclusiecheck.geometry.clearwidth` (the general cross-section
# method) and :mod:`inclusiecheck.geometry.rectwidth` (its exact, vectorised specialisation to
# rectangles). This module only feeds them the plan: the walking areas and obstacle footprints
# of a layer, in one batch per layer (:func:`_rect_profiles`), and caches the results per run.

def _rect_profile(feature: Feature, ctx: CheckContext, layers: tuple[str, ...]) -> Any:
    """The cached :class:`~inclusiecheck.geometry.rectwidth.RectProfile` of a rectangular
    walkway, ``False`` when not a rectangle. The first call for a layer builds the profiles of
    all its features in one batch (:func:`_rect_profiles_batch`)."""
    return ctx.of_layer(_rect_profile_key(layers), feature,
                        lambda feats, c: _rect_profiles_batch(feats, c, layers))


@functools.cache
def _rect_profile_key(layers: tuple[str, ...]) -> str:
    """The cache name of the rectangle profiles measured against ``layers`` (a pure string,
    made once per set of layers: it is asked for every clear width)."""
    return f"_rect_profile:{','.join(layers)}"


def _layer_rect_profiles(ctx: CheckContext, layer: str, layers: tuple[str, ...]) -> list[Any]:
    """The rectangle profiles of every feature of ``layer`` that the pass judges
    (:meth:`~CheckContext.part_of`; non-rectangles left out)."""
    profiles = ctx.batch(_rect_profile_key(layers), ctx.part_of(layer),
                         lambda feats, c: _rect_profiles_batch(feats, c, layers))
    return [p for p in profiles if p is not False]


def _rect_profiles_batch(feats: Sequence[Feature], ctx: CheckContext,
                         layers: tuple[str, ...]) -> list[Any]:
    """:func:`_rect_profile` of many walkways: walking areas, 2D forcing, rectangle frames,
    obstacle pairs (:func:`walkway_obstacles`) and the profiles
    (:func:`~inclusiecheck.geometry.rectwidth.rect_profiles`) in vectorised calls."""
    import numpy as np
    import shapely

    out: list[Any] = [False] * len(feats)
    areas = walking_areas(ctx, feats)
    cand, cand_areas, alongs = [], [], []
    # per feature in vectorised calls: an empty walking area, a straight 2-point centre line
    area_arr = np.empty(len(feats), dtype=object)
    area_arr[:] = areas
    empty = shapely.is_empty(area_arr)   # None: False, skipped below
    geom_arr = np.empty(len(feats), dtype=object)
    geom_arr[:] = [f.geometry for f in feats]
    two_point_line = (shapely.get_type_id(geom_arr) == 1) \
        & (shapely.get_num_coordinates(geom_arr) == 2)
    for i, (f, area) in enumerate(zip(feats, areas)):
        if area is None or empty[i]:
            continue
        along = None
        if f.geom_type != "Polygon":
            if not two_point_line[i]:
                continue
            along = f.geometry
        cand.append(i)
        cand_areas.append(area)
        alongs.append(along)
    if cand_areas:
        arr = np.empty(len(cand_areas), dtype=object)
        arr[:] = cand_areas
        z = shapely.has_z(arr)
        if z.any():
            arr[z] = shapely.force_2d(arr[z])
        cand_areas = arr.tolist()
    frames = rw.rect_frames(cand_areas, alongs)
    rect = [(i, frame) for i, frame in zip(cand, frames) if frame is not None]
    footprints = [[fp for _o, fp in walkway_obstacles(ctx, feats[i], layers)] for i, _f in rect]
    for (i, _frame), profile in zip(rect, rw.rect_profiles([f for _i, f in rect], footprints)):
        out[i] = profile
    return out


def clear_width_result(feature: Feature, ctx: CheckContext,
                       layers: tuple[str, ...] = OBSTACLE_LAYERS,
                       min_required_m: float | None = None) -> Any:
    """The full :class:`~inclusiecheck.geometry.clearwidth.ClearWidthResult` of a walkway.

    A polygon is measured as drawn; a centre line with ``width_m`` (else ``total_width_m``)
    is buffered by half that width. Every obstacle-layer feature whose footprint reaches into
    it is subtracted. ``narrowings`` are those below ``min_required_m`` by more than the
    measurement tolerance (``WIDTH_TOLERANCE_M`` of :mod:`inclusiecheck.geometry.clearwidth`,
    5 mm: widths are measured to the centimetre). Cached per feature, obstacle layers and
    required width; a rectangle's profile is computed once for every required width. ``None``
    when the walkway cannot be measured (a line without a width, a degenerate polygon).
    """
    key = f"_clear_width:{','.join(layers)}:{min_required_m}"

    def compute(f: Feature, c: CheckContext) -> Any:
        rect = _rect_profile(f, c, layers)
        if rect is not False:
            # the rectangle profiles cut at the level the tolerance allows (as clear_width)
            cut = None if min_required_m is None else min_required_m - _WIDTH_TOLERANCE_M
            if cut is not None and cut not in rect._by_req:
                # the narrowings of every rectangle of the layer (of the pass's part of it,
                # in a worker of a parallel run) at this width, in one batch; a rectangle
                # outside it gets its own below (rect.result)
                part = c.part.get(f.layer) if c.part is not None else None
                c.shared(("measures.narrowings", f.layer, layers, cut,
                          None if part is None else id(part)),
                         lambda: rw.narrowings_many(_layer_rect_profiles(c, f.layer, layers),
                                                    cut))
            return rect.result(cut)
        import shapely

        from inclusiecheck.geometry.clearwidth import clear_width, clear_width_centreline

        area = walking_area(c, f)
        if area is None or area.is_empty:
            return None
        footprints = [fp for _o, fp in walkway_obstacles(c, f, layers)]
        try:
            if f.geom_type == "Polygon":  # the bounded walking area (simplified if huge)
                return clear_width(area, footprints, min_required_m=min_required_m)
            # no width: float(None) raises the TypeError handled below
            width: Any = f.attrs.get("width_m") or f.attrs.get("total_width_m")
            line = f.geometry
            if shapely.get_num_coordinates(line) > SIMPLIFY_ABOVE_VERTICES:
                line = shapely.simplify(line, SIMPLIFY_TOLERANCES_M[0])
            return clear_width_centreline(line, float(width), footprints,
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

    area = walking_area(ctx, feature)
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
    cabinets and scooter zones standing in it (points by ``size_m`` or the default per kind).
    Reported to the centimetre, the precision of a width measured from a drawing."""
    result = clear_width_result(feature, ctx)
    return None if result is None else _cm(result.min_width_m)


def _width_m(feature: Feature, ctx: CheckContext) -> Any:
    """Clear width of a walkway or ramp polygon measured from the drawing (obstacles
    subtracted); a centre line has no measured width (give ``width_m``)."""
    if feature.geom_type != "Polygon":
        return None
    result = clear_width_result(feature, ctx)
    return None if result is None else _cm(result.min_width_m)


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
    return as_number(feature.attrs.get(name))


@measure("slope_pct", unit="pct", layers=("walkway", "ramp"))
def slope_pct(feature: Feature, ctx: CheckContext) -> Any:
    """Running slope when the attribute is missing: for a ramp ``rise_cm / length_m`` from its
    attributes, else the steepest part of the 3D drawing, else ``rise_cm`` over the drawn
    length; for a walkway the 3D drawing (steepest segment of a line, plane of a polygon)."""
    if feature.layer == "ramp":
        rise, length = _num_attr(feature, "rise_cm"), _num_attr(feature, "length_m")
        if rise is not None and length:
            return _r(abs(rise) / length, 2)  # cm / m = % (rise/100 / length * 100)
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


@measure("rise_cm", unit="cm", layers=("ramp", "walkway"))
def rise_cm(feature: Feature, ctx: CheckContext) -> Any:
    """Rise of a ramp (or of a sloping walkway, e.g. an access path steeper than 4 % that the
    verordening judges as a ramp) when the attribute is missing: ``slope_pct x length_m`` from
    its attributes, else the 3D drawing, else ``slope_pct`` x the drawn horizontal length. A
    signed slope counts by its size (the sign is a direction)."""
    slope, length = _num_attr(feature, "slope_pct"), _num_attr(feature, "length_m")
    slope = None if slope is None else abs(slope)
    if slope is not None and length is not None:
        return _r(slope * length, 1)  # % x m = cm
    ramp = drawn_ramp(feature, ctx)
    if ramp is not None:
        return _r(ramp.rise_cm, 1)
    plan = _plan_length_m(feature)
    if slope is not None and plan:
        return _r(slope * plan, 1)
    return None
