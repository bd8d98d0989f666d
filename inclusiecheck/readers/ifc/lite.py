"""The IFC-lite model: the small subset of an IFC file that the inclusion rules need.

Both encodings (IFC-SPF read with IfcOpenShell, ifcXML streamed with lxml) end in the same
:class:`IfcLiteModel`. Each encoding provides a :class:`Source` (exact-type look-ups, attribute
access, property sets, placements, units and georeferencing); :func:`build_model` turns any
source into the lite model with one shared code path, so the same design gives the same model
whatever the encoding.

Conventions of the lite model:

- lengths (direct attributes, placements, footprints) are in metres, in the model's local
  engineering coordinate system (before georeferencing);
- property-set and quantity values stay in the project's units, as in the file; the mapping
  profile names the unit of each property it reads (``length``, ``angle``) and the model gives
  ``length_unit_m`` and ``angle_unit_rad`` to convert them;
- enumeration values (PredefinedType, OperationType) are upper case;
- coordinates are rounded to the micrometre so that small floating-point differences between
  readers do not show.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Protocol
from collections.abc import Sequence

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from inclusiecheck.model.errors import ReadWarning

#: digits kept for coordinates in metres (micrometres)
COORD_DIGITS = 6

#: spatial structure entities kept (IFC2X3 .. IFC4X3)
SPATIAL_TYPES: tuple[str, ...] = (
    "IfcSite", "IfcBuilding", "IfcBuildingStorey", "IfcSpace",
    "IfcFacility", "IfcFacilityPart", "IfcRoad", "IfcRoadPart", "IfcBridge", "IfcBridgePart",
    "IfcRailway", "IfcRailwayPart", "IfcMarineFacility", "IfcMarinePart", "IfcExternalSpatialElement",
)

#: element entities kept (exact types; IFC4 "StandardCase" subtypes included)
ELEMENT_TYPES: tuple[str, ...] = (
    "IfcDoor", "IfcDoorStandardCase",
    "IfcRamp", "IfcRampFlight", "IfcStair", "IfcStairFlight", "IfcRailing",
    "IfcSanitaryTerminal", "IfcFlowTerminal", "IfcLightFixture",
    "IfcFurniture", "IfcFurnishingElement", "IfcSystemFurnitureElement",
    "IfcKerb", "IfcPavement", "IfcSign", "IfcSignal", "IfcGeographicElement",
    "IfcBuildingElementProxy", "IfcBuiltElement",
)

#: type objects whose attributes and property sets elements inherit
TYPE_OBJECT_TYPES: tuple[str, ...] = (
    "IfcDoorStyle", "IfcDoorType", "IfcRampType", "IfcRampFlightType", "IfcStairType",
    "IfcStairFlightType", "IfcRailingType", "IfcSanitaryTerminalType", "IfcLightFixtureType",
    "IfcFurnitureType", "IfcFurnishingElementType", "IfcSystemFurnitureElementType",
    "IfcKerbType", "IfcPavementType", "IfcSignType", "IfcSignalType",
    "IfcGeographicElementType", "IfcBuildingElementProxyType", "IfcBuiltElementType",
)

#: direct attributes read from elements (or their type object), and which are lengths
DIRECT_ATTRIBUTES: tuple[str, ...] = (
    "OverallWidth", "OverallHeight", "NumberOfRisers", "NumberOfRiser", "NumberOfTreads",
    "RiserHeight", "TreadLength", "OperationType", "UserDefinedOperationType", "ShapeType",
    "InteriorOrExteriorSpace", "ElevationWithFlooring", "LongName", "Mountable",
)
LENGTH_ATTRIBUTES = frozenset({"OverallWidth", "OverallHeight", "RiserHeight", "TreadLength",
                               "ElevationWithFlooring"})
ENUM_ATTRIBUTES = frozenset({"OperationType", "ShapeType", "InteriorOrExteriorSpace"})
NUMBER_ATTRIBUTES = frozenset({"NumberOfRisers", "NumberOfRiser", "NumberOfTreads"})
BOOLEAN_ATTRIBUTES = frozenset({"Mountable"})

_STRING_VALUE_TYPES = frozenset({
    "IfcLabel", "IfcText", "IfcIdentifier", "IfcGloballyUniqueId", "IfcDescriptiveMeasure",
    "IfcDate", "IfcDateTime", "IfcTime", "IfcDuration", "IfcURIReference", "IfcWText",
})


# --------------------------------------------------------------------------- model


@dataclass(frozen=True, slots=True)
class Classification:
    """A classification reference: system name, identification (item reference) and name."""

    system: str | None
    identification: str | None
    name: str | None


@dataclass(frozen=True, slots=True)
class MapConversion:
    """Georeferencing of the model, normalised to metres.

    A local point ``(x, y)`` in metres maps to ``E = eastings + scale * (a*x - b*y)`` and
    ``N = northings + scale * (b*x + a*y)`` with ``(a, b)`` the unit vector
    ``(x_axis_abscissa, x_axis_ordinate)``. ``source`` is ``IfcMapConversion`` or
    ``ePSet_MapConversion`` (the IFC2X3 property-set convention).
    """

    eastings: float
    northings: float
    orthogonal_height: float
    x_axis_abscissa: float
    x_axis_ordinate: float
    scale: float
    crs_name: str | None
    source: str

    def to_map(self, xy: np.ndarray) -> np.ndarray:
        """Transform an (n, 2) array of local metres to map coordinates."""
        a, b, s = self.x_axis_abscissa, self.x_axis_ordinate, self.scale
        x, y = xy[:, 0], xy[:, 1]
        return np.column_stack((self.eastings + s * (a * x - b * y),
                                self.northings + s * (b * x + a * y)))


@dataclass(frozen=True, slots=True)
class SpatialNode:
    """One spatial structure element (site, building, storey, space, facility part)."""

    entity: str
    global_id: str
    name: str | None
    long_name: str | None
    parent: str | None
    predefined_type: str | None
    psets: dict[str, dict[str, Any]]
    placement: tuple[tuple[float, ...], ...]
    footprint: BaseGeometry


@dataclass(frozen=True, slots=True)
class LiteElement:
    """One building or site element with what the rules need.

    ``attributes``: direct attributes (lengths in metres, enumerations upper case), inherited
    from the type object where the occurrence leaves them empty. ``psets``: property sets and
    quantity sets (type first, occurrence overrides) as ``{pset: {prop: value}}`` in project
    units. ``container``: GlobalId of the spatial element that contains it (or of the
    container of the element it is part of). ``parent``: GlobalId of the element it is an
    aggregated part of (a flight of a ramp). ``rise_m``: vertical extent of an inclined
    extrusion (a wedge-shaped ramp flight), else ``None``.
    """

    entity: str
    global_id: str
    name: str | None
    object_type: str | None
    predefined_type: str | None
    type_name: str | None
    attributes: dict[str, Any]
    psets: dict[str, dict[str, Any]]
    placement: tuple[tuple[float, ...], ...]
    footprint: BaseGeometry
    container: str | None
    parent: str | None
    classifications: tuple[Classification, ...]
    lining_thickness_m: float | None
    rise_m: float | None

    @property
    def location(self) -> Point:
        """Return the placement origin as a 2D point (local metres)."""
        return Point(self.placement[0][3], self.placement[1][3])

    def clear_width_m(self) -> tuple[float | None, bool]:
        """Return the door's clear width and whether the lining was subtracted.

        Clear width = OverallWidth - 2 x LiningThickness where IfcDoorLiningProperties give
        the lining, else OverallWidth (second value ``False``).
        """
        width = self.attributes.get("OverallWidth")
        if width is None:
            return None, False
        if self.lining_thickness_m:
            return round(width - 2.0 * self.lining_thickness_m, COORD_DIGITS), True
        return width, False


@dataclass(frozen=True, slots=True)
class IfcLiteModel:
    """The IFC-lite model of one file."""

    schema: str
    project_name: str | None
    project_global_id: str | None
    length_unit_m: float
    angle_unit_rad: float
    map_conversion: MapConversion | None
    spatial: tuple[SpatialNode, ...]
    elements: tuple[LiteElement, ...]
    warnings: tuple[ReadWarning, ...] = field(default=(), compare=False)

    @property
    def site(self) -> SpatialNode | None:
        """Return the first IfcSite, if any."""
        return next((s for s in self.spatial if s.entity == "IfcSite"), None)

    def spatial_by_id(self) -> dict[str, SpatialNode]:
        return {s.global_id: s for s in self.spatial}


# --------------------------------------------------------------------------- sources


class Source(Protocol):
    """What an encoding offers the shared builder (nodes are opaque to it)."""

    schema: str

    def by_type(self, entity: str) -> list[Any]:
        """Return the instances of exactly ``entity`` (no subtypes), in file order."""

    def key(self, node: Any) -> Any:
        """Return a hashable identity of ``node`` (its instance id)."""

    def entity(self, node: Any) -> str:
        """Return the entity name of ``node`` in IFC spelling (``IfcDoor``)."""

    def attr(self, node: Any, name: str) -> Any:
        """Return an attribute: None, str, number, bool, node, or list of these.

        Values of defined types inside selects are returned unwrapped.
        """

    def psets(self, node: Any) -> dict[str, dict[str, Any]]:
        """Return the property and quantity sets of an object (type's first)."""

    def placement(self, node: Any) -> np.ndarray:
        """Return the 4x4 world placement of a product in project length units."""

    def length_unit(self) -> float:
        """Return metres per project length unit."""

    def angle_unit(self) -> float:
        """Return radians per project plane-angle unit."""

    def map_conversion(self) -> MapConversion | None:
        """Return the georeferencing of the model, normalised to metres, if any."""

    def warnings(self) -> list[ReadWarning]:
        """Return records skipped while reading."""


# --------------------------------------------------------------------------- value helpers


def as_list(value: Any) -> list[Any]:
    """Return ``value`` as a list (``None`` -> [], scalar -> [scalar])."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def nodes(value: Any) -> list[Any]:
    """Return the non-null items of a list-valued attribute (dropped references vanish)."""
    return [v for v in as_list(value) if v is not None]


def num(value: Any) -> float | None:
    """Return a float from a number or numeric text, else ``None``."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def floats(value: Any) -> list[float]:
    """Return a flat list of floats from a list, tuple or space-separated text."""
    if value is None:
        return []
    if isinstance(value, str):
        return [float(v) for v in value.split()]
    out: list[float] = []
    for item in as_list(value):
        if isinstance(item, (list, tuple, str)):
            out.extend(floats(item))
        else:
            number = num(item)
            if number is not None:
                out.append(number)
    return out


def text(value: Any) -> str | None:
    """Return text, or ``None`` for empty values."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return text(value[0]) if value else None
    result = str(value)
    return result if result != "" else None


def enum(value: Any) -> str | None:
    """Return an enumeration value upper case (``.DOOR.`` and ``door`` both give ``DOOR``)."""
    result = text(value)
    return result.strip(".").upper() if result else None


def clean_value(value: Any, type_name: str | None = None) -> Any:
    """Normalise a property value: bool, float, str, tuple of these, or ``None``.

    ``type_name`` is the IFC defined type of a textual value (ifcXML), used to parse it.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, (list, tuple)):
        items = tuple(v for v in (clean_value(i) for i in value) if v is not None)
        return items or None
    if isinstance(value, str):
        if value.strip() == "":
            return None
        if type_name in ("IfcBoolean", "IfcLogical"):
            low = value.strip().strip(".").lower()
            if low in ("true", "t"):
                return True
            if low in ("false", "f"):
                return False
            return None
        if type_name is not None and type_name not in _STRING_VALUE_TYPES:
            number = num(value)
            if number is not None:
                return number
        if type_name is None and value.upper() == "UNKNOWN":
            return None
        return value
    return None


