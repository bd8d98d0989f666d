"""Tests for coverage measures: bench gaps, uncovered areas, points beyond a distance."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from shapely import LineString, MultiLineString, MultiPolygon, Point, Polygon, box

from inclusiecheck.geometry.coverage import (
    Gap,
    gap_stretches,
    gap_stretches_network,
    points_beyond,
    uncovered,
)
from inclusiecheck.geometry.network import GeometryInputError, build_walk_network, service_area

ROUTE = LineString([(0, 0), (400, 0)])


def _spans(gaps: list[Gap]) -> list[tuple[float, float]]:
    return [(round(g.start_m, 6), round(g.end_m, 6)) for g in gaps]


# ---------------------------------------------------------------------------------- gaps


def test_benches_only_at_both_ends_give_one_gap_over_the_whole_route() -> None:
    gaps = gap_stretches(ROUTE, [Point(0, 0), Point(400, 0)], max_gap_m=125)
    assert len(gaps) == 1
    gap = gaps[0]
    assert gap.length_m == pytest.approx(400.0)
    assert (gap.start_m, gap.end_m) == (0.0, 400.0)
    assert gap.geometry.equals(ROUTE)


def test_bench_in_the_middle_gives_two_gaps() -> None:
    gaps = gap_stretches(ROUTE, [Point(0, 0), Point(200, 3), Point(400, 0)], max_gap_m=125)
    assert _spans(gaps) == [(0.0, 200.0), (200.0, 400.0)]
    assert [g.length_m for g in gaps] == pytest.approx([200.0, 200.0])
    assert gaps[1].geometry.equals(LineString([(200, 0), (400, 0)]))


def test_benches_every_100_m_give_no_gap() -> None:
    benches = [Point(x, 0) for x in range(0, 401, 100)]
    assert gap_stretches(ROUTE, benches, max_gap_m=125) == []


def test_gap_equal_to_the_limit_is_allowed() -> None:
    line = LineString([(0, 0), (250, 0)])
    assert gap_stretches(line, [Point(125, 0)], max_gap_m=125) == []
    gaps = gap_stretches(line, [Point(124.9, 0)], max_gap_m=125)
    assert _spans(gaps) == [(124.9, 250.0)]


def test_route_ends_are_boundaries_without_benches() -> None:
    gaps = gap_stretches(ROUTE, [], max_gap_m=125)
    assert _spans(gaps) == [(0.0, 400.0)]
    assert gap_stretches(LineString([(0, 0), (100, 0)]), [], max_gap_m=125) == []


def test_only_stations_within_snap_distance_count() -> None:
    stations = [Point(200, 10), Point(100, 10.01)]
    gaps = gap_stretches(ROUTE, stations, max_gap_m=150, snap_distance_m=10)
    assert _spans(gaps) == [(0.0, 200.0), (200.0, 400.0)]


def test_bent_route_positions_are_along_the_line() -> None:
    line = LineString([(0, 0), (150, 0), (150, 150)])
    gaps = gap_stretches(line, [Point(150, 50)], max_gap_m=125)
    assert _spans(gaps) == [(0.0, 200.0)]
    assert gaps[0].geometry.equals(LineString([(0, 0), (150, 0), (150, 50)]))


def test_closed_loop_measures_across_its_start() -> None:
    loop = LineString([(0, 0), (100, 0), (100, 100), (0, 100), (0, 0)])
    gaps = gap_stretches(loop, [Point(50, 0), Point(50, 100)], max_gap_m=150)
    assert _spans(gaps) == [(50.0, 250.0), (250.0, 50.0)]
    assert all(g.length_m == pytest.approx(200.0) for g in gaps)
    wrap = gaps[1].geometry
    assert wrap.length == pytest.approx(200.0)
    assert wrap.coords[0] == (50.0, 100.0) and wrap.coords[-1] == (50.0, 0.0)
    assert gap_stretches(loop, [Point(50, 0)], max_gap_m=500) == []


def test_multilinestring_route_is_merged() -> None:
    halves = MultiLineString([[(400, 0), (200, 0)], [(0, 0), (200, 0)]])
    gaps = gap_stretches(halves, [], max_gap_m=125)
    assert len(gaps) == 1 and gaps[0].length_m == pytest.approx(400.0)


def test_gap_stretches_network_merges_and_keeps_separate_parts() -> None:
    lines = [
        LineString([(200, 0), (400, 0)]),
        LineString([(0, 0), (100, 0)]),
        MultiLineString([[(200, 0), (100, 0)]]),  # drawn the other way round
        LineString([(0, 1000), (200, 1000)]),
    ]
    gaps = gap_stretches_network(lines, [Point(300, 0)], max_gap_m=125)
    assert sorted(g.length_m for g in gaps) == pytest.approx([200.0, 300.0])
    assert len({g.part for g in gaps}) == 2
    long_gap = max(gaps, key=lambda g: g.length_m)
    assert long_gap.geometry.normalize().equals(LineString([(0, 0), (300, 0)]).normalize())


def test_empty_and_invalid_routes() -> None:
    assert gap_stretches(LineString(), [], max_gap_m=125) == []
    assert gap_stretches_network([], [Point(0, 0)], max_gap_m=125) == []
    with pytest.raises(GeometryInputError):
        gap_stretches(box(0, 0, 1, 1), [], max_gap_m=125)  # type: ignore[arg-type]
    with pytest.raises(GeometryInputError):
        gap_stretches(ROUTE, [], max_gap_m=0)
    with pytest.raises(GeometryInputError):
        gap_stretches(ROUTE, [box(0, 0, 1, 1)], max_gap_m=100)  # type: ignore[list-item]


# ------------------------------------------------------------------------------- uncovered


def test_uncovered_part_of_an_area() -> None:
    area = box(0, 0, 100, 100)
    covered = box(0, 0, 50, 100)
    assert uncovered(area, covered).area == pytest.approx(5000.0)
    assert uncovered(area, None).equals(area)
    assert uncovered(area, Polygon()).equals(area)
    assert uncovered(area, box(-10, -10, 110, 110)).is_empty


def test_uncovered_with_holes_and_multipolygons() -> None:
    with_hole = Polygon(
        [(0, 0), (100, 0), (100, 100), (0, 100)], [[(40, 40), (60, 40), (60, 60), (40, 60)]]
    )
    two = MultiPolygon([with_hole, box(200, 0, 300, 100)])
    rest = uncovered(two, box(0, 0, 250, 100))
    assert rest.area == pytest.approx(5000.0)
    assert uncovered(with_hole, box(0, 0, 50, 100)).area == pytest.approx(5000.0 - 200.0)


def test_uncovered_from_a_service_area() -> None:
    net = build_walk_network([LineString([(0, 50), (1000, 50)])])
    area = service_area(net, [Point(0, 50)], 300, buffer_m=50)
    rest = uncovered(box(0, 0, 1000, 100), area)
    assert rest.bounds[0] == pytest.approx(300.0)
    # the round cap at 300 m covers a half disc beyond the cut
    assert rest.area == pytest.approx(700 * 100 - math.pi * 50**2 / 2, rel=1e-3)


def test_uncovered_rejects_lines() -> None:
    with pytest.raises(GeometryInputError):
        uncovered(ROUTE, box(0, 0, 1, 1))


# --------------------------------------------------------------------------- points_beyond


def test_points_beyond_straight_line_without_network() -> None:
    check = points_beyond([Point(0, 0), Point(500, 0), Point(500.5, 0)], [Point(0, 0)], 500)
    assert check.distance_m == pytest.approx([0.0, 500.0, 500.5])
    assert check.beyond.tolist() == [False, False, True]
    assert not check.along_network.any()
    assert check.measure(0) == "straight_line"
    assert check.nearest.tolist() == [0, 0, 0]


def test_park_toilet_network_vs_straight_line() -> None:
    # the park's gate is on the south bank; the toilet is 150 m across the canal, the bridge
    # 525 m east: 1.2 km along the network
    lines = [
        LineString([(0, -75), (525, -75)]),
        LineString([(525, -75), (525, 75)]),
        LineString([(525, 75), (0, 75)]),
    ]
    net = build_walk_network(lines)
    park = box(-100, -275, 100, -75)
    gate = Point(0, -75)
    toilet = Point(0, 75)
    check = points_beyond([gate, park], [toilet], 500, net)
    assert check.distance_m == pytest.approx([1200.0, 150.0])
    assert check.along_network.tolist() == [True, False]
    assert check.beyond.tolist() == [True, False]
    assert [check.measure(0), check.measure(1)] == ["network", "straight_line"]


def test_points_beyond_falls_back_when_off_network_and_keeps_unreachable() -> None:
    net = build_walk_network(
        [LineString([(0, 0), (100, 0)]), LineString([(0, 1000), (100, 1000)])]
    )
    toilets = [Point(100, 5), box(0, 0, 1, 1)]  # second source is an area: straight line only
    pts = [Point(0, 0), Point(0, 1000), Point(5000, 5000)]
    check = points_beyond(pts, toilets, 500, net)
    assert check.distance_m[0] == pytest.approx(105.0)
    assert check.nearest[0] == 0
    assert check.distance_m[1] == math.inf and check.nearest[1] == -1  # other component
    assert check.along_network.tolist() == [True, True, False]
    assert check.distance_m[2] == pytest.approx(shapely.distance(Point(5000, 5000), Point(100, 5)))
    assert check.beyond.tolist() == [False, True, True]


def test_points_beyond_without_sources_or_points() -> None:
    check = points_beyond([Point(0, 0)], [], 500)
    assert check.distance_m.tolist() == [math.inf] and check.beyond.tolist() == [True]
    empty = points_beyond([], [Point(0, 0)], 500)
    assert empty.distance_m.shape == (0,)
    with pytest.raises(GeometryInputError):
        points_beyond([Point(0, 0)], [Point(0, 0)], -1)


def test_points_beyond_network_index_maps_to_original_sources() -> None:
    net = build_walk_network([LineString([(0, 0), (1000, 0)])])
    sources = [box(5000, 5000, 5001, 5001), Point(900, 0), Point(100, 0)]
    check = points_beyond([Point(0, 0), Point(1000, 0)], sources, 500, net)
    assert check.nearest.tolist() == [2, 1]
    assert np.all(check.along_network)
