"""Benchmark: the social-safety rules through the rule engine, on a synthetic plan.

Run from the repository root: ``PYTHONPATH=. python benchmarks/bench_safety.py`` (or after
``pip install -e .``). Writes a synthetic GeoJSON plan into a temporary folder and runs
``inclusiecheck.check`` on it with rules of the ``sociale-veiligheid`` set:

- lighting: 10 km of walkways (200 lines of 50 m, 2 m wide) with 500 lights (SV-01 evening,
  SV-02 night with half the lights switched off at 01:00);
- sightlines: 1,000 stops among 10,000 obstacles (buildings and walls over 2 km x 2 km), one
  isovist each (SV-06: radius 25 m, 360 rays);
- for scale: the hidden-corner search on the 10 km, and the whole rule set.

Prints seconds only (wall clock, best of ``REPEAT``); each run reads the plan afresh, so the
per-run caches (luminaires, occluder index) are rebuilt and included.
"""

from __future__ import annotations

import json
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from inclusiecheck.api import check, load_model
from inclusiecheck.engine.loader import RuleSet
from inclusiecheck.testing import rulesets_at

RULES = Path(__file__).resolve().parents[1] / "rules" / "sociale-veiligheid"
X0, Y0 = 150000.0, 200000.0
AREA_M = 2_000.0
N_WALKWAYS = 200  # x 50 m = 10 km
N_LIGHTS = 500
N_OBSTACLES = 10_000
N_STOPS = 1_000
REPEAT = 3


def _feature(layer: str, fid: str, geometry: dict[str, Any], **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"layer": layer, "id": fid, **props},
            "geometry": geometry}


def synthetic_plan(rng: np.random.Generator) -> list[dict[str, Any]]:
    """Walkways on a grid, lights beside them, random obstacles and stops."""
    feats: list[dict[str, Any]] = []
    # 200 walkways of 50 m: 20 rows of 10 segments, rows 100 m apart (10 km)
    for i in range(N_WALKWAYS):
        row, col = divmod(i, 10)
        x, y = X0 + 500 + col * 50.0, Y0 + 500 + row * 50.0
        feats.append(_feature("walkway", f"w{i}", {"type": "LineString",
                                                   "coordinates": [[x, y], [x + 50.0, y]]},
                              kind="sidewalk", width_m=2.0))
    # 500 lights every 20 m, 2 m beside the walkways; every other one off 00:00-05:00
    for i in range(N_LIGHTS):
        row, k = divmod(i, 25)
        x, y = X0 + 500 + k * 20.0, Y0 + 500 + row * 50.0 + 2.0
        props: dict[str, Any] = {"mounting_height_m": 5.0, "luminous_flux_lm": 4000}
        if i % 2:
            props["off_hours"] = "00:00-05:00"
        feats.append(_feature("light", f"l{i}", {"type": "Point", "coordinates": [x, y]},
                              **props))
    # 10,000 obstacles: small rotated buildings, 10 % drawn as walls (lines), away from paths
    cx = rng.uniform(0, AREA_M, N_OBSTACLES)
    cy = rng.uniform(0, AREA_M, N_OBSTACLES)
    w, h = rng.uniform(1, 6, N_OBSTACLES), rng.uniform(0.5, 4, N_OBSTACLES)
    ang = rng.uniform(0, np.pi, N_OBSTACLES)
    corners = np.array([[-0.5, -0.5], [0.5, -0.5], [0.5, 0.5], [-0.5, 0.5]])
    for i in range(N_OBSTACLES):
        c, s = np.cos(ang[i]), np.sin(ang[i])
        local = corners * [w[i], h[i]]
        xs = X0 + cx[i] + local[:, 0] * c - local[:, 1] * s
        ys = Y0 + cy[i] + local[:, 0] * s + local[:, 1] * c
        ring = [[float(a), float(b)] for a, b in zip(xs, ys)]
        if i < N_OBSTACLES // 10:
            feats.append(_feature("wall", f"o{i}", {"type": "LineString",
                                                    "coordinates": ring[:2]}, height_m=2.0))
        else:
            feats.append(_feature("building", f"o{i}", {"type": "Polygon",
                                                        "coordinates": [ring + [ring[0]]]}))
    # 1,000 stops spread over the area
    sx = rng.uniform(100, AREA_M - 100, N_STOPS)
    sy = rng.uniform(100, AREA_M - 100, N_STOPS)
    for i in range(N_STOPS):
        feats.append(_feature("stop", f"s{i}", {"type": "Point",
                                                "coordinates": [X0 + sx[i], Y0 + sy[i]]},
                              mode="bus"))
    return feats


def only(ruleset: RuleSet, ids: set[str]) -> RuleSet:
    return replace(ruleset, rules=[r for r in ruleset.rules if r.id in ids])


def timed(plan: Path, ruleset: RuleSet, repeat: int = REPEAT) -> tuple[float, float, int]:
    """Best-of-``repeat`` seconds of (read, check) and the number of findings listed."""
    best_read = best_check = float("inf")
    n = 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        model = load_model(plan, crs="EPSG:31370")
        t1 = time.perf_counter()
        report = check(plan, model=model, rulesets=[ruleset], date="2026-01-01")
        t2 = time.perf_counter()
        best_read, best_check = min(best_read, t1 - t0), min(best_check, t2 - t1)
        n = len(report.findings)
    return best_read, best_check, n


def main() -> None:
    rng = np.random.default_rng(7)
    (ruleset,) = rulesets_at(RULES)
    with tempfile.TemporaryDirectory() as tmp:
        plan = Path(tmp) / "synthetic.geojson"
        plan.write_text(json.dumps({
            "type": "FeatureCollection",
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::31370"}},
            "features": synthetic_plan(rng)}))
        print(f"plan: {N_WALKWAYS} walkways ({N_WALKWAYS * 50 / 1000:.0f} km), {N_LIGHTS} lights, "
              f"{N_OBSTACLES} obstacles, {N_STOPS} stops; GeoJSON "
              f"{plan.stat().st_size / 1e6:.1f} MB")
        cases = [
            ("lighting SV-01 (evening; walkways + stops)", {"SV-01"}),
            ("lighting SV-02 (night 01:00; walkways + stops)", {"SV-02"}),
            ("sightlines SV-06 (1,000 stop isovists among 10,000 obstacles)", {"SV-06"}),
            ("SV-01 + SV-02 + SV-06 together", {"SV-01", "SV-02", "SV-06"}),
            ("hidden corners SV-04 on the 10 km (isovists every 2 m, 360 rays; one run)",
             {"SV-04"}),
            ("the whole sociale-veiligheid set (one run)", {r.id for r in ruleset.rules}),
        ]
        for label, ids in cases:
            read_s, check_s, n = timed(plan, only(ruleset, ids),
                                       repeat=1 if "one run" in label else REPEAT)
            print(f"{label}: {check_s:.2f} s through inclusiecheck.check "
                  f"(+ {read_s:.2f} s reading the plan; {n} findings listed)")


if __name__ == "__main__":
    main()
