"""Issue 12: the advice is read by people.

- every profile attribute, measure and code has a label in nl and en;
- the sample's nl and en HTML and Markdown show no internal snake_case profile name outside
  the technical annex, and no English stop-word in the Dutch report (nor Dutch in the
  English one);
- the sample stripped to ``id`` and ``kind`` gives one to-verify entry per layer and missing
  datum, with no finding listed twice;
- one evaluation renders both languages; numbers follow the reading order.
"""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from inclusiecheck.api import check
from inclusiecheck.engine.measures import MEASURES
from inclusiecheck.model.labels import catalogue, has_label, label, value_label
from inclusiecheck.model.profile import LAYER_MODELS, allowed_codes
from inclusiecheck.report import RenderOptions, render
from inclusiecheck.report.viewmodel import finding_key, reading_order, view_model

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "marktplein"

#: words that give English away in a Dutch text, and Dutch in an English one
ENGLISH_WORDS = ("the", "and", "with", "required", "measured", "missing", "bays", "available",
                 "floor", "defaults", "should", "which", "would", "from", "this", "that",
                 "must", "not")
DUTCH_WORDS = ("het", "een", "niet", "voor", "gemeten", "vereist", "ontbreekt",
               "plaatsen", "voldaan", "verplichting", "aanbeveling", "toegankelijk", "ofwel")


def profile_names() -> set[str]:
    """Every internal name with an underscore the data profile knows."""
    names = {layer for layer in LAYER_MODELS if "_" in layer}
    for layer, model in LAYER_MODELS.items():
        for attr in model.model_fields:
            names.add(attr)
            names.update(allowed_codes(layer, attr) or ())
    names.update(MEASURES)
    return {n for n in names if "_" in n}


def test_every_attribute_measure_and_code_has_a_label() -> None:
    missing = []
    for layer, model in LAYER_MODELS.items():
        for attr in model.model_fields:
            if not has_label(attr):
                missing.append(f"{layer}.{attr}")
            for code in allowed_codes(layer, attr) or ():
                if value_label(attr, code, "nl") is None or value_label(attr, code, "en") is None:
                    missing.append(f"{layer}.{attr}={code}")
    missing += [f"measure {m}" for m in MEASURES if not has_label(m)]
    assert not missing, "no label in inclusiecheck/model/labels.yaml for: " + ", ".join(missing)
    for section in ("attributes", "measures", "plan", "terms"):
        for name, text in catalogue()[section].items():
            assert text.get("nl") and text.get("en"), name
            assert not re.search(r"[a-z]_[a-z]", text["nl"] + text["en"]), name
    # every attribute a built-in rule judges (check.params.property) has a label too
    from inclusiecheck.engine.loader import resolve_selectors

    judged = {getattr(rule.params, "property", None) for rs in resolve_selectors(None)
              for rule in rs.rules}
    unlabelled = sorted(p for p in judged if isinstance(p, str) and not has_label(p))
    assert not unlabelled, f"rules judge attributes without a label: {unlabelled}"
    # layer names as the report's catalogue writes them
    from inclusiecheck.report.viewmodel import load_catalogue

    for lang in ("nl", "en"):
        for layer in LAYER_MODELS:
            assert label(layer, lang) == load_catalogue(lang)[f"layer.{layer}"], layer
    assert label("door_width_cm", "nl", unit=True) == "vrije doorgangsbreedte van de deur (cm)"
    assert label("door_width_cm", "en") == "clear width of the door"
    from inclusiecheck.model.labels import unit_label

    assert (unit_label("bays", "nl", 1), unit_label("bays", "nl", 2)) == ("plaats", "plaatsen")
    assert unit_label("m", "nl", 1) == "m"


class _Visible(HTMLParser):
    """Visible text, leaving out the technical annex, code, and names (translate="no")."""

    SKIP = {"code", "style", "script"}
    VOID = {"br", "img", "meta", "link", "input", "hr", "rect", "circle", "path", "line"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[bool] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag in self.VOID:
            return
        a = dict(attrs)
        skip = (tag in self.SKIP or a.get("translate") == "no" or a.get("id") == "technical"
                or (tag != "html" and "lang" in a)   # a passage marked as another language
                or (self.stack and self.stack[-1]))
        self.stack.append(bool(skip))

    def handle_startendtag(self, tag, attrs) -> None:
        pass

    def handle_endtag(self, tag) -> None:
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data) -> None:
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)


def visible_html(text: str) -> str:
    parser = _Visible()
    parser.feed(text)
    return " ".join(" ".join(parser.parts).split())


