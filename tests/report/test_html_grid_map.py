"""Above the map limit the HTML report counts the findings per grid cell (issue 16, "reports
that scale"): the plan's footprint, cells filled by their count of listed findings, a red
circle per cell sized by its fails, a legend, and a table of the counts per cell as the text
alternative. Below the limit the per-feature map is the one of ``svgmap.render_map``."""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np
import pytest
from lxml import html as lxml_html
from shapely.geometry import shape

from inclusiecheck.report import html_report, svgmap
from inclusiecheck.report.html_report import render_html_text
from inclusiecheck.report.viewmodel import finding_anchor, load_catalogue, view_model

SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def grid(monkeypatch):  # type: ignore[no-untyped-def]
    """Render with a map limit of one finding, so that the fixture's report is 'large'."""
    monkeypatch.setattr(html_report, "MAX_MAP_FINDINGS", 1)

    def render(report, lang: str = "nl") -> str:  # type: ignore[no-untyped-def]
        return render_html_text(report, lang)

    return render


def anchor_point(location: dict) -> tuple[float, float]:
    """Where a marker goes, computed here independently of svgmap: a point as it is, the
    middle of a line, a point on a surface; a multi-part or collection: its largest part."""
    geom = shape(location)
    while hasattr(geom, "geoms"):
        geom = max(geom.geoms, key=lambda g: (g.area, g.length))
    if geom.geom_type == "Point":
        return geom.x, geom.y
    if geom.geom_type == "LineString":
        p = geom.interpolate(0.5, normalized=True)
    else:
        p = geom.point_on_surface()
    return p.x, p.y


def cell_table(page: str) -> tuple[list[str], list[dict]]:
    """The header and rows of the 'findings per cell' table (numbers parsed)."""
    tree = lxml_html.fromstring(page)
    table = tree.xpath("//table[contains(@class, 'map-cells')]")[0]
    header = [th.text_content().strip() for th in table.xpath("./thead/tr/th")]
    rows = []
    for tr in table.xpath("./tbody/tr"):
        cells = [c.text_content().strip() for c in tr.xpath("./th|./td")]
        x0, x1 = (float(v) for v in cells[1].split("–"))
        y0, y1 = (float(v) for v in cells[2].split("–"))
        rows.append({"name": cells[0], "x": (x0, x1), "y": (y0, y1),
                     "counts": dict(zip(header[3:-1], map(int, cells[3:-1]))),
                     "total": int(cells[-1])})
    return header, rows


def test_aggregated_map_replaces_the_markers_above_the_limit(grid, report_en) -> None:  # type: ignore[no-untyped-def]
    page = grid(report_en, "en")
    tree = lxml_html.fromstring(page)
    svg = tree.xpath("//figure[@class='map']/svg")[0]
    assert "map-grid" in svg.get("class")
    assert svg.get("role") == "img" and svg.get("aria-labelledby") == "map-title"
    assert tree.xpath("//*[@id='map-title']")[0].text_content() == \
        "Map of the plan with the number of findings per cell"
    assert not tree.xpath("//a[contains(@class, 'marker')]")   # no per-finding markers
    assert "With 13 findings (more than 1) the map counts them per cell" in page
    assert "report.json holds every finding with its location" in page
    # the legend: count classes, fail circles and the plan
    legend = tree.xpath("//div[@class='legend']")[0].text_content()
    for heading in ("Findings per cell (colour)", "Findings not met per cell (red circle)",
                    "plan: cells with features of the plan"):
        assert heading in legend


