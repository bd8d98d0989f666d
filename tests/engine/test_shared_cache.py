"""The one run-scoped cache (``ctx.shared``) and the one walk-network builder (issue 15).

Before, the walk network was built under the same key ``("walk_network",)`` by two builders:
``network_distance`` (``nearest``) kept a network without edges, the toilet coverage turned
it into "no network". Whichever rule ran first decided what the other got, so a toilet
coverage could measure along an edgeless network (every place unreachable) or straight-line
depending on rule order. Now one builder gives ``None`` for both.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

from inclusiecheck.api import load_model
from inclusiecheck.engine.checks.api import CheckContext
from inclusiecheck.engine.checks.provisions import ToiletCoverageParams, _coverage_batch
from inclusiecheck.engine.measures import MEASURES, network_distance, walk_network
from inclusiecheck.engine.scopes import DERIVED

X0, Y0 = 150000.0, 200000.0
ROOT = Path(__file__).resolve().parents[2]


def _feat(layer: str, fid: str, geom: dict[str, Any], **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"layer": layer, "id": fid, **props},
            "geometry": geom}


def _line(*xy: tuple[float, float]) -> dict[str, Any]:
    return {"type": "LineString", "coordinates": [[X0 + x, Y0 + y] for x, y in xy]}


def _pt(x: float, y: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [X0 + x, Y0 + y]}


def _rect(x: float, y: float, w: float, h: float) -> dict[str, Any]:
    ring = [[X0 + x, Y0 + y], [X0 + x + w, Y0 + y], [X0 + x + w, Y0 + y + h],
            [X0 + x, Y0 + y + h], [X0 + x, Y0 + y]]
    return {"type": "Polygon", "coordinates": [ring]}


def _edgeless_plan(tmp_path: Path) -> Any:
    """A walkway line too short to keep (it collapses onto one node), a toilet, a park."""
    features = [
        _feat("walkway", "stub", _line((0, 0), (0.2, 0)), kind="footpath"),
        _feat("toilet", "wc", _pt(0, 0), public=True, accessible="yes"),
        _feat("area", "park", _rect(50, -20, 40, 40), kind="park"),
    ]
    path = tmp_path / "plan.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return load_model(path, crs="EPSG:31370")


def _ctx(model: Any) -> CheckContext:
    return CheckContext(model, dt.date(2026, 6, 1), "en", MEASURES, DERIVED)


def test_edgeless_walk_network_is_none_whoever_asks_first(tmp_path: Path) -> None:
    model = _edgeless_plan(tmp_path)
    park = model.features("area")[0]
    wc = model.features("toilet")[0]
    params = ToiletCoverageParams(max_m=100.0)

    nearest_first = _ctx(model)  # ``nearest`` (network_distance) builds the network
    assert network_distance(nearest_first, park, [wc]) is None
    assert walk_network(nearest_first) is None
    batch_a = _coverage_batch(park, params, nearest_first)

    coverage_first = _ctx(model)  # the toilet coverage builds it
    batch_b = _coverage_batch(park, params, coverage_first)
    assert network_distance(coverage_first, park, [wc]) is None

    # the same (straight-line) coverage either way; before, the first order measured along
    # an edgeless network and found the park uncovered
    assert batch_a["net"] is None and batch_b["net"] is None
    assert batch_a["sure_cov"] == batch_b["sure_cov"]
    park_cov = batch_a["sure_cov"][0]
    assert park_cov.along_network is False and park_cov.distance_m == 50.0


def test_shared_builds_once_per_run_and_keys_by_value() -> None:
    ctx = _ctx(load_model_stub())
    calls: list[int] = []
    first = ctx.shared(("t", 1), lambda: calls.append(1) or {"n": 1})
    assert ctx.shared(("t", 1), lambda: calls.append(2) or {"n": 2}) is first
    assert ctx.shared(("t", 2), lambda: calls.append(3) or None) is None
    assert ctx.shared(("t", 2), lambda: calls.append(4) or "rebuilt") is None  # None is kept
    assert calls == [1, 3]
    assert _ctx(ctx.model).shared(("t", 1), lambda: "other run") == "other run"


def load_model_stub() -> Any:
    from inclusiecheck.model import PlanMeta, SiteModel

    return SiteModel(crs="EPSG:31370", meta=PlanMeta(), layers={})


def test_no_check_or_measure_pokes_a_private_cache() -> None:
    """``grep -rn "_cache\\[" inclusiecheck/engine`` finds only the cache helper (api.py), and
    nothing reads the model's or ``id(params)``-keyed caches."""
    engine = ROOT / "inclusiecheck" / "engine"
    pokes, model_cache, by_id = [], [], []
    for path in sorted(engine.rglob("*.py")):
        if path.relative_to(engine).as_posix() == "checks/api.py":
            continue  # the cache helper itself
        for no, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            where = f"{path.relative_to(ROOT)}:{no}"
            if "_cache[" in text:
                pokes.append(where)
            if re.search(r"\bmodel\.cache\b|\bctx\._cache\b|\bc\._cache\b", text):
                model_cache.append(where)
            if "id(params)" in text:
                by_id.append(where)
    assert pokes == [] and model_cache == [] and by_id == []


def test_worked_example_in_the_docs_runs(tmp_path: Path, monkeypatch: Any) -> None:
    """The batch-check and batch-measure examples of docs/check-types.md compute what they
    say: every selected bench judged against all benches, in one call."""
    from inclusiecheck.engine import checks
    from inclusiecheck.engine.checks.api import Measure

    doc = (ROOT / "docs" / "check-types.md").read_text(encoding="utf-8")
    found = re.search(r"### Worked example: a batch check.*?```python\n(.*?)```.*?"
                      r"```python\n(.*?)```", doc, re.S)
    assert found is not None
    monkeypatch.setattr(checks, "check_type", lambda *_a, **_k: (lambda func: func))
    ns: dict[str, Any] = {}
    exec(found.group(1), ns)  # noqa: S102 - our own documentation
    exec(found.group(2), ns)  # noqa: S102
    features = [_feat("bench", str(i), _pt(i * 20, 0), backrest=i % 2 == 0,
                      seat_height_cm=40 + i) for i in range(5)]
    path = tmp_path / "plan.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    model = load_model(path, crs="EPSG:31370")
    ctx = _ctx(model)
    params = ns["NeighbourParams"]()
    benches = model.features("bench")
    results = ns["bench_neighbours"](benches, params, ctx)
    # bench 0 sees 1 (no backrest) and 2 (backrest) within 50 m; bench 1 sees 0, 2, 3
    assert [r.measured for r in results] == [0.5, 2 / 3, 0.5, 2 / 3, 0.5]
    assert [r.outcome.value for r in results] == ["pass", "pass", "pass", "pass", "pass"]
    # a rule that selects only some benches still counts all of them as neighbours
    [only] = ns["bench_neighbours"]([benches[1]], params, ctx)
    assert only.measured == 2 / 3
    measure = ns["SEAT_HEIGHT_M"]
    assert isinstance(measure, Measure) and measure.batch is not None
    ctx2 = CheckContext(model, dt.date(2026, 6, 1), "en", {**MEASURES, "seat_height_m": measure},
                        DERIVED)
    assert [ctx2.value(b, "seat_height_m") for b in benches] == [0.40, 0.41, 0.42, 0.43, 0.44]
