"""CAD drawings (DXF) through a CAD layer mapping, read with fiona's (GDAL's) DXF driver.

A DXF has no attributes a rule can use, only CAD layer names, block names and block
attributes. A *CAD layer mapping* (``format: cad-layers``; the shipped example
``readers/mappings/cad-nl.yaml`` for a typical Flemish convention, or the user's own file via
``--mapping``) says which profile layer each CAD layer (and each block, for point symbols)
stands for. Facts of the DXF driver this reader relies on:

- block inserts come as points with ``BlockName`` and ``BlockAttributes`` (``"TAG value"``
  strings) only with ``DXF_INLINE_BLOCKS=FALSE`` (otherwise they are exploded into their
  lines): the reader sets it around the read;
- closed polylines come as LineStrings: they become polygons where the profile layer takes
  areas (and points, at their centre, for point layers such as lights or trees);
- a DXF carries no CRS, and may be drawn in millimetres or centimetres: ``$INSUNITS`` from
  the header (or ``units:`` in the mapping) scales it to metres; ``--crs`` (or ``crs:`` in
  ``plan.yaml``) says which CRS the scaled coordinates are in, ``--origin E,N[,rotation]``
  places a local drawing; with neither the plan stays in local metres (CRS ``LOCAL``) with a
  warning, like an IFC model without georeferencing.
"""

from __future__ import annotations

import fnmatch
import math
import re
from collections import Counter
from dataclasses import replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import pyproj
import shapely
from pydantic import BaseModel, ConfigDict, Field, field_validator
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from inclusiecheck.model import InputError, RawFeature, RawPlan, ReadWarning, SourceRef
from inclusiecheck.model.profile import LAYER_GEOMETRIES, LAYER_MODELS
from inclusiecheck.readers import ReadOptions, reader
from inclusiecheck.readers.gis import (cached_transformer, crs_name, is_metric_projected,
                                      load_plan_metadata, parse_crs)
from inclusiecheck.readers.osm.mapping import load_mapping_model

LOCAL_CRS = "LOCAL"
#: $INSUNITS code -> metres per drawing unit (0 unitless: millimetres, the usual CAD default)
INSUNITS_M = {1: 0.0254, 2: 0.3048, 4: 0.001, 5: 0.01, 6: 1.0, 7: 1000.0, 10: 0.9144,
              14: 0.1}
UNITS_M = {"m": 1.0, "cm": 0.01, "mm": 0.001}
#: shipped CAD layer mappings by name
SHIPPED = {"cad-nl": "cad-nl.yaml"}
STATUSES = ("new", "existing", "removed")


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    cad: tuple[str, ...] = ()
    block: tuple[str, ...] = ()
    layer: str
    set: dict[str, Any] = Field(default_factory=dict)
    status: Literal["new", "existing", "removed"] | None = None

    @field_validator("cad", "block", mode="before")
    @classmethod
    def _names(cls, value: Any) -> Any:
        return (value,) if isinstance(value, str) else value

    @field_validator("layer")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in LAYER_MODELS:
            raise ValueError(f"unknown layer {value!r}")
        return value

    def matches(self, name: str, patterns: tuple[str, ...]) -> bool:
        upper = name.upper()
        return any(fnmatch.fnmatchcase(upper, pattern.upper()) for pattern in patterns)


