"""The view-model of the inclusion advice: one dict of display-ready data for a Report.

The HTML template renders it, the Markdown advice reuses it. Everything here is plain data
(strings, numbers, lists, dicts); text from the plan stays raw and is escaped by the renderer
(Jinja2 autoescape for HTML, :func:`inclusiecheck.report.markdown_report.md_escape` for
Markdown). UI strings come from the catalogues in ``locales/<lang>.yaml``.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import math
import re
from importlib import resources
from typing import Any
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from inclusiecheck.model import Finding, InputError, Level, Outcome, Pillar, Report, RuleInfo
from inclusiecheck.model.labels import label as attr_label
from inclusiecheck.model.labels import has_label, unit_label, value_label
from inclusiecheck.model.safe_yaml import load_text
from inclusiecheck.report.json_report import relative_path

#: languages with a UI catalogue
LANGS = ("nl", "en")
#: plan metadata shown in the dossier table, in this order
PLAN_FIELDS = ("project", "dossier", "municipality", "applicant", "designer", "reviewer",
               "permit_date", "work_kind")
#: outcome columns of the counts table, in this order
COUNT_OUTCOMES = (Outcome.FAIL, Outcome.DEVIATION, Outcome.WARN, Outcome.TO_VERIFY,
                  Outcome.PASS, Outcome.NOT_APPLICABLE)
#: the verdict codes of the data profile
VERDICT_CODES = ("gunstig", "gunstig_onder_voorwaarden", "ongunstig", "niet_van_toepassing")


@functools.cache
def load_catalogue(lang: str) -> dict[str, str]:
    """Return the UI strings of ``lang`` (``nl`` or ``en``).

    Raises
    ------
    InputError
        When ``lang`` has no catalogue.
    """
    if lang not in LANGS:
        raise InputError(f"unknown report language {lang!r}; choose from {', '.join(LANGS)}")
    text = (resources.files("inclusiecheck.report") / "locales" / f"{lang}.yaml").read_text(
        encoding="utf-8")
    data = load_text(text)   # (libyaml where PyYAML has it)
    return {str(k): str(v) for k, v in data.items()}


def safe_url(url: object) -> str | None:
    """Return ``url`` when it is an absolute http(s) link, else None (no javascript: links)."""
    if not isinstance(url, str) or not url.strip():
        return None
    parts = urlsplit(url.strip())
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return url.strip()
    return None


def format_number(value: float | int, lang: str) -> str:
    """Format a number with at most 3 decimals, a decimal comma in Dutch."""
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return "?"
    text = f"{value:.3f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
    if text == "-0":
        text = "0"
    return text.replace(".", ",") if lang == "nl" else text


def value_words(value: str, prop: str | None, lang: str) -> str:
    """A code or a comma list of names as words ("women_only" -> "alleen bij de vrouwen")."""
    parts = [p.strip() for p in value.split(",")]
    return ", ".join(value_label(prop, p, lang) or attr_label(p, lang) for p in parts)


def format_value(value: object, unit: str | None, t: Mapping[str, str], lang: str,
                 prop: str | None = None) -> str | None:
    """Format a measured or required value with its unit; None when there is no value.

    Codes and names become words in ``lang`` (``prop``: the attribute the value belongs to).
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return t["value.yes"] if value else t["value.no"]
    if isinstance(value, (int, float)):
        text = format_number(value, lang)
    else:
        text = value_words(str(value), prop, lang)
    unit = unit_label({"pct": "%", "percent": "%"}.get(unit or "", unit), lang, value)
    if not unit:
        return text
    return f"{text}{unit}" if unit in ("%", "°") else f"{text} {unit}"


def finding_key(finding: Finding) -> tuple:
    """A hashable identity of a finding (findings hold dicts, so they are not hashable)."""
    return (finding.rule_id, finding.layer, finding.feature_id, finding.property,
            finding.outcome.value, finding.rule_set)


def finding_anchor(finding: Finding) -> str:
    """A stable HTML id of a finding, derived from its key (not its running number).

    ``f-<rule>-<layer>-<feature>-<hash>``: the readable part is the rule id, layer and feature id
    reduced to ``[a-z0-9_-]``; the hash (8 hex digits of SHA-256 over rule set, rule id, layer,
    feature id, property and the finding's location) keeps ids distinct when the readable
    parts collide, and between two findings of one rule on one feature (two narrowings of one
    walkway, each at its own place). The same id is in the ``anchor`` column of
    ``findings.gpkg``, so a GIS can open ``report.html#<anchor>``.
    """
    where = json.dumps(finding.location, sort_keys=True, separators=(",", ":")) \
        if finding.location is not None else ""
    key = "\x1f".join((finding.rule_set, finding.rule_id, finding.layer, finding.feature_id,
                       finding.property or "", where))
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:8]
    readable = "-".join(_ANCHOR_UNSAFE.sub("_", part.lower()).strip("_")[:40]
                        for part in (finding.rule_id, finding.layer, finding.feature_id))
    return f"f-{readable}-{digest}"


