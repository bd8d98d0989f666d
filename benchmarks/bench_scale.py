"""Scale benchmark (issue 16): ``check --format json`` against the raw fiona read, in one run.

On a synthetic city (``synth.make_plan(..., full=True)``: walkways, crossings, lights,
benches, stops, entrances, ramps, toilets, squares, buildings, walls, vegetation, parking,
underpasses) of ``--features`` features (default 60,000), or on any plan given as PLAN (a
GeoPackage, a folder, an OSM extract), this script measures:

1. the raw read of the same file with fiona (every layer, every record: the reference);
2. ``inclusiecheck check PLAN --format json`` end to end, each in its own process:
   (a) every accessibility set together (every built-in set except ``sociale-veiligheid``),
   (b) every built-in set, (c) each set alone;

and prints each as seconds and as a ratio to the fiona read, with the peak memory (maximum
resident set) of each process and the phases (read + normalise, evaluate, write). The run
(b) also times every rule's check calls (CPU time); the slowest are listed. The issue's targets
(printed, not asserted): (a) <= 5x, (b) <= 30x, peak memory <= 1 GB at 60k features.

The measured package is compiled to bytecode first (as ``pip install`` does; see
:func:`ensure_bytecode`), so that a checkout under ``PYTHONDONTWRITEBYTECODE`` is measured as
an installed copy runs.

Every measurement runs on ONE core: the script pins itself (and so its child processes) to
the first CPU it may use, and prints ``os.cpu_count()`` and the affinity before and after.

Run from the repository root::

    PYTHONPATH=. python benchmarks/bench_scale.py                 # 60k-feature city
    PYTHONPATH=. python benchmarks/bench_scale.py --features 12000 --no-per-set
    PYTHONPATH=. python benchmarks/bench_scale.py path/to/extract.gpkg
    PYTHONPATH=. python benchmarks/bench_scale.py --features 500000 --no-per-set --runs b
    PYTHONPATH=. python benchmarks/bench_scale.py --no-per-set --repeat 3   # a noisy machine

The city is cached in ``--cache`` (default: the system's temporary folder) and reused; the
code measured is whatever ``inclusiecheck`` the child processes import (``PYTHONPATH``).
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SOCIAL = "sociale-veiligheid"
TARGETS = {"accessibility": 5.0, "all": 30.0}
MEMORY_TARGET_MB = 1024.0


# ------------------------------------------------------------------------------------------
# Child processes (run with --child ...)
# ------------------------------------------------------------------------------------------

def _child_fiona(plan: str, out: str) -> None:
    """Read every record of every layer with fiona; write the time (imports excluded)."""
    import fiona

    t0, c0 = time.perf_counter(), time.process_time()
    records = 0
    for path in _plan_files(Path(plan)):
        for layer in fiona.listlayers(path):
            with fiona.open(path, layer=layer) as src:
                for _ in src:
                    records += 1
    Path(out).write_text(json.dumps({"seconds": time.perf_counter() - t0,
                                     "cpu_seconds": time.process_time() - c0,
                                     "records": records}))


def _plan_files(plan: Path) -> list[Path]:
    if plan.is_file():
        return [plan]
    suffixes = (".gpkg", ".geojson", ".json", ".shp", ".fgb", ".pbf", ".osm")
    return sorted(p for p in plan.iterdir()
                  if p.suffix.lower() in suffixes and not p.name.startswith("."))


def _child_check(out: str, rule_times: bool, argv: list[str]) -> None:
    """Run the CLI in this process with phase (and per-rule) timers; write them to ``out``."""
    t_start = time.perf_counter()
    from inclusiecheck import api, cli

    phases: dict[str, float] = {}

    def timed(module: Any, name: str, phase: str) -> None:
        original = getattr(module, name, None)
        if original is None:
            return

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            t0 = time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                phases[phase] = phases.get(phase, 0.0) + time.process_time() - t0

        setattr(module, name, wrapper)

    timed(api, "load_model", "read_normalise")
    timed(api, "evaluate", "evaluate")
    timed(cli, "write_outputs", "write")
    per_rule: dict[str, float] = {}
    calls: dict[str, int] = {}
    if rule_times:
        _time_rules(per_rule, calls)
    t_imported = time.perf_counter()
    sys.argv = ["inclusiecheck", "check", *argv]
    code = [0]
    main = cli.main

    def main_code() -> None:
        try:
            main()
        except SystemExit as exc:
            code[0] = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            raise

    def write_figures() -> None:
        Path(out).write_text(json.dumps({
            "seconds_in_process": time.perf_counter() - t_start,
            "imports": t_imported - t_start, "phases": phases, "exit_code": code[0],
            "rules": per_rule, "calls": calls}))

    # the console script's way to end (cli.run: no teardown of the heap), the figures
    # written by an atexit handler on the way out
    atexit.register(write_figures)
    cli.main = main_code
    cli.run()


def _time_rules(per_rule: dict[str, float], calls: dict[str, int]) -> None:
    """Time every call of every rule's check (by rule id); a no-op if the hooks moved."""
    try:
        from inclusiecheck.engine import evaluate
        from inclusiecheck.engine.checks.api import CheckType
    except ImportError:
        return
    owner: dict[int, str] = {}
    order = getattr(evaluate, "run_order", None)
    if order is None:
        return

    def run_order(rules: Any) -> Any:
        ordered = order(rules)
        for rule in ordered:
            owner[id(rule.params)] = rule.spec.id
        return ordered

    evaluate.run_order = run_order   # type: ignore[attr-defined]
    run, run_many = CheckType.run, CheckType.run_many
    inside = [0]   # a batch check's run() goes through run_many(): time it once

    def timed_run(self: Any, feature: Any, params: Any, ctx: Any) -> Any:
        t0 = time.process_time()
        inside[0] += 1
        try:
            return run(self, feature, params, ctx)
        finally:
            inside[0] -= 1
            key = owner.get(id(params), self.name)
            per_rule[key] = per_rule.get(key, 0.0) + time.process_time() - t0
            calls[key] = calls.get(key, 0) + 1

    def timed_run_many(self: Any, features: Any, params: Any, ctx: Any) -> Any:
        if inside[0] or not self.batch:   # a plain check's features go through run()
            return run_many(self, features, params, ctx)
        t0 = time.process_time()
        try:
            return run_many(self, features, params, ctx)
        finally:
            key = owner.get(id(params), self.name)
            per_rule[key] = per_rule.get(key, 0.0) + time.process_time() - t0
            calls[key] = calls.get(key, 0) + len(features)

    CheckType.run = timed_run   # type: ignore[method-assign]
    CheckType.run_many = timed_run_many   # type: ignore[method-assign]


