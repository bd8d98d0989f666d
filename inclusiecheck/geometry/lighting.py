"""Illuminance from point-source luminaires, for the social-safety lighting checks.

The model is the classic point-by-point calculation of EN 13201-3 with simplifications that
suit a plan review (see ``docs/method-lighting.md``):

- every luminaire is a point source at ``mounting_height_m`` above a flat ground plane;
- its light distribution is rotationally symmetric: intensity depends only on the vertical
  angle gamma (0 = straight down), given in cd per 1000 lm of lamp flux (cd/klm);
- only direct light counts (no reflections from facades or the ground, no obstruction by
  trees or buildings); no light is emitted above the horizontal;
- results are *maintained* values: the initial value times a maintenance factor.

Horizontal illuminance at a ground point::

    E_h = MF * sum_i I_i(gamma) * cos(gamma) / d^2 = MF * sum_i I_i(gamma) * h_i / d^3

Semi-cylindrical illuminance at ``face_height_m`` for a face turned towards ``v``::

    E_sc = MF * sum_i I_i(eps) * (1 + cos(alpha)) * sin(eps) / (pi * d^2)

with ``eps`` the angle of the ray from the vertical, ``alpha`` the horizontal angle between
``v`` and the direction from the point to the luminaire, and ``d`` the distance from the
luminaire to the point at face height (the EN 13201-3 form, written with ``d``).
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

import numpy as np
import shapely
from shapely import ops
from shapely.geometry import GeometryCollection
from shapely.geometry.base import BaseGeometry

__all__ = [
    "DEFAULT_CLASS_BY_KIND",
    "DEFAULT_DISTRIBUTION",
    "DEFAULT_FACE_HEIGHT_M",
    "DEFAULT_MAINTENANCE_FACTOR",
    "DEFAULT_NIGHT_TIME",
    "DEFAULT_SPACING_M",
    "DISTRIBUTION_NAMES",
    "LED_STREET_TABLE",
    "LIGHTING_CLASSES",
    "NEGLIGIBLE_LX",
    "LightingClass",
    "LightingInputError",
    "LightingStats",
    "Luminaire",
    "Scenario",
    "downward_flux_fraction",
    "grid_points",
    "grid_points_many",
    "horizontal_illuminance",
    "intensity_cd_per_klm",
    "is_off",
    "lighting_stats",
    "meets_class",
    "parse_scenario",
    "path_directions",
    "reach_m",
    "scenario_flux",
    "semicylindrical_illuminance",
]


class LightingInputError(ValueError):
    """Bad input to a lighting calculation (luminaire data, geometry, options)."""


# ---------------------------------------------------------------------------------------------
# Defaults (documented in docs/method-lighting.md)
# ---------------------------------------------------------------------------------------------

DEFAULT_DISTRIBUTION = "led_street"
DEFAULT_MAINTENANCE_FACTOR = 0.8
DEFAULT_SPACING_M = 1.0
DEFAULT_FACE_HEIGHT_M = 1.5
DEFAULT_NIGHT_TIME = "01:00"
DEFAULT_DARK_HALF_WIDTH_M = 1.0
MIN_POINTS_ACROSS = 3
#: A luminaire is ignored at points where its largest possible (initial, MF = 1) contribution
#: is below this illuminance: 1/400 of the lowest P-class minimum (P6: 0.40 lx), so that even
#: the sum of many far luminaires left out stays well below the class minimums.
NEGLIGIBLE_LX = 0.001

_LOWER_HEMISPHERE_SAMPLES = 90_001

#: Relative intensity of the default ``led_street`` distribution by gamma (degrees).
#: A rotationally averaged batwing typical of LED street and path luminaires: about 110 cd/klm
#: at nadir, rising to a peak of about 284 cd/klm at 60 degrees, falling steeply to about
#: 22 cd/klm at 80 degrees (below the 30 cd/klm of the CIE "cut-off" class) and zero from 90
#: degrees up. Scaled at import so that the downward flux equals the lamp flux (LOR 1.0).
_LED_STREET_RELATIVE: tuple[tuple[float, float], ...] = (
    (0.0, 1.00), (5.0, 1.01), (10.0, 1.04), (15.0, 1.09), (20.0, 1.16), (25.0, 1.26),
    (30.0, 1.39), (35.0, 1.55), (40.0, 1.75), (45.0, 1.98), (50.0, 2.22), (55.0, 2.45),
    (60.0, 2.60), (65.0, 2.50), (70.0, 1.90), (75.0, 0.90), (80.0, 0.20), (85.0, 0.04),
    (90.0, 0.00),
)


def _table_flux_klm(gamma_deg: np.ndarray, values: np.ndarray) -> float:
    """Downward flux (in units of 1000 lm) of a linearly interpolated cd/klm table."""
    g = np.linspace(0.0, 90.0, _LOWER_HEMISPHERE_SAMPLES)
    i = np.interp(g, gamma_deg, values, right=0.0)
    rad = np.radians(g)
    return float(2.0 * np.pi * np.trapezoid(i * np.sin(rad), rad) / 1000.0)


def _normalised_led_street() -> tuple[tuple[float, float], ...]:
    g = np.array([p[0] for p in _LED_STREET_RELATIVE])
    v = np.array([p[1] for p in _LED_STREET_RELATIVE])
    scale = 1.0 / _table_flux_klm(g, v)
    return tuple((float(a), float(b * scale)) for a, b in zip(g, v))


#: The ``led_street`` table in cd/klm, normalised to a downward flux of 1000 lm per klm.
LED_STREET_TABLE: tuple[tuple[float, float], ...] = _normalised_led_street()

DISTRIBUTION_NAMES: tuple[str, ...] = ("led_street", "lambertian", "isotropic_down")

#: A distribution: one of DISTRIBUTION_NAMES, or a table of (gamma_deg, cd_per_klm) pairs.
DistributionSpec = str | tuple[tuple[float, float], ...]
IntensityFunction = Callable[[np.ndarray], np.ndarray]


def _normalise_spec(distribution: Any) -> DistributionSpec:
    """Return a hashable distribution spec, or raise LightingInputError."""
    if isinstance(distribution, str):
        if distribution not in DISTRIBUTION_NAMES:
            raise LightingInputError(
                f"unknown light distribution {distribution!r}; use one of "
                f"{', '.join(DISTRIBUTION_NAMES)} or a table of (gamma_deg, cd_per_klm) pairs"
            )
        return distribution
    try:
        table = tuple((float(g), float(v)) for g, v in distribution)
    except (TypeError, ValueError) as exc:
        raise LightingInputError(
            f"a custom light distribution must be a list of (gamma_deg, cd_per_klm) pairs: {exc}"
        ) from None
    _validate_table(table)
    return table


@lru_cache(maxsize=256)
def _validate_table(table: tuple[tuple[float, float], ...]) -> None:
    if len(table) < 2:
        raise LightingInputError("a light distribution table needs at least two (gamma, cd) rows")
    g = np.array([p[0] for p in table])
    v = np.array([p[1] for p in table])
    if not (np.all(np.isfinite(g)) and np.all(np.isfinite(v))):
        raise LightingInputError("a light distribution table holds a non-finite number")
    if g[0] != 0.0 or np.any(np.diff(g) <= 0.0):
        raise LightingInputError(
            "a light distribution table must start at gamma 0 and increase strictly"
        )
    if np.any(v < 0.0):
        raise LightingInputError("a light distribution table holds a negative intensity")
    fraction = _table_flux_klm(g, v)
    if fraction > 1.02:
        raise LightingInputError(
            f"the light distribution table sends {fraction:.3f} x the lamp flux downwards "
            "(more than the lamp emits); give intensities in cd per 1000 lm"
        )


@lru_cache(maxsize=64)
def _intensity_function(spec: DistributionSpec) -> IntensityFunction:
    """Return f(gamma_rad) -> cd/klm, zero above the horizontal."""
    if spec == "lambertian":
        def lambertian(gamma: np.ndarray) -> np.ndarray:
            return np.where(gamma <= np.pi / 2, (1000.0 / np.pi) * np.cos(gamma), 0.0)
        return lambertian
    if spec == "isotropic_down":
        def isotropic(gamma: np.ndarray) -> np.ndarray:
            return np.where(gamma <= np.pi / 2, 1000.0 / (2.0 * np.pi), 0.0)
        return isotropic
    table = LED_STREET_TABLE if spec == "led_street" else spec
    assert not isinstance(table, str)
    g_deg = np.array([p[0] for p in table])
    values = np.array([p[1] for p in table])

    def tabulated(gamma: np.ndarray) -> np.ndarray:
        gd = np.degrees(gamma)
        return np.where(gd <= 90.0, np.interp(gd, g_deg, values, right=0.0), 0.0)

    return tabulated


def intensity_cd_per_klm(distribution: object, gamma_deg: np.ndarray | float) -> np.ndarray:
    """Luminous intensity in cd per 1000 lm at vertical angle(s) ``gamma_deg``.

    Parameters
    ----------
    distribution
        A name in ``DISTRIBUTION_NAMES`` or a table of ``(gamma_deg, cd_per_klm)`` pairs
        (linear interpolation; zero beyond the last row and above 90 degrees).
    gamma_deg
        Angle(s) from the downward vertical, in degrees.
    """
    spec = _normalise_spec(distribution)
    gamma = np.radians(np.asarray(gamma_deg, dtype=float))
    return _intensity_function(spec)(gamma)


def downward_flux_fraction(distribution: object) -> float:
    """Flux sent into the lower hemisphere, as a fraction of the lamp flux (the LOR).

    Integrates ``2 pi * int_0^{pi/2} I(gamma) sin(gamma) d gamma`` numerically; 1.0 for the
    built-in distributions.
    """
    spec = _normalise_spec(distribution)
    g = np.linspace(0.0, np.pi / 2, _LOWER_HEMISPHERE_SAMPLES)
    i = _intensity_function(spec)(g)
    return float(2.0 * np.pi * np.trapezoid(i * np.sin(g), g) / 1000.0)


# ---------------------------------------------------------------------------------------------
# Luminaires, switching and scenarios
# ---------------------------------------------------------------------------------------------

_HHMM = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")


def _minutes(text: str, *, allow_24: bool = False) -> int:
    m = _HHMM.match(text)
    if not m:
        raise LightingInputError(f"time {text!r} is not of the form HH:MM")
    hours, minutes = int(m.group(1)), int(m.group(2))
    if minutes >= 60 or hours > 24 or (hours == 24 and (minutes or not allow_24)):
        raise LightingInputError(f"time {text!r} is not a valid time of day")
    return hours * 60 + minutes


@lru_cache(maxsize=256)
def _off_ranges(off_hours: str) -> tuple[tuple[int, int], ...]:
    """Parse ``"23:00-05:00"`` (several ranges may be separated by commas) into minutes."""
    ranges = []
    for part in off_hours.split(","):
        bits = re.split(r"\s*[-\u2013\u2014]\s*", part.strip())
        if len(bits) != 2:
            raise LightingInputError(
                f"off_hours {off_hours!r} is not of the form HH:MM-HH:MM (e.g. 00:00-05:00)"
            )
        start, end = _minutes(bits[0]), _minutes(bits[1], allow_24=True)
        if start == end:
            raise LightingInputError(
                f"off_hours {off_hours!r} has an empty range ({part.strip()}); "
                "say 00:00-24:00 for a light that is always off"
            )
        ranges.append((start, end))
    return tuple(ranges)


@dataclass(frozen=True, slots=True)
class Luminaire:
    """One light point: a point source at ``mounting_height_m`` above the ground.

    Parameters
    ----------
    x, y
        Position in the projected metric CRS.
    mounting_height_m
        Height of the light centre above the ground (> 0).
    luminous_flux_lm
        Lamp (for LED: luminaire) flux at full output (>= 0).
    distribution
        A name in ``DISTRIBUTION_NAMES`` (default ``"led_street"``) or a table of
        ``(gamma_deg, cd_per_klm)`` pairs; a list is turned into a tuple.
    dimmed_pct
        Night level as a percentage of full output; ``None``: not dimmed.
    off_hours
        Time range(s) in which the light is switched off, e.g. ``"00:00-05:00"`` or
        ``"23:00-05:00"`` (across midnight); ``None``: never off.
    """

    x: float
    y: float
    mounting_height_m: float
    luminous_flux_lm: float
    distribution: DistributionSpec = DEFAULT_DISTRIBUTION
    dimmed_pct: float | None = None
    off_hours: str | None = None

    def __post_init__(self) -> None:
        for name in ("x", "y", "mounting_height_m", "luminous_flux_lm", "dimmed_pct"):
            value = getattr(self, name)
            if value is None and name == "dimmed_pct":
                continue
            is_number = isinstance(value, numbers.Real) and not isinstance(value, bool)
            if not is_number or not math.isfinite(value):
                raise LightingInputError(f"luminaire {name} must be a finite number, got {value!r}")
            object.__setattr__(self, name, float(value))
        if self.mounting_height_m <= 0.0:
            raise LightingInputError(
                f"luminaire mounting_height_m must be > 0, got {self.mounting_height_m}"
            )
        if self.luminous_flux_lm < 0.0:
            raise LightingInputError(
                f"luminaire luminous_flux_lm must be >= 0, got {self.luminous_flux_lm}"
            )
        if self.dimmed_pct is not None and not (0.0 <= self.dimmed_pct <= 100.0):
            raise LightingInputError(
                f"luminaire dimmed_pct must be between 0 and 100, got {self.dimmed_pct}"
            )
        if self.off_hours is not None:
            _off_ranges(self.off_hours)
        object.__setattr__(self, "distribution", _normalise_spec(self.distribution))


def is_off(luminaire: Luminaire, time: str) -> bool:
    """Whether the luminaire is switched off at ``time`` ("HH:MM").

    A range ``start-end`` includes its start and excludes its end; a range whose start is
    later than its end runs across midnight (``"23:00-05:00"`` is off at 23:00 and 04:59,
    on at 05:00).
    """
    t = _minutes(time)
    if luminaire.off_hours is None:
        return False
    for start, end in _off_ranges(luminaire.off_hours):
        if start < end:
            if start <= t < end:
                return True
        elif t >= start or t < end:
            return True
    return False


@dataclass(frozen=True, slots=True)
class Scenario:
    """An operating state: ``evening`` (full output) or ``night`` at a time of day."""

    kind: Literal["evening", "night"]
    time: str = DEFAULT_NIGHT_TIME

    def __post_init__(self) -> None:
        if self.kind not in ("evening", "night"):
            raise LightingInputError(
                f"unknown lighting scenario {self.kind!r}; use 'evening' or 'night'"
            )
        _minutes(self.time)


def parse_scenario(scenario: Scenario | str | None) -> Scenario | None:
    """Turn ``"evening"``, ``"night"`` or ``"night@01:00"`` / ``"night 01:00"`` into a Scenario."""
    if scenario is None or isinstance(scenario, Scenario):
        return scenario
    if not isinstance(scenario, str):
        raise LightingInputError(f"a lighting scenario must be a string, got {scenario!r}")
    bits = re.split(r"[@\s]+", scenario.strip(), maxsplit=1)
    kind = bits[0].lower()
    if kind not in ("evening", "night"):
        raise LightingInputError(
            f"unknown lighting scenario {scenario!r}; use 'evening', 'night' or 'night@HH:MM'"
        )
    if len(bits) == 2 and bits[1]:
        return Scenario(kind, bits[1])  # type: ignore[arg-type]
    return Scenario(kind)  # type: ignore[arg-type]


def scenario_flux(luminaire: Luminaire, scenario: Scenario | str | None) -> float:
    """Lamp flux in lm in a scenario.

    ``None`` or ``"evening"``: full flux. ``"night"`` (at ``Scenario.time``, default 01:00):
    zero when switched off at that time, else ``dimmed_pct`` % of full when dimmed (dimming
    is assumed to last the whole night), else full. Output is taken as linear in flux.
    """
    sc = parse_scenario(scenario)
    full = float(luminaire.luminous_flux_lm)
    if sc is None or sc.kind == "evening":
        return full
    if is_off(luminaire, sc.time):
        return 0.0
    if luminaire.dimmed_pct is not None:
        return full * luminaire.dimmed_pct / 100.0
    return full


# ---------------------------------------------------------------------------------------------
# Point-by-point calculation
# ---------------------------------------------------------------------------------------------

def _as_points(points_xy: np.ndarray) -> np.ndarray:
    pts = np.asarray(points_xy, dtype=float)
    if pts.size == 0:
        return np.zeros((0, 2))
    if pts.ndim != 2 or pts.shape[1] != 2:
        raise LightingInputError(f"points_xy must be an (N, 2) array, got shape {pts.shape}")
    if not np.all(np.isfinite(pts)):
        raise LightingInputError("points_xy holds a non-finite coordinate")
    return pts


def _check_mf(maintenance_factor: float) -> None:
    if not (0.0 < maintenance_factor <= 1.0):
        raise LightingInputError(
            f"maintenance_factor must be in (0, 1], got {maintenance_factor}"
        )


_T_GRID = np.concatenate([np.linspace(0.0, 20.0, 4001)[:-1], np.geomspace(20.0, 5000.0, 2000)])


@lru_cache(maxsize=64)
def _envelope(spec: DistributionSpec, kernel: str) -> np.ndarray:
    """Non-increasing envelope G(t) = max_{t' >= t} g(t') of the normalised kernel g.

    With t = r / h (horizontal distance over height difference) the largest possible
    contribution of a luminaire at horizontal distance r is ``flux/1000 * g(t) / h**2``:
    horizontal: g = I(gamma) cos^3(gamma); semi-cylindrical: g = 2/pi I(gamma) sin cos^2.
    """
    gamma = np.arctan(_T_GRID)
    i = _intensity_function(spec)(gamma)
    if kernel == "horizontal":
        g = i * np.cos(gamma) ** 3
    else:
        g = (2.0 / np.pi) * i * np.sin(gamma) * np.cos(gamma) ** 2
    return np.maximum.accumulate(g[::-1])[::-1]


def _reach(
    spec: DistributionSpec, kernel: str, height_m: np.ndarray, flux_lm: np.ndarray,
    negligible_lx: float, max_reach_m: float | None,
) -> np.ndarray:
    """Per-luminaire horizontal reach beyond which its contribution is < negligible_lx."""
    env = _envelope(spec, kernel)
    with np.errstate(divide="ignore", over="ignore"):
        c = np.where(flux_lm > 0.0, negligible_lx * 1000.0 * height_m**2 / flux_lm, np.inf)
    # number of grid values with env >= c (env is non-increasing)
    count = np.searchsorted(-env, -c, side="right")
    t = _T_GRID[np.minimum(count, len(_T_GRID) - 1)]
    reach = np.where(count > 0, t * height_m, 0.0)
    if max_reach_m is not None:
        reach = np.minimum(reach, max_reach_m)
    return reach


def reach_m(
    luminaire: Luminaire, *, scenario: Scenario | str | None = None,
    negligible_lx: float = NEGLIGIBLE_LX,
) -> float:
    """Horizontal distance beyond which a luminaire adds less than ``negligible_lx`` (E_h, MF 1)."""
    spec = _normalise_spec(luminaire.distribution)
    r = _reach(
        spec, "horizontal", np.array([luminaire.mounting_height_m]),
        np.array([scenario_flux(luminaire, scenario)]), negligible_lx, None,
    )
    return float(r[0])


@dataclass(frozen=True)
class _LumArrays:
    xy: np.ndarray
    height_m: np.ndarray
    flux_lm: np.ndarray
    spec_index: np.ndarray
    specs: tuple[DistributionSpec, ...]


def _lum_arrays(luminaires: Sequence[Luminaire], scenario: Scenario | str | None) -> _LumArrays:
    sc = parse_scenario(scenario)
    specs: dict[DistributionSpec, int] = {}
    n = len(luminaires)
    xy = np.empty((n, 2))
    h = np.empty(n)
    flux = np.empty(n)
    idx = np.empty(n, dtype=np.intp)
    for k, lum in enumerate(luminaires):
        if not isinstance(lum, Luminaire):
            raise LightingInputError(f"expected a Luminaire, got {type(lum).__name__}")
        xy[k] = (lum.x, lum.y)
        h[k] = lum.mounting_height_m
        flux[k] = scenario_flux(lum, sc)
        idx[k] = specs.setdefault(lum.distribution, len(specs))
    return _LumArrays(xy, h, flux, idx, tuple(specs))


def _pairs(
    points: np.ndarray, lum_xy: np.ndarray, reach: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(luminaire index, point index) of every point within its luminaire's reach."""
    active = np.flatnonzero(reach > 0.0)
    if active.size == 0 or len(points) == 0:
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty
    tree = shapely.STRtree(shapely.points(points))
    hits = tree.query(
        shapely.points(lum_xy[active]), predicate="dwithin", distance=reach[active]
    )
    return active[hits[0]], hits[1].astype(np.intp)


