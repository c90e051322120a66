"""The unbounded flavour: a deque, lock-free on both fast paths.

``deque.append`` and ``deque.popleft`` are atomic (under the GIL, and locked
per object on free-threaded builds), so a send appends and a receive pops
without the channel lock. The lock is only taken to park or wake.

No lost wake-up: a receiver about to park registers its entry under the lock
and then looks at the deque once more; a sender appends and then looks at the
wait queue. Whichever comes second sees the other. Each append wakes at most
one parked receiver (plus ``ready`` observers); a woken receiver that does not
take a message (its handle was closed under it, a select chose another case)
passes the wake-up on.
"""

from __future__ import annotations

import math
import time
from typing import Any, TypeVar

from chanspec._validate import check_deadline, deadline_after
from chanspec.errors import Disconnected, Empty, HandleClosed, Timeout

from ._buffered import BufferedChannel, BufferedReceiver, BufferedSender
from ._core import Attempt
from ._waiters import ABORTED, Entry, lease_token, park, return_token

T = TypeVar("T")

_INF = math.inf
_monotonic = time.monotonic


class ListChannel(BufferedChannel):
    """The shared state of one unbounded channel (senders never wait)."""

    __slots__ = ()

    def _receivers_gone(self) -> list[Any]:
        discarded = list(self.queue)
        self.queue.clear()
        return discarded

    def _wake_handle(self, handle: object) -> None:
        self.rx_waiting.wake_handle(handle)

    def recv_wait(self, handle: UnboundedReceiver[Any], deadline: float) -> Any:
        """The receive slow path: take a message, or park until one may be there."""
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
                        return queue.popleft()
                    except IndexError:  # a lock-free receive took it
                        pass
                if self.tx_gone:
                    raise Disconnected()
                if deadline != _INF and _monotonic() >= deadline:
                    raise Timeout()
                token = lease_token(handle)
                rx_waiting.append(token)  # a token is never an observer
                if queue:  # a last look after registering: a sender appending now sees us
                    try:
                        message = queue.popleft()
                    except IndexError:
                        pass
                    else:
                        rx_waiting.discard(token)
                        return_token(token)
                        return message
            finally:  # self.unlock(), spelled out on this path, which every blocking receive takes
                lock.release()
                if self._deferred:
                    self._apply_deferred()
            if park(token, deadline, self.withdraw_rx, token) is ABORTED:
                continue  # timed out: one more attempt before giving up
            if handle._closed:
                self.pass_on_message()
                raise HandleClosed()
            if queue:
                try:
                    return handle._queue.popleft()  # through the handle: fails once it is closed
                except IndexError:
                    pass  # overtaken: look again under the lock
                except HandleClosed:
                    self.pass_on_message()
                    raise


class UnboundedSender(BufferedSender[T]):
    """Sending end of an unbounded channel: a send never blocks. It fails only when every
    receiver is closed (``Disconnected`` carrying the message)."""

    __slots__ = ("_waiting",)
    _chan: ListChannel

    def __init__(self, chan: ListChannel) -> None:
        self._chan = chan
        self._queue = chan.queue
        self._waiting = chan.rx_waiting
        self._closed = False

    def send(self, message: T) -> None:
        """Append ``message``; never blocks. Wakes one parked receiver if any. ``Disconnected``
        (carrying the message) if every receiver is closed."""
        if self._closed:
            raise HandleClosed(message)
        chan = self._chan
        if chan.rx_gone:
            raise Disconnected(message)
        self._queue.append(message)
        if self._waiting or chan.rx_gone:
            chan.after_append()

    try_send = send

    def send_timeout(self, message: T, timeout: float) -> None:
        """Same as ``send`` (an unbounded send never waits, so it never times out)."""
        deadline_after(timeout)
        self.send(message)

    def send_deadline(self, message: T, deadline: float) -> None:
        """Same as ``send`` (an unbounded send never waits, so it never times out)."""
        check_deadline(deadline)
        self.send(message)

    def is_full(self) -> bool:
        """Never: an unbounded channel has no limit."""
        self._check_open()
        return False

    @property
    def capacity(self) -> int | None:
        """``None``: unbounded."""
        return None

    def _sel_attempt(self, message: Any, thread: int) -> Attempt:
        try:
            self.send(message)
        except (Disconnected, HandleClosed) as error:
            return False, error
        return True, None

    def _sel_ready(self, thread: int) -> bool:
        return True

    def _sel_register(self, entry: Entry) -> bool:
        return True  # always ready: nothing to wait for

    def _sel_unregister(self, entry: Entry) -> None:
        pass


class UnboundedReceiver(BufferedReceiver[T]):
    """Receiving end of an unbounded channel. A receive takes the oldest message without the
    lock; with nothing there it parks until a send (or the last sender's close) wakes it."""

    __slots__ = ()
    _chan: ListChannel

    def __init__(self, chan: ListChannel) -> None:
        self._chan = chan
        self._queue = chan.queue
        self._closed = False

    def recv(self) -> T:
        """Receive the oldest message, parking while there is none and a sender is open.
        Buffered messages are delivered even after every sender closed; then ``Disconnected``."""
        if self._closed:
            raise HandleClosed()
        if self._queue:
            try:
                return self._queue.popleft()  # type: ignore[no-any-return]
            except IndexError:  # another receiver took it
                pass
        return self._chan.recv_wait(self, _INF)  # type: ignore[no-any-return]

    def try_recv(self) -> T:
        """Receive without waiting: ``Empty`` if nothing is there and a sender is open,
        otherwise ``Disconnected``."""
        if self._closed:
            raise HandleClosed()
        try:
            return self._queue.popleft()  # type: ignore[no-any-return]
        except IndexError:
            pass
        if not self._chan.tx_gone:
            raise Empty()
        try:  # the last sender may have sent just before closing
            return self._queue.popleft()  # type: ignore[no-any-return]
        except IndexError:
            raise Disconnected() from None

    def recv_deadline(self, deadline: float) -> T:
        """Like ``recv_timeout`` with a deadline on the ``time.monotonic()`` clock."""
        deadline = check_deadline(deadline)
        if self._closed:
            raise HandleClosed()
        if self._queue:
            try:
                return self._queue.popleft()  # type: ignore[no-any-return]
            except IndexError:  # another receiver took it
                pass
        return self._chan.recv_wait(self, deadline)  # type: ignore[no-any-return]

    def is_full(self) -> bool:
        """Never: an unbounded channel has no limit."""
        self._check_open()
        return False

    @property
    def capacity(self) -> int | None:
        """``None``: unbounded."""
        return None

    def _sel_attempt(self, message: Any, thread: int) -> Attempt:
        try:
            return True, self._queue.popleft()
        except IndexError:
            pass
        except HandleClosed as error:
            return False, error
        if not self._chan.tx_gone:
            return None
        try:
            return True, self._queue.popleft()
        except IndexError:
            return False, Disconnected()
        except HandleClosed as error:
            return False, error
