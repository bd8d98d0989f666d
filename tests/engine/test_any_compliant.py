"""Rules that read other rules' outcomes (``any_compliant``): run order, recording, validation."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from inclusiecheck.api import load_model
from inclusiecheck.engine.deviations import Deviation
from inclusiecheck.engine.evaluate import evaluate
from inclusiecheck.engine.loader import RuleSetError, load_set, run_order

RULESET = """name: readers
version: "1.0"
title: {nl: Testset, en: Test set}
publisher: tests
"""

WIDTH = """id: {rid}
name: entrance.width_min
title: {{nl: Breedte, en: Width}}
pillar: accessibility
level: obligation
source: {{document: Test law, article: Art. 1, kind: law}}
applies_to:
  layer: entrance
  where: {{public: true}}
check:
  type: threshold
  params: {{property: door_width_cm, min: 90, unit: cm}}
message: {{nl: "Breedte {{measured}}", en: "Width {{measured}}"}}
advice: {{nl: Breder., en: Wider.}}
"""

ANY = """id: RA-00
name: building.compliant_entrance
title: {{nl: Eén ingang, en: One entrance}}
pillar: accessibility
level: obligation
source: {{document: Test law, article: Art. 9, kind: law}}
applies_to:
  layer: building
check:
  type: any_compliant
  params:
    rules: {rules}
    members: [{{layer: entrance}}]
