"""The normaliser's column path (model/columns.py) gives the very site model of the
per-feature path (pydantic per feature), on random runs of plain and awkward values."""

from __future__ import annotations

import math
import random
from pathlib import Path
from typing import Any

import pytest
from shapely.geometry import LineString, Point, Polygon

from inclusiecheck.model import RawFeature, RawPlan, SourceRef
from inclusiecheck.model import normalise as normalise_module
from inclusiecheck.model.columns import (
    FALLBACK, Prepared, _field_kinds, _validate_column, prepare_run, runs,
)
from inclusiecheck.model.normalise import _validate, normalise
from inclusiecheck.model.profile import LAYER_GEOMETRIES, LAYER_MODELS

#: values of every kind a reader may hand over, the awkward ones included
AWKWARD: list[Any] = [
    None, "", " ", "abc", "1,5", "1.234,5", "NaN", "inf", "-0", "0", "1", "ja", "nee", "True",
    "Sidewalk", "shared-space", "both sides", "12", " 12.5 ", "1e400", "limited", "beperkt",
    "yes", "no", "removed", "existing", "NEW", "\u00a0 2,3", "x" * 150, 0, 1, 2, -1, 5, 12, 90,
    2**40, 2**60 + 1, 10**400, True, False, 0.0, -0.0, 1.5, 1.0, 2.0, 12.0, 45.0, 1200.0,
    1e300, -3.0, 1e-9, math.nan, math.inf, -math.inf, 0.3, 7.25, "pole", "Bus", "tram ",
]
PLAIN: list[Any] = [None, 0.0, 0.3, 1.2, 1.5, 2.0, 15.0, True, False, 0, 1, 3, "sidewalk",
                    "concrete", "bus", "yes", "both_sides", "all", "hedge", "existing", "new"]


def _typed_value(layer: str, name: str, values: list[Any], rng: random.Random) -> Any:
    """For the plain values: one of the type the attribute takes (else any)."""
    if values is not PLAIN or layer not in LAYER_MODELS or name not in LAYER_MODELS[layer].model_fields:
        return rng.choice(values)
    parser, codes = _field_kinds(layer)[name]
    kind = getattr(parser, "__name__", "")
    if codes:
        return rng.choice([None, *sorted(codes)])
    return rng.choice({"parse_number": [None, 0.3, 1.2, 1.5, 2.0, 15.0, 3, 5000.0],
                       "parse_int": [None, 0, 1, 3, 12],
                       "parse_bool": [None, True, False, 0, 1],
                       "parse_text": [None, "a", " b ", "", "x1"]}.get(kind, [None]))


def _geometry(layer: str, rng: random.Random) -> Any:
    kind = LAYER_GEOMETRIES.get(layer, ("Point",))[0]
    x, y = rng.uniform(0, 500), rng.uniform(0, 500)
    if kind == "Point":
        return Point(x, y)
    if kind == "LineString":
        return LineString([(x, y), (x + 5, y + 1)])
    return Polygon([(x, y), (x + 4, y), (x + 4, y + 3)])


def _plan(rng: random.Random, values: list[Any], runs_count: int = 12) -> RawPlan:
    features = []
    for _ in range(runs_count):
        layer = rng.choice([*LAYER_MODELS, "walkway", "stop", "parking", "kabouter"])
        fields = list(LAYER_MODELS[layer].model_fields) if layer in LAYER_MODELS else ["a", "b"]
        names = rng.sample(fields, min(len(fields), rng.randint(1, 6)))
        if rng.random() < 0.3:
            names.append(rng.choice(["colour", "fid", "osm:layer", "Notes"]))
        rng.shuffle(names)
        with_id = rng.random() < 0.5
        for index in range(rng.randint(2, 40)):
            props = {name: _typed_value(layer, name, values, rng) for name in names}
            if with_id:
                props["id"] = rng.choice([f"f{index}", f"f{index % 3}", None, "", 7])
            fid = str(index) if rng.random() < 0.9 else None
            features.append(RawFeature(layer, props, _geometry(layer, rng),
                                       SourceRef("plan.gpkg", layer, fid)))
    return RawPlan(Path("plan.gpkg"), "EPSG:31370", features)


