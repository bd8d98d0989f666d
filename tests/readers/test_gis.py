"""Tests of the GIS reader: GeoPackage, GeoJSON, Shapefile and folders, CRS handling, repairs."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import fiona
import pyproj
import pytest
import shapely
from fiona.crs import CRS

from inclusiecheck.model import InputError
from inclusiecheck.readers import ReadOptions, find_reader, read_plan
from inclusiecheck.readers.gis import (
    cached_transformer,
    crs_name,
    is_metric_projected,
    load_plan_metadata,
    local_metric_crs,
    parse_crs,
    read_gis,
    repair_geometry,
    shapefile_encoding,
)

# ------------------------------------------------------------------------------------------
# fixture writers


def write_layer(path: Path, geometry: str, properties: dict[str, str],
                records: list[tuple[dict[str, Any] | None, dict[str, Any]]], *,
                driver: str = "GPKG", layer: str | None = None, crs: int | None = 31370,
                encoding: str | None = None) -> None:
    """Write one layer with fiona (``records`` are (geometry, properties) pairs)."""
    kwargs: dict[str, Any] = {"driver": driver,
                              "schema": {"geometry": geometry, "properties": properties}}
    if crs is not None:
        kwargs["crs"] = CRS.from_epsg(crs)
    if layer is not None:
        kwargs["layer"] = layer
    if encoding is not None:
        kwargs["encoding"] = encoding
    with fiona.open(path, "w", **kwargs) as sink:
        for geom, props in records:
            sink.write({"geometry": geom, "properties": props})


def feature(geometry: dict[str, Any] | None, **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def point(x: float, y: float, *z: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [x, y, *z]}


def line(*coords: tuple[float, ...]) -> dict[str, Any]:
    return {"type": "LineString", "coordinates": [list(c) for c in coords]}


def write_geojson(path: Path, features: list[dict[str, Any]], crs: int | None = None) -> None:
    data: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    if crs is not None:
        data["crs"] = {"type": "name",
                       "properties": {"name": f"urn:ogc:def:crs:EPSG::{crs}"}}
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")


@pytest.fixture()
def gpkg(tmp_path: Path) -> Path:
    """A GeoPackage with three layers in Belgian Lambert 72."""
    path = tmp_path / "plan.gpkg"
    write_layer(path, "LineString", {"width_m": "str", "surface": "str"}, [
        (line((150000, 200000, 10.0), (150010, 200000, 10.5)), {"width_m": "1,50",
                                                                  "surface": "asphalt"}),
        (line((150000, 200010), (150000, 200020)), {"width_m": "2", "surface": None}),
    ], layer="walkway")
    write_layer(path, "Point", {"kerb_height_cm": "float"}, [
        (point(150005, 200000), {"kerb_height_cm": 3.0}),
    ], layer="crossing")
    write_layer(path, "Polygon", {"public": "str"}, [
        ({"type": "Polygon", "coordinates": [[[150020, 200020], [150030, 200020],
                                              [150030, 200030], [150020, 200020]]]},
         {"public": "ja"}),
    ], layer="building")
    return path


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.iterdir()) if p.is_file()}


# ------------------------------------------------------------------------------------------
# formats


def test_geopackage_reads_every_layer(gpkg: Path) -> None:
    plan = read_gis(gpkg, ReadOptions())
    assert plan.crs == "EPSG:31370"
    assert [f.layer for f in plan.features] == ["walkway", "walkway", "crossing", "building"]
    walkway = plan.features[0]
    assert walkway.properties == {"width_m": "1,50", "surface": "asphalt"}  # kept raw
    assert walkway.source.as_dict() == {"file": "plan.gpkg", "layer": "walkway", "fid": "1"}
    assert plan.features[1].source.fid == "2"
    assert plan.features[2].properties == {"kerb_height_cm": 3.0}
    assert plan.features[3].geometry.geom_type == "Polygon"
    assert plan.warnings == []
    assert plan.mapping is None
    assert plan.metadata == {}


def test_transformers_are_made_once_per_pair_of_crss(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Making a transformer looks its operations up in PROJ's database (some 15 ms): the
    reader makes one per pair of CRSs, not one per layer (each layer's place is checked
    against its CRS's area of use), and the same plan read again makes none; the plan read
    is the same."""
    for n, name in enumerate(("walkway", "crossing", "bench")):
        write_geojson(tmp_path / f"{name}.geojson",
                      [feature(point(150000 + n, 200000 + n), id=f"{name}-1")], crs=31370)
    made: list[tuple[str, str]] = []
    real = pyproj.Transformer.from_crs

    def from_crs(source: Any, target: Any, **kwargs: Any) -> pyproj.Transformer:
        made.append((str(source), str(target)))
        return real(source, target, **kwargs)

    cached_transformer.cache_clear()
    before = read_gis(tmp_path, ReadOptions())
    monkeypatch.setattr(pyproj.Transformer, "from_crs", from_crs)
    cached_transformer.cache_clear()
    first = read_gis(tmp_path, ReadOptions())
    # three layers, each checked against the area of use of EPSG:31370: one transformer
    assert len(made) == 1, made
    again = read_gis(tmp_path, ReadOptions())
    assert len(made) == 1, made
    for plan in (first, again):
        assert [(f.layer, f.geometry.wkb) for f in plan.features] == \
            [(f.layer, f.geometry.wkb) for f in before.features]
    # the transformer is the one pyproj makes
    lambert = pyproj.CRS.from_epsg(31370)
    assert cached_transformer(lambert).transform(150000, 200000) == \
        real(lambert, "EPSG:4326", always_xy=True).transform(150000, 200000)


