"""Output formats: pure functions of a :class:`~inclusiecheck.model.Report`."""

from inclusiecheck.report.registry import (
    OutputFormat,
    RenderOptions,
    available_formats,
    get_format,
    output_format,
    render,
)

__all__ = ["OutputFormat", "RenderOptions", "available_formats", "get_format", "output_format",
           "render"]
