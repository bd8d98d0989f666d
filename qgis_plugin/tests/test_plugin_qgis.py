"""The plugin in real QGIS: installed from its zip into a clean profile, run through
``qgis_process`` and in-process Processing, findings compared with the CLI's."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

pytestmark = pytest.mark.qgis

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "marktplein"

#: the data profile's layers under Dutch names of the nl mapping profile
DUTCH_LAYERS = {
    "area": "gebied", "walkway": "looppad", "crossing": "oversteekplaats",
    "tactile": "geleidelijn", "ramp": "helling", "stairs": "trap", "entrance": "ingang",
    "stop": "halte", "toilet": "toilet", "bench": "zitbank", "light": "verlichting",
    "obstacle": "obstakel", "vegetation": "beplanting", "building": "gebouw", "wall": "muur",
    "parking": "parkeerplaats",
}
#: attributes under Dutch names of the nl mapping profile
DUTCH_FIELDS = {
    "kind": "soort", "width_m": "breedte", "total_width_m": "totale_breedte",
    "surface": "verharding", "slope_pct": "hellingspercentage",
    "cross_slope_pct": "dwarshelling", "lit": "verlicht", "kerb_height_cm": "boordsteenhoogte",
    "handrail": "leuning", "height_m": "hoogte", "name": "naam",
}
KEY = ("rule_id", "layer", "feature_id", "outcome")


def _keys(items) -> list[tuple]:
    return sorted(tuple(item[k] for k in KEY) for item in items)


def _gpkg_findings(path: Path) -> list[dict]:
    from qgis.core import QgsVectorLayer

    rows = []
    for layer in ("findings_point", "findings_line", "findings_polygon"):
        vl = QgsVectorLayer(f"{path}|layername={layer}", layer, "ogr")
        assert vl.isValid(), layer
        rows += [dict(zip(vl.fields().names(), f.attributes())) for f in vl.getFeatures()]
    return rows


def _cli_check(cli: str, plan: Path, out: Path) -> dict:
    result = subprocess.run([cli, "check", str(plan), "-o", str(out), "-f", "json", "-q",
                             "--fail-on", "never"], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"the CLI itself fails: {result.stderr}"
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def checked(profile_home: Path, cli: str, tmp_path_factory, qgis_process) -> SimpleNamespace:
    """The sample checked once through ``qgis_process run inclusiecheck:checkplan`` and once
    by the CLI directly."""
    out = tmp_path_factory.mktemp("qgis-out")
    result = qgis_process(
        "run", "inclusiecheck:checkplan", "--", f"INPUT_FOLDER={SAMPLE}",
        f"OUTPUT_FINDINGS={out / 'findings.gpkg'}", f"OUTPUT_HTML={out / 'advies.html'}",
        f"OUTPUT_JSON={out / 'advies.json'}", "LANGUAGE=0")
    report = _cli_check(cli, SAMPLE, tmp_path_factory.mktemp("cli-out"))
    return SimpleNamespace(out=out, result=result, report=report)


def test_provider_and_its_three_algorithms_are_listed(profile_home: Path, qgis_process) -> None:
    result = qgis_process("list")
    assert result.returncode == 0, result.stderr
    listing = result.stdout
    assert "\ninclusiecheck\n" in listing
    for alg in ("checkplan", "compareversions", "createemptyplan"):
        assert f"inclusiecheck:{alg}" in listing
    help_text = qgis_process("help", "inclusiecheck:checkplan").stdout
    for param in ("INPUT", "LAYERS", "MAPPING", "RULE_SETS", "LANGUAGE", "WORK_KIND",
                  "PUBLIC_BUILDING", "BUILT_UP_AREA", "PERMIT_DATE", "REGIME", "OUTPUT_FINDINGS",
                  "OUTPUT_HTML", "OUTPUT_JSON", "LAYER_WALKWAY"):
        assert f"{param}:" in help_text, param


def test_checkplan_via_qgis_process_matches_the_cli(checked, qgs) -> None:
    assert checked.result.returncode == 0, checked.result.stdout + checked.result.stderr
    assert "Traceback" not in checked.result.stdout + checked.result.stderr
    assert "VERDICT:\tongunstig" in checked.result.stdout
    features = _gpkg_findings(checked.out / "findings.gpkg")
    located = [f for f in checked.report["findings"] if f.get("location")]
    assert features and _keys(features) == _keys(located)
    # every listed finding is in the plugin's JSON report, and the HTML report has anchors
    plugin_json = json.loads((checked.out / "advies.json").read_text(encoding="utf-8"))
    assert _keys(plugin_json["findings"]) == _keys(checked.report["findings"])
    html = (checked.out / "advies.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and 'lang="nl"' in html
    for feature in features:
        assert f'id="{feature["anchor"]}"' in html


def test_findings_layer_opens_with_its_style(checked, qgs) -> None:
    from qgis.core import QgsVectorLayer

    for layer, symbol_type in (("findings_point", 0), ("findings_line", 1),
                               ("findings_polygon", 2)):
        vl = QgsVectorLayer(f"{checked.out / 'findings.gpkg'}|layername={layer}", layer, "ogr")
        assert vl.isValid()
        renderer = vl.renderer()
        assert renderer.type() == "RuleRenderer", layer
        rules = renderer.rootRule().children()
        assert len(rules) == 14  # 7 display classes x 2 levels
        assert all(r.symbol().type() == symbol_type for r in rules)
        assert any("to_verify_would_fail" in r.filterExpression() for r in rules)
        assert vl.labelsEnabled() and vl.labeling().settings().fieldName == "number"
        names = [a.name() for a in vl.actions().actions()]
        assert names == ["Zoom naar bevinding", "Open in rapport"]


def test_actions_zoom_to_finding_and_open_in_report(checked, qgs, monkeypatch) -> None:
    import qgis.utils
    from qgis.core import (
        QgsExpressionContext,
        QgsExpressionContextUtils,
        QgsProject,
        QgsRectangle,
        QgsVectorLayer,
    )
    from qgis.gui import QgsMapCanvas
    from qgis.PyQt.QtGui import QDesktopServices

    vl = QgsVectorLayer(f"{checked.out / 'findings.gpkg'}|layername=findings_polygon",
                        "findings", "ogr")
    QgsProject.instance().addMapLayer(vl)
    try:
        vl.setCustomProperty("inclusiecheck/report", str(checked.out / "advies.html"))
        feature = next(vl.getFeatures())
        context = QgsExpressionContext(QgsExpressionContextUtils.globalProjectLayerScopes(vl))
        context.setFeature(feature)
        zoom, report = vl.actions().actions()
        opened = []
        monkeypatch.setattr(QDesktopServices, "openUrl", opened.append)
        exec(_substitute(report.command(), context), {})  # noqa: S102 - the layer's action
        assert len(opened) == 1
        assert opened[0].toLocalFile() == str(checked.out / "advies.html")
        assert opened[0].fragment() == feature["anchor"]
        canvas = QgsMapCanvas()
        canvas.resize(600, 400)
        canvas.setDestinationCrs(vl.crs())
        canvas.setExtent(QgsRectangle(0, 0, 1, 1))
        monkeypatch.setattr(qgis.utils, "iface", SimpleNamespace(mapCanvas=lambda: canvas),
                            raising=False)
        exec(_substitute(zoom.command(), context), {})  # noqa: S102
        assert canvas.extent().intersects(feature.geometry().boundingBox())
    finally:
        QgsProject.instance().removeMapLayer(vl.id())


def _substitute(command: str, context) -> str:
    from qgis.core import QgsExpression

    return QgsExpression.replaceExpressionText(command, context)


def _field_type(values: list) -> str:
    """The memory-layer field type that holds ``values`` as the JSON has them (mixed types,
    such as 1.8 and "1,10", become text, as the data profile allows)."""
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        return "boolean"
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return "integer"
    if present and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                       for v in present):
        return "double"
    return "string"


def _dutch_project_layers(tmp_path: Path) -> list:
    """The sample as project (memory) layers with Dutch layer and attribute names: one layer
    per file and geometry kind (a file's lines and polygons become two layers of the same
    Dutch name), fields typed as the JSON values, Z values kept."""
    from osgeo import ogr
    from qgis.core import QgsFeature, QgsGeometry, QgsProject, QgsVectorLayer

    layers = []
    for source in sorted(SAMPLE.glob("*.geojson")):
        data = json.loads(source.read_text(encoding="utf-8"))
        keys = list(dict.fromkeys(k for f in data["features"] for k in f["properties"]))
        types = {k: _field_type([f["properties"].get(k) for f in data["features"]])
                 for k in keys}
        kinds = dict.fromkeys(f["geometry"]["type"] for f in data["features"])
        for kind in kinds:
            members = [f for f in data["features"] if f["geometry"]["type"] == kind]
            z = any(len(c) == 3 for c in _coords(members[0]["geometry"]["coordinates"]))
            fields = "&".join(f"field={DUTCH_FIELDS.get(k, k)}:{types[k]}" for k in keys)
            layer = QgsVectorLayer(f"{kind}{'Z' if z else ''}?crs=EPSG:31370&{fields}",
                                   DUTCH_LAYERS[source.stem], "memory")
            assert layer.isValid()
            features = []
            for member in members:
                feature = QgsFeature(layer.fields())
                for key in keys:
                    value = member["properties"].get(key)
                    if value is not None:
                        feature[DUTCH_FIELDS.get(key, key)] = \
                            str(value) if types[key] == "string" else value
                wkt = ogr.CreateGeometryFromJson(json.dumps(member["geometry"])).ExportToIsoWkt()
                feature.setGeometry(QgsGeometry.fromWkt(wkt))
                features.append(feature)
            assert layer.dataProvider().addFeatures(features)
            QgsProject.instance().addMapLayer(layer)
            layers.append(layer)
    return layers


def _coords(coords):
    """The coordinate tuples of GeoJSON ``coordinates`` (any nesting)."""
    if coords and isinstance(coords[0], (int, float)):
        yield coords
    else:
        for item in coords:
            yield from _coords(item)


def test_project_layers_with_dutch_names_are_checked_like_the_file(qgs, cli, tmp_path) -> None:
    import processing
    from qgis.core import QgsProject

    layers = _dutch_project_layers(tmp_path)
    try:
        assert {layer.name() for layer in layers} == set(DUTCH_LAYERS.values())
        assert any(f == "breedte" for layer in layers for f in layer.fields().names())
        result = processing.run("inclusiecheck:checkplan", {
            "LAYERS": [layer.id() for layer in layers], "MAPPING": "nl",
            "PLAN_METADATA": str(SAMPLE / "plan.yaml"), "LOAD_FINDINGS": False,
            "OUTPUT_FINDINGS": str(tmp_path / "findings.gpkg"),
            "OUTPUT_HTML": str(tmp_path / "report.html"),
            "OUTPUT_JSON": str(tmp_path / "report.json")})
    finally:
        QgsProject.instance().removeMapLayers([layer.id() for layer in layers])
    report = _cli_check(cli, SAMPLE, tmp_path / "cli")
    ours = json.loads(Path(result["OUTPUT_JSON"]).read_text(encoding="utf-8"))
    assert _keys(ours["findings"]) == _keys(report["findings"])
    assert ours["verdict"]["code"] == report["verdict"]["code"] == result["VERDICT"]
    assert not [w for w in ours.get("warnings", []) if w.get("code") in
                ("unknown_layer", "unknown_attribute")]
    assert _keys(_gpkg_findings(tmp_path / "findings.gpkg")) == _keys(
        [f for f in report["findings"] if f.get("location")])


def _run_error(params: dict) -> str:
    """Run checkplan expecting failure; return the one message Processing logs."""
    import processing
    from qgis.core import QgsProcessingException, QgsProcessingFeedback

    class Feedback(QgsProcessingFeedback):
        def __init__(self) -> None:
            super().__init__()
            self.errors: list[str] = []

        def reportError(self, error, fatalError=False):  # noqa: N802, N803 - QGIS API
            self.errors.append(error)

    feedback = Feedback()
    with pytest.raises(QgsProcessingException) as caught:
        processing.run("inclusiecheck:checkplan", params, feedback=feedback)
    message = str(caught.value)
    assert "\n" not in message.strip() and "Traceback" not in message
    return message


def test_layer_without_crs_gives_one_clear_message(qgs, tmp_path) -> None:
    from qgis.core import (
        QgsCoordinateReferenceSystem,
        QgsFeature,
        QgsGeometry,
        QgsPointXY,
        QgsProject,
        QgsVectorLayer,
    )

    layer = QgsVectorLayer("Point?field=id:string", "ingang", "memory")
    layer.setCrs(QgsCoordinateReferenceSystem())  # as a Shapefile without .prj
    assert not layer.crs().isValid()
    feature = QgsFeature(layer.fields())
    feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(157000, 190000)))
    feature["id"] = "e1"
    layer.dataProvider().addFeatures([feature])
    QgsProject.instance().addMapLayer(layer)
    try:
        message = _run_error({"LAYERS": [layer.id()], "MAPPING": "nl",
                              "OUTPUT_FINDINGS": str(tmp_path / "f.gpkg"),
                              "OUTPUT_HTML": str(tmp_path / "r.html")})
    finally:
        QgsProject.instance().removeMapLayer(layer.id())
    assert message.startswith("Layer 'ingang' has no coordinate reference system")
    assert "EPSG:31370" in message


def test_wrong_geometry_type_gives_one_clear_message(qgs, tmp_path) -> None:
    from qgis.core import QgsProject, QgsVectorLayer

    points = QgsVectorLayer(f"{SAMPLE / 'bench.geojson'}", "banken", "ogr")
    QgsProject.instance().addMapLayer(points)
    try:
        message = _run_error({"LAYER_WALKWAY": points.id(),
                              "OUTPUT_FINDINGS": str(tmp_path / "f.gpkg"),
                              "OUTPUT_HTML": str(tmp_path / "r.html")})
    finally:
        QgsProject.instance().removeMapLayer(points.id())
    assert message == ("Layer 'banken' has Point geometry, but the data-profile layer 'walkway' "
                       "takes LineString or Polygon: choose another layer or convert the "
                       "geometry")


def test_missing_inclusiecheck_environment_gives_one_clear_message(profile_home, tmp_path,
                                                                  qgis_process) -> None:
    missing = tmp_path / "no-such-env" / "bin" / "inclusiecheck"
    result = qgis_process("run", "inclusiecheck:checkplan", "--", f"INPUT_FOLDER={SAMPLE}",
                          f"OUTPUT_FINDINGS={tmp_path / 'f.gpkg'}",
                          f"OUTPUT_HTML={tmp_path / 'r.html'}",
                          env={"INCLUSIECHECK_CLI": str(missing)})
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Traceback" not in output
    errors = [line for line in output.splitlines() if line.startswith("ERROR:")]
    assert errors == [f"ERROR:\tthe inclusiecheck command '{missing}' set in the environment "
                      "variable INCLUSIECHECK_CLI does not exist; correct the path or clear it "
                      "to use inclusiecheck on PATH"]
    assert not (tmp_path / "f.gpkg").exists()


def test_cli_input_error_is_one_message(profile_home, tmp_path, qgis_process) -> None:
    bad = tmp_path / "kapot.gpkg"
    bad.write_text("not a geopackage", encoding="utf-8")
    result = qgis_process("run", "inclusiecheck:checkplan", "--", f"INPUT={bad}",
                          f"OUTPUT_FINDINGS={tmp_path / 'f.gpkg'}",
                          f"OUTPUT_HTML={tmp_path / 'r.html'}")
    output = result.stdout + result.stderr
    assert result.returncode != 0 and "Traceback" not in output
    errors = [line for line in output.splitlines() if line.startswith("ERROR:")]
    assert len(errors) == 1 and "kapot.gpkg" in errors[0] and "GeoPackage" in errors[0]


def test_createemptyplan_and_compareversions(profile_home, qgs, tmp_path, qgis_process) -> None:
    from qgis.core import QgsVectorLayer

    plan = tmp_path / "nieuw" / "ontwerp.gpkg"
    result = qgis_process("run", "inclusiecheck:createemptyplan", "--", f"OUTPUT={plan}")
    assert result.returncode == 0, result.stdout + result.stderr
    from inclusiecheck_qgis.profile_layers import PROFILE_LAYERS

    for layer in PROFILE_LAYERS:
        vl = QgsVectorLayer(f"{plan}|layername={layer}", layer, "ogr")
        assert vl.isValid() and vl.crs().authid() == "EPSG:31370", layer
    assert "# work_kind:" in (plan.parent / "plan.yaml").read_text(encoding="utf-8")
    out = tmp_path / "compare"
    result = qgis_process("run", "inclusiecheck:compareversions", "--",
                          f"OLD={SAMPLE / 'walkway.geojson'}", f"NEW={SAMPLE / 'walkway.geojson'}",
                          f"OUTPUT_FOLDER={out}")
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads((out / "compare.json").read_text(encoding="utf-8"))
    assert data["introduced"] == [] and data["resolved"] == [] and data["unchanged"]
    assert "INTRODUCED:\t0" in result.stdout


def test_render_findings_screenshot(checked, qgs) -> None:
    """docs/img/qgis-findings.png: the sample plan with its styled findings, rendered
    headless (written by this test so the picture in docs/qgis.md stays current)."""
    from qgis.core import (
        QgsFillSymbol,
        QgsLineSymbol,
        QgsMapRendererSequentialJob,
        QgsMapSettings,
        QgsMarkerSymbol,
        QgsRectangle,
        QgsSingleSymbolRenderer,
        QgsVectorLayer,
    )
    from qgis.PyQt.QtCore import QSize
    from qgis.PyQt.QtGui import QColor

    fills = {"area": "238,236,230", "building": "200,196,188", "parking": "225,225,225",
             "vegetation": "214,230,208", "walkway": "255,255,255"}
    plan_layers = []
    for name in ("area", "building", "parking", "vegetation", "walkway", "crossing", "wall",
                 "bench", "light"):
        for kind, symbol in (("Polygon", lambda name=name: QgsFillSymbol.createSimple(
                {"color": f"{fills.get(name, '235,235,235')},255",
                 "outline_color": "140,140,140,255", "outline_width": "0.2"})),
                             ("LineString", lambda: QgsLineSymbol.createSimple(
                {"color": "120,120,120,255", "width": "0.5"})),
                             ("Point", lambda: QgsMarkerSymbol.createSimple(
                {"color": "150,150,150,255", "size": "1.4", "outline_style": "no"}))):
            vl = QgsVectorLayer(f"{SAMPLE / name}.geojson|geometrytype={kind}", name, "ogr")
            if vl.isValid() and vl.featureCount() > 0:
                vl.setRenderer(QgsSingleSymbolRenderer(symbol()))
                plan_layers.append(vl)
    findings = [QgsVectorLayer(f"{checked.out / 'findings.gpkg'}|layername={name}", name, "ogr")
                for name in ("findings_point", "findings_line", "findings_polygon")]
    assert all(f.renderer().type() == "RuleRenderer" for f in findings)
    area = next(vl for vl in plan_layers if vl.name() == "area")
    extent = QgsRectangle(area.extent())
    for layer in plan_layers + findings:
        extent.combineExtentWith(layer.extent())
    extent.grow(3)
    settings = QgsMapSettings()
    settings.setLayers(findings + list(reversed(plan_layers)))
    settings.setDestinationCrs(area.crs())
    settings.setOutputSize(QSize(1200, 800))
    settings.setOutputDpi(110)
    settings.setExtent(extent)
    settings.setBackgroundColor(QColor(255, 255, 255))
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    target = ROOT / "docs" / "img" / "qgis-findings.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    assert image.save(str(target), "PNG")
    # the findings are drawn: the image holds the fail red of the style
    colours = {image.pixelColor(x, y).name() for x in range(0, 1200, 3)
               for y in range(0, 800, 3)}
    assert "#c0392b" in colours
    assert os.path.getsize(target) > 10_000


def test_cancelling_ends_the_inclusiecheck_process(qgs, tmp_path, monkeypatch) -> None:
    """Cancel in Processing (here: as soon as the first progress arrives) ends the CLI."""
    import time

    import processing
    from qgis.core import QgsProcessingException, QgsProcessingFeedback

    pid_file = tmp_path / "pid"
    slow = tmp_path / "slow-inclusiecheck"
    slow.write_text(
        "#!/usr/bin/env python3\n"
        "import json, os, sys, time\n"
        f"open({str(pid_file)!r}, 'w').write(str(os.getpid()))\n"
        "print(json.dumps({'event': 'progress', 'stage': 'read', 'percent': 5, "
        "'message': 'reading'}), file=sys.stderr, flush=True)\n"
        "time.sleep(120)\n", encoding="utf-8")
    slow.chmod(0o755)
    monkeypatch.setenv("INCLUSIECHECK_CLI", str(slow))

    class Cancelling(QgsProcessingFeedback):
        def setProgress(self, progress):  # noqa: N802 - QGIS API
            super().setProgress(progress)
            if progress > 0:
                self.cancel()

    start = time.monotonic()
    with pytest.raises(QgsProcessingException, match="was cancelled"):
        processing.run("inclusiecheck:checkplan", {
            "INPUT_FOLDER": str(SAMPLE), "OUTPUT_FINDINGS": str(tmp_path / "f.gpkg"),
            "OUTPUT_HTML": str(tmp_path / "r.html")}, feedback=Cancelling())
    assert time.monotonic() - start < 30
    pid = int(pid_file.read_text())
    with pytest.raises(ProcessLookupError):  # the process is gone (and reaped)
        os.kill(pid, 0)


def test_findings_are_added_to_the_project_with_style_and_report(qgs, tmp_path) -> None:
    """As in the toolbox: the three findings layers are added on completion, styled, and know
    their HTML report (for the action 'open in report')."""
    import processing
    from qgis.core import QgsProject

    before = set(QgsProject.instance().mapLayers())
    results = processing.runAndLoadResults("inclusiecheck:checkplan", {
        "INPUT_FOLDER": str(SAMPLE), "OUTPUT_FINDINGS": str(tmp_path / "findings.gpkg"),
        "OUTPUT_HTML": str(tmp_path / "advies.html")})
    added = [layer for key, layer in QgsProject.instance().mapLayers().items()
             if key not in before]
    try:
        findings = sorted((layer for layer in added if layer.name().startswith("inclusiecheck")),
                          key=lambda layer: layer.name())
        assert [layer.name() for layer in findings] == [
            "inclusiecheck findings (line)", "inclusiecheck findings (point)",
            "inclusiecheck findings (polygon)"]
        for layer in findings:
            assert layer.renderer().type() == "RuleRenderer"
            assert layer.customProperty("inclusiecheck/report") == str(tmp_path / "advies.html")
        assert sum(layer.featureCount() for layer in findings) > 0
        assert results["VERDICT"] == "ongunstig"
    finally:
        QgsProject.instance().removeMapLayers([layer.id() for layer in added])


def test_layers_chosen_per_profile_layer(qgs, tmp_path) -> None:
    """Advanced parameters: any project layer can be chosen for a profile layer, whatever its
    name; its features are checked as that layer. (The sample's width_m mixes numbers and
    text, which OGR types as JSON: the export writes such fields as text.)"""
    import processing
    from qgis.core import QgsProject, QgsVectorLayer

    lines = QgsVectorLayer(f"{SAMPLE / 'walkway.geojson'}|geometrytype=LineString",
                           "paden (ontwerp v3)", "ogr")
    polygons = QgsVectorLayer(f"{SAMPLE / 'walkway.geojson'}|geometrytype=Polygon",
                              "verharding", "ogr")
    QgsProject.instance().addMapLayers([lines, polygons])
    try:
        result = processing.run("inclusiecheck:checkplan", {
            "LAYER_WALKWAY": lines.id(), "LAYERS": [], "LOAD_FINDINGS": False,
            "REGIME": 3, "WORK_KIND": 1, "PUBLIC_BUILDING": 2, "PERMIT_DATE": "2026-06-01",
            "OUTPUT_FINDINGS": str(tmp_path / "f.gpkg"), "OUTPUT_HTML": str(tmp_path / "r.html"),
            "OUTPUT_JSON": str(tmp_path / "r.json")})
    finally:
        QgsProject.instance().removeMapLayers([lines.id(), polygons.id()])
    report = json.loads(Path(result["OUTPUT_JSON"]).read_text(encoding="utf-8"))
    walkway_ids = {f["feature_id"] for f in report["findings"] if f["layer"] == "walkway"}
    features = json.loads((SAMPLE / "walkway.geojson").read_text(encoding="utf-8"))["features"]
    line_ids = {f["properties"]["id"] for f in features if f["geometry"]["type"] == "LineString"}
    assert walkway_ids and walkway_ids <= line_ids
    # the plan metadata of the dialog reaches the check
    assert report["plan"]["regime"] == "public_space"
    assert report["plan"]["work_kind"] == "new"
    assert report["plan"]["public_building"] is False
    assert report["plan"]["permit_date"] == "2026-06-01"
    assert not [w for w in report.get("warnings", []) if w.get("code") == "unknown_layer"]


@pytest.mark.skipif(os.environ.get("INCLUSIECHECK_TEST_PLUGIN_VENV") != "1",
                    reason="needs PyPI and the zip with the wheel: INCLUSIECHECK_TEST_PLUGIN_VENV=1")
def test_first_use_creates_the_environment_from_the_bundled_wheel(profile_home, qgis_process,
                                                                    tmp_path) -> None:
    """No setting, no inclusiecheck on PATH: the plugin creates its own environment from the
    wheel in the zip (pip fetches the dependencies) and checks the plan with it."""
    plugins = profile_home / ".local" / "share" / "QGIS" / "QGIS3" / "profiles" / "default"
    if not list((plugins / "python" / "plugins" / "inclusiecheck_qgis" / "wheels").glob("*.whl")):
        pytest.skip("the installed zip has no wheel (set INCLUSIECHECK_PLUGIN_ZIP)")
    env = {"INCLUSIECHECK_CLI": "", "PATH": "/usr/bin:/bin"}
    result = qgis_process("run", "inclusiecheck:checkplan", "--", f"INPUT_FOLDER={SAMPLE}",
                          f"OUTPUT_FINDINGS={tmp_path / 'f.gpkg'}",
                          f"OUTPUT_HTML={tmp_path / 'r.html'}", env=env, timeout=1200)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    venv_cli = plugins / "inclusiecheck" / "venv" / "bin" / "inclusiecheck"
    assert venv_cli.is_file()
    assert f"{venv_cli} check" in result.stdout
    assert "VERDICT:\t" in result.stdout
