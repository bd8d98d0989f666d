"""Clear width of rectangular walkways, exact and vectorised over many walkways at once.

Most walkways are drawn as rectangles (a box, or a straight centre line buffered by its width).
For those the clear-width profile of :mod:`inclusiecheck.geometry.clearwidth` is computed here
with the same method specialised to a rectangle, so that every cross-section is an interval on
``[0, width]``: cross-sections perpendicular to the long side at stations every 0.5 m, every
``RES_M`` over obstacles and 1 mm either side of every obstacle vertex; obstacles clipped to the
walkway; the clear width is the longest free piece of a section; narrowing ends by linear
interpolation (:func:`inclusiecheck.geometry.clearwidth.narrowing_runs` and ``crossing``, shared
with the general method). Other shapes (L-shapes, tapers, holes, bent centre lines) go through
the general functions of :mod:`inclusiecheck.geometry.clearwidth`.

The batch entry point is :func:`rect_profiles` (arrays in, arrays out): the frames, footprint
rings, the stations and ring edges of every profile (:func:`_uncut_many`), the cut of every
profile (:func:`cut_many`) and the narrowest sections
(:func:`base_results`, with the longest free piece of each from :func:`free_spans`) of many
walkways in vectorised calls, with the same arithmetic as one walkway at a time;
:func:`narrowings_many` cuts the narrowings of many profiles at one required width. A walkway
with nothing in it keeps its rectangle's width without a cut.

All geometry is in a projected metric CRS (metres); Z is ignored by the caller (2D areas).
"""

from __future__ import annotations

from typing import Any
from collections.abc import Sequence

from inclusiecheck.geometry.clearwidth import ClearWidthResult, Narrowing, narrowing_runs
from inclusiecheck.geometry.ranges import arange_counts, arange_values

RES_M = 0.05      # station spacing over obstacles (the geometry module's default resolution)
COARSE_M = 0.5    # station spacing elsewhere
VERTEX_EPS_M = 1e-3
RECT_TOL = 1e-6   # relative area tolerance for "is a rectangle"


