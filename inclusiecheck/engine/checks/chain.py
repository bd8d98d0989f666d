"""Check type ``route_chain``: the chain of accessibility from an origin to a destination.

A stop that is accessible is of no use when the route from it to the town hall is not. This
check follows the route: from each origin (a stop, an accessible parking bay; the rule's
``applies_to`` selects them) it finds the shortest route along the walking network to the
nearest destination (a public entrance, a public toilet, ...), walks the route's links (the
walkways it runs on, crossings, ramps, stairs, level changes on it) and judges each link
against the criteria of a *profile*:

``motor`` (wheelchair, rollator, pram)
    clear width (``clear_width_m``, else ``width_m``): at least ``min_width_m`` everywhere
    and at least ``long_min_width_m`` over any stretch longer than ``short_narrowing_max_m``;
    running slope of walkways and ramps by the ramp table (rise -> maximum slope; up to
    ``level_pct`` counts as level); kerb height at crossings at most ``max_kerb_cm``; level
    changes at most ``max_level_change_cm``; no stairs; no ``unsuitable_surfaces``.
``visual`` (blind and partially sighted people)
    every crossing has tactile warning paving (``tactile_paving``, or a ``tactile`` feature of
    kind ``warning`` drawn within ``tactile_within_m``); every stair has a tactile warning.

The search prefers accessible links. When the shortest route has a broken link, the network
is searched again without the broken links (and without links whose decisive attribute is
missing): if an accessible route exists within ``max_route_m`` the chain holds and the note
gives the detour; if one exists only through links with missing data the outcome is
``to_verify`` naming them; otherwise the chain is broken and the finding locates the broken
links of the shortest route and says why, in both languages.

The walking network is built once per run (``ctx.shared``): walkway, crossing,
ramp and stairs centre lines as they are; walkable *surfaces* (walkway and crossing polygons,
minus any stairs or ramp polygons drawn on them, and stairs or ramp polygons themselves) as a
visibility graph between their portals (where lines and other surfaces meet them, where
stops, entrances, parking, toilets and lifts stand, and their concave corners). Searches are
batched: one multi-source search from all destinations serves every origin of a layer. See
docs/method-chain.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import shapely
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry
from shapely.ops import split, substring

from inclusiecheck.engine.checks.api import (
    CheckContext,
    CheckParams,
    CheckResult,
    as_number,
    check_type,
)
from inclusiecheck.engine.checks.relations import candidates
from inclusiecheck.engine.conditions import validate_conditions
from inclusiecheck.engine.messages import format_number
from inclusiecheck.geometry.network import (
    GeometryInputError,
    Route,
    WalkNetwork,
    build_walk_network,
    euclidean_distance_to_nearest,
    nearest_routes,
)
from inclusiecheck.model import Feature, Outcome

#: Layers whose features are links a route can run along.
LINK_LAYERS: tuple[str, ...] = ("walkway", "crossing", "ramp", "stairs")
#: Layers whose *point* features are links a route passes (judged where the route passes by).
POINT_LINK_LAYERS: tuple[str, ...] = ("crossing", "level_change")
#: Layers whose features get a portal on a walkable surface (origins and destinations).
POI_LAYERS: tuple[str, ...] = ("stop", "entrance", "parking", "toilet", "lift", "bench")
#: Join tolerance of the network (line ends, surfaces that meet).
SNAP_TOLERANCE_M: float = 0.5
#: Stops, entrances, ... within this distance of a surface get a portal on it.
POI_REACH_M: float = 25.0
#: Spacing of the portals along a boundary shared by two walkable surfaces.
PORTAL_SPACING_M: float = 5.0
#: Up to this many portals a surface connects every pair; above it, a Delaunay triangulation.
ALL_PAIRS_MAX: int = 60
#: Layer priority when two links overlap (the lowest wins): a stair drawn on a walkway counts.
_PRIORITY = {"stairs": 0, "ramp": 1, "crossing": 2, "walkway": 3}

_LAYER_TEXT = {
    "walkway": ("looppad", "walkway"), "crossing": ("oversteekplaats", "crossing"),
    "ramp": ("helling", "ramp"), "stairs": ("trap", "stairs"),
    "level_change": ("niveauverschil", "level change"), "entrance": ("ingang", "entrance"),
    "toilet": ("toilet", "toilet"), "stop": ("halte", "stop"),
    "parking": ("parkeerplaats", "parking"), "lift": ("lift", "lift"),
}
_OK, _UNKNOWN, _BROKEN = 0, 1, 2


# ============================================================================================
# parameters


class Target(BaseModel):
    """A destination kind: a layer and attribute conditions (``public: true``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    layer: str
    where: dict[str, Any] = Field(default_factory=dict)

    @field_validator("where")
    @classmethod
    def _where(cls, value: dict[str, Any]) -> dict[str, Any]:
        return validate_conditions(value)


class SlopeRow(BaseModel):
    """One row of the ramp table: for a rise above ``gt`` and up to ``lte`` cm, at most
    ``max`` % (both bounds optional; the maximum itself is allowed)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    gt: float | None = None
    lte: float | None = None
    max: float = Field(gt=0)


#: Verordening Art. 19 §1 / Inter: rise <= 10 cm: 10 %; 10-25 cm: 8.3 %; 25-50 cm: 6.25 %;
#: above 50 cm: 5 % (the rows of PD-05).
DEFAULT_SLOPE_TABLE: tuple[SlopeRow, ...] = (
    SlopeRow(lte=10, max=10.0), SlopeRow(gt=10, lte=25, max=8.3),
    SlopeRow(gt=25, lte=50, max=6.25), SlopeRow(gt=50, max=5.0),
)


class RouteChainParams(CheckParams):
    """Parameters of ``route_chain`` (see the module docstring and docs/method-chain.md)."""

    destinations: list[Target] = Field(min_length=1)
    profile: Literal["motor", "visual"] = "motor"
    max_route_m: float = Field(default=500.0, gt=0)
    max_snap_m: float = Field(default=25.0, gt=0)
    point_reach_m: float = Field(default=0.5, ge=0)
    detour: bool = True
    # motor profile
    min_width_m: float | None = Field(default=0.90, gt=0)
    long_min_width_m: float | None = Field(default=1.20, gt=0)
    short_narrowing_max_m: float = Field(default=1.20, ge=0)
    slope_table: list[SlopeRow] = Field(default_factory=lambda: list(DEFAULT_SLOPE_TABLE))
    level_pct: float = Field(default=4.0, ge=0)
    walkway_slope_missing: Literal["level", "to_verify"] = "level"
    max_kerb_cm: float | None = Field(default=2.0, ge=0)
    max_level_change_cm: float | None = Field(default=2.0, ge=0)
    unsuitable_surfaces: list[str] = Field(default_factory=list)
    min_door_width_cm: float | None = Field(default=90.0, gt=0)
    max_threshold_cm: float | None = Field(default=2.0, ge=0)
    # visual profile
    tactile_within_m: float = Field(default=2.0, ge=0)
    # what to report
    missing_destination: Literal["not_applicable", "to_verify", "fail"] = "not_applicable"
    property: str = "broken_links"

    @model_validator(mode="after")
    def _widths(self) -> RouteChainParams:
        if (self.min_width_m is not None and self.long_min_width_m is not None
                and self.long_min_width_m < self.min_width_m):
            raise ValueError("long_min_width_m must be at least min_width_m")
        return self


# ============================================================================================
# the network with its links


@dataclass(frozen=True, eq=False)
class ChainNetwork:
    """The walking network of a plan, with the link feature of every edge."""

    net: WalkNetwork
    edge_feature: list[Feature | None]  # None: a connector the network builder added



def _oriented_ccw(polygons: np.ndarray) -> np.ndarray:
    """Every polygon with its exterior counter-clockwise and its holes clockwise:
    ``shapely.orient_polygons`` (shapely 2.1), else ``orient(polygon, 1.0)`` one by one."""
    orient_polygons = getattr(shapely, "orient_polygons", None)
    if orient_polygons is not None:
        return np.asarray(orient_polygons(polygons, exterior_cw=False))
    from shapely.geometry.polygon import orient

    out = np.empty(len(polygons), dtype=object)
    out[:] = [orient(p, 1.0) for p in polygons]
    return out

def _reflex_vertices_many(areas: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Concave corners of every surface (where a shortest path inside it bends), in one pass:
    ``(xy, owner)``, the corners' coordinates and the index of their surface, surface by
    surface, part by part, exterior ring then holes, in ring order."""
    parts, part_owner = shapely.get_parts(areas, return_index=True)
    keep = (shapely.get_type_id(parts) == 3) & ~shapely.is_empty(parts)
    parts, part_owner = parts[keep], part_owner[keep]
    if parts.size == 0:
        return np.zeros((0, 2)), np.zeros(0, np.int64)
    oriented = _oriented_ccw(parts)   # the area left of every ring
    rings, ring_part = shapely.get_rings(oriented, return_index=True)
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    count = np.bincount(ring_of, minlength=rings.size)
    start = np.concatenate([[0], np.cumsum(count)[:-1]])
    n = count - 1  # the closing vertex repeats the first
    # every vertex but the closing one of every ring with at least 3 of them
    good = n >= 3
    n_good, start_good = n[good], start[good]
    ring_id = np.repeat(np.flatnonzero(good), n_good)
    offsets = np.repeat(np.cumsum(n_good) - n_good, n_good)
    k = np.arange(int(n_good.sum())) - offsets  # position in the ring
    base = np.repeat(start_good, n_good)
    size = np.repeat(n_good, n_good)
    xy = coords[base + k]
    prev = coords[base + (k - 1) % size]
    nxt = coords[base + (k + 1) % size]
    a, b = xy - prev, nxt - xy
    cross = a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]
    reflex = cross < -1e-9
    return xy[reflex], part_owner[ring_part[ring_id[reflex]]].astype(np.int64)


