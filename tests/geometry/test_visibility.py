"""Tests for inclusiecheck.geometry.visibility (hand-checkable sightline cases)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from shapely.geometry import (
    GeometryCollection,
    LineString,
    MultiPolygon,
    Point,
    Polygon,
    box,
)

from inclusiecheck.geometry.visibility import (
    HiddenZone,
    OccluderIndex,
    ThroughView,
    VisibilityInputError,
    exit_visible,
    hidden_zones,
    isovist,
    isovists,
    shortest_view_ahead,
    shortest_views_ahead,
    through_view,
    view_from_point,
    visibility_from_path,
    visible_distance_ahead,
)

EMPTY = OccluderIndex([])


def square_shadow_isovist_area(radius: float, near: float, half_width: float) -> float:
    """Visible area around the origin with a square whose near face is at x=near, |y|<=half."""
    alpha = math.atan(half_width / near)
    wedge = alpha * radius**2  # sector of angle 2*alpha
    front_triangle = near * half_width
    return math.pi * radius**2 - (wedge - front_triangle)


# ------------------------------------------------------------------ index


def test_index_explodes_multiparts_and_skips_none_and_empty() -> None:
    idx = OccluderIndex(
        [
            MultiPolygon([box(0, 0, 1, 1), box(2, 0, 3, 1)]),
            None,
            Polygon(),
            GeometryCollection([LineString([(0, 5), (5, 5)])]),
        ]
    )
    assert len(idx) == 3
    assert list(idx.source) == [0, 0, 3]


def test_index_rejects_points_and_non_geometries() -> None:
    with pytest.raises(VisibilityInputError, match="point"):
        OccluderIndex([Point(0, 0)])
    with pytest.raises(VisibilityInputError, match="not a shapely geometry"):
        OccluderIndex([(0, 0)])  # type: ignore[list-item]


def test_index_repairs_invalid_bowtie_polygon() -> None:
    bowtie = Polygon([(0, 0), (2, 2), (2, 0), (0, 2)])
    idx = OccluderIndex([bowtie])
    assert len(idx) == 2
    assert isovist((1, 1.5), idx, radius_m=5).is_empty is False


# ------------------------------------------------------------------ isovist


def test_isovist_in_open_is_disc() -> None:
    poly = isovist(Point(100, 200), EMPTY, radius_m=50)
    assert poly.area == pytest.approx(math.pi * 50**2, rel=0.02)
    assert poly.area == pytest.approx(0.5 * 360 * 50**2 * math.sin(2 * math.pi / 360))
    assert poly.is_valid


def test_isovist_far_occluder_has_no_effect() -> None:
    idx = OccluderIndex([box(500, 500, 510, 510)])
    assert isovist((0, 0), idx, radius_m=50).area == pytest.approx(isovist((0, 0), EMPTY).area)


def test_square_shadow_matches_hand_calculation() -> None:
    idx = OccluderIndex([box(10, -5, 20, 5)])
    expected = square_shadow_isovist_area(50, 10, 5)  # 6744.86 m2
    poly = isovist((0, 0), idx, radius_m=50, n_rays=360)
    shadow = math.pi * 50**2 - poly.area
    assert poly.area == pytest.approx(expected, rel=0.01)
    assert shadow == pytest.approx(math.pi * 2500 - expected, rel=0.05)
    fine = isovist((0, 0), idx, radius_m=50, n_rays=3600)
    assert fine.area == pytest.approx(expected, rel=0.001)
    assert not poly.contains(Point(25, 0))
    assert poly.contains(Point(5, 0))


def test_viewpoint_inside_occluder_gives_empty() -> None:
    idx = OccluderIndex([box(10, -5, 20, 5)])
    assert isovist((15, 0), idx).is_empty
    assert view_from_point((15, 0), idx) == 0.0


def test_viewpoint_on_facade_sees_half_disc() -> None:
    idx = OccluderIndex([box(10, -5, 20, 5)])
    poly = isovist((10, 0), idx, radius_m=3)
    assert poly.area == pytest.approx(math.pi * 9 / 2, rel=0.02)
    assert view_from_point((10, 0), idx, radius_m=3) == pytest.approx(0.5, abs=0.01)


def test_courtyard_hole_limits_view() -> None:
    ring = Polygon(box(-10, -10, 10, 10).exterior.coords, [box(-5, -5, 5, 5).exterior.coords])
    poly = isovist((0, 0), OccluderIndex([ring]), radius_m=50)
    assert poly.area == pytest.approx(100.0, rel=0.01)


def test_touching_occluders_along_edge_equal_their_union() -> None:
    halves = OccluderIndex([box(10, -5, 20, 0), box(10, 0, 20, 5)])
    whole = OccluderIndex([box(10, -5, 20, 5)])
    assert isovist((0, 0), halves).area == pytest.approx(isovist((0, 0), whole).area)


def test_occluders_touching_at_corner_leave_no_gap() -> None:
    idx = OccluderIndex([box(10, 0, 20, 10), box(0, 10, 10, 20)])
    poly = isovist((0, 0), idx, radius_m=50, n_rays=360)  # ray at 45 deg hits (10, 10)
    assert not poly.contains(Point(15, 15))


def test_wall_lines_joined_end_to_end_leave_no_gap() -> None:
    idx = OccluderIndex([LineString([(0, 5), (10, 5)]), LineString([(10, 5), (20, 5)])])
    poly = isovist((10, 0), idx, radius_m=30, n_rays=360)  # ray at 90 deg hits the joint
    assert not poly.intersects(box(9.5, 5.001, 10.5, 8))
    # Nothing seen over the wall; near the wall ends one angular step (1 deg) of error remains.
    assert poly.intersection(box(1, 5.001, 19, 30)).area < 1e-9


def test_isovists_batch_matches_single() -> None:
    idx = OccluderIndex([box(10, -5, 20, 5), LineString([(-20, -20), (-20, 20)])])
    pts = [(0, 0), (15, 0), (-25, 3)]
    batch = isovists(pts, idx, radius_m=40)
    for p, poly in zip(pts, batch, strict=True):
        assert poly.equals(isovist(p, idx, radius_m=40))
    assert batch[1].is_empty


@pytest.mark.parametrize(
    "kwargs",
    [{"radius_m": 0}, {"radius_m": -1}, {"radius_m": float("nan")}, {"n_rays": 2}],
)
def test_isovist_rejects_bad_parameters(kwargs: dict[str, float]) -> None:
    with pytest.raises(VisibilityInputError):
        isovist((0, 0), EMPTY, **kwargs)  # type: ignore[arg-type]


def test_isovist_rejects_bad_viewpoint() -> None:
    with pytest.raises(VisibilityInputError):
        isovist(LineString([(0, 0), (1, 1)]), EMPTY)  # type: ignore[arg-type]
    with pytest.raises(VisibilityInputError):
        isovist(Point(), EMPTY)


def test_view_from_point_open_is_one() -> None:
    assert view_from_point((0, 0), EMPTY, radius_m=30) == pytest.approx(1.0)


# ------------------------------------------------------------------ path visibility


def test_visibility_from_straight_path_in_open_is_buffer() -> None:
    path = LineString([(0, 0), (100, 0)])
    poly = visibility_from_path(path, EMPTY, step_m=5, radius_m=30)
    assert poly.area == pytest.approx(path.buffer(30).area, rel=0.01)


def test_visibility_from_zero_length_path_is_one_isovist() -> None:
    path = LineString([(3, 4), (3, 4)])
    assert visibility_from_path(path, EMPTY, radius_m=10).area == pytest.approx(
        isovist((3, 4), EMPTY, radius_m=10).area
    )


HEDGE_PATH = LineString([(0, 0), (40, 0)])
HEDGE = box(10, 1.5, 30, 2.5)  # 20 m long, 1 m thick, 1.5 m beside the path


def test_hedge_beside_path_creates_hidden_zone() -> None:
    zones = hidden_zones(HEDGE_PATH, OccluderIndex([HEDGE]))
    assert len(zones) == 1
    zone = zones[0]
    assert isinstance(zone, HiddenZone)
    # Hand calculation: seen from the path ends only, the hidden part is the triangle
    # (10, 2.5), (30, 2.5), (20, 5): area 25 m2, farthest point 5 m from the path.
    triangle = Polygon([(10, 2.5), (30, 2.5), (20, 5)])
    assert zone.area_m2 == pytest.approx(25.0, rel=0.1)
    assert zone.geometry.intersection(triangle).area / triangle.area > 0.97
    assert zone.max_depth_m == pytest.approx(5.0, abs=0.05)
    assert zone.geometry.contains(zone.location)
    assert HEDGE_PATH.distance(zone.geometry) == pytest.approx(2.5, abs=0.01)
    assert zone.geometry.intersection(HEDGE).area == pytest.approx(0.0, abs=1e-6)


def test_no_occluder_no_hidden_zone() -> None:
    assert hidden_zones(HEDGE_PATH, EMPTY) == []


def test_hidden_zone_clipped_to_walkable_and_filtered_by_area() -> None:
    idx = OccluderIndex([HEDGE])
    zones = hidden_zones(HEDGE_PATH, idx, walkable=box(-10, -10, 50, 3))
    # Triangle part with y <= 3: integral of (40 - 8y) dy from 2.5 to 3 = 9 m2.
    assert len(zones) == 1
    assert zones[0].area_m2 == pytest.approx(9.0, rel=0.1)
    assert hidden_zones(HEDGE_PATH, idx, min_area_m2=40) == []


def test_local_view_radius_enlarges_hidden_zone() -> None:
    idx = OccluderIndex([HEDGE])
    far = hidden_zones(HEDGE_PATH, idx)[0].area_m2
    near = hidden_zones(HEDGE_PATH, idx, view_radius_m=7)[0].area_m2
    assert near > far + 10


def test_l_shaped_wall_niche_creates_hidden_zone() -> None:
    # Wall along the path at y=1.5 from x=10 to 30, closed at x=30: a niche open to the west.
    wall = LineString([(10, 1.5), (30, 1.5), (30, 6)])
    zones = hidden_zones(HEDGE_PATH, OccluderIndex([wall]), view_radius_m=50)
    assert len(zones) == 1
    zone = zones[0]
    # Hand calculation (view radius large enough for the path start to see the whole niche):
    # hidden iff y > 1.5 and 6.67 y <= x <= 30 (seen from (0, 0) over the open end):
    # triangle (10, 1.5), (30, 1.5), (30, 4.5), area 30 m2, depth 4.5 m.
    assert zone.area_m2 == pytest.approx(30.0, rel=0.1)
    # One angular step (0.5 deg, 0.26 m at 30 m) of error at the shadow edge.
    assert zone.max_depth_m == pytest.approx(4.5, abs=0.3)
    assert box(10, 1.5, 30, 4.6).contains(zone.geometry.representative_point())
    assert box(10, 1.5, 30, 4.8).buffer(0.01).contains(zone.geometry)
    # With the default 30 m view radius the deep corner is out of reach of the path start.
    default = hidden_zones(HEDGE_PATH, OccluderIndex([wall]))
    assert len(default) == 1 and default[0].area_m2 > zone.area_m2


def test_hidden_zones_rejects_bad_input() -> None:
    with pytest.raises(VisibilityInputError):
        hidden_zones(box(0, 0, 1, 1), EMPTY)  # type: ignore[arg-type]
    with pytest.raises(VisibilityInputError):
        hidden_zones(HEDGE_PATH, EMPTY, step_m=0)
    with pytest.raises(VisibilityInputError):
        line = LineString([(0, 0), (1, 1)])
        hidden_zones(HEDGE_PATH, EMPTY, walkable=line)  # type: ignore[arg-type]


# ------------------------------------------------------------------ view ahead


def test_view_ahead_straight_open_path() -> None:
    path = LineString([(0, 0), (200, 0)])
    result = visible_distance_ahead(path, EMPTY, step_m=50, max_m=100)
    assert [(p.x, d) for p, d in result] == [(0, 100), (50, 100), (100, 100), (150, 50)]
    assert shortest_view_ahead(path, EMPTY, step_m=50) is None


def test_view_ahead_around_building_corner() -> None:
    path = LineString([(0, 0), (50, 0), (50, 50)])
    idx = OccluderIndex([box(30, 2, 48, 30)])
    result = visible_distance_ahead(path, idx, step_m=5, max_m=100)
    by_x = {(round(p.x, 6), round(p.y, 6)): d for p, d in result}
    # From (a, 0) the sight line to (50, y) grazes the corner (48, 2) at y = 2 (50-a)/(48-a).
    for a in (0, 40, 45):
        assert by_x[(a, 0)] == pytest.approx(50 - a + 2 * (50 - a) / (48 - a), abs=0.01)
    assert by_x[(50, 0)] == pytest.approx(50)  # at the bend: the whole second leg in view
    where, shortest = shortest_view_ahead(path, idx, step_m=5)
    assert (where.x, where.y) == pytest.approx((45, 0))
    assert shortest == pytest.approx(5 + 10 / 3, abs=0.01)


def test_view_ahead_empty_for_zero_length_path() -> None:
    assert visible_distance_ahead(LineString([(1, 1), (1, 1)]), EMPTY) == []


def test_view_ahead_viewer_inside_occluder_sees_nothing() -> None:
    path = LineString([(0, 0), (20, 0)])
    idx = OccluderIndex([box(-1, -1, 1, 1)])
    assert visible_distance_ahead(path, idx, step_m=100)[0][1] == pytest.approx(0.0, abs=0.01)


def _shortest_from_profile(path: LineString, idx: OccluderIndex, step_m: float, max_m: float,
                           resolution_m: float) -> tuple[tuple[float, float], float] | None:
    """The shortest blocked view from the full profile (every blocked view refined): a view
    cut short by an occluder ends before ``min(max_m, remaining length)``."""
    best = None
    for n, (p, d) in enumerate(visible_distance_ahead(path, idx, step_m=step_m, max_m=max_m,
                                                      resolution_m=resolution_m)):
        if d < min(max_m, path.length - n * step_m) and (best is None or d < best[1]):
            best = ((p.x, p.y), d)
    return best


def _random_scene(seed: int) -> tuple[list[LineString], OccluderIndex]:
    rng = np.random.default_rng(seed)
    occluders: list = []
    for _ in range(150):
        x, y = rng.uniform(0, 150, 2)
        w, h = rng.uniform(0.5, 10, 2)
        occluders.append(box(x, y, x + w, y + h))
    for _ in range(40):
        x, y = rng.uniform(0, 150, 2)
        a, length = rng.uniform(0, 2 * math.pi), rng.uniform(1, 15)
        occluders.append(LineString([(x, y), (x + length * math.cos(a), y + length * math.sin(a))]))
    paths = []
    for _ in range(60):
        p, a = rng.uniform(0, 150, 2), rng.uniform(0, 2 * math.pi)
        pts = [p.copy()]
        for _ in range(int(rng.integers(1, 6))):
            a += rng.normal(0, 0.9)
            p = p + rng.uniform(0.5, 30) * np.array([math.cos(a), math.sin(a)])
            pts.append(p.copy())
        path = LineString(pts)
        paths += [path, path.reverse()]
    return paths, OccluderIndex(occluders)


@pytest.mark.parametrize("seed", [0, 1])
def test_shortest_views_ahead_batch_equals_full_profile(seed: int) -> None:
    """Many paths at once, with only the candidates for the shortest view refined, give
    exactly (bit for bit) the shortest view of each path's full profile."""
    paths, idx = _random_scene(seed)
    found = shortest_views_ahead(paths, idx, step_m=5.0, max_m=20.0, resolution_m=0.5)
    assert len(found) == len(paths)
    blocked = 0
    for path, got in zip(paths, found):
        ref = _shortest_from_profile(path, idx, 5.0, 20.0, 0.5)
        if ref is None:
            assert got is None
            continue
        blocked += 1
        assert got is not None
        assert ((got[0].x, got[0].y), got[1]) == ref
        assert shortest_view_ahead(path, idx, step_m=5.0, max_m=20.0) == got
    assert blocked > 20   # the scene blocks many views


