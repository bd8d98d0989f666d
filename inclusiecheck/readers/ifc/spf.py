"""IFC-SPF (``.ifc``: IFC2X3, IFC4, IFC4X3) onto the IFC-lite model, with IfcOpenShell.

IfcOpenShell is imported lazily (it is the ``ifc`` extra). Its utilities give property sets
(``util.element.get_psets``), placements (``util.placement``), units (``util.unit``) and
georeferencing (``util.geolocation``); its geometry kernel gives exact footprints on request.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import Polygon

from inclusiecheck.model.errors import InputError, ReadWarning
from inclusiecheck.readers.ifc.lite import (
    IfcLiteModel,
    MapConversion,
    as_list,
    build_model,
    clean_psets,
    clean_value,
    collect_psets,
    normalise_map_conversion,
    round_geometry,
)
from inclusiecheck.readers.quiet import quiet_stdout

#: schemas IfcOpenShell reads that inclusiecheck accepts
SUPPORTED_SCHEMAS = ("IFC2X3", "IFC4", "IFC4X3")
#: at most this many skipped-record warnings are listed one by one
MAX_RECORD_WARNINGS = 50

_SCHEMA_RE = re.compile(rb"FILE_SCHEMA\s*\(\s*\(\s*'([^']*)'", re.IGNORECASE)
_COMMENT_RE = re.compile(rb"/\*.*?\*/", re.DOTALL)
_LOG_RE = re.compile(r"^\[(error|warning)\](?: \[\w+\])? \[[^\]]*\] (.*)$")


def _import_ifcopenshell() -> Any:
    try:
        import ifcopenshell
        import ifcopenshell.util.element  # noqa: F401
        import ifcopenshell.util.geolocation  # noqa: F401
        import ifcopenshell.util.placement  # noqa: F401
        import ifcopenshell.util.unit  # noqa: F401
    except ImportError as exc:
        raise InputError("reading .ifc needs the ifc extra: pip install 'inclusiecheck[ifc]'") from exc
    return ifcopenshell


def check_spf(path: Path) -> str:
    """Check the envelope of an SPF file and return its schema identifier.

    Raises :class:`InputError` for a missing header, a file truncated before
    ``END-ISO-10303-21;`` or a schema inclusiecheck does not read.
    """
    size = path.stat().st_size
    with path.open("rb") as handle:
        head = handle.read(65536)
        handle.seek(max(0, size - 4096))
        tail = handle.read()
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not start.upper().startswith(b"ISO-10303-21;"):
        raise InputError(f"{path}: not an IFC-SPF file (no 'ISO-10303-21;' header)")
    if b"HEADER;" not in head.upper():
        raise InputError(f"{path}: IFC-SPF file without HEADER section")
    match = _SCHEMA_RE.search(_COMMENT_RE.sub(b"", head))
    if match is None:
        raise InputError(f"{path}: IFC-SPF header has no FILE_SCHEMA")
    schema = match.group(1).decode("ascii", "replace").strip().upper()
    if not any(schema == s or schema.startswith(s + "_") for s in SUPPORTED_SCHEMAS):
        raise InputError(f"{path}: unknown IFC schema {schema!r}; inclusiecheck reads "
                         f"{', '.join(SUPPORTED_SCHEMAS)}")
    ending = _COMMENT_RE.sub(b"", tail).rstrip()
    if not ending.upper().endswith(b"END-ISO-10303-21;"):
        raise InputError(f"{path}: IFC-SPF file is truncated (no END-ISO-10303-21; at the end)")
    return schema


def _log_warnings(log: str, file: str) -> list[ReadWarning]:
    """Turn IfcOpenShell's parser log into warnings (skipped or malformed records)."""
    warnings: list[ReadWarning] = []
    lines = [line for line in log.splitlines() if line.strip()]
    for line in lines:
        match = _LOG_RE.match(line.strip())
        level, message = (match.group(1), match.group(2)) if match else ("warning", line.strip())
        code = "ifc_record_skipped" if level == "error" else "ifc_record_invalid"
        warnings.append(ReadWarning(code, message, file=file))
    if len(warnings) > MAX_RECORD_WARNINGS:
        rest = len(warnings) - MAX_RECORD_WARNINGS
        warnings = warnings[:MAX_RECORD_WARNINGS]
        warnings.append(ReadWarning("ifc_record_skipped", f"{rest} more records skipped or invalid",
                                    file=file))
    return warnings


