"""inclusiecheck: inclusion review of public-space designs (accessibility and social safety).

The Python API that the CLI and other front-ends call::

    import inclusiecheck
    report = inclusiecheck.check("samples/marktplein")
    print(report.verdict.code)
"""

from __future__ import annotations

from typing import Any

from inclusiecheck._version import __version__


def check(*args: Any, **kwargs: Any) -> Any:
    """Run the whole pipeline on a plan and return the :class:`~inclusiecheck.model.Report`.

    See :func:`inclusiecheck.api.check` for the parameters.
    """
    from inclusiecheck.api import check as _check

    return _check(*args, **kwargs)


__all__ = ["__version__", "check"]
