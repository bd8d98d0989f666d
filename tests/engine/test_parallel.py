"""Parallel checks (``--jobs N``, tiles with halos): byte-identical to the single-process run.

The plans: the sample, a synthetic 2,000-feature plan, a plan whose features straddle a tile
border with what their rules read on the other side (``parallel_plans.straddling_plan``), and
the sample replicated side by side. A control run with the halo taken away shows that the
fixture's reaches do cross the border (so the equality proves something).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
import json
import pickle
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest

from inclusiecheck.api import check, load_model
from inclusiecheck.engine import parallel, reach
from inclusiecheck.engine.checks import CheckParams, check_type, register, registry
from inclusiecheck.engine.evaluate import Evaluator, rules_in_force
from inclusiecheck.engine.loader import resolve_selectors
from inclusiecheck.engine.measures import MEASURES
from inclusiecheck.engine.scopes import DERIVED, SCOPES
from inclusiecheck.model import InputError
from inclusiecheck.report.json_report import dumps, report_dict

sys.path.insert(0, str(Path(__file__).resolve().parent))
from parallel_plans import TILE_M, replicated_sample, straddling_plan  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "marktplein"
DAY = dt.date(2026, 12, 1)


def _json(plan: Path, **options: object) -> bytes:
    data = report_dict(check(plan, list_all=True, date=DAY, **options))
    data["plan"].pop("inputs", None)   # a GeoPackage's bytes carry its write time
    return dumps(data)


@pytest.fixture(scope="module")
def straddling(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return straddling_plan(tmp_path_factory.mktemp("straddling"))


def _tile_of(model, plan, tiles, layer: str, fid: str) -> int:
    index = next(i for i, f in enumerate(plan.feats) if f.layer == layer and f.id == fid)
    return next(n for n, tile in enumerate(tiles) if index in set(tile.tolist()))


def test_the_fixture_really_splits(straddling: Path) -> None:
    model = load_model(straddling)
    flat = parallel._flatten(model)
    tiles = parallel.plan_tiles(model, tiles=1, tile_size_m=TILE_M, plan=flat)
    assert len(tiles) > 2
    pairs = [(("walkway", "sidewalk-long"), ("obstacle", "pole-east")),
             (("walkway", "path-west"), ("light", "lamp-east-1")),
             (("walkway", "path-hedge"), ("vegetation", "hedge-east")),
             (("stop", "stop-west"), ("bench", "bench-east")),
             (("crossing", "crossing-west"), ("tactile", "strip-east")),
             (("entrance", "townhall-door"), ("building", "townhall"))]
    for (la, a), (lb, b) in pairs:
        assert _tile_of(model, flat, tiles, la, a) != _tile_of(model, flat, tiles, lb, b), (a, b)
    # the sidewalk crosses the border: its geometry reaches into the next tile
    sidewalk = next(f for f in model.features("walkway") if f.id == "sidewalk-long")
    assert sidewalk.geometry.bounds[2] > 150000.0 + TILE_M


def test_tiles_partition_the_plan_deterministically(straddling: Path) -> None:
    model = load_model(straddling)
    for size in (None, 20.0, TILE_M):
        tiles = parallel.plan_tiles(model, tiles=3, tile_size_m=size)
        flat = np.concatenate(tiles)
        assert sorted(flat.tolist()) == list(range(len(model)))   # each feature exactly once
        again = parallel.plan_tiles(model, tiles=3, tile_size_m=size)
        assert [t.tolist() for t in tiles] == [t.tolist() for t in again]


def test_straddling_plan_tiles_in_process_and_in_workers(
        straddling: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    single = _json(straddling)
    assert _json(straddling, tile_size_m=TILE_M) == single        # tiles one after the other
    assert _json(straddling, jobs=2, tile_size_m=TILE_M) == single  # in two processes
    assert _json(straddling, jobs=2) == single                      # balanced parts
    # spawned workers (where fork is not available): tiles with halos, sent pickled
    monkeypatch.setattr(parallel, "fork_available", lambda: False)
    assert _json(straddling, jobs=2, tile_size_m=TILE_M) == single
    assert _json(straddling, jobs=3) == single


@pytest.mark.skipif(not parallel.fork_available(), reason="fork is Linux only")
def test_forked_run_splits_the_work_and_merges_it_in_order(
        straddling: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The forked run: the global pass and the tiled rules' parts go to forked workers (each
    with the whole plan); the merged evaluation is the single-process one."""
    model = load_model(straddling)
    rules = rules_in_force(resolve_selectors(None), DAY)
    single = Evaluator(model, rules, date=DAY).run()
    forked = parallel._evaluate_forked
    tasks: list[int] = []

    def counted(evaluator, plan, tiled, whole, jobs, tile_size_m):
        result = forked(evaluator, plan, tiled, whole, jobs, tile_size_m)
        tasks.append(len(tiled) + len(whole))
        return result

    monkeypatch.setattr(parallel, "_evaluate_forked", counted)
    monkeypatch.setattr(parallel, "PARTS_PER_JOB", 3)
    # fork named: a test before may have left threads behind (a Dask cluster's)
    got = parallel.evaluate_parallel(model, rules, date=DAY, jobs=2, start_method="fork")
    assert tasks   # the forked run, not the fallback
    assert got.findings == single.findings
    assert got.counts == single.counts
    assert got.rule_stats == single.rule_stats
    assert got.regimes == single.regimes
    assert [w.message for w in got.warnings] == [w.message for w in single.warnings]
    assert not parallel._INHERITED   # not left behind for a later fork