def _r(value: float) -> float:
    result = round(float(value), COORD_DIGITS)
    return 0.0 if result == 0 else result


def round_geometry(geom: BaseGeometry) -> BaseGeometry:
    """Round coordinates to :data:`COORD_DIGITS` (micrometres)."""
    return shapely.set_precision(geom, 10 ** -COORD_DIGITS) if not geom.is_empty else geom


def matrix_tuple(matrix: np.ndarray) -> tuple[tuple[float, ...], ...]:
    """Return a 4x4 matrix as rounded nested tuples."""
    return tuple(tuple(_r(v) for v in row) for row in matrix)


# --------------------------------------------------------------------------- geometry helpers


def _unit(vector: Sequence[float], default: Sequence[float]) -> np.ndarray:
    v = np.array(list(vector) + [0.0] * (3 - len(vector)), dtype=float)[:3] if vector else np.array(default, float)
    norm = np.linalg.norm(v)
    return v / norm if norm > 0 else np.array(default, dtype=float)


def axis_matrix(origin: Sequence[float], z: Sequence[float] | None, x: Sequence[float] | None) -> np.ndarray:
    """Return the 4x4 matrix of an axis placement (origin, z axis, approximate x axis)."""
    zv = _unit(z or (), (0.0, 0.0, 1.0))
    xv = _unit(x or (), (1.0, 0.0, 0.0))
    xv = xv - np.dot(xv, zv) * zv
    norm = np.linalg.norm(xv)
    xv = xv / norm if norm > 0 else _unit((), (1.0, 0.0, 0.0))
    yv = np.cross(zv, xv)
    o = list(origin) + [0.0] * (3 - len(origin))
    matrix = np.eye(4)
    matrix[:3, 0], matrix[:3, 1], matrix[:3, 2], matrix[:3, 3] = xv, yv, zv, o[:3]
    return matrix