def test_cell_counts_match_the_findings(grid, report_en) -> None:  # type: ignore[no-untyped-def]
    page = grid(report_en, "en")
    header, rows = cell_table(page)
    t = load_catalogue("en")
    listed = report_en.listed_findings()
    located = [f for f in listed if f.location]
    # every listed finding with a location counts once, in the cell holding its anchor
    expected: dict[str, Counter] = {}
    for f in located:
        x, y = anchor_point(f.location)
        holders = [r for r in rows if r["x"][0] <= x <= r["x"][1] and r["y"][0] <= y <= r["y"][1]]
        assert holders, (f.feature_id, x, y)
        expected.setdefault(holders[0]["name"], Counter())[t[f"outcome.{f.outcome.value}"]] += 1
    assert {r["name"]: Counter({k: v for k, v in r["counts"].items() if v}) for r in rows} \
        == expected
    assert sum(r["total"] for r in rows) == len(located)
    # the totals row and the outcome columns: the outcomes present, in marker order
    outcomes = Counter(t[f"outcome.{f.outcome.value}"] for f in located)
    assert header[3:-1] == [t[f"outcome.{o}"] for o in svgmap.MARKER_ORDER
                            if t[f"outcome.{o}"] in outcomes]
    tree = lxml_html.fromstring(page)
    foot = [c.text_content() for c in tree.xpath("//table[contains(@class,'map-cells')]"
                                                  "/tfoot/tr/td")]
    assert list(map(int, foot)) == [outcomes[h] for h in header[3:-1]] + [len(located)]
    # the finding without a location is said to be off the map
    assert f"{len(listed) - len(located)} findings have no location" in page
    # rows: most fails first, then most findings
    keys = [(-r["counts"].get(t["outcome.fail"], 0), -r["total"]) for r in rows]
    assert keys == sorted(keys)


def test_cells_on_the_map_match_the_table(grid, report_nl) -> None:  # type: ignore[no-untyped-def]
    page = grid(report_nl)
    _header, rows = cell_table(page)
    tree = lxml_html.fromstring(page)
    svg = tree.xpath("//svg[contains(@class, 'map-grid')]")[0]
    rects = svg.xpath(".//g[@class='cells']/rect")
    titles = [r.xpath("./title")[0].text for r in rects]
    assert len(rects) == len(rows)
    by_name = {r["name"]: r for r in rows}
    for title in titles:
        name, total = re.match(r"(\w+): (\d+) \(", title).groups()
        assert by_name[name]["total"] == int(total)
    fails = svg.xpath(".//g[@class='fails']/circle")
    assert len(fails) == sum(1 for r in rows if r["counts"].get("niet voldaan"))
    # the legend's classes cover every count from 1 to the largest, once
    labels = [li.text_content() for li in tree.xpath(
        "//div[@class='legend']/div[1]/ul/li")]
    covered = []
    for label in labels:
        low, _, high = label.partition("–")
        covered += list(range(int(low), int(high or low) + 1))
    assert covered == list(range(1, max(r["total"] for r in rows) + 1))


def test_each_finding_names_its_cell(grid, report_nl) -> None:  # type: ignore[no-untyped-def]
    page = grid(report_nl)
    _header, rows = cell_table(page)
    tree = lxml_html.fromstring(page)
    for f in report_nl.listed_findings():
        card = tree.xpath(f"//*[@id='{finding_anchor(f)}']")
        if not card:
            continue
        text = card[0].text_content()
        if not f.location:
            assert "kaartvak" not in text
            continue
        cell = re.search(r"kaartvak (\w+)", text).group(1)
        x, y = anchor_point(f.location)
        row = next(r for r in rows if r["name"] == cell)
        assert row["x"][0] <= x <= row["x"][1] and row["y"][0] <= y <= row["y"][1]


def test_aggregated_map_is_deterministic_and_links_resolve(grid, make_report) -> None:  # type: ignore[no-untyped-def]
    first = grid(make_report("nl"))
    assert grid(make_report("nl")) == first
    tree = lxml_html.fromstring(first)
    ids = set(tree.xpath("//@id"))
    targets = {href[1:] for href in tree.xpath("//a/@href") if href.startswith("#")}
    assert targets <= ids and "map-cells" in targets
    assert len(ids) == len(tree.xpath("//@id"))   # ids are unique


