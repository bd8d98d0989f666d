"""Parallel checks: the plan in tiles with halos, in worker processes or on a Dask cluster.

``evaluate_parallel`` gives the same :class:`~inclusiecheck.engine.evaluate.Evaluation` as a
single-process :func:`~inclusiecheck.engine.evaluate.evaluate`, byte for byte once rendered:

1. The regime of every feature is decided once, on the whole plan (it reads neighbours: the
   building a feature lies in, the access line of a public entrance), with the access routes
   and parking links it was placed by.
2. Rules are split by their reach (:mod:`inclusiecheck.engine.reach`): bounded rules run in
   tiles; unbounded ones (and the rules another rule reads) run in one global pass on the
   whole plan, in the main process, while the tiles run.
3. The plan's features are split into tiles, each feature into exactly one, by its
   representative point (``--tile-size``: a square grid; else balanced tiles, one per job).
   A tile's task holds its own features plus every feature within the halo (the largest reach
   of the tiled rules, plus a margin) of their extent, the entrances in or against every
   building it holds (a building's ``public`` reads them), the entrances of its access routes,
   and the plan-wide features some checks need (the lamp with the largest reach). The tile's
   model answers ``has_layer`` (and so ``layer_complete``) for the whole plan.
4. A task evaluates the tiled rules on its own features only and returns their findings with
   the key of their place in a single-process run; the main process merges them with the
   global pass in that order, sums the counts and statistics, and adds what depends on the
   whole plan (stale deviations and regime corrections, the regime summary).

Tasks are plain picklable data and :func:`run_tile` a module-level function, so they run in
``spawn`` processes (``concurrent.futures``) and on Dask workers alike; a rule's check type is
looked up by name in the worker's own registry (plugins must be installed there).

On Linux (:func:`fork_available`) the process executor forks ``jobs - 1`` workers instead,
once the regimes are decided (:func:`_evaluate_forked`): each inherits the whole plan, so
steps 3 and 4 need no tile model and no halo. The tasks are the global pass and the tiled
rules on parts of the plan's features (``PARTS_PER_JOB`` balanced parts per job), the largest
first; the main process and the workers each take the next task when they are done
(:func:`_share_tasks`), a worker sends its findings back as pickled field tuples
(:class:`Packed`); the merge is the same.
"""

from __future__ import annotations

import datetime as dt
import gc
import math
import operator
import pickle
import sys
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any, cast
from collections.abc import Callable, Iterator, Sequence

import numpy as np
import shapely

from inclusiecheck._version import __version__
from inclusiecheck.engine.deviations import Deviation
from inclusiecheck.engine.evaluate import (Evaluation, Evaluator, Partial, _finding_of_fields,
                                          _making_kept_objects, _model_frozen)
from inclusiecheck.engine.loader import LoadedRule, run_order
from inclusiecheck.engine.reach import PlanFacts, rule_pins, rule_reach
from inclusiecheck.engine.regimes import AGAINST_M, Regime
from inclusiecheck.model import Feature, Finding, InputError, SiteModel

if TYPE_CHECKING:
    from inclusiecheck.engine.checks.api import CheckType

#: executors of tile tasks
EXECUTORS = ("process", "dask")
#: added to the largest reach: distances are compared with a tolerance in places
HALO_MARGIN_M = 1.0
#: balanced tiles per job when no tile size is given (one: the least halo; the main process
#: runs the global pass meanwhile)
TILES_PER_JOB = 1

Key = tuple[str, int]   # (layer, index of the feature in that layer of the whole plan)


@dataclass(slots=True)
class TileModel(SiteModel):
    """The features of one tile (its own and its halo), answering for the whole plan whether
    a layer is present (so ``layer_complete`` and "the plan draws no lights" hold as on the
    whole plan)."""

    present: frozenset[str] = frozenset()

    def has_layer(self, layer: str) -> bool:
        return layer in self.present


