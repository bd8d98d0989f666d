"""Walking-network distances: a length-weighted graph built from walkway centre lines.

Used for toilet coverage, bench spacing, step-free alternatives and parking-to-entrance
distances. All geometry is in a projected metric CRS (metres).

Only *lines* (walkway centre lines) make a network. Walkable *areas* (squares, polygons) are
not handled here: callers measure straight-line distance for them instead
(:func:`euclidean_distance_to_nearest`, or :func:`inclusiecheck.geometry.coverage.points_beyond`
which records which of the two measures it used).

Points (toilets, stops, entrances, area boundary points) are attached to the network with
:func:`snap_points`: each lands on the nearest position of the nearest edge, and the edge is
split *virtually* there (nothing in the :class:`WalkNetwork` changes). Distances then include
the straight access legs from each point to the network and are computed with one
multi-source Dijkstra per query.

Why a hand-written Dijkstra: the query needs sources that sit part-way along an edge (an
initial distance per source) and the index of the nearest source for every node. networkx's
public multi-source Dijkstra supports neither without mutating a graph copy per query, so
queries run a small heap-based Dijkstra over a CSR array of the network, and the tests check
it against networkx shortest paths. :attr:`WalkNetwork.graph` still offers the network as a
networkx ``MultiGraph`` for any other graph algorithm.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from shapely import LineString, MultiLineString, Point
from shapely.geometry.base import BaseGeometry
from shapely.ops import substring

if TYPE_CHECKING:   # networkx is imported by the one property that uses it (0.1-0.2 s)
    import networkx as nx

__all__ = [
    "DestinationField",
    "GeometryInputError",
    "Route",
    "SnappedPoints",
    "WalkNetwork",
    "build_walk_network",
    "destination_field",
    "distance_to_nearest",
    "euclidean_distance_to_nearest",
    "nearest_destination",
    "nearest_routes",
    "route_line",
    "service_area",
    "shortest_path",
    "snap_points",
]

_INF = float("inf")


class GeometryInputError(ValueError):
    """Geometry or parameters that a measure cannot work with (wrong type, negative distance)."""


@dataclass(frozen=True, eq=False)
class WalkNetwork:
    """A walking network: nodes, length-weighted edges and the edge geometries for drawing.

    Attributes
    ----------
    node_xy : np.ndarray
        ``(n_nodes, 2)`` node coordinates.
    edge_u, edge_v : np.ndarray
        ``(n_edges,)`` integer node ids of both ends of every edge.
    edge_length_m : np.ndarray
        ``(n_edges,)`` edge lengths in metres (the weights).
    edges : np.ndarray
        ``(n_edges,)`` object array of ``LineString``; each starts at ``node_xy[edge_u]`` and
        ends at ``node_xy[edge_v]``.
    snap_tolerance_m : float
        The tolerance the network was built with.
    """

    node_xy: np.ndarray
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_length_m: np.ndarray
    edges: np.ndarray
    snap_tolerance_m: float

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return int(self.node_xy.shape[0])

    @property
    def n_edges(self) -> int:
        """Number of edges."""
        return int(self.edge_u.shape[0])

    @cached_property
    def tree(self) -> shapely.STRtree:
        """Spatial index over :attr:`edges`."""
        return shapely.STRtree(self.edges)

    @cached_property
    def graph(self) -> nx.MultiGraph:
        """The network as a networkx ``MultiGraph``.

        Nodes are the integer node ids with ``x`` and ``y`` attributes; edge keys are edge
        indices, with ``length_m`` attributes. Parallel edges (two paths between the same two
        nodes) are kept.
        """
        import networkx as nx

        g: nx.MultiGraph[int] = nx.MultiGraph()
        g.add_nodes_from(
            (i, {"x": float(x), "y": float(y)}) for i, (x, y) in enumerate(self.node_xy.tolist())
        )
        # types-networkx does not know MultiGraph's (u, v, key, data) edges
        g.add_edges_from(
            (int(u), int(v), k, {"length_m": float(w)})  # type: ignore[misc]
            for k, (u, v, w) in enumerate(
                zip(self.edge_u.tolist(), self.edge_v.tolist(), self.edge_length_m.tolist())
            )
        )
        return g


@dataclass(frozen=True, eq=False)
class SnappedPoints:
    """Points attached to a :class:`WalkNetwork` (the result of :func:`snap_points`).

    Attributes
    ----------
    edge : np.ndarray
        Edge index per point, ``-1`` where the point is not on the network.
    offset_m : np.ndarray
        Distance along the edge from its ``edge_u`` end (``nan`` when not on the network).
    to_u_m, to_v_m : np.ndarray
        Distance along the edge to its ``edge_u`` and ``edge_v`` end (``nan`` when not on the
        network).
    access_m : np.ndarray
        Straight-line distance from the point to the network (``inf`` when not on it).
    """

    edge: np.ndarray
    offset_m: np.ndarray
    to_u_m: np.ndarray
    to_v_m: np.ndarray
    access_m: np.ndarray

    @property
    def on_network(self) -> np.ndarray:
        """Boolean mask of points attached to the network."""
        return self.edge >= 0

    def __len__(self) -> int:
        return int(self.edge.shape[0])


# --------------------------------------------------------------------------------------------
# building


def _check_distance(name: str, value: float, *, allow_zero: bool = True) -> float:
    value = float(value)
    if not np.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise GeometryInputError(f"{name} must be a finite number {bound}, got {value!r}")
    return value


def _explode_lines(lines: Iterable[Any]) -> np.ndarray:
    """Return the non-empty, non-zero-length LineString parts of ``lines``."""
    geoms = list(lines) if not isinstance(lines, BaseGeometry) else [lines]
    arr = np.empty(len(geoms), dtype=object)
    arr[:] = geoms
    if arr.size == 0:
        return arr
    if not np.all(shapely.is_geometry(arr)):
        raise GeometryInputError("walkway lines must be shapely geometries (got None or other)")
    types = shapely.get_type_id(arr)
    bad = ~np.isin(types, (1, 2, 5))  # LineString, LinearRing, MultiLineString
    if np.any(bad):
        kind = arr[np.flatnonzero(bad)[0]].geom_type
        raise GeometryInputError(
            f"walkway network needs LineString/MultiLineString centre lines, got {kind}; "
            "measure walkable areas with straight-line distance instead"
        )
    parts = shapely.get_parts(arr)
    parts = shapely.force_2d(parts)
    rings = np.flatnonzero(shapely.get_type_id(parts) == 2)
    if rings.size:  # LinearRing -> closed LineString
        ring_xy, ring_idx = shapely.get_coordinates(parts[rings], return_index=True)
        parts[rings] = shapely.linestrings(ring_xy, indices=ring_idx)
    length = shapely.length(parts)
    keep = ~shapely.is_empty(parts) & np.isfinite(length) & (length > 0)
    return parts[keep]


def _connect_dangles(lines: np.ndarray, tol: float) -> np.ndarray:
    """Connect line ends that stop within ``tol`` of another line (undershoots).

    The target line is split at the nearest point and a short connector is added, so noding
    yields a node there. Ends that already touch another line are left alone.
    """
    if lines.size < 2 or tol == 0:
        return lines
    ends = np.concatenate([shapely.get_point(lines, 0), shapely.get_point(lines, -1)])
    owner = np.concatenate([np.arange(lines.size), np.arange(lines.size)])
    tree = shapely.STRtree(lines)
    pi, li = tree.query(ends, predicate="dwithin", distance=tol)
    mask = li != owner[pi]
    pi, li = pi[mask], li[mask]
    if pi.size == 0:
        return lines
    d = shapely.distance(ends[pi], lines[li])
    touching = np.zeros(ends.size, dtype=bool)
    touching[pi[d == 0]] = True
    mask = ~touching[pi]
    pi, li, d = pi[mask], li[mask], d[mask]
    if pi.size == 0:
        return lines
    order = np.lexsort((li, d, pi))  # per end: nearest line first (ties: lowest index)
    pi, li = pi[order], li[order]
    first = np.ones(pi.size, dtype=bool)
    first[1:] = pi[1:] != pi[:-1]
    pi, li = pi[first], li[first]
    loc = shapely.line_locate_point(lines[li], ends[pi])
    on_line = shapely.line_interpolate_point(lines[li], loc)
    connectors = shapely.linestrings(
        np.stack([shapely.get_coordinates(ends[pi]), shapely.get_coordinates(on_line)], axis=1)
    )
    replaced: list[BaseGeometry] = []
    split_lines = np.unique(li)
    for j in split_lines.tolist():
        line = lines[j]
        cuts = np.unique(np.concatenate([[0.0], loc[li == j], [line.length]]))
        replaced.extend(substring(line, a, b) for a, b in zip(cuts[:-1], cuts[1:]) if b > a)
    keep = np.ones(lines.size, dtype=bool)
    keep[split_lines] = False
    out = np.empty(int(keep.sum()) + len(replaced) + connectors.size, dtype=object)
    out[: keep.sum()] = lines[keep]
    out[keep.sum() : keep.sum() + len(replaced)] = replaced
    out[keep.sum() + len(replaced) :] = connectors
    return out[shapely.length(out) > 0]


#: the grid of the last-resort noding (snap-rounding) when the others fail
_NODING_GRID_M = 1e-6


def _node(parts: np.ndarray) -> BaseGeometry:
    """``parts`` split wherever they cross or touch, overlapping stretches dissolved:
    :func:`shapely.node`. Its iterated noder can fail to converge on nearly coincident
    segments (two walkways drawn over each other, a connector almost along a line: GEOS
    raises "Iterated noding failed to converge"); then the union of the lines, which nodes
    and dissolves the same way with OverlayNG's fallbacks, and last the union on a
    micrometre grid (snap-rounding, which always converges)."""
    try:
        return shapely.node(shapely.multilinestrings(parts))
    except shapely.errors.GEOSException:
        pass
    try:
        return shapely.union_all(parts)
    except shapely.errors.GEOSException:
        return shapely.union_all(parts, grid_size=_NODING_GRID_M)


def _cluster_points(xy: np.ndarray, tol: float) -> np.ndarray:
    """Label points so that points within ``tol`` of each other (transitively) share a label."""
    n = xy.shape[0]
    labels = np.arange(n)
    if n < 2 or tol == 0:
        return labels
    pts = shapely.points(xy)
    i, j = shapely.STRtree(pts).query(pts, predicate="dwithin", distance=tol)
    mask = i != j
    i, j = i[mask], j[mask]
    if i.size == 0:
        return labels
    while True:  # min-label propagation with pointer jumping
        old = labels.copy()
        np.minimum.at(labels, i, labels[j])
        labels = labels[labels]
        if np.array_equal(labels, old):
            return labels


def build_walk_network(
    lines: Sequence[LineString | MultiLineString],
    *,
    snap_tolerance_m: float = 0.5,
) -> WalkNetwork:
    """Build a length-weighted walking network from walkway centre lines.

    Lines are noded (split wherever they cross or touch, with :func:`shapely.node`, which also
    dissolves overlapping stretches), line ends that stop within ``snap_tolerance_m`` of another
    line are connected to it, and line ends / crossings within ``snap_tolerance_m`` of each
    other become one node (at their mean position; chains of close points merge into one node).
    Edges that collapse onto a single node are dropped. Polygons are not accepted: callers
    fall back to straight-line distance for walkable areas.

    Parameters
    ----------
    lines : sequence of LineString or MultiLineString
        Walkway centre lines in a metric CRS. Empty and zero-length lines are ignored; Z is
        dropped.
    snap_tolerance_m : float
        Distance within which line ends are joined (``0`` joins only exactly touching ends).

    Returns
    -------
    WalkNetwork

    Raises
    ------
    GeometryInputError
        For non-line geometries or a negative tolerance.
    """
    tol = _check_distance("snap_tolerance_m", snap_tolerance_m)
    parts = _explode_lines(lines)
    parts = _connect_dangles(parts, tol)
    if parts.size:
        noded = shapely.get_parts(_node(parts))
        noded = noded[shapely.length(noded) > 0]
    else:
        noded = parts
    if noded.size == 0:
        empty_i = np.zeros(0, dtype=np.int64)
        return WalkNetwork(
            node_xy=np.zeros((0, 2)),
            edge_u=empty_i,
            edge_v=empty_i.copy(),
            edge_length_m=np.zeros(0),
            edges=np.empty(0, dtype=object),
            snap_tolerance_m=tol,
        )

    coords, geom_idx = shapely.get_coordinates(noded, return_index=True)
    counts = np.bincount(geom_idx, minlength=noded.size)
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    last = first + counts - 1
    end_xy = np.concatenate([coords[first], coords[last]])
    uniq_xy, inverse = np.unique(end_xy, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    cluster = _cluster_points(uniq_xy, tol)
    node_of_cluster, node_of_uniq = np.unique(cluster, return_inverse=True)
    node_of_uniq = node_of_uniq.reshape(-1)
    n_nodes = node_of_cluster.size
    sums = np.zeros((n_nodes, 2))
    np.add.at(sums, node_of_uniq, uniq_xy)
    node_xy = sums / np.bincount(node_of_uniq, minlength=n_nodes)[:, None]
    end_node = node_of_uniq[inverse]
    edge_u, edge_v = end_node[: noded.size], end_node[noded.size :]

    if n_nodes < uniq_xy.shape[0]:  # some ends moved: rewrite edge end coordinates
        coords[first] = node_xy[edge_u]
        coords[last] = node_xy[edge_v]
        noded = shapely.linestrings(coords, indices=geom_idx)
        loops = np.flatnonzero(edge_u == edge_v)
        if loops.size:
            loop_nodes = shapely.points(node_xy[edge_u[loops]])
            spread = shapely.hausdorff_distance(noded[loops], loop_nodes)
            collapsed = np.zeros(noded.size, dtype=bool)
            collapsed[loops[spread <= tol]] = True
            noded, edge_u, edge_v = noded[~collapsed], edge_u[~collapsed], edge_v[~collapsed]

    # drop nodes no edge uses any more (collapsed loops) and renumber densely
    used = np.zeros(n_nodes, dtype=bool)
    used[edge_u] = True
    used[edge_v] = True
    new_id = np.cumsum(used) - 1
    return WalkNetwork(
        node_xy=node_xy[used],
        edge_u=new_id[edge_u].astype(np.int64),
        edge_v=new_id[edge_v].astype(np.int64),
        edge_length_m=shapely.length(noded),
        edges=noded,
        snap_tolerance_m=tol,
    )


# --------------------------------------------------------------------------------------------
# snapping


def _as_points(points: Any, what: str) -> np.ndarray:
    """Return ``points`` as an object array of Points (empty Points allowed)."""
    if isinstance(points, BaseGeometry):
        points = [points]
    arr = np.empty(len(points), dtype=object)
    arr[:] = list(points)
    if arr.size and not np.all(shapely.is_geometry(arr)):
        raise GeometryInputError(f"{what} must be shapely geometries (got None or other)")
    if arr.size and np.any(shapely.get_type_id(arr) != 0):
        raise GeometryInputError(
            f"{what} must be Points; pass an entrance, centroid or boundary point for areas"
        )
    return arr


def snap_points(
    net: WalkNetwork, points: Sequence[Point] | np.ndarray, max_snap_m: float = 50.0
) -> SnappedPoints:
    """Attach points to the nearest position on the nearest network edge.

    The edge is split virtually: the result holds the distance along the edge to both of its
    ends. Points farther than ``max_snap_m`` from every edge (and empty points) are not on the
    network (``edge == -1``). Ties between equally near edges go to the lowest edge index.

    Parameters
    ----------
    net : WalkNetwork
    points : sequence of Point
    max_snap_m : float
        Largest accepted distance from a point to the network (inclusive).

    Returns
    -------
    SnappedPoints
    """
    max_snap = _check_distance("max_snap_m", max_snap_m)
    pts = _as_points(points, "points")
    n = pts.size
    edge = np.full(n, -1, dtype=np.int64)
    offset = np.full(n, np.nan)
    access = np.full(n, _INF)
    if n and net.n_edges:
        valid = np.flatnonzero(~shapely.is_empty(pts))
        if valid.size:
            (qi, ei), dist = net.tree.query_nearest(
                pts[valid], max_distance=max_snap, return_distance=True, all_matches=True
            )
            order = np.lexsort((ei, qi))  # lowest edge index first among ties
            qi, ei, dist = qi[order], ei[order], dist[order]
            first = np.ones(qi.size, dtype=bool)
            first[1:] = qi[1:] != qi[:-1]
            qi, ei, dist = qi[first], ei[first], dist[first]
            idx = valid[qi]
            edge[idx] = ei
            access[idx] = dist
            offset[idx] = shapely.line_locate_point(net.edges[ei], pts[idx])
    on = edge >= 0
    length = np.where(on, net.edge_length_m[np.where(on, edge, 0)] if net.n_edges else 0.0, np.nan)
    offset = np.clip(offset, 0.0, length)
    return SnappedPoints(
        edge=edge,
        offset_m=offset,
        to_u_m=offset,
        to_v_m=length - offset,
        access_m=access,
    )


def _snapped(net: WalkNetwork, points: Any, max_snap_m: float) -> SnappedPoints:
    if isinstance(points, SnappedPoints):
        return points
    return snap_points(net, points, max_snap_m)


# --------------------------------------------------------------------------------------------
# shortest paths


@dataclass(frozen=True, eq=False)
class _Augmented:
    """The network with snapped points inserted as extra nodes (edges split virtually)."""

    n_nodes: int
    indptr: list[int]
    indices: list[int]
    weights: list[float]
    point_node: np.ndarray  # node id per attached point (-1 when not on the network)
    seg_edge: np.ndarray  # per sub-edge: original edge index
    seg_start_m: np.ndarray  # per sub-edge: start offset along the original edge
    seg_end_m: np.ndarray
    seg_a: np.ndarray  # node at the start / end of the sub-edge
    seg_b: np.ndarray
    adj_seg: list[int]  # per CSR entry: the sub-edge it runs along


def _augment(net: WalkNetwork, snapped: Sequence[SnappedPoints]) -> _Augmented:
    """Split the edges at every snapped point and build a CSR adjacency of the result."""
    edge = np.concatenate([s.edge for s in snapped]) if snapped else np.zeros(0, np.int64)
    offset = np.concatenate([s.offset_m for s in snapped]) if snapped else np.zeros(0)
    point_node = np.full(edge.size, -1, dtype=np.int64)
    on = np.flatnonzero(edge >= 0)
    order = on[np.lexsort((offset[on], edge[on]))]
    pe, po = edge[order], offset[order]
    pnode = net.n_nodes + np.arange(order.size)
    point_node[order] = pnode

    has_points = np.zeros(net.n_edges, dtype=bool)
    has_points[pe] = True
    plain = np.flatnonzero(~has_points)
    # sub-edges: plain edges, edge start -> first point, point -> next point, last point -> end
    new_group = np.ones(pe.size, dtype=bool)
    new_group[1:] = pe[1:] != pe[:-1]
    last_in_group = np.ones(pe.size, dtype=bool)
    last_in_group[:-1] = new_group[1:]
    inner = np.flatnonzero(~new_group)  # point i-1 -> point i on the same edge
    heads, tails = np.flatnonzero(new_group), np.flatnonzero(last_in_group)
    length = net.edge_length_m
    seg_edge = np.concatenate([plain, pe[heads], pe[inner], pe[tails]])
    seg_start = np.concatenate(
        [np.zeros(plain.size), np.zeros(heads.size), po[inner - 1], po[tails]]
    )
    seg_end = np.concatenate([length[plain], po[heads], po[inner], length[pe[tails]]])
    seg_a = np.concatenate(
        [net.edge_u[plain], net.edge_u[pe[heads]], pnode[inner - 1], pnode[tails]]
    )
    seg_b = np.concatenate([net.edge_v[plain], pnode[heads], pnode[inner], net.edge_v[pe[tails]]])
    w = np.maximum(seg_end - seg_start, 0.0)

    n_total = net.n_nodes + pe.size
    src = np.concatenate([seg_a, seg_b])
    dst = np.concatenate([seg_b, seg_a])
    ww = np.concatenate([w, w])
    seg_id = np.concatenate([np.arange(w.size), np.arange(w.size)])
    keep = src != dst
    src, dst, ww, seg_id = src[keep], dst[keep], ww[keep], seg_id[keep]
    o = np.argsort(src, kind="stable")
    indptr = np.zeros(n_total + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n_total), out=indptr[1:])
    return _Augmented(
        n_nodes=n_total,
        indptr=indptr.tolist(),
        indices=dst[o].tolist(),
        weights=ww[o].tolist(),
        point_node=point_node,
        seg_edge=seg_edge,
        seg_start_m=seg_start,
        seg_end_m=seg_end,
        seg_a=seg_a,
        seg_b=seg_b,
        adj_seg=seg_id[o].tolist(),
    )


def _dijkstra(
    g: _Augmented, sources: np.ndarray, init_m: np.ndarray, cutoff: float
) -> tuple[np.ndarray, np.ndarray]:
    """Multi-source Dijkstra; return (distance, index of nearest source) per node."""
    dist, label, _parent, _via = _dijkstra_tree(g, sources, init_m, cutoff, None)
    return np.asarray(dist, dtype=float), np.asarray(label, dtype=np.int64)


def nearest_destination(
    net: WalkNetwork,
    origins: Sequence[Point] | np.ndarray | SnappedPoints,
    destinations: Sequence[Point] | np.ndarray | SnappedPoints,
    *,
    cutoff_m: float | None = None,
    max_snap_m: float = 50.0,
    include_access: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Network distance from each origin to its nearest destination, and which one it is.

    One multi-source Dijkstra runs from all destinations at once (edges split virtually at
    every snapped point), so the cost does not grow with origins x destinations.

    Parameters
    ----------
    net : WalkNetwork
    origins, destinations : sequence of Point, or SnappedPoints from :func:`snap_points`
        Points are snapped with ``max_snap_m``; pre-snapped points are used as they are.
    cutoff_m : float, optional
        Distances beyond this (exclusive) are reported as ``inf``; also makes the search stop
        early.
    max_snap_m : float
        See :func:`snap_points`.
    include_access : bool
        Add the straight access legs (origin to network, network to destination).

    Returns
    -------
    distances : np.ndarray
        ``(n_origins,)`` metres; ``inf`` where the origin or every destination is off the
        network, no destination is reachable, or it is beyond ``cutoff_m``.
    index : np.ndarray
        ``(n_origins,)`` index of the nearest destination, ``-1`` where the distance is inf.
        Ties go to one of the tied destinations, deterministically.
    """
    cutoff = _INF if cutoff_m is None else _check_distance("cutoff_m", cutoff_m)
    so = _snapped(net, origins, max_snap_m)
    sd = _snapped(net, destinations, max_snap_m)
    n_o = len(so)
    out_d = np.full(n_o, _INF)
    out_i = np.full(n_o, -1, dtype=np.int64)
    if n_o == 0 or not np.any(so.on_network) or not np.any(sd.on_network):
        return out_d, out_i
    g = _augment(net, [so, sd])
    o_node, d_node = g.point_node[:n_o], g.point_node[n_o:]
    d_on = np.flatnonzero(sd.on_network)
    init = sd.access_m[d_on] if include_access else np.zeros(d_on.size)
    dist, label = _dijkstra(g, d_node[d_on], init, cutoff)
    on = np.flatnonzero(so.on_network)
    total = dist[o_node[on]] + (so.access_m[on] if include_access else 0.0)
    lab = label[o_node[on]]
    reach = np.isfinite(total) & (total <= cutoff)
    out_d[on[reach]] = total[reach]
    out_i[on[reach]] = d_on[lab[reach]]
    return out_d, out_i


