"""Sensitivity of the acceptance layout to the light distribution, lamp spacing and height.

Run: /work/venv/bin/python benchmarks/sensitivity_lighting.py

Layout: a 400 m straight park path, 2 m wide (points every 1 m, 3 across), lamps of 4,000 lm
at 4 m height from x = 0 every `spacing` m, placed 1 m beside the path edge (2 m from its
centre line), MF 0.8. "interior" is the stretch 50-350 m, free of end effects (the last lamp
may stand up to one spacing before the path end). Prints Markdown tables for
docs/method-lighting.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from shapely import ops
from shapely.geometry import LineString

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from inclusiecheck.geometry.lighting import (  # noqa: E402
    DISTRIBUTION_NAMES,
    Luminaire,
    lighting_stats,
    meets_class,
    path_directions,
    semicylindrical_illuminance,
)

PATH = LineString([(0.0, 0.0), (400.0, 0.0)])
INTERIOR = ops.substring(PATH, 50.0, 350.0)
P_CLASSES = ("P1", "P2", "P3", "P4", "P5", "P6")


def row(dist: str, spacing: float, height: float) -> str:
    lums = [Luminaire(float(x), -2.0, height, 4000.0, dist) for x in np.arange(0.0, 400.1, spacing)]
    whole = lighting_stats(PATH, lums, width_m=2.0, min_required_lx=1.0)
    inner = lighting_stats(INTERIOR, lums, width_m=2.0)
    best = next((c for c in P_CLASSES if meets_class(inner, c)[0]), "none")
    centre = np.column_stack([np.arange(50.5, 350.0, 1.0), np.zeros(300)])
    esc = semicylindrical_illuminance(centre, lums, view_directions=path_directions(PATH, centre))
    p4 = "pass" if meets_class(whole, "P4")[0] else "fail"
    return (f"| {dist} | {spacing:.0f} | {height:.0f} | {whole.avg_lx:.1f} | {whole.min_lx:.2f} | "
            f"{whole.dark_length_m:.0f} | {p4} | {inner.avg_lx:.1f} | {inner.min_lx:.2f} | "
            f"{inner.max_lx:.1f} | {inner.uniformity:.2f} | {best} | {esc.min():.2f} |")


HEADER = (
    "| distribution | spacing (m) | height (m) | E_avg whole (lx) | E_min whole (lx) | "
    "dark < 1 lx (m) | P4 whole path | E_avg interior (lx) | E_min interior (lx) | "
    "E_max interior (lx) | U0 interior | best P class (interior) | E_sc,min interior (lx) |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
)


def main() -> None:
    print("Distribution x spacing (4 m, 4,000 lm):\n")
    print(HEADER)
    for spacing in (12.0, 24.0, 36.0):
        for dist in DISTRIBUTION_NAMES:
            print(row(dist, spacing, 4.0))
    print("\nMounting height (led_street, 4,000 lm):\n")
    print(HEADER)
    for spacing in (24.0, 36.0):
        for height in (4.0, 5.0, 6.0, 8.0):
            print(row("led_street", spacing, height))


if __name__ == "__main__":
    main()
