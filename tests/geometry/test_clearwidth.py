"""Tests for inclusiecheck.geometry.clearwidth (hand-calculated widths and narrowing lengths)."""

from __future__ import annotations

import math

import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LinearRing, LineString, MultiPolygon, Point, Polygon, box

from inclusiecheck.geometry.clearwidth import (
    DEFAULT_FOOTPRINT_M,
    ClearWidthResult,
    Narrowing,
    clear_width,
    clear_width_centreline,
    clear_widths,
    obstacle_footprint,
    obstacle_footprints,
)

SIDEWALK = box(0, 0, 30, 1.8)  # 1.80 m x 30 m
CABINET = box(10, 0, 11, 0.7)  # 0.70 m deep, 1.00 m long, against one side
# L-shaped walkway 1.80 m wide: a 20 m leg along x and a 15 m leg along y
L_SHAPE = Polygon([(0, 0), (20, 0), (20, 1.8), (1.8, 1.8), (1.8, 15), (0, 15)])


# --- acceptance example ---------------------------------------------------------------------


def test_cabinet_narrowing_acceptance() -> None:
    r = clear_width(SIDEWALK, [CABINET], min_required_m=1.5)
    assert isinstance(r, ClearWidthResult)
    assert r.min_width_m == pytest.approx(1.10, abs=0.02)
    assert r.gross_width_m == pytest.approx(1.80, abs=0.02)
    assert 10.0 <= r.location.x <= 11.0
    assert r.location.y == pytest.approx(1.25, abs=0.02)  # middle of the free piece 0.70-1.80
    assert r.narrowest.length == pytest.approx(1.10, abs=0.02)
    assert len(r.narrowings) == 1
    n = r.narrowings[0]
    assert isinstance(n, Narrowing)
    assert n.width_m == pytest.approx(1.10, abs=0.02)
    assert n.length_m == pytest.approx(1.00, abs=0.05)
    assert n.geometry.geom_type == "Polygon"
    assert n.geometry.bounds == pytest.approx((10.0, 0.0, 11.0, 1.8), abs=0.05)
    assert 10.0 <= n.location.x <= 11.0


def test_sidewalk_without_obstacles() -> None:
    r = clear_width(SIDEWALK, [], min_required_m=1.5)
    assert r.min_width_m == pytest.approx(1.80, abs=0.02)
    assert r.narrowings == ()
    # a requirement equal to the width is met: the short ends are not narrowings
    assert clear_width(SIDEWALK, [], min_required_m=1.8).narrowings == ()


def test_no_requirement_gives_no_narrowings() -> None:
    assert clear_width(SIDEWALK, [CABINET]).narrowings == ()


def test_long_narrowing_length() -> None:
    terrace = box(5, 1.0, 8.5, 1.8)  # 3.50 m long, 0.80 m deep
    r = clear_width(SIDEWALK, [terrace], min_required_m=1.5)
    assert r.min_width_m == pytest.approx(1.0, abs=0.01)
    assert [n.length_m for n in r.narrowings] == [pytest.approx(3.5, abs=0.05)]


def test_two_separate_narrowings() -> None:
    r = clear_width(SIDEWALK, [CABINET, box(20, 1.3, 20.5, 1.8)], min_required_m=1.5)
    assert len(r.narrowings) == 2
    widths = sorted(n.width_m for n in r.narrowings)
    assert widths == [pytest.approx(1.1, abs=0.01), pytest.approx(1.3, abs=0.01)]
    assert all(n.length_m == pytest.approx(e, abs=0.05) for n, e in zip(r.narrowings, (1.0, 0.5)))


# --- obstacle placement ---------------------------------------------------------------------


def test_opposite_sides_same_station_narrow_by_both() -> None:
    r = clear_width(SIDEWALK, [box(10, 0, 11, 0.3), box(10.5, 1.5, 11.5, 1.8)], min_required_m=1.5)
    assert r.min_width_m == pytest.approx(1.8 - 0.3 - 0.3, abs=0.01)
    # the overlap (both) is 0.5 m long and narrower than 1.5; each alone leaves exactly 1.5
    assert len(r.narrowings) == 1
    assert r.narrowings[0].length_m == pytest.approx(0.5, abs=0.05)