def axis2placement(src: Source, node: Any) -> np.ndarray:
    """Return the matrix of an IfcAxis2Placement2D/3D node (identity for ``None``)."""
    if node is None:
        return np.eye(4)
    location = src.attr(node, "Location")
    origin = floats(src.attr(location, "Coordinates")) if location is not None else []
    ref = src.attr(node, "RefDirection")
    x = floats(src.attr(ref, "DirectionRatios")) if ref is not None else None
    if src.entity(node) == "IfcAxis2Placement2D":
        return axis_matrix(origin[:2], None, x[:2] if x else None)
    axis = src.attr(node, "Axis")
    z = floats(src.attr(axis, "DirectionRatios")) if axis is not None else None
    return axis_matrix(origin[:3], z, x)


def local_placement(src: Source, node: Any, depth: int = 0) -> np.ndarray:
    """Return the world matrix of an IfcLocalPlacement chain (identity where unknown)."""
    if node is None or depth > 64:
        return np.eye(4)
    if src.entity(node) != "IfcLocalPlacement":
        return np.eye(4)
    parent = local_placement(src, src.attr(node, "PlacementRelTo"), depth + 1)
    return parent @ axis2placement(src, src.attr(node, "RelativePlacement"))


def _curve_points(src: Source, curve: Any) -> list[tuple[float, float]]:
    """Return the 2D vertices of an IfcPolyline or IfcIndexedPolyCurve (arcs by their points)."""
    kind = src.entity(curve)
    points: list[tuple[float, float]] = []
    if kind == "IfcPolyline":
        for point in nodes(src.attr(curve, "Points")):
            xy = floats(src.attr(point, "Coordinates"))
            if len(xy) >= 2:
                points.append((xy[0], xy[1]))
        return points
    if kind == "IfcIndexedPolyCurve":
        plist = src.attr(curve, "Points")
        flat = floats(src.attr(plist, "CoordList")) if plist is not None else []
        dim = 3 if plist is not None and src.entity(plist) == "IfcCartesianPointList3D" else 2
        coords = [(flat[i], flat[i + 1]) for i in range(0, len(flat) - dim + 1, dim)]
        segments = as_list(src.attr(curve, "Segments"))
        if not segments:
            return coords
        order: list[int] = []
        for segment in segments:
            for index in (int(v) for v in floats(segment)):
                if not order or order[-1] != index:
                    order.append(index)
        return [coords[i - 1] for i in order if 0 < i <= len(coords)]
    if kind == "IfcCompositeCurve":
        for seg in nodes(src.attr(curve, "Segments")):
            parent = src.attr(seg, "ParentCurve")
            if parent is not None:
                points.extend(_curve_points(src, parent))
        return points
    return []


