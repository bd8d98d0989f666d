"""The JSON report: the data profile's contract, deterministic bytes, schema validity."""

from __future__ import annotations

import dataclasses
import json
from importlib import resources
from pathlib import Path

import pytest

from inclusiecheck.model import Outcome
from inclusiecheck.report import RenderOptions, available_formats, render
from inclusiecheck.report.json_report import (
    RULE_FIELDS,
    canonical,
    finding_dict,
    inflate_finding,
    looks_absolute,
    relative_path,
)

TOP_LEVEL = ["tool", "lang", "plan", "crs", "rule_sets", "verdict", "summary", "coverage",
             "warnings", "rules", "findings"]
SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "marktplein"


def load_schema() -> dict:
    text = (resources.files("inclusiecheck.report") / "schemas" / "report.schema.json"
            ).read_text(encoding="utf-8")
    return json.loads(text)


def test_builtin_formats_registered() -> None:
    formats = available_formats()
    expected = {"json": "report.json", "html": "report.html", "geojson": "findings.geojson",
                "sarif": "report.sarif", "md": "report.md"}
    for name, filename in expected.items():
        assert formats[name].filename == filename
        assert formats[name].media_type


def test_same_report_gives_same_bytes(make_report) -> None:
    first = render(make_report("nl"), "json")
    second = render(make_report("nl"), "json")  # built anew: no identity or dict-order leaks
    assert first == second
    assert render(make_report("nl"), "json", RenderOptions(lang="en")) == first


@pytest.mark.parametrize("variant", ["nl", "all", "hostile", "empty"])
def test_streamed_json_is_the_dumped_report_dict(variant, report_nl, report_all, hostile_report,
                                                 make_empty_report) -> None:
    """render_json writes the findings one by one (two passes, no list of dicts); its bytes
    are those of dumps(report_dict(...)), which builds the whole document first."""
    from inclusiecheck.report.json_report import dumps, render_json, report_dict

    report = {"nl": report_nl, "all": report_all, "hostile": hostile_report,
              "empty": make_empty_report("nl")}[variant]
    whole = dumps(report_dict(report))
    assert render_json(report, RenderOptions()) == whole
    assert whole.endswith(b"\n}\n")
    assert json.loads(whole)["findings"] == report_dict(report)["findings"]


@pytest.mark.parametrize("variant", ["nl", "all", "hostile"])
def test_json_rendered_in_two_processes_is_the_same(variant, report_nl, report_all,
                                                    hostile_report, monkeypatch) -> None:
    """With several jobs a large report's finding lines are rendered half in a forked
    process: the same bytes; a forked process that fails leaves the rendering to this one."""
    import sys

    from inclusiecheck.report import json_report

    if not sys.platform.startswith("linux"):
        pytest.skip("the two-process rendering forks (Linux)")
    report = {"nl": report_nl, "all": report_all, "hostile": hostile_report}[variant]
    whole = json_report.render_json(report, RenderOptions())
    monkeypatch.setattr(json_report, "TWO_PROCESSES_FROM", 2)
    # (a test before may have left threads behind, a Dask cluster's: they do not render)
    monkeypatch.setattr(json_report, "_single_threaded", lambda: True)
    assert json_report._two_processes(2, len(report.listed_findings()))
    assert not json_report._two_processes(1, len(report.listed_findings()))
    forked = []
    real = json_report._dumps_findings_forked
    monkeypatch.setattr(json_report, "_dumps_findings_forked",
                        lambda *args: forked.append(1) or real(*args))
    assert json_report.render_json(report, RenderOptions(jobs=2)) == whole
    assert forked
    monkeypatch.setattr(json_report, "_write_lines", _fails_in_the_child)
    assert json_report.render_json(report, RenderOptions(jobs=2)) == whole


def _fails_in_the_child(out, lines, first=True) -> None:
    """``_write_lines`` that fails for the second half (``first=False``: the forked process)
    and writes the real lines otherwise."""
    if not first:
        raise RuntimeError("the forked process fails")
    for i, text in enumerate(lines):
        out.write(((",\n    " if i else "    ") + text).encode())


def test_top_level_in_profile_order(report_nl) -> None:
    data = json.loads(render(report_nl, "json"))
    assert list(data) == TOP_LEVEL
    assert data["tool"] == {"name": "inclusiecheck", "version": "0.1.0"}
    assert data["crs"] == "EPSG:31370"
    assert data["lang"] == "nl"


