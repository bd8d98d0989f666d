"""The rule-file schema: pydantic models for ``rule.yaml``, ``ruleset.yaml`` and cases.

These models are the single definition of what a rule file may contain. They reject unknown
keys (a typo is an error, with a suggestion), and ``inclusiecheck rules schema`` exports them
as JSON Schema so that editors can validate YAML while an expert types.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

RULE_ID = re.compile(r"^[A-Z][A-Z0-9]{1,9}(-[A-Z0-9]{1,10})*-\d{2,4}[a-z]?$")
SET_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
_LANGUAGES: tuple[Literal["nl", "en"], ...] = ("nl", "en")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """A text in both report languages."""

    nl: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.nl


class Source(Strict):
    """Where the requirement comes from. ``kind``: law (binding), guidance, or comparator
    (a figure from another country or scheme, used where no Flemish figure exists)."""

    document: str = Field(min_length=3)
    article: str = Field(min_length=1)
    url: str | None = None
    kind: Literal["law", "guidance", "comparator"] = "law"
    confidence: Literal["high", "med", "low"] | None = None

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://", value):
            raise ValueError("url must start with http:// or https://")
        return value


Condition = Any  # scalar (equality), list (one of), or {op: value} mapping; see engine.conditions


class AppliesTo(Strict):
    """Which features a rule applies to (cheap selection, before any measure).

    ``where``: attribute conditions on the feature; ``plan``: conditions on plan metadata;
    ``scope``: a named legal scope (``pedestrian_road``, ``tv_building``, ...) decided by the
    engine from attributes and metadata; ``geometry``: geometry kinds; ``unknown``: what to
    report when an attribute in ``where`` is missing.
    """

    layer: str | list[str]
    where: dict[str, Condition] = Field(default_factory=dict)
    plan: dict[str, Condition] = Field(default_factory=dict)
    scope: str | None = None
    geometry: list[Literal["Point", "LineString", "Polygon"]] | None = None
    unknown: Literal["not_applicable", "to_verify"] = "not_applicable"

    @property
    def layers(self) -> tuple[str, ...]:
        return (self.layer,) if isinstance(self.layer, str) else tuple(self.layer)


class CheckSpec(Strict):
    """The check: its type and parameters. ``lenient``: parameter overrides that give the least
    strict limit any in-scope case allows (TV-01: 85 cm for housing entrances rather than
    90 cm); used only to decide ``would_fail`` when the rule's scope is undecided."""

    type: str
    params: dict[str, Any] = Field(default_factory=dict)
    lenient: dict[str, Any] = Field(default_factory=dict)


class Messages(Strict):
    """Optional message per outcome; ``message`` on the rule is the fail/warn message."""

    fail: Text | None = None
    warn: Text | None = None
    to_verify: Text | None = None
    pass_: Text | None = Field(default=None, alias="pass")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Rule(Strict):
    """One rule: metadata, applicability, check, texts, validity."""

    id: str
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
    version: int = 1
    title: Text
    description: Text | None = None
    pillar: Literal["accessibility", "social_safety", "comfort"]
    level: Literal["obligation", "recommendation"]
    structural: bool = False
    source: Source
    applies_to: AppliesTo
    check: CheckSpec
    message: Text
    messages: Messages | None = None
    advice: Text
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    tags: list[str] = Field(default_factory=list)
    enabled: bool = True

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not RULE_ID.match(value):
            raise ValueError("rule id must look like VW-01, TV-ENT-03 or SV-12 "
                             "(capitals, dash, number)")
        return value

    @model_validator(mode="after")
    def _dates(self) -> Rule:
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValueError("valid_until lies before valid_from")
        if self.level == "obligation" and self.source.kind != "law":
            raise ValueError("an obligation must cite a law (source.kind: law); guidance and "
                             "comparators give recommendations")
        return self

    def valid_on(self, day: dt.date) -> bool:
        if self.valid_from and day < self.valid_from:
            return False
        if self.valid_until and day > self.valid_until:
            return False
        return True


class RuleOverride(Strict):
    """What an extending rule set may change in a rule of its base set."""

    enabled: bool | None = None
    level: Literal["obligation", "recommendation"] | None = None
    structural: bool | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    source: Source | None = None
    advice: Text | None = None
    message: Text | None = None
    note: str | None = None


class RuleSetSpec(Strict):
    """``ruleset.yaml``: identity, provenance and (for a municipal set) what it extends."""

    name: str
    version: str
    title: Text
    description: Text | None = None
    publisher: str
    languages: list[Literal["nl", "en"]] = Field(default_factory=lambda: list(_LANGUAGES))
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    extends: list[str] = Field(default_factory=list)
    overrides: dict[str, RuleOverride] = Field(default_factory=dict)
    default: bool = True
    url: str | None = None
    #: the legal figures that decide scope (``small_building_m2``, ``large_building_m2``,
    #: ``access_path_reach_m``), so that they are data, not code
    scope_parameters: dict[str, float] = Field(default_factory=dict)
    #: custom attributes the set's rules use that the data profile does not define (read from
    #: the plan's own columns): ``rules validate`` does not warn about them
    attributes: list[str] = Field(default_factory=list)

    @field_validator("attributes")
    @classmethod
    def _attributes(cls, value: list[str]) -> list[str]:
        for name in value:
            if not re.match(r"^[a-z][a-z0-9_]*$", name):
                raise ValueError(f"{name!r}: an attribute name is lower case: letters, digits, _")
        return value

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not SET_NAME.match(value):
            raise ValueError("a rule-set name is lower case: letters, digits, - _ .")
        return value

    @field_validator("extends", mode="before")
    @classmethod
    def _extends(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


class CaseFile(Strict):
    """One case in ``cases/expected.yaml``: a fixture file and the outcome per feature id."""

    file: str
    description: str | None = None
    plan: dict[str, Any] = Field(default_factory=dict)
    params: dict[str, Any] = Field(default_factory=dict)
    date: dt.date | None = None
    expect: dict[str, Literal["fail", "warn", "pass", "to_verify", "not_applicable",
                              "deviation"]]

    @field_validator("file")
    @classmethod
    def _inside_cases(cls, value: str) -> str:
        """A fixture lies in the rule's ``cases/`` folder: a relative path without ``..``."""
        parts = value.replace("\\", "/").split("/")
        if not value.strip() or value.startswith(("/", "\\", "~")) or ":" in value \
                or any(part in ("..", "") for part in parts):
            raise ValueError(f"{value!r}: give a file in the rule's cases/ folder, such as "
                             "cases.geojson (no absolute path, no '..')")
        return value


class CasesSpec(Strict):
    crs: str = "EPSG:31370"
    cases: list[CaseFile] = Field(min_length=1)


def json_schemas() -> dict[str, dict[str, Any]]:
    """JSON Schemas of the rule files, for editors."""
    return {
        "rule": Rule.model_json_schema(by_alias=True),
        "ruleset": RuleSetSpec.model_json_schema(by_alias=True),
        "cases": CasesSpec.model_json_schema(by_alias=True),
    }
