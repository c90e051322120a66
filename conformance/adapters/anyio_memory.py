"""anyio memory object streams (``anyio.create_memory_object_stream``) on the asyncio backend, as
a chanspec backend claiming ``asynchronous``.

anyio's streams are trio's memory channels carried over to asyncio: a send stream and a receive
stream, each cloned and closed one by one and counted by anyio. When every send stream is closed,
receivers get the buffer and then ``EndOfStream``; when every receive stream is closed, sends
raise ``BrokenResourceError`` (unlike trio, anyio keeps the buffer, and ``statistics()`` counts
it). Buffer 0 is a rendezvous, ``math.inf`` unbounded. A closed clone raises
``ClosedResourceError``.

They are bound to the event loop running them and not thread-safe: every channel of this backend
lives on one asyncio loop in a daemon thread, and every call goes there (:mod:`._owner_loop`).
A task of another loop that awaits a call and is cancelled cancels it with anyio's own means: the
call runs in an ``anyio.CancelScope`` on the owner, and the cancellation is ``scope.cancel()``.
The handles are those of :mod:`._streams`: ``WouldBlock`` -> ``Full``/``Empty``,
``BrokenResourceError``/``EndOfStream`` -> ``Disconnected``, ``ClosedResourceError`` ->
``HandleClosed``; timeouts are ``anyio.move_on_after``.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable
from typing import Any

import anyio

from ..backend import Backend, Capabilities
from ._owner_loop import AsyncioOwner, Outcome
from ._streams import EXPIRED, Library, Receiver, Sender, open_ends


class AnyioOwner(AsyncioOwner):
    """An asyncio loop whose awaited calls run in an anyio cancel scope, cancelled through it."""

    def start(self, function: Callable[..., Awaitable[Any]], *args: Any) -> tuple[Outcome[Any], Callable[[], None]]:
        scope = anyio.CancelScope()

        async def scoped() -> Any:
            with scope:
                return await function(*args)
            raise asyncio.CancelledError  # the scope caught its cancellation: the call was withdrawn

        def cancel() -> None:
            self.loop.call_soon_threadsafe(scope.cancel)

        outcome, _ = super().start(scoped)
        return outcome, cancel


_OWNER = AnyioOwner("chanspec-anyio")


async def _within(timeout: float | None, operation: Callable[..., Awaitable[Any]], *args: Any) -> Any:
    with anyio.move_on_after(math.inf if timeout is None else timeout):
        return await operation(*args)
    return EXPIRED


ANYIO = Library(
    would_block=(anyio.WouldBlock,),
    broken=(anyio.BrokenResourceError,),
    end=(anyio.EndOfStream,),
    closed=(anyio.ClosedResourceError,),
    within=_within,
)


def make(capacity: int | None) -> tuple[Sender, Receiver]:
    """``anyio.create_memory_object_stream(capacity)`` (``math.inf`` when ``capacity`` is ``None``)."""
    size: float = math.inf if capacity is None else capacity
    return open_ends(_OWNER.call(anyio.create_memory_object_stream, size), _OWNER, ANYIO)


backend = Backend("anyio", make, Capabilities(asynchronous=True))