class SpfSource:
    """An IfcOpenShell file as a :class:`~inclusiecheck.readers.ifc.lite.Source`."""

    def __init__(self, ifc: Any, warnings: list[ReadWarning], file: str) -> None:
        self.ifc = ifc
        self.ios = _import_ifcopenshell()
        self.schema = ifc.schema if ifc.schema in SUPPORTED_SCHEMAS else ifc.schema_identifier
        self._warnings = warnings
        self._file = file
        self._entity_cls = self.ios.entity_instance

    def by_type(self, entity: str) -> list[Any]:
        try:
            return list(self.ifc.by_type(entity, include_subtypes=False))
        except RuntimeError:  # not in this schema
            return []

    def key(self, node: Any) -> int:
        return node.id()

    def entity(self, node: Any) -> str:
        return node.is_a()

    def _convert(self, value: Any) -> Any:
        if isinstance(value, self._entity_cls):
            if value.id() == 0:  # a defined type inside a select
                return self._convert(value.wrappedValue)
            return value
        if isinstance(value, tuple):
            return [self._convert(v) for v in value]
        return value

    def attr(self, node: Any, name: str) -> Any:
        if node is None:
            return None
        try:
            value = getattr(node, name)
        except (AttributeError, RuntimeError):
            return None
        return self._convert(value)

    def psets(self, node: Any) -> dict[str, dict[str, Any]]:
        util = self.ios.util.element
        try:
            raw = util.get_psets(node)
        except Exception:  # noqa: BLE001 - an odd property kind; fall back to the generic walk
            return generic_psets(self, node)
        kept = {}
        for name, props in raw.items():
            pid = props.get("id")
            try:
                definition = self.ifc.by_id(pid) if pid else None
            except RuntimeError:
                definition = None
            if definition is None or definition.is_a() in ("IfcPropertySet", "IfcElementQuantity"):
                kept[name] = props
        return clean_psets(kept)

    def placement(self, node: Any) -> np.ndarray:
        placement = getattr(node, "ObjectPlacement", None)
        if placement is None:
            return np.eye(4)
        try:
            return np.asarray(self.ios.util.placement.get_local_placement(placement), dtype=float)
        except Exception:  # noqa: BLE001 - grid or linear placements we cannot evaluate
            self._warnings.append(ReadWarning(
                "ifc_placement_unknown", f"{placement.is_a()} of {node.is_a()} not evaluated; "
                "placed at the model origin", file=self._file, layer=node.is_a(),
                feature_id=getattr(node, "GlobalId", None)))
            return np.eye(4)

    def length_unit(self) -> float:
        return float(self.ios.util.unit.calculate_unit_scale(self.ifc, "LENGTHUNIT"))

    def angle_unit(self) -> float:
        return float(self.ios.util.unit.calculate_unit_scale(self.ifc, "PLANEANGLEUNIT"))

    def map_conversion(self) -> MapConversion | None:
        geo = self.ios.util.geolocation
        try:
            helmert = geo.get_helmert_transformation_parameters(self.ifc)
        except Exception:  # noqa: BLE001
            helmert = None
        if helmert is None:
            return None
        crs = None
        try:
            crs = geo.get_crs(self.ifc)
        except Exception:  # noqa: BLE001
            crs = None
        crs = crs or {}
        map_unit = None
        unit = crs.get("MapUnit")
        if isinstance(unit, self._entity_cls):
            map_unit = float(self.ios.util.unit.get_named_unit_scale(unit))
        values = {"Eastings": helmert.e, "Northings": helmert.n, "OrthogonalHeight": helmert.h,
                  "XAxisAbscissa": helmert.xaa, "XAxisOrdinate": helmert.xao, "Scale": helmert.scale}
        source = "ePSet_MapConversion" if self.ifc.schema == "IFC2X3" else "IfcMapConversion"
        name = clean_value(crs.get("Name"))
        return normalise_map_conversion(values, name if isinstance(name, str) else None,
                                        self.length_unit(), map_unit, source)

    def warnings(self) -> list[ReadWarning]:
        return list(self._warnings)