@dataclass(slots=True)
class TileTask:
    """Everything one tile's evaluation needs, as plain picklable data."""

    number: int
    version: str
    model: TileModel
    #: layer -> positions (in the tile's layer) of the tile's own features
    own: dict[str, list[int]]
    #: layer -> index in the whole plan of each feature of the tile's layer
    index: dict[str, list[int]]
    #: the distinct regimes, and per layer the regime (in that table) of each feature
    regime_table: list[Regime]
    regime_of: dict[str, list[int]]
    #: (feature, entrance, target) and (parking, entrance) links of the regimes, as keys
    routes: list[tuple[Key, Key, Key | None]]
    parking: list[tuple[Key, Key]]
    #: (position in the run order, rule without its check type: looked up by name)
    rules: list[tuple[int, LoadedRule]]
    date: dt.date
    lang: str
    list_all: bool
    deviations: list[Deviation]
    scope_parameters: dict[str, float]


def run_tile(task: TileTask) -> Partial:
    """Evaluate one tile's rules on its own features (in a worker process or on a Dask
    worker): the findings keyed by their place in a single-process run."""
    if task.version != __version__:
        raise InputError(f"this worker runs inclusiecheck {__version__}, the check was started "
                         f"with {task.version}: install the same version on every worker")
    from inclusiecheck.engine.checks import get

    rules = [(pos, replace(rule, check=get(rule.spec.check.type))) for pos, rule in task.rules]
    model = task.model
    evaluator = Evaluator(model, [rule for _pos, rule in rules], date=task.date, lang=task.lang,
                          list_all=task.list_all, deviations=task.deviations,
                          scope_parameters=task.scope_parameters)
    by_key: dict[Key, Feature] = {(layer, g): f for layer, feats in model.layers.items()
                                  for g, f in zip(task.index[layer], feats)}
    regimes = {id(f): task.regime_table[r] for layer, feats in model.layers.items()
               for f, r in zip(feats, task.regime_of[layer])}
    routes = {id(by_key[f]): (by_key[e], by_key.get(t) if t is not None else None)
              for f, e, t in task.routes}
    parking = {id(by_key[p]): by_key[e] for p, e in task.parking}
    evaluator.ctx.regimes.seed(regimes, routes, parking)
    with _model_frozen():
        return evaluator.evaluate_pass(rules, own=task.own, index=task.index, keyed=True)


# -- planning ---------------------------------------------------------------------------------
@dataclass(slots=True)
class _Plan:
    """The whole plan as flat arrays: feature ``i`` is ``keys[i]``, ``feats[i]``."""

    feats: list[Feature]
    keys: list[Key]
    geoms: np.ndarray
    flat: dict[int, int]   # id(feature) -> flat index
    layers: np.ndarray     # the layer of each feature
    layer_start: dict[str, int] = field(default_factory=dict)
    _tree: Any = None

    @property
    def tree(self) -> Any:
        """An STRtree of ``geoms`` (built when first asked: the forked run needs none)."""
        if self._tree is None:
            self._tree = shapely.STRtree(self.geoms)
        return self._tree


def _flatten(model: SiteModel) -> _Plan:
    feats: list[Feature] = []
    keys: list[Key] = []
    starts: dict[str, int] = {}
    for layer in sorted(model.layers):
        starts[layer] = len(feats)
        for k, f in enumerate(model.layers[layer]):
            feats.append(f)
            keys.append((layer, k))
    geoms = np.empty(len(feats), dtype=object)
    geoms[:] = [f.geometry for f in feats]
    layers = np.empty(len(feats), dtype=object)
    layers[:] = [key[0] for key in keys]
    return _Plan(feats, keys, geoms, {id(f): i for i, f in enumerate(feats)}, layers, starts)


def _representative_xy(plan: _Plan) -> np.ndarray:
    """The representative point of every feature (``point_on_surface``); an empty geometry
    takes the plan's lower-left corner."""
    points = shapely.point_on_surface(plan.geoms)
    xy = np.column_stack([shapely.get_x(points), shapely.get_y(points)])
    bad = ~np.isfinite(xy).all(axis=1)
    if bad.any():
        good = xy[~bad]
        corner = good.min(axis=0) if len(good) else np.zeros(2)
        xy[bad] = corner
    return xy


