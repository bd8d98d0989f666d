"""Adversarial inputs: hostile text in plans, hostile files on the command line, hostile YAML.

The project rule: bad input gets a clear one-line error and exit code 2, never a traceback;
input files are never modified; outputs are written atomically; YAML is loaded safely and
rule files are data, never code. Text from a plan is data too: the HTML escapes it, the
messages never evaluate it, and BCF, SARIF and Markdown stay well-formed.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from lxml import etree, html

from inclusiecheck.api import check, load_model
from inclusiecheck.cli import one_line
from inclusiecheck.engine.yamlio import YamlFileError, load_yaml
from inclusiecheck.model import InputError
from inclusiecheck.model.safe_yaml import MAX_EXPANDED_NODES, YamlProblem, load_text
from inclusiecheck.output import write_atomic
from inclusiecheck.report import available_formats, render

X0, Y0 = 150000.0, 200000.0
LAMBERT72 = {"type": "name", "properties": {"name": "EPSG:31370"}}
LONG = "A" * 100_000

HOSTILE = {
    "script": "<script>alert('x')</script>",
    "jinja": "{{ 7*7 }}{% raw %}",
    "format": "{__class__}{0}{feature_id!r}{measured.__class__.__mro__}",
    "template": "${x}#{7*7}%(x)s%s",
    "newline": "line one\n# injected heading\n- injected item\r\n",
    "rtl": "\u202eevil\u202c\u200f\u2066x\u2069",
    "nul": "nul\x00byte\x01\x1b[2Jend",
    "rich": "[/bold][red]not markup[/red][/]",
    "md": "*bold* _it_ `code` [link](http://x) | cell | <b>",
    "xml": "]]><!DOCTYPE x [<!ENTITY e 'boom'>]>&e;&amp;",
    "surrogate": "lone\ud800half\udfff",
    "long": LONG,
}


# ------------------------------------------------------------------------------- helpers


def digest(path: Path) -> dict[str, tuple[str, int]]:
    """Content hash and mtime of every file under ``path`` (or of ``path`` itself)."""
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file()
                                                 and not p.is_symlink())
    return {str(p): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in files}


def feature(layer: str, geometry: dict[str, Any], **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"layer": layer, **props}, "geometry": geometry}


def line(dx: float = 20.0, y: float = 0.0) -> dict[str, Any]:
    return {"type": "LineString", "coordinates": [[X0, Y0 + y], [X0 + dx, Y0 + y]]}


def point(dx: float = 0.0, dy: float = 0.0) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [X0 + dx, Y0 + dy]}


def write_geojson(path: Path, features: list[dict[str, Any]], crs: Any = LAMBERT72) -> Path:
    data: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    if crs is not None:
        data["crs"] = crs
    path.write_text(json.dumps(data), encoding="utf-8")  # \u escapes: lone surrogates too
    return path


def run_cli(*args: str, cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "inclusiecheck", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


def assert_input_error(result: subprocess.CompletedProcess[str], *needles: str) -> str:
    """Exit code 2, exactly one line on stderr starting with the error prefix, no traceback."""
    assert result.returncode == 2, (result.returncode, result.stdout[-2000:], result.stderr)
    assert "Traceback" not in result.stderr
    lines = [text for text in result.stderr.splitlines() if text.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("inclusiecheck: error:"), lines[0]
    for needle in needles:
        assert needle.lower() in lines[0].lower(), lines[0]
    return lines[0]


RULESET_YAML = """\
name: hostile-test
version: "1"
title: {nl: Testregels, en: Test rules}
publisher: tests
"""

RULE_YAML = """\
id: TST-01
name: walkway.width_min
title: {nl: Breedte, en: Width}
description: {nl: Testregel., en: Test rule.}
pillar: accessibility
level: obligation
structural: false
source:
  document: Test document
  article: "1"
  url: https://example.org/
  kind: law
  confidence: high
applies_to: {layer: walkway}
check: {type: threshold, params: {property: width_m, min: 1.5, unit: m}}
message:
  nl: "Het pad {feature_id} is {measured} m breed; minstens {required} m."
  en: "Path {feature_id} is {measured} m wide; at least {required} m."
