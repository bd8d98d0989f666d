"""Parallel check benchmark: ``check --jobs 1`` against ``--jobs 2`` (and more) on a synthetic
plan, with the machine's core count, the load while it ran and the CPU time spent.

Each run is what ``inclusiecheck check PLAN -f json`` does: read and normalise the plan,
evaluate every built-in rule set, render report.json (with ``--jobs`` > 1: forked workers
once the plan is read on Linux, else spawned ones that start while it is read; a large
report's lines rendered in two processes). The JSON of every run is compared byte for byte with the first. The figures are the
best of ``--repeat`` runs; on a machine shared with other work they are noisy (the load
average is printed): compare them only with a quiet machine's.

Run: ``python benchmarks/bench_jobs.py [--features 20000] [--jobs 1,2] [--repeat 2]
[--plan PLAN]``
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synth import make_plan  # noqa: E402

from inclusiecheck.api import check  # noqa: E402
from inclusiecheck.engine.loader import resolve_selectors  # noqa: E402
from inclusiecheck.report import RenderOptions  # noqa: E402
from inclusiecheck.report.json_report import render_json  # noqa: E402


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _evaluate(plan: Path, jobs: int, sets: list) -> tuple[float, float]:
    """The evaluation alone (the plan read before; spawned workers started before, forked
    ones are forked inside): wall and CPU seconds of ``evaluate`` or ``evaluate_parallel``."""
    import datetime as dt

    from inclusiecheck.api import load_model
    from inclusiecheck.engine.evaluate import evaluate, rules_in_force
    from inclusiecheck.engine.parallel import evaluate_parallel, fork_available, worker_pool

    model = load_model(plan)
    day = model.meta.permit_date or dt.date.today()
    rules = rules_in_force(sets, day)
    if jobs == 1:
        cpu, start = _cpu_seconds(), time.perf_counter()
        evaluate(model, rules, date=day)
        return time.perf_counter() - start, _cpu_seconds() - cpu
    if fork_available():   # the workers are forked inside, once the regimes are decided
        cpu, start = _cpu_seconds(), time.perf_counter()
        evaluate_parallel(model, rules, date=day, jobs=jobs)
        return time.perf_counter() - start, _cpu_seconds() - cpu
    with worker_pool(jobs) as pool:
        pool.submit(int).result()   # the workers are up
        time.sleep(1.0)             # and have imported the engine
        cpu, start = _cpu_seconds(), time.perf_counter()
        evaluate_parallel(model, rules, date=day, jobs=jobs, pool=pool)
        wall = time.perf_counter() - start
    return wall, _cpu_seconds() - cpu


def _run(plan: Path, jobs: int, sets: list) -> tuple[float, float, bytes, int]:
    cpu = _cpu_seconds()
    start = time.perf_counter()
    report = check(plan, rulesets=sets, jobs=jobs)
    # as `check -f json` writes it (a large report's lines in two processes with --jobs 2)
    json_bytes = render_json(report, RenderOptions(lang=report.lang, jobs=jobs))
    return time.perf_counter() - start, _cpu_seconds() - cpu, json_bytes, len(report.findings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--features", type=int, default=20_000)
    parser.add_argument("--jobs", default="1,2", help="comma list, e.g. 1,2,4")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--plan", type=Path, help="check this plan instead of a synthetic one "
                        "(e.g. a city of benchmarks/synth.py with full=True)")
    args = parser.parse_args()
    jobs_list = [int(j) for j in args.jobs.split(",")]
    cores = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    print(f"cores: {cores} (usable by this process: {usable}); load average before: "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp:
        plan = args.plan or make_plan(Path(tmp), args.features)
        sets = resolve_selectors(None)
        best: dict[int, tuple[float, float]] = {}
        best_eval: dict[int, tuple[float, float]] = {}
        reference: bytes | None = None
        for _round in range(args.repeat):
            for jobs in jobs_list:
                wall, cpu, json_bytes, listed = _run(plan, jobs, sets)
                if reference is None:
                    reference = json_bytes
                elif json_bytes != reference:
                    raise SystemExit(f"--jobs {jobs}: report.json differs from the first run")
                if jobs not in best or wall < best[jobs][0]:
                    best[jobs] = (wall, cpu)
                e_wall, e_cpu = _evaluate(plan, jobs, sets)
                if jobs not in best_eval or e_wall < best_eval[jobs][0]:
                    best_eval[jobs] = (e_wall, e_cpu)
                print(f"  --jobs {jobs}: end to end {wall:6.1f} s wall, {cpu:6.1f} s CPU "
                      f"({listed} findings listed); evaluation {e_wall:6.1f} s wall, "
                      f"{e_cpu:6.1f} s CPU", flush=True)
    print(f"{args.plan or f'{args.features} features'}, best of {args.repeat}, every report.json byte-identical; "
          f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    for title, table in (("end to end (read + evaluate + report.json)", best),
                         ("evaluation only (plan read, workers started)", best_eval)):
        base = table[jobs_list[0]][0]
        print(title)
        for jobs in jobs_list:
            wall, cpu = table[jobs]
            print(f"  --jobs {jobs}: {wall:6.1f} s ({wall / base:.2f}x of --jobs "
                  f"{jobs_list[0]}), CPU {cpu:6.1f} s")


if __name__ == "__main__":
    main()
