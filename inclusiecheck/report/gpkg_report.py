"""Findings as a styled GeoPackage (``findings.gpkg``) for QGIS and other GIS tools.

Three layers, one per geometry kind: ``findings_point``, ``findings_line`` and
``findings_polygon`` (multi-part geometries in the plan's CRS; all three are always present,
possibly empty). One feature per listed finding that has a location; a location that is a
geometry collection gives a feature in each layer it has parts for. Columns (flattened from
the JSON report's finding):

``number`` (the finding's number in the HTML advice, which follows its reading order:
:func:`~inclusiecheck.report.viewmodel.reading_order`), ``anchor`` (its stable id in
``report.html``: :func:`~inclusiecheck.report.viewmodel.finding_anchor`), ``rule_id``,
``rule_set``, ``rule_set_version``, ``rule_version``, ``title``, ``label`` (number, outcome and
title in the report's language), ``layer``, ``feature_id``, ``property``, ``outcome``,
``level``, ``display_class`` (the outcome, or ``<outcome>_would_fail`` for a finding marked
would-fail), ``would_fail``, ``structural``, ``pillar``, ``measured``, ``required`` (as text),
``unit``, ``message``, ``advice``, ``status``, ``missing`` (comma list), ``note``,
``regime``, ``regime_reason``, ``source_document``, ``source_article``, ``source_url``,
``source_kind``, ``source_file``, ``source_layer``, ``source_fid``, ``deviation`` and
``data`` (both JSON text).

Each layer has a QGIS style (QML) stored in the GeoPackage's ``layer_styles`` table as its
default (QGIS applies it when the layer is opened): outcome by colour *and* by shape (points),
dash pattern (lines) or fill pattern (polygons), so colour is never the only cue; obligations
filled and heavy, recommendations hollow and light; labels with the finding number; and the
layer actions *Zoom to finding* and *Open in report* (``report.html#<anchor>``: the report
named in the layer's custom property ``inclusiecheck/report``, which the QGIS plugin sets,
else ``report.html`` beside the GeoPackage, as ``--format gpkg,html`` writes them).

Written with fiona (GDAL) into a temporary folder, returned as bytes like every format.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from pathlib import Path
from typing import Any
from collections.abc import Iterator
from xml.sax.saxutils import quoteattr

from inclusiecheck.model import Finding, Report
from inclusiecheck.report.registry import RenderOptions, output_format
from inclusiecheck.report.viewmodel import finding_anchor, load_catalogue, reading_order

#: layer name -> (multi geometry type, symbol type, the single types that go into it)
LAYERS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "findings_point": ("MultiPoint", "marker", ("Point", "MultiPoint")),
    "findings_line": ("MultiLineString", "line", ("LineString", "MultiLineString")),
    "findings_polygon": ("MultiPolygon", "fill", ("Polygon", "MultiPolygon")),
}

#: column -> fiona type, in column order
COLUMNS: dict[str, str] = {
    "number": "int", "anchor": "str", "rule_id": "str", "rule_set": "str",
    "rule_set_version": "str", "rule_version": "int", "title": "str", "label": "str",
    "layer": "str", "feature_id": "str", "property": "str", "outcome": "str", "level": "str",
    "display_class": "str", "would_fail": "bool", "structural": "bool", "pillar": "str",
    "measured": "str", "required": "str", "unit": "str", "message": "str", "advice": "str",
    "status": "str", "missing": "str", "note": "str", "regime": "str", "regime_reason": "str",
    "source_document": "str", "source_article": "str", "source_url": "str",
    "source_kind": "str", "source_file": "str", "source_layer": "str", "source_fid": "str",
    "deviation": "str", "data": "str",
}

#: display class -> (colour, point marker shape, line pen style, polygon brush style)
CLASS_STYLES: dict[str, tuple[str, str, str, str]] = {
    "fail": ("192,57,43", "triangle", "solid", "diagonal_x"),
    "to_verify_would_fail": ("192,57,43", "diamond", "dash dot", "cross"),
    "deviation": ("123,50,148", "pentagon", "dash dot dot", "vertical"),
    "warn": ("213,137,0", "square", "dash", "f_diagonal"),
    "to_verify": ("0,114,178", "circle", "dot", "horizontal"),
    "pass": ("0,140,100", "star", "solid", "dense6"),
    "not_applicable": ("120,120,120", "cross2", "dot", "no"),
}
#: the order of the legend (worst first)
CLASS_ORDER = tuple(CLASS_STYLES)
STYLE_NAME = "inclusiecheck"


def display_class(finding: Finding) -> str:
    """``fail``, ``warn``, ... or ``<outcome>_would_fail`` when the finding would fail."""
    outcome = finding.outcome.value
    if getattr(finding, "would_fail", None) is True and outcome != "fail":
        return f"{outcome}_would_fail"
    return outcome


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return str(value)


def _reason(value: Any, lang: str) -> str | None:
    if isinstance(value, dict):
        return _text(value.get(lang) or value.get("en") or value.get("nl"))
    return _text(value)


def finding_row(number: int, finding: Finding, report: Report, t: dict[str, str],
                lang: str) -> dict[str, Any]:
    """The flat attribute row of one finding."""
    info = report.rule(finding.rule_id)
    title = info.title if info else finding.rule_id
    ref = finding.source_ref or {}
    would_fail = getattr(finding, "would_fail", None)
    outcome_label = t.get(f"outcome.{finding.outcome.value}", finding.outcome.value)
    return {
        "number": number,
        "anchor": finding_anchor(finding),
        "rule_id": finding.rule_id,
        "rule_set": finding.rule_set,
        "rule_set_version": finding.rule_set_version or (info.rule_set_version if info else None),
        "rule_version": finding.rule_version,
        "title": title,
        "label": f"{number}. {outcome_label}: {finding.rule_id} {title}",
        "layer": finding.layer,
        "feature_id": finding.feature_id,
        "property": finding.property,
        "outcome": finding.outcome.value,
        "level": finding.level.value,
        "display_class": display_class(finding),
        "would_fail": would_fail if isinstance(would_fail, bool) else None,
        "structural": finding.structural,
        "pillar": finding.pillar.value,
        "measured": _text(finding.measured),
        "required": _text(finding.required),
        "unit": finding.unit,
        "message": finding.message,
        "advice": finding.advice,
        "status": finding.status,
        "missing": ", ".join(finding.missing) or None,
        "note": finding.note,
        "regime": _text(getattr(finding, "regime", None)),
        "regime_reason": _reason(getattr(finding, "regime_reason", None), lang),
        "source_document": finding.source.document,
        "source_article": finding.source.article,
        "source_url": finding.source.url,
        "source_kind": finding.source.kind,
        "source_file": _text(ref.get("file")),
        "source_layer": _text(ref.get("layer")),
        "source_fid": _text(ref.get("fid")),
        "deviation": _text(finding.deviation) if finding.deviation else None,
        "data": _text(finding.data) if finding.data else None,
    }


def _flat(coords: Any) -> Any:
    """Coordinates without Z (the layers are 2D)."""
    if coords and isinstance(coords[0], (int, float)):
        return [float(coords[0]), float(coords[1])]
    return [_flat(c) for c in coords]


def _parts(geometry: dict[str, Any]) -> Iterator[tuple[str, list[Any]]]:
    """(layer name, single-part coordinates) for every part of a GeoJSON geometry."""
    kind = geometry.get("type")
    if kind == "GeometryCollection":
        for member in geometry.get("geometries") or ():
            yield from _parts(member)
        return
    coords = geometry.get("coordinates")
    if not coords:
        return
    for layer, (_multi, _symbol, kinds) in LAYERS.items():
        if kind == kinds[0]:
            yield layer, _flat(coords)
        elif kind == kinds[1]:
            for part in coords:
                if part:
                    yield layer, _flat(part)


def layer_features(report: Report, lang: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """The fiona records of each findings layer (plain data), labels in ``lang``."""
    lang = lang or report.lang or "nl"
    t = load_catalogue(lang if lang in ("nl", "en") else "en")
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in LAYERS}
    for number, finding in enumerate(reading_order(report)[0], start=1):
        if not finding.location:
            continue
        grouped: dict[str, list[Any]] = {}
        for layer, coords in _parts(finding.location):
            grouped.setdefault(layer, []).append(coords)
        if not grouped:
            continue
        row = finding_row(number, finding, report, t, lang)
        for layer, parts in grouped.items():
            out[layer].append({"geometry": {"type": LAYERS[layer][0], "coordinates": parts},
                               "properties": dict(row)})
    return out


# -- the QGIS style ----------------------------------------------------------------------------

def _option_map(values: dict[str, str]) -> str:
    items = "".join(f'<Option name={quoteattr(k)} value={quoteattr(v)} type="QString"/>'
                    for k, v in values.items())
    return f'<Option type="Map">{items}</Option>'


def _symbol(symbol: str, name: str, cls: str, obligation: bool) -> str:
    colour, shape, pen, brush = CLASS_STYLES[cls]
    dark = "26,26,26,255"
    if symbol == "marker":
        layer = ("SimpleMarker", {
            "name": shape, "size": "5" if obligation else "4.2", "size_unit": "MM",
            "color": f"{colour},255" if obligation else "255,255,255,255",
            "outline_color": dark if obligation else f"{colour},255",
            "outline_width": "0.4" if obligation else "0.9", "outline_width_unit": "MM",
            "outline_style": "solid", "joinstyle": "miter", "angle": "0",
            "scale_method": "diameter", "vertical_anchor_point": "1",
            "horizontal_anchor_point": "1", "offset": "0,0", "offset_unit": "MM"})
    elif symbol == "line":
        layer = ("SimpleLine", {
            "line_color": f"{colour},255", "line_width": "1.6" if obligation else "0.8",
            "line_width_unit": "MM", "line_style": pen, "capstyle": "round",
            "joinstyle": "round", "use_custom_dash": "0", "offset": "0", "offset_unit": "MM"})
    else:
        layer = ("SimpleFill", {
            "color": f"{colour},255", "style": brush,
            "outline_color": f"{colour},255", "outline_width": "0.9" if obligation else "0.5",
            "outline_width_unit": "MM", "outline_style": "solid" if obligation else "dash",
            "joinstyle": "miter", "offset": "0,0", "offset_unit": "MM"})
    cls_name, props = layer
    return (f'<symbol type="{symbol}" name="{name}" alpha="1" clip_to_extent="1" '
            f'force_rhr="0"><layer class="{cls_name}" pass="0" locked="0" enabled="1">'
            f"{_option_map(props)}</layer></symbol>")


def _class_label(cls: str, t: dict[str, str]) -> str:
    if cls.endswith("_would_fail"):
        base = cls[: -len("_would_fail")]
        extra = "zou falen" if t.get("outcome.fail") == "niet voldaan" else "would fail"
        return f"{t.get(f'outcome.{base}', base)} ({extra})"
    return t.get(f"outcome.{cls}", cls)


_ZOOM_ACTION = """from qgis.core import QgsProject
from qgis.utils import iface
layer = QgsProject.instance().mapLayer('[% @layer_id %]')
iface.mapCanvas().zoomToFeatureIds(layer, [[% $id %]])
iface.mapCanvas().flashFeatureIds(layer, [[% $id %]])
"""

_REPORT_ACTION = """import os
from qgis.PyQt.QtCore import QUrl
from qgis.PyQt.QtGui import QDesktopServices
from qgis.core import QgsProject
layer = QgsProject.instance().mapLayer('[% @layer_id %]')
report = layer.customProperty('inclusiecheck/report') or ''
if not report or not os.path.isfile(report):
    folder = os.path.dirname(layer.source().split('|')[0])
    report = os.path.join(folder, 'report.html')
