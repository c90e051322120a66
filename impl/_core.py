"""What every production channel shares: handle counting, disconnection, deferred closes,
and the handle base classes with the hooks a select drives.

A channel core counts its live senders and receivers. When a count reaches
zero the flavour's hook runs once (``_senders_gone`` / ``_receivers_gone``);
the flags ``tx_gone`` and ``rx_gone`` never go back. The lock guards the
counts and the wait queues; the buffered flavours' fast paths read the flags
and the queues without it.
"""

from __future__ import annotations

import math
import os
import threading
import weakref
from typing import Any, ClassVar, TypeVar

from chanspec import handles
from chanspec.errors import HandleClosed

from . import _async
from ._cases import Case
from ._waiters import Entry

T = TypeVar("T")

Attempt = tuple[bool, Any] | None
"""What a select gets from trying one case: None (not ready), ``(True, value)`` (done:
the message received, or None for a send) or ``(False, error)`` (done, failing)."""


class ChannelCore:
    """Counts, disconnection flags, the lock, and closes deferred by the garbage collector.

    Critical sections end with :meth:`unlock`, never a bare ``lock.release()``:
    a finalizer that could not take the lock leaves its close in ``_deferred``
    and whoever unlocks next applies it.
    """

    __slots__ = ("__weakref__", "_deferred", "lock", "receivers", "rx_gone", "senders", "std", "tx_gone")

    def __init__(self, std: bool) -> None:
        LIVE.add(self)
        self.lock = threading.Lock()
        self.senders = 1
        self.receivers = 1
        self.tx_gone = False  # every sender closed
        self.rx_gone = False  # every receiver closed
        self.std = std
        # Sides (True: a sender) closed by the collector. A list, not a deque: appending and
        # popping are just as atomic, and an empty list is a tenth of an empty deque's size.
        self._deferred: list[bool] = []

    # Flavour hooks, called under the lock ------------------------------------------------

    def _senders_gone(self) -> None:
        """The last sender closed: wake every waiting receiver."""
        raise NotImplementedError

    def _receivers_gone(self) -> list[Any]:
        """The last receiver closed: empty the buffer (returned, to be dropped after unlocking)
        and wake every waiting sender."""
        raise NotImplementedError

    def _wake_handle(self, handle: object) -> None:
        """``handle`` was closed: wake the calls blocked through it."""
        raise NotImplementedError

    def sever(self) -> None:
        """In a child created by ``os.fork()``: disconnect this inherited channel for good. Its
        other ends, its buffered messages and its parked calls belong to the parent; the lock
        may have been held by a thread the child does not have."""
        self.lock = threading.Lock()
        self._deferred.clear()
        self.tx_gone = self.rx_gone = True

    # Counting -------------------------------------------------------------------------------

    def unlock(self) -> None:
        """Leave the critical section, then apply closes the collector deferred meanwhile."""
        self.lock.release()
        if self._deferred:
            self._apply_deferred()

    def add_handle(self, sending: bool) -> None:
        """A clone joined one side (under the lock)."""
        if sending:
            self.senders += 1
        else:
            self.receivers += 1

    def drop_handle(self, sending: bool) -> list[Any]:
        """A handle of one side closed (under the lock). Returns the discarded buffer if it was
        the last receiver, for the caller to drop once the lock is released."""
        if sending:
            self.senders -= 1
            if self.senders == 0:
                self.tx_gone = True
                self._senders_gone()
            return []
        self.receivers -= 1
        if self.receivers == 0:
            self.rx_gone = True
            return self._receivers_gone()
        return []

    def close_handle(self, handle: ImplHandle) -> None:
        """Close ``handle`` for good: wake the calls blocked through it, drop it from its count."""
        discarded: list[Any] = []
        self.lock.acquire()
        try:
            if handle._closed:
                return
            # Seal first: a lock-free call through the handle either finished before this
            # point or now waits for this close and fails. Mark it closed only after the
            # count drops: whoever sees the last handle closed also sees the channel
            # disconnected.
            handle._seal()
            discarded = self.drop_handle(handle._sending)
            handle._closed = True
            self._wake_handle(handle)
        finally:
            self.unlock()
        del discarded  # the last receiver's buffer dies here, outside the lock

    def defer_close(self, sending: bool) -> None:
        """A collected handle's close: never blocks, even if this thread holds the lock."""
        self._deferred.append(sending)
        self._apply_deferred()

    def _apply_deferred(self) -> None:
        while self._deferred and self.lock.acquire(False):
            discarded: list[Any] = []
            try:
                while self._deferred:
                    discarded.extend(self.drop_handle(self._deferred.pop(0)))
            finally:
                self.lock.release()
            del discarded


LIVE: weakref.WeakSet[Any] = weakref.WeakSet()
"""Every live channel core and timer schedule, for :func:`_sever_inherited` (anything with a
``sever()`` method)."""


def _sever_inherited() -> None:
    """Run in the child after ``os.fork()``: every inherited channel is disconnected there, so
    sends raise ``Disconnected`` carrying their message and receives raise ``Disconnected``; the
    parent's channels are untouched. No fast path pays for it: they already read the flags."""
    for core in list(LIVE):
        core.sever()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_sever_inherited)


