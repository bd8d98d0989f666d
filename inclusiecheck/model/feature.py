"""Normalised features, plan metadata and the site model every rule sees."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal
from collections.abc import Iterator

import numpy as np
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from shapely import STRtree
from shapely.geometry.base import BaseGeometry
from typing import Annotated

from inclusiecheck.model.errors import ReadWarning
from inclusiecheck.model.raw import SourceRef
from inclusiecheck.model.values import parse_bool, parse_code, parse_text

_Flag = Annotated[bool | None, BeforeValidator(parse_bool)]
_Text = Annotated[str | None, BeforeValidator(parse_text)]


@dataclass(frozen=True, slots=True, eq=False)
class Feature:
    """One feature of the data profile, in the engine's metric CRS.

    ``attrs`` holds the profile attributes that have a value (None-valued ones are absent),
    after defaults; ``extra`` keeps attributes that are not in the profile (reported as a
    warning, still available to custom rules). ``status`` is ``new`` unless the plan says
    ``existing`` (removed features never reach the model).
    """

    layer: str
    id: str
    geometry: BaseGeometry
    attrs: dict[str, Any]
    source: SourceRef
    status: str = "new"
    extra: dict[str, Any] = field(default_factory=dict)

    def get(self, name: str, default: Any = None) -> Any:
        """Return a profile attribute (or an extra one), else ``default``."""
        if name in self.attrs:
            return self.attrs[name]
        return self.extra.get(name, default)

    def has(self, name: str) -> bool:
        return name in self.attrs or name in self.extra

    @property
    def geom_type(self) -> str:
        """Geometry kind without the Multi prefix: Point, LineString or Polygon."""
        kind = self.geometry.geom_type
        return kind[5:] if kind.startswith("Multi") else kind


WorkKind = Literal["new", "renovation", "extension", "outdoor_only"]

#: data sources whose layers are incomplete unless the plan says otherwise: OpenStreetMap
#: (XML, PBF, OSM-tagged exports), OpenSidewalks and GTFS map what someone happened to map
PARTIAL_SOURCES = frozenset({"osm", "osw", "gtfs"})
#: ``complete_layers`` item that stands for every layer present in the plan
PRESENT = "present"


def _layer_list(value: Any) -> Any:
    """``complete_layers``: a list, or a comma-separated text (``light,building``); ``none``
    (or an empty text) is the empty list."""
    if value is None or isinstance(value, list | tuple | set | frozenset):
        return None if value is None else [str(v).strip() for v in value if str(v).strip()]
    text = str(value).strip()
    if text.lower() in ("", "none", "geen"):
        return []
    return [part.strip() for part in text.split(",") if part.strip()]


def _known_layers(value: list[str] | None) -> list[str] | None:
    if value is None:
        return None
    from inclusiecheck.model.profile import LAYER_MODELS

    unknown = [name for name in value if name not in LAYER_MODELS and name != PRESENT]
    if unknown:
        raise ValueError(f"unknown layer(s) {', '.join(unknown)} in complete_layers; use profile "
                         f"layer names (light, building, bench, toilet, ...) or {PRESENT!r}")
    return sorted(set(value))


def _regime_map(value: Any) -> Any:
    """``regimes:``: feature ids as text (a YAML key ``12`` is the feature ``12``), regimes as
    codes (``BV97`` is ``bv97``)."""
    if isinstance(value, dict):
        return {str(k): parse_code(v) if isinstance(v, str) else v for k, v in value.items()}
    return value


class PlanMeta(BaseModel):
    """Plan metadata from ``plan.yaml`` beside the plan and from CLI options (which win)."""

    model_config = ConfigDict(extra="allow")

    project: _Text = None
    dossier: _Text = None
    municipality: _Text = None
    applicant: _Text = None
    designer: _Text = None
    reviewer: _Text = None
    permit_date: dt.date | None = None
    work_kind: Annotated[WorkKind | None, BeforeValidator(parse_code)] = None
    built_up_area: _Flag = None
    public_building: _Flag = None
    building_area_m2: float | None = Field(default=None, ge=0, le=10_000_000,
                                           allow_inf_nan=False)
    crs: _Text = None
    lang: Literal["nl", "en"] | None = None
    #: per-feature regime corrections (``feature_id`` or ``layer:feature_id`` -> regime), so a
    #: reviewer can correct a derived regime without editing the applicant's files
    regimes: Annotated[dict[str, Literal["verordening", "bv97", "public_space"]],
                       BeforeValidator(_regime_map)] = Field(default_factory=dict)
    #: the regime of every outdoor feature that neither its data nor its geometry places
    #: (``verordening`` for a plan that is wholly the grounds of a publicly accessible building)
    regime: Annotated[Literal["verordening", "bv97", "public_space"] | None,
                      BeforeValidator(parse_code)] = None
    #: layers that hold every feature of their kind in the plan area (``present``: every layer
    #: the plan has); ``None``: the defaults of :meth:`SiteModel.layer_complete`
    complete_layers: Annotated[list[str] | None, BeforeValidator(_layer_list),
                               AfterValidator(_known_layers)] = None
    #: where the data comes from, set by the reader: ``osm``, ``osw``, ``gtfs`` (partial
    #: sources) or absent (a design plan)
    data_source: _Text = None
    #: layers that came from a partial source in a plan that mixes it with design layers
    partial_layers: list[str] = Field(default_factory=list)

    def effective_built_up_area(self) -> bool:
        """The data profile's default: inside the built-up area unless the plan says not."""
        return True if self.built_up_area is None else self.built_up_area

    def as_report_dict(self) -> dict[str, Any]:
        data = self.model_dump(mode="json", exclude_none=True)
        data.setdefault("built_up_area", self.effective_built_up_area())
        if self.built_up_area is None:
            data["built_up_area_assumed"] = True
        if not data.get("regimes"):
            data.pop("regimes", None)
        return data


