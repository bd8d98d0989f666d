"""Fixtures for the plugin tests in real QGIS (marker ``qgis``).

Run them with Debian's QGIS Python in a ``--system-site-packages`` virtual environment (see
``qgis_plugin/README.md`` and ``.ci/run``)::

    QT_QPA_PLATFORM=offscreen INCLUSIECHECK_CLI=$PWD/.ci-venv/bin/inclusiecheck \\
        .qgis-venv/bin/python -m pytest -o addopts="" -m qgis qgis_plugin/tests

Environment:

- ``INCLUSIECHECK_CLI``: the inclusiecheck command the plugin runs (default: on PATH);
- ``INCLUSIECHECK_PLUGIN_ZIP``: the plugin zip to install (default: built here without the
  wheel by ``build_plugin.py --no-wheel``);
- ``INCLUSIECHECK_REQUIRE_QGIS=1``: fail instead of skip when QGIS or the CLI is missing (CI);
- ``INCLUSIECHECK_QGIS_PROCESS``: the qgis_process binary (default ``qgis_process.bin``:
  Debian's ``qgis_process`` wrapper passes ``--noversioncheck``, which QGIS 3.22 rejects).

Every session gets a temporary HOME, so the plugin is installed into a clean QGIS profile.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SAMPLE = ROOT / "samples" / "marktplein"
PLUGIN = "inclusiecheck_qgis"


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "qgis: tests that need QGIS (Debian's python3-qgis)")


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        if str(HERE) in str(item.fspath):
            item.add_marker(pytest.mark.qgis)


def _missing(what: str) -> None:
    if os.environ.get("INCLUSIECHECK_REQUIRE_QGIS") == "1":
        pytest.fail(f"{what} (INCLUSIECHECK_REQUIRE_QGIS=1)")
    pytest.skip(what)


def qgis_process_binary() -> str:
    binary = os.environ.get("INCLUSIECHECK_QGIS_PROCESS") or shutil.which("qgis_process.bin") \
        or shutil.which("qgis_process")
    if not binary:
        _missing("qgis_process is not installed")
    return binary


@pytest.fixture(scope="session")
def cli() -> str:
    command = os.environ.get("INCLUSIECHECK_CLI") or shutil.which("inclusiecheck")
    if not command or not Path(command).is_file():
        _missing("no inclusiecheck command (set INCLUSIECHECK_CLI)")
    os.environ["INCLUSIECHECK_CLI"] = command
    return command


@pytest.fixture(scope="session")
def profile_home(tmp_path_factory, cli: str) -> Path:
    """A temporary HOME with the plugin installed from its zip into a clean default profile
    and enabled through ``qgis_process plugins enable``."""
    try:
        import qgis.core  # noqa: F401
    except ImportError:
        _missing("QGIS's Python (python3-qgis) is not importable")
    home = tmp_path_factory.mktemp("home")
    os.environ["HOME"] = str(home)
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ.setdefault("XDG_RUNTIME_DIR", str(home / "runtime"))
    (home / "runtime").mkdir(mode=0o700, exist_ok=True)
    zip_path = os.environ.get("INCLUSIECHECK_PLUGIN_ZIP")
    if not zip_path:
        zip_path = str(tmp_path_factory.mktemp("dist") / f"{PLUGIN}.zip")
        subprocess.run([sys.executable, str(ROOT / "qgis_plugin" / "build_plugin.py"),
                        "--no-wheel", "--out", zip_path], check=True, capture_output=True)
    plugins = home / ".local" / "share" / "QGIS" / "QGIS3" / "profiles" / "default" / \
        "python" / "plugins"
    plugins.mkdir(parents=True)
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(plugins)
    assert (plugins / PLUGIN / "metadata.txt").is_file()
    result = _qgis_process("plugins", "enable", PLUGIN)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"* {PLUGIN}" in _qgis_process("plugins").stdout  # enabled
    return home


def _qgis_process(*args: str, env: dict[str, str] | None = None,
                  timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run([qgis_process_binary(), *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


@pytest.fixture(scope="session")
def qgis_process(profile_home: Path):
    """Run ``qgis_process.bin ARGS`` (in the clean profile) and return the completed process."""
    return _qgis_process


@pytest.fixture(scope="session")
def qgs(profile_home: Path):
    """A headless QgsApplication with Processing and the installed plugin's provider."""
    from qgis.core import QgsApplication

    app = QgsApplication.instance()
    if app is None:
        QgsApplication.setPrefixPath("/usr", True)
        app = QgsApplication([], False)
        app.initQgis()
    plugins = profile_home / ".local" / "share" / "QGIS" / "QGIS3" / "profiles" / "default" / \
        "python" / "plugins"
    sys.path.insert(0, str(plugins))
    sys.path.insert(0, "/usr/share/qgis/python/plugins")
    from processing.core.Processing import Processing

    Processing.initialize()
    import inclusiecheck_qgis

    plugin = inclusiecheck_qgis.classFactory(None)
    plugin.initProcessing()
    assert str(Path(inclusiecheck_qgis.__file__).resolve()).startswith(str(plugins.resolve()))
    yield app
    plugin.unload()
