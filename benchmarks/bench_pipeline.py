"""Pipeline benchmark: read time, evaluation time and features per second for synthetic plans
of 1k, 10k and 100k features (all built-in rule sets).

Run: ``python benchmarks/bench_pipeline.py [N ...]``
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synth import make_plan  # noqa: E402

import inclusiecheck  # noqa: E402
from inclusiecheck.api import load_model  # noqa: E402
from inclusiecheck.engine.loader import resolve_selectors  # noqa: E402
from inclusiecheck.report import RenderOptions, get_format  # noqa: E402


def run(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = make_plan(Path(tmp), n)
        t0 = time.perf_counter()
        model = load_model(path)
        t1 = time.perf_counter()
        sets = resolve_selectors(None)
        t2 = time.perf_counter()
        report = inclusiecheck.check(path, model=model, rulesets=sets)
        t3 = time.perf_counter()
        json_bytes = get_format("json").render(report, RenderOptions())
        t4 = time.perf_counter()
        nf = len(model)
        rules = sum(len(s.rules) for s in sets)
        print(f"{nf:>7} features | read {t1 - t0:6.2f} s ({nf / (t1 - t0):8.0f} f/s) | "
              f"rules load {t2 - t1:5.2f} s ({rules} rules) | evaluate {t3 - t2:6.2f} s "
              f"({nf / (t3 - t2):8.0f} f/s) | json {t4 - t3:5.2f} s "
              f"({len(report.findings)} findings listed, {len(json_bytes) / 1e6:.1f} MB)")


if __name__ == "__main__":
    sizes = [int(a) for a in sys.argv[1:]] or [1_000, 10_000, 100_000]
    for n in sizes:
        run(n)
