"""The reach of a rule: how far (m) from a feature its evaluation looks at other features.

A parallel check (``check --jobs N``, ``--executor dask``) splits the plan into tiles; each
tile's task gets its own features plus a halo as wide as the largest reach of the rules it
runs, so that every feature is judged on exactly what the whole plan would show it. A rule
whose reach has no bound (a route over the walking network, the nearest target wherever it
lies, a whole-plan count, a rule that reads other rules' outcomes) runs in one global pass on
the whole plan instead.

A rule's reach is the largest of

- its **check type's** reach, derived from its parameters (and, for a few, from the plan: the
  largest lamp reach, the widest walkway centre line), plus the reach of the values its
  parameters name (a derived value or measure read on a neighbour);
- the reach of the **values** it names in ``applies_to.where`` and its parameters: a plain
  attribute 0 m, a derived value or measure what it reads (``building_area_m2``: the nearest
  entrance within 100 m that states it; ``clear_width_m``: the obstacles within 2.5 m of the
  walking area);
- the reach of its legal **scope** (the regimes are decided once on the whole plan and given
  to every tile; the verordening's scopes also read ``building_area_m2``).

The built-in check types are listed in :data:`BUILTIN`; a plugin check type declares its
reach with ``@check_type(..., reach=...)`` and is unbounded (global pass) when it declares
nothing. A measure or derived value this module does not know is unbounded too: a new one
gets its entry here, or its rules run globally (safe, slower). ``docs/scale.md`` explains
tiles and halos; ``docs/check-types.md`` lists the reach of each check type.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any
from collections.abc import Callable, Iterable, Mapping

from inclusiecheck.model import InputError, SiteModel

#: what the reach functions of the built-in check types get: the parameters and the plan
#: facts (computed once per run and shared by the rules that ask)


@dataclass
class PlanFacts:
    """The whole plan, for reaches that depend on its data (the largest lamp reach, the
    widest walkway), with a cache so that each fact is computed once per run."""

    model: SiteModel
    scope_parameters: Mapping[str, float] = field(default_factory=dict)
    _known: dict[str, Any] = field(default_factory=dict)   # key -> fact, built once

    def once(self, key: str, build: Callable[[], Any]) -> Any:
        if key not in self._known:
            self._known[key] = build()
        return self._known[key]

    def scope_figure(self, name: str) -> float:
        from inclusiecheck.engine.regimes import DEFAULT_SCOPE_PARAMETERS

        return float(self.scope_parameters.get(name, DEFAULT_SCOPE_PARAMETERS[name]))


BuiltinReach = Callable[[Any, PlanFacts], "float | None"]


@dataclass(frozen=True, slots=True)
class ReachSpec:
    """The reach of a built-in check type: ``func(params, facts)`` in metres (``None``:
    unbounded), and ``why``: what it covers, for the documentation."""

    func: BuiltinReach
    why: str
    #: what makes it larger on a plan's data (the lamps, the widest centre line), if anything
    grows: str = ""


# -- plan facts ---------------------------------------------------------------------------------
#: the obstacle search margin of the clear-width measures (``_OBSTACLE_REACH_M``)
def _obstacle_margin() -> float:
    from inclusiecheck.engine import measures

    return float(measures._OBSTACLE_REACH_M)


def widest_half_line(facts: PlanFacts) -> float:
    """Half the largest ``width_m`` (else ``total_width_m``) of a walkway or ramp drawn as a
    line: how far its walking area reaches from the centre line."""
    def build() -> float:
        best = 0.0
        for layer in ("walkway", "ramp"):
            for f in facts.model.features(layer):
                if f.geom_type == "Polygon":
                    continue
                width = f.attrs.get("width_m") or f.attrs.get("total_width_m")
                if isinstance(width, (int, float)) and not isinstance(width, bool) \
                        and math.isfinite(width) and width > 0:
                    best = max(best, float(width) / 2.0)
        return best

    return float(facts.once("widest_half_line", build))


def clear_width_reach(facts: PlanFacts) -> float:
    """The clear-width measures: obstacles within 2.5 m of the walking area, which reaches
    half the line's width from a centre line (a polygon is its own walking area)."""
    return widest_half_line(facts) + _obstacle_margin()


def light_reach(facts: PlanFacts) -> float:
    """The largest reach of a luminaire of the plan (the lighting checks take every lamp
    within it into account, see ``PlanLights.max_reach_m``)."""
    return float(facts.once("light_reach", lambda: _light_facts(facts)[0]))


def light_pins(facts: PlanFacts) -> list[Any]:
    """The light features every tile of a lighting rule must hold: the one whose luminaire
    reaches farthest (so that a tile's lamps give the plan's largest reach), or the first
    light when none can be computed (so that a tile knows the plan has a light layer)."""
    return list(facts.once("light_pins", lambda: _light_facts(facts)[1]))


