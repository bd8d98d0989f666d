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
    except (ValueError, TypeError, KeyError, AttributeError, IndexError):
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


def _labels_svg(report: Report, frame: _Frame) -> str:
    """Names of the plan's named buildings, streets and areas, on a white halo."""
    out = []
    for layer in ("area", "building", "walkway"):
        named = (getattr(report, "map_names", None) or {}).get(layer) or {}
        for fid, geometry, _status in report.map_layers.get(layer, []):
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
        ``legend_markers`` (label + swatch Markup), ``width`` and ``height``.
    """
    bounds = _bounds(report, numbered)
    if bounds is None:
        return None
    frame = _frame(bounds)
    body: list[str] = []
    legend_layers = []
    order = list(LAYER_STYLES) + sorted(k for k in report.map_layers if k not in LAYER_STYLES)
    for layer in order:
        feats = report.map_layers.get(layer)
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
    body.append(_labels_svg(report, frame))
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
    return {"svg": Markup(svg), "markers": [n for n, _, _ in located],
            "legend_layers": legend_layers, "legend_markers": legend_markers,
            "width": frame.width, "height": frame.height}

