"""The normaliser's column path: a run of features of one layer that share their property
names, validated a column (one attribute of every feature) at a time.

A reader of a GeoPackage or a Shapefile hands over features with the same property names in
the same order, layer after layer. For such a run, :func:`prepare_run` does what the
normaliser's per-feature steps (text cleaning, the pydantic validation of the layer model,
the plausible-range check) would do, but per column, and only where the result is provably
the same:

- text cleaning: the layer name, the property names and every text value and source field of
  the run hold no character :func:`~inclusiecheck.model.normalise.clean_text` replaces (then
  the cleaner would hand every feature back unchanged); any nested value, or any character
  to clean, and the whole run takes the per-feature path;
- validation: a value that already has the type its parser returns is parsed as pydantic
  would (the field's own ``BeforeValidator`` semantics, then the core type check, which
  passes such a value through): ``None`` stays ``None``; a finite float (or an int that fits
  a float) in a number field; an int in an integer field (through ``parse_int``); a bool (or
  the int 0 or 1) in a boolean field; stripped text in a text field; a code that parses into
  the field's codes. Anything else (a string in a number field, an unknown code, NaN) sends
  the feature to the per-feature path, where pydantic validates it and says what is wrong;
- a feature with a number outside its plausible range is marked, so that the normaliser runs
  its range check (and warning) on it.

Nothing here raises or warns: every doubt is a per-feature fallback. The attributes of a
feature are those pydantic's model would give (model field order, ``None`` left out).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache
from operator import attrgetter
from typing import Any, get_args

from inclusiecheck.model.profile import LAYER_MODELS
from inclusiecheck.model.ranges import Range, layer_ranges
from inclusiecheck.model.raw import RawFeature
from inclusiecheck.model.values import (
    parse_access,
    parse_bool,
    parse_code,
    parse_int,
    parse_number,
    parse_text,
)

#: a value the column path leaves to pydantic (the feature takes the per-feature path)
FALLBACK: Any = object()
#: the characters :func:`inclusiecheck.model.normalise.clean_text` replaces (the same set)
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
#: property names readers may add that are not attributes (never an unknown attribute)
TECHNICAL_NAMES = frozenset({"layer", "fid", "ogc_fid", "objectid", "fid_", "globalid"})
_NONE = type(None)
_FID = attrgetter("fid")
_OTHER_SOURCE_FIELDS = attrgetter("file", "layer", "global_id", "osm_id")
_SCALARS = frozenset({_NONE, bool, int, float, str})


@dataclass(slots=True)
class Prepared:
    """A plan's features validated by the column path, by position in the plan (parallel
    lists, no object per feature): ``attrs[i]`` the attributes as the layer model gives them
    (``None`` left out, model field order), or ``None`` where the per-feature path must take
    feature ``i``; ``extra[i]`` its unknown attributes that have a value; ``unknown[i]`` its
    run's property names that are not attributes of the layer (each counted for the
    ``unknown_attribute`` warning); ``check_range``: the positions with a number that may lie
    outside its plausible range (the normaliser then checks and warns)."""

    attrs: list[dict[str, Any] | None]
    extra: list[dict[str, Any] | None]
    unknown: list[tuple[str, ...]]
    check_range: set[int]

    @classmethod
    def empty(cls, count: int) -> Prepared:
        """Nothing prepared yet for ``count`` features."""
        return cls([None] * count, [None] * count, [()] * count, set())


def _clean(texts: list[str]) -> bool:
    """Whether none of ``texts`` holds a character :data:`_UNPRINTABLE` matches."""
    joined = "".join(texts)
    return (joined.isascii() and joined.isprintable()) or _UNPRINTABLE.search(joined) is None


@cache
def _field_kinds(layer: str) -> dict[str, tuple[Any, frozenset[str] | None]]:
    """Per attribute of a layer: its parser (``BeforeValidator``) and, for a code, its codes."""
    model = LAYER_MODELS[layer]
    kinds: dict[str, tuple[Any, frozenset[str] | None]] = {}
    for name, info in model.model_fields.items():
        parser = next((getattr(item, "func", None) for item in info.metadata
                       if getattr(item, "func", None) is not None), None)
        codes: frozenset[str] | None = None
        if parser in (parse_code, parse_access):
            found = [value for arg in get_args(info.annotation) for value in get_args(arg)]
            if not found or not all(isinstance(value, str) for value in found):
                parser = None  # a code field whose codes are not read here: pydantic decides
            else:
                codes = frozenset(found)
        kinds[name] = (parser, codes)
    return kinds


def _number_column(column: list[Any]) -> list[Any]:
    out: list[Any] = []
    add = out.append
    for value in column:
        kind = type(value)
        if value is None:
            add(None)
        elif kind is float:
            add(value if math.isfinite(value) else FALLBACK)
        elif kind is int:
            try:
                number = float(value)
            except OverflowError:
                add(FALLBACK)
                continue
            add(number if math.isfinite(number) else FALLBACK)
        else:
            add(FALLBACK)
    return out


def _integer_column(column: list[Any]) -> list[Any]:
    out: list[Any] = []
    add = out.append
    for value in column:
        if value is None:
            add(None)
        elif type(value) is int:
            try:
                add(parse_int(value))
            except (ValueError, OverflowError):
                add(FALLBACK)
        else:
            add(FALLBACK)
    return out


def _boolean_column(column: list[Any]) -> list[Any]:
    out: list[Any] = []
    add = out.append
    for value in column:
        kind = type(value)
        if value is None or kind is bool:
            add(value)
        elif kind is int and value in (0, 1):
            add(value == 1)
        else:
            add(FALLBACK)
    return out


def _text_column(column: list[Any]) -> list[Any]:
    return [None if value is None else
            (value.strip() or None) if type(value) is str else FALLBACK for value in column]


def _code_column(column: list[Any], parser: Any, codes: frozenset[str]) -> list[Any]:
    parsed: dict[str, Any] = {}
    out: list[Any] = []
    add = out.append
    for value in column:
        if value is None:
            add(None)
            continue
        kind = type(value)
        if kind is bool and parser is parse_access:
            add("yes" if value else "no")
            continue
        if kind is not str:
            add(FALLBACK)
            continue
        result = parsed.get(value, parsed)
        if result is parsed:
            try:
                result = parser(value)
            except ValueError:
                result = FALLBACK
            if result is not None and result not in codes:
                result = FALLBACK   # pydantic refuses it, with its own message
            parsed[value] = result
        add(result)
    return out


def _validate_column(parser: Any, codes: frozenset[str] | None, column: list[Any]) -> list[Any]:
    """The values pydantic gives for one attribute's column, :data:`FALLBACK` where unsure."""
    if parser is parse_number:
        return _number_column(column)
    if parser is parse_int:
        return _integer_column(column)
    if parser is parse_bool:
        return _boolean_column(column)
    if parser is parse_text:
        return _text_column(column)
    if codes is not None:
        return _code_column(column, parser, codes)
    return [FALLBACK] * len(column)   # a field this module does not know: pydantic decides