def test_obstacle_in_the_middle_takes_the_wider_side() -> None:
    pole = box(10, 0.5, 10.2, 0.7)
    r = clear_width(SIDEWALK, [pole])
    assert r.min_width_m == pytest.approx(1.8 - 0.7, abs=0.01)


def test_obstacle_touching_edge_from_inside_counts() -> None:
    r = clear_width(SIDEWALK, [box(10, 1.4, 11, 1.8)])
    assert r.min_width_m == pytest.approx(1.4, abs=0.01)


def test_obstacle_straddling_edge_counts_its_inside_part() -> None:
    r = clear_width(SIDEWALK, [box(10, -1.0, 11, 0.4)])
    assert r.min_width_m == pytest.approx(1.4, abs=0.01)


def test_obstacle_touching_edge_from_outside_does_not_count() -> None:
    r = clear_width(SIDEWALK, [box(10, -1.0, 11, 0.0)], min_required_m=1.5)
    assert r.min_width_m == pytest.approx(1.8, abs=0.01)
    assert r.narrowings == ()


def test_obstacle_outside_does_not_count() -> None:
    r = clear_width(SIDEWALK, [box(10, 3, 11, 4), Point(5, -2)], min_required_m=1.5)
    assert r.min_width_m == pytest.approx(1.8, abs=0.01)
    assert r.narrowings == ()


def test_touching_obstacles_add_up() -> None:
    r = clear_width(SIDEWALK, [box(10, 0, 11, 0.4), box(10, 0.4, 11, 0.8)])
    assert r.min_width_m == pytest.approx(1.0, abs=0.01)


def test_obstacle_at_the_very_end_counts() -> None:
    r = clear_width(SIDEWALK, [box(0, 0, 0.5, 0.6)], min_required_m=1.5)
    assert r.min_width_m == pytest.approx(1.2, abs=0.01)
    assert r.narrowings[0].length_m == pytest.approx(0.5, abs=0.05)


def test_fully_blocked() -> None:
    r = clear_width(SIDEWALK, [box(10, -1, 11, 3)], min_required_m=1.5)
    assert r.min_width_m == 0.0
    assert r.narrowest.length == pytest.approx(1.8, abs=0.01)  # the blocked cross-section


# --- walkway shapes -------------------------------------------------------------------------


def test_polygon_hole_is_an_obstacle() -> None:
    walkway = Polygon(SIDEWALK.exterior, [box(10, 0.5, 10.5, 1.0).exterior])
    r = clear_width(walkway, [], min_required_m=1.5)
    assert r.min_width_m == pytest.approx(0.8, abs=0.01)  # 1.00 .. 1.80 beside the hole
    assert len(r.narrowings) == 1
    assert r.narrowings[0].length_m == pytest.approx(0.5, abs=0.05)


def test_multipolygon_reports_narrowest_part() -> None:
    walkway = MultiPolygon([SIDEWALK, box(0, 5, 10, 6.2)])
    r = clear_width(walkway, [], min_required_m=1.5)
    assert r.min_width_m == pytest.approx(1.2, abs=0.01)
    assert 5.0 <= r.location.y <= 6.2
    assert len(r.narrowings) == 1
    assert r.narrowings[0].length_m == pytest.approx(10.0, abs=0.05)
    assert r.centreline.geom_type == "MultiLineString"


def test_multipolygon_obstacles_in_each_part() -> None:
    walkway = MultiPolygon([SIDEWALK, box(0, 5, 10, 7)])
    r = clear_width(walkway, [CABINET, box(4, 5, 5, 5.9)], min_required_m=1.5)
    assert r.min_width_m == pytest.approx(1.1, abs=0.01)
    assert sorted(round(n.width_m, 2) for n in r.narrowings) == [1.1, 1.1]


def test_l_shaped_walkway_without_obstacles() -> None:
    r = clear_width(L_SHAPE, [], min_required_m=1.8)
    assert r.min_width_m == pytest.approx(1.8, abs=0.02)
    assert r.narrowings == ()
    # the centreline runs from one leg to the other, about 17.1 + 14.1 m
    assert r.centreline.length == pytest.approx(20 + 15 - 1.8, abs=1.0)


