"""Attribute names in rules, checked against the data profile (``rules validate``).

Every attribute a rule names - in ``applies_to.where``, in ``applies_to.plan`` (plan
metadata), and in the check parameters that name attributes (``property``, ``key``, lookup
rows, criteria, ``where``-like conditions; see :data:`ATTRIBUTE_PARAMS`) - is looked up on
the rule's layers in the profile (:data:`~inclusiecheck.model.profile.LAYER_MODELS`), the
derived values (:data:`~inclusiecheck.engine.scopes.DERIVED`) and the named measures
(:data:`~inclusiecheck.engine.measures.MEASURES`). Its conditions are checked against its
kind: a boolean is compared with ``true``/``false`` (not ``"yes"``), a code with one of its
codes.

An unknown name is a warning (it may be a custom attribute of the plan: declare it under
``attributes:`` in ``ruleset.yaml`` to silence the warning), but an error when it is a
near-miss of a known one (``backrset`` for ``backrest``): a misspelt attribute silently
makes every feature not applicable.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inclusiecheck.engine.schema import Rule
from inclusiecheck.engine.yamlio import line_of
from inclusiecheck.model.feature import PlanMeta
from inclusiecheck.model.profile import LAYER_MODELS, allowed_codes, attribute_kind

#: a name counts as a misspelling of a known one at this similarity (difflib ratio)
NEAR_MISS = 0.85

#: kinds of derived values that are no attribute of the layer they are derived for
_DERIVED_KINDS = {"indoor": "boolean"}

#: Check parameters that name attributes, per check type: ``(path, role, layers)``.
#: ``path``: keys into the parameters, ``*`` for every item of a list; ``role``: ``name``
#: (one attribute), ``number`` (one attribute that the check compares as a number: a
#: true/false, code or text attribute there is an error), ``names`` (a list), ``key_names`` (a mapping keyed by attribute),
#: ``where`` (``{attribute: condition}``), ``criterion`` (an item with ``property`` and
#: ``condition``), ``codes:<param>`` (values of the attribute named by ``<param>``),
#: ``code_keys:<param>`` (a mapping keyed by those values), ``layer_names`` (``{layer:
#: attribute}``), ``layer_where`` (``{layer: conditions}``). ``layers``: ``rule`` (the
#: rule's layers) or the parameter that lists the layers (``layers``, ``hosts``, ...).
ATTRIBUTE_PARAMS: dict[str, tuple[tuple[tuple[str, ...], str, str], ...]] = {
    "threshold": ((("property",), "number", "rule"), (("key",), "name", "rule"),
                  (("when",), "where", "rule"),
                  (("limits_by", "*", "when"), "where", "rule"),
                  (("limits_by", "*", "property"), "name", "rule")),
    "conditional_threshold": ((("property",), "number", "rule"),
                              (("when_any",), "where", "rule"),
                              (("exempt_when",), "where", "rule")),
    "enumeration": ((("property",), "name", "rule"),
                    (("allowed",), "codes:property", "rule"),
                    (("forbidden",), "codes:property", "rule"),
                    (("warn",), "codes:property", "rule")),
    "presence": ((("property",), "name", "rule"),),
    "lookup": ((("property",), "number", "rule"), (("key",), "name", "rule"),
               (("rows", "*", "where"), "where", "rule")),
    "criteria": ((("criteria", "*"), "criterion", "rule"),
                 (("criteria", "*", "when"), "where", "rule")),
    "mode_threshold": ((("property",), "number", "rule"), (("mode_property",), "name", "rule"),
                       (("modes",), "code_keys:mode_property", "rule")),
    "threshold_by_code": ((("key",), "name", "rule"), (("limits",), "code_keys:key", "rule")),
    "stair_step_rule": ((("riser",), "number", "rule"), (("tread",), "number", "rule")),
    "room_size": ((("width",), "number", "rule"), (("length",), "number", "rule")),
    "parking_count": ((("total",), "name", "rule"), (("count",), "name", "rule")),
    "access_path_width": ((("property",), "number", "rule"),),
    "level_difference": ((("property",), "name", "rule"),),
    "attribute_or_nearby": ((("property",), "name", "rule"), (("where",), "where", "layers")),
    "alternative_within": ((("where",), "where", "layers"), (("not_true",), "names", "layers")),
    "nearest": ((("where",), "where", "layers"),),
    "toilet_coverage": ((("source_where",), "where", "source_layer"),),
    "rest_gaps": ((("route_where",), "where", "walkway"),),
    "free_height_over": ((("where",), "where", "hosts"),
                         (("properties",), "layer_names", "-"),
                         (("required_where",), "layer_where", "-")),
}
#: parameter defaults that name layers (when the rule leaves the parameter out)
_LAYER_DEFAULTS = {"hosts": ("walkway",), "source_layer": ("toilet",), "walkway": ("walkway",)}


@dataclass(frozen=True, slots=True)
class AttributeProblem:
    """A name problem: where (keys into ``rule.yaml``), the text, and whether it is an error."""

    loc: tuple[str | int, ...]
    message: str
    error: bool


def _one_edit(a: str, b: str) -> bool:
    """Whether ``a`` becomes ``b`` by one insertion, deletion, substitution or swap of two
    neighbouring letters."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))


