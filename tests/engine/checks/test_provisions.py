"""Stops, public toilets and rest points (rule sets ``haltes`` and ``voorzieningen``).

The acceptance cases of issue 5 run through the public API on small GeoJSON plans in
EPSG:31370; the check types' building blocks are tested on their own below.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import shapely
from shapely.geometry import shape

import inclusiecheck
from inclusiecheck.api import load_model
from inclusiecheck.engine.checks import registry
from inclusiecheck.engine.checks.provisions import (
    ModeLimits,
    ModeThresholdParams,
    _rect_sides,
    judge_mode_threshold,
)
from inclusiecheck.model import Report
from inclusiecheck.report import render

X0, Y0 = 150_000.0, 200_000.0
SETS = ["haltes", "voorzieningen"]


# --------------------------------------------------------------------------------------------
# fixture helpers
def pt(x: float, y: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [X0 + x, Y0 + y]}


def line(*xy: tuple[float, float]) -> dict[str, Any]:
    return {"type": "LineString", "coordinates": [[X0 + x, Y0 + y] for x, y in xy]}


def rect(x: float, y: float, w: float, h: float) -> dict[str, Any]:
    ring = [[X0 + x, Y0 + y], [X0 + x + w, Y0 + y], [X0 + x + w, Y0 + y + h],
            [X0 + x, Y0 + y + h], [X0 + x, Y0 + y]]
    return {"type": "Polygon", "coordinates": [ring]}


def feat(layer: str, fid: str, geom: dict[str, Any], **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"layer": layer, "id": fid, **props},
            "geometry": geom}


def write_plan(folder: Path, features: list[dict[str, Any]]) -> Path:
    path = folder / "plan.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def run(path: Path, **kwargs: Any) -> Report:
    return inclusiecheck.check(path, rules=SETS, crs="31370", date=dt.date(2026, 12, 1),
                               **kwargs)


def findings(report: Report, rule_id: str, feature_id: str | None = None) -> list[Any]:
    return [f for f in report.findings if f.rule_id == rule_id
            and (feature_id is None or f.feature_id == feature_id)]


GOOD_STOP = dict(mode="bus", platform_height_cm=18, swing_in=False, tactile_guidance=True,
                 boarding_tactile=True)


# --------------------------------------------------------------------------------------------
# acceptance: stops
@pytest.fixture
def stops_plan(tmp_path: Path) -> Path:
    return write_plan(tmp_path, [
        feat("stop", "bad", pt(0, 0), mode="bus", platform_height_cm=3, platform_width_m=2.0,
             tactile_guidance=False, boarding_tactile=True),
        feat("stop", "good", rect(100, 0, 20, 2.0), **GOOD_STOP),
        feat("stop", "unknown", pt(200, 0), mode="bus", platform_width_m=2.0,
             tactile_guidance=True, boarding_tactile=True),
        feat("stop", "old", pt(300, 0), status="existing", mode="bus", platform_height_cm=18,
             swing_in=False, platform_width_m=2.0, tactile_guidance=True,
             boarding_tactile=True),
        feat("obstacle", "far-pole", pt(500, 50), kind="pole"),
    ])


def test_low_stop_without_guidance_fails_both_categories_with_reasons(stops_plan: Path) -> None:
    report = run(stops_plan, lang="en")
    motor = findings(report, "HA-01", "bad")
    visual = findings(report, "HA-02", "bad")
    assert [f.outcome.value for f in motor] == ["fail"]
    assert [f.outcome.value for f in visual] == ["fail"]
    assert motor[0].data["failed_criteria"] == ["platform_height"]
    assert visual[0].data["failed_criteria"] == ["platform_height", "tactile_guidance"]
    reasons = visual[0].data["reasons"]["en"]
    assert any("platform height" in r and "3 cm" in r for r in reasons)
    assert any("guide line" in r for r in reasons)
    # the message lists both reasons, in the report's language
    assert "platform height" in visual[0].message and "guide line" in visual[0].message
    assert "platform height" in motor[0].message


def test_stop_meeting_every_criterion_is_accessible_in_both(stops_plan: Path) -> None:
    report = run(stops_plan, list_all=True)
    for rule in ("HA-01", "HA-02"):
        outcomes = [f.outcome.value for f in findings(report, rule, "good")]
        assert outcomes == ["pass"], rule
    # without list_all a pass is not listed, only counted
    plain = run(stops_plan)
    assert not findings(plain, "HA-01", "good") and not findings(plain, "HA-02", "good")


def test_dutch_reasons(stops_plan: Path) -> None:
    report = run(stops_plan, lang="nl")
    visual = findings(report, "HA-02", "bad")[0]
    assert "perronhoogte" in visual.message and "geleidelijn" in visual.message
    assert "3 cm" in visual.message


def test_summary_stops_block(stops_plan: Path) -> None:
    report = run(stops_plan)
    block = report.summary["stops"]
    assert block["count"] == 3           # new design only
    assert block["existing_count"] == 1
    motor, visual = block["categories"]["motor"], block["categories"]["visual"]
    assert motor["rule_id"] == "HA-01" and visual["rule_id"] == "HA-02"
    for cat in (motor, visual):
        assert (cat["accessible"], cat["not_accessible"], cat["to_verify"]) == (1, 1, 1)
        assert cat["share_pct"] == pytest.approx(33.3)
        assert cat["share_decided_pct"] == pytest.approx(50.0)
        assert cat["existing"]["accessible"] == 1
    assert motor["baseline_pct"] == 15.3 and visual["baseline_pct"] == 7.9
    # with assistance (HA-12): the good stop passes on its 18 cm platform; the 3 cm and the
    # unknown platform give no boarding gradient to judge
    assisted = block["categories"]["motor_assisted"]
    assert assisted["rule_id"] == "HA-12"
    assert (assisted["accessible"], assisted["not_accessible"], assisted["to_verify"]) == (1, 0, 2)
    assert assisted["baseline_pct"] == 46.4
    assert block["baseline"] == {"motor": 15.3, "motor_assisted": 46.4, "visual": 7.9}
    # the same counts with every outcome listed
    assert run(stops_plan, list_all=True).summary["stops"] == block
    # and the block reaches the JSON report
    data = json.loads(render(report, "json"))
    assert data["summary"]["stops"]["categories"]["visual"]["baseline_pct"] == 7.9


def test_with_assistance_category_by_boarding_gradient(tmp_path: Path) -> None:
    """De Lijn's third category: a 16 % boarding ramp is accessible with assistance only; a
    24 % ramp is not accessible at all; the category shows in the JSON and the HTML table."""
    plan = write_plan(tmp_path, [
        feat("stop", "assisted", pt(0, 0), mode="bus", platform_height_cm=10,
             platform_width_m=2.0, boarding_gradient_pct=16),
        feat("stop", "too-steep", pt(100, 0), mode="bus", platform_height_cm=6,
             platform_width_m=2.0, boarding_gradient_pct=24),
        feat("obstacle", "far-pole", pt(500, 50), kind="pole"),
    ])
    report = run(plan, lang="en", list_all=True)
    assert [f.outcome.value for f in findings(report, "HA-01", "assisted")] == ["fail"]
    assert [f.outcome.value for f in findings(report, "HA-12", "assisted")] == ["pass"]
    steep = findings(report, "HA-12", "too-steep")
    assert [f.outcome.value for f in steep] == ["fail"]
    assert steep[0].data["failed_criteria"] == ["boarding_gradient"]
    assert "boarding ramp too steep (24 %; required 20 %)" in steep[0].message
    block = report.summary["stops"]["categories"]["motor_assisted"]
    assert (block["accessible"], block["not_accessible"]) == (1, 1)
    assert report.summary["stops"]["categories"]["motor"]["accessible"] == 0
    html = render(report, "html").decode("utf-8")
    assert "People with a motor impairment, with assistance (HA-12)" in html
    # each Flemish figure is named with its own source
    assert "HA-12: Cijfers van De Lijn" in html and "ABB-beleidsbundel" in html
    nl = render(run(plan, lang="nl"), "html").decode("utf-8")
    assert "Personen met een motorische beperking, met assistentie (HA-12)" in nl


def test_no_stops_block_without_the_haltes_set(stops_plan: Path) -> None:
    report = inclusiecheck.check(stops_plan, rules=["voorzieningen"], crs="31370")
    assert "stops" not in report.summary


def test_stops_block_with_no_stops(tmp_path: Path) -> None:
    plan = write_plan(tmp_path, [feat("bench", "b", pt(0, 0), backrest=True, armrests=True)])
    block = run(plan).summary["stops"]
    assert block["count"] == 0
    assert block["categories"]["motor"]["share_pct"] is None


# --------------------------------------------------------------------------------------------
# acceptance: toilet coverage
def test_park_coverage_far_and_near(tmp_path: Path) -> None:
    plan = write_plan(tmp_path, [
        feat("toilet", "wc", pt(0, 0), public=True, accessible=True),
        feat("area", "park-near", rect(150, -100, 200, 200), kind="park"),
        feat("area", "park-far", rect(1200, -100, 200, 200), kind="park"),
    ])
    report = run(plan, lang="en")
    assert not findings(report, "VZ-10", "park-near")
    far = findings(report, "VZ-10", "park-far")
    assert [f.outcome.value for f in far] == ["fail"]
    assert far[0].measured == pytest.approx(1200.0)
    assert far[0].required == 500
    assert far[0].data["method"] == "straight_line"
    assert "straight line" in far[0].note
    assert far[0].source.kind == "comparator"
    assert far[0].level.value == "recommendation"
    # the location is the uncovered zone: here the whole park
    zone = shape(far[0].location)
    assert zone.geom_type == "Polygon" and zone.area == pytest.approx(200 * 200)


def test_park_coverage_along_walkways(tmp_path: Path) -> None:
    plan = write_plan(tmp_path, [
        feat("walkway", "path", line((0, 0), (1500, 0)), kind="footpath"),
        feat("toilet", "wc", pt(0, 0), public=True, accessible=True),
        feat("area", "park-near", rect(100, -50, 200, 100), kind="park"),
        feat("area", "park-partial", rect(400, -50, 300, 100), kind="park"),
        feat("area", "park-far", rect(1200, -50, 200, 100), kind="park"),
        feat("stop", "stop-far", pt(900, 0), **GOOD_STOP),
    ])
    report = run(plan)
    assert not findings(report, "VZ-10", "park-near")
    far = findings(report, "VZ-10", "park-far")[0]
    assert far.outcome.value == "fail" and far.measured == pytest.approx(1200.0)
    assert far.data["method"] == "network"
    partial = findings(report, "VZ-10", "park-partial")[0]
    assert partial.outcome.value == "warn"
    assert partial.measured == pytest.approx(100 * 200 / 300, abs=0.1)  # % of paths beyond
    # uncovered zone: the park minus a 25 m corridor along the path up to 500 m
    zone = shape(partial.location)
    assert zone.area < 300 * 100
    assert not zone.contains(shapely.Point(X0 + 450, Y0))
    assert zone.contains(shapely.Point(X0 + 650, Y0))
    stop = findings(report, "VZ-11", "stop-far")[0]
    assert stop.outcome.value == "fail" and stop.measured == pytest.approx(900.0)


def test_one_network_per_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from inclusiecheck.engine.checks import provisions
    from inclusiecheck.geometry import network

    built: list[str] = []
    real_net, real_cov = network.build_walk_network, provisions._build_coverage
    monkeypatch.setattr(network, "build_walk_network",
                        lambda *a, **k: built.append("net") or real_net(*a, **k))
    monkeypatch.setattr(provisions, "_build_coverage",
                        lambda *a, **k: built.append("coverage") or real_cov(*a, **k))
    plan = write_plan(tmp_path, [
        feat("walkway", "path", line((0, 0), (1500, 0)), kind="footpath"),
        feat("toilet", "wc", pt(0, 0), public=True, accessible=True),
        feat("area", "park", rect(1200, -50, 200, 100), kind="park"),
        feat("stop", "s", pt(900, 0)),
    ])
    model = load_model(plan, crs="31370")
    inclusiecheck.check(plan, rules=SETS, model=model)
    assert built.count("net") == 1  # one walk network per run (ctx.shared)
    assert built.count("coverage") == 2  # one per coverage rule (areas, stops), not per feature


# --------------------------------------------------------------------------------------------
# acceptance: rest points
def test_main_route_with_benches_only_at_both_ends(tmp_path: Path) -> None:
    plan = write_plan(tmp_path, [
        feat("walkway", "route", line((0, 0), (400, 0)), main_route=True, kind="footpath"),
        feat("bench", "b1", pt(0, 2), backrest=True, armrests=True),
        feat("bench", "b2", pt(400, 2), backrest=True, armrests=True),
    ])
    report = run(plan, lang="en")
    gaps = findings(report, "VZ-12", "route")
    assert len(gaps) == 1
    gap = gaps[0]
    assert gap.outcome.value == "fail"
    assert gap.measured == pytest.approx(400.0)
    assert gap.required == 125
    geom = shape(gap.location)
    assert geom.geom_type == "LineString" and geom.length == pytest.approx(400.0)
    assert "400 m" in gap.message


def test_each_gap_is_its_own_finding(tmp_path: Path) -> None:
    plan = write_plan(tmp_path, [
        feat("walkway", "route", line((0, 0), (600, 0)), main_route=True),
        feat("bench", "b1", pt(0, 0)), feat("bench", "b2", pt(300, 0)),
        feat("bench", "b3", pt(420, 0)), feat("bench", "b4", pt(600, 0)),
    ])
    gaps = findings(run(plan), "VZ-12", "route")
    assert sorted(g.measured for g in gaps) == [180.0, 300.0]
    assert sorted(shape(g.location).length for g in gaps) == pytest.approx([180.0, 300.0])


# --------------------------------------------------------------------------------------------
# building blocks
def test_rect_sides_of_rotated_platform() -> None:
    platform = shapely.affinity.rotate(shapely.box(0, 0, 20, 2.5), 33, origin=(0, 0))
    short, long_ = _rect_sides(platform)
    assert short == pytest.approx(2.5) and long_ == pytest.approx(20.0)
    assert _rect_sides(shapely.Point(0, 0)) is None
    multi = shapely.MultiPolygon([shapely.box(0, 0, 10, 2), shapely.box(10, 0, 20, 2)])
    assert _rect_sides(multi) == pytest.approx((2.0, 20.0))


class _Ctx:
    """The bits of a CheckContext that judge_mode_threshold uses."""

    def value(self, feature: Any, name: str) -> Any:
        return feature.attrs.get(name)


class _F:
    def __init__(self, **attrs: Any) -> None:
        self.attrs = attrs


HEIGHT = ModeThresholdParams(property="platform_height_cm", unit="cm", modes={
    "bus": ModeLimits(min=15, max=18, warn_min=18, swing_in_max=16), "tram": ModeLimits()})


@pytest.mark.parametrize("attrs, state, warn", [
    ({"platform_height_cm": 18, "swing_in": False}, "pass", False),
    ({"platform_height_cm": 15, "swing_in": False}, "pass", True),
    ({"platform_height_cm": 14.99, "swing_in": False}, "fail", False),
    ({"platform_height_cm": 18.01, "swing_in": False}, "fail", False),
    ({"platform_height_cm": 16, "swing_in": True}, "pass", False),
    ({"platform_height_cm": 16.01, "swing_in": True}, "fail", False),
    ({"platform_height_cm": 17}, "unknown", False),
    ({"platform_height_cm": 19}, "fail", False),
    ({"platform_height_cm": 12}, "fail", False),
])
def test_bus_platform_height(attrs: dict[str, Any], state: str, warn: bool) -> None:
    v = judge_mode_threshold(_F(mode="bus", **attrs), HEIGHT, _Ctx())  # type: ignore[arg-type]
    assert (v.state, v.warn) == (state, warn)


def test_tram_height_is_to_verify_with_a_note() -> None:
    v = judge_mode_threshold(_F(mode="tram", platform_height_cm=30), HEIGHT,
                             _Ctx())  # type: ignore[arg-type]
    assert v.state == "unknown" and v.missing == ("reference",) and v.note


def test_check_types_registered() -> None:
    names = registry()
    for name in ("mode_threshold", "boarding_zone_free", "stop_category", "room_size",
                 "toilet_coverage", "rest_gaps"):
        assert name in names


def test_rule_cases_pass() -> None:
    from inclusiecheck.testing import run_cases

    root = Path(__file__).resolve().parents[3] / "rules"
    for name in SETS:
        results = run_cases(root / name)
        bad = [r for r in results if not r.ok]
        assert results and not bad, bad


def test_coverage_unreachable_through_the_network(tmp_path: Path) -> None:
    plan = write_plan(tmp_path, [
        feat("walkway", "a", line((0, 0), (100, 0))),
        feat("walkway", "b", line((1000, 0), (1200, 0))),  # not connected to a
        feat("toilet", "wc", pt(0, 0), public=True, accessible=True),
        feat("stop", "s", pt(1100, 0)),
    ])
    stop = findings(run(plan, lang="en"), "VZ-11", "s")[0]
    assert stop.outcome.value == "fail"
    assert stop.measured == pytest.approx(1100.0)      # straight-line, for the message
    assert stop.data["method"] == "straight_line"
    assert "reachable" in stop.note
    assert "?" not in stop.message


def test_coverage_falls_back_to_straight_line_when_no_toilet_is_near_the_network(
        tmp_path: Path) -> None:
    plan = write_plan(tmp_path, [
        feat("walkway", "a", line((0, 0), (2000, 0))),
        feat("toilet", "wc", pt(0, 300), public=True, accessible=True),  # 300 m off the path
        feat("area", "park", rect(0, 0, 100, 100), kind="park"),
        feat("stop", "s", pt(400, 0)),
    ])
    report = run(plan, list_all=True)
    park = findings(report, "VZ-10", "park")[0]
    stop = findings(report, "VZ-11", "s")[0]
    assert park.outcome.value == "pass" and park.data["method"] == "straight_line"
    assert stop.outcome.value == "pass" and stop.measured == pytest.approx(500.0)


def test_multipolygon_park_is_measured_from_its_nearest_part(tmp_path: Path) -> None:
    near = rect(100, 0, 50, 50)["coordinates"]
    far = rect(3000, 0, 50, 50)["coordinates"]
    plan = write_plan(tmp_path, [
        feat("toilet", "wc", pt(0, 0), public=True, accessible=True),
        feat("area", "park", {"type": "MultiPolygon", "coordinates": [near, far]}, kind="park"),
    ])
    park = findings(run(plan), "VZ-10", "park")
    # the near part is covered, the far one (half the park) is not: a warning, not a fail
    assert [f.outcome.value for f in park] == ["warn"]
    assert park[0].measured == pytest.approx(50.0, abs=0.5)