def test_l_shaped_walkway_obstacle_on_each_leg() -> None:
    obstacles = [box(1.1, 8, 1.8, 9), box(12, 0, 13, 0.5)]  # vertical leg, horizontal leg
    r = clear_width(L_SHAPE, obstacles, min_required_m=1.5)
    assert r.min_width_m == pytest.approx(1.1, abs=0.02)
    assert r.location.y == pytest.approx(8.5, abs=0.5)
    lengths = sorted(n.length_m for n in r.narrowings)
    widths = sorted(n.width_m for n in r.narrowings)
    assert lengths == [pytest.approx(1.0, abs=0.05)] * 2
    assert widths == [pytest.approx(1.1, abs=0.02), pytest.approx(1.3, abs=0.02)]


def test_projected_coordinates_far_from_origin() -> None:
    """UTM-sized coordinates (ETRS89 / UTM 31N) give the same answer as local ones."""
    from shapely import affinity

    dx, dy = 598_000.0, 5_650_000.0
    walkway = affinity.translate(L_SHAPE, dx, dy)
    obstacles = [affinity.translate(o, dx, dy) for o in (box(1.1, 8, 1.8, 9), box(12, 0, 13, 0.5))]
    r = clear_width(walkway, obstacles, min_required_m=1.5)
    assert r.min_width_m == pytest.approx(1.1, abs=0.02)
    assert sorted(n.length_m for n in r.narrowings) == [pytest.approx(1.0, abs=0.05)] * 2
    assert r.location.y - dy == pytest.approx(8.5, abs=0.5)


def test_curved_walkway() -> None:
    arc = LineString(
        [(20 * math.cos(a), 20 * math.sin(a)) for a in (i * math.pi / 120 for i in range(61))]
    )
    walkway = arc.buffer(0.9, cap_style="flat")
    assert clear_width(walkway, [], min_required_m=1.8).narrowings == ()
    pole = Point(20 * math.cos(0.5), 20 * math.sin(0.5)).buffer(0.1)  # on the centre line
    r = clear_width(walkway, [pole])
    assert r.min_width_m == pytest.approx(0.8, abs=0.02)


def test_slanted_and_rounded_ends_are_not_narrowings() -> None:
    parallelogram = Polygon([(0, 0), (30, 0), (31.8, 1.8), (1.8, 1.8)])
    rounded = LineString([(0, 0), (30, 0)]).buffer(0.9)
    for walkway in (parallelogram, rounded):
        r = clear_width(walkway, [], min_required_m=1.79)
        assert r.narrowings == (), walkway.wkt
        assert r.min_width_m == pytest.approx(1.8, abs=0.02)


def test_narrowing_drawn_in_the_outline() -> None:
    notched = Polygon(
        [(0, 0), (10, 0), (10, 0.5), (11, 0.5), (11, 0), (30, 0), (30, 1.8), (0, 1.8)]
    )
    r = clear_width(notched, [], min_required_m=1.5)
    assert r.min_width_m == pytest.approx(1.3, abs=0.01)
    assert [n.length_m for n in r.narrowings] == [pytest.approx(1.0, abs=0.05)]


def test_rotated_sidewalk() -> None:
    from shapely import affinity

    walkway = affinity.rotate(SIDEWALK, 33, origin=(0, 0))
    cabinet = affinity.rotate(CABINET, 33, origin=(0, 0))
    r = clear_width(walkway, [cabinet], min_required_m=1.5)
    assert r.min_width_m == pytest.approx(1.1, abs=0.02)
    assert [n.length_m for n in r.narrowings] == [pytest.approx(1.0, abs=0.05)]


# --- footprints -----------------------------------------------------------------------------


def test_default_footprints_cover_profile_kinds() -> None:
    kinds = {"pole", "sign", "bollard", "bin", "bike_rack", "tree_pit", "planter", "terrace",
             "cabinet", "scooter_zone", "other", "light", "bench", "tree"}
    assert kinds <= set(DEFAULT_FOOTPRINT_M)
    assert all(0 < v <= 3 for v in DEFAULT_FOOTPRINT_M.values())


