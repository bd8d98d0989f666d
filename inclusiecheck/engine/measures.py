"""Named measures: values computed from the drawing, lazily, once per feature and run.

A check asks ``ctx.value(feature, "width_m")``: the attribute when the plan gives it, else
the measure of that name (the clear width measured on a walkway polygon, the slope of a 3D
ramp line, ...). The measures reference in docs/ lists them.
"""

from __future__ import annotations

from typing import Any

from inclusiecheck.engine.checks.api import CheckContext, Measure, as_number
from inclusiecheck.model import Feature
from inclusiecheck.registry import Registry

#: every named measure: those of this module and of the modules that register their own
#: (the stop and toilet dimensions in ``checks/provisions.py``), imported on first use
MEASURES: Registry[Measure] = Registry(
    "measure", builtins=("inclusiecheck.engine.measures", "inclusiecheck.engine.checks.provisions"))


def measure(name: str, *, unit: str | None, layers: tuple[str, ...] = (),  # type: ignore[no-untyped-def]
            replace: bool = False):
    """Register the decorated function as the measure ``name`` (a name registered twice is
    an error unless ``replace``)."""
    def decorate(func):  # type: ignore[no-untyped-def]
        MEASURES.register(Measure(name, func, unit, layers, (func.__doc__ or "").strip()),
                          replace=replace)
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
    from inclusiecheck.geometry.clearwidth import DEFAULT_FOOTPRINT_M, obstacle_footprint

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


def _first_time(ctx: CheckContext, *key: Any) -> bool:
    """True the first time a batch step ``key`` is asked for in this run (marked done at
    once, so a batch that asks for itself again does not restart)."""
    done: set[Any] = ctx.shared(("measures.batches_done",), set)
    if key in done:
        return False
    done.add(key)
    return True


def _obstacle_tree(ctx: CheckContext, layers: tuple[str, ...]) -> tuple[Any, list[Feature]]:
    """One spatial index over the features of all ``layers`` (in that order), built once per
    run: one query finds the obstacles of every layer near an area."""
    from shapely import STRtree

    def build() -> tuple[Any, list[Feature]]:
        feats = [f for layer in layers for f in ctx.model.features(layer)]
        return (STRtree([f.geometry for f in feats]) if feats else None, feats)

    return ctx.shared(("_obstacle_tree", tuple(layers)), build)


