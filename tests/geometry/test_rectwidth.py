"""The batched clear-width computation and finding locations give exactly what the one-by-one
code gives (same floats, same geometries), on edge cases: holes, multipolygons, obstacles
touching an edge or standing outside, overlapping obstacles, walkways without obstacles."""

from __future__ import annotations

import gc
import json

import numpy as np
import pytest
import shapely
from shapely import affinity
from shapely.geometry import (
    GeometryCollection,
    LineString,
    MultiPoint,
    MultiPolygon,
    Point,
    Polygon,
    box,
)

from inclusiecheck.engine import evaluate as ev
from inclusiecheck.geometry import rectwidth as rw


def _footprint(rng: np.random.Generator, length: float,
               width: float):  # type: ignore[no-untyped-def]
    x, y = rng.uniform(-1, length + 1), rng.uniform(-0.5, width + 0.5)
    kind = int(rng.integers(6))
    if kind == 0:
        return Point(x, y).buffer(rng.uniform(0.05, 0.8), quad_segs=4)
    if kind == 1:
        return box(x, y, x + rng.uniform(0.1, 3), y + rng.uniform(0.1, 1.5))
    if kind == 2:   # a hole
        return box(x, y, x + 2, y + 1.5).difference(box(x + 0.5, y + 0.5, x + 1, y + 1))
    if kind == 3:
        return MultiPolygon([box(x, y, x + 0.5, y + 0.5), box(x + 1, y, x + 1.5, y + 0.7)])
    if kind == 4:   # touching the long edge
        return box(x, 0, x + 0.4, rng.uniform(0.1, width))
    return box(x, -1, x + 0.3, width + 1)   # across the whole walkway


def _profiles(seed: int, n: int) -> tuple[list[rw.RectProfile], list[rw.RectProfile]]:
    """The same rectangles built one by one and as a batch."""
    rng = np.random.default_rng(seed)
    single, batch, frames, lists = [], [], [], []
    for _ in range(n):
        length, width = rng.uniform(3, 40), rng.uniform(0.8, 3.5)
        angle = rng.uniform(0, 360)

        def place(g, angle=angle):  # type: ignore[no-untyped-def]
            return affinity.rotate(affinity.translate(g, 150000, 200000), angle,
                                   origin=(150000, 200000))

        frame = rw.rect_frame(place(box(0, 0, length, width)))
        fps = [place(_footprint(rng, length, width)) for _ in range(int(rng.integers(0, 5)))]
        if frame is None:   # not recognised as a rectangle: measured by the general method
            continue
        single.append(rw.RectProfile(*frame, fps))
        frames.append(frame)
        lists.append(fps)
    batch = rw.rect_profiles(frames, lists)   # the batch entry point, as the measures call it
    return single, batch


def _same_narrowing(a, b) -> bool:  # type: ignore[no-untyped-def]
    return (a.geometry.equals_exact(b.geometry, 0) and a.width_m == b.width_m
            and a.length_m == b.length_m and a.location.equals_exact(b.location, 0))


@pytest.mark.parametrize("chunk", [1, 7, rw.PROFILE_CHUNK, 10**6])
def test_batched_profiles_equal_one_by_one(chunk: int, monkeypatch: pytest.MonkeyPatch
                                           ) -> None:
    """In rounds of any size (PROFILE_CHUNK: the rounds only bound the arrays' size) the
    profiles are those made one by one."""
    monkeypatch.setattr(rw, "PROFILE_CHUNK", chunk)
    single, batch = _profiles(7, 400)
    assert len(batch) == len(single) > 256   # (several rounds for every chunk but the last)
    assert sum(p._intervals is not None for p in batch) > 100   # obstacles really cut
    for a, b in zip(single, batch):
        assert a.s.tobytes() == b.s.tobytes()   # the same floats, bit for bit
        assert np.array_equal(a.w, b.w)
        assert a.edges.shape == b.edges.shape and a.edges.tobytes() == b.edges.tobytes()
        assert (a._intervals is None) == (b._intervals is None)
        if a._intervals is not None:
            assert all(np.array_equal(x, y) for x, y in zip(a._intervals, b._intervals))
        base = a.result(None)
        assert b._base.min_width_m == base.min_width_m
        assert b._base.location.equals_exact(base.location, 0)
        assert b._base.narrowest.equals_exact(base.narrowest, 0)
        assert b._base.centreline.equals_exact(base.centreline, 0)


