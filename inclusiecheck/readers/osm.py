"""OpenStreetMap data: OSM XML (``.osm``, ``.osm.xml``) and PBF (``.pbf``, ``.osm.pbf``).

OSM describes the *existing* situation around a plan (the chain of accessibility continues
outside it), so every feature gets ``status: existing`` unless the caller (or ``plan.yaml``:
``osm: {status: new}``) says otherwise.

- OSM XML is streamed with :func:`lxml.etree.iterparse` (no DTD, no entity resolution, no
  network; a DOCTYPE is rejected before any parser sees the file); elements are cleared as
  soon as they are read.
- PBF is read with pyosmium (the ``osm`` extra), imported only when a ``.pbf`` is read.
- Node coordinates are kept in compact arrays (ids, lon, lat), looked up for all way node
  references at once with :func:`numpy.searchsorted`; geometries are built vectorised
  (points, lines, polygons for closed areas). Multipolygon relations are not read (a
  warning counts the ones that would have been mapped).
- Geometries are reprojected from WGS 84 to the local metric CRS exactly like the GIS reader
  (EPSG:3812 inside Belgium, else the WGS 84 UTM zone).
- Tags are classified into data-profile layers and attributes by the shipped tag mapping
  ``readers/mappings/osm-tags.yaml`` (its own format, documented in the file and in
  ``docs/osm.md``). The reader maps itself: ``RawPlan.mapping`` stays ``None``.
"""

from __future__ import annotations

import math
import re
from array import array
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Literal, Union

import numpy as np
import pyproj
import shapely
from lxml import etree
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from shapely.geometry.base import BaseGeometry

from inclusiecheck.model import InputError, RawFeature, RawPlan, ReadWarning, SourceRef
from inclusiecheck.model.profile import LAYER_MODELS, attribute_kind
from inclusiecheck.model.safe_yaml import YamlProblem, load_text
from inclusiecheck.readers import ReadOptions, reader
from inclusiecheck.readers.gis import crs_name, load_plan_metadata, local_metric_crs, repair_geometry
from inclusiecheck.readers.mapping import convert_unit, unit_of
from inclusiecheck.readers.xml_prolog import scan_prolog


#: bytes read to find the root element (XML declaration, comments, DOCTYPE)
PROLOG_LIMIT = 64 * 1024
#: the statuses a caller may give OSM features
STATUSES = ("existing", "new")
#: credit line the ODbL requires wherever OSM data is shown
ATTRIBUTION = "© OpenStreetMap contributors (ODbL)"
PBF_MISSING = "reading .pbf needs the osm extra: pip install 'inclusiecheck[osm]'"

ElementKind = Literal["node", "way", "area"]

# --------------------------------------------------------------------------------------------
# the tag mapping format


Condition = Union[str, list[str], dict[str, list[str]]]


