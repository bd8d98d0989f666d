"""Reference documentation generated from the rule files and the data profile.

The rule reference is generated from the rule files, so it cannot drift from them
(``inclusiecheck rules docs``); a test checks that the committed copy in ``docs/reference/``
is up to date. Every rule gets the same fixed sections (after Ruff's rule pages): what it
checks, applies to, requirement, source, cases.
"""

from __future__ import annotations

import html
import inspect
import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any
from collections.abc import Iterable

import yaml

from inclusiecheck.engine.loader import LoadedRule, RuleSet

LABELS: dict[str, dict[str, Any]] = {
    "nl": {"title": "Regelreferentie", "set": "Regelset", "version": "versie",
           "publisher": "uitgever", "applies": "Van toepassing op", "requirement": "Vereiste",
           "check": "Controle", "source": "Bron", "level": "Niveau", "pillar": "Pijler",
           "structural": "Structureel", "yes": "ja", "no": "nee", "valid": "Geldig",
           "from": "vanaf", "until": "tot", "advice": "Advies", "message": "Melding",
           "cases": "Testgevallen", "by_source": "Per bron", "rules": "regels",
           "obligation": "verplichting", "recommendation": "aanbeveling",
           "accessibility": "toegankelijkheid", "social_safety": "sociale veiligheid",
           "comfort": "comfort", "scope": "Toepassingsgebied", "where": "voorwaarden",
           "layer": "laag", "generated": "Gegenereerd uit de regelbestanden met "
           "`inclusiecheck rules docs`; niet met de hand aanpassen.",
           "kind": {"law": "wet", "guidance": "richtlijn", "comparator": "vergelijkingspunt"}},
    "en": {"title": "Rule reference", "set": "Rule set", "version": "version",
           "publisher": "publisher", "applies": "Applies to", "requirement": "Requirement",
           "check": "Check", "source": "Source", "level": "Level", "pillar": "Pillar",
           "structural": "Structural", "yes": "yes", "no": "no", "valid": "Valid",
           "from": "from", "until": "until", "advice": "Advice", "message": "Message",
           "cases": "Test cases", "by_source": "By source", "rules": "rules",
           "obligation": "obligation", "recommendation": "recommendation",
           "accessibility": "accessibility", "social_safety": "social safety",
           "comfort": "comfort", "scope": "Scope", "where": "conditions", "layer": "layer",
           "generated": "Generated from the rule files with `inclusiecheck rules docs`; do not "
           "edit by hand.",
           "kind": {"law": "law", "guidance": "guidance", "comparator": "comparator"}},
}


def _cases_summary(rule: LoadedRule) -> str:
    path = rule.folder / "cases" / "expected.yaml"
    if not path.is_file():
        return "—"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    counts: dict[str, int] = defaultdict(int)
    for case in data.get("cases", []):
        for outcome in (case.get("expect") or {}).values():
            counts[outcome] += 1
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "—"


def _params_text(rule: LoadedRule) -> str:
    params = rule.params.model_dump(mode="json", exclude_none=True, exclude_defaults=False)
    # an empty default (no when, no table) says nothing: leave it out
    params = {k: v for k, v in params.items() if v not in ({}, [])}
    return yaml.safe_dump(params, allow_unicode=True, sort_keys=False, width=88).strip()


def _applies_text(rule: LoadedRule, lang: str) -> str:
    a = rule.spec.applies_to
    L = LABELS[lang]
    parts = [f"{L['layer']} `{'`, `'.join(a.layers)}`"]
    if a.geometry:
        parts.append("/".join(a.geometry))
    if a.where:
        parts.append(f"{L['where']}: " + ", ".join(f"`{k}` {v}" for k, v in a.where.items()))
    if a.plan:
        parts.append("plan: " + ", ".join(f"`{k}` {v}" for k, v in a.plan.items()))
    if a.scope:
        parts.append(f"{L['scope']}: `{a.scope}`")
    return "; ".join(parts)


