"""The HTML report caps each group of findings it lists (issue 13): a plan with very many
findings gives a page that opens, each cut group says how many it shows and that the rest
are in report.json, and every in-page link still has its target."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import html

from inclusiecheck.api import check
from inclusiecheck.report import html_report
from inclusiecheck.report.html_report import render_html_text

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "marktplein"


@pytest.fixture(scope="module")
def report():  # type: ignore[no-untyped-def]
    return check(SAMPLE, lang="en")


def internal_links_resolve(page: str) -> None:
    tree = html.fromstring(page)
    ids = set(tree.xpath("//@id"))
    targets = {href[1:] for href in tree.xpath("//a/@href") if href.startswith("#")}
    assert targets <= ids, sorted(targets - ids)[:5]


def test_uncapped_page_is_unchanged_below_the_limit(report) -> None:  # type: ignore[no-untyped-def]
    page = render_html_text(report, "en")
    assert "are in report.json)" not in page
    internal_links_resolve(page)


def test_capped_groups_say_how_many_they_show(report, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(html_report, "MAX_LISTED", 2)
    monkeypatch.setattr(html_report.cap_lists, "__defaults__", (2,))
    page = render_html_text(report, "en")
    notes = re.findall(r"\((\d+) of (\d+) shown; the other (\d+) are in report\.json\)", page)
    assert notes, "no group was cut"
    for shown, total, more in notes:
        assert int(shown) == 2 and int(shown) + int(more) == int(total)
    tree = html.fromstring(page)
    for level in tree.xpath("//div[contains(@class, 'level-block')]"):
        assert len(level.xpath(".//article")) <= 2 or not level.xpath(".//article")
    internal_links_resolve(page)


def test_aggregated_map_above_the_map_limit(report, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(html_report, "MAX_MAP_FINDINGS", 1)
    page = render_html_text(report, "nl")
    assert "telt de kaart ze per vak" in page and "findings.geojson" in page
    assert '<svg class="map map-grid" role="img"' in page
    assert 'class="marker ' not in page
    internal_links_resolve(page)
