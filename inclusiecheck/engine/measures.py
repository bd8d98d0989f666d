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
