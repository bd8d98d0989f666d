"""Synthetic plans of N features for benchmarks (a street grid in Belgian Lambert 72).

``make_plan(folder, n_features, seed=1)`` writes ``plan.gpkg`` (one layer per feature kind,
data-profile names) plus ``plan.yaml`` and returns its path. The mix per grid block: sidewalk
polygons and centre lines, a crossing, obstacles in the sidewalk, lights, a bench, sometimes a
stop, an entrance, a ramp, a parking lot. Deterministic for a given seed.
"""

from __future__ import annotations

import random
from pathlib import Path

import fiona
from fiona.crs import CRS
from shapely.geometry import LineString, Point, box, mapping

X0, Y0 = 150000.0, 200000.0
BLOCK = 60.0  # metres between street axes

SCHEMAS = {
    "walkway": ({"id": "str", "kind": "str", "width_m": "float", "total_width_m": "float",
                 "surface": "str", "lit": "bool", "main_route": "bool"}, "Unknown"),
    "obstacle": ({"id": "str", "kind": "str", "size_m": "float", "height_m": "float"}, "Unknown"),
    "crossing": ({"id": "str", "kerb_height_cm": "float", "tactile_paving": "bool"}, "LineString"),
    "light": ({"id": "str", "mounting_height_m": "float", "luminous_flux_lm": "float"}, "Point"),
    "bench": ({"id": "str", "backrest": "bool", "armrests": "bool"}, "Point"),
    "stop": ({"id": "str", "mode": "str", "platform_height_cm": "float",
              "tactile_guidance": "bool", "boarding_tactile": "bool", "shelter": "bool",
              "seating": "bool", "lit": "bool"}, "Point"),
    "entrance": ({"id": "str", "door_width_cm": "float", "threshold_cm": "float",
                  "turning_space_m": "float", "handle_side_clearance_cm": "float",
                  "public": "bool", "building_area_m2": "float"}, "Point"),
    "ramp": ({"id": "str", "rise_cm": "float", "slope_pct": "float", "width_m": "float",
              "handrail": "str"}, "LineString"),
    "toilet": ({"id": "str", "public": "bool", "accessible": "bool", "changing_table": "str"},
               "Point"),
    "area": ({"id": "str", "kind": "str"}, "Polygon"),
}


def _features(n_features: int, seed: int) -> dict[str, list[tuple[dict, object]]]:
    rng = random.Random(seed)
    layers: dict[str, list[tuple[dict, object]]] = {k: [] for k in SCHEMAS}
    count = 0
    side = max(1, int((n_features / 8.5) ** 0.5) + 1)
    for i in range(side):
        for j in range(side):
            if count >= n_features:
                break
            x, y = X0 + i * BLOCK, Y0 + j * BLOCK
            b = f"{i}-{j}"
            width = rng.choice([1.6, 1.8, 2.2, 2.5, 3.0])
            poly = box(x + 5, y, x + BLOCK - 5, y + width)
            layers["walkway"].append(({"id": f"wp{b}", "kind": "sidewalk", "total_width_m": width,
                                       "surface": "concrete", "lit": True, "main_route": False},
                                      poly))
            layers["walkway"].append(({"id": f"wl{b}", "kind": "footpath",
                                       "width_m": rng.choice([1.2, 1.5, 1.8]),
                                       "surface": rng.choice(["asphalt", "gravel", "paving_stones"]),
                                       "lit": rng.random() > 0.2, "main_route": rng.random() > 0.7},
                                      LineString([(x, y + 5), (x, y + BLOCK - 5)])))
            for k in range(2):
                ox = x + 10 + rng.random() * (BLOCK - 20)
                layers["obstacle"].append(({"id": f"ob{b}-{k}",
                                            "kind": rng.choice(["pole", "bin", "cabinet", "sign"]),
                                            "size_m": rng.choice([0.2, 0.5, 0.7]),
                                            "height_m": 1.2}, Point(ox, y + 0.3)))
            layers["crossing"].append(({"id": f"cr{b}", "kerb_height_cm": rng.choice([0, 2, 4]),
                                        "tactile_paving": rng.random() > 0.4},
                                       LineString([(x + 2, y - 8), (x + 2, y)])))
            for k in range(3):
                layers["light"].append(({"id": f"li{b}-{k}", "mounting_height_m": 6,
                                         "luminous_flux_lm": 5000},
                                        Point(x + 10 + k * 20, y + width + 0.3)))
            layers["bench"].append(({"id": f"be{b}", "backrest": rng.random() > 0.3,
                                     "armrests": rng.random() > 0.5},
                                    Point(x + 30, y + width + 1)))
            count += 9  # 2 walkways, 2 obstacles, 1 crossing, 3 lights, 1 bench
            if (i + j) % 4 == 0:
                layers["stop"].append(({"id": f"st{b}", "mode": "bus",
                                        "platform_height_cm": rng.choice([12, 15, 18]),
                                        "tactile_guidance": rng.random() > 0.5,
                                        "boarding_tactile": rng.random() > 0.5, "shelter": True,
                                        "seating": True, "lit": True},
                                       Point(x + 40, y - 0.5)))
                count += 1
            if (i + j) % 3 == 0:
                layers["entrance"].append(({"id": f"en{b}",
                                            "door_width_cm": rng.choice([80, 90, 105]),
                                            "threshold_cm": rng.choice([0, 2, 4]),
                                            "turning_space_m": 1.5,
                                            "handle_side_clearance_cm": 50, "public": True,
                                            "building_area_m2": 500},
                                           Point(x + 20, y + width + 5)))
                layers["ramp"].append(({"id": f"ra{b}", "rise_cm": rng.choice([8, 20, 40]),
                                        "slope_pct": rng.choice([5, 7, 9]), "width_m": 1.3,
                                        "handrail": "both_sides"},
                                       LineString([(x + 22, y + width + 1),
                                                   (x + 22, y + width + 4.5)])))
                count += 2
            if (i + j) % 25 == 0:
                layers["toilet"].append(({"id": f"to{b}", "public": True, "accessible": True,
                                          "changing_table": "all"}, Point(x + 45, y + 10)))
                layers["area"].append(({"id": f"ar{b}", "kind": "square"},
                                       box(x + 8, y + 8, x + BLOCK - 8, y + BLOCK - 8)))
                count += 2
    return layers


def make_plan(folder: Path, n_features: int, seed: int = 1) -> Path:
    """Write a synthetic GeoPackage of about ``n_features`` features; return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "plan.gpkg"
    if path.exists():
        path.unlink()
    crs = CRS.from_epsg(31370)
    for layer, items in _features(n_features, seed).items():
        if not items:
            continue
        props, gtype = SCHEMAS[layer]
        schema = {"geometry": gtype, "properties": props}
        with fiona.open(path, "w", driver="GPKG", layer=layer, schema=schema, crs=crs) as dst:
            dst.writerecords({"geometry": mapping(geom),
                              "properties": {k: p.get(k) for k in props}} for p, geom in items)
    (folder / "plan.yaml").write_text("work_kind: renovation\nbuilt_up_area: true\n"
                                      "permit_date: 2026-11-01\n", encoding="utf-8")
    return path
