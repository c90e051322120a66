"""The bounded flavour (capacity >= 1): a deque of messages and a deque of free slots.

Room is counted by slot tokens: a send pops one from ``slots`` before it
appends its message, a receive pops a message and then gives a slot back. Both
are single atomic deque operations, so neither fast path takes the lock, and
the buffer can never hold more than ``capacity`` messages.

No lost wake-up, on either side: a parked receiver registers and then looks at
the messages once more, a sender appends and then looks at the parked
receivers; a parked sender registers and then looks at the slots once more, a
receiver returns a slot and then looks at the parked senders.

Hand-offs save rounds of sleeping at small capacities. A send that finds the
buffer empty and a receiver parked gives the message straight to it (the
send and that receive complete together; the slot stays free). A receive that
frees a slot while a sender is parked completes that send: it moves the parked
message into the buffer and wakes the sender with its send done. Otherwise a
wake-up (``WOKEN``) means "look again": one new message wakes at most one
parked receiver, and a woken receiver that takes nothing passes it on.
"""

from __future__ import annotations

import math
import time
from collections import deque
from typing import Any, TypeVar

from chanspec._validate import check_deadline, deadline_after
from chanspec.errors import Disconnected, Empty, Full, HandleClosed, Timeout

from ._core import Attempt, ChannelCore, ImplReceiver, ImplSender
from ._waiters import TAKEN, WOKEN, Entry, WaitQueue, lease_token, park, return_token

T = TypeVar("T")


def take_slot(slots: deque[None]) -> bool:
    """Claim a free slot if there is one (lock-free senders may take the last one first)."""
    if slots:
        try:
            slots.pop()
        except IndexError:
            return False
        return True
    return False


