"""Timer channels: receivers whose messages come from the clock.

``after`` delivers one message, ``tick`` one per period (the next one is
scheduled a period after each read, so missed ticks collapse), ``never``
nothing. The message is the scheduled ``time.monotonic()`` instant. There is
no sender, so a timer channel is never disconnected; clones share the schedule.

A blocked receive parks on its token with the due instant as its timeout: it
wakes when the message is due (or its handle is closed), never earlier and
never periodically. A select computes its own wake-up from the due instants of
its timer cases.
"""

from __future__ import annotations

import enum
import math
import threading
import time
from typing import Any

from chanspec import handles
from chanspec._validate import check_deadline, deadline_after
from chanspec.errors import Empty, HandleClosed, Timeout

from ._core import LIVE, Attempt, ImplReceiver
from ._waiters import Entry, WaitQueue, lease_token, park, return_token


class TimerKind(enum.Enum):
    """What drives a timer channel."""

    AFTER = "after"
    TICK = "tick"
    NEVER = "never"


class TimerCore:
    """The schedule shared by a timer receiver and its clones. ``due`` is the next instant a
    message can be taken, ``None`` once there will be none."""

    __slots__ = ("__weakref__", "capacity", "due", "kind", "lock", "period", "waiting")

    std = False  # clones are always allowed

    def __init__(self, kind: TimerKind, period: float, due: float | None) -> None:
        LIVE.add(self)
        self.lock = threading.Lock()
        self.kind = kind
        self.period = period
        self.due = due
        self.capacity = 0 if kind is TimerKind.NEVER else 1
        self.waiting = WaitQueue()  # blocked receives, woken only by closing their handle

    def take(self) -> float | None:
        """The due instant, if due (rescheduling a tick), else None."""
        due = self.due
        if due is None or time.monotonic() < due:
            return None
        with self.lock:
            due = self.due
            now = time.monotonic()
            if due is None or now < due:
                return None
            self.due = now + self.period if self.kind is TimerKind.TICK else None
            return due

    def ready(self) -> bool:
        """Whether a message can be taken now."""
        due = self.due
        return due is not None and time.monotonic() >= due

    def close_handle(self, handle: TimerReceiver) -> None:
        """Close ``handle``: only the calls blocked through it notice."""
        with self.lock:
            if handle._closed:
                return
            handle._closed = True
            self.waiting.wake_handle(handle)

    def sever(self) -> None:
        """In a forked child: a timer keeps its schedule (it has no other side), but the lock may
        have been held by a thread the child does not have, and the parked calls are the parent's."""
        self.lock = threading.Lock()
        self.waiting.forget()

    def defer_close(self, sending: bool) -> None:
        """A collected timer handle: nothing to count, nothing to wake."""

    def withdraw(self, entry: Entry) -> None:
        """Remove ``entry`` if it is still waiting."""
        with self.lock:
            self.waiting.discard(entry)


class TimerReceiver(ImplReceiver[float]):
    """The receiving end of ``after``, ``tick`` or ``never``: capacity 1 (0 for ``never``),
    never disconnected. A receive blocks until the next scheduled instant and returns it."""

    __slots__ = ()
    _chan: TimerCore

    def __init__(self, core: TimerCore) -> None:
        self._chan = core
        self._closed = False

    def _warns_if_collected(self) -> bool:
        return False  # nobody waits for a timer receiver to close

    def recv(self) -> float:
        """Wait for the next due instant and return it (for ever, once an ``after`` fired or on
        ``never``)."""
        return self._recv(math.inf)

    def try_recv(self) -> float:
        """The due instant if a message is due now, else ``Empty`` (never ``Disconnected``)."""
        return self._recv(None)

    def recv_timeout(self, timeout: float) -> float:
        """Like ``recv``, giving up with ``Timeout`` after ``timeout`` seconds."""
        return self._recv(deadline_after(timeout))

    def recv_deadline(self, deadline: float) -> float:
        """Like ``recv_timeout`` with a deadline on the ``time.monotonic()`` clock."""
        return self._recv(check_deadline(deadline))

    def _recv(self, deadline: float | None) -> float:
        core = self._chan
        while True:
            if self._closed:
                raise HandleClosed()
            instant = core.take()
            if instant is not None:
                return instant
            if deadline is None:
                raise Empty()
            if deadline != math.inf and time.monotonic() >= deadline:
                raise Timeout()
            token = lease_token(self)
            with core.lock:
                if self._closed:
                    return_token(token)
                    raise HandleClosed()
                core.waiting.add(token)
            due = core.due
            park(token, deadline if due is None else min(deadline, due), core.withdraw, token)

    def clone(self) -> handles.Receiver[float]:
        """Another receiver on the same schedule (only one of them gets each message)."""
        self._check_open()
        return TimerReceiver(self._chan)

    def __len__(self) -> int:
        """1 if a message is due now, else 0."""
        self._check_open()
        return 1 if self._chan.ready() else 0

    def is_empty(self) -> bool:
        """No message is due now."""
        return len(self) == 0

    def is_full(self) -> bool:
        """A message is due now (always true for ``never``, whose capacity is 0)."""
        return len(self) >= self._chan.capacity

    @property
    def capacity(self) -> int | None:
        """1 for ``after`` and ``tick``, 0 for ``never``."""
        return self._chan.capacity

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<chanspec.impl.TimerReceiver {self._chan.kind.value} {state}>"

    def _sel_attempt(self, message: Any, thread: int) -> Attempt:
        instant = self._chan.take()
        return None if instant is None else (True, instant)

    def _sel_ready(self, thread: int) -> bool:
        return self._chan.ready()

    def _sel_register(self, entry: Entry) -> bool:
        core = self._chan
        with core.lock:
            core.waiting.add(entry)
        return self._closed or core.ready()

    def _sel_unregister(self, entry: Entry) -> None:
        self._chan.withdraw(entry)

    def _sel_due(self) -> float:
        due = self._chan.due
        return math.inf if due is None else due


_NEVER = TimerCore(TimerKind.NEVER, 0.0, None)


def after(seconds: float) -> handles.Receiver[float]:
    """A receiver that delivers one message ``seconds`` from now: that scheduled
    ``time.monotonic()`` instant. Capacity 1, never disconnected; once the message was taken a
    receive blocks for ever. Clones share the one message."""
    return TimerReceiver(TimerCore(TimerKind.AFTER, 0.0, deadline_after(seconds)))


def tick(seconds: float) -> handles.Receiver[float]:
    """A receiver that delivers a message every ``seconds``: its scheduled ``time.monotonic()``
    instant. The next one is scheduled one period after each read, so ticks missed while
    nobody reads collapse into one. Capacity 1, never disconnected."""
    due = deadline_after(seconds)
    period = math.inf if due == math.inf else float(seconds)
    return TimerReceiver(TimerCore(TimerKind.TICK, period, due))


def never() -> handles.Receiver[Any]:
    """A receiver that never delivers and is never disconnected: a receive blocks until its
    timeout (or for ever). Capacity 0. Every ``never()`` is the same channel; useful to switch
    a select case off."""
    return TimerReceiver(_NEVER)
