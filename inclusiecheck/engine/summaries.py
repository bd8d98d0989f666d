"""Extra summary blocks derived from the findings (e.g. the ``stops`` block).

A summary provider is a function ``(model, evaluation, lang) -> dict`` registered in
:data:`SUMMARIES`; its keys are merged into the report's ``summary``.
"""

from __future__ import annotations

from typing import Any, Callable

from inclusiecheck.model import SiteModel

SummaryFunc = Callable[[SiteModel, Any, str], dict[str, Any]]
SUMMARIES: list[SummaryFunc] = []


def summary(func: SummaryFunc) -> SummaryFunc:
    SUMMARIES.append(func)
    return func


def extra_summaries(model: SiteModel, evaluation: Any, lang: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for func in SUMMARIES:
        out.update(func(model, evaluation, lang))
    return out


@summary
def completeness(model: SiteModel, evaluation: Any, lang: str) -> dict[str, Any]:
    """Which layers were taken as complete (absence proves something only there): ``{complete:
    [...], incomplete: [...], declared: bool, data_source: ...}``; see
    :meth:`SiteModel.layer_complete`."""
    return {"completeness": model.completeness()}
