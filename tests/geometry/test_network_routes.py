"""Routes along the walking network: the path itself, not only its length."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from shapely import LineString, Point

from inclusiecheck.geometry.network import (
    GeometryInputError,
    build_walk_network,
    nearest_destination,
    nearest_routes,
    route_line,
    shortest_path,
)

# a square block: south side 0-100, east side, north side, west side (each 100 m)
BLOCK = [LineString([(0, 0), (100, 0)]), LineString([(100, 0), (100, 100)]),
         LineString([(100, 100), (0, 100)]), LineString([(0, 100), (0, 0)])]


def test_l_route_path_and_pieces() -> None:
    net = build_walk_network([LineString([(0, 0), (100, 0)]), LineString([(100, 0), (100, 100)])])
    d, route = shortest_path(net, Point(10, 1), Point(100, 90))
    assert d == pytest.approx(1 + 90 + 90)  # access leg 1 m, 90 m east, 90 m north
    assert route is not None and route.access_m == (1.0, 0.0)
    assert route.network_m == pytest.approx(180.0)
    line = route_line(net, route, Point(10, 1), Point(100, 90))
    assert line.length == pytest.approx(d)
    assert list(line.coords) == [(10, 1), (10, 0), (100, 0), (100, 90)]


def test_walking_against_the_edge_direction() -> None:
    net = build_walk_network([LineString([(0, 0), (100, 0)])])
    _d, route = shortest_path(net, Point(80, 0), Point(30, 0))
    assert route is not None
    (edge, a, b), = route.pieces
    assert (a, b) == pytest.approx((80.0, 30.0))  # from_m > to_m: towards edge_u
    assert list(route_line(net, route).coords) == [(80, 0), (30, 0)]


def test_blocked_edge_forces_the_way_round() -> None:
    net = build_walk_network(BLOCK)
    o, dst = Point(10, 0), Point(90, 0)
    d, route = shortest_path(net, o, dst)
    assert d == pytest.approx(80.0)
    assert route is not None
    # block the edge both points lie on: they cannot leave it, so no route
    blocked = np.zeros(net.n_edges, dtype=bool)
    blocked[route.edges[0]] = True
    assert shortest_path(net, o, dst, blocked_edges=blocked) == (float("inf"), None)


def test_blocked_middle_edge_detour_length() -> None:
    # two parallel paths between x=0 and x=100: direct (y=0) and a 40 m longer loop
    lines = [LineString([(-10, 0), (0, 0)]), LineString([(0, 0), (100, 0)]),
             LineString([(0, 0), (0, 20), (100, 20), (100, 0)]),
             LineString([(100, 0), (110, 0)])]
    net = build_walk_network(lines)
    d, route = shortest_path(net, Point(-10, 0), Point(110, 0))
    assert d == pytest.approx(120.0)
    direct = [e for e in range(net.n_edges) if net.edge_length_m[e] == pytest.approx(100.0)]
    blocked = np.zeros(net.n_edges, dtype=bool)
    blocked[direct] = True
    d2, route2 = shortest_path(net, Point(-10, 0), Point(110, 0), blocked_edges=blocked)
    assert d2 == pytest.approx(160.0)
    assert route2 is not None and not set(route2.edges) & set(direct)


def test_routes_match_nearest_destination_and_networkx() -> None:
    rng = np.random.default_rng(7)
    lines = [LineString([(x, 0), (x, 400)]) for x in range(0, 401, 50)]
    lines += [LineString([(0, y), (400, y)]) for y in range(0, 401, 50)]
    net = build_walk_network(lines)
    origins = [Point(*xy) for xy in rng.uniform(0, 400, (40, 2))]
    dests = [Point(*xy) for xy in rng.uniform(0, 400, (5, 2))]
    routes = nearest_routes(net, origins, dests)
    d, idx = nearest_destination(net, origins, dests)
    assert [r.distance_m for r in routes] == pytest.approx(d.tolist())
    assert [r.destination for r in routes] == idx.tolist()
    for o, r in zip(origins, routes):
        assert route_line(net, r, o, dests[r.destination]).length == pytest.approx(r.distance_m)
    # node-to-node: the pieces' edges form a path as long as networkx's shortest path
    g = net.graph
    a, b = 0, net.n_nodes - 1
    expected = nx.shortest_path_length(g, a, b, weight="length_m")
    d_ab, route = shortest_path(net, Point(*net.node_xy[a]), Point(*net.node_xy[b]))
    assert d_ab == pytest.approx(expected)
    assert route is not None and route.network_m == pytest.approx(expected)


def test_cutoff_off_network_and_empty_inputs() -> None:
    net = build_walk_network([LineString([(0, 0), (100, 0)])])
    assert nearest_routes(net, [Point(0, 0)], [Point(100, 0)], cutoff_m=99.0) == [None]
    assert nearest_routes(net, [Point(0, 0)], [Point(100, 0)], cutoff_m=100.0)[0] is not None
    assert nearest_routes(net, [Point(0, 500)], [Point(100, 0)]) == [None]
    assert nearest_routes(net, [], [Point(100, 0)]) == []
    assert nearest_routes(net, [Point(0, 0)], []) == [None]
    empty = build_walk_network([])
    assert shortest_path(empty, Point(0, 0), Point(1, 0)) == (float("inf"), None)


def test_origin_on_a_destination_is_a_zero_route() -> None:
    net = build_walk_network([LineString([(0, 0), (100, 0)])])
    d, route = shortest_path(net, Point(50, 0), Point(50, 0))
    assert d == 0.0 and route is not None and route.pieces == ()


def test_blocked_edges_must_match_the_network() -> None:
    net = build_walk_network(BLOCK)
    with pytest.raises(GeometryInputError):
        nearest_routes(net, [Point(0, 0)], [Point(50, 0)], blocked_edges=np.zeros(2, bool))
