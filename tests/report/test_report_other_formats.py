"""GeoJSON, SARIF and Markdown outputs."""

from __future__ import annotations

import json

import pytest
from shapely.geometry import shape

from inclusiecheck.model import Level, Outcome
from inclusiecheck.report import RenderOptions, render
from inclusiecheck.report.geojson_report import crs_member
from inclusiecheck.report.markdown_report import md_code, md_escape
from inclusiecheck.report.sarif_report import result_level


# --- GeoJSON -------------------------------------------------------------------------------

def test_geojson_collection(report_nl) -> None:
    data = json.loads(render(report_nl, "geojson"))
    assert data["type"] == "FeatureCollection"
    assert data["crs"] == {"type": "name",
                           "properties": {"name": "urn:ogc:def:crs:EPSG::31370"}}
    listed = report_nl.listed_findings()
    located = [(n, f) for n, f in enumerate(listed, start=1) if f.location]
    assert [feat["properties"]["number"] for feat in data["features"]] == [n for n, _ in located]
    assert len(data["features"]) == 10  # 11 listed, the parking finding has no location
    kinds = {feat["geometry"]["type"] for feat in data["features"]}
    assert kinds == {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon",
                     "MultiPolygon", "GeometryCollection"}
    for feat, (_n, finding) in zip(data["features"], located):
        props = feat["properties"]
        assert "location" not in props
        assert props["rule_id"] == finding.rule_id and props["feature_id"] == finding.feature_id
        assert props["outcome"] == finding.outcome.value
        assert props["source_document"] == finding.source.document
        assert props["title"]
        assert not shape(feat["geometry"]).is_empty


def test_geojson_deterministic_and_all(make_report) -> None:
    assert render(make_report("nl"), "geojson") == render(make_report("nl"), "geojson")
    data = json.loads(render(make_report("nl", list_all=True), "geojson"))
    assert "pass" in {f["properties"]["outcome"] for f in data["features"]}


@pytest.mark.parametrize("crs, name", [
    ("EPSG:31370", "urn:ogc:def:crs:EPSG::31370"),
    ("epsg:3812", "urn:ogc:def:crs:EPSG::3812"),
    ('PROJCS["local"]', 'PROJCS["local"]'),
])
def test_crs_member(crs: str, name: str) -> None:
    assert crs_member(crs)["properties"]["name"] == name


def test_geojson_empty(make_empty_report) -> None:
    data = json.loads(render(make_empty_report("nl"), "geojson"))
    assert data["features"] == []


# --- SARIF ---------------------------------------------------------------------------------

def test_sarif_shape(report_nl) -> None:
    log = json.loads(render(report_nl, "sarif"))
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-schema-2.1.0.json")
    assert len(log["runs"]) == 1
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "inclusiecheck" and driver["version"] == "0.1.0"
    rules = driver["rules"]
    assert [r["id"] for r in rules] == [info.id for info in report_nl.rules]
    by_id = {r["id"]: r for r in rules}
    assert by_id["VW-01"]["helpUri"] == report_nl.rule("VW-01").source.url
    assert "helpUri" not in by_id["SV-L-01"]  # its source has no url
    assert by_id["VW-01"]["shortDescription"]["text"] == "Vrije doorgang looppad"
    assert by_id["PD-07"]["defaultConfiguration"]["level"] == "warning"
    results = run["results"]
    assert len(results) == len(report_nl.listed_findings())
    for res in results:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        assert res["message"]["text"]
        assert res["partialFingerprints"]["inclusiecheck/v1"]


def test_sarif_levels_and_locations(report_nl) -> None:
    results = json.loads(render(report_nl, "sarif"))["runs"][0]["results"]
    by_feature = {r["properties"]["feature_id"]: r for r in results}
    assert by_feature["sidewalk-north"]["level"] == "error"      # obligation fail
    assert by_feature["crossing-1"]["level"] == "warning"        # recommendation fail
    assert by_feature["square-surface"]["level"] == "warning"    # warn
    assert by_feature["town-hall-door"]["level"] == "note"       # to_verify
    assert "[missing: turning_space_m]" in by_feature["town-hall-door"]["message"]["text"]
    stairs = by_feature["stairs-1"]
    assert stairs["suppressions"][0]["status"] == "accepted"
    assert stairs["suppressions"][0]["justification"].startswith("Beschermd monument")
    loc = by_feature["sidewalk-north"]["locations"][0]
    assert loc["physicalLocation"]["artifactLocation"]["uri"] == "plein.gpkg"
    assert loc["logicalLocations"][0]["fullyQualifiedName"] == "walkway/sidewalk-north"
    assert by_feature["sidewalk-north"]["properties"]["location"]["type"] == "LineString"
    assert by_feature["route-1"]["properties"]["measured"] == 140.123