def _ring(points: list[tuple[float, float]]) -> list[tuple[float, float]] | None:
    cleaned = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
    if len(cleaned) > 1 and cleaned[0] == cleaned[-1]:
        cleaned = cleaned[:-1]
    return cleaned if len(cleaned) >= 3 else None


def profile_polygon(src: Source, profile: Any) -> Polygon | None:
    """Return the 2D polygon of a profile definition in its own coordinates.

    Supports IfcRectangleProfileDef (and its rounded/hollow subtypes as plain rectangles),
    IfcCircleProfileDef (32-gon), IfcArbitraryClosedProfileDef and
    IfcArbitraryProfileDefWithVoids with IfcPolyline, IfcIndexedPolyCurve or
    IfcCompositeCurve of those.
    """
    if profile is None:
        return None
    kind = src.entity(profile)
    polygon: Polygon | None = None
    if kind in ("IfcRectangleProfileDef", "IfcRoundedRectangleProfileDef", "IfcRectangleHollowProfileDef"):
        xd, yd = num(src.attr(profile, "XDim")), num(src.attr(profile, "YDim"))
        if not xd or not yd:
            return None
        polygon = Polygon([(-xd / 2, -yd / 2), (xd / 2, -yd / 2), (xd / 2, yd / 2), (-xd / 2, yd / 2)])
    elif kind in ("IfcCircleProfileDef", "IfcCircleHollowProfileDef"):
        radius = num(src.attr(profile, "Radius"))
        if not radius:
            return None
        angles = np.linspace(0.0, 2 * math.pi, 32, endpoint=False)
        polygon = Polygon(np.column_stack((radius * np.cos(angles), radius * np.sin(angles))))
    elif kind in ("IfcArbitraryClosedProfileDef", "IfcArbitraryProfileDefWithVoids"):
        outer = _ring(_curve_points(src, src.attr(profile, "OuterCurve")))
        if outer is None:
            return None
        holes = []
        for inner in nodes(src.attr(profile, "InnerCurves")):
            ring = _ring(_curve_points(src, inner))
            if ring is not None:
                holes.append(ring)
        polygon = Polygon(outer, holes)
        return polygon if polygon.is_valid else shapely.make_valid(polygon).buffer(0)
    else:
        return None
    position = src.attr(profile, "Position")
    if position is None:
        return polygon
    matrix = axis2placement(src, position)
    coords = np.asarray(polygon.exterior.coords)
    moved = coords @ matrix[:2, :2].T + matrix[:2, 3]
    return Polygon(moved)


