"""IFC reader: IFC-SPF (``.ifc``) and ifcXML (``.ifcxml``) onto data-profile layers.

Both encodings are read into the same :class:`~inclusiecheck.readers.ifc.lite.IfcLiteModel`,
mapped with the IFC mapping profile (``readers/mappings/ifc.yaml``) and georeferenced:

- with IfcMapConversion + IfcProjectedCRS (IFC4+), or the ePSet_MapConversion /
  ePSet_ProjectedCRS property sets (IFC2X3), into the CRS they name;
- else with ``options.crs`` and ``options.origin`` (easting, northing, rotation in degrees
  counter-clockwise from grid east of the model's x axis);
- else the plan stays in local model metres with CRS ``"LOCAL"`` and an
  ``ifc_not_georeferenced`` warning.

Plan metadata (``work_kind``, ``building_area_m2``, ``public_building``, ``permit_date``, ...)
comes from a ``plan.yaml`` (or ``<stem>.plan.yaml``) beside the model, as for GIS plans
(:func:`inclusiecheck.readers.gis.load_plan_metadata`); its ``crs`` and ``origin`` (``[E, N]``
or ``[E, N, rotation_deg]``) stand in for ``--crs`` and ``--origin`` when those are not given.
Its keys win over the IFC project name; ``ifc_schema`` and ``ifc_map_conversion`` always come
from the model.

The returned :class:`~inclusiecheck.model.RawPlan` already uses data-profile names
(``mapping`` is ``None``). ``metadata["ifc_map_conversion"]`` gives the transformation applied
(in metres: ``E = eastings + scale * (a*x - b*y)``, ``N = northings + scale * (b*x + a*y)``
with ``(a, b)`` = ``(x_axis_abscissa, x_axis_ordinate)``, a unit vector) so that findings can
be taken back to model coordinates.
"""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from inclusiecheck.model import InputError, RawFeature, RawPlan, ReadWarning, SourceRef
from inclusiecheck.readers import ReadOptions, reader
from inclusiecheck.readers.ifc.lite import IfcLiteModel, MapConversion
from inclusiecheck.readers.ifc.mapping import Rule, load_profile, map_model

LOCAL_CRS = "LOCAL"


def read_lite(path: str | Path, geometry: bool = False) -> IfcLiteModel:
    """Read an ``.ifc`` or ``.ifcxml`` file into an :class:`IfcLiteModel`."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".ifc":
        from inclusiecheck.readers.ifc.spf import read_spf

        return read_spf(path, geometry=geometry)
    if suffix == ".ifcxml":
        from inclusiecheck.readers.ifc.xml import read_xml

        return read_xml(path)
    raise InputError(f"{path}: not an IFC file (.ifc or .ifcxml)")


def _crs_string(name: str | None, path: Path) -> str | None:
    """Return an authority string (``EPSG:31370``) for an IfcProjectedCRS name, or ``None``."""
    if not name:
        return None
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    candidates = [name]
    if name.strip().isdigit():
        candidates.insert(0, f"EPSG:{name.strip()}")
    for candidate in candidates:
        try:
            crs = CRS.from_user_input(candidate)
        except CRSError:
            continue
        if not crs.is_projected:
            raise InputError(f"{path}: IfcProjectedCRS {name!r} is not a projected CRS")
        authority = crs.to_authority()
        return f"{authority[0]}:{authority[1]}" if authority else crs.to_wkt()
    return None


def _transform(geom: BaseGeometry, conversion: MapConversion) -> BaseGeometry:
    return shapely.transform(geom, lambda xy: conversion.to_map(np.asarray(xy)))


def georeference(model: IfcLiteModel, options: ReadOptions, path: Path
                 ) -> tuple[str, MapConversion | None, list[ReadWarning]]:
    """Decide the plan CRS and the local-to-map transformation (``None``: stay local)."""
    warnings: list[ReadWarning] = []
    conversion = model.map_conversion
    if conversion is not None:
        crs = _crs_string(conversion.crs_name, path)
        if crs is None and options.crs:
            crs = options.crs
            warnings.append(ReadWarning(
                "ifc_crs_assumed", f"IfcProjectedCRS {conversion.crs_name!r} not recognised; "
                f"using {options.crs}", file=path.name))
        if crs is None:
            raise InputError(f"{path}: IfcProjectedCRS {conversion.crs_name!r} is not a known CRS; "
                             "give one with --crs (e.g. EPSG:31370)")
        return crs, conversion, warnings
    if options.origin is not None and not options.crs:
        raise InputError(f"{path}: an origin (--origin, or origin: in plan.yaml) needs a CRS "
                         "(--crs, or crs: in plan.yaml) to say which CRS it is in")
    if options.crs:
        easting, northing, rotation = options.origin or (0.0, 0.0, 0.0)
        angle = math.radians(rotation)
        return options.crs, MapConversion(
            eastings=float(easting), northings=float(northing), orthogonal_height=0.0,
            x_axis_abscissa=round(math.cos(angle), 12), x_axis_ordinate=round(math.sin(angle), 12),
            scale=1.0, crs_name=options.crs, source="options"), warnings
    warnings.append(ReadWarning(
        "ifc_not_georeferenced", "the IFC model has no IfcMapConversion; geometry stays in local "
        "model metres (give --crs and --origin E,N[,rotation] to place it)", file=path.name))
    return LOCAL_CRS, None, warnings


#: plausible project length units, in metres: 0.1 mm to 1 km
LENGTH_UNIT_RANGE_M = (1e-4, 1e3)
#: plausible scale of a map conversion once the length units are taken out (about 1)
MAP_SCALE_RANGE = (1e-3, 1e3)
#: largest plausible |coordinate| in metres, as for GIS plans
MAX_COORDINATE_M = 1e8


def _check_units(model: IfcLiteModel, path: Path) -> None:
    unit = model.length_unit_m
    low, high = LENGTH_UNIT_RANGE_M
    if not (math.isfinite(unit) and low <= unit <= high):
        raise InputError(f"{path}: the project length unit is {unit:g} m; a model is drawn in "
                         f"units between {low:g} and {high:g} m (millimetre, centimetre, metre): "
                         "check IfcUnitAssignment (prefix or conversion factor)")


def _check_place(path: Path, crs: str, geometries: list[BaseGeometry]) -> None:
    """A georeferenced model must lie in its CRS's area of use (as a GIS plan must)."""
    import pyproj

    from inclusiecheck.readers.gis import check_area_of_use

    try:
        parsed = pyproj.CRS.from_user_input(crs)
    except pyproj.exceptions.CRSError:
        return
    check_area_of_use(path.name, parsed, np.array(geometries, dtype=object))


