"""Whole-report golden files: the findings of the sample, a synthetic benchmark plan and every
built-in rule case, byte for byte, so that a refactor of the engine can show it changed nothing.

``python tests/golden/golden.py --write`` regenerates ``tests/golden/data/*.json.gz``; a
deliberate change of outcomes regenerates them and explains every difference in
``tests/golden/CHANGES.md``. ``tests/golden/test_golden.py`` compares a fresh run with them.

What is compared:

- ``sample.json``: ``inclusiecheck check samples/marktplein --all --format json`` (every
  built-in set), the whole JSON report;
- ``synth.json``: the same on ``benchmarks/synth.make_plan(n=SYNTH_FEATURES, seed=1)``, without
  ``plan.inputs`` (a GeoPackage's bytes carry its write time);
- ``rule-cases.json``: for every case of every built-in rule, every finding of that rule
  (``--all``: passes and not-applicable outcomes too), as the JSON report writes them.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DATA = HERE / "data"
SAMPLE = ROOT / "samples" / "marktplein"
SYNTH_FEATURES = 800
#: a fixed day for plans without a permit date, so the rule versions in force do not drift
DAY = dt.date(2026, 12, 1)


def _report_bytes(plan: Path, *, drop_inputs: bool = False) -> bytes:
    from inclusiecheck.api import check
    from inclusiecheck.report.json_report import dumps, report_dict

    report = check(plan, list_all=True, date=DAY)
    data = report_dict(report)
    if drop_inputs:
        data["plan"].pop("inputs", None)
    return dumps(data)


def sample_bytes() -> bytes:
    return _report_bytes(SAMPLE)


def synth_bytes() -> bytes:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from synth import make_plan
    finally:
        sys.path.pop(0)
    with tempfile.TemporaryDirectory() as tmp:
        path = make_plan(Path(tmp), SYNTH_FEATURES, seed=1)
        return _report_bytes(path, drop_inputs=True)


def rule_case_bytes() -> bytes:
    """Every finding of every built-in rule on its own cases, one JSON line per case."""
    from inclusiecheck.engine.loader import builtin_rules_dir
    from inclusiecheck.report.json_report import finding_dict
    from inclusiecheck.testing import collect_case_findings

    lines = []
    for (rule_id, case_file), findings in collect_case_findings(builtin_rules_dir()):
        items = [finding_dict(f) for f in findings]
        lines.append(json.dumps({"rule": rule_id, "case": case_file, "findings": items},
                                ensure_ascii=False, sort_keys=False, allow_nan=False))
    return ("\n".join(lines) + "\n").encode("utf-8")


BUILDERS = {"sample.json": sample_bytes, "synth.json": synth_bytes,
            "rule-cases.json": rule_case_bytes}


def stored(name: str) -> bytes:
    return gzip.decompress((DATA / f"{name}.gz").read_bytes())


def write(name: str, content: bytes) -> None:
    DATA.mkdir(parents=True, exist_ok=True)
    # mtime=0 and no file name in the header: the .gz bytes depend on the content only
    with open(DATA / f"{name}.gz", "wb") as raw, \
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
        gz.write(content)


def first_difference(old: bytes, new: bytes, context: int = 2) -> str:
    """A short description of where two golden files part (line number and the lines)."""
    a, b = old.decode("utf-8").splitlines(), new.decode("utf-8").splitlines()
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return f"line {i + 1}:\n  golden: {x[:600]}\n  now:    {y[:600]}"
    return f"lengths differ: golden {len(a)} lines, now {len(b)} lines"


def main(argv: list[str]) -> int:
    names = [a for a in argv if not a.startswith("-")] or list(BUILDERS)
    for name in names:
        content = BUILDERS[name]()
        if "--write" in argv:
            write(name, content)
            print(f"wrote {DATA / name}.gz ({len(content):,} bytes)")
        else:
            same = (DATA / f"{name}.gz").is_file() and stored(name) == content
            print(f"{name}: {'identical' if same else 'DIFFERENT'}")
            if not same and (DATA / f"{name}.gz").is_file():
                print(first_difference(stored(name), content))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main(sys.argv[1:]))
