"""Social-safety check types: computed lighting, sightlines, vegetation, frontage, underpasses.

Written against the public check API. They build on the pure measures of
:mod:`inclusiecheck.geometry.lighting` and :mod:`inclusiecheck.geometry.visibility` and share
two per-run structures, built once (``ctx.shared``):

- the luminaires of the ``light`` layer (with an STRtree over their positions and their
  largest reach), see :func:`plan_lights`;
- the occluder index of everything opaque at eye height, see :func:`plan_occluders`.

Check types (their parameters are documented on the parameter classes):

``lighting``
    Ē, E_min and U0 per walkway, area, stop or crossing against the EN 13201-2 class the
    parameters assign by kind; dark stretches as polygons. Scenario ``evening`` or ``night``
    (dimming and switch-off at a time). Without any ``light`` layer: the ``lit`` attribute.
``semicylindrical_lighting``
    E_sc at face height on main routes; information (pass with the value) until a rule set
    gives a minimum.
``hidden_corners``, ``view_ahead``, ``stop_view``
    Hiding places beside a path, the view ahead at bends, the view from a stop.
``underpass_exit_visible``, ``underpass_dimensions``
    Exit visible from the entrance (attribute or computed), length, width, height.
``vegetation_height``, ``canopy_clearance``, ``active_frontage``
    Hedges above the maximum height beside paths, low tree crowns over paths, long stretches
    with no active frontage in view ("no eyes on the street").

The method and every default are in ``docs/method-lighting.md`` and
``docs/method-sightlines.md`` ("How the rules use it").
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal
from collections.abc import Iterable, Sequence

import numpy as np
import shapely
import shapely.ops
from pydantic import Field, field_validator, model_validator
from shapely import STRtree
from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry

from inclusiecheck.engine.checks.api import (
    absence_unproven,
    CheckContext,
    CheckParams,
    CheckResult,
    as_number,
    check_type,
)
from inclusiecheck.engine.messages import format_number
from inclusiecheck.geometry.lighting import (
    DEFAULT_CLASS_BY_KIND,
    DISTRIBUTION_NAMES,
    LIGHTING_CLASSES,
    LightingClass,
    LightingInputError,
    LightingStats,
    Luminaire,
    Scenario,
    grid_points_many,
    lighting_stats_many,
    path_directions,
    reach_m,
    scenario_flux,
    semicylindrical_illuminance,
)
from inclusiecheck.geometry.visibility import (
    HiddenZone,
    OccluderIndex,
    hidden_zones_many,
    isovists,
    shortest_views_ahead,
    through_view,
)
from inclusiecheck.model import Feature, Outcome

_CACHE = "safety"

#: Layer-level fallbacks added to the geometry module's per-kind defaults: a walkway without a
#: ``kind`` is judged as a footpath; stops and crossings have no kind.
LAYER_DEFAULT_CLASS: dict[str, str] = {"walkway": "P4", "stop": "P3", "crossing": "C3"}

#: The class-by-kind mapping the ``lighting`` check uses unless a rule overrides entries.
DEFAULT_LIGHTING_CLASSES: dict[str, str] = {**DEFAULT_CLASS_BY_KIND, **LAYER_DEFAULT_CLASS}

#: Default footprint radius of a shrub drawn as a point without ``size_m``.
DEFAULT_SHRUB_RADIUS_M = 0.5
#: Default footprint radius of an obstacle point without ``size_m``.
DEFAULT_OBSTACLE_RADIUS_M = 0.3


def _text(nl: str, en: str) -> dict[str, str]:
    return {"nl": nl, "en": en}


_num = as_number


def _nl(value: float, decimals: int = 2) -> str:
    return format_number(value, "nl", decimals)


def _en(value: float, decimals: int = 2) -> str:
    return format_number(value, "en", decimals)


@lru_cache(maxsize=8192)
def _nl_en(value: float, decimals: int = 2) -> tuple[str, str]:
    """``(_nl(value, decimals), _en(value, decimals))``, cached: the lighting check writes the
    same few class values and measured figures for thousands of features (the Dutch text is
    the English one with a decimal comma, as :func:`format_number` writes it)."""
    en = format_number(value, "en", decimals)
    return en.replace(".", ","), en


def _lines_of(geom: BaseGeometry) -> list[LineString]:
    """The walking lines of a geometry: line parts, or polygon exteriors (surfaces)."""
    parts = shapely.get_parts(geom)
    out: list[LineString] = []
    for part in parts:
        if part.geom_type == "LineString" and part.length > 0:
            out.append(part)
        elif part.geom_type == "Polygon":
            out.append(LineString(part.exterior.coords))
    return out


def _normal_form(geom: BaseGeometry) -> BaseGeometry:
    """``geom`` at the report's millimetre, in normal form (``shapely.normalize``: rings and
    parts in a fixed order, each ring from its lowest vertex): the same bytes however the
    overlays that made it ran (their order, a tile or the whole plan)."""
    return shapely.normalize(shapely.transform(geom, lambda xy: np.round(xy, 3)))


def _union(geoms: Iterable[BaseGeometry]) -> BaseGeometry | None:
    items = [g for g in geoms if g is not None and not g.is_empty]
    if not items:
        return None
    return shapely.union_all(items)


# ============================================================================================
# Shared per-run structures
# ============================================================================================

@dataclass
class PlanLights:
    """The plan's luminaires, built once per run.

    ``luminaires[i]`` belongs to ``features[i]``; ``incomplete`` holds light features that
    cannot be computed (no height or flux, or an invalid value) with the reason.
    """

    luminaires: list[Luminaire]
    features: list[Feature]
    xy: np.ndarray
    tree: STRtree
    max_reach_m: float
    incomplete: list[tuple[Feature, str]] = field(default_factory=list)
    incomplete_tree: STRtree | None = None
    defaulted: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    #: per scenario text: which luminaires are dimmed or off then (see :func:`_changed_at`)
    changed_by_scenario: dict[str, np.ndarray] = field(default_factory=dict)


def _luminaire(feature: Feature) -> tuple[Luminaire | None, str]:
    height = _num(feature.attrs.get("mounting_height_m"))
    flux = _num(feature.attrs.get("luminous_flux_lm"))
    missing = [n for n, v in (("mounting_height_m", height), ("luminous_flux_lm", flux))
               if v is None]
    if missing:
        return None, ", ".join(missing)
    dist = feature.get("distribution")
    if not isinstance(dist, str) or dist not in DISTRIBUTION_NAMES:
        dist = "led_street"
    geom = feature.geometry
    point = geom if geom.geom_type == "Point" else geom.representative_point()
    try:
        lum = Luminaire(float(point.x), float(point.y), height, flux,  # type: ignore[arg-type]
                        dist, _num(feature.attrs.get("dimmed_pct")),
                        feature.attrs.get("off_hours") or None)
    except LightingInputError as exc:
        return None, str(exc)
    return lum, ""


def plan_lights(ctx: CheckContext) -> PlanLights | None:
    """The luminaires of the ``light`` layer (built once per run); ``None`` without that
    layer."""
    return ctx.shared((_CACHE, "lights"), lambda: _build_lights(ctx))


def _build_lights(ctx: CheckContext) -> PlanLights | None:
    feats = ctx.model.features("light")
    if not feats:
        return None
    lums: list[Luminaire] = []
    owners: list[Feature] = []
    incomplete: list[tuple[Feature, str]] = []
    defaulted: list[bool] = []
    for f in feats:
        lum, why = _luminaire(f)
        if lum is None:
            incomplete.append((f, why))
            continue
        lums.append(lum)
        owners.append(f)
        defaulted.append(f.get("distribution") not in DISTRIBUTION_NAMES)
    xy = np.array([[lum.x, lum.y] for lum in lums]).reshape(-1, 2)
    reach = max((reach_m(lum) for lum in lums), default=0.0)
    inc_tree = STRtree([f.geometry for f, _ in incomplete]) if incomplete else None
    return PlanLights(lums, owners, xy, STRtree(shapely.points(xy)), float(reach), incomplete,
                      inc_tree, np.array(defaulted, dtype=bool))


@dataclass
class PlanOccluders:
    """Everything opaque at eye height, as an :class:`OccluderIndex` plus the owning features."""

    index: OccluderIndex
    features: list[Feature]

    def feature_of(self, part: int) -> Feature:
        return self.features[int(self.index.source[part])]


def _opaque(feature: Feature, eye_height_m: float) -> BaseGeometry | None:
    """The footprint that blocks the view at eye height, or ``None`` if it does not."""
    height = _num(feature.attrs.get("height_m"))
    geom = feature.geometry
    layer = feature.layer
    if layer in ("building", "wall"):
        if height is not None and height <= eye_height_m:
            return None
    elif layer == "vegetation":
        if feature.attrs.get("kind") not in ("hedge", "shrubs"):
            return None
        if height is None or height <= eye_height_m:
            return None
        if feature.geom_type == "Point":
            size = _num(feature.attrs.get("size_m"))
            return geom.buffer(size / 2 if size else DEFAULT_SHRUB_RADIUS_M)
    elif layer == "obstacle":
        if height is None or height <= eye_height_m:
            return None
        if feature.geom_type == "Point":
            size = _num(feature.attrs.get("size_m"))
            return geom.buffer(size / 2 if size else DEFAULT_OBSTACLE_RADIUS_M)
    else:
        return None
    if feature.geom_type == "Point":
        return None
    return geom


def plan_occluders(ctx: CheckContext, eye_height_m: float) -> PlanOccluders:
    """View-blocking features at ``eye_height_m`` (cached per run and eye height).

    Buildings and walls block unless their ``height_m`` is known and not above eye height;
    hedges and shrubs (vegetation) and obstacles block only when their ``height_m`` is known
    and above eye height. Points are taken at their ``size_m`` footprint.
    """
    def build() -> PlanOccluders:
        geoms: list[BaseGeometry] = []
        owners: list[Feature] = []
        for layer in ("building", "wall", "vegetation", "obstacle"):
            for f in ctx.model.features(layer):
                g = _opaque(f, eye_height_m)
                if g is not None and not g.is_empty:
                    geoms.append(g)
                    owners.append(f)
        return PlanOccluders(OccluderIndex(geoms), owners)

    return ctx.shared((_CACHE, "occluders", round(float(eye_height_m), 3)), build)


#: extra attributes (OSM tags kept by the reader) that place a feature on another level
_LEVEL_TAGS = ("osm:layer", "osm:level", "osm:tunnel", "osm:covered", "osm:bridge")


def _first_number(value: Any) -> float | None:
    text = str(value).split(";")[0].strip().replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def vertical_level(feature: Feature) -> float:
    """The vertical level of a feature from OSM's ``layer``, ``level``, ``tunnel`` and
    ``bridge`` (kept as ``osm:`` extras): ``layer`` wins, then ``level``; a tunnel without
    either is -1, a bridge +1; everything else 0 (ground level)."""
    layer = _first_number(feature.get("osm:layer")) if feature.has("osm:layer") else None
    if layer is not None:
        return layer
    level = _first_number(feature.get("osm:level")) if feature.has("osm:level") else None
    if level is not None:
        return level
    tunnel = str(feature.get("osm:tunnel") or "no")
    if tunnel not in ("no", "building_passage"):
        return -1.0
    if str(feature.get("osm:bridge") or "no") != "no":
        return 1.0
    return 0.0


def _under_cover(feature: Feature) -> bool:
    """A path that runs under a building or roof: ``tunnel=building_passage``, ``covered``."""
    return (str(feature.get("osm:tunnel") or "") == "building_passage"
            or str(feature.get("osm:covered") or "no") not in ("no", "false"))


def occluders_for(feature: Feature, ctx: CheckContext, eye_height_m: float) -> PlanOccluders:
    """The occluders that can block the view from ``feature``: those on its own vertical
    level (a path in a tunnel or on a bridge is not hidden by the buildings at ground level),
    and for a path under cover (a building passage, ``covered=yes``) not the buildings and
    roofs it runs under. The plan's shared index when nothing says otherwise."""
    occ = plan_occluders(ctx, eye_height_m)
    has_levels = ctx.shared((_CACHE, "has_levels"), lambda: any(
        f.has(tag) for layer in ctx.model.layers
        for f in ctx.model.features(layer) for tag in _LEVEL_TAGS))
    if not has_levels or len(occ.features) == 0:
        return occ
    level = vertical_level(feature)
    covered = _under_cover(feature)
    if level == 0.0 and not covered and all(vertical_level(f) == 0.0 for f in
                                              _levelled_occluders(ctx, eye_height_m)):
        return occ
    overhead = ({id(f) for f in ctx.model.near("building", feature.geometry)}
                if covered else set())
    def build() -> PlanOccluders:
        keep = [i for i, f in enumerate(occ.features)
                if vertical_level(f) == level and id(f) not in overhead]
        geoms = [_opaque(occ.features[i], eye_height_m) for i in keep]
        return PlanOccluders(OccluderIndex(geoms), [occ.features[i] for i in keep])

    return ctx.shared((_CACHE, "occluders_level", round(float(eye_height_m), 3), level,
                       tuple(sorted(overhead))), build)


