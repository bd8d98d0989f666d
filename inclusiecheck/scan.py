"""Region monitoring: ``inclusiecheck scan`` judges a large input unit by unit and resumes.

A *unit* is a grid cell (``--by grid[:SIZE]``, squares of SIZE metres in the plan CRS, aligned
to its origin) or a polygon of a units file (``--units FILE --unit-field NAME``, e.g. the
municipal boundaries; polygons that share a name form one unit). Every feature belongs to the
unit that contains its representative point (``shapely.point_on_surface``): a grid cell is
half-open (its west and south edges belong to it), a point on the border of two polygons goes
to the first unit in id order. Only grid cells that hold a feature are units; every polygon of
a units file is one, even without features. A feature outside every polygon is not judged (it
is counted as ``features_outside``) but stays context for the units beside it.

A unit's own features are judged with every feature within ``halo_m`` of the unit's and its
features' extent as their neighbours (the lamps, toilets and walkway network the rules look
at), in a model that answers for the whole input whether a layer exists (so a layer's
completeness is that of the input); the nearest target of a ``nearest``, ``toilet_coverage``
or ``route_chain`` rule beyond the halo is added, and the rules whose outcomes other rules
read run on the halo's features too (:func:`evaluate_unit`). Only the findings of the unit's
own features are kept.

The result of a unit is written atomically to ``scan-units/<hash>.json`` and then recorded in
``scan-state.jsonl`` (JSON lines: a header with the fingerprint, then one line per finished
unit: its id, the fingerprint, the result file and its SHA-256). A scan started again with the
same inputs, rules and options skips the finished units; another fingerprint starts afresh.
At the end every unit's results are merged, in unit order, into one output set
(:func:`inclusiecheck.output.write_report_set`): ``scan.gpkg``, ``unit_summary.csv``,
``unit_rules.csv`` and ``scan.json``; see docs/scale.md, section "Region monitoring".
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import contextlib
import math
import os
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import box, mapping, shape
from shapely.geometry.base import BaseGeometry

from inclusiecheck import __version__
from inclusiecheck.model import Feature, Finding, InputError, Outcome, Report, SiteModel

#: default grid cell size (m)
DEFAULT_GRID_M = 1000
#: default halo (m): the largest bounded reach of the built-in rules (an accessible toilet
#: within 500 m of walking, VZ-10/VZ-11; access routes of at most 500 m) plus the 50 m within
#: which a place is snapped to the walkway network, rounded up
DEFAULT_HALO_M = 600.0
#: limits of a grid cell size and of a halo (m)
GRID_MIN_M, GRID_MAX_M = 10, 100_000
HALO_MAX_M = 10_000.0

STATE_FILE = "scan-state.jsonl"
UNITS_DIR = "scan-units"
GPKG_FILE = "scan.gpkg"
SUMMARY_CSV = "unit_summary.csv"
RULES_CSV = "unit_rules.csv"
SCAN_JSON = "scan.json"
#: version of the state and unit-result files (another version starts afresh)
STATE_VERSION = 1

#: outcomes counted per rule, in column order
OUTCOMES = ("fail", "warn", "to_verify", "deviation", "pass", "not_applicable")
#: the targets whose toilet coverage is summarised: (column name, layer, area kind or None)
TOILET_TARGETS = (("square", "area", "square"), ("park", "area", "park"),
                  ("stop", "stop", None))
SUMMARY_LAYER = "unit_summary"
RULES_LAYER = "unit_rules"

ProgressFunc = Callable[[dict[str, Any]], None]


# -------------------------------------------------------------------------------- options
@dataclass(frozen=True)
class ScanOptions:
    """What a scan judges and how; every field is part of the fingerprint."""

    grid_m: int | None = DEFAULT_GRID_M
    units: Path | None = None
    unit_field: str | None = None
    halo_m: float = DEFAULT_HALO_M
    rules: tuple[str, ...] | None = None
    mapping: str | None = None
    crs: str | None = None
    date: dt.date | None = None
    lang: str = "nl"
    list_all: bool = False
    meta: tuple[tuple[str, Any], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"grid_m": self.grid_m, "units": self.units.name if self.units else None,
                "unit_field": self.unit_field, "halo_m": self.halo_m,
                "rules": list(self.rules) if self.rules is not None else None,
                "mapping": self.mapping, "crs": self.crs,
                "date": self.date.isoformat() if self.date else None, "lang": self.lang,
                "list_all": self.list_all, "meta": {k: v for k, v in self.meta}}


def parse_by(value: str | None) -> int:
    """``grid`` or ``grid:SIZE`` (whole metres, ``500`` or ``500m``) -> the cell size.

    Raises
    ------
    InputError
        Anything else, or a size outside 10-100000 m.
    """
    text = (value or "grid").strip().lower()
    match = re.fullmatch(r"grid(?::\s*([0-9]+(?:\.[0-9]*)?)\s*m?)?", text)
    if match is None:
        raise InputError(f"--by {value!r}: use grid or grid:SIZE (SIZE in whole metres, e.g. "
                         "grid:500); for polygons use --units FILE --unit-field NAME")
    if match.group(1) is None:
        return DEFAULT_GRID_M
    size = float(match.group(1))
    if size != int(size) or not GRID_MIN_M <= size <= GRID_MAX_M:
        raise InputError(f"--by {value!r}: the grid size must be a whole number of metres from "
                         f"{GRID_MIN_M} to {GRID_MAX_M}")
    return int(size)


# -------------------------------------------------------------------------------- units
@dataclass(frozen=True)
class Unit:
    """One unit: its id and its area in the plan CRS."""

    id: str
    geometry: BaseGeometry


@dataclass
class _Flat:
    """Every feature of the input in one list (layers in name order, each in its own order)."""

    feats: list[Feature]
    geoms: np.ndarray
    points: np.ndarray   # x, y of the representative point of each feature

    @classmethod
    def of(cls, model: SiteModel) -> _Flat:
        feats = [f for layer in sorted(model.layers) for f in model.layers[layer]]
        geoms = np.empty(len(feats), dtype=object)
        geoms[:] = [f.geometry for f in feats]
        pts = shapely.point_on_surface(geoms)
        xy = np.column_stack([shapely.get_x(pts), shapely.get_y(pts)]) if feats \
            else np.zeros((0, 2))
        bad = ~np.isfinite(xy).all(axis=1)
        if bad.any():   # an empty geometry: its bounds' corner, else the plan's
            good = xy[~bad]
            xy[bad] = good.min(axis=0) if len(good) else 0.0
        return cls(feats, geoms, xy)


def _grid_id(x0: float, y0: float) -> str:
    return f"E{int(x0)}_N{int(y0)}"


def grid_units(flat: _Flat, size: int) -> tuple[list[Unit], np.ndarray]:
    """The grid cells that hold a feature, in (north, east) order from the south-west, and
    the unit index of every feature."""
    cells = np.floor(flat.points / size).astype(np.int64)
    keys = sorted({(int(r), int(c)) for c, r in cells})
    index = {key: i for i, key in enumerate(keys)}
    units = [Unit(_grid_id(c * size, r * size),
                  box(c * size, r * size, (c + 1) * size, (r + 1) * size)) for r, c in keys]
    owner = np.array([index[(int(r), int(c))] for c, r in cells], dtype=np.int64)
    return units, owner


def _value_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def read_units(path: Path, field_name: str) -> tuple[list[Unit], str | None]:
    """The polygons of ``path`` (its first layer) by ``field_name``, and the file's CRS (WKT;
    ``None`` when it has none). Polygons with the same value form one unit; units are sorted
    by id. :func:`units_in_crs` brings them into the plan CRS.

    Raises
    ------
    InputError
        The file cannot be read, has no such field, no polygons, or a polygon without a value.
    """
    import fiona
    from fiona.errors import FionaError

    if not path.exists():
        raise InputError(f"--units {path}: no such file")
    try:
        layers = fiona.listlayers(str(path))
        with fiona.open(str(path), layer=layers[0]) as src:
            fields = list(src.schema["properties"])
            crs = src.crs_wkt or None
            if field_name not in fields:
                near = [f for f in fields if f.lower() == field_name.lower()]
                hint = f" (did you mean {near[0]}?)" if near else ""
                raise InputError(f"--unit-field {field_name!r}: {path.name} has no such field"
                                 f"{hint}; its fields: {', '.join(fields) or 'none'}")
            parts: dict[str, list[BaseGeometry]] = {}
            others = unnamed = 0
            for record in src:
                geom = shape(record.geometry) if record.geometry is not None else None
                if geom is None or geom.is_empty or geom.geom_type not in ("Polygon",
                                                                             "MultiPolygon"):
                    others += 1
                    continue
                name = _value_text(record.properties.get(field_name))
                if name is None:
                    unnamed += 1
                    continue
                parts.setdefault(name, []).append(shapely.make_valid(geom))
    except InputError:
        raise
    except (FionaError, OSError, ValueError, IndexError) as exc:
        raise InputError(f"--units {path}: cannot read it as a GIS file ({exc})") from None
    if unnamed:
        raise InputError(f"--units {path}: {unnamed} polygon(s) have no {field_name}; give "
                         "every unit a name or choose another --unit-field")
    if not parts:
        what = f"{others} feature(s), none a polygon" if others else "no features"
        raise InputError(f"--units {path}: {what}; the units must be areas (e.g. municipal "
                         "boundaries)")
    return [Unit(name, shapely.union_all(parts[name])) for name in sorted(parts)], crs


def units_in_crs(units: list[Unit], source: str | None, plan_crs: str, path: Path
                 ) -> list[Unit]:
    """``units`` from CRS ``source`` into the plan CRS (a file without a CRS is taken to be in
    the plan CRS)."""
    transform = _transformer(source, plan_crs, path)
    if transform is None:
        return units
    return [Unit(u.id, shapely.make_valid(shapely.transform(u.geometry, transform,
                                                            interleaved=False)))
            for u in units]


def _transformer(source: str | None, target: str, path: Path) -> Callable[..., Any] | None:
    """A coordinate function from the units file's CRS to the plan's (None: the same)."""
    if not source:
        return None   # a units file without a CRS is taken to be in the plan CRS
    from pyproj import CRS, Transformer
    from pyproj.exceptions import CRSError

    try:
        src, dst = CRS.from_user_input(source), CRS.from_user_input(target)
    except CRSError:
        raise InputError(f"--units {path}: its CRS cannot be matched with the plan's "
                         f"({target}); give both a projected CRS") from None
    if src == dst:
        return None
    transformer = Transformer.from_crs(src, dst, always_xy=True)

    def coords(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return transformer.transform(x, y)

    return coords


def assign_to_units(flat: _Flat, units: Sequence[Unit]) -> np.ndarray:
    """The index of the unit that contains each feature's representative point (the first
    in unit order on a shared border), -1 outside every unit."""
    owner = np.full(len(flat.feats), -1, dtype=np.int64)
    if not len(flat.feats) or not units:
        return owner
    points = shapely.points(flat.points)
    tree = shapely.STRtree([u.geometry for u in units])
    pi, ui = tree.query(points, predicate="intersects")
    order = np.lexsort((ui, pi))
    pi, ui = pi[order], ui[order]
    first = np.ones(pi.size, dtype=bool)
    first[1:] = pi[1:] != pi[:-1]
    owner[pi[first]] = ui[first]
    return owner


# -------------------------------------------------------------------------------- evaluation
@dataclass(slots=True)
class UnitModel(SiteModel):
    """A unit's features and halo, answering for the whole input whether a layer exists (so
    ``layer_complete`` and "the plan draws no lamps" hold as on the whole input)."""

    present: frozenset[str] = frozenset()

    def has_layer(self, layer: str) -> bool:
        return layer in self.present


@dataclass
class _Run:
    """What every unit shares: the input, its index, the rules and the report catalogue."""

    model: SiteModel
    flat: _Flat
    tree: Any
    rules: list[Any]
    day: dt.date
    lang: str
    list_all: bool
    halo_m: float
    catalogue: Report
    categories: list[tuple[str, Any]]
    toilet_rules: list[Any]
    present: frozenset[str]
    #: the rules whose outcomes other rules read (``any_compliant``), and the others; ``split``:
    #: the others judge only the unit's own features (see :func:`evaluate_unit`)
    read_rules: list[Any] = field(default_factory=list)
    other_rules: list[Any] = field(default_factory=list)
    split: bool = False
    #: (layer, conditions, sure) -> flat indices of the features that meet the conditions (or,
    #: not sure, may meet them), and their tree
    targets: dict[str, tuple[np.ndarray, Any]] = field(default_factory=dict)


#: check types that look for the nearest target wherever it lies: the parameters that name
#: the target layers and their conditions
TARGET_CHECKS = ("nearest", "toilet_coverage", "route_chain")


def target_kinds(rules: Iterable[Any]) -> list[tuple[str, dict[str, Any]]]:
    """The (layer, conditions) of every target that a ``nearest``, ``toilet_coverage`` or
    ``route_chain`` rule looks for, without repeats, in rule order."""
    out: list[tuple[str, dict[str, Any]]] = []
    for rule in rules:
        kind, p = rule.spec.check.type, rule.params
        if kind == "nearest":
            found = [(layer, dict(p.where)) for layer in p.layers]
        elif kind == "toilet_coverage":
            found = [(p.source_layer, dict(p.source_where))]
        elif kind == "route_chain":
            found = [(d.layer, dict(d.where)) for d in p.destinations]
        else:
            continue
        out += [item for item in found if item not in out]
    return out


def _meets(feature: Feature, where: dict[str, Any]) -> bool | None:
    """Whether the feature's own attributes meet the conditions: ``True``, ``False``, or
    ``None`` when a value is missing (it may still be derived from its neighbours)."""
    from inclusiecheck.engine.conditions import matches

    states = [matches(feature.get(name), cond) for name, cond in where.items()]
    if any(state is False for state in states):
        return False
    return True if all(state is True for state in states) else None


def _prepare(model: SiteModel, sets: list[Any], day: dt.date, lang: str, list_all: bool,
             halo_m: float) -> _Run:
    from inclusiecheck.api import _rule_info
    from inclusiecheck.engine.checks.provisions import StopCategoryParams
    from inclusiecheck.engine.evaluate import rules_in_force
    from inclusiecheck.engine.loader import scope_parameters
    from inclusiecheck.engine.stops import CATEGORY_CHECK
    from inclusiecheck.engine.verdict import decide

    rules = rules_in_force(sets, day)
    flat = _Flat.of(model)
    catalogue = Report(lang=lang, plan={}, crs=model.crs, rule_sets=(),
                       verdict=decide([], {}, lang), summary={}, coverage={}, warnings=(),
                       findings=(), rules=tuple(_rule_info(r, lang) for r in rules),
                       list_all=list_all)
    categories: dict[str, Any] = {}
    for rule in rules:   # one rule per category, the first, as the report's stops block
        if rule.spec.check.type == CATEGORY_CHECK and isinstance(rule.params,
                                                                 StopCategoryParams):
            categories.setdefault(rule.params.category, rule)
    toilet = [r for r in rules if r.spec.check.type == "toilet_coverage"]
    targets = {}
    for layer, where in target_kinds(rules):
        states = [(i, _meets(f, where)) for i, f in enumerate(flat.feats) if f.layer == layer]
        for sure in (True, False):   # the targets that meet the conditions, that may meet them
            idx = np.array([i for i, state in states if state is True or
                            (not sure and state is None)], dtype=np.int64)
            if idx.size:
                key = json.dumps([layer, where, sure], sort_keys=True, default=str)
                targets[key] = (idx, shapely.STRtree(flat.geoms[idx]))
    read = read_closure(rules)
    read_rules = [r for r in rules if r.id in read]
    other_rules = [r for r in rules if r.id not in read]
    # the two evaluators must see the same legal scope figures as one would
    every = scope_parameters(rules)
    split = scope_parameters(read_rules) == every == scope_parameters(other_rules)
    return _Run(model, flat, shapely.STRtree(flat.geoms), rules, day, lang, list_all, halo_m,
                catalogue, sorted(categories.items()), toilet,
                frozenset(layer for layer, feats in model.layers.items() if feats),
                read_rules, other_rules, split, targets)


def read_closure(rules: Sequence[Any]) -> set[str]:
    """Ids of the rules whose outcomes some rule reads (``params.reads()``), and of the rules
    those read, among ``rules``."""
    by_id: dict[str, list[Any]] = {}
    for rule in rules:
        by_id.setdefault(rule.id, []).append(rule)
    found: set[str] = set()
    todo = [r for rule in rules for r in rule.params.reads() if r in by_id]
    while todo:
        rule_id = todo.pop()
        if rule_id not in found:
            found.add(rule_id)
            todo += [r for rule in by_id[rule_id] for r in rule.params.reads() if r in by_id]
    return found


def evaluate_unit(run: _Run, unit: Unit, own: np.ndarray) -> dict[str, Any]:
    """Evaluate one unit (its own features ``own``, flat indices, plus the halo) and return
    its result: findings rows of the GeoPackage, the summary row and the per-rule counts."""
    from inclusiecheck.engine.evaluate import Evaluator

    flat = run.flat
    own_feats = [flat.feats[i] for i in own]
    if own_feats:
        minx, miny, maxx, maxy = shapely.total_bounds(flat.geoms[own])
        ux0, uy0, ux1, uy1 = unit.geometry.bounds
        area = box(min(minx, ux0) - run.halo_m, min(miny, uy0) - run.halo_m,
                   max(maxx, ux1) + run.halo_m, max(maxy, uy1) + run.halo_m)
        members = np.union1d(run.tree.query(area, predicate="intersects"), own)
        members = np.union1d(members, _pins(run, area, members))
    else:
        members = np.empty(0, dtype=np.int64)
    layers: dict[str, list[Feature]] = {}
    for i in members:   # flat order: each layer keeps the input's order
        feature = flat.feats[int(i)]
        layers.setdefault(feature.layer, []).append(feature)
    model = run.model
    sub = UnitModel(model.crs, model.meta, {k: tuple(v) for k, v in layers.items()},
                    source_path=model.source_path, present=run.present)
    own_keys = {(f.layer, f.id) for f in own_feats}
    if run.split:
        found, ctx = _evaluate_split(run, sub, own_feats)
    else:
        evaluator = Evaluator(sub, run.rules, date=run.day, lang=run.lang,
                              list_all=run.list_all)
        evaluator.ctx.watch(rule.id for rule in run.rules)   # every outcome, per feature
        found, ctx = evaluator.run().findings, evaluator.ctx
    findings = [f for f in found if (f.layer, f.feature_id) in own_keys]
    rule_rows = _rule_counts(run, own_feats, ctx)
    return {
        "rows": _finding_rows(run, findings),
        "summary": _summary(run, unit, own_feats, findings, rule_rows, ctx),
        "rules": rule_rows,
    }


def _evaluate_split(run: _Run, sub: SiteModel, own: list[Feature]) -> tuple[list[Finding], Any]:
    """Evaluate a unit judging only its own features, with the halo as their context.

    The rules whose outcomes other rules read (``any_compliant``: an entrance of a building,
    the segments of an access path) run first on every feature of ``sub``; their outcomes are
    recorded into the second evaluator, which runs the other rules over the unit's own
    features only (its ``model``: the features it judges; its context ``ctx.model``: ``sub``,
    the unit and its halo). Returns the findings (in the evaluator's order) and the context
    that recorded every outcome.
    """
    from inclusiecheck.engine.evaluate import Evaluator

    found: list[Finding] = []
    first = None
    if run.read_rules:
        first = Evaluator(sub, run.read_rules, date=run.day, lang=run.lang,
                          list_all=run.list_all)
        first.ctx.watch(rule.id for rule in run.read_rules)
        found += first.run().findings
    layers: dict[str, list[Feature]] = {}
    for feature in own:   # in the input's order, as in sub
        layers.setdefault(feature.layer, []).append(feature)
    judged = UnitModel(sub.crs, sub.meta, {k: tuple(v) for k, v in layers.items()},
                       source_path=sub.source_path, present=run.present)
    second = Evaluator(sub, run.other_rules, date=run.day, lang=run.lang,
                       list_all=run.list_all)
    second.model = judged   # the features it judges; its checks look around in sub
    ctx = second.ctx
    ctx.watch(rule.id for rule in run.rules)
    if first is not None:
        for feature in sub:
            for rule in run.read_rules:
                plain = first.ctx.outcomes(rule.id, feature)
                confirmed = first.ctx.outcomes(rule.id, feature, in_scope=True)
                for outcome, in_scope in zip(plain, confirmed):
                    would_fail = None
                    if outcome is Outcome.TO_VERIFY and in_scope is not Outcome.TO_VERIFY:
                        would_fail = in_scope is Outcome.FAIL
                    ctx.record(rule.id, feature, outcome, would_fail)
    found += second.run().findings
    found.sort(key=Finding.sort_key)
    return found, ctx


def _pins(run: _Run, area: BaseGeometry, members: np.ndarray) -> np.ndarray:
    """For every target kind with no target inside ``area`` (the unit, its features and the
    halo): the nearest target of the whole input (one that meets the conditions, and one that
    may meet them), so that a place whose nearest target lies beyond the halo is judged on a
    far target (``fail``, as on the whole input) rather than on none (``to_verify``: "none in
    the plan")."""
    pins = []
    for idx, tree in run.targets.values():
        if np.intersect1d(idx, members, assume_unique=True).size:
            continue
        nearest = tree.query_nearest(area, all_matches=True)
        if nearest.size:
            pins.append(int(idx[int(nearest.min())]))
    return np.array(sorted(set(pins)), dtype=np.int64)


def _outcomes_of(ctx: Any, rule: Any, feature: Feature) -> tuple[Outcome, ...]:
    return ctx.outcomes(rule.id, feature)


def _rule_counts(run: _Run, own: list[Feature], ctx: Any) -> list[dict[str, Any]]:
    """Per rule, the outcomes on the unit's own features (every outcome, listed or not)."""
    by_layer: dict[str, list[Feature]] = {}
    for feature in own:
        by_layer.setdefault(feature.layer, []).append(feature)
    rows = []
    for rule in run.rules:
        if rule.spec.check.type == "manual":
            continue
        counts: Counter[str] = Counter()
        for layer in rule.spec.applies_to.layers:
            for feature in by_layer.get(layer, ()):
                for outcome in _outcomes_of(ctx, rule, feature):
                    counts[outcome.value] += 1
        if counts:
            rows.append({"rule_id": rule.id, "rule_set": rule.rule_set,
                         "level": rule.spec.level, **{o: counts.get(o, 0) for o in OUTCOMES}})
    return rows


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _summary(run: _Run, unit: Unit, own: list[Feature], findings: list[Finding],
             rule_rows: list[dict[str, Any]], ctx: Any) -> dict[str, Any]:
    """The unit's summary row (see :func:`summary_columns`)."""
    from inclusiecheck.engine.stops import category_counts
    from inclusiecheck.model.findings import LISTED_OUTCOMES

    totals: Counter[str] = Counter()
    obligation_fail = 0
    for counted in rule_rows:
        for outcome in OUTCOMES:
            totals[outcome] += counted[outcome]
        if counted["level"] == "obligation":
            obligation_fail += counted["fail"]
    listed = [f for f in findings if run.list_all or f.outcome in LISTED_OUTCOMES]
    row: dict[str, Any] = {"unit": unit.id, "features": len(own), "findings": len(listed),
                           **{o: totals.get(o, 0) for o in OUTCOMES},
                           "obligation_fail": obligation_fail}
    stops = [f for f in own if f.layer == "stop"]
    if run.categories:
        row["stops"] = len(stops)
        for name, rule in run.categories:
            # the report's own counting (engine.stops): every stop of the unit, new or existing
            block = category_counts(rule, stops, findings)
            share, base = block["share_pct"], block["baseline_pct"]
            row.update({
                f"stops_{name}_accessible": block["accessible"],
                f"stops_{name}_not_accessible": block["not_accessible"],
                f"stops_{name}_to_verify": block["to_verify"],
                f"stops_{name}_share_pct": share,
                f"stops_{name}_share_decided_pct": block["share_decided_pct"],
                f"stops_{name}_baseline_pct": base,
                f"stops_{name}_vs_baseline_pp": (round(share - base, 1)
                                                 if share is not None and base is not None
                                                 else None),
            })
    if run.toilet_rules:
        for name, layer, kind in TOILET_TARGETS:
            counts: Counter[str] = Counter()
            for feature in own:
                if feature.layer != layer or (kind is not None and feature.get("kind") != kind):
                    continue
                judged_as = _toilet_outcome(run, ctx, feature)
                if judged_as is not None:
                    counts[judged_as] += 1
            judged = sum(counts.values())
            row.update({
                f"toilet_{name}_judged": judged,
                f"toilet_{name}_covered": counts["pass"] + counts["deviation"],
                f"toilet_{name}_partly": counts["warn"],
                f"toilet_{name}_not_covered": counts["fail"],
                f"toilet_{name}_to_verify": counts["to_verify"],
                f"toilet_{name}_covered_pct": _pct(counts["pass"] + counts["deviation"],
                                                    judged),
            })
    return row


def _toilet_outcome(run: _Run, ctx: Any, feature: Feature) -> str | None:
    """The toilet-coverage outcome of a target (the first coverage rule that judged it),
    ``None`` when none applies."""
    for rule in run.toilet_rules:
        if feature.layer not in rule.spec.applies_to.layers:
            continue
        for outcome in _outcomes_of(ctx, rule, feature):
            if outcome is not Outcome.NOT_APPLICABLE:
                return outcome.value
    return None


def summary_columns(run: _Run) -> list[str]:
    """The columns of the unit summary, in order (the same for every unit of a scan)."""
    cols = ["unit", "features", "findings", *OUTCOMES, "obligation_fail"]
    if run.categories:
        cols.append("stops")
        for name, _rule in run.categories:
            cols += [f"stops_{name}_{k}" for k in ("accessible", "not_accessible", "to_verify",
                                                   "share_pct", "share_decided_pct",
                                                   "baseline_pct", "vs_baseline_pp")]
    if run.toilet_rules:
        for name, _layer, _kind in TOILET_TARGETS:
            cols += [f"toilet_{name}_{k}" for k in ("judged", "covered", "partly", "not_covered",
                                                    "to_verify", "covered_pct")]
    return cols


def _finding_rows(run: _Run, findings: list[Finding]) -> list[dict[str, Any]]:
    """The GeoPackage features of the unit's findings (reading order; numbered at merge)."""
    from dataclasses import replace

    from inclusiecheck.report.gpkg_report import LAYERS, _parts, finding_row
    from inclusiecheck.report.viewmodel import load_catalogue, reading_order

    report = replace(run.catalogue, findings=tuple(findings))
    t = load_catalogue(run.lang)
    out = []
    for finding in reading_order(report)[0]:
        if not finding.location:
            continue
        grouped: dict[str, list[Any]] = {}
        for layer, coords in _parts(finding.location):
            grouped.setdefault(layer, []).append(coords)
        if not grouped:
            continue
        row = finding_row(0, finding, report, t, run.lang)
        row["label"] = row["label"].split(". ", 1)[1]   # numbered when the units are merged
        for layer, parts in grouped.items():
            out.append({"layer": layer, "geometry": {"type": LAYERS[layer][0],
                                                     "coordinates": parts},
                        "properties": row})
    return out


# -------------------------------------------------------------------------------- fingerprint
def _digest(data: Any) -> str:
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def fingerprint_parts(plan: Path, options: ScanOptions, rules: Iterable[Any]) -> dict[str, str]:
    """SHA-256 of the inputs (every file read, and the units file), of the rules in force
    (id, set, version and their validated content) and of the options and tool version."""
    from inclusiecheck.api import input_files

    inputs = {"plan": input_files(plan),
              "units": input_files(options.units) if options.units else None}
    rule_data = [{"id": r.id, "set": r.rule_set, "set_version": r.rule_set_version,
                  "version": r.spec.version,
                  "content": hashlib.sha256((r.spec.model_dump_json()
                                             + r.params.model_dump_json()).encode()).hexdigest()}
                 for r in rules]
    return {"inputs": _digest(inputs), "rules": _digest(rule_data),
            "options": _digest({**options.as_dict(), "tool": __version__,
                                "state": STATE_VERSION})}


def fingerprint(parts: dict[str, str]) -> str:
    return _digest(parts)


# -------------------------------------------------------------------------------- state
@dataclass
class State:
    """The finished units of a scan in ``out`` (``scan-state.jsonl``)."""

    out: Path
    fingerprint: str
    parts: dict[str, str]
    done: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def path(self) -> Path:
        return self.out / STATE_FILE

    def header(self) -> dict[str, Any]:
        return {"scan": STATE_VERSION, "fingerprint": self.fingerprint, "parts": self.parts}

    def load(self) -> str | None:
        """Read the state of an earlier run; return a note when it was discarded (other
        fingerprint), else ``None``. A unit whose result file is missing or changed is not
        finished. The state file is rewritten without damaged lines."""
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            self._rewrite()
            return None
        except (OSError, UnicodeDecodeError):
            lines = [""]
        records = []
        for line in lines:
            try:
                record = json.loads(line)
            except ValueError:
                continue   # a line cut by a kill: that unit is done again
            if isinstance(record, dict):
                records.append(record)
        head = records[0] if records else {}
        note = None
        if head.get("fingerprint") != self.fingerprint:
            parts = head.get("parts")
            old: dict[str, Any] = parts if isinstance(parts, dict) else {}
            words = {"inputs": "input files", "rules": "rules in force", "options": "options"}
            changed = [words[name] for name in words if old.get(name) != self.parts.get(name)]
            note = (f"{self.path} was written by a scan with other "
                    f"{' and '.join(changed) or 'state format'}: its finished units are "
                    "discarded and the scan starts afresh")
            self._discard(records)
            records = []
        for record in records[1:]:
            unit, result, digest = record.get("unit"), record.get("result"), record.get("sha256")
            if (record.get("fingerprint") != self.fingerprint or not isinstance(unit, str)
                    or not isinstance(result, str) or not _safe_result(result)):
                continue
            try:
                data = (self.out / result).read_bytes()
            except OSError:
                continue
            if hashlib.sha256(data).hexdigest() == digest:
                self.done[unit] = record
        self._rewrite()
        return note

    def _discard(self, records: list[dict[str, Any]]) -> None:
        for record in records[1:]:
            result = record.get("result")
            if isinstance(result, str) and _safe_result(result):
                with contextlib.suppress(OSError):   # a stale result that will not go
                    (self.out / result).unlink()

    def _rewrite(self) -> None:
        from inclusiecheck.output import write_atomic

        lines = [self.header(), *self.done.values()]
        write_atomic(self.path, "".join(json.dumps(x, sort_keys=True) + "\n"
                                        for x in lines).encode("utf-8"))

    def finish(self, unit: str, data: bytes) -> Path:
        """Write a unit's result atomically, then record it (appended, flushed to disk)."""
        from inclusiecheck.output import write_atomic

        name = f"{UNITS_DIR}/{hashlib.sha256(unit.encode('utf-8')).hexdigest()[:24]}.json"
        path = self.out / name
        write_atomic(path, data)
        record = {"unit": unit, "fingerprint": self.fingerprint, "result": name,
                  "sha256": hashlib.sha256(data).hexdigest()}
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, sort_keys=True) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        self.done[unit] = record
        return path

    def result(self, unit: str) -> dict[str, Any]:
        return json.loads((self.out / self.done[unit]["result"]).read_bytes())


_RESULT_NAME = re.compile(rf"^{UNITS_DIR}/[0-9a-f]{{24}}\.json$")


def _safe_result(name: str) -> bool:
    return bool(_RESULT_NAME.match(name))


# -------------------------------------------------------------------------------- the scan
@dataclass
class ScanResult:
    """What a finished scan wrote and counted."""

    written: list[Path]
    units: int
    resumed: int
    features: int
    outside: int
    findings: int
    seconds: float
    notes: list[str]


def scan(plan: Path, out: Path, options: ScanOptions, *,
         progress: ProgressFunc | None = None,
         note: Callable[[str], None] | None = None) -> ScanResult:
    """Scan ``plan`` unit by unit into ``out`` (see the module docstring).

    ``progress`` receives one dict per step: ``{"stage": "read" | "units" | "unit" | "write" |
    "written", "done": n, "total": n, "unit": id, "skipped": bool, "message": text}``; an
    exception it raises stops the scan (finished units stay recorded). ``note`` receives the
    reason when the state of an earlier scan in ``out`` is discarded.

    Raises
    ------
    InputError
        Bad input or options (one line), or the output folder is taken by another run.
    """
    from inclusiecheck.api import load_model
    from inclusiecheck.engine.loader import resolve_selectors
    from inclusiecheck.output import lock_folder

    started = time.monotonic()
    notify = progress or (lambda event: None)
    if options.units is not None and not options.unit_field:
        raise InputError("--units needs --unit-field NAME (the field that names each unit, "
                         "e.g. NAAM or NISCODE)")
    if not 0 <= options.halo_m <= HALO_MAX_M or not math.isfinite(options.halo_m):
        raise InputError(f"--halo {options.halo_m:g}: give 0 to {HALO_MAX_M:g} metres")
    if options.lang not in ("nl", "en"):
        raise InputError(f"unknown language {options.lang!r}; use nl or en")
    sets = resolve_selectors(list(options.rules) if options.rules is not None else None)
    if options.units is not None:   # a bad units file is told before a long read
        raw_units, units_crs = read_units(options.units, str(options.unit_field))
    notify({"stage": "read", "done": 0, "total": 0, "message": f"reading {plan}"})
    meta = dict(options.meta)
    if options.date is not None:
        meta["permit_date"] = options.date
    model = load_model(plan, mapping_profile=options.mapping, crs=options.crs, meta=meta)
    if not len(model):
        raise InputError(f"{plan}: no features to scan")
    day = model.meta.permit_date or dt.date.today()
    run = _prepare(model, sets, day, options.lang, options.list_all, options.halo_m)
    if options.units is not None:
        units = units_in_crs(raw_units, units_crs, model.crs, options.units)
        owner = assign_to_units(run.flat, units)
    else:
        units, owner = grid_units(run.flat, int(options.grid_m or DEFAULT_GRID_M))
    outside = int(np.count_nonzero(owner < 0))
    parts = fingerprint_parts(plan, options, run.rules)
    lock_folder(out)
    state = State(out, fingerprint(parts), parts)
    notes = []
    discarded = state.load()
    if discarded:
        notes.append(discarded)
        if note is not None:
            note(discarded)
    members = [np.flatnonzero(owner == i) for i in range(len(units))]
    total = len(units)
    resumed = sum(1 for u in units if u.id in state.done)
    notify({"stage": "units", "done": resumed, "total": total,
            "message": f"{total} units, {resumed} finished before"})
    done = resumed
    for unit, own in zip(units, members):
        if unit.id in state.done:
            continue
        result = evaluate_unit(run, unit, own)
        data = json.dumps({"unit": unit.id, "fingerprint": state.fingerprint, **result},
                          sort_keys=True, ensure_ascii=False).encode("utf-8")
        state.finish(unit.id, data)
        done += 1
        notify({"stage": "unit", "done": done, "total": total, "unit": unit.id,
                "skipped": False, "message": f"unit {unit.id}"})
    notify({"stage": "write", "done": done, "total": total, "message": "writing the outputs"})
    written, findings = _write_outputs(out, run, units, state, plan, options, outside, parts)
    notify({"stage": "written", "done": done, "total": total,
            "message": f"{len(written)} files written", "files": [str(p) for p in written]})
    return ScanResult(written, total, resumed, len(model), outside, findings,
                      time.monotonic() - started, notes)


# -------------------------------------------------------------------------------- outputs
def _csv(rows: list[dict[str, Any]], columns: list[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n",
                            extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if row.get(k) is None else row.get(k)) for k in columns})
    return buffer.getvalue().encode("utf-8")


