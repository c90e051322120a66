"""ferryboat (``ferryboat.Channel.new``, Rust's crossbeam-channel behind PyO3) as a chanspec backend.

ferryboat's synchronous channel is bounded only (capacity >= 1: no rendezvous, no unbounded), has
one receiver (thread-safe to share, not cloneable: the ``std`` profile) and cloneable senders. It
counts its handles itself: ``close()`` drops the Rust handle, so the channel follows
crossbeam-channel's disconnection rules. The adapter counts nothing; its handles translate:

- ferryboat carries ``bytes`` only. The adapter sends each message as a key (8 bytes) and keeps the
  object in a table until it is received or handed back, so that identity is kept (a user would
  serialize; a key is the same idea without copying);
- ``try_send`` is ``try_send`` (``False`` -> ``Full``), ``send`` is ``send``; ``try_recv`` is
  ``try_recv`` (``None`` -> ``Empty``), ``recv`` is ``recv``;
- ``ChannelClosedError`` is raised both for a disconnected channel and for a handle used after its
  own ``close()``; the handle knows whether it was closed, and raises ``HandleClosed`` then,
  ``Disconnected`` otherwise;
- ``len`` is ``queue_depth``, ``is_empty`` is ``is_empty()``, ``is_full`` compares the depth with
  the capacity, ``capacity`` is the one asked for (ferryboat has no getter); ``same_channel``
  compares the channel the handles were opened on (ferryboat has none).

There is ``Receiver.recv_timeout(ms)`` but no send with a timeout; as the capabilities have one
switch for both, timeouts are declared unsupported (``recv_timeout`` is mapped, and not checked;
``send_timeout`` raises ``NotImplementedError``).

One ferryboat behaviour cannot be run: while a thread waits in ``Receiver.recv()``, any other call
on that receiver (``try_recv``, ``recv_timeout``, ``queue_depth``, ``is_empty``) waits for it to
return *while holding the GIL*, so no other Python thread runs again and no sender can end the
wait: the process freezes (checked by hand with ferryboat 0.2.0; ``docs/findings.md`` has the
script). So that the check reports it instead of freezing, the adapter's receiver counts the
threads inside ``recv``/``recv_timeout``, and refuses any other receiver call meanwhile with
:class:`WouldFreeze`, which the report shows. A second concurrent ``recv`` is let through (it waits
without the GIL).

ferryboat logs every channel creation and every refused ``try_send`` to stderr from Rust; the
adapter sets its log level to ``error`` when imported.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import threading
from collections.abc import Iterator
from typing import Any, NoReturn

import ferryboat

from ... import errors
from ...spec.profiles import STD
from ..backend import Backend, Capabilities
from ._timeouts import seconds

ferryboat.configure_logging("error")


class _Parcels:
    """The objects in flight, by the key that travels in their place."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._objects: dict[bytes, Any] = {}
        self._keys = itertools.count()

    def wrap(self, message: Any) -> bytes:
        with self._lock:
            key = next(self._keys).to_bytes(8, "big")
            self._objects[key] = message
        return key

    def unwrap(self, key: bytes) -> Any:
        with self._lock:
            return self._objects.pop(key)


class WouldFreeze(RuntimeError):
    """A receiver call that ferryboat would make wait, with the GIL held, for another thread's
    ``recv`` to return: refused instead of freezing the process."""


