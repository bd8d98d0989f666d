"""A short inclusion advice in Markdown (``report.md``), for pasting into a permit decision.

Built from the same view-model as the HTML page (without the map): dossier data, the
verdict with the findings that decided it and its conditions, the obligations apart from the
recommendations, what to verify and what was not checked. Text from the plan is escaped so
that it cannot turn into Markdown or HTML markup.
"""

from __future__ import annotations

import re
from typing import Any
from collections.abc import Mapping

from inclusiecheck.model import Report
from inclusiecheck.report.registry import RenderOptions, output_format
from inclusiecheck.report.viewmodel import view_model

_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_ENTITY = re.compile(r"&(?=#?\w+;)")


def md_escape(text: object) -> str:
    """Escape Markdown (and inline HTML) metacharacters; newlines become spaces."""
    value = " ".join(str(text).split())
    value = _SPECIAL.sub(r"\\\1", value)
    if value and value[0] in "#+-=!":
        value = "\\" + value  # would start a heading, list or rule at a line start
    value = re.sub(r"^(\d+)([.)])(?=\s|$)", r"\1\\\2", value)  # "1. " starts a list
    return _ENTITY.sub("&amp;", value)


def md_code(text: object) -> str:
    """An inline code span that holds any text (longer fences when it contains backticks)."""
    value = " ".join(str(text).split())
    fence = "`"
    while fence in value:
        fence += "`"
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def _link(src: Mapping[str, Any]) -> str:
    label = md_escape(src["document"] + (f", {src['article']}" if src.get("article") else ""))
    if src.get("url"):
        return f"[{label}](<{src['url'].replace('>', '%3E').replace(' ', '%20')}>)"
    return label


def _finding_line(item: Mapping[str, Any], t: Mapping[str, str]) -> str:
    num = f"**{item['number']}.** " if item.get("number") else ""
    would = f" ({md_escape(t['finding.would_fail'].lower())})" if item.get("would_fail") else ""
    parts = [f"- {num}{md_escape(item['outcome_label'])}{would}: {md_escape(item['rule_id'])} "
             f"{md_escape(item['title'])}, {md_escape(item['layer_label'])} "
             f"{md_code(item['feature_id'])}. {md_escape(item['message'])}"]
    values = []
    if item.get("measured") is not None:
        values.append(f"{t['finding.measured'].lower()} {md_escape(item['measured'])}")
    if item.get("required") is not None:
        values.append(f"{t['finding.required'].lower()} {md_escape(item['required'])}")
    if values:
        parts.append(f"({'; '.join(values)}).")
    if item.get("missing_labels"):
        parts.append(f"{t['to_verify.add']}: " + md_escape(", ".join(item["missing_labels"]))
                     + ".")
    if item.get("advice"):
        parts.append(f"{t['finding.advice']}: {md_escape(item['advice'])}")
    if item.get("regime_label"):
        reason = f": {md_escape(item['regime_reason'])}" if item.get("regime_reason") else ""
        parts.append(f"{t['finding.regime']}: {md_escape(item['regime_label'])}{reason}.")
    dev = item.get("deviation")
    if dev and dev.get("justification"):
        parts.append(f"{t['finding.justification']}: {md_escape(dev['justification'])}"
                     + (f" ({md_escape(dev['decided_by'])}" if dev.get("decided_by") else "")
                     + (f", {md_escape(dev['date'])}" if dev.get("date") else "")
                     + (")" if dev.get("decided_by") else ""))
    parts.append(f"{t['finding.source']}: {_link(item['source'])}.")
    return " ".join(parts)


def _short_line(item: Mapping[str, Any], t: Mapping[str, str]) -> str:
    num = f"**{item['number']}.** " if item.get("number") else ""
    would = f" ({md_escape(t['finding.would_fail'].lower())})" if item.get("would_fail") else ""
    line = (f"- {num}{md_escape(item['outcome_label'])}{would}: {md_escape(item['rule_id'])} "
            f"{md_escape(item['title'])}, {md_escape(item['layer_label'])} "
            f"{md_code(item['feature_id'])}.")
    if item.get("missing_labels"):
        line += f" {t['to_verify.add']}: " + md_escape(", ".join(item["missing_labels"])) + "."
    return line


def _rest(n: int, key: str, t: Mapping[str, str]) -> list[str]:
    return [f"_{md_escape(t[key].format(n=n))}_", ""] if n else []


