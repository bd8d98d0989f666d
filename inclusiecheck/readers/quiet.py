"""Keep third-party libraries quiet: nothing they print may reach stdout.

inclusiecheck's stdout carries the report paths and the console summary (and a front-end may
parse it); its stderr carries one-line errors and ``--progress json``. C and C++ libraries
(IfcOpenShell's geometry kernel prints "local z: ..." lines; GDAL drivers) write to file
descriptor 1 directly, past :data:`sys.stdout`, so :func:`quiet_stdout` redirects the
descriptor itself to ``os.devnull`` around the calls. :func:`quiet_logger` mutes a Python
logger (fiona logs a warning per DXF field type it skips) for the duration of a read.
"""

from __future__ import annotations

import logging
import os
import sys
from contextlib import contextmanager
from collections.abc import Iterator


@contextmanager
def quiet_stdout() -> Iterator[None]:
    """Redirect file descriptor 1 (and :data:`sys.stdout`) to ``os.devnull`` inside the block.

    Falls back to doing nothing when stdout has no file descriptor (a captured stream)."""
    try:
        fd = sys.__stdout__.fileno() if sys.__stdout__ is not None else 1
        saved = os.dup(fd)
    except (OSError, ValueError, AttributeError):
        yield
        return
    try:
        for stream in (sys.stdout, sys.__stdout__):
            try:
                if stream is not None:
                    stream.flush()
            except (OSError, ValueError):
                pass
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, fd)
        finally:
            os.close(devnull)
        yield
    finally:
        try:
            import ctypes

            ctypes.CDLL(None).fflush(None)  # C stdio buffers still aimed at devnull
        except (OSError, AttributeError):
            pass
        os.dup2(saved, fd)
        os.close(saved)


@contextmanager
def quiet_logger(*names: str, level: int = logging.ERROR) -> Iterator[None]:
    """Raise the level of the named loggers to ``level`` inside the block."""
    loggers = [logging.getLogger(name) for name in names]
    before = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(level)
    try:
        yield
    finally:
        for logger, old in zip(loggers, before):
            logger.setLevel(old)


__all__ = ["quiet_logger", "quiet_stdout"]
