"""aiochannel (``aiochannel.Channel``) as a chanspec backend, claiming ``asynchronous``.

A ``Channel`` is ``asyncio.Queue`` with Go's ``close()``: bound to the event loop it was made on
and not thread-safe. As for ``asyncio.Queue`` (:mod:`.asyncio_queue`), each channel lives on a
loop of its own in a daemon thread and every call goes there (:mod:`._owner_loop`).

One shared object with no handles: the adapter makes them and counts them (:mod:`._counted`).
Unbounded (``maxsize=0``) and bounded; no rendezvous, so capacity 0 is declared unsupported.

Mapping: ``try_send``/``try_recv`` are ``put_nowait``/``get_nowait`` (``ChannelFull`` -> ``Full``,
``ChannelEmpty`` -> ``Empty``); ``send``/``recv`` (threads) and ``asend``/``arecv`` (tasks) are
``await put(m)``/``await get()`` on the owner loop; ``send_timeout``/``recv_timeout`` are the same
inside ``asyncio.timeout(t)`` (``asyncio.wait_for`` before Python 3.11; running out ->
``Timeout``); ``len``, ``is_empty``,
``is_full`` are ``qsize()``, ``empty()``, ``full()``; ``capacity`` is ``maxsize`` (``None`` when 0).

How the channel ends: ``close()``, the only end there is, is called when the last handle of
either side closes, unless ``closed()`` says it already was (a second ``close()`` raises
``InvalidStateError`` once a blocked put was woken by the first). Puts then raise
``ChannelClosed``, blocked putters wake with it, gets return what is buffered and then raise
it; ``ChannelClosed`` -> ``Disconnected``. There is nothing to drop the buffer when the
receivers are gone: it stays (and ``len`` counts it).
"""

from __future__ import annotations

from typing import Any

import aiochannel

from ..backend import Backend, Capabilities
from ._bridged_queue import BridgedQueue, BridgedSide
from ._counted_async import AsyncReceiver, AsyncSender, Awaited, open_async_handles
from ._owner_loop import AsyncioOwner
from ._queue_like import QueueLikeQueue

_OWNER = AsyncioOwner("chanspec-aiochannel")


def _close_once(channel: aiochannel.Channel[Any]) -> None:
    if not channel.closed():
        channel.close()


def make(capacity: int | None) -> tuple[AsyncSender, AsyncReceiver]:
    """An ``aiochannel.Channel`` of ``maxsize`` ``capacity`` (0 for unbounded), made on its owner loop."""
    channel: aiochannel.Channel[Any] = _OWNER.call(aiochannel.Channel, 0 if capacity is None else capacity)
    bridged = BridgedQueue(_OWNER, channel, aiochannel.ChannelFull, aiochannel.ChannelEmpty)
    closed = (aiochannel.ChannelClosed,)

    def close(immediate: bool) -> None:
        _OWNER.call(_close_once, channel)

    full, empty = (aiochannel.ChannelFull,), (aiochannel.ChannelEmpty,)
    thread_side = QueueLikeQueue(bridged, capacity, full, empty, closed, close)
    return open_async_handles(thread_side, Awaited(BridgedSide(bridged), closed))


backend = Backend("aiochannel", make, Capabilities(zero=False, asynchronous=True))
