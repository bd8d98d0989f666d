"""DXF drawings through a CAD layer mapping (fiona's DXF driver; ezdxf only for blocks)."""

from __future__ import annotations

from pathlib import Path

import pytest

from inclusiecheck.api import check
from inclusiecheck.model import InputError
from inclusiecheck.readers import read_plan
from inclusiecheck.readers.dxf import insunits, load_cad_mapping

fiona = pytest.importorskip("fiona")

E0, N0 = 104000.0, 194000.0  # Lambert 72, Gent


def write_dxf(path: Path, entities: list[tuple[str, dict]]) -> Path:
    """Write ``(CAD layer, GeoJSON geometry)`` entities with fiona's DXF driver."""
    schema = {"geometry": "Unknown", "properties": {"Layer": "str"}}
    with fiona.open(path, "w", driver="DXF", schema=schema) as dst:
        for layer, geometry in entities:
            dst.write({"geometry": geometry, "properties": {"Layer": layer}})
    return path


def line(*xy: tuple[float, float]) -> dict:
    return {"type": "LineString", "coordinates": [(E0 + x, N0 + y) for x, y in xy]}


def test_cad_layers_map_to_profile_layers(tmp_path: Path) -> None:
    path = write_dxf(tmp_path / "ontwerp.dxf", [
        ("WEG-VOETPAD-NIEUW", line((0, 0), (60, 0))),
        ("BS_TROTTOIR", line((0, 5), (60, 5), (60, 7), (0, 7), (0, 5))),  # closed: a surface
        ("GRB-GBG", line((0, 10), (20, 10), (20, 25), (0, 25), (0, 10))),  # closed: a building
        ("V-LICHTPUNT", {"type": "Point", "coordinates": (E0 + 30, N0 + 3)}),
        ("MAATVOERING", line((0, -5), (60, -5))),  # dimensions: no profile layer
    ])
    plan = read_plan(path, __import__("inclusiecheck.readers", fromlist=["ReadOptions"])
                     .ReadOptions(crs="EPSG:31370"))
    got = sorted((f.layer, f.geometry.geom_type, f.source.layer) for f in plan.features)
    assert got == [("building", "Polygon", "GRB-GBG"), ("light", "Point", "V-LICHTPUNT"),
                   ("walkway", "LineString", "WEG-VOETPAD-NIEUW"),
                   ("walkway", "Polygon", "BS_TROTTOIR")]
    assert plan.crs == "EPSG:31370"
    building = next(f for f in plan.features if f.layer == "building")
    assert building.geometry.area == pytest.approx(300.0)  # $INSUNITS 0 ... see units below
    assert [w.code for w in plan.warnings if w.code == "dxf_layer_unmapped"]


def test_dxf_gives_findings_through_its_mapping(tmp_path: Path) -> None:
    path = write_dxf(tmp_path / "plein.dxf", [
        # a sidewalk surface only 1.0 m wide, drawn as a closed polyline
        ("BS_TROTTOIR", line((0, 0), (40, 0), (40, 1), (0, 1), (0, 0))),
        ("GRB-GBG", line((10, 3), (30, 3), (30, 20), (10, 20), (10, 3))),
    ])
    (tmp_path / "plein.plan.yaml").write_text("crs: EPSG:31370\n", encoding="utf-8")
    report = check(path, rules=["publiek-domein"])
    fails = {(f.rule_id, f.layer) for f in report.findings if f.outcome.value == "fail"}
    assert ("PD-01", "walkway") in fails, fails
    # a design drawing: its layers are complete where present
    assert report.summary["completeness"]["complete"] == ["building", "walkway"]


def test_without_crs_the_drawing_stays_local_with_a_warning(tmp_path: Path) -> None:
    path = write_dxf(tmp_path / "lokaal.dxf", [("VOETPAD", line((0, 0), (10, 0)))])
    plan = read_plan(path)
    assert plan.crs == "LOCAL"
    assert any(w.code == "dxf_not_georeferenced" for w in plan.warnings)


def test_units_origin_and_blocks_with_attributes(tmp_path: Path) -> None:
    ezdxf = pytest.importorskip("ezdxf")
    doc = ezdxf.new("R2010")
    doc.header["$INSUNITS"] = 4  # millimetres
    block = doc.blocks.new(name="ZITBANK_180")
    block.add_lwpolyline([(0, 0), (1800, 0), (1800, 500), (0, 500)], close=True)
    block.add_attdef("RUGLEUNING", (0, 0))
    msp = doc.modelspace()
    insert = msp.add_blockref("ZITBANK_180", (10000, 2000), dxfattribs={"layer": "MEUBILAIR"})
    insert.add_attrib("RUGLEUNING", "ja", (0, 0))
    insert.add_attrib("ZITHOOGTE", "45", (0, 0))
    msp.add_lwpolyline([(0, 0), (20000, 0)], dxfattribs={"layer": "VOETPAD"})
    path = tmp_path / "lokaal-mm.dxf"
    doc.saveas(path)
    assert insunits(path) == 4
    from inclusiecheck.readers import ReadOptions

    plan = read_plan(path, ReadOptions(crs="EPSG:31370", origin=(E0, N0, 90.0)))
    bench = next(f for f in plan.features if f.layer == "bench")
    assert bench.properties["backrest"] == "ja"
    assert bench.properties["seat_height_cm"] == "45"
    # (10 m, 2 m) turned 90 degrees about the origin: (-2 m, 10 m)
    assert bench.geometry.x == pytest.approx(E0 - 2.0)
    assert bench.geometry.y == pytest.approx(N0 + 10.0)
    walkway = next(f for f in plan.features if f.layer == "walkway")
    assert walkway.geometry.length == pytest.approx(20.0)


def test_custom_mapping_and_no_known_layer(tmp_path: Path) -> None:
    path = write_dxf(tmp_path / "x.dxf", [("LAAG-17", line((0, 0), (10, 0)))])
    with pytest.raises(InputError, match="CAD layer"):
        read_plan(path)
    custom = tmp_path / "lagen.yaml"
    custom.write_text("format: cad-layers\nversion: 1\nunits: m\nlayers:\n"
                      "  - cad: LAAG-17\n    layer: cycle_path\n", encoding="utf-8")
    [feature] = read_plan(path, mapping=str(custom)).features
    assert feature.layer == "cycle_path" and feature.geometry.length == pytest.approx(10.0)


def test_shipped_mapping_is_valid() -> None:
    mapping = load_cad_mapping("cad-nl")
    assert mapping.layer_for("WEG-OVERSTEEKPLAATS", None).layer == "crossing"
    assert mapping.layer_for("0", "BOOM_LINDE").set == {"kind": "tree"}
    assert mapping.layer_for("walkway", None).layer == "walkway"


def test_3d_polylines_keep_their_heights_scaled(tmp_path: Path) -> None:
    ezdxf = pytest.importorskip("ezdxf")
    doc = ezdxf.new("R2010")
    doc.header["$INSUNITS"] = 5  # centimetres
    doc.modelspace().add_polyline3d([(0, 0, 0), (1000, 0, 60)], dxfattribs={"layer": "HELLING"})
    path = tmp_path / "helling.dxf"
    doc.saveas(path)
    from inclusiecheck.readers import ReadOptions

    [ramp] = read_plan(path, ReadOptions(crs="EPSG:31370", origin=(E0, N0, 0.0))).features
    assert ramp.layer == "ramp" and ramp.geometry.has_z
    coords = list(ramp.geometry.coords)
    assert coords[-1][2] == pytest.approx(0.6)  # 60 cm rise over 10 m
    assert ramp.geometry.length == pytest.approx(10.0)
