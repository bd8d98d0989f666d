"""The findings of the sample, a synthetic plan and every built-in rule case are byte-identical
to the committed golden files (tests/golden/data). A deliberate change regenerates them with
``python tests/golden/golden.py --write`` and explains each difference in tests/golden/CHANGES.md.
"""

from __future__ import annotations

import gzip
import importlib.util
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("inclusiecheck_golden", HERE / "golden.py")
assert _spec is not None and _spec.loader is not None
golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(golden)


@pytest.mark.parametrize("name", sorted(golden.BUILDERS))
def test_findings_identical_to_golden(name: str) -> None:
    now = golden.BUILDERS[name]()
    old = golden.stored(name)
    assert now == old, (f"{name} differs from tests/golden/data/{name}.gz; "
                        + golden.first_difference(old, now)
                        + "\nIf intended: python tests/golden/golden.py --write, and explain it "
                          "in tests/golden/CHANGES.md")


def test_golden_files_are_content_addressed(tmp_path: Path) -> None:
    """The .gz bytes depend on the content only (no time or name in the header), so an
    unchanged regeneration leaves git clean."""
    content = golden.stored("sample.json")
    a = tmp_path / "a"
    b = tmp_path / "b"
    for target in (a, b):
        target.mkdir()
        golden.DATA, saved = target, golden.DATA
        try:
            golden.write("sample.json", content)
        finally:
            golden.DATA = saved
    assert (a / "sample.json.gz").read_bytes() == (b / "sample.json.gz").read_bytes() \
        == (HERE / "data" / "sample.json.gz").read_bytes()
    assert gzip.decompress((a / "sample.json.gz").read_bytes()) == content


def test_first_difference_names_the_line() -> None:
    text = golden.first_difference(b"a\nb\nc\n", b"a\nx\nc\n")
    assert text.startswith("line 2:") and "golden: b" in text and "now:    x" in text


@pytest.mark.parametrize("name", ["sample.json", "synth.json"])
def test_stored_reports_refer_each_finding_to_the_rules_table(name: str) -> None:
    """report.json writes each rule's own fields once, in ``rules``: every finding's rule is
    there, and no finding repeats a field its rule's entry already holds."""
    import json

    from inclusiecheck.report.json_report import RULE_FIELDS

    data = json.loads(golden.stored(name))
    rules = data["rules"]
    assert list(rules) == sorted({f["rule_id"] for f in data["findings"]})
    for finding in data["findings"]:
        entry = rules[finding["rule_id"]]
        assert all(finding[k] != entry.get(k) for k in RULE_FIELDS if k in finding)
