"""``check --executor dask``: the tile tasks on a dask.distributed cluster give the same bytes
as the single-process run. The cluster is a ``LocalCluster`` of two in-process workers
(threads), quick to start in CI; a real cluster runs the same tasks (docs/scale.md)."""

from __future__ import annotations

import builtins
import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from inclusiecheck.api import check
from inclusiecheck.engine import parallel
from inclusiecheck.model import InputError
from inclusiecheck.report.json_report import dumps, report_dict

sys.path.insert(0, str(Path(__file__).resolve().parent))
from parallel_plans import TILE_M, straddling_plan  # noqa: E402

DAY = dt.date(2026, 12, 1)
SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "marktplein"


def _json(plan: Path, **options: object) -> bytes:
    return dumps(report_dict(check(plan, list_all=True, date=DAY, **options)))


def test_dask_local_cluster_is_byte_identical(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")
    plan = straddling_plan(tmp_path / "plan")
    single = _json(plan)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        # a Client object (the API), and the scheduler's address (what --scheduler gives)
        assert _json(plan, executor="dask", scheduler=client, tile_size_m=TILE_M) == single
        assert _json(plan, executor="dask", scheduler=cluster.scheduler_address,
                     jobs=2) == single
        assert len(client.scheduler_info()["workers"]) == 2


def test_dask_missing_extra_is_one_clear_line(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_dask(name, *args, **kwargs):
        if name == "distributed" or name.startswith("distributed."):
            raise ImportError("No module named 'distributed'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_dask)
    with pytest.raises(InputError, match=r"inclusiecheck\[dask\]"):
        parallel.require_dask()
    with pytest.raises(InputError, match=r"inclusiecheck\[dask\]"):
        check(SAMPLE, executor="dask")


def test_dask_missing_extra_cli_exit_code_2(tmp_path: Path) -> None:
    """The CLI without the extra (the import blocked in the child): exit 2, one line."""
    code = ("import builtins, sys\n"
            "real = builtins.__import__\n"
            "def block(name, *a, **k):\n"
            "    if name.split('.')[0] == 'distributed': raise ImportError(name)\n"
            "    return real(name, *a, **k)\n"
            "builtins.__import__ = block\n"
            "from inclusiecheck.cli import main\n"
            f"sys.argv = ['inclusiecheck', 'check', {str(SAMPLE)!r}, '-o', "
            f"{str(tmp_path / 'out')!r}, '--executor', 'dask']\n"
            "main()\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "pip install 'inclusiecheck[dask]'" in result.stderr
    assert not (tmp_path / "out").exists()