@dataclass(frozen=True, eq=False)
class DestinationField:
    """Network distances to the nearest of a fixed set of destinations, for any origin.

    Built by :func:`destination_field` with ONE multi-source Dijkstra over the network split
    at the destinations only; :meth:`distances` then places each origin on its edge between
    the split points around it, in constant time per origin after the snap. The result is
    the float that :func:`nearest_destination` gives for that origin alone (its search splits
    the edge at the origin too, which only adds the two legs that :meth:`distances` adds
    here, in the same order of operations), so per-origin searches can be replaced by one
    field without changing a bit.
    """

    net: WalkNetwork
    dist: np.ndarray  # per node of the split network: distance to the nearest destination
    #: the split points per original edge, sorted by offset (CSR by edge)
    edge_ptr: np.ndarray
    point_offset: np.ndarray
    point_node: np.ndarray
    max_snap_m: float
    include_access: bool

    def distances(self, origins: Sequence[Point] | SnappedPoints) -> np.ndarray:
        """``(n_origins,)`` network distance of each origin to its nearest destination
        (``inf`` where the origin is off the network or none is reachable)."""
        so = _snapped(self.net, origins, self.max_snap_m)
        out = np.full(len(so), _INF)
        on = np.flatnonzero(so.on_network)
        if on.size == 0 or self.dist.size == 0:
            return out
        net, dist = self.net, self.dist
        for k in on.tolist():
            e = int(so.edge[k])
            o = so.offset_m[k]
            lo, hi = int(self.edge_ptr[e]), int(self.edge_ptr[e + 1])
            # the points split in before the origin (offset < o; an origin at a point's
            # offset comes first, as in the combined sort of nearest_destination)
            pos = lo + int(np.searchsorted(self.point_offset[lo:hi], o, side="left"))
            if pos > lo:
                back = dist[self.point_node[pos - 1]] + (o - self.point_offset[pos - 1])
            else:
                back = dist[net.edge_u[e]] + (o - 0.0)
            if pos < hi:
                ahead = dist[self.point_node[pos]] + (self.point_offset[pos] - o)
            else:
                ahead = dist[net.edge_v[e]] + (net.edge_length_m[e] - o)
            here = min(back, ahead)
            out[k] = here + so.access_m[k] if self.include_access else here + 0.0
        return out


