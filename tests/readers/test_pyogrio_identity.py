"""Reading a GeoPackage through pyogrio (the ``fast`` extra) gives the very site model that
fiona gives: every feature's layer, id, attributes with their types, geometry (WKB), source
reference, and every warning. Layers pyogrio would read differently go through fiona."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import fiona
import pytest
import shapely
from fiona.crs import CRS
from shapely.geometry import mapping

from inclusiecheck.model.normalise import normalise
from inclusiecheck.readers import ReadOptions, read_plan
from inclusiecheck.readers import gis

pytest.importorskip("pyogrio")
pytest.importorskip("pyarrow")

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path("/work/shared/data")


def _typed(values: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(k, type(v).__name__, repr(v)) for k, v in values.items()]


def snapshot(path: Path, engine: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Everything a later stage can see of a read + normalised plan."""
    monkeypatch.setenv("INCLUSIECHECK_VECTOR_ENGINE", engine)
    raw = read_plan(path, ReadOptions())
    model = normalise(raw)
    return {
        "raw": [(r.layer, r.source, _typed(r.properties),
                 None if r.geometry is None else shapely.to_wkb(r.geometry))
                for r in raw.features],
        "raw_warnings": list(raw.warnings),
        "crs": (raw.crs, model.crs, raw.mapping, raw.metadata),
        "features": [(f.layer, f.id, f.status, _typed(f.attrs), _typed(f.extra), f.source,
                      shapely.to_wkb(f.geometry))
                     for layer in model.layers for f in model.features(layer)],
        "warnings": list(model.warnings),
    }


