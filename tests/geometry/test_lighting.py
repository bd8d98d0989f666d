"""Tests for inclusiecheck.geometry.lighting: hand calculations, normalisation, edge cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from shapely.geometry import (
    GeometryCollection,
    LineString,
    MultiLineString,
    MultiPolygon,
    Point,
    Polygon,
    box,
)

from inclusiecheck.geometry.lighting import (
    DEFAULT_CLASS_BY_KIND,
    DISTRIBUTION_NAMES,
    LED_STREET_TABLE,
    LIGHTING_CLASSES,
    LightingInputError,
    LightingStats,
    Luminaire,
    Scenario,
    downward_flux_fraction,
    grid_points,
    grid_points_many,
    horizontal_illuminance,
    intensity_cd_per_klm,
    is_off,
    lighting_stats,
    meets_class,
    parse_scenario,
    path_directions,
    reach_m,
    scenario_flux,
    semicylindrical_illuminance,
)

MF = 0.8
H = 4.0
PHI = 4000.0


def lamp(x: float = 0.0, y: float = 0.0, dist: object = "led_street", **kw: object) -> Luminaire:
    return Luminaire(x, y, H, PHI, dist, **kw)  # type: ignore[arg-type]


def led_cd_per_klm(gamma_deg: float) -> float:
    """Linear interpolation in the published table, by hand."""
    for (g0, v0), (g1, v1) in zip(LED_STREET_TABLE, LED_STREET_TABLE[1:]):
        if g0 <= gamma_deg <= g1:
            return v0 + (gamma_deg - g0) / (g1 - g0) * (v1 - v0)
    return 0.0


def cd_per_klm(dist: str, gamma_deg: float) -> float:
    if dist == "lambertian":
        return 1000.0 / math.pi * math.cos(math.radians(gamma_deg))
    if dist == "isotropic_down":
        return 1000.0 / (2.0 * math.pi)
    return led_cd_per_klm(gamma_deg)


# --------------------------------------------------------------------------------------------
# Distributions
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dist", DISTRIBUTION_NAMES)
def test_distribution_downward_flux_is_lamp_flux(dist: str) -> None:
    # independent of the module's integration: dOmega = 2 pi d(cos gamma), midpoint rule in u
    n = 400_000
    u = (np.arange(n) + 0.5) / n
    i = intensity_cd_per_klm(dist, np.degrees(np.arccos(u)))
    flux_lm = 2.0 * np.pi * i.sum() / n
    assert flux_lm == pytest.approx(1000.0, rel=1e-4)
    assert downward_flux_fraction(dist) == pytest.approx(1.0, rel=1e-5)


@pytest.mark.parametrize("dist", DISTRIBUTION_NAMES)
def test_flux_on_ground_plane_equals_lamp_flux(dist: str) -> None:
    # integrate E over the ground (radially symmetric): int 2 pi r E(r) dr = flux * MF * share
    r = np.linspace(0.0, 400.0, 400_001)
    pts = np.column_stack([r, np.zeros_like(r)])
    e = horizontal_illuminance(pts, [lamp(dist=dist)], maintenance_factor=1.0, negligible_lx=0.0)
    landed = np.trapezoid(2.0 * np.pi * r * e, r)
    gamma_edge = math.atan(400.0 / H)
    share = 1.0 if dist == "led_street" else {
        "lambertian": math.sin(gamma_edge) ** 2,   # flux within gamma0 = phi sin^2 gamma0
        "isotropic_down": 1.0 - math.cos(gamma_edge),
    }[dist]
    assert landed == pytest.approx(PHI * share, rel=1e-3)


def test_led_street_shape() -> None:
    g = np.arange(0.0, 91.0, 1.0)
    i = intensity_cd_per_klm("led_street", g)
    assert 55.0 <= g[np.argmax(i)] <= 65.0  # batwing peak
    assert i[0] < i.max() / 2  # dip under the lamp
    assert i[80] <= 30.0  # cut-off: at most 30 cd/klm at 80 degrees
    assert i[90] == 0.0
    assert np.all(intensity_cd_per_klm("led_street", [95.0, 120.0, 180.0]) == 0.0)


def test_upward_light_is_zero_for_all_distributions() -> None:
    for dist in DISTRIBUTION_NAMES:
        assert np.all(intensity_cd_per_klm(dist, [91.0, 135.0, 180.0]) == 0.0)


def test_custom_table() -> None:
    const = 1000.0 / (2.0 * math.pi)
    table = [(0.0, const), (90.0, const)]
    assert downward_flux_fraction(table) == pytest.approx(1.0, rel=1e-6)
    pts = np.array([[0.0, 0.0], [3.0, 0.0], [7.0, 2.0]])
    a = horizontal_illuminance(pts, [lamp(dist=table)])
    b = horizontal_illuminance(pts, [lamp(dist="isotropic_down")])
    np.testing.assert_allclose(a, b, rtol=1e-12)
    # a luminaire sending half its flux downwards (LOR 0.5) is accepted as it is
    half = [(0.0, const / 2), (90.0, const / 2)]
    assert downward_flux_fraction(half) == pytest.approx(0.5, rel=1e-6)
    # a list is turned into a hashable tuple
    assert isinstance(lamp(dist=[[0, 100], [60, 50]]).distribution, tuple)
    # beyond the last row: zero
    assert intensity_cd_per_klm([(0.0, 100.0), (60.0, 50.0)], 70.0) == 0.0


@pytest.mark.parametrize(
    "table",
    [
        [(0.0, 100.0)],  # one row
        [(5.0, 100.0), (90.0, 100.0)],  # does not start at 0
        [(0.0, 100.0), (50.0, 80.0), (40.0, 80.0)],  # not increasing
        [(0.0, -1.0), (90.0, 10.0)],  # negative
        [(0.0, 1000.0), (90.0, 1000.0)],  # 6.3 x the lamp flux
        [(0.0, float("nan")), (90.0, 1.0)],
        [("a", 1.0), (90.0, 1.0)],
        "batwing",
    ],
)
def test_bad_distribution_raises(table: object) -> None:
    with pytest.raises(LightingInputError):
        lamp(dist=table)


# --------------------------------------------------------------------------------------------
# Horizontal illuminance: hand calculations
# --------------------------------------------------------------------------------------------

def test_lambertian_directly_below_hand_calculation() -> None:
    e = horizontal_illuminance(np.array([[0.0, 0.0]]), [lamp(dist="lambertian")])
    assert e[0] == pytest.approx(PHI / math.pi / H**2 * MF)  # 63.66 lx
    assert e[0] == pytest.approx(63.662, abs=1e-3)


def test_lambertian_at_3m_offset_hand_calculation() -> None:
    # d = 5 m, cos gamma = 0.8, I = 4000/pi * 0.8 = 1018.6 cd, E = I cos g / d^2 * MF = 26.08 lx
    e = horizontal_illuminance(np.array([[3.0, 0.0]]), [lamp(dist="lambertian")])
    intensity = PHI / math.pi * 0.8
    assert e[0] == pytest.approx(intensity * 0.8 / 25.0 * MF)
    assert e[0] == pytest.approx(26.08, abs=0.01)


@pytest.mark.parametrize("dist", DISTRIBUTION_NAMES)
@pytest.mark.parametrize("offset", [0.0, 3.0, 6.0, 12.0])
def test_each_distribution_hand_calculation(dist: str, offset: float) -> None:
    d = math.hypot(offset, H)
    gamma = math.degrees(math.atan2(offset, H))
    intensity = PHI / 1000.0 * cd_per_klm(dist, gamma)
    expected = intensity * (H / d) / d**2 * MF  # I cos(gamma) / d^2
    # the point may lie in any direction (rotational symmetry)
    pts = np.array([[offset, 0.0], [0.0, -offset], [offset / math.sqrt(2), offset / math.sqrt(2)]])
    e = horizontal_illuminance(pts + [10.0, 20.0], [lamp(10.0, 20.0, dist)])
    np.testing.assert_allclose(e, expected, rtol=1e-9)


def test_isotropic_hand_values() -> None:
    e = horizontal_illuminance(np.array([[0.0, 0.0], [3.0, 0.0]]), [lamp(dist="isotropic_down")])
    assert e[0] == pytest.approx(PHI / (2 * math.pi) / 16.0 * MF)  # 31.83 lx
    assert e[1] == pytest.approx(PHI / (2 * math.pi) * 0.8 / 25.0 * MF)  # 16.30 lx


def test_maintenance_factor_is_linear() -> None:
    pts = np.array([[1.0, 2.0]])
    a = horizontal_illuminance(pts, [lamp()], maintenance_factor=1.0)
    b = horizontal_illuminance(pts, [lamp()], maintenance_factor=0.5)
    assert b[0] == pytest.approx(a[0] / 2)


def test_superposition_of_two_lamps() -> None:
    pts = np.array([[x, y] for x in np.linspace(-5, 20, 11) for y in (-2.0, 0.0, 3.0)])
    a, b = lamp(0.0, 0.0), lamp(12.0, 1.0, "lambertian")
    ea = horizontal_illuminance(pts, [a])
    eb = horizontal_illuminance(pts, [b])
    eab = horizontal_illuminance(pts, [a, b])
    np.testing.assert_allclose(eab, ea + eb, rtol=1e-12)
    # midway between two equal lamps 12 m apart: twice the single contribution at 6 m
    mid = horizontal_illuminance(np.array([[6.0, 0.0]]), [lamp(0.0, 0.0), lamp(12.0, 0.0)])
    single = horizontal_illuminance(np.array([[6.0, 0.0]]), [lamp(0.0, 0.0)])
    assert mid[0] == pytest.approx(2 * single[0])


def test_reach_prefilter_matches_brute_force() -> None:
    rng = np.random.default_rng(7)
    lums = [
        Luminaire(float(x), float(y), float(h), float(f), d)
        for x, y, h, f, d in zip(
            rng.uniform(0, 300, 60), rng.uniform(0, 300, 60), rng.uniform(3, 10, 60),
            rng.uniform(500, 20000, 60), rng.choice(DISTRIBUTION_NAMES, 60),
        )
    ]
    pts = rng.uniform(-20, 320, size=(2000, 2))
    fast = horizontal_illuminance(pts, lums)
    # brute force, no cut-off, written out independently
    brute = np.zeros(len(pts))
    for lum in lums:
        dx = pts[:, 0] - lum.x
        dy = pts[:, 1] - lum.y
        d = np.sqrt(dx**2 + dy**2 + lum.mounting_height_m**2)
        gamma = np.degrees(np.arccos(lum.mounting_height_m / d))
        i = lum.luminous_flux_lm / 1000.0 * intensity_cd_per_klm(lum.distribution, gamma)
        brute += i * lum.mounting_height_m / d**3
    brute *= MF
    # each luminaire left out adds less than 0.001 lx (initial), i.e. < 0.0008 lx maintained
    left_out = brute - fast
    assert np.all(left_out >= -1e-9)
    assert np.all(left_out <= 0.001 * MF * len(lums))
    assert left_out.max() < 0.02
    np.testing.assert_allclose(fast, brute, rtol=0.01, atol=0.02)


def test_reach_values() -> None:
    # led_street: nothing beyond 90 degrees, reach is finite and a few mounting heights
    r = reach_m(lamp())
    assert 5 * H < r < 12 * H  # about 85 degrees
    # isotropic: E(r) = I h / d^3 with I = phi / (2 pi); reach where E = 0.001 lx
    r_iso = reach_m(lamp(dist="isotropic_down"))
    expected = (PHI / (2 * math.pi) * H / 0.001) ** (1 / 3)  # d at the reach
    assert r_iso == pytest.approx(math.sqrt(expected**2 - H**2), rel=0.02)
    assert reach_m(lamp(off_hours="00:00-05:00"), scenario="night") == 0.0
    assert reach_m(Luminaire(0, 0, 4, 0.0)) == 0.0


def test_max_reach_caps() -> None:
    pts = np.array([[0.0, 0.0], [10.0, 0.0], [30.0, 0.0]])
    e = horizontal_illuminance(pts, [lamp(dist="isotropic_down")], max_reach_m=15.0)
    assert e[0] > 0 and e[1] > 0 and e[2] == 0.0


def test_empty_inputs() -> None:
    assert horizontal_illuminance(np.zeros((0, 2)), [lamp()]).shape == (0,)
    np.testing.assert_array_equal(horizontal_illuminance(np.array([[0.0, 0.0]]), []), [0.0])
    assert semicylindrical_illuminance(np.zeros((0, 2)), [lamp()]).shape == (0,)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"maintenance_factor": 0.0},
        {"maintenance_factor": 1.2},
        {"max_reach_m": -1.0},
        {"scenario": "midnight"},
        {"scenario": "night@25:00"},
    ],
)
def test_bad_options_raise(kwargs: dict) -> None:
    with pytest.raises(LightingInputError):
        horizontal_illuminance(np.array([[0.0, 0.0]]), [lamp()], **kwargs)


@pytest.mark.parametrize(
    "points", [np.zeros((3, 3)), np.array([1.0, 2.0]), np.array([[np.nan, 0.0]])]
)
def test_bad_points_raise(points: np.ndarray) -> None:
    with pytest.raises(LightingInputError):
        horizontal_illuminance(points, [lamp()])


def test_non_luminaire_raises() -> None:
    with pytest.raises(LightingInputError):
        horizontal_illuminance(np.array([[0.0, 0.0]]), [(0, 0, 4, 4000)])  # type: ignore[list-item]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"mounting_height_m": 0.0},
        {"mounting_height_m": -3.0},
        {"luminous_flux_lm": -1.0},
        {"luminous_flux_lm": float("inf")},
        {"dimmed_pct": 120.0},
        {"dimmed_pct": -5.0},
        {"off_hours": "midnight"},
        {"off_hours": "00:00-00:00"},
        {"off_hours": "25:00-05:00"},
        {"off_hours": "23:60-05:00"},
        {"x": "12"},
        {"x": True},
    ],
)
def test_bad_luminaire_raises(kwargs: dict) -> None:
    base = {"x": 0.0, "y": 0.0, "mounting_height_m": 4.0, "luminous_flux_lm": 4000.0}
    base.update(kwargs)
    with pytest.raises(LightingInputError):
        Luminaire(**base)


def test_luminaire_accepts_numpy_numbers_and_is_frozen() -> None:
    lum = Luminaire(np.int64(3), np.float32(4.5), np.float64(4), 4000)
    assert lum.x == 3.0 and isinstance(lum.x, float)
    with pytest.raises(AttributeError):
        lum.x = 5.0  # type: ignore[misc]
    assert hash(lum) == hash(Luminaire(3.0, 4.5, 4.0, 4000.0))


# --------------------------------------------------------------------------------------------
# Switching, dimming, scenarios
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("off", "time", "expected"),
    [
        ("00:00-05:00", "01:00", True),
        ("00:00-05:00", "00:00", True),  # start included
        ("00:00-05:00", "05:00", False),  # end excluded
        ("00:00-05:00", "23:59", False),
        ("23:00-05:00", "23:00", True),  # across midnight
        ("23:00-05:00", "00:30", True),
        ("23:00-05:00", "04:59", True),
        ("23:00-05:00", "05:00", False),
        ("23:00-05:00", "12:00", False),
        ("23:00-05:00", "22:59", False),
        ("22:00-24:00", "23:30", True),
        ("22:00-24:00", "00:00", False),
        ("00:00-24:00", "13:00", True),
        ("01:00-02:00, 03:00-04:00", "03:30", True),
        ("01:00-02:00, 03:00-04:00", "02:30", False),
        ("23:00 \u2013 5:00", "04:00", True),  # en dash, one-digit hour
        (None, "01:00", False),
    ],
)
def test_is_off(off: str | None, time: str, expected: bool) -> None:
    assert is_off(lamp(off_hours=off), time) is expected


@pytest.mark.parametrize("time", ["1h", "24:00", "12:5", ""])
def test_is_off_bad_time_raises(time: str) -> None:
    with pytest.raises(LightingInputError):
        is_off(lamp(off_hours="00:00-05:00"), time)


def test_scenario_flux() -> None:
    dimmed = lamp(dimmed_pct=30.0)
    off = lamp(off_hours="00:00-05:00")
    both = lamp(dimmed_pct=50.0, off_hours="01:00-05:00")
    assert scenario_flux(dimmed, None) == PHI
    assert scenario_flux(dimmed, "evening") == PHI
    assert scenario_flux(dimmed, "night") == pytest.approx(0.3 * PHI)
    assert scenario_flux(off, "night") == 0.0  # default night time 01:00
    assert scenario_flux(off, "night@06:00") == PHI
    assert scenario_flux(off, "evening") == PHI
    assert scenario_flux(both, "night@00:30") == pytest.approx(0.5 * PHI)
    assert scenario_flux(both, Scenario("night", "02:00")) == 0.0
    assert scenario_flux(lamp(dimmed_pct=0.0), "night") == 0.0
    assert parse_scenario("night 03:15") == Scenario("night", "03:15")
    assert parse_scenario("Evening") == Scenario("evening")


def test_dimmed_scenario_scales_illuminance() -> None:
    pts = np.array([[0.0, 0.0], [5.0, 1.0]])
    full = horizontal_illuminance(pts, [lamp(dimmed_pct=40.0)])
    night = horizontal_illuminance(pts, [lamp(dimmed_pct=40.0)], scenario="night")
    np.testing.assert_allclose(night, 0.4 * full)


# --------------------------------------------------------------------------------------------
# Semi-cylindrical illuminance
# --------------------------------------------------------------------------------------------

def test_semicylindrical_hand_calculation() -> None:
    # lamp at (0,0) 4 m, point at (3,0), face 1.5 m: dh 2.5, r 3, d^2 = 15.25
    lum = lamp(dist="lambertian")
    d2 = 9.0 + 6.25
    sin_eps = 3.0 / math.sqrt(d2)
    intensity = PHI / math.pi * (2.5 / math.sqrt(d2))
    facing = intensity * 2.0 * sin_eps / (math.pi * d2) * MF  # alpha = 0
    pts = np.array([[3.0, 0.0]])
    towards = semicylindrical_illuminance(
        pts, [lum], view_directions=np.array([[-1.0, 0.0]]), both_ways=False
    )
    away = semicylindrical_illuminance(pts, [lum], view_directions=[1.0, 0.0], both_ways=False)
    side = semicylindrical_illuminance(pts, [lum], view_directions=[0.0, 5.0], both_ways=False)
    assert towards[0] == pytest.approx(facing)
    assert away[0] == pytest.approx(0.0, abs=1e-12)  # 1 + cos(180) = 0
    assert side[0] == pytest.approx(facing / 2)  # 1 + cos(90) = 1
    # both ways: the worse direction (a single lamp behind the face gives nothing)
    both = semicylindrical_illuminance(pts, [lum], view_directions=[-1.0, 0.0])
    assert both[0] == pytest.approx(0.0, abs=1e-12)
    # no direction: minimum over +x, +y, -x, -y -> +x looks away from the lamp
    assert semicylindrical_illuminance(pts, [lum])[0] == pytest.approx(0.0, abs=1e-12)


def test_semicylindrical_formula_is_mean_over_the_half_cylinder() -> None:
    # E_sc is the mean illuminance on the curved side: average over vertical facets with
    # normals within +-90 degrees of the view direction of E_v = I sin(eps)/d^2 max(0, cos)
    lum = lamp(2.0, 5.0, "led_street")
    p = np.array([[0.0, 0.0]])
    view = np.array([0.6, 0.8])
    hv = np.array([2.0, 5.0])
    r = np.hypot(*hv)
    dh = H - 1.5
    d2 = r**2 + dh**2
    intensity = PHI / 1000 * led_cd_per_klm(math.degrees(math.atan2(r, dh)))
    e_perp = intensity * (r / math.sqrt(d2)) / d2  # on a facet facing the lamp
    alpha = math.atan2(hv[1], hv[0]) - math.atan2(view[1], view[0])
    theta = np.linspace(-math.pi / 2, math.pi / 2, 200_001)
    mean = np.trapezoid(np.maximum(0.0, np.cos(theta - alpha)), theta) / math.pi
    expected = e_perp * mean * MF
    got = semicylindrical_illuminance(p, [lum], view_directions=view, both_ways=False)
    assert got[0] == pytest.approx(expected, rel=1e-6)


def test_semicylindrical_low_luminaire_and_directly_above() -> None:
    bollard = Luminaire(0.0, 0.0, 1.0, 1000.0)
    pts = np.array([[0.0, 0.0], [2.0, 0.0]])
    np.testing.assert_array_equal(semicylindrical_illuminance(pts, [bollard]), [0.0, 0.0])
    # directly under a lamp: sin(eps) = 0
    assert semicylindrical_illuminance(np.array([[0.0, 0.0]]), [lamp()])[0] == 0.0


def test_semicylindrical_path_between_two_lamps_both_ways() -> None:
    lums = [lamp(0.0, 0.0), lamp(20.0, 0.0)]
    pts = np.array([[10.0, 0.0]])
    e = semicylindrical_illuminance(pts, lums, view_directions=[1.0, 0.0])
    one = semicylindrical_illuminance(pts, lums, view_directions=[1.0, 0.0], both_ways=False)
    other = semicylindrical_illuminance(pts, lums, view_directions=[-1.0, 0.0], both_ways=False)
    assert one[0] == pytest.approx(other[0])  # symmetric
    assert e[0] == pytest.approx(min(one[0], other[0]))
    assert e[0] > 0


def test_semicylindrical_bad_directions() -> None:
    pts = np.array([[0.0, 0.0], [1.0, 0.0]])
    with pytest.raises(LightingInputError):
        semicylindrical_illuminance(pts, [lamp()], view_directions=np.zeros((2, 2)))
    with pytest.raises(LightingInputError):
        semicylindrical_illuminance(pts, [lamp()], view_directions=np.ones((3, 2)))
    with pytest.raises(LightingInputError):
        semicylindrical_illuminance(pts, [lamp()], face_height_m=-1.0)


def test_path_directions() -> None:
    path = LineString([(0, 0), (10, 0), (10, 10)])
    pts = np.array([[3.0, 1.0], [11.0, 7.0], [5.0, -2.0]])
    d = path_directions(path, pts)
    np.testing.assert_allclose(d, [[1, 0], [0, 1], [1, 0]])
    # zero-length segments are skipped; multi-part paths
    multi = MultiLineString([[(0, 0), (0, 0), (5, 0)], [(20, 0), (20, 5)]])
    d = path_directions(multi, np.array([[2.0, 0.0], [21.0, 2.0]]))
    np.testing.assert_allclose(d, [[1, 0], [0, 1]])
    # polygon: along the nearest edge
    d = path_directions(box(0, 0, 50, 2), np.array([[25.0, 0.2]]))
    assert abs(d[0, 0]) == pytest.approx(1.0)
    with pytest.raises(LightingInputError):
        path_directions(LineString([(1, 1), (1, 1)]), np.array([[0.0, 0.0]]))
    assert path_directions(path, np.zeros((0, 2))).shape == (0, 2)


# --------------------------------------------------------------------------------------------
# Sampling
# --------------------------------------------------------------------------------------------

def test_grid_points_rectangle() -> None:
    pts = grid_points(box(0, 0, 10, 4), 1.0)
    assert pts.shape == (40, 2)
    assert pts[:, 0].min() == 0.5 and pts[:, 0].max() == 9.5


def test_grid_points_polygon_with_hole() -> None:
    poly = Polygon([(0, 0), (10, 0), (10, 10), (0, 10)], [[(3, 3), (7, 3), (7, 7), (3, 7)]])
    pts = grid_points(poly, 1.0)
    assert len(pts) == 100 - 16
    assert not np.any(shapely.contains_xy(box(3, 3, 7, 7), pts[:, 0], pts[:, 1]))


def test_grid_points_multipolygon_touching_and_tiny() -> None:
    touching = MultiPolygon([box(0, 0, 5, 5), box(5, 0, 10, 5)])
    assert len(grid_points(touching, 1.0)) == 50
    tiny = box(0.1, 0.1, 0.3, 0.3)  # holds no grid centre
    pts = grid_points(tiny, 1.0)
    assert pts.shape == (1, 2)
    assert tiny.contains(Point(pts[0]))
    assert len(grid_points(MultiPolygon([box(0, 0, 2, 2), tiny]), 1.0)) == 5


def test_grid_points_is_aligned_to_multiples_of_spacing() -> None:
    a = grid_points(box(0, 0, 10, 10), 2.0)
    b = grid_points(box(0.3, 0.3, 10, 10), 2.0)
    assert set(map(tuple, b)) <= set(map(tuple, a))


def test_grid_points_line() -> None:
    pts = grid_points(LineString([(0, 0), (10, 0)]), 1.0)
    np.testing.assert_allclose(pts[:, 0], np.arange(10) + 0.5)
    pts = grid_points(LineString([(0, 0), (10.5, 0)]), 1.0)
    assert len(pts) == 11
    np.testing.assert_allclose(np.diff(pts[:, 0]), 10.5 / 11)
    short = grid_points(LineString([(0, 0), (0.4, 0)]), 1.0)
    np.testing.assert_allclose(short, [[0.2, 0.0]])


def test_grid_points_bent_line_lies_on_line() -> None:
    line = LineString([(0, 0), (10, 0), (10, 0), (10, 7.3), (3, 12)])
    pts = grid_points(line, 0.7)
    assert np.all(shapely.distance(line, shapely.points(pts)) < 1e-9)
    n = math.ceil(line.length / 0.7)
    assert len(pts) == n


def test_grid_points_line_with_width() -> None:
    pts = grid_points(LineString([(0, 0), (10, 0)]), 1.0, width_m=2.0)
    assert len(pts) == 30
    np.testing.assert_allclose(sorted(set(np.round(pts[:, 1], 9))), [-2 / 3, 0.0, 2 / 3])
    wide = grid_points(LineString([(0, 0), (0, 10)]), 1.0, width_m=4.0)
    assert len(wide) == 40
    np.testing.assert_allclose(sorted(set(np.round(wide[:, 0], 9))), [-1.5, -0.5, 0.5, 1.5])


def test_grid_points_degenerate_and_mixed() -> None:
    assert grid_points(LineString([(2, 3), (2, 3)]), 1.0).tolist() == [[2.0, 3.0]]
    assert grid_points(Point(1, 2), 1.0).tolist() == [[1.0, 2.0]]
    assert grid_points(GeometryCollection(), 1.0).shape == (0, 2)
    assert grid_points(Polygon(), 1.0).shape == (0, 2)
    mixed = GeometryCollection([box(0, 0, 2, 2), LineString([(10, 0), (13, 0)]), Point(50, 50)])
    assert len(grid_points(mixed, 1.0)) == 4 + 3 + 1
    with pytest.raises(LightingInputError):
        grid_points(box(0, 0, 1, 1), 0.0)
    with pytest.raises(LightingInputError):
        grid_points(LineString([(0, 0), (1, 0)]), 1.0, width_m=-2.0)


@pytest.mark.parametrize("width_m", [None, 3.0])
def test_grid_points_many_equals_one_by_one(width_m: float | None) -> None:
    rng = np.random.default_rng(7)
    geoms: list = [LineString([(2, 3), (2, 3)]), Point(1, 2), GeometryCollection(), Polygon(),
                   GeometryCollection([box(0, 0, 2, 2), LineString([(10, 0), (13, 0)]),
                                       Point(50, 50)]),
                   MultiLineString([[(0, 0), (5, 1)], [(9, 9), (9, 20), (30, 20)]])]
    for _ in range(60):
        xy = np.cumsum(rng.uniform(-40, 40, size=(int(rng.integers(2, 40)), 2)), axis=0)
        if rng.random() < 0.2:
            xy = np.vstack([xy, xy[-1:]])   # a repeated vertex
        geoms.append(LineString(xy))
        if rng.random() < 0.2:
            geoms.append(box(*xy[0], *(xy[0] + rng.uniform(0.3, 15, size=2))))
    together = grid_points_many(geoms, 0.9, width_m=width_m)
    assert len(together) == len(geoms)
    for geom, pts in zip(geoms, together):
        one = grid_points(geom, 0.9, width_m=width_m)
        assert pts.shape == one.shape and np.array_equal(pts, one)   # to the bit
    assert grid_points_many([], 1.0) == []
    with pytest.raises(LightingInputError):
        grid_points_many([box(0, 0, 1, 1)], 0.0)


# --------------------------------------------------------------------------------------------
# Statistics, classes and the acceptance case
# --------------------------------------------------------------------------------------------

PARK_PATH = LineString([(0.0, 0.0), (400.0, 0.0)])


def park_lamps(spacing_m: float = 12.0, dist: str = "led_street", **kw: object) -> list[Luminaire]:
    # 1 m beside a 2 m wide path: 2 m from its centre line
    xs = np.arange(0.0, 400.1, spacing_m)
    return [Luminaire(float(x), -2.0, 4.0, 4000.0, dist, **kw) for x in xs]  # type: ignore[arg-type]


def test_acceptance_unlit_park_path_is_dark() -> None:
    st = lighting_stats(PARK_PATH, [], width_m=2.0, min_required_lx=1.0)
    assert st.avg_lx == 0.0 and st.min_lx == 0.0 and st.uniformity == 0.0
    assert st.dark_length_m == pytest.approx(400.0)
    assert st.dark.area == pytest.approx(800.0)
    assert st.dark.equals(PARK_PATH.buffer(1.0, cap_style="flat"))
    ok, reasons = meets_class(st, "P4")
    assert not ok and len(reasons) == 2


def test_acceptance_lit_park_path_passes_p4() -> None:
    st = lighting_stats(PARK_PATH, park_lamps(), width_m=2.0, min_required_lx=1.0)
    assert st.avg_lx >= 5.0
    assert st.min_lx >= 1.0
    assert st.dark.is_empty and st.dark_length_m == 0.0
    assert meets_class(st, "P4") == (True, [])
    assert st.n_points == 400 * 3
    assert st.uniformity == pytest.approx(st.min_lx / st.avg_lx)


def test_acceptance_path_dark_at_night_when_switched_off() -> None:
    lums = park_lamps(off_hours="00:00-05:00")
    night = lighting_stats(
        PARK_PATH, lums, width_m=2.0, scenario="night@01:00", min_required_lx=1.0
    )
    assert night.avg_lx == 0.0
    assert night.dark_length_m == pytest.approx(400.0)
    evening = lighting_stats(PARK_PATH, lums, width_m=2.0, scenario="evening", min_required_lx=1.0)
    assert evening.dark_length_m == 0.0


def test_partly_lit_line_dark_stretch() -> None:
    path = LineString([(0.0, 0.0), (100.0, 0.0)])
    st = lighting_stats(path, [lamp(0.0, 0.0)], min_required_lx=1.0)
    lit = st.points_xy[st.illuminance_lx >= 1.0]
    assert 0 < len(lit) < 100
    assert st.dark_length_m == pytest.approx(100.0 - len(lit))
    assert st.dark.contains(Point(90.0, 0.5))
    assert not st.dark.intersects(Point(0.5, 0.0))
    assert st.dark.area == pytest.approx(st.dark_length_m * 2.0)  # 1 m each side


def test_area_dark_cells() -> None:
    area = box(0, 0, 40, 20)
    st = lighting_stats(area, [lamp(0.0, 0.0)], min_required_lx=5.0, spacing_m=1.0)
    n_dark = int(np.sum(st.illuminance_lx < 5.0))
    assert st.n_points == 800
    assert st.dark_area_m2 == pytest.approx(n_dark)
    assert area.buffer(1e-9).contains(st.dark)
    assert st.dark.contains(Point(39.5, 19.5)) and not st.dark.intersects(Point(0.5, 0.5))
    assert st.dark_length_m == 0.0
    tiny = lighting_stats(box(0.1, 0.1, 0.3, 0.3), [], min_required_lx=1.0)
    assert tiny.n_points == 1 and tiny.dark.equals(box(0.1, 0.1, 0.3, 0.3))


def test_stats_without_requirement_and_points() -> None:
    st = lighting_stats(Point(3.0, 0.0), [lamp(dist="lambertian")])
    assert st.n_points == 1 and st.dark.is_empty
    assert st.avg_lx == st.min_lx == st.max_lx == pytest.approx(26.08, abs=0.01)
    assert st.uniformity == pytest.approx(1.0)
    dark_point = lighting_stats(Point(300.0, 0.0), [lamp()], min_required_lx=1.0)
    assert dark_point.dark.area == pytest.approx(math.pi, rel=0.01)


def test_stats_zero_length_line_and_multiline() -> None:
    st = lighting_stats(LineString([(5, 5), (5, 5)]), [], min_required_lx=1.0)
    assert st.n_points == 1 and st.dark_length_m == 0.0 and not st.dark.is_empty
    multi = MultiLineString([[(0, 0), (10, 0)], [(0, 50), (10, 50)]])
    st = lighting_stats(multi, [lamp(5.0, 0.0)], min_required_lx=1.0, width_m=2.0)
    assert st.n_points == 2 * 10 * 3
    assert st.dark_length_m == pytest.approx(10.0)


@pytest.mark.parametrize(
    "kwargs", [{"spacing_m": -1.0}, {"min_required_lx": -1.0}, {"width_m": float("nan")}]
)
def test_stats_bad_input(kwargs: dict) -> None:
    with pytest.raises(LightingInputError):
        lighting_stats(box(0, 0, 1, 1), [], **kwargs)


def test_stats_empty_geometry_raises() -> None:
    with pytest.raises(LightingInputError):
        lighting_stats(GeometryCollection(), [lamp()])


def _stats(avg: float, emin: float) -> LightingStats:
    return LightingStats(
        avg_lx=avg, min_lx=emin, max_lx=avg * 2, uniformity=emin / avg if avg else 0.0,
        n_points=10, dark=GeometryCollection(), dark_length_m=0.0, dark_area_m2=0.0,
    )


def test_lighting_class_values() -> None:
    expected_p = {"P1": (15.0, 3.0), "P2": (10.0, 2.0), "P3": (7.5, 1.5), "P4": (5.0, 1.0),
                  "P5": (3.0, 0.6), "P6": (2.0, 0.4)}
    for name, (avg, emin) in expected_p.items():
        assert (LIGHTING_CLASSES[name].avg_lx, LIGHTING_CLASSES[name].min_lx) == (avg, emin)
    expected_c = {"C0": 50.0, "C1": 30.0, "C2": 20.0, "C3": 15.0, "C4": 10.0, "C5": 7.5}
    for name, avg in expected_c.items():
        assert LIGHTING_CLASSES[name].avg_lx == avg and LIGHTING_CLASSES[name].uniformity == 0.4
    assert set(DEFAULT_CLASS_BY_KIND.values()) <= set(LIGHTING_CLASSES)
    profile_kinds = {"sidewalk", "footpath", "shared_space", "park_path", "square_surface",
                     "square", "park", "playground", "station_area", "stop_area"}
    assert profile_kinds <= set(DEFAULT_CLASS_BY_KIND)


def test_meets_class_boundaries_inclusive() -> None:
    assert meets_class(_stats(5.0, 1.0), "P4") == (True, [])
    ok, reasons = meets_class(_stats(4.99, 1.0), "P4")
    assert not ok and reasons == ["average illuminance 4.99 lx is below 5.00 lx (P4)"]
    ok, reasons = meets_class(_stats(6.0, 0.99), "p4")
    assert not ok and "minimum" in reasons[0]
    assert meets_class(_stats(15.0, 6.0), "C3") == (True, [])  # U0 = 0.40 exactly
    ok, reasons = meets_class(_stats(15.0, 5.9), "C3")
    assert not ok and "uniformity" in reasons[0]
    ok, reasons = meets_class(_stats(0.0, 0.0), LIGHTING_CLASSES["C5"])
    assert not ok and len(reasons) == 2
    with pytest.raises(LightingInputError):
        meets_class(_stats(5.0, 1.0), "P7")