advice: {nl: Verbreed het pad., en: Widen the path.}
tags: [walkway]
"""


def make_ruleset(folder: Path, rule_text: str = RULE_YAML) -> Path:
    (folder / "TST-01-width").mkdir(parents=True)
    (folder / "ruleset.yaml").write_text(RULESET_YAML, encoding="utf-8")
    (folder / "TST-01-width" / "rule.yaml").write_text(rule_text, encoding="utf-8")
    return folder


@pytest.fixture
def good_plan(tmp_path: Path) -> Path:
    plan = tmp_path / "plan"
    plan.mkdir()
    return write_geojson(plan / "good.geojson", [
        feature("walkway", line(), id="w1", kind="sidewalk", width_m=1.2)])


# ------------------------------------------------------------------------------- 3. hostile text


def hostile_plan(folder: Path) -> Path:
    """A plan whose ids, names, codes, extra attributes, layer names and metadata are hostile."""
    features = []
    for index, (key, text) in enumerate(HOSTILE.items()):
        features.append(feature("walkway", line(y=index * 5.0), id=f"{key}:{text}", name=text,
                                kind="sidewalk", width_m=1.0 + index / 100,
                                surface=text[:200], **{f"extra {text[:40]}": text}))
        features.append(feature("bench", point(dy=index * 5.0), id=f"bench-{key}",
                                name=text, has_backrest=text[:50]))
    features.append(feature("kabouters <script>\n", point(), id="k1"))
    features.append(feature(HOSTILE["format"], point(), id="k2"))
    path = write_geojson(folder / "hostile.geojson", features)
    meta = {"project": HOSTILE["script"] + HOSTILE["jinja"], "dossier": HOSTILE["newline"],
            "applicant": HOSTILE["rtl"] + HOSTILE["format"]}
    import yaml

    (folder / "hostile.plan.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True),
                                              encoding="utf-8")
    return path


def loadable_builtin_sets() -> list[Any]:
    """Every built-in rule set that loads (one being edited must not hide a failure here)."""
    from inclusiecheck.engine.loader import (default_set_names, drop_included_bases,
                                             resolve_selectors)

    sets = []
    for name in default_set_names():
        try:
            sets.extend(resolve_selectors([name]))
        except InputError:
            continue
    return drop_included_bases(sets)


@pytest.fixture(scope="module")
def hostile_outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("hostile")
    plan = hostile_plan(folder)
    rules = make_ruleset(folder / "rules")
    before = digest(folder)
    report = check(plan, lang="en", list_all=True, rules=[str(rules)])
    rendered = {name: render(report, name) for name in available_formats()}
    assert digest(folder) == before
    builtin = check(plan, lang="nl", list_all=True, rulesets=loadable_builtin_sets())
    rendered_nl = {name: render(builtin, name) for name in available_formats()}
    return {"report": report, "out": rendered, "out_nl": rendered_nl}


def test_hostile_ids_reach_the_report_verbatim(hostile_outputs: dict[str, Any]) -> None:
    data = json.loads(hostile_outputs["out"]["json"])
    ids = {f["feature_id"] for f in data["findings"]}
    for key in ("script", "jinja", "format", "template", "rich", "md", "xml", "long"):
        assert f"{key}:{HOSTILE[key]}" in ids, key
    # the message placeholders were filled in once: the id's braces were not formatted again
    messages = [f["message"] for f in data["findings"] if f["rule_id"] == "TST-01"]
    assert any(HOSTILE["format"] in m for m in messages)
    assert any("{{ 7*7 }}" in m for m in messages)


@pytest.mark.parametrize("lang", ["out", "out_nl"])
def test_no_output_evaluates_hostile_text(hostile_outputs: dict[str, Any], lang: str) -> None:
    for name, body in hostile_outputs[lang].items():
        text = body.decode("utf-8", errors="replace") if name != "bcf" else ""
        for member in _zip_texts(body) if name == "bcf" else [text]:
            for evaluated in ("<class '", "<built-in", "<function", "<module", "49}"):
                assert evaluated not in member, (name, evaluated)


def _zip_texts(body: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return [archive.read(name).decode("utf-8") for name in archive.namelist()]


@pytest.mark.parametrize("lang", ["out", "out_nl"])
def test_html_escapes_hostile_text(hostile_outputs: dict[str, Any], lang: str) -> None:
    body = hostile_outputs[lang]["html"]
    text = body.decode("utf-8")
    assert "<script" not in text.lower()
    assert "<!DOCTYPE x" not in text
    assert "\x00" not in text and "\x1b" not in text
    doc = html.document_fromstring(body)
    assert not doc.xpath("//script")
    assert not doc.xpath("//*[@onerror or @onload or @onclick]")
    content = doc.text_content()
    assert "<script>alert('x')</script>" in content  # shown as text
    assert "{{ 7*7 }}" in content  # never rendered by Jinja


@pytest.mark.parametrize("lang", ["out", "out_nl"])
def test_markdown_stays_well_formed(hostile_outputs: dict[str, Any], lang: str) -> None:
    text = hostile_outputs[lang]["md"].decode("utf-8")
    outside_code = re.sub(r"(`+).*?\1", "", text)  # code spans show text literally
    assert not re.search(r"(?<!\\)</?script", outside_code)  # else only escaped: literal
    assert "\x00" not in text and "\x1b" not in text
    for row in text.splitlines():
        assert not row.startswith("# injected"), row
        assert not row.startswith("- injected"), row
    # an escaped hostile string is still recognisable
    assert "\\<script\\>" in text or "`" in text


@pytest.mark.parametrize("lang", ["out", "out_nl"])
def test_sarif_json_and_geojson_parse(hostile_outputs: dict[str, Any], lang: str) -> None:
    out = hostile_outputs[lang]
    sarif = json.loads(out["sarif"])
    assert sarif["version"] == "2.1.0"
    assert sarif["runs"][0]["results"]
    json.loads(out["json"])
    geo = json.loads(out["geojson"])
    assert geo["type"] == "FeatureCollection"


@pytest.mark.parametrize("lang", ["out", "out_nl"])
def test_bcf_members_are_well_formed_xml(hostile_outputs: dict[str, Any], lang: str) -> None:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    with zipfile.ZipFile(io.BytesIO(hostile_outputs[lang]["bcf"])) as archive:
        names = archive.namelist()
        assert any(n.endswith("markup.bcf") for n in names)
        for name in names:
            raw = archive.read(name)
            root = etree.fromstring(raw, parser)
            assert root is not None
            assert b"<!DOCTYPE" not in raw and b"<!ENTITY" not in raw


def test_hostile_text_in_cli_summary(tmp_path: Path) -> None:
    """Rich markup and terminal escapes in ids do not break the console summary."""
    plan = hostile_plan(tmp_path)
    rules = make_ruleset(tmp_path / "rules")
    before = digest(tmp_path)
    result = run_cli("check", str(plan), "--rules", str(rules), "--out", str(tmp_path / "out"),
                     "--format", "json,html,md,sarif,bcf,geojson", cwd=tmp_path)
    assert result.returncode == 1, result.stderr  # TST-01 obligation fails
    assert "Traceback" not in result.stderr
    assert "\x1b[2J" not in result.stdout
    after = digest(tmp_path)
    assert {k: v for k, v in after.items() if "/out/" not in k} == before


def test_hostile_file_name_in_an_error(tmp_path: Path) -> None:
    path = tmp_path / "evil\n<script>\x1b[31m.geojson"
    write_geojson(path, [feature("walkway", line(), id="w1")])
    result = run_cli("check", str(path), "--crs", "EPSG:999999", "--out",
                     str(tmp_path / "out"), cwd=tmp_path)
    message = assert_input_error(result, "EPSG:999999")
    assert "\x1b" not in message


def test_one_line_escapes_control_characters() -> None:
    assert one_line("a\nb\r\nc") == "a b c"
    assert one_line("x\x00y\x1b[2Jz\u202e") == "x\\x00y\\x1b[2Jz\\u202e"
    assert len(one_line("é" * 10_000)) <= 2000


# ------------------------------------------------------------------------------- 4. the CLI


def test_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.geojson"
    empty.write_bytes(b"")
    result = run_cli("check", str(empty), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert_input_error(result, "empty.geojson")
    assert empty.read_bytes() == b""
    assert not (tmp_path / "out").exists()


def test_folder_without_vector_files(tmp_path: Path) -> None:
    folder = tmp_path / "plan"
    folder.mkdir()
    (folder / "readme.txt").write_text("no plan here", encoding="utf-8")
    (folder / "drawing.dwg").write_bytes(b"AC1032")
    result = run_cli("check", str(folder), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert_input_error(result, "no readable")


def test_gpkg_that_is_a_zip(tmp_path: Path) -> None:
    fake = tmp_path / "plan.gpkg"
    with zipfile.ZipFile(fake, "w") as archive:
        archive.writestr("walkway.geojson", "{}")
    before = digest(fake)
    result = run_cli("check", str(fake), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert_input_error(result, "not a GeoPackage")
    assert digest(fake) == before


def test_geojson_with_utf16_bom(tmp_path: Path) -> None:
    path = tmp_path / "plan.geojson"
    text = json.dumps({"type": "FeatureCollection", "crs": LAMBERT72, "features": [
        feature("walkway", line(), id="w1", width_m=1.2)]})
    path.write_bytes(text.encode("utf-16"))
    before = digest(path)
    result = run_cli("check", str(path), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert_input_error(result, "UTF-8")
    assert digest(path) == before


def test_windows_1252_geojson(tmp_path: Path) -> None:
    path = tmp_path / "plan.geojson"
    text = json.dumps({"type": "FeatureCollection", "crs": LAMBERT72, "features": [
        feature("walkway", line(), id="w1", name="Grote Markt – pad €", width_m=1.2)]},
        ensure_ascii=False)
    path.write_bytes(text.encode("cp1252"))
    before = digest(path)
    result = run_cli("check", str(path), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert_input_error(result, "UTF-8")
    assert digest(path) == before


@pytest.mark.skipif(os.environ.get("INCLUSIECHECK_SKIP_SLOW") == "1", reason="slow (~10 s)")
def test_large_single_line_geojson(tmp_path: Path) -> None:
    """A ~50 MB one-line GeoJSON (one long walkway and many benches) reads in one piece."""
    coords = [[X0 + i * 0.001, Y0 + (i % 2) * 0.01] for i in range(1_900_000)]
    features = [feature("walkway", {"type": "LineString", "coordinates": coords}, id="long")]
    features += [feature("bench", point(dx=i * 0.1), id=f"b{i}") for i in range(20_000)]
    path = write_geojson(tmp_path / "big.geojson", features)
    assert path.stat().st_size > 45_000_000
    assert path.read_bytes().count(b"\n") == 0
    before = digest(path)
    model = load_model(path)
    assert len(model.features("bench")) == 20_000
    assert digest(path) == before


def test_plan_yaml_with_python_tag_is_rejected(tmp_path: Path) -> None:
    folder = tmp_path / "plan"
    folder.mkdir()
    write_geojson(folder / "walkway.geojson", [feature("walkway", line(), id="w1")])
    (folder / "plan.yaml").write_text(
        "project: !!python/object/apply:os.system ['touch PWNED']\n", encoding="utf-8")
    before = digest(folder)
    result = run_cli("check", str(folder), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert_input_error(result, "plan.yaml", "constructor")
    assert not (tmp_path / "PWNED").exists() and not (folder / "PWNED").exists()
    assert not Path("PWNED").exists()
    assert digest(folder) == before


def test_plan_yaml_alias_bomb_is_rejected(tmp_path: Path) -> None:
    folder = tmp_path / "plan"
    folder.mkdir()
    write_geojson(folder / "walkway.geojson", [feature("walkway", line(), id="w1")])
    (folder / "plan.yaml").write_text(billion_laughs("project"), encoding="utf-8")
    with pytest.raises(InputError, match="alias"):
        load_model(folder)


def test_plan_yaml_invalid_date_is_an_input_error(tmp_path: Path) -> None:
    folder = tmp_path / "plan"
    folder.mkdir()
    write_geojson(folder / "walkway.geojson", [feature("walkway", line(), id="w1")])
    (folder / "plan.yaml").write_text("permit_date: 2025-02-30\n", encoding="utf-8")
    with pytest.raises(InputError, match="plan.yaml"):
        load_model(folder)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_symlink_loop_folder(tmp_path: Path) -> None:
    folder = tmp_path / "loop"
    folder.mkdir()
    (folder / "a.geojson").symlink_to(folder / "b.geojson")
    (folder / "b.geojson").symlink_to(folder / "a.geojson")
    (folder / "self").symlink_to(folder)
    (tmp_path / "top").symlink_to(tmp_path / "top")
    result = run_cli("check", str(folder), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert_input_error(result)
    result = run_cli("check", str(tmp_path / "top"), "--out", str(tmp_path / "out"),
                     cwd=tmp_path)
    assert_input_error(result)


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0,
                    reason="root ignores permissions")
def test_read_only_output_folder(tmp_path: Path, good_plan: Path) -> None:
    out = tmp_path / "readonly"
    out.mkdir()
    out.chmod(0o555)
    try:
        before = digest(good_plan.parent)
        result = run_cli("check", str(good_plan), "--out", str(out), cwd=tmp_path)
        assert_input_error(result, "readonly")
        assert list(out.iterdir()) == []
        result = run_cli("check", str(good_plan), "--out", str(out / "sub"), cwd=tmp_path)
        assert_input_error(result, "sub")
        assert digest(good_plan.parent) == before
    finally:
        out.chmod(0o755)


def test_unwritable_output_folder_in_process(tmp_path: Path, good_plan: Path,
                                            monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """Permission denied while writing (as when the folder is read-only; root ignores modes,
    so the denial is simulated): one line, exit 2, nothing left behind."""
    import tempfile

    from inclusiecheck import cli

    def denied(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied", str(kwargs.get("dir", "")))

    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setattr(tempfile, "mkstemp", denied)
    monkeypatch.setattr(sys, "argv", ["inclusiecheck", "check", str(good_plan), "--out", str(out)])
    with pytest.raises(SystemExit) as info:
        cli.main()
    assert info.value.code == 2
    err = [text for text in capsys.readouterr().err.splitlines() if text.strip()]
    assert len(err) == 1 and "Permission denied" in err[0] and str(out) in err[0], err
    assert list(out.iterdir()) == []


def test_out_pointing_at_a_file(tmp_path: Path, good_plan: Path) -> None:
    target = tmp_path / "report.txt"
    target.write_text("keep me", encoding="utf-8")
    result = run_cli("check", str(good_plan), "--out", str(target), cwd=tmp_path)
    assert_input_error(result, "report.txt")
    assert target.read_text(encoding="utf-8") == "keep me"
    result = run_cli("check", str(good_plan), "--out", str(target / "sub"), cwd=tmp_path)
    assert_input_error(result)
    assert target.read_text(encoding="utf-8") == "keep me"


def test_out_is_the_plan_itself(tmp_path: Path, good_plan: Path) -> None:
    before = digest(good_plan)
    result = run_cli("check", str(good_plan), "--out", str(good_plan), cwd=tmp_path)
    assert_input_error(result)
    assert digest(good_plan) == before


def test_rendering_failure_leaves_no_half_written_file(tmp_path: Path, good_plan: Path) -> None:
    from inclusiecheck import cli
    from inclusiecheck.report import registry

    report = check(good_plan, lang="en")
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.json").write_bytes(b"old report")
    original = registry.get_format("md")

    def broken(report: Any, options: Any) -> bytes:
        raise RuntimeError("renderer crashed half-way")

    registry.FORMATS.register(registry.OutputFormat("md", original.filename, original.media_type,
                                                    broken, original.description), replace=True)
    try:
        with pytest.raises(RuntimeError):
            cli.write_outputs(report, out, ["json", "md"])
    finally:
        registry.FORMATS.register(original, replace=True)
    assert not (out / original.filename).exists()
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary left
    # every format is rendered before any file is touched: the previous file stays as it was
    assert (out / "report.json").read_bytes() == b"old report"


def test_write_atomic_cleans_up_when_the_write_fails(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "report.html"
    target.write_bytes(b"previous")

    def failing_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(InputError, match="No space left"):
        write_atomic(target, b"x" * 1_000_000)
    assert target.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_write_atomic_refuses_a_folder_target(tmp_path: Path) -> None:
    (tmp_path / "report.json").mkdir()
    with pytest.raises((InputError, OSError)):
        write_atomic(tmp_path / "report.json", b"{}")
    assert (tmp_path / "report.json").is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


# ------------------------------------------------------------------------------- 5. rule files


def billion_laughs(key: str = "tags", levels: int = 9) -> str:
    lines = ["lol0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, levels + 1):
        lines.append(f"lol{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 10) + "]")
    lines.append(f"{key}: *l{levels}")
    return "\n".join(lines) + "\n"


def test_safe_yaml_rejects_alias_bombs_and_self_references() -> None:
    with pytest.raises(YamlProblem, match="alias"):
        load_text(billion_laughs())
    with pytest.raises(YamlProblem, match="alias"):
        load_text("a: &a [*a]\n")
    # ordinary anchors stay allowed
    data = load_text("base: &b {min: 1.5}\nrule: {params: *b, other: *b}\n")
    assert data["rule"]["params"] == {"min": 1.5}
    assert MAX_EXPANDED_NODES >= 10_000


@pytest.mark.parametrize("text, needle", [
    ("a: 2010-02-30\n", "invalid value"),
    ("a: !!int x\n", "invalid value"),
    ("a: !!timestamp x\n", "invalid value"),
    ("a: !!bool x\n", "invalid value"),
    ("a: !!python/name:os.system\n", "not allowed"),
    ("a: !!python/object/apply:os.system ['touch PWNED']\n", "not allowed"),
    ("a: [unclosed\n", "line"),
    ("a: " + "[" * 2000 + "]" * 2000 + "\n", "nesting"),
    ("\x00", "control"),
])
def test_safe_yaml_turns_every_failure_into_one_problem(text: str, needle: str) -> None:
    with pytest.raises(YamlProblem) as info:
        load_text(text)
    message = str(info.value)
    assert "\n" not in message
    assert needle.lower() in message.lower()


def test_rule_with_python_tag(tmp_path: Path, good_plan: Path) -> None:
    rules = make_ruleset(tmp_path / "rules", RULE_YAML.replace(
        "tags: [walkway]", "tags: !!python/object/apply:os.system ['touch PWNED']"))
    result = run_cli("check", str(good_plan), "--rules", str(rules), "--out",
                     str(tmp_path / "out"), cwd=tmp_path)
    assert_input_error(result, "rule.yaml", "not allowed")
    assert not (tmp_path / "PWNED").exists()
    validate = run_cli("rules", "validate", str(rules), cwd=tmp_path)
    assert validate.returncode == 1
    assert "Traceback" not in validate.stderr
    assert "not allowed" in validate.stderr
    assert not (tmp_path / "PWNED").exists()


def test_rule_with_alias_bomb(tmp_path: Path, good_plan: Path) -> None:
    rules = make_ruleset(tmp_path / "rules", RULE_YAML.replace("tags: [walkway]\n", "")
                         + billion_laughs("tags"))
    rule_file = rules / "TST-01-width" / "rule.yaml"
    assert rule_file.stat().st_size < 3000
    with pytest.raises(YamlFileError, match="alias"):
        load_yaml(rule_file)
    result = run_cli("check", str(good_plan), "--rules", str(rules), "--out",
                     str(tmp_path / "out"), cwd=tmp_path, timeout=120)
    assert_input_error(result, "alias")
    validate = run_cli("rules", "validate", str(rules), cwd=tmp_path, timeout=120)
    assert validate.returncode == 1 and "alias" in validate.stderr
    assert "Traceback" not in validate.stderr


def test_ten_megabyte_rule_file(tmp_path: Path, good_plan: Path) -> None:
    padding = "".join(f"# padding line {i:08d} " + "x" * 80 + "\n" for i in range(105_000))
    rules = make_ruleset(tmp_path / "rules", RULE_YAML + padding)
    rule_file = rules / "TST-01-width" / "rule.yaml"
    assert rule_file.stat().st_size > 10_000_000
    with pytest.raises(YamlFileError, match="too large"):
        load_yaml(rule_file)
    result = run_cli("check", str(good_plan), "--rules", str(rules), "--out",
                     str(tmp_path / "out"), cwd=tmp_path, timeout=120)
    assert_input_error(result, "too large")


def test_rule_file_with_invalid_date(tmp_path: Path, good_plan: Path) -> None:
    rules = make_ruleset(tmp_path / "rules", RULE_YAML + "valid_from: 2010-02-30\n")
    result = run_cli("check", str(good_plan), "--rules", str(rules), "--out",
                     str(tmp_path / "out"), cwd=tmp_path)
    assert_input_error(result, "rule.yaml")


def test_rule_message_templates_cannot_reach_attributes(tmp_path: Path,
                                                       good_plan: Path) -> None:
    """``{x.__class__}`` in a rule message is refused by the loader; and templates are filled
    by a regular expression, not str.format, so such text would stay as written anyway."""
    from inclusiecheck.engine.messages import render as fill

    template = "{feature_id.__class__.__init__.__globals__} {0} {measured!r} {feature_id}"
    rules = make_ruleset(tmp_path / "rules", RULE_YAML.replace(
        '"Path {feature_id} is {measured} m wide; at least {required} m."', repr(template)))
    with pytest.raises(InputError, match="not a plain name"):
        check(good_plan, rules=[str(rules)], lang="en")
    filled = fill(template, {"feature_id": "{0}", "measured": 1.0}, "en")
    assert filled == "{feature_id.__class__.__init__.__globals__} {0} {measured!r} {0}"


def test_sane_rule_set_still_loads(tmp_path: Path, good_plan: Path) -> None:
    rules = make_ruleset(tmp_path / "rules")
    report = check(good_plan, rules=[str(rules)], lang="en")
    assert [f.rule_id for f in report.findings] == ["TST-01"]


def test_mapping_profile_alias_bomb_and_bad_value(tmp_path: Path, good_plan: Path) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(billion_laughs("layers"), encoding="utf-8")
    with pytest.raises(InputError, match="alias"):
        load_model(good_plan, mapping_profile=bomb)
    tagged = tmp_path / "tagged.yaml"
    tagged.write_text("layers: !!python/object/apply:os.system ['touch PWNED']\n",
                      encoding="utf-8")
    with pytest.raises(InputError, match="not allowed"):
        load_model(good_plan, mapping_profile=tagged)
    assert not (tmp_path / "PWNED").exists()


# ------------------------------------------------------------------------------- geometry, XML


def test_absurd_coordinates_are_skipped_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "plan.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "crs": LAMBERT72, "features": [
        feature("walkway", line(), id="ok"),
        feature("walkway", {"type": "LineString", "coordinates": [[1e300, 0], [X0, Y0]]},
                id="far"),
        feature("bench", {"type": "Point", "coordinates": [float("inf"), Y0]}, id="inf"),
        feature("bench", {"type": "Point", "coordinates": [X0, float("nan")]}, id="nan"),
    ]}), encoding="utf-8")  # json writes Infinity and NaN, as GDAL can
    model = load_model(path)
    assert [f.id for f in model] == ["ok"]
    skipped = {w.feature_id for w in model.warnings if w.code == "geometry_skipped"}
    assert skipped == {"1", "2", "3"}  # the GeoJSON features' positions (they have no "id")
    report = check(path, lang="en")
    for name in available_formats():
        render(report, name)


def test_absurd_coordinates_in_a_geographic_crs(tmp_path: Path) -> None:
    path = write_geojson(tmp_path / "plan.geojson", [
        feature("walkway", {"type": "LineString", "coordinates": [[4.35, 50.85], [4.351, 50.85]]},
                id="ok"),
        feature("bench", {"type": "Point", "coordinates": [1e300, 1e300]}, id="far"),
    ], crs={"type": "name", "properties": {"name": "EPSG:4326"}})
    model = load_model(path)
    assert [f.id for f in model] == ["ok"]


def test_deeply_nested_json_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "plan.geojson"
    path.write_text('{"type": "FeatureCollection", "features": ' + "[" * 100_000
                    + "]" * 100_000 + "}", encoding="utf-8")
    with pytest.raises(InputError):
        load_model(path)


def test_ifcxml_with_entities_is_rejected_unexpanded(tmp_path: Path) -> None:
    path = tmp_path / "model.ifcxml"
    path.write_text(
        '<?xml version="1.0"?>\n'
        '<!DOCTYPE ifcXML [<!ENTITY xxe SYSTEM "file:///etc/passwd">'
        '<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
        '<ifcXML xmlns="http://www.buildingsmart-tech.org/ifcXML/IFC4/final">'
        '<IfcProject id="p1" Name="&xxe;&b;"/></ifcXML>\n', encoding="utf-8")
    result = run_cli("check", str(path), "--out", str(tmp_path / "out"), cwd=tmp_path)
    message = assert_input_error(result, "entit")
    assert "root:" not in message