def assert_identical(path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    slow = snapshot(path, "fiona", monkeypatch)
    fast = snapshot(path, "pyogrio", monkeypatch)
    for key in slow:
        assert fast[key] == slow[key], key
    return fast


def count_fiona_layers(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the layers that the fiona path reads (the rest came through pyogrio)."""
    read: list[str] = []
    real = gis._read_fiona_layer

    def spy(file: Path, rel: str, source_layer: str | None, label: str, **kw: Any) -> Any:
        read.append(label)
        return real(file, rel, source_layer, label, **kw)

    monkeypatch.setattr(gis, "_read_fiona_layer", spy)
    return read


# -- fixtures ---------------------------------------------------------------------------------
def _field_type(values: list[Any]) -> str:
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        return "bool"
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return "int"
    if present and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                       for v in present):
        return "float"
    return "str"


def _as_field(value: Any, kind: str) -> Any:
    if value is None or kind != "str":
        return value
    return value if isinstance(value, str) else json.dumps(value)


def sample_as_geopackage(folder: Path) -> Path:
    """The marktplein sample (GeoJSON) written as one GeoPackage, a layer per file, with the
    field types its values have."""
    raw = read_plan(ROOT / "samples" / "marktplein", ReadOptions())
    path = folder / "marktplein.gpkg"
    by_layer: dict[str, list[Any]] = {}
    for r in raw.features:
        by_layer.setdefault(r.layer, []).append(r)
    for layer, items in by_layer.items():
        keys = list(dict.fromkeys(k for r in items for k in r.properties))
        kinds = {k: _field_type([r.properties.get(k) for r in items]) for k in keys}
        schema = {"geometry": "Unknown", "properties": kinds}
        with fiona.open(path, "w", driver="GPKG", layer=layer, schema=schema,
                        crs=CRS.from_user_input(raw.crs)) as sink:
            for r in items:
                sink.write({"geometry": mapping(r.geometry), "properties": {
                    k: _as_field(r.properties.get(k), kinds[k]) for k in keys}})
    shutil.copy(ROOT / "samples" / "marktplein" / "plan.yaml", folder / "plan.yaml")
    return path


def edge_cases(folder: Path) -> Path:
    """Nulls of every field type, big and negative integers, text with accents and control
    characters, 3D and multi geometries, a bow-tie polygon (repaired), a missing geometry,
    absurd coordinates, a layer in WGS 84 (reprojected), and layers pyogrio must leave to
    fiona: a date field, an empty geometry."""
    path = folder / "edge.gpkg"

    def write(layer: str, geometry: str, props: dict[str, str], rows: list[Any],
              crs: int = 31370) -> None:
        with fiona.open(path, "w", driver="GPKG", layer=layer, crs=CRS.from_epsg(crs),
                        schema={"geometry": geometry, "properties": props}) as sink:
            for geom, values in rows:
                sink.write({"geometry": geom, "properties": values})

    x, y = 150000.0, 200000.0
    pt = lambda dx, dy, *z: {"type": "Point", "coordinates": [x + dx, y + dy, *z]}  # noqa: E731
    write("walkway", "Unknown",
          {"id": "str", "width_m": "float", "lit": "bool", "count": "int64", "small": "int32",
           "note": "str"},
          [({"type": "LineString", "coordinates": [[x, y], [x + 10, y]]},
            {"id": "a", "width_m": 1.5, "lit": True, "count": 2**53 + 1, "small": -3,
             "note": "café\u0007 – ✓"}),
           ({"type": "LineString", "coordinates": [[x, y, 1.0], [x + 10, y + 5, 2.5]]},
            {"id": None, "width_m": None, "lit": None, "count": None, "small": None,
             "note": None}),
           ({"type": "MultiLineString", "coordinates": [[[x, y], [x, y + 9]],
                                                        [[x + 1, y], [x + 1, y + 9]]]},
            {"id": "c", "width_m": float("nan"), "lit": False, "count": -(2**40),
             "small": 0, "note": ""}),
           (None, {"id": "nogeom", "width_m": 2.0, "lit": True, "count": 1, "small": 1,
                   "note": "x"}),
           ({"type": "Polygon", "coordinates": [[[x, y], [x + 4, y + 4], [x + 4, y],
                                                 [x, y + 4], [x, y]]]},
            {"id": "bowtie", "width_m": 3.0, "lit": True, "count": 5, "small": 5,
             "note": "y"}),
           ({"type": "LineString", "coordinates": [[x, y], [1e13, y]]},
            {"id": "far", "width_m": 1.0, "lit": True, "count": 1, "small": 1, "note": "z"})])
    write("bench", "Point", {"id": "str", "backrest": "bool"},
          [(pt(1, 2, 0.45), {"id": "b1", "backrest": True}),
           (pt(3, 4, 0.0), {"id": "b1", "backrest": None})])
    write("light", "Point", {"id": "str", "mounting_height_m": "float"},
          [({"type": "Point", "coordinates": [4.35, 50.85]}, {"id": "l1",
                                                              "mounting_height_m": 6.0}),
           ({"type": "Point", "coordinates": [4.3501, 50.8501]}, {"id": "l2",
                                                                 "mounting_height_m": None})],
          crs=4326)
    write("area", "MultiPolygon", {"id": "str", "kind": "str"},
          [({"type": "MultiPolygon", "coordinates": [[[[x, y], [x + 5, y], [x + 5, y + 5],
                                                       [x, y]]]]}, {"id": "sq",
                                                                    "kind": "square"})])
    write("toilet", "Point", {"id": "str", "opened": "date"},       # a date: fiona's layer
          [(pt(8, 8), {"id": "t1", "opened": "2024-05-01"}),
           (pt(9, 9), {"id": "t2", "opened": None})])
    write("stop", "Unknown", {"id": "str"},                         # an empty geometry
          [(pt(5, 5), {"id": "s1"}),
           ({"type": "LineString", "coordinates": []}, {"id": "s2"})])
    return path


# -- tests ------------------------------------------------------------------------------------
def test_sample_as_geopackage_is_identical(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    path = sample_as_geopackage(tmp_path)
    fiona_read = count_fiona_layers(monkeypatch)
    fast = assert_identical(path, monkeypatch)
    assert len(fast["features"]) > 50
    layers = {f[0] for f in fast["features"]}
    # the fiona run read every layer; the pyogrio run none
    assert sorted(fiona_read) == sorted(fiona.listlayers(str(path)))
    assert layers <= set(fiona_read)


def test_synthetic_plan_is_identical(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from synth import make_plan
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    path = make_plan(tmp_path, 2500)
    fiona_read = count_fiona_layers(monkeypatch)
    fast = assert_identical(path, monkeypatch)
    assert len(fast["features"]) > 2000
    assert len(fiona_read) == len(fiona.listlayers(str(path)))   # the fiona run only


def test_edge_cases_are_identical_and_odd_layers_go_through_fiona(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = edge_cases(tmp_path)
    fiona_read = count_fiona_layers(monkeypatch)
    slow = snapshot(path, "fiona", monkeypatch)
    in_fiona_run = list(fiona_read)
    fiona_read.clear()
    fast = snapshot(path, "pyogrio", monkeypatch)
    for key in slow:
        assert fast[key] == slow[key], key
    assert sorted(in_fiona_run) == ["area", "bench", "light", "stop", "toilet", "walkway"]
    assert sorted(fiona_read) == ["stop", "toilet"]   # a date field, an empty geometry
    codes = {w.code for w in fast["raw_warnings"]}
    assert {"geometry_skipped", "geometry_repaired", "crs_reprojected"} <= codes
    walk = [f for f in fast["raw"] if f[0] == "walkway"]
    assert ("count", "int", repr(2**53 + 1)) in walk[0][2]
    assert ("lit", "NoneType", "None") in walk[1][2]


def test_fiona_is_used_when_asked_or_pyogrio_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INCLUSIECHECK_VECTOR_ENGINE", raising=False)
    assert gis.vector_engine() == "pyogrio"
    monkeypatch.setenv("INCLUSIECHECK_VECTOR_ENGINE", "fiona")
    assert gis.vector_engine() == "fiona"
    monkeypatch.delenv("INCLUSIECHECK_VECTOR_ENGINE")
    monkeypatch.setitem(sys.modules, "pyogrio", None)   # import fails
    assert gis.vector_engine() == "fiona"


def test_a_corrupt_geopackage_gives_the_fiona_message(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from inclusiecheck.model import InputError

    path = tmp_path / "broken.gpkg"
    path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    messages = []
    for engine in ("fiona", "pyogrio"):
        monkeypatch.setenv("INCLUSIECHECK_VECTOR_ENGINE", engine)
        with pytest.raises(InputError) as err:
            read_plan(path, ReadOptions())
        messages.append(str(err.value))
    assert messages[0] == messages[1]


SHARED_FILES = sorted(p for suffix in ("*.gpkg", "*.shp", "*.geojson")
                      for p in SHARED.rglob(suffix)) if SHARED.is_dir() else []


@pytest.mark.skipif(not SHARED_FILES, reason="no GIS vector file in /work/shared/data")
@pytest.mark.parametrize("path", SHARED_FILES, ids=lambda p: p.name)
def test_real_files_are_identical(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert_identical(path, monkeypatch)


def test_layers_of_several_crss_keep_their_own(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """fiona reads the CRS of the first layer of each GeoPackage srs_id only; layers of other
    srs_ids (interleaved, and a custom CRS without an EPSG code) keep their own CRS."""
    path = tmp_path / "crss.gpkg"
    custom = CRS.from_string("+proj=tmerc +lat_0=50 +lon_0=4 +k=1 +x_0=150000 +y_0=170000 "
                             "+ellps=GRS80 +units=m +no_defs")
    plans = [("walkway", CRS.from_epsg(31370), (150000.0, 170000.0)),
             ("bench", CRS.from_epsg(3812), (650000.0, 670000.0)),
             ("light", CRS.from_epsg(31370), (150010.0, 170010.0)),
             ("stop", custom, (150020.0, 170020.0)),
             ("obstacle", CRS.from_epsg(3812), (650010.0, 670010.0))]
    for layer, crs, (x, y) in plans:
        schema = {"geometry": "LineString" if layer == "walkway" else "Point",
                  "properties": {"id": "str", "width_m": "float"}}
        with fiona.open(path, "w", driver="GPKG", layer=layer, schema=schema, crs=crs) as dst:
            for index in range(3):
                geometry = ({"type": "LineString", "coordinates": [(x, y + index),
                                                                   (x + 5, y + index)]}
                            if layer == "walkway" else
                            {"type": "Point", "coordinates": (x + index, y)})
                dst.write({"geometry": geometry,
                           "properties": {"id": f"{layer}{index}", "width_m": 1.5}})
    opened: list[str | None] = []
    real_open = fiona.open

    def spy(*args: Any, **kwargs: Any) -> Any:
        opened.append(kwargs.get("layer"))
        return real_open(*args, **kwargs)

    monkeypatch.setattr(fiona, "open", spy)
    fast = assert_identical(path, monkeypatch)
    assert {w.code for w in fast["raw_warnings"]} >= {"crs_reprojected"}
    opened.clear()
    snapshot(path, "pyogrio", monkeypatch)
    srs_ids = gis._geometry_srs_ids(path)
    assert len(set(srs_ids.values())) == 3
    assert len(opened) == 3   # one layer per srs_id
    layers = gis._read_geopackage(path, "crss.gpkg")
    by_name = {layer.layer: layer.crs for layer in layers}
    assert by_name["walkway"] is by_name["light"]
    assert by_name["bench"] is by_name["obstacle"]
    assert by_name["stop"] is not by_name["walkway"]
    assert by_name["stop"].to_epsg() is None


def test_srs_ids_of_a_file_that_is_no_geopackage(tmp_path: Path) -> None:
    path = tmp_path / "x.gpkg"
    path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    assert gis._geometry_srs_ids(path) == {}
    assert gis._geometry_srs_ids(tmp_path / "missing.gpkg") == {}


def test_a_layer_is_sound_only_when_cleaning_would_keep_it_as_it_is() -> None:
    from shapely.geometry import LineString, Point, Polygon

    plain = [Point(1, 2), LineString([(0, 0), (1, 1)]), Polygon([(0, 0), (1, 0), (1, 1)])]
    assert gis._all_sound(plain)
    for odd in (None, {"type": "Point", "coordinates": (1, 2)}, Point(), Point(float("nan"), 1),
                Point(1e13, 0), Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])):
        assert not gis._all_sound([*plain, odd]), odd
    assert not gis._all_sound([])
    bow_tie = Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])
    for geometries, repaired in (([Point(1, 2), Point(3, 4)], 0), ([Point(1, 2), bow_tie], 1)):
        layer = gis._Layer("f", "l", None, fids=["1", "2"], properties=[{}, {}],
                           geometries=list(geometries))
        warnings: list[Any] = []
        assert gis._clean_geometries(layer, warnings) == [0, 1]
        assert [w.code for w in warnings] == ["geometry_repaired"] * repaired
