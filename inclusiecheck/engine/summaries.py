"""Extra summary blocks derived from the findings (e.g. the ``stops`` block).

A summary provider is a function ``(model, evaluation, lang) -> dict`` registered in
:data:`SUMMARIES` (by its function name) with :func:`summary`; its keys are merged into the
report's ``summary``, in the order of registration.
"""

from __future__ import annotations

from typing import Any
from collections.abc import Callable

from inclusiecheck.model import SiteModel
from inclusiecheck.registry import Registry

SummaryFunc = Callable[[SiteModel, Any, str], dict[str, Any]]
#: the summary providers: this module's and the ``stops`` block of :mod:`engine.stops`
SUMMARIES: Registry[SummaryFunc] = Registry(
    "summary", builtins=("inclusiecheck.engine.summaries", "inclusiecheck.engine.stops"))


def summary(func: SummaryFunc) -> SummaryFunc:
    """Register ``func`` as a summary provider (under its function name)."""
    return SUMMARIES.register(func)


def extra_summaries(model: SiteModel, evaluation: Any, lang: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for func in SUMMARIES.values():
        out.update(func(model, evaluation, lang))
    return out


@summary
def completeness(model: SiteModel, evaluation: Any, lang: str) -> dict[str, Any]:
    """Which layers were taken as complete (absence proves something only there): ``{complete:
    [...], incomplete: [...], declared: bool, data_source: ...}``; see
    :meth:`SiteModel.layer_complete`."""
    return {"completeness": model.completeness()}