class CadMapping(BaseModel):
    """A CAD layer mapping (``format: cad-layers``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal["cad-layers"]
    version: Literal[1]
    units: Literal["auto", "m", "cm", "mm"] = "auto"
    layers: list[_Rule] = Field(default_factory=list)
    blocks: list[_Rule] = Field(default_factory=list)
    attributes: dict[str, str] = Field(default_factory=dict)

    def layer_for(self, cad_layer: str, block: str | None) -> _Rule | None:
        if block:
            for rule in self.blocks:
                if rule.matches(block, rule.block):
                    return rule
        for rule in self.layers:
            if rule.matches(cad_layer, rule.cad):
                return rule
        key = cad_layer.strip().lower().replace(" ", "_").replace("-", "_")
        if key in LAYER_MODELS:
            return _Rule(layer=key)
        return None


def parse_cad_mapping(text: str, where: str) -> CadMapping:
    return load_mapping_model(text, where, CadMapping, "a CAD layer mapping")


@cache
def _shipped(name: str) -> CadMapping:
    text = (resources.files("inclusiecheck.readers") / "mappings" / SHIPPED[name]).read_text(
        encoding="utf-8")
    return parse_cad_mapping(text, SHIPPED[name])


def load_cad_mapping(name_or_path: str | Path | None) -> CadMapping:
    """The shipped ``cad-nl`` mapping (default) or one from a YAML file."""
    if name_or_path is None or str(name_or_path) in SHIPPED:
        return _shipped(str(name_or_path or "cad-nl"))
    path = Path(name_or_path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"{path}: cannot read the CAD layer mapping "
                         f"({exc.strerror or exc})") from None
    return parse_cad_mapping(text, str(path))


_INSUNITS = re.compile(rb"\$INSUNITS\s*\r?\n\s*70\s*\r?\n\s*(-?\d+)")


def insunits(path: Path) -> int | None:
    """The drawing's ``$INSUNITS`` code from the DXF header (ASCII DXF), if it has one."""
    with path.open("rb") as handle:
        head = handle.read(256 * 1024)
    found = _INSUNITS.search(head)
    return int(found.group(1)) if found else None


def _scale(path: Path, units: str, warnings: list[ReadWarning]) -> tuple[float, bool]:
    """Metres per drawing unit, and whether the drawing's header said so ($INSUNITS)."""
    if units != "auto":
        if units not in UNITS_M:
            raise InputError(f"{path}: units {units!r}: use m, cm, mm or auto")
        return UNITS_M[units], False
    code = insunits(path)
    if code in INSUNITS_M:
        return INSUNITS_M[code], True  # type: ignore[index]
    if code not in (None, 0):
        raise InputError(f"{path}: $INSUNITS {code} is not a length unit inclusiecheck knows; "
                         "set units: m, cm or mm in the CAD layer mapping")
    warnings.append(ReadWarning(
        "dxf_units_assumed", "the drawing does not say its unit ($INSUNITS): millimetres "
        "assumed (set units: m, cm or mm in the CAD layer mapping, or dxf: {units: m} in "
        "plan.yaml)", file=path.name))
    return 0.001, False


def _inside_area_of_use(crs: Any, x: float, y: float) -> bool:
    """Whether a point in ``crs`` lies within (0.1 degree of) its area of use."""
    area = crs.area_of_use
    if area is None:
        return True
    lon, lat = cached_transformer(crs).transform(x, y)
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return False
    west, south, east, north = area.bounds
    return west - 0.1 <= lon <= east + 0.1 and south - 0.1 <= lat <= north + 0.1


def _block_attributes(raw: Any, mapping: CadMapping) -> dict[str, str]:
    """``BlockAttributes`` (``["TAG value", ...]``) mapped to profile attribute names."""
    out: dict[str, str] = {}
    if not raw:
        return out
    items = raw if isinstance(raw, (list, tuple)) else [raw]
    table = {tag.upper(): name for tag, name in mapping.attributes.items()}
    for item in items:
        tag, _, value = str(item).partition(" ")
        name = table.get(tag.strip().upper())
        if name and value.strip():
            out[name] = value.strip()
    return out


def _shape_for(layer: str, geom: BaseGeometry) -> BaseGeometry | None:
    """The geometry a profile layer takes: a closed polyline as a polygon where the layer
    takes areas (and prefers them, or the layer takes no lines); a drawn symbol's centre for
    a point layer."""
    wanted = LAYER_GEOMETRIES[layer]
    kind = geom.geom_type.removeprefix("Multi")
    if kind in ("LineString", "LinearRing") and "Polygon" in wanted:
        lines = list(getattr(geom, "geoms", [geom]))
        closed = all(len(line.coords) >= 4 and line.is_closed for line in lines)
        if closed:
            polys = [shapely.polygons(shapely.get_coordinates(line)) for line in lines]
            polys = [p if p.is_valid else shapely.make_valid(p) for p in polys]
            polys = [p for p in polys if p.area > 0]
            if polys:
                return polys[0] if len(polys) == 1 else shapely.union_all(polys)
    if kind in wanted or kind == "LinearRing" and "LineString" in wanted:
        return geom
    if "Point" in wanted:
        return shapely.centroid(geom)
    if kind == "Polygon" and "LineString" in wanted:
        return shapely.boundary(geom)
    return None


