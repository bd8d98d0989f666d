"""IFC spaces named as corridors become walkways of kind corridor (verordening Art. 15)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

pytest.importorskip("ifcopenshell")

from inclusiecheck.readers.ifc import read_lite  # noqa: E402
from inclusiecheck.readers.ifc.mapping import map_model  # noqa: E402

DATA = Path(__file__).resolve().parent.parent / "data" / "ifc"


def _renamed(long_name: str):
    model = read_lite(DATA / "design_ifc4_local.ifc")
    spatial = tuple(dataclasses.replace(s, long_name=long_name) if s.long_name == "Inkomhal" else s
                    for s in model.spatial)
    return dataclasses.replace(model, spatial=spatial)


@pytest.mark.parametrize("name", ["Gang", "Corridor 1.02", "circulatie", "Hallway", "Flur"])
def test_corridor_space_becomes_a_corridor_walkway(name: str) -> None:
    mapped = map_model(_renamed(name))
    walkways = [f for f in mapped.features if f.layer == "walkway"]
    assert len(walkways) == 1
    corridor = walkways[0]
    assert corridor.properties["kind"] == "corridor"
    assert corridor.geometry.geom_type == "Polygon"       # the space's footprint (6 x 5 m)
    assert corridor.geometry.area == pytest.approx(30.0, abs=1e-6)
    assert "width_m" not in corridor.properties             # the clear width is measured


@pytest.mark.parametrize("name", ["Inkomhal", "Ingang", "Doorgang"])
def test_other_spaces_are_no_corridor(name: str) -> None:
    mapped = map_model(_renamed(name))
    assert not [f for f in mapped.features if f.layer == "walkway"]

