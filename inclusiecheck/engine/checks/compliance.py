"""Check types that judge a whole from the outcomes of other rules.

``any_compliant``: at least one compliant member (an entrance, an access path) per building or
per plan, where a member is compliant when the rules it is judged by say so. The rules it reads
run first: the loader orders them (``run_order``), the evaluator records their outcomes, and the
check reads them through ``ctx.outcomes`` (toegankelijkheidsverordening Art. 9 and 10: at
least one entrance, and one access path to it, that meet the regulation).
"""

from __future__ import annotations

from typing import Any
from collections.abc import Iterable

import numpy as np
import shapely
from pydantic import Field, field_validator
from shapely.geometry.base import BaseGeometry

from inclusiecheck.engine.checks.api import CheckContext, CheckParams, CheckResult, check_type
from inclusiecheck.engine.conditions import validate_conditions
from inclusiecheck.model import Feature, Outcome

#: outcomes of a member that count as meeting a rule (a granted deviation is an accepted design)
_MEETS = frozenset({Outcome.PASS, Outcome.WARN, Outcome.DEVIATION, Outcome.NOT_APPLICABLE})


_NL = {"entrance": "ingang", "door": "deur", "walkway": "looppad", "ramp": "helling",
       "level_change": "niveauverschil", "stairs": "trap", "lift": "lift", "toilet": "toilet",
       "parking": "parking"}


class Members(CheckParams):
    """One kind of member: a layer and the conditions its features must meet."""

    layer: str
    where: dict[str, Any] = Field(default_factory=dict)

    _w = field_validator("where")(classmethod(lambda cls, v: validate_conditions(v)))


class AnyCompliantParams(CheckParams):
    """At least ``min_count`` members of ``members`` are compliant by the outcomes of ``rules``.

    Members are the features of the ``members`` layers within ``within_m`` of the judged
    feature (its building: in it or against it), or all of the plan when ``within_m`` is
    ``null``. A member is judged when one of ``rules`` gave it an outcome other than
    ``not_applicable``; it is compliant when none of them failed and none is ``to_verify``.
    With ``connected: true`` members that touch (within ``join_m``) form one candidate (an
    access path drawn in several pieces), which is compliant only when all its judged members
    are; a candidate counts when one of its members lies within ``within_m``.

    ``via``: a candidate must also reach a feature of these layers (within ``via_join_m``):
    the building's own car park, taken as the ``via`` features within ``via_within_m`` of
    the judged feature that one of ``via_rules`` judged (e.g. the adapted-parking rules).
    Without such a feature the judged feature is ``not_applicable`` (it has no own car park).
    """

    rules: list[str] = Field(min_length=1)
    members: list[Members] = Field(min_length=1)
    within_m: float | None = Field(default=1.0, ge=0)
    connected: bool = False
    join_m: float = Field(default=0.05, ge=0)
    min_count: int = Field(default=1, ge=1)
    via: list[Members] = Field(default_factory=list)
    via_rules: list[str] = Field(default_factory=list)
    via_within_m: float = Field(default=100.0, gt=0)
    via_join_m: float = Field(default=1.0, ge=0)
    property: str = "compliant_count"

    def reads(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys([*self.rules, *self.via_rules]))


def _state(member: Feature, params: AnyCompliantParams, ctx: CheckContext,
           in_scope: bool) -> tuple[str | None, list[str]]:
    """``(state, rules)``: state ``None`` (not judged by any rule), ``fail`` (with the rules
    that failed), ``to_verify`` (with the undecided rules) or ``pass``. ``in_scope``: read
    the outcomes as they would be once an undecided scope is confirmed."""
    judged = False
    failed: list[str] = []
    open_: list[str] = []
    for rule_id in params.rules:
        outcomes = ctx.outcomes(rule_id, member, in_scope=in_scope)
        if any(o is not Outcome.NOT_APPLICABLE for o in outcomes):
            judged = True
        if any(o is Outcome.FAIL for o in outcomes):
            failed.append(rule_id)
        elif any(o not in _MEETS for o in outcomes):
            open_.append(rule_id)
    if not judged:
        return None, []
    if failed:
        return "fail", failed
    if open_:
        return "to_verify", open_
    return "pass", []


