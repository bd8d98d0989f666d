"""Named measures: values computed from the drawing, lazily, once per feature and run.

A check asks ``ctx.value(feature, "width_m")``: the attribute when the plan gives it, else
the measure of that name (the clear width measured on a walkway polygon, the slope of a 3D
ramp line, ...). The measures reference in docs/ lists them.
"""

from __future__ import annotations

from typing import Any

from inclusiecheck.engine.checks.api import CheckContext, Measure
from inclusiecheck.model import Feature

MEASURES: dict[str, Measure] = {}


def measure(name: str, *, unit: str | None, layers: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    def decorate(func):  # type: ignore[no-untyped-def]
        MEASURES[name] = Measure(name, func, unit, layers, (func.__doc__ or "").strip())
        return func

    return decorate


@measure("length_m", unit="m", layers=("ramp", "stairs", "underpass", "walkway"))
def length_m(feature: Feature, ctx: CheckContext) -> Any:
    """Horizontal length of a drawn line (ramps, stairs, underpasses)."""
    if feature.geom_type == "LineString":
        return round(float(feature.geometry.length), 3)
    return None


def network_distance(ctx: CheckContext, feature: Feature, targets: list[Feature]) -> float | None:
    """Distance along the walkway centre-line network from ``feature`` to the nearest of
    ``targets`` (``None`` when the plan has no line walkways or a point does not snap)."""
    import numpy as np

    from inclusiecheck.geometry.network import build_walk_network, nearest_destination

    key = ("walk_network",)
    net = ctx.model.cache.get(key)
    if net is None:
        lines = [f.geometry for f in ctx.model.features("walkway") if f.geom_type == "LineString"]
        if not lines:
            ctx.model.cache[key] = False
            return None
        net = build_walk_network(lines)
        ctx.model.cache[key] = net
    if net is False:
        return None
    origin = feature.geometry.representative_point() if feature.geom_type != "Point" \
        else feature.geometry
    dests = [t.geometry if t.geom_type == "Point" else t.geometry.representative_point()
             for t in targets]
    distances, _idx = nearest_destination(net, [origin], dests)
    value = float(distances[0])
    return value if np.isfinite(value) else None
