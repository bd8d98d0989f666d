"""Scaffolding for rule authors: a new rule set, and a new rule with its test cases.

``inclusiecheck rules new`` calls :func:`new_rule_set` and :func:`new_rule`. The rule that is
written is *valid* and its cases *pass* straight away, so an expert starts from something
that works: a commented ``rule.yaml`` whose texts and source are clearly marked ``TODO``, an
example check (a threshold by default) and ``cases/`` with a fixture that tests the boundary
value itself. ``inclusiecheck rules validate`` lists the TODO markers that are left.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from inclusiecheck.engine.schema import RULE_ID, SET_NAME
from inclusiecheck.model import InputError
from inclusiecheck.model.profile import (
    LAYER_GEOMETRIES,
    LAYER_MODELS,
    allowed_codes,
    attribute_kind,
    attribute_names,
)

#: where editors fetch the JSON Schemas of the rule files (``docs/schemas`` in the repository;
#: regenerate them locally with ``inclusiecheck rules schema -o FOLDER``)
SCHEMA_BASE_URL = ("https://raw.githubusercontent.com/inclusiecheck/inclusiecheck/main/"
                   "docs/schemas/")
#: check types :func:`new_rule` can scaffold
SCAFFOLD_CHECKS = ("threshold", "presence", "enumeration", "manual")
TODO = "TODO"
_ORIGIN = (150000.0, 200000.0)  # Lambert 72 (EPSG:31370), somewhere in Flanders


@dataclass(frozen=True, slots=True)
class _Example:
    """The example check: parameters (YAML text), message texts and the cases."""

    params_yaml: str
    message_nl: str
    message_en: str
    name: str
    #: (feature id, attributes, expected outcome, comment)
    features: tuple[tuple[str, dict[str, object], str, str], ...]


def schema_line(kind: str, base_url: str = SCHEMA_BASE_URL) -> str:
    """The ``# yaml-language-server: $schema=...`` line that lets VS Code's YAML extension
    validate and complete a rule file (``kind``: rule, ruleset or cases)."""
    return f"# yaml-language-server: $schema={base_url}{kind}.schema.json\n"


def _unit_of(prop: str) -> str | None:
    for suffix, unit in (("_m", "m"), ("_cm", "cm"), ("_mm", "mm"), ("_pct", "pct"),
                         ("_lx", "lx"), ("_m2", "m2"), ("_s", "s")):
        if prop.endswith(suffix):
            return unit
    return None


def _pick(layer: str, kinds: tuple[str, ...], prop: str | None) -> str:
    names = [n for n in attribute_names(layer) if n not in ("id", "name", "status")]
    if prop is not None:
        if prop not in names:
            raise InputError(f"--property {prop!r}: layer {layer!r} has no such attribute in the "
                             f"data profile; its attributes: {', '.join(names)}")
        if attribute_kind(layer, prop) not in kinds:
            raise InputError(f"--property {prop!r} is a {attribute_kind(layer, prop)}; this "
                             f"check needs a {' or '.join(kinds)} attribute")
        return prop
    fitting = [n for n in names if attribute_kind(layer, n) in kinds]
    for name in fitting:
        if not (kinds == ("code",) and name == "kind"):
            return name
    if fitting:
        return fitting[0]
    raise InputError(f"layer {layer!r} has no {' or '.join(kinds)} attribute to scaffold this "
                     f"check on; choose another --check or --layer")


def _example(check: str, layer: str, prop: str | None) -> _Example:
    if check == "threshold":
        prop = _pick(layer, ("number", "integer"), prop)
        unit = _unit_of(prop)
        if attribute_kind(layer, prop) == "integer":
            limit, key, bad, good = 2.0, "min", 1.0, 4.0
        elif unit == "pct":
            limit, key, bad, good = 5.0, "max", 6.0, 3.0
        elif unit == "cm":
            limit, key, bad, good = 90.0, "min", 80.0, 120.0
        elif unit == "lx":
            limit, key, bad, good = 10.0, "min", 5.0, 20.0
        else:
            limit, key, bad, good = 1.5, "min", 1.2, 2.0
        word_nl = "minstens" if key == "min" else "hoogstens"
        word_en = "at least" if key == "min" else "at most"
        unit_line = f"    unit: {unit}\n" if unit else ""
        params = (f"    property: {prop}\n"
                  f"    {key}: {limit:g}           # {TODO}: the limit; "
                  f"'{key}' is inclusive (the limit itself passes)\n{unit_line}")
        return _Example(
            params, f"{TODO}: {{property}} is {{measured}} {{unit}}; vereist is {word_nl} "
                    "{required} {unit}.",
            f"{TODO}: {{property}} is {{measured}} {{unit}}; {word_en} {{required}} {{unit}} "
            "is required.", f"{prop}_{key}",
            (("good", {prop: good}, "pass", "well within the limit"),
             ("boundary", {prop: limit}, "pass", f"the limit itself: '{key}' is inclusive"),
             ("bad", {prop: bad}, "fail", "beyond the limit"),
             ("unknown", {}, "to_verify", f"no {prop}: the data is missing")))
    if check == "presence":
        prop = _pick(layer, ("boolean",), prop)
        return _Example(
            f"    property: {prop}\n    expected: true\n",
            f"{TODO}: {{property}} ontbreekt (waarde: {{measured}}).",
            f"{TODO}: {{property}} is missing (value: {{measured}}).", f"{prop}_present",
            (("present", {prop: True}, "pass", "true"),
             ("absent", {prop: False}, "fail", "false"),
             ("unknown", {}, "to_verify", f"no {prop}: the data is missing")))
    if check == "enumeration":
        prop = _pick(layer, ("code",), prop)
        codes = allowed_codes(layer, prop) or ("a", "b")
        good_code, bad_code = codes[0], codes[-1]
        return _Example(
            f"    property: {prop}\n    allowed: [{good_code}]     # {TODO}: the allowed codes\n",
            f"{TODO}: {{property}} is {{measured}}; toegelaten: {{required}}.",
            f"{TODO}: {{property}} is {{measured}}; allowed: {{required}}.", f"{prop}_allowed",
            (("good", {prop: good_code}, "pass", "an allowed code"),
             ("bad", {prop: bad_code}, "fail", "a code that is not allowed"),
             ("unknown", {}, "to_verify", f"no {prop}: the data is missing")))
    if check == "manual":
        return _Example(
            f"    what:\n      nl: \"{TODO}: wat moet een persoon nagaan?\"\n"
            f"      en: \"{TODO}: what must a person check?\"\n",
            f"{TODO}: na te gaan door een persoon.", f"{TODO}: to be checked by a person.",
            "manual_check", ())
    raise InputError(f"--check {check!r}: rules new scaffolds {', '.join(SCAFFOLD_CHECKS)}; "
                     "for other check types scaffold a threshold and change 'check:' "
                     "(see docs/check-types.md)")


def _geometry(layer: str, index: int) -> dict[str, object]:
    x, y = _ORIGIN[0], _ORIGIN[1] + 10.0 * index
    kind = LAYER_GEOMETRIES[layer][0]
    if kind == "Point":
        return {"type": "Point", "coordinates": [x, y]}
    if kind == "LineString":
        return {"type": "LineString", "coordinates": [[x, y], [x + 20.0, y]]}
    return {"type": "Polygon", "coordinates": [[[x, y], [x + 4.0, y], [x + 4.0, y + 4.0],
                                                [x, y + 4.0], [x, y]]]}


def _fixture(layer: str, features: list[tuple[str, dict[str, object]]]) -> str:
    lines = ['{"type": "FeatureCollection",',
             ' "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::31370"}},',
             ' "features": [']
    rows = []
    for i, (fid, attrs) in enumerate(features):
        props = {"layer": layer, "id": fid, **attrs}
        rows.append(f'  {{"type": "Feature", "properties": {json.dumps(props)},\n'
                    f'   "geometry": {json.dumps(_geometry(layer, i))}}}')
    lines.append(",\n".join(rows))
    lines.append(" ]}")
    return "\n".join(lines) + "\n"


def new_rule_set(folder: Path, name: str, *, extends: list[str] | None = None,
                 publisher: str | None = None, schema_base: str = SCHEMA_BASE_URL) -> Path:
    """Create ``folder/ruleset.yaml`` for a new rule set ``name``; return its path."""
    if not SET_NAME.match(name):
        raise InputError(f"--set {name!r}: a rule-set name is lower case: letters, digits, - _ .")
    path = folder / "ruleset.yaml"
    if path.exists():
        raise InputError(f"{path} already exists")
    ext = ""
    if extends:
        ext = ("# the sets this one builds on: their rules are inherited; change them under\n"
               "# 'overrides:' below (params, level, source, enabled, message, advice, note)\n"
               f"extends: [{', '.join(extends)}]\n"
               "overrides: {}\n"
               "#  PD-01:\n"
               "#    params: {min_m: 1.8}\n"
               "#    note: stricter municipal policy (council decision of ...)\n")
    text = (schema_line("ruleset", schema_base)
            + f"# Rule set {name}: see docs/writing-rules.md\n"
            f"name: {name}\n"
            "version: \"0.1.0\"          # raise it with every published change\n"
            "title:\n"
            f"  nl: \"{TODO}: titel van de regelset\"\n"
            f"  en: \"{TODO}: title of the rule set\"\n"
            f"publisher: \"{publisher or TODO + ': who publishes and maintains this set'}\"\n"
            "languages: [nl, en]\n"
            "# valid_from: 2026-01-01   # optional: the period in which the set applies\n"
            "default: false             # true: run even when --rules is not given (built-in)\n"
            + ext)
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


#: a rule folder's slug: lower-case words joined by dashes (never a path)
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def new_rule(set_folder: Path, rule_id: str, layer: str, check: str = "threshold", *,
             prop: str | None = None, name: str | None = None, slug: str | None = None,
             schema_base: str = SCHEMA_BASE_URL) -> list[Path]:
    """Scaffold rule ``rule_id`` in ``set_folder``: ``rule.yaml`` and ``cases/``.

    Returns the written files. The rule is valid and its cases pass as written; the texts
    and the source are marked ``TODO`` for the author to fill in.
    """
    rule_id = rule_id.strip().upper()
    if not RULE_ID.match(rule_id):
        raise InputError(f"--id {rule_id!r}: a rule id looks like PD-01, TV-ENT-03 or GENT-12 "
                         "(capitals, dash, number)")
    if layer not in LAYER_MODELS:
        import difflib

        close = difflib.get_close_matches(layer, list(LAYER_MODELS), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise InputError(f"--layer {layer!r}: not a layer of the data profile{hint} "
                         f"(layers: {', '.join(LAYER_MODELS)})")
    if not (set_folder / "ruleset.yaml").is_file():
        raise InputError(f"{set_folder}: no ruleset.yaml; give --set NAME to create a new set")
    taken = [p for p in set_folder.iterdir()
             if p.is_dir() and (p.name == rule_id or p.name.startswith(rule_id + "-"))]
    if taken:
        raise InputError(f"{taken[0]}: rule {rule_id} already exists in this set")
    if slug is not None and not SLUG.match(slug):
        raise InputError(f"--slug {slug!r}: a slug is a plain folder name such as "
                         "'kerb-height' (lower-case letters, digits and dashes; no '/' or '..')")
    example = _example(check, layer, prop)
    name = name or f"{layer}.{example.name}"
    slug = slug or re.sub(r"[^a-z0-9]+", "-", example.name.lower()).strip("-")
    folder = set_folder / f"{rule_id}-{slug}"
    if folder.exists():
        raise InputError(f"{folder}: already exists; choose another --slug or --id")
    features = [(fid, attrs) for fid, attrs, _o, _c in example.features]
    kind_codes = allowed_codes(layer, "kind") \
        if "kind" in attribute_names(layer) and "property: kind\n" not in example.params_yaml \
        else None
    where = ""
    if kind_codes and example.features:
        where = (f"  where:                   # optional: attribute conditions\n"
                 f"    kind: [{kind_codes[0]}]       # {TODO}: the kinds this rule is about\n")
        features = [(fid, {"kind": kind_codes[0], **attrs}) for fid, attrs in features]
        other = kind_codes[1] if len(kind_codes) > 1 else None
        if other is not None:
            attrs = dict(example.features[0][1])
            features.append(("other-kind", {"kind": other, **attrs}))
    rule_text = (
        schema_line("rule", schema_base)
        + f"# Rule {rule_id}: fill in every {TODO}, then run\n"
        f"#   inclusiecheck rules validate {set_folder}\n"
        f"#   inclusiecheck rules test {set_folder} -v\n"
        "# Reference: docs/rule-schema.md; check types: docs/check-types.md\n"
        f"id: {rule_id}\n"
        f"name: {name}           # dotted, lower case: what it checks\n"
        "version: 1                 # raise when the requirement itself changes\n"
        "title:                     # both languages, as a Flemish advisor writes it\n"
        f"  nl: \"{TODO}: korte titel van de eis\"\n"
        f"  en: \"{TODO}: short title of the requirement\"\n"
        "description:\n"
        f"  nl: \"{TODO}: de eis voluit, en welke kant van een grens inbegrepen is.\"\n"
        f"  en: \"{TODO}: the requirement in full, and which side of a limit is included.\"\n"
        "pillar: accessibility      # accessibility | social_safety | comfort\n"
        "# obligation needs source.kind: law; guidance and comparator give recommendations\n"
        "level: recommendation      # obligation | recommendation\n"
        "structural: false          # true if fixing a fail needs a redesign\n"
        "source:\n"
        f"  document: \"{TODO}: document (title, date)\"\n"
        f"  article: \"{TODO}: article or section\"\n"
        "  # url: https://...       # a link to the document\n"
        "  kind: guidance           # law | guidance | comparator\n"
        "  confidence: low          # high | med | low: how sure the figure is\n"
        "applies_to:\n"
        f"  layer: {layer}\n"
        + where +
        "check:\n"
        f"  type: {check}\n"
        "  params:\n"
        + example.params_yaml +
        "message:                   # fail/warn text; placeholders: {measured} {required}\n"
        "                           # {unit} {property} {feature_id} {missing}\n"
        f"  nl: \"{example.message_nl}\"\n"
        f"  en: \"{example.message_en}\"\n"
        "advice:\n"
        f"  nl: \"{TODO}: wat moet de ontwerper aanpassen?\"\n"
        f"  en: \"{TODO}: what should the designer change?\"\n"
        "# valid_from: 2026-01-01   # optional: the period in which this version applies\n"
        f"tags: [{layer}]\n")
    written: list[Path] = []
    folder.mkdir(parents=True)
    (folder / "rule.yaml").write_text(rule_text, encoding="utf-8")
    written.append(folder / "rule.yaml")
    if not example.features:
        return written  # a manual rule computes nothing: no cases
    cases = folder / "cases"
    cases.mkdir()
    (cases / "cases.geojson").write_text(_fixture(layer, features), encoding="utf-8")
    expect = [f"      {fid}: {outcome:<10}  # {comment}"
              for fid, _a, outcome, comment in example.features]
    (cases / "expected.yaml").write_text("cases:\n  - file: cases.geojson\n    expect:\n"
                                         + "\n".join(expect) + "\n", encoding="utf-8")
    if _measured_anyway(set_folder, rule_id):
        # the engine measures this property from the drawing: "missing" cannot be tested
        expect = [line for line in expect if not line.startswith("      unknown:")]
    if kind_codes and len(kind_codes) > 1 and example.features:
        expect.append("      other-kind: not_applicable  # another kind: the rule does not apply")
    cases_text = (schema_line("cases", schema_base)
                  + "# The cases of this rule: the expected outcome per feature id of the fixture.\n"
                  "# Test the boundary value itself. Outcomes: pass fail warn to_verify\n"
                  "# not_applicable. A case may set plan: metadata and date:.\n"
                  "crs: EPSG:31370\n"
                  "cases:\n"
                  "  - file: cases.geojson\n"
                  "    expect:\n" + "\n".join(expect) + "\n")
    (cases / "expected.yaml").write_text(cases_text, encoding="utf-8")
    written += [cases / "cases.geojson", cases / "expected.yaml"]
    return written


def _measured_anyway(set_folder: Path, rule_id: str) -> bool:
    """Whether the "unknown" feature (no attribute) is judged anyway, from the drawing."""
    from inclusiecheck.testing import run_cases

    return any(r.rule_id == rule_id and r.feature_id == "unknown" and not r.ok
               for r in run_cases(set_folder))


def todo_markers(folder: Path) -> list[tuple[Path, int]]:
    """The ``TODO`` markers left in the YAML files below ``folder`` (file, line)."""
    out = []
    files = [folder] if folder.is_file() else sorted(folder.rglob("*.yaml"))
    for path in files:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        for number, line in enumerate(lines, 1):
            code = line.split("#", 1)[0]
            if TODO in code:
                out.append((path, number))
    return out
