"""Synthetic plans of N features for benchmarks (a street grid in Belgian Lambert 72).

``make_plan(folder, n_features, seed=1)`` writes ``plan.gpkg`` (one layer per feature kind,
data-profile names) plus ``plan.yaml`` and returns its path. The mix per grid block: sidewalk
polygons and centre lines, a crossing, obstacles in the sidewalk, lights, a bench, sometimes a
stop, an entrance, a ramp, now and then a toilet and a square. Deterministic for a given seed.

``make_plan(..., full=True)`` ("a city") adds what the social-safety measures need, so that
every measure runs: per block a building (its front façade carries the entrance; height,
active frontage, public, use), a garden wall beside the sidewalk (opaque or not), a hedge beside
the footpath (low, tall or of unknown height), shrubs, a tree at the sidewalk's edge (crown
base), sometimes a parking lot, a lawn or an underpass. The extra kinds draw from their own
random stream, so the plan without ``full`` is exactly what it was (``tests/golden`` compares
the findings on it byte for byte).
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

#: the extra layers of ``full=True`` (data-profile names)
CITY_SCHEMAS = {
    "building": ({"id": "str", "height_m": "float", "active_frontage": "bool", "public": "bool",
                  "building_area_m2": "float", "use": "str"}, "Polygon"),
    "wall": ({"id": "str", "height_m": "float"}, "LineString"),
    "vegetation": ({"id": "str", "kind": "str", "height_m": "float", "canopy_base_m": "float",
                    "size_m": "float"}, "Unknown"),
    "parking": ({"id": "str", "bays": "int", "accessible_bays": "int", "public": "bool",
                 "reserved": "bool"}, "Polygon"),
    "underpass": ({"id": "str", "width_m": "float", "height_m": "float", "lit": "bool"},
                  "LineString"),
}


def _features(n_features: int, seed: int,
              full: bool = False) -> dict[str, list[tuple[dict, object]]]:
    rng = random.Random(seed)
    city = random.Random(seed * 7919 + 17)   # the extra kinds: the base stream stays the same
    schemas = {**SCHEMAS, **CITY_SCHEMAS} if full else SCHEMAS
    layers: dict[str, list[tuple[dict, object]]] = {k: [] for k in schemas}
    count = 0
    side = max(1, int((n_features / (14.0 if full else 8.5)) ** 0.5) + 1)
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
            if full:
                count += _city_block(layers, city, x, y, width, i, j)
    return layers


def _city_block(layers: dict[str, list[tuple[dict, object]]], rng: random.Random, x: float,
                y: float, width: float, i: int, j: int) -> int:
    """The extra features of one block of the city plan; returns how many."""
    b = f"{i}-{j}"
    n = 0
    front = y + width + 5   # the building line: the entrance of the base plan stands on it
    if (i + j) % 25 != 0:   # no building on a square
        layers["building"].append(({"id": f"bu{b}", "height_m": rng.choice([6.0, 9.0, 12.0, 15.0]),
                                    "active_frontage": rng.random() > 0.4,
                                    "public": (i + j) % 3 == 0, "building_area_m2": 500.0,
                                    "use": rng.choice(["other", "housing"])},
                                   box(x + 12, front, x + 38, front + rng.choice([12, 16, 20]))))
        n += 1
    # a garden wall 2 m behind the sidewalk: a hiding place behind it when it is opaque
    layers["wall"].append(({"id": f"wa{b}", "height_m": rng.choice([1.0, 1.2, 2.0, 2.4])},
                           LineString([(x + 40, y + width + 2), (x + 52, y + width + 2),
                                       (x + 52, y + width + 9)])))
    n += 1
    # a hedge 2 m beside the footpath: low, tall, or of unknown height
    layers["vegetation"].append(({"id": f"he{b}", "kind": "hedge",
                                  "height_m": rng.choice([0.8, 1.3, 1.8, 2.2, None])},
                                 LineString([(x + 2, y + 15), (x + 2, y + 15 + rng.choice([10, 20]))])))
    layers["vegetation"].append(({"id": f"tr{b}", "kind": "tree", "size_m": 0.8,
                                  "canopy_base_m": rng.choice([1.8, 2.2, 3.0])},
                                 Point(x + 46, y + width + 1.2)))
    n += 2
    if rng.random() < 0.5:
        layers["vegetation"].append(({"id": f"sh{b}", "kind": "shrubs",
                                      "height_m": rng.choice([0.9, 1.5, 2.5])},
                                     box(x + 43, y + 25, x + 51, y + 31)))
        n += 1
    if (i + j) % 7 == 3:
        layers["vegetation"].append(({"id": f"la{b}", "kind": "lawn"},
                                     box(x + 40, y + 36, x + 54, y + 50)))
        n += 1
    if (i + j) % 5 == 1:
        bays = rng.choice([10, 20, 40])
        layers["parking"].append(({"id": f"pa{b}", "bays": bays,
                                   "accessible_bays": rng.choice([0, 1, 2]), "public": True,
                                   "reserved": rng.random() > 0.3},
                                  box(x + 14, y + 44, x + 36, y + 54)))
        n += 1
    if (i + j) % 40 == 7:
        layers["underpass"].append(({"id": f"up{b}", "width_m": rng.choice([2.5, 3.0, 4.0]),
                                     "height_m": rng.choice([2.3, 2.6]), "lit": True},
                                    LineString([(x + 56, y + 12), (x + 56, y + 30),
                                                (x + 58, y + 42)])))
        n += 1
    return n


def make_plan(folder: Path, n_features: int, seed: int = 1, full: bool = False) -> Path:
    """Write a synthetic GeoPackage of about ``n_features`` features; return its path.

    ``full=True``: the city plan, with buildings, walls, vegetation, parking and underpasses
    as well (see the module docstring)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "plan.gpkg"
    if path.exists():
        path.unlink()
    crs = CRS.from_epsg(31370)
    schemas = {**SCHEMAS, **CITY_SCHEMAS}
    for layer, items in _features(n_features, seed, full).items():
        if not items:
            continue
        props, gtype = schemas[layer]
        schema = {"geometry": gtype, "properties": props}
        with fiona.open(path, "w", driver="GPKG", layer=layer, schema=schema, crs=crs) as dst:
            dst.writerecords({"geometry": mapping(geom),
                              "properties": {k: p.get(k) for k in props}} for p, geom in items)
    (folder / "plan.yaml").write_text("work_kind: renovation\nbuilt_up_area: true\n"
                                      "permit_date: 2026-11-01\n", encoding="utf-8")
    return path