def test_3d_line_keeps_z(gpkg: Path) -> None:
    plan = read_gis(gpkg, ReadOptions())
    coords = shapely.get_coordinates(plan.features[0].geometry, include_z=True)
    assert coords.tolist() == [[150000, 200000, 10.0], [150010, 200000, 10.5]]
    assert not plan.features[1].geometry.has_z


def test_folder_of_geojson(tmp_path: Path) -> None:
    folder = tmp_path / "plan"
    folder.mkdir()
    write_geojson(folder / "looppad.geojson",
                  [feature(line((150000, 200000), (150010, 200000)), breedte="1,2")], crs=31370)
    write_geojson(folder / "bank.json", [feature(point(150001, 200001), rugleuning="ja"),
                                         feature(point(150002, 200001), rugleuning="nee")],
                  crs=31370)
    (folder / "plan.yaml").write_text("project: Marktplein\ndossier: OMV_2024_1\n",
                                      encoding="utf-8")
    (folder / "notes.txt").write_text("not a layer", encoding="utf-8")
    (folder / "broken.geojson").write_text('{"type": "FeatureCollection",\n "features": [}',
                                           encoding="utf-8")
    plan = read_plan(folder)
    assert find_reader(folder).name == "gis"
    assert sorted({f.layer for f in plan.features}) == ["bank", "looppad"]
    assert plan.metadata == {"project": "Marktplein", "dossier": "OMV_2024_1"}
    bank = [f for f in plan.features if f.layer == "bank"]
    assert [f.source.as_dict() for f in bank] == [
        {"file": "bank.json", "layer": "bank", "fid": "0"},
        {"file": "bank.json", "layer": "bank", "fid": "1"}]
    codes = [(w.code, w.file) for w in plan.warnings]
    assert codes == [("file_unreadable", "broken.geojson")]
    assert "line 2" in plan.warnings[0].message


def test_folder_without_vector_files(tmp_path: Path) -> None:
    (tmp_path / "plan.yaml").write_text("project: x\n", encoding="utf-8")
    with pytest.raises(InputError, match="no readable"):
        read_gis(tmp_path, ReadOptions())


def test_single_geojson_layer_property(tmp_path: Path) -> None:
    path = tmp_path / "ontwerp.geojson"
    write_geojson(path, [
        feature(point(150000, 200000), layer="light", mounting_height_m=6),
        feature(line((150000, 200000), (150005, 200000)), layer="walkway", width_m="1,8"),
        feature(point(150001, 200000), name="zonder laag"),
    ], crs=31370)
    plan = read_gis(path, ReadOptions())
    assert [f.layer for f in plan.features] == ["light", "walkway", "ontwerp"]
    assert plan.features[0].properties == {"mounting_height_m": 6}  # 'layer' consumed
    assert plan.features[1].properties == {"width_m": "1,8"}
    assert [f.source.fid for f in plan.features] == ["0", "1", "2"]
    assert all(f.source.file == "ontwerp.geojson" for f in plan.features)


