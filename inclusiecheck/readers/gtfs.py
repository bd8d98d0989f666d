"""GTFS feeds (a folder or a ``.zip`` with ``stops.txt``) as the ``stop`` layer.

A municipality can put its public-transport operator's own accessibility declaration beside
the plan: every stop or platform (``location_type`` 0 or empty) and boarding area
(``location_type`` 4) of ``stops.txt`` becomes a ``stop`` point with

- ``operator_accessible`` from ``wheelchair_boarding``: ``1`` -> ``yes`` (some vehicles at the
  stop can be boarded in a wheelchair), ``2`` -> ``no``; ``0`` or empty inherits the value of
  the parent station (a boarding area first from its platform); none -> absent (unknown);
- ``mode`` from the routes serving the stop (``routes.txt`` ``route_type`` 0/900-906 -> tram,
  3/700-716 -> bus, through ``trips.txt`` and ``stop_times.txt``, streamed), when the feed has
  them;
- ``name`` from ``stop_name``, the GTFS ``stop_id`` as the feature id, ``status: existing``.

Read with the standard library's :mod:`csv` and :mod:`zipfile` only (no pandas, no GDAL);
stations (1), entrances (2) and generic nodes (3) are not stops. The data is partial by
nature (``data_source: gtfs``): no layer is taken as complete (see ``complete_layers``).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections import Counter
from pathlib import Path
from typing import IO, Any
from collections.abc import Iterator

import pyproj
import shapely

from inclusiecheck.model import InputError, RawFeature, RawPlan, ReadWarning, SourceRef
from inclusiecheck.readers import ReadOptions, reader
from inclusiecheck.readers.gis import crs_name, load_plan_metadata, local_metric_crs

#: largest stops.txt read (a national feed has about 100 000 stops: a few MB)
MAX_STOPS_BYTES = 256 * 1024 * 1024
#: largest stop_times.txt streamed to find the modes (else the modes stay unknown)
MAX_STOP_TIMES_BYTES = 2 * 1024 * 1024 * 1024
#: GTFS route_type -> profile ``mode`` (basic and extended types)
ROUTE_MODES = {0: "tram", 3: "bus", 11: "bus", **{t: "tram" for t in range(900, 907)},
               **{t: "bus" for t in range(700, 717)}, 800: "bus"}
WHEELCHAIR = {"1": "yes", "2": "no"}


class _Feed:
    """The files of a GTFS feed in a folder or a zip archive."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.zip: zipfile.ZipFile | None = None
        self.names: dict[str, str] = {}
        if path.is_dir():
            self.names = {p.name.lower(): p.name for p in path.iterdir() if p.is_file()}
        else:
            try:
                self.zip = zipfile.ZipFile(path)
            except (zipfile.BadZipFile, OSError) as exc:
                raise InputError(f"{path}: not a readable zip archive ({exc})") from None
            for info in self.zip.infolist():
                name = info.filename.rsplit("/", 1)[-1]
                if name and not info.is_dir():
                    self.names.setdefault(name.lower(), info.filename)

    def has(self, name: str) -> bool:
        return name in self.names

    def size(self, name: str) -> int:
        if self.zip is not None:
            return self.zip.getinfo(self.names[name]).file_size
        return (self.path / self.names[name]).stat().st_size

    def rows(self, name: str) -> Iterator[dict[str, str]]:
        """The rows of one file (header names trimmed, values stripped)."""
        handle: IO[bytes]
        if self.zip is not None:
            handle = self.zip.open(self.names[name])
        else:
            handle = (self.path / self.names[name]).open("rb")
        with handle, io.TextIOWrapper(handle, encoding="utf-8-sig", errors="replace",
                                      newline="") as text:
            reader_ = csv.DictReader(text)
            if reader_.fieldnames is None:
                return
            reader_.fieldnames = [f.strip() for f in reader_.fieldnames]
            for row in reader_:
                yield {k: (v or "").strip() for k, v in row.items() if k is not None}

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()


def is_gtfs_folder(path: Path) -> bool:
    """Whether a folder is a GTFS feed (it holds ``stops.txt``)."""
    return path.is_dir() and any(p.name.lower() == "stops.txt" for p in path.iterdir())


def _modes(feed: _Feed, warnings: list[ReadWarning], file: str) -> dict[str, str]:
    """stop_id -> mode from the routes that serve it (tram wins over bus)."""
    if not all(feed.has(n) for n in ("routes.txt", "trips.txt", "stop_times.txt")):
        return {}
    if feed.size("stop_times.txt") > MAX_STOP_TIMES_BYTES:
        warnings.append(ReadWarning("gtfs_modes_skipped", "stop_times.txt is larger than "
                                    f"{MAX_STOP_TIMES_BYTES // 1024 ** 3} GB: the modes of the "
                                    "stops were not read", file=file))
        return {}
    route_mode: dict[str, str] = {}
    for row in feed.rows("routes.txt"):
        try:
            mode = ROUTE_MODES.get(int(row.get("route_type", "")))
        except ValueError:
            continue
        if mode:
            route_mode[row.get("route_id", "")] = mode
    trip_mode = {row.get("trip_id", ""): route_mode[row.get("route_id", "")]
                 for row in feed.rows("trips.txt") if row.get("route_id", "") in route_mode}
    modes: dict[str, str] = {}
    for row in feed.rows("stop_times.txt"):
        mode = trip_mode.get(row.get("trip_id", ""))
        if mode is not None:
            stop = row.get("stop_id", "")
            if modes.get(stop) != "tram":
                modes[stop] = mode
    return modes


