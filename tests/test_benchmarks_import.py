"""The benchmark scripts stay runnable: each imports cleanly (their figures are printed by
running them, never asserted in tests)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCHMARKS = sorted((Path(__file__).resolve().parent.parent / "benchmarks").glob("*.py"))


@pytest.mark.parametrize("script", BENCHMARKS, ids=lambda p: p.name)
def test_benchmark_script_imports(script: Path) -> None:
    sys.path.insert(0, str(script.parent))
    try:
        spec = importlib.util.spec_from_file_location(f"bench_{script.stem}", script)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)  # definitions only: main() runs under __main__
    finally:
        sys.path.remove(str(script.parent))


def test_rule_loading_benchmark_runs_on_a_small_tree(capsys: pytest.CaptureFixture[str]
                                                     ) -> None:
    """bench_rules_load writes a tree of rule folders the loader must accept (its own
    assertions stop it otherwise: it once stopped when the loader began refusing fixture
    paths out of a rule's cases/ folder)."""
    script = next(p for p in BENCHMARKS if p.name == "bench_rules_load.py")
    sys.path.insert(0, str(script.parent))
    try:
        spec = importlib.util.spec_from_file_location("bench_rules_load_run", script)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.main(12)
    finally:
        sys.path.remove(str(script.parent))
    out = capsys.readouterr().out
    assert "rule files: 12" in out and "24 expectations" in out
