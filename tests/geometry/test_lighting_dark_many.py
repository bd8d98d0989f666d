"""The dark parts of many geometries through array calls equal the former one-at-a-time code.

``_stats_many`` builds the grid cells of every area with one ``shapely.box`` call, cuts them
with one ``shapely.intersection`` call, buffers every dark stretch in one ``shapely.buffer``
call and unions the parts of each geometry with ``union_all(axis=1)``. These tests keep the
former per-geometry code (before the batch form) as the reference and compare the dark
geometry byte for byte (WKB: the same vertices in the same order) on random grids, random
polygons with holes, lines with and without width, and points.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely import ops
from shapely.geometry import GeometryCollection, LineString, Point, Polygon

from inclusiecheck.geometry import lighting as L


# --- the former code, verbatim in substance (reference) ---------------------------------------

def _ref_merge_runs(mask):
    if not np.any(mask):
        return []
    m = np.r_[False, mask, False].astype(np.int8)
    diff = np.diff(m)
    starts = np.flatnonzero(diff == 1)
    ends = np.flatnonzero(diff == -1) - 1
    return list(zip(starts.tolist(), ends.tolist()))


def _ref_dark_line(sample, e, required, half_width):
    station_min = e.reshape(-1, sample.n_across).min(axis=1)
    geoms = []
    total = 0.0
    for a, b in _ref_merge_runs(station_min < required):
        if sample.length_m == 0.0:
            geoms.append(shapely.get_point(sample.line, 0).buffer(half_width))
            continue
        s0 = max(0.0, sample.positions_m[a] - sample.step_m / 2)
        s1 = min(sample.length_m, sample.positions_m[b] + sample.step_m / 2)
        total += s1 - s0
        piece = ops.substring(sample.line, s0, s1)
        geoms.append(piece.buffer(half_width, cap_style="flat") if half_width > 0 else piece)
    return geoms, total


def _ref_dark_area(sample, e, required, spacing_m):
    dark = e < required
    if not np.any(dark):
        return []
    if sample.cells:
        return [sample.polygon]
    p = sample.points[dark]
    half = spacing_m / 2
    boxes = shapely.box(p[:, 0] - half, p[:, 1] - half, p[:, 0] + half, p[:, 1] + half)
    return [shapely.intersection(shapely.coverage_union_all(boxes), sample.polygon)]


def _ref_stats(sample, e, spacing_m, width_m, min_required_lx):
    dark_parts = []
    dark_length = 0.0
    if min_required_lx is not None:
        offset = 0
        for a in sample.areas:
            n = len(a.points)
            dark_parts += _ref_dark_area(a, e[offset:offset + n], min_required_lx, spacing_m)
            offset += n
        half_width = width_m / 2 if width_m else L.DEFAULT_DARK_HALF_WIDTH_M
        for ls in sample.lines:
            n = len(ls.points)
            g, length = _ref_dark_line(ls, e[offset:offset + n], min_required_lx, half_width)
            dark_parts += g
            dark_length += length
            offset += n
        for p in sample.points_geoms:
            if e[offset] < min_required_lx:
                dark_parts.append(p.buffer(L.DEFAULT_DARK_HALF_WIDTH_M))
            offset += 1
    dark = shapely.union_all(dark_parts) if dark_parts else GeometryCollection()
    return dark, float(dark_length), float(dark.area)


# --- random scenes --------------------------------------------------------------------------

def _random_polygon(rng: np.random.Generator) -> Polygon:
    cx, cy = rng.uniform(-50, 50, 2)
    n = int(rng.integers(5, 14))
    ang = np.sort(rng.uniform(0, 2 * np.pi, n))
    rad = rng.uniform(3, 15, n)
    shell = np.column_stack([cx + rad * np.cos(ang), cy + rad * np.sin(ang)])
    poly = Polygon(shell).buffer(0)
    if rng.random() < 0.4:
        hole = Point(cx, cy).buffer(rng.uniform(0.5, 2.5), quad_segs=3)
        poly = poly.difference(hole)
    if rng.random() < 0.2:  # a small polygon sampled by its representative point
        poly = Point(cx, cy).buffer(0.2, quad_segs=2)
    return poly


def _random_line(rng: np.random.Generator) -> LineString:
    n = int(rng.integers(2, 7))
    xy = np.cumsum(rng.uniform(-8, 8, (n, 2)), axis=0) + rng.uniform(-50, 50, 2)
    if rng.random() < 0.05:
        xy = np.repeat(xy[:1], 2, axis=0)  # zero length
    return LineString(xy)


def _random_geom(rng: np.random.Generator):
    r = rng.random()
    if r < 0.45:
        return _random_polygon(rng), None
    if r < 0.85:
        return _random_line(rng), (None if rng.random() < 0.3 else float(rng.uniform(0.5, 4)))
    if r < 0.9:
        return Point(rng.uniform(-50, 50, 2)), None
    parts = [_random_polygon(rng), _random_line(rng), Point(rng.uniform(-50, 50, 2))]
    return GeometryCollection(parts), float(rng.uniform(1, 3))


def _same(a, b) -> bool:
    return shapely.to_wkb(a) == shapely.to_wkb(b)


@pytest.mark.parametrize("seed", range(8))
def test_dark_parts_many_equal_one_at_a_time_on_random_illuminance(seed: int) -> None:
    """Random illuminance per point (salt-and-pepper dark cells: holes, several parts)."""
    rng = np.random.default_rng(seed)
    spacing = float(rng.choice([0.5, 1.0, 2.0]))
    scenes = [_random_geom(rng) for _ in range(40)]
    samples = [L._sample(g, spacing, w) for g, w in scenes]
    es = [rng.uniform(0, 2, len(s.points)) * (rng.random() < 0.8) for s in samples]
    required = float(rng.uniform(0.3, 1.5))
    widths = [w for _g, w in scenes]
    got = L._stats_many(samples, es, spacing, widths, required)
    for smp, e, w, st in zip(samples, es, widths, got):
        dark, length, area = _ref_stats(smp, e, spacing, w, required)
        assert _same(st.dark, dark)
        assert st.dark_length_m == length
        assert st.dark_area_m2 == area


@pytest.mark.parametrize("seed", range(4))
def test_lighting_stats_many_equals_former_stats_with_lights(seed: int) -> None:
    """Real illuminance from random luminaires (dark patches, lit patches, all dark)."""
    rng = np.random.default_rng(100 + seed)
    scenes = [_random_geom(rng) for _ in range(30)]
    lums = [L.Luminaire(float(x), float(y), float(rng.uniform(4, 8)), float(rng.uniform(500, 4000)))
            for x, y in rng.uniform(-60, 60, (25, 2))]
    near = [np.arange(len(lums)) if rng.random() < 0.7 else np.zeros(0, dtype=np.intp)
            for _ in scenes]
    geoms = [g for g, _w in scenes]
    widths = [w for _g, w in scenes]
    for required in (None, 1.0, 3.0):
        got = L.lighting_stats_many(geoms, lums, near, widths_m=widths, min_required_lx=required)
        for g, w, idx, st in zip(geoms, widths, near, got):
            smp = L._sample(g, 1.0, w)
            e = L.horizontal_illuminance(smp.points, [lums[int(i)] for i in idx])
            dark, length, area = _ref_stats(smp, e, 1.0, w, required)
            assert _same(st.dark, dark)
            assert st.dark_length_m == length
            assert st.dark_area_m2 == area
            assert np.array_equal(st.illuminance_lx, e)


def test_merge_runs_equals_former() -> None:
    rng = np.random.default_rng(7)
    for n in (0, 1, 2, 5, 40):
        for _ in range(50):
            mask = rng.random(n) < rng.random()
            assert L._merge_runs(mask) == _ref_merge_runs(mask)


def test_incomplete_near_many_equals_one_query_per_geometry() -> None:
    """The uncomputable lights near many geometries (one tree query) equal one query each."""
    from shapely import STRtree

    from inclusiecheck.engine.checks.safety import (
        PlanLights,
        _incomplete_near,
        _incomplete_near_many,
    )
    from inclusiecheck.model import Feature, SourceRef

    rng = np.random.default_rng(3)
    reasons = ["mounting_height_m", "luminous_flux_lm", "mounting_height_m, luminous_flux_lm",
               "luminaire dimmed_pct must be between 0 and 100, got 120.0"]
    incomplete = [(Feature("light", f"L{k}", Point(rng.uniform(-200, 200, 2)), {},
                           SourceRef("plan.gpkg")), reasons[k % len(reasons)])
                  for k in range(60)]
    lights = PlanLights([], [], np.zeros((0, 2)), STRtree([]), 0.0, incomplete,
                        STRtree([f.geometry for f, _ in incomplete]))
    geoms = [_random_geom(rng)[0] for _ in range(80)] + [Point(1000, 1000)]
    for reach in (0.0, 30.0, 80.0):
        assert _incomplete_near_many(lights, geoms, reach) == [
            _incomplete_near_former(lights, g, reach) for g in geoms]
        assert _incomplete_near(lights, geoms[0], reach) == \
            _incomplete_near_former(lights, geoms[0], reach)
    no_tree = PlanLights([], [], np.zeros((0, 2)), STRtree([]), 0.0)
    assert _incomplete_near_many(no_tree, geoms[:3], 10.0) == [([], ())] * 3


def _incomplete_near_former(lights, geom, reach):
    """The former one-query-per-geometry code (reference)."""
    if lights.incomplete_tree is None:
        return [], ()
    idx = lights.incomplete_tree.query(geom, predicate="dwithin", distance=max(reach, 50.0))
    hits = [lights.incomplete[int(i)] for i in sorted(int(i) for i in idx)]
    names: list[str] = []
    for _, why in hits:
        for name in (why.split(", ") if why.replace(", ", "").replace("_", "").isalpha()
                     else ["mounting_height_m", "luminous_flux_lm"]):
            if name not in names:
                names.append(name)
    return [f.id for f, _ in hits], tuple(names)


@pytest.mark.parametrize("spacing", [0.5, 1.0, 3.0])
def test_sample_many_equals_one_polygon_at_a_time(spacing: float) -> None:
    """The grid points of many geometries (one point-in-polygon call) equal
    :func:`_sample_polygon` per polygon: the same points in the same order, the same
    representative point for a polygon too small to hold a centre."""
    rng = np.random.default_rng(11)
    scenes = [_random_geom(rng) for _ in range(60)]
    got = L._sample_many([g for g, _w in scenes], spacing, [w for _g, w in scenes])
    for (g, w), smp in zip(scenes, got):
        polys, lines, points = L._explode(g)
        assert len(smp.areas) == len(polys)
        for poly, area in zip(polys, smp.areas):
            ref = L._sample_polygon(poly, spacing)
            assert _same(area.polygon, poly)
            assert np.array_equal(area.points, ref.points)
            assert len(area.cells) == len(ref.cells)
            assert all(_same(c, poly) for c in area.cells)
        assert np.array_equal(smp.points, L.grid_points(g, spacing, width_m=w))
    with pytest.raises(L.LightingInputError, match="empty geometry"):
        L._sample_many([Point(0, 0), Polygon()], 1.0, [None, None])


def test_chunks() -> None:
    assert L._chunks([]) == []
    assert L._chunks([3, 3, 3], 6) == [(0, 2), (2, 3)]
    assert L._chunks([10, 1, 1], 5) == [(0, 1), (1, 3)]
    assert L._chunks([1, 10, 1], 5) == [(0, 1), (1, 2), (2, 3)]


def test_small_chunks_give_the_same_samples_and_dark_parts(monkeypatch) -> None:
    """Array calls cut into chunks (a tiny limit here) change nothing."""
    rng = np.random.default_rng(5)
    scenes = [_random_geom(rng) for _ in range(40)]
    geoms, widths = [g for g, _w in scenes], [w for _g, w in scenes]
    whole = L._sample_many(geoms, 1.0, widths)
    es = [rng.uniform(0, 2, len(s.points)) for s in whole]
    dark_whole = L._stats_many(whole, es, 1.0, widths, 1.0)
    monkeypatch.setattr(L, "_CELLS_PER_CALL", 37)
    monkeypatch.setattr(L._chunks, "__defaults__", (37,))
    cut = L._sample_many(geoms, 1.0, widths)
    for a, b in zip(whole, cut):
        assert np.array_equal(a.points, b.points)
    for a, b in zip(dark_whole, L._stats_many(cut, es, 1.0, widths, 1.0)):
        assert _same(a.dark, b.dark)


@pytest.mark.parametrize("spacing", [0.3, 1.0, 2.5])
def test_sample_polygons_equal_sample_polygon_anywhere(spacing: float) -> None:
    """The grid centres of many polygons made in array operations equal ``_sample_polygon``
    (``meshgrid`` of the two ``arange`` axes) to the bit, also far from the origin, below
    zero, on the grid lines and for polygons too thin or small to hold a centre."""
    rng = np.random.default_rng(int(spacing * 10))
    polys = []
    for _ in range(120):
        offset = rng.choice([0.0, -250_000.0, 150_000.0, 5_000_000.0])
        x0, y0 = rng.uniform(-40, 40, 2) + offset
        if rng.random() < 0.3:   # corners on the grid
            x0, y0 = np.round([x0 / spacing, y0 / spacing]) * spacing
        w, h = rng.uniform(0.05, 12, 2)
        kind = rng.random()
        if kind < 0.4:
            polys.append(shapely.box(x0, y0, x0 + w, y0 + h))
        elif kind < 0.8:
            polys.append(Point(x0, y0).buffer(w / 2, quad_segs=int(rng.integers(1, 8))))
        else:
            polys.append(shapely.box(x0, y0, x0 + w, y0 + 0.01 * h))   # a thin strip
    got = L._sample_polygons(polys, spacing)
    assert len(got) == len(polys)
    for poly, area in zip(polys, got):
        ref = L._sample_polygon(poly, spacing)
        assert area.polygon is poly
        assert area.points.tobytes() == ref.points.tobytes()
        assert area.points.shape == ref.points.shape
        assert len(area.cells) == len(ref.cells)
    assert L._sample_polygons([], spacing) == []
