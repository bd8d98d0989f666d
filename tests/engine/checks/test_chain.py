"""The ``route_chain`` check type: the chain of accessibility along the walking network.

The hand-built plan: a stop 2 m beside a sidewalk; the entrance lies across the street.
The shortest route crosses at a 6 cm kerb (2 + 40 + 10 + 60 + 0.3 = 112.3 m); a second
crossing with a 2 cm kerb lies 20 m the other way, so that route is 40 m longer (152.3 m).
"""

from __future__ import annotations

import datetime as dt

import pytest
import shapely
from shapely.geometry import LineString, MultiPolygon, Point, box

from inclusiecheck.engine.checks import get
from inclusiecheck.engine.checks import chain as chain_mod
from inclusiecheck.engine.checks.api import CheckContext, CheckResult
from inclusiecheck.engine.measures import MEASURES
from inclusiecheck.engine.scopes import DERIVED
from inclusiecheck.model import Feature, Outcome, SiteModel
from inclusiecheck.model.feature import PlanMeta
from inclusiecheck.model.raw import SourceRef

DOOR = {"door_width_cm": 100, "threshold_cm": 1}
TO_ENTRANCE = [{"layer": "entrance", "where": {"public": True}}]


def feat(layer: str, fid: str, geom, **attrs) -> Feature:  # type: ignore[no-untyped-def]
    return Feature(layer, fid, geom, attrs, SourceRef("test.geojson", layer, fid))


def context(*features: Feature, **meta) -> CheckContext:  # type: ignore[no-untyped-def]
    layers: dict[str, list[Feature]] = {}
    for f in features:
        layers.setdefault(f.layer, []).append(f)
    model = SiteModel("EPSG:31370", PlanMeta(**meta), {k: tuple(v) for k, v in layers.items()})
    return CheckContext(model, dt.date(2026, 6, 1), "en", MEASURES, DERIVED)


def run(feature: Feature, ctx: CheckContext,  # type: ignore[no-untyped-def]
        **params) -> CheckResult:
    ct = get("route_chain")
    params.setdefault("destinations", TO_ENTRANCE)
    (result,) = ct.run(feature, ct.params.model_validate(params), ctx)
    return result


def two_routes(long_kerb: float | None = 2.0, short_kerb: float = 6.0) -> list[Feature]:
    c2 = {"kerb_height_cm": long_kerb} if long_kerb is not None else {}
    return [
        feat("stop", "s", Point(0, 2)),
        feat("walkway", "w1", LineString([(-20, 0), (40, 0)]), width_m=1.5),
        feat("crossing", "c6", LineString([(40, 0), (40, -10)]), kerb_height_cm=short_kerb),
        feat("crossing", "c2", LineString([(-20, 0), (-20, -10)]), **c2),
        feat("walkway", "w2", LineString([(-20, -10), (100, -10)]), width_m=1.5),
        feat("entrance", "e", Point(100, -10.3), public=True, **DOOR),
    ]


# -- the hand-built plan ------------------------------------------------------------------------
def test_accessible_detour_keeps_the_chain() -> None:
    plan = two_routes()
    r = run(plan[0], context(*plan))
    assert r.outcome is Outcome.PASS
    assert r.data["shortest_m"] == pytest.approx(112.3)
    assert r.data["route_m"] == pytest.approx(152.3)
    assert r.data["detour_m"] == pytest.approx(40.0)
    assert "c6" in r.note["en"] and "6 cm" in r.note["en"] and "40 m detour" in r.note["en"]
    assert "40 m omweg" in r.note["nl"]


def test_detour_beyond_the_maximum_breaks_the_chain_at_the_kerb() -> None:
    plan = two_routes()
    r = run(plan[0], context(*plan), max_route_m=120)
    assert r.outcome is Outcome.FAIL
    assert r.measured == 1 and r.required == 0
    assert r.location is not None and r.location.equals(LineString([(40, 0), (40, -10)]))
    assert r.data["route_m"] == pytest.approx(112.3)
    assert r.data["links"]["en"] == "crossing c6: kerb 6 cm (max 2 cm)"
    assert r.data["links"]["nl"] == "oversteekplaats c6: boordsteen 6 cm (max. 2 cm)"
    assert r.data["broken"] == ["crossing/c6"]


