"""The chain network's vectorised build against the per-surface build it replaced.

``reference_build`` below is ``build_chain_network`` as it was before the surfaces, their
concave corners, the stops' portals and the portal pairs were computed in bulk (one shapely
call per step for every surface, one nearest-node search for every portal point). On random
plans (rectangles, L shapes, surfaces with holes, multipolygons, bow ties that need repairing,
touching surfaces, stairs and ramps cut out of walkways, a square with more portals than
``ALL_PAIRS_MAX``, centre lines, stops inside and beside the surfaces) both must give the same
network: the same node coordinates and ids, the same edges in the same order, the same
feature of every edge.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient
from shapely.ops import nearest_points

from inclusiecheck.engine.checks.api import CheckContext
from inclusiecheck.engine.checks.chain import (
    ALL_PAIRS_MAX,
    LINK_LAYERS,
    POI_LAYERS,
    POI_REACH_M,
    SNAP_TOLERANCE_M,
    ChainNetwork,
    _attribute_edges,
    _point_of,
    _PRIORITY,
    _shared_portals,
    _split_at,
    build_chain_network,
)
from inclusiecheck.engine.measures import MEASURES
from inclusiecheck.engine.scopes import DERIVED
from inclusiecheck.geometry.network import GeometryInputError, WalkNetwork, build_walk_network
from inclusiecheck.model import Feature, SiteModel
from inclusiecheck.model.feature import PlanMeta
from inclusiecheck.model.raw import SourceRef


# -- the reference: the per-surface build ------------------------------------------------------
def _reflex_vertices(area: BaseGeometry) -> list[tuple[float, float]]:
    """Concave corners of a surface: where a shortest path inside it bends."""
    out: list[tuple[float, float]] = []
    for part in shapely.get_parts(area):
        if part.geom_type != "Polygon" or part.is_empty:
            continue
        poly = orient(part, 1.0)  # area on the left of every ring
        for ring in (poly.exterior, *poly.interiors):
            xy = np.asarray(ring.coords)[:-1, :2]
            if len(xy) < 3:
                continue
            prev, nxt = np.roll(xy, 1, axis=0), np.roll(xy, -1, axis=0)
            a, b = xy - prev, nxt - xy
            cross = a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]
            out.extend(map(tuple, xy[cross < -1e-9].tolist()))
    return out


def _portal_pairs(area: BaseGeometry, xy: np.ndarray, tol: float) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs of portals joined by a straight walking line that stays on the surface
    (every pair up to ``ALL_PAIRS_MAX`` portals, else the Delaunay edges between them)."""
    n = len(xy)
    if n < 2:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    if n <= ALL_PAIRS_MAX:
        i, j = np.triu_indices(n, k=1)
    else:
        tri = shapely.delaunay_triangles(shapely.multipoints(xy), only_edges=True)
        seg = shapely.get_coordinates(shapely.get_parts(tri)).reshape(-1, 2, 2)
        lookup = {(round(x, 6), round(y, 6)): k for k, (x, y) in enumerate(xy.tolist())}
        i = np.array([lookup[(round(a, 6), round(b, 6))] for a, b in seg[:, 0].tolist()])
        j = np.array([lookup[(round(a, 6), round(b, 6))] for a, b in seg[:, 1].tolist()])
    lines = shapely.linestrings(np.stack([xy[i], xy[j]], axis=1))
    keep = shapely.covered_by(lines, area.buffer(tol)) & (shapely.length(lines) > 0)
    return i[keep], j[keep]


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    """The polygonal part of a (repaired) geometry, as one (Multi)Polygon."""
    parts = shapely.get_parts(shapely.make_valid(shapely.force_2d(geom)))
    polys = [g for g in parts if g.geom_type in ("Polygon", "MultiPolygon") and g.area > 0]
    return shapely.union_all(polys) if polys else shapely.Polygon()


def _surfaces(ctx: CheckContext) -> list[tuple[Feature, BaseGeometry]]:
    """Walkable surfaces: walkway and crossing polygons minus stairs/ramp polygons on them,
    and stairs/ramp polygons themselves."""
    steps = [(f, _polygonal(f.geometry)) for layer in ("stairs", "ramp")
             for f in ctx.model.features(layer) if f.geom_type == "Polygon"]
    steps = [(f, g) for f, g in steps if not g.is_empty]
    cut = shapely.union_all([g for _f, g in steps]) if steps else None
    out: list[tuple[Feature, BaseGeometry]] = []
    for layer in ("walkway", "crossing"):
        for f in ctx.model.features(layer):
            if f.geom_type != "Polygon":
                continue
            geom = _polygonal(f.geometry)
            if cut is not None and geom.intersects(cut):
                geom = _polygonal(geom.difference(cut))
            if not geom.is_empty:
                out.append((f, geom))
    return out + steps