@dataclass(slots=True)
class _Footprint:
    polygons: list[Polygon]
    rise: float | None


def _solid_footprint(src: Source, item: Any, placement: np.ndarray, scale: float,
                     depth: int = 0) -> _Footprint | None:
    """Return the XY footprint (metres) of one representation item."""
    kind = src.entity(item)
    if kind in ("IfcBooleanClippingResult", "IfcBooleanResult") and depth < 16:
        return _solid_footprint(src, src.attr(item, "FirstOperand"), placement, scale, depth + 1)
    if kind != "IfcExtrudedAreaSolid":
        return None
    polygon = profile_polygon(src, src.attr(item, "SweptArea"))
    if polygon is None or polygon.is_empty:
        return None
    matrix = placement @ axis2placement(src, src.attr(item, "Position"))
    direction = _unit(floats(src.attr(src.attr(item, "ExtrudedDirection"), "DirectionRatios"))
                      if src.attr(item, "ExtrudedDirection") is not None else [], (0.0, 0.0, 1.0))
    extrusion = num(src.attr(item, "Depth")) or 0.0
    world_dir = matrix[:3, :3] @ direction
    polygons = polygon.geoms if isinstance(polygon, MultiPolygon) else [polygon]
    out: list[Polygon] = []
    rise: float | None = None
    for poly in polygons:
        if not isinstance(poly, Polygon) or poly.is_empty:
            continue
        rings = [np.asarray(poly.exterior.coords)] + [np.asarray(r.coords) for r in poly.interiors]
        world = []
        for ring in rings:
            homo = np.column_stack((ring[:, 0], ring[:, 1], np.zeros(len(ring)), np.ones(len(ring))))
            world.append((homo @ matrix.T)[:, :3] * scale)
        if abs(world_dir[2]) > 0.9:
            out.append(Polygon(world[0][:, :2], [w[:, :2] for w in world[1:]]))
        else:
            base = world[0]
            top = base + world_dir * extrusion * scale
            both = np.vstack((base, top))
            hull = shapely.convex_hull(shapely.multipoints(both[:, :2]))
            if isinstance(hull, Polygon):
                out.append(hull)
            z_extent = float(both[:, 2].max() - both[:, 2].min())
            rise = max(rise or 0.0, z_extent)
    return _Footprint(out, rise) if out else None


def representation_footprint(src: Source, product: Any, placement: np.ndarray,
                             scale: float) -> tuple[BaseGeometry | None, float | None]:
    """Return the union of the extruded-solid footprints of a product's body, and the rise."""
    shape = src.attr(product, "Representation")
    if shape is None:
        return None, None
    polygons: list[Polygon] = []
    rise: float | None = None
    for rep in nodes(src.attr(shape, "Representations")):
        ident = text(src.attr(rep, "RepresentationIdentifier"))
        if ident not in (None, "Body", "Facetation"):
            continue
        for item in nodes(src.attr(rep, "Items")):
            found = _solid_footprint(src, item, placement, scale)
            if found is not None:
                polygons.extend(found.polygons)
                if found.rise is not None:
                    rise = max(rise or 0.0, found.rise)
    if not polygons:
        return None, None
    geom = shapely.union_all([p if p.is_valid else p.buffer(0) for p in polygons])
    return round_geometry(geom), (None if rise is None else _r(rise))


# --------------------------------------------------------------------------- units, georef


_PREFIX = {
    "EXA": 1e18, "PETA": 1e15, "TERA": 1e12, "GIGA": 1e9, "MEGA": 1e6, "KILO": 1e3, "HECTO": 1e2,
    "DECA": 1e1, "DECI": 1e-1, "CENTI": 1e-2, "MILLI": 1e-3, "MICRO": 1e-6, "NANO": 1e-9,
    "PICO": 1e-12, "FEMTO": 1e-15, "ATTO": 1e-18,
}


