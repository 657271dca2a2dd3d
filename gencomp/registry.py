"""Look things up by name: one mechanism for codecs and models."""

from __future__ import annotations

import importlib
from typing import Callable, Generic, Optional, TypeVar

from gencomp.errors import GencompError

T = TypeVar("T")


class Registry(Generic[T]):
    """Names -> factories. A name may take one argument after a colon ("lm:tiny").

    modules: name -> the module that registers it, imported when the name is first used, so that
    a program imports only the codecs it runs. Registering a name twice raises; looking up an
    unknown name raises GencompError listing the known ones.
    """

    def __init__(self, kind: str, modules: Optional[dict[str, str]] = None):
        self.kind = kind
        self._modules = dict(modules or {})
        self._factories: dict[str, Callable[..., T]] = {}
        self._help: dict[str, str] = {}
        self._needs_argument: set[str] = set()

    def register(self, name: str, help: str = "", needs_argument: bool = False
                 ) -> Callable[[Callable[..., T]], Callable[..., T]]:
        """needs_argument: the name alone builds nothing ("hf" needs "hf:MODEL_DIR")."""

        def decorate(factory: Callable[..., T]) -> Callable[..., T]:
            if name in self._factories:
                raise ValueError(f"{self.kind} {name!r} is already registered")
            self._factories[name] = factory
            self._help[name] = help or (factory.__doc__ or "").strip().splitlines()[0]
            if needs_argument:
                self._needs_argument.add(name)
            return factory

        return decorate

    def _load(self, name: str) -> None:
        """Import the module that registers `name`, if it has not run yet."""
        if name not in self._factories and name in self._modules:
            importlib.import_module(self._modules[name])

    def names(self) -> list[str]:
        return sorted(set(self._factories) | set(self._modules))

    def standalone_names(self) -> list[str]:
        """The names that build something without an argument."""
        return [n for n in self.names() if not self.needs_argument(n)]

    def needs_argument(self, name: str) -> bool:
        self._load(name)
        return name in self._needs_argument

    def help(self, name: str) -> str:
        self._load(name)
        return self._help[name]

    def create(self, spec: str, **kwargs) -> T:
        """Build the thing named `spec` ("name" or "name:argument")."""
        name, _, argument = spec.partition(":")
        self._load(name)
        if name not in self._factories:
            raise GencompError(f"unknown {self.kind} {spec!r}; known: {', '.join(self.names())}")
        if argument:
            return self._factories[name](argument, **kwargs)
        return self._factories[name](**kwargs)
