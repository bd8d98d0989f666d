"""Clear width of walkways after subtracting obstacle footprints.

Method
------
The clear width is measured on **cross-sections** perpendicular to the walking direction,
because the regulations speak of a width and of the *length* of a narrowing (a narrowing of
at most 1.20 m long is tolerated, a longer one is not):

1. Each walkway polygon (each part of a MultiPolygon) gets a **centreline**: the long axis
   of its minimum rotated rectangle when the polygon is (nearly) a rectangle, otherwise the
   longest path through an approximate medial axis (Voronoi diagram of the densified outer
   ring, built from its Delaunay triangles), with the spurs into the end corners cut off,
   smoothed, and extended straight to the outline at both ends. This follows bends
   (L-shaped sidewalks around a corner), curves and tapers. Holes do not shape it.
2. **Stations** are placed along the centreline: every ``max(resolution_m, 0.5)`` m, every
   ``resolution_m`` m over the stretch covered by each obstacle or hole (plus one
   ``resolution_m`` either side), at the projection of every obstacle, hole and outline
   vertex, and 1 mm either side of edges that run across the walking direction (where the
   width jumps, e.g. the start of a box-shaped cabinet). On straight stretches the clear
   width is piecewise linear between these projections, so its minimum is exact and the
   ends of a narrowing are found by linear interpolation (to about 1 mm).
3. At each station a line perpendicular to the (locally averaged) walking direction is cut
   by the outer ring; the piece through the station is the **gross section**. Obstacles
   (clipped to the walkway) and holes are subtracted; the **clear width** is the length of the
   longest remaining connected piece (a wheelchair passes on one side of a pole, not on
   both halves).
4. Near the two ends (the *end zones*, about one half-width to 1.5 half-widths long) a
   section that the outline cuts shorter than the first full section (a slanted or rounded
   end) is replaced by that full section carried on along the centreline, so that the short
   ends of the polygon never count as narrowings, while obstacles standing in the end zones
   still do.

Limits
------
* Only the longest route through a polygon is sectioned: side branches of T- or X-shaped
  walkway polygons are not measured (split them into strips).
* A cross-section measure does not see a slalom: two obstacles on opposite sides that are
  staggered (not at the same station) each narrow their own stations only, even if a disc
  could not pass diagonally between their corners.
* In bends the sections are perpendicular to an averaged direction; there a bend is measured
  a little wider (along its diagonal) and a narrowing right in the bend a little longer
  (about 15 % for a 90 degree corner) than on a straight leg.
* A walkway that narrows right at its end (within the end zone) is not reported as narrow
  there, and in the end zones of a curved walkway the carried-on section may be a few
  centimetres off; outside a slanted end it counts as free.
* Obstacles are clipped to the walkway: an obstacle outside it, or one that only touches
  its outline from outside, does not narrow it; one inside that touches the edge narrows it
  by its full depth.

Measurement tolerance
---------------------
A drawing is exact only to its coordinates: a walkway drawn 1.00 m wide with slight bends,
its vertices stored to the millimetre, measures 0.9994 m on some sections. Clear widths are
therefore measured to the **centimetre** (:data:`WIDTH_TOLERANCE_M`, 5 mm, half a centimetre):
a stretch is a narrowing below a required width only where it is more than 5 mm narrower
than that width, and widths are reported rounded to the centimetre (:func:`round_width`), so
a reported width below the requirement is exactly a width that fails it. A 0.95 m walkway
still fails a 1.00 m minimum; a 0.994 m one does too (0.99 m).

All geometry is in a projected metric CRS (metres). Z values are ignored.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import substring

__all__ = [
    "DEFAULT_FOOTPRINT_M",
    "FOOTPRINT_SIDES",
    "WIDTH_PRECISION_M",
    "WIDTH_TOLERANCE_M",
    "ClearWidthResult",
    "Narrowing",
    "below_required",
    "clear_width",
    "clear_width_centreline",
    "clear_widths",
    "obstacle_footprint",
    "obstacle_footprints",
    "round_width",
]

#: Default footprint size (m) of a point obstacle without ``size_m``, per kind: the diameter
#: of its disc footprint (see :func:`obstacle_footprint`). Rough, deliberately modest values
#: for the object's base at walking height; draw a polygon (or give ``size_m``) for anything
#: bigger than a pole. ``other`` is used for unknown or missing kinds.
DEFAULT_FOOTPRINT_M: dict[str, float] = {
    "pole": 0.15,  # sign or traffic pole, Ø 0.10-0.15 m
    "sign": 0.15,  # a sign on its own pole
    "light": 0.25,  # lighting column base
    "bollard": 0.20,  # Ø 0.15-0.20 m
    "bin": 0.50,  # street litter bin, Ø 0.40-0.50 m
    "bike_rack": 0.60,  # one hoop / short rack, seen from the walking zone
    "tree": 0.40,  # trunk only (use tree_pit when the pit is open or raised)
    "tree_pit": 1.00,  # 1.00 x 1.00 m tree pit
    "planter": 0.80,  # plant box
    "bench": 0.60,  # depth of a bench (its length runs along the walkway)
    "cabinet": 0.60,  # utility / street cabinet
    "terrace": 2.00,  # café terrace drawn as a point: 2 m deep
    "scooter_zone": 2.00,  # shared-scooter / bike parking zone drawn as a point
    "other": 0.30,
}

#: Number of sides of the regular polygon used as a disc footprint for point obstacles.
FOOTPRINT_SIDES: int = 16

#: Measurement tolerance (m) of a clear width: widths are measured to the centimetre, so a
#: width at most half a centimetre below a requirement meets it (drawing noise, not a
#: narrowing). See "Measurement tolerance" in the module docstring.
WIDTH_TOLERANCE_M: float = 0.005
#: The precision (m) to which measured widths are reported.
WIDTH_PRECISION_M: float = 0.01


def round_width(width_m: float) -> float:
    """A measured width rounded to the centimetre (half up, so that 0.995 m reads 1.00 m and
    meets a 1.00 m requirement, as :data:`WIDTH_TOLERANCE_M` says)."""
    if not math.isfinite(width_m):
        return float(width_m)
    steps = math.floor(float(width_m) / WIDTH_PRECISION_M + 0.5 + 1e-6)
    return round(steps * WIDTH_PRECISION_M, 2)


def below_required(width_m: float, required_m: float) -> bool:
    """Whether a measured width fails a required width: more than :data:`WIDTH_TOLERANCE_M`
    below it (so exactly when :func:`round_width` gives less than a centimetre value)."""
    return float(width_m) < float(required_m) - WIDTH_TOLERANCE_M - 1e-8

_EPS_M = 1e-3  # stations either side of every vertex projection (locates jumps to 1 mm)
_MIN_COARSE_M = 0.5  # station spacing away from obstacles (never finer than resolution_m)
_RECT_FILL = 0.985  # area / minimum-rotated-rectangle area above which the MRR axis is used
_SPUR_RATIO = 0.95  # see _core_range
_SPUR_MARGIN = 0.5  # see _core_range


@dataclass(frozen=True, slots=True)
class Narrowing:
    """A stretch of walkway where the clear width is below the required width.

    Attributes
    ----------
    geometry
        The stretch of walkway (its outline between the start and end cross-section).
    width_m
        Narrowest clear width inside the stretch.
    length_m
        Length of the stretch measured along the walking direction (centreline).
    location
        Middle of the narrowest clear passage inside the stretch.
    """

    geometry: Polygon
    width_m: float
    length_m: float
    location: Point


@dataclass(frozen=True, slots=True)
class ClearWidthResult:
    """Clear width of one walkway.

    Attributes
    ----------
    min_width_m
        Narrowest clear width (longest free piece of the narrowest cross-section).
    location
        Middle of the narrowest passage.
    narrowest
        The free piece of the narrowest cross-section (for the map). When the walkway is fully
        blocked this is the blocked gross cross-section.
    gross_width_m
        Width of the walkway itself (obstacles and holes not subtracted) at the narrowest
        cross-section; ``gross_width_m - min_width_m`` is the width taken by obstacles there.
    centreline
        The walking direction used (LineString, MultiLineString for a MultiPolygon).
    narrowings
        Stretches narrower than ``min_required_m`` by more than :data:`WIDTH_TOLERANCE_M`
        (empty when no requirement was given).
    """

    min_width_m: float
    location: Point
    narrowest: LineString
    gross_width_m: float
    centreline: LineString | MultiLineString
    narrowings: tuple[Narrowing, ...] = ()


# --------------------------------------------------------------------------------------------
# Footprints


def _check_size(size_m: float, what: str) -> float:
    try:
        value = float(size_m)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a number of metres, got {size_m!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{what} must be a positive number of metres, got {size_m!r}")
    return value


def obstacle_footprint(
    geom: BaseGeometry, size_m: float | None = None, kind: str | None = None
) -> Polygon | MultiPolygon:
    """Turn an obstacle geometry into the footprint it takes from a walkway.

    Parameters
    ----------
    geom
        Point, LineString, Polygon or their Multi- variants (metres).
    size_m
        Diameter (points) or width (lines) of the footprint; when ``None`` the default of
        ``kind`` in :data:`DEFAULT_FOOTPRINT_M` (``other`` for an unknown or missing kind).
    kind
        Obstacle kind, used only for the default size.

    Returns
    -------
    Polygon or MultiPolygon
        Points become a **disc**: a regular 16-gon whose flat-to-flat width equals the size
        (so it is never smaller than the disc). Lines are buffered by size/2 with flat caps and
        mitred joins. Polygons are returned as they are (made valid). Multi-geometries give the
        union of their parts' footprints.

    Raises
    ------
    TypeError
        If ``geom`` is not a shapely geometry.
    ValueError
        If the geometry is empty or ``size_m`` is not a positive number.
    """
    if not isinstance(geom, BaseGeometry):
        raise TypeError(f"obstacle geometry must be a shapely geometry, got {type(geom).__name__}")
    if geom.is_empty:
        raise ValueError("obstacle geometry is empty")
    if size_m is None:
        size = DEFAULT_FOOTPRINT_M.get(kind or "other", DEFAULT_FOOTPRINT_M["other"])
    else:
        size = _check_size(size_m, "obstacle size_m")
    geom = shapely.force_2d(geom)
    gtype = geom.geom_type
    if gtype in ("Polygon", "MultiPolygon"):
        return geom if geom.is_valid else _polygonal(shapely.make_valid(geom))
    if gtype in ("Point", "MultiPoint"):
        radius = size / 2.0 / math.cos(math.pi / FOOTPRINT_SIDES)
        return geom.buffer(radius, quad_segs=FOOTPRINT_SIDES // 4)
    if gtype in ("LineString", "MultiLineString", "LinearRing"):
        if geom.length <= 0:
            return obstacle_footprint(geom.centroid, size, kind)
        return geom.buffer(size / 2.0, cap_style="flat", join_style="mitre", mitre_limit=3.0)
    if gtype == "GeometryCollection":
        parts = [obstacle_footprint(g, size, kind) for g in geom.geoms if not g.is_empty]
        return _polygonal(shapely.union_all(parts))
    raise TypeError(f"unsupported obstacle geometry type {gtype}")


def obstacle_footprints(
    items: Sequence[tuple[object, float | None, str | None]],
) -> list[Polygon | MultiPolygon | None]:
    """:func:`obstacle_footprint` of each ``(geometry, size_m, kind)``, ``None`` where it raises
    (a ``TypeError`` or ``ValueError``): the discs of points and the strips of lines in one
    vectorised buffer call each (the same geometries as one by one), the rest one by one."""
    out: list[Polygon | MultiPolygon | None] = [None] * len(items)
    disc_at: list[int] = []
    disc_geom: list[BaseGeometry] = []
    disc_radius: list[float] = []
    strip_at: list[int] = []
    strip_geom: list[BaseGeometry] = []
    strip_half: list[float] = []
    # points and lines with a valid size: emptiness, 2D forcing and length in vectorised calls
    # (an empty one, or one with an invalid size, has no footprint: obstacle_footprint raises)
    simple_at: list[int] = []
    simple_geom: list[BaseGeometry] = []
    simple_size: list[float] = []
    for n, (geom, size_m, kind) in enumerate(items):
        if isinstance(geom, (Point, LineString)):
            try:
                size = DEFAULT_FOOTPRINT_M.get(kind or "other", DEFAULT_FOOTPRINT_M["other"]) \
                    if size_m is None else _check_size(size_m, "obstacle size_m")
            except ValueError:
                continue
            simple_at.append(n)
            simple_geom.append(geom)
            simple_size.append(size)
            continue
        try:
            out[n] = obstacle_footprint(geom, size_m, kind)   # type: ignore[arg-type]
        except (TypeError, ValueError):
            out[n] = None
    if simple_at:
        geoms = _objects(simple_geom)
        empty = shapely.is_empty(geoms).tolist()
        flats = shapely.force_2d(geoms)
        lengths = shapely.length(flats).tolist()
        for n, geom, flat, size, is_empty, length in zip(simple_at, simple_geom, flats.tolist(),
                                                         simple_size, empty, lengths):
            if is_empty:
                continue
            if isinstance(geom, Point):
                disc_at.append(n)
                disc_geom.append(flat)
                disc_radius.append(size / 2.0 / math.cos(math.pi / FOOTPRINT_SIDES))
            elif length > 0:
                strip_at.append(n)
                strip_geom.append(flat)
                strip_half.append(size / 2.0)
            else:   # a line of no length: a disc at its centroid (one by one)
                try:
                    out[n] = obstacle_footprint(geom, *items[n][1:])   # type: ignore[arg-type]
                except (TypeError, ValueError):
                    out[n] = None
    if disc_at:
        discs = shapely.buffer(_objects(disc_geom), np.array(disc_radius),
                               quad_segs=FOOTPRINT_SIDES // 4)
        for n, g in zip(disc_at, discs.tolist()):
            out[n] = g
    if strip_at:
        strips = shapely.buffer(_objects(strip_geom), np.array(strip_half), cap_style="flat",
                                join_style="mitre", mitre_limit=3.0)
        for n, g in zip(strip_at, strips.tolist()):
            out[n] = g
    return out


def _objects(geoms: Sequence[BaseGeometry]) -> np.ndarray:
    arr = np.empty(len(geoms), dtype=object)
    arr[:] = geoms
    return arr


def _polygonal(geom: BaseGeometry) -> Polygon | MultiPolygon:
    """Keep the polygonal parts of a geometry (empty Polygon when there are none)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        return Polygon()
    return shapely.union_all(parts)


