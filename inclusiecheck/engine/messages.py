"""Message templates: ``{name}`` placeholders filled from a finding's values.

The rendering lives in :mod:`inclusiecheck.model.texts` (the reports render a finding's
template in their own language too); this module keeps the engine's import path.
"""

from __future__ import annotations

from inclusiecheck.model.texts import (  # noqa: F401  (re-exported)
    format_number,
    format_value,
    placeholders,
    render,
)

UNIT_TEXT = {"pct": "%", "percent": "%"}
