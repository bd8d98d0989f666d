"""Dark cells forming a full block get their union without cells (``_block_unions``).

``_dark_areas`` builds the union polygon of a full rectangle of dark grid cells directly
(numpy coordinates, one ``linearrings`` call) instead of one ``shapely.box`` per cell and
``coverage_union_all``. The dark geometry is printed vertex by vertex in a finding's
location, so the polygon must be GEOS's, byte for byte (WKB): the same vertices in the same
order. These tests compare it with ``coverage_union_all`` of the boxes on many block sizes,
spacings and offsets, check that anything not a full block is left to GEOS, and compare
``_dark_areas`` with the former code (boxes, ``coverage_union_all``, ``intersection`` per
polygon) on rectangles and other polygons that are dark all over, in rectangular patches
or at random.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import shapely
from shapely.geometry import Point, Polygon

from inclusiecheck.geometry import lighting as L

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_lighting_dark_many import _ref_dark_area  # noqa: E402  (the former per-polygon code)

geos_orders_blocks_as_built = pytest.mark.skipif(
    not L._block_unions_match_geos(),
    reason="this GEOS orders a block's union otherwise; _dark_areas uses coverage_union_all")


def _cells(points: np.ndarray, half: float) -> np.ndarray:
    return shapely.box(points[:, 0] - half, points[:, 1] - half,
                       points[:, 0] + half, points[:, 1] + half)


def _geos_union(points: np.ndarray, half: float):
    return shapely.coverage_union_all(_cells(points, half))


def _block(nx: int, ny: int, x0: float, y0: float, spacing: float) -> np.ndarray:
    """Grid centres of an nx x ny block, row by row, as ``_sample_polygons`` makes them."""
    xs = (np.arange(nx) + np.floor(x0 / spacing) + 0.5) * spacing
    ys = (np.arange(ny) + np.floor(y0 / spacing) + 0.5) * spacing
    return np.column_stack([np.tile(xs, ny), np.repeat(ys, nx)])


def _wkb(g) -> bytes:
    return shapely.to_wkb(g)


@geos_orders_blocks_as_built
@pytest.mark.parametrize("spacing, x0, y0", [
    (1.0, 0.0, 0.0), (1.0, 150005.0, 200000.0), (0.5, 300011.0, 400003.0),
    (2.0, 75002.0, 100000.0), (0.25, -30.0, -7.0), (1.0, -150003.0, 20.0)])
def test_block_unions_equal_coverage_union_all(spacing: float, x0: float, y0: float) -> None:
    """Every block size up to 24 x 24, all in one call, equal GEOS's union byte for byte."""
    half = spacing / 2
    groups = [_block(nx, ny, x0, y0, spacing) for nx in range(1, 25) for ny in range(1, 25)]
    is_block, unions = L._block_unions(np.concatenate(groups), [len(g) for g in groups], half)
    assert is_block.all()
    assert len(unions) == len(groups)
    for g, u in zip(groups, unions):
        assert _wkb(u) == _wkb(_geos_union(g, half))


@geos_orders_blocks_as_built
@pytest.mark.parametrize("nx, ny", [(1, 400), (400, 1), (120, 90), (2, 300), (300, 2)])
def test_long_and_large_blocks_equal_coverage_union_all(nx: int, ny: int) -> None:
    block = _block(nx, ny, 5000.0, 7000.0, 1.0)
    is_block, unions = L._block_unions(block, [len(block)], 0.5)
    assert is_block.tolist() == [True]
    assert _wkb(unions[0]) == _wkb(_geos_union(block, 0.5))


def _not_blocks(rng: np.random.Generator) -> list[np.ndarray]:
    """Groups of grid centres that are no full block, each made from a random block."""
    out = []
    for _ in range(60):
        nx, ny = int(rng.integers(1, 7)), int(rng.integers(1, 7))
        b = _block(nx, ny, float(rng.uniform(-100, 100)), float(rng.uniform(-100, 100)), 1.0)
        kind = int(rng.integers(0, 6))
        if kind == 0 and nx > 1 and ny > 1:   # one cell missing
            out.append(np.delete(b, int(rng.integers(0, len(b))), axis=0))
        elif kind == 1 and ny > 1:        # one cell more, to the right of the top row
            out.append(np.vstack([b, b[-1] + [1.0, 0.0]]))
        elif kind == 2 and ny > 1:        # the top row shifted by a cell
            c = b.copy()
            c[-nx:, 0] += 1.0
            out.append(c)
        elif kind == 3 and nx > 1:        # a gap between two columns
            c = b.copy()
            c[c[:, 0] > c[0, 0], 0] += 1.0
            out.append(c)
        elif kind == 4 and len(b) > 1:    # not row by row
            out.append(b[::-1].copy())
        elif kind == 5 and ny > 1:        # a gap between two rows
            c = b.copy()
            c[c[:, 1] > c[0, 1], 1] += 1.0
            out.append(c)
    return out


@pytest.mark.parametrize("seed", range(4))
def test_anything_but_a_full_block_is_left_to_geos(seed: int) -> None:
    rng = np.random.default_rng(seed)
    bad = _not_blocks(rng)
    good = [_block(int(rng.integers(1, 9)), int(rng.integers(1, 9)), 10.0, 20.0, 1.0)
            for _ in range(20)]
    groups = bad + good
    order = rng.permutation(len(groups))
    groups = [groups[i] for i in order]
    is_block, unions = L._block_unions(np.concatenate(groups), [len(g) for g in groups], 0.5)
    expected = order >= len(bad)
    assert is_block.tolist() == expected.tolist()
    if L._block_unions_match_geos():
        blocks = [g for g, b in zip(groups, is_block) if b]
        for g, u in zip(blocks, unions):
            assert _wkb(u) == _wkb(_geos_union(g, 0.5))


