"""Benchmark: reading OpenStreetMap data (PBF and OSM XML) and checking it end to end.

On the shared Helsinki extract (``helsinki-test.osm.pbf``; env ``INCLUSIECHECK_SHARED_DATA``
wins) it prints, best of ``--repeat`` runs:

* the PBF read time (pyosmium -> RawPlan), elements and features per second,
* the same data as OSM XML (converted once with pyosmium into a temporary ``.osm``): the
  lxml streaming read, elements and features per second,
* normalisation and a full ``inclusiecheck.check`` with every built-in rule set.

Run: ``python benchmarks/bench_osm.py [path.osm.pbf] [--repeat N]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from collections.abc import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import inclusiecheck  # noqa: E402
from inclusiecheck.model.normalise import normalise  # noqa: E402
from inclusiecheck.readers import read_plan  # noqa: E402


def default_extract() -> Path | None:
    """The shared Helsinki extract, if present."""
    env = os.environ.get("INCLUSIECHECK_SHARED_DATA")
    candidates = [Path(env)] if env else []
    candidates.append(ROOT / ".." / "shared" / "data")
    for candidate in candidates:
        path = candidate / "osm" / "helsinki-test.osm.pbf"
        if path.is_file():
            return path
    return None


def best_of(repeat: int, func: Callable[[], Any]) -> tuple[float, Any]:
    """Best wall time of ``repeat`` runs and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    return best, result


def count_elements(path: Path) -> tuple[int, int, int]:
    import osmium

    nodes = ways = relations = 0
    for obj in osmium.FileProcessor(str(path)):
        if obj.is_node():
            nodes += 1
        elif obj.is_way():
            ways += 1
        else:
            relations += 1
    return nodes, ways, relations


def to_xml(pbf: Path, target: Path) -> None:
    import osmium

    with osmium.SimpleWriter(str(target)) as writer:
        for obj in osmium.FileProcessor(str(pbf)):
            writer.add(obj)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    path = args.path or default_extract()
    if path is None or not path.is_file():
        print("no OSM extract found (give a path or set INCLUSIECHECK_SHARED_DATA)")
        return
    nodes, ways, relations = count_elements(path)
    elements = nodes + ways + relations
    print(f"{path.name}: {path.stat().st_size / 1e6:.2f} MB, {nodes} nodes, {ways} ways, "
          f"{relations} relations")

    seconds, plan = best_of(args.repeat, lambda: read_plan(path))
    features = len(plan.features)
    print(f"read PBF      {seconds * 1000:8.1f} ms  {elements / seconds:10.0f} elements/s  "
          f"{features / seconds:9.0f} features/s  ({features} features, {plan.crs})")

    with tempfile.TemporaryDirectory() as tmp:
        xml = Path(tmp) / (path.name.removesuffix(".pbf").removesuffix(".osm") + ".osm")
        to_xml(path, xml)
        seconds, xml_plan = best_of(args.repeat, lambda: read_plan(xml))
        print(f"read OSM XML  {seconds * 1000:8.1f} ms  {elements / seconds:10.0f} elements/s  "
              f"{len(xml_plan.features) / seconds:9.0f} features/s  "
              f"({xml.stat().st_size / 1e6:.1f} MB of XML)")

    seconds, model = best_of(args.repeat, lambda: normalise(plan))
    kept = sum(len(items) for items in model.layers.values())
    print(f"normalise     {seconds * 1000:8.1f} ms  ({kept} features in "
          f"{len(model.layers)} layers)")

    seconds, report = best_of(1, lambda: inclusiecheck.check(path))
    print(f"check (all)   {seconds * 1000:8.1f} ms  {features / seconds:9.0f} features/s  "
          f"({len(report.findings)} findings listed, verdict {report.verdict.code})")


if __name__ == "__main__":
    main()
