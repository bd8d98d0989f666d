"""GIS vector plans: GeoPackage, GeoJSON, Shapefile, or a folder of them.

The reader keeps property names and values exactly as found (the normaliser parses values and
mapping profiles rename them) and brings every geometry to one projected metric CRS:

- a projected metric CRS is kept; when layers use different CRSs, all go to the most common
  one (a ``crs_reprojected`` warning says so);
- geographic (or non-metric projected) data is reprojected to Belgian Lambert 2008
  (EPSG:3812) when it lies inside Belgium, else to its WGS 84 UTM zone;
- a file without a CRS needs ``--crs`` (``ReadOptions.crs``) or ``crs`` in ``plan.yaml``;
  a GeoJSON without a ``crs`` member is WGS 84 (RFC 7946) unless its coordinates cannot be
  longitude/latitude.

GeoPackages and Shapefiles are read with fiona. With pyogrio installed (the ``fast`` extra),
the features of a GeoPackage layer are read through pyogrio's Arrow stream instead, several
times faster, where that gives the very same site model: layers whose fields are all text,
integers, booleans or reals and whose geometries all decode as plain (non-empty, no M, no
curve) geometries; any other layer, and any layer pyogrio fails on, is read with fiona. The
layer list and CRS always come from fiona (the CRS read once per spatial reference system id of
the GeoPackage: GDAL gives all layers of one id the same CRS), the property names from the
GDAL layer definition. ``INCLUSIECHECK_VECTOR_ENGINE=fiona``
turns pyogrio off. GeoJSON is parsed with :mod:`json` (GDAL coerces properties of mixed types,
e.g. ``1`` and ``"1,5"``, and cannot say on which line the JSON is broken). Inputs are only
ever opened for reading.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from collections.abc import Iterable

import numpy as np
import pyproj
import shapely
from pyproj.exceptions import CRSError
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from inclusiecheck.model import InputError, RawFeature, RawPlan, ReadWarning, SourceRef
from inclusiecheck.model.collector import collector_paused
from inclusiecheck.model.safe_yaml import YamlProblem, check_size, load_text
from inclusiecheck.readers import ReadOptions, reader

#: file suffixes read inside a folder plan
VECTOR_SUFFIXES = (".gpkg", ".geojson", ".json", ".shp")
#: largest plausible |x| or |y| in metres in the plan's projected CRS (Earth is ~4e7 m round)
MAX_PROJECTED_COORDINATE_M = 1e8
#: largest |x| or |y| accepted in a source file, in any CRS unit (checked before reprojection)
MAX_SOURCE_COORDINATE = 1e12
#: largest GeoJSON file read (parsed in memory; a GeoPackage has no such limit)
MAX_GEOJSON_BYTES = 256 * 1024 * 1024
#: lon/lat bounds of EPSG:3812's area of use (Belgium, onshore)
BELGIUM_BOUNDS = (2.5, 49.5, 6.4, 51.51)
BELGIAN_LAMBERT_2008 = "EPSG:3812"
#: GeoPackage tables that are not plan layers (QGIS stores styles in the file)
_IGNORED_TABLES = {"layer_styles", "qgis_projects"}
_GEOJSON_GEOMETRY_TYPES = {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon",
                           "MultiPolygon", "GeometryCollection"}
#: .cpg contents (upper case, spaces removed) -> Python codec
_CPG_ALIASES = {
    "UTF8": "utf-8", "UTF-8": "utf-8", "65001": "utf-8",
    "1252": "cp1252", "ANSI1252": "cp1252", "CP1252": "cp1252", "WINDOWS-1252": "cp1252",
    "1250": "cp1250", "ANSI1250": "cp1250", "CP1250": "cp1250",
    "88591": "latin-1", "8859-1": "latin-1", "ISO88591": "latin-1", "ISO-8859-1": "latin-1",
    "LATIN1": "latin-1", "885915": "iso8859-15", "ISO-8859-15": "iso8859-15",
    "437": "cp437", "850": "cp850",
}


@dataclass(slots=True)
class _Layer:
    """One layer as read from one file, before CRS handling."""

    file: str
    layer: str
    crs: pyproj.CRS | None
    geojson_default_crs: bool = False
    from_shapefile: bool = False
    fids: list[str] = field(default_factory=list)
    properties: list[dict[str, Any]] = field(default_factory=list)
    geometries: list[BaseGeometry] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# entry point


@reader("gis", VECTOR_SUFFIXES, folders=True)
def read_gis(path: Path, options: ReadOptions) -> RawPlan:
    """Read a GeoPackage, GeoJSON, Shapefile or a folder of them into a :class:`RawPlan`.

    Parameters
    ----------
    path
        A ``.gpkg`` (every layer), ``.geojson``/``.json`` (features may carry a ``layer``
        property; else the file stem is the layer), ``.shp`` (stem = layer) or a folder of
        such files (file stem = layer name).
    options
        ``options.crs`` is assumed for files without a CRS (and wins over the WGS 84 default
        of a GeoJSON without a ``crs`` member).

    Returns
    -------
    RawPlan
        Features with raw properties, geometries in one projected metric CRS, warnings,
        ``plan.yaml`` metadata and ``mapping="shapefile"`` when a layer came from a Shapefile.

    Raises
    ------
    InputError
        Missing, corrupt or unreadable input, invalid JSON or YAML, a missing or unknown CRS.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    with collector_paused():   # the features made here are all kept: nothing for gc to free
        return _read_gis(path, options)


def _read_gis(path: Path, options: ReadOptions) -> RawPlan:
    metadata = load_plan_metadata(path)
    assumed = _assumed_crs(options, metadata, path)
    warnings: list[ReadWarning] = []
    layers = _read_sources(path, warnings)
    chosen = _resolve_crs(layers, assumed)
    features, crs = _build_features(layers, chosen, warnings,
                                    check_place=options.origin is None)
    tagged = _osm_tagged_layers(layers, options, metadata)
    if tagged:
        features = _classify_osm(path, features, tagged, options, metadata, warnings)
    return RawPlan(
        path=path,
        crs=crs_name(crs),
        features=features,
        warnings=warnings,
        metadata=metadata,
        mapping="shapefile" if any(layer.from_shapefile for layer in layers
                                   if (layer.file, layer.layer) not in tagged) else None,
    )


