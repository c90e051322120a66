"""The public handle types. Every implementation's handles derive from these.

``Sender[T]`` and ``Receiver[T]`` are abstract: the reference implementation
(:mod:`chanspec.reference`) and the production one (:mod:`chanspec.impl`)
subclass them, so code and annotations written against these types work with
either. What is common to every handle lives here once: the context manager,
iteration, refusing to be pickled, and the finalizer that closes a forgotten
handle.
"""

from __future__ import annotations

import abc
import warnings
from collections.abc import AsyncIterator, Iterator
from typing import Any, Generic, NoReturn, TypeVar

T = TypeVar("T")


class _Handle(abc.ABC):
    """What senders and receivers share."""

    __slots__ = ("__weakref__",)

    @abc.abstractmethod
    def close(self) -> None:
        """Give up this handle (Rust's drop). Idempotent."""

    @property
    @abc.abstractmethod
    def closed(self) -> bool:
        """Whether ``close()`` was called on this handle (not whether the channel is disconnected)."""

    @abc.abstractmethod
    def _close_from_finalizer(self) -> None:
        """Close without ever blocking: the collector may run this inside the channel's own
        critical section, on any thread."""

    def __enter__(self: Any) -> Any:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __bool__(self) -> bool:
        # A handle with __len__ would otherwise be false whenever its channel is empty.
        return True

    def __reduce__(self) -> NoReturn:
        raise TypeError(f"{type(self).__name__} cannot be pickled: channel handles are local to one process")

    def _warns_if_collected(self) -> bool:
        """Whether collecting this handle unclosed deserves a ``ResourceWarning``: it does when
        the other side may be waiting for this close. Timer receivers have no other side."""
        return True

    def __del__(self) -> None:
        try:
            if self.closed:
                return
        except Exception:  # a half-built handle: nothing to close
            return
        # Close first: the warning may raise (``-W error::ResourceWarning``), and the close
        # must not depend on it.
        self._close_from_finalizer()
        if self._warns_if_collected():
            warnings.warn(
                f"{type(self).__name__} was garbage-collected without close(); closing it now",
                ResourceWarning,
                stacklevel=2,
                source=self,
            )


class Sender(_Handle, Generic[T]):
    """The sending end of a channel. Clone it for more producers; close every clone
    (or use ``with``) so that receivers learn the channel is finished."""

    __slots__ = ()

    @abc.abstractmethod
    def send(self, message: T) -> None:
        """Send ``message``, waiting while the channel is full (at capacity 0: until a receiver
        takes it). Raises ``Disconnected`` (with ``.message``) if every receiver is closed,
        before or while waiting."""

    @abc.abstractmethod
    def try_send(self, message: T) -> None:
        """Send without waiting. Raises ``Full`` if there is no room (at capacity 0: no receiver
        is waiting), ``Disconnected`` if every receiver is closed; both carry ``.message``."""

    @abc.abstractmethod
    def send_timeout(self, message: T, timeout: float) -> None:
        """Like ``send``, but gives up after ``timeout`` seconds with ``Timeout`` (carrying
        ``.message``). It always tries once, even with a zero timeout."""

    @abc.abstractmethod
    def send_deadline(self, message: T, deadline: float) -> None:
        """Like ``send_timeout`` with a deadline on the ``time.monotonic()`` clock."""

    @abc.abstractmethod
    async def asend(self, message: T) -> None:
        """Send ``message`` from an asyncio task: like ``send``, but it awaits instead of
        blocking the loop's thread. Cancelled while waiting, it either had no effect
        (``CancelledError`` propagates; the message was not sent) or had already delivered the
        message (then it returns normally: a completed send cannot be cancelled)."""

    @abc.abstractmethod
    def clone(self) -> Sender[T]:
        """A new sender for the same channel; the channel stays connected while any is open."""

    @abc.abstractmethod
    def same_channel(self, other: Sender[Any] | Receiver[Any]) -> bool:
        """Whether ``other`` belongs to the same channel."""

    @abc.abstractmethod
    def __len__(self) -> int:
        """The number of buffered messages (always 0 at capacity 0). A snapshot under concurrency."""

    @abc.abstractmethod
    def is_empty(self) -> bool:
        """No message is buffered (always true at capacity 0)."""

    @abc.abstractmethod
    def is_full(self) -> bool:
        """The buffer is at capacity (always true at capacity 0, never when unbounded)."""

    @property
    @abc.abstractmethod
    def capacity(self) -> int | None:
        """The capacity: ``None`` when unbounded, 0 for a rendezvous."""


class Receiver(_Handle, Generic[T]):
    """The receiving end of a channel. Iterate over it to receive until every sender is
    closed and the buffer is drained."""

    __slots__ = ()

    @abc.abstractmethod
    def recv(self) -> T:
        """Receive the oldest message, waiting for one. Buffered messages are delivered even
        after every sender closed; then ``Disconnected`` is raised."""

    @abc.abstractmethod
    def try_recv(self) -> T:
        """Receive without waiting. Raises ``Empty`` if nothing is there and some sender is open,
        ``Disconnected`` if nothing is there and every sender is closed."""

    @abc.abstractmethod
    def recv_timeout(self, timeout: float) -> T:
        """Like ``recv``, but gives up after ``timeout`` seconds with ``Timeout``. It always tries
        once, so a zero timeout still takes a message that is there."""

    @abc.abstractmethod
    def recv_deadline(self, deadline: float) -> T:
        """Like ``recv_timeout`` with a deadline on the ``time.monotonic()`` clock."""

    @abc.abstractmethod
    async def arecv(self) -> T:
        """Receive from an asyncio task: like ``recv``, but it awaits instead of blocking the
        loop's thread. Cancelled while waiting, it either took nothing (``CancelledError``
        propagates) or had already been handed a message (then it returns it: a message is
        never lost to a cancellation)."""

    @abc.abstractmethod
    def clone(self) -> Receiver[T]:
        """A new receiver sharing the same messages (each message goes to one receiver only)."""

    @abc.abstractmethod
    def same_channel(self, other: Sender[Any] | Receiver[Any]) -> bool:
        """Whether ``other`` belongs to the same channel."""

    @abc.abstractmethod
    def __len__(self) -> int:
        """The number of buffered messages. A snapshot under concurrency."""

    @abc.abstractmethod
    def is_empty(self) -> bool:
        """No message is buffered."""

    @abc.abstractmethod
    def is_full(self) -> bool:
        """The buffer is at capacity."""

    @property
    @abc.abstractmethod
    def capacity(self) -> int | None:
        """The capacity: ``None`` when unbounded, 0 for a rendezvous."""

    def __iter__(self) -> Iterator[T]:
        """Receive until the channel is disconnected and drained."""
        from .errors import Disconnected

        while True:
            try:
                yield self.recv()
            except Disconnected:
                return

    def __aiter__(self) -> AsyncIterator[T]:
        """``async for``: receive until the channel is disconnected and drained."""
        return self._areceive_all()

    async def _areceive_all(self) -> AsyncIterator[T]:
        from .errors import Disconnected

        while True:
            try:
                message = await self.arecv()
            except Disconnected:
                return
            yield message

    def try_iter(self) -> Iterator[T]:
        """Receive the messages available now, stopping at the first ``Empty`` or ``Disconnected``."""
        from .errors import Disconnected, Empty

        while True:
            try:
                yield self.try_recv()
            except (Empty, Disconnected):
                return