def _per_spec_reach(
    lum: _LumArrays, kernel: str, height_m: np.ndarray, negligible_lx: float,
    max_reach_m: float | None,
) -> np.ndarray:
    reach = np.zeros(len(lum.flux_lm))
    for s, spec in enumerate(lum.specs):
        sel = lum.spec_index == s
        reach[sel] = _reach(
            spec, kernel, height_m[sel], lum.flux_lm[sel], negligible_lx, max_reach_m
        )
    return reach


def _intensity_cd(lum: _LumArrays, li: np.ndarray, gamma: np.ndarray) -> np.ndarray:
    """Intensity in cd of luminaire ``li[k]`` towards angle ``gamma[k]``."""
    out = np.empty(len(li))
    spec_of_pair = lum.spec_index[li]
    for s, spec in enumerate(lum.specs):
        sel = spec_of_pair == s
        if np.any(sel):
            out[sel] = _intensity_function(spec)(gamma[sel])
    return out * lum.flux_lm[li] / 1000.0


def horizontal_illuminance(
    points_xy: np.ndarray,
    luminaires: Sequence[Luminaire],
    *,
    maintenance_factor: float = DEFAULT_MAINTENANCE_FACTOR,
    scenario: Scenario | str | None = None,
    max_reach_m: float | None = None,
    negligible_lx: float = NEGLIGIBLE_LX,
) -> np.ndarray:
    """Maintained horizontal illuminance in lx at ground points.

    ``E = MF * sum I(gamma) * h / d**3`` over the luminaires (inverse-square and cosine law).
    A luminaire is skipped at points farther than its reach: the horizontal distance beyond
    which its largest possible contribution is below ``negligible_lx`` (computed from its
    distribution, height and scenario flux), capped at ``max_reach_m`` when given.

    Parameters
    ----------
    points_xy
        (N, 2) ground points in the metric CRS.
    luminaires
        The light points.
    maintenance_factor
        Maintained over initial output, in (0, 1]; default 0.8.
    scenario
        ``None``/``"evening"``: full output; ``"night"`` or ``"night@HH:MM"``: dimmed or off.
    max_reach_m
        Optional upper bound on every luminaire's reach.
    negligible_lx
        Contribution below which a luminaire is ignored at a point (default 0.001 lx).

    Returns
    -------
    numpy.ndarray
        (N,) illuminance in lx.
    """
    pts = _as_points(points_xy)
    _check_mf(maintenance_factor)
    if max_reach_m is not None and max_reach_m < 0:
        raise LightingInputError(f"max_reach_m must be >= 0, got {max_reach_m}")
    out = np.zeros(len(pts))
    if len(pts) == 0 or len(luminaires) == 0:
        return out
    lum = _lum_arrays(luminaires, scenario)
    reach = _per_spec_reach(lum, "horizontal", lum.height_m, negligible_lx, max_reach_m)
    li, pi = _pairs(pts, lum.xy, reach)
    return _horizontal_sum(pts, lum, li, pi, out) * maintenance_factor