_ANCHOR_UNSAFE = re.compile(r"[^a-z0-9_-]+")


def _source(finding: Finding) -> dict[str, Any]:
    src = finding.source
    return {"document": src.document, "article": src.article, "url": safe_url(src.url),
            "kind": src.kind}


def _deviation(finding: Finding) -> dict[str, Any] | None:
    if finding.outcome is not Outcome.DEVIATION and not finding.deviation:
        return None
    dev = dict(finding.deviation or {})
    return {
        "justification": dev.get("justification"),
        "decided_by": dev.get("decided_by"),
        "date": str(dev["date"]) if dev.get("date") is not None else None,
    }


def rule_index(report: Report) -> dict[str, RuleInfo]:
    """The report's rule catalogue by id (``Report.rule`` scans the catalogue per call)."""
    return {info.id: info for info in report.rules}


_LAYER_REF = re.compile(r"(?<![\w/.-])([a-z][a-z_]*)/([^\s,;:()\[\]]+)")


def humanize(text: str | None, t: Mapping[str, str]) -> str | None:
    """Feature references written ``layer/id`` by a check ("obstacle/cabine-oost") as words:
    the layer's label and the id ("obstakel cabine-oost")."""
    if not text or "/" not in text:
        return text

    def sub(match: re.Match[str]) -> str:
        label = t.get(f"layer.{match.group(1)}")
        return f"{label} {match.group(2)}" if label else match.group(0)

    return _LAYER_REF.sub(sub, text)


def finding_item(number: int | None, finding: Finding, report: Report,
                 t: Mapping[str, str], lang: str,
                 rules: Mapping[str, RuleInfo] | None = None) -> dict[str, Any]:
    """Return the display data of one finding."""
    info = (rules if rules is not None else rule_index(report)).get(finding.rule_id)
    missing = list(finding.missing)
    return {
        "number": number,
        "anchor": finding_anchor(finding) if number is not None else None,
        "rule_id": finding.rule_id,
        "rule_set": finding.rule_set,
        "rule_set_version": finding.rule_set_version or (info.rule_set_version if info else None),
        "title": info.text("title", lang) if info else finding.rule_id,
        "layer": finding.layer,
        "layer_label": t.get(f"layer.{finding.layer}", finding.layer),
        "feature_id": finding.feature_id,
        "property": finding.property,
        # an attribute without a label is named in the technical annex only
        "property_label": attr_label(finding.property, lang, unit=True)
        if finding.property and has_label(finding.property) else None,
        "outcome": finding.outcome.value,
        "outcome_label": t[f"outcome.{finding.outcome.value}"],
        "level": finding.level.value,
        "level_label": t[f"level.{finding.level.value}"],
        "pillar": finding.pillar.value,
        "pillar_label": t[f"pillar.{finding.pillar.value}"],
        "structural": finding.structural,
        "structural_label": t["finding.structural_yes" if finding.structural
                              else "finding.structural_no"],
        "measured": format_value(finding.measured, finding.unit, t, lang, finding.property),
        "required": format_value(finding.required, finding.unit, t, lang, finding.property),
        "message": humanize(finding.text("message", lang), t),
        "advice": finding.text("advice", lang),
        "source": _source(finding),
        "missing": missing,
        "missing_labels": [attr_label(m, lang, unit=True) for m in missing],
        # what the finding waits for that is not a datum (features and their rules)
        "pending": [m for m in missing if not is_datum(m)],
        "note": humanize(finding.text("note", lang), t),
        "deviation": _deviation(finding),
        "existing": finding.status == "existing",
        "has_location": bool(finding.location),
        "regime": finding.regime or ("undecided" if finding.regime_reason else None),
        "regime_label": t.get(f"regime.{finding.regime or 'undecided'}")
        if finding.regime_reason else None,
        "regime_reason": (finding.regime_reason or {}).get(lang),
        "would_fail": finding.would_fail,
    }


