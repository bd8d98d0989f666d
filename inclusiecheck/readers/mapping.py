"""Mapping profiles: foreign layer names, attribute names, values and units to the data profile.

A mapping profile is a small YAML file (see ``docs/mapping-profiles.md``)::

    name: nl
    description: Dutch (Flemish) names
    layers:                       # target layer -> its source names and layer-only rules
      walkway:
        from: [looppad, voetpad, trottoir]
        attributes:               # target attribute -> source name(s), optional unit
          width_m: [breedte, {from: breedte_cm, unit: cm}]
        values:                   # target attribute -> {source value: target value}
          surface: {klinkers: paving_stones}
    attributes:                   # rules for every layer that has the target attribute
      name: naam
    values:
      surface: {asfalt: asphalt}

Names match case-insensitively, with spaces and dashes read as underscores. The data
profile's own layer and attribute names always pass through (also in another case), so a
partly translated plan still works; anything the profile does not mention is kept as it is
(the normaliser then warns about unknown layers and attributes).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache, cache
from importlib import resources
from pathlib import Path
from typing import Any
from collections.abc import Callable

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from inclusiecheck.model import InputError, RawFeature, RawPlan, ReadWarning
from inclusiecheck.model.profile import LAYER_MODELS, attribute_names
from inclusiecheck.model.safe_yaml import YamlProblem, load_text
from inclusiecheck.model.values import parse_number

Scalar = bool | int | float | str | None

# --------------------------------------------------------------------------------------------
# units

#: unit alias -> (dimension, canonical unit)
_UNIT_ALIASES: dict[str, tuple[str, str]] = {}
#: canonical unit -> factor to the dimension's base unit (linear units only)
_UNIT_FACTORS: dict[str, Fraction] = {}


def _define(dimension: str, unit: str, factor: Fraction | None, *aliases: str) -> None:
    for alias in (unit, *aliases):
        _UNIT_ALIASES[alias] = (dimension, unit)
    if factor is not None:
        _UNIT_FACTORS[unit] = factor


_define("length", "mm", Fraction(1, 1000), "millimeter", "millimetre")
_define("length", "cm", Fraction(1, 100), "centimeter", "centimetre")
_define("length", "dm", Fraction(1, 10), "decimeter", "decimetre")
_define("length", "m", Fraction(1), "meter", "metre")
_define("length", "km", Fraction(1000), "kilometer", "kilometre")
_define("area", "cm2", Fraction(1, 10000), "cm²")
_define("area", "m2", Fraction(1), "m²")
_define("area", "ha", Fraction(10000), "hectare")
_define("slope", "pct", Fraction(1), "%", "percent", "procent")
_define("slope", "permille", Fraction(1, 10), "‰", "promille")
_define("slope", "ratio", Fraction(100), "fraction")
_define("slope", "deg", None, "degree", "degrees", "°", "graden")
_define("illuminance", "lx", Fraction(1), "lux")
_define("luminous_flux", "lm", Fraction(1), "lumen")


def canonical_unit(unit: str) -> str:
    """Return the canonical spelling of a unit (``"centimeter"`` -> ``"cm"``).

    Raises
    ------
    ValueError
        For an unknown unit.
    """
    key = unit.strip().lower()
    if key not in _UNIT_ALIASES:
        known = ", ".join(sorted({canon for _, canon in _UNIT_ALIASES.values()}))
        raise ValueError(f"unknown unit {unit!r} (known: {known})")
    return _UNIT_ALIASES[key][1]


def unit_of(attribute: str) -> str | None:
    """Return the unit in an attribute name (``"width_m"`` -> ``"m"``), or ``None``."""
    suffix = attribute.rsplit("_", 1)[-1].lower() if "_" in attribute else ""
    if suffix in _UNIT_ALIASES and suffix == _UNIT_ALIASES[suffix][1]:
        return suffix
    return None


def convert_unit(value: float, source: str, target: str) -> float:
    """Convert a number between two units of one dimension (``cm`` -> ``m``, ``deg`` -> ``pct``).

    The result is exact for decimal input (``120 cm`` is ``1.2 m``, not ``1.2000000000000002``).
    """
    source, target = canonical_unit(source), canonical_unit(target)
    if source == target:
        return float(value)
    if _UNIT_ALIASES[source][0] != _UNIT_ALIASES[target][0]:
        raise ValueError(f"cannot convert {source} to {target}")
    if source == "deg":
        return convert_unit(math.tan(math.radians(value)) * 100.0, "pct", target)
    if target == "deg":
        return math.degrees(math.atan(convert_unit(value, source, "pct") / 100.0))
    result = Fraction(value) * _UNIT_FACTORS[source] / _UNIT_FACTORS[target]
    return float(round(result, 12)) if result.denominator > 10**12 else float(result)


# --------------------------------------------------------------------------------------------
# the profile format


def name_key(name: Any) -> str:
    """Matching key of a layer or attribute name: case-folded, spaces/dashes as underscores."""
    return re.sub(r"[\s\-]+", "_", str(name).strip()).casefold()


def value_key(value: Any) -> str | None:
    """Matching key of a value for value tables; ``None`` for values that are never mapped."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        if value.is_integer():
            value = int(value)
    if isinstance(value, (int, float, str)):
        return name_key(value)
    return None


