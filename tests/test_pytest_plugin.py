"""The ``--rule-cases`` pytest plugin: each case is a test item, one broken case one failure.

The project's own run switches it on for the built-in sets (``addopts`` in pyproject.toml:
``--rule-cases=builtin``), so ``pytest -k TV-01`` runs TV-01's cases; these tests run pytest
in a separate process on a scaffolded rule set.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from inclusiecheck.scaffold import new_rule, new_rule_set


def _pytest(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=600)


def _set(tmp_path: Path) -> Path:
    folder = tmp_path / "mijnstad"
    new_rule_set(folder, "mijnstad")
    new_rule(folder, "MS-01", "walkway")
    new_rule(folder, "MS-02", "crossing", "presence")
    return folder


def test_each_case_is_an_item_and_a_broken_case_is_one_named_failure(tmp_path: Path) -> None:
    folder = _set(tmp_path)
    ok = _pytest(tmp_path, "--rule-cases", str(folder), "-q")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    passed = int(ok.stdout.strip().splitlines()[-1].split()[0])
    assert passed >= 4                                  # one item per expectation
    expected = next(folder.glob("MS-01-*/cases/expected.yaml"))
    text = expected.read_text(encoding="utf-8")
    assert "      good: pass" in text
    expected.write_text(text.replace("      good: pass", "      good: fail", 1), encoding="utf-8")
    bad = _pytest(tmp_path, "--rule-cases", str(folder), "-q")
    assert bad.returncode == 1
    failed = [line for line in bad.stdout.splitlines() if line.startswith("FAILED")]
    assert len(failed) == 1 and "MS-01:" in failed[0], bad.stdout
    assert "expected fail, got pass" in bad.stdout
    # -k selects the cases of one rule
    only = _pytest(tmp_path, "--rule-cases", str(folder), "-q", "-k", "MS-02")
    assert only.returncode == 0, only.stdout
    assert "deselected" in only.stdout


def test_builtin_sets_are_switched_on_in_the_project_run(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[1]
    pyproject = (root / "pyproject.toml").read_text(encoding="utf-8")
    assert "--rule-cases=builtin" in pyproject
    # a run without paths (as `pytest -k TV-18` from the project root) collects the built-in
    # cases, one item per expectation; an empty folder keeps the collection to those alone
    run = _pytest(tmp_path, "--rule-cases=builtin", "--co", "-q", "-k", "TV-18 and cases.geojson")
    assert run.returncode == 0, run.stdout + run.stderr
    items = [line for line in run.stdout.splitlines() if "rule-cases:builtin" in line]
    assert items and all("TV-18:cases.geojson" in line for line in items)
    assert any(line.endswith(":in-10-10") for line in items)
    # naming one test file leaves the built-in cases out (a targeted run stays fast)
    (tmp_path / "test_one.py").write_text("def test_one():\n    pass\n", encoding="utf-8")
    one = _pytest(tmp_path, "--rule-cases=builtin", "--co", "-q", "test_one.py")
    assert "rule-cases:builtin" not in one.stdout and "test_one" in one.stdout
