"""The inclusion advice as one self-contained HTML file (``report.html``).

Jinja2 templates in ``templates/`` render the view-model of
:func:`inclusiecheck.report.viewmodel.view_model`. The page loads nothing: CSS is inline, the
map is inline SVG, icons are inline SVG, there is no script and no web font. Dutch by default,
English with ``lang="en"``. Autoescaping is on: text from the plan can never become markup.
"""

from __future__ import annotations

import datetime as dt
import functools

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from inclusiecheck.model import Report
from inclusiecheck.report.registry import RenderOptions, output_format
from inclusiecheck.report.viewmodel import view_model

#: the page's colours; every (foreground, background) pair in CONTRAST_PAIRS is >= 4.5:1
PALETTE: dict[str, str] = {
    "bg": "#ffffff",
    "text": "#1a1a1a",
    "muted": "#4a4a4a",
    "link": "#0b4f9c",
    "focus": "#0b4f9c",
    "rule": "#8c8c8c",
    "code_bg": "#f1efe9",
    "table_head": "#eeeae2",
    "table_border": "#8c8c8c",
    "law": "#1f3f66",
    "advice": "#5f6f2a",
    "ok_text": "#1e5a21",
    "ok_bg": "#eaf4ea",
    "warn_text": "#6b4200",
    "warn_bg": "#fff4e0",
    "fail_text": "#8b1a13",
    "fail_bg": "#fdeceb",
    "verify_text": "#16407f",
    "verify_bg": "#e8f0fb",
    "dev_text": "#4b2d75",
    "dev_bg": "#f1ebf8",
    "na_text": "#333333",
    "na_bg": "#f0f0f0",
}

#: text colour on background colour, as used by the CSS (tested for WCAG AA contrast)
CONTRAST_PAIRS: tuple[tuple[str, str], ...] = (
    ("text", "bg"), ("muted", "bg"), ("link", "bg"), ("text", "code_bg"), ("text", "table_head"),
    ("bg", "law"), ("bg", "text"), ("muted", "table_head"), ("link", "table_head"),
    ("ok_text", "ok_bg"), ("warn_text", "warn_bg"), ("fail_text", "fail_bg"),
    ("verify_text", "verify_bg"), ("dev_text", "dev_bg"), ("na_text", "na_bg"),
    ("text", "ok_bg"), ("text", "warn_bg"), ("text", "fail_bg"), ("text", "na_bg"),
    ("link", "ok_bg"), ("link", "warn_bg"), ("link", "fail_bg"), ("link", "na_bg"),
)


@functools.lru_cache(maxsize=1)
def environment() -> Environment:
    """The Jinja2 environment of the report templates (autoescape on, strict undefined)."""
    return Environment(
        loader=PackageLoader("inclusiecheck.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
        keep_trailing_newline=True,
    )


@functools.lru_cache(maxsize=1)
def stylesheet() -> Markup:
    """The inline CSS of the page, with the palette filled in."""
    return Markup(environment().get_template("style.css.j2").render(p=PALETTE).strip())


def render_html_text(report: Report, lang: str, check_date: "dt.date | None" = None) -> str:
    """Render ``report`` as the HTML inclusion advice in ``lang`` and return the text.

    ``check_date``: the date of the check shown on the page (default ``SOURCE_DATE_EPOCH``,
    else today); report.json never holds it.
    """
    vm = view_model(report, lang, check_date=check_date)
    return environment().get_template("report.html.j2").render(css=stylesheet(), **vm)


@output_format("html", "report.html", "text/html",
               "the inclusion advice: one self-contained, accessible HTML page")
def render_html(report: Report, options: RenderOptions) -> bytes:
    """Render ``report`` as ``report.html`` in ``options.lang`` (``nl`` or ``en``)."""
    return render_html_text(report, options.lang or report.lang or "nl",
                            options.check_date).encode("utf-8")