def _kd_tiles(idx: np.ndarray, xy: np.ndarray, k: int) -> list[np.ndarray]:
    """``idx`` in ``k`` tiles of (nearly) equal counts: cut at the quantile along the longer
    side, recursively; ties broken by the feature's place in the plan (deterministic)."""
    if k <= 1 or len(idx) <= 1:
        return [idx]
    pts = xy[idx]
    span = pts.max(axis=0) - pts.min(axis=0)
    axis = 0 if span[0] >= span[1] else 1
    order = np.lexsort((idx, pts[:, axis]))
    left = k // 2
    cut = int(round(len(idx) * left / k))
    return (_kd_tiles(np.sort(idx[order[:cut]]), xy, left)
            + _kd_tiles(np.sort(idx[order[cut:]]), xy, k - left))


def plan_tiles(model: SiteModel, *, tiles: int, tile_size_m: float | None = None,
               plan: _Plan | None = None) -> list[np.ndarray]:
    """The tiles of the plan as arrays of flat feature indices (see :func:`_flatten`), every
    feature in exactly one, by its representative point: a grid of ``tile_size_m`` squares
    from the plan's lower-left corner, or ``tiles`` balanced tiles."""
    plan = plan or _flatten(model)
    n = len(plan.feats)
    if n == 0:
        return []
    xy = _representative_xy(plan)
    if tile_size_m is None:
        return [t for t in _kd_tiles(np.arange(n), xy, max(1, tiles)) if len(t)]
    cells = np.floor((xy - xy.min(axis=0)) / tile_size_m).astype(np.int64)
    order = np.lexsort((np.arange(n), cells[:, 1], cells[:, 0]))
    sorted_cells = cells[order]
    starts = np.flatnonzero(np.r_[True, (np.diff(sorted_cells, axis=0) != 0).any(axis=1)])
    return [np.sort(part) for part in np.split(order, starts[1:])]


def _members(plan: _Plan, own: np.ndarray, halo_m: float, pins: Sequence[int],
             links: dict[int, list[int]]) -> np.ndarray:
    """Flat indices of the features a tile holds: its own, every feature within ``halo_m``
    of their extent, the pinned features, the features its members link to (route entrances
    and targets, with the buildings those entrances lie against), and the entrances in or
    against every building it holds."""
    bounds = shapely.total_bounds(plan.geoms[own])
    found = [own, np.asarray(pins, dtype=np.int64)]
    if np.isfinite(bounds).all():
        box = shapely.box(bounds[0] - halo_m, bounds[1] - halo_m,
                          bounds[2] + halo_m, bounds[3] + halo_m)
        found.append(plan.tree.query(box, predicate="intersects").astype(np.int64))
    members = np.unique(np.concatenate(found))
    extra = [j for i in members.tolist() for j in links.get(i, ())]
    if extra:
        members = np.unique(np.concatenate([members, np.asarray(extra, dtype=np.int64)]))
    # a building's public (and floor area) read the entrances within 1 m of its outline
    buildings = members[plan.layers[members] == "building"]
    if len(buildings) and "entrance" in plan.layer_start:
        _b, hit = plan.tree.query(plan.geoms[buildings], predicate="dwithin",
                                  distance=AGAINST_M)
        hit = np.unique(hit)
        hit = hit[plan.layers[hit] == "entrance"]
        if len(hit):
            members = np.unique(np.concatenate([members, hit.astype(np.int64)]))
    return members


def _regime_key(regime: Regime) -> tuple[Any, ...]:
    return (regime.code, tuple(sorted(regime.reason.items())), regime.derived, regime.basis,
            regime.candidates, regime.missing)


@dataclass(slots=True)
class _Shared:
    """What every task of a run shares."""

    model: SiteModel
    plan: _Plan
    regime_table: list[Regime]
    regime_index: np.ndarray
    routes: dict[int, tuple[int, int | None]]   # flat -> (entrance, target)
    parking: dict[int, int]                      # flat parking -> flat entrance
    rules: list[tuple[int, LoadedRule]]
    evaluator: Evaluator
    date: dt.date
    lang: str
    list_all: bool
    deviations: list[Deviation]


