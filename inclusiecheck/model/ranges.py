"""Plausible ranges of numeric attributes (attribute sanity, data profile section "Plausible
values").

A value outside its attribute's range is an input mistake (a width of -3 m, of 1e9 m, of
1200 m typed in millimetres): the normaliser drops it with an ``invalid_value`` warning that
names the feature, so the rules that need it report ``to_verify`` instead of judging a
nonsense number. The range of an attribute follows from its name, so that an attribute added
to the profile later gets one without an edit here:

1. an explicit override for ``(layer, attribute)``, else for ``attribute`` on any layer
   (:data:`OVERRIDES`);
2. else the default of the unit suffix (``_m``, ``_cm``, ``_pct``, ...), refined by what the
   name measures (``..._width_m`` is a clear passage of 0.1 to 50 m, ``..._height_cm`` may be
   0, ``slope_pct`` keeps its sign);
3. integer attributes without a unit (``steps``, ``bays``) count things: 0 to 100,000;
4. any other numeric attribute: any finite number.

Non-finite numbers (NaN, infinity, ``1e400``) are rejected earlier, by
:func:`inclusiecheck.model.values.parse_number`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import Any


@dataclass(frozen=True, slots=True)
class Range:
    """A closed range ``[low, high]`` in ``unit``; ``low_open`` excludes ``low`` itself
    (a width of exactly 0 is not a width)."""

    low: float
    high: float
    unit: str
    low_open: bool = False

    def contains(self, value: float) -> bool:
        if self.low_open:
            return self.low < value <= self.high
        return self.low <= value <= self.high

    def text(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        if self.low_open:
            return f"above {_num(self.low)} up to {_num(self.high)}{unit}"
        return f"{_num(self.low)} to {_num(self.high)}{unit}"


def _num(value: float) -> str:
    return f"{value:g}" if abs(value) < 1e6 else f"{value:.0e}"


#: default range per unit suffix (the unit is the last ``_`` part of the name)
SUFFIX_RANGES: dict[str, Range] = {
    "m": Range(0.0, 1000.0, "m"),
    "cm": Range(0.0, 2_000.0, "cm"),
    "mm": Range(0.0, 100_000.0, "mm"),
    "m2": Range(0.0, 10_000_000.0, "m²"),
    "pct": Range(0.0, 100.0, "%"),
    "deg": Range(-360.0, 360.0, "°"),
    "lm": Range(0.0, 1_000_000.0, "lm"),
    "lx": Range(0.0, 100_000.0, "lx"),
    "cd": Range(0.0, 1_000_000.0, "cd"),
    "s": Range(0.0, 86_400.0, "s"),
    "min": Range(0.0, 1_440.0, "min"),
    "h": Range(0.0, 24.0, "h"),
    "kmh": Range(0.0, 300.0, "km/h"),
    "db": Range(0.0, 200.0, "dB"),
    "kg": Range(0.0, 100_000.0, "kg"),
}

#: refinements by what a name measures: (word the name part before the unit ends with,
#: unit) -> range. A clear passage (width) is never 0; a height, depth of a kerb, a
#: threshold may be 0; a slope is signed (its sign is the direction of travel).
MEASURE_RANGES: dict[tuple[str, str], Range] = {
    ("width", "m"): Range(0.1, 50.0, "m"),
    ("width", "cm"): Range(10.0, 1_000.0, "cm"),
    ("length", "m"): Range(0.0, 10_000.0, "m", low_open=True),
    ("length", "cm"): Range(0.0, 100_000.0, "cm", low_open=True),
    ("depth", "m"): Range(0.0, 100.0, "m", low_open=True),
    ("size", "m"): Range(0.0, 1_000.0, "m", low_open=True),
    ("space", "m"): Range(0.0, 100.0, "m"),
    ("space", "cm"): Range(0.0, 2_000.0, "cm"),
    ("clearance", "cm"): Range(0.0, 2_000.0, "cm"),
    ("height", "m"): Range(0.0, 1_000.0, "m"),
    ("height", "cm"): Range(0.0, 1_000.0, "cm"),
    ("slope", "pct"): Range(-100.0, 100.0, "%"),
    ("gradient", "pct"): Range(-100.0, 100.0, "%"),
    ("incline", "pct"): Range(-100.0, 100.0, "%"),
}

#: explicit ranges: (layer, attribute) or (None, attribute) for every layer
OVERRIDES: dict[tuple[str | None, str], Range] = {
    # 0 = no refuge island
    (None, "refuge_width_m"): Range(0.0, 50.0, "m"),
    # a street (facade to facade) may be wider than a path
    (None, "street_width_m"): Range(1.0, 500.0, "m"),
    (None, "total_width_m"): Range(0.1, 200.0, "m"),
    # kerbs, thresholds, platforms, risers, seats: human-scale heights, 0 allowed
    (None, "kerb_height_cm"): Range(0.0, 100.0, "cm"),
    (None, "threshold_cm"): Range(0.0, 100.0, "cm"),
    (None, "platform_height_cm"): Range(0.0, 200.0, "cm"),
    (None, "riser_cm"): Range(0.0, 100.0, "cm"),
    (None, "tread_cm"): Range(0.0, 200.0, "cm"),
    (None, "seat_height_cm"): Range(0.0, 200.0, "cm"),
    (None, "rise_cm"): Range(0.0, 10_000.0, "cm"),
    (None, "mounting_height_m"): Range(0.0, 100.0, "m"),
    (None, "canopy_base_m"): Range(0.0, 100.0, "m"),
    (None, "free_height_m"): Range(0.0, 100.0, "m"),
    (None, "dimmed_pct"): Range(0.0, 100.0, "%"),
}

#: integer counts without a unit (steps, bays)
COUNT_RANGE = Range(0.0, 100_000.0, "")

#: units whose values a unit slip scales: (factor, what the value looks like) - a value is
#: a slip when ``value / factor`` lies in the range (1200 in a metre field = 1.2 m in mm)
_SLIPS: dict[str, tuple[tuple[float, str], ...]] = {
    "m": ((1000.0, "millimetres"), (100.0, "centimetres")),
    "cm": ((10.0, "millimetres"), (0.01, "metres")),
    "mm": ((0.001, "metres"), (0.1, "centimetres")),
}


def _suffix(attribute: str) -> tuple[str, str]:
    """``("door_width", "cm")`` for ``door_width_cm``; ``(name, "")`` without a suffix."""
    stem, _, unit = attribute.rpartition("_")
    if stem and unit in SUFFIX_RANGES:
        return stem, unit
    return attribute, ""


def derived_range(layer: str | None, attribute: str, kind: str = "number") -> Range | None:
    """The plausible range of ``attribute`` of ``layer`` (see the module docstring), or
    ``None`` when the name says nothing about it."""
    for key in ((layer, attribute), (None, attribute)):
        if key in OVERRIDES:
            return OVERRIDES[key]
    stem, unit = _suffix(attribute)
    if not unit:
        return COUNT_RANGE if kind == "integer" else None
    for (word, measure_unit), found in MEASURE_RANGES.items():
        if measure_unit == unit and (stem == word or stem.endswith("_" + word)):
            return found
    return SUFFIX_RANGES[unit]


@cache
def layer_ranges(layer: str) -> dict[str, Range]:
    """Ranges of every numeric attribute of a profile layer."""
    from inclusiecheck.model.profile import LAYER_MODELS, attribute_kind

    found: dict[str, Range] = {}
    if layer not in LAYER_MODELS:
        return found
    for name in LAYER_MODELS[layer].model_fields:
        kind = attribute_kind(layer, name)
        if kind not in ("number", "integer"):
            continue
        bounds = derived_range(layer, name, kind)
        if bounds is not None:
            found[name] = bounds
    return found


def check_value(bounds: Range, value: Any) -> str | None:
    """``None`` when ``value`` lies in ``bounds``, else why not (with a unit-slip hint)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value)
    if math.isfinite(number) and bounds.contains(number):
        return None
    problem = f"outside the plausible range {bounds.text()}"
    hint = unit_slip(bounds, number)
    return f"{problem}; {hint}" if hint else problem