def test_shortest_views_ahead_same_in_small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    import inclusiecheck.geometry.visibility as vis

    paths, idx = _random_scene(2)
    whole = shortest_views_ahead(paths, idx, step_m=5.0, max_m=20.0)
    monkeypatch.setattr(vis, "_VIEW_RAYS_PER_BATCH", 50)
    assert shortest_views_ahead(paths, idx, step_m=5.0, max_m=20.0) == whole
    assert any(found is not None for found in whole)


def test_view_ahead_sees_occluders_inside_a_bend() -> None:
    """A U-turn: from (0, 0) the path 20 m ahead ends at (2, 2), but the occluder between the
    legs (found through the path's vertices) cuts the view where the sight line to (x, 10)
    grazes its corner (0.5, 6): at x = 5/6, 10 + 5/6 m ahead."""
    path = LineString([(0, 0), (0, 10), (2, 10), (2, 0)])
    idx = OccluderIndex([box(0.5, 5, 1.5, 6)])
    first = visible_distance_ahead(path, idx, step_m=5, max_m=20)[0]
    assert (first[0].x, first[0].y) == (0, 0)
    assert first[1] == pytest.approx(10 + 5 / 6, abs=0.01)
    found = shortest_view_ahead(path, idx, step_m=5, max_m=20)
    assert found is not None
    assert ((found[0].x, found[0].y), found[1]) == _shortest_from_profile(path, idx, 5, 20, 0.5)