def test_point_footprint_is_a_disc_of_the_size() -> None:
    fp = obstacle_footprint(Point(10, 0.9), None, "pole")
    assert fp.geom_type == "Polygon"
    minx, miny, maxx, maxy = fp.bounds
    # flat-to-flat width equals the size; never smaller than the disc
    assert maxx - minx == pytest.approx(DEFAULT_FOOTPRINT_M["pole"], rel=0.03)
    assert fp.area >= math.pi * (DEFAULT_FOOTPRINT_M["pole"] / 2) ** 2
    assert obstacle_footprint(Point(0, 0), 1.0, "pole").bounds[2] >= 0.5
    unknown = obstacle_footprint(Point(0, 0), None, "spaceship")
    assert unknown.area == pytest.approx(obstacle_footprint(Point(0, 0), None, "other").area)


def test_line_and_polygon_footprints() -> None:
    fence = obstacle_footprint(LineString([(0, 0), (4, 0)]), 0.2, None)
    assert fence.bounds == pytest.approx((0, -0.1, 4, 0.1))
    assert obstacle_footprint(CABINET, 5.0, "cabinet").equals(CABINET)
    zero = obstacle_footprint(LineString([(1, 1), (1, 1)]), 0.4, None)
    assert zero.centroid.distance(Point(1, 1)) < 1e-9


def test_footprint_errors() -> None:
    with pytest.raises(ValueError):
        obstacle_footprint(Point(0, 0), -1.0, None)
    with pytest.raises(ValueError):
        obstacle_footprint(Point(), None, None)
    with pytest.raises(TypeError):
        obstacle_footprint("POINT (0 0)", None, None)  # type: ignore[arg-type]


def test_obstacle_footprints_match_one_by_one() -> None:
    """The batch gives the same geometries, bit for bit, as obstacle_footprint one by one, and
    None where that raises."""
    items = [(Point(1, 2), 0.3, None), (Point(1, 2, 5), None, "bench"), (Point(0, 0), True, None),
             (LineString([(0, 0), (4, 1), (4, 3)]), 0.2, None),
             (LineString([(0, 0, 1), (4, 0, 1)]), None, "hedge"),
             (LineString([(1, 1), (1, 1)]), 0.4, None), (CABINET, 5.0, "cabinet"),
             (Polygon([(0, 0), (2, 2), (2, 0), (0, 2)]), None, None),
             (Point(0, 0), -1.0, None), (Point(0, 0), float("nan"), None), (Point(), None, None),
             (LineString(), 0.5, None), ("POINT (0 0)", None, None),
             (MultiPolygon([box(0, 0, 1, 1), box(2, 0, 3, 1)]), None, None),
             (LineString(), -1.0, None), (Point(), float("nan"), None),
             (LinearRing([(0, 0), (2, 0), (2, 1)]), 0.3, None),
             (LineString([(5, 5, 2), (5, 5, 3)]), None, "hedge"), (Point(3, 4, 1), None, "pole")]
    expected = []
    for geom, size, kind in items:
        try:
            expected.append(obstacle_footprint(geom, size, kind))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            expected.append(None)
    got = obstacle_footprints(items)  # type: ignore[arg-type]
    assert [g is None for g in got] == [e is None for e in expected]
    assert sum(e is None for e in expected) == 7
    for g, e in zip(got, expected):
        if e is not None:
            assert g is not None and g.wkb == e.wkb


def test_point_obstacles_with_default_sizes() -> None:
    pole = obstacle_footprint(Point(10, 0.9), None, "pole")  # in the middle
    r = clear_width(SIDEWALK, [pole], min_required_m=1.0)
    assert r.min_width_m == pytest.approx((1.8 - 0.15) / 2, abs=0.01)
    assert r.narrowings[0].length_m == pytest.approx(0.15, abs=0.02)
    bench = obstacle_footprint(Point(20, 1.5), None, "bench")  # 0.60 deep, 0.30 from the edge
    r = clear_width(SIDEWALK, [bench])
    assert r.min_width_m == pytest.approx(1.5 - 0.3, abs=0.02)
    # bare points in clear_width get the "other" footprint
    r = clear_width(SIDEWALK, [Point(15, 0.15)])
    assert r.min_width_m == pytest.approx(1.8 - 0.3, abs=0.01)