def test_bytes_are_utf8_indent_2_with_newline(report_nl) -> None:
    raw = render(report_nl, "json")
    text = raw.decode("utf-8")
    assert text.endswith("}\n")
    assert text.startswith('{\n  "tool": {\n    "name"')
    assert "Coördinaten" not in text  # UI strings are not in the JSON
    assert "\\u" not in text  # non-ASCII stays UTF-8 (ensure_ascii off)


def test_passes_counted_not_listed(report_nl, report_all) -> None:
    data = json.loads(render(report_nl, "json"))
    outcomes = {f["outcome"] for f in data["findings"]}
    assert outcomes == {"fail", "warn", "to_verify", "deviation"}
    assert data["summary"]["total"]["pass"] == 1
    listed_all = json.loads(render(report_all, "json"))["findings"]
    assert len(listed_all) == len(report_all.findings)
    assert {"pass", "not_applicable"} <= {f["outcome"] for f in listed_all}


def test_findings_keep_report_order(report_nl) -> None:
    data = json.loads(render(report_nl, "json"))
    expected = [(f.rule_id, f.feature_id) for f in report_nl.listed_findings()]
    assert [(f["rule_id"], f["feature_id"]) for f in data["findings"]] == expected


def test_finding_fields(report_nl) -> None:
    data = json.loads(render(report_nl, "json"))
    first = next(f for f in data["findings"] if f["feature_id"] == "sidewalk-north")
    assert list(first)[:12] == ["rule_id", "layer", "feature_id", "source_ref", "outcome",
                                "property", "measured", "required", "unit", "message",
                                "location", "status"]
    assert not set(first) & set(RULE_FIELDS)   # the rule's own fields are in `rules`
    assert first["measured"] == 1.2 and first["required"] == 1.5 and first["unit"] == "m"
    rule = data["rules"][first["rule_id"]]
    assert rule["source"]["article"] == "art. 2"
    assert rule["level"] == "obligation" and rule["advice"]
    assert rule["title"] == report_nl.rule(first["rule_id"]).title
    assert first["location"]["type"] == "LineString"
    verify = next(f for f in data["findings"] if f["outcome"] == "to_verify")
    assert verify["missing"]
    dev = next(f for f in data["findings"] if f["outcome"] == "deviation")
    assert dev["deviation"]["justification"].startswith("Beschermd monument")


def test_rules_table_once_per_rule(report_all) -> None:
    data = json.loads(render(report_all, "json"))
    assert list(data["rules"]) == sorted({f.rule_id for f in report_all.listed_findings()})
    for entry in data["rules"].values():
        assert list(entry)[:2] == ["title", "rule_set"]
        assert set(entry) <= {"title", *RULE_FIELDS}
    text = render(report_all, "json").decode()
    ids = [f["rule_id"] for f in data["findings"]]
    rule_id = max(ids, key=ids.count)
    assert ids.count(rule_id) > 1
    advice = data["rules"][rule_id]["advice"]
    assert text.count(json.dumps(advice, ensure_ascii=False)) == 1


@pytest.mark.parametrize("variant", ["nl", "all", "hostile"])
def test_rules_table_and_findings_give_back_every_finding(variant, make_report) -> None:
    """Each finding joined with its rule's entry is the whole finding of the data profile,
    field for field and in the profile's order: nothing was lost by the table."""
    report = {"nl": lambda: make_report("nl"), "all": lambda: make_report("nl", list_all=True),
              "hostile": lambda: make_report("nl", hostile=True)}[variant]()
    data = json.loads(render(report, "json"))
    full = [finding_dict(f) for f in report.listed_findings()]
    rebuilt = [inflate_finding(f, data["rules"]) for f in data["findings"]]
    assert json.dumps(rebuilt, ensure_ascii=False) == json.dumps(full, ensure_ascii=False)
    assert all(f["source"]["document"] and "advice" in f and f["level"] for f in rebuilt)


def test_sample_findings_rebuilt_from_the_rules_table() -> None:
    from inclusiecheck.api import check

    report = check(SAMPLE, lang="en")
    data = json.loads(render(report, "json"))
    rebuilt = [inflate_finding(f, data["rules"]) for f in data["findings"]]
    assert rebuilt == [finding_dict(f) for f in report.listed_findings()]
    assert len(data["rules"]) < len(data["findings"])