def _plausible(geometry: BaseGeometry) -> bool:
    xy = shapely.get_coordinates(geometry)
    return bool(np.isfinite(xy).all() and (np.abs(xy) <= MAX_COORDINATE_M).all())


def lite_to_plan(model: IfcLiteModel, path: Path, options: ReadOptions | None = None,
                 rules: tuple[Rule, ...] | None = None) -> RawPlan:
    """Map and georeference an :class:`IfcLiteModel` into a :class:`RawPlan`.

    A mapped element whose layer takes no points (stairs, ramp, walkway, building) but whose
    footprint could not be derived is left out with an ``ifc_footprint_missing`` warning that
    names it, rather than reaching the normaliser as an anonymous wrong geometry.
    """
    from inclusiecheck.model.profile import LAYER_GEOMETRIES

    options = options or ReadOptions()
    _check_units(model, path)
    crs, conversion, geo_warnings = georeference(model, options, path)
    if conversion is not None and not (
            MAP_SCALE_RANGE[0] <= conversion.scale <= MAP_SCALE_RANGE[1]):
        raise InputError(f"{path}: the map conversion scales the model by {conversion.scale:g}; "
                         f"a plausible scale lies between {MAP_SCALE_RANGE[0]:g} and "
                         f"{MAP_SCALE_RANGE[1]:g} (check Scale in IfcMapConversion and the "
                         "length units)")
    mapped = map_model(model, rules if rules is not None else load_profile(), file=path.name)
    features = []
    implausible = 0
    for item in mapped.features:
        if item.geometry.geom_type == "Point" and "Point" not in LAYER_GEOMETRIES.get(
                item.layer, ("Point",)):
            mapped.warnings.append(ReadWarning(
                "ifc_footprint_missing",
                f"{item.entity} {item.properties.get('name') or item.global_id!r} would be "
                f"{item.layer} but has no footprint the lite reader can derive (only extruded "
                "solids are read without the geometry kernel); not checked "
                "(check(..., ifc_geometry=True) derives exact footprints for .ifc)",
                file=path.name, layer=item.entity, feature_id=item.global_id))
            continue
        geometry = _transform(item.geometry, conversion) if conversion is not None else item.geometry
        if not _plausible(geometry):
            implausible += 1
            continue
        features.append(RawFeature(
            layer=item.layer, properties=dict(item.properties), geometry=geometry,
            source=SourceRef(file=path.name, layer=item.entity, fid=item.global_id,
                             global_id=item.global_id)))
    if conversion is not None and options.origin is None and conversion.source != "options" \
            and features:
        _check_place(path, crs, [feature.geometry for feature in features])
    if implausible:
        where = "map" if conversion is not None else "local model"
        message = (f"{implausible} elements have {where} coordinates out of range (more than "
                   f"{MAX_COORDINATE_M:.0e} m from the origin, or not finite); check the length "
                   "unit, IfcMapConversion and --origin")
        if not features:
            raise InputError(f"{path}: {message}")
        mapped.warnings.append(ReadWarning("geometry_skipped", message + "; those elements "
                                           "are not checked", file=path.name))
    metadata: dict[str, Any] = {"ifc_schema": model.schema, "ifc_map_conversion": None}
    if model.project_name:
        metadata["project"] = model.project_name
    if conversion is not None:
        metadata["ifc_map_conversion"] = {
            "eastings": conversion.eastings, "northings": conversion.northings,
            "orthogonal_height": conversion.orthogonal_height,
            "x_axis_abscissa": conversion.x_axis_abscissa,
            "x_axis_ordinate": conversion.x_axis_ordinate, "scale": conversion.scale, "crs": crs,
        }
    return RawPlan(path=path, crs=crs, features=features,
                   warnings=list(model.warnings) + geo_warnings + mapped.warnings,
                   metadata=metadata, mapping=None)