def _names(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return (str(value),)
    if isinstance(value, (list, tuple)):
        out = []
        for item in value:
            if not isinstance(item, (str, int, float)) or isinstance(item, bool):
                raise ValueError(f"names must be text, got {item!r}")
            out.append(str(item))
        return tuple(out)
    raise ValueError(f"expected a name or a list of names, got {value!r}")


class AttributeSource(BaseModel):
    """Source name(s) of one target attribute, with the unit the source values are in."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    names: tuple[str, ...] = Field(alias="from", min_length=1)
    unit: str | None = None

    @field_validator("names", mode="before")
    @classmethod
    def _check_names(cls, value: Any) -> tuple[str, ...]:
        return _names(value)

    @field_validator("unit")
    @classmethod
    def _check_unit(cls, value: str | None) -> str | None:
        return None if value is None else canonical_unit(value)


def _sources(value: Any) -> tuple[Any, ...]:
    """Accept ``naam``, ``[naam, name_nl]``, ``{from: b_cm, unit: cm}`` or a list of those."""
    if value is None:
        return ()
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return ({"from": value},)
    if isinstance(value, dict):
        return (value,)
    if isinstance(value, (list, tuple)):
        return tuple({"from": item} if not isinstance(item, (dict, AttributeSource)) else item
                     for item in value)
    return (value,)


def _value_table(value: Any) -> dict[str, Scalar]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError("expected a table of 'source value: target value'")
    out: dict[str, Scalar] = {}
    for raw_key, target in value.items():
        # YAML reads an unquoted yes/no/on/off key as a boolean
        key = ("true" if raw_key else "false") if isinstance(raw_key, bool) else raw_key
        if isinstance(target, (dict, list)):
            raise ValueError(f"the target value of {key!r} must be a single value")
        out[str(key)] = target
    return out


AttributeTable = dict[str, tuple[AttributeSource, ...]]
ValueTables = dict[str, dict[str, Scalar]]


class _Tables(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    attributes: AttributeTable = Field(default_factory=dict)
    values: ValueTables = Field(default_factory=dict)

    @field_validator("attributes", mode="before")
    @classmethod
    def _check_attributes(cls, value: Any) -> Any:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise ValueError("expected a table of 'target attribute: source name(s)'")
        return {str(target): _sources(spec) for target, spec in value.items()}

    @field_validator("values", mode="before")
    @classmethod
    def _check_values(cls, value: Any) -> Any:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise ValueError("expected a table of 'target attribute: {source value: target}'")
        return {str(target): _value_table(table) for target, table in value.items()}


class LayerMapping(_Tables):
    """How to find one target layer (``from``) and the rules that hold only in that layer."""

    names: tuple[str, ...] = Field(default=(), alias="from")

    @model_validator(mode="before")
    @classmethod
    def _empty(cls, value: Any) -> Any:
        return {} if value is None else value

    @field_validator("names", mode="before")
    @classmethod
    def _check_names(cls, value: Any) -> tuple[str, ...]:
        return _names(value)


class MappingProfile(_Tables):
    """A mapping profile: layer renames, attribute renames with units, value tables.

    ``layers`` maps a target layer to its source names and layer-only rules; ``attributes`` and
    ``values`` hold for every layer whose data-profile model has the target attribute (and for
    every layer outside the data profile). ``truncated_names: 10`` also matches every longer
    source name cut to 10 characters (Shapefile field names) where the cut name is unambiguous.
    """

    name: str
    description: str = ""
    layers: dict[str, LayerMapping] = Field(default_factory=dict)
    truncated_names: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _consistent(self) -> MappingProfile:
        _check_profile(self)
        return self


def _check_units(where: str, table: AttributeTable) -> None:
    for target, sources in table.items():
        for source in sources:
            if source.unit is None:
                continue
            target_unit = unit_of(target)
            if target_unit is None:
                raise ValueError(f"{where}.{target}: a unit ({source.unit}) is given but "
                                 f"{target!r} does not end in a unit such as _m, _cm or _pct")
            if _UNIT_ALIASES[source.unit][0] != _UNIT_ALIASES[target_unit][0]:
                raise ValueError(f"{where}.{target}: cannot convert {source.unit} to "
                                 f"{target_unit}")


def _check_profile(profile: MappingProfile) -> None:
    """Reject profiles whose rules contradict each other."""
    seen: dict[str, str] = {}
    for target, layer in profile.layers.items():
        for source in layer.names:
            key = name_key(source)
            other = seen.get(key)
            if other is not None and other != target:
                raise ValueError(f"layers: {source!r} is listed for both {other!r} and {target!r}")
            if key in {name_key(t) for t in profile.layers if t != target} | {
                    name_key(t) for t in LAYER_MODELS if t != target}:
                raise ValueError(f"layers.{target}: {source!r} is itself a target layer name")
            seen[key] = target
    _check_units("attributes", profile.attributes)
    for target, layer in profile.layers.items():
        _check_units(f"layers.{target}.attributes", layer.attributes)
        _duplicate_sources(f"layers.{target}.attributes", layer.attributes,
                           target if target in LAYER_MODELS else None)
    for layer_name in LAYER_MODELS:
        _duplicate_sources("attributes", _global_rules(profile, layer_name), layer_name)


def _duplicate_sources(where: str, table: AttributeTable, layer: str | None) -> None:
    owners: dict[str, str] = {}
    targets = set(attribute_names(layer)) if layer else set()
    targets |= set(table)
    for target, sources in table.items():
        for source in sources:
            for name in source.names:
                key = name_key(name)
                if key in owners and owners[key] != target:
                    extra = f" (layer {layer})" if layer else ""
                    raise ValueError(f"{where}: {name!r} is a source of both {owners[key]!r} "
                                     f"and {target!r}{extra}")
                if key != name_key(target) and key in {name_key(t) for t in targets}:
                    extra = f" in layer {layer}" if layer else ""
                    raise ValueError(f"{where}.{target}: {name!r} is itself an attribute "
                                     f"name{extra}")
                owners[key] = target


def _global_rules(profile: MappingProfile, layer: str) -> AttributeTable:
    """The profile's global attribute rules that apply in ``layer``."""
    if layer not in LAYER_MODELS:
        return dict(profile.attributes)
    own = set(attribute_names(layer))
    return {target: sources for target, sources in profile.attributes.items() if target in own}


# --------------------------------------------------------------------------------------------
# loading


_PROFILE_KEYS = {"name", "description", "layers", "attributes", "values", "truncated_names"}


@lru_cache(maxsize=1)
def shipped_profiles() -> tuple[str, ...]:
    """Names of the mapping profiles shipped with inclusiecheck (``readers/mappings/*.yaml``).

    Files in that folder in another format (``ifc.yaml``, the IFC reader's own rule file) are
    not mapping profiles and are left out.
    """
    folder = resources.files("inclusiecheck.readers") / "mappings"
    names = []
    for item in folder.iterdir():
        if not item.name.endswith(".yaml"):
            continue
        try:
            data = load_text(item.read_text(encoding="utf-8"))
        except YamlProblem:
            continue
        if isinstance(data, dict) and set(data) <= _PROFILE_KEYS:
            names.append(item.name[:-5])
    return tuple(sorted(names))


def _looks_like_path(text: str) -> bool:
    return text.lower().endswith((".yaml", ".yml")) or "/" in text or "\\" in text


def load_mapping(name_or_path: str | Path | MappingProfile) -> MappingProfile:
    """Load a mapping profile by shipped name (``"nl"``, ``"shapefile"``) or from a YAML file.

    Raises
    ------
    InputError
        An unknown name (the message lists the shipped profiles), a missing file, invalid YAML
        (with its line) or a profile that does not follow the format.
    """
    if isinstance(name_or_path, MappingProfile):
        return name_or_path
    if isinstance(name_or_path, Path) or _looks_like_path(str(name_or_path)):
        return _load_file(Path(name_or_path))
    name = str(name_or_path).strip()
    if name in shipped_profiles():
        return _load_shipped(name)
    if Path(name).is_file():
        return _load_file(Path(name))
    raise InputError(f"unknown mapping profile {name!r}; shipped profiles: "
                     f"{', '.join(shipped_profiles())} (or give the path of a YAML file; "
                     "osm, osw and cad-nl read OSM-tagged data, OpenSidewalks and DXF)")


@cache
def _load_shipped(name: str) -> MappingProfile:
    text = (resources.files("inclusiecheck.readers") / "mappings" / f"{name}.yaml").read_text(
        encoding="utf-8")
    return parse_mapping(text, f"mapping profile {name!r}", default_name=name)


def _load_file(path: Path) -> MappingProfile:
    if not path.is_file():
        raise InputError(f"{path}: no such mapping profile file; shipped profiles: "
                         f"{', '.join(shipped_profiles())}")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text; save the mapping profile as UTF-8") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    return parse_mapping(text, str(path), default_name=path.stem)


def parse_mapping(text: str, where: str, default_name: str = "custom") -> MappingProfile:
    """Parse and validate the YAML text of a mapping profile.

    Raises
    ------
    InputError
        Invalid YAML or a profile that does not follow the format; ``where`` names it.
    """
    try:
        data = load_text(text)  # safe loader, alias-bomb and bad-value guards
    except YamlProblem as exc:
        line = f" at line {exc.line}" if exc.line is not None else ""
        raise InputError(f"{where}: invalid YAML{line}: {exc.problem}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError(f"{where}: expected a mapping profile with 'layers', 'attributes' "
                         "and 'values'")
    data.setdefault("name", default_name)
    try:
        return MappingProfile.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        first = errors[0]
        loc = ".".join(str(part) for part in first["loc"])
        message = str(first["msg"]).removeprefix("Value error, ")
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        location = f"{loc}: " if loc else ""
        raise InputError(f"{where}: {location}{message}{more}; shipped profiles: "
                         f"{', '.join(shipped_profiles())}") from None


# --------------------------------------------------------------------------------------------
# applying


@dataclass(frozen=True, slots=True)
class _Rule:
    """One target attribute with its candidate sources, best first."""

    target: str
    candidates: tuple[tuple[str, str | None], ...]  # (name key, source unit)
    target_unit: str | None


@dataclass(frozen=True, slots=True)
class _Compiled:
    rules: tuple[_Rule, ...]
    values: dict[str, dict[str, Scalar]]  # target attribute -> value key -> target value


def _compile_layer(profile: MappingProfile, layer: str) -> _Compiled:
    """Rules for one target layer: layer-only rules first, then global ones, then identities."""
    table: dict[str, list[AttributeSource]] = {}
    layer_mapping = profile.layers.get(layer)
    local = layer_mapping.attributes if layer_mapping else {}
    local_sources = {name_key(n) for sources in local.values() for s in sources for n in s.names}
    for target, sources in local.items():
        table.setdefault(target, []).extend(sources)
    for target, sources in _global_rules(profile, layer).items():
        kept = [AttributeSource(names=tuple(n for n in s.names if name_key(n) not in local_sources),
                                unit=s.unit) for s in sources
                if any(name_key(n) not in local_sources for n in s.names)]
        table.setdefault(target, []).extend(kept)
    if layer in LAYER_MODELS:
        for target in attribute_names(layer):
            table.setdefault(target, [])
    rules = []
    for target, target_sources in table.items():
        candidates: list[tuple[str, str | None]] = [(name_key(target), None)]
        for source in target_sources:
            candidates.extend((name_key(n), source.unit) for n in source.names)
        rules.append(_Rule(target, tuple(dict.fromkeys(candidates)), unit_of(target)))
    if profile.truncated_names:
        rules = _add_truncated(rules, profile.truncated_names)
    values: dict[str, dict[str, Scalar]] = {}
    for tables in (profile.values, layer_mapping.values if layer_mapping else {}):
        for target, mapping in tables.items():
            merged = values.setdefault(target, {})
            merged.update({name_key(k): v for k, v in mapping.items()})
    return _Compiled(tuple(rules), values)


def _add_truncated(rules: list[_Rule], length: int) -> list[_Rule]:
    """Add the cut forms of long source names where exactly one rule and unit claims them."""
    exact = {key for rule in rules for key, _ in rule.candidates}
    claims: dict[str, set[tuple[str, str | None]]] = {}
    for rule in rules:
        for key, unit in rule.candidates:
            if len(key) > length:
                claims.setdefault(key[:length], set()).add((rule.target, unit))
    extra: dict[str, list[tuple[str, str | None]]] = {}
    for cut, owners in claims.items():
        if len(owners) == 1 and cut not in exact:
            target, unit = next(iter(owners))
            extra.setdefault(target, []).append((cut, unit))
    return [_Rule(rule.target, rule.candidates + tuple(extra.get(rule.target, ())),
                  rule.target_unit) for rule in rules]


def _layer_lookup(profile: MappingProfile) -> dict[str, str]:
    lookup = {name_key(name): name for name in LAYER_MODELS}
    lookup.update({name_key(name): name for name in profile.layers})
    for target, layer in profile.layers.items():
        lookup.update({name_key(source): target for source in layer.names})
    return lookup


def _empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    return isinstance(value, float) and math.isnan(value)


def _convert(value: Any, unit: str | None, target_unit: str | None) -> Any:
    """Convert a raw value's unit; values that are not numbers stay raw for the normaliser."""
    if unit is None or target_unit is None or unit == target_unit or _empty(value):
        return value
    if isinstance(value, bool):
        return value
    try:
        number = parse_number(value)
    except ValueError:
        return value
    if number is None:
        return value
    return convert_unit(number, unit, target_unit)


def _same_value(first: Any, second: Any) -> bool:
    """Whether two raw values say the same (``"1,20"`` and ``1.2`` do)."""
    try:
        a, b = parse_number(first), parse_number(second)
    except ValueError:
        a = b = None
    if a is not None and b is not None:
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return value_key(first) == value_key(second)


def _map_value(value: Any, table: dict[str, Scalar] | None) -> Any:
    if not table:
        return value
    key = value_key(value)
    if key is not None and key in table:
        return table[key]
    return value


def _map_properties(properties: dict[str, Any], compiled: _Compiled,
                    warn: Callable[[str], None]) -> dict[str, Any]:
    """Rename, convert and map one feature's properties."""
    by_key: dict[str, str] = {}
    for prop in properties:
        by_key.setdefault(name_key(prop), prop)
    out: dict[str, Any] = {}
    consumed: set[str] = set()
    for rule in compiled.rules:
        found: list[tuple[str, Any]] = []
        for key, unit in rule.candidates:
            name = by_key.get(key)
            if name is None or name in consumed:
                continue
            consumed.add(name)
            found.append((name, _convert(properties[name], unit, rule.target_unit)))
        if not found:
            continue
        filled = [(name, value) for name, value in found if not _empty(value)]
        chosen_name, chosen = (filled or found)[0]
        for name, value in filled[1:]:
            if not _same_value(value, chosen):
                warn(f"{rule.target}: {chosen_name}={chosen!r} used, {name}={value!r} ignored")
        out[rule.target] = chosen
    for name, value in properties.items():
        if name not in consumed and name not in out:
            out[name] = value
    for target, table in compiled.values.items():
        if target in out:
            out[target] = _map_value(out[target], table)
    return out


def apply_mapping(plan: RawPlan, profile: MappingProfile) -> RawPlan:
    """Return a new :class:`RawPlan` with the profile's layer, attribute, value and unit rules.

    Source names match case-insensitively (spaces and dashes read as underscores). When
    several sources of one attribute are filled, the data-profile name wins, then the first
    source listed; a different value in another source gives a ``mapping_conflict`` warning.
    Geometries and source references are shared with the input plan, which is not changed.
    """
    layers = _layer_lookup(profile)
    compiled: dict[str, _Compiled] = {}
    warnings = list(plan.warnings)
    features: list[RawFeature] = []
    for feature in plan.features:
        layer = layers.get(name_key(feature.layer), feature.layer)
        if layer not in compiled:
            compiled[layer] = _compile_layer(profile, layer)

        def warn(message: str, feature: RawFeature = feature, layer: str = layer) -> None:
            warnings.append(ReadWarning(
                "mapping_conflict", f"{message} (mapping profile {profile.name})",
                file=feature.source.file, layer=feature.source.layer or layer,
                feature_id=feature.source.fid))

        properties = _map_properties(feature.properties, compiled[layer], warn)
        features.append(RawFeature(layer=layer, properties=properties,
                                   geometry=feature.geometry, source=feature.source))
    return RawPlan(path=plan.path, crs=plan.crs, features=features, warnings=warnings,
                   metadata=dict(plan.metadata), mapping=plan.mapping)


__all__ = [
    "AttributeSource", "LayerMapping", "MappingProfile", "apply_mapping", "canonical_unit",
    "convert_unit", "load_mapping", "name_key", "parse_mapping", "shipped_profiles", "unit_of",
    "value_key",
]