def _write_outputs(out: Path, run: _Run, units: list[Unit], state: State, plan: Path,
                   options: ScanOptions, outside: int, parts: dict[str, str]
                   ) -> tuple[list[Path], int]:
    from inclusiecheck.api import input_files
    from inclusiecheck.output import write_report_set

    columns = summary_columns(run)
    summaries, rule_rows, findings = [], [], []
    number = 0
    for unit in units:
        result = state.result(unit.id)
        summaries.append(result["summary"])
        rule_rows += [{"unit": unit.id, **row} for row in result["rules"]]
        last = None
        for row in result["rows"]:
            props = row["properties"]
            key = (props["anchor"], props["label"])
            if key != last:   # the parts of one finding share its number
                number += 1
                last = key
            findings.append({**row, "properties": {
                **props, "number": number, "unit": unit.id,
                "label": f"{number}. {props['label']}"}})
    rule_columns = ["unit", "rule_id", "rule_set", "level", *OUTCOMES]
    gpkg = _gpkg_bytes(run, units, summaries, columns, rule_rows, rule_columns, findings)
    totals = {o: sum(int(s.get(o) or 0) for s in summaries) for o in OUTCOMES}
    meta = {
        "tool": "inclusiecheck", "version": __version__, "input": plan.name,
        "inputs": input_files(plan),
        "units_file": ({"file": options.units.name, "field": options.unit_field,
                        "inputs": input_files(options.units)} if options.units else None),
        "by": "units" if options.units else "grid",
        "grid_m": None if options.units else options.grid_m,
        "halo_m": options.halo_m, "crs": run.model.crs, "rules_date": run.day.isoformat(),
        "rules": len(run.rules), "lang": run.lang, "list_all": run.list_all,
        "units": len(units), "features": len(run.flat.feats), "features_outside": outside,
        "findings": sum(int(s.get("findings") or 0) for s in summaries), "totals": totals,
        "fingerprint": state.fingerprint, "fingerprint_parts": parts,
        "baselines": {name: rule.params.baseline_pct for name, rule in run.categories},
        "baseline_sources": {name: rule.params.baseline_source
                             for name, rule in run.categories},
    }
    files = [(GPKG_FILE, gpkg), (SUMMARY_CSV, _csv(summaries, columns)),
             (RULES_CSV, _csv(rule_rows, rule_columns)),
             (SCAN_JSON, (json.dumps(meta, indent=2, sort_keys=True, ensure_ascii=False)
                          + "\n").encode("utf-8"))]
    written = write_report_set(out, files, run_id=state.fingerprint[:32])[:-1]
    return written, sum(int(s.get("findings") or 0) for s in summaries)