class _Rule(BaseModel):
    """One classification rule of ``osm-tags.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    layer: str
    elements: tuple[Literal["node", "way", "area"], ...]
    match: dict[str, Condition]
    unless: dict[str, Condition] = Field(default_factory=dict)
    as_: dict[Literal["way", "area"], Literal["point", "line"]] = Field(default_factory=dict,
                                                                       alias="as")
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
    try:
        data = load_text(text)
    except YamlProblem as exc:
        line = f":{exc.line}" if exc.line else ""
        raise InputError(f"{where}{line}: invalid YAML: {exc.problem}") from None
    try:
        return TagMapping.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        raise InputError(f"{where}: not an OSM tag mapping: {loc}: {err['msg']}") from None


# --------------------------------------------------------------------------------------------
# tag filters


def _condition_holds(tags: dict[str, str], key: str, condition: Condition) -> bool:
    value = tags.get(key)
    if value is None:
        return False
    if isinstance(condition, str):
        return condition == "*" or value == condition
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


# --------------------------------------------------------------------------------------------
# values

_NUMBER = re.compile(r"^\s*([-+]?\d+(?:[.,]\d+)?|[-+]?[.,]\d+)\s*([^\d\s]*)\s*$")
_UNITS = {"": None, "m": "m", "meter": "m", "meters": "m", "metre": "m", "metres": "m",
          "cm": "cm", "mm": "mm", "km": "km", "%": "pct", "°": "deg", "deg": "deg",
          "‰": "permille"}


class _BadValue(ValueError):
    """A tag value that cannot be read (kept for one aggregated warning)."""


def parse_quantity(text: str, default_unit: str | None, target_unit: str | None) -> float:
    """Parse an OSM quantity (``"1.5"``, ``"150 cm"``, ``"1,5 m"``, ``"5%"``, ``"3°"``).

    A unit in the value wins over ``default_unit``; the result is in ``target_unit`` (when
    both are known).

    Raises
    ------
    ValueError
        For text that is not a number with a known unit (``"up"``, ``"3'6\\""``, ``"narrow"``).
    """
    found = _NUMBER.match(text)
    if found is None:
        raise _BadValue(text)
    number = float(found.group(1).replace(",", "."))
    suffix = found.group(2).lower()
    if suffix not in _UNITS:
        raise _BadValue(text)
    unit = _UNITS[suffix] or default_unit
    if unit is None or target_unit is None or unit == target_unit:
        return number
    try:
        return round(convert_unit(number, unit, target_unit), 9)
    except ValueError:
        raise _BadValue(text) from None


_TRUE = {"yes", "true", "1"}
_FALSE = {"no", "false", "0"}


def _boolean(text: str) -> bool | None:
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    return None


def handrail_sides(tags: dict[str, str]) -> str | None:
    """``both_sides``, ``one_side`` or ``none`` from ``handrail[:left|:right|:center]``.

    ``handrail=yes`` alone says that there is one but not on how many sides: ``None``.
    """
    if tags.get("handrail") == "no":
        return "none"
    left, right = tags.get("handrail:left"), tags.get("handrail:right")
    centre = tags.get("handrail:center", tags.get("handrail:centre"))
    if left is None or right is None:
        return None
    count = sum(value == "yes" for value in (left, right, centre))
    if count >= 2:
        return "both_sides"
    return "one_side" if count == 1 else "none"


def changing_table(tags: dict[str, str]) -> str | None:
    """The profile's ``changing_table`` from ``changing_table`` and ``changing_table:location``.

    ``no`` -> no; ``yes`` with locations only in the women's (men's) toilet -> women_only
    (men_only); in both, or in a unisex, wheelchair or dedicated room -> all; ``yes`` without
    a location -> yes (present, where unknown). Other values (``limited``) give ``None``.
    """
    value = tags.get("changing_table")
    if value == "no":
        return "no"
    if value != "yes":
        return None
    where = {part.strip() for part in tags.get("changing_table:location", "").split(";")
             if part.strip()}
    if not where:
        return "yes"
    if where & {"unisex_toilet", "wheelchair_toilet", "dedicated_room", "room"} or \
            {"female_toilet", "male_toilet"} <= where:
        return "all"
    if where == {"female_toilet"}:
        return "women_only"
    if where == {"male_toilet"}:
        return "men_only"
    return "yes"


# --------------------------------------------------------------------------------------------
# collecting elements


@dataclass(slots=True)
class _Element:
    """A node or way that the tag mapping classifies."""

    kind: ElementKind
    osm_id: int
    tags: dict[str, str]
    rules: list[_Rule]
    lon: float = math.nan
    lat: float = math.nan
    refs: np.ndarray | None = None


@dataclass(slots=True)
class _Collector:
    """Streams nodes, ways and relations in; keeps node coordinates and classified elements."""

    mapping: TagMapping
    node_keys: frozenset[str]
    classifier: Classifier
    ids: array = field(default_factory=lambda: array("q"))
    lons: array = field(default_factory=lambda: array("d"))
    lats: array = field(default_factory=lambda: array("d"))
    node_tags: dict[int, dict[str, str]] = field(default_factory=dict)
    elements: list[_Element] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    relations_skipped: Counter[str] = field(default_factory=Counter)

    def add_location(self, osm_id: int, lon: float, lat: float) -> None:
        """Keep a node's location (duplicates are allowed: the index keeps one)."""
        self.ids.append(osm_id)
        self.lons.append(lon)
        self.lats.append(lat)

    def add_node(self, osm_id: int, lon: float, lat: float, tags: dict[str, str], *,
                 count: bool = True) -> None:
        """Keep a node's location; classify it and keep the tags the way rules read."""
        if count:
            self.counts["node"] += 1
        self.add_location(osm_id, lon, lat)
        if not tags:
            return
        if self.node_keys and not self.node_keys.isdisjoint(tags):
            self.node_tags[osm_id] = {k: tags[k] for k in self.node_keys if k in tags}
        rules = self.classifier.classify(tags, "node")
        if rules:
            self.elements.append(_Element("node", osm_id, tags, rules, lon=lon, lat=lat))

    def add_way(self, osm_id: int, refs: list[int], tags: dict[str, str]) -> bool:
        """Classify a way and keep it if it maps to a layer; return whether it does."""
        self.counts["way"] += 1
        if not tags or len(refs) < 2:
            return False
        closed = len(refs) >= 4 and refs[0] == refs[-1]
        kind: ElementKind = "area" if closed and is_area(tags, self.mapping) else "way"
        rules = self.classifier.classify(tags, kind)
        if not rules:
            return False
        self.elements.append(_Element(kind, osm_id, tags, rules,
                                      refs=np.asarray(refs, dtype=np.int64)))
        return True

    def add_relation(self, tags: dict[str, str]) -> None:
        self.counts["relation"] += 1
        if tags.get("type") not in ("multipolygon", "boundary"):
            return
        for rule in self.classifier.classify(tags, "area"):
            self.relations_skipped[rule.layer] += 1