def _as_footprints(obstacles: Iterable[BaseGeometry]) -> list[BaseGeometry]:
    out: list[BaseGeometry] = []
    for g in obstacles:
        if g is None or g.is_empty:
            continue
        out.append(obstacle_footprint(g, None, None))
    return out


# --------------------------------------------------------------------------------------------
# Centrelines


@dataclass(frozen=True, slots=True)
class _Axis:
    """A centreline with the lengths of its two end zones."""

    line: LineString
    start_zone_m: float
    end_zone_m: float


def _dedupe(coords: np.ndarray) -> np.ndarray:
    if len(coords) < 2:
        return coords
    keep = np.ones(len(coords), dtype=bool)
    keep[1:] = np.any(np.abs(np.diff(coords, axis=0)) > 1e-9, axis=1)
    return coords[keep]


def _rect_axis(shell: Polygon) -> _Axis:
    """Long axis of the minimum rotated rectangle, end zones of half its width."""
    rect = shapely.oriented_envelope(shell)
    if rect.geom_type != "Polygon":  # degenerate (zero area)
        c = shapely.get_coordinates(rect)
        return _Axis(LineString([c[0], c[-1]]), 0.0, 0.0)
    c = shapely.get_coordinates(rect.exterior)[:4]
    e0 = np.linalg.norm(c[1] - c[0])
    e1 = np.linalg.norm(c[2] - c[1])
    if e0 >= e1:  # edges 0-1 and 2-3 are long: axis joins midpoints of edges 1-2 and 3-0
        a, b = (c[1] + c[2]) / 2, (c[3] + c[0]) / 2
        half = e1 / 2
    else:
        a, b = (c[0] + c[1]) / 2, (c[2] + c[3]) / 2
        half = e0 / 2
    length = float(np.linalg.norm(b - a))
    zone = min(float(half), length / 2)
    return _Axis(LineString([a, b]), zone, zone)