# ------------------------------------------------------------------------------------------
# Parent
# ------------------------------------------------------------------------------------------

def _spawn(args: list[str]) -> tuple[float, float, float, int]:
    """Run ``python bench_scale.py --child ...``: wall seconds, CPU seconds (user + system),
    peak resident set (MB) and exit status of that process alone (``os.wait4``)."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", *args]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0, proc.returncode


def builtin_sets() -> list[str]:
    from inclusiecheck.engine.loader import builtin_rules_dir

    return sorted(p.name for p in builtin_rules_dir().iterdir()
                  if (p / "ruleset.yaml").is_file())


def city_plan(n: int, seed: int, cache: Path, rebuild: bool) -> Path:
    folder = cache / f"inclusiecheck-city-{n}-seed{seed}"
    plan = folder / "plan.gpkg"
    if plan.is_file() and not rebuild:
        return plan
    sys.path.insert(0, str(HERE))
    from synth import make_plan

    t0 = time.perf_counter()
    make_plan(folder, n, seed=seed, full=True)
    print(f"built the city plan in {time.perf_counter() - t0:.1f} s: {plan}", flush=True)
    return plan


def pin_one_core(enabled: bool) -> str:
    before = sorted(os.sched_getaffinity(0))
    text = f"os.cpu_count() = {os.cpu_count()}, usable CPUs {len(before)} {before}"
    if enabled and len(before) > 1:
        os.sched_setaffinity(0, {before[0]})
    after = sorted(os.sched_getaffinity(0))
    return f"{text}; measured on {len(after)} core(s) {after}"


def ensure_bytecode() -> str:
    """Compile the measured package's modules to bytecode (``__pycache__``), as ``pip install``
    does: an editable install under ``PYTHONDONTWRITEBYTECODE`` (this machine sets it) would
    otherwise compile about 90 modules from source in every measured process (about 0.1 s of
    CPU that no installed copy spends). Returns a line for the printout."""
    import compileall

    import inclusiecheck

    package = Path(inclusiecheck.__file__).resolve().parent
    flag = " (PYTHONDONTWRITEBYTECODE is set)" if os.environ.get("PYTHONDONTWRITEBYTECODE") \
        else ""
    try:
        ok = compileall.compile_dir(str(package), quiet=1)
    except OSError as exc:
        return f"bytecode: not compiled ({exc}){flag}"
    return (f"bytecode: compiled in {package}{flag}" if ok
            else f"bytecode: some modules did not compile in {package}{flag}")


def best_of(repeat: int, measure: Any) -> dict[str, Any]:
    """The row of the quickest (CPU) of ``repeat`` runs of ``measure()``; each run is
    printed, and the kept one again when there were several."""
    rows = [measure() for _ in range(max(1, repeat))]
    best = min(rows, key=lambda r: r["cpu_seconds"])
    if len(rows) > 1:
        print(f"  kept the quickest of {len(rows)}: {best['cpu_seconds']:.1f} s CPU, "
              f"{best['cpu_ratio']:.1f}x", flush=True)
    return best


def measure_check(plan: Path, sets: list[str], work: Path, label: str, fiona: dict[str, Any],
                  rule_times: bool = False, extra: list[str] | None = None) -> dict[str, Any]:
    out = work / f"{label}.timing.json"
    report_dir = work / f"{label}.report"
    argv = [str(plan), "--format", "json", "-o", str(report_dir), "-q", "--fail-on", "never",
            *[a for s in sets for a in ("-r", s)], *(extra or [])]
    wall, cpu, rss, code = _spawn(["check", str(out), "1" if rule_times else "0", *argv])
    info = json.loads(out.read_text()) if out.is_file() else {}
    report = report_dir / "report.json"
    size = report.stat().st_size if report.is_file() else 0
    row = {"label": label, "sets": sets, "seconds": wall, "ratio": wall / fiona["seconds"],
           "cpu_seconds": cpu, "cpu_ratio": cpu / fiona["cpu_seconds"], "peak_mb": rss,
           "exit": code, "json_mb": size / 1e6, **info}
    phases = info.get("phases", {})
    phase_text = "CPU " + ", ".join(f"{k} {v:.1f}" for k, v in phases.items())
    print(f"{label:<30} {wall:7.1f} s {row['ratio']:6.1f}x {cpu:7.1f} s {row['cpu_ratio']:6.1f}x "
          f"{rss:6.0f} MB  [{phase_text}; json {size / 1e6:.1f} MB]"
          f"{'' if code == 0 else f' EXIT {code}'}", flush=True)
    return row


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        kind = argv[1]
        if kind == "fiona":
            _child_fiona(argv[2], argv[3])
        else:
            _child_check(argv[2], argv[3] == "1", argv[4:])
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("plan", nargs="?", help="an existing plan (default: the synthetic city)")
    ap.add_argument("--features", type=int, default=60_000, help="city size (default 60000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()))
    ap.add_argument("--rebuild", action="store_true", help="write the city again")
    ap.add_argument("--no-per-set", action="store_true", help="skip (c), each set alone")
    ap.add_argument("--runs", default="a,b",
                    help="which of (a) the accessibility sets and (b) all sets to run (default "
                         "a,b; e.g. b for a large plan; the targets of a skipped run are not "
                         "printed)")
    ap.add_argument("--sets", help="comma list: only these sets in (c)")
    ap.add_argument("--top", type=int, default=12, help="slowest rules listed (default 12)")
    ap.add_argument("--no-pin", action="store_true", help="do not pin to one core")
    ap.add_argument("--json", type=Path, help="also write every figure to this file")
    ap.add_argument("--mapping", help="-m for the check (e.g. osm)")
    ap.add_argument("--repeat", type=int, default=1,
                    help="run the fiona read, (a) and (b) this many times each and keep the "
                         "quickest of each (CPU): on a shared machine (a VM whose host is "
                         "busy) single runs vary by 20-40 %%")
    args = ap.parse_args(argv)

    cores = pin_one_core(not args.no_pin)
    plan = Path(args.plan) if args.plan else city_plan(args.features, args.seed, args.cache,
                                                        args.rebuild)
    if not plan.exists():
        print(f"no such plan: {plan}", file=sys.stderr)
        return 2
    extra = ["-m", args.mapping] if args.mapping else []
    sets = builtin_sets()
    access = [s for s in sets if s != SOCIAL]
    import inclusiecheck

    print(f"inclusiecheck {inclusiecheck.__version__} from {Path(inclusiecheck.__file__).parent}")
    print(f"python {sys.version.split()[0]}; {cores}")
    print(f"plan: {plan}")
    load = os.getloadavg()
    print(ensure_bytecode())
    print(f"load average at the start: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        work = Path(tmp)
        fiona: dict[str, Any] = {}
        for _ in range(args.repeat):   # the quickest of the repeats (the least disturbed)
            wall, _, rss, code = _spawn(["fiona", str(plan), str(work / "fiona.json")])
            if code != 0:
                print("the fiona read failed", file=sys.stderr)
                return 2
            read = json.loads((work / "fiona.json").read_text())
            if not fiona or read["cpu_seconds"] < fiona["cpu_seconds"]:
                fiona = {**read, "process_seconds": wall, "process_mb": rss}
        quickest = f" (the quickest of {args.repeat})" if args.repeat > 1 else ""
        print(f"\nfiona read: {fiona['records']:,} records in {fiona['seconds']:.2f} s wall, "
              f"{fiona['cpu_seconds']:.2f} s CPU (process {fiona['process_seconds']:.1f} s, "
              f"{fiona['process_mb']:.0f} MB){quickest}\n")
        print(f"{'check --format json':<30} {'wall':>9} {'x fiona':>7} {'CPU':>9} "
              f"{'x fiona':>7} {'peak':>9}")
        runs = {r.strip() for r in args.runs.split(",")}
        a = (best_of(args.repeat, lambda: measure_check(
            plan, access, work, "(a) accessibility sets", fiona, extra=extra))
            if "a" in runs else None)
        b = (best_of(args.repeat, lambda: measure_check(
            plan, sets, work, "(b) all sets", fiona, rule_times=True, extra=extra))
            if "b" in runs else None)
        rows = [r for r in (a, b) if r is not None]
        if not args.no_per_set:
            only = set(args.sets.split(",")) if args.sets else None
            for s in sets:
                if only is None or s in only:
                    rows.append(measure_check(plan, [s], work, f"(c) {s}", fiona,
                                              extra=extra))
    if not rows:
        print("nothing measured (--runs)", file=sys.stderr)
        return 2
    peak = max(r["peak_mb"] for r in rows)

    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    texts = []
    if a is not None:
        texts.append(f"(a) <= {TARGETS['accessibility']:.0f}x: {a['ratio']:.1f}x / "
                     f"{a['cpu_ratio']:.1f}x {verdict(a['ratio'] <= TARGETS['accessibility'])}")
    if b is not None:
        texts.append(f"(b) <= {TARGETS['all']:.0f}x: {b['ratio']:.1f}x / {b['cpu_ratio']:.1f}x "
                     f"{verdict(b['ratio'] <= TARGETS['all'])}")
    texts.append(f"peak memory <= {MEMORY_TARGET_MB:.0f} MB: {peak:.0f} MB "
                 f"{verdict(peak <= MEMORY_TARGET_MB)}")
    print(f"\ntargets (issue 16), wall / CPU: {'; '.join(texts)}")
    load = os.getloadavg()
    print(f"load average at the end: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} (on "
          f"{os.cpu_count()} CPUs; above 1 the wall times include waiting for the CPU)")
    rules = (b or {}).get("rules") or {}
    if b is not None and rules:
        evaluate_s = (b.get("phases") or {}).get("evaluate") or sum(rules.values())
        print(f"\nslowest rules in (b) (CPU seconds in their check calls; evaluate "
              f"{evaluate_s:.1f} s CPU):")
        for rule_id, sec in sorted(rules.items(), key=lambda kv: -kv[1])[:args.top]:
            print(f"  {rule_id:<10} {sec:7.2f} s {100 * sec / evaluate_s:5.1f} %  "
                  f"{b['calls'].get(rule_id, 0):>7} calls")
    if args.json:
        args.json.write_text(json.dumps({"plan": str(plan), "cores": cores, "fiona": fiona,
                                         "runs": rows}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
