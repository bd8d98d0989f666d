"""Tests for the social-safety check types (engine/checks/safety.py) and the SV rule set.

Every plan is a small GeoJSON written to a temporary folder and run through the real engine
(reader, normaliser, rule loader, evaluator), so these tests cover the rules as users run them.
Figures are checked against hand calculations where one exists.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import shapely
from shapely.geometry import shape

from inclusiecheck.api import check, load_model
from inclusiecheck.engine.checks import get, registry
from inclusiecheck.engine.checks.api import CheckContext
from inclusiecheck.engine.checks.safety import (
    DEFAULT_LIGHTING_CLASSES,
    LightingParams,
    plan_lights,
    plan_occluders,
)
from inclusiecheck.engine.evaluate import evaluate
from inclusiecheck.engine.loader import LoadedRule, Problem, bind_rule
from inclusiecheck.engine.measures import MEASURES
from inclusiecheck.engine.scopes import DERIVED
from inclusiecheck.geometry.lighting import DEFAULT_CLASS_BY_KIND, LIGHTING_CLASSES
from inclusiecheck.model import Finding
from inclusiecheck.testing import rulesets_at

RULES = Path(__file__).resolve().parents[3] / "rules" / "sociale-veiligheid"
X0, Y0 = 150000.0, 200000.0


# ------------------------------------------------------------------------------------------
# helpers
# ------------------------------------------------------------------------------------------

def _xy(x: float, y: float) -> list[float]:
    return [X0 + x, Y0 + y]


def point(x: float, y: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": _xy(x, y)}


def line(*pts: tuple[float, float]) -> dict[str, Any]:
    return {"type": "LineString", "coordinates": [_xy(x, y) for x, y in pts]}


def rect(x0: float, y0: float, x1: float, y1: float) -> dict[str, Any]:
    ring = [_xy(x0, y0), _xy(x1, y0), _xy(x1, y1), _xy(x0, y1), _xy(x0, y0)]
    return {"type": "Polygon", "coordinates": [ring]}


def feat(layer: str, fid: str, geom: dict[str, Any], **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"layer": layer, "id": fid, **props},
            "geometry": geom}


def lamps(prefix: str, x0: float, x1: float, y: float, step: float = 12.0,
          **props: Any) -> list[dict[str, Any]]:
    out = []
    n = int(math.floor((x1 - x0) / step + 1e-9)) + 1
    for i in range(n):
        out.append(feat("light", f"{prefix}{i}", point(x0 + i * step, y), mounting_height_m=4,
                        luminous_flux_lm=4000, **props))
    return out


def write_plan(folder: Path, features: list[dict[str, Any]], name: str = "plan.geojson") -> Path:
    path = folder / name
    path.write_text(json.dumps({
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::31370"}},
        "features": features}))
    return path


@pytest.fixture(scope="module")
def sv_rules() -> dict[str, LoadedRule]:
    (ruleset,) = rulesets_at(RULES)
    return {r.id: r for r in ruleset.rules}


def rule_with(rule: LoadedRule, **params: Any) -> LoadedRule:
    if not params:
        return rule
    problems: list[Problem] = []
    bound = bind_rule(rule.spec, rule.path, problems, params)
    assert bound is not None, problems
    return replace(rule, params=bound[1])


def run(tmp_path: Path, features: list[dict[str, Any]], rule: LoadedRule,
        **params: Any) -> dict[str, list[Finding]]:
    model = load_model(write_plan(tmp_path, features), crs="EPSG:31370")
    result = evaluate(model, [rule_with(rule, **params)], date=dt.date(2026, 1, 1),
                      list_all=True, lang="en")
    out: dict[str, list[Finding]] = {}
    for finding in result.findings:
        out.setdefault(finding.feature_id, []).append(finding)
    return out


def one(findings: dict[str, list[Finding]], fid: str) -> Finding:
    assert len(findings[fid]) == 1, findings[fid]
    return findings[fid][0]


def local(geojson: dict[str, Any]) -> Any:
    """A finding location shifted back to local coordinates."""
    return shapely.transform(shape(geojson), lambda c: c - [X0, Y0])


PARK_PATH = feat("walkway", "park", line((0, 0), (400, 0)), kind="park_path", width_m=2.0)


# ------------------------------------------------------------------------------------------
# registry and parameters
# ------------------------------------------------------------------------------------------

def test_check_types_registered() -> None:
    names = set(registry())
    assert {"lighting", "semicylindrical_lighting", "hidden_corners", "view_ahead",
            "stop_view", "underpass_exit_visible", "underpass_dimensions",
            "vegetation_height", "canopy_clearance", "active_frontage"} <= names


def test_lighting_class_defaults_are_the_documented_ones() -> None:
    assert DEFAULT_LIGHTING_CLASSES["park_path"] == "P4"
    assert DEFAULT_LIGHTING_CLASSES["sidewalk"] == "P4"
    assert DEFAULT_LIGHTING_CLASSES["square"] == "P3"
    assert DEFAULT_LIGHTING_CLASSES["stop"] == "P3"
    assert DEFAULT_LIGHTING_CLASSES["crossing"] == "C3"
    assert DEFAULT_LIGHTING_CLASSES["walkway"] == "P4"
    for kind, cls in DEFAULT_CLASS_BY_KIND.items():
        assert DEFAULT_LIGHTING_CLASSES[kind] == cls


def test_lighting_params_merge_and_validate() -> None:
    params = LightingParams(class_by_kind={"park_path": "p3", "park": None})
    classes = params.classes()
    assert classes["park_path"] == "P3" and "park" not in classes
    assert classes["sidewalk"] == "P4"
    with pytest.raises(ValueError):
        LightingParams(class_by_kind={"park_path": "P9"})
    with pytest.raises(ValueError):
        LightingParams(scenario="night", time="25:00")
    with pytest.raises(ValueError):
        get("lighting").params.model_validate({"unknown": 1})


# ------------------------------------------------------------------------------------------
# lighting: acceptance
# ------------------------------------------------------------------------------------------

def test_acceptance_dark_park_path_whole_length(tmp_path: Path, sv_rules: dict) -> None:
    """A plan with a lighting layer; no light within reach of the 400 m park path."""
    far = feat("light", "far", point(0, 1000), mounting_height_m=4, luminous_flux_lm=4000)
    found = run(tmp_path, [PARK_PATH, far], sv_rules["SV-01"])
    f = one(found, "park")
    assert f.outcome.value == "fail"
    assert f.data["lighting_class"] == "P4"
    assert f.data["avg_lx"] == 0 and f.data["min_lx"] == 0
    assert f.data["dark_length_m"] == pytest.approx(400.0)
    dark = local(f.location)
    # the whole path, buffered by half its width (2 m wide): 400 x 2 m
    assert dark.area == pytest.approx(800.0, rel=1e-6)
    assert dark.covers(shapely.geometry.LineString([(0, 0), (400, 0)]))
    assert "dark over 400 m" in f.message


def test_acceptance_lamps_every_12m_pass_default_class(tmp_path: Path, sv_rules: dict) -> None:
    """4 m lamps of 4,000 lm every 12 m, 1 m beside the 2 m wide path: P4 is met."""
    features = [PARK_PATH, *lamps("L", 0, 400, 2.0)]
    f = one(run(tmp_path, features, sv_rules["SV-01"]), "park")
    assert f.outcome.value == "pass"
    assert f.data["lighting_class"] == "P4"
    # docs/method-lighting.md §6 (led_street, 12 m): Ē 19.8 lx, E_min whole path 14.30 lx
    assert f.data["avg_lx"] == pytest.approx(19.8, abs=0.1)
    assert f.data["min_lx"] == pytest.approx(14.30, abs=0.1)
    assert f.data["dark_length_m"] == 0


def test_acceptance_night_off_hours_make_path_dark(tmp_path: Path, sv_rules: dict) -> None:
    features = [PARK_PATH, *lamps("L", 0, 400, 2.0, off_hours="00:00-05:00")]
    found = run(tmp_path, features, sv_rules["SV-02"])
    f = one(found, "park")
    assert f.outcome.value == "fail"
    assert f.data["scenario"] == "night@01:00"
    assert f.data["dark_length_m"] == pytest.approx(400.0)
    assert f.message.startswith("At 01:00 this place is dark")
    # the evening rule on the same plan passes
    assert one(run(tmp_path, features, sv_rules["SV-01"]), "park").outcome.value == "pass"


def test_night_dimming_is_linear(tmp_path: Path, sv_rules: dict) -> None:
    full = one(run(tmp_path, [PARK_PATH, *lamps("L", 0, 400, 2.0)], sv_rules["SV-01"]), "park")
    dimmed = one(run(tmp_path, [PARK_PATH, *lamps("L", 0, 400, 2.0, dimmed_pct=25)],
                     sv_rules["SV-02"]), "park")
    assert dimmed.outcome.value == "pass"
    assert dimmed.data["avg_lx"] == pytest.approx(full.data["avg_lx"] * 0.25, abs=0.01)


def test_night_rule_defers_to_evening_without_dimming(tmp_path: Path, sv_rules: dict) -> None:
    found = run(tmp_path, [PARK_PATH, *lamps("L", 0, 400, 2.0)], sv_rules["SV-02"])
    assert one(found, "park").outcome.value == "not_applicable"


def test_partly_dark_path_reports_the_dark_stretch(tmp_path: Path, sv_rules: dict) -> None:
    """Lamps only over the first 100 m: dark from where the light runs out to the end."""
    features = [PARK_PATH, *lamps("L", 0, 96, 2.0)]
    f = one(run(tmp_path, features, sv_rules["SV-01"]), "park")
    assert f.outcome.value == "fail"
    dark = local(f.location)
    assert 250 < f.data["dark_length_m"] < 300
    assert dark.bounds[2] == pytest.approx(400.0)
    assert dark.bounds[0] > 96.0
    assert dark.area == pytest.approx(2.0 * f.data["dark_length_m"], rel=1e-6)


def test_no_light_layer_falls_back_to_lit(tmp_path: Path, sv_rules: dict) -> None:
    features = [
        feat("walkway", "yes", line((0, 0), (50, 0)), kind="park_path", lit=True),
        feat("walkway", "no", line((0, 10), (50, 10)), kind="park_path", lit="nee"),
        feat("walkway", "unknown", line((0, 20), (50, 20)), kind="park_path"),
    ]
    found = run(tmp_path, features, sv_rules["SV-01"])
    yes = one(found, "yes")
    assert yes.outcome.value == "pass" and "no lighting plan" in (yes.note or "").lower()
    assert one(found, "no").outcome.value == "fail"
    unknown = one(found, "unknown")
    assert unknown.outcome.value == "to_verify" and unknown.missing == ("lit",)
    # never "dark" for want of a lighting layer: no location, no dark length
    assert "dark_length_m" not in one(found, "no").data


def test_lighting_class_boundary_is_inclusive(tmp_path: Path, sv_rules: dict,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A class whose Ē equals the computed average passes; a hair above fails."""
    features = [PARK_PATH, *lamps("L", 0, 400, 2.0)]
    found = run(tmp_path, features, sv_rules["SV-01"])
    avg = one(found, "park").data["avg_lx"]
    model = load_model(write_plan(tmp_path, features), crs="EPSG:31370")
    ctx = CheckContext(model, dt.date(2026, 1, 1), "en", MEASURES, DERIVED)
    park = model.features("walkway")[0]
    from inclusiecheck.engine.checks import safety
    from inclusiecheck.geometry.lighting import LightingClass, lighting_stats

    exact = lighting_stats(park.geometry, plan_lights(ctx).luminaires, width_m=2.0).avg_lx
    assert exact == pytest.approx(avg, abs=0.01)
    monkeypatch.setitem(LIGHTING_CLASSES, "PX", LightingClass("PX", exact, min_lx=1.0))
    params = LightingParams(class_override="PX")
    assert safety.lighting.run(park, params, ctx)[0].outcome.value == "pass"
    monkeypatch.setitem(LIGHTING_CLASSES, "PX", LightingClass("PX", exact + 1e-6, min_lx=1.0))
    assert safety.lighting.run(park, params, ctx)[0].outcome.value == "fail"