def test_kerb_limit_is_inclusive() -> None:
    plan = two_routes(short_kerb=2.0)
    r = run(plan[0], context(*plan))
    assert r.outcome is Outcome.PASS and r.data["route_m"] == pytest.approx(112.3)
    assert "detour_m" not in r.data
    plan = two_routes(short_kerb=2.01)
    assert run(plan[0], context(*plan)).data["detour_m"] == pytest.approx(40.0)


def test_detour_through_a_link_without_data_is_to_verify() -> None:
    plan = two_routes(long_kerb=None)
    r = run(plan[0], context(*plan))
    assert r.outcome is Outcome.TO_VERIFY
    assert r.missing == ("kerb_height_cm",)
    assert "c2" in r.note["en"] and "c6" in r.note["en"]  # the broken one and the one to verify
    assert r.location is not None and r.location.equals(LineString([(-20, 0), (-20, -10)]))


def test_without_detour_search_the_shortest_route_decides() -> None:
    plan = two_routes()
    r = run(plan[0], context(*plan), detour=False)
    assert r.outcome is Outcome.FAIL and "detours not searched" in r.note["en"]


# -- links ----------------------------------------------------------------------------------------
def street(*middle: Feature, w2: dict | None = None,  # type: ignore[type-arg]
           door: dict | None = None) -> list[Feature]:  # type: ignore[type-arg]
    """stop -> w1 (0..40) -> middle links (40..50) -> w2 (50..100) -> entrance."""
    return [feat("stop", "s", Point(0, 1)),
            feat("walkway", "w1", LineString([(0, 0), (40, 0)]), width_m=1.5),
            *middle,
            feat("walkway", "w2", LineString([(50, 0), (100, 0)]), **(w2 or {"width_m": 1.5})),
            feat("entrance", "e", Point(100, 0.2), public=True, **(door or DOOR))]


def mid(layer: str, fid: str = "m", **attrs) -> Feature:  # type: ignore[no-untyped-def]
    return feat(layer, fid, LineString([(40, 0), (50, 0)]), **attrs)


@pytest.mark.parametrize(("middle", "outcome", "missing"), [
    (mid("walkway", width_m=1.5), Outcome.PASS, ()),
    (mid("walkway", width_m=1.2), Outcome.PASS, ()),          # long stretch: 1.20 m inclusive
    (mid("walkway", width_m=1.19), Outcome.FAIL, ()),
    (mid("walkway"), Outcome.TO_VERIFY, ("width_m",)),
    (mid("walkway", width_m=1.5, slope_pct=4.0), Outcome.PASS, ()),     # level
    (mid("walkway", width_m=1.5, slope_pct=5.0), Outcome.PASS, ()),     # 50 cm rise: 5 % max
    (mid("walkway", width_m=1.5, slope_pct=5.5), Outcome.FAIL, ()),
    (mid("walkway", width_m=1.5, surface="gravel"), Outcome.FAIL, ()),
    (mid("ramp", slope_pct=8.3, rise_cm=25, width_m=1.5), Outcome.PASS, ()),
    (mid("ramp", slope_pct=8.4, rise_cm=25, width_m=1.5), Outcome.FAIL, ()),
    (mid("ramp", slope_pct=6.0), Outcome.FAIL, ()),  # 6 % x 10 m = 60 cm rise: 5 % max
    (mid("ramp", width_m=1.5), Outcome.TO_VERIFY, ("slope_pct",)),
    (mid("ramp", slope_pct=8.0, rise_cm=20, width_m=1.0), Outcome.FAIL, ()),
    (mid("stairs", steps=3), Outcome.FAIL, ()),
    (mid("crossing", kerb_height_cm=2), Outcome.PASS, ()),
    (mid("crossing"), Outcome.TO_VERIFY, ("kerb_height_cm",)),
], ids=["wide", "1.20-inclusive", "1.19", "no-width", "4pct-level", "5pct-limit", "5.5pct",
        "gravel", "ramp-8.3-limit", "ramp-8.4", "ramp-6-no-rise", "ramp-no-slope",
        "ramp-narrow", "stairs", "kerb-2", "kerb-unknown"])