def _point_ids(xy: np.ndarray, decimals: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """Ids of coincident points (rounded): (index of each id's first point, id per point)."""
    key = np.round(xy[:, 0], decimals) + 1j * np.round(xy[:, 1], decimals)
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    return first, inverse.ravel()


def _longest_path(edges: np.ndarray) -> np.ndarray | None:
    """Longest shortest path (tree diameter) through a graph of 2-point edges, as coordinates."""
    first, inverse = _point_ids(edges.reshape(-1, 2))
    nodes = edges.reshape(-1, 2)[first]
    inverse = inverse.reshape(-1, 2)
    weights = np.linalg.norm(edges[:, 1] - edges[:, 0], axis=1)
    adjacency: list[list[tuple[int, float]]] = [[] for _ in range(len(nodes))]
    for (u, v), w in zip(inverse.tolist(), weights.tolist()):
        if u != v:
            adjacency[u].append((v, w))
            adjacency[v].append((u, w))

    def farthest(src: int) -> tuple[int, list[int], dict[int, float]]:
        dist = {src: 0.0}
        prev: dict[int, int] = {}
        heap = [(0.0, src)]
        while heap:
            d, u = heapq.heappop(heap)
            if d > dist[u]:
                continue
            for v, w in adjacency[u]:
                nd = d + w
                if nd < dist.get(v, math.inf):
                    dist[v] = nd
                    prev[v] = u
                    heapq.heappush(heap, (nd, v))
        end = max(dist, key=dist.__getitem__)
        path = [end]
        while path[-1] != src:
            path.append(prev[path[-1]])
        return end, path, dist

    # start in the largest connected component (stray bits of medial axis may be cut off)
    seen: set[int] = set()
    best: tuple[int, int] = (-1, 0)
    for start in range(len(nodes)):
        if start in seen or not adjacency[start]:
            continue
        end, _, reached = farthest(start)
        seen.update(reached)
        if len(reached) > best[0]:
            best = (len(reached), end)
        if 2 * len(reached) > len(nodes):
            break
    if best[0] < 2:
        return None
    u = best[1]
    _, path, _ = farthest(u)
    if len(path) < 2:
        return None
    return nodes[np.array(path)]


def _core_range(coords: np.ndarray, radius: np.ndarray) -> tuple[float, float]:
    """Chainage range of a medial path without the spurs into the end corners.

    Along a spur into a corner the inscribed radius grows steadily (by sin(angle/2) per metre);
    along the walkway it stays about constant. From each end, the path is cut at the first
    vertex whose radius reaches 95 % of the largest radius within the next two typical
    half-widths, plus a margin of half a typical half-width.
    """
    arc = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(coords, axis=0), axis=1))])
    r_typ = float(np.median(radius))
    window = 2.0 * r_typ

    def first_full(a: np.ndarray, r: np.ndarray) -> float:
        for i in range(len(a)):
            ahead = r[(a >= a[i]) & (a <= a[i] + window)]
            if r[i] >= _SPUR_RATIO * ahead.max():
                return float(a[i])
        return float(a[-1])

    total = float(arc[-1])
    start = first_full(arc, radius) + _SPUR_MARGIN * r_typ
    end = total - first_full(total - arc[::-1], radius[::-1]) - _SPUR_MARGIN * r_typ
    return start, end