def _light_facts(facts: PlanFacts) -> tuple[float, list[Any]]:
    def build() -> tuple[float, list[Any]]:
        from inclusiecheck.engine.checks.api import CheckContext
        from inclusiecheck.engine.checks.safety import plan_lights
        from inclusiecheck.geometry.lighting import reach_m

        feats = facts.model.features("light")
        if not feats:
            return 0.0, []
        lights = plan_lights(CheckContext(facts.model, _any_date(), "nl", {}, {}))
        if lights is None or not lights.luminaires:
            return 0.0, [feats[0]]
        reaches = [reach_m(lum) for lum in lights.luminaires]
        best = max(range(len(reaches)), key=lambda i: reaches[i])
        return float(lights.max_reach_m), [lights.features[best]]

    return facts.once("_light_facts", build)


def _any_date() -> Any:
    import datetime as dt

    return dt.date(2000, 1, 1)


# -- values: derived values and measures ------------------------------------------------------
def _against() -> float:
    from inclusiecheck.engine.regimes import AGAINST_M

    return float(AGAINST_M)


def _entrance_search() -> float:
    from inclusiecheck.engine.scopes import ENTRANCE_SEARCH_M

    return float(ENTRANCE_SEARCH_M)


def _zero(_facts: PlanFacts) -> float:
    return 0.0


#: the reach of each derived value and named measure: how far from the feature its value
#: reads other features. A building's ``public`` and ``building_area_m2`` also read the
#: entrances in or against that building (within 1 m of its outline); a tile holds those
#: entrances of every building it holds (see :mod:`inclusiecheck.engine.parallel`).
VALUE_REACH: dict[str, Callable[[PlanFacts], float]] = {
    # derived values (engine/scopes.py)
    "public": lambda f: max(_against(), f.scope_figure("access_path_reach_m")),
    "building_area_m2": lambda f: _entrance_search() + _against(),
    "indoor": _zero,
    "use": lambda f: _against(),
    # measures of the feature's own drawing
    "length_m": _zero, "drawn_slope_pct": _zero, "drawn_cross_slope_pct": _zero,
    "drawn_rise_cm": _zero, "drawn_length_m": _zero, "slope_pct": _zero,
    "cross_slope_pct": _zero, "rise_cm": _zero, "platform_width_m": _zero,
    "platform_length_m": _zero, "room_width_m": _zero, "room_length_m": _zero,
    # measures that read the obstacles standing in a walkway
    "clear_width_m": clear_width_reach, "width_m": clear_width_reach,
    "drawn_width_m": clear_width_reach, "total_width_m": clear_width_reach,
    "obstruction_m": clear_width_reach,
    # a bench within 10 m of a stop
    "seating": lambda f: _seating_reach(),
}


def _seating_reach() -> float:
    from inclusiecheck.engine.checks.provisions import SEATING_NEAR_STOP_M

    return float(SEATING_NEAR_STOP_M)


def _computed_names() -> frozenset[str]:
    """Names whose value may be computed rather than read: derived values and measures."""
    from inclusiecheck.engine.measures import MEASURES
    from inclusiecheck.engine.scopes import DERIVED

    return frozenset(MEASURES) | frozenset(DERIVED)


def value_reach(names: Iterable[str], facts: PlanFacts) -> float | None:
    """The largest reach of the values ``names`` (0 for plain attributes); ``None`` when one
    is a derived value or measure of unknown reach."""
    computed = _computed_names()
    out = 0.0
    for name in names:
        if name not in computed:
            continue
        func = VALUE_REACH.get(name)
        if func is None:
            return None
        out = max(out, float(func(facts)))
    return out


#: the reach of each legal scope beyond the feature's regime (decided on the whole plan)
SCOPE_REACH: dict[str, Callable[[PlanFacts], float | None]] = {
    "pedestrian_road": _zero,
    "public_domain": _zero,
    "free_standing": lambda f: _against(),
    "tv_building": lambda f: value_reach(("building_area_m2", "indoor"), f),
    "tv_building_any_size": lambda f: value_reach(("building_area_m2", "indoor"), f),
    "tv_access_path": lambda f: value_reach(("building_area_m2", "indoor"), f),
}


def scope_reach(scope: str | None, facts: PlanFacts) -> float | None:
    if not scope:
        return 0.0
    func = SCOPE_REACH.get(scope)
    return None if func is None else func(facts)


