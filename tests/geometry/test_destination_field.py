"""destination_field: one multi-source search answers many origins with the very float that
a search per origin (nearest_destination) gives."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely import LineString, Point

from inclusiecheck.geometry.network import (
    build_walk_network,
    destination_field,
    nearest_destination,
    snap_points,
)


def _grid(rng: np.random.Generator, k: int, step: float) -> list[LineString]:
    lines = []
    for i in range(k + 1):
        for j in range(k):
            lines.append(LineString([(j * step, i * step), ((j + 1) * step, i * step)]))
            lines.append(LineString([(i * step, j * step), (i * step, (j + 1) * step)]))
    for _ in range(3):   # diagonals that cross the grid (noded by the builder)
        a = rng.integers(0, k, 2) * step
        lines.append(LineString([tuple(a), tuple(a + step * 1.5)]))
    lines.append(LineString([(0, 0), (-step, 0), (-step, -step), (0, 0)]))  # a loop
    return lines


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("include_access", [True, False])
def test_field_equals_one_search_per_origin_bit_for_bit(seed: int, include_access: bool) -> None:
    rng = np.random.default_rng(seed)
    k, step = int(rng.integers(2, 7)), float(rng.choice([10.0, 25.0, 33.3]))
    net = build_walk_network(_grid(rng, k, step))
    decimals = int(rng.integers(0, 3))   # coarse coordinates: ties and points on nodes
    pts = rng.uniform(-step, (k + 1) * step, (60, 2)).round(decimals)
    dests = [Point(xy) for xy in pts[:12]]
    origins = [Point(xy) for xy in pts[12:]] + dests[:4]   # some origins on a destination
    origins.append(Point(1e4, 1e4))                          # off the network
    field = destination_field(net, dests, max_snap_m=20.0, include_access=include_access)
    got = field.distances(origins)
    want = np.array([nearest_destination(net, [o], dests, max_snap_m=20.0,
                                         include_access=include_access)[0][0]
                     for o in origins])
    assert got.tobytes() == want.tobytes()   # the same floats, inf where unreachable
    assert np.isinf(got[-1])
    assert np.isfinite(got).sum() > 10


def test_field_accepts_snapped_points_and_no_destination_on_the_network() -> None:
    net = build_walk_network([LineString([(0, 0), (100, 0)]), LineString([(100, 0), (100, 50)])])
    origins = snap_points(net, [Point(10, 1), Point(100, 40)])
    field = destination_field(net, [Point(60, -2)])
    assert field.distances(origins).tolist() == pytest.approx([1 + 50 + 2, 40 + 40 + 2])
    off = destination_field(net, [Point(500, 500)])
    assert np.isinf(off.distances([Point(10, 0)])).all()
    assert destination_field(net, []).distances([Point(10, 0)]).tolist() == [np.inf]


def test_one_search_for_all_origins(monkeypatch: pytest.MonkeyPatch) -> None:
    from inclusiecheck.geometry import network

    calls = []
    real = network._dijkstra
    monkeypatch.setattr(network, "_dijkstra", lambda *a: calls.append(1) or real(*a))
    net = build_walk_network([LineString([(0, 0), (100, 0)])])
    field = destination_field(net, [Point(0, 0), Point(100, 0)])
    out = field.distances(shapely.points(np.column_stack([np.arange(0, 100, 7.0),
                                                          np.zeros(15)])).tolist())
    assert len(calls) == 1 and out.size == 15