message: {{nl: "{{measured}} van {{required}}", en: "{{measured}} of {{required}}"}}
advice: {{nl: Eén ingang., en: One entrance.}}
"""


def make_set(root: Path, rules: list[str] | None = None) -> Path:
    folder = root / "readers"
    folder.mkdir()
    (folder / "ruleset.yaml").write_text(RULESET, encoding="utf-8")
    # the reading rule sorts before the rule it reads (RA-00 < RA-01): the order must come
    # from what it reads, not from the ids
    for sub, text in (("RA-00", ANY.format(rules=json.dumps(rules or ["RA-01"]))),
                      ("RA-01", WIDTH.format(rid="RA-01"))):
        (folder / sub).mkdir()
        (folder / sub / "rule.yaml").write_text(text, encoding="utf-8")
    return folder


def _rect(x: float, w: float = 20.0) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [[[x, 0], [x + w, 0], [x + w, 15], [x, 15],
                                                [x, 0]]]}


def _plan(tmp_path: Path) -> Any:
    feats = [({"layer": "building", "id": "b-ok"}, _rect(0)),
             ({"layer": "entrance", "id": "e-90", "public": True, "door_width_cm": 90},
              {"type": "Point", "coordinates": [5, 0]}),
             ({"layer": "entrance", "id": "e-70", "public": True, "door_width_cm": 70},
              {"type": "Point", "coordinates": [15, 0]}),
             ({"layer": "building", "id": "b-bad"}, _rect(100)),
             ({"layer": "entrance", "id": "e-89", "public": True, "door_width_cm": 89},
              {"type": "Point", "coordinates": [105, 0]}),
             ({"layer": "building", "id": "b-open"}, _rect(200)),
             ({"layer": "entrance", "id": "e-unknown", "public": True},
              {"type": "Point", "coordinates": [205, 0]}),
             ({"layer": "entrance", "id": "e-far", "public": True, "door_width_cm": 120},
              {"type": "Point", "coordinates": [205, -5]}),   # 5 m away: another building's
             ({"layer": "building", "id": "b-staff"}, _rect(300)),
             ({"layer": "entrance", "id": "e-staff", "public": False, "door_width_cm": 120},
              {"type": "Point", "coordinates": [305, 0]})]
    path = tmp_path / "plan.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": p, "geometry": g} for p, g in feats]}))
    return load_model(path, crs="EPSG:31370")


def _outcomes(model: Any, rules: list[Any], **kw: Any) -> dict[str, str]:
    result = evaluate(model, rules, date=dt.date(2025, 1, 1), list_all=True, **kw)
    return {f.feature_id: f.outcome.value for f in result.findings if f.rule_id == "RA-00"}


def test_reading_rule_runs_after_the_rules_it_reads(tmp_path: Path) -> None:
    ruleset = load_set(make_set(tmp_path))
    assert [r.id for r in ruleset.rules] == ["RA-00", "RA-01"]
    assert [r.id for r in run_order(ruleset.rules)] == ["RA-01", "RA-00"]
    model = _plan(tmp_path)
    expected = {"b-ok": "pass", "b-bad": "fail", "b-open": "to_verify",
                "b-staff": "to_verify"}
    assert _outcomes(model, ruleset.rules) == expected
    assert _outcomes(_plan(tmp_path), list(reversed(ruleset.rules))) == expected


def test_finding_names_the_members(tmp_path: Path) -> None:
    ruleset = load_set(make_set(tmp_path))
    result = evaluate(_plan(tmp_path), ruleset.rules, date=dt.date(2025, 1, 1), list_all=True)
    by_id = {f.feature_id: f for f in result.findings if f.rule_id == "RA-00"}
    assert by_id["b-ok"].measured == 1 and by_id["b-ok"].required == 1
    assert by_id["b-ok"].data["compliant"] == "e-90"
    assert by_id["b-bad"].measured == 0
    assert by_id["b-bad"].data["failed"] == "e-89 (RA-01)"
    assert by_id["b-open"].missing == ("e-unknown (RA-01)",)   # e-far is not its entrance
    assert by_id["b-staff"].missing == ("entrance",)            # a non-public entrance: none


def test_without_the_rules_it_reads_nothing_is_compliant(tmp_path: Path) -> None:
    ruleset = load_set(make_set(tmp_path))
    only = [r for r in ruleset.rules if r.id == "RA-00"]
    outcomes = _outcomes(_plan(tmp_path), only)
    assert set(outcomes.values()) == {"to_verify"}


def test_granted_deviation_counts_as_compliant(tmp_path: Path) -> None:
    ruleset = load_set(make_set(tmp_path))
    dev = Deviation(rule="RA-01", feature="e-89", layer=None, justification="protected facade",
                    decided_by="college", date=dt.date(2025, 1, 1), reference=None)
    assert _outcomes(_plan(tmp_path), ruleset.rules, deviations=[dev])["b-bad"] == "pass"


def test_unknown_rule_read_is_a_load_problem(tmp_path: Path) -> None:
    with pytest.raises(RuleSetError, match="reads the outcomes of unknown rule 'RA-09'"):
        load_set(make_set(tmp_path, ["RA-01", "RA-09"]))


def test_reading_itself_is_a_load_problem(tmp_path: Path) -> None:
    with pytest.raises(RuleSetError, match="reads the outcomes of itself"):
        load_set(make_set(tmp_path, ["RA-00"]))


def test_undecided_scope_reads_members_as_they_would_be() -> None:
    """No work_kind: the entrances' findings are to_verify with would_fail, and TV-44 says
    what the building would get once the verordening is confirmed to apply."""
    from inclusiecheck.engine.loader import builtin_rules_dir
    from inclusiecheck.testing import _read_by, rulesets_at

    folder = builtin_rules_dir() / "toegankelijkheidsverordening"
    rules = rulesets_at(folder)[0].rules
    tv44 = next(r for r in rules if r.id == "TV-44")
    fixture = folder / "TV-44-entrance-any-compliant" / "cases" / "cases.geojson"
    model = load_model(fixture, crs="EPSG:31370",
                       meta={"public_building": True, "building_area_m2": 500})
    result = evaluate(model, [*_read_by(tv44, rules), tv44], date=dt.date(2025, 1, 1),
                      list_all=True)
    by_id = {f.feature_id: f for f in result.findings if f.rule_id == "TV-44"}
    assert by_id["b-none"].outcome.value == "to_verify" and by_id["b-none"].would_fail is True
    assert by_id["b-staff"].would_fail is True
    assert by_id["b-one"].outcome.value == "to_verify" and by_id["b-one"].would_fail is False
    assert by_id["b-one"].measured == 1
    assert by_id["b-unknown"].would_fail is None      # a door width is missing: still open
    assert by_id["b-empty"].would_fail is None


def test_groups_near_is_the_one_by_one_distance_filter() -> None:
    """The STRtree preselection of connected groups keeps exactly the groups that the
    member-by-member distance test keeps, in the same order (also at the limit)."""
    import numpy as np
    import shapely
    from shapely.geometry import LineString, Point

    from types import SimpleNamespace

    from inclusiecheck.engine.checks.compliance import _group_index, _groups_near

    rng = np.random.default_rng(7)
    groups = []
    for _ in range(60):
        members = []
        for _ in range(int(rng.integers(1, 4))):
            x, y = rng.uniform(0, 200, 2)
            geom = (LineString([(x, y), (x + rng.uniform(-5, 5), y + rng.uniform(-5, 5))])
                    if rng.random() < 0.7 else Point(x, y))
            members.append((SimpleNamespace(geometry=geom), "pass", []))
        groups.append(members)
    tree, group_of = _group_index(groups)  # type: ignore[arg-type]
    probes = [shapely.box(*rng.uniform(0, 200, 2), *rng.uniform(0, 200, 2)).envelope
              for _ in range(40)]
    # probes exactly at 1 m from a member (the limit is inclusive)
    probes += [Point(m[0].geometry.coords[0][0] + 1.0, m[0].geometry.coords[0][1])
               for m in groups[3]]
    for probe in probes:
        for within in (0.0, 1.0, 7.5):
            near = [i for i in _groups_near(tree, group_of, probe, within)
                    if any(m[0].geometry.distance(probe) <= within for m in groups[i])]
            brute = [i for i, g in enumerate(groups)
                     if any(m[0].geometry.distance(probe) <= within for m in g)]
            assert near == brute
    assert _groups_near(*_group_index([]), Point(0, 0), 1.0) == []
