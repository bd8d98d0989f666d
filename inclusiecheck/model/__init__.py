"""The data model: raw reader output, the data profile, features, findings and reports.

This package imports nothing else of inclusiecheck (enforced by import-linter).
"""

from inclusiecheck.model.errors import InputError, ReadWarning
from inclusiecheck.model.feature import Feature, PlanMeta, SiteModel
from inclusiecheck.model.findings import (
    Citation,
    Finding,
    Level,
    Outcome,
    Pillar,
    Report,
    RuleInfo,
    Verdict,
)
from inclusiecheck.model.raw import RawFeature, RawPlan, SourceRef

__all__ = [
    "Citation", "Feature", "Finding", "InputError", "Level", "Outcome", "Pillar", "PlanMeta",
    "RawFeature", "RawPlan", "ReadWarning", "Report", "RuleInfo", "SiteModel", "SourceRef",
    "Verdict",
]