def test_shortest_views_ahead_checks_every_path() -> None:
    assert shortest_views_ahead([], EMPTY) == []
    with pytest.raises(VisibilityInputError):
        shortest_views_ahead([LineString([(0, 0), (1, 0)]), Point(0, 0)], EMPTY)


# ------------------------------------------------------------------ passages

STRAIGHT = LineString([(0, 0), (60, 0)])
STRAIGHT_WALLS = OccluderIndex([LineString([(0, 2), (60, 2)]), LineString([(0, -2), (60, -2)])])
DOGLEG = LineString([(0, 0), (30, 0), (30, 30)])
DOGLEG_WALLS = OccluderIndex(
    [LineString([(0, 2), (28, 2), (28, 30)]), LineString([(0, -2), (32, -2), (32, 30)])]
)


def test_straight_underpass_exit_visible() -> None:
    assert exit_visible(STRAIGHT, STRAIGHT_WALLS)
    view = through_view(STRAIGHT, STRAIGHT_WALLS)
    assert view == ThroughView(visible=True, visible_fraction=1.0, blocked_at=None)


def test_dogleg_underpass_hides_exit() -> None:
    assert not exit_visible(DOGLEG, DOGLEG_WALLS)
    view = through_view(DOGLEG, DOGLEG_WALLS)
    assert not view.visible
    assert view.blocked_at is not None
    assert (view.blocked_at.x, view.blocked_at.y) == pytest.approx((2, 2))  # y = x meets y = 2
    # In view: the first leg (30 m) and the second leg up to y = 2 * 30 / 28.
    assert view.visible_fraction == pytest.approx((30 + 60 / 28) / 60, abs=0.005)