def named_unit_scale(src: Source, unit: Any, depth: int = 0) -> float:
    """Return the SI scale of an IfcSIUnit or IfcConversionBasedUnit (chains followed)."""
    if unit is None or depth > 8:
        return 1.0
    kind = src.entity(unit)
    if kind in ("IfcConversionBasedUnit", "IfcConversionBasedUnitWithOffset"):
        factor = src.attr(unit, "ConversionFactor")
        value = num(src.attr(factor, "ValueComponent")) if factor is not None else None
        return (value or 1.0) * named_unit_scale(src, src.attr(factor, "UnitComponent"), depth + 1)
    if kind == "IfcSIUnit":
        return _PREFIX.get(enum(src.attr(unit, "Prefix")) or "", 1.0)
    return 1.0


def project_unit(src: Source, project: Any, unit_type: str) -> float:
    """Return the SI scale of the project's unit of ``unit_type`` (``LENGTHUNIT``, ...)."""
    if project is None:
        return 1.0
    units = src.attr(project, "UnitsInContext")
    if units is None:
        return 1.0
    for unit in nodes(src.attr(units, "Units")):
        if enum(src.attr(unit, "UnitType")) == unit_type:
            return named_unit_scale(src, unit)
    return 1.0


def normalise_map_conversion(values: dict[str, Any], crs_name: str | None, length_unit_m: float,
                             map_unit_m: float | None, source: str) -> MapConversion:
    """Normalise IfcMapConversion values to metres.

    IFC4 includes the conversion from the project length unit to the map unit in ``Scale``
    (0.001 for a millimetre model on a metre CRS); IFC4X3 keeps them apart. A scale equal to
    the unit ratio is taken as the IFC4 convention, any other scale as the IFC4X3 one.
    """
    unit = map_unit_m or 1.0
    scale = num(values.get("Scale")) or 1.0
    ratio = length_unit_m / unit
    if abs(ratio - 1.0) > 1e-12 and not math.isclose(scale, ratio, rel_tol=1e-9):
        factor = scale * ratio
    else:
        factor = scale
    a = num(values.get("XAxisAbscissa")) or 0.0
    b = num(values.get("XAxisOrdinate")) or 0.0
    if a == 0.0 and b == 0.0:
        a, b = 1.0, 0.0
    norm = math.hypot(a, b)
    return MapConversion(
        eastings=_r(unit * (num(values.get("Eastings")) or 0.0)),
        northings=_r(unit * (num(values.get("Northings")) or 0.0)),
        orthogonal_height=_r(unit * (num(values.get("OrthogonalHeight")) or 0.0)),
        x_axis_abscissa=round(a / norm, 12), x_axis_ordinate=round(b / norm, 12),
        scale=round(unit * factor / length_unit_m, 12), crs_name=crs_name, source=source)


# --------------------------------------------------------------------------- builder


def _gid(src: Source, node: Any) -> str | None:
    return text(src.attr(node, "GlobalId"))


def _global_ids(src: Source, entities: Sequence[str]) -> dict[Any, str]:
    """Source key -> GlobalId of every node of ``entities`` that has one."""
    found: dict[Any, str] = {}
    for entity in entities:
        for node in src.by_type(entity):
            gid = _gid(src, node)
            if gid:
                found[src.key(node)] = gid
    return found


def _relations(src: Source, entity: str) -> list[Any]:
    return src.by_type(entity)


def _classification(src: Source, ref: Any) -> Classification | None:
    kind = src.entity(ref)
    if kind == "IfcClassificationReference":
        ident = text(src.attr(ref, "Identification")) or text(src.attr(ref, "ItemReference"))
        system = None
        source = src.attr(ref, "ReferencedSource")
        depth = 0
        while source is not None and depth < 8:
            if src.entity(source) == "IfcClassification":
                system = text(src.attr(source, "Name"))
                break
            source = src.attr(source, "ReferencedSource")
            depth += 1
        return Classification(system, ident, text(src.attr(ref, "Name")))
    if kind == "IfcClassificationNotation":
        facets = as_list(src.attr(ref, "NotationFacets"))
        ident = ".".join(t for t in (text(src.attr(f, "NotationValue")) for f in facets) if t)
        return Classification(None, ident or None, None)
    if kind == "IfcClassification":
        return Classification(text(src.attr(ref, "Name")), None, None)
    return None