# --------------------------------------------------------------------------------------------
# OSM XML


def _reject_doctype(path: Path) -> None:
    """Reject a file whose prolog has a DOCTYPE (entities live there), before any parsing."""
    with path.open("rb") as handle:
        raw = handle.read(PROLOG_LIMIT)
    found = scan_prolog(raw.decode("utf-8", "replace").lstrip("\ufeff"))
    if found == "doctype_entities":
        raise InputError(
            f"{path}: OSM XML with a DOCTYPE that declares or loads entities (external "
            "entity or entity-expansion attack?); rejected without expanding it")
    if found == "doctype":
        raise InputError(f"{path}: OSM XML must not have a DOCTYPE; rejected")
    # no root in the prolog window: the parser reports what is wrong


def _read_xml(path: Path, collector: _Collector) -> None:
    """Stream an OSM XML file into ``collector``."""
    _reject_doctype(path)
    context = etree.iterparse(
        str(path), events=("start", "end"), resolve_entities=False, no_network=True,
        load_dtd=False, dtd_validation=False, huge_tree=False, remove_comments=True,
        remove_pis=True)
    root_seen = False
    depth = 0
    try:
        for event, element in context:
            if event == "start":
                if not root_seen:
                    root_seen = True
                    if element.getroottree().docinfo.doctype:
                        raise InputError(f"{path}: OSM XML must not have a DOCTYPE; rejected")
                    if element.tag != "osm":
                        raise InputError(f"{path}: not OpenStreetMap XML (root element "
                                         f"<{element.tag}>, expected <osm>)")
                depth += 1
                continue
            depth -= 1
            if depth != 1:  # only the children of <osm>; their <tag>/<nd> are read with them
                continue
            tag = element.tag
            if tag in ("node", "way", "relation") and element.get("action") != "delete" \
                    and element.get("visible") != "false":
                _xml_element(path, tag, element, collector)
            element.clear(keep_tail=False)
            parent = element.getparent()
            if parent is not None:
                while element.getprevious() is not None:
                    del parent[0]
    except etree.XMLSyntaxError as exc:
        raise InputError(f"{path}: not well-formed XML: {exc}") from None
    if not root_seen:
        raise InputError(f"{path}: empty file; not OpenStreetMap XML")