def near_misses(name: str, known: Iterable[str]) -> list[str]:
    """Known names ``name`` is a misspelling of: one edit away (names of 3 letters or more),
    or as similar as :data:`NEAR_MISS`; the closest first."""
    names = list(known)
    close = [k for k in names if len(name) >= 3 and _one_edit(name, k)]
    close += [k for k in difflib.get_close_matches(name, names, n=3, cutoff=NEAR_MISS)
              if k not in close]
    return close


@functools.cache
def known_on(layer: str) -> dict[str, str]:
    """Every name a rule may use on ``layer``: attribute -> kind (``number``, ``integer``,
    ``boolean``, ``code``, ``text``; ``measure`` for a named measure)."""
    from inclusiecheck.engine.measures import MEASURES
    from inclusiecheck.engine.scopes import DERIVED

    names: dict[str, str] = {}
    if layer in LAYER_MODELS:
        names.update({name: attribute_kind(layer, name)
                      for name in LAYER_MODELS[layer].model_fields})
    for name, derived in DERIVED.items():
        if layer in derived.layers and name not in names:
            names[name] = _DERIVED_KINDS.get(name) or _kind_anywhere(name) or "measure"
    for name, measure in MEASURES.items():
        if (not measure.layers or layer in measure.layers) and name not in names:
            names[name] = "measure"
    return names


def _kind_anywhere(name: str) -> str | None:
    for layer, model in LAYER_MODELS.items():
        if name in model.model_fields:
            return attribute_kind(layer, name)
    return None


def _codes(layers: Iterable[str], name: str) -> tuple[str, ...] | None:
    """The codes of ``name`` on the first of ``layers`` (or any layer) that has it."""
    for layer in [*layers, *LAYER_MODELS]:
        if layer in LAYER_MODELS and name in LAYER_MODELS[layer].model_fields:
            codes = allowed_codes(layer, name)
            if codes is not None:
                return codes
    return None


@functools.cache
def _all_names() -> frozenset[str]:
    out: set[str] = set()
    for layer in LAYER_MODELS:
        out.update(known_on(layer))
    return frozenset(out)


