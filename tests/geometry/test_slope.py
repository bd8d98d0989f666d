"""Tests for inclusiecheck.geometry.slope (hand-calculated slopes from Z values)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from shapely.geometry import LineString, MultiLineString, Point, Polygon

from inclusiecheck.geometry.slope import (
    LENGTH_TOLERANCE_M,
    LENGTH_TOLERANCE_REL,
    RampGeometry,
    SegmentSlope,
    disagrees,
    has_z,
    polygon_slopes,
    ramp_from_geometry,
    running_slope_pct,
    segment_slopes,
)


def tilted_rectangle(
    length: float, width: float, running: float, cross: float, angle_deg: float
) -> Polygon:
    """Rectangle rotated by ``angle_deg``, on the plane z = 5 + running * u + cross * v.

    ``u`` runs along the ``length`` side, ``v`` along the ``width`` side.
    """
    a = math.radians(angle_deg)
    u = np.array([math.cos(a), math.sin(a)])
    v = np.array([-math.sin(a), math.cos(a)])
    corners = [(0, 0), (length, 0), (length, width), (0, width)]
    pts = []
    for s, t in corners:
        xy = 100 + s * u + t * v
        pts.append((xy[0], xy[1], 5.0 + running * s + cross * t))
    return Polygon(pts)


def test_has_z() -> None:
    assert has_z(LineString([(0, 0, 0), (1, 0, 1)]))
    assert not has_z(LineString([(0, 0), (1, 0)]))
    assert not has_z(None)
    assert not has_z(LineString())
    assert not has_z(LineString([(0, 0, float("nan")), (1, 0, 1)]))


def test_segment_slopes_signed_and_abs() -> None:
    line = LineString([(0, 0, 0), (3, 4, 0.25), (3, 10, 0.25), (3, 12, 0.15)])
    segs = segment_slopes(line)
    assert [(s.start_index, s.end_index) for s in segs] == [(0, 1), (1, 2), (2, 3)]
    assert segs[0] == SegmentSlope(0, 1, 5.0, pytest.approx(0.25), pytest.approx(5.0))
    assert segs[1].slope_pct == 0.0
    assert segs[2].slope_pct == pytest.approx(-5.0)
    assert segs[2].abs_slope_pct == pytest.approx(5.0)
    assert segs[2].rise_m == pytest.approx(-0.1)


def test_zero_length_segments_are_skipped() -> None:
    line = LineString([(0, 0, 0), (0, 0, 0), (2, 0, 0.1), (2, 0, 0.3), (4, 0, 0.3)])
    segs = segment_slopes(line)
    assert [(s.start_index, s.end_index) for s in segs] == [(1, 2), (3, 4)]
    assert [s.slope_pct for s in segs] == [pytest.approx(5.0), pytest.approx(0.0)]
    assert segment_slopes(LineString([(1, 1, 0), (1, 1, 2)])) == []
    assert running_slope_pct(LineString([(1, 1, 0), (1, 1, 2)])) is None


def test_segment_slopes_needs_z() -> None:
    with pytest.raises(ValueError):
        segment_slopes(LineString([(0, 0), (1, 0)]))
    with pytest.raises(TypeError):
        segment_slopes(Point(0, 0, 0))  # type: ignore[arg-type]


def test_running_slope() -> None:
    line = LineString([(0, 0, 0), (4, 0, 0.4), (10, 0, 0.4)])  # 10 % then flat
    steepest, overall = running_slope_pct(line)  # type: ignore[misc]
    assert steepest == pytest.approx(10.0)
    assert overall == pytest.approx(4.0)
    assert running_slope_pct(LineString([(0, 0), (1, 0)])) is None


def test_ramp_line_acceptance() -> None:
    ramp = ramp_from_geometry(LineString([(0, 0, 0.0), (6, 0, 0.6)]))
    assert isinstance(ramp, RampGeometry)
    assert ramp.slope_pct == pytest.approx(10.0)
    assert ramp.rise_cm == pytest.approx(60.0)
    assert ramp.length_m == pytest.approx(6.0)
    assert ramp.max_slope_pct == pytest.approx(10.0)


def test_ramp_going_down_and_bent() -> None:
    ramp = ramp_from_geometry(LineString([(0, 0, 1.0), (3, 0, 0.85), (3, 4, 0.65)]))
    assert ramp is not None
    assert ramp.length_m == pytest.approx(7.0)
    assert ramp.rise_cm == pytest.approx(35.0)
    assert ramp.slope_pct == pytest.approx(5.0)
    assert ramp.max_slope_pct == pytest.approx(5.0)


def test_ramp_multiline_is_merged() -> None:
    ml = MultiLineString([[(0, 0, 0), (3, 0, 0.15)], [(3, 0, 0.15), (6, 0, 0.3)]])
    ramp = ramp_from_geometry(ml)
    assert ramp is not None and ramp.length_m == pytest.approx(6.0)
    assert ramp.slope_pct == pytest.approx(5.0)


def test_ramp_without_z() -> None:
    assert ramp_from_geometry(LineString([(0, 0), (6, 0)])) is None
    assert ramp_from_geometry(Polygon([(0, 0), (6, 0), (6, 1), (0, 1)])) is None
    with pytest.raises(TypeError):
        ramp_from_geometry(Point(0, 0, 1))


@pytest.mark.parametrize("angle", [0.0, 30.0, 90.0, 137.0])
def test_plane_fit_tilted_rectangle(angle: float) -> None:
    poly = tilted_rectangle(10.0, 2.0, running=0.05, cross=0.02, angle_deg=angle)
    running, cross = polygon_slopes(poly)  # type: ignore[misc]
    assert running == pytest.approx(5.0, abs=1e-6)
    assert cross == pytest.approx(2.0, abs=1e-6)


def test_plane_fit_with_extra_vertices_and_hole() -> None:
    outer = tilted_rectangle(10.0, 3.0, running=-0.04, cross=0.01, angle_deg=15)
    c = np.array(outer.exterior.coords)
    centre = c[:-1].mean(axis=0)
    hole = centre + 0.3 * (c - centre)  # shrunk towards the centre: stays on the plane
    mid = (c[:-1] + np.roll(c[:-1], -1, axis=0)) / 2  # extra vertices halfway along each side
    ring = [tuple(p) for pair in zip(c[:-1], mid) for p in pair]
    poly = Polygon(ring, [hole[::-1]])
    running, cross = polygon_slopes(poly)  # type: ignore[misc]
    assert running == pytest.approx(4.0, abs=1e-6)
    assert cross == pytest.approx(1.0, abs=1e-6)


def test_polygon_ramp() -> None:
    ramp = ramp_from_geometry(tilted_rectangle(6.0, 1.5, running=0.0625, cross=0.0, angle_deg=45))
    assert ramp is not None
    assert ramp.length_m == pytest.approx(6.0)
    assert ramp.slope_pct == pytest.approx(6.25)
    assert ramp.rise_cm == pytest.approx(37.5)


def test_polygon_slopes_none_without_z_or_plane() -> None:
    assert polygon_slopes(Polygon([(0, 0), (1, 0), (1, 1)])) is None
    flat_line = Polygon([(0, 0, 0), (1, 0, 0), (2, 0, 0)])  # collinear vertices
    assert polygon_slopes(flat_line) is None
    with pytest.raises(TypeError):
        polygon_slopes(LineString([(0, 0, 0), (1, 1, 1)]))  # type: ignore[arg-type]


def test_disagrees() -> None:
    assert not disagrees(8.0, 8.4)  # within 0.5 percentage point
    assert disagrees(8.0, 8.6)
    assert not disagrees(None, 8.6)
    assert not disagrees(8.0, None)
    assert not disagrees(8.0, float("nan"))
    # lengths: 5 cm or 5 %
    assert not disagrees(6.0, 6.25, LENGTH_TOLERANCE_M, relative=LENGTH_TOLERANCE_REL)
    assert disagrees(6.0, 6.4, LENGTH_TOLERANCE_M, relative=LENGTH_TOLERANCE_REL)
    assert not disagrees(0.5, 0.54, LENGTH_TOLERANCE_M, relative=LENGTH_TOLERANCE_REL)
    assert disagrees(0.5, 0.56, LENGTH_TOLERANCE_M, relative=LENGTH_TOLERANCE_REL)
    with pytest.raises(ValueError):
        disagrees(1.0, 1.0, -0.1)
