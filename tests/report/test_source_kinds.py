"""The advice says of each source whether it is law, guidance or a comparator (a figure from
another country or scheme, used where no Flemish figure exists)."""

from __future__ import annotations

import json
from pathlib import Path

import inclusiecheck
from inclusiecheck.report import render


def test_comparator_sources_are_named_as_such(tmp_path: Path) -> None:
    plan = tmp_path / "plan.geojson"
    plan.write_text(json.dumps({
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "EPSG:31370"}},
        "features": [{"type": "Feature",
                      "properties": {"layer": "stop", "id": "h1", "mode": "bus",
                                     "platform_width_m": 1.2},
                      "geometry": {"type": "Point", "coordinates": [150000, 200000]}}]}),
        encoding="utf-8")
    report = inclusiecheck.check(plan, rules=["haltes"])
    kinds = {f.rule_id: f.source.kind for f in report.findings}
    assert "comparator" in kinds.values()
    html = render(report, "html").decode("utf-8")
    assert "vergelijkingspunt" in html
    english = render(inclusiecheck.check(plan, rules=["haltes"], lang="en"), "html").decode()
    assert "comparator: no Flemish figure" in english
