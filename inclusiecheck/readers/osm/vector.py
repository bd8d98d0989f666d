"""OSM-tagged vector files: GeoJSON and GeoPackage whose features carry OpenStreetMap tags.

The usual exports of Overpass turbo, MapComplete, uMap, osmtogeojson, QGIS's QuickOSM and
``ogr2ogr`` from an ``.osm`` file are read by the GIS reader (geometry, CRS, reprojection) and
then classified here with an OSM tag mapping (the shipped ``osm-tags.yaml``, OpenSidewalks'
``osw-tags.yaml``, or a custom file in that format), exactly like OSM XML and PBF.

Tags are read flat (``{"highway": "footway", ...}``), nested under ``tags`` (Overpass's own
JSON converted by older tools), or from GDAL's ``other_tags`` hstore column. Ids are read
from ``@id``/``id``/``osm_id`` as ``way/123``, ``w123`` or a number with ``type``/
``osm_type``. Points are OSM nodes, lines ways, polygons areas (so multipolygon relations
exported as polygons are read as areas); a closed line whose tags make it an area becomes a
polygon.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from collections.abc import Iterable, Mapping

import shapely
from shapely.geometry.base import BaseGeometry

from inclusiecheck.model import InputError, RawFeature, ReadWarning, SourceRef
from inclusiecheck.model.profile import LAYER_MODELS
from inclusiecheck.readers.osm import ATTRIBUTION
from inclusiecheck.readers.osm.attributes import _Problems, feature_properties
from inclusiecheck.readers.osm.collect import _Element
from inclusiecheck.readers.osm.geometry import _shape_for
from inclusiecheck.readers.osm.mapping import (
    Classifier, TagMapping, is_area, load_tag_mapping, parse_tag_mapping,
)

#: shipped OSM tag mappings by name (``--mapping osm`` / ``--mapping osw``)
SHIPPED_TAG_MAPPINGS = {"osm": "osm-tags.yaml", "osw": "osw-tags.yaml"}
#: property keys that describe the export, not the feature (never read as tags)
META_KEYS = frozenset({
    "@id", "@type", "@version", "@timestamp", "@changeset", "@user", "@uid", "@relations",
    "id", "type", "osm_id", "osm_type", "full_id", "osm_way_id", "other_tags", "tags", "meta",
    "relations", "timestamp", "version", "changeset", "user", "uid", "fid", "ogc_fid",
})
#: OSM's primary feature keys: present on most features of a layer, they mark it as
#: OpenStreetMap data (attribute-like keys such as surface or wheelchair do not: a design
#: layer may have those)
OSM_KEYS = frozenset({
    "highway", "amenity", "building", "barrier", "railway", "public_transport", "leisure",
    "natural", "man_made", "entrance", "shop", "tourism", "landuse", "area:highway",
})
_ID = re.compile(r"^\s*(?:https?://(?:www\.)?openstreetmap\.org/)?(node|way|relation|[nwr])"
                 r"\s*[/]?\s*(-?\d+)\s*$", re.IGNORECASE)
_KIND = {"n": "node", "w": "way", "r": "relation", "node": "node", "way": "way",
         "relation": "relation"}
_HSTORE = re.compile(r'"((?:[^"\\]|\\.)*)"\s*=>\s*(?:"((?:[^"\\]|\\.)*)"|NULL)')


def is_shipped_tag_mapping(name: str) -> bool:
    return name in SHIPPED_TAG_MAPPINGS


@cache
def _shipped(name: str) -> TagMapping:
    text = (resources.files("inclusiecheck.readers") / "mappings" /
            SHIPPED_TAG_MAPPINGS[name]).read_text(encoding="utf-8")
    return parse_tag_mapping(text, SHIPPED_TAG_MAPPINGS[name])


def load_named_tag_mapping(name_or_path: str | Path | None) -> TagMapping:
    """The OSM tag mapping named ``osm`` (default) or ``osw``, or one from a YAML file."""
    if name_or_path is None or str(name_or_path) == "osm":
        return load_tag_mapping(None)
    if str(name_or_path) in SHIPPED_TAG_MAPPINGS:
        return _shipped(str(name_or_path))
    return load_tag_mapping(name_or_path)


def _text(value: Any) -> str | None:
    """A property value as OSM tag text (``None`` for empty or structured values)."""
    if value is None or isinstance(value, (dict, list)):
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def parse_hstore(text: str) -> dict[str, str]:
    """GDAL's ``other_tags`` column (``"k"=>"v","k2"=>"v2"``) as a dict."""
    return {key.replace('\\"', '"'): value.replace('\\"', '"')
            for key, value in _HSTORE.findall(text or "") if value is not None}