def _shared_portals(a: BaseGeometry, b: BaseGeometry, tol: float) -> list[tuple[float, float]]:
    """Points every ``PORTAL_SPACING_M`` along the stretch where surface ``a`` meets ``b``."""
    shared = a.boundary.intersection(b.buffer(tol))
    out: list[tuple[float, float]] = []
    for part in shapely.get_parts(shared):
        if part.is_empty:
            continue
        if part.geom_type == "Point":
            out.append((part.x, part.y))
            continue
        if part.geom_type != "LineString":
            continue
        n = max(1, math.ceil(part.length / PORTAL_SPACING_M))
        for k in range(n):
            p = part.interpolate((k + 0.5) / n, normalized=True)
            out.append((p.x, p.y))
    return out


def _delaunay_pairs(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs of the points ``xy`` joined by an edge of their Delaunay triangulation."""
    tri = shapely.delaunay_triangles(shapely.multipoints(xy), only_edges=True)
    seg = shapely.get_coordinates(shapely.get_parts(tri)).reshape(-1, 2, 2)
    lookup = {(round(x, 6), round(y, 6)): k for k, (x, y) in enumerate(xy.tolist())}
    i = np.array([lookup[(round(a, 6), round(b, 6))] for a, b in seg[:, 0].tolist()],
                 dtype=np.int64)
    j = np.array([lookup[(round(a, 6), round(b, 6))] for a, b in seg[:, 1].tolist()],
                 dtype=np.int64)
    return i, j


def _portal_pairs_many(areas: np.ndarray, owner: np.ndarray, node: np.ndarray,
                       xy: np.ndarray, tol: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The straight walking lines between the portals of every surface that stay on it.

    ``owner`` and ``node`` list each surface's portals (sorted by surface, then node id, no
    repeats); ``xy`` holds the node coordinates. A surface with up to ``ALL_PAIRS_MAX``
    portals joins every pair, a larger one the Delaunay edges between them; a pair is kept
    where its line is covered by the surface grown by ``tol``. Returns ``(surface, u, v)``
    per kept line, surface by surface, pairs in ``numpy.triu_indices`` (or Delaunay) order.
    """
    count = np.bincount(owner, minlength=len(areas))
    start = np.concatenate([[0], np.cumsum(count)[:-1]])
    cand_i: list[np.ndarray] = []
    cand_j: list[np.ndarray] = []
    cand_o: list[np.ndarray] = []
    small = (count >= 2) & (count <= ALL_PAIRS_MAX)
    for size in np.unique(count[small]).tolist():  # every surface of one size at once
        ti, tj = np.triu_indices(size, k=1)
        owners = np.flatnonzero(count == size)
        first = start[owners][:, None]
        cand_i.append((first + ti).ravel())
        cand_j.append((first + tj).ravel())
        cand_o.append(np.repeat(owners, ti.size))
    for a in np.flatnonzero(count > ALL_PAIRS_MAX).tolist():
        i, j = _delaunay_pairs(xy[node[start[a]:start[a] + count[a]]])
        cand_i.append(start[a] + i)
        cand_j.append(start[a] + j)
        cand_o.append(np.full(i.size, a, dtype=np.int64))
    if not cand_o:
        empty = np.zeros(0, np.int64)
        return empty, empty.copy(), empty.copy()
    co = np.concatenate(cand_o).astype(np.int64)
    order = np.argsort(co, kind="stable")  # surface by surface, each in its own pair order
    co = co[order]
    u = node[np.concatenate(cand_i)[order]]
    v = node[np.concatenate(cand_j)[order]]
    grown = np.empty(len(areas), dtype=object)
    with_pairs = np.flatnonzero(count >= 2)
    # quad_segs=16: the default of BaseGeometry.buffer (shapely.buffer's is 8)
    grown[with_pairs] = shapely.buffer(areas[with_pairs], tol, quad_segs=16)
    lines = shapely.linestrings(np.stack([xy[u], xy[v]], axis=1))
    keep = shapely.covered_by(lines, grown[co]) & (shapely.length(lines) > 0)
    return co[keep], u[keep], v[keep]


def _polygonal_many(geoms: np.ndarray) -> np.ndarray:
    """The polygonal part of each (repaired) geometry, as one (Multi)Polygon each (an empty
    Polygon where there is none)."""
    out = np.empty(len(geoms), dtype=object)
    if len(geoms) == 0:
        return out
    parts, owner = shapely.get_parts(shapely.make_valid(shapely.force_2d(geoms)),
                                     return_index=True)
    keep = np.isin(shapely.get_type_id(parts), (3, 6)) & (shapely.area(parts) > 0)
    parts, owner = parts[keep], owner[keep]
    count = np.bincount(owner, minlength=len(geoms))
    one = count[owner] == 1
    if np.any(one):  # the usual case: one polygon, unioned on its own as a 1-element list
        out[owner[one]] = shapely.union_all(parts[one].reshape(-1, 1), axis=1)
    for k in np.flatnonzero(count > 1).tolist():
        out[k] = shapely.union_all(list(parts[owner == k]))
    for k in np.flatnonzero(count == 0).tolist():
        out[k] = shapely.Polygon()
    return out


def _surfaces(ctx: CheckContext) -> list[tuple[Feature, BaseGeometry]]:
    """Walkable surfaces: walkway and crossing polygons minus stairs/ramp polygons on them,
    and stairs/ramp polygons themselves."""
    step_feats = [f for layer in ("stairs", "ramp") for f in ctx.model.features(layer)
                  if f.geom_type == "Polygon"]
    step_geoms = _polygonal_many(np.array([f.geometry for f in step_feats] or [], dtype=object))
    steps = [(f, g) for f, g in zip(step_feats, step_geoms) if not g.is_empty]
    cut = shapely.union_all([g for _f, g in steps]) if steps else None
    feats = [f for layer in ("walkway", "crossing") for f in ctx.model.features(layer)
             if f.geom_type == "Polygon"]
    geoms = _polygonal_many(np.array([f.geometry for f in feats] or [], dtype=object))
    if cut is not None and len(geoms):
        hit = np.flatnonzero(shapely.intersects(geoms, cut))
        if hit.size:
            geoms[hit] = _polygonal_many(shapely.difference(geoms[hit], cut))
    out = [(f, g) for f, g in zip(feats, geoms) if not g.is_empty]
    return out + steps


def _split_at(lines: list[BaseGeometry], feats: list[Feature],
              boundaries: BaseGeometry) -> tuple[list[BaseGeometry], list[Feature]]:
    """Cut lines where they cross a surface's outline, so that the crossing is a node."""
    out_g: list[BaseGeometry] = []
    out_f: list[Feature] = []
    # one prepared test of every line (the outlines of every surface of the plan: unprepared,
    # each test walked all of them, O(lines x outlines)); the prepared geometry must be the
    # *first* argument, else GEOS tests unprepared
    shapely.prepare(boundaries)
    crosses = shapely.intersects(boundaries, np.array(lines, dtype=object)) if lines else []
    # a crossing line is cut by the outline pieces it meets only (the union's own parts, so
    # already noded with each other): cutting by the whole union walked all of it per line
    parts = shapely.get_parts(boundaries) if np.any(crosses) else np.empty(0, dtype=object)
    tree = shapely.STRtree(parts) if len(parts) else None
    for g, f, crossing in zip(lines, feats, crosses):
        if crossing:
            assert tree is not None
            near = parts[np.sort(tree.query(g, predicate="intersects"))]
            splitter = boundaries if len(near) == 0 else near[0] if len(near) == 1 \
                else shapely.multilinestrings(near)
            pieces = shapely.get_parts(split(g, splitter))
            pieces = [p for p in pieces if p.length > 0] or [g]
        else:
            pieces = [g]
        out_g.extend(pieces)
        out_f.extend([f] * len(pieces))
    return out_g, out_f


class _Nodes:
    """Node ids for points: existing network nodes within the tolerance, else new ones."""

    def __init__(self, node_xy: np.ndarray, tol: float) -> None:
        self.xy: list[tuple[float, float]] = [tuple(p) for p in node_xy.tolist()]
        self.tol = tol
        self._tree = shapely.STRtree(shapely.points(node_xy)) if len(node_xy) else None
        self._new: dict[tuple[float, float], int] = {}

    def ids_of(self, xy: np.ndarray) -> np.ndarray:
        """The node id of each point, handed out in order: a point whose position (to the
        millimetre) already got a new node reuses it; else the nearest network node within
        the tolerance (the lowest id among equally near ones); else a new node. One bulk
        nearest-node search for all points (only the network's own nodes are searched)."""
        n = len(xy)
        out = np.empty(n, dtype=np.int64)
        if n == 0:
            return out
        near = np.full(n, -1, dtype=np.int64)
        if self._tree is not None:
            qi, ti = self._tree.query_nearest(shapely.points(xy), max_distance=self.tol)
            if qi.size:
                lowest = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
                np.minimum.at(lowest, qi, ti)
                found = lowest != np.iinfo(np.int64).max
                near[found] = lowest[found]
        for k, ((x, y), nearest) in enumerate(zip(xy.tolist(), near.tolist())):
            key = (round(x, 3), round(y, 3))
            node = self._new.get(key)
            if node is None:
                if nearest >= 0:
                    node = nearest
                else:
                    node = self._new[key] = len(self.xy)
                    self.xy.append((float(x), float(y)))
            out[k] = node
        return out


def build_chain_network(ctx: CheckContext) -> ChainNetwork | None:
    """The plan's walking network with the link feature of each edge (``None``: no links).

    Centre lines are noded and joined by :func:`build_walk_network`. Each walkable surface
    becomes a set of straight edges between its portals (line ends on or within the tolerance
    of it, where its outline meets another surface, where a stop / entrance / parking /
    toilet / lift / bench stands on or near it, its concave corners), kept where they stay on
    the surface. Surface edges are not noded with each other: walking straight between any two
    portals is possible, so crossings between them need no node.
    """
    tol = SNAP_TOLERANCE_M
    line_feats: list[Feature] = []
    line_geoms: list[BaseGeometry] = []
    for layer in LINK_LAYERS:
        for f in ctx.model.features(layer):
            if f.geom_type == "LineString":
                line_feats.append(f)
                line_geoms.append(shapely.force_2d(f.geometry))
    surfaces = _surfaces(ctx)
    if not line_feats and not surfaces:
        return None
    area_geoms = np.array([g for _f, g in surfaces], dtype=object)
    if surfaces and line_geoms:
        outlines = shapely.union_all(shapely.boundary(area_geoms))
        line_geoms, line_feats = _split_at(line_geoms, line_feats, outlines)
    try:
        net0 = build_walk_network(line_geoms, snap_tolerance_m=tol)
    except GeometryInputError:  # pragma: no cover - every source is a line by construction
        return None
    edge_feature = _attribute_edges(net0, line_geoms, line_feats,
                                    [_PRIORITY[f.layer] for f in line_feats], tol)
    if not surfaces:
        return ChainNetwork(net0, edge_feature) if net0.n_edges else None

    nodes = _Nodes(net0.node_xy, tol)
    tree = shapely.STRtree(area_geoms)
    # the portals as (surface, point) pairs; the points get their node ids in one pass, in
    # this order: concave corners, where two surfaces meet, stops / entrances / ... on or near
    # a surface (the order decides the ids of the new nodes)
    point_xy: list[np.ndarray] = []
    point_owner: list[np.ndarray] = []  # the surface of each point (shared ones: see below)
    reflex_xy, reflex_owner = _reflex_vertices_many(area_geoms)
    point_xy.append(reflex_xy)
    point_owner.append(reflex_owner)
    shared_xy: list[tuple[float, float]] = []
    shared_pair: list[tuple[int, int]] = []
    ai, bi = tree.query(area_geoms, predicate="dwithin", distance=tol)
    for a, b in zip(ai.tolist(), bi.tolist()):
        if a < b:
            for pt in _shared_portals(area_geoms[a], area_geoms[b], tol):
                shared_xy.append(pt)
                shared_pair.append((a, b))
    n_shared = len(shared_xy)
    point_xy.append(np.asarray(shared_xy, dtype=float).reshape(-1, 2))
    point_owner.append(np.asarray([a for a, _b in shared_pair], dtype=np.int64))
    pois = [f for layer in POI_LAYERS for f in ctx.model.features(layer)]
    if pois:
        pts = np.array([_point_of(f) for f in pois], dtype=object)
        pi, ai = tree.query(pts, predicate="dwithin", distance=POI_REACH_M)
        poi_xy = shapely.get_coordinates(pts[pi]).reshape(-1, 2)
        outside = np.flatnonzero(~shapely.covers(area_geoms[ai], pts[pi]))
        if outside.size:  # the nearest point of the surface's outline
            reach = shapely.shortest_line(shapely.boundary(area_geoms[ai[outside]]),
                                          pts[pi[outside]])
            poi_xy[outside] = shapely.get_coordinates(shapely.get_point(reach, 0))
        point_xy.append(poi_xy)
        point_owner.append(ai.astype(np.int64))
    ids = nodes.ids_of(np.concatenate(point_xy))
    owners = np.concatenate(point_owner)
    n_reflex = len(reflex_xy)
    # a point where two surfaces meet is a portal of both
    portal_owner = [owners, np.asarray([b for _a, b in shared_pair], dtype=np.int64)]
    portal_node = [ids, ids[n_reflex:n_reflex + n_shared]]
    if net0.n_nodes:  # line ends and crossings with outlines: the network's own nodes
        ni, ai = tree.query(shapely.points(net0.node_xy), predicate="dwithin", distance=tol)
        portal_owner.append(ai.astype(np.int64))
        portal_node.append(ni.astype(np.int64))
    xy = np.asarray(nodes.xy, dtype=float)
    n_all = max(len(xy), 1)
    key = np.unique(np.concatenate(portal_owner) * n_all + np.concatenate(portal_node))
    owner, new_u, new_v = _portal_pairs_many(area_geoms, key // n_all, key % n_all, xy, tol)
    edge_feature.extend(surfaces[a][0] for a in owner.tolist())
    u = np.concatenate([net0.edge_u, new_u]).astype(np.int64)
    v = np.concatenate([net0.edge_v, new_v]).astype(np.int64)
    n0 = net0.n_edges
    extra = shapely.linestrings(np.stack([xy[u[n0:]], xy[v[n0:]]], axis=1)) if len(u) > n0 \
        else np.empty(0, dtype=object)
    edges = np.concatenate([net0.edges, extra]) if n0 else extra
    if len(edges) == 0:
        return None
    net = WalkNetwork(node_xy=xy, edge_u=u, edge_v=v, edge_length_m=shapely.length(edges),
                      edges=edges, snap_tolerance_m=tol)
    return ChainNetwork(net, edge_feature)


def _attribute_edges(net: WalkNetwork, src_geoms: list[BaseGeometry], src_feats: list[Feature],
                     src_prio: list[float], tol: float) -> list[Feature | None]:
    """The link feature of each edge: the nearest source line (within the tolerance) to the
    edge's middle; among equally near ones the layer priority (stairs, ramp, crossing,
    walkway; lines before surfaces)."""
    mids = shapely.line_interpolate_point(net.edges, 0.5, normalized=True)
    src = np.array(src_geoms, dtype=object)
    ei, si = shapely.STRtree(src).query(mids, predicate="dwithin", distance=tol)
    out: list[Feature | None] = [None] * net.n_edges
    if ei.size:
        d = np.round(shapely.distance(mids[ei], src[si]), 2)
        prio = np.asarray(src_prio)[si]
        order = np.lexsort((si, prio, d, ei))
        ei, si = ei[order], si[order]
        first = np.ones(ei.size, dtype=bool)
        first[1:] = ei[1:] != ei[:-1]
        for e, s in zip(ei[first].tolist(), si[first].tolist()):
            out[e] = src_feats[s]
    return out


def chain_network(ctx: CheckContext) -> ChainNetwork | None:
    """The run's chain network (built once per run, ``ctx.shared``)."""
    return ctx.shared(("route_chain", "network"), lambda: build_chain_network(ctx))


def _point_of(feature: Feature) -> Point:
    geom = shapely.force_2d(feature.geometry)
    return geom if geom.geom_type == "Point" else geom.representative_point()


# ============================================================================================
# judging links


@dataclass(frozen=True, slots=True)
class Issue:
    """Why a link breaks the chain (``status`` broken) or cannot be judged (unknown)."""

    status: int
    feature: Feature
    property: str
    nl: str
    en: str
    location: BaseGeometry | None = None  # the problem itself when narrower than the link


@dataclass(slots=True)
class EdgeJudgement:
    """Per edge: the worst status and the issues (whole-link issues and localised ones)."""

    status: np.ndarray
    issues: dict[int, list[Issue]] = field(default_factory=dict)


_num = as_number


def _n(value: float, lang: str) -> str:
    return format_number(value, lang)


def _max_slope(table: list[SlopeRow], rise_cm: float) -> float | None:
    for row in table:
        if row.gt is not None and not rise_cm > row.gt:
            continue
        if row.lte is not None and not rise_cm <= row.lte:
            continue
        return row.max
    return None


def _plan_length(feature: Feature, ctx: CheckContext) -> float | None:
    length = _num(ctx.value(feature, "length_m"))
    if length:
        return length
    geom = shapely.force_2d(feature.geometry)
    if feature.geom_type == "Polygon":
        rect = shapely.oriented_envelope(geom)
        if rect.geom_type == "Polygon":
            c = shapely.get_coordinates(rect.exterior)[:3]
            return float(max(np.hypot(*(c[1] - c[0])), np.hypot(*(c[2] - c[1]))))
    return float(geom.length) or None


def _slope_issues(f: Feature, p: RouteChainParams, ctx: CheckContext) -> list[Issue]:
    """Running slope of a walkway or ramp against the ramp table (motor profile)."""
    slope = _num(ctx.value(f, "slope_pct"))
    if slope is None:
        if f.layer == "ramp" or p.walkway_slope_missing == "to_verify":
            return [Issue(_UNKNOWN, f, "slope_pct", "helling onbekend", "slope unknown")]
        return []
    slope = abs(slope)
    if slope <= p.level_pct or not p.slope_table:
        return []
    maxima = [row.max for row in p.slope_table]
    allowed: float | None
    if slope <= min(maxima):
        return []
    rise = _num(ctx.value(f, "rise_cm")) if f.layer == "ramp" else None
    if rise is None:
        length = _plan_length(f, ctx)
        rise = slope * length if length else None  # % x m = cm
    if rise is None:
        if slope > max(maxima):
            allowed = max(maxima)
        else:
            return [Issue(_UNKNOWN, f, "rise_cm", f"helling {_n(slope, 'nl')} %, hoogteverschil "
                          "onbekend", f"slope {_n(slope, 'en')} %, rise unknown")]
    else:
        allowed = _max_slope(p.slope_table, abs(rise))
    if allowed is None or slope <= allowed:
        return []
    rise_nl = f" over {_n(abs(rise), 'nl')} cm hoogte" if rise is not None else ""
    rise_en = f" over a rise of {_n(abs(rise), 'en')} cm" if rise is not None else ""
    return [Issue(_BROKEN, f, "slope_pct",
                  f"helling {_n(slope, 'nl')} %{rise_nl} (max. {_n(allowed, 'nl')} %)",
                  f"slope {_n(slope, 'en')} %{rise_en} (max {_n(allowed, 'en')} %)")]


def _width_issues(f: Feature, p: RouteChainParams, ctx: CheckContext) -> list[Issue]:
    """Clear width of a walkway (or ramp) link; localised to its narrowings where measured."""
    lo, hi = p.min_width_m, p.long_min_width_m
    if lo is None and hi is None:
        return []
    lo = lo if lo is not None else hi
    hi = hi if hi is not None else lo
    assert lo is not None and hi is not None
    if f.layer == "ramp":
        width = _num(ctx.value(f, "width_m"))  # decisive: the slope; width judged when known
        if width is None or width >= hi:
            return []
        return [Issue(_BROKEN, f, "width_m", f"breedte {_n(width, 'nl')} m (min. {_n(hi, 'nl')} m)",
                      f"width {_n(width, 'en')} m (min {_n(hi, 'en')} m)")]
    width, prop = None, "clear_width_m"
    if id(f) in _unobstructed(ctx):  # nothing stands near it: the clear width is its width
        width, prop = _num(f.attrs.get("width_m")), "width_m"
    if width is None:
        width = _num(ctx.value(f, "clear_width_m"))
    if width is None:
        width, prop = _num(ctx.value(f, "width_m")), "width_m"
    if width is None:
        return [Issue(_UNKNOWN, f, "width_m", "breedte onbekend", "width unknown")]
    if width >= hi:
        return []
    narrowings = _narrowings(f, ctx, hi)
    if narrowings is None:  # cannot localise: the width holds for the whole link
        length = _plan_length(f, ctx) or 0.0
        if width >= lo and length <= p.short_narrowing_max_m + 0.002:
            return []
        need = lo if width < lo else hi
        return [Issue(_BROKEN, f, prop,
                      f"vrije breedte {_n(width, 'nl')} m (min. {_n(need, 'nl')} m)",
                      f"clear width {_n(width, 'en')} m (min {_n(need, 'en')} m)")]
    from inclusiecheck.geometry.clearwidth import round_width

    out = []
    for nw in narrowings:
        # measured to the centimetre, as the clear-width rules (5 mm tolerance)
        w, length = round_width(nw.width_m), float(nw.length_m)
        if w >= lo and length <= p.short_narrowing_max_m + 0.002:
            continue  # a short narrowing that still lets a wheelchair through
        need = lo if w < lo else hi
        over_nl = f" over {_n(length, 'nl')} m" if w >= lo else ""
        over_en = f" over {_n(length, 'en')} m" if w >= lo else ""
        out.append(Issue(_BROKEN, f, prop,
                         f"vrije breedte {_n(w, 'nl')} m{over_nl} (min. {_n(need, 'nl')} m)",
                         f"clear width {_n(w, 'en')} m{over_en} (min {_n(need, 'en')} m)",
                         location=nw.geometry))
    return out


#: Margin beyond half a walkway's width within which an obstacle feature may take clear width
#: (generous: the measure itself looks 2.5 m out, plus the obstacle's own footprint).
_OBSTACLE_MARGIN_M = 5.0


def _unobstructed(ctx: CheckContext) -> set[int]:
    """Ids of walkway centre lines with a ``width_m`` and no obstacle-layer feature near them:
    their clear width is their width, so the clear-width measure can be skipped (one bulk
    spatial-index query per obstacle layer, once per run)."""
    return ctx.shared(("route_chain", "unobstructed"), lambda: _build_unobstructed(ctx))


def _build_unobstructed(ctx: CheckContext) -> set[int]:
    try:
        from inclusiecheck.engine.measures import OBSTACLE_LAYERS
    except ImportError:  # pragma: no cover - measures reorganised: always measure
        return set()
    lines = [f for f in ctx.model.features("walkway")
             if f.geom_type == "LineString" and _num(f.attrs.get("width_m"))]
    free = np.ones(len(lines), dtype=bool)
    if lines:
        geoms = np.array([shapely.force_2d(f.geometry) for f in lines], dtype=object)
        reach = np.array([float(f.attrs["width_m"]) / 2 + _OBSTACLE_MARGIN_M for f in lines])
        for layer in OBSTACLE_LAYERS:
            if ctx.model.features(layer):
                hit, _o = ctx.model.tree(layer).query(geoms, predicate="dwithin",
                                                      distance=reach)
                free[hit] = False
    return {id(f) for f, ok in zip(lines, free.tolist()) if ok}


def _narrowings(f: Feature, ctx: CheckContext, required_m: float) -> list[Any] | None:
    """The measured stretches of a walkway below ``required_m`` (``None``: not measurable)."""
    try:
        from inclusiecheck.engine.measures import clear_width_result
    except ImportError:  # pragma: no cover - measures reorganised: judge the whole link
        return None
    try:
        result = clear_width_result(f, ctx, min_required_m=required_m)
    except (TypeError, ValueError, AttributeError):  # pragma: no cover - defensive
        return None
    if result is None or not hasattr(result, "narrowings"):
        return None
    return [n for n in result.narrowings if getattr(n, "geometry", None) is not None]


def _crossing_issues(f: Feature, p: RouteChainParams, ctx: CheckContext) -> list[Issue]:
    if p.profile == "visual":
        return _tactile_issues(f, p, ctx)
    if p.max_kerb_cm is None:
        return []
    kerb = _num(ctx.value(f, "kerb_height_cm"))
    if kerb is None:
        return [Issue(_UNKNOWN, f, "kerb_height_cm", "boordsteenhoogte onbekend",
                      "kerb height unknown")]
    if kerb <= p.max_kerb_cm:
        return []
    return [Issue(_BROKEN, f, "kerb_height_cm",
                  f"boordsteen {_n(kerb, 'nl')} cm (max. {_n(p.max_kerb_cm, 'nl')} cm)",
                  f"kerb {_n(kerb, 'en')} cm (max {_n(p.max_kerb_cm, 'en')} cm)")]


def _tactile_issues(f: Feature, p: RouteChainParams, ctx: CheckContext) -> list[Issue]:
    """Tactile warning paving at a crossing: the attribute, or a warning strip drawn near."""
    value = ctx.value(f, "tactile_paving")
    if value is True:
        return []
    drawn = [t for t in ctx.model.near("tactile", f.geometry, p.tactile_within_m)
             if ctx.value(t, "kind") == "warning"]
    if drawn:
        return []
    if value is False or ctx.model.layer_complete("tactile"):
        return [Issue(_BROKEN, f, "tactile_paving", "geen waarschuwingsmarkering (noppentegels)",
                      "no tactile warning paving")]
    return [Issue(_UNKNOWN, f, "tactile_paving", "waarschuwingsmarkering onbekend",
                  "tactile warning paving unknown")]


def _stairs_issues(f: Feature, p: RouteChainParams, ctx: CheckContext) -> list[Issue]:
    if p.profile == "motor":
        return [Issue(_BROKEN, f, "stairs", "trap zonder trapvrij alternatief op de route",
                      "stairs without a step-free alternative on the route")]
    value = ctx.value(f, "tactile_warning")
    if value is True:
        return []
    if value is False:
        return [Issue(_BROKEN, f, "tactile_warning", "trap zonder waarschuwingsmarkering",
                      "stairs without a tactile warning")]
    return [Issue(_UNKNOWN, f, "tactile_warning", "waarschuwingsmarkering aan de trap onbekend",
                  "tactile warning at the stairs unknown")]


def _level_change_issues(f: Feature, p: RouteChainParams, ctx: CheckContext) -> list[Issue]:
    if p.profile != "motor" or p.max_level_change_cm is None:
        return []
    height = _num(ctx.value(f, "height_cm"))
    if height is None:
        return [Issue(_UNKNOWN, f, "height_cm", "hoogte onbekend", "height unknown")]
    if height <= p.max_level_change_cm:
        return []
    limit = p.max_level_change_cm
    return [Issue(_BROKEN, f, "height_cm",
                  f"niveauverschil {_n(height, 'nl')} cm (max. {_n(limit, 'nl')} cm)",
                  f"level change {_n(height, 'en')} cm (max {_n(limit, 'en')} cm)")]


def judge_link(f: Feature, p: RouteChainParams, ctx: CheckContext) -> list[Issue]:
    """Every issue of one link feature under the rule's profile (empty: the link holds)."""
    if f.layer == "stairs":
        return _stairs_issues(f, p, ctx)
    if f.layer == "crossing":
        return _crossing_issues(f, p, ctx)
    if f.layer == "level_change":
        return _level_change_issues(f, p, ctx)
    if p.profile != "motor":
        return []
    issues = _width_issues(f, p, ctx) + _slope_issues(f, p, ctx)
    surface = ctx.value(f, "surface")
    if surface is not None and surface in p.unsuitable_surfaces:
        issues.append(Issue(_BROKEN, f, "surface", f"verharding {surface}",
                            f"surface {surface}"))
    return issues


def judge_destination(t: Feature, p: RouteChainParams, ctx: CheckContext) -> list[Issue]:
    """The end of the chain: an entrance's door width and threshold (motor profile)."""
    if t.layer != "entrance" or p.profile != "motor":
        return []
    out: list[Issue] = []
    checks = (("door_width_cm", p.min_door_width_cm, "deur", "door", True),
              ("threshold_cm", p.max_threshold_cm, "dorpel", "threshold", False))
    for name, limit, nl, en, is_min in checks:
        if limit is None:
            continue
        value = _num(ctx.value(t, name))
        if value is None:
            out.append(Issue(_UNKNOWN, t, name, f"{nl} onbekend", f"{en} unknown"))
        elif (value < limit) if is_min else (value > limit):
            word_nl, word_en = ("min.", "min") if is_min else ("max.", "max")
            out.append(Issue(_BROKEN, t, name,
                             f"{nl} {_n(value, 'nl')} cm ({word_nl} {_n(limit, 'nl')} cm)",
                             f"{en} {_n(value, 'en')} cm ({word_en} {_n(limit, 'en')} cm)"))
    return out


def judge_edges(cn: ChainNetwork, p: RouteChainParams, ctx: CheckContext) -> EdgeJudgement:
    """Judge every edge of the network: its link feature, localised narrowings on it, and the
    point links (crossings, level changes drawn as points) within ``point_reach_m``."""
    net = cn.net
    status = np.zeros(net.n_edges, dtype=np.int8)
    issues: dict[int, list[Issue]] = {}
    by_feature: dict[int, list[int]] = {}
    feats: dict[int, Feature] = {}
    for e, f in enumerate(cn.edge_feature):
        if f is not None:
            by_feature.setdefault(id(f), []).append(e)
            feats[id(f)] = f
    for key, edges in by_feature.items():
        found = judge_link(feats[key], p, ctx)
        if not found:
            continue
        whole = [i for i in found if i.location is None]
        local = [(i, i.location.buffer(1e-3)) for i in found if i.location is not None]
        for e in edges:
            on_edge = whole + [i for i, zone in local if net.edges[e].intersects(zone)]
            if on_edge:
                issues[e] = on_edge
                status[e] = max(i.status for i in on_edge)
    points = [f for layer in POINT_LINK_LAYERS for f in ctx.model.features(layer)
              if f.geom_type == "Point"]
    if points:
        geoms = np.array([shapely.force_2d(f.geometry) for f in points], dtype=object)
        pi, ei = net.tree.query(geoms, predicate="dwithin", distance=max(p.point_reach_m, 1e-6))
        judged: dict[int, list[Issue]] = {}
        for k, e in zip(pi.tolist(), ei.tolist()):
            if k not in judged:
                judged[k] = judge_link(points[k], p, ctx)
            if judged[k]:
                issues.setdefault(e, []).extend(judged[k])
                status[e] = max(int(status[e]), *(i.status for i in judged[k]))
    return EdgeJudgement(status, issues)


# ============================================================================================
# searching


@dataclass(slots=True)
class ChainSearch:
    """The searches of one rule (one parameter set) on one origin layer, shared by all its
    origins: destinations, the judged edges, and the routes per kind of search."""

    cn: ChainNetwork
    judgement: EdgeJudgement
    targets: list[Feature]
    target_points: list[Point]
    target_issues: list[list[Issue]]
    origins: list[Feature]
    origin_index: dict[int, int]
    routes: dict[str, list[Route | None]] = field(default_factory=dict)
    near: np.ndarray | None = None
    points: list[Point] | None = None

    def origin_points(self) -> list[Point]:
        """The point of every origin (made once, for every search)."""
        if self.points is None:
            self.points = [_point_of(f) for f in self.origins]
        return self.points

    def near_network(self, p: RouteChainParams) -> np.ndarray:
        """Per origin: whether a network edge lies within ``max_snap_m`` of it (one
        spatial-index query for every origin, made when the first origin asks)."""
        if self.near is None:
            pts = np.array(self.origin_points(), dtype=object)
            hit, _edge = self.cn.net.tree.query(pts, predicate="dwithin",
                                                distance=p.max_snap_m)
            near = np.zeros(len(pts), dtype=bool)
            near[hit] = True
            self.near = near
        return self.near

    def routes_for(self, kind: str, p: RouteChainParams) -> list[Route | None]:
        """``all`` links and destinations, ``ok`` ones only, or ``known`` (not broken) ones."""
        if kind not in self.routes:
            blocked = None
            keep = list(range(len(self.targets)))
            if kind in ("ok", "known"):
                worst = [max((i.status for i in issues), default=_OK)
                         for issues in self.target_issues]
                limit = _OK if kind == "ok" else _UNKNOWN
                keep = [t for t in keep if worst[t] <= limit]
                blocked = self.judgement.status > limit
            pts = self.origin_points()
            found = nearest_routes(
                self.cn.net, pts, [self.target_points[t] for t in keep],
                cutoff_m=p.max_route_m, max_snap_m=p.max_snap_m, blocked_edges=blocked) \
                if keep else [None] * len(pts)
            self.routes[kind] = [None if r is None else replace(r, destination=keep[r.destination])
                                 for r in found]
        return self.routes[kind]


def _search(ctx: CheckContext, feature: Feature, p: RouteChainParams,
            cn: ChainNetwork) -> ChainSearch:
    data = p.model_dump_json()

    def build() -> ChainSearch:
        judgement = ctx.shared(("route_chain", data, "edges"), lambda: judge_edges(cn, p, ctx))
        targets = _targets(ctx, p)
        origins = list(ctx.model.features(feature.layer))
        return ChainSearch(cn, judgement, targets, [_point_of(t) for t in targets],
                           [judge_destination(t, p, ctx) for t in targets], origins,
                           {id(f): i for i, f in enumerate(origins)})

    return ctx.shared(("route_chain", data, feature.layer), build)


def straight_to_nearest(ctx: CheckContext, feature: Feature, p: RouteChainParams,
                        targets: list[Feature]) -> tuple[float, int]:
    """Straight-line distance from ``feature`` to the nearest destination and its index in
    ``targets``: one STRtree search for every origin of the feature's layer (once per run and
    parameter set), the same values as :func:`euclidean_distance_to_nearest` of this origin
    alone."""
    data = p.model_dump_json()

    def build() -> tuple[dict[int, int], np.ndarray, np.ndarray]:
        origins = list(ctx.model.features(feature.layer))
        d, i = euclidean_distance_to_nearest([_point_of(f) for f in origins],
                                             [t.geometry for t in targets])
        return {id(f): k for k, f in enumerate(origins)}, d, i

    index, d, i = ctx.shared(("route_chain", data, feature.layer, "straight"), build)
    k = index.get(id(feature))
    if k is None:  # pragma: no cover - a feature of another layer object than cached
        d1, i1 = euclidean_distance_to_nearest([_point_of(feature)],
                                               [t.geometry for t in targets])
        return float(d1[0]), int(i1[0])
    return float(d[k]), int(i[k])


def _targets(ctx: CheckContext, p: RouteChainParams) -> list[Feature]:
    """The destination features of a rule (once per run and parameter set)."""
    def build() -> list[Feature]:
        out: list[Feature] = []
        for target in p.destinations:
            out.extend(candidates(ctx, [target.layer], dict(target.where)))
        return out

    return ctx.shared(("route_chain", p.model_dump_json(), "targets"), build)


# ============================================================================================
# the check


def _label(f: Feature | None) -> tuple[str, str]:
    if f is None:
        return "verbinding", "connector"
    nl, en = _LAYER_TEXT.get(f.layer, (f.layer, f.layer))
    return f"{nl} {f.id}", f"{en} {f.id}"


def _route_issues(route: Route, search: ChainSearch) -> list[Issue]:
    """The issues on a route and at its destination, one per (feature, property, text), in
    walking order."""
    seen: set[tuple[int, str, str]] = set()
    out: list[Issue] = []
    found = [search.judgement.issues.get(e, ()) for e in route.edges]
    for issues in (*found, search.target_issues[route.destination]):
        for issue in issues:
            key = (id(issue.feature), issue.property, issue.en)
            if key not in seen:
                seen.add(key)
                out.append(issue)
    return out


def _describe(issues: list[Issue]) -> dict[str, str]:
    """``{"nl": "oversteekplaats X: boordsteen 6 cm (max. 2 cm); ...", "en": ...}``."""
    groups: dict[int, list[Issue]] = {}
    order: list[int] = []
    for i in issues:
        if id(i.feature) not in groups:
            order.append(id(i.feature))
        groups.setdefault(id(i.feature), []).append(i)
    nl, en = [], []
    for key in order:
        group = groups[key]
        lab_nl, lab_en = _label(group[0].feature)
        nl.append(f"{lab_nl}: " + ", ".join(i.nl for i in group))
        en.append(f"{lab_en}: " + ", ".join(i.en for i in group))
    return {"nl": "; ".join(nl), "en": "; ".join(en)}


def _issue_location(issue: Issue, route: Route, cn: ChainNetwork) -> BaseGeometry:
    if issue.location is not None:
        return issue.location
    f = issue.feature
    if f.geom_type in ("Point", "LineString"):
        return shapely.force_2d(f.geometry)
    pieces = [substring(cn.net.edges[e], a, b) for e, a, b in route.pieces
              if cn.edge_feature[e] is f]
    pieces = [g for g in pieces if not g.is_empty and g.length > 0]
    return shapely.union_all(pieces) if pieces else shapely.force_2d(f.geometry)


def _m(value: float) -> float:
    return round(float(value), 1)


def _target_name(search: ChainSearch, route: Route) -> dict[str, str]:
    nl, en = _label(search.targets[route.destination])
    return {"nl": nl, "en": en}


@check_type("route_chain", params=RouteChainParams)
def route_chain(feature: Feature, params: RouteChainParams, ctx: CheckContext) -> CheckResult:
    """The chain of accessibility from this origin to the nearest destination along the
    walking network: every link of the route (walkways, crossings, ramps, stairs, level
    changes) must hold for the profile; an accessible detour within the maximum route
    length keeps the chain intact."""
    p = params
    prop = p.property
    layers = "/".join(t.layer for t in p.destinations)
    targets = _targets(ctx, p)
    base: dict[str, Any] = {"destination": "?", "links": {"nl": "", "en": ""}, "route_m": None}
    if not targets:
        note = {"nl": f"geen bestemming ({layers}) in het plan",
                "en": f"no destination ({layers}) in the plan"}
        return CheckResult(Outcome(p.missing_destination), prop, None, 0,
                           missing=(layers,) if p.missing_destination == "to_verify" else (),
                           note=note, data={**base, "links": note})
    cn = chain_network(ctx)
    if cn is None:
        d0, i0 = straight_to_nearest(ctx, feature, p, targets)
        near_nl, near_en = _label(targets[i0])
        note = {"nl": f"geen looppadennetwerk getekend; in rechte lijn ligt {near_nl} op "
                      f"{_n(_m(d0), 'nl')} m",
                "en": f"no walkway network drawn; {near_en} lies {_n(_m(d0), 'en')} m away "
                      "in a straight line"}
        return CheckResult(Outcome.TO_VERIFY, prop, missing=("walkway",), note=note,
                           data={**base, "destination": {"nl": near_nl, "en": near_en},
                                 "links": note, "straight_m": _m(d0)})
    search = _search(ctx, feature, p, cn)
    k = search.origin_index.get(id(feature))
    if k is None:  # pragma: no cover - a feature of another layer object than cached
        search = ChainSearch(search.cn, search.judgement, search.targets, search.target_points,
                             search.target_issues, [feature], {id(feature): 0})
        k = 0
    shortest = search.routes_for("all", p)[k]
    if shortest is None:
        return _no_route(feature, search, p, ctx)
    issues = _route_issues(shortest, search)
    data: dict[str, Any] = {"route_m": _m(shortest.distance_m),
                            "destination": _target_name(search, shortest),
                            "links": {"nl": "", "en": ""}}
    if not issues:
        note = {"nl": f"intacte route van {_n(_m(shortest.distance_m), 'nl')} m naar "
                      f"{data['destination']['nl']}",
                "en": f"intact route of {_n(_m(shortest.distance_m), 'en')} m to "
                      f"{data['destination']['en']}"}
        return CheckResult(Outcome.PASS, prop, 0, 0, note=note, data=data)
    broken = [i for i in issues if i.status == _BROKEN]
    unknown = [i for i in issues if i.status == _UNKNOWN]
    if p.detour:
        alt = search.routes_for("ok", p)[k]
        if alt is not None:
            extra = alt.distance_m - shortest.distance_m
            why = _describe(broken or unknown)
            dest = _target_name(search, alt)
            note = {"nl": f"de kortste route ({_n(_m(shortest.distance_m), 'nl')} m) loopt via "
                          f"{why['nl']}; een toegankelijke route van "
                          f"{_n(_m(alt.distance_m), 'nl')} m naar {dest['nl']} bestaat "
                          f"({_n(_m(extra), 'nl')} m omweg)",
                    "en": f"the shortest route ({_n(_m(shortest.distance_m), 'en')} m) runs via "
                          f"{why['en']}; an accessible route of {_n(_m(alt.distance_m), 'en')} m "
                          f"to {dest['en']} exists (a {_n(_m(extra), 'en')} m detour)"}
            return CheckResult(Outcome.PASS, prop, 0, 0, note=note,
                               data={"route_m": _m(alt.distance_m), "destination": dest,
                                     "shortest_m": _m(shortest.distance_m),
                                     "detour_m": _m(extra), "links": why})
    if broken and p.detour:
        maybe = search.routes_for("known", p)[k]
        if maybe is not None:
            maybe_unknown = [i for i in _route_issues(maybe, search)
                             if i.status == _UNKNOWN]
            return _to_verify(maybe, maybe_unknown, search, shortest, broken, prop)
    if not broken:
        return _to_verify(shortest, unknown, search, None, [], prop)
    links = _describe(broken)
    location = shapely.union_all([_issue_location(i, shortest, cn) for i in broken])
    extra_nl = extra_en = ""
    if unknown:
        more = _describe(unknown)
        extra_nl, extra_en = f"; ook te controleren: {more['nl']}", \
            f"; also to verify: {more['en']}"
    detour_nl = "geen toegankelijke omweg" if p.detour else "omwegen niet gezocht"
    detour_en = "no accessible detour" if p.detour else "detours not searched"
    note = {"nl": f"de kortste route ({_n(_m(shortest.distance_m), 'nl')} m naar "
                  f"{data['destination']['nl']}) is onderbroken: {links['nl']}; {detour_nl} "
                  f"binnen {_n(p.max_route_m, 'nl')} m{extra_nl}",
            "en": f"the shortest route ({_n(_m(shortest.distance_m), 'en')} m to "
                  f"{data['destination']['en']}) is broken: {links['en']}; {detour_en} within "
                  f"{_n(p.max_route_m, 'en')} m{extra_en}"}
    n_broken = len({id(i.feature) for i in broken})
    return CheckResult(Outcome.FAIL, prop, n_broken, 0, location=location, note=note,
                       data={**data, "links": links,
                             "broken": [f"{i.feature.layer}/{i.feature.id}" for i in broken]})


def _to_verify(route: Route, unknown: list[Issue], search: ChainSearch,
               shortest: Route | None, broken: list[Issue], prop: str) -> CheckResult:
    cn = search.cn
    links = _describe(unknown)
    names = tuple(dict.fromkeys(i.property for i in unknown))
    dest = _target_name(search, route)
    pre_nl = pre_en = ""
    if shortest is not None and broken:
        b = _describe(broken)
        pre_nl = (f"de kortste route ({_n(_m(shortest.distance_m), 'nl')} m) is onderbroken: "
                  f"{b['nl']}; ")
        pre_en = (f"the shortest route ({_n(_m(shortest.distance_m), 'en')} m) is broken: "
                  f"{b['en']}; ")
    note = {"nl": f"{pre_nl}de route van {_n(_m(route.distance_m), 'nl')} m naar {dest['nl']} "
                  f"is toegankelijk als deze gegevens kloppen: {links['nl']}",
            "en": f"{pre_en}the route of {_n(_m(route.distance_m), 'en')} m to {dest['en']} is "
                  f"accessible if these check out: {links['en']}"}
    location = shapely.union_all([_issue_location(i, route, cn) for i in unknown]) \
        if unknown else None
    return CheckResult(Outcome.TO_VERIFY, prop, missing=names, note=note, location=location,
                       data={"route_m": _m(route.distance_m), "destination": dest,
                             "links": links})


def _no_route(feature: Feature, search: ChainSearch, p: RouteChainParams,
              ctx: CheckContext) -> CheckResult:
    d0, i0 = straight_to_nearest(ctx, feature, p, search.targets)
    near = search.targets[i0]
    near_nl, near_en = _label(near)
    straight = _m(d0)
    base = {"destination": {"nl": near_nl, "en": near_en}, "route_m": None,
            "straight_m": straight}
    if not search.near_network(p)[search.origin_index[id(feature)]]:
        note = {"nl": f"de oorsprong ligt verder dan {_n(p.max_snap_m, 'nl')} m van het "
                      f"getekende looppadennetwerk; {near_nl} ligt in rechte lijn "
                      f"op {_n(straight, 'nl')} m",
                "en": f"the origin lies more than {_n(p.max_snap_m, 'en')} m from the drawn "
                      f"walkway network; {near_en} is {_n(straight, 'en')} m away "
                      "in a straight line"}
        return CheckResult(Outcome.TO_VERIFY, p.property, missing=("walkway",), note=note,
                           data={**base, "links": note})
    note = {"nl": f"geen beloopbare route binnen {_n(p.max_route_m, 'nl')} m naar een "
                  f"bestemming langs het getekende netwerk; {near_nl} ligt in "
                  f"rechte lijn op {_n(straight, 'nl')} m (ontbreekt een verbinding in de "
                  "tekening?)",
            "en": f"no walkable route within {_n(p.max_route_m, 'en')} m to a destination along "
                  f"the drawn network; {near_en} is {_n(straight, 'en')} m away "
                  "in a straight line (is a connection missing from the drawing?)"}
    return CheckResult(Outcome.FAIL, p.property, None, 0, note=note,
                       data={**base, "links": note})
