"""``--format gpkg``: findings.gpkg with point/line/polygon layers and default QGIS styles."""

from __future__ import annotations

import json
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace

import fiona
import pytest

from inclusiecheck.model import Outcome
from inclusiecheck.report import available_formats, render
from inclusiecheck.report.gpkg_report import (
    CLASS_STYLES,
    COLUMNS,
    LAYERS,
    display_class,
    layer_style,
)
from inclusiecheck.report.viewmodel import finding_anchor, reading_order


@pytest.fixture()
def gpkg(report_nl, tmp_path: Path) -> Path:
    path = tmp_path / "findings.gpkg"
    path.write_bytes(render(report_nl, "gpkg"))
    return path


def _rows(path: Path) -> dict[str, list[dict]]:
    rows = {}
    for layer in LAYERS:
        with fiona.open(path, layer=layer) as src:
            rows[layer] = [{"geometry": f.geometry.type, **dict(f.properties)} for f in src]
    return rows


def test_format_is_registered() -> None:
    fmt = available_formats()["gpkg"]
    assert fmt.filename == "findings.gpkg"


def test_layers_columns_and_crs(gpkg: Path) -> None:
    assert set(LAYERS) <= set(fiona.listlayers(gpkg))
    for layer, (multi, _symbol, _kinds) in LAYERS.items():
        with fiona.open(gpkg, layer=layer) as src:
            assert src.schema["geometry"] == multi
            assert list(src.schema["properties"]) == list(COLUMNS)
            assert src.crs.to_epsg() == 31370


def test_one_feature_per_located_finding_with_flat_columns(report_nl, gpkg: Path) -> None:
    rows = _rows(gpkg)
    listed = reading_order(report_nl)[0]  # numbered as in the HTML advice
    located = {n for n, f in enumerate(listed, start=1) if f.location}
    numbers = {row["number"] for layer in rows.values() for row in layer}
    assert numbers == located  # every located finding, none without a location
    assert len(located) < len(listed)  # the fixture has a finding without location
    kinds = {layer for layer, items in rows.items() if items}
    assert kinds == set(LAYERS)  # points, lines and polygons in the fixture
    for layer in rows.values():
        for row in layer:
            finding = listed[row["number"] - 1]
            assert row["rule_id"] == finding.rule_id
            assert row["feature_id"] == finding.feature_id
            assert row["outcome"] == finding.outcome.value
            assert row["level"] == finding.level.value
            assert row["anchor"] == finding_anchor(finding)
            assert row["source_document"] == finding.source.document
            assert row["source_article"] == finding.source.article
            assert row["display_class"] == display_class(finding)
            assert row["label"].startswith(f"{row['number']}. ")
            if finding.data:
                assert json.loads(row["data"]) == json.loads(json.dumps(finding.data, default=str))
            else:
                assert row["data"] is None


def test_labels_in_the_report_language(report_nl, make_report, tmp_path: Path) -> None:
    path = tmp_path / "en.gpkg"
    path.write_bytes(render(make_report("en"), "gpkg"))
    english = [r["label"] for rows in _rows(path).values() for r in rows]
    assert english and not any("niet voldaan" in label for label in english)
    dutch = tmp_path / "nl.gpkg"
    dutch.write_bytes(render(report_nl, "gpkg"))
    labels = [r["label"] for rows in _rows(dutch).values() for r in rows]
    assert any("niet voldaan:" in label for label in labels)


def test_anchor_opens_the_finding_in_the_html_report(report_nl, gpkg: Path) -> None:
    html = render(report_nl, "html").decode("utf-8")
    for rows in _rows(gpkg).values():
        for row in rows:
            # a finding card, or the finding's line in its to-verify group (issue 12)
            assert (f'<article class="finding" id="{row["anchor"]}"' in html
                    or f'<li id="{row["anchor"]}">' in html)
            # the map label is the finding's number in the advice (in the numbered list, or
            # on the finding's line in its to-verify group)
            assert ((f'<li id="m-{row["number"]}" value="{row["number"]}">'
                     f'<a href="#{row["anchor"]}">') in html
                    or (f'<li id="{row["anchor"]}"><span class="num-ref">{row["number"]}</span>')
                    in html)


