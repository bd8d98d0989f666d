"""``Report.map_layers`` of a checked plan (:class:`inclusiecheck.api.MapLayers`): the plan's
geometry for the maps, made on first use only, the same as converting every map layer at once
(ids, GeoJSON geometries rounded to the millimetre, statuses, in the map's layer order)."""

from __future__ import annotations

from pathlib import Path

from shapely.geometry import LineString, Point, Polygon, mapping

from inclusiecheck import api
from inclusiecheck.api import MAP_LAYERS, MapLayers


def test_map_layers_are_made_on_first_use_and_match_the_features() -> None:
    line = LineString([(0.00049, 0.0), (10.1234567, -0.0004)])
    square = Polygon([(0, 0), (2, 0), (2, 2), (0, 2)])
    point = Point(1.23456, 2.3451)
    source = {"walkway": [("w1", line, "new"), ("w2", square, "existing")],
              "bench": [("b1", point, "new"), ("b2", point, "removed")]}
    layers = MapLayers(source)
    assert layers._layers is None               # nothing converted yet
    assert list(layers) == ["walkway", "bench"] and len(layers) == 2
    assert "bench" in layers and "toilet" not in layers
    assert layers._layers is None               # keys, length and membership convert nothing
    walkway = layers["walkway"]
    assert layers._layers is not None           # the first value converted every layer
    assert walkway == [
        ("w1", {"type": "LineString", "coordinates": [[0.0, 0.0], [10.123, 0.0]]}, "new"),
        ("w2", mapping(square) | {"coordinates": [[[0.0, 0.0], [2.0, 0.0], [2.0, 2.0],
                                                   [0.0, 2.0], [0.0, 0.0]]]}, "existing")]
    bench = layers.get("bench")
    assert bench == [("b1", {"type": "Point", "coordinates": [1.235, 2.345]}, "new"),
                     ("b2", {"type": "Point", "coordinates": [1.235, 2.345]}, "removed")]
    assert bench[0][1] is not bench[1][1]       # one geometry listed twice: two dicts
    assert dict(layers.items()) == {"walkway": walkway, "bench": bench}
    assert list(layers) == ["walkway", "bench"]
    assert layers.get("toilet") is None


def test_checked_report_map_layers_follow_the_map_order() -> None:
    from inclusiecheck.engine.evaluate import locations_of

    plan = Path(__file__).resolve().parents[2] / "samples" / "marktplein"
    sample = api.check(plan, rules=["voetgangerswegen"])
    model = api.load_model(plan)
    expected = {}
    for layer in MAP_LAYERS:
        feats = model.features(layer)
        if feats:
            locs = locations_of([f.geometry for f in feats])
            expected[layer] = [(f.id, loc or mapping(f.geometry), f.status)
                               for f, loc in zip(feats, locs)]
    assert isinstance(sample.map_layers, MapLayers)
    assert list(sample.map_layers) == list(expected)
    assert dict(sample.map_layers) == expected