def visible_md(text: str, lang: str) -> str:
    """The Markdown advice less code spans, tables (plan data, file names), the technical
    annex and source citations (names of Flemish documents)."""
    t = view_model.__globals__["load_catalogue"](lang)
    annex = text.index(f"## {t['technical.heading']}")
    end = text.index(f"## {t['decision.heading']}")
    text = text[:annex] + text[end:]
    lines = [ln for ln in text.splitlines() if not ln.startswith("|")]
    lines = lines[:2] + lines[3:]   # the dossier line under the title is plan data
    text = "\n".join(lines)
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(re.escape(t["finding.source"]) + r": .*$", " ", text, flags=re.M)
    return text.replace("\\", "")


@pytest.fixture(scope="module")
def sample_report():
    return check(SAMPLE, lang="nl")


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("fmt", ["html", "md"])
def test_sample_report_speaks_to_people(sample_report, lang: str, fmt: str) -> None:
    raw = render(sample_report, fmt, RenderOptions(lang=lang)).decode("utf-8")
    text = visible_html(raw) if fmt == "html" else visible_md(raw, lang)
    names = sorted(n for n in profile_names() if re.search(rf"\b{re.escape(n)}\b", text))
    assert not names, f"internal names outside the technical annex ({fmt}, {lang}): {names}"
    words = ENGLISH_WORDS if lang == "nl" else DUTCH_WORDS
    found = sorted({w for w in words if re.search(rf"\b{w}\b", text, flags=re.I)})
    context = {w: re.search(rf".{{0,60}}\b{w}\b.{{0,60}}", text, flags=re.I).group(0)
               for w in found}
    assert not found, f"{'English' if lang == 'nl' else 'Dutch'} words in the {lang} {fmt}: " \
                      f"{context}"
    # the technical annex keeps the internal names
    if fmt == "html":
        annex = raw[raw.index('id="technical"'):]
        assert "<code>" in annex


def test_one_evaluation_renders_both_languages(sample_report) -> None:
    en = check(SAMPLE, lang="en")
    ours = view_model(sample_report, "en", with_map=False)
    theirs = view_model(en, "en", with_map=False)
    assert [i["message"] for i in ours["findings"]] == [i["message"] for i in theirs["findings"]]
    assert [i["title"] for i in ours["findings"]] == [i["title"] for i in theirs["findings"]]
    assert ours["verdict"]["reason"] == theirs["verdict"]["reason"]
    # report.json stays in the report's language
    data = json.loads(render(sample_report, "json", RenderOptions(lang="en")))
    assert [f["message"] for f in data["findings"]] == [
        f.message for f in sample_report.listed_findings()]


@pytest.fixture(scope="module")
def stripped_report(tmp_path_factory):
    """The sample with every attribute but ``id`` and ``kind`` removed."""
    folder = tmp_path_factory.mktemp("stripped")
    for path in SAMPLE.iterdir():
        if path.suffix == ".geojson":
            data = json.loads(path.read_text(encoding="utf-8"))
            for feature in data["features"]:
                feature["properties"] = {k: v for k, v in feature["properties"].items()
                                         if k in ("id", "kind")}
            (folder / path.name).write_text(json.dumps(data), encoding="utf-8")
        elif path.is_file():
            shutil.copy(path, folder / path.name)
    return check(folder, lang="nl")


def test_stripped_sample_groups_to_verify_by_layer_and_datum(stripped_report) -> None:
    vm = view_model(stripped_report, "nl", with_map=False)
    groups = vm["to_verify_groups"]
    keys = [g["key"] for g in groups]
    assert len(keys) == len(set(keys)), "one entry per layer and missing datum"
    numbers = [n for g in groups for n in g["numbers"]]
    assert len(numbers) == len(set(numbers)), "no finding listed twice"
    listed = [f for f in stripped_report.listed_findings() if f.outcome.value == "to_verify"
              and not f.would_fail and f.status != "existing"]
    assert len(numbers) == len(listed) > len(groups)   # folded, and every one in a group
    # a to-verify finding in a group is not a finding card as well
    cards = {i["number"] for g in vm["groups"] for lv in g["levels"] for i in lv["findings"]}
    assert not cards & set(numbers)
    # in the page: each grouped finding once, inside its collapsed group
    html = render(stripped_report, "html", RenderOptions(lang="nl")).decode("utf-8")
    for g in groups:
        assert html.count(f'id="{g["anchor"]}"') == 1
        for item in g["entries"]:
            assert html.count(f'id="{item["anchor"]}"') == 1
    assert html.count("<details>") == len(groups)
    # the first page names the data to supply, not each feature, and no finding twice
    first = html[html.index('id="verdict"'):html.index('id="plan"')]
    assert first.count("<li>") <= 3 * 5 + 5
    refs = re.findall(r'<li><a href="#(f-[^"]+)">', first)
    assert refs and len(refs) == len(set(refs))


