"""The batch forms of the smaller social-safety checks (SV-03 semi-cylindrical lighting, SV-07
hedge height, SV-08 canopy clearance, SV-09 active frontage): on random plans, one call for
every feature gives the same results as one call per feature (each with a fresh run
context), and the walkways in reach equal the former query-per-feature form."""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely

from inclusiecheck.api import load_model
from inclusiecheck.engine.checks import get
from inclusiecheck.engine.checks.api import CheckContext, CheckResult, as_number
from inclusiecheck.engine.checks.safety import _runs, _runs_many, _walk_reach_many
from inclusiecheck.engine.measures import MEASURES
from inclusiecheck.engine.scopes import DERIVED
from inclusiecheck.model import Feature

X0, Y0 = 150000.0, 200000.0
SIZE_M = 300.0


def _xy(rng: random.Random) -> list[float]:
    return [X0 + rng.uniform(0, SIZE_M), Y0 + rng.uniform(0, SIZE_M)]


def _line(rng: random.Random) -> dict[str, Any]:
    start = _xy(rng)
    pts = [start]
    for _ in range(rng.randint(1, 4)):
        x, y = pts[-1]
        pts.append([x + rng.uniform(-60, 60), y + rng.uniform(-60, 60)])
    if rng.random() < 0.05:
        pts.append(list(pts[-1]))   # a repeated vertex
    return {"type": "LineString", "coordinates": pts}


def _rect(rng: random.Random, w_max: float = 20.0) -> dict[str, Any]:
    x, y = _xy(rng)
    w, h = rng.uniform(1, w_max), rng.uniform(1, w_max)
    ring = [[x, y], [x + w, y], [x + w, y + h], [x, y + h], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


def _point(rng: random.Random) -> dict[str, Any]:
    return {"type": "Point", "coordinates": _xy(rng)}


def _feat(layer: str, fid: str, geom: dict[str, Any], **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"layer": layer, "id": fid, **props},
            "geometry": geom}


def _random_plan(tmp_path: Path, seed: int) -> Any:
    rng = random.Random(seed)
    feats = []
    for i in range(40):
        geom = _line(rng) if rng.random() < 0.8 else _rect(rng, 30.0)
        props: dict[str, Any] = {"kind": "footpath", "main_route": rng.random() < 0.6}
        if rng.random() < 0.6:
            props["width_m"] = round(rng.uniform(1.0, 5.0), 1)
        feats.append(_feat("walkway", f"w{i}", geom, **props))
    for i in range(40):
        frontage = rng.choice([True, False, None])
        props = {} if frontage is None else {"active_frontage": frontage}
        if rng.random() < 0.3:
            props["height_m"] = round(rng.uniform(1.0, 12.0), 1)
        feats.append(_feat("building", f"b{i}", _rect(rng), **props))
    for i in range(10):
        feats.append(_feat("wall", f"m{i}", _line(rng), height_m=2.0))
    for i in range(60):
        kind = rng.choice(["hedge", "shrubs", "tree", "tree_row"])
        geom = rng.choice([_point(rng), _rect(rng, 6.0), _line(rng)])
        props = {"kind": kind}
        if rng.random() < 0.8:
            props["height_m"] = round(rng.uniform(0.3, 3.0), 2)
        if rng.random() < 0.8:
            props["canopy_base_m"] = round(rng.uniform(1.0, 3.5), 2)
        feats.append(_feat("vegetation", f"v{i}", geom, **props))
    for i in range(25):
        feats.append(_feat("light", f"l{i}", _point(rng), mounting_height_m=5,
                           luminous_flux_lm=rng.choice([2000, 4000, 8000])))
    path = tmp_path / f"plan{seed}.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    return load_model(path, crs="EPSG:31370")


def _ctx(model: Any) -> CheckContext:
    return CheckContext(model, dt.date(2026, 6, 1), "en", MEASURES, DERIVED)


def _key(result: CheckResult) -> tuple:
    location = None if result.location is None else shapely.to_wkb(result.location)
    return (result.outcome, result.property, result.measured, result.required, result.unit,
            location, result.missing, dict(result.note or {}), dict(result.data))


CASES = [
    ("vegetation_height", "vegetation", {}),
    ("vegetation_height", "vegetation", {"near_m": 0.0, "max_m": 1.5}),
    ("canopy_clearance", "vegetation", {}),
    ("canopy_clearance", "vegetation", {"crown_radius_m": 0.0}),
    ("active_frontage", "walkway", {}),
    ("active_frontage", "walkway", {"within_m": 40.0, "step_m": 2.5}),
    ("semicylindrical_lighting", "walkway", {}),
    ("semicylindrical_lighting", "walkway", {"min_lx": 1.0, "scenario": "night"}),
]


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize(("name", "layer", "raw"), CASES)
def test_batch_equals_feature_by_feature(tmp_path: Path, seed: int, name: str, layer: str,
                                         raw: dict[str, Any]) -> None:
    model = _random_plan(tmp_path, seed)
    check = get(name)
    assert check.batch
    params = check.params.model_validate(raw)
    features = model.features(layer)
    together = check.run_many(features, params, _ctx(model))
    one_by_one = [check.run(f, params, _ctx(model)) for f in features]
    assert [[_key(r) for r in rs] for rs in together] == \
        [[_key(r) for r in rs] for rs in one_by_one]
    assert any(rs and rs[0].location is not None for rs in together) or name.startswith("semi")