def _levelled_occluders(ctx: CheckContext, eye_height_m: float) -> list[Feature]:
    """The occluders that carry a level tag (cached)."""
    return ctx.shared((_CACHE, "levelled", round(float(eye_height_m), 3)), lambda: [
        f for f in plan_occluders(ctx, eye_height_m).features
        if any(f.has(tag) for tag in _LEVEL_TAGS)])


def _blockers_text(occ: PlanOccluders, geom: BaseGeometry, distance_m: float = 0.5,
                   limit: int = 5) -> str:
    """``layer/id`` of the occluders within ``distance_m`` of ``geom`` (for messages)."""
    if len(occ.index) == 0:
        return ""
    parts = occ.index.tree.query(geom, predicate="dwithin", distance=distance_m)
    seen: list[str] = []
    for p in sorted(int(i) for i in parts):
        f = occ.feature_of(p)
        label = f"{f.layer}/{f.id}"
        if label not in seen:
            seen.append(label)
    more = f" (+{len(seen) - limit})" if len(seen) > limit else ""
    return ", ".join(seen[:limit]) + more


# ============================================================================================
# lighting
# ============================================================================================

def _valid_class(name: str) -> str:
    key = str(name).strip().upper()
    if key not in LIGHTING_CLASSES:
        raise ValueError(f"unknown lighting class {name!r}; use one of "
                         f"{', '.join(LIGHTING_CLASSES)}")
    return key


class LightingParams(CheckParams):
    """Horizontal illuminance against an EN 13201-2 lighting class.

    ``class_by_kind``: entries that override inclusiecheck's defaults
    (:data:`DEFAULT_LIGHTING_CLASSES`, keyed by ``kind``, or by layer for features without a
    kind); ``null`` removes a kind from judgement. A feature's own ``lighting_class`` wins when
    ``feature_class`` is true. ``class_override`` judges every feature against one class (the
    night rule's "is it dark at all" floor). ``scenario``: ``evening`` (full output) or
    ``night`` at ``time`` (dimming and switch-off). Points (a stop pole, a crossing point) are
    judged on a disc of ``point_radius_m``; line features use their ``width_m`` or
    ``default_width_m`` (none: the centre line). ``fallback_lit``: without any ``light`` layer,
    judge the ``lit`` attribute instead (true: pass with a note; false: fail; missing:
    to_verify); a path is never called dark for want of a lighting layer.
    """

    class_by_kind: dict[str, str | None] = Field(default_factory=dict)
    feature_class: bool = True
    class_override: str | None = None
    scenario: Literal["evening", "night"] = "evening"
    time: str = "01:00"
    spacing_m: float = Field(default=1.0, gt=0)
    maintenance_factor: float = Field(default=0.8, gt=0, le=1)
    point_radius_m: float = Field(default=2.0, gt=0)
    default_width_m: float | None = Field(default=None, gt=0)
    fallback_lit: bool = True

    @field_validator("class_by_kind")
    @classmethod
    def _classes(cls, value: dict[str, str | None]) -> dict[str, str | None]:
        return {k: (None if v is None else _valid_class(v)) for k, v in value.items()}

    @field_validator("class_override")
    @classmethod
    def _override(cls, value: str | None) -> str | None:
        return None if value is None else _valid_class(value)

    @field_validator("time")
    @classmethod
    def _time(cls, value: str) -> str:
        try:
            Scenario("night", value)
        except LightingInputError as exc:
            raise ValueError(str(exc)) from None
        return value

    def classes(self) -> dict[str, str]:
        merged: dict[str, str | None] = {**DEFAULT_LIGHTING_CLASSES, **self.class_by_kind}
        return {k: v for k, v in merged.items() if v is not None}

    def scenario_text(self) -> str:
        return "evening" if self.scenario == "evening" else f"night@{self.time}"


def _class_of(feature: Feature, params: LightingParams,
              classes: dict[str, str] | None = None) -> tuple[str | None, str, str | None]:
    """``(class name, how it was chosen, error)``; a class of ``None`` means not judged.

    ``class_override`` replaces the class of features that have one; a kind without a class
    (an area ``street`` or ``plan_boundary``) stays out of judgement. ``classes``:
    ``params.classes()`` when the caller already has it.
    """
    own = feature.attrs.get("lighting_class") if params.feature_class else None
    found: str | None
    if own:
        key = str(own).strip().upper()
        if key not in LIGHTING_CLASSES:
            if params.class_override:
                return params.class_override, "rule", None
            return None, "attribute", str(own)
        found, how = key, "attribute"
    else:
        if classes is None:
            classes = params.classes()
        kind = feature.attrs.get("kind")
        if kind is not None:
            found, how = classes.get(str(kind)), f"kind {kind}"
        else:
            found, how = classes.get(feature.layer), f"layer {feature.layer}"
    if found is not None and params.class_override:
        return params.class_override, "rule", None
    return found, how, None


def _lighting_geometry(feature: Feature, params: LightingParams,
                       ctx: CheckContext) -> tuple[BaseGeometry, float | None]:
    geom = feature.geometry
    geom_type = feature.geom_type
    if geom_type == "Point":
        return geom.buffer(params.point_radius_m), None
    if geom_type == "LineString":
        width = _num(ctx.value(feature, "width_m")) if feature.layer == "walkway" else \
            _num(feature.attrs.get("width_m"))
        if width is None or width <= 0:
            width = params.default_width_m
        return geom, width
    return geom, None


