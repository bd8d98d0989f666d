"""Legal scopes and derived attributes: which regulation applies, and in which case.

The 1997 regulation on pedestrian roads (BV97) applies to public pedestrian roads inside the
built-up area; the toegankelijkheidsverordening (BVR 5 June 2009) applies to publicly
accessible buildings and their outdoor access when works need a permit, not to outdoor works
alone, with cases by the publicly accessible floor area. A scope returns whether it applies,
which case applied (said in the finding), and what data is missing to decide.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from collections.abc import Callable

from inclusiecheck.engine.checks.api import CheckContext, Derived
from inclusiecheck.engine.regimes import (
    BV97,
    DEFAULT_SCOPE_PARAMETERS,
    PUBLIC_SPACE,
    VERORDENING,
    building_public,
)
from inclusiecheck.model import Feature
from inclusiecheck.registry import Registry


@dataclass(frozen=True, slots=True)
class ScopeResult:
    applies: bool | None  # None: cannot decide
    case: dict[str, str]
    missing: tuple[str, ...] = ()


ScopeFunc = Callable[[Feature, CheckContext], ScopeResult]
#: the legal scopes a rule names in ``applies_to.scope``: those of this module
SCOPES: Registry[ScopeFunc] = Registry("scope", builtins=("inclusiecheck.engine.scopes",))


#: scopes declared pure (``@scope(name, pure=True)``): their result depends only on the
#: feature and the run (its plan, metadata, regimes, derived values, scope parameters), never
#: on what the rules found, so the evaluator decides each once per feature and run and gives
#: the same result to every rule that names it. A scope that reads other rules' outcomes
#: (``ctx.outcomes``) or anything a check leaves behind is not pure: it is called for every
#: (rule, feature), in the evaluation's order.
PURE_SCOPES: set[ScopeFunc] = set()


def scope(name: str, *, replace: bool = False, pure: bool = False
          ) -> Callable[[ScopeFunc], ScopeFunc]:
    """Register the decorated function as the scope ``name`` (``pure``: see
    :data:`PURE_SCOPES`)."""
    register = SCOPES.register(name=name, replace=replace)

    def decorate(func: ScopeFunc) -> ScopeFunc:
        if pure:
            PURE_SCOPES.add(func)
        return register(func)

    return decorate


# -- derived attributes -------------------------------------------------------------------------
#: how far (m) ``building_area_m2`` looks for the nearest entrance that states it
ENTRANCE_SEARCH_M = 100.0

BUILDING_PARTS = ("entrance", "door", "toilet", "parking", "ramp", "stairs", "lift",
                  "level_change", "walkway")


def _touching_building(feature: Feature, ctx: CheckContext, attribute: str) -> Any:
    for building in ctx.model.near("building", feature.geometry, 1.0):
        value = building.attrs.get(attribute)
        if value is None and attribute == "public":
            value = building_public(building, ctx.model)   # what its entrances say
        if value is not None:
            return value
    return None


def _param(ctx: CheckContext, name: str) -> float:
    """A legal scope figure from the rule-set data (``scope_parameters``)."""
    return float(ctx.scope_parameters.get(name, DEFAULT_SCOPE_PARAMETERS[name]))


def derived_public(feature: Feature, ctx: CheckContext) -> bool | None:
    """Is this part of a publicly accessible building? Own ``public``, else the building it
    touches (within 1 m), else (ramps, stairs, lifts, level changes, parking, doors) an
    entrance within 15 m that says so, else the plan's ``public_building``; an access path is
    by definition the access of a publicly accessible building."""
    if feature.layer == "walkway":
        return True if ctx.regime(feature).code == VERORDENING else None
    value = _touching_building(feature, ctx, "public")
    if value is not None:
        return bool(value)
    if feature.layer in ("ramp", "stairs", "lift", "level_change", "parking", "door"):
        reach = _param(ctx, "access_path_reach_m")
        for entrance in ctx.model.near("entrance", feature.geometry, reach):
            if entrance.attrs.get("public") is not None:
                return bool(entrance.attrs["public"])
    return ctx.meta.public_building


def derived_building_area(feature: Feature, ctx: CheckContext) -> float | None:
    """Publicly accessible floor area: own attribute, else a building within 1 m, else (on the
    access route of a public entrance) that entrance or its building, else the nearest
    entrance (within 100 m) that states it, else the plan metadata. A building itself:
    an entrance in or against it that states it, else the plan metadata."""
    if feature.layer == "building":
        for entrance in ctx.model.near("entrance", feature.geometry, 1.0):
            if entrance.attrs.get("building_area_m2") is not None:
                return float(entrance.attrs["building_area_m2"])
        return ctx.meta.building_area_m2
    value = _touching_building(feature, ctx, "building_area_m2")
    if value is not None:
        return float(value)
    if feature.layer != "entrance":
        # on the access route of a public entrance: that entrance's building
        ctx.regime(feature)   # makes sure the regimes are indexed
        entrance = ctx.regimes.route_entrance(feature)
        if entrance is not None:
            value = entrance.attrs.get("building_area_m2")
            if value is None:
                value = _touching_building(entrance, ctx, "building_area_m2")
            if value is not None:
                return float(value)
        near = sorted(ctx.model.near("entrance", feature.geometry, ENTRANCE_SEARCH_M),
                      key=lambda e: e.geometry.distance(feature.geometry))
        for entrance in near:
            if entrance.attrs.get("building_area_m2") is not None:
                return float(entrance.attrs["building_area_m2"])
    return ctx.meta.building_area_m2


def derived_indoor(feature: Feature, ctx: CheckContext) -> bool | None:
    """Inside a building outline (its representative point is covered by a building polygon);
    ``None`` when the plan has no building layer to decide it."""
    if not ctx.model.has_layer("building"):
        return None
    point = feature.geometry.representative_point()
    return any(b.geometry.covers(point) for b in ctx.model.near("building", point, 0.0))


def derived_use(feature: Feature, ctx: CheckContext) -> str | None:
    """The use of the building an entrance or door lies in or against (within 1 m):
    ``housing`` for the housing buildings of the verordening's Art. 5, ``other``."""
    value = _touching_building(feature, ctx, "use")
    return None if value is None else str(value)


