"""Helpers shared by the channel tests: flavours, worker threads, the "blocked" probe, timing.

The suite runs against any implementation module that exports the public names
(``unbounded``, ``bounded``, ``channel``, ``sync_channel``, ``Select``,
``select``, ``after``, ``tick``, ``never``); nothing here looks inside one.

Reaching a blocked state deterministically (the pattern every test uses):
run the call on a :class:`Worker`; the worker sets an Event and a flag just
before making the call, and :func:`wait_until_blocked` then polls a cheap,
implementation-agnostic observable: the worker thread's innermost Python
frame. Once that frame is outside the test code (so the call is under way) and
stays the same frame at the same instruction over several samples, the thread
is parked in a blocking wait (a lock or condition acquire). Every wait is
bounded: a call that returns instead of blocking, or never gets there, fails
the test instead of hanging it.
"""

from __future__ import annotations

import gc
import os
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pytest

JOIN_TIMEOUT = 10.0
"""Seconds any thread join or blocked-state probe may take before the test fails."""

LATE = 2.0
"""A timed call must return within its timeout plus this (generous: loaded CI machines)."""

CLOCK_SLACK = 0.001
"""A timed call must not return before its deadline, give or take clock granularity."""

SHORT = 0.03
"""A short delay for timer and timeout tests (seconds)."""

_TESTS_DIR = os.path.dirname(os.path.abspath(__file__))


@dataclass(frozen=True)
class Flavour:
    """One way to open a channel: crossbeam's ``unbounded``/``bounded(n)`` or std's
    ``channel``/``sync_channel(n)``."""

    name: str
    capacity: int | None
    std: bool = False

    def open(self, api: ModuleType) -> tuple[Any, Any]:
        """A new ``(sender, receiver)`` of this flavour from the implementation ``api``."""
        pair: tuple[Any, Any]
        if self.std:
            pair = api.channel() if self.capacity is None else api.sync_channel(self.capacity)
        else:
            pair = api.unbounded() if self.capacity is None else api.bounded(self.capacity)
        return pair

    @property
    def rendezvous(self) -> bool:
        """Capacity 0: nothing is ever buffered."""
        return self.capacity == 0

    @property
    def buffered(self) -> bool:
        """Messages can wait in a buffer (unbounded or capacity >= 1)."""
        return self.capacity != 0

    @property
    def room(self) -> int:
        """How many messages fit before a send blocks (a bounded number for unbounded)."""
        return 5 if self.capacity is None else self.capacity


UNBOUNDED = Flavour("unbounded", None)
BOUNDED_1 = Flavour("bounded1", 1)
BOUNDED_N = Flavour("bounded3", 3)
ZERO = Flavour("zero", 0)
STD_CHANNEL = Flavour("std_channel", None, std=True)
STD_SYNC = Flavour("std_sync2", 2, std=True)
STD_SYNC_ZERO = Flavour("std_sync0", 0, std=True)

FLAVOURS = (UNBOUNDED, BOUNDED_1, BOUNDED_N, ZERO, STD_CHANNEL, STD_SYNC, STD_SYNC_ZERO)
BUFFERED = tuple(f for f in FLAVOURS if f.buffered)
BOUNDED = tuple(f for f in FLAVOURS if f.capacity is not None)
FULLABLE = tuple(f for f in FLAVOURS if f.capacity is not None and f.capacity > 0)
RENDEZVOUS = tuple(f for f in FLAVOURS if f.rendezvous)
CLONABLE = tuple(f for f in FLAVOURS if not f.std)


class Token:
    """A message that a weak reference can follow (ints cannot), to see it discarded."""

    __slots__ = ("__weakref__", "number")

    def __init__(self, number: int) -> None:
        self.number = number

    def __repr__(self) -> str:
        return f"Token({self.number})"


