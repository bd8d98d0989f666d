"""The QGIS plugin's QGIS-free parts: its copy of the data profile, the CLI runner
(progress, errors, cancellation, finding the command) and the zip build. The plugin itself
is tested in real QGIS by ``qgis_plugin/tests`` (marker ``qgis``, run by ``.ci/run``)."""

from __future__ import annotations

import configparser
import importlib.util
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from inclusiecheck.model.profile import LAYER_GEOMETRIES, LAYER_MODELS

ROOT = Path(__file__).resolve().parent.parent
PLUGIN = ROOT / "qgis_plugin" / "inclusiecheck_qgis"

pytestmark = pytest.mark.skipif(not PLUGIN.is_dir(), reason="no qgis_plugin folder (wheel install)")


def _module(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def runner():
    return _module("inclusiecheck_qgis_runner", PLUGIN / "runner.py")


def test_plugin_profile_copy_matches_the_profile() -> None:
    layers = _module("inclusiecheck_qgis_profile", PLUGIN / "profile_layers.py")
    assert layers.PROFILE_LAYERS == {name: tuple(LAYER_GEOMETRIES[name]) for name in LAYER_MODELS}


def test_plugin_never_imports_inclusiecheck_or_its_dependencies() -> None:
    forbidden = ("inclusiecheck", "shapely", "pydantic", "fiona", "pyproj", "typer", "lxml")
    for path in PLUGIN.glob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            words = line.split()
            if words[:1] in (["import"], ["from"]) and len(words) > 1:
                module = words[1].split(".")[0]
                assert module not in forbidden, f"{path.name}: {line.strip()}"


FAKE_CLI = """
import json, sys, time
args = sys.argv[1:]
if args[:1] == ["fail"]:
    print("inclusiecheck: error: plan.gpkg: not a GeoPackage", file=sys.stderr)
    sys.exit(2)
if args[:1] == ["crash"]:
    print("Traceback (most recent call last):", file=sys.stderr)
    print("  File x", file=sys.stderr)
    print("ZeroDivisionError: division by zero", file=sys.stderr)
    sys.exit(3)
for pct in (0, 30, 60):
    print(json.dumps({"event": "progress", "stage": "s", "percent": pct, "message": f"at {pct}"}),
          file=sys.stderr, flush=True)
print("written.json", flush=True)
if args[:1] == ["slow"]:
    time.sleep(60)
print(json.dumps({"event": "done", "stage": "done", "percent": 100, "message": "finished",
                  "exit_code": 0, "verdict": "gunstig"}), file=sys.stderr, flush=True)
"""


@pytest.fixture()
def fake_cli(tmp_path: Path) -> list[str]:
    script = tmp_path / "fake_cli.py"
    script.write_text(FAKE_CLI, encoding="utf-8")
    return [sys.executable, str(script)]


def test_run_cli_reports_progress_in_order(runner, fake_cli) -> None:
    seen = []
    result = runner.run_cli(fake_cli, ["ok"], on_progress=lambda p, m: seen.append((p, m)))
    assert result.code == 0 and not result.canceled
    assert seen == [(0.0, "at 0"), (30.0, "at 30"), (60.0, "at 60"), (100.0, "finished")]
    assert result.done["verdict"] == "gunstig"
    assert result.stdout == "written.json\n" and result.errors == []


def test_run_cli_errors_become_one_line(runner, fake_cli) -> None:
    result = runner.run_cli(fake_cli, ["fail"])
    assert result.code == 2
    assert runner.error_message(result) == "plan.gpkg: not a GeoPackage"
    crash = runner.run_cli(fake_cli, ["crash"])
    assert runner.error_message(crash, "The check") == \
        "The check failed (exit code 3): ZeroDivisionError: division by zero"


def test_cancel_ends_the_subprocess(runner, fake_cli) -> None:
    progress = []
    start = time.monotonic()
    result = runner.run_cli(fake_cli, ["slow"], on_progress=lambda p, m: progress.append(p),
                            is_canceled=lambda: 60.0 in progress)
    assert result.canceled
    assert time.monotonic() - start < 20  # not the 60 s the process would take
    assert result.code != 0  # terminated


def test_find_cli_order_and_clear_errors(runner, tmp_path: Path) -> None:
    exe = tmp_path / "env" / "bin" / "inclusiecheck"
    exe.parent.mkdir(parents=True)
    exe.write_text("#!/bin/sh\n", encoding="utf-8")
    exe.chmod(0o755)
    empty_path = {"PATH": str(tmp_path / "nothing")}
    assert runner.find_cli("", None, {**empty_path, "INCLUSIECHECK_CLI": str(exe)}) == [str(exe)]
    assert runner.find_cli(str(exe), None, empty_path) == [str(exe)]
    # a virtual environment's folder is accepted for the setting
    assert runner.find_cli(str(tmp_path / "env"), None, empty_path) == [str(exe)]
    # on PATH
    assert runner.find_cli("", None, {"PATH": str(exe.parent)}) == [str(exe)]
    # the plugin's own environment
    assert runner.find_cli("", tmp_path / "env", empty_path) == [str(exe)]
    assert runner.find_cli("", tmp_path / "none", empty_path) is None
    with pytest.raises(runner.CliError, match="does not exist"):
        runner.find_cli(str(tmp_path / "missing"), None, {"PATH": str(exe.parent)})
    with pytest.raises(runner.CliError, match="INCLUSIECHECK_CLI"):
        runner.find_cli("", None, {"INCLUSIECHECK_CLI": str(tmp_path / "missing")})


def test_create_venv_without_wheel_or_python_is_one_clear_message(runner, tmp_path) -> None:
    with pytest.raises(runner.CliError, match="no bundled wheel"):
        runner.create_venv(tmp_path / "venv", [])
    wheel = tmp_path / "inclusiecheck-0.1.0-py3-none-any.whl"
    wheel.write_bytes(b"")
    old = tmp_path / "python"
    old.write_text("#!/bin/sh\necho 3 9\n", encoding="utf-8")
    old.chmod(0o755)
    with pytest.raises(runner.CliError, match=r"needs Python 3\.11 or newer .* found Python 3\.9"):
        runner.create_venv(tmp_path / "venv", [wheel], python=str(old))
    assert not (tmp_path / "venv").exists()


def test_base_python_prefers_exec_prefix(runner, tmp_path: Path, monkeypatch) -> None:
    """On Windows QGIS's sys.executable is qgis-bin.exe: the interpreter comes from
    sys.exec_prefix."""
    monkeypatch.setattr(runner, "WINDOWS", True)
    (tmp_path / "python.exe").write_text("", encoding="utf-8")
    assert runner.base_python(str(tmp_path), str(tmp_path / "bin" / "qgis-bin.exe")) == \
        str(tmp_path / "python.exe")


def test_proxy_url(runner) -> None:
    assert runner.proxy_url(False, "proxy.example", 8080) is None
    assert runner.proxy_url(True, "", 8080) is None
    assert runner.proxy_url(True, "proxy.example", "8080") == "http://proxy.example:8080"
    assert runner.proxy_url(True, "proxy.example", 3128, "an", "p@ss:") == \
        "http://an:p%40ss%3A@proxy.example:3128"


def test_build_plugin_zip(tmp_path: Path) -> None:
    out = tmp_path / "plugin.zip"
    wheel = tmp_path / "inclusiecheck-0.1.0-py3-none-any.whl"
    wheel.write_bytes(b"PK fake wheel")
    subprocess.run([sys.executable, str(ROOT / "qgis_plugin" / "build_plugin.py"),
                    "--wheel", str(wheel), "--out", str(out)], check=True, capture_output=True)
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        metadata = archive.read("inclusiecheck_qgis/metadata.txt").decode("utf-8")
    assert "inclusiecheck_qgis/__init__.py" in names
    assert f"inclusiecheck_qgis/wheels/{wheel.name}" in names
    assert all(name.startswith("inclusiecheck_qgis/") for name in names)
    assert not any("__pycache__" in name or name.endswith(".pyc") for name in names)
    parser = configparser.ConfigParser()
    parser.read_string(metadata)
    general = parser["general"]
    assert general["qgisMinimumVersion"] == "3.22"
    assert general["hasProcessingProvider"] == "yes"
    for key in ("name", "description", "about", "version", "author", "homepage",
                "tracker", "repository", "icon"):
        assert general.get(key), key
    assert f"inclusiecheck_qgis/{general['icon']}" in names
    from inclusiecheck import __version__

    assert general["version"] == __version__
