"""Deviations (afwijkingen): granted exceptions are reported as ``deviation``, never hidden;
stale ones are warned about; a bad file is one clear input error with its line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import inclusiecheck
from inclusiecheck.engine.deviations import load_deviations
from inclusiecheck.model import InputError, Outcome

RULESET = """name: devset
version: "1.0"
title: {nl: Afwijkingen, en: Deviations}
publisher: tests
default: false
"""
RULE = """id: DV-01
name: walkway.width_min
title: {nl: Breedte, en: Width}
pillar: accessibility
level: obligation
structural: true
source: {document: Testwet, article: "Art. 1", kind: law}
applies_to: {layer: walkway}
check: {type: threshold, params: {property: width_m, min: 1.5, unit: m}}
message: {nl: "Breedte {measured} m, minstens {required} m.", en: "Width {measured} m."}
advice: {nl: Verbreden., en: Widen.}
"""

DEVIATIONS = """# afwijkingen toegestaan door het college
deviations:
  - rule: DV-01
    feature: smal
    justification: Beschermd stadsgezicht; de gevels laten geen breder voetpad toe.
    decided_by: College van burgemeester en schepenen
    date: 2025-11-04
    reference: CBS-2025-118
"""


@pytest.fixture()
def rules(tmp_path: Path) -> Path:
    folder = tmp_path / "devset"
    (folder / "DV-01-width").mkdir(parents=True)
    (folder / "ruleset.yaml").write_text(RULESET, encoding="utf-8")
    (folder / "DV-01-width" / "rule.yaml").write_text(RULE, encoding="utf-8")
    return folder


def plan(tmp_path: Path, widths: dict[str, float]) -> Path:
    folder = tmp_path / "plan"
    folder.mkdir(exist_ok=True)
    features = [{"type": "Feature",
                 "properties": {"layer": "walkway", "id": fid, "width_m": w},
                 "geometry": {"type": "LineString",
                              "coordinates": [[150000, 200000 + 5 * i], [150010, 200000 + 5 * i]]}}
                for i, (fid, w) in enumerate(widths.items())]
    path = folder / "plan.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection",
                                "crs": {"type": "name", "properties": {"name": "EPSG:31370"}},
                                "features": features}), encoding="utf-8")
    return path


def test_without_deviation_the_fail_decides(rules: Path, tmp_path: Path) -> None:
    report = inclusiecheck.check(plan(tmp_path, {"smal": 1.2, "breed": 2.0}), rules=[str(rules)])
    [finding] = report.findings
    assert finding.outcome is Outcome.FAIL and report.verdict.code == "ongunstig"


def test_afwijkingen_yaml_beside_the_plan_is_used(rules: Path, tmp_path: Path) -> None:
    path = plan(tmp_path, {"smal": 1.2, "breed": 2.0})
    (path.parent / "afwijkingen.yaml").write_text(DEVIATIONS, encoding="utf-8")
    report = inclusiecheck.check(path, rules=[str(rules)], lang="nl")
    [finding] = report.findings  # listed, never hidden
    assert finding.outcome is Outcome.DEVIATION and finding.feature_id == "smal"
    assert finding.deviation == {
        "justification": "Beschermd stadsgezicht; de gevels laten geen breder voetpad toe.",
        "decided_by": "College van burgemeester en schepenen", "date": "2025-11-04",
        "reference": "CBS-2025-118", "original_outcome": "fail"}
    assert finding.measured == 1.2 and finding.required == 1.5  # the facts stay visible
    assert "Afwijking toegestaan: Beschermd stadsgezicht" in (finding.note or "")
    # a granted deviation does not fail: the verdict is favourable, the exit code 0
    assert report.verdict.code == "gunstig"
    assert report.summary["total"]["deviation"] == 1
    assert not [w for w in report.warnings if w["code"] == "stale_deviation"]
    from inclusiecheck.report import render

    data = json.loads(render(report, "json"))
    assert data["findings"][0]["deviation"]["decided_by"].startswith("College")
    assert "Beschermd stadsgezicht" in render(report, "md").decode()


def test_deviations_option_and_cli(rules: Path, tmp_path: Path) -> None:
    from inclusiecheck.cli import app

    path = plan(tmp_path, {"smal": 1.2})
    elsewhere = tmp_path / "besluit.yaml"
    elsewhere.write_text(DEVIATIONS, encoding="utf-8")
    report = inclusiecheck.check(path, rules=[str(rules)], deviations=elsewhere)
    assert [f.outcome for f in report.findings] == [Outcome.DEVIATION]
    out = tmp_path / "out"
    runner = CliRunner()
    failing = runner.invoke(app, ["check", str(path), "--rules", str(rules), "-o", str(out),
                                  "-f", "json", "-q"])
    assert failing.exit_code == 1
    granted = runner.invoke(app, ["check", str(path), "--rules", str(rules), "-o", str(out),
                                  "-f", "json", "-q", "--deviations", str(elsewhere)])
    assert granted.exit_code == 0, granted.output
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert data["findings"][0]["outcome"] == "deviation"


def test_stale_deviations_are_warned(rules: Path, tmp_path: Path) -> None:
    path = plan(tmp_path, {"smal": 2.0})  # widened: the rule no longer fails
    stale = DEVIATIONS + """  - rule: DV-09
    feature: smal
    justification: Oude regel.
    decided_by: College
    date: 2020-01-01
  - rule: DV-01
    feature: verdwenen
    justification: Dit voetpad bestaat niet meer.
    decided_by: College
    date: 2020-01-01
