"""The one registry helper (:mod:`inclusiecheck.registry`): registration, lazy one-time
loading of the built-in modules and the plugins, and the errors a user sees."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import pytest

from inclusiecheck import registry as registry_module
from inclusiecheck.model import InputError
from inclusiecheck.registry import Registry, RegistryError, UnknownName


def fn(name: str) -> Callable[[], str]:
    def func() -> str:
        return name

    func.__name__ = name
    return func


def test_register_as_decorator_and_call() -> None:
    reg: Registry[Any] = Registry("thing")

    @reg.register
    def alpha() -> None: ...

    @reg.register(name="b")
    def beta() -> None: ...

    gamma = reg.register(fn("gamma"))
    assert dict(reg) == {"alpha": alpha, "b": beta, "gamma": gamma}
    assert list(reg) == ["alpha", "b", "gamma"]  # in the order of registration


def test_a_duplicate_name_is_an_error_unless_replace() -> None:
    reg: Registry[Any] = Registry("measure")
    first = reg.register(fn("length_m"))
    reg.register(first)  # the same object again is harmless
    second = fn("length_m")
    with pytest.raises(RegistryError, match="measure 'length_m' is registered twice"):
        reg.register(second)
    assert reg["length_m"] is first
    reg.register(second, replace=True)
    assert reg["length_m"] is second
    assert reg.unregister("length_m") is second and "length_m" not in reg


def test_check_refuses_a_wrong_item() -> None:
    def must_be_callable(item: Any) -> None:
        if not callable(item):
            raise TypeError(f"{item!r} is not callable")

    reg: Registry[Any] = Registry("thing", check=must_be_callable)
    with pytest.raises(TypeError, match="not callable"):
        reg.register("text", name="x")
    assert "x" not in reg


def test_unknown_name_suggests_or_lists() -> None:
    reg: Registry[Any] = Registry("scope")
    for name in ("pedestrian_road", "public_domain"):
        reg.register(fn(name))
    with pytest.raises(UnknownName) as raised:
        reg["pedestrian_raod"]
    assert str(raised.value) == "unknown scope 'pedestrian_raod'; did you mean 'pedestrian_road'?"
    assert isinstance(raised.value, InputError) and isinstance(raised.value, KeyError)
    assert reg.unknown_message("zzz") == ("unknown scope 'zzz'; known: pedestrian_road, "
                                          "public_domain")
    assert reg.get("zzz") is None and reg.get("zzz", 1) == 1  # a mapping's get


@pytest.fixture
def builtin_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A module ``regtest_builtins`` that lists two items."""
    name = "regtest_builtins"
    (tmp_path / f"{name}.py").write_text(
        "def one(): return 1\n"
        "def two(): return 2\n"
        "ITEMS = [one, two]\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, name, raising=False)
    yield name
    sys.modules.pop(name, None)


def test_builtins_are_imported_on_first_use_and_once(builtin_module: str) -> None:
    collected: list[str] = []

    def collect(module: Any) -> list[Any]:
        collected.append(module.__name__)
        return module.ITEMS

    reg: Registry[Any] = Registry("thing", builtins=(builtin_module,), collect=collect)
    assert builtin_module not in sys.modules  # nothing happens at construction
    assert reg["two"]() == 2
    assert list(reg) == ["one", "two"] and len(reg) == 2 and "one" in reg
    reg.load()
    assert collected == [builtin_module]  # loaded once, however often it is used


def broken_entry_points(group: str, *eps: EntryPoint) -> Callable[[str], list[EntryPoint]]:
    def fake(asked: str) -> list[EntryPoint]:
        return list(eps) if asked == group else []

    return fake


def test_a_broken_plugin_is_kept_as_a_load_error(monkeypatch: pytest.MonkeyPatch) -> None:
    group = "regtest.things"
    monkeypatch.setattr(registry_module, "plugin_entry_points", broken_entry_points(
        group,
        EntryPoint("missing", "regtest_no_such_module:thing", group),
        EntryPoint("good", "os.path:join", group),
        EntryPoint("duplicate", "ntpath:join", group),
    ))
    reg: Registry[Any] = Registry("thing", entry_points=group)
    assert reg["join"].__name__ == "join"  # the good one loaded
    assert [e.name for e in reg.load_errors] == ["missing", "duplicate"]
    missing, duplicate = map(str, reg.load_errors)
    assert missing == ("thing plugin 'missing' (regtest_no_such_module:thing) failed to load: "
                       "ModuleNotFoundError: No module named 'regtest_no_such_module'")
    assert "RegistryError: thing 'join' is registered twice" in duplicate
    # an unknown name names the plugins that failed: one of them may have provided it
    message = reg.unknown_message("thing")
    assert message.startswith("unknown thing 'thing'; known: join (thing plugin 'missing' ")
    assert "No module named 'regtest_no_such_module'" in message


def test_plugins_load_once_and_reload_on_request(monkeypatch: pytest.MonkeyPatch) -> None:
    group = "regtest.things"
    calls: list[str] = []

    def counting(asked: str) -> list[EntryPoint]:
        calls.append(asked)
        return [EntryPoint("missing", "regtest_no_such_module:thing", group)]

    monkeypatch.setattr(registry_module, "plugin_entry_points", counting)
    reg: Registry[Any] = Registry("thing", entry_points=group, plugin_kind="thing plugin")
    reg.register(fn("builtin_one"))
    assert "x" not in reg and reg.get("y") is None and list(reg) == ["builtin_one"]
    assert calls == [group] and len(reg.load_errors) == 1
    monkeypatch.setattr(registry_module, "plugin_entry_points",
                        broken_entry_points(group, EntryPoint("good", "os.path:join", group)))
    reg.reload_plugins()
    assert list(reg) == ["builtin_one", "join"] and reg.load_errors == []
    monkeypatch.setattr(registry_module, "plugin_entry_points", broken_entry_points(group))
    reg.reload_plugins()  # what a plugin registered goes with it; built-ins stay
    assert list(reg) == ["builtin_one"]
