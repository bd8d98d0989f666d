"""OSM details (issue 14 item 6): levels and sightlines, rows of bollards, tracks, two roles,
free-standing toilet blocks, multipolygon relations."""

from __future__ import annotations

from pathlib import Path

import pytest

from inclusiecheck.api import check
from inclusiecheck.readers import read_plan

LON0, LAT0 = 4.3525, 50.8467
DX, DY = 0.0000142, 0.00000899  # about 1 m in longitude and latitude here


def node(osm_id: int, x: float, y: float, **tags: str) -> str:
    body = "".join(f'<tag k="{k.replace("__", ":")}" v="{v}"/>' for k, v in tags.items())
    return (f'<node id="{osm_id}" lat="{LAT0 + y * DY:.8f}" lon="{LON0 + x * DX:.8f}" '
            f'version="1">{body}</node>')


def way(osm_id: int, refs: list[int], **tags: str) -> str:
    nds = "".join(f'<nd ref="{ref}"/>' for ref in refs)
    body = "".join(f'<tag k="{k.replace("__", ":")}" v="{v}"/>' for k, v in tags.items())
    return f'<way id="{osm_id}" version="1">{nds}{body}</way>'


def relation(osm_id: int, members: list[tuple[int, str]], **tags: str) -> str:
    body = "".join(f'<member type="way" ref="{ref}" role="{role}"/>' for ref, role in members)
    body += "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items())
    return f'<relation id="{osm_id}" version="1">{body}</relation>'


def write(path: Path, *items: str) -> Path:
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6">\n'
                    + "\n".join(items) + "\n</osm>\n", encoding="utf-8")
    return path


def passage(tmp_path: Path, **path_tags: str) -> Path:
    """A 20 m x 20 m building with a 80 m footway running straight through it."""
    return write(
        tmp_path / "passage.osm",
        node(1, 30, -10), node(2, 50, -10), node(3, 50, 10), node(4, 30, 10),
        way(100, [1, 2, 3, 4, 1], building="yes"),
        node(10, 0, 0), node(11, 80, 0),
        way(200, [10, 11], highway="footway", **path_tags),
    )


def _view_ahead(report) -> dict[str, str]:
    return {f.feature_id: f.outcome.value for f in report.findings if f.rule_id == "SV-05"}


def test_building_passage_is_not_blocked_by_the_building_above(tmp_path: Path) -> None:
    report = check(passage(tmp_path, tunnel="building_passage"), rules=["sociale-veiligheid"],
                   list_all=True)
    assert _view_ahead(report)["w200"] == "pass"
    blocked = [f for f in report.findings if f.feature_id == "w200" and f.outcome.value == "fail"
               and "building" in str((f.data or {}).get("blocked_by", ""))]
    assert blocked == []


def test_same_path_without_the_passage_tag_is_blocked(tmp_path: Path) -> None:
    report = check(passage(tmp_path), rules=["sociale-veiligheid"], list_all=True)
    assert _view_ahead(report)["w200"] == "fail"


def test_tunnel_on_another_layer_is_not_blocked(tmp_path: Path) -> None:
    report = check(passage(tmp_path, tunnel="yes", layer="-1"), rules=["sociale-veiligheid"],
                   list_all=True)
    assert _view_ahead(report)["w200"] == "pass"


def test_bollard_row_is_posts_with_gaps(tmp_path: Path) -> None:
    path = write(tmp_path / "paaltjes.osm",
                 node(1, 0, 0), node(2, 1.5, 0), node(3, 3, 0),
                 way(10, [1, 2, 3], barrier="bollard"))
    [bollards] = read_plan(path).features
    assert bollards.layer == "obstacle" and bollards.properties["kind"] == "bollard"
    assert bollards.geometry.geom_type == "MultiPoint" and len(bollards.geometry.geoms) == 3