def _candidates(feature: Feature, params: AnyCompliantParams, ctx: CheckContext,
                in_scope: bool = False) -> list[list[tuple[Feature, str, list[str]]]]:
    """Judged members (with state) grouped into candidates."""
    def judged(feats: Iterable[Feature], where: dict[str, Any]) -> list[tuple[Feature, str, list[str]]]:
        out = []
        for member in feats:
            if member is feature or not ctx.meets(member, where):
                continue
            state, rules = _state(member, params, ctx, in_scope)
            if state is not None:
                out.append((member, state, rules))
        return out

    if not params.connected:
        found = []
        for kind in params.members:
            feats = (ctx.model.features(kind.layer) if params.within_m is None
                     else ctx.model.near(kind.layer, feature.geometry, params.within_m))
            found.extend(judged(feats, kind.where))
        return [[m] for m in found]
    def build() -> list[list[tuple[Feature, str, list[str]]]]:
        every = [m for kind in params.members
                 for m in judged(ctx.model.features(kind.layer), kind.where)]
        return _connected(every, params.join_m)

    # the rules read have all run: the groups hold for every feature of this run
    key = ("any_compliant.groups", params.model_dump_json(), in_scope)
    groups = ctx.shared(key, build)
    if params.within_m is None:
        return groups
    tree, group_of = ctx.shared((*key, "index"), lambda: _group_index(groups))
    return [groups[i] for i in _groups_near(tree, group_of, feature.geometry, params.within_m)
            if any(m[0].geometry.distance(feature.geometry) <= params.within_m
                   for m in groups[i])]


def _group_index(groups: list[list[tuple[Feature, str, list[str]]]]
                 ) -> tuple[shapely.STRtree, np.ndarray]:
    """An STRtree over every member of ``groups`` and, per member, the position of its group."""
    geoms = [m[0].geometry for g in groups for m in g]
    group_of = np.repeat(np.arange(len(groups), dtype=np.intp), [len(g) for g in groups])
    return shapely.STRtree(geoms), group_of


def _groups_near(tree: shapely.STRtree, group_of: np.ndarray, geom: BaseGeometry,
                 distance: float) -> list[int]:
    """The positions (ascending) of the groups with a member whose envelope comes within
    ``distance`` of the envelope of ``geom``: a superset of the groups with a member within
    ``distance`` of ``geom``, which the caller confirms with the exact distance."""
    if len(group_of) == 0:
        return []
    x0, y0, x1, y1 = geom.bounds
    pad = distance + 1e-9 * (1.0 + distance + max(abs(x0), abs(y0), abs(x1), abs(y1)))
    hits = tree.query(shapely.box(x0 - pad, y0 - pad, x1 + pad, y1 + pad))
    return np.unique(group_of[hits]).tolist()


