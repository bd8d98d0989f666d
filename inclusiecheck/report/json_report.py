"""The JSON report (``report.json``): the machine contract of the data profile.

The bytes are deterministic: the same report gives the same bytes. Keys of free-form objects
(plan metadata, summary, coverage, source references, ...) are sorted; the top level and each
finding keep the data profile's key order; lists keep their order (findings in the report's
order). Floats are rounded (measured and required values to 3 decimals), NaN and infinities
become ``null``, dates become ISO strings, and absolute file paths (any string that is one as a
whole, and every value under a key such as ``file``) are reduced to their file name so that no
path of the reviewer's machine leaks out. Coordinates are written as the finding holds them:
rounded to the millimetre once, when the finding was made.

Each rule's own fields (rule set and versions, level, structural, pillar, source, advice) are
written once, in the top-level ``rules`` table keyed by rule id, and the findings refer to it
by their ``rule_id`` (:func:`inflate_finding` joins them again).
"""

from __future__ import annotations

import datetime as dt
import gc
import io
import json
import math
import os
import re
import sys
import tempfile
import threading
from enum import Enum
from pathlib import PurePath, PurePosixPath, PureWindowsPath
from typing import Any
from collections.abc import Callable, Iterable, Mapping, Sequence

from inclusiecheck.model import Finding, Report
from inclusiecheck.report.registry import RenderOptions, output_format

TOOL_NAME = "inclusiecheck"
#: decimals kept for measured and required values
VALUE_DECIMALS = 3
#: decimals kept for any other float
OTHER_DECIMALS = 6
#: keys whose string values are file paths
_PATH_KEYS = frozenset({"file", "path", "source_file", "plan_file", "filename"})
_WINDOWS_ABS = re.compile(r"^(?:[A-Za-z]:[\\/]|\\\\)")


def round_float(value: float, decimals: int) -> float | None:
    """Round ``value`` to ``decimals``; NaN and infinities become None, -0.0 becomes 0.0."""
    if math.isnan(value) or math.isinf(value):
        return None
    out = round(value, decimals)
    return 0.0 if out == 0 else out


def looks_absolute(text: str) -> bool:
    """True when ``text`` is, as a whole, an absolute POSIX or Windows path."""
    if "\n" in text or len(text) < 2:
        return False
    return bool(_WINDOWS_ABS.match(text)) or (text.startswith("/") and "//" not in text
                                                and text[1] not in " /")


def relative_path(text: str) -> str:
    """Return ``text`` unchanged when it is a relative path, else only its file name."""
    if _WINDOWS_ABS.match(text):
        return PureWindowsPath(text).name
    if text.startswith("/"):
        return PurePosixPath(text).name
    return text.replace("\\", "/")


def _maybe_absolute(text: str) -> bool:
    """Cheap pre-test of :func:`looks_absolute`: does ``text`` start like ``/``, ``C:\\``?"""
    return text[:1] in ("/", "\\") or text[1:3] in (":\\", ":/")


def _canonical_str(text: str, key: str | None) -> str:
    """``text`` with an absolute path (or any value under a path key) reduced to its name."""
    if key in _PATH_KEYS or (_maybe_absolute(text) and looks_absolute(text)):
        return relative_path(text)
    return text


def _canonical_mapping(value: Mapping[Any, Any], decimals: int) -> dict[str, Any]:
    """:func:`canonical` of a mapping: keys as strings, sorted."""
    return {str(k): canonical(value[k], decimals, str(k)) for k in sorted(value, key=str)}


