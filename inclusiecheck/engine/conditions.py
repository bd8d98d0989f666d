"""The closed vocabulary of conditions used in ``applies_to.where``/``plan`` and in checks.

A condition is data, never code: a scalar means equality, a list means "one of", and a
mapping uses operators from :data:`OPERATORS` (``{gte: 1.5}``, ``{in: [a, b]}``,
``{exists: true}``). Unknown operators are rejected when the rule set is loaded.
"""

from __future__ import annotations

import math
from typing import Any
from collections.abc import Callable

_MISSING = object()


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _cmp(op: Callable[[float, float], bool]) -> Callable[[Any, Any], bool]:
    def test(value: Any, expected: Any) -> bool:
        a, b = _num(value), _num(expected)
        return a is not None and b is not None and op(a, b)

    return test


#: A yes/limited/no code (``toilet.accessible``) meets a boolean condition: ``true`` is
#: ``yes``, ``false`` is ``no`` (YAML reads an unquoted ``yes``/``no`` as a boolean, and rule
#: sets written when the attribute was a boolean keep working); ``limited`` meets neither.
_YES_NO = {"yes": True, "no": False}


def same(value: Any, expected: Any) -> bool:
    """Equality of a value and a condition's value, with the yes/no reading above."""
    if isinstance(expected, bool) and isinstance(value, str):
        return _YES_NO.get(value) is expected
    if isinstance(value, bool) and isinstance(expected, str):
        return _YES_NO.get(expected) is value
    return bool(value == expected)


def _one_of(value: Any, expected: Any) -> bool:
    return any(same(value, e) for e in expected)


OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": same,
    "ne": lambda v, e: not same(v, e),
    "in": _one_of,
    "not_in": lambda v, e: not _one_of(v, e),
    "gt": _cmp(lambda a, b: a > b),
    "gte": _cmp(lambda a, b: a >= b),
    "lt": _cmp(lambda a, b: a < b),
    "lte": _cmp(lambda a, b: a <= b),
}
#: operator -> human-readable symbol (reports, docs)
SYMBOLS = {"eq": "=", "ne": "≠", "in": "∈", "not_in": "∉", "gt": ">", "gte": "≥", "lt": "<",
           "lte": "≤", "exists": "exists"}


_NUMERIC_OPS = ("gt", "gte", "lt", "lte")


def _scalar_problem(value: Any) -> str | None:
    """Why ``value`` cannot be compared with an attribute, or ``None``."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"{value!r} is not a finite number"
    if value is None or isinstance(value, (str, int, float, bool)):
        return None
    return f"expects a single value (text, number or true/false), found {_kind(value)}"


def _kind(value: Any) -> str:
    """``a list``, ``a number``, ... for a message."""
    return {dict: "a mapping", list: "a list", int: "a number", float: "a number",
            str: "a text", bool: "true/false"}.get(type(value), f"a {type(value).__name__}")


def validate_condition(cond: Any) -> None:
    """Raise ``ValueError`` for an unknown operator or an operator value of the wrong type
    (used when loading rules, so that what validates never fails while checking):
    ``gt``/``gte``/``lt``/``lte`` take a finite number, ``in``/``not_in`` a list of values,
    ``eq``/``ne`` one value, ``exists`` true or false; numbers are finite."""
    if isinstance(cond, dict):
        for op, expected in cond.items():
            if op not in OPERATORS and op != "exists":
                raise ValueError(f"unknown operator {op!r}; use one of "
                                 f"{', '.join([*OPERATORS, 'exists'])}")
            if op == "exists":
                if not isinstance(expected, bool):
                    raise ValueError(f"exists: expects true or false, found {expected!r}")
            elif op in _NUMERIC_OPS:
                if isinstance(expected, bool) or not isinstance(expected, (int, float)):
                    raise ValueError(f"{op}: expects a number, found {_kind(expected)} "
                                     f"({expected!r:.40})")
                if not math.isfinite(expected):
                    raise ValueError(f"{op}: {expected!r} is not a finite number")
            elif op in ("in", "not_in"):
                if not isinstance(expected, list):
                    raise ValueError(f"{op}: expects a list of values such as [a, b], found "
                                     f"{_kind(expected)} ({expected!r:.40})")
                for item in expected:
                    problem = _scalar_problem(item)
                    if problem:
                        raise ValueError(f"{op}: {problem}")
            else:
                problem = _scalar_problem(expected)
                if problem:
                    raise ValueError(f"{op}: {problem}")
        return
    if isinstance(cond, list):
        for item in cond:
            problem = _scalar_problem(item)
            if problem:
                raise ValueError(f"list condition: {problem}")
        return
    problem = _scalar_problem(cond)
    if problem:
        raise ValueError(problem)


def validate_conditions(conditions: dict[str, Any]) -> dict[str, Any]:
    """Validate every condition of a ``{name: condition}`` mapping and return the mapping
    (for pydantic field validators of ``where``-like parameters)."""
    for cond in conditions.values():
        validate_condition(cond)
    return conditions


def matches(value: Any, cond: Any) -> bool | None:
    """Return whether ``value`` meets ``cond``; ``None`` when the value is missing.

    ``{exists: true/false}`` is the only condition that decides on a missing value.
    """
    if isinstance(cond, dict):
        if "exists" in cond:
            present = value is not None
            if present != bool(cond["exists"]):
                return False
            if len(cond) == 1:
                return True
        if value is None:
            return None
        return all(OPERATORS[op](value, exp) for op, exp in cond.items() if op != "exists")
    if value is None:
        return None
    if isinstance(cond, list):
        return _one_of(value, cond)
    return same(value, cond)


def describe(cond: Any) -> str:
    """A short text of a condition, e.g. ``≥ 1.5`` or ``∈ bus, tram``."""
    if isinstance(cond, dict):
        parts = []
        for op, exp in cond.items():
            shown = ", ".join(str(x) for x in exp) if isinstance(exp, list) else exp
            parts.append(f"{SYMBOLS.get(op, op)} {shown}")
        return " & ".join(parts)
    if isinstance(cond, list):
        return "∈ " + ", ".join(str(x) for x in cond)
    return f"= {cond}"
