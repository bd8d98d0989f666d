"""The HTML inclusion advice: language, structure, map, escaping, self-containedness."""

from __future__ import annotations

import dataclasses
import re
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

import pytest
import yaml

from inclusiecheck.model import InputError, Verdict
from inclusiecheck.report import RenderOptions, render
from inclusiecheck.report.html_report import CONTRAST_PAIRS, PALETTE
from inclusiecheck.report.svgmap import MARKER_STYLES, _frame
from inclusiecheck.report.viewmodel import (
    finding_anchor,
    group_anchor,
    group_key,
    is_grouped,
    reading_order,
    view_model,
)

REPORT_DIR = Path(resources.files("inclusiecheck.report"))  # type: ignore[arg-type]


class Page(HTMLParser):
    """Collects what the tests look at: tags with attributes, headings, text per element id."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.headings: list[tuple[int, str]] = []
        self._heading: list[str] | None = None
        self._level = 0
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if re.fullmatch(r"h[1-6]", tag):
            self._heading, self._level = [], int(tag[1])

    def handle_endtag(self, tag: str) -> None:
        if re.fullmatch(r"h[1-6]", tag) and self._heading is not None:
            self.headings.append((self._level, " ".join("".join(self._heading).split())))
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._heading is not None:
            self._heading.append(data)

    def find(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag
                and all(a.get(k.rstrip("_")) == v for k, v in attrs.items())]


def html(report, lang: str | None = None) -> str:
    options = RenderOptions(lang=lang or report.lang)
    return render(report, "html", options).decode("utf-8")


@pytest.mark.parametrize("lang, verdict, heading", [
    ("nl", "Ongunstig", "Bevindingen"), ("en", "Unfavourable", "Findings")])
def test_language(make_report, lang: str, verdict: str, heading: str) -> None:
    text = html(make_report(lang), lang)
    assert text.startswith("<!DOCTYPE html>")
    assert f'<html lang="{lang}">' in text
    page = Page(text)
    assert (2, heading) in page.headings
    assert verdict in text


def test_english_has_no_dutch_ui(report_en) -> None:
    text = html(report_en, "en")
    for dutch in ("Verplichtingen", "Aanbevelingen", "Te controleren", "Eindoordeel",
                  "Niet getoetst", "niet voldaan"):
        assert dutch not in text


@pytest.mark.parametrize("code, nl, en", [
    ("gunstig", "Gunstig", "Favourable"),
    ("gunstig_onder_voorwaarden", "Gunstig onder voorwaarden", "Favourable on conditions"),
    ("ongunstig", "Ongunstig", "Unfavourable"),
    ("niet_van_toepassing", "Niet van toepassing", "Not applicable"),
])
def test_verdict_labels(make_report, code: str, nl: str, en: str) -> None:
    report = dataclasses.replace(make_report("nl"), verdict=Verdict(code, "reason"))
    assert f"<span>{nl}</span>" in html(report, "nl")
    assert f"<span>{en}</span>" in html(report, "en")
    assert f'class="verdict v-{code}"' in html(report, "nl")


def test_verdict_lists_deciding_findings(report_nl) -> None:
    text = html(report_nl)
    section = text[text.index('id="verdict"'):text.index('id="summary"')]
    vm = view_model(report_nl)
    numbers = [i["number"] for i in vm["verdict"]["deciding"]]
    assert numbers and all(n is not None for n in numbers)
    for item in vm["verdict"]["deciding"]:
        assert f'href="#{item["anchor"]}"' in section
    assert "sidewalk-north" in section and "lot-1" in section


def test_one_h1_and_no_skipped_heading_levels(report_nl) -> None:
    page = Page(html(report_nl))
    levels = [level for level, _ in page.headings]
    assert levels.count(1) == 1 and levels[0] == 1
    for before, after in zip(levels, levels[1:]):
        assert after <= before + 1, page.headings


def test_landmarks_and_skip_link(report_nl) -> None:
    page = Page(html(report_nl))
    for tag in ("header", "nav", "main", "footer"):
        assert page.find(tag), tag
    assert page.find("main")[0]["id"] == "main"
    assert page.find("a", href="#main", class_="skip-link")
    assert page.find("nav")[0]["aria-label"]


def test_tables_have_captions_and_scoped_headers(report_nl) -> None:
    text = html(report_nl)
    tables = text.count("<table")
    assert tables >= 3
    assert text.count("<caption>") == tables
    page = Page(text)
    ths = page.find("th")
    assert ths and all(th.get("scope") in ("col", "row") for th in ths)


def _table(vm: dict, key: str) -> dict:
    return next(tbl for tbl in vm["counts"]["tables"] if tbl["key"] == key)


def test_counts_tables_from_summary(report_nl) -> None:
    vm = view_model(report_nl)
    keys = [c["key"] for c in vm["counts"]["columns"]]
    pillars = {r["label"]: r for r in _table(vm, "by_pillar")["rows"]}
    assert list(pillars) == ["Toegankelijkheid", "Sociale veiligheid", "Comfort"]
    access = pillars["Toegankelijkheid"]["cells"]
    assert access[keys.index("fail")] == 4  # ramp, parking, walkway, kerb (existing apart)
    assert access[keys.index("pass")] == 1 and access[keys.index("not_applicable")] == 1
    levels = {r["label"]: r["total"] for r in _table(vm, "by_level")["rows"]}
    assert levels == {"verplichting": 7, "aanbeveling": 5}
    sets = [r["label"] for r in _table(vm, "by_rule_set")["rows"]]
    assert sets == ["voetgangerswegen", "toegankelijkheidsverordening", "publiek-domein",
                    "sociale-veiligheid"]  # the order of report.rule_sets
    assert all(tbl["total"] == 12 for tbl in vm["counts"]["tables"])
    assert vm["counts"]["existing"]["cells"][keys.index("fail")] == 1
    assert vm["counts"]["listed"] == 11
    text = html(report_nl)
    assert text.count('<table class="counts"') == 3


def test_counts_tables_from_findings_without_summary(make_report) -> None:
    report = dataclasses.replace(make_report("nl", list_all=True), summary={"total": 13})
    from_findings = view_model(report)["counts"]
    from_summary = view_model(make_report("nl"))["counts"]
    assert from_findings["tables"] == from_summary["tables"]
    assert from_findings["existing"] == from_summary["existing"]


def test_numbered_list_matches_markers(report_nl) -> None:
    text = html(report_nl)
    page = Page(text)
    markers = {int(a["data-finding"]): a for a in page.find("a") if a.get("data-finding")}
    items = [a["id"] for a in page.find("li") if (a.get("id") or "").startswith("m-")]
    listed, groups = reading_order(report_nl)   # numbers follow the reading order
    # the list names every finding not folded into a group, then one line per group
    assert items == [f"m-{n}" for n, f in enumerate(listed, start=1) if not is_grouped(f)]
    for key in groups:
        assert f'<li><a href="#{group_anchor(key)}">te controleren: ' in text
    # one marker per located finding; a to-verify group has one marker per feature
    located, seen = set(), set()
    for n, f in enumerate(listed, start=1):
        if is_grouped(f):
            if (group_key(f), f.feature_id) in seen:
                continue
            seen.add((group_key(f), f.feature_id))
        if f.location:
            located.add(n)
    assert set(markers) == located
    for n, a in markers.items():
        f = listed[n - 1]
        assert a["class"].startswith(f"marker m-{f.outcome.value} lv-{f.level.value}")
        # every marker links to its finding, under its stable anchor, and is named by it
        assert a["href"] == f"#{finding_anchor(f)}"
        assert a["aria-label"].startswith(f"{n}. ")
        assert f'id="{finding_anchor(f)}"' in text


def test_map_svg_is_accessible_and_north_up(report_nl) -> None:
    text = html(report_nl)
    svg = text[text.index('<svg class="map"'):text.index("</svg>", text.index('<svg class="map"'))]
    # a group of links (a role="img" would hide the marker links from assistive technology)
    assert 'role="group"' in svg and 'aria-labelledby="map-title"' in svg
    assert '<title id="map-title">' in svg and '<desc id="map-desc">' in svg
    assert 'class="scalebar"' in svg and ">10 m<" in svg
    assert 'class="north"' in svg
    frame = _frame((0.0, 0.0, 100.0, 50.0))
    south, north = frame.xy(__import__("numpy").array([[0.0, 0.0], [0.0, 50.0]]))
    assert north[1] < south[1]  # y flipped: north is up
    assert south[0] == north[0]
    # the view box holds the extents plus a margin
    (x0, y0), (x1, y1) = frame.xy(__import__("numpy").array([[0.0, 50.0], [100.0, 0.0]]))
    assert 0 < x0 < x1 < frame.width and 0 < y0 < y1 < frame.height


def test_map_draws_every_layer_except_removed(report_nl) -> None:
    text = html(report_nl)
    for layer in ("area", "building", "walkway", "ramp", "crossing", "entrance", "stop", "light",
                  "vegetation", "bench", "parking"):
        assert f'class="layer l-{layer}"' in text
    assert "l-removed_thing" not in text
    assert 'stroke-dasharray="4 3" opacity="0.75"' in text  # existing features are dashed


def test_markers_do_not_overlap(make_report) -> None:
    report = make_report("nl")
    same = report.findings[0].location
    crowded = tuple(dataclasses.replace(f, location=same) if f.location else f
                    for f in report.findings)
    vm = view_model(dataclasses.replace(report, findings=crowded))
    centres = re.findall(r'<text x="([\d.]+)" y="([\d.]+)" text-anchor="middle" '
                         r'font-size="12"', str(vm["map"]["svg"]))
    points = [(float(x), float(y)) for x, y in centres]
    assert len(points) == len(vm["map"]["markers"]) >= 8
    for i, (ax, ay) in enumerate(points):
        for bx, by in points[i + 1:]:
            assert (ax - bx) ** 2 + (ay - by) ** 2 >= 22 ** 2


def test_hostile_text_is_escaped(hostile_report) -> None:
    text = html(hostile_report)
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<img" not in text and "<b>bold</b>" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text  # the project name, in title and h1
    assert "javascript:" not in text
    assert "{{ 7*7 }}" in text  # plan text is never evaluated as a template
    assert "<script" not in text


def test_no_external_resources(report_nl, hostile_report) -> None:
    for report in (report_nl, hostile_report):
        text = html(report)
        page = Page(text)
        forbidden = {"script", "link", "img", "iframe", "object", "embed", "video", "audio",
                     "source", "image", "base"}
        assert not [t for t, _ in page.tags if t in forbidden]
        # <use> only refers to a shape defined on the page itself (the icons' symbols)
        ids = {attrs.get("id") for _t, attrs in page.tags}
        uses = [attrs for t, attrs in page.tags if t == "use"]
        assert uses and all(set(a) == {"href"} and a["href"].startswith("#")
                            and a["href"][1:] in ids for a in uses)
        for tag, attrs in page.tags:
            for name, value in attrs.items():
                if value and re.search(r"(?i)^\s*(https?:|//)", value):
                    assert tag == "a" and name == "href", (tag, name, value)
                assert name not in ("src", "srcset", "xlink:href", "background", "poster")
        css = text[text.index("<style>"):text.index("</style>")]
        assert "@import" not in css and "url(" not in css and "@font-face" not in css
        links = [a["href"] for a in page.find("a") if a.get("href", "").startswith("http")]
        assert all(h.startswith("https://") for h in links)


def test_source_links_are_plain_anchors(report_nl) -> None:
    page = Page(html(report_nl))
    hrefs = {a["href"] for a in page.find("a") if a.get("href", "").startswith("http")}
    assert "https://codex.vlaanderen.be/Zoeken/Document.aspx?DID=1005407" in hrefs


def test_law_and_advice_are_apart(report_nl) -> None:
    text = html(report_nl)
    blocks = re.findall(r'<div class="level-block level-(\w+)">(.*?)</div>\s*(?=<div class="level|</section)',
                        text, flags=re.S)
    assert {kind for kind, _ in blocks} == {"obligation", "recommendation"}
    for kind, body in blocks:
        other = "recommendation" if kind == "obligation" else "obligation"
        badges = re.findall(r'class="badge (?:b-law|b-level)">(verplichting|aanbeveling)<', body)
        assert all(b == {"obligation": "verplichting", "recommendation": "aanbeveling"}[kind]
                   for b in badges), (kind, badges)
        assert other not in re.findall(r"<h4>(.*?)</h4>", body)
    assert "Verplichtingen (regelgeving)" in text and "Aanbevelingen (advies, niet bindend)" in text


def test_finding_details(report_nl) -> None:
    text = html(report_nl)
    listed = report_nl.listed_findings()
    article = text[text.index(f'<article class="finding" id="{finding_anchor(listed[2])}"'):]
    article = article[:article.index("</article>")]
    assert "VW-01" in article and "Vrije doorgang looppad" in article
    assert "1,2 m" in article and "1,5 m" in article  # Dutch decimal comma, with unit
    assert "art. 2" in article and "structureel (vraagt" in article
    assert '<code translate="no">sidewalk-north</code>' in article
    deviation = text[text.index(f'id="{finding_anchor(listed[6])}"'):]
    deviation = deviation[:deviation.index("</article>")]
    assert "afwijking toegestaan" in deviation
    assert "Beschermd monument: natuursteen behouden." in deviation
    assert "Onroerend Erfgoed" in deviation and "2026-03-01" in deviation


def test_outcomes_have_text_and_shape(report_nl) -> None:
    text = html(report_nl)
    for outcome, label in (("fail", "niet voldaan"), ("warn", "aandachtspunt"),
                           ("to_verify", "te controleren"), ("deviation", "afwijking toegestaan")):
        badge = re.search(rf'<span class="badge o-{outcome}"><svg class="icon"[^>]*>(.*?)</svg>'
                          rf"{label}</span>", text, flags=re.S)
        assert badge, outcome
    shapes = {o: re.search(rf'<span class="badge o-{o}"><svg class="icon"[^>]*>(.*?)</svg>',
                           text, flags=re.S).group(1)
              for o in ("fail", "warn", "to_verify", "deviation")}
    assert len(set(shapes.values())) == 4  # four different icons


def test_to_verify_and_not_checked(report_nl) -> None:
    text = html(report_nl)
    verify = text[text.index('id="to-verify"'):text.index('id="not-checked"')]
    # grouped by layer and missing datum, in words; the internal names in the annex only
    assert "vrije draairuimte (m) ontbreekt" in verify
    assert "<details>" in verify and "<code>turning_space_m</code>" not in verify
    assert "perronhoogte (cm) ontbreekt" in verify
    annex = text[text.index('id="technical"'):]
    assert "<code>turning_space_m</code>" in annex and "<code>platform_height_cm</code>" in annex
    not_checked = text[text.index('id="not-checked"'):text.index('id="warnings"')]
    for layer in ("lift", "toilet", "onderdoorgang"):
        assert f"<li>{layer}</li>" in not_checked
    assert "TV-ENT-04" in not_checked and "1 element" in not_checked
    assert "1 elementen" not in text
    assert "SV-Q-01" in not_checked and "Ga na of de uitgang zichtbaar is." in not_checked
    warnings = text[text.index('id="warnings"'):text.index('id="rule-sets"')]
    assert "Unknown attribute &#39;kleur&#39;" in warnings
    assert "/home/" not in text


def test_dossier_data(report_nl, report_en) -> None:
    text = html(report_nl)
    for value in ("Heraanleg Marktplein", "OMV_2026012345", "Zottegem", "Stad Zottegem",
                  "Studio Publieke Ruimte", "2026-05-04", "verbouwing", "EPSG:31370",
                  "ja (aangenomen, want niet opgegeven)"):
        assert value in text
    assert "yes (assumed, as not given)" in html(report_en, "en")


def test_existing_situation_apart(report_nl) -> None:
    text = html(report_nl)
    existing = text[text.index('id="existing"'):text.index('id="to-verify"')]
    assert "sidewalk-old" in existing
    findings = text[text.index('id="findings"'):text.index('id="existing"')]
    assert "sidewalk-old" not in findings


def test_empty_report_renders(make_empty_report) -> None:
    for lang in ("nl", "en"):
        text = html(make_empty_report(lang), lang)
        page = Page(text)
        assert [level for level, _ in page.headings].count(1) == 1
        assert "<svg class=\"map\"" not in text
        assert {"nl": "Niet van toepassing", "en": "Not applicable"}[lang] in text


def test_unknown_language_is_an_input_error(report_nl) -> None:
    with pytest.raises(InputError, match="language"):
        render(report_nl, "html", RenderOptions(lang="fr"))


def test_catalogues_have_the_same_keys() -> None:
    nl = yaml.safe_load((REPORT_DIR / "locales" / "nl.yaml").read_text(encoding="utf-8"))
    en = yaml.safe_load((REPORT_DIR / "locales" / "en.yaml").read_text(encoding="utf-8"))
    assert set(nl) == set(en)
    for catalogue in (nl, en):
        assert all(isinstance(v, str) and v.strip() for v in catalogue.values())


def test_every_ui_key_used_exists() -> None:
    nl = yaml.safe_load((REPORT_DIR / "locales" / "nl.yaml").read_text(encoding="utf-8"))
    used: set[str] = set()
    sources = list((REPORT_DIR / "templates").glob("*.j2")) + list(REPORT_DIR.glob("*.py"))
    for path in sources:
        used |= set(re.findall(r"""\bt\[['"]([a-z_]+\.?[a-z_.]*)['"]\]""",
                               path.read_text(encoding="utf-8")))
    assert used and used <= set(nl), used - set(nl)