def test_link_criteria(middle: Feature, outcome: Outcome, missing: tuple[str, ...]) -> None:
    plan = street(middle)
    r = run(plan[0], context(*plan), unsuitable_surfaces=["grass", "gravel"])
    assert r.outcome is outcome, r.note
    assert r.missing == missing


def test_walkway_slope_missing_can_be_to_verify() -> None:
    plan = street(mid("walkway", width_m=1.5))
    r = run(plan[0], context(*plan), walkway_slope_missing="to_verify")
    assert r.outcome is Outcome.TO_VERIFY and r.missing == ("slope_pct",)


def test_level_change_point_on_the_route() -> None:
    for height, outcome in ((2.0, Outcome.PASS), (2.5, Outcome.FAIL)):
        plan = street(mid("walkway", width_m=1.5),
                      feat("level_change", "lc", Point(45, 0.2), height_cm=height))
        r = run(plan[0], context(*plan))
        assert r.outcome is outcome
    far = feat("level_change", "lc", Point(45, 3.0), height_cm=10)  # beside the route
    plan = street(mid("walkway", width_m=1.5), far)
    assert run(plan[0], context(*plan)).outcome is Outcome.PASS


def test_entrance_is_the_last_link() -> None:
    plan = street(mid("walkway", width_m=1.5), door={"door_width_cm": 90, "threshold_cm": 2})
    assert run(plan[0], context(*plan)).outcome is Outcome.PASS  # both limits inclusive
    plan = street(mid("walkway", width_m=1.5), door={"door_width_cm": 85, "threshold_cm": 2})
    r = run(plan[0], context(*plan))
    assert r.outcome is Outcome.FAIL and "door 85 cm" in r.data["links"]["en"]
    assert r.location is not None and r.location.equals(Point(100, 0.2))
    plan = street(mid("walkway", width_m=1.5), door={"door_width_cm": 85})
    r = run(plan[0], context(*plan), min_door_width_cm=None, max_threshold_cm=None)
    assert r.outcome is Outcome.PASS


def test_short_narrowing_passes_long_one_fails() -> None:
    # a pole of 0.55 m at the edge of a 1.50 m sidewalk leaves ~0.97 m over ~0.55 m
    pole = feat("obstacle", "pole", Point(70, 0.5), kind="pole", size_m=0.55)
    plan = street(mid("walkway", width_m=1.5)) + [pole]
    assert run(plan[0], context(*plan)).outcome is Outcome.PASS
    # a planter 3 m long leaving 1.0 m: longer than 1.20 m and below 1.20 m
    planter = feat("obstacle", "planter", box(68, 0.25, 71, 0.75), kind="planter")
    plan = street(mid("walkway", width_m=1.5)) + [planter]
    r = run(plan[0], context(*plan))
    assert r.outcome is Outcome.FAIL and "w2" in r.data["links"]["en"]
    assert r.location is not None and r.location.geom_type == "Polygon"  # the narrowing
    assert r.location.intersects(planter.geometry.buffer(0.01))


def test_a_narrowing_off_the_route_does_not_break_it() -> None:
    # sidewalk surface 0..100 x 0..2.5; a cabinet narrows it to 0.5 m at x=90;
    # the stop (x=10) reaches the entrance through a path at x=20 and never passes x=90
    plan = [feat("stop", "s", Point(10, 1)),
            feat("walkway", "sw", box(0, 0, 100, 2.5), kind="sidewalk"),
            feat("obstacle", "cab", box(89, 0, 91, 2.0), kind="cabinet"),
            feat("walkway", "path", LineString([(20, 2.5), (20, 10)]), width_m=1.5),
            feat("entrance", "e", Point(20, 10.2), public=True, **DOOR)]
    ctx = context(*plan)
    assert ctx.value(plan[1], "clear_width_m") == pytest.approx(0.5)
    assert run(plan[0], ctx).outcome is Outcome.PASS
    plan[0] = feat("stop", "s", Point(95, 1))  # now the route runs through the narrowing
    r = run(plan[0], context(*plan))
    assert r.outcome is Outcome.FAIL and "sw" in r.data["links"]["en"]