def canonical(value: Any, decimals: int = OTHER_DECIMALS, key: str | None = None) -> Any:
    """Return ``value`` as plain JSON data: sorted keys, rounded floats, no absolute paths.

    Parameters
    ----------
    value
        Any mix of dicts, lists, tuples, sets, enums, dates, paths, numbers and strings.
    decimals
        Decimals kept for floats at this level and below.
    key
        The key under which ``value`` sits in its parent (to spot file paths).
    """
    cls = type(value)  # fast paths for the exact built-in types; subclasses further down
    if cls is str:
        return _canonical_str(value, key)
    if cls is float:
        return round_float(value, decimals)
    if value is None or cls is bool or cls is int:
        return value
    if cls is dict:
        return _canonical_mapping(value, decimals)
    if cls is list or cls is tuple:
        return [canonical(v, decimals) for v in value]
    if cls.__module__ == "numpy" and hasattr(value, "tolist"):
        # numpy scalars and arrays -> Python numbers and lists
        return canonical(value.tolist(), decimals, key)
    if isinstance(value, Enum):
        return canonical(value.value, decimals, key)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return round_float(value, decimals)
    if isinstance(value, str):
        return _canonical_str(value, key)
    if isinstance(value, PurePath):
        return relative_path(str(value))
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return _canonical_mapping(value, decimals)
    if isinstance(value, (set, frozenset)):
        items = [canonical(v, decimals) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, (list, tuple)):
        return [canonical(v, decimals) for v in value]
    if hasattr(value, "as_dict"):
        return canonical(value.as_dict(), decimals, key)
    return str(value)


