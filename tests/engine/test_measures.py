"""Measures and geometric check types of the accessibility rule sets, on geometry edge cases.

Hand calculations: a point obstacle becomes a 16-gon whose flat-to-flat width is its size;
its vertices (at 0°, 22.5°, ..., 90°) reach size / 2 / cos(π/16) from the centre.
"""

from __future__ import annotations

import datetime as dt
import math

import pytest
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Point, Polygon, box

from inclusiecheck.engine.checks import get
from inclusiecheck.engine.checks.api import CheckContext
from inclusiecheck.engine.measures import MEASURES, OBSTACLE_LAYERS, clear_width_result
from inclusiecheck.engine.scopes import DERIVED
from inclusiecheck.model import Feature, Outcome, SiteModel
from inclusiecheck.model.feature import PlanMeta
from inclusiecheck.model.raw import SourceRef

VERTEX = 1.0 / math.cos(math.pi / 16)  # vertex radius of a unit-width footprint, x 2


def feat(layer: str, fid: str, geom, **attrs) -> Feature:  # type: ignore[no-untyped-def]
    return Feature(layer, fid, geom, attrs, SourceRef("test.geojson", layer, fid))


def context(*features: Feature, **meta) -> CheckContext:  # type: ignore[no-untyped-def]
    layers: dict[str, list[Feature]] = {}
    for f in features:
        layers.setdefault(f.layer, []).append(f)
    model = SiteModel("EPSG:31370", PlanMeta(**meta),
                      {k: tuple(v) for k, v in layers.items()})
    return CheckContext(model, dt.date(2026, 6, 1), "en", MEASURES, DERIVED)


def run(check: str, feature: Feature, ctx: CheckContext, **params):  # type: ignore[no-untyped-def]
    ct = get(check)
    return ct.run(feature, ct.params.model_validate(params), ctx)


WALK = box(0, 0, 20, 2)


# -- clear width: which features take width ------------------------------------------------------
def test_polygon_without_obstacles_measures_its_width() -> None:
    w = feat("walkway", "w", WALK)
    ctx = context(w)
    assert ctx.value(w, "width_m") == pytest.approx(2.0)
    assert ctx.value(w, "clear_width_m") == pytest.approx(2.0)
    assert ctx.value(w, "total_width_m") == pytest.approx(2.0)
    assert ctx.value(w, "obstruction_m") == pytest.approx(0.0)


def test_bench_point_takes_its_default_depth() -> None:
    w = feat("walkway", "w", WALK)
    bench = feat("bench", "b", Point(10, 0.3))  # default 0.60 m: 0.30 + 0.306 from the edge
    ctx = context(w, bench)
    expected = 2.0 - 0.3 - 0.3 * VERTEX
    # clear widths are reported to the centimetre (their measurement tolerance)
    assert ctx.value(w, "clear_width_m") == pytest.approx(expected, abs=5e-3)
    assert ctx.value(w, "obstruction_m") == pytest.approx(2.0 - expected, abs=2e-3)


@pytest.mark.parametrize("layer,attrs,size", [
    ("light", {}, 0.25),                      # lighting column default
    ("stop", {}, 0.15),                       # a stop point is its pole
    ("obstacle", {"kind": "cabinet"}, 0.60),
    ("obstacle", {"kind": "cabinet", "size_m": 0.9}, 0.90),
    ("obstacle", {"kind": "cabinet", "size_m": 0.0}, 0.60),   # nonsensical size: default
    ("obstacle", {"kind": "sign", "free_height_m": 2.0}, 0.15),  # low sign still takes width
    ("vegetation", {"kind": "tree"}, 0.40),
    ("vegetation", {"kind": "tree", "size_m": 1.0}, 1.00),     # tree pit
    ("vegetation", {"kind": "hedge"}, 0.60),
])
def test_point_footprint_by_layer_and_kind(layer: str, attrs: dict, size: float) -> None:
    w = feat("walkway", "w", WALK)
    o = feat(layer, "o", Point(10, 1.0), **attrs)  # in the middle: the longer side is left
    ctx = context(w, o)
    expected = 1.0 - size / 2 * VERTEX
    assert ctx.value(w, "clear_width_m") == pytest.approx(expected, abs=5e-3)  # to the cm