# -- surfaces ----------------------------------------------------------------------------------
def test_walk_across_surfaces_and_around_a_stair() -> None:
    square = feat("walkway", "square", box(0, 3, 60, 40), kind="square_surface")
    steps = feat("stairs", "steps", box(10, 20, 50, 22), steps=2)  # across most of the square
    plan = [feat("stop", "s", Point(30, 1)),
            feat("walkway", "sw", box(-20, 0, 80, 3), kind="sidewalk"),
            square, steps,
            feat("walkway", "path", LineString([(30, 40), (30, 45)]), width_m=1.8),
            feat("entrance", "e", Point(30, 45.1), public=True, **DOOR)]
    r = run(plan[0], context(*plan))
    assert r.outcome is Outcome.PASS
    straight = 44.1 + 0.0  # stop (30, 1) to the entrance (30, 45.1)
    assert r.data["shortest_m"] == pytest.approx(straight, abs=1.5)  # over the stairs
    assert "steps" in r.note["en"]
    # around the stair's end at x=50 (or 10): at least 2 x hypot(20, ~19) ~ 55 m
    assert r.data["route_m"] > 52.0
    # without a way round (the stair spans the square) the chain breaks at the stair
    plan[3] = feat("stairs", "steps", box(0, 20, 60, 22), steps=2)
    r = run(plan[0], context(*plan))
    assert r.outcome is Outcome.FAIL and r.data["broken"] == ["stairs/steps"]


def test_multipolygon_surface_and_touching_surfaces() -> None:
    two = MultiPolygon([box(0, 0, 10, 3), box(10, 0, 50, 3)])  # touching parts
    plan = [feat("stop", "s", Point(2, 1)),
            feat("walkway", "sw", two, kind="sidewalk"),
            feat("entrance", "e", Point(48, 3.2), public=True, **DOOR)]
    r = run(plan[0], context(*plan))
    assert r.outcome is Outcome.PASS
    assert r.data["route_m"] == pytest.approx(shapely.distance(Point(2, 1), Point(48, 3.2)),
                                              abs=1.0)


def test_stair_line_on_a_walkway_line_counts_as_stair() -> None:
    plan = street(mid("walkway", "m-walk", width_m=1.5), mid("stairs", "m-stairs", steps=2))
    r = run(plan[0], context(*plan))
    assert r.outcome is Outcome.FAIL and r.data["broken"] == ["stairs/m-stairs"]


# -- missing data and scope --------------------------------------------------------------------
def test_no_destination_no_network_no_route() -> None:
    stop = feat("stop", "s", Point(0, 1))
    walk = feat("walkway", "w", LineString([(0, 0), (50, 0)]), width_m=1.5)
    r = run(stop, context(stop, walk))
    assert r.outcome is Outcome.NOT_APPLICABLE and "no destination" in r.note["en"]
    r = run(stop, context(stop, walk), missing_destination="to_verify")
    assert r.outcome is Outcome.TO_VERIFY and r.missing == ("entrance",)
    entrance = feat("entrance", "e", Point(30, 40), public=True, **DOOR)
    r = run(stop, context(stop, entrance))
    assert r.outcome is Outcome.TO_VERIFY and r.missing == ("walkway",)
    straight = shapely.distance(Point(0, 1), Point(30, 40))
    assert r.data["straight_m"] == pytest.approx(straight, abs=0.1)
    r = run(stop, context(stop, walk, entrance))  # entrance 40 m off the drawn network
    assert r.outcome is Outcome.FAIL and r.measured is None
    assert "no walkable route" in r.note["en"]
    far_stop = feat("stop", "s", Point(0, 100))
    r = run(far_stop, context(far_stop, walk, feat("entrance", "e", Point(50, 0.2), public=True)))
    assert r.outcome is Outcome.TO_VERIFY and "more than 25 m" in r.note["en"]