def test_geojson_without_layer_property_uses_stem(tmp_path: Path) -> None:
    path = tmp_path / "walkway.geojson"
    write_geojson(path, [feature(line((4.35, 50.85), (4.351, 50.85)), width_m=2)])
    plan = read_gis(path, ReadOptions())
    assert [f.layer for f in plan.features] == ["walkway"]


def test_geojson_mixed_property_types_stay_raw(tmp_path: Path) -> None:
    # GDAL would coerce these into one field type; the reader keeps them as written
    path = tmp_path / "walkway.geojson"
    write_geojson(path, [feature(point(150000, 200000), width_m=1),
                         feature(point(150001, 200000), width_m="1,5"),
                         feature(point(150002, 200000), width_m=None, extra={"a": [1]})],
                  crs=31370)
    plan = read_gis(path, ReadOptions())
    assert [f.properties.get("width_m") for f in plan.features] == [1, "1,5", None]
    assert plan.features[2].properties["extra"] == {"a": [1]}


def test_geojson_feature_id_member(tmp_path: Path) -> None:
    path = tmp_path / "bench.geojson"
    data = feature(point(150000, 200000))
    data["id"] = "B-17"
    write_geojson(path, [data], crs=31370)
    assert read_gis(path, ReadOptions()).features[0].source.fid == "B-17"


def test_shapefile_with_cpg_encoding(tmp_path: Path) -> None:
    path = tmp_path / "crossing.shp"
    write_layer(path, "Point", {"name": "str", "kerb_height_cm": "float"},
                [(point(150000, 200000), {"name": "Café Passage", "kerb_height_cm": 2.5})],
                driver="ESRI Shapefile", encoding="cp1252")
    assert path.with_suffix(".cpg").read_text(encoding="ascii").strip().upper() in (
        "CP1252", "1252")
    assert b"Caf\xe9" in path.with_suffix(".dbf").read_bytes()  # really cp1252 on disk
    assert shapefile_encoding(path) == "cp1252"
    plan = read_gis(path, ReadOptions())
    assert plan.features[0].properties["name"] == "Café Passage"
    assert plan.features[0].layer == "crossing"
    assert plan.features[0].source.as_dict() == {"file": "crossing.shp", "layer": "crossing",
                                                 "fid": "0"}
    assert plan.mapping == "shapefile"
    # read_plan applies the recommended profile: the cut name becomes the profile name
    mapped = read_plan(path)
    assert mapped.features[0].properties == {"name": "Café Passage", "kerb_height_cm": 2.5}


def test_shapefile_cpg_written_by_hand(tmp_path: Path) -> None:
    path = tmp_path / "bench.shp"
    write_layer(path, "Point", {"naam": "str"}, [(point(1, 2), {"naam": "Eén"})],
                driver="ESRI Shapefile", encoding="cp1252")
    path.with_suffix(".cpg").write_text("ANSI 1252", encoding="ascii")
    assert shapefile_encoding(path) == "cp1252"
    assert read_gis(path, ReadOptions()).features[0].properties == {"naam": "Eén"}


def test_shapefile_long_field_names_truncated_and_mapped(tmp_path: Path) -> None:
    path = tmp_path / "entrance.shp"
    write_layer(path, "Point", {"handle_side_clearance_cm": "float", "door_width_cm": "float"},
                [(point(1, 2), {"handle_side_clearance_cm": 50.0, "door_width_cm": 95.0})],
                driver="ESRI Shapefile")
    raw = read_gis(path, ReadOptions())
    assert set(raw.features[0].properties) == {"handle_sid", "door_width"}
    plan = read_plan(path)
    assert plan.features[0].properties == {"handle_side_clearance_cm": 50.0,
                                           "door_width_cm": 95.0}


def test_shapefile_without_prj_needs_crs(tmp_path: Path) -> None:
    path = tmp_path / "light.shp"
    write_layer(path, "Point", {"a": "int"}, [(point(150000, 200000), {"a": 1})],
                driver="ESRI Shapefile", crs=None)
    assert not path.with_suffix(".prj").exists()
    with pytest.raises(InputError, match=r"light\.shp: no CRS; give one with --crs"):
        read_gis(path, ReadOptions())
    plan = read_gis(path, ReadOptions(crs="31370"))
    assert plan.crs == "EPSG:31370"
    assert plan.features[0].geometry.coords[0] == (150000, 200000)


