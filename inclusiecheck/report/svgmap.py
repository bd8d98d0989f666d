"""The inline SVG map of the inclusion advice: the plan, north up, with numbered findings.

Plan geometry comes from ``report.map_layers`` (layer -> (feature id, GeoJSON geometry,
status)), the findings' own locations from each finding. Coordinates are in the report's
metric CRS; the map scales them to a fixed view box with a margin and flips the y axis so that
north is up. Every text that comes from the plan is escaped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any
from collections.abc import Mapping, Sequence

import numpy as np
import shapely
from markupsafe import Markup, escape
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from inclusiecheck.model import Finding, Report

#: width of the SVG view box (user units)
VIEW_W = 1000.0
#: blank border inside the view box (user units)
PAD = 24.0
#: extra ground around the plan's extents, as a share of the larger side
MARGIN_SHARE = 0.04
#: smallest span shown (metres), for a plan of one point
MIN_SPAN_M = 20.0
#: above this many features of the plan the per-feature map draws only the features with
#: findings (a plan of 60,000 features is some 3 MB of SVG)
MAX_MAP_FEATURES = 20_000
#: radius of a finding marker (user units)
MARKER_R = 11.0
#: distance between marker centres when spread (a recommendation's diamond is the widest)
MARKER_STEP = 31.0


@dataclass(frozen=True, slots=True)
class LayerStyle:
    """How one layer is drawn: muted fills, darker outlines, a point symbol."""

    fill: str
    stroke: str
    width: float
    point: str = "circle"  # circle, square, diamond, triangle
    point_r: float = 3.5
    dash: str | None = None


#: draw order (first = bottom) and style of the data profile's layers
LAYER_STYLES: dict[str, LayerStyle] = {
    "area": LayerStyle("#f4f1ea", "#9d9484", 1.0, dash="6 3"),
    "vegetation": LayerStyle("#d3e4c5", "#5f7f4a", 1.0, point_r=4.5),
    "parking": LayerStyle("#dfe5ec", "#6f7f91", 1.0, point="square"),
    "cycle_path": LayerStyle("#efd9d3", "#a0665a", 2.0),
    "walkway": LayerStyle("#e9e2d2", "#8f826a", 2.5),
    "underpass": LayerStyle("#d9d3e6", "#6c5f8d", 2.0),
    "ramp": LayerStyle("#e6d3b3", "#8a6a34", 1.5, point="triangle"),
    "stairs": LayerStyle("#d8cfc0", "#6e6253", 1.5, point="triangle"),
    "tactile": LayerStyle("#f2e3a1", "#8c7410", 1.5, dash="3 2"),
    "crossing": LayerStyle("#ffffff", "#4d4d4d", 2.0, point="square", dash="5 3"),
    "building": LayerStyle("#d4cfc8", "#6b645b", 1.2),
    "wall": LayerStyle("#bdb6ad", "#4f4a44", 2.0),
    "obstacle": LayerStyle("#cfcfcf", "#555555", 1.2, point="square", point_r=3.0),
    "bench": LayerStyle("#c9b08a", "#6b5430", 1.5, point="square", point_r=3.0),
    "light": LayerStyle("#f5d76e", "#6b5a10", 1.2, point_r=3.5),
    "lift": LayerStyle("#cfd8dc", "#455a64", 1.2, point="square", point_r=4.0),
    "level_change": LayerStyle("#ffffff", "#555555", 1.2, point="triangle"),
    "stop": LayerStyle("#cbdcf0", "#2f5487", 1.5, point="square", point_r=5.0),
    "toilet": LayerStyle("#d6e6f2", "#2f5f7f", 1.5, point="square", point_r=5.0),
    "entrance": LayerStyle("#ffffff", "#3d3d3d", 1.5, point="diamond", point_r=5.0),
    "door": LayerStyle("#ffffff", "#3d3d3d", 1.2, point="diamond", point_r=4.0),
}
OTHER_STYLE = LayerStyle("#e6e6e6", "#666666", 1.0)

#: marker colours (white text on them has a contrast of at least 4.5:1) and ring dashes
MARKER_STYLES: dict[str, tuple[str, str | None]] = {
    "fail": ("#b3261e", None),
    "deviation": ("#5b3a8a", None),
    "warn": ("#8a4b00", "4 2"),
    "to_verify": ("#1f4e9a", "1.5 2"),
    "pass": ("#2e6b30", None),
    "not_applicable": ("#555555", "1 3"),
}
MARKER_ORDER = ("fail", "deviation", "warn", "to_verify", "pass", "not_applicable")


def _f(value: float) -> str:
    """Format a view-box coordinate with one decimal (no ``-0``)."""
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


@dataclass(frozen=True, slots=True)
class _Frame:
    """The affine map from plan metres to view-box units (y flipped)."""

    minx: float
    maxy: float
    k: float
    width: float
    height: float

    def xy(self, coords: np.ndarray) -> np.ndarray:
        out = np.empty_like(coords[:, :2], dtype=float)
        out[:, 0] = (coords[:, 0] - self.minx) * self.k + PAD
        out[:, 1] = (self.maxy - coords[:, 1]) * self.k + PAD
        return out


def _frame(bounds: tuple[float, float, float, float]) -> _Frame:
    """Fit ``bounds`` plus a margin into the view box; at most 1.5 times taller than wide."""
    minx, miny, maxx, maxy = bounds
    span = max(maxx - minx, maxy - miny, MIN_SPAN_M)
    margin = span * MARGIN_SHARE
    w = max(maxx - minx, MIN_SPAN_M) + 2 * margin
    h = max(maxy - miny, MIN_SPAN_M / 2) + 2 * margin
    w = max(w, h / 1.5)
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    k = (VIEW_W - 2 * PAD) / w
    return _Frame(cx - w / 2, cy + h / 2, k, VIEW_W, h * k + 2 * PAD)


def _geom(geojson: Mapping[str, Any] | None) -> BaseGeometry | None:
    if not geojson:
        return None
    try:
        geom = shape(geojson)
    except (ValueError, TypeError, KeyError, AttributeError, IndexError,
            shapely.errors.GEOSException):  # e.g. a line of one point
        return None
    return None if geom.is_empty else geom


def _ring_d(coords: Sequence[Sequence[float]], frame: _Frame, close: bool) -> str:
    arr = np.asarray(coords, dtype=float)
    if arr.ndim != 2 or len(arr) == 0:
        return ""
    pts = frame.xy(arr)
    body = " ".join(f"{_f(x)} {_f(y)}" for x, y in pts)
    return f"M{body}{' Z' if close else ''}"


def _point_symbol(x: float, y: float, style: LayerStyle) -> str:
    r = style.point_r
    if style.point == "square":
        return f'<rect x="{_f(x - r)}" y="{_f(y - r)}" width="{_f(2 * r)}" height="{_f(2 * r)}"/>'
    if style.point == "diamond":
        return (f'<path d="M{_f(x)} {_f(y - r * 1.3)} L{_f(x + r * 1.3)} {_f(y)} '
                f'L{_f(x)} {_f(y + r * 1.3)} L{_f(x - r * 1.3)} {_f(y)} Z"/>')
    if style.point == "triangle":
        return (f'<path d="M{_f(x)} {_f(y - r * 1.3)} L{_f(x + r * 1.2)} {_f(y + r)} '
                f'L{_f(x - r * 1.2)} {_f(y + r)} Z"/>')
    return f'<circle cx="{_f(x)}" cy="{_f(y)}" r="{_f(r)}"/>'


def geometry_svg(geojson: Mapping[str, Any], frame: _Frame, style: LayerStyle) -> list[str]:
    """Return SVG elements drawing one GeoJSON geometry (any type) in ``frame``."""
    kind = geojson.get("type")
    coords: Any = geojson.get("coordinates")  # malformed GeoJSON: the except below
    out: list[str] = []
    try:
        if kind == "Point":
            (x, y), = frame.xy(np.asarray([coords], dtype=float))
            out.append(_point_symbol(x, y, style))
        elif kind == "MultiPoint":
            for x, y in frame.xy(np.asarray(coords, dtype=float).reshape(-1, 2)):
                out.append(_point_symbol(x, y, style))
        elif kind == "LineString":
            out.append(f'<path class="ln" d="{_ring_d(coords, frame, False)}"/>')
        elif kind == "MultiLineString":
            d = " ".join(_ring_d(line, frame, False) for line in coords)
            out.append(f'<path class="ln" d="{d}"/>')
        elif kind == "Polygon":
            d = " ".join(_ring_d(ring, frame, True) for ring in coords)
            out.append(f'<path d="{d}"/>')
        elif kind == "MultiPolygon":
            d = " ".join(_ring_d(ring, frame, True) for poly in coords for ring in poly)
            out.append(f'<path d="{d}"/>')
        elif kind == "GeometryCollection":
            for part in geojson.get("geometries") or []:
                out.extend(geometry_svg(part, frame, style))
    except (ValueError, TypeError, IndexError):
        return []
    return out


def _bounds(report: Report, numbered: Sequence[tuple[int, Finding]]) -> tuple | None:
    if report.extents is not None:
        minx, miny, maxx, maxy = report.extents
        if all(math.isfinite(v) for v in report.extents) and maxx >= minx and maxy >= miny:
            return (minx, miny, maxx, maxy)
    geoms = [_geom(g) for feats in report.map_layers.values() for _, g, _ in feats]
    geoms += [_geom(f.location) for _, f in numbered]
    arr = np.array([g for g in geoms if g is not None], dtype=object)
    if len(arr) == 0:
        return None
    b = shapely.bounds(arr)
    return (float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()),
            float(b[:, 3].max()))


def _anchor(geom: BaseGeometry) -> tuple[float, float]:
    """A point on the geometry where its marker goes (largest part for multi-geometries)."""
    if hasattr(geom, "geoms"):
        parts = [g for g in geom.geoms if not g.is_empty]
        geom = max(parts, key=lambda g: (g.area, g.length))
        if hasattr(geom, "geoms"):  # a collection inside a collection
            return _anchor(geom)
    if geom.geom_type == "LineString":
        p = geom.interpolate(0.5, normalized=True)
    elif geom.geom_type == "Point":
        p = geom
    else:
        p = geom.point_on_surface()
    return (p.x, p.y)


#: rings of candidate positions tried around a marker's anchor before it may overlap
MAX_RINGS = 5


def _place(anchors: list[tuple[float, float]],
           area: float = float("inf")) -> list[tuple[float, float]]:
    """Place markers near their anchors without overlap (greedy, spatial hash, linear).

    A marker with no free spot within :data:`MAX_RINGS` rings stays on its anchor; when the
    markers could not fit in ``area`` (view-box units squared) anyway, none is moved.
    """
    step = MARKER_STEP
    if len(anchors) * step * step > area / 2:
        return list(anchors)
    cells: dict[tuple[int, int], list[tuple[float, float]]] = {}
    placed: list[tuple[float, float]] = []

    def free(x: float, y: float) -> bool:
        ci, cj = int(x // step), int(y // step)
        for di in (-1, 0, 1):
            for dj in (-1, 0, 1):
                for px, py in cells.get((ci + di, cj + dj), ()):
                    if (px - x) ** 2 + (py - y) ** 2 < step ** 2:
                        return False
        return True

    for ax, ay in anchors:
        pos = (ax, ay)
        if not free(ax, ay):
            found = False
            for ring in range(1, MAX_RINGS + 1):
                count = 6 * ring
                for i in range(count):
                    angle = -math.pi / 2 + 2 * math.pi * i / count
                    x, y = ax + ring * step * math.cos(angle), ay + ring * step * math.sin(angle)
                    if free(x, y):
                        pos, found = (x, y), True
                        break
                if found:
                    break
        cells.setdefault((int(pos[0] // step), int(pos[1] // step)), []).append(pos)
        placed.append(pos)
    return placed


def _nice_length(max_m: float) -> float:
    """The largest 1, 2 or 5 x 10^k not above ``max_m``."""
    exp = math.floor(math.log10(max_m))
    for mult in (5, 2, 1):
        if mult * 10 ** exp <= max_m:
            return float(mult * 10 ** exp)
    return float(10 ** exp)


def _format_m(length: float) -> str:
    if length >= 1000:
        return f"{length / 1000:g} km"
    return f"{length:g} m"


def _scale_bar(frame: _Frame, t: Mapping[str, str]) -> str:
    length_m = _nice_length((frame.width - 2 * PAD) / frame.k / 5)
    px = length_m * frame.k
    x0, y0 = PAD + 6, frame.height - PAD - 4
    half = _f(px / 2)
    return (
        f'<g class="scalebar" font-size="13" font-family="sans-serif">'
        f'<rect x="{_f(x0 - 6)}" y="{_f(y0 - 24)}" width="{_f(px + 12)}" height="32" '
        f'fill="#ffffff" fill-opacity="0.9" stroke="#555555" stroke-width="0.8"/>'
        f'<rect x="{_f(x0)}" y="{_f(y0 - 4)}" width="{half}" height="5" fill="#1a1a1a"/>'
        f'<rect x="{_f(x0 + px / 2)}" y="{_f(y0 - 4)}" width="{half}" height="5" '
        f'fill="#ffffff" stroke="#1a1a1a" stroke-width="1"/>'
        f'<text x="{_f(x0 + px / 2)}" y="{_f(y0 - 9)}" text-anchor="middle" '
        f'fill="#1a1a1a">{escape(_format_m(length_m))}</text></g>')


def _north_arrow(frame: _Frame, t: Mapping[str, str]) -> str:
    x, y = frame.width - PAD - 14, PAD + 8
    return (f'<g class="north" font-family="sans-serif" font-size="14" font-weight="bold">'
            f'<path d="M{_f(x)} {_f(y)} L{_f(x + 8)} {_f(y + 22)} L{_f(x)} {_f(y + 17)} '
            f'L{_f(x - 8)} {_f(y + 22)} Z" fill="#1a1a1a"/>'
            f'<text x="{_f(x)}" y="{_f(y + 38)}" text-anchor="middle" fill="#1a1a1a">'
            f'{escape(t["map.north"])}</text></g>')


def leader_svg(anchor: tuple[float, float], x: float, y: float) -> str:
    """A leader line from a moved marker back to the spot it marks (drawn under markers)."""
    return (f'<line x1="{_f(anchor[0])}" y1="{_f(anchor[1])}" x2="{_f(x)}" y2="{_f(y)}" '
            f'stroke="#1a1a1a" stroke-width="1.2"/>'
            f'<circle cx="{_f(anchor[0])}" cy="{_f(anchor[1])}" r="2.2" fill="#1a1a1a"/>')


def _diamond(x: float, y: float, r: float, attrs: str) -> str:
    return (f'<path d="M{_f(x)} {_f(y - r)} L{_f(x + r)} {_f(y)} L{_f(x)} {_f(y + r)} '
            f'L{_f(x - r)} {_f(y)} Z" {attrs}/>')


def marker_svg(number: int | None, outcome: str, x: float, y: float, label: str = "",
               would_fail: bool = False, level: str = "obligation",
               href: str | None = None) -> str:
    """A numbered marker: a circle for an obligation, a diamond for a recommendation (the
    level by shape, not only colour), with a white outline and an outcome ring (dashed for
    warnings...).

    ``number`` None draws the bare symbol, for the legend. A would-fail finding (to verify,
    but failing if in scope) gets a square frame in the fail colour: a shape, not only a colour.
    With ``href`` the marker is a link to its finding (keyboard-reachable), named by ``label``.
    """
    fill, dash = MARKER_STYLES.get(outcome, MARKER_STYLES["not_applicable"])
    cls = f"m-{escape(outcome)} lv-{escape(level)}" + (" would-fail" if would_fail else "")
    if number is None:
        parts = [f'<g class="marker-symbol {cls}">']
    elif href:
        parts = [f'<a class="marker {cls}" href="#{escape(href)}" data-finding="{number}" '
                 f'aria-label="{escape(label)}">']
    else:
        parts = [f'<g class="marker {cls}" data-finding="{number}">']
    if label:
        parts.append(f"<title>{escape(label)}</title>")
    ring = f' stroke-dasharray="{dash}"' if dash else ""
    if would_fail:
        side = 2 * (MARKER_R + 5.5)
        parts.append(f'<rect class="would-fail" x="{_f(x - side / 2)}" y="{_f(y - side / 2)}" '
                     f'width="{_f(side)}" height="{_f(side)}" fill="#ffffff" '
                     f'stroke="{MARKER_STYLES["fail"][0]}" stroke-width="2.5"/>')
    if level == "recommendation":
        r = (MARKER_R + 3.2) * 1.3
        parts.append(_diamond(x, y, r, f'fill="#ffffff" stroke="{fill}" stroke-width="2"{ring}'))
        if outcome == "deviation":
            parts.append(_diamond(x, y, r + 3.5, f'fill="none" stroke="{fill}" '
                                                 f'stroke-width="1.5"'))
        parts.append(_diamond(x, y, MARKER_R * 1.3, f'fill="{fill}" stroke="#ffffff" '
                                                    f'stroke-width="1.5"'))
    else:
        parts.append(f'<circle cx="{_f(x)}" cy="{_f(y)}" r="{_f(MARKER_R + 3.2)}" '
                     f'fill="#ffffff" stroke="{fill}" stroke-width="2"{ring}/>')
        if outcome == "deviation":
            parts.append(f'<circle cx="{_f(x)}" cy="{_f(y)}" r="{_f(MARKER_R + 6)}" '
                         f'fill="none" stroke="{fill}" stroke-width="1.5"/>')
        parts.append(f'<circle cx="{_f(x)}" cy="{_f(y)}" r="{_f(MARKER_R)}" fill="{fill}" '
                     f'stroke="#ffffff" stroke-width="1.5"/>')
    end = "</a>" if number is not None and href else "</g>"
    if number is None:
        return "".join(parts) + end
    size = 12 if number < 100 else 9.5
    parts.append(f'<text x="{_f(x)}" y="{_f(y + size * 0.36)}" text-anchor="middle" '
                 f'font-size="{size}" font-weight="bold" font-family="sans-serif" '
                 f'fill="#ffffff" aria-hidden="true">{number}</text>{end}')
    return "".join(parts)


def _swatch(style: LayerStyle, layer_kinds: set[str]) -> Markup:
    """A 28 x 18 legend swatch of a layer: area, line or point as the layer is drawn."""
    attrs = (f'fill="{style.fill}" stroke="{style.stroke}" stroke-width="{style.width}"'
             + (f' stroke-dasharray="{style.dash}"' if style.dash else ""))
    if layer_kinds <= {"Point", "MultiPoint"}:
        body = _point_symbol(14, 9, LayerStyle(style.fill, style.stroke, style.width,
                                               style.point, 5.0))
    elif layer_kinds <= {"LineString", "MultiLineString"}:
        body = '<path d="M2 13 L12 6 L26 9" fill="none"/>'
    else:
        body = '<rect x="2" y="2" width="24" height="14" rx="1"/>'
    return Markup(f'<svg class="swatch" width="28" height="18" viewBox="0 0 28 18" '
                  f'aria-hidden="true" focusable="false"><g {attrs}>{body}</g></svg>')


def marker_swatch(outcome: str, would_fail: bool = False, level: str = "obligation") -> Markup:
    """A legend swatch of an outcome's marker."""
    return Markup('<svg class="swatch" width="34" height="34" viewBox="0 0 34 34" '
                  'aria-hidden="true" focusable="false">'
                  + marker_svg(None, outcome, 17, 17, would_fail=would_fail, level=level)
                  + "</svg>")