"""
    (path.parent / "afwijkingen.yaml").write_text(stale, encoding="utf-8")
    report = inclusiecheck.check(path, rules=[str(rules)])
    warnings = [w["message"] for w in report.warnings if w["code"] == "stale_deviation"]
    assert len(warnings) == 3
    assert any("DV-09" in w and "not in the rule sets" in w for w in warnings)
    assert any("verdwenen" in w and "not in the plan" in w for w in warnings)
    assert any("smal" in w and "no longer fails" in w for w in warnings)
    assert report.findings == ()


@pytest.mark.parametrize("text,line,needle", [
    ("- rule: DV-01\n  feature: x\n  justification: Omdat het moet.\n  decided_by: College\n"
     "  date: gisteren\n", 5, "date"),
    ("deviations:\n  - rule: DV-01\n    feature: x\n    decided_by: College\n"
     "    date: 2025-01-01\n", 2, "justification: required key is missing"),
    ("- rule: DV-01\n  feature: x\n  justification: Omdat.\n  decided_by: College\n"
     "  date: 2025-01-01\n  besluit: nr 5\n", 6, "besluit"),
    ("- rule: DV-01\n  feature: [x\n", 3, "invalid YAML"),
    ("rule: DV-01\n", 1, "expected a list"),
    ("- {rule: DV-01, feature: x, justification: Omdat., decided_by: CBS, date: 2025-01-01}\n"
     "- {rule: DV-01, feature: x, justification: Nogmaals., decided_by: CBS, date: 2025-01-02}\n",
     2, "a second deviation for rule DV-01 on feature x"),
])
def test_invalid_file_is_one_line_input_error(tmp_path: Path, text: str, line: int,
                                             needle: str) -> None:
    path = tmp_path / "afwijkingen.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_deviations(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}:{line}:"), message
    assert needle in message


def test_invalid_file_via_cli_exits_2(rules: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    path = plan(tmp_path, {"smal": 1.2})
    (path.parent / "afwijkingen.yaml").write_text("- rule: DV-01\n  feature: smal\n",
                                                  encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "inclusiecheck", "check", str(path),
                           "--rules", str(rules), "-o", str(tmp_path / "o")],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "afwijkingen.yaml:1:" in proc.stderr
