"""Registry of check types: the built-in ones and those of installed plugins.

Plugins expose a :class:`~inclusiecheck.engine.checks.api.CheckType` (made with
:func:`~inclusiecheck.engine.checks.api.check_type`), or a list of them, through the
entry-point group ``inclusiecheck.checks``; the entry-point name is informative, the check
type's own name is what rules use. The built-in check types are the ``CheckType`` objects of
the modules in :data:`BUILTIN_MODULES`. :data:`CHECKS` (an
:class:`inclusiecheck.registry.Registry`) imports them and loads the plugins the first time
it is used; a plugin that fails to load is in ``CHECKS.load_errors``.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from inclusiecheck.engine.checks.api import (
    CheckContext,
    CheckParams,
    CheckResult,
    CheckType,
    check_type,
)
from inclusiecheck.registry import Registry

BUILTIN_MODULES = (
    "inclusiecheck.engine.checks.threshold",
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


def _builtin_checks(module: ModuleType) -> list[CheckType]:
    """The check types a built-in module defines (not those it imports from another)."""
    return [value for value in vars(module).values()
            if isinstance(value, CheckType) and value.origin == module.__name__]


def _must_be_check_type(item: Any) -> None:
    if not isinstance(item, CheckType):
        raise TypeError(f"{item!r} is not a CheckType; decorate it with @check_type")


#: every check type by name (built-in and plugins), filled on first use
CHECKS: Registry[CheckType] = Registry(
    "check type", builtins=BUILTIN_MODULES, collect=_builtin_checks,
    entry_points=ENTRY_POINT_GROUP, plugin_kind="check plugin", check=_must_be_check_type)


def register(check: CheckType, *, replace: bool = False) -> CheckType:
    """Add a check type to the registry (a duplicate name is an error unless ``replace``)."""
    return CHECKS.register(check, replace=replace)


def registry() -> dict[str, CheckType]:
    """All known check types by name."""
    return dict(sorted(CHECKS.items()))


def get(name: str) -> CheckType:
    """The check type ``name``; an unknown name raises
    :class:`~inclusiecheck.registry.UnknownName` (an ``InputError``) with a suggestion and the
    check plugins that failed to load."""
    return CHECKS[name]


def __getattr__(name: str) -> Any:
    if name == "PLUGIN_ERRORS":  # the former list of load errors, as text (read only)
        CHECKS.load()
        return [str(error) for error in CHECKS.load_errors]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["CHECKS", "CheckContext", "CheckParams", "CheckResult", "CheckType", "check_type",
           "get", "register", "registry"]