def _labels_svg(report: Report, frame: _Frame,
                map_layers: Mapping[str, Sequence[tuple[str, Any, str]]] | None = None) -> str:
    """Names of the plan's named buildings, streets and areas (of ``map_layers``, default
    every feature of the report), on a white halo."""
    out = []
    layers = report.map_layers if map_layers is None else map_layers
    for layer in ("area", "building", "walkway"):
        named = (getattr(report, "map_names", None) or {}).get(layer) or {}
        for fid, geometry, _status in layers.get(layer, []):
            name = named.get(fid)
            geom = _geom(geometry) if name else None
            if geom is None:
                continue
            (x, y), = frame.xy(np.asarray([_anchor(geom)], dtype=float))
            size = 13 if layer != "area" else 14
            style = "italic" if layer == "walkway" else "normal"
            out.append(f'<text x="{_f(x)}" y="{_f(y - MARKER_R - 6)}" text-anchor="middle" '
                       f'font-size="{size}" font-style="{style}" font-family="sans-serif" '
                       f'fill="#1a1a1a" stroke="#ffffff" stroke-width="3.5" '
                       f'paint-order="stroke" stroke-linejoin="round">{escape(name)}</text>')
    return '<g class="names" aria-hidden="true">' + "".join(out) + "</g>" if out else ""


