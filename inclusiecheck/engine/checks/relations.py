"""Built-in check types that relate a feature to other features of the plan.

``nearest``: the nearest feature of some layer(s) (optionally filtered) must lie within a
distance (straight line; along the walkway network when one exists and ``network`` is set).
``attribute_or_nearby``: a yes/no attribute, or the drawing, must show something (e.g. tactile
paving at a crossing: the attribute, or a ``tactile`` warning strip drawn there).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from pydantic import Field, field_validator
from shapely import shortest_line

from inclusiecheck.engine.checks.api import CheckContext, CheckParams, CheckResult, check_type
from inclusiecheck.engine.conditions import validate_conditions
from inclusiecheck.model import Feature, Outcome


def candidates(ctx: CheckContext, layers: list[str], where: dict[str, Any],
               exclude: Feature | None = None) -> list[Feature]:
    out = []
    for layer in layers:
        for f in ctx.model.features(layer):
            if f is not exclude and ctx.meets(f, where):
                out.append(f)
    return out


class NearestParams(CheckParams):
    """The nearest feature of ``layers`` meeting ``where`` lies within ``max_m``.

    ``missing_target``: what to report when the plan has no such feature at all (``fail``:
    the plan shows there is none; ``to_verify``: it may lie outside the plan).
    """

    layers: list[str] = Field(min_length=1)
    where: dict[str, Any] = Field(default_factory=dict)
    max_m: float = Field(gt=0)
    network: bool = False
    missing_target: str = Field(default="to_verify", pattern="^(fail|to_verify|not_applicable)$")
    property: str = "distance_m"

    _w = field_validator("where")(classmethod(lambda cls, v: validate_conditions(v)))


@dataclass(frozen=True, eq=False)
class _Targets:
    """The candidates of a ``nearest`` rule (``layers`` meeting ``where``), once per run."""

    features: list[Feature]
    geoms: np.ndarray
    tree: shapely.STRtree
    position: dict[int, int]   # id(feature) -> index in features
    plain: bool                # no empty geometry (else every feature is judged one by one)


_TARGETS_KEY = "relations.nearest"


def _targets(ctx: CheckContext, params: NearestParams) -> _Targets:
    """The candidate targets and their spatial index, shared by every feature (and every rule
    with the same ``layers`` and ``where``) of a run."""
    def build() -> _Targets:
        feats = candidates(ctx, params.layers, params.where)
        geoms = np.empty(len(feats), dtype=object)
        geoms[:] = [f.geometry for f in feats]
        plain = not bool(shapely.is_empty(geoms).any()) if len(feats) else True
        return _Targets(feats, geoms, shapely.STRtree(geoms),
                        {id(f): k for k, f in enumerate(feats)}, plain)

    key = (_TARGETS_KEY, params.model_dump_json(include={"layers", "where"}))
    return ctx.shared(key, build)


def _nearest_straight(feature: Feature, found: _Targets) -> tuple[Feature, float] | None:
    """The first target (in candidate order) at the smallest straight-line distance, and that
    distance, exactly as ``min(targets, key=feature.geometry.distance)``: the index gives the
    nearest distance, every target whose envelope lies within it is measured exactly.
    ``None`` when the index cannot answer (an empty geometry, the feature itself a target)."""
    geom = feature.geometry
    if not found.plain or geom.is_empty or id(feature) in found.position:
        return None
    _idx, near = found.tree.query_nearest(geom, return_distance=True)
    if near.size == 0 or not np.isfinite(near[0]):
        return None
    grow = float(near[0]) * (1 + 1e-9) + 1e-6
    x0, y0, x1, y1 = geom.bounds
    idx = np.sort(found.tree.query(shapely.box(x0 - grow, y0 - grow, x1 + grow, y1 + grow)))
    if idx.size == 0:
        return None
    dist = shapely.distance(geom, found.geoms[idx])
    k = int(np.argmin(dist))   # the first of equals, as min() keeps the first
    return found.features[int(idx[k])], float(dist[k])


def _network_along(ctx: CheckContext, params: NearestParams, feature: Feature,
                   found: _Targets) -> float | None:
    """Distance along the walkway network to the nearest target: one multi-source search
    from all targets per run (:func:`~inclusiecheck.geometry.network.destination_field`),
    then a constant-time lookup per feature; ``None`` when the feature or every target is
    off the network."""
    from inclusiecheck.engine.measures import walk_network
    from inclusiecheck.geometry.network import destination_field

    def build() -> Any:
        net = walk_network(ctx)
        if net is None:
            return None
        dests = [t.geometry if t.geom_type == "Point" else t.geometry.representative_point()
                 for t in found.features]
        return destination_field(net, dests)

    field = ctx.shared((_TARGETS_KEY, "network", params.model_dump_json(
        include={"layers", "where"})), build)
    if field is None:
        return None
    origin = feature.geometry.representative_point() if feature.geom_type != "Point" \
        else feature.geometry
    value = float(field.distances([origin])[0])
    return value if np.isfinite(value) else None


@check_type("nearest", params=NearestParams)
def nearest(feature: Feature, params: NearestParams, ctx: CheckContext) -> CheckResult:
    """Distance to the nearest feature of a kind (e.g. accessible bay to public entrance)."""
    found = _targets(ctx, params)
    own = id(feature) in found.position
    if not found.features or (own and len(found.features) == 1):
        return CheckResult(Outcome(params.missing_target), params.property, None, params.max_m,
                           "m", missing=(f"{'/'.join(params.layers)}",)
                           if params.missing_target == "to_verify" else (),
                           note={"nl": f"geen {'/'.join(params.layers)} in het plan",
                                 "en": f"no {'/'.join(params.layers)} in the plan"})
    hit = _nearest_straight(feature, found)
    targets: list[Feature] | None = None
    if hit is None:   # one by one (an empty geometry, or the feature is a target itself)
        targets = [t for t in found.features if t is not feature]
        best = min(targets, key=lambda t: feature.geometry.distance(t.geometry))
        distance = float(feature.geometry.distance(best.geometry))
    else:
        best, distance = hit
    how = {"nl": "in rechte lijn", "en": "straight-line"}
    if params.network and ctx.model.has_layer("walkway"):
        if own:
            from inclusiecheck.engine.measures import network_distance

            along = network_distance(ctx, feature, targets or [
                t for t in found.features if t is not feature])
        else:
            along = _network_along(ctx, params, feature, found)
        if along is not None:
            distance = along
            how = {"nl": "langs het looppadennetwerk", "en": "along the walkway network"}
    location = shortest_line(feature.geometry, best.geometry) if distance > 0 else None
    outcome = Outcome.PASS if distance <= params.max_m else Outcome.FAIL
    return CheckResult(outcome, params.property, round(distance, 2), params.max_m, "m",
                       location=location if outcome is Outcome.FAIL else None,
                       note={"nl": f"gemeten {how['nl']} tot {best.layer} {best.id}",
                             "en": f"measured {how['en']} to {best.layer} {best.id}"},
                       data={"target": f"{best.layer}/{best.id}", "method": how["en"]})


class AttributeOrNearbyParams(CheckParams):
    """``property`` must be true, or a feature of ``layers`` meeting ``where`` must be drawn
    within ``within_m``. When the attribute is missing and nothing is drawn: ``fail`` if the
    plan has the layer at all (the drawing shows there is none), else ``to_verify``."""

    property: str
    layers: list[str] = Field(min_length=1)
    where: dict[str, Any] = Field(default_factory=dict)
    within_m: float = Field(default=2.0, ge=0)

    _w = field_validator("where")(classmethod(lambda cls, v: validate_conditions(v)))


@check_type("attribute_or_nearby", params=AttributeOrNearbyParams)
def attribute_or_nearby(feature: Feature, params: AttributeOrNearbyParams,
                        ctx: CheckContext) -> CheckResult:
    """Something must be there: by attribute, or drawn near the feature."""
    value = ctx.value(feature, params.property)
    if value is True:
        return CheckResult(Outcome.PASS, params.property, True, True,
                           data={"source": "attribute"})
    drawn = [f for layer in params.layers for f in ctx.model.near(layer, feature.geometry,
                                                                   params.within_m)
             if ctx.meets(f, params.where)]
    if drawn:
        return CheckResult(Outcome.PASS, params.property, True, True,
                           note={"nl": f"getekend: {drawn[0].layer} {drawn[0].id}",
                                 "en": f"drawn: {drawn[0].layer} {drawn[0].id}"},
                           data={"source": "drawing"})
    # not drawn nearby proves nothing in a layer that is not complete (OpenStreetMap)
    if value is False or any(ctx.model.layer_complete(layer) for layer in params.layers):
        note = None
        if value is None:
            note = {"nl": f"niet als attribuut opgegeven en niet getekend binnen {params.within_m:g} m",
                    "en": f"not given as an attribute and not drawn within {params.within_m:g} m"}
        return CheckResult(Outcome.FAIL, params.property, False, True, note=note)
    return ctx.missing(params.property)