def _attribution(feed: _Feed) -> str:
    names: list[str] = []
    if feed.has("feed_info.txt"):
        for row in feed.rows("feed_info.txt"):
            if row.get("feed_publisher_name"):
                names.append(row["feed_publisher_name"])
    if not names and feed.has("agency.txt"):
        names = sorted({row["agency_name"] for row in feed.rows("agency.txt")
                        if row.get("agency_name")})
    return "GTFS: " + (", ".join(names[:5]) if names else "public-transport operator")


def _inherited(stop_id: str, by_id: dict[str, dict[str, str]]) -> str | None:
    """The stop's own wheelchair_boarding (1/2), else its parents' (up to three levels)."""
    seen = 0
    current: dict[str, str] | None = by_id.get(stop_id)
    while current is not None and seen < 4:
        value = WHEELCHAIR.get(current.get("wheelchair_boarding", ""))
        if value is not None:
            return value
        current = by_id.get(current.get("parent_station", ""))
        seen += 1
    return None


@reader("gtfs", (".zip",))
def read_gtfs(path: Path, options: ReadOptions) -> RawPlan:
    """Read a GTFS feed (folder or zip) into a :class:`RawPlan` with one ``stop`` layer.

    Raises
    ------
    InputError
        Not a zip, no ``stops.txt``, a stops file too large, or no stop with a valid location.
    """
    path = Path(path)
    feed = _Feed(path)
    try:
        return _read(path, feed)
    finally:
        feed.close()


def _read(path: Path, feed: _Feed) -> RawPlan:
    file = path.name
    if not feed.has("stops.txt"):
        raise InputError(f"{path}: no stops.txt; not a GTFS feed (inclusiecheck reads zip "
                         "archives only as GTFS feeds)")
    if feed.size("stops.txt") > MAX_STOPS_BYTES:
        raise InputError(f"{path}: stops.txt larger than {MAX_STOPS_BYTES // 1024 ** 2} MB")
    warnings: list[ReadWarning] = []
    rows = list(feed.rows("stops.txt"))
    by_id = {row.get("stop_id", ""): row for row in rows}
    modes = _modes(feed, warnings, file)
    skipped: Counter[str] = Counter()
    kept: list[tuple[dict[str, str], float, float]] = []
    for row in rows:
        kind = row.get("location_type", "") or "0"
        if kind not in ("0", "4"):
            skipped["not a stop"] += 1
            continue
        try:
            lat, lon = float(row.get("stop_lat", "")), float(row.get("stop_lon", ""))
        except ValueError:
            lat = lon = float("nan")
        if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
            if kind == "4" and row.get("parent_station") in by_id:
                parent = by_id[row["parent_station"]]  # a boarding area may lack a location
                try:
                    lat, lon = float(parent["stop_lat"]), float(parent["stop_lon"])
                except (KeyError, ValueError):
                    skipped["no location"] += 1
                    continue
            else:
                skipped["no location"] += 1
                continue
        kept.append((row, lon, lat))
    if skipped["no location"]:
        warnings.append(ReadWarning("gtfs_stop_skipped", f"{skipped['no location']} stops "
                                    "without a valid stop_lat/stop_lon skipped", file=file))
    if not kept:
        raise InputError(f"{path}: no stop or platform with a location in stops.txt "
                         f"({len(rows)} rows)")
    lons = [lon for _, lon, _ in kept]
    lats = [lat for _, _, lat in kept]
    target = local_metric_crs((min(lons), min(lats), max(lons), max(lats)))
    xs, ys = pyproj.Transformer.from_crs("EPSG:4326", target, always_xy=True).transform(lons,
                                                                                     lats)
    points = shapely.points(list(zip(xs, ys)))
    features: list[RawFeature] = []
    declared: Counter[str] = Counter()
    for (row, _, _), point in zip(kept, points):
        stop_id = row.get("stop_id", "")
        properties: dict[str, Any] = {"id": stop_id, "status": "existing"}
        if row.get("stop_name"):
            properties["name"] = row["stop_name"]
        access = _inherited(stop_id, by_id)
        if access is not None:
            properties["operator_accessible"] = access
        declared[access or "unknown"] += 1
        if stop_id in modes:
            properties["mode"] = modes[stop_id]
        if row.get("stop_code"):
            properties["gtfs:stop_code"] = row["stop_code"]
        features.append(RawFeature(layer="stop", properties=properties, geometry=point,
                                   source=SourceRef(file=file, layer="stops", fid=stop_id)))
    warnings.append(ReadWarning(
        "gtfs_read", f"{len(features)} GTFS stops read; operator's wheelchair_boarding: "
        f"{declared['yes']} accessible, {declared['no']} not accessible, "
        f"{declared['unknown']} unknown", file=file))
    metadata = load_plan_metadata(path)
    metadata.setdefault("data_source", "gtfs")
    metadata.setdefault("data_attribution", _attribution(feed))
    return RawPlan(path=path, crs=crs_name(target), features=features, warnings=warnings,
                   metadata=metadata, mapping=None)


__all__ = ["ROUTE_MODES", "is_gtfs_folder", "read_gtfs"]
