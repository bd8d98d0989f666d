"""Benchmark: the spatial joins that grew with features x features, and the GIS read.

Three parts, each printed with the machine's core count (one process, one core used):

- ``vz13``: VZ-13 (rest points in parks and squares, check ``rest_gaps`` with
  ``route: area``) through the real evaluator on the synthetic plan of ``synth.py`` (its
  benches, stops with seating, squares and walkway lines) built in memory at N features;
- ``nearest``: PD-33 (accessible parking within 25 m of a public entrance along the walkway
  network) and TV-32 (stairs within 50 m of a ramp or lift) through the real evaluator on a
  street grid of walkway centre lines with N parking bays, N/2 public entrances, N/4 stairs
  and N/8 ramps (check ``nearest`` with ``network: true``);
- ``read``: a GeoPackage of ``synth.make_plan`` at N features: the raw fiona read of every
  layer (the reference), then ``read_plan`` with fiona and with pyogrio
  (``INCLUSIECHECK_VECTOR_ENGINE``), and ``normalise``.

Run: ``python benchmarks/bench_queries.py [vz13 N ...] [nearest N ...] [read N ...]``
(default: ``vz13 20000 100000 nearest 1000 4000 read 60000``).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from synth import _features, make_plan  # noqa: E402

from inclusiecheck.engine.evaluate import evaluate  # noqa: E402
from inclusiecheck.engine.loader import load_set  # noqa: E402
from inclusiecheck.model import Feature, SiteModel  # noqa: E402
from inclusiecheck.model.feature import PlanMeta  # noqa: E402
from inclusiecheck.model.raw import SourceRef  # noqa: E402

DAY = dt.date(2026, 12, 1)
SRC = SourceRef("synthetic")


def _rules(*ids: str) -> list[Any]:
    out = []
    for folder in sorted((ROOT / "rules").iterdir()):
        loaded = load_set(folder) if folder.is_dir() else None
        if loaded is not None:
            out.extend(r for r in loaded.rules if r.id in ids)
    return sorted(out, key=lambda r: ids.index(r.id))


def _run(label: str, model: SiteModel, rules: list[Any]) -> float:
    t = time.perf_counter()
    result = evaluate(model, rules, date=DAY)
    took = time.perf_counter() - t
    outcomes: Counter[str] = Counter()
    for stats in result.rule_stats.values():
        outcomes.update(stats.counts)
    print(f"  {label}: {took:7.2f} s  {dict(sorted(outcomes.items()))}", flush=True)
    return took


# -- VZ-13 ------------------------------------------------------------------------------------
def vz13_model(n: int) -> SiteModel:
    layers: dict[str, list[Feature]] = {}
    for layer, items in _features(n, seed=1).items():
        layers[layer] = [Feature(layer, str(p["id"]), g, {k: v for k, v in p.items()
                                                           if k != "id"}, SRC)
                         for p, g in items]
    keep = ("walkway", "bench", "stop", "area")
    return SiteModel(crs="EPSG:31370", meta=PlanMeta(work_kind="renovation"),
                     layers={k: tuple(layers[k]) for k in keep})


def bench_vz13(n: int) -> None:
    model = vz13_model(n)
    total = sum(len(v) for v in model.layers.values())
    print(f"VZ-13 at n={n} (synth mix): {len(model.features('area'))} squares, "
          f"{len(model.features('bench'))} benches, {len(model.features('stop'))} stops, "
          f"{len(model.features('walkway'))} walkways ({total} features in these layers)")
    _run("VZ-13", model, _rules("VZ-13"))


# -- nearest ----------------------------------------------------------------------------------
def nearest_model(n: int, meta: PlanMeta, seed: int = 7) -> SiteModel:
    """A street grid (blocks of 60 m, walkway centre lines on every block side) sized so that
    there are about two parking bays per block; entrances, stairs and ramps scattered."""
    rng = np.random.default_rng(seed)
    blocks = max(2, int(np.ceil(np.sqrt(n / 2))))
    size = 60.0
    i, j = np.meshgrid(np.arange(blocks + 1), np.arange(blocks), indexing="ij")
    i, j = i.ravel() * size, j.ravel() * size
    x0, y0 = 150000.0, 200000.0
    horizontal = np.stack([np.stack([j + x0, i + y0], 1), np.stack([j + x0 + size, i + y0], 1)], 1)
    vertical = np.stack([np.stack([i + x0, j + y0], 1), np.stack([i + x0, j + y0 + size], 1)], 1)
    lines = shapely.linestrings(np.concatenate([horizontal, vertical]))
    extent = blocks * size

    def pts(k: int) -> np.ndarray:
        return shapely.points(rng.uniform(0, extent, (k, 2)) + (x0, y0))

    walkways = [Feature("walkway", f"w{k}", g, {"kind": "footpath"}, SRC)
                for k, g in enumerate(lines.tolist())]
    parking = [Feature("parking", f"p{k}", shapely.box(*(g.x, g.y, g.x + 3.5, g.y + 5.0)),
                       {"accessible": True}, SRC) for k, g in enumerate(pts(n).tolist())]
    entrances = [Feature("entrance", f"e{k}", g, {"public": bool(k % 4)}, SRC)
                 for k, g in enumerate(pts(max(1, n // 2)).tolist())]
    stairs = [Feature("stairs", f"s{k}", shapely.LineString([(g.x, g.y), (g.x + 3, g.y)]),
                      {}, SRC)
              for k, g in enumerate(pts(max(1, n // 4)).tolist())]
    ramps = [Feature("ramp", f"r{k}", shapely.LineString([(g.x, g.y), (g.x, g.y + 4)]), {}, SRC)
             for k, g in enumerate(pts(max(1, n // 8)).tolist())]
    return SiteModel(crs="EPSG:31370", meta=meta, layers={"walkway": tuple(walkways), "parking": tuple(parking),
                             "entrance": tuple(entrances), "stairs": tuple(stairs),
                             "ramp": tuple(ramps)})


def bench_nearest(n: int) -> None:
    model = nearest_model(n, PlanMeta(work_kind="outdoor_only", built_up_area=True))
    print(f"nearest at n={n}: {len(model.features('parking'))} parking bays, "
          f"{len(model.features('entrance'))} entrances, {len(model.features('stairs'))} "
          f"stairs, {len(model.features('ramp'))} ramps, {len(model.features('walkway'))} "
          "walkway lines")
    _run("PD-33 parking -> public entrance", model, _rules("PD-33"))
    # the stairs of a publicly accessible building's grounds (regime verordening)
    model = nearest_model(n, PlanMeta(work_kind="new", regime="verordening",
                                      public_building=True, building_area_m2=500))
    _run("TV-32 stairs -> ramp or lift", model, _rules("TV-32"))


# -- read ----------------------------------------------------------------------------------------
def _fiona_raw(path: Path) -> int:
    import fiona

    count = 0
    for name in fiona.listlayers(str(path)):
        with fiona.open(str(path), layer=name) as src:
            for feature in src:
                count += 1
                _ = feature.geometry, feature.properties
    return count


def bench_read(n: int) -> None:
    from inclusiecheck.model.normalise import normalise
    from inclusiecheck.readers import ReadOptions, read_plan

    try:
        import pyogrio  # noqa: F401
        have_pyogrio = True
    except ImportError:
        have_pyogrio = False
    with tempfile.TemporaryDirectory() as tmp:
        path = make_plan(Path(tmp), n)
        t = time.perf_counter()
        count = _fiona_raw(path)
        fiona_s = time.perf_counter() - t
        print(f"read at n={n}: {count} features in a GeoPackage")
        print(f"  raw fiona read (reference): {fiona_s:6.2f} s")
        engines = ["fiona"] + (["pyogrio"] if have_pyogrio else [])
        before = os.environ.get("INCLUSIECHECK_VECTOR_ENGINE")
        try:
            for engine in engines:
                os.environ["INCLUSIECHECK_VECTOR_ENGINE"] = engine
                t = time.perf_counter()
                raw = read_plan(path, ReadOptions())
                read_s = time.perf_counter() - t
                t = time.perf_counter()
                model = normalise(raw)
                norm_s = time.perf_counter() - t
                print(f"  read_plan ({engine}): {read_s:6.2f} s  normalise: {norm_s:6.2f} s  "
                      f"total {read_s + norm_s:6.2f} s = {(read_s + norm_s) / fiona_s:4.1f}x "
                      f"the raw fiona read ({len(model)} features)")
        finally:
            if before is None:
                os.environ.pop("INCLUSIECHECK_VECTOR_ENGINE", None)
            else:
                os.environ["INCLUSIECHECK_VECTOR_ENGINE"] = before
        if not have_pyogrio:
            print("  (pyogrio not installed: pip install 'inclusiecheck[fast]')")


def main(argv: list[str]) -> None:
    plan = argv or ["vz13", "20000", "100000", "nearest", "1000", "4000", "read", "60000"]
    print(f"cores: {os.cpu_count()} (one process, one core used)")
    runs = {"vz13": bench_vz13, "nearest": bench_nearest, "read": bench_read}
    part = None
    for arg in plan:
        if arg in runs:
            part = arg
            continue
        if part is None:
            raise SystemExit(f"say which part first: {', '.join(runs)}")
        runs[part](int(arg))


if __name__ == "__main__":
    main(sys.argv[1:])