def test_lighting_kinds_layers_and_feature_class(tmp_path: Path, sv_rules: dict) -> None:
    features = [
        *lamps("L", 0, 108, 2.0),
        feat("walkway", "own-p1", line((0, 0), (100, 0)), kind="park_path", width_m=2.0,
             lighting_class="p1"),
        feat("area", "plan", rect(-50, -50, 200, 50), kind="plan_boundary"),
        feat("stop", "pole", point(50, 0)),
        feat("crossing", "zebra", line((30, -3), (30, 3))),
    ]
    found = run(tmp_path, features, sv_rules["SV-01"])
    own = one(found, "own-p1")
    assert own.data["lighting_class"] == "P1" and own.data["class_from"] == "attribute"
    assert one(found, "plan").outcome.value == "not_applicable"
    assert one(found, "pole").data["lighting_class"] == "P3"
    zebra = one(found, "zebra")
    assert zebra.data["lighting_class"] == "C3" and zebra.property in ("uniformity",
                                                                     "illuminance_avg_lx")


def test_light_with_bad_values_does_not_crash(tmp_path: Path, sv_rules: dict) -> None:
    features = [
        feat("walkway", "w", line((0, 0), (40, 0)), kind="sidewalk"),
        feat("light", "bad-hours", point(20, 2), mounting_height_m=4, luminous_flux_lm=4000,
             off_hours="late"),
        feat("light", "no-height", point(10, 2), luminous_flux_lm=4000),
    ]
    f = one(run(tmp_path, features, sv_rules["SV-01"]), "w")
    assert f.outcome.value == "to_verify"
    assert set(f.missing) == {"mounting_height_m", "luminous_flux_lm"}