def _osm_tagged_layers(layers: list[_Layer], options: ReadOptions,
                       metadata: dict[str, Any]) -> set[tuple[str, str]]:
    """The (file, layer) pairs whose features carry OpenStreetMap tags: every layer with
    ``--mapping osm``/``osw`` (or a tag mapping file), else those that look like an OSM export."""
    from inclusiecheck.readers.osm.vector import looks_osm_tagged

    chosen = options.tags is not None or bool((metadata.get("osm") or {}).get("tags")
                                              if isinstance(metadata.get("osm"), dict) else False)
    return {(layer.file, layer.layer) for layer in layers
            if chosen or looks_osm_tagged(layer.layer, layer.fids, layer.properties)}


def _classify_osm(path: Path, features: list[RawFeature], tagged: set[tuple[str, str]],
                  options: ReadOptions, metadata: dict[str, Any],
                  warnings: list[ReadWarning]) -> list[RawFeature]:
    """Classify the features of OSM-tagged layers with the OSM tag mapping (docs/osm.md)."""
    from inclusiecheck.readers.osm.vector import (
        ATTRIBUTION, classify_features, load_named_tag_mapping, looks_opensidewalks, osm_status,
    )

    status = osm_status(path, metadata)
    osm_meta = metadata.pop("osm", None) or {}
    tags = options.tags
    if tags is None and osm_meta.get("tags"):
        base = path if path.is_dir() else path.parent
        tags = str(base / str(osm_meta["tags"]))
    if tags is None and looks_opensidewalks(f for f in features
                                            if (f.source.file, f.source.layer) in tagged):
        tags = "osw"  # OpenSidewalks: its incline is rise over run, not a percentage
    mapping = load_named_tag_mapping(tags)
    metadata.setdefault("data_attribution", ATTRIBUTION if tags != "osw" else
                        "OpenSidewalks data (see its licence; data derived from OpenStreetMap: "
                        + ATTRIBUTION + ")")
    plain = [f for f in features if (f.source.file, f.source.layer) not in tagged]
    result = classify_features(
        (f for f in features if (f.source.file, f.source.layer) in tagged), mapping,
        status=status, warnings=warnings)
    if plain:  # a design plan with OSM data beside it: only the OSM layers are partial
        metadata.setdefault("partial_layers", sorted({f.layer for f in result.features}))
    else:
        metadata.setdefault("data_source", "osw" if tags == "osw" else "osm")
    if not result.classified and not plain:
        raise InputError(
            f"{path}: OpenStreetMap-tagged features, but none has a tag the tag mapping reads "
            f"({result.unmapped} features); see docs/osm.md for the tags read")
    warnings.append(ReadWarning(
        "osm_tagged", f"{result.classified} OpenStreetMap-tagged features read through the "
        f"{'OpenSidewalks' if tags == 'osw' else 'OSM'} tag mapping", file=None))
    return plain + result.features


# --------------------------------------------------------------------------------------------
# plan metadata


def plan_metadata_path(path: Path) -> Path | None:
    """Return the ``plan.yaml`` that belongs to a plan file or folder, if there is one.

    For a folder: ``<folder>/plan.yaml``. For a file: ``<stem>.plan.yaml`` beside it, else
    ``plan.yaml`` beside it.
    """
    if path.is_dir():
        candidates = [path / "plan.yaml"]
    else:
        candidates = [path.with_name(f"{path.stem}.plan.yaml"), path.with_name("plan.yaml")]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    return None


def load_plan_metadata(path: Path) -> dict[str, Any]:
    """Load the plan metadata (``plan.yaml``) of a plan file or folder; ``{}`` if none.

    Raises
    ------
    InputError
        Invalid YAML (with its line) or a document that is not a mapping.
    """
    meta_path = plan_metadata_path(path)
    if meta_path is None:
        return {}
    try:
        too_large = check_size(meta_path.stat().st_size)
        if too_large:
            raise InputError(f"{meta_path}: {too_large}")
        text = meta_path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{meta_path}: not UTF-8 text; save it as UTF-8") from None
    except OSError as exc:
        raise InputError(f"{meta_path}: cannot read ({exc.strerror or exc})") from None
    try:
        data = load_text(text)
    except YamlProblem as exc:
        where = f" at line {exc.line}" if exc.line is not None else ""
        raise InputError(f"{meta_path}: invalid YAML{where}: {exc.problem}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(f"{meta_path}: expected keys such as 'project: ...', "
                         f"found a {type(data).__name__}")
    return {str(key): value for key, value in data.items()}


# --------------------------------------------------------------------------------------------
# CRS helpers


def parse_crs(text: str | int, what: str = "--crs") -> pyproj.CRS:
    """Parse a user-given CRS: ``31370``, ``"EPSG:31370"``, ``"epsg:3812"``, WKT or a URN.

    Raises
    ------
    InputError
        When pyproj does not know the CRS.
    """
    value = str(text).strip()
    if value.isdigit():
        value = f"EPSG:{value}"
    elif value.lower().startswith("epsg:"):
        value = "EPSG:" + value[5:].strip()
    try:
        return pyproj.CRS.from_user_input(value)
    except (CRSError, ValueError, TypeError):
        raise InputError(f"unknown CRS {str(text)!r} ({what}); give an EPSG code such as "
                         "31370 (Belgian Lambert 72) or EPSG:3812 (Lambert 2008)") from None


def crs_name(crs: pyproj.CRS) -> str:
    """Return ``"EPSG:nnnn"`` (or another ``AUTHORITY:code``) for a CRS, else its WKT."""
    epsg = crs.to_epsg()
    if epsg is not None:
        return f"EPSG:{epsg}"
    authority = crs.to_authority()
    if authority is not None:
        return f"{authority[0]}:{authority[1]}"
    return crs.to_wkt()


@lru_cache(maxsize=32)
def cached_transformer(source: pyproj.CRS, target: pyproj.CRS | str = "EPSG:4326"
                       ) -> pyproj.Transformer:
    """``pyproj.Transformer.from_crs(source, target, always_xy=True)``, made once per pair of
    CRSs and reused (making one looks its operations up in PROJ's database: about 15 ms,
    which every layer of every plan paid once or twice, some 0.25 s of a small plan's check;
    a CRS is a key by its WKT). A transformer may be shared between threads (pyproj 3.1 and
    later: each thread gets its own PROJ object, so a new thread makes its own once)."""
    return pyproj.Transformer.from_crs(source, target, always_xy=True)


def _horizontal(crs: pyproj.CRS) -> pyproj.CRS:
    """Return the horizontal part of a compound CRS (the CRS itself otherwise)."""
    if crs.is_compound and crs.sub_crs_list:
        return crs.sub_crs_list[0]
    return crs


def is_metric_projected(crs: pyproj.CRS) -> bool:
    """Whether a CRS is projected with metre axes (kept as is by the reader)."""
    crs = _horizontal(crs)
    if not crs.is_projected:
        return False
    return all(abs(axis.unit_conversion_factor - 1.0) < 1e-12 for axis in crs.axis_info[:2])


