"""aiologic's queues (``aiologic.SimpleQueue`` unbounded, ``aiologic.Queue(n)`` bounded) as a
chanspec backend, through their thread ("green") face.

aiologic queues are usable from threads and from any async library at once. Each is one object
shared by producers and consumers, with no handles and no way to end: no close, no shutdown. The
adapter makes the handles (see :mod:`._counted`); each one knows whether it was closed, but
closing the last handle of a side cannot tell the queue anything, so the channel never
disconnects. ``aiologic.Queue`` needs ``maxsize >= 1``: there is no rendezvous (capacity 0 is
declared unsupported).

Mapping: ``try_send`` is ``green_put(m, blocking=False)`` (``QueueFull`` -> ``Full``),
``send_timeout`` is ``green_put(m, timeout=...)`` (``QueueFull`` -> ``Timeout``), ``send`` is
``green_put(m)``; the receive side likewise with ``green_get`` and ``QueueEmpty``; ``len`` is
``len(queue)``, ``is_empty``/``is_full`` compare it with ``maxsize`` (aiologic has no such
methods); ``capacity`` is the ``maxsize`` asked for.
"""

from __future__ import annotations

from typing import Any

import aiologic

from ... import errors
from ..backend import Backend, Capabilities
from ._counted import Queue, Receiver, Sender, open_handles


class _AiologicQueue(Queue):
    def __init__(self, capacity: int | None) -> None:
        self.capacity = capacity
        self.queue: aiologic.SimpleQueue[Any] | aiologic.Queue[Any] = (
            aiologic.SimpleQueue() if capacity is None else aiologic.Queue(capacity)
        )

    def try_put(self, message: Any) -> None:
        try:
            self.queue.green_put(message, blocking=False)
        except aiologic.QueueFull:
            raise errors.Full(message) from None

    def put(self, message: Any, timeout: float | None) -> None:
        try:
            self.queue.green_put(message, timeout=timeout)
        except aiologic.QueueFull:
            raise errors.Timeout(message) from None

    def try_get(self) -> Any:
        try:
            return self.queue.green_get(blocking=False)
        except aiologic.QueueEmpty:
            raise errors.Empty() from None

    def get(self, timeout: float | None) -> Any:
        try:
            return self.queue.green_get(timeout=timeout)
        except aiologic.QueueEmpty:
            raise errors.Timeout() from None

    def length(self) -> int:
        return len(self.queue)

    def last_sender_closed(self) -> None:
        """aiologic queues cannot be ended."""

    def last_receiver_closed(self) -> None:
        """aiologic queues cannot be ended."""


def make(capacity: int | None) -> tuple[Sender, Receiver]:
    """An ``aiologic.SimpleQueue`` (``capacity`` ``None``) or ``aiologic.Queue(capacity)``."""
    if capacity == 0:
        raise ValueError("aiologic queues have no rendezvous (maxsize must be >= 1)")
    return open_handles(_AiologicQueue(capacity))


backend = Backend("aiologic", make, Capabilities(zero=False))