def test_luminaires_and_occluders_built_once(tmp_path: Path) -> None:
    features = [PARK_PATH, *lamps("L", 0, 48, 2.0),
                feat("building", "b", rect(0, 5, 10, 10))]
    model = load_model(write_plan(tmp_path, features), crs="EPSG:31370")
    ctx = CheckContext(model, dt.date(2026, 1, 1), "en", MEASURES, DERIVED)
    first = plan_lights(ctx)
    assert first is plan_lights(ctx) and len(first.luminaires) == 5
    occ = plan_occluders(ctx, 1.6)
    assert occ is plan_occluders(ctx, 1.6) and len(occ.index) == 1
    # the structures live in the run's context (ctx.shared), not on the model: another run
    # builds its own, equal to the first
    ctx2 = CheckContext(model, dt.date(2026, 1, 1), "en", MEASURES, DERIVED)
    second = plan_lights(ctx2)
    assert second is not first and len(second.luminaires) == 5
    assert not hasattr(model, "cache") or not model.cache


# ------------------------------------------------------------------------------------------
# semi-cylindrical illuminance
# ------------------------------------------------------------------------------------------

def test_semicylindrical_is_information_until_a_minimum(tmp_path: Path, sv_rules: dict) -> None:
    path = feat("walkway", "main", line((50, 0), (350, 0)), kind="sidewalk", main_route=True)
    features = [path, *lamps("L", 0, 400, 2.0)]
    info = one(run(tmp_path, features, sv_rules["SV-03"]), "main")
    assert info.outcome.value == "pass" and info.required is None
    assert "information" in (info.note or "")
    # docs §6: E_sc,min on the centre line, interior, 12 m spacing: 4.27 lx
    assert info.measured == pytest.approx(4.27, abs=0.05)
    judged = run(tmp_path, features, sv_rules["SV-03"], min_lx=info.measured)
    assert one(judged, "main").outcome.value == "pass"  # boundary inclusive
    judged = run(tmp_path, features, sv_rules["SV-03"], min_lx=info.measured + 0.01)
    assert one(judged, "main").outcome.value == "fail"


