"""``asyncio.Queue`` (standard library) as a chanspec backend, claiming ``asynchronous``.

An ``asyncio.Queue`` belongs to one event loop and is not thread-safe, so each queue lives on a
loop of its own in a daemon thread, and every call goes there (:mod:`._owner_loop`): threads wait
for the result, tasks of the kit's loops await it. Used from several loops at once, an
``asyncio.Queue`` works only through such a bridge.

Like ``queue.Queue`` it is one shared object with no handles: the adapter makes them and counts
them (:mod:`._counted`). Unbounded (``maxsize=0``) and bounded; no rendezvous (``Queue(1)``
buffers one item), so capacity 0 is declared unsupported.

Mapping: ``try_send``/``try_recv`` are ``put_nowait``/``get_nowait`` (``QueueFull`` -> ``Full``,
``QueueEmpty`` -> ``Empty``); ``send``/``recv`` (threads) and ``asend``/``arecv`` (tasks) are
``await put(m)``/``await get()`` on the owner loop; ``send_timeout``/``recv_timeout`` are the same
inside ``asyncio.timeout(t)`` (``asyncio.wait_for`` before Python 3.11; running out ->
``Timeout``); ``len``, ``is_empty``,
``is_full`` are ``qsize()``, ``empty()``, ``full()``; ``capacity`` is ``maxsize`` (``None`` when 0).
Cancelling an awaiting task cancels the ``put``/``get`` on the owner loop.

How the channel ends. From Python 3.13 the queue has ``shutdown(immediate)``: the last sender's
close calls ``shutdown(immediate=False)`` (gets drain the buffer, then raise ``QueueShutDown``),
the last receiver's ``shutdown(immediate=True)`` (the buffer is dropped, every call raises
``QueueShutDown``); ``QueueShutDown`` -> ``Disconnected``. Before 3.13 nothing can end a queue:
closing the last handle of a side changes nothing, and the check shows a queue that never
disconnects (the capabilities have no field to declare it).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from typing import Any

from ..backend import Backend, Capabilities
from ._bridged_queue import BridgedQueue, BridgedSide
from ._counted_async import AsyncReceiver, AsyncSender, Awaited, open_async_handles
from ._owner_loop import AsyncioOwner
from ._queue_like import Exceptions, QueueLikeQueue

HAS_SHUTDOWN = sys.version_info >= (3, 13)
"""Whether this Python's ``asyncio.Queue`` has ``shutdown()`` (3.13 and later)."""

_OWNER = AsyncioOwner("chanspec-asyncio-queue")


def make(capacity: int | None) -> tuple[AsyncSender, AsyncReceiver]:
    """An ``asyncio.Queue`` of ``maxsize`` ``capacity`` (0 for unbounded), made on its owner loop."""
    queue: asyncio.Queue[Any] = _OWNER.call(asyncio.Queue, 0 if capacity is None else capacity)
    bridged = BridgedQueue(_OWNER, queue, asyncio.QueueFull, asyncio.QueueEmpty)
    shut_down: Exceptions = ()
    shutdown: Callable[[bool], None] | None = None
    if sys.version_info >= (3, 13):
        shut_down = (asyncio.QueueShutDown,)

        def shutdown(immediate: bool) -> None:
            _OWNER.call(queue.shutdown, immediate)

    thread_side = QueueLikeQueue(bridged, capacity, (asyncio.QueueFull,), (asyncio.QueueEmpty,), shut_down, shutdown)
    return open_async_handles(thread_side, Awaited(BridgedSide(bridged), shut_down))


backend = Backend("asyncio.Queue", make, Capabilities(zero=False, asynchronous=True))