def _lit_fallback(feature: Feature, params: LightingParams, cls_name: str,
                  computed: dict[str, Any] | None = None) -> CheckResult:
    """Judge the ``lit`` attribute: without a light layer, or (``computed``: the figures from
    the lights found) when the light layer is not complete, so darkness computed from it
    proves nothing."""
    lit = feature.attrs.get("lit")
    data: dict[str, Any] = {"lighting_class": cls_name, "scenario": params.scenario_text()}
    if computed is not None:
        data.update(computed)
        data["incomplete_layer"] = "light"
        why = _text(
            f"De laag light is niet volledig (bv. OpenStreetMap): de {computed['lights_in_reach']}"
            f" gevonden lichtpunten geven {_nl(computed['avg_lx'])} lx gemiddeld, maar dat "
            "bewijst geen duisternis",
            f"The light layer is not complete (e.g. OpenStreetMap): the "
            f"{computed['lights_in_reach']} lights found give {_en(computed['avg_lx'])} lx on "
            "average, which does not prove darkness")
    else:
        why = _text("Het plan heeft geen verlichtingslaag (light)",
                    "The plan has no lighting layer (light)")
    plan_text = why if computed is not None else _text(
        "Geen verlichtingsplan (laag light) gegeven", "No lighting plan (light layer) given")
    if lit is None:
        return CheckResult(Outcome.TO_VERIFY, property="lit",
                           missing=("lit",) if computed is None else ("lit", "light"),
                           data=data, note=_text(
                               f"{why['nl']} en geen attribuut lit.",
                               f"{why['en']} and no lit attribute."))
    if lit is False:
        return CheckResult(Outcome.FAIL, property="lit", measured=False, required=True,
                           data={**data, "reasons": _text(
                               "niet verlicht volgens het attribuut lit (geen verlichtingsplan)",
                               "not lit according to the lit attribute (no lighting plan)")})
    if params.scenario == "night":
        return CheckResult(Outcome.TO_VERIFY, property="lit", missing=("light",), data=data,
                           note=_text(
            "Verlicht volgens lit, maar zonder volledig verlichtingsplan zijn dim- en doofuren "
            "onbekend.",
            "Lit according to lit, but without a complete lighting plan dimming and switch-off "
            "hours are unknown."))
    data["summary"] = _text("verlicht volgens het attribuut lit",
                            "lit according to the lit attribute")
    return CheckResult(Outcome.PASS, property="lit", measured=True, required=True, data=data,
                       note=_text(
        f"{plan_text['nl']}: beoordeeld op het attribuut lit, niet berekend.",
        f"{plan_text['en']}: judged on the lit attribute, not computed."))


def _no_lights() -> PlanLights:
    """The lights of a plan that declares its (absent) light layer complete: none."""
    return PlanLights([], [], np.zeros((0, 2)), STRtree([]), 0.0)


def _near_index(lights: PlanLights, geom: BaseGeometry) -> np.ndarray:
    """Indices of the luminaires whose reach (the largest in the plan) touches ``geom``."""
    if not lights.luminaires:
        return np.zeros(0, dtype=np.intp)
    return np.sort(lights.tree.query(geom, predicate="dwithin", distance=lights.max_reach_m))


def _near_lights(lights: PlanLights, geom: BaseGeometry) -> list[Luminaire]:
    return [lights.luminaires[int(i)] for i in _near_index(lights, geom)]


_IncompleteNear = tuple[list[str], tuple[str, ...]]


def _incomplete_near(lights: PlanLights, geom: BaseGeometry, reach: float) -> _IncompleteNear:
    """Ids of the uncomputable lights near ``geom`` and the attributes they lack."""
    return _incomplete_near_many(lights, [geom], reach)[0]


def _incomplete_near_many(lights: PlanLights, geoms: Sequence[BaseGeometry],
                          reach: float) -> list[_IncompleteNear]:
    """:func:`_incomplete_near` of many geometries with one query of the tree (the same
    ``dwithin`` test per geometry, hits in ascending order)."""
    if lights.incomplete_tree is None:
        return [([], ()) for _ in geoms]
    arr = np.empty(len(geoms), dtype=object)
    arr[:] = list(geoms)
    g_idx, t_idx = lights.incomplete_tree.query(arr, predicate="dwithin",
                                                distance=max(reach, 50.0))
    order = np.lexsort((t_idx, g_idx))
    g_idx, t_idx = g_idx[order], t_idx[order]
    cuts = np.searchsorted(g_idx, np.arange(len(geoms) + 1)).tolist()
    hits_of = t_idx.tolist()
    seen: dict[tuple[int, ...], _IncompleteNear] = {}
    out: list[_IncompleteNear] = []
    for k in range(len(geoms)):
        key = tuple(hits_of[cuts[k]:cuts[k + 1]])
        if key not in seen:
            seen[key] = _incomplete_of(lights, key)
        ids, names = seen[key]
        out.append((list(ids), names))
    return out


def _incomplete_of(lights: PlanLights, idx: tuple[int, ...]) -> _IncompleteNear:
    hits = [lights.incomplete[i] for i in idx]
    names: list[str] = []
    reasons_seen: set[str] = set()
    for _, why in hits:
        if why in reasons_seen:   # its names are in already
            continue
        reasons_seen.add(why)
        for name in _lacking(why):
            if name not in names:
                names.append(name)
    return [f.id for f, _ in hits], tuple(names)


@lru_cache(maxsize=1024)
def _lacking(why: str) -> tuple[str, ...]:
    """The attributes an uncomputable light lacks, from the reason it was left out: the
    names listed, or height and flux when the reason is an invalid value."""
    if why.replace(", ", "").replace("_", "").isalpha():
        return tuple(why.split(", "))
    return ("mounting_height_m", "luminous_flux_lm")


def _dark_threshold(cls: LightingClass) -> float:
    """Illuminance below which a point is dark for a class: E_min (P), U0 × Ē (C)."""
    if cls.min_lx is not None:
        return cls.min_lx
    return (cls.uniformity or 0.0) * cls.avg_lx


@dataclass(frozen=True, slots=True)
class _LightingJob:
    """A feature whose illuminance is to be computed: what :func:`_lighting_result` needs."""

    cls_name: str
    chosen: str
    complete: bool
    lights: PlanLights
    geom: BaseGeometry
    width: float | None
    near_idx: np.ndarray


#: features per illuminance batch: bounds the memory of one batch's points and pairs, and
#: keeps its arrays small enough for the processor's caches (2,000 made SV-01 grow 5.5-fold
#: from 60,000 to 240,000 features, 250 about 4-fold; the figures are the same either way)
LIGHTING_BATCH = 250


@check_type("lighting", params=LightingParams, batch=True)
def lighting(features: Sequence[Feature], params: LightingParams,
             ctx: CheckContext) -> list[CheckResult]:
    """Average, minimum and uniformity of the illuminance against the lighting class.

    A batch check: the calculation points of every feature of a layer (in batches of
    :data:`LIGHTING_BATCH`) go through one illuminance computation
    (:func:`~inclusiecheck.geometry.lighting.lighting_stats_many`), each feature lit by the
    lights within reach of it, with the same figures as one feature at a time."""
    out: list[CheckResult | None] = []
    candidates: list[tuple[int, _LightingJob]] = []
    classes = params.classes()
    for feature in features:
        early = _lighting_job(feature, params, ctx, classes)
        if isinstance(early, _LightingJob):
            candidates.append((len(out), early))
            out.append(None)
        else:
            out.append(early)
    scenario = params.scenario_text()
    jobs: list[tuple[int, _LightingJob]] = []
    for start in range(0, len(candidates), LIGHTING_BATCH):
        chunk = candidates[start:start + LIGHTING_BATCH]
        for n, job in _with_lights_in_reach(chunk):
            if params.scenario == "night" and not _changed_at(job.lights, scenario)[
                    job.near_idx].any():
                out[n] = _evening_judges(params)
            else:
                jobs.append((n, job))
    for start in range(0, len(jobs), LIGHTING_BATCH):
        chunk = jobs[start:start + LIGHTING_BATCH]
        by_lights: dict[int, list[tuple[int, _LightingJob]]] = {}
        for item in chunk:   # one plan's lights per run; grouped to be safe
            by_lights.setdefault(id(item[1].lights), []).append(item)
        for group in by_lights.values():
            lights = group[0][1].lights
            threshold = [_dark_threshold(LIGHTING_CLASSES[j.cls_name]) for _n, j in group]
            for value in sorted(set(threshold)):
                part = [(n, j) for (n, j), t in zip(group, threshold) if t == value]
                stats = lighting_stats_many(
                    [j.geom for _n, j in part], lights.luminaires,
                    [j.near_idx for _n, j in part], spacing_m=params.spacing_m,
                    widths_m=[j.width for _n, j in part],
                    maintenance_factor=params.maintenance_factor, scenario=scenario,
                    min_required_lx=value)
                near_missing = _incomplete_near_many(lights, [j.geom for _n, j in part],
                                                     lights.max_reach_m)
                for (n, job), st, missing in zip(part, stats, near_missing):
                    out[n] = _lighting_result(features[n], params, job, st, value, missing)
    done = [r for r in out if r is not None]
    if len(done) != len(out):  # pragma: no cover - every job gets its statistics above
        raise AssertionError("a lighting job was left without a result")
    return done


def _lighting_job(feature: Feature, params: LightingParams, ctx: CheckContext,
                  classes: dict[str, str] | None = None) -> CheckResult | _LightingJob:
    """The result of a feature that needs no computation (no class, no lighting plan, no
    dimming at night), else what the computation needs (``classes``: ``params.classes()``)."""
    cls_name, chosen, bad = _class_of(feature, params, classes)
    if bad is not None:
        return CheckResult(Outcome.TO_VERIFY, property="lighting_class", measured=bad,
                           missing=("lighting_class",), note=_text(
                               f"Onbekende verlichtingsklasse {bad!r}.",
                               f"Unknown lighting class {bad!r}."))
    if cls_name is None:
        return CheckResult(Outcome.NOT_APPLICABLE, property="lighting_class", note=_text(
            f"Geen verlichtingsklasse voor {chosen}.", f"No lighting class for {chosen}."))
    lights = plan_lights(ctx)
    complete = ctx.model.layer_complete("light")
    if lights is None and complete:
        lights = _no_lights()  # the plan declares its light layer complete: there are none
    if lights is None:
        if not params.fallback_lit:
            return ctx.missing("light")
        return _lit_fallback(feature, params, cls_name)
    geom, width = _lighting_geometry(feature, params, ctx)
    return _LightingJob(cls_name, chosen, complete, lights, geom, width, _NOT_YET)


