"""axe-core (WCAG 2.1 A/AA) on the HTML inclusion advice, in headless Chromium.

Needs Debian's chromium (``/usr/bin/chromium``, or ``$CHROMIUM_PATH``), node, and
``npm ci`` in ``tests/report/axe/``. Skipped when one is missing, unless
``INCLUSIECHECK_REQUIRE_AXE=1`` (set by CI): then a missing tool is a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from inclusiecheck.report import RenderOptions, html_report, render

AXE_DIR = Path(__file__).parent / "axe"
BLOCKING_IMPACTS = ("serious", "critical")


def _missing_tool() -> str | None:
    """Why axe cannot run here, or None when everything is present."""
    chromium = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
    if not (Path(chromium).is_file() and os.access(chromium, os.X_OK)):
        return f"chromium not found at {chromium} (apt-get install chromium)"
    if shutil.which("node") is None:
        return "node not found (apt-get install nodejs npm)"
    for package in ("axe-core", "puppeteer-core"):
        if not (AXE_DIR / "node_modules" / package / "package.json").is_file():
            return f"{package} not installed (run: npm ci --prefix {AXE_DIR})"
    return None


@pytest.fixture(scope="module")
def run_axe():
    reason = _missing_tool()
    if reason:
        if os.environ.get("INCLUSIECHECK_REQUIRE_AXE") == "1":
            pytest.fail(f"INCLUSIECHECK_REQUIRE_AXE=1 but {reason}")
        pytest.skip(reason)

    def run(html_file: Path, width: int = 800) -> dict:
        proc = subprocess.run(
            ["node", str(AXE_DIR / "run-axe.js"), str(html_file), str(width)],
            capture_output=True, text=True, timeout=300, cwd=AXE_DIR, check=False)
        assert proc.returncode == 0, f"run-axe.js failed ({proc.returncode}): {proc.stderr}"
        return json.loads(proc.stdout)

    return run


def _describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        targets = ", ".join(str(n["target"]) for n in v["nodes"][:5])
        lines.append(f"{v['impact']}: {v['id']} ({v['help']}) at {targets}")
    return "\n".join(lines)


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("variant", ["nl", "en", "hostile", "all", "empty", "grid"])
def test_html_passes_axe(variant, width, run_axe, make_report, make_empty_report,
                         tmp_path, monkeypatch) -> None:
    if variant == "grid":   # the aggregated map of a plan with more findings than the limit
        monkeypatch.setattr(html_report, "MAX_MAP_FINDINGS", 1)
    report = {"nl": lambda: make_report("nl"), "en": lambda: make_report("en"),
              "hostile": lambda: make_report("nl", hostile=True),
              "all": lambda: make_report("nl", list_all=True),
              "empty": lambda: make_empty_report("nl"),
              "grid": lambda: make_report("nl")}[variant]()
    html_file = tmp_path / "report.html"
    html_file.write_bytes(render(report, "html", RenderOptions(lang=report.lang)))
    results = run_axe(html_file, width)
    assert results["testEngine"]["name"] == "axe-core"
    assert results["viewportWidth"] == width
    blocking = [v for v in results["violations"] if v.get("impact") in BLOCKING_IMPACTS]
    assert not blocking, "axe-core violations:\n" + _describe(blocking)
    assert results["externalRequests"] == []  # the page loads nothing from outside


def test_runner_catches_known_violations(run_axe, tmp_path) -> None:
    """A page with no lang, an image without alt and grey-on-white text must fail."""
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html><head><title>x</title></head><body><main>'
                   '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
                   '<p style="color:#bbbbbb;background:#ffffff">low contrast text</p>'
                   '</main></body></html>', encoding="utf-8")
    ids = {v["id"] for v in run_axe(bad)["violations"]}
    assert {"html-has-lang", "image-alt", "color-contrast"} <= ids


# -- the sample at any screen, and printed (issue 12) -------------------------------------------
SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "marktplein"


@pytest.fixture(scope="module")
def sample_html(tmp_path_factory):
    from inclusiecheck.api import check

    report = check(SAMPLE, lang="nl")
    folder = tmp_path_factory.mktemp("sample-html")
    out = {}
    for lang in ("nl", "en"):
        path = folder / f"report-{lang}.html"
        path.write_bytes(render(report, "html", RenderOptions(lang=lang)))
        out[lang] = path
    return report, out


def _page_check(html_file: Path, width: int, pdf: Path | None = None) -> dict:
    args = ["node", str(AXE_DIR / "page-check.js"), str(html_file), str(width)]
    if pdf is not None:
        args.append(str(pdf))
    proc = subprocess.run(args, capture_output=True, text=True, timeout=300, cwd=AXE_DIR,
                          check=False)
    assert proc.returncode == 0, f"page-check.js failed ({proc.returncode}): {proc.stderr}"
    return json.loads(proc.stdout)


@pytest.mark.parametrize("width", [360, 390])
def test_sample_has_no_horizontal_page_scroll(run_axe, sample_html, width) -> None:
    _report, files = sample_html
    for lang, path in files.items():
        page = _page_check(path, width)
        assert page["scrollWidth"] <= width, (lang, page)


@pytest.mark.parametrize("width", [390, 1280])
def test_sample_passes_axe(run_axe, sample_html, width) -> None:
    _report, files = sample_html
    results = run_axe(files["nl"], width)
    blocking = [v for v in results["violations"] if v.get("impact") in BLOCKING_IMPACTS]
    assert not blocking, "axe-core violations:\n" + _describe(blocking)


def test_printed_first_page_holds_the_decision(run_axe, sample_html, tmp_path) -> None:
    if shutil.which("pdftotext") is None:
        if os.environ.get("INCLUSIECHECK_REQUIRE_AXE") == "1":
            pytest.fail("pdftotext not found (apt-get install poppler-utils)")
        pytest.skip("pdftotext not found (apt-get install poppler-utils)")
    report, files = sample_html
    pdf = tmp_path / "report.pdf"
    _page_check(files["nl"], 1280, pdf)
    first = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"],
                           capture_output=True, text=True, check=True).stdout
    flat = " ".join(first.split())
    assert "Eindoordeel: Ongunstig" in flat
    assert "Een verplichting wordt structureel niet gehaald." in flat
    assert "Bevindingen die het oordeel bepalen" in flat
    for finding in report.verdict.deciding[:3]:
        assert finding.rule_id in flat and finding.feature_id in flat
    assert "Datum van de toetsing" in flat
    # the annex starts on a new page; the decision block is in the PDF as a form
    everything = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                check=True).stdout
    assert "Plan en dossier" not in first
    assert "Beslissing van de adviseur" in everything and "Handtekening" in everything


def test_aggregated_map_page_has_no_horizontal_page_scroll(run_axe, make_report, tmp_path,
                                                           monkeypatch) -> None:
    monkeypatch.setattr(html_report, "MAX_MAP_FINDINGS", 1)
    path = tmp_path / "report.html"
    path.write_bytes(render(make_report("nl"), "html", RenderOptions(lang="nl")))
    assert b"map-grid" in path.read_bytes()
    page = _page_check(path, 360)
    assert page["scrollWidth"] <= 360, page
