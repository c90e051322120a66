"""trio memory channels (``trio.open_memory_channel``) as chanspec backends.

trio's channels have the shape of Rust's: a send end and a receive end, each cloned and closed one
by one, counted by trio itself; the channel ends for receivers when every send clone is closed
(buffered values are still delivered, then ``EndOfChannel``), and for senders when every receive
clone is closed (``BrokenResourceError``, and the buffer is cleared). Buffer 0 is a rendezvous,
``math.inf`` unbounded. Using a clone after its own ``close()`` raises ``ClosedResourceError``.
The adapter counts nothing; its handles only translate calls and exceptions:

- ``try_send`` is ``send_nowait``, ``try_recv`` is ``receive_nowait``: ``WouldBlock`` ->
  ``Full``/``Empty``, ``BrokenResourceError`` / ``EndOfChannel`` -> ``Disconnected``,
  ``ClosedResourceError`` -> ``HandleClosed``;
- ``clone`` and ``close`` are trio's; ``len``, ``is_empty``, ``is_full`` read ``statistics()``
  (``current_buffer_used`` against ``max_buffer_size``), ``capacity`` is ``max_buffer_size``
  (``None`` for ``math.inf``). trio has no ``same_channel``: the adapter's handles remember the
  channel they were opened on, which the user knows too.

trio channels are for trio tasks, not for OS threads: they are not thread-safe, and their blocking
``send``/``receive`` are coroutines run by a trio event loop. Hence two backends.

``backend`` uses the synchronous calls only, made directly on the calling thread. There is no
blocking call: ``send``/``recv`` raise ``NotImplementedError`` (a worker thread of the check that
makes one reports it), and timeouts are declared unsupported. No polling loop stands in for
blocking.

``threaded`` is how threads use trio channels in practice: one trio event loop runs in a
background thread, and every call of every handle goes to it through ``trio.from_thread``
(``run_sync`` for the synchronous calls, ``run`` for ``await send(value)`` /
``await receive()``), so the channel is only ever touched by the loop's thread. Timeouts are
trio's cancel scopes: ``send_timeout(value, t)`` is ``await send(value)`` inside
``trio.move_on_after(t)``, and the scope being cancelled -> ``Timeout``.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import trio

from ... import errors
from ..backend import Backend, Capabilities
from ._timeouts import seconds

R = TypeVar("R")

_NO_BLOCKING = "no blocking call for threads: trio's send() and receive() are coroutines"


class _Direct:
    """Calls made on the calling thread; nothing can block."""

    def call(self, function: Callable[..., R], *args: Any) -> R:
        return function(*args)

    def wait(self, function: Callable[..., Awaitable[R]], *args: Any) -> R:
        raise NotImplementedError(_NO_BLOCKING)


class _Loop:
    """One trio event loop in a daemon thread, started on first use; calls go to it through
    ``trio.from_thread`` and the calling thread waits for their result."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._token: trio.lowlevel.TrioToken | None = None

    def call(self, function: Callable[..., R], *args: Any) -> R:
        result: R = trio.from_thread.run_sync(function, *args, trio_token=self._started())
        return result

    def wait(self, function: Callable[..., Awaitable[R]], *args: Any) -> R:
        result: R = trio.from_thread.run(function, *args, trio_token=self._started())
        return result

    def _started(self) -> trio.lowlevel.TrioToken:
        with self._lock:
            if self._token is None:
                ready = threading.Event()
                tokens: list[trio.lowlevel.TrioToken] = []

                async def serve() -> None:
                    tokens.append(trio.lowlevel.current_trio_token())
                    ready.set()
                    await trio.sleep_forever()

                threading.Thread(target=trio.run, args=(serve,), name="chanspec-trio-loop", daemon=True).start()
                ready.wait()
                self._token = tokens[0]
            return self._token


Runner = _Direct | _Loop

_EXPIRED = object()


async def _within(timeout: float | None, operation: Callable[..., Awaitable[Any]], *args: Any) -> Any:
    """``await operation(*args)`` in a cancel scope of ``timeout`` seconds; ``_EXPIRED`` if cancelled."""
    with trio.move_on_after(math.inf if timeout is None else timeout):
        return await operation(*args)
    return _EXPIRED