def rule_reference_markdown(sets: Iterable[RuleSet], lang: str = "nl") -> str:
    """The rule reference in Markdown, per rule set, with an index by source document."""
    L = LABELS[lang]
    sets = list(sets)
    out = [f"# {L['title']}", "", f"_{L['generated']}_", ""]
    for ruleset in sets:
        out.append(f"- [{ruleset.spec.title.get(lang)}](#{ruleset.name}) — "
                   f"{len(ruleset.rules)} {L['rules']}")
    out.append("")
    by_source: dict[str, list[LoadedRule]] = defaultdict(list)
    for ruleset in sets:
        for rule in ruleset.rules:
            by_source[rule.spec.source.document].append(rule)
    out += [f"## {L['by_source']}", ""]
    for document in sorted(by_source):
        rules = by_source[document]
        ids = ", ".join(f"[{r.id}](#{r.id.lower()})" for r in sorted(rules, key=lambda r: r.id))
        out.append(f"- **{document}**: {ids}")
    out.append("")
    for ruleset in sets:
        spec = ruleset.spec
        out += [f'<a id="{ruleset.name}"></a>', "",
                f"## {spec.title.get(lang)} (`{spec.name}` {spec.version})", ""]
        if spec.description:
            out += [spec.description.get(lang), ""]
        out += [f"{L['publisher']}: {spec.publisher}" + (
            f"; extends: {', '.join(spec.extends)}" if spec.extends else ""), ""]
        for rule in ruleset.rules:
            s = rule.spec
            anchor = s.id.lower()
            valid = ""
            if s.valid_from or s.valid_until:
                valid = (f" ({L['valid']} {L['from']} {s.valid_from or '…'} "
                         f"{L['until']} {s.valid_until or '…'})")
            out += [f'<a id="{anchor}"></a>', "", f"### {s.id} — {s.title.get(lang)}{valid}", ""]
            if s.description:
                out += [s.description.get(lang), ""]
            src = s.source
            url = f" <{src.url}>" if src.url else ""
            conf = f", confidence {src.confidence}" if src.confidence else ""
            out += [
                f"- **{L['level']}**: {L[s.level]} · **{L['pillar']}**: {L[s.pillar]} · "
                f"**{L['structural']}**: {L['yes'] if s.structural else L['no']}",
                f"- **{L['source']}** ({L['kind'][src.kind]}{conf}): {src.document}, "
                f"{src.article}{url}",
                f"- **{L['applies']}**: {_applies_text(rule, lang)}",
                f"- **{L['check']}**: `{s.check.type}`",
                f"- **{L['message']}**: {s.message.get(lang)}",
                f"- **{L['advice']}**: {s.advice.get(lang)}",
                f"- **{L['cases']}**: {_cases_summary(rule)}",
                "",
                "```yaml",
                _params_text(rule),
                "```",
                "",
            ]
    return "\n".join(out).rstrip() + "\n"


def rule_reference_html(sets: Iterable[RuleSet], lang: str = "nl") -> str:
    """The same reference as a self-contained, accessible HTML page."""
    L = LABELS[lang]
    sets = list(sets)
    e = html.escape
    parts = [f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>inclusiecheck — {e(L['title'])}</title>",
             "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;"
             "padding:0 1rem;line-height:1.5;color:#1a1a1a}table{border-collapse:collapse;"
             "width:100%}th,td{border:1px solid #767676;padding:.3rem .5rem;text-align:left;"
             "vertical-align:top}th{background:#f0f0f0}code,pre{background:#f4f4f4}"
             "a{color:#0645ad}</style></head><body>",
             f"<header><h1>inclusiecheck — {e(L['title'])}</h1><p><em>{e(L['generated'])}"
             "</em></p></header><main>"]
    for ruleset in sets:
        spec = ruleset.spec
        parts.append(f'<section aria-labelledby="{e(ruleset.name)}"><h2 id="{e(ruleset.name)}">'
                     f"{e(spec.title.get(lang))} ({e(spec.name)} {e(spec.version)})</h2>")
        parts.append(f"<table><caption>{e(spec.title.get(lang))}</caption><thead><tr>"
                     f"<th scope=\"col\">id</th><th scope=\"col\">{e(L['title'])}</th>"
                     f"<th scope=\"col\">{e(L['level'])}</th><th scope=\"col\">{e(L['applies'])}"
                     f"</th><th scope=\"col\">{e(L['source'])}</th></tr></thead><tbody>")
        for rule in ruleset.rules:
            s = rule.spec
            src = s.source
            link = (f' <a href="{e(src.url)}">{e(src.article)}</a>' if src.url
                    else f" {e(src.article)}")
            parts.append(f'<tr id="{e(s.id.lower())}"><th scope="row">{e(s.id)}</th>'
                         f"<td>{e(s.title.get(lang))}<br><small>{e(s.message.get(lang))}</small>"
                         f"</td><td>{e(L[s.level])}</td>"
                         f"<td>{e(_applies_text(rule, lang).replace('`', ''))}</td>"
                         f"<td>{e(src.document)},{link}</td></tr>")
        parts.append("</tbody></table></section>")
    parts.append("</main></body></html>\n")
    return "".join(parts)


