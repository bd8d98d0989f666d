"""Regenerate the sample plan ``samples/marktplein/`` (one GeoJSON file per layer).

The sample is a redesign of a small Flemish market square in Belgian Lambert 72
(EPSG:31370). Local coordinates below are metres from the plan's south-west corner; the
origin is placed at (157000, 190000). The deliberate problems are documented in
``samples/README.md`` — keep both in step when you change this file.

Run: ``python samples/make_marktplein.py``
"""

from __future__ import annotations

import json
from pathlib import Path

X0, Y0 = 157000.0, 190000.0
OUT = Path(__file__).resolve().parent / "marktplein"
CRS = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::31370"}}


def pt(x: float, y: float, z: float | None = None) -> list[float]:
    p = [round(X0 + x, 3), round(Y0 + y, 3)]
    if z is not None:
        p.append(z)
    return p


def rect(x0: float, y0: float, x1: float, y1: float) -> dict:
    ring = [pt(x0, y0), pt(x1, y0), pt(x1, y1), pt(x0, y1), pt(x0, y0)]
    return {"type": "Polygon", "coordinates": [ring]}


def line(*coords: tuple) -> dict:
    return {"type": "LineString", "coordinates": [pt(*c) for c in coords]}


def point(x: float, y: float) -> dict:
    return {"type": "Point", "coordinates": pt(x, y)}


