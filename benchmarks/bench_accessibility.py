"""Benchmark: read vs evaluate of the accessibility rule sets, and clear-width scaling.

For synthetic plans of N features (``benchmarks/synth.py``: a street grid with sidewalk
polygons and centre lines, obstacles standing in the sidewalks, lights, benches, crossings,
ramps, stops, entrances) it prints per N:

* ``read``: GeoPackage -> normalised site model (best of the reads made),
* ``evaluate``: the accessibility rule sets together (voetgangerswegen, publiek-domein and,
  when present, toegankelijkheidsverordening) on a freshly read model, and the ratio
  evaluate / read (issue 4 target: at most 2). The evaluation freezes the site model
  (``gc.freeze()``) so that CPython's cyclic garbage collector does not re-scan it while
  rules run,
* ``clear width``: the clear-width measure alone over every walkway of a fresh model and
  context (nothing cached; includes the spatial indexes, footprints and the batch profile
  computation), and per walkway: equal times per walkway across N mean linear scaling (each
  walkway meets only the obstacles the spatial index returns for it, never all of them).

With ``--per-set`` each rule set is also evaluated alone (on its own fresh model).
Times are wall-clock (``time.perf_counter``); ``--repeat R`` keeps the best of R runs.

Run: ``python benchmarks/bench_accessibility.py [N ...] [--repeat R] [--per-set]``
(default N: 10k, 50k, 100k).
"""

from __future__ import annotations

import argparse
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


def _timed_read(path: Path, reads: list[float]):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    model = load_model(path)
    reads.append(time.perf_counter() - t0)
    return model


def _timed_evaluate(path: Path, names: list[str], reads: list[float]) -> tuple[float, int, int]:
    """Evaluate ``names`` together on a freshly read model; (seconds, rules, fails)."""
    model = _timed_read(path, reads)
    rules = rules_in_force(resolve_selectors(names), DAY)
    t0 = time.perf_counter()
    result = evaluate(model, rules, date=DAY)
    seconds = time.perf_counter() - t0
    fails = sum(1 for f in result.findings if f.outcome.value == "fail")
    return seconds, len(rules), fails


def run(n: int, names: list[str], repeat: int, per_set: bool) -> float:
    """Print one block of figures for a plan of ``n`` features; return ms per walkway."""
    with tempfile.TemporaryDirectory() as tmp:
        path = make_plan(Path(tmp), n)
        reads: list[float] = []
        evals, cws = [], []
        n_rules = fails = 0
        for _ in range(repeat):
            seconds, n_rules, fails = _timed_evaluate(path, names, reads)
            evals.append(seconds)
            # clear width alone: fresh model and context, nothing cached
            model = _timed_read(path, reads)
            walkways = model.features("walkway")
            ctx = CheckContext(model, DAY, "nl", MEASURES, DERIVED)
            t0 = time.perf_counter()
            measured = sum(1 for w in walkways if ctx.value(w, "clear_width_m") is not None)
            cws.append(time.perf_counter() - t0)
        read_s, eval_s, cw_s = min(reads), min(evals), min(cws)
        per_ms = 1000 * cw_s / max(len(walkways), 1)
        print(f"N={len(model):>7} features ({len(walkways)} walkways, "
              f"{len(model.features('obstacle'))} obstacles)")
        print(f"    read                 {read_s:7.2f} s")
        print(f"    evaluate             {eval_s:7.2f} s  ratio evaluate/read "
              f"{eval_s / read_s:4.2f}  ({n_rules} rules, {fails} fails; {'+'.join(names)})")
        print(f"    clear width          {cw_s:7.2f} s  on {measured} walkways: "
              f"{per_ms:.3f} ms per walkway")
        if per_set:
            for name in names:
                seconds, count, set_fails = _timed_evaluate(path, [name], reads)
                print(f"    evaluate {name:<28} {count:>3} rules {seconds:6.2f} s "
                      f"(x{seconds / read_s:4.2f} read) {set_fails:>6} fails")
        return per_ms


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000, 50_000, 100_000])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--per-set", action="store_true")
    args = parser.parse_args(argv)
    names = available_sets()
    per = [run(n, names, max(1, args.repeat), args.per_set) for n in args.sizes]
    if len(per) > 1:
        print(f"clear width, time per walkway largest / smallest N: {per[-1] / per[0]:.2f} "
              "(1.00 = linear)")


if __name__ == "__main__":
    main()