def _horizontal_sum(pts: np.ndarray, lum: _LumArrays, li: np.ndarray, pi: np.ndarray,
                    out: np.ndarray) -> np.ndarray:
    """Add the contribution of every (luminaire ``li``, point ``pi``) pair to ``out``; per
    point in the order of the pairs (ascending luminaire index, as :func:`_pairs` gives them)."""
    if li.size == 0:
        return out
    d = pts[pi] - lum.xy[li]
    h = lum.height_m[li]
    r2 = np.einsum("ij,ij->i", d, d)
    d2 = r2 + h * h
    gamma = np.arctan2(np.sqrt(r2), h)
    e = _intensity_cd(lum, li, gamma) * h / (d2 * np.sqrt(d2))
    out += np.bincount(pi, weights=e, minlength=len(pts))
    return out


def horizontal_illuminance_groups(
    points_xy: np.ndarray,
    group_of_point: np.ndarray,
    luminaires: Sequence[Luminaire],
    lights_of_group: Sequence[np.ndarray],
    *,
    maintenance_factor: float = DEFAULT_MAINTENANCE_FACTOR,
    scenario: Scenario | str | None = None,
    negligible_lx: float = NEGLIGIBLE_LX,
) -> np.ndarray:
    """:func:`horizontal_illuminance` of many groups of points in one call (the batch form):
    the points of group ``g`` (``group_of_point == g``) are lit by the luminaires
    ``lights_of_group[g]`` only (ascending indices into ``luminaires``), exactly as one call
    per group with those luminaires would give (the same pairs, summed in the same order).
    One spatial index over all points and one pass over all pairs replace a call per group;
    only the luminaires some group is lit by are prepared and queried.
    """
    pts = _as_points(points_xy)
    _check_mf(maintenance_factor)
    groups = np.asarray(group_of_point, dtype=np.int64)
    if groups.shape != (len(pts),):
        raise LightingInputError("group_of_point must give one group per point")
    out = np.zeros(len(pts))
    if len(pts) == 0 or len(luminaires) == 0:
        return out
    for light in luminaires:
        if not isinstance(light, Luminaire):
            raise LightingInputError(f"expected a Luminaire, got {type(light).__name__}")
    # only the luminaires some group is lit by, in ascending order: every pair kept below and
    # its place in the sum per point are those of the whole list
    ids_of = [np.asarray(ids, dtype=np.int64) for ids in lights_of_group]
    used = np.unique(np.concatenate(ids_of)) if ids_of else np.zeros(0, dtype=np.int64)
    if used.size == 0:
        return out * maintenance_factor
    lum = _lum_arrays([luminaires[i] for i in used.tolist()], scenario)
    reach = _per_spec_reach(lum, "horizontal", lum.height_m, negligible_lx, None)
    li, pi = _pairs(pts, lum.xy, reach)
    group_rows = np.repeat(np.arange(len(ids_of)), [len(ids) for ids in ids_of])
    used_cols = np.searchsorted(used, np.concatenate(ids_of))
    if len(ids_of) * len(used) <= _ALLOWED_CELLS:
        allowed = np.zeros((len(ids_of), len(used)), dtype=bool)
        allowed[group_rows, used_cols] = True
        keep = allowed[groups[pi], li]
    else:
        keep = np.isin(groups[pi] * len(used) + li, group_rows * len(used) + used_cols)
    return _horizontal_sum(pts, lum, li[keep], pi[keep], out) * maintenance_factor


#: Largest (groups x luminaires used) table of allowed pairs kept as a boolean array (16 MB);
#: beyond it ``np.isin`` decides which pairs are allowed.
_ALLOWED_CELLS = 1 << 24


_CARDINAL = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0]])


def semicylindrical_illuminance(
    points_xy: np.ndarray,
    luminaires: Sequence[Luminaire],
    *,
    face_height_m: float = DEFAULT_FACE_HEIGHT_M,
    view_directions: np.ndarray | None = None,
    both_ways: bool = True,
    maintenance_factor: float = DEFAULT_MAINTENANCE_FACTOR,
    scenario: Scenario | str | None = None,
    max_reach_m: float | None = None,
    negligible_lx: float = NEGLIGIBLE_LX,
) -> np.ndarray:
    """Maintained semi-cylindrical illuminance in lx at ``face_height_m`` above ground points.

    ``E_sc = MF * sum I(eps) * (1 + cos alpha) * sin(eps) / (pi * d**2)`` (EN 13201-3 form):
    ``eps`` is the angle of the incident ray from the vertical, ``alpha`` the horizontal angle
    between the direction the face looks (the normal of the semi-cylinder's curved side) and
    the direction from the point to the luminaire, ``d`` the distance from the luminaire to
    the point at face height. Luminaires not above face height contribute nothing.

    Parameters
    ----------
    view_directions
        (N, 2) or (2,) direction the face looks, e.g. the path direction from
        :func:`path_directions` (need not be unit length). With ``both_ways`` (default) the
        result is the minimum over the direction and its opposite, i.e. for people walking
        either way. ``None``: the minimum over the four grid directions +x, +y, -x, -y (for
        areas without a main walking direction).
    """
    pts = _as_points(points_xy)
    _check_mf(maintenance_factor)
    if not math.isfinite(face_height_m) or face_height_m < 0:
        raise LightingInputError(f"face_height_m must be >= 0, got {face_height_m}")
    n = len(pts)
    if view_directions is None:
        dirs = None
    else:
        v = np.asarray(view_directions, dtype=float)
        v = np.broadcast_to(v, (n, 2)) if v.shape == (2,) else v
        if v.shape != (n, 2):
            raise LightingInputError(
                f"view_directions must have shape (2,) or ({n}, 2), got {np.shape(view_directions)}"
            )
        norm = np.hypot(v[:, 0], v[:, 1])
        if np.any(~np.isfinite(norm)) or np.any(norm == 0.0):
            raise LightingInputError("view_directions holds a zero or non-finite vector")
        dirs = v / norm[:, None]
    if n == 0 or len(luminaires) == 0:
        return np.zeros(n)
    lum = _lum_arrays(luminaires, scenario)
    dh = lum.height_m - face_height_m
    flux_ok = dh > 0.0
    safe_dh = np.where(flux_ok, dh, 1.0)
    reach = np.where(
        flux_ok,
        _per_spec_reach(lum, "semicylindrical", safe_dh, negligible_lx, max_reach_m),
        0.0,
    )
    li, pi = _pairs(pts, lum.xy, reach)
    if li.size == 0:
        return np.zeros(n)
    hv = lum.xy[li] - pts[pi]  # horizontal vector point -> luminaire
    r = np.hypot(hv[:, 0], hv[:, 1])
    h = dh[li]
    d2 = r * r + h * h
    eps = np.arctan2(r, h)
    base = _intensity_cd(lum, li, eps) * (r / np.sqrt(d2)) / (np.pi * d2)
    with np.errstate(invalid="ignore", divide="ignore"):
        unit = np.where(r[:, None] > 0.0, hv / r[:, None], 0.0)
    if dirs is None:
        candidates = [unit @ c for c in _CARDINAL]
    else:
        cos_a = np.einsum("ij,ij->i", unit, dirs[pi])
        candidates = [cos_a, -cos_a] if both_ways else [cos_a]
    results = [np.bincount(pi, weights=base * (1.0 + c), minlength=n) for c in candidates]
    return np.minimum.reduce(results) * maintenance_factor


