"""The Processing algorithms: check a plan, compare plan versions, create an empty plan.

Thin: every algorithm builds an ``inclusiecheck`` command line, runs it in the separate
environment (:mod:`.runner`) and brings the results back into QGIS. No rule logic here.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path

from qgis.core import (
    QgsCoordinateTransform,
    QgsFeature,
    QgsFeatureRequest,
    QgsField,
    QgsFields,
    QgsGeometry,
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingLayerPostProcessorInterface,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterMultipleLayers,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorLayer,
    QgsProject,
    QgsVectorFileWriter,
    QgsVectorLayer,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QCoreApplication, QVariant

from .environment import inclusiecheck_command
from .profile_layers import FINDINGS_LAYERS, PROFILE_LAYERS
from .runner import CliError, error_message, run_cli

LANGUAGES = ("nl", "en")
WORK_KINDS = ("", "new", "renovation", "extension", "outdoor_only")
TRISTATE = ("", "yes", "no")
REGIMES = ("", "verordening", "bv97", "public_space")
PLAN_FILTER = ("Plans (*.gpkg *.geojson *.json *.shp *.ifc *.ifcxml *.yaml);;"
               "All files (*.*)")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: custom property of a findings layer: the HTML report its "Open in report" action opens
REPORT_PROPERTY = "inclusiecheck/report"
_GEOMETRY_KIND = {QgsWkbTypes.PointGeometry: "Point", QgsWkbTypes.LineGeometry: "LineString",
                  QgsWkbTypes.PolygonGeometry: "Polygon"}


def tr(text: str) -> str:
    return QCoreApplication.translate("inclusiecheck", text)


class _Algorithm(QgsProcessingAlgorithm):
    def group(self) -> str:
        return ""

    def groupId(self) -> str:
        return ""

    def createInstance(self):  # noqa: N802 - QGIS API
        return type(self)()

    def _run(self, args: list[str], feedback, what: str):
        """Run inclusiecheck with ``args``; progress, log and cancellation to ``feedback``."""
        command = inclusiecheck_command(feedback)
        feedback.pushCommandInfo(" ".join([*command, *args]))
        try:
            result = run_cli(
                command, args,
                on_progress=lambda percent, message: (feedback.setProgress(percent),
                                                      feedback.setProgressText(message)),
                # the CLI's error line becomes the exception below: not logged twice
                on_log=lambda line: None if line.startswith("inclusiecheck: error:")
                else feedback.pushConsoleInfo(line),
                is_canceled=feedback.isCanceled)
        except CliError as exc:
            raise QgsProcessingException(str(exc)) from None
        if result.canceled:
            raise QgsProcessingException(tr(f"{what} was cancelled; the inclusiecheck "
                                            "process was ended"))
        if result.code not in (0, 1):
            raise QgsProcessingException(error_message(result, what))
        return result


def _enum(alg, name: str, parameters, context, values: tuple[str, ...]) -> str:
    index = alg.parameterAsEnum(parameters, name, context)
    return values[index] if 0 <= index < len(values) else ""


#: field types the GeoPackage writer takes as they are; others (JSON, lists, maps) as text
_WRITABLE = (QVariant.Int, QVariant.LongLong, QVariant.Double, QVariant.String, QVariant.Bool,
             QVariant.Date, QVariant.DateTime, QVariant.Time)


def _writable(field: QgsField) -> QgsField:
    """``field``, or a text field of its name when the GeoPackage writer cannot take its type
    (e.g. the JSON type OGR gives a GeoJSON property of mixed types)."""
    if field.type() in _WRITABLE:
        return QgsField(field)
    return QgsField(field.name(), QVariant.String, "String")


def _value(value, field: QgsField):
    """``value`` for ``field``: lists and maps as JSON text in a text field."""
    if value is None or (isinstance(value, QVariant) and value.isNull()):
        return None
    if field.type() == QVariant.String and not isinstance(value, str):
        if isinstance(value, (dict, list, tuple)):
            return json.dumps(value, ensure_ascii=False, default=str)
        return str(value)
    return value


def _safe_table(name: str) -> str:
    text = re.sub(r"[^\w -]+", "_", name, flags=re.UNICODE).strip() or "layer"
    return text[:60]


class _LoadFindings(QgsProcessingLayerPostProcessorInterface):
    """Applies the GeoPackage's default style and remembers the report of a findings layer.

    One instance per layer: the context deletes each layer's post-processor (a shared one
    would be deleted thrice). The Python side must stay referenced until then, or the
    wrapper is collected and QGIS never calls it, hence :attr:`alive`."""

    alive: list[_LoadFindings] = []

    def __init__(self, report: str | None) -> None:
        super().__init__()
        self.report = report
        _LoadFindings.alive.append(self)

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802 - QGIS API
        if isinstance(layer, QgsVectorLayer):
            layer.loadDefaultStyle()
            if self.report:
                layer.setCustomProperty(REPORT_PROPERTY, self.report)
            layer.triggerRepaint()


class CheckPlan(_Algorithm):
    INPUT = "INPUT"
    INPUT_FOLDER = "INPUT_FOLDER"
    LAYERS = "LAYERS"
    MAPPING = "MAPPING"
    RULE_SETS = "RULE_SETS"
    LANGUAGE = "LANGUAGE"
    WORK_KIND = "WORK_KIND"
    PUBLIC_BUILDING = "PUBLIC_BUILDING"
    BUILT_UP_AREA = "BUILT_UP_AREA"
    PERMIT_DATE = "PERMIT_DATE"
    REGIME = "REGIME"
    PLAN_METADATA = "PLAN_METADATA"
    LOAD_FINDINGS = "LOAD_FINDINGS"
    OUTPUT_FINDINGS = "OUTPUT_FINDINGS"
    OUTPUT_HTML = "OUTPUT_HTML"
    OUTPUT_JSON = "OUTPUT_JSON"

    def name(self) -> str:
        return "checkplan"

    def displayName(self) -> str:  # noqa: N802 - QGIS API
        return tr("Check plan")

    def shortHelpString(self) -> str:  # noqa: N802 - QGIS API
        return tr(
            "Checks a plan for inclusion (accessibility and social safety) with inclusiecheck "
            "and adds the findings as a styled layer with the HTML advice.\n\n"
            "Input: a plan file (GeoPackage, GeoJSON, Shapefile, IFC), a plan folder, or layers of "
            "the project. Project layers are matched to the data profile by their name (use "
            "the mapping 'nl' for Dutch names such as looppad, oversteekplaats), or chosen per "
            "profile layer under Advanced parameters. They are exported to a temporary "
            "GeoPackage; the plan is never modified.\n\n"
            "The plan metadata (kind of works, publicly accessible building, permit date) "
            "decides which rules apply: set it here or in a plan.yaml.")

    def initAlgorithm(self, config=None):  # noqa: N802 - QGIS API
        self.addParameter(QgsProcessingParameterFile(
            self.INPUT, tr("Plan file"), QgsProcessingParameterFile.File,
            optional=True, fileFilter=PLAN_FILTER))
        self.addParameter(QgsProcessingParameterFile(
            self.INPUT_FOLDER, tr("Or: plan folder (GeoJSON files or Shapefiles)"),
            QgsProcessingParameterFile.Folder, optional=True))
        self.addParameter(QgsProcessingParameterMultipleLayers(
            self.LAYERS, tr("Or: project layers (matched to the data profile by name)"),
            QgsProcessing.TypeVectorAnyGeometry, optional=True))
        self.addParameter(QgsProcessingParameterString(
            self.MAPPING, tr("Mapping profile (nl, shapefile or a YAML file; empty: "
                             "profile names)"), defaultValue="", optional=True))
        self.addParameter(QgsProcessingParameterString(
            self.RULE_SETS, tr("Rule sets (comma separated; empty: all built-in sets)"),
            defaultValue="", optional=True))
        self.addParameter(QgsProcessingParameterEnum(
            self.LANGUAGE, tr("Report language"), options=["Nederlands (nl)", "English (en)"],
            defaultValue=0))
        self.addParameter(QgsProcessingParameterEnum(
            self.WORK_KIND, tr("Kind of works"),
            options=[tr("from plan.yaml"), tr("new"), tr("renovation"), tr("extension"),
                     tr("outdoor only")], defaultValue=0))
        self.addParameter(QgsProcessingParameterEnum(
            self.PUBLIC_BUILDING, tr("Publicly accessible building (default for features "
                                     "that do not say)"),
            options=[tr("from plan.yaml"), tr("yes"), tr("no")], defaultValue=0))
        self.addParameter(QgsProcessingParameterEnum(
            self.BUILT_UP_AREA, tr("Inside the built-up area"),
            options=[tr("from plan.yaml"), tr("yes"), tr("no")], defaultValue=0))
        self.addParameter(QgsProcessingParameterString(
            self.PERMIT_DATE, tr("Permit date (YYYY-MM-DD; selects the rule versions in "
                                 "force)"), defaultValue="", optional=True))
        regime = QgsProcessingParameterEnum(
            self.REGIME, tr("Default regime of outdoor features nothing else places"),
            options=[tr("from plan.yaml (usually: derived)"),
                     tr("verordening (grounds of a publicly accessible building)"),
                     tr("bv97 (public pedestrian road)"), tr("public space (guidance only)")],
            defaultValue=0)
        regime.setFlags(regime.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
        self.addParameter(regime)
        meta = QgsProcessingParameterFile(
            self.PLAN_METADATA, tr("Plan metadata file (plan.yaml) for project layers"),
            QgsProcessingParameterFile.File, extension="yaml", optional=True)
        meta.setFlags(meta.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
        self.addParameter(meta)
        for layer, kinds in PROFILE_LAYERS.items():
            param = QgsProcessingParameterVectorLayer(
                f"LAYER_{layer.upper()}",
                tr(f"Profile layer '{layer}' ({', '.join(kinds)})"),
                [QgsProcessing.TypeVectorAnyGeometry], optional=True)
            param.setFlags(param.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
            self.addParameter(param)
        load = QgsProcessingParameterBoolean(self.LOAD_FINDINGS,
                                             tr("Add the findings layers to the project"),
                                             defaultValue=True)
        load.setFlags(load.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
        self.addParameter(load)
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_FINDINGS, tr("Findings"), "GeoPackage (*.gpkg)"))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_HTML, tr("Inclusion advice (HTML report)"), "HTML files (*.html)"))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_JSON, tr("JSON report"), "JSON files (*.json)", optional=True,
            createByDefault=False))
        self.addOutput(QgsProcessingOutputString("VERDICT", tr("Verdict")))
        self.addOutput(QgsProcessingOutputNumber("FINDINGS", tr("Number of listed findings")))

    # -- input -----------------------------------------------------------------------------
    def _chosen_layers(self, parameters, context) -> list[tuple[str, QgsVectorLayer, bool]]:
        """(target table, layer, is a profile choice) for every chosen project layer."""
        chosen: list[tuple[str, QgsVectorLayer, bool]] = []
        for layer in self.parameterAsLayerList(parameters, self.LAYERS, context) or []:
            if not isinstance(layer, QgsVectorLayer):
                raise QgsProcessingException(tr(f"Layer '{layer.name()}' is not a vector "
                                                "layer; choose vector layers only"))
            target = _safe_table(layer.name())
            chosen.append((target, layer, target.lower() in PROFILE_LAYERS))
        for profile in PROFILE_LAYERS:
            layer = self.parameterAsVectorLayer(parameters, f"LAYER_{profile.upper()}", context)
            if layer is not None:
                chosen.append((profile, layer, True))
        return chosen

    def _check_layer(self, target: str, layer: QgsVectorLayer, profile: bool) -> None:
        """One clear message for a layer that cannot be checked."""
        if not layer.isValid():
            raise QgsProcessingException(tr(f"Layer '{layer.name()}' cannot be read "
                                            f"({layer.source()})"))
        if not layer.crs().isValid():
            raise QgsProcessingException(tr(
                f"Layer '{layer.name()}' has no coordinate reference system: set one in its "
                "Layer Properties > Source (for Flanders usually EPSG:31370) and run again"))
        kind = QgsWkbTypes.geometryType(layer.wkbType())
        if kind == QgsWkbTypes.NullGeometry:
            raise QgsProcessingException(tr(f"Layer '{layer.name()}' has no geometry; "
                                            "choose layers with points, lines or polygons"))
        allowed = PROFILE_LAYERS.get(target.lower())
        name = _GEOMETRY_KIND.get(kind)
        if profile and allowed and name and name not in allowed:
            raise QgsProcessingException(tr(
                f"Layer '{layer.name()}' has {name} geometry, but the data-profile layer "
                f"'{target.lower()}' takes {' or '.join(allowed)}: choose another layer or "
                "convert the geometry"))

    def _export(self, chosen, folder: Path, context, feedback) -> Path:
        """Write the chosen layers into one GeoPackage with QGIS's own writer.

        One table per target name; several layers for one name (e.g. the lines and the
        polygons of a walkway) go into one table of generic geometry, in the first layer's
        CRS, with the union of their fields. Z values are kept (3D lines give slopes)."""
        plan = folder / "plan.gpkg"
        groups: dict[str, list[QgsVectorLayer]] = {}
        for target, layer, _profile in chosen:
            key = target.lower() if target.lower() in PROFILE_LAYERS else target
            groups.setdefault(key, []).append(layer)
        for index, (target, layers) in enumerate(groups.items()):
            crs = layers[0].crs()
            fields = QgsFields()
            for layer in layers:
                for field in layer.fields():
                    if field.name().lower() != "fid" and fields.indexOf(field.name()) < 0:
                        fields.append(_writable(field))
            has_z = any(QgsWkbTypes.hasZ(feature.geometry().wkbType())
                        for layer in layers
                        for feature in layer.getFeatures(QgsFeatureRequest().setNoAttributes()))
            if len(layers) == 1:
                kind = layers[0].wkbType()
                kind = QgsWkbTypes.addZ(kind) if has_z else kind
            else:
                kind = QgsWkbTypes.Unknown  # GPKG "GEOMETRY": points, lines and polygons
            options = QgsVectorFileWriter.SaveVectorOptions()
            options.driverName = "GPKG"
            options.layerName = target
            options.fileEncoding = "UTF-8"
            options.actionOnExistingFile = (QgsVectorFileWriter.CreateOrOverwriteFile
                                            if index == 0 else
                                            QgsVectorFileWriter.CreateOrOverwriteLayer)
            writer = QgsVectorFileWriter.create(str(plan), fields, kind, crs,
                                                context.transformContext(), options)
            if writer is None or writer.hasError() != QgsVectorFileWriter.NoError:
                message = writer.errorMessage() if writer is not None else ""
                raise QgsProcessingException(tr(f"Plan layer '{target}' could not be "
                                                f"exported for the check: {message}"))
            try:
                for layer in layers:
                    self._write_layer(writer, layer, fields, crs, context, feedback, target)
            finally:
                del writer  # closes the table
        return plan

    def _write_layer(self, writer, layer: QgsVectorLayer, fields, crs, context, feedback,
                     target: str) -> None:
        transform = None
        if layer.crs() != crs:
            transform = QgsCoordinateTransform(layer.crs(), crs, context.transformContext())
        names = [(fields.indexOf(f.name()), f.name()) for f in layer.fields()
                 if fields.indexOf(f.name()) >= 0]
        count = 0
        for feature in layer.getFeatures():
            if feedback.isCanceled():
                raise QgsProcessingException(tr("Cancelled"))
            out = QgsFeature(fields)
            for index, name in names:
                out.setAttribute(index, _value(feature[name], fields.at(index)))
            geometry = QgsGeometry(feature.geometry())
            if transform is not None and not geometry.isNull():
                geometry.transform(transform)
            out.setGeometry(geometry)
            if not writer.addFeature(out):
                raise QgsProcessingException(tr(
                    f"Layer '{layer.name()}' could not be exported for the check: "
                    f"{writer.errorMessage()}"))
            count += 1
        feedback.pushInfo(tr(f"Exported '{layer.name()}' ({count} features) as plan layer "
                             f"'{target}'"))

    # -- run -------------------------------------------------------------------------------
    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802 - QGIS API
        plan_path = (self.parameterAsFile(parameters, self.INPUT, context) or "").strip()
        folder = (self.parameterAsFile(parameters, self.INPUT_FOLDER, context) or "").strip()
        chosen = self._chosen_layers(parameters, context)
        if sum(bool(x) for x in (plan_path, folder, chosen)) > 1:
            raise QgsProcessingException(tr("Give one input: a plan file, a plan folder or "
                                            "project layers"))
        plan_path = plan_path or folder
        if not plan_path and not chosen:
            raise QgsProcessingException(tr("Nothing to check: give a plan file or folder, "
                                            "or choose project layers"))
        date = (self.parameterAsString(parameters, self.PERMIT_DATE, context) or "").strip()
        if date and not _DATE.match(date):
            raise QgsProcessingException(tr(f"Permit date {date!r}: use YYYY-MM-DD"))
        work = Path(tempfile.mkdtemp(prefix="inclusiecheck-qgis-"))
        try:
            if plan_path:
                if not Path(plan_path).exists():
                    raise QgsProcessingException(tr(f"{plan_path}: no such file or folder"))
                plan = Path(plan_path)
            else:
                for target, layer, profile in chosen:
                    self._check_layer(target, layer, profile)
                plan = self._export(chosen, work, context, feedback)
                meta = self.parameterAsFile(parameters, self.PLAN_METADATA, context)
                if meta:
                    shutil.copyfile(meta, work / "plan.yaml")
            return self._check(plan, work, parameters, context, feedback)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _check(self, plan: Path, work: Path, parameters, context, feedback) -> dict:
        out = work / "out"
        lang = _enum(self, self.LANGUAGE, parameters, context, LANGUAGES) or "nl"
        args = ["check", str(plan), "--out", str(out), "--format", "gpkg,html,json",
                "--progress", "json", "--fail-on", "never", "--quiet", "--lang", lang]
        mapping = (self.parameterAsString(parameters, self.MAPPING, context) or "").strip()
        if mapping:
            args += ["--mapping", mapping]
        for name in (self.parameterAsString(parameters, self.RULE_SETS, context) or "").split(","):
            if name.strip():
                args += ["--rules", name.strip()]
        work_kind = _enum(self, self.WORK_KIND, parameters, context, WORK_KINDS)
        if work_kind:
            args += ["--work-kind", work_kind]
        public = _enum(self, self.PUBLIC_BUILDING, parameters, context, TRISTATE)
        if public:
            args.append("--public-building" if public == "yes" else "--no-public-building")
        built = _enum(self, self.BUILT_UP_AREA, parameters, context, TRISTATE)
        if built:
            args.append("--built-up-area" if built == "yes" else "--outside-built-up-area")
        date = (self.parameterAsString(parameters, self.PERMIT_DATE, context) or "").strip()
        if date:
            args += ["--date", date]
        regime = _enum(self, self.REGIME, parameters, context, REGIMES)
        if regime:
            args += ["--regime", regime]
        result = self._run(args, feedback, tr("The check"))

        findings = self.parameterAsFileOutput(parameters, self.OUTPUT_FINDINGS, context)
        html = self.parameterAsFileOutput(parameters, self.OUTPUT_HTML, context)
        json_out = self.parameterAsFileOutput(parameters, self.OUTPUT_JSON, context)
        for source, target in ((out / "findings.gpkg", findings), (out / "report.html", html),
                               (out / "report.json", json_out)):
            if target:
                if not source.is_file():
                    raise QgsProcessingException(tr(f"inclusiecheck did not write {source.name}"))
                Path(target).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
        report = json.loads((out / "report.json").read_text(encoding="utf-8"))
        verdict = (report.get("verdict") or {}).get("code", "")
        listed = len(report.get("findings") or [])
        feedback.pushInfo(tr(f"Verdict: {verdict}; {listed} findings listed"))
        if result.errors:
            feedback.pushWarning("\n".join(result.errors[:20]))
        if findings and self.parameterAsBoolean(parameters, self.LOAD_FINDINGS, context):
            for layer in FINDINGS_LAYERS:
                uri = f"{findings}|layername={layer}"
                details = QgsProcessingContext.LayerDetails(
                    f"{tr('inclusiecheck findings')} ({layer.split('_')[1]})",
                    context.project() or QgsProject.instance(), self.OUTPUT_FINDINGS)
                details.setPostProcessor(_LoadFindings(html or None))
                context.addLayerToLoadOnCompletion(uri, details)
        return {self.OUTPUT_FINDINGS: findings, self.OUTPUT_HTML: html,
                self.OUTPUT_JSON: json_out or None, "VERDICT": verdict, "FINDINGS": listed}


class ComparePlanVersions(_Algorithm):
    OLD = "OLD"
    NEW = "NEW"
    MAPPING = "MAPPING"
    RULE_SETS = "RULE_SETS"
    LANGUAGE = "LANGUAGE"
    PERMIT_DATE = "PERMIT_DATE"
    OUTPUT_FOLDER = "OUTPUT_FOLDER"

    def name(self) -> str:
        return "compareversions"

    def displayName(self) -> str:  # noqa: N802 - QGIS API
        return tr("Compare plan versions")

    def shortHelpString(self) -> str:  # noqa: N802 - QGIS API
        return tr("Checks two versions of a plan and lists the findings that were resolved, "
                  "introduced or changed (compare.json and compare.md in the output folder).")

    def initAlgorithm(self, config=None):  # noqa: N802 - QGIS API
        self.addParameter(QgsProcessingParameterFile(
            self.OLD, tr("Earlier plan version"), QgsProcessingParameterFile.File,
            fileFilter=PLAN_FILTER))
        self.addParameter(QgsProcessingParameterFile(
            self.NEW, tr("Revised plan version"), QgsProcessingParameterFile.File,
            fileFilter=PLAN_FILTER))
        self.addParameter(QgsProcessingParameterString(
            self.MAPPING, tr("Mapping profile (nl, shapefile or a YAML file)"), defaultValue="",
            optional=True))
        self.addParameter(QgsProcessingParameterString(
            self.RULE_SETS, tr("Rule sets (comma separated; empty: all built-in sets)"),
            defaultValue="", optional=True))
        self.addParameter(QgsProcessingParameterEnum(
            self.LANGUAGE, tr("Language"), options=["Nederlands (nl)", "English (en)"],
            defaultValue=0))
        self.addParameter(QgsProcessingParameterString(
            self.PERMIT_DATE, tr("Permit date (YYYY-MM-DD)"), defaultValue="", optional=True))
        self.addParameter(QgsProcessingParameterFolderDestination(
            self.OUTPUT_FOLDER, tr("Output folder")))
        self.addOutput(QgsProcessingOutputNumber("RESOLVED", tr("Resolved findings")))
        self.addOutput(QgsProcessingOutputNumber("INTRODUCED", tr("Introduced findings")))
        self.addOutput(QgsProcessingOutputNumber("CHANGED", tr("Changed findings")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802 - QGIS API
        old = self.parameterAsFile(parameters, self.OLD, context)
        new = self.parameterAsFile(parameters, self.NEW, context)
        for path in (old, new):
            if not path or not Path(path).exists():
                raise QgsProcessingException(tr(f"{path}: no such file or folder"))
        out = self.parameterAsString(parameters, self.OUTPUT_FOLDER, context)
        lang = _enum(self, self.LANGUAGE, parameters, context, LANGUAGES) or "nl"
        args = ["compare", old, new, "--out", out, "--lang", lang]
        mapping = (self.parameterAsString(parameters, self.MAPPING, context) or "").strip()
        if mapping:
            args += ["--mapping", mapping]
        for name in (self.parameterAsString(parameters, self.RULE_SETS, context) or "").split(","):
            if name.strip():
                args += ["--rules", name.strip()]
        date = (self.parameterAsString(parameters, self.PERMIT_DATE, context) or "").strip()
        if date:
            if not _DATE.match(date):
                raise QgsProcessingException(tr(f"Permit date {date!r}: use YYYY-MM-DD"))
            args += ["--date", date]
        feedback.setProgress(5)
        result = self._run(args, feedback, tr("The comparison"))
        for line in result.stdout.splitlines():
            feedback.pushInfo(line)
        data = json.loads((Path(out) / "compare.json").read_text(encoding="utf-8"))
        return {self.OUTPUT_FOLDER: out, "RESOLVED": len(data.get("resolved", [])),
                "INTRODUCED": len(data.get("introduced", [])),
                "CHANGED": len(data.get("changed", []))}


class CreateEmptyPlan(_Algorithm):
    OUTPUT = "OUTPUT"
    LOAD = "LOAD"

    def name(self) -> str:
        return "createemptyplan"

    def displayName(self) -> str:  # noqa: N802 - QGIS API
        return tr("Create empty plan")

    def shortHelpString(self) -> str:  # noqa: N802 - QGIS API
        return tr("Creates a GeoPackage with every layer and field of the inclusiecheck data "
                  "profile (EPSG:31370) and a commented plan.yaml beside it for the plan "
                  "metadata: the same as 'inclusiecheck init'. Draw the design in its layers, "
                  "then run 'Check plan' on it.")

    def initAlgorithm(self, config=None):  # noqa: N802 - QGIS API
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT, tr("New plan"), "GeoPackage (*.gpkg)"))
        self.addParameter(QgsProcessingParameterBoolean(
            self.LOAD, tr("Add its layers to the project"), defaultValue=True))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802 - QGIS API
        target = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        result = self._run(["init", target], feedback, tr("Creating the plan"))
        for line in result.stdout.splitlines():
            feedback.pushInfo(line)
        if self.parameterAsBoolean(parameters, self.LOAD, context):
            for layer in PROFILE_LAYERS:
                details = QgsProcessingContext.LayerDetails(
                    layer, context.project() or QgsProject.instance(), self.OUTPUT)
                context.addLayerToLoadOnCompletion(f"{target}|layername={layer}", details)
        return {self.OUTPUT: target}