def local_metric_crs(lon_lat_bounds: tuple[float, float, float, float]) -> pyproj.CRS:
    """Return EPSG:3812 for data inside Belgium, else the WGS 84 UTM zone of its centre.

    Parameters
    ----------
    lon_lat_bounds
        ``(min_lon, min_lat, max_lon, max_lat)`` of the data.
    """
    min_x, min_y, max_x, max_y = lon_lat_bounds
    b_min_x, b_min_y, b_max_x, b_max_y = BELGIUM_BOUNDS
    if min_x >= b_min_x and min_y >= b_min_y and max_x <= b_max_x and max_y <= b_max_y:
        return pyproj.CRS.from_user_input(BELGIAN_LAMBERT_2008)
    lon = (min_x + max_x) / 2.0
    lat = (min_y + max_y) / 2.0
    zone = int(np.floor((lon + 180.0) / 6.0)) % 60 + 1
    return pyproj.CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)


def _assumed_crs(options: ReadOptions, metadata: dict[str, Any], path: Path) -> pyproj.CRS | None:
    """The CRS to assume for files without one: ``options.crs``, else ``crs`` in plan.yaml."""
    if options.crs:
        return parse_crs(options.crs, "--crs")
    if metadata.get("crs") not in (None, ""):
        meta_path = plan_metadata_path(path)
        return parse_crs(metadata["crs"], f"crs in {meta_path.name if meta_path else 'plan.yaml'}")
    return None


# --------------------------------------------------------------------------------------------
# sources


def _relative(file: Path, root: Path) -> str:
    """File name relative to the plan path, posix style (never absolute)."""
    base = root if root.is_dir() else root.parent
    try:
        return file.relative_to(base).as_posix()
    except ValueError:
        return file.name


def _read_sources(path: Path, warnings: list[ReadWarning]) -> list[_Layer]:
    """Read every layer of a plan file or folder."""
    if not path.is_dir():
        return _read_file(path, _relative(path, path), single=True, warnings=warnings)
    layers: list[_Layer] = []
    named = sorted((item for item in path.iterdir()
                    if not item.name.startswith(".") and item.suffix.lower() in VECTOR_SUFFIXES),
                   key=lambda item: item.name)
    candidates = [item for item in named if item.is_file()]
    for item in named:
        if not item.is_file() and not item.is_dir():  # a FIFO or a device: never opened
            warnings.append(ReadWarning("file_unreadable", f"{_relative(item, path)}: not a "
                                        "regular file (a pipe or a device); file skipped",
                                        file=_relative(item, path)))
    errors: list[str] = []
    for item in candidates:
        rel = _relative(item, path)
        try:
            layers.extend(_read_file(item, rel, single=False, warnings=warnings))
        except _Unreadable as exc:
            errors.append(str(exc))
            warnings.append(ReadWarning("file_unreadable", f"{exc}; file skipped", file=rel))
    if not layers:
        detail = f" ({errors[0]})" if errors else ""
        raise InputError(f"{path}: no readable GeoPackage, GeoJSON or Shapefile in this "
                         f"folder{detail}")
    return layers


class _Unreadable(InputError):
    """A file that cannot be read at all (skipped with a warning inside a folder plan)."""


def _read_file(file: Path, rel: str, *, single: bool,
               warnings: list[ReadWarning] | None = None) -> list[_Layer]:
    suffix = file.suffix.lower()
    if suffix == ".gpkg":
        return _read_geopackage(file, rel)
    if suffix == ".shp":
        return [_read_shapefile(file, rel, warnings)]
    return _read_geojson(file, rel, layer_property=single)


def _fiona_error(rel: str, what: str, exc: Exception) -> _Unreadable:
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return _Unreadable(f"{rel}: {what} ({message})")


def _read_geopackage(file: Path, rel: str) -> list[_Layer]:
    import fiona

    with file.open("rb") as handle:
        header = handle.read(16)
    if not header.startswith(b"SQLite format 3"):
        raise _Unreadable(f"{rel}: not a GeoPackage (not an SQLite file); is the file corrupt?")
    try:
        names = fiona.listlayers(str(file))
    except Exception as exc:  # noqa: BLE001 - any GDAL failure on untrusted input
        raise _fiona_error(rel, "cannot read the GeoPackage; is the file corrupt?", exc) from None
    fast = vector_engine() == "pyogrio"
    srs_ids = _geometry_srs_ids(file) if fast else {}
    crs_of_srs: dict[int, pyproj.CRS | None] = {}
    layers = []
    for name in names:
        if name in _IGNORED_TABLES:
            continue
        layer = _read_pyogrio_layer(file, rel, name, srs_ids.get(name), crs_of_srs) \
            if fast else _FIONA
        if layer is _FIONA:
            layer = _read_fiona_layer(file, rel, name, name, encoding=None)
        if layer is not None:
            layers.append(layer)
    if not layers:
        raise _Unreadable(f"{rel}: the GeoPackage has no layers with geometry")
    return layers


def shapefile_encoding(file: Path) -> str | None:
    """Return the Python codec named by a Shapefile's ``.cpg``, or ``None`` (let GDAL decide)."""
    for cpg in (file.with_suffix(".cpg"), file.with_suffix(".CPG")):
        if cpg.is_file():
            try:
                text = cpg.read_bytes().decode("ascii", errors="ignore").strip()
            except OSError:
                return None
            key = text.upper().replace(" ", "").replace("_", "-")
            codec = _CPG_ALIASES.get(key) or _CPG_ALIASES.get(key.replace("-", ""))
            if codec is None:
                try:
                    import codecs

                    codec = codecs.lookup(text).name
                except LookupError:
                    return None
            return codec
    return None


def _read_shapefile(file: Path, rel: str, warnings: list[ReadWarning] | None = None) -> _Layer:
    layer = _read_fiona_layer(file, rel, None, file.stem, encoding=shapefile_encoding(file))
    if layer is None:
        raise _Unreadable(f"{rel}: the Shapefile has no geometry")
    layer.from_shapefile = True
    if warnings is not None:
        warnings.extend(shapefile_losses(file, rel, len(layer.fids)))
    return layer


def _sibling(file: Path, suffix: str) -> Path | None:
    """The file beside ``file`` with ``suffix`` in any letter case, if there is one."""
    for candidate in (file.with_suffix(suffix), file.with_suffix(suffix.upper())):
        if candidate.is_file():
            return candidate
    return None


