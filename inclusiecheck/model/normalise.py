"""Normalise a :class:`RawPlan` into a :class:`SiteModel` on the data profile.

Unknown layers and attributes become warnings (once per layer or layer+attribute, with a
count), values are parsed leniently and validated by the layer's pydantic model; invalid
values are dropped with a warning, never a crash. A plan with no known layer at all is an
:class:`InputError`. Text from the plan (layer names, property names and values, ids, plan
metadata) loses the characters no report format can hold (:func:`clean_text`), so that every
output renders whatever a reader delivers.

Runs of features of one layer with the same property names (a GeoPackage or Shapefile layer)
are validated column by column where that gives provably what pydantic gives
(:mod:`inclusiecheck.model.columns`); every other feature, and every value in doubt, goes
through the layer's pydantic model one feature at a time. The collector is paused meanwhile
(:mod:`inclusiecheck.model.collector`).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import replace
from typing import Any

import numpy as np
import shapely
from pydantic import ValidationError

from inclusiecheck.model.collector import collector_paused
from inclusiecheck.model.columns import TECHNICAL_NAMES, Prepared, prepare_run, runs
from inclusiecheck.model.errors import InputError, ReadWarning
from inclusiecheck.model.feature import Feature, PlanMeta, SiteModel
from inclusiecheck.model.profile import ATTRIBUTE_DEFAULTS, LAYER_GEOMETRIES, LAYER_MODELS
from inclusiecheck.model.ranges import out_of_range
from inclusiecheck.model.raw import RawFeature, RawPlan, SourceRef
from inclusiecheck.model.values import short_repr

#: property names readers may add that are not attributes
_TECHNICAL = TECHNICAL_NAMES
#: characters no report format can carry as text: C0/C1 controls (but tab, line feed and
#: carriage return), lone surrogates (from ``\ud800`` escapes or undecodable file names) and
#: the XML non-characters U+FFFE/U+FFFF
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


#: deepest nesting of lists and objects kept in a property value; deeper parts are replaced
#: by :data:`TOO_DEEP` (no profile attribute is nested; a 900-deep value would exhaust the stack)
MAX_NESTING = 32
TOO_DEEP = "\ufffd(nested too deeply)"


def clean_text(value: Any, _depth: int = 0) -> Any:
    """Replace characters no output format can hold by U+FFFD, in strings and (nested) lists,
    tuples and dict keys and values; other values are returned unchanged. Lists and objects
    nested more than :data:`MAX_NESTING` levels become :data:`TOO_DEEP`."""
    if isinstance(value, str):
        return _UNPRINTABLE.sub("\ufffd", value)  # the same object when nothing matches
    if isinstance(value, dict):
        if _depth >= MAX_NESTING:
            return TOO_DEEP
        if _flat_and_clean(value):
            return value  # the common case, no copy
        return {clean_text(k, _depth + 1): clean_text(v, _depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        if _depth >= MAX_NESTING:
            return TOO_DEEP
        return type(value)(clean_text(v, _depth + 1) for v in value)
    return value


def nesting_depth(value: Any, limit: int = MAX_NESTING + 1) -> int:
    """How deeply lists and objects nest in ``value`` (0 for a scalar), counted without
    recursion and at most up to ``limit``."""
    deepest = 0
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, (list, tuple)):
            depth += 1
            deepest = max(deepest, depth)
            if depth >= limit:
                return deepest
            stack.extend((child, depth) for child in item if isinstance(child, (dict, list, tuple)))
    return deepest


def _flat_and_clean(mapping: dict[Any, Any], clean_keys: set[str] | None = None) -> bool:
    """Whether ``mapping`` holds only clean keys and flat, clean values (nothing to copy).
    ``clean_keys``: keys already found clean (the property names repeat from feature to
    feature); the keys found clean here are added."""
    search = _UNPRINTABLE.search
    for key, value in mapping.items():
        if type(key) is str and (clean_keys is None or key not in clean_keys):
            if search(key):
                return False
            if clean_keys is not None:
                clean_keys.add(key)
        if type(value) is str:
            # printable ASCII (most values) holds nothing _UNPRINTABLE matches
            if not (value.isascii() and value.isprintable()) and search(value):
                return False
        elif isinstance(value, (dict, list, tuple, str)):
            return False
    return True


_SOURCE_FIELDS = ("file", "layer", "fid", "global_id", "osm_id")


def _clean_source(source: SourceRef) -> SourceRef:
    values = (source.file, source.layer, source.fid, source.global_id, source.osm_id)
    search = _UNPRINTABLE.search
    for v in values:
        if type(v) is str and not (v.isascii() and v.isprintable()) and search(v):
            break
    else:
        return source
    return replace(source, **{k: clean_text(v) for k, v in zip(_SOURCE_FIELDS, values)})


class _Cleaner:
    """:func:`_clean_feature` over a plan's features, remembering what repeats: the cleaned
    layer names and the property names found clean."""

    def __init__(self) -> None:
        self.layers: dict[str, Any] = {}
        self.keys: set[str] = set()

    def feature(self, raw_feature: RawFeature) -> RawFeature:
        name = raw_feature.layer
        layer = self.layers.get(name) if type(name) is str else None
        if layer is None:
            layer = clean_text(name)
            if type(name) is str:
                self.layers[name] = layer
        elif layer == name:
            layer = name   # clean: the feature's own string, as clean_text gives it
        props = raw_feature.properties
        properties = props if isinstance(props, dict) and _flat_and_clean(props, self.keys) \
            else clean_text(props)
        source = _clean_source(raw_feature.source)
        if layer is name and properties is props and source is raw_feature.source:
            return raw_feature
        return RawFeature(layer=layer, properties=properties, geometry=raw_feature.geometry,
                          source=source)


def _clean_feature(raw_feature: RawFeature) -> RawFeature:
    """The feature with clean text (the same object when nothing needs cleaning)."""
    return _Cleaner().feature(raw_feature)


def _clean_warning(warning: ReadWarning) -> ReadWarning:
    return ReadWarning(*(clean_text(getattr(warning, k)) for k in
                         ("code", "message", "file", "layer", "feature_id")))


def build_meta(metadata: dict[str, Any], overrides: dict[str, Any] | None = None) -> PlanMeta:
    """Merge plan metadata from files with CLI/API overrides (which win) and validate it."""
    data = clean_text(dict(metadata or {}))
    for key, value in (overrides or {}).items():
        if value is not None:
            data[key] = clean_text(value)
    try:
        return PlanMeta.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise InputError(f"plan metadata: {where}: {err['msg']}") from None


def normalise(raw: RawPlan, meta_overrides: dict[str, Any] | None = None) -> SiteModel:
    """Turn raw features into validated data-profile features (see module docstring)."""
    with collector_paused():   # every feature made here is kept: nothing for gc to free
        return _normalise(raw, meta_overrides)


def _normalise(raw: RawPlan, meta_overrides: dict[str, Any] | None) -> SiteModel:
    warnings: list[ReadWarning] = [_clean_warning(w) for w in raw.warnings]
    meta = build_meta(raw.metadata, meta_overrides)
    unknown_layers: Counter[str] = Counter()
    unknown_attrs: dict[tuple[str, str], int] = Counter()
    wrong_geom: Counter[tuple[str, str]] = Counter()
    layers: dict[str, list[Feature]] = defaultdict(list)
    seen_ids: dict[str, set[str]] = defaultdict(set)

    too_deep: Counter[tuple[str, str]] = Counter()
    empty, geom_types = _geometry_kinds(raw.features)
    fields_of: dict[str, Any] = {}   # layer -> its model's fields (a pydantic property)
    cleaner = _Cleaner()
    slices = iter(_slices(raw.features))
    prepared: Prepared | None = None
    first = end = 0
    for position, original in enumerate(raw.features):
        if position == end:   # the next slice of a run, validated column by column
            first, end = next(slices)
            prepared = _prepared(raw.features, first, end)
        ready = prepared.attrs[position - first] if prepared is not None else None
        raw_feature = original if ready is not None else cleaner.feature(original)
        if raw_feature is not original:
            for key, value in original.properties.items():
                if isinstance(value, (dict, list, tuple)) and nesting_depth(value) >= MAX_NESTING:
                    too_deep[(raw_feature.layer, clean_text(str(key)))] += 1
        layer = raw_feature.layer
        model = LAYER_MODELS.get(layer)
        if model is None:
            unknown_layers[layer] += 1
            continue
        geometry = raw_feature.geometry
        if geometry is None or empty[position]:
            warnings.append(ReadWarning("geometry_skipped", "feature without geometry skipped",
                                        raw_feature.source.file, layer, raw_feature.source.fid))
            continue
        geom_type = geom_types[position] or ""   # not None: a missing geometry is empty
        base_type = geom_type.removeprefix("Multi")
        if base_type not in LAYER_GEOMETRIES[layer]:
            wrong_geom[(layer, geom_type)] += 1
            continue
        if ready is not None and prepared is not None:   # validated with its run (columns.py)
            attrs = ready
            extra = prepared.extra[position - first] or {}
            for key in prepared.unknown[position - first]:
                unknown_attrs[(layer, key)] += 1
            if position - first in prepared.check_range:
                _drop_implausible(layer, attrs, raw_feature, warnings)
        else:
            fields = fields_of.get(layer)
            if fields is None:
                fields = fields_of[layer] = model.model_fields
            known: dict[str, Any] = {}
            extra = {}
            for key, value in raw_feature.properties.items():
                if key in fields:
                    known[key] = value
                elif key.lower() in _TECHNICAL:
                    continue
                else:
                    if value is not None and value != "":
                        extra[key] = value
                    unknown_attrs[(layer, key)] += 1
            attrs = _validate(model, known, raw_feature, warnings)
            _drop_implausible(layer, attrs, raw_feature, warnings)
        status = attrs.pop("status", None) or "new"
        if status == "removed":
            continue
        fid = attrs.pop("id", None) or raw_feature.source.fid or str(len(layers[layer]) + 1)
        fid = str(fid)
        if fid in seen_ids[layer]:
            new_id = f"{fid}#{len(layers[layer]) + 1}"
            warnings.append(ReadWarning("duplicate_id", f"id {fid!r} is not unique in layer "
                                        f"{layer}; this feature is reported as {new_id!r}",
                                        raw_feature.source.file, layer, fid))
            fid = new_id
        seen_ids[layer].add(fid)
        defaults = ATTRIBUTE_DEFAULTS.get(layer)
        if defaults:
            for key, value in defaults.items():
                attrs.setdefault(key, value)
        layers[layer].append(Feature(layer=layer, id=fid, geometry=geometry, attrs=attrs,
                                     source=raw_feature.source, status=status, extra=extra))

    for layer, count in sorted(unknown_layers.items()):
        warnings.append(ReadWarning("unknown_layer", f"layer {layer!r} is not in the data profile "
                                    f"({count} features not checked); rename it or use a mapping "
                                    "profile (--mapping)", None, layer))
    kept_tags: dict[str, Counter[str]] = defaultdict(Counter)
    for (layer, attr), count in sorted(unknown_attrs.items()):
        if attr.startswith(("osm:", "gtfs:")):  # tags a reader keeps on purpose: one line
            kept_tags[attr][layer] += count
            continue
        warnings.append(ReadWarning("unknown_attribute", f"attribute {attr!r} of layer {layer} is "
                                    f"not in the data profile ({count} features); kept but not used "
                                    "by the built-in rules", None, layer))
    if kept_tags:
        listed = "; ".join(f"{attr} ({sum(by_layer.values())}: "
                           f"{', '.join(sorted(by_layer))})"
                           for attr, by_layer in sorted(kept_tags.items()))
        warnings.append(ReadWarning(
            "source_tags_kept", f"source tags kept beside the profile attributes (shown in the "
            f"report; osm:layer, level, tunnel, covered and bridge place features on their level "
            f"for the sightline rules): {listed}", None, None))
    for (layer, key), count in sorted(too_deep.items()):
        warnings.append(ReadWarning("invalid_value", f"property {key!r} of layer {layer} is "
                                    f"nested more than {MAX_NESTING} levels deep ({count} "
                                    "features); the deeper part is not kept", None, layer))
    for (layer, gtype), count in sorted(wrong_geom.items()):
        allowed = ", ".join(LAYER_GEOMETRIES[layer])
        warnings.append(ReadWarning("wrong_geometry", f"{count} {gtype} features of layer {layer} "
                                    f"skipped: the layer takes {allowed}", None, layer))
    skipped = _skip_reasons(warnings, wrong_geom)
    for layer, reasons in sorted(skipped.items()):
        if layer in LAYER_MODELS and layer not in layers and layers:
            warnings.append(ReadWarning("layer_skipped", f"every feature of layer {layer} was "
                                        f"skipped: {_reason_text(reasons)}", None, layer))
    if not layers and skipped:
        total = sum(sum(r.values()) for r in skipped.values())
        detail = "; ".join(f"{_names([layer])}: {_reason_text(reasons)}"
                           for layer, reasons in sorted(skipped.items()))
        raise InputError(f"{raw.path}: no usable feature: all {total} features were skipped "
                         f"({detail})")
    if not layers:
        found = _names(sorted(unknown_layers)) or "none"
        raise InputError(f"{raw.path}: no known layer (found: {found}); name layers as in the data "
                         "profile (walkway, crossing, stop, ...) or use --mapping nl")
    return SiteModel(crs=raw.crs, meta=meta,
                     layers={k: tuple(v) for k, v in sorted(layers.items())},
                     warnings=aggregate_warnings(warnings),
                     source_path=clean_text(str(raw.path.name)))


def _slices(features: list[RawFeature]) -> list[tuple[int, int]]:
    """``(start, end)`` of the runs of features (:func:`inclusiecheck.model.columns.runs`), a
    long run cut in slices of :data:`_PREPARE_SLICE`: what is validated at once stays small."""
    out: list[tuple[int, int]] = []
    for first, stop in runs(features):
        out.extend((start, min(start + _PREPARE_SLICE, stop))
                   for start in range(first, stop, _PREPARE_SLICE))
    return out


def _prepared(features: list[RawFeature], start: int, end: int) -> Prepared | None:
    """The features ``start:end`` (a slice of a run) validated column by column
    (:mod:`inclusiecheck.model.columns`), indexed from ``start``; ``None`` where the
    per-feature path takes them all (clean, validate, check ranges)."""
    if end - start < 2:
        return None
    out = Prepared.empty(end - start)
    return out if prepare_run(features[start].layer, features[start:end], 0, out) else None


#: features validated together by the column path (a longer run is taken in slices)
_PREPARE_SLICE = 2048


#: GEOS type ids and names of the plain geometry types (others are asked one by one)
_TYPE_NAMES = {0: "Point", 1: "LineString", 2: "LinearRing", 3: "Polygon", 4: "MultiPoint",
               5: "MultiLineString", 6: "MultiPolygon", 7: "GeometryCollection"}


def _geometry_kinds(features: list[RawFeature]) -> tuple[list[bool], list[str | None]]:
    """Per raw feature: whether its geometry is empty and its type name (``geom_type``),
    for all at once (``None`` and ``True`` where a feature has no geometry)."""
    geoms = np.empty(len(features), dtype=object)
    geoms[:] = [f.geometry for f in features]
    missing = shapely.is_missing(geoms)
    empty = shapely.is_empty(geoms) | missing
    ids = shapely.get_type_id(geoms)
    names = [None if gone else _TYPE_NAMES.get(k) or g.geom_type
             for g, k, gone in zip(geoms.tolist(), ids.tolist(), missing.tolist())]
    return empty.tolist(), names


#: more than this many warnings of one kind are shown as one, with a count and examples
AGGREGATE_ABOVE = 3
#: examples kept in an aggregated warning
AGGREGATE_EXAMPLES = 3
_PER_FEATURE = re.compile(r"^(?P<layer>\S+) (?P<fid>.+?): (?P<key>[\w:.-]+)=(?P<value>.*?) "
                          r"ignored: (?P<problem>.*)$", re.DOTALL)


def aggregate_warnings(warnings: list[ReadWarning]) -> list[ReadWarning]:
    """Repeated per-feature warnings as one warning with a count and a few examples.

    ``invalid_value`` warnings of one file, layer and attribute ("walkway w12: width_m='abc'
    ignored: ...") become "width_m ignored on 70 walkway features, e.g. w12 ('abc'), ...";
    other warnings that differ only in their feature id become one with the count. Groups of
    up to :data:`AGGREGATE_ABOVE` stay as they are. Order: where each group first appeared.
    """
    groups: dict[tuple[Any, ...], list[tuple[ReadWarning, Any]]] = {}
    for warning in warnings:
        found = _PER_FEATURE.match(warning.message) if warning.feature_id else None
        if found is not None:
            key: tuple[Any, ...] = ("field", warning.code, warning.file, warning.layer,
                                    found.group("key"))
        elif warning.feature_id:
            key = ("same", warning.code, warning.file, warning.layer,
                   warning.message.replace(str(warning.feature_id), "\0"))
        else:
            key = ("one", id(warning))
        groups.setdefault(key, []).append((warning, found))
    out: list[ReadWarning] = []
    for key, items in groups.items():
        if len(items) <= AGGREGATE_ABOVE:
            out.extend(warning for warning, _ in items)
            continue
        first, match = items[0]
        count = len(items)
        if key[0] == "field" and match is not None:
            examples = ", ".join(f"{m.group('fid')} ({m.group('value')})" for _, m in
                                 items[:AGGREGATE_EXAMPLES] if m is not None)
            message = (f"{match.group('key')} ignored on {count} {first.layer} features, e.g. "
                       f"{examples}: {match.group('problem')}"
                       + (" (and similar)" if len({m.group('problem') for _, m in items
                                                  if m is not None}) > 1 else ""))
        else:
            examples = ", ".join(str(w.feature_id) for w, _ in items[:AGGREGATE_EXAMPLES])
            message = f"{count} times (e.g. {examples}): {first.message}"
        out.append(ReadWarning(first.code, message, first.file, first.layer, first.feature_id))
    return out


def _skip_reasons(warnings: list[ReadWarning], wrong_geom: Counter[tuple[str, str]]
                  ) -> dict[str, Counter[str]]:
    """Skipped features per layer, counted by reason (reader and normaliser warnings)."""
    found: dict[str, Counter[str]] = defaultdict(Counter)
    for warning in warnings:
        if warning.code == "geometry_skipped" and warning.layer and warning.feature_id is not None:
            reason = warning.message.removeprefix("feature skipped: ").split(";")[0]
            found[warning.layer][reason] += 1
    for (layer, gtype), count in wrong_geom.items():
        allowed = ", ".join(LAYER_GEOMETRIES[layer])
        found[layer][f"{gtype} geometry (the layer takes {allowed})"] += count
    return found


def _reason_text(reasons: Counter[str]) -> str:
    return ", ".join(f"{count} {' '.join(reason.split())}"
                     for reason, count in reasons.most_common(5)) + (
        f" and {len(reasons) - 5} more reasons" if len(reasons) > 5 else "")


def _names(names: list[str], limit: int = 10) -> str:
    """Layer names for a one-line message: odd ones (blank, control characters, very long)
    quoted with escapes, at most ``limit`` of them."""
    shown = [name if name and name.isprintable() and name.strip() == name and len(name) <= 60
             else repr(name[:60] + ("…" if len(name) > 60 else "")) for name in names[:limit]]
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(shown) + more


def _drop_implausible(layer: str, attrs: dict[str, Any], raw_feature: RawFeature,
                      warnings: list[ReadWarning]) -> None:
    """Drop numeric values outside their plausible range (:mod:`inclusiecheck.model.ranges`)
    with an ``invalid_value`` warning naming the feature: they count as missing."""
    for key, problem in out_of_range(layer, attrs):
        value = attrs.pop(key)
        fid = str(attrs.get("id") or raw_feature.source.fid)
        warnings.append(ReadWarning(
            "invalid_value", f"{layer} {fid}: {key}={short_repr(value)} ignored: {problem}",
            raw_feature.source.file, layer, fid))


def _validate(model: Any, known: dict[str, Any], raw_feature: Any,
              warnings: list[ReadWarning]) -> dict[str, Any]:
    validate = model.__pydantic_validator__.validate_python   # model_validate, without its
    for _ in range(len(known) + 1):                             # wrapper
        try:
            obj = validate(known)
        except ValidationError as exc:
            for err in exc.errors():
                if not err["loc"]:
                    continue
                key = str(err["loc"][0])
                if key in known:
                    value = known.pop(key)
                    fid = str(known.get("id") or raw_feature.source.fid)
                    reason = str(err["msg"]).removeprefix("Value error, ")
                    warnings.append(ReadWarning(
                        "invalid_value",
                        f"{raw_feature.layer} {fid}: {key}={short_repr(value)} ignored: {reason}",
                        raw_feature.source.file, raw_feature.layer, fid))
            continue
        return {k: v for k, v in obj.__dict__.items() if v is not None}
    return {}