class _Nodes:
    """Node ids for points: existing network nodes within the tolerance, else new ones."""

    def __init__(self, node_xy: np.ndarray, tol: float) -> None:
        self.xy: list[tuple[float, float]] = [tuple(p) for p in node_xy.tolist()]
        self.tol = tol
        self._tree = shapely.STRtree(shapely.points(node_xy)) if len(node_xy) else None
        self._n0 = len(node_xy)
        self._new: dict[tuple[float, float], int] = {}

    def id_of(self, x: float, y: float) -> int:
        key = (round(x, 3), round(y, 3))
        if key in self._new:
            return self._new[key]
        if self._tree is not None:
            near = self._tree.query_nearest(Point(x, y), max_distance=self.tol)
            if len(near):
                return int(near.min())
        self._new[key] = len(self.xy)
        self.xy.append((float(x), float(y)))
        return self._new[key]


def reference_build(ctx: CheckContext) -> ChainNetwork | None:
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
    portals: list[list[int]] = [[nodes.id_of(x, y) for x, y in _reflex_vertices(g)]
                                for g in area_geoms]
    if net0.n_nodes:  # line ends and crossings with outlines: the network's own nodes
        ni, ai = tree.query(shapely.points(net0.node_xy), predicate="dwithin", distance=tol)
        for n, a in zip(ni.tolist(), ai.tolist()):
            portals[a].append(n)
    ai, bi = tree.query(area_geoms, predicate="dwithin", distance=tol)
    for a, b in zip(ai.tolist(), bi.tolist()):
        if a < b:
            shared = [nodes.id_of(x, y) for x, y in _shared_portals(area_geoms[a],
                                                                    area_geoms[b], tol)]
            portals[a].extend(shared)
            portals[b].extend(shared)
    pois = [f for layer in POI_LAYERS for f in ctx.model.features(layer)]
    if pois:
        pts = np.array([_point_of(f) for f in pois], dtype=object)
        pi, ai = tree.query(pts, predicate="dwithin", distance=POI_REACH_M)
        for k, a in zip(pi.tolist(), ai.tolist()):
            q = pts[k]
            if not area_geoms[a].covers(q):
                q = nearest_points(area_geoms[a].boundary, q)[0]
            portals[a].append(nodes.id_of(q.x, q.y))
    xy = np.asarray(nodes.xy, dtype=float)
    new_u: list[np.ndarray] = []
    new_v: list[np.ndarray] = []
    for (f, geom), ids in zip(surfaces, portals):
        ids_arr = np.unique(np.asarray(ids, dtype=np.int64))
        i, j = _portal_pairs(geom, xy[ids_arr], tol)
        new_u.append(ids_arr[i])
        new_v.append(ids_arr[j])
        edge_feature.extend([f] * len(i))
    u = np.concatenate([net0.edge_u, *new_u]).astype(np.int64)
    v = np.concatenate([net0.edge_v, *new_v]).astype(np.int64)
    n0 = net0.n_edges
    extra = shapely.linestrings(np.stack([xy[u[n0:]], xy[v[n0:]]], axis=1)) if len(u) > n0 \
        else np.empty(0, dtype=object)
    edges = np.concatenate([net0.edges, extra]) if n0 else extra
    if len(edges) == 0:
        return None
    net = WalkNetwork(node_xy=xy, edge_u=u, edge_v=v, edge_length_m=shapely.length(edges),
                      edges=edges, snap_tolerance_m=tol)
    return ChainNetwork(net, edge_feature)




# -- random plans ------------------------------------------------------------------------------
def _feat(layer: str, fid: str, geom: BaseGeometry, **attrs: object) -> Feature:
    return Feature(layer, fid, geom, dict(attrs), SourceRef("test", layer, fid))  # type: ignore[arg-type]


def _context(features: list[Feature]) -> CheckContext:
    layers: dict[str, list[Feature]] = {}
    for f in features:
        layers.setdefault(f.layer, []).append(f)
    model = SiteModel("EPSG:31370", PlanMeta(), {k: tuple(v) for k, v in layers.items()})
    return CheckContext(model, dt.date(2026, 6, 1), "en", MEASURES, DERIVED)