# ---------------------------------------------------------------------------------------------
# Sampling
# ---------------------------------------------------------------------------------------------

def _explode(geom: BaseGeometry) -> tuple[list, list, list]:
    """Split into non-empty polygons, linestrings and points."""
    polys: list = []
    lines: list = []
    points: list = []
    stack = [geom]
    while stack:
        g = stack.pop()
        if g is None or g.is_empty:
            continue
        t = g.geom_type
        if t == "Polygon":
            polys.append(g)
        elif t in ("LineString", "LinearRing"):
            lines.append(g)
        elif t == "Point":
            points.append(g)
        elif t in ("MultiPolygon", "MultiLineString", "MultiPoint", "GeometryCollection"):
            stack.extend(reversed(list(shapely.get_parts(g))))
        else:
            raise LightingInputError(f"cannot sample geometry of type {t}")
    return polys, lines, points


@dataclass
class _LineSample:
    line: BaseGeometry
    length_m: float
    positions_m: np.ndarray  # (n,) arc length of each station
    step_m: float
    points: np.ndarray  # (n * n_across, 2), station-major
    n_across: int


def _line_coords(line: BaseGeometry) -> np.ndarray:
    coords = shapely.get_coordinates(line)
    if len(coords) > 1:
        keep = np.r_[True, np.any(np.diff(coords, axis=0) != 0.0, axis=1)]
        coords = coords[keep]
    return coords


def _sample_line(line: BaseGeometry, spacing_m: float, width_m: float | None) -> _LineSample:
    """The calculation points of one line (see :func:`grid_points`)."""
    return _sample_lines([line], spacing_m, [width_m])[0]


def _starts(counts: np.ndarray) -> np.ndarray:
    """Where each of consecutive runs of ``counts`` items starts (0 for the first)."""
    counts = np.asarray(counts, dtype=np.int64)
    return np.cumsum(counts) - counts


#: Lines with at most this many segments find the segment of each station by comparing it
#: with every vertex distance of its line (an (stations, segments + 1) array); longer lines
#: search their own vertex distances one line at a time.
_SEGMENTS_COMPARED = 32