class _Checker:
    def __init__(self, rule: Rule, declared: Iterable[str]) -> None:
        self.rule = rule
        self.declared = frozenset(declared)
        self.problems: list[AttributeProblem] = []

    # -- names ---------------------------------------------------------------------------
    def name(self, loc: tuple[str | int, ...], name: Any, layers: tuple[str, ...],
             cond: Any = None, has_cond: bool = False,
             cond_loc: tuple[str | int, ...] | None = None, numeric: str | None = None) -> None:
        """Check one attribute name (and its condition, when given) on ``layers``;
        ``numeric``: the check type that compares its value as a number."""
        if not isinstance(name, str) or not layers:
            return
        known: dict[str, str] = {}
        for layer in layers:
            for attr, kind in known_on(layer).items():
                known.setdefault(attr, kind)
        if name in known:
            if numeric and known[name] in _KIND_TEXT:
                self.problems.append(AttributeProblem(
                    loc, f"{name} is {_KIND_TEXT[known[name]]}: {numeric} compares numbers "
                         "(every feature would be to verify)", True))
            if has_cond:
                self.condition(cond_loc or loc, name, known[name], cond, layers)
            return
        if name in self.declared:
            return
        where = "/".join(layers)
        close = near_misses(name, known)
        if close:
            self.problems.append(AttributeProblem(
                loc, f"unknown attribute {name!r} of {where}; did you mean {close[0]!r}?", True))
            return
        other = [layer for layer in LAYER_MODELS if name in known_on(layer)]
        hint = (f"; it is an attribute of {', '.join(other)}" if other else
                "; declare custom attributes under 'attributes:' in ruleset.yaml")
        near = difflib.get_close_matches(name, sorted(_all_names()), n=1, cutoff=0.75)
        if not other and near:
            hint = f"; did you mean {near[0]!r}?{hint}"
        self.problems.append(AttributeProblem(
            loc, f"{name!r} is not an attribute, derived value or measure of {where}{hint}",
            False))

    def condition(self, loc: tuple[str | int, ...], name: str, kind: str, cond: Any,
                  layers: tuple[str, ...]) -> None:
        """A condition's values must be of the attribute's kind."""
        if isinstance(cond, dict):
            values = []
            for op, expected in cond.items():
                if op == "exists":
                    continue
                if op in ("gt", "gte", "lt", "lte"):
                    if kind in ("boolean", "code", "text"):
                        self.problems.append(AttributeProblem(
                            loc, f"{name} is {_KIND_TEXT[kind]}: {op} compares numbers", True))
                    continue
                values.extend(expected if isinstance(expected, list) else [expected])
        else:
            values = cond if isinstance(cond, list) else [cond]
        for value in values:
            self.value(loc, name, kind, value, layers)

    def value(self, loc: tuple[str | int, ...], name: str, kind: str, value: Any,
              layers: tuple[str, ...]) -> None:
        if value is None or kind in ("measure", "text"):
            return
        if kind == "boolean":
            if not isinstance(value, bool):
                hint = ""
                if isinstance(value, str) and value.lower() in ("yes", "ja", "true", "no",
                                                                 "nee", "false"):
                    word = "true" if value.lower() in ("yes", "ja", "true") else "false"
                    hint = f"; write {word} (without quotes)"
                self.problems.append(AttributeProblem(
                    loc, f"{name} is true/false, not {value!r}{hint}", True))
        elif kind in ("number", "integer"):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                self.problems.append(AttributeProblem(
                    loc, f"{name} is a number, not {value!r}", True))
        elif kind == "code":
            codes = _codes(layers, name) or ()
            if isinstance(value, bool) and {"yes", "no"} <= set(codes):
                return   # true/false read as yes/no (conditions.same)
            if not isinstance(value, str) or value not in codes:
                close = difflib.get_close_matches(str(value), list(codes), n=1, cutoff=0.6)
                hint = f"did you mean {close[0]!r}? " if close else ""
                self.problems.append(AttributeProblem(
                    loc, f"{name} has no code {value!r}; {hint}codes: {', '.join(codes)}", True))

    def where(self, loc: tuple[str | int, ...], conditions: Any, layers: tuple[str, ...]) -> None:
        """A set of conditions ``{attribute: condition}``, walking into ``any:`` and ``not:``."""
        if not isinstance(conditions, dict):
            return
        for name, cond in conditions.items():
            if name == "any" and isinstance(cond, list):
                for i, item in enumerate(cond):
                    self.where((*loc, "any", i), item, layers)
            elif name == "not" and isinstance(cond, dict):
                self.where((*loc, "not"), cond, layers)
            else:
                self.name((*loc, name), name, layers, cond, True)


_KIND_TEXT = {"boolean": "true/false", "code": "a code", "text": "a text"}


def _walk(data: Any, path: tuple[str, ...], loc: tuple[str | int, ...]
          ) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """``(loc, value)`` of every node at ``path`` (``*``: each list item)."""
    if not path:
        yield loc, data
        return
    head, rest = path[0], path[1:]
    if head == "*":
        if isinstance(data, list):
            for i, item in enumerate(data):
                yield from _walk(item, rest, (*loc, i))
        return
    if isinstance(data, dict) and head in data:
        yield from _walk(data[head], rest, (*loc, head))


