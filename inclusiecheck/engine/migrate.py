"""``inclusiecheck rules migrate``: rewrite rule files from the deprecated check types to
``threshold``.

The threshold-like check types ``conditional_threshold``, ``threshold_by_code``,
``mode_threshold`` and ``lookup``, and ``threshold``'s ``min_inclusive``/``max_inclusive``, are
written as one ``threshold`` (see :mod:`inclusiecheck.engine.checks.threshold`). The old types
still load and run as before (deprecated aliases; ``rules validate`` warns about them); this
module translates their parameters (:func:`translate`) and rewrites ``rule.yaml`` files in
place of their ``check:`` block only, so that every other line, comment and key order of the
file stays as it was (:func:`migrate_text`). Running it twice changes nothing the second time.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any


from inclusiecheck.model.labels import unit_of
from inclusiecheck.model.safe_yaml import YamlProblem, load_text

#: deprecated check type -> what replaces it
DEPRECATED_TYPES = {
    "conditional_threshold": "threshold with when (any:/not:)",
    "threshold_by_code": "threshold with key and limits_by",
    "mode_threshold": "threshold with key and limits_by",
    "lookup": "threshold with key and limits_by",
}
#: deprecated parameters of ``threshold`` -> what replaces them
DEPRECATED_PARAMS = {"min_inclusive": "more_than (min_inclusive: false)",
                     "max_inclusive": "less_than (max_inclusive: false)"}
#: parameters of the deprecated types -> the type they belong to (for a clear error when one
#: is given to ``threshold``, e.g. in an override of a rule that was migrated)
OLD_PARAMS = {"when_any": "conditional_threshold", "exempt_when": "conditional_threshold",
              "limits": "threshold_by_code", "default": "threshold_by_code",
              "other": "threshold_by_code", "modes": "mode_threshold",
              "mode_property": "mode_threshold", "rows": "lookup", "key_unit": "lookup",
              "outside": "lookup"}
MIGRATE_HINT = "run `inclusiecheck rules migrate`"


def deprecations(check_type: str, params: dict[str, Any]) -> list[tuple[tuple[str, ...], str]]:
    """``(loc, message)`` of each deprecated use in a rule's ``check`` (for ``rules validate``)."""
    if check_type in DEPRECATED_TYPES:
        return [(("check", "type"), f"deprecated check type {check_type}: "
                                    f"{MIGRATE_HINT} (it becomes {DEPRECATED_TYPES[check_type]})")]
    if check_type == "threshold":
        return [(("check", "params", name), f"deprecated parameter {name}: {MIGRATE_HINT} "
                                            f"(it becomes {DEPRECATED_PARAMS[name]})")
                for name in params if name in DEPRECATED_PARAMS]
    return []


# -- translation of parameters -----------------------------------------------------------------
def translate(check_type: str, params: dict[str, Any]) -> dict[str, Any] | None:
    """The ``threshold`` parameters that judge as ``check_type`` with ``params`` did; ``None``
    when there is nothing to migrate."""
    if check_type == "threshold":
        if not any(k in params for k in DEPRECATED_PARAMS):
            return None
        return _inclusive(params)
    func = _TRANSLATORS.get(check_type)
    return None if func is None else func(dict(params))


