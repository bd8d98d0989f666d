"""Writing output files: each atomically, and a report set as one unit.

Every file is written through a temporary file in the same folder and renamed into place, so
a crash never leaves a half-written file. A *report set* (the formats of one run in one
``--out`` folder) is written by :func:`write_report_set`:

1. a lock (``.inclusiecheck.lock``, an OS file lock released when the process ends, even
   killed) refuses a second run into the same folder with a clear error;
2. leftovers of a killed run (``.report.html.*.tmp``) are removed;
3. every file is rendered *before* anything is touched, so a failure while rendering leaves
   the previous set as it was;
4. ``manifest.json`` is replaced by one marked ``"complete": false`` that names the files of
   the previous set and of this run; the files are replaced; files of the previous set that
   this run does not write are removed (only names a manifest lists *and* the tool writes:
   the officer's own files in the folder are never touched);
5. ``manifest.json`` is written last, ``"complete": true``: each file, its size and sha256,
   the run id.

A folder holds a complete set exactly when its manifest says ``complete`` and every file
matches it (:func:`verify_report_set`): a run killed at any point leaves the previous complete
set or none, never a mix that looks complete.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any
from collections.abc import Iterable

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
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


# -------------------------------------------------------------------------- report sets

MANIFEST = "manifest.json"
LOCK_FILE = ".inclusiecheck.lock"
#: file names the tool writes besides the report formats (batch index, comparison)
EXTRA_TOOL_FILES = ("batch.json", "index.html", "compare.json", "compare.md")
_TMP = re.compile(r"^\.(?P<name>.+)\.[A-Za-z0-9_]+\.tmp$")
#: lock file descriptors held by this process, by resolved folder
_HELD: dict[str, int] = {}


def tool_filenames() -> frozenset[str]:
    """Every file name the tool writes into an output folder."""
    from inclusiecheck.report import available_formats

    names = {fmt.filename for fmt in available_formats().values()}
    return frozenset(names | set(EXTRA_TOOL_FILES) | {MANIFEST})


def lock_folder(out: Path) -> None:
    """Lock ``out`` for this process until it ends (creating the folder).

    Raises
    ------
    OutputError
        Another run holds the lock, or the folder cannot be created.
    """
    try:
        created = not out.exists()
        out.mkdir(parents=True, exist_ok=True)
        key = str(out.resolve())
        if key in _HELD:
            return
        fd = os.open(out / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        raise OutputError(_describe(out / LOCK_FILE, exc)) from None
    if not _try_lock(fd):
        os.close(fd)
        raise OutputError(f"--out {out}: another inclusiecheck run is writing reports into this "
                          "folder; wait for it to finish or choose another --out")
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
    except OSError:
        pass  # the pid is informative only
    if not _LOCKED:
        atexit.register(release_unused)
    _HELD[key] = fd
    _LOCKED.append((out, created))


#: folders this process locked, and whether it created them
_LOCKED: list[tuple[Path, bool]] = []


def release_unused() -> None:
    """A run that failed before writing leaves neither its lock file nor a folder it created
    behind (the lock file stays beside a report set). Called when the CLI ends."""
    while _LOCKED:
        out, created = _LOCKED.pop()
        try:
            if [p.name for p in out.iterdir()] == [LOCK_FILE]:
                unlock_folder(out)
                (out / LOCK_FILE).unlink()
                if created:
                    out.rmdir()
        except OSError:
            pass


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False  # another process holds it
    except OSError:
        return True  # a file system without locks (ENOLCK): write without one
    return True


def unlock_folder(out: Path) -> None:
    """Release this process's lock on ``out`` (also released when the process ends)."""
    fd = _HELD.pop(str(out.resolve()), None)
    if fd is not None:
        os.close(fd)


def clean_leftovers(out: Path, names: Iterable[str] | None = None) -> list[Path]:
    """Remove temporary files a killed run left in ``out`` (only the tool's own:
    ``.<tool file name>.<random>.tmp``); return what was removed. Call with the lock held."""
    known = frozenset(names) if names is not None else tool_filenames()
    removed: list[Path] = []
    try:
        entries = list(out.iterdir())
    except OSError:
        return removed
    for entry in entries:
        match = _TMP.match(entry.name)
        if match and match.group("name") in known and entry.is_file() and not entry.is_symlink():
            try:
                entry.unlink()
                removed.append(entry)
            except OSError:
                pass
    return removed