def render_map(report: Report, numbered: Sequence[tuple[int, Finding]],
               t: Mapping[str, str], lang: str = "nl",
               items: Sequence[Mapping[str, Any]] | None = None) -> dict[str, Any] | None:
    """Return the inline SVG map and its legend, or None when there is nothing to draw.

    Returns
    -------
    dict or None
        ``svg`` (Markup of an ``<svg role="img">`` labelled by its ``<title>`` and ``<desc>``),
        ``markers`` (the finding numbers drawn, in order), ``legend_layers`` and
        ``legend_markers`` (label + swatch Markup), ``width`` and ``height``; and, for a
        plan of more than :data:`MAX_MAP_FEATURES` features, of which only those with
        findings are drawn, ``features_note`` (a sentence saying so).
    """
    bounds = _bounds(report, numbered)
    if bounds is None:
        return None
    frame = _frame(bounds)
    body: list[str] = []
    legend_layers = []
    map_layers = report.map_layers
    features = sum(len(feats) for feats in map_layers.values())
    features_note = None
    if features > MAX_MAP_FEATURES:  # a very large plan: only the features with findings
        with_findings = {(f.layer, f.feature_id) for _n, f in numbered}
        map_layers = {layer: [feat for feat in feats if (layer, feat[0]) in with_findings]
                      for layer, feats in map_layers.items()}
        features_note = t["map.features_only"].format(count=features)
    order = list(LAYER_STYLES) + sorted(k for k in map_layers if k not in LAYER_STYLES)
    for layer in order:
        feats = map_layers.get(layer)
        if not feats:
            continue
        style = LAYER_STYLES.get(layer, OTHER_STYLE)
        kinds: set[str] = set()
        for status in ("new", "existing"):
            elements = []
            for _fid, geometry, feat_status in feats:
                if feat_status == "removed" or (feat_status == "existing") != (status == "existing"):
                    continue
                if geometry:
                    kinds.add(str(geometry.get("type")))
                    elements.extend(geometry_svg(geometry, frame, style))
            if not elements:
                continue
            if status == "existing":
                extra = ' stroke-dasharray="4 3" opacity="0.75"'
            else:
                extra = f' stroke-dasharray="{style.dash}"' if style.dash else ""
            body.append(f'<g class="layer l-{escape(layer)}" fill="{style.fill}" '
                        f'stroke="{style.stroke}" stroke-width="{style.width}" '
                        f'stroke-linejoin="round" fill-rule="evenodd"{extra}>'
                        + "".join(elements) + "</g>")
        if kinds:
            legend_layers.append({"layer": layer, "label": t.get(f"layer.{layer}", layer),
                                  "swatch": _swatch(style, kinds)})

    # one marker per finding; a to-verify group has one marker per feature (its first finding)
    item_of = {n: item for n, item in zip((n for n, _ in numbered), items or [])}
    seen_group: set[tuple[str, str]] = set()
    located = []
    for n, f in numbered:
        item = item_of.get(n)
        if item is not None and item.get("grouped"):
            key = (str(item.get("group_anchor")), f.feature_id)
            if key in seen_group:
                continue
            seen_group.add(key)
        if (g := _geom(f.location)) is not None:
            located.append((n, f, g))
    highlights: dict[str, list[str]] = {}
    for _n, f, _g in located:
        if f.location and f.location.get("type") not in ("Point", "MultiPoint"):
            hl = LayerStyle("none", "none", 3.0, "circle", 4.0)
            highlights.setdefault(f.outcome.value, []).extend(geometry_svg(f.location, frame, hl))
    for outcome, elements in sorted(highlights.items()):
        colour, _dash = MARKER_STYLES.get(outcome, MARKER_STYLES["not_applicable"])
        body.append(f'<g class="highlights h-{escape(outcome)}" fill="none" stroke="{colour}" '
                    f'stroke-width="4" stroke-opacity="0.8" stroke-linejoin="round">'
                    + "".join(elements) + "</g>")
    anchors_m = np.array([_anchor(g) for _, _, g in located], dtype=float).reshape(-1, 2)
    anchors = [tuple(p) for p in frame.xy(anchors_m)] if located else []
    positions = _place(anchors, frame.width * frame.height)
    markers: list[str] = []
    leaders: list[str] = []
    rules = {info.id: info for info in report.rules}
    for (n, f, _g), anchor, pos in zip(located, anchors, positions):
        if (pos[0] - anchor[0]) ** 2 + (pos[1] - anchor[1]) ** 2 > 1:
            leaders.append(leader_svg(anchor, pos[0], pos[1]))
        info = rules.get(f.rule_id)
        item = item_of.get(n)
        would = f" ({t['finding.would_fail'].lower()})" if f.would_fail else ""
        layer_label = t.get(f"layer.{f.layer}", f.layer)
        if item is not None and item.get("grouped"):
            label = (f"{n}. {t['outcome.to_verify']}: {layer_label} {f.feature_id}: "
                     f"{', '.join(item.get('missing_labels') or [])}")
        else:
            message = (item or {}).get("message") or f.text("message", lang) or ""
            label = (f"{n}. {t['outcome.' + f.outcome.value]}{would}: {f.rule_id}"
                     f"{' ' + info.text('title', lang) if info else ''}, {layer_label} "
                     f"{f.feature_id}. {message}")
        href = (item or {}).get("anchor")
        markers.append(marker_svg(n, f.outcome.value, pos[0], pos[1], label,
                                  would_fail=bool(f.would_fail), level=f.level.value,
                                  href=href))
    body.append(_labels_svg(report, frame, map_layers))
    body.append('<g class="leaders">' + "".join(leaders) + "</g>")
    body.append('<g class="markers">' + "".join(markers) + "</g>")
    body.append(_scale_bar(frame, t))
    body.append(_north_arrow(frame, t))
    svg = (f'<svg class="map" role="group" aria-labelledby="map-title" aria-describedby="map-desc" '
           f'viewBox="0 0 {_f(frame.width)} {_f(frame.height)}" '
           f'preserveAspectRatio="xMidYMid meet">'
           f'<title id="map-title">{escape(t["map.title"])}</title>'
           f'<desc id="map-desc">{escape(t["map.desc"])}</desc>'
           f'<rect x="0" y="0" width="{_f(frame.width)}" height="{_f(frame.height)}" '
           f'fill="#fbfaf7"/>' + "".join(body) + "</svg>")
    outcomes = sorted({f.outcome.value for _, f, _ in located}, key=MARKER_ORDER.index)
    legend_markers = [{"outcome": o, "label": t[f"outcome.{o}"], "swatch": marker_swatch(o)}
                      for o in outcomes]
    levels = {f.level.value for _, f, _ in located}
    if "recommendation" in levels:
        legend_markers.append({"outcome": "level", "label": t["map.legend_obligation"],
                               "swatch": marker_swatch("not_applicable")})
        legend_markers.append({"outcome": "level", "label": t["map.legend_recommendation"],
                               "swatch": marker_swatch("not_applicable",
                                                       level="recommendation")})
    if any(f.would_fail for _, f, _ in located):
        legend_markers.append({"outcome": "would_fail",
                               "label": f"{t['outcome.to_verify']}: {t['finding.would_fail']}",
                               "swatch": marker_swatch("to_verify", would_fail=True)})
    out = {"svg": Markup(svg), "markers": [n for n, _, _ in located],
           "legend_layers": legend_layers, "legend_markers": legend_markers,
           "width": frame.width, "height": frame.height}
    if features_note:
        out["features_note"] = features_note
    return out



