"""Bounded work (issue 13): a walkway polygon of 100,000 vertices is measured in seconds,
because the walking area is simplified within 1 mm (below the 5 mm clear-width measurement
tolerance) before the cross-sections are cut; the width it measures is the width of the
same walkway drawn with four vertices, to the tolerance."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import Polygon

from inclusiecheck.api import check
from inclusiecheck.engine.measures import (
    MAX_MEASURED_VERTICES,
    SIMPLIFY_ABOVE_VERTICES,
    SIMPLIFY_TOLERANCES_M,
    bounded_area,
)
from inclusiecheck.geometry.clearwidth import WIDTH_TOLERANCE_M

X0, Y0 = 150000.0, 200000.0


def jittered_strip(vertices: int, length: float = 200.0, width: float = 2.0,
                   jitter: float = 0.0003) -> list[tuple[float, float]]:
    rng = np.random.default_rng(7)
    half = vertices // 2
    xs = np.linspace(0.0, length, half)
    bottom = np.column_stack([xs, rng.uniform(-jitter, jitter, half)])
    top = np.column_stack([xs[::-1], width + rng.uniform(-jitter, jitter, half)])
    ring = np.vstack([bottom, top, bottom[:1]]) + (X0, Y0)
    return [tuple(p) for p in ring.tolist()]


def plan(tmp_path: Path, ring: list[tuple[float, float]], name: str) -> Path:
    features = [
        {"type": "Feature", "properties": {"layer": "walkway", "id": "w", "kind": "sidewalk"},
         "geometry": {"type": "Polygon", "coordinates": [ring]}},
        {"type": "Feature", "properties": {"layer": "obstacle", "id": "pole", "kind": "pole",
                                           "size_m": 0.3},
         "geometry": {"type": "Point", "coordinates": [X0 + 100.0, Y0 + 1.0]}},
    ]
    path = tmp_path / f"{name}.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features,
                                "crs": {"type": "name", "properties": {"name": "EPSG:31370"}}}),
                    encoding="utf-8")
    return path


def measured(report: object, rule_id: str) -> float:
    (finding,) = [f for f in report.findings  # type: ignore[attr-defined]
                  if f.rule_id == rule_id and f.layer == "walkway"]
    return float(finding.measured)


def test_the_tolerance_is_below_the_measurement_tolerance() -> None:
    assert 2 * max(SIMPLIFY_TOLERANCES_M) < WIDTH_TOLERANCE_M


def test_small_areas_are_kept_as_drawn() -> None:
    square = Polygon([(0, 0), (1, 0), (1, 1), (0, 1)])
    assert bounded_area(square) is square


def test_simplified_outline_stays_within_the_tolerance() -> None:
    ring = jittered_strip(50_000)
    area = Polygon(ring)
    simple = bounded_area(area)
    assert shapely.get_num_coordinates(simple) <= SIMPLIFY_ABOVE_VERTICES
    assert area.hausdorff_distance(simple) <= SIMPLIFY_TOLERANCES_M[0] + 1e-9


def test_noise_above_the_tolerance_on_a_huge_outline_is_not_measured() -> None:
    ring = jittered_strip(4 * MAX_MEASURED_VERTICES, jitter=0.05)
    assert bounded_area(Polygon(ring)) is None


def test_noise_between_the_tolerances_is_simplified_further() -> None:
    ring = jittered_strip(40_000, jitter=0.0007)  # 1.4 mm peak to peak: over 1 mm, under 2
    simple = bounded_area(Polygon(ring))
    assert simple is not None
    assert shapely.get_num_coordinates(simple) <= MAX_MEASURED_VERTICES
    assert Polygon(ring).hausdorff_distance(simple) <= max(SIMPLIFY_TOLERANCES_M) + 1e-9


def test_a_100000_vertex_walkway_is_checked_in_seconds(tmp_path: Path) -> None:
    simple = check(plan(tmp_path, jittered_strip(4, jitter=0.0), "simple"))
    start = time.perf_counter()
    huge = check(plan(tmp_path, jittered_strip(100_000), "huge"))
    elapsed = time.perf_counter() - start
    assert elapsed < 60, elapsed  # a hang guard: measured at a few seconds (700 s before)
    for rule_id in ("VW-02", "VW-04"):
        assert math.isclose(measured(huge, rule_id), measured(simple, rule_id),
                            abs_tol=WIDTH_TOLERANCE_M)


def test_a_walkway_too_detailed_to_measure_is_warned_and_to_verify(tmp_path: Path) -> None:
    ring = jittered_strip(4 * MAX_MEASURED_VERTICES, jitter=0.05)  # 10 cm noise: not simplified
    report = check(plan(tmp_path, ring, "noisy"))
    warnings = [w for w in report.warnings if w["code"] == "geometry_too_detailed"]
    assert len(warnings) == 1 and "walkway w:" in warnings[0]["message"]
    (finding,) = [f for f in report.findings if f.rule_id == "VW-02" and f.layer == "walkway"]
    assert finding.outcome.value == "to_verify"
