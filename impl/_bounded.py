"""The bounded flavour (capacity >= 1): a deque of messages, sends under the lock,
receives without it.

A send takes the lock, checks its handle, the receivers and the room
(``len(queue) < capacity``), and appends or hands its message over, all in one
critical section: only sends add to the buffer, so the room it saw cannot
shrink before it appends, and a close (also under the lock) comes wholly before
or after it. A receive pops the oldest message without the lock, through its
handle's ``_queue`` (see :class:`~._buffered.ClosedBuffer`); the pop is what
frees the room, in the same step.

No lost wake-up, on either side: a parked receiver registers and then looks at
the messages once more, a sender appends and then looks at the parked
receivers; a parked sender registers and then looks at the room once more, a
receiver pops and then looks at the parked senders.

Hand-offs save rounds of sleeping at small capacities. A send that finds a
receiver parked hands it the oldest message: the buffer's head (the send's own
message joining the back), or its own if the buffer is empty; that receive is
complete when it wakes. A receive that frees room while a sender is parked
completes that send: it places the parked message the same way and wakes the
sender with its send done. A wake-up that hands nothing (``WOKEN``) means "look
again": a send that appended just as a receiver registered wakes it that way,
and a woken receiver that takes nothing passes it on.

The slow paths release the lock with ``ChannelCore.unlock`` spelled out: they
are what every blocking call runs, and a thread that has just woken another
wants to reach its own park (or return) as soon as possible.
"""

from __future__ import annotations

import math
import time
from typing import Any, TypeVar

from chanspec._validate import check_deadline, deadline_after
from chanspec.errors import Disconnected, Empty, Full, HandleClosed, Timeout

from ._buffered import BufferedChannel, BufferedReceiver, BufferedSender, buffered_count
from ._core import Attempt
from ._waiters import ABORTED, TAKEN, WOKEN, Entry, WaitQueue, _Mark, lease_token, park, return_token

T = TypeVar("T")

_INF = math.inf
_monotonic = time.monotonic
_EMPTY = _Mark("EMPTY")  # what a non-waiting take finds while a sender is open
_GONE = _Mark("GONE")  # what it finds once every sender is gone and the buffer is drained
_FULL = _Mark("FULL")  # what a non-waiting send finds with no room


