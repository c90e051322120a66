"""The reference handles and the channel constructors."""

from __future__ import annotations

import math
import time
from typing import Any, TypeVar

from chanspec import handles
from chanspec._validate import check_capacity, check_deadline, deadline_after
from chanspec.errors import Empty, Full, HandleClosed, Timeout

from ._ops import Case, arun, run
from ._state import Channel, End, close_later, critical, release

T = TypeVar("T")


class _Common:
    """What reference senders and receivers share: closing, introspection, identity."""

    __slots__ = ()
    _end: End

    def close(self) -> None:
        """Give up this handle. Idempotent. Closing the last sender wakes every blocked
        receiver; closing the last receiver discards the buffered messages and wakes every
        blocked sender (each gets ``Disconnected`` with its own message). A call blocked on
        this very handle in another thread wakes with ``HandleClosed``."""
        with critical():
            release(self._end)

    @property
    def closed(self) -> bool:
        """Whether ``close()`` was called on this handle (not whether the channel is disconnected)."""
        return self._end.closed

    def _close_from_finalizer(self) -> None:
        close_later(self._end)

    def _warns_if_collected(self) -> bool:
        return self._end.channel.timer is None

    def same_channel(self, other: handles.Sender[Any] | handles.Receiver[Any]) -> bool:
        """Whether ``other`` belongs to the same channel (every ``never()`` is the same channel)."""
        if not isinstance(other, _Common):
            return False
        mine, theirs = self._end.channel, other._end.channel
        return mine is theirs or (mine.is_never and theirs.is_never)

    @property
    def capacity(self) -> int | None:
        """The capacity: ``None`` when unbounded, 0 for a rendezvous. Answers on a closed handle too."""
        return self._end.channel.capacity

    def __len__(self) -> int:
        """The number of buffered messages (0 at capacity 0); ``HandleClosed`` once closed."""
        with critical():
            return self._length()

    def is_empty(self) -> bool:
        """No message is buffered (always true at capacity 0)."""
        with critical():
            return self._length() == 0

    def is_full(self) -> bool:
        """The buffer is at capacity (always true at capacity 0, never when unbounded)."""
        with critical():
            length = self._length()
            capacity = self._end.channel.capacity
            return capacity is not None and length >= capacity

    def _length(self) -> int:
        if self._end.closed:
            raise HandleClosed()
        return self._end.channel.length(time.monotonic())

    def _clone_end(self) -> End:
        with critical():
            if self._end.closed:
                raise HandleClosed()
            channel = self._end.channel
            if self._end.is_sender:
                channel.senders += 1
            else:
                channel.receivers += 1
            return End(channel, self._end.is_sender)

    def __repr__(self) -> str:
        state = "closed" if self._end.closed else "open"
        return f"<chanspec.reference.{type(self).__name__} capacity={self._end.channel.capacity!r} {state}>"


class Sender(_Common, handles.Sender[T]):
    """The sending end of a reference channel. Blocked sends wait on the one lock shared by
    every reference channel and re-check after each wake-up; a send never loses its
    message: on failure it is in the error's ``.message``."""

    __slots__ = ("_end",)

    def __init__(self, end: End) -> None:
        self._end = end

    def send(self, message: T) -> None:
        """Send ``message``; blocks while the buffer is full (at capacity 0: until a receiver of
        another thread takes it). Woken by a receive, or by the last receiver's close, which
        raises ``Disconnected`` carrying ``message``."""
        self._send(message, math.inf)

    def try_send(self, message: T) -> None:
        """Send without blocking: ``Full`` if there is no room (at capacity 0: no receiver of
        another thread is blocked), ``Disconnected`` if every receiver is closed."""
        self._send(message, None)

    def send_timeout(self, message: T, timeout: float) -> None:
        """Like ``send``, but raises ``Timeout`` (carrying ``message``) if it still cannot
        complete ``timeout`` seconds from now. It attempts once before looking at the clock."""
        self._send(message, deadline_after(timeout))

    def send_deadline(self, message: T, deadline: float) -> None:
        """Like ``send_timeout`` with a deadline on the ``time.monotonic()`` clock."""
        self._send(message, check_deadline(deadline))

    async def asend(self, message: T) -> None:
        """``send`` for an asyncio task: awaits instead of blocking the loop's thread.
        Cancelled while waiting, it is withdrawn with no effect (``CancelledError``; the message
        was not sent), unless a receiver already took the message: then it returns normally."""
        done = await arun([Case(0, self._end, message)], biased=True, complete=True, deadline=math.inf)
        assert done is not None  # waiting for ever
        done[1].unwrap()

    def _send(self, message: T, deadline: float | None) -> None:
        done = run([Case(0, self._end, message)], biased=True, complete=True, deadline=deadline)
        if done is None:
            raise Full(message) if deadline is None else Timeout(message)
        done[1].unwrap()

    def clone(self) -> Sender[T]:
        """Another sender for the same channel; it stays connected while any sender is open."""
        return Sender(self._clone_end())


