"""Many float ranges at once give exactly the floats of np.arange, one range at a time."""

from __future__ import annotations

import numpy as np
import pytest

from inclusiecheck.geometry.ranges import arange_counts, arange_values


@pytest.mark.parametrize("step", [0.05, 0.5, 0.3, 1e-3, 7.0])
def test_ranges_are_numpy_arange_bit_for_bit(step: float) -> None:
    rng = np.random.default_rng(17)
    starts = np.concatenate([rng.uniform(-1e5, 1e5, 200), rng.uniform(-5, 5, 200),
                             [0.0, 0.1, 151234.56, -3.3, 2.0]])
    stops = starts + np.concatenate([rng.uniform(-1, 40, 400), [0.5, 0.05, 7.25, 1e-9, -1.0]])
    counts = arange_counts(starts, stops, step)
    expected = [np.arange(a, b, step) for a, b in zip(starts.tolist(), stops.tolist())]
    assert counts.tolist() == [len(e) for e in expected]
    owner = np.repeat(np.arange(len(starts)), counts)
    i = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    got = arange_values(starts[owner], np.full(len(owner), step), i)
    assert got.tobytes() == np.concatenate(expected).tobytes()
    # a scalar step gives the same
    assert arange_values(starts[owner], step, i).tobytes() == got.tobytes()


def test_naive_start_plus_i_step_differs_somewhere() -> None:
    """Why the module exists: start + i * step is not what numpy gives (so the test above
    can tell the two apart)."""
    rng = np.random.default_rng(3)
    starts = rng.uniform(-1e5, 1e5, 500)
    differs = 0
    for a in starts.tolist():
        ref = np.arange(a, a + 5.0, 0.05)
        differs += int((a + np.arange(len(ref)) * 0.05 != ref).any())
    assert differs > 0
