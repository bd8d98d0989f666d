"""Finding and running the ``inclusiecheck`` command of a separate Python environment.

No QGIS and no inclusiecheck import here: this module only starts processes, so it is safe in
QGIS's Python and testable without QGIS.

The command is, in this order:

1. the environment variable ``INCLUSIECHECK_CLI`` (used by tests and managed installs);
2. the path set in the plugin's settings (Processing options > Providers > inclusiecheck);
3. ``inclusiecheck`` on ``PATH``;
4. the virtual environment the plugin creates on first use in its settings folder, from the
   inclusiecheck wheel bundled in the plugin zip (``wheels/``), with ``pip`` from PyPI for the
   dependencies (QGIS's proxy settings are passed to pip).

A path given in 1 or 2 that does not exist is an error (no silent fallback to another
environment). On Windows ``sys.executable`` is the QGIS binary (``qgis-bin.exe``), so the
interpreter for the virtual environment is looked up in ``sys.exec_prefix``.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from collections.abc import Callable, Sequence

ENV_VAR = "INCLUSIECHECK_CLI"
#: the Python version inclusiecheck needs
MIN_PYTHON = (3, 11)
WINDOWS = os.name == "nt"


class CliError(Exception):
    """A problem to show as one readable message (the plugin turns it into a
    QgsProcessingException, which Processing logs without a traceback)."""


def venv_cli(venv: Path) -> Path:
    """The ``inclusiecheck`` script inside virtual environment ``venv``."""
    return venv / ("Scripts/inclusiecheck.exe" if WINDOWS else "bin/inclusiecheck")


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if WINDOWS else "bin/python")


def find_cli(setting: str | None, venv: Path | None,
             environ: dict[str, str] | None = None) -> list[str] | None:
    """The command (argv prefix) that runs inclusiecheck, or None when there is none yet
    (the caller may then create the plugin's own environment).

    Raises
    ------
    CliError
        ``INCLUSIECHECK_CLI`` or the setting names a path that does not exist.
    """
    environ = os.environ if environ is None else environ
    for given, where in ((environ.get(ENV_VAR, ""), f"the environment variable {ENV_VAR}"),
                         (setting or "", "the plugin setting 'inclusiecheck command' "
                                         "(Processing options > Providers > inclusiecheck)")):
        value = given.strip()
        if not value:
            continue
        path = Path(value).expanduser()
        if path.is_dir():  # a virtual environment's folder
            path = venv_cli(path)
        if not path.is_file():
            raise CliError(f"the inclusiecheck command {value!r} set in {where} does not exist; "
                           "correct the path or clear it to use inclusiecheck on PATH")
        return [str(path)]
    found = shutil.which("inclusiecheck", path=environ.get("PATH"))
    if found:
        return [found]
    if venv is not None and venv_cli(venv).is_file():
        return [str(venv_cli(venv))]
    return None


def base_python(exec_prefix: str | None = None, executable: str | None = None) -> str | None:
    """A Python interpreter to create the virtual environment with.

    In QGIS ``sys.executable`` is often the QGIS binary itself (always on Windows), so the
    interpreter is looked up in ``sys.exec_prefix`` first (``python.exe`` / ``python3.exe``
    on Windows, ``bin/python3`` elsewhere), then ``sys.executable`` if it is a Python, then
    ``python3`` on PATH.
    """
    prefix = Path(exec_prefix or sys.exec_prefix)
    candidates = [prefix / "python.exe", prefix / "python3.exe"] if WINDOWS else \
        [prefix / "bin" / "python3", prefix / "bin" / "python"]
    exe = Path(executable or sys.executable or "")
    if exe.name.lower().startswith("python"):
        candidates.append(exe)
    found = shutil.which("python3") or shutil.which("python")
    if found:
        candidates.append(Path(found))
    for candidate in candidates:
        if candidate.is_file():
            return str(candidate)
    return None


def python_version(python: str) -> tuple[int, int] | None:
    try:
        out = subprocess.run([python, "-c", "import sys; print(sys.version_info[0], "
                              "sys.version_info[1])"], capture_output=True, text=True,
                             timeout=60, check=False, **_no_window())
        major, minor = out.stdout.split()
        return int(major), int(minor)
    except (OSError, ValueError, subprocess.SubprocessError):
        return None


def bundled_wheels(plugin_dir: Path) -> list[Path]:
    return sorted((plugin_dir / "wheels").glob("inclusiecheck-*.whl"))


def proxy_url(enabled: bool, host: str, port: str | int | None, user: str = "",
              password: str = "") -> str | None:
    """QGIS's proxy settings as a URL for ``pip --proxy`` (None when no proxy is set)."""
    if not enabled or not host:
        return None
    from urllib.parse import quote

    auth = f"{quote(user, safe='')}:{quote(password, safe='')}@" if user else ""
    scheme = "" if "://" in host else "http://"
    return f"{scheme}{auth}{host}" + (f":{port}" if port else "")


def create_venv(venv: Path, wheels: Sequence[Path], *, python: str | None = None,
                proxy: str | None = None, log: Callable[[str], None] = print,
                is_canceled: Callable[[], bool] = lambda: False) -> list[str]:
    """Create ``venv`` and install the bundled inclusiecheck wheel into it; return the command.

    Raises
    ------
    CliError
        No wheel, no suitable Python (3.11+), or venv/pip failed (with pip's last line).
    """
    if not wheels:
        raise CliError("no inclusiecheck environment found (not set in the plugin settings, "
                       "not on PATH) and this plugin build has no bundled wheel to create one; "
                       "install inclusiecheck and set its path in Processing options > "
                       "Providers > inclusiecheck")
    python = python or base_python()
    version = python_version(python) if python else None
    if version is None or version < MIN_PYTHON:
        found = f"Python {version[0]}.{version[1]}" if version else "no Python interpreter"
        raise CliError(f"inclusiecheck needs Python {MIN_PYTHON[0]}.{MIN_PYTHON[1]} or newer to "
                       f"create its environment, found {found}; install inclusiecheck "
                       "yourself and set its path in Processing options > Providers > "
                       "inclusiecheck")
    log(f"Creating the inclusiecheck environment in {venv} (once; this takes a few minutes)")
    venv.parent.mkdir(parents=True, exist_ok=True)
    steps = [[python, "-m", "venv", str(venv)],
             [str(venv_python(venv)), "-m", "pip", "install", "--disable-pip-version-check",
              *(["--proxy", proxy] if proxy else []), str(wheels[-1])]]
    for argv in steps:
        code, lines = _run_logged(argv, log, is_canceled)
        if is_canceled():
            shutil.rmtree(venv, ignore_errors=True)
            raise CliError("creating the inclusiecheck environment was cancelled")
        if code != 0:
            shutil.rmtree(venv, ignore_errors=True)
            last = next((line for line in reversed(lines) if line.strip()), "")
            raise CliError(f"creating the inclusiecheck environment failed ({argv[2]} "
                           f"exited with {code}: {last.strip()}); check the network or "
                           "proxy settings, or install inclusiecheck yourself and set its path")
    cli = venv_cli(venv)
    if not cli.is_file():
        raise CliError(f"the new environment {venv} has no inclusiecheck command")
    return [str(cli)]


def _no_window() -> dict:
    """subprocess options that keep a console window from flashing up on Windows."""
    if WINDOWS:
        return {"creationflags": getattr(subprocess, "CREATE_NO_WINDOW", 0)}
    return {}


def _run_logged(argv: list[str], log: Callable[[str], None],
                is_canceled: Callable[[], bool]) -> tuple[int, list[str]]:
    """Run ``argv`` with stdout and stderr passed line by line to ``log`` (in this thread)."""
    collected: list[str] = []

    def keep(line: str) -> None:
        collected.append(line)
        log(line)

    try:
        result = run_cli(argv[:1], argv[1:], on_log=keep, is_canceled=is_canceled,
                         merge_output=True)
    except CliError as exc:
        return 127, [str(exc)]
    return result.code, collected


class RunResult:
    def __init__(self, code: int, stdout: str, errors: list[str], canceled: bool,
                 done: dict | None) -> None:
        self.code = code
        self.stdout = stdout
        self.errors = errors
        self.canceled = canceled
        self.done = done


def run_cli(command: Sequence[str], args: Sequence[str], *,
            on_progress: Callable[[float, str], None] = lambda p, m: None,
            on_log: Callable[[str], None] = lambda m: None,
            is_canceled: Callable[[], bool] = lambda: False,
            merge_output: bool = False) -> RunResult:
    """Run ``command + args``; parse ``--progress json`` lines from stderr as they come.

    Progress lines call ``on_progress(percent, message)``; other stderr lines are collected
    as errors (``inclusiecheck: error: ...``) and passed to ``on_log``. A cancel request ends
    the process. The callbacks run in the calling thread (the pipe-reading threads only queue
    lines), so they may touch Qt objects such as a Processing feedback.
    """
    argv = [*command, *args]
    env = dict(os.environ)
    env.setdefault("PYTHONIOENCODING", "utf-8")
    env.pop("PYTHONPATH", None)  # QGIS's own packages must not leak into the other environment
    env.pop("PYTHONHOME", None)
    try:
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                encoding="utf-8", errors="replace", env=env, **_no_window())
    except OSError as exc:
        raise CliError(f"cannot start {command[0]}: {exc.strerror or exc}") from None
    lines: queue.Queue[tuple[str, str]] = queue.Queue()

    def pump(stream, name: str) -> None:
        for raw in stream:
            lines.put((name, raw.rstrip("\n")))
        stream.close()

    threads = [threading.Thread(target=pump, args=(proc.stderr, "err"), daemon=True),
               threading.Thread(target=pump, args=(proc.stdout, "err" if merge_output else "out"),
                                daemon=True)]
    for thread in threads:
        thread.start()
    errors: list[str] = []
    out: list[str] = []
    done: dict = {}

    def handle(name: str, line: str) -> None:
        if name == "out":
            out.append(line + "\n")
            return
        if line.startswith("{"):
            try:
                item = json.loads(line)
            except ValueError:
                item = None
            if isinstance(item, dict) and "event" in item:
                if item["event"] == "done":
                    done.update(item)
                on_progress(float(item.get("percent") or 0), str(item.get("message", "")))
                return
        if line.strip():
            errors.append(line)
            on_log(line)

    def drain() -> None:
        while True:
            try:
                handle(*lines.get_nowait())
            except queue.Empty:
                return

    canceled = False
    while proc.poll() is None:
        drain()
        if is_canceled():
            canceled = True
            _end(proc)
            break
        time.sleep(0.05)
    for thread in threads:
        thread.join(timeout=5)
    drain()
    return RunResult(proc.returncode, "".join(out), errors, canceled, done or None)


def _end(proc: subprocess.Popen) -> None:
    """End ``proc``: terminate, then kill if it does not stop within 5 s."""
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def error_message(result: RunResult, what: str = "inclusiecheck") -> str:
    """One readable line for a failed run: the CLI's own error line when there is one."""
    prefix = "inclusiecheck: error: "
    for line in result.errors:
        if line.startswith(prefix):
            return line[len(prefix):]
    for line in reversed(result.errors):
        if line.strip() and not line.startswith((" ", "\t", "Traceback")):
            return f"{what} failed (exit code {result.code}): {line.strip()}"
    return f"{what} failed with exit code {result.code}"