class _Handle:
    __slots__ = ("_channel", "_identity", "_runner")

    _channel: trio.MemorySendChannel[Any] | trio.MemoryReceiveChannel[Any]

    def __init__(self, runner: Runner, identity: object) -> None:
        self._runner = runner
        self._identity = identity

    @property
    def capacity(self) -> int | None:
        size = self._runner.call(self._channel.statistics).max_buffer_size
        return None if size == math.inf else int(size)

    def same_channel(self, other: object) -> bool:
        return isinstance(other, _Handle) and other._identity is self._identity

    def __len__(self) -> int:
        return int(self._runner.call(self._channel.statistics).current_buffer_used)

    def __bool__(self) -> bool:
        return True

    def is_empty(self) -> bool:
        return bool(self._runner.call(self._channel.statistics).current_buffer_used == 0)

    def is_full(self) -> bool:
        stats = self._runner.call(self._channel.statistics)
        return bool(stats.current_buffer_used >= stats.max_buffer_size)

    def close(self) -> None:
        self._runner.call(self._channel.close)


class Sender(_Handle):
    """A trio ``MemorySendChannel`` behind chanspec's sender API (see the module docstring)."""

    __slots__ = ()

    def __init__(self, channel: trio.MemorySendChannel[Any], runner: Runner, identity: object) -> None:
        super().__init__(runner, identity)
        self._channel: trio.MemorySendChannel[Any] = channel

    def try_send(self, message: Any) -> None:
        try:
            self._runner.call(self._channel.send_nowait, message)
        except trio.WouldBlock:
            raise errors.Full(message) from None
        except trio.BrokenResourceError as error:
            raise errors.Disconnected(message) from error
        except trio.ClosedResourceError as error:
            raise errors.HandleClosed(message) from error

    def send(self, message: Any) -> None:
        self._send(message, None)

    def send_timeout(self, message: Any, timeout: float) -> None:
        self._send(message, seconds(timeout))

    def _send(self, message: Any, timeout: float | None) -> None:
        try:
            outcome = self._runner.wait(_within, timeout, self._channel.send, message)
        except trio.BrokenResourceError as error:
            raise errors.Disconnected(message) from error
        except trio.ClosedResourceError as error:
            raise errors.HandleClosed(message) from error
        if outcome is _EXPIRED:
            raise errors.Timeout(message)

    def clone(self) -> Sender:
        try:
            return Sender(self._runner.call(self._channel.clone), self._runner, self._identity)
        except trio.ClosedResourceError as error:
            raise errors.HandleClosed() from error


class Receiver(_Handle):
    """A trio ``MemoryReceiveChannel`` behind chanspec's receiver API (see the module docstring)."""

    __slots__ = ()

    def __init__(self, channel: trio.MemoryReceiveChannel[Any], runner: Runner, identity: object) -> None:
        super().__init__(runner, identity)
        self._channel: trio.MemoryReceiveChannel[Any] = channel

    def try_recv(self) -> Any:
        try:
            return self._runner.call(self._channel.receive_nowait)
        except trio.WouldBlock:
            raise errors.Empty() from None
        except trio.EndOfChannel as error:
            raise errors.Disconnected() from error
        except trio.ClosedResourceError as error:
            raise errors.HandleClosed() from error

    def recv(self) -> Any:
        return self._recv(None)

    def recv_timeout(self, timeout: float) -> Any:
        return self._recv(seconds(timeout))

    def _recv(self, timeout: float | None) -> Any:
        try:
            outcome = self._runner.wait(_within, timeout, self._channel.receive)
        except trio.EndOfChannel as error:
            raise errors.Disconnected() from error
        except trio.ClosedResourceError as error:
            raise errors.HandleClosed() from error
        if outcome is _EXPIRED:
            raise errors.Timeout()
        return outcome

    def clone(self) -> Receiver:
        try:
            return Receiver(self._runner.call(self._channel.clone), self._runner, self._identity)
        except trio.ClosedResourceError as error:
            raise errors.HandleClosed() from error


def _opener(runner: Runner) -> Callable[[int | None], tuple[Sender, Receiver]]:
    def make(capacity: int | None) -> tuple[Sender, Receiver]:
        """``trio.open_memory_channel(capacity)`` (``math.inf`` when ``capacity`` is ``None``)."""
        size: float = math.inf if capacity is None else capacity
        send, receive = runner.call(_open, size)
        identity = object()
        return Sender(send, runner, identity), Receiver(receive, runner, identity)

    return make


def _open(size: float) -> tuple[trio.MemorySendChannel[Any], trio.MemoryReceiveChannel[Any]]:
    channels: tuple[trio.MemorySendChannel[Any], trio.MemoryReceiveChannel[Any]] = trio.open_memory_channel(size)
    return channels


make = _opener(_Direct())
backend = Backend("trio", make, Capabilities(timeouts=False))
"""Synchronous calls only, on the caller's thread: no blocking calls, no timeouts."""

threaded = Backend("trio-threaded", _opener(_Loop()), Capabilities())
"""Every call goes to a trio event loop in a background thread through ``trio.from_thread``."""
