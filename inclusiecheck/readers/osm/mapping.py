"""The OSM tag mapping: its YAML format, tag filters and the classifier."""


from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from inclusiecheck.model import InputError
from inclusiecheck.model.profile import LAYER_MODELS
from inclusiecheck.model.safe_yaml import YamlProblem, load_text

ElementKind = Literal["node", "way", "area"]

# --------------------------------------------------------------------------------------------
# the tag mapping format


Condition = str | list[str] | dict[str, list[str]]


class _Rule(BaseModel):
    """One classification rule of ``osm-tags.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    layer: str
    elements: tuple[Literal["node", "way", "area"], ...]
    match: dict[str, Condition]
    unless: dict[str, Condition] = Field(default_factory=dict)
    as_: dict[Literal["way", "area"], Literal["point", "line", "nodes"]] = Field(
        default_factory=dict, alias="as")
    set: dict[str, Any] = Field(default_factory=dict)
    continue_: bool = Field(default=False, alias="continue")

    @field_validator("layer")
    @classmethod
    def _known_layer(cls, value: str) -> str:
        if value not in LAYER_MODELS:
            raise ValueError(f"unknown layer {value!r}")
        return value


class _Source(BaseModel):
    """One attribute source of ``osm-tags.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tag: str | None = None
    nodes_tag: str | None = None
    derived: Literal["handrail_sides", "changing_table", "way_length_m", "trunk_size_m"] | None = None
    value: Any = None
    type: Literal["number", "integer", "boolean", "text"] | None = None
    unit: str | None = None
    values: dict[str, Any] | None = None
    aggregate: Literal["max", "min"] = "max"
    abs: bool = False
    range: tuple[float, float] | None = None
    unknown: tuple[str, ...] = ()


class _LayerRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    attributes: dict[str, list[_Source]] = Field(default_factory=dict)
    keep: list[str] = Field(default_factory=list)


class TagMapping(BaseModel):
    """The OSM tag mapping (``osm-tags.yaml``): area tags, classification and attribute rules."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal["osm-tags"]
    version: Literal[1]
    areas: list[dict[str, Condition]] = Field(default_factory=list)
    classify: list[_Rule]
    common: _LayerRules = Field(default_factory=_LayerRules)
    layers: dict[str, _LayerRules] = Field(default_factory=dict)

    @field_validator("layers")
    @classmethod
    def _known_layers(cls, value: dict[str, _LayerRules]) -> dict[str, _LayerRules]:
        for layer, rules in value.items():
            if layer not in LAYER_MODELS:
                raise ValueError(f"unknown layer {layer!r}")
            for attribute in rules.attributes:
                if attribute not in LAYER_MODELS[layer].model_fields:
                    raise ValueError(f"layer {layer}: unknown attribute {attribute!r}")
        return value

    def node_tag_keys(self) -> frozenset[str]:
        """Tag keys that attribute rules read from a way's nodes (kept for tagged nodes)."""
        return frozenset(source.nodes_tag for rules in (self.common, *self.layers.values())
                         for sources in rules.attributes.values() for source in sources
                         if source.nodes_tag)


def load_tag_mapping(path: str | Path | None = None) -> TagMapping:
    """Load the shipped OSM tag mapping, or a custom one from a YAML file.

    Raises
    ------
    InputError
        Unreadable or invalid YAML, or a file that does not follow the format.
    """
    if path is None:
        return _shipped_mapping()
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"{path}: cannot read the OSM tag mapping ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text; save the OSM tag mapping as UTF-8") from None
    return parse_tag_mapping(text, str(path))


@lru_cache(maxsize=1)
def _shipped_mapping() -> TagMapping:
    text = (resources.files("inclusiecheck.readers") / "mappings" / "osm-tags.yaml").read_text(
        encoding="utf-8")
    return parse_tag_mapping(text, "osm-tags.yaml")


def parse_tag_mapping(text: str, where: str) -> TagMapping:
    """Parse and validate the YAML text of an OSM tag mapping.

    Raises
    ------
    InputError
        Invalid YAML or a mapping that does not follow the format; ``where`` names it.
    """
    return load_mapping_model(text, where, TagMapping, "an OSM tag mapping")


M = TypeVar("M", bound=BaseModel)


def load_mapping_model(text: str, where: str, model: type[M], what: str) -> M:
    """Parse YAML ``text`` (safe loader) and validate it as ``model``; one-line errors name
    ``where`` (and the YAML line), and ``what`` the file was expected to be."""
    try:
        data = load_text(text)
    except YamlProblem as exc:
        line = f":{exc.line}" if exc.line else ""
        raise InputError(f"{where}{line}: invalid YAML: {exc.problem}") from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        raise InputError(f"{where}: not {what}: {loc}: {err['msg']}") from None


# --------------------------------------------------------------------------------------------
# tag filters


def _condition_holds(tags: dict[str, str], key: str, condition: Condition) -> bool:
    value = tags.get(key)
    if value is None:
        return False
    if isinstance(condition, str):
        return condition in ("*", value)
    if isinstance(condition, list):
        return value in condition
    return value not in condition.get("not", ())


def tags_match(tags: dict[str, str], conditions: dict[str, Condition]) -> bool:
    """Whether every condition of a tag filter holds (see ``osm-tags.yaml``)."""
    return all(_condition_holds(tags, key, cond) for key, cond in conditions.items())


def _any_condition(tags: dict[str, str], conditions: dict[str, Condition]) -> bool:
    return any(_condition_holds(tags, key, cond) for key, cond in conditions.items())


def is_area(tags: dict[str, str], mapping: TagMapping) -> bool:
    """Whether a closed way with these tags is an area (polygon) rather than a closed line."""
    area = tags.get("area")
    if area == "no":
        return False
    if area == "yes":
        return True
    return any(tags_match(tags, item) for item in mapping.areas)


def classify(tags: dict[str, str], kind: ElementKind, mapping: TagMapping) -> list[_Rule]:
    """Return the classification rules that map an element (first match, plus ``continue``)."""
    return Classifier(mapping).classify(tags, kind)


class Classifier:
    """The classification rules of a tag mapping, indexed by the first key each one needs.

    An element is only tested against the rules whose first ``match`` key it has, in rule
    order: the same result as trying every rule, without testing forty rules per element.
    """

    def __init__(self, mapping: TagMapping) -> None:
        self.mapping = mapping
        self.by_key: dict[str, list[int]] = {}
        for index, rule in enumerate(mapping.classify):
            key = next(iter(rule.match), None)
            if key is None:
                self.by_key.setdefault("", []).append(index)
            else:
                self.by_key.setdefault(key, []).append(index)
        self.always = self.by_key.pop("", [])

    def classify(self, tags: dict[str, str], kind: ElementKind) -> list[_Rule]:
        """The rules that map an element with these tags (see :func:`classify`)."""
        if not tags:
            return []
        candidates = list(self.always)
        for key in tags:
            found = self.by_key.get(key)
            if found:
                candidates.extend(found)
        if not candidates:
            return []
        rules = self.mapping.classify
        matched: list[_Rule] = []
        for index in sorted(candidates):
            rule = rules[index]
            if kind not in rule.elements or not tags_match(tags, rule.match):
                continue
            if rule.unless and _any_condition(tags, rule.unless):
                continue
            matched.append(rule)
            if not rule.continue_:
                break
        return matched