def _surface(rng: np.random.Generator, x: float, y: float) -> BaseGeometry:
    """One walkable surface of a random shape near (x, y)."""
    w, h = rng.uniform(2, 12), rng.uniform(1.5, 8)
    kind = rng.integers(0, 7)
    if kind == 0:  # an L: one concave corner
        return box(x, y, x + w, y + 2).union(box(x, y, x + 2, y + h))
    if kind == 1:  # a square with a hole (a planter)
        return Polygon(box(x, y, x + w + 4, y + h + 4).exterior.coords,
                       [box(x + 2, y + 2, x + 2 + w / 2, y + 2 + h / 2).exterior.coords[::-1]])
    if kind == 2:  # two parts
        return MultiPolygon([box(x, y, x + w, y + 2), box(x + w + 3, y, x + 2 * w, y + h)])
    if kind == 3:  # a bow tie: repaired into two triangles
        return Polygon([(x, y), (x + w, y + h), (x + w, y), (x, y + h)])
    if kind == 4:  # a rotated, jittered polygon (random vertices: concave corners)
        t = np.sort(rng.uniform(0, 2 * math.pi, rng.integers(4, 12)))
        r = rng.uniform(2, 8, t.size)
        return Polygon(np.column_stack([x + r * np.cos(t), y + r * np.sin(t)]))
    if kind == 5:  # a clockwise ring (orientation must not matter)
        return Polygon(box(x, y, x + w, y + h).exterior.coords[::-1])
    return box(x, y, x + w, y + h)