def _ray_to_outline(
    shell: Polygon, origin: np.ndarray, direction: np.ndarray, reach: float
) -> float:
    """Distance from ``origin`` along ``direction`` to the outline (0 when it cannot be found)."""
    ray = LineString([origin, origin + direction * reach])
    inside = shell.intersection(ray)
    best = 0.0
    for part in shapely.get_parts(inside):
        if part.geom_type != "LineString" or part.distance(Point(origin)) > 1e-6:
            continue
        c = shapely.get_coordinates(part)
        best = max(best, float(np.max(np.linalg.norm(c - origin, axis=1))))
    return best


def _voronoi_edges(pts: np.ndarray) -> np.ndarray:
    """Finite Voronoi edges of points, as an (m, 2, 2) array, from the dual Delaunay triangles.

    (Faster than ``shapely.voronoi_polygons(only_edges=True)``, which merges the edges.)
    """
    # local coordinates: circumcentres computed from large (UTM) coordinates lose precision
    origin = pts.mean(axis=0)
    tris = shapely.get_parts(shapely.delaunay_triangles(shapely.multipoints(pts - origin)))
    if len(tris) < 2:
        return np.empty((0, 2, 2))
    tc = shapely.get_coordinates(tris).reshape(-1, 4, 2)[:, :3]
    vid = _point_ids(tc.reshape(-1, 2))[1].reshape(-1, 3)
    # circumcentres
    a, b, c = tc[:, 0], tc[:, 1], tc[:, 2]
    d = 2.0 * (
        a[:, 0] * (b[:, 1] - c[:, 1]) + b[:, 0] * (c[:, 1] - a[:, 1]) + c[:, 0] * (a[:, 1] - b[:, 1])
    )
    a2, b2, c2 = (a**2).sum(1), (b**2).sum(1), (c**2).sum(1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ux = (a2 * (b[:, 1] - c[:, 1]) + b2 * (c[:, 1] - a[:, 1]) + c2 * (a[:, 1] - b[:, 1])) / d
        uy = (a2 * (c[:, 0] - b[:, 0]) + b2 * (a[:, 0] - c[:, 0]) + c2 * (b[:, 0] - a[:, 0])) / d
    centre = np.column_stack([ux, uy])
    # triangles sharing an edge give a Voronoi edge between their circumcentres
    pairs = np.concatenate([vid[:, [0, 1]], vid[:, [1, 2]], vid[:, [2, 0]]])
    pairs.sort(axis=1)
    key = pairs[:, 0].astype(np.int64) * (int(vid.max()) + 1) + pairs[:, 1]
    owner = np.tile(np.arange(len(vid)), 3)
    order = np.argsort(key, kind="stable")
    key, owner = key[order], owner[order]
    same = np.flatnonzero(key[1:] == key[:-1])
    edges = np.stack([centre[owner[same]], centre[owner[same + 1]]], axis=1) + origin
    return edges[np.isfinite(edges).all(axis=(1, 2))]


def _smooth(line: LineString, spacing: float) -> LineString:
    """Remove the zigzag of a sampled medial axis: resample and average over 2 x ``spacing``.

    The window shrinks towards the ends, so the end points stay where they are.
    """
    step = spacing / 2.0
    n = max(int(math.ceil(line.length / step)), 1) + 1
    c = shapely.get_coordinates(line)
    arc = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(c, axis=0), axis=1))])
    at = np.linspace(0.0, arc[-1], n)
    q = np.column_stack([np.interp(at, arc, c[:, 0]), np.interp(at, arc, c[:, 1])])
    k = 2  # half window in samples: 2 x step either side = 2 x spacing in all
    idx = np.arange(n)
    half = np.minimum(np.minimum(idx, n - 1 - idx), k)
    cs = np.vstack([np.zeros((1, 2)), np.cumsum(q, axis=0)])
    smooth = (cs[idx + half + 1] - cs[idx - half]) / (2 * half + 1)[:, None]
    out = LineString(_dedupe(smooth)).simplify(spacing / 50.0, preserve_topology=False)
    return out


