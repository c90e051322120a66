"""A small channel that is correct on purpose, written so that one bug can be seeded at a time.

Every channel has one ``threading.Condition``; its lock guards all of the
channel's state, and every blocked call waits on it in a loop that re-checks
its guards, in the specification's order, after each wake-up. Whoever changes
something a blocked call may be waiting for (a message, a free slot, a
rendezvous partner, a closed handle, a disconnection) notifies every waiter.

At capacity 0 there is no buffer: a receiver that has to wait registers a
:class:`Slot` that an arriving sender fills, and a sender that has to wait
registers an :class:`Offer` that an arriving receiver takes. The arriving call
completes both calls at once, under the lock.

The steps a bug may change are small methods of :class:`ZooChannel` (the
hooks, all called with the lock held); each member of the zoo
(:mod:`tests.zoo.bugs`) overrides one of them. The handles are duck-typed: they
have the public methods of :class:`chanspec.Sender`/:class:`chanspec.Receiver`
and raise :mod:`chanspec.errors` exceptions, which is all the conformance kit
needs.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from chanspec._validate import check_capacity, check_deadline, deadline_after
from chanspec.errors import NO_MESSAGE, Disconnected, Empty, Full, HandleClosed, Timeout


class Handle:
    """One handle's hold on a channel: its side, whether it was closed, and how many calls
    are blocked on it (a close must wake those)."""

    def __init__(self, channel: ZooChannel, is_sender: bool) -> None:
        self.channel = channel
        self.is_sender = is_sender
        self.closed = False
        self.blocked = 0

    def clone(self) -> Handle:
        """A new handle on the same side; the channel stays connected while any is open."""
        return self.channel.clone(self)

    def close(self) -> None:
        """Give up this handle (idempotent). The last sender's close wakes every blocked
        receiver; the last receiver's close discards the buffered messages and wakes every
        blocked sender. A call blocked on this handle wakes with ``HandleClosed``."""
        self.channel.close(self)

    def same_channel(self, other: object) -> bool:
        """Whether ``other`` is a handle of the same channel (also once closed)."""
        return isinstance(other, Handle) and other.channel is self.channel

    def __len__(self) -> int:
        """The number of buffered messages (0 at capacity 0)."""
        return self.channel.length(self)

    def is_empty(self) -> bool:
        """No message is buffered (always true at capacity 0)."""
        return self.channel.length(self) == 0

    def is_full(self) -> bool:
        """The buffer is at capacity (always true at capacity 0, never when unbounded)."""
        length, capacity = self.channel.length(self), self.channel.capacity
        return capacity is not None and length >= capacity

    @property
    def capacity(self) -> int | None:
        """``None`` when unbounded, 0 for a rendezvous; answers on a closed handle too."""
        return self.channel.capacity


class ZooSender(Handle):
    """The sending end. A blocked send waits for room, a receiver (capacity 0), a close of
    this handle or of the last receiver (then its message comes back in the error)."""

    def send(self, message: Any) -> None:
        self.channel.send(self, message, math.inf)

    def try_send(self, message: Any) -> None:
        self.channel.try_send(self, message)

    def send_timeout(self, message: Any, timeout: float) -> None:
        self.channel.send(self, message, self.channel.deadline_after(timeout))

    def send_deadline(self, message: Any, deadline: float) -> None:
        self.channel.send(self, message, check_deadline(deadline))


class ZooReceiver(Handle):
    """The receiving end. A blocked receive waits for a message, a sender (capacity 0), a
    close of this handle or of the last sender; buffered messages come first."""

    def recv(self) -> Any:
        return self.channel.recv(self, math.inf)

    def try_recv(self) -> Any:
        return self.channel.try_recv(self)

    def recv_timeout(self, timeout: float) -> Any:
        return self.channel.recv(self, self.channel.deadline_after(timeout))

    def recv_deadline(self, deadline: float) -> Any:
        return self.channel.recv(self, check_deadline(deadline))


class Slot:
    """A receiver waiting at a rendezvous; a sender fills it with its message."""

    def __init__(self, handle: Handle) -> None:
        self.handle = handle
        self.filled = False
        self.message: Any = None


class Offer:
    """A sender waiting at a rendezvous with its message; a receiver takes it."""

    def __init__(self, handle: Handle, message: Any) -> None:
        self.handle = handle
        self.message = message
        self.taken = False


class ZooChannel:
    """The shared state of one channel and its operations."""

    def __init__(self, capacity: int | None) -> None:
        self.capacity = capacity
        self.cond = threading.Condition()
        self.buffer: deque[Any] = deque()
        self.senders = 1
        self.receivers = 1
        self.waiting_receivers: list[Slot] = []
        self.waiting_senders: list[Offer] = []

    # Sending -------------------------------------------------------------------------------

    def try_send(self, handle: Handle, message: Any) -> None:
        self.send(handle, message, None)

    def send(self, handle: Handle, message: Any, deadline: float | None) -> None:
        """Send, waiting until ``deadline`` (``math.inf``: for ever, ``None``: not at all)."""
        with self.cond:
            if self.send_now(handle, message):
                return
            if deadline is None:
                raise Full(message)
            if self.capacity == 0:
                self.wait_for_receiver(handle, message, deadline)
                return
            handle.blocked += 1
            try:
                while True:
                    self.wait(deadline, message)
                    if self.send_now(handle, message):
                        return
            finally:
                handle.blocked -= 1

    def send_now(self, handle: Handle, message: Any) -> bool:
        """Complete the send now if it can, raise if it fails, or say it must wait."""
        if handle.closed:
            raise HandleClosed(message)
        if self.receivers == 0:
            raise Disconnected(message)
        if self.has_room():
            self.append(message)
            return True
        return self.capacity == 0 and self.hand_to_receiver(message)

    def wait_for_receiver(self, handle: Handle, message: Any, deadline: float) -> None:
        """A rendezvous send waits, with an offer, until a receiver takes the message."""
        offer = Offer(handle, message)
        self.waiting_senders.append(offer)
        handle.blocked += 1
        try:
            while not offer.taken:
                if handle.closed:
                    raise HandleClosed(message)
                if self.receivers == 0:
                    raise Disconnected(message)
                self.wait(deadline, message)
        finally:
            handle.blocked -= 1
            if not offer.taken:
                self.waiting_senders.remove(offer)

    # Receiving -----------------------------------------------------------------------------

    def try_recv(self, handle: Handle) -> Any:
        return self.recv(handle, None)

    def recv(self, handle: Handle, deadline: float | None) -> Any:
        """Receive, waiting until ``deadline`` (``math.inf``: for ever, ``None``: not at all)."""
        with self.cond:
            done, message = self.recv_now(handle)
            if done:
                return message
            if deadline is None:
                raise Empty()
            if self.capacity == 0:
                return self.wait_for_sender(handle, deadline)
            handle.blocked += 1
            try:
                while True:
                    self.wait(deadline)
                    done, message = self.recv_now(handle)
                    if done:
                        return message
            finally:
                handle.blocked -= 1

    def recv_now(self, handle: Handle) -> tuple[bool, Any]:
        """Receive now if possible (``(True, message)``), raise if it fails, or say it must wait."""
        if handle.closed:
            raise HandleClosed()
        if self.buffer:
            return True, self.take()
        if self.senders == 0:
            raise Disconnected()
        if self.capacity == 0:
            return self.take_from_sender()
        return False, None

    def wait_for_sender(self, handle: Handle, deadline: float) -> Any:
        """A rendezvous receive waits, with a slot, until a sender fills it."""
        slot = Slot(handle)
        self.waiting_receivers.append(slot)
        handle.blocked += 1
        try:
            while not slot.filled:
                if handle.closed:
                    raise HandleClosed()
                if self.senders == 0:
                    raise Disconnected()
                self.wait(deadline)
            return slot.message
        finally:
            handle.blocked -= 1
            self.withdraw(slot)

    # Hooks: the steps a bug may change (all called with the lock held) -----------------------

    def has_room(self) -> bool:
        """A send can add its message to the buffer now (never at capacity 0)."""
        return self.capacity is None or len(self.buffer) < self.capacity

    def append(self, message: Any) -> None:
        """The message joins the back of the buffer; blocked receivers are woken."""
        self.buffer.append(message)
        self.cond.notify_all()

    def take(self) -> Any:
        """The oldest message leaves the buffer; blocked senders are woken (a slot is free)."""
        message = self.buffer.popleft()
        self.cond.notify_all()
        return message

    def hand_to_receiver(self, message: Any) -> bool:
        """At capacity 0: give the message to the oldest receiver waiting on an open handle."""
        for slot in self.waiting_receivers:
            if not slot.handle.closed:
                self.waiting_receivers.remove(slot)
                slot.message, slot.filled = message, True
                self.cond.notify_all()
                return True
        return False

    def take_from_sender(self) -> tuple[bool, Any]:
        """At capacity 0: take the message of the oldest sender waiting on an open handle."""
        for offer in self.waiting_senders:
            if not offer.handle.closed:
                self.waiting_senders.remove(offer)
                offer.taken = True
                self.cond.notify_all()
                return True, offer.message
        return False, None

    def withdraw(self, slot: Slot) -> None:
        """A rendezvous receive that leaves without a message takes its slot back."""
        if not slot.filled:
            self.waiting_receivers.remove(slot)

    def release_sender(self, handle: Handle) -> None:
        """A sender is closed: the last one wakes every blocked receiver, any one the calls
        blocked on it."""
        self.senders -= 1
        if self.senders == 0 or handle.blocked:
            self.cond.notify_all()

    def release_receiver(self, handle: Handle) -> None:
        """A receiver is closed: the last one discards the buffer and wakes every blocked
        sender, any one the calls blocked on it."""
        self.receivers -= 1
        if self.receivers == 0:
            self.buffer = deque()
        if self.receivers == 0 or handle.blocked:
            self.cond.notify_all()

    def count_clone(self, handle: Handle) -> None:
        """One more open handle on ``handle``'s side."""
        if handle.is_sender:
            self.senders += 1
        else:
            self.receivers += 1

    def deadline_after(self, timeout: float) -> float:
        """The ``time.monotonic()`` deadline of a timed call (validated; ``math.inf``: none)."""
        return deadline_after(timeout)

    def wait(self, deadline: float, message: Any = NO_MESSAGE) -> None:
        """Wait for a notification, or raise ``Timeout`` (with the sender's ``message``) once
        ``deadline`` has passed. The caller re-checks everything afterwards."""
        if deadline == math.inf:
            self.cond.wait()
            return
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise Timeout(message)
        self.cond.wait(min(remaining, threading.TIMEOUT_MAX))

    # Handles and introspection ---------------------------------------------------------------

    def clone(self, handle: Handle) -> Handle:
        with self.cond:
            if handle.closed:
                raise HandleClosed()
            self.count_clone(handle)
            return (ZooSender if handle.is_sender else ZooReceiver)(self, handle.is_sender)

    def close(self, handle: Handle) -> None:
        with self.cond:
            if handle.closed:
                return
            handle.closed = True
            if handle.is_sender:
                self.release_sender(handle)
            else:
                self.release_receiver(handle)

    def length(self, handle: Handle) -> int:
        with self.cond:
            if handle.closed:
                raise HandleClosed()
            return len(self.buffer)


Factory = Callable[[int | None], tuple[ZooSender, ZooReceiver]]


def factory(channel_type: type[ZooChannel]) -> Factory:
    """``make(capacity)`` for channels of ``channel_type``: the form the conformance kit loads."""

    def make(capacity: int | None) -> tuple[ZooSender, ZooReceiver]:
        channel = channel_type(None if capacity is None else check_capacity(capacity))
        return ZooSender(channel, True), ZooReceiver(channel, False)

    return make


make = factory(ZooChannel)
"""The correct channel, as a conformance backend (``chanspec check tests.zoo.base:make``)."""
