"""Every limit of a threshold-type built-in rule is straddled by its cases.

The developers' guide asks each rule's cases to test a value AT each limit and one JUST BEYOND
it: that is where a rule goes wrong (an inclusive limit written exclusive, a row boundary of a
table off by one). This test reads the limits from the rule's parameters, runs the rule's
cases (those that do not change the parameters) and looks at the values the findings measured
(attribute values as well as values measured from the drawing). For each limit it asserts

- a finding measured the limit itself, and
- a finding measured a value just beyond it (on the failing or warning side), no further than
  :func:`step` from it (5 % of the limit, at least half a centimetre, 5 cm or half a percent
  point, by unit).

For tables (``threshold`` with ``limits_by``, and the deprecated ``lookup``) the row limits are
checked the same way, and every row boundary of a number key (e.g. a rise of exactly 10 cm
between two rows of a ramp table) must appear in a case.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from collections.abc import Iterator

import pytest

from inclusiecheck.engine.evaluate import evaluate
from inclusiecheck.engine.loader import LoadedRule, builtin_rules_dir
from inclusiecheck.engine.schema import CasesSpec
from inclusiecheck.engine.yamlio import load_yaml
from inclusiecheck.testing import CASES_DIR, EXPECTED, rulesets_at

JUDGED = {"pass", "warn", "fail", "deviation"}
THRESHOLD_TYPES = {"threshold", "conditional_threshold", "threshold_by_code", "lookup",
                   "mode_threshold", "stair_step_rule", "level_difference"}


@dataclass(frozen=True)
class Limit:
    """One limit of a rule: ``side`` ``min`` (values below fail or warn) or ``max``."""

    property: str
    value: float
    side: str
    unit: str | None
    what: str
    row: str | None = None  # lookup: the row the measured value must fall in
    inclusive: bool = True  # an exclusive limit fails itself: "beyond" is then just inside


def step(limit: float, unit: str | None) -> float:
    """How far "just beyond" a limit may lie."""
    floor = {"cm": 0.5, "mm": 5.0, "m": 0.05, "%": 0.5, "pct": 0.5, "lx": 0.5,
             "treden": 1.0, "steps": 1.0, "bays": 1.0}.get(unit or "", 0.0)
    return max(abs(limit) * 0.05, floor, 1e-9)


def limits_of(rule: LoadedRule) -> list[Limit]:
    p: Any = rule.params
    kind = rule.spec.check.type
    out: list[Limit] = []

    def add(prop: str, value: float | None, side: str, unit: str | None, what: str,
            row: str | None = None, inclusive: bool = True) -> None:
        if value is not None:
            out.append(Limit(prop, float(value), side, unit, what, row, inclusive))

    if kind == "threshold":
        for row in p.rows():
            prop, unit = row.property or p.property, row.unit or p.unit
            name = _row_id(p, row)
            what = f"[{name}]." if name else ""
            lower, lower_incl, upper, upper_incl = row.bounds()
            add(prop, lower, "min", unit, f"{what}min", name, inclusive=lower_incl)
            add(prop, upper, "max", unit, f"{what}max", name, inclusive=upper_incl)
            add(prop, row.warn_min, "min", unit, f"{what}warn_min", name)
            add(prop, row.warn_max, "max", unit, f"{what}warn_max", name)
    elif kind == "conditional_threshold":
        add(p.property, p.min, "min", p.unit, "min", inclusive=p.min_inclusive)
        add(p.property, p.max, "max", p.unit, "max", inclusive=p.max_inclusive)
    elif kind == "threshold_by_code":
        tables = dict(p.limits)
        if getattr(p, "default", None) is not None:
            tables["(default)"] = p.default
        for code, lim in tables.items():
            row = None if code == "(default)" else code
            add(lim.property, lim.min, "min", lim.unit, f"{code}.min", row)
            add(lim.property, lim.max, "max", lim.unit, f"{code}.max", row)
    elif kind == "lookup":
        for row in p.rows:
            label = row.describe(p.key_unit)
            add(p.property, row.min, "min", p.unit, f"[{label}].min", label)
            add(p.property, row.max, "max", p.unit, f"[{label}].max", label)
            add(p.property, row.warn_min, "min", p.unit, f"[{label}].warn_min", label)
            add(p.property, row.warn_max, "max", p.unit, f"[{label}].warn_max", label)
    elif kind == "mode_threshold":
        for mode, lim in p.modes.items():
            add(p.property, lim.min, "min", p.unit, f"{mode}.min")
            add(p.property, lim.max, "max", p.unit, f"{mode}.max")
            add(p.property, lim.warn_min, "min", p.unit, f"{mode}.warn_min")
            add(p.property, getattr(lim, "warn_max", None), "max", p.unit, f"{mode}.warn_max")
            add(p.property, lim.swing_in_max, "max", p.unit, f"{mode}.swing_in_max")
    elif kind == "stair_step_rule":
        add("step_length_cm", p.min, "min", p.unit, "min")
        add("step_length_cm", p.max, "max", p.unit, "max")
    elif kind == "level_difference":
        add(p.property, p.tolerance_cm, "max", "cm", "tolerance_cm")
    return out


def _row_id(p: Any, row: Any) -> str | None:
    """How a table row shows in its findings: ``data.row`` (a number key) or the code
    (``data.key_value``); ``None`` for a rule without a table."""
    if not p.limits_by or row.when is None:
        return None
    from inclusiecheck.engine.checks.threshold import _row_text

    cond = row.when.get(p.key) if p.key else None
    if isinstance(cond, dict):
        return _row_text(p, row)
    return cond if isinstance(cond, str) else None


def key_boundaries(rule: LoadedRule) -> list[float]:
    """The row boundaries of a table's number key (each must appear in a case)."""
    kind = rule.spec.check.type
    p: Any = rule.params
    values = set()
    if kind == "lookup":
        for row in p.rows:
            for bound in (row.gt, row.gte, row.lt, row.lte):
                if bound is not None:
                    values.add(float(bound))
    elif kind == "threshold" and p.key:
        for row in p.limits_by:
            cond = (row.when or {}).get(p.key)
            if isinstance(cond, dict):
                values.update(float(cond[op]) for op in ("gt", "gte", "lt", "lte") if op in cond)
    return sorted(values)