def _layer_footprints(ctx: CheckContext, layer: str) -> None:
    """Build the footprints of a whole obstacle layer at once (points in one vectorised
    buffer call) and put them in the per-feature cache used by :func:`_footprint_of`."""
    import math

    import numpy as np
    import shapely

    from inclusiecheck.geometry.clearwidth import DEFAULT_FOOTPRINT_M, FOOTPRINT_SIDES

    if not _first_time(ctx, "_layer_footprints", layer):  # footprints live in the run's cache
        return
    points, radii = [], []
    for f in ctx.model.features(layer):
        if f.geometry.geom_type != "Point":
            continue
        attrs = f.attrs
        if layer == "obstacle":
            if (attrs.get("free_height_m") or 0.0) >= OVERHEAD_CLEAR_M:
                continue
            kind = attrs.get("kind")
            if kind in FLUSH_OBSTACLE_KINDS:
                continue
        elif layer == "vegetation":
            continue  # few, and kind-dependent defaults: built one by one
        elif layer == "stop":
            kind = "pole"
        else:
            kind = layer
        size = attrs.get("size_m")
        if size is None or isinstance(size, bool) or not size > 0:
            size = DEFAULT_FOOTPRINT_M.get(kind or "other", DEFAULT_FOOTPRINT_M["other"])
        points.append(f)
        radii.append(float(size) / 2.0 / math.cos(math.pi / FOOTPRINT_SIDES))
    if not points:
        return
    geoms = shapely.force_2d(np.array([f.geometry for f in points], dtype=object))
    discs = shapely.buffer(geoms, np.array(radii), quad_segs=FOOTPRINT_SIDES // 4)
    for f, disc in zip(points, discs):
        ctx.cached("_footprint", f, lambda _f, _c, d=disc: d)


def walkway_obstacles(ctx: CheckContext, feature: Feature,
                      layers: tuple[str, ...] = OBSTACLE_LAYERS) -> list[tuple[Feature, Any]]:
    """Obstacle features and footprints reaching into a walkway's walking area.

    The first call for a layer pairs every feature of that layer with its obstacles at once:
    one bulk spatial-index query per obstacle layer (candidates within reach of each walking
    area), every footprint built in one vectorised call, and one vectorised ``intersects``
    over all candidate pairs; the list of each feature is cached in the context.
    """
    name = f"_walkway_obstacles:{','.join(layers)}"
    if not ctx.is_cached(name, feature):
        _all_walkway_obstacles(ctx, feature.layer, layers)
    if ctx.is_cached(name, feature):
        return ctx.cached(name, feature, _not_batched)
    # a feature that is not in the model's layer (built ad hoc): query it on its own
    area = ctx.cached("_walking_area", feature, lambda f, _c: _walking_area(f))
    for layer in layers:
        _layer_footprints(ctx, layer)
    return obstacle_footprints(ctx, area, layers) if area is not None else []


def _all_walkway_obstacles(ctx: CheckContext, layer: str, layers: tuple[str, ...]) -> None:
    """Fill the per-feature cache of :func:`walkway_obstacles` for every feature of ``layer``."""
    import numpy as np
    import shapely

    name = f"_walkway_obstacles:{','.join(layers)}"
    if not _first_time(ctx, "_walkway_obstacles", layer, layers):
        return
    walkways = ctx.model.features(layer)
    areas = walking_areas(ctx, walkways)
    valid = np.array([a is not None and not a.is_empty for a in areas], dtype=bool)
    index = np.flatnonzero(valid)
    geoms = np.empty(len(index), dtype=object)
    geoms[:] = [areas[i] for i in index]
    for obstacle_layer in layers:
        _layer_footprints(ctx, obstacle_layer)
    w_parts, o_parts, f_parts = [], [], []
    for rank, obstacle_layer in enumerate(layers):
        feats = ctx.model.features(obstacle_layer)
        if not feats or not len(geoms):
            continue
        w_idx, o_idx = ctx.model.tree(obstacle_layer).query(geoms, predicate="dwithin",
                                                            distance=_OBSTACLE_REACH_M)
        if not len(w_idx):
            continue
        fps = [ctx.cached("_footprint", feats[i], lambda f, _c: _footprint_of(f))
               for i in o_idx.tolist()]
        w_parts.append(w_idx)
        o_parts.append(o_idx)
        f_parts.append((rank, feats, fps))
    out: dict[int, list[tuple[Feature, Any]]] = {int(i): [] for i in index}
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
        # per walkway: obstacle layers in the order asked, then feature order within a layer
        order = np.lexsort((all_o, all_rank, all_w))
        order = order[hit[order]]
        for k in order.tolist():
            out[int(index[all_w[k]])].append((all_feat[k], all_fp[k]))
    for i, feature in enumerate(walkways):
        if not ctx.is_cached(name, feature):
            ctx.store(name, feature, out.get(i, []))


def _not_batched(feature: Feature, _ctx: CheckContext) -> Any:  # pragma: no cover - guarded
    raise AssertionError(f"no batch value for feature {feature.id}")


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


#: the last simplifications: id of the drawn geometry -> (that geometry, the result)
_BOUNDED: dict[int, tuple[Any, Any]] = {}


def bounded_area(geom: Any) -> Any:
    """``geom`` as drawn when it has at most :data:`SIMPLIFY_ABOVE_VERTICES` vertices, else
    simplified within :data:`SIMPLIFY_TOLERANCES_M` (topology kept); ``None`` when even the
    simplified outline has more than :data:`MAX_MEASURED_VERTICES` vertices."""
    import shapely

    if geom is None or shapely.get_num_coordinates(geom) <= SIMPLIFY_ABOVE_VERTICES:
        return geom
    known = _BOUNDED.get(id(geom))
    if known is not None and known[0] is geom:
        return known[1]
    result = _simplified(geom)
    if len(_BOUNDED) >= 64:
        _BOUNDED.clear()
    _BOUNDED[id(geom)] = (geom, result)
    return result


def too_detailed_warnings(model: Any) -> list[Any]:
    """``invalid_value`` warnings for walkway polygons whose outline keeps more than
    :data:`MAX_MEASURED_VERTICES` vertices after simplification: their clear width is not
    measured (to_verify), and the warning says why."""
    import shapely

    from inclusiecheck.model import ReadWarning

    found = []
    for feature in model.layers.get("walkway", ()):
        if feature.geom_type != "Polygon":
            continue
        if shapely.get_num_coordinates(feature.geometry) <= MAX_MEASURED_VERTICES:
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
    """The walking areas of ``features`` (see :func:`_walking_area`), the centre lines buffered
    in one vectorised call; cached per feature in the context."""
    import numpy as np
    import shapely

    todo, dist = [], []
    for f in features:
        if ctx.is_cached("_walking_area", f):
            continue
        if f.geom_type == "Polygon":
            ctx.store("_walking_area", f, bounded_area(f.geometry))
            continue
        width = f.attrs.get("width_m") or f.attrs.get("total_width_m")
        if not width or width <= 0:
            ctx.store("_walking_area", f, None)
            continue
        todo.append(f)
        dist.append(float(width) / 2.0)
    if todo:
        geoms = np.empty(len(todo), dtype=object)
        geoms[:] = [f.geometry for f in todo]
        buffered = shapely.buffer(geoms, np.array(dist), cap_style="flat", join_style="mitre")
        for f, area in zip(todo, buffered.tolist()):
            ctx.store("_walking_area", f, area)
    return [ctx.cached("_walking_area", f, _not_batched) for f in features]


def _walking_area(feature: Feature) -> Any:
    """The surface of a walkway: its polygon, or its centre line buffered by half its width."""
    if feature.geom_type == "Polygon":
        return bounded_area(feature.geometry)
    width = feature.attrs.get("width_m") or feature.attrs.get("total_width_m")
    if not width or width <= 0:
        return None
    return bounded_area(feature.geometry.buffer(float(width) / 2.0, cap_style="flat",
                                                join_style="mitre"))


# -- clear width: rectangles fast, everything else through inclusiecheck.geometry.clearwidth -----
#
# Most walkways are drawn as rectangles (a box, or a straight centre line buffered by its
# width). For those the clear-width profile is computed here exactly and vectorised, once per
# walkway, and the narrowings below any required width are cut from that one profile. The
# method is the one of :mod:`inclusiecheck.geometry.clearwidth` (cross-sections perpendicular
# to the long side at stations every 0.5 m, every ``_RES_M`` over obstacles and 1 mm either
# side of every obstacle vertex; obstacles clipped to the walkway; the clear width is the
# longest free piece of a section; narrowing ends by linear interpolation), specialised to a
# rectangle so that sections are intervals on [0, width]. Other shapes (L-shapes, tapers,
# holes, bent centre lines) go through the general functions, re-run per required width.
#
# The first walkway of a layer that asks for its clear width has the profiles of all
# rectangles of that layer built at once (:func:`_rect_profiles`): walking areas, frames,
# obstacle pairs (one bulk spatial-index query per obstacle layer), footprint rings, the cut
# of every profile (:func:`_cut_many`) and the narrowest sections (:func:`_base_results`) in
# vectorised calls, with the same arithmetic as one walkway at a time; a walkway with nothing
# in it keeps its rectangle's width without a cut. The first request for a required width
# cuts the narrowings of all profiles at that width at once (:func:`_narrowings_many`).

_RES_M = 0.05      # station spacing over obstacles (the geometry module's default resolution)
_COARSE_M = 0.5    # station spacing elsewhere
_VERTEX_EPS_M = 1e-3
_RECT_TOL = 1e-6   # relative area tolerance for "is a rectangle"


class _RectProfile:
    """Clear-width profile of a rectangular walkway (local frame u along, v across)."""

    def __init__(self, origin: Any, u_dir: Any, v_dir: Any, length: float, width: float,
                 footprints: list[Any], rings: list[tuple[int, Any]] | None = None,
                 cut: bool = True) -> None:
        """``rings``: the ``(footprint index, ring coordinates)`` of every ring of every
        footprint, in order, when already extracted (:func:`_footprint_rings`); ``cut``:
        ``False`` when the caller cuts many profiles at once (:func:`_cut_many`)."""
        import numpy as np
        import shapely

        self.o, self.ud, self.vd = origin, u_dir, v_dir
        self.length, self.width = length, width
        self._intervals = None
        self._base: Any = None
        self._whole: Any = None
        self._whole_result: Any = None
        self._by_req: dict[float, tuple[Any, ...]] = {}
        self._w_min = self._w_max = float("nan")   # set with the base result
        if not footprints:  # nothing stands in it: the rectangle's own width everywhere
            self.edges = np.zeros((0, 5))
            self.s = np.unique(np.clip(np.concatenate([np.arange(0.0, length, _COARSE_M),
                                                       np.array([length], dtype=float)]),
                                       0.0, length))
            self.w = np.full(len(self.s), width)
            return
        if rings is None:
            rings = [(pid, shapely.get_coordinates(ring))
                     for pid, fp in enumerate(footprints) for poly in shapely.get_parts(fp)
                     for ring in (poly.exterior, *poly.interiors)]
        # every ring edge as (u1, v1, u2, v2, footprint index), in ring order
        us, vs, ids = [], [], []
        for n, (pid, coords) in enumerate(rings):
            xy = coords - origin
            us.append(xy @ u_dir)
            vs.append(xy @ v_dir)
            ids.append(np.full(len(xy), n))
        if rings:
            u, v, ring_id = np.concatenate(us), np.concatenate(vs), np.concatenate(ids)
            pid_of = np.array([pid for pid, _c in rings], dtype=float)[ring_id]
            same = ring_id[1:] == ring_id[:-1]
            e = np.column_stack([u[:-1], v[:-1], u[1:], v[1:], pid_of[:-1]])[same]
        else:
            e = np.zeros((0, 5))
        self.edges = e
        # stations
        parts = [np.arange(0.0, length, _COARSE_M), [length]]
        if len(e):
            u_all = np.concatenate([e[:, 0], e[:, 2]])
            parts += [u_all - _VERTEX_EPS_M, u_all, u_all + _VERTEX_EPS_M]
            # extent along the walkway of each footprint (edges come grouped by footprint)
            order = np.argsort(e[:, 4], kind="stable")
            pid_sorted = e[order, 4]
            starts = np.flatnonzero(np.concatenate(([True], pid_sorted[1:] != pid_sorted[:-1])))
            lows = np.minimum.reduceat(np.minimum(e[order, 0], e[order, 2]), starts)
            highs = np.maximum.reduceat(np.maximum(e[order, 0], e[order, 2]), starts)
            for low, high in zip(lows.tolist(), highs.tolist()):
                lo = max(0.0, low - _RES_M)
                hi = min(length, high + _RES_M)
                if hi > lo:
                    parts.append(np.arange(lo, hi, _RES_M))
        st = np.unique(np.clip(np.concatenate([np.asarray(p, dtype=float) for p in parts]),
                               0.0, length))
        self.s = st
        self.w = np.full(len(st), width)
        if len(e) and cut:
            self._cut(st, e)

    def _cut(self, st: Any, e: Any) -> None:
        """Blocked intervals per station (even-odd per footprint), merged; longest free gap."""
        import numpy as np

        u1, v1, u2, v2, pid = (e[:, k] for k in range(5))
        S = st[:, None]
        hit = ((u1 <= S) & (S < u2)) | ((u2 <= S) & (S < u1))
        i, j = np.nonzero(hit)
        if not len(i):
            return
        with np.errstate(divide="ignore", invalid="ignore"):
            v = v1[j] + (st[i] - u1[j]) * (v2[j] - v1[j]) / (u2[j] - u1[j])
        order = np.lexsort((v, pid[j], i))
        i, v = i[order], v[order]
        a, b, k = v[0::2], v[1::2], i[0::2]
        a, b = np.clip(a, 0.0, self.width), np.clip(b, 0.0, self.width)
        keep = b > a
        a, b, k = a[keep], b[keep], k[keep]
        if not len(k):
            return
        order = np.lexsort((a, k))
        a, b, k = a[order], b[order], k[order]
        big = 10.0 * self.width + 10.0
        cm = np.maximum.accumulate(b + k * big) - k * big   # running end within a station
        first = np.concatenate(([True], k[1:] != k[:-1]))
        prev = np.concatenate(([0.0], cm[:-1]))
        prev[first] = 0.0
        gap = np.maximum(a - prev, 0.0)
        starts = np.flatnonzero(first)
        last = np.concatenate((starts[1:] - 1, [len(k) - 1]))
        best = np.maximum(np.maximum.reduceat(gap, starts), self.width - cm[last])
        self.w[k[starts]] = best
        self._intervals = (a, b, k)

    # -- geometry in world coordinates ------------------------------------------------------
    def _pt(self, u: float, v: float) -> Any:
        return self.o + u * self.ud + v * self.vd

    def free_piece(self, idx: int) -> Any:
        """The longest free piece of the section at station ``idx`` (LineString)."""
        import numpy as np
        from shapely.geometry import LineString

        u = float(self.s[idx])
        lo, hi = self._free_span(idx)
        return LineString(np.array([self._pt(u, lo), self._pt(u, hi)]))

    def _free_span(self, idx: int) -> tuple[float, float]:
        """(lo, hi) across the walkway of the longest free piece at station ``idx``."""
        lo, hi = 0.0, self.width
        if self._intervals is not None:
            a, b, k = self._intervals
            sel = k == idx
            if sel.any():
                best, prev = (-1.0, 0.0, 0.0), 0.0
                for aa, bb in zip(a[sel], b[sel]):
                    if aa - prev > best[0]:
                        best = (aa - prev, prev, aa)
                    prev = max(prev, bb)
                if self.width - prev > best[0]:
                    best = (self.width - prev, prev, self.width)
                lo, hi = best[1], best[2]
                if hi - lo <= 0:
                    lo, hi = 0.0, self.width   # fully blocked: the gross section
        return lo, hi

    def stretch(self, s0: float, s1: float) -> Any:
        """The stretch of the rectangle between stations ``s0`` and ``s1`` (Polygon)."""
        if s1 - s0 < _VERTEX_EPS_M:
            mid = (s0 + s1) / 2
            s0, s1 = max(mid - _VERTEX_EPS_M / 2, 0.0), min(mid + _VERTEX_EPS_M / 2, self.length)
        import numpy as np
        import shapely

        return shapely.polygons(np.array([self._pt(s0, 0), self._pt(s1, 0),
                                          self._pt(s1, self.width), self._pt(s0, self.width)]))

    def _narrowest(self, i: int = 0, j: int | None = None) -> int:
        import numpy as np

        w = self.w[i: (len(self.w) if j is None else j + 1)]
        ties = np.flatnonzero(w <= w.min() + 1e-6)
        return i + int(ties[len(ties) // 2])

    def narrowings(self, req: float) -> tuple[Any, ...]:
        done = self._by_req.get(req)
        if done is not None:
            return done
        below = self.w < req - 1e-9
        if not below.any():
            return ()
        if below.all():
            # the whole walkway is one narrowing: the same for every such ``req``
            if self._whole is None:
                self._whole = self._narrowings(req, below)
            return self._whole
        return self._narrowings(req, below)

    def _narrowings(self, req: float, below: Any) -> tuple[Any, ...]:
        import numpy as np
        import shapely

        from inclusiecheck.geometry.clearwidth import Narrowing

        s, w = self.s, self.w
        edges = np.diff(below.astype(np.int8))
        starts = list(np.flatnonzero(edges == 1) + 1)
        ends = list(np.flatnonzero(edges == -1))
        if below[0]:
            starts.insert(0, 0)
        if below[-1]:
            ends.append(len(s) - 1)

        sl, wl = s.tolist(), w.tolist()
        last = len(sl) - 1

        def cross(k0: int, k1: int) -> float:
            if wl[k0] == wl[k1]:
                return (sl[k0] + sl[k1]) / 2
            t = (wl[k0] - req) / (wl[k0] - wl[k1])
            return sl[k0] + min(max(t, 0.0), 1.0) * (sl[k1] - sl[k0])

        spans, narrowest = [], []
        for i, j in zip(starts, ends):
            s0 = sl[0] if i == 0 else cross(i - 1, i)
            s1 = sl[-1] if j == last else cross(j, j + 1)
            spans.append((s0, s1))
            narrowest.append(self._narrowest(i, j))
        # every stretch and narrowest free piece of this profile in vectorised calls
        stretches = self._stretches(spans)
        free = [self._free_span(k) for k in narrowest]
        u = np.array([sl[k] for k in narrowest])
        pieces = shapely.linestrings(np.stack(
            [self._pts(u, np.array([f[0] for f in free])),
             self._pts(u, np.array([f[1] for f in free]))], axis=1))
        middles = shapely.line_interpolate_point(pieces, 0.5, normalized=True)
        return tuple(Narrowing(geometry=g, width_m=wl[k], length_m=s1 - s0, location=m)
                     for g, k, (s0, s1), m in zip(stretches.tolist(), narrowest, spans,
                                                   middles.tolist()))

    def _pts(self, u: Any, v: Any) -> Any:
        """World coordinates of local points (vectorised :meth:`_pt`)."""
        return self.o + u[:, None] * self.ud + v[:, None] * self.vd

    def _stretches(self, spans: list[tuple[float, float]]) -> Any:
        """:meth:`stretch` of many ``(s0, s1)`` spans in one vectorised call."""
        import numpy as np
        import shapely

        s0 = np.empty(len(spans))
        s1 = np.empty(len(spans))
        for n, (a, b) in enumerate(spans):
            if b - a < _VERTEX_EPS_M:
                mid = (a + b) / 2
                a, b = max(mid - _VERTEX_EPS_M / 2, 0.0), min(mid + _VERTEX_EPS_M / 2, self.length)
            s0[n], s1[n] = a, b
        zero, full = np.zeros(len(spans)), np.full(len(spans), self.width)
        ring = np.stack([self._pts(s0, zero), self._pts(s1, zero), self._pts(s1, full),
                         self._pts(s0, full)], axis=1)
        return shapely.polygons(ring)

    def result(self, req: float | None) -> Any:
        """The :class:`ClearWidthResult` with the narrowings below ``req`` (``None``: none).

        Without narrowings the result is the same for every ``req``: it is built once (for all
        rectangles of a layer at once by :func:`_base_results`) and shared."""
        from shapely.geometry import LineString

        from inclusiecheck.geometry.clearwidth import ClearWidthResult

        narrowings = self.narrowings(req) if req is not None else ()
        base = self._base
        if base is not None:
            if not narrowings:
                return base
            if narrowings is self._whole:   # the same for every req above the widest section
                if self._whole_result is None:
                    self._whole_result = ClearWidthResult(
                        min_width_m=base.min_width_m, location=base.location,
                        narrowest=base.narrowest, gross_width_m=base.gross_width_m,
                        centreline=base.centreline, narrowings=narrowings)
                return self._whole_result
        k = self._narrowest()
        piece = self.free_piece(k)
        half = self.width / 2
        result = ClearWidthResult(
            min_width_m=float(self.w[k]), location=piece.interpolate(0.5, normalized=True),
            narrowest=piece, gross_width_m=float(self.width),
            centreline=LineString([self._pt(0, half), self._pt(self.length, half)]),
            narrowings=narrowings)
        if not narrowings:
            self._base = result
        return result


def _rect_frame(area: Any, along: Any = None) -> tuple[Any, Any, Any, float, float] | None:
    """(origin, u_dir, v_dir, length, width) when ``area`` is a rectangle (no holes), else None.

    ``along``: a 2-point centre line whose direction must be the long side."""
    import numpy as np
    import shapely

    if area.geom_type != "Polygon" or len(area.interiors):
        return None
    rect = shapely.oriented_envelope(area)
    if rect.geom_type != "Polygon":
        return None
    c = shapely.get_coordinates(rect.exterior)[:4]
    e0, e1 = c[1] - c[0], c[2] - c[1]
    l0, l1 = float(np.hypot(*e0)), float(np.hypot(*e1))
    if min(l0, l1) <= 0 or abs(area.area - l0 * l1) > _RECT_TOL * l0 * l1:
        return None
    if l0 >= l1:
        origin, ud, vd, length, width = c[0], e0 / l0, e1 / l1, l0, l1
    else:
        origin, ud, vd, length, width = c[1], e1 / l1, (c[0] - c[1]) / l0, l1, l0
    if along is not None:
        a = shapely.get_coordinates(along)
        d = a[-1] - a[0]
        if abs(abs(float(d @ ud)) - float(np.hypot(*d))) > 1e-6 * max(length, 1.0):
            return None   # the line runs across the rectangle: use the general method
    return origin, ud, vd, length, width


def _rect_frames(areas: list[Any], alongs: list[Any]
                 ) -> list[tuple[Any, Any, Any, float, float] | None]:
    """:func:`_rect_frame` of many areas at once (one vectorised oriented-envelope call)."""
    import numpy as np
    import shapely

    out: list[tuple[Any, Any, Any, float, float] | None] = [None] * len(areas)
    cand = [i for i, a in enumerate(areas)
            if a.geom_type == "Polygon" and not len(a.interiors)]
    if not cand:
        return out
    geoms = np.empty(len(cand), dtype=object)
    geoms[:] = [areas[i] for i in cand]
    rects = shapely.oriented_envelope(geoms)
    is_poly = shapely.get_type_id(rects) == 3
    area_m2 = shapely.area(geoms)
    for n, i in enumerate(cand):
        if not is_poly[n]:
            continue
        c = shapely.get_coordinates(rects[n].exterior)[:4]
        e0, e1 = c[1] - c[0], c[2] - c[1]
        l0, l1 = float(np.hypot(*e0)), float(np.hypot(*e1))
        if min(l0, l1) <= 0 or abs(float(area_m2[n]) - l0 * l1) > _RECT_TOL * l0 * l1:
            continue
        if l0 >= l1:
            origin, ud, vd, length, width = c[0], e0 / l0, e1 / l1, l0, l1
        else:
            origin, ud, vd, length, width = c[1], e1 / l1, (c[0] - c[1]) / l0, l1, l0
        along = alongs[i]
        if along is not None:
            a = shapely.get_coordinates(along)
            d = a[-1] - a[0]
            if abs(abs(float(d @ ud)) - float(np.hypot(*d))) > 1e-6 * max(length, 1.0):
                continue   # the line runs across the rectangle: use the general method
        out[i] = (origin, ud, vd, length, width)
    return out


def _rect_profiles(ctx: CheckContext, layer: str, layers: tuple[str, ...]) -> None:
    """Build the :class:`_RectProfile` of every rectangular feature of ``layer`` at once (and
    ``False`` for the others) into the per-feature cache used by :func:`_rect_profile`.

    Walking areas, 2D forcing, rectangle frames, obstacle pairs (:func:`walkway_obstacles`)
    and the narrowest-section results are computed for the whole layer in vectorised calls;
    only the profile of a walkway with an obstacle in it is cut on its own."""
    import numpy as np
    import shapely

    name = f"_rect_profile:{','.join(layers)}"
    if not _first_time(ctx, "_rect_profiles", layer, layers):
        return
    feats = [f for f in ctx.model.features(layer) if not ctx.is_cached(name, f)]
    if not feats:
        return
    areas = walking_areas(ctx, feats)
    cand, cand_areas, alongs = [], [], []
    for i, (f, area) in enumerate(zip(feats, areas)):
        if area is None or area.is_empty:
            continue
        along = None
        if f.geom_type != "Polygon":
            if f.geometry.geom_type != "LineString" or shapely.get_num_coordinates(f.geometry) != 2:
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
    frames = _rect_frames(cand_areas, alongs)
    profiles: list[_RectProfile] = []
    jobs: list[tuple[Feature, Any, list[Any]]] = []
    for i, frame in zip(cand, frames):
        f = feats[i]
        if frame is None:
            ctx.store(name, f, False)
            continue
        jobs.append((f, frame, [fp for _o, fp in walkway_obstacles(ctx, f, layers)]))
    for (f, frame, footprints), rings in zip(jobs, _footprint_rings([j[2] for j in jobs])):
        profile = _RectProfile(*frame, footprints, rings=rings, cut=False)
        ctx.store(name, f, profile)
        profiles.append(profile)
    for f in feats:
        if not ctx.is_cached(name, f):
            ctx.store(name, f, False)
    _cut_many([p for p in profiles if len(p.edges)])
    _base_results(profiles)
    ctx.shared(("measures.rect_profiles_of",), dict)[(layer, layers)] = profiles


def _cut_many(profiles: list[_RectProfile]) -> None:
    """:meth:`_RectProfile._cut` of many profiles at once, with the same arithmetic.

    Stations and edges of all profiles are concatenated; each edge meets the stations of
    its own profile in ``[min(u1, u2), max(u1, u2))`` (one ``searchsorted`` pair per
    profile); crossings, blocked intervals, their merge and the longest free gap per
    station are then computed for all profiles in single vectorised calls (only the
    running maximum is taken per profile). A profile whose crossings do not pair up (an
    invalid footprint ring) is cut on its own."""
    import numpy as np

    if not profiles:
        return
    ns = np.array([len(p.s) for p in profiles])
    ne = np.array([len(p.edges) for p in profiles])
    s_off = np.concatenate(([0], np.cumsum(ns)[:-1]))
    st = np.concatenate([p.s for p in profiles])
    e = np.concatenate([p.edges for p in profiles])
    e_owner = np.repeat(np.arange(len(profiles)), ne)
    u1, v1, u2, v2, pid = (e[:, c] for c in range(5))
    lo_u, hi_u = np.minimum(u1, u2), np.maximum(u1, u2)
    first_l = np.empty(len(e), dtype=np.int64)
    first_r = np.empty(len(e), dtype=np.int64)
    e_at = 0
    for p, n_e, off in zip(profiles, ne.tolist(), s_off.tolist()):
        sl = slice(e_at, e_at + n_e)
        first_l[sl] = np.searchsorted(p.s, lo_u[sl], side="left") + off
        first_r[sl] = np.searchsorted(p.s, hi_u[sl], side="left") + off
        e_at += n_e
    counts = np.maximum(first_r - first_l, 0)
    counts[u1 == u2] = 0
    total = int(counts.sum())
    if not total:
        return
    j = np.repeat(np.arange(len(e)), counts)
    i = np.repeat(first_l, counts) + (np.arange(total) - np.repeat(np.cumsum(counts) - counts,
                                                                    counts))
    with np.errstate(divide="ignore", invalid="ignore"):
        v = v1[j] + (st[i] - u1[j]) * (v2[j] - v1[j]) / (u2[j] - u1[j])
    order = np.lexsort((v, pid[j], i))
    i, v, owner = i[order], v[order], e_owner[j[order]]
    # crossings pair up per station and footprint (even-odd); a profile where they do not is
    # cut on its own so that it cannot shift the pairs of the others
    group = np.concatenate(([True], (i[1:] != i[:-1]) | (pid[j[order]][1:] != pid[j[order]][:-1])))
    g_start = np.flatnonzero(group)
    g_size = np.diff(np.concatenate((g_start, [len(i)])))
    odd = np.unique(owner[g_start[g_size % 2 == 1]])
    if len(odd):
        bad = np.isin(owner, odd)
        i, v, owner = i[~bad], v[~bad], owner[~bad]
        for m in odd.tolist():
            profiles[m]._cut(profiles[m].s, profiles[m].edges)
    width = np.array([p.width for p in profiles], dtype=float)
    a, b, k, own = v[0::2], v[1::2], i[0::2], owner[0::2]
    wk = width[own]
    a, b = np.clip(a, 0.0, wk), np.clip(b, 0.0, wk)
    keep = b > a
    a, b, k, own = a[keep], b[keep], k[keep], own[keep]
    if not len(k):
        return
    order = np.lexsort((a, k))
    a, b, k, own = a[order], b[order], k[order], own[order]
    k_local = k - s_off[own]
    big = (10.0 * width + 10.0)[own]
    x = b + k_local * big
    shift = k_local * big
    cm = np.empty(len(k))
    bounds = np.searchsorted(own, np.arange(len(profiles) + 1)).tolist()
    for m in range(len(profiles)):
        lo, hi = bounds[m], bounds[m + 1]
        if hi > lo:   # running end within a station (per profile, as in _cut)
            cm[lo:hi] = np.maximum.accumulate(x[lo:hi]) - shift[lo:hi]
    first = np.concatenate(([True], k[1:] != k[:-1]))
    prev = np.concatenate(([0.0], cm[:-1]))
    prev[first] = 0.0
    gap = np.maximum(a - prev, 0.0)
    starts = np.flatnonzero(first)
    last = np.concatenate((starts[1:] - 1, [len(k) - 1]))
    best = np.maximum(np.maximum.reduceat(gap, starts), width[own[starts]] - cm[last])
    w_all = np.concatenate([p.w for p in profiles])
    w_all[k[starts]] = best
    for m, p in enumerate(profiles):
        lo, hi = bounds[m], bounds[m + 1]
        if hi > lo:
            p.w = w_all[s_off[m]: s_off[m] + ns[m]].copy()
            p._intervals = (a[lo:hi], b[lo:hi], k_local[lo:hi])


def _footprint_rings(lists: list[list[Any]]) -> list[list[tuple[int, Any]] | None]:
    """Per walkway, the ``(footprint index, coordinates)`` of each ring of its footprints (as
    :class:`_RectProfile` reads them one by one), extracted for all walkways in three
    vectorised calls. ``None`` for a walkway whose footprints are not plain polygons (read
    one by one then)."""
    import numpy as np
    import shapely

    out: list[list[tuple[int, Any]] | None] = [[] for _ in lists]
    owner = [m for m, fps in enumerate(lists) for _fp in fps]
    pids = [pid for fps in lists for pid in range(len(fps))]
    if not owner:
        return out
    arr = np.empty(len(owner), dtype=object)
    arr[:] = [fp for fps in lists for fp in fps]
    parts, part_fp = shapely.get_parts(arr, return_index=True)
    is_poly = shapely.get_type_id(parts) == 3
    bad = {owner[i] for i in part_fp[~is_poly].tolist()}
    parts, part_fp = parts[is_poly], part_fp[is_poly]
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    xy, ring_of = shapely.get_coordinates(rings, return_index=True)
    bounds = np.searchsorted(ring_of, np.arange(len(rings) + 1)).tolist()
    ring_fp = part_fp[ring_part].tolist()
    for r, fp in enumerate(ring_fp):
        m = owner[fp]
        lo, hi = bounds[r], bounds[r + 1]
        if hi - lo < 2:
            bad.add(m)
            continue
        out[m].append((pids[fp], xy[lo:hi]))
    for m in bad:
        out[m] = None
    return out


def _narrowings_many(profiles: list[_RectProfile], req: float) -> None:
    """:meth:`_RectProfile.narrowings` at ``req`` of every profile below it somewhere, with
    the same arithmetic, in vectorised calls over all of them (the result is kept per profile
    and ``req``). A profile never below ``req`` has none; one entirely below it has one
    whole-walkway narrowing, the same for every such ``req`` (built once)."""
    import numpy as np
    import shapely

    from inclusiecheck.geometry.clearwidth import Narrowing

    if not profiles:
        return
    limit = req - 1e-9
    w_min = np.array([p._w_min for p in profiles])
    w_max = np.array([p._w_max for p in profiles])
    for m in np.flatnonzero(~(w_min < limit)).tolist():
        profiles[m]._by_req.setdefault(req, ())
    todo = []
    for m in np.flatnonzero(w_min < limit).tolist():
        p = profiles[m]
        if req in p._by_req:
            continue
        if w_max[m] < limit and p._whole is not None:   # entirely below: one narrowing
            p._by_req[req] = p._whole
            continue
        todo.append(p)
    if not todo:
        return
    ns = np.array([len(p.s) for p in todo])
    off = np.concatenate(([0], np.cumsum(ns)[:-1]))
    end = off + ns - 1
    S = np.concatenate([p.s for p in todo])
    W = np.concatenate([p.w for p in todo])
    B = W < limit
    prev_open = np.ones(len(B), dtype=bool)     # the station before is not below (or none)
    prev_open[1:] = ~B[:-1]
    prev_open[off] = True
    next_open = np.ones(len(B), dtype=bool)
    next_open[:-1] = ~B[1:]
    next_open[end] = True
    starts = np.flatnonzero(B & prev_open)
    ends = np.flatnonzero(B & next_open)
    run_owner = np.searchsorted(off, starts, side="right") - 1
    run_off, run_end = off[run_owner], end[run_owner]

    def cross(k0: Any, k1: Any) -> Any:
        s_a, s_b, w_a, w_b = S[k0], S[k1], W[k0], W[k1]
        with np.errstate(divide="ignore", invalid="ignore"):
            t = (w_a - req) / (w_a - w_b)
            out = s_a + np.clip(t, 0.0, 1.0) * (s_b - s_a)
        same = w_a == w_b
        out[same] = ((s_a + s_b) / 2)[same]
        return out

    at_start, at_end = starts == run_off, ends == run_end
    s0 = np.where(at_start, S[starts], cross(np.maximum(starts - 1, 0), starts))
    s1 = np.where(at_end, S[ends], cross(ends, np.minimum(ends + 1, len(S) - 1)))
    # narrowest station of each run: the middle one of the ties within 1e-6 of the run minimum
    lens = ends - starts + 1
    heads = np.concatenate(([0], np.cumsum(lens)[:-1]))
    idx = np.repeat(starts, lens) + (np.arange(int(lens.sum())) - np.repeat(heads, lens))
    run_of = np.repeat(np.arange(len(starts)), lens)
    w_run = W[idx]
    run_min = np.minimum.reduceat(w_run, heads)
    tie = w_run <= run_min[run_of] + 1e-6
    tie_idx, tie_run = idx[tie], run_of[tie]
    first_tie = np.searchsorted(tie_run, np.arange(len(starts)))
    n_ties = np.bincount(tie_run, minlength=len(starts))
    k_glob = tie_idx[first_tie + n_ties // 2]
    k_local = (k_glob - run_off).tolist()
    # stretches and narrowest free pieces, in world coordinates as _RectProfile._pts
    owners = run_owner.tolist()
    O = np.array([todo[m].o for m in owners], dtype=float)
    UD = np.array([todo[m].ud for m in owners], dtype=float)
    VD = np.array([todo[m].vd for m in owners], dtype=float)
    width = np.array([todo[m].width for m in owners], dtype=float)
    length = np.array([todo[m].length for m in owners], dtype=float)
    short = s1 - s0 < _VERTEX_EPS_M
    mid = (s0 + s1) / 2
    lo_s = np.where(short, np.maximum(mid - _VERTEX_EPS_M / 2, 0.0), s0)
    hi_s = np.where(short, np.minimum(mid + _VERTEX_EPS_M / 2, length), s1)
    spans = [todo[m]._free_span(k) for m, k in zip(owners, k_local)]
    span_lo = np.array([a for a, _b in spans], dtype=float)
    span_hi = np.array([b for _a, b in spans], dtype=float)

    def pts(u: Any, v: Any) -> Any:
        return O + u[:, None] * UD + v[:, None] * VD

    zero = np.zeros(len(starts))
    stretches = shapely.polygons(np.stack([pts(lo_s, zero), pts(hi_s, zero), pts(hi_s, width),
                                           pts(lo_s, width)], axis=1))
    station = S[k_glob]
    pieces = shapely.linestrings(np.stack([pts(station, span_lo), pts(station, span_hi)],
                                          axis=1))
    middles = shapely.line_interpolate_point(pieces, 0.5, normalized=True)
    found: list[list[Any]] = [[] for _ in todo]
    for m, g, w, a, b, loc in zip(owners, stretches.tolist(), W[k_glob].tolist(),
                                  s0.tolist(), s1.tolist(), middles.tolist()):
        found[m].append(Narrowing(geometry=g, width_m=w, length_m=b - a, location=loc))
    for p, runs in zip(todo, found):
        if p._w_max < limit:    # entirely below: the same narrowing for every such req
            p._whole = tuple(runs)
            p._by_req[req] = p._whole
        else:
            p._by_req[req] = tuple(runs)


def _base_results(profiles: list[_RectProfile]) -> None:
    """Set the result without narrowings (``result(None)``) of many profiles at once: the
    narrowest free pieces, their middles and the centre lines in vectorised calls."""
    import numpy as np
    import shapely

    from inclusiecheck.geometry.clearwidth import ClearWidthResult

    if not profiles:
        return
    n = len(profiles)
    origin = np.array([p.o for p in profiles], dtype=float)
    ud = np.array([p.ud for p in profiles], dtype=float)
    vd = np.array([p.vd for p in profiles], dtype=float)
    length = np.array([p.length for p in profiles], dtype=float)
    width = np.array([p.width for p in profiles], dtype=float)
    station = np.empty(n)
    lo = np.zeros(n)
    hi = width.copy()
    min_w = np.empty(n)
    for m, p in enumerate(profiles):
        if p._intervals is None:     # constant width: the middle station ties win
            k = len(p.s) // 2
            station[m] = p.s[k]
            min_w[m] = p.w[k]
            continue
        k = p._narrowest()
        station[m] = p.s[k]
        min_w[m] = p.w[k]
        lo[m], hi[m] = p._free_span(k)

    def pt(u: Any, v: Any) -> Any:
        return origin + u[:, None] * ud + v[:, None] * vd

    pieces = shapely.linestrings(np.stack([pt(station, lo), pt(station, hi)], axis=1))
    middles = shapely.line_interpolate_point(pieces, 0.5, normalized=True)
    half = width / 2
    centres = shapely.linestrings(np.stack([pt(np.zeros(n), half), pt(length, half)], axis=1))
    for m, p in enumerate(profiles):
        p._w_min, p._w_max = float(p.w.min()), float(p.w.max())
        p._base = ClearWidthResult(
            min_width_m=float(min_w[m]), location=middles[m], narrowest=pieces[m],
            gross_width_m=float(p.width), centreline=centres[m], narrowings=())


def _rect_profile(feature: Feature, ctx: CheckContext, layers: tuple[str, ...]) -> Any:
    """The cached :class:`_RectProfile` of a rectangular walkway, ``False`` when not a rectangle.

    The first call for a layer builds the profiles of all its features (:func:`_rect_profiles`).
    """
    import shapely

    name = f"_rect_profile:{','.join(layers)}"
    if not ctx.is_cached(name, feature):
        _rect_profiles(ctx, feature.layer, layers)

    def compute(f: Feature, c: CheckContext) -> Any:   # a feature outside the model's layer
        area = c.cached("_walking_area", f, lambda g, _c: _walking_area(g))
        if area is None or area.is_empty:
            return False
        along = None
        if f.geom_type != "Polygon":
            if f.geometry.geom_type != "LineString" or len(shapely.get_coordinates(f.geometry)) != 2:
                return False
            along = f.geometry
        area = shapely.force_2d(area)
        frame = _rect_frame(area, along)
        if frame is None:
            return False
        footprints = [fp for _o, fp in walkway_obstacles(c, f, layers)]
        return _RectProfile(*frame, footprints)

    return ctx.cached(name, feature, compute)


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
        import shapely

        from inclusiecheck.geometry.clearwidth import (
            WIDTH_TOLERANCE_M,
            clear_width,
            clear_width_centreline,
        )

        rect = _rect_profile(f, c, layers)
        if rect is not False:
            # the rectangle profiles cut at the level the tolerance allows (as clear_width)
            cut = None if min_required_m is None else min_required_m - WIDTH_TOLERANCE_M
            if cut is not None and cut not in rect._by_req:
                batch = c.shared(("measures.rect_profiles_of",), dict).get((f.layer, layers))
                if batch is not None and _first_time(c, "_narrowings", f.layer, layers, cut):
                    _narrowings_many(batch, cut)
            return rect.result(cut)
        area = c.cached("_walking_area", f, lambda g, _c: _walking_area(g))
        if area is None or area.is_empty:
            return None
        footprints = [fp for _o, fp in walkway_obstacles(c, f, layers)]
        try:
            if f.geom_type == "Polygon":  # the bounded walking area (simplified if huge)
                return clear_width(area, footprints, min_required_m=min_required_m)
            width = f.attrs.get("width_m") or f.attrs.get("total_width_m")
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

    area = ctx.cached("_walking_area", feature, lambda f, _c: _walking_area(f))
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