class ArrayChannel(BufferedChannel):
    """The shared state of one bounded channel."""

    __slots__ = ("capacity", "tx_waiting")

    def __init__(self, capacity: int, std: bool) -> None:
        super().__init__(std)
        self.capacity = capacity
        self.tx_waiting = WaitQueue()  # parked senders, each entry carrying its message

    def _receivers_gone(self) -> list[Any]:
        discarded = list(self.queue)
        self.queue.clear()
        self.tx_waiting.wake_all()
        return discarded

    def sever(self) -> None:
        super().sever()
        self.tx_waiting.forget()

    def _wake_handle(self, handle: object) -> None:
        self.rx_waiting.wake_handle(handle)
        self.tx_waiting.wake_handle(handle)

    # Sending ------------------------------------------------------------------------------

    def offer(self, handle: BoundedSender[Any], message: Any) -> Any:
        """Send ``message`` if it needs no waiting: None when sent, ``_FULL`` when there is no
        room; ``HandleClosed`` or ``Disconnected`` (carrying it) raised."""
        lock = self.lock
        lock.acquire()
        try:
            if handle._closed:
                raise HandleClosed(message)
            if self.rx_gone:
                raise Disconnected(message)
            queue = self.queue
            if len(queue) >= self.capacity:
                return _FULL
            if not self.rx_waiting:  # nobody to hand it to or wake: the common case
                queue.append(message)
            elif self.place_locked(message) and self.tx_waiting:
                self.complete_senders_locked()
            return None
        finally:  # self.unlock(), spelled out on every send's path
            lock.release()
            if self._deferred:
                self._apply_deferred()

    def place_locked(self, message: Any) -> bool:
        """Under the lock, with room for ``message``: if a receiver is parked, hand it the oldest
        message (the buffer's head, ``message`` joining the back; or ``message`` itself) and
        return True (room is left); else buffer ``message``, wake the ``ready`` observers and
        return False.

        A parked receiver is handed a message rather than told to look again, so that a wake-up
        is never wasted on a receiver that running receivers have overtaken."""
        queue = self.queue
        rx_waiting = self.rx_waiting
        if rx_waiting:
            receiver = rx_waiting.hand_over(WOKEN, 0)
            if receiver is not None:
                if queue:
                    queue.append(message)
                    try:
                        message = queue.popleft()
                    except IndexError:  # lock-free receives took everything meanwhile
                        receiver.token.wake()  # with WOKEN: it looks again
                        return False
                receiver.token.payload = message
                receiver.token.wake()
                return True
        queue.append(message)
        if rx_waiting.observers:
            rx_waiting.wake_observers()
        return False

    def send_wait(self, handle: BoundedSender[Any], message: Any, deadline: float) -> None:
        """A send: place the message, or park until a receive completes this send."""
        queue = self.queue
        capacity = self.capacity
        tx_waiting = self.tx_waiting
        while True:
            lock = self.lock
            lock.acquire()
            try:
                if handle._closed:
                    raise HandleClosed(message)
                if self.rx_gone:
                    raise Disconnected(message)
                if len(queue) < capacity:
                    if self.place_locked(message) and tx_waiting:
                        self.complete_senders_locked()
                    return
                if deadline != _INF and _monotonic() >= deadline:
                    raise Timeout(message)
                token = lease_token(handle, message)
                tx_waiting.append(token)  # a token is never an observer
                if len(queue) < capacity:  # a last look after registering: a receive now sees us
                    tx_waiting.discard(token)
                    return_token(token)
                    if self.place_locked(message) and tx_waiting:
                        self.complete_senders_locked()
                    return
            finally:
                lock.release()
                if self._deferred:
                    self._apply_deferred()
            if park(token, deadline, self.withdraw_tx, token) is TAKEN:
                return  # a receiver moved the message into the buffer
            # woken by a close or a disconnection, or timed out: look again

    def withdraw_tx(self, entry: Entry) -> None:
        """Remove a parked sender's entry if it is still registered."""
        self.lock.acquire()
        try:
            self.tx_waiting.discard(entry)
        finally:
            self.unlock()

    # Receiving ----------------------------------------------------------------------------

    def complete_senders_locked(self) -> None:
        """Under the lock, after room was freed: complete parked sends while there is room."""
        tx_waiting = self.tx_waiting
        if tx_waiting.observers:
            tx_waiting.wake_observers()
        queue = self.queue
        capacity = self.capacity
        while tx_waiting and len(queue) < capacity:
            sender = tx_waiting.hand_over(TAKEN, 0)
            if sender is None:
                return
            self.place_locked(sender.message)
            sender.token.wake()  # only now: its next send must come after this message

    def room_freed(self) -> None:
        """A lock-free receive freed room while senders were parked."""
        lock = self.lock
        lock.acquire()
        try:
            self.complete_senders_locked()
        finally:
            lock.release()
            if self._deferred:
                self._apply_deferred()

    def recv_wait(self, handle: BoundedReceiver[Any], deadline: float) -> Any:
        """The receive slow path: take a message, or park until one is handed over or may be
        there."""
        queue = self.queue
        rx_waiting = self.rx_waiting
        while True:
            lock = self.lock
            lock.acquire()
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
                if deadline != _INF and _monotonic() >= deadline:
                    raise Timeout()
                token = lease_token(handle)
                rx_waiting.append(token)  # a token is never an observer
                if queue:  # a last look after registering: a sender appending now sees us
                    # Withdraw first: taking may complete a parked send, and its message must
                    # not be handed to this very token.
                    rx_waiting.discard(token)
                    return_token(token)
                    try:
                        return self.take_locked()
                    except IndexError:  # a lock-free receive took it: start over
                        continue
            finally:
                lock.release()
                if self._deferred:
                    self._apply_deferred()
            payload = park(token, deadline, self.withdraw_rx, token)
            if payload is ABORTED:
                continue  # timed out: one more attempt before giving up
            if payload is not WOKEN:
                return payload  # handed over by a sender
            if handle._closed:
                self.pass_on_message()
                raise HandleClosed()
            if queue:
                try:
                    message = handle._queue.popleft()  # through the handle: fails once it is closed
                except IndexError:
                    continue  # overtaken: look again under the lock
                except HandleClosed:
                    self.pass_on_message()
                    raise
                if self.tx_waiting:
                    self.room_freed()
                return message

    def take_locked(self) -> Any:
        """Pop the oldest message under the lock and complete parked sends into the room it
        left; IndexError if a lock-free receive took the last one first."""
        message = self.queue.popleft()
        if self.tx_waiting:
            self.complete_senders_locked()
        return message