def _task(number: int, own: np.ndarray, members: np.ndarray, shared: _Shared) -> TileTask:
    plan, model = shared.plan, shared.model
    own_set = set(own.tolist())
    layers: dict[str, list[Feature]] = {}
    index: dict[str, list[int]] = {}
    mine: dict[str, list[int]] = {}
    regime_of: dict[str, list[int]] = {}
    for i in members.tolist():   # flat order: layer by layer, features in plan order
        layer, k = plan.keys[i]
        feats = layers.setdefault(layer, [])
        if i in own_set:
            mine.setdefault(layer, []).append(len(feats))
        feats.append(plan.feats[i])
        index.setdefault(layer, []).append(k)
        regime_of.setdefault(layer, []).append(int(shared.regime_index[i]))
    member_set = set(members.tolist())
    routes = [(plan.keys[i], plan.keys[e], plan.keys[t] if t is not None else None)
              for i in members.tolist() if (link := shared.routes.get(i)) is not None
              for e, t in [link] if e in member_set and (t is None or t in member_set)]
    parking = [(plan.keys[i], plan.keys[e]) for i in members.tolist()
               if (e := shared.parking.get(i)) is not None and e in member_set]
    tile = TileModel(crs=model.crs, meta=model.meta,
                     layers={layer: tuple(feats) for layer, feats in layers.items()},
                     source_path=model.source_path,
                     present=frozenset(name for name, feats in model.layers.items() if feats))
    # the check function does not travel (a plugin's may not pickle): the worker binds it
    # again by the rule's check type
    portable = [(pos, replace(rule, check=cast("CheckType[Any]", None)))
                for pos, rule in shared.rules]
    return TileTask(number, __version__, tile, mine, index, shared.regime_table, regime_of,
                    routes, parking, portable, shared.date, shared.lang, shared.list_all,
                    shared.deviations, dict(shared.evaluator.ctx.scope_parameters))


def split_rules(rules: list[LoadedRule], facts: PlanFacts
                ) -> tuple[list[tuple[int, LoadedRule]], list[tuple[int, LoadedRule]], float,
                           list[Feature]]:
    """``(tiled, global, halo_m, pins)``: the rules in run order (with their positions) that
    run in tiles and those that run in the global pass, the halo (the largest reach of the
    tiled rules plus :data:`HALO_MARGIN_M`) and the features every tile must hold."""
    ordered = list(enumerate(run_order(rules)))
    read = {r for _pos, rule in ordered for r in rule.params.reads()}
    tiled: list[tuple[int, LoadedRule]] = []
    whole: list[tuple[int, LoadedRule]] = []
    halo = 0.0
    pins: dict[int, Feature] = {}
    for pos, rule in ordered:
        if rule.spec.check.type == "manual":
            continue
        reach = None if rule.id in read else rule_reach(rule, facts)
        if reach is None:
            whole.append((pos, rule))
            continue
        tiled.append((pos, rule))
        halo = max(halo, reach)
        for f in rule_pins(rule, facts):
            pins.setdefault(id(f), f)
    return tiled, whole, halo + HALO_MARGIN_M, list(pins.values())


def fork_available() -> bool:
    """Whether worker processes can be forked from this one: on Linux, when this process runs
    one thread (a fork copies only the calling thread: a lock another thread holds would stay
    locked in the worker). Forked workers inherit the plan read, its regimes and the rules
    instead of getting them pickled, and start at once. Elsewhere (macOS, Windows: ``fork``
    is unsafe or absent; an application with threads) the workers are spawned."""
    import multiprocessing
    import threading

    return (sys.platform.startswith("linux") and threading.active_count() == 1
            and "fork" in multiprocessing.get_all_start_methods())


