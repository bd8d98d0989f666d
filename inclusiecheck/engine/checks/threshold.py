"""The ``threshold`` check type: a number within limits, optionally chosen from a table.

One range dialect for every limit: ``min`` and ``max`` include the limit itself (``min: 1.5``:
1.50 m passes), ``more_than`` and ``less_than`` exclude it (``less_than: 9``: 9.00 m fails);
``warn_min``/``warn_max`` are stricter targets (below ``warn_min`` or above ``warn_max`` is a
``warn``). Conditions use the vocabulary of ``applies_to.where`` (:mod:`..conditions`, with
``any:`` and ``not:``):

- ``when``: the limits hold only where these conditions hold; elsewhere the feature is
  ``not_applicable`` (an exemption written ``not: {automatic: true}`` is named in the note).
  When ``when`` cannot be decided (a value is missing), a passing value passes and a failing
  one is ``to_verify`` naming the deciding attribute (``unknown: assume_applies``: the fail
  stands, with a note).
- ``limits_by``: a table of rows, each a ``when`` and the limits (or a fixed ``outcome``) that
  apply; the first row whose ``when`` holds decides, and the last row, without ``when``, holds
  otherwise. A row may judge another ``property`` (a parking bay's width or length by its
  arrangement). When a row's ``when`` cannot be decided, the value is judged by that row and
  by the row that would apply otherwise: the same outcome stands (a pass and a warn give the
  warn), different outcomes give ``to_verify`` naming the deciding attribute.
- ``key``: the attribute the table is read by (``rise_cm``, ``arrangement``, ``mode``). It is
  offered to the messages as ``{key_value}``; for a number key also ``{row}`` (the row's
  ``label``, or the key's range such as ``≥ 10 cm & < 25 cm``), ``{limit}`` and ``{target}``.
  A missing key gives ``to_verify`` naming it (``unknown: judge_all``: the value is judged by
  every row the key could choose, as above).

The former ``conditional_threshold``, ``threshold_by_code``, ``mode_threshold`` and ``lookup``
are written this way (``inclusiecheck rules migrate`` rewrites them; they remain as deprecated
aliases), and so is the former ``min_inclusive: false`` (``more_than``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal, Self

from pydantic import Field, field_validator, model_validator

from inclusiecheck.engine.checks.api import (
    CheckContext,
    CheckParams,
    CheckResult,
    as_number,
    check_type,
)
from inclusiecheck.engine.conditions import (
    condition_names,
    decide,
    describe_set,
    held_names,
    validate_conditions,
)
from inclusiecheck.model import Feature, Outcome
from inclusiecheck.model.labels import label, unit_of, value_label

NL_EN = dict[str, str]
LIMIT_KEYS = ("min", "max", "more_than", "less_than", "warn_min", "warn_max")
_OPS = (("gt", ">"), ("gte", "≥"), ("lt", "<"), ("lte", "≤"))


class _Limits:
    """The limits of the one range dialect (shared by the rule and its table rows):
    ``min``, ``max``, ``more_than``, ``less_than``, ``warn_min``, ``warn_max``."""

    if TYPE_CHECKING:  # fields of the models that use it (declared there, in their order)
        min: float | None
        max: float | None
        more_than: float | None
        less_than: float | None
        warn_min: float | None
        warn_max: float | None

    def has_limits(self) -> bool:
        return any(getattr(self, k) is not None for k in LIMIT_KEYS)

    def bounds(self) -> tuple[float | None, bool, float | None, bool]:
        """``(lower, lower inclusive, upper, upper inclusive)``."""
        lower, lower_incl = (self.min, True) if self.min is not None else (self.more_than, False)
        upper, upper_incl = (self.max, True) if self.max is not None else (self.less_than, False)
        return lower, lower_incl, upper, upper_incl

    def _check_limits(self, where: str) -> None:
        if self.min is not None and self.more_than is not None:
            raise ValueError(f"{where}give min (at least) or more_than, not both")
        if self.max is not None and self.less_than is not None:
            raise ValueError(f"{where}give max (at most) or less_than, not both")
        lower, _, upper, _ = self.bounds()
        if lower is not None and upper is not None and lower > upper:
            raise ValueError(f"{where}the lower limit {lower:g} is above the upper limit "
                             f"{upper:g}")


class LimitsRow(CheckParams, _Limits):
    """One row of a ``limits_by`` table: ``when`` it applies (no ``when``: the last row, which
    holds otherwise), and the limits of the row, or an ``outcome`` without limits
    (``not_applicable``: no requirement here; ``to_verify``: no reference figure); ``property``
    and ``unit`` when the row judges another number; ``label`` names the row in messages;
    ``note`` is added to the row's findings (``{key_value}`` is replaced by the key's value)."""

    when: dict[str, Any] | None = None
    property: str | None = None
    unit: str | None = None
    min: float | None = None
    max: float | None = None
    more_than: float | None = None
    less_than: float | None = None
    warn_min: float | None = None
    warn_max: float | None = None
    outcome: Literal["not_applicable", "to_verify", "pass", "fail"] | None = None
    label: str | None = None
    note: NL_EN | None = None

    @field_validator("when")
    @classmethod
    def _when(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None:
            if not value:
                raise ValueError("an empty when: leave it out for the last row (otherwise)")
            validate_conditions(value)
        return value

    @field_validator("note")
    @classmethod
    def _note(cls, value: NL_EN | None) -> NL_EN | None:
        if value is not None and set(value) != {"nl", "en"}:
            raise ValueError("note needs exactly the keys nl and en")
        return value

    @model_validator(mode="after")
    def _row(self) -> LimitsRow:
        self._check_limits("")
        if self.outcome is not None and self.has_limits():
            raise ValueError(f"a row gives limits or an outcome ({self.outcome}), not both")
        if self.outcome is None and not self.has_limits():
            raise ValueError("a row needs limits (min, max, more_than, less_than, warn_min, "
                             "warn_max) or an outcome (not_applicable, to_verify, pass, fail)")
        return self


class ThresholdParams(CheckParams, _Limits):
    """``property`` within the limits (``min``/``max`` include the limit, ``more_than``/
    ``less_than`` exclude it; ``warn_min``/``warn_max`` give ``warn``), where ``when`` holds;
    or within the limits of the first row of ``limits_by`` whose ``when`` holds (the last row,
    without ``when``, holds otherwise), read by ``key``. ``unknown``: what a missing ``key``
    gives (``to_verify``, or ``judge_all``: judged by every row it could choose) and what an
    undecided ``when`` does to a fail (``to_verify``, or ``assume_applies``: the fail stands).
    ``min_inclusive``/``max_inclusive`` are deprecated: write ``more_than``/``less_than``."""

    property: str | None = None
    min: float | None = None
    max: float | None = None
    more_than: float | None = None
    less_than: float | None = None
    warn_min: float | None = None
    warn_max: float | None = None
    unit: str | None = None
    when: dict[str, Any] = Field(default_factory=dict)
    key: str | None = None
    limits_by: list[LimitsRow] = Field(default_factory=list)
    unknown: Literal["to_verify", "judge_all", "assume_applies"] = "to_verify"
    min_inclusive: bool | None = Field(default=None, json_schema_extra={"deprecated": True})
    max_inclusive: bool | None = Field(default=None, json_schema_extra={"deprecated": True})

    _w = field_validator("when")(classmethod(lambda cls, v: validate_conditions(v)))

    @model_validator(mode="before")
    @classmethod
    def _old_parameters(cls, data: Any) -> Any:
        """A parameter of a deprecated type (an override written for the rule before it was
        migrated): say what it became instead of only "unknown key"."""
        if isinstance(data, dict):
            from inclusiecheck.engine.migrate import OLD_PARAMS

            old = [k for k in data if k in OLD_PARAMS]
            if old:
                kind = OLD_PARAMS[old[0]]
                raise ValueError(
                    f"{old[0]} is a parameter of the deprecated {kind}; threshold writes it as "
                    + ("when (with any: and not:)" if kind == "conditional_threshold" else
                       "a limits_by table read by key") + ": write the whole rule with "
                    "`inclusiecheck rules migrate`, or the override in the new form")
        return data

    def bounds(self) -> tuple[float | None, bool, float | None, bool]:
        lower, lower_incl, upper, upper_incl = super().bounds()
        if self.min is not None and self.min_inclusive is False:
            lower_incl = False
        if self.max is not None and self.max_inclusive is False:
            upper_incl = False
        return lower, lower_incl, upper, upper_incl

    @model_validator(mode="after")
    def _limits(self) -> ThresholdParams:
        self._check_limits("")
        if not self.limits_by:
            if self.property is None:
                raise ValueError("threshold needs property (the number judged)")
            if self.min is None and self.max is None and self.more_than is None \
                    and self.less_than is None:
                raise ValueError("threshold needs a limit: min, max, more_than or less_than "
                                 "(or a limits_by table)")
            if self.key is not None:
                raise ValueError("key names the attribute a limits_by table is read by; "
                                 "give limits_by or leave key out")
            return self
        if self.has_limits():
            given = ", ".join(k for k in LIMIT_KEYS if getattr(self, k) is not None)
            raise ValueError(f"with limits_by, write the limits in its rows ({given} given "
                             "here): the last row, without when, holds otherwise")
        *rows, last = self.limits_by
        if last.when is not None:
            raise ValueError("limits_by: the last row has no when: it holds otherwise (write "
                             "its limits, or outcome: not_applicable)")
        for i, row in enumerate(rows):
            if row.when is None:
                raise ValueError(f"limits_by row {i + 1} has no when: only the last row may "
                                 "leave it out (the rows after it could never apply)")
            if self.key is not None and self.key not in condition_names(row.when):
                raise ValueError(f"limits_by row {i + 1}: its when does not name the key "
                                 f"{self.key!r}")
        for i, row in enumerate(self.limits_by):
            if row.outcome is None and (row.property or self.property) is None:
                raise ValueError(f"limits_by row {i + 1} has limits but no property: give "
                                 "property on the row or for the whole table")
        return self

    def rows(self) -> list[LimitsRow]:
        """The table, or the one implicit row of the rule's own limits (made once per
        parameters: they are frozen, and a check asks for every feature)."""
        return list(self._rows)

    def model_copy(self, *, update: Mapping[str, Any] | None = None,
                   deep: bool = False) -> Self:
        """Pydantic's copy, without the rows made for this object when ``update`` changes
        fields (they would hold its limits)."""
        copied = super().model_copy(update=update, deep=deep)
        if update:
            copied.__dict__.pop("_rows", None)
        return copied

    @cached_property
    def _rows(self) -> tuple[LimitsRow, ...]:
        if self.limits_by:
            return tuple(self.limits_by)
        lower, lower_incl, upper, upper_incl = self.bounds()
        return (LimitsRow.model_construct(
            when=None, property=self.property, unit=self.unit, outcome=None, label=None,
            note=None, min=lower if lower_incl else None,
            more_than=None if lower_incl else lower, max=upper if upper_incl else None,
            less_than=None if upper_incl else upper, warn_min=self.warn_min,
            warn_max=self.warn_max),)


@check_type("threshold", params=ThresholdParams)
def threshold(feature: Feature, params: ThresholdParams, ctx: CheckContext) -> CheckResult:
    """A number within limits, where conditions hold, or by a table of limits."""

    def value_of(name: str) -> Any:
        return ctx.value(feature, name)

    key_value = None
    key_undecided = False
    if params.key is not None:
        key_value = value_of(params.key)
        if key_value is None:
            if params.unknown == "to_verify":
                names = [params.key]
                if params.property and as_number(value_of(params.property)) is None:
                    names.append(params.property)
                return ctx.missing(*names, property=params.property)
            key_undecided = True
    undecided_when: list[str] = []
    if params.when:
        state, names = decide(params.when, value_of)
        if state is False:
            return CheckResult(Outcome.NOT_APPLICABLE, params.property,
                               note=_exemption(params.when, value_of))
        undecided_when = names
    alternatives: list[LimitsRow] = []
    undecided: list[str] = []
    for row in params.rows():
        state, names = (True, []) if row.when is None else decide(row.when, value_of)
        if state is False:
            continue
        alternatives.append(row)
        if state is True:
            break
        undecided.extend(n for n in names if n not in undecided)
    results = [_judge_row(feature, params, row, ctx, key_value) for row in alternatives]
    missing = [n for row, r in zip(alternatives, results, strict=True) if row.outcome is None
               and r.outcome is Outcome.TO_VERIFY for n in r.missing]
    if missing:  # a row's own condition matters only once the value is known; the key does
        deciding = undecided if key_undecided else []
        return ctx.missing(*dict.fromkeys([*missing, *deciding, *undecided_when]))
    result = _combine(params, alternatives, results, undecided, key_undecided)
    if undecided_when and result.outcome is Outcome.FAIL:
        which = ", ".join(undecided_when)
        if params.unknown == "assume_applies":
            return CheckResult(Outcome.FAIL, result.property, result.measured, result.required,
                               result.unit, data=result.data, note={
                "nl": f"aangenomen dat de eis geldt ({which} niet opgegeven)",
                "en": f"assumed that the requirement applies ({which} not given)"})
        return CheckResult(Outcome.TO_VERIFY, result.property, result.measured, result.required,
                           result.unit, missing=tuple(undecided_when), data=result.data,
                           note={"nl": f"voldoet niet als de eis geldt; {which} beslist dat",
                                 "en": f"fails if the requirement applies; {which} decides that"})
    return result


def _exemption(when: dict[str, Any], value_of: Callable[[str], Any]) -> NL_EN | None:
    """The note of a feature ``when`` excludes through a ``not:`` (an exemption): what held."""
    for key, cond in when.items():
        if decide({key: cond}, value_of)[0] is False:
            if key != "not":
                return None
            held = ", ".join(held_names(cond, value_of))
            return {"nl": f"vrijgesteld ({held})", "en": f"exempt ({held})"}
    return None


def _key_data(params: ThresholdParams, key_value: Any) -> Any:
    if key_value is None or params.key is None:
        return None
    number = as_number(key_value)
    return number if number is not None and not isinstance(key_value, str) else str(key_value)


def _judge_row(feature: Feature, params: ThresholdParams, row: LimitsRow, ctx: CheckContext,
               key_value: Any) -> CheckResult:
    prop = row.property or params.property
    unit = row.unit or params.unit
    kv = _key_data(params, key_value)
    if row.outcome is not None:
        return _outcome_row(feature, params, row, ctx, prop, unit, kv)
    assert prop is not None  # validated: a row with limits has a property
    value = as_number(ctx.value(feature, prop))
    if value is None:
        return ctx.missing(prop)
    sign_data, sign_note = ctx.sign_note(feature, prop)
    lower, lower_incl, upper, upper_incl = row.bounds()
    data: dict[str, Any] = {"source": ctx.source_of(feature, prop), **sign_data}
    if params.key is not None:
        data.update({"key": params.key, "key_value": kv})
        if isinstance(kv, float):
            data.update({"row": _row_text(params, row),
                         "limit": upper if upper is not None else lower,
                         "target": row.warn_max if row.warn_max is not None else row.warn_min})
    return ctx.compare(prop, value, min_value=lower, max_value=upper, min_inclusive=lower_incl,
                       max_inclusive=upper_incl, warn_min=row.warn_min, warn_max=row.warn_max,
                       unit=unit, note=_notes(_row_note(row, kv), sign_note), data=data)


def _outcome_row(feature: Feature, params: ThresholdParams, row: LimitsRow, ctx: CheckContext,
                 prop: str | None, unit: str | None, kv: Any) -> CheckResult:
    """A row without limits: its outcome, with the value (or, when the table gives no
    property for it, the key and the codes the table does judge)."""
    outcome = Outcome(row.outcome)
    note = _row_note(row, kv)
    if prop is None:
        codes = _codes(params)
        return CheckResult(outcome, params.key, kv, ", ".join(codes) if codes else None,
                           note=note)
    value = as_number(ctx.value(feature, prop))
    sign_data, sign_note = ctx.sign_note(feature, prop)
    data: dict[str, Any] = {"key": params.key, "key_value": kv} if params.key else {}
    missing: tuple[str, ...] = ()
    if outcome is Outcome.TO_VERIFY:
        missing = (prop,) if value is None else ("reference",)
    return CheckResult(outcome, prop, value, None, unit, missing=missing,
                       note=_notes(note, sign_note), data={**data, **sign_data})


def _combine(params: ThresholdParams, alternatives: list[LimitsRow], results: list[CheckResult],
             undecided: list[str], key_undecided: bool) -> CheckResult:
    """One result from the rows a feature may fall under (the last is the row that applies
    when the undecided ones do not)."""
    chosen = results[-1]
    outcomes = {r.outcome for r in results}
    if len(outcomes) == 1:
        return chosen
    if outcomes <= {Outcome.PASS, Outcome.WARN}:
        return chosen if chosen.outcome is Outcome.WARN else next(
            r for r in results if r.outcome is Outcome.WARN)
    rows, ordered = alternatives, results
    if key_undecided:  # the general limit first, then the exceptions by key
        rows, ordered = [alternatives[-1], *alternatives[:-1]], [results[-1], *results[:-1]]
    strictest = next((r for r in ordered if r.outcome is Outcome.FAIL), ordered[0])
    if key_undecided and params.key is not None:
        key = params.key
        table = {lang: "; ".join(f"{_row_name(params, row, lang)}: "
                                 f"{_limit_text(row, params, lang)}" for row in rows)
                 for lang in ("nl", "en")}
        note = {"nl": f"de grens hangt af van: {label(key, 'nl')} ({table['nl']})",
                "en": f"the limit depends on: {label(key, 'en')} ({table['en']})"}
    else:
        names = ", ".join(undecided)
        note = {"nl": f"de grens hangt af van {names}", "en": f"the limit depends on {names}"}
    return CheckResult(Outcome.TO_VERIFY, strictest.property, strictest.measured,
                       strictest.required, strictest.unit, missing=tuple(undecided),
                       data=strictest.data, note=note)


# -- texts ------------------------------------------------------------------------------------
def _notes(*notes: NL_EN | None) -> NL_EN | None:
    given = [n for n in notes if n]
    if not given:
        return None
    return {lang: "; ".join(n[lang] for n in given) for lang in ("nl", "en")}


def _row_note(row: LimitsRow, kv: Any) -> NL_EN | None:
    if row.note is None:
        return None
    shown = "" if kv is None else f"{kv:g}" if isinstance(kv, float) else str(kv)
    return {lang: text.replace("{key_value}", shown) for lang, text in row.note.items()}


def _key_condition(params: ThresholdParams, row: LimitsRow) -> Any:
    if params.key is None or row.when is None:
        return None
    return row.when.get(params.key)


def _row_text(params: ThresholdParams, row: LimitsRow) -> str:
    """The row's label, or the range of the key it covers: ``≥ 10 cm & < 25 cm``."""
    if row.label:
        return row.label
    cond = _key_condition(params, row)
    if isinstance(cond, dict) and set(cond) <= {op for op, _ in _OPS}:
        u = unit_of(params.key or "")
        unit = f" {u}" if u else ""
        return " & ".join(f"{sym} {cond[op]:g}{unit}" for op, sym in _OPS if op in cond)
    return describe_set(row.when) if row.when else ""