#: deciding findings, conditions and groups shown on the first page; the rest are counted
FIRST_PAGE_ITEMS = 5


def is_grouped(finding: Finding) -> bool:
    """Whether a finding is folded into a to-verify group: a design finding to verify that
    would not fail (a would-fail finding is never folded)."""
    return (finding.outcome is Outcome.TO_VERIFY and not finding.would_fail
            and finding.status != "existing")


_ATTRIBUTE_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")

#: the start of a to-verify group's second key part when its findings miss no datum of the
#: plan but wait for the outcome of other rules (then the group is per rule)
PENDING_PREFIX = "rule:"


def is_datum(missing: str) -> bool:
    """Whether an entry of a finding's ``missing`` names a datum (an attribute or a layer),
    not a description such as ``"en0-12 (TV-01, TV-06)"`` (features whose outcome of other
    rules is not decided yet, as ``any_compliant`` gives)."""
    return bool(_ATTRIBUTE_NAME.match(missing))


def group_key(finding: Finding) -> tuple[str, str]:
    """The to-verify group of a finding: its layer and the (first) datum it misses; a finding
    that misses no datum but waits for the outcome of other rules is grouped per rule
    (``rule:<id>``), not one group per description."""
    missing = finding.missing
    if not missing:
        return (finding.layer, finding.property or "?")
    if is_datum(missing[0]):
        return (finding.layer, missing[0])
    data = [m for m in missing if is_datum(m)]
    return (finding.layer, data[0] if data else PENDING_PREFIX + finding.rule_id)


_LEVEL_RANK = {Level.OBLIGATION: 0, Level.RECOMMENDATION: 1}


def reading_order(report: Report) -> tuple[list[Finding], dict[tuple[str, str], list[Finding]]]:
    """The listed findings in the order the advice shows them, and the to-verify groups.

    Order: design findings not folded into a group, by pillar and then level (obligations
    before recommendations), the report's order within; then the existing situation; then
    the to-verify groups (obligations first, by layer and missing datum), each group's
    findings in the report's order. Numbers 1..n follow this order in HTML, Markdown and map.
    """
    listed = report.listed_findings()
    pillar_rank = {p: i for i, p in enumerate(Pillar)}
    cards = [f for f in listed if not is_grouped(f) and f.status != "existing"]
    cards.sort(key=lambda f: (pillar_rank[f.pillar], _LEVEL_RANK[f.level]))  # stable
    existing = [f for f in listed if f.status == "existing"]
    groups: dict[tuple[str, str], list[Finding]] = {}
    for f in listed:
        if is_grouped(f):
            groups.setdefault(group_key(f), []).append(f)
    order = sorted(groups, key=lambda k: (min(_LEVEL_RANK[f.level] for f in groups[k]),
                                          k[0], k[1]))
    groups = {k: groups[k] for k in order}
    grouped = [f for k in order for f in groups[k]]
    return [*cards, *existing, *grouped], groups


def _numbered(report: Report) -> list[tuple[int, Finding]]:
    return [(i + 1, f) for i, f in enumerate(reading_order(report)[0])]


def group_anchor(key: tuple[str, str]) -> str:
    """The HTML id of a to-verify group."""
    readable = "-".join(_ANCHOR_UNSAFE.sub("_", part.lower()).strip("_")[:40] for part in key)
    return f"g-{readable}"


def _to_verify_groups(groups: Mapping[tuple[str, str], list[Finding]],
                      items_by_key: Mapping[tuple, dict[str, Any]], report: Report,
                      t: Mapping[str, str], lang: str,
                      rules: Mapping[str, RuleInfo]) -> list[dict[str, Any]]:
    out = []
    for key, findings in groups.items():
        layer, attribute = key
        features = list(dict.fromkeys(f.feature_id for f in findings))
        rule_ids = list(dict.fromkeys(f.rule_id for f in findings))
        also = sorted({m for f in findings for m in f.missing[1:]
                       if m != attribute and is_datum(m)})
        layer_label = t.get(f"layer.{layer}", layer)
        level = ("obligation" if any(f.level is Level.OBLIGATION for f in findings)
                 else "recommendation")
        if attribute.startswith(PENDING_PREFIX):
            attr = attribute[len(PENDING_PREFIX):]
            heading = t["to_verify.group_pending"].format(count=len(features),
                                                         layer=layer_label, rule=attr)
        else:
            attr = attr_label(attribute, lang, unit=True)
            heading = t["to_verify.group"].format(count=len(features), layer=layer_label,
                                                  attribute=attr)
        out.append({
            "key": key, "anchor": group_anchor(key), "layer": layer, "layer_label": layer_label,
            "attribute": attribute, "attribute_label": attr,
            "also_missing": [attr_label(m, lang, unit=True) for m in also],
            "features": len(features), "count": len(findings), "level": level,
            "level_label": t[f"level.{level}"],
            "heading": heading,
            "rules": [{"rule_id": r, "title": rules[r].text("title", lang) if r in rules else r}
                      for r in rule_ids],
            "entries": [items_by_key[finding_key(f)] for f in findings],
            "numbers": [items_by_key[finding_key(f)]["number"] for f in findings],
        })
    return out