#: ``_LightingJob.near_idx`` before :func:`_with_lights_in_reach` has filled it in
_NOT_YET = np.zeros(0, dtype=np.intp)


def _with_lights_in_reach(jobs: Sequence[tuple[int, _LightingJob]]
                          ) -> list[tuple[int, _LightingJob]]:
    """The jobs with the lights in reach of each (:func:`_near_index`), one tree query per
    plan's lights for all of them."""
    near: dict[int, np.ndarray] = {}
    by_lights: dict[int, list[int]] = {}
    for k, (_n, job) in enumerate(jobs):
        by_lights.setdefault(id(job.lights), []).append(k)
    for ks in by_lights.values():
        lights = jobs[ks[0]][1].lights
        for k, idx in zip(ks, _near_indices(lights, [jobs[k][1].geom for k in ks])):
            near[k] = idx
    return [(n, _LightingJob(job.cls_name, job.chosen, job.complete, job.lights, job.geom,
                             job.width, near[k])) for k, (n, job) in enumerate(jobs)]


def _near_indices(lights: PlanLights, geoms: Sequence[BaseGeometry]) -> list[np.ndarray]:
    """:func:`_near_index` of many geometries with one query of the tree (the same
    ``dwithin`` test per geometry, indices ascending)."""
    if not lights.luminaires:
        return [np.zeros(0, dtype=np.intp) for _ in geoms]
    arr = np.empty(len(geoms), dtype=object)
    arr[:] = list(geoms)
    g_idx, l_idx = lights.tree.query(arr, predicate="dwithin", distance=lights.max_reach_m)
    order = np.lexsort((l_idx, g_idx))
    g_idx, l_idx = g_idx[order], l_idx[order]
    cuts = np.searchsorted(g_idx, np.arange(len(geoms) + 1)).tolist()
    return [l_idx[cuts[k]:cuts[k + 1]] for k in range(len(geoms))]


def _changed_at(lights: PlanLights, scenario: str) -> np.ndarray:
    """Per luminaire: whether its flux in ``scenario`` differs from its full flux (dimmed or
    switched off), worked out once per plan's lights and scenario."""
    changed = lights.changed_by_scenario.get(scenario)
    if changed is None:
        changed = np.array([scenario_flux(lum, scenario) != lum.luminous_flux_lm
                            for lum in lights.luminaires], dtype=bool)
        lights.changed_by_scenario[scenario] = changed
    return changed


def _evening_judges(params: LightingParams) -> CheckResult:
    """No dimmed or switched-off light in reach at night: the evening rule judges."""
    return CheckResult(Outcome.NOT_APPLICABLE, property="illuminance_lx", note=_text(
        f"Geen gedimde of gedoofde lichtpunten binnen bereik om {params.time}: "
        "de avondregel oordeelt.",
        f"No dimmed or switched-off light within reach at {params.time}: the evening rule "
        "judges."))


#: The Dutch and English name of each lighting shortfall in a finding's reasons.
_SHORTFALL_NAMES = {"illuminance_avg_lx": ("gemiddeld", "average"),
                    "illuminance_min_lx": ("minimum", "minimum"),
                    "uniformity": ("gelijkmatigheid U0", "uniformity U0")}


def _lighting_result(feature: Feature, params: LightingParams, job: _LightingJob,
                     stats: LightingStats, threshold: float,
                     missing: _IncompleteNear | None = None) -> CheckResult:
    """The outcome of a feature from its computed illuminance statistics (``missing``: the
    uncomputable lights near it, :func:`_incomplete_near`, when already known)."""
    cls_name, chosen, complete, lights = job.cls_name, job.chosen, job.complete, job.lights
    geom, near_idx = job.geom, job.near_idx
    cls = LIGHTING_CLASSES[cls_name]
    scenario = params.scenario_text()
    near = near_idx   # the lights in reach (their number is reported)
    shortfalls: list[tuple[str, float, float, str | None]] = []
    if stats.avg_lx < cls.avg_lx - 1e-9:
        shortfalls.append(("illuminance_avg_lx", stats.avg_lx, cls.avg_lx, "lx"))
    if cls.min_lx is not None and stats.min_lx < cls.min_lx - 1e-9:
        shortfalls.append(("illuminance_min_lx", stats.min_lx, cls.min_lx, "lx"))
    if cls.uniformity is not None and stats.uniformity < cls.uniformity - 1e-9:
        shortfalls.append(("uniformity", stats.uniformity, cls.uniformity, None))
    names = _SHORTFALL_NAMES
    reasons_nl: list[str] = []
    reasons_en: list[str] = []
    for p, m, r, u in shortfalls:
        (m_nl, m_en), (r_nl, r_en) = _nl_en(m), _nl_en(r)
        lx = " lx" if u else ""
        reasons_nl.append(f"{names[p][0]} {m_nl}{lx} < {r_nl}{lx}")
        reasons_en.append(f"{names[p][1]} {m_en}{lx} < {r_en}{lx}")
    if stats.dark_length_m > 0:
        dark_nl, dark_en = _nl_en(stats.dark_length_m, 1)
        reasons_nl.append(f"donker over {dark_nl} m")
        reasons_en.append(f"dark over {dark_en} m")
    elif stats.dark_area_m2 > 0:
        dark_nl, dark_en = _nl_en(stats.dark_area_m2, 1)
        reasons_nl.append(f"donker over {dark_nl} m²")
        reasons_en.append(f"dark over {dark_en} m²")
    (avg_nl, avg_en), (min_nl, min_en), (u0_nl, u0_en) = (
        _nl_en(stats.avg_lx), _nl_en(stats.min_lx), _nl_en(stats.uniformity))
    summary = _text(f"gemiddeld {avg_nl} lx, minimum {min_nl} lx, U0 {u0_nl}",
                    f"average {avg_en} lx, minimum {min_en} lx, U0 {u0_en}")
    data: dict[str, Any] = {
        "lighting_class": cls.name, "class_from": chosen, "scenario": scenario,
        "avg_lx": round(stats.avg_lx, 2), "min_lx": round(stats.min_lx, 2),
        "max_lx": round(stats.max_lx, 2), "uniformity": round(stats.uniformity, 2),
        "dark_length_m": round(stats.dark_length_m, 1),
        "dark_area_m2": round(stats.dark_area_m2, 1), "dark_below_lx": round(threshold, 2),
        "lights_in_reach": len(near), "points": stats.n_points,
        "reasons": {"nl": "; ".join(reasons_nl) or "-", "en": "; ".join(reasons_en) or "-"},
        "summary": summary,
    }
    if not shortfalls:
        prop, measured, required, unit = (("illuminance_min_lx", stats.min_lx, cls.min_lx, "lx")
                                          if cls.min_lx is not None else
                                          ("uniformity", stats.uniformity, cls.uniformity, None))
        return CheckResult(Outcome.PASS, property=prop, measured=round(measured, 2),
                           required=required, unit=unit, data=data)
    prop, measured, required, unit = shortfalls[0]
    if not complete:
        # an incomplete light layer proves light where it finds enough, never darkness
        if params.fallback_lit:
            return _lit_fallback(feature, params, cls_name, computed=data)
        return absence_unproven(CheckResult(Outcome.FAIL, property=prop,
                                            measured=round(measured, 2), required=required,
                                            unit=unit, data=data), "light")
    missing_ids, missing_names = (missing if missing is not None else
                                  _incomplete_near(lights, geom, lights.max_reach_m))
    if missing_ids:
        return CheckResult(Outcome.TO_VERIFY, property=prop, measured=round(measured, 2),
                           required=required, unit=unit, missing=missing_names, data=data,
                           note=_text(
                               "Onvoldoende zonder de lichtpunten zonder hoogte of lichtstroom: "
                               + ", ".join(missing_ids),
                               "Short of the class without the lights lacking a height or flux: "
                               + ", ".join(missing_ids)))
    location = stats.dark if not stats.dark.is_empty else None
    note = None
    if len(near_idx) and lights.defaulted[near_idx].any():
        note = _text("Berekend met de standaard lichtverdeling (led_street) voor lichtpunten "
                     "zonder fotometrie; een minimum dicht bij de grens hangt daarvan af.",
                     "Computed with the default light distribution (led_street) for lights "
                     "without photometry; a minimum close to the limit depends on it.")
    return CheckResult(Outcome.FAIL, property=prop, measured=round(measured, 2),
                       required=required, unit=unit, location=location, data=data, note=note)


# --------------------------------------------------------------------------------------------
class SemicylindricalParams(CheckParams):
    """Minimum semi-cylindrical illuminance at ``face_height_m`` along a route, faces turned
    along the path both ways. ``min_lx: null`` (default): the value is reported as
    information (pass with a note) until a rule set sets a minimum (inclusive)."""

    min_lx: float | None = Field(default=None, ge=0)
    face_height_m: float = Field(default=1.5, ge=0)
    spacing_m: float = Field(default=1.0, gt=0)
    maintenance_factor: float = Field(default=0.8, gt=0, le=1)
    scenario: Literal["evening", "night"] = "evening"
    time: str = "01:00"