def test_profiles_made_at_once_equal_one_by_one_with_unread_rings() -> None:
    """_uncut_many: the stations and ring edges of many profiles at once, bit for bit those of
    RectProfile one by one, a profile whose rings were not read (None: a footprint that is
    not a plain polygon) made one by one among them, and profiles without obstacles."""
    rng = np.random.default_rng(21)
    frames, lists = [], []
    for _ in range(150):
        length, width = rng.uniform(0.3, 60), rng.uniform(0.5, 4)
        angle = rng.uniform(0, 360)
        frame = rw.rect_frame(affinity.rotate(box(1000, 2000, 1000 + length, 2000 + width),
                                              angle, origin=(1000, 2000)))
        if frame is None:
            continue
        o, ud, vd = frame[:3]
        fps = []
        for _k in range(int(rng.integers(0, 6))):
            u0, v0 = rng.uniform(-2, length + 2), rng.uniform(-1, width + 1)
            ring = [o + (u0 + du) * ud + (v0 + dv) * vd
                    for du, dv in ((0, 0), (rng.uniform(0.05, 4), 0),
                                   (rng.uniform(0.05, 4), rng.uniform(0.05, 2)), (0, 1))]
            fps.append(Polygon(ring))
        frames.append(frame)
        lists.append(fps)
    rings = rw.footprint_rings(lists)
    rings[3] = None   # read one by one
    made = rw._uncut_many(frames, lists, rings)
    for frame, fps, r, b in zip(frames, lists, rings, made):
        a = rw.RectProfile(*frame, fps, rings=r, cut=False)
        assert a.s.tobytes() == b.s.tobytes() and a.w.tobytes() == b.w.tobytes()
        assert a.edges.shape == b.edges.shape and a.edges.tobytes() == b.edges.tobytes()
        assert (b.length, b.width) == (frame[3], frame[4]) and b._base is None
    assert sum(len(b.edges) > 0 for b in made) > 100


def test_arange_many_is_numpy_arange() -> None:
    rng = np.random.default_rng(4)
    starts = np.concatenate([rng.uniform(-50, 50, 300), [0.0, 0.1, 1e5, -3.3]])
    stops = starts + np.concatenate([rng.uniform(1e-4, 30, 300), [0.5, 0.05, 7.25, 1e-9]])
    for step in (0.05, 0.5, 0.3):
        values, owner = rw._arange_many(starts, stops, step)
        expected = [np.arange(a, b, step) for a, b in zip(starts.tolist(), stops.tolist())]
        assert values.tobytes() == np.concatenate(expected).tobytes()
        assert owner.tolist() == [k for k, e in enumerate(expected) for _ in e]


@pytest.mark.parametrize("skewed", [False, True])
def test_sorted_per_owner_is_a_two_key_sort(skewed: bool) -> None:
    """The padded-table sort and its lexsort fallback (one owner with most of the values)
    give np.lexsort's order of (owner, value)."""
    rng = np.random.default_rng(9)
    owner = rng.integers(0, 40, 2000)
    if skewed:
        owner[:1900] = 7
    values = np.round(rng.uniform(0, 10, len(owner)), 1)   # ties too
    got_v, got_o = rw._sorted_per_owner(values, owner, 41)
    order = np.lexsort((values, owner))
    assert got_v.tobytes() == values[order].tobytes()
    assert got_o.tolist() == owner[order].tolist()