def test_default_style_per_layer_in_layer_styles(gpkg: Path) -> None:
    con = sqlite3.connect(gpkg)
    try:
        styles = con.execute("SELECT f_table_name, styleName, useAsDefault, styleQML "
                             "FROM layer_styles ORDER BY f_table_name").fetchall()
        contents = {row[0] for row in con.execute("SELECT table_name FROM gpkg_contents")}
    finally:
        con.close()
    assert [s[0] for s in styles] == sorted(LAYERS)
    assert "layer_styles" in contents  # registered, as QGIS does
    for layer, name, default, qml in styles:
        assert name == "inclusiecheck" and default == 1
        root = ET.fromstring(qml.split("\n", 1)[1])
        assert root.get("labelsEnabled") == "1"
        renderer = root.find("renderer-v2")
        assert renderer.get("type") == "RuleRenderer"
        filters = [r.get("filter") for r in renderer.iter("rule")]
        for cls in CLASS_STYLES:
            for level in ("obligation", "recommendation"):
                assert f"\"display_class\" = '{cls}' AND \"level\" = '{level}'" in filters
        symbols = renderer.find("symbols")
        expected = {"findings_point": "marker", "findings_line": "line",
                    "findings_polygon": "fill"}[layer]
        assert {s.get("type") for s in symbols} == {expected}
        assert root.find("labeling/settings/text-style").get("fieldName") == "number"
        actions = [a.get("name") for a in root.iter("actionsetting")]
        assert actions == ["Zoom naar bevinding", "Open in rapport"]


def _props(symbol: ET.Element) -> dict[str, str]:
    return {o.get("name"): o.get("value") for o in symbol.iter("Option") if o.get("name")}


def test_outcome_never_by_colour_alone_and_level_by_symbol() -> None:
    for layer, key in (("findings_point", "name"), ("findings_line", "line_style"),
                       ("findings_polygon", "style")):
        root = ET.fromstring(layer_style(layer, "en").split("\n", 1)[1])
        symbols = {s.get("name"): _props(s) for s in root.find("renderer-v2/symbols")}
        rules = {r.get("filter"): symbols[r.get("symbol")] for r in root.iter("rule")}
        shapes = {}
        for cls in CLASS_STYLES:
            obligation = rules[f"\"display_class\" = '{cls}' AND \"level\" = 'obligation'"]
            recommendation = rules[f"\"display_class\" = '{cls}' AND \"level\" = 'recommendation'"]
            shapes[cls] = obligation[key]
            assert obligation != recommendation  # the level changes the symbol
        # the visible outcomes differ in shape or pattern, not only in colour
        shown = ("fail", "to_verify_would_fail", "deviation", "warn", "to_verify")
        assert len({shapes[c] for c in shown}) == len(shown), (layer, shapes)


def test_display_class_marks_would_fail() -> None:
    def finding(outcome: str, would_fail=None):
        return SimpleNamespace(outcome=Outcome(outcome), would_fail=would_fail)

    assert display_class(finding("to_verify", True)) == "to_verify_would_fail"
    assert display_class(finding("to_verify", False)) == "to_verify"
    assert display_class(finding("to_verify")) == "to_verify"
    assert display_class(finding("fail", True)) == "fail"
    assert display_class(SimpleNamespace(outcome=Outcome.WARN)) == "warn"  # no attribute


def test_empty_report_gives_empty_styled_layers(make_empty_report, tmp_path: Path) -> None:
    path = tmp_path / "findings.gpkg"
    path.write_bytes(render(make_empty_report("nl"), "gpkg"))
    assert all(len(rows) == 0 for rows in _rows(path).values())
    con = sqlite3.connect(path)
    try:
        assert con.execute("SELECT count(*) FROM layer_styles").fetchone()[0] == 3
    finally:
        con.close()


def test_would_fail_and_regime_columns(report_nl, tmp_path: Path) -> None:
    """A to_verify finding whose scope is undecided but that fails under every case gets
    display_class to_verify_would_fail; regime and its reason (report language) are kept."""
    import dataclasses

    listed = report_nl.listed_findings()
    target = next(f for f in listed if f.outcome is Outcome.TO_VERIFY and f.location)
    marked = dataclasses.replace(target, would_fail=True, regime=None,
                                 regime_reason={"nl": "niet beslist", "en": "undecided"})
    report = dataclasses.replace(report_nl, findings=tuple(
        marked if f is target else f for f in report_nl.findings))
    path = tmp_path / "findings.gpkg"
    path.write_bytes(render(report, "gpkg"))
    rows = [r for layer in _rows(path).values() for r in layer
            if r["rule_id"] == target.rule_id and r["feature_id"] == target.feature_id]
    assert rows and all(r["display_class"] == "to_verify_would_fail" for r in rows)
    assert all(r["would_fail"] is True and r["regime_reason"] == "niet beslist" for r in rows)
    others = [r for layer in _rows(path).values() for r in layer if r not in rows]
    assert all(r["would_fail"] is None for r in others)
