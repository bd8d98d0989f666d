"""BCF 2.1 export: one topic per finding, with a viewpoint on the element in its BIM model.

The archive (``report.bcf``) holds ``bcf.version``, an optional ``project.bcfp`` and one folder
per topic, named by the topic GUID, with ``markup.bcf`` and ``viewpoint.bcfv``. Obligations
with outcome fail, warn, to_verify or deviation become topics; recommendations too when
:attr:`RenderOptions.bcf_recommendations` is set.

Everything is deterministic: topic GUIDs are UUID5s of ``rule_id``, ``layer``, ``feature_id``
and ``property`` (so a topic keeps its GUID between runs and BIM tools update it instead of
adding a new one), dates come from the plan (``permit_date``), never from the clock, and the
zip entries have a fixed order and timestamp. The same report gives the same bytes.

Viewpoints select the element by its IFC GlobalId (``source_ref["global_id"]``) and aim a
perspective camera at the centroid of the finding's location. Locations are in the report's
map CRS; when the plan carries an ``ifc_map_conversion`` the camera is transformed back into
the IFC engineering coordinates (inverse of IfcMapConversion), else the map coordinates are
used as they are (findings from GIS plans).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any
from collections.abc import Iterable, Mapping

import numpy as np
import shapely
from lxml import etree
from shapely.geometry import shape

from inclusiecheck.model import Finding, InputError, Level, Outcome, Report, RuleInfo
from inclusiecheck.model.labels import catalogue, label
from inclusiecheck.report.registry import RenderOptions, output_format

__all__ = [
    "BCF_VERSION",
    "CameraPose",
    "MapConversion",
    "bcf_topic_findings",
    "camera_for_location",
    "render_bcf",
    "topic_guid",
]

BCF_VERSION = "2.1"
AUTHOR = "inclusiecheck"
#: fallback creation date when the plan has no usable date (the zip epoch; never the clock)
FALLBACK_DATE = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)
#: timestamp of every zip entry
ZIP_DATE_TIME = (1980, 1, 1, 0, 0, 0)
#: namespace of the topic GUIDs (a fixed UUID5, so GUIDs are stable across versions)
GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://inclusiecheck.org/bcf/topic")

#: camera placement relative to the target, in metres of the map: this far south, this high
CAMERA_BACK_M = 15.0
CAMERA_UP_M = 10.0
FIELD_OF_VIEW_DEG = 60.0  # BCF 2.1 limits it to 45..60

EXPORTED_OUTCOMES = (Outcome.FAIL, Outcome.WARN, Outcome.TO_VERIFY, Outcome.DEVIATION)

TOPIC_TYPES = {
    Outcome.FAIL: "Issue",
    Outcome.TO_VERIFY: "Request",
    Outcome.WARN: "Remark",
    Outcome.DEVIATION: "Remark",
}

#: component colours (RRGGBB, upper-case as visinfo.xsd requires) per outcome
COLOURS = {
    Outcome.FAIL: "E3262F",
    Outcome.WARN: "F39C12",
    Outcome.TO_VERIFY: "F39C12",
    Outcome.DEVIATION: "2E86C1",
}

_IFC_GUID = re.compile(r"[0-9A-Za-z_$]{22}")
#: characters XML 1.0 cannot hold at all (lxml refuses them); they are dropped from text
_XML_INVALID = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

_TEXT = {
    "nl": {
        "measured": "Gemeten",
        "required": "Vereist",
        "property": "Eigenschap",
        "source": "Bron",
        "advice": "Advies",
        "missing": "Ontbrekende gegevens",
        "note": "Opmerking",
        "element": "Element",
        "deviation": "Afwijking toegestaan",
        "unknown": "onbekend",
        "yes": "ja",
        "no": "nee",
    },
    "en": {
        "measured": "Measured",
        "required": "Required",
        "property": "Property",
        "source": "Source",
        "advice": "Advice",
        "missing": "Missing data",
        "note": "Note",
        "element": "Element",
        "deviation": "Deviation granted",
        "unknown": "unknown",
        "yes": "yes",
        "no": "no",
    },
}


# --------------------------------------------------------------------------- geometry


@dataclass(frozen=True, slots=True)
class MapConversion:
    """An IfcMapConversion: engineering (x, y, z) -> map (E, N, H).

    ``E = eastings + scale * (x cos a - y sin a)``, ``N = northings + scale * (x sin a +
    y cos a)``, ``H = orthogonal_height + scale * z``, where ``a`` is the angle of the
    vector (``x_axis_abscissa``, ``x_axis_ordinate``). ``length_unit_m`` is the size of one
    engineering unit in metres (0.001 for a model in millimetres), so that the inverse gives
    metres, the unit of BCF viewpoints.
    """

    eastings: float
    northings: float
    orthogonal_height: float = 0.0
    x_axis_abscissa: float = 1.0
    x_axis_ordinate: float = 0.0
    scale: float = 1.0
    length_unit_m: float = 1.0

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MapConversion:
        """Build from the plan's ``ifc_map_conversion`` dict; raise InputError if malformed."""
        try:
            conv = cls(
                eastings=float(data["eastings"]),
                northings=float(data["northings"]),
                orthogonal_height=float(data.get("orthogonal_height") or 0.0),
                x_axis_abscissa=float(_default(data.get("x_axis_abscissa"), 1.0)),
                x_axis_ordinate=float(_default(data.get("x_axis_ordinate"), 0.0)),
                scale=float(_default(data.get("scale"), 1.0)),
                length_unit_m=float(_default(data.get("length_unit_m"), 1.0)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"BCF export: the plan's ifc_map_conversion is malformed ({exc!r}); "
                             "it needs numeric eastings and northings") from None
        values = (conv.eastings, conv.northings, conv.orthogonal_height, conv.x_axis_abscissa,
                  conv.x_axis_ordinate, conv.scale, conv.length_unit_m)
        if not all(math.isfinite(v) for v in values):
            raise InputError("BCF export: the plan's ifc_map_conversion has non-finite numbers")
        if math.hypot(conv.x_axis_abscissa, conv.x_axis_ordinate) == 0.0:
            raise InputError("BCF export: ifc_map_conversion x axis (abscissa, ordinate) is zero")
        if conv.scale <= 0.0 or conv.length_unit_m <= 0.0:
            raise InputError("BCF export: ifc_map_conversion scale and length_unit_m must be > 0")
        return conv

    def _cos_sin(self) -> tuple[float, float]:
        norm = math.hypot(self.x_axis_abscissa, self.x_axis_ordinate)
        return self.x_axis_abscissa / norm, self.x_axis_ordinate / norm

    def to_map(self, x: float, y: float, z: float) -> tuple[float, float, float]:
        """Engineering coordinates (in model units) to map coordinates."""
        cos_a, sin_a = self._cos_sin()
        return (self.eastings + self.scale * (x * cos_a - y * sin_a),
                self.northings + self.scale * (x * sin_a + y * cos_a),
                self.orthogonal_height + self.scale * z)

    def to_engineering(self, e: float, n: float, h: float) -> tuple[float, float, float]:
        """Map coordinates to engineering coordinates in metres (translate, rotate, unscale)."""
        cos_a, sin_a = self._cos_sin()
        de, dn, dh = e - self.eastings, n - self.northings, h - self.orthogonal_height
        factor = self.length_unit_m / self.scale
        return ((de * cos_a + dn * sin_a) * factor,
                (-de * sin_a + dn * cos_a) * factor,
                dh * factor)


@dataclass(frozen=True, slots=True)
class CameraPose:
    """A BCF perspective camera: eye point, unit view direction and unit up vector."""

    viewpoint: tuple[float, float, float]
    direction: tuple[float, float, float]
    up: tuple[float, float, float]
    field_of_view: float = FIELD_OF_VIEW_DEG


def _default(value: Any, fallback: float) -> Any:
    return fallback if value is None else value


def _normalise(v: tuple[float, float, float],
               fallback: tuple[float, float, float] = (0.0, 0.0, -1.0)
               ) -> tuple[float, float, float]:
    """``v`` as a unit vector; ``fallback`` when it has no direction (zero, or not finite:
    an absurd map-conversion scale collapses the camera offset)."""
    norm = math.sqrt(v[0] ** 2 + v[1] ** 2 + v[2] ** 2)
    if not (math.isfinite(norm) and norm > 0.0):
        return fallback
    return (v[0] / norm, v[1] / norm, v[2] / norm)


def location_target(
        location: Mapping[str, Any] | None) -> tuple[float, float, float | None] | None:
    """Return the centroid (x, y, z) of a GeoJSON geometry, or None if absent or unusable.

    ``z`` is the mean of the coordinates' z where they have one, else None (a 2D location).
    """
    if not location:
        return None
    try:
        geom = shape(location)
    except (ValueError, TypeError, KeyError, AttributeError, IndexError,
            shapely.errors.ShapelyError):
        return None
    if geom.is_empty:
        return None
    centroid = geom.centroid
    if centroid.is_empty:  # e.g. a collection of empty parts
        return None
    x, y = float(centroid.x), float(centroid.y)
    z: float | None = None
    if geom.has_z:
        zs = shapely.get_coordinates(geom, include_z=True)[:, 2]
        zs = zs[~np.isnan(zs)]
        if zs.size:
            z = float(zs.mean())
    if not all(math.isfinite(v) for v in (x, y, 0.0 if z is None else z)):
        return None
    return x, y, z


def camera_for_location(location: Mapping[str, Any] | None,
                        conversion: MapConversion | None = None) -> CameraPose | None:
    """Aim a camera at a finding's location, from ``CAMERA_BACK_M`` south and ``CAMERA_UP_M`` up.

    Parameters
    ----------
    location
        GeoJSON geometry in the report's map CRS, or None. A 2D location is taken at the
        height of the engineering origin (``orthogonal_height``; 0 without a conversion).
    conversion
        The plan's map conversion: the camera is returned in the IFC engineering coordinates
        (metres). Without one, the map coordinates are used as they are.

    Returns
    -------
    CameraPose or None
        None when there is no usable location.
    """
    found = location_target(location)
    if found is None:
        return None
    # a 2D location lies at the model's origin height (z = 0 of the engineering system)
    height = found[2] if found[2] is not None else (
        conversion.orthogonal_height if conversion is not None else 0.0)
    target: tuple[float, float, float] = (found[0], found[1], height)
    eye = (target[0], target[1] - CAMERA_BACK_M, target[2] + CAMERA_UP_M)
    if conversion is not None:
        target = conversion.to_engineering(*target)
        eye = conversion.to_engineering(*eye)
    direction = _normalise((target[0] - eye[0], target[1] - eye[1], target[2] - eye[2]))
    # up: world Z made orthogonal to the view direction (the camera never looks straight down)
    dz = direction[2]
    up = _normalise((-dz * direction[0], -dz * direction[1], 1.0 - dz * direction[2]),
                    (0.0, 1.0, 0.0))
    return CameraPose(viewpoint=eye, direction=direction, up=up)


# --------------------------------------------------------------------------- selection


def bcf_topic_findings(report: Report, include_recommendations: bool) -> tuple[Finding, ...]:
    """Return the findings that become topics, in report order."""
    levels = {Level.OBLIGATION, Level.RECOMMENDATION} if include_recommendations \
        else {Level.OBLIGATION}
    return tuple(f for f in report.findings
                 if f.outcome in EXPORTED_OUTCOMES and f.level in levels)


def topic_guid(finding: Finding) -> str:
    """Deterministic topic GUID: UUID5 of rule id, layer, feature id and property."""
    key = "\x1f".join((finding.rule_id, finding.layer, finding.feature_id,
                       finding.property or ""))
    return str(uuid.uuid5(GUID_NAMESPACE, key))


def _unique_guids(findings: Iterable[Finding]) -> list[str]:
    """Topic GUIDs, made unique where two findings share the key (suffixing a counter)."""
    seen: dict[str, int] = {}
    out = []
    for finding in findings:
        guid = topic_guid(finding)
        count = seen.get(guid, 0)
        seen[guid] = count + 1
        out.append(guid if count == 0 else str(uuid.uuid5(uuid.UUID(guid), f"duplicate-{count}")))
    return out


def _ifc_guid(finding: Finding) -> str | None:
    value = (finding.source_ref or {}).get("global_id")
    if isinstance(value, str) and _IFC_GUID.fullmatch(value):
        return value
    return None


def _priority(finding: Finding) -> str:
    if finding.level is Level.RECOMMENDATION:
        return "Low"
    if finding.structural and (finding.outcome is Outcome.FAIL or finding.would_fail):
        return "High"
    return "Normal"


# --------------------------------------------------------------------------- text


def _clean(text: object) -> str:
    """Text safe for XML 1.0: characters XML cannot hold are dropped (escaping is lxml's)."""
    return _XML_INVALID.sub("", str(text))


def _words(lang: str) -> dict[str, str]:
    return _TEXT.get(lang, _TEXT["en"])


def _fmt_value(value: float | str | bool | None, unit: str | None, words: dict[str, str]) -> str:
    if value is None:
        return words["unknown"]
    if isinstance(value, bool):
        text = words["yes"] if value else words["no"]
    elif isinstance(value, float):
        text = f"{value:.3f}".rstrip("0").rstrip(".") if math.isfinite(value) else str(value)
    else:
        text = str(value)
    return f"{text} {unit}" if unit and not isinstance(value, bool) else text


def _citation_text(finding: Finding) -> str:
    parts = [p for p in (finding.source.document, finding.source.article) if p]
    text = ", ".join(parts)
    if finding.source.url:
        text = f"{text} ({finding.source.url})" if text else finding.source.url
    return text


def topic_title(finding: Finding, info: RuleInfo | None) -> str:
    """Rule title in the report language, then the feature: ``title (layer feature_id)``."""
    title = info.title if info and info.title else finding.rule_id
    return f"{title} ({finding.layer} {finding.feature_id})"


def topic_description(finding: Finding, lang: str) -> str:
    """Message, measured vs required, source, advice, and what data is missing."""
    words = _words(lang)
    lines = []
    if finding.message:
        lines.append(finding.message)
    if finding.measured is not None or finding.required is not None:
        lines.append(f"{words['measured']}: {_fmt_value(finding.measured, finding.unit, words)}"
                     f" - {words['required']}: "
                     f"{_fmt_value(finding.required, finding.unit, words)}")
    if finding.property:
        lines.append(f"{words['property']}: {label(finding.property, lang, unit=True)}")
    if finding.missing:
        lines.append(f"{words['missing']}: "
                     + ", ".join(label(m, lang, unit=True) for m in finding.missing))
    citation = _citation_text(finding)
    if citation:
        lines.append(f"{words['source']}: {citation}")
    if finding.advice:
        lines.append(f"{words['advice']}: {finding.advice}")
    if finding.note:
        lines.append(f"{words['note']}: {finding.note}")
    layer_name = (catalogue().get("layers") or {}).get(finding.layer, {}).get(lang, finding.layer)
    element = f"{layer_name} {finding.feature_id}"
    global_id = (finding.source_ref or {}).get("global_id")
    if global_id:
        element += f" (GlobalId {global_id})"
    lines.append(f"{words['element']}: {element}")
    return "\n".join(lines)


def deviation_comment(finding: Finding, lang: str) -> str:
    """The justification of a granted deviation, with its other fields (e.g. who, when)."""
    words = _words(lang)
    data = dict(finding.deviation or {})
    main = data.pop("justification", None) or data.pop("reason", None)
    lines = [f"{words['deviation']}: {main}" if main else words["deviation"]]
    lines += [f"{key}: {data[key]}" for key in sorted(data) if data[key] not in (None, "")]
    return "\n".join(lines)


# --------------------------------------------------------------------------- dates


def _parse_datetime(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    if isinstance(value, str) and value.strip():
        text = value.strip()
        for parse in (dt.datetime.fromisoformat, dt.date.fromisoformat):
            try:
                return _parse_datetime(parse(text))
            except ValueError:
                continue
    return None


def creation_date(plan: Mapping[str, Any]) -> dt.datetime:
    """The plan's ``permit_date`` (else ``date``), else a fixed date: never the clock."""
    for key in ("permit_date", "date"):
        parsed = _parse_datetime(plan.get(key))
        if parsed is not None:
            return parsed
    return FALLBACK_DATE


def _xs_datetime(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------- XML


def _sub(parent: etree._Element, tag: str, text: object | None = None,
         **attrs: str) -> etree._Element:
    elem = etree.SubElement(parent, tag, {k: _clean(v) for k, v in attrs.items()})
    if text is not None:
        elem.text = _clean(text)
    return elem


def _xml_bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _num(value: float) -> str:
    return f"{value + 0.0:.6f}"


def _xyz(parent: etree._Element, tag: str, values: tuple[float, float, float]) -> None:
    elem = _sub(parent, tag)
    for axis, value in zip("XYZ", values):
        _sub(elem, axis, _num(value))


def version_xml() -> bytes:
    """``bcf.version`` for BCF 2.1."""
    root = etree.Element("Version", VersionId=BCF_VERSION)
    _sub(root, "DetailedVersion", BCF_VERSION)
    return _xml_bytes(root)


def project_xml(plan: Mapping[str, Any]) -> bytes | None:
    """``project.bcfp`` naming the plan's project (or dossier), or None if it has no name."""
    name = plan.get("project") or plan.get("dossier")
    if not name:
        return None
    root = etree.Element("ProjectExtension")
    project = _sub(root, "Project",
                   ProjectId=str(uuid.uuid5(GUID_NAMESPACE, f"project\x1f{name}")))
    _sub(project, "Name", name)
    _sub(root, "ExtensionSchema", "")
    return _xml_bytes(root)


def markup_xml(finding: Finding, info: RuleInfo | None, guid: str, index: int, lang: str,
               date: dt.datetime, viewpoint_guid: str | None) -> bytes:
    """``markup.bcf`` of one topic; ``info`` is the finding's rule (for its title)."""
    root = etree.Element("Markup")
    source_file = (finding.source_ref or {}).get("file")
    if source_file and PurePath(source_file).suffix.lower() in (".ifc", ".ifcxml", ".ifczip"):
        header = _sub(root, "Header")
        file_elem = _sub(header, "File")
        _sub(file_elem, "Filename", PurePath(source_file).name)
    topic = _sub(root, "Topic", Guid=guid, TopicType=TOPIC_TYPES[finding.outcome],
                 TopicStatus="Closed" if finding.outcome is Outcome.DEVIATION else "Open")
    if finding.source.url:
        _sub(topic, "ReferenceLink", finding.source.url)
    _sub(topic, "Title", topic_title(finding, info))
    _sub(topic, "Priority", _priority(finding))
    _sub(topic, "Index", str(index))
    rule_set = finding.rule_set or (info.rule_set if info else "")
    would_fail = "would_fail" if finding.would_fail else None
    for tag in (finding.pillar.value, finding.level.value, finding.rule_id, rule_set,
                finding.regime, would_fail):
        if tag:
            _sub(topic, "Labels", tag)
    stamp = _xs_datetime(date)
    _sub(topic, "CreationDate", stamp)
    _sub(topic, "CreationAuthor", AUTHOR)
    _sub(topic, "Description", topic_description(finding, lang))
    if finding.outcome is Outcome.DEVIATION:
        comment = _sub(root, "Comment", Guid=str(uuid.uuid5(uuid.UUID(guid), "deviation")))
        _sub(comment, "Date", stamp)
        _sub(comment, "Author", AUTHOR)
        _sub(comment, "Comment", deviation_comment(finding, lang))
    if viewpoint_guid is not None:
        viewpoints = _sub(root, "Viewpoints", Guid=viewpoint_guid)
        _sub(viewpoints, "Viewpoint", "viewpoint.bcfv")
        _sub(viewpoints, "Index", "0")
    return _xml_bytes(root)


def viewpoint_xml(finding: Finding, viewpoint_guid: str,
                  conversion: MapConversion | None) -> bytes | None:
    """``viewpoint.bcfv``: select the element by GlobalId and aim a camera at the location.

    Returns None when the finding has neither a GlobalId nor a usable location.
    """
    global_id = _ifc_guid(finding)
    camera = camera_for_location(finding.location, conversion)
    if global_id is None and camera is None:
        return None
    root = etree.Element("VisualizationInfo", Guid=viewpoint_guid)
    if global_id is not None:
        components = _sub(root, "Components")
        selection = _sub(components, "Selection")
        _sub(selection, "Component", IfcGuid=global_id)
        _sub(components, "Visibility", DefaultVisibility="true")
        coloring = _sub(components, "Coloring")
        colour = _sub(coloring, "Color", Color=COLOURS[finding.outcome])
        _sub(colour, "Component", IfcGuid=global_id)
    if camera is not None:
        perspective = _sub(root, "PerspectiveCamera")
        _xyz(perspective, "CameraViewPoint", camera.viewpoint)
        _xyz(perspective, "CameraDirection", camera.direction)
        _xyz(perspective, "CameraUpVector", camera.up)
        _sub(perspective, "FieldOfView", _num(camera.field_of_view))
    return _xml_bytes(root)


# --------------------------------------------------------------------------- archive


def _zip_entry(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # fixed, so bytes do not depend on the platform
    info.external_attr = 0o644 << 16
    archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)


def bcf_entries(report: Report, options: RenderOptions) -> list[tuple[str, bytes]]:
    """The archive's entries, in their fixed order: (name, bytes)."""
    plan = report.plan or {}
    raw_conversion = plan.get("ifc_map_conversion")
    conversion = MapConversion.from_dict(raw_conversion) if raw_conversion else None
    date = creation_date(plan)
    lang = options.lang or report.lang
    entries: list[tuple[str, bytes]] = [("bcf.version", version_xml())]
    project = project_xml(plan)
    if project is not None:
        entries.append(("project.bcfp", project))
    findings = bcf_topic_findings(report, options.bcf_recommendations)
    rules = {info.id: info for info in report.rules}
    for index, (finding, guid) in enumerate(zip(findings, _unique_guids(findings))):
        viewpoint_guid = str(uuid.uuid5(uuid.UUID(guid), "viewpoint"))
        viewpoint = viewpoint_xml(finding, viewpoint_guid, conversion)
        markup = markup_xml(finding, rules.get(finding.rule_id), guid, index, lang, date,
                            viewpoint_guid if viewpoint is not None else None)
        entries.append((f"{guid}/markup.bcf", markup))
        if viewpoint is not None:
            entries.append((f"{guid}/viewpoint.bcfv", viewpoint))
    return entries


@output_format("bcf", "report.bcf", "application/octet-stream",
               "BCF 2.1 topics for BIM tools (one per obligation finding)")
def render_bcf(report: Report, options: RenderOptions) -> bytes:
    """Render a report as a BCF 2.1 archive (deterministic bytes).

    Parameters
    ----------
    report
        The report to export.
    options
        ``lang`` chooses the fixed words of descriptions; ``bcf_recommendations`` adds
        recommendation findings.

    Returns
    -------
    bytes
        The ``.bcf`` zip.

    Raises
    ------
    InputError
        If the plan's ``ifc_map_conversion`` is malformed.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in bcf_entries(report, options):
            _zip_entry(archive, name, data)
    return buffer.getvalue()
