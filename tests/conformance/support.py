"""Hand-built histories and deliberately broken backends for the linearizability tests."""

from __future__ import annotations

import importlib
import itertools
import threading
from typing import Any

import chanspec.reference as reference
import pytest
from chanspec.conformance.backend import Backend
from chanspec.conformance.builtin import own_backends
from chanspec.conformance.calls import Observed
from chanspec.conformance.history import Entry, History, Mark
from chanspec.spec import CROSSBEAM, Operation, Profile

from chanspec.errors import HandleClosed


class Script:
    """A history written by hand. Times are plain integers (nanoseconds, but any scale will do)."""

    def __init__(self, capacity: int | None, profile: Profile = CROSSBEAM) -> None:
        self.capacity = capacity
        self.profile = profile
        self.entries: list[Entry] = []
        self.marks: list[Mark] = []

    def call(
        self,
        thread: int,
        op: Operation,
        start: int,
        end: int | None = None,
        outcome: Observed | None = None,
        deadline: int | None = None,
    ) -> Script:
        """``thread`` called ``op`` at ``start``; it returned ``outcome`` at ``end`` (``None``: never)."""
        self.entries.append(Entry(thread, op, start, end, outcome, deadline))
        return self

    def quiet(self, at: int, quiet: int = 1) -> Script:
        """A quiet moment at ``at``: every call then in progress is blocked."""
        self.marks.append(Mark(at, quiet))
        return self

    def history(self) -> History:
        return History(self.capacity, tuple(self.entries), tuple(self.marks), self.profile)


def builtin_backend(name: str) -> Backend:
    """One of chanspec's own backends: ``reference``, ``impl``, ``reference-std``, ``impl-std``."""
    if name.startswith("impl") and not hasattr(importlib.import_module("chanspec.impl"), "unbounded"):
        pytest.skip("chanspec.impl does not export unbounded yet")
    (backend,) = [b for b in own_backends() if b.name == name]
    return backend


class _Delegate:
    """Forwards everything to the wrapped handle; subclasses override what they break."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def __len__(self) -> int:
        return len(self.inner)

    def same_channel(self, other: Any) -> bool:
        return bool(self.inner.same_channel(getattr(other, "inner", other)))


class LossySender(_Delegate):
    """Claims to send every fifth message but drops it."""

    _counter = itertools.count()

    def _lose(self) -> bool:
        return next(LossySender._counter) % 5 == 4

    def send(self, message: Any) -> None:
        if not self._lose():
            self.inner.send(message)

    def try_send(self, message: Any) -> None:
        if not self._lose():
            self.inner.try_send(message)

    def send_timeout(self, message: Any, timeout: float) -> None:
        if not self._lose():
            self.inner.send_timeout(message, timeout)

    def clone(self) -> LossySender:
        return LossySender(self.inner.clone())


class DeafReceiver(_Delegate):
    """A blocking ``recv`` that never wakes for a message: it returns only when this very
    handle is closed (with ``HandleClosed``)."""

    def __init__(self, inner: Any) -> None:
        super().__init__(inner)
        self.closed_event = threading.Event()

    def recv(self) -> Any:
        self.closed_event.wait()
        raise HandleClosed()

    def close(self) -> None:
        self.inner.close()
        self.closed_event.set()

    def clone(self) -> DeafReceiver:
        return DeafReceiver(self.inner.clone())


def lossy_backend() -> Backend:
    def make(capacity: int | None) -> tuple[Any, Any]:
        sender, receiver = reference.unbounded() if capacity is None else reference.bounded(capacity)
        return LossySender(sender), receiver

    return Backend("lossy", make)


def deaf_backend() -> Backend:
    def make(capacity: int | None) -> tuple[Any, Any]:
        sender, receiver = reference.unbounded() if capacity is None else reference.bounded(capacity)
        return sender, DeafReceiver(receiver)

    return Backend("deaf", make)


class HangingSender(_Delegate):
    """A ``close`` that never returns."""

    def close(self) -> None:
        threading.Event().wait()

    def clone(self) -> HangingSender:
        return HangingSender(self.inner.clone())


def hanging_backend() -> Backend:
    def make(capacity: int | None) -> tuple[Any, Any]:
        sender, receiver = reference.unbounded() if capacity is None else reference.bounded(capacity)
        return HangingSender(sender), receiver

    return Backend("hanging", make)