def test_sarif_all_and_unknown_rule(make_report) -> None:
    import dataclasses

    report = make_report("nl", list_all=True)
    odd = dataclasses.replace(report.findings[0], rule_id="XX-99", feature_id="odd",
                              source_ref={"file": "C:\\plans\\my plan.gpkg"})
    report = dataclasses.replace(report, findings=report.findings + (odd,))
    run = json.loads(render(report, "sarif"))["runs"][0]
    kinds = {r["properties"]["outcome"]: (r.get("kind"), r["level"]) for r in run["results"]}
    assert kinds["pass"] == ("pass", "none")
    assert kinds["not_applicable"] == ("notApplicable", "none")
    last = run["results"][-1]
    assert run["tool"]["driver"]["rules"][last["ruleIndex"]]["id"] == "XX-99"
    assert last["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "my%20plan.gpkg"


@pytest.mark.parametrize("outcome, level, expected", [
    (Outcome.FAIL, Level.OBLIGATION, "error"),
    (Outcome.FAIL, Level.RECOMMENDATION, "warning"),
    (Outcome.WARN, Level.OBLIGATION, "warning"),
    (Outcome.WARN, Level.RECOMMENDATION, "warning"),
    (Outcome.TO_VERIFY, Level.OBLIGATION, "note"),
    (Outcome.PASS, Level.OBLIGATION, "none"),
])
def test_sarif_level_table(report_nl, outcome, level, expected) -> None:
    import dataclasses

    finding = dataclasses.replace(report_nl.findings[0], outcome=outcome, level=level)
    assert result_level(finding) == expected


# --- Markdown ------------------------------------------------------------------------------

def test_markdown_nl(report_nl) -> None:
    text = render(report_nl, "md").decode("utf-8")
    assert text.startswith("# Inclusieadvies: Heraanleg Marktplein\n")
    assert "## Eindoordeel: **Ongunstig**" in text
    obligations = text[text.index("## Verplichtingen"):text.index("## Aanbevelingen")]
    recommendations = text[text.index("## Aanbevelingen"):text.index("## Bestaande toestand")]
    assert "TV-24" in obligations and "PD-07" not in obligations
    assert "PD-07" in recommendations and "TV-24" not in recommendations
    assert "`turning_space_m`" in text
    assert "[BVR 29 april 1997 (voetgangerswegen), art. 2](<https://codex" in text
    assert "Motivering: Beschermd monument" in text
    assert "inclusiecheck 0.1.0" in text


def test_markdown_en(report_en) -> None:
    text = render(report_en, "md", RenderOptions(lang="en")).decode("utf-8")
    assert "## Verdict: **Unfavourable**" in text
    assert "## Obligations (regulations)" in text and "## To verify" in text


def test_markdown_escapes_hostile_text(hostile_report) -> None:
    import re

    text = render(hostile_report, "md").decode("utf-8")
    assert "`<script>alert(1)</script>`" in text  # inside a code span it is inert
    outside_code = re.sub(r"`[^`]*`", "", text)
    assert not re.search(r"(?<!\\)<(script|img|b|i)\b", outside_code)
    assert "\\<img src=x onerror=alert(1)\\>" in text
    assert "javascript:" not in text


@pytest.mark.parametrize("raw, escaped", [
    ("a_b *c*", "a\\_b \\*c\\*"),
    ("<b>x</b>", "\\<b\\>x\\</b\\>"),
    ("# title", "\\# title"),
    ("1. item", "1\\. item"),
    ("line\nbreak", "line break"),
    ("&amp;", "&amp;amp;"),
    ("R&D", "R&D"),
])
def test_md_escape(raw: str, escaped: str) -> None:
    assert md_escape(raw) == escaped


def test_md_code() -> None:
    assert md_code("a`b") == "``a`b``"
    assert md_code("`x") == "`` `x ``"


def test_markdown_lists_reader_warnings_in_the_technical_annex(report_nl) -> None:
    """The Markdown advice names every reader warning, after the technical-annex heading (the
    reader's detail is English and may name internal fields), with its file relative."""
    text = render(report_nl, "md").decode("utf-8")
    annex = text.index("## Technische bijlage")
    warnings = text.index("### Meldingen bij het inlezen")
    assert annex < warnings < text.index("## Beslissing")
    section = text[warnings:]
    assert "`unknown_attribute` (plein.gpkg / walkway / sidewalk-north)" in section
    assert "`geometry_repaired`" in section and "/home/someone" not in text
