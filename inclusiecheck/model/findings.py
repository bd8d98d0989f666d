"""Outcomes, findings and the immutable report that every output format renders."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any
from collections.abc import Mapping


class Outcome(str, Enum):
    """The result of one rule on one feature."""

    FAIL = "fail"
    WARN = "warn"
    PASS = "pass"
    TO_VERIFY = "to_verify"
    NOT_APPLICABLE = "not_applicable"
    DEVIATION = "deviation"

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.value


#: outcomes listed in ``findings`` by default; the others are only counted (unless ``--all``).
LISTED_OUTCOMES = (Outcome.FAIL, Outcome.WARN, Outcome.TO_VERIFY, Outcome.DEVIATION)

#: order used when sorting findings (worst first).
OUTCOME_ORDER = {
    Outcome.FAIL: 0,
    Outcome.DEVIATION: 1,
    Outcome.WARN: 2,
    Outcome.TO_VERIFY: 3,
    Outcome.PASS: 4,
    Outcome.NOT_APPLICABLE: 5,
}


class Level(str, Enum):
    OBLIGATION = "obligation"
    RECOMMENDATION = "recommendation"


class Pillar(str, Enum):
    ACCESSIBILITY = "accessibility"
    SOCIAL_SAFETY = "social_safety"
    COMFORT = "comfort"


@dataclass(frozen=True, slots=True)
class Citation:
    """The source of a rule: document, article, url, and its kind (law, guidance, comparator)."""

    document: str
    article: str
    url: str | None = None
    kind: str = "law"

    def as_dict(self) -> dict[str, Any]:
        return {"document": self.document, "article": self.article, "url": self.url,
                "kind": self.kind}


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule x feature outcome, with everything a reader of the advice needs."""

    rule_id: str
    rule_set: str
    layer: str
    feature_id: str
    source_ref: dict[str, str]
    outcome: Outcome
    level: Level
    structural: bool
    pillar: Pillar
    property: str | None
    measured: float | str | bool | None
    required: float | str | bool | None
    unit: str | None
    message: str
    advice: str
    source: Citation
    location: dict[str, Any] | None
    status: str = "new"
    missing: tuple[str, ...] = ()
    note: str | None = None
    deviation: dict[str, Any] | None = None
    rule_set_version: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    #: version of the rule (``version`` in rule.yaml) that was in force on the plan's date
    rule_version: int | None = None
    #: the regulation that governs the feature (verordening, bv97, public_space; None: undecided)
    regime: str | None = None
    #: why that regime, in both report languages
    regime_reason: dict[str, str] | None = None
    #: for a to_verify finding whose scope is undecided: True when the check fails even against
    #: the least strict limit any in-scope case allows, False when it passes; else None
    would_fail: bool | None = None
    #: message (template ``{nl, en}`` + values), advice and note in both languages, rendered
    #: in a report's language when it is written (:meth:`text`); not part of report.json,
    #: whose ``message``, ``advice`` and ``note`` are in the report's language
    texts: dict[str, Any] | None = field(default=None, compare=False, repr=False)

    def text(self, key: str, lang: str) -> str | None:
        """``message``, ``advice`` or ``note`` in ``lang`` (the stored text when no
        template is kept)."""
        from inclusiecheck.model.texts import localized

        return localized(self.texts, key, lang, getattr(self, key))

    def sort_key(self) -> tuple:
        return (OUTCOME_ORDER[self.outcome], 0 if self.would_fail else 1,
                0 if self.level is Level.OBLIGATION else 1, self.rule_id, self.layer, self.feature_id, self.property or "")

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rule_id": self.rule_id,
            "rule_set": self.rule_set,
            "layer": self.layer,
            "feature_id": self.feature_id,
            "source_ref": self.source_ref,
            "outcome": self.outcome.value,
            "level": self.level.value,
            "structural": self.structural,
            "pillar": self.pillar.value,
            "property": self.property,
            "measured": self.measured,
            "required": self.required,
            "unit": self.unit,
            "message": self.message,
            "advice": self.advice,
            "source": self.source.as_dict(),
            "location": self.location,
            "status": self.status,
        }
        if self.rule_version is not None:
            out["rule_version"] = self.rule_version
        if self.rule_set_version is not None:
            out["rule_set_version"] = self.rule_set_version
        if self.missing:
            out["missing"] = list(self.missing)
        if self.note:
            out["note"] = self.note
        if self.deviation:
            out["deviation"] = self.deviation
        if self.data:
            out["data"] = self.data
        if self.regime_reason is not None:
            out["regime"] = self.regime or "undecided"
            out["regime_reason"] = self.regime_reason
        if self.would_fail is not None:
            out["would_fail"] = self.would_fail
        return out


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """A snapshot of one rule's metadata, kept in the report (catalogue)."""

    id: str
    rule_set: str
    rule_set_version: str
    title: str
    pillar: Pillar
    level: Level
    structural: bool
    source: Citation
    layer: str
    qualitative: bool = False
    description: str = ""
    #: the set whose rule file defines the rule (differs from ``rule_set`` when overridden)
    defined_in: str | None = None
    #: the extending sets that changed the rule through ``overrides`` (outermost last)
    modified_by: tuple[str, ...] = ()
    #: ``title`` and ``description`` as ``{nl, en}`` (not in report.json)
    texts: dict[str, Any] | None = field(default=None, compare=False, repr=False)
    #: the rule's ``version`` in force on the plan's date (``compare`` tells rule changes
    #: from plan changes with it)
    version: int | None = None

    def text(self, key: str, lang: str) -> str:
        """``title`` or ``description`` in ``lang``."""
        from inclusiecheck.model.texts import localized

        return localized(self.texts, key, lang, getattr(self, key)) or ""

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "rule_set": self.rule_set,
            "rule_set_version": self.rule_set_version,
            "title": self.title,
            "pillar": self.pillar.value,
            "level": self.level.value,
            "structural": self.structural,
            "layer": self.layer,
            "source": self.source.as_dict(),
        }
        if self.modified_by:
            out["defined_in"] = self.defined_in
            out["modified_by"] = list(self.modified_by)
        return out


