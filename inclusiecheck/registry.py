"""One registry helper for the named extension points: check types, measures, scopes,
summaries, readers, output formats (and the rule-set plugins).

A :class:`Registry` maps names to items. It fills itself the first time it is used, once:

1. **built-ins**: it imports the modules it names (``builtins``); a module registers its items
   with the registry's decorator, or the registry ``collect``\\ s them from the module (the
   check types). Which modules hold the built-ins is written down here, in the registry,
   not left to whichever import happens to run first.
2. **plugins**: it loads the entry points of its group (``entry_points``), if it has one. A
   plugin that fails to import, or gives something that cannot be registered, does not stop
   the tool: the failure is kept in :attr:`Registry.load_errors` and shown by ``rules
   checks``, ``rules validate`` and in the "unknown ..." error of a name the plugin may have
   provided.

A duplicate name is an error unless the registration says ``replace=True``. Looking up an
unknown name with ``registry[name]`` raises :class:`UnknownName` (an
:class:`~inclusiecheck.model.InputError` and a :class:`KeyError`) with a "did you mean"
suggestion; ``registry.get(name)`` returns ``None`` as a mapping does.
"""

from __future__ import annotations

import difflib
import importlib
import threading
from collections.abc import Callable, ItemsView, Iterable, Iterator, KeysView, Mapping, ValuesView
from dataclasses import dataclass
from importlib import metadata
from types import ModuleType
from typing import Any, Generic, TypeVar, overload

from inclusiecheck.model import InputError

T = TypeVar("T")

_UNLOADED, _LOADING, _LOADED = "unloaded", "loading", "loaded"


class RegistryError(ValueError):
    """A registration that would silently shadow another one (the same name twice)."""