def test_semicylindrical_without_lights(tmp_path: Path, sv_rules: dict) -> None:
    path = feat("walkway", "main", line((0, 0), (100, 0)), kind="sidewalk", main_route=True)
    assert run(tmp_path, [path], sv_rules["SV-03"]) == {}
    found = run(tmp_path, [path], sv_rules["SV-03"], min_lx=1.0)
    assert one(found, "main").outcome.value == "to_verify"


# ------------------------------------------------------------------------------------------
# sightlines and vegetation: acceptance
# ------------------------------------------------------------------------------------------

def _hedge_plan(height: float) -> list[dict[str, Any]]:
    return [feat("walkway", "path", line((0, 0), (40, 0)), kind="footpath", width_m=2.0),
            feat("vegetation", "hedge", rect(10, 1.5, 30, 2.5), kind="hedge", height_m=height)]


def test_acceptance_tall_hedge_creates_hiding_finding(tmp_path: Path, sv_rules: dict) -> None:
    hidden = one(run(tmp_path, _hedge_plan(2.2), sv_rules["SV-04"]), "path")
    assert hidden.outcome.value == "fail"
    # hand check (docs/method-sightlines.md): triangle (10, 2.5), (30, 2.5), (20, 5) = 25 m²,
    # plus a one-ray wedge at each shadow edge
    assert 25.0 <= hidden.measured <= 28.5
    assert hidden.data["zones"] == 1 and hidden.data["max_depth_m"] == pytest.approx(5.0, abs=0.3)
    assert hidden.data["blocked_by"] == "vegetation/hedge"
    zone = local(hidden.location)
    assert zone.representative_point().y > 2.5
    height = one(run(tmp_path, _hedge_plan(2.2), sv_rules["SV-07"]), "hedge")
    assert height.outcome.value == "fail" and height.measured == 2.2