class ArrayChannel(ChannelCore):
    """The shared state of one bounded channel."""

    __slots__ = ("capacity", "queue", "rx_waiting", "slots", "tx_waiting")

    def __init__(self, capacity: int, std: bool) -> None:
        super().__init__(std)
        self.capacity = capacity
        self.queue: deque[Any] = deque()
        self.slots: deque[None] = deque([None] * capacity)  # free room; claimed before an append
        self.rx_waiting = WaitQueue()
        self.tx_waiting = WaitQueue()  # parked senders, each entry carrying its message

    def _senders_gone(self) -> None:
        self.rx_waiting.wake_all()

    def _receivers_gone(self) -> list[Any]:
        discarded = list(self.queue)
        self.queue.clear()
        self.tx_waiting.wake_all()
        return discarded

    def _wake_handle(self, handle: object) -> None:
        self.rx_waiting.wake_handle(handle)
        self.tx_waiting.wake_handle(handle)

    # Sending ------------------------------------------------------------------------------

    def deliver(self, message: Any) -> None:
        """Put ``message`` in the buffer; the caller holds a slot for it."""
        if self.rx_waiting:
            self.hand_off(message)
            return
        self.queue.append(message)
        if self.rx_waiting or self.rx_gone:
            self.after_append()

    def hand_off(self, message: Any) -> None:
        """Deliver ``message`` (a slot in hand) while receivers are parked."""
        self.lock.acquire()
        try:
            if self.rx_gone:
                self.slots.append(None)
                raise Disconnected(message)
            self.place_locked(message)
        finally:
            self.unlock()

    def place_locked(self, message: Any) -> None:
        """Under the lock, with a slot in hand: give ``message`` to the oldest parked receiver if
        the buffer is empty (the slot is then free again), else append it and wake one."""
        if not self.queue:
            receiver = self.rx_waiting.hand_over(message, 0)
            if receiver is not None:
                receiver.token.wake()
                self.slots.append(None)
                if self.tx_waiting:
                    self.complete_senders_locked()
                return
        self.queue.append(message)
        if self.rx_waiting:
            self.rx_waiting.wake_one()

    def after_append(self) -> None:
        """A sender appended while receivers were parked, or while the last receiver closed."""
        discarded: list[Any] = []
        self.lock.acquire()
        try:
            if self.rx_gone:  # appended after the close emptied the buffer: nobody will read it
                discarded = list(self.queue)
                self.queue.clear()
            elif self.rx_waiting:
                self.rx_waiting.wake_one()
        finally:
            self.unlock()
        del discarded

    def send_wait(self, handle: BoundedSender[Any], message: Any, deadline: float) -> None:
        """The send slow path: claim a slot, or park until a receive completes this send."""
        slots = self.slots
        while True:
            self.lock.acquire()
            try:
                if handle._closed:
                    raise HandleClosed(message)
                if self.rx_gone:
                    raise Disconnected(message)
                if take_slot(slots):
                    break
                if deadline != math.inf and time.monotonic() >= deadline:
                    raise Timeout(message)
                token = lease_token(handle, message)
                self.tx_waiting.append(token)  # a token is never an observer
                if take_slot(slots):  # a last look after registering: a receiver freeing one now sees us
                    self.tx_waiting.discard(token)
                    return_token(token)
                    break
            finally:
                self.unlock()
            claimed = park(token, deadline, self.withdraw_tx, token)
            payload = token.payload
            return_token(token)
            if claimed and payload is TAKEN:
                return  # a receiver moved the message into the buffer
            # woken by a close or a disconnection, or timed out: look again
        self.deliver(message)

    # Receiving ----------------------------------------------------------------------------

    def complete_senders_locked(self) -> None:
        """Under the lock, after a slot was freed: complete parked sends while there is room."""
        tx_waiting = self.tx_waiting
        if tx_waiting.observers:
            tx_waiting.wake_observers()
        while tx_waiting and take_slot(self.slots):
            sender = tx_waiting.hand_over(TAKEN, 0)
            if sender is None:
                self.slots.append(None)
                return
            receiver = None if self.queue else self.rx_waiting.hand_over(sender.message, 0)
            if receiver is not None:
                receiver.token.wake()
                self.slots.append(None)
            else:
                self.queue.append(sender.message)
                if self.rx_waiting:
                    self.rx_waiting.wake_one()
            sender.token.wake()  # only now: its next send must come after this message

    def slot_freed(self) -> None:
        """A lock-free receive freed a slot while senders were parked."""
        self.lock.acquire()
        try:
            self.complete_senders_locked()
        finally:
            self.unlock()

    def recv_wait(self, handle: BoundedReceiver[Any], deadline: float) -> Any:
        """The receive slow path: take a message, or park until one is handed over or may be
        there."""
        queue = self.queue
        while True:
            self.lock.acquire()
            try:
                if handle._closed:
                    raise HandleClosed()
                if queue:
                    try:
                        return self.take_locked()
                    except IndexError:  # a lock-free receive took it
                        pass
                if self.tx_gone:
                    raise Disconnected()
                if deadline != math.inf and time.monotonic() >= deadline:
                    raise Timeout()
                token = lease_token(handle)
                self.rx_waiting.append(token)  # a token is never an observer
                if queue:  # a last look after registering: a sender appending now sees us
                    # Withdraw first: taking may complete a parked send, and its message must
                    # not be handed to this very token.
                    self.rx_waiting.discard(token)
                    return_token(token)
                    try:
                        return self.take_locked()
                    except IndexError:  # a lock-free receive took it: start over
                        continue
            finally:
                self.unlock()
            claimed = park(token, deadline, self.withdraw_rx, token)
            payload = token.payload
            return_token(token)
            if not claimed:
                continue  # timed out: one more attempt before giving up
            if payload is not WOKEN:
                return payload  # handed over by a sender
            if handle._closed:
                self.pass_on_message()
                raise HandleClosed()
            if queue:
                try:
                    message = queue.popleft()
                except IndexError:
                    continue  # overtaken: look again under the lock
                self.slots.append(None)
                if self.tx_waiting:
                    self.slot_freed()
                return message

    def take_locked(self) -> Any:
        """Pop the oldest message under the lock and free its slot; IndexError if a lock-free
        receive took the last one first."""
        message = self.queue.popleft()
        self.slots.append(None)
        if self.tx_waiting:
            self.complete_senders_locked()
        return message

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

    def withdraw_tx(self, entry: Entry) -> None:
        """Remove a parked sender's entry if it is still registered."""
        self.lock.acquire()
        try:
            self.tx_waiting.discard(entry)
        finally:
            self.unlock()


