"""An asyncio queue look-alike (``asyncio.Queue``, ``aiochannel.Channel``) behind counted handles,
every call confined to the loop that owns it (:mod:`._owner_loop`).

Such queues have ``put_nowait``/``get_nowait``, awaitable ``put``/``get``, ``qsize``/``empty``/
``full``. :class:`BridgedQueue` gives them the blocking face of ``queue.Queue`` for threads, so
:class:`._queue_like.QueueLikeQueue` serves them unchanged: ``put``/``get`` are the awaited calls
run on the owner and waited for; with a timeout they run inside ``asyncio.timeout(t)`` (Python
3.11 and later; ``asyncio.wait_for`` before), and the time running out raises the library's
"full"/"empty" exception, as ``queue.Queue`` does.
:class:`BridgedSide` is the async side for tasks of other loops.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from ._owner_loop import Owner, awaited

_EXPIRED = object()


class AsyncQueue(Protocol):
    """What this module uses of an asyncio queue look-alike."""

    async def put(self, item: Any) -> None: ...

    async def get(self) -> Any: ...

    def put_nowait(self, item: Any) -> None: ...

    def get_nowait(self) -> Any: ...

    def qsize(self) -> int: ...

    def empty(self) -> bool: ...

    def full(self) -> bool: ...


async def _within(timeout: float | None, operation: Callable[..., Awaitable[Any]], *args: Any) -> Any:
    """``await operation(*args)`` bounded by ``timeout`` seconds; ``_EXPIRED`` if it ran out."""
    if timeout is None:
        return await operation(*args)
    try:
        if sys.version_info >= (3, 11):
            async with asyncio.timeout(timeout):
                return await operation(*args)
        # wait_for runs the call as a task of its own, cancelled before its first step when the
        # timeout is 0: such a call never tries
        return await asyncio.wait_for(operation(*args), timeout)
    except asyncio.TimeoutError:
        return _EXPIRED


class BridgedQueue:
    """``queue`` on ``owner``, with the thread face of ``queue.Queue`` (see the module docstring);
    ``full``/``empty`` are the exceptions to raise when a timed put/get runs out of time."""

    def __init__(self, owner: Owner, queue: AsyncQueue, full: type[Exception], empty: type[Exception]) -> None:
        self.owner, self.queue, self._full, self._empty = owner, queue, full, empty

    def put(self, item: Any, block: bool = True, timeout: float | None = None) -> None:
        if not block:
            return self.put_nowait(item)
        if self.owner.wait(_within, timeout, self.queue.put, item) is _EXPIRED:
            raise self._full

    def put_nowait(self, item: Any) -> None:
        self.owner.call(self.queue.put_nowait, item)

    def get(self, block: bool = True, timeout: float | None = None) -> Any:
        if not block:
            return self.get_nowait()
        item = self.owner.wait(_within, timeout, self.queue.get)
        if item is _EXPIRED:
            raise self._empty
        return item

    def get_nowait(self) -> Any:
        return self.owner.call(self.queue.get_nowait)

    def qsize(self) -> int:
        return self.owner.call(self.queue.qsize)

    def empty(self) -> bool:
        return self.owner.call(self.queue.empty)

    def full(self) -> bool:
        return self.owner.call(self.queue.full)


class BridgedSide:
    """The async side of a :class:`BridgedQueue`: ``put``/``get`` awaited from other loops' tasks."""

    def __init__(self, bridged: BridgedQueue) -> None:
        self.bridged = bridged

    async def put(self, item: Any) -> None:
        await awaited(self.bridged.owner, self.bridged.queue.put, item)

    async def get(self) -> Any:
        return await awaited(self.bridged.owner, self.bridged.queue.get)