LAYERS: dict[str, list[tuple[dict, dict]]] = {
    "area": [
        ({"id": "plangebied", "kind": "plan_boundary", "name": "Plangebied Marktplein"},
         rect(0, 0, 100, 80)),
        ({"id": "marktplein", "kind": "square", "name": "Marktplein"}, rect(10, 10.5, 70, 50)),
        ({"id": "stadspark", "kind": "park", "name": "Pastorijtuin"}, rect(76, 12, 100, 62)),
    ],
    "building": [
        ({"id": "stadhuis", "name": "Stadhuis", "public": True, "building_area_m2": 850,
          "active_frontage": True, "height_m": 12}, rect(20, 55, 60, 75)),
        ({"id": "woningen-oost", "name": "Woningen", "public": False, "active_frontage": True,
          "height_m": 9}, rect(62, 64, 74, 78)),
        ({"id": "loods", "name": "Loods (bestaand)", "status": "existing", "public": False,
          "active_frontage": False, "height_m": 6}, rect(0, 55, 15, 75)),
    ],
    "walkway": [
        ({"id": "voetpad-zuid", "kind": "sidewalk", "total_width_m": 2.5, "surface": "concrete",
          "cross_slope_pct": 1.5, "slope_pct": 0.5, "lit": True}, rect(0, 8, 100, 10.5)),
        # deliberate problem 1: a 1.80 m sidewalk with a cabinet leaving 1.10 m
        ({"id": "voetpad-oost", "kind": "sidewalk", "total_width_m": 1.8, "surface": "concrete",
          "cross_slope_pct": 2.0, "slope_pct": 1.0, "lit": True}, rect(72, 10.5, 73.8, 62)),
        ({"id": "pleinvloer", "kind": "square_surface", "surface": "paving_stones",
          "cross_slope_pct": 1.0, "slope_pct": 0.5, "lit": True}, rect(10, 10.5, 70, 50)),
        ({"id": "toegang-stadhuis", "kind": "footpath", "access_path": True, "width_m": 1.8,
          "surface": "paving_stones", "slope_pct": 1.0, "cross_slope_pct": 1.5, "lit": True}, line((40, 50), (40, 54.9))),
        # deliberate problem 2: the access path to the side entrance is 1.10 m wide
        ({"id": "toegang-zijingang", "kind": "footpath", "access_path": True, "width_m": "1,10",
          "surface": "paving_stones", "slope_pct": 1.0, "cross_slope_pct": 1.5, "lit": True}, line((25, 50), (25, 54.9))),
        # deliberate problem 3: a park path with no light and a tall hedge beside it
        ({"id": "parkpad", "kind": "park_path", "width_m": 2.0, "total_width_m": 2.0,
          "surface": "concrete", "slope_pct": 2.0, "cross_slope_pct": 1.5, "main_route": True}, line((76, 20), (88, 40), (98, 58))),
    ],
    "crossing": [
        ({"id": "oversteek-west", "kerb_height_cm": 2, "traffic_signals": False,
          "refuge_width_m": None}, line((20, 0.5), (20, 8))),
        # deliberate problem 4: kerb 6 cm high and no tactile paving
        ({"id": "oversteek-oost", "kerb_height_cm": 6, "tactile_paving": "nee",
          "traffic_signals": False}, line((87, 0.5), (87, 8))),
    ],
    "tactile": [
        ({"id": "noppen-west", "kind": "warning", "width_m": 0.6}, rect(18.2, 8.0, 21.8, 8.6)),
        ({"id": "geleidelijn-halte", "kind": "guide_line", "width_m": 0.6},
         line((50, 10.5), (50, 9.0))),
    ],
    "ramp": [
        # deliberate problem 5: 0.40 m rise over 6 m = 6.67 % (max 6.25 % for 25-50 cm)
        ({"id": "helling-stadhuis", "access_path": True, "width_m": 1.3, "handrail": "both_sides",
          "cross_slope_pct": 1.0,
          "wheel_guard": True, "landing_top_m": 1.5, "landing_bottom_m": 1.5},
         {"type": "LineString", "coordinates": [pt(44, 52.5, 0.0), pt(50, 52.5, 0.40)]}),
    ],
    "stairs": [
        ({"id": "trap-stadhuis", "steps": 3, "riser_cm": 13.5, "tread_cm": 32, "width_m": 2.4,
          "handrail": "both_sides", "nosing_contrast": True, "tactile_warning": True}, line((38, 51.5), (38, 54.5))),
    ],
    "entrance": [
        ({"id": "hoofdingang", "door_width_cm": 105, "threshold_cm": 1, "turning_space_m": 1.6,
          "handle_side_clearance_cm": 55, "automatic": True, "revolving": False, "public": True,
          "building_area_m2": 850}, point(40, 55)),
        # deliberate problem 6: a side entrance with 80 cm clear width
        ({"id": "zijingang", "door_width_cm": 80, "threshold_cm": 2, "turning_space_m": 1.5,
          "handle_side_clearance_cm": 50, "automatic": False, "revolving": False,
          "public": True, "building_area_m2": 850}, point(25, 55)),
    ],
    "stop": [
        # deliberate problem 7: platform 12 cm high, no tactile guidance, no boarding tile;
        # the kneeling bus's ramp is 16 % there: accessible with assistance only (HA-12)
        ({"id": "halte-markt", "name": "Mechelen Marktplein", "mode": "bus",
          "platform_height_cm": 12, "platform_width_m": 2.5, "platform_length_m": 18,
          "swing_in": False, "boarding_gradient_pct": 16,
          "tactile_guidance": False, "boarding_tactile": False,
          "shelter": True, "seating": True, "lit": True, "real_time_info": True},
         point(50, 8.2)),
    ],
    "toilet": [
        # deliberate problem 8: the baby-changing table is only in the women's room
        ({"id": "toilet-markt", "public": True, "accessible": True,
          "changing_table": "women_only", "gender_neutral": True, "room_width_m": 2.2,
          "room_length_m": 2.2, "turning_space_m": 1.5, "transfer_space_cm": 90,
          "front_space_cm": 120, "door_width_cm": 90, "free_of_charge": True,
          "opening_hours": "07:00-22:00"}, rect(64, 42, 67, 45)),
    ],
    "bench": [
        ({"id": "bank-1", "backrest": True, "armrests": True, "seat_height_cm": 47},
         point(30, 30)),
        ({"id": "bank-2", "backrest": True, "armrests": True, "seat_height_cm": 47},
         point(50, 30)),
        ({"id": "bank-park", "backrest": True, "armrests": True, "seat_height_cm": 46},
         point(77.9, 18.9)),
    ],
    "light": [
        # street lights on the kerb line of the south sidewalk, clear of the stop's boarding zone
        *[({"id": f"licht-zuid-{i}", "mounting_height_m": 6, "luminous_flux_lm": 6000,
            "size_m": 0.25}, point(x, 8.15)) for i, x in enumerate(range(12, 100, 15), 1)],
        *[({"id": f"licht-plein-{i}", "mounting_height_m": 5, "luminous_flux_lm": 5000,
            "dimmed_pct": 50, "off_hours": None}, point(x, y))
          for i, (x, y) in enumerate([(15, 15), (40, 15), (65, 15), (15, 45), (40, 45),
                                      (65, 45), (27, 30), (53, 30), (36, 52), (22, 52.5)], 1)],
        *[({"id": f"licht-oost-{i}", "mounting_height_m": 6, "luminous_flux_lm": 6000,
            "size_m": 0.25}, point(74.2, y)) for i, y in enumerate(range(20, 62, 15), 1)],
        # a light on a mast arm above each crossing (NL guideline: light every crossing)
        ({"id": "licht-oversteek-west", "mounting_height_m": 8, "luminous_flux_lm": 12000},
         point(20, 4)),
        ({"id": "licht-oversteek-oost", "mounting_height_m": 8, "luminous_flux_lm": 12000},
         point(87, 4)),
    ],
    "obstacle": [
        ({"id": "cabine-oost", "kind": "cabinet", "height_m": 1.4, "contrast": True,
          "has_base": True}, rect(72.0, 29.5, 72.7, 30.5)),
        ({"id": "paal-1", "kind": "bollard", "size_m": 0.15, "height_m": 0.9, "contrast": True,
          "has_base": True}, point(4, 10.3)),
        ({"id": "fietsenrek-plein", "kind": "bike_rack", "height_m": 0.8, "contrast": True,
          "has_base": True}, rect(60, 12, 64, 13)),
    ],
    "vegetation": [
        *[({"id": f"boom-{i}", "kind": "tree", "height_m": 9, "canopy_base_m": 2.6, "size_m": 1.2},
           point(x, y)) for i, (x, y) in enumerate([(20, 22), (60, 22), (20, 40), (60, 40)], 1)],
        # deliberate problem 9: a 2.2 m hedge beside the park path creates a hiding place
        ({"id": "haag-park", "kind": "hedge", "height_m": 2.2},
         {"type": "Polygon", "coordinates": [[pt(80.5, 22.0), pt(81.3, 21.5), pt(89.3, 34.9),
                                              pt(88.5, 35.4), pt(80.5, 22.0)]]}),
        ({"id": "haag-laag", "kind": "hedge", "height_m": 0.6}, rect(10, 51, 19, 52)),
    ],
    "wall": [
        ({"id": "tuinmuur", "height_m": 2.0}, line((76, 62), (100, 62))),
    ],
    "parking": [
        # deliberate problem 10: 30 bays with only one adapted bay (two are required)
        ({"id": "parking-west", "bays": 30, "accessible_bays": 1, "public": True},
         rect(0, 12, 9, 50)),
        ({"id": "voorbehouden-1", "accessible": True, "width_m": 3.5, "length_m": 5.0,
          "arrangement": "perpendicular", "slope_pct": 1.5, "public": True},
         rect(5.5, 45, 9, 50)),
    ],
}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.geojson"):
        old.unlink()
    for layer, items in LAYERS.items():
        features = []
        for given, geom in items:
            props = {k: v for k, v in given.items() if v is not None}
            features.append({"type": "Feature", "properties": props, "geometry": geom})
        data = {"type": "FeatureCollection", "name": layer, "crs": CRS, "features": features}
        (OUT / f"{layer}.geojson").write_text(json.dumps(data, indent=1, ensure_ascii=False)
                                              + "\n", encoding="utf-8")
    (OUT / "plan.yaml").write_text(
        "# Plan metadata (data profile v1, 'Plan metadata')\n"
        "project: Heraanleg Marktplein en Pastorijtuin\n"
        "dossier: OMV_2026123456\n"
        "municipality: Voorbeeldegem\n"
        "applicant: Gemeente Voorbeeldegem\n"
        "designer: Studio Openbare Ruimte (fictief)\n"
        "reviewer: Dienst Omgeving\n"
        "permit_date: 2026-11-15\n"
        "work_kind: renovation\n"
        "built_up_area: true\n"
        "public_building: false\n"
        "crs: EPSG:31370\n",
        encoding="utf-8")


if __name__ == "__main__":
    main()