@check_type("semicylindrical_lighting", params=SemicylindricalParams, batch=True)
def semicylindrical_lighting(features: Sequence[Feature], params: SemicylindricalParams,
                             ctx: CheckContext) -> list[list[CheckResult]]:
    """Semi-cylindrical illuminance at face height (recognising faces), along main routes.

    A batch check: the calculation points of every feature are placed in one call
    (:func:`~inclusiecheck.geometry.lighting.grid_points_many`), with the same results as
    feature by feature."""
    lights = plan_lights(ctx)
    if lights is None:
        if params.min_lx is None:
            return [[] for _ in features]
        return [[ctx.missing("light")] for _ in features]
    sampled = [n for n, f in enumerate(features) if f.geom_type != "Point"]
    points = grid_points_many([features[n].geometry for n in sampled], params.spacing_m)
    out: list[list[CheckResult]] = [[] for _ in features]
    for n, pts in zip(sampled, points, strict=True):
        if len(pts):
            out[n] = [_semicylindrical_result(features[n], pts, lights, params, ctx)]
    return out


def _semicylindrical_result(feature: Feature, pts: np.ndarray, lights: PlanLights,
                            params: SemicylindricalParams, ctx: CheckContext) -> CheckResult:
    """The SV-03 result of one feature from its calculation points."""
    geom = feature.geometry
    dirs = path_directions(geom, pts)
    scenario = "evening" if params.scenario == "evening" else f"night@{params.time}"
    near = _near_lights(lights, geom)
    esc = semicylindrical_illuminance(pts, near, face_height_m=params.face_height_m,
                                      view_directions=dirs,
                                      maintenance_factor=params.maintenance_factor,
                                      scenario=scenario)
    emin, eavg = float(esc.min()), float(esc.mean())
    data = {"esc_min_lx": round(emin, 2), "esc_avg_lx": round(eavg, 2),
            "face_height_m": params.face_height_m, "scenario": scenario}
    if params.min_lx is None:
        return CheckResult(Outcome.PASS, property="semicylindrical_min_lx",
                           measured=round(emin, 2), unit="lx", data=data, note=_text(
                               "Ter informatie: er is geen bevestigde minimumwaarde; "
                               "beoordeeld zodra een regelset er een vastlegt.",
                               "For information: there is no confirmed minimum; judged once a "
                               "rule set sets one."))
    location = None
    if emin < params.min_lx:
        low = pts[esc < params.min_lx]
        location = shapely.union_all(shapely.buffer(shapely.points(low), params.spacing_m / 2))
    result = ctx.compare("semicylindrical_min_lx", round(emin, 2), min_value=params.min_lx,
                         unit="lx", location=location, data=data)
    return result if ctx.model.layer_complete("light") else absence_unproven(result, "light")


# ============================================================================================
# Sightlines
# ============================================================================================

class HiddenCornersParams(CheckParams):
    """Places within ``search_distance_m`` of the path that no viewpoint on the path (every
    ``step_m``, sight up to ``view_radius_m``) can see, given what is opaque at
    ``eye_height_m``; zones under ``min_area_m2`` are ignored. Any zone fails."""

    eye_height_m: float = Field(default=1.6, gt=0)
    search_distance_m: float = Field(default=5.0, gt=0)
    step_m: float = Field(default=2.0, gt=0)
    min_area_m2: float = Field(default=1.0, ge=0)
    view_radius_m: float = Field(default=30.0, gt=0)
    n_rays: int = Field(default=360, ge=8)


@check_type("hidden_corners", params=HiddenCornersParams, batch=True)
def hidden_corners(features: Sequence[Feature], params: HiddenCornersParams,
                   ctx: CheckContext) -> list[CheckResult]:
    """Hiding places beside a path: hidden zones within a short distance, as polygons.

    A batch check: the walking lines of every feature (of a layer, or of a tile) that share
    an occluder index go through one call of
    :func:`~inclusiecheck.geometry.visibility.hidden_zones_many`, with the same zones as path
    by path."""
    lines: list[list[LineString]] = []
    groups: dict[int, tuple[PlanOccluders, list[int]]] = {}
    occs: list[PlanOccluders] = []
    for n, feature in enumerate(features):
        occ = occluders_for(feature, ctx, params.eye_height_m)
        occs.append(occ)
        lines.append(_lines_of(feature.geometry))
        if lines[-1] and len(occ.index):
            groups.setdefault(id(occ), (occ, []))[1].append(n)
    zones: list[list[HiddenZone]] = [[] for _ in features]
    for occ, members in groups.values():
        paths = [path for n in members for path in lines[n]]
        found = hidden_zones_many(paths, occ.index, search_distance_m=params.search_distance_m,
                                  step_m=params.step_m, min_area_m2=params.min_area_m2,
                                  view_radius_m=params.view_radius_m, n_rays=params.n_rays,
                                  near_occluders_only=True)
        at = 0
        for n in members:   # each feature's zones, path after path
            for path_zones in found[at:at + len(lines[n])]:
                zones[n].extend(path_zones)
            at += len(lines[n])
    return [_hidden_result(f, paths, z, occ, params, ctx)
            for f, paths, z, occ in zip(features, lines, zones, occs, strict=True)]


def _hidden_result(feature: Feature, paths: list[LineString], zones: list[HiddenZone],
                   occ: PlanOccluders, params: HiddenCornersParams,
                   ctx: CheckContext) -> CheckResult:
    """The SV-04 result of one feature from the hidden zones of its walking lines."""
    if not paths:
        return CheckResult(Outcome.NOT_APPLICABLE, property="hidden_area_m2")
    if not zones:
        unknown = [v.id for path in paths
                   for v in ctx.model.near("vegetation", path, params.search_distance_m)
                   if v.attrs.get("kind") in ("hedge", "shrubs")
                   and _num(v.attrs.get("height_m")) is None]
        if unknown:
            return CheckResult(Outcome.TO_VERIFY, property="hidden_area_m2",
                               missing=("height_m",), note=_text(
                                   "Hoogte onbekend van haag/struiken: " + ", ".join(unknown),
                                   "Height unknown of hedge/shrubs: " + ", ".join(unknown)))
        return CheckResult(Outcome.PASS, property="hidden_area_m2", measured=0.0, unit="m²",
                           data={"zones": 0})
    total = sum(z.area_m2 for z in zones)
    location = _union(z.geometry for z in zones)
    assert location is not None
    location = _normal_form(location)
    return CheckResult(Outcome.FAIL, property="hidden_area_m2", measured=round(total, 1),
                       unit="m²", location=location, data={
                           "zones": len(zones),
                           "largest_m2": round(max(z.area_m2 for z in zones), 1),
                           "max_depth_m": round(max(z.max_depth_m for z in zones), 1),
                           "blocked_by": _blockers_text(occ, location) or "-"})


# --------------------------------------------------------------------------------------------
class ViewAheadParams(CheckParams):
    """From points every ``step_m`` along a path, in both walking directions, the distance
    along the path ahead that stays in view must be at least ``min_m`` (inclusive) wherever
    an opaque object cuts it short (a view ending at the path's end is no shortfall)."""

    eye_height_m: float = Field(default=1.6, gt=0)
    min_m: float = Field(default=20.0, gt=0)
    step_m: float = Field(default=5.0, gt=0)
    resolution_m: float = Field(default=0.5, gt=0)


@check_type("view_ahead", params=ViewAheadParams, batch=True)
def view_ahead(features: Sequence[Feature], params: ViewAheadParams,
               ctx: CheckContext) -> list[CheckResult]:
    """The visible distance ahead at bends and corners.

    A batch check: the sight lines of every walkway of the layer, in both directions, are
    tested together (:func:`~inclusiecheck.geometry.visibility.shortest_views_ahead`, one
    batch per set of occluders), with the same figures as one walkway at a time."""
    out: list[CheckResult | None] = [None] * len(features)
    # per set of occluders (a path on another level sees others): the ways to look along and
    # the feature each belongs to, in order (each path, then the path reversed)
    groups: dict[int, tuple[PlanOccluders, list[LineString], list[int]]] = {}
    for n, feature in enumerate(features):
        if feature.geom_type != "LineString":
            out[n] = CheckResult(Outcome.NOT_APPLICABLE, property="view_ahead_m", note=_text(
                "Getekend als vlak: teken de aslijn om het zicht vooruit te beoordelen.",
                "Drawn as a surface: draw the centre line to judge the view ahead."))
            continue
        occ = occluders_for(feature, ctx, params.eye_height_m)
        if not len(occ.index):
            continue
        _occ, ways, owners = groups.setdefault(id(occ), (occ, [], []))
        for path in _lines_of(feature.geometry):
            ways.extend((path, path.reverse()))
            owners.extend((n, n))
    worst: dict[int, tuple[float, BaseGeometry, LineString, PlanOccluders]] = {}
    for occ, ways, owners in groups.values():
        found_all = shortest_views_ahead(ways, occ.index, step_m=params.step_m,
                                         max_m=params.min_m, resolution_m=params.resolution_m)
        for way, n, found in zip(ways, owners, found_all):
            if found is None:
                continue
            point, dist = found
            if n not in worst or dist < worst[n][0]:
                s = way.project(point)
                stretch = shapely.ops.substring(way, s, s + dist) if dist > 0 else point
                beyond = way.interpolate(min(way.length, s + dist + params.resolution_m))
                worst[n] = (dist, stretch, LineString([point, beyond]), occ)
    for n in range(len(features)):
        if out[n] is not None:
            continue
        if n not in worst:
            out[n] = CheckResult(Outcome.PASS, property="view_ahead_m", required=params.min_m,
                                 unit="m", note=_text("Het zicht vooruit wordt nergens ingekort.",
                                                      "The view ahead is nowhere cut short."))
            continue
        dist, stretch, sight, occ = worst[n]
        blockers = _blockers_text(occ, sight, 0.0)
        out[n] = ctx.compare("view_ahead_m", round(dist, 1), min_value=params.min_m, unit="m",
                             location=stretch if dist < params.min_m else None,
                             data={"blocked_by": blockers or "-"})
    return [r for r in out if r is not None]


