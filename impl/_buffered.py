"""What the two buffered flavours (unbounded and bounded) share: a deque of messages that
receives pop without the lock, the queue of parked receivers, and the receiving handle's
introspection and select support.

A receive on either flavour is ready when a message is buffered or every sender is gone; a
select waits on it by registering in ``rx_waiting`` like a parked receive, and a wake-up it
did not use goes to the next parked receiver while messages remain.
"""

from __future__ import annotations

from collections import deque
from typing import Any, NoReturn, TypeVar

from chanspec._validate import deadline_after
from chanspec.errors import HandleClosed

from ._core import ChannelCore, ImplReceiver, ImplSender
from ._waiters import Entry, WaitQueue

T = TypeVar("T")


class ClosedBuffer(deque[Any]):
    """What a closed handle of a buffered channel holds in place of the channel's buffer.

    The lock-free paths touch the buffer only as ``self._queue.append(message)`` or
    ``self._queue.popleft()``: the attribute is loaded and the method called with no thread
    switch and no signal handler between them (CPython switches only at calls, function
    entries and loops, and traces only per line), so the check that the handle is open and
    the append or pop are one step. The close swaps this object in first, under the lock,
    and only then drops the count: a call through the handle either reached the real
    buffer before the close began, or waits here until the close is complete and fails
    with ``HandleClosed`` (a send's message handed back in it).
    """

    __slots__ = ("_chan",)

    def __init__(self, chan: ChannelCore) -> None:
        super().__init__()
        self._chan = chan

    def _after_close(self) -> None:
        lock = self._chan.lock  # read now: a forked child replaces it
        lock.acquire()  # the close holds the lock until it is complete
        lock.release()

    def append(self, message: Any) -> NoReturn:
        self._after_close()
        raise HandleClosed(message)

    def popleft(self) -> NoReturn:
        self._after_close()
        raise HandleClosed()


def buffered_count(handle: BufferedSender[Any] | BufferedReceiver[Any]) -> int:
    """The number of buffered messages, read through the handle in one step, so the count
    was taken before the handle's close began, or the close is waited for and fails it."""
    count = len(queue := handle._queue)
    if type(queue) is ClosedBuffer:
        queue.popleft()  # raises HandleClosed once the close is complete
    return count


class BufferedChannel(ChannelCore):
    """The shared state of a buffered channel: its messages and its parked receivers."""

    __slots__ = ("queue", "rx_waiting")

    def __init__(self, std: bool) -> None:
        super().__init__(std)
        self.queue: deque[Any] = deque()
        self.rx_waiting = WaitQueue()

    def _senders_gone(self) -> None:
        self.rx_waiting.wake_all()

    def sever(self) -> None:
        super().sever()
        self.queue.clear()
        self.rx_waiting.forget()

    def after_append(self) -> None:
        """A sender appended while receivers were parked, or while the last receiver closed."""
        discarded: list[Any] | None = None
        lock = self.lock
        lock.acquire()
        try:
            if self.rx_gone:  # appended after the close emptied the buffer: nobody will read it
                discarded = list(self.queue)
                self.queue.clear()
            elif self.rx_waiting:
                self.rx_waiting.wake_one()
        finally:  # self.unlock(), spelled out on this path, which every waking send takes
            lock.release()
            if self._deferred:
                self._apply_deferred()
        del discarded  # dropped outside the lock

    def pass_on_message(self) -> None:
        """A woken receiver leaves without a message: wake the next one if one is due."""
        self.lock.acquire()
        try:
            if self.queue and self.rx_waiting:
                self.rx_waiting.wake_one()
        finally:
            self.unlock()

    def withdraw_rx(self, entry: Entry) -> None:
        """Remove a parked receiver's entry if it is still registered."""
        self.lock.acquire()
        try:
            self.rx_waiting.discard(entry)
        finally:
            self.unlock()


class BufferedSender(ImplSender[T]):
    """Sending end of a buffered channel: appends through ``_queue`` (the channel's buffer
    until the handle is closed) and introspection of the buffer."""

    __slots__ = ("_queue",)
    _chan: BufferedChannel
    _queue: deque[Any]

    def _seal(self) -> None:
        self._queue = ClosedBuffer(self._chan)

    def __len__(self) -> int:
        """The number of buffered messages (a snapshot; 0 once every receiver is closed)."""
        return buffered_count(self)

    def is_empty(self) -> bool:
        """No message is buffered."""
        return buffered_count(self) == 0


class BufferedReceiver(ImplReceiver[T]):
    """Receiving end of a buffered channel: pops through ``_queue`` (the channel's buffer
    until the handle is closed), introspection of the buffer, and the select hooks."""

    __slots__ = ("_queue",)
    _chan: BufferedChannel
    _queue: deque[Any]

    def _seal(self) -> None:
        self._queue = ClosedBuffer(self._chan)

    def recv_timeout(self, timeout: float) -> T:
        """Like ``recv``, giving up with ``Timeout`` after ``timeout`` seconds. A message that
        is there is always taken, even with a zero timeout."""
        return self.recv_deadline(deadline_after(timeout))

    def __len__(self) -> int:
        """The number of buffered messages (a snapshot)."""
        return buffered_count(self)

    def is_empty(self) -> bool:
        """No message is buffered."""
        return buffered_count(self) == 0

    def _sel_ready(self, thread: int) -> bool:
        return bool(self._queue) or self._chan.tx_gone

    def _sel_register(self, entry: Entry) -> bool:
        chan = self._chan
        chan.lock.acquire()
        try:
            chan.rx_waiting.add(entry)
            return self._closed or bool(self._queue) or chan.tx_gone
        finally:
            chan.unlock()

    def _sel_unregister(self, entry: Entry) -> None:
        self._chan.withdraw_rx(entry)

    def _sel_pass_on(self) -> None:
        self._chan.pass_on_message()
