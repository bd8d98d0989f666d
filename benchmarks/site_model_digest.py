"""The site models of several plans as one comparable digest, to check that a change to the
readers or the normaliser leaves them identical (old code against new code).

Each digest holds, per plan: the CRS, plan metadata, source name, every warning, and every
feature's layer, id, attributes and extra attributes with their types (floats to the bit),
geometry (WKB), source reference and status; or the input error. Plans: the given ones, else
the synthetic 60k city (if made), ``samples/``, two plans of awkward values written here
(strings in number columns, values out of range, control characters, unknown attributes and
layers, missing and empty geometries, mixed GeoJSON types) and the real exports in
``/work/shared/data`` (skipped when absent)::

    PYTHONPATH=OLD python benchmarks/site_model_digest.py old.pkl
    PYTHONPATH=NEW python benchmarks/site_model_digest.py new.pkl
    python benchmarks/site_model_digest.py --compare old.pkl new.pkl
"""

from __future__ import annotations

import argparse
import json
import pickle
import random
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CITY = Path("/tmp/inclusiecheck-city-60000-seed1/plan.gpkg")
SHARED = Path("/work/shared/data")
#: property values of every kind designers and exports produce
AWKWARD: list[Any] = [None, "", " ", "abc", "1,5", "1.234,5", "NaN", "inf", "-0", "0", "1", "ja",
                      "nee", "True", "Sidewalk", "shared-space", "both sides", "12", "12.5",
                      "1e400", "  3 ", "limited", "beperkt", "yes", "no", "removed",
                      "existing", "NEW", "\u00a0 2,3"]
NUMBERS: list[Any] = [None, 0.0, -0.0, 1.5, 1e300, -3.0, 1200.0, 0.3, 2.0, 45.0, 1e-9, 12.0]