#: the time GeoPackage tables say they were changed: fixed, so that the same scan gives the
#: same bytes (the run's date is not part of the results)
GPKG_TIMESTAMP = "2000-01-01T00:00:00.000Z"


def _gpkg_bytes(run: _Run, units: list[Unit], summaries: list[dict[str, Any]],
                columns: list[str], rule_rows: list[dict[str, Any]], rule_columns: list[str],
                findings: list[dict[str, Any]]) -> bytes:
    import sqlite3

    import fiona

    from inclusiecheck.report.gpkg_report import (
        COLUMNS,
        LAYERS,
        layer_style,
        store_styles,
    )

    crs = run.model.crs or ""
    crs_args: dict[str, Any] = {"crs": crs} if crs.upper().startswith("EPSG:") else \
        {"crs_wkt": crs} if crs else {}
    finding_props = {"number": "int", "unit": "str",
                     **{k: v for k, v in COLUMNS.items() if k != "number"}}
    kinds = {c: "str" if c == "unit" else "float" if c.endswith(("_pct", "_pp")) else "int"
             for c in columns}
    by_layer: dict[str, list[dict[str, Any]]] = {name: [] for name in LAYERS}
    for row in findings:
        by_layer[row["layer"]].append({"geometry": row["geometry"],
                                       "properties": {k: row["properties"].get(k)
                                                      for k in finding_props}})
    with tempfile.TemporaryDirectory(prefix="inclusiecheck-scan-") as tmp:
        path = Path(tmp) / GPKG_FILE
        with fiona.Env(OGR_CURRENT_DATE=GPKG_TIMESTAMP):
            for layer, (multi, _symbol, _kinds) in LAYERS.items():
                with fiona.open(str(path), "w", driver="GPKG", layer=layer,
                                schema={"geometry": multi, "properties": finding_props},
                                **crs_args) as sink:
                    sink.writerecords(by_layer[layer])
            with fiona.open(str(path), "w", driver="GPKG", layer=SUMMARY_LAYER,
                            schema={"geometry": "MultiPolygon", "properties": kinds},
                            **crs_args) as sink:
                sink.writerecords({"geometry": mapping(_multi(unit.geometry)),
                                   "properties": {c: row.get(c) for c in columns}}
                                  for unit, row in zip(units, summaries))
            with fiona.open(str(path), "w", driver="GPKG", layer=RULES_LAYER,
                            schema={"geometry": "None", "properties": {
                                c: "int" if c in OUTCOMES else "str" for c in rule_columns}}
                            ) as sink:
                sink.writerecords({"geometry": None, "properties": row} for row in rule_rows)
        store_styles(path, {layer: layer_style(layer, run.lang) for layer in LAYERS},
                     "inclusiecheck scan findings: outcome by colour and shape, level by fill")
        con = sqlite3.connect(str(path))
        try:
            with con:
                con.execute("UPDATE layer_styles SET update_time = ?", (GPKG_TIMESTAMP,))
                con.execute("UPDATE gpkg_contents SET last_change = ?", (GPKG_TIMESTAMP,))
            con.execute("VACUUM")
        finally:
            con.close()
        return path.read_bytes()


