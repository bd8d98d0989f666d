"""Plugins that fail to load are shown, never swallowed (issue 15, item 6): ``rules checks``
and ``rules validate`` print a warning section, and the "unknown check type" error of a rule
names the check plugin that failed (it may have provided the type).

The broken plugins are fake entry points added to the installed ones."""

from __future__ import annotations

import json
from collections.abc import Iterator
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest
from typer.testing import CliRunner

import inclusiecheck
from inclusiecheck import registry as registry_module
from inclusiecheck.cli import app
from inclusiecheck.engine import checks, loader
from inclusiecheck.model import InputError
from inclusiecheck.scaffold import new_rule, new_rule_set

CHECK_EP = EntryPoint("bench_tools", "inclusiecheck_regtest_missing:bench_spacing",
                      "inclusiecheck.checks")
RULES_EP = EntryPoint("mijnstad", "inclusiecheck_regtest_missing_rules:rules_dir",
                      "inclusiecheck.rulesets")
CHECK_FAILED = ("check plugin 'bench_tools' (inclusiecheck_regtest_missing:bench_spacing) "
                "failed to load: ModuleNotFoundError: No module named "
                "'inclusiecheck_regtest_missing'")
RULES_FAILED = ("rule-set plugin 'mijnstad' (inclusiecheck_regtest_missing_rules:rules_dir) "
                "failed to load: ModuleNotFoundError: No module named "
                "'inclusiecheck_regtest_missing_rules'")


def _reload() -> None:
    checks.CHECKS.reload_plugins()
    loader.RULESET_PLUGINS.reload_plugins()


@pytest.fixture
def broken_plugins(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    real = registry_module.plugin_entry_points
    extra = {CHECK_EP.group: [CHECK_EP], RULES_EP.group: [RULES_EP]}
    monkeypatch.setattr(registry_module, "plugin_entry_points",
                        lambda group: real(group) + extra.get(group, []))
    _reload()
    yield
    monkeypatch.undo()
    _reload()


@pytest.fixture
def bench_set(tmp_path: Path) -> Path:
    """A valid rule set of one rule; ``type: threshold`` can be swapped for a plugin's type."""
    folder = tmp_path / "bankset"
    new_rule_set(folder, "bankset")
    new_rule(folder, "BANK-01", "bench", "threshold")
    return folder


def use_check_type(folder: Path, name: str) -> Path:
    path = next(folder.glob("BANK-01-*/rule.yaml"))
    path.write_text(path.read_text("utf-8").replace("type: threshold", f"type: {name}"), "utf-8")
    return path


def test_the_errors_are_kept(broken_plugins: None) -> None:
    assert [str(e) for e in loader.plugin_load_errors()] == [CHECK_FAILED, RULES_FAILED]
    assert checks.PLUGIN_ERRORS == [CHECK_FAILED]  # the former name still answers
    assert "threshold" in checks.registry()  # the built-ins are unaffected
    assert set(loader.discover()) >= {"publiek-domein", "voetgangerswegen"}


def test_unknown_check_type_names_the_failed_plugin(broken_plugins: None,
                                                    bench_set: Path) -> None:
    path = use_check_type(bench_set, "bench_spacing")
    problems, _ = loader.validate_folder(bench_set)
    [problem] = [p for p in problems if "check.type" in p.message]
    assert problem.file == path
    assert problem.message == f"check.type: unknown check type 'bench_spacing'; known: " \
        f"{', '.join(sorted(checks.registry()))} ({CHECK_FAILED})"
    with pytest.raises(InputError, match="check plugin 'bench_tools'"):
        inclusiecheck.check(_plan(bench_set.parent), rules=[str(bench_set)])


def test_without_broken_plugins_the_error_names_none(bench_set: Path) -> None:
    use_check_type(bench_set, "bench_spacing")
    problems, _ = loader.validate_folder(bench_set)
    [problem] = [p for p in problems if "check.type" in p.message]
    assert "failed to load" not in problem.message


def test_rules_checks_prints_a_warning_section(broken_plugins: None) -> None:
    result = CliRunner().invoke(app, ["rules", "checks"])
    assert result.exit_code == 0, result.output
    assert "### `threshold`" in result.stdout and "failed to load" not in result.stdout
    assert result.stderr.splitlines() == [
        "warning: 2 plugins failed to load; what they provide is not available:",
        f"  {CHECK_FAILED}", f"  {RULES_FAILED}"]


def test_rules_checks_is_quiet_when_every_plugin_loads() -> None:
    result = CliRunner().invoke(app, ["rules", "checks", "--builtin-only"])
    assert result.exit_code == 0 and result.stderr == ""


def test_rules_validate_reports_them(broken_plugins: None, bench_set: Path) -> None:
    valid = CliRunner().invoke(app, ["rules", "validate", str(bench_set)])
    assert valid.exit_code == 0, valid.output  # a broken plugin does not make a set invalid
    assert f"  {CHECK_FAILED}" in valid.stderr.splitlines()
    assert f"  {RULES_FAILED}" in valid.stderr.splitlines()
    assert "1 rules valid" in valid.stdout
    path = use_check_type(bench_set, "bench_spacing")
    invalid = CliRunner().invoke(app, ["rules", "validate", str(bench_set)])
    assert invalid.exit_code == 1
    assert any(line.startswith(f"{path}:") and "unknown check type 'bench_spacing'" in line
               and line.endswith(f"({CHECK_FAILED})") for line in invalid.stderr.splitlines())


def _plan(folder: Path) -> Path:
    path = folder / "plan.geojson"
    path.write_text(json.dumps({
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "EPSG:31370"}},
        "features": [{"type": "Feature", "properties": {"layer": "bench", "id": "b1"},
                      "geometry": {"type": "Point", "coordinates": [150000, 200000]}}]}),
        encoding="utf-8")
    return path
