"""Reference copies of the hidden-zone fans and overlays as they were at commit 7feea90.

Branch ``sv04fast`` (second round) rewrote inner loops of SV-04's ``hidden_zones_many`` in
:mod:`inclusiecheck.geometry.visibility` for speed (the rays of a chunk made once, the
ray/segment pairs no longer sorted by viewpoint when they fit in one batch, the marginal hits
found on the whole batch, the neighbour labels of the fan polygons by shifted arrays, the
relate test skipped for boxes that share no area, 512 paths per batch instead of 128),
promising the same hits, labels, polygons and zones, bit for bit. This module keeps the old
functions so that ``test_visibility_reference.py`` can compare the new ones with them.

The function bodies below are verbatim copies from
``git show 7feea90:inclusiecheck/geometry/visibility.py`` (``_fan_hits``, ``_fan_batch``,
``_fan_polygons``, ``_fan_polygon_chunk``, ``_subtract``, ``_sector_boxes``). Everything
they use that the branch left unchanged (the constants, ``OccluderIndex``, ``_runs``,
``_touching_polygons``, ``_block_rays_into_polygons``, ``_polygonal``, ``_clip_by_rects``)
is imported from the current module.

Keep this module unchanged: it is the reference of the old behaviour, not code to maintain.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import Polygon

from inclusiecheck.geometry.visibility import (
    OccluderIndex,
    _CLIP_MARGIN_M,
    _COLLINEAR_DROP_M,
    _COLLINEAR_TOL_M,
    _CULL_SIN,
    _CULL_SLACK_M,
    _EPS_M,
    _FAN_MARGIN_M,
    _FAN_MARGIN_REL,
    _FAN_PAIRS_PER_BATCH,
    _FAN_PARALLEL_RAD,
    _FAN_RAYS_PER_CHUNK,
    _MARGINAL_M,
    _MARGINAL_SIN,
    _PARALLEL_TOL,
    _U_TOL,
    _block_rays_into_polygons,
    _clip_by_rects,
    _polygonal,
    _runs,
    _touching_polygons,
)


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
    ray_vp = np.repeat(np.arange(k), count)
    ray_j = np.mod(np.repeat(first - offset, count) + np.arange(int(count.sum())), n)

    def rays_of(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The (viewpoint, segment) pairs of ``mask`` expanded to their rays: the pair of
        each and its ray, grouped by viewpoint."""
        some = np.flatnonzero(mask)
        par = [(pp[mask[pp]], qq[mask[pp]]) for pp, qq in zip(par_pair, par_pos, strict=True)]
        pairs = np.concatenate([np.repeat(some, n1[some]), np.repeat(some, n2[some]),
                                *(pp for pp, _ in par)])
        pos = np.concatenate([_runs(s[some], n1[some]), _runs(np.zeros_like(some), n2[some]),
                              *(qq for _, qq in par)])
        order = np.argsort(pairs, kind="stable")   # grouped by viewpoint (segments are)
        pairs = pairs[order]
        return pairs, offset[vp[pairs]] + pos[order]

    def solve(pairs: np.ndarray, ray: np.ndarray) -> None:
        """Lower ``hit`` (and set ``label``) with these (ray, segment) pairs, in batches of
        whole viewpoints of about _FAN_PAIRS_PER_BATCH pairs each."""
        vp_of = vp[pairs]
        j = ray_j[ray]
        cuts = np.flatnonzero(np.diff(vp_of)) + 1
        starts = [0]
        for c in cuts:
            if c - starts[-1] >= _FAN_PAIRS_PER_BATCH:
                starts.append(int(c))
        starts.append(len(pairs))
        for lo_i, hi_i in zip(starts[:-1], starts[1:]):
            sel = pairs[lo_i:hi_i]
            _fan_batch(index, xy, cos, sin, radius, j[lo_i:hi_i], ray[lo_i:hi_i], seg[sel],
                       ax[sel], ay[sel], sx[sel], sy[sel], seg_len[sel], hit, ray_vp, ray_j,
                       label)

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