def test_acceptance_low_hedge_creates_no_finding(tmp_path: Path, sv_rules: dict) -> None:
    assert one(run(tmp_path, _hedge_plan(0.6), sv_rules["SV-04"]), "path").outcome.value == "pass"
    assert one(run(tmp_path, _hedge_plan(0.6), sv_rules["SV-07"]), "hedge").outcome.value == \
        "pass"


def test_hedge_between_1_and_eye_height(tmp_path: Path, sv_rules: dict) -> None:
    """1.3 m: no hiding place for a standing person (SV-04), but above the 1.0 m rule (SV-07)."""
    assert one(run(tmp_path, _hedge_plan(1.3), sv_rules["SV-04"]), "path").outcome.value == "pass"
    assert one(run(tmp_path, _hedge_plan(1.3), sv_rules["SV-07"]), "hedge").outcome.value == \
        "fail"
    # eye height exactly the hedge height: "above eye height" is strict
    found = run(tmp_path, _hedge_plan(1.6), sv_rules["SV-04"])
    assert one(found, "path").outcome.value == "pass"


def test_hidden_corners_on_a_surface_and_multiline(tmp_path: Path, sv_rules: dict) -> None:
    features = [
        feat("walkway", "surface", rect(0, -1, 40, 1), kind="square_surface"),
        feat("walkway", "multi", {"type": "MultiLineString", "coordinates": [
            [_xy(0, 100), _xy(40, 100)], [_xy(60, 100), _xy(100, 100)]]}, kind="footpath"),
        feat("vegetation", "h1", rect(10, 2.5, 30, 3.5), kind="hedge", height_m=2.2),
        feat("vegetation", "h2", rect(70, 101.5, 90, 102.5), kind="hedge", height_m=2.2),
    ]
    found = run(tmp_path, features, sv_rules["SV-04"])
    assert one(found, "surface").outcome.value == "fail"
    multi = one(found, "multi")
    assert multi.outcome.value == "fail" and local(multi.location).bounds[0] >= 60