def test_private_entrance_is_not_a_destination() -> None:
    plan = street(mid("walkway", width_m=1.5))
    plan.append(feat("entrance", "private", Point(5, 0.2), public=False, **DOOR))
    r = run(plan[0], context(*plan))
    assert r.outcome is Outcome.PASS and r.data["destination"]["en"] == "entrance e"


def test_public_derived_from_the_building() -> None:
    plan = street(mid("walkway", width_m=1.5))
    plan[-1] = feat("entrance", "e", Point(100, 0.2), **DOOR)
    plan.append(feat("building", "hall", box(100, 0.2, 120, 20), public=True))
    assert run(plan[0], context(*plan)).outcome is Outcome.PASS


# -- visual profile ----------------------------------------------------------------------------
@pytest.mark.parametrize(("attrs", "tactile", "outcome"), [
    ({"tactile_paving": True, "kerb_height_cm": 8}, False, Outcome.PASS),
    ({"tactile_paving": False}, False, Outcome.FAIL),
    ({}, True, Outcome.PASS),
    ({}, False, Outcome.TO_VERIFY),
])
def test_visual_profile_crossings(attrs: dict, tactile: bool,  # type: ignore[type-arg]
                                  outcome: Outcome) -> None:
    extra = [feat("tactile", "t", box(38.2, -0.6, 41.8, 0.0), kind="warning")] if tactile else []
    plan = street(mid("crossing", "c", **attrs)) + extra
    assert run(plan[0], context(*plan), profile="visual").outcome is outcome


def test_visual_profile_stairs_need_a_warning_not_a_ramp() -> None:
    plan = street(mid("stairs", "st", steps=3, tactile_warning=True))
    assert run(plan[0], context(*plan), profile="visual").outcome is Outcome.PASS
    plan = street(mid("stairs", "st", steps=3))
    r = run(plan[0], context(*plan), profile="visual")
    assert r.outcome is Outcome.TO_VERIFY and r.missing == ("tactile_warning",)


# -- batching and caching ------------------------------------------------------------------------
def test_one_network_and_one_search_per_run(monkeypatch: pytest.MonkeyPatch) -> None:
    built = []
    real = chain_mod.build_chain_network
    monkeypatch.setattr(chain_mod, "build_chain_network",
                        lambda ctx: built.append(1) or real(ctx))
    searched = []
    real_routes = chain_mod.nearest_routes
    monkeypatch.setattr(chain_mod, "nearest_routes",
                        lambda *a, **k: searched.append(len(a[1])) or real_routes(*a, **k))
    stops = [feat("stop", f"s{i}", Point(10 * i, 1)) for i in range(5)]
    plan = street(mid("walkway", width_m=1.5))[1:] + stops
    ctx = context(*plan)
    results = [run(s, ctx) for s in stops]
    assert all(r.outcome is Outcome.PASS for r in results)
    assert built == [1]
    assert searched == [5]  # all five origins in one search
    assert [r.data["route_m"] for r in results] == pytest.approx(
        [1 + 100 - 10 * i + 0.2 for i in range(5)])


def test_params_are_validated() -> None:
    ct = get("route_chain")
    with pytest.raises(ValueError):
        ct.params.model_validate({"destinations": []})
    with pytest.raises(ValueError):
        ct.params.model_validate({"destinations": TO_ENTRANCE, "min_width_m": 1.5,
                                  "long_min_width_m": 1.2})
    with pytest.raises(ValueError):
        ct.params.model_validate(
            {"destinations": [{"layer": "entrance", "where": {"x": {"bad": 1}}}]})


