"""Fast, safe YAML loading for rule files, with line numbers on demand.

Rule files are data: they are read with a safe loader (libyaml's C loader when available,
about 6x faster), never evaluated. Line numbers are only needed to report an error, so a file
is re-read with node marks only then (:func:`line_of`).
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any
from collections.abc import Sequence

import yaml

from inclusiecheck.model import InputError
from inclusiecheck.model.safe_yaml import MAX_YAML_BYTES, YamlProblem, check_size, load_text


class YamlFileError(InputError):
    """A YAML file that cannot be read or parsed; keeps the file, line and bare problem apart
    so that ``rules validate`` can report them as ``file:line: problem``."""

    def __init__(self, path: Path, line: int | None, problem: str) -> None:
        self.path = path
        self.line = line
        self.problem = problem
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {problem}")


def load_yaml(path: Path, max_bytes: int = MAX_YAML_BYTES) -> Any:
    """Load a YAML file safely; a syntax error becomes a :class:`YamlFileError` (an
    InputError) with file and line.

    Only plain YAML is accepted: tags such as ``!!python/object/apply`` are rejected by the
    safe loader, so a rule file can never run code. Files larger than ``max_bytes`` and alias
    bombs (a few lines whose aliases expand to millions of nodes) are rejected too
    (:mod:`inclusiecheck.model.safe_yaml`).
    """
    try:
        info = path.stat()
    except OSError as exc:
        raise YamlFileError(path, None, f"cannot read ({exc.strerror})") from None
    if not stat.S_ISREG(info.st_mode):  # a FIFO or a device would block or never end
        raise YamlFileError(path, None, "not a regular file")
    size = info.st_size
    too_large = check_size(size, max_bytes)
    if too_large:
        raise YamlFileError(path, None, too_large)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise YamlFileError(path, None, "not UTF-8 text") from None
    except OSError as exc:
        raise YamlFileError(path, None, f"cannot read ({exc.strerror})") from None
    try:
        return load_text(text, unique_keys=True)
    except YamlProblem as exc:
        raise YamlFileError(path, exc.line, f"invalid YAML: {exc.problem}") from None


def line_of(path: Path, loc: Sequence[str | int]) -> int | None:
    """The 1-based line of the YAML node at ``loc`` (keys and list indexes), or of the
    deepest existing parent; ``None`` if the file cannot be composed."""
    try:
        if path.stat().st_size > MAX_YAML_BYTES:
            return None
        node = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (yaml.YAMLError, OSError, UnicodeDecodeError):
        return None
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if key_node.value == str(part):
                    line = key_node.start_mark.line + 1
                    node = value_node
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) \
                and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line