def _fan_batch(
    index: OccluderIndex,
    xy: np.ndarray,
    cos: np.ndarray,
    sin: np.ndarray,
    radius: float,
    j: np.ndarray,
    ray: np.ndarray,
    seg: np.ndarray,
    wx: np.ndarray,
    wy: np.ndarray,
    sx: np.ndarray,
    sy: np.ndarray,
    seg_len: np.ndarray,
    hit: np.ndarray,
    ray_vp: np.ndarray,
    ray_j: np.ndarray,
    label: np.ndarray | None,
) -> None:
    """Solve a batch of (ray, segment) pairs of :func:`_fan_hits` and lower ``hit``: ray
    ``ray`` (direction ``j``) against segment ``seg``, whose start lies at ``(wx, wy)`` from
    the ray's viewpoint, with vector ``(sx, sy)`` and length ``seg_len``."""
    # The same expressions, on the same values, as _first_hits_chunk (bit for bit).
    rdx, rdy = cos[j], sin[j]
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
    if not ok.any():
        return
    ray, seg, t, u = ray[ok], seg[ok], t[ok], u[ok]
    seg_len, denom, col = seg_len[ok], denom[ok], col[ok]
    marginal = (col | (np.abs(denom) < _MARGINAL_SIN * seg_len)
                | (u * seg_len < _MARGINAL_M) | ((1.0 - u) * seg_len < _MARGINAL_M)
                | (t > radius - _MARGINAL_M))
    if marginal.any():
        part = index._seg_part[seg]
        m_idx = np.flatnonzero(marginal)
        m_rays = np.unique(ray[m_idx])
        m_vp, m_j = ray_vp[m_rays], ray_j[m_rays]
        ox, oy = xy[m_vp, 0], xy[m_vp, 1]
        dx, dy = cos[m_j], sin[m_j]
        length = np.full(len(m_rays), radius)
        ends = np.stack([ox + dx * length, oy + dy * length], axis=-1)
        starts = np.stack([ox, oy], axis=-1)
        lines = shapely.linestrings(np.stack([starts, ends], axis=1))
        q_ray, q_part = index.tree.query(lines, predicate="intersects")
        n_parts = len(index.geometries)
        confirmed = np.isin(ray[m_idx] * n_parts + part[m_idx],
                            m_rays[q_ray] * n_parts + q_part)
        keep = np.ones(len(ray), dtype=bool)
        keep[m_idx] = confirmed
        ray, t, seg = ray[keep], t[keep], seg[keep]
    before = hit[ray]
    np.minimum.at(hit, ray, t)
    if label is not None:
        now = hit[ray]
        label[ray[now < before]] = -1   # a ray hit nearer than in an earlier pass
        win = t == now
        np.maximum.at(label, ray[win], seg[win])

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
    offset = np.cumsum(count) - count
    total = int(count.sum())
    ray = np.arange(total)
    ray_vp = np.repeat(np.arange(k), count)
    pos = ray - offset[ray_vp]
    ray_j = np.mod(first[ray_vp] + pos, n)
    hit = np.full(total, float(radius))
    label = np.full(total, -1, dtype=np.intp)
    inside = np.zeros(k, dtype=bool)
    if len(index):
        _fan_hits(index, xy, cos, sin, float(radius), hit, first, count, label)
        points = shapely.points(xy)
        touching = _touching_polygons(index, points)
        _block_rays_into_polygons(index, xy, ray_vp, cos[ray_j], sin[ray_j], hit, touching)
        # a viewpoint within a polygon touches it
        vp, part = touching
        inside[vp[shapely.within(points[vp], index.geometries[part])]] = True
    blocked = hit <= _EPS_M
    label[blocked] = -1
    # A ray end between two ray ends on the same segment is dropped (the ring is cyclic when
    # the fan is whole; the outer rays of a partial fan are kept).
    cnt = count[ray_vp]
    whole = cnt >= n
    prev = np.where(pos == 0, np.where(whole, ray + cnt - 1, -1), ray - 1)
    nxt = np.where(pos == cnt - 1, np.where(whole, ray - cnt + 1, -1), ray + 1)
    same = (label >= 0) & (prev >= 0) & (nxt >= 0)
    same &= (label[np.maximum(prev, 0)] == label) & (label[np.maximum(nxt, 0)] == label)
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
    coords[at, 0] = xy[kept_vp, 0] + hit[kept] * cos[ray_j[kept]]
    coords[at, 1] = xy[kept_vp, 1] + hit[kept] * sin[ray_j[kept]]
    out[:] = shapely.polygons(shapely.linearrings(coords, indices=np.repeat(np.arange(k),
                                                                            ring_len)))
    n_blocked = np.bincount(ray_vp[blocked], minlength=k)
    inside |= n_blocked == count
    out[inside] = Polygon()
    for i in np.flatnonzero((n_blocked > 0) & ~inside):
        out[i] = _polygonal(out[i])
    return out

