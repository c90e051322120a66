"""The state every reference channel lives in, and the one lock that guards it all.

There is a single module-level lock with a single condition variable for every
reference channel. That makes the reference slow under contention but easy to
trust: a select over several channels, a timer, a rendezvous pairing and a
close are all plain state changes made while holding that lock, and every
blocked call is a ``while`` loop that re-checks its condition after each
wake-up. Whoever leaves the lock wakes every waiter (``notify_all``); a waiter
whose call still cannot complete goes back to sleep.

An awaiting task (``asend``, ``arecv``, ``aselect``) cannot wait on the condition
variable without blocking its loop. It *arms* an :class:`AsyncWaiter` inside the critical
section in which it found it cannot complete; the end of every later critical section
wakes it (on its own loop), and it re-checks like any other waiter.

Closing a handle from the garbage collector is the one thing that may happen
while this very thread already holds the lock (the cyclic collector can run at
any allocation). Such closes are put on a queue and applied by whoever holds or
next takes the lock, so a finalizer never waits for the lock. Messages
discarded by the last receiver's close are dropped only after the lock is
left, so their own finalizers may use channels freely.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import os
import threading
import weakref
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._ops import Pending

LOCK = threading.Lock()
CHANGED = threading.Condition(LOCK)
"""Notified (all waiters) whenever a critical section ends: something may have changed."""

_DEFERRED: deque[End] = deque()
"""Handles closed by the garbage collector, waiting for the lock to be applied."""

_DISCARDED: deque[deque[Any]] = deque()
"""Buffers discarded by a last receiver's close, to be dropped outside the lock."""


_ASYNC_WAITING: list[AsyncWaiter] = []
"""Tasks armed in an earlier critical section: the end of the next one wakes them."""

_ASYNC_ARMING: list[AsyncWaiter] = []
"""Tasks armed in the current critical section (which already saw its changes)."""


class AsyncWaiter:
    """A task's stand-in for ``CHANGED.wait()``: ``arm`` (under the lock) gives the future the
    end of the next critical section resolves."""

    __slots__ = ("future", "loop")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.future: asyncio.Future[None] = loop.create_future()

    def arm(self) -> asyncio.Future[None]:
        """Wait for the next change (the caller holds the lock)."""
        self.future = self.loop.create_future()
        _ASYNC_ARMING.append(self)
        return self.future

    def wake(self) -> None:
        """Something may have changed: let the task re-check (from any thread)."""
        with contextlib.suppress(RuntimeError):  # a closed loop: none of its tasks waits any more
            self.loop.call_soon_threadsafe(resolve, self.future)


def resolve(future: asyncio.Future[None]) -> None:
    """On the future's loop: end the wait if it is still on."""
    if not future.done():
        future.set_result(None)


def _take_async_waiters() -> list[AsyncWaiter]:
    """Under the lock: the tasks to wake now; those armed in this section wait for the next."""
    if not _ASYNC_WAITING and not _ASYNC_ARMING:
        return []
    woken = list(_ASYNC_WAITING)
    _ASYNC_WAITING[:] = _ASYNC_ARMING
    _ASYNC_ARMING.clear()
    return woken


@contextmanager
def critical() -> Iterator[None]:
    """Hold the lock of every reference channel; on the way out apply deferred closes
    and wake every blocked call so that it re-checks whether it can complete."""
    LOCK.acquire()
    try:
        _apply_deferred()
        yield
    finally:
        _leave()


def _leave() -> None:
    while True:
        _apply_deferred()
        CHANGED.notify_all()
        woken = _take_async_waiters()
        LOCK.release()
        for waiter in woken:
            waiter.wake()
        while _DISCARDED:
            _DISCARDED.popleft().clear()
        # A finalizer that ran after the last drain found the lock taken and left its close
        # on the queue; whoever sees it now applies it, unless someone else holds the lock
        # (then that holder applies it when it leaves).
        if not _DEFERRED or not LOCK.acquire(blocking=False):
            return


def _apply_deferred() -> None:
    while _DEFERRED:
        release(_DEFERRED.popleft())


def close_later(end: End) -> None:
    """Close ``end`` on behalf of the garbage collector without ever waiting for the lock:
    now if the lock is free, otherwise when its holder leaves the critical section."""
    _DEFERRED.append(end)
    if LOCK.acquire(blocking=False):
        _leave()