def test_would_fail_findings_are_never_folded(sample_report) -> None:
    ordered, groups = reading_order(sample_report)
    for findings in groups.values():
        assert not any(f.would_fail for f in findings)
    assert len(ordered) == len(sample_report.listed_findings())
    assert len({finding_key(f) for f in ordered}) == len(ordered)


def test_numbers_follow_the_reading_order(sample_report) -> None:
    html = render(sample_report, "html", RenderOptions(lang="nl")).decode("utf-8")
    body = html[html.index('id="findings"'):html.index('id="not-checked"')]
    cards = [int(n) for n in re.findall(r'<span class="num">(\d+)</span>', body)]
    grouped = [int(n) for n in re.findall(r'<span class="num-ref">(\d+)</span>', body)]
    assert cards + grouped == list(range(1, len(cards) + len(grouped) + 1))
    md = render(sample_report, "md", RenderOptions(lang="nl")).decode("utf-8")
    annex = md[md.index("# Bijlage"):]
    md_numbers = [int(n) for n in re.findall(r"^- \*\*(\d+)\.\*\*", annex, flags=re.M)]
    assert md_numbers == cards   # the same findings, in the same order


def test_numbers_follow_the_reading_order_across_pillars(make_report) -> None:
    """A social-safety obligation comes after the accessibility recommendations, in HTML and
    Markdown alike (numbers by pillar, then level)."""
    import dataclasses

    from inclusiecheck.model import Level, Pillar

    report = make_report("nl")
    moved = tuple(dataclasses.replace(f, pillar=Pillar.SOCIAL_SAFETY, level=Level.OBLIGATION)
                  if f.outcome.value == "fail" and i == 0 else f
                  for i, f in enumerate(report.findings))
    report = dataclasses.replace(report, findings=moved)
    html = render(report, "html", RenderOptions(lang="nl")).decode("utf-8")
    body = html[html.index('id="findings"'):html.index('id="not-checked"')]
    cards = [int(n) for n in re.findall(r'<span class="num">(\d+)</span>', body)]
    grouped = [int(n) for n in re.findall(r'<span class="num-ref">(\d+)</span>', body)]
    assert cards + grouped == list(range(1, len(cards) + len(grouped) + 1))
    md = render(report, "md", RenderOptions(lang="nl")).decode("utf-8")
    annex = md[md.index("# Bijlage"):md.index("## Te controleren")]
    md_numbers = [int(n) for n in re.findall(r"^- \*\*(\d+)\.\*\*", annex, flags=re.M)]
    assert md_numbers == sorted(md_numbers) and md_numbers