def _skeleton_axis(shell: Polygon) -> _Axis | None:
    """Centreline from the longest path through an approximate medial axis of the outline."""
    ring = shell.exterior
    perimeter = ring.length
    width_est = 2.0 * shell.area / perimeter * (1.0 + 1e-9)
    spacing = float(np.clip(width_est / 4.0, 0.02, 1.0))
    # keep the sample count bounded for very long outlines
    spacing = max(spacing, perimeter / 20000.0)
    pts = shapely.get_coordinates(shapely.segmentize(ring, spacing))[:-1]
    if len(pts) < 4:
        return None
    edge_xy = _voronoi_edges(pts)
    if len(edge_xy) == 0:
        return None
    shapely.prepare(shell)
    inside = shapely.contains_properly(shell, shapely.linestrings(edge_xy))
    edge_xy = edge_xy[inside]
    if len(edge_xy) == 0:
        return None
    path = _longest_path(edge_xy)
    if path is None:
        return None
    path = _dedupe(path)
    radius = shapely.distance(shapely.points(path), ring)
    s0, s1 = _core_range(path, radius)
    if s1 - s0 <= 1e-6:
        return None
    r_typ = float(np.median(radius))
    line = _smooth(substring(LineString(path), s0, s1), spacing)
    c = shapely.get_coordinates(line)
    if len(c) < 2:
        return None
    reach = 4.0 * float(radius.max()) + 1.0
    # extend along the direction of the last half-width of the centreline
    look = min(r_typ, line.length / 2)
    d0 = c[0] - shapely.get_coordinates(line.interpolate(look))[0]
    d1 = c[-1] - shapely.get_coordinates(line.interpolate(line.length - look))[0]
    n0, n1 = float(np.linalg.norm(d0)), float(np.linalg.norm(d1))
    if n0 <= 1e-12 or n1 <= 1e-12:
        return None
    d0, d1 = d0 / n0, d1 / n1
    ext0 = _ray_to_outline(shell, c[0], d0, reach)
    ext1 = _ray_to_outline(shell, c[-1], d1, reach)
    coords = np.vstack([c[0] + d0 * ext0, c, c[-1] + d1 * ext1])
    return _Axis(LineString(_dedupe(coords)), ext0, ext1)


def _axis(shell: Polygon) -> _Axis:
    """Walking direction of a walkway polygon (see the module docstring)."""
    rect = shapely.oriented_envelope(shell)
    if rect.area > 0 and shell.area / rect.area >= _RECT_FILL:
        return _rect_axis(shell)
    axis = _skeleton_axis(shell)
    return axis if axis is not None else _rect_axis(shell)


# --------------------------------------------------------------------------------------------
# Sections


@dataclass(frozen=True, slots=True)
class _Profile:
    """Clear width sampled at stations along a centreline."""

    s: np.ndarray  # station chainage along the centreline (m)
    width: np.ndarray  # clear width (m)
    gross: np.ndarray  # gross width (m)
    free_piece: np.ndarray  # longest free piece per station (LineString or None)
    gross_piece: np.ndarray  # gross section per station (LineString)
    axis: _Axis


def _stations(axis: _Axis, shell: Polygon, blockers: BaseGeometry | None, res: float) -> np.ndarray:
    """Chainages of the cross-sections (see the module docstring)."""
    line = axis.line
    length = line.length
    coarse = max(res, _MIN_COARSE_M)
    parts = [np.linspace(0.0, length, max(int(math.ceil(length / coarse)), 1) + 1)]
    rings = [shell.exterior]
    if blockers is not None and not blockers.is_empty:
        bparts = shapely.get_parts(blockers)
        bxy, bidx = shapely.get_coordinates(bparts, return_index=True)
        s_b = shapely.line_locate_point(line, shapely.points(bxy))
        lo = np.full(len(bparts), np.inf)
        hi = np.full(len(bparts), -np.inf)
        np.minimum.at(lo, bidx, s_b)
        np.maximum.at(hi, bidx, s_b)
        for a, b in zip(lo - res, hi + res):
            parts.append(np.arange(max(a, 0.0), min(b, length) + res, res))
        rings += list(shapely.get_rings(bparts))
    # every vertex projection; 1 mm either side of edges that run across the walking
    # direction (span less than resolution_m along it): there the width jumps
    vxy, ridx = shapely.get_coordinates(np.array(rings, dtype=object), return_index=True)
    s_v = shapely.line_locate_point(line, shapely.points(vxy))
    same_ring = ridx[1:] == ridx[:-1]
    across = same_ring & (np.abs(np.diff(s_v)) < res)
    jump = np.concatenate([s_v[:-1][across], s_v[1:][across]])
    parts += [s_v, jump - _EPS_M, jump + _EPS_M]
    s = np.concatenate(parts)
    s = np.clip(s, 0.0, length)
    return np.unique(np.round(s, 6))


def _frame(line: LineString, s: np.ndarray, h: float) -> tuple[np.ndarray, np.ndarray]:
    """Points at chainage ``s`` and unit walking directions averaged over ``s ± h``."""
    c = shapely.get_coordinates(line)
    seg = np.diff(c, axis=0)
    seglen = np.linalg.norm(seg, axis=1)
    cum = np.concatenate([[0.0], np.cumsum(seglen)])
    unit = seg / seglen[:, None]

    def at(t: np.ndarray) -> np.ndarray:
        k = np.clip(np.searchsorted(cum, t, side="right") - 1, 0, len(seg) - 1)
        return c[k] + unit[k] * (t - cum[k])[:, None]

    length = cum[-1]
    p = at(s)
    d = at(np.minimum(s + h, length)) - at(np.maximum(s - h, 0.0))
    norm = np.linalg.norm(d, axis=1)
    bad = norm < 1e-12
    if bad.any():
        k = np.clip(np.searchsorted(cum, s[bad], side="right") - 1, 0, len(seg) - 1)
        d[bad] = unit[k]
        norm[bad] = 1.0
    return p, d / norm[:, None]