def feature_tags(properties: Mapping[str, Any]) -> dict[str, str]:
    """The OSM tags of one exported feature (flat, nested under ``tags``, ``other_tags``)."""
    tags: dict[str, str] = {}
    nested = properties.get("tags")
    if isinstance(nested, dict):
        for key, value in nested.items():
            text = _text(value)
            if text is not None:
                tags[str(key)] = text
    other = properties.get("other_tags")
    if isinstance(other, str):
        tags.update({k: v for k, v in parse_hstore(other).items() if k not in tags})
    for raw_key, value in properties.items():
        key = str(raw_key)
        if key in META_KEYS or key.startswith(("@", "_")) or key in tags:
            continue
        text = _text(value)
        if text is not None:
            tags[key] = text
    return tags


#: GDAL OSM driver layers (``ogr2ogr`` from .osm/.pbf) -> the kind of their ``osm_id``
_OGR_LAYERS = {"points": "node", "lines": "way", "multilinestrings": "relation",
               "multipolygons": "relation", "other_relations": "relation"}


def osm_identity(properties: Mapping[str, Any], fid: str | None,
                 layer: str | None = None) -> tuple[str, int] | None:
    """``(kind, id)`` of an exported feature from ``@id``, ``id``, ``full_id``, ``osm_id`` with
    ``osm_type``/``type`` (or the GDAL OSM driver's layer: ``points``, ``lines``,
    ``multipolygons`` with ``osm_way_id`` for closed ways), or the GeoJSON feature id; ``None``
    when none says it."""
    way_id = properties.get("osm_way_id")
    if way_id not in (None, ""):
        try:
            return "way", int(str(way_id))
        except ValueError:
            pass
    kind_hint = _OGR_LAYERS.get((layer or "").lower())
    if kind_hint is not None and properties.get("osm_id") not in (None, ""):
        try:
            return kind_hint, int(str(properties["osm_id"]))
        except ValueError:
            pass
    for key in ("@id", "id", "full_id"):
        value = properties.get(key)
        if isinstance(value, str):
            found = _ID.match(value)
            if found:
                return _KIND[found.group(1).lower()], int(found.group(2))
    if fid is not None:
        found = _ID.match(fid)
        if found:
            return _KIND[found.group(1).lower()], int(found.group(2))
    kind = properties.get("osm_type", properties.get("@type", properties.get("type")))
    number = properties.get("osm_id", properties.get("id"))
    if isinstance(kind, str) and kind.lower() in _KIND and number is not None:
        try:
            return _KIND[kind.lower()], int(str(number))
        except ValueError:
            return None
    return None


def _profile_layer(name: str) -> bool:
    return name.strip().lower().replace(" ", "_").replace("-", "_") in LAYER_MODELS


