#!/usr/bin/env python3
"""Build the installable QGIS plugin zip: the plugin folder plus the project's wheel.

    python qgis_plugin/build_plugin.py                 # builds the wheel with pip, then the zip
    python qgis_plugin/build_plugin.py --wheel dist/inclusiecheck-0.1.0-py3-none-any.whl
    python qgis_plugin/build_plugin.py --no-wheel      # a zip without the bundled wheel

The zip (``qgis_plugin/dist/inclusiecheck_qgis-<version>.zip`` unless ``--out``) holds one
top-level folder ``inclusiecheck_qgis/`` as QGIS's "Install from ZIP" expects, with
``metadata.txt`` (its ``version`` set from ``pyproject.toml``) and ``wheels/`` holding the
inclusiecheck wheel the plugin installs into its own environment on first use (the package
is not on PyPI). The wheel is built with ``pip wheel --no-deps`` (hatchling, from PyPI in
pip's isolated build environment). Only the standard library is needed here.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PLUGIN = HERE / "inclusiecheck_qgis"
NAME = "inclusiecheck_qgis"
#: never packed
SKIP_PARTS = {"__pycache__", ".pytest_cache", "wheels"}
SKIP_SUFFIXES = {".pyc", ".pyo"}
#: a fixed timestamp, so two builds of the same sources give the same zip entries
ZIP_DATE = (2026, 1, 1, 0, 0, 0)


def project_version() -> str:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    match = re.search(r'^version\s*=\s*"([^"]+)"', text, re.MULTILINE)
    if not match:
        raise SystemExit("build_plugin: no version in pyproject.toml")
    return match.group(1)


def build_wheel(folder: Path) -> Path:
    """``pip wheel --no-deps`` of the project into ``folder``; return the wheel."""
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet",
                    "--disable-pip-version-check", "--wheel-dir", str(folder), str(ROOT)],
                   check=True)
    wheels = sorted(folder.glob("inclusiecheck-*.whl"))
    if not wheels:
        raise SystemExit("build_plugin: pip wheel wrote no inclusiecheck wheel")
    return wheels[-1]


def metadata_text(version: str) -> str:
    text = (PLUGIN / "metadata.txt").read_text(encoding="utf-8")
    return re.sub(r"^version=.*$", f"version={version}", text, flags=re.MULTILINE)


def _add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


def build_zip(out: Path, wheel: Path | None, version: str) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w") as archive:
        for path in sorted(PLUGIN.rglob("*")):
            rel = path.relative_to(PLUGIN)
            if not path.is_file() or SKIP_PARTS & set(rel.parts) \
                    or path.suffix in SKIP_SUFFIXES:
                continue
            data = metadata_text(version).encode("utf-8") if rel.as_posix() == "metadata.txt" \
                else path.read_bytes()
            _add(archive, f"{NAME}/{rel.as_posix()}", data)
        if wheel is not None:
            _add(archive, f"{NAME}/wheels/{wheel.name}", wheel.read_bytes())
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wheel", type=Path, help="use this inclusiecheck wheel")
    parser.add_argument("--no-wheel", action="store_true", help="leave the wheel out")
    parser.add_argument("--out", type=Path, help="the zip to write")
    args = parser.parse_args(argv)
    version = project_version()
    out = args.out or HERE / "dist" / f"{NAME}-{version}.zip"
    with tempfile.TemporaryDirectory(prefix="inclusiecheck-plugin-") as tmp:
        wheel = None
        if not args.no_wheel:
            wheel = args.wheel or build_wheel(Path(tmp))
            if not wheel.is_file():
                raise SystemExit(f"build_plugin: {wheel}: no such wheel")
        build_zip(out, wheel, version)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