def test_a_rule_field_that_differs_stays_on_its_finding(make_report) -> None:
    """The same rule id with another source (e.g. a base set and its extension both
    selected): the finding keeps the field that differs from the rules table."""
    report = make_report("nl")
    first = report.listed_findings()[0]
    other = dataclasses.replace(first, feature_id="other", rule_set="gemeente",
                                source=dataclasses.replace(first.source, article="art. 9"))
    report = dataclasses.replace(report, findings=report.findings + (other,))
    data = json.loads(render(report, "json"))
    by_id = {f["feature_id"]: f for f in data["findings"]}
    assert by_id["other"]["rule_set"] == "gemeente"
    assert by_id["other"]["source"]["article"] == "art. 9"
    assert "level" not in by_id["other"] and "source" not in by_id[first.feature_id]
    rebuilt = inflate_finding(by_id["other"], data["rules"])
    assert rebuilt == finding_dict(other)


def test_floats_rounded(make_report) -> None:
    report = make_report("nl")
    bench = next(f for f in report.findings if f.feature_id == "route-1")
    assert bench.measured == 140.123456
    odd = dataclasses.replace(bench, feature_id="odd", measured=float("nan"),
                              required=-0.0000001)
    report = dataclasses.replace(report, findings=report.findings + (odd,))
    data = json.loads(render(report, "json"))
    by_id = {f["feature_id"]: f for f in data["findings"]}
    assert by_id["route-1"]["measured"] == 140.123
    assert by_id["odd"]["measured"] is None  # NaN is not JSON
    assert by_id["odd"]["required"] == 0.0


def test_coordinates_rounded_once_when_the_finding_is_made(make_report) -> None:
    """The engine rounds a finding's coordinates to the millimetre (and writes no -0.0);
    report.json writes them as the finding holds them, without a second pass."""
    from shapely.geometry import LineString, Point

    from inclusiecheck.engine.evaluate import locations_of

    point, line = locations_of([Point(104500.123456789, 193800.98765),
                                LineString([(-0.0001, 1.00049), (2.0004, 3)])])
    assert point == {"type": "Point", "coordinates": [104500.123, 193800.988]}
    assert line == {"type": "LineString", "coordinates": [[0.0, 1.0], [2.0, 3.0]]}
    assert json.dumps(line["coordinates"][0]) == "[0.0, 1.0]"   # not -0.0
    report = make_report("nl")
    bench = next(f for f in report.findings if f.feature_id == "route-1")
    made = dataclasses.replace(bench, feature_id="made", location=point)
    held = dataclasses.replace(bench, feature_id="held",
                               location={"type": "Point", "coordinates": [1.23456, 2.5]})
    report = dataclasses.replace(report, findings=report.findings + (made, held))
    by_id = {f["feature_id"]: f for f in json.loads(render(report, "json"))["findings"]}
    assert by_id["made"]["location"] == {"coordinates": [104500.123, 193800.988],
                                         "type": "Point"}
    assert by_id["held"]["location"]["coordinates"] == [1.23456, 2.5]
    assert list(by_id["made"]["location"]) == ["coordinates", "type"]   # sorted keys


def test_no_absolute_paths(report_nl) -> None:
    text = render(report_nl, "json").decode()
    assert "/home/" not in text
    data = json.loads(text)
    assert data["plan"]["source"] == "plein.gpkg"
    assert data["warnings"][0]["file"] == "plein.gpkg"


@pytest.mark.parametrize("text, absolute, relative", [
    ("/home/jan/plans/plein.gpkg", True, "plein.gpkg"),
    ("C:\\Users\\Jan Peeters\\plein.gpkg", True, "plein.gpkg"),
    ("D:/plans/plein.gpkg", True, "plein.gpkg"),
    ("plans/plein.gpkg", False, "plans/plein.gpkg"),
    ("plans\\plein.gpkg", False, "plans/plein.gpkg"),
    ("node/123", False, "node/123"),
])
def test_paths(text: str, absolute: bool, relative: str) -> None:
    assert looks_absolute(text) is absolute
    assert relative_path(text) == relative


def test_canonical_sorts_and_converts() -> None:
    import datetime as dt

    data = canonical({"b": (1, 2.0000004), "a": {"z": dt.date(2026, 1, 2), "y": Outcome.FAIL},
                      "c": {3, 1, 2}})
    assert list(data) == ["a", "b", "c"]
    assert list(data["a"]) == ["y", "z"]
    assert data == {"a": {"y": "fail", "z": "2026-01-02"}, "b": [1, 2.0], "c": [1, 2, 3]}
    import numpy as np

    assert canonical({"n": np.int64(3), "f": np.float32(0.5), "b": np.bool_(True),
                      "a": np.array([[1.23456789, 2.0]])}) == {
        "a": [[1.234568, 2.0]], "b": True, "f": 0.5, "n": 3}