# --------------------------------------------------------------------------------------------
class StopViewParams(CheckParams):
    """The share (in %) of the disc of ``radius_m`` around the stop that is in view from it
    must be at least ``min_visible_pct`` (inclusive)."""

    eye_height_m: float = Field(default=1.6, gt=0)
    radius_m: float = Field(default=25.0, gt=0)
    min_visible_pct: float = Field(default=50.0, ge=0, le=100)
    n_rays: int = Field(default=360, ge=8)


def _stop_isovists(ctx: CheckContext, params: StopViewParams,
                   occ: PlanOccluders) -> dict[int, BaseGeometry]:
    """Isovists of every stop of the plan, computed in one vectorised pass (cached)."""
    def build() -> dict[int, BaseGeometry]:
        stops = ctx.model.features("stop")
        pts = [f.geometry if f.geom_type == "Point" else f.geometry.representative_point()
               for f in stops]
        xy = shapely.get_coordinates(pts).reshape(-1, 2) if pts else np.zeros((0, 2))
        polys = isovists(xy, occ.index, radius_m=params.radius_m, n_rays=params.n_rays)
        return {id(f): polys[i] for i, f in enumerate(stops)}

    return ctx.shared((_CACHE, "stop_isovists", params.eye_height_m, params.radius_m,
                       params.n_rays), build)


@check_type("stop_view", params=StopViewParams)
def stop_view(feature: Feature, params: StopViewParams, ctx: CheckContext) -> CheckResult:
    """View from a stop: the visible share of its surroundings."""
    occ = plan_occluders(ctx, params.eye_height_m)
    own = occluders_for(feature, ctx, params.eye_height_m)
    polys = _stop_isovists(ctx, params, occ)
    iso = polys.get(id(feature)) if own is occ else None
    if own is not occ:  # a stop under a roof, in a tunnel or on a bridge: its own occluders
        occ = own
    if iso is None:  # a feature outside the stop layer, or on its own level
        pt = feature.geometry if feature.geom_type == "Point" else \
            feature.geometry.representative_point()
        iso = isovists([pt], occ.index, radius_m=params.radius_m, n_rays=params.n_rays)[0]
    n = params.n_rays
    full = 0.5 * n * params.radius_m ** 2 * math.sin(2 * math.pi / n)
    pct = min(100.0, max(0.0, 100.0 * iso.area / full))
    centre = feature.geometry if feature.geom_type == "Point" else \
        feature.geometry.representative_point()
    location = None
    if pct < params.min_visible_pct:
        location = centre.buffer(params.radius_m, quad_segs=32).difference(iso)
    return ctx.compare("visible_pct", round(pct, 1), min_value=params.min_visible_pct,
                       unit="pct", location=location,
                       data={"radius_m": params.radius_m,
                             "blocked_by": (_blockers_text(occ, iso.boundary, 0.05)
                                            if not iso.is_empty else
                                            _blockers_text(occ, centre, 0.0)) or "-"})


# ============================================================================================
# Underpasses
# ============================================================================================

class UnderpassExitParams(CheckParams):
    """The exit must be visible from the entrance. Computed when the passage is drawn as a
    centre line with ``width_m`` (its walls are the two offset lines) or with walls/buildings
    beside it, or as a polygon (the straight line along its long axis must stay inside);
    else the ``exit_visible`` attribute. When both exist and disagree: warn."""

    eye_height_m: float = Field(default=1.6, gt=0)
    eye_offset_m: float = 0.0
    wall_search_m: float = Field(default=5.0, gt=0)


@dataclass(frozen=True)
class _Through:
    visible: bool
    fraction: float
    blocked_at: Point | None
    hidden: BaseGeometry | None
    method: str


def _axis(poly: BaseGeometry) -> LineString:
    """The long axis of a polygon's minimum rotated rectangle, through its centre."""
    rect = shapely.oriented_envelope(poly)
    c = np.asarray(rect.exterior.coords)[:4]
    e1, e2 = c[1] - c[0], c[2] - c[1]
    centre = c.mean(axis=0)
    long_edge = e1 if np.hypot(*e1) >= np.hypot(*e2) else e2
    return LineString([centre - long_edge / 2, centre + long_edge / 2])


def _through_polygon(poly: BaseGeometry) -> _Through:
    axis = _axis(poly)
    inside = axis.intersection(poly.buffer(1e-6))
    fraction = min(1.0, inside.length / axis.length) if axis.length > 0 else 1.0
    pieces = [p for p in shapely.get_parts(inside) if p.length > 1e-6]
    visible = len(pieces) == 1 and fraction > 1 - 1e-6
    hidden = None if visible else axis.difference(poly.buffer(1e-6))
    blocked = None
    if not visible and pieces:
        first = min(pieces, key=lambda p: axis.project(Point(p.coords[0])))
        end = max(axis.project(Point(first.coords[0])), axis.project(Point(first.coords[-1])))
        blocked = axis.interpolate(end)
    return _Through(visible, fraction, blocked, hidden, "polygon_axis")


def _through_line(line: LineString, width: float | None, occ: PlanOccluders,
                  params: UnderpassExitParams) -> _Through | None:
    geoms: list[BaseGeometry] = []
    method = []
    if width is not None and width > 0:
        for side in (width / 2, -width / 2):
            wall = shapely.offset_curve(line, side, join_style="mitre", mitre_limit=10.0)
            if not wall.is_empty:
                geoms.append(wall)
        method.append("width_m")
    if len(occ.index):
        idx = occ.index.tree.query(line.buffer(params.wall_search_m), predicate="intersects")
        drawn = [occ.index.geometries[int(i)] for i in sorted(int(i) for i in idx)]
        # what crosses the passage and reaches beyond its walls is the structure above it
        # (the road or building overhead), not an obstacle inside it
        inner = line.buffer((width or 4.0) / 2 + 0.01)
        drawn = [g for g in drawn if not g.intersects(line) or inner.covers(g)]
        if drawn:
            method.append("drawn")
        geoms.extend(drawn)
    if not geoms:
        return None
    index = OccluderIndex(geoms)
    tv = through_view(line, index, eye_offset_m=params.eye_offset_m)
    hidden = None
    if tv.visible_fraction < 1.0 - 1e-9:
        s = tv.visible_fraction * line.length
        hidden = shapely.ops.substring(line, s, line.length)
    return _Through(tv.visible, tv.visible_fraction, tv.blocked_at, hidden, "+".join(method))


@check_type("underpass_exit_visible", params=UnderpassExitParams)
def underpass_exit_visible(feature: Feature, params: UnderpassExitParams,
                           ctx: CheckContext) -> CheckResult:
    """Whether the exit of an underpass or tunnel is visible from its entrance."""
    attr = feature.attrs.get("exit_visible")
    computed: _Through | None = None
    if feature.geom_type == "Polygon":
        computed = _through_polygon(feature.geometry)
    elif feature.geom_type == "LineString":
        occ = plan_occluders(ctx, params.eye_height_m)
        computed = _through_line(feature.geometry, _num(feature.attrs.get("width_m")), occ,
                                 params)
    if computed is None:
        if attr is None:
            return ctx.missing("exit_visible")
        return CheckResult(Outcome.PASS if attr else Outcome.FAIL, property="exit_visible",
                           measured=bool(attr), required=True, data={
                               "source": "attribute", "detail": _text(
                                   "volgens het attribuut exit_visible",
                                   "according to the exit_visible attribute")})
    pct = round(100 * computed.fraction, 1)
    at = computed.blocked_at
    detail = _text(f"zichtbaar deel van de doorgang {_nl(pct, 1)} %"
                   + (f", zicht geblokkeerd bij ({at.x:.1f}; {at.y:.1f})" if at else ""),
                   f"part of the passage in view {_en(pct, 1)} %"
                   + (f", view blocked at ({at.x:.1f}, {at.y:.1f})" if at else ""))
    data = {"visible_fraction_pct": pct, "detail": detail,
            "drawn": _text("zichtbaar" if computed.visible else "niet zichtbaar",
                           "visible" if computed.visible else "not visible"),
            "method": computed.method,
            "blocked_at": (f"{computed.blocked_at.x:.2f}, {computed.blocked_at.y:.2f}"
                           if computed.blocked_at is not None else "-"),
            "source": "measured"}
    if attr is not None and bool(attr) != computed.visible:
        return CheckResult(Outcome.WARN, property="exit_visible", measured=computed.visible,
                           required=True, location=computed.hidden, data=data, note=_text(
                               "Het attribuut exit_visible spreekt de tekening tegen.",
                               "The exit_visible attribute contradicts the drawing."))
    outcome = Outcome.PASS if computed.visible else Outcome.FAIL
    return CheckResult(outcome, property="exit_visible", measured=computed.visible,
                       required=True, location=computed.hidden if not computed.visible else None,
                       data=data)


