"""The closed vocabulary of conditions used in ``applies_to.where``/``plan`` and in checks.

A condition is data, never code: a scalar means equality, a list means "one of", and a
mapping uses operators from :data:`OPERATORS` (``{gte: 1.5}``, ``{in: [a, b]}``,
``{exists: true}``). Unknown operators are rejected when the rule set is loaded.

A set of conditions is a mapping ``{attribute: condition}``: every entry must hold. Two keys
combine sets instead of naming an attribute (:data:`COMBINATORS`), and nest:

- ``any: [{...}, {...}]``: at least one of the listed sets holds;
- ``not: {...}``: the set does not hold (e.g. ``not: {automatic: true}``).

A missing value leaves a condition undecided, and the combinations follow three-valued logic:
``any`` holds as soon as one set holds and fails only when every set fails; ``not`` of an
undecided set is undecided. :func:`decide` gives the state and the attributes whose missing
values leave it undecided.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping
from typing import Any

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
#: the numeric operators as comparisons of two floats (compiled conditions)
_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le}


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


# -- sets of conditions: {attribute: condition}, with any: and not: --------------------------
#: keys of a set of conditions that combine sets instead of naming an attribute
COMBINATORS = ("any", "not")


def _set_problems(conditions: Any, loc: tuple[str | int, ...]
                  ) -> list[tuple[tuple[str | int, ...], str]]:
    if not isinstance(conditions, Mapping):
        return [(loc, f"expects a mapping of conditions ({{attribute: condition}}), found "
                      f"{_kind(conditions)}")]
    problems: list[tuple[tuple[str | int, ...], str]] = []
    for key, cond in conditions.items():
        here = (*loc, key)
        if key == "any":
            if not isinstance(cond, list) or not cond:
                problems.append((here, "any: expects a list of condition sets, such as "
                                       "[{rise_cm: {gt: 50}}, {length_m: {gt: 10}}]"))
                continue
            for i, item in enumerate(cond):
                if not isinstance(item, Mapping) or not item:
                    problems.append(((*here, i), "any: each item is a non-empty mapping of "
                                                 "conditions ({attribute: condition})"))
                else:
                    problems.extend(_set_problems(item, (*here, i)))
        elif key == "not":
            if not isinstance(cond, Mapping) or not cond:
                problems.append((here, "not: expects a non-empty mapping of conditions, such "
                                       "as {automatic: true}"))
            else:
                problems.extend(_set_problems(cond, here))
        elif not isinstance(key, str):
            problems.append((here, f"an attribute name is a text, found {key!r}"))
        else:
            try:
                validate_condition(cond)
            except ValueError as exc:
                problems.append((here, str(exc)))
    return problems


def condition_problems(conditions: Any, loc: tuple[str | int, ...] = ()
                       ) -> list[tuple[tuple[str | int, ...], str]]:
    """Every problem of a set of conditions: ``(loc, message)`` with ``loc`` the keys and list
    indexes below the set (``("any", 1, "kind")``), for messages with file and line."""
    return _set_problems(conditions, loc)


def validate_conditions(conditions: dict[str, Any]) -> dict[str, Any]:
    """Validate a set of conditions ``{name: condition}`` (with ``any:``/``not:``) and return
    it (for pydantic field validators of ``where``-like parameters); ``ValueError`` names the
    place of the first problem."""
    problems = condition_problems(conditions)
    if problems:
        loc, message = problems[0]
        where = ".".join(str(p) for p in loc)
        raise ValueError(f"{where}: {message}" if where else message)
    return conditions


def decide(conditions: Mapping[str, Any], value_of: Callable[[str], Any]
           ) -> tuple[bool | None, list[str]]:
    """Whether a set of conditions holds, with ``value_of(name)`` giving each attribute's value
    (``None`` when unknown): ``(True, [])``, ``(False, [])``, or ``(None, names)`` naming the
    attributes whose missing values leave it undecided (in the order written)."""
    undecided: list[str] = []
    for key, cond in conditions.items():
        if key == "any":
            state, names = _decide_any(cond, value_of)
        elif key == "not":
            state, names = decide(cond, value_of)
            state = None if state is None else not state
        else:
            state = matches(value_of(key), cond)
            names = [key]
        if state is False:
            return False, []
        if state is None:
            undecided.extend(n for n in names if n not in undecided)
    return (None, undecided) if undecided else (True, [])


#: the result of a compiled set of conditions: ``(state, undecided names)`` as :func:`decide`
Decision = tuple[bool | None, list[str]]


def compile_condition(cond: Any) -> Callable[[Any], bool | None]:
    """``cond`` (a validated condition) as a test of one value: ``test(value)`` is
    ``matches(value, cond)``, with the condition's shape (scalar, list, operators) worked out
    once instead of per value."""
    if isinstance(cond, dict):
        want = bool(cond["exists"]) if "exists" in cond else None
        ops = tuple((OPERATORS[op], exp) for op, exp in cond.items() if op != "exists")
        only_exists = want is not None and not ops
        if want is None and len(ops) == 1:
            op, exp = next(iter(cond.items()))
            compare = _COMPARE.get(op)
            bound = _num(exp)
            if compare is not None and bound is not None:
                def test_number(value: Any) -> bool | None:
                    if value is None:
                        return None
                    number = _num(value)
                    return number is not None and compare(number, bound)

                return test_number
            fn = ops[0][0]

            def test_op(value: Any) -> bool | None:
                return None if value is None else fn(value, exp)

            return test_op

        def test_ops(value: Any) -> bool | None:
            if want is not None:
                if (value is not None) != want:
                    return False
                if only_exists:
                    return True
            if value is None:
                return None
            return all(fn(value, exp) for fn, exp in ops)

        return test_ops
    if isinstance(cond, list):
        if cond and all(type(e) is str for e in cond):
            texts = frozenset(cond)

            def test_texts(value: Any) -> bool | None:
                if value is None:
                    return None
                if type(value) is str:
                    return value in texts   # same() of two texts is their equality
                return _one_of(value, cond)

            return test_texts

        def test_list(value: Any) -> bool | None:
            return None if value is None else _one_of(value, cond)

        return test_list
    if type(cond) is str:
        yes_no = _YES_NO.get(cond)

        def test_text(value: Any) -> bool | None:
            if value is None:
                return None
            if isinstance(value, bool):
                return yes_no is value
            return bool(value == cond)

        return test_text

    def test_same(value: Any) -> bool | None:
        return None if value is None else same(value, cond)

    return test_same


def compile_conditions(conditions: Mapping[str, Any],
                       getter: Callable[[str], Callable[[Any], Any]]
                       ) -> Callable[[Any], Decision]:
    """A set of conditions (with ``any:``/``not:``) compiled once into a predicate tree:
    ``predicate(obj)`` gives what ``decide(conditions, lambda name: getter(name)(obj))``
    gives (the same state and undecided names, the values read in the same order and only
    as far as :func:`decide` reads them). ``getter(name)`` is asked once per attribute name,
    at compile time, for the function that reads that attribute of an object."""
    # each part: (attribute name or None, value reader or sub-predicate, test or kind)
    parts: list[tuple[str | None, Callable[[Any], Any], Any]] = []
    for key, cond in conditions.items():
        if key == "any":
            parts.append((None, _compile_any([compile_conditions(item, getter)
                                              for item in cond]), None))
        elif key == "not":
            parts.append((None, _compile_not(compile_conditions(cond, getter)), None))
        else:
            parts.append((key, getter(key), compile_condition(cond)))
    frozen = tuple(parts)

    def predicate(obj: Any) -> Decision:
        undecided: list[str] | None = None
        for key, read, test in frozen:
            if key is not None:
                state = test(read(obj))
                if state is False:
                    return False, []
                if state is None:
                    if undecided is None:
                        undecided = [key]
                    elif key not in undecided:
                        undecided.append(key)
                continue
            state, names = read(obj)
            if state is False:
                return False, []
            if state is None:
                if undecided is None:
                    undecided = []
                undecided.extend(n for n in names if n not in undecided)
        return (None, undecided) if undecided else (True, [])

    return predicate


def _compile_any(subs: list[Callable[[Any], Decision]]) -> Callable[[Any], Decision]:
    def predicate(obj: Any) -> Decision:
        undecided: list[str] = []
        for sub in subs:
            state, names = sub(obj)
            if state is True:
                return True, []
            if state is None:
                undecided.extend(n for n in names if n not in undecided)
        return (None, undecided) if undecided else (False, [])

    return predicate


def _compile_not(sub: Callable[[Any], Decision]) -> Callable[[Any], Decision]:
    def predicate(obj: Any) -> Decision:
        state, names = sub(obj)
        return (None if state is None else not state), names

    return predicate


def _decide_any(sets: list[Mapping[str, Any]], value_of: Callable[[str], Any]
                ) -> tuple[bool | None, list[str]]:
    undecided: list[str] = []
    for item in sets:
        state, names = decide(item, value_of)
        if state is True:
            return True, []
        if state is None:
            undecided.extend(n for n in names if n not in undecided)
    return (None, undecided) if undecided else (False, [])


def holds(conditions: Mapping[str, Any], value_of: Callable[[str], Any]) -> bool:
    """Whether the set certainly holds (an undecided set does not)."""
    return decide(conditions, value_of)[0] is True


def held_names(conditions: Mapping[str, Any], value_of: Callable[[str], Any]) -> list[str]:
    """The attributes whose conditions hold in a set, looking into ``any:`` (not into
    ``not:``): what made an exemption ``not: {...}`` fail, for a note."""
    out: list[str] = []
    for key, cond in conditions.items():
        if key == "any":
            for item in cond:
                if decide(item, value_of)[0] is True:
                    out.extend(n for n in held_names(item, value_of) if n not in out)
        elif key != "not" and matches(value_of(key), cond) is True and key not in out:
            out.append(key)
    return out


def condition_names(conditions: Any) -> list[str]:
    """Every attribute a set of conditions names, at any depth, in the order written."""
    out: list[str] = []
    if not isinstance(conditions, Mapping):
        return out
    for key, cond in conditions.items():
        if key == "any" and isinstance(cond, list):
            for item in cond:
                out.extend(n for n in condition_names(item) if n not in out)
        elif key == "not":
            out.extend(n for n in condition_names(cond) if n not in out)
        elif isinstance(key, str) and key not in out:
            out.append(key)
    return out


def explain_failure(conditions: Mapping[str, Any], value_of: Callable[[str], Any]) -> str | None:
    """Why a set of conditions does not hold, e.g. ``kind: 'footpath' does not meet ∈
    sidewalk``, ``any: none of (rise_cm > 50 | length_m > 10) holds``; ``None`` when it is
    not false."""
    for key, cond in conditions.items():
        if key == "any":
            if _decide_any(cond, value_of)[0] is False:
                return f"any: none of ({' | '.join(describe_set(c) for c in cond)}) holds"
        elif key == "not":
            if decide(cond, value_of)[0] is True:
                return f"not: ({describe_set(cond)}) holds"
        else:
            value = value_of(key)
            if matches(value, cond) is False:
                return f"{key}: {value!r} does not meet {describe(cond)}"
    return None


def describe_set(conditions: Mapping[str, Any]) -> str:
    """A short text of a set of conditions: ``kind = bus & not (swing_in = True)``."""
    parts = []
    for key, cond in conditions.items():
        if key == "any":
            parts.append("any (" + " | ".join(describe_set(c) for c in cond) + ")")
        elif key == "not":
            parts.append(f"not ({describe_set(cond)})")
        else:
            parts.append(f"{key} {describe(cond)}")
    return " & ".join(parts)
