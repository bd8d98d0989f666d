"""Safe loading of untrusted YAML text (rule files, plan.yaml, deviations, mapping profiles).

YAML files are data, never code: they are read with a safe loader (libyaml's C loader when
available), which rejects tags that construct Python objects. Three further guards keep a
small hostile file from hurting the caller:

- aliases: the loader shares aliased nodes, but everything that walks the result (pydantic,
  ``json.dumps``, reports) expands them, so a 1 kB "billion laughs" file becomes 10^9 items;
  a document whose alias-expanded size exceeds :data:`MAX_EXPANDED_NODES` (or that refers to
  itself) is rejected before it is constructed;
- size: callers pass a byte limit (:data:`MAX_YAML_BYTES` by default);
- the safe constructors raise ``ValueError``, ``KeyError``, ``AttributeError``... on values
  such as ``2010-02-30`` or ``!!int x``: every one becomes a :class:`YamlProblem`.

This module sits in :mod:`inclusiecheck.model` so that readers and the engine can share it.
"""

from __future__ import annotations

from typing import Any

import yaml

try:  # pragma: no cover - depends on the PyYAML build
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader  # type: ignore[assignment]

#: most nodes a document may have once its aliases are expanded
MAX_EXPANDED_NODES = 200_000
#: default size limit of a YAML file (rule files are a few kB)
MAX_YAML_BYTES = 4 * 1024 * 1024


class YamlProblem(ValueError):
    """YAML text that cannot be loaded safely; ``line`` is 1-based (``None`` if unknown)."""

    def __init__(self, problem: str, line: int | None = None) -> None:
        self.problem = problem
        self.line = line
        super().__init__(problem if line is None else f"line {line}: {problem}")


def _first_line(text: str) -> str:
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    return lines[0] if lines else ""


def _expanded_size(root: yaml.Node, limit: int) -> int:
    """Number of nodes of ``root`` with every alias expanded; stops counting past ``limit``."""
    count = 0
    stack: list[yaml.Node] = [root]
    while stack:
        node = stack.pop()
        count += 1
        if count > limit:
            return count
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.append(key)
                stack.append(value)
    return count


def _duplicate_key(root: yaml.Node) -> YamlProblem | None:
    """The first mapping key written twice in one mapping (YAML would silently keep only the
    last value: a second ``any:`` or ``min:`` would replace the first)."""
    seen_nodes: set[int] = set()
    stack: list[yaml.Node] = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen_nodes:  # an alias: the same node again
            continue
        seen_nodes.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            first: dict[str, int] = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
                    line = key.start_mark.line + 1
                    if key.value in first:
                        return YamlProblem(
                            f"key {key.value!r} is written twice in one mapping (also on line "
                            f"{first[key.value]}): YAML would keep only the last one", line)
                    first[key.value] = line
                stack.append(value)
    return None


def check_size(size: int, limit: int = MAX_YAML_BYTES) -> str | None:
    """A problem message when a file of ``size`` bytes exceeds ``limit``, else ``None``."""
    if size <= limit:
        return None
    return (f"file too large ({size / 1e6:.1f} MB; YAML files are limited to "
            f"{limit / 1e6:.1f} MB)")


def load_text(text: str, *, max_nodes: int = MAX_EXPANDED_NODES,
              unique_keys: bool = False) -> Any:
    """Load one YAML document from ``text`` safely; ``unique_keys``: a key written twice in one
    mapping is an error (rule files: a repeated key would silently drop the first).

    Raises
    ------
    YamlProblem
        Invalid YAML, a tag that would construct an object, a value the safe constructors
        reject, or a document that is too large once its aliases are expanded.
    """
    loader = SafeLoader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            raise _problem(exc) from None
        except yaml.YAMLError as exc:
            raise YamlProblem(_first_line(str(exc)) or "invalid YAML") from None
        if node is None:
            return None
        if _expanded_size(node, max_nodes) > max_nodes:
            raise YamlProblem(
                f"too many nodes once aliases (*name) are expanded (more than {max_nodes}); "
                "an alias bomb or a self-referencing anchor?", node.start_mark.line + 1)
        if unique_keys:
            duplicate = _duplicate_key(node)
            if duplicate is not None:
                raise duplicate
        try:
            return loader.construct_document(node)
        except yaml.MarkedYAMLError as exc:
            problem = _problem(exc)
            if "constructor" in problem.problem or "could not determine" in problem.problem:
                problem = YamlProblem(f"{problem.problem} (tags that construct objects are not "
                                      "allowed)", problem.line)
            raise problem from None
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError,
                RecursionError, yaml.YAMLError) as exc:
            detail = _first_line(str(exc)) or type(exc).__name__
            raise YamlProblem(f"invalid value ({detail})") from None
    finally:
        loader.dispose()


def _problem(exc: yaml.MarkedYAMLError) -> YamlProblem:
    mark = exc.problem_mark or exc.context_mark
    problem = _first_line(exc.problem or "") or _first_line(exc.context or "") \
        or _first_line(str(exc)) or "invalid YAML"
    return YamlProblem(problem, mark.line + 1 if mark is not None else None)


__all__ = ["MAX_EXPANDED_NODES", "MAX_YAML_BYTES", "YamlProblem", "check_size", "load_text"]
