"""Awaited calls for the counted handles of :mod:`._counted`: a library's async side.

Libraries such as janus and culsans put a thread side (``sync_q``) and an async side
(``async_q``) on one queue. The counted handles keep driving the thread side; these subclasses
add ``asend``/``arecv`` through the async side's ``put``/``get``, so that the conformance kit
can issue calls from tasks beside threads (the backend claims ``asynchronous``). The library's
"shut down" exceptions become ``Disconnected`` (``HandleClosed`` when the call's own handle
was closed meanwhile), exactly as on the thread side. Cancellation is the library's own.
"""

from __future__ import annotations

from typing import Any, Protocol

from ... import errors
from ._counted import Queue, Receiver, Sender, _Link
from ._queue_like import Exceptions


class AsyncSide(Protocol):
    """The async side of a mixed queue: what ``asend``/``arecv`` need."""

    async def put(self, item: Any) -> None: ...

    async def get(self) -> Any: ...


class Awaited:
    """A queue's async side, with the exceptions it raises once the queue was shut down."""

    def __init__(self, side: AsyncSide, shut_down: Exceptions) -> None:
        self.side = side
        self.shut_down = shut_down


class AsyncSender(Sender):
    """A counted sender that can also ``await asend(message)``."""

    __slots__ = ("_awaited",)

    def __init__(self, link: _Link, awaited: Awaited) -> None:
        super().__init__(link)
        self._awaited = awaited

    async def asend(self, message: Any) -> None:
        self._guard(message)
        try:
            await self._awaited.side.put(message)
        except self._awaited.shut_down:
            self._ended(errors.Disconnected(message))

    def clone(self) -> AsyncSender:
        return AsyncSender(super().clone()._link, self._awaited)


class AsyncReceiver(Receiver):
    """A counted receiver that can also ``await arecv()``."""

    __slots__ = ("_awaited",)

    def __init__(self, link: _Link, awaited: Awaited) -> None:
        super().__init__(link)
        self._awaited = awaited

    async def arecv(self) -> Any:
        self._guard()
        try:
            return await self._awaited.side.get()
        except self._awaited.shut_down:
            self._ended(errors.Disconnected())

    def clone(self) -> AsyncReceiver:
        return AsyncReceiver(super().clone()._link, self._awaited)


def open_async_handles(queue: Queue, awaited: Awaited) -> tuple[AsyncSender, AsyncReceiver]:
    """One sender and one receiver on ``queue``, whose awaited calls use ``awaited``."""
    link = _Link(queue)
    return AsyncSender(link, awaited), AsyncReceiver(link, awaited)
