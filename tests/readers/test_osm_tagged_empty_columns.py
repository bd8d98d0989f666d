"""A design layer with a Dutch name in a GeoPackage is not mistaken for an OSM export because
its (mostly empty) columns share names with OSM keys (tactile_paving, surface)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import fiona

from inclusiecheck.cli import sample_plan
from inclusiecheck.readers.osm.vector import looks_osm_tagged


def test_empty_osm_named_columns_are_no_tags() -> None:
    props = [{"id": "oversteek-west", "kerb_height_cm": 2, "tactile_paving": None},
             {"id": "oversteek-oost", "kerb_height_cm": 6, "tactile_paving": "nee"}]
    assert not looks_osm_tagged("oversteekplaats", ["1", "2"], props)
    # attribute-like keys (tactile_paving, surface) never mark an OSM export, even filled in;
    # OSM's primary feature keys (highway, amenity, ...) on most features do
    filled = [{"id": "a", "tactile_paving": "yes"}, {"id": "b", "tactile_paving": "no"}]
    assert not looks_osm_tagged("oversteekplaats", ["1", "2"], filled)
    keyed = [{"id": "a", "highway": "crossing"}, {"id": "b", "highway": "crossing"}]
    assert looks_osm_tagged("oversteekplaats", ["1", "2"], keyed)


def test_dutch_named_geopackage_layer_is_checked_like_the_file(tmp_path: Path) -> None:
    source = json.loads((sample_plan() / "crossing.geojson").read_text(encoding="utf-8"))
    plan = tmp_path / "plan.gpkg"
    keys = list(dict.fromkeys(k for f in source["features"] for k in f["properties"]))
    types = {k: ("int" if all(isinstance(f["properties"].get(k), int)
                               for f in source["features"] if f["properties"].get(k) is not None
                               and not isinstance(f["properties"].get(k), bool))
                 else "str") for k in keys}
    types.update({"traffic_signals": "bool", "kerb_height_cm": "float"})
    with fiona.open(plan, "w", driver="GPKG", layer="oversteekplaats", crs="EPSG:31370",
                    schema={"geometry": "LineString", "properties": types}) as sink:
        for feature in source["features"]:
            props = {k: feature["properties"].get(k) for k in keys}
            sink.write({"geometry": feature["geometry"], "properties": props})
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, "-m", "inclusiecheck", "check", str(plan),
                             "--mapping", "nl", "-o", str(out), "-f", "json", "-q",
                             "--fail-on", "never"], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert not [w for w in report["warnings"] if w["code"].startswith("osm")]
    assert {f["feature_id"] for f in report["findings"] if f["layer"] == "crossing"}
