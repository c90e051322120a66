"""culsans (``culsans.Queue``, through its thread face ``sync_q``) as a chanspec backend.

culsans is a janus-compatible mixed queue built on aiologic: one object with thread, asyncio and
green faces, created anywhere (no event loop needed). The adapter uses the thread face only. It
has no handles, so the adapter makes them and counts them (see :mod:`._counted`); culsans has a
``shutdown(immediate)`` with the semantics of Python 3.13's ``queue.Queue``, and a user ends a
culsans queue with it when the producers or the consumers are done, as the adapter does:

- the last sender's close calls ``shutdown(immediate=False)``: puts raise
  ``culsans.SyncQueueShutDown`` (blocked ones too), gets drain the buffer and then raise it;
- the last receiver's close calls ``shutdown(immediate=True)``: the buffer is dropped and every
  put and get raises at once.

``SyncQueueShutDown`` becomes ``Disconnected`` (``HandleClosed`` when the call's own handle was
closed meanwhile). Unbounded (``maxsize=0``) and bounded queues; no rendezvous (capacity 0 is
declared unsupported).

Mapping: ``try_send``/``try_recv`` are ``put_nowait``/``get_nowait`` (``SyncQueueFull`` ->
``Full``, ``SyncQueueEmpty`` -> ``Empty``); ``send_timeout``/``recv_timeout`` are ``put``/``get``
with ``timeout`` (``SyncQueueFull``/``SyncQueueEmpty`` after a wait -> ``Timeout``);
``send``/``recv`` wait for ever; ``len``, ``is_empty``, ``is_full`` are ``qsize()``, ``empty()``,
``full()``; ``capacity`` is ``maxsize`` (``None`` when 0).
"""

from __future__ import annotations

from typing import Any

import culsans

from ..backend import Backend, Capabilities
from ._counted import Receiver, Sender, open_handles
from ._queue_like import QueueLikeQueue


def make(capacity: int | None) -> tuple[Sender, Receiver]:
    """A ``culsans.Queue`` of ``maxsize`` ``capacity`` (0 for unbounded), used through ``sync_q``."""
    mixed: culsans.Queue[Any] = culsans.Queue(0 if capacity is None else capacity)
    return open_handles(
        QueueLikeQueue(
            mixed.sync_q,
            capacity,
            (culsans.SyncQueueFull,),
            (culsans.SyncQueueEmpty,),
            (culsans.SyncQueueShutDown,),
            lambda immediate: mixed.shutdown(immediate=immediate),
        )
    )


backend = Backend("culsans", make, Capabilities(zero=False))