def test_view_ahead_hand_check(tmp_path: Path, sv_rules: dict) -> None:
    """Path (0,0)-(50,0)-(50,50) around a building x 30-48, y 2-30: 5 + 10/3 = 8.33 m."""
    features = [feat("walkway", "corner", line((0, 0), (50, 0), (50, 50)), kind="sidewalk"),
                feat("building", "b", rect(30, 2, 48, 30))]
    f = one(run(tmp_path, features, sv_rules["SV-05"]), "corner")
    assert f.outcome.value == "fail"
    assert f.measured == pytest.approx(5 + 10 / 3, abs=0.05)
    stretch = local(f.location)
    assert stretch.length == pytest.approx(8.33, abs=0.05)
    assert f.data["blocked_by"] == "building/b"


def test_stop_view_matches_isovist_area(tmp_path: Path, sv_rules: dict) -> None:
    """A facade 2 m behind the stop cuts the circular segment beyond y = 2 from the disc."""
    features = [feat("stop", "s", point(0, 0)), feat("building", "b", rect(-60, 2, 60, 30))]
    f = one(run(tmp_path, features, sv_rules["SV-06"]), "s")
    r, d = 25.0, 2.0
    segment = r * r * math.acos(d / r) - d * math.sqrt(r * r - d * d)
    expected = 100 * (1 - segment / (math.pi * r * r))
    assert f.measured == pytest.approx(expected, abs=0.5)
    assert f.outcome.value == "pass"


def test_canopy_and_hedge_boundaries(tmp_path: Path, sv_rules: dict) -> None:
    base = feat("walkway", "p", line((0, 0), (100, 0)), kind="footpath", width_m=2.0)
    trees = [feat("vegetation", f"t{v}", point(10 * i, 3), kind="tree", canopy_base_m=v)
             for i, v in enumerate((1.99, 2.0, 2.01))]
    found = run(tmp_path, [base, *trees], sv_rules["SV-08"])
    assert [one(found, f"t{v}").outcome.value for v in (1.99, 2.0, 2.01)] == \
        ["fail", "pass", "pass"]
    low = local(one(found, "t1.99").location)
    assert low.intersects(shapely.geometry.LineString([(0, 1), (100, 1)]))


# ------------------------------------------------------------------------------------------
# underpasses: acceptance
# ------------------------------------------------------------------------------------------

def test_acceptance_60m_underpass_exit_not_visible(tmp_path: Path, sv_rules: dict) -> None:
    """Dog-leg 30 m east + 30 m north, 4 m wide (walls at ±2 m).

    By hand: the sight line y = x from the entrance meets the inner wall y = 2 at (2, 2); a
    point (30, y) of the second leg is in view while the line to it passes below the inner
    corner (28, 2): y <= 2 * 30 / 28 = 2.14 m, so (30 + 60/28) / 60 = 53.6 % is in view.
    """
    features = [feat("underpass", "u", line((0, 0), (30, 0), (30, 30)), width_m=4.0)]
    f = one(run(tmp_path, features, sv_rules["SV-10"]), "u")
    assert f.outcome.value == "fail" and f.measured is False
    assert f.data["visible_fraction_pct"] == pytest.approx(100 * (30 + 60 / 28) / 60, abs=0.1)
    x, y = (float(v) for v in f.data["blocked_at"].split(","))
    assert (x - X0, y - Y0) == pytest.approx((2.0, 2.0), abs=1e-6)
    hidden = local(f.location)
    assert hidden.length == pytest.approx(60 * (1 - f.data["visible_fraction_pct"] / 100),
                                          abs=0.2)
    dims = run(tmp_path, features, sv_rules["SV-11"])["u"]
    length = next(d for d in dims if d.property == "length_m")
    assert length.outcome.value == "fail" and length.measured == pytest.approx(60.0)


