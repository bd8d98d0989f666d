"""The output set as one unit (issue 13): a manifest written last, only the tool's own files
replaced, a lock against a concurrent run, leftovers of a killed run cleaned. Runs are killed
with SIGKILL at many points, and two runs are started at once."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from inclusiecheck.output import (
    LOCK_FILE,
    MANIFEST,
    OutputError,
    clean_leftovers,
    lock_folder,
    read_manifest,
    tool_filenames,
    unlock_folder,
    verify_report_set,
    write_report_set,
)

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "marktplein"
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and flock are POSIX")


def cli(*args: str, **kwargs: object) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "inclusiecheck", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "NO_COLOR": "1"}, **kwargs)  # type: ignore[call-overload]


def tmp_leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_manifest_names_every_file_with_its_hash(tmp_path: Path) -> None:
    out = tmp_path / "out"
    written = write_report_set(out, [("report.json", b"{}"), ("report.md", b"# x")],
                               run_id="run-1")
    assert written[-1] == out / MANIFEST
    manifest = verify_report_set(out)
    assert manifest["run_id"] == "run-1" and manifest["complete"] is True
    assert {f["name"]: f["sha256"] for f in manifest["files"]} == {
        "report.json": hashlib.sha256(b"{}").hexdigest(),
        "report.md": hashlib.sha256(b"# x").hexdigest()}
    unlock_folder(out)


def test_only_the_tools_files_are_replaced_and_stale_ones_removed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("the officer's own notes", encoding="utf-8")
    (out / "report.pdf").write_bytes(b"officer's pdf")
    write_report_set(out, [("report.html", b"<p>1</p>"), ("report.json", b"1")])
    write_report_set(out, [("report.json", b"2")])
    assert not (out / "report.html").exists()  # of the previous set, not written now
    assert (out / "report.json").read_bytes() == b"2"
    assert (out / "notes.txt").read_text(encoding="utf-8") == "the officer's own notes"
    assert (out / "report.pdf").read_bytes() == b"officer's pdf"
    assert [f["name"] for f in verify_report_set(out)["files"]] == ["report.json"]
    unlock_folder(out)


def test_a_changed_or_missing_file_breaks_the_set(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_report_set(out, [("report.json", b"1"), ("report.md", b"m")])
    unlock_folder(out)
    (out / "report.json").write_bytes(b"other run")
    with pytest.raises(OutputError, match="does not match"):
        verify_report_set(out)
    (out / "report.md").unlink()
    with pytest.raises(OutputError, match="missing"):
        verify_report_set(out)
    (out / MANIFEST).unlink()
    with pytest.raises(OutputError, match="no complete report set"):
        verify_report_set(out)


def test_leftover_temporary_files_are_cleaned(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / ".report.html.k2j3h4.tmp").write_bytes(b"half")
    (out / ".mine.abc.tmp").write_bytes(b"not the tool's")
    removed = clean_leftovers(out)
    assert [p.name for p in removed] == [".report.html.k2j3h4.tmp"]
    (out / ".report.json.x1.tmp").write_bytes(b"half")
    write_report_set(out, [("report.json", b"1")])
    assert tmp_leftovers(out) == [".mine.abc.tmp"]
    unlock_folder(out)


@posix_only
def test_a_second_run_into_a_locked_folder_exits_2(tmp_path: Path) -> None:
    out = tmp_path / "out"
    lock_folder(out)  # this test process holds the folder, as a running check would
    try:
        done = cli("check", str(SAMPLE), "-o", str(out), "-f", "json", "-q")
        _stdout, stderr = done.communicate(timeout=60)
        assert done.returncode == 2, stderr
        assert "another inclusiecheck run is writing reports into this folder" in stderr
        assert len(stderr.strip().splitlines()) == 1
        assert not (out / "report.json").exists()
    finally:
        unlock_folder(out)
    assert (out / LOCK_FILE).exists()


_SLOW_WRITER = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    import inclusiecheck.output as output

    real_replace = os.replace
    def slow_replace(src, dst):
        time.sleep(0.05)
        real_replace(src, dst)
    output.os.replace = slow_replace
    out, run = Path(sys.argv[1]), sys.argv[2]
    names = sorted(output.tool_filenames() - {output.MANIFEST})[:6]
    files = [(name, f"{run}:{name}".encode() * 1000) for name in names]
    print("start", flush=True)
    output.write_report_set(out, files, run_id=run)
""")


@posix_only
@pytest.mark.parametrize("delay", [0.0, 0.03, 0.08, 0.15, 0.22, 0.3, 0.38, 0.45, 0.6])
def test_killed_mid_write_leaves_previous_set_or_none(tmp_path: Path, delay: float) -> None:
    out = tmp_path / "out"
    names = sorted(tool_filenames() - {MANIFEST})[:6]
    write_report_set(out, [(name, f"old:{name}".encode()) for name in names], run_id="old")
    unlock_folder(out)
    script = tmp_path / "writer.py"
    script.write_text(_SLOW_WRITER, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(script), str(out), "new"],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "start"
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    manifest = read_manifest(out)
    if manifest is not None and manifest["complete"]:  # the previous set or the new one
        assert verify_report_set(out)["run_id"] in ("old", "new")
    else:
        with pytest.raises(OutputError):
            verify_report_set(out)
    # the next run cleans up and leaves one complete set
    write_report_set(out, [(names[0], b"next")], run_id="next")
    assert verify_report_set(out)["run_id"] == "next"
    assert tmp_leftovers(out) == []
    assert sorted(p.name for p in out.iterdir()) == sorted([LOCK_FILE, MANIFEST, names[0]])
    unlock_folder(out)


@posix_only
def test_check_killed_at_any_point_never_leaves_a_mixed_set(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = cli("check", str(SAMPLE), "-o", str(out), "-f", "html,json,md,bcf", "-q")
    first.communicate(timeout=120)
    previous = verify_report_set(out)["run_id"]
    for delay in (0.5, 1.0, 1.5, 2.0, 2.5, 3.0):
        proc = cli("check", str(SAMPLE), "-o", str(out), "-f", "html,json,md,bcf", "-q")
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        manifest = read_manifest(out)
        if manifest is not None and manifest["complete"]:
            previous = verify_report_set(out)["run_id"]  # old or new: complete either way
    done = cli("check", str(SAMPLE), "-o", str(out), "-f", "json", "-q")
    done.communicate(timeout=120)
    assert done.returncode in (0, 1)
    manifest = verify_report_set(out)
    assert manifest["run_id"] != previous
    assert [f["name"] for f in manifest["files"]] == ["report.json"]
    assert tmp_leftovers(out) == []
    assert not (out / "report.html").exists() and not (out / "report.bcf").exists()


@posix_only
def test_two_runs_at_once(tmp_path: Path) -> None:
    out = tmp_path / "out"
    runs = [cli("check", str(SAMPLE), "-o", str(out), "-f", "html,json", "-q")
            for _ in range(2)]
    results = [(p.wait(timeout=180), p.communicate()[1]) for p in runs]
    codes = sorted(code for code, _err in results)
    assert all(code in (0, 1, 2) for code in codes), results
    for code, stderr in results:
        if code == 2:
            assert "another inclusiecheck run is writing reports" in stderr, stderr
    assert any(code != 2 for code in codes)
    manifest = verify_report_set(out)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["tool"] and len(manifest["files"]) == 2