def looks_osm_tagged(layer_name: str, fids: list[str],
                     properties: list[dict[str, Any]]) -> bool:
    """Whether a layer read from a vector file is an OSM export.

    Yes when most features carry an OSM id (``way/123``, ``@id``, ``osm_id`` + type), nested
    ``tags`` or GDAL's ``other_tags``; or, for a layer that is not named after a profile layer,
    when most features carry at least one of the main OSM keys (``highway``, ``amenity``, ...).
    """
    if not properties:
        return False
    sample = range(0, len(properties), max(1, len(properties) // 500))
    names = set().union(*(properties[index] for index in sample))
    if all(type(name) is str for name in names) and OSM_KEYS.isdisjoint(names) \
            and "tags" not in names and "other_tags" not in names:
        return False   # no sampled feature has a main OSM key (flat, nested or in other_tags)
    total = ids = keyed = 0
    for index in sample:
        props = properties[index]
        total += 1
        if (osm_identity(props, fids[index] if index < len(fids) else None,
                         layer_name) is not None
                or isinstance(props.get("tags"), dict) or isinstance(props.get("other_tags"), str)):
            ids += 1
        # a key with no value is no tag (a GeoPackage column is on every feature, empty or
        # not); feature_tags leaves those out and reads nested tags and GDAL's other_tags
        if not OSM_KEYS.isdisjoint(feature_tags(props)):
            keyed += 1
    if ids * 2 > total and keyed:
        return True
    return not _profile_layer(layer_name) and keyed * 2 > total


#: file name endings of an OpenSidewalks dataset
OSW_FILES = (".edges.geojson", ".nodes.geojson", ".points.geojson", ".zones.geojson",
             ".lines.geojson", ".polygons.geojson")


def looks_opensidewalks(features: Iterable[RawFeature]) -> bool:
    """Whether OSM-tagged features come from an OpenSidewalks dataset: OSW's file names
    (``*.edges.geojson``, ...) or its node references ``_u_id``/``_v_id`` on edges."""
    for feature in features:
        name = feature.source.file.lower()
        if name.endswith(OSW_FILES) or "_u_id" in feature.properties:
            return True
    return False


def _element_kind(geom: BaseGeometry, tags: dict[str, str],
                  mapping: TagMapping) -> tuple[str, BaseGeometry]:
    kind = geom.geom_type
    if kind in ("Point", "MultiPoint"):
        return "node", (geom if kind == "Point" else shapely.centroid(geom))
    if kind in ("Polygon", "MultiPolygon"):
        return "area", geom
    if kind == "LineString" and geom.is_closed and len(geom.coords) >= 4 and is_area(tags, mapping):
        polygon = shapely.polygons(geom.coords)
        if polygon.is_valid and polygon.area > 0:
            return "area", polygon
    return "way", geom


@dataclass(slots=True)
class TaggedResult:
    features: list[RawFeature]
    classified: int
    unmapped: int


def classify_features(features: Iterable[RawFeature], mapping: TagMapping, *, status: str,
                      warnings: list[ReadWarning]) -> TaggedResult:
    """Classify OSM-tagged raw features (metric geometry, raw properties) into profile layers.

    Each feature becomes zero, one or more features (a toilet block: building and toilet);
    the source keeps the file and the OSM id (``osm_id: way/123``, fid ``w123``).
    """
    classifier = Classifier(mapping)
    problems = _Problems()
    out: list[RawFeature] = []
    classified = unmapped = tracks = 0
    files: set[str] = set()
    for feature in features:
        files.add(feature.source.file)
        if feature.geometry is None:
            continue
        tags = feature_tags(feature.properties)
        kind, geom = _element_kind(feature.geometry, tags, mapping)
        rules = classifier.classify(tags, kind)  # type: ignore[arg-type]
        if not rules:
            unmapped += 1
            tracks += tags.get("highway") == "track"
            continue
        classified += 1
        identity = osm_identity(feature.properties, feature.source.fid, feature.source.layer)
        osm_id: str | None
        fid: str | None
        if identity is not None:
            osm_kind, number = identity
            fid = osm_kind[0] + str(number)
            osm_id = f"{osm_kind}/{number}"
        else:
            own = feature.properties.get("_id")  # OpenSidewalks' own id
            osm_kind, number, osm_id = kind, 0, None
            fid = str(own) if own not in (None, "") else feature.source.fid
        element = _Element("node" if kind == "node" else kind, number, tags, rules)  # type: ignore[arg-type]
        source = SourceRef(file=feature.source.file,
                           layer=osm_kind if identity is not None else feature.source.layer,
                           fid=fid, osm_id=osm_id)
        for rule in rules:
            out.append(RawFeature(
                layer=rule.layer,
                properties=feature_properties(rule, element, mapping, geometry=geom,
                                              status=status, problems=problems),
                geometry=_shape_for(rule, element, geom),
                source=source,
            ))
    file = next(iter(files)) if len(files) == 1 else ""
    warnings.extend(problems.warnings(file))
    if tracks:
        warnings.append(ReadWarning(
            "osm_track_skipped", f"{tracks} highway=track ways not read (agricultural and "
            "forest tracks); those open to walkers with foot=yes or foot=designated are read as "
            "footpaths", file=file or None))
    if unmapped:
        warnings.append(ReadWarning(
            "osm_unmapped", f"{unmapped} OSM-tagged features have no tag the tag mapping reads "
            "(see docs/osm.md); left out", file=file or None))
    return TaggedResult(out, classified, unmapped)


def osm_status(path: Path, metadata: dict[str, Any]) -> str:
    """``existing`` (OSM describes the existing situation) or ``plan.yaml``'s ``osm: status``."""
    meta = metadata.get("osm") or {}
    if not isinstance(meta, dict):
        raise InputError(f"{path}: 'osm' in plan.yaml must be a mapping such as "
                         "{status: existing, tags: my-tags.yaml}")
    status = str(meta.get("status") or "existing").strip().lower()
    if status not in ("existing", "new"):
        raise InputError(f"{path}: OSM status {status!r} unknown; use existing or new")
    return status


__all__ = ["ATTRIBUTION", "META_KEYS", "OSW_FILES", "SHIPPED_TAG_MAPPINGS", "classify_features",
           "looks_opensidewalks",
           "feature_tags", "load_named_tag_mapping", "looks_osm_tagged", "osm_identity",
           "osm_status", "parse_hstore"]
