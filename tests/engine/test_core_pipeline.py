"""The core pipeline on small hand-made plans: selection, outcomes, verdict (normalisation:
tests/model/test_normalise.py)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from inclusiecheck.engine.verdict import decide
from inclusiecheck.model import (
    Citation,
    Finding,
    Level,
    Outcome,
    Pillar,
)


def _finding(outcome: Outcome, level: Level, structural: bool, status: str = "new") -> Finding:
    return Finding("R-01", "s", "walkway", "w", {}, outcome, level, structural,
                   Pillar.ACCESSIBILITY, "width_m", 1.0, 1.5, "m", "", "",
                   Citation("doc", "art"), None, status)


def test_verdict_rules() -> None:
    ob, rec = Level.OBLIGATION, Level.RECOMMENDATION
    assert decide([_finding(Outcome.FAIL, ob, True)], {"fail": 1}, "nl").code == "ongunstig"
    assert decide([_finding(Outcome.FAIL, ob, False)], {"fail": 1}, "nl").code == \
        "gunstig_onder_voorwaarden"
    assert decide([_finding(Outcome.TO_VERIFY, ob, True)], {"to_verify": 1}, "nl").code == \
        "gunstig_onder_voorwaarden"
    # recommendations never change the verdict; existing features do not decide
    assert decide([_finding(Outcome.FAIL, rec, True), _finding(Outcome.FAIL, ob, True, "existing")],
                  {"pass": 3}, "nl").code == "gunstig"
    assert decide([_finding(Outcome.DEVIATION, ob, True)], {"deviation": 1}, "nl").code == "gunstig"
    assert decide([], {"not_applicable": 4}, "en").code == "niet_van_toepassing"


def _plan(tmp_path: Path, features: list[dict], meta: str = "") -> Path:
    folder = tmp_path / "plan"
    folder.mkdir()
    data = {"type": "FeatureCollection",
            "crs": {"type": "name", "properties": {"name": "EPSG:31370"}}, "features": features}
    (folder / "plan.geojson").write_text(json.dumps(data), encoding="utf-8")
    if meta:
        (folder / "plan.yaml").write_text(meta, encoding="utf-8")
    return folder / "plan.geojson"


def _walk(fid: str, width: float | None, y: float = 0.0, **extra: object) -> dict:
    props = {"layer": "walkway", "id": fid, "kind": "sidewalk", **extra}
    if width is not None:
        props["width_m"] = width
    return {"type": "Feature", "properties": props,
            "geometry": {"type": "LineString",
                         "coordinates": [[150000, 200000 + y], [150010, 200000 + y]]}}


RULESET = """name: testset
version: "1"
title: {nl: Testset, en: Test set}
publisher: tests
"""

RULE = """id: PD-01
name: walkway.width_test
title: {nl: Breedte, en: Width}
pillar: accessibility
level: recommendation
structural: true
source: {document: Testbron, article: Art. 1, kind: guidance}
applies_to:
  layer: walkway
  where: {kind: [sidewalk]}
check:
  type: threshold
  params: {property: width_m, min: 1.5, warn_min: 1.8, unit: m}
message: {nl: "Breedte {measured} m < {required} m", en: "Width {measured} m < {required} m"}
advice: {nl: Verbreden., en: Widen.}
"""


def _pd01_only(tmp_path: Path) -> Path:
    """A one-rule set with a plain threshold rule (independent of the built-in sets)."""
    dst = tmp_path / "sets" / "publiek-domein"
    (dst / "PD-01-sidewalk-width").mkdir(parents=True)
    (dst / "ruleset.yaml").write_text(RULESET, encoding="utf-8")
    (dst / "PD-01-sidewalk-width" / "rule.yaml").write_text(RULE, encoding="utf-8")
    return dst


def test_check_api_outcomes_and_determinism(tmp_path: Path) -> None:
    import inclusiecheck
    from inclusiecheck.report import render

    rules = [str(_pd01_only(tmp_path))]
    path = _plan(tmp_path, [_walk("ok", 2.0), _walk("smal", 1.0, 5), _walk("leeg", None, 10),
                            _walk("oud", 1.0, 15, status="existing")])
    report = inclusiecheck.check(path, rules=rules, lang="en")
    outcomes = {(f.feature_id, f.outcome.value) for f in report.findings}
    assert ("smal", "fail") in outcomes and ("leeg", "to_verify") in outcomes
    assert ("oud", "fail") in outcomes
    assert not any(f.feature_id == "ok" for f in report.findings)  # passes are counted only
    assert report.summary["total"]["pass"] >= 1
    assert report.summary["existing"]["fail"] == 1
    leeg = next(f for f in report.findings if f.feature_id == "leeg")
    # the message names the datum in words; the internal name stays in ``missing``
    assert leeg.missing == ("width_m",) and "(width)" in leeg.message
    assert leeg.text("message", "nl").endswith("(breedte).")   # one evaluation, both languages
    first = render(report, "json")
    again = render(inclusiecheck.check(path, rules=rules, lang="en"), "json")
    assert first == again
    assert str(tmp_path) not in first.decode()  # no absolute paths in the JSON
    every = inclusiecheck.check(path, rules=rules, list_all=True)
    assert any(f.outcome is Outcome.PASS and f.feature_id == "ok" for f in every.findings)


def test_rule_versions_follow_the_permit_date(tmp_path: Path) -> None:
    """Two versions of one rule id: the permit date picks the version in force."""
    import shutil

    import inclusiecheck

    sets = tmp_path / "sets"
    _pd01_only(tmp_path)
    base = sets / "publiek-domein" / "PD-01-sidewalk-width"
    old = sets / "publiek-domein" / "PD-01-sidewalk-width-2015"
    shutil.copytree(base, old)
    text = (base / "rule.yaml").read_text(encoding="utf-8")
    (base / "rule.yaml").write_text(text + "valid_from: 2020-01-01\nversion: 2\n", encoding="utf-8")
    (old / "rule.yaml").write_text(text.replace("min: 1.5", "min: 1.2").replace("warn_min: 1.8",
                                                                               "warn_min: 1.5")
                                   + "valid_until: 2019-12-31\n", encoding="utf-8")
    path = _plan(tmp_path, [_walk("w", 1.3)])
    before = inclusiecheck.check(path, rules=[str(sets / "publiek-domein")], date="2015-06-01")
    after = inclusiecheck.check(path, rules=[str(sets / "publiek-domein")], date="2024-06-01")
    assert [f.outcome.value for f in before.findings] == ["warn"]
    assert [f.outcome.value for f in after.findings] == ["fail"]
    assert before.coverage["rules_date"] == "2015-06-01"


def test_plan_metadata_from_yaml_and_overrides(tmp_path: Path) -> None:
    import inclusiecheck

    path = _plan(tmp_path, [_walk("w", 2.0)], "project: Test\npermit_date: 2026-01-05\n"
                                              "work_kind: new\n")
    report = inclusiecheck.check(path, rules=["publiek-domein"], meta={"work_kind": "renovation"})
    assert report.plan["project"] == "Test"
    assert report.plan["work_kind"] == "renovation"
    assert report.plan["permit_date"] == dt.date(2026, 1, 5).isoformat()
    assert report.plan["built_up_area_assumed"] is True
