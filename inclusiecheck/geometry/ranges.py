"""Many float ranges at once, with the values ``np.arange`` gives one range at a time.

Several vectorised measures (clear-width stations, sightline depth grids) replace a loop of
``np.arange(start, stop, step)`` calls by one pass over all ranges; their results must stay
the same floats, bit for bit. ``np.arange`` has ``ceil((stop - start) / step)`` values (none
when that is not positive) and fills a float range as ``start``, ``start + step``, then
``start + i * d`` with ``d = (start + step) - start``: not ``start + i * step``, which can
differ in the last bit. The tests compare with ``np.arange`` itself.
"""

from __future__ import annotations

import numpy as np

__all__ = ["arange_counts", "arange_values"]


def arange_counts(starts: np.ndarray, stops: np.ndarray, step: np.ndarray | float) -> np.ndarray:
    """The number of values of ``np.arange(starts[k], stops[k], step[k])`` for every k."""
    return np.maximum(np.ceil((stops - starts) / step), 0.0).astype(np.intp)


def arange_values(starts: np.ndarray, step: np.ndarray | float, i: np.ndarray) -> np.ndarray:
    """Value ``i[n]`` of ``np.arange(starts[n], ..., step[n])`` for every n (``starts`` and
    ``step`` given per value)."""
    second = starts + step
    values = starts + i * (second - starts)
    values[i == 0] = starts[i == 0]
    at_one = i == 1
    values[at_one] = second[at_one]
    return values