class Worker:
    """Runs ``call`` on its own daemon thread and keeps what it returned or raised."""

    def __init__(self, call: Callable[[], Any], name: str = "worker") -> None:
        self._call = call
        self.started = threading.Event()
        self.calling = False
        self.value: Any = None
        self.error: BaseException | None = None
        self.finished_at: float | None = None
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)

    def _run(self) -> None:
        self.started.set()
        self.calling = True
        try:
            self.value = self._call()
        except BaseException as error:
            self.error = error
        finally:
            self.finished_at = time.monotonic()

    def start(self) -> Worker:
        """Start the thread (without waiting for anything)."""
        self.thread.start()
        return self

    def start_blocked(self) -> Worker:
        """Start the thread and return once its call is blocked (see :func:`wait_until_blocked`)."""
        self.start()
        wait_until_blocked(self)
        return self

    def join(self, timeout: float = JOIN_TIMEOUT) -> None:
        """Wait (boundedly) for the call to return; fail if it does not."""
        self.thread.join(timeout)
        assert not self.thread.is_alive(), f"{self.thread.name} is still blocked after {timeout} s"

    def result(self, timeout: float = JOIN_TIMEOUT) -> Any:
        """What the call returned; re-raises what it raised."""
        self.join(timeout)
        if self.error is not None:
            raise self.error
        return self.value

    def raised(self, timeout: float = JOIN_TIMEOUT) -> BaseException:
        """The exception the call raised; fails if it returned normally."""
        self.join(timeout)
        assert self.error is not None, f"{self.thread.name} returned {self.value!r} instead of raising"
        return self.error

    def still_blocked(self, grace: float = 0.05) -> bool:
        """The call has not returned, even after a short grace period."""
        self.thread.join(grace)
        return self.thread.is_alive()


def wait_until_blocked(worker: Worker, timeout: float = JOIN_TIMEOUT, samples: int = 5) -> None:
    """Return once ``worker``'s call is parked in a blocking wait (the pattern above).

    Fails if the call returns instead, or if it is not parked within ``timeout``.
    """
    assert worker.started.wait(timeout), "the worker thread did not start"
    deadline = time.monotonic() + timeout
    last: tuple[int, int] | None = None
    stable = 0
    while time.monotonic() < deadline:
        if not worker.thread.is_alive():
            raise AssertionError(f"the call returned instead of blocking: {worker.value!r} / {worker.error!r}")
        here = _parked_at(worker)
        stable = stable + 1 if here is not None and here == last else 0
        if stable >= samples:
            return
        last = here
        time.sleep(0.002)
    raise AssertionError(f"the call did not block within {timeout} s")


def _parked_at(worker: Worker) -> tuple[int, int] | None:
    """Where the worker's call is right now (frame identity and instruction), or ``None``
    while the worker is still in test code."""
    if not worker.calling or worker.thread.ident is None:
        return None
    frame = sys._current_frames().get(worker.thread.ident)
    if frame is None or os.path.dirname(os.path.abspath(frame.f_code.co_filename)) == _TESTS_DIR:
        return None
    return id(frame), frame.f_lasti


@contextmanager
def elapsed_at_least(seconds: float) -> Iterator[None]:
    """The block takes at least ``seconds`` (clock slack allowed) and at most ``seconds + LATE``."""
    start = time.monotonic()
    yield
    took = time.monotonic() - start
    assert took >= seconds - CLOCK_SLACK, f"returned after {took:.4f} s, before the {seconds} s deadline"
    assert took <= seconds + LATE, f"returned after {took:.3f} s, far past the {seconds} s deadline"


@contextmanager
def promptly(limit: float = LATE) -> Iterator[None]:
    """The block returns without waiting for a timeout (within a generous ``limit``)."""
    start = time.monotonic()
    yield
    took = time.monotonic() - start
    assert took <= limit, f"took {took:.3f} s: it waited instead of returning at once"


def close_all(*handles: Any) -> None:
    """Close every handle (idempotent, so closing twice is harmless)."""
    for handle in handles:
        handle.close()


def with_flavours(*flavours: Flavour) -> pytest.MarkDecorator:
    """Run the test over these flavours only (overrides the ``flavour`` fixture)."""
    return pytest.mark.parametrize("flavour", flavours, ids=[f.name for f in flavours])


@contextmanager
def resource_warnings() -> Iterator[list[warnings.WarningMessage]]:
    """Record the ResourceWarnings raised inside the block (after a full collection)."""
    gc.collect()  # garbage left by earlier tests is not this block's
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        found: list[warnings.WarningMessage] = []
        yield found
        gc.collect()
    found.extend(w for w in caught if issubclass(w.category, ResourceWarning))