class BoundedSender(BufferedSender[T]):
    """Sending end of a bounded channel: a send parks while the buffer is full, until a
    receive makes room and moves the parked message into the buffer, or the last receiver's
    close fails it with ``Disconnected``."""

    __slots__ = ()
    _chan: ArrayChannel

    def __init__(self, chan: ArrayChannel) -> None:
        self._chan = chan
        self._queue = chan.queue
        self._closed = False

    def send(self, message: T) -> None:
        """Send ``message``, parking while the buffer is full. ``Disconnected`` (carrying the
        message) if every receiver is closed, before or while waiting."""
        if self._chan.offer(self, message) is _FULL:
            self._chan.send_wait(self, message, _INF)

    def try_send(self, message: T) -> None:
        """Send without waiting: ``Full`` if the buffer is full, ``Disconnected`` if every
        receiver is closed (even when full); both carry the message."""
        if self._chan.offer(self, message) is _FULL:
            raise Full(message)

    async def asend(self, message: T) -> None:
        """Send ``message`` from a task (see ``ImplSender.asend``), trying at once directly."""
        if self._chan.offer(self, message) is _FULL:
            await self._asend_waiting(message)

    def send_timeout(self, message: T, timeout: float) -> None:
        """Like ``send``, giving up with ``Timeout`` (carrying the message) after ``timeout``
        seconds. It always tries first: with room, a zero timeout still sends."""
        self._chan.send_wait(self, message, deadline_after(timeout))

    def send_deadline(self, message: T, deadline: float) -> None:
        """Like ``send_timeout`` with a deadline on the ``time.monotonic()`` clock."""
        self._chan.send_wait(self, message, check_deadline(deadline))

    def is_full(self) -> bool:
        """The buffer holds ``capacity`` messages."""
        return buffered_count(self) >= self._chan.capacity

    @property
    def capacity(self) -> int | None:
        """The fixed capacity (>= 1)."""
        return self._chan.capacity

    def _sel_attempt(self, message: Any, thread: int) -> Attempt:
        try:
            if self._chan.offer(self, message) is _FULL:
                return None
        except (Disconnected, HandleClosed) as error:
            return False, error
        return True, None

    def _sel_ready(self, thread: int) -> bool:
        chan = self._chan
        return len(chan.queue) < chan.capacity or chan.rx_gone

    def _sel_register(self, entry: Entry) -> bool:
        chan = self._chan
        chan.lock.acquire()
        try:
            chan.tx_waiting.add(entry)
            return self._closed or len(chan.queue) < chan.capacity or chan.rx_gone
        finally:
            chan.unlock()

    def _sel_unregister(self, entry: Entry) -> None:
        self._chan.withdraw_tx(entry)

    def _sel_pass_on(self) -> None:
        self._chan.room_freed()


class BoundedReceiver(BufferedReceiver[T]):
    """Receiving end of a bounded channel. A receive takes the oldest message without the
    lock (then completes one parked send, if any); with nothing there it parks
    until a send (or the last sender's close) wakes it."""

    __slots__ = ("_tx_waiting",)
    _chan: ArrayChannel

    def __init__(self, chan: ArrayChannel) -> None:
        self._chan = chan
        self._queue = chan.queue
        self._tx_waiting = chan.tx_waiting
        self._closed = False

    def recv(self) -> T:
        """Receive the oldest message, parking while there is none and a sender is open.
        Buffered messages are delivered even after every sender closed; then ``Disconnected``."""
        if self._closed:
            raise HandleClosed()
        if not self._queue:
            return self._chan.recv_wait(self, _INF)  # type: ignore[no-any-return]
        try:
            message = self._queue.popleft()
        except IndexError:  # another receiver took it
            return self._chan.recv_wait(self, _INF)  # type: ignore[no-any-return]
        if self._tx_waiting:
            self._chan.room_freed()
        return message  # type: ignore[no-any-return]

    def try_recv(self) -> T:
        """Receive without waiting: ``Empty`` if nothing is there and a sender is open,
        otherwise ``Disconnected``."""
        if self._closed:
            raise HandleClosed()
        message = self._take()
        if message is _EMPTY:
            raise Empty()
        if message is _GONE:
            raise Disconnected()
        return message  # type: ignore[no-any-return]

    def recv_deadline(self, deadline: float) -> T:
        """Like ``recv_timeout`` with a deadline on the ``time.monotonic()`` clock."""
        deadline = check_deadline(deadline)
        if self._closed:
            raise HandleClosed()
        if not self._queue:
            return self._chan.recv_wait(self, deadline)  # type: ignore[no-any-return]
        try:
            message = self._queue.popleft()
        except IndexError:  # another receiver took it
            return self._chan.recv_wait(self, deadline)  # type: ignore[no-any-return]
        if self._tx_waiting:
            self._chan.room_freed()
        return message  # type: ignore[no-any-return]

    async def arecv(self) -> T:
        """Receive from a task (see ``ImplReceiver.arecv``), trying at once directly."""
        taken = self._take()
        if taken is _EMPTY:
            return await self._arecv_waiting()
        if taken is _GONE:
            raise Disconnected()
        return taken  # type: ignore[no-any-return]

    def _take(self) -> Any:
        """The oldest message, taken without waiting; ``_EMPTY`` if there is none
        while a sender is open, ``_GONE`` once every sender is gone and nothing is left."""
        try:
            message = self._queue.popleft()
        except IndexError:
            if not self._chan.tx_gone:
                return _EMPTY
            try:  # the last sender may have sent just before closing
                message = self._queue.popleft()
            except IndexError:
                return _GONE
        if self._tx_waiting:
            self._chan.room_freed()
        return message

    def is_full(self) -> bool:
        """The buffer holds ``capacity`` messages."""
        return buffered_count(self) >= self._chan.capacity

    @property
    def capacity(self) -> int | None:
        """The fixed capacity (>= 1)."""
        return self._chan.capacity

    def _sel_attempt(self, message: Any, thread: int) -> Attempt:
        try:
            taken = self._take()
        except HandleClosed as error:
            return False, error
        if taken is _EMPTY:
            return None
        if taken is _GONE:
            return False, Disconnected()
        return True, taken
