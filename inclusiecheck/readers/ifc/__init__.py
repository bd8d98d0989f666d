"""IFC reader: IFC-SPF (``.ifc``) and ifcXML (``.ifcxml``) onto data-profile layers.

Both encodings are read into the same :class:`~inclusiecheck.readers.ifc.lite.IfcLiteModel`,
mapped with the IFC mapping profile (``readers/mappings/ifc.yaml``) and georeferenced:

- with IfcMapConversion + IfcProjectedCRS (IFC4+), or the ePSet_MapConversion /
  ePSet_ProjectedCRS property sets (IFC2X3), into the CRS they name;
- else with ``options.crs`` and ``options.origin`` (easting, northing, rotation in degrees
  counter-clockwise from grid east of the model's x axis);
- else the plan stays in local model metres with CRS ``"LOCAL"`` and an
  ``ifc_not_georeferenced`` warning.

The returned :class:`~inclusiecheck.model.RawPlan` already uses data-profile names
(``mapping`` is ``None``). ``metadata["ifc_map_conversion"]`` gives the transformation applied
(in metres: ``E = eastings + scale * (a*x - b*y)``, ``N = northings + scale * (b*x + a*y)``
with ``(a, b)`` = ``(x_axis_abscissa, x_axis_ordinate)``, a unit vector) so that findings can
be taken back to model coordinates.
"""

from __future__ import annotations

import math
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
        raise InputError(f"{path}: --origin needs --crs to say which CRS the origin is in")
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


def lite_to_plan(model: IfcLiteModel, path: Path, options: ReadOptions | None = None,
                 rules: tuple[Rule, ...] | None = None) -> RawPlan:
    """Map and georeference an :class:`IfcLiteModel` into a :class:`RawPlan`."""
    options = options or ReadOptions()
    crs, conversion, geo_warnings = georeference(model, options, path)
    mapped = map_model(model, rules if rules is not None else load_profile(), file=path.name)
    features = []
    for item in mapped.features:
        geometry = _transform(item.geometry, conversion) if conversion is not None else item.geometry
        features.append(RawFeature(
            layer=item.layer, properties=dict(item.properties), geometry=geometry,
            source=SourceRef(file=path.name, layer=item.entity, fid=item.global_id,
                             global_id=item.global_id)))
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


@reader("ifc", (".ifc", ".ifcxml"))
def read_ifc(path: Path, options: ReadOptions) -> RawPlan:
    """Read an IFC-SPF or ifcXML file into a :class:`RawPlan` in data-profile vocabulary."""
    path = Path(path)
    model = read_lite(path, geometry=options.ifc_geometry)
    return lite_to_plan(model, path, options)


__all__ = ["LOCAL_CRS", "georeference", "lite_to_plan", "read_ifc", "read_lite"]
