"""Benchmark: the toilet-coverage and rest-point rules on a city-size plan.

Builds a synthetic city (the grid of ``bench_coverage.py``: 157 x 157 blocks of 80 m, 50,000
walkway centre lines including 388 diagonals that need noding), 4,500 stops and 500 public
toilets (5,000 points), 1,000 parks and squares, 20,000 benches and main routes along every
tenth street, as a :class:`SiteModel`, then runs through the real evaluator:

- VZ-11 toilet coverage of every stop (network distance, one multi-source search per rule),
- VZ-10 toilet coverage of every park/square (network distance + service area),
- VZ-12 bench spacing along main routes (gaps as geometry),
- the whole ``haltes`` set on the 4,500 stops,

and prints the time of each, the findings counted and the walk network build (once per run).

Run: ``python benchmarks/bench_provisions.py`` from the repository root.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from inclusiecheck.engine.evaluate import evaluate  # noqa: E402
from inclusiecheck.engine.loader import load_set  # noqa: E402
from inclusiecheck.model import Feature, SiteModel  # noqa: E402
from inclusiecheck.model.feature import PlanMeta  # noqa: E402
from inclusiecheck.model.raw import SourceRef  # noqa: E402

BLOCK_M = 80.0
N_BLOCKS = 157
N_DIAGONALS = 388
N_STOPS = 4_500
N_TOILETS = 500
N_AREAS = 1_000
N_BENCHES = 20_000
ROOT = Path(__file__).resolve().parents[1]


def city_grid(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Grid segments (one per block side) plus diagonals; and a main-route flag per line."""
    i, j = np.meshgrid(np.arange(N_BLOCKS + 1), np.arange(N_BLOCKS), indexing="ij")
    row, i, j = i.ravel(), i.ravel() * BLOCK_M, j.ravel() * BLOCK_M
    horizontal = np.stack([np.stack([j, i], 1), np.stack([j + BLOCK_M, i], 1)], 1)
    vertical = np.stack([np.stack([i, j], 1), np.stack([i, j + BLOCK_M], 1)], 1)
    bx = rng.integers(0, N_BLOCKS - 1, N_DIAGONALS) * BLOCK_M
    by = rng.integers(0, N_BLOCKS - 1, N_DIAGONALS) * BLOCK_M
    diagonal = np.stack([np.stack([bx, by], 1), np.stack([bx + 2 * BLOCK_M, by + BLOCK_M], 1)], 1)
    lines = shapely.linestrings(np.concatenate([horizontal, vertical, diagonal]))
    main = np.concatenate([row % 10 == 0, np.zeros(row.size + N_DIAGONALS, dtype=bool)])
    return lines, main


def build_model(rng: np.random.Generator) -> SiteModel:
    lines, main = city_grid(rng)
    extent = N_BLOCKS * BLOCK_M
    src = SourceRef("synthetic")
    walkways = tuple(
        Feature("walkway", f"w{k}", g, {"kind": "sidewalk", **({"main_route": True} if m else {})},
                src) for k, (g, m) in enumerate(zip(lines.tolist(), main.tolist())))
    stop_pts = shapely.points(rng.uniform(0, extent, (N_STOPS, 2)))
    heights = rng.choice([3.0, 12.0, 15.0, 18.0], N_STOPS)
    stops = tuple(Feature("stop", f"s{k}", g, {
        "mode": "bus", "platform_height_cm": float(h), "swing_in": False,
        "platform_width_m": 2.0, "tactile_guidance": bool(k % 3), "boarding_tactile": True},
        src) for k, (g, h) in enumerate(zip(stop_pts.tolist(), heights.tolist())))
    toilet_pts = shapely.points(rng.uniform(0, extent, (N_TOILETS, 2)))
    toilets = tuple(Feature("toilet", f"t{k}", g, {"public": True, "accessible": k % 5 != 0},
                            src) for k, g in enumerate(toilet_pts.tolist()))
    corner = rng.uniform(0, extent - 300, (N_AREAS, 2))
    size = rng.uniform(40, 300, (N_AREAS, 2))
    boxes = shapely.box(corner[:, 0], corner[:, 1], corner[:, 0] + size[:, 0],
                        corner[:, 1] + size[:, 1])
    areas = tuple(Feature("area", f"a{k}", g, {"kind": "park" if k % 2 else "square"}, src)
                  for k, g in enumerate(boxes.tolist()))
    bench_pts = shapely.points(rng.uniform(0, extent, (N_BENCHES, 2)))
    benches = tuple(Feature("bench", f"b{k}", g, {"backrest": True, "armrests": True}, src)
                    for k, g in enumerate(bench_pts.tolist()))
    return SiteModel(crs="EPSG:31370", meta=PlanMeta(), layers={
        "walkway": walkways, "stop": stops, "toilet": toilets, "area": areas, "bench": benches,
        "obstacle": (Feature("obstacle", "o0", shapely.Point(-100, -100), {"kind": "pole"},
                             src),)})


def main() -> None:
    rng = np.random.default_rng(42)
    t0 = time.perf_counter()
    model = build_model(rng)
    print(f"plan: {len(model.features('walkway'))} walkway lines, "
          f"{len(model.features('stop'))} stops, {len(model.features('toilet'))} toilets, "
          f"{len(model.features('area'))} parks/squares, {len(model.features('bench'))} benches "
          f"(built in {time.perf_counter() - t0:.2f} s)")
    vz = load_set(ROOT / "rules" / "voorzieningen")
    ha = load_set(ROOT / "rules" / "haltes")
    assert vz is not None and ha is not None
    by_id = {r.id: r for r in [*vz.rules, *ha.rules]}
    day = dt.date(2026, 12, 1)
    total = 0.0
    for label, ids in (("VZ-11 toilet within 500 m of every stop", ["VZ-11"]),
                       ("VZ-10 toilet within 500 m of every park/square", ["VZ-10"]),
                       ("VZ-12 bench gaps along main routes", ["VZ-12"]),
                       ("haltes set (11 rules) on every stop", [r.id for r in ha.rules])):
        t = time.perf_counter()
        result = evaluate(model, [by_id[i] for i in ids], date=day)
        dt_s = time.perf_counter() - t
        total += dt_s
        outcomes = Counter()
        for stats in result.rule_stats.values():
            outcomes.update(stats.counts)
        print(f"{label}: {dt_s:.2f} s  {dict(sorted(outcomes.items()))}")
    # each evaluate() above is a run of its own: its structures (ctx.shared) are built once
    # per run, here the walk network of a fresh run
    from inclusiecheck.engine.checks.api import CheckContext
    from inclusiecheck.engine.measures import MEASURES, walk_network
    from inclusiecheck.engine.scopes import DERIVED

    net = walk_network(CheckContext(model, day, "nl", MEASURES, DERIVED))
    print(f"walk network (built once per run): {net.n_nodes} nodes, {net.n_edges} edges")
    print(f"total evaluation: {total:.2f} s")


if __name__ == "__main__":
    main()
