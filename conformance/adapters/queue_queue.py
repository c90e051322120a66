"""``queue.Queue`` (standard library) as a chanspec backend.

``queue.Queue`` is one object shared by producers and consumers; it has no handles, so the
adapter makes them and counts them (see :mod:`._counted`). Unbounded (``maxsize=0``) and bounded
queues are checked; there is no rendezvous (``Queue(1)`` still buffers one item), so capacity 0 is
declared unsupported.

How the channel ends. From Python 3.13 a queue can be shut down, and that is what a user does
when the producers or the consumers are done (keeping their own count of them, as this adapter
does):

- the last sender's close calls ``shutdown(immediate=False)``: further puts raise ``ShutDown``,
  blocked putters wake with it, gets return what is buffered and then raise ``ShutDown``, and
  blocked getters wake;
- the last receiver's close calls ``shutdown(immediate=True)``: the buffer is dropped, and every
  put and get raises ``ShutDown`` at once, blocked ones included.

``ShutDown`` becomes ``Disconnected`` (or ``HandleClosed`` when the call's own handle was closed
meanwhile). Before Python 3.13 there is no ``shutdown``: closing the last handle of a side changes
nothing in the queue, and the check shows what that means (a queue that never disconnects); the
capabilities have no field to declare it.

Mapping: ``try_send``/``try_recv`` are ``put_nowait``/``get_nowait`` (``queue.Full`` ->
``Full``, ``queue.Empty`` -> ``Empty``); ``send_timeout``/``recv_timeout`` are ``put``/``get``
with ``timeout`` (the library's ``Full``/``Empty`` after a wait -> ``Timeout``); ``send``/``recv``
are ``put``/``get`` that wait for ever; ``len``, ``is_empty``, ``is_full`` are ``qsize()``,
``empty()``, ``full()``; ``capacity`` is ``maxsize`` (``None`` when 0).
"""

from __future__ import annotations

import queue
import sys
from collections.abc import Callable
from typing import Any

from ..backend import Backend, Capabilities
from ._counted import Receiver, Sender, open_handles
from ._queue_like import Exceptions, QueueLikeQueue

HAS_SHUTDOWN = sys.version_info >= (3, 13)
"""Whether this Python's ``queue.Queue`` has ``shutdown()`` (3.13 and later)."""


def make(capacity: int | None) -> tuple[Sender, Receiver]:
    """A ``queue.Queue`` of ``maxsize`` ``capacity`` (0 for unbounded), with one handle per side."""
    std: queue.Queue[Any] = queue.Queue(0 if capacity is None else capacity)
    shut_down: Exceptions = ()
    shutdown: Callable[[bool], None] | None = None
    if sys.version_info >= (3, 13):
        shut_down, shutdown = (queue.ShutDown,), std.shutdown
    return open_handles(QueueLikeQueue(std, capacity, (queue.Full,), (queue.Empty,), shut_down, shutdown))


backend = Backend("queue.Queue", make, Capabilities(zero=False))
