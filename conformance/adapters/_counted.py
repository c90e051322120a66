"""Handles for libraries that offer one shared queue object and no handles of their own.

``queue.Queue``, ``SimpleQueue``, janus, culsans, aiologic and pygo-routines give producers and
consumers the same object. chanspec's API needs a sender and a receiver that are cloned and
closed one by one, so the adapter makes them: a :class:`Queue` puts the library behind one small
interface (every method raises chanspec's errors), and :class:`Sender` / :class:`Receiver` wrap it.

What the handles add, and nothing more:

- each handle knows whether it was closed; using it afterwards raises ``HandleClosed`` (a send
  hands its message back), except ``capacity`` and ``same_channel``;
- the open handles of each side are counted, and when the last one of a side is closed the
  library is told, through whatever it offers for that (``shutdown``, ``close``; possibly
  nothing): that is what a user of the library does by hand (a producer counter, a
  ``WaitGroup``), and it is the only way such a queue can end;
- when the library reports the end of the channel to a call made on a handle that has been
  closed meanwhile, that close was the cause, so the call raises ``HandleClosed``.

Blocking is the library's own: a blocked call waits inside the library and is woken only by it.
Closing a handle that is not the last of its side tells the library nothing (it has no notion of
it), so a call blocked on that handle stays blocked.
"""

from __future__ import annotations

import abc
import threading
from typing import Any, NoReturn

from ... import errors
from ._timeouts import seconds


class Queue(abc.ABC):
    """A library's queue behind the operations chanspec's handles need.

    ``timeout`` is seconds, or ``None`` to wait for ever. Failures are chanspec's errors: ``Full``
    / ``Empty`` from the try calls, ``Timeout`` from a wait that ran out, ``Disconnected`` when the
    library says the queue has ended. A send's error carries the message.
    """

    capacity: int | None
    """``None`` when unbounded."""

    @abc.abstractmethod
    def try_put(self, message: Any) -> None: ...

    @abc.abstractmethod
    def put(self, message: Any, timeout: float | None) -> None: ...

    @abc.abstractmethod
    def try_get(self) -> Any: ...

    @abc.abstractmethod
    def get(self, timeout: float | None) -> Any: ...

    @abc.abstractmethod
    def length(self) -> int: ...

    def is_empty(self) -> bool:
        return self.length() == 0

    def is_full(self) -> bool:
        return self.capacity is not None and self.length() >= self.capacity

    @abc.abstractmethod
    def last_sender_closed(self) -> None:
        """The last sender handle was closed: tell the library, if it has a way to hear it."""

    @abc.abstractmethod
    def last_receiver_closed(self) -> None:
        """The last receiver handle was closed: tell the library, if it has a way to hear it."""


class _Link:
    """What every handle of one channel shares: the queue and the count of open handles per side."""

    def __init__(self, queue: Queue) -> None:
        self.queue = queue
        self.lock = threading.Lock()
        self.senders = 1
        self.receivers = 1


class _Handle:
    __slots__ = ("_closed", "_link")

    def __init__(self, link: _Link) -> None:
        self._link = link
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def capacity(self) -> int | None:
        return self._link.queue.capacity

    def same_channel(self, other: object) -> bool:
        return isinstance(other, _Handle) and other._link is self._link

    def __len__(self) -> int:
        self._guard()
        return self._link.queue.length()

    def __bool__(self) -> bool:
        return True

    def is_empty(self) -> bool:
        self._guard()
        return self._link.queue.is_empty()

    def is_full(self) -> bool:
        self._guard()
        return self._link.queue.is_full()

    def close(self) -> None:
        link = self._link
        with link.lock:
            if self._closed:
                return
            self._closed = True
            last = self._release(link)
        if last:
            self._tell_last_closed(link.queue)

    def _guard(self, message: Any = errors.NO_MESSAGE) -> None:
        if self._closed:
            raise errors.HandleClosed(message)

    def _ended(self, error: errors.Disconnected) -> NoReturn:
        """The library ended the call: because this very handle was closed meanwhile, or not."""
        if self._closed:
            raise errors.HandleClosed(error.message) from error
        raise error

    def _release(self, link: _Link) -> bool:
        raise NotImplementedError

    def _tell_last_closed(self, queue: Queue) -> None:
        raise NotImplementedError


class Sender(_Handle):
    """A sending handle on a shared library queue (see the module docstring)."""

    __slots__ = ()

    def send(self, message: Any) -> None:
        """Blocks inside the library while the queue is full."""
        self._guard(message)
        try:
            self._link.queue.put(message, None)
        except errors.Disconnected as error:
            self._ended(error)

    def try_send(self, message: Any) -> None:
        self._guard(message)
        try:
            self._link.queue.try_put(message)
        except errors.Disconnected as error:
            self._ended(error)

    def send_timeout(self, message: Any, timeout: float) -> None:
        wait = seconds(timeout)
        self._guard(message)
        try:
            self._link.queue.put(message, wait)
        except errors.Disconnected as error:
            self._ended(error)

    def clone(self) -> Sender:
        link = self._link
        with link.lock:
            self._guard()
            link.senders += 1
        return Sender(link)

    def _release(self, link: _Link) -> bool:
        link.senders -= 1
        return link.senders == 0

    def _tell_last_closed(self, queue: Queue) -> None:
        queue.last_sender_closed()


class Receiver(_Handle):
    """A receiving handle on a shared library queue (see the module docstring)."""

    __slots__ = ()

    def recv(self) -> Any:
        """Blocks inside the library while the queue is empty."""
        self._guard()
        try:
            return self._link.queue.get(None)
        except errors.Disconnected as error:
            self._ended(error)

    def try_recv(self) -> Any:
        self._guard()
        try:
            return self._link.queue.try_get()
        except errors.Disconnected as error:
            self._ended(error)

    def recv_timeout(self, timeout: float) -> Any:
        wait = seconds(timeout)
        self._guard()
        try:
            return self._link.queue.get(wait)
        except errors.Disconnected as error:
            self._ended(error)

    def clone(self) -> Receiver:
        link = self._link
        with link.lock:
            self._guard()
            link.receivers += 1
        return Receiver(link)

    def _release(self, link: _Link) -> bool:
        link.receivers -= 1
        return link.receivers == 0

    def _tell_last_closed(self, queue: Queue) -> None:
        queue.last_receiver_closed()


def open_handles(queue: Queue) -> tuple[Sender, Receiver]:
    """One sender and one receiver on ``queue``."""
    link = _Link(queue)
    return Sender(link), Receiver(link)
