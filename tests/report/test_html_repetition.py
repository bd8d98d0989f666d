"""What the HTML report no longer repeats per finding (issue 16, "reports that scale"): a
finding waiting for other rules' outcomes joins one group per rule (not one group per
description), a to-verify group's entries leave the rule title to the group's rule line, a
rule not decided counts the features waiting for other rules, and the table of regulations
to confirm is capped like the lists of findings."""

from __future__ import annotations

import dataclasses
import re

from lxml import html as lxml_html

from inclusiecheck.model import Outcome
from inclusiecheck.report import html_report
from inclusiecheck.report.html_report import render_html_text
from inclusiecheck.report.markdown_report import render_markdown_text
from inclusiecheck.report.viewmodel import group_anchor, group_key, is_datum, view_model


def with_pending(report, n: int = 3):  # type: ignore[no-untyped-def]
    """The report plus ``n`` buildings whose rule waits for undecided entrances (the
    ``missing`` of an any_compliant check: descriptions, not data)."""
    base = next(f for f in report.findings if f.outcome is Outcome.TO_VERIFY
                and f.feature_id == "town-hall-door")
    extra = tuple(dataclasses.replace(
        base, rule_id="TV-44", layer="building", feature_id=f"bu-{i}", property="compliant_count",
        missing=(f"en-{i} (TV-01, TV-06)",), would_fail=None) for i in range(n))
    coverage = {**report.coverage, "undecided_rules": [
        *report.coverage["undecided_rules"],
        {"rule_id": "TV-44", "features": n,
         "missing": [f"en-{i} (TV-01, TV-06)" for i in range(n)] + ["door_width_cm"]}]}
    return dataclasses.replace(report, findings=report.findings + extra, coverage=coverage)


def test_descriptions_are_not_data() -> None:
    assert is_datum("door_width_cm") and is_datum("walkway")
    assert not is_datum("en0-12 (TV-01, TV-06)") and not is_datum("Width")


def test_findings_waiting_for_other_rules_form_one_group(make_report) -> None:  # type: ignore[no-untyped-def]
    report = with_pending(make_report("en"))
    pending = [f for f in report.findings if f.rule_id == "TV-44"]
    assert {group_key(f) for f in pending} == {("building", "rule:TV-44")}
    vm = view_model(report, "en")
    groups = [g for g in vm["to_verify_groups"] if g["key"] == ("building", "rule:TV-44")]
    assert len(groups) == 1 and groups[0]["features"] == 3
    assert groups[0]["heading"] == "3 × building: TV-44 awaits the outcome of other rules"
    assert groups[0]["also_missing"] == []
    page = render_html_text(report, "en")
    tree = lxml_html.fromstring(page)
    group = tree.xpath(f"//div[@id='{group_anchor(('building', 'rule:TV-44'))}']")[0]
    entries = [li.text_content() for li in group.xpath(".//li")]
    # every entry still says what it waits for
    assert entries == [f"{n} bu-{i}: TV-44: en-{i} (TV-01, TV-06) (on the map)"
                       for i, n in enumerate(groups[0]["numbers"])]
    markdown = render_markdown_text(report, "en")
    assert "`bu-0` (en-0 (TV-01, TV-06))" in markdown


def test_group_entries_leave_the_title_to_the_rule_line(make_report) -> None:  # type: ignore[no-untyped-def]
    page = render_html_text(make_report("nl"), "nl")
    tree = lxml_html.fromstring(page)
    for group in tree.xpath("//div[contains(@class, 'tv-group')]"):
        rules_line = group.xpath("./p")[0].text_content()
        for li in group.xpath(".//li"):
            rule_id = re.search(r": ([A-Z][A-Z0-9-]+)", li.text_content()).group(1)
            assert rule_id in rules_line
            title = re.search(re.escape(rule_id) + r" ([^;.]+)", rules_line).group(1)
            assert title not in li.text_content()


def test_not_checked_counts_features_waiting_for_other_rules(make_report) -> None:  # type: ignore[no-untyped-def]
    page = render_html_text(with_pending(make_report("nl")), "nl")
    tree = lxml_html.fromstring(page)
    line = next(li.text_content() for li in tree.xpath("//section[@id='not-checked']//li")
                if li.text_content().startswith("TV-44"))
    assert "Toe te voegen: vrije doorgangsbreedte van de deur (cm)" in line
    assert "3 elementen wachten op de uitkomst van andere regels" in line
    assert "(TV-01, TV-06)" not in line


def test_regimes_to_confirm_are_capped(make_report, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    report = make_report("en")
    rows = [{"layer": "walkway", "feature_id": f"w-{i}", "regime": "bv97",
             "reason": {"nl": "afgeleid", "en": "derived"}} for i in range(5)]
    report = dataclasses.replace(report, summary={**report.summary,
                                                  "regimes": {"to_confirm": rows}})
    full = lxml_html.fromstring(render_html_text(report, "en"))
    assert len(full.xpath("//section[@id='regimes']//tbody/tr")) == 5
    monkeypatch.setattr(html_report.cap_lists, "__defaults__", (2,))
    page = render_html_text(report, "en")
    tree = lxml_html.fromstring(page)
    assert len(tree.xpath("//section[@id='regimes']//tbody/tr")) == 2
    assert "(2 of 5 shown; the other 3 are in report.json)" in \
        tree.xpath("//section[@id='regimes']/p")[0].text_content()


def with_twins(report):  # type: ignore[no-untyped-def]
    """The report plus two more cards of VW-01: one with the first card's texts, one with
    its own advice."""
    base = next(f for f in report.findings if f.feature_id == "sidewalk-north")
    same = dataclasses.replace(base, feature_id="sidewalk-west", structural=False)
    other = dataclasses.replace(base, feature_id="sidewalk-south-2", advice="Own advice.")
    return dataclasses.replace(report, findings=report.findings + (same, other))


def cards(page: str) -> dict[str, str]:
    tree = lxml_html.fromstring(page)
    return {a.get("id"): a.text_content() for a in tree.xpath("//article")}


def test_large_reports_show_a_rules_texts_once_per_list(make_report, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    report = with_twins(make_report("en"))
    small = cards(render_html_text(report, "en"))
    assert not any("as for finding" in text for text in small.values())
    monkeypatch.setattr(html_report, "MAX_MAP_FINDINGS", 1)
    page = render_html_text(report, "en")
    large = cards(page)
    assert large.keys() == small.keys()
    twin = next(k for k in large if "sidewalk-west" in k)
    own = next(k for k in large if "sidewalk-south-2" in k)
    first = next(k for k in large if "sidewalk-north" in k)
    tree = lxml_html.fromstring(page)
    link = tree.xpath(f"//article[@id='{twin}']//dd/a")[0]
    assert link.get("href") == f"#{first}"
    assert "Source and advice" in large[twin] and "BVR 29 april 1997" not in large[twin]
    # the card it refers to holds the texts; a card with its own advice keeps them
    assert "BVR 29 april 1997" in large[first] and "Widen the walkway" in large[first]
    assert "Own advice." in large[own] and "as for finding" not in large[own]
    # everything else on the cards is as below the limit (apart from the map cell)
    for key, text in small.items():
        if key != twin:
            assert re.sub(r" \(map cell \w+\)", " (on the map)", large[key]) == text