@pytest.mark.parametrize("feature", [
    feat("obstacle", "awning", box(5, 0, 8, 1.5), kind="other", free_height_m=2.5),
    feat("vegetation", "lawn", box(5, 0, 8, 1.5), kind="lawn"),
    feat("stop", "platform", box(5, 0, 8, 1.5)),
    feat("lift", "lift", box(5, 0, 8, 1.5)),            # not an obstacle layer
    feat("obstacle", "far", box(5, 3, 8, 4), kind="cabinet"),
    feat("obstacle", "outside-touching", box(5, -1, 8, 0), kind="cabinet"),
])
def test_features_that_take_no_width(feature: Feature) -> None:
    w = feat("walkway", "w", WALK)
    ctx = context(w, feature)
    assert ctx.value(w, "clear_width_m") == pytest.approx(2.0)


def test_tree_crown_polygon_counts_as_its_trunk() -> None:
    w = feat("walkway", "w", WALK)
    crown = feat("vegetation", "t", Point(10, 1.0).buffer(3.0), kind="tree")
    ctx = context(w, crown)
    assert ctx.value(w, "clear_width_m") == pytest.approx(1.0 - 0.2 * VERTEX, abs=5e-3)


def test_touching_obstacles_block_together() -> None:
    w = feat("walkway", "w", WALK)
    a = feat("obstacle", "a", box(9, 0, 10, 0.5), kind="planter")
    b = feat("obstacle", "b", box(9, 0.5, 10, 1.1), kind="bike_rack")  # touches a
    ctx = context(w, a, b)
    assert ctx.value(w, "clear_width_m") == pytest.approx(0.9, abs=1e-3)
    result = clear_width_result(w, ctx)
    assert result.gross_width_m == pytest.approx(2.0, abs=1e-3)
    assert ctx.value(w, "obstruction_m") == pytest.approx(1.1, abs=1e-3)


def test_hole_counts_as_obstacle_but_not_in_total_width() -> None:
    poly = Polygon(WALK.exterior, [box(9.5, 0.7, 10.5, 1.3).exterior])
    w = feat("walkway", "w", poly)
    ctx = context(w)
    assert ctx.value(w, "clear_width_m") == pytest.approx(0.7, abs=1e-3)
    assert ctx.value(w, "total_width_m") == pytest.approx(2.0, abs=1e-3)


def test_multipolygon_reports_the_narrowest_part() -> None:
    mp = MultiPolygon([box(0, 0, 10, 2.5), box(15, 0, 25, 1.6)])
    w = feat("walkway", "w", mp)
    cab = feat("obstacle", "c", box(3, 0, 3.5, 1.2), kind="cabinet")  # 1.30 m left in part 1
    ctx = context(w, cab)
    assert ctx.value(w, "clear_width_m") == pytest.approx(1.3, abs=1e-3)
    # total width: shell area over centreline length, both parts
    assert ctx.value(w, "total_width_m") == pytest.approx((25 + 16) / 20, abs=1e-3)


def test_degenerate_polygon_cannot_be_measured() -> None:
    w = feat("walkway", "w", Polygon([(0, 0), (10, 0), (20, 0)]))
    ctx = context(w)
    assert ctx.value(w, "clear_width_m") is None
    [res] = run("clear_width", w, ctx, min_m=1.0)
    assert res.outcome is Outcome.TO_VERIFY


# -- centre lines ------------------------------------------------------------------------------------
def test_centre_line_obstacles_within_half_width() -> None:
    line = LineString([(0, 0), (20, 0)])
    w = feat("walkway", "w", line, width_m=1.6)
    inside = feat("obstacle", "in", box(9, -0.8, 9.5, -0.3), kind="cabinet")   # 0.5 m deep
    beyond = feat("obstacle", "out", box(12, 0.85, 13, 2.0), kind="cabinet")   # outside 0.8 m
    ctx = context(w, inside, beyond)
    assert ctx.value(w, "width_m") == pytest.approx(1.6)          # the attribute
    assert ctx.value(w, "clear_width_m") == pytest.approx(1.1, abs=1e-3)
    assert ctx.value(w, "total_width_m") is None                  # not drawn
    assert ctx.value(w, "obstruction_m") is None                  # needs total_width_m


