"""The batch forms of the check and measure API (issue 15): ``ctx.batch`` / ``ctx.of_layer``,
measures with a ``batch`` form, check types declared with ``batch=True``, and the lighting
check as a batch (the same findings as one feature at a time)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any
from collections.abc import Sequence

import numpy as np
import pytest
from shapely.geometry import LineString, Point, box

from inclusiecheck.api import load_model
from inclusiecheck.engine import checks
from inclusiecheck.engine.checks.api import (
    CheckContext,
    CheckParams,
    CheckResult,
    Measure,
    check_type,
)
from inclusiecheck.engine.evaluate import Evaluator, evaluate
from inclusiecheck.engine.loader import load_set
from inclusiecheck.engine.measures import MEASURES
from inclusiecheck.engine.scopes import DERIVED
from inclusiecheck.geometry.lighting import Luminaire, lighting_stats, lighting_stats_many
from inclusiecheck.model import Feature, Outcome, SourceRef

X0, Y0 = 150000.0, 200000.0


def _plan(tmp_path: Path, n: int = 6) -> Any:
    feats = [{"type": "Feature",
              "properties": {"layer": "bench", "id": f"b{i}", "seat_height_cm": 40 + i},
              "geometry": {"type": "Point", "coordinates": [X0 + 3 * i, Y0]}}
             for i in range(n)]
    path = tmp_path / "plan.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    return load_model(path, crs="EPSG:31370")


def _ctx(model: Any, measures: dict[str, Measure] | None = None) -> CheckContext:
    return CheckContext(model, dt.date(2026, 6, 1), "en", measures or MEASURES, DERIVED)


# -- ctx.batch / ctx.of_layer -------------------------------------------------------------------
def test_batch_computes_only_the_missing_features_in_one_call(tmp_path: Path) -> None:
    model = _plan(tmp_path)
    ctx = _ctx(model)
    benches = model.features("bench")
    calls: list[list[str]] = []

    def double(features: Sequence[Feature], _ctx: CheckContext) -> list[float]:
        calls.append([f.id for f in features])
        return [2.0 * f.attrs["seat_height_cm"] for f in features]

    assert ctx.batch("twice", benches[:2], double) == [80.0, 82.0]
    assert ctx.batch("twice", benches, double) == [80.0, 82.0, 84.0, 86.0, 88.0, 90.0]
    assert calls == [["b0", "b1"], ["b2", "b3", "b4", "b5"]]
    # what a batch computed is what the per-feature cache returns
    assert ctx.cached("twice", benches[3], lambda f, c: -1) == 86.0


def test_of_layer_computes_the_whole_layer_on_first_request(tmp_path: Path) -> None:
    model = _plan(tmp_path)
    ctx = _ctx(model)
    calls: list[int] = []

    def count(features: Sequence[Feature], _ctx: CheckContext) -> list[int]:
        calls.append(len(features))
        return [len(f.id) for f in features]

    benches = model.features("bench")
    assert ctx.of_layer("n", benches[4], count) == 2
    assert calls == [6]
    assert [ctx.of_layer("n", b, count) for b in benches] == [2] * 6
    assert calls == [6]
    # a feature outside the model's layer is computed on its own
    stray = Feature(layer="bench", id="stray-feature", geometry=Point(X0, Y0), attrs={},
                    source=SourceRef(file="x.geojson", layer="bench", fid="9"))
    assert ctx.of_layer("n", stray, count) == len("stray-feature")
    assert calls == [6, 1]


def test_of_layer_computes_only_the_pass_part_of_a_layer(tmp_path: Path) -> None:
    """A worker of a parallel run judges a part of the plan (``ctx.part``): the first request
    computes that part of the layer, a feature outside it is computed on its own, and a layer
    the part has no features of is computed whole; the values are the same as without."""
    model = _plan(tmp_path)
    ctx = _ctx(model)
    calls: list[list[str]] = []

    def ids(features: Sequence[Feature], _ctx: CheckContext) -> list[str]:
        calls.append([f.id for f in features])
        return [f.id.upper() for f in features]

    benches = model.features("bench")
    ctx.part = {"bench": [1, 3, 4]}
    assert ctx.of_layer("u", benches[3], ids) == "B3"
    assert calls == [["b1", "b3", "b4"]]
    assert ctx.of_layer("u", benches[4], ids) == "B4"
    assert calls == [["b1", "b3", "b4"]]
    assert ctx.of_layer("u", benches[0], ids) == "B0"   # a neighbour outside the part
    assert calls == [["b1", "b3", "b4"], ["b0"]]
    ctx.part = {"other": [0]}
    assert ctx.of_layer("v", benches[2], ids) == "B2"
    assert calls[-1] == ["b0", "b1", "b2", "b3", "b4", "b5"]
    ctx.part = None
    assert [ctx.of_layer("u", b, ids) for b in benches] == ["B0", "B1", "B2", "B3", "B4", "B5"]
    assert calls[-1] == ["b2", "b5"]   # only what the parts left


def test_a_pass_sets_the_part_of_the_context_and_restores_it(tmp_path: Path) -> None:
    model = _plan(tmp_path)
    ruleset = load_set(Path(__file__).resolve().parents[3] / "rules" / "voorzieningen")
    assert ruleset is not None
    rules = ruleset.rules
    evaluator = Evaluator(model, rules, date=dt.date(2026, 6, 1), lang="en")
    seen: list[Any] = []
    original = evaluator._evaluate_pass

    def spy(*args: Any) -> Any:
        seen.append(evaluator.ctx.part)
        return original(*args)

    evaluator._evaluate_pass = spy   # type: ignore[method-assign]
    own = {"bench": [0, 2]}
    evaluator.evaluate_pass(list(enumerate(rules)), own=own)
    evaluator.evaluate_pass(list(enumerate(rules)))
    assert seen == [own, None]
    assert evaluator.ctx.part is None


def test_a_batch_that_returns_the_wrong_number_of_values_is_an_error(tmp_path: Path) -> None:
    model = _plan(tmp_path)
    ctx = _ctx(model)
    with pytest.raises(ValueError, match="gave 1 values for 6 features"):
        ctx.batch("bad", model.features("bench"), lambda feats, c: [1])


def test_a_measure_with_a_batch_form_is_computed_per_layer(tmp_path: Path) -> None:
    model = _plan(tmp_path)
    calls: list[int] = []

    def one(feature: Feature, _ctx: CheckContext) -> float:  # pragma: no cover - not used
        raise AssertionError("the batch form must be used")

    def many(features: Sequence[Feature], _ctx: CheckContext) -> np.ndarray:
        calls.append(len(features))
        return np.array([f.attrs["seat_height_cm"] / 100.0 for f in features])

    measures = {**MEASURES, "seat_height_m": Measure("seat_height_m", one, "m", ("bench",),
                                                     batch=many)}
    ctx = _ctx(model, measures)
    values = [ctx.value(b, "seat_height_m") for b in model.features("bench")]
    assert values == pytest.approx([0.40, 0.41, 0.42, 0.43, 0.44, 0.45])
    assert calls == [6]
    assert ctx.measure("seat_height_m", model.features("bench")[0]) == pytest.approx(0.40)
    assert calls == [6]


# -- batch check types through the evaluator ------------------------------------------------------
class _SeatParams(CheckParams):
    max_cm: float


CALLS: list[list[str]] = []


@check_type("test_seat_batch", params=_SeatParams, batch=True)
def _seat_batch(features: Sequence[Feature], params: _SeatParams,
                ctx: CheckContext) -> list[CheckResult]:
    CALLS.append([f.id for f in features])
    return [ctx.compare("seat_height_cm", f.attrs["seat_height_cm"], max_value=params.max_cm,
                        unit="cm") for f in features]


@check_type("test_seat_single", params=_SeatParams)
def _seat_single(feature: Feature, params: _SeatParams, ctx: CheckContext) -> CheckResult:
    return ctx.compare("seat_height_cm", feature.attrs["seat_height_cm"],
                       max_value=params.max_cm, unit="cm")


RULESET = """name: seats
version: "1.0"
title: {nl: Testset, en: Test set}
publisher: tests
"""

RULE = """id: ST-0{n}
name: bench.seat_height_{n}
title: {{nl: Zithoogte, en: Seat height}}
pillar: accessibility
level: recommendation
source: {{document: Test guidance, article: p. 1, kind: guidance}}
applies_to:
  layer: bench
  where: {{seat_height_cm: {{lt: 45}}}}
