"""The ``stops`` summary block: how many stops of the design meet each accessibility category.

For every rule of check type ``stop_category`` in force (one per category, e.g. ``motor`` and
``visual``), each stop of the new design (``status: new``) is counted as accessible, not
accessible, to verify or not applicable, from that rule's findings. Passes are not listed as
findings unless the run lists everything, so a stop the rule applies to without a listed
finding counts as accessible. The block also carries the Flemish baseline share of each
category (``baseline_pct`` of the rule) so that a report can show both side by side, and,
when stops carry it, the operator's own declaration (``operator``: ``operator_accessible``
counted as yes / limited / no / unknown, e.g. from a GTFS feed's ``wheelchair_boarding``),
kept apart from inclusiecheck's categories.
"""

from __future__ import annotations

from typing import Any

from inclusiecheck.engine.conditions import decide
from inclusiecheck.engine.summaries import summary
from inclusiecheck.model import Feature, SiteModel

CATEGORY_CHECK = "stop_category"
NOT_ACCESSIBLE = {"fail", "warn", "deviation"}


def _applies(rule: Any, feature: Feature) -> bool | None:
    """Mirror of the rule's cheap selection for a stop: ``None`` when undecided."""
    applies = rule.spec.applies_to
    if feature.layer not in applies.layers:
        return False
    if applies.geometry and feature.geom_type not in applies.geometry:
        return False
    state, _ = decide(applies.where, feature.get)
    if state is False:
        return False
    if state is None:
        return None if applies.unknown == "to_verify" else False
    return True


def _share(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def category_counts(rule: Any, stops: list[Feature], findings: list[Any]) -> dict[str, Any]:
    """Counts of one category rule over the given stops (see the module docstring)."""
    outcome_of: dict[str, str] = {}
    for finding in findings:
        if finding.rule_id == rule.id and finding.layer == "stop":
            outcome_of[finding.feature_id] = finding.outcome.value
    counts = {"accessible": 0, "not_accessible": 0, "to_verify": 0, "not_applicable": 0}
    for stop in stops:
        outcome = outcome_of.get(stop.id)
        if outcome is None:
            applies = _applies(rule, stop)
            outcome = "pass" if applies else ("to_verify" if applies is None
                                              else "not_applicable")
        if outcome == "pass":
            counts["accessible"] += 1
        elif outcome in NOT_ACCESSIBLE:
            counts["not_accessible"] += 1
        elif outcome == "to_verify":
            counts["to_verify"] += 1
        else:
            counts["not_applicable"] += 1
    judged = len(stops) - counts["not_applicable"]
    params = rule.params
    return {
        "rule_id": rule.id,
        "title": None,
        **counts,
        "share_pct": _share(counts["accessible"], judged),
        "share_decided_pct": _share(counts["accessible"],
                                    counts["accessible"] + counts["not_accessible"]),
        "baseline_pct": params.baseline_pct,
        "baseline_source": params.baseline_source,
    }


def operator_counts(stops: list[Feature]) -> dict[str, Any] | None:
    """The operator's own declaration (``operator_accessible``, e.g. GTFS
    ``wheelchair_boarding``) counted over the stops, apart from inclusiecheck's categories;
    ``None`` when no stop carries one."""
    counts = {"yes": 0, "limited": 0, "no": 0, "unknown": 0}
    for stop in stops:
        value = stop.get("operator_accessible")
        counts[value if value in counts else "unknown"] += 1
    if counts["unknown"] == len(stops):
        return None
    declared = counts["yes"] + counts["limited"] + counts["no"]
    return {**counts, "share_pct": _share(counts["yes"], len(stops)),
            "share_declared_pct": _share(counts["yes"], declared)}


def stops_block(model: SiteModel, evaluation: Any, lang: str) -> dict[str, Any] | None:
    """The ``stops`` block, or ``None`` when no ``stop_category`` rule was in force."""
    rules = [r for r in evaluation.rules if r.spec.check.type == CATEGORY_CHECK]
    if not rules:
        return None
    all_stops = list(model.features("stop"))
    new = [f for f in all_stops if f.status == "new"]
    existing = [f for f in all_stops if f.status == "existing"]
    categories: dict[str, Any] = {}
    for rule in rules:
        name = rule.params.category
        if name in categories:
            continue
        block = category_counts(rule, new, evaluation.findings)
        block["title"] = rule.spec.title.get(lang)
        if existing:
            old = category_counts(rule, existing, evaluation.findings)
            block["existing"] = {k: old[k] for k in ("accessible", "not_accessible", "to_verify",
                                                     "not_applicable", "share_pct")}
        categories[name] = block
    operator = {key: found for key, found in (("new", operator_counts(new)),
                                              ("existing", operator_counts(existing)))
                if found is not None}
    return {
        "count": len(new),
        "existing_count": len(existing),
        **({"operator": operator} if operator else {}),
        "categories": dict(sorted(categories.items())),
        "baseline": {name: c["baseline_pct"] for name, c in sorted(categories.items())},
        "share_basis": ("share_pct: accessible / stops judged (to_verify counts as not shown "
                        "accessible); share_decided_pct: accessible / stops decided"),
    }


@summary
def stops_summary(model: SiteModel, evaluation: Any, lang: str) -> dict[str, Any]:
    """Summary provider: adds ``stops`` to the report's summary when categories were judged."""
    block = stops_block(model, evaluation, lang)
    return {"stops": block} if block is not None else {}
