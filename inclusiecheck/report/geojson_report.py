"""Findings as a GeoJSON layer (``findings.geojson``) for GIS tools such as QGIS.

One Feature per listed finding that has a location; its properties are the finding's fields
without the location, plus ``number`` (the finding's number in the HTML advice, i.e. its
position in the JSON report's findings, counted from 1), the rule's ``title`` and the source
flattened to ``source_document``, ``source_article`` and ``source_url`` for labelling. The
collection carries a ``crs`` member naming ``report.crs`` (as in GeoJSON 2008, which QGIS and
GDAL read), because the coordinates are in the plan's projected CRS, not WGS84.
"""

from __future__ import annotations

import re
from typing import Any

from inclusiecheck.model import Report
from inclusiecheck.report.json_report import TOOL_NAME, dumps, finding_dict
from inclusiecheck.report.registry import RenderOptions, output_format

_EPSG = re.compile(r"^\s*EPSG\s*:+\s*(\d+)\s*$", re.IGNORECASE)


def crs_member(crs: str) -> dict[str, Any]:
    """The GeoJSON 2008 ``crs`` member for ``crs`` (``EPSG:31370`` -> an OGC URN)."""
    match = _EPSG.match(crs or "")
    name = f"urn:ogc:def:crs:EPSG::{match.group(1)}" if match else crs
    return {"type": "name", "properties": {"name": name}}


def findings_collection(report: Report) -> dict[str, Any]:
    """Return the findings with a location as a GeoJSON FeatureCollection (plain data)."""
    features = []
    rules = {info.id: info for info in report.rules}
    for number, finding in enumerate(report.listed_findings(), start=1):
        if not finding.location:
            continue
        props = finding_dict(finding)
        geometry = props.pop("location")
        info = rules.get(finding.rule_id)
        props["number"] = number
        props["title"] = info.title if info else finding.rule_id
        props["source_document"] = finding.source.document
        props["source_article"] = finding.source.article
        props["source_url"] = finding.source.url
        features.append({"type": "Feature", "id": number, "geometry": geometry,
                         "properties": props})
    return {
        "type": "FeatureCollection",
        "name": "inclusiecheck_findings",
        "crs": crs_member(report.crs),
        "generator": {"name": TOOL_NAME, "version": report.tool_version or None},
        "features": features,
    }


@output_format("geojson", "findings.geojson", "application/geo+json",
               "findings with a location, as a GeoJSON layer in the plan's CRS")
def render_geojson(report: Report, options: RenderOptions) -> bytes:
    """Render the located findings of ``report`` as ``findings.geojson``."""
    return dumps(findings_collection(report))
