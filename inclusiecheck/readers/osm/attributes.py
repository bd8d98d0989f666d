"""Data-profile attributes of a classified element, from its tags."""


from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any
from collections.abc import Iterable

from shapely.geometry.base import BaseGeometry

from inclusiecheck.model import ReadWarning
from inclusiecheck.model.profile import LAYER_MODELS, attribute_kind
from inclusiecheck.readers.mapping import unit_of
from inclusiecheck.readers.osm.collect import _Element
from inclusiecheck.readers.osm.geometry import _fid
from inclusiecheck.readers.osm.mapping import TagMapping, _Rule, _Source
from inclusiecheck.readers.osm.values import (
    _BadValue,
    _boolean,
    changing_table,
    handrail_sides,
    parse_quantity,
)

# --------------------------------------------------------------------------------------------
# attributes


@dataclass(slots=True)
class _Problems:
    """Aggregated value problems: one warning per (code, layer, tag) with a count and example."""

    seen: dict[tuple[str, str, str], list[Any]] = field(default_factory=dict)

    def add(self, code: str, layer: str, tag: str, value: str, fid: str) -> None:
        entry = self.seen.setdefault((code, layer, tag), [0, value, fid])
        entry[0] += 1

    def warnings(self, file: str) -> list[ReadWarning]:
        out = []
        for (code, layer, tag), (count, value, fid) in sorted(self.seen.items()):
            what = "cannot be read" if code == "invalid_value" else "is out of the plausible range"
            out.append(ReadWarning(
                code, f"OSM tag {tag}={value!r} {what} ({count} features of layer {layer}, "
                f"e.g. {fid}); left out", file=file, layer=layer, feature_id=fid))
        return out


def _read_source(source: _Source, tags: dict[str, str], attribute: str, layer: str,
                 context: dict[str, Any], problems: _Problems) -> Any:
    """The value of one attribute source, or ``None``."""
    if source.value is not None:
        return source.value
    if source.derived is not None:
        return _derived(source.derived, tags, context)
    if source.nodes_tag is not None:
        values = [v for v in (_convert(source, node.get(source.nodes_tag), attribute, layer,
                                       context["fid"], problems, source.nodes_tag)
                              for node in context["nodes"]) if v is not None]
        if not values:
            return None
        return max(values) if source.aggregate == "max" else min(values)
    assert source.tag is not None
    return _convert(source, tags.get(source.tag), attribute, layer, context["fid"], problems,
                    source.tag)


def _convert(source: _Source, raw: str | None, attribute: str, layer: str, fid: str,
             problems: _Problems, tag: str) -> Any:
    """Convert one tag value by a source's ``values``, ``type`` or the attribute's kind."""
    if raw is None:
        return None
    text = raw.strip()
    if text == "":
        return None
    if source.values is not None:
        table = {str(k).lower(): v for k, v in source.values.items()}
        key = text.lower()
        if key in table:
            return table[key]
        return table.get("*")
    if text.lower() in source.unknown:
        return None
    kind = source.type or attribute_kind(layer, attribute)
    if kind == "boolean":
        return _boolean(text)
    if kind in ("text", "code"):
        return text
    try:
        if kind == "integer":
            number = parse_quantity(text, None, None)
            if abs(number - round(number)) > 1e-9:
                raise _BadValue(text)
            value: float = int(round(number))
        else:
            value = parse_quantity(text, source.unit, unit_of(attribute))
    except ValueError:
        problems.add("invalid_value", layer, tag, text, fid)
        return None
    if source.abs:
        value = abs(value)
    if source.range is not None and not source.range[0] <= value <= source.range[1]:
        problems.add("implausible_value", layer, tag, text, fid)
        return None
    return value


def _derived(name: str, tags: dict[str, str], context: dict[str, Any]) -> Any:
    if name == "handrail_sides":
        return handrail_sides(tags)
    if name == "changing_table":
        return changing_table(tags)
    if name == "way_length_m":
        geom = context["geometry"]
        if geom is None or geom.geom_type not in ("LineString", "MultiLineString"):
            return None
        return round(float(geom.length), 2)
    if name == "trunk_size_m":
        raw = tags.get("circumference")
        if raw is None:
            return None
        try:
            circumference = parse_quantity(raw, "m", "m")
        except ValueError:
            return None
        return round(circumference / math.pi, 2) if 0 < circumference < 50 else None
    return None  # pragma: no cover - the schema allows only the names above


def feature_properties(rule: _Rule, element: _Element, mapping: TagMapping, *,
                       geometry: BaseGeometry | None = None,
                       nodes: Iterable[dict[str, str]] = (), status: str = "existing",
                       problems: _Problems | None = None) -> dict[str, Any]:
    """Data-profile properties of one element under one classification rule.

    ``set`` constants win; then the layer's attribute rules and the common ones fill what
    they can; tags listed under ``keep`` are added as ``osm:<tag>``.
    """
    problems = problems if problems is not None else _Problems()
    layer = rule.layer
    properties: dict[str, Any] = {"status": status}
    properties.update(rule.set)
    context = {"geometry": geometry, "nodes": list(nodes), "fid": _fid(element)}
    layer_rules = mapping.layers.get(layer)
    tables = [layer_rules.attributes if layer_rules else {}, mapping.common.attributes]
    for table in tables:
        for attribute, sources in table.items():
            if attribute in properties or attribute not in LAYER_MODELS[layer].model_fields:
                continue
            for source in sources:
                value = _read_source(source, element.tags, attribute, layer, context, problems)
                if value is not None:
                    properties[attribute] = value
                    break
    for tag in (*(layer_rules.keep if layer_rules else ()), *mapping.common.keep):
        if tag in element.tags:
            properties[f"osm:{tag}"] = element.tags[tag]
    return properties


