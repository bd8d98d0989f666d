"""ifcXML (``.ifcxml``) onto the IFC-lite model, streamed with lxml.

Two flavours are read, both without a schema:

- IFC4 ifcXML (root ``ifcXML``): simple attributes as XML attributes, entity-valued ones as
  child elements (``xsi:type``/``ref``), inverse relations possibly nested;
- the older ISO 10303-28 flavour of IFC2X3 exports (root ``iso_10303_28`` with a ``uos``):
  every attribute a child element, references as ``<IfcX xsi:nil="true" ref="i12"/>``.

The file is parsed with ``iterparse`` (no DTD, no entity resolution, no network). Each entity
element is turned into a compact record when it ends, if its type is one the lite model uses
(:data:`KEEP_TYPES`), and its XML is freed at once; memory is bounded by the records kept, not
by the file's size. A DOCTYPE (where external entities and entity-expansion bombs live) is
rejected before parsing.
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Any

import numpy as np
from lxml import etree

from inclusiecheck.model.errors import InputError, ReadWarning
from inclusiecheck.readers.ifc.lite import (
    ELEMENT_TYPES,
    SPATIAL_TYPES,
    TYPE_OBJECT_TYPES,
    IfcLiteModel,
    MapConversion,
    as_list,
    build_model,
    clean_value,
    collect_psets,
    local_placement,
    named_unit_scale,
    normalise_map_conversion,
    num,
    project_unit,
    text,
)
from inclusiecheck.readers.xml_prolog import scan_prolog

XSI = "http://www.w3.org/2001/XMLSchema-instance"
_XSI_TYPE = f"{{{XSI}}}type"
_XSI_NIL = f"{{{XSI}}}nil"
#: bytes read to find the root element (the prolog: XML declaration, comments, DOCTYPE)
PROLOG_LIMIT = 1 << 20

#: entity types kept as records; everything else is dropped while streaming
KEEP_TYPES: frozenset[str] = frozenset(
    SPATIAL_TYPES + ELEMENT_TYPES + TYPE_OBJECT_TYPES + (
        "IfcProject", "IfcRelAggregates", "IfcRelContainedInSpatialStructure",
        "IfcRelDefinesByProperties", "IfcRelDefinesByType", "IfcRelAssociatesClassification",
        "IfcPropertySet", "IfcPropertySingleValue", "IfcPropertyEnumeratedValue",
        "IfcPropertyListValue", "IfcElementQuantity", "IfcQuantityLength", "IfcQuantityArea",
        "IfcQuantityVolume", "IfcQuantityCount", "IfcQuantityWeight", "IfcQuantityTime",
        "IfcQuantityNumber", "IfcDoorLiningProperties",
        "IfcClassificationReference", "IfcClassification", "IfcClassificationNotation",
        "IfcClassificationNotationFacet",
        "IfcLocalPlacement", "IfcAxis2Placement3D", "IfcAxis2Placement2D", "IfcCartesianPoint",
        "IfcDirection", "IfcProductDefinitionShape", "IfcShapeRepresentation",
        "IfcExtrudedAreaSolid", "IfcBooleanClippingResult", "IfcBooleanResult",
        "IfcRectangleProfileDef", "IfcRoundedRectangleProfileDef", "IfcRectangleHollowProfileDef",
        "IfcCircleProfileDef", "IfcCircleHollowProfileDef", "IfcArbitraryClosedProfileDef",
        "IfcArbitraryProfileDefWithVoids", "IfcPolyline", "IfcIndexedPolyCurve",
        "IfcCartesianPointList2D", "IfcCompositeCurve", "IfcCompositeCurveSegment",
        "IfcUnitAssignment", "IfcSIUnit", "IfcConversionBasedUnit", "IfcMeasureWithUnit",
        "IfcMapConversion", "IfcMapConversionScaled", "IfcProjectedCRS",
    ))

#: inverse attribute -> (forward attribute on the nested relation, is that attribute a list)
INVERSES: dict[str, tuple[str, bool]] = {
    "IsDecomposedBy": ("RelatingObject", False),
    "Decomposes": ("RelatedObjects", True),
    "ContainsElements": ("RelatingStructure", False),
    "ContainedInStructure": ("RelatedElements", True),
    "IsDefinedBy": ("RelatedObjects", True),
    "IsTypedBy": ("RelatedObjects", True),
    "ObjectTypeOf": ("RelatingType", False),
    "Types": ("RelatingType", False),
    "HasAssociations": ("RelatedObjects", True),
    "DefinesOccurrence": ("RelatingPropertyDefinition", False),
    "PropertyDefinitionOf": ("RelatingPropertyDefinition", False),
    "HasCoordinateOperation": ("SourceCRS", False),
}

_META = {"id", "ref", "href", "pos", _XSI_TYPE, _XSI_NIL}


class Ref:
    """A reference to another record by its XML id."""

    __slots__ = ("id",)

    def __init__(self, ident: str) -> None:
        self.id = ident

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Ref) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    def __repr__(self) -> str:
        return f"Ref({self.id!r})"


class Typed:
    """A value of a defined type (``<IfcLabel-wrapper>``, ``<IfcLengthMeasure pos=..>``)."""

    __slots__ = ("type", "text")

    def __init__(self, type_: str, text_: str | None) -> None:
        self.type = type_
        self.text = text_


class Record:
    """One kept entity: its type and attribute values (text, Ref, Typed or lists)."""

    __slots__ = ("id", "type", "attrs")

    def __init__(self, ident: str, type_: str, attrs: dict[str, Any]) -> None:
        self.id = ident
        self.type = type_
        self.attrs = attrs


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _prolog_text(raw: bytes) -> str:
    """Decode the first bytes of an XML file for the prolog scan, whatever its encoding.

    UTF-32 and UTF-16 are recognised by their byte-order mark or, without one, by the zero
    bytes around the first ASCII character (XML 1.0, appendix F), as libxml2 does; anything
    else is read as latin-1, which keeps the ASCII markup of UTF-8 and 8-bit encodings.
    """
    for bom, codec in ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
                       (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if raw.startswith(bom):
            return raw[len(bom):].decode(codec, "replace")
    head = raw[:4]
    if len(head) == 4:
        if head[0] and not any(head[1:]):
            return raw.decode("utf-32-le", "replace")
        if not any(head[:3]) and head[3]:
            return raw.decode("utf-32-be", "replace")
        if head[0] and not head[1]:
            return raw.decode("utf-16-le", "replace")
        if not head[0] and head[1]:
            return raw.decode("utf-16-be", "replace")
    return raw.decode("latin-1")


def check_prolog(path: Path) -> None:
    """Reject an ifcXML whose prolog has a DOCTYPE, before any XML parser sees it."""
    with path.open("rb") as handle:
        raw = handle.read(PROLOG_LIMIT)
    found = scan_prolog(_prolog_text(raw))
    if found == "root":
        return
    if found == "doctype_entities":
        raise InputError(
            f"{path}: ifcXML with a DOCTYPE that declares or loads entities (external entity "
            "or entity-expansion attack?); rejected without expanding it")
    if found == "doctype":
        raise InputError(f"{path}: ifcXML must not have a DOCTYPE; rejected")
    if found == "no_root" and len(raw) >= PROLOG_LIMIT:
        raise InputError(f"{path}: no root element in the first {PROLOG_LIMIT} bytes; not an ifcXML file")
    raise InputError(f"{path}: no XML root element; not an ifcXML file")


class XmlSource:
    """Streamed ifcXML records as a :class:`~inclusiecheck.readers.ifc.lite.Source`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.records: dict[str, Record] = {}
        self.types: dict[str, list[Record]] = {}
        self.schema = ""
        self._counter = 0
        self._warnings: list[ReadWarning] = []
        self._parse()
        self._index()

    # ----------------------------------------------------------------- parsing

    def _parse(self) -> None:
        check_prolog(self.path)
        context = etree.iterparse(
            str(self.path), events=("end",), resolve_entities=False, no_network=True,
            huge_tree=False, load_dtd=False, dtd_validation=False, remove_comments=True,
            remove_pis=True)
        root_checked = False
        try:
            for _event, element in context:
                if not root_checked:
                    self._detect_schema(element.getroottree().getroot())
                    root_checked = True
                tag = element.tag
                if not isinstance(tag, str):
                    continue
                local = _local(tag)
                schema_name = element.get("schema_name") if local == "express" else None
                if schema_name:
                    self.schema = _schema_name(schema_name)
                    continue
                self._end(element, local)
        except etree.XMLSyntaxError as exc:
            raise InputError(f"{self.path}: not well-formed ifcXML: {exc}") from exc
        if not self.schema:
            raise InputError(f"{self.path}: unknown ifcXML schema (neither IFC4 ifcXML nor IFC2X3 ISO 10303-28)")

    def _detect_schema(self, root: Any) -> None:
        local = _local(root.tag)
        namespace = root.tag[1:].partition("}")[0] if root.tag.startswith("{") else ""
        hints = " ".join([namespace, root.get(f"{{{XSI}}}schemaLocation") or "", root.get("express") or ""])
        if local == "ifcXML":
            self.schema = _schema_from_hint(hints) or ""
            if not self.schema:
                raise InputError(f"{self.path}: unknown ifcXML schema {namespace!r}")
        elif local == "iso_10303_28":
            self.schema = _schema_from_hint(hints) or ""  # refined by <express schema_name=...>
        else:
            raise InputError(f"{self.path}: not an ifcXML file (root element <{local}>)")

    def _entity_type(self, element: Any, local: str) -> str | None:
        """Return the entity type of an element that is an entity instance, else ``None``."""
        xsi_type = element.get(_XSI_TYPE)
        etype = _local(xsi_type.rpartition(":")[2]) if xsi_type else local
        if not etype.startswith("Ifc") or etype.endswith("-wrapper"):
            return None
        if element.get("id") is not None:
            return etype
        if element.get("ref") is not None or element.get("href") is not None:
            return None
        if len(element) or any(k not in _META and not k.endswith("}pos") for k in element.attrib):
            return etype
        return None

    def _end(self, element: Any, local: str) -> None:
        etype = self._entity_type(element, local)
        if etype is None:
            return
        ident = element.get("id")
        if ident is None:
            self._counter += 1
            ident = f"_n{self._counter}"
        if etype in KEEP_TYPES:
            attrs: dict[str, Any] = {}
            for key, value in element.attrib.items():
                if key not in _META and not key.startswith("{"):
                    attrs[key] = value
            for child in element:
                if isinstance(child.tag, str):
                    attrs[_local(child.tag)] = _value(child)
            record = Record(ident, etype, attrs)
            self.records[ident] = record
            self.types.setdefault(etype, []).append(record)
            self._patch_inverses(record)
        parent = element.getparent()
        element.clear()
        element.set("ref", ident)
        if parent is not None and _local(parent.tag) in ("uos", "ifcXML", "iso_10303_28"):
            while element.getprevious() is not None:
                del parent[0]
            parent.remove(element)

    def _patch_inverses(self, record: Record) -> None:
        """Give relations nested under an inverse attribute their forward reference."""
        for name, (forward, is_list) in INVERSES.items():
            value = record.attrs.get(name)
            if value is None:
                continue
            for ref in as_list(value):
                if not isinstance(ref, Ref):
                    continue
                target = self.records.get(ref.id)
                if target is None:
                    continue
                me = Ref(record.id)
                if is_list:
                    current = as_list(target.attrs.get(forward))
                    if me not in current:
                        target.attrs[forward] = current + [me]
                elif target.attrs.get(forward) is None:
                    target.attrs[forward] = me

    # ----------------------------------------------------------------- indexes

    def _index(self) -> None:
        self._definitions: dict[str, list[Record]] = {}
        for rel in self.types.get("IfcRelDefinesByProperties", []):
            definition = self.attr(rel, "RelatingPropertyDefinition")
            for obj in as_list(self.attr(rel, "RelatedObjects")):
                if obj is not None:
                    self._definitions.setdefault(obj.id, []).extend(
                        d for d in as_list(definition) if d is not None)
        self._type_of: dict[str, Record] = {}
        for rel in self.types.get("IfcRelDefinesByType", []):
            rtype = self.attr(rel, "RelatingType")
            for obj in as_list(self.attr(rel, "RelatedObjects")):
                if obj is not None and rtype is not None:
                    self._type_of[obj.id] = rtype

    # ----------------------------------------------------------------- Source protocol

    def by_type(self, entity: str) -> list[Record]:
        return list(self.types.get(entity, []))

    def key(self, node: Record) -> str:
        return node.id

    def entity(self, node: Record) -> str:
        return node.type

    def _resolve(self, value: Any) -> Any:
        if isinstance(value, Ref):
            return self.records.get(value.id)
        if isinstance(value, Typed):
            return clean_value(value.text, value.type) if value.text is not None else None
        if isinstance(value, list):
            return [self._resolve(v) for v in value]
        if value == "":
            return None
        return value

    def attr(self, node: Record | None, name: str) -> Any:
        if node is None:
            return None
        return self._resolve(node.attrs.get(name))

    def psets(self, node: Record) -> dict[str, dict[str, Any]]:
        definitions: list[Record] = []
        rtype = self._type_of.get(node.id)
        if rtype is not None:
            definitions.extend(d for d in as_list(self.attr(rtype, "HasPropertySets")) if d is not None)
        if node.type in TYPE_OBJECT_TYPES:
            definitions.extend(d for d in as_list(self.attr(node, "HasPropertySets")) if d is not None)
        definitions.extend(self._definitions.get(node.id, []))
        return collect_psets(self, definitions)

    def placement(self, node: Record) -> np.ndarray:
        return local_placement(self, self.attr(node, "ObjectPlacement"))

    def _project(self) -> Record | None:
        projects = self.types.get("IfcProject", [])
        return projects[0] if projects else None

    def length_unit(self) -> float:
        return project_unit(self, self._project(), "LENGTHUNIT")

    def angle_unit(self) -> float:
        return project_unit(self, self._project(), "PLANEANGLEUNIT")

    def map_conversion(self) -> MapConversion | None:
        length = self.length_unit()
        if self.schema == "IFC2X3":
            project = self._project()
            if project is None:
                return None
            psets = self.psets(project)
            values = psets.get("ePSet_MapConversion")
            if not values:
                return None
            crs = psets.get("ePSet_ProjectedCRS") or {}
            name = crs.get("Name")
            return normalise_map_conversion(values, name if isinstance(name, str) else None,
                                            length, None, "ePSet_MapConversion")
        conversions = self.types.get("IfcMapConversion", []) + self.types.get("IfcMapConversionScaled", [])
        if not conversions:
            return None
        conversion = conversions[0]
        values = {name: num(self.attr(conversion, name)) for name in (
            "Eastings", "Northings", "OrthogonalHeight", "XAxisAbscissa", "XAxisOrdinate", "Scale")}
        target = self.attr(conversion, "TargetCRS")
        name = text(self.attr(target, "Name")) if target is not None else None
        unit = self.attr(target, "MapUnit") if target is not None else None
        map_unit = named_unit_scale(self, unit) if unit is not None else None
        return normalise_map_conversion(values, name, length, map_unit, "IfcMapConversion")

    def warnings(self) -> list[ReadWarning]:
        return list(self._warnings)