@dataclass(slots=True)
class SiteModel:
    """All features of a plan by layer, in one projected metric CRS, plus metadata.

    Spatial indexes are built lazily, once per layer, and shared by every rule.
    """

    crs: str
    meta: PlanMeta
    layers: dict[str, tuple[Feature, ...]]
    warnings: list[ReadWarning] = field(default_factory=list)
    source_path: str = ""
    _trees: dict[str, STRtree] = field(default_factory=dict, repr=False)
    _by_id: dict[tuple[str, str], Feature] = field(default_factory=dict, repr=False)

    def features(self, layer: str) -> tuple[Feature, ...]:
        return self.layers.get(layer, ())

    def has_layer(self, layer: str) -> bool:
        return bool(self.layers.get(layer))

    def layer_complete(self, layer: str) -> bool:
        """Whether ``layer`` holds every feature of its kind in the plan area, so that its
        absence somewhere proves something (darkness, no seating, no toilet in reach).

        ``complete_layers`` in ``plan.yaml`` (or ``--complete-layers``) decides when given: a
        listed layer is complete even when absent (there are none), ``present`` stands for every
        layer the plan has. Else: a design plan's layers are complete where present; data from
        OpenStreetMap, OpenSidewalks or GTFS (and the layers that came from them in a mixed
        plan) is never complete; an absent layer is never complete.
        """
        listed = self.meta.complete_layers
        if listed is not None:
            return layer in listed or (PRESENT in listed and self.has_layer(layer))
        if (self.meta.data_source or "") in PARTIAL_SOURCES or layer in self.meta.partial_layers:
            return False
        return self.has_layer(layer)

    def completeness(self) -> dict[str, Any]:
        """Which layers were taken as complete, for the report: ``{complete: [...],
        incomplete: [...], declared: bool}`` over the layers the plan has or lists."""
        from inclusiecheck.model.profile import LAYER_MODELS

        listed = [name for name in (self.meta.complete_layers or ()) if name in LAYER_MODELS]
        names = sorted({name for name, feats in self.layers.items() if feats} | set(listed))
        return {
            "complete": [name for name in names if self.layer_complete(name)],
            "incomplete": [name for name in names if not self.layer_complete(name)],
            "declared": self.meta.complete_layers is not None,
            **({"data_source": self.meta.data_source} if self.meta.data_source else {}),
        }

    def __iter__(self) -> Iterator[Feature]:
        for layer in sorted(self.layers):
            yield from self.layers[layer]

    def __len__(self) -> int:
        return sum(len(v) for v in self.layers.values())

    def tree(self, layer: str) -> STRtree:
        """Return the (cached) STRtree over a layer's geometries, in feature order."""
        tree = self._trees.get(layer)
        if tree is None:
            tree = STRtree([f.geometry for f in self.features(layer)])
            self._trees[layer] = tree
        return tree

    def near(self, layer: str, geometry: BaseGeometry, distance_m: float = 0.0) -> list[Feature]:
        """Features of ``layer`` within ``distance_m`` of ``geometry`` (index query, exact test)."""
        feats = self.features(layer)
        if not feats:
            return []
        tree = self.tree(layer)
        # a one-element array, not the scalar: the same query without numpy's per-call
        # expand_dims/broadcast of a scalar geometry (about three times less overhead)
        one = np.empty(1, dtype=object)
        one[0] = geometry
        if distance_m > 0:
            dwithin = getattr(tree, "_tree", None)
            if dwithin is not None and hasattr(dwithin, "dwithin"):
                # what STRtree.query(one, predicate="dwithin", distance=...) calls, without
                # its numpy broadcast_to of the distance to the (already matching) shape:
                # that broadcast was half the cost of a query
                idx = dwithin.dwithin(one, np.full(1, distance_m, dtype="float64"))[1]
            else:
                idx = tree.query(one, predicate="dwithin", distance=distance_m)[1]
        else:
            idx = tree.query(one, predicate="intersects")[1]
        return [feats[i] for i in sorted(idx.tolist())]

    def nearest(self, layer: str, geometry: BaseGeometry) -> tuple[Feature, float] | None:
        """The nearest feature of ``layer`` and its distance, or ``None`` if the layer is empty."""
        feats = self.features(layer)
        if not feats:
            return None
        idx = self.tree(layer).nearest(geometry)
        feature = feats[int(idx)]
        return feature, float(feature.geometry.distance(geometry))

    def by_id(self, layer: str, feature_id: str) -> Feature | None:
        if not self._by_id:
            for lyr, feats in self.layers.items():
                for f in feats:
                    self._by_id[(lyr, f.id)] = f
        return self._by_id.get((layer, feature_id))