def test_dogleg_with_thick_walls_and_offsets() -> None:
    walls = OccluderIndex(
        [
            LineString([(0, 2), (28, 2), (28, 30)]).buffer(0.2, join_style="mitre"),
            LineString([(0, -2), (32, -2), (32, 30)]).buffer(0.2, join_style="mitre"),
        ]
    )
    assert not exit_visible(DOGLEG, walls, eye_offset_m=1.0)
    assert not exit_visible(DOGLEG, walls, eye_offset_m=-1.0)
    # From 3 m outside, the line (-3, 0) -> (30, 33) passes the wall ends: visible.
    assert exit_visible(DOGLEG, walls, eye_offset_m=-3.0)
    assert exit_visible(STRAIGHT, STRAIGHT_WALLS, eye_offset_m=-5.0)


def test_passage_in_open_and_bad_passages() -> None:
    assert exit_visible(DOGLEG, EMPTY)
    with pytest.raises(VisibilityInputError):
        exit_visible(LineString([(0, 0), (0, 0)]), EMPTY)
    with pytest.raises(VisibilityInputError):
        exit_visible(STRAIGHT, EMPTY, eye_offset_m=30)
    with pytest.raises(VisibilityInputError):
        through_view(Point(0, 0), EMPTY)  # type: ignore[arg-type]


def test_results_are_deterministic() -> None:
    idx = OccluderIndex([HEDGE])
    a = hidden_zones(HEDGE_PATH, idx)
    b = hidden_zones(HEDGE_PATH, idx)
    assert [z.geometry.wkb for z in a] == [z.geometry.wkb for z in b]
    assert np.array_equal(
        np.array([d for _, d in visible_distance_ahead(HEDGE_PATH, idx)]),
        np.array([d for _, d in visible_distance_ahead(HEDGE_PATH, idx)]),
    )


# --------------------------------------------------------------------------------------------
# Fans of rays and hidden zones without a union (issue 16): the same results as before
# --------------------------------------------------------------------------------------------


def _fan_and_generic(index: OccluderIndex, xy: np.ndarray, radius: float,
                     n: int) -> tuple[np.ndarray, np.ndarray]:
    """Ray distances of the isovist fans, and of the same rays through the generic caster
    (one LineString and one tree query per ray, as every isovist was computed before)."""
    from inclusiecheck.geometry import visibility as vis

    angles = 2.0 * np.pi * np.arange(n) / n
    cos, sin = np.cos(angles), np.sin(angles)
    k = len(xy)
    ray_origin = np.repeat(np.arange(k), n)
    fan = np.full(k * n, float(radius))
    vis._fan_hits(index, xy, cos, sin, float(radius), fan)
    vis._block_rays_into_polygons(index, xy, ray_origin, np.tile(cos, k), np.tile(sin, k), fan)
    generic = vis._first_hits(index, xy, ray_origin, np.tile(cos, k), np.tile(sin, k),
                              np.full(k * n, float(radius)))
    return fan, generic


def _grid_scene() -> tuple[OccluderIndex, np.ndarray]:
    """Squares and walls on a grid with viewpoints on corners, edges, inside and in line with
    faces: the rays run along edges and through vertices."""
    import shapely

    x0, y0 = 150000.0, 200000.0
    occ = [box(x0 + x, y0 + y, x0 + x + 5, y0 + y + 5) for x in range(0, 60, 10)
           for y in range(0, 60, 10)]
    occ += [LineString([(x0 + x, y0 + 3), (x0 + x + 7, y0 + 3)]) for x in range(0, 60, 10)]
    pts = []
    for x in range(0, 60, 10):
        for y in range(0, 60, 10):
            pts += [(x, y), (x + 2.5, y), (x + 7.5, y + 5), (x + 5, y + 2.5), (x - 2.5, y - 2.5),
                    (x + 10, y + 3), (x + 1, y + 1)]
    assert not shapely.is_empty(occ).any()
    return OccluderIndex(occ), np.array(pts, dtype=float) + [x0, y0]


