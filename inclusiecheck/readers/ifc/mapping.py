"""Map the IFC-lite model onto data-profile layers and attributes with a YAML profile.

The shipped profile is ``inclusiecheck/readers/mappings/ifc.yaml`` (its header documents the
rule format); experts may pass their own. Geometry stays in the model's local metres here;
the reader georeferences it afterwards.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from collections.abc import Iterable

import shapely
from shapely.geometry import Point, Polygon
from shapely.geometry.base import BaseGeometry

from inclusiecheck.model.errors import InputError, ReadWarning
from inclusiecheck.model.safe_yaml import YamlProblem, load_text
from inclusiecheck.readers.ifc.lite import IfcLiteModel, LiteElement, SpatialNode

#: the shipped profile
DEFAULT_PROFILE = Path(__file__).resolve().parents[1] / "mappings" / "ifc.yaml"
#: how far (m) a door may stand from a space's footprint to take its PubliclyAccessible
PUBLIC_SPACE_DISTANCE_M = 0.5
_MATCH_KEYS = {"entity", "predefined_type", "name", "classification", "properties", "contains",
               "without_parts", "footprint"}
_SOURCE_KEYS = {"value", "attribute", "property", "derived"}
_DERIVED = {"clear_width_m", "footprint_width_m", "footprint_length_m", "public", "handrail",
            "slope_from_rise_pct"}


@dataclass(frozen=True, slots=True)
class Rule:
    """One mapping rule: a match, a layer, a geometry kind and attribute sources."""

    layer: str
    match: dict[str, Any]
    geometry: str
    attributes: dict[str, tuple[dict[str, Any], ...]]
    name_re: re.Pattern[str] | None = None
    class_re: re.Pattern[str] | None = None


@dataclass(frozen=True, slots=True)
class MappedFeature:
    """A mapped element: layer, data-profile properties, local geometry, IFC entity, GlobalId."""

    layer: str
    properties: dict[str, Any]
    geometry: BaseGeometry
    entity: str
    global_id: str


@dataclass(slots=True)
class MappingResult:
    features: list[MappedFeature] = field(default_factory=list)
    warnings: list[ReadWarning] = field(default_factory=list)


def _compile(pattern: Any, where: str) -> re.Pattern[str] | None:
    if pattern is None:
        return None
    try:
        return re.compile(str(pattern), re.IGNORECASE)
    except re.error as exc:
        raise InputError(f"{where}: bad regular expression {pattern!r}: {exc}") from exc


def parse_profile(data: Any, where: str) -> tuple[Rule, ...]:
    """Validate a loaded profile and return its rules (raises :class:`InputError`)."""
    from inclusiecheck.model.profile import LAYER_MODELS, attribute_names

    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise InputError(f"{where}: an IFC mapping profile needs a 'rules' list")
    rules = []
    for index, raw in enumerate(data["rules"], start=1):
        label = f"{where}: rule {index}"
        if not isinstance(raw, dict) or raw.get("layer") not in LAYER_MODELS:
            raise InputError(f"{label}: 'layer' must be one of {', '.join(LAYER_MODELS)}")
        match = raw.get("match") or {}
        if not isinstance(match, dict) or set(match) - _MATCH_KEYS:
            raise InputError(f"{label}: unknown match keys {sorted(set(match) - _MATCH_KEYS)}")
        geometry = raw.get("geometry", "point")
        if geometry not in ("point", "footprint", "location"):
            raise InputError(f"{label}: geometry must be point, footprint or location")
        attributes: dict[str, tuple[dict[str, Any], ...]] = {}
        allowed = set(attribute_names(raw["layer"]))
        for name, given in (raw.get("attributes") or {}).items():
            if name not in allowed:
                raise InputError(f"{label}: layer {raw['layer']} has no attribute {name!r}")
            sources = given if isinstance(given, list) else [given]
            for source in sources:
                if not isinstance(source, dict) or len(_SOURCE_KEYS & set(source)) != 1:
                    raise InputError(f"{label}: attribute {name}: each source needs one of "
                                     f"{', '.join(sorted(_SOURCE_KEYS))}")
                if "derived" in source and source["derived"] not in _DERIVED:
                    raise InputError(f"{label}: unknown derived value {source['derived']!r}")
            attributes[name] = tuple(sources)
        rules.append(Rule(raw["layer"], match, geometry, attributes,
                          _compile(match.get("name"), label), _compile(match.get("classification"), label)))
    return tuple(rules)


@lru_cache(maxsize=8)
def _load_cached(path: str) -> tuple[Rule, ...]:
    try:
        data = load_text(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read IFC mapping profile: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: IFC mapping profile is not UTF-8 text") from None
    except YamlProblem as exc:
        line = f":{exc.line}" if exc.line else ""
        raise InputError(f"{path}{line}: invalid IFC mapping profile: "
                         f"{exc.problem}") from None
    return parse_profile(data, path)


def load_profile(path: str | Path | None = None) -> tuple[Rule, ...]:
    """Load an IFC mapping profile (the shipped one by default)."""
    return _load_cached(str(Path(path or DEFAULT_PROFILE).resolve()))


# --------------------------------------------------------------------------- items


@dataclass(slots=True)
class _Item:
    """An element or spatial node seen uniformly by the rules."""

    entity: str
    global_id: str
    name: str | None
    texts: tuple[str, ...]
    predefined_type: str | None
    attributes: dict[str, Any]
    psets: dict[str, dict[str, Any]]
    footprint: BaseGeometry
    location: Point
    container: str | None
    parent: str | None
    classifications: tuple[str, ...]
    element: LiteElement | None


def _item(obj: LiteElement | SpatialNode) -> _Item:
    location = Point(obj.placement[0][3], obj.placement[1][3])
    if isinstance(obj, LiteElement):
        texts = tuple(t for t in (obj.name, obj.object_type, obj.type_name) if t)
        classes = tuple(t for c in obj.classifications for t in (c.identification, c.name) if t)
        return _Item(obj.entity, obj.global_id, obj.name, texts, obj.predefined_type, obj.attributes,
                     obj.psets, obj.footprint, location, obj.container, obj.parent, classes, obj)
    texts = tuple(t for t in (obj.name, obj.long_name) if t)
    attrs = {"LongName": obj.long_name} if obj.long_name else {}
    return _Item(obj.entity, obj.global_id, obj.name, texts, obj.predefined_type, attrs, obj.psets,
                 obj.footprint, location, obj.parent, None, (), None)


def _point_of(item: _Item) -> Point:
    footprint = item.footprint
    if isinstance(footprint, Point) or footprint.is_empty or footprint.area <= 0:
        return item.location
    centroid = footprint.centroid
    return Point(round(centroid.x, 6), round(centroid.y, 6))


class _Context:
    """Indexes the rules need: parts, spaces, their footprints (STRtree) and contents."""

    def __init__(self, model: IfcLiteModel) -> None:
        self.model = model
        self.length = model.length_unit_m
        self.angle = model.angle_unit_rad
        self.spatial = model.spatial_by_id()
        self.elements = {e.global_id: e for e in model.elements}
        self.parts: dict[str, list[LiteElement]] = {}
        for element in model.elements:
            if element.parent:
                self.parts.setdefault(element.parent, []).append(element)
        self.spaces = [s for s in model.spatial if s.entity == "IfcSpace"]
        polygons = [s.footprint if s.footprint.area > 0 else None for s in self.spaces]
        self.space_tree = shapely.STRtree([p if p is not None else Point() for p in polygons])
        self.space_content: dict[str, list[LiteElement]] = {}
        by_container: dict[str, set[str]] = {}
        for element in model.elements:
            if element.container in self.spatial and self.spatial[element.container].entity == "IfcSpace":
                by_container.setdefault(element.container, set()).add(element.global_id)
        if model.elements and self.spaces:
            points = [_point_of(_item(e)) for e in model.elements]
            pairs = self.space_tree.query(points, predicate="within")
            for element_index, space_index in zip(*pairs):
                by_container.setdefault(self.spaces[space_index].global_id, set()).add(
                    model.elements[element_index].global_id)
        for space_id, ids in by_container.items():
            self.space_content[space_id] = [self.elements[i] for i in sorted(ids)]

    def spaces_footprint(self, building_id: str) -> BaseGeometry | None:
        """The union of the polygon footprints of the IfcSpaces under a building, if any."""
        polygons = []
        for space in self.spaces:
            if space.footprint.area <= 0:
                continue
            current, depth = space.parent, 0
            while current and depth < 16 and current != building_id:
                node = self.spatial.get(current)
                current, depth = (node.parent if node is not None else None), depth + 1
            if current == building_id:
                polygons.append(space.footprint)
        if not polygons:
            return None
        return shapely.union_all(polygons)

    def parent_psets(self, item: _Item) -> dict[str, dict[str, Any]]:
        parent = self.elements.get(item.parent) if item.parent else None
        return parent.psets if parent is not None else {}

    def public(self, item: _Item) -> bool | None:
        """PubliclyAccessible of the containing space, else of spaces the element touches."""
        seen = 0
        current = item.container
        while current and seen < 16:
            node = self.spatial.get(current)
            if node is None:
                break
            if node.entity == "IfcSpace":
                value = node.psets.get("Pset_SpaceCommon", {}).get("PubliclyAccessible")
                if isinstance(value, bool):
                    return value
            current = node.parent
            seen += 1
        if not self.spaces:
            return None
        point = _point_of(item)
        near = self.space_tree.query(point, predicate="dwithin", distance=PUBLIC_SPACE_DISTANCE_M)
        values = [self.spaces[i].psets.get("Pset_SpaceCommon", {}).get("PubliclyAccessible")
                  for i in sorted(near)]
        flags = [v for v in values if isinstance(v, bool)]
        if any(flags):
            return True
        if flags:
            return False
        return None


def _matches_spec(element: LiteElement, spec: dict[str, Any]) -> bool:
    entities = spec.get("entity")
    if entities and element.entity not in entities:
        return False
    types = spec.get("predefined_type")
    if types and element.predefined_type not in [str(t).upper() for t in types]:
        return False
    name = spec.get("name")
    if name:
        pattern = re.compile(str(name), re.IGNORECASE)
        if not any(pattern.search(t) for t in (element.name, element.object_type, element.type_name) if t):
            return False
    return True


def _property(item: _Item, key: str, ctx: _Context) -> Any:
    pset, _, prop = str(key).partition(".")
    for psets in (item.psets, ctx.parent_psets(item)):
        if pset == "*":
            for values in psets.values():
                if prop in values:
                    return values[prop]
        elif prop in psets.get(pset, {}):
            return psets[pset][prop]
    return None


def _same(actual: Any, wanted: Any) -> bool:
    if isinstance(wanted, bool) or isinstance(actual, bool):
        if isinstance(actual, str):
            actual = {"true": True, "false": False}.get(actual.strip().lower(), actual)
        return actual is wanted or actual == wanted
    if isinstance(wanted, (int, float)) and isinstance(actual, (int, float)):
        return math.isclose(float(actual), float(wanted), rel_tol=1e-9)
    return str(actual).strip().lower() == str(wanted).strip().lower()


def _matches(rule: Rule, item: _Item, ctx: _Context) -> bool:
    match = rule.match
    entities = match.get("entity")
    if entities and item.entity not in entities:
        return False
    types = match.get("predefined_type")
    if types and item.predefined_type not in [str(t).upper() for t in types]:
        return False
    if rule.name_re is not None and not any(rule.name_re.search(t) for t in item.texts):
        return False
    if rule.class_re is not None and not any(rule.class_re.search(t) for t in item.classifications):
        return False
    for key, wanted in (match.get("properties") or {}).items():
        if not _same(_property(item, key, ctx), wanted):
            return False
    without = match.get("without_parts")
    if without and any(part.entity in without for part in ctx.parts.get(item.global_id, [])):
        return False
    if match.get("footprint") == "polygon" and not isinstance(item.footprint, (Polygon,)) \
            and item.footprint.geom_type != "MultiPolygon":
        return False
    contains = match.get("contains")
    if contains:
        content = ctx.space_content.get(item.global_id, [])
        if not any(_matches_spec(e, contains) for e in content):
            return False
    return True


def _rectangle_sides(geom: BaseGeometry) -> tuple[float, float] | None:
    if geom.is_empty or geom.area <= 0:
        return None
    rect = shapely.minimum_rotated_rectangle(geom)
    coords = list(rect.exterior.coords)
    a = math.dist(coords[0], coords[1])
    b = math.dist(coords[1], coords[2])
    return (min(a, b), max(a, b))


def _derived(name: str, item: _Item, ctx: _Context, warnings: list[ReadWarning], file: str) -> Any:
    if name == "clear_width_m":
        if item.element is None:
            return None
        width, lining = item.element.clear_width_m()
        if width is not None and not lining:
            warnings.append(ReadWarning(
                "ifc_door_width_overall",
                "clear width taken as OverallWidth: no IfcDoorLiningProperties give the lining",
                file=file, layer=item.entity, feature_id=item.global_id))
        return width
    if name in ("footprint_width_m", "footprint_length_m"):
        sides = _rectangle_sides(item.footprint)
        if sides is None:
            return None
        return round(sides[0] if name == "footprint_width_m" else sides[1], 6)
    if name == "public":
        return ctx.public(item)
    if name == "handrail":
        parts = ctx.parts.get(item.global_id, []) + (ctx.parts.get(item.parent, []) if item.parent else [])
        rails = [p for p in parts if p.entity == "IfcRailing"
                 and p.predefined_type in (None, "HANDRAIL", "NOTDEFINED", "USERDEFINED")]
        if not rails:
            return None
        return "one_side" if len(rails) == 1 else "both_sides"
    if name == "slope_from_rise_pct":
        rise = item.element.rise_m if item.element is not None else None
        sides = _rectangle_sides(item.footprint)
        if not rise or sides is None or sides[1] <= 0:
            return None
        return round(rise / sides[1] * 100.0, 3)
    return None


def _source_value(source: dict[str, Any], item: _Item, ctx: _Context,
                  warnings: list[ReadWarning], file: str) -> Any:
    if "value" in source:
        value = source["value"]
    elif "attribute" in source:
        value = item.attributes.get(source["attribute"])
        if value is None and source["attribute"] == "Name":
            value = item.name
    elif "property" in source:
        value = _property(item, source["property"], ctx)
        unit = source.get("unit")
        if isinstance(value, (int, float)) and not isinstance(value, bool) and unit:
            if unit == "length":
                value = value * ctx.length
            elif unit == "area":
                value = value * ctx.length ** 2
            elif unit == "angle":
                value = value * ctx.angle
    else:
        value = _derived(source["derived"], item, ctx, warnings, file)
    if value is None:
        return None
    if isinstance(value, tuple):
        value = value[0] if value else None
        if value is None:
            return None
    if source.get("angle_to_pct") and isinstance(value, (int, float)):
        value = math.tan(float(value)) * 100.0
    if "factor" in source and isinstance(value, (int, float)) and not isinstance(value, bool):
        value = value * float(source["factor"])
    if "values" in source:
        table = {str(k).lower(): v for k, v in source["values"].items()}
        value = table.get(str(value).lower(), table.get("*", value))
    if source.get("integer") and isinstance(value, (int, float)) and not isinstance(value, bool):
        value = int(round(value))
    if isinstance(value, float):
        value = round(value, 6)
    return value


def _geometry(kind: str, item: _Item) -> BaseGeometry:
    if kind == "location":
        return item.location
    if kind == "footprint":
        footprint = item.footprint
        return footprint if not footprint.is_empty and footprint.area > 0 else _point_of(item)
    return _point_of(item)


def map_model(model: IfcLiteModel, rules: Iterable[Rule] | None = None, file: str = "") -> MappingResult:
    """Map every element and spatial node of ``model`` with the first rule that matches."""
    rules = tuple(rules) if rules is not None else load_profile()
    ctx = _Context(model)
    result = MappingResult()
    items = [_item(e) for e in model.elements] + [_item(s) for s in model.spatial]
    for item in items:
        if item.entity == "IfcBuilding" and item.footprint.area <= 0:
            # a building without a body of its own: the outline of its spaces
            outline = ctx.spaces_footprint(item.global_id)
            if outline is not None:
                item.footprint = outline
        for rule in rules:
            if not _matches(rule, item, ctx):
                continue
            properties: dict[str, Any] = {"id": item.global_id}
            if item.name:
                properties["name"] = item.name
            for attribute, sources in rule.attributes.items():
                for source in sources:
                    value = _source_value(source, item, ctx, result.warnings, file)
                    if value is not None:
                        properties[attribute] = value
                        break
            result.features.append(MappedFeature(rule.layer, properties, _geometry(rule.geometry, item),
                                                 item.entity, item.global_id))
            break
    return result
