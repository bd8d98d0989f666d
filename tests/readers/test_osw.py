"""OpenSidewalks (OSW 0.2) through the shipped osw tag mapping (--mapping osw, or detected)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from inclusiecheck.api import check
from inclusiecheck.readers import read_plan

LON0, LAT0 = 3.7250, 51.0540  # Gent


def _feature(geometry: dict, **props: object) -> dict:
    return {"type": "Feature", "geometry": geometry, "properties": props}


def _line(*xy: tuple[float, float]) -> dict:
    return {"type": "LineString",
            "coordinates": [[LON0 + x * 1e-5, LAT0 + y * 1e-5] for x, y in xy]}


def _point(x: float, y: float) -> dict:
    return {"type": "Point", "coordinates": [LON0 + x * 1e-5, LAT0 + y * 1e-5]}


def _write(path: Path, features: list[dict]) -> None:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}),
                    encoding="utf-8")


def osw_dataset(folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    _write(folder / "gent.edges.geojson", [
        _feature(_line((0, 0), (300, 0)), _id="e1", _u_id="n1", _v_id="n2",
                 highway="footway", footway="sidewalk", incline=0.1, width=1.8,
                 surface="paving_stones"),
        _feature(_line((0, 20), (300, 20)), _id="e2", _u_id="n3", _v_id="n4",
                 highway="footway", footway="sidewalk", incline=-0.1, width=1.8),
        _feature(_line((0, 40), (300, 40)), _id="e3", _u_id="n5", _v_id="n6",
                 highway="footway", footway="sidewalk", incline=0.02, width=1.8),
        _feature(_line((310, 0), (310, 20)), _id="e4", _u_id="n7", _v_id="n8",
                 highway="footway", footway="crossing", **{"crossing:markings": "zebra"}),
        _feature(_line((320, 0), (320, 10)), _id="e5", _u_id="n9", _v_id="n10",
                 highway="steps", step_count=6, climb="up"),
    ])
    _write(folder / "gent.nodes.geojson", [
        _feature(_point(310, 0), _id="n7", barrier="kerb", kerb="flush", tactile_paving="yes"),
    ])
    _write(folder / "gent.points.geojson", [
        _feature(_point(100, 2), _id="p1", amenity="bench", backrest="yes"),
        _feature(_point(150, 2), _id="p2", highway="street_lamp"),
    ])
    ring = [[LON0 + x * 1e-5, LAT0 + y * 1e-5] for x, y in
            ((0, 60), (40, 60), (40, 90), (0, 90), (0, 60))]
    _write(folder / "gent.zones.geojson", [
        _feature({"type": "Polygon", "coordinates": [ring]}, _id="z1", highway="pedestrian",
                 surface="sett"),
    ])
    return folder


def test_osw_dataset_folder_is_read_with_signed_inclines(tmp_path: Path) -> None:
    plan = read_plan(osw_dataset(tmp_path / "osw"))
    by_id = {(f.layer, f.source.fid): f.properties for f in plan.features}
    assert by_id[("walkway", "e1")]["slope_pct"] == pytest.approx(10.0)
    assert by_id[("walkway", "e2")]["slope_pct"] == pytest.approx(-10.0)  # sign kept
    assert by_id[("walkway", "e1")]["kind"] == "sidewalk"
    assert by_id[("walkway", "e1")]["width_m"] == pytest.approx(1.8)
    assert ("crossing", "e4") in by_id and ("stairs", "e5") in by_id
    assert by_id[("stairs", "e5")]["steps"] == 6
    assert by_id[("level_change", "n7")]["height_cm"] == 0
    assert by_id[("bench", "p1")]["backrest"] is True
    assert ("light", "p2") in by_id
    assert by_id[("walkway", "z1")]["kind"] == "square_surface"  # a pedestrian zone
    assert by_id[("walkway", "z1")]["surface"] == "sett"
    assert plan.metadata["data_source"] == "osw"
    assert "OpenSidewalks" in plan.metadata["data_attribution"]


def test_mapping_osw_on_a_single_file(tmp_path: Path) -> None:
    folder = osw_dataset(tmp_path / "osw")
    single = tmp_path / "trottoirs.geojson"
    data = json.loads((folder / "gent.edges.geojson").read_text(encoding="utf-8"))
    for feature in data["features"]:  # no OSW markers left: only --mapping osw says so
        for key in ("_u_id", "_v_id"):
            feature["properties"].pop(key)
    single.write_text(json.dumps(data), encoding="utf-8")
    osm = {f.source.fid: f.properties.get("slope_pct") for f in read_plan(single).features
           if f.layer == "walkway"}
    osw = {f.source.fid: f.properties.get("slope_pct")
           for f in read_plan(single, mapping="osw").features if f.layer == "walkway"}
    assert osm["e1"] == pytest.approx(0.1)  # read as OSM: 0.1 %
    assert osw["e1"] == pytest.approx(10.0)  # read as OSW: rise over run


def test_descending_edge_judged_by_the_size_of_its_incline(tmp_path: Path) -> None:
    report = check(osw_dataset(tmp_path / "osw"), rules=["publiek-domein"])
    pd04 = {f.feature_id: f.outcome.value for f in report.findings if f.rule_id == "PD-04"}
    assert pd04.get("e1") == pd04.get("e2") == "fail"
    assert "e3" not in pd04 or pd04["e3"] == "pass"
    assert report.summary["completeness"]["complete"] == []