def _all_inside(bounds: Range, column: list[Any]) -> bool:
    """Whether every number of ``column`` (a validated number column: floats, ints, ``None``,
    :data:`FALLBACK`) lies inside ``bounds`` (true without numbers)."""
    numbers = [value for value in column if value is not None and value is not FALLBACK]
    if not numbers:
        return True
    lowest, highest = min(numbers), max(numbers)
    if bounds.low_open:
        return bounds.low < lowest and highest <= bounds.high
    return bounds.low <= lowest and highest <= bounds.high


def _outside(bounds: Range, column: list[Any]) -> list[bool]:
    """Per value: a number (not ``None``, not :data:`FALLBACK`) outside ``bounds``."""
    low, high = bounds.low, bounds.high
    if bounds.low_open:
        return [type(v) in (int, float) and not (low < v <= high) for v in column]
    return [type(v) in (int, float) and not (low <= v <= high) for v in column]


def prepare_run(layer: str, features: list[RawFeature], start: int, into: Prepared) -> bool:
    """Validate a run of features of profile layer ``layer`` that share their property names
    (in the same order) column by column, into ``into`` from position ``start`` on; features
    whose values pydantic must validate are left out (``None``). False, with nothing filled in,
    when the whole run needs the per-feature path (text to clean, nested values, property
    names that are not text)."""
    if not features or type(layer) is not str or layer not in LAYER_MODELS or \
            _UNPRINTABLE.search(layer) or type(features[0].properties) is not dict:
        return False
    names = tuple(features[0].properties)
    if not all(type(name) is str for name in names) or not _clean(list(names)):
        return False
    sources = [feature.source for feature in features]
    fids = list(map(_FID, sources))
    texts = fids if set(map(type, fids)) == {str} else [v for v in fids if type(v) is str]
    texts = texts + [value for others in set(map(_OTHER_SOURCE_FIELDS, sources))
                     for value in others if type(value) is str]
    rows = [feature.properties.values() for feature in features]
    columns = [list(column) for column in zip(*rows)] if names else []
    for column in columns:
        kinds = set(map(type, column))
        if not kinds <= _SCALARS:
            return False
        if str in kinds:
            texts += [value for value in column if type(value) is str]
    if not _clean(texts):
        return False
    fields = _field_kinds(layer)
    ranges = layer_ranges(layer)
    known = [(name, column) for name, column in zip(names, columns) if name in fields]
    order = {name: index for index, name in enumerate(fields)}
    known.sort(key=lambda item: order[item[0]])
    unknown = [(name, column) for name, column in zip(names, columns)
               if name not in fields and name.lower() not in TECHNICAL_NAMES]
    count = len(features)
    results = [_validate_column(*fields[name], column) for name, column in known]
    fallback: set[int] = set()
    check_range: set[int] = set()
    for (name, _), result in zip(known, results):
        if FALLBACK in result:   # compared by identity: the values are plain scalars
            fallback.update(index for index, value in enumerate(result) if value is FALLBACK)
        bounds = ranges.get(name)
        if bounds is not None and not _all_inside(bounds, result):
            check_range.update(index for index, outside in enumerate(_outside(bounds, result))
                               if outside)
    known_names = [name for name, _ in known]
    unknown_names = tuple(name for name, _ in unknown)
    attr_rows = zip(*results) if results else ((),) * count
    into.attrs[start:start + count] = [
        None if fallback and index in fallback else
        {k: v for k, v in zip(known_names, values) if v is not None}
        for index, values in enumerate(attr_rows)]
    if unknown_names:
        into.extra[start:start + count] = [
            {k: v for k, v in zip(unknown_names, extras) if v is not None and v != ""}
            for extras in zip(*(column for _, column in unknown))]
        into.unknown[start:start + count] = [unknown_names] * count
    into.check_range.update(start + index for index in check_range)
    return True


def runs(features: list[RawFeature]) -> list[tuple[int, int]]:
    """``(start, stop)`` of the maximal runs of consecutive features with the same layer name
    and the same property names in the same order (each a dict)."""
    found: list[tuple[int, int]] = []
    start = 0
    previous_layer: Any = None
    previous_names: tuple[Any, ...] | None = None
    for index, feature in enumerate(features):
        props = feature.properties
        names = tuple(props) if type(props) is dict else None
        if names is None or feature.layer != previous_layer or names != previous_names \
                or type(feature.layer) is not str:
            if index > start:
                found.append((start, index))
            start = index
            previous_layer, previous_names = feature.layer, names
            if names is None:   # not a dict: a run of its own, never prepared
                found.append((index, index + 1))
                start = index + 1
                previous_layer = previous_names = None
    if len(features) > start:
        found.append((start, len(features)))
    return found


__all__ = ["FALLBACK", "TECHNICAL_NAMES", "Prepared", "prepare_run", "runs"]