url = QUrl.fromLocalFile(report)
url.setFragment('[% "anchor" %]')
QDesktopServices.openUrl(url)
"""


def layer_style(layer: str, lang: str = "nl") -> str:
    """The QML style of findings layer ``layer`` in ``lang`` (legend and action names)."""
    t = load_catalogue(lang if lang in ("nl", "en") else "en")
    nl = lang == "nl"
    symbol = LAYERS[layer][1]
    rules, symbols = [], []
    index = 0
    for cls in CLASS_ORDER:
        for level in ("obligation", "recommendation"):
            filt = f"\"display_class\" = '{cls}' AND \"level\" = '{level}'"
            label = f"{_class_label(cls, t)} · {t.get(f'level.{level}', level)}"
            rules.append(f'<rule key="{{r{index:02d}}}" symbol="{index}" '
                         f"filter={quoteattr(filt)} label={quoteattr(label)}/>")
            symbols.append(_symbol(symbol, str(index), cls, level == "obligation"))
            index += 1
    placement = {"marker": "0", "line": "2", "fill": "0"}[symbol]  # around point / centroid
    labeling = (
        '<labeling type="simple"><settings calloutType="simple">'
        '<text-style fieldName="number" isExpression="0" fontFamily="Sans Serif" '
        'fontSize="9" fontSizeUnit="Point" fontWeight="75" fontItalic="0" '
        'textColor="26,26,26,255" textOpacity="1" namedStyle="Bold" blendMode="0" '
        'multilineHeight="1" previewBkgrdColor="255,255,255,255" allowHtml="0">'
        '<text-buffer bufferDraw="1" bufferSize="1" bufferSizeUnits="MM" '
        'bufferColor="255,255,255,255" bufferOpacity="1" bufferNoFill="1" bufferJoinStyle="128" '
        'bufferBlendMode="0"/></text-style>'
        '<text-format wrapChar="" multilineAlign="0" plussign="0" reverseDirectionSymbol="0" '
        'formatNumbers="0" decimals="3" addDirectionSymbol="0"/>'
        f'<placement placement="{placement}" dist="1.2" distUnits="MM" '
        'placementFlags="10" offsetType="0" quadOffset="4" centroidWhole="0" '
        'centroidInside="1" fitInPolygonOnly="0" priority="5" repeatDistance="0"/>'
        '<rendering obstacle="1" obstacleType="1" obstacleFactor="1" displayAll="1" '
        'upsidedownLabels="0" labelPerPart="0" limitNumLabels="0" maxNumLabels="2000" '
        'mergeLines="0" minFeatureSize="0" scaleVisibility="0" drawLabels="1" fontLimitPixelSize="0"/>'
        '</settings></labeling>')
    actions = []
    for uid, name, code, short in (
            ("{5b0f2d1e-0a6e-4c59-9d1e-2f5c3a1b0001}",
             "Zoom naar bevinding" if nl else "Zoom to finding", _ZOOM_ACTION, "zoom"),
            ("{5b0f2d1e-0a6e-4c59-9d1e-2f5c3a1b0002}",
             "Open in rapport" if nl else "Open in report", _REPORT_ACTION, "report")):
        actions.append(
            f'<actionsetting id="{uid}" type="1" name={quoteattr(name)} shortTitle="{short}" '
            f'icon="" capture="0" isEnabledOnlyWhenEditable="0" notificationMessage="" '
            f"action={quoteattr(code)}>"
            '<actionScope id="Feature"/><actionScope id="Field"/><actionScope id="Canvas"/>'
            "</actionsetting>")
    return (
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
        '<qgis version="3.22.0" styleCategories="Symbology|Labeling|Actions|AttributeTable" '
        'labelsEnabled="1">'
        '<renderer-v2 type="RuleRenderer" symbollevels="0" enableorderby="0" forceraster="0">'
        f'<rules key="{{root}}">{"".join(rules)}</rules>'
        f'<symbols>{"".join(symbols)}</symbols></renderer-v2>'
        f"{labeling}"
        '<attributeactions><defaultAction key="Canvas" '
        'value="{5b0f2d1e-0a6e-4c59-9d1e-2f5c3a1b0001}"/>'
        f'{"".join(actions)}</attributeactions>'
        '<attributetableconfig actionWidgetStyle="dropDown" sortExpression="&quot;number&quot;" '
        'sortOrder="0"><columns><column type="actions" hidden="0" width="-1"/></columns>'
        "</attributetableconfig>"
        "</qgis>\n")


_LAYER_STYLES_DDL = """CREATE TABLE IF NOT EXISTS layer_styles (
  id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT(256), f_table_schema TEXT(256),
  f_table_name TEXT(256), f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT,
  styleSLD TEXT, useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30),
  update_time DATETIME DEFAULT CURRENT_TIMESTAMP)"""


def store_styles(path: Path, styles: dict[str, str], description: str) -> None:
    """Store QML ``styles`` (layer -> QML) as the default styles in GeoPackage ``path``
    (the ``layer_styles`` table QGIS reads and writes, registered as an attributes table)."""
    con = sqlite3.connect(str(path))
    try:
        with con:
            con.execute(_LAYER_STYLES_DDL)
            con.execute("INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, "
                        "description, last_change) VALUES ('layer_styles', 'attributes', "
                        "'layer_styles', '', strftime('%Y-%m-%dT%H:%M:%fZ','now'))")
            for layer, qml in styles.items():
                con.execute("DELETE FROM layer_styles WHERE f_table_name = ?", (layer,))
                con.execute(
                    "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
                    "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, "
                    "description, owner, ui, update_time) VALUES ('', '', ?, 'geom', ?, ?, '', "
                    "1, ?, '', '', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
                    (layer, STYLE_NAME, qml, description))
    finally:
        con.close()


def write_findings_gpkg(report: Report, path: Path, lang: str | None = None) -> None:
    """Write the findings layers of ``report`` with their default styles to ``path``."""
    import fiona

    lang = lang or report.lang or "nl"
    features = layer_features(report, lang)
    schema_props = dict(COLUMNS)
    crs = report.crs or ""
    crs_args: dict[str, Any] = {"crs": crs} if crs.upper().startswith("EPSG:") else \
        {"crs_wkt": crs} if crs else {}
    for layer, (multi, _symbol, _kinds) in LAYERS.items():
        with fiona.open(str(path), "w", driver="GPKG", layer=layer,
                        schema={"geometry": multi, "properties": schema_props},
                        **crs_args) as sink:
            sink.writerecords(features[layer])
    store_styles(path, {layer: layer_style(layer, lang) for layer in LAYERS},
                 "inclusiecheck findings: outcome by colour and shape, level by fill")


@output_format("gpkg", "findings.gpkg", "application/geopackage+sqlite3",
               "findings with a location as a styled GeoPackage (point, line, polygon layers)")
def render_gpkg(report: Report, options: RenderOptions) -> bytes:
    """Render the located findings of ``report`` as ``findings.gpkg`` (bytes)."""
    with tempfile.TemporaryDirectory(prefix="inclusiecheck-gpkg-") as tmp:
        path = Path(tmp) / "findings.gpkg"
        write_findings_gpkg(report, path, options.lang or report.lang)
        return path.read_bytes()