def _relation_index(src: Source, entity: str, relating: str, related: str) -> dict[Any, Any]:
    """Index a one-to-many relationship: key of each related object -> the relating one."""
    index: dict[Any, Any] = {}
    for rel in _relations(src, entity):
        target = src.attr(rel, relating)
        for obj in nodes(src.attr(rel, related)):
            index[src.key(obj)] = target
    return index


def build_model(src: Source) -> IfcLiteModel:
    """Build the :class:`IfcLiteModel` of a source (shared by both encodings)."""
    key = src.key
    projects = src.by_type("IfcProject")
    project = projects[0] if projects else None
    length = src.length_unit()
    angle = src.angle_unit()

    # relationships, indexed once (no inverse look-ups needed)
    aggregate_parent = _relation_index(src, "IfcRelAggregates", "RelatingObject",
                                       "RelatedObjects")
    container_of = _relation_index(src, "IfcRelContainedInSpatialStructure",
                                   "RelatingStructure", "RelatedElements")
    type_of = _relation_index(src, "IfcRelDefinesByType", "RelatingType", "RelatedObjects")
    lining_of: dict[Any, Any] = {}
    for rel in _relations(src, "IfcRelDefinesByProperties"):
        definition = src.attr(rel, "RelatingPropertyDefinition")
        for item in nodes(definition):
            if src.entity(item) == "IfcDoorLiningProperties":
                for obj in nodes(src.attr(rel, "RelatedObjects")):
                    lining_of[key(obj)] = item
    classes_of: dict[Any, list[Classification]] = {}
    for rel in _relations(src, "IfcRelAssociatesClassification"):
        found = _classification(src, src.attr(rel, "RelatingClassification"))
        if found is None:
            continue
        for obj in nodes(src.attr(rel, "RelatedObjects")):
            classes_of.setdefault(key(obj), []).append(found)

    spatial: list[SpatialNode] = []
    spatial_keys = _global_ids(src, SPATIAL_TYPES)
    for entity in SPATIAL_TYPES:
        for node in src.by_type(entity):
            gid = spatial_keys.get(key(node))
            if gid is None:
                continue
            parent = aggregate_parent.get(key(node))
            matrix = src.placement(node)
            world = matrix.copy()
            world[:3, 3] *= length
            footprint, _ = representation_footprint(src, node, matrix, length)
            spatial.append(SpatialNode(
                entity=entity, global_id=gid, name=text(src.attr(node, "Name")),
                long_name=text(src.attr(node, "LongName")),
                parent=spatial_keys.get(key(parent)) if parent is not None else None,
                predefined_type=enum(src.attr(node, "PredefinedType")),
                psets=src.psets(node), placement=matrix_tuple(world),
                footprint=footprint if footprint is not None else Point(_r(world[0, 3]), _r(world[1, 3]))))

    elements: list[LiteElement] = []
    element_keys = _global_ids(src, ELEMENT_TYPES)
    for entity in ELEMENT_TYPES:
        for node in src.by_type(entity):
            gid = element_keys.get(key(node))
            if gid is None:
                continue
            rtype = type_of.get(key(node))
            attributes: dict[str, Any] = {}
            for name in DIRECT_ATTRIBUTES:
                value = src.attr(node, name)
                if value is None and rtype is not None:
                    value = src.attr(rtype, name)
                if value is None:
                    continue
                if name in LENGTH_ATTRIBUTES:
                    number = num(value)
                    if number is not None:
                        attributes[name] = _r(number * length)
                elif name in ENUM_ATTRIBUTES:
                    attributes[name] = enum(value)
                elif name in NUMBER_ATTRIBUTES:
                    number = num(value)
                    if number is not None:
                        attributes[name] = number
                elif name in BOOLEAN_ATTRIBUTES:
                    flag = clean_value(value, "IfcBoolean") if isinstance(value, str) else value
                    if isinstance(flag, bool):
                        attributes[name] = flag
                else:
                    label = text(value)
                    if label is not None:
                        attributes[name] = label
            predefined = enum(src.attr(node, "PredefinedType"))
            if predefined in (None, "NOTDEFINED") and rtype is not None:
                type_predefined = enum(src.attr(rtype, "PredefinedType"))
                if type_predefined not in (None, "NOTDEFINED"):
                    predefined = type_predefined
            lining = lining_of.get(key(node))
            if lining is None and rtype is not None:
                for pset in nodes(src.attr(rtype, "HasPropertySets")):
                    if src.entity(pset) == "IfcDoorLiningProperties":
                        lining = pset
                        break
            lining_m = num(src.attr(lining, "LiningThickness")) if lining is not None else None
            parent_node = aggregate_parent.get(key(node))
            parent_gid = element_keys.get(key(parent_node)) if parent_node is not None else None
            container = container_of.get(key(node))
            if container is None and parent_node is not None:
                container = container_of.get(key(parent_node))
            classes = list(classes_of.get(key(node), []))
            if rtype is not None:
                classes.extend(classes_of.get(key(rtype), []))
            matrix = src.placement(node)
            world = matrix.copy()
            world[:3, 3] *= length
            footprint, rise = representation_footprint(src, node, matrix, length)
            elements.append(LiteElement(
                entity=entity, global_id=gid, name=text(src.attr(node, "Name")),
                object_type=text(src.attr(node, "ObjectType")), predefined_type=predefined,
                type_name=text(src.attr(rtype, "Name")) if rtype is not None else None,
                attributes=attributes, psets=src.psets(node), placement=matrix_tuple(world),
                footprint=footprint if footprint is not None else Point(_r(world[0, 3]), _r(world[1, 3])),
                container=spatial_keys.get(key(container)) if container is not None else None,
                parent=parent_gid, classifications=tuple(dict.fromkeys(classes)),
                lining_thickness_m=_r(lining_m * length) if lining_m else None, rise_m=rise))

    elements.sort(key=lambda e: (e.entity, e.global_id))
    spatial.sort(key=lambda s: (SPATIAL_TYPES.index(s.entity), s.global_id))
    return IfcLiteModel(
        schema=src.schema,
        project_name=(text(src.attr(project, "LongName")) or text(src.attr(project, "Name")))
        if project is not None else None,
        project_global_id=_gid(src, project) if project is not None else None,
        length_unit_m=length, angle_unit_rad=angle, map_conversion=src.map_conversion(),
        spatial=tuple(spatial), elements=tuple(elements), warnings=tuple(src.warnings()))


