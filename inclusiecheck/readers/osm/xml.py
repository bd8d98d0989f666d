"""OSM XML, streamed with lxml (no DTD, no entities, no network)."""


from __future__ import annotations

from pathlib import Path
from typing import Any

from lxml import etree

from inclusiecheck.model import InputError
from inclusiecheck.readers.osm.collect import _Collector
from inclusiecheck.readers.xml_prolog import scan_prolog

PROLOG_LIMIT = 64 * 1024

# --------------------------------------------------------------------------------------------
# OSM XML


def _reject_doctype(path: Path) -> None:
    """Reject a file whose prolog has a DOCTYPE (entities live there), before any parsing."""
    with path.open("rb") as handle:
        raw = handle.read(PROLOG_LIMIT)
    found = scan_prolog(raw.decode("utf-8", "replace").lstrip("\ufeff"))
    if found == "doctype_entities":
        raise InputError(
            f"{path}: OSM XML with a DOCTYPE that declares or loads entities (external "
            "entity or entity-expansion attack?); rejected without expanding it")
    if found == "doctype":
        raise InputError(f"{path}: OSM XML must not have a DOCTYPE; rejected")
    # no root in the prolog window: the parser reports what is wrong


def _read_xml(path: Path, collector: _Collector) -> None:
    """Stream an OSM XML file into ``collector``; a second pass reads the member ways of the
    multipolygon relations kept in the first."""
    _read_xml_pass(path, collector)
    wanted = collector.wanted_ways()
    if wanted:
        collector.wanted = wanted
        try:
            _read_xml_pass(path, collector)
        finally:
            collector.wanted = None


def _read_xml_pass(path: Path, collector: _Collector) -> None:
    """One streaming pass over an OSM XML file."""
    _reject_doctype(path)
    context = etree.iterparse(
        str(path), events=("start", "end"), resolve_entities=False, no_network=True,
        load_dtd=False, dtd_validation=False, huge_tree=False, remove_comments=True,
        remove_pis=True)
    root_seen = False
    depth = 0
    try:
        for event, element in context:
            if event == "start":
                if not root_seen:
                    root_seen = True
                    if element.getroottree().docinfo.doctype:
                        raise InputError(f"{path}: OSM XML must not have a DOCTYPE; rejected")
                    if element.tag != "osm":  # a parsed element's tag is a str (the stubs
                        # also allow the bytes a program may set, hence !s)
                        raise InputError(f"{path}: not OpenStreetMap XML (root element "
                                         f"<{element.tag!s}>, expected <osm>)")
                depth += 1
                continue
            depth -= 1
            if depth != 1:  # only the children of <osm>; their <tag>/<nd> are read with them
                continue
            tag = element.tag
            if tag in ("node", "way", "relation") and element.get("action") != "delete" \
                    and element.get("visible") != "false":
                _xml_element(path, tag, element, collector)
            element.clear(keep_tail=False)
            parent = element.getparent()
            if parent is not None:
                while element.getprevious() is not None:
                    del parent[0]
    except etree.XMLSyntaxError as exc:
        raise InputError(f"{path}: not well-formed XML: {exc}") from None
    if not root_seen:
        raise InputError(f"{path}: empty file; not OpenStreetMap XML")


def _xml_tags(element: Any) -> dict[str, str]:
    return {child.get("k"): child.get("v", "") for child in element.iterchildren("tag")
            if child.get("k")}


def _xml_element(path: Path, tag: str, element: Any, collector: _Collector) -> None:
    if collector.wanted is not None:  # second pass: only the member ways of relations
        if tag == "way":
            try:
                osm_id = int(element.get("id"))
            except (TypeError, ValueError):
                return
            if osm_id in collector.wanted:
                collector.add_member_way(osm_id, _xml_refs(element, None))
        return
    try:
        osm_id = int(element.get("id"))
    except (TypeError, ValueError):
        collector.counts["bad_id"] += 1
        return
    if tag == "node":
        try:
            lon, lat = float(element.get("lon")), float(element.get("lat"))
        except (TypeError, ValueError):
            collector.counts["node_without_location"] += 1
            return
        if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
            collector.counts["node_without_location"] += 1
            return
        collector.add_node(osm_id, lon, lat, _xml_tags(element) if len(element) else {})
    elif tag == "way":
        collector.add_way(osm_id, _xml_refs(element, collector), _xml_tags(element))
    else:
        members = []
        for child in element.iterchildren("member"):
            if child.get("type") != "way":
                continue
            try:
                members.append((int(child.get("ref")), child.get("role") or ""))
            except (TypeError, ValueError):
                continue
        collector.add_relation(osm_id, _xml_tags(element), members)


def _xml_refs(element: Any, collector: _Collector | None) -> list[int]:
    refs = []
    for child in element.iterchildren("nd"):
        try:
            refs.append(int(child.get("ref")))
        except (TypeError, ValueError):
            if collector is not None:
                collector.counts["bad_ref"] += 1
    return refs