# --- centre line and batch ------------------------------------------------------------------


def test_centreline_walkway() -> None:
    line = LineString([(0, 0), (30, 0)])
    r = clear_width_centreline(line, 1.8, [box(10, 0.2, 11, 1.5)], min_required_m=1.5)
    assert r.min_width_m == pytest.approx(1.1, abs=0.01)  # 0.20 m of it is outside
    assert [n.length_m for n in r.narrowings] == [pytest.approx(1.0, abs=0.05)]
    assert r.centreline.equals(line)
    bent = LineString([(0, 0), (10, 0), (10, 10)])
    r = clear_width_centreline(bent, 1.8, [], min_required_m=1.8)
    assert r.min_width_m == pytest.approx(1.8, abs=0.02)
    assert r.narrowings == ()


def test_centreline_errors() -> None:
    with pytest.raises(ValueError):
        clear_width_centreline(LineString([(0, 0), (0, 0)]), 1.8, [])
    with pytest.raises(ValueError):
        clear_width_centreline(LineString([(0, 0), (1, 0)]), 0.0, [])
    with pytest.raises(TypeError):
        clear_width_centreline(SIDEWALK, 1.8, [])  # type: ignore[arg-type]


def test_batch_matches_single_and_handles_empty() -> None:
    walkways = [SIDEWALK, L_SHAPE, box(100, 100, 110, 102)]
    obstacles = [CABINET, box(1.1, 8, 1.8, 9), Point(500, 500)]
    batch = clear_widths(walkways, obstacles, min_required_m=1.5)
    assert len(batch) == 3
    for w, b in zip(walkways, batch):
        single = clear_width(w, obstacles, min_required_m=1.5)
        assert b.min_width_m == pytest.approx(single.min_width_m, abs=1e-9)
        assert len(b.narrowings) == len(single.narrowings)
    assert batch[2].min_width_m == pytest.approx(2.0, abs=0.01)
    assert clear_widths([], obstacles) == []
    assert clear_widths([SIDEWALK], [])[0].min_width_m == pytest.approx(1.8, abs=0.01)


def test_bad_input() -> None:
    with pytest.raises(TypeError):
        clear_width(LineString([(0, 0), (1, 0)]), [])  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        clear_width(Polygon(), [])
    with pytest.raises(ValueError):
        clear_width(SIDEWALK, [], min_required_m=-1)
    with pytest.raises(ValueError):
        clear_width(SIDEWALK, [], resolution_m=0)
    with pytest.raises(ValueError, match="walkway 1"):
        clear_widths([SIDEWALK, Polygon()], [])


def test_invalid_bowtie_is_repaired() -> None:
    bowtie = Polygon([(0, 0), (10, 2), (10, 0), (0, 2)])
    r = clear_width(bowtie, [])
    assert 0 <= r.min_width_m <= 2.0


# --- property -------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    x=st.floats(0.5, 29.0),
    y=st.floats(-0.5, 2.0),
    w=st.floats(0.05, 1.5),
    d=st.floats(0.05, 1.0),
    walkway=st.sampled_from([SIDEWALK, L_SHAPE]),
)
def test_adding_an_obstacle_never_increases_clear_width(
    x: float, y: float, w: float, d: float, walkway: Polygon
) -> None:
    base = [box(3, 1.2, 4, 1.8), box(1.0, 5, 1.8, 5.5)]
    before = clear_width(walkway, base, min_required_m=1.5)
    extra = box(x, y, x + w, y + d)
    after = clear_width(walkway, base + [extra], min_required_m=1.5)
    assert after.min_width_m <= before.min_width_m + 1e-6
    # nor shortens the narrowed stretches
    before_m = sum(n.length_m for n in before.narrowings)
    after_m = sum(n.length_m for n in after.narrowings)
    assert after_m >= before_m - 1e-6
    assert shapely.is_valid(after.narrowest)