def _plan_rows(report: Report, t: Mapping[str, str], lang: str) -> list[dict[str, str]]:
    plan = report.plan
    rows: list[dict[str, str]] = []
    for name in PLAN_FIELDS:
        value = plan.get(name)
        if value is None or value == "":
            text = t["value.unknown"]
        elif name == "work_kind":
            text = t.get(f"work_kind.{value}", str(value))
        else:
            text = str(value)
        rows.append({"key": name, "label": t[f"plan.{name}"], "value": text})
    built_up = plan.get("built_up_area")
    if built_up is None:
        text = f"{t['value.yes']} ({t['value.assumed']})"
    else:
        text = t["value.yes"] if built_up else t["value.no"]
    rows.append({"key": "built_up_area", "label": t["plan.built_up_area"], "value": text})
    public = plan.get("public_building")
    rows.append({"key": "public_building", "label": t["plan.public_building"],
                 "value": t["value.unknown"] if public is None
                 else t["value.yes"] if public else t["value.no"]})
    if plan.get("regime"):
        rows.append({"key": "regime", "label": t["plan.regime"],
                     "value": t.get(f"regime.{plan['regime']}", str(plan["regime"]))})
    regimes = report.summary.get("regimes")
    if isinstance(regimes, Mapping) and isinstance(regimes.get("counts"), Mapping):
        parts = [f"{t.get('regime.' + code, code)}: {n}"
                 for code, n in regimes["counts"].items() if n]
        if parts:
            rows.append({"key": "regimes", "label": t["plan.regimes"], "value": "; ".join(parts)})
    rows.append({"key": "crs", "label": t["plan.crs"], "value": report.crs})
    completeness = report.summary.get("completeness")
    if isinstance(completeness, Mapping):
        def names(key: str) -> str:
            return ", ".join(t.get(f"layer.{name}", name) for name in completeness.get(key) or ()
                             ) or t["value.none"]

        how = t["completeness.declared" if completeness.get("declared") else
                "completeness.default"]
        rows.append({"key": "completeness", "label": t["plan.completeness"],
                     "value": f"{names('complete')} ({how}); {t['completeness.incomplete']}: "
                              f"{names('incomplete')}"})
    if plan.get("data_attribution"):
        rows.append({"key": "data_attribution", "label": t["plan.data_attribution"],
                     "value": str(plan["data_attribution"])})
    return rows


def _stops(report: Report, t: Mapping[str, str], lang: str) -> dict[str, Any] | None:
    """The share of stops accessible per category next to the Flemish baseline."""
    block = report.summary.get("stops")
    if not isinstance(block, dict):
        return None
    # the design's stops; else (an OpenStreetMap or GTFS plan) the existing ones
    existing = not block.get("count")
    if existing and not block.get("existing_count"):
        return None
    rows = []
    for key in ("motor", "motor_assisted", "visual"):
        cat = (block.get("categories") or {}).get(key)
        if not isinstance(cat, dict):
            continue
        if existing:
            cat = {**cat, **(cat.get("existing") or {})}
        share = cat.get("share_pct")
        base = cat.get("baseline_pct")
        rows.append({
            "label": t[f"stops.{key}"],
            "accessible": int(cat.get("accessible", 0) or 0),
            "not_accessible": int(cat.get("not_accessible", 0) or 0),
            "to_verify": int(cat.get("to_verify", 0) or 0),
            "share": f"{format_number(float(share), lang)} %" if share is not None else "—",
            "baseline": f"{format_number(float(base), lang)} %" if base is not None else "—",
            "rule_id": cat.get("rule_id"),
        })
    # one source line; when the categories' Flemish figures come from different sources, each
    # is named with its rule (HA-12's share is computed from other De Lijn figures than HA-01's)
    cited: dict[str, list[str]] = {}
    for cat in (block.get("categories") or {}).values():
        if isinstance(cat, dict) and cat.get("baseline_source"):
            cited.setdefault(str(cat["baseline_source"]), []).append(str(cat.get("rule_id")))
    if len(cited) > 1:
        source = "; ".join(f"{', '.join(ids)}: {src}" for src, ids in cited.items())
    else:
        source = next(iter(cited), "")
    operator = (block.get("operator") or {}).get("existing" if existing else "new")
    operator_row = None
    if isinstance(operator, dict):
        share = operator.get("share_pct")
        operator_row = {
            "label": t["stops.operator"],
            "accessible": int(operator.get("yes", 0) or 0),
            "not_accessible": int(operator.get("no", 0) or 0),
            "to_verify": int(operator.get("unknown", 0) or 0)
            + int(operator.get("limited", 0) or 0),
            "share": f"{format_number(float(share), lang)} %" if share is not None else "—",
            "baseline": "—",
        }
    return {"count": int(block["existing_count" if existing else "count"]), "rows": rows,
            "source": source, "existing": existing, "operator": operator_row}