def _segmented_cumsum(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``np.r_[0.0, np.cumsum(v)]`` of every consecutive run ``v`` of ``counts[j]`` values
    (each run >= 1), concatenated: one ``cumsum`` per run length over a 2-D array (numpy
    accumulates each row left to right, as over a 1-D array: the same sums to the bit)."""
    if len(counts) == 0:
        return np.zeros(0)
    starts = _starts(counts)
    out = np.empty(len(values) + len(counts))
    out_starts = starts + np.arange(len(counts))
    out[out_starts] = 0.0
    for m in np.unique(counts).tolist():
        rows = np.flatnonzero(counts == m)
        cols = np.arange(m)
        sums = np.cumsum(values[starts[rows][:, None] + cols], axis=1)
        out[(out_starts[rows] + 1)[:, None] + cols] = sums
    return out


def _sample_lines(lines: Sequence[BaseGeometry], spacing_m: float,
                  widths: Sequence[float | None]) -> list[_LineSample]:
    """The calculation points of many lines (:func:`grid_points` for a line) in array
    operations over all their vertices and stations; for every line the same arithmetic, in
    the same order, as one line at a time (tested against that form)."""
    n_lines = len(lines)
    if n_lines == 0:
        return []
    arr = np.empty(n_lines, dtype=object)
    arr[:] = list(lines)
    coords, owner = shapely.get_coordinates(arr, return_index=True)
    # drop a vertex equal to the one before it on the same line (a zero-length segment)
    keep = np.ones(len(coords), dtype=bool)
    if len(coords) > 1:
        same_line = owner[1:] == owner[:-1]
        moved = np.any(np.diff(coords, axis=0) != 0.0, axis=1)
        keep[1:] = ~same_line | moved
    coords, owner = coords[keep], owner[keep]
    n_vertices = np.bincount(owner, minlength=n_lines)
    first_vertex = _starts(n_vertices)
    n_across = [1 if not w else max(MIN_POINTS_ACROSS, math.ceil(w / spacing_m - 1e-9))
                for w in widths]
    # segments of the lines with a length (two vertices or more)
    in_line = owner[1:] == owner[:-1]
    seg = np.diff(coords, axis=0)[in_line]
    seglen = np.hypot(seg[:, 0], seg[:, 1])
    n_segments = np.maximum(n_vertices - 1, 0)
    first_segment = _starts(n_segments)
    has_length = np.flatnonzero(n_segments > 0)
    cum = _segmented_cumsum(seglen, n_segments[has_length])
    first_cum = np.zeros(n_lines, dtype=np.int64)
    first_cum[has_length] = (first_segment[has_length] + np.arange(len(has_length)))
    length = np.zeros(n_lines)
    length[has_length] = cum[first_cum[has_length] + n_segments[has_length]]
    n_stations = np.ones(n_lines, dtype=np.int64)
    n_stations[has_length] = np.maximum(
        1, np.ceil(length[has_length] / spacing_m - 1e-9)).astype(np.int64)
    step = np.zeros(n_lines)
    step[has_length] = length[has_length] / n_stations[has_length]
    # stations of the lines with a length
    line_of = np.repeat(has_length, n_stations[has_length])
    first_station = _starts(n_stations[has_length])
    local = np.arange(len(line_of)) - np.repeat(first_station, n_stations[has_length])
    s = (local + 0.5) * step[line_of]
    k = _segment_of_stations(cum, first_cum, n_segments, line_of, s)
    seg_k = first_segment[line_of] + k
    t = (s - cum[first_cum[line_of] + k]) / seglen[seg_k]
    base = coords[first_vertex[line_of] + k] + t[:, None] * seg[seg_k]
    out: list[_LineSample] = []
    at = 0
    for j, line in enumerate(lines):
        na = n_across[j]
        if n_segments[j] == 0:   # zero-length line
            pts = np.repeat(coords[first_vertex[j]:first_vertex[j] + 1], na, axis=0)
            out.append(_LineSample(line, 0.0, np.zeros(1), 0.0, pts, na))
            continue
        n = int(n_stations[j])
        sl = slice(at, at + n)
        at += n
        width_m = widths[j]
        if na == 1 or not width_m:
            out.append(_LineSample(line, float(length[j]), s[sl], float(step[j]), base[sl], 1))
            continue
        sk = seg_k[sl]
        tangent = seg[sk] / seglen[sk][:, None]
        normal = np.column_stack([-tangent[:, 1], tangent[:, 0]])
        offsets = (np.arange(na) + 0.5) * (width_m / na) - width_m / 2.0
        pts = base[sl][:, None, :] + offsets[None, :, None] * normal[:, None, :]
        out.append(_LineSample(line, float(length[j]), s[sl], float(step[j]),
                               pts.reshape(-1, 2), na))
    return out


def _segment_of_stations(cum: np.ndarray, first_cum: np.ndarray, n_segments: np.ndarray,
                         line_of: np.ndarray, s: np.ndarray) -> np.ndarray:
    """The segment (0-based, within its line) of the station at distance ``s`` along line
    ``line_of``: ``clip(searchsorted(cum_line, s, "right") - 1, 0, segments - 1)`` with
    ``cum_line`` the line's vertex distances (non-decreasing: "right" counts those <= s)."""
    k = np.zeros(len(s), dtype=np.int64)
    m_of = n_segments[line_of]
    for m in np.unique(m_of).tolist():
        idx = np.flatnonzero(m_of == m)
        if m == 1:
            continue   # one segment: clip gives 0
        if m <= _SEGMENTS_COMPARED:
            vertex_cum = cum[first_cum[line_of[idx]][:, None] + np.arange(m + 1)]
            count = np.count_nonzero(vertex_cum <= s[idx][:, None], axis=1)
        else:
            count = np.empty(len(idx), dtype=np.int64)
            lines_m = line_of[idx]
            bounds = np.flatnonzero(np.r_[True, lines_m[1:] != lines_m[:-1], True])
            for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
                j = int(lines_m[a])
                count[a:b] = np.searchsorted(cum[first_cum[j]:first_cum[j] + m + 1],
                                             s[idx[a:b]], side="right")
        k[idx] = np.clip(count - 1, 0, m - 1)
    return k


@dataclass
class _AreaSample:
    polygon: BaseGeometry
    points: np.ndarray
    cells: list  # one box per point, or [polygon] for a representative point


def _sample_polygon(poly: BaseGeometry, spacing_m: float) -> _AreaSample:
    minx, miny, maxx, maxy = poly.bounds
    xs = (np.arange(math.floor(minx / spacing_m), math.ceil(maxx / spacing_m)) + 0.5) * spacing_m
    ys = (np.arange(math.floor(miny / spacing_m), math.ceil(maxy / spacing_m)) + 0.5) * spacing_m
    gx, gy = (g.ravel() for g in np.meshgrid(xs, ys))
    shapely.prepare(poly)
    inside = shapely.intersects_xy(poly, gx, gy)
    if not np.any(inside):
        rp = poly.representative_point()
        return _AreaSample(poly, np.array([[rp.x, rp.y]]), [poly])
    pts = np.column_stack([gx[inside], gy[inside]])
    return _AreaSample(poly, pts, [])


#: Grid centres or cells handled by one array call at most (bounds the memory of a batch of
#: large polygons to about that of the largest; a polygon larger than this goes alone).
_CELLS_PER_CALL = 1 << 20


def _chunks(counts: Sequence[int], limit: int = _CELLS_PER_CALL) -> list[tuple[int, int]]:
    """Consecutive index ranges ``[a, b)`` whose counts add up to at most ``limit`` (an item
    above the limit forms a range of its own)."""
    out: list[tuple[int, int]] = []
    start, total = 0, 0
    for k, n in enumerate(counts):
        if k > start and total + n > limit:
            out.append((start, k))
            start, total = k, 0
        total += n
    if start < len(counts):
        out.append((start, len(counts)))
    return out


def _sample_polygons(polys: Sequence[BaseGeometry], spacing_m: float) -> list[_AreaSample]:
    """:func:`_sample_polygon` of many polygons: the grid of each built the same way (the
    same centres, row by row, ``(index + 0.5) * spacing_m`` from the same integer indices as
    ``meshgrid`` of the two ``arange`` axes), the centres of many polygons made in array
    operations and tested in one ``intersects_xy`` call against the prepared polygons."""
    out: list[_AreaSample] = []
    if not polys:
        return out
    arr_all = np.empty(len(polys), dtype=object)
    arr_all[:] = list(polys)
    bounds = shapely.bounds(arr_all)
    first_x = np.floor(bounds[:, 0] / spacing_m).astype(np.int64)
    first_y = np.floor(bounds[:, 1] / spacing_m).astype(np.int64)
    n_x = np.ceil(bounds[:, 2] / spacing_m).astype(np.int64) - first_x
    n_y = np.ceil(bounds[:, 3] / spacing_m).astype(np.int64) - first_y
    counts = (n_x * n_y).tolist()
    for a, b in _chunks(counts):
        arr = arr_all[a:b]
        shapely.prepare(arr)
        chunk_counts = np.asarray(counts[a:b], dtype=np.int64)
        owner = np.repeat(np.arange(b - a), chunk_counts)
        local = np.arange(len(owner)) - _starts(chunk_counts)[owner]
        row_len = n_x[a:b][owner]
        gx_all = (first_x[a:b][owner] + local % row_len + 0.5) * spacing_m
        gy_all = (first_y[a:b][owner] + local // row_len + 0.5) * spacing_m
        inside_all = shapely.intersects_xy(arr[owner], gx_all, gy_all)
        n_inside = np.bincount(owner[inside_all], minlength=b - a).tolist()
        inside_xy = np.column_stack([gx_all[inside_all], gy_all[inside_all]])
        at = 0
        for poly, n in zip(polys[a:b], n_inside):
            if n == 0:
                rp = poly.representative_point()
                out.append(_AreaSample(poly, np.array([[rp.x, rp.y]]), [poly]))
            else:
                out.append(_AreaSample(poly, inside_xy[at:at + n], []))
                at += n
    return out


def _check_spacing(spacing_m: float) -> None:
    if not (isinstance(spacing_m, (int, float)) and math.isfinite(spacing_m) and spacing_m > 0):
        raise LightingInputError(f"spacing_m must be a positive number, got {spacing_m!r}")


def _check_width(width_m: float | None) -> None:
    if width_m is not None and not (math.isfinite(width_m) and width_m >= 0):
        raise LightingInputError(f"width_m must be >= 0, got {width_m!r}")


def grid_points(
    geom: BaseGeometry, spacing_m: float = DEFAULT_SPACING_M, *, width_m: float | None = None
) -> np.ndarray:
    """Calculation points over a geometry, as an (N, 2) array.

    - Polygon: centres of a regular ``spacing_m`` grid (aligned to multiples of the spacing,
      so results do not depend on the polygon's extent) that lie in or on the polygon; a
      polygon too small to hold one centre gets its representative point.
    - Line: stations at the centres of ``n = ceil(length / spacing_m)`` equal intervals (a
      line shorter than the spacing gets its midpoint). With ``width_m``, each station gets
      ``max(3, ceil(width_m / spacing_m))`` points across the width, at the centres of equal
      strips (EN 13201-3 places at least three points across a lane in the same way).
    - Point: the point itself. Multi-part geometries and collections: all parts, in order.
    """
    _check_spacing(spacing_m)
    _check_width(width_m)
    polys, lines, points = _explode(geom)
    parts = [_sample_polygon(p, spacing_m).points for p in polys]
    parts += [ls.points for ls in _sample_lines(lines, spacing_m, [width_m] * len(lines))]
    parts += [np.array([[p.x, p.y]]) for p in points]
    return np.concatenate(parts) if parts else np.zeros((0, 2))


def grid_points_many(
    geoms: Sequence[BaseGeometry], spacing_m: float = DEFAULT_SPACING_M, *,
    width_m: float | None = None
) -> list[np.ndarray]:
    """:func:`grid_points` of many geometries, in order: the lines of all of them are
    sampled in one array pass (the same points, to the bit, as geometry by geometry)."""
    _check_spacing(spacing_m)
    _check_width(width_m)
    exploded = [_explode(g) for g in geoms]
    all_lines = [ln for _, lines, _ in exploded for ln in lines]
    samples = _sample_lines(all_lines, spacing_m, [width_m] * len(all_lines))
    out: list[np.ndarray] = []
    at = 0
    for polys, lines, points in exploded:
        parts = [_sample_polygon(p, spacing_m).points for p in polys]
        parts += [ls.points for ls in samples[at:at + len(lines)]]
        at += len(lines)
        parts += [np.array([[p.x, p.y]]) for p in points]
        out.append(np.concatenate(parts) if parts else np.zeros((0, 2)))
    return out


def path_directions(path: BaseGeometry, points_xy: np.ndarray) -> np.ndarray:
    """Unit direction of the nearest segment of ``path`` for each point, as (N, 2).

    ``path`` is a (Multi)LineString, or a (Multi)Polygon whose boundary segments are used
    (the direction along the nearest edge). The sign follows the drawing direction;
    :func:`semicylindrical_illuminance` takes both ways by default.
    """
    pts = _as_points(points_xy)
    polys, lines, _ = _explode(path)
    lines = lines + [ring for p in polys for ring in shapely.get_rings(p)]
    segs = []
    for ln in lines:
        c = _line_coords(ln)
        if len(c) >= 2:
            segs.append(np.stack([c[:-1], c[1:]], axis=1))
    if not segs:
        raise LightingInputError("path has no segment of non-zero length to take a direction from")
    seg = np.concatenate(segs)
    if len(pts) == 0:
        return np.zeros((0, 2))
    tree = shapely.STRtree(shapely.linestrings(seg))
    hit = tree.query_nearest(shapely.points(pts), all_matches=False)
    order = np.argsort(hit[0], kind="stable")
    nearest = hit[1][order]
    vec = seg[nearest, 1] - seg[nearest, 0]
    return vec / np.hypot(vec[:, 0], vec[:, 1])[:, None]


# ---------------------------------------------------------------------------------------------
# Statistics and classes
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LightingStats:
    """Illuminance statistics over the calculation points of one geometry.

    ``uniformity`` is U0 = E_min / E_avg (0 when the average is 0). ``dark`` is the part of
    the geometry below ``min_required_lx`` (grid cells for areas; for lines the dark
    stretches of the centre line, buffered by half the width or 1 m); empty when no
    requirement was given. ``dark_length_m`` is the length of the dark stretches along line
    centre lines (0 for areas); ``dark_area_m2`` the area of ``dark``.
    """

    avg_lx: float
    min_lx: float
    max_lx: float
    uniformity: float
    n_points: int
    dark: BaseGeometry
    dark_length_m: float
    dark_area_m2: float
    min_required_lx: float | None = None
    spacing_m: float = DEFAULT_SPACING_M
    points_xy: np.ndarray = field(
        default_factory=lambda: np.zeros((0, 2)), repr=False, compare=False
    )
    illuminance_lx: np.ndarray = field(
        default_factory=lambda: np.zeros(0), repr=False, compare=False
    )


def _merge_runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Inclusive index ranges of consecutive True values."""
    if not mask.any():
        return []
    m = np.zeros(len(mask) + 2, dtype=np.int8)
    m[1:-1] = mask
    diff = m[1:] - m[:-1]
    starts = np.flatnonzero(diff == 1)
    ends = np.flatnonzero(diff == -1) - 1
    return list(zip(starts.tolist(), ends.tolist()))


def _dark_line_pieces(
    sample: _LineSample, e: np.ndarray, required: float
) -> tuple[list[tuple[BaseGeometry, bool]], float]:
    """The dark stretches of a line before buffering: ``(geometry, flat)`` per stretch (a
    centre-line piece, buffered with flat ends; or the point of a zero-length line, buffered
    round) and their total length."""
    return _dark_line_pieces_many([sample], [e], required)[0]


def _dark_line_pieces_many(
    samples: Sequence[_LineSample], es: Sequence[np.ndarray], required: float
) -> list[tuple[list[tuple[BaseGeometry, bool]], float]]:
    """:func:`_dark_line_pieces` of many lines: the dark stations and their runs of all lines
    in array operations, the pieces of line through :func:`_substrings` (array calls)."""
    if not samples:
        return []
    e_all = np.concatenate(list(es))
    n_across = np.array([smp.n_across for smp in samples], dtype=np.int64)
    n_stations = np.array([len(smp.positions_m) for smp in samples], dtype=np.int64)
    station_across = np.repeat(n_across, n_stations)
    station_start = _starts(station_across)
    station_min = np.minimum.reduceat(e_all, station_start) if len(e_all) else e_all
    dark = station_min < required
    first = _starts(n_stations)
    line_of = np.repeat(np.arange(len(samples)), n_stations)
    local = np.arange(len(dark)) - first[line_of]
    prev_dark = np.r_[False, dark[:-1]] & (local > 0)
    next_dark = np.r_[dark[1:], False] & (local < n_stations[line_of] - 1)
    run_start = np.flatnonzero(dark & ~prev_dark)
    run_end = np.flatnonzero(dark & ~next_dark)
    run_line = line_of[run_start].tolist()
    pos = np.concatenate([smp.positions_m for smp in samples])
    step = np.array([smp.step_m for smp in samples])
    length = np.array([smp.length_m for smp in samples])
    half_step = step[line_of[run_start]] / 2
    lo = pos[run_start] - half_step
    hi = pos[run_end] + half_step
    s0 = np.where(lo > 0.0, lo, 0.0)   # max(0.0, lo)
    run_len = length[line_of[run_start]]
    s1 = np.where(hi < run_len, hi, run_len)   # min(length, hi)
    out: list[tuple[list[tuple[BaseGeometry, bool]], float]] = [([], 0.0) for _ in samples]
    cut: list[int] = []
    for r, j in enumerate(run_line):
        if samples[j].length_m == 0.0:
            out[j][0].append((shapely.get_point(samples[j].line, 0), False))
        else:
            cut.append(r)
    pieces = _substrings([samples[run_line[r]].line for r in cut],
                         s0[cut].tolist(), s1[cut].tolist())
    totals = [0.0] * len(samples)
    for r, piece in zip(cut, pieces):
        j = run_line[r]
        totals[j] += float(s1[r]) - float(s0[r])
        out[j][0].append((piece, True))
    return [(geoms, totals[j]) for j, (geoms, _t) in enumerate(out)]



def _has_m(geoms: np.ndarray) -> np.ndarray:
    """``shapely.has_m`` of every geometry; all false where shapely has no ``has_m`` (before
    2.1) or GEOS cannot tell (before 3.12): such a GEOS keeps no M values at all."""
    has_m = getattr(shapely, "has_m", None)
    if has_m is not None:
        try:
            return np.asarray(has_m(geoms), dtype=bool)
        except shapely.errors.UnsupportedGEOSVersionError:
            pass
    return np.zeros(len(geoms), dtype=bool)

def _substrings(lines: Sequence[BaseGeometry], starts_m: Sequence[float],
                ends_m: Sequence[float]) -> list[BaseGeometry]:
    """``shapely.ops.substring(lines[k], starts_m[k], ends_m[k])`` for every k, with
    ``0 <= start < end``: the end points by one ``line_interpolate_point`` call, the
    vertices between them chosen as ``substring`` does (the same distance sums, in Python
    floats), the lines made by one ``linestrings`` call. Anything else (3-D lines, a start
    or end beyond the line's length) goes through ``substring`` itself."""
    n = len(lines)
    out: list[BaseGeometry | None] = [None] * n
    if n == 0:
        return []
    arr = np.empty(n, dtype=object)
    arr[:] = list(lines)
    geos_length = shapely.length(arr).tolist()
    extra_dims = (shapely.has_z(arr) | _has_m(arr)).tolist()
    simple = [k for k in range(n)
              if not extra_dims[k] and 0.0 <= starts_m[k] < ends_m[k]
              and starts_m[k] < geos_length[k]]
    for k in sorted(set(range(n)) - set(simple)):
        out[k] = ops.substring(lines[k], starts_m[k], ends_m[k])
    if simple:
        sel = arr[simple]
        start_xy = shapely.get_coordinates(shapely.line_interpolate_point(
            sel, np.array([starts_m[k] for k in simple]))).tolist()
        end_xy = shapely.get_coordinates(shapely.line_interpolate_point(
            sel, np.array([ends_m[k] for k in simple]))).tolist()
        n_coords = shapely.get_num_coordinates(sel).tolist()
        vertices: list = []
        owner: list[int] = []
        for i, k in enumerate(simple):
            vertex_list = [tuple(start_xy[i])]
            if n_coords[i] > 2:   # inner vertices between start and end (as substring)
                start_dist, end_dist = starts_m[k], ends_m[k]
                current_distance: float = 0
                coords = shapely.get_coordinates(lines[k]).tolist()
                for p1, p2 in zip(coords, coords[1:]):
                    if start_dist < current_distance < end_dist:
                        vertex_list.append(tuple(p1))
                    elif current_distance >= end_dist:
                        break
                    current_distance += ((p2[0] - p1[0]) ** 2 + (p2[1] - p1[1]) ** 2) ** 0.5
            vertex_list.append(tuple(end_xy[i]))
            vertices += vertex_list
            owner += [i] * len(vertex_list)
        made = shapely.linestrings(np.array(vertices, dtype=float),
                                   indices=np.array(owner, dtype=np.intp))
        for k, g in zip(simple, made.tolist()):
            out[k] = g
    return out  # type: ignore[return-value]


#: The buffer arguments of ``BaseGeometry.buffer`` (``quad_segs`` 16, not the 8 of
#: ``shapely.buffer``), so that the array form gives the same polygons.
_QUAD_SEGS = 16


def _buffer_pieces(pieces: list[tuple[BaseGeometry, bool, float]]) -> list[BaseGeometry]:
    """The buffers of dark pieces ``(geometry, flat, half_width)`` in two array calls: a
    centre-line piece ``piece.buffer(half_width, cap_style="flat")`` (itself when the half
    width is 0), a point ``point.buffer(half_width)``. Each element is the same GEOS buffer
    with the same arguments as one call per piece."""
    out: list[BaseGeometry] = [g for g, _flat, _hw in pieces]
    for flat in (False, True):
        idx = [k for k, (_g, f, hw) in enumerate(pieces) if f == flat and (hw > 0 or not flat)]
        if not idx:
            continue
        geoms = np.array([pieces[k][0] for k in idx], dtype=object)
        dist = np.array([pieces[k][2] for k in idx], dtype=float)
        done = shapely.buffer(geoms, dist, quad_segs=_QUAD_SEGS,
                              cap_style="flat" if flat else "round", join_style="round",
                              mitre_limit=5.0)
        for k, g in zip(idx, done.tolist()):
            out[k] = g
    return out


def _block_unions(points: np.ndarray, counts: Sequence[int] | np.ndarray, half: float
                  ) -> tuple[np.ndarray, np.ndarray]:
    """``coverage_union_all`` of the cells around each group of grid centres that forms a
    full block, without the cells: ``points`` holds ``counts[k]`` centres per group (each
    group non-empty); the cells reach ``half`` either side of a centre. Returns whether each
    group is a full block and the union polygon of each block (in group order).

    A group is a full block when its centres are the rows of a rectangle, row by row
    (y ascending, x ascending within a row, as the grid gives them), each cell's edges
    exactly on its neighbours' (``x[i] + half == x[i + 1] - half`` as floats). GEOS's
    union of such cells is one polygon whose shell runs clockwise from the lower left
    corner (up the left side, along the top, down the right side, back along the bottom)
    through every cell corner on the boundary; a single column (one cell wide, two or more
    high) starts one vertex earlier, at the lower right corner. The vertex values are the
    cells' own corner values. :func:`_block_unions_match_geos` checks this against the GEOS
    in use (tests: against ``coverage_union_all`` on many blocks)."""
    counts_arr = np.asarray(counts, dtype=np.int64)
    n_groups = len(counts_arr)
    if n_groups == 0:
        return np.zeros(0, dtype=bool), np.empty(0, dtype=object)
    start = _starts(counts_arr)
    owner = np.repeat(np.arange(n_groups), counts_arr)
    local = np.arange(len(points)) - start[owner]
    x, y = points[:, 0], points[:, 1]
    lo_x, hi_x, lo_y, hi_y = x - half, x + half, y - half, y + half
    # columns: the centres before the first one off the group's first row
    off_first_row = y != y[start[owner]]
    nx = np.minimum.reduceat(np.where(off_first_row, local, counts_arr[owner]), start)
    ny = counts_arr // nx
    nx_of, ny_of = nx[owner], ny[owner]
    col, row = local % nx_of, local // nx_of
    row_start = start[owner] + row * nx_of
    good = (x == x[start[owner] + col]) & (y == y[row_start]) & (lo_x < hi_x) & (lo_y < hi_y)
    # each cell's right (upper) edge on the next one's left (lower) edge; the index is
    # clipped for a group that is no block (its last row short)
    index, last_index = np.arange(len(x)), len(x) - 1
    last_col = col >= nx_of - 1
    good &= last_col | (hi_x == lo_x[np.minimum(index + 1, last_index)])
    last_row = row >= ny_of - 1
    good &= last_row | (hi_y == lo_y[np.minimum(index + nx_of, last_index)])
    is_block = (counts_arr % nx == 0) & (np.bincount(owner, weights=~good,
                                                     minlength=n_groups) == 0)
    blocks = np.flatnonzero(is_block)
    if len(blocks) == 0:
        return is_block, np.empty(0, dtype=object)
    bx, by, b_start = nx[blocks], ny[blocks], start[blocks]
    ring_len = 2 * (bx + by) + 1
    ring_of = np.repeat(np.arange(len(blocks)), ring_len)
    pos = np.arange(int(ring_len.sum())) - _starts(ring_len)[ring_of]
    rx, ry, n_pos = bx[ring_of], by[ring_of], ring_len[ring_of]
    column = (rx == 1) & (ry > 1)
    pos = np.where(column, (pos - 1) % (n_pos - 1), pos)   # a column starts one earlier
    left, top, right = pos <= ry, pos <= ry + rx, pos <= 2 * ry + rx
    ix = np.where(left, 0, np.where(top, pos - ry, np.where(right, rx, 2 * (rx + ry) - pos)))
    iy = np.where(left, pos, np.where(top, ry, np.where(right, 2 * ry + rx - pos, 0)))
    first = b_start[ring_of]
    ring_x = np.where(ix < rx, lo_x[first + np.minimum(ix, rx - 1)], hi_x[first + rx - 1])
    ring_y = np.where(iy < ry, lo_y[first + np.minimum(iy, ry - 1) * rx],
                      hi_y[first + (ry - 1) * rx])
    rings = shapely.linearrings(np.column_stack([ring_x, ring_y]), indices=ring_of)
    return is_block, shapely.polygons(rings)


#: Block sizes (columns, rows) on which :func:`_block_unions_match_geos` compares GEOS's
#: union with :func:`_block_unions`.
_BLOCK_PROBES = ((1, 1), (1, 2), (2, 1), (1, 3), (3, 1), (2, 2), (3, 4), (4, 3), (5, 5))


@lru_cache(maxsize=1)
def _block_unions_match_geos() -> bool:
    """Whether ``coverage_union_all`` of the cells of full blocks gives, vertex for vertex,
    the polygons :func:`_block_unions` builds (checked once on small blocks; another GEOS may
    order the vertices otherwise, and then every block goes through GEOS)."""
    half = 0.5
    for nx, ny in _BLOCK_PROBES:
        xs = np.arange(nx) + 100.5
        ys = np.arange(ny) + 200.5
        p = np.column_stack([np.tile(xs, ny), np.repeat(ys, nx)])
        boxes = shapely.box(p[:, 0] - half, p[:, 1] - half, p[:, 0] + half, p[:, 1] + half)
        is_block, union = _block_unions(p, [len(p)], half)
        if not is_block[0] or shapely.to_wkb(shapely.coverage_union_all(boxes)) != \
                shapely.to_wkb(union[0]):
            return False
    return True


def _dark_areas(samples: Sequence[_AreaSample], es: Sequence[np.ndarray], required: float,
                spacing_m: float) -> list[list]:
    """The dark part of each sampled polygon ``samples[k]`` with illuminance ``es[k]``: ``[]``
    when no point is dark, the polygon itself when it was sampled by its representative point,
    else the grid cells (``spacing_m`` squares) around its dark points, merged
    (``coverage_union_all``) and cut to the polygon.

    The cells of many polygons are made by one ``shapely.box`` call (up to
    ``_CELLS_PER_CALL`` cells) and the cuts by one ``shapely.intersection`` call; element by
    element these are the same GEOS operations on the same coordinates as one call per
    polygon, so every vertex is the same (only the per-call overhead goes). Dark cells that
    form a full block (a rectangle of cells, e.g. a rectangular area dark all over) get their
    union without cells or ``coverage_union_all``: :func:`_block_unions` builds the same
    polygon, vertex for vertex, where :func:`_block_unions_match_geos` finds GEOS doing so."""
    out: list[list] = [[] for _ in samples]
    cut: list[int] = []
    dark_pts: list[np.ndarray] = []
    for k, (smp, e) in enumerate(zip(samples, es)):
        dark = e < required
        if not dark.any():
            continue
        if smp.cells:  # representative point: the whole polygon
            out[k] = [smp.polygon]
            continue
        cut.append(k)
        dark_pts.append(smp.points[dark])
    if not cut:
        return out
    half = spacing_m / 2
    unions = np.empty(len(cut), dtype=object)
    use_blocks = _block_unions_match_geos()
    for a, b in _chunks([len(q) for q in dark_pts]):
        counts = np.array([len(q) for q in dark_pts[a:b]])
        p = np.concatenate(dark_pts[a:b])
        if use_blocks:   # full blocks of cells: their union without the cells
            is_block, block_unions = _block_unions(p, counts, half)
            unions[a + np.flatnonzero(is_block)] = block_unions
            p = p[~np.repeat(is_block, counts)]
            rest = np.flatnonzero(~is_block).tolist()
        else:
            rest = list(range(b - a))
        if not rest:
            continue
        boxes = shapely.box(p[:, 0] - half, p[:, 1] - half, p[:, 0] + half, p[:, 1] + half)
        bounds = np.concatenate(([0], np.cumsum(counts[rest]))).tolist()
        for i, j in enumerate(rest):
            unions[a + j] = shapely.coverage_union_all(boxes[bounds[i]:bounds[i + 1]])
    polygons = np.empty(len(cut), dtype=object)
    polygons[:] = [samples[k].polygon for k in cut]
    for k, g in zip(cut, shapely.intersection(unions, polygons).tolist()):
        out[k] = [g]
    return out


def lighting_stats(
    geom: BaseGeometry,
    luminaires: Sequence[Luminaire],
    *,
    spacing_m: float = DEFAULT_SPACING_M,
    width_m: float | None = None,
    maintenance_factor: float = DEFAULT_MAINTENANCE_FACTOR,
    scenario: Scenario | str | None = None,
    min_required_lx: float | None = None,
    max_reach_m: float | None = None,
) -> LightingStats:
    """Average, minimum, maximum and uniformity of the horizontal illuminance over ``geom``.

    Points come from :func:`grid_points` (``width_m`` adds points across a line). The
    average is the arithmetic mean over the points, as in EN 13201-3. With
    ``min_required_lx``, ``dark`` holds where E < the requirement: for a line a station is
    dark when any point across its width is, and the stretch is buffered by ``width_m / 2``
    (1 m without a width).

    Raises
    ------
    LightingInputError
        On an empty geometry or bad options.
    """
    _check_stats_options(spacing_m, width_m, min_required_lx)
    sample = _sample(geom, spacing_m, width_m)
    e = horizontal_illuminance(
        sample.points, luminaires, maintenance_factor=maintenance_factor, scenario=scenario,
        max_reach_m=max_reach_m,
    )
    return _stats(sample, e, spacing_m, width_m, min_required_lx)


def lighting_stats_many(
    geoms: Sequence[BaseGeometry],
    luminaires: Sequence[Luminaire],
    lights_of_geom: Sequence[np.ndarray],
    *,
    spacing_m: float = DEFAULT_SPACING_M,
    widths_m: Sequence[float | None] | None = None,
    maintenance_factor: float = DEFAULT_MAINTENANCE_FACTOR,
    scenario: Scenario | str | None = None,
    min_required_lx: float | None = None,
) -> list[LightingStats]:
    """:func:`lighting_stats` of many geometries in one call (arrays in, arrays out):
    ``geoms[k]`` lit by the luminaires ``lights_of_geom[k]`` (ascending indices into
    ``luminaires``), with width ``widths_m[k]``. The calculation points of all geometries go
    through one :func:`horizontal_illuminance_groups` call; every figure is the same as
    :func:`lighting_stats` gives one geometry at a time with those luminaires.

    Raises
    ------
    LightingInputError
        As :func:`lighting_stats`, for the first geometry that cannot be sampled.
    """
    widths = list(widths_m) if widths_m is not None else [None] * len(geoms)
    if len(widths) != len(geoms) or len(lights_of_geom) != len(geoms):
        raise LightingInputError("geoms, widths_m and lights_of_geom must have one entry each")
    for width in widths:
        _check_stats_options(spacing_m, width, min_required_lx)
    samples = _sample_many(geoms, spacing_m, widths)
    if not samples:
        return []
    counts = np.array([len(smp.points) for smp in samples])
    e_all = horizontal_illuminance_groups(
        np.concatenate([smp.points for smp in samples]), np.repeat(np.arange(len(samples)), counts),
        luminaires, lights_of_geom, maintenance_factor=maintenance_factor, scenario=scenario)
    bounds = np.concatenate(([0], np.cumsum(counts))).tolist()
    return _stats_many(samples, [e_all[bounds[k]:bounds[k + 1]] for k in range(len(samples))],
                       spacing_m, widths, min_required_lx)


def _check_stats_options(spacing_m: float, width_m: float | None,
                         min_required_lx: float | None) -> None:
    _check_spacing(spacing_m)
    _check_width(width_m)
    if min_required_lx is not None and not (
        math.isfinite(min_required_lx) and min_required_lx >= 0
    ):
        raise LightingInputError(f"min_required_lx must be >= 0, got {min_required_lx!r}")


@dataclass
class _Sample:
    areas: list[_AreaSample]
    lines: list[_LineSample]
    points_geoms: list
    points: np.ndarray


def _sample(geom: BaseGeometry, spacing_m: float, width_m: float | None) -> _Sample:
    """The calculation points of a geometry (:func:`grid_points`), with their parts."""
    return _sample_many([geom], spacing_m, [width_m])[0]


def _sample_many(geoms: Sequence[BaseGeometry], spacing_m: float,
                 widths: Sequence[float | None]) -> list[_Sample]:
    """:func:`_sample` of many geometries; the polygons of all of them through
    :func:`_sample_polygons` (one point-in-polygon call). Raises for the first geometry that
    cannot be sampled, as one call per geometry would."""
    exploded = []
    for geom in geoms:
        polys, lines, points = _explode(geom)
        if not (polys or lines or points):
            raise LightingInputError("cannot compute lighting statistics of an empty geometry")
        exploded.append((polys, lines, points))
    areas_all = _sample_polygons([p for polys, _l, _p in exploded for p in polys], spacing_m)
    lines_all = _sample_lines([ln for _p, lines, _q in exploded for ln in lines], spacing_m,
                              [w for (_p, lines, _q), w in zip(exploded, widths) for _ln in lines])
    out = []
    at = 0
    at_line = 0
    for polys, lines, points in exploded:
        areas = areas_all[at:at + len(polys)]
        at += len(polys)
        line_samples = lines_all[at_line:at_line + len(lines)]
        at_line += len(lines)
        all_pts = [a.points for a in areas] + [ls.points for ls in line_samples]
        all_pts += [np.array([[p.x, p.y]]) for p in points]
        out.append(_Sample(areas, line_samples, points, np.concatenate(all_pts)))
    return out


def _stats(sample: _Sample, e: np.ndarray, spacing_m: float, width_m: float | None,
           min_required_lx: float | None) -> LightingStats:
    """The statistics and dark parts of one sampled geometry from its illuminance ``e``."""
    return _stats_many([sample], [e], spacing_m, [width_m], min_required_lx)[0]


def _dark_parts_many(samples: Sequence[_Sample], es: Sequence[np.ndarray], spacing_m: float,
                     widths: Sequence[float | None], required: float
                     ) -> tuple[list[list], list[float]]:
    """The dark parts of each sampled geometry, in the order of one geometry at a time (its
    areas, the stretches of its lines, its points), and the dark length along its lines.
    The grid cells of all areas and the buffers of all stretches and points go through array
    calls (:func:`_dark_areas`, :func:`_buffer_pieces`): the same GEOS operation per element."""
    area_samples: list[_AreaSample] = []
    area_e: list[np.ndarray] = []
    # per geometry: [("area", index into area_samples) | ("piece", index into pieces)]
    slots: list[list[tuple[bool, int]]] = []
    pieces: list[tuple[BaseGeometry, bool, float]] = []
    lengths: list[float] = []
    line_dark = iter(_dark_lines_of(samples, es, required))
    for sample, e, width_m in zip(samples, es, widths):
        mine: list[tuple[bool, int]] = []
        offset = 0
        for a in sample.areas:
            n = len(a.points)
            mine.append((True, len(area_samples)))
            area_samples.append(a)
            area_e.append(e[offset:offset + n])
            offset += n
        half_width = width_m / 2 if width_m else DEFAULT_DARK_HALF_WIDTH_M
        dark_length = 0.0
        for ls, (g, length) in zip(sample.lines, next(line_dark)):
            for geom, flat in g:
                mine.append((False, len(pieces)))
                pieces.append((geom, flat, half_width))
            dark_length += length
            offset += len(ls.points)
        for pt in sample.points_geoms:
            if e[offset] < required:
                mine.append((False, len(pieces)))
                pieces.append((pt, False, DEFAULT_DARK_HALF_WIDTH_M))
            offset += 1
        slots.append(mine)
        lengths.append(dark_length)
    areas = _dark_areas(area_samples, area_e, required, spacing_m)
    buffered = _buffer_pieces(pieces)
    parts = [[g for is_area, i in mine for g in (areas[i] if is_area else [buffered[i]])]
             for mine in slots]
    return parts, lengths


def _dark_lines_of(samples: Sequence[_Sample], es: Sequence[np.ndarray], required: float
                   ) -> list[list[tuple[list[tuple[BaseGeometry, bool]], float]]]:
    """:func:`_dark_line_pieces` of every line of every sampled geometry (one
    :func:`_dark_line_pieces_many` call), as one list per geometry."""
    lines: list[_LineSample] = []
    line_e: list[np.ndarray] = []
    counts: list[int] = []
    for sample, e in zip(samples, es):
        offset = sum(len(a.points) for a in sample.areas)
        for ls in sample.lines:
            n = len(ls.points)
            lines.append(ls)
            line_e.append(e[offset:offset + n])
            offset += n
        counts.append(len(sample.lines))
    done = _dark_line_pieces_many(lines, line_e, required)
    out = []
    at = 0
    for c in counts:
        out.append(done[at:at + c])
        at += c
    return out


def _union_many(parts: Sequence[list]) -> list[BaseGeometry]:
    """``shapely.union_all(parts[k])`` (an empty GeometryCollection for no parts) for every
    k, with one array call per number of parts (``axis=1``: one collection per row, the same
    unary union as one call per list)."""
    out: list[BaseGeometry] = [GeometryCollection()] * len(parts)
    by_count: dict[int, list[int]] = {}
    for k, p in enumerate(parts):
        if p:
            by_count.setdefault(len(p), []).append(k)
    for count, ks in by_count.items():
        arr = np.empty((len(ks), count), dtype=object)
        for row, k in enumerate(ks):
            arr[row, :] = parts[k]
        for k, g in zip(ks, np.atleast_1d(shapely.union_all(arr, axis=1)).tolist()):
            out[k] = g
    return out


def _stats_many(samples: Sequence[_Sample], es: Sequence[np.ndarray], spacing_m: float,
                widths: Sequence[float | None], min_required_lx: float | None
                ) -> list[LightingStats]:
    """The statistics and dark parts of sampled geometries from their illuminance ``es[k]``
    (the dark geometry of all of them through array calls, see :func:`_dark_parts_many`)."""
    if min_required_lx is not None:
        parts, lengths = _dark_parts_many(samples, es, spacing_m, widths, min_required_lx)
    else:
        parts, lengths = [[] for _ in samples], [0.0] * len(samples)
    darks = _union_many(parts)
    dark_arr = np.empty(len(darks), dtype=object)
    dark_arr[:] = darks
    areas = shapely.area(dark_arr).tolist()
    out = []
    for sample, e, dark, dark_length, dark_area in zip(samples, es, darks, lengths, areas):
        avg = float(e.mean())
        emin = float(e.min())
        out.append(LightingStats(
            avg_lx=avg,
            min_lx=emin,
            max_lx=float(e.max()),
            uniformity=emin / avg if avg > 0 else 0.0,
            n_points=len(sample.points),
            dark=dark,
            dark_length_m=float(dark_length),
            dark_area_m2=float(dark_area),
            min_required_lx=min_required_lx,
            spacing_m=float(spacing_m),
            points_xy=sample.points,
            illuminance_lx=e,
        ))
    return out


@dataclass(frozen=True, slots=True)
class LightingClass:
    """An EN 13201-2:2015 lighting class: maintained average and minimum or uniformity."""

    name: str
    avg_lx: float
    min_lx: float | None = None
    uniformity: float | None = None


_THRESHOLD_SOURCE = "EN 13201-2:2015 tables as reproduced by performanceinlighting.com"

#: EN 13201-2:2015 P classes (Ē, E_min in lx) and C classes (Ē in lx, U0).
#: Source: /work/shared/context/thresholds.md section 5 (confidence: medium).
LIGHTING_CLASSES: dict[str, LightingClass] = {
    "P1": LightingClass("P1", 15.0, min_lx=3.00),
    "P2": LightingClass("P2", 10.0, min_lx=2.00),
    "P3": LightingClass("P3", 7.50, min_lx=1.50),
    "P4": LightingClass("P4", 5.00, min_lx=1.00),
    "P5": LightingClass("P5", 3.00, min_lx=0.60),
    "P6": LightingClass("P6", 2.00, min_lx=0.40),
    "C0": LightingClass("C0", 50.0, uniformity=0.40),
    "C1": LightingClass("C1", 30.0, uniformity=0.40),
    "C2": LightingClass("C2", 20.0, uniformity=0.40),
    "C3": LightingClass("C3", 15.0, uniformity=0.40),
    "C4": LightingClass("C4", 10.0, uniformity=0.40),
    "C5": LightingClass("C5", 7.5, uniformity=0.40),
}

#: inclusiecheck's own default class per feature kind (the NBN L 18-004:2023 selection table
#: was not available); see docs/method-lighting.md for the reasoning.
DEFAULT_CLASS_BY_KIND: dict[str, str] = {
    "sidewalk": "P4",
    "footpath": "P4",
    "park_path": "P4",
    "shared_space": "P3",
    "square_surface": "P3",
    "square": "P3",
    "park": "P5",
    "playground": "P4",
    "station_area": "P2",
    "stop_area": "P3",
    "stop": "P3",
    "crossing": "C3",
    "parking": "P4",
}

_TOL = 1e-9


def meets_class(stats: LightingStats, cls: LightingClass | str) -> tuple[bool, list[str]]:
    """Whether ``stats`` meet a lighting class; the reasons list every shortfall.

    All class values are minimums and the boundary passes ("at least"): Ē >= avg_lx, and
    E_min >= min_lx (P classes) or U0 >= uniformity (C classes).
    """
    if isinstance(cls, str):
        try:
            cls = LIGHTING_CLASSES[cls.upper()]
        except KeyError:
            raise LightingInputError(
                f"unknown lighting class {cls!r}; use one of {', '.join(LIGHTING_CLASSES)}"
            ) from None
    reasons: list[str] = []
    if stats.avg_lx < cls.avg_lx - _TOL:
        reasons.append(
            f"average illuminance {stats.avg_lx:.2f} lx is below {cls.avg_lx:.2f} lx ({cls.name})"
        )
    if cls.min_lx is not None and stats.min_lx < cls.min_lx - _TOL:
        reasons.append(
            f"minimum illuminance {stats.min_lx:.2f} lx is below {cls.min_lx:.2f} lx ({cls.name})"
        )
    if cls.uniformity is not None and stats.uniformity < cls.uniformity - _TOL:
        reasons.append(
            f"uniformity U0 {stats.uniformity:.2f} is below {cls.uniformity:.2f} ({cls.name})"
        )
    return (not reasons, reasons)