check:
  type: {check}
  params: {{max_cm: 42}}
message: {{nl: "Zithoogte {{measured}}", en: "Seat height {{measured}}"}}
advice: {{nl: Lager., en: Lower.}}
"""


@pytest.fixture()
def seat_checks() -> Any:
    checks.register(_seat_batch, replace=True)
    checks.register(_seat_single, replace=True)
    yield
    CALLS.clear()
    for name in ("test_seat_batch", "test_seat_single"):   # leave the registry as found
        checks.CHECKS.unregister(name)


def test_batch_check_runs_once_per_layer_with_the_applicable_features(
        tmp_path: Path, seat_checks: Any) -> None:
    folder = tmp_path / "seats"
    folder.mkdir()
    (folder / "ruleset.yaml").write_text(RULESET, encoding="utf-8")
    for n, check in ((1, "test_seat_batch"), (2, "test_seat_single")):
        (folder / f"ST-0{n}").mkdir()
        (folder / f"ST-0{n}" / "rule.yaml").write_text(RULE.format(n=n, check=check),
                                                        encoding="utf-8")
    ruleset = load_set(folder)
    assert ruleset is not None
    model = _plan(tmp_path)
    result = evaluate(model, ruleset.rules, date=dt.date(2026, 6, 1), lang="en", list_all=True)
    # one call, with only the benches the rule's where selects (b5 has 45 cm: not applicable)
    assert CALLS == [["b0", "b1", "b2", "b3", "b4"]]
    by_rule: dict[str, list[tuple[str, str, Any]]] = {}
    for f in result.findings:
        by_rule.setdefault(f.rule_id, []).append((f.feature_id, f.outcome.value, f.measured))
    assert by_rule["ST-01"] == by_rule["ST-02"]
    outcomes = dict((fid, out) for fid, out, _m in by_rule["ST-01"])
    assert outcomes == {"b0": "pass", "b1": "pass", "b2": "pass", "b3": "fail", "b4": "fail",
                        "b5": "not_applicable"}


def test_batch_check_run_of_one_feature(tmp_path: Path, seat_checks: Any) -> None:
    model = _plan(tmp_path)
    ctx = _ctx(model)
    [result] = _seat_batch.run(model.features("bench")[3], _SeatParams(max_cm=42), ctx)
    assert result.outcome is Outcome.FAIL and result.measured == 43
    assert CALLS == [["b3"]]


def test_batch_check_with_a_wrong_number_of_results_is_an_error(tmp_path: Path) -> None:
    @check_type("test_short_batch", params=_SeatParams, batch=True)
    def short(features: Sequence[Feature], params: _SeatParams,
              ctx: CheckContext) -> list[CheckResult]:
        return []

    model = _plan(tmp_path)
    with pytest.raises(ValueError, match="gave 0 results for 6 features"):
        short.run_many(model.features("bench"), _SeatParams(max_cm=1), _ctx(model))


# -- lighting: the batch gives the one-by-one figures, bit for bit --------------------------------
def test_lighting_stats_many_equals_one_by_one() -> None:
    rng = np.random.default_rng(3)
    lums = [Luminaire(x=float(x), y=float(y), mounting_height_m=float(h),
                      luminous_flux_lm=float(f))
            for x, y, h, f in zip(rng.uniform(0, 200, 40), rng.uniform(0, 60, 40),
                                  rng.uniform(4, 10, 40), rng.uniform(1500, 9000, 40))]
    geoms: list[Any] = []
    widths: list[float | None] = []
    for k in range(30):
        x, y = float(rng.uniform(0, 180)), float(rng.uniform(0, 50))
        if k % 3 == 0:
            geoms.append(box(x, y, x + rng.uniform(2, 20), y + rng.uniform(1, 6)))
            widths.append(None)
        elif k % 3 == 1:
            geoms.append(LineString([(x, y), (x + rng.uniform(5, 40), y + rng.uniform(-5, 5))]))
            widths.append(float(rng.uniform(1, 4)))
        else:
            geoms.append(Point(x, y).buffer(1.5))
            widths.append(None)
    # each geometry lit by its own subset (the lights within 30 m of it), ascending
    xy = np.array([[lum.x, lum.y] for lum in lums])
    near = [np.flatnonzero(np.array([g.distance(Point(p)) <= 30 for p in xy])) for g in geoms]
    many = lighting_stats_many(geoms, lums, near, spacing_m=1.0, widths_m=widths,
                               scenario="night@01:00", min_required_lx=2.0)
    assert sum(st.dark_area_m2 > 0 for st in many) >= 3   # the dark parts are exercised
    for g, w, idx, st in zip(geoms, widths, near, many):
        one = lighting_stats(g, [lums[i] for i in idx], spacing_m=1.0, width_m=w,
                             scenario="night@01:00", min_required_lx=2.0)
        assert np.array_equal(one.illuminance_lx, st.illuminance_lx)
        assert (one.avg_lx, one.min_lx, one.max_lx, one.uniformity, one.dark_length_m,
                one.dark_area_m2) == (st.avg_lx, st.min_lx, st.max_lx, st.uniformity,
                                      st.dark_length_m, st.dark_area_m2)
        assert one.dark.equals_exact(st.dark, 0)


def test_lighting_check_is_a_batch_check() -> None:
    assert checks.registry()["lighting"].batch is True


def test_clear_widths_of_a_part_are_computed_for_that_part_only(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker judging a part of the walkways (``ctx.part``) builds the obstacles, profiles
    and narrowings of that part in one batch each, not of the whole layer, and not the other
    walkways one by one; the widths are those of a run without a part."""
    sample = Path(__file__).resolve().parents[3] / "samples" / "marktplein"
    if not sample.is_dir():
        pytest.skip("sample plan absent")
    from inclusiecheck.engine import measures

    model = load_model(sample)
    walkways = model.features("walkway")
    assert len(walkways) > 3
    sizes: list[int] = []
    real = measures._walkway_obstacles_batch

    def spy(feats: Sequence[Feature], *args: Any, **kwargs: Any) -> Any:
        sizes.append(len(feats))
        return real(feats, *args, **kwargs)

    monkeypatch.setattr(measures, "_walkway_obstacles_batch", spy)
    whole = _ctx(model)
    want = [measures.clear_width_result(w, whole, min_required_m=1.8) for w in walkways]
    assert sizes == [len(walkways)]
    sizes.clear()
    ctx = _ctx(model)
    ctx.part = {"walkway": [0, 1, 2]}
    got = [measures.clear_width_result(walkways[k], ctx, min_required_m=1.8) for k in (0, 1, 2)]
    assert sizes == [3]
    assert [(r.min_width_m, r.narrowings) for r in got] == \
        [(r.min_width_m, r.narrowings) for r in want[:3]]
