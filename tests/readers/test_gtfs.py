"""GTFS feeds (zip or folder) as the stop layer, with the operator's wheelchair_boarding."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from inclusiecheck.api import check
from inclusiecheck.model import InputError
from inclusiecheck.readers import find_reader, read_plan
from inclusiecheck.report import render

STOPS = """stop_id,stop_code,stop_name,stop_lat,stop_lon,location_type,parent_station,wheelchair_boarding
S1,,Gent-Sint-Pieters,51.0360,3.7100,1,,1
P1,101,Gent-Sint-Pieters perron 1,51.0361,3.7101,0,S1,0
P2,102,Gent-Sint-Pieters perron 2,51.0362,3.7102,0,S1,2
B1,,Instapzone perron 1,51.03612,3.71012,4,P1,
E1,,Ingang,51.0359,3.7099,2,S1,1
H1,201,Korenmarkt,51.0545,3.7210,,,
H2,202,Zuid,51.0480,3.7300,0,,1
X1,,Zonder plaats,,,0,,1
"""
ROUTES = "route_id,route_short_name,route_type\nT1,1,0\nB5,5,3\n"
TRIPS = "route_id,service_id,trip_id\nT1,wk,t1\nB5,wk,b5\n"
STOP_TIMES = ("trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
              "t1,08:00:00,08:00:00,P1,1\nt1,08:05:00,08:05:00,H1,2\n"
              "b5,08:00:00,08:00:00,H1,1\nb5,08:10:00,08:10:00,H2,2\n")
AGENCY = "agency_id,agency_name,agency_url,agency_timezone\nDL,De Lijn,https://delijn.be,Europe/Brussels\n"


def feed_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in (("stops.txt", STOPS), ("routes.txt", ROUTES), ("trips.txt", TRIPS),
                           ("stop_times.txt", STOP_TIMES), ("agency.txt", AGENCY)):
            archive.writestr(name, text)
    return path


def test_gtfs_zip_gives_stops_with_the_operators_declaration(tmp_path: Path) -> None:
    plan = read_plan(feed_zip(tmp_path / "delijn-gtfs.zip"))
    stops = {f.properties["id"]: f.properties for f in plan.features}
    assert set(stops) == {"P1", "P2", "B1", "H1", "H2"}  # stations, entrances, no location out
    assert all(f.layer == "stop" for f in plan.features)
    assert stops["P1"]["operator_accessible"] == "yes"  # 0 inherits from station S1
    assert stops["B1"]["operator_accessible"] == "yes"  # boarding area -> platform -> station
    assert stops["P2"]["operator_accessible"] == "no"
    assert "operator_accessible" not in stops["H1"]
    assert stops["H2"]["operator_accessible"] == "yes"
    assert stops["P1"]["mode"] == "tram" and stops["H1"]["mode"] == "tram"
    assert stops["H2"]["mode"] == "bus"
    assert all(p["status"] == "existing" for p in stops.values())
    assert plan.metadata["data_source"] == "gtfs"
    assert plan.metadata["data_attribution"] == "GTFS: De Lijn"
    assert plan.crs == "EPSG:3812"
    assert any(w.code == "gtfs_stop_skipped" for w in plan.warnings)


def test_gtfs_folder_is_read_as_a_feed(tmp_path: Path) -> None:
    folder = tmp_path / "feed"
    folder.mkdir()
    (folder / "stops.txt").write_text(STOPS, encoding="utf-8")
    assert find_reader(folder).name == "gtfs"
    assert len(read_plan(folder).features) == 5


def test_stops_share_table_shows_the_operator_apart(tmp_path: Path) -> None:
    report = check(feed_zip(tmp_path / "feed.zip"), rules=["haltes"], lang="en")
    operator = report.summary["stops"]["operator"]["existing"]
    assert operator == {"yes": 3, "limited": 0, "no": 1, "unknown": 1, "share_pct": 60.0,
                        "share_declared_pct": 75.0}
    assert report.summary["completeness"]["complete"] == []
    html = render(report, "html").decode("utf-8")
    assert 'id="stops-table"' in html and 'id="stops-operator"' in html
    assert "Operator&#39;s own declaration" in html or "Operator's own declaration" in html


def test_zip_without_stops_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(InputError, match="stops.txt"):
        read_plan(path)
