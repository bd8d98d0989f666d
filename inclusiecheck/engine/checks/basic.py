"""Built-in attribute check types: enumeration, presence, criteria, parking_count and manual,
and the deprecated ``lookup`` (a ``threshold`` with ``limits_by``: see
:mod:`inclusiecheck.engine.checks.threshold`). Each is written against the public check-type
API."""

from __future__ import annotations

import math
from typing import Any, Literal
from collections.abc import Iterable

from pydantic import Field, field_validator, model_validator

from inclusiecheck.engine.checks.api import CheckContext, CheckParams, CheckResult, check_type
from inclusiecheck.engine.conditions import (
    COMBINATORS,
    decide,
    describe,
    describe_set,
    matches,
    same,
    validate_condition,
    validate_conditions,
)
from inclusiecheck.engine.schema import Text
from inclusiecheck.model import Feature, Outcome


# --------------------------------------------------------------------------------------------
class LookupRow(CheckParams):
    """A row applies when the key is ``> gt``/``>= gte`` and ``<= lte``/``< lt`` and the
    feature meets ``where`` (e.g. ``{indoor: false}`` for a row that only holds outdoors)."""

    gt: float | None = None
    gte: float | None = None
    lt: float | None = None
    lte: float | None = None
    min: float | None = None
    max: float | None = None
    warn_min: float | None = None
    warn_max: float | None = None
    label: str | None = None
    where: dict[str, Any] = Field(default_factory=dict)

    _w = field_validator("where")(classmethod(lambda cls, v: validate_conditions(v)))

    def contains(self, key: float) -> bool:
        if self.gt is not None and not key > self.gt:
            return False
        if self.gte is not None and not key >= self.gte:
            return False
        if self.lt is not None and not key < self.lt:
            return False
        if self.lte is not None and not key <= self.lte:
            return False
        return True

    def describe(self, unit: str | None) -> str:
        parts = []
        u = f" {unit}" if unit else ""
        if self.gt is not None:
            parts.append(f"> {self.gt:g}{u}")
        if self.gte is not None:
            parts.append(f"≥ {self.gte:g}{u}")
        if self.lt is not None:
            parts.append(f"< {self.lt:g}{u}")
        if self.lte is not None:
            parts.append(f"≤ {self.lte:g}{u}")
        return self.label or " & ".join(parts)


class LookupParams(CheckParams):
    """``property`` is judged by the first row of ``rows`` that ``key`` falls in (e.g. maximum
    ramp slope by the rise it bridges). A key outside every row gives ``outside``. When a row
    before the chosen one has a ``where`` the data cannot decide (``indoor`` unknown), the
    value is judged by each possible row: the same outcome stands, different outcomes give
    ``to_verify`` naming the deciding attribute."""

    property: str
    key: str
    rows: list[LookupRow] = Field(min_length=1)
    unit: str | None = None
    key_unit: str | None = None
    outside: Literal["not_applicable", "to_verify", "pass", "fail"] = "not_applicable"


@check_type("lookup", params=LookupParams)
def lookup(feature: Feature, params: LookupParams, ctx: CheckContext) -> CheckResult:
    """**Deprecated alias** (it loads and runs as before; `inclusiecheck rules migrate` rewrites it): a ``threshold`` with ``key`` and ``limits_by``.

    The limit on a value depends on another value, through a table."""
    key = ctx.value(feature, params.key)
    value = ctx.value(feature, params.property)
    missing = tuple(n for n, v in ((params.key, key), (params.property, value)) if v is None)
    if missing:
        return ctx.missing(*missing, property=params.property)
    chosen: LookupRow | None = None
    possible: list[LookupRow] = []  # rows before the chosen one whose ``where`` is undecided
    undecided: list[str] = []
    for r in params.rows:
        if not r.contains(float(key)):
            continue
        state, names = decide(r.where, lambda name: ctx.value(feature, name))
        if state is True:
            chosen = r
            break
        if state is None:
            possible.append(r)
            undecided.extend(n for n in names if n not in undecided)
    results = [_lookup_row(feature, params, ctx, r, float(key), float(value))
               for r in [*possible, chosen]]
    if len({r.outcome for r in results}) == 1:
        return results[-1]
    strictest = next((r for r in results if r.outcome is Outcome.FAIL), results[0])
    depends = ", ".join(undecided)
    return CheckResult(Outcome.TO_VERIFY, params.property, float(value), strictest.required,
                       params.unit, missing=tuple(undecided), data=strictest.data,
                       note={"nl": f"de grens hangt af van {depends}",
                             "en": f"the limit depends on {depends}"})


