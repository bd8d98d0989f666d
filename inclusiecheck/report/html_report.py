"""The inclusion advice as one self-contained HTML file (``report.html``).

Jinja2 templates in ``templates/`` render the view-model of
:func:`inclusiecheck.report.viewmodel.view_model`. The page loads nothing: CSS is inline, the
map is inline SVG, icons are inline SVG, there is no script and no web font. Dutch by default,
English with ``lang="en"``. Autoescaping is on: text from the plan can never become markup.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import re
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from inclusiecheck.model import Report
from inclusiecheck.report.registry import RenderOptions, output_format
from inclusiecheck.report.viewmodel import reading_order, view_model

#: the page's colours; every (foreground, background) pair in CONTRAST_PAIRS is >= 4.5:1
PALETTE: dict[str, str] = {
    "bg": "#ffffff",
    "text": "#1a1a1a",
    "muted": "#4a4a4a",
    "link": "#0b4f9c",
    "focus": "#0b4f9c",
    "rule": "#8c8c8c",
    "code_bg": "#f1efe9",
    "table_head": "#eeeae2",
    "table_border": "#8c8c8c",
    "law": "#1f3f66",
    "advice": "#5f6f2a",
    "ok_text": "#1e5a21",
    "ok_bg": "#eaf4ea",
    "warn_text": "#6b4200",
    "warn_bg": "#fff4e0",
    "fail_text": "#8b1a13",
    "fail_bg": "#fdeceb",
    "verify_text": "#16407f",
    "verify_bg": "#e8f0fb",
    "dev_text": "#4b2d75",
    "dev_bg": "#f1ebf8",
    "na_text": "#333333",
    "na_bg": "#f0f0f0",
}

#: text colour on background colour, as used by the CSS (tested for WCAG AA contrast)
CONTRAST_PAIRS: tuple[tuple[str, str], ...] = (
    ("text", "bg"), ("muted", "bg"), ("link", "bg"), ("text", "code_bg"), ("text", "table_head"),
    ("bg", "law"), ("bg", "text"), ("muted", "table_head"), ("link", "table_head"),
    ("ok_text", "ok_bg"), ("warn_text", "warn_bg"), ("fail_text", "fail_bg"),
    ("verify_text", "verify_bg"), ("dev_text", "dev_bg"), ("na_text", "na_bg"),
    ("text", "ok_bg"), ("text", "warn_bg"), ("text", "fail_bg"), ("text", "na_bg"),
    ("link", "ok_bg"), ("link", "warn_bg"), ("link", "fail_bg"), ("link", "na_bg"),
)


@functools.lru_cache(maxsize=1)
def environment() -> Environment:
    """The Jinja2 environment of the report templates (autoescape on, strict undefined)."""
    return Environment(
        loader=PackageLoader("inclusiecheck.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
        keep_trailing_newline=True,
    )


@functools.lru_cache(maxsize=1)
def stylesheet() -> Markup:
    """The inline CSS of the page, with the palette filled in."""
    return Markup(environment().get_template("style.css.j2").render(p=PALETTE).strip())


def render_html_text(report: Report, lang: str, check_date: dt.date | None = None) -> str:
    """Render ``report`` as the HTML inclusion advice in ``lang`` and return the text.

    ``check_date``: the date of the check shown on the page (default ``SOURCE_DATE_EPOCH``,
    else today); report.json never holds it. Above :data:`MAX_MAP_FINDINGS` findings the map
    counts the findings per grid cell (:func:`~inclusiecheck.report.svgmap.render_grid_map`)
    instead of drawing each one.
    """
    with_map = len(report.findings) <= MAX_MAP_FINDINGS
    full = view_model(report, lang, with_map=with_map, check_date=check_date)
    if not with_map:
        full["map_grid"] = _grid_map(report, full, lang)
    vm = cap_lists(full)
    if not with_map:
        vm = share_rule_texts(vm)
    page = environment().get_template("report.html.j2").render(css=stylesheet(), **vm)
    dropped = _dropped_anchors(full, vm)
    if dropped:  # links (map markers, summaries) to a finding not listed go to its section
        page = re.sub(r'href="#([^"]+)"', lambda m: 'href="#findings"'
                      if html.unescape(m.group(1)) in dropped else m.group(0), page)
    return page


def _grid_map(report: Report, vm: dict[str, Any], lang: str) -> dict[str, Any] | None:
    """The aggregated map of the view-model ``vm``; each listed finding's item gets the name
    of its cell (``map_cell``)."""
    from inclusiecheck.report.svgmap import render_grid_map

    t = vm["t"]
    ordered = reading_order(report)[0]   # the order of vm["findings"]
    grid = render_grid_map(report, t, lang, findings=ordered)
    if grid is None:
        return None
    for item, cell in zip(vm.get("findings") or [], grid["cell_of"]):
        if cell is not None:
            item["map_cell"] = cell
    totals = [sum(c["counts"][i] for c in grid["cells"]) for i in range(len(grid["outcomes"]))]
    return {**grid, "totals": totals, "total": grid["located"], "note": "",
            "why": t["map.grid_why"].format(count=len(report.findings), limit=MAX_MAP_FINDINGS),
            "caption": t["map.cells_caption"].format(crs=report.crs),
            "unlocated_text": t["map.unlocated"].format(n=grid["unlocated"])
            if grid["unlocated"] else None}


def _dropped_anchors(full: dict[str, Any], capped: dict[str, Any]) -> set[str]:
    def anchors(vm: dict[str, Any]) -> set[str]:
        found = {_anchor(i) for i in vm.get("findings") or []}
        for group in vm.get("groups") or []:
            for level in group.get("levels") or []:
                found |= {_anchor(i) for i in level.get("findings") or []}
        for key in ("existing", "to_verify_loose", "to_verify"):
            if isinstance(vm.get(key), list):
                found |= {_anchor(i) for i in vm[key]}
        for group in vm.get("to_verify_groups") or []:
            found |= {_anchor(i) for i in group.get("entries") or []}
        return {a for a in found if isinstance(a, str)}

    if capped.get("groups") is full.get("groups"):
        return set()
    return anchors(full) - anchors(capped)


#: above this many findings the map counts the findings per grid cell instead of drawing a
#: numbered marker for each (a marker is about 600 bytes of SVG); report.json holds every
#: finding with its location, findings.geojson / findings.gpkg show them in a GIS
MAX_MAP_FINDINGS = 5_000


#: most entries the page lists per group of findings (one level of a pillar, one to-verify
#: group, the existing situation, the warnings, the map list): a plan of 200,000 features
#: still gives a page that opens; every finding stays in report.json
MAX_LISTED = 300

_OMITTED = {
    "nl": "({shown} van {total} getoond; de overige {more} staan in report.json)",
    "en": "({shown} of {total} shown; the other {more} are in report.json)",
}


def _note(lang: str, shown: int, total: int) -> str:
    return _OMITTED["nl" if lang == "nl" else "en"].format(shown=shown, total=total,
                                                           more=total - shown)


def cap_lists(vm: dict[str, Any], limit: int = MAX_LISTED) -> dict[str, Any]:
    """The view-model with every group of findings it lists cut at ``limit`` entries, each
    cut group saying how many it shows and that the rest are in report.json; the map list
    and the technical table keep only the findings the page shows (their links stay valid).
    The table of regulations to confirm and the aggregated map's table of cells are cut
    at ``limit`` rows as well."""
    lang = str(vm.get("lang") or "nl")
    t = dict(vm.get("t") or {})
    out = dict(vm)
    kept: set[Any] = set()
    cut = False

    def cap(items: list[Any]) -> tuple[list[Any], str]:
        nonlocal cut
        shown = items[:limit]
        kept.update(_anchor(item) for item in shown)
        if len(items) <= limit:
            return shown, ""
        cut = True
        return shown, " " + _note(lang, len(shown), len(items))

    groups = []
    for group in vm.get("groups") or []:
        levels = []
        for level in group.get("levels") or []:
            shown, note = cap(list(level.get("findings") or []))
            levels.append({**level, "findings": shown,
                           "intro": str(level.get("intro") or "") + note})
        groups.append({**group, "levels": levels})
    out["groups"] = groups
    if vm.get("existing"):
        out["existing"], note = cap(list(vm["existing"]))
        if note and "findings.existing_intro" in t:
            t["findings.existing_intro"] = t["findings.existing_intro"] + note
    for key in ("to_verify_loose", "to_verify"):
        if isinstance(vm.get(key), list):
            out[key], _note_text = cap(list(vm[key]))
    if isinstance(vm.get("to_verify_groups"), list):
        tv_groups = []
        for group in vm["to_verify_groups"]:
            shown, note = cap(list(group.get("entries") or []))
            tv_groups.append({**group, "entries": shown,
                              "heading": str(group.get("heading") or "") + note})
        out["to_verify_groups"] = tv_groups
    warnings = list(vm.get("warnings") or [])
    if len(warnings) > limit:
        cut = True
        extra = {**warnings[0], "where": None, "title": None,
                 "message": _note(lang, limit, len(warnings)).strip("()")}
        out["warnings"] = [*warnings[:limit], extra]
    regimes = list(vm.get("regimes_to_confirm") or [])
    out["regimes_note"] = ""
    if len(regimes) > limit:
        out["regimes_to_confirm"] = regimes[:limit]
        out["regimes_note"] = " " + _note(lang, limit, len(regimes))
    grid = vm.get("map_grid")
    if isinstance(grid, dict) and len(grid.get("cells") or []) > limit:
        out["map_grid"] = {**grid, "cells": grid["cells"][:limit],
                           "note": " " + t["map.cells_omitted"].format(
                               shown=limit, total=len(grid["cells"]))}
    if cut and isinstance(vm.get("findings"), list):
        listed = [item for item in vm["findings"] if _anchor(item) in kept]
        out["findings"] = listed[:limit]
        if "map.list_heading" in t:
            t["map.list_heading"] = t["map.list_heading"] + " " + _note(
                lang, len(out["findings"]), len(vm["findings"]))
    out["t"] = t
    return out


#: the fields a finding's card takes from its rule: shown once per run of cards of a rule
RULE_TEXT_FIELDS = ("source", "rule_set", "rule_set_version", "advice", "regime_label",
                    "regime_reason")


def share_rule_texts(vm: dict[str, Any]) -> dict[str, Any]:
    """The view-model with each card whose source, advice and regulation are those of an
    earlier card of the same rule in its list referring to that card (``same_as``) instead
    of repeating them (a plan with very many findings: hundreds of cards of one rule)."""

    def share(items: list[Any]) -> list[Any]:
        first: dict[str, dict[str, Any]] = {}
        out = []
        for item in items:
            ref = first.setdefault(str(item.get("rule_id")), item)
            if ref is not item and ref.get("anchor") and all(
                    ref.get(k) == item.get(k) for k in RULE_TEXT_FIELDS):
                out.append({**item, "same_as": {"number": ref["number"],
                                                "anchor": ref["anchor"]}})
            else:
                out.append(item)
        return out

    out = dict(vm)
    out["groups"] = [{**group, "levels": [{**level, "findings": share(list(level["findings"]))}
                                          for level in group.get("levels") or []]}
                     for group in vm.get("groups") or []]
    if vm.get("existing"):
        out["existing"] = share(list(vm["existing"]))
    return out


def _anchor(item: Any) -> Any:
    return item.get("anchor") if isinstance(item, dict) else id(item)


@output_format("html", "report.html", "text/html",
               "the inclusion advice: one self-contained, accessible HTML page")
def render_html(report: Report, options: RenderOptions) -> bytes:
    """Render ``report`` as ``report.html`` in ``options.lang`` (``nl`` or ``en``)."""
    return render_html_text(report, options.lang or report.lang or "nl",
                            options.check_date).encode("utf-8")