def random_plan(seed: int, n: int = 40) -> list[Feature]:
    rng = np.random.default_rng(seed)
    plan: list[Feature] = []
    span = 12.0 * math.sqrt(n)
    for k in range(n):
        x, y = rng.uniform(0, span, 2)
        layer = "crossing" if rng.random() < 0.2 else "walkway"
        plan.append(_feat(layer, f"a{k}", _surface(rng, float(x), float(y))))
        if rng.random() < 0.3:  # a neighbour that touches it: portals along the shared side
            g = plan[-1].geometry
            x1, y1, x2, y2 = g.bounds
            plan.append(_feat("walkway", f"t{k}", box(x2, y1, x2 + rng.uniform(2, 6), y2)))
    for k in range(n // 2):  # centre lines, some ending on or crossing the surfaces
        x, y = rng.uniform(0, span, 2)
        dx, dy = rng.uniform(-20, 20, 2)
        layer = str(rng.choice(["walkway", "walkway", "crossing", "ramp", "stairs"]))
        plan.append(_feat(layer, f"l{k}", LineString([(x, y), (x + dx, y + dy)])))
    for k in range(n // 8):  # stairs and ramps drawn on the surfaces
        x, y = rng.uniform(0, span, 2)
        layer = "stairs" if k % 2 else "ramp"
        plan.append(_feat(layer, f"s{k}", box(x, y, x + rng.uniform(1, 4), y + rng.uniform(1, 3))))
    for k in range(n):  # stops, entrances, ... inside, beside and far from the surfaces
        x, y = rng.uniform(-10, span + 10, 2)
        plan.append(_feat(str(rng.choice(POI_LAYERS)), f"p{k}", Point(x, y)))
    return plan


def _assert_same(fast: ChainNetwork | None, ref: ChainNetwork | None) -> None:
    assert (fast is None) == (ref is None)
    if fast is None or ref is None:
        return
    a, b = fast.net, ref.net
    np.testing.assert_array_equal(a.node_xy, b.node_xy)
    np.testing.assert_array_equal(a.edge_u, b.edge_u)
    np.testing.assert_array_equal(a.edge_v, b.edge_v)
    np.testing.assert_array_equal(a.edge_length_m, b.edge_length_m)
    assert list(shapely.to_wkb(a.edges)) == list(shapely.to_wkb(b.edges))
    assert [id(f) for f in fast.edge_feature] == [id(f) for f in ref.edge_feature]


@pytest.mark.parametrize("seed", range(12))
def test_vectorised_build_equals_the_per_surface_build(seed: int) -> None:
    plan = random_plan(seed, n=20 + 10 * seed)
    fast = build_chain_network(_context(plan))
    ref = reference_build(_context(plan))
    assert fast is not None and fast.net.n_edges > 0
    _assert_same(fast, ref)


def test_a_square_with_many_portals_uses_the_triangulation() -> None:
    square = box(0, 0, 60, 60).difference(box(20, 20, 30, 40))  # a hole: pairs across it drop
    stops = [_feat("stop", f"s{k}", Point(x, y)) for k, (x, y) in
             enumerate(np.random.default_rng(5).uniform(-5, 65, (ALL_PAIRS_MAX + 30, 2)))]
    plan = [_feat("walkway", "sq", square), *stops,
            _feat("walkway", "w", LineString([(-20, 30), (0, 30)]))]
    fast = build_chain_network(_context(plan))
    assert fast is not None
    _assert_same(fast, reference_build(_context(plan)))


def test_only_lines_and_only_surfaces() -> None:
    lines = [_feat("walkway", "w", LineString([(0, 0), (10, 0)])),
             _feat("crossing", "c", LineString([(10, 0), (10, 8)]))]
    _assert_same(build_chain_network(_context(lines)), reference_build(_context(lines)))
    surfaces = [_feat("walkway", "a", box(0, 0, 10, 3)), _feat("walkway", "b", box(10, 0, 12, 9)),
                _feat("stop", "s", Point(1, 4))]
    _assert_same(build_chain_network(_context(surfaces)), reference_build(_context(surfaces)))
    assert build_chain_network(_context([_feat("stop", "s", Point(1, 4))])) is None


def test_edge_cases_equal_the_per_surface_build() -> None:
    """A walkway wholly under a stair (nothing left of it), a flat polygon (no area), a bow
    tie, two stops at one spot and one on a concave corner (one new node each), stops on a
    surface's outline and far away, a hole, touching surfaces and centre lines ending on them."""
    ell = box(0, 0, 20, 4).union(box(0, 0, 4, 20))   # concave corner at (4, 4)
    plan = [
        _feat("walkway", "ell", ell),
        _feat("walkway", "under", box(30, 0, 34, 3)),
        _feat("stairs", "st", box(29, -1, 35, 4)),
        _feat("ramp", "rp", box(10, 1, 12, 3)),                    # a hole in the L
        _feat("walkway", "flat", Polygon([(40, 0), (45, 0), (50, 0)])),
        _feat("crossing", "bow", Polygon([(50, 10), (56, 16), (56, 10), (50, 16)])),
        _feat("walkway", "next", box(20, 0, 28, 4)),               # touches the L
        _feat("walkway", "w", LineString([(28, 2), (40, 2)])),
        _feat("walkway", "w2", LineString([(2, 20), (2, 30)])),
        _feat("stop", "s1", Point(15, 6)), _feat("stop", "s2", Point(15, 6)),
        _feat("entrance", "e", Point(4, 4)), _feat("toilet", "t", Point(20, 4)),
        _feat("bench", "b", Point(200, 200)), _feat("lift", "l", Point(8, 8)),
    ]
    fast = build_chain_network(_context(plan))
    assert fast is not None
    _assert_same(fast, reference_build(_context(plan)))
    surfaces = {f.id for f in fast.edge_feature if f is not None and f.geom_type == "Polygon"}
    assert "under" not in surfaces and "flat" not in surfaces and "ell" in surfaces


def test_orientation_without_orient_polygons_is_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """The concave corners orient the surfaces with ``shapely.orient_polygons`` (shapely
    2.1); before it, ``orient(polygon, 1.0)`` one by one gives the same rings."""
    from inclusiecheck.engine.checks import chain

    shell_cw = [(0, 0), (0, 10), (10, 10), (10, 0), (0, 0)]
    hole_ccw = [(2, 2), (4, 2), (4, 4), (2, 4), (2, 2)]
    polys = np.array([Polygon(shell_cw, [hole_ccw]), Polygon(shell_cw[::-1]),
                      Polygon([(0, 0), (5, 0), (5, 1), (1, 1), (1, 5), (0, 5)]),
                      shapely.Point(3, 3).buffer(2)], dtype=object)
    fast = chain._oriented_ccw(polys)
    monkeypatch.delattr(shapely, "orient_polygons", raising=False)
    slow = chain._oriented_ccw(polys)
    assert all(shapely.to_wkb(a) == shapely.to_wkb(b) for a, b in zip(fast, slow))
    assert all(g.exterior.is_ccw for g in slow)
    assert not slow[0].interiors[0].is_ccw