def test_straight_underpass_and_structure_overhead(tmp_path: Path, sv_rules: dict) -> None:
    """A building drawn over the passage is the structure above it, not a blocker."""
    features = [feat("underpass", "u", line((0, 0), (60, 0)), width_m=4.0),
                feat("building", "deck", rect(20, -20, 40, 20))]
    f = one(run(tmp_path, features, sv_rules["SV-10"]), "u")
    assert f.outcome.value == "pass" and f.data["visible_fraction_pct"] == 100.0


# ------------------------------------------------------------------------------------------
# eyes on the street
# ------------------------------------------------------------------------------------------

def test_active_frontage_stretch_hand_check(tmp_path: Path, sv_rules: dict) -> None:
    """Houses at x -30..0, y 5..15: a station (x, 0) sees them while sqrt(x² + 25) <= 25,
    i.e. x <= 24.5; stations every 5 m at 2.5, 7.5, ...: eyes up to 25 m, none for 95 m."""
    features = [feat("walkway", "p", line((0, 0), (120, 0)), kind="park_path"),
                feat("building", "h", rect(-30, 5, 0, 15), active_frontage=True)]
    f = one(run(tmp_path, features, sv_rules["SV-09"]), "p")
    assert f.outcome.value == "fail" and f.measured == pytest.approx(95.0)
    stretch = local(f.location)
    assert stretch.bounds[0] == pytest.approx(25.0) and stretch.bounds[2] == pytest.approx(120.0)


# ------------------------------------------------------------------------------------------
# through the public API
# ------------------------------------------------------------------------------------------

def test_whole_rule_set_through_check(tmp_path: Path) -> None:
    features = [
        PARK_PATH,
        feat("light", "far", point(0, 1000), mounting_height_m=4, luminous_flux_lm=4000),
        feat("vegetation", "hedge", rect(10, 1.5, 30, 2.5), kind="hedge", height_m=2.2),
        feat("underpass", "u", line((0, 100), (30, 100), (30, 130)), width_m=4.0),
        feat("stop", "s", point(200, -5)),
    ]
    report = check(write_plan(tmp_path, features), rules=[str(RULES)], lang="nl",
                   date="2026-01-01")
    ids = {(f.rule_id, f.feature_id, f.outcome.value) for f in report.findings}
    assert ("SV-01", "park", "fail") in ids
    assert ("SV-04", "park", "fail") in ids
    assert ("SV-07", "hedge", "fail") in ids
    assert ("SV-10", "u", "fail") in ids
    assert ("SV-01", "s", "fail") in ids
    sv01 = next(f for f in report.findings if f.rule_id == "SV-01" and f.feature_id == "park")
    assert sv01.level.value == "recommendation" and sv01.pillar.value == "social_safety"
    assert "donker over 400 m" in sv01.message
    assert report.verdict.code == "niet_van_toepassing"  # recommendations never decide


def test_rule_cases_pass() -> None:
    from inclusiecheck.testing import run_cases

    results = run_cases(RULES)
    bad = [r for r in results if not r.ok]
    assert results and not bad, bad


def test_degenerate_inputs_do_not_crash(tmp_path: Path) -> None:
    """A zero-length walkway, a stop inside a building, a passage with a near-zero segment."""
    features = [
        feat("walkway", "zero", line((5, 5), (5, 5)), kind="footpath", main_route=True),
        feat("walkway", "ok", line((0, 0), (60, 0)), kind="footpath", main_route=True),
        feat("stop", "inside", point(105, 5)),
        feat("building", "b", rect(100, 0, 110, 10)),
        feat("light", "l", point(0, 2), mounting_height_m=4, luminous_flux_lm=4000),
        feat("underpass", "u", line((200, 0), (200, 0.0001), (230, 0)), width_m=4.0),
    ]
    report = check(write_plan(tmp_path, features), rules=[str(RULES)], lang="en",
                   date="2026-01-01", list_all=True)
    by = {(f.rule_id, f.feature_id): f for f in report.findings}
    assert by[("SV-06", "inside")].measured == 0.0
    assert by[("SV-06", "inside")].outcome.value == "fail"
    assert by[("SV-01", "ok")].outcome.value in ("pass", "fail")  # the zero-length one is
    # dropped by the normaliser (invalid geometry), so it never reaches the checks
    assert ("SV-10", "u") in by


