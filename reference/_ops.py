"""Sends, receives and selects: the transitions of ``chanspec.spec``, transcribed.

Every blocking call is a select: a plain ``send`` is a select over one send
case. A call first *attempts* its cases, with the guards in the spec's order
(closed handle, then disconnected, then room / a message / a waiting
rendezvous partner). If none can complete it waits, as a ``Pending`` record
that rendezvous partners of other threads can find and complete, re-attempting
after each wake-up until it completes or its deadline passes.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import random
import threading
import time
from collections.abc import Sequence
from typing import Any

from chanspec.errors import NO_MESSAGE, ChannelError, Disconnected, HandleClosed

from . import _state
from ._state import AsyncWaiter, Channel, End, critical, resolve


class Outcome:
    """What a completed case produced: a value (the message received, ``None`` for a send)
    or the error to raise."""

    __slots__ = ("error", "value")

    def __init__(self, value: Any = None, error: ChannelError | None = None) -> None:
        self.value = value
        self.error = error

    def unwrap(self) -> Any:
        """The value, or raise the error."""
        if self.error is not None:
            raise self.error
        return self.value


SENT = Outcome()


class Case:
    """One operation of a call: send ``message`` through ``end``, or receive from ``end``."""

    __slots__ = ("end", "index", "message")

    def __init__(self, index: int, end: End, message: Any = NO_MESSAGE) -> None:
        self.index = index
        self.end = end
        self.message = message

    @property
    def channel(self) -> Channel:
        return self.end.channel


Done = tuple[int, Outcome]
"""The index of the case that completed, and how."""


class Pending:
    """A call blocked in ``run``: the spec's Pending record. ``done`` is filled in by a
    rendezvous partner that completes one of its cases."""

    __slots__ = ("biased", "cases", "done", "thread")

    def __init__(self, thread: int, cases: Sequence[Case], biased: bool) -> None:
        self.thread = thread
        self.cases = cases
        self.biased = biased
        self.done: Done | None = None

    def offer(self, channel: Channel, is_sender: bool) -> Case | None:
        """The case this call offers to a rendezvous partner on ``channel`` (a biased
        select offers its lowest matching case), or ``None``."""
        matching = [c for c in self.cases if c.channel is channel and c.end.is_sender is is_sender and not c.end.closed]
        if not matching:
            return None
        return matching[0] if self.biased else random.choice(matching)


def run(cases: Sequence[Case], *, biased: bool, complete: bool, deadline: float | None) -> Done | None:
    """Complete one of ``cases`` (``complete=False``: only find a ready one), waiting
    until ``deadline`` (``None``: do not wait at all; ``math.inf``: for ever).

    Returns the case index with its outcome, or ``None`` if nothing could complete.
    """
    thread = threading.get_ident()
    with critical():
        found = attempt(cases, thread, biased=biased, complete=complete, pair=True)
        if found is not None or deadline is None:
            return found
        pending = Pending(thread, cases, biased)
        if complete:  # an observer (ready) is nobody's rendezvous partner
            _register(pending)
        try:
            while True:
                if pending.done is not None:
                    return pending.done
                # Once blocked, a call only pairs with a partner that arrives (who then
                # completes it); an observer still learns of partners already waiting.
                found = attempt(cases, thread, biased=biased, complete=complete, pair=not complete)
                if found is not None:
                    return found
                now = time.monotonic()
                if now >= deadline:
                    return None
                wake_at = min(deadline, _next_timer(cases))
                # The loop re-checks, so waking early is harmless; a huge wait would overflow.
                _state.CHANGED.wait(None if wake_at == math.inf else min(wake_at - now, threading.TIMEOUT_MAX))
        finally:
            _withdraw(pending)


_identities = itertools.count(1)


async def arun(cases: Sequence[Case], *, biased: bool, complete: bool, deadline: float | None) -> Done | None:
    """``run`` for an asyncio task: the same steps, but the task awaits a wake-up instead of
    waiting on ``CHANGED``, so its loop's thread never blocks.

    Its spec thread is the call itself (a fresh negative number; thread idents are positive).
    Cancelled while waiting, the call is withdrawn with no effect, unless a rendezvous partner
    already completed it: then the completion wins and is returned (a completed call cannot
    be cancelled)."""
    thread = -next(_identities)
    with critical():
        found = attempt(cases, thread, biased=biased, complete=complete, pair=True)
        if found is not None or deadline is None:
            return found
        pending = Pending(thread, cases, biased)
        if complete:
            _register(pending)
    loop = asyncio.get_running_loop()
    waiter = AsyncWaiter(loop)
    try:
        while True:
            with critical():
                if pending.done is not None:
                    return pending.done
                found = attempt(cases, thread, biased=biased, complete=complete, pair=not complete)
                if found is not None:
                    return found
                now = time.monotonic()
                if now >= deadline:
                    return None
                wake_at = min(deadline, _next_timer(cases))
                future = waiter.arm()
            timer = None if wake_at == math.inf else loop.call_later(wake_at - now, resolve, future)
            try:
                await future
            except asyncio.CancelledError:
                with critical():  # decide and withdraw at once: no partner may come in between
                    if pending.done is not None:
                        return pending.done
                    _withdraw(pending)
                raise
            finally:
                if timer is not None:
                    timer.cancel()
    finally:
        with critical():
            _withdraw(pending)


def attempt(cases: Sequence[Case], thread: int, *, biased: bool, complete: bool, pair: bool) -> Done | None:
    """One attempt at ``cases`` by ``thread``; the caller holds the lock.

    A closed handle in any case wins (the lowest such index). Otherwise a biased
    call takes the lowest ready case, a fair one a uniformly random ready case.
    """
    for case in cases:
        if case.end.closed:
            return case.index, Outcome(error=HandleClosed(case.message))
    order = list(cases) if biased else random.sample(list(cases), len(cases))
    now = time.monotonic()
    for case in order:
        if case.end.is_sender:
            outcome = _send(case, thread, now, pair=pair, perform=complete)
        else:
            outcome = _recv(case, thread, now, pair=pair, perform=complete)
        if outcome is not None:
            return case.index, outcome
    return None


def _send(case: Case, thread: int, now: float, *, pair: bool, perform: bool) -> Outcome | None:
    channel = case.channel
    if channel.disconnected:
        return Outcome(error=Disconnected(case.message))
    if channel.has_room():
        if perform:
            channel.buffer.append(case.message)
        return SENT
    if channel.is_rendezvous and pair:
        partner = _partner(channel, thread, is_sender=False)
        if partner is not None:
            if perform:
                _complete(*partner, Outcome(case.message))
            return SENT
    return None


def _recv(case: Case, thread: int, now: float, *, pair: bool, perform: bool) -> Outcome | None:
    channel = case.channel
    if channel.timer is not None and channel.timer.ready(now):
        return Outcome(channel.timer.take(now) if perform else None)
    if channel.buffer:
        return Outcome(channel.buffer.popleft() if perform else None)
    if channel.disconnected:
        return Outcome(error=Disconnected())
    if channel.is_rendezvous and pair:
        partner = _partner(channel, thread, is_sender=True)
        if partner is not None:
            if perform:
                _complete(*partner, SENT)
            return Outcome(partner[1].message)
    return None


def _partner(channel: Channel, thread: int, is_sender: bool) -> tuple[Pending, Case] | None:
    """The oldest blocked call of *another* thread offering a case of that side on ``channel``."""
    for pending in channel.waiting:
        if pending.thread == thread or pending.done is not None:
            continue
        case = pending.offer(channel, is_sender)
        if case is not None:
            return pending, case
    return None


def _complete(pending: Pending, case: Case, outcome: Outcome) -> None:
    pending.done = (case.index, outcome)
    _withdraw(pending)


def _register(pending: Pending) -> None:
    for channel in _rendezvous_channels(pending.cases):
        channel.waiting.append(pending)
    _state.CHANGED.notify_all()  # observers waiting in ready() learn that a partner now waits


def _withdraw(pending: Pending) -> None:
    for channel in _rendezvous_channels(pending.cases):
        if pending in channel.waiting:
            channel.waiting.remove(pending)


def _rendezvous_channels(cases: Sequence[Case]) -> list[Channel]:
    channels: list[Channel] = []
    for case in cases:
        if case.channel.is_rendezvous and case.channel not in channels:
            channels.append(case.channel)
    return channels


def _next_timer(cases: Sequence[Case]) -> float:
    """The earliest instant a timer among ``cases`` delivers (a wake-up no send will cause)."""
    dues = [c.channel.timer.due for c in cases if c.channel.timer is not None and c.channel.timer.due is not None]
    return min(dues, default=math.inf)