@pytest.mark.parametrize("variant", ["nl", "en", "all", "hostile", "empty"])
def test_valid_against_schema(variant, make_report, make_empty_report, check_schema) -> None:
    report = {"nl": lambda: make_report("nl"), "en": lambda: make_report("en"),
              "all": lambda: make_report("nl", list_all=True),
              "hostile": lambda: make_report("nl", hostile=True),
              "empty": lambda: make_empty_report("en")}[variant]()
    data = json.loads(render(report, "json"))
    assert check_schema(data, load_schema()) == []


def test_schema_rejects_broken_reports(report_nl, check_schema) -> None:
    schema = load_schema()
    data = json.loads(render(report_nl, "json"))
    del data["findings"][0]["rule_id"]
    data["findings"][1]["outcome"] = "maybe"
    data["verdict"]["code"] = "goed"
    data["findings"][2]["location"] = {"type": "Point", "coordinates": [1]}
    data["extra"] = 1
    rule_id = next(iter(data["rules"]))
    del data["rules"][rule_id]["advice"]
    data["rules"][rule_id]["colour"] = "red"
    errors = check_schema(data, schema)
    assert any("rule_id" in e for e in errors)
    assert any("maybe" in e for e in errors)
    assert any("goed" in e for e in errors)
    assert any("findings[2].location" in e for e in errors)
    assert any("extra" in e for e in errors)
    assert any(f"rules.{rule_id}" in e and "advice" in e for e in errors)
    assert any(f"rules.{rule_id}" in e and "colour" in e for e in errors)


def test_schema_is_valid_json_with_required_keys() -> None:
    schema = load_schema()
    assert schema["required"] == TOP_LEVEL
    assert schema["$schema"].startswith("https://json-schema.org/")


@pytest.mark.parametrize("variant", ["nl", "all", "hostile", "empty"])
def test_valid_with_jsonschema(variant, make_report, make_empty_report) -> None:
    """The same check with the reference validator, where it is installed (dev extra)."""
    jsonschema = pytest.importorskip("jsonschema")
    schema = load_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    report = {"nl": lambda: make_report("nl"), "all": lambda: make_report("nl", list_all=True),
              "hostile": lambda: make_report("nl", hostile=True),
              "empty": lambda: make_empty_report("en")}[variant]()
    validator = jsonschema.Draft202012Validator(schema)
    errors = [e.message for e in validator.iter_errors(json.loads(render(report, "json")))]
    assert errors == []
    broken = json.loads(render(report, "json"))
    broken["verdict"]["code"] = "goed"
    assert not validator.is_valid(broken)


def _random_finding(rng, pick):  # type: ignore[no-untyped-def]
    """A finding whose fields are drawn from plain and awkward values (absolute paths,
    Windows paths, text subclasses, numbers where text is expected, unhashable lists)."""
    from inclusiecheck.model import Citation, Finding, Level, Pillar

    class Text(str):
        pass

    texts = ["a", "walkway", "W-1", "/home/me/plan.gpkg", "C:\\plans\\x.gpkg", "\\\\srv\\x",
             "C:/x", "/", "é ß", "", "//double", Text("sub"), "relative\\dir\\f.gpkg"]
    odd = texts + [None, 1, 2.5, True, ["l", "/abs/p"], ("t",)]
    return Finding(
        rule_id=pick(["R-1", "R-2", "/abs/rule"]), rule_set="set", layer=pick(texts),
        feature_id=pick(texts + [None]),
        source_ref=pick([{"file": pick(texts), "layer": pick(texts), "fid": str(rng.integers(9))},
                         {"fid": "1", "file": "/data/plan.gpkg"}, {"file": "x", 2: "two"},
                         {"file": "x", "osm_id": ["unhashable"]}]),
        outcome=pick(list(Outcome)), level=Level.OBLIGATION, structural=False,
        pillar=Pillar.ACCESSIBILITY, property=pick(odd), measured=pick(odd + [float("nan")]),
        required=pick([0.1234567, -0.0001, 3, None, "code"]), unit=pick(odd),
        message=pick(texts), advice="advice", source=Citation("doc", "art"),
        location=pick([None, {"type": "Point", "coordinates": [1.0, 2.0]},
                       {"coordinates": [[0.0, 0.0], [1.0, 1.0]], "type": "LineString"},
                       {"type": "Point"}, {"type": "GeometryCollection", "geometries": [
                           {"type": "Point", "coordinates": [0.0, 0.0]}]}]),
        status=pick(["new", "existing", "/abs"]),
        missing=pick([(), ("width_m",), ("width_m", "/abs/name"), ("a", Text("b")),
                      (["unhashable"],), ("a", 1)]),
        note=pick([None, "note", "/abs/note", ""]),
        deviation=pick([None, {"justification": "j", "file": "/abs/afwijkingen.yaml"}]),
        data=pick([{}, {"clear_width_m": 1.23456789, "file": "/abs/x", "b": [1, "/abs"]},
                   {"nested": {"z": 1, "a": "/abs/y"}},
                   {"x": -0.0, 3: "an int key", "t": Text("sub")},
                   {"z": float("nan"), "n": {"b": 2.0000001, "a": None, "c": True},
                    "w": "C:\\x", "path": "rel", "inf": float("inf"), "l": (1.5, "/abs")},
                   {"nested": {"z": 1, "a": "/abs/y"}, "e": {}}]),
        regime=pick([None, "bv97", "/abs"]),
        regime_reason=pick([None, {"nl": "reden", "en": "reason"}, {"nl": "/abs", "en": "x"},
                            {"nl": ["unhashable"]}]),
        would_fail=pick([None, True, False]))