def clean_psets(raw: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Return property sets with normalised values and without ``id`` keys or empty values."""
    out: dict[str, dict[str, Any]] = {}
    for pset, props in raw.items():
        if not pset:
            continue
        values = {}
        for name, value in props.items():
            if name == "id" or not isinstance(name, str):
                continue
            cleaned = clean_value(value)
            if cleaned is not None:
                values[name] = cleaned
        out[pset] = values
    return out


_QUANTITY_ATTRIBUTE = {
    "IfcQuantityLength": "LengthValue", "IfcQuantityArea": "AreaValue",
    "IfcQuantityVolume": "VolumeValue", "IfcQuantityCount": "CountValue",
    "IfcQuantityWeight": "WeightValue", "IfcQuantityTime": "TimeValue",
    "IfcQuantityNumber": "NumberValue",
}


def property_value(src: Source, prop: Any) -> Any:
    """Return the normalised value of a single, enumerated or list property (else ``None``)."""
    kind = src.entity(prop)
    if kind == "IfcPropertySingleValue":
        return clean_value(src.attr(prop, "NominalValue"))
    if kind == "IfcPropertyEnumeratedValue":
        return clean_value(src.attr(prop, "EnumerationValues"))
    if kind == "IfcPropertyListValue":
        return clean_value(src.attr(prop, "ListValues"))
    return None


def collect_psets(src: Source, definitions: list[Any]) -> dict[str, dict[str, Any]]:
    """Collect property and quantity sets from definitions in order (later ones override).

    Mirrors ``ifcopenshell.util.element.get_psets``: IfcPropertySet and IfcElementQuantity
    only; bounded, table, reference and complex properties are left out.
    """
    out: dict[str, dict[str, Any]] = {}
    for definition in definitions:
        if definition is None:
            continue
        kind = src.entity(definition)
        name = text(src.attr(definition, "Name"))
        if not name or kind not in ("IfcPropertySet", "IfcElementQuantity"):
            continue
        props = out.setdefault(name, {})
        if kind == "IfcPropertySet":
            for prop in nodes(src.attr(definition, "HasProperties")):
                value = property_value(src, prop)
                prop_name = text(src.attr(prop, "Name"))
                if value is not None and prop_name:
                    props[prop_name] = value
        else:
            for quantity in nodes(src.attr(definition, "Quantities")):
                attribute = _QUANTITY_ATTRIBUTE.get(src.entity(quantity))
                value = clean_value(src.attr(quantity, attribute)) if attribute else None
                q_name = text(src.attr(quantity, "Name"))
                if value is not None and q_name:
                    props[q_name] = value
    return out