def _lookup_row(feature: Feature, params: LookupParams, ctx: CheckContext,
                row: LookupRow | None, key: float, value: float) -> CheckResult:
    # a negative slope is judged by its size (ctx.value); the finding notes the sign
    sign_data, sign_note = ctx.sign_note(feature, params.property)
    if row is None:
        return CheckResult(Outcome(params.outside), property=params.property,
                           measured=value, unit=params.unit, note=sign_note,
                           data={"key": params.key, "key_value": key, **sign_data})
    limit = row.max if row.max is not None else row.min
    target = row.warn_max if row.warn_max is not None else row.warn_min
    return ctx.compare(params.property, value, min_value=row.min, max_value=row.max,
                       warn_min=row.warn_min, warn_max=row.warn_max, unit=params.unit,
                       note=sign_note,
                       data={"key": params.key, "key_value": key,
                             "row": row.describe(params.key_unit),
                             "limit": limit, "target": target,
                             "source": ctx.source_of(feature, params.property),
                             **sign_data})


# --------------------------------------------------------------------------------------------
class EnumerationParams(CheckParams):
    """``property`` must be one of ``allowed`` and/or none of ``forbidden``."""

    property: str
    allowed: list[Any] | None = None
    forbidden: list[Any] | None = None
    warn: list[Any] | None = None

    @model_validator(mode="after")
    def _lists(self) -> EnumerationParams:
        if not self.allowed and not self.forbidden:
            raise ValueError("enumeration needs allowed or forbidden values")
        return self


@check_type("enumeration", params=EnumerationParams)
def enumeration(feature: Feature, params: EnumerationParams, ctx: CheckContext) -> CheckResult:
    """A code must be one of the allowed values (or not a forbidden one)."""
    value = ctx.value(feature, params.property)
    if value is None:
        return ctx.missing(params.property)
    required = ", ".join(str(v) for v in (params.allowed or []))

    def among(values: list[Any]) -> bool:  # a yes/no code also meets true/false (conditions)
        return any(same(value, v) for v in values)

    if params.forbidden and among(params.forbidden):
        return CheckResult(Outcome.FAIL, params.property, value,
                           required or "∉ " + ", ".join(map(str, params.forbidden)))
    if params.allowed and not among(params.allowed):
        return CheckResult(Outcome.FAIL, params.property, value, required)
    if params.warn and among(params.warn):
        return CheckResult(Outcome.WARN, params.property, value, required or None)
    return CheckResult(Outcome.PASS, params.property, value, required or None)


# --------------------------------------------------------------------------------------------
class PresenceParams(CheckParams):
    """A boolean that must hold (``expected: true``), e.g. tactile paving at a crossing."""

    property: str
    expected: bool = True


@check_type("presence", params=PresenceParams)
def presence(feature: Feature, params: PresenceParams, ctx: CheckContext) -> CheckResult:
    """A yes/no attribute (or derived fact) must have the expected value."""
    value = ctx.value(feature, params.property)
    if value is None:
        return ctx.missing(params.property)
    if value in ("yes", "limited", "no"):  # a code (toilet.accessible): only yes is true
        ok = same(value, params.expected)
        measured: Any = value
    else:
        ok = bool(value) is params.expected
        measured = bool(value)
    outcome = Outcome.PASS if ok else Outcome.FAIL
    return CheckResult(outcome, params.property, measured, params.expected,
                       data={"source": ctx.source_of(feature, params.property)})


# --------------------------------------------------------------------------------------------
class Criterion(CheckParams):
    """One criterion of a ``criteria`` check: a property and a condition, with a label;
    ``when``: the criterion only holds for features meeting these conditions (e.g. ``{kind:
    shaft}``). When ``when`` cannot be decided, a criterion that is met counts as met and one
    that is not met makes the result ``to_verify`` naming the deciding attribute."""

    property: str
    condition: Any
    label: Text
    when: dict[str, Any] = Field(default_factory=dict)

    @field_validator("condition")
    @classmethod
    def _cond(cls, value: Any) -> Any:
        validate_condition(value)
        return value

    _w = field_validator("when")(classmethod(lambda cls, v: validate_conditions(v)))


class CriteriaParams(CheckParams):
    """Every criterion must hold (``mode: all``) or at least one (``mode: any``). The result
    lists the reasons: the criteria that failed, and the data that is missing. A criterion
    with ``when`` (e.g. ``{kind: shaft}``) only holds for features meeting it; when ``when``
    cannot be decided, a criterion that is not met makes the result ``to_verify`` naming the
    deciding attribute."""

    criteria: list[Criterion] = Field(min_length=1)
    mode: Literal["all", "any"] = "all"
    property: str = "criteria"