def canonical_geometry(geometry: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Return a finding's GeoJSON geometry as report.json writes it: keys sorted, coordinates
    as they are.

    Coordinates are rounded to the millimetre once, when the finding is made
    (:func:`inclusiecheck.engine.evaluate.locations_of`); writing them does not walk them
    again (the lists are shared, not copied).
    """
    if geometry is None:
        return None
    if type(geometry) is dict and len(geometry) == 2 and "type" in geometry \
            and "coordinates" in geometry:   # (the case of every finding the evaluator makes)
        return {"coordinates": geometry["coordinates"], "type": str(geometry["type"])}
    if set(geometry) <= {"type", "coordinates"}:
        return {"coordinates": geometry.get("coordinates"), "type": str(geometry.get("type"))}
    return {k: (geometry[k] if k == "coordinates"
                else [canonical_geometry(g) for g in geometry[k]] if k == "geometries"
                else canonical(geometry[k], OTHER_DECIMALS, k)) for k in sorted(geometry)}


#: fields of a finding that belong to its rule: report.json keeps them once per rule in its
#: top-level ``rules`` table; a finding repeats one only where it differs from that entry
RULE_FIELDS = ("rule_set", "rule_set_version", "rule_version", "level", "structural", "pillar",
               "source", "advice")
#: the data profile's order of a finding's fields (``finding_dict``); optional ones last
FINDING_FIELDS = ("rule_id", "rule_set", "layer", "feature_id", "source_ref", "outcome",
                  "level", "structural", "pillar", "property", "measured", "required", "unit",
                  "message", "advice", "source", "location", "status", "rule_version",
                  "rule_set_version", "missing", "note", "deviation", "data", "regime",
                  "regime_reason", "would_fail")


def _str_mapping(value: Mapping[str, Any], memo: dict[tuple, dict[str, Any]],
                 shared: bool = False) -> dict[str, Any]:
    """:func:`canonical` of a small mapping of strings (``source_ref``, ``regime_reason``),
    computed once per distinct content; a copy of it, unless ``shared`` (the caller encodes
    the finding at once and keeps nothing of it)."""
    try:
        key = tuple(value.items())
        hit = memo.get(key)
    except TypeError:   # an unhashable value: no memo
        return canonical(value)
    if hit is None:
        hit = memo[key] = canonical(value)
    return hit if shared else dict(hit)


def _key_order(value: dict[Any, Any], orders: dict[tuple, tuple | None]) -> tuple | None:
    """The sorted keys of ``value``, worked out once per set of keys (``orders``); ``None``
    when a key is not a string (the caller then takes :func:`canonical`)."""
    keys = tuple(value)
    order = orders.get(keys, _NO_ORDER)
    if order is _NO_ORDER:
        order = orders[keys] = tuple(sorted(keys)) if all(type(k) is str for k in keys) \
            else None
    return order


def _plain_str_mapping(value: dict[Any, Any], orders: dict[tuple, tuple | None],
                       paths: dict[tuple[str, str], str]) -> dict[str, Any]:
    """:func:`canonical` of a mapping whose values mostly differ from finding to finding
    (``source_ref``: its feature's fid), without a memo of the contents: the sorted order of
    its keys is worked out once per set of keys (``orders``), a file name under a path key
    once per name (``paths``), and each string value that sits under no path key and does
    not start like a path is taken as it is."""
    order = _key_order(value, orders)
    if order is None:   # a key that is not a string
        return canonical(value)
    out: dict[str, Any] = {}
    for k in order:
        v = value[k]
        if type(v) is not str:
            out[k] = canonical(v, OTHER_DECIMALS, k)
        elif k in _PATH_KEYS:   # (a file name: the same in most findings)
            pkey = (k, v)
            name = paths.get(pkey)
            if name is None:
                name = paths[pkey] = _canonical_str(v, k)
            out[k] = name
        elif v[:1] not in _PATH_STARTS and v[1:3] not in _DRIVE_MARKS:
            out[k] = v
        else:
            out[k] = _canonical_str(v, k)
    return out


_NO_ORDER: Any = object()


def _canonical_data(value: dict[Any, Any], orders: dict[tuple, tuple | None]) -> dict[str, Any]:
    """:func:`canonical` of a finding's ``data`` (a dict; nested dicts alike): the sorted
    order of its keys worked out once per set of keys (``orders``, as in
    :func:`_plain_str_mapping`), the values of the exact built-in types handled here (a
    float rounded, a string that is no path taken as it is), any other by
    :func:`canonical`."""
    order = _key_order(value, orders)
    if order is None:   # a key that is not a string
        return canonical(value)
    out: dict[str, Any] = {}
    for k in order:
        v = value[k]
        cls = type(v)
        if cls is float:
            out[k] = round_float(v, OTHER_DECIMALS)
        elif cls is str:
            out[k] = v if (k not in _PATH_KEYS and v[:1] not in _PATH_STARTS
                           and v[1:3] not in _DRIVE_MARKS) else _canonical_str(v, k)
        elif v is None or cls is int or cls is bool:
            out[k] = v
        elif cls is dict:
            out[k] = _canonical_data(v, orders)
        else:
            out[k] = canonical(v, OTHER_DECIMALS, k)
    return out


class _FieldMemo:
    """The canonical values of a finding's fields that repeat from finding to finding, worked
    out once per distinct raw value (:func:`_lean_finding`)."""

    __slots__ = ("heads", "missing", "orders", "paths", "tails")

    def __init__(self) -> None:
        #: (rule id, layer, outcome, status, property, unit, and the types of the last two)
        #: -> their canonical values
        self.heads: dict[tuple, tuple] = {}
        #: missing names -> their canonical list
        self.missing: dict[tuple, list[Any]] = {}
        #: the memos of :func:`_plain_str_mapping`
        self.orders: dict[tuple, tuple | None] = {}
        self.paths: dict[tuple[str, str], str] = {}
        #: (regime, its reason, would_fail and their types) -> the text of a finding's line
        #: they end (:meth:`_Writer.line`)
        self.tails: dict[tuple, str] = {}


class _Writer:
    """Builds report.json's findings and its ``rules`` table in one pass over the findings.

    Per-rule values (rule set and versions, level, structural, pillar, source, advice) are
    made canonical once per rule; each finding refers to its rule's entry by ``rule_id`` and
    repeats a per-rule field only where it differs from the entry (e.g. the same rule id in
    two selected rule sets).
    """

    def __init__(self, report: Report, *, shared: bool = False) -> None:
        self.titles = {info.id: info.title for info in reversed(report.rules)}
        self.rules: dict[str, dict[str, Any]] = {}
        self._raw: dict[str, tuple] = {}
        self._memo: dict[tuple, dict[str, Any]] = {}
        #: the canonical values of a finding's fields that repeat from finding to finding
        #: (:func:`_lean_finding`), by their raw values
        self._fields = _FieldMemo()
        #: the findings' dicts are encoded at once and dropped (:func:`render_json`): they
        #: may share the memoised mappings and lists, instead of each getting its own copy
        self.shared = shared
        #: the compact encoder of one finding (:func:`_line_encoder`)
        self._encode = _line_encoder()

    def rule_entry(self, finding: Finding) -> tuple[dict[str, Any], tuple]:
        """The ``rules`` entry of ``finding``'s rule (made from its first finding)."""
        raw = self._raw.get(finding.rule_id)
        if raw is None:
            raw = self._raw[finding.rule_id] = _rule_values(finding)
            entry: dict[str, Any] = {"title": self.titles.get(finding.rule_id, finding.rule_id)}
            for name, value in zip(RULE_FIELDS, raw):
                if value is not None or name in ("advice",):
                    entry[name] = _finding_value(name, value)
            self.rules[finding.rule_id] = entry
        return self.rules[finding.rule_id], raw

    def finding(self, finding: Finding) -> dict[str, Any]:
        """``finding`` as report.json writes it (profile order, per-rule fields left out)."""
        entry, raw = self.rule_entry(finding)
        values = _rule_values(finding)
        if values == raw:
            return _lean_finding(finding, self._memo, self._fields, self.shared)
        differs = {name for name, a, b in zip(RULE_FIELDS, values, raw) if a != b}
        out = finding_dict(finding, skip=frozenset(RULE_FIELDS) - set(differs),
                           memo=self._memo)
        if any(name not in out for name in differs):
            # an unset version where the rule's entry has one: written as null, in place
            out = {name: out.get(name) for name in FINDING_FIELDS
                   if name in out or name in differs}
        return out

    def line(self, finding: Finding) -> str:
        """The compact JSON text of :meth:`finding` (report.json's line of ``finding``): the
        same text, its last fields (``regime``, ``regime_reason``, ``would_fail``: the same
        for many findings) written from a memo of their text per distinct value."""
        encode = self._encode
        entry, raw = self.rule_entry(finding)
        if _rule_values(finding) != raw:
            return encode(self.finding(finding))
        body = _lean_finding(finding, self._memo, self._fields, self.shared, tail=False)
        return encode(body)[:-1] + self._tail(finding) + "}"

    def _tail(self, f: Finding) -> str:
        """``, "regime": ..., "regime_reason": {...}, "would_fail": ...``: the fields of
        ``f`` that :func:`_lean_finding` leaves out without its tail, as text (empty when it
        has none of them)."""
        reason, would_fail, regime = f.regime_reason, f.would_fail, f.regime
        if reason is None and would_fail is None:
            return ""
        tails = self._fields.tails
        key: tuple | None
        try:
            key = (regime, type(regime), would_fail, type(would_fail), type(reason),
                   tuple(reason.items()) if type(reason) is dict else reason)
            text = tails.get(key)
        except TypeError:   # an unhashable value: no memo
            key, text = None, None
        if text is None:
            last: dict[str, Any] = {}
            if reason is not None:
                last["regime"] = _text(regime or "undecided", "regime")
                last["regime_reason"] = (_str_mapping(reason, self._memo, True)
                                         if type(reason) is dict
                                         else _finding_value("regime_reason", reason,
                                                             self._memo))
            if would_fail is not None:
                last["would_fail"] = _finding_value("would_fail", would_fail)
            text = ", " + self._encode(last)[1:-1]
            if key is not None:
                tails[key] = text
        return text

    def table(self) -> dict[str, dict[str, Any]]:
        """The ``rules`` table, keyed by rule id, sorted."""
        return {k: self.rules[k] for k in sorted(self.rules)}


def _rule_values(finding: Finding) -> tuple:
    return (finding.rule_set, finding.rule_set_version, finding.rule_version,
            finding.level, finding.structural, finding.pillar, finding.source, finding.advice)


def _finding_value(name: str, value: Any, memo: dict[tuple, dict[str, Any]] | None = None
                   ) -> Any:
    """One field of a finding as plain, deterministic JSON data."""
    cls = type(value)
    if cls is str:  # none of a finding's keys is a path key
        return _canonical_str(value, name) if _maybe_absolute(value) else value
    if value is None or cls is bool or cls is int:
        return value
    if name == "location":
        return canonical_geometry(value)
    if name in ("measured", "required"):
        return canonical(value, VALUE_DECIMALS)
    if memo is not None and name in ("source_ref", "regime_reason") and cls is dict:
        return _str_mapping(value, memo)
    return canonical(value, OTHER_DECIMALS, name)


_PATH_STARTS = ("/", "\\")
_DRIVE_MARKS = (":\\", ":/")


def _text(value: Any, name: str) -> Any:
    """:func:`_finding_value` of a field that is a string or ``None``: only a string that
    starts like an absolute path goes through the full check (anything else through
    :func:`_finding_value` itself)."""
    if type(value) is str:
        if value[:1] not in _PATH_STARTS and value[1:3] not in _DRIVE_MARKS:
            return value
    elif value is None:
        return None
    return _finding_value(name, value)


def _number(value: Any, name: str) -> Any:
    """:func:`_finding_value` of ``measured`` or ``required``."""
    cls = type(value)
    if cls is float:
        return round_float(value, VALUE_DECIMALS)
    if value is None or cls is int or cls is bool:
        return value
    return _finding_value(name, value)


def _lean_finding(f: Finding, memo: dict[tuple, dict[str, Any]],
                  fields: _FieldMemo | None = None, shared: bool = False,
                  tail: bool = True) -> dict[str, Any]:
    """:func:`finding_dict` of ``f`` without its per-rule fields (every one as in its rule's
    entry): the same dict, built field by field with the checks each field's type needs
    (report.json makes one per finding: :func:`_finding_value`'s dispatch and the
    intermediate :meth:`Finding.as_dict` are left out).

    ``fields``: the memo of the fields that repeat from finding to finding (rule, layer,
    outcome, status, property and unit; the missing names; the keys and file name of the
    source reference), so that each distinct value is checked once; ``memo`` that of the
    regime's reason. ``shared``: memoised mappings and lists are not copied
    (:class:`_Writer`). ``tail``: with the last fields (``regime``, ``regime_reason``,
    ``would_fail``; without them, :meth:`_Writer.line` writes them from its memo)."""
    if fields is None:
        fields = _FieldMemo()
    prop, unit = f.property, f.unit
    key = (f.rule_id, f.layer, f.outcome, f.status, prop, unit, type(prop), type(unit))
    try:
        head = fields.heads.get(key)
        hashable = True
    except TypeError:   # an unhashable value: no memo
        head, hashable = None, False
    if head is None:
        head = (_text(f.rule_id, "rule_id"), _text(f.layer, "layer"),
                _text(f.outcome._value_, "outcome"), _text(f.status, "status"),
                _text(prop, "property"), _text(unit, "unit"))
        if hashable:
            fields.heads[key] = head
    source_ref = f.source_ref
    # (the common cases of _text, _number and canonical_geometry inline: a string that
    # does not start like a path, a finite float, a GeoJSON dict of type and coordinates)
    feature_id, message = f.feature_id, f.message
    if type(feature_id) is not str or feature_id[:1] in _PATH_STARTS \
            or feature_id[1:3] in _DRIVE_MARKS:
        feature_id = _text(feature_id, "feature_id")
    if type(message) is not str or message[:1] in _PATH_STARTS or message[1:3] in _DRIVE_MARKS:
        message = _text(message, "message")
    measured, required = f.measured, f.required
    if type(measured) is float and measured - measured == 0.0:   # (finite)
        measured = round(measured, VALUE_DECIMALS) or 0.0   # (-0.0 written as 0.0)
    else:
        measured = _number(measured, "measured")
    if type(required) is float and required - required == 0.0:
        required = round(required, VALUE_DECIMALS) or 0.0
    else:
        required = _number(required, "required")
    location = f.location
    if type(location) is dict and len(location) == 2 and "coordinates" in location \
            and type(location.get("type")) is str:
        location = {"coordinates": location["coordinates"], "type": location["type"]}
    else:
        location = (canonical_geometry(location) if type(location) is dict
                    else _finding_value("location", location))
    out: dict[str, Any] = {
        "rule_id": head[0],
        "layer": head[1],
        "feature_id": feature_id,
        "source_ref": (_plain_str_mapping(source_ref, fields.orders, fields.paths)
                       if type(source_ref) is dict
                       else _finding_value("source_ref", source_ref)),
        "outcome": head[2],
        "property": head[4],
        "measured": measured,
        "required": required,
        "unit": head[5],
        "message": message,
        "location": location,
        "status": head[3],
    }
    if f.missing:
        missing = f.missing
        try:
            listed = fields.missing.get(missing) if type(missing) is tuple else None
        except TypeError:   # an unhashable name: no memo
            listed = None
        if listed is None:
            listed = canonical(list(missing), OTHER_DECIMALS, "missing")
            if type(missing) is tuple and all(type(m) is str for m in missing):
                fields.missing[missing] = listed
        out["missing"] = listed if shared else list(listed)
    if f.note:
        out["note"] = _text(f.note, "note")
    if f.deviation:
        out["deviation"] = _finding_value("deviation", f.deviation)
    data = f.data
    if data:
        out["data"] = (_canonical_data(data, fields.orders) if type(data) is dict
                       else _finding_value("data", data))
    if not tail:
        return out
    reason = f.regime_reason
    if reason is not None:
        out["regime"] = _text(f.regime or "undecided", "regime")
        out["regime_reason"] = (_str_mapping(reason, memo, shared) if type(reason) is dict
                                else _finding_value("regime_reason", reason, memo))
    if f.would_fail is not None:
        out["would_fail"] = _finding_value("would_fail", f.would_fail)
    return out


def finding_dict(finding: Finding, *, skip: frozenset[str] = frozenset(),
                 memo: dict[tuple, dict[str, Any]] | None = None) -> dict[str, Any]:
    """Return ``finding`` as the data profile's JSON object (profile key order kept).

    ``skip``: fields left out (report.json leaves out the per-rule fields its ``rules`` table
    holds). Without it, every field: the finding as GeoJSON properties and the golden
    rule-case files write it, and as :func:`inflate_finding` rebuilds it from report.json.
    """
    out = finding.as_dict()  # a fresh dict in the profile's order: values are replaced in place
    for name in skip:
        out.pop(name, None)
    for name, value in out.items():
        out[name] = _finding_value(name, value, memo)
    return out


def inflate_finding(finding: Mapping[str, Any], rules: Mapping[str, Mapping[str, Any]]
                    ) -> dict[str, Any]:
    """A finding of report.json with its rule's fields filled in from the ``rules`` table:
    the finding as it was written before the table (report.json up to 0.x; the GeoJSON
    properties), fields in the data profile's order."""
    rule = rules.get(str(finding.get("rule_id")), {})
    merged = {**{k: v for k, v in rule.items() if k in RULE_FIELDS}, **finding}
    order = {name: i for i, name in enumerate(FINDING_FIELDS)}
    return {k: merged[k] for k in sorted(merged, key=lambda k: order.get(k, len(order)))
            if not (merged[k] is None and k in _UNSET_IS_ABSENT)}


#: per-rule fields a finding leaves out when unset (a ``null`` in report.json marks one that
#: is unset while its rule's entry has a value)
_UNSET_IS_ABSENT = ("rule_version", "rule_set_version")


def report_dict(report: Report) -> dict[str, Any]:
    """Return the whole JSON report as plain data, in the data profile's top-level order."""
    writer = _Writer(report)
    findings = [writer.finding(f) for f in report.listed_findings()]
    return {**_head(report, writer), "findings": findings}


def _head(report: Report, writer: _Writer) -> dict[str, Any]:
    """Everything of report.json before ``findings`` (the ``rules`` table as ``writer`` has
    it: every finding's rule must have been seen)."""
    return {
        "tool": {"name": TOOL_NAME, "version": report.tool_version or None},
        "lang": report.lang,
        "plan": canonical(report.plan),
        "crs": report.crs,
        "rule_sets": [canonical(rs) for rs in report.rule_sets],
        "verdict": canonical(report.verdict.as_dict()),
        "summary": canonical(report.summary),
        "coverage": canonical(report.coverage),
        "warnings": [canonical(w) for w in report.warnings],
        "rules": writer.table(),
    }


def dumps(data: Any) -> bytes:
    """Serialise ``data`` as deterministic UTF-8 JSON: indent 2, no NaN, trailing newline.

    The items of a top-level ``findings`` list are written one per line (compact), which keeps
    the file readable and diff-friendly and lets the C encoder do the bulk of the work (the
    indenting encoder is pure Python and about ten times slower on large reports).
    """
    if isinstance(data, dict) and isinstance(data.get("findings"), list) and data["findings"]:
        keys = list(data)
        if keys[-1] == "findings":
            return _dumps_findings({k: data[k] for k in keys[:-1]}, data["findings"])
    text = json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False)
    return (text + "\n").encode("utf-8")


class _NotPlain(Exception):
    """A value :func:`_indented_into` leaves to :func:`json.dumps`."""


#: how :func:`json.dumps` writes a string with ``ensure_ascii=False``
_encode_str: Callable[[str], str] = json.encoder.encode_basestring  # type: ignore[attr-defined]


def _indented(value: Any) -> str:
    """``json.dumps(value, ensure_ascii=False, indent=2, allow_nan=False)``: the same text,
    written by one recursive function where every value is of an exact built-in JSON type
    (dicts with string keys, lists, tuples, strings, integers, finite floats, booleans,
    None); anything else through :func:`json.dumps` itself. (The indenting encoder is pure
    Python, a generator per level: report.json's head, with the verdict's conditions of
    every finding, is some 250,000 lines on a 60,000-feature plan.)"""
    out: list[str] = []
    try:
        _indented_into(value, out, "\n")
    except _NotPlain:
        return json.dumps(value, ensure_ascii=False, indent=2, allow_nan=False)
    return "".join(out)


def _indented_into(value: Any, out: list[str], newline: str) -> None:
    """Append the pieces of :func:`_indented`'s text of ``value`` to ``out``; ``newline``:
    the line break and indent of ``value``'s own level."""
    cls = type(value)
    if cls is str:
        out.append(_encode_str(value))
    elif cls is dict:
        if not value:
            out.append("{}")
            return
        inner = newline + "  "
        sep = "{" + inner
        for key, item in value.items():
            if type(key) is not str:
                raise _NotPlain
            out.append(sep)
            out.append(_encode_str(key))
            out.append(": ")
            _indented_into(item, out, inner)
            sep = "," + inner
        out.append(newline + "}")
    elif cls is list or cls is tuple:
        if not value:
            out.append("[]")
            return
        inner = newline + "  "
        sep = "[" + inner
        for item in value:
            out.append(sep)
            _indented_into(item, out, inner)
            sep = "," + inner
        out.append(newline + "]")
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif cls is int:
        out.append(int.__repr__(value))
    elif cls is float and value - value == 0.0:   # (finite; json.dumps raises on others)
        out.append(float.__repr__(value))
    else:
        raise _NotPlain


def _findings_open(head: dict[str, Any]) -> bytes:
    """report.json up to the first finding's line."""
    text = _indented(head)
    body = text[:-2] if head else "{"
    sep = ",\n" if head else "\n"
    return f'{body}{sep}  "findings": [\n'.encode()


_FINDINGS_CLOSE = b"\n  ]\n}\n"


def _write_lines(out: Any, lines: Iterable[str], first: bool = True) -> None:
    """Write findings' lines (their compact JSON texts) to ``out``; ``first``: they start
    the list."""
    for i, text in enumerate(lines):
        out.write(((",\n    " if i or not first else "    ") + text).encode())


def _dumps_findings(head: dict[str, Any], findings: Iterable[Any]) -> bytes:
    """:func:`dumps` of ``{**head, "findings": [...]}`` for a non-empty ``findings``, written
    finding by finding into one buffer: no list of every line, no joined string, no second
    copy to encode (a large report's bytes are held once); ``findings`` may be a generator,
    so that the findings' dicts are not all held either."""
    return _dumps_lines(head, map(_line_encoder(), findings))


def _dumps_lines(head: dict[str, Any], lines: Iterable[str]) -> bytes:
    """:func:`_dumps_findings` of the findings whose lines are ``lines`` (at least one)."""
    out = io.BytesIO()
    out.write(_findings_open(head))
    _write_lines(out, lines)
    out.write(_FINDINGS_CLOSE)
    return out.getvalue()


#: listed findings from which a run with several jobs renders report.json's lines in two
#: processes (below, the fork costs more than it saves)
TWO_PROCESSES_FROM = 5000


def _two_processes(jobs: int, count: int) -> bool:
    """Whether the findings' lines are rendered in a forked second process: with ``jobs`` > 1,
    a large report, on Linux, from a process that runs one thread (a fork copies only the
    calling thread)."""
    return (jobs > 1 and count >= TWO_PROCESSES_FROM and sys.platform.startswith("linux")
            and hasattr(os, "fork") and _single_threaded())


def _single_threaded() -> bool:
    return threading.active_count() == 1


def _dumps_findings_forked(head: dict[str, Any], writer: _Writer,
                           listed: Sequence[Finding]) -> bytes | None:
    """:func:`_dumps_findings` of ``writer``'s findings, the second half's lines rendered in a
    forked process (into a temporary file) while this one renders the first half: the same
    bytes (the writer's rules table is complete, its memo only a cache). None when the
    forked process failed (the caller renders them all)."""
    half = len(listed) // 2
    with tempfile.TemporaryFile() as spill:
        pid = os.fork()
        if pid == 0:   # pragma: no cover - the forked process (its coverage is not collected)
            code = 1
            gc.disable()   # what it makes is freed by reference counting; no full collection
            try:            # walks (and so copies) the inherited heap
                _write_lines(spill, map(writer.line, listed[half:]), first=False)
                spill.flush()
                code = 0
            finally:
                os._exit(code)
        out = io.BytesIO()
        try:
            out.write(_findings_open(head))
            _write_lines(out, map(writer.line, listed[:half]))
        finally:
            _pid, status = os.waitpid(pid, 0)
        if status != 0:
            return None
        spill.seek(0)
        out.write(spill.read())
    out.write(_FINDINGS_CLOSE)
    return out.getvalue()


def _line_encoder() -> Callable[[Any], str]:
    """``json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode``, the compact form of
    one finding: the C encoder is made once for every finding (``encode`` makes one per
    call), when the interpreter has it."""
    encoder = json.JSONEncoder(ensure_ascii=False, allow_nan=False)
    make = getattr(json.encoder, "c_make_encoder", None)
    basestring = getattr(json.encoder, "c_encode_basestring", None)
    if make is None or basestring is None:
        return encoder.encode
    # the arguments JSONEncoder.iterencode gives it for these settings (one-shot, no indent)
    chunks = make({}, encoder.default, basestring, None, encoder.key_separator,
                  encoder.item_separator, encoder.sort_keys, encoder.skipkeys,
                  encoder.allow_nan)
    join = "".join

    def encode(value: Any) -> str:
        return join(chunks(value, 0))

    return encode


@output_format("json", "report.json", "application/json",
               "the machine-readable report of the data profile")
def render_json(report: Report, options: RenderOptions) -> bytes:
    """Render ``report`` as the data profile's JSON report (``report.json``): the bytes of
    ``dumps(report_dict(report))``, without holding every finding's dict (the rules table is
    made in a first pass over the findings, which are then written one by one). With
    ``options.jobs`` > 1 a large report's lines are rendered in two processes, the same bytes
    (:func:`_dumps_findings_forked`)."""
    listed = report.listed_findings()
    if not listed:
        return dumps(report_dict(report))
    writer = _Writer(report, shared=True)
    for finding in listed:
        writer.rule_entry(finding)
    if _two_processes(options.jobs, len(listed)):
        forked = _dumps_findings_forked(_head(report, writer), writer, listed)
        if forked is not None:
            return forked
    return _dumps_lines(_head(report, writer), map(writer.line, listed))
