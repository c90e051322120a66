"""Handles for channels that have send and receive ends of their own, owned by one event loop.

anyio's memory object streams and trio's memory channels have Rust's shape: a send end and a
receive end, each cloned and closed one by one and counted by the library, which ends the channel
for receivers when every send end is closed (the buffer is still delivered first) and for senders
when every receive end is closed. They differ in their exception classes and in how a wait is
bounded, which :class:`Library` names. The handles count nothing; they only translate calls and
exceptions, and send every call to the loop that owns the channel (:mod:`._owner_loop`):

- ``try_send``/``try_recv`` are ``send_nowait``/``receive_nowait``: "would block" -> ``Full``/
  ``Empty``, "broken" (no receiver left) and "end" (no sender left, nothing buffered) ->
  ``Disconnected``, "closed" (the handle's own end was closed) -> ``HandleClosed``;
- ``send``/``recv`` (threads) and ``asend``/``arecv`` (tasks of other loops) are ``await
  send(m)``/``await receive()`` on the owner, with the same translation; ``send_timeout``/
  ``recv_timeout`` run them in the library's cancel scope (``move_on_after``), whose cancellation
  is ``Timeout``;
- ``clone`` and ``close`` are the library's; ``len``, ``is_empty``, ``is_full`` read
  ``statistics()`` (``current_buffer_used`` against ``max_buffer_size``), ``capacity`` is
  ``max_buffer_size`` (``None`` for ``math.inf``). Neither library has ``same_channel``: the
  handles remember the channel they were opened on, which the user knows too.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ... import errors
from ._owner_loop import Owner, awaited
from ._queue_like import Exceptions
from ._timeouts import seconds

EXPIRED = object()
"""What :attr:`Library.within` returns when the time ran out."""

Within = Callable[..., Awaitable[Any]]
"""``within(timeout, operation, *args)``: ``await operation(*args)`` bounded by ``timeout``
seconds (``None``: unbounded), ``EXPIRED`` if it ran out."""


@dataclass(frozen=True)
class Library:
    """A library's exceptions, and its way of bounding a wait."""

    would_block: Exceptions
    broken: Exceptions
    end: Exceptions
    closed: Exceptions
    within: Within


@contextmanager
def _sending(library: Library, message: Any) -> Iterator[None]:
    try:
        yield
    except library.would_block:
        raise errors.Full(message) from None
    except library.broken as error:
        raise errors.Disconnected(message) from error
    except library.closed as error:
        raise errors.HandleClosed(message) from error


@contextmanager
def _receiving(library: Library) -> Iterator[None]:
    try:
        yield
    except library.would_block:
        raise errors.Empty() from None
    except library.end as error:
        raise errors.Disconnected() from error
    except library.closed as error:
        raise errors.HandleClosed() from error


class _Handle:
    __slots__ = ("_channel", "_identity", "_library", "_owner")

    def __init__(self, channel: Any, owner: Owner, library: Library, identity: object) -> None:
        self._channel = channel
        self._owner = owner
        self._library = library
        self._identity = identity

    @property
    def capacity(self) -> int | None:
        size = self._owner.call(self._channel.statistics).max_buffer_size
        return None if size == math.inf else int(size)

    def same_channel(self, other: object) -> bool:
        return isinstance(other, _Handle) and other._identity is self._identity

    def __len__(self) -> int:
        return int(self._owner.call(self._channel.statistics).current_buffer_used)

    def __bool__(self) -> bool:
        return True

    def is_empty(self) -> bool:
        return len(self) == 0

    def is_full(self) -> bool:
        stats = self._owner.call(self._channel.statistics)
        return bool(stats.current_buffer_used >= stats.max_buffer_size)

    def close(self) -> None:
        self._owner.call(self._channel.close)

    def _cloned(self) -> Any:
        try:
            return self._owner.call(self._channel.clone)
        except self._library.closed as error:
            raise errors.HandleClosed() from error


class Sender(_Handle):
    """A send end behind chanspec's sender API (see the module docstring)."""

    __slots__ = ()

    def try_send(self, message: Any) -> None:
        with _sending(self._library, message):
            self._owner.call(self._channel.send_nowait, message)

    def send(self, message: Any) -> None:
        self._send(message, None)

    def send_timeout(self, message: Any, timeout: float) -> None:
        self._send(message, seconds(timeout))

    def _send(self, message: Any, timeout: float | None) -> None:
        with _sending(self._library, message):
            outcome = self._owner.wait(self._library.within, timeout, self._channel.send, message)
        if outcome is EXPIRED:
            raise errors.Timeout(message)

    async def asend(self, message: Any) -> None:
        with _sending(self._library, message):
            await awaited(self._owner, self._channel.send, message)

    def clone(self) -> Sender:
        return Sender(self._cloned(), self._owner, self._library, self._identity)


class Receiver(_Handle):
    """A receive end behind chanspec's receiver API (see the module docstring)."""

    __slots__ = ()

    def try_recv(self) -> Any:
        with _receiving(self._library):
            return self._owner.call(self._channel.receive_nowait)

    def recv(self) -> Any:
        return self._recv(None)

    def recv_timeout(self, timeout: float) -> Any:
        return self._recv(seconds(timeout))

    def _recv(self, timeout: float | None) -> Any:
        with _receiving(self._library):
            outcome = self._owner.wait(self._library.within, timeout, self._channel.receive)
        if outcome is EXPIRED:
            raise errors.Timeout()
        return outcome

    async def arecv(self) -> Any:
        with _receiving(self._library):
            return await awaited(self._owner, self._channel.receive)

    def clone(self) -> Receiver:
        return Receiver(self._cloned(), self._owner, self._library, self._identity)


def open_ends(ends: tuple[Any, Any], owner: Owner, library: Library) -> tuple[Sender, Receiver]:
    """chanspec handles on a library's ``(send end, receive end)``, owned by ``owner``."""
    identity = object()
    return Sender(ends[0], owner, library, identity), Receiver(ends[1], owner, library, identity)