def _meta_origin(value: Any, where: str) -> tuple[float, float, float]:
    """``origin`` of plan.yaml (``[E, N]``, ``[E, N, rot]`` or ``"E,N[,rot]"``) as a triple."""
    parts = value.split(",") if isinstance(value, str) else value
    try:
        numbers = [float(p) for p in parts]
    except (TypeError, ValueError):
        numbers = []
    if len(numbers) not in (2, 3) or not all(math.isfinite(v) for v in numbers):
        raise InputError(f"{where}: origin {value!r}: give [E, N] or [E, N, rotation_deg]")
    return (numbers[0], numbers[1], numbers[2] if len(numbers) == 3 else 0.0)


def plan_options(path: Path, options: ReadOptions, metadata: dict[str, Any]) -> ReadOptions:
    """Fill ``crs`` and ``origin`` from plan.yaml where the options do not give them."""
    from dataclasses import replace

    from inclusiecheck.readers.gis import crs_name, parse_crs, plan_metadata_path

    meta_path = plan_metadata_path(path)
    where = str(meta_path) if meta_path else "plan.yaml"
    crs, origin = options.crs, options.origin
    if not crs and metadata.get("crs") not in (None, ""):
        crs = crs_name(parse_crs(metadata["crs"], f"crs in {where}"))
    if origin is None and metadata.get("origin") not in (None, ""):
        origin = _meta_origin(metadata["origin"], where)
    return replace(options, crs=crs, origin=origin)


def _read(path: Path, options: ReadOptions) -> tuple[IfcLiteModel, RawPlan]:
    from inclusiecheck.readers.gis import load_plan_metadata

    plan_meta = load_plan_metadata(path)
    options = plan_options(path, options, plan_meta)
    with np.errstate(all="ignore"):  # absurd units overflow here; refused just below
        model = read_lite(path, geometry=options.ifc_geometry)
    plan = lite_to_plan(model, path, options)
    technical = {key: plan.metadata[key] for key in ("ifc_schema", "ifc_map_conversion")}
    plan.metadata = {**plan.metadata, **plan_meta, **technical}
    return model, plan


def read_ifc(path: Path, options: ReadOptions) -> RawPlan:
    """Read an IFC-SPF or ifcXML file into a :class:`RawPlan` in data-profile vocabulary.

    The plan may hold no feature at all (a model with nothing the mapping profile knows);
    :func:`read_ifc_plan`, the reader the pipeline uses, makes that an :class:`InputError`.
    """
    return _read(Path(path), options)[1]


@reader("ifc", (".ifc", ".ifcxml"))
def read_ifc_plan(path: Path, options: ReadOptions) -> RawPlan:
    """The registered IFC reader: :func:`read_ifc`, with one clear error for an empty plan.

    Raises
    ------
    InputError
        A file that cannot be read (see the encodings), an unknown CRS, or a model in which
        no element maps onto a data-profile layer (the line names what the model holds).
    """
    path = Path(path)
    model, plan = _read(path, options)
    if plan.features:
        return plan
    missing = [w for w in plan.warnings if w.code == "ifc_footprint_missing"]
    if missing:
        raise InputError(
            f"{path}: {len(missing)} element(s) map onto the data profile but none has a "
            f"footprint the lite reader can derive (e.g. {missing[0].layer} "
            f"{missing[0].feature_id}); only extruded solids are read without the geometry "
            "kernel (check(..., ifc_geometry=True))")
    counts = Counter(e.entity for e in model.elements)
    found = ", ".join(f"{n} {entity}" for entity, n in sorted(counts.items())[:8]) or "none"
    raise InputError(
        f"{path}: no element the IFC mapping profile knows (doors, ramps, stairs, toilet "
        f"spaces, lights, benches, ...); IFC-lite elements in the model: {found}")


__all__ = ["LOCAL_CRS", "georeference", "lite_to_plan", "plan_options", "read_ifc", "read_ifc_plan",
           "read_lite"]