def test_geopackage_layer_without_crs(tmp_path: Path) -> None:
    path = tmp_path / "plan.gpkg"
    write_layer(path, "Point", {"a": "int"}, [(point(150000, 200000), {"a": 1})],
                layer="light", crs=None)
    with pytest.raises(InputError, match="no CRS"):
        read_gis(path, ReadOptions())
    assert read_gis(path, ReadOptions(crs="EPSG:31370")).crs == "EPSG:31370"


# ------------------------------------------------------------------------------------------
# CRS


def test_wgs84_geojson_in_belgium_goes_to_lambert_2008(tmp_path: Path) -> None:
    path = tmp_path / "walkway.geojson"
    write_geojson(path, [feature(line((4.3517, 50.8467, 13.0), (4.3527, 50.8467, 14.0)))])
    plan = read_gis(path, ReadOptions())
    assert plan.crs == "EPSG:3812"
    expected = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:3812", always_xy=True)
    x, y = expected.transform(4.3517, 50.8467)
    coords = shapely.get_coordinates(plan.features[0].geometry, include_z=True)
    assert coords[0] == pytest.approx([x, y, 13.0])
    assert coords[1, 2] == 14.0  # Z survives the reprojection
    assert plan.features[0].geometry.length == pytest.approx(70.3, abs=0.5)  # 0.001° lon
    assert [w.code for w in plan.warnings] == ["crs_reprojected"]


def test_wgs84_geojson_in_finland_goes_to_utm_35n(tmp_path: Path) -> None:
    path = tmp_path / "bench.geojson"
    write_geojson(path, [feature(point(24.9384, 60.1699))])
    plan = read_gis(path, ReadOptions())
    assert plan.crs == "EPSG:32635"
    x, y = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:32635", always_xy=True).transform(
        24.9384, 60.1699)
    assert plan.features[0].geometry.coords[0] == pytest.approx((x, y))


def test_local_metric_crs() -> None:
    assert crs_name(local_metric_crs((4.3, 50.8, 4.4, 50.9))) == "EPSG:3812"
    assert crs_name(local_metric_crs((-74.0, 40.7, -73.9, 40.8))) == "EPSG:32618"
    assert crs_name(local_metric_crs((151.2, -33.9, 151.3, -33.8))) == "EPSG:32756"
    # straddling the Dutch border: not inside Belgium -> UTM 31N
    assert crs_name(local_metric_crs((4.3, 51.4, 4.4, 51.6))) == "EPSG:32631"


def test_lambert_geojson_without_crs_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "walkway.geojson"
    write_geojson(path, [feature(line((150000, 200000), (150010, 200000)))])
    with pytest.raises(InputError, match="look projected.*--crs"):
        read_gis(path, ReadOptions())


@pytest.mark.parametrize("given", ["31370", "EPSG:31370", "epsg:31370", " 31370 "])
def test_crs_option_wins_for_geojson_without_crs(tmp_path: Path, given: str) -> None:
    path = tmp_path / "walkway.geojson"
    write_geojson(path, [feature(line((150000, 200000), (150010, 200000)))])
    plan = read_gis(path, ReadOptions(crs=given))
    assert plan.crs == "EPSG:31370"
    assert list(plan.features[0].geometry.coords) == [(150000, 200000), (150010, 200000)]
    assert plan.warnings == []


def test_crs_option_does_not_override_a_declared_crs(tmp_path: Path) -> None:
    path = tmp_path / "walkway.geojson"
    write_geojson(path, [feature(point(700000, 650000))], crs=3812)
    assert read_gis(path, ReadOptions(crs="31370")).crs == "EPSG:3812"


def test_crs_from_plan_yaml(tmp_path: Path) -> None:
    path = tmp_path / "walkway.geojson"
    write_geojson(path, [feature(point(150000, 200000))])
    (tmp_path / "walkway.plan.yaml").write_text("crs: 31370\n", encoding="utf-8")
    plan = read_gis(path, ReadOptions())
    assert plan.crs == "EPSG:31370"
    assert plan.metadata == {"crs": 31370}


@pytest.mark.parametrize("given", ["EPSG:999999", "lambert", "12345678"])
def test_unknown_crs(tmp_path: Path, given: str) -> None:
    path = tmp_path / "walkway.geojson"
    write_geojson(path, [feature(point(150000, 200000))])
    with pytest.raises(InputError, match="unknown CRS"):
        read_gis(path, ReadOptions(crs=given))


