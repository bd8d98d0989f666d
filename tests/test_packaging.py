"""The rule sets and the sample ship inside the package, so a non-editable install finds them."""

from __future__ import annotations

import os
from pathlib import Path

import inclusiecheck
from inclusiecheck.cli import sample_plan
from inclusiecheck.engine.loader import builtin_rules_dir, default_set_names, discover

BUILTIN_SETS = {"voetgangerswegen", "toegankelijkheidsverordening", "publiek-domein", "haltes",
                "voorzieningen", "sociale-veiligheid", "toegankelijkheidsketen"}


def test_builtin_rule_sets_are_discovered() -> None:
    found = discover()
    assert BUILTIN_SETS <= set(found)
    assert BUILTIN_SETS <= set(default_set_names())
    for name in BUILTIN_SETS:
        assert found[name][1] == "builtin"


def test_sample_plan_is_found() -> None:
    plan = sample_plan()
    assert (plan / "plan.yaml").is_file()
    assert any(plan.glob("*.geojson"))


def test_installed_package_carries_its_rules() -> None:
    """In CI the project is installed non-editably: rules must come from the wheel."""
    package_dir = Path(inclusiecheck.__file__).resolve().parent
    rules = builtin_rules_dir().resolve()
    if os.environ.get("CI"):
        assert package_dir in rules.parents, f"rules read from {rules}, not from the package"
        assert (package_dir / "samples" / "marktplein").is_dir()
    assert (rules / "publiek-domein" / "ruleset.yaml").is_file()