def _typed(value: Any) -> Any:
    if isinstance(value, dict):
        return ("dict", tuple((_typed(k), _typed(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(_typed(v) for v in value))
    if isinstance(value, float):
        return ("float", value.hex())
    return (type(value).__name__, repr(value))


def digest(path: Path) -> Any:
    """The digest of one plan's site model (or its input error)."""
    from inclusiecheck.model import InputError
    from inclusiecheck.model.normalise import normalise
    from inclusiecheck.readers import ReadOptions, read_plan

    try:
        model = normalise(read_plan(path, ReadOptions()))
    except InputError as exc:
        return ("InputError", str(exc))
    out: list[Any] = [model.crs, repr(model.meta.model_dump()), model.source_path,
                      [(w.code, w.message, w.file, w.layer, w.feature_id) for w in model.warnings]]
    for layer, features in model.layers.items():
        out.extend((layer, f.layer, f.id, _typed(f.attrs), f.geometry.wkb_hex, repr(f.source),
                    f.status, _typed(f.extra)) for f in features)
    return out


def write_awkward_plans(folder: Path, control_characters: bool) -> list[Path]:
    """A GeoPackage and a GeoJSON of awkward values (with or without control characters)."""
    import fiona
    from fiona.crs import CRS

    rng = random.Random(5)
    weird = AWKWARD + (["x\x01y", "\x7f"] if control_characters else [])
    note = "note\x03" if control_characters else "note"
    gpkg = folder / "awkward.gpkg"
    layers = {
        "walkway": ("LineString", {"id": "str", "kind": "str", "width_m": "str",
                                   "total_width_m": "float", "lit": "str", "surface": "str",
                                   "status": "str", "slope_pct": "float", "colour": "str",
                                   "main_route": "int"}),
        "bench": ("Point", {"id": "str", "backrest": "int", "armrests": "str",
                            "seat_height_cm": "float", "size_m": "float", note: "str"}),
        "parking": ("Polygon", {"id": "str", "bays": "float", "accessible_bays": "str",
                                "public": "int", "reserved": "float", "arrangement": "str"}),
        "toilet": ("Point", {"id": "str", "accessible": "str", "changing_table": "str",
                             "public": "bool", "opening_hours": "str", "door_width_cm": "int"}),
        "mystery": ("Point", {"a": "str"}),
        "light": ("Point", {"id": "str", "mounting_height_m": "float"}),
    }
    choices = {"str": weird + ["1.2", "2,5", "300", "asphalt", "all", "angled"],
               "float": NUMBERS + [float("nan"), 4500.0, 1e20],
               "int": [None, 0, 1, 2, -1, 90, 9000, 2**40], "bool": [None, True, False]}
    for layer, (kind, fields) in layers.items():
        with fiona.open(gpkg, "w", driver="GPKG", layer=layer, crs=CRS.from_epsg(31370),
                        schema={"geometry": kind, "properties": fields}) as dst:
            for index in range(200):
                x, y = 150000 + rng.random() * 500, 170000 + rng.random() * 500
                geometry: Any = {
                    "Point": {"type": "Point", "coordinates": (x, y)},
                    "LineString": {"type": "LineString", "coordinates": [(x, y), (x + 5, y)]},
                    "Polygon": {"type": "Polygon", "coordinates": [[(x, y), (x + 4, y),
                                                                    (x + 4, y + 3), (x, y)]]},
                }[kind]
                props = {name: rng.choice(choices[kind_]) for name, kind_ in fields.items()}
                if "id" in props:
                    props["id"] = rng.choice([f"f{index}", f"f{index % 50}", None, ""])
                dst.write({"geometry": None if index % 17 == 0 else geometry,
                           "properties": props})
    features = []
    mixed = weird + NUMBERS + [True, False, 1, 0, 2, 10**30, [1, 2], {"a": 1}, 1.0, 3]
    for index in range(500):
        x, y = 4.35 + rng.random() * 0.01, 50.85 + rng.random() * 0.01
        props: dict[str, Any] = {
            "layer": rng.choice(["walkway", "obstacle", "stop", "entrance", "ramp", "stairs",
                                 "toilet", "unknown_x"]),
            "id": rng.choice([f"g{index}", f"g{index % 30}", None, 5, 5.0, True])}
        for key in rng.sample(["kind", "width_m", "size_m", "height_m", "mode", "steps",
                               "platform_height_cm", "riser_cm", "handrail", "lit", "public",
                               "accessible", "status", "regime", "name", "foo", "fid"], 6):
            props[key] = rng.choice(mixed)
        geometry = rng.choice([
            {"type": "Point", "coordinates": [x, y]},
            {"type": "LineString", "coordinates": [[x, y], [x + 1e-4, y]]},
            {"type": "Polygon", "coordinates": [[[x, y], [x + 1e-4, y], [x + 1e-4, y + 1e-4],
                                                 [x, y]]]},
            {"type": "Point", "coordinates": []}, None])
        features.append({"type": "Feature", "geometry": geometry, "properties": props})
    geojson = folder / "mixed.geojson"
    geojson.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return [gpkg, geojson, folder]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", nargs="?", help="where to write the digest (pickle)")
    parser.add_argument("plans", nargs="*", type=Path, help="plans (default: see above)")
    parser.add_argument("--compare", nargs=2, metavar=("OLD", "NEW"))
    args = parser.parse_args(argv)
    if args.compare:
        old, new = (pickle.loads(Path(name).read_bytes()) for name in args.compare)
        different = [plan for plan in old.keys() | new.keys() if old.get(plan) != new.get(plan)]
        for plan in sorted(old.keys() | new.keys()):
            print("DIFFERENT" if plan in different else "same", plan)
        print("identical" if not different else f"{len(different)} plans differ")
        return 1 if different else 0
    if not args.out:
        parser.error("give the digest file to write (or --compare OLD NEW)")
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        plans = list(args.plans)
        if not plans:
            plans = [p for p in (CITY, ROOT / "samples" / "marktplein") if p.exists()]
            for control in (False, True):
                folder = Path(tmp) / f"awkward-{'control' if control else 'plain'}"
                folder.mkdir()
                plans += write_awkward_plans(folder, control)
            if SHARED.is_dir():
                plans += sorted(p for p in SHARED.rglob("*") if p.is_file()
                                and p.suffix.lower() in (".pbf", ".osm", ".ifc", ".ifcxml",
                                                         ".gpkg", ".geojson"))
        for plan in plans:
            key = str(plan).replace(tmp, "TMP")
            results[key] = digest(plan)
            print(key, len(results[key]), file=sys.stderr)
    Path(args.out).write_bytes(pickle.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