def test_tracks_warned_with_a_count_or_read_when_open_to_walkers(tmp_path: Path) -> None:
    path = write(tmp_path / "tracks.osm",
                 node(1, 0, 0), node(2, 50, 0), node(3, 0, 10), node(4, 50, 10),
                 node(5, 0, 20), node(6, 50, 20),
                 way(10, [1, 2], highway="track"), way(11, [3, 4], highway="track"),
                 way(12, [5, 6], highway="track", foot="designated"))
    plan = read_plan(path)
    assert [(f.layer, f.source.fid) for f in plan.features] == [("walkway", "w12")]
    [warning] = [w for w in plan.warnings if w.code == "osm_track_skipped"]
    assert warning.message.startswith("2 highway=track ways")


def test_toilet_entrance_keeps_both_roles(tmp_path: Path) -> None:
    path = write(tmp_path / "t.osm", node(1, 0, 0, amenity="toilets", entrance="yes",
                                         wheelchair="no", access="yes"))
    assert sorted(f.layer for f in read_plan(path).features) == ["entrance", "toilet"]


def test_multipolygon_relations_are_read(tmp_path: Path) -> None:
    path = write(
        tmp_path / "mp.osm",
        # outer ring in two ways, an inner courtyard
        node(1, 0, 0), node(2, 40, 0), node(3, 40, 30), node(4, 0, 30),
        way(10, [1, 2, 3]), way(11, [3, 4, 1]),
        node(5, 10, 10), node(6, 20, 10), node(7, 20, 20), node(8, 10, 20),
        way(12, [5, 6, 7, 8, 5]),
        relation(900, [(10, "outer"), (11, "outer"), (12, "inner")], type="multipolygon",
                 building="yes"),
        # a park whose member is missing from the extract
        relation(901, [(99, "outer")], type="multipolygon", leisure="park"),
        # a pedestrian square as a multipolygon relation
        node(20, 100, 0), node(21, 130, 0), node(22, 130, 30), node(23, 100, 30),
        way(13, [20, 21, 22, 23, 20]),
        relation(902, [(13, "outer")], type="multipolygon", highway="pedestrian", area="yes"),
    )
    plan = read_plan(path)
    by_fid = {(f.layer, f.source.fid): f for f in plan.features}
    building = by_fid[("building", "r900")]
    assert building.source.osm_id == "relation/900"
    assert building.geometry.area == pytest.approx(40 * 30 - 10 * 10, rel=0.02)
    assert len(building.geometry.interiors) == 1
    assert by_fid[("walkway", "r902")].properties["kind"] == "square_surface"
    assert ("area", "r901") not in by_fid
    assert any(w.code == "osm_relations_incomplete" and w.message.startswith("1 ")
               for w in plan.warnings)


def test_kept_level_tags_are_one_warning_not_one_per_layer(tmp_path: Path) -> None:
    from inclusiecheck.model.normalise import normalise

    model = normalise(read_plan(passage(tmp_path, tunnel="building_passage", layer="0")))
    kept = [w for w in model.warnings if w.code == "source_tags_kept"]
    assert len(kept) == 1 and "osm:tunnel" in kept[0].message and "osm:layer" in kept[0].message
    assert not [w for w in model.warnings
                if w.code == "unknown_attribute" and "'osm:" in w.message]


@pytest.mark.parametrize("tags,expected", [({}, "fail"), ({"covered": "yes"}, "pass")])
def test_stop_under_a_roof_sees_past_the_roof(tmp_path: Path, tags: dict, expected: str) -> None:
    path = write(
        tmp_path / "station.osm",
        node(1, -10, -10), node(2, 10, -10), node(3, 10, 10), node(4, -10, 10),
        way(100, [1, 2, 3, 4, 1], building="roof"),
        node(30, 0, 0, highway="bus_stop", **tags),
    )
    report = check(path, rules=["sociale-veiligheid"], list_all=True)
    sv06 = {f.feature_id: f.outcome.value for f in report.findings if f.rule_id == "SV-06"}
    assert sv06["n30"] == expected
