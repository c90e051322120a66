"""The shape shared by ``queue.Queue`` and its look-alikes (janus's and culsans's ``sync_q``).

They all have ``put``/``get`` with ``block`` and ``timeout``, ``put_nowait``/``get_nowait``,
``qsize``/``empty``/``full``, and (``queue.Queue`` from Python 3.13, janus, culsans) a
``shutdown(immediate)``. Only the exception classes differ, so one adapter class serves them all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from ... import errors
from ._counted import Queue


class QueueLike(Protocol):
    """What this module uses of a ``queue.Queue`` look-alike."""

    def put(self, item: Any, block: bool = ..., timeout: float | None = ...) -> None: ...

    def put_nowait(self, item: Any) -> None: ...

    def get(self, block: bool = ..., timeout: float | None = ...) -> Any: ...

    def get_nowait(self) -> Any: ...

    def qsize(self) -> int: ...

    def empty(self) -> bool: ...

    def full(self) -> bool: ...


Exceptions = tuple[type[BaseException], ...]


class QueueLikeQueue(Queue):
    """A ``queue.Queue`` look-alike behind chanspec's handles.

    ``full``/``empty`` are the library's exceptions for no room / nothing there (raised by the
    ``*_nowait`` calls, and by ``put``/``get`` when their timeout runs out); ``shut_down`` its
    exceptions for a queue that was shut down; ``shutdown`` its ``shutdown(immediate)``, or
    ``None`` if it has none. The last sender's close shuts down gracefully (receivers drain the
    buffer, then fail), the last receiver's close immediately (the buffer is dropped).
    """

    def __init__(
        self,
        queue: QueueLike,
        capacity: int | None,
        full: Exceptions,
        empty: Exceptions,
        shut_down: Exceptions,
        shutdown: Callable[[bool], None] | None,
    ) -> None:
        self.queue = queue
        self.capacity = capacity
        self._full, self._empty, self._shut_down, self._shutdown = full, empty, shut_down, shutdown

    def try_put(self, message: Any) -> None:
        try:
            self.queue.put_nowait(message)
        except self._full:
            raise errors.Full(message) from None
        except self._shut_down as error:
            raise errors.Disconnected(message) from error

    def put(self, message: Any, timeout: float | None) -> None:
        try:
            self.queue.put(message, timeout=timeout)
        except self._full:
            raise errors.Timeout(message) from None
        except self._shut_down as error:
            raise errors.Disconnected(message) from error

    def try_get(self) -> Any:
        try:
            return self.queue.get_nowait()
        except self._empty:
            raise errors.Empty() from None
        except self._shut_down as error:
            raise errors.Disconnected() from error

    def get(self, timeout: float | None) -> Any:
        try:
            return self.queue.get(timeout=timeout)
        except self._empty:
            raise errors.Timeout() from None
        except self._shut_down as error:
            raise errors.Disconnected() from error

    def length(self) -> int:
        return self.queue.qsize()

    def is_empty(self) -> bool:
        return self.queue.empty()

    def is_full(self) -> bool:
        return self.queue.full()

    def last_sender_closed(self) -> None:
        if self._shutdown is not None:
            self._shutdown(False)

    def last_receiver_closed(self) -> None:
        if self._shutdown is not None:
            self._shutdown(True)
