"""Awaited operations: sends, receives and selects for asyncio tasks, beside threads.

An awaited call is run as a select (``asend`` and ``arecv`` have one case) with one
difference from the threaded one: the waiting task does not park its thread. Its token's
park lock is replaced by a :class:`LoopPark`, whose ``release`` schedules the task's
wake-up on the task's own loop (``call_soon_threadsafe``). Every claimer, a thread or a task
of any loop, wakes a task exactly as it wakes a parked thread, so the wait queues of the
flavours cannot tell them apart and the same channel serves threads and any number of loops.

Cancellation is exact (the spec's ``Cancel``: a pending call withdrawn ends with no effect).
A cancelled task first tries to claim its own token. If it wins, nobody claimed it: its
entries are withdrawn, nothing was sent or taken, and ``CancelledError`` propagates (a send
keeps its message). If it loses, a claim got there first and stands:

* a claim that completed the call (a rendezvous partner, a bounded send handing a message
  over, a receive moving a parked send's message into the buffer) wins over the
  cancellation: the call returns its result and does not raise ``CancelledError``, since a
  completed call cannot be cancelled;
* a claim that only woke the call (``WOKEN``) completed nothing: the wake-up is passed on to
  the next waiter, as after a timeout, and ``CancelledError`` propagates.

The spec's "thread" of an awaited call is the call itself, a fresh negative number (thread
idents are positive): two tasks of one loop pair on a rendezvous, and the cases of one select
never pair with each other.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import threading
import time
from typing import Any

from ._cases import Case, Done, attempt, completed_by_claim, same_side
from ._waiters import Entry, Token

_INF = math.inf
_identities = itertools.count(1)


def new_identity() -> int:
    """The spec thread of one awaited call: never a thread's ident, never reused."""
    return -next(_identities)


class LoopPark:
    """What a task's token has instead of a park lock: ``release`` wakes the task on its loop.

    ``released`` is set by the claimer (the claim is complete and readable); ``future`` is
    what the task awaits, resolved on the loop's thread only.
    """

    __slots__ = ("future", "loop", "released", "thread")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.thread = threading.get_ident()
        self.future: asyncio.Future[None] = loop.create_future()
        self.released = False

    def release(self) -> None:
        """The claimer's last touch (under a channel lock: it must not block or raise)."""
        self.released = True
        try:
            if threading.get_ident() == self.thread:
                self.notify()
            else:
                self.loop.call_soon_threadsafe(self.notify)
        except RuntimeError:  # the loop is closed: no task of it awaits any more
            pass

    def notify(self) -> None:
        """On the loop's thread: let the task run (a timer's expiry calls this too)."""
        future = self.future
        if not future.done():
            future.set_result(None)

    async def released_by_claimer(self) -> bool:
        """Wait until the claimer has released, which it does right after finishing the
        exchange; returns whether a cancellation arrived meanwhile (it is not raised: the
        claim's outcome decides)."""
        cancelled = False
        while not self.released:
            self.future = self.loop.create_future()
            if self.released:
                break
            try:
                await self.future
            except asyncio.CancelledError:
                cancelled = True
        return cancelled


class AsyncToken(Token):
    """A claim-once token whose owner is an awaiting task."""

    __slots__ = ()

    def __init__(self, identity: int, park: LoopPark) -> None:
        self.token = self
        self.case = 0
        self.handle = None
        self.message = None
        self.observer = False
        self.thread = identity
        self.payload = None
        self._claim = threading.Lock()
        self._park = park


async def run(
    cases: list[tuple[int, Case]], biased: bool, complete: bool, deadline: float | None, tried: bool = False
) -> Done | None:
    """The awaited counterpart of the threaded select loop: complete (or, with ``complete``
    false, find ready) one case; None if ``deadline`` (None: try once) passed first. With
    ``tried``, the caller has just found no case ready: the first round registers at once
    (registering looks again, so nothing that happened meanwhile is missed)."""
    identity = new_identity()
    woken_by: Case | None = None  # the case whose wake-up the last round used
    done: Done | None = None
    loop: asyncio.AbstractEventLoop | None = None
    try:
        while True:
            if tried:
                tried = False
            else:
                done = attempt(cases, biased, complete, identity)
                if done is not None:
                    return done
            if deadline is None or (deadline != _INF and time.monotonic() >= deadline):
                return None
            if loop is None:
                loop = asyncio.get_running_loop()
            claimed = await _wait(cases, complete, deadline, identity, loop)
            if claimed is None:
                continue
            index, payload, cancelled = claimed
            done = completed_by_claim(index, payload)
            if done is not None:
                return done
            woken_by = dict(cases)[index] if complete else None
            if cancelled:  # woken, not completed: the call had no effect
                raise asyncio.CancelledError()
    finally:
        if woken_by is not None and not same_side(woken_by, done, cases):
            woken_by.handle._sel_pass_on()


async def _wait(
    cases: list[tuple[int, Case]], complete: bool, deadline: float, identity: int, loop: asyncio.AbstractEventLoop
) -> tuple[int, Any, bool] | None:
    """Register on every case and await a claim: ``(index, payload, cancelled)``, or None if
    a case turned out ready while registering or the wait timed out (try again).
    ``CancelledError`` if cancelled before any claim: every entry is withdrawn, no effect."""
    park = LoopPark(loop)
    token = AsyncToken(identity, park)
    registered: list[tuple[Case, Entry]] = []
    timer: asyncio.TimerHandle | None = None
    cancelled = False
    try:
        wake_at = deadline
        for index, case in cases:
            entry = Entry(token, index, case.handle, case.message, observer=not complete)
            registered.append((case, entry))
            if case.handle._sel_register(entry):
                if token._claim.acquire(False):
                    return None
                cancelled = await park.released_by_claimer()
                return token.case, token.payload, cancelled
            wake_at = min(wake_at, case.handle._sel_due())
        if wake_at != _INF:
            timer = loop.call_later(max(0.0, wake_at - time.monotonic()), park.notify)
        try:
            await park.future
        except asyncio.CancelledError:
            if token._claim.acquire(False):
                raise  # nobody claimed: withdrawn below, the call had no effect
            cancelled = True
        if not park.released:
            if token._claim.acquire(False):  # the timer: nobody claimed
                return None
            cancelled = await park.released_by_claimer() or cancelled
        return token.case, token.payload, cancelled
    finally:
        if timer is not None:
            timer.cancel()
        # Whoever claims a token takes the claimed entry out of its queue first: only the
        # other entries (and all of them if this task gave up itself) are still registered.
        taken = token.case if park.released else -1
        for case, entry in registered:
            if entry.case != taken:
                case.handle._sel_unregister(entry)