class BoundedSender(ImplSender[T]):
    """Sending end of a bounded channel: a send parks while the buffer is full, until a
    receive makes room and moves the parked message into the buffer, or the last receiver's
    close fails it with ``Disconnected``."""

    __slots__ = ("_rx_waiting", "_slots")
    _chan: ArrayChannel

    def __init__(self, chan: ArrayChannel) -> None:
        self._chan = chan
        self._slots = chan.slots
        self._rx_waiting = chan.rx_waiting
        self._closed = False

    def send(self, message: T) -> None:
        """Send ``message``, parking while the buffer is full. ``Disconnected`` (carrying the
        message) if every receiver is closed, before or while waiting."""
        if self._closed:
            raise HandleClosed(message)
        chan = self._chan
        if chan.rx_gone:
            raise Disconnected(message)
        slots = self._slots
        if not slots:
            chan.send_wait(self, message, math.inf)
            return
        try:
            slots.pop()
        except IndexError:  # another sender took the last slot
            chan.send_wait(self, message, math.inf)
            return
        if self._rx_waiting:
            chan.hand_off(message)
            return
        chan.queue.append(message)
        if self._rx_waiting or chan.rx_gone:
            chan.after_append()

    def try_send(self, message: T) -> None:
        """Send without waiting: ``Full`` if the buffer is full, ``Disconnected`` if every
        receiver is closed (even when full); both carry the message."""
        if self._closed:
            raise HandleClosed(message)
        chan = self._chan
        if chan.rx_gone:
            raise Disconnected(message)
        try:
            self._slots.pop()
        except IndexError:
            if chan.rx_gone:
                raise Disconnected(message) from None
            raise Full(message) from None
        chan.deliver(message)

    def send_timeout(self, message: T, timeout: float) -> None:
        """Like ``send``, giving up with ``Timeout`` (carrying the message) after ``timeout``
        seconds. It always tries first: with room, a zero timeout still sends."""
        self.send_deadline(message, deadline_after(timeout))

    def send_deadline(self, message: T, deadline: float) -> None:
        """Like ``send_timeout`` with a deadline on the ``time.monotonic()`` clock."""
        deadline = check_deadline(deadline)
        if self._closed:
            raise HandleClosed(message)
        chan = self._chan
        if chan.rx_gone:
            raise Disconnected(message)
        slots = self._slots
        if not slots:
            chan.send_wait(self, message, deadline)
            return
        try:
            slots.pop()
        except IndexError:  # another sender took the last slot
            chan.send_wait(self, message, deadline)
            return
        chan.deliver(message)

    def __len__(self) -> int:
        """The number of buffered messages (a snapshot; 0 once every receiver is closed)."""
        self._check_open()
        return len(self._chan.queue)

    def is_empty(self) -> bool:
        """No message is buffered."""
        self._check_open()
        return not self._chan.queue

    def is_full(self) -> bool:
        """The buffer holds ``capacity`` messages."""
        self._check_open()
        return len(self._chan.queue) >= self._chan.capacity

    @property
    def capacity(self) -> int | None:
        """The fixed capacity (>= 1)."""
        return self._chan.capacity

    def _sel_attempt(self, message: Any, thread: int) -> Attempt:
        chan = self._chan
        if chan.rx_gone:
            return False, Disconnected(message)
        try:
            self._slots.pop()
        except IndexError:
            return (False, Disconnected(message)) if chan.rx_gone else None
        try:
            chan.deliver(message)
        except Disconnected as error:
            return False, error
        return True, None

    def _sel_ready(self, thread: int) -> bool:
        return bool(self._slots) or self._chan.rx_gone

    def _sel_register(self, entry: Entry) -> bool:
        chan = self._chan
        chan.lock.acquire()
        try:
            chan.tx_waiting.add(entry)
            return self._closed or bool(self._slots) or chan.rx_gone
        finally:
            chan.unlock()

    def _sel_unregister(self, entry: Entry) -> None:
        self._chan.withdraw_tx(entry)

    def _sel_pass_on(self) -> None:
        self._chan.slot_freed()


