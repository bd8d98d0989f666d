"""Collecting OSM elements: node locations and the elements the tag mapping classifies."""


from __future__ import annotations

import math
from array import array
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from inclusiecheck.readers.osm.mapping import (
    Classifier,
    ElementKind,
    TagMapping,
    _Rule,
    is_area,
)

# --------------------------------------------------------------------------------------------
# collecting elements


@dataclass(slots=True)
class _Element:
    """A node or way that the tag mapping classifies."""

    kind: ElementKind
    osm_id: int
    tags: dict[str, str]
    rules: list[_Rule]
    lon: float = math.nan
    lat: float = math.nan
    refs: np.ndarray | None = None
    #: a multipolygon relation (kind ``area``): its ``(way id, role)`` members
    members: list[tuple[int, str]] | None = None


@dataclass(slots=True)
class _Collector:
    """Streams nodes, ways and relations in; keeps node coordinates and classified elements."""

    mapping: TagMapping
    node_keys: frozenset[str]
    classifier: Classifier
    ids: array = field(default_factory=lambda: array("q"))
    lons: array = field(default_factory=lambda: array("d"))
    lats: array = field(default_factory=lambda: array("d"))
    node_tags: dict[int, dict[str, str]] = field(default_factory=dict)
    elements: list[_Element] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    relations_skipped: Counter[str] = field(default_factory=Counter)
    relations: list[_Element] = field(default_factory=list)
    member_refs: dict[int, np.ndarray] = field(default_factory=dict)
    #: during the second pass: the ids of the member ways still to read
    wanted: set[int] | None = None

    def add_location(self, osm_id: int, lon: float, lat: float) -> None:
        """Keep a node's location (duplicates are allowed: the index keeps one)."""
        self.ids.append(osm_id)
        self.lons.append(lon)
        self.lats.append(lat)

    def add_node(self, osm_id: int, lon: float, lat: float, tags: dict[str, str], *,
                 count: bool = True) -> None:
        """Keep a node's location; classify it and keep the tags the way rules read."""
        if count:
            self.counts["node"] += 1
        self.add_location(osm_id, lon, lat)
        if not tags:
            return
        if self.node_keys and not self.node_keys.isdisjoint(tags):
            self.node_tags[osm_id] = {k: tags[k] for k in self.node_keys if k in tags}
        rules = self.classifier.classify(tags, "node")
        if rules:
            self.elements.append(_Element("node", osm_id, tags, rules, lon=lon, lat=lat))

    def add_way(self, osm_id: int, refs: list[int], tags: dict[str, str]) -> bool:
        """Classify a way and keep it if it maps to a layer; return whether it does."""
        self.counts["way"] += 1
        if not tags or len(refs) < 2:
            return False
        closed = len(refs) >= 4 and refs[0] == refs[-1]
        kind: ElementKind = "area" if closed and is_area(tags, self.mapping) else "way"
        rules = self.classifier.classify(tags, kind)
        if not rules:
            if tags.get("highway") == "track":
                self.counts["track"] += 1
            return False
        self.elements.append(_Element(kind, osm_id, tags, rules,
                                      refs=np.asarray(refs, dtype=np.int64)))
        return True

    def add_relation(self, osm_id: int, tags: dict[str, str],
                     members: list[tuple[int, str]] | None = None) -> None:
        """Keep a multipolygon relation the tag mapping classifies as an area (its member
        ways are read in a second pass, see :meth:`wanted_ways`)."""
        self.counts["relation"] += 1
        if tags.get("type") != "multipolygon":
            return
        rules = self.classifier.classify({k: v for k, v in tags.items() if k != "type"}, "area")
        if not rules:
            return
        if not members:
            for rule in rules:
                self.relations_skipped[rule.layer] += 1
            return
        self.relations.append(_Element("area", osm_id, tags, rules, members=members))

    def wanted_ways(self) -> set[int]:
        """Ids of the member ways of the kept multipolygon relations."""
        return {ref for relation in self.relations for ref, _ in relation.members or ()}

    def add_member_way(self, osm_id: int, refs: list[int]) -> None:
        """Keep the node references of a member way (second pass)."""
        if len(refs) >= 2:
            self.member_refs[osm_id] = np.asarray(refs, dtype=np.int64)