def _georeference(path: Path, options: ReadOptions, metadata: dict[str, Any],
                  warnings: list[ReadWarning]) -> tuple[str, Any]:
    """(plan CRS, function from scaled drawing coordinates to plan coordinates)."""
    from inclusiecheck.readers.ifc import plan_options

    options = plan_options(path, options, metadata)
    if options.origin is not None and not options.crs:
        raise InputError(f"{path}: an origin (--origin, or origin: in plan.yaml) needs a CRS "
                         "(--crs, or crs: in plan.yaml) to say which CRS it is in")
    if not options.crs:
        warnings.append(ReadWarning(
            "dxf_not_georeferenced", "a DXF carries no CRS: the drawing stays in local metres "
            "(give --crs, e.g. 31370, for a drawing in Lambert coordinates, and --origin "
            "E,N[,rotation] for a local drawing)", file=path.name))
        return LOCAL_CRS, None
    easting, northing, rotation = options.origin or (0.0, 0.0, 0.0)
    angle = math.radians(rotation)
    cos, sin = math.cos(angle), math.sin(angle)
    crs = parse_crs(options.crs)

    def place(xy: Any) -> Any:
        x, y = xy[:, 0], xy[:, 1]
        out = xy.copy()
        out[:, 0] = easting + cos * x - sin * y
        out[:, 1] = northing + sin * x + cos * y
        return out

    if is_metric_projected(crs):
        return crs_name(crs), place
    raise InputError(f"{path}: --crs {options.crs} is not a projected CRS in metres; a CAD "
                     "drawing is drawn in a metric grid (e.g. --crs 31370 or 3812)")


def _read_entities(path: Path) -> list[dict[str, Any]]:
    import fiona

    from inclusiecheck.readers.quiet import quiet_logger, quiet_stdout

    try:
        with quiet_stdout(), quiet_logger("fiona", "fiona.ogrext", "fiona._env"), \
                fiona.Env(DXF_INLINE_BLOCKS="FALSE", DXF_MERGE_BLOCK_GEOMETRIES="FALSE"), \
                fiona.open(path, layer="entities") as src:
            return [{"geometry": f.geometry, "properties": dict(f.properties), "fid": f.id}
                    for f in src]
    except Exception as exc:  # noqa: BLE001 - GDAL errors on untrusted input
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"{path}: cannot read the DXF ({message}); is it an ASCII or binary "
                         "DXF saved by a CAD program? (DWG: save as DXF first)") from None


def _check_units(path: Path, entities: list[dict[str, Any]], scale: float, crs: str,
                 place: Any, warnings: list[ReadWarning]) -> float:
    """Metres instead of the header's unit when only metres put the drawing where its CRS is
    used (GDAL and some CAD templates write ``$INSUNITS`` 1, inches, into a drawing made in
    Lambert metres)."""
    import numpy as np

    coords = [shapely.get_coordinates(shape(e["geometry"])) for e in entities[:2000]
              if e["geometry"] is not None]
    coords = [c for c in coords if len(c)]
    if not coords:
        return scale
    centre = np.concatenate(coords).mean(axis=0)[None, :]
    target = pyproj.CRS.from_user_input(crs)

    def at(factor: float) -> tuple[float, float]:
        xy = centre * factor
        if place is not None:
            xy = place(xy)
        return float(xy[0, 0]), float(xy[0, 1])

    if not _inside_area_of_use(target, *at(scale)) and _inside_area_of_use(target, *at(1.0)):
        warnings.append(ReadWarning(
            "dxf_units_ignored", f"$INSUNITS says {scale:g} m per unit, but only metres put "
            f"the drawing inside the area of {crs}: read as metres (set units in the CAD layer "
            "mapping or dxf: {units: ...} in plan.yaml to say otherwise)", file=path.name))
        return 1.0
    return scale


