"""Plans for the parallel-check tests: one whose features straddle a tile border with reaches
across it, and the sample replicated side by side (every kind of feature, many tiles)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

X0, Y0 = 150000.0, 200000.0
#: the tile size that puts the border of the first two columns at x = X0 + 50
TILE_M = 50.0


def _feature(layer: str, fid: str, geometry: dict[str, Any], **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"layer": layer, "id": fid, **props},
            "geometry": geometry}


def _point(x: float, y: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [X0 + x, Y0 + y]}


def _line(*xy: tuple[float, float]) -> dict[str, Any]:
    return {"type": "LineString", "coordinates": [[X0 + x, Y0 + y] for x, y in xy]}


def _box(x0: float, y0: float, x1: float, y1: float) -> dict[str, Any]:
    ring = [[X0 + x0, Y0 + y0], [X0 + x1, Y0 + y0], [X0 + x1, Y0 + y1], [X0 + x0, Y0 + y1],
            [X0 + x0, Y0 + y0]]
    return {"type": "Polygon", "coordinates": [ring]}


def straddling_plan(folder: Path) -> Path:
    """A plan cut by the tile border x = X0 + 50 (with ``tile_size_m=TILE_M``): every pair
    below has its feature on the west side and what its rules read on the east side."""
    features = [
        # anchors the grid at X0, Y0
        _feature("bench", "anchor", _point(0, 0), backrest=True, armrests=True),
        # a sidewalk (representative point west) narrowed by a pole east of the border
        _feature("walkway", "sidewalk-long", _box(10, 10, 80, 12), kind="sidewalk",
                 surface="concrete", total_width_m=2.0),
        _feature("obstacle", "pole-east", _point(70, 11.2), kind="pole", size_m=0.6,
                 height_m=2.5),
        # a path lit only by lamps east of the border
        _feature("walkway", "path-west", _line((5, 30), (45, 30)), kind="park_path",
                 width_m=2.0, surface="asphalt", lit=True),
        _feature("light", "lamp-east-1", _point(55, 31), mounting_height_m=4,
                 luminous_flux_lm=4000),
        _feature("light", "lamp-east-2", _point(65, 31), mounting_height_m=4,
                 luminous_flux_lm=4000),
        # a lamp far away with the largest reach of the plan (the lighting checks take every
        # lamp within that reach into account)
        _feature("light", "mast-far", _point(400, 400), mounting_height_m=12,
                 luminous_flux_lm=30000),
        # a hedge east of the border beside a path west of it (hidden corners, hedge height)
        _feature("walkway", "path-hedge", _line((20, 55), (48, 55), (48, 70)),
                 kind="footpath", width_m=1.8, surface="asphalt"),
        _feature("vegetation", "hedge-east", _box(50.5, 56, 53, 72), kind="hedge",
                 height_m=2.2),
        # a building across the border, its public entrance and ramp west of it
        _feature("building", "townhall", _box(40, 80, 75, 100), name="Townhall",
                 height_m=9.0, active_frontage=True),
        _feature("entrance", "townhall-door", _point(45, 80), public=True,
                 building_area_m2=500, door_width_cm=95, threshold_cm=1),
        _feature("ramp", "townhall-ramp", _line((45, 74), (45, 79.5)), rise_cm=30,
                 slope_pct=6, width_m=1.3, handrail="both_sides"),
        # a stop west of the border, its bench and guide line east of it
        _feature("stop", "stop-west", _point(48, 120), mode="bus", platform_height_cm=18,
                 shelter=True),
        _feature("bench", "bench-east", _point(56, 121), backrest=True, armrests=False),
        _feature("tactile", "guide-east", _box(50.2, 119.5, 51.0, 120.5), kind="guide_line"),
        # a crossing west of the border, its warning strip 1.2 m east of it
        _feature("crossing", "crossing-west", _line((49, 140), (49, 146)), kerb_height_cm=2),
        _feature("tactile", "strip-east", _box(50.2, 140, 51.0, 146), kind="warning"),
    ]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "plan.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection",
                                "crs": {"type": "name",
                                        "properties": {"name": "urn:ogc:def:crs:EPSG::31370"}},
                                "features": features}), encoding="utf-8")
    (folder / "plan.yaml").write_text("permit_date: 2026-11-15\nwork_kind: renovation\n"
                                      "built_up_area: true\n", encoding="utf-8")
    return path


def _shift(coords: Any, dx: float, dy: float) -> Any:
    if coords and isinstance(coords[0], (int, float)):
        return [coords[0] + dx, coords[1] + dy, *coords[2:]]
    return [_shift(c, dx, dy) for c in coords]


def replicated_sample(sample: Path, folder: Path, nx: int = 2, ny: int = 2,
                      step_m: float = 130.0) -> Path:
    """The sample plan ``nx`` x ``ny`` times, ``step_m`` apart (copies' ids get ``~ij``)."""
    folder.mkdir(parents=True, exist_ok=True)
    for source in sorted(sample.glob("*.geojson")):
        data = json.loads(source.read_text(encoding="utf-8"))
        out = []
        for i in range(nx):
            for j in range(ny):
                for feature in data["features"]:
                    copy = json.loads(json.dumps(feature))
                    copy["geometry"]["coordinates"] = _shift(copy["geometry"]["coordinates"],
                                                             i * step_m, j * step_m)
                    if i or j:
                        copy["properties"]["id"] = f"{copy['properties']['id']}~{i}{j}"
                    out.append(copy)
        data["features"] = out
        (folder / source.name).write_text(json.dumps(data), encoding="utf-8")
    shutil.copy(sample / "plan.yaml", folder / "plan.yaml")
    return folder
