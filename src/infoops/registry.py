"""Registries for the pieces infoops is built from: input formats, signals, exports, commands.

Built-ins register through the same hook as third-party plugins: a module in
`infoops.ingest.formats`, `infoops.detect.signals`, `infoops.export` or
`infoops.commands` decorates its class or function with `<registry>.register`,
and `load()` imports every module of the package (plus any `infoops.plugins`
entry points). Adding a signal is one new module, not edits in five places.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterator
from importlib.metadata import entry_points
from typing import Generic, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    def __init__(self, kind: str, package: str) -> None:
        self.kind = kind
        self.package = package
        self._items: dict[str, T] = {}
        self._loaded = False

    def register(self, name: str) -> Callable[[T], T]:
        def deco(obj: T) -> T:
            if name in self._items and self._items[name] is not obj:
                raise ValueError(f"{self.kind} {name!r} registered twice")
            self._items[name] = obj
            return obj

        return deco

    def load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        pkg = importlib.import_module(self.package)
        for mod in pkgutil.iter_modules(pkg.__path__):
            if not mod.name.startswith("_"):
                importlib.import_module(f"{self.package}.{mod.name}")
        for ep in entry_points(group="infoops.plugins"):
            ep.load()

    def get(self, name: str) -> T:
        self.load()
        try:
            return self._items[name]
        except KeyError:
            known = ", ".join(sorted(self._items))
            raise KeyError(f"unknown {self.kind} {name!r} (known: {known})") from None

    def names(self) -> list[str]:
        self.load()
        return list(self._items)

    def items(self) -> Iterator[tuple[str, T]]:
        self.load()
        yield from self._items.items()


formats: Registry[type] = Registry("input format", "infoops.ingest.formats")
signals: Registry[type] = Registry("signal", "infoops.detect.signals")
exports: Registry[Callable[..., object]] = Registry("export", "infoops.export")
commands: Registry[Callable[..., object]] = Registry("command", "infoops.commands")