@reader("dxf", (".dxf",))
def read_dxf(path: Path, options: ReadOptions) -> RawPlan:
    """Read a DXF drawing through a CAD layer mapping (``options.cad``, ``dxf: {mapping:}``
    in ``plan.yaml``, else the shipped ``cad-nl``).

    Raises
    ------
    InputError
        An unreadable DXF, an invalid mapping, an unknown $INSUNITS, a non-metric --crs, or a
        drawing in which no entity maps to a profile layer.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    metadata = load_plan_metadata(path)
    dxf_meta = metadata.pop("dxf", None) or {}
    if not isinstance(dxf_meta, dict):
        raise InputError(f"{path}: 'dxf' in plan.yaml must be a mapping such as "
                         "{mapping: my-layers.yaml}")
    choice = options.cad
    if choice is None and dxf_meta.get("mapping"):
        choice = str(path.parent / str(dxf_meta["mapping"]))
    mapping = load_cad_mapping(choice)
    warnings: list[ReadWarning] = []
    scale, from_header = _scale(path, str(dxf_meta.get("units") or mapping.units), warnings)
    crs, place = _georeference(path, replace(options), metadata, warnings)
    entities = _read_entities(path)
    if crs != LOCAL_CRS and scale != 1.0 and from_header:
        scale = _check_units(path, entities, scale, crs, place, warnings)
    features: list[RawFeature] = []
    unmapped: Counter[str] = Counter()
    dropped = 0
    for entity in entities:
        props = entity["properties"]
        geometry = entity["geometry"]
        if geometry is None or props.get("PaperSpace"):
            continue
        cad_layer = str(props.get("Layer") or "0")
        block = props.get("BlockName") or None
        rule = mapping.layer_for(cad_layer, block)
        if rule is None:
            unmapped[cad_layer] += 1
            continue
        try:
            geom = shape(geometry)
        except (ValueError, TypeError, AttributeError):
            dropped += 1
            continue
        if geom.is_empty:
            dropped += 1
            continue
        # heights (3D polylines of a ramp) are kept, scaled like x and y
        geom = shapely.transform(geom, lambda xyz: xyz * scale, include_z=geom.has_z)
        if place is not None:
            geom = shapely.transform(geom, place, include_z=geom.has_z)
        geom = _shape_for(rule.layer, geom)
        if geom is None or geom.is_empty:
            dropped += 1
            continue
        properties: dict[str, Any] = {**_block_attributes(props.get("BlockAttributes"), mapping)}
        properties.update(rule.set)
        if rule.status:
            properties["status"] = rule.status
        handle = str(props.get("EntityHandle") or entity["fid"])
        properties.setdefault("id", f"{rule.layer}-{handle}")
        features.append(RawFeature(layer=rule.layer, properties=properties, geometry=geom,
                                   source=SourceRef(file=path.name, layer=cad_layer,
                                                    fid=handle)))
    if unmapped:
        top = ", ".join(f"{name} ({count})" for name, count in unmapped.most_common(8))
        warnings.append(ReadWarning(
            "dxf_layer_unmapped", f"{sum(unmapped.values())} entities on {len(unmapped)} CAD "
            f"layers no mapping rule names were left out: {top}"
            + (" ..." if len(unmapped) > 8 else "") + "; add them to the CAD layer mapping",
            file=path.name))
    if dropped:
        warnings.append(ReadWarning("geometry_skipped", f"{dropped} entities without a usable "
                                    "geometry for their layer skipped", file=path.name))
    if not features:
        raise InputError(f"{path}: no entity on a CAD layer the mapping knows "
                         f"({sum(unmapped.values())} entities on layers "
                         f"{', '.join(list(unmapped)[:5]) or '-'}); give a CAD layer mapping "
                         "with --mapping (see docs/other-sources.md)")
    return RawPlan(path=path, crs=crs, features=features, warnings=warnings, metadata=metadata,
                   mapping=None)


__all__ = ["CadMapping", "INSUNITS_M", "LOCAL_CRS", "insunits", "load_cad_mapping",
           "parse_cad_mapping", "read_dxf"]
