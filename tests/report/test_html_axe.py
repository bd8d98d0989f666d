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

from inclusiecheck.report import RenderOptions, render

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

    def run(html_file: Path) -> dict:
        proc = subprocess.run(
            ["node", str(AXE_DIR / "run-axe.js"), str(html_file)],
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


@pytest.mark.parametrize("variant", ["nl", "en", "hostile", "all", "empty"])
def test_html_passes_axe(variant, run_axe, make_report, make_empty_report, tmp_path) -> None:
    report = {"nl": lambda: make_report("nl"), "en": lambda: make_report("en"),
              "hostile": lambda: make_report("nl", hostile=True),
              "all": lambda: make_report("nl", list_all=True),
              "empty": lambda: make_empty_report("nl")}[variant]()
    html_file = tmp_path / "report.html"
    html_file.write_bytes(render(report, "html", RenderOptions(lang=report.lang)))
    results = run_axe(html_file)
    assert results["testEngine"]["name"] == "axe-core"
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
