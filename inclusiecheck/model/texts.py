"""Texts kept as template + data, rendered in a report's language when the report is written.

A finding keeps its message template in both languages and the values that fill it
(``Finding.texts``); :func:`localized` renders message, advice and note in any language, so
one evaluation gives the Dutch and the English report. Templates are data from rule files,
so they are filled by a plain regular expression (no ``str.format``, which could reach
attributes of objects). Numbers are written the way the language writes them (``1,10`` in
Dutch, ``1.10`` in English); a value given as ``{nl, en}`` is taken in the language.
"""

from __future__ import annotations

import functools
import re
from typing import Any
from collections.abc import Mapping

_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")

#: the languages of the reports
LANGS = ("nl", "en")


def format_number(value: float, lang: str, decimals: int = 2) -> str:
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".") if decimals else f"{value:.0f}"
    if text in ("-0", ""):
        text = "0"
    return text.replace(".", ",") if lang == "nl" else text


def format_value(value: Any, lang: str) -> str:
    cls = type(value)   # fast paths for the exact types most values have
    if cls is str:
        return value
    if cls is dict:   # a {nl, en} label
        return format_value(value[lang], lang) if lang in value else str(value)
    if cls is float:
        return format_number(value, lang)
    if cls is int:
        return str(value)
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


@functools.lru_cache(maxsize=4096)
def _parts(template: str) -> tuple[str, ...]:
    """``template`` split at its placeholders: text, name, text, name, ..., text (parsed once
    per template: a run renders the same few templates for every finding)."""
    return tuple(_PLACEHOLDER.split(template))


def render(template: str, values: Mapping[str, Any], lang: str) -> str:
    """Fill ``{placeholders}``; unknown ones are left visible so a rule author notices."""
    parts = _parts(template)
    if len(parts) == 1:
        return template
    out = [parts[0]]
    for k in range(1, len(parts), 2):   # a placeholder's name, then the text after it
        name = parts[k]
        out.append(format_value(values[name], lang) if name in values else "{" + name + "}")
        out.append(parts[k + 1])
    return "".join(out)


def placeholders(template: str) -> set[str]:
    return set(_PLACEHOLDER.findall(template))


def pick(text: Mapping[str, str] | str | None, lang: str) -> str | None:
    """``text`` in ``lang`` when it is a ``{nl, en}`` dict, else ``text`` itself."""
    if isinstance(text, Mapping):
        value = text.get(lang)
        return None if value is None else str(value)
    return text


def localized(texts: Mapping[str, Any] | None, key: str, lang: str,
              fallback: str | None) -> str | None:
    """Render ``texts[key]`` in ``lang``: a ``{template: {nl, en}, values}`` entry, a
    ``{nl, en}`` dict, or ``fallback`` (the text rendered at evaluation) when absent."""
    if not texts or key not in texts:
        return fallback
    entry = texts[key]
    if entry is None:
        return None
    if isinstance(entry, Mapping) and "template" in entry:
        template = pick(entry["template"], lang)
        if template is None:
            return fallback
        return render(template, entry.get("values") or {}, lang)
    value = pick(entry, lang)
    return fallback if value is None else value