def _xml_tags(element: Any) -> dict[str, str]:
    return {child.get("k"): child.get("v", "") for child in element.iterchildren("tag")
            if child.get("k")}


def _xml_element(path: Path, tag: str, element: Any, collector: _Collector) -> None:
    try:
        osm_id = int(element.get("id"))
    except (TypeError, ValueError):
        collector.counts["bad_id"] += 1
        return
    if tag == "node":
        try:
            lon, lat = float(element.get("lon")), float(element.get("lat"))
        except (TypeError, ValueError):
            collector.counts["node_without_location"] += 1
            return
        if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
            collector.counts["node_without_location"] += 1
            return
        collector.add_node(osm_id, lon, lat, _xml_tags(element) if len(element) else {})
    elif tag == "way":
        refs = []
        for child in element.iterchildren("nd"):
            try:
                refs.append(int(child.get("ref")))
            except (TypeError, ValueError):
                collector.counts["bad_ref"] += 1
                continue
        collector.add_way(osm_id, refs, _xml_tags(element))
    else:
        collector.add_relation(_xml_tags(element))


# --------------------------------------------------------------------------------------------
# PBF


def _import_osmium() -> Any:
    try:
        import osmium
    except ImportError:
        raise InputError(PBF_MISSING) from None
    return osmium


def _read_pbf(path: Path, collector: _Collector) -> None:
    """Read a PBF (or any format libosmium knows) into ``collector`` with pyosmium."""
    osmium = _import_osmium()

    class Handler(osmium.SimpleHandler):  # type: ignore[misc, name-defined]
        """Untagged nodes are skipped: libosmium keeps every location for the ways."""

        def node(self, n: Any) -> None:
            collector.counts["node"] += 1
            if not len(n.tags) or not n.visible:
                return
            location = n.location
            if not location.valid():
                collector.counts["node_without_location"] += 1
                return
            collector.add_node(n.id, location.lon, location.lat, {t.k: t.v for t in n.tags},
                               count=False)

        def way(self, w: Any) -> None:
            if not len(w.tags) or not w.visible:
                collector.counts["way"] += 1
                return
            nodes = w.nodes
            if collector.add_way(w.id, [nd.ref for nd in nodes], {t.k: t.v for t in w.tags}):
                for nd in nodes:
                    location = nd.location
                    if location.valid():
                        collector.add_location(nd.ref, location.lon, location.lat)

        def relation(self, r: Any) -> None:
            collector.add_relation({t.k: t.v for t in r.tags})

    with path.open("rb") as handle:
        head = handle.read(16)
    if len(head) < 8:
        raise InputError(f"{path}: empty or truncated file; not an OSM PBF")
    try:
        Handler().apply_file(str(path), locations=True)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - libosmium errors on untrusted input
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"{path}: cannot read the OSM PBF ({message}); is the file corrupt?") \
            from None


# --------------------------------------------------------------------------------------------
# geometry


@dataclass(slots=True)
class _Geometries:
    """Metric geometries of the classified elements (index-aligned with the elements)."""

    base: list[BaseGeometry | None]
    crs: pyproj.CRS