@pytest.mark.parametrize("seed", range(5))
def test_memoised_writer_gives_the_reference_finding_dicts(seed: int, report_nl) -> None:
    """report.json's lean findings (memoised per repeated value, mappings shared when
    streamed) are the findings of :func:`finding_dict` without the rule's fields, whatever
    the values, and however often a value repeats."""
    import numpy as np

    from inclusiecheck.report.json_report import _Writer

    rng = np.random.default_rng(seed)

    def pick(values):  # type: ignore[no-untyped-def]
        return values[int(rng.integers(len(values)))]

    findings = [_random_finding(rng, pick) for _ in range(400)]
    for shared in (False, True):
        writer = _Writer(report_nl, shared=shared)
        for f in findings:
            writer.rule_entry(f)
        for f in findings:
            got = writer.finding(f)
            assert writer.line(f) == json.dumps(got, ensure_ascii=False)
            expected = finding_dict(f, skip=frozenset(RULE_FIELDS) - {"rule_set"})
            expected.pop("rule_set", None)
            if any(k in got for k in RULE_FIELDS):   # (a rule field that differs: kept)
                continue
            assert json.dumps(got, allow_nan=True) == json.dumps(expected, allow_nan=True)
            assert list(got) == list(expected)
            # the line of report.json (its last fields from the writer's memo of their text)
            assert writer.line(f) == json.dumps(expected, ensure_ascii=False)


@pytest.mark.parametrize("seed", range(3))
def test_indented_head_is_what_json_dumps_writes(seed: int, report_all) -> None:
    """_indented (report.json's head) against json.dumps(indent=2) on random nested values,
    odd ones included (those go through json.dumps itself: the same text or error)."""
    import numpy as np

    from inclusiecheck.model import Level
    from inclusiecheck.report.json_report import _head, _indented, _Writer

    rng = np.random.default_rng(seed)

    class Text(str):
        pass

    leaves = [None, True, False, 0, -7, 2**70, 1.5, -0.0, 1e-7, 1e22, 0.1 + 0.2, "a", "",
              "é\\n\"q\"\t\u2028", Text("sub"), Level.OBLIGATION, float("nan"),
              float("inf")]

    def value(depth: int):  # type: ignore[no-untyped-def]
        kind = int(rng.integers(5 if depth < 4 else 1))
        if kind == 0:
            return leaves[int(rng.integers(len(leaves)))]
        n = int(rng.integers(0, 4))
        if kind == 1:
            return [value(depth + 1) for _ in range(n)]
        if kind == 2:
            return tuple(value(depth + 1) for _ in range(n))
        keys = ["k", "é", "", "a b"] + ([1, None] if rng.random() < 0.1 else [])
        return {keys[int(rng.integers(len(keys)))]: value(depth + 1) for _ in range(n)}

    for _ in range(400):
        data = value(0)
        try:
            want = json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False)
        except ValueError:
            with pytest.raises(ValueError):
                _indented(data)
            continue
        assert _indented(data) == want
    writer = _Writer(report_all)
    for finding in report_all.listed_findings():
        writer.rule_entry(finding)
    head = _head(report_all, writer)
    assert _indented(head) == json.dumps(head, ensure_ascii=False, indent=2, allow_nan=False)
