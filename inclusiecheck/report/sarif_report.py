"""Findings as SARIF 2.1.0 (``report.sarif``) for code-scanning dashboards and CI.

One run. ``tool.driver.rules`` comes from the report's rule catalogue (``helpUri`` = the
source's url). Result levels: ``error`` for a failing obligation, ``warning`` for a failing
recommendation and for every ``warn``, ``note`` for ``to_verify``. A granted deviation keeps
the level of its rule and carries an accepted external suppression with the justification;
with ``--all``, passes and not-applicable results are kinds ``pass`` / ``notApplicable`` at
level ``none``. Each result points to the plan file (physical location) and to the layer and
feature (logical location); the GeoJSON location goes into the result's properties.
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import quote

from inclusiecheck.model import Finding, Level, Outcome, Report, RuleInfo
from inclusiecheck.report.json_report import (
    TOOL_NAME,
    canonical,
    canonical_geometry,
    dumps,
    relative_path,
    round_float,
)
from inclusiecheck.report.registry import RenderOptions, output_format

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = ("https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
                "sarif-schema-2.1.0.json")
#: version of the partial fingerprint below; bump it when its inputs change
FINGERPRINT_KEY = "inclusiecheck/v1"


def result_level(finding: Finding) -> str:
    """The SARIF level of a finding."""
    outcome = finding.outcome
    if outcome in (Outcome.FAIL, Outcome.DEVIATION):
        return "error" if finding.level is Level.OBLIGATION else "warning"
    if outcome is Outcome.WARN:
        return "warning"
    if outcome is Outcome.TO_VERIFY:
        return "warning" if finding.would_fail else "note"
    return "none"


def _kind(finding: Finding) -> str | None:
    if finding.outcome is Outcome.PASS:
        return "pass"
    if finding.outcome is Outcome.NOT_APPLICABLE:
        return "notApplicable"
    return None  # SARIF's default kind: fail


def rule_descriptor(info: RuleInfo) -> dict[str, Any]:
    """A SARIF reportingDescriptor for one rule of the catalogue."""
    citation = f"{info.source.document}, {info.source.article}"
    out: dict[str, Any] = {
        "id": info.id,
        "name": info.id.replace("-", "_"),
        "shortDescription": {"text": info.title},
        "fullDescription": {"text": info.description or info.title},
        "help": {"text": citation},
        "defaultConfiguration": {
            "level": "error" if info.level is Level.OBLIGATION else "warning"},
        "properties": {
            "rule_set": info.rule_set,
            "rule_set_version": info.rule_set_version,
            "pillar": info.pillar.value,
            "level": info.level.value,
            "structural": info.structural,
            "layer": info.layer,
            "source": info.source.as_dict(),
            "tags": [info.pillar.value, info.level.value, info.rule_set],
        },
    }
    if info.source.url:
        out["helpUri"] = info.source.url
    return out


def _fallback_descriptor(finding: Finding) -> dict[str, Any]:
    """A descriptor for a finding whose rule is missing from the catalogue."""
    return {
        "id": finding.rule_id,
        "shortDescription": {"text": finding.rule_id},
        "help": {"text": f"{finding.source.document}, {finding.source.article}"},
        "properties": {"rule_set": finding.rule_set, "pillar": finding.pillar.value,
                       "level": finding.level.value, "structural": finding.structural},
        **({"helpUri": finding.source.url} if finding.source.url else {}),
    }


def _fingerprint(finding: Finding) -> str:
    key = "\x1f".join((finding.rule_id, finding.layer, finding.feature_id,
                       finding.property or ""))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _locations(finding: Finding) -> list[dict[str, Any]]:
    location: dict[str, Any] = {}
    file = (finding.source_ref or {}).get("file")
    if file:
        uri = quote(relative_path(str(file)), safe="/:@-._~")
        location["physicalLocation"] = {"artifactLocation": {"uri": uri}}
    location["logicalLocations"] = [{
        "name": finding.feature_id,
        "fullyQualifiedName": f"{finding.layer}/{finding.feature_id}",
        "kind": "element",
    }]
    return [location]


def _message(finding: Finding) -> str:
    text = finding.message or finding.rule_id
    if finding.missing:
        text += f" [missing: {', '.join(finding.missing)}]"
    return text


def result(finding: Finding, rule_index: int) -> dict[str, Any]:
    """A SARIF result for one finding."""
    out: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": result_level(finding),
        "message": {"text": _message(finding)},
        "locations": _locations(finding),
        "partialFingerprints": {FINGERPRINT_KEY: _fingerprint(finding)},
    }
    kind = _kind(finding)
    if kind:
        out["kind"] = kind
    if finding.outcome is Outcome.DEVIATION:
        dev = finding.deviation or {}
        out["suppressions"] = [{
            "kind": "external",
            "status": "accepted",
            "justification": str(dev.get("justification") or ""),
        }]
    props: dict[str, Any] = {
        "outcome": finding.outcome.value,
        "level": finding.level.value,
        "pillar": finding.pillar.value,
        "structural": finding.structural,
        "rule_set": finding.rule_set,
        "rule_set_version": finding.rule_set_version,
        "rule_version": finding.rule_version,
        "layer": finding.layer,
        "feature_id": finding.feature_id,
        "property": finding.property,
        "measured": _value(finding.measured),
        "required": _value(finding.required),
        "unit": finding.unit,
        "advice": finding.advice,
        "source": finding.source.as_dict(),
        "status": finding.status,
        "location": canonical_geometry(finding.location),
    }
    if finding.missing:
        props["missing"] = list(finding.missing)
    if finding.regime_reason is not None:
        props["regime"] = finding.regime or "undecided"
        props["regime_reason"] = dict(finding.regime_reason)
    if finding.would_fail is not None:
        props["would_fail"] = finding.would_fail
    if finding.deviation:
        props["deviation"] = canonical(finding.deviation)
    out["properties"] = props
    return out


def _value(value: object) -> object:
    return round_float(value, 3) if isinstance(value, float) else value


def sarif_log(report: Report) -> dict[str, Any]:
    """Return the SARIF log of ``report`` as plain data."""
    rules = [rule_descriptor(info) for info in report.rules]
    index = {info.id: i for i, info in enumerate(report.rules)}
    results = []
    for finding in report.listed_findings():
        if finding.rule_id not in index:
            index[finding.rule_id] = len(rules)
            rules.append(_fallback_descriptor(finding))
        results.append(result(finding, index[finding.rule_id]))
    driver: dict[str, Any] = {"name": TOOL_NAME, "rules": rules}
    if report.tool_version:
        driver["version"] = report.tool_version
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "language": report.lang,
        "columnKind": "unicodeCodePoints",
        "results": results,
        "properties": {
            "crs": report.crs,
            "verdict": canonical(report.verdict.as_dict()),
            "rule_sets": [canonical(rs) for rs in report.rule_sets],
        },
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


@output_format("sarif", "report.sarif", "application/sarif+json",
               "SARIF 2.1.0 for code-scanning dashboards and CI")
def render_sarif(report: Report, options: RenderOptions) -> bytes:
    """Render ``report`` as SARIF 2.1.0 (``report.sarif``)."""
    return dumps(sarif_log(report))