def evaluate_parallel(model: SiteModel, rules: list[LoadedRule], *, date: dt.date,
                      lang: str = "nl", list_all: bool = False,
                      deviations: list[Deviation] | None = None, jobs: int = 2,
                      executor: str = "process", scheduler: Any = None,
                      tile_size_m: float | None = None, pool: Any = None,
                      start_method: str | None = None) -> Evaluation:
    """Evaluate ``rules`` on ``model`` in tiles (see the module docstring): ``jobs`` worker
    processes (``executor="process"``; with ``jobs=1`` the tiles run one after the other in
    this process), or a Dask cluster (``executor="dask"``: ``scheduler`` is its address or a
    ``distributed.Client``; without it a local cluster of ``jobs`` workers). ``pool``: a
    started :func:`worker_pool` to use (spawned workers).

    ``start_method``: ``fork`` (the default where :func:`fork_available` and no ``pool`` is
    given) forks ``jobs`` workers once the regimes are decided: each inherits the whole plan
    and evaluates parts of it (:func:`_evaluate_forked`, no halos); ``spawn`` sends each
    worker a tile with its halo."""
    if executor not in EXECUTORS:
        raise InputError(f"unknown executor {executor!r}; use {' or '.join(EXECUTORS)}")
    if jobs < 1:
        raise InputError(f"jobs must be at least 1, not {jobs}")
    if tile_size_m is not None and not (math.isfinite(tile_size_m) and tile_size_m > 0):
        raise InputError(f"the tile size must be a positive number of metres, not {tile_size_m}")
    if start_method not in (None, "fork", "spawn"):
        raise InputError(f"unknown start method {start_method!r}; use fork or spawn")
    if executor == "dask":
        require_dask()
    if start_method is None:
        start_method = "fork" if pool is None and fork_available() else "spawn"
    devs = list(deviations or [])
    evaluator = Evaluator(model, rules, date=date, lang=lang, list_all=list_all, deviations=devs)
    with _model_frozen():
        facts = PlanFacts(model, evaluator.ctx.scope_parameters)
        tiled, whole, halo, pins = split_rules(rules, facts)
        plan = _flatten(model)
        if executor == "process" and jobs > 1 and start_method == "fork":
            return _evaluate_forked(evaluator, plan, tiled, whole, jobs, tile_size_m)
        tiles = plan_tiles(model, tiles=TILES_PER_JOB * jobs, tile_size_m=tile_size_m,
                           plan=plan) if tiled else []
        if len(tiles) <= 1 and executor == "process":
            return evaluator._run()   # nothing to split: the single-process run itself
        # the regimes of the whole plan, decided once (the regime summary needs them anyway)
        table: list[Regime] = []
        seen: dict[tuple[Any, ...], int] = {}
        known: dict[int, int] = {}   # id of a regime object -> its row (most are shared)
        regime_index = np.empty(len(plan.feats), dtype=np.int64)
        for i, f in enumerate(plan.feats):
            regime = evaluator.ctx.regime(f)
            row = known.get(id(regime))
            if row is None:
                key = _regime_key(regime)
                if key not in seen:
                    seen[key] = len(table)
                    table.append(regime)
                row = known[id(regime)] = seen[key]
            regime_index[i] = row
        route_links, parking_links = evaluator.ctx.regimes.links()
        routes = {plan.flat[f]: (plan.flat[id(e)], plan.flat[id(t)] if t is not None else None)
                  for f, (e, t) in route_links.items() if f in plan.flat}
        parking = {plan.flat[p]: plan.flat[id(e)] for p, e in parking_links.items()
                   if p in plan.flat}
        # a tile holds the entrance (and target) its features' regimes were placed by, and
        # the buildings that entrance lies against (their floor area is the feature's)
        ends = sorted({e for e, _t in routes.values()} | set(parking.values()))
        against: dict[int, list[int]] = {}
        if ends:
            a, b = plan.tree.query(plan.geoms[ends], predicate="dwithin", distance=AGAINST_M)
            for e_pos, j in zip(a.tolist(), b.tolist()):
                if plan.layers[j] == "building":
                    against.setdefault(ends[e_pos], []).append(j)
        links: dict[int, list[int]] = {}
        for i, (e, t) in routes.items():
            links[i] = [e, *([t] if t is not None else []), *against.get(e, ())]
        for i, e in parking.items():
            links.setdefault(i, []).extend([e, *against.get(e, ())])
        shared = _Shared(model, plan, table, regime_index, routes, parking, tiled, evaluator,
                         date, lang, list_all, devs)
        pin_idx = [plan.flat[id(f)] for f in pins]
        tasks = [_task(n, own, _members(plan, own, halo, pin_idx, links), shared)
                 for n, own in enumerate(tiles)]

        def run_global() -> Partial:
            return evaluator.evaluate_pass(whole, keyed=True)

        if executor == "dask":
            parts, global_part = _run_dask(tasks, jobs, scheduler, run_global)
        elif jobs == 1:
            global_part = run_global()
            # as a worker would get them: through pickle, so nothing is shared by accident
            parts = [run_tile(pickle.loads(pickle.dumps(t, protocol=pickle.HIGHEST_PROTOCOL)))
                     for t in tasks]
        else:
            parts, global_part = _run_processes(tasks, jobs, run_global, pool)
        return evaluator.finish([global_part, *parts])


