"""``queue.SimpleQueue`` (standard library) as a chanspec backend.

``SimpleQueue`` is unbounded only, shared by producers and consumers, and has no way to end: no
close, no shutdown (not even in Python 3.13). The adapter makes the handles (see
:mod:`._counted`); each one knows whether it was closed, but closing the last handle of a side
cannot tell the queue anything, so the channel never disconnects. Users of ``SimpleQueue`` signal
the end in-band (a sentinel item), which is outside what a channel check can see.

Mapping: ``send``/``try_send``/``send_timeout`` are ``put`` (it never blocks: its ``block`` and
``timeout`` arguments are ignored by the library); ``recv`` is ``get()``, ``try_recv`` is
``get_nowait()`` (``queue.Empty`` -> ``Empty``), ``recv_timeout`` is ``get(timeout=...)``
(``queue.Empty`` -> ``Timeout``); ``len`` and ``is_empty`` are ``qsize()`` and ``empty()``;
``is_full`` is always false and ``capacity`` is ``None``.
"""

from __future__ import annotations

import queue
from typing import Any

from ... import errors
from ..backend import Backend, Capabilities
from ._counted import Queue, Receiver, Sender, open_handles


class _SimpleQueue(Queue):
    def __init__(self) -> None:
        self.capacity = None
        self.queue: queue.SimpleQueue[Any] = queue.SimpleQueue()

    def try_put(self, message: Any) -> None:
        self.queue.put_nowait(message)

    def put(self, message: Any, timeout: float | None) -> None:
        self.queue.put(message)

    def try_get(self) -> Any:
        try:
            return self.queue.get_nowait()
        except queue.Empty:
            raise errors.Empty() from None

    def get(self, timeout: float | None) -> Any:
        try:
            return self.queue.get(timeout=timeout)
        except queue.Empty:
            raise errors.Timeout() from None

    def length(self) -> int:
        return self.queue.qsize()

    def is_empty(self) -> bool:
        return self.queue.empty()

    def is_full(self) -> bool:
        return False

    def last_sender_closed(self) -> None:
        """``SimpleQueue`` cannot be ended."""

    def last_receiver_closed(self) -> None:
        """``SimpleQueue`` cannot be ended."""


def make(capacity: int | None) -> tuple[Sender, Receiver]:
    """An unbounded ``SimpleQueue`` with one handle per side (``capacity`` must be ``None``)."""
    if capacity is not None:
        raise ValueError("queue.SimpleQueue is unbounded only")
    return open_handles(_SimpleQueue())


backend = Backend("queue.SimpleQueue", make, Capabilities(bounded=False, zero=False))
