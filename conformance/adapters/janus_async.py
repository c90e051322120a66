"""janus (both sides) as a chanspec backend: threads use ``sync_q``, tasks ``async_q``.

The same queue as :mod:`.janus_queue`, claiming ``asynchronous``: the conformance kit also
awaits ``async_q.put``/``async_q.get`` from tasks on event loops running in their own threads
(in the histories phase, two loops at once), and cancels some of those tasks.
``AsyncQueueShutDown`` becomes ``Disconnected``. No rendezvous (capacity 0 is unbounded in
janus), so capacity 0 is declared unsupported.
"""

from __future__ import annotations

from typing import Any

import janus

from ..backend import Backend, Capabilities
from ._counted_async import AsyncReceiver, AsyncSender, Awaited, open_async_handles
from ._queue_like import QueueLikeQueue


def make(capacity: int | None) -> tuple[AsyncSender, AsyncReceiver]:
    """A ``janus.Queue`` of ``maxsize`` ``capacity`` (0 for unbounded), both sides in use."""
    mixed: janus.Queue[Any] = janus.Queue(0 if capacity is None else capacity)
    thread_side = QueueLikeQueue(
        mixed.sync_q,
        capacity,
        (janus.SyncQueueFull,),
        (janus.SyncQueueEmpty,),
        (janus.SyncQueueShutDown,),
        lambda immediate: mixed.shutdown(immediate=immediate),
    )
    return open_async_handles(thread_side, Awaited(mixed.async_q, (janus.AsyncQueueShutDown,)))


backend = Backend("janus-async", make, Capabilities(zero=False, asynchronous=True))
