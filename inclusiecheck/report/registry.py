"""Output formats, registered by name: each is a pure function ``(Report, options) -> bytes``.

No if/elif chain picks a format: the CLI and the API look the name up here. Formats register
with the :func:`output_format` decorator in :data:`FORMATS`, which imports the built-in
modules the first time it is used.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from collections.abc import Callable

from inclusiecheck.model import Report
from inclusiecheck.registry import Registry


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """Options every renderer may read."""

    lang: str = "nl"
    #: BCF: also export recommendations (obligations are always exported)
    bcf_recommendations: bool = False
    extra: dict[str, object] = field(default_factory=dict)
    #: the date of the check shown in HTML and Markdown (never in JSON): ``--check-date``;
    #: None: ``SOURCE_DATE_EPOCH``, else today (:func:`inclusiecheck.report.viewmodel.check_date`)
    check_date: dt.date | None = None
    #: processes a renderer may use (``--jobs``): report.json renders the lines of a large
    #: report in two (:func:`inclusiecheck.report.json_report.render_json`)
    jobs: int = 1


Renderer = Callable[[Report, RenderOptions], bytes]


@dataclass(frozen=True, slots=True)
class OutputFormat:
    name: str
    filename: str
    media_type: str
    render: Renderer
    description: str = ""


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
#: the output formats by name, filled from :data:`BUILTIN_MODULES` on first use
FORMATS: Registry[OutputFormat] = Registry("output format", builtins=BUILTIN_MODULES)


def output_format(name: str, filename: str, media_type: str, description: str = "", *,
                  replace: bool = False) -> Callable[[Renderer], Renderer]:
    """Register ``func`` as the renderer of format ``name`` writing ``filename``."""

    def decorate(func: Renderer) -> Renderer:
        FORMATS.register(OutputFormat(name, filename, media_type, func, description),
                         replace=replace)
        return func

    return decorate


def load_builtin_formats() -> None:
    """Import the built-in format modules (done on first use anyway)."""
    FORMATS.load()


def available_formats() -> dict[str, OutputFormat]:
    return dict(sorted(FORMATS.items()))


def get_format(name: str) -> OutputFormat:
    """The format ``name``; an unknown name raises an ``InputError`` with a suggestion."""
    return FORMATS[name]


def render(report: Report, name: str, options: RenderOptions | None = None) -> bytes:
    """Render ``report`` in format ``name``."""
    return get_format(name).render(report, options or RenderOptions(lang=report.lang))