class TimerKind(enum.Enum):
    """The receiver-only channels driven by the clock."""

    AFTER = "after"
    TICK = "tick"
    NEVER = "never"


class Timer:
    """The schedule of a timer channel: ``due`` is the next ``time.monotonic()`` instant at
    which a message can be taken, ``None`` once nothing more will come."""

    __slots__ = ("due", "kind", "period")

    def __init__(self, kind: TimerKind, period: float, due: float | None) -> None:
        self.kind = kind
        self.period = period
        self.due = due

    def ready(self, now: float) -> bool:
        """A message can be taken at ``now``."""
        return self.due is not None and now >= self.due

    def take(self, now: float) -> float:
        """Take the message, which is its scheduled instant. ``after`` fires once; ``tick``
        schedules the next message one period after this read (missed ticks collapse)."""
        assert self.due is not None
        instant = self.due
        self.due = now + self.period if self.kind is TimerKind.TICK else None
        return instant


class Channel:
    """One channel: the buffer, the live handle counts, and the blocked calls a rendezvous
    partner may pair with (``waiting``, oldest first)."""

    __slots__ = ("__weakref__", "buffer", "capacity", "receivers", "senders", "severed", "std", "timer", "waiting")

    def __init__(self, capacity: int | None, *, std: bool = False, timer: Timer | None = None) -> None:
        _CHANNELS.add(self)
        self.severed = False  # inherited by a forked child: disconnected there for good
        self.capacity = capacity
        self.std = std
        self.timer = timer
        self.buffer: deque[Any] = deque()
        self.senders = 0 if timer is not None else 1
        self.receivers = 1
        self.waiting: list[Pending] = []

    @property
    def disconnected(self) -> bool:
        """No live sender or no live receiver. Timer channels never disconnect."""
        return self.timer is None and (self.senders == 0 or self.receivers == 0 or self.severed)

    @property
    def is_rendezvous(self) -> bool:
        """Capacity 0: a send completes only together with a receive."""
        return self.timer is None and self.capacity == 0

    @property
    def is_never(self) -> bool:
        """A ``never()`` channel (all of them count as the same channel)."""
        return self.timer is not None and self.timer.kind is TimerKind.NEVER

    def has_room(self) -> bool:
        """A send could add its message to the buffer now (never at capacity 0)."""
        return self.timer is None and (self.capacity is None or len(self.buffer) < self.capacity)

    def length(self, now: float) -> int:
        """The number of messages that could be received now without a partner."""
        if self.timer is not None:
            return 1 if self.timer.ready(now) else 0
        return len(self.buffer)


_CHANNELS: weakref.WeakSet[Channel] = weakref.WeakSet()
"""Every live reference channel, for :func:`_sever_inherited`."""


def _sever_inherited() -> None:
    """Run in the child after ``os.fork()``. The lock may have been held by a thread the child
    does not have, and every channel's other ends, buffered messages and blocked calls are the
    parent's: make a new lock and disconnect every inherited channel (timers keep their
    schedule: they have no other side). The parent is untouched."""
    global LOCK, CHANGED
    LOCK = threading.Lock()
    CHANGED = threading.Condition(LOCK)
    _DEFERRED.clear()
    _DISCARDED.clear()
    _ASYNC_WAITING.clear()
    _ASYNC_ARMING.clear()
    for channel in list(_CHANNELS):
        channel.waiting = []
        if channel.timer is None:
            channel.severed = True
            channel.buffer = deque()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_sever_inherited)


class End:
    """One handle's hold on a channel: which side it is on and whether it was closed.

    The public handle objects wrap an ``End``, so the garbage collector can close
    the ``End`` of a dead handle without bringing the handle back to life."""

    __slots__ = ("channel", "closed", "is_sender")

    def __init__(self, channel: Channel, is_sender: bool) -> None:
        self.channel = channel
        self.is_sender = is_sender
        self.closed = False


def release(end: End) -> None:
    """Close ``end`` (the caller holds the lock). Idempotent. The last receiver takes the
    buffered messages with it (they are dropped once the lock is left); blocked calls
    learn of the change when the lock is left."""
    if end.closed:
        return
    end.closed = True
    channel = end.channel
    if end.is_sender:
        channel.senders -= 1
        return
    channel.receivers -= 1
    if channel.receivers == 0 and channel.timer is None:
        _DISCARDED.append(channel.buffer)
        channel.buffer = deque()
