"""Output formats, registered by name: each is a pure function ``(Report, options) -> bytes``.

No if/elif chain picks a format: the CLI and the API look the name up here. Formats register
with the :func:`output_format` decorator; :func:`load_builtin_formats` imports the built-in
modules once (lazy, so that a missing optional dependency only affects its own format).
"""

from __future__ import annotations

import datetime as dt

import importlib
from dataclasses import dataclass, field
from typing import Callable

from inclusiecheck.model import InputError, Report


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """Options every renderer may read."""

    lang: str = "nl"
    #: BCF: also export recommendations (obligations are always exported)
    bcf_recommendations: bool = False
    extra: dict[str, object] = field(default_factory=dict)
    #: the date of the check shown in HTML and Markdown (never in JSON): ``--check-date``;
    #: None: ``SOURCE_DATE_EPOCH``, else today (:func:`inclusiecheck.report.viewmodel.check_date`)
    check_date: "dt.date | None" = None


Renderer = Callable[[Report, RenderOptions], bytes]


@dataclass(frozen=True, slots=True)
class OutputFormat:
    name: str
    filename: str
    media_type: str
    render: Renderer
    description: str = ""


_FORMATS: dict[str, OutputFormat] = {}

#: built-in format modules, imported on first use
BUILTIN_MODULES = (
    "inclusiecheck.report.json_report",
    "inclusiecheck.report.html_report",
    "inclusiecheck.report.geojson_report",
    "inclusiecheck.report.gpkg_report",
    "inclusiecheck.report.sarif_report",
    "inclusiecheck.report.markdown_report",
    "inclusiecheck.report.bcf",
)
_loaded = False


def output_format(name: str, filename: str, media_type: str, description: str = "") -> Callable[[Renderer], Renderer]:
    """Register ``func`` as the renderer of format ``name`` writing ``filename``."""

    def decorate(func: Renderer) -> Renderer:
        _FORMATS[name] = OutputFormat(name, filename, media_type, func, description)
        return func

    return decorate


def load_builtin_formats() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    for module in BUILTIN_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:  # a format whose module is not present yet
            if exc.name != module:
                raise


def available_formats() -> dict[str, OutputFormat]:
    load_builtin_formats()
    return dict(sorted(_FORMATS.items()))


def get_format(name: str) -> OutputFormat:
    formats = available_formats()
    if name not in formats:
        raise InputError(
            f"unknown output format {name!r}; choose from {', '.join(formats)}")
    return formats[name]


def render(report: Report, name: str, options: RenderOptions | None = None) -> bytes:
    """Render ``report`` in format ``name``."""
    return get_format(name).render(report, options or RenderOptions(lang=report.lang))
