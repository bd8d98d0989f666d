"""Benchmark: discover, load, validate and bind 1,000 small rule files; ``rules test`` overhead.

Run: ``/work/venv/bin/python benchmarks/bench_rules_load.py [N]``. Writes N rule folders (in
sets of 100) with one case each into a temporary folder and prints:

- the time of ``validate_folder`` (discovery + YAML load with libyaml's CSafeLoader +
  pydantic validation + check-type binding) and of ``resolve_selectors`` on the same tree;
- the split of one load into YAML parsing and validation + binding;
- the time of the case runner (``run_cases``: load + read fixture + evaluate, per rule).

The target is well under a second for 1,000 rule files.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

RULESET = """name: bench-{i:02d}
version: "1.0"
title: {{nl: Bench {i}, en: Bench {i}}}
publisher: bench
default: false
"""
RULE = """id: BE{s:02d}-{n:03d}
name: walkway.width_{n}
title: {{nl: Breedte {n}, en: Width {n}}}
description: {{nl: Een voetpad is breed genoeg., en: A sidewalk is wide enough.}}
pillar: accessibility
level: recommendation
structural: true
source: {{document: Benchmark guidance, article: "Art. {n}", url: "https://example.org/{n}",
          kind: guidance, confidence: med}}
applies_to:
  layer: walkway
  where: {{kind: [sidewalk, footpath]}}
check:
  type: threshold
  params: {{property: width_m, min: 1.5, warn_min: 1.8, unit: m}}
message: {{nl: "Breedte {{measured}} m; minstens {{required}} m.",
          en: "Width {{measured}} m; at least {{required}} m."}}
advice: {{nl: Verbreed het voetpad., en: Widen the sidewalk.}}
tags: [walkway, width]
"""
CASES = """cases:
  - file: case.geojson
    expect: {ok: pass, narrow: fail}
"""
FIXTURE = """{"type": "FeatureCollection",
 "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::31370"}},
 "features": [
  {"type": "Feature", "properties": {"layer": "walkway", "id": "ok", "kind": "sidewalk", "width_m": 2.0},
   "geometry": {"type": "LineString", "coordinates": [[150000, 200000], [150010, 200000]]}},
  {"type": "Feature", "properties": {"layer": "walkway", "id": "narrow", "kind": "sidewalk", "width_m": 1.0},
   "geometry": {"type": "LineString", "coordinates": [[150000, 200005], [150010, 200005]]}}]}
"""


def write_tree(root: Path, n_rules: int, per_set: int = 100) -> None:
    for k in range(n_rules):
        s, n = divmod(k, per_set)
        folder = root / f"bench-{s:02d}"
        if n == 0:
            folder.mkdir(parents=True)
            (folder / "ruleset.yaml").write_text(RULESET.format(i=s), encoding="utf-8")
        rule = folder / f"BE{s:02d}-{n:03d}-width"
        (rule / "cases").mkdir(parents=True)
        (rule / "rule.yaml").write_text(RULE.format(s=s, n=n), encoding="utf-8")
        # a rule's fixtures live in its own cases/ folder (no paths out of it)
        (rule / "cases" / "case.geojson").write_text(FIXTURE, encoding="utf-8")
        (rule / "cases" / "expected.yaml").write_text(CASES, encoding="utf-8")


def best_of(func, repeat: int = 5) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        func()
        times.append(time.perf_counter() - t0)
    return min(times)


def main(n_rules: int = 1000) -> None:
    import yaml

    from inclusiecheck.engine import checks
    from inclusiecheck.engine.loader import (
        bind_rule,
        load_rule_file,
        resolve_selectors,
        rule_files,
        validate_folder,
    )
    from inclusiecheck.engine.yamlio import load_yaml
    from inclusiecheck.model.safe_yaml import SafeLoader as FastLoader
    from inclusiecheck.testing import run_cases

    checks.registry()  # import the check types once (as any first command does)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_tree(root, n_rules)
        files = sorted(p for s in sorted(root.iterdir()) for p in rule_files(s))
        assert len(files) == n_rules

        t0 = time.perf_counter()
        problems, count = validate_folder(root)
        first = time.perf_counter() - t0
        assert not problems and count == n_rules, problems[:3]
        validate = best_of(lambda: validate_folder(root))
        resolve = best_of(lambda: resolve_selectors([str(root)]))
        parse = best_of(lambda: [load_yaml(p) for p in files])
        pure = best_of(lambda: [yaml.load(p.read_text(encoding="utf-8"),
                                          Loader=yaml.SafeLoader) for p in files], 1)

        def validate_bind() -> None:
            for path in files:
                spec = load_rule_file(path, [])
                assert spec is not None
                bind_rule(spec, path, [])

        per_file = best_of(validate_bind)
        print(f"rule files: {n_rules} in {n_rules // 100 or 1} sets "
              f"(YAML loader: {FastLoader.__name__})")
        print(f"validate_folder (discover + load + validate + bind): {validate * 1000:.0f} ms "
              f"(first run {first * 1000:.0f} ms) -> {validate / n_rules * 1e6:.0f} us/rule")
        print(f"resolve_selectors (what 'check --rules' does):     {resolve * 1000:.0f} ms")
        print(f"  of which YAML parsing (C loader):               {parse * 1000:.0f} ms "
              f"(pure-Python SafeLoader: {pure * 1000:.0f} ms)")
        print(f"  load + validate + bind, per file loop:          {per_file * 1000:.0f} ms")
        t0 = time.perf_counter()
        results = run_cases(root)
        cases = time.perf_counter() - t0
        assert len(results) == 2 * n_rules and all(r.ok for r in results)
        print(f"rules test (run_cases: {len(results)} expectations, {n_rules} fixtures read "
              f"and evaluated): {cases * 1000:.0f} ms -> {cases / n_rules * 1000:.2f} ms/rule "
              f"({(cases - validate) / n_rules * 1000:.2f} ms/rule beyond loading)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