def destination_field(
    net: WalkNetwork,
    destinations: Sequence[Point] | SnappedPoints,
    *,
    max_snap_m: float = 50.0,
    include_access: bool = True,
) -> DestinationField:
    """One multi-source search from ``destinations``, to ask the distance of many origins
    (see :class:`DestinationField`; the same parameters as :func:`nearest_destination`)."""
    sd = _snapped(net, destinations, max_snap_m)
    g = _augment(net, [sd])
    d_on = np.flatnonzero(sd.on_network)
    if d_on.size:
        init = sd.access_m[d_on] if include_access else np.zeros(d_on.size)
        dist, _label = _dijkstra(g, g.point_node[d_on], init, _INF)
    else:
        dist = np.full(g.n_nodes, _INF)
    on = np.flatnonzero(sd.edge >= 0)
    order = on[np.lexsort((sd.offset_m[on], sd.edge[on]))]  # as _augment numbers them
    edge_ptr = np.zeros(net.n_edges + 1, dtype=np.int64)
    np.cumsum(np.bincount(sd.edge[order], minlength=net.n_edges), out=edge_ptr[1:])
    return DestinationField(net=net, dist=dist, edge_ptr=edge_ptr,
                            point_offset=sd.offset_m[order],
                            point_node=g.point_node[order], max_snap_m=max_snap_m,
                            include_access=include_access)