def test_centre_line_uses_total_width_when_no_width() -> None:
    w = feat("walkway", "w", LineString([(0, 0), (20, 0)]), total_width_m=1.8)
    cab = feat("obstacle", "c", box(9, -0.9, 9.5, -0.2), kind="cabinet")
    ctx = context(w, cab)
    assert ctx.value(w, "clear_width_m") == pytest.approx(1.1, abs=1e-3)
    assert ctx.value(w, "obstruction_m") == pytest.approx(0.7, abs=1e-3)


def test_centre_line_without_width() -> None:
    w = feat("walkway", "w", LineString([(0, 0), (20, 0)]))
    ctx = context(w)
    assert ctx.value(w, "width_m") is None
    assert ctx.value(w, "clear_width_m") is None
    [res] = run("clear_width", w, ctx, min_m=1.0)
    assert res.outcome is Outcome.TO_VERIFY and res.missing == ("width_m",)


def test_general_shape_is_measured_once_per_required_width(monkeypatch: pytest.MonkeyPatch) -> None:
    import inclusiecheck.geometry.clearwidth as cw

    calls = []
    original = cw.clear_width

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(kwargs.get("min_required_m"))
        return original(*args, **kwargs)

    monkeypatch.setattr(cw, "clear_width", counting)
    l_shape = Polygon([(0, 0), (20, 0), (20, 2), (2, 2), (2, 15), (0, 15)])
    w = feat("walkway", "w", l_shape)
    ctx = context(w, feat("obstacle", "o", Point(10, 1), kind="bin"))
    for name in ("width_m", "clear_width_m", "total_width_m", "obstruction_m", "width_m"):
        ctx.value(w, name)
    run("obstruction", w, ctx, max_m=0.5)
    run("clear_width", w, ctx, min_m=0.5)   # 0.75 m >= 0.50 m: no cut needed
    assert calls == [None]
    run("clear_width", w, ctx, min_m=1.0)   # narrower than 1.00 m: cut once at 1.00 m
    run("clear_width", w, ctx, min_m=1.0)
    assert calls == [None, 1.0]