def _digest(model: Any) -> Any:
    def typed(value: Any) -> Any:
        if isinstance(value, dict):
            return [(typed(k), typed(v)) for k, v in value.items()]
        if isinstance(value, float):
            return ("float", value.hex())
        return (type(value).__name__, repr(value))

    return ([(w.code, w.message, w.file, w.layer, w.feature_id) for w in model.warnings],
            [(layer, f.id, typed(f.attrs), f.geometry.wkb, f.source, f.status, typed(f.extra))
             for layer, features in model.layers.items() for f in features])


def _per_feature(features: list[RawFeature], start: int, end: int) -> None:
    return None


@pytest.mark.parametrize("slice_size", [2048, 7])
@pytest.mark.parametrize("values", [PLAIN, AWKWARD], ids=["plain", "awkward"])
@pytest.mark.parametrize("seed", range(12))
def test_normalise_column_path_is_the_per_feature_path(seed: int, values: list[Any],
                                                       slice_size: int,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(normalise_module, "_PREPARE_SLICE", slice_size)
    plan = _plan(random.Random(seed), values)
    try:
        fast = _digest(normalise(plan))
    except Exception as exc:  # noqa: BLE001 - an input error must be the same too
        fast = repr(exc)
    monkeypatch.setattr(normalise_module, "_prepared", _per_feature)
    try:
        slow = _digest(normalise(plan))
    except Exception as exc:  # noqa: BLE001
        slow = repr(exc)
    assert fast == slow


def test_the_column_path_is_taken_on_plain_runs() -> None:
    plan = _plan(random.Random(3), PLAIN)
    taken = 0
    for start, end in normalise_module._slices(plan.features):
        prepared = normalise_module._prepared(plan.features, start, end)
        taken += 0 if prepared is None else sum(p is not None for p in prepared.attrs)
    known = sum(f.layer in LAYER_MODELS for f in plan.features)
    assert taken > known // 2


@pytest.mark.parametrize("layer", sorted(LAYER_MODELS))
def test_each_value_as_pydantic_gives_it(layer: str) -> None:
    """Every attribute of every layer, every awkward value: where the column path gives a
    value, pydantic gives the very same (type included); else pydantic refuses it or the
    column path leaves it to pydantic."""
    model = LAYER_MODELS[layer]
    source = RawFeature(layer, {}, None, SourceRef("f", layer, "1"))
    for name, (parser, codes) in _field_kinds(layer).items():
        column = AWKWARD + [value for value in PLAIN if value not in AWKWARD]
        for value, got in zip(column, _validate_column(parser, codes, column)):
            if got is FALLBACK:
                continue
            warnings: list[Any] = []
            expected = _validate(model, {name: value}, source, warnings).get(name)
            assert not warnings, (name, value)
            assert type(got) is type(expected) and (
                got == expected or (isinstance(got, float) and math.isnan(got)
                                    and math.isnan(expected))), (name, value, got, expected)
            if isinstance(got, float):
                assert math.copysign(1.0, got) == math.copysign(1.0, expected)


def test_text_to_clean_takes_the_per_feature_path() -> None:
    def feature(value: Any, fid: str = "1", key: str = "name") -> RawFeature:
        return RawFeature("walkway", {key: value}, LineString([(0, 0), (1, 0)]),
                          SourceRef("plan.gpkg", "walkway", fid))

    assert prepare_run("walkway", [feature("a"), feature("b")], 0, Prepared.empty(2))
    assert not prepare_run("walkway", [feature("a"), feature("b\x01")], 0, Prepared.empty(2))
    assert not prepare_run("walkway", [feature("a"), feature("b", fid="\x7f")], 0, Prepared.empty(2))
    assert not prepare_run("walkway", [feature("a", key="n\x02"), feature("b", key="n\x02")], 0, Prepared.empty(2))
    assert not prepare_run("walkway", [feature([1]), feature("b")], 0, Prepared.empty(2))
    assert not prepare_run("walk\x00way", [feature("a"), feature("b")], 0, Prepared.empty(2))


def test_runs_split_on_layer_and_names() -> None:
    def feature(layer: str, props: Any) -> RawFeature:
        return RawFeature(layer, props, None, SourceRef("f"))

    features = [feature("a", {"x": 1}), feature("a", {"x": 2}), feature("a", {"y": 1}),
                feature("b", {"y": 1}), feature("b", None), feature("b", {"y": 1}),  # type: ignore[arg-type]
                feature("b", {"y": 2, "x": 1}), feature("b", {"x": 1, "y": 2})]
    assert runs(features) == [(0, 2), (2, 3), (3, 4), (4, 5), (5, 6), (6, 7), (7, 8)]