def write_rule_docs(sets: list[RuleSet], out: Path) -> list[Path]:
    """Write ``rules.<lang>.md`` and ``rules.<lang>.html`` for nl and en into ``out``."""
    from inclusiecheck.output import write_atomic

    written = []
    for lang in ("nl", "en"):
        md = out / f"rules.{lang}.md"
        write_atomic(md, rule_reference_markdown(sets, lang).encode("utf-8"))
        page = out / f"rules.{lang}.html"
        write_atomic(page, rule_reference_html(sets, lang).encode("utf-8"))
        written += [md, page]
    return written


def data_profile_markdown() -> str:
    """The data profile's layers and attributes, generated from the pydantic models."""
    from inclusiecheck.model.profile import (
        ATTRIBUTE_DEFAULTS,
        LAYER_GEOMETRIES,
        LAYER_MODELS,
        allowed_codes,
        attribute_kind,
    )

    out = ["| layer | geometry | attribute | type | values / default |", "|---|---|---|---|---|"]
    for layer, model in LAYER_MODELS.items():
        first = True
        for name in model.model_fields:
            if name in ("id", "name", "status"):
                continue
            kind = attribute_kind(layer, name)
            codes = allowed_codes(layer, name)
            extra: list[str] = []
            if codes:
                extra.append(", ".join(codes))
            default = ATTRIBUTE_DEFAULTS.get(layer, {}).get(name)
            if default is not None:
                extra.append(f"default {default}")
            shown = f"`{layer}`" if first else ""
            geoms = ", ".join(LAYER_GEOMETRIES[layer]) if first else ""
            out.append(f"| {shown} | {geoms} | `{name}` | {kind} | {'; '.join(extra)} |")
            first = False
    return "\n".join(out) + "\n"


def _is_builtin(check: Any) -> bool:
    from inclusiecheck.engine.checks import BUILTIN_MODULES

    return check.origin in BUILTIN_MODULES


def _type_text(annotation: Any) -> str:
    text = getattr(annotation, "__name__", None) if not hasattr(annotation, "__args__") else None
    text = text or str(annotation)
    for noise in ("typing.", "inclusiecheck.engine.schema.", "inclusiecheck.engine.checks.",
                  "NoneType"):
        text = text.replace(noise, "None" if noise == "NoneType" else "")
    text = re.sub(r"\b[a-z_]+\.([A-Z]\w*)", r"\1", text)
    return text.replace("|", "\\|")


def _default_text(field: Any) -> str:
    from pydantic_core import PydanticUndefined

    if field.is_required():
        return "required"
    if field.default_factory is not None:
        value = field.default_factory()
    elif field.default is PydanticUndefined:
        return ""
    else:
        value = field.default
    if hasattr(value, "model_dump"):
        value = value.model_dump(mode="json", exclude_none=True)
    return f"`{json.dumps(value, ensure_ascii=False, default=str)}`"


