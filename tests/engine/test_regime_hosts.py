"""The building that contains a feature (regimes: inside a building), worked out for a whole
layer at once: the same building as testing the feature's representative point against each
nearby building in layer order (the first that covers it), for every kind of geometry."""

from __future__ import annotations

from shapely.geometry import LineString, Point, Polygon, box

from inclusiecheck.engine.regimes import RegimeIndex
from inclusiecheck.model import Feature, PlanMeta, SiteModel
from inclusiecheck.model.raw import SourceRef


def feature(layer: str, fid: str, geometry: object) -> Feature:
    return Feature(layer, fid, geometry, {}, SourceRef("plan.gpkg", layer, fid))  # type: ignore[arg-type]


def one_by_one(model: SiteModel, f: Feature) -> Feature | None:
    """The definition: the first building (layer order) covering the representative point."""
    point = f.geometry.representative_point()
    for building in model.features("building"):
        if building.geometry.covers(point):
            return building
    return None


def test_hosts_of_a_layer_match_the_definition_one_by_one() -> None:
    buildings = (feature("building", "b1", box(0, 0, 10, 10)),
                 feature("building", "b2", box(5, 0, 20, 10)),      # overlaps b1 on x 5..10
                 feature("building", "b3", box(30, 0, 40, 10)))
    doors = (feature("door", "inside-b1", Point(2, 2)),
             feature("door", "in-both", Point(7, 5)),               # b1 comes first
             feature("door", "inside-b2", Point(15, 5)),
             feature("door", "on-the-edge", Point(30, 5)),          # covers: the boundary too
             feature("door", "outside", Point(25, 5)),
             feature("door", "empty", Point()))
    walkways = (feature("walkway", "across", LineString([(-5, 5), (35, 5)])),
                feature("walkway", "in-b3", Polygon([(31, 1), (39, 1), (39, 9), (31, 9)])),
                feature("walkway", "far", LineString([(100, 100), (110, 100)])))
    model = SiteModel(crs="EPSG:31370", meta=PlanMeta(),
                      layers={"building": buildings, "door": doors, "walkway": walkways})
    index = RegimeIndex(model)
    for f in (*doors, *walkways):
        assert index._building_containing(f) is one_by_one(model, f), f.id
    assert [index._building_containing(f) and index._building_containing(f).id
            for f in doors] == ["b1", "b1", "b2", "b3", None, None]
    # a feature that is not in the model's layers is judged on its own
    stray = feature("door", "stray", Point(35, 5))
    assert index._building_containing(stray) is buildings[2]
    assert index._building_containing(buildings[0]) is None     # a building is in none


def test_no_buildings_no_host() -> None:
    doors = (feature("door", "d", Point(1, 1)),)
    model = SiteModel(crs="EPSG:31370", meta=PlanMeta(), layers={"door": doors})
    assert RegimeIndex(model)._building_containing(doors[0]) is None


def test_road_regimes_are_shared_per_reason_and_kept_apart_per_layer_kind() -> None:
    """The road regime is made once per distinct reason (one object for the many walkways of
    a plan), and never shared across what changes it: a road layer against a space layer,
    a different reason, a stated ``access_path: false`` against a derived one."""
    walkways = (feature("walkway", "w1", LineString([(0, 0), (10, 0)])),
                feature("walkway", "w2", LineString([(0, 5), (10, 5)])))
    benches = (feature("bench", "b1", Point(3, 3)), feature("bench", "b2", Point(4, 4)))
    stated = Feature("walkway", "w3", LineString([(0, 9), (10, 9)]), {"access_path": False},
                     SourceRef("plan.gpkg", "walkway", "w3"))  # type: ignore[arg-type]
    model = SiteModel(crs="EPSG:31370", meta=PlanMeta(built_up_area=True),
                      layers={"walkway": (*walkways, stated), "bench": benches})
    index = RegimeIndex(model)
    w1, w2, b1, b2, w3 = (index.of(f) for f in (*walkways, *benches, stated))
    assert w1 is w2 and b1 is b2
    assert w1.code == "bv97" and b1.code == "public_space"
    assert w3.code == "bv97" and w3 is not w1 and not w3.derived and w1.derived
    assert w3.reason != w1.reason