# ------------------------------------------------------------------------------------------
# The aggregated map: findings counted per grid cell (a plan with very many findings)
# ------------------------------------------------------------------------------------------

#: most cells along the longer side of the aggregated map's grid
GRID_MAX_CELLS = 48
#: the fill of a cell by its count class, light to dark (yellow to brown, apart from the
#: grey plan and the red fail circles)
CELL_FILLS = ("#fff3c4", "#fed98e", "#fdae61", "#e07b39", "#a0522d")
#: the outline of a cell with findings (3:1 against the map's background and the plan)
CELL_STROKE = "#4a4a4a"
#: fill and outline of the plan's footprint (the cells holding any feature of the plan)
PLAN_FILL, PLAN_STROKE = "#e6e6e6", "#7a7a7a"
#: largest radius of a cell's fail circle, as a share of the cell's side
FAIL_R_SHARE = 0.42
#: smallest radius of a fail circle (view-box units), so that one fail stays visible
FAIL_R_MIN = 2.5


def _nice_cell(span_m: float, max_cells: int) -> float:
    """The smallest cell side of 1, 2, 2.5 or 5 x 10^k metres giving at most ``max_cells``
    cells along ``span_m`` wherever the grid's lines fall (a span of exactly n cells can
    touch n + 1 of them)."""
    need = max(span_m, MIN_SPAN_M) / (max_cells - 1)
    exp = math.floor(math.log10(need))
    for e in (exp, exp + 1):
        for mult in (1.0, 2.0, 2.5, 5.0):
            size = mult * 10.0 ** e
            if size >= need:
                return size
    return 10.0 ** (exp + 1)  # pragma: no cover - the loop always returns


