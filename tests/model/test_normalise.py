"""Normalisation (model/normalise.py, model/values.py): lenient values, warnings, never a crash."""

from __future__ import annotations

from pathlib import Path

import pytest
from shapely.geometry import LineString

from inclusiecheck.model import InputError, RawFeature, RawPlan, SourceRef
from inclusiecheck.model.normalise import normalise
from inclusiecheck.model.values import parse_bool, parse_number


def raw(layer: str, props: dict, geom=None) -> RawFeature:  # type: ignore[no-untyped-def]
    return RawFeature(layer, props, geom or LineString([(0, 0), (10, 0)]),
                      SourceRef("plan.geojson", layer, str(props.get("id", "x"))))


@pytest.mark.parametrize("text,value", [("1,50", 1.5), (" 2.3 ", 2.3), ("1.234,5", 1234.5),
                                        (3, 3.0), ("", None), (None, None)])
def test_parse_number(text, value) -> None:  # type: ignore[no-untyped-def]
    assert parse_number(text) == value


@pytest.mark.parametrize("text,value", [("ja", True), ("Nee", False), ("yes", True), ("0", False),
                                        (1, True), ("waar", True), ("", None)])
def test_parse_bool(text, value) -> None:  # type: ignore[no-untyped-def]
    assert parse_bool(text) is value


def test_normalise_warns_and_never_crashes() -> None:
    plan = RawPlan(Path("plan.geojson"), "EPSG:31370", [
        raw("walkway", {"id": "a", "width_m": "1,20", "lit": "ja", "kleur": "rood"}),
        raw("walkway", {"id": "b", "width_m": "breed", "surface": "marmer"}),
        raw("walkway", {"id": "a", "status": "existing"}),
        raw("walkway", {"id": "gone", "status": "removed"}),
        raw("kabouter", {"id": "k"}),
        raw("entrance", {"id": "e"}, LineString([(0, 0), (1, 1)])),
    ])
    model = normalise(plan)
    walkways = {f.id: f for f in model.features("walkway")}
    assert walkways["a"].attrs["width_m"] == 1.2 and walkways["a"].attrs["lit"] is True
    assert walkways["a"].extra == {"kleur": "rood"}
    assert "width_m" not in walkways["b"].attrs and "surface" not in walkways["b"].attrs
    assert "gone" not in walkways
    dup = [f for f in model.features("walkway") if f.id.startswith("a#")]
    assert dup and dup[0].status == "existing"
    codes = sorted({w.code for w in model.warnings})
    assert codes == ["duplicate_id", "invalid_value", "layer_skipped", "unknown_attribute",
                     "unknown_layer", "wrong_geometry"]
    assert "access_path" not in walkways["a"].attrs  # unset means unknown: no default


def test_no_known_layer_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no known layer"):
        normalise(RawPlan(Path("x.gpkg"), "EPSG:31370", [raw("kabouter", {"id": "k"})]))


def test_cleaner_matches_clean_text_feature_by_feature() -> None:
    """The cleaner that remembers layer and property names gives each feature what
    clean_text gives it alone, and the very same object when nothing needs cleaning."""
    from inclusiecheck.model.normalise import _Cleaner, clean_text

    src = SourceRef("plan.gpkg", "walkway", "w1")
    dirty_key = "wid\x07th"
    values = ["1.5", "tab\there", "line\nfeed", "é ok", "bell\x07", "c1\x85", "", 3.0, None,
              "\ud800", ["x\x01"], {"k": "v"}]
    feats = [RawFeature("walkway", {"id": f"w{i}", "note": v, dirty_key: 1}, None, src)
             for i, v in enumerate(values)]
    feats += [RawFeature("walk\x00way", {"id": "a"}, None, SourceRef("p\x1b.gpkg", "l", "f")),
              RawFeature("walk\x00way", {"id": "b"}, None, src), RawFeature("walkway", {}, None, src)]
    cleaner = _Cleaner()
    for raw in feats:
        got = cleaner.feature(raw)
        assert got.layer == clean_text(raw.layer)
        assert got.properties == clean_text(raw.properties)
        assert got.source.file == clean_text(raw.source.file)
        changed = (clean_text(raw.layer) != raw.layer
                   or clean_text(raw.properties) != raw.properties
                   or clean_text(raw.source.file) != raw.source.file)
        assert (got is raw) == (not changed)
    assert cleaner.feature(feats[-1]) is feats[-1]