def test_cells_not_meeting_exactly_are_no_block() -> None:
    """A spacing whose cells' edges miss each other by a rounding error (0.1 m far from the
    origin) is left to GEOS, as are cells of no extent."""
    block = _block(4, 3, 123456.7, 654321.1, 0.1)
    lo, hi = block[:, 0] - 0.05, block[:, 0] + 0.05
    assert not (hi[:3] == lo[1:4]).all()   # the premise: the edges miss
    assert L._block_unions(block, [len(block)], 0.05)[0].tolist() == [False]
    flat = _block(3, 2, 0.0, 0.0, 1.0)
    assert L._block_unions(flat, [len(flat)], 0.0)[0].tolist() == [False]
    assert len(L._block_unions(np.zeros((0, 2)), [], 0.5)[0]) == 0


def _rectangle(rng: np.random.Generator, spacing: float) -> Polygon:
    """An axis-aligned rectangle, on the grid or off it, drawn as ``shapely.box`` draws."""
    x0, y0 = rng.uniform(-1000, 1000, 2)
    if rng.random() < 0.5:
        x0, y0 = np.round([x0, y0])
    w, h = rng.uniform(0.3, 30, 2)
    if rng.random() < 0.5:
        w, h = np.round([w, h], 1) + 0.1
    return shapely.box(x0, y0, x0 + w, y0 + h)


def _polygon(rng: np.random.Generator, spacing: float) -> Polygon:
    r = rng.random()
    if r < 0.6:
        return _rectangle(rng, spacing)
    if r < 0.8:
        return Point(rng.uniform(-100, 100, 2)).buffer(float(rng.uniform(0.3, 6)))
    return _rectangle(rng, spacing).difference(Point(rng.uniform(-100, 100, 2)).buffer(3.0))


def _illuminance(rng: np.random.Generator, points: np.ndarray) -> np.ndarray:
    kind = rng.random()
    if kind < 0.4:                      # dark all over
        return np.zeros(len(points))
    if kind < 0.5:                      # lit all over
        return np.full(len(points), 5.0)
    if kind < 0.8:                      # dark in a rectangular patch
        lo = points.min(axis=0) + rng.uniform(-2, 4, 2)
        hi = lo + rng.uniform(0, 12, 2)
        inside = np.all((points >= lo) & (points <= hi), axis=1)
        return np.where(inside, 0.0, 5.0)
    return rng.uniform(0, 2, len(points))   # salt and pepper


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("use_blocks", [True, False])
def test_dark_areas_equal_the_former_code(seed: int, use_blocks: bool,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Rectangles and other polygons, dark all over, in patches or at random: the dark part
    of each equals the former per-polygon code byte for byte, with the block path and
    without it (the path taken where GEOS orders blocks otherwise)."""
    if not use_blocks:
        monkeypatch.setattr(L, "_block_unions_match_geos", lambda: False)
    rng = np.random.default_rng(seed)
    spacing = float(rng.choice([0.5, 1.0, 2.0]))
    polys = [_polygon(rng, spacing) for _ in range(80)]
    samples = L._sample_polygons(polys, spacing)
    es = [_illuminance(rng, s.points) for s in samples]
    got = L._dark_areas(samples, es, 1.0, spacing)
    assert len(got) == len(samples)
    for smp, e, parts in zip(samples, es, got):
        ref = _ref_dark_area(smp, e, 1.0, spacing)
        assert [_wkb(g) for g in parts] == [_wkb(g) for g in ref]


def test_block_path_is_taken_for_a_dark_rectangle(monkeypatch: pytest.MonkeyPatch) -> None:
    """A rectangle dark all over makes no cells where GEOS orders blocks as built."""
    if not L._block_unions_match_geos():
        pytest.skip("this GEOS orders a block's union otherwise")
    poly = shapely.box(150005.0, 200000.0, 150055.0, 200001.8)
    samples = L._sample_polygons([poly], 1.0)
    made: list[int] = []
    box = shapely.box
    monkeypatch.setattr(L.shapely, "box", lambda *a, **k: made.append(len(a[0])) or box(*a, **k))
    got = L._dark_areas(samples, [np.zeros(len(samples[0].points))], 1.0, 1.0)
    assert made == []
    monkeypatch.undo()
    ref = _ref_dark_area(samples[0], np.zeros(len(samples[0].points)), 1.0, 1.0)
    assert _wkb(got[0][0]) == _wkb(ref[0])


@pytest.mark.parametrize("seed", range(3))
def test_lighting_stats_many_of_rectangles_equal_the_former_code(seed: int) -> None:
    """End to end: rectangles (and a few other polygons) lit by a few lights or by none, so
    that many are dark all over or in blocks; the dark geometry and its area equal the
    former per-polygon code followed by the unary union."""
    rng = np.random.default_rng(50 + seed)
    polys = [_polygon(rng, 1.0) for _ in range(60)]
    lums = [L.Luminaire(float(x), float(y), 5.0, float(rng.uniform(300, 3000)))
            for x, y in rng.uniform(-1000, 1000, (40, 2))]
    near = [np.arange(len(lums)) if rng.random() < 0.5 else np.zeros(0, dtype=np.intp)
            for _ in polys]
    got = L.lighting_stats_many(polys, lums, near, min_required_lx=1.0)
    for poly, idx, st in zip(polys, near, got):
        smp = L._sample_polygon(poly, 1.0)
        e = L.horizontal_illuminance(smp.points, [lums[int(i)] for i in idx])
        parts = _ref_dark_area(smp, e, 1.0, 1.0)
        dark = shapely.union_all(parts) if parts else shapely.GeometryCollection()
        assert _wkb(st.dark) == _wkb(dark)
        assert st.dark_area_m2 == float(dark.area)