def _longest_pieces(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per (Multi)LineString, its longest line piece (None when empty) and that length."""
    n = len(geoms)
    parts, idx = shapely.get_parts(geoms, return_index=True)
    lines = shapely.get_type_id(parts) == 1
    parts, idx = parts[lines], idx[lines]
    lengths = shapely.length(parts)
    chosen = np.full(n, None, dtype=object)
    out_len = np.zeros(n)
    if len(parts) == 0:
        return chosen, out_len
    order = np.lexsort((-lengths, idx))
    first = np.ones(len(order), dtype=bool)
    first[1:] = idx[order][1:] != idx[order][:-1]
    pick = order[first]
    chosen[idx[pick]] = parts[pick]
    out_len[idx[pick]] = lengths[pick]
    return chosen, out_len


def _section_extent(
    p: np.ndarray, normal: np.ndarray, ring: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Signed distances along ``normal`` from each ``p`` to the nearest outline crossing each side.

    Returns ``(lo, hi)`` with ``lo <= 0 <= hi``; ``-inf``/``inf`` where no crossing was found.
    Vectorised ray/segment intersection in chunks to bound memory. A line that only grazes a
    vertex (both neighbours on the same side) does not leave the polygon there and is ignored.
    """
    ring = _dedupe(ring)
    v = ring[:-1]  # vertices of the closed ring, without the repeated first one
    nxt = np.roll(np.arange(len(v)), -1)
    prv = np.roll(np.arange(len(v)), 1)
    lo = np.full(len(p), -np.inf)
    hi = np.full(len(p), np.inf)
    tol = 1e-9
    chunk = max(1, 1_000_000 // max(len(v), 1))
    for start in range(0, len(p), chunk):
        pp, nn = p[start : start + chunk, None, :], normal[start : start + chunk, None, :]
        w = v[None] - pp  # (n, m, 2): vertex relative to the station
        along = w[..., 0] * nn[..., 0] + w[..., 1] * nn[..., 1]  # position along the section
        side = nn[..., 0] * w[..., 1] - nn[..., 1] * w[..., 0]  # signed offset from the section
        s0, s1 = side, side[:, nxt]
        # proper crossings of an edge between its end vertices
        crosses = ((s0 > tol) & (s1 < -tol)) | ((s0 < -tol) & (s1 > tol))
        with np.errstate(divide="ignore", invalid="ignore"):
            frac = s0 / (s0 - s1)
        t_edge = along + frac * (along[:, nxt] - along)
        # vertices on the section line: a crossing unless both neighbours are on one side
        on = np.abs(side) <= tol
        sp, sn = side[:, prv], side[:, nxt]
        grazing = ((sp > tol) & (sn > tol)) | ((sp < -tol) & (sn < -tol))
        t_all = np.concatenate(
            [np.where(crosses, t_edge, np.nan), np.where(on & ~grazing, along, np.nan)], axis=1
        )
        with np.errstate(invalid="ignore"):
            lo[start : start + chunk] = np.where(t_all <= 0, t_all, -np.inf).max(axis=1)
            hi[start : start + chunk] = np.where(t_all >= 0, t_all, np.inf).min(axis=1)
    return lo, hi


def _profile(
    shell: Polygon, blockers: BaseGeometry | None, axis: _Axis, res: float
) -> _Profile | None:
    line = axis.line
    length = line.length
    if length <= 0:
        return None
    s = _stations(axis, shell, blockers, res)
    width_est = 2.0 * shell.area / shell.exterior.length
    p, d = _frame(line, s, max(res, 0.5 * width_est))
    normal = np.column_stack([-d[:, 1], d[:, 0]])
    lo, hi = _section_extent(p, normal, shapely.get_coordinates(shell.exterior))
    ok = np.isfinite(lo) & np.isfinite(hi)
    # End zones: where the outline cuts a section shorter than the first full section (a
    # slanted or rounded end), carry that full section on instead (see the module docstring).
    zone0 = min(axis.start_zone_m, length / 2)
    zone1 = min(axis.end_zone_m, length / 2)
    for in_zone, ref_s in ((s < zone0 - 1e-9, zone0), (s > length - zone1 + 1e-9, length - zone1)):
        if not in_zone.any():
            continue
        k = int(np.argmin(np.abs(np.where(ok & ~in_zone, s, np.inf) - ref_s)))
        if not ok[k]:
            continue
        short = in_zone & ~(ok & (hi - lo >= hi[k] - lo[k] - 1e-6))
        # translate the reference section: same direction and the same extents around p
        normal[short] = normal[k]
        lo[short], hi[short] = lo[k], hi[k]
        ok[short] = True
    a = p + normal * np.where(ok, lo, 0.0)[:, None]
    b = p + normal * np.where(ok, hi, 0.0)[:, None]
    if not ok.any():
        return None
    s, p, a, b = s[ok], p[ok], a[ok], b[ok]
    gross_lines = shapely.linestrings(np.stack([a, b], axis=1))
    gross = shapely.length(gross_lines)
    width = gross.copy()
    free_piece = gross_lines.copy()
    if blockers is not None and not blockers.is_empty:
        shapely.prepare(blockers)
        hit = shapely.intersects(blockers, gross_lines)
        if hit.any():
            rest = shapely.difference(gross_lines[hit], blockers)
            piece, plen = _longest_pieces(rest)
            width[hit] = plen
            free_piece[hit] = piece
    return _Profile(s, width, gross, free_piece, gross_lines, axis)


# --------------------------------------------------------------------------------------------
# Narrowings


def crossing(s0: float, w0: float, s1: float, w1: float, req: float) -> float:
    """Chainage between two stations where the (linear) width crosses ``req``."""
    if w0 == w1:
        return (s0 + s1) / 2
    t = (w0 - req) / (w0 - w1)
    return s0 + min(max(t, 0.0), 1.0) * (s1 - s0)


def narrowing_runs(s: np.ndarray, w: np.ndarray, req: float,
                   below: np.ndarray | None = None) -> list[tuple[int, int, float, float]]:
    """The runs of stations narrower than ``req`` (``w < req - 1e-9``, or ``below`` when the
    caller has it): ``(first, last station index, start, end chainage)``, each end where the
    linear width crosses ``req`` (:func:`crossing`), or the walkway's end where the run reaches
    it. The one narrowing-run extraction of the general and the rectangle method
    (:mod:`inclusiecheck.geometry.rectwidth`)."""
    if below is None:
        below = w < req - 1e-9
    if not below.any():
        return []
    edges = np.diff(below.astype(np.int8))
    starts = (np.flatnonzero(edges == 1) + 1).tolist()
    ends = np.flatnonzero(edges == -1).tolist()
    if below[0]:
        starts.insert(0, 0)
    if below[-1]:
        ends.append(len(s) - 1)
    sl, wl = s.tolist(), w.tolist()
    last = len(sl) - 1
    return [(i, j,
             sl[0] if i == 0 else crossing(sl[i - 1], wl[i - 1], sl[i], wl[i], req),
             sl[-1] if j == last else crossing(sl[j], wl[j], sl[j + 1], wl[j + 1], req))
            for i, j in zip(starts, ends)]


def _stretch(shell: Polygon, line: LineString, s0: float, s1: float, reach: float) -> Polygon:
    """The part of the walkway between chainages ``s0`` and ``s1`` (at least 1 mm long)."""
    if s1 - s0 < _EPS_M:
        mid = (s0 + s1) / 2
        s0, s1 = max(mid - _EPS_M / 2, 0.0), min(mid + _EPS_M / 2, line.length)
    sub = substring(line, s0, s1)
    band = sub.buffer(reach, cap_style="flat", join_style="mitre", mitre_limit=10.0)
    part = _polygonal(shell.intersection(band))
    if part.geom_type == "MultiPolygon":
        centre = line.interpolate((s0 + s1) / 2)
        part = min(part.geoms, key=lambda g: g.distance(centre))
    return part


def _narrowings(shell: Polygon, prof: _Profile, req: float) -> list[Narrowing]:
    """Stretches narrower than ``req`` by more than :data:`WIDTH_TOLERANCE_M`; their ends lie
    where the width crosses that level."""
    req = req - WIDTH_TOLERANCE_M
    runs = narrowing_runs(prof.s, prof.width, req)
    if not runs:
        return []
    line = prof.axis.line
    reach = float(prof.gross.max()) * 2.0 + 1.0
    return [Narrowing(geometry=_stretch(shell, line, s0, s1, reach),
                      width_m=float(prof.width[k]), length_m=float(s1 - s0),
                      location=_middle(prof, k))
            for i, j, s0, s1 in runs
            for k in (_narrowest_index(prof.width, i, j),)]


def _narrowest_index(width: np.ndarray, i: int = 0, j: int | None = None) -> int:
    """Index of the narrowest station in ``width[i:j+1]``; among equal minima the middle one."""
    w = width[i : (len(width) if j is None else j + 1)]
    ties = np.flatnonzero(w <= w.min() + 1e-6)
    return i + int(ties[len(ties) // 2])


def _middle(prof: _Profile, k: int) -> Point:
    piece = prof.free_piece[k]
    if piece is None or piece.is_empty:
        piece = prof.gross_piece[k]
    return piece.interpolate(0.5, normalized=True)


# --------------------------------------------------------------------------------------------
# Public API


def _check_walkway(walkway: BaseGeometry) -> list[Polygon]:
    if not isinstance(walkway, BaseGeometry):
        raise TypeError(f"walkway must be a shapely geometry, got {type(walkway).__name__}")
    if walkway.geom_type not in ("Polygon", "MultiPolygon"):
        raise TypeError(
            f"walkway must be a Polygon or MultiPolygon, got {walkway.geom_type}; "
            "use clear_width_centreline for a centre line with a width"
        )
    geom = shapely.force_2d(walkway)
    if not geom.is_empty and not geom.is_valid:
        geom = _polygonal(shapely.make_valid(geom))
    parts = [g for g in shapely.get_parts(geom) if g.area > 0]
    if not parts:
        raise ValueError("walkway polygon is empty or has no area")
    return parts


def _measure_part(
    part: Polygon, obstacles: BaseGeometry | None, axis: _Axis | None, req: float | None, res: float
) -> tuple[_Profile, list[Narrowing]] | None:
    shell = Polygon(part.exterior)
    blocked = [shapely.polygons(r) for r in part.interiors]
    if obstacles is not None and not obstacles.is_empty and obstacles.intersects(shell):
        blocked.append(_polygonal(shell.intersection(obstacles)))
    blockers = shapely.union_all(blocked) if blocked else None
    if blockers is not None and blockers.is_empty:
        blockers = None
    prof = _profile(shell, blockers, axis if axis is not None else _axis(shell), res)
    if prof is None:
        return None
    return prof, (_narrowings(shell, prof, req) if req is not None else [])


def _result(measured: list[tuple[_Profile, list[Narrowing]]]) -> ClearWidthResult:
    best_prof, best_k = None, 0
    for prof, _ in measured:
        k = _narrowest_index(prof.width)
        if best_prof is None or prof.width[k] < best_prof.width[best_k]:
            best_prof, best_k = prof, k
    assert best_prof is not None
    piece = best_prof.free_piece[best_k]
    if piece is None or piece.is_empty:
        piece = best_prof.gross_piece[best_k]
    lines = [prof.axis.line for prof, _ in measured]
    narrowings = tuple(n for _, ns in measured for n in ns)
    return ClearWidthResult(
        min_width_m=float(best_prof.width[best_k]),
        location=_middle(best_prof, best_k),
        narrowest=piece,
        gross_width_m=float(best_prof.gross[best_k]),
        centreline=lines[0] if len(lines) == 1 else MultiLineString(lines),
        narrowings=narrowings,
    )


def _check_options(min_required_m: float | None, resolution_m: float) -> tuple[float | None, float]:
    res = _check_size(resolution_m, "resolution_m")
    req = None if min_required_m is None else _check_size(min_required_m, "min_required_m")
    return req, res


def _clear_width(
    parts: list[Polygon],
    obstacles: BaseGeometry | None,
    axes: list[_Axis | None],
    req: float | None,
    res: float,
) -> ClearWidthResult:
    measured = []
    for part, axis in zip(parts, axes):
        m = _measure_part(part, obstacles, axis, req, res)
        if m is not None:
            measured.append(m)
    if not measured:
        raise ValueError("could not derive a walking direction for the walkway polygon")
    return _result(measured)


def clear_width(
    walkway: Polygon | MultiPolygon,
    obstacles: Iterable[BaseGeometry] = (),
    *,
    min_required_m: float | None = None,
    resolution_m: float = 0.05,
) -> ClearWidthResult:
    """Narrowest clear width of a walkway polygon after subtracting obstacle footprints.

    See the module docstring for the cross-section method and its limits.

    Parameters
    ----------
    walkway
        Polygon or MultiPolygon (holes count as obstacles), metres. For a MultiPolygon the
        narrowest part is reported and the narrowings of all parts are listed.
    obstacles
        Obstacle footprints. Polygons are used as they are; points and lines get the ``other``
        default footprint (call :func:`obstacle_footprint` first to use a kind or size).
    min_required_m
        Required clear width; when given, every stretch narrower than it by more than
        :data:`WIDTH_TOLERANCE_M` is returned in ``narrowings``.
    resolution_m
        Station spacing around obstacles and holes (see the module docstring).

    Returns
    -------
    ClearWidthResult

    Raises
    ------
    TypeError
        If the walkway is not a Polygon or MultiPolygon.
    ValueError
        If the walkway is empty or an option is not a positive number.
    """
    req, res = _check_options(min_required_m, resolution_m)
    parts = _check_walkway(walkway)
    footprints = _as_footprints(obstacles)
    merged = shapely.union_all(footprints) if footprints else None
    return _clear_width(parts, merged, [None] * len(parts), req, res)


def clear_width_centreline(
    line: LineString,
    width_m: float,
    obstacles: Iterable[BaseGeometry] = (),
    *,
    min_required_m: float | None = None,
    resolution_m: float = 0.05,
) -> ClearWidthResult:
    """Clear width of a walkway drawn as a centre line with a width attribute.

    The line is buffered by ``width_m / 2`` with flat caps and mitred joins; obstacles within
    that half-width reduce the clear width. The line itself is the walking direction.

    Parameters
    ----------
    line
        Centre line (LineString or MultiLineString), metres; Z is ignored.
    width_m
        Width of the walking zone.
    obstacles, min_required_m, resolution_m
        As for :func:`clear_width`.

    Returns
    -------
    ClearWidthResult

    Raises
    ------
    TypeError
        If ``line`` is not a LineString or MultiLineString.
    ValueError
        If the line has no length or ``width_m`` is not a positive number.
    """
    if not isinstance(line, (LineString, MultiLineString)):
        raise TypeError(f"centre line must be a LineString, got {type(line).__name__}")
    width = _check_size(width_m, "width_m")
    req, res = _check_options(min_required_m, resolution_m)
    line = shapely.force_2d(line)
    merged = shapely.line_merge(line) if line.geom_type != "LineString" else line
    lines = [
        LineString(_dedupe(shapely.get_coordinates(g)))
        for g in shapely.get_parts(merged)
        if g.length > 0
    ]
    if not lines:
        raise ValueError("centre line has no length")
    parts: list[Polygon] = []
    axes: list[_Axis | None] = []
    for g in lines:
        poly = g.buffer(width / 2, cap_style="flat", join_style="mitre", mitre_limit=3.0)
        for p in shapely.get_parts(_polygonal(poly)):
            parts.append(p)
            axes.append(_Axis(g, min(width / 2, g.length / 2), min(width / 2, g.length / 2)))
    footprints = _as_footprints(obstacles)
    merged = shapely.union_all(footprints) if footprints else None
    return _clear_width(parts, merged, axes, req, res)


def clear_widths(
    walkways: Sequence[BaseGeometry],
    obstacles: Sequence[BaseGeometry],
    *,
    min_required_m: float | None = None,
    resolution_m: float = 0.05,
) -> list[ClearWidthResult]:
    """Clear width of many walkway polygons against one shared set of obstacles.

    The obstacle footprints go into one :class:`shapely.STRtree`; each walkway is measured only
    against the obstacles that intersect it, so the cost grows linearly with the number of
    walkways (and obstacles per walkway).

    Parameters
    ----------
    walkways
        Polygons or MultiPolygons.
    obstacles
        Obstacle footprints (points and lines get the ``other`` default footprint).
    min_required_m, resolution_m
        As for :func:`clear_width`.

    Returns
    -------
    list of ClearWidthResult
        One per walkway, in input order.

    Raises
    ------
    TypeError, ValueError
        As for :func:`clear_width`, naming the index of the offending walkway.
    """
    req, res = _check_options(min_required_m, resolution_m)
    if len(walkways) == 0:
        return []
    footprints = np.array(_as_footprints(obstacles), dtype=object)
    tree = shapely.STRtree(footprints)
    checked: list[list[Polygon]] = []
    for i, w in enumerate(walkways):
        try:
            checked.append(_check_walkway(w))
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"walkway {i}: {exc}") from None
    hulls = np.array([shapely.union_all(p) for p in checked], dtype=object)
    w_idx, o_idx = tree.query(hulls, predicate="intersects")
    order = np.argsort(w_idx, kind="stable")
    w_idx, o_idx = w_idx[order], o_idx[order]
    bounds = np.searchsorted(w_idx, np.arange(len(walkways) + 1))
    results = []
    for i, parts in enumerate(checked):
        near = footprints[o_idx[bounds[i] : bounds[i + 1]]]
        merged = shapely.union_all(near) if len(near) else None
        results.append(_clear_width(parts, merged, [None] * len(parts), req, res))
    return results
