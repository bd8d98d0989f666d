"""Benchmark: clear width of many walkways with obstacles (``clear_widths``).

Generates N walkways on a grid of 50 m cells, half straight (1.5-3.0 m wide, 15-40 m long,
random orientation) and half L-shaped around a corner (legs 8-25 m), with about two obstacles
each (a box against an edge and a pole disc anywhere in it, plus a few obstacles outside any
walkway), and times ``clear_widths`` with a required width of 1.50 m for N = 1,000 and
10,000. Prints the time, walkways per second and the time per walkway: equal times per
walkway mean linear scaling.

Run: ``python benchmarks/bench_clearwidth.py [N ...]`` from the repository root.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
from shapely import affinity
from shapely.geometry import Point, Polygon, box
from shapely.geometry.base import BaseGeometry

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from inclusiecheck.geometry.clearwidth import clear_widths, obstacle_footprint  # noqa: E402

CELL_M = 50.0


def walkway_with_obstacles(
    rng: np.random.Generator, i: int
) -> tuple[Polygon, list[BaseGeometry]]:
    """One straight or L-shaped walkway in grid cell ``i`` and its obstacles."""
    cols = 1000
    ox, oy = (i % cols) * CELL_M, (i // cols) * CELL_M
    w = rng.uniform(1.5, 3.0)
    depth = rng.uniform(0.2, 0.8)
    if i % 2 == 0:
        length = rng.uniform(15, 40)
        walkway = box(0, 0, length, w)
        obstacles = [
            box(x := rng.uniform(1, length - 2), 0, x + rng.uniform(0.3, 1.5), depth),
            obstacle_footprint(Point(rng.uniform(0, length), rng.uniform(0, w)), None, "pole"),
        ]
    else:
        a, b = rng.uniform(8, 25, size=2)
        walkway = Polygon([(0, 0), (a, 0), (a, w), (w, w), (w, b), (0, b)])
        obstacles = [
            box(0, y := rng.uniform(w + 1, b - 2), depth, y + rng.uniform(0.3, 1.5)),
            obstacle_footprint(Point(rng.uniform(w, a), rng.uniform(0, w)), None, "bollard"),
        ]
    if i % 10 == 0:
        obstacles.append(box(-5, -5, -4, -4))  # outside the walkway
    angle = rng.uniform(0, 360)
    walkway = affinity.rotate(walkway, angle, origin=(0, 0))
    walkway = affinity.translate(walkway, ox + 25, oy + 25)
    obstacles = [affinity.translate(affinity.rotate(o, angle, origin=(0, 0)), ox + 25, oy + 25)
                 for o in obstacles]
    return walkway, obstacles


def run(n: int, seed: int = 1) -> tuple[float, int, int]:
    """Time ``clear_widths`` on ``n`` generated walkways; return (seconds, obstacles, narrowings)."""
    rng = np.random.default_rng(seed)
    walkways: list[Polygon] = []
    obstacles: list[BaseGeometry] = []
    for i in range(n):
        w, obs = walkway_with_obstacles(rng, i)
        walkways.append(w)
        obstacles.extend(obs)
    t0 = time.perf_counter()
    results = clear_widths(walkways, obstacles, min_required_m=1.5)
    elapsed = time.perf_counter() - t0
    return elapsed, len(obstacles), sum(len(r.narrowings) for r in results)


def main(sizes: list[int]) -> None:
    """Print one line per size and the ratio of the time per walkway between the extremes."""
    run(200)  # warm-up
    per: list[float] = []
    header = ("N", "obstacles", "seconds", "walkways/s", "ms/walkway", "narrowings")
    print("{:>7} {:>9} {:>8} {:>11} {:>11} {:>10}".format(*header))
    for n in sizes:
        elapsed, n_obs, narrowings = run(n)
        per.append(elapsed / n)
        print(
            f"{n:>7} {n_obs:>9} {elapsed:>8.2f} {n / elapsed:>11.0f} "
            f"{1000 * elapsed / n:>11.3f} {narrowings:>10}"
        )
    if len(per) > 1:
        print(f"time per walkway, largest / smallest N: {per[-1] / per[0]:.2f} (1.00 = linear)")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1_000, 10_000])
