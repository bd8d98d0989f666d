"""Example external rule set for inclusiecheck: the fictitious municipality of Voorbeeldegem.

The package exposes two entry points (see ``pyproject.toml``):

- ``inclusiecheck.rulesets``: :func:`rules_dir`, the folder holding the ``voorbeeldegem`` set
  (it extends ``publiek-domein``: a stricter sidewalk width, and a rule on e-scooter zones);
- ``inclusiecheck.checks``: the ``scooter_parking_clearance`` check type
  (:mod:`inclusiecheck_voorbeeldegem.checks`), written against inclusiecheck's public API.
"""

from __future__ import annotations

from pathlib import Path

__version__ = "0.1.0"


def rules_dir() -> Path:
    """The folder with this package's rule set(s), for the ``inclusiecheck.rulesets`` hook."""
    return Path(__file__).resolve().parent / "rules"
