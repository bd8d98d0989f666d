"""The JSON report (``report.json``): the machine contract of the data profile.

The bytes are deterministic: the same report gives the same bytes. Keys of free-form objects
(plan metadata, summary, coverage, source references, ...) are sorted; the top level and each
finding keep the data profile's key order; lists keep their order (findings in the report's
order). Floats are rounded (measured and required values to 3 decimals, coordinates to the
millimetre), NaN and infinities become ``null``, dates become ISO strings, and absolute file
paths (any string that is one as a whole, and every value under a key such as ``file``) are
reduced to their file name so that no path of the reviewer's machine leaks out.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from enum import Enum
from pathlib import PurePath, PurePosixPath, PureWindowsPath
from typing import Any
from collections.abc import Mapping

from inclusiecheck.model import Finding, Report
from inclusiecheck.report.registry import RenderOptions, output_format

TOOL_NAME = "inclusiecheck"
#: decimals kept for coordinates (metres -> millimetres)
COORD_DECIMALS = 3
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


def _round_coordinates(value: Any) -> Any:
    """Coordinates (nested lists of numbers) rounded to the millimetre, quickly."""
    if isinstance(value, (list, tuple)):
        if value and isinstance(value[0], (int, float)) and not isinstance(value[0], bool):
            return [round_float(float(v), COORD_DECIMALS) for v in value]
        return [_round_coordinates(v) for v in value]
    return canonical(value, COORD_DECIMALS)


def canonical_geometry(geometry: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Return a GeoJSON geometry dict with coordinates rounded to the millimetre."""
    if geometry is None:
        return None
    if "coordinates" in geometry and set(geometry) <= {"type", "coordinates"}:
        return {"coordinates": _round_coordinates(geometry["coordinates"]),
                "type": str(geometry["type"])}
    return canonical(geometry, COORD_DECIMALS)


def finding_dict(finding: Finding) -> dict[str, Any]:
    """Return ``finding`` as the data profile's JSON object (profile key order kept)."""
    out = finding.as_dict()  # a fresh dict in the profile's order: values are replaced in place
    for name, value in out.items():
        cls = type(value)
        if cls is str:  # fast paths for the plain fields (none of these keys is a path key)
            if _maybe_absolute(value):
                out[name] = _canonical_str(value, name)
        elif value is None or cls is bool or cls is int:
            continue
        elif name == "location":
            out[name] = canonical_geometry(value)
        elif name in ("measured", "required"):
            out[name] = canonical(value, VALUE_DECIMALS)
        else:
            out[name] = canonical(value, OTHER_DECIMALS, name)
    return out


def report_dict(report: Report) -> dict[str, Any]:
    """Return the whole JSON report as plain data, in the data profile's top-level order."""
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
        "findings": [finding_dict(f) for f in report.listed_findings()],
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
            head = json.dumps({k: data[k] for k in keys[:-1]}, ensure_ascii=False, indent=2,
                              allow_nan=False)
            items = ",\n".join("    " + json.dumps(f, ensure_ascii=False, allow_nan=False)
                               for f in data["findings"])
            body = head[:-2] if len(keys) > 1 else "{"
            sep = ",\n" if len(keys) > 1 else "\n"
            return (f'{body}{sep}  "findings": [\n{items}\n  ]\n}}\n').encode()
    text = json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False)
    return (text + "\n").encode("utf-8")


@output_format("json", "report.json", "application/json",
               "the machine-readable report of the data profile")
def render_json(report: Report, options: RenderOptions) -> bytes:
    """Render ``report`` as the data profile's JSON report (``report.json``)."""
    return dumps(report_dict(report))