def test_report_names_files_check_date_and_warns_without_permit_date(tmp_path,
                                                                     monkeypatch) -> None:
    plan = tmp_path / "plan"
    shutil.copytree(SAMPLE, plan)
    meta = (plan / "plan.yaml").read_text(encoding="utf-8")
    (plan / "plan.yaml").write_text(re.sub(r"(?m)^permit_date:.*$", "", meta), encoding="utf-8")
    report = check(plan, lang="nl")
    inputs = report.plan["inputs"]
    assert {i["file"] for i in inputs} >= {"plan.yaml", "walkway.geojson"}
    import hashlib

    walk = next(i for i in inputs if i["file"] == "walkway.geojson")
    assert walk["sha256"] == hashlib.sha256((plan / "walkway.geojson").read_bytes()).hexdigest()
    data = json.loads(render(report, "json"))
    assert data["plan"]["inputs"] == inputs
    jsonschema = pytest.importorskip("jsonschema")
    from importlib import resources

    schema = json.loads((resources.files("inclusiecheck.report") / "schemas"
                         / "report.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(data)
    bad = {**data, "plan": {**data["plan"], "inputs": [{"file": "x", "sha256": "no"}]}}
    assert not jsonschema.Draft202012Validator(schema).is_valid(bad)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")   # 2026-01-01
    html = render(report, "html", RenderOptions(lang="nl")).decode("utf-8")
    md = render(report, "md", RenderOptions(lang="en")).decode("utf-8")
    assert "Datum van de toetsing:</strong> 2026-01-01" in html
    assert "Date of the check: 2026-01-01" in md
    assert walk["sha256"] in html and walk["sha256"] in md
    assert "Er is geen datum van de vergunningsaanvraag opgegeven" in html
    assert "No date of the permit application was given" in md
    # the date of the check never goes into report.json: it stays byte-identical
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    assert render(report, "json") == render(report, "json")
    assert "2026-01-01" not in render(report, "json").decode("utf-8").split('"rules_date"')[0]
    import datetime as dt

    html2 = render(report, "html", RenderOptions(lang="nl", check_date=dt.date(2027, 3, 4)))
    assert b"2027-03-04" in html2
    # a decision block for the reviewer
    assert 'id="decision"' in html and "Handtekening" in html


def test_no_obligation_in_scope_shows_the_public_domain_recommendations(make_report) -> None:
    """outdoor_only (verdict 'niet van toepassing'): the first page shows the public-domain
    recommendation fails instead of an empty verdict."""
    import dataclasses

    from inclusiecheck.model import Verdict

    report = make_report("nl")
    report = dataclasses.replace(report, verdict=Verdict(
        "niet_van_toepassing", "Geen enkele verplichting is van toepassing op dit plan."))
    rec_fails = [f for f in report.listed_findings() if f.level.value == "recommendation"
                 and f.outcome.value == "fail" and f.status == "new"]
    assert rec_fails
    html = render(report, "html", RenderOptions(lang="nl")).decode("utf-8")
    first = html[html.index('id="verdict"'):html.index('id="plan"')]
    assert "Aanbevelingen voor het openbaar domein die niet gehaald worden" in first
    for f in rec_fails[:5]:
        assert f.rule_id in first
    md = render(report, "md", RenderOptions(lang="en")).decode("utf-8")
    assert "### Public-domain recommendations not met" in md.split("# Annex")[0]


def test_reader_warnings_have_a_headline_in_the_report_language(make_report) -> None:
    """A reader's warning is English; the page gives a headline per code in its own language
    and marks the English detail with lang="en" (WCAG 3.1.2, language of parts)."""
    report = make_report("nl")
    assert any(w.get("code") == "unknown_attribute" for w in report.warnings)
    html = render(report, "html", RenderOptions(lang="nl")).decode("utf-8")
    warnings = html[html.index('id="warnings"'):html.index('id="rule-sets"')]
    assert "<strong>Onbekend kenmerk</strong>" in warnings
    assert '<span lang="en">Unknown attribute' in warnings
    english = render(report, "html", RenderOptions(lang="en")).decode("utf-8")
    assert "<strong>Unknown attribute</strong>" in english
    from inclusiecheck.report.viewmodel import load_catalogue

    t = load_catalogue("nl")
    import inclusiecheck

    source = Path(inclusiecheck.__file__).parent
    codes = set()
    for path in source.rglob("*.py"):
        codes.update(re.findall(r'ReadWarning\(\s*"([a-z_0-9]+)"', path.read_text("utf-8")))
    assert codes and not [c for c in codes if f"warning.{c}" not in t]


def test_a_would_fail_finding_is_a_card_never_in_a_group(make_report) -> None:
    import dataclasses

    report = make_report("nl")
    target = next(f for f in report.findings if f.outcome.value == "to_verify"
                  and f.status == "new")
    marked = dataclasses.replace(target, would_fail=True)
    report = dataclasses.replace(report, findings=tuple(
        marked if f is target else f for f in report.findings))
    vm = view_model(report, "nl", with_map=False)
    grouped = {i["anchor"] for g in vm["to_verify_groups"] for i in g["entries"]}
    cards = {i["anchor"] for g in vm["groups"] for lv in g["levels"] for i in lv["findings"]}
    from inclusiecheck.report.viewmodel import finding_anchor

    anchor = finding_anchor(marked)
    assert anchor in cards and anchor not in grouped
    assert anchor in {i["anchor"] for i in vm["to_verify_loose"]}
    html = render(report, "html", RenderOptions(lang="nl")).decode("utf-8")
    card = html[html.index(f'<article class="finding" id="{anchor}"'):]
    assert "Zou falen" in card[:card.index("</article>")]


def test_map_marks_level_by_shape_links_findings_and_names_places(sample_report) -> None:
    html = render(sample_report, "html", RenderOptions(lang="nl")).decode("utf-8")
    svg = html[html.index('<svg class="map"'):html.index("</svg>", html.index('<svg class="map"'))]
    names = svg[svg.index('<g class="names"'):]
    names = names[:names.index("</g>")]
    for place in ("Stadhuis", "Marktplein", "Pastorijtuin"):
        assert f">{place}</text>" in names
    markers = re.findall(r'<a class="marker m-(\w+) lv-(\w+)[^"]*" href="#([^"]+)" '
                         r'data-finding="(\d+)" aria-label="([^"]+)">(.*?)</a>', svg, flags=re.S)
    assert markers
    levels = {level for _o, level, *_rest in markers}
    assert levels == {"obligation", "recommendation"}
    for _outcome, level, href, number, name, body in markers:
        assert f'id="{href}"' in html                     # a link to its finding
        assert name.startswith(f"{number}. ")            # named by the finding's text
        shape, other = ("<path", "<circle") if level == "recommendation" else ("<circle", "<path")
        assert shape in body and other not in body        # the level by shape, not colour
