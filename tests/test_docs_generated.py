"""The generated parts of docs/ are up to date, and the JSON Schemas validate rule files."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from inclusiecheck.docs_gen import (
    GENERATED_BEGIN,
    GENERATED_END,
    check_types_markdown,
    rule_json_schemas,
)

DOCS = Path(__file__).resolve().parent.parent / "docs"
EXAMPLE = (Path(__file__).resolve().parent.parent / "examples" / "inclusiecheck-voorbeeldegem"
           / "src" / "inclusiecheck_voorbeeldegem" / "rules" / "voorbeeldegem")
HINT = "regenerate: inclusiecheck rules checks --builtin-only --write docs/check-types.md; " \
       "inclusiecheck rules schema --builtin-only -o docs/schemas"


def test_check_types_doc_is_up_to_date() -> None:
    text = (DOCS / "check-types.md").read_text(encoding="utf-8")
    committed = text[text.index(GENERATED_BEGIN) + len(GENERATED_BEGIN):
                     text.index(GENERATED_END)].strip()
    assert committed == check_types_markdown(builtin_only=True).strip(), HINT


@pytest.mark.parametrize("name", ["rule", "ruleset", "cases"])
def test_json_schemas_are_up_to_date(name: str) -> None:
    committed = json.loads((DOCS / "schemas" / f"{name}.schema.json").read_text("utf-8"))
    assert committed == json.loads(json.dumps(rule_json_schemas(builtin_only=True)[name])), HINT


def _as_json(path: Path) -> object:
    return json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))


def test_schemas_accept_the_example_rule_files() -> None:
    schemas = rule_json_schemas(builtin_only=True)
    jsonschema.validate(_as_json(EXAMPLE / "ruleset.yaml"), schemas["ruleset"])
    jsonschema.validate(_as_json(EXAMPLE / "VBG-01-scooter-zone" / "cases" / "expected.yaml"),
                        schemas["cases"])
    # a plugin's check type is unknown to the built-in schema but not rejected by it
    jsonschema.validate(_as_json(EXAMPLE / "VBG-01-scooter-zone" / "rule.yaml"),
                        schemas["rule"])


def test_rule_schema_checks_the_parameters_of_the_check_type(tmp_path: Path) -> None:
    from inclusiecheck.scaffold import new_rule, new_rule_set

    new_rule_set(tmp_path / "s", "s")
    [rule_path, *_] = new_rule(tmp_path / "s", "SX-01", "walkway")
    schema = rule_json_schemas(builtin_only=True)["rule"]
    data = _as_json(rule_path)
    jsonschema.validate(data, schema)
    bad = json.loads(json.dumps(data))
    bad["check"]["params"]["minimum"] = bad["check"]["params"].pop("min")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)
    typo = json.loads(json.dumps(data))
    typo["titel"] = typo.pop("title")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(typo, schema)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_rule_reference_is_up_to_date(lang: str) -> None:
    """docs/reference is generated from the rule files, so it cannot drift from them."""
    from inclusiecheck.docs_gen import rule_reference_html, rule_reference_markdown
    from inclusiecheck.engine.loader import resolve_selectors

    sets = resolve_selectors(None)
    hint = "regenerate: python -m inclusiecheck.docs_gen docs"
    md = (DOCS / "reference" / f"rules.{lang}.md").read_text(encoding="utf-8")
    assert md == rule_reference_markdown(sets, lang), hint
    page = (DOCS / "reference" / f"rules.{lang}.html").read_text(encoding="utf-8")
    assert page == rule_reference_html(sets, lang), hint
    for ruleset in sets:
        for rule in ruleset.rules:
            assert f"### {rule.id} " in md


def test_data_profile_table_is_up_to_date() -> None:
    from inclusiecheck.docs_gen import data_profile_markdown

    text = (DOCS / "reference" / "data-profile-table.md").read_text(encoding="utf-8")
    assert text.endswith(data_profile_markdown()), "regenerate: python -m inclusiecheck.docs_gen docs"
