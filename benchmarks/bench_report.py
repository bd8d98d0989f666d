"""Render time and size of each output format for synthetic reports of N findings.

Usage: python benchmarks/bench_report.py [N ...]   (default: 100 1000 10000)
Each report has N listed findings (a third each point, line, polygon) and 5 N map features.
Prints, per N and format: seconds to render and output size in MB.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from inclusiecheck.model import Citation, Finding, Level, Outcome, Pillar, Report, RuleInfo, Verdict
from inclusiecheck.report import RenderOptions, available_formats, render


def synthetic_report(n: int, seed: int = 1) -> Report:
    """A report of ``n`` findings scattered over a square of about 10 m per finding."""
    rng = np.random.default_rng(seed)
    side = 10.0 * max(n, 1) ** 0.5 * 10
    x0, y0 = 150_000.0, 170_000.0
    src = Citation("BVR 29 april 1997", "art. 2", "https://example.org/bv97")
    rules = tuple(RuleInfo(f"R-{i:02d}", "set", "1.0", f"Rule {i}", Pillar.ACCESSIBILITY,
                           Level.OBLIGATION if i % 2 else Level.RECOMMENDATION, bool(i % 3),
                           src, "walkway") for i in range(20))
    outcomes = (Outcome.FAIL, Outcome.WARN, Outcome.TO_VERIFY, Outcome.DEVIATION)
    findings = []
    for i in range(n):
        x, y = x0 + rng.random() * side, y0 + rng.random() * side
        kind = i % 3
        if kind == 0:
            loc = {"type": "Point", "coordinates": [x, y]}
        elif kind == 1:
            loc = {"type": "LineString", "coordinates": [[x, y], [x + 8, y + 3]]}
        else:
            loc = {"type": "Polygon", "coordinates": [[[x, y], [x + 4, y], [x + 4, y + 4],
                                                       [x, y + 4], [x, y]]]}
        rule = rules[i % 20]
        findings.append(Finding(
            rule.id, "set", "walkway", f"w{i}", {"file": "plan.gpkg", "fid": str(i)},
            outcomes[i % 4], rule.level, rule.structural, Pillar(list(Pillar)[i % 3]),
            "width_m", 1.2, 1.5, "m", "Too narrow.", "Widen it.", src, loc,
            missing=("width_m",) if i % 4 == 2 else ()))
    feats = []
    for i in range(5 * n):
        x, y = x0 + rng.random() * side, y0 + rng.random() * side
        feats.append((f"f{i}", {"type": "LineString", "coordinates": [[x, y], [x + 20, y + 5]]},
                      "new"))
    return Report("nl", {"project": "bench"}, "EPSG:31370", ({"name": "set", "version": "1"},),
                  Verdict("ongunstig", "", tuple(findings[:3])), {"total": n}, {}, (),
                  tuple(findings), rules, map_layers={"walkway": feats},
                  extents=(x0, y0, x0 + side + 20, y0 + side + 5), tool_version="bench")


def main(sizes: list[int]) -> None:
    for n in sizes:
        report = synthetic_report(n)
        for name in sorted(available_formats()):
            if name == "bcf":
                continue
            start = time.perf_counter()
            data = render(report, name, RenderOptions(lang="nl"))
            seconds = time.perf_counter() - start
            print(f"N={n:>6} {name:<8} {seconds:8.3f} s {len(data) / 1e6:8.2f} MB")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100, 1000, 10000])