class UnknownName(InputError, KeyError):
    """A name no registry entry has: one line for the user, a ``KeyError`` for a mapping."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True, slots=True)
class LoadError:
    """A plugin (an entry point) that failed to load."""

    #: what failed, e.g. ``check plugin`` or ``rule-set plugin``
    kind: str
    #: the entry point's name and value (``package.module:object``)
    name: str
    value: str
    #: the exception, as ``ModuleNotFoundError: No module named 'x'``
    error: str

    def __str__(self) -> str:
        return f"{self.kind} {self.name!r} ({self.value}) failed to load: {self.error}"


def plugin_entry_points(group: str) -> list[metadata.EntryPoint]:
    """The installed entry points of ``group`` (the one place that asks; tests replace it)."""
    return list(metadata.entry_points(group=group))


def _default_name(item: Any) -> str:
    name = getattr(item, "name", None)
    if isinstance(name, str):
        return name
    return str(item.__name__)


def _one_or_many(_ep: metadata.EntryPoint, obj: Any) -> Iterable[Any]:
    return obj if isinstance(obj, (list, tuple)) else [obj]


def _describe(item: Any) -> str:
    origin = getattr(item, "origin", None)
    if isinstance(origin, str):
        return origin
    func = getattr(item, "func", None) or getattr(item, "render", None) \
        or getattr(item, "read", None) or item
    module, qualname = getattr(func, "__module__", None), getattr(func, "__qualname__", None)
    return f"{module}.{qualname}" if module and qualname else repr(item)


class Registry(Mapping[str, T], Generic[T]):
    """Named items of one ``kind`` (``"check type"``, ``"measure"``, ...), filled lazily.

    ``builtins``: the modules that hold the built-in items, imported on first use.
    ``collect``: takes a built-in module and returns its items (else the modules register
    themselves with :meth:`register` as they are imported). ``entry_points``: the plugin
    entry-point group; ``plugin_items(entry_point, loaded_object)`` turns what an entry point
    gives into items (default: the object, or each item of a list or tuple). ``name_of``
    names an item registered without a name (default: its ``name``, else ``__name__``);
    ``check`` validates an item before it is registered (raise ``TypeError``).
    """

    def __init__(self, kind: str, *, builtins: Iterable[str] = (),
                 collect: Callable[[ModuleType], Iterable[T]] | None = None,
                 entry_points: str | None = None, plugin_kind: str | None = None,
                 plugin_items: Callable[[metadata.EntryPoint, Any], Iterable[T]] | None = None,
                 name_of: Callable[[T], str] | None = None,
                 check: Callable[[T], None] | None = None) -> None:
        self.kind = kind
        self.builtins = tuple(builtins)
        self.entry_point_group = entry_points
        self.plugin_kind = plugin_kind or f"{kind} plugin"
        self._collect = collect
        self._plugin_items = plugin_items or _one_or_many
        self._name_of = name_of or _default_name
        self._check = check
        self._items: dict[str, T] = {}
        self._from_plugins: set[str] = set()
        self._state = _UNLOADED
        self._lock = threading.RLock()
        #: the plugins of :attr:`entry_point_group` that failed to load
        self.load_errors: list[LoadError] = []

    def __repr__(self) -> str:
        return f"<Registry of {self.kind}s: {len(self._items)} ({self._state})>"

    # -- registering ----------------------------------------------------------------------------
    @overload
    def register(self, item: T, /, *, name: str | None = None, replace: bool = False) -> T: ...

    @overload
    def register(self, /, *, name: str | None = None,
                 replace: bool = False) -> Callable[[T], T]: ...

    def register(self, item: Any = None, /, *, name: str | None = None,
                 replace: bool = False) -> Any:
        """Register ``item`` under ``name`` (default: its own name) and return it.

        As a decorator: ``@registry.register`` or ``@registry.register(name=..., replace=...)``.
        A name that is taken by another item is a :class:`RegistryError` unless ``replace``.
        """
        if item is None:
            return lambda obj: self._add(obj, name, replace)
        return self._add(item, name, replace)

    def _add(self, item: T, name: str | None, replace: bool) -> T:
        if self._check is not None:
            self._check(item)
        key = name if name is not None else self._name_of(item)
        old = self._items.get(key)
        if old is not None and old is not item and not replace:
            raise RegistryError(f"{self.kind} {key!r} is registered twice "
                                f"({_describe(old)} and {_describe(item)})")
        self._items[key] = item
        return item

    def unregister(self, name: str) -> T | None:
        """Remove ``name`` (a test that registered something cleans up); returns the item."""
        self._from_plugins.discard(name)
        return self._items.pop(name, None)

    # -- loading ----------------------------------------------------------------------------------
    def load(self) -> None:
        """Import the built-in modules, then load the plugins: once (later calls return)."""
        if self._state is _LOADED:
            return
        with self._lock:  # another thread waits here until the registry is filled
            if self._state is not _UNLOADED:
                return  # loaded, or being loaded further up this thread's stack (an import)
            self._state = _LOADING
            try:
                for module_name in self.builtins:
                    module = importlib.import_module(module_name)
                    if self._collect is not None:
                        for item in self._collect(module):
                            self.register(item)
                self._load_plugins()
            except BaseException:
                self._state = _UNLOADED
                raise
            self._state = _LOADED

    def _load_plugins(self) -> None:
        if self.entry_point_group is None:
            return
        for ep in plugin_entry_points(self.entry_point_group):
            try:
                for item in self._plugin_items(ep, ep.load()):
                    self.register(item)
                    self._from_plugins.add(self._name_of(item))
            except Exception as exc:  # a broken plugin is reported, never fatal
                self.load_errors.append(LoadError(self.plugin_kind, ep.name, ep.value,
                                                  f"{type(exc).__name__}: {exc}"))

    def reload_plugins(self) -> None:
        """Forget what the plugins registered and load the entry points again (after a
        package was installed in a running session, or in a test)."""
        self.load()
        with self._lock:
            for key in self._from_plugins:
                self._items.pop(key, None)
            self._from_plugins.clear()
            self.load_errors.clear()
            self._load_plugins()

    # -- looking up -------------------------------------------------------------------------------
    def unknown_message(self, name: str) -> str:
        """``unknown <kind> 'x'; did you mean 'y'?`` (or the known names), plus the plugins
        that failed to load (one of them may have provided ``name``)."""
        self.load()
        close = difflib.get_close_matches(name, list(self._items), n=1)
        hint = f"; did you mean {close[0]!r}?" if close \
            else f"; known: {', '.join(sorted(self._items)) or '(none)'}"
        failed = f" ({'; '.join(map(str, self.load_errors))})" if self.load_errors else ""
        return f"unknown {self.kind} {name!r}{hint}{failed}"

    def __getitem__(self, name: str) -> T:
        if self._state is not _LOADED:
            self.load()
        try:
            return self._items[name]
        except KeyError:
            raise UnknownName(self.unknown_message(name)) from None

    def get(self, name: str, default: Any = None) -> Any:  # a hot path: no exception
        if self._state is not _LOADED:
            self.load()
        return self._items.get(name, default)

    def __contains__(self, name: object) -> bool:
        if self._state is not _LOADED:
            self.load()
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        self.load()
        return iter(self._items)

    def __len__(self) -> int:
        self.load()
        return len(self._items)

    def keys(self) -> KeysView[str]:
        self.load()
        return self._items.keys()

    def values(self) -> ValuesView[T]:
        self.load()
        return self._items.values()

    def items(self) -> ItemsView[str, T]:
        self.load()
        return self._items.items()


__all__ = ["LoadError", "Registry", "RegistryError", "UnknownName", "plugin_entry_points"]