DERIVED: dict[str, Derived] = {
    "use": Derived("use", derived_use, ("entrance", "door"),
                   "the use of the building the entrance or door lies in or against"),
    "indoor": Derived("indoor", derived_indoor, tuple(sorted(
        ("area", "walkway", "cycle_path", "crossing", "tactile", "ramp", "stairs", "lift",
         "level_change", "entrance", "door", "stop", "toilet", "bench", "light", "obstacle",
         "vegetation", "wall", "parking", "underpass"))),
        "inside a building outline (true/false); unknown without a building layer"),
    "public": Derived("public", derived_public, BUILDING_PARTS,
                      "own value, else the touching building, else plan metadata"),
    "building_area_m2": Derived("building_area_m2", derived_building_area,
                                (*BUILDING_PARTS, "building"),
                                "own value, else touching building or nearest entrance, else plan"),
}


# -- scopes -------------------------------------------------------------------------------------
#: what each scope's regulation is called in a message ("als {regulation} van toepassing is")
REGULATION_NAMES: dict[str, dict[str, str]] = {
    "tv_building": {"nl": "de toegankelijkheidsverordening", "en": "the toegankelijkheidsverordening"},
    "tv_building_any_size": {"nl": "de toegankelijkheidsverordening",
                             "en": "the toegankelijkheidsverordening"},
    "tv_access_path": {"nl": "de toegankelijkheidsverordening",
                       "en": "the toegankelijkheidsverordening"},
    "pedestrian_road": {"nl": "de verordening voetgangerswegen (BV97)",
                        "en": "the pedestrian-road regulation (BV97)"},
    "public_domain": {"nl": "deze aanbeveling", "en": "this recommendation"},
    "free_standing": {"nl": "deze aanbeveling", "en": "this recommendation"},
}


def _undecided(regime: object) -> ScopeResult:
    return ScopeResult(None, dict(regime.reason), tuple(regime.missing))  # type: ignore[attr-defined]


@scope("pedestrian_road", pure=True)
def pedestrian_road(feature: Feature, ctx: CheckContext) -> ScopeResult:
    """BV97: public pedestrian roads inside the built-up area (regime ``bv97``)."""
    regime = ctx.regime(feature)
    if regime.code is None:
        return _undecided(regime)
    if regime.code != BV97:
        return ScopeResult(False, dict(regime.reason))
    return ScopeResult(True, {})