class Receiver(_Common, handles.Receiver[T]):
    """The receiving end of a reference channel. Blocked receives wait on the one lock shared
    by every reference channel and re-check after each wake-up (another receiver may take
    the message first; then they wait again)."""

    __slots__ = ("_end",)

    def __init__(self, end: End) -> None:
        self._end = end

    def recv(self) -> T:
        """Receive the oldest message; blocks while there is none and some sender is open.
        Woken by a send or by the last sender's close (then ``Disconnected``, once the
        buffer is drained)."""
        return self._recv(math.inf)

    def try_recv(self) -> T:
        """Receive without blocking: ``Empty`` if nothing is there (at capacity 0: no sender of
        another thread is blocked) and some sender is open, otherwise ``Disconnected``."""
        return self._recv(None)

    def recv_timeout(self, timeout: float) -> T:
        """Like ``recv``, but raises ``Timeout`` if nothing arrived ``timeout`` seconds from
        now. It attempts once first: a zero timeout still takes a message that is there."""
        return self._recv(deadline_after(timeout))

    def recv_deadline(self, deadline: float) -> T:
        """Like ``recv_timeout`` with a deadline on the ``time.monotonic()`` clock."""
        return self._recv(check_deadline(deadline))

    async def arecv(self) -> T:
        """``recv`` for an asyncio task: awaits instead of blocking the loop's thread.
        Cancelled while waiting, it is withdrawn having taken nothing (``CancelledError``),
        unless a rendezvous sender already handed it a message: then it returns that message."""
        done = await arun([Case(0, self._end)], biased=True, complete=True, deadline=math.inf)
        assert done is not None  # waiting for ever
        value: T = done[1].unwrap()
        return value

    def _recv(self, deadline: float | None) -> T:
        done = run([Case(0, self._end)], biased=True, complete=True, deadline=deadline)
        if done is None:
            raise Empty() if deadline is None else Timeout()
        value: T = done[1].unwrap()
        return value

    def clone(self) -> Receiver[T]:
        """Another receiver sharing the same messages (each goes to one receiver only).
        ``TypeError`` for a std-flavour receiver."""
        if self._end.channel.std:
            raise TypeError("std-flavour receivers cannot be cloned (channel()/sync_channel() have one consumer)")
        return Receiver(self._clone_end())


def open_channel(capacity: int | None, *, std: bool = False) -> tuple[Sender[Any], Receiver[Any]]:
    """A new channel with one sender and one receiver."""
    channel = Channel(capacity, std=std)
    return Sender(End(channel, is_sender=True)), Receiver(End(channel, is_sender=False))


def unbounded() -> tuple[Sender[Any], Receiver[Any]]:
    """A channel without a capacity limit: sends never block (they fail only when every
    receiver is closed). Multi-producer, multi-consumer: both ends clone."""
    return open_channel(None)


def bounded(capacity: int) -> tuple[Sender[Any], Receiver[Any]]:
    """A channel holding at most ``capacity`` messages: sends block while it is full.
    ``bounded(0)`` is a rendezvous: each send waits for a receive of another thread."""
    return open_channel(check_capacity(capacity))


def channel() -> tuple[Sender[Any], Receiver[Any]]:
    """std's ``mpsc::channel``: unbounded, and the receiver cannot be cloned."""
    return open_channel(None, std=True)


def sync_channel(bound: int) -> tuple[Sender[Any], Receiver[Any]]:
    """std's ``mpsc::sync_channel``: bounded (0 = rendezvous), and the receiver cannot be cloned."""
    return open_channel(check_capacity(bound), std=True)
