"""The calculation points and dark stretches of many lines through array operations equal the
former one-line-at-a-time code, bit for bit.

``_sample_lines`` samples every line of a batch in array operations over all vertices and
stations; ``_dark_line_pieces_many`` finds the dark runs of all lines at once and cuts the
pieces with ``_substrings`` (one ``line_interpolate_point`` and one ``linestrings`` call).
These tests keep the former per-line code as the reference (``_ref_sample_line``, verbatim)
and ``shapely.ops.substring`` itself, and compare on random lines: many vertices (more than
``_SEGMENTS_COMPARED`` segments too), repeated vertices, zero-length lines, with and without
a width, several spacings.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from shapely import ops
from shapely.geometry import LinearRing, LineString

from inclusiecheck.geometry import lighting as L

# --- the former code, verbatim (reference) ---------------------------------------------------


def _ref_line_coords(line):
    coords = shapely.get_coordinates(line)
    if len(coords) > 1:
        keep = np.r_[True, np.any(np.diff(coords, axis=0) != 0.0, axis=1)]
        coords = coords[keep]
    return coords


def _ref_sample_line(line, spacing_m, width_m):
    coords = _ref_line_coords(line)
    n_across = 1 if not width_m else max(L.MIN_POINTS_ACROSS,
                                         math.ceil(width_m / spacing_m - 1e-9))
    if len(coords) < 2:  # zero-length line
        base = coords[:1]
        return L._LineSample(line, 0.0, np.zeros(1), 0.0, np.repeat(base, n_across, axis=0),
                             n_across)
    seg = np.diff(coords, axis=0)
    seglen = np.hypot(seg[:, 0], seg[:, 1])
    cum = np.r_[0.0, np.cumsum(seglen)]
    length = float(cum[-1])
    n = max(1, math.ceil(length / spacing_m - 1e-9))
    step = length / n
    s = (np.arange(n) + 0.5) * step
    k = np.clip(np.searchsorted(cum, s, side="right") - 1, 0, len(seglen) - 1)
    t = (s - cum[k]) / seglen[k]
    base = coords[k] + t[:, None] * seg[k]
    if n_across == 1 or not width_m:
        return L._LineSample(line, length, s, step, base, 1)
    tangent = seg[k] / seglen[k][:, None]
    normal = np.column_stack([-tangent[:, 1], tangent[:, 0]])
    offsets = (np.arange(n_across) + 0.5) * (width_m / n_across) - width_m / 2.0
    pts = base[:, None, :] + offsets[None, :, None] * normal[:, None, :]
    return L._LineSample(line, length, s, step, pts.reshape(-1, 2), n_across)


def _ref_dark_line_pieces(sample, e, required):
    station_min = e.reshape(-1, sample.n_across).min(axis=1)
    geoms = []
    total = 0.0
    for a, b in L._merge_runs(station_min < required):
        if sample.length_m == 0.0:
            geoms.append((shapely.get_point(sample.line, 0), False))
            continue
        s0 = max(0.0, sample.positions_m[a] - sample.step_m / 2)
        s1 = min(sample.length_m, sample.positions_m[b] + sample.step_m / 2)
        total += s1 - s0
        geoms.append((ops.substring(sample.line, s0, s1), True))
    return geoms, total


# --- random lines ----------------------------------------------------------------------------

def _random_line(rng: np.random.Generator):
    r = rng.random()
    if r < 0.05:   # zero length: one point repeated
        xy = np.repeat(rng.uniform(-1e5, 1e5, (1, 2)), int(rng.integers(2, 4)), axis=0)
        return LineString(xy)
    n = int(rng.integers(2, 9)) if r < 0.8 else int(rng.integers(30, 120))
    scale = float(rng.choice([0.05, 1.0, 8.0, 40.0]))
    xy = np.cumsum(rng.uniform(-scale, scale, (n, 2)), axis=0)
    xy += rng.choice([0.0, 150000.0, 200000.0], 2)
    if rng.random() < 0.3:   # repeated vertices
        at = rng.integers(0, n, int(rng.integers(1, 4)))
        xy = np.insert(xy, at, xy[at], axis=0)
    if rng.random() < 0.2:   # axis-parallel and integer coordinates
        xy = np.round(xy)
    if rng.random() < 0.05 and len(xy) >= 3:
        return LinearRing(xy)
    return LineString(xy)


def _same_sample(a: L._LineSample, b: L._LineSample) -> None:
    assert a.line is b.line
    assert a.length_m == b.length_m
    assert a.step_m == b.step_m
    assert a.n_across == b.n_across
    assert a.positions_m.tobytes() == b.positions_m.tobytes()
    assert a.points.shape == b.points.shape
    assert a.points.tobytes() == b.points.tobytes()


@pytest.mark.parametrize("seed", range(6))
def test_sample_lines_equals_one_line_at_a_time(seed: int) -> None:
    rng = np.random.default_rng(seed)
    lines = [_random_line(rng) for _ in range(150)]
    widths = [None if rng.random() < 0.3 else float(rng.choice([0.0, 0.4, 1.2, 1.8, 3.7, 6.0]))
              for _ in lines]
    for spacing in (0.5, 1.0, 2.5):
        got = L._sample_lines(lines, spacing, widths)
        assert len(got) == len(lines)
        for line, w, smp in zip(lines, widths, got):
            _same_sample(smp, _ref_sample_line(line, spacing, w))
            _same_sample(L._sample_line(line, spacing, w), smp)


def test_sample_lines_empty_and_single() -> None:
    assert L._sample_lines([], 1.0, []) == []
    only = LineString([(0, 0), (0, 0)])
    _same_sample(L._sample_lines([only], 1.0, [2.0])[0], _ref_sample_line(only, 1.0, 2.0))


def test_segmented_cumsum_equals_one_cumsum_per_run() -> None:
    rng = np.random.default_rng(4)
    counts = rng.integers(1, 40, 200)
    values = rng.uniform(0, 1e3, int(counts.sum())) ** 2
    got = L._segmented_cumsum(values, counts)
    at = 0
    ref = []
    for c in counts.tolist():
        ref.append(np.r_[0.0, np.cumsum(values[at:at + c])])
        at += c
    assert got.tobytes() == np.concatenate(ref).tobytes()
    assert L._segmented_cumsum(np.zeros(0), np.zeros(0, dtype=np.int64)).size == 0


@pytest.mark.parametrize("seed", range(6))
def test_dark_line_pieces_many_equals_one_line_at_a_time(seed: int) -> None:
    rng = np.random.default_rng(50 + seed)
    lines = [_random_line(rng) for _ in range(120)]
    widths = [None if rng.random() < 0.4 else float(rng.uniform(0.5, 4)) for _ in lines]
    spacing = float(rng.choice([0.5, 1.0, 2.0]))
    samples = L._sample_lines(lines, spacing, widths)
    es = []
    for smp in samples:
        mode = rng.random()
        if mode < 0.2:
            e = np.zeros(len(smp.points))      # all dark
        elif mode < 0.3:
            e = np.full(len(smp.points), 5.0)  # all lit
        else:
            e = rng.uniform(0, 2, len(smp.points))
        es.append(e)
    required = float(rng.uniform(0.3, 1.5))
    got = L._dark_line_pieces_many(samples, es, required)
    for smp, e, (pieces, total) in zip(samples, es, got):
        ref_pieces, ref_total = _ref_dark_line_pieces(smp, e, required)
        assert total == ref_total
        assert len(pieces) == len(ref_pieces)
        for (g, flat), (rg, rflat) in zip(pieces, ref_pieces):
            assert flat == rflat
            assert shapely.to_wkb(g) == shapely.to_wkb(rg)
    assert L._dark_line_pieces_many([], [], 1.0) == []


def test_substrings_equal_shapely_substring() -> None:
    """Random cuts, cuts through vertices and at the ends, and the cases handed to
    ``substring`` itself (a 3-D line, a start beyond the end)."""
    rng = np.random.default_rng(9)
    lines, starts, ends = [], [], []
    for _ in range(300):
        line = _random_line(rng)
        if line.length == 0:
            continue
        length = line.length
        cuts = np.sort(rng.uniform(0, length, 2))
        choice = rng.random()
        if choice < 0.2:   # through vertices
            d = np.r_[0.0, np.cumsum(np.hypot(*np.diff(shapely.get_coordinates(line),
                                                        axis=0).T))]
            cuts = np.sort(rng.choice(d, 2))
            if cuts[0] == cuts[1]:
                cuts[1] = length
        elif choice < 0.3:
            cuts = np.array([0.0, length])
        elif choice < 0.35:
            cuts = np.array([0.0, length * 1.5])   # beyond the end: clamped
        if cuts[0] >= cuts[1]:
            continue
        lines.append(line)
        starts.append(float(cuts[0]))
        ends.append(float(cuts[1]))
    lines.append(LineString([(0, 0, 1), (4, 0, 2), (4, 3, 3)]))
    starts.append(1.0)
    ends.append(5.0)
    lines.append(LineString([(0, 0), (4, 0)]))
    starts.append(4.0)
    ends.append(6.0)
    got = L._substrings(lines, starts, ends)
    for line, s0, s1, g in zip(lines, starts, ends, got):
        assert shapely.to_wkb(g) == shapely.to_wkb(ops.substring(line, s0, s1))
    assert L._substrings([], [], []) == []


@pytest.mark.parametrize("missing", ["absent", "old GEOS"])
def test_substrings_without_has_m(monkeypatch: pytest.MonkeyPatch, missing: str) -> None:
    """shapely before 2.1 has no ``has_m``, and a GEOS before 3.12 cannot answer it (nor
    keep M values): the cuts are then made as with it."""
    lines = [LineString([(0, 0), (4, 0), (4, 3)]), LineString([(0, 0, 1), (4, 0, 2)])]
    want = [shapely.to_wkb(g) for g in L._substrings(lines, [1.0, 0.5], [5.0, 3.0])]
    if missing == "absent":
        monkeypatch.delattr(shapely, "has_m", raising=False)
    else:
        def old_geos(_geoms: object) -> object:
            raise shapely.errors.UnsupportedGEOSVersionError("has_m requires GEOS >= 3.12")

        monkeypatch.setattr(shapely, "has_m", old_geos)
    assert not L._has_m(np.array(lines, dtype=object)).any()
    assert [shapely.to_wkb(g) for g in L._substrings(lines, [1.0, 0.5], [5.0, 3.0])] == want


@pytest.mark.parametrize("table", [True, False])
@pytest.mark.parametrize("scenario", [None, "night@01:00"])
def test_illuminance_groups_equal_one_call_per_group(monkeypatch, table: bool,
                                                     scenario: str | None) -> None:
    """Groups lit by random subsets of the luminaires (some lit by none, some luminaires
    used by no group) give, bit for bit, one ``horizontal_illuminance`` call per group with
    its own luminaires; with the allowed-pair table and with ``np.isin``."""
    if not table:
        monkeypatch.setattr(L, "_ALLOWED_CELLS", 0)
    rng = np.random.default_rng(21)
    lums = [L.Luminaire(float(x), float(y), float(rng.uniform(3, 9)),
                        float(rng.uniform(200, 6000)),
                        distribution=["led_street", "lambertian", "isotropic_down"][k % 3],
                        dimmed_pct=None if k % 4 else 40.0,
                        off_hours="00:00-05:00" if k % 7 == 0 else None)
            for k, (x, y) in enumerate(rng.uniform(-80, 80, (60, 2)))]
    n_groups = 40
    counts = rng.integers(1, 30, n_groups)
    pts = rng.uniform(-90, 90, (int(counts.sum()), 2))
    group = np.repeat(np.arange(n_groups), counts)
    lights_of = [np.sort(rng.choice(40, int(rng.integers(0, 15)), replace=False))
                 for _ in range(n_groups)]   # luminaires 40..59: used by no group
    got = L.horizontal_illuminance_groups(pts, group, lums, lights_of, scenario=scenario)
    at = 0
    for g, c in enumerate(counts.tolist()):
        ref = L.horizontal_illuminance(pts[at:at + c], [lums[int(i)] for i in lights_of[g]],
                                       scenario=scenario)
        assert got[at:at + c].tobytes() == ref.tobytes()
        at += c
    none = L.horizontal_illuminance_groups(pts, group, lums, [np.zeros(0, dtype=np.intp)] *
                                           n_groups)
    assert none.tobytes() == np.zeros(len(pts)).tobytes()
    with pytest.raises(L.LightingInputError, match="expected a Luminaire"):
        L.horizontal_illuminance_groups(pts, group, [*lums, "lamp"], lights_of)