class BoundedReceiver(ImplReceiver[T]):
    """Receiving end of a bounded channel. A receive takes the oldest message and frees its
    slot without the lock (waking one parked sender, if any); with nothing there it parks
    until a send (or the last sender's close) wakes it."""

    __slots__ = ("_queue", "_slots", "_tx_waiting")
    _chan: ArrayChannel

    def __init__(self, chan: ArrayChannel) -> None:
        self._chan = chan
        self._queue = chan.queue
        self._slots = chan.slots
        self._tx_waiting = chan.tx_waiting
        self._closed = False

    def recv(self) -> T:
        """Receive the oldest message, parking while there is none and a sender is open.
        Buffered messages are delivered even after every sender closed; then ``Disconnected``."""
        if self._closed:
            raise HandleClosed()
        queue = self._queue
        if not queue:
            return self._chan.recv_wait(self, math.inf)  # type: ignore[no-any-return]
        try:
            message = queue.popleft()
        except IndexError:  # another receiver took it
            return self._chan.recv_wait(self, math.inf)  # type: ignore[no-any-return]
        self._slots.append(None)
        if self._tx_waiting:
            self._chan.slot_freed()
        return message  # type: ignore[no-any-return]

    def try_recv(self) -> T:
        """Receive without waiting: ``Empty`` if nothing is there and a sender is open,
        otherwise ``Disconnected``."""
        if self._closed:
            raise HandleClosed()
        attempt = self._sel_attempt(None, 0)
        if attempt is None:
            raise Empty()
        if attempt[0]:
            return attempt[1]  # type: ignore[no-any-return]
        raise attempt[1]

    def recv_timeout(self, timeout: float) -> T:
        """Like ``recv``, giving up with ``Timeout`` after ``timeout`` seconds. A message that
        is there is always taken, even with a zero timeout."""
        return self.recv_deadline(deadline_after(timeout))

    def recv_deadline(self, deadline: float) -> T:
        """Like ``recv_timeout`` with a deadline on the ``time.monotonic()`` clock."""
        deadline = check_deadline(deadline)
        if self._closed:
            raise HandleClosed()
        queue = self._queue
        if not queue:
            return self._chan.recv_wait(self, deadline)  # type: ignore[no-any-return]
        try:
            message = queue.popleft()
        except IndexError:  # another receiver took it
            return self._chan.recv_wait(self, deadline)  # type: ignore[no-any-return]
        self._slots.append(None)
        if self._tx_waiting:
            self._chan.slot_freed()
        return message  # type: ignore[no-any-return]

    def __len__(self) -> int:
        """The number of buffered messages (a snapshot)."""
        self._check_open()
        return len(self._queue)

    def is_empty(self) -> bool:
        """No message is buffered."""
        self._check_open()
        return not self._queue

    def is_full(self) -> bool:
        """The buffer holds ``capacity`` messages."""
        self._check_open()
        return len(self._queue) >= self._chan.capacity

    @property
    def capacity(self) -> int | None:
        """The fixed capacity (>= 1)."""
        return self._chan.capacity

    def _sel_attempt(self, message: Any, thread: int) -> Attempt:
        chan = self._chan
        for _ in range(2):  # the second look: the last sender may have sent just before closing
            try:
                taken = self._queue.popleft()
            except IndexError:
                if not chan.tx_gone:
                    return None
                continue
            self._slots.append(None)
            if self._tx_waiting:
                chan.slot_freed()
            return True, taken
        return False, Disconnected()

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