def _subtract(hidden: np.ndarray, polys: np.ndarray, owner: np.ndarray) -> None:
    """Take from ``hidden[p]`` (in place) each of ``polys`` with ``owner == p``, in the order
    given (``owner`` grouped), path after path the same as one at a time.

    Each polygon is first cut to the box of what its path still has unseen (``clip_by_rect``,
    a cheap cut, not an overlay), and skipped when its interior does not overlap it (a
    relate test, cheaper than the overlay: most isovists only touch what is still unseen,
    along its shadow edges and the occluder faces), all at once; a polygon that overlapped
    is tested again when an overlay has already made its path's part smaller. The overlays
    run round by round, the next polygon of every path in one vectorised call. After each
    overlay the vertices within ``_COLLINEAR_DROP_M`` of the line through their neighbours
    are dropped."""
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
    cand = cand[shapely.relate_pattern(hidden[owner[cand]], cuts[cand], "T********")]
    if len(cand) == 0:
        return
    of = owner[cand]
    first = np.r_[True, of[1:] != of[:-1]]
    rank = np.arange(len(cand)) - np.maximum.accumulate(np.where(first, np.arange(len(cand)), 0))
    cut_box = shapely.bounds(cuts[cand])
    now = shapely.bounds(hidden)
    smaller = np.zeros(len(hidden), dtype=bool)
    for r in range(int(rank.max()) + 1):
        sel = np.flatnonzero(rank == r)
        sel = sel[live[of[sel]]]
        again = smaller[of[sel]]
        if again.any():   # its path's part has shrunk since the test above: test again
            s2 = sel[again]
            p2 = of[s2]
            meets = ((cut_box[s2, 0] <= now[p2, 2]) & (cut_box[s2, 2] >= now[p2, 0])
                     & (cut_box[s2, 1] <= now[p2, 3]) & (cut_box[s2, 3] >= now[p2, 1]))
            overlap = np.zeros(len(s2), dtype=bool)
            overlap[meets] = shapely.relate_pattern(hidden[p2[meets]], cuts[cand[s2[meets]]],
                                                    "T********")
            keep = ~again
            keep[again] = overlap
            sel = sel[keep]
        if len(sel) == 0:
            continue
        p = of[sel]
        hidden[p] = shapely.simplify(shapely.difference(hidden[p], cuts[cand[sel]]),
                                     _COLLINEAR_DROP_M)
        smaller[p] = True
        live[p] = ~shapely.is_empty(hidden[p])
        now[p] = shapely.bounds(hidden[p])


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
    for quarter, (ux, uy) in enumerate(((1.0, 0.0), (0.0, 1.0), (-1.0, 0.0), (0.0, -1.0))):
        # between the outer rays (inclusive, with a margin of a ray on the safe side)
        pos = np.mod(quarter * 0.5 * np.pi / step - first, n)
        swept = (count >= n) | (pos <= count)
        x0 = np.where(swept, np.minimum(x0, xy[:, 0] + radius * ux), x0)
        x1 = np.where(swept, np.maximum(x1, xy[:, 0] + radius * ux), x1)
        y0 = np.where(swept, np.minimum(y0, xy[:, 1] + radius * uy), y0)
        y1 = np.where(swept, np.maximum(y1, xy[:, 1] + radius * uy), y1)
    return shapely.box(x0, y0, x1, y1)
