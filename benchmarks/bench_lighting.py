"""Benchmark the lighting calculation: 10 km of walkways, 500 lights.

Run: /work/venv/bin/python benchmarks/bench_lighting.py

Layout: a 10 x 20 lattice of 50 m walkway lines (200 lines, 10 km, 2 m wide) with 500 LED
luminaires (4-6 m, 3,000-6,000 lm) scattered 1 m beside the walkways. Prints the time for
sampling the grid, horizontal illuminance, the per-walkway statistics and semi-cylindrical
illuminance on the main routes, plus points per second.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import LineString, MultiLineString

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from inclusiecheck.geometry.lighting import (  # noqa: E402
    Luminaire,
    grid_points,
    horizontal_illuminance,
    lighting_stats,
    path_directions,
    semicylindrical_illuminance,
)


def walkways() -> list[LineString]:
    """200 lines of 50 m: 10 east-west rows of 20 segments, 60 m apart."""
    lines = []
    for row in range(10):
        y = row * 60.0
        for k in range(20):
            x0 = k * 50.0
            lines.append(LineString([(x0, y), (x0 + 50.0, y)]))
    return lines


def lights(lines: list[LineString], n: int, rng: np.random.Generator) -> list[Luminaire]:
    """n lights 1 m beside the walkways (2 m from the centre line), random along them."""
    which = rng.integers(0, len(lines), n)
    along = rng.uniform(0.0, 50.0, n)
    side = rng.choice([-2.0, 2.0], n)
    out = []
    for w, s, sd, h, f in zip(which, along, side, rng.uniform(4, 6, n), rng.uniform(3000, 6000, n)):
        p = lines[w].interpolate(s)
        out.append(Luminaire(p.x, p.y + sd, float(h), float(f)))
    return out


def timed(label: str, fn, repeat: int = 3):  # type: ignore[no-untyped-def]
    best = float("inf")
    result = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    print(f"{label:<58s} {best * 1000:9.1f} ms")
    return result, best


def main() -> None:
    rng = np.random.default_rng(42)
    lines = walkways()
    lums = lights(lines, 500, rng)
    network = MultiLineString(lines)
    km = network.length / 1000
    print(f"walkways: {len(lines)} lines, {km:.1f} km, 2 m wide; lights: {len(lums)}")

    pts, t_grid = timed(
        "grid_points (1 m, 3 across)", lambda: grid_points(network, 1.0, width_m=2.0)
    )
    e, t_e = timed("horizontal_illuminance", lambda: horizontal_illuminance(pts, lums))
    print(f"  {len(pts):,} points -> {len(pts) / t_e:,.0f} points/s; avg {e.mean():.2f} lx, "
          f"min {e.min():.2f} lx, max {e.max():.2f} lx")
    _, t_night = timed(
        "horizontal_illuminance, night scenario",
        lambda: horizontal_illuminance(pts, lums, scenario="night"),
    )

    _, t_stats_all = timed(
        "lighting_stats, whole network at once (P4 dark parts)",
        lambda: lighting_stats(network, lums, width_m=2.0, min_required_lx=1.0),
    )
    stats, t_stats = timed(
        "lighting_stats, 200 walkways one by one",
        lambda: [lighting_stats(w, lums, width_m=2.0, min_required_lx=1.0) for w in lines],
        repeat=1,
    )
    dark_km = sum(s.dark_length_m for s in stats) / 1000
    print(f"  dark (< 1 lx) length: {dark_km:.2f} km")

    # finer: 0.5 m grid, 4 across
    fine = grid_points(network, 0.5, width_m=2.0)
    _, t_fine = timed(
        "horizontal_illuminance, 0.5 m grid", lambda: horizontal_illuminance(fine, lums)
    )
    print(f"  {len(fine):,} points -> {len(fine) / t_fine:,.0f} points/s")

    # semi-cylindrical on the main routes: every other row (5 km), centre line, both ways
    main_routes = MultiLineString([ln for i, ln in enumerate(lines) if (i // 20) % 2 == 0])
    centre = grid_points(main_routes, 1.0)
    dirs, _ = timed("path_directions on main routes", lambda: path_directions(main_routes, centre))
    esc, t_sc = timed(
        "semicylindrical_illuminance, main routes (both ways)",
        lambda: semicylindrical_illuminance(centre, lums, view_directions=dirs),
    )
    print(f"  {len(centre):,} points -> {len(centre) / t_sc:,.0f} points/s; "
          f"E_sc avg {esc.mean():.2f} lx, min {esc.min():.2f} lx")

    # a large area over the whole lattice: 1000 x 540 m, 1 m grid, same lights
    area = shapely.box(0, 0, 1000, 540)
    apts = grid_points(area, 1.0)
    _, t_area = timed(
        "horizontal_illuminance, 1000 x 540 m area, 1 m grid",
        lambda: horizontal_illuminance(apts, lums),
        repeat=1,
    )
    print(f"  {len(apts):,} points -> {len(apts) / t_area:,.0f} points/s")
    print(f"total for the 10 km network (grid + E_h): {(t_grid + t_e) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
