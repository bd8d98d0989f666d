"""Words for people: labels of profile attributes, measures, plan data and codes (nl, en).

The catalogue is ``labels.yaml`` beside this module. Reports show a label wherever they name
an attribute or a code; the internal name stays in report.json and the technical annex.
A name without a label falls back to itself (a test keeps the catalogue complete).
"""

from __future__ import annotations

import functools
import re
from importlib import resources
from typing import Any
from collections.abc import Iterable

from inclusiecheck.model.safe_yaml import load_text

#: unit of an attribute, from the suffix of its name (the profile keeps units in names)
_UNIT_SUFFIX = (("_m2", "m²"), ("_cm", "cm"), ("_pct", "%"), ("_lm", "lm"), ("_lx", "lx"),
                ("_m", "m"))
_SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")


@functools.lru_cache(maxsize=1)
def catalogue() -> dict[str, Any]:
    """The parsed ``labels.yaml`` (through libyaml where PyYAML has it: the pure-Python parser
    took about 0.05 s of every check)."""
    text = (resources.files("inclusiecheck.model") / "labels.yaml").read_text(encoding="utf-8")
    data = load_text(text)
    return data if isinstance(data, dict) else {}


@functools.cache
def _names() -> dict[str, dict[str, str]]:
    cat = catalogue()
    out: dict[str, dict[str, str]] = {}
    for section in ("layers", "terms", "plan", "measures", "attributes"):   # attributes win
        for name, text in (cat.get(section) or {}).items():
            out[str(name)] = {str(k): str(v) for k, v in text.items()}
    return out


def has_label(name: str) -> bool:
    """Whether ``name`` (attribute, measure, plan datum or term) has a label."""
    return name in _names()


def unit_of(name: str) -> str | None:
    """The unit in an attribute's name (``door_width_cm`` -> ``cm``), else None."""
    for suffix, unit in _UNIT_SUFFIX:
        if name.endswith(suffix):
            return unit
    return None


def label(name: str, lang: str, *, unit: bool = False) -> str:
    """The label of an attribute, measure, plan datum or term in ``lang``.

    With ``unit``, the unit from the name follows in brackets ("vrije doorgangsbreedte van de
    deur (cm)"). An unknown name is returned as it is.
    """
    text = _names().get(name, {}).get(lang)
    if text is None:
        return name
    u = unit_of(name) if unit else None
    return f"{text} ({u})" if u else text


def labels(name: str, *, unit: bool = False) -> dict[str, str]:
    """``{nl, en}`` labels of ``name`` (see :func:`label`)."""
    return {lang: label(name, lang, unit=unit) for lang in ("nl", "en")}


def join_labels(names: Iterable[str], *, unit: bool = False) -> dict[str, str]:
    """``{nl, en}``: the labels of ``names`` joined by commas."""
    names = list(names)
    return {lang: ", ".join(label(n, lang, unit=unit) for n in names) for lang in ("nl", "en")}


def value_label(attribute: str | None, value: Any, lang: str) -> str | None:
    """The label of a code ``value`` of ``attribute`` (or of any attribute), else None."""
    if not isinstance(value, str):
        return None
    values = catalogue().get("values") or {}
    if attribute and attribute in values and value in values[attribute]:
        return str(values[attribute][value][lang])
    for codes in values.values():
        if value in codes:
            return str(codes[value][lang])
    return None


def value_text(attribute: str | None, value: Any) -> Any:
    """``{nl, en}`` labels of a code value, or the value unchanged when it is no code.

    A comma-separated list of names (a check's ``required`` may list criteria) is labelled
    name by name.
    """
    if not isinstance(value, str) or not value:
        return value
    single = {lang: value_label(attribute, value, lang) for lang in ("nl", "en")}
    if all(single.values()):
        return single
    parts = [p.strip() for p in value.split(",")]
    if all(value_label(attribute, p, "nl") or has_label(p) for p in parts):
        return {lang: ", ".join(value_label(attribute, p, lang) or label(p, lang) for p in parts)
                for lang in ("nl", "en")}
    return value


def unit_label(unit: str | None, lang: str, value: object = None) -> str | None:
    """How the reports write ``unit`` (``bays`` -> "plaatsen"; one: "plaats")."""
    if unit is None:
        return None
    units = catalogue().get("units") or {}
    if unit in units:
        entry = units[unit]
        if value == 1 and not isinstance(value, bool) and isinstance(entry.get("one"), dict):
            return str(entry["one"][lang])
        return str(entry[lang])
    return unit


def is_internal_name(text: str) -> bool:
    """Whether ``text`` looks like an internal snake_case name (``door_width_cm``)."""
    return bool(_SNAKE.match(text))