class _Channel:
    """What the handles of one channel share."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.parcels = _Parcels()
        self.lock = threading.Lock()
        self.receiving = 0
        """Threads inside ``Receiver.recv``/``recv_timeout``."""


class _Handle:
    __slots__ = ("_channel", "_closed", "_end")

    _end: ferryboat.Sender | ferryboat.Receiver

    def __init__(self, channel: _Channel) -> None:
        self._channel = channel
        self._closed = False

    @property
    def capacity(self) -> int:
        return self._channel.capacity

    def same_channel(self, other: object) -> bool:
        return isinstance(other, _Handle) and other._channel is self._channel

    def __len__(self) -> int:
        try:
            return int(self._end.queue_depth)
        except ferryboat.ChannelClosedError as error:
            self._failed(error)

    def __bool__(self) -> bool:
        return True

    def is_empty(self) -> bool:
        try:
            return bool(self._end.is_empty())
        except ferryboat.ChannelClosedError as error:
            self._failed(error)

    def is_full(self) -> bool:
        return len(self) >= self._channel.capacity

    def close(self) -> None:
        self._closed = True
        self._end.close()

    def _failed(self, error: ferryboat.ChannelClosedError, message: Any = errors.NO_MESSAGE) -> NoReturn:
        if self._closed:
            raise errors.HandleClosed(message) from error
        raise errors.Disconnected(message) from error


class Sender(_Handle):
    """A ferryboat ``Sender`` behind chanspec's sender API (see the module docstring)."""

    __slots__ = ()

    def __init__(self, end: ferryboat.Sender, channel: _Channel) -> None:
        super().__init__(channel)
        self._end: ferryboat.Sender = end

    def try_send(self, message: Any) -> None:
        key = self._channel.parcels.wrap(message)
        try:
            sent = self._end.try_send(key)
        except ferryboat.ChannelClosedError as error:
            self._failed(error, self._channel.parcels.unwrap(key))
        if not sent:
            raise errors.Full(self._channel.parcels.unwrap(key))

    def send(self, message: Any) -> None:
        key = self._channel.parcels.wrap(message)
        try:
            self._end.send(key)
        except ferryboat.ChannelClosedError as error:
            self._failed(error, self._channel.parcels.unwrap(key))

    def send_timeout(self, message: Any, timeout: float) -> None:
        raise NotImplementedError("ferryboat has no send with a timeout")

    def clone(self) -> Sender:
        try:
            return Sender(self._end.clone(), self._channel)
        except ferryboat.ChannelClosedError as error:
            self._failed(error)


class Receiver(_Handle):
    """The ferryboat ``Receiver`` behind chanspec's receiver API (see the module docstring)."""

    __slots__ = ()

    def __init__(self, end: ferryboat.Receiver, channel: _Channel) -> None:
        super().__init__(channel)
        self._end: ferryboat.Receiver = end

    def try_recv(self) -> Any:
        with self._unless_receiving("try_recv"):
            try:
                key = self._end.try_recv()
            except ferryboat.ChannelClosedError as error:
                self._failed(error)
        if key is None:
            raise errors.Empty()
        return self._channel.parcels.unwrap(key)

    def recv(self) -> Any:
        with self._receiving():
            try:
                return self._channel.parcels.unwrap(self._end.recv())
            except ferryboat.ChannelClosedError as error:
                self._failed(error)

    def recv_timeout(self, timeout: float) -> Any:
        wait = seconds(timeout)
        milliseconds = 2**31 - 1 if wait is None else math.ceil(wait * 1000)
        with self._receiving("recv_timeout"):
            try:
                return self._channel.parcels.unwrap(self._end.recv_timeout(milliseconds))
            except TimeoutError:
                raise errors.Timeout() from None
            except ferryboat.ChannelClosedError as error:
                self._failed(error)

    def __len__(self) -> int:
        with self._unless_receiving("queue_depth"):
            return super().__len__()

    def is_empty(self) -> bool:
        with self._unless_receiving("is_empty"):
            return super().is_empty()

    @contextlib.contextmanager
    def _unless_receiving(self, call: str) -> Iterator[None]:
        """Refuse ``call`` while another thread is in ``recv``; the lock keeps one from starting
        until ``call`` has returned."""
        with self._channel.lock:
            self._refuse_while_receiving(call)
            yield

    def _refuse_while_receiving(self, call: str) -> None:
        if self._channel.receiving and not self._closed:
            raise WouldFreeze(
                f"ferryboat's Receiver.{call}() would wait, holding the GIL, for another thread's recv() "
                "to return: the process would freeze"
            )

    @contextlib.contextmanager
    def _receiving(self, refused_call: str | None = None) -> Iterator[None]:
        """Count this thread as receiving; with ``refused_call``, refuse it if another one is."""
        channel = self._channel
        with channel.lock:
            if refused_call is not None:
                self._refuse_while_receiving(refused_call)
            channel.receiving += 1
        try:
            yield
        finally:
            with channel.lock:
                channel.receiving -= 1

    def clone(self) -> Receiver:
        raise TypeError("a ferryboat channel has one receiver (share it between threads; it cannot be cloned)")


def make(capacity: int | None) -> tuple[Sender, Receiver]:
    """``ferryboat.Channel.new(capacity)`` (``capacity`` >= 1; ``None`` is refused)."""
    if capacity is None:
        raise ValueError("ferryboat channels are bounded only")
    sender, receiver = ferryboat.Channel.new(capacity)
    channel = _Channel(capacity)
    return Sender(sender, channel), Receiver(receiver, channel)


backend = Backend(
    "ferryboat",
    make,
    Capabilities(unbounded=False, zero=False, receiver_clone=False, timeouts=False, profile=STD),
)