def read_manifest(out: Path) -> dict[str, Any] | None:
    """The manifest of ``out`` as written by :func:`write_report_set`, or ``None`` when it
    is missing or not one (unreadable, not JSON, wrong shape)."""
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("tool") != "inclusiecheck" \
            or not isinstance(data.get("files"), list):
        return None
    files = [f for f in data["files"] if isinstance(f, dict) and isinstance(f.get("name"), str)]
    return {**data, "files": files}


def verify_report_set(out: Path) -> dict[str, Any]:
    """The manifest of ``out`` when the folder holds the complete set it names (every file
    present with its sha256).

    Raises
    ------
    OutputError
        No manifest (no complete set: a run was interrupted), or a file missing or changed.
    """
    manifest = read_manifest(out)
    if manifest is None or manifest.get("complete") is not True:
        raise OutputError(f"{out}: no {MANIFEST}: the folder holds no complete report set "
                          "(a run was interrupted); run the check again")
    for item in manifest["files"]:
        path = out / item["name"]
        if "/" in item["name"] or "\\" in item["name"] or not path.is_file():
            raise OutputError(f"{out}: {item['name']} named by {MANIFEST} is missing")
        if _sha256(path.read_bytes()) != item.get("sha256"):
            raise OutputError(f"{out}: {item['name']} does not match {MANIFEST} (changed "
                              "after the run, or written by another run)")
    return manifest


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_report_set(out: Path, files: Iterable[tuple[str, bytes]], *,
                     run_id: str | None = None) -> list[Path]:
    """Write ``files`` (plain names and contents, rendered beforehand) into ``out`` as one
    set, ending with ``manifest.json`` (see the module docstring); return the written paths
    (the manifest last).

    Raises
    ------
    OutputError
        Another run holds the folder, or a file cannot be written (the folder then has no
        manifest: no complete set).
    """
    files = list(files)
    names = [name for name, _data in files]
    for name in names:
        if not name or "/" in name or "\\" in name or name in (".", "..", MANIFEST):
            raise ValueError(f"not a plain output file name: {name!r}")
    held = _is_held(out)
    lock_folder(out)
    try:
        return _write_set(out, files, names, run_id)
    finally:
        if not held:  # a lock taken here is released here; a caller's stays with the caller
            unlock_folder(out)


def _is_held(out: Path) -> bool:
    try:
        return str(out.resolve()) in _HELD
    except OSError:
        return False


def _write_set(out: Path, files: list[tuple[str, bytes]], names: list[str],
               run_id: str | None) -> list[Path]:
    known = tool_filenames() | set(names)
    clean_leftovers(out, known)
    previous = read_manifest(out)
    manifest_path = out / MANIFEST
    previous_names = [item["name"] for item in previous["files"]] if previous else []
    # the set is incomplete from here on: a manifest saying so, naming every file this run
    # may leave behind, so that the run after a kill knows what to remove
    pending = {"tool": "inclusiecheck", "complete": False,
               "files": [{"name": name} for name in dict.fromkeys([*previous_names, *names])]}
    write_atomic(manifest_path, (json.dumps(pending, indent=2) + "\n").encode())
    written = []
    entries = []
    for name, data in files:
        path = out / name
        write_atomic(path, data)
        written.append(path)
        entries.append({"name": name, "bytes": len(data), "sha256": _sha256(data)})
    for stale in previous_names:
        if stale not in names and stale in known and "/" not in stale and stale != MANIFEST:
            with contextlib.suppress(OSError):
                (out / stale).unlink()
    from inclusiecheck import __version__

    manifest = {
        "tool": "inclusiecheck", "version": __version__,
        "run_id": run_id or uuid.uuid4().hex,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "complete": True, "files": entries,
    }
    write_atomic(manifest_path, (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode())
    written.append(manifest_path)
    return written
