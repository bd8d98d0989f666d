"""OSM PBF, read with pyosmium (the ``osm`` extra)."""


from __future__ import annotations

from pathlib import Path
from typing import Any

from inclusiecheck.model import InputError
from inclusiecheck.readers.osm.collect import _Collector

PBF_MISSING = "reading .pbf needs the osm extra: pip install 'inclusiecheck[osm]'"

# --------------------------------------------------------------------------------------------
# PBF


def _import_osmium() -> Any:
    try:
        import osmium
    except ImportError:
        raise InputError(PBF_MISSING) from None
    return osmium


def _read_pbf(path: Path, collector: _Collector) -> None:
    """Read a PBF (or any format libosmium knows) into ``collector`` with pyosmium."""
    osmium = _import_osmium()

    class Handler(osmium.SimpleHandler):  # type: ignore[misc, name-defined]
        """Untagged nodes are skipped: libosmium keeps every location for the ways."""

        def node(self, n: Any) -> None:
            collector.counts["node"] += 1
            if not len(n.tags) or not n.visible:
                return
            location = n.location
            if not location.valid():
                collector.counts["node_without_location"] += 1
                return
            collector.add_node(n.id, location.lon, location.lat, {t.k: t.v for t in n.tags},
                               count=False)

        def way(self, w: Any) -> None:
            if not len(w.tags) or not w.visible:
                collector.counts["way"] += 1
                return
            nodes = w.nodes
            if collector.add_way(w.id, [nd.ref for nd in nodes], {t.k: t.v for t in w.tags}):
                for nd in nodes:
                    location = nd.location
                    if location.valid():
                        collector.add_location(nd.ref, location.lon, location.lat)

        def relation(self, r: Any) -> None:
            members = [(m.ref, m.role) for m in r.members if m.type == "w"]
            collector.add_relation(r.id, {t.k: t.v for t in r.tags}, members)

    class Members(osmium.SimpleHandler):  # type: ignore[misc, name-defined]
        """Second pass: the member ways of the multipolygon relations, with their nodes."""

        def __init__(self, wanted: set[int]) -> None:
            super().__init__()
            self.wanted = wanted

        def way(self, w: Any) -> None:
            if w.id not in self.wanted:
                return
            nodes = w.nodes
            collector.add_member_way(w.id, [nd.ref for nd in nodes])
            for nd in nodes:
                location = nd.location
                if location.valid():
                    collector.add_location(nd.ref, location.lon, location.lat)

    with path.open("rb") as handle:
        head = handle.read(16)
    if len(head) < 8:
        raise InputError(f"{path}: empty or truncated file; not an OSM PBF")
    try:
        Handler().apply_file(str(path), locations=True)
        wanted = collector.wanted_ways()
        if wanted:
            Members(wanted).apply_file(str(path), locations=True)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - libosmium errors on untrusted input
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"{path}: cannot read the OSM PBF ({message}); is the file corrupt?") \
            from None


