"""Legal scopes and derived attributes: which regulation applies, and in which case.

The 1997 regulation on pedestrian roads (BV97) applies to public pedestrian roads inside the
built-up area; the toegankelijkheidsverordening (BVR 5 June 2009) applies to publicly
accessible buildings and their outdoor access when works need a permit, not to outdoor works
alone, with cases by the publicly accessible floor area. A scope returns whether it applies,
which case applied (said in the finding), and what data is missing to decide.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from inclusiecheck.engine.checks.api import CheckContext, Derived
from inclusiecheck.model import Feature


@dataclass(frozen=True, slots=True)
class ScopeResult:
    applies: bool | None  # None: cannot decide
    case: dict[str, str]
    missing: tuple[str, ...] = ()


ScopeFunc = Callable[[Feature, CheckContext], ScopeResult]
SCOPES: dict[str, ScopeFunc] = {}


def scope(name: str) -> Callable[[ScopeFunc], ScopeFunc]:
    def decorate(func: ScopeFunc) -> ScopeFunc:
        SCOPES[name] = func
        return func

    return decorate


# -- derived attributes -------------------------------------------------------------------------
BUILDING_PARTS = ("entrance", "door", "toilet", "parking", "ramp", "stairs", "lift",
                  "level_change", "walkway")


def _touching_building(feature: Feature, ctx: CheckContext, attribute: str) -> object:
    for building in ctx.model.near("building", feature.geometry, 1.0):
        value = building.attrs.get(attribute)
        if value is not None:
            return value
    return None


#: a ramp, stair, lift or parking within this distance of an entrance serves that entrance
ENTRANCE_REACH_M = 15.0


def derived_public(feature: Feature, ctx: CheckContext) -> bool | None:
    """Is this part of a publicly accessible building? Own ``public``, else the building it
    touches (within 1 m), else (ramps, stairs, lifts, level changes, parking, doors) an
    entrance within 15 m that says so, else the plan's ``public_building``; an access path is
    by definition the access of a publicly accessible building."""
    if feature.layer == "walkway":
        return True if feature.attrs.get("access_path") else None
    value = _touching_building(feature, ctx, "public")
    if value is not None:
        return bool(value)
    if feature.layer in ("ramp", "stairs", "lift", "level_change", "parking", "door"):
        for entrance in ctx.model.near("entrance", feature.geometry, ENTRANCE_REACH_M):
            if entrance.attrs.get("public") is not None:
                return bool(entrance.attrs["public"])
    return ctx.meta.public_building


def derived_building_area(feature: Feature, ctx: CheckContext) -> float | None:
    """Publicly accessible floor area: own attribute, else a building within 1 m, else the
    nearest entrance (within 100 m) that states it, else the plan metadata."""
    value = _touching_building(feature, ctx, "building_area_m2")
    if value is not None:
        return float(value)
    if feature.layer != "entrance":
        for entrance in ctx.model.near("entrance", feature.geometry, 100.0):
            if entrance.attrs.get("building_area_m2") is not None:
                return float(entrance.attrs["building_area_m2"])
    return ctx.meta.building_area_m2


DERIVED: dict[str, Derived] = {
    "public": Derived("public", derived_public, BUILDING_PARTS,
                      "own value, else the touching building, else plan metadata"),
    "building_area_m2": Derived("building_area_m2", derived_building_area, BUILDING_PARTS,
                                "own value, else touching building or nearest entrance, else plan"),
}


# -- scopes -------------------------------------------------------------------------------------
@scope("pedestrian_road")
def pedestrian_road(feature: Feature, ctx: CheckContext) -> ScopeResult:
    """BV97: public pedestrian roads (not access paths) inside the built-up area."""
    if feature.attrs.get("access_path"):
        return ScopeResult(False, {"nl": "toegangspad: valt onder de toegankelijkheidsverordening",
                                   "en": "access path: under the toegankelijkheidsverordening"})
    built_up = ctx.meta.built_up_area
    if built_up is False:
        return ScopeResult(False, {"nl": "buiten de bebouwde kom", "en": "outside the built-up area"})
    assumed = " (aangenomen)" if built_up is None else ""
    assumed_en = " (assumed)" if built_up is None else ""
    return ScopeResult(True, {
        "nl": f"BV97: openbare weg voor voetgangers binnen de bebouwde kom{assumed}",
        "en": f"BV97: public pedestrian road inside the built-up area{assumed_en}"})


#: layers that only belong to a building when drawn in (or against) a building polygon; a
#: free-standing one in the public space is judged by the public-space rules (voorzieningen)
IN_BUILDING_ONLY = ("toilet",)


def _tv(feature: Feature, ctx: CheckContext, *, any_size: bool) -> ScopeResult:
    work = ctx.meta.work_kind
    if work == "outdoor_only":
        return ScopeResult(False, {"nl": "alleen omgevingswerken: verordening niet van toepassing",
                                   "en": "outdoor works only: the verordening does not apply"})
    if feature.layer in IN_BUILDING_ONLY and not ctx.model.near("building", feature.geometry, 1.0):
        return ScopeResult(False, {
            "nl": "vrijstaand in de openbare ruimte (niet in een gebouw): zie de regels voor "
                  "voorzieningen",
            "en": "free-standing in the public space (not in a building): see the public "
                  "facilities rules"})
    public = ctx.value(feature, "public")
    if public is False:
        return ScopeResult(False, {"nl": "geen publiek toegankelijk gebouw",
                                   "en": "not a publicly accessible building"})
    missing = []
    if public is None:
        missing.append("public")
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
    if area is None:
        return ScopeResult(True, {"nl": "toegankelijkheidsverordening: elke oppervlakte",
                                  "en": "toegankelijkheidsverordening: any floor area"})
    if area < 150 and any_size:
        return ScopeResult(True, {
            "nl": f"toegankelijkheidsverordening, publiek toegankelijke oppervlakte {area:g} m² "
                  "< 150 m²: enkel de toegangsdeur moet voldoen",
            "en": f"toegankelijkheidsverordening, publicly accessible floor area {area:g} m² "
                  "< 150 m²: only the entrance door must comply"})
    if area < 150:
        return ScopeResult(False, {
            "nl": f"publiek toegankelijke oppervlakte {area:g} m² < 150 m²: enkel een toegankelijke "
                  "toegangsdeur vereist",
            "en": f"publicly accessible floor area {area:g} m² < 150 m²: only an accessible entrance "
                  "door is required"})
    if area > 400:
        case = {"nl": f"toegankelijkheidsverordening art. 3 §1: oppervlakte {area:g} m² > 400 m²",
                "en": f"toegankelijkheidsverordening art. 3 §1: floor area {area:g} m² > 400 m²"}
    else:
        case = {"nl": f"toegankelijkheidsverordening art. 3 §2: oppervlakte {area:g} m² ≤ 400 m² "
                      "(gelijkvloers en buitenaanleg)",
                "en": f"toegankelijkheidsverordening art. 3 §2: floor area {area:g} m² ≤ 400 m² "
                      "(ground floor and outdoor access)"}
    return ScopeResult(True, case)


@scope("tv_building")
def tv_building(feature: Feature, ctx: CheckContext) -> ScopeResult:
    """Toegankelijkheidsverordening for a publicly accessible building of at least 150 m²."""
    return _tv(feature, ctx, any_size=False)


@scope("tv_building_any_size")
def tv_building_any_size(feature: Feature, ctx: CheckContext) -> ScopeResult:
    """Toegankelijkheidsverordening, rules that hold whatever the floor area (entrance door)."""
    return _tv(feature, ctx, any_size=True)


@scope("tv_access_path")
def tv_access_path(feature: Feature, ctx: CheckContext) -> ScopeResult:
    """Toegankelijkheidsverordening Art. 14: the access path of a publicly accessible building
    (``access_path: true``), not a road under BV97."""
    if not feature.attrs.get("access_path"):
        return ScopeResult(False, {"nl": "openbare weg: valt onder BV97",
                                   "en": "public road: under BV97"})
    return _tv(feature, ctx, any_size=False)


@scope("public_domain")
def public_domain(feature: Feature, ctx: CheckContext) -> ScopeResult:
    """Public-domain guidance: every feature that is not the access path of a publicly
    accessible building (``access_path`` not true); those are judged by the
    toegankelijkheidsverordening instead."""
    if feature.attrs.get("access_path"):
        return ScopeResult(False, {"nl": "toegangspad: valt onder de toegankelijkheidsverordening",
                                   "en": "access path: under the toegankelijkheidsverordening"})
    return ScopeResult(True, {})  # nothing to say in the finding


@scope("free_standing")
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
