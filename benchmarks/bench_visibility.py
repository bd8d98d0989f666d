"""Benchmark: isovists among many small obstacles, plus path measures.

Run from the repository root: ``PYTHONPATH=. python benchmarks/bench_visibility.py`` (or after
``pip install -e .``). Prints figures only.
"""

from __future__ import annotations

import time

import numpy as np
import shapely
from shapely.geometry import LineString

from inclusiecheck.geometry.visibility import (
    OccluderIndex,
    hidden_zones,
    isovists,
    visibility_from_path,
    visible_distance_ahead,
)

AREA_M = 2_000.0
N_OBSTACLES = 10_000
N_ISOVISTS = 1_000
RADIUS_M = 50.0
N_RAYS = 360


def random_obstacles(rng: np.random.Generator, n: int) -> np.ndarray:
    """Random rotated rectangles (1-6 m by 0.5-4 m) over the area, plus some wall lines."""
    cx, cy = rng.uniform(0, AREA_M, n), rng.uniform(0, AREA_M, n)
    w, h = rng.uniform(1, 6, n), rng.uniform(0.5, 4, n)
    ang = rng.uniform(0, np.pi, n)
    corners = np.array([[-0.5, -0.5], [0.5, -0.5], [0.5, 0.5], [-0.5, 0.5]])
    local = corners[None, :, :] * np.stack([w, h], axis=-1)[:, None, :]
    c, s = np.cos(ang)[:, None], np.sin(ang)[:, None]
    x = cx[:, None] + local[..., 0] * c - local[..., 1] * s
    y = cy[:, None] + local[..., 0] * s + local[..., 1] * c
    polys = shapely.polygons(np.stack([x, y], axis=-1))
    n_lines = n // 10
    polys[:n_lines] = shapely.linestrings(np.stack([x[:n_lines, :2], y[:n_lines, :2]], axis=-1))
    return polys


def main() -> None:
    rng = np.random.default_rng(42)
    obstacles = random_obstacles(rng, N_OBSTACLES)
    t0 = time.perf_counter()
    index = OccluderIndex(obstacles)
    t_build = time.perf_counter() - t0
    viewpoints = rng.uniform(100, AREA_M - 100, (N_ISOVISTS, 2))

    t0 = time.perf_counter()
    polys = isovists(viewpoints, index, radius_m=RADIUS_M, n_rays=N_RAYS)
    t_iso = time.perf_counter() - t0
    areas = shapely.area(polys)
    print(f"obstacles: {N_OBSTACLES} over {AREA_M / 1000:.0f} km x {AREA_M / 1000:.0f} km "
          f"(index built in {t_build:.3f} s)")
    print(f"isovists: {N_ISOVISTS} x {N_RAYS} rays, radius {RADIUS_M:.0f} m: "
          f"{t_iso:.2f} s total, {N_ISOVISTS / t_iso:.0f} isovists/s")
    print(f"  mean visible fraction {areas.mean() / (np.pi * RADIUS_M**2):.3f}, "
          f"{int((areas == 0).sum())} viewpoints inside an obstacle")

    path = LineString(rng.uniform(200, AREA_M - 200, (2, 2)))
    path = shapely.segmentize(path, 50.0)
    t0 = time.perf_counter()
    visibility_from_path(path, index, step_m=5.0, radius_m=30.0)
    t_vis = time.perf_counter() - t0
    t0 = time.perf_counter()
    zones = hidden_zones(path, index)
    t_hid = time.perf_counter() - t0
    t0 = time.perf_counter()
    visible_distance_ahead(path, index)
    t_ahead = time.perf_counter() - t0
    print(f"path of {path.length:.0f} m: visibility_from_path {t_vis:.2f} s, "
          f"hidden_zones {t_hid:.2f} s ({len(zones)} zones), "
          f"visible_distance_ahead {t_ahead:.2f} s")


if __name__ == "__main__":
    main()
