"""Property-based robustness of the GIS reader, the normaliser, the engine and every renderer.

The project rule: bad input gets a clear :class:`InputError` (one line, exit 2), never any
other exception; input files are never modified; every output format renders whatever plan
loads, and the JSON report is valid and deterministic.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from inclusiecheck.api import check, load_model
from inclusiecheck.model import InputError, SiteModel
from inclusiecheck.model.profile import LAYER_GEOMETRIES, LAYER_MODELS
from inclusiecheck.report import available_formats, render

KNOWN_LAYERS = sorted(LAYER_MODELS)
UNKNOWN_LAYERS = ["kabouters", "Walkway", "wälkway", " walkway ", "layer\n2", "", "0", "🚶"]
#: ``INCLUSIECHECK_FUZZ=<n>`` runs n times more random (not derandomized) examples
_SCALE = int(os.environ.get("INCLUSIECHECK_FUZZ", "0") or 0)
_COMMON: dict[str, Any] = dict(
    deadline=None, derandomize=_SCALE == 0, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FUZZ = settings(max_examples=150 * max(_SCALE, 1), **_COMMON)
#: whole-pipeline runs (about 40 % of the generated plans load; the rest are InputErrors)
PIPELINE = settings(max_examples=150 * max(_SCALE, 1), **_COMMON)

# ------------------------------------------------------------------------------- strategies

X0, Y0 = 150000.0, 200000.0  # Belgian Lambert 72, around Brussels

#: any code point, lone surrogates and control characters included (written as \u escapes)
nice_text = st.text(max_size=20)
scalar_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-10**30, max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["1,5", "1.234,5", "1,234.5", "ja", "nee", "Ja", "j", "x", "", " ", "NaN",
                     "nan", "inf", "-Infinity", "1e400", "0,00", "-0", "12 cm", "\u00a01,2",
                     "sidewalk", "both_sides", "Both Sides", "one-side", "new", "existing",
                     "removed", "REMOVED", "\u200f\u202e", "true", "null", "None",
                     "9" * 400]),
    nice_text,
)
json_values = st.recursive(scalar_values,
                           lambda children: st.one_of(st.lists(children, max_size=3),
                                                      st.dictionaries(nice_text, children,
                                                                      max_size=3)),
                           max_leaves=6)


def _attribute_names(layer: str) -> list[str]:
    model = LAYER_MODELS.get(layer)
    return sorted(model.model_fields) if model is not None else ["width_m", "kind"]


@st.composite
def properties(draw: st.DrawFn, layer: str | None, hostile: bool = True) -> dict[str, Any]:
    technical = ["LAYER", "fid", "OBJECTID"] if hostile else ["fid", "OBJECTID"]
    keys = draw(st.lists(st.one_of(st.sampled_from(_attribute_names(layer or "walkway")),
                                   nice_text, st.sampled_from(technical)),
                         max_size=6, unique=True).map(
                             lambda ks: ks if hostile else [k for k in ks if k.lower() != "layer"]))
    props: dict[str, Any] = {key: draw(json_values) for key in keys}
    if layer is not None:
        props["layer"] = layer
    return props


#: offsets in metres from the plan origin (degrees / 1000 in lon/lat)
offset = st.one_of(st.floats(min_value=-50, max_value=50, allow_nan=False, allow_infinity=False),
                   st.sampled_from([0.0, 1e-9, -1e-9, 49.999999]))


@st.composite
def positions(draw: st.DrawFn, lon_lat: bool) -> list[float]:
    """A position near the plan origin (or near Brussels in lon/lat), sometimes absurd."""
    if draw(st.integers(0, 9)) == 0:  # absurd or malformed
        return draw(st.sampled_from([[1e300, -1e308], [float("inf"), 0.0], [0.0],
                                     [1e15, 2e15], [-1e6, 1e6], [X0, 1e9], [1e13, Y0],
                                     [], [0.0, 0.0, 0.0, 0.0], ["a", "b"], [None, 1.0]]))
    base = (4.35, 50.85) if lon_lat else (X0, Y0)
    scale = 0.001 if lon_lat else 1.0
    pos = [base[0] + draw(offset) * scale, base[1] + draw(offset) * scale]
    if draw(st.booleans()):
        pos.append(draw(st.floats(-10, 10)))  # 3D
    return pos


@st.composite
def geometries(draw: st.DrawFn, lon_lat: bool, layer: str | None = None) -> Any:
    """A geometry of any kind, or (with ``layer``) mostly of a kind the layer takes."""
    kinds = ["Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon",
             "GeometryCollection", "bowtie", "empty", "null", "bogus", "degenerate"]
    if layer in LAYER_GEOMETRIES and draw(st.integers(0, 4)) > 0:
        kinds = [k for base in LAYER_GEOMETRIES[layer] for k in (base, f"Multi{base}")]
    kind = draw(st.sampled_from(kinds))
    pos = positions(lon_lat)
    if kind == "null":
        return None
    if kind == "bogus":
        return draw(st.sampled_from([{"type": "Circle", "coordinates": [1, 2]},
                                     {"type": "Point", "coordinates": "150000,200000"},
                                     {"type": "Polygon"}, {"coordinates": [1, 2]},
                                     "POINT (1 2)", 42, [], {"type": None},
                                     {"type": "LineString", "coordinates": [[1, 2]]},
                                     {"type": "Polygon", "coordinates": [[[1, 2], [3, 4]]]},
                                     {"type": "Point", "coordinates": {"x": 1}}]))
    if kind == "empty":
        return {"type": draw(st.sampled_from(["Point", "LineString", "Polygon",
                                              "MultiPolygon", "GeometryCollection"])),
                **({"geometries": []} if kind == "GeometryCollection" else {"coordinates": []})}
    if kind == "bowtie":
        a = draw(pos)
        if len(a) < 2 or not all(isinstance(v, float) for v in a[:2]):
            a = [X0, Y0]
        x, y = a[0], a[1]
        return {"type": "Polygon", "coordinates": [[[x, y], [x + 10, y + 10], [x + 10, y],
                                                    [x, y + 10], [x, y]]]}
    if kind == "degenerate":  # a polygon collapsed to a line, a line of one repeated point
        return draw(st.sampled_from([
            {"type": "Polygon", "coordinates": [[[X0, Y0], [X0 + 1, Y0], [X0 + 2, Y0],
                                                 [X0, Y0]]]},
            {"type": "LineString", "coordinates": [[X0, Y0], [X0, Y0]]},
        ]))
    if kind == "Point":
        return {"type": "Point", "coordinates": draw(pos)}
    if kind == "MultiPoint":
        return {"type": "MultiPoint", "coordinates": draw(st.lists(pos, max_size=3))}
    if kind == "LineString":
        return {"type": "LineString", "coordinates": draw(st.lists(pos, min_size=0, max_size=4))}
    if kind == "MultiLineString":
        return {"type": "MultiLineString",
                "coordinates": draw(st.lists(st.lists(pos, max_size=3), max_size=2))}
    ring = draw(st.lists(pos, min_size=0, max_size=5))
    if ring and draw(st.booleans()):
        ring = [*ring, ring[0]]  # closed (maybe)
    if kind == "Polygon":
        return {"type": "Polygon", "coordinates": [ring]}
    if kind == "MultiPolygon":
        return {"type": "MultiPolygon", "coordinates": [[ring]]}
    return {"type": "GeometryCollection",
            "geometries": [{"type": "Point", "coordinates": draw(pos)},
                           {"type": "Polygon", "coordinates": [ring]}]}


CRS_MEMBERS = [
    None,
    {"type": "name", "properties": {"name": "EPSG:31370"}},
    {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::31370"}},
    {"type": "EPSG", "properties": {"code": 31370}},
    {"type": "name", "properties": {"name": "EPSG:4326"}},
    {"type": "name", "properties": {"name": "EPSG:999999"}},
    {"type": "name", "properties": {"name": "<script>"}},
    {"type": "name", "properties": {}},
    {"type": "name", "properties": None},
    {"type": "name"},
    "EPSG:3812",
    ["EPSG:31370"],
    31370,
    {"type": "name", "properties": {"name": ["EPSG:31370"]}},
]


@st.composite
def feature_collections(draw: st.DrawFn, *, hostile: bool = True) -> dict[str, Any]:
    crs = draw(st.sampled_from(CRS_MEMBERS)) if hostile else draw(st.sampled_from(CRS_MEMBERS[:4]))
    lon_lat = crs is None
    features = []
    for _ in range(draw(st.integers(0 if hostile else 1, 6))):
        layer = draw(st.one_of(st.sampled_from(KNOWN_LAYERS), st.sampled_from(UNKNOWN_LAYERS),
                               st.none()) if hostile else st.sampled_from(KNOWN_LAYERS))
        feature: dict[str, Any] = {
            "type": "Feature", "properties": draw(properties(layer, hostile)),
            "geometry": draw(geometries(lon_lat, None if hostile else layer))}
        if draw(st.booleans()):
            feature["id"] = draw(st.one_of(st.integers(), nice_text, st.none(),
                                           st.just({"nested": [1]})))
        if hostile and draw(st.integers(0, 15)) == 0:
            feature = draw(st.sampled_from([{"type": "Feature"}, {"properties": None},
                                            "feature", 7, None,
                                            {"type": "Feature", "properties": [1, 2],
                                             "geometry": None}]))
        features.append(feature)
    data: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    if crs is not None:
        data["crs"] = crs
    return data


# ------------------------------------------------------------------------------- helpers


def _write(folder: Path, name: str, data: Any) -> Path:
    path = folder / name
    # allow_nan: real-world writers (and GDAL) emit NaN/Infinity, Python's json reads them;
    # ensure_ascii: lone surrogates travel as \ud800 escapes, as other writers produce them
    path.write_text(json.dumps(data, allow_nan=True, ensure_ascii=True), encoding="utf-8")
    return path


def _digest(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def _load_or_input_error(path: Path) -> SiteModel | None:
    try:
        model = load_model(path)
    except InputError as exc:
        message = str(exc)
        assert message and "\n" not in message.strip(), message
        return None
    assert isinstance(model, SiteModel)
    return model


# ------------------------------------------------------------------------------- properties


@pytest.mark.filterwarnings("error::RuntimeWarning")  # no overflow/NaN noise from GEOS
@FUZZ
@given(data=feature_collections())
def test_load_model_returns_a_model_or_raises_input_error(data: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(Path(tmp), "plan.geojson", data)
        before = _digest(path)
        model = _load_or_input_error(path)
        assert _digest(path) == before
        if model is not None:
            for feature in model:
                assert feature.layer in LAYER_MODELS
                assert not feature.geometry.is_empty
                assert feature.geometry.is_valid
                base = feature.geometry.geom_type.removeprefix("Multi")
                assert base in LAYER_GEOMETRIES[feature.layer]
                for value in feature.attrs.values():
                    if isinstance(value, float):
                        assert math.isfinite(value)


@FUZZ
@given(raw=st.one_of(st.binary(max_size=200), json_values.map(
    lambda v: json.dumps(v, allow_nan=True).encode())))
def test_arbitrary_bytes_are_input_errors(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "walkway.geojson"
        path.write_bytes(raw)
        _load_or_input_error(path)
        assert path.read_bytes() == raw


@FUZZ
@given(layers=st.dictionaries(st.sampled_from([*KNOWN_LAYERS[:6], "kabouters", "notes"]),
                              feature_collections(), min_size=1, max_size=3),
       plan_yaml=st.one_of(st.none(), st.sampled_from([
           "crs: 31370\n", "crs: EPSG:999999\n", "- a\n- b\n", "project: [unclosed\n",
           "permit_date: 2099-02-30\n", "work_kind: castle\n", "built_up_area: ja\n",
           "project: !!python/object/apply:os.system ['echo hi']\n", "\x00\x01", "",
           "lang: fr\n"])))
def test_folder_plans_load_or_raise_input_error(layers: dict[str, Any],
                                                plan_yaml: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, data in layers.items():
            for feature in data["features"]:
                if isinstance(feature, dict) and isinstance(feature.get("properties"), dict):
                    feature["properties"].pop("layer", None)
            _write(folder, f"{name}.geojson", data)
        if plan_yaml is not None:
            (folder / "plan.yaml").write_text(plan_yaml, encoding="utf-8")
        before = {p.name: _digest(p) for p in folder.iterdir()}
        _load_or_input_error(folder)
        assert {p.name: _digest(p) for p in folder.iterdir()} == before


@functools.lru_cache(maxsize=1)
def builtin_rulesets() -> tuple[Any, ...]:
    """Every built-in rule set that loads (a set being edited elsewhere must not hide a
    robustness failure of the pipeline)."""
    from inclusiecheck.engine.loader import (default_set_names, drop_included_bases,
                                             resolve_selectors)

    sets = []
    for name in default_set_names():
        try:
            sets.extend(resolve_selectors([name]))
        except InputError:
            continue
    assert sets, "no built-in rule set loads"
    return tuple(drop_included_bases(sets))


def _run_and_render(path: Path, meta: dict[str, Any]) -> dict[str, bytes]:
    report = check(path, lang="en", list_all=True, rulesets=list(builtin_rulesets()), meta=meta)
    return {name: render(report, name) for name in available_formats()}


@PIPELINE
@given(data=feature_collections(hostile=False),
       meta=st.fixed_dictionaries({}, optional={"project": nice_text, "dossier": nice_text,
                                                "applicant": nice_text}))
def test_every_loaded_plan_evaluates_and_renders_deterministically(
        data: dict[str, Any], meta: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(Path(tmp), "plan.geojson", data)
        if _load_or_input_error(path) is None:
            event("plan rejected with an InputError")
            return
        event("plan evaluated and rendered")
        first = _run_and_render(path, meta)
        assert set(first) == set(available_formats())
        for name, body in first.items():
            assert isinstance(body, bytes) and body, name
        parsed = json.loads(first["json"])
        assert isinstance(parsed, dict)
        json.loads(first["geojson"])
        json.loads(first["sarif"])
        first["html"].decode("utf-8")
        first["md"].decode("utf-8")
        second = _run_and_render(path, meta)
        assert second["json"] == first["json"]


def test_fuzz_module_sees_every_format() -> None:
    """The pipeline property covers the formats the CLI offers."""
    assert {"json", "html", "md", "sarif", "bcf", "geojson"} <= set(available_formats())


if __name__ == "__main__":  # pragma: no cover
    pytest.main([__file__, "-q"])
