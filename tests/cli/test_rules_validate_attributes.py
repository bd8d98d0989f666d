"""``inclusiecheck rules validate`` and ``rules test`` on attribute names (issue 15, item 5):
the CLI prints file:line and a suggestion, exits 1 on an error, and prints warnings (exit 0)
for custom attributes; ``rules test`` names the scope that excluded a feature."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from inclusiecheck.scaffold import new_rule, new_rule_set


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "inclusiecheck", *args], capture_output=True,
                          text=True, timeout=120, env={**os.environ, "NO_COLOR": "1"})


def bench_set(tmp_path: Path, applies: str, params: str) -> Path:
    folder = tmp_path / "bankset"
    new_rule_set(folder, "bankset")
    new_rule(folder, "BANK-01", "bench", "threshold")
    path = next(folder.glob("BANK-01-*/rule.yaml"))
    text = path.read_text("utf-8")
    path.write_text(text[:text.index("applies_to:")] + applies + "check:\n  type: threshold\n"
                    "  params:\n" + params + text[text.index("message:"):], "utf-8")
    return path


def line_with(path: Path, fragment: str) -> int:
    return next(i for i, line in enumerate(path.read_text("utf-8").splitlines(), 1)
                if fragment in line)


def test_validate_prints_file_line_and_suggestion(tmp_path: Path) -> None:
    path = bench_set(tmp_path, 'applies_to:\n  layer: bench\n  where:\n    backrset: true\n'
                     '    armrests: "yes"\n',
                     "    property: seat_heigth_cm\n    min: 45\n    unit: cm\n")
    run = cli("rules", "validate", str(path.parent.parent))
    assert run.returncode == 1
    err = run.stderr
    assert f"{path}:{line_with(path, 'backrset')}: applies_to.where.backrset: unknown attribute 'backrset' of bench; " \
           "did you mean 'backrest'?" in err
    assert f"{path}:{line_with(path, 'armrests')}: applies_to.where.armrests: armrests is true/false, not 'yes'; " \
           "write true" in err
    assert f"{path}:{line_with(path, 'heigth')}: check.params.property: unknown attribute 'seat_heigth_cm' of bench; " \
           "did you mean 'seat_height_cm'?" in err
    assert "Traceback" not in err


def test_validate_warns_about_custom_attributes_and_passes(tmp_path: Path) -> None:
    path = bench_set(tmp_path, "applies_to:\n  layer: bench\n  where:\n    colour: green\n",
                     "    property: seat_height_cm\n    min: 45\n    unit: cm\n")
    run = cli("rules", "validate", str(path.parent.parent))
    assert run.returncode == 0, run.stderr
    assert f"{path}:{line_with(path, 'colour')}: warning: applies_to.where.colour: 'colour' is not an attribute" in \
        run.stderr
    assert "1 rules valid" in run.stdout


def test_rules_test_names_the_excluding_scope(tmp_path: Path) -> None:
    folder = tmp_path / "mijnset"
    new_rule_set(folder, "mijnset")
    new_rule(folder, "GENT-01", "walkway", "threshold")
    rule = next(folder.glob("GENT-01-*/rule.yaml"))
    rule.write_text(rule.read_text("utf-8").replace(
        "  layer: walkway\n", "  layer: walkway\n  scope: tv_access_path\n"), "utf-8")
    run = cli("rules", "test", str(folder))
    assert run.returncode == 1
    line = next(x for x in run.stdout.splitlines() if " bad:" in x)
    assert "expected fail, got not_applicable (scope tv_access_path does not apply: " in line