class RectProfile:
    """Clear-width profile of a rectangular walkway (local frame u along, v across)."""

    def __init__(self, origin: Any, u_dir: Any, v_dir: Any, length: float, width: float,
                 footprints: list[Any], rings: list[tuple[int, Any]] | None = None,
                 cut: bool = True) -> None:
        """``rings``: the ``(footprint index, ring coordinates)`` of every ring of every
        footprint, in order, when already extracted (:func:`footprint_rings`); ``cut``:
        ``False`` when the caller cuts many profiles at once (:func:`cut_many`)."""
        import numpy as np
        import shapely

        self._blank(origin, u_dir, v_dir, length, width)
        if not footprints:  # nothing stands in it: the rectangle's own width everywhere
            self.edges = np.zeros((0, 5))
            self.s = np.unique(np.clip(np.concatenate([np.arange(0.0, length, COARSE_M),
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
        for n, (_pid, coords) in enumerate(rings):
            xy = coords - origin   # (the two products and one sum of each projection, as
            us.append(xy[:, 0] * u_dir[0] + xy[:, 1] * u_dir[1])   # _uncut_many does them)
            vs.append(xy[:, 0] * v_dir[0] + xy[:, 1] * v_dir[1])
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
        parts = [np.arange(0.0, length, COARSE_M), [length]]
        if len(e):
            u_all = np.concatenate([e[:, 0], e[:, 2]])
            parts += [u_all - VERTEX_EPS_M, u_all, u_all + VERTEX_EPS_M]
            # extent along the walkway of each footprint (edges come grouped by footprint)
            order = np.argsort(e[:, 4], kind="stable")
            pid_sorted = e[order, 4]
            starts = np.flatnonzero(np.concatenate(([True], pid_sorted[1:] != pid_sorted[:-1])))
            lows = np.minimum.reduceat(np.minimum(e[order, 0], e[order, 2]), starts)
            highs = np.maximum.reduceat(np.maximum(e[order, 0], e[order, 2]), starts)
            for low, high in zip(lows.tolist(), highs.tolist()):
                lo = max(0.0, low - RES_M)
                hi = min(length, high + RES_M)
                if hi > lo:
                    parts.append(np.arange(lo, hi, RES_M))
        st = np.unique(np.clip(np.concatenate([np.asarray(p, dtype=float) for p in parts]),
                               0.0, length))
        self.s = st
        self.w = np.full(len(st), width)
        if len(e) and cut:
            self._cut(st, e)

    def _blank(self, origin: Any, u_dir: Any, v_dir: Any, length: float, width: float) -> None:
        """The frame and the empty caches (every attribute but ``edges``, ``s`` and ``w``)."""
        self.o, self.ud, self.vd = origin, u_dir, v_dir
        self.length, self.width = length, width
        self._intervals: tuple[Any, Any, Any] | None = None
        self._base: Any = None
        self._whole: Any = None
        self._whole_result: Any = None
        self._by_req: dict[float, tuple[Any, ...]] = {}
        self._w_min = self._w_max = float("nan")   # set with the base result

    @classmethod
    def _of(cls, frame: tuple[Any, Any, Any, float, float], edges: Any, stations: Any
            ) -> RectProfile:
        """A profile with its ring edges and stations already worked out (:func:`_uncut_many`),
        not cut."""
        import numpy as np

        profile = cls.__new__(cls)
        profile._blank(*frame)
        profile.edges, profile.s = edges, stations
        profile.w = np.full(len(stations), frame[4])
        return profile

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
        if s1 - s0 < VERTEX_EPS_M:
            mid = (s0 + s1) / 2
            s0, s1 = max(mid - VERTEX_EPS_M / 2, 0.0), min(mid + VERTEX_EPS_M / 2, self.length)
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

        runs = narrowing_runs(self.s, self.w, req, below)
        sl, wl = self.s.tolist(), self.w.tolist()
        spans = [(s0, s1) for _i, _j, s0, s1 in runs]
        narrowest = [self._narrowest(i, j) for i, j, _s0, _s1 in runs]
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
            lo, hi = a, b
            if b - a < VERTEX_EPS_M:
                mid = (a + b) / 2
                lo, hi = max(mid - VERTEX_EPS_M / 2, 0.0), min(mid + VERTEX_EPS_M / 2, self.length)
            s0[n], s1[n] = lo, hi
        zero, full = np.zeros(len(spans)), np.full(len(spans), self.width)
        ring = np.stack([self._pts(s0, zero), self._pts(s1, zero), self._pts(s1, full),
                         self._pts(s0, full)], axis=1)
        return shapely.polygons(ring)

    def result(self, req: float | None) -> Any:
        """The :class:`ClearWidthResult` with the narrowings below ``req`` (``None``: none).

        Without narrowings the result is the same for every ``req``: it is built once (for all
        rectangles of a layer at once by :func:`base_results`) and shared."""
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
            # the narrowest section does not depend on req: the base result's, with these
            # narrowings (the same values as computed below from this profile)
            return ClearWidthResult(
                min_width_m=base.min_width_m, location=base.location, narrowest=base.narrowest,
                gross_width_m=base.gross_width_m, centreline=base.centreline,
                narrowings=narrowings)
        from shapely.geometry import LineString

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


def rect_frame(area: Any, along: Any = None) -> tuple[Any, Any, Any, float, float] | None:
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
    if min(l0, l1) <= 0 or abs(area.area - l0 * l1) > RECT_TOL * l0 * l1:
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


def rect_frames(areas: list[Any], alongs: list[Any]
                 ) -> list[tuple[Any, Any, Any, float, float] | None]:
    """:func:`rect_frame` of many areas at once (one vectorised oriented-envelope call)."""
    import numpy as np
    import shapely

    out: list[tuple[Any, Any, Any, float, float] | None] = [None] * len(areas)
    if not areas:
        return out
    all_areas = np.empty(len(areas), dtype=object)
    all_areas[:] = areas
    # polygons without holes
    plain = (shapely.get_type_id(all_areas) == 3) & (shapely.get_num_interior_rings(all_areas) == 0)
    cand = np.flatnonzero(plain).tolist()
    if not cand:
        return out
    geoms = np.empty(len(cand), dtype=object)
    geoms[:] = [areas[i] for i in cand]
    rects = shapely.oriented_envelope(geoms)
    is_poly = shapely.get_type_id(rects) == 3
    area_m2 = shapely.area(geoms)
    # the first four corners of every envelope's ring, and the frame of each, in arrays (the
    # same arithmetic as rect_frame one by one)
    rings = shapely.get_exterior_ring(rects[is_poly])
    coords, of = shapely.get_coordinates(rings, return_index=True)
    n_c = np.bincount(of, minlength=len(rings))
    full = n_c >= 4
    c = np.zeros((len(rings), 4, 2))
    first = np.cumsum(n_c) - n_c
    take = first[full][:, None] + np.arange(4)
    c[full] = coords[take]
    e0, e1 = c[:, 1] - c[:, 0], c[:, 2] - c[:, 1]
    l0, l1 = np.hypot(e0[:, 0], e0[:, 1]), np.hypot(e1[:, 0], e1[:, 1])
    a_m2 = area_m2[is_poly]
    with np.errstate(divide="ignore", invalid="ignore"):
        ok = full & (np.minimum(l0, l1) > 0) & ~(np.abs(a_m2 - l0 * l1) > RECT_TOL * l0 * l1)
        long0 = l0 >= l1
        origin = np.where(long0[:, None], c[:, 0], c[:, 1])
        ud = np.where(long0[:, None], e0 / l0[:, None], e1 / l1[:, None])
        vd = np.where(long0[:, None], e1 / l1[:, None], (c[:, 0] - c[:, 1]) / l0[:, None])
    length = np.where(long0, l0, l1)
    width = np.where(long0, l1, l0)
    for m, n in enumerate(np.flatnonzero(is_poly).tolist()):
        if not ok[m]:
            continue
        i = cand[n]
        along = alongs[i]
        if along is not None:
            a = shapely.get_coordinates(along)
            d = a[-1] - a[0]
            if abs(abs(float(d @ ud[m])) - float(np.hypot(*d))) > 1e-6 * max(float(length[m]),
                                                                           1.0):
                continue   # the line runs across the rectangle: use the general method
        out[i] = (origin[m], ud[m], vd[m], float(length[m]), float(width[m]))
    return out


def cut_many(profiles: list[RectProfile]) -> None:
    """:meth:`RectProfile._cut` of many profiles at once, with the same arithmetic.

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
    # the first station at or after each edge's low and high end, per profile in one call
    ends_u = np.column_stack((np.minimum(u1, u2), np.maximum(u1, u2)))
    first = np.empty((len(e), 2), dtype=np.int64)
    e_at = 0
    for p, n_e, off in zip(profiles, ne.tolist(), s_off.tolist()):
        first[e_at: e_at + n_e] = np.searchsorted(p.s, ends_u[e_at: e_at + n_e], side="left") \
            + off
        e_at += n_e
    first_l, first_r = first[:, 0], first[:, 1]
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
    # by station, footprint and v: the order of np.lexsort((v, pid[j], i)), faster with the
    # station and footprint as one integer key (footprint indices are small whole numbers)
    if len(pid) and pid.min() >= 0 and pid.max() < 2 ** 20 and np.all(pid == np.floor(pid)):
        order = lexsort_pairs(i * (int(pid.max()) + 1) + pid.astype(np.int64)[j], v)
    else:
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
    order = lexsort_pairs(k, a)   # np.lexsort((a, k))
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


def lexsort_pairs(key: Any, values: Any) -> Any:
    """The order of ``np.lexsort((values, key))`` (by the integer ``key``, then by ``values``,
    NaN last, ties in index order) for keys that are mostly unique or in pairs, as the
    crossings of a station with a footprint: one stable sort of the key, the pairs put in
    order by one comparison, and only the larger groups sorted again (about four times faster
    than ``np.lexsort`` on the clear-width crossings)."""
    import numpy as np

    order = np.argsort(key, kind="stable")
    n = len(order)
    if n < 2:
        return order
    sorted_key = key[order]
    start = np.flatnonzero(np.concatenate(([True], sorted_key[1:] != sorted_key[:-1])))
    size = np.diff(np.concatenate((start, [n])))
    pair = start[size == 2]
    first, second = order[pair], order[pair + 1]
    v_first, v_second = values[first], values[second]
    swap = (v_second < v_first) | (np.isnan(v_first) & ~np.isnan(v_second))
    order[pair[swap]] = second[swap]
    order[pair[swap] + 1] = first[swap]
    larger = size > 2
    if larger.any():
        at = np.flatnonzero(np.repeat(larger, size))
        group = order[at]   # in index order within each group (stable sort)
        order[at] = group[np.lexsort((values[group], sorted_key[at]))]
    return order


def footprint_rings(lists: list[list[Any]]) -> list[list[tuple[int, Any]] | None]:
    """Per walkway, the ``(footprint index, coordinates)`` of each ring of its footprints (as
    :class:`RectProfile` reads them one by one), extracted for all walkways in three
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


#: rectangles per round of :func:`rect_profiles` and :func:`narrowings_many`: each profile
#: is made on its own, so the rounds only bound the size of the arrays (a city's walkways in
#: one round made arrays of millions of stations that no cache holds: PD-01 grew 31-fold
#: from 60,000 to 1,000,000 features)
PROFILE_CHUNK = 256


def narrowings_many(profiles: list[RectProfile], req: float) -> None:
    """:meth:`RectProfile.narrowings` at ``req`` of every profile below it somewhere, with
    the same arithmetic, in vectorised calls over all of them (the result is kept per profile
    and ``req``), :data:`PROFILE_CHUNK` profiles at a time (each profile's narrowings are its
    own: the rounds only bound the arrays' size). A profile never below ``req`` has none; one
    entirely below it has one whole-walkway narrowing, the same for every such ``req`` (built
    once)."""
    for start in range(0, len(profiles), PROFILE_CHUNK):
        _narrowings_chunk(profiles[start:start + PROFILE_CHUNK], req)


def _narrowings_chunk(profiles: list[RectProfile], req: float) -> None:
    """:func:`narrowings_many` of one round of profiles."""
    import numpy as np
    import shapely

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
    # stretches and narrowest free pieces, in world coordinates as RectProfile._pts
    owners = run_owner.tolist()
    org = np.array([todo[m].o for m in owners], dtype=float)
    UD = np.array([todo[m].ud for m in owners], dtype=float)
    VD = np.array([todo[m].vd for m in owners], dtype=float)
    width = np.array([todo[m].width for m in owners], dtype=float)
    length = np.array([todo[m].length for m in owners], dtype=float)
    short = s1 - s0 < VERTEX_EPS_M
    mid = (s0 + s1) / 2
    lo_s = np.where(short, np.maximum(mid - VERTEX_EPS_M / 2, 0.0), s0)
    hi_s = np.where(short, np.minimum(mid + VERTEX_EPS_M / 2, length), s1)
    span_lo, span_hi = free_spans([todo[m] for m in owners], k_local)

    def pts(u: Any, v: Any) -> Any:
        return org + u[:, None] * UD + v[:, None] * VD

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


def free_spans(profiles: Sequence[RectProfile], stations: Sequence[int]) -> tuple[Any, Any]:
    """:meth:`RectProfile._free_span` of ``profiles[q]`` at its station ``stations[q]`` for
    every q, in vectorised calls with the same arithmetic: ``(lo, hi)`` arrays.

    The blocked intervals of a station are a contiguous run of its profile's intervals (they
    are sorted by station, then start). The runs of all queries are gathered into one padded
    table; the end of the blocked stretch before each interval is a running maximum along a
    row, the longest gap the first largest one, the stretch after the last interval wins
    only when longer."""
    import numpy as np

    n = len(profiles)
    width = np.array([p.width for p in profiles], dtype=float)
    lo, hi = np.zeros(n), width.copy()
    block_of: dict[int, int] = {}
    blocks: list[RectProfile] = []
    for p in profiles:
        if p._intervals is not None and id(p) not in block_of:
            block_of[id(p)] = len(blocks)
            blocks.append(p)
    if not blocks:
        return lo, hi
    # every cut profile's intervals once, its stations numbered after the previous profiles'
    ns = np.array([len(p.s) for p in blocks])
    s_off = np.concatenate(([0], np.cumsum(ns)[:-1]))
    a_all = np.concatenate([p._intervals[0] for p in blocks])  # type: ignore[index]
    b_all = np.concatenate([p._intervals[1] for p in blocks])  # type: ignore[index]
    k_all = np.concatenate([p._intervals[2] + s_off[m]  # type: ignore[index]
                            for m, p in enumerate(blocks)])
    block = np.array([block_of.get(id(p), -1) for p in profiles], dtype=np.int64)
    cut = block >= 0
    key = s_off[block[cut]] + np.asarray(stations, dtype=np.int64)[cut]
    first = np.searchsorted(k_all, key, side="left")
    count = np.searchsorted(k_all, key, side="right") - first
    q = np.flatnonzero(cut)[count > 0]
    first, count = first[count > 0], count[count > 0]
    if not len(q):
        return lo, hi
    col = np.arange(int(count.max()))
    valid = col[None, :] < count[:, None]
    at = np.minimum(first[:, None] + col[None, :], len(a_all) - 1)
    a = a_all[at]
    b = np.where(valid, b_all[at], 0.0)   # padding after the run: no effect on the maxima
    rows = np.arange(len(q))
    prev = np.maximum.accumulate(np.concatenate([np.zeros((len(q), 1)), b], axis=1), axis=1)
    gap = np.where(valid, a - prev[:, :-1], -np.inf)
    best = np.argmax(gap, axis=1)
    best_gap = gap[rows, best]
    end = prev[rows, count]
    w = width[q]
    tail = w - end > best_gap
    lo_q = np.where(tail, end, prev[rows, best])
    hi_q = np.where(tail, w, a[rows, best])
    blocked = hi_q - lo_q <= 0   # fully blocked: the gross section
    lo_q[blocked], hi_q[blocked] = 0.0, w[blocked]
    lo[q], hi[q] = lo_q, hi_q
    return lo, hi


def base_results(profiles: list[RectProfile]) -> None:
    """Set the result without narrowings (``result(None)``) of many profiles at once: the
    narrowest free pieces, their middles and the centre lines in vectorised calls."""
    import numpy as np
    import shapely

    if not profiles:
        return
    n = len(profiles)
    origin = np.array([p.o for p in profiles], dtype=float)
    ud = np.array([p.ud for p in profiles], dtype=float)
    vd = np.array([p.vd for p in profiles], dtype=float)
    length = np.array([p.length for p in profiles], dtype=float)
    width = np.array([p.width for p in profiles], dtype=float)
    # the narrowest station of every profile (as RectProfile._narrowest: the middle one of the
    # stations within 1e-6 of the minimum), the minimum and maximum, over the concatenated widths
    ns = np.array([len(p.w) for p in profiles])
    off = np.concatenate(([0], np.cumsum(ns)[:-1]))
    w_all = np.concatenate([p.w for p in profiles])
    s_all = np.concatenate([p.s for p in profiles])
    w_min = np.minimum.reduceat(w_all, off)
    w_max = np.maximum.reduceat(w_all, off)
    owner = np.repeat(np.arange(n), ns)
    tie = np.flatnonzero(w_all <= (w_min + 1e-6)[owner])
    first_tie = np.searchsorted(owner[tie], np.arange(n))
    n_ties = np.bincount(owner[tie], minlength=n)
    k_glob = tie[first_tie + n_ties // 2]
    station = s_all[k_glob]
    min_w = w_all[k_glob]
    k_local = (k_glob - off).tolist()
    lo, hi = free_spans(profiles, k_local)

    def pt(u: Any, v: Any) -> Any:
        return origin + u[:, None] * ud + v[:, None] * vd

    pieces = shapely.linestrings(np.stack([pt(station, lo), pt(station, hi)], axis=1))
    middles = shapely.line_interpolate_point(pieces, 0.5, normalized=True)
    half = width / 2
    centres = shapely.linestrings(np.stack([pt(np.zeros(n), half), pt(length, half)], axis=1))
    for p, low, high, w, loc, piece, centre in zip(
            profiles, w_min.tolist(), w_max.tolist(), min_w.tolist(), middles.tolist(),
            pieces.tolist(), centres.tolist()):
        p._w_min, p._w_max = low, high
        p._base = ClearWidthResult(
            min_width_m=w, location=loc, narrowest=piece,
            gross_width_m=float(p.width), centreline=centre, narrowings=())


def _arange_many(starts: Any, stops: Any, step: float) -> tuple[Any, Any]:
    """``np.arange(starts[k], stops[k], step)`` for every k, concatenated, and the k of each
    value (:mod:`inclusiecheck.geometry.ranges`: the same floats)."""
    import numpy as np

    counts = arange_counts(starts, stops, step)
    owner = np.repeat(np.arange(len(starts)), counts)
    first = np.cumsum(counts) - counts
    i = np.arange(int(counts.sum())) - np.repeat(first, counts)
    return arange_values(starts[owner], step, i), owner


def _sorted_per_owner(values: Any, owner: Any, n: int) -> tuple[Any, Any]:
    """``values`` sorted by ``owner`` (``0 .. n - 1``), then by value: the rows of one padded
    table sorted at once (``np.sort`` along rows, much faster than a two-key sort of every
    value), or ``np.lexsort`` when one owner has far more values than the others."""
    import numpy as np

    by_owner = np.argsort(owner, kind="stable")   # a few owner-sorted runs, merged
    values, owner = values[by_owner], owner[by_owner]
    counts = np.bincount(owner, minlength=n)
    width = int(counts.max()) if n else 0
    if n * width > 4 * len(values) + 1024:
        order = np.lexsort((values, owner))
        return values[order], owner[order]
    table = np.full((n, width), np.inf)
    table[owner, np.arange(len(values)) - np.repeat(np.cumsum(counts) - counts, counts)] = values
    table.sort(axis=1)
    return table[np.arange(width) < counts[:, None]], owner


def _uncut_many(frames: list[tuple[Any, Any, Any, float, float]], lists: list[list[Any]],
                rings: list[list[tuple[int, Any]] | None]) -> list[RectProfile]:
    """``RectProfile(*frames[m], lists[m], rings=rings[m], cut=False)`` for every m: the ring
    edges of every profile in one pass (each ring projected on its frame by the same two
    products as one profile at a time) and the stations of all profiles at once (the same
    coarse and fine ranges, vertex stations, clip and sorted unique values per profile). A
    profile whose rings were not read (``None``) is made one by one."""
    import numpy as np

    out: list[Any] = [None] * len(frames)
    fast = [m for m, r in enumerate(rings) if r is not None]
    for m, r in enumerate(rings):
        if r is None:
            out[m] = RectProfile(*frames[m], lists[m], rings=None, cut=False)
    if not fast:
        return out
    coords, ring_pid, ring_owner, ring_len = [], [], [], []
    for n, m in enumerate(fast):
        for pid, xy in rings[m]:   # type: ignore[union-attr]
            coords.append(xy)
            ring_pid.append(pid)
            ring_owner.append(n)
            ring_len.append(len(xy))
    lengths = np.array([frames[m][3] for m in fast], dtype=float)
    if coords:
        ring_id = np.repeat(np.arange(len(coords)), ring_len)
        of = np.array(ring_owner)[ring_id]
        frame = np.array([(*frames[m][0], *frames[m][1], *frames[m][2]) for m in fast],
                         dtype=float)[of]
        xy = np.concatenate(coords) - frame[:, 0:2]
        # the projections of RectProfile (xy @ u_dir), as their two products and one sum
        u = xy[:, 0] * frame[:, 2] + xy[:, 1] * frame[:, 3]
        v = xy[:, 0] * frame[:, 4] + xy[:, 1] * frame[:, 5]
        pid_of = np.array(ring_pid, dtype=float)[ring_id]
        same = ring_id[1:] == ring_id[:-1]
        e = np.column_stack([u[:-1], v[:-1], u[1:], v[1:], pid_of[:-1]])[same]
        e_owner = np.array(ring_owner)[ring_id[:-1][same]]
    else:
        e, e_owner = np.zeros((0, 5)), np.zeros(0, dtype=np.int64)
    # stations: every COARSE_M from 0 and the end; each edge end and 1 mm either side; every
    # RES_M over each footprint's extent along the walkway (RES_M beyond it, within the walkway)
    coarse, coarse_owner = _arange_many(np.zeros(len(fast)), lengths, COARSE_M)
    values = [coarse, lengths, e[:, 0] - VERTEX_EPS_M, e[:, 0], e[:, 0] + VERTEX_EPS_M,
              e[:, 2] - VERTEX_EPS_M, e[:, 2], e[:, 2] + VERTEX_EPS_M]
    owners = [coarse_owner, np.arange(len(fast)), *[e_owner] * 6]
    if len(e):
        # one group per footprint of a profile
        by = np.lexsort((e[:, 4], e_owner))
        ge, g_own = e[by], e_owner[by]
        group = np.flatnonzero(np.concatenate(([True], (g_own[1:] != g_own[:-1])
                                               | (ge[1:, 4] != ge[:-1, 4]))))
        lows = np.minimum.reduceat(np.minimum(ge[:, 0], ge[:, 2]), group)
        highs = np.maximum.reduceat(np.maximum(ge[:, 0], ge[:, 2]), group)
        g_owner = g_own[group]
        lo = np.maximum(0.0, lows - RES_M)
        hi = np.minimum(lengths[g_owner], highs + RES_M)
        spans = hi > lo
        fine, fine_group = _arange_many(lo[spans], hi[spans], RES_M)
        values.append(fine)
        owners.append(g_owner[spans][fine_group])
    st, st_owner = np.concatenate(values), np.concatenate(owners)
    st = np.clip(st, 0.0, lengths[st_owner])
    st, st_owner = _sorted_per_owner(st, st_owner, len(fast))
    keep = np.concatenate(([True], (st[1:] != st[:-1]) | (st_owner[1:] != st_owner[:-1])))
    st, st_owner = st[keep], st_owner[keep]
    st_bounds = np.searchsorted(st_owner, np.arange(len(fast) + 1)).tolist()
    e_bounds = np.searchsorted(e_owner, np.arange(len(fast) + 1)).tolist()
    for n, m in enumerate(fast):
        edges = e[e_bounds[n]:e_bounds[n + 1]] if lists[m] else np.zeros((0, 5))
        out[m] = RectProfile._of(frames[m], edges, st[st_bounds[n]:st_bounds[n + 1]])
    return out


def rect_profiles(frames: Sequence[tuple[Any, Any, Any, float, float]],
                  footprint_lists: Sequence[list[Any]]) -> list[RectProfile]:
    """The profiles of many rectangles at once (arrays in, arrays out): ``frames`` from
    :func:`rect_frames`, ``footprint_lists`` the obstacle footprints in each. The footprint
    rings are read in three vectorised calls (:func:`footprint_rings`), every profile with an
    obstacle is cut in one pass (:func:`cut_many`) and the narrowest sections set
    (:func:`base_results`), with the same arithmetic as :class:`RectProfile` one by one."""
    frames, lists = list(frames), list(footprint_lists)
    profiles: list[RectProfile] = []
    for start in range(0, len(frames), PROFILE_CHUNK):
        chunk = lists[start:start + PROFILE_CHUNK]
        made = _uncut_many(frames[start:start + PROFILE_CHUNK], chunk, footprint_rings(chunk))
        cut_many([p for p in made if len(p.edges)])
        base_results(made)
        profiles.extend(made)
    return profiles