def test_rectangle_profile_is_built_once_for_every_width(monkeypatch: pytest.MonkeyPatch) -> None:
    from inclusiecheck.geometry import rectwidth as rw
    import inclusiecheck.geometry.clearwidth as cw

    def forbidden(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("a rectangle must not need the general method")

    monkeypatch.setattr(cw, "clear_width", forbidden)
    monkeypatch.setattr(cw, "clear_width_centreline", forbidden)
    built = []
    original = rw.RectProfile._blank   # every profile starts here, one by one or in a batch

    def counting(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        built.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(rw.RectProfile, "_blank", counting)
    w = feat("walkway", "w", WALK)
    line = feat("walkway", "l", LineString([(0, 10), (20, 10)]), width_m=2.0)
    ctx = context(w, line, feat("obstacle", "o", Point(10, 1), kind="bin"))
    for f in (w, line):
        for level in (1.0, 1.2, 1.5, 1.8):
            run("clear_width", f, ctx, min_m=level)
        ctx.value(f, "obstruction_m")
    assert len(built) == 2


# -- slopes ------------------------------------------------------------------------------------------
def test_walkway_3d_line_with_zero_length_segment() -> None:
    line = LineString([(0, 0, 10.0), (10, 0, 10.3), (10, 0, 10.3), (20, 0, 10.9)])
    w = feat("walkway", "w", line)
    ctx = context(w)
    assert ctx.value(w, "slope_pct") == pytest.approx(6.0)   # steepest segment
    assert ctx.value(w, "cross_slope_pct") is None


def test_walkway_3d_polygon_running_and_cross_slope() -> None:
    poly = Polygon([(x, y, 10 + 0.02 * x + 0.03 * y) for x, y in
                    [(0, 0), (20, 0), (20, 2), (0, 2), (0, 0)]])
    w = feat("walkway", "w", poly)
    ctx = context(w)
    assert ctx.value(w, "slope_pct") == pytest.approx(2.0, abs=0.01)
    assert ctx.value(w, "cross_slope_pct") == pytest.approx(3.0, abs=0.01)


def test_walkway_2d_has_no_slope() -> None:
    w = feat("walkway", "w", WALK)
    ctx = context(w)
    assert ctx.value(w, "slope_pct") is None and ctx.value(w, "cross_slope_pct") is None


def test_ramp_values_from_attributes() -> None:
    line = LineString([(0, 0), (3, 0)])
    a = feat("ramp", "a", line, rise_cm=20, length_m=2.5)
    b = feat("ramp", "b", line, slope_pct=8, length_m=2.5)
    c = feat("ramp", "c", line, rise_cm=60, slope_pct=5)
    d = feat("ramp", "d", line, slope_pct=8)              # drawn 2D length 3 m
    ctx = context(a, b, c, d)
    assert ctx.value(a, "slope_pct") == pytest.approx(8.0)
    assert ctx.value(b, "rise_cm") == pytest.approx(20.0)
    assert ctx.value(c, "length_m") == pytest.approx(12.0)
    assert ctx.value(d, "rise_cm") == pytest.approx(24.0)
    assert ctx.value(d, "length_m") == pytest.approx(3.0)


def test_ramp_values_from_3d_line_and_polygon() -> None:
    line = feat("ramp", "l", LineString([(0, 0, 0.0), (6, 0, 0.6)]))
    steep = feat("ramp", "s", LineString([(0, 0, 0.0), (2, 0, 0.0), (4, 0, 0.3)]))
    poly = feat("ramp", "p", Polygon([(x, y, 0.05 * x) for x, y in
                                      [(0, 0), (4, 0), (4, 1.5), (0, 1.5), (0, 0)]]))
    flat_poly = feat("ramp", "f", box(0, 0, 11, 1.5))
    multi = feat("ramp", "m", MultiLineString([[(0, 0, 0.0), (3, 0, 0.15)],
                                               [(3, 0, 0.15), (6, 0, 0.3)]]))
    ctx = context(line, steep, poly, flat_poly, multi)
    assert ctx.value(line, "slope_pct") == pytest.approx(10.0)
    assert ctx.value(line, "rise_cm") == pytest.approx(60.0)
    assert ctx.value(line, "length_m") == pytest.approx(6.0)
    assert ctx.value(steep, "slope_pct") == pytest.approx(15.0)   # steepest part, not 7.5
    assert ctx.value(poly, "slope_pct") == pytest.approx(5.0, abs=0.01)
    assert ctx.value(poly, "rise_cm") == pytest.approx(20.0, abs=0.1)
    assert ctx.value(poly, "width_m") == pytest.approx(1.5, abs=1e-3)
    assert ctx.value(flat_poly, "length_m") == pytest.approx(11.0)
    assert ctx.value(flat_poly, "slope_pct") is None
    assert ctx.value(multi, "rise_cm") == pytest.approx(30.0)
    assert ctx.value(multi, "length_m") == pytest.approx(6.0)


def test_length_of_other_layers_unchanged() -> None:
    stairs = feat("stairs", "s", LineString([(0, 0), (3, 4)]))
    ctx = context(stairs)
    assert ctx.value(stairs, "length_m") == pytest.approx(5.0)


# -- clear_width check: narrowing tiers ---------------------------------------------------------------
TIERS = dict(min_m=1.5, short_narrowing_max_length_m=1.2, short_narrowing_min_m=1.0,
             long_narrowing_max_length_m=10.0, long_narrowing_min_m=1.2)


def _walk30(*obstacles: Feature) -> tuple[Feature, CheckContext]:
    w = feat("walkway", "w", box(0, 0, 30, 2))
    return w, context(w, *obstacles)


def test_nested_short_pinch_inside_long_narrowing_is_tolerated() -> None:
    w, ctx = _walk30(feat("obstacle", "t", box(10, 0, 15, 0.7), kind="terrace"),
                     feat("obstacle", "b", box(12, 1.75, 12.3, 2.0), kind="bollard"))
    [res] = run("clear_width", w, ctx, judge="narrowings", **TIERS)
    assert res.outcome is Outcome.PASS
    assert res.measured == pytest.approx(1.05, abs=1e-3)
    assert res.data["tolerated_narrowings"] == 1


def test_narrowing_results_carry_length_location_and_obstacles() -> None:
    cab = feat("obstacle", "cab", box(10, 0, 10.5, 1.1), kind="cabinet")
    w, ctx = _walk30(cab)
    [res] = run("clear_width", w, ctx, judge="narrowings", **TIERS)
    assert res.outcome is Outcome.FAIL
    assert res.measured == pytest.approx(0.9, abs=1e-3) and res.required == 1.0
    assert res.data["length_m"] == pytest.approx(0.5, abs=0.01)
    assert res.data["obstacles"] == "obstacle/cab"
    assert res.location.geom_type == "Polygon"
    assert res.location.intersects(cab.geometry)
    assert res.location.area < 2.0 * 0.6          # the stretch, not the whole walkway


def test_width_and_narrowing_judges_split_the_work() -> None:
    long_terrace = feat("obstacle", "t", box(5, 0, 17, 0.7), kind="terrace")   # 12 m at 1.30
    w, ctx = _walk30(long_terrace)
    [width] = run("clear_width", w, ctx, judge="width", **TIERS)
    [narrow] = run("clear_width", w, ctx, judge="narrowings", **TIERS)
    [both] = run("clear_width", w, ctx, judge="all", **TIERS)
    assert width.outcome is Outcome.FAIL and width.data["length_m"] == pytest.approx(12, abs=0.01)
    assert narrow.outcome is Outcome.PASS
    assert both.outcome is Outcome.FAIL


def test_no_tolerance_fails_every_narrowing() -> None:
    w, ctx = _walk30(feat("obstacle", "p", box(10, 0, 10.15, 0.6), kind="pole"),
                     feat("obstacle", "q", box(20, 0, 20.15, 0.6), kind="pole"))
    results = run("clear_width", w, ctx, min_m=1.5)
    assert [r.outcome for r in results] == [Outcome.FAIL, Outcome.FAIL]
    assert {r.data["obstacles"] for r in results} == {"obstacle/p", "obstacle/q"}


def test_warn_below_preferred_width_over_whole_walkway() -> None:
    w = feat("walkway", "w", box(0, 0, 20, 1.6))
    ctx = context(w)
    [res] = run("clear_width", w, ctx, warn_min_m=1.8, **TIERS)
    assert res.outcome is Outcome.WARN and res.required == 1.8


def test_clear_width_params_are_validated() -> None:
    ct = get("clear_width")
    with pytest.raises(ValueError):
        ct.params.model_validate({"min_m": 1.5, "short_narrowing_min_m": 1.6})
    with pytest.raises(ValueError):
        ct.params.model_validate({"min_m": 1.5, "warn_min_m": 1.2})
    with pytest.raises(ValueError):
        ct.params.model_validate({"min_m": 1.5, "short_narrowing_min_m": 1.2,
                                  "long_narrowing_min_m": 1.0})


# -- obstruction, free height, agreement ----------------------------------------------------------------
def test_obstruction_without_obstacles_at_section_uses_attribute() -> None:
    w = feat("walkway", "w", LineString([(0, 0), (20, 0)]), total_width_m=1.8, width_m=1.2)
    ctx = context(w)
    res = run("obstruction", w, ctx, max_m=0.5)[0]
    assert res.outcome is Outcome.FAIL and res.measured == pytest.approx(0.6)
    assert res.location is None and res.data["obstacles"]["nl"].startswith("geen obstakel")


def test_free_height_objects() -> None:
    w = feat("walkway", "w", WALK)
    far_tree = feat("vegetation", "far", Point(10, 5), kind="tree", canopy_base_m=1.0)  # 3 m off
    hedge = feat("vegetation", "hedge", box(5, 0, 8, 0.5), kind="hedge", height_m=1.0)
    standing = feat("obstacle", "bin", Point(3, 1), kind="bin")
    sign = feat("obstacle", "sign", box(12, 1.5, 12.5, 2.0), kind="sign", free_height_m=2.05)
    ctx = context(w, far_tree, hedge, standing, sign)
    [res] = run("free_height", w, ctx, min_m=2.1)
    assert res.outcome is Outcome.FAIL and res.data["object"] == "obstacle/sign"
    [warn] = run("free_height", w, context(w, sign), min_m=2.0, warn_min_m=2.1)
    assert warn.outcome is Outcome.WARN
    [ok] = run("free_height", w, context(w, far_tree, hedge, standing), min_m=2.1)
    assert ok.outcome is Outcome.PASS and ok.measured is None


def test_geometry_agreement_tolerance_override_and_nothing_to_compare() -> None:
    ramp = feat("ramp", "r", LineString([(0, 0, 0.0), (6, 0, 0.6)]), slope_pct=9.0)
    ctx = context(ramp)
    [warn] = run("geometry_agreement", ramp, ctx)
    assert warn.outcome is Outcome.WARN and warn.property == "slope_pct"
    [ok] = run("geometry_agreement", ramp, ctx, tolerances={"slope_pct": 1.0})
    assert ok.outcome is Outcome.PASS
    flat = feat("ramp", "f", LineString([(0, 0), (6, 0)]), slope_pct=9.0)
    [na] = run("geometry_agreement", flat, context(flat))
    assert na.outcome is Outcome.NOT_APPLICABLE
    with pytest.raises(ValueError):
        get("geometry_agreement").params.model_validate({"properties": ["colour"]})


def test_default_obstacle_layers() -> None:
    assert OBSTACLE_LAYERS == ("obstacle", "bench", "light", "vegetation", "stop")


# -- the rectangle fast path agrees with the general cross-section method -------------------------------
@pytest.mark.parametrize("seed", range(12))
def test_rectangle_fast_path_matches_general_method(seed: int) -> None:
    import numpy as np
    from shapely import affinity

    from inclusiecheck.geometry.clearwidth import clear_width, obstacle_footprint

    rng = np.random.default_rng(seed)
    width, length = rng.uniform(1.2, 3.0), rng.uniform(6, 30)
    obstacles = []
    for k in range(int(rng.integers(1, 5))):
        if k % 2:
            x = rng.uniform(-0.5, length)
            obstacles.append(feat("obstacle", f"b{k}", box(x, rng.uniform(-0.3, width - 0.3),
                                                           x + rng.uniform(0.1, 4.0),
                                                           rng.uniform(0.2, width + 0.3)),
                                  kind="cabinet"))
        else:
            obstacles.append(feat("obstacle", f"p{k}", Point(rng.uniform(0, length),
                                                             rng.uniform(0, width)),
                                  kind="bin", size_m=float(rng.uniform(0.1, 0.9))))
    angle, dx, dy = rng.uniform(0, 360), 150000.0, 200000.0

    def place(g):  # type: ignore[no-untyped-def]
        return affinity.translate(affinity.rotate(g, angle, origin=(0, 0)), dx, dy)

    walk = place(box(0, 0, length, width))
    placed = [feat("obstacle", o.id, place(o.geometry), **o.attrs) for o in obstacles]
    w = feat("walkway", "w", walk)
    ctx = context(w, *placed)
    fast = clear_width_result(w, ctx, min_required_m=1.5)
    prints = [obstacle_footprint(o.geometry, o.attrs.get("size_m"), o.attrs.get("kind"))
              for o in placed]
    general = clear_width(walk, prints, min_required_m=1.5)
    assert fast.min_width_m == pytest.approx(general.min_width_m, abs=3e-3)
    assert fast.gross_width_m == pytest.approx(width, abs=1e-4)
    assert len(fast.narrowings) == len(general.narrowings)
    # the two may walk the walkway in opposite directions: compare in a common order
    def along(n):  # type: ignore[no-untyped-def]
        return n.geometry.centroid.distance(walk.exterior.interpolate(0))

    for a, b in zip(sorted(fast.narrowings, key=along), sorted(general.narrowings, key=along)):
        assert a.geometry.intersects(b.location)
        assert a.length_m == pytest.approx(b.length_m, abs=0.02)
        assert a.width_m == pytest.approx(b.width_m, abs=3e-3)