def _strings(value: Any) -> Iterable[str]:
    """Every string in a parameter structure, keys and values (names a check may read)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if isinstance(key, str):
                yield key
            yield from _strings(item)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            yield from _strings(item)


# -- the built-in check types --------------------------------------------------------------------
def _sum(*parts: float | None) -> float | None:
    return None if any(p is None for p in parts) else float(sum(parts))  # type: ignore[arg-type]


def _unbounded(_params: Any, _facts: PlanFacts) -> None:
    return None


def _own(_params: Any, _facts: PlanFacts) -> float:
    return 0.0


def _clear_width(_params: Any, facts: PlanFacts) -> float:
    return clear_width_reach(facts)


def _stop_category(p: Any, facts: PlanFacts) -> float | None:
    return max(p.boarding_zone.radius_m, p.guidance.within_m, p.boarding_tile.within_m)


def _rest_gaps(p: Any, facts: PlanFacts) -> float | None:
    if p.route != "area":
        return None   # the main routes are merged across the plan: one global pass
    return max(p.snap_m, p.max_gap_m / 2.0)


def _lighting(p: Any, facts: PlanFacts) -> float:
    # lamps within the plan's largest lamp reach; lamps without height or flux within
    # max(that reach, 50 m) are named (engine/checks/safety.py, _incomplete_near)
    return max(light_reach(facts), 50.0)


def _free_height(p: Any, facts: PlanFacts) -> float:
    return max(widest_half_line(facts), p.line_half_width_m) + p.crown_reach_m


def _free_height_over(p: Any, facts: PlanFacts) -> float | None:
    hosts = max(p.default_half_width_m, 5.0)   # engine/checks/building.py, _hosts
    return _sum(hosts, scope_reach(p.scope, facts))


_WIDTH = "half the width of the widest walkway or ramp drawn as a centre line"
_LAMPS = "the largest reach of a lamp of the plan"

#: check type -> its reach (``None``: unbounded, the global pass). Every built-in check type
#: has an entry (tested): a new one states its reach here, or ``None``.
BUILTIN: dict[str, ReachSpec | None] = {
    # the feature's own attributes and drawing (values named in the parameters are added)
    "threshold": ReachSpec(_own, "the feature itself"),
    "lookup": ReachSpec(_own, "the feature itself"),
    "enumeration": ReachSpec(_own, "the feature itself"),
    "presence": ReachSpec(_own, "the feature itself"),
    "criteria": ReachSpec(_own, "the feature itself"),
    "parking_count": ReachSpec(_own, "the feature itself"),
    "manual": ReachSpec(_own, "nothing is computed"),
    "conditional_threshold": ReachSpec(_own, "the feature itself"),
    "threshold_by_code": ReachSpec(_own, "the feature itself"),
    "stair_step_rule": ReachSpec(_own, "the feature itself"),
    "room_size": ReachSpec(_own, "the feature itself"),
    "mode_threshold": ReachSpec(_own, "the feature itself"),
    "geometry_agreement": ReachSpec(_own, "the feature itself"),
    "underpass_dimensions": ReachSpec(_own, "the feature itself"),
    # neighbours within a distance the parameters give
    "attribute_or_nearby": ReachSpec(lambda p, f: p.within_m, "within_m"),
    "alternative_within": ReachSpec(lambda p, f: p.within_m, "within_m"),
    "level_difference": ReachSpec(lambda p, f: max(p.within_m, p.transition_m),
                                  "within_m, transition_m"),
    "boarding_zone_free": ReachSpec(lambda p, f: p.radius_m, "radius_m"),
    "stop_category": ReachSpec(_stop_category,
                               "boarding_zone.radius_m, guidance/boarding_tile.within_m"),
    "free_height": ReachSpec(_free_height,
                             "crown_reach_m beyond the walking area (half the widest "
                             "centre line's width)", _WIDTH),
    "free_height_over": ReachSpec(_free_height_over,
                                  "hosts within max(default_half_width_m, 5 m), and the "
                                  "reach of their scope"),
    "clear_width": ReachSpec(_clear_width, "obstacles within 2.5 m of the walking area",
                             _WIDTH),
    "obstruction": ReachSpec(_clear_width, "obstacles within 2.5 m of the walking area",
                             _WIDTH),
    "access_path_width": ReachSpec(_clear_width, "obstacles within 2.5 m of the walking area",
                                   _WIDTH),
    "rest_gaps": ReachSpec(_rest_gaps, "route area: max(snap_m, max_gap_m / 2); main_route: "
                                       "unbounded (routes merged over the plan)"),
    # lighting: every lamp within the plan's largest lamp reach
    "lighting": ReachSpec(_lighting, "the plan's largest lamp reach, at least 50 m", _LAMPS),
    "semicylindrical_lighting": ReachSpec(lambda p, f: light_reach(f),
                                          "the plan's largest lamp reach", _LAMPS),
    # sightlines: the occluders in view
    "hidden_corners": ReachSpec(lambda p, f: max(p.view_radius_m, p.search_distance_m + 0.5),
                                "max(view_radius_m, search_distance_m + 0.5 m)"),
    "view_ahead": ReachSpec(lambda p, f: p.min_m + p.resolution_m, "min_m + resolution_m"),
    "stop_view": ReachSpec(lambda p, f: p.radius_m + 0.05, "radius_m"),
    "underpass_exit_visible": ReachSpec(lambda p, f: p.wall_search_m, "wall_search_m"),
    "vegetation_height": ReachSpec(lambda p, f: p.near_m + 5.0, "near_m + 5 m"),
    "canopy_clearance": ReachSpec(lambda p, f: p.crown_radius_m + 5.0, "crown_radius_m + 5 m"),
    "active_frontage": ReachSpec(lambda p, f: p.within_m, "within_m"),
    # unbounded: the global pass
    "nearest": None,            # the nearest target wherever it lies (and none in the plan)
    "toilet_coverage": None,    # along the walking network; the nearest facility anywhere
    "route_chain": None,        # routes over the whole network
    "any_compliant": None,      # reads other rules' outcomes; members of the whole plan
}

#: check type -> the features every tile running it must hold (plan-wide facts)
PINS: dict[str, Callable[[Any, PlanFacts], list[Any]]] = {
    "lighting": lambda p, f: light_pins(f),
    "semicylindrical_lighting": lambda p, f: light_pins(f),
}


def _is_builtin(check: Any) -> bool:
    return str(getattr(check, "origin", "")).startswith("inclusiecheck.engine.checks.")


def check_reach(rule: Any, facts: PlanFacts) -> float | None:
    """The reach of ``rule``'s check type for its parameters (validated: a finite number of
    metres, at least 0, or ``None``)."""
    check = rule.check
    value: Any
    if getattr(check, "reach", None) is not None:
        try:
            value = check.reach(rule.params, facts.model)
        except Exception as exc:  # a plugin's reach function must not crash the run
            raise InputError(f"rule {rule.id}: the reach of check type {check.name!r} "
                             f"failed: {exc}") from None
    elif _is_builtin(check) and check.name in BUILTIN:
        spec = BUILTIN[check.name]
        value = None if spec is None else spec.func(rule.params, facts)
    else:
        return None
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or not math.isfinite(value) or value < 0:
        raise InputError(f"rule {rule.id}: check type {check.name!r} gives reach {value!r}; "
                         "a reach is a number of metres, at least 0, or None (unbounded)")
    return float(value)


def rule_reach(rule: Any, facts: PlanFacts) -> float | None:
    """How far (m) from a feature the evaluation of ``rule`` reads other features; ``None``
    when there is no bound (the rule runs in the global pass of a parallel check)."""
    if rule.params.reads():
        return None   # reads other rules' outcomes: they are recorded in the global pass
    check = check_reach(rule, facts)
    if check is None:
        return None
    params = rule.params.model_dump(mode="json", by_alias=True)
    lenient = getattr(rule.spec.check, "lenient", None) or {}
    named = value_reach(list(_strings(params)) + list(_strings(lenient)), facts)
    applies = rule.spec.applies_to
    where = value_reach(list(applies.where), facts)
    scope = scope_reach(applies.scope, facts)
    if named is None or where is None or scope is None:
        return None
    # a value named in the parameters may be read on a neighbour at the check's distance
    return max(check + named, where, scope)


def rule_pins(rule: Any, facts: PlanFacts) -> list[Any]:
    """Features every tile that runs ``rule`` must hold (see :data:`PINS`)."""
    if not _is_builtin(rule.check) or rule.check.name not in PINS:
        return []
    return PINS[rule.check.name](rule.params, facts)


def describe(rule: Any, facts: PlanFacts | None = None) -> str:
    """The reach of ``rule`` in words (``rules show``): metres on the plan given (else on an
    empty plan, saying what grows with the plan's data), or ``unbounded``."""
    if facts is None:
        from inclusiecheck.model import PlanMeta

        facts = PlanFacts(SiteModel(crs="", meta=PlanMeta(), layers={}))
    value = rule_reach(rule, facts)
    if value is None:
        return "unbounded (runs in the global pass of a parallel check)"
    spec = BUILTIN.get(rule.check.name) if _is_builtin(rule.check) else None
    if spec is not None and spec.grows:
        return f"{value:g} m plus {spec.grows}" if spec.grows == _WIDTH \
            else f"{spec.grows}, at least {value:g} m"
    return f"{value:g} m"