@pytest.mark.skipif(not parallel.fork_available(), reason="fork is Linux only")
def test_a_failing_forked_task_fails_the_check(straddling: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    model = load_model(straddling)
    rules = rules_in_force(resolve_selectors(None), DAY)
    real = Evaluator.evaluate_pass

    def broken(self, rules, own=None, index=None, keyed=False):
        if own is not None:   # a part of the tiled rules (in a forked worker)
            raise ValueError("a check failed")
        return real(self, rules, own, index, keyed)

    monkeypatch.setattr(Evaluator, "evaluate_pass", broken)
    with pytest.raises(ValueError, match="a check failed"):
        parallel.evaluate_parallel(model, rules, date=DAY, jobs=2, start_method="fork")
    assert not parallel._INHERITED


@pytest.mark.skipif(not parallel.fork_available(), reason="fork is Linux only")
def test_this_process_is_one_of_the_jobs(straddling: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """With --jobs 2, this process and one forked worker share the tasks: this one takes
    the first (the global pass) and its findings need no packing; each task runs once."""
    import threading

    model = load_model(straddling)
    rules = rules_in_force(resolve_selectors(None), DAY)
    single = Evaluator(model, rules, date=DAY).run()
    share = parallel._share_tasks
    seen: list[tuple[int, str]] = []
    forked: list[int] = []
    counts: list[int] = []

    def recorded(workers, count, feed, run_here):
        forked.append(workers._max_workers)
        counts.append(count)
        for n, got in share(workers, count, feed, run_here):
            seen.append((n, type(got).__name__))
            yield n, got

    monkeypatch.setattr(parallel, "_share_tasks", recorded)
    monkeypatch.setattr(parallel, "PARTS_PER_JOB", 3)
    threads = threading.active_count()
    got = parallel.evaluate_parallel(model, rules, date=DAY, jobs=2, start_method="fork")
    assert forked == [1]   # one worker forked for two jobs
    assert counts and counts[0] > 2
    assert sorted(n for n, _ in seen) == list(range(counts[0]))   # every task, each once
    assert (0, "Partial") in seen   # the global pass, here
    kinds = {kind for _, kind in seen}
    assert kinds == {"Partial", "Packed"}, seen   # tasks here and in the worker
    assert got.findings == single.findings and got.counts == single.counts
    assert threading.active_count() == threads   # the feeder thread is gone


@pytest.mark.skipif(not parallel.fork_available(), reason="fork is Linux only")
@pytest.mark.parametrize("where", ["worker", "here"])
def test_a_task_that_fails_in_either_process_fails_the_check(
        straddling: Path, monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    """A task that fails only in the forked worker, or only in this process: the error is
    the check's, the sharing stops, and no thread or inherited state is left behind."""
    import os
    import threading

    model = load_model(straddling)
    rules = rules_in_force(resolve_selectors(None), DAY)
    real = Evaluator.evaluate_pass
    here = os.getpid()

    def broken(self, rules, own=None, index=None, keyed=False):
        if own is not None and (os.getpid() == here) == (where == "here"):
            raise ValueError(f"a check failed ({where})")
        return real(self, rules, own, index, keyed)

    monkeypatch.setattr(Evaluator, "evaluate_pass", broken)
    monkeypatch.setattr(parallel, "PARTS_PER_JOB", 3)
    threads = threading.active_count()
    with pytest.raises(ValueError, match=f"a check failed \\({where}\\)"):
        parallel.evaluate_parallel(model, rules, date=DAY, jobs=2, start_method="fork")
    assert not parallel._INHERITED
    assert threading.active_count() == threads


def test_findings_travel_compactly_and_exotic_values_exactly() -> None:
    model = load_model(SAMPLE)
    rules = rules_in_force(resolve_selectors(None), DAY)
    part = Evaluator(model, rules, date=DAY, list_all=True).evaluate_pass(
        list(enumerate(rules)), keyed=True)
    assert part.findings and part.keys
    packed = parallel.pack(part)
    assert not packed.part.findings and packed.part.keys is None
    back = parallel.unpack(pickle.loads(pickle.dumps(packed)))
    assert back.findings == part.findings and back.keys == part.keys
    assert [f.texts for f in back.findings] == [f.texts for f in part.findings]
    assert all(type(a.outcome) is type(b.outcome) and a.source == b.source
               for a, b in zip(back.findings, part.findings))
    # the enums are the members themselves, and what many findings share is written once
    assert all(a.outcome is b.outcome and a.level is b.level and a.pillar is b.pillar
               for a, b in zip(back.findings, part.findings))
    by_rule = {}
    for f in back.findings:
        by_rule.setdefault(f.rule_id, []).append(f.source)
    assert any(len(cited) > 1 for cited in by_rule.values())
    assert all(all(c is cited[0] for c in cited) for cited in by_rule.values())
    # a value that is not exactly a builtin (a numpy number as measured value or in a
    # plugin's data) comes back with its own type, not as the bytes of its buffer
    for odd_values in ({"measured": np.float64(19.1)}, {"data": {"x": np.int64(2)}},
                       {"data": {"x": [1, (2, np.bool_(True))]}}):
        odd = replace(part, findings=[part.findings[0],
                                      replace(part.findings[1], **odd_values)],
                      keys=part.keys[:2])
        back = parallel.unpack(pickle.loads(pickle.dumps(parallel.pack(odd))))
        assert back.findings == odd.findings
        assert type(back.findings[1].measured) is type(odd.findings[1].measured)
        if "data" in odd_values:
            got, sent = back.findings[1].data["x"], odd.findings[1].data["x"]
            assert repr(got) == repr(sent)


def test_packing_pauses_the_collector_and_restores_it() -> None:
    """pack and unpack make many kept objects with the collector paused (no collection
    traverses the rows or findings made so far) and leave its state as they found it, also
    when it was off; inside ``frozen_heap`` the findings read are frozen with the model."""
    import gc

    from inclusiecheck.engine.evaluate import frozen_heap

    model = load_model(SAMPLE)
    rules = rules_in_force(resolve_selectors(None), DAY)
    part = Evaluator(model, rules, date=DAY, list_all=True).evaluate_pass(
        list(enumerate(rules)), keyed=True)
    paused: list[bool] = []
    real_finding = parallel._finding_of_fields

    def dumps(value: object, *args: object, **kwargs: object) -> bytes:
        paused.append(gc.isenabled())
        return pickle.dumps(value, *args, **kwargs)   # type: ignore[arg-type]

    # (the pickle module as parallel sees it, not the module itself for everyone)
    seen_pickle = types.SimpleNamespace(dumps=dumps, loads=pickle.loads,
                                        HIGHEST_PROTOCOL=pickle.HIGHEST_PROTOCOL)

    def finding(*row: object) -> object:
        paused.append(gc.isenabled())
        return real_finding(*row)

    was = gc.isenabled()
    try:
        for enabled in (True, False):
            (gc.enable if enabled else gc.disable)()
            with pytest.MonkeyPatch.context() as mp:
                mp.setattr(parallel, "pickle", seen_pickle)
                mp.setattr(parallel, "_finding_of_fields", finding)
                packed = parallel.pack(part)
                assert gc.isenabled() is enabled
                back = None   # (the last round's findings, frozen, go now, not below)
                with frozen_heap():
                    frozen = gc.get_freeze_count()
                    back = parallel.unpack(packed)
                    # the findings read, frozen
                    assert gc.get_freeze_count() >= frozen + len(part.findings)
                assert gc.isenabled() is enabled
            assert back.findings == part.findings
    finally:
        (gc.enable if was else gc.disable)()
    assert paused and not any(paused)


def test_without_the_halo_the_tiles_would_differ(straddling: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The control: the same tiles with no halo and no pinned lamp change findings (seating
    at the stop, the crossing's warning strip, the light on the path), so the fixture's
    reaches cross the border and the equality above is not trivial."""
    single = json.loads(_json(straddling))
    split = parallel.split_rules
    monkeypatch.setattr(parallel, "split_rules",
                        lambda rules, facts: (*split(rules, facts)[:2], 0.0, []))
    cut = json.loads(_json(straddling, tile_size_m=TILE_M))

    def by_key(report: dict) -> dict:
        return {(f["rule_id"], f["feature_id"], f["property"]): f for f in report["findings"]}

    before, after = by_key(single), by_key(cut)
    changed = {key[:2] for key in before if before[key] != after.get(key)}
    assert {("HA-09", "stop-west"), ("PD-08", "crossing-west"),
            ("SV-01", "path-west")} <= changed


def test_pinned_lamp_keeps_the_plans_lamp_reach(straddling: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The far mast has the largest lamp reach: every lighting tile holds it, or a tile would
    count fewer lamps in reach than the whole plan does."""
    single = _json(straddling)
    split = parallel.split_rules
    kept = {}

    def no_pins(rules, facts):
        tiled, whole, halo, pins = split(rules, facts)
        kept["pins"] = [f.id for f in pins]
        return tiled, whole, halo, []

    monkeypatch.setattr(parallel, "split_rules", no_pins)
    assert _json(straddling, tile_size_m=TILE_M) != single
    assert kept["pins"] == ["mast-far"]


def test_sample_cli_jobs_2_is_byte_identical(tmp_path: Path) -> None:
    outs = []
    for extra in ([], ["--jobs", "2", "--tile-size", "30"]):
        out = tmp_path / f"out{len(outs)}"
        result = subprocess.run(
            [sys.executable, "-m", "inclusiecheck", "check", str(SAMPLE), "-o", str(out),
             "-f", "json", "-q", "--fail-on", "never", *extra],
            capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stderr
        outs.append((out / "report.json").read_bytes())
    assert outs[1] == outs[0]


def test_synthetic_plan_api_jobs_2_is_byte_identical(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from synth import make_plan
    finally:
        sys.path.pop(0)
    plan = make_plan(tmp_path, 2000, seed=1)
    model = load_model(plan)
    rules = rules_in_force(resolve_selectors(None), DAY)
    tiled, whole, halo, _pins = parallel.split_rules(
        rules, reach.PlanFacts(model, Evaluator(model, rules, date=DAY).ctx.scope_parameters))
    assert tiled and whole and halo < 200
    assert len(parallel.plan_tiles(model, tiles=2)) == 2
    assert _json(plan, jobs=2) == _json(plan)


def test_replicated_sample_in_many_tiles(tmp_path: Path) -> None:
    plan = replicated_sample(SAMPLE, tmp_path / "plan")
    assert _json(plan, tile_size_m=45.0) == _json(plan)


def test_a_check_that_reads_other_rules_makes_them_global() -> None:
    rules = rules_in_force(resolve_selectors(["toegankelijkheidsverordening"]), DAY)
    model = load_model(SAMPLE)
    facts = reach.PlanFacts(model, Evaluator(model, rules, date=DAY).ctx.scope_parameters)
    tiled, whole, _halo, _pins = parallel.split_rules(rules, facts)
    global_ids = {rule.id for _pos, rule in whole}
    read = {r for rule in rules for r in rule.params.reads()}
    assert read and read <= global_ids
    assert not {rule.id for _pos, rule in tiled} & read
    assert {r.id for r in rules if r.spec.check.type == "any_compliant"} <= global_ids


# -- reach ----------------------------------------------------------------------------------------
def test_every_builtin_check_type_measure_and_scope_has_a_reach() -> None:
    builtin = {name for name, check in registry().items()
               if check.origin.startswith("inclusiecheck.engine.checks.")}
    assert builtin <= set(reach.BUILTIN)
    assert set(MEASURES) | set(DERIVED) <= set(reach.VALUE_REACH)
    assert set(SCOPES) <= set(reach.SCOPE_REACH)
    documented = (ROOT / "docs" / "check-types.md").read_text(encoding="utf-8")
    section = documented.split("## Reach", 1)[1].split("\n## ", 1)[0]
    for name in reach.BUILTIN:
        assert f"`{name}`" in section, name


def test_reach_follows_the_parameters_and_the_plan(straddling: Path) -> None:
    model = load_model(straddling)
    rules = {r.id: r for r in rules_in_force(resolve_selectors(None), DAY)}
    facts = reach.PlanFacts(model, {})
    sv04 = rules["SV-04"]   # hidden corners: the view radius
    assert reach.rule_reach(sv04, facts) == sv04.params.view_radius_m
    # lighting: the plan's largest lamp reach (the far mast), at least 50 m
    lamp = reach.light_reach(facts)
    assert lamp > 50 and reach.rule_reach(rules["SV-01"], facts) == lamp
    assert [f.id for f in reach.rule_pins(rules["SV-01"], facts)] == ["mast-far"]
    # a rule on the verordening's scope reads the floor area of the nearest entrance (100 m)
    assert reach.rule_reach(rules["TV-03"], facts) >= 100
    # unbounded: routes, the nearest target anywhere, toilet coverage
    for rule_id in ("TK-01", "PD-33", "VZ-10"):
        assert reach.rule_reach(rules[rule_id], facts) is None, rule_id


class _Radius(CheckParams):
    radius_m: float = 5.0


def _plugin(name: str, reach_func=None):
    @check_type(name, params=_Radius, reach=reach_func)
    def plugin(feature, params, ctx):   # pragma: no cover - not run here
        return []

    return plugin


def test_plugin_check_types_are_global_unless_they_declare_a_reach() -> None:
    from dataclasses import replace

    from inclusiecheck.engine import checks

    try:
        base = next(r for r in rules_in_force(resolve_selectors(None), DAY) if r.id == "SV-07")
        facts = reach.PlanFacts(load_model(SAMPLE), {})
        silent = register(_plugin("test_parallel_silent"), replace=True)
        rule = replace(base, check=silent, params=_Radius())
        assert reach.rule_reach(rule, facts) is None            # declares nothing: global pass
        declared = register(_plugin("test_parallel_declared", lambda p, model: p.radius_m),
                            replace=True)
        rule = replace(base, check=declared, params=_Radius(radius_m=7.5))
        assert reach.rule_reach(rule, facts) == 7.5
        for bad in (-1.0, float("nan"), "far"):
            broken = register(_plugin("test_parallel_broken", lambda p, model, b=bad: b),
                              replace=True)
            with pytest.raises(InputError, match="reach"):
                reach.rule_reach(replace(base, check=broken, params=_Radius()), facts)
    finally:   # forget them after
        for name in ("test_parallel_silent", "test_parallel_declared", "test_parallel_broken"):
            checks.CHECKS.unregister(name)


def test_bad_parallel_options_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="executor"):
        check(SAMPLE, executor="threads")
    with pytest.raises(InputError, match="tile size"):
        check(SAMPLE, tile_size_m=-5.0)
    result = subprocess.run(
        [sys.executable, "-m", "inclusiecheck", "check", str(SAMPLE), "-o",
         str(tmp_path / "out"), "--scheduler", "tcp://localhost:1"],
        capture_output=True, text=True, timeout=600)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "--executor dask" in result.stderr
