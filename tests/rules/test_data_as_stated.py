"""Toilets and walkways judged as the data says (issue 10, item 6).

- ``toilet.accessible`` is a code yes/limited/no (booleans read as yes/no); a public toilet
  that is not accessible fails VZ-15, ``limited`` warns; OSM ``wheelchair=no`` gives a finding.
- Toilet coverage is ``to_verify`` (never a fail "the nearest is ? m away") when no toilet is
  known to be accessible.
- A signed slope (``-10`` %) is judged by its size everywhere; the finding notes the sign.
- A walkway without ``kind`` is ``to_verify`` on the rules that need its kind.
- A walkway drawn 1.00 m wide with slight bends does not fail a 1.00 m minimum on noise.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

import inclusiecheck
from inclusiecheck.engine.conditions import matches
from inclusiecheck.model import Report
from inclusiecheck.model.profile import Toilet

X0, Y0 = 150_000.0, 200_000.0


def pt(x: float, y: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [X0 + x, Y0 + y]}


def line(*xy: tuple[float, ...]) -> dict[str, Any]:
    return {"type": "LineString", "coordinates": [[X0 + p[0], Y0 + p[1], *p[2:]] for p in xy]}


def feat(layer: str, fid: str, geom: dict[str, Any], **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"layer": layer, "id": fid, **props},
            "geometry": geom}


def write_plan(folder: Path, features: list[dict[str, Any]]) -> Path:
    path = folder / "plan.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def run(path: Path, rules: list[str], **kwargs: Any) -> Report:
    return inclusiecheck.check(path, rules=rules, crs=kwargs.pop("crs", "31370"),
                               date=dt.date(2026, 12, 1), list_all=True, **kwargs)


def outcome(report: Report, rule_id: str, feature_id: str) -> str:
    found = [f.outcome.value for f in report.findings
             if f.rule_id == rule_id and f.feature_id == feature_id]
    assert len(found) == 1, (rule_id, feature_id, found)
    return found[0]


def finding(report: Report, rule_id: str, feature_id: str) -> Any:
    [f] = [f for f in report.findings if f.rule_id == rule_id and f.feature_id == feature_id]
    return f


# --------------------------------------------------------------------------------------------
# toilet.accessible: a code that still accepts booleans
@pytest.mark.parametrize(("raw", "code"), [
    (True, "yes"), (False, "no"), ("ja", "yes"), ("nee", "no"), ("yes", "yes"),
    ("limited", "limited"), ("Beperkt", "limited"), ("no", "no"), (None, None), ("", None),
])
def test_toilet_accessible_is_a_code(raw: Any, code: str | None) -> None:
    assert Toilet(accessible=raw).accessible == code


def test_toilet_accessible_rejects_other_text() -> None:
    with pytest.raises(ValueError, match="accessibility code"):
        Toilet(accessible="sometimes")


def test_boolean_conditions_meet_yes_no_codes() -> None:
    assert matches("yes", True) is True and matches("no", False) is True
    assert matches("limited", True) is False and matches("limited", False) is False
    assert matches("yes", [True, "limited"]) is True
    assert matches("no", {"in": [True, "limited"]}) is False
    assert matches("no", {"ne": True}) is True
    assert matches(None, True) is None


def test_presence_reads_a_yes_no_code() -> None:
    from inclusiecheck.engine.checks import registry

    check = registry()["presence"]
    params = check.params(property="accessible", expected=True)

    class Ctx:
        def value(self, feature: Any, name: str) -> Any:
            return feature

        def source_of(self, feature: Any, name: str) -> str:
            return "attribute"

    assert check.func("yes", params, Ctx()).outcome.value == "pass"
    assert check.func("no", params, Ctx()).outcome.value == "fail"   # bool("no") is True
    assert check.func("limited", params, Ctx()).outcome.value == "fail"
    assert check.func(True, params, Ctx()).outcome.value == "pass"
    assert check.func("07:00-22:00", params, Ctx()).outcome.value == "pass"  # any text is there


def test_public_toilet_not_accessible_fails_limited_warns(tmp_path: Path) -> None:
    plan = write_plan(tmp_path, [
        feat("toilet", "wc-false", pt(0, 0), public=True, accessible=False),
        feat("toilet", "wc-limited", pt(20, 0), public=True, accessible="limited"),
        feat("toilet", "wc-true", pt(40, 0), public=True, accessible=True),
        feat("toilet", "wc-private", pt(60, 0), public=False, accessible=False),
    ])
    report = run(plan, ["voorzieningen"], lang="en")
    failed = finding(report, "VZ-15", "wc-false")
    assert failed.outcome.value == "fail" and failed.measured == "no"
    assert failed.level.value == "recommendation" and failed.source.kind == "guidance"
    assert "not accessible" in failed.message
    warned = finding(report, "VZ-15", "wc-limited")
    assert warned.outcome.value == "warn" and "partly accessible" in warned.message
    assert outcome(report, "VZ-15", "wc-true") == "pass"
    assert outcome(report, "VZ-15", "wc-private") == "not_applicable"
    # the dimension rules still apply to a toilet given as true (= yes), not to "no"
    assert outcome(report, "VZ-04", "wc-true") == "to_verify"
    assert outcome(report, "VZ-04", "wc-false") == "not_applicable"


def _osm(tmp_path: Path, *toilets: dict[str, str]) -> Path:
    nodes = []
    for i, tags in enumerate(toilets):
        body = "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items())
        nodes.append(f'<node id="{i + 1}" lat="50.8467" lon="{4.3525 + i * 0.0003:.7f}" '
                     f'version="1">{body}</node>')
    path = tmp_path / "toilets.osm"
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" '
                    'generator="test">\n' + "\n".join(nodes) + "\n</osm>\n", encoding="utf-8")
    return path


def test_public_wheelchair_no_toilet_from_osm_gets_a_finding(tmp_path: Path) -> None:
    path = _osm(tmp_path,
                {"amenity": "toilets", "access": "yes", "wheelchair": "no"},
                {"amenity": "toilets", "access": "yes", "wheelchair": "limited"},
                {"amenity": "toilets", "access": "yes", "wheelchair": "yes"},
                {"amenity": "toilets", "access": "yes"})
    report = inclusiecheck.check(path, rules=["voorzieningen"], date=dt.date(2026, 12, 1),
                                 list_all=True)
    assert outcome(report, "VZ-15", "n1") == "fail"
    assert outcome(report, "VZ-15", "n2") == "warn"      # the mapping keeps limited
    assert outcome(report, "VZ-15", "n3") == "pass"
    assert outcome(report, "VZ-15", "n4") == "to_verify"


# --------------------------------------------------------------------------------------------
# toilet coverage without a toilet known to be accessible
def test_coverage_is_to_verify_when_no_toilet_is_known_accessible(tmp_path: Path) -> None:
    plan = write_plan(tmp_path, [
        feat("toilet", "wc-unknown", pt(0, 0), public=True),
        feat("toilet", "wc-no", pt(5, 0), public=True, accessible=False),
        feat("toilet", "wc-limited", pt(10, 0), public=True, accessible="limited"),
        feat("stop", "stop-far", pt(1500, 0)),
        feat("area", "park-far", {"type": "Polygon", "coordinates": [[
            [X0 + 1200, Y0], [X0 + 1300, Y0], [X0 + 1300, Y0 + 100], [X0 + 1200, Y0 + 100],
            [X0 + 1200, Y0]]]}, kind="park"),
    ])
    report = run(plan, ["voorzieningen"], lang="en")
    stop = finding(report, "VZ-11", "stop-far")
    assert stop.outcome.value == "to_verify"
    assert stop.measured == pytest.approx(1500.0)          # the toilet that does not say
    assert "toilet wc-unknown" in stop.note and "?" not in stop.message
    park = finding(report, "VZ-10", "park-far")
    assert park.outcome.value == "to_verify"
    assert "?" not in park.message


def test_coverage_with_only_inaccessible_toilets_is_to_verify(tmp_path: Path) -> None:
    plan = write_plan(tmp_path, [
        feat("toilet", "wc-no", pt(5, 0), public=True, accessible="no"),
        feat("stop", "stop-near", pt(50, 0)),
    ])
    stop = finding(run(plan, ["voorzieningen"], lang="en"), "VZ-11", "stop-near")
    assert stop.outcome.value == "to_verify" and stop.measured is None
    assert "not public or not (fully) accessible" in stop.note


# --------------------------------------------------------------------------------------------
# signed slopes
def test_negative_slope_is_judged_by_its_size(tmp_path: Path) -> None:
    plan = write_plan(tmp_path, [
        feat("walkway", "down", line((0, 0), (20, 0)), kind="sidewalk", slope_pct=-10,
             cross_slope_pct=-3),
        feat("walkway", "up", line((0, 10), (20, 10)), kind="sidewalk", slope_pct=10),
        feat("ramp", "ramp-down", line((0, 20), (4, 20)), slope_pct=-8, length_m=4),
    ])
    report = run(plan, ["publiek-domein"], lang="en",
                 meta={"work_kind": "outdoor_only", "built_up_area": True})
    down = finding(report, "PD-04", "down")
    assert down.outcome.value == "fail"
    assert down.measured == 10.0                     # the size, reported as measured
    assert down.data["signed_value"] == -10.0        # the sign, kept in the finding
    assert "-10 % in the data" in down.note
    assert outcome(report, "PD-04", "up") == "fail"
    assert "signed_value" not in finding(report, "PD-04", "up").data
    cross = finding(report, "PD-03", "down")
    assert cross.outcome.value == "fail" and cross.measured == 3.0
    # the rise derived from a signed slope is a height, not a negative number: 8 % x 4 m
    ramp = finding(report, "PD-05", "ramp-down")
    assert ramp.outcome.value == "fail" and ramp.data["key_value"] == 32.0
    assert ramp.measured == 8.0 and ramp.data["signed_value"] == -8.0
    assert "judged by its size, 8 %" in ramp.note


def test_negative_slope_decides_where_and_lookup_of_the_verordening(tmp_path: Path) -> None:
    # a ramp of a public building going down 8 % over 40 cm: TV-18 (slope by rise) fails,
    # and TV-21 (ramps steeper than 4 %: width) applies instead of being skipped
    plan = write_plan(tmp_path, [
        feat("ramp", "down", line((0, 0), (5, 0)), slope_pct=-8, rise_cm=40, width_m=1.0,
             regime="verordening", public=True),
    ])
    report = run(plan, ["toegankelijkheidsverordening"], lang="en",
                 meta={"work_kind": "new", "building_area_m2": 800})
    tv18 = finding(report, "TV-18", "down")
    assert tv18.outcome.value == "fail" and tv18.measured == 8.0
    assert tv18.data["signed_value"] == -8.0
    assert outcome(report, "TV-21", "down") == "fail"       # 1.00 m < 1.20 m


def test_signed_3d_attribute_agrees_with_the_drawing(tmp_path: Path) -> None:
    # drawn 1 m down over 20 m (5 %), the attribute says -5 %: they agree (PD-17)
    plan = write_plan(tmp_path, [
        feat("walkway", "w3d", line((0, 0, 11.0), (20, 0, 10.0)), kind="footpath",
             slope_pct=-5),
    ])
    report = run(plan, ["publiek-domein"], meta={"work_kind": "outdoor_only"})
    assert outcome(report, "PD-17", "w3d") == "pass"


# --------------------------------------------------------------------------------------------
# walkways without kind
def test_walkway_without_kind_is_to_verify_on_kind_rules(tmp_path: Path) -> None:
    plan = write_plan(tmp_path, [
        feat("walkway", "no-kind", line((0, 0), (20, 0)), width_m=1.2, slope_pct=6),
        feat("walkway", "square", line((0, 10), (20, 10)), kind="square_surface",
             width_m=1.2, slope_pct=6),
    ])
    report = run(plan, ["publiek-domein"], meta={"work_kind": "outdoor_only"})
    for rule_id in ("PD-01", "PD-04"):
        f = finding(report, rule_id, "no-kind")
        assert f.outcome.value == "to_verify" and "kind" in f.missing
        assert outcome(report, rule_id, "square") == "not_applicable"


# --------------------------------------------------------------------------------------------
# clear width: measured to the centimetre, not failed on drawing noise
def _bent_walkway(width: float) -> dict[str, Any]:
    """A walkway polygon drawn ``width`` wide along a centre line with slight bends, its
    vertices stored to the millimetre (as a GIS export does)."""
    import shapely
    from shapely.geometry import LineString, mapping

    axis = LineString([(X0, Y0), (X0 + 10, Y0 + 0.3), (X0 + 20, Y0), (X0 + 30, Y0 + 0.4),
                       (X0 + 40, Y0 + 0.1)])
    poly = shapely.set_precision(axis.buffer(width / 2, cap_style="flat", join_style="mitre"),
                                 0.001)
    return mapping(poly)


def test_bent_one_metre_walkway_meets_one_metre_within_tolerance(tmp_path: Path) -> None:
    from shapely.geometry import shape

    from inclusiecheck.geometry.clearwidth import WIDTH_TOLERANCE_M, clear_width

    exact = _bent_walkway(1.00)
    raw = clear_width(shape(exact)).min_width_m
    assert 0.999 < raw < 1.0  # the drawing noise this is about
    plan = write_plan(tmp_path, [
        feat("walkway", "bent-100", exact, kind="sidewalk"),
        feat("walkway", "bent-095", _shift(_bent_walkway(0.95), 10.0), kind="sidewalk"),
    ])
    report = run(plan, ["voetgangerswegen"], lang="en",
                 meta={"work_kind": "outdoor_only", "built_up_area": True})
    ok = finding(report, "VW-04", "bent-100")
    assert ok.outcome.value == "pass"
    assert ok.measured == 1.0                          # reported to the centimetre
    assert ok.data["tolerance_m"] == WIDTH_TOLERANCE_M == 0.005
    narrow = [f for f in report.findings if f.rule_id == "VW-04" and f.feature_id == "bent-095"]
    assert narrow and all(f.outcome.value == "fail" for f in narrow)
    assert min(f.measured for f in narrow) == 0.95
    assert all(f.data["tolerance_m"] == 0.005 for f in narrow)


def _shift(geom: dict[str, Any], dy: float) -> dict[str, Any]:
    return {"type": geom["type"],
            "coordinates": [[[x, y + dy] for x, y in ring] for ring in geom["coordinates"]]}
