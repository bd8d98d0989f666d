"""OSM tag values: quantities with units, yes/no, handrails, changing tables."""


from __future__ import annotations

import re

from inclusiecheck.readers.mapping import convert_unit

# --------------------------------------------------------------------------------------------
# values

_NUMBER = re.compile(r"^\s*([-+]?\d+(?:[.,]\d+)?|[-+]?[.,]\d+)\s*([^\d\s]*)\s*$")
_UNITS = {"": None, "m": "m", "meter": "m", "meters": "m", "metre": "m", "metres": "m",
          "cm": "cm", "mm": "mm", "km": "km", "%": "pct", "°": "deg", "deg": "deg",
          "‰": "permille"}


class _BadValue(ValueError):
    """A tag value that cannot be read (kept for one aggregated warning)."""


def parse_quantity(text: str, default_unit: str | None, target_unit: str | None) -> float:
    """Parse an OSM quantity (``"1.5"``, ``"150 cm"``, ``"1,5 m"``, ``"5%"``, ``"3°"``).

    A unit in the value wins over ``default_unit``; the result is in ``target_unit`` (when
    both are known).

    Raises
    ------
    ValueError
        For text that is not a number with a known unit (``"up"``, ``"3'6\\""``, ``"narrow"``).
    """
    found = _NUMBER.match(text)
    if found is None:
        raise _BadValue(text)
    number = float(found.group(1).replace(",", "."))
    suffix = found.group(2).lower()
    if suffix not in _UNITS:
        raise _BadValue(text)
    unit = _UNITS[suffix] or default_unit
    if unit is None or target_unit is None or unit == target_unit:
        return number
    try:
        return round(convert_unit(number, unit, target_unit), 9)
    except ValueError:
        raise _BadValue(text) from None


_TRUE = {"yes", "true", "1"}
_FALSE = {"no", "false", "0"}


def _boolean(text: str) -> bool | None:
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    return None


def handrail_sides(tags: dict[str, str]) -> str | None:
    """``both_sides``, ``one_side`` or ``none`` from ``handrail[:left|:right|:center]``.

    ``handrail=yes`` alone says that there is one but not on how many sides: ``None``.
    """
    if tags.get("handrail") == "no":
        return "none"
    left, right = tags.get("handrail:left"), tags.get("handrail:right")
    centre = tags.get("handrail:center", tags.get("handrail:centre"))
    if left is None or right is None:
        return None
    count = sum(value == "yes" for value in (left, right, centre))
    if count >= 2:
        return "both_sides"
    return "one_side" if count == 1 else "none"


def changing_table(tags: dict[str, str]) -> str | None:
    """The profile's ``changing_table`` from ``changing_table`` and ``changing_table:location``.

    ``no`` -> no; ``yes`` with locations only in the women's (men's) toilet -> women_only
    (men_only); in both, or in a unisex, wheelchair or dedicated room -> all; ``yes`` without
    a location -> yes (present, where unknown). Other values (``limited``) give ``None``.
    """
    value = tags.get("changing_table")
    if value == "no":
        return "no"
    if value != "yes":
        return None
    where = {part.strip() for part in tags.get("changing_table:location", "").split(";")
             if part.strip()}
    if not where:
        return "yes"
    if where & {"unisex_toilet", "wheelchair_toilet", "dedicated_room", "room"} or \
            {"female_toilet", "male_toilet"} <= where:
        return "all"
    if where == {"female_toilet"}:
        return "women_only"
    if where == {"male_toilet"}:
        return "men_only"
    return "yes"


