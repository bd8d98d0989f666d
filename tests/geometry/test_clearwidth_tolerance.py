"""Clear widths are measured to the centimetre: drawing noise below the measurement tolerance
(``WIDTH_TOLERANCE_M``) is no narrowing, a real shortfall is."""

from __future__ import annotations

import pytest
import shapely
from shapely.geometry import LineString, Polygon, box

from inclusiecheck.geometry.clearwidth import (
    WIDTH_TOLERANCE_M,
    below_required,
    clear_width,
    clear_width_centreline,
    round_width,
)

AXIS = LineString([(0, 0), (10, 0.3), (20, 0), (30, 0.4), (40, 0.1)])


def bent(width: float) -> Polygon:
    """``width`` wide along a centre line with slight bends, vertices to the millimetre."""
    return shapely.set_precision(AXIS.buffer(width / 2, cap_style="flat", join_style="mitre"),
                                 0.001)


def test_tolerance_is_half_a_centimetre() -> None:
    assert WIDTH_TOLERANCE_M == 0.005


@pytest.mark.parametrize(("width", "shown", "fails"), [
    (1.0, 1.0, False), (0.9994, 1.0, False), (0.995, 1.0, False), (0.9949, 0.99, True),
    (0.99, 0.99, True), (0.95, 0.95, True), (1.2345, 1.23, False),
])
def test_round_width_and_below_required_agree(width: float, shown: float, fails: bool) -> None:
    assert round_width(width) == shown
    assert below_required(width, 1.0) is fails
    assert (round_width(width) < 1.0) is fails


def test_bent_one_metre_walkway_has_no_narrowing_below_one_metre() -> None:
    result = clear_width(bent(1.00), min_required_m=1.0)
    assert result.min_width_m < 1.0                  # noise: 0.9994 m on some sections
    assert result.min_width_m > 1.0 - WIDTH_TOLERANCE_M
    assert round_width(result.min_width_m) == 1.0
    assert result.narrowings == ()


def test_bent_095_walkway_is_one_narrowing_over_its_length() -> None:
    result = clear_width(bent(0.95), min_required_m=1.0)
    assert round_width(result.min_width_m) == 0.95
    assert len(result.narrowings) == 1
    assert result.narrowings[0].length_m == pytest.approx(AXIS.length, rel=0.02)


def test_shortfall_beyond_the_tolerance_is_a_narrowing() -> None:
    # a 2 m rectangle with a cabinet leaving 0.99 m over 1 m: a real 1 cm shortfall
    walk = box(0, 0, 20, 2)
    cabinet = box(9.5, 0, 10.5, 1.01)
    result = clear_width(walk, [cabinet], min_required_m=1.0)
    assert round_width(result.min_width_m) == 0.99
    assert len(result.narrowings) == 1
    # 0.997 m (3 mm short) is within the tolerance
    result = clear_width(walk, [box(9.5, 0, 10.5, 1.003)], min_required_m=1.0)
    assert result.narrowings == ()


def test_centreline_width_within_tolerance() -> None:
    result = clear_width_centreline(LineString([(0, 0), (20, 0)]), 0.996, min_required_m=1.0)
    assert result.narrowings == ()
    result = clear_width_centreline(LineString([(0, 0), (20, 0)]), 0.99, min_required_m=1.0)
    assert len(result.narrowings) == 1
