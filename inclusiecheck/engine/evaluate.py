"""Evaluate rule sets on a site model: select features, run checks, emit findings.

Selection ("which features does this rule apply to": layer, geometry kind, attribute and plan
conditions, legal scope) is cheap and runs first; the check (and any measure it needs) only
runs on features the rule applies to. Passes and not-applicable outcomes are counted, and only
kept as findings when ``list_all`` is set, so a 100k-feature plan stays light.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from typing import Any, Iterable

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from inclusiecheck.engine.checks.api import CheckContext, CheckResult
from inclusiecheck.engine.conditions import matches
from inclusiecheck.engine.deviations import Deviation
from inclusiecheck.engine.loader import LoadedRule, RuleSet
from inclusiecheck.engine.messages import render
from inclusiecheck.engine.scopes import DERIVED, SCOPES
from inclusiecheck.model import (
    Citation,
    Feature,
    Finding,
    Level,
    Outcome,
    Pillar,
    ReadWarning,
    SiteModel,
)
from inclusiecheck.model.findings import LISTED_OUTCOMES

TO_VERIFY_TEXT = {
    "nl": "Te controleren: de gegevens ontbreken om dit te beoordelen ({missing}).",
    "en": "To verify: the data needed to judge this is missing ({missing}).",
}
PASS_TEXT = {"nl": "Voldoet.", "en": "Meets the requirement."}
NA_TEXT = {"nl": "Niet van toepassing.", "en": "Not applicable."}


@dataclass(slots=True)
class RuleStats:
    counts: Counter[str] = field(default_factory=Counter)
    missing: Counter[str] = field(default_factory=Counter)


@dataclass(slots=True)
class Evaluation:
    """Findings (listed ones, or all with ``list_all``), counts and per-rule statistics."""

    findings: list[Finding]
    counts: dict[tuple[str, str, str, str, str], int]  # (set, pillar, level, status, outcome)
    rule_stats: dict[str, RuleStats]
    rules: list[LoadedRule]
    warnings: list[ReadWarning]


def rules_in_force(rulesets: Iterable[RuleSet], day: dt.date) -> list[LoadedRule]:
    """The rules valid on ``day`` (a rule's own dates, within its set's validity)."""
    out = []
    for ruleset in rulesets:
        spec = ruleset.spec
        if spec.valid_from and day < spec.valid_from:
            continue
        if spec.valid_until and day > spec.valid_until:
            continue
        out.extend(r for r in ruleset.rules if r.spec.valid_on(day))
    return out


def locations_of(geoms: list[BaseGeometry | None]) -> list[dict[str, Any] | None]:
    """GeoJSON geometries (2D, coordinates rounded to the millimetre), vectorised.

    Rounding moves coordinates only (no topology operations), so tiny features survive.
    """
    out: list[dict[str, Any] | None] = [None] * len(geoms)
    index = [i for i, g in enumerate(geoms) if g is not None and not g.is_empty]
    if not index:
        return out
    arr = np.empty(len(index), dtype=object)
    arr[:] = [geoms[i] for i in index]
    flat = shapely.transform(shapely.force_2d(arr), lambda xy: np.round(xy, 3))
    for i, text in zip(index, shapely.to_geojson(flat)):
        out[i] = json.loads(text)
    return out


def location_of(geom: BaseGeometry | None) -> dict[str, Any] | None:
    """GeoJSON geometry of one location (see :func:`locations_of`)."""
    return locations_of([geom])[0]


class Evaluator:
    def __init__(self, model: SiteModel, rules: list[LoadedRule], *, date: dt.date,
                 lang: str = "nl", list_all: bool = False,
                 deviations: list[Deviation] | None = None) -> None:
        from inclusiecheck.engine.measures import MEASURES

        self.model = model
        self.rules = rules
        self.lang = lang
        self.list_all = list_all
        self.ctx = CheckContext(model, date, lang, MEASURES, DERIVED)
        self.deviations = {(d.rule, d.feature, d.layer): d for d in deviations or []}
        self.used_deviations: set[tuple[str, str, str | None]] = set()

    # -- selection ---------------------------------------------------------------------------
    def _applicability(self, rule: LoadedRule, feature: Feature) -> tuple[Outcome | None, tuple[str, ...], dict[str, str] | None]:
        """``(None, (), case)`` when the rule applies; else the outcome to report instead."""
        applies = rule.spec.applies_to
        if applies.geometry and feature.geom_type not in applies.geometry:
            return Outcome.NOT_APPLICABLE, (), None
        missing: list[str] = []
        for name, cond in applies.where.items():
            ok = matches(self.ctx.value(feature, name), cond)
            if ok is False:
                return Outcome.NOT_APPLICABLE, (), None
            if ok is None:
                missing.append(name)
        for name, cond in applies.plan.items():
            value = getattr(self.model.meta, name, None)
            if value is None:
                value = (self.model.meta.model_extra or {}).get(name)
            if name == "built_up_area" and value is None:
                value = self.model.meta.effective_built_up_area()
            ok = matches(value, cond)
            if ok is False:
                return Outcome.NOT_APPLICABLE, (), None
            if ok is None:
                missing.append(name)
        # the legal scope decides before missing selection data: a feature outside the scope is
        # not applicable, whatever else it lacks
        case = None
        if applies.scope:
            result = SCOPES[applies.scope](feature, self.ctx)
            if result.applies is False:
                return Outcome.NOT_APPLICABLE, (), result.case
            if result.applies is None:
                extra = tuple(m for m in missing if m not in result.missing) \
                    if applies.unknown == "to_verify" else ()
                return Outcome.TO_VERIFY, (*result.missing, *extra), result.case
            case = result.case
        if missing:
            if applies.unknown == "to_verify":
                return Outcome.TO_VERIFY, tuple(missing), case
            return Outcome.NOT_APPLICABLE, (), None
        return None, (), case

    # -- findings -------------------------------------------------------------------------------
    def _finding(self, rule: LoadedRule, feature: Feature, result: CheckResult,
                 case: dict[str, str] | None) -> Finding:
        spec = rule.spec
        lang = self.lang
        outcome = result.outcome
        deviation = None
        if outcome in (Outcome.FAIL, Outcome.WARN):
            dev = (self.deviations.get((spec.id, feature.id, feature.layer))
                   or self.deviations.get((spec.id, feature.id, None)))
            if dev is not None:
                self.used_deviations.add((dev.rule, dev.feature, dev.layer))
                deviation = {**dev.as_dict(), "original_outcome": outcome.value}
                outcome = Outcome.DEVIATION
        values: dict[str, Any] = {
            "feature_id": feature.id, "layer": feature.layer, "property": result.property,
            "measured": result.measured, "required": result.required,
            "unit": _unit_text(result.unit), "missing": ", ".join(result.missing),
        }
        for key, value in result.data.items():
            if isinstance(value, (str, int, float, bool)) or (isinstance(value, dict) and lang in value):
                values[key] = value
        message = self._message(rule, outcome, values)
        notes = []
        if case:
            notes.append(case.get(lang, ""))
        if result.note:
            notes.append(result.note.get(lang, ""))
        if deviation:
            notes.append(("Afwijking toegestaan: " if lang == "nl" else "Deviation granted: ")
                         + deviation["justification"])
        notes = [n.strip().rstrip(".") + "." for n in notes if n and n.strip()]
        data = {k: v for k, v in result.data.items() if k != "source"}
        if "source" in result.data:
            data["value_source"] = result.data["source"]
        return Finding(
            rule_id=spec.id, rule_set=rule.rule_set, layer=feature.layer, feature_id=feature.id,
            source_ref=feature.source.as_dict(), outcome=outcome, level=Level(spec.level),
            structural=spec.structural, pillar=Pillar(spec.pillar), property=result.property,
            measured=_jsonable(result.measured), required=_jsonable(result.required),
            unit=result.unit, message=message, advice=spec.advice.get(lang),
            source=Citation(spec.source.document, spec.source.article, spec.source.url,
                            spec.source.kind),
            location=None, status=feature.status, missing=result.missing,
            note=" ".join(n for n in notes if n) or None, deviation=deviation,
            rule_set_version=rule.rule_set_version, data=_jsonable_dict(data),
            rule_version=spec.version)

    def _message(self, rule: LoadedRule, outcome: Outcome, values: dict[str, Any]) -> str:
        spec = rule.spec
        lang = self.lang
        per = spec.messages
        template = None
        if per is not None:
            chosen = {Outcome.FAIL: per.fail, Outcome.WARN: per.warn,
                      Outcome.TO_VERIFY: per.to_verify, Outcome.PASS: per.pass_}.get(outcome)
            if chosen is not None:
                template = chosen.get(lang)
        if template is None:
            if outcome in (Outcome.FAIL, Outcome.WARN, Outcome.DEVIATION):
                template = spec.message.get(lang)
            elif outcome is Outcome.TO_VERIFY:
                template = TO_VERIFY_TEXT[lang]
            elif outcome is Outcome.PASS:
                template = PASS_TEXT[lang]
            else:
                template = NA_TEXT[lang]
        return render(template, values, lang)

    # -- run --------------------------------------------------------------------------------------
    def run(self) -> Evaluation:
        findings: list[Finding] = []
        counts: Counter[tuple[str, str, str, str, str]] = Counter()
        stats: dict[str, RuleStats] = defaultdict(RuleStats)
        geoms: list[BaseGeometry | None] = []
        for rule in self.rules:
            spec = rule.spec
            if spec.check.type == "manual":
                continue
            rstats = stats[spec.id]
            for layer in spec.applies_to.layers:
                for feature in self.model.features(layer):
                    outcome, missing, case = self._applicability(rule, feature)
                    if outcome is None:
                        results = rule.check.run(feature, rule.params, self.ctx)
                        if not results:
                            continue
                    else:
                        results = [CheckResult(outcome, missing=missing,
                                               property=missing[0] if missing else None)]
                    for result in results:
                        out = result.outcome
                        rstats.counts[out.value] += 1
                        for name in result.missing:
                            rstats.missing[name] += 1
                        keep = self.list_all or out in LISTED_OUTCOMES
                        if keep:
                            finding = self._finding(rule, feature, result, case)
                            findings.append(finding)
                            geoms.append(result.location if result.location is not None
                                         else feature.geometry)
                            out = finding.outcome
                        elif out in (Outcome.FAIL, Outcome.WARN):  # pragma: no cover
                            out = self._finding(rule, feature, result, case).outcome
                        counts[(rule.rule_set, spec.pillar, spec.level, feature.status,
                                out.value)] += 1
        warnings = self._stale_deviations()
        findings = [replace(f, location=loc) for f, loc in zip(findings, locations_of(geoms))]
        findings.sort(key=Finding.sort_key)
        return Evaluation(findings, dict(counts), dict(stats), self.rules, warnings)

    def _stale_deviations(self) -> list[ReadWarning]:
        out = []
        rule_ids = {r.spec.id for r in self.rules}
        for key, dev in sorted(self.deviations.items(), key=lambda kv: (kv[0][0], kv[0][1])):
            if key in self.used_deviations:
                continue
            if dev.rule not in rule_ids:
                why = f"rule {dev.rule} is not in the rule sets in force"
            elif not any(f.id == dev.feature for f in self.model):
                why = f"feature {dev.feature} is not in the plan"
            else:
                why = "the rule no longer fails on this feature"
            out.append(ReadWarning("stale_deviation",
                                   f"deviation for {dev.rule} on {dev.feature} was not used: {why}",
                                   None, dev.layer, dev.feature))
        return out


def _unit_text(unit: str | None) -> str:
    if unit is None:
        return ""
    return {"pct": "%", "percent": "%"}.get(unit, unit)


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return round(value, 3)
    try:
        return round(float(value), 3)
    except (TypeError, ValueError):
        return str(value)


def _jsonable_dict(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            out[key] = _jsonable_dict(value)
        elif isinstance(value, (list, tuple)):
            out[key] = [_jsonable(v) if not isinstance(v, (dict, list)) else v for v in value]
        else:
            out[key] = _jsonable(value)
    return out


def evaluate(model: SiteModel, rules: list[LoadedRule], *, date: dt.date, lang: str = "nl",
             list_all: bool = False, deviations: list[Deviation] | None = None) -> Evaluation:
    """Run ``rules`` on ``model`` (see the module docstring)."""
    return Evaluator(model, rules, date=date, lang=lang, list_all=list_all,
                     deviations=deviations).run()