@check_type("criteria", params=CriteriaParams)
def criteria(feature: Feature, params: CriteriaParams, ctx: CheckContext) -> CheckResult:
    """A verdict made of several criteria, with the failed ones as reasons."""
    failed: list[Criterion] = []
    missing: list[str] = []
    passed = 0
    maybe_failed: list[Criterion] = []
    for criterion in params.criteria:
        held, undecided = decide(criterion.when, lambda name: ctx.value(feature, name))
        if held is False:
            continue
        value = ctx.value(feature, criterion.property)
        ok = matches(value, criterion.condition)
        if ok is None:
            missing.append(criterion.property)
        elif ok:
            passed += 1
        elif undecided:
            maybe_failed.append(criterion)
            missing.extend(n for n in undecided if n not in missing)
        else:
            failed.append(criterion)
    reasons_nl = [c.label.nl for c in failed]
    reasons_en = [c.label.en for c in failed]
    data = {"reasons": {"nl": reasons_nl, "en": reasons_en},
            "criteria": len(params.criteria), "criteria_met": passed}
    if params.mode == "all":
        if failed:
            outcome = Outcome.FAIL
        elif missing:
            outcome = Outcome.TO_VERIFY
        else:
            outcome = Outcome.PASS
    elif passed:
        outcome = Outcome.PASS
    elif missing:
        outcome = Outcome.TO_VERIFY
    else:
        outcome = Outcome.FAIL
    required = ("; ".join(f"{c.property} {describe(c.condition)}" for c in params.criteria))
    note = None
    if failed:
        note = {"nl": "Redenen: " + "; ".join(reasons_nl), "en": "Reasons: " + "; ".join(reasons_en)}
    elif maybe_failed and outcome is Outcome.TO_VERIFY:
        def cond(c: Criterion) -> str:
            if any(k in COMBINATORS for k in c.when):
                return describe_set(c.when)
            return ", ".join(f"{k} = {v}" for k, v in c.when.items())

        note = {"nl": "Voldoet niet als " + "; ".join(f"{cond(c)}: {c.label.nl}"
                                                      for c in maybe_failed),
                "en": "Fails if " + "; ".join(f"{cond(c)}: {c.label.en}" for c in maybe_failed)}
    return CheckResult(outcome, params.property, f"{passed}/{len(params.criteria)}", required,
                       missing=tuple(missing) if outcome is Outcome.TO_VERIFY or failed else (),
                       note=note, data=data)


# --------------------------------------------------------------------------------------------
class ParkingCountParams(CheckParams):
    """Required adapted bays for a lot of ``bays`` places: ``pct`` % of the places (rounded up)
    and at least ``min``, up to ``base`` places; above it one more per started block of
    ``block`` places (verordening Art. 27: 6 %, min 1, +1 per 50 above 100)."""

    pct: float = 6.0
    min: int = 1
    base: int = 100
    block: int = 50
    total: str = "bays"
    count: str = "accessible_bays"


def required_accessible_bays(bays: int, p: ParkingCountParams) -> int:
    if bays <= 0:
        return 0
    if bays <= p.base:
        return max(p.min, math.ceil(bays * p.pct / 100.0 - 1e-9))
    base_req = max(p.min, math.ceil(p.base * p.pct / 100.0 - 1e-9))
    return base_req + math.ceil((bays - p.base) / p.block)


@check_type("parking_count", params=ParkingCountParams)
def parking_count(feature: Feature, params: ParkingCountParams, ctx: CheckContext) -> CheckResult:
    """Enough adapted (reserved) parking bays for the size of the lot."""
    bays = ctx.value(feature, params.total)
    count = ctx.value(feature, params.count)
    missing = tuple(n for n, v in ((params.total, bays), (params.count, count)) if v is None)
    if missing:
        return ctx.missing(*missing, property=params.count)
    need = required_accessible_bays(int(bays), params)
    outcome = Outcome.PASS if int(count) >= need else Outcome.FAIL
    return CheckResult(outcome, params.count, int(count), need, "bays",
                       data={"bays": int(bays)})


# --------------------------------------------------------------------------------------------
class ManualParams(CheckParams):
    """A qualitative requirement a person must check; nothing is computed."""

    what: Text | None = None


@check_type("manual", params=ManualParams)
def manual(feature: Feature, params: ManualParams, ctx: CheckContext) -> Iterable[CheckResult]:
    """Qualitative requirement: listed under "not checked" for a human reviewer."""
    return []