def check_types_markdown(builtin_only: bool = False) -> str:
    """Every registered check type with its parameters (from the pydantic models).

    ``builtin_only`` leaves out the check types of installed plugins (for the committed
    ``docs/check-types.md``, which must not depend on what is installed).
    """
    from inclusiecheck.engine import checks

    out: list[str] = []
    for name, check in checks.registry().items():
        if builtin_only and not _is_builtin(check):
            continue
        origin = "" if _is_builtin(check) else f" _(plugin: `{check.origin}`)_"
        from inclusiecheck.engine.checks.api import CheckParams

        out += [f"### `{name}`{origin}", "", inspect.cleandoc(check.doc or ""), ""]
        doc = inspect.cleandoc(check.params.__doc__ or "")
        if doc and doc != inspect.cleandoc(check.doc or "") \
                and doc != inspect.cleandoc(CheckParams.__doc__ or ""):
            out += [doc, ""]
        fields = check.params.model_fields
        if not fields:
            out += ["No parameters.", ""]
            continue
        out += ["| parameter | type | default |", "|---|---|---|"]
        for pname, field in fields.items():
            out.append(f"| `{pname}` | {_type_text(field.annotation)} | {_default_text(field)} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


GENERATED_BEGIN = "<!-- BEGIN GENERATED: inclusiecheck rules checks -->"
GENERATED_END = "<!-- END GENERATED -->"


def replace_generated(text: str, generated: str) -> str:
    """``text`` with the part between the GENERATED markers replaced by ``generated``."""
    start = text.index(GENERATED_BEGIN) + len(GENERATED_BEGIN)
    end = text.index(GENERATED_END)
    return text[:start] + "\n\n" + generated.strip() + "\n\n" + text[end:]


def rule_json_schemas(builtin_only: bool = False) -> dict[str, dict[str, Any]]:
    """The JSON Schemas of the rule files, with each check type's parameters.

    ``check.params`` of ``rule.yaml`` is validated against the parameters of the check type
    named in ``check.type`` (``if``/``then`` per known type), so an editor flags an unknown
    or misspelt parameter while the expert types. Unknown check types are left to
    ``inclusiecheck rules validate`` (a plugin may provide them).
    """
    from pydantic import BaseModel
    from pydantic.json_schema import JsonSchemaMode, models_json_schema

    from inclusiecheck.engine import checks
    from inclusiecheck.engine.schema import json_schemas

    schemas = json_schemas()
    rule = schemas["rule"]
    known = {name: c for name, c in checks.registry().items()
             if not builtin_only or _is_builtin(c)}
    models: list[tuple[type[BaseModel], JsonSchemaMode]] = [
        (c.params, "validation") for c in known.values()]
    key_map, top = models_json_schema(models, ref_template="#/$defs/{model}")
    defs = rule.setdefault("$defs", {})
    for def_name, definition in top.get("$defs", {}).items():
        defs.setdefault(f"{def_name}", definition)
    spec = defs["CheckSpec"]
    spec["properties"]["type"]["examples"] = sorted(known)
    spec["properties"]["type"]["description"] = (
        "The check type: a built-in one (docs/check-types.md) or one of an installed plugin.")
    spec["allOf"] = [
        {"if": {"properties": {"type": {"const": name}}, "required": ["type"]},
         "then": {"properties": {"params": key_map[(c.params, "validation")]}}}
        for name, c in sorted(known.items())]
    rule["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    for name in ("ruleset", "cases"):
        schemas[name]["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schemas


def regenerate(docs: Path) -> list[Path]:
    """Regenerate the generated parts of ``docs/``: rule reference, data-profile table, the
    built-in check types in ``check-types.md`` and the rule-file JSON Schemas."""
    from inclusiecheck.engine.loader import resolve_selectors
    from inclusiecheck.output import write_atomic

    written = write_rule_docs(resolve_selectors(None), docs / "reference")
    table = docs / "reference" / "data-profile-table.md"
    write_atomic(table, ("# Data profile: layers and attributes\n\n_Generated from "
                         "`inclusiecheck/model/profile.py`; do not edit by hand._\n\n"
                         + data_profile_markdown()).encode("utf-8"))
    written = [*written, table]
    check_doc = docs / "check-types.md"
    if check_doc.is_file():
        text = check_doc.read_text(encoding="utf-8")
        updated = replace_generated(text, check_types_markdown(builtin_only=True))
        if updated != text:
            write_atomic(check_doc, updated.encode("utf-8"))
        written.append(check_doc)
    for name, schema in rule_json_schemas(builtin_only=True).items():
        path = docs / "schemas" / f"{name}.schema.json"
        write_atomic(path, (json.dumps(schema, indent=2, ensure_ascii=False) + "\n").encode())
        written.append(path)
    return written


if __name__ == "__main__":  # python -m inclusiecheck.docs_gen [docs folder]
    import sys

    for item in regenerate(Path(sys.argv[1] if len(sys.argv) > 1 else "docs")):
        print(item)