def test_cell_table_is_capped(grid, report_nl, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(html_report.cap_lists, "__defaults__", (2,))
    page = grid(report_nl)
    _header, rows = cell_table(page)
    assert len(rows) == 2
    note = re.search(r"\(2 van (\d+) vakken getoond; report\.json bevat elke bevinding", page)
    assert note and int(note.group(1)) > 2
    tree = lxml_html.fromstring(page)
    # the map still draws every cell
    assert len(tree.xpath("//svg[contains(@class,'map-grid')]//g[@class='cells']/rect")) \
        == int(note.group(1))


def test_no_grid_without_located_findings(grid, make_empty_report) -> None:  # type: ignore[no-untyped-def]
    page = grid(make_empty_report("nl"))
    assert "map-grid" not in page and "map-cells" not in page


def test_below_the_limit_the_per_feature_map_is_unchanged(report_nl) -> None:  # type: ignore[no-untyped-def]
    page = render_html_text(report_nl, "nl")
    per_feature = view_model(report_nl, "nl")["map"]["svg"]
    assert str(per_feature) in page   # the per-feature map, verbatim
    assert "map-grid" not in page and "kaartvak" not in page and 'id="map-cells"' not in page


def test_grid_helpers() -> None:
    assert [svgmap.column_name(i) for i in (0, 25, 26, 51, 701, 702)] == \
        ["A", "Z", "AA", "AZ", "ZZ", "AAA"]
    for totals in ([1], [3, 3, 3], list(range(1, 101)), [1, 1, 1, 1, 50], [7, 2, 900, 40]):
        classes = svgmap.count_classes(totals)
        assert len(classes) <= len(svgmap.CELL_FILLS)
        covered = [n for low, high in classes for n in range(low, high + 1)]
        assert covered == list(range(1, max(totals) + 1))
    for span in (0.5, 58.0, 1675.0, 3963.0, 120_000.0):
        cell = svgmap._nice_cell(span, 40)
        # at most 40 cells wherever the grid lines fall, and not needlessly coarse (nice
        # sides step by at most 2.5x)
        assert 39 / 2.5 < max(span, svgmap.MIN_SPAN_M) / cell <= 39
        for start in (0.0, cell * 0.5, cell * 0.999):
            assert math.floor((start + span) / cell) - math.floor(start / cell) + 1 <= 40


def test_a_very_large_plan_draws_only_the_features_with_findings(report_nl, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    everything = render_html_text(report_nl, "nl")
    assert 'class="layer l-light"' in everything and 'class="layer l-bench"' in everything
    assert "de kaart tekent alleen de elementen met een bevinding" not in everything
    monkeypatch.setattr(svgmap, "MAX_MAP_FEATURES", 5)
    page = render_html_text(report_nl, "nl")
    features = sum(len(v) for v in report_nl.map_layers.values())
    assert (f"Het plan telt {features} elementen; de kaart tekent alleen de elementen met "
            "een bevinding.") in page
    with_findings = {(f.layer, f.feature_id) for f in report_nl.listed_findings()}
    drawn = {layer for layer, feats in report_nl.map_layers.items()
             if any((layer, fid) in with_findings for fid, _g, _s in feats)}
    layers = set(re.findall(r'class="layer l-([a-z_]+)"', page))
    assert layers == drawn and "light" not in layers and "walkway" in layers
    # the markers stay the same
    assert re.findall(r'data-finding="(\d+)"', page) == \
        re.findall(r'data-finding="(\d+)"', everything)


def test_batched_anchors_are_the_markers_anchors(report_nl) -> None:  # type: ignore[no-untyped-def]
    broken = [None, {"type": "Point", "coordinates": [float("nan"), 1.0]},
              {"type": "LineString", "coordinates": [[0.0, 0.0]]}]
    locations = [f.location for f in report_nl.findings]
    got = svgmap.finding_anchors_m(locations + broken)
    assert np.isnan(got[len(locations):]).all()   # NaN: no anchor
    for location, xy in zip(locations, got):
        geom = svgmap._geom(location)
        if geom is None:
            assert np.isnan(xy).all()
        else:
            assert tuple(xy) == svgmap._anchor(geom), location["type"]
    kinds = {loc["type"] for loc in locations if loc}
    assert {"Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon",
            "GeometryCollection"} <= kinds
    bounds = svgmap.feature_bounds([g for feats in report_nl.map_layers.values()
                                    for _fid, g, _s in feats])
    for row, geom in zip(bounds, (svgmap._geom(g) for feats in report_nl.map_layers.values()
                                  for _fid, g, _s in feats)):
        assert tuple(row) == geom.bounds
