"""Acceptance test of issue 10 (item 4): public-domain rules where the verordening does not reach.

A stair on a public square with a 19 cm riser and one handrail, under ``work_kind:
outdoor_only`` (outdoor works alone: the toegankelijkheidsverordening does not apply), gets
public-domain recommendation fails (PD-25 riser, PD-22 handrails) and no verordening
obligation; the same stair with 18 cm risers and handrails on both sides passes both.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

import inclusiecheck
from inclusiecheck.model import Outcome, Report

X0, Y0 = 150_000.0, 200_000.0
DAY = dt.date(2026, 12, 1)


def _feat(layer: str, fid: str, geom: dict[str, Any], **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"layer": layer, "id": fid, **props},
            "geometry": geom}


def _square_with_stair(folder: Path, **stair: Any) -> Path:
    ring = [[X0, Y0], [X0 + 40, Y0], [X0 + 40, Y0 + 30], [X0, Y0 + 30], [X0, Y0]]
    features = [
        _feat("area", "marktplein", {"type": "Polygon", "coordinates": [ring]}, kind="square"),
        _feat("stairs", "trap-1", {"type": "LineString",
                                   "coordinates": [[X0 + 10, Y0 + 10], [X0 + 13, Y0 + 10]]},
              **stair),
    ]
    path = folder / "plein.geojson"
    path.write_text(json.dumps({
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::31370"}},
        "features": features}), encoding="utf-8")
    return path


def _check(path: Path, lang: str = "en") -> Report:
    return inclusiecheck.check(path, rules=["publiek-domein", "toegankelijkheidsverordening"],
                               meta={"work_kind": "outdoor_only", "built_up_area": True},
                               date=DAY, lang=lang, list_all=True)


def _by_rule(report: Report, feature_id: str) -> dict[str, Any]:
    return {f.rule_id: f for f in report.findings if f.feature_id == feature_id}


def test_stair_on_square_19cm_riser_one_handrail_gets_public_domain_fails(tmp_path: Path) -> None:
    plan = _square_with_stair(tmp_path, riser_cm=19, tread_cm=25, handrail="one_side",
                              nosing_contrast=True, tactile_warning=True)
    found = _by_rule(_check(plan), "trap-1")

    riser = found["PD-25"]
    assert riser.outcome is Outcome.FAIL
    assert riser.measured == pytest.approx(19.0) and riser.required == pytest.approx(18.0)
    assert riser.unit == "cm"
    assert riser.level.value == "recommendation"
    assert riser.source.kind == "guidance"
    assert "Trap in een notendop" in riser.source.document
    assert "19 cm" in riser.message and "18 cm" in riser.message
    assert riser.regime in ("bv97", "public_space")      # not the verordening

    handrails = found["PD-22"]
    assert handrails.outcome is Outcome.FAIL
    assert handrails.measured == "one_side"
    assert handrails.level.value == "recommendation"
    assert "Leuningen en randen" in handrails.source.document

    # the rest of the stair is fine: step rule 2 x 19 + 25 = 63 cm, marking and warning present
    assert found["PD-27"].outcome is Outcome.PASS
    assert found["PD-23"].outcome is Outcome.PASS
    assert found["PD-24"].outcome is Outcome.PASS

    # outdoor works only: no verordening obligation judges this stair
    for rule_id in ("TV-24", "TV-28"):
        if rule_id in found:
            assert found[rule_id].outcome is Outcome.NOT_APPLICABLE, rule_id
    obligations = [f for f in found.values() if f.level.value == "obligation"
                   and f.outcome in (Outcome.FAIL, Outcome.TO_VERIFY)]
    assert obligations == []


def test_dutch_messages_name_the_measured_values(tmp_path: Path) -> None:
    plan = _square_with_stair(tmp_path, riser_cm=19, handrail="one_side")
    found = _by_rule(_check(plan, lang="nl"), "trap-1")
    assert "De optrede van trap trap-1 is 19 cm" in found["PD-25"].message
    assert "aan beide zijden" in found["PD-22"].message


def test_same_stair_with_18cm_risers_and_two_handrails_passes(tmp_path: Path) -> None:
    plan = _square_with_stair(tmp_path, riser_cm=18, tread_cm=26, handrail="both_sides")
    found = _by_rule(_check(plan), "trap-1")
    assert found["PD-25"].outcome is Outcome.PASS     # 18 cm: the limit itself
    assert found["PD-22"].outcome is Outcome.PASS
    assert found["PD-27"].outcome is Outcome.PASS     # 62 cm


def _sidewalk_with(folder: Path, obstacle: dict[str, Any]) -> Path:
    ring = [[X0, Y0], [X0 + 20, Y0], [X0 + 20, Y0 + 1.5], [X0, Y0 + 1.5], [X0, Y0]]
    sq = [[X0 + 9, Y0 + 0.3], [X0 + 9.5, Y0 + 0.3], [X0 + 9.5, Y0 + 1.2], [X0 + 9, Y0 + 1.2],
          [X0 + 9, Y0 + 0.3]]
    features = [
        _feat("walkway", "stoep", {"type": "Polygon", "coordinates": [ring]}, kind="sidewalk"),
        _feat("obstacle", "obj", {"type": "Polygon", "coordinates": [sq]}, **obstacle),
    ]
    path = folder / "stoep.geojson"
    path.write_text(json.dumps({
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::31370"}},
        "features": features}), encoding="utf-8")
    return path


@pytest.mark.parametrize(("opening", "outcome"), [(2.0, Outcome.PASS), (2.5, Outcome.FAIL)])
def test_grate_is_flush_and_judged_on_its_opening(tmp_path: Path, opening: float,
                                                  outcome: Outcome) -> None:
    """A grate lies flush in a 1.50 m sidewalk: it takes no clear width (PD-01 still passes
    at 1.50 m, a bin of the same size narrows it), and PD-34 judges its opening (2 cm is the
    limit)."""
    report = _check(_sidewalk_with(tmp_path, {"kind": "grate", "opening_cm": opening}))
    sidewalk = _by_rule(report, "stoep")["PD-01"]
    assert sidewalk.outcome is Outcome.WARN            # 1.50 m: passes the minimum,
    assert sidewalk.measured == pytest.approx(1.5)     # below the preferred 1.80 m
    assert _by_rule(report, "obj")["PD-34"].outcome is outcome
    binned = _by_rule(_check(_sidewalk_with(tmp_path, {"kind": "bin"})), "stoep")["PD-01"]
    assert binned.measured == pytest.approx(0.3)       # 0.30 m left on either side of the bin


def test_stair_against_a_public_building_is_judged_by_the_verordening_only(tmp_path: Path) -> None:
    """The complement: the same stair against a publicly accessible building with building
    works is under the verordening (TV-24, TV-28 fail as obligations); the public-domain
    recommendations do not judge it a second time."""
    plan = _square_with_stair(tmp_path, riser_cm=19, handrail="one_side")
    data = json.loads(plan.read_text(encoding="utf-8"))
    ring = [[X0 + 13, Y0 + 5], [X0 + 30, Y0 + 5], [X0 + 30, Y0 + 20], [X0 + 13, Y0 + 20],
            [X0 + 13, Y0 + 5]]
    data["features"].append(_feat("building", "stadhuis", {"type": "Polygon",
                                                           "coordinates": [ring]}, public=True))
    plan.write_text(json.dumps(data), encoding="utf-8")
    report = inclusiecheck.check(plan, rules=["publiek-domein", "toegankelijkheidsverordening"],
                                 meta={"work_kind": "new", "built_up_area": True,
                                       "building_area_m2": 500},
                                 date=DAY, lang="en", list_all=True)
    found = _by_rule(report, "trap-1")
    assert found["TV-24"].outcome is Outcome.FAIL and found["TV-28"].outcome is Outcome.FAIL
    assert found["TV-24"].level.value == "obligation"
    for rule_id in ("PD-22", "PD-25"):
        assert found[rule_id].outcome is Outcome.NOT_APPLICABLE, rule_id