@dataclass(frozen=True, slots=True)
class Verdict:
    """The headline verdict and the findings that decided it."""

    code: str  # gunstig, gunstig_onder_voorwaarden, ongunstig, niet_van_toepassing
    reason: str
    deciding: tuple[Finding, ...] = ()
    conditions: tuple[Finding, ...] = ()
    #: the verdict once the undecided scopes are confirmed (would-fail findings as fails)
    if_in_scope: str | None = None
    #: ``reason`` as ``{nl, en}`` (not in report.json)
    reasons: dict[str, str] | None = field(default=None, compare=False, repr=False)

    def reason_in(self, lang: str) -> str:
        """The reason in ``lang``."""
        return (self.reasons or {}).get(lang) or self.reason

    def as_dict(self) -> dict[str, Any]:
        def ref(f: Finding) -> dict[str, Any]:
            out: dict[str, Any] = {"rule_id": f.rule_id, "layer": f.layer,
                                   "feature_id": f.feature_id, "outcome": f.outcome.value,
                                   "property": f.property}
            if f.would_fail is not None:
                out["would_fail"] = f.would_fail
            return out

        return {
            "code": self.code,
            "reason": self.reason,
            "if_in_scope": self.if_in_scope or self.code,
            "deciding_findings": [ref(f) for f in self.deciding],
            "conditions": [ref(f) for f in self.conditions],
        }


@dataclass(frozen=True, slots=True)
class Report:
    """Everything an output format needs; outputs are pure functions of it."""

    lang: str
    plan: dict[str, Any]
    crs: str
    rule_sets: tuple[dict[str, Any], ...]
    verdict: Verdict
    summary: dict[str, Any]
    coverage: dict[str, Any]
    warnings: tuple[dict[str, Any], ...]
    findings: tuple[Finding, ...]
    rules: tuple[RuleInfo, ...]
    list_all: bool = False
    #: plan geometry for maps: layer -> list of (feature_id, GeoJSON geometry, status) (a
    #: dict, or :class:`inclusiecheck.api.MapLayers`, which makes it on first use)
    map_layers: Mapping[str, list[tuple[str, dict[str, Any], str]]] = field(default_factory=dict)
    extents: tuple[float, float, float, float] | None = None
    tool_version: str = ""
    #: names of named features for map labels: layer -> {feature id: name} (buildings,
    #: walkways, areas)
    map_names: dict[str, dict[str, str]] = field(default_factory=dict)
    #: rule-set titles in both languages: name -> {nl, en} (not in report.json)
    rule_set_titles: dict[str, dict[str, str]] = field(default_factory=dict, compare=False)
    _rule_index: dict[str, RuleInfo] = field(default_factory=dict, repr=False, compare=False)

    def listed_findings(self) -> tuple[Finding, ...]:
        """Findings that go into the report's list (passes and n/a only with ``--all``)."""
        from inclusiecheck.model.findings import LISTED_OUTCOMES

        if self.list_all:
            return self.findings
        return tuple(f for f in self.findings if f.outcome in LISTED_OUTCOMES)

    def rule(self, rule_id: str) -> RuleInfo | None:
        """The catalogue entry of a rule (the first, for a rule with several versions)."""
        return self._rule_index.get(rule_id)

    def __post_init__(self) -> None:
        index: dict[str, RuleInfo] = {}
        for info in self.rules:
            index.setdefault(info.id, info)
        object.__setattr__(self, "_rule_index", index)
