"""What a reader hands to the normaliser: format-free raw features.

Every reader (GIS, IFC, OSM) ends in a :class:`RawPlan`: features with a layer name, a
properties mapping (names and values as found in the file, before mapping profiles), a shapely
geometry in the plan's CRS, and a :class:`SourceRef` that points back into the source file.
Nothing downstream needs to know which format a feature came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shapely.geometry.base import BaseGeometry

from inclusiecheck.model.errors import ReadWarning


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where a feature came from: file, layer, feature id; IFC GlobalId or OSM id if any."""

    file: str
    layer: str | None = None
    fid: str | None = None
    global_id: str | None = None
    osm_id: str | None = None

    def as_dict(self) -> dict[str, str]:
        """The fields that are set, ``file`` first (a finding's ``source_ref``: one per
        finding, so written out rather than looped over)."""
        out = {"file": self.file}
        if self.layer is not None:
            out["layer"] = self.layer
        if self.fid is not None:
            out["fid"] = self.fid
        if self.global_id is not None:
            out["global_id"] = self.global_id
        if self.osm_id is not None:
            out["osm_id"] = self.osm_id
        return out


@dataclass(slots=True)
class RawFeature:
    """One feature as read: layer and property names still in the file's vocabulary."""

    layer: str
    properties: dict[str, Any]
    geometry: BaseGeometry | None
    source: SourceRef


@dataclass(slots=True)
class RawPlan:
    """The result of a reader.

    ``crs`` is the CRS of every geometry (an authority string such as ``"EPSG:31370"`` or WKT);
    readers already bring all layers to one projected metric CRS. ``metadata`` holds plan
    metadata found in the files (``plan.yaml`` beside a GIS plan, IFC project data, ...).
    ``mapping`` names a mapping profile the reader recommends (e.g. ``"ifc"``), or ``None``.
    """

    path: Path
    crs: str
    features: list[RawFeature] = field(default_factory=list)
    warnings: list[ReadWarning] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    mapping: str | None = None