def _outcome_counts(value: object) -> dict[str, int] | None:
    """``{outcome: n}`` from a summary entry, or None when it has another shape."""
    if not isinstance(value, Mapping):
        return None
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in value.values()):
        return None
    return {str(k): int(v) for k, v in value.items()}


def _grouped(value: object) -> dict[str, dict[str, int]] | None:
    """``{group: {outcome: n}}`` from a summary entry, or None when it has another shape."""
    if not isinstance(value, Mapping):
        return None
    out = {str(k): _outcome_counts(v) for k, v in value.items()}
    return None if any(v is None for v in out.values()) else out  # type: ignore[return-value]


def _count_findings(report: Report, attr: str) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for f in report.findings:
        if f.status == "existing":
            continue
        key = getattr(f, attr)
        key = key.value if hasattr(key, "value") else str(key)
        row = out.setdefault(key, {})
        row[f.outcome.value] = row.get(f.outcome.value, 0) + 1
    return out


def _counts(report: Report, t: Mapping[str, str], lang: str = "nl") -> dict[str, Any]:
    """Count tables per pillar, per level and per rule set (columns: outcomes).

    Counts come from ``report.summary`` (``by_pillar``, ``by_level``, ``by_rule_set``: each
    ``{name: {outcome: n}}``, passes included, the existing situation apart in ``existing``),
    else from the findings themselves (which hold passes only with ``--all``).
    """
    summary = report.summary or {}
    columns = [{"key": o.value, "label": t[f"outcome.{o.value}"]} for o in COUNT_OUTCOMES]

    def row(label: str, counts: Mapping[str, int]) -> dict[str, Any]:
        cells = [counts.get(o.value, 0) for o in COUNT_OUTCOMES]
        return {"label": label, "cells": cells, "total": sum(cells)}

    def table(key: str, attr: str, caption: str, header: str, order: list[str],
              label: Any) -> dict[str, Any]:
        data = _grouped(summary.get(key))
        if data is None:
            data = _count_findings(report, attr)
        names = [n for n in order if n in data] + sorted(n for n in data if n not in order)
        rows = [row(label(n), data[n]) for n in names]
        return {"key": key, "caption": caption, "header": header, "rows": rows,
                "totals": [sum(r["cells"][i] for r in rows) for i in range(len(columns))],
                "total": sum(r["total"] for r in rows)}

    pillars = [p.value for p in Pillar]
    levels = [lv.value for lv in Level]
    tables = [
        table("by_pillar", "pillar", t["summary.caption_pillar"], t["summary.pillar"], pillars,
              lambda n: t.get(f"pillar.{n}", n)),
        table("by_level", "level", t["summary.caption_level"], t["summary.level"], levels,
              lambda n: t.get(f"level.{n}", n)),
        table("by_rule_set", "rule_set", t["summary.caption_rule_set"], t["rule_sets.name"],
              [str(rs.get("name")) for rs in report.rule_sets],
              lambda n: (getattr(report, "rule_set_titles", {}) or {}).get(n, {}).get(lang) or n),
    ]
    existing = _outcome_counts(summary.get("existing"))
    if existing is None:
        existing = {}
        for f in report.findings:
            if f.status == "existing":
                existing[f.outcome.value] = existing.get(f.outcome.value, 0) + 1
    return {"columns": columns, "tables": tables, "total": tables[0]["total"],
            "existing": row(t["summary.existing"], existing) if existing else None,
            "listed": len(report.listed_findings())}