@pytest.mark.parametrize("seed", [5, 6, 7])
def test_split_at_outlines_is_the_line_by_line_split(seed: int) -> None:
    """_split_at tests every line against the prepared outlines at once and cuts a crossing
    line by the outline pieces it meets; the pieces (and their features) are those of testing
    and splitting line by line against all the outlines."""
    import numpy as np
    from shapely.ops import split

    rng = np.random.default_rng(seed)
    squares = [box(x, y, x + 8, y + 8) for x, y in rng.uniform(0, 100, (25, 2))]
    squares += [box(x, 120, x + 5, 125) for x in range(0, 60, 5)]  # a row of touching ones
    outlines = shapely.union_all(shapely.boundary(np.array(squares, dtype=object)))
    lines = [LineString(rng.uniform(0, 110, (2, 2))) for _ in range(80)]
    lines += [LineString([(x, 118), (x + 7, 127)]) for x in rng.uniform(0, 55, 10)]
    lines += [LineString([(-1, 122.5), (61, 122.5)]),   # along the row, through every wall
              LineString([(3, 127), (7, 123)]),          # through a shared corner
              LineString([(2, 110), (2, 120)])]          # ending on an outline
    lines += [LineString([(200, 200), (210, 200)])]   # far from every outline
    feats = [f"f{i}" for i in range(len(lines))]
    expected_g, expected_f = [], []
    for g, f in zip(lines, feats):
        pieces = [g]
        if g.intersects(outlines):
            pieces = [p for p in shapely.get_parts(split(g, outlines)) if p.length > 0] or [g]
        expected_g.extend(pieces)
        expected_f.extend([f] * len(pieces))
    got_g, got_f = chain_mod._split_at(lines, feats, outlines)  # type: ignore[arg-type]
    assert got_f == expected_f
    assert len(got_g) > len(lines)   # some lines were cut
    assert all(shapely.equals_exact(a, b, 0.0) for a, b in zip(got_g, expected_g, strict=True))
    assert chain_mod._split_at([], [], outlines) == ([], [])


def test_straight_to_nearest_is_the_one_by_one_search(monkeypatch: pytest.MonkeyPatch) -> None:
    """The straight-line nearest destination of every origin of a layer comes from one search
    (once per run); each value is that of searching for the origin alone, ties included."""
    import numpy as np

    rng = np.random.default_rng(11)
    entrances = [feat("entrance", f"e{i}", Point(x, y), public=True)
                 for i, (x, y) in enumerate(rng.uniform(0, 200, (30, 2)).round(0))]
    entrances.append(feat("entrance", "twin", entrances[3].geometry, public=True))  # a tie
    stops = [feat("stop", f"s{i}", Point(x, y))
             for i, (x, y) in enumerate(rng.uniform(-20, 220, (60, 2)).round(0))]
    stops.append(feat("stop", "on-e3", entrances[3].geometry))
    stops.append(feat("stop", "area", box(90, 90, 110, 110)))
    ctx = context(*entrances, *stops)
    params = get("route_chain").params.model_validate({"destinations": TO_ENTRANCE})
    targets = chain_mod._targets(ctx, params)
    calls = []
    real = chain_mod.euclidean_distance_to_nearest
    monkeypatch.setattr(chain_mod, "euclidean_distance_to_nearest",
                        lambda o, d: calls.append(len(o)) or real(o, d))
    got = [chain_mod.straight_to_nearest(ctx, s, params, targets) for s in stops]
    assert calls == [len(stops)]  # one search for every stop
    for s, (d, i) in zip(stops, got, strict=True):
        d1, i1 = real([chain_mod._point_of(s)], [t.geometry for t in targets])
        assert (d, i) == (float(d1[0]), int(i1[0]))
    assert got[-2] == (0.0, 3)  # the tie goes to the first destination


def test_no_route_notes_use_the_batched_straight_line() -> None:
    """Stops beyond the network and without a route report the straight-line distance to the
    nearest entrance, the same whichever stop is checked first."""
    walk = feat("walkway", "w", LineString([(0, 0), (50, 0)]), width_m=1.5)
    entrances = [feat("entrance", "near", Point(60, 80), public=True, **DOOR),
                 feat("entrance", "far", Point(300, 300), public=True, **DOOR)]
    stops = [feat("stop", "a", Point(0, 100)), feat("stop", "b", Point(10, 1)),
             feat("stop", "c", Point(400, 300))]
    plan = [walk, *entrances, *stops]
    together = [run(s, ctx) for ctx in [context(*plan)] for s in stops]
    alone = [run(s, context(*plan)) for s in stops]
    assert [r.note for r in together] == [r.note for r in alone]
    assert [r.data.get("straight_m") for r in together] == [
        round(shapely.distance(s.geometry, e.geometry), 1)
        for s, e in zip(stops, [entrances[0], entrances[0], entrances[1]])]