def _connected(items: list[tuple[Feature, str, list[str]]],
               join_m: float) -> list[list[tuple[Feature, str, list[str]]]]:
    """Items whose geometries touch (within ``join_m``), in groups (union-find over the
    pairs one spatial-index query gives)."""
    parent = list(range(len(items)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    if items:
        geoms = [m[0].geometry for m in items]
        tree = shapely.STRtree(geoms)
        left, right = tree.query(geoms, predicate="dwithin", distance=join_m)
        for i, j in zip(left.tolist(), right.tolist()):
            if i != j:
                parent[root(i)] = root(j)
    groups: dict[int, list[tuple[Feature, str, list[str]]]] = {}
    for i, item in enumerate(items):
        groups.setdefault(root(i), []).append(item)
    return list(groups.values())


def _ids(group: list[tuple[Feature, str, list[str]]]) -> str:
    return "+".join(m[0].id for m in group)


@check_type("any_compliant", params=AnyCompliantParams)
def any_compliant(feature: Feature, params: AnyCompliantParams,
                  ctx: CheckContext) -> CheckResult:
    """At least one member (entrance, access path) of a building or plan meets other rules.

    Reads the outcomes the rules in ``rules`` gave to the members (they run first). ``pass``
    when at least ``min_count`` candidates are compliant; ``fail`` when every judged candidate
    failed one of the rules; else ``to_verify`` (a candidate not yet decided, or no member
    judged by any of the rules, e.g. none drawn). ``data`` lists the compliant, failed and
    undecided candidates. When the scope of the judged feature is undecided (and so that of
    its members), members are read as they would be once it is confirmed: the engine then
    reports the result as ``to_verify`` with ``would_fail``.
    """
    result = _judge(feature, params, ctx, in_scope=False)
    if result.outcome is Outcome.TO_VERIFY and ctx.scope_undecided:
        hypothetical = _judge(feature, params, ctx, in_scope=True)
        if hypothetical.outcome in (Outcome.PASS, Outcome.FAIL):
            return hypothetical
    return result


def _via(feature: Feature, params: AnyCompliantParams, ctx: CheckContext) -> list[Feature]:
    """The ``via`` features of the judged feature (its own car park)."""
    out = []
    for kind in params.via:
        for other in ctx.model.near(kind.layer, feature.geometry, params.via_within_m):
            if not ctx.meets(other, kind.where):
                continue
            if params.via_rules and not any(
                    o is not Outcome.NOT_APPLICABLE
                    for r in params.via_rules for o in ctx.outcomes(r, other)):
                continue
            out.append(other)
    return out


def _judge(feature: Feature, params: AnyCompliantParams, ctx: CheckContext,
           in_scope: bool) -> CheckResult:
    candidates = _candidates(feature, params, ctx, in_scope)
    if params.via:
        via = _via(feature, params, ctx)
        if not via:
            return CheckResult(Outcome.NOT_APPLICABLE, params.property, note={
                "nl": f"geen eigen {_NL.get(params.via[0].layer, params.via[0].layer)} binnen "
                      f"{params.via_within_m:g} m",
                "en": f"no own {params.via[0].layer} within {params.via_within_m:g} m"})
        candidates = [g for g in candidates
                      if any(m[0].geometry.distance(v.geometry) <= params.via_join_m
                             for m in g for v in via)]
    compliant, failed, undecided = [], [], []
    for group in candidates:
        states = {m[1] for m in group}
        if "fail" in states:
            rules = sorted({r for m in group if m[1] == "fail" for r in m[2]})
            failed.append(f"{_ids(group)} ({', '.join(rules)})")
        elif "to_verify" in states:
            rules = sorted({r for m in group if m[1] == "to_verify" for r in m[2]})
            undecided.append(f"{_ids(group)} ({', '.join(rules)})")
        else:
            compliant.append(_ids(group))
    layers = ", ".join(dict.fromkeys(k.layer for k in params.members))
    data = {"compliant": ", ".join(compliant) or "-", "failed": "; ".join(failed) or "-",
            "undecided": ", ".join(undecided) or "-", "members": layers}
    count = len(compliant)
    if count >= params.min_count:
        return CheckResult(Outcome.PASS, params.property, count, params.min_count, None,
                           data=data)
    if not candidates:
        ran = [r for r in params.rules if ctx.ran(r)]
        layers_nl = ", ".join(dict.fromkeys(_NL.get(k.layer, k.layer) for k in params.members))
        note = {"nl": f"geen {layers_nl} gevonden die door {', '.join(params.rules)} beoordeeld is"
                      + ("" if ran else " (die regels zijn niet uitgevoerd)"),
                "en": f"no {layers} found that {', '.join(params.rules)} judged"
                      + ("" if ran else " (those rules did not run)")}
        return CheckResult(Outcome.TO_VERIFY, params.property, count, params.min_count,
                           missing=tuple(dict.fromkeys(k.layer for k in params.members)),
                           note=note, data=data)
    if undecided and count + len(undecided) >= params.min_count:
        note = {"nl": f"nog niet beslist: {', '.join(undecided)}",
                "en": f"not decided yet: {', '.join(undecided)}"}
        return CheckResult(Outcome.TO_VERIFY, params.property, count, params.min_count,
                           missing=tuple(undecided), note=note, data=data)
    return CheckResult(Outcome.FAIL, params.property, count, params.min_count, None,
                       data=data)