def generic_psets(src: SpfSource, node: Any) -> dict[str, dict[str, Any]]:
    """Collect property and quantity sets without the utilities (type's first)."""
    definitions: list[Any] = []
    for rel in as_list(src.attr(node, "IsTypedBy")) + as_list(src.attr(node, "IsDefinedBy")):
        if src.entity(rel) == "IfcRelDefinesByType":
            definitions[:0] = as_list(src.attr(src.attr(rel, "RelatingType"), "HasPropertySets"))
    for rel in as_list(src.attr(node, "IsDefinedBy")):
        if src.entity(rel) == "IfcRelDefinesByProperties":
            definitions.extend(as_list(src.attr(rel, "RelatingPropertyDefinition")))
    return collect_psets(src, definitions)


def kernel_footprints(ios: Any, ifc: Any, model: IfcLiteModel) -> IfcLiteModel:
    """Replace footprints by the XY projection of the geometry kernel's triangulated shapes."""
    import ifcopenshell.geom

    settings = ifcopenshell.geom.settings()
    settings.set("use-world-coords", True)

    def footprint(global_id: str) -> Any:
        try:
            product = ifc.by_guid(global_id)
            # typed as the union of what every setting can give; with these settings it is
            # an element's shape, with .geometry
            shape: Any = ifcopenshell.geom.create_shape(settings, product)
        except Exception:  # noqa: BLE001 - no body or the kernel gave up
            return None
        verts = np.asarray(shape.geometry.verts, dtype=float).reshape(-1, 3)
        faces = np.asarray(shape.geometry.faces, dtype=int).reshape(-1, 3)
        if len(faces) == 0:
            return None
        triangles = [Polygon(verts[f, :2]) for f in faces]
        triangles = [t for t in triangles if t.is_valid and t.area > 1e-9]
        if not triangles:
            return None
        return round_geometry(shapely.union_all(triangles))

    elements = []
    for element in model.elements:
        geom = footprint(element.global_id)
        elements.append(dataclasses.replace(element, footprint=geom) if geom is not None else element)
    spatial = []
    for node in model.spatial:
        geom = footprint(node.global_id) if node.entity == "IfcSpace" else None
        spatial.append(dataclasses.replace(node, footprint=geom) if geom is not None else node)
    return dataclasses.replace(model, elements=tuple(elements), spatial=tuple(spatial))


def read_spf(path: Path, geometry: bool = False) -> IfcLiteModel:
    """Read an IFC-SPF file into an :class:`IfcLiteModel`.

    Raises :class:`InputError` when the file cannot be opened; records IfcOpenShell skips
    (unknown entities, malformed records) become warnings on the model.
    """
    ios = _import_ifcopenshell()
    check_spf(path)
    ios.get_log()  # flush messages of earlier reads
    # IfcOpenShell's C++ side prints to file descriptor 1 ("local z: ..."): keep stdout clean
    with quiet_stdout():
        try:
            ifc = ios.open(str(path))
        except Exception as exc:  # noqa: BLE001 - IfcOpenShell raises several types
            message = str(exc).strip() or type(exc).__name__
            if "schema" in message.lower():
                raise InputError(f"{path}: {message}; inclusiecheck reads {', '.join(SUPPORTED_SCHEMAS)}") from exc
            raise InputError(f"{path}: IfcOpenShell cannot open this file: {message}") from exc
        warnings = _log_warnings(ios.get_log(), path.name)
        model = build_model(SpfSource(ifc, warnings, path.name))
        if geometry:
            model = kernel_footprints(ios, ifc, model)
    return model