def _verdict(report: Report, numbers: dict[tuple, int], t: Mapping[str, str],
             lang: str, rules: Mapping[str, RuleInfo],
             items_by_key: Mapping[tuple, dict[str, Any]] | None = None,
             groups: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The verdict, with its deciding findings and conditions as references by number.

    Conditions folded into a to-verify group are referred to by their group ("data to
    supply"); the first page shows the first :data:`FIRST_PAGE_ITEMS` of each list and counts
    the rest. With no obligation in scope, the public-domain recommendation fails take the
    place of the deciding findings (``recommendation_fails``).
    """
    verdict = report.verdict
    code = verdict.code if verdict.code in VERDICT_CODES else "niet_van_toepassing"

    def items(findings: Iterable[Finding]) -> list[dict[str, Any]]:
        out = []
        for f in findings:
            key = finding_key(f)
            if items_by_key is not None and key in items_by_key:
                out.append(items_by_key[key])
            else:
                out.append(finding_item(numbers.get(key), f, report, t, lang, rules))
        return out

    # findings folded into a to-verify group are referred to by their group (data to supply)
    conditions = [f for f in verdict.conditions if not is_grouped(f)]
    condition_keys = {group_key(f) for f in (*verdict.conditions, *verdict.deciding)
                      if is_grouped(f)}
    supply = [g for g in (groups or []) if g["key"] in condition_keys]
    rec_fails = [f for f in report.listed_findings()
                 if f.level is Level.RECOMMENDATION and f.outcome is Outcome.FAIL
                 and f.status != "existing"]
    rec_fails.sort(key=lambda f: numbers.get(finding_key(f), 0))
    n = FIRST_PAGE_ITEMS
    deciding = items(f for f in verdict.deciding if not is_grouped(f))
    decided = {finding_key(f) for f in verdict.deciding}
    # a finding that decided the verdict is not repeated among the conditions
    cond_items = items(f for f in conditions if finding_key(f) not in decided)
    rec_items = items(rec_fails) if code == "niet_van_toepassing" else []
    if_in_scope = verdict.if_in_scope if verdict.if_in_scope in VERDICT_CODES else code
    return {"code": code, "label": t[f"verdict.{code}"], "reason": verdict.reason_in(lang),
            "deciding": deciding, "conditions": cond_items,
            "deciding_first": deciding[:n], "deciding_rest": max(len(deciding) - n, 0),
            "conditions_first": cond_items[:n], "conditions_rest": max(len(cond_items) - n, 0),
            "supply": supply, "supply_first": supply[:n],
            "supply_rest": max(len(supply) - n, 0),
            "supply_features": sum(g["features"] for g in supply),
            "recommendation_fails": rec_items, "recommendation_fails_first": rec_items[:n],
            "recommendation_fails_rest": max(len(rec_items) - n, 0),
            "if_in_scope": if_in_scope if if_in_scope != code else None,
            "if_in_scope_label": t[f"verdict.{if_in_scope}"] if if_in_scope != code else None}


def _regimes_to_confirm(report: Report, t: Mapping[str, str], lang: str) -> list[dict[str, str]]:
    """Features whose regulation was derived from the drawing, or is undecided."""
    block = report.summary.get("regimes")
    if not isinstance(block, Mapping):
        return []
    out = []
    for entry in block.get("to_confirm") or []:
        if not isinstance(entry, Mapping):
            continue
        reason = entry.get("reason") or {}
        code = str(entry.get("regime") or "undecided")
        out.append({"layer_label": t.get(f"layer.{entry.get('layer')}", str(entry.get("layer"))),
                    "feature_id": str(entry.get("feature_id")),
                    "regime_label": t.get(f"regime.{code}", code),
                    "reason": str(reason.get(lang, "")) if isinstance(reason, Mapping) else ""})
    return out


def _groups(items: list[dict[str, Any]], t: Mapping[str, str]) -> list[dict[str, Any]]:
    """Group finding items by pillar, then level (obligations before recommendations)."""
    groups = []
    for pillar in Pillar:
        in_pillar = [i for i in items if i["pillar"] == pillar.value]
        if not in_pillar:
            continue
        levels = []
        for level in Level:
            in_level = [i for i in in_pillar if i["level"] == level.value]
            levels.append({"level": level.value, "heading": t[f"level_heading.{level.value}"],
                           "intro": t[f"level_intro.{level.value}"], "findings": in_level})
        groups.append({"pillar": pillar.value, "heading": t[f"pillar.{pillar.value}"],
                       "anchor": f"pillar-{pillar.value}", "levels": levels,
                       "count": len(in_pillar)})
    return groups


def _rule_ref(entry: object, rules: Mapping[str, RuleInfo], lang: str = "nl") -> dict[str, Any]:
    """Normalise a coverage entry (a rule id or a dict) to rule id, title, source, detail."""
    data: dict[str, Any] = dict(entry) if isinstance(entry, Mapping) else {"rule_id": str(entry)}
    rule_id = str(data.get("rule_id") or data.get("id") or "")
    info = rules.get(rule_id)
    source = data.get("source")
    if isinstance(source, Mapping):
        src = {"document": source.get("document"), "article": source.get("article"),
               "url": safe_url(source.get("url"))}
    elif info is not None:
        src = {"document": info.source.document, "article": info.source.article,
               "url": safe_url(info.source.url)}
    else:
        src = None
    missing = data.get("missing") or []
    features = next((data[k] for k in ("features", "to_verify", "count") if k in data), None)
    if isinstance(features, (list, tuple)):
        features = len(features)
    return {"rule_id": rule_id,
            "title": (info.text("title", lang) if info else "") or data.get("title") or "",
            "source": src, "missing": [str(m) for m in missing],
            "features": features if isinstance(features, int) else None,
            "description": (info.text("description", lang) if info else "")
            or data.get("description") or ""}


def _not_checked(report: Report, t: Mapping[str, str], lang: str) -> dict[str, Any]:
    rules = rule_index(report)
    cov = report.coverage or {}
    absent = [str(layer) for layer in cov.get("layers_absent", [])]
    undecided_raw = cov.get("undecided_rules", cov.get("undecided", []))
    undecided = [_rule_ref(e, rules, lang) for e in undecided_raw]
    for ref in undecided:
        data = [m for m in ref["missing"] if is_datum(m)]
        ref["missing_labels"] = [attr_label(m, lang, unit=True) for m in data]
        # features waiting for the outcome of other rules: counted, listed under To verify
        ref["pending"] = len(ref["missing"]) - len(data)
    qualitative = [_rule_ref(e, rules, lang) for e in cov.get("qualitative", [])]
    seen = {q["rule_id"] for q in qualitative}
    for info in report.rules:
        if info.qualitative and info.id not in seen:
            qualitative.append(_rule_ref({"rule_id": info.id}, rules, lang))
            seen.add(info.id)
    return {"layers_absent": absent,
            "layers_absent_labels": [t.get(f"layer.{layer}", layer) for layer in absent],
            "undecided": undecided, "qualitative": qualitative,
            "empty": not (absent or undecided or qualitative)}


def _warnings(report: Report, t: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """Reader warnings: a headline in the report's language per code (``title``), then the
    reader's technical message, which is English (``detail_lang``)."""
    out = []
    for w in report.warnings:
        parts = [relative_path(str(w["file"]))] if w.get("file") else []
        parts += [str(w[k]) for k in ("layer", "feature_id") if w.get(k)]
        where = " / ".join(parts)
        title = (t or {}).get(f"warning.{w.get('code')}")
        out.append({"code": w.get("code"), "message": w.get("message", ""), "where": where,
                    "title": title, "detail_lang": "en"})
    return out


def default_check_date() -> dt.date:
    """The date of the check: ``SOURCE_DATE_EPOCH`` (reproducible builds) when set, else today."""
    import os

    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
        except (ValueError, OverflowError, OSError):
            raise InputError(f"SOURCE_DATE_EPOCH={epoch!r}: not a Unix time in seconds") from None
    return dt.date.today()


def _inputs(report: Report) -> list[dict[str, str]]:
    out = []
    for entry in report.plan.get("inputs") or []:
        if isinstance(entry, Mapping):
            out.append({"file": str(entry.get("file", "")), "sha256": str(entry.get("sha256", "")),
                        "bytes": str(entry.get("bytes", ""))})
    return out


def _dossier_line(report: Report, t: Mapping[str, str]) -> list[dict[str, str]]:
    """Dossier number, municipality and permit date: the plan on the first page."""
    plan = report.plan
    out = []
    for name in ("dossier", "municipality", "applicant", "permit_date"):
        value = plan.get(name)
        if value not in (None, ""):
            out.append({"label": t[f"plan.{name}"], "value": str(value)})
    return out


def view_model(report: Report, lang: str | None = None, *, with_map: bool = True,
               check_date: dt.date | None = None) -> dict[str, Any]:
    """Return the display data of ``report`` in ``lang`` (default: the report's language).

    Parameters
    ----------
    report
        The report to show.
    lang
        ``nl`` or ``en``: the language of the UI strings, labels and the findings' texts
        (messages, advice, notes and rule titles are rendered from their templates in it).
    with_map
        Also build the inline SVG map (``map``); Markdown does not need it.
    check_date
        The date of the check to show (default :func:`default_check_date`).

    Returns
    -------
    dict
        ``lang``, ``t`` (UI strings), ``title``, ``plan_title``, ``plan_rows``, ``verdict``
        (with references for the first page), ``counts``, ``findings`` (numbered in the
        reading order of :func:`reading_order`, the same in HTML, Markdown and map),
        ``groups`` (design findings not folded into a to-verify group, by pillar and level),
        ``existing`` (findings on the existing situation), ``to_verify``,
        ``to_verify_groups`` (per layer and missing datum), ``to_verify_loose`` (would-fail
        findings to verify), ``not_checked``, ``warnings``, ``rule_sets``, ``tool``,
        ``check_date``, ``rules_date_warning``, ``inputs``, ``dossier_line``, ``map`` and
        ``map_grid`` (None here; the HTML renderer sets the aggregated map).
    """
    lang = lang or report.lang or "nl"
    t = load_catalogue(lang)
    ordered, groups_by_key = reading_order(report)
    numbered = [(i + 1, f) for i, f in enumerate(ordered)]
    numbers = {finding_key(f): n for n, f in numbered}
    rules = rule_index(report)
    items = [finding_item(n, f, report, t, lang, rules) for n, f in numbered]
    items_by_key = {finding_key(f): item for (_n, f), item in zip(numbered, items)}
    for (_n, f), item in zip(numbered, items):
        item["grouped"] = is_grouped(f)
        item["group_anchor"] = group_anchor(group_key(f)) if item["grouped"] else None
    design = [i for i in items if not i["existing"] and not i["grouped"]]
    existing = [i for i in items if i["existing"]]
    tv_groups = _to_verify_groups(groups_by_key, items_by_key, report, t, lang, rules)
    map_svg = None
    if with_map:
        from inclusiecheck.report.svgmap import render_map

        map_svg = render_map(report, numbered, t, lang=lang, items=items)
    plan_title = report.plan.get("project") or t["untitled_plan"]
    day = check_date if check_date is not None else default_check_date()
    rules_date = report.plan.get("rules_date")
    return {
        "lang": lang,
        "t": t,
        "title": f"{t['title']}: {plan_title}",
        "plan_title": str(plan_title),
        "plan_rows": _plan_rows(report, t, lang),
        "verdict": _verdict(report, numbers, t, lang, rules, items_by_key, tv_groups),
        "counts": _counts(report, t, lang),
        "stops": _stops(report, t, lang),
        "findings": items,
        "groups": _groups(design, t),
        "existing": existing,
        "to_verify": [i for i in items if i["outcome"] == Outcome.TO_VERIFY.value],
        "to_verify_groups": tv_groups,
        "to_verify_loose": [i for i in design if i["outcome"] == Outcome.TO_VERIFY.value],
        "not_checked": _not_checked(report, t, lang),
        "check_date": day.isoformat(),
        "rules_date_warning": t["check.no_permit_date"].format(date=rules_date)
        if rules_date and not report.plan.get("permit_date") else None,
        "inputs": _inputs(report),
        "dossier_line": _dossier_line(report, t),
        "regimes_to_confirm": _regimes_to_confirm(report, t, lang),
        "warnings": _warnings(report, t),
        "rule_sets": [{"name": str(rs.get("name", "")),
                       "title": str((getattr(report, "rule_set_titles", {}) or {})
                                    .get(str(rs.get("name")), {}).get(lang)
                                    or rs.get("title") or ""),
                       "version": str(rs.get("version", "") or "")}
                      for rs in report.rule_sets],
        "tool": {"name": "inclusiecheck", "version": report.tool_version},
        # the data's licence credit (ODbL for OpenStreetMap) wherever the report is shown
        "attribution": str(report.plan.get("data_attribution") or "") or None,
        "map": map_svg,
        # the aggregated map of a plan with very many findings (set by the HTML renderer)
        "map_grid": None,
    }
