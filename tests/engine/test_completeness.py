"""Completeness per layer: an incomplete layer proves presence, never absence (issue 14)."""

from __future__ import annotations

from pathlib import Path

import pytest

from inclusiecheck.api import check
from inclusiecheck.model import InputError, PlanMeta

LON0, LAT0 = 4.3525, 50.8467
D = 0.0001  # about 7 m in longitude, 11 m in latitude


def _node(osm_id: int, dx: float, dy: float, **tags: str) -> str:
    body = "".join(f'<tag k="{k.replace("__", ":")}" v="{v}"/>' for k, v in tags.items())
    return (f'<node id="{osm_id}" lat="{LAT0 + dy * D:.7f}" lon="{LON0 + dx * D:.7f}" '
            f'version="1">{body}</node>')


def _way(osm_id: int, refs: list[int], **tags: str) -> str:
    nds = "".join(f'<nd ref="{ref}"/>' for ref in refs)
    body = "".join(f'<tag k="{k.replace("__", ":")}" v="{v}"/>' for k, v in tags.items())
    return f'<way id="{osm_id}" version="1">{nds}{body}</way>'


def one_lamp_extract(folder: Path, plan_yaml: str | None = None) -> Path:
    """Two lit footways (about 140 m) and a single street lamp (without photometry) about
    100 m away from them; two stops."""
    items = [
        _node(1, 0, 0), _node(2, 20, 0), _node(3, 0, 3), _node(4, 20, 3),
        _way(10, [1, 2], highway="footway", lit="yes"),
        _way(11, [3, 4], highway="footway", footway="sidewalk", lit="yes"),
        _node(20, 0, 12, highway="street_lamp", height="6"),
        # a stop far from the lamp, lit by tag
        _node(30, 18, 1, highway="bus_stop", lit="yes"),
        # a stop without lit, far from the lamp
        _node(31, 18, 2, highway="bus_stop"),
    ]
    path = folder / "omgeving.osm"
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6">\n'
                    + "\n".join(items) + "\n</osm>\n", encoding="utf-8")
    if plan_yaml is not None:
        (folder / "omgeving.plan.yaml").write_text(plan_yaml, encoding="utf-8")
    return path


def _lighting(report, outcome: str) -> list:
    return [f for f in report.findings if f.rule_id in ("SV-01", "SV-02", "HA-10")
            and f.outcome.value == outcome]


def test_one_lamp_does_not_make_lit_paths_dark(tmp_path: Path) -> None:
    report = check(one_lamp_extract(tmp_path), rules=["sociale-veiligheid", "haltes"],
                   list_all=True)
    assert not _lighting(report, "fail")
    sv01 = {f.feature_id: f for f in report.findings if f.rule_id == "SV-01"}
    assert sv01["w10"].outcome.value == "pass"  # lit=yes, judged on the tag
    assert report.summary["completeness"]["complete"] == []
    assert "light" in report.summary["completeness"]["incomplete"]
    # the stop without lit and without a lamp nearby is to verify, not "not lit"
    ha10 = {f.feature_id: f.outcome.value for f in report.findings if f.rule_id == "HA-10"}
    assert ha10["n31"] == "to_verify"


def test_declared_complete_light_layer_computes_darkness(tmp_path: Path) -> None:
    path = one_lamp_extract(tmp_path, "complete_layers: [light]\n")
    report = check(path, rules=["sociale-veiligheid", "haltes"])
    failed = {f.feature_id for f in _lighting(report, "fail") if f.rule_id == "SV-01"}
    assert {"w10", "w11"} <= failed
    assert {f.feature_id for f in _lighting(report, "fail") if f.rule_id == "HA-10"} == {"n31"}
    assert report.summary["completeness"]["complete"] == ["light"]
    assert report.summary["completeness"]["declared"] is True


def test_complete_layers_from_the_cli_meta(tmp_path: Path) -> None:
    report = check(one_lamp_extract(tmp_path), rules=["sociale-veiligheid"],
                   meta={"complete_layers": "light,building"})
    assert report.summary["completeness"]["complete"] == ["building", "light"]
    # an absent building layer declared complete: no eyes on the street anywhere
    assert any(f.rule_id == "SV-09" and f.outcome.value == "fail" for f in report.findings)


def test_incomplete_building_layer_is_no_proof_of_no_eyes(tmp_path: Path) -> None:
    path = one_lamp_extract(tmp_path)
    text = path.read_text(encoding="utf-8").replace("</osm>", "\n".join([
        _node(40, 0, 6), _node(41, 1, 6), _node(42, 1, 7), _node(43, 0, 7),
        _way(50, [40, 41, 42, 43, 40], building="yes"), "</osm>"]))
    path.write_text(text, encoding="utf-8")
    report = check(path, rules=["sociale-veiligheid"])
    sv09 = [f for f in report.findings if f.rule_id == "SV-09"]
    assert sv09 and all(f.outcome.value == "to_verify" for f in sv09)
    assert all("building" in f.missing for f in sv09)


def test_design_plan_layers_are_complete_where_present() -> None:
    from inclusiecheck.model import SiteModel

    model = SiteModel(crs="EPSG:3812", meta=PlanMeta(), layers={"light": (object(),)})  # type: ignore[arg-type]
    assert model.layer_complete("light") and not model.layer_complete("bench")
    osm = SiteModel(crs="EPSG:3812", meta=PlanMeta(data_source="osm"),
                    layers={"light": (object(),)})  # type: ignore[arg-type]
    assert not osm.layer_complete("light")
    listed = SiteModel(crs="EPSG:3812", meta=PlanMeta(complete_layers="present,toilet"),
                       layers={"light": (object(),)})  # type: ignore[arg-type]
    assert listed.layer_complete("light") and listed.layer_complete("toilet")
    assert not listed.layer_complete("bench")


def test_unknown_layer_in_complete_layers_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="complete_layers"):
        check(one_lamp_extract(tmp_path, "complete_layers: [lampen]\n"),
              rules=["sociale-veiligheid"])


@pytest.mark.parametrize("plan_yaml,expected", [
    ("public_building: true\nwork_kind: new\nbuilding_area_m2: 500\n", "fail"),  # a design
    ("public_building: true\nwork_kind: new\nbuilding_area_m2: 500\ncomplete_layers: []\n",
     "to_verify"),  # declared incomplete
])
def test_no_alternative_drawn_proves_nothing_in_an_incomplete_layer(
        tmp_path: Path, plan_yaml: str, expected: str) -> None:
    import json

    path = tmp_path / "ingangen.geojson"
    path.write_text(json.dumps({
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "EPSG:31370"}},
        "features": [{"type": "Feature",
                      "properties": {"layer": "entrance", "id": "draaideur", "revolving": True,
                                     "public": True},
                      "geometry": {"type": "Point", "coordinates": [150000.0, 200000.0]}}]}),
        encoding="utf-8")
    (tmp_path / "ingangen.plan.yaml").write_text(plan_yaml, encoding="utf-8")
    report = check(path, rules=["toegankelijkheidsverordening"])
    tv07 = [f for f in report.findings if f.rule_id == "TV-07"]
    assert [f.outcome.value for f in tv07] == [expected]