# --------------------------------------------------------------------------------------------
class UnderpassDimensionsParams(CheckParams):
    """Length at most ``max_length_m``, width and free height at least ``min_width_m`` and
    ``min_height_m`` (all inclusive); ``null`` skips a dimension. Length and width come from
    the attributes, else from the drawing (a line's length; a polygon's oriented envelope)."""

    max_length_m: float | None = Field(default=30.0, gt=0)
    min_width_m: float | None = Field(default=3.0, gt=0)
    min_height_m: float | None = Field(default=2.5, gt=0)

    @model_validator(mode="after")
    def _any(self) -> UnderpassDimensionsParams:
        if self.max_length_m is None and self.min_width_m is None and self.min_height_m is None:
            raise ValueError("underpass_dimensions needs at least one limit")
        return self


def _envelope_sides(poly: BaseGeometry) -> tuple[float, float]:
    rect = shapely.oriented_envelope(poly)
    c = np.asarray(rect.exterior.coords)[:3]
    a, b = float(np.hypot(*(c[1] - c[0]))), float(np.hypot(*(c[2] - c[1])))
    return max(a, b), min(a, b)


@check_type("underpass_dimensions", params=UnderpassDimensionsParams)
def underpass_dimensions(feature: Feature, params: UnderpassDimensionsParams,
                         ctx: CheckContext) -> Iterable[CheckResult]:
    """Length, width and free height of an underpass (one result per dimension)."""
    length = _num(ctx.value(feature, "length_m"))
    width = _num(feature.attrs.get("width_m"))
    drawn = {"length_m": "attribute" if "length_m" in feature.attrs else "measured",
             "width_m": "attribute"}
    if feature.geom_type == "Polygon":
        long_side, short_side = _envelope_sides(feature.geometry)
        if length is None:
            length = round(long_side, 2)
        if width is None:
            width, drawn["width_m"] = round(short_side, 2), "measured"
    height = _num(feature.attrs.get("height_m"))
    out: list[CheckResult] = []
    checks = (("length_m", length, None, params.max_length_m),
              ("width_m", width, params.min_width_m, None),
              ("height_m", height, params.min_height_m, None))
    for name, value, lo, hi in checks:
        if lo is None and hi is None:
            continue
        if value is None:
            out.append(ctx.missing(name))
            continue
        out.append(ctx.compare(name, value, min_value=lo, max_value=hi, unit="m",
                               data={"source": drawn.get(name, "attribute")}))
    return out


# ============================================================================================
# Vegetation and edges
# ============================================================================================

def _walk_reach(ctx: CheckContext, geom: BaseGeometry, distance_m: float,
                layers: tuple[str, ...] = ("walkway",)) -> list[tuple[Feature, BaseGeometry]]:
    """Walkways within ``distance_m`` of the walking surface's edge, with that reach zone.

    A line walkway's surface is its centre line buffered by half its ``width_m`` (2 m wide
    when unknown); a polygon walkway is its surface. One geometry: see
    :func:`_walk_reach_many`.
    """
    return _walk_reach_many(ctx, [geom], distance_m, layers)[0]


def _walk_zones(ctx: CheckContext, layer: str, distance_m: float,
                indices: np.ndarray) -> dict[int, BaseGeometry]:
    """The reach zones (the surface widened by ``distance_m``) of the features of ``layer``
    at ``indices``, by feature index, buffered in one call."""
    feats = ctx.model.features(layer)
    todo = [int(i) for i in indices]
    geoms = np.empty(len(todo), dtype=object)
    radii = np.empty(len(todo), dtype="float64")
    for k, i in enumerate(todo):
        w = feats[i]
        half = 0.0
        if w.geom_type == "LineString":
            half = (_num(w.attrs.get("width_m")) or 2.0) / 2
        geoms[k] = w.geometry
        radii[k] = half + distance_m
    widened = radii > 0
    made = geoms.copy()
    if widened.any():
        # the same GEOS buffer as geometry.buffer(radius) (whose quad_segs is 16, not
        # shapely.buffer's 8), for many at once
        made[widened] = shapely.buffer(geoms[widened], radii[widened], quad_segs=16)
    return dict(zip(todo, made))


def _walk_reach_many(ctx: CheckContext, geoms: Sequence[BaseGeometry], distance_m: float,
                     layers: tuple[str, ...] = ("walkway",)
                     ) -> list[list[tuple[Feature, BaseGeometry]]]:
    """Per geometry: the walkways within ``distance_m`` of the walking surface's edge, with
    that reach zone (see :func:`_walk_reach`), layer after layer and in plan order.

    One index query of each layer for all geometries (within ``distance_m`` + 5 m), one
    vectorised intersects test of the candidates' zones; each walkway's zone is buffered
    once per call (was: one query, one buffer and one test per geometry and walkway)."""
    out: list[list[tuple[Feature, BaseGeometry]]] = [[] for _ in geoms]
    if not geoms:
        return out
    arr = np.empty(len(geoms), dtype=object)
    arr[:] = list(geoms)
    for layer in layers:
        feats = ctx.model.features(layer)
        if not feats:
            continue
        gi, wi = ctx.model.tree(layer).query(arr, predicate="dwithin",
                                             distance=distance_m + 5.0)
        if len(gi) == 0:
            continue
        order = np.lexsort((wi, gi))   # by geometry, then in plan order
        gi, wi = gi[order], wi[order]
        zones = _walk_zones(ctx, layer, distance_m, np.unique(wi))
        cand = np.empty(len(wi), dtype=object)
        cand[:] = [zones[i] for i in wi.tolist()]
        hit = shapely.intersects(cand, arr[gi])
        for g, w, zone in zip(gi[hit].tolist(), wi[hit].tolist(), cand[hit]):
            out[g].append((feats[w], zone))
    return out


class VegetationHeightParams(CheckParams):
    """Hedges and shrubs within ``near_m`` of a walking surface may be at most ``max_m``
    high (inclusive). Farther away: not applicable."""

    max_m: float = Field(default=1.0, gt=0)
    near_m: float = Field(default=2.0, ge=0)


@check_type("vegetation_height", params=VegetationHeightParams, batch=True)
def vegetation_height(features: Sequence[Feature], params: VegetationHeightParams,
                      ctx: CheckContext) -> list[CheckResult]:
    """Hedges and shrubs beside a path above the maximum height.

    A batch check: the walkways near every feature come from one index query, with the
    same results as feature by feature."""
    nears = _walk_reach_many(ctx, [f.geometry for f in features], params.near_m)
    return [_vegetation_result(f, near, params, ctx)
            for f, near in zip(features, nears, strict=True)]


def _vegetation_result(feature: Feature, near: list[tuple[Feature, BaseGeometry]],
                       params: VegetationHeightParams, ctx: CheckContext) -> CheckResult:
    if not near:
        return CheckResult(Outcome.NOT_APPLICABLE, property="height_m", note=_text(
            f"Niet binnen {_nl(params.near_m)} m van een looppad.",
            f"Not within {_en(params.near_m)} m of a walkway."))
    height = _num(ctx.value(feature, "height_m"))
    if height is None:
        return ctx.missing("height_m")
    location = None
    if height > params.max_m:   # the part beside the walkways: only to show a failure
        part = feature.geometry.intersection(shapely.union_all([z for _, z in near]))
        location = None if part.is_empty else part
    return ctx.compare("height_m", height, max_value=params.max_m, unit="m",
                       location=location, data={"walkway": ", ".join(w.id for w, _ in near)})


class CanopyClearanceParams(CheckParams):
    """Tree crowns over or beside a walking surface must start at least ``min_m`` above it
    (``canopy_base_m``, inclusive). A crown drawn as a polygon counts where it overlaps the
    surface; a tree drawn as a point or line is given a crown of ``crown_radius_m``."""

    min_m: float = Field(default=2.0, gt=0)
    crown_radius_m: float = Field(default=3.0, ge=0)


@check_type("canopy_clearance", params=CanopyClearanceParams, batch=True)
def canopy_clearance(features: Sequence[Feature], params: CanopyClearanceParams,
                     ctx: CheckContext) -> list[CheckResult]:
    """Tree crowns lower than the minimum free height over paths.

    A batch check: the crowns of the trees drawn as points or lines are buffered in one
    call and the walkways under every crown come from one index query, with the same
    results as tree by tree."""
    crowns = np.empty(len(features), dtype=object)
    crowns[:] = [f.geometry for f in features]
    if params.crown_radius_m > 0:
        drawn = np.array([f.geom_type != "Polygon" for f in features], dtype=bool)
        if drawn.any():
            # quad_segs=16: the same polygons as geometry.buffer(radius)
            crowns[drawn] = shapely.buffer(crowns[drawn], params.crown_radius_m, quad_segs=16)
    nears = _walk_reach_many(ctx, list(crowns), 0.0)
    return [_canopy_result(f, crown, near, params, ctx)
            for f, crown, near in zip(features, crowns, nears, strict=True)]


def _canopy_result(feature: Feature, crown: BaseGeometry,
                   near: list[tuple[Feature, BaseGeometry]], params: CanopyClearanceParams,
                   ctx: CheckContext) -> CheckResult:
    if not near:
        return CheckResult(Outcome.NOT_APPLICABLE, property="canopy_base_m", note=_text(
            "De kruin hangt niet boven een looppad.", "The crown does not reach over a walkway."))
    base = _num(ctx.value(feature, "canopy_base_m"))
    if base is None:
        return ctx.missing("canopy_base_m")
    location = None
    if base < params.min_m:   # the crown over the walkways: only to show a failure
        over = crown.intersection(shapely.union_all([z for _, z in near]))
        location = None if over.is_empty else over
    return ctx.compare("canopy_base_m", base, min_value=params.min_m, unit="m",
                       location=location, data={"walkway": ", ".join(w.id for w, _ in near)})


