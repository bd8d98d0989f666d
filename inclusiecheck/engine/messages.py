"""Message templates: ``{name}`` placeholders filled from a finding's values.

Templates are data from rule files, so they are filled by a plain regular expression (no
``str.format``, which could reach attributes of objects). Numbers are written the way the
report's language writes them (``1,10`` in Dutch, ``1.10`` in English).
"""

from __future__ import annotations

import re
from typing import Any, Mapping

_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")

UNIT_TEXT = {"pct": "%", "percent": "%"}


def format_number(value: float, lang: str, decimals: int = 2) -> str:
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".") if decimals else f"{value:.0f}"
    if text in ("-0", ""):
        text = "0"
    return text.replace(".", ",") if lang == "nl" else text


def format_value(value: Any, lang: str) -> str:
    if value is None:
        return "?"
    if isinstance(value, bool):
        return ("ja" if value else "nee") if lang == "nl" else ("yes" if value else "no")
    if isinstance(value, float):
        return format_number(value, lang)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(format_value(v, lang) for v in value)
    if isinstance(value, dict) and lang in value:
        return format_value(value[lang], lang)
    return str(value)


def render(template: str, values: Mapping[str, Any], lang: str) -> str:
    """Fill ``{placeholders}``; unknown ones are left visible so a rule author notices."""

    def sub(match: re.Match[str]) -> str:
        key = match.group(1)
        if key in values:
            return format_value(values[key], lang)
        return match.group(0)

    return _PLACEHOLDER.sub(sub, template)


def placeholders(template: str) -> set[str]:
    return set(_PLACEHOLDER.findall(template))
