"""Writing output files atomically (a crash never leaves a half-written report)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from inclusiecheck.model import InputError


class OutputError(InputError):
    """An output file cannot be written (read-only folder, a file where a folder should be,
    disk full): reported like bad input, one line and exit code 2."""


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder + rename.

    Raises
    ------
    OutputError
        The folder cannot be created or written, ``path`` is a folder, or the write fails;
        no temporary file is left behind and an existing ``path`` keeps its old content.
    """
    try:
        _write_atomic(path, data)
    except OSError as exc:
        raise OutputError(_describe(path, exc)) from None


def _describe(path: Path, exc: OSError) -> str:
    blocking = next((p for p in (path.parent, *path.parent.parents)
                     if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        return f"cannot write {path}: {blocking} is a file, not a folder"
    if path.is_dir():
        return f"cannot write {path}: a folder of that name exists"
    reason = exc.strerror or str(exc) or type(exc).__name__
    where = exc.filename if isinstance(exc.filename, str) else path
    return f"cannot write {path}: {reason} ({where})" if str(where) != str(path) \
        else f"cannot write {path}: {reason}"


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    umask = os.umask(0)
    os.umask(umask)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; outputs are ordinary files
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