# --------------------------------------------------------------------------------------------
class ActiveFrontageParams(CheckParams):
    """A point of the path has "eyes on the street" when a building with
    ``active_frontage: true`` lies within ``within_m`` and the straight line to its nearest
    point is not blocked (at ``eye_height_m``). Stretches without eyes longer than
    ``max_stretch_m`` fail (inclusive limit). Points are taken every ``step_m``."""

    within_m: float = Field(default=25.0, gt=0)
    max_stretch_m: float = Field(default=50.0, gt=0)
    step_m: float = Field(default=5.0, gt=0)
    eye_height_m: float = Field(default=1.6, gt=0)


def _stations(line: LineString, step_m: float) -> tuple[np.ndarray, float]:
    length = line.length
    n = max(1, math.ceil(length / step_m - 1e-9))
    step = length / n
    return (np.arange(n) + 0.5) * step, step


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """The (first, last) indices of every run of True in ``mask``."""
    return _runs_many(mask, np.array([len(mask)]))[0]


def _runs_many(mask: np.ndarray, counts: np.ndarray) -> list[list[tuple[int, int]]]:
    """:func:`_runs` of each consecutive piece of ``counts[j]`` values of ``mask`` (indices
    within the piece): a run ends at the end of its piece."""
    counts = np.asarray(counts, dtype=np.int64)
    out: list[list[tuple[int, int]]] = [[] for _ in counts]
    if not mask.any():
        return out
    first = np.cumsum(counts) - counts
    starts_piece = np.zeros(len(mask), dtype=bool)
    ends_piece = np.zeros(len(mask), dtype=bool)
    starts_piece[first[counts > 0]] = True
    ends_piece[(first + counts - 1)[counts > 0]] = True
    before = np.r_[False, mask[:-1]]
    after = np.r_[mask[1:], False]
    a = np.flatnonzero(mask & (starts_piece | ~before))
    b = np.flatnonzero(mask & (ends_piece | ~after))
    piece = np.searchsorted(first + counts, a, side="right")
    offset = first[piece]
    for j, i0, i1 in zip(piece.tolist(), (a - offset).tolist(), (b - offset).tolist()):
        out[j].append((i0, i1))
    return out


def _eyes(ctx: CheckContext, pts: np.ndarray, params: ActiveFrontageParams,
          occ: PlanOccluders, want: bool | None) -> np.ndarray:
    """Which stations see a building whose ``active_frontage`` is ``want`` (None: unknown).

    Each station on its own: the stations of many paths (that share ``occ``) can go
    through one call."""
    buildings, tree = _frontage_buildings(ctx, want)
    seen = np.zeros(len(pts), dtype=bool)
    if not buildings or len(pts) == 0:
        return seen
    points = shapely.points(pts)
    st, bi = tree.query(points, predicate="dwithin", distance=params.within_m)
    if len(st) == 0:
        return seen
    if want is None:
        seen[st] = True
        return seen
    lines = shapely.shortest_line(points[st], tree.geometries[bi])
    blocked = np.zeros(len(st), dtype=bool)
    if len(occ.index):
        # shorten each sight line by 1 cm at both ends: touching an occluder at the station or
        # next to the target point does not block
        ab = shapely.get_coordinates(lines).reshape(-1, 2, 2)
        vec = ab[:, 1] - ab[:, 0]
        length = np.hypot(vec[:, 0], vec[:, 1])
        unit = np.where(length[:, None] > 0, vec / np.where(length > 0, length, 1)[:, None], 0)
        eps = np.minimum(0.01, length / 3)[:, None]
        short = shapely.linestrings(np.stack([ab[:, 0] + unit * eps, ab[:, 1] - unit * eps],
                                             axis=1))
        li, part = occ.index.tree.query(short, predicate="intersects")
        if len(li):
            # an occluder part of the target building itself does not block
            owner = _occluder_owner_ids(ctx, occ)[occ.index.source[part]]
            target = _building_ids(ctx, want)[bi[li]]
            blocked[li[owner != target]] = True
    seen[st[~blocked]] = True
    return seen


def _occluder_owner_ids(ctx: CheckContext, occ: PlanOccluders) -> np.ndarray:
    """``id()`` of the feature that owns each of ``occ``'s occluders (per run and index)."""
    return ctx.shared((_CACHE, "occluder_owner_ids", id(occ)), lambda: np.array(
        [id(f) for f in occ.features], dtype=np.uint64))


def _building_ids(ctx: CheckContext, want: bool | None) -> np.ndarray:
    """``id()`` of each of :func:`_frontage_buildings`' buildings (per run)."""
    return ctx.shared((_CACHE, "frontage_ids", want), lambda: np.array(
        [id(b) for b in _frontage_buildings(ctx, want)[0]], dtype=np.uint64))


def _frontage_buildings(ctx: CheckContext, want: bool | None
                        ) -> tuple[list[Feature], STRtree]:
    """The buildings whose ``active_frontage`` is ``want``, in plan order, and an STRtree of
    their geometries: built once per run (per path, the filter and the tree made every path
    cost as much as every building of the plan)."""
    def build() -> tuple[list[Feature], STRtree]:
        buildings = [b for b in ctx.model.features("building")
                     if b.attrs.get("active_frontage") is want]
        return buildings, STRtree([b.geometry for b in buildings])

    return ctx.shared((_CACHE, "frontage", want), build)


@check_type("active_frontage", params=ActiveFrontageParams, batch=True)
def active_frontage(features: Sequence[Feature], params: ActiveFrontageParams,
                    ctx: CheckContext) -> list[CheckResult]:
    """Long stretches of path with no active frontage in view ("no eyes on the street").

    A batch check: the stations of every path that shares an occluder index are placed and
    judged in one pass (one index query and one sight-line test for all of them), with the
    same results as path by path."""
    out: list[CheckResult | None] = [None] * len(features)
    complete = ctx.model.layer_complete("building")
    no_buildings = not ctx.model.has_layer("building") and not complete
    groups: dict[int, tuple[PlanOccluders, list[int]]] = {}
    for n, feature in enumerate(features):
        if feature.geom_type != "LineString":
            out[n] = CheckResult(Outcome.NOT_APPLICABLE, property="no_frontage_m", note=_text(
                "Getekend als vlak: teken de aslijn.",
                "Drawn as a surface: draw the centre line."))
        elif no_buildings:
            out[n] = CheckResult(Outcome.TO_VERIFY, property="no_frontage_m",
                                 missing=("building",), note=_text(
                                     "Het plan tekent geen gebouwen rond het pad.",
                                     "The plan draws no buildings around the path."))
        else:
            occ = occluders_for(feature, ctx, params.eye_height_m)
            groups.setdefault(id(occ), (occ, []))[1].append(n)
    for occ, members in groups.values():
        lines = [features[n].geometry for n in members]
        stations = [_stations(line, params.step_m) for line in lines]
        counts = np.array([len(s) for s, _ in stations], dtype=np.int64)
        line_arr = np.empty(len(lines), dtype=object)
        line_arr[:] = lines
        pts = shapely.get_coordinates(shapely.line_interpolate_point(
            np.repeat(line_arr, counts), np.concatenate([s for s, _ in stations])))
        if len(pts) != int(counts.sum()):   # an empty line somewhere: path by path
            parts = [shapely.get_coordinates(shapely.line_interpolate_point(line, s))
                     for line, (s, _) in zip(lines, stations)]
            pts = np.concatenate(parts)
            counts = np.array([len(p) for p in parts], dtype=np.int64)
        blind = _runs_many(~_eyes(ctx, pts, params, occ, True), counts)
        maybe = np.split(_eyes(ctx, pts, params, occ, None), np.cumsum(counts)[:-1])
        for k, n in enumerate(members):
            s, step = stations[k]
            out[n] = _frontage_result(lines[k], s, step, blind[k], maybe[k], params, ctx,
                                      complete)
    return [r for r in out if r is not None]


def _frontage_result(line: LineString, s: np.ndarray, step: float,
                     blind: list[tuple[int, int]], maybe: np.ndarray,
                     params: ActiveFrontageParams, ctx: CheckContext,
                     complete: bool) -> CheckResult:
    """The SV-09 result of one path from the runs of its stations without eyes on it
    (``blind``: first and last station of each run)."""
    stretches = []
    longest = 0.0
    unsure = False
    for a, b in blind:
        s0 = max(0.0, s[a] - step / 2)
        s1 = min(line.length, s[b] + step / 2)
        longest = max(longest, s1 - s0)
        if s1 - s0 > params.max_stretch_m + 1e-9:
            stretches.append(shapely.ops.substring(line, s0, s1))
            if maybe[a:b + 1].any():
                unsure = True
    data = {"stretches": len(stretches)}
    if stretches and unsure:
        return CheckResult(Outcome.TO_VERIFY, property="no_frontage_m",
                           measured=round(longest, 1), required=params.max_stretch_m, unit="m",
                           missing=("active_frontage",), location=_union(stretches), data=data)
    result = ctx.compare("no_frontage_m", round(longest, 1), max_value=params.max_stretch_m,
                         unit="m", location=_union(stretches), data=data)
    return result if complete else absence_unproven(result, "building")


__all__ = [
    "DEFAULT_LIGHTING_CLASSES", "PlanLights", "PlanOccluders", "active_frontage",
    "canopy_clearance", "hidden_corners", "lighting", "plan_lights", "plan_occluders",
    "semicylindrical_lighting", "stop_view", "underpass_dimensions", "underpass_exit_visible",
    "vegetation_height", "view_ahead",
]