def _inclusive(params: dict[str, Any]) -> dict[str, Any]:
    """``min`` with ``min_inclusive: false`` -> ``more_than`` (``max`` -> ``less_than``)."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        if key == "min" and params.get("min_inclusive") is False:
            out["more_than"] = value
        elif key == "max" and params.get("max_inclusive") is False:
            out["less_than"] = value
        elif key not in DEPRECATED_PARAMS:
            out[key] = value
    return out


def _one_or_any(conditions: dict[str, Any]) -> dict[str, Any]:
    """``{a: x, b: y}`` read as "any of" -> ``{any: [{a: x}, {b: y}]}`` (one: itself)."""
    if len(conditions) == 1 and not set(conditions) & {"any", "not"}:
        return dict(conditions)
    return {"any": [{k: v} for k, v in conditions.items()]}


def _conditional(p: dict[str, Any]) -> dict[str, Any]:
    when: dict[str, Any] = {}
    if p.get("when_any"):
        when.update(_one_or_any(p["when_any"]))
    if p.get("exempt_when"):
        exempt = _one_or_any(p["exempt_when"])
        if "not" in when:  # a when_any entry named not: keep both apart
            when = {"any": [when]}
        when["not"] = exempt
    out: dict[str, Any] = {}
    for key, value in _inclusive(p).items():
        if key in ("when_any", "exempt_when"):
            if when and "when" not in out:
                out["when"] = when
        elif key == "unknown":
            if value != "to_verify":
                out[key] = value
        else:
            out[key] = value
    return out


_RANGE = ("gt", "gte", "lt", "lte")
_ROW_LIMITS = ("min", "max", "warn_min", "warn_max")


def _fmt(value: Any) -> str:
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


def _lookup(p: dict[str, Any]) -> dict[str, Any]:
    key = p["key"]
    key_unit = p.get("key_unit")
    rows: list[dict[str, Any]] = []
    for old in p.get("rows") or []:
        rng = {op: old[op] for op in _RANGE if old.get(op) is not None}
        when: dict[str, Any] = {key: rng or {"exists": True}}
        when.update(old.get("where") or {})
        row: dict[str, Any] = {"when": when}
        row.update({k: old[k] for k in _ROW_LIMITS if old.get(k) is not None})
        label = old.get("label")
        if label is None and rng and key_unit != unit_of(key):
            u = f" {key_unit}" if key_unit else ""
            label = " & ".join(f"{sym} {_fmt(rng[op])}{u}" for op, sym in
                               (("gt", ">"), ("gte", "≥"), ("lt", "<"), ("lte", "≤"))
                               if op in rng)
        if label is not None:
            row["label"] = label
        rows.append(row)
    rows.append({"outcome": p.get("outside", "not_applicable")})
    return _in_order(p, {"rows": ("limits_by", rows), "key_unit": None, "outside": None})


def _by_code(p: dict[str, Any]) -> dict[str, Any]:
    key = p["key"]
    limits: dict[str, Any] = p.get("limits") or {}
    default = p.get("default")
    judge_all = p.get("unknown") == "judge_all"
    every = [*limits.values(), *([default] if default else [])]
    shared = (default is not None and judge_all and len({(lim.get("property"), lim.get("unit"))
                                                         for lim in every}) == 1)
    def row(lim: dict[str, Any]) -> dict[str, Any]:
        keys = ("min", "max") if shared else ("property", "min", "max", "unit")
        return {k: lim[k] for k in keys if lim.get(k) is not None}

    rows = [{"when": {key: code}, **row(lim)} for code, lim in limits.items()]
    rows.append(row(default) if default is not None
                else {"outcome": p.get("other", "not_applicable")})
    out: dict[str, Any] = {}
    if shared and default is not None:
        out["property"] = default["property"]
        if default.get("unit") is not None:
            out["unit"] = default["unit"]
    out.update(_in_order(p, {"limits": ("limits_by", rows), "default": None, "other": None,
                             "unknown": ("unknown", "judge_all") if judge_all else None}))
    return out


def _mode(p: dict[str, Any]) -> dict[str, Any]:
    key = p.get("mode_property", "mode")
    rows: list[dict[str, Any]] = []
    for mode, given in (p.get("modes") or {}).items():
        lim = given or {}
        if lim.get("min") is None and lim.get("max") is None and lim.get("warn_max") is None:
            row: dict[str, Any] = {"when": {key: mode}, "outcome": "to_verify"}
            row["note"] = lim.get("note") or _NO_REFERENCE
            rows.append(row)
            continue
        swing = lim.get("swing_in_max")
        if swing is not None:
            upper = swing if lim.get("max") is None else min(lim["max"], swing)
            target = lim.get("warn_min")
            srow: dict[str, Any] = {"when": {key: mode, "swing_in": True}}
            if lim.get("min") is not None:
                srow["min"] = lim["min"]
            srow["max"] = upper
            if target is not None:
                srow["warn_min"] = min(target, upper)
            if lim.get("warn_max") is not None and lim["warn_max"] < upper:
                srow["warn_max"] = lim["warn_max"]
            rows.append(srow)
        limits = {k: lim[k] for k in _ROW_LIMITS if lim.get(k) is not None}
        above = lim.get("warn_max")
        if above is not None and lim.get("max") is None:
            # above warn_max is discouraged, with a note: a row of its own
            u = f" {p['unit']}" if p.get("unit") else ""
            rows.append({"when": {key: mode, p["property"]: {"gt": above}}, "warn_max": above,
                         "note": {"nl": f"meer dan {_fmt(above)}{u} is af te raden",
                                  "en": f"more than {_fmt(above)}{u} is discouraged"}})
            del limits["warn_max"]
        rows.append({"when": {key: mode}, **limits})
    rows.append({"outcome": "to_verify", "note": _NO_REFERENCE})
    out = _in_order(p, {"modes": ("key", key), "mode_property": None})
    out["limits_by"] = rows
    return {k: out[k] for k in ("property", "unit", "key", "limits_by", *out) if k in out}


def _in_order(p: dict[str, Any], changes: dict[str, tuple[str, Any] | None]) -> dict[str, Any]:
    """``p`` in its own key order, with ``changes``: old key -> (new key, value), or ``None``
    to drop it."""
    out: dict[str, Any] = {}
    for key, value in p.items():
        if key in changes:
            change = changes[key]
            if change is not None:
                out[change[0]] = change[1]
        elif value is not None:
            out[key] = value
    return out


_NO_REFERENCE = {"nl": "geen referentiewaarde voor modus {key_value}: stem af met de vervoerder",
                 "en": "no reference value for mode {key_value}: agree it with the operator"}
_TRANSLATORS = {"conditional_threshold": _conditional, "threshold_by_code": _by_code,
                "mode_threshold": _mode, "lookup": _lookup}


def translate_check(check: dict[str, Any]) -> dict[str, Any] | None:
    """A rule's ``check`` mapping in the new form (``lenient`` translated with it), or
    ``None`` when it needs no migration."""
    kind = check.get("type")
    params = check.get("params") or {}
    new = translate(kind, params) if isinstance(kind, str) and isinstance(params, dict) else None
    if new is None:
        return None
    out: dict[str, Any] = {}
    for key, value in check.items():
        if key == "type":
            out["type"] = "threshold"
        elif key == "params":
            out["params"] = new
        elif key == "lenient" and isinstance(value, dict) and value and isinstance(kind, str):
            full = translate(kind, {**params, **value}) or {}
            out["lenient"] = {k: v for k, v in full.items() if new.get(k) != v}
        else:
            out[key] = value
    out.setdefault("params", new)
    return out


# -- writing YAML in the style of the rule files -----------------------------------------------
_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_ .()/-]*$")


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} is not a finite number")
        return repr(value)
    text = str(value)
    if _PLAIN.match(text) and not text.endswith(" ") and load_text(text) == text:
        return text
    return json.dumps(text, ensure_ascii=False)


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_scalar(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return _scalar(value)


def _is_leafy(value: Any) -> bool:
    """A mapping or list of scalars (or of such mappings of scalars: conditions)."""
    if isinstance(value, dict):
        return all(not isinstance(v, (dict, list)) or (isinstance(v, (dict, list)) and all(
            not isinstance(x, (dict, list)) for x in (v.values() if isinstance(v, dict) else v)))
            for v in value.values())
    if isinstance(value, list):
        return all(not isinstance(v, (dict, list)) for v in value)
    return True


def _block(value: Any, indent: int) -> list[str]:
    """Lines of a mapping or list in block style; small leaves in flow style."""
    pad = " " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            head = f"{pad}{_scalar(key)}:"
            if isinstance(item, (dict, list)) and item:
                flow = _flow(item)
                if _is_leafy(item) and len(head) + len(flow) < 88 and not _always_block(key):
                    lines.append(f"{head} {flow}")
                else:
                    lines.append(head)
                    lines.extend(_block(item, indent + 2))
            else:
                lines.append(f"{head} {_flow(item)}")
    elif isinstance(value, list):
        for item in value:
            sub = _block(item, indent + 2) if isinstance(item, (dict, list)) else \
                [f"{pad}  {_scalar(item)}"]
            if isinstance(item, (dict, list)) and item:
                lines.append(f"{pad}- {sub[0].lstrip()}")
                lines.extend(sub[1:])
            else:
                lines.append(f"{pad}- {_flow(item)}")
    return lines


def _always_block(key: Any) -> bool:
    return key in ("params", "lenient", "note", "limits_by", "any")


def dump_check(check: dict[str, Any]) -> str:
    """``check:`` and its block, as the rule files write it."""
    return "\n".join(["check:", *_block(check, 2)]) + "\n"


# -- rewriting rule files ----------------------------------------------------------------------
class MigrateError(ValueError):
    """A rule file that cannot be migrated (unreadable, or no ``check:`` block found)."""


_TOP_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\s*:")


def _check_span(lines: list[str]) -> tuple[int, int]:
    """First and end line index of the top-level ``check:`` block (comments and blank lines
    right after it, before the next key, stay outside it)."""
    start = next((i for i, line in enumerate(lines) if re.match(r"^check\s*:", line)), None)
    if start is None:
        raise MigrateError("no top-level check: block")
    end = start + 1
    while end < len(lines) and not _TOP_KEY.match(lines[end]):
        end += 1
    while end - 1 > start and (not lines[end - 1].strip()
                               or lines[end - 1].lstrip().startswith("#")):
        end -= 1
    return start, end


def _comments(block: list[str], new: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """Full-line comments of the old block, and trailing comments of the parameters that keep
    their key and value (``property: width_m  # ...``)."""
    full = [line for line in block[1:] if line.lstrip().startswith("#")]
    trailing: dict[str, str] = {}
    params = new.get("params") or {}
    for line in block:
        m = re.match(r"^\s+([A-Za-z_][A-Za-z0-9_]*)\s*:\s*([^#{\[]*?)\s+(#.*)$", line)
        if m and m.group(1) in params and not isinstance(params[m.group(1)], (dict, list)) \
                and load_text(m.group(2) or "null") == params[m.group(1)]:
            trailing[m.group(1)] = m.group(3)
    return full, trailing


def migrate_text(text: str) -> str:
    """``text`` of a ``rule.yaml`` with its ``check:`` block in the new form (unchanged when
    there is nothing to migrate)."""
    try:
        data = load_text(text, unique_keys=True)
    except YamlProblem as exc:
        raise MigrateError(f"invalid YAML: {exc.problem}") from None
    check = data.get("check") if isinstance(data, dict) else None
    if not isinstance(check, dict):
        return text
    new = translate_check(check)
    if new is None:
        return text
    lines = text.splitlines(keepends=True)
    start, end = _check_span(lines)
    full, trailing = _comments([line.rstrip("\n") for line in lines[start:end]], new)
    body = dump_check(new).splitlines()
    out_lines = [body[0], *[f"  {c.strip()}" for c in full]]
    for line in body[1:]:
        m = re.match(r"^    ([A-Za-z_][A-Za-z0-9_]*):", line)
        out_lines.append(f"{line}  {trailing[m.group(1)]}" if m and m.group(1) in trailing
                         else line)
    result = "".join(lines[:start]) + "\n".join(out_lines) + "\n" + "".join(lines[end:])
    if load_text(result, unique_keys=True).get("check") != new:  # pragma: no cover - guard
        raise MigrateError("the rewritten check block does not read back as written")
    return result


@dataclass(frozen=True, slots=True)
class Migration:
    """One rule file: its path, old and new text (equal when nothing changes)."""

    path: Path
    old: str
    new: str

    @property
    def changed(self) -> bool:
        return self.old != self.new

    def diff(self, root: Path | None = None) -> str:
        name = str(self.path.relative_to(root)) if root and self.path.is_relative_to(root) \
            else str(self.path)
        return "".join(difflib.unified_diff(self.old.splitlines(keepends=True),
                                            self.new.splitlines(keepends=True),
                                            f"a/{name}", f"b/{name}"))


def rule_files(path: Path) -> list[Path]:
    """The ``rule.yaml`` files at or below ``path`` (a file, a rule folder, a set, or sets)."""
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("rule.yaml") if p.is_file())


def migrate_path(path: Path) -> tuple[list[Migration], list[tuple[Path, str]]]:
    """The migrations of every rule file below ``path`` and the files that could not be
    read or rewritten (with the reason)."""
    done: list[Migration] = []
    problems: list[tuple[Path, str]] = []
    for file in rule_files(path):
        try:
            old = file.read_text(encoding="utf-8")
            done.append(Migration(file, old, migrate_text(old)))
        except (OSError, UnicodeDecodeError, MigrateError) as exc:
            problems.append((file, str(exc)))
    return done, problems


__all__ = ["DEPRECATED_PARAMS", "DEPRECATED_TYPES", "Migration", "MigrateError",
           "deprecations", "dump_check", "migrate_path", "migrate_text", "translate",
           "translate_check"]