def shapefile_losses(file: Path, rel: str, read: int) -> list[ReadWarning]:
    """Warnings for what a Shapefile loses without a word from GDAL: features beyond a
    truncated ``.dbf`` (or ``.shp``), and every attribute when the ``.dbf`` is missing.

    The expected count is the number of shapes in the ``.shx`` index (100-byte header, 8 bytes
    per record) and the record count in the ``.dbf`` header.
    """
    import struct

    found: list[ReadWarning] = []
    shapes: int | None = None
    shx = _sibling(file, ".shx")
    if shx is not None:
        shapes = max((shx.stat().st_size - 100) // 8, 0)
    dbf = _sibling(file, ".dbf")
    if dbf is None:
        found.append(ReadWarning(
            "attributes_missing", f"{rel}: no .dbf beside the .shp: the attributes of all "
            f"{read} features are missing (copy the .dbf with the same name)", file=rel,
            layer=file.stem))
    else:
        try:
            with dbf.open("rb") as handle:
                header = handle.read(12)
            size = dbf.stat().st_size
        except OSError:
            header, size = b"", 0
        if len(header) == 12:
            declared, header_len, record_len = struct.unpack("<IHH", header[4:12])
            available = max((size - header_len) // record_len, 0) if record_len else declared
            if available < declared:
                found.append(ReadWarning(
                    "features_lost", f"{rel}: the .dbf is truncated ({available} of {declared} "
                    "records present); re-export the Shapefile", file=rel, layer=file.stem))
            shapes = declared if shapes is None else max(shapes, declared)
    if shapes is not None and read < shapes:
        found.append(ReadWarning(
            "features_lost", f"{rel}: only {read} of {shapes} features could be read "
            f"({shapes - read} lost: the .shp, .shx or .dbf is incomplete); re-export the "
            "Shapefile", file=rel, layer=file.stem))
    return found


def _read_fiona_layer(file: Path, rel: str, source_layer: str | None, label: str,
                      encoding: str | None) -> _Layer | None:
    """Read one fiona layer; ``None`` for a table without geometry."""
    import fiona

    kwargs: dict[str, Any] = {}
    if source_layer is not None:
        kwargs["layer"] = source_layer
    if encoding is not None:
        kwargs["encoding"] = encoding
    records: list[tuple[str, Any, dict[str, Any]]] = []
    try:
        with fiona.open(str(file), "r", **kwargs) as src:
            if src.schema.get("geometry") in (None, "None"):
                return None
            crs = _fiona_crs(src, rel)
            for feature in src:
                records.append((str(feature.id), feature.geometry,
                                dict(feature.properties or {})))
    except InputError:
        raise
    except UnicodeDecodeError as exc:
        hint = f" with encoding {encoding} (from the .cpg)" if encoding else ""
        raise _Unreadable(f"{rel}: cannot decode the attribute text{hint} ({exc.reason})") from None
    except Exception as exc:  # noqa: BLE001 - any GDAL failure on untrusted input
        kind = "the GeoPackage layer " + repr(label) if source_layer else "the file"
        raise _fiona_error(rel, f"cannot read {kind}; is it corrupt or incomplete?", exc) from None
    layer = _Layer(file=rel, layer=label, crs=crs)
    for fid, geometry, properties in records:
        layer.fids.append(fid)
        layer.properties.append(properties)
        layer.geometries.append(geometry)
    return layer


def vector_engine() -> str:
    """``pyogrio`` when pyogrio and pyarrow are installed (the ``fast`` extra) and
    ``INCLUSIECHECK_VECTOR_ENGINE`` is not ``fiona``; else ``fiona``."""
    if os.environ.get("INCLUSIECHECK_VECTOR_ENGINE", "").strip().lower() == "fiona":
        return "fiona"
    try:
        import pyarrow  # noqa: F401
        import pyogrio  # noqa: F401
    except ImportError:
        return "fiona"
    return "pyogrio"


#: read this layer with fiona (pyogrio would not give the same features, or failed)
_FIONA: Any = object()
#: OGR field types (and subtypes) whose values pyogrio's Arrow stream gives as fiona does:
#: text, integers (booleans and 16-bit too), 64-bit integers, reals (32-bit too)
_PYOGRIO_FIELDS = {("OFTString", "OFSTNone"), ("OFTInteger", "OFSTNone"),
                   ("OFTInteger", "OFSTBoolean"), ("OFTInteger", "OFSTInt16"),
                   ("OFTInteger64", "OFSTNone"), ("OFTReal", "OFSTNone"),
                   ("OFTReal", "OFSTFloat32")}
#: plain geometry types (Point ... GeometryCollection): no curves, no surfaces
_PLAIN_TYPE_IDS = frozenset(range(8))


def _geometry_srs_ids(file: Path) -> dict[str, int]:
    """The spatial reference system id of each geometry table of a GeoPackage, from its
    ``gpkg_geometry_columns`` table (read-only); ``{}`` when that cannot be read."""
    import sqlite3
    from urllib.parse import quote

    try:
        uri = f"file:{quote(str(file.resolve()))}?mode=ro"
        connection = sqlite3.connect(uri, uri=True)
        try:
            rows = connection.execute(
                "SELECT table_name, srs_id FROM gpkg_geometry_columns").fetchall()
        finally:
            connection.close()
    except Exception:  # noqa: BLE001 - not a conforming GeoPackage: fiona reads each layer's CRS
        return {}
    found: dict[str, int] = {}
    for table, srs_id in rows:
        if isinstance(table, str) and type(srs_id) is int:
            found[table] = srs_id
    return found


def _read_pyogrio_layer(file: Path, rel: str, name: str, srs_id: int | None = None,
                        crs_of_srs: dict[int, pyproj.CRS | None] | None = None
                        ) -> _Layer | None:
    """One GeoPackage layer through pyogrio, or :data:`_FIONA` where fiona must read it.

    The schema and CRS are read with fiona (as :func:`_read_fiona_layer` does), the features
    in one Arrow batch; the result is the :class:`_Layer` fiona would give: the same feature
    ids, property names, order and Python values, and the same geometries (decoded from WKB
    here, from fiona's GeoJSON-like mapping there).

    ``srs_id``: the layer's spatial reference system id in ``gpkg_geometry_columns`` (a table
    listed there has a geometry column). GDAL gives every layer of one ``srs_id`` the same
    CRS, so fiona opens only the first layer of each ``srs_id`` (opening a GeoPackage costs
    about 6 ms a layer); its CRS is kept in ``crs_of_srs`` for the other layers, whose property
    names are pyogrio's (both read GDAL's layer definition).
    """
    import fiona

    try:
        known = srs_id is not None and crs_of_srs is not None and srs_id in crs_of_srs
        names: list[str] | None = None
        if known:
            crs = crs_of_srs[srs_id]  # type: ignore[index]
        else:
            with fiona.open(str(file), "r", layer=name) as src:
                if src.schema.get("geometry") in (None, "None"):
                    return None
                crs = _fiona_crs(src, rel)
                names = list(src.schema["properties"])
            if srs_id is not None and crs_of_srs is not None:
                crs_of_srs[srs_id] = crs
        import pyogrio

        meta, table = pyogrio.read_arrow(str(file), layer=name, return_fids=True)
        fields = [str(f) for f in meta["fields"]]
        if names is None:
            names = fields
        kinds = set(zip(meta["ogr_types"], meta["ogr_subtypes"]))
        if fields != names or not kinds <= _PYOGRIO_FIELDS or table.column_names != [
                meta["fid_column"] or "OGC_FID", *fields, meta["geometry_name"] or "wkb_geometry"]:
            return _FIONA
        wkb = table.column(len(fields) + 1).to_numpy(zero_copy_only=False)
        geoms = shapely.from_wkb(wkb)
        present = geoms[~shapely.is_missing(geoms)]
        if present.size and (shapely.is_empty(present).any() or not set(
                np.unique(shapely.get_type_id(present)).tolist()) <= _PLAIN_TYPE_IDS
                or _has_m(present)):
            return _FIONA
        fids = [str(v) for v in table.column(0).to_pylist()]
        columns = [table.column(k + 1).to_pylist() for k in range(len(fields))]
    except InputError:
        raise
    except Exception:  # noqa: BLE001 - whatever pyogrio cannot read, fiona reads (or reports)
        return _FIONA
    layer = _Layer(file=rel, layer=name, crs=crs)
    layer.fids = fids
    layer.properties = [dict(zip(fields, row)) for row in zip(*columns)] if fields \
        else [{} for _ in fids]
    layer.geometries = geoms.tolist()
    return layer


def _has_m(geoms: np.ndarray) -> bool:
    has_m = getattr(shapely, "has_m", None)   # shapely >= 2.1 keeps M values from WKB
    return bool(has_m(geoms).any()) if has_m is not None else False


def _fiona_crs(src: Any, rel: str) -> pyproj.CRS | None:
    wkt = src.crs_wkt if src.crs else ""
    if not wkt:
        return None
    try:
        return pyproj.CRS.from_wkt(wkt)
    except CRSError:
        raise InputError(f"{rel}: unknown CRS in the file; give one with --crs, "
                         "e.g. --crs 31370") from None


def _geojson_crs(member: Any, rel: str) -> pyproj.CRS:
    """Parse a (pre-RFC 7946) GeoJSON ``crs`` member."""
    name: Any = None
    if isinstance(member, dict):
        props = member.get("properties") or {}
        kind = str(member.get("type", "")).lower()
        if kind == "name":
            name = props.get("name")
        elif kind == "epsg":
            name = f"EPSG:{props.get('code')}"
        elif isinstance(member.get("properties"), dict):
            name = props.get("name") or props.get("code")
    elif isinstance(member, str):
        name = member
    if name in (None, ""):
        raise InputError(f"{rel}: unknown CRS in the 'crs' member; give one with --crs, "
                         "e.g. --crs 31370")
    return parse_crs(name, f"the 'crs' member of {rel}")


def _json_int(text: str) -> int | float:
    """JSON integers: a very long one (over 4,300 digits Python refuses to convert) becomes
    a float (infinity), which the normaliser reports as not a finite number."""
    if len(text) > 300:
        return float(text)
    return int(text)


def _read_limited(file: Path, rel: str, limit: int) -> bytes:
    """The file's bytes, refusing more than ``limit`` (a symlink to /dev/zero never ends)."""
    try:
        with file.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise _Unreadable(f"{rel}: cannot read ({exc.strerror or exc})") from None
    if len(data) > limit:
        raise _Unreadable(f"{rel}: larger than {limit // (1024 * 1024)} MB, the GeoJSON size "
                          "limit; convert it to a GeoPackage or split it")
    return data


_OSM_LAYER_TAG = re.compile(r"^\s*[-+]?\d+(?:\.\d+)?\s*$")


def _layer_selector(value: Any, osm_export: bool) -> bool:
    """Whether a GeoJSON feature's ``layer`` property selects its layer.

    It does when its value names a profile layer or an alias of a shipped mapping profile.
    A number (``-1``, ``1``) is OpenStreetMap's ``layer`` tag (the vertical order of crossing
    ways) and stays a property, and so does any other value in an OSM export (a feature with
    an OSM id). Another word in a design file still selects (the normaliser then warns about
    the unknown layer, or a custom mapping profile renames it).
    """
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return False
    text = str(value)
    if _name_key(text) in _known_layer_names():
        return True
    return not osm_export and not _OSM_LAYER_TAG.match(text)


def _name_key(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


@lru_cache(maxsize=1)
def _known_layer_names() -> frozenset[str]:
    """Profile layer names and the layer aliases of the shipped mapping profiles."""
    from inclusiecheck.model.profile import LAYER_MODELS
    from inclusiecheck.readers.mapping import load_mapping, shipped_profiles

    names = {_name_key(name) for name in LAYER_MODELS}
    for profile in shipped_profiles():
        try:
            loaded = load_mapping(profile)
        except InputError:
            continue
        for layer in loaded.layers.values():
            names.update(_name_key(alias) for alias in layer.names)
    return frozenset(names)


def _osm_export_feature(feature: dict[str, Any], properties: dict[str, Any]) -> bool:
    fid = feature.get("id")
    if isinstance(fid, str) and re.match(r"^(node|way|relation)/-?\d+$", fid):
        return True
    return "@id" in properties or isinstance(properties.get("tags"), dict)


def _read_geojson(file: Path, rel: str, *, layer_property: bool) -> list[_Layer]:
    data_bytes = _read_limited(file, rel, MAX_GEOJSON_BYTES)
    if not data_bytes.strip():
        raise _Unreadable(f"{rel}: the file is empty")
    if data_bytes.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _Unreadable(f"{rel}: UTF-16 text; GeoJSON must be UTF-8 (save it as UTF-8)")
    try:
        text = data_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _Unreadable(f"{rel}: not UTF-8 text (byte {exc.start}); GeoJSON must be UTF-8 "
                          "(re-save it as UTF-8, e.g. from Windows-1252)") from None
    try:
        data = json.loads(text, parse_int=_json_int)
    except json.JSONDecodeError as exc:
        raise _Unreadable(f"{rel}: invalid JSON at line {exc.lineno}, column {exc.colno}: "
                          f"{exc.msg}") from None
    except RecursionError:
        raise _Unreadable(f"{rel}: invalid JSON (nested too deeply)") from None
    if not isinstance(data, dict) or "type" not in data:
        raise _Unreadable(f"{rel}: not GeoJSON (expected an object with \"type\": "
                          "\"FeatureCollection\")")
    kind = data.get("type")
    if kind == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list):
            raise _Unreadable(f"{rel}: not GeoJSON (\"features\" must be a list)")
    elif kind == "Feature":
        features = [data]
    elif kind in _GEOJSON_GEOMETRY_TYPES:
        features = [{"type": "Feature", "geometry": data, "properties": {}}]
    else:
        raise _Unreadable(f"{rel}: not GeoJSON (unknown type {kind!r})")
    crs_member = data.get("crs")
    crs = _geojson_crs(crs_member, rel) if crs_member is not None else None
    default_layer = file.stem
    layers: dict[str, _Layer] = {}
    for index, feature in enumerate(features):
        if not isinstance(feature, dict):
            continue
        properties = feature.get("properties")
        properties = dict(properties) if isinstance(properties, dict) else {}
        name = default_layer
        if layer_property:
            key = next((k for k in properties if k.lower() == "layer"), None)
            if key is not None and properties[key] not in (None, "") and \
                    _layer_selector(properties[key], _osm_export_feature(feature, properties)):
                name = str(properties.pop(key)).strip() or default_layer
        layer = layers.get(name)
        if layer is None:
            layer = layers[name] = _Layer(file=rel, layer=name, crs=crs,
                                          geojson_default_crs=crs is None)
        fid = feature.get("id")
        layer.fids.append(str(index) if fid is None else str(fid))
        layer.properties.append(properties)
        layer.geometries.append(feature.get("geometry"))
    if not layers:
        layers[default_layer] = _Layer(file=rel, layer=default_layer, crs=crs,
                                       geojson_default_crs=crs is None)
    return list(layers.values())


# --------------------------------------------------------------------------------------------
# geometry


def _decode(geometry: Any) -> tuple[BaseGeometry | None, str | None]:
    """The shapely geometry of a fiona or GeoJSON geometry (a shapely one as it is)."""
    if geometry is None:
        return None, "no geometry"
    if isinstance(geometry, BaseGeometry):   # decoded already (pyogrio's WKB)
        return geometry, None
    try:
        return shape(_mapping(geometry)), None
    except Exception as exc:  # noqa: BLE001 - malformed coordinates of any kind
        return None, f"malformed geometry ({str(exc).strip() or type(exc).__name__})"


def _checked(geoms: list[BaseGeometry]) -> list[tuple[BaseGeometry | None, str | None]]:
    """Refuse empty geometries and coordinates that are not finite or out of range, in that
    order of reasons (all geometries at once)."""
    array = np.empty(len(geoms), dtype=object)
    array[:] = geoms
    empty = shapely.is_empty(array)
    xy, owner = shapely.get_coordinates(array, return_index=True)
    bad = np.zeros(len(geoms), dtype=bool)
    bad[owner[~np.isfinite(xy).all(axis=1)]] = True
    far = np.zeros(len(geoms), dtype=bool)
    # no CRS has such coordinates; GEOS would overflow on them
    far[owner[(np.abs(xy) > MAX_SOURCE_COORDINATE).any(axis=1)]] = True
    if not (empty.any() or bad.any() or far.any()):
        return [(geom, None) for geom in geoms]
    out: list[tuple[BaseGeometry | None, str | None]] = []
    for geom, is_empty, not_finite, too_far in zip(geoms, empty.tolist(), bad.tolist(),
                                                   far.tolist()):
        if is_empty:
            out.append((None, "empty geometry"))
        elif not_finite:
            out.append((None, "coordinates that are not finite numbers (NaN or infinity)"))
        elif too_far:
            out.append((None, f"coordinates out of range (beyond {MAX_SOURCE_COORDINATE:.0e})"))
        else:
            out.append((geom, None))
    return out


def _mapping(geometry: Any) -> Any:
    """A fiona geometry as the plain mapping its ``__geo_interface__`` gives (built directly:
    fiona's recursive conversion costs more than the shapely geometry itself); collections and
    anything else as they are."""
    kind = getattr(geometry, "type", None)
    if kind is None or kind == "GeometryCollection" or isinstance(geometry, dict):
        return geometry
    return {"type": kind, "coordinates": geometry.coordinates}


def _same_dimension(geom: BaseGeometry, dimension: int) -> BaseGeometry | None:
    """Keep the parts of ``geom`` with topological ``dimension``; ``None`` if there are none."""
    parts = shapely.get_parts(shapely.get_parts(geom))
    parts = parts[(shapely.get_dimensions(parts) == dimension) & ~shapely.is_empty(parts)]
    if len(parts) == 0:
        return None
    if len(parts) == 1:
        return parts[0]
    if dimension == 2:
        return shapely.multipolygons(parts)
    if dimension == 1:
        return shapely.multilinestrings(parts)
    return shapely.multipoints(parts)


def repair_geometry(geom: BaseGeometry) -> BaseGeometry | None:
    """Repair an invalid geometry with ``make_valid``, keeping its dimension.

    A bow-tie polygon becomes a MultiPolygon of its two triangles; a polygon that collapses to
    a line, or a line to a point, cannot be repaired and gives ``None``.
    """
    dimension = int(shapely.get_dimensions(geom))
    try:
        fixed = shapely.make_valid(geom)
    except shapely.errors.GEOSException:
        return None
    if fixed is None or fixed.is_empty:
        return None
    if int(shapely.get_dimensions(fixed)) == dimension and fixed.geom_type != "GeometryCollection":
        return fixed
    return _same_dimension(fixed, dimension)


def _all_sound(geometries: list[Any]) -> bool:
    """Whether every one of ``geometries`` is a shapely geometry (decoded from pyogrio's WKB)
    that :func:`_clean_geometries` keeps as it is: not empty, finite coordinates within
    :data:`MAX_SOURCE_COORDINATE`, valid (checked for the whole layer at once)."""
    if not geometries:
        return False
    array = np.empty(len(geometries), dtype=object)
    array[:] = geometries
    if not shapely.is_geometry(array).all() or shapely.is_empty(array).any():
        return False
    xy = shapely.get_coordinates(array)
    if not np.isfinite(xy).all() or (np.abs(xy) > MAX_SOURCE_COORDINATE).any():
        return False
    return bool(shapely.is_valid(array).all())


def _clean_geometries(layer: _Layer, warnings: list[ReadWarning]) -> list[int]:
    """Convert geometries to shapely, repair or skip bad ones; return the kept indices."""
    if _all_sound(layer.geometries):   # the common case: nothing to convert, skip or repair
        return list(range(len(layer.geometries)))
    decoded = [_decode(raw) for raw in layer.geometries]
    present_at = [index for index, (geom, _) in enumerate(decoded) if geom is not None]
    for index, result in zip(present_at, _checked([decoded[i][0] for i in present_at])):
        decoded[index] = result
    converted: list[BaseGeometry | None] = []
    for index, (geom, reason) in enumerate(decoded):
        converted.append(geom)
        if geom is None:
            warnings.append(ReadWarning(
                "geometry_skipped", f"feature skipped: {reason}", file=layer.file,
                layer=layer.layer, feature_id=layer.fids[index]))
    present = np.array([g is not None for g in converted], dtype=bool)
    array = np.empty(len(converted), dtype=object)
    array[:] = converted
    valid = np.zeros(len(converted), dtype=bool)
    if present.any():
        valid[present] = shapely.is_valid(array[present])
    dropped: set[int] = set()
    for index in np.flatnonzero(present & ~valid).tolist():   # in feature order
        geom = converted[index]
        reason = shapely.is_valid_reason(geom)
        fixed = repair_geometry(geom)  # type: ignore[arg-type]
        if fixed is None:
            warnings.append(ReadWarning(
                "geometry_skipped", f"feature skipped: invalid geometry that cannot be "
                f"repaired ({reason})", file=layer.file, layer=layer.layer,
                feature_id=layer.fids[index]))
            dropped.add(index)
            continue
        warnings.append(ReadWarning(
            "geometry_repaired", f"invalid geometry repaired ({reason}); check the "
            "drawing", file=layer.file, layer=layer.layer, feature_id=layer.fids[index]))
        converted[index] = fixed
    kept = [index for index in np.flatnonzero(present).tolist() if index not in dropped] \
        if dropped else np.flatnonzero(present).tolist()
    layer.geometries = converted  # type: ignore[assignment]
    return kept


def _lon_lat_bounds(layers: Iterable[_Layer], geoms: dict[int, np.ndarray]
                    ) -> tuple[float, float, float, float]:
    """Bounds in WGS 84 lon/lat of the given layers' geometries (in their own CRSs)."""
    xs: list[float] = []
    ys: list[float] = []
    for layer in layers:
        array = geoms[id(layer)]
        if len(array) == 0:
            continue
        min_x, min_y, max_x, max_y = shapely.total_bounds(array)
        corner_x, corner_y = cached_transformer(layer.crs).transform(
            [min_x, min_x, max_x, max_x], [min_y, max_y, min_y, max_y])
        # corners that cannot be placed on Earth (absurd coordinates) do not count; their
        # features are skipped after reprojection (_drop_implausible)
        for x, y in zip(corner_x, corner_y):
            if math.isfinite(x) and math.isfinite(y) and abs(x) <= 180 and abs(y) <= 90:
                xs.append(x)
                ys.append(y)
    if not xs:
        return BELGIUM_BOUNDS
    return (min(xs), min(ys), max(xs), max(ys))


def _resolve_crs(layers: list[_Layer], assumed: pyproj.CRS | None) -> pyproj.CRS | None:
    """Give every layer a source CRS; return the most common projected metric one, if any.

    Ties go to the CRS with more features, then to the first one read. ``None`` when no
    layer is in a projected metric CRS (the target then follows from the data's location).
    """
    for layer in layers:
        if layer.crs is not None and not layer.geojson_default_crs:
            continue
        if assumed is not None:
            layer.crs = assumed
            layer.geojson_default_crs = False
        elif layer.geojson_default_crs:
            layer.crs = pyproj.CRS.from_user_input("OGC:CRS84")
        else:
            raise InputError(f"{layer.file}: no CRS; give one with --crs, e.g. --crs 31370")
    metric = [layer for layer in layers if is_metric_projected(layer.crs)]  # type: ignore[arg-type]
    if not metric:
        return None
    names = [crs_name(layer.crs) for layer in metric]  # type: ignore[arg-type]
    counts = Counter(names)
    sizes: Counter[str] = Counter()
    for name, layer in zip(names, metric):
        sizes[name] += len(layer.fids)
    best = max(dict.fromkeys(names), key=lambda name: (counts[name], sizes[name]))
    return _horizontal(metric[names.index(best)].crs)  # type: ignore[arg-type]


def _build_features(layers: list[_Layer], target: pyproj.CRS | None,
                    warnings: list[ReadWarning], *, check_place: bool = True
                    ) -> tuple[list[RawFeature], pyproj.CRS]:
    """Clean geometries, reproject to one CRS and build the raw features.

    Returns the features and the plan CRS (``target``, or when ``None`` EPSG:3812 or a UTM
    zone chosen from the data's location). ``check_place``: refuse geometry far outside its
    CRS's area of use, or that only fits with latitude and longitude swapped (off when the
    user places a local drawing with ``--origin``).
    """
    kept: dict[int, list[int]] = {}
    geoms: dict[int, np.ndarray] = {}
    for layer in layers:
        indices = _clean_geometries(layer, warnings)
        kept[id(layer)] = indices
        geoms[id(layer)] = np.array([layer.geometries[i] for i in indices], dtype=object)
    for layer in layers:
        if layer.geojson_default_crs:
            _check_lon_lat(layer, geoms[id(layer)])
        if check_place:
            check_area_of_use(layer.file, layer.crs, geoms[id(layer)])  # type: ignore[arg-type]
    if target is None:
        target = local_metric_crs(_lon_lat_bounds(layers, geoms))
    target_name = crs_name(target)
    moved: dict[str, list[_Layer]] = {}
    for layer in layers:
        source_name = crs_name(layer.crs)  # type: ignore[arg-type]
        if source_name == target_name or len(geoms[id(layer)]) == 0:
            continue
        geoms[id(layer)] = _reproject(geoms[id(layer)],
                                      cached_transformer(layer.crs, target))
        moved.setdefault(source_name, []).append(layer)
    for source_name, group in moved.items():
        files = sorted({layer.file for layer in group})
        names = ", ".join(sorted({layer.layer for layer in group}))
        shown = source_name if len(source_name) < 40 else pyproj.CRS.from_wkt(source_name).name
        warnings.append(ReadWarning(
            "crs_reprojected", f"layer(s) {names} reprojected from {shown} to {target_name}",
            file=files[0] if len(files) == 1 else None,
            layer=group[0].layer if len(group) == 1 else None))
    for layer in layers:
        _drop_implausible(layer, kept, geoms, warnings)
    features: list[RawFeature] = []
    add = features.append
    for layer in layers:
        name, file, properties, fids = layer.layer, layer.file, layer.properties, layer.fids
        for index, geom in zip(kept[id(layer)], geoms[id(layer)].tolist()):
            add(RawFeature(name, properties[index], geom, SourceRef(file, name, fids[index])))
    return features, target


def _drop_implausible(layer: _Layer, kept: dict[int, list[int]], geoms: dict[int, np.ndarray],
                      warnings: list[ReadWarning]) -> None:
    """Skip geometries whose coordinates (in the plan CRS) are not finite or absurdly far away.

    Such coordinates (``1e300``, a typo'd exponent, a failed reprojection) would turn every
    measure into infinity or NaN further down the pipeline.
    """
    array = geoms[id(layer)]
    if len(array) == 0:
        return
    coords, owner = shapely.get_coordinates(array, include_z=True, return_index=True)
    xy = coords[:, :2]
    bad_point = ~np.isfinite(xy).all(axis=1) | (np.abs(xy) > MAX_PROJECTED_COORDINATE_M).any(axis=1)
    bad_point |= np.isinf(coords[:, 2])  # a missing Z is NaN: allowed
    if not bad_point.any():
        return
    bad = np.zeros(len(array), dtype=bool)
    bad[owner[bad_point]] = True
    indices = kept[id(layer)]
    for position in np.flatnonzero(bad):
        warnings.append(ReadWarning(
            "geometry_skipped", "feature skipped: coordinates out of range (more than "
            f"{MAX_PROJECTED_COORDINATE_M:.0e} m from the CRS origin, or not finite); check "
            "the CRS and the coordinates", file=layer.file, layer=layer.layer,
            feature_id=layer.fids[indices[position]]))
    kept[id(layer)] = [index for index, drop in zip(indices, bad) if not drop]
    geoms[id(layer)] = array[~bad]


#: how far (degrees) geometry may lie outside its CRS's area of use before it is refused
AREA_OF_USE_MARGIN_DEG = 2.0


def _inside(bounds: tuple[float, float, float, float], area: tuple[float, float, float, float],
            margin: float) -> bool:
    min_x, min_y, max_x, max_y = bounds
    west, south, east, north = area
    return (min_x >= west - margin and max_x <= east + margin and min_y >= south - margin
            and max_y <= north + margin)


def check_area_of_use(file: str, crs: pyproj.CRS, array: np.ndarray) -> None:
    """Refuse geometry that cannot be where its CRS says (an input error that says why).

    - geographic CRS, coordinates beyond +-180/+-90: projected coordinates under a wrong CRS;
    - geographic CRS, coordinates that lie in Belgium only with latitude and longitude
      swapped: a swapped export;
    - the centre of the data far (more than :data:`AREA_OF_USE_MARGIN_DEG`) outside the
      CRS's area of use, or not placeable on Earth at all.

    Raises
    ------
    InputError
        Naming the file, the CRS and what to do.
    """
    if len(array) == 0:
        return
    min_x, min_y, max_x, max_y = (float(v) for v in shapely.total_bounds(array))
    name = crs_name(crs)
    shown = name if len(name) < 40 else crs.name
    horizontal = _horizontal(crs)
    if horizontal.is_geographic:
        if max(abs(min_x), abs(max_x)) > 180 or max(abs(min_y), abs(max_y)) > 90:
            raise InputError(
                f"{file}: coordinates look projected (e.g. x={min_x:.0f}, y={min_y:.0f}), but "
                f"the CRS {shown} is longitude/latitude; give the right CRS with --crs "
                "(e.g. --crs 31370) or fix the CRS in the file")
        swapped = (min_y, min_x, max_y, max_x)
        if _inside(swapped, BELGIUM_BOUNDS, 0.5) and not _inside(
                (min_x, min_y, max_x, max_y), BELGIUM_BOUNDS, AREA_OF_USE_MARGIN_DEG):
            raise InputError(
                f"{file}: latitude and longitude look swapped (x={min_x:.4f}, y={min_y:.4f} "
                f"lies in Belgium as lon {min_y:.4f}, lat {min_x:.4f}); {shown} expects "
                "longitude first: swap the coordinates in the export")
    area = crs.area_of_use
    if area is None:
        return
    bounds = area.bounds
    if bounds[2] - bounds[0] >= 359 and bounds[3] - bounds[1] >= 160:
        return  # world-wide: nothing to check
    centre_x, centre_y = (min_x + max_x) / 2.0, (min_y + max_y) / 2.0
    try:
        lon, lat = cached_transformer(crs).transform(centre_x, centre_y)
    except Exception:  # noqa: BLE001 - proj errors on absurd input
        lon = lat = math.inf
    if math.isfinite(lon) and math.isfinite(lat) and _inside(
            (lon, lat, lon, lat), bounds, AREA_OF_USE_MARGIN_DEG):
        return
    where = (f"around lon {lon:.2f}, lat {lat:.2f}" if math.isfinite(lon) and math.isfinite(lat)
             else "at no place on Earth")
    raise InputError(
        f"{file}: the geometry (centre x={centre_x:.0f}, y={centre_y:.0f}) lies {where}, far "
        f"outside the area of use of {shown} ({area.name.rstrip('.')}); check the CRS "
        "(--crs) or place a local drawing with --origin")


def _check_lon_lat(layer: _Layer, array: np.ndarray) -> None:
    if len(array) == 0:
        return
    min_x, min_y, max_x, max_y = shapely.total_bounds(array)
    if max(abs(min_x), abs(max_x)) > 180 or max(abs(min_y), abs(max_y)) > 90:
        raise InputError(
            f"{layer.file}: coordinates look projected (e.g. x={min_x:.0f}, y={min_y:.0f}), "
            "not longitude/latitude, but the GeoJSON has no 'crs'; give one with --crs, "
            "e.g. --crs 31370")


def _reproject(array: np.ndarray, transformer: pyproj.Transformer) -> np.ndarray:
    """Reproject an array of geometries; x and y only, Z values are kept."""

    def func(coords: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        out = np.array(coords, dtype=float, copy=True)
        out[:, 0] = x
        out[:, 1] = y
        return out

    return shapely.transform(array, func, include_z=None)


__all__ = [
    "BELGIAN_LAMBERT_2008", "BELGIUM_BOUNDS", "VECTOR_SUFFIXES", "crs_name",
    "is_metric_projected", "load_plan_metadata", "local_metric_crs", "parse_crs",
    "plan_metadata_path", "read_gis", "repair_geometry", "shapefile_encoding",
]