def _as_layers(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(v for v in value if isinstance(v, str))
    return ()


def attribute_params_of(check_type: str) -> tuple[tuple[tuple[str, ...], str, str], ...]:
    """The entries of :data:`ATTRIBUTE_PARAMS` for a check type; a plugin's check type
    declares its own as ``attribute_params`` on its parameter model (same form)."""
    if check_type in ATTRIBUTE_PARAMS:
        return ATTRIBUTE_PARAMS[check_type]
    from inclusiecheck.engine.checks import registry

    check = registry().get(check_type)
    declared = getattr(check.params, "attribute_params", ()) if check is not None else ()
    return tuple(declared) if isinstance(declared, (tuple, list)) else ()


def attribute_problems(rule: Rule, declared: Iterable[str] = (),
                       params: dict[str, Any] | None = None) -> list[AttributeProblem]:
    """Problems of the attribute names ``rule`` uses (``params``: the check parameters, when
    an override changed them)."""
    checker = _Checker(rule, declared)
    layers = tuple(layer for layer in rule.applies_to.layers if layer in LAYER_MODELS)
    checker.where(("applies_to", "where"), rule.applies_to.where, layers)
    plan_fields = PlanMeta.model_fields
    for name in rule.applies_to.plan:
        if name in plan_fields or name in checker.declared:
            continue
        close = near_misses(name, plan_fields)
        loc: tuple[str | int, ...] = ("applies_to", "plan", name)
        if close:
            checker.problems.append(AttributeProblem(
                loc, f"unknown plan field {name!r}; did you mean {close[0]!r}?", True))
        else:
            checker.problems.append(AttributeProblem(
                loc, f"{name!r} is not a plan.yaml field ({', '.join(plan_fields)}); declare "
                     "custom fields under 'attributes:' in ruleset.yaml", False))
    params = dict(rule.check.params if params is None else params)
    base = ("check", "params")
    _quoted_limits(checker, params, base)
    for path, role, layer_param in attribute_params_of(rule.check.type):
        on: tuple[str, ...]
        if layer_param == "rule":
            on = layers
        else:
            on = _as_layers(params.get(layer_param)) or _LAYER_DEFAULTS.get(layer_param, ())
            on = tuple(layer for layer in on if layer in LAYER_MODELS)
        for loc, value in _walk(params, path, base):
            if role == "name":
                checker.name(loc, value, on)
            elif role == "number":
                checker.name(loc, value, on, numeric=rule.check.type)
            elif role == "names":
                for i, item in enumerate(value if isinstance(value, list) else []):
                    checker.name((*loc, i), item, on)
            elif role == "where":
                checker.where(loc, value, on)
            elif role == "criterion" and isinstance(value, dict):
                checker.name((*loc, "property"), value.get("property"), on,
                             value.get("condition"), "condition" in value, (*loc, "condition"))
            elif role.startswith(("codes:", "code_keys:")):
                attr = params.get(role.split(":", 1)[1])
                if not isinstance(attr, str) or not isinstance(value, (list, dict)):
                    continue
                kind = known_on_any(on, attr)
                if kind != "code":
                    continue
                items = list(value) if isinstance(value, dict) else value
                for i, item in enumerate(items):
                    sub = (*loc, item) if isinstance(value, dict) else (*loc, i)
                    checker.value(sub, attr, kind, item, on)
            elif role == "layer_names" and isinstance(value, dict):
                for layer, attr in value.items():
                    if layer in LAYER_MODELS:
                        checker.name((*loc, layer), attr, (layer,))
            elif role == "layer_where" and isinstance(value, dict):
                for layer, conds in value.items():
                    if layer in LAYER_MODELS:
                        checker.where((*loc, layer), conds, (layer,))
    return checker.problems


#: the limits of the threshold dialect (a row of ``limits_by`` has the same)
_LIMIT_KEYS = frozenset(("min", "max", "more_than", "less_than", "warn_min", "warn_max"))


def _quoted_limits(checker: _Checker, params: dict[str, Any],
                   base: tuple[str | int, ...]) -> None:
    """A limit written as text (``min: "45"``) is an error, as a quoted number in a condition
    is: the schema would read it, but the rule file should say what it means."""
    def visit(value: Any, loc: tuple[str | int, ...]) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in ("when", "where"):
                    continue   # conditions: checked against the attribute's kind
                if key in _LIMIT_KEYS and isinstance(item, str):
                    checker.problems.append(AttributeProblem(
                        (*loc, key), f"{key} is a number, not {item!r}; write it without "
                                     "quotes", True))
                else:
                    visit(item, (*loc, key))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                visit(item, (*loc, i))

    visit(params, base)


def known_on_any(layers: Iterable[str], name: str) -> str | None:
    for layer in layers:
        kind = known_on(layer).get(name)
        if kind is not None:
            return kind
    return None


def problems_with_lines(rule: Rule, path: Path, declared: Iterable[str] = ()
                        ) -> list[tuple[int | None, str, bool]]:
    """``(line, message, is_error)`` of each attribute problem of the rule in ``path``."""
    out = []
    for problem in attribute_problems(rule, declared):
        where = ".".join(str(p) for p in problem.loc)
        out.append((line_of(path, problem.loc), f"{where}: {problem.message}", problem.error))
    return out