def _node_index(collector: _Collector) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Node ids sorted, with lon/lat in the same order (the last of duplicate ids wins)."""
    ids = np.frombuffer(collector.ids, dtype=np.int64)
    lons = np.frombuffer(collector.lons, dtype=np.float64)
    lats = np.frombuffer(collector.lats, dtype=np.float64)
    order = np.argsort(ids, kind="stable")
    ids, lons, lats = ids[order], lons[order], lats[order]
    if len(ids) > 1:
        keep = np.ones(len(ids), dtype=bool)
        keep[:-1] = ids[1:] != ids[:-1]
        ids, lons, lats = ids[keep], lons[keep], lats[keep]
    return ids, lons, lats


def _build_geometries(collector: _Collector, warnings: list[ReadWarning],
                      file: str) -> _Geometries:
    """Resolve way nodes, pick the local metric CRS, reproject, build shapely geometries."""
    ids, lons, lats = _node_index(collector)
    elements = collector.elements
    kinds = np.array([element.kind for element in elements])
    node_at = np.flatnonzero(kinds == "node")
    way_at = np.flatnonzero(kinds != "node")
    # every way node reference at once: one sorted lookup in the node index
    lengths = np.array([len(elements[i].refs) for i in way_at], dtype=np.int64)  # type: ignore[arg-type]
    refs = np.concatenate([elements[i].refs for i in way_at]) if len(way_at) else \
        np.zeros(0, dtype=np.int64)
    ref_owner = np.repeat(way_at, lengths)
    pos = np.searchsorted(ids, refs)
    pos = np.minimum(pos, max(len(ids) - 1, 0))
    found = (ids[pos] == refs) if len(ids) else np.zeros(len(refs), dtype=bool)
    incomplete = np.unique(ref_owner[~found])
    if len(incomplete):
        warnings.append(ReadWarning(
            "osm_missing_nodes", f"{len(incomplete)} ways refer to nodes that are not in the "
            "file (cut off by the extract): lines are drawn from the stretches present, areas "
            "are left out", file=file))
    all_lon = np.concatenate([[elements[i].lon for i in node_at], lons[pos[found]]])
    all_lat = np.concatenate([[elements[i].lat for i in node_at], lats[pos[found]]])
    owner = np.concatenate([node_at, ref_owner[found]]).astype(np.int64)
    order = np.argsort(owner, kind="stable")  # element order; way nodes keep their order
    all_lon, all_lat, owner = all_lon[order], all_lat[order], owner[order]
    bounds = (float(all_lon.min()), float(all_lat.min()), float(all_lon.max()),
              float(all_lat.max()))
    target = local_metric_crs(bounds)
    transformer = pyproj.Transformer.from_crs("EPSG:4326", target, always_xy=True)
    xs, ys = transformer.transform(all_lon, all_lat)
    coords = np.column_stack([np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)])
    warnings.append(ReadWarning(
        "crs_reprojected", f"OpenStreetMap data reprojected from WGS 84 to {crs_name(target)}",
        file=file))
    counts = np.bincount(owner, minlength=len(elements))
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    base: list[BaseGeometry | None] = [None] * len(elements)

    if len(node_at):
        for index, geom in zip(node_at, shapely.points(coords[starts[node_at]])):
            base[index] = geom
    complete = np.ones(len(elements), dtype=bool)
    complete[incomplete] = False
    lines = np.flatnonzero((kinds == "way") & (counts >= 2) & complete)
    if len(lines):
        take = np.isin(owner, lines)
        built = shapely.linestrings(coords[take], indices=np.searchsorted(lines, owner[take]))
        for index, geom in zip(lines, built):
            base[index] = geom
    offsets = dict(zip(way_at.tolist(), (np.cumsum(lengths) - lengths).tolist()))
    for index in incomplete.tolist():
        if kinds[index] != "way":
            continue
        present = found[offsets[index]:offsets[index] + len(elements[index].refs)]  # type: ignore[arg-type]
        block = coords[starts[index]:starts[index] + counts[index]]
        base[index] = _present_stretches(block, present)
    areas = np.flatnonzero((kinds == "area") & (counts >= 4) & complete)
    if len(areas):
        take = np.isin(owner, areas)
        ring_coords = coords[take]
        ring_index = np.searchsorted(areas, owner[take])
        # ways cut by an extract may no longer close; close them again
        first = ring_coords[np.concatenate([[0], np.cumsum(counts[areas])[:-1]])]
        last = ring_coords[np.cumsum(counts[areas]) - 1]
        open_rings = np.any(first != last, axis=1)
        if open_rings.any():
            ring_coords = np.concatenate([ring_coords, first[open_rings]])
            ring_index = np.concatenate([ring_index, np.flatnonzero(open_rings)])
            order = np.argsort(ring_index, kind="stable")
            ring_coords, ring_index = ring_coords[order], ring_index[order]
        built = shapely.polygons(shapely.linearrings(ring_coords, indices=ring_index))
        valid = shapely.is_valid(built)
        for position, (index, geom) in enumerate(zip(areas, built)):
            if not valid[position]:
                fixed = repair_geometry(geom)
                fid = _fid(elements[index])
                if fixed is None:
                    warnings.append(ReadWarning(
                        "geometry_skipped", "area skipped: invalid polygon that cannot be "
                        "repaired", file=file, layer="way", feature_id=fid))
                    continue
                warnings.append(ReadWarning(
                    "geometry_repaired", f"invalid polygon repaired "
                    f"({shapely.is_valid_reason(geom)})", file=file, layer="way",
                    feature_id=fid))
                geom = fixed
            base[index] = geom
    skipped = sum(1 for geom in base if geom is None)
    if skipped:
        warnings.append(ReadWarning(
            "geometry_skipped", f"{skipped} ways skipped: too few of their nodes are in the file "
            "for a line, or an area lacks some", file=file))
    return _Geometries(base=base, crs=target)


def _present_stretches(block: np.ndarray, present: np.ndarray) -> BaseGeometry | None:
    """A line of a way with missing nodes: its stretches of two or more present nodes.

    ``block`` holds the coordinates of the present nodes in order; ``present`` flags each
    node reference of the way. Returns a LineString, a MultiLineString, or ``None``.
    """
    run_id = np.cumsum(~present)[present]  # present nodes between the same gaps share an id
    stretches = [block[run_id == value] for value in np.unique(run_id)]
    stretches = [item for item in stretches if len(item) >= 2]
    if not stretches:
        return None
    if len(stretches) == 1:
        return shapely.linestrings(stretches[0])
    return shapely.multilinestrings([shapely.linestrings(item) for item in stretches])


def _shape_for(rule: _Rule, element: _Element, geom: BaseGeometry) -> BaseGeometry:
    """The geometry a rule gives an element (a way's middle point, an area's outline, ...)."""
    if element.kind == "node":
        return geom
    wanted = rule.as_.get(element.kind)  # type: ignore[call-overload]
    if wanted == "point":
        if element.kind == "way":
            return shapely.line_interpolate_point(geom, 0.5, normalized=True)
        return shapely.point_on_surface(geom)
    if wanted == "line" and element.kind == "area":
        return shapely.boundary(geom) if geom.geom_type == "Polygon" else \
            shapely.multilinestrings([p.exterior for p in geom.geoms])
    return geom


def _fid(element: _Element) -> str:
    return ("n" if element.kind == "node" else "w") + str(element.osm_id)


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
    for tag in (layer_rules.keep if layer_rules else ()):
        if tag in element.tags:
            properties[f"osm:{tag}"] = element.tags[tag]
    return properties


# --------------------------------------------------------------------------------------------
# entry point


@reader("osm", (".osm", ".xml", ".pbf"))
def read_osm_file(path: Path, options: ReadOptions) -> RawPlan:
    """Registry entry point: :func:`read_osm` with the options of ``plan.yaml`` (``osm:``)."""
    return read_osm(path, options)


def read_osm(path: str | Path, options: ReadOptions | None = None, *,
             status: str | None = None, tags: str | Path | None = None) -> RawPlan:
    """Read OpenStreetMap data (OSM XML or PBF) into a :class:`RawPlan` on the data profile.

    Parameters
    ----------
    path
        ``.osm`` / ``.osm.xml`` (or another ``.xml`` whose root is ``<osm>``) or
        ``.pbf`` / ``.osm.pbf``.
    options
        Reader options; ``options.crs`` is not used (OSM is always WGS 84).
    status
        ``existing`` (default: OSM describes the existing situation) or ``new``; else
        ``osm: {status: ...}`` in ``plan.yaml`` beside the file.
    tags
        A custom OSM tag mapping file; else ``osm: {tags: ...}`` in ``plan.yaml`` (relative
        to it), else the shipped ``osm-tags.yaml``.

    Returns
    -------
    RawPlan
        Features in data-profile layers and attributes (``mapping`` is ``None``), in
        EPSG:3812 inside Belgium, else the WGS 84 UTM zone of the data.

    Raises
    ------
    InputError
        Missing, corrupt or unsafe input (a DOCTYPE), no pyosmium for a PBF, an invalid tag
        mapping, or no feature that the tag mapping recognises.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    metadata = load_plan_metadata(path)
    osm_meta = metadata.pop("osm", None) or {}
    if not isinstance(osm_meta, dict):
        raise InputError(f"{path}: 'osm' in plan.yaml must be a mapping such as "
                         "{status: existing, tags: my-tags.yaml}")
    status = str(status or osm_meta.get("status") or "existing").strip().lower()
    if status not in STATUSES:
        raise InputError(f"{path}: OSM status {status!r} unknown; use existing or new")
    if tags is None and osm_meta.get("tags"):
        tags = path.parent / str(osm_meta["tags"])
    mapping = load_tag_mapping(tags)
    metadata.setdefault("data_attribution", ATTRIBUTION)

    collector = _Collector(mapping=mapping, node_keys=mapping.node_tag_keys(),
                           classifier=Classifier(mapping))
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".pbf":
        _read_pbf(path, collector)
    else:
        _read_xml(path, collector)
    file = path.name
    warnings: list[ReadWarning] = []
    if collector.counts["node_without_location"]:
        warnings.append(ReadWarning(
            "osm_node_skipped", f"{collector.counts['node_without_location']} nodes without a "
            "valid location skipped", file=file))
    if collector.counts["bad_id"]:
        warnings.append(ReadWarning(
            "osm_element_skipped", f"{collector.counts['bad_id']} elements without a numeric "
            "id skipped (OpenStreetMap ids are whole numbers); check the export", file=file))
    if collector.counts["bad_ref"]:
        warnings.append(ReadWarning(
            "osm_element_skipped", f"{collector.counts['bad_ref']} way node references that are "
            "not numeric ids ignored; the ways concerned may be incomplete", file=file))
    if collector.relations_skipped:
        listed = ", ".join(f"{count} {layer}" for layer, count in
                           sorted(collector.relations_skipped.items()))
        warnings.append(ReadWarning(
            "osm_relations_skipped", f"multipolygon relations are not read ({listed}); draw "
            "them as closed ways or check them by hand", file=file))
    if not collector.elements:
        raise InputError(
            f"{path}: no OpenStreetMap feature the tag mapping recognises "
            f"({collector.counts['node']} nodes, {collector.counts['way']} ways read); "
            "see docs/osm.md for the tags read")
    geometries = _build_geometries(collector, warnings, file)
    problems = _Problems()
    features: list[RawFeature] = []
    for element, geom in zip(collector.elements, geometries.base):
        if geom is None:
            continue
        nodes = ()
        if element.refs is not None and collector.node_tags:
            nodes = [collector.node_tags[ref] for ref in element.refs.tolist()
                     if ref in collector.node_tags]
        kind = "node" if element.kind == "node" else "way"
        source = SourceRef(file=file, layer=kind, fid=_fid(element),
                           osm_id=f"{kind}/{element.osm_id}")
        for rule in element.rules:
            features.append(RawFeature(
                layer=rule.layer,
                properties=feature_properties(rule, element, mapping, geometry=geom,
                                              nodes=nodes, status=status, problems=problems),
                geometry=_shape_for(rule, element, geom),
                source=source,
            ))
    warnings.extend(problems.warnings(file))
    return RawPlan(path=path, crs=crs_name(geometries.crs), features=features,
                   warnings=warnings, metadata=metadata, mapping=None)


__all__ = [
    "ATTRIBUTION", "Classifier", "PBF_MISSING", "TagMapping", "changing_table", "classify",
    "feature_properties", "handrail_sides", "is_area", "load_tag_mapping", "parse_quantity",
    "parse_tag_mapping", "read_osm", "tags_match",
]
