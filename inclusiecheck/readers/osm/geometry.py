"""Geometry assembly: way nodes resolved at once, reprojection, lines, areas."""


from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from inclusiecheck.model import ReadWarning
from inclusiecheck.readers.gis import crs_name, local_metric_crs, repair_geometry
from inclusiecheck.readers.osm.collect import _Collector, _Element
from inclusiecheck.readers.osm.mapping import _Rule

# --------------------------------------------------------------------------------------------
# geometry


@dataclass(slots=True)
class _Geometries:
    """Metric geometries of the classified elements (index-aligned with the elements)."""

    base: list[BaseGeometry | None]
    crs: pyproj.CRS


def _node_index(collector: _Collector) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Node ids sorted, with lon/lat in the same order (the last of duplicate ids wins)."""
    ids = np.frombuffer(collector.ids, dtype=np.int64)
    lons = np.frombuffer(collector.lons, dtype=np.float64)
    lats = np.frombuffer(collector.lats, dtype=np.float64)
    order = np.argsort(ids, kind="stable")
    ids, lons, lats = ids[order], lons[order], lats[order]
    if len(ids) > 1:
        keep = np.ones(len(ids), dtype=bool)
        keep[:-1] = ids[1:] != ids[:-1]
        ids, lons, lats = ids[keep], lons[keep], lats[keep]
    return ids, lons, lats


def _build_geometries(collector: _Collector, warnings: list[ReadWarning],
                      file: str) -> _Geometries:
    """Resolve way nodes, pick the local metric CRS, reproject, build shapely geometries."""
    ids, lons, lats = _node_index(collector)
    elements = collector.elements
    kinds = np.array([element.kind for element in elements])
    node_at = np.flatnonzero(kinds == "node")
    way_at = np.flatnonzero(kinds != "node")
    # every way node reference at once: one sorted lookup in the node index
    lengths = np.array([len(elements[i].refs) for i in way_at], dtype=np.int64)  # type: ignore[arg-type]
    refs = np.concatenate([elements[i].refs for i in way_at]) if len(way_at) else \
        np.zeros(0, dtype=np.int64)
    ref_owner = np.repeat(way_at, lengths)
    pos = np.searchsorted(ids, refs)
    pos = np.minimum(pos, max(len(ids) - 1, 0))
    found = (ids[pos] == refs) if len(ids) else np.zeros(len(refs), dtype=bool)
    incomplete = np.unique(ref_owner[~found])
    if len(incomplete):
        warnings.append(ReadWarning(
            "osm_missing_nodes", f"{len(incomplete)} ways refer to nodes that are not in the "
            "file (cut off by the extract): lines are drawn from the stretches present, areas "
            "are left out", file=file))
    all_lon = np.concatenate([[elements[i].lon for i in node_at], lons[pos[found]]])
    all_lat = np.concatenate([[elements[i].lat for i in node_at], lats[pos[found]]])
    owner = np.concatenate([node_at, ref_owner[found]]).astype(np.int64)
    order = np.argsort(owner, kind="stable")  # element order; way nodes keep their order
    all_lon, all_lat, owner = all_lon[order], all_lat[order], owner[order]
    bounds = (float(all_lon.min()), float(all_lat.min()), float(all_lon.max()),
              float(all_lat.max()))
    target = local_metric_crs(bounds)
    transformer = pyproj.Transformer.from_crs("EPSG:4326", target, always_xy=True)
    xs, ys = transformer.transform(all_lon, all_lat)
    coords = np.column_stack([np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)])
    warnings.append(ReadWarning(
        "crs_reprojected", f"OpenStreetMap data reprojected from WGS 84 to {crs_name(target)}",
        file=file))
    counts = np.bincount(owner, minlength=len(elements))
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    base: list[BaseGeometry | None] = [None] * len(elements)

    if len(node_at):
        for index, geom in zip(node_at, shapely.points(coords[starts[node_at]])):
            base[index] = geom
    complete = np.ones(len(elements), dtype=bool)
    complete[incomplete] = False
    lines = np.flatnonzero((kinds == "way") & (counts >= 2) & complete)
    if len(lines):
        take = np.isin(owner, lines)
        built = shapely.linestrings(coords[take], indices=np.searchsorted(lines, owner[take]))
        for index, geom in zip(lines, built):
            base[index] = geom
    offsets = dict(zip(way_at.tolist(), (np.cumsum(lengths) - lengths).tolist()))
    for index in incomplete.tolist():
        if kinds[index] != "way":
            continue
        present = found[offsets[index]:offsets[index] + len(elements[index].refs)]  # type: ignore[arg-type]
        block = coords[starts[index]:starts[index] + counts[index]]
        base[index] = _present_stretches(block, present)
    areas = np.flatnonzero((kinds == "area") & (counts >= 4) & complete)
    if len(areas):
        take = np.isin(owner, areas)
        ring_coords = coords[take]
        ring_index = np.searchsorted(areas, owner[take])
        # ways cut by an extract may no longer close; close them again
        first = ring_coords[np.concatenate([[0], np.cumsum(counts[areas])[:-1]])]
        last = ring_coords[np.cumsum(counts[areas]) - 1]
        open_rings = np.any(first != last, axis=1)
        if open_rings.any():
            ring_coords = np.concatenate([ring_coords, first[open_rings]])
            ring_index = np.concatenate([ring_index, np.flatnonzero(open_rings)])
            order = np.argsort(ring_index, kind="stable")
            ring_coords, ring_index = ring_coords[order], ring_index[order]
        built = shapely.polygons(shapely.linearrings(ring_coords, indices=ring_index))
        valid = shapely.is_valid(built)
        for position, (index, geom) in enumerate(zip(areas, built)):
            if not valid[position]:
                fixed = repair_geometry(geom)
                fid = _fid(elements[index])
                if fixed is None:
                    warnings.append(ReadWarning(
                        "geometry_skipped", "area skipped: invalid polygon that cannot be "
                        "repaired", file=file, layer="way", feature_id=fid))
                    continue
                warnings.append(ReadWarning(
                    "geometry_repaired", f"invalid polygon repaired "
                    f"({shapely.is_valid_reason(geom)})", file=file, layer="way",
                    feature_id=fid))
                base[index] = fixed
            else:
                base[index] = geom
    skipped = sum(1 for geom in base if geom is None)
    if skipped:
        warnings.append(ReadWarning(
            "geometry_skipped", f"{skipped} ways skipped: too few of their nodes are in the file "
            "for a line, or an area lacks some", file=file))
    return _Geometries(base=base, crs=target)


def _present_stretches(block: np.ndarray, present: np.ndarray) -> BaseGeometry | None:
    """A line of a way with missing nodes: its stretches of two or more present nodes.

    ``block`` holds the coordinates of the present nodes in order; ``present`` flags each
    node reference of the way. Returns a LineString, a MultiLineString, or ``None``.
    """
    run_id = np.cumsum(~present)[present]  # present nodes between the same gaps share an id
    stretches = [block[run_id == value] for value in np.unique(run_id)]
    stretches = [item for item in stretches if len(item) >= 2]
    if not stretches:
        return None
    if len(stretches) == 1:
        return shapely.linestrings(stretches[0])
    return shapely.multilinestrings([shapely.linestrings(item) for item in stretches])


def _shape_for(rule: _Rule, element: _Element, geom: BaseGeometry) -> BaseGeometry:
    """The geometry a rule gives an element (a way's middle point, an area's outline, ...)."""
    if element.kind == "node":
        return geom
    wanted = rule.as_.get(element.kind)  # type: ignore[call-overload]
    if wanted == "nodes":
        # a row of posts (barrier=bollard drawn as a way): a post at every node, gaps between
        coords = shapely.get_coordinates(geom if element.kind == "way" else shapely.boundary(geom))
        unique = np.unique(coords, axis=0)
        return shapely.multipoints(unique) if len(unique) > 1 else shapely.points(unique[0])
    if wanted == "point":
        if element.kind == "way":
            return shapely.line_interpolate_point(geom, 0.5, normalized=True)
        return shapely.point_on_surface(geom)
    if wanted == "line" and element.kind == "area":
        return shapely.boundary(geom) if geom.geom_type == "Polygon" else \
            shapely.multilinestrings([p.exterior for p in geom.geoms])
    return geom


def _fid(element: _Element) -> str:
    if element.members is not None:
        return f"r{element.osm_id}"
    return ("n" if element.kind == "node" else "w") + str(element.osm_id)


def relation_geometries(collector: _Collector, crs: pyproj.CRS | None,
                        warnings: list[ReadWarning], file: str
                        ) -> tuple[list[tuple[_Element, BaseGeometry]], pyproj.CRS | None]:
    """Polygons of the kept multipolygon relations, in ``crs`` (else the local metric CRS of
    the relations themselves, for a file with nothing else).

    Outer members (role ``outer`` or empty) are joined into rings (:func:`shapely.polygonize`
    over their lines), inner rings are cut out. A relation with a member way or node missing
    from the file (cut by the extract), or whose members close no ring, is left out and counted.
    """
    if not collector.relations:
        return [], crs
    ids, lons, lats = _node_index(collector)
    built: list[tuple[_Element, BaseGeometry]] = []
    incomplete = 0
    for relation in collector.relations:
        outer: list[BaseGeometry] = []
        inner: list[BaseGeometry] = []
        missing = False
        for ref, role in relation.members or ():
            refs = collector.member_refs.get(ref)
            if refs is None:
                missing = True
                break
            pos = np.minimum(np.searchsorted(ids, refs), max(len(ids) - 1, 0))
            if not len(ids) or not np.all(ids[pos] == refs):
                missing = True
                break
            line = shapely.linestrings(np.column_stack([lons[pos], lats[pos]]))
            (inner if role == "inner" else outer).append(line)
        if missing or not outer:
            incomplete += 1
            continue
        outer_poly = shapely.union_all(shapely.get_parts(shapely.polygonize(outer)))
        if outer_poly.is_empty:
            incomplete += 1
            continue
        if inner:
            holes = shapely.union_all(shapely.get_parts(shapely.polygonize(inner)))
            if not holes.is_empty:
                outer_poly = outer_poly.difference(holes)
        if not outer_poly.is_valid:
            outer_poly = repair_geometry(outer_poly)
            if outer_poly is None:
                incomplete += 1
                continue
        built.append((relation, outer_poly))
    if incomplete:
        warnings.append(ReadWarning(
            "osm_relations_incomplete", f"{incomplete} multipolygon relations left out: a member "
            "way or node is not in the file (cut by the extract) or the members close no ring",
            file=file))
    if not built:
        return [], crs
    if crs is None:
        crs = local_metric_crs(tuple(float(v) for v in shapely.total_bounds(
            [geom for _, geom in built])))  # type: ignore[arg-type]
    transformer = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)

    def project(coords: np.ndarray) -> np.ndarray:
        xs, ys = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([xs, ys])

    return [(relation, shapely.transform(geom, project)) for relation, geom in built], crs