def _codes(params: ThresholdParams) -> list[str]:
    """The key's codes the table names, in order (``perpendicular, angled``)."""
    out: list[str] = []
    for row in params.limits_by:
        cond = _key_condition(params, row)
        items: Iterable[Any] = ()
        if isinstance(cond, list):
            items = cond
        elif isinstance(cond, dict) and isinstance(cond.get("in"), list):
            items = cond["in"]
        elif isinstance(cond, dict) and "eq" in cond:
            items = [cond["eq"]]
        elif cond is not None and not isinstance(cond, dict):
            items = [cond]
        out.extend(str(c) for c in items if str(c) not in out)
    return out


def _row_name(params: ThresholdParams, row: LimitsRow, lang: str) -> str:
    """How a table note names a row: its codes' labels, its label, or ``otherwise``."""
    if row.when is None:
        return "anders" if lang == "nl" else "otherwise"
    if row.label:
        return row.label
    cond = _key_condition(params, row)
    codes = cond if isinstance(cond, list) else [cond] if isinstance(cond, str) else None
    if codes and len(row.when) == 1:
        return ", ".join(value_label(params.key, c, lang) or str(c) for c in codes)
    return _row_text(params, row)


_OUTCOME_TEXT = {"not_applicable": ("geen eis", "no requirement"),
                 "to_verify": ("geen referentiewaarde", "no reference value"),
                 "pass": ("toegelaten", "allowed"), "fail": ("niet toegelaten", "not allowed")}


def _limit_text(row: LimitsRow, params: ThresholdParams, lang: str) -> str:
    """``≥ 90 cm``, ``≥ 3.5 m ≤ 6 m``: the limits of a row for a note."""
    if row.outcome is not None:
        return _OUTCOME_TEXT[row.outcome][0 if lang == "nl" else 1]
    unit = row.unit or params.unit
    u = f" {unit}" if unit else ""
    lower, lower_incl, upper, upper_incl = row.bounds()
    parts = []
    if lower is not None:
        parts.append(f"{'≥' if lower_incl else '>'} {lower:g}{u}")
    if upper is not None:
        parts.append(f"{'≤' if upper_incl else '<'} {upper:g}{u}")
    return " ".join(parts)
