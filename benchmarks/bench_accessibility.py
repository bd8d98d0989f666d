"""Benchmark: read vs evaluate of the accessibility rule sets, and clear-width scaling.

For synthetic plans of N features (``benchmarks/synth.py``: a street grid with sidewalk
polygons and centre lines, obstacles standing in the sidewalks, lights, benches, crossings,
ramps, stops, entrances) it prints:

* the read time (GeoPackage -> normalised site model),
* the evaluation time of the accessibility rule sets (voetgangerswegen, publiek-domein and,
  when present, toegankelijkheidsverordening), alone and together, with the ratio
  evaluate / read (target: at most 2),
* the time of the clear-width measure alone over every walkway (fresh context, so nothing is
  cached), per walkway: equal times per walkway across N mean linear scaling (each walkway is
  measured against the obstacles the spatial index returns for it, never all of them).

Run: ``python benchmarks/bench_accessibility.py [N ...]`` (default 10k, 50k, 100k).
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))

from synth import make_plan  # noqa: E402

from inclusiecheck.api import load_model  # noqa: E402
from inclusiecheck.engine.checks.api import CheckContext  # noqa: E402
from inclusiecheck.engine.evaluate import evaluate, rules_in_force  # noqa: E402
from inclusiecheck.engine.loader import resolve_selectors  # noqa: E402
from inclusiecheck.engine.measures import MEASURES  # noqa: E402
from inclusiecheck.engine.scopes import DERIVED  # noqa: E402

SETS = ("voetgangerswegen", "publiek-domein", "toegankelijkheidsverordening")
DAY = dt.date(2026, 11, 1)


def available_sets() -> list[str]:
    return [name for name in SETS if (ROOT / "rules" / name / "ruleset.yaml").is_file()]


def run(n: int, names: list[str]) -> float:
    """Print one block of figures for a plan of ``n`` features; return ms per walkway."""
    with tempfile.TemporaryDirectory() as tmp:
        path = make_plan(Path(tmp), n)
        t0 = time.perf_counter()
        model = load_model(path)
        read_s = time.perf_counter() - t0
        nf = len(model)
        walkways = model.features("walkway")
        print(f"N={nf:>7} features ({len(walkways)} walkways, "
              f"{len(model.features('obstacle'))} obstacles) | read {read_s:6.2f} s")
        # clear width alone, fresh context, nothing cached
        ctx = CheckContext(model, DAY, "nl", MEASURES, DERIVED)
        t0 = time.perf_counter()
        measured = sum(1 for w in walkways if ctx.value(w, "clear_width_m") is not None)
        cw_s = time.perf_counter() - t0
        per_ms = 1000 * cw_s / max(len(walkways), 1)
        print(f"    clear_width_m on {measured} walkways: {cw_s:6.2f} s "
              f"({per_ms:.3f} ms per walkway)")
        total = 0.0
        for name in [*names, "+".join(names)]:
            sets = resolve_selectors(name.split("+"))
            rules = rules_in_force(sets, DAY)
            fresh = load_model(path) if name != names[0] else model
            # a fresh model per set so that each timing includes its own measures and indexes
            t0 = time.perf_counter()
            result = evaluate(fresh, rules, date=DAY)
            ev_s = time.perf_counter() - t0
            fails = sum(1 for f in result.findings if f.outcome.value == "fail")
            if "+" not in name:
                total += ev_s
            print(f"    evaluate {name:<55} {len(rules):>3} rules {ev_s:6.2f} s "
                  f"(x{ev_s / read_s:4.2f} read) {fails:>6} fails")
        return per_ms


def main(sizes: list[int]) -> None:
    names = available_sets()
    per = [run(n, names) for n in sizes]
    if len(per) > 1:
        print(f"clear width, time per walkway largest / smallest N: {per[-1] / per[0]:.2f} "
              "(1.00 = linear)")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10_000, 50_000, 100_000])