def render_markdown_text(report: Report, lang: str, check_date: Any = None) -> str:
    """Render the short Markdown advice of ``report`` in ``lang``.

    The first part holds the decision (verdict, reason, the first deciding findings, the
    conditions and the data to supply); the annex follows, then the decision block.
    """
    vm = view_model(report, lang, with_map=False, check_date=check_date)
    t = vm["t"]
    verdict = vm["verdict"]
    out: list[str] = [f"# {md_escape(vm['title'])}", ""]
    facts = [f"{md_escape(r['label'])}: {md_escape(r['value'])}" for r in vm["dossier_line"]]
    facts.append(f"{md_escape(t['check.date'])}: {md_escape(vm['check_date'])}")
    out += [" · ".join(facts), ""]
    out += [f"## {md_escape(t['section.verdict'])}: **{md_escape(verdict['label'])}**", ""]
    if verdict["reason"]:
        out += [md_escape(verdict["reason"]), ""]
    if verdict.get("if_in_scope"):
        out += [f"**{md_escape(t['verdict.if_in_scope'])}:** "
                f"{md_escape(verdict['if_in_scope_label'])}", ""]
    out += [f"_{md_escape(t['verdict.rule'])}_", ""]
    if vm["rules_date_warning"]:
        out += [f"> **{md_escape(vm['rules_date_warning'])}**", ""]
    if verdict["deciding"]:
        out += [f"### {md_escape(t['verdict.deciding'])}", ""]
        out += [_short_line(i, t) for i in verdict["deciding_first"]] + [""]
        out += _rest(verdict["deciding_rest"], "first.rest_deciding", t)
    if verdict["conditions"]:
        out += [f"### {md_escape(t['verdict.conditions'])}", ""]
        out += [_short_line(i, t) for i in verdict["conditions_first"]] + [""]
        out += _rest(verdict["conditions_rest"], "first.rest_conditions", t)
    if verdict["supply"]:
        out += [f"### {md_escape(t['first.supply'])}", ""]
        out += [f"- {md_escape(g['heading'])}" for g in verdict["supply_first"]] + [""]
        out += _rest(verdict["supply_rest"], "first.rest_supply", t)
        key = "first.supply_total_one" if verdict["supply_features"] == 1 else "first.supply_total"
        out += [md_escape(t[key].format(n=verdict["supply_features"])), ""]
    if verdict["recommendation_fails"]:
        out += [f"### {md_escape(t['first.rec_fails'])}", "", md_escape(t["first.rec_fails_intro"]),
                ""]
        out += [_short_line(i, t) for i in verdict["recommendation_fails_first"]] + [""]
        out += _rest(verdict["recommendation_fails_rest"], "first.rest_rec_fails", t)
    out += [f"_{md_escape(t['first.see_annex'])}_", "", "---", "",
            f"# {md_escape(t['annex.heading'])}", ""]
    out += [f"## {md_escape(t['section.plan'])}", ""]
    out += [f"| {md_escape(t['plan.caption'])} | |", "| --- | --- |"]
    out += [f"| {md_escape(r['label'])} | {md_escape(r['value'])} |" for r in vm["plan_rows"]]
    rule_sets = ", ".join(f"{rs['name']} {rs['version']}".strip() for rs in vm["rule_sets"])
    version = vm["tool"]["version"] or ""
    out += [f"| {md_escape(t['check.date'])} | {md_escape(vm['check_date'])} |",
            f"| {md_escape(t['check.tool'])} | inclusiecheck {md_escape(version)} |",
            f"| {md_escape(t['section.rule_sets'])} | {md_escape(rule_sets)} |", ""]
    out += [f"### {md_escape(t['inputs.heading'])}", ""]
    if vm["inputs"]:
        out += [f"| {md_escape(t['inputs.file'])} | {md_escape(t['inputs.sha256'])} | "
                f"{md_escape(t['inputs.bytes'])} |", "| --- | --- | ---: |"]
        out += [f"| {md_code(f['file'])} | {md_code(f['sha256'])} | {md_escape(f['bytes'])} |"
                for f in vm["inputs"]] + [""]
    else:
        out += [md_escape(t["inputs.none"]), ""]
    if vm["regimes_to_confirm"]:
        out += [f"## {md_escape(t['section.regimes'])}", "", md_escape(t["regimes.intro"]), ""]
        out += [f"- {md_escape(r['layer_label'])} {md_code(r['feature_id'])}: "
                f"{md_escape(r['regime_label'])} ({md_escape(r['reason'])})"
                for r in vm["regimes_to_confirm"]] + [""]
    # the findings in the page's reading order: per pillar, obligations before recommendations
    out += [f"## {md_escape(t['section.findings'])}", ""]
    if not vm["groups"]:
        out += [md_escape(t["findings.none_at_all"]), ""]
    for group in vm["groups"]:
        out += [f"### {md_escape(group['heading'])}", ""]
        for level in group["levels"]:
            out += [f"#### {md_escape(level['heading'])}", ""]
            if level["findings"]:
                out += [_finding_line(i, t) for i in level["findings"]] + [""]
            else:
                out += [md_escape(t["findings.none"]), ""]
    if vm["existing"]:
        out += [f"## {md_escape(t['section.existing'])}", "",
                md_escape(t["findings.existing_intro"]), ""]
        out += [_finding_line(i, t) for i in vm["existing"]] + [""]
    out += [f"## {md_escape(t['section.to_verify'])}", ""]
    if vm["to_verify_loose"]:
        out += [f"### {md_escape(t['to_verify.loose'])}", ""]
        out += [_short_line(i, t) for i in vm["to_verify_loose"]] + [""]
    if vm["to_verify_groups"]:
        out += [md_escape(t["to_verify.groups_intro"]), ""]
        for g in vm["to_verify_groups"]:
            rules = "; ".join(f"{r['rule_id']} {r['title']}" for r in g["rules"])
            numbers = ", ".join(str(n) for n in g["numbers"])
            features = ", ".join(md_code(i["feature_id"]) + (
                f" ({md_escape(', '.join(i['pending']))})" if i.get("pending") else "")
                for i in g["entries"])
            line = (f"- **{md_escape(g['heading'])}** ({md_escape(g['level_label'])}). "
                    f"{md_escape(t['to_verify.group_rules'])}: {md_escape(rules)}.")
            if g["also_missing"]:
                line += (f" {md_escape(t['to_verify.also'])}: "
                         f"{md_escape(', '.join(g['also_missing']))}.")
            line += (f" {md_escape(t['to_verify.group_list'])} ({md_escape(numbers)}): "
                     f"{features}.")
            out.append(line)
        out.append("")
    elif not vm["to_verify_loose"]:
        out += [md_escape(t["to_verify.none"]), ""]
    nc = vm["not_checked"]
    out += [f"## {md_escape(t['section.not_checked'])}", ""]
    if nc["layers_absent"]:
        out.append(f"- {md_escape(t['not_checked.layers_absent'])}: "
                   + md_escape(", ".join(nc["layers_absent_labels"])))
    for r in nc["qualitative"]:
        out.append(f"- {md_escape(t['not_checked.qualitative'])}: {md_escape(r['rule_id'])} "
                   f"{md_escape(r['title'])}" + (f": {md_escape(r['description'])}"
                                                 if r["description"] else ""))
    if nc["empty"]:
        out.append(md_escape(t["not_checked.none"]))
    out += ["", f"## {md_escape(t['technical.heading'])}", "", md_escape(t["technical.intro"]), ""]
    if vm["findings"]:
        out += [f"| {md_escape(t['technical.number'])} | {md_escape(t['technical.rule'])} | "
                f"{md_escape(t['technical.layer'])} | {md_escape(t['technical.feature'])} | "
                f"{md_escape(t['technical.property'])} | {md_escape(t['technical.missing'])} |",
                "| ---: | --- | --- | --- | --- | --- |"]
        for i in vm["findings"]:
            out.append(f"| {i['number']} | {md_code(i['rule_id'])} | {md_code(i['layer'])} | "
                       f"{md_code(i['feature_id'])} | "
                       f"{md_code(i['property']) if i['property'] else ''} | "
                       + ", ".join(md_code(m) for m in i["missing"]) + " |")
        out.append("")
    if nc["layers_absent"]:
        out += [f"{md_escape(t['technical.layers_absent'])}: "
                + ", ".join(md_code(layer) for layer in nc["layers_absent"]), ""]
    out += [f"{md_escape(t['technical.regimes'])} "
            f"{md_code('regimes: {feature_id: verordening | bv97 | public_space}')}", ""]
    if vm["warnings"]:
        # in the technical annex: the reader's detail is English and names internal fields
        out += [f"### {md_escape(t['section.warnings'])}", ""]
        for w in vm["warnings"]:
            head = f"{md_escape(w['title'])}: " if w.get("title") else ""
            where = f" ({md_escape(w['where'])})" if w.get("where") else ""
            out.append(f"- {head}{md_code(w['code'])}{where}: {md_escape(w['message'])}")
        out.append("")
    out += [f"## {md_escape(t['decision.heading'])}", "", md_escape(t["decision.intro"]), "",
            f"- {md_escape(t['decision.name'])}: ______________________________",
            f"- {md_escape(t['decision.date'])}: ______________________________",
            f"- {md_escape(t['decision.decision'])}: "
            + " · ".join(f"[ ] {md_escape(t[k])}" for k in (
                "decision.adopt", "decision.amend", "verdict.gunstig",
                "verdict.gunstig_onder_voorwaarden", "verdict.ongunstig")),
            f"- {md_escape(t['decision.remarks'])}:", "", "  ", "  ", "",
            f"- {md_escape(t['decision.signature'])}: ______________________________"]
    out += ["", "---", ""]
    if vm.get("attribution"):
        out += [f"{md_escape(t['footer.data'])}: {md_escape(vm['attribution'])}", ""]
    out += [f"_{md_escape(t['footer.generated'])} {md_escape(version)}. "
            f"{md_escape(t['footer.disclaimer'])}_", ""]
    return "\n".join(out)


@output_format("md", "report.md", "text/markdown",
               "a short inclusion advice in Markdown, for pasting into a permit")
def render_markdown(report: Report, options: RenderOptions) -> bytes:
    """Render ``report`` as ``report.md`` in ``options.lang``."""
    return render_markdown_text(report, options.lang or report.lang or "nl",
                                options.check_date).encode("utf-8")
