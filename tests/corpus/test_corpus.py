"""Run the bad-input corpus (tests/corpus/make_corpus.py): every case as a subprocess under a
60 s hang guard (a guard, not a speed assertion); each gives its expected exit code and its
message, none exits 3, an input error is one line on stderr."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HANG_GUARD_S = 60
_spec = importlib.util.spec_from_file_location("make_corpus", Path(__file__).with_name(
    "make_corpus.py"))
assert _spec is not None and _spec.loader is not None
make_corpus = importlib.util.module_from_spec(_spec)
sys.modules["make_corpus"] = make_corpus
_spec.loader.exec_module(make_corpus)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    folder = tmp_path_factory.mktemp("corpus")
    return folder, {case.name: case for case in make_corpus.build(folder)}


def _case_names() -> list[str]:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        return [case.name for case in make_corpus.build(Path(tmp) / "c")]


@pytest.mark.parametrize("name", _case_names())
def test_corpus_case(name: str, corpus: tuple[Path, dict[str, object]], tmp_path: Path) -> None:
    folder, cases = corpus
    case = cases[name]
    out = tmp_path / "out"
    args = [a.replace("{dir}", str(folder)).replace("{out}", str(out)) for a in case.args]
    try:
        done = subprocess.run([sys.executable, "-m", "inclusiecheck", *args],
                              capture_output=True, timeout=HANG_GUARD_S,
                              env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"})
    except subprocess.TimeoutExpired:
        pytest.fail(f"{name}: no answer within {HANG_GUARD_S} s (a hang)")
    stdout = done.stdout.decode("utf-8", errors="replace")
    stderr = done.stderr.decode("utf-8", errors="replace")
    assert done.returncode != 3, stderr
    assert "Traceback" not in stderr, stderr
    assert done.returncode in case.exit, (done.returncode, stderr[-2000:])
    if done.returncode == 2:
        lines = [line for line in stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("inclusiecheck: error:"), stderr
    if case.where == "stderr":
        assert case.fragment in stderr, stderr
    elif case.where == "warning":
        report = json.loads((out / "report.json").read_text(encoding="utf-8"))
        messages = [w["message"] for w in report["warnings"]]
        assert any(case.fragment in m for m in messages), messages
    elif case.where == "stdout":
        assert case.fragment in stdout, stdout
    else:  # not_stdout: the console shows it escaped
        assert case.fragment not in stdout and case.fragment not in stderr
        assert stdout.strip(), "nothing printed"
