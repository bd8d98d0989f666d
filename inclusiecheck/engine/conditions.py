"""The closed vocabulary of conditions used in ``applies_to.where``/``plan`` and in checks.

A condition is data, never code: a scalar means equality, a list means "one of", and a
mapping uses operators from :data:`OPERATORS` (``{gte: 1.5}``, ``{in: [a, b]}``,
``{exists: true}``). Unknown operators are rejected when the rule set is loaded.
"""

from __future__ import annotations

from typing import Any, Callable

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


def validate_condition(cond: Any) -> None:
    """Raise ``ValueError`` for an unknown operator (used when loading rules)."""
    if isinstance(cond, dict):
        for op in cond:
            if op not in OPERATORS and op != "exists":
                raise ValueError(f"unknown operator {op!r}; use one of "
                                 f"{', '.join([*OPERATORS, 'exists'])}")


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
            if isinstance(exp, list):
                exp = ", ".join(str(x) for x in exp)
            parts.append(f"{SYMBOLS.get(op, op)} {exp}")
        return " & ".join(parts)
    if isinstance(cond, list):
        return "∈ " + ", ".join(str(x) for x in cond)
    return f"= {cond}"
