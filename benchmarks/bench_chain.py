"""Benchmark: the chain of accessibility (``route_chain``) on a city-sized plan.

A grid of 80 m blocks with one walkway centre line per block side (50,000 segments in all,
1.50 m wide; one in 40 is 0.80 m wide), a crossing every tenth segment (kerb 2 cm, one in
five 6 cm), a few hundred poles standing in walkways, 5,000 stops placed near the paths and
400 public entrances. Times, through the engine's own check (``CheckContext``):

1. building the chain network (one per run),
2. the first stop: judging every link of the network and the batched searches,
3. all 5,000 stops (one search per kind serves every origin),

and prints the outcome counts. Run: ``python benchmarks/bench_chain.py`` from the repository
root (``--small`` for a quick run).
"""

from __future__ import annotations

import collections
import datetime as dt
import sys
import time
from pathlib import Path

import numpy as np
from shapely.geometry import LineString, Point

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from inclusiecheck.engine.checks import get  # noqa: E402
from inclusiecheck.engine.checks.api import CheckContext  # noqa: E402
from inclusiecheck.engine.measures import MEASURES  # noqa: E402
from inclusiecheck.engine.scopes import DERIVED  # noqa: E402
from inclusiecheck.model import Feature, SiteModel  # noqa: E402
from inclusiecheck.model.feature import PlanMeta  # noqa: E402
from inclusiecheck.model.raw import SourceRef  # noqa: E402

BLOCK_M = 80.0


def feature(layer: str, fid: str, geom: object, **attrs: object) -> Feature:
    return Feature(layer, fid, geom, dict(attrs),  # type: ignore[arg-type]
                   SourceRef("bench", layer, fid))


def city(n_side: int, n_stops: int, n_entrances: int, seed: int = 3) -> SiteModel:
    """A grid of ``2 * n_side * (n_side + 1)`` segments with crossings, poles, stops, entrances."""
    rng = np.random.default_rng(seed)
    walkways, crossings, obstacles = [], [], []
    k = 0
    for i in range(n_side + 1):
        for j in range(n_side):
            for a, b in (((i, j), (i, j + 1)), ((j, i), (j + 1, i))):
                line = LineString([(a[0] * BLOCK_M, a[1] * BLOCK_M),
                                   (b[0] * BLOCK_M, b[1] * BLOCK_M)])
                k += 1
                if k % 10 == 0:
                    kerb = 6.0 if rng.random() < 0.2 else 2.0
                    crossings.append(feature("crossing", f"c{k}", line, kerb_height_cm=kerb))
                else:
                    width = 0.8 if rng.random() < 0.025 else 1.5
                    walkways.append(feature("walkway", f"w{k}", line, kind="sidewalk",
                                            width_m=width))
    for n, w in enumerate(rng.choice(len(walkways), size=len(walkways) // 100, replace=False)):
        p = walkways[int(w)].geometry.interpolate(float(rng.uniform(5, 75)))
        obstacles.append(feature("obstacle", f"o{n}", Point(p.x, p.y + 0.5), kind="pole",
                                 size_m=0.2))
    extent = n_side * BLOCK_M
    near = rng.choice(len(walkways), size=n_stops)
    stops = []
    for n, w in enumerate(near.tolist()):  # beside a walkway, 2-8 m off its centre line
        p = walkways[w].geometry.interpolate(float(rng.uniform(0, BLOCK_M)))
        dx, dy = rng.uniform(2, 8, 2) * rng.choice([-1, 1], 2)
        stops.append(feature("stop", f"s{n}", Point(p.x + dx, p.y + dy)))
    entrances = [feature("entrance", f"e{n}", Point(*xy), public=True, door_width_cm=100,
                         threshold_cm=1)
                 for n, xy in enumerate(rng.uniform(0, extent, (n_entrances, 2)))]
    layers = {"walkway": tuple(walkways), "crossing": tuple(crossings),
              "obstacle": tuple(obstacles), "stop": tuple(stops), "entrance": tuple(entrances)}
    return SiteModel("EPSG:31370", PlanMeta(), layers)


def main() -> None:
    small = "--small" in sys.argv
    n_side, n_stops, n_entrances = (40, 500, 40) if small else (158, 5_000, 400)
    t0 = time.perf_counter()
    model = city(n_side, n_stops, n_entrances)
    n_segments = len(model.features("walkway")) + len(model.features("crossing"))
    print(f"plan: {n_segments:,} segments ({len(model.features('crossing')):,} crossings), "
          f"{len(model.features('obstacle')):,} poles, {n_stops:,} stops, "
          f"{n_entrances:,} public entrances  [generated in {time.perf_counter() - t0:.1f} s]")

    from inclusiecheck.engine.checks import chain

    ctx = CheckContext(model, dt.date(2026, 6, 1), "en", MEASURES, DERIVED)
    ct = get("route_chain")
    params = ct.params.model_validate({
        "destinations": [{"layer": "entrance", "where": {"public": True}}],
        "max_route_m": 500, "unsuitable_surfaces": ["grass", "gravel"]})

    t = time.perf_counter()
    cn = chain.chain_network(ctx)
    assert cn is not None
    t_net = time.perf_counter() - t
    print(f"network: {cn.net.n_nodes:,} nodes, {cn.net.n_edges:,} edges  {t_net:.2f} s")

    stops = model.features("stop")
    t = time.perf_counter()
    first = ct.run(stops[0], params, ctx)
    t_first = time.perf_counter() - t
    print(f"first stop (judge every link + batched searches): {t_first:.2f} s")

    t = time.perf_counter()
    outcomes = collections.Counter(r.outcome.value for s in stops for r in ct.run(s, params, ctx))
    t_all = time.perf_counter() - t
    print(f"all {len(stops):,} stops: {t_all:.2f} s ({1e3 * t_all / len(stops):.2f} ms per stop "
          "after the first)")
    print(f"total (network + checks): {t_net + t_first + t_all:.2f} s")
    print("outcomes:", dict(sorted(outcomes.items())), "| first:", first[0].outcome.value)


if __name__ == "__main__":
    main()