def distance_to_nearest(
    net: WalkNetwork,
    origins: Sequence[Point] | np.ndarray | SnappedPoints,
    destinations: Sequence[Point] | np.ndarray | SnappedPoints,
    *,
    cutoff_m: float | None = None,
    max_snap_m: float = 50.0,
    include_access: bool = True,
) -> np.ndarray:
    """Network distance from each origin to its nearest destination (``inf`` if none).

    See :func:`nearest_destination`, which also returns the destination index.
    """
    return nearest_destination(
        net,
        origins,
        destinations,
        cutoff_m=cutoff_m,
        max_snap_m=max_snap_m,
        include_access=include_access,
    )[0]


def euclidean_distance_to_nearest(
    origins: Sequence[BaseGeometry] | np.ndarray,
    destinations: Sequence[BaseGeometry] | np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Straight-line distance from each origin to the nearest destination (STRtree nearest).

    Any geometry type works (an area's distance is from its nearest edge, ``0`` inside it).

    Returns
    -------
    distances : np.ndarray
        ``(n_origins,)`` metres; ``inf`` for empty origins or when there are no destinations.
    index : np.ndarray
        Index of the nearest destination, ``-1`` where the distance is inf. Ties go to the
        lowest destination index.
    """
    o = np.empty(len(origins), dtype=object)
    o[:] = list(origins)
    d = np.empty(len(destinations), dtype=object)
    d[:] = list(destinations)
    for arr, what in ((o, "origins"), (d, "destinations")):
        if arr.size and not np.all(shapely.is_geometry(arr)):
            raise GeometryInputError(f"{what} must be shapely geometries (got None or other)")
    out_d = np.full(o.size, _INF)
    out_i = np.full(o.size, -1, dtype=np.int64)
    if o.size == 0 or d.size == 0:
        return out_d, out_i
    valid = np.flatnonzero(~shapely.is_empty(o))
    if valid.size == 0:
        return out_d, out_i
    tree = shapely.STRtree(d)
    (qi, ti), dist = tree.query_nearest(o[valid], return_distance=True, all_matches=True)
    order = np.lexsort((ti, qi))
    qi, ti, dist = qi[order], ti[order], dist[order]
    first = np.ones(qi.size, dtype=bool)
    first[1:] = qi[1:] != qi[:-1]
    out_d[valid[qi[first]]] = dist[first]
    out_i[valid[qi[first]]] = ti[first]
    return out_d, out_i


# --------------------------------------------------------------------------------------------
# service areas


def _covered_intervals(
    g: _Augmented, dist: np.ndarray, budget: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per sub-edge, the stretches (edge, start_m, end_m) within ``budget`` of a source."""
    da, db = dist[g.seg_a], dist[g.seg_b]
    s, e = g.seg_start_m, g.seg_end_m
    seg_len = e - s
    reach_a = np.clip(budget - da, 0.0, None)  # nan-free: inf - ... -> clipped below
    reach_b = np.clip(budget - db, 0.0, None)
    ok_a, ok_b = np.isfinite(da) & (da <= budget), np.isfinite(db) & (db <= budget)
    reach_a = np.where(ok_a, reach_a, 0.0)
    reach_b = np.where(ok_b, reach_b, 0.0)
    full = (ok_a | ok_b) & (reach_a + reach_b >= seg_len)
    part_a = ok_a & ~full
    part_b = ok_b & ~full
    edge = np.concatenate([g.seg_edge[full], g.seg_edge[part_a], g.seg_edge[part_b]])
    start = np.concatenate([s[full], s[part_a], e[part_b] - reach_b[part_b]])
    end = np.concatenate([e[full], s[part_a] + reach_a[part_a], e[part_b]])
    return edge, start, end


def service_area(
    net: WalkNetwork,
    sources: Sequence[Point] | np.ndarray | SnappedPoints,
    max_distance_m: float,
    *,
    buffer_m: float = 25.0,
    max_snap_m: float = 50.0,
    include_access: bool = True,
) -> BaseGeometry:
    """The parts of the network within ``max_distance_m`` of any source, buffered for a map.

    Edges are cut at the exact distance (``shapely.ops.substring``); a point exactly at
    ``max_distance_m`` is inside. With ``include_access`` the access leg from a source to the
    network uses up part of the distance.

    Parameters
    ----------
    net : WalkNetwork
    sources : sequence of Point, or SnappedPoints
    max_distance_m : float
    buffer_m : float
        Buffer around the covered lines; ``0`` returns the covered lines themselves
        (a line-merged MultiLineString/LineString).
    max_snap_m, include_access
        See :func:`nearest_destination`.

    Returns
    -------
    shapely geometry
        A (Multi)Polygon, or lines when ``buffer_m == 0``; empty when nothing is covered.
    """
    budget = _check_distance("max_distance_m", max_distance_m)
    buffer = _check_distance("buffer_m", buffer_m)
    ss = _snapped(net, sources, max_snap_m)
    empty: BaseGeometry = shapely.Polygon() if buffer > 0 else shapely.MultiLineString()
    if not np.any(ss.on_network):
        return empty
    g = _augment(net, [ss])
    on = np.flatnonzero(ss.on_network)
    init = ss.access_m[on] if include_access else np.zeros(on.size)
    dist, _ = _dijkstra(g, g.point_node[on], init, budget)
    edge, start, end = _covered_intervals(g, dist, budget)
    keep = end > start
    edge, start, end = edge[keep], start[keep], end[keep]
    whole = (start <= 0.0) & (end >= net.edge_length_m[edge])
    pieces = list(net.edges[edge[whole]])
    pieces.extend(
        substring(net.edges[k], a, b)
        for k, a, b in zip(edge[~whole].tolist(), start[~whole].tolist(), end[~whole].tolist())
    )
    # zero-length source positions (budget fully used by access) keep their point
    pieces = [p for p in pieces if p.geom_type == "LineString" and p.length > 0]
    if not pieces:
        return empty
    if buffer == 0:
        return shapely.line_merge(shapely.multilinestrings(pieces))
    # buffering pieces one by one and dissolving is ~5x faster than buffering one big
    # MultiLineString on city-sized networks (benchmarks/bench_coverage.py)
    arr = np.empty(len(pieces), dtype=object)
    arr[:] = pieces
    return shapely.union_all(shapely.buffer(arr, buffer))


# --------------------------------------------------------------------------------------------
# routes (the path itself, not only its length)


@dataclass(frozen=True, eq=False)
class Route:
    """A walking route from an origin to its nearest destination along the network.

    Attributes
    ----------
    distance_m : float
        Total length in metres (access legs included when the search counted them).
    destination : int
        Index of the destination reached.
    pieces : tuple of (int, float, float)
        The stretches walked, in walking order from the origin: ``(edge, from_m, to_m)``
        with positions measured along the edge from its ``edge_u`` end; ``from_m > to_m``
        means the edge is walked towards ``edge_u``. Zero-length stretches are left out.
    access_m : tuple of float
        Straight access legs ``(origin to network, network to destination)``.
    """

    distance_m: float
    destination: int
    pieces: tuple[tuple[int, float, float], ...]
    access_m: tuple[float, float]

    @property
    def edges(self) -> tuple[int, ...]:
        """Indices of the edges walked, in order (an edge walked twice in a row once)."""
        out: list[int] = []
        for edge, _a, _b in self.pieces:
            if not out or out[-1] != edge:
                out.append(edge)
        return tuple(out)

    @property
    def network_m(self) -> float:
        """Length walked on the network (without the access legs)."""
        return float(sum(abs(b - a) for _e, a, b in self.pieces))


def _dijkstra_tree(
    g: _Augmented,
    sources: np.ndarray,
    init_m: np.ndarray,
    cutoff: float,
    allowed_adj: list[bool] | None,
) -> tuple[list[float], list[int], list[int], list[int]]:
    """Multi-source Dijkstra keeping the tree: (distance, source index, parent node, CSR entry
    used to reach each node from its parent; ``-1`` at the sources and unreached nodes)."""
    n = g.n_nodes
    dist = [_INF] * n
    label = [-1] * n
    parent = [-1] * n
    via = [-1] * n
    heap: list[tuple[float, int]] = []
    for k, (node, d0) in enumerate(zip(sources.tolist(), init_m.tolist())):
        if d0 <= cutoff and d0 < dist[node]:
            dist[node] = d0
            label[node] = k
            heap.append((d0, node))
    heapq.heapify(heap)
    indptr, indices, weights = g.indptr, g.indices, g.weights
    done = [False] * n
    pop, push = heapq.heappop, heapq.heappush
    while heap:
        d, x = pop(heap)
        if done[x]:
            continue
        done[x] = True
        lab = label[x]
        for k in range(indptr[x], indptr[x + 1]):
            if allowed_adj is not None and not allowed_adj[k]:
                continue
            nd = d + weights[k]
            y = indices[k]
            if nd < dist[y] and nd <= cutoff:
                dist[y] = nd
                label[y] = lab
                parent[y] = x
                via[y] = k
                push(heap, (nd, y))
    return dist, label, parent, via


def nearest_routes(
    net: WalkNetwork,
    origins: Sequence[Point] | np.ndarray | SnappedPoints,
    destinations: Sequence[Point] | np.ndarray | SnappedPoints,
    *,
    cutoff_m: float | None = None,
    max_snap_m: float = 50.0,
    include_access: bool = True,
    blocked_edges: np.ndarray | None = None,
) -> list[Route | None]:
    """The shortest route from each origin to its nearest destination, with its path.

    Like :func:`nearest_destination` (one multi-source Dijkstra from all destinations at
    once, edges split virtually at every snapped point), but the search keeps its
    shortest-path tree, so each origin's route is read back in time proportional to its
    number of edges. The distances equal those of :func:`nearest_destination`.

    Parameters
    ----------
    net : WalkNetwork
    origins, destinations : sequence of Point, or SnappedPoints
    cutoff_m : float, optional
        Routes longer than this (exclusive) are not returned.
    max_snap_m, include_access
        See :func:`nearest_destination`.
    blocked_edges : np.ndarray, optional
        ``(n_edges,)`` booleans: edges that may not be walked (an origin or destination
        snapped onto a blocked edge can only leave it through the blocked edge, so it is
        unreachable).

    Returns
    -------
    list of Route or None
        One per origin; ``None`` where the origin is off the network or no destination is
        reachable within ``cutoff_m``.
    """
    cutoff = _INF if cutoff_m is None else _check_distance("cutoff_m", cutoff_m)
    so = _snapped(net, origins, max_snap_m)
    sd = _snapped(net, destinations, max_snap_m)
    n_o = len(so)
    out: list[Route | None] = [None] * n_o
    if n_o == 0 or not np.any(so.on_network) or not np.any(sd.on_network):
        return out
    if blocked_edges is not None:
        blocked_edges = np.asarray(blocked_edges, dtype=bool)
        if blocked_edges.shape != (net.n_edges,):
            raise GeometryInputError(
                f"blocked_edges must have one flag per edge ({net.n_edges}), "
                f"got shape {blocked_edges.shape}"
            )
    g = _augment(net, [so, sd])
    allowed_adj = None
    if blocked_edges is not None and blocked_edges.any():
        seg_ok = ~blocked_edges[g.seg_edge]
        allowed_adj = seg_ok[np.asarray(g.adj_seg, dtype=np.int64)].tolist()
    o_node, d_node = g.point_node[:n_o], g.point_node[n_o:]
    d_on = np.flatnonzero(sd.on_network)
    init = sd.access_m[d_on] if include_access else np.zeros(d_on.size)
    dist, label, parent, via = _dijkstra_tree(g, d_node[d_on], init, cutoff, allowed_adj)
    seg_of = g.adj_seg
    seg_edge = g.seg_edge.tolist()
    seg_a = g.seg_a.tolist()
    seg_start, seg_end = g.seg_start_m.tolist(), g.seg_end_m.tolist()
    for i in np.flatnonzero(so.on_network).tolist():
        x = int(o_node[i])
        leg = float(so.access_m[i]) if include_access else 0.0
        total = dist[x] + leg
        if not np.isfinite(total) or total > cutoff:
            continue
        pieces: list[tuple[int, float, float]] = []
        while via[x] != -1:
            s = seg_of[via[x]]
            a, b = seg_start[s], seg_end[s]
            if b > a:
                pieces.append((seg_edge[s], a, b) if seg_a[s] == x else (seg_edge[s], b, a))
            x = parent[x]
        dest = int(d_on[label[x]])
        dleg = float(sd.access_m[dest]) if include_access else 0.0
        out[i] = Route(
            distance_m=float(total),
            destination=dest,
            pieces=tuple(pieces),
            access_m=(leg, dleg),
        )
    return out


def shortest_path(
    net: WalkNetwork,
    origin: Point,
    destination: Point,
    *,
    max_snap_m: float = 50.0,
    include_access: bool = True,
    blocked_edges: np.ndarray | None = None,
) -> tuple[float, Route | None]:
    """Shortest walking route between two points: ``(distance_m, route)``.

    ``(inf, None)`` when either point is off the network or they are not connected. See
    :func:`nearest_routes` for the parameters and :func:`route_line` for its geometry.
    """
    route = nearest_routes(
        net,
        [origin],
        [destination],
        max_snap_m=max_snap_m,
        include_access=include_access,
        blocked_edges=blocked_edges,
    )[0]
    return (_INF, None) if route is None else (route.distance_m, route)


def route_line(
    net: WalkNetwork,
    route: Route,
    origin: Point | None = None,
    destination: Point | None = None,
) -> LineString:
    """The route as one LineString (with the access legs when the end points are given)."""
    coords: list[tuple[float, float]] = []
    if origin is not None:
        coords.append((float(origin.x), float(origin.y)))
    for edge, a, b in route.pieces:
        part = substring(net.edges[edge], a, b)
        coords.extend((float(x), float(y)) for x, y in shapely.get_coordinates(part).tolist())
    if destination is not None:
        coords.append((float(destination.x), float(destination.y)))
    clean = [c for k, c in enumerate(coords) if k == 0 or c != coords[k - 1]]
    if len(clean) < 2:
        clean = clean * 2 if clean else [(0.0, 0.0), (0.0, 0.0)]
    return LineString(clean)
