"""Readers: one module per input format, each ending in a :class:`~inclusiecheck.model.RawPlan`.

Readers register themselves by file suffix (or for folders) in :data:`READERS` via
:func:`reader`. :func:`read_plan` picks the reader, and applies the mapping profile that the
user names (or the reader recommends) so that the result uses data-profile names.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from collections.abc import Callable

from inclusiecheck.model import InputError, RawPlan
from inclusiecheck.registry import Registry


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """Options every reader receives.

    ``crs``: CRS to assume for files without one (``"EPSG:31370"``); ``origin``: for IFC models
    without georeferencing, ``(easting, northing, rotation_deg)`` of the model origin.
    ``tags``: an OSM tag mapping (``"osm"``, ``"osw"`` or a YAML file in the ``osm-tags``
    format) that the OSM reader and the GIS reader (for OSM-tagged GeoJSON/GeoPackage) use;
    ``cad``: a CAD layer mapping (``"cad-nl"`` or a YAML file in the ``cad-layers`` format)
    for DXF drawings. :func:`read_plan` fills them from ``--mapping``.
    """

    crs: str | None = None
    origin: tuple[float, float, float] | None = None
    ifc_geometry: bool = False
    tags: str | None = None
    cad: str | None = None


class ReaderFunc(Protocol):
    def __call__(self, path: Path, options: ReadOptions) -> RawPlan: ...


@dataclass(frozen=True, slots=True)
class Reader:
    name: str
    suffixes: tuple[str, ...]
    read: ReaderFunc
    folders: bool = False


#: built-in reader modules, imported on first use (in this order: the first reader that
#: takes a suffix or folders wins)
BUILTIN_MODULES = (
    "inclusiecheck.readers.gis",
    "inclusiecheck.readers.ifc",
    "inclusiecheck.readers.osm",
    "inclusiecheck.readers.gtfs",
    "inclusiecheck.readers.dxf",
)
#: the readers by name, filled from :data:`BUILTIN_MODULES` on first use
READERS: Registry[Reader] = Registry("reader", builtins=BUILTIN_MODULES)


def reader(name: str, suffixes: tuple[str, ...], *, folders: bool = False,
           replace: bool = False) -> Callable[[ReaderFunc], ReaderFunc]:
    """Register a reader for file ``suffixes`` (lower case, with dot) and optionally folders."""

    def decorate(func: ReaderFunc) -> ReaderFunc:
        READERS.register(Reader(name, tuple(s.lower() for s in suffixes), func, folders),
                         replace=replace)
        return func

    return decorate


def find_reader(path: Path) -> Reader:
    """Return the reader for ``path`` or raise :class:`InputError`."""
    if path.is_dir():
        if "gtfs" in READERS and any(p.name.lower() == "stops.txt" for p in path.iterdir()):
            return READERS["gtfs"]  # a GTFS feed unpacked in a folder
        for item in READERS.values():
            if item.folders:
                return item
        raise InputError(f"{path}: no reader for folders")
    suffix = path.suffix.lower()
    for item in READERS.values():
        if suffix in item.suffixes:
            return item
    known = sorted({s for r in READERS.values() for s in r.suffixes})
    raise InputError(
        f"{path}: unknown file type {suffix or '(none)'!r}; inclusiecheck reads {', '.join(known)} "
        "and folders of GeoJSON or Shapefiles (or a GTFS feed)")


def special_file(path: Path) -> str | None:
    """What ``path`` is when it is neither a regular file nor a folder (after symlinks): a
    FIFO or a device would block or never end when read."""
    import stat

    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO), not a file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device, not a file"
    if stat.S_ISSOCK(mode):
        return "a socket, not a file"
    return "not a regular file"


#: shipped reader mappings (their own formats, not GIS mapping profiles) -> ReadOptions field
SHIPPED_READER_MAPPINGS = {"osm": "tags", "osw": "tags", "cad-nl": "cad"}
#: ``format:`` of a reader mapping file -> ReadOptions field
_READER_MAPPING_FORMATS = {"osm-tags": "tags", "cad-layers": "cad"}


def reader_mapping_kind(mapping: str | Path) -> str | None:
    """Which reader option a ``--mapping`` value fills: ``"tags"`` (an OSM tag mapping:
    ``osm``, ``osw`` or a file with ``format: osm-tags``), ``"cad"`` (``cad-nl`` or a file with
    ``format: cad-layers``), or ``None`` for a GIS mapping profile."""
    text = str(mapping).strip()
    if text in SHIPPED_READER_MAPPINGS:
        return SHIPPED_READER_MAPPINGS[text]
    candidate = Path(text)
    if not candidate.is_file() or candidate.stat().st_size > 4 * 1024 * 1024:
        return None
    try:
        head = candidate.read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return None
    import re

    found = re.search(r"^format:\s*[\"']?([\w-]+)", head, re.MULTILINE)
    return _READER_MAPPING_FORMATS.get(found.group(1)) if found else None


def read_plan(path: str | Path, options: ReadOptions | None = None,
              mapping: str | Path | None = None) -> RawPlan:
    """Read a plan file or folder into a :class:`RawPlan` in one projected metric CRS.

    ``mapping`` names a shipped mapping profile (``"nl"``, ``"shapefile"``, ...) or a YAML
    file; it is applied after reading, before normalisation. A reader mapping (``osm``,
    ``osw``, ``cad-nl`` or a file in their formats) is handed to the reader instead.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    problem = special_file(path)
    if problem:
        raise InputError(f"{path}: {problem}; give a plan file or folder")
    options = options or ReadOptions()
    if mapping is not None:
        kind = reader_mapping_kind(mapping)
        if kind is not None:
            import dataclasses

            changes: dict[str, Any] = {kind: str(mapping)}
            options = dataclasses.replace(options, **changes)
            mapping = None
    plan = find_reader(path).read(path, options)
    profiles: list[Any] = []
    if plan.mapping:
        profiles.append(plan.mapping)
    if mapping is not None:
        profiles.append(mapping)
    if profiles:
        from inclusiecheck.readers.mapping import apply_mapping, load_mapping

        for profile in profiles:
            plan = apply_mapping(plan, load_mapping(profile))
    return plan


__all__ = ["READERS", "ReadOptions", "Reader", "find_reader", "read_plan", "reader",
           "reader_mapping_kind", "special_file"]
