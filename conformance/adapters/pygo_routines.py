"""pygo-routines (``pyroutine.Chan``, Go-style channels for threads) as a chanspec backend.

A ``Chan`` is one object shared by senders and receivers, with Go's semantics: ``Chan(0)`` is a
rendezvous, ``Chan(n)`` buffers ``n``, and there is no unbounded channel. It ends with a single
``close()`` that anyone may call: buffered values still drain, then receives raise ``ChanClosed``;
sends raise ``ChanClosed``; every parked sender and receiver is woken. There is nothing for the
other direction: a channel whose receivers are gone is not told so, and its senders go on.

The adapter makes the handles and counts them (see :mod:`._counted`), as Go code does with a
``WaitGroup`` over its producers: the last sender's close calls ``close()``. The last receiver's
close has nothing to call. ``ChanClosed`` becomes ``Disconnected`` (``HandleClosed`` when the
call's own handle was closed meanwhile).

Mapping: ``try_send`` is ``try_send`` (``False`` -> ``Full``), ``send``/``send_timeout`` are
``send(v, timeout)`` (``TimeoutError`` -> ``Timeout``); ``try_recv`` is ``try_recv`` (``(None,
False)`` -> ``Empty``), ``recv``/``recv_timeout`` are ``recv(timeout)``; ``len`` is
``len(chan)``, ``is_empty``/``is_full`` compare it with ``cap`` (the library has no such
methods); ``capacity`` is ``cap``.
"""

from __future__ import annotations

import warnings
from typing import Any

from ... import errors
from ..backend import Backend, Capabilities
from ._counted import Queue, Receiver, Sender, open_handles

with warnings.catch_warnings():
    # pyroutine warns at import when the GIL is enabled (routines do not run in parallel).
    warnings.simplefilter("ignore", RuntimeWarning)
    import pyroutine


class _GoChan(Queue):
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.chan: pyroutine.Chan[Any] = pyroutine.Chan(capacity)

    def try_put(self, message: Any) -> None:
        try:
            sent = self.chan.try_send(message)
        except pyroutine.ChanClosed as error:
            raise errors.Disconnected(message) from error
        if not sent:
            raise errors.Full(message)

    def put(self, message: Any, timeout: float | None) -> None:
        try:
            self.chan.send(message, timeout)
        except TimeoutError:
            raise errors.Timeout(message) from None
        except pyroutine.ChanClosed as error:
            raise errors.Disconnected(message) from error

    def try_get(self) -> Any:
        try:
            value, ok = self.chan.try_recv()
        except pyroutine.ChanClosed as error:
            raise errors.Disconnected() from error
        if not ok:
            raise errors.Empty()
        return value

    def get(self, timeout: float | None) -> Any:
        try:
            return self.chan.recv(timeout)
        except TimeoutError:
            raise errors.Timeout() from None
        except pyroutine.ChanClosed as error:
            raise errors.Disconnected() from error

    def length(self) -> int:
        return len(self.chan)

    def last_sender_closed(self) -> None:
        self.chan.close()

    def last_receiver_closed(self) -> None:
        """Go channels have no receiver-side close."""


def make(capacity: int | None) -> tuple[Sender, Receiver]:
    """A ``pyroutine.Chan(capacity)`` (``capacity`` ``None`` is refused: no unbounded channel)."""
    if capacity is None:
        raise ValueError("pyroutine.Chan has no unbounded mode")
    return open_handles(_GoChan(capacity))


backend = Backend("pygo-routines", make, Capabilities(unbounded=False))
