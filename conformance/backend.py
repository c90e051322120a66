"""A backend: the channel implementation under test, and what it claims to support."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..spec.profiles import CROSSBEAM, Profile, profile_named

Factory = Callable[[int | None], tuple[Any, Any]]
"""``make(capacity)`` -> ``(sender, receiver)``; ``None`` asks for an unbounded channel."""


@dataclass(frozen=True)
class Capabilities:
    """What a backend claims. The checker exercises only what is claimed and reports the rest as
    not applicable. The defaults claim everything but select: every capacity, cloneable receivers
    (MPMC), timeouts and introspection."""

    unbounded: bool = True
    bounded: bool = True
    zero: bool = True
    receiver_clone: bool = True
    timeouts: bool = True
    introspection: bool = True
    profile: Profile = CROSSBEAM
    asynchronous: bool = False
    """The handles also have awaitable ``asend``/``arecv``: the checker then issues some blocking
    calls from asyncio tasks (on event loops of their own threads, several at once) beside the
    threads' blocking calls, and cancels some of those tasks (the spec's ``Cancel``)."""

    def supports_capacity(self, capacity: int | None) -> bool:
        if capacity is None:
            return self.unbounded
        return self.zero if capacity == 0 else self.bounded


@dataclass(frozen=True)
class Backend:
    """A named factory with its capabilities."""

    name: str
    make: Factory
    capabilities: Capabilities = field(default_factory=Capabilities)

    def capacities(self, candidates: tuple[int | None, ...] = (None, 0, 1, 2)) -> list[int | None]:
        """The capacities among ``candidates`` that this backend claims."""
        return [c for c in candidates if self.capabilities.supports_capacity(c)]


class BackendError(Exception):
    """The backend could not be loaded or does not look like one."""


def load_backend(target: str) -> Backend:
    """Load ``module:attribute``: a :class:`Backend`, or a factory (with an optional
    ``capabilities`` attribute holding :class:`Capabilities`, and an optional ``profile`` name)."""
    module_name, _, attribute = target.partition(":")
    if not module_name or not attribute:
        raise BackendError(f"expected MODULE:ATTRIBUTE, got {target!r}")
    try:
        module = importlib.import_module(module_name)
    except Exception as error:  # the user's module may fail in any way
        raise BackendError(f"cannot import {module_name!r}: {type(error).__name__}: {error}") from error
    try:
        obj = getattr(module, attribute)
    except AttributeError:
        raise BackendError(f"module {module_name!r} has no attribute {attribute!r}") from None
    return as_backend(obj, name=target)


def as_backend(obj: object, name: str) -> Backend:
    """``obj`` as a backend: itself if it is one, else a factory with declared or default capabilities."""
    if isinstance(obj, Backend):
        return obj
    if not callable(obj):
        raise BackendError(f"{name} is neither a Backend nor a factory make(capacity) -> (sender, receiver)")
    capabilities = getattr(obj, "capabilities", None)
    if capabilities is None:
        capabilities = Capabilities()
    elif not isinstance(capabilities, Capabilities):
        raise BackendError(f"{name}.capabilities must be a chanspec.conformance.Capabilities")
    profile = getattr(obj, "profile", None)
    if isinstance(profile, str):
        capabilities = Capabilities(**{**capabilities.__dict__, "profile": profile_named(profile)})
    return Backend(name, obj, capabilities)