def _luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_contrast_helper() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("fg, bg", CONTRAST_PAIRS)
def test_palette_contrast(fg: str, bg: str) -> None:
    assert contrast(PALETTE[fg], PALETTE[bg]) >= 4.5


@pytest.mark.parametrize("outcome", sorted(MARKER_STYLES))
def test_marker_number_contrast(outcome: str) -> None:
    assert contrast(MARKER_STYLES[outcome][0], "#ffffff") >= 4.5


def test_print_css(report_nl) -> None:
    text = html(report_nl)
    css = text[text.index("<style>"):text.index("</style>")]
    assert "@media print" in css and "break-inside: avoid" in css
    assert re.search(r"font-size:\s*0\.[0-7]\d*rem", css) is None  # no tiny fonts
    assert ":focus-visible" in css


def test_finding_anchors_are_stable_ids_from_the_key(report_nl) -> None:
    listed = report_nl.listed_findings()
    anchors = [finding_anchor(f) for f in listed]
    assert len(set(anchors)) == len(anchors)  # distinct
    assert all(re.fullmatch(r"f-[a-z0-9_-]+-[0-9a-f]{8}", a) for a in anchors)
    first = listed[0]
    assert anchors[0].startswith(f"f-{first.rule_id.lower()}-{first.layer}-")
    # the id does not depend on the finding's running number: a report without the first
    # finding keeps the anchors of the others
    shorter = dataclasses.replace(report_nl, findings=tuple(
        f for f in report_nl.findings if f is not first))
    text = html(shorter)
    for finding, anchor in zip(listed[1:], anchors[1:]):
        assert f'id="{anchor}"' in text, finding.rule_id


def test_two_findings_of_one_rule_on_one_feature_have_their_own_anchors(report_nl) -> None:
    """Two narrowings of one walkway (one rule, one feature, one property, two places) are two
    cards with two ids; the same finding always gets the same id."""
    first = next(f for f in report_nl.listed_findings() if f.location is not None)
    moved = {"type": "Point", "coordinates": [1.0, 2.0]}
    second = dataclasses.replace(first, location=moved)
    assert finding_anchor(first) != finding_anchor(second)
    assert finding_anchor(first) == finding_anchor(dataclasses.replace(first))
    page = html(dataclasses.replace(report_nl, findings=[*report_nl.findings, second]))
    ids = re.findall(r'\bid="(f-[^"]+)"', page)
    assert len(ids) == len(set(ids)) and finding_anchor(second) in ids
