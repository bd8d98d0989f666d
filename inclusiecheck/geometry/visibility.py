"""Sightline measures for social safety: isovists, hidden zones, view ahead and through passages.

All geometry is 2D, in a projected metric CRS (metres). Occluders are whatever the caller
decides blocks the view at eye height (buildings, walls, hedges and shrubs taller than eye
height); this module does not look at heights. See ``docs/method-sightlines.md``.

Core primitive: the distance to the first occluder hit along many rays at once. Candidate
occluders come from a shapely ``STRtree`` queried with the rays as a LineString array; the
exact ray/segment intersections are then computed analytically in numpy on the occluder
boundary segments, and the nearest hit per ray is kept.

Conventions at the boundary of an occluder:

- a viewpoint strictly inside a polygon occluder sees nothing;
- a viewpoint on a polygon boundary sees outward, not into the polygon;
- a ray that grazes a vertex or runs along an edge is blocked there (conservative), so
  occluders touching at a corner or along an edge leave no gap;
- line occluders (walls drawn as lines) block any ray that crosses or touches them, except at
  the viewpoint itself (a viewer standing on a wall line sees both sides).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import shapely
from shapely import STRtree
from shapely.geometry import LineString, MultiPolygon, Point, Polygon

from inclusiecheck.geometry.ranges import arange_counts, arange_values
from shapely.geometry.base import BaseGeometry

__all__ = [
    "HiddenZone",
    "OccluderIndex",
    "ThroughView",
    "VisibilityInputError",
    "exit_visible",
    "hidden_zones",
    "hidden_zones_many",
    "isovist",
    "isovists",
    "path_isovists",
    "shortest_view_ahead",
    "shortest_views_ahead",
    "through_view",
    "view_from_point",
    "visibility_from_path",
    "visible_distance_ahead",
]

_EPS_M = 1e-6
"""Hits closer than this to the ray origin are ignored (viewer standing on a surface)."""
_PROBE_M = 1e-3
"""Probe distance that decides whether a ray leaving a polygon boundary goes into the polygon."""
_U_TOL = 1e-9
"""Relative tolerance on segment ends: a ray through a vertex hits it."""
_PARALLEL_TOL = 1e-12
"""Sine of the angle below which a ray and a segment count as parallel."""
_COLLINEAR_TOL_M = 1e-9
"""Distance below which a parallel line segment counts as lying on the ray."""
_RAYS_PER_CHUNK = 100_000
_MIN_ZONE_WIDTH_M = 0.1
"""Hidden zones thinner than this (everywhere) are numerical slivers, not places to stand."""
_BISECTION_STEPS = 12
_FAN_MARGIN_M = 1e-5
"""Absolute slack (metres) when a segment's angular span selects the rays of a fan."""
_FAN_MARGIN_REL = 1e-8
"""Relative slack (of the segment length) when a segment's angular span selects rays."""
_FAN_PARALLEL_RAD = 1e-3
"""Rays within this angle of a segment's direction are always paired with it."""
_MARGINAL_M = 1e-5
"""A hit this close to a segment end or to the ray's end is confirmed with the tree."""
_MARGINAL_SIN = 1e-4
"""A hit at a crossing angle with a sine below this is confirmed with the tree."""
_FAN_PAIRS_PER_BATCH = 400_000
_CULL_SLACK_M = 1e-6
"""A segment is left out of a fan when each of its rays hits something nearer than the
segment's distance from the viewpoint less this (far above the rounding of a hit distance)."""
_CULL_SIN = 1e-3
"""Segments seen from the viewpoint at a sine below this (nearly edge-on, where the hit
distance of a grazing ray is inaccurate) are never left out of a fan."""
_WHOLE_FANS = 2
"""Isovists per path that :func:`hidden_zones_many` casts in full, before it casts the others
only towards what they left unseen."""
_FAN_STAGES = (_WHOLE_FANS, 4, 8, 16, 1 << 62)
"""Ranks (coarse to fine along a path) at which :func:`hidden_zones_many` takes the box of
what is still unseen again to choose the rays of the next viewpoints."""
_PATHS_PER_BATCH = 512
"""Paths that :func:`hidden_zones_many` computes together (bounds the memory of a batch: its
first two whole isovists per path, about 6 MB of GEOS coordinates at 512 paths and 360 rays;
larger batches mean fewer, larger vectorised calls, and the zones do not depend on it)."""
_FAN_RAYS_PER_CHUNK = 25_000
"""Rays per vectorised pass of :func:`_fan_polygons` (bounds the memory of its candidate
occluder segments)."""
_CLIP_MARGIN_M = 0.01
"""An isovist is cut to the box of what is still unseen, widened by this much."""
_COLLINEAR_DROP_M = 1e-6
"""After each overlay of :func:`_unseen`, vertices within this distance of the line through
their neighbours are dropped (the ray ends an isovist leaves along an occluder face)."""

_POLYGON = 3
_LINESTRING = 1
_LINEARRING = 2
_POINT = 0
_MULTIPOINT = 4
_COLLECTION_TYPES = (4, 5, 6, 7)


class VisibilityInputError(ValueError):
    """Bad input to a sightline measure (wrong geometry type, non-positive parameter, ...)."""


# --------------------------------------------------------------------------------------------
# Occluder index
# --------------------------------------------------------------------------------------------


class OccluderIndex:
    """Spatial index of view-blocking geometries, built once and reused for many queries.

    Parameters
    ----------
    occluders
        Polygons and lines (multi-parts and collections are exploded) that block the view at
        eye height. The caller selects them (e.g. hedges taller than eye height). ``None`` and
        empty geometries are skipped; invalid polygons are repaired with ``make_valid``.

    Raises
    ------
    VisibilityInputError
        If an item is not a shapely geometry, is a point (no extent: buffer it first) or has
        non-finite coordinates.

    Attributes
    ----------
    geometries : numpy.ndarray
        The single-part occluders (Polygon, LineString or LinearRing), in input order.
    source : numpy.ndarray
        For each single part, the position of the occluder it came from in the input.
    tree : shapely.STRtree
        Tree over ``geometries``.
    """

    def __init__(self, occluders: Iterable[BaseGeometry | None]) -> None:
        geoms: list[BaseGeometry] = []
        sources: list[int] = []
        for i, geom in enumerate(occluders):
            if geom is None:
                continue
            if not isinstance(geom, BaseGeometry):
                raise VisibilityInputError(
                    f"occluder {i} is not a shapely geometry but {type(geom).__name__}"
                )
            geoms.append(geom)
            sources.append(i)
        parts, source = _explode(
            np.array(geoms, dtype=object) if geoms else np.empty(0, dtype=object),
            np.array(sources, dtype=np.intp),
        )
        self.geometries: np.ndarray = parts
        self.source: np.ndarray = source
        self.tree: STRtree = STRtree(parts)
        self._is_polygon: np.ndarray = shapely.get_type_id(parts) == _POLYGON
        self._build_segments()

    def __len__(self) -> int:
        return len(self.geometries)

    def __repr__(self) -> str:
        n_poly = int(self._is_polygon.sum())
        return f"OccluderIndex({n_poly} polygons, {len(self) - n_poly} lines)"

    def polygons_near(self, geometry: BaseGeometry) -> np.ndarray:
        """Return the polygon occluders whose envelope intersects ``geometry``'s envelope."""
        idx = self.tree.query(geometry)
        idx = np.sort(idx[self._is_polygon[idx]])
        return self.geometries[idx]

    def _build_segments(self) -> None:
        parts = self.geometries
        poly_idx = np.flatnonzero(self._is_polygon)
        line_idx = np.flatnonzero(~self._is_polygon)
        rings, ring_of = shapely.get_rings(parts[poly_idx], return_index=True)
        curves = np.concatenate([rings, parts[line_idx]])
        curve_part = np.concatenate([poly_idx[ring_of], line_idx]).astype(np.intp)
        coords, coord_curve = shapely.get_coordinates(curves, return_index=True)
        same = coord_curve[:-1] == coord_curve[1:]
        start = coords[:-1][same]
        vec = coords[1:][same] - start
        seg_part = curve_part[coord_curve[:-1][same]]
        keep = np.hypot(vec[:, 0], vec[:, 1]) > 0.0
        start, vec, seg_part = start[keep], vec[keep], seg_part[keep]
        order = np.argsort(seg_part, kind="stable")
        start, vec, seg_part = start[order], vec[order], seg_part[order]
        self._px = np.ascontiguousarray(start[:, 0])
        self._py = np.ascontiguousarray(start[:, 1])
        self._ex = np.ascontiguousarray(vec[:, 0])
        self._ey = np.ascontiguousarray(vec[:, 1])
        self._seg_is_line = ~self._is_polygon[seg_part]
        self._seg_angle = np.arctan2(self._ey, self._ex)
        self._seg_part = seg_part
        self._seg_start = np.searchsorted(seg_part, np.arange(len(parts)), side="left")
        self._seg_count = np.searchsorted(seg_part, np.arange(len(parts)), side="right") - (
            self._seg_start
        )


