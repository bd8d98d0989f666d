"""The console script ends without tearing down its heap (issue 16): ``cli.run`` runs
``main``, keeps the last report referenced, flushes stdout and stderr, runs the ``atexit``
handlers and ends with ``os._exit`` and main's exit code; ``sys.exit`` while another thread is
alive. ``main`` itself only raises ``SystemExit``."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from inclusiecheck import cli

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "marktplein"


class _Ended(Exception):
    def __init__(self, code: int) -> None:
        self.code = code


@pytest.fixture
def ended(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """``os._exit`` raises :class:`_Ended`; ``atexit._run_exitfuncs`` is recorded (the
    test process's own handlers must not run); the kept report is reset afterwards."""
    import atexit
    import os

    calls: list[str] = []

    def fake_exit(code: int) -> None:
        calls.append("os._exit")
        raise _Ended(code)

    monkeypatch.setattr(os, "_exit", fake_exit)
    monkeypatch.setattr(atexit, "_run_exitfuncs", lambda: calls.append("atexit"))
    # the test process's own threads (a Dask cluster's, left by an earlier test) must not
    # decide: one thread unless a test says otherwise; no profiler or tracer either
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    monkeypatch.setattr(sys, "getprofile", lambda: None)
    monkeypatch.setattr(sys, "gettrace", lambda: None)
    monkeypatch.setattr(cli._Kept, "active", False)
    monkeypatch.setattr(cli._Kept, "report", None)
    return calls


@pytest.mark.parametrize("raised, code", [(SystemExit(1), 1), (SystemExit(None), 0),
                                          (SystemExit(2), 2), (None, 0)])
def test_run_ends_with_mains_code_after_flushing_and_the_atexit_handlers(
        monkeypatch: pytest.MonkeyPatch, ended: list[str], raised: SystemExit | None,
        code: int) -> None:
    flushed: list[str] = []

    class Stream:
        def __init__(self, name: str) -> None:
            self.name = name

        def write(self, text: str) -> int:
            return len(text)

        def flush(self) -> None:
            flushed.append(self.name)

    def main() -> None:
        assert cli._Kept.active   # reports are kept while main runs
        if raised is not None:
            raise raised

    monkeypatch.setattr(cli, "main", main)
    monkeypatch.setattr(sys, "stdout", Stream("stdout"))
    monkeypatch.setattr(sys, "stderr", Stream("stderr"))
    with pytest.raises(_Ended) as info:
        cli.run()
    assert info.value.code == code
    assert ended == ["atexit", "os._exit"]
    # flushed before the handlers and again after them (what a handler printed)
    assert flushed == ["stdout", "stderr", "stdout", "stderr"]


@pytest.mark.parametrize("other", ["thread", "profiler", "tracer"])
def test_run_exits_as_usual_with_another_thread_or_a_profiler(
        monkeypatch: pytest.MonkeyPatch, ended: list[str], other: str) -> None:
    """A thread still at work is waited for; a profiler or tracer (cProfile, coverage, a
    debugger) writes its data as the interpreter ends: no os._exit then."""
    monkeypatch.setattr(cli, "main", lambda: sys.exit(1))
    if other == "thread":
        monkeypatch.setattr(threading, "active_count", lambda: 2)
    else:
        monkeypatch.setattr(sys, "getprofile" if other == "profiler" else "gettrace",
                            lambda: print)
    with pytest.raises(SystemExit) as info:
        cli.run()
    assert info.value.code == 1
    assert ended == []   # no handlers run early, no os._exit: the interpreter ends as ever


@pytest.mark.parametrize("error, code, status", [(OSError(28, "No space left on device"), 0, 120),
                                                 (BrokenPipeError(32, "Broken pipe"), 0, 120),
                                                 (OSError(28, "No space left on device"), 1, 1)])
def test_run_ends_with_120_when_stdout_cannot_be_written(
        monkeypatch: pytest.MonkeyPatch, ended: list[str], error: OSError, code: int,
        status: int) -> None:
    """As the interpreter does: a run that would end with 0 ends with 120 when its output
    could not be flushed (a full disk: said on stderr in one line; a closed pipe: quietly);
    another status stays."""
    said: list[str] = []

    class Out:
        def write(self, text: str) -> int:
            return len(text)

        def flush(self) -> None:
            raise error

    class Err:
        def write(self, text: str) -> int:
            said.append(text)
            return len(text)

        def flush(self) -> None:
            pass

    monkeypatch.setattr(cli, "main", lambda: sys.exit(code))
    monkeypatch.setattr(sys, "stdout", Out())
    monkeypatch.setattr(sys, "stderr", Err())
    with pytest.raises(_Ended) as info:
        cli.run()
    assert info.value.code == status
    if isinstance(error, BrokenPipeError):
        assert said == []
    else:
        assert said and all(line.count("\n") == 1 for line in said)
        assert "cannot write the standard output" in said[0]


def test_run_passes_on_a_status_that_is_not_a_number(
        monkeypatch: pytest.MonkeyPatch, ended: list[str]) -> None:
    monkeypatch.setattr(cli, "main", lambda: sys.exit("stopped"))
    with pytest.raises(SystemExit) as info:
        cli.run()
    assert info.value.code == "stopped"
    assert ended == []


def test_main_alone_raises_system_exit(monkeypatch: pytest.MonkeyPatch,
                                       ended: list[str]) -> None:
    monkeypatch.setattr(sys, "argv", ["inclusiecheck", "--version"])
    with pytest.raises(SystemExit) as info:
        cli.main()
    assert info.value.code == 0
    assert ended == []
    assert cli._Kept.report is None   # main alone keeps nothing


@pytest.mark.skipif(not SAMPLE.is_dir(), reason="sample plan absent")
def test_write_outputs_keeps_the_last_report_only_under_run(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from inclusiecheck.api import check

    monkeypatch.setattr(cli._Kept, "report", None)
    first = check(SAMPLE, rules=["voetgangerswegen"])
    second = check(SAMPLE, rules=["haltes"])
    monkeypatch.setattr(cli._Kept, "active", False)
    cli.write_outputs(first, tmp_path / "a", ["json"])
    assert cli._Kept.report is None
    monkeypatch.setattr(cli._Kept, "active", True)
    cli.write_outputs(first, tmp_path / "a", ["json"])
    assert cli._Kept.report is first
    cli.write_outputs(second, tmp_path / "b", ["json"])
    assert cli._Kept.report is second   # a batch holds one report at a time


@pytest.mark.skipif(not SAMPLE.is_dir(), reason="sample plan absent")
def test_the_console_script_writes_everything_and_ends_with_its_code(tmp_path: Path) -> None:
    """Through ``python -m inclusiecheck`` (``run``): the report set is complete, stdout
    arrives whole, the atexit handlers run (printing after the report's path), a folder
    that a failed run created is removed, and the exit code is main's."""
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "inclusiecheck", "check", str(SAMPLE), "-o", str(out),
         "--format", "json,geojson", "-q", "--fail-on", "never"],
        capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(out / "report.json"), str(out / "findings.geojson")]
    assert (out / "report.json").stat().st_size > 0
    assert (out / "manifest.json").is_file()
    failed = subprocess.run(
        [sys.executable, "-m", "inclusiecheck", "check", str(SAMPLE), "-o", str(tmp_path / "f"),
         "--format", "json", "-q", "--fail-on", "recommendation"],
        capture_output=True, text=True, timeout=300, check=False)
    assert failed.returncode == 1   # the sample has failures
    # the atexit handlers run before the process ends (a handler of the caller's here)
    marked = subprocess.run(
        [sys.executable, "-c",
         "import atexit, sys\n"
         "atexit.register(lambda: print('handler ran'))\n"
         "from inclusiecheck.cli import run\n"
         f"sys.argv = ['inclusiecheck', 'check', {str(SAMPLE)!r}, '-o', "
         f"{str(tmp_path / 'm')!r}, '--format', 'json', '-q', '--fail-on', 'never']\n"
         "run()\n"
         "print('not reached')\n"],
        capture_output=True, text=True, timeout=300, check=False)
    assert marked.returncode == 0, marked.stderr
    assert marked.stdout.split("\n") == [str(tmp_path / "m" / "report.json"), "handler ran", ""]
    missing = subprocess.run(
        [sys.executable, "-m", "inclusiecheck", "check", str(tmp_path / "nothing.gpkg"),
         "-o", str(tmp_path / "g")], capture_output=True, text=True, timeout=300, check=False)
    assert missing.returncode == 2
    assert missing.stderr.count("\n") == 1 and "nothing.gpkg" in missing.stderr
    assert not (tmp_path / "g").exists()   # the folder it created, removed on the way out


def test_importing_the_main_module_runs_nothing() -> None:
    """``inclusiecheck.__main__`` runs the CLI only as ``python -m inclusiecheck``: a tool
    that imports every module (pydoc, sphinx) keeps its process."""
    done = subprocess.run(
        [sys.executable, "-c", "import inclusiecheck.__main__; print('alive')"],
        capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "alive\n"