@pytest.mark.parametrize("seed", range(6))
def test_lexsort_pairs_is_numpy_lexsort(seed: int) -> None:
    """lexsort_pairs gives np.lexsort's order of (key, value): unique keys, pairs (in order,
    swapped, equal), larger groups, NaN and infinite values, ties in index order."""
    rng = np.random.default_rng(seed)
    for n in (0, 1, 2, 3, 17, 500, 5000):
        key = rng.integers(0, max(1, n // int(rng.integers(1, 4))), n).astype(np.int64)
        if seed % 2:
            values = rng.choice([0.0, 1.0, -2.5, np.nan, np.inf, -np.inf], n)
        else:
            values = np.round(rng.uniform(-3, 3, n), 1)
        got = rw.lexsort_pairs(key, values)
        assert got.tolist() == np.lexsort((values, key)).tolist()


@pytest.mark.parametrize("pid_shift", [0.0, 0.5, 3.0])
def test_cut_many_with_any_footprint_numbers_equals_one_by_one(pid_shift: float) -> None:
    """cut_many orders the crossings by one integer key of station and footprint when the
    footprint numbers are small whole numbers, else by np.lexsort: both cut every profile as
    RectProfile._cut one by one (the footprint numbers only tell the footprints apart)."""
    single, batch = _profiles(5, 250)
    uncut = [rw.RectProfile._of((p.o, p.ud, p.vd, p.length, p.width), p.edges.copy(), p.s)
             for p in batch]
    for p in uncut:
        p.edges[:, 4] += pid_shift
    rw.cut_many([p for p in uncut if len(p.edges)])
    for a, b in zip(single, uncut):
        assert np.array_equal(a.w, b.w)
        assert (a._intervals is None) == (b._intervals is None)
        if a._intervals is not None:
            assert all(np.array_equal(x, y) for x, y in zip(a._intervals, b._intervals))


@pytest.mark.parametrize("req", [0.5, 1.0, 1.2, 1.5, 1.8, 5.0])
@pytest.mark.parametrize("chunk", [1, 5, rw.PROFILE_CHUNK, 10**6])
def test_batched_narrowings_equal_one_by_one(req: float, chunk: int,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    single, batch = _profiles(11, 300)
    monkeypatch.setattr(rw, "PROFILE_CHUNK", chunk)   # (rounds of any size: the same)
    rw.narrowings_many(batch, req)
    # every profile's narrowings were made by the batch, in every round (narrowings() would
    # make a missing one itself)
    assert all(req in b._by_req for b in batch)
    compared = 0
    for a, b in zip(single, batch):
        below = a.w < req - 1e-9
        expected = a._narrowings(req, below) if below.any() else ()
        got = b._by_req[req]
        assert len(expected) == len(got)
        assert all(_same_narrowing(x, y) for x, y in zip(expected, got))
        compared += len(expected)
    if req < 5.0:
        assert compared > 0
    # entirely below: one whole-walkway narrowing, shared by every such width
    whole = [b for b in batch if b._w_max < req - 1e-9]
    for b in whole:
        assert len(b.narrowings(req)) == 1 and b.narrowings(req) is b._whole


def test_free_spans_equal_one_by_one() -> None:
    """The longest free piece of every station of every profile, in one vectorised call, as
    RectProfile._free_span gives it station by station (profiles without obstacles included,
    profiles asked more than once, in any order)."""
    _single, batch = _profiles(5, 200)
    rng = np.random.default_rng(3)
    queries = [(p, k) for p in batch for k in range(len(p.s))]
    order = rng.permutation(len(queries))
    queries = [queries[i] for i in order]
    lo, hi = rw.free_spans([p for p, _k in queries], [k for _p, k in queries])
    expected = [p._free_span(k) for p, k in queries]
    assert lo.tolist() == [a for a, _b in expected]
    assert hi.tolist() == [b for _a, b in expected]
    assert sum(b - a < p.width for (a, b), (p, _k) in zip(expected, queries)) > 100


@pytest.mark.parametrize("req", [1.0, 1.5, 1.8])
def test_batched_results_with_narrowings_equal_one_by_one(req: float) -> None:
    """A batched profile's result with narrowings takes its narrowest section from the base
    result: the same values as the one-by-one profile computes for itself."""
    single, batch = _profiles(13, 300)
    rw.narrowings_many(batch, req)
    compared = 0
    for a, b in zip(single, batch):
        assert (b._w_min, b._w_max) == (float(a.w.min()), float(a.w.max()))
        x, y = a.result(req), b.result(req)
        assert x.min_width_m == y.min_width_m and x.gross_width_m == y.gross_width_m
        assert x.location.equals_exact(y.location, 0)
        assert x.narrowest.equals_exact(y.narrowest, 0)
        assert x.centreline.equals_exact(y.centreline, 0)
        assert len(x.narrowings) == len(y.narrowings)
        assert all(_same_narrowing(m, n) for m, n in zip(x.narrowings, y.narrowings))
        compared += bool(x.narrowings)
    assert compared > 20


def _reference_location(geom):  # type: ignore[no-untyped-def]
    if geom is None or geom.is_empty:
        return None
    # at the millimetre, without negative zero (-0.0 + 0.0 is 0.0)
    flat = shapely.transform(shapely.force_2d(geom), lambda xy: np.round(xy, 3) + 0.0)
    return json.loads(shapely.to_geojson(flat))


def test_locations_equal_geojson_writer() -> None:
    rng = np.random.default_rng(3)
    poly = Polygon([(0, 0), (1, 0), (1, 1), (0, 0)],
                   [[(0.1, 0.1), (0.2, 0.1), (0.2, 0.2), (0.1, 0.1)]])
    geoms = [Point(rng.uniform(-2e5, 2e5, 2)), LineString(rng.uniform(0, 1e5, (5, 2))), poly,
             MultiPolygon([box(0, 0, 1, 1), box(2, 2, 3, 3)]), Point(1, 2, 3),
             LineString([(0, 0, 1), (1.23456, 1, 2)]), Polygon(), None,
             GeometryCollection([Point(0, 0)]), MultiPoint([(0, 0), (1, 1)]),
             Point(150000.1234567, 200000.9876543).buffer(0.35, quad_segs=4),
             Point(-0.0001, 1e-7)]
    geoms += [geoms[1], geoms[2], None]
    got = ev.locations_of(geoms)
    assert json.dumps(got) == json.dumps([_reference_location(g) for g in geoms])
    # a geometry listed twice gets two independent dicts
    assert got[1] == got[12] and got[1] is not got[12]
    assert got[1]["coordinates"] is not got[12]["coordinates"]
    assert got[2]["coordinates"][0] is not got[13]["coordinates"][0]


def test_model_frozen_restores_the_collector_state() -> None:
    """The model is frozen while rules run (gc.freeze), unfrozen afterwards, also when a
    check raises; the collector itself is never switched off."""
    assert gc.get_freeze_count() == 0
    with ev._model_frozen():
        assert gc.get_freeze_count() > 0 and gc.isenabled()
    assert gc.get_freeze_count() == 0
    with pytest.raises(RuntimeError), ev._model_frozen():
        raise RuntimeError("boom")
    assert gc.get_freeze_count() == 0