def test_unknown_crs_member(tmp_path: Path) -> None:
    path = tmp_path / "walkway.geojson"
    data = {"type": "FeatureCollection", "crs": {"type": "name",
                                                 "properties": {"name": "EPSG:999999"}},
            "features": [feature(point(1, 2))]}
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputError, match="unknown CRS"):
        read_gis(path, ReadOptions())


def test_mixed_crs_layers_go_to_the_most_common(tmp_path: Path) -> None:
    folder = tmp_path / "plan"
    folder.mkdir()
    write_geojson(folder / "a.geojson", [feature(point(150000, 200000))], crs=31370)
    write_geojson(folder / "b.geojson", [feature(point(150100, 200000))], crs=31370)
    write_geojson(folder / "c.geojson", [feature(point(650000, 670000, 5.0))], crs=3812)
    write_geojson(folder / "d.geojson", [feature(point(4.35, 50.85))])  # WGS 84
    plan = read_gis(folder, ReadOptions())
    assert plan.crs == "EPSG:31370"
    c = next(f for f in plan.features if f.layer == "c")
    x, y = pyproj.Transformer.from_crs(3812, 31370, always_xy=True).transform(650000, 670000)
    assert shapely.get_coordinates(c.geometry, include_z=True)[0] == pytest.approx([x, y, 5.0])
    a = next(f for f in plan.features if f.layer == "a")
    assert a.geometry.coords[0] == (150000, 200000)
    reprojected = [w for w in plan.warnings if w.code == "crs_reprojected"]
    assert len(reprojected) == 2
    assert {w.file for w in reprojected} == {"c.geojson", "d.geojson"}
    assert all("EPSG:31370" in w.message for w in reprojected)


def test_non_metric_projected_crs_is_reprojected(tmp_path: Path) -> None:
    path = tmp_path / "walkway.geojson"  # New York state plane, US feet
    write_geojson(path, [feature(line((987000, 200000), (987100, 200000)))], crs=2263)
    plan = read_gis(path, ReadOptions())
    assert plan.crs == "EPSG:32618"
    assert plan.features[0].geometry.length == pytest.approx(100 * 0.3048006, rel=1e-3)


def test_crs_helpers() -> None:
    assert crs_name(parse_crs("31370")) == "EPSG:31370"
    assert crs_name(parse_crs(3812)) == "EPSG:3812"
    assert is_metric_projected(parse_crs("31370"))
    assert not is_metric_projected(parse_crs("4326"))
    assert not is_metric_projected(parse_crs("2263"))
    assert is_metric_projected(parse_crs("EPSG:31370+5710"))  # compound with heights


# ------------------------------------------------------------------------------------------
# geometry


def test_bowtie_polygon_is_repaired(tmp_path: Path) -> None:
    path = tmp_path / "area.geojson"
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]]}
    write_geojson(path, [feature(bowtie, kind="square")], crs=31370)
    plan = read_gis(path, ReadOptions())
    geom = plan.features[0].geometry
    assert geom.geom_type == "MultiPolygon"
    assert geom.is_valid
    assert geom.area == pytest.approx(2.0)  # two triangles of 1 m²
    assert [(w.code, w.feature_id) for w in plan.warnings] == [("geometry_repaired", "0")]


def test_repair_keeps_dimension() -> None:
    # a polygon with a dangling spike: make_valid gives polygon + line; only the polygon stays
    spike = shapely.from_wkt("POLYGON ((0 0, 4 0, 4 4, 0 4, 0 0, -2 -2, 0 0))")
    fixed = repair_geometry(spike)
    assert fixed is not None and fixed.geom_type == "Polygon"
    assert fixed.area == pytest.approx(16.0)
    # a polygon with zero area collapses to a line: cannot be repaired as a polygon
    assert repair_geometry(shapely.from_wkt("POLYGON ((0 0, 1 1, 2 2, 0 0))")) is None
    # Z is kept on the original vertices
    bowtie = shapely.from_wkt("POLYGON Z ((0 0 1, 2 2 2, 2 0 3, 0 2 4, 0 0 1))")
    assert repair_geometry(bowtie).has_z