class ImplHandle(handles._Handle):
    """Closing, cloning, identity and the select hooks, shared by every production handle.

    ``_chan`` is the channel core (or a timer's schedule), ``_closed`` this handle's own
    flag, read without a lock by the fast paths. Subclasses set ``_sending`` and override
    the hooks per flavour.
    """

    __slots__ = ("_chan", "_closed")
    _sending: ClassVar[bool]
    _chan: Any
    _closed: bool

    @property
    def closed(self) -> bool:
        """Whether ``close()`` was called on this handle (not whether the channel is disconnected)."""
        return self._closed

    def close(self) -> None:
        """Give up this handle (idempotent). Closing the last sender wakes every blocked
        receiver; closing the last receiver discards the buffered messages and wakes every
        blocked sender with ``Disconnected`` carrying its own message. A call blocked on this
        very handle in another thread wakes with ``HandleClosed``."""
        if not self._closed:
            self._chan.close_handle(self)

    def _seal(self) -> None:
        """Called under the lock as the close begins: make the lock-free paths fail from now on
        (the buffered flavours swap their buffer for a :class:`~._buffered.ClosedBuffer`)."""

    def _close_from_finalizer(self) -> None:
        if not self._closed:
            self._closed = True
            self._chan.defer_close(self._sending)

    def _clone_core(self) -> Any:
        """Count one more handle on this side; HandleClosed if this one is closed."""
        chan = self._chan
        chan.lock.acquire()
        try:
            if self._closed:
                raise HandleClosed()
            chan.add_handle(self._sending)
        finally:
            chan.unlock()
        return chan

    def same_channel(self, other: handles.Sender[Any] | handles.Receiver[Any]) -> bool:
        """Whether ``other`` belongs to the same channel (every ``never()`` is the same channel).
        Answers on closed handles too."""
        return isinstance(other, ImplHandle) and other._chan is self._chan

    def _check_open(self) -> None:
        if self._closed:
            raise HandleClosed()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<chanspec.impl.{type(self).__name__} {state}>"

    # Select hooks ------------------------------------------------------------------------

    def _sel_attempt(self, message: Any, thread: int) -> Attempt:
        """Perform the case now if it would not wait (``message`` is ignored by receivers)."""
        raise NotImplementedError

    def _sel_ready(self, thread: int) -> bool:
        """Whether the case would complete (or fail) now without waiting."""
        raise NotImplementedError

    def _sel_register(self, entry: Entry) -> bool:
        """Wait on this case with ``entry``; returns whether it is ready already (checked after
        registering, so a change after this call wakes the entry)."""
        raise NotImplementedError

    def _sel_unregister(self, entry: Entry) -> None:
        """Withdraw ``entry`` if it is still registered."""
        raise NotImplementedError

    def _sel_pass_on(self) -> None:
        """A wake-up from this case was not used: hand it to the next waiter if still due."""

    def _sel_due(self) -> float:
        """When the case becomes ready by itself (timers); ``inf`` otherwise."""
        return float("inf")


class ImplSender(ImplHandle, handles.Sender[T]):
    """Base of the production senders."""

    __slots__ = ()
    _sending = True

    def clone(self) -> handles.Sender[T]:
        """Another sender of the same channel; the channel stays connected while any is open."""
        return type(self)(self._clone_core())  # type: ignore[call-arg]

    async def asend(self, message: T) -> None:
        """Send ``message`` from a task, awaiting (never blocking the loop) while the channel is
        full, or at capacity 0 until a receiver (a thread or another task) takes it.
        ``Disconnected`` (carrying the message) if every receiver is closed. Cancelled while
        waiting, it either had no effect (``CancelledError``; the message was not sent) or the
        message was already delivered (then it returns normally)."""
        if self._closed:
            raise HandleClosed(message)
        attempt = self._sel_attempt(message, 0)  # 0 is nobody's ident: no waiter of this call yet
        if attempt is not None:
            if not attempt[0]:
                raise attempt[1]
            return
        await self._asend_waiting(message)

    async def _asend_waiting(self, message: T) -> None:
        """``asend`` once trying at once found no room and no partner: wait on the loop for the
        send to complete."""
        done = await _async.run([(0, Case(self, True, message))], True, True, math.inf, tried=True)
        assert done is not None  # waiting for ever
        if not done[1]:
            raise done[2]


class ImplReceiver(ImplHandle, handles.Receiver[T]):
    """Base of the production receivers."""

    __slots__ = ()
    _sending = False

    def clone(self) -> handles.Receiver[T]:
        """Another receiver sharing the same messages (each goes to one receiver only).
        ``TypeError`` for a std-flavour receiver (``channel()``/``sync_channel()``)."""
        if self._chan.std:
            raise TypeError("std-flavour receivers cannot be cloned (channel()/sync_channel() have one consumer)")
        return type(self)(self._clone_core())  # type: ignore[call-arg]

    async def arecv(self) -> T:
        """Receive the oldest message from a task, awaiting (never blocking the loop) while
        there is none and a sender is open; ``Disconnected`` once every sender is closed and
        the buffer is drained. Cancelled while waiting, it either took nothing
        (``CancelledError``) or had already been handed a message (then it returns it)."""
        if self._closed:
            raise HandleClosed()
        attempt = self._sel_attempt(None, 0)  # 0 is nobody's ident: no waiter of this call yet
        if attempt is not None:
            if not attempt[0]:
                raise attempt[1]
            return attempt[1]  # type: ignore[no-any-return]
        return await self._arecv_waiting()

    async def _arecv_waiting(self) -> T:
        """``arecv`` once trying at once failed: wait on the loop for a message."""
        done = await _async.run([(0, Case(self, False, None))], True, True, math.inf, tried=True)
        assert done is not None  # waiting for ever
        if not done[1]:
            raise done[2]
        return done[2]  # type: ignore[no-any-return]