def test_night_rule_skips_kinds_without_a_class(tmp_path: Path, sv_rules: dict) -> None:
    features = [*lamps("L", 0, 48, 2.0, off_hours="00:00-05:00"),
                feat("area", "boundary", rect(-10, -10, 60, 10), kind="plan_boundary"),
                feat("area", "square", rect(0, -5, 50, 5), kind="square")]
    found = run(tmp_path, features, sv_rules["SV-02"])
    assert one(found, "boundary").outcome.value == "not_applicable"
    sq = one(found, "square")
    assert sq.outcome.value == "fail" and sq.data["lighting_class"] == "P6"


def test_cached_number_texts_equal_format_number() -> None:
    """``_nl_en`` (cached, the Dutch text from the English one) writes what ``_nl`` and
    ``_en`` write, for random values, signed zeros, halves and integers."""
    import numpy as np

    from inclusiecheck.engine.checks.safety import _en, _nl, _nl_en

    rng = np.random.default_rng(2)
    values = [0.0, -0.0, -0.004, 0.005, 0.015, 2.5, 1936.0, -3.25, 1e9 / 3, 7, True]
    values += rng.uniform(-50, 50, 300).tolist() + (rng.integers(0, 4000, 100) / 8).tolist()
    for value in values * 2:   # twice: from the cache too
        for decimals in (0, 1, 2):
            assert _nl_en(value, decimals) == (_nl(value, decimals), _en(value, decimals))


def test_near_indices_and_night_change_equal_one_feature_at_a_time() -> None:
    """The lights in reach of many geometries (one tree query) equal ``_near_index`` per
    geometry; the per-light night change equals ``scenario_flux`` against the full flux."""
    import numpy as np
    import shapely
    from shapely import STRtree
    from shapely.geometry import LineString, Point

    from inclusiecheck.engine.checks.safety import (
        PlanLights,
        _changed_at,
        _near_index,
        _near_indices,
    )
    from inclusiecheck.geometry.lighting import Luminaire, reach_m, scenario_flux

    rng = np.random.default_rng(12)
    lums = [Luminaire(float(x), float(y), float(rng.uniform(3, 9)), float(rng.uniform(0.1, 5000)),
                      dimmed_pct=[None, 100.0, 50.0, 0.0][k % 4],
                      off_hours=[None, "00:00-05:00", "23:00-01:00", None, "02:00-04:00"][k % 5])
            for k, (x, y) in enumerate(rng.uniform(-300, 300, (200, 2)))]
    xy = np.array([[lum.x, lum.y] for lum in lums])
    lights = PlanLights(lums, [], xy, STRtree(shapely.points(xy)),
                        max(reach_m(lum) for lum in lums))
    geoms = [Point(rng.uniform(-350, 350, 2)).buffer(2.0) for _ in range(60)]
    geoms += [LineString(rng.uniform(-350, 350, (3, 2))) for _ in range(60)]
    geoms += [Point(5000, 5000)]
    got = _near_indices(lights, geoms)
    for g, idx in zip(geoms, got):
        ref = _near_index(lights, g)
        assert idx.tolist() == ref.tolist()
    assert sum(len(i) for i in got) > 0
    for scenario in ("night@01:00", "night@03:00", "night@23:30", "evening"):
        changed = _changed_at(lights, scenario)
        assert changed is _changed_at(lights, scenario)   # once per scenario
        assert changed.tolist() == [scenario_flux(lum, scenario) != lum.luminous_flux_lm
                                    for lum in lums]
    empty = PlanLights([], [], np.zeros((0, 2)), STRtree([]), 0.0)
    assert [i.tolist() for i in _near_indices(empty, geoms[:2])] == [[], []]
