"""Registry of check types: the built-in ones and those of installed plugins.

Plugins expose a :class:`~inclusiecheck.engine.checks.api.CheckType` (made with
:func:`~inclusiecheck.engine.checks.api.check_type`) through the entry-point group
``inclusiecheck.checks``; the entry-point name is informative, the check type's own name is
what rules use. The built-in check types are registered the same way, from the modules in
:data:`BUILTIN_MODULES`.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points

from inclusiecheck.engine.checks.api import (
    CheckContext,
    CheckParams,
    CheckResult,
    CheckType,
    check_type,
)
from inclusiecheck.model import InputError

BUILTIN_MODULES = (
    "inclusiecheck.engine.checks.basic",
    "inclusiecheck.engine.checks.relations",
    "inclusiecheck.engine.checks.geometric",
    "inclusiecheck.engine.checks.provisions",
    "inclusiecheck.engine.checks.safety",
    "inclusiecheck.engine.checks.building",
    "inclusiecheck.engine.checks.chain",
    "inclusiecheck.engine.checks.compliance",
)
ENTRY_POINT_GROUP = "inclusiecheck.checks"

_REGISTRY: dict[str, CheckType] = {}
_loaded = False
PLUGIN_ERRORS: list[str] = []


def register(check: CheckType, *, replace: bool = False) -> CheckType:
    """Add a check type to the registry (a duplicate name is an error unless ``replace``)."""
    if not isinstance(check, CheckType):
        raise TypeError(f"{check!r} is not a CheckType; decorate it with @check_type")
    if check.name in _REGISTRY and not replace and _REGISTRY[check.name] is not check:
        raise ValueError(f"check type {check.name!r} is registered twice "
                         f"({_REGISTRY[check.name].origin} and {check.origin})")
    _REGISTRY[check.name] = check
    return check


def _load() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    for module_name in BUILTIN_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue
            raise
        for value in vars(module).values():
            if isinstance(value, CheckType):
                register(value)
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            obj = ep.load()
            checks = obj if isinstance(obj, (list, tuple)) else [obj]
            for item in checks:
                register(item)
        except Exception as exc:  # a broken plugin must not break the engine
            PLUGIN_ERRORS.append(f"check plugin {ep.name!r} ({ep.value}): {exc}")


def registry() -> dict[str, CheckType]:
    """All known check types by name."""
    _load()
    return dict(sorted(_REGISTRY.items()))


def get(name: str) -> CheckType:
    reg = registry()
    if name not in reg:
        import difflib

        close = difflib.get_close_matches(name, reg, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f"; known: {', '.join(reg)}"
        raise InputError(f"unknown check type {name!r}{hint}")
    return reg[name]


__all__ = ["CheckContext", "CheckParams", "CheckResult", "CheckType", "check_type", "get",
           "register", "registry"]
