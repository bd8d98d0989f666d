"""Coverage measures: gaps between rest points along routes, uncovered areas, far points.

Bench spacing ("a bench every 100-125 m"), toilet coverage ("an open toilet within 500 m")
and similar rules use these. Distances are metres in a projected CRS. Network distances come
from :mod:`inclusiecheck.geometry.network`; where a point cannot be placed on the network
the measure falls back to straight-line distance and says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import shapely
from shapely import LineString, MultiLineString, Point
from shapely.geometry.base import BaseGeometry
from shapely.ops import substring

from inclusiecheck.geometry.network import (
    GeometryInputError,
    WalkNetwork,
    euclidean_distance_to_nearest,
    nearest_destination,
    snap_points,
)

__all__ = [
    "DistanceCheck",
    "Gap",
    "gap_stretches",
    "gap_stretches_network",
    "points_beyond",
    "uncovered",
]

Measure = Literal["network", "straight_line"]


@dataclass(frozen=True, slots=True)
class Gap:
    """A stretch of a route longer than the allowed gap between two stations.

    Attributes
    ----------
    geometry : LineString
        The stretch itself (a substring of the route).
    length_m : float
        Its length along the route.
    start_m, end_m : float
        Positions along the route part where it starts and ends. On a closed route (a loop)
        the gap across the loop's start point has ``start_m > end_m``.
    part : int
        Index of the route part (after line merging) the gap lies on; ``0`` for a single line.
    """

    geometry: LineString
    length_m: float
    start_m: float
    end_m: float
    part: int = 0


def _as_station_array(stations: Sequence[Point]) -> np.ndarray:
    arr = np.empty(len(stations), dtype=object)
    arr[:] = list(stations)
    if arr.size and not np.all(shapely.is_geometry(arr)):
        raise GeometryInputError("stations must be shapely Points (got None or other)")
    if arr.size and np.any(shapely.get_type_id(arr) != 0):
        raise GeometryInputError("stations must be Points")
    return arr[~shapely.is_empty(arr)] if arr.size else arr


def _route_parts(line: BaseGeometry) -> list[LineString]:
    """Line-merged, 2D, non-zero-length LineString parts of a route."""
    if not isinstance(line, (LineString, MultiLineString)):
        kind = getattr(line, "geom_type", type(line).__name__)
        raise GeometryInputError(f"a route must be a LineString or MultiLineString, got {kind}")
    if line.is_empty:
        return []
    merged = shapely.line_merge(shapely.force_2d(line))
    parts = shapely.get_parts(merged)
    return [p for p in parts if p.length > 0]


def _part_gaps(
    part: LineString, positions: np.ndarray, max_gap_m: float, index: int
) -> list[Gap]:
    """Gaps on one route part, given the sorted station positions along it."""
    length = part.length
    gaps: list[Gap] = []
    if part.is_closed and positions.size:
        bounds = positions
        wrap = length - positions[-1] + positions[0]
        if wrap > max_gap_m:
            pieces = [
                piece
                for piece in (
                    substring(part, float(positions[-1]), length),
                    substring(part, 0.0, float(positions[0])),
                )
                if piece.geom_type == "LineString" and piece.length > 0
            ]
            if len(pieces) == 1:
                geom = pieces[0]
            else:  # the first piece ends where the loop starts, the second starts there
                first, second = (shapely.get_coordinates(p) for p in pieces)
                xy = np.concatenate([first, second[1:]])
                geom = LineString(xy)
            gaps.append(Gap(geom, float(wrap), float(positions[-1]), float(positions[0]), index))
    else:
        bounds = np.concatenate([[0.0], positions, [length]])
    lengths = np.diff(bounds)
    for k in np.flatnonzero(lengths > max_gap_m).tolist():
        a, b = float(bounds[k]), float(bounds[k + 1])
        gaps.append(Gap(substring(part, a, b), b - a, a, b, index))
    return sorted(gaps, key=lambda gap: gap.start_m)


def _gaps_on_parts(
    parts: Sequence[LineString],
    stations: Sequence[Point],
    max_gap_m: float,
    snap_distance_m: float,
) -> list[Gap]:
    max_gap = float(max_gap_m)
    if not np.isfinite(max_gap) or max_gap <= 0:
        raise GeometryInputError(f"max_gap_m must be a finite number > 0, got {max_gap_m!r}")
    snap = float(snap_distance_m)
    if not np.isfinite(snap) or snap < 0:
        raise GeometryInputError(f"snap_distance_m must be >= 0, got {snap_distance_m!r}")
    pts = _as_station_array(stations)
    if not parts:
        return []
    part_arr = np.empty(len(parts), dtype=object)
    part_arr[:] = list(parts)
    if pts.size:
        si, pi = shapely.STRtree(pts).query(part_arr, predicate="dwithin", distance=snap)
        pos = shapely.line_locate_point(part_arr[si], pts[pi])
    else:
        si, pos = np.zeros(0, dtype=np.int64), np.zeros(0)
    gaps: list[Gap] = []
    for k, part in enumerate(parts):
        positions = np.sort(pos[si == k])
        gaps.extend(_part_gaps(part, positions, max_gap, k))
    return gaps


def gap_stretches(
    line: LineString | MultiLineString,
    stations: Sequence[Point],
    *,
    max_gap_m: float,
    snap_distance_m: float = 10.0,
) -> list[Gap]:
    """Stretches of a route longer than ``max_gap_m`` between consecutive stations.

    Stations (benches, rest points) within ``snap_distance_m`` of the route (inclusive) are
    projected onto it; both ends of the route count as gap boundaries, so a route with no
    station is one gap if it is longer than ``max_gap_m``. A gap exactly ``max_gap_m`` long
    is allowed (not returned). On a closed route the stretch across the start point is
    measured around the loop. A MultiLineString is line-merged first; parts that stay
    separate are measured separately (their ends are boundaries).

    Parameters
    ----------
    line : LineString or MultiLineString
    stations : sequence of Point
    max_gap_m : float
        Longest allowed stretch without a station (> 0).
    snap_distance_m : float
        Largest distance from a station to the route for it to count.

    Returns
    -------
    list of Gap
        Ordered by part, then position along the part.

    Examples
    --------
    A 400 m route with benches only at both ends and ``max_gap_m=125`` has one 400 m gap; a
    bench at 200 m leaves two 200 m gaps; benches every 100 m leave none.
    """
    return _gaps_on_parts(_route_parts(line), stations, max_gap_m, snap_distance_m)


def gap_stretches_network(
    lines: Sequence[LineString | MultiLineString],
    stations: Sequence[Point],
    *,
    max_gap_m: float,
    snap_distance_m: float = 10.0,
) -> list[Gap]:
    """Gaps between stations along a set of route lines, merged first with ``line_merge``.

    Lines that meet end to end become one route; where three or more lines meet, each stays
    a separate part whose ends count as gap boundaries (a junction is treated like a
    station, which may hide a long stretch that continues through it). ``Gap.part`` is the
    index of the merged part. See :func:`gap_stretches`.
    """
    flat: list[LineString] = []
    for geom in lines:
        if not isinstance(geom, (LineString, MultiLineString)):
            kind = getattr(geom, "geom_type", type(geom).__name__)
            raise GeometryInputError(
                f"route lines must be LineString or MultiLineString, got {kind}"
            )
        flat.extend(p for p in shapely.get_parts(shapely.force_2d(geom)) if not p.is_empty)
    if not flat:
        return _gaps_on_parts([], stations, max_gap_m, snap_distance_m)
    return gap_stretches(
        MultiLineString(flat), stations, max_gap_m=max_gap_m, snap_distance_m=snap_distance_m
    )


def uncovered(area_polygon: BaseGeometry, covered_geometry: BaseGeometry | None) -> BaseGeometry:
    """The part of an area not covered by a (service-area) geometry.

    Parameters
    ----------
    area_polygon : Polygon or MultiPolygon
        The area that should be covered (holes allowed).
    covered_geometry : geometry or None
        What is covered, e.g. the result of :func:`~inclusiecheck.geometry.network.service_area`.
        ``None`` or empty means nothing is covered.

    Returns
    -------
    shapely geometry
        ``area_polygon - covered_geometry`` (polygonal, possibly empty).
    """
    if not isinstance(area_polygon, BaseGeometry) or shapely.get_dimensions(area_polygon) != 2:
        kind = getattr(area_polygon, "geom_type", type(area_polygon).__name__)
        raise GeometryInputError(f"uncovered() needs a polygonal area, got {kind}")
    if covered_geometry is None or covered_geometry.is_empty:
        return area_polygon
    area = area_polygon if area_polygon.is_valid else shapely.make_valid(area_polygon)
    covered = covered_geometry
    if not covered.is_valid:
        covered = shapely.make_valid(covered)
    return shapely.difference(area, covered)


@dataclass(frozen=True, eq=False)
class DistanceCheck:
    """Per point: distance to the nearest source, how it was measured, and whether it is too far.

    Attributes
    ----------
    distance_m : np.ndarray
        Metres to the nearest source (``inf`` when none is reachable).
    along_network : np.ndarray
        ``True`` where ``distance_m`` was measured along the walking network, ``False`` where
        it is a straight-line distance (no network given, or the point or every source is off
        the network, or the point is not a Point).
    beyond : np.ndarray
        ``distance_m > max_distance_m`` (a point exactly at the limit is within).
    nearest : np.ndarray
        Index of the nearest source, ``-1`` where none is reachable.
    """

    distance_m: np.ndarray
    along_network: np.ndarray
    beyond: np.ndarray
    nearest: np.ndarray

    def measure(self, i: int) -> Measure:
        """``"network"`` or ``"straight_line"`` for point ``i`` (for the report)."""
        return "network" if bool(self.along_network[i]) else "straight_line"


def points_beyond(
    points: Sequence[BaseGeometry] | np.ndarray,
    sources: Sequence[BaseGeometry] | np.ndarray,
    max_distance_m: float,
    net: WalkNetwork | None = None,
    *,
    max_snap_m: float = 50.0,
) -> DistanceCheck:
    """Distance from each point to its nearest source, and whether it exceeds the limit.

    With a network, Points that snap to it (within ``max_snap_m``) are measured along the
    network to the sources that snap to it; every other point (no network, too far from it,
    an area geometry, or no source on the network) gets the straight-line distance to the
    nearest source of any kind. ``DistanceCheck.along_network`` records which, so a report can
    say "measured in a straight line". A point on the network that cannot reach any source
    through it keeps ``inf`` (unreachable), not a straight-line fallback.

    Parameters
    ----------
    points : sequence of geometry
        Places that should be served (stops, homes, area entrances; areas allowed).
    sources : sequence of geometry
        Facilities (toilets, benches); Points for network measurement.
    max_distance_m : float
        Limit; a distance equal to it is within.
    net : WalkNetwork, optional
    max_snap_m : float
        See :func:`~inclusiecheck.geometry.network.snap_points`.

    Returns
    -------
    DistanceCheck
    """
    limit = float(max_distance_m)
    if not np.isfinite(limit) or limit < 0:
        raise GeometryInputError(
            f"max_distance_m must be a finite number >= 0, got {max_distance_m!r}"
        )
    pts = np.empty(len(points), dtype=object)
    pts[:] = list(points)
    src = np.empty(len(sources), dtype=object)
    src[:] = list(sources)
    dist, idx = euclidean_distance_to_nearest(pts, src)
    along = np.zeros(pts.size, dtype=bool)
    if net is not None and pts.size and src.size and net.n_edges:
        p_is_point = shapely.get_type_id(pts) == 0
        s_is_point = np.flatnonzero(shapely.get_type_id(src) == 0)
        sp = snap_points(net, pts[p_is_point], max_snap_m)
        ss = snap_points(net, src[s_is_point], max_snap_m)
        if np.any(ss.on_network):
            nd, ni = nearest_destination(net, sp, ss)
            use = np.flatnonzero(p_is_point)[sp.on_network]
            dist[use] = nd[sp.on_network]
            idx[use] = np.where(ni[sp.on_network] >= 0, s_is_point[ni[sp.on_network]], -1)
            along[use] = True
    return DistanceCheck(distance_m=dist, along_network=along, beyond=dist > limit, nearest=idx)