def _multi(geom: BaseGeometry) -> BaseGeometry:
    from shapely.geometry import MultiPolygon, Polygon

    if isinstance(geom, Polygon):
        return MultiPolygon([geom])
    if isinstance(geom, MultiPolygon):
        return geom
    polys = [g for g in shapely.get_parts(geom) if isinstance(g, (Polygon, MultiPolygon))]
    parts = [p for g in polys for p in (g.geoms if isinstance(g, MultiPolygon) else [g])]
    return MultiPolygon(parts)


# -------------------------------------------------------------------------------- progress
class TextBar:
    """A plain progress bar on stderr, redrawn in place; silent when stderr is no terminal."""

    WIDTH = 30

    def __init__(self, stream: Any = None, enabled: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.started = time.monotonic()
        self.first_done: int | None = None
        self.drawn = False

    def __call__(self, event: dict[str, Any]) -> None:
        if not self.enabled:
            return
        stage, done, total = event["stage"], event.get("done", 0), event.get("total", 0)
        if stage == "units":
            self.first_done = done
            self.started = time.monotonic()
        if stage in ("units", "unit") and total:
            filled = int(self.WIDTH * done / total)
            bar = "#" * filled + "-" * (self.WIDTH - filled)
            new = done - (self.first_done or 0)
            spent = time.monotonic() - self.started
            left = ""
            if new > 0 and done < total:
                left = f", about {_clock(spent / new * (total - done))} left"
            unit = f" {event['unit']}" if event.get("unit") else ""
            self.stream.write(f"\r[{bar}] {done}/{total} units{left}{unit}\x1b[K")
            self.drawn = True
        elif stage in ("write", "read"):
            if self.drawn:
                self.stream.write("\n")
                self.drawn = False
            self.stream.write(f"{event['message']}\n")
        self.stream.flush()


def _clock(seconds: float) -> str:
    seconds = round(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}" if seconds >= 3600 \
        else f"{seconds // 60}:{seconds % 60:02d}"