def _walk_reach_reference(ctx: CheckContext, geom: Any, distance_m: float
                          ) -> list[tuple[Feature, Any]]:
    """The former form: one index query, buffer and test per geometry and walkway."""
    out = []
    for w in ctx.model.near("walkway", geom, distance_m + 5.0):
        half = 0.0
        if w.geom_type == "LineString":
            half = (as_number(w.attrs.get("width_m")) or 2.0) / 2
        zone = w.geometry.buffer(half + distance_m) if half + distance_m > 0 else w.geometry
        if zone.intersects(geom):
            out.append((w, zone))
    return out


@pytest.mark.parametrize("seed", [4, 5])
@pytest.mark.parametrize("distance_m", [0.0, 2.0])
def test_walk_reach_many_equals_one_query_per_geometry(tmp_path: Path, seed: int,
                                                       distance_m: float) -> None:
    model = _random_plan(tmp_path, seed)
    geoms = [f.geometry for f in model.features("vegetation")]
    got = _walk_reach_many(_ctx(model), geoms, distance_m)
    ctx = _ctx(model)
    want = [_walk_reach_reference(ctx, g, distance_m) for g in geoms]
    assert [[(w.id, shapely.to_wkb(z)) for w, z in near] for near in got] == \
        [[(w.id, shapely.to_wkb(z)) for w, z in near] for near in want]
    assert sum(map(len, got)) > 0


def _runs_reference(mask: list[bool]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for i, on in enumerate(mask):
        if on and (i == 0 or not mask[i - 1]):
            out.append((i, i))
        elif on:
            out[-1] = (out[-1][0], i)
    return out


def test_runs_many_equals_runs_of_each_piece() -> None:
    rng = random.Random(11)
    for _ in range(200):
        counts = [rng.choice([0, 1, 2, 5, 9]) for _ in range(rng.randint(1, 8))]
        mask = [rng.random() < rng.choice([0.1, 0.5, 0.9]) for _ in range(sum(counts))]
        got = _runs_many(np.array(mask, dtype=bool), np.array(counts))
        at = 0
        for c, runs in zip(counts, got, strict=True):
            assert runs == _runs_reference(mask[at:at + c])
            assert _runs(np.array(mask[at:at + c], dtype=bool)) == runs
            at += c


def _lit_plan(tmp_path: Path, seed: int) -> Any:
    """Walkways among lights dense enough that some pass and some fail, half of the lights
    dimmed at night (so that the night scenario computes)."""
    rng = random.Random(seed)
    feats = []
    for i in range(40):
        x, y = X0 + rng.uniform(0, 120), Y0 + rng.uniform(0, 120)
        end = [x + rng.uniform(-25, 25), y + rng.uniform(-25, 25)]
        props: dict[str, Any] = {"kind": "footpath"}
        if rng.random() < 0.5:
            props["width_m"] = round(rng.uniform(1.5, 4.0), 1)
        feats.append(_feat("walkway", f"w{i}", {"type": "LineString",
                                                 "coordinates": [[x, y], end]}, **props))
    for i in range(40):
        props = {"mounting_height_m": rng.choice([4, 6, 8]),
                 "luminous_flux_lm": rng.choice([1000, 4000, 12000])}
        if i % 2:
            props["dimmed_pct"] = 50
        feats.append(_feat("light", f"l{i}", {"type": "Point", "coordinates": [
            X0 + rng.uniform(-10, 130), Y0 + rng.uniform(-10, 130)]}, **props))
    path = tmp_path / f"lit{seed}.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    return load_model(path, crs="EPSG:31370")


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("batch", [1, 7, 10**6])
@pytest.mark.parametrize("raw", [{"class_override": "P3"},
                                 {"class_override": "P3", "scenario": "night"}])
def test_lighting_in_batches_of_any_size_equals_feature_by_feature(
        tmp_path: Path, seed: int, batch: int, raw: dict[str, Any],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """SV-01's illuminance in batches of LIGHTING_BATCH features (which only bounds the size
    of a batch's arrays): every batch size gives the results of one feature at a time, in
    the evening and at night (dimmed lights), passes and failures alike."""
    from inclusiecheck.engine.checks import safety

    model = _lit_plan(tmp_path, seed)
    check = get("lighting")
    params = check.params.model_validate(raw)
    features = model.features("walkway")
    one_by_one = [check.run(f, params, _ctx(model)) for f in features]
    monkeypatch.setattr(safety, "LIGHTING_BATCH", batch)
    together = check.run_many(features, params, _ctx(model))
    assert [[_key(r) for r in rs] for rs in together] == \
        [[_key(r) for r in rs] for rs in one_by_one]
    computed = [rs[0] for rs in one_by_one if rs and rs[0].measured is not None]
    assert len(computed) > 2 * 7   # several batches of 7 that computed illuminance
    outcomes = {r.outcome.value for r in computed}
    assert {"pass", "fail"} <= outcomes, outcomes