def _tv(feature: Feature, ctx: CheckContext, *, any_size: bool) -> ScopeResult:
    work = ctx.meta.work_kind
    if work == "outdoor_only":
        return ScopeResult(False, {"nl": "alleen omgevingswerken: verordening niet van toepassing",
                                   "en": "outdoor works only: the verordening does not apply"})
    regime = ctx.regime(feature)
    if regime.code in (BV97, PUBLIC_SPACE):
        return ScopeResult(False, dict(regime.reason))
    missing = list(regime.missing) if regime.code is None else []
    if work is None:
        missing.append("work_kind")
    area = ctx.value(feature, "building_area_m2")
    if area is None and not any_size:
        missing.append("building_area_m2")
    if missing:
        return ScopeResult(None, {"nl": "toepasselijkheid van de toegankelijkheidsverordening "
                                        "niet te bepalen",
                                  "en": "whether the toegankelijkheidsverordening applies cannot "
                                        "be decided"}, tuple(missing))
    small, large = _param(ctx, "small_building_m2"), _param(ctx, "large_building_m2")
    if area is None:
        return ScopeResult(True, {"nl": "toegankelijkheidsverordening: elke oppervlakte",
                                  "en": "toegankelijkheidsverordening: any floor area"})
    if area < small and any_size:
        return ScopeResult(True, {
            "nl": f"toegankelijkheidsverordening, publiek toegankelijke oppervlakte {area:g} m² "
                  f"< {small:g} m²: enkel de toegangsdeur moet voldoen",
            "en": f"toegankelijkheidsverordening, publicly accessible floor area {area:g} m² "
                  f"< {small:g} m²: only the entrance door must comply"})
    if area < small:
        return ScopeResult(False, {
            "nl": f"publiek toegankelijke oppervlakte {area:g} m² < {small:g} m²: enkel een "
                  "toegankelijke toegangsdeur vereist",
            "en": f"publicly accessible floor area {area:g} m² < {small:g} m²: only an accessible "
                  "entrance door is required"})
    if area > large:
        case = {"nl": f"toegankelijkheidsverordening art. 3 §1: oppervlakte {area:g} m² > "
                      f"{large:g} m²",
                "en": f"toegankelijkheidsverordening art. 3 §1: floor area {area:g} m² > "
                      f"{large:g} m²"}
    else:
        case = {"nl": f"toegankelijkheidsverordening art. 3 §2: oppervlakte {area:g} m² ≤ "
                      f"{large:g} m² (gelijkvloers en buitenaanleg)",
                "en": f"toegankelijkheidsverordening art. 3 §2: floor area {area:g} m² ≤ "
                      f"{large:g} m² (ground floor and outdoor access)"}
    return ScopeResult(True, case)


@scope("tv_building", pure=True)
def tv_building(feature: Feature, ctx: CheckContext) -> ScopeResult:
    """Toegankelijkheidsverordening (regime ``verordening``), publicly accessible floor area of
    at least 150 m² (the figure comes from the rule-set data)."""
    return _tv(feature, ctx, any_size=False)


@scope("tv_building_any_size", pure=True)
def tv_building_any_size(feature: Feature, ctx: CheckContext) -> ScopeResult:
    """Toegankelijkheidsverordening, rules that hold whatever the floor area (entrance door)."""
    return _tv(feature, ctx, any_size=True)


@scope("tv_access_path", pure=True)
def tv_access_path(feature: Feature, ctx: CheckContext) -> ScopeResult:
    """Toegankelijkheidsverordening Art. 14: the outdoor access path of a publicly accessible
    building (regime ``verordening``, not inside the building)."""
    regime = ctx.regime(feature)
    if regime.code in (BV97, PUBLIC_SPACE):
        return ScopeResult(False, dict(regime.reason))
    if ctx.value(feature, "indoor") is True:
        return ScopeResult(False, {"nl": "binnen het gebouw: geen toegangspad",
                                   "en": "inside the building: not an access path"})
    return _tv(feature, ctx, any_size=False)


@scope("public_domain", pure=True)
def public_domain(feature: Feature, ctx: CheckContext) -> ScopeResult:
    """Public-domain guidance: every feature the verordening does not reach (regime ``bv97`` or
    ``public_space``); features under the verordening are judged by its rules instead."""
    regime = ctx.regime(feature)
    if regime.code is None:
        return _undecided(regime)
    if regime.code == VERORDENING:
        return ScopeResult(False, dict(regime.reason))
    return ScopeResult(True, {})  # nothing to say in the finding


@scope("free_standing", pure=True)
def free_standing(feature: Feature, ctx: CheckContext) -> ScopeResult:
    """A facility free-standing in the public space (not in or against a building polygon).

    Toilets inside a publicly accessible building are judged by the toegankelijkheidsverordening
    (its toilet rules), so the public-facility guidance on the same dimensions does not repeat
    them there.
    """
    if ctx.model.near("building", feature.geometry, 1.0):
        return ScopeResult(False, {
            "nl": "in een gebouw: beoordeeld volgens de toegankelijkheidsverordening",
            "en": "inside a building: judged by the toegankelijkheidsverordening"})
    return ScopeResult(True, {"nl": "vrijstaande voorziening in de openbare ruimte",
                              "en": "free-standing facility in the public space"})
