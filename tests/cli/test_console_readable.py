"""Issue 12: the console is read by people.

``check --help`` at 80 columns shows every option name whole with human type labels;
``--version``; ``rules list`` fits 80 columns and has ``--format json|csv``; ``rules test``
and ``rules validate`` default to the built-in sets; the summary of ``check`` is in the
report's language, separates obligations from recommendations and says where the full list is.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from inclusiecheck import __version__

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "marktplein"


def run_cli(*args: str, cwd: Path, columns: int = 80) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": str(columns), "TERM": "dumb"}
    return subprocess.run([sys.executable, "-m", "inclusiecheck", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def test_check_help_at_80_columns_shows_every_option_whole(tmp_path) -> None:
    import typer.main

    from inclusiecheck.cli import app

    command = typer.main.get_command(app).commands["check"]   # type: ignore[attr-defined]
    names = [opt for param in command.params for opt in (*param.opts, *param.secondary_opts)
             if opt.startswith("-")]
    assert "--outside-built-up-area" in names and "--bcf-recommendations" in names
    proc = run_cli("check", "--help", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    for line in text.splitlines():
        assert len(line) <= 80, line
    tokens = set(re.findall(r"(?<![\w-])--?[\w-]+", text))
    missing = [n for n in names if n not in tokens]
    assert not missing, f"option names cut or absent at 80 columns: {missing}"
    # human type labels, no Python types, no cut words
    assert "list[" not in text and "<str>" not in text and "float range" not in text
    assert "…" not in text
    for label in ("PLAN", "PATH", "DATE", "NUMBER", "FORMAT", "FOLDER"):
        assert re.search(rf"\b{label}\b", text), label
    # descriptions are readable: they get at least 40 columns (the rich table gave ~17)
    starts = {len(ln) - len(ln.lstrip()) for ln in text.splitlines()
              if ln.startswith(" " * 20) and ln.strip()}
    assert starts and max(starts) <= 40


def test_version_option_and_command(tmp_path) -> None:
    for args in (["--version"], ["version"]):
        proc = run_cli(*args, cwd=tmp_path)
        assert proc.returncode == 0 and proc.stdout.strip() == __version__


def test_rules_list_fits_80_columns_and_exports(tmp_path) -> None:
    proc = run_cli("rules", "list", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines), max(lines, key=len)
    rule_lines = [ln for ln in lines if re.match(r"  [A-Z]+-\S+ +[VA] ", ln)]
    data = json.loads(run_cli("rules", "list", "--format", "json", cwd=tmp_path).stdout)
    assert len(rule_lines) == len(data) > 100     # one rule (version) per line
    assert {"id", "title", "level", "source_document", "valid_from"} <= set(data[0])
    rows = list(csv.DictReader(io.StringIO(run_cli("rules", "list", "-f", "csv",
                                                   cwd=tmp_path).stdout)))
    assert [r["id"] for r in rows] == [d["id"] for d in data]
    english = run_cli("rules", "list", "--lang", "en", cwd=tmp_path).stdout
    assert "O = obligation" in english


def test_rules_validate_and_test_default_to_the_builtin_sets(tmp_path, monkeypatch) -> None:
    proc = run_cli("rules", "validate", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    from inclusiecheck.engine.loader import builtin_rules_dir

    assert f"rules valid in {builtin_rules_dir()}" in proc.stdout
    # rules test with no path runs the built-in cases (here on one set, through the default)
    from typer.testing import CliRunner

    from inclusiecheck.engine import loader
    from inclusiecheck.cli import app

    monkeypatch.setattr(loader, "builtin_rules_dir",
                        lambda: Path(__file__).resolve().parents[2] / "rules" / "haltes")
    result = CliRunner().invoke(app, ["rules", "test"])
    assert result.exit_code == 0, result.output
    assert re.search(r"^\d+ passed, 0 failed$", result.output.strip(), flags=re.M)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_check_summary_speaks_the_report_language(tmp_path, lang) -> None:
    proc = run_cli("check", str(SAMPLE), "--lang", lang, "-o", str(tmp_path / "out"),
                   cwd=tmp_path, columns=200)
    assert proc.returncode == 1, proc.stderr
    text = proc.stdout
    if lang == "nl":
        assert "Advies: ONGUNSTIG" in text
        obligations, recommendations = text.index("Verplichtingen:"), text.index("Aanbevelingen:")
        assert "Volledige lijst met meting, bron en advies:" in text
        for english in ("pillar", "level", "accessibility", " all", "fail /"):
            assert english not in text
    else:
        assert "Verdict: UNFAVOURABLE" in text
        obligations, recommendations = text.index("Obligations:"), text.index("Recommendations:")
        assert "Full list with measurement, source and advice:" in text
        for dutch in ("pijler", "niveau", "niet voldaan"):
            assert dutch not in text
    assert obligations < recommendations
    # the obligations' fails come before the recommendations header, none after it
    assert "TV-01" in text[obligations:recommendations]
    assert "TV-01" not in text[recommendations:]
    assert str(tmp_path / "out" / "report.html") in text
    assert "… +" not in text


def test_compare_speaks_the_report_language(tmp_path) -> None:
    proc = run_cli("compare", str(SAMPLE), str(SAMPLE), "--lang", "nl", "-o",
                   str(tmp_path / "cmp"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "0 opgelost, 0 nieuw, 0 gewijzigd" in proc.stdout
    md = (tmp_path / "cmp" / "compare.md").read_text(encoding="utf-8")
    assert md.startswith("# Vergelijking van planversies") and "Ongunstig" in md
