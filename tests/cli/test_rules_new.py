"""``inclusiecheck rules new`` end to end: scaffold -> validate -> test -> see it in a report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from inclusiecheck.cli import app

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_scaffold_validate_test_and_report(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    code, out = invoke("rules", "new", str(rules), "--set", "mijnstad", "--id", "MS-01",
                       "--layer", "walkway", "--check", "threshold")
    assert code == 0, out
    folder = rules / "mijnstad"
    rule_file = folder / "MS-01-width-m-min" / "rule.yaml"
    assert rule_file.is_file() and (folder / "ruleset.yaml").is_file()
    text = rule_file.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=")
    assert "rule.schema.json" in text.splitlines()[0]
    assert "TODO" in text and "nl:" in text and "en:" in text
    code, out = invoke("rules", "validate", str(folder))
    assert code == 0, out
    assert "1 rules valid" in out and "TODO placeholders left" in out
    code, out = invoke("rules", "test", str(folder), "-v")
    assert code == 0, out
    assert out.strip().splitlines()[-1] == "5 passed, 0 failed"
    assert "boundary: expected pass, got pass" in out

    # a second rule in the same set, another layer and check type
    code, out = invoke("rules", "new", str(folder), "--id", "MS-02", "--layer", "crossing",
                       "--check", "presence")
    assert code == 0, out
    code, out = invoke("rules", "test", str(folder))
    assert code == 0 and out.strip().endswith("0 failed"), out

    # the rule shows up in a report of a plan
    plan = tmp_path / "plan.geojson"
    plan.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"layer": "walkway", "id": "smal", "kind": "sidewalk",
                                           "width_m": 1.0},
         "geometry": {"type": "LineString",
                      "coordinates": [[150000, 200000], [150010, 200000]]}}]}),
        encoding="utf-8")
    out_dir = tmp_path / "report"
    code, out = invoke("check", str(plan), "--rules", str(folder), "-o", str(out_dir),
                       "-f", "json", "--crs", "31370", "--fail-on", "never")
    assert code == 0, out
    data = json.loads((out_dir / "report.json").read_text(encoding="utf-8"))
    [finding] = [f for f in data["findings"] if f["rule_id"] == "MS-01"]
    assert finding["outcome"] == "fail" and data["rules"]["MS-01"]["rule_set"] == "mijnstad"
    assert data["rules"]["MS-01"]["rule_set_version"] == "0.1.0"


@pytest.mark.parametrize("layer,check", [("ramp", "threshold"), ("door", "threshold"),
                                         ("stop", "threshold"), ("light", "threshold"),
                                         ("entrance", "presence"), ("obstacle", "enumeration"),
                                         ("bench", "manual"), ("parking", "threshold")])
def test_scaffolds_are_valid_and_pass_for_many_layers(tmp_path: Path, layer: str,
                                                      check: str) -> None:
    code, out = invoke("rules", "new", str(tmp_path / "s"), "--set", "s", "--id", "SX-01",
                       "--layer", layer, "--check", check)
    assert code == 0, out
    code, out = invoke("rules", "validate", str(tmp_path / "s"))
    assert code == 0, out
    code, out = invoke("rules", "test", str(tmp_path / "s"))
    assert code == 0, out


def test_new_municipal_set_extending_a_base(tmp_path: Path) -> None:
    code, out = invoke("rules", "new", str(tmp_path / "gent"), "--set", "gent",
                       "--extends", "publiek-domein")
    assert code == 0, out
    text = (tmp_path / "gent" / "ruleset.yaml").read_text(encoding="utf-8")
    assert "extends: [publiek-domein]" in text
    code, out = invoke("rules", "validate", str(tmp_path / "gent"))
    assert code == 0, out


@pytest.mark.parametrize("args,needle", [
    (["--id", "MS-01"], "no ruleset.yaml; give --set NAME"),
    (["--set", "Mijn Stad", "--id", "MS-01"], "lower case"),
    (["--set", "s", "--id", "ms1"], "rule id looks like"),
    (["--set", "s", "--id", "MS-01", "--layer", "walkay"], "did you mean 'walkway'"),
    (["--set", "s", "--id", "MS-01", "--check", "clear_width"], "scaffolds threshold"),
    (["--set", "s", "--id", "MS-01", "--property", "breedte"], "no such attribute"),
    (["--set", "s"], None),
])
def test_bad_arguments_are_input_errors(tmp_path: Path, args: list[str],
                                        needle: str | None) -> None:
    from inclusiecheck.model import InputError

    result = runner.invoke(app, ["rules", "new", str(tmp_path / "x"), *args])
    if needle is None:  # only a set: fine
        assert result.exit_code == 0, result.output
        return
    assert isinstance(result.exception, InputError)
    assert needle in str(result.exception)


def test_existing_rule_is_not_overwritten(tmp_path: Path) -> None:
    from inclusiecheck.model import InputError

    invoke("rules", "new", str(tmp_path / "s"), "--set", "s", "--id", "SX-01")
    result = runner.invoke(app, ["rules", "new", str(tmp_path / "s"), "--id", "SX-01"])
    assert isinstance(result.exception, InputError) and "already exists" in str(result.exception)