@pytest.mark.parametrize("n_rays", [8, 36, 360, 720])
@pytest.mark.parametrize("radius", [2.5, 5.0, 5 * math.sqrt(2), 30.0])
def test_fan_rays_equal_generic_rays_on_degenerate_grid(n_rays: int, radius: float) -> None:
    index, xy = _grid_scene()
    fan, generic = _fan_and_generic(index, xy, radius, n_rays)
    assert np.array_equal(fan, generic)   # bit for bit
    assert (fan < radius).any() and (fan == radius).any()


def test_fan_rays_equal_generic_rays_among_random_obstacles() -> None:
    import shapely

    rng = np.random.default_rng(7)
    n = 1500
    cx, cy = rng.uniform(0, 300, n), rng.uniform(0, 300, n)
    w, h, ang = rng.uniform(0.3, 6, n), rng.uniform(0.3, 4, n), rng.uniform(0, np.pi, n)
    corners = np.array([[-0.5, -0.5], [0.5, -0.5], [0.5, 0.5], [-0.5, 0.5]])
    local = corners[None] * np.stack([w, h], axis=-1)[:, None, :]
    c, s = np.cos(ang)[:, None], np.sin(ang)[:, None]
    xs = 152000.0 + cx[:, None] + local[..., 0] * c - local[..., 1] * s
    ys = 201000.0 + cy[:, None] + local[..., 0] * s + local[..., 1] * c
    occ = shapely.polygons(np.stack([xs, ys], axis=-1))
    occ[:150] = shapely.linestrings(np.stack([xs[:150, :2], ys[:150, :2]], axis=-1))
    index = OccluderIndex(occ)
    xy = np.stack([rng.uniform(152020, 152280, 300), rng.uniform(201020, 201280, 300)], axis=-1)
    xy[:20] = shapely.get_coordinates(occ[150:170])[::5][:20]   # on occluder vertices
    fan, generic = _fan_and_generic(index, xy, 30.0, 360)
    assert np.array_equal(fan, generic)


