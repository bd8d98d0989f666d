"""The index-driven joins of ``rest_gaps`` (area) and ``nearest`` give what their one-by-one
definitions give, bit for bit, and build their structures once per run."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
import shapely

from inclusiecheck.engine.checks.api import CheckContext, CheckResult
from inclusiecheck.engine.checks.provisions import RestGapsParams, _area_seats, seat_points
from inclusiecheck.engine.checks.relations import NearestParams, nearest
from inclusiecheck.engine.measures import MEASURES
from inclusiecheck.engine.scopes import DERIVED
from inclusiecheck.geometry.network import build_walk_network, nearest_destination
from inclusiecheck.model import Feature, Outcome, SiteModel
from inclusiecheck.model.feature import PlanMeta
from inclusiecheck.model.raw import SourceRef

SRC = SourceRef("test")


def _ctx(model: SiteModel) -> CheckContext:
    return CheckContext(model, dt.date(2026, 1, 1), "nl", MEASURES, DERIVED)


# -- rest_gaps: the seats within reach of an area ---------------------------------------------
def _seat_model(seed: int) -> SiteModel:
    rng = np.random.default_rng(seed)
    benches = [Feature("bench", f"b{k}", shapely.Point(xy), {}, SRC)
               for k, xy in enumerate(rng.uniform(0, 1000, (300, 2)).round(1))]
    areas = []
    for k in range(40):
        x, y = rng.uniform(0, 900, 2).round()
        w, h = rng.uniform(5, 200, 2).round()
        geom = shapely.box(x, y, x + w, y + h)
        if k % 5 == 0:
            geom = geom.union(shapely.box(x + w + 100, y, x + w + 150, y + 30))
        areas.append(Feature("area", f"a{k}", geom, {"kind": "park"}, SRC))
        # seats exactly at the reach (62.5 m) and a line bench (judged by its midpoint)
        benches.append(Feature("bench", f"at{k}", shapely.Point(x - 62.5, y + 1), {}, SRC))
        benches.append(Feature("bench", f"line{k}", shapely.LineString(
            [(x, y - 62.5), (x + 3, y - 62.5)]), {}, SRC))
        benches.append(Feature("bench", f"out{k}", shapely.Point(x - 62.51, y + 1), {}, SRC))
    stops = [Feature("stop", f"s{k}", shapely.Point(xy), {"seating": bool(k % 2)}, SRC)
             for k, xy in enumerate(rng.uniform(0, 1000, (30, 2)))]
    return SiteModel(crs="EPSG:31370", meta=PlanMeta(), layers={
        "bench": tuple(benches), "stop": tuple(stops), "area": tuple(areas)})


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("params", [RestGapsParams(route="area", max_gap_m=125),
                                    RestGapsParams(route="area", max_gap_m=10, snap_m=12,
                                                   stop_seating=False)])
def test_area_seats_are_the_seats_within_reach_in_order(seed: int,
                                                        params: RestGapsParams) -> None:
    model = _seat_model(seed)
    ctx = _ctx(model)
    reach = max(params.snap_m, params.max_gap_m / 2)
    total = 0
    for area in model.features("area"):
        want = [s for s in seat_points(ctx, params.stop_seating)
                if s.distance(area.geometry) <= reach]
        got = _area_seats(area, params, ctx)
        assert shapely.to_wkb(np.array(got, dtype=object)).tolist() == \
            shapely.to_wkb(np.array(want, dtype=object)).tolist()
        total += len(got)
    assert total > 40   # the fixture does find seats (and the ones at the reach)


def test_area_seats_one_bulk_query_per_run(monkeypatch: pytest.MonkeyPatch) -> None:
    from inclusiecheck.engine.checks import provisions

    model = _seat_model(3)
    calls = []
    real = provisions._seats_within
    monkeypatch.setattr(provisions, "_seats_within",
                        lambda *a: calls.append(len(a[1])) or real(*a))
    ctx = _ctx(model)
    params = RestGapsParams(route="area")
    for area in model.features("area"):
        _area_seats(area, params, ctx)
    assert calls == [len(model.features("area"))]
    # a feature that is not in the model is judged on its own
    stray = Feature("area", "stray", shapely.box(0, 0, 50, 50), {"kind": "park"}, SRC)
    _area_seats(stray, params, ctx)
    assert calls[-1] == 1


# -- nearest ----------------------------------------------------------------------------------
def _reference(feature: Feature, params: NearestParams, model: SiteModel,
               ctx: CheckContext) -> CheckResult:
    """The definition, one feature at a time: every candidate measured, one network search
    per feature."""
    targets = [f for layer in params.layers for f in model.features(layer)
               if f is not feature and ctx.meets(f, params.where)]
    if not targets:
        return CheckResult(Outcome(params.missing_target), params.property, None, params.max_m,
                           "m", missing=(f"{'/'.join(params.layers)}",)
                           if params.missing_target == "to_verify" else (),
                           note={"nl": f"geen {'/'.join(params.layers)} in het plan",
                                 "en": f"no {'/'.join(params.layers)} in the plan"})
    best = min(targets, key=lambda t: feature.geometry.distance(t.geometry))
    distance = float(feature.geometry.distance(best.geometry))
    how = {"nl": "in rechte lijn", "en": "straight-line"}
    lines = [f.geometry for f in model.features("walkway") if f.geom_type == "LineString"]
    if params.network and lines:
        net = build_walk_network(lines)
        origin = feature.geometry.representative_point() \
            if feature.geom_type != "Point" else feature.geometry
        dests = [t.geometry if t.geom_type == "Point" else t.geometry.representative_point()
                 for t in targets]
        along = float(nearest_destination(net, [origin], dests)[0][0])
        if np.isfinite(along):
            distance = along
            how = {"nl": "langs het looppadennetwerk", "en": "along the walkway network"}
    location = shapely.shortest_line(feature.geometry, best.geometry) if distance > 0 else None
    outcome = Outcome.PASS if distance <= params.max_m else Outcome.FAIL
    return CheckResult(outcome, params.property, round(distance, 2), params.max_m, "m",
                       location=location if outcome is Outcome.FAIL else None,
                       note={"nl": f"gemeten {how['nl']} tot {best.layer} {best.id}",
                             "en": f"measured {how['en']} to {best.layer} {best.id}"},
                       data={"target": f"{best.layer}/{best.id}", "method": how["en"]})


def _nearest_model(seed: int) -> SiteModel:
    rng = np.random.default_rng(seed)
    step, k = 25.0, 6
    lines = [shapely.LineString([(j * step, i * step), ((j + 1) * step, i * step)])
             for i in range(k + 1) for j in range(k)]
    lines += [shapely.LineString([(i * step, j * step), (i * step, (j + 1) * step)])
              for i in range(k + 1) for j in range(k)]
    pts = [shapely.Point(xy) for xy in rng.uniform(-5, k * step + 5, (70, 2)).round(0)]
    parking = []
    for n, p in enumerate(pts[:40]):
        geom = (p, shapely.box(p.x, p.y, p.x + 3.5, p.y + 5),
                shapely.LineString([(p.x, p.y), (p.x + 4, p.y + 1)]))[n % 3]
        parking.append(Feature("parking", f"p{n}", geom, {"accessible": True}, SRC))
    entrances = [Feature("entrance", f"e{n}", p if n % 4 else p.buffer(1.0),
                         {"public": bool(n % 5)}, SRC) for n, p in enumerate(pts[40:])]
    entrances.append(Feature("entrance", "twin", entrances[1].geometry, {"public": True}, SRC))
    return SiteModel(crs="EPSG:31370", meta=PlanMeta(), layers={
        "walkway": tuple(Feature("walkway", f"w{n}", g, {}, SRC) for n, g in enumerate(lines)),
        "parking": tuple(parking), "entrance": tuple(entrances)})


def _same(a: CheckResult, b: CheckResult) -> None:
    for name in ("outcome", "property", "measured", "required", "unit", "missing", "note",
                 "data"):
        assert getattr(a, name) == getattr(b, name), name
    assert (a.location is None) == (b.location is None)
    if a.location is not None:
        assert shapely.to_wkb(a.location) == shapely.to_wkb(b.location)


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("params", [
    NearestParams(layers=["entrance"], where={"public": True}, max_m=25, network=True),
    NearestParams(layers=["entrance"], max_m=10, missing_target="fail"),
    # the parking bays are targets themselves: each is left out of its own search
    NearestParams(layers=["parking", "entrance"], max_m=15, network=True),
])
def test_nearest_equals_its_definition(seed: int, params: NearestParams) -> None:
    model = _nearest_model(seed)
    ctx, ref_ctx = _ctx(model), _ctx(model)
    outcomes = set()
    for feature in model.features("parking"):
        got = nearest.func(feature, params, ctx)
        _same(got, _reference(feature, params, model, ref_ctx))
        outcomes.add((got.outcome, got.data["method"]))
    assert len(outcomes) >= 2   # both outcomes, or both methods, occur


def test_nearest_one_network_search_per_run(monkeypatch: pytest.MonkeyPatch) -> None:
    from inclusiecheck.geometry import network

    model = _nearest_model(2)
    calls: list[Any] = []
    real = network._dijkstra
    monkeypatch.setattr(network, "_dijkstra", lambda *a: calls.append(1) or real(*a))
    ctx = _ctx(model)
    params = NearestParams(layers=["entrance"], where={"public": True}, max_m=25, network=True)
    methods = [nearest.func(f, params, ctx).data["method"] for f in model.features("parking")]
    assert len(calls) == 1 and "along the walkway network" in methods


def test_nearest_without_targets() -> None:
    model = _nearest_model(0)
    params = NearestParams(layers=["toilet"], max_m=10)
    result = nearest.func(model.features("parking")[0], params, _ctx(model))
    assert result.outcome is Outcome.TO_VERIFY and result.missing == ("toilet",)
