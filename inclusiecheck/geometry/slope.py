"""Slopes measured from the Z values of 3D geometry.

All lengths are horizontal (plan) lengths in metres, rises are differences in Z (metres, or
centimetres where the name says ``_cm``), slopes are in percent (rise / horizontal run x 100).
Geometry is assumed to be in a projected metric CRS with Z in metres.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

__all__ = [
    "LENGTH_TOLERANCE_M",
    "LENGTH_TOLERANCE_REL",
    "RISE_TOLERANCE_CM",
    "SLOPE_TOLERANCE_PCT",
    "RampGeometry",
    "SegmentSlope",
    "disagrees",
    "has_z",
    "polygon_slopes",
    "ramp_from_geometry",
    "running_slope_pct",
    "segment_slopes",
]

#: Default absolute tolerance between a slope attribute and the measured slope: 0.5
#: percentage point (drawing precision of Z values is about 1 cm over 2 m).
SLOPE_TOLERANCE_PCT: float = 0.5
#: Default absolute tolerance for lengths and widths: 5 cm ...
LENGTH_TOLERANCE_M: float = 0.05
#: ... or 5 % of the larger value, whichever is larger.
LENGTH_TOLERANCE_REL: float = 0.05
#: Default absolute tolerance for a rise: 2 cm.
RISE_TOLERANCE_CM: float = 2.0

_ZERO_LENGTH_M = 1e-9


@dataclass(frozen=True, slots=True)
class SegmentSlope:
    """Slope of one segment of a 3D line.

    Attributes
    ----------
    start_index, end_index
        Indices of the segment's vertices in the line's coordinates.
    length_m
        Horizontal length.
    rise_m
        Z difference, end minus start (negative when going down).
    slope_pct
        Signed slope, ``rise_m / length_m * 100``.
    """

    start_index: int
    end_index: int
    length_m: float
    rise_m: float
    slope_pct: float

    @property
    def abs_slope_pct(self) -> float:
        """Absolute slope in percent."""
        return abs(self.slope_pct)


@dataclass(frozen=True, slots=True)
class RampGeometry:
    """Ramp dimensions measured from 3D geometry.

    Attributes
    ----------
    length_m
        Horizontal length of the ramp run.
    rise_cm
        Height difference between the two ends (always positive).
    slope_pct
        Average running slope, ``rise / length * 100`` (always positive).
    max_slope_pct
        Steepest part (the steepest segment of a line; equal to ``slope_pct`` for a polygon).
    """

    length_m: float
    rise_cm: float
    slope_pct: float
    max_slope_pct: float


def has_z(geom: BaseGeometry | None) -> bool:
    """Whether a geometry has usable Z values (3D coordinates, all finite).

    Parameters
    ----------
    geom
        Any shapely geometry, or ``None``.

    Returns
    -------
    bool
        False for ``None``, empty or 2D geometry, or when any Z is NaN or infinite.
    """
    if geom is None or not isinstance(geom, BaseGeometry) or geom.is_empty:
        return False
    if not shapely.has_z(geom):
        return False
    z = shapely.get_coordinates(geom, include_z=True)[:, 2]
    return bool(len(z)) and bool(np.isfinite(z).all())


def _line_coords(line: BaseGeometry) -> np.ndarray:
    if not isinstance(line, LineString):
        raise TypeError(f"expected a LineString, got {type(line).__name__}")
    if not has_z(line):
        raise ValueError("line has no (finite) Z values: slopes need 3D coordinates")
    return shapely.get_coordinates(line, include_z=True)


def segment_slopes(line: LineString) -> list[SegmentSlope]:
    """Slope of every segment of a 3D line.

    Segments without horizontal length (repeated XY, also a vertical jump such as a step) are
    skipped: they have no slope. Check steps separately.

    Parameters
    ----------
    line
        LineString with Z values (metres).

    Returns
    -------
    list of SegmentSlope
        In line order; empty when no segment has a horizontal length.

    Raises
    ------
    TypeError
        If ``line`` is not a LineString.
    ValueError
        If the line has no finite Z values.
    """
    c = _line_coords(line)
    d = np.diff(c, axis=0)
    run = np.hypot(d[:, 0], d[:, 1])
    out = []
    for i in np.flatnonzero(run > _ZERO_LENGTH_M):
        out.append(
            SegmentSlope(
                start_index=int(i),
                end_index=int(i + 1),
                length_m=float(run[i]),
                rise_m=float(d[i, 2]),
                slope_pct=float(d[i, 2] / run[i] * 100.0),
            )
        )
    return out


def running_slope_pct(line: LineString) -> tuple[float, float] | None:
    """Running slope of a 3D line: steepest segment and overall.

    Parameters
    ----------
    line
        LineString (metres); ``None`` is returned when it has no Z.

    Returns
    -------
    tuple of (max_segment_pct, overall_pct) or None
        ``max_segment_pct``: largest absolute segment slope. ``overall_pct``: absolute
        difference in Z between the end points over the total horizontal length. ``None`` when
        the line has no Z values or no horizontal length.

    Raises
    ------
    TypeError
        If ``line`` is not a LineString.
    """
    if not isinstance(line, LineString):
        raise TypeError(f"expected a LineString, got {type(line).__name__}")
    if not has_z(line):
        return None
    segs = segment_slopes(line)
    if not segs:
        return None
    c = shapely.get_coordinates(line, include_z=True)
    run = sum(s.length_m for s in segs)
    overall = abs(c[-1, 2] - c[0, 2]) / run * 100.0
    return max(s.abs_slope_pct for s in segs), float(overall)


def _long_axis(geom: BaseGeometry) -> tuple[np.ndarray, float, float] | None:
    """Unit vector along the long side of the minimum rotated rectangle, and its two sides."""
    rect = shapely.oriented_envelope(shapely.force_2d(geom))
    if rect.geom_type != "Polygon":
        return None
    c = shapely.get_coordinates(rect.exterior)[:3]
    e0, e1 = c[1] - c[0], c[2] - c[1]
    l0, l1 = float(np.hypot(*e0)), float(np.hypot(*e1))
    if max(l0, l1) <= 0:
        return None
    u = e0 / l0 if l0 >= l1 else e1 / l1
    return u, max(l0, l1), min(l0, l1)


def _plane_gradient(geom: BaseGeometry) -> np.ndarray | None:
    """Least-squares plane z = a x + b y + c through all vertices; returns (a, b)."""
    c = shapely.get_coordinates(geom, include_z=True)
    c = np.unique(c, axis=0)
    if len(c) < 3:
        return None
    xy = c[:, :2] - c[:, :2].mean(axis=0)
    design = np.column_stack([xy, np.ones(len(c))])
    if np.linalg.matrix_rank(design) < 3:  # collinear vertices: no plane
        return None
    coef, *_ = np.linalg.lstsq(design, c[:, 2], rcond=None)
    return coef[:2]


def polygon_slopes(poly: Polygon | MultiPolygon) -> tuple[float, float] | None:
    """Running and cross slope of a 3D polygon from a least-squares plane through its vertices.

    The running direction is the long side of the polygon's minimum rotated rectangle; the
    cross direction is perpendicular to it. A warped surface gets the slopes of its best-fit
    plane.

    Parameters
    ----------
    poly
        Polygon or MultiPolygon with Z values (metres).

    Returns
    -------
    tuple of (running_slope_pct, cross_slope_pct) or None
        Both absolute, in percent. ``None`` when the polygon has no Z values or its vertices
        do not define a plane (fewer than three, or all collinear).

    Raises
    ------
    TypeError
        If ``poly`` is not a Polygon or MultiPolygon.
    """
    if not isinstance(poly, (Polygon, MultiPolygon)):
        raise TypeError(f"expected a Polygon, got {type(poly).__name__}")
    if not has_z(poly):
        return None
    grad = _plane_gradient(poly)
    axis = _long_axis(poly)
    if grad is None or axis is None:
        return None
    u = axis[0]
    v = np.array([-u[1], u[0]])
    return float(abs(grad @ u) * 100.0), float(abs(grad @ v) * 100.0)


def ramp_from_geometry(geom: BaseGeometry) -> RampGeometry | None:
    """Length, rise and slope of a ramp from its 3D geometry.

    A LineString (the direction of travel; a MultiLineString is merged first) gives its
    horizontal length, the Z difference between its ends and the steepest segment. A
    Polygon gives the long side of its minimum rotated rectangle as length, the plane-fit
    running slope (see :func:`polygon_slopes`) and rise = slope x length.

    Parameters
    ----------
    geom
        LineString, MultiLineString, Polygon or MultiPolygon with Z values (metres).

    Returns
    -------
    RampGeometry or None
        ``None`` when the geometry has no Z values, no horizontal length, or (a
        MultiLineString) does not merge into one line.

    Raises
    ------
    TypeError
        For other geometry types.
    """
    if not isinstance(geom, BaseGeometry):
        raise TypeError(f"expected a shapely geometry, got {type(geom).__name__}")
    if not has_z(geom):
        return None
    if isinstance(geom, MultiLineString):
        merged = shapely.line_merge(geom)
        if not isinstance(merged, LineString):
            return None
        geom = merged
    if isinstance(geom, LineString):
        slopes = running_slope_pct(geom)
        if slopes is None:
            return None
        segs = segment_slopes(geom)
        length = sum(s.length_m for s in segs)
        c = shapely.get_coordinates(geom, include_z=True)
        rise = abs(float(c[-1, 2] - c[0, 2]))
        return RampGeometry(
            length_m=float(length),
            rise_cm=rise * 100.0,
            slope_pct=slopes[1],
            max_slope_pct=slopes[0],
        )
    if isinstance(geom, (Polygon, MultiPolygon)):
        slopes = polygon_slopes(geom)
        axis = _long_axis(geom)
        if slopes is None or axis is None:
            return None
        length = axis[1]
        return RampGeometry(
            length_m=length,
            rise_cm=slopes[0] / 100.0 * length * 100.0,
            slope_pct=slopes[0],
            max_slope_pct=slopes[0],
        )
    raise TypeError(f"a ramp must be a LineString or Polygon, got {geom.geom_type}")


def disagrees(
    attr_value: float | None,
    measured: float | None,
    tolerance: float = SLOPE_TOLERANCE_PCT,
    *,
    relative: float = 0.0,
) -> bool:
    """Whether a drawn attribute and the value measured from geometry disagree.

    They disagree when ``|attr_value - measured| > max(tolerance, relative * max(|a|, |m|))``.
    Defaults (module constants): slopes 0.5 percentage point (``tolerance=SLOPE_TOLERANCE_PCT``,
    the default); lengths and widths 5 cm or 5 % (``tolerance=LENGTH_TOLERANCE_M,
    relative=LENGTH_TOLERANCE_REL``); rises 2 cm (``tolerance=RISE_TOLERANCE_CM``).

    Parameters
    ----------
    attr_value
        Value from the attribute (``None`` when absent).
    measured
        Value measured from geometry (``None`` when it could not be measured).
    tolerance
        Absolute tolerance, in the unit of the values.
    relative
        Relative tolerance (fraction of the larger absolute value).

    Returns
    -------
    bool
        False when either value is missing or not finite (nothing to compare).

    Raises
    ------
    ValueError
        If a tolerance is negative or not finite.
    """
    for name, tol in (("tolerance", tolerance), ("relative", relative)):
        if not math.isfinite(tol) or tol < 0:
            raise ValueError(f"{name} must be a finite number >= 0, got {tol!r}")
    if attr_value is None or measured is None:
        return False
    a, m = float(attr_value), float(measured)
    if not (math.isfinite(a) and math.isfinite(m)):
        return False
    allowed = max(tolerance, relative * max(abs(a), abs(m)))
    return abs(a - m) > allowed + 1e-12