def _explode(geoms: np.ndarray, source: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Explode multi-parts and collections, repair polygons, check types and coordinates."""
    if len(geoms) == 0:
        return np.empty(0, dtype=object), np.empty(0, dtype=np.intp)
    for _ in range(64):
        types = shapely.get_type_id(geoms)
        invalid_poly = (types == _POLYGON) & ~shapely.is_valid(geoms)
        if invalid_poly.any():
            geoms = geoms.copy()
            geoms[invalid_poly] = shapely.make_valid(geoms[invalid_poly])
            types = shapely.get_type_id(geoms)
        if not np.isin(types, _COLLECTION_TYPES).any():
            break
        geoms, where = shapely.get_parts(geoms, return_index=True)
        source = source[where]
    geoms_mask = ~shapely.is_empty(geoms)
    geoms, source = geoms[geoms_mask], source[geoms_mask]
    types = shapely.get_type_id(geoms)
    bad = np.isin(types, (_POINT, _MULTIPOINT))
    if bad.any():
        raise VisibilityInputError(
            f"occluder {int(source[bad][0])} is (or contains) a point, which has no extent; "
            "buffer it to its footprint first"
        )
    if not np.isfinite(shapely.get_coordinates(geoms)).all():
        raise VisibilityInputError("occluders contain non-finite coordinates")
    return geoms, source.astype(np.intp)


# --------------------------------------------------------------------------------------------
# Core: first hit along rays
# --------------------------------------------------------------------------------------------


def _first_hits(
    index: OccluderIndex,
    origins: np.ndarray,
    ray_origin: np.ndarray,
    dx: np.ndarray,
    dy: np.ndarray,
    length: np.ndarray,
) -> np.ndarray:
    """Distance to the first occluder hit along each ray, capped at the ray's length.

    Parameters
    ----------
    index
        The occluders.
    origins
        ``(k, 2)`` ray origins.
    ray_origin
        ``(n,)`` non-decreasing index into ``origins`` for each ray.
    dx, dy
        ``(n,)`` unit direction of each ray.
    length
        ``(n,)`` length of each ray (metres, >= 0).

    Returns
    -------
    numpy.ndarray
        ``(n,)`` distances in ``[0, length]``.
    """
    hit = np.array(length, dtype=float, copy=True)
    n = len(hit)
    if n == 0 or len(index) == 0:
        return hit
    ox_all = origins[ray_origin, 0]
    oy_all = origins[ray_origin, 1]
    for lo in range(0, n, _RAYS_PER_CHUNK):
        hi = min(n, lo + _RAYS_PER_CHUNK)
        hit[lo:hi] = _first_hits_chunk(
            index, ox_all[lo:hi], oy_all[lo:hi], dx[lo:hi], dy[lo:hi], hit[lo:hi]
        )
    _block_rays_into_polygons(index, origins, ray_origin, dx, dy, hit)
    return hit


def _first_hits_chunk(
    index: OccluderIndex,
    ox: np.ndarray,
    oy: np.ndarray,
    dx: np.ndarray,
    dy: np.ndarray,
    length: np.ndarray,
) -> np.ndarray:
    """First hits for one chunk of rays (see :func:`_first_hits`), ignoring origin contacts."""
    hit = length.copy()
    live = length > _EPS_M
    if not live.any():
        return hit
    ends = np.stack([ox + dx * length, oy + dy * length], axis=-1)
    starts = np.stack([ox, oy], axis=-1)
    rays = shapely.linestrings(np.stack([starts, ends], axis=1))
    live_idx = np.flatnonzero(live)
    pair_ray, pair_part = index.tree.query(rays[live_idx], predicate="intersects")
    if len(pair_ray) == 0:
        return hit
    pair_ray = live_idx[pair_ray]
    counts = index._seg_count[pair_part]
    total = int(counts.sum())
    if total == 0:
        return hit
    first = np.cumsum(counts) - counts
    seg = np.repeat(index._seg_start[pair_part] - first, counts) + np.arange(total)
    ray = np.repeat(pair_ray, counts)

    rdx, rdy = dx[ray], dy[ray]
    wx = index._px[seg] - ox[ray]
    wy = index._py[seg] - oy[ray]
    sx, sy = index._ex[seg], index._ey[seg]
    denom = rdx * sy - rdy * sx
    seg_len = np.hypot(sx, sy)
    w_cross_d = wx * rdy - wy * rdx
    nonpar = np.abs(denom) > _PARALLEL_TOL * seg_len
    safe = np.where(nonpar, denom, 1.0)
    t = (wx * sy - wy * sx) / safe
    u = w_cross_d / safe
    ok = nonpar & (t > _EPS_M) & (u >= -_U_TOL) & (u <= 1.0 + _U_TOL)

    # Rays running along a line occluder are blocked where they reach it.
    col = ~nonpar & index._seg_is_line[seg] & (np.abs(w_cross_d) <= _COLLINEAR_TOL_M)
    if col.any():
        t0 = wx * rdx + wy * rdy
        t1 = t0 + sx * rdx + sy * rdy
        tmin = np.minimum(t0, t1)
        tmax = np.maximum(t0, t1)
        col &= (tmax > _EPS_M) & (tmin <= length[ray])
        t = np.where(col, np.maximum(tmin, 0.0), t)
        ok |= col

    np.minimum.at(hit, ray[ok], t[ok])
    return hit


def _fan_hits(
    index: OccluderIndex,
    xy: np.ndarray,
    cos: np.ndarray,
    sin: np.ndarray,
    radius: float,
    hit: np.ndarray,
    first: np.ndarray | None = None,
    count: np.ndarray | None = None,
    label: np.ndarray | None = None,
    rays: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> None:
    """First hits of a regular fan of rays from each viewpoint, into ``hit``.

    Without ``first``/``count``, ray ``i * n + j`` leaves ``xy[i]`` in direction
    ``(cos[j], sin[j])`` with length ``radius`` (``n = len(cos)``). With them, viewpoint ``i``
    casts only the rays ``first[i], first[i] + 1, ..., first[i] + count[i] - 1`` (modulo
    ``n``), stored one after the other (viewpoint ``i``'s from ``sum(count[:i])``); each such
    ray gets the same distance, bit for bit, as in the whole fan. ``hit`` holds ``radius``
    on entry. The result is the same, bit for bit, as :func:`_first_hits_chunk` on those rays
    (see ``docs/method-sightlines.md``, "Fans of rays"), found without a LineString and a
    tree query per ray: the occluders are selected once per viewpoint (the box around the
    part of its disc that its rays sweep), each boundary segment is paired only with the
    rays in its angular span as seen from the viewpoint (plus the rays along it), the
    ray/segment equations are those of :func:`_first_hits_chunk`, and a hit that the tree
    might not confirm (within ``_MARGINAL_M`` of a segment end or of the ray's end, at a
    grazing angle, or along a line occluder) is kept only if the tree's ``intersects`` query
    returns that ray and occluder, as it did for every ray before. The segments are solved
    in two passes, the nearest first, and a ray is not solved against a farther segment
    that it cannot reach before the hit it already has (occlusion culling).

    ``label``, if given (integers, -1 on entry, one per ray like ``hit``), receives the
    boundary segment each ray ends on (the largest index when it ends on several at once);
    rays that reach ``radius`` keep -1.

    ``rays``, if given, is ``(ray_vp, ray_cos, ray_sin)`` of the rays as stored (the
    viewpoint and the direction of each), as :func:`_fan_rays` makes them (a caller that has
    them already saves making them again).
    """
    n = len(cos)
    k = len(xy)
    if first is None or count is None:
        first = np.zeros(k, dtype=np.intp)
        count = np.full(k, n, dtype=np.intp)
        boxes = shapely.box(xy[:, 0] - radius, xy[:, 1] - radius, xy[:, 0] + radius,
                            xy[:, 1] + radius)
    else:
        first = np.asarray(first, dtype=np.intp)
        count = np.asarray(count, dtype=np.intp)
        boxes = _sector_boxes(xy, first, count, cos, sin, radius)
    offset = np.cumsum(count) - count
    pair_vp, pair_part = index.tree.query(boxes)
    counts = index._seg_count[pair_part]
    total = int(counts.sum())
    if total == 0:
        return
    start = np.cumsum(counts) - counts
    seg = np.repeat(index._seg_start[pair_part] - start, counts) + np.arange(total)
    vp = np.repeat(pair_vp, counts)
    order = np.argsort(vp, kind="stable")
    seg, vp = seg[order], vp[order]
    step = 2.0 * np.pi / n
    # The ends of each segment seen from the viewpoint: angles in ray steps, the shorter arc.
    ax = index._px[seg] - xy[vp, 0]
    ay = index._py[seg] - xy[vp, 1]
    sx, sy = index._ex[seg], index._ey[seg]
    bx = ax + sx
    by = ay + sy
    fa = np.arctan2(ay, ax) / step
    arc = np.mod(np.arctan2(by, bx) / step - fa + 0.5 * n, n) - 0.5 * n
    lo = np.minimum(fa, fa + arc)
    hi = np.maximum(fa, fa + arc)
    seg_len = np.hypot(sx, sy)
    near = np.minimum(np.hypot(ax, ay), np.hypot(bx, by))
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        margin = (_FAN_MARGIN_REL * seg_len + _FAN_MARGIN_M) / near / step
        j_lo = np.ceil(lo - margin)
        j_hi = np.floor(hi + margin)
        every = ~(hi - lo + 2.0 * margin < 0.25 * n)   # near the viewpoint (or NaN): all rays
    j_lo = np.where(every, 0.0, j_lo).astype(np.intp)
    cnt = np.where(every, n, np.maximum(j_hi - j_lo + 1, 0)).astype(np.intp)
    # The segment's rays j_lo .. j_lo + cnt - 1 as positions in its viewpoint's range
    # 0 .. count - 1 (ray first + position): at most two runs, [s, s + n1) and [0, n2).
    f_vp, c_vp = first[vp], count[vp]
    s = np.mod(j_lo - f_vp, n)
    n1 = np.maximum(np.minimum(s + cnt, c_vp) - s, 0)
    n2 = np.maximum(np.minimum(s + cnt - n, c_vp), 0)
    # Rays (nearly) along the segment, either way.
    phi = index._seg_angle[seg] / step
    par_pair, par_pos = [], []
    for f in (phi, phi + 0.5 * n):
        for r in (np.floor(f), np.ceil(f)):
            close = np.flatnonzero(np.abs(f - r) * step < _FAN_PARALLEL_RAD)
            p = np.mod(r[close].astype(np.intp) - f_vp[close], n)
            inside = p < c_vp[close]
            par_pair.append(close[inside])
            par_pos.append(p[inside])
    ray_vp, ray_cos, ray_sin = rays if rays is not None else _fan_rays(first, count, cos, sin)

    def rays_of(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The (viewpoint, segment) pairs of ``mask`` expanded to their rays: the pair of
        each and its ray (grouped by viewpoint only when :func:`solve` needs more than one
        batch)."""
        some = np.flatnonzero(mask)
        par = [(pp[mask[pp]], qq[mask[pp]]) for pp, qq in zip(par_pair, par_pos, strict=True)]
        pairs = np.concatenate([np.repeat(some, n1[some]), np.repeat(some, n2[some]),
                                *(pp for pp, _ in par)])
        base = offset[vp[some]]   # the first ray of each pair's viewpoint
        ray = np.concatenate([_runs(base + s[some], n1[some]), _runs(base, n2[some]),
                              *(offset[vp[pp]] + qq for pp, qq in par)])
        if len(pairs) > _FAN_PAIRS_PER_BATCH:
            order = np.argsort(pairs, kind="stable")   # grouped by viewpoint (segments are)
            pairs, ray = pairs[order], ray[order]
        return pairs, ray

    def solve(pairs: np.ndarray, ray: np.ndarray) -> None:
        """Lower ``hit`` (and set ``label``) with these (ray, segment) pairs, in batches of
        whole viewpoints of about _FAN_PAIRS_PER_BATCH pairs each (a ray's pairs all in one
        batch, so the order of the pairs and the cuts between batches change nothing)."""
        starts = [0]
        if len(pairs) > _FAN_PAIRS_PER_BATCH:
            cuts = np.flatnonzero(np.diff(vp[pairs])) + 1
            for c in cuts:
                if c - starts[-1] >= _FAN_PAIRS_PER_BATCH:
                    starts.append(int(c))
        starts.append(len(pairs))
        for lo_i, hi_i in zip(starts[:-1], starts[1:]):
            sel = pairs[lo_i:hi_i]
            ray_b = ray[lo_i:hi_i]
            _fan_batch(index, xy, radius, ray_cos[ray_b], ray_sin[ray_b], ray_b, seg[sel],
                       ax[sel], ay[sel], sx[sel], sy[sel], seg_len[sel], hit, ray_vp,
                       ray_cos, ray_sin, label)

    # Occlusion culling: first each viewpoint's segments that start no farther than the
    # nearest of its segments ends, then the others, each only with those of its rays whose
    # hit so far lies beyond the segment's distance from the viewpoint less _CULL_SLACK_M (and
    # the end tolerance _U_TOL). A ray cannot hit a segment nearer than that (unless
    # it grazes the segment: a segment seen from the viewpoint at a sine below _CULL_SIN is
    # solved with every ray), so a ray left out would have kept its hit and its label.
    len2 = seg_len * seg_len
    r_near = np.clip(-(ax * sx + ay * sy) / len2, 0.0, 1.0)
    d_near = np.hypot(ax + r_near * sx, ay + r_near * sy)
    d_far = np.maximum(np.hypot(ax, ay), np.hypot(bx, by))
    nearest_end = np.full(k, np.inf)
    np.minimum.at(nearest_end, vp, d_far)
    early = every | (d_near <= nearest_end[vp])
    solve(*rays_of(early))
    if early.all():
        return
    pairs, ray = rays_of(~early)
    edge_on = np.abs(ax * sy - ay * sx) < _CULL_SIN * seg_len * d_far
    # the slack, plus how far beyond a segment's ends the equations still take a hit
    reach = d_near - (_CULL_SLACK_M + 2.0 * _U_TOL * seg_len)
    keep = (hit[ray] >= reach[pairs]) | edge_on[pairs]
    solve(pairs[keep], ray[keep])


def _fan_rays(first: np.ndarray, count: np.ndarray, cos: np.ndarray,
              sin: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The rays ``first[i] .. first[i] + count[i] - 1`` (modulo ``len(cos)``) of each
    viewpoint ``i``, one after the other: the viewpoint and the direction (cosine and sine)
    of each ray."""
    offset = np.cumsum(count) - count
    ray_vp = np.repeat(np.arange(len(count)), count)
    ray_j = np.mod(np.repeat(first - offset, count) + np.arange(int(count.sum())), len(cos))
    return ray_vp, cos[ray_j], sin[ray_j]


def _runs(start: np.ndarray, length: np.ndarray) -> np.ndarray:
    """``start[i], start[i] + 1, ..., start[i] + length[i] - 1`` for every ``i``, joined."""
    total = int(length.sum())
    return np.repeat(start - (np.cumsum(length) - length), length) + np.arange(total)


def _sector_boxes(xy: np.ndarray, first: np.ndarray, count: np.ndarray, cos: np.ndarray,
                  sin: np.ndarray, radius: float) -> np.ndarray:
    """Boxes around the part of each viewpoint's disc swept by its rays ``first`` ..
    ``first + count - 1``: the viewpoint, the two outer ray ends and the points of the circle
    due east, north, west and south that lie between them (the whole square when every ray
    is cast)."""
    n = len(cos)
    last = np.mod(first + count - 1, n)
    ends_x = xy[:, 0, None] + radius * np.stack([cos[first], cos[last]], axis=-1)
    ends_y = xy[:, 1, None] + radius * np.stack([sin[first], sin[last]], axis=-1)
    x0 = np.minimum(xy[:, 0], ends_x.min(axis=1))
    x1 = np.maximum(xy[:, 0], ends_x.max(axis=1))
    y0 = np.minimum(xy[:, 1], ends_y.min(axis=1))
    y1 = np.maximum(xy[:, 1], ends_y.max(axis=1))
    step = 2.0 * np.pi / n
    # the points due east, north, west and south between the outer rays (inclusive, with a
    # margin of a ray on the safe side), all four quarters at once
    quarter = np.arange(4)
    pos = np.mod(quarter * 0.5 * np.pi / step - first[:, None], n)
    swept = (count >= n)[:, None] | (pos <= count[:, None])
    px = xy[:, 0, None] + radius * np.array([1.0, 0.0, -1.0, 0.0])
    py = xy[:, 1, None] + radius * np.array([0.0, 1.0, 0.0, -1.0])
    x0 = np.minimum(x0, np.where(swept, px, np.inf).min(axis=1))
    x1 = np.maximum(x1, np.where(swept, px, -np.inf).max(axis=1))
    y0 = np.minimum(y0, np.where(swept, py, np.inf).min(axis=1))
    y1 = np.maximum(y1, np.where(swept, py, -np.inf).max(axis=1))
    return shapely.box(x0, y0, x1, y1)


def _fan_batch(
    index: OccluderIndex,
    xy: np.ndarray,
    radius: float,
    rdx: np.ndarray,
    rdy: np.ndarray,
    ray: np.ndarray,
    seg: np.ndarray,
    wx: np.ndarray,
    wy: np.ndarray,
    sx: np.ndarray,
    sy: np.ndarray,
    seg_len: np.ndarray,
    hit: np.ndarray,
    ray_vp: np.ndarray,
    ray_cos: np.ndarray,
    ray_sin: np.ndarray,
    label: np.ndarray | None,
) -> None:
    """Solve a batch of (ray, segment) pairs of :func:`_fan_hits` and lower ``hit``: ray
    ``ray`` (direction ``(rdx, rdy)``) against segment ``seg``, whose start lies at
    ``(wx, wy)`` from the ray's viewpoint, with vector ``(sx, sy)`` and length ``seg_len``
    (``ray_vp``, ``ray_cos``, ``ray_sin``: the viewpoint and direction of every ray)."""
    # The same expressions, on the same values, as _first_hits_chunk (bit for bit).
    denom = rdx * sy - rdy * sx
    w_cross_d = wx * rdy - wy * rdx
    nonpar = np.abs(denom) > _PARALLEL_TOL * seg_len
    safe = np.where(nonpar, denom, 1.0)
    t = (wx * sy - wy * sx) / safe
    u = w_cross_d / safe
    ok = nonpar & (t > _EPS_M) & (u >= -_U_TOL) & (u <= 1.0 + _U_TOL)
    col = np.zeros(len(ray), dtype=bool)
    par = np.flatnonzero(~nonpar)
    par = par[index._seg_is_line[seg[par]] & (np.abs(w_cross_d[par]) <= _COLLINEAR_TOL_M)]
    if len(par):   # rays running along a line occluder are blocked where they reach it
        t0 = wx[par] * rdx[par] + wy[par] * rdy[par]
        t1 = t0 + sx[par] * rdx[par] + sy[par] * rdy[par]
        tmin = np.minimum(t0, t1)
        tmax = np.maximum(t0, t1)
        along = (tmax > _EPS_M) & (tmin <= radius)
        par = par[along]
        col[par] = True
        t[par] = np.maximum(tmin[along], 0.0)
        ok[par] = True
    ok &= t < radius   # a hit at or beyond the ray's end changes nothing
    marginal = ok & (col | (np.abs(denom) < _MARGINAL_SIN * seg_len)
                     | (u * seg_len < _MARGINAL_M) | ((1.0 - u) * seg_len < _MARGINAL_M)
                     | (t > radius - _MARGINAL_M))
    m_idx = np.flatnonzero(marginal)
    if len(m_idx):
        m_ray = ray[m_idx]
        m_rays = np.unique(m_ray)
        m_vp = ray_vp[m_rays]
        ox, oy = xy[m_vp, 0], xy[m_vp, 1]
        dx, dy = ray_cos[m_rays], ray_sin[m_rays]
        length = np.full(len(m_rays), radius)
        ends = np.stack([ox + dx * length, oy + dy * length], axis=-1)
        starts = np.stack([ox, oy], axis=-1)
        lines = shapely.linestrings(np.stack([starts, ends], axis=1))
        q_ray, q_part = index.tree.query(lines, predicate="intersects")
        n_parts = len(index.geometries)
        confirmed = np.isin(m_ray * n_parts + index._seg_part[seg[m_idx]],
                            m_rays[q_ray] * n_parts + q_part)
        ok[m_idx[~confirmed]] = False
    hits = np.flatnonzero(ok)
    if len(hits) == 0:
        return
    ray, t, seg = ray[hits], t[hits], seg[hits]
    before = hit[ray]
    np.minimum.at(hit, ray, t)
    if label is not None:
        now = hit[ray]
        label[ray[now < before]] = -1   # a ray hit nearer than in an earlier pass
        win = t == now
        np.maximum.at(label, ray[win], seg[win])


def _block_rays_into_polygons(
    index: OccluderIndex,
    origins: np.ndarray,
    ray_origin: np.ndarray,
    dx: np.ndarray,
    dy: np.ndarray,
    hit: np.ndarray,
    touching: tuple[np.ndarray, np.ndarray] | None = None,
) -> None:
    """Set the hit distance to 0 for rays that start inside or go into a touching polygon
    (``touching``: :func:`_touching_polygons` of the origins, if the caller has it)."""
    if not index._is_polygon.any():
        return
    if touching is None:
        touching = _touching_polygons(index, shapely.points(origins))
    near_o, near_p = touching
    if len(near_o) == 0:
        return
    ray_start = np.searchsorted(ray_origin, near_o, side="left")
    ray_count = np.searchsorted(ray_origin, near_o, side="right") - ray_start
    total = int(ray_count.sum())
    first = np.cumsum(ray_count) - ray_count
    rays = np.repeat(ray_start - first, ray_count) + np.arange(total)
    polys = np.repeat(near_p, ray_count)
    px = origins[ray_origin[rays], 0] + dx[rays] * _PROBE_M
    py = origins[ray_origin[rays], 1] + dy[rays] * _PROBE_M
    inside = shapely.contains_xy(index.geometries[polys], px, py)
    hit[rays[inside]] = 0.0


def _touching_polygons(index: OccluderIndex, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The pairs (point, polygon part) within ``_EPS_M`` of each other, grouped by point."""
    near_o, near_p = index.tree.query(points, predicate="dwithin", distance=_EPS_M)
    is_poly = index._is_polygon[near_p]
    return near_o[is_poly], near_p[is_poly]


def _blocked(index: OccluderIndex, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Whether each sight line ``a[i] -> b[i]`` is blocked, and the distance to the first hit.

    ``a`` must be grouped (rows with the same viewer contiguous) for the touching-polygon test
    to treat them together; any order is correct, grouping is only faster.
    """
    return _blocked_from(index, a, np.arange(len(a)), b)


def _blocked_from(
    index: OccluderIndex, origins: np.ndarray, ray_origin: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_blocked` for the sight lines ``origins[ray_origin[i]] -> b[i]``, with
    ``ray_origin`` non-decreasing: each viewer is looked up once for the polygons it touches
    (the same results, ray for ray, as :func:`_blocked` on ``origins[ray_origin]``)."""
    vec = b - origins[ray_origin]
    length = np.hypot(vec[:, 0], vec[:, 1])
    safe = np.where(length > 0.0, length, 1.0)
    dx = np.where(length > 0.0, vec[:, 0] / safe, 1.0)
    dy = np.where(length > 0.0, vec[:, 1] / safe, 0.0)
    t = _first_hits(index, origins, ray_origin, dx, dy, length)
    return t < length - _EPS_M, t


# --------------------------------------------------------------------------------------------
# Isovists
# --------------------------------------------------------------------------------------------


def isovists(
    viewpoints: Sequence[Point | tuple[float, float]] | np.ndarray,
    index: OccluderIndex,
    *,
    radius_m: float = 50.0,
    n_rays: int = 360,
) -> np.ndarray:
    """Compute the 2D visibility polygon of many viewpoints at once.

    Parameters
    ----------
    viewpoints
        Points, ``(x, y)`` pairs or an ``(n, 2)`` array.
    index
        The occluders.
    radius_m
        Maximum viewing distance (metres).
    n_rays
        Number of rays, evenly spaced from angle 0 (east), counter-clockwise.

    Returns
    -------
    numpy.ndarray
        Object array of polygons (see :func:`isovist`), one per viewpoint.
    """
    _check_positive(radius_m=radius_m)
    n_rays = _check_n_rays(n_rays)
    xy = _as_xy_array(viewpoints)
    out = np.empty(len(xy), dtype=object)
    if len(xy) == 0:
        return out
    cos, sin = _ray_directions(n_rays)
    per_chunk = max(1, _RAYS_PER_CHUNK // n_rays)
    for lo in range(0, len(xy), per_chunk):
        chunk = xy[lo : lo + per_chunk]
        out[lo : lo + len(chunk)] = _isovist_chunk(index, chunk, cos, sin, radius_m)
    return out


def _ray_directions(n_rays: int) -> tuple[np.ndarray, np.ndarray]:
    """Cosine and sine of ``n_rays`` angles evenly spaced from east, counter-clockwise."""
    angles = 2.0 * np.pi * np.arange(n_rays) / n_rays
    return np.cos(angles), np.sin(angles)


def _isovist_chunk(
    index: OccluderIndex, xy: np.ndarray, cos: np.ndarray, sin: np.ndarray, radius_m: float
) -> np.ndarray:
    """Isovists for a chunk of viewpoints."""
    k, n = len(xy), len(cos)
    ray_origin = np.repeat(np.arange(k), n)
    hit = np.full(k * n, float(radius_m))
    if len(index):
        _fan_hits(index, xy, cos, sin, float(radius_m), hit)
        _block_rays_into_polygons(index, xy, ray_origin, np.tile(cos, k), np.tile(sin, k), hit)
    t = hit.reshape(k, n)
    coords = xy[:, None, :] + t[:, :, None] * np.stack([cos, sin], axis=-1)[None, :, :]
    polys = shapely.polygons(coords)
    inside = np.zeros(k, dtype=bool)
    if len(index):
        vp, part = index.tree.query(shapely.points(xy), predicate="within")
        inside[vp[index._is_polygon[part]]] = True
    inside |= (t <= _EPS_M).all(axis=1)
    polys[inside] = Polygon()
    degenerate = ~inside & (t <= _EPS_M).any(axis=1)
    for i in np.flatnonzero(degenerate):
        polys[i] = _polygonal(polys[i])
    return polys


def isovist(
    viewpoint: Point | tuple[float, float],
    index: OccluderIndex,
    *,
    radius_m: float = 50.0,
    n_rays: int = 360,
) -> Polygon | MultiPolygon:
    """Compute the 2D visibility polygon (isovist) of a viewpoint by ray casting.

    ``n_rays`` rays of length ``radius_m`` are cast at even angles; each stops at the first
    occluder it meets, and the polygon joins the end points in order. The angular resolution
    is ``360 / n_rays`` degrees: at distance d, an object narrower than about
    ``d * 2 * pi / n_rays`` can fall between two rays, and shadow edges are placed to within
    that width (0.87 m at 50 m with 360 rays). In the open, the polygon is the inscribed
    regular n-gon of the disc (area ratio ``sin(2 pi / n) / (2 pi / n)``, 0.99995 for 360).

    Parameters
    ----------
    viewpoint
        The eye position, as a Point or ``(x, y)``.
    index
        The occluders.
    radius_m
        Maximum viewing distance (metres).
    n_rays
        Number of rays (at least 3).

    Returns
    -------
    Polygon or MultiPolygon
        The visible area. Empty if the viewpoint is strictly inside a polygon occluder. A
        MultiPolygon only in the degenerate case of a viewpoint on occluder boundaries whose
        blocked directions are not contiguous (pieces touching at the viewpoint).

    Raises
    ------
    VisibilityInputError
        On a bad viewpoint, a non-positive radius or fewer than 3 rays.
    """
    return isovists([viewpoint], index, radius_m=radius_m, n_rays=n_rays)[0]


def view_from_point(
    point: Point | tuple[float, float],
    index: OccluderIndex,
    *,
    radius_m: float = 30.0,
    n_rays: int = 360,
) -> float:
    """Return the visible fraction of the disc of radius ``radius_m`` around a point.

    The isovist area is divided by the area of the regular ``n_rays``-gon inscribed in the
    disc (what the isovist is in the open), so an unobstructed point gives exactly 1.0.

    Parameters
    ----------
    point
        The eye position (e.g. a stop's waiting area).
    index
        The occluders.
    radius_m
        Viewing distance (metres).
    n_rays
        Number of rays.

    Returns
    -------
    float
        Fraction in ``[0, 1]``; 0.0 for a point inside an occluder.
    """
    n_rays = _check_n_rays(n_rays)
    poly = isovist(point, index, radius_m=radius_m, n_rays=n_rays)
    full = 0.5 * n_rays * radius_m**2 * math.sin(2.0 * math.pi / n_rays)
    return float(min(1.0, max(0.0, poly.area / full)))


# --------------------------------------------------------------------------------------------
# Along a path
# --------------------------------------------------------------------------------------------


def visibility_from_path(
    path: LineString,
    index: OccluderIndex,
    *,
    step_m: float = 5.0,
    radius_m: float = 30.0,
    n_rays: int = 360,
) -> Polygon | MultiPolygon:
    """Return the area visible from a path: the union of isovists from points along it.

    Parameters
    ----------
    path
        The walking line.
    index
        The occluders.
    step_m
        Maximum spacing of the viewpoints along the path; both ends are always included.
    radius_m
        Viewing distance of each isovist (metres).
    n_rays
        Rays per isovist.

    Returns
    -------
    Polygon or MultiPolygon
        The union (a MultiPolygon when the path passes through occluders that split it).
    """
    polys = path_isovists(path, index, step_m=step_m, radius_m=radius_m, n_rays=n_rays)
    return _polygonal(shapely.union_all(polys))


def path_isovists(
    path: LineString,
    index: OccluderIndex,
    *,
    step_m: float = 5.0,
    radius_m: float = 30.0,
    n_rays: int = 360,
) -> np.ndarray:
    """The isovists from viewpoints at most ``step_m`` apart along a path, both ends included
    (the viewpoints of :func:`visibility_from_path` and :func:`hidden_zones`), in path order."""
    _check_positive(step_m=step_m, radius_m=radius_m)
    xy = _sample_path(_check_path(path), step_m)
    return isovists(xy, index, radius_m=radius_m, n_rays=n_rays)



#: shapely's broadcasting clip ufunc (what the public ``shapely.clip_by_rect`` calls), or None
_CLIP_UFUNC = getattr(shapely.lib, "clip_by_rect", None)


def _clip_by_rects(polys: np.ndarray, rects: np.ndarray) -> np.ndarray:
    """``polys[i]`` clipped to the rectangle ``rects[i]`` (xmin, ymin, xmax, ymax), for every
    ``i`` in one call: the public ``shapely.clip_by_rect`` takes one rectangle, its ufunc
    (``shapely.lib.clip_by_rect``) broadcasts one per polygon. Without that ufunc (another
    shapely), the same GEOS clip element by element."""
    ufunc = _CLIP_UFUNC
    if ufunc is not None:
        try:
            return np.asarray(ufunc(polys, rects[:, 0], rects[:, 1], rects[:, 2], rects[:, 3]))
        except (TypeError, ValueError):   # a shapely whose private ufunc takes other args
            pass
    out = np.empty(len(polys), dtype=object)
    for i, (poly, (x0, y0, x1, y1)) in enumerate(zip(polys, rects.tolist())):
        out[i] = shapely.clip_by_rect(poly, x0, y0, x1, y1)
    return out

def _subtract(hidden: np.ndarray, polys: np.ndarray, owner: np.ndarray) -> None:
    """Take from ``hidden[p]`` (in place) each of ``polys`` with ``owner == p``, in the order
    given (``owner`` grouped), path after path the same as one at a time.

    Each polygon is first cut to the box of what its path still has unseen (``clip_by_rect``,
    a cheap cut, not an overlay), all at once. The overlays run round by round, the next
    polygon of every path in one vectorised call; a polygon is skipped when its box no
    longer overlaps that of what its path still has unseen, or its interior does not
    overlap that part (a relate test, cheaper than the overlay: most isovists only touch
    what is still unseen, along its shadow edges and the occluder faces). Each polygon is
    tested once, in its round, against the part as it is then (it used to be tested
    against the part before any overlay, and again in its round when the part had shrunk:
    28,665 tests of 155,074 were repeats at 60,006 features). After each overlay the
    vertices within ``_COLLINEAR_DROP_M`` of the line through their neighbours are
    dropped."""
    if len(polys) == 0:
        return
    box = shapely.bounds(hidden) + np.array([-_CLIP_MARGIN_M, -_CLIP_MARGIN_M,
                                             _CLIP_MARGIN_M, _CLIP_MARGIN_M])
    live = ~shapely.is_empty(hidden)
    cand = np.flatnonzero(live[owner])
    cuts = np.empty(len(polys), dtype=object)
    rect = box[owner[cand]]
    cuts[cand] = _clip_by_rects(polys[cand], rect)
    cand = cand[~shapely.is_empty(cuts[cand])]
    now = shapely.bounds(hidden)
    cut_box = shapely.bounds(cuts[cand])
    meets = _boxes_overlap(cut_box, now[owner[cand]])
    cand, cut_box = cand[meets], cut_box[meets]
    if len(cand) == 0:
        return
    of = owner[cand]
    first = np.r_[True, of[1:] != of[:-1]]
    rank = np.arange(len(cand)) - np.maximum.accumulate(np.where(first, np.arange(len(cand)), 0))
    for r in range(int(rank.max()) + 1):
        sel = np.flatnonzero(rank == r)
        sel = sel[live[of[sel]]]
        if len(sel) == 0:
            continue
        p2 = of[sel]
        meets = _boxes_overlap(cut_box[sel], now[p2])
        overlap = np.zeros(len(sel), dtype=bool)
        overlap[meets] = shapely.relate_pattern(hidden[p2[meets]], cuts[cand[sel[meets]]],
                                                "T********")
        sel = sel[overlap]
        if len(sel) == 0:
            continue
        p = of[sel]
        hidden[p] = shapely.simplify(shapely.difference(hidden[p], cuts[cand[sel]]),
                                     _COLLINEAR_DROP_M)
        live[p] = ~shapely.is_empty(hidden[p])
        now[p] = shapely.bounds(hidden[p])


def _boxes_overlap(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Whether the boxes ``a[i]`` and ``b[i]`` (xmin, ymin, xmax, ymax) share an area, not
    only an edge or a corner: boxes that do not cannot hold geometries whose interiors meet
    (a point of an interior lies strictly inside its geometry's box)."""
    return ((a[:, 0] < b[:, 2]) & (a[:, 2] > b[:, 0]) & (a[:, 1] < b[:, 3])
            & (a[:, 3] > b[:, 1]))


def _ray_ranges(xy: np.ndarray, boxes: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The rays of a fan of ``n`` from each viewpoint that can reach its box (``boxes``:
    ``(k, 4)`` as ``x0, y0, x1, y1``): the first ray and the number of rays
    (counter-clockwise), covering the box's angular span seen from the viewpoint with one ray
    to spare on either side; every ray for a viewpoint in the box or within a micrometre of
    it."""
    bx0, by0, bx1, by1 = boxes[:, 0, None], boxes[:, 1, None], boxes[:, 2, None], \
        boxes[:, 3, None]
    x, y = xy[:, 0, None], xy[:, 1, None]
    corner_x = np.concatenate([bx0, bx1, bx1, bx0], axis=1)
    corner_y = np.concatenate([by0, by0, by1, by1], axis=1)
    ang = np.arctan2(corner_y - y, corner_x - x)
    centre = np.arctan2(0.5 * (by0 + by1) - y, 0.5 * (bx0 + bx1) - x)
    turn = np.mod(ang - centre + np.pi, 2.0 * np.pi) - np.pi
    step = 2.0 * np.pi / n
    lo = (centre[:, 0] + turn.min(axis=1)) / step
    hi = (centre[:, 0] + turn.max(axis=1)) / step
    first = np.floor(lo).astype(np.intp) - 1
    count = np.ceil(hi).astype(np.intp) + 1 - first + 1
    eps = 1e-6
    near = ((x >= bx0 - eps) & (x <= bx1 + eps) & (y >= by0 - eps) & (y <= by1 + eps))[:, 0]
    whole = near | (count >= n) | (turn.max(axis=1) - turn.min(axis=1) >= np.pi)
    return (np.where(whole, 0, np.mod(first, n)).astype(np.intp),
            np.where(whole, n, count).astype(np.intp))


def _fan_polygons(index: OccluderIndex, xy: np.ndarray, cos: np.ndarray, sin: np.ndarray,
                  radius: float, first: np.ndarray | None = None,
                  count: np.ndarray | None = None) -> np.ndarray:
    """The isovists of ``xy`` (``first``/``count``: only those rays, see :func:`_fan_hits`)
    as polygons for the overlays of :func:`hidden_zones_many`, in chunks of about
    ``_FAN_RAYS_PER_CHUNK`` rays.

    The ray ends are those of :func:`isovists`, bit for bit, but a ray end between two rays
    that end on the same occluder segment is left out: the three lie on that segment, so the
    polygon is the same point set, without the dozens of vertices an isovist leaves along an
    occluder face (which made every overlay slow). A fan of some of the rays is the polygon of
    the viewpoint and those ray ends in order: the union of the triangles of the viewpoint
    and two neighbouring ray ends, which is what the whole isovist is between those rays. A
    viewpoint inside a polygon occluder gets an empty polygon; a fan with rays blocked at the
    viewpoint is repaired as :func:`isovists` repairs an isovist.
    """
    k, n = len(xy), len(cos)
    if first is None or count is None:
        first = np.zeros(k, dtype=np.intp)
        count = np.full(k, n, dtype=np.intp)
    out = np.empty(k, dtype=object)
    ends = np.cumsum(count)
    lo = 0
    while lo < k:
        hi = max(lo + 1, int(np.searchsorted(ends, ends[lo] - count[lo] + _FAN_RAYS_PER_CHUNK,
                                             side="right")))
        out[lo:hi] = _fan_polygon_chunk(index, xy[lo:hi], cos, sin, radius, first[lo:hi],
                                        count[lo:hi])
        lo = hi
    return out


def _fan_polygon_chunk(index: OccluderIndex, xy: np.ndarray, cos: np.ndarray, sin: np.ndarray,
                       radius: float, first: np.ndarray, count: np.ndarray) -> np.ndarray:
    """One chunk of :func:`_fan_polygons`."""
    k, n = len(xy), len(cos)
    out = np.empty(k, dtype=object)
    total = int(count.sum())
    rays = _fan_rays(first, count, cos, sin)
    ray_vp, ray_cos, ray_sin = rays
    hit = np.full(total, float(radius))
    label = np.full(total, -1, dtype=np.intp)
    inside = np.zeros(k, dtype=bool)
    if len(index):
        _fan_hits(index, xy, cos, sin, float(radius), hit, first, count, label, rays)
        points = shapely.points(xy)
        touching = _touching_polygons(index, points)
        _block_rays_into_polygons(index, xy, ray_vp, ray_cos, ray_sin, hit, touching)
        # a viewpoint within a polygon touches it
        vp, part = touching
        inside[vp[shapely.within(points[vp], index.geometries[part])]] = True
    blocked = hit <= _EPS_M
    label[blocked] = -1
    # A ray end between two ray ends on the same segment is dropped (the ring is cyclic when
    # the fan is whole; the outer rays of a partial fan are kept): the labels of each ray's
    # neighbours, -1 (no segment) beyond the ends of a partial fan.
    some = np.flatnonzero(count > 0)
    head = (np.cumsum(count) - count)[some]
    tail = head + count[some] - 1
    whole = count[some] >= n
    prev_label = np.empty_like(label)
    prev_label[1:] = label[:-1]
    prev_label[head] = np.where(whole, label[tail], -1)
    next_label = np.empty_like(label)
    next_label[:-1] = label[1:]
    next_label[tail] = np.where(whole, label[head], -1)
    same = (label >= 0) & (prev_label == label) & (next_label == label)
    kept = np.flatnonzero(~same)
    kept_vp = ray_vp[kept]
    # Each ring: the viewpoint first if the fan is partial, then the kept ray ends in order.
    apex = (count < n).astype(np.intp)
    n_kept = np.bincount(kept_vp, minlength=k)
    ring_len = n_kept + apex
    ring_start = np.cumsum(ring_len) - ring_len
    coords = np.empty((int(ring_len.sum()), 2))
    coords[ring_start[apex > 0]] = xy[apex > 0]
    at = ring_start[kept_vp] + apex[kept_vp] + np.arange(len(kept)) - (
        np.cumsum(n_kept) - n_kept)[kept_vp]
    coords[at, 0] = xy[kept_vp, 0] + hit[kept] * ray_cos[kept]
    coords[at, 1] = xy[kept_vp, 1] + hit[kept] * ray_sin[kept]
    out[:] = shapely.polygons(shapely.linearrings(coords, indices=np.repeat(np.arange(k),
                                                                            ring_len)))
    n_blocked = np.bincount(ray_vp[blocked], minlength=k)
    inside |= n_blocked == count
    out[inside] = Polygon()
    for i in np.flatnonzero((n_blocked > 0) & ~inside):
        out[i] = _polygonal(out[i])
    return out


def _coarse_to_fine(n: int) -> list[int]:
    """``range(n)`` ordered by decreasing power of two dividing the position (0 first, then
    the odd multiples of the largest power, ..., the odd positions last), then by position."""
    return sorted(range(n), key=lambda i: (-(i & -i) if i else -(1 << 62), i))


@dataclass(frozen=True, slots=True)
class HiddenZone:
    """A place near a path where a person can stand unseen from the path.

    Attributes
    ----------
    geometry
        The hidden area.
    area_m2
        Its area.
    max_depth_m
        Distance from the path to the farthest hidden point (to about 0.25 m).
    location
        A point inside the zone (for the report and map markers).
    """

    geometry: Polygon
    area_m2: float
    max_depth_m: float
    location: Point


def hidden_zones(
    path: LineString,
    index: OccluderIndex,
    *,
    search_distance_m: float = 5.0,
    step_m: float = 2.0,
    min_area_m2: float = 1.0,
    walkable: Polygon | MultiPolygon | None = None,
    view_radius_m: float = 30.0,
    n_rays: int = 720,
) -> list[HiddenZone]:
    """Find places within reach of a path that cannot be seen from it.

    The search area is the path buffered by ``search_distance_m`` minus the polygon
    occluders, optionally clipped to ``walkable``. Whatever of it lies outside the union of
    isovists (radius ``view_radius_m``) from viewpoints at most ``step_m`` apart along the path
    is hidden. Parts smaller than ``min_area_m2`` or thinner than 0.1 m are dropped.
    :func:`hidden_zones_many` does the same for many paths at once.

    Parameters
    ----------
    path
        The walking line.
    index
        The occluders.
    search_distance_m
        How far from the path to look for hiding places.
    step_m
        Spacing of the viewpoints along the path (both ends included).
    min_area_m2
        Smallest zone reported (filters slivers).
    walkable
        Optional area a person can reach; the search area is clipped to it.
    view_radius_m
        How far a passer-by's view counts. Points farther than this from every viewpoint are
        hidden; must be at least ``search_distance_m`` to make sense.
    n_rays
        Rays per isovist.

    Returns
    -------
    list of HiddenZone
        Ordered by position along the path, then by decreasing area. Each zone's polygon is in
        normal form (``shapely.normalize``), so the result does not depend on the order of the
        overlay operations.
    """
    path = _check_path(path)
    return hidden_zones_many([path], index, search_distance_m=search_distance_m,
                             step_m=step_m, min_area_m2=min_area_m2, walkable=walkable,
                             view_radius_m=view_radius_m, n_rays=n_rays)[0]


def hidden_zones_many(
    paths: Sequence[LineString],
    index: OccluderIndex,
    *,
    search_distance_m: float = 5.0,
    step_m: float = 2.0,
    min_area_m2: float = 1.0,
    walkable: Polygon | MultiPolygon | None = None,
    view_radius_m: float = 30.0,
    n_rays: int = 720,
    near_occluders_only: bool = False,
) -> list[list[HiddenZone]]:
    """:func:`hidden_zones` of each path, computed together (the same zones, path by path).

    The isovists of all paths are cast in a few vectorised passes instead of one per path,
    and only where they matter: per path, the first ``_WHOLE_FANS`` isovists (coarse to fine
    along the path) in full, then, for the viewpoints whose disc reaches the box of what
    those left unseen, only the rays towards that box (``docs/method-sightlines.md``,
    "Hidden zones").

    Parameters
    ----------
    paths
        The walking lines.
    index, search_distance_m, step_m, min_area_m2, walkable, view_radius_m, n_rays
        As in :func:`hidden_zones`.
    near_occluders_only
        If True, a path whose search buffer (before the occluders are taken out) meets no
        occluder gets no zones without being computed (SV-04's shortcut: then only an
        occluder farther away, seen across a bend of the path, could hide a place).

    Returns
    -------
    list of list of HiddenZone
        One list per path, as :func:`hidden_zones` returns it.
    """
    paths = [_check_path(p) for p in paths]
    _check_positive(
        search_distance_m=search_distance_m, step_m=step_m, view_radius_m=view_radius_m
    )
    if min_area_m2 < 0 or not math.isfinite(min_area_m2):
        raise VisibilityInputError(f"min_area_m2 must be a finite number >= 0, got {min_area_m2}")
    n_rays = _check_n_rays(n_rays)
    if walkable is not None and not isinstance(walkable, (Polygon, MultiPolygon)):
        raise VisibilityInputError(
            f"walkable must be a Polygon or MultiPolygon, got {type(walkable).__name__}"
        )
    cos, sin = _ray_directions(n_rays)
    out: list[list[HiddenZone]] = []
    for lo in range(0, len(paths), _PATHS_PER_BATCH):
        arr = np.empty(len(paths[lo:lo + _PATHS_PER_BATCH]), dtype=object)
        arr[:] = paths[lo:lo + _PATHS_PER_BATCH]
        out.extend(_hidden_zones_batch(arr, index, float(search_distance_m), float(step_m),
                                       min_area_m2, walkable, float(view_radius_m), cos, sin,
                                       near_occluders_only))
    return out


def _hidden_zones_batch(paths: np.ndarray, index: OccluderIndex, search_distance_m: float,
                        step_m: float, min_area_m2: float,
                        walkable: Polygon | MultiPolygon | None, radius: float,
                        cos: np.ndarray, sin: np.ndarray,
                        near_occluders_only: bool) -> list[list[HiddenZone]]:
    """:func:`hidden_zones_many` for one batch of paths (an object array)."""
    m = len(paths)
    out: list[list[HiddenZone]] = [[] for _ in range(m)]
    search = shapely.buffer(paths, search_distance_m)
    todo = np.arange(m)
    if near_occluders_only:
        todo = np.unique(index.tree.query(search, predicate="intersects")[0]) if len(index) \
            else todo[:0]
    # The search area: the buffer minus the polygon occluders near it (as polygons_near).
    q_path, q_part = index.tree.query(search[todo]) if len(index) else (todo[:0], todo[:0])
    poly = index._is_polygon[q_part]
    q_path, q_part = todo[q_path[poly]], q_part[poly]
    order = np.lexsort((q_part, q_path))
    q_path, q_part = q_path[order], q_part[order]
    starts = np.flatnonzero(np.r_[True, q_path[1:] != q_path[:-1]]) if len(q_path) else q_path
    if len(starts):
        owners = q_path[starts]
        blockers = [shapely.union_all(g) for g in
                    np.split(index.geometries[q_part], starts[1:])]
        search[owners] = shapely.difference(search[owners], np.array(blockers, dtype=object))
    if walkable is not None:
        search[todo] = shapely.intersection(search[todo], walkable)
    todo = todo[~shapely.is_empty(search[todo])]
    if len(todo) == 0:
        return out
    # Viewpoints (those of _sample_path), and each path's in coarse-to-fine order.
    length = shapely.length(paths[todo])
    k = np.where(length > 0, np.maximum(2, np.ceil(length / step_m) + 1), 1).astype(np.intp)
    vp_path = np.repeat(np.arange(len(todo)), k)
    at = np.arange(int(k.sum())) - np.repeat(np.cumsum(k) - k, k)
    spacing = np.where(k > 1, length / np.maximum(k - 1, 1), 0.0)
    dist = at * spacing[vp_path] + 0.0
    last = at == k[vp_path] - 1
    dist[last] = length[vp_path[last]]
    xy = shapely.get_coordinates(shapely.line_interpolate_point(paths[todo][vp_path], dist))
    power = np.where(at == 0, -(1 << 62), -(at & -at))
    order = np.lexsort((at, power, vp_path))
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order)) - np.repeat(np.cumsum(k) - k, k)
    # First the whole isovists of each path's first _WHOLE_FANS viewpoints.
    head = order[rank[order] < _WHOLE_FANS]
    polys = _fan_polygons(index, xy[head], cos, sin, radius)
    hidden = search[todo]
    _subtract(hidden, polys, vp_path[head])
    # Then, stage by stage, for the viewpoints whose disc reaches the box of what is left, the
    # rays towards that box (what is left only shrinks, so the box of the moment lies inside
    # it).
    for lo_rank, hi_rank in zip(_FAN_STAGES[:-1], _FAN_STAGES[1:]):
        left = ~shapely.is_empty(hidden)
        stage = rank[order]
        rest = order[(stage >= lo_rank) & (stage < hi_rank) & left[vp_path[order]]]
        if len(rest) == 0:
            continue
        boxes = shapely.bounds(hidden)[vp_path[rest]]
        gap_x = np.maximum(np.maximum(boxes[:, 0] - xy[rest, 0], xy[rest, 0] - boxes[:, 2]), 0)
        gap_y = np.maximum(np.maximum(boxes[:, 1] - xy[rest, 1], xy[rest, 1] - boxes[:, 3]), 0)
        reach = np.hypot(gap_x, gap_y) <= radius
        rest, boxes = rest[reach], boxes[reach]
        if len(rest) == 0:
            continue
        boxes = boxes + np.array([-_CLIP_MARGIN_M, -_CLIP_MARGIN_M, _CLIP_MARGIN_M,
                                  _CLIP_MARGIN_M])
        first, count = _ray_ranges(xy[rest], boxes, len(cos))
        polys = _fan_polygons(index, xy[rest], cos, sin, radius, first, count)
        _subtract(hidden, polys, vp_path[rest])
    # The zones: parts large and thick enough, in normal form, ordered along each path.
    parts, part_of = shapely.get_parts(hidden, return_index=True)
    is_poly = shapely.get_type_id(parts) == _POLYGON
    parts, part_of = parts[is_poly], part_of[is_poly]
    if len(parts) == 0:
        return out
    areas = shapely.area(parts)
    thick = ~shapely.is_empty(shapely.buffer(parts, -_MIN_ZONE_WIDTH_M / 2.0))
    keep = (areas >= min_area_m2) & thick
    parts, areas, part_of = parts[keep], areas[keep], todo[part_of[keep]]
    if len(parts) == 0:
        return out
    # Normal form: every ring starts at its lowest-left vertex (a corner), so no collinear
    # vertex survives as a ring start (simplify keeps the first vertex of a ring).
    parts = shapely.normalize(shapely.simplify(shapely.normalize(parts), _COLLINEAR_DROP_M))
    locations = shapely.point_on_surface(parts)
    depths = _max_distances(parts, paths[part_of])
    along = shapely.line_locate_point(paths[part_of], locations)
    loc_xy = shapely.get_coordinates(locations)
    for i in np.lexsort((loc_xy[:, 1], loc_xy[:, 0], -areas, along, part_of)):
        out[part_of[i]].append(HiddenZone(geometry=parts[i], area_m2=float(areas[i]),
                                          max_depth_m=float(depths[i]),
                                          location=locations[i]))
    return out


def _max_distances(zones: np.ndarray, paths: np.ndarray,
                   resolution_m: float = 0.25) -> np.ndarray:
    """Largest distance from ``paths[i]`` to a point of ``zones[i]`` (its exterior at most
    ``res`` apart, plus the interior points of a grid of ``res``, ``res`` at least
    ``resolution_m`` and at most 20,000 grid cells per zone).

    The maximum is GEOS's distance, bit for bit, but GEOS measures only the points that can
    have it: every point is first measured in numpy (to about 1e-10 m), and only the points
    within ``_DEPTH_SLACK_M`` of the largest numpy distance of their zone are measured again
    (grid points are tested for lying inside the zone only when they can be the farthest)."""
    res = np.maximum(resolution_m, np.sqrt(shapely.area(zones) / 20_000.0))
    edge, edge_of = shapely.get_coordinates(
        shapely.segmentize(shapely.get_exterior_ring(zones), res), return_index=True)
    gx, gy, g_of = _grids(shapely.bounds(zones), res)
    # The boundary points always count: their largest distance is a lower bound of the
    # zone's; a grid point farther than that (less the slack) is tested for lying inside.
    edge_d = _distances_to_paths(edge, edge_of, paths)
    lower = np.full(len(zones), -np.inf)
    np.maximum.at(lower, edge_of, edge_d)
    grid_d = _distances_to_paths(np.stack([gx, gy], axis=-1), g_of, paths)
    cand = np.flatnonzero(grid_d >= lower[g_of] - _DEPTH_SLACK_M)
    cand = cand[shapely.contains_xy(zones[g_of[cand]], gx[cand], gy[cand])]
    np.maximum.at(lower, g_of[cand], grid_d[cand])
    # GEOS measures the points that can be the farthest.
    near_e = np.flatnonzero(edge_d >= lower[edge_of] - _DEPTH_SLACK_M)
    near_g = cand[grid_d[cand] >= lower[g_of[cand]] - _DEPTH_SLACK_M]
    pts = np.concatenate([edge[near_e], np.stack([gx[near_g], gy[near_g]], axis=-1)])
    pt_of = np.concatenate([edge_of[near_e], g_of[near_g]])
    far = np.full(len(zones), -np.inf)
    np.maximum.at(far, pt_of, shapely.distance(paths[pt_of], shapely.points(pts)))
    return far


def _grids(bounds: np.ndarray, res: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The grid points of every box ``bounds[i]`` (xmin, ymin, xmax, ymax) at spacing
    ``res[i]``, box after box, and the box of each: the points of
    ``np.meshgrid(np.arange(xmin, xmax, res[i]), np.arange(ymin, ymax, res[i]))`` (x fastest),
    bit for bit, for all boxes in a few array operations.

    The ranges are those of ``np.arange``, the same floats
    (:mod:`inclusiecheck.geometry.ranges`)."""
    nx = arange_counts(bounds[:, 0], bounds[:, 2], res)
    ny = arange_counts(bounds[:, 1], bounds[:, 3], res)
    size = nx * ny
    g_of = np.repeat(np.arange(len(bounds)), size)
    at = np.arange(int(size.sum())) - np.repeat(np.cumsum(size) - size, size)
    row = nx[g_of]
    ix, iy = at % np.maximum(row, 1), at // np.maximum(row, 1)
    step = res[g_of]
    return (arange_values(bounds[g_of, 0], step, ix), arange_values(bounds[g_of, 1], step, iy),
            g_of)


_DEPTH_SLACK_M = 1e-6
"""Points of a zone whose numpy distance to the path lies this close to the largest of the
zone are measured by GEOS for :func:`_max_distances` (far above the numpy error, about
1e-10 m)."""
_DEPTH_PAIRS_PER_PASS = 1_000_000


def _distances_to_paths(xy: np.ndarray, of: np.ndarray, paths: np.ndarray) -> np.ndarray:
    """Distance from each point ``xy[i]`` to the line ``paths[of[i]]``, in numpy: the
    smallest distance to the line's segments (to about 1e-10 m of GEOS's), in passes of
    about ``_DEPTH_PAIRS_PER_PASS`` (point, segment) pairs."""
    coords, coord_of = shapely.get_coordinates(paths, return_index=True)
    n_seg = np.bincount(coord_of, minlength=len(paths)) - 1   # a LineString has >= 2 points
    first = np.cumsum(n_seg + 1) - (n_seg + 1)   # segment k of a line: coords k, k + 1
    vec = np.diff(coords, axis=0)
    count = n_seg[of]
    ends = np.cumsum(count)
    out = np.empty(len(xy))
    lo = 0
    while lo < len(xy):
        done = ends[lo - 1] if lo else 0
        hi = max(lo + 1, int(np.searchsorted(ends, done + _DEPTH_PAIRS_PER_PASS, side="right")))
        cnt = count[lo:hi]
        pt = np.repeat(np.arange(lo, hi), cnt)
        seg = _runs(first[of[lo:hi]], cnt)
        sx, sy = vec[seg, 0], vec[seg, 1]
        px = xy[pt, 0] - coords[seg, 0]
        py = xy[pt, 1] - coords[seg, 1]
        len2 = sx * sx + sy * sy
        safe = np.where(len2 > 0.0, len2, 1.0)
        r = np.clip((px * sx + py * sy) / safe, 0.0, 1.0)   # 0 on a zero-length segment
        d = np.hypot(px - r * sx, py - r * sy)
        out[lo:hi] = np.minimum.reduceat(d, np.cumsum(cnt) - cnt)
        lo = hi
    return out


#: sight lines tested together in :func:`_views_ahead` (whole samples; bounds the memory of
#: one batch)
_VIEW_RAYS_PER_BATCH = 500_000
_PIECE_PAD_M = 1e-3
"""The box of the path ahead of a sample is widened by this much (far above rounding, and
above ``_EPS_M``, the reach of the touching-polygon test at the viewer)."""


class _ViewsAhead(NamedTuple):
    """Samples of :func:`_views_ahead`, over all its paths, in path order."""

    way: np.ndarray
    """the path of each sample"""
    s0: np.ndarray
    dist: np.ndarray
    is_blocked: np.ndarray


def _views_ahead(
    paths: Sequence[LineString],
    index: OccluderIndex,
    step_m: float,
    max_m: float,
    resolution_m: float,
    shortest_only: bool = False,
) -> _ViewsAhead:
    """Sample positions, view-ahead distances and whether an occluder limited each view, for
    the samples of many paths at once.

    ``shortest_only``: only the views that can be the shortest of their path are refined by
    bisection; another blocked view keeps the lower bound of its bracket, which is above that
    shortest one (see ``docs/method-sightlines.md``). The refined distances, bit for bit,
    are those of one path at a time.
    """
    geoms = np.asarray(paths, dtype=object).reshape(-1)
    lengths = shapely.length(geoms) if len(geoms) else np.empty(0)
    # np.arange(0.0, length, step_m) of each path: ceil(length / step_m) samples at i * step_m
    n_s = np.where(lengths > 0, np.maximum(1, np.ceil(lengths / step_m)), 0).astype(np.intp)
    total = int(n_s.sum())
    way = np.repeat(np.arange(len(geoms)), n_s)
    s0 = (np.arange(total) - np.repeat(np.cumsum(n_s) - n_s, n_s)).astype(float) * step_m
    dist = np.empty(total)
    is_blocked = np.zeros(total, dtype=bool)
    if total == 0:
        return _ViewsAhead(way, s0, dist, is_blocked)
    limit = np.minimum(max_m, lengths[way] - s0)
    dist[:] = limit
    if len(index) == 0:
        return _ViewsAhead(way, s0, dist, is_blocked)
    origin = _points_along(geoms[way], s0)
    # Every sight line of a sample joins two points of the path within ``limit`` ahead, so it
    # lies in the box of that piece of path; only samples whose box meets an occluder's box
    # can be blocked (the sight lines of the others touch no occluder: not blocked).
    box = _pieces_box(geoms, way, s0, limit, origin, _points_along(geoms[way], s0 + limit))
    hit_sample, _ = index.tree.query(shapely.box(box[:, 0], box[:, 1], box[:, 2], box[:, 3]))
    candidates = np.unique(hit_sample)
    n_cand = np.maximum(1, np.ceil(limit / resolution_m - 1e-9).astype(np.intp))
    first_blocked = np.full(total, np.iinfo(np.intp).max)
    # batches of whole samples, about _VIEW_RAYS_PER_BATCH sight lines each
    batch_of = np.cumsum(n_cand[candidates]) // _VIEW_RAYS_PER_BATCH
    cuts = np.flatnonzero(np.diff(batch_of)) + 1
    for c in np.split(candidates, cuts) if len(candidates) else []:
        n_c = n_cand[c]
        sample = np.repeat(np.arange(len(c)), n_c)
        k = np.arange(int(n_c.sum())) - np.repeat(np.cumsum(n_c) - n_c, n_c) + 1
        s = c[sample]
        ahead = np.minimum(k * resolution_m, limit[s])
        blocked, _ = _blocked_from(index, origin[c], sample,
                                   _points_along(geoms[way[s]], s0[s] + ahead))
        np.minimum.at(first_blocked, s[blocked], k[blocked])
    is_blocked = first_blocked < np.iinfo(np.intp).max
    b = np.flatnonzero(is_blocked)
    if len(b) == 0:
        return _ViewsAhead(way, s0, dist, is_blocked)
    lo_b = (first_blocked[b] - 1) * resolution_m
    dist[b] = lo_b
    if shortest_only:
        # The view of a sample first blocked at step k ends in ((k - 1) * res, k * res): only
        # the samples with the smallest k of their path can have its shortest view.
        k_min = np.full(len(geoms), np.iinfo(np.intp).max)
        np.minimum.at(k_min, way[b], first_blocked[b])
        refine = first_blocked[b] == k_min[way[b]]
        b, lo_b = b[refine], lo_b[refine]
    hi = np.minimum(first_blocked[b] * resolution_m, limit[b])
    lo_v = lo_b
    for _ in range(_BISECTION_STEPS):
        mid = 0.5 * (lo_v + hi)
        mid_blocked, _ = _blocked_from(index, origin[b], np.arange(len(b)),
                                       _points_along(geoms[way[b]], s0[b] + mid))
        hi = np.where(mid_blocked, mid, hi)
        lo_v = np.where(mid_blocked, lo_v, mid)
    dist[b] = lo_v
    return _ViewsAhead(way, s0, dist, is_blocked)


def _points_along(paths: np.ndarray, distances: np.ndarray) -> np.ndarray:
    """Coordinates ``(n, 2)`` of the point at ``distances[i]`` along ``paths[i]``."""
    return shapely.get_coordinates(shapely.line_interpolate_point(paths, distances))


def _pieces_box(
    geoms: np.ndarray,
    way: np.ndarray,
    s0: np.ndarray,
    limit: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
) -> np.ndarray:
    """Boxes ``(n, 4)`` (xmin, ymin, xmax, ymax) around the piece of ``geoms[way[i]]`` from
    ``s0[i]`` to ``s0[i] + limit[i]``: its end points ``start`` and ``end`` and the vertices
    between them, widened by ``_PIECE_PAD_M``."""
    lo = np.minimum(start, end)
    hi = np.maximum(start, end)
    coords, of = shapely.get_coordinates(geoms, return_index=True)
    n_v = np.bincount(of, minlength=len(geoms))
    inner = np.flatnonzero(n_v > 2)   # a path of two vertices has none between the ends
    if len(inner):
        first_v = np.cumsum(n_v) - n_v
        step = np.hypot(*np.diff(coords, axis=0).T)
        tol = _PIECE_PAD_M / 2
        which, start_v, count_v = [], [], []
        for w in inner.tolist():
            sel = np.flatnonzero(way == w)
            if len(sel) == 0:
                continue
            v0 = int(first_v[w])
            along = np.concatenate([[0.0], np.cumsum(step[v0:v0 + n_v[w] - 1])])
            i0 = np.searchsorted(along, s0[sel] - tol, side="left")
            i1 = np.searchsorted(along, s0[sel] + limit[sel] + tol, side="right")
            which.append(sel)
            start_v.append(v0 + i0)
            count_v.append(i1 - i0)
        if which:
            sel, start, count = (np.concatenate(x) for x in (which, start_v, count_v))
            some = count > 0
            sel, start, count = sel[some], start[some], count[some]
            if len(sel):
                offset = np.cumsum(count) - count
                v = np.repeat(start - offset, count) + np.arange(int(count.sum()))
                lo[sel] = np.minimum(lo[sel], np.minimum.reduceat(coords[v], offset, axis=0))
                hi[sel] = np.maximum(hi[sel], np.maximum.reduceat(coords[v], offset, axis=0))
    return np.concatenate([lo - _PIECE_PAD_M, hi + _PIECE_PAD_M], axis=1)


def visible_distance_ahead(
    path: LineString,
    index: OccluderIndex,
    *,
    step_m: float = 5.0,
    max_m: float = 100.0,
    resolution_m: float = 0.5,
) -> list[tuple[Point, float]]:
    """At points along a path, how far along the path ahead stays in straight-line view.

    From each sample (every ``step_m`` from the start; the end itself has nothing ahead and is
    not sampled) the sight line to the path point at distance ``s`` ahead is tested for
    ``s`` every ``resolution_m``; the first blocked ``s`` is refined by bisection (to about a
    millimetre). An obstruction shorter than ``resolution_m`` along the path can be missed.

    Parameters
    ----------
    path
        The walking line, in walking direction.
    index
        The occluders.
    step_m
        Spacing of the samples along the path.
    max_m
        Longest view reported.
    resolution_m
        Spacing of the tested points ahead before bisection.

    Returns
    -------
    list of (Point, float)
        Each sample point and the distance along the path ahead that is in view: ``max_m`` or
        the remaining length when nothing blocks.
    """
    path = _check_path(path)
    _check_positive(step_m=step_m, max_m=max_m, resolution_m=resolution_m)
    views = _views_ahead([path], index, step_m, max_m, resolution_m)
    points = shapely.line_interpolate_point(path, views.s0)
    return [(p, float(d)) for p, d in zip(points, views.dist, strict=True)]


def shortest_view_ahead(
    path: LineString,
    index: OccluderIndex,
    *,
    step_m: float = 5.0,
    max_m: float = 100.0,
    resolution_m: float = 0.5,
) -> tuple[Point, float] | None:
    """Return the sample with the shortest occluder-limited view ahead, and that distance.

    Same sampling as :func:`visible_distance_ahead`. Only views cut short by an occluder count
    (a view that ends at ``max_m`` or at the end of the path is not a shortfall).

    Returns
    -------
    (Point, float) or None
        The sample point and its visible distance ahead; None if no view is blocked.
    """
    return shortest_views_ahead([path], index, step_m=step_m, max_m=max_m,
                                resolution_m=resolution_m)[0]


def shortest_views_ahead(
    paths: Sequence[LineString],
    index: OccluderIndex,
    *,
    step_m: float = 5.0,
    max_m: float = 100.0,
    resolution_m: float = 0.5,
) -> list[tuple[Point, float] | None]:
    """:func:`shortest_view_ahead` of each path, with the sight lines of all of them tested
    together (the same results as one path at a time)."""
    paths = _check_paths(paths)
    _check_positive(step_m=step_m, max_m=max_m, resolution_m=resolution_m)
    views = _views_ahead(paths, index, step_m, max_m, resolution_m, shortest_only=True)
    out: list[tuple[Point, float] | None] = [None] * len(paths)
    b = np.flatnonzero(views.is_blocked)
    if len(b) == 0:
        return out
    # per path, the first of its blocked samples with the smallest distance (as np.argmin)
    order = np.lexsort((b, views.dist[b], views.way[b]))
    ways = views.way[b][order]
    best = b[order][np.flatnonzero(np.r_[True, ways[1:] != ways[:-1]])]
    for i in best:
        path = paths[int(views.way[i])]
        out[int(views.way[i])] = (path.interpolate(float(views.s0[i])), float(views.dist[i]))
    return out


# --------------------------------------------------------------------------------------------
# Passages (underpasses, tunnels)
# --------------------------------------------------------------------------------------------


class ThroughView(NamedTuple):
    """View through a passage from its entrance.

    Attributes
    ----------
    visible
        Whether the exit eye point is in view from the entrance eye point.
    visible_fraction
        Fraction of the passage centreline (between the two eye points, by length) in view
        from the entrance eye point, sampled every 0.1 m or finer.
    blocked_at
        First occluder hit on the sight line entrance -> exit, or None if visible.
    """

    visible: bool
    visible_fraction: float
    blocked_at: Point | None


def exit_visible(passage: LineString, index: OccluderIndex, *, eye_offset_m: float = 0.0) -> bool:
    """Whether the exit of a passage can be seen from its entrance.

    Parameters
    ----------
    passage
        Centreline of the underpass or tunnel, from entrance to exit. Its walls (and anything
        else blocking) must be in ``index``.
    index
        The occluders.
    eye_offset_m
        Where the viewer and the target stand: positive moves both that far into the passage
        along the centreline; negative moves them that far outside, straight out along the end
        segments (a viewer approaching the entrance).

    Returns
    -------
    bool
        True if the straight sight line between the two points is unobstructed.
    """
    a, b, _ = _passage_eyes(passage, eye_offset_m)
    blocked, _ = _blocked(index, a[None, :], b[None, :])
    return not bool(blocked[0])


def through_view(
    passage: LineString, index: OccluderIndex, *, eye_offset_m: float = 0.0
) -> ThroughView:
    """Assess the view through a passage: exit visible, how much is in view, first blocker.

    Parameters
    ----------
    passage
        Centreline from entrance to exit; walls in ``index``.
    index
        The occluders.
    eye_offset_m
        As in :func:`exit_visible`.

    Returns
    -------
    ThroughView
    """
    a, b, (s_a, s_b) = _passage_eyes(passage, eye_offset_m)
    blocked, t = _blocked(index, a[None, :], b[None, :])
    blocked_at = None
    if blocked[0]:
        d = (b - a) / np.hypot(*(b - a))
        blocked_at = Point(a + d * t[0])
    span = s_b - s_a
    n = int(min(20_000, max(2, math.ceil(span / 0.1) + 1)))
    s = np.linspace(s_a, s_b, n)[1:]
    targets = _points_at(passage, s)
    if eye_offset_m < 0:
        targets[-1] = b
    sample_blocked, _ = _blocked(index, np.repeat(a[None, :], len(s), axis=0), targets)
    fraction = float(1.0 - sample_blocked.mean()) if len(s) else 1.0
    return ThroughView(
        visible=not bool(blocked[0]), visible_fraction=fraction, blocked_at=blocked_at
    )


def _passage_eyes(
    passage: LineString, eye_offset_m: float
) -> tuple[np.ndarray, np.ndarray, tuple[float, float]]:
    """Entrance and exit eye points, and their positions along the passage (clamped)."""
    passage = _check_path(passage)
    if not math.isfinite(eye_offset_m):
        raise VisibilityInputError(f"eye_offset_m must be finite, got {eye_offset_m}")
    length = passage.length
    if length <= 0:
        raise VisibilityInputError("passage has zero length")
    if eye_offset_m >= 0:
        if 2 * eye_offset_m >= length:
            raise VisibilityInputError(
                f"eye_offset_m={eye_offset_m} leaves nothing of a {length:.2f} m passage"
            )
        s_a, s_b = eye_offset_m, length - eye_offset_m
        pts = _points_at(passage, np.array([s_a, s_b]))
        return pts[0], pts[1], (s_a, s_b)
    coords = shapely.get_coordinates(passage)
    a = _extend(coords, -eye_offset_m)
    b = _extend(coords[::-1], -eye_offset_m)
    return a, b, (0.0, length)


def _extend(coords: np.ndarray, dist: float) -> np.ndarray:
    """Point ``dist`` before ``coords[0]``, straight out along the first non-zero segment."""
    step = coords[1:] - coords[0]
    lengths = np.hypot(step[:, 0], step[:, 1])
    j = int(np.flatnonzero(lengths > 0)[0])
    return coords[0] - step[j] / lengths[j] * dist


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def _check_path(path: object) -> LineString:
    """Return ``path`` if it is a non-empty LineString with finite coordinates, else raise."""
    if not isinstance(path, LineString):
        raise VisibilityInputError(f"path must be a LineString, got {type(path).__name__}")
    if path.is_empty:
        raise VisibilityInputError("path is empty")
    if not np.isfinite(shapely.get_coordinates(path)).all():
        raise VisibilityInputError("path has non-finite coordinates")
    return path


def _check_paths(paths: Sequence[object]) -> list[LineString]:
    """:func:`_check_path` of each path (one vectorised test when they are all fine)."""
    out = list(paths)
    if all(isinstance(p, LineString) for p in out) and (not out or (
            not shapely.is_empty(out).any()
            and np.isfinite(shapely.get_coordinates(out)).all())):
        return out   # type: ignore[return-value]
    return [_check_path(p) for p in out]


def _check_positive(**values: float) -> None:
    """Raise unless every value is a finite number > 0."""
    for name, value in values.items():
        ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
        if not ok or not math.isfinite(value) or value <= 0:
            raise VisibilityInputError(f"{name} must be a finite number > 0, got {value!r}")


def _check_n_rays(n_rays: int) -> int:
    """Return ``n_rays`` as int if it is at least 3, else raise."""
    if isinstance(n_rays, bool) or not isinstance(n_rays, (int, np.integer)) or n_rays < 3:
        raise VisibilityInputError(f"n_rays must be an integer >= 3, got {n_rays!r}")
    return int(n_rays)


def _as_xy_array(viewpoints: Sequence[Point | tuple[float, float]] | np.ndarray) -> np.ndarray:
    """Convert viewpoints to a finite ``(n, 2)`` float array."""
    if isinstance(viewpoints, np.ndarray) and viewpoints.dtype != object:
        xy = np.asarray(viewpoints, dtype=float).reshape(-1, 2)
    else:
        rows = []
        for i, vp in enumerate(viewpoints):
            if isinstance(vp, Point):
                if vp.is_empty:
                    raise VisibilityInputError(f"viewpoint {i} is an empty Point")
                rows.append((vp.x, vp.y))
            elif isinstance(vp, BaseGeometry):
                raise VisibilityInputError(
                    f"viewpoint {i} must be a Point or (x, y), got {type(vp).__name__}"
                )
            else:
                try:
                    x, y = (float(c) for c in vp)  # type: ignore[union-attr]
                except (TypeError, ValueError) as exc:
                    raise VisibilityInputError(
                        f"viewpoint {i} must be a Point or (x, y), got {vp!r}"
                    ) from exc
                rows.append((x, y))
        xy = np.array(rows, dtype=float).reshape(-1, 2)
    if not np.isfinite(xy).all():
        raise VisibilityInputError("viewpoints have non-finite coordinates")
    return xy


def _sample_path(path: LineString, step_m: float) -> np.ndarray:
    """Points at most ``step_m`` apart along ``path``, both ends included, as ``(n, 2)``."""
    length = path.length
    n = max(2, math.ceil(length / step_m) + 1) if length > 0 else 1
    return _points_at(path, np.linspace(0.0, length, n))


def _points_at(path: LineString, distances: np.ndarray) -> np.ndarray:
    """Coordinates ``(n, 2)`` of the points at the given distances along ``path``."""
    return shapely.get_coordinates(shapely.line_interpolate_point(path, distances))


def _polygonal(geom: BaseGeometry) -> Polygon | MultiPolygon:
    """Polygonal part of ``geom`` (repaired if invalid): a Polygon, MultiPolygon or empty."""
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    if isinstance(geom, (Polygon, MultiPolygon)):
        return geom
    parts = shapely.get_parts(geom)
    polys = parts[shapely.get_type_id(parts) == _POLYGON] if len(parts) else parts
    if len(polys) == 0:
        return Polygon()
    merged = shapely.union_all(polys)
    return merged if isinstance(merged, (Polygon, MultiPolygon)) else Polygon()
