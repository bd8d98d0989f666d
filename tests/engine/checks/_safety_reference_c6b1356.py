"""Reference copies of the per-feature social-safety checks as they were at commit c6b1356.

Commit 6b585a2 (merge of branch ``svrest``) turned SV-03 (``semicylindrical_lighting``),
SV-07 (``vegetation_height``), SV-08 (``canopy_clearance``) and SV-09 (``active_frontage``)
in :mod:`inclusiecheck.engine.checks.safety` into batch checks, promising the same findings
as before. ``test_safety_batch.py`` compares the batch path with the *new* code run one
feature at a time, which cannot show a departure from the *old* behaviour. This module keeps
the old per-feature functions so that ``test_safety_reference.py`` can compare the new batch
results with them.

The function bodies below are verbatim copies from
``git show c6b1356:inclusiecheck/engine/checks/safety.py`` (``semicylindrical_lighting``,
``_walk_reach``, ``vegetation_height``, ``canopy_clearance``, ``_runs``, ``_eyes``,
``active_frontage``). Everything they use that 6b585a2 left unchanged (the parameter classes,
``plan_lights``, ``_near_lights``, ``occluders_for``, ``_frontage_buildings``,
``_stations``, ``_union``, ``_text``, ``_num``, ``_nl``, ``_en``, ``grid_points`` and the
other lighting functions) is imported from the current modules. ``check_type`` only builds an
unregistered :class:`~inclusiecheck.engine.checks.api.CheckType` here (``.run`` gives the
same list of results the evaluator saw); nothing is added to the check registry.

Keep this module unchanged: it is the reference of the old behaviour, not code to maintain.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import shapely
import shapely.ops
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry

from inclusiecheck.engine.checks.api import (
    CheckContext,
    CheckResult,
    absence_unproven,
    check_type,
)
from inclusiecheck.engine.checks.safety import (
    ActiveFrontageParams,
    CanopyClearanceParams,
    PlanOccluders,
    SemicylindricalParams,
    VegetationHeightParams,
    _en,
    _frontage_buildings,
    _near_lights,
    _nl,
    _num,
    _stations,
    _text,
    _union,
    occluders_for,
    plan_lights,
)
from inclusiecheck.geometry.lighting import (
    grid_points,
    path_directions,
    semicylindrical_illuminance,
)
from inclusiecheck.model import Feature, Outcome

__all__ = ["active_frontage", "canopy_clearance", "semicylindrical_lighting",
           "vegetation_height"]


# --- verbatim from c6b1356:inclusiecheck/engine/checks/safety.py ----------------------------

@check_type("semicylindrical_lighting", params=SemicylindricalParams)
def semicylindrical_lighting(feature: Feature, params: SemicylindricalParams,
                             ctx: CheckContext) -> Iterable[CheckResult]:
    """Semi-cylindrical illuminance at face height (recognising faces), along main routes."""
    lights = plan_lights(ctx)
    if lights is None:
        if params.min_lx is None:
            return []
        return [ctx.missing("light")]
    geom = feature.geometry
    if feature.geom_type == "Point":
        return []
    pts = grid_points(geom, params.spacing_m)
    if len(pts) == 0:
        return []
    dirs = path_directions(geom, pts)
    scenario = "evening" if params.scenario == "evening" else f"night@{params.time}"
    near = _near_lights(lights, geom)
    esc = semicylindrical_illuminance(pts, near, face_height_m=params.face_height_m,
                                      view_directions=dirs,
                                      maintenance_factor=params.maintenance_factor,
                                      scenario=scenario)
    emin, eavg = float(esc.min()), float(esc.mean())
    data = {"esc_min_lx": round(emin, 2), "esc_avg_lx": round(eavg, 2),
            "face_height_m": params.face_height_m, "scenario": scenario}
    if params.min_lx is None:
        return [CheckResult(Outcome.PASS, property="semicylindrical_min_lx",
                            measured=round(emin, 2), unit="lx", data=data, note=_text(
                                "Ter informatie: er is geen bevestigde minimumwaarde; "
                                "beoordeeld zodra een regelset er een vastlegt.",
                                "For information: there is no confirmed minimum; judged once a "
                                "rule set sets one."))]
    location = None
    if emin < params.min_lx:
        low = pts[esc < params.min_lx]
        location = shapely.union_all(shapely.buffer(shapely.points(low), params.spacing_m / 2))
    result = ctx.compare("semicylindrical_min_lx", round(emin, 2), min_value=params.min_lx,
                         unit="lx", location=location, data=data)
    return [result if ctx.model.layer_complete("light") else absence_unproven(result, "light")]


def _walk_reach(ctx: CheckContext, geom: BaseGeometry, distance_m: float,
                layers: tuple[str, ...] = ("walkway",)) -> list[tuple[Feature, BaseGeometry]]:
    """Walkways within ``distance_m`` of the walking surface's edge, with that reach zone.

    A line walkway's surface is its centre line buffered by half its ``width_m`` (1 m when
    unknown); a polygon walkway is its surface.
    """
    out = []
    for layer in layers:
        for w in ctx.model.near(layer, geom, distance_m + 5.0):
            half = 0.0
            if w.geom_type == "LineString":
                half = (_num(w.attrs.get("width_m")) or 2.0) / 2
            zone = w.geometry.buffer(half + distance_m) if half + distance_m > 0 else w.geometry
            if zone.intersects(geom):
                out.append((w, zone))
    return out


@check_type("vegetation_height", params=VegetationHeightParams)
def vegetation_height(feature: Feature, params: VegetationHeightParams,
                      ctx: CheckContext) -> CheckResult:
    """Hedges and shrubs beside a path above the maximum height."""
    near = _walk_reach(ctx, feature.geometry, params.near_m)
    if not near:
        return CheckResult(Outcome.NOT_APPLICABLE, property="height_m", note=_text(
            f"Niet binnen {_nl(params.near_m)} m van een looppad.",
            f"Not within {_en(params.near_m)} m of a walkway."))
    height = _num(ctx.value(feature, "height_m"))
    if height is None:
        return ctx.missing("height_m")
    zone = shapely.union_all([z for _, z in near])
    part = feature.geometry.intersection(zone)
    return ctx.compare("height_m", height, max_value=params.max_m, unit="m",
                       location=part if not part.is_empty and height > params.max_m else None,
                       data={"walkway": ", ".join(w.id for w, _ in near)})


@check_type("canopy_clearance", params=CanopyClearanceParams)
def canopy_clearance(feature: Feature, params: CanopyClearanceParams,
                     ctx: CheckContext) -> CheckResult:
    """Tree crowns lower than the minimum free height over paths."""
    crown = feature.geometry
    if feature.geom_type != "Polygon":
        crown = crown.buffer(params.crown_radius_m) if params.crown_radius_m > 0 else crown
    near = _walk_reach(ctx, crown, 0.0)
    if not near:
        return CheckResult(Outcome.NOT_APPLICABLE, property="canopy_base_m", note=_text(
            "De kruin hangt niet boven een looppad.", "The crown does not reach over a walkway."))
    base = _num(ctx.value(feature, "canopy_base_m"))
    if base is None:
        return ctx.missing("canopy_base_m")
    over = crown.intersection(shapely.union_all([z for _, z in near]))
    return ctx.compare("canopy_base_m", base, min_value=params.min_m, unit="m",
                       location=over if base < params.min_m and not over.is_empty else None,
                       data={"walkway": ", ".join(w.id for w, _ in near)})



def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    if not mask.any():
        return []
    m = np.r_[False, mask, False].astype(np.int8)
    d = np.diff(m)
    return list(zip(np.flatnonzero(d == 1).tolist(), (np.flatnonzero(d == -1) - 1).tolist()))


def _eyes(ctx: CheckContext, pts: np.ndarray, params: ActiveFrontageParams,
          occ: PlanOccluders, want: bool | None) -> np.ndarray:
    """Which stations see a building whose ``active_frontage`` is ``want`` (None: unknown)."""
    buildings, tree = _frontage_buildings(ctx, want)
    seen = np.zeros(len(pts), dtype=bool)
    if not buildings or len(pts) == 0:
        return seen
    points = shapely.points(pts)
    st, bi = tree.query(points, predicate="dwithin", distance=params.within_m)
    if len(st) == 0:
        return seen
    if want is None:
        seen[st] = True
        return seen
    lines = shapely.shortest_line(points[st], np.array([buildings[i].geometry for i in bi]))
    blocked = np.zeros(len(st), dtype=bool)
    if len(occ.index):
        # shorten each sight line by 1 cm at both ends: touching an occluder at the station or
        # next to the target point does not block
        ab = shapely.get_coordinates(lines).reshape(-1, 2, 2)
        vec = ab[:, 1] - ab[:, 0]
        length = np.hypot(vec[:, 0], vec[:, 1])
        unit = np.where(length[:, None] > 0, vec / np.where(length > 0, length, 1)[:, None], 0)
        eps = np.minimum(0.01, length / 3)[:, None]
        short = shapely.linestrings(np.stack([ab[:, 0] + unit * eps, ab[:, 1] - unit * eps],
                                             axis=1))
        li, part = occ.index.tree.query(short, predicate="intersects")
        if len(li):
            own = np.array([occ.feature_of(p) is buildings[bi[line_i]]
                            for line_i, p in zip(li, part)], dtype=bool)
            blocked[li[~own]] = True
    seen[st[~blocked]] = True
    return seen


@check_type("active_frontage", params=ActiveFrontageParams)
def active_frontage(feature: Feature, params: ActiveFrontageParams,
                    ctx: CheckContext) -> CheckResult:
    """Long stretches of path with no active frontage in view ("no eyes on the street")."""
    if feature.geom_type != "LineString":
        return CheckResult(Outcome.NOT_APPLICABLE, property="no_frontage_m", note=_text(
            "Getekend als vlak: teken de aslijn.", "Drawn as a surface: draw the centre line."))
    complete = ctx.model.layer_complete("building")
    if not ctx.model.has_layer("building") and not complete:
        return CheckResult(Outcome.TO_VERIFY, property="no_frontage_m", missing=("building",),
                           note=_text("Het plan tekent geen gebouwen rond het pad.",
                                      "The plan draws no buildings around the path."))
    occ = occluders_for(feature, ctx, params.eye_height_m)
    line: LineString = feature.geometry  # type: ignore[assignment]
    s, step = _stations(line, params.step_m)
    pts = shapely.get_coordinates(shapely.line_interpolate_point(line, s))
    eyes = _eyes(ctx, pts, params, occ, True)
    maybe = _eyes(ctx, pts, params, occ, None)
    stretches = []
    longest = 0.0
    unsure = False
    for a, b in _runs(~eyes):
        s0 = max(0.0, s[a] - step / 2)
        s1 = min(line.length, s[b] + step / 2)
        longest = max(longest, s1 - s0)
        if s1 - s0 > params.max_stretch_m + 1e-9:
            stretches.append(shapely.ops.substring(line, s0, s1))
            if maybe[a:b + 1].any():
                unsure = True
    data = {"stretches": len(stretches)}
    if stretches and unsure:
        return CheckResult(Outcome.TO_VERIFY, property="no_frontage_m",
                           measured=round(longest, 1), required=params.max_stretch_m, unit="m",
                           missing=("active_frontage",), location=_union(stretches), data=data)
    result = ctx.compare("no_frontage_m", round(longest, 1), max_value=params.max_stretch_m,
                         unit="m", location=_union(stretches), data=data)
    return result if complete else absence_unproven(result, "building")
