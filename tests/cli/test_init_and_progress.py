"""``inclusiecheck init`` (an empty plan GeoPackage) and ``check --progress json``."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import fiona
import yaml

from inclusiecheck.cli import sample_plan
from inclusiecheck.model.profile import (
    LAYER_GEOMETRIES,
    LAYER_MODELS,
    attribute_kind,
    attribute_names,
)
from inclusiecheck.planinit import FIELD_TYPES, attribute_description


def _cli(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "inclusiecheck", *args], capture_output=True,
                          text=True, timeout=timeout)


def test_init_writes_every_profile_layer_and_field(tmp_path: Path) -> None:
    plan = tmp_path / "ontwerp" / "plan.gpkg"
    result = _cli("init", str(plan))
    assert result.returncode == 0, result.stderr
    assert f"created {plan}" in result.stdout
    assert sorted(fiona.listlayers(plan)) == sorted(LAYER_MODELS)
    for layer in LAYER_MODELS:
        with fiona.open(plan, layer=layer) as src:
            assert src.crs.to_epsg() == 31370
            assert src.schema["geometry"] == LAYER_GEOMETRIES[layer][0]
            assert len(src) == 0
            props = src.schema["properties"]
            assert list(props) == list(attribute_names(layer))
            for name, kind in props.items():
                assert kind.split(":")[0] == FIELD_TYPES[attribute_kind(layer, name)], (layer, name)
    con = sqlite3.connect(plan)
    try:
        described = dict(((t, c), d) for t, c, d in con.execute(
            "SELECT table_name, column_name, description FROM gpkg_data_columns"))
        layer_doc = dict(con.execute("SELECT table_name, description FROM gpkg_contents"))
    finally:
        con.close()
    assert described[("walkway", "width_m")] == "number; in metres"
    assert "one of none, one_side, both_sides" in described[("ramp", "handrail")]
    # issue 14: the operator's own stop declaration (GTFS wheelchair_boarding)
    assert "one of yes, limited, no" in described[("stop", "operator_accessible")]
    assert described[("walkway", "access_path")] == attribute_description("walkway", "access_path")
    assert len(described) == sum(len(attribute_names(layer)) for layer in LAYER_MODELS)
    assert "LineString, Polygon" in layer_doc["walkway"]


def test_init_plan_yaml_is_commented_metadata_the_reader_accepts(tmp_path: Path) -> None:
    plan = tmp_path / "plan.gpkg"
    assert _cli("init", str(plan)).returncode == 0
    text = (tmp_path / "plan.yaml").read_text(encoding="utf-8")
    for key in ("work_kind", "public_building", "permit_date", "built_up_area"):
        assert f"# {key}:" in text
    assert yaml.safe_load(text) == {"crs": "EPSG:31370"}  # only the CRS is set
    # the keys of issue 14: complete layers, OSM data beside the design, CAD drawings
    for key in ("complete_layers", "osm", "dxf", "origin"):
        assert f"# {key}:" in text
    uncommented = yaml.safe_load(text.replace("# complete_layers:", "complete_layers:"))
    from inclusiecheck.model import PlanMeta

    assert PlanMeta.model_validate(uncommented).complete_layers == ["present", "toilet"]
    # a second plan in the same folder gets its own <stem>.plan.yaml; nothing is overwritten
    assert _cli("init", str(tmp_path / "variant.gpkg")).returncode == 0
    assert (tmp_path / "variant.plan.yaml").is_file()
    again = _cli("init", str(plan))
    assert again.returncode == 2
    assert again.stderr.count("\n") == 1 and "already exists" in again.stderr
    wrong = _cli("init", str(tmp_path / "plan.geojson"))
    assert wrong.returncode == 2 and ".gpkg" in wrong.stderr


def test_init_plan_accepts_drawn_features(tmp_path: Path) -> None:
    """A plan made with init, with a walkway drawn into it, is checked like any plan."""
    plan = tmp_path / "plan.gpkg"
    assert _cli("init", str(plan)).returncode == 0
    with fiona.open(plan, "a", layer="walkway") as sink:
        props = dict.fromkeys(sink.schema["properties"])
        props.update({"id": "voetpad-1", "width_m": 1.2, "kind": "sidewalk"})
        sink.write({"geometry": {"type": "LineString",
                                 "coordinates": [(157000.0, 190000.0), (157030.0, 190000.0)]},
                    "properties": props})
    out = tmp_path / "out"
    result = _cli("check", str(plan), "-o", str(out), "-f", "json", "-q", "--fail-on", "never")
    assert result.returncode == 0, result.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert any(f["feature_id"] == "voetpad-1" and f["layer"] == "walkway" for f in report["findings"])
    assert not any(w.get("code") == "unknown_layer" for w in report.get("warnings", []))


def test_progress_json_lines(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = _cli("check", str(sample_plan()), "-o", str(out), "-f", "json,gpkg", "-q",
                  "--progress", "json", "--fail-on", "never")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    assert [line["stage"] for line in lines] == ["read", "evaluate", "write", "write",
                                                 "written", "done"]
    percents = [line["percent"] for line in lines]
    assert percents == sorted(percents) and percents[0] == 0 and percents[-1] == 100
    assert lines[1]["features"] > 0
    assert lines[2]["path"] == str(out / "report.json")
    assert lines[-1] == {"event": "done", "stage": "done", "percent": 100.0,
                         "message": "finished", "exit_code": 0, "verdict": "ongunstig"}
    assert result.stdout.split() == [str(out / "report.json"), str(out / "findings.gpkg")]


def test_progress_json_in_a_batch_and_on_bad_input(tmp_path: Path) -> None:
    result = _cli("check", str(sample_plan()), str(tmp_path / "missing.gpkg"), "-o",
                  str(tmp_path / "out"), "-f", "json", "-q", "--progress", "json")
    lines = [line for line in result.stderr.splitlines() if line.startswith("{")]
    events = [json.loads(line) for line in lines]
    assert {e.get("plans") for e in events if e["event"] == "progress"} == {2}
    assert events[-1]["event"] == "done" and events[-1]["exit_code"] == 2
    errors = [line for line in result.stderr.splitlines() if not line.startswith("{")]
    assert len(errors) == 1 and "missing.gpkg" in errors[0]
    single = _cli("check", str(tmp_path / "missing.gpkg"), "-o", str(tmp_path / "o2"),
                  "--progress", "json")
    assert single.returncode == 2
    assert single.stderr.splitlines()[-1].startswith("inclusiecheck: error:")