def _nice_ceil(value: float) -> int:
    """The smallest 1, 2 or 5 x 10^k (an integer >= 1) not below ``value``."""
    if value <= 1:
        return 1
    exp = math.floor(math.log10(value))
    for e in (exp, exp + 1):
        for mult in (1, 2, 5):
            if mult * 10 ** e >= value:
                return int(mult * 10 ** e)
    return int(10 ** (exp + 1))  # pragma: no cover


def count_classes(totals: Sequence[int], n: int = len(CELL_FILLS)) -> list[tuple[int, int]]:
    """Classes (low, high) of the cell counts ``totals``: at most ``n`` classes holding about
    as many cells each (quantiles), the last ending at the largest count; every count from 1
    to the largest is in exactly one class."""
    values = sorted(v for v in totals if v > 0)
    if not values:
        return []
    uppers: list[int] = []
    for q in range(1, n):
        upper = values[max(math.ceil(q * len(values) / n) - 1, 0)]
        if (not uppers or upper > uppers[-1]) and upper < values[-1]:
            uppers.append(upper)
    uppers.append(values[-1])
    lows = [1] + [u + 1 for u in uppers[:-1]]
    return list(zip(lows, uppers))


def column_name(index: int) -> str:
    """A grid column's letters: 0 -> A, 25 -> Z, 26 -> AA (as in a spreadsheet)."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


def finding_anchors_m(locations: Sequence[Mapping[str, Any] | None]) -> np.ndarray:
    """The point in plan metres where each location's marker goes (as :func:`_anchor` on
    the per-feature map: a point itself, the middle of a line, a point on a surface, the
    largest part of a multi-geometry), NaN for no location; an (n, 2) array.

    Points, lines and polygons are built and measured in batches (a plan of 100,000
    findings); other geometries one by one."""
    out = np.full((len(locations), 2), np.nan)
    lines: tuple[list[int], list[np.ndarray]] = ([], [])
    polys: tuple[list[int], list[list[np.ndarray]]] = ([], [])
    for i, loc in enumerate(locations):
        if not loc:
            continue
        kind = loc.get("type")
        coords: Any = loc.get("coordinates")
        try:
            if kind == "Point":
                out[i] = np.asarray(coords, dtype=float)[:2]
                continue
            if kind == "LineString":
                arr = np.asarray(coords, dtype=float)
                if arr.ndim == 2 and len(arr) >= 2 and arr.shape[1] >= 2:
                    lines[0].append(i)
                    lines[1].append(arr[:, :2])
                    continue
            elif kind == "Polygon":
                rings = [np.asarray(r, dtype=float) for r in coords]
                if rings and all(r.ndim == 2 and len(r) >= 4 and r.shape[1] >= 2
                                 and np.array_equal(r[0], r[-1]) for r in rings):
                    polys[0].append(i)
                    polys[1].append([r[:, :2] for r in rings])
                    continue
        except (TypeError, ValueError, IndexError):
            continue
        geom = _geom(loc)
        if geom is not None:
            out[i] = _anchor(geom)
    if lines[0]:
        flat = np.concatenate(lines[1])
        index = np.repeat(np.arange(len(lines[1])), [len(a) for a in lines[1]])
        geoms = shapely.linestrings(flat, indices=index)
        points = shapely.line_interpolate_point(geoms, 0.5, normalized=True)
        out[lines[0]] = shapely.get_coordinates(points)
    if polys[0]:
        rings = [r for poly in polys[1] for r in poly]
        flat = np.concatenate(rings)
        ring_index = np.repeat(np.arange(len(rings)), [len(r) for r in rings])
        poly_index = np.repeat(np.arange(len(polys[1])), [len(p) for p in polys[1]])
        geoms = shapely.polygons(shapely.linearrings(flat, indices=ring_index),
                                 indices=poly_index)
        out[polys[0]] = shapely.get_coordinates(shapely.point_on_surface(geoms))
    out[~np.isfinite(out).all(axis=1)] = np.nan
    return out


def _coords_of(geojson: Mapping[str, Any]) -> list[Any]:
    """Every outer coordinate of a GeoJSON geometry (exterior rings only), for its bounds."""
    kind, coords = geojson.get("type"), geojson.get("coordinates")
    if kind == "Point":
        return [coords]
    if kind in ("LineString", "MultiPoint"):
        return list(coords or [])
    if kind == "Polygon":
        return list(coords[0]) if coords else []
    if kind == "MultiLineString":
        return [c for line in coords or [] for c in line]
    if kind == "MultiPolygon":
        return [c for poly in coords or [] if poly for c in poly[0]]
    if kind == "GeometryCollection":
        return [c for part in geojson.get("geometries") or [] for c in _coords_of(part)]
    return []


def feature_bounds(geometries: Sequence[Mapping[str, Any] | None]) -> np.ndarray:
    """The bounds (minx, miny, maxx, maxy) of each GeoJSON geometry, NaN where it has none;
    an (n, 4) array, without building shapely geometries."""
    out = np.full((len(geometries), 4), np.nan)
    for i, geometry in enumerate(geometries):
        if not geometry:
            continue
        try:
            arr = np.asarray(_coords_of(geometry), dtype=float)
        except (TypeError, ValueError, IndexError, AttributeError):
            continue
        if arr.ndim == 2 and len(arr) and arr.shape[1] >= 2:
            xy = arr[:, :2]
            out[i, :2] = xy.min(axis=0)
            out[i, 2:] = xy.max(axis=0)
    out[~np.isfinite(out).all(axis=1)] = np.nan
    return out


def _format_coord(value: float) -> str:
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


def render_grid_map(report: Report, t: Mapping[str, str], lang: str = "nl",
                    findings: Sequence[Finding] | None = None,
                    max_cells: int = GRID_MAX_CELLS) -> dict[str, Any] | None:
    """The aggregated map of a plan with very many findings: the plan's footprint on a grid
    of square cells, each cell with listed findings filled by its count of them and given a
    red circle sized by its count of fails; or None when no listed finding has a location.

    The grid is aligned to multiples of its cell side in the plan's CRS; columns are lettered
    from west to east (A, B, ...), rows numbered from north to south (1, 2, ...), so a cell is
    named like a spreadsheet's (``C7``). Every listed finding with a location counts in the
    cell of its marker's anchor (the point the per-feature map would put it on).

    ``findings``: the findings to count (default ``report.listed_findings()``), in the order
    of the result's ``cell_of`` (the name of each one's cell, None without a location).

    Returns
    -------
    dict or None
        ``svg`` (Markup of an ``<svg role="img">`` labelled by its title and description),
        ``cell_m`` and ``cell_label`` (the cell side), ``columns`` and ``rows`` (the grid's
        size and first/last names), ``outcomes`` (the outcome columns, in marker order),
        ``cells`` (one dict per cell with findings: ``name``, ``x``/``y`` (ranges in metres),
        ``counts`` per outcome, ``total``, ``fail``), sorted by fails, then total, then
        position), ``located`` and ``unlocated`` (listed findings with and without a
        location), ``legend_classes``, ``legend_fails``, ``legend_plan`` (label + swatch
        Markup) and ``cell_of``.
    """
    listed = report.listed_findings() if findings is None else findings
    where = finding_anchors_m([f.location for f in listed])
    points = [(index, float(xy[0]), float(xy[1]), f.outcome.value)
              for index, (f, xy) in enumerate(zip(listed, where)) if not np.isnan(xy[0])]
    unlocated = len(listed) - len(points)
    if not points:
        return None
    xs = [p[1] for p in points]
    ys = [p[2] for p in points]
    bounds = _bounds(report, [])
    if bounds is None:
        bounds = (min(xs), min(ys), max(xs), max(ys))
    minx, miny = min(bounds[0], *xs), min(bounds[1], *ys)
    maxx, maxy = max(bounds[2], *xs), max(bounds[3], *ys)
    cell = _nice_cell(max(maxx - minx, maxy - miny), max_cells)
    col0 = math.floor(minx / cell)
    row_top = math.floor(maxy / cell)  # the northmost row's index, in cell units of y
    ncols = math.floor(maxx / cell) - col0 + 1
    nrows = row_top - math.floor(miny / cell) + 1
    gx0, gy1 = col0 * cell, (row_top + 1) * cell  # the grid's west and north edges (metres)

    def cell_index(x: float, y: float) -> tuple[int, int]:
        col = min(max(math.floor(x / cell) - col0, 0), ncols - 1)
        row = min(max(row_top - math.floor(y / cell), 0), nrows - 1)
        return row, col

    def cell_name(row: int, col: int) -> str:
        return f"{column_name(col)}{row + 1}"

    counts: dict[tuple[int, int], dict[str, int]] = {}
    cell_of: list[str | None] = [None] * len(listed)
    for index, x, y, outcome in points:
        rc = cell_index(x, y)
        per = counts.setdefault(rc, {})
        per[outcome] = per.get(outcome, 0) + 1
        cell_of[index] = cell_name(*rc)

    # the plan's footprint: every cell that a feature's bounding box touches
    occupied: set[tuple[int, int]] = set(counts)
    boxes = feature_bounds([g for layer in report.map_layers.values()
                            for _fid, g, status in layer if status != "removed"])
    boxes = boxes[~np.isnan(boxes[:, 0])]
    if len(boxes):
        c_lo = np.clip(np.floor(boxes[:, 0] / cell) - col0, 0, ncols - 1).astype(int)
        c_hi = np.clip(np.floor(boxes[:, 2] / cell) - col0, 0, ncols - 1).astype(int)
        r_lo = np.clip(row_top - np.floor(boxes[:, 3] / cell), 0, nrows - 1).astype(int)
        r_hi = np.clip(row_top - np.floor(boxes[:, 1] / cell), 0, nrows - 1).astype(int)
        for a, b, c, d in zip(r_lo.tolist(), r_hi.tolist(), c_lo.tolist(), c_hi.tolist()):
            for row in range(a, b + 1):
                for col in range(c, d + 1):
                    occupied.add((row, col))

    frame = _frame((gx0, gy1 - nrows * cell, gx0 + ncols * cell, gy1))
    side = cell * frame.k

    def corner(row: int, col: int) -> tuple[float, float]:
        x, y = frame.xy(np.array([[gx0 + col * cell, gy1 - row * cell]], dtype=float))[0]
        return float(x), float(y)

    gx, gy = corner(0, 0)
    body: list[str] = []
    # footprint: the occupied cells filled, then the edges between occupied and empty cells
    fill_d = "".join(f"M{_f(gx + col * side)} {_f(gy + row * side)}h{_f(side)}v{_f(side)}"
                     f"h{_f(-side)}Z" for row, col in sorted(occupied))
    edges = []
    for row, col in sorted(occupied):
        x, y = gx + col * side, gy + row * side
        if (row - 1, col) not in occupied:
            edges.append(f"M{_f(x)} {_f(y)}h{_f(side)}")
        if (row + 1, col) not in occupied:
            edges.append(f"M{_f(x)} {_f(y + side)}h{_f(side)}")
        if (row, col - 1) not in occupied:
            edges.append(f"M{_f(x)} {_f(y)}v{_f(side)}")
        if (row, col + 1) not in occupied:
            edges.append(f"M{_f(x + side)} {_f(y)}v{_f(side)}")
    body.append(f'<g class="plan"><path d="{fill_d}" fill="{PLAN_FILL}"/>'
                f'<path d="{"".join(edges)}" fill="none" stroke="{PLAN_STROKE}" '
                f'stroke-width="1.5" stroke-linecap="square"/></g>')
    lines = [f"M{_f(gx + col * side)} {_f(gy)}v{_f(nrows * side)}" for col in range(ncols + 1)]
    lines += [f"M{_f(gx)} {_f(gy + row * side)}h{_f(ncols * side)}" for row in range(nrows + 1)]
    body.append(f'<path class="grid" d="{"".join(lines)}" fill="none" stroke="#bdb6a8" '
                f'stroke-width="0.5"/>')

    present = {o for per in counts.values() for o in per}
    outcomes = [o for o in MARKER_ORDER if o in present]
    classes = count_classes([sum(per.values()) for per in counts.values()])
    max_fail = max((per.get("fail", 0) for per in counts.values()), default=0)
    r_max = max(side * FAIL_R_SHARE, FAIL_R_MIN)

    def fail_r(n: int) -> float:
        return max(r_max * math.sqrt(n / max_fail), FAIL_R_MIN) if max_fail else 0.0

    def fill_of(total: int) -> str:
        for i, (_low, high) in enumerate(classes):
            if total <= high:
                return CELL_FILLS[i]
        return CELL_FILLS[-1]  # pragma: no cover - the last class ends at the maximum

    def tooltip(name: str, per: Mapping[str, int]) -> str:
        parts = ", ".join(f"{t['outcome.' + o]} {per[o]}" for o in outcomes if per.get(o))
        return f"{name}: {sum(per.values())} ({parts})"

    rects: list[str] = []
    circles: list[str] = []
    cells: list[dict[str, Any]] = []
    for (row, col), per in sorted(counts.items()):
        x, y = gx + col * side, gy + row * side
        name = cell_name(row, col)
        total = sum(per.values())
        label = escape(tooltip(name, per))
        rects.append(f'<rect x="{_f(x)}" y="{_f(y)}" width="{_f(side)}" height="{_f(side)}" '
                     f'fill="{fill_of(total)}"><title>{label}</title></rect>')
        if per.get("fail"):
            circles.append(f'<circle cx="{_f(x + side / 2)}" cy="{_f(y + side / 2)}" '
                           f'r="{_f(fail_r(per["fail"]))}"><title>{label}</title></circle>')
        west, north = gx0 + col * cell, gy1 - row * cell
        cells.append({"name": name, "row": row, "col": col,
                      "x": f"{_format_coord(west)}–{_format_coord(west + cell)}",
                      "y": f"{_format_coord(north - cell)}–{_format_coord(north)}",
                      "counts": [per.get(o, 0) for o in outcomes], "total": total,
                      "fail": per.get("fail", 0)})
    body.append(f'<g class="cells" stroke="{CELL_STROKE}" stroke-width="0.6">'
                + "".join(rects) + "</g>")
    if circles:
        body.append(f'<g class="fails" fill="{MARKER_STYLES["fail"][0]}" stroke="#ffffff" '
                    f'stroke-width="1.2">' + "".join(circles) + "</g>")
    # column letters above the grid, row numbers left of it (every other one if cramped)
    size = min(12.0, max(side * 0.5, 7.0))
    every = 1 if side >= size * 1.6 else 2
    labels = [f'<text x="{_f(gx + (col + 0.5) * side)}" y="{_f(gy - 5)}" '
              f'text-anchor="middle">{column_name(col)}</text>'
              for col in range(0, ncols, every)]
    labels += [f'<text x="{_f(gx - 5)}" y="{_f(gy + (row + 0.5) * side + size * 0.36)}" '
               f'text-anchor="end">{row + 1}</text>' for row in range(0, nrows, every)]
    body.append(f'<g class="grid-labels" font-size="{_f(size)}" font-family="sans-serif" '
                f'fill="#1a1a1a">' + "".join(labels) + "</g>")
    body.append(_scale_bar(frame, t))
    body.append(_north_arrow(frame, t))
    cell_label = _format_m(cell)
    if lang == "nl":
        cell_label = cell_label.replace(".", ",")
        for entry in cells:
            entry["x"], entry["y"] = entry["x"].replace(".", ","), entry["y"].replace(".", ",")
    svg = (f'<svg class="map map-grid" role="img" aria-labelledby="map-title" '
           f'aria-describedby="map-desc" viewBox="0 0 {_f(frame.width)} {_f(frame.height)}" '
           f'preserveAspectRatio="xMidYMid meet">'
           f'<title id="map-title">{escape(t["map.grid_title"])}</title>'
           f'<desc id="map-desc">{escape(t["map.grid_desc"].format(size=cell_label))}</desc>'
           f'<rect x="0" y="0" width="{_f(frame.width)}" height="{_f(frame.height)}" '
           f'fill="#fbfaf7"/>' + "".join(body) + "</svg>")
    cells.sort(key=lambda c: (-c["fail"], -c["total"], c["row"], c["col"]))
    legend_classes = [{"label": str(low) if low == high else f"{low}–{high}",
                       "swatch": _cell_swatch(CELL_FILLS[i])}
                      for i, (low, high) in enumerate(classes)]
    fail_steps = sorted({1, max_fail, _nice_ceil(math.sqrt(max_fail))} - {0}) if max_fail else []
    legend_fails = [{"label": str(n), "swatch": _fail_swatch(fail_r(n) / r_max)}
                    for n in fail_steps if n <= max_fail]
    return {"svg": Markup(svg), "cell_m": cell, "cell_label": cell_label,
            "columns": ncols, "rows": nrows, "first_column": column_name(0),
            "last_column": column_name(ncols - 1), "outcomes": outcomes,
            "outcome_labels": [t[f"outcome.{o}"] for o in outcomes], "cells": cells,
            "located": len(points), "unlocated": unlocated,
            "legend_classes": legend_classes, "legend_fails": legend_fails,
            "legend_plan": _cell_swatch(PLAN_FILL, PLAN_STROKE, 1.5), "cell_of": cell_of,
            "width": frame.width, "height": frame.height}


def _cell_swatch(fill: str, stroke: str = CELL_STROKE, width: float = 0.8) -> Markup:
    """A 22 x 22 legend swatch of a grid cell."""
    return Markup(f'<svg class="swatch" width="22" height="22" viewBox="0 0 22 22" '
                  f'aria-hidden="true" focusable="false"><rect x="1" y="1" width="20" '
                  f'height="20" fill="{fill}" stroke="{stroke}" stroke-width="{width}"/></svg>')


def _fail_swatch(share: float) -> Markup:
    """A legend swatch of a fail circle, ``share`` of the largest one (drawn 11 units)."""
    r = max(11.0 * share, 2.5)
    return Markup(f'<svg class="swatch" width="26" height="26" viewBox="0 0 26 26" '
                  f'aria-hidden="true" focusable="false"><circle cx="13" cy="13" r="{_f(r)}" '
                  f'fill="{MARKER_STYLES["fail"][0]}" stroke="#ffffff" stroke-width="1.2"/>'
                  f'</svg>')
