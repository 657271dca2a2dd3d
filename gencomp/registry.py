"""Look things up by name: one mechanism for codecs and models."""

from __future__ import annotations

from typing import Callable, Generic, TypeVar

from gencomp.errors import GencompError

T = TypeVar("T")


class Registry(Generic[T]):
    """Names -> factories. A name may take one argument after a colon ("lm:tiny").

    Registering a name twice raises; looking up an unknown name raises GencompError
    listing the known ones.
    """

    def __init__(self, kind: str):
        self.kind = kind
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

    def names(self) -> list[str]:
        return sorted(self._factories)

    def standalone_names(self) -> list[str]:
        """The names that build something without an argument."""
        return [n for n in self.names() if n not in self._needs_argument]

    def needs_argument(self, name: str) -> bool:
        return name in self._needs_argument

    def help(self, name: str) -> str:
        return self._help[name]

    def create(self, spec: str, **kwargs) -> T:
        """Build the thing named `spec` ("name" or "name:argument")."""
        name, _, argument = spec.partition(":")
        if name not in self._factories:
            raise GencompError(f"unknown {self.kind} {spec!r}; known: {', '.join(self.names())}")
        if argument:
            return self._factories[name](argument, **kwargs)
        return self._factories[name](**kwargs)