def test_fan_grazing_ray_needs_the_tree_to_decide() -> None:
    """The 45 degree ray passes 1.6e-15 m below the corner (10, 10) of a square above it:
    the ray/segment equation takes that as a hit (within its tolerance), the tree's exact
    test does not, and before the fan only the tree's candidates were solved. The fan
    confirms such a marginal hit with the tree, so the ray still reaches the radius."""
    index = OccluderIndex([box(9, 10, 10, 11)])
    for n in (8, 360):
        fan, generic = _fan_and_generic(index, np.array([[0.0, 0.0]]), 30.0, n)
        assert np.array_equal(fan, generic)
        assert fan[n // 8] == 30.0


def test_hidden_zones_same_area_as_union_of_isovists() -> None:
    """hidden_zones subtracts the isovists one by one; the union of all isovists gives the
    same zones (same area to 1e-6 m2, the same shapes: every vertex of ours is one of theirs
    at the millimetre, and every vertex of theirs lies on our boundary within a micrometre;
    theirs keeps, ours drops, the ray ends left along occluder faces)."""
    import shapely

    from inclusiecheck.geometry.visibility import path_isovists

    x0, y0 = 150000.0, 200000.0
    scene = [LineString([(10, 1.5), (30, 1.5)]), LineString([(35, 1.5), (55, 1.5), (55, 4.5)]),
             box(20, -9, 28, -3), box(40, -4, 41, -2), box(4, -3, 6, -2.5),
             LineString([(62, -3), (62, 3)])]
    index = OccluderIndex([shapely.transform(g, lambda c: c + [x0, y0]) for g in scene])
    counts = []
    for path in (LineString([(x0, y0), (x0 + 60, y0)]),
                 LineString([(x0, y0), (x0 + 30, y0), (x0 + 30, y0 - 20)])):
        zones = hidden_zones(path, index, search_distance_m=5.0, step_m=2.0, n_rays=360,
                             min_area_m2=0.0)
        search = shapely.difference(shapely.buffer(path, 5.0),
                                    shapely.union_all(index.polygons_near(path.buffer(5.0))))
        visible = shapely.union_all(path_isovists(path, index, step_m=2.0, radius_m=30.0,
                                                  n_rays=360))
        parts = shapely.get_parts(shapely.difference(search, visible))
        parts = parts[~shapely.is_empty(shapely.buffer(parts, -0.05))]
        assert zones and len(zones) == len(parts)
        assert sum(z.area_m2 for z in zones) == pytest.approx(shapely.area(parts).sum(), abs=1e-6)
        ours = {tuple(c) for z in zones for c in np.round(shapely.get_coordinates(z.geometry), 3)}
        theirs = {tuple(c) for c in np.round(shapely.get_coordinates(parts), 3)}
        assert ours <= theirs
        counts.append((len(ours), len(theirs)))
        boundary = shapely.union_all([z.geometry.boundary for z in zones])
        assert shapely.distance(boundary, shapely.points(shapely.get_coordinates(parts))).max() \
            <= 1e-6
        assert max(shapely.hausdorff_distance(z.geometry, p) for z, p in
                   zip(sorted(zones, key=lambda z: z.area_m2), sorted(parts, key=shapely.area),
                       strict=True)) <= 1e-6
        for z in zones:   # normal form: the bytes do not depend on the order of the overlays
            assert shapely.equals_exact(z.geometry, shapely.normalize(z.geometry), 0.0)
    assert any(a < b for a, b in counts)   # the union's ray ends along the faces are dropped


# --------------------------------------------------------------------------------------------
# Partial fans, fans without the ray ends along a face, many paths at once (issue 16)
# --------------------------------------------------------------------------------------------


def _random_fan_scene(seed: int, n: int = 400,
                  size: float = 150.0) -> tuple[OccluderIndex, np.ndarray]:
    """Rotated rectangles (a tenth drawn as lines) and viewpoints among them, some on the
    occluders' vertices and edges (rays blocked at the viewpoint) and some inside them."""
    import shapely

    rng = np.random.default_rng(seed)
    cx, cy = rng.uniform(0, size, n), rng.uniform(0, size, n)
    w, h, ang = rng.uniform(0.3, 8, n), rng.uniform(0.3, 4, n), rng.uniform(0, np.pi, n)
    ang[: n // 4] = 0.0   # axis-parallel faces: rays along them, collinear ray ends
    corners = np.array([[-0.5, -0.5], [0.5, -0.5], [0.5, 0.5], [-0.5, 0.5]])
    local = corners[None] * np.stack([w, h], axis=-1)[:, None, :]
    c, s = np.cos(ang)[:, None], np.sin(ang)[:, None]
    xs = 152000.0 + cx[:, None] + local[..., 0] * c - local[..., 1] * s
    ys = 201000.0 + cy[:, None] + local[..., 0] * s + local[..., 1] * c
    occ = shapely.polygons(np.stack([xs, ys], axis=-1))
    occ[: n // 10] = shapely.linestrings(np.stack([xs[: n // 10, :2], ys[: n // 10, :2]],
                                                  axis=-1))
    index = OccluderIndex(occ)
    xy = np.stack([rng.uniform(152010, 152000 + size - 10, 120),
                   rng.uniform(201010, 201000 + size - 10, 120)], axis=-1)
    xy[:10] = shapely.get_coordinates(occ[n // 10: n // 10 + 10])[::5][:10]   # on vertices
    xy[10:15] = shapely.get_coordinates(shapely.line_interpolate_point(
        shapely.get_exterior_ring(occ[n // 2: n // 2 + 5]), 0.3, normalized=True))  # on edges
    xy[15:18] = shapely.get_coordinates(shapely.centroid(occ[n // 2 + 5: n // 2 + 8]))  # in
    return index, xy


@pytest.mark.parametrize("n_rays", [36, 360])
def test_partial_fan_rays_equal_the_whole_fan_bit_for_bit(n_rays: int) -> None:
    from inclusiecheck.geometry import visibility as vis

    index, xy = _random_fan_scene(11)
    cos, sin = vis._ray_directions(n_rays)
    k, radius = len(xy), 30.0
    whole = np.full(k * n_rays, radius)
    whole_label = np.full(k * n_rays, -1)
    vis._fan_hits(index, xy, cos, sin, radius, whole, label=whole_label)
    rng = np.random.default_rng(3)
    first = rng.integers(0, n_rays, k)
    count = rng.integers(1, n_rays + 1, k)
    count[:5] = n_rays
    part = np.full(int(count.sum()), radius)
    part_label = np.full(len(part), -1)
    vis._fan_hits(index, xy, cos, sin, radius, part, first, count, part_label)
    vp = np.repeat(np.arange(k), count)
    j = np.mod(np.repeat(first, count) + np.arange(len(part))
               - np.repeat(np.cumsum(count) - count, count), n_rays)
    assert np.array_equal(part, whole[vp * n_rays + j])   # bit for bit
    assert np.array_equal(part_label, whole_label[vp * n_rays + j])
    assert (part < radius).any() and (part == radius).any()
    # each label is the segment the ray ends on
    hit = whole_label >= 0
    assert np.array_equal(hit, whole < radius)


def test_fans_without_ray_ends_along_a_face_are_the_isovists() -> None:
    """The overlay polygons of hidden_zones leave out the ray ends between two rays that end
    on the same occluder segment: the same point set as the isovist (to float noise), far
    fewer vertices; empty inside an occluder, repaired when rays are blocked at the
    viewpoint."""
    import shapely

    from inclusiecheck.geometry import visibility as vis

    index, xy = _random_fan_scene(5)
    cos, sin = vis._ray_directions(360)
    fans = vis._fan_polygons(index, xy, cos, sin, 30.0)
    full = isovists(xy, index, radius_m=30.0, n_rays=360)
    assert shapely.is_valid(fans).all()
    assert np.array_equal(shapely.is_empty(fans), shapely.is_empty(full))
    assert shapely.is_empty(fans[15:18]).all()   # inside an occluder
    assert np.allclose(shapely.area(fans), shapely.area(full), rtol=0, atol=1e-8)
    seen = ~shapely.is_empty(full)
    assert shapely.hausdorff_distance(fans[seen], full[seen]).max() <= 1e-8
    assert shapely.area(shapely.symmetric_difference(fans, full)).max() <= 1e-8
    fewer = shapely.get_num_coordinates(fans) < shapely.get_num_coordinates(full)
    assert fewer.mean() > 0.5


def test_partial_fan_in_a_box_is_the_isovist_in_that_box() -> None:
    """A fan of the rays that can reach a box (one ray to spare either side), cut to the box,
    is the same point set as the whole isovist cut to the box: boxes beside, around and
    touching the viewpoints, near and far."""
    import shapely

    from inclusiecheck.geometry import visibility as vis

    index, xy = _random_fan_scene(9)
    cos, sin = vis._ray_directions(360)
    rng = np.random.default_rng(4)
    k = len(xy)
    centre = xy + rng.uniform(-25, 25, (k, 2))
    centre[:20] = xy[:20] + rng.uniform(-1, 1, (20, 2))   # the viewpoint in or at the box
    half = rng.uniform(0.2, 12, (k, 2))
    boxes = np.concatenate([centre - half, centre + half], axis=1)
    boxes[20:25, 0] = xy[20:25, 0]   # the viewpoint on the box's edge
    boxes[20:25, 2] = xy[20:25, 0] + 3.0
    first, count = vis._ray_ranges(xy, boxes, 360)
    assert (count < 360).sum() > k // 2 and (count == 360).sum() >= 20
    part = vis._fan_polygons(index, xy, cos, sin, 30.0, first, count)
    full = vis._fan_polygons(index, xy, cos, sin, 30.0)
    whole = isovists(xy, index, radius_m=30.0, n_rays=360)
    for i in range(k):
        x0, y0, x1, y1 = boxes[i]
        a = shapely.clip_by_rect(part[i], x0, y0, x1, y1)
        b = shapely.clip_by_rect(whole[i], x0, y0, x1, y1)
        assert shapely.is_valid(a)
        assert abs(a.area - b.area) <= 1e-8
        assert shapely.symmetric_difference(a, b).area <= 1e-8
        if not b.is_empty:
            assert shapely.hausdorff_distance(a, b) <= 1e-8
        assert part[i].difference(full[i]).area <= 1e-8   # never more than the isovist


def test_hidden_zones_many_equals_path_by_path() -> None:
    import shapely

    from inclusiecheck.geometry.visibility import hidden_zones_many

    index, _ = _random_fan_scene(21, n=250)
    x0, y0 = 152000.0, 201000.0
    paths = [LineString([(x0 + 5, y0 + 20 + 30 * i), (x0 + 140, y0 + 25 + 30 * i)])
             for i in range(4)]
    paths.append(LineString([(x0 + 20, y0 + 10), (x0 + 60, y0 + 10), (x0 + 60, y0 + 140)]))
    paths.append(LineString([(x0 - 200, y0), (x0 - 150, y0)]))   # nothing near it
    paths.append(LineString([(x0 + 80, y0 + 80), (x0 + 80, y0 + 80)]))   # zero length
    many = hidden_zones_many(paths, index, n_rays=360)
    one = [hidden_zones(p, index, n_rays=360) for p in paths]
    assert sum(len(z) for z in many) >= 5
    key = [[(z.geometry.wkb, z.area_m2, z.max_depth_m, z.location.wkb) for z in zs]
           for zs in many]
    assert key == [[(z.geometry.wkb, z.area_m2, z.max_depth_m, z.location.wkb) for z in zs]
                   for zs in one]
    for zs, path in zip(many, paths, strict=True):
        along = [path.project(z.location) for z in zs]
        assert along == sorted(along)
    # SV-04's shortcut: a path whose buffer meets no occluder is not computed
    near = hidden_zones_many(paths, index, n_rays=360, near_occluders_only=True)
    reach = [len(index.tree.query(shapely.buffer(p, 5.0), predicate="intersects")) > 0
             for p in paths]
    assert near == [zs if r else [] for zs, r in zip(many, reach, strict=True)]
    assert hidden_zones_many([], index) == []
    with pytest.raises(VisibilityInputError):
        hidden_zones_many([box(0, 0, 1, 1)], index)  # type: ignore[list-item]


def test_max_distances_equal_the_grid_one_zone_at_a_time() -> None:
    """The depth of many zones at once: the same points (boundary every ``res``, interior
    grid) as one zone at a time, so the same maximum bit for bit."""

    from inclusiecheck.geometry import visibility as vis

    path = LineString([(0, 0), (30, 0), (30, 30)])
    zones = np.array([box(2, 1, 9, 4.5), Polygon([(12, 1), (20, 1), (16, 5)]),
                      box(25, 5, 29, 9).difference(box(26, 6, 27, 7)), box(0, 0, 200, 200)])
    paths = np.array([path] * len(zones))
    got = vis._max_distances(zones, paths)
    for value, want in zip(got, _reference_depths(zones, paths), strict=True):
        assert value == want


def _reference_depths(zones: np.ndarray, paths: np.ndarray) -> np.ndarray:
    """Every boundary and interior grid point of each zone measured by GEOS (the depths as
    they were computed before the numpy pre-selection)."""
    import shapely

    out = []
    for zone, path in zip(zones, paths, strict=True):
        res = max(0.25, math.sqrt(zone.area / 20_000.0))
        pts = shapely.get_coordinates(shapely.segmentize(zone.exterior, res))
        minx, miny, maxx, maxy = zone.bounds
        gx, gy = (g.ravel() for g in np.meshgrid(np.arange(minx, maxx, res),
                                                 np.arange(miny, maxy, res)))
        inside = shapely.contains_xy(zone, gx, gy)
        pts = np.concatenate([pts, np.stack([gx[inside], gy[inside]], axis=-1)])
        out.append(float(shapely.distance(path, shapely.points(pts)).max()))
    return np.array(out)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_max_distances_equal_geos_on_every_point_for_random_zones(seed: int) -> None:
    """GEOS measures only the points that numpy finds near the farthest: the same maximum,
    bit for bit, as GEOS on every point (random paths with zero-length segments, random
    zones with holes, far coordinates)."""
    import shapely

    from inclusiecheck.geometry import visibility as vis

    rng = np.random.default_rng(seed)
    zones, paths = [], []
    for _ in range(60):
        x0, y0 = 150000.0 + rng.uniform(0, 500), 200000.0 + rng.uniform(0, 500)
        n_v = int(rng.integers(2, 7))
        pts = np.cumsum(rng.uniform(-15, 15, (n_v, 2)), axis=0) + [x0, y0]
        if rng.random() < 0.3:
            pts = np.insert(pts, 1, pts[0], axis=0)   # a zero-length segment
        paths.append(LineString(pts))
        ring = rng.uniform(-8, 8, (int(rng.integers(3, 9)), 2)) + pts[0] + rng.uniform(-6, 6, 2)
        zone = shapely.make_valid(Polygon(ring)).buffer(rng.uniform(0.2, 2.0))
        if rng.random() < 0.3:
            zone = zone.difference(Point(*zone.centroid.coords[0]).buffer(0.5))
        zone = max(shapely.get_parts(zone), key=lambda g: g.area)
        zones.append(zone)
    zones_a, paths_a = np.array(zones, dtype=object), np.array(paths, dtype=object)
    got = vis._max_distances(zones_a, paths_a)
    assert np.array_equal(got, _reference_depths(zones_a, paths_a))


@pytest.mark.parametrize("seed", [5, 11, 17])
def test_fan_occlusion_culling_changes_no_hit_and_no_label(
        seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fans solve a ray against a farther segment only when it may reach it: the same
    hits and segment labels, bit for bit, as with every segment solved (whole and partial
    fans, random and degenerate scenes: rays along faces, through vertices, viewpoints on
    and inside occluders)."""
    from inclusiecheck.geometry import visibility as vis

    scenes = [_random_fan_scene(seed), _grid_scene()]
    rng = np.random.default_rng(seed)
    for index, xy in scenes:
        for n_rays in (36, 360):
            cos, sin = vis._ray_directions(n_rays)
            k = len(xy)
            first = rng.integers(0, n_rays, k)
            count = rng.integers(1, n_rays + 1, k)
            results = []
            for slack in (vis._CULL_SLACK_M, np.inf):   # np.inf: no ray is left out
                monkeypatch.setattr(vis, "_CULL_SLACK_M", slack)
                got = []
                for f, c in ((None, None), (first, count)):
                    total = k * n_rays if c is None else int(c.sum())
                    hit = np.full(total, 30.0)
                    label = np.full(total, -1)
                    vis._fan_hits(index, xy, cos, sin, 30.0, hit, f, c, label)
                    got += [hit, label]
                results.append(got)
            for culled, every in zip(*results, strict=True):
                assert np.array_equal(culled, every)


def test_hidden_zones_many_with_and_without_occlusion_culling(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Hidden zones among random obstacles: the same zones, bit for bit, whether the fans
    leave out the rays that cannot reach a farther segment or not."""
    from inclusiecheck.geometry import visibility as vis
    from inclusiecheck.geometry.visibility import hidden_zones_many

    index, xy = _random_fan_scene(23)
    rng = np.random.default_rng(23)
    paths = [LineString([xy[i], xy[i] + rng.uniform(-40, 40, 2),
                         xy[i] + rng.uniform(-40, 40, 2)]) for i in range(20, 60)]

    def zones() -> list[list[tuple[bytes, float, float, bytes]]]:
        return [[(z.geometry.wkb, z.area_m2, z.max_depth_m, z.location.wkb) for z in zs]
                for zs in hidden_zones_many(paths, index, n_rays=360)]

    culled = zones()
    monkeypatch.setattr(vis, "_CULL_SLACK_M", np.inf)
    assert sum(map(len, culled)) >= 5
    assert culled == zones()


def test_clip_by_rects_without_the_shapely_ufunc_gives_the_same_clips(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The stage clips use shapely's broadcasting ufunc where it exists; the element-by-element
    fallback (another shapely) gives the same geometry, bit for bit."""
    from inclusiecheck.geometry import visibility

    rng = np.random.default_rng(7)
    centres = rng.uniform([150000, 200000, 1], [150050, 200050, 9], size=(40, 3))
    polys = np.array([Point(x, y).buffer(r, quad_segs=4) for x, y, r in centres],
                     dtype=object)
    lo = centres[:, :2] + rng.uniform(-10, 2, size=(40, 2))   # mostly across the outline
    rects = np.hstack([lo, lo + rng.uniform(0.5, 12, size=(40, 2))])
    fast = visibility._clip_by_rects(polys, rects)
    monkeypatch.setattr(visibility, "_CLIP_UFUNC", None)
    slow = visibility._clip_by_rects(polys, rects)
    assert all(shapely.to_wkb(a) == shapely.to_wkb(b) for a, b in zip(fast, slow))
    assert sum(not g.is_empty for g in fast) > 20   # the rectangles do cut something


def test_grids_are_the_meshgrids_of_numpy_ranges() -> None:
    """The depth grids of many zones at once: the points of ``np.meshgrid`` of two
    ``np.arange`` per box, bit for bit and in the same order (boxes of every size, empty and
    exact multiples of the spacing included, near and far from the origin)."""
    from inclusiecheck.geometry import visibility as vis

    rng = np.random.default_rng(1)
    for _ in range(100):
        n = 40
        scale = rng.choice([1.0, 1e3, 1.5e5, 1e7])
        lo = rng.uniform(-scale, scale, (n, 2))
        size = rng.exponential(rng.choice([0.1, 2.0, 30.0]), (n, 2))
        size[:3] = 0.0
        size[3:6, 0] = 0.25 * rng.integers(1, 5, 3)
        bounds = np.concatenate([lo, lo + size], axis=1)
        res = np.maximum(0.25, rng.uniform(0, 1, n) * rng.choice([0.3, 3.0]))
        res[6:9] = [0.1, 0.3, 1 / 3]
        want_x, want_y, want_of = [], [], []
        for i, (x0, y0, x1, y1) in enumerate(bounds.tolist()):
            gx, gy = np.meshgrid(np.arange(x0, x1, res[i]), np.arange(y0, y1, res[i]))
            want_x.append(gx.ravel())
            want_y.append(gy.ravel())
            want_of.append(np.full(gx.size, i))
        got = vis._grids(bounds, res)
        for g, w in zip(got, (want_x, want_y, want_of), strict=True):
            assert np.array_equal(g, np.concatenate(w))
    empty = vis._grids(np.empty((0, 4)), np.empty(0))
    assert all(len(a) == 0 for a in empty)