def unit_slip(bounds: Range, value: float) -> str | None:
    """A hint when ``value`` fits the range in another unit (1200 in a metre field)."""
    for factor, what in _SLIPS.get(bounds.unit, ()):
        scaled = value / factor
        if value > 0 and bounds.contains(scaled) and scaled > bounds.low:
            return (f"it looks like {what}: {_num(value)} {what} is "
                    f"{scaled:g} {bounds.unit}; convert it or use a mapping profile")
    return None


def out_of_range(layer: str, attrs: dict[str, Any]) -> list[tuple[str, str]]:
    """``(attribute, problem)`` for every value of ``attrs`` outside its range."""
    ranges = layer_ranges(layer)
    problems = []
    for name, value in attrs.items():
        bounds = ranges.get(name)
        if bounds is None:
            continue
        problem = check_value(bounds, value)
        if problem is not None:
            problems.append((name, problem))
    return problems


def range_table() -> list[tuple[str, str, str]]:
    """``(layer, attribute, range text)`` for every numeric profile attribute (docs)."""
    from inclusiecheck.model.profile import LAYER_MODELS

    rows = []
    for layer in LAYER_MODELS:
        for name, bounds in layer_ranges(layer).items():
            rows.append((layer, name, bounds.text()))
    return rows


__all__ = ["COUNT_RANGE", "MEASURE_RANGES", "OVERRIDES", "Range", "SUFFIX_RANGES",
           "check_value", "derived_range", "layer_ranges", "out_of_range", "range_table",
           "unit_slip"]