# -- findings on the wire ---------------------------------------------------------------------
_FIELDS = tuple(f.name for f in fields(Finding))
_GET_FIELDS = operator.attrgetter(*_FIELDS)


@dataclass(slots=True)
class Packed:
    """A :class:`Partial` as a worker sends it back: its findings as one pickled blob of
    field tuples (in :class:`Finding`'s field order) with the keys, and the rest of the
    partial without them.

    Packing is about twice as fast as the marshal rows it replaced (each value was first
    checked to be a plain builtin) and reading back as fast; the objects many findings
    share (the outcome, level and pillar enums, a rule's citation, advice and message
    templates) are written once and referred to after (pickle's memo), and every value
    comes back exactly as it was, whatever its type (a numpy number in a plugin's data
    included)."""

    blob: bytes
    part: Partial   # without its findings and keys


def pack(part: Partial) -> Packed:
    """The findings of ``part`` as one pickled blob (in a worker). The collector is paused
    meanwhile: none of the tuples is garbage before the blob is written, yet each young
    collection would traverse the tuples made so far."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        get = _GET_FIELDS
        blob = pickle.dumps(([get(f) for f in part.findings], part.keys),
                            protocol=pickle.HIGHEST_PROTOCOL)
    finally:
        if enabled:
            gc.enable()
    return Packed(blob, replace(part, findings=[], keys=None))


def unpack(packed: Packed) -> Partial:
    """The :class:`Partial` a worker packed (in the main process, as the results come in).
    Every object made here is kept (the findings of the run), so the collector is paused
    meanwhile and they are frozen with the model afterwards: otherwise each collection while
    the results come in traverses all the findings read so far (about 5 s of CPU for the
    105,000 findings of a 60,000-feature plan), in the process that shares the cores with
    the workers."""
    with _making_kept_objects():
        rows, keys = pickle.loads(packed.blob)
        make = _finding_of_fields   # (Finding(*row), each slot set directly)
        findings = [make(*row) for row in rows]
    return replace(packed.part, findings=findings, keys=keys)


# -- forked workers ---------------------------------------------------------------------------
#: parts of the tiled rules' features per job in a forked run: small enough that the
#: workers stay busy to the end (a worker takes the next part when it is done), large enough
#: that a part's fixed costs (a pass's set-up per rule, one result to send back) stay small
PARTS_PER_JOB = 8


@dataclass(slots=True)
class _Forked:
    """What a forked worker inherits: the evaluator of the whole plan (its regimes decided),
    and the work of each task: the global pass or the tiled rules on some features."""

    evaluator: Evaluator
    tiled: list[tuple[int, LoadedRule]]
    whole: list[tuple[int, LoadedRule]]
    #: per task: None (the global pass) or layer -> positions of the features to judge
    tasks: list[dict[str, list[int]] | None]


#: the run's state, set in the main process just before the workers are forked (under "run"),
#: read in them, removed again when the run ends
_INHERITED: dict[str, _Forked] = {}


def _run_forked(number: int) -> Packed:
    """Task ``number`` of the forked run, in a forked worker (its own copy of the evaluator:
    the per-run structures a task builds stay for the worker's next tasks)."""
    state = _INHERITED.get("run")
    if state is None:   # pragma: no cover - only when not forked from evaluate_parallel
        raise RuntimeError("a forked task ran in a process that was not forked for it")
    return pack(_run_task(state, number))


def _run_task(state: _Forked, number: int) -> Partial:
    """Task ``number`` of the forked run (in a worker, or in this process: its findings as
    they are): the global pass, or the tiled rules on that part of the plan."""
    own = state.tasks[number]
    if own is None:
        return state.evaluator.evaluate_pass(state.whole, keyed=True)
    return state.evaluator.evaluate_pass(state.tiled, own=own, keyed=True)


def _evaluate_forked(evaluator: Evaluator, plan: _Plan, tiled: list[tuple[int, LoadedRule]],
                     whole: list[tuple[int, LoadedRule]], jobs: int,
                     tile_size_m: float | None) -> Evaluation:
    """The forked run: ``jobs`` processes, this one and ``jobs - 1`` workers forked from it,
    each with the whole plan (nothing pickled to them, no halo: a feature is judged on the
    plan itself). The tasks are the global pass, then the tiled rules on parts of the plan
    (``PARTS_PER_JOB`` balanced tiles per job, or the ``tile_size_m`` grid), the largest
    first; every process takes the next task when it is done (:func:`_share_tasks`). The
    findings come back keyed and merge as the tiles' do.

    This process takes the first task (the global pass, the largest) and is one of the
    jobs: its own tasks' findings need no packing and unpacking, there is one fork fewer
    (each forked process copies the pages of the plan it touches), and no third process
    shares two cores with the workers. The workers' results are read between its own
    tasks."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    model = evaluator.model
    parts = plan_tiles(model, tiles=PARTS_PER_JOB * jobs, tile_size_m=tile_size_m,
                       plan=plan) if tiled else []
    if len(parts) + (1 if whole else 0) <= 1:
        return evaluator._run()   # nothing to split: the single-process run itself
    # the regimes of the whole plan, decided once before the fork (they read neighbours;
    # the regime summary needs them anyway)
    for f in plan.feats:
        evaluator.ctx.regime(f)
    tasks: list[dict[str, list[int]] | None] = [None] if whole else []
    for own in sorted(parts, key=len, reverse=True):   # stable: equal sizes in plan order
        mine: dict[str, list[int]] = {}
        for i in own.tolist():
            layer, k = plan.keys[i]
            mine.setdefault(layer, []).append(k)
        tasks.append(mine)
    state = _INHERITED["run"] = _Forked(evaluator, tiled, whole, tasks)
    results: list[Partial | None] = [None] * len(tasks)
    try:
        forked = min(jobs - 1, len(tasks) - 1)
        workers = ProcessPoolExecutor(max_workers=forked,
                                      mp_context=multiprocessing.get_context("fork"))
        try:
            for n, got in _share_tasks(workers, len(tasks), forked,
                                       lambda n: _run_task(state, n)):
                results[n] = got if isinstance(got, Partial) else unpack(got)
        finally:   # a task that failed: the tasks not started yet are not run
            workers.shutdown(wait=True, cancel_futures=True)
    except BrokenProcessPool as exc:
        raise RuntimeError(f"a worker process of the parallel check stopped ({exc}); run "
                           "with fewer --jobs or without them") from None
    finally:
        _INHERITED.pop("run", None)
    return evaluator.finish([part for part in results if part is not None])


def _share_tasks(workers: Any, count: int, feed: int, run_here: Callable[[int], Partial]
                 ) -> Iterator[tuple[int, Partial | Packed]]:
    """Tasks ``0 .. count - 1`` shared between this process (``run_here``) and the pool
    ``workers`` (``_run_forked``, ``feed`` of them at a time: one per worker): each task
    runs once, taken in order by whichever process is free first. Yields ``(task, result)``:
    this process's own results as it makes them and, after each, the workers' (packed)
    that came in meanwhile, in the order they finished. This process takes task 0. The
    workers are forked by the first submit, here, before the thread that feeds them starts
    (a fork copies only the calling thread); that thread submits a worker's next task as
    soon as one is done, while this one evaluates. A failed task (here or in a worker) stops the sharing: no task is taken
    after it, and its exception is raised once the tasks under way are done."""
    import threading
    from collections import deque
    from concurrent.futures import FIRST_COMPLETED, wait

    todo = deque(range(1, count))
    running: dict[Any, int] = {}
    finished: list[tuple[int, Any]] = []
    failed: list[BaseException] = []   # the feeder's own failure (a broken pool)
    stop = threading.Event()
    for _ in range(min(feed, len(todo))):
        first = todo.popleft()
        running[workers.submit(_run_forked, first)] = first

    def next_task() -> int | None:
        if stop.is_set():
            return None
        try:
            return todo.popleft()   # (atomic: each task is taken once)
        except IndexError:
            return None

    def feeder() -> None:
        try:
            while running:
                done, _ = wait(list(running), return_when=FIRST_COMPLETED)
                for future in done:
                    finished.append((running.pop(future), future))
                    if future.exception() is not None:
                        stop.set()
                    task = next_task()
                    if task is not None:
                        running[workers.submit(_run_forked, task)] = task
        except BaseException as exc:   # the pool itself failed (submit on a broken pool)
            stop.set()
            failed.append(exc)

    thread = threading.Thread(target=feeder, name="inclusiecheck-tasks", daemon=True)
    thread.start()
    read = 0   # the workers' results yielded so far (``finished`` only grows)
    try:
        mine: int | None = 0
        while mine is not None:
            yield mine, run_here(mine)
            while read < len(finished):   # read between own tasks, not all at the end
                task, future = finished[read]
                read += 1
                yield task, future.result()   # (a worker's exception raised here)
            mine = next_task()
    except BaseException:
        stop.set()
        raise
    finally:
        thread.join()
    for task, future in finished[read:]:
        yield task, future.result()
    if failed:
        raise failed[0]


def _warm() -> int:
    """A worker's first task: import the engine and load the check types (plugins too)."""
    from inclusiecheck.engine.checks import registry

    return len(registry())


@contextmanager
def worker_pool(jobs: int) -> Iterator[Any]:
    """``jobs`` worker processes (``spawn``: nothing is inherited but what a task sends),
    started at once so that they import the engine while the main process reads the plan;
    give the pool to :func:`evaluate_parallel`."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(max_workers=jobs,
                               mp_context=multiprocessing.get_context("spawn"))
    try:
        for _ in range(jobs):
            pool.submit(_warm)
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _run_tile_packed(task: TileTask) -> Packed:
    return pack(run_tile(task))


def _run_processes(tasks: list[TileTask], jobs: int, run_global: Callable[[], Partial],
                   pool: Any = None) -> tuple[list[Partial], Partial]:
    from concurrent.futures.process import BrokenProcessPool

    try:
        with (nullcontext(pool) if pool is not None else worker_pool(jobs)) as workers:
            futures = [workers.submit(_run_tile_packed, task) for task in tasks]
            global_part = run_global()   # the unbounded rules, while the tiles run
            return [unpack(f.result()) for f in futures], global_part
    except BrokenProcessPool as exc:
        raise RuntimeError(f"a worker process of the parallel check stopped ({exc}); run "
                           "with fewer --jobs or without them") from None


def require_dask() -> None:
    """Raise a one-line :class:`InputError` when ``dask.distributed`` is not installed."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise InputError("--executor dask needs the dask extra: pip install "
                         "'inclusiecheck[dask]'") from None


def _run_dask(tasks: list[TileTask], jobs: int, scheduler: Any,
              run_global: Callable[[], Partial]) -> tuple[list[Partial], Partial]:
    from distributed import Client, LocalCluster

    cluster = None
    if scheduler is None or isinstance(scheduler, str):
        try:
            if scheduler is None:
                cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
                client = Client(cluster)
            else:
                client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as exc:
            where = f"at {scheduler}" if scheduler else "(a local cluster)"
            raise InputError(f"cannot reach the Dask scheduler {where}: {exc}") from None
        owned = True
    else:
        client, owned = scheduler, False
    try:
        futures = client.map(run_tile, tasks, key=[f"inclusiecheck-tile-{t.number}-"
                                                   f"{id(tasks)}" for t in tasks])
        global_part = run_global()
        return list(client.gather(futures)), global_part
    finally:
        if owned:
            client.close()
            if cluster is not None:
                cluster.close()