def case_findings(rule: LoadedRule, outcomes: set[str] = JUDGED) -> Iterator[Any]:
    """The findings (of the given outcomes) of the rule's cases that keep the rule's own
    parameters."""
    from inclusiecheck.api import load_model

    expected = rule.folder / CASES_DIR / EXPECTED
    if not expected.is_file():
        return
    spec = CasesSpec.model_validate(load_yaml(expected))
    for case in spec.cases:
        if case.params:
            continue
        model = load_model(expected.parent / case.file, crs=spec.crs, meta=dict(case.plan))
        day = case.date or model.meta.permit_date or dt.date.today()
        if not rule.spec.valid_on(day):
            continue
        for finding in evaluate(model, [rule], date=day, list_all=True).findings:
            if finding.outcome.value in outcomes and finding.feature_id in case.expect:
                yield finding


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def straddle_problems(rule: LoadedRule) -> list[str]:
    limits = limits_of(rule)
    boundaries = key_boundaries(rule)
    if not limits and not boundaries:
        return []
    findings = list(case_findings(rule, JUDGED | {"not_applicable", "to_verify"}))
    judged = [f for f in findings if f.outcome.value in JUDGED]
    problems = []
    for lim in limits:
        values = [v for f in judged
                  if f.property == lim.property and (v := _number(f.measured)) is not None
                  and (lim.row is None or lim.row in (f.data.get("row"),
                                                      f.data.get("key_value")))]
        gap = step(lim.value, lim.unit)
        at = any(abs(v - lim.value) <= 1e-6 for v in values)
        if not lim.inclusive:  # the limit itself fails: the other side must pass just inside
            beyond = any(0 < (v - lim.value if lim.side == "min" else lim.value - v) <= gap + 1e-9
                         for v in values)
        elif lim.side == "min":
            beyond = any(lim.value - gap - 1e-9 <= v < lim.value - 1e-6 for v in values)
        else:
            beyond = any(lim.value + 1e-6 < v <= lim.value + gap + 1e-9 for v in values)
        if not at:
            problems.append(f"{lim.what} = {lim.value:g}: no case at the limit "
                            f"(measured: {sorted(set(values))})")
        if not beyond:
            sign = "-" if lim.side == "min" else "+"
            problems.append(f"{lim.what} = {lim.value:g}: no case just beyond it "
                            f"({sign} at most {gap:g}; measured: {sorted(set(values))})")
    if boundaries:
        keys = {round(float(v), 6) for f in findings
                if (v := _number(f.data.get("key_value"))) is not None}
        for bound in boundaries:
            if round(bound, 6) not in keys:
                problems.append(f"key boundary {bound:g}: no case at it (keys: {sorted(keys)})")
    return problems


def _threshold_rules() -> list[LoadedRule]:
    rules = []
    for ruleset in rulesets_at(builtin_rules_dir()):
        for rule in ruleset.rules:
            if rule.spec.check.type in THRESHOLD_TYPES and rule.folder.parent == ruleset.path:
                rules.append(rule)
    return sorted(rules, key=lambda r: (r.id, r.spec.version))


RULES = _threshold_rules()


def test_the_threshold_rules_are_found() -> None:
    ids = {r.id for r in RULES}
    assert {"TV-01", "TV-18", "VW-06", "PD-04", "HA-03", "TV-24", "TV-26"} <= ids
    assert all(limits_of(r) or key_boundaries(r) for r in RULES)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: f"{r.id}-v{r.spec.version}")
def test_cases_straddle_every_limit(rule: LoadedRule) -> None:
    problems = straddle_problems(rule)
    assert not problems, f"{rule.id} ({rule.folder.name}):\n  " + "\n  ".join(problems)


def test_the_straddle_check_can_fail(tmp_path: Path) -> None:
    """A rule whose cases stop short of its limit (2 cm tested with 4 cm) is caught."""
    import shutil

    src = builtin_rules_dir() / "toegankelijkheidsverordening"
    dst = tmp_path / "toegankelijkheidsverordening"
    shutil.copytree(src, dst)
    cases = dst / "TV-03-entrance-threshold" / "cases" / "cases.geojson"
    text = cases.read_text(encoding="utf-8")
    # move every at-limit and just-beyond value away from the 2 cm limit
    for old, new in (('"threshold_cm": 2,', '"threshold_cm": 1,'),
                     ('"threshold_cm": 2}', '"threshold_cm": 1}'),
                     ('"threshold_cm": 2.5', '"threshold_cm": 4')):
        text = text.replace(old, new)
    cases.write_text(text, encoding="utf-8")
    rule = next(r for s in rulesets_at(dst) for r in s.rules if r.id == "TV-03")
    problems = straddle_problems(rule)
    assert any("no case at the limit" in p for p in problems), problems
    assert any("just beyond" in p for p in problems), problems