def test_empty_null_and_degenerate_geometries_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "walkway.geojson"
    write_geojson(path, [
        feature(None, name="no geometry"),
        feature({"type": "LineString", "coordinates": []}, name="empty"),
        feature({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [2, 2], [0, 0]]]},
                name="flat"),
        feature({"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]}, name="malformed"),
        feature(line((0, 0), (3, 4)), name="fine"),
    ], crs=31370)
    plan = read_gis(path, ReadOptions())
    assert [f.properties["name"] for f in plan.features] == ["fine"]
    assert plan.features[0].source.fid == "4"
    skipped = [(w.code, w.feature_id) for w in plan.warnings]
    assert skipped == [("geometry_skipped", "0"), ("geometry_skipped", "1"),
                       ("geometry_skipped", "3"), ("geometry_skipped", "2")]
    assert all(w.layer == "walkway" and w.file == "walkway.geojson" for w in plan.warnings)


# ------------------------------------------------------------------------------------------
# errors and safety


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_gis(tmp_path / "nope.gpkg", ReadOptions())


def test_text_file_renamed_gpkg(tmp_path: Path) -> None:
    path = tmp_path / "plan.gpkg"
    path.write_text("this is not a GeoPackage\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"plan\.gpkg: not a GeoPackage"):
        read_plan(path)


def test_truncated_gpkg(gpkg: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.gpkg"
    data = gpkg.read_bytes()
    broken.write_bytes(data[: len(data) // 3])
    with pytest.raises(InputError) as info:
        read_gis(broken, ReadOptions())
    message = str(info.value)
    assert message.startswith("broken.gpkg: ") and "\n" not in message


def test_invalid_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "walkway.geojson"
    path.write_text('{\n  "type": "FeatureCollection",\n  "features": [,]\n}\n',
                    encoding="utf-8")
    with pytest.raises(InputError, match=r"walkway\.geojson: invalid JSON at line 3"):
        read_gis(path, ReadOptions())


def test_json_that_is_not_geojson(tmp_path: Path) -> None:
    path = tmp_path / "data.json"
    path.write_text('[1, 2, 3]', encoding="utf-8")
    with pytest.raises(InputError, match="not GeoJSON"):
        read_gis(path, ReadOptions())


def test_unreadable_shapefile(tmp_path: Path) -> None:
    path = tmp_path / "walkway.shp"
    path.write_bytes(b"\x00" * 50)
    with pytest.raises(InputError, match=r"walkway\.shp: cannot read"):
        read_gis(path, ReadOptions())


def test_invalid_plan_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "walkway.geojson"
    write_geojson(path, [feature(point(150000, 200000))], crs=31370)
    (tmp_path / "plan.yaml").write_text("project: a\ndossier: [b\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"plan\.yaml: invalid YAML at line 3"):
        read_gis(path, ReadOptions())


def test_plan_yaml_must_be_a_mapping(tmp_path: Path) -> None:
    (tmp_path / "plan.yaml").write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(InputError, match="expected keys"):
        load_plan_metadata(tmp_path)


def test_stem_plan_yaml_wins_over_plan_yaml(tmp_path: Path) -> None:
    path = tmp_path / "walkway.geojson"
    write_geojson(path, [feature(point(150000, 200000))], crs=31370)
    (tmp_path / "plan.yaml").write_text("project: shared\n", encoding="utf-8")
    (tmp_path / "walkway.plan.yaml").write_text("project: own\npermit_date: 2024-05-01\n",
                                                encoding="utf-8")
    metadata = read_gis(path, ReadOptions()).metadata
    assert metadata["project"] == "own"
    assert str(metadata["permit_date"]) == "2024-05-01"


def test_inputs_are_not_modified(gpkg: Path, tmp_path: Path) -> None:
    folder = tmp_path / "shp"
    folder.mkdir()
    write_layer(folder / "walkway.shp", "LineString", {"breedte": "str"},
                [(line((0, 0), (1, 1)), {"breedte": "1,5"})], driver="ESRI Shapefile",
                encoding="cp1252")
    write_geojson(folder / "bench.geojson", [feature(point(0.5, 0.5))], crs=31370)
    (folder / "plan.yaml").write_text("project: x\n", encoding="utf-8")
    old = 1_600_000_000_000_000_000
    for path in [*folder.iterdir(), gpkg]:
        os.utime(path, ns=(old, old))
    before_folder, before_root = snapshot(folder), snapshot(tmp_path)
    read_plan(folder)
    read_plan(gpkg)
    read_plan(folder / "walkway.shp")
    assert snapshot(folder) == before_folder
    assert snapshot(tmp_path) == before_root  # no -wal/-shm or other side files either
