"""Quiet output (issue 14 item 7): nothing third-party on stdout, repeated warnings aggregated."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from inclusiecheck.model import ReadWarning
from inclusiecheck.model.normalise import aggregate_warnings
from inclusiecheck.readers import read_plan


def test_quiet_stdout_silences_file_descriptor_1() -> None:
    code = (
        "import os, sys\n"
        "from inclusiecheck.readers.quiet import quiet_stdout\n"
        "print('before', flush=True)\n"
        "with quiet_stdout():\n"
        "    os.write(1, b'local z: 0.0\\n')\n"
        "    print('python print inside')\n"
        "    import ctypes; ctypes.CDLL(None).puts(b'C stdio inside')\n"
        "print('after', flush=True)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split() == ["before", "after"]


def test_repeated_invalid_values_become_one_warning_with_examples() -> None:
    warnings = [ReadWarning("invalid_value", f"walkway w{i}: width_m='breed{i}' ignored: not a "
                            "number", "plan.geojson", "walkway", f"w{i}") for i in range(70)]
    warnings.append(ReadWarning("invalid_value", "walkway w1: slope_pct='x' ignored: not a "
                                "number", "plan.geojson", "walkway", "w1"))
    warnings.append(ReadWarning("crs_reprojected", "reprojected", "plan.geojson"))
    out = aggregate_warnings(warnings)
    assert len(out) == 3
    width = out[0]
    assert width.message.startswith("width_m ignored on 70 walkway features, e.g. w0 ('breed0')")
    assert "w1 ('breed1')" in width.message and "w3" not in width.message
    assert out[1].message.startswith("walkway w1: slope_pct")  # alone: unchanged
    assert out[2].code == "crs_reprojected"


def test_report_aggregates_invalid_values_of_a_real_file(tmp_path: Path) -> None:
    from inclusiecheck.api import check

    features = [{"type": "Feature", "properties": {"id": f"p{i}", "kind": "sidewalk",
                                                   "width_m": "breed"},
                 "geometry": {"type": "LineString",
                              "coordinates": [[150000 + i * 10, 200000], [150005 + i * 10,
                                                                          200000]]}}
                for i in range(12)]
    path = tmp_path / "walkway.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features,
                                "crs": {"type": "name",
                                        "properties": {"name": "EPSG:31370"}}}),
                    encoding="utf-8")
    assert len(read_plan(path).features) == 12
    report = check(path, rules=["publiek-domein"])
    invalid = [w for w in report.warnings if w["code"] == "invalid_value"]
    assert len(invalid) == 1 and "on 12 walkway features" in invalid[0]["message"]


def test_html_and_markdown_carry_the_odbl_attribution_and_completeness(tmp_path: Path) -> None:
    from inclusiecheck.api import check
    from inclusiecheck.report import render

    osm = tmp_path / "buurt.osm"
    osm.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6">\n'
        '<node id="1" lat="50.8467" lon="4.3525"/><node id="2" lat="50.8467" lon="4.3535"/>\n'
        '<way id="10"><nd ref="1"/><nd ref="2"/><tag k="highway" v="footway"/>'
        '<tag k="lit" v="yes"/></way>\n</osm>\n', encoding="utf-8")
    report = check(osm, rules=["sociale-veiligheid"], lang="en")
    html = render(report, "html").decode("utf-8")
    assert 'id="data-attribution"' in html and "OpenStreetMap contributors (ODbL)" in html
    assert "Layers taken as complete" in html
    markdown = render(report, "md").decode("utf-8")
    assert "© OpenStreetMap contributors (ODbL)" in markdown
    assert "Layers taken as complete" in markdown and "not complete:" in markdown