def _schema_name(value: str) -> str:
    upper = value.strip().upper()
    if upper.startswith("IFC4X3"):
        return "IFC4X3"
    if upper.startswith("IFC4"):
        return "IFC4"
    if upper.startswith("IFC2X"):
        return "IFC2X3"
    return upper


def _schema_from_hint(hint: str) -> str | None:
    upper = hint.upper().replace("_", "")
    if "IFC4X3" in upper or "IFC4.3" in upper:
        return "IFC4X3"
    if "IFC4" in upper:
        return "IFC4"
    if "IFC2X3" in upper or "IFC2X2" in upper:
        return "IFC2X3"
    return None


def _value(element: Any) -> Any:
    """Return the value of an attribute element (text, Ref, Typed or a list of these)."""
    ref = element.get("ref") or element.get("href")
    if ref is not None:
        return Ref(ref)
    items = [child for child in element if isinstance(child.tag, str)]
    if not items:
        xsi_type = element.get(_XSI_TYPE)
        if xsi_type and xsi_type.endswith("-wrapper"):
            return Typed(_local(xsi_type.rpartition(":")[2])[:-8], element.text)
        return element.text
    is_list = len(items) > 1 or any(k.endswith("cType") for k in element.attrib)
    values = [_item(child) for child in items]
    return values if is_list else values[0]


def _item(element: Any) -> Any:
    ref = element.get("ref") or element.get("href")
    if ref is not None:
        return Ref(ref)
    local = _local(element.tag)
    if local.endswith("-wrapper"):
        if len(element):
            return [_item(child) for child in element if isinstance(child.tag, str)]
        return Typed(local[:-8], element.text)
    if not len(element):
        return Typed(local, element.text) if local.startswith("Ifc") else element.text
    return _value(element)


def read_xml(path: Path) -> IfcLiteModel:
    """Read an ifcXML file (IFC4 or the IFC2X3 flavour) into an :class:`IfcLiteModel`."""
    return build_model(XmlSource(path))
