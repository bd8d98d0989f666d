"""OpenStreetMap data: OSM XML (``.osm``, ``.osm.xml``) and PBF (``.pbf``, ``.osm.pbf``).

OSM describes the *existing* situation around a plan (the chain of accessibility continues
outside it), so every feature gets ``status: existing`` unless the caller (or ``plan.yaml``:
``osm: {status: new}``) says otherwise.

- OSM XML is streamed with :func:`lxml.etree.iterparse` (no DTD, no entity resolution, no
  network; a DOCTYPE is rejected before any parser sees the file); elements are cleared as
  soon as they are read.
- PBF is read with pyosmium (the ``osm`` extra), imported only when a ``.pbf`` is read.
- Node coordinates are kept in compact arrays (ids, lon, lat), looked up for all way node
  references at once with :func:`numpy.searchsorted`; geometries are built vectorised
  (points, lines, polygons for closed areas). Multipolygon relations that map to a layer are
  read as areas: their member ways in a second pass over the file.
- Geometries are reprojected from WGS 84 to the local metric CRS exactly like the GIS reader
  (EPSG:3812 inside Belgium, else the WGS 84 UTM zone).
- Tags are classified into data-profile layers and attributes by the shipped tag mapping
  ``readers/mappings/osm-tags.yaml`` (its own format, documented in the file and in
  ``docs/osm.md``). The reader maps itself: ``RawPlan.mapping`` stays ``None``.

Modules: ``mapping`` (the tag mapping format, tag filters, the classifier), ``values``
(quantities with units, yes/no, handrails, changing tables), ``collect`` (node locations and
classified elements), ``xml`` (OSM XML), ``pbf`` (PBF), ``geometry`` (way nodes, reprojection,
lines and areas), ``attributes`` (profile attributes from tags), ``vector`` (OSM-tagged
GeoJSON and GeoPackage, classified after the GIS reader has read them); this module holds
the entry point :func:`read_osm`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from inclusiecheck.model import InputError, RawFeature, RawPlan, ReadWarning, SourceRef
from inclusiecheck.readers import ReadOptions, reader
from inclusiecheck.readers.gis import crs_name, load_plan_metadata
from inclusiecheck.readers.osm.attributes import _Problems, feature_properties
from inclusiecheck.readers.osm.collect import _Collector
from inclusiecheck.readers.osm.geometry import (
    _build_geometries, _fid, _shape_for, relation_geometries,
)
from inclusiecheck.readers.osm.mapping import (
    Classifier, TagMapping, classify, is_area, load_tag_mapping, parse_tag_mapping, tags_match,
)
from inclusiecheck.readers.osm.pbf import PBF_MISSING, _read_pbf
from inclusiecheck.readers.osm.values import changing_table, handrail_sides, parse_quantity
from inclusiecheck.readers.osm.xml import _read_xml

#: the statuses a caller may give OSM features
STATUSES = ("existing", "new")
#: credit line the ODbL requires wherever OSM data is shown
ATTRIBUTION = "© OpenStreetMap contributors (ODbL)"


# --------------------------------------------------------------------------------------------
# entry point


@reader("osm", (".osm", ".xml", ".pbf"))
def read_osm_file(path: Path, options: ReadOptions) -> RawPlan:
    """Registry entry point: :func:`read_osm` with the options of ``plan.yaml`` (``osm:``)."""
    return read_osm(path, options)


def read_osm(path: str | Path, options: ReadOptions | None = None, *,
             status: str | None = None, tags: str | Path | None = None) -> RawPlan:
    """Read OpenStreetMap data (OSM XML or PBF) into a :class:`RawPlan` on the data profile.

    Parameters
    ----------
    path
        ``.osm`` / ``.osm.xml`` (or another ``.xml`` whose root is ``<osm>``) or
        ``.pbf`` / ``.osm.pbf``.
    options
        Reader options; ``options.crs`` is not used (OSM is always WGS 84).
    status
        ``existing`` (default: OSM describes the existing situation) or ``new``; else
        ``osm: {status: ...}`` in ``plan.yaml`` beside the file.
    tags
        A custom OSM tag mapping file; else ``osm: {tags: ...}`` in ``plan.yaml`` (relative
        to it), else the shipped ``osm-tags.yaml``.

    Returns
    -------
    RawPlan
        Features in data-profile layers and attributes (``mapping`` is ``None``), in
        EPSG:3812 inside Belgium, else the WGS 84 UTM zone of the data.

    Raises
    ------
    InputError
        Missing, corrupt or unsafe input (a DOCTYPE), no pyosmium for a PBF, an invalid tag
        mapping, or no feature that the tag mapping recognises.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    metadata = load_plan_metadata(path)
    osm_meta = metadata.pop("osm", None) or {}
    if not isinstance(osm_meta, dict):
        raise InputError(f"{path}: 'osm' in plan.yaml must be a mapping such as "
                         "{status: existing, tags: my-tags.yaml}")
    status = str(status or osm_meta.get("status") or "existing").strip().lower()
    if status not in STATUSES:
        raise InputError(f"{path}: OSM status {status!r} unknown; use existing or new")
    if tags is None and options is not None and options.tags is not None:
        tags = options.tags  # --mapping osm | osw | a tag mapping file
    if tags is None and osm_meta.get("tags"):
        tags = path.parent / str(osm_meta["tags"])
    from inclusiecheck.readers.osm.vector import load_named_tag_mapping

    mapping = load_named_tag_mapping(tags)
    metadata.setdefault("data_attribution", ATTRIBUTION)
    metadata.setdefault("data_source", "osw" if str(tags) == "osw" else "osm")

    collector = _Collector(mapping=mapping, node_keys=mapping.node_tag_keys(),
                           classifier=Classifier(mapping))
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".pbf":
        _read_pbf(path, collector)
    else:
        _read_xml(path, collector)
    file = path.name
    warnings: list[ReadWarning] = []
    if collector.counts["node_without_location"]:
        warnings.append(ReadWarning(
            "osm_node_skipped", f"{collector.counts['node_without_location']} nodes without a "
            "valid location skipped", file=file))
    if collector.counts["bad_id"]:
        warnings.append(ReadWarning(
            "osm_element_skipped", f"{collector.counts['bad_id']} elements without a numeric "
            "id skipped (OpenStreetMap ids are whole numbers); check the export", file=file))
    if collector.counts["bad_ref"]:
        warnings.append(ReadWarning(
            "osm_element_skipped", f"{collector.counts['bad_ref']} way node references that are "
            "not numeric ids ignored; the ways concerned may be incomplete", file=file))
    if collector.relations_skipped:
        listed = ", ".join(f"{count} {layer}" for layer, count in
                           sorted(collector.relations_skipped.items()))
        warnings.append(ReadWarning(
            "osm_relations_skipped", f"multipolygon relations are not read ({listed}); draw "
            "them as closed ways or check them by hand", file=file))
    if collector.counts["track"]:
        warnings.append(ReadWarning(
            "osm_track_skipped", f"{collector.counts['track']} highway=track ways not read "
            "(agricultural and forest tracks); those open to walkers with foot=yes or "
            "foot=designated are read as footpaths", file=file))
    if not collector.elements and not collector.relations:
        raise InputError(
            f"{path}: no OpenStreetMap feature the tag mapping recognises "
            f"({collector.counts['node']} nodes, {collector.counts['way']} ways read); "
            "see docs/osm.md for the tags read")
    pairs: list[tuple[Any, Any]] = []
    crs = None
    if collector.elements:
        geometries = _build_geometries(collector, warnings, file)
        pairs.extend(zip(collector.elements, geometries.base))
        crs = geometries.crs
    relations, crs = relation_geometries(collector, crs, warnings, file)
    pairs.extend(relations)
    if crs is None:
        raise InputError(f"{path}: no OpenStreetMap feature with a usable geometry "
                         f"({len(collector.relations)} multipolygon relations incomplete)")
    problems = _Problems()
    features: list[RawFeature] = []
    for element, geom in pairs:
        if geom is None:
            continue
        nodes: list[dict[str, str]] | tuple[()] = ()
        if element.refs is not None and collector.node_tags:
            nodes = [collector.node_tags[ref] for ref in element.refs.tolist()
                     if ref in collector.node_tags]
        kind = "node" if element.kind == "node" else \
            "relation" if element.members is not None else "way"
        source = SourceRef(file=file, layer=kind, fid=_fid(element),
                           osm_id=f"{kind}/{element.osm_id}")
        for rule in element.rules:
            features.append(RawFeature(
                layer=rule.layer,
                properties=feature_properties(rule, element, mapping, geometry=geom,
                                              nodes=nodes, status=status, problems=problems),
                geometry=_shape_for(rule, element, geom),
                source=source,
            ))
    warnings.extend(problems.warnings(file))
    return RawPlan(path=path, crs=crs_name(crs), features=features,
                   warnings=warnings, metadata=metadata, mapping=None)


__all__ = [
    "ATTRIBUTION", "Classifier", "PBF_MISSING", "TagMapping", "changing_table", "classify",
    "feature_properties", "handrail_sides", "is_area", "load_tag_mapping", "parse_quantity",
    "parse_tag_mapping", "read_osm", "tags_match",
]
