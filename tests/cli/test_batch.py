"""Batch runs for permit officers: one sub-folder per plan and an index of verdicts."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from inclusiecheck.cli import batch_folders, sample_plan


def test_batch_folders_are_unique() -> None:
    plans = [Path("a/plan.gpkg"), Path("b/plan.gpkg"), Path("c/other.geojson")]
    names = batch_folders(plans)
    assert len(set(names)) == 3
    assert names[2] == "other"


def test_batch_run_writes_index_and_continues_after_a_bad_plan(tmp_path: Path) -> None:
    for name in ("v1", "v2"):
        shutil.copytree(sample_plan(), tmp_path / name / "marktplein")
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "inclusiecheck", "check", str(tmp_path / "v1" / "marktplein"),
         str(tmp_path / "v2" / "marktplein"), str(tmp_path / "missing.gpkg"), "-o", str(out),
         "-f", "json", "-q"], capture_output=True, text=True, timeout=600)
    assert result.returncode == 2  # one plan had an input error
    assert result.stderr.count("\n") == 1 and "missing.gpkg" in result.stderr
    batch = json.loads((out / "batch.json").read_text(encoding="utf-8"))["plans"]
    assert [row.get("verdict") for row in batch] == ["ongunstig", "ongunstig", None]
    assert "error" in batch[2]
    assert (out / batch[0]["folder"] / "report.json").is_file()
    assert batch[0]["folder"] != batch[1]["folder"]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "<caption>" in index and 'lang="nl"' in index
    assert f'href="{batch[0]["folder"]}/report.html"' in index
