"""Benchmark: walking-network distances on a synthetic city grid.

Builds a 157 x 157 block grid (80 m blocks) of 49,612 walkway segments plus 388 diagonal
paths that cross blocks and need noding (50,000 input lines), places 4,500 stops and 500
toilets at random near the paths, and times: building the network, snapping all points, the
distance from every stop to its nearest toilet (one multi-source Dijkstra), a 500 m service
area around the toilets and straight-line distances for comparison.

Run: ``python benchmarks/bench_coverage.py`` from the repository root.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from inclusiecheck.geometry.network import (  # noqa: E402
    build_walk_network,
    euclidean_distance_to_nearest,
    nearest_destination,
    service_area,
    snap_points,
)

BLOCK_M = 80.0
N_BLOCKS = 157
N_DIAGONALS = 388
N_STOPS = 4_500
N_TOILETS = 500


def city_grid(rng: np.random.Generator) -> np.ndarray:
    """Grid segments (one per block side) plus diagonal paths across random blocks."""
    i, j = np.meshgrid(np.arange(N_BLOCKS + 1), np.arange(N_BLOCKS), indexing="ij")
    i, j = i.ravel() * BLOCK_M, j.ravel() * BLOCK_M
    horizontal = np.stack([np.stack([j, i], 1), np.stack([j + BLOCK_M, i], 1)], 1)
    vertical = np.stack([np.stack([i, j], 1), np.stack([i, j + BLOCK_M], 1)], 1)
    bx = rng.integers(0, N_BLOCKS - 1, N_DIAGONALS) * BLOCK_M
    by = rng.integers(0, N_BLOCKS - 1, N_DIAGONALS) * BLOCK_M
    # a diagonal over two blocks crosses the grid line between them (noding needed)
    diagonal = np.stack([np.stack([bx, by], 1), np.stack([bx + 2 * BLOCK_M, by + BLOCK_M], 1)], 1)
    return shapely.linestrings(np.concatenate([horizontal, vertical, diagonal]))


def main() -> None:
    rng = np.random.default_rng(42)
    lines = city_grid(rng)
    extent = N_BLOCKS * BLOCK_M
    stops = shapely.points(rng.uniform(0, extent, (N_STOPS, 2)))
    toilets = shapely.points(rng.uniform(0, extent, (N_TOILETS, 2)))
    print(f"input: {lines.size} walkway lines, {N_STOPS} stops, {N_TOILETS} toilets")

    t0 = time.perf_counter()
    net = build_walk_network(lines)
    t1 = time.perf_counter()
    print(f"build network: {t1 - t0:.2f} s ({net.n_nodes} nodes, {net.n_edges} edges)")

    snapped_stops = snap_points(net, stops)
    snapped_toilets = snap_points(net, toilets)
    t2 = time.perf_counter()
    print(f"snap {N_STOPS + N_TOILETS} points: {t2 - t1:.2f} s")

    dist, _ = nearest_destination(net, snapped_stops, snapped_toilets)
    t3 = time.perf_counter()
    print(f"stop -> nearest toilet (network): {t3 - t2:.2f} s")

    euclid, _ = euclidean_distance_to_nearest(stops, toilets)
    t4 = time.perf_counter()
    print(f"stop -> nearest toilet (straight line): {t4 - t3:.2f} s")

    area = service_area(net, snapped_toilets, 500.0)
    t5 = time.perf_counter()
    print(f"500 m service area around toilets: {t5 - t4:.2f} s ({area.area / 1e6:.1f} km2)")

    print(f"total: {t5 - t0:.2f} s")
    print(
        f"median distance network {np.median(dist):.0f} m vs straight {np.median(euclid):.0f} m; "
        f"stops beyond 500 m: {int(np.sum(dist > 500))} network, "
        f"{int(np.sum(euclid > 500))} straight"
    )


if __name__ == "__main__":
    main()
