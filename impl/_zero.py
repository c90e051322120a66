"""The zero-capacity flavour: a rendezvous, with no buffer at all.

Everything happens under the channel lock. A send that finds a receiver of
another thread parked completes both calls at once: it claims the receiver's
token with the message. Otherwise the sender parks with its message in its
entry, and a receiver arriving later claims it (payload ``TAKEN``) and takes the
message. Pairing scans from the oldest waiter, skips the caller's own thread
and ``ready`` observers, and drops entries already claimed elsewhere.

A parked sender or receiver is a partner that ``ready`` observers on the other
side want to hear of, so parking wakes them. Disconnection and closing a handle
wake waiters with ``WOKEN``: they look again and fail.
"""

from __future__ import annotations

import math
import threading
import time
from typing import Any, TypeVar

from chanspec._validate import check_deadline, deadline_after
from chanspec.errors import Disconnected, Empty, Full, HandleClosed, Timeout

from ._core import Attempt, ChannelCore, ImplReceiver, ImplSender
from ._waiters import ABORTED, TAKEN, WOKEN, Entry, WaitQueue, lease_token, park

T = TypeVar("T")

_get_ident = threading.get_ident


class ZeroChannel(ChannelCore):
    """The shared state of one rendezvous channel: who waits on either side."""

    __slots__ = ("rx_waiting", "tx_waiting")

    def __init__(self, std: bool) -> None:
        super().__init__(std)
        self.tx_waiting = WaitQueue()  # parked senders, each entry carrying its message
        self.rx_waiting = WaitQueue()

    def _senders_gone(self) -> None:
        self.rx_waiting.wake_all()
        self.tx_waiting.wake_all()

    def _receivers_gone(self) -> list[Any]:
        self.tx_waiting.wake_all()
        self.rx_waiting.wake_all()
        return []

    def sever(self) -> None:
        super().sever()
        self.tx_waiting.forget()
        self.rx_waiting.forget()

    def _wake_handle(self, handle: object) -> None:
        self.tx_waiting.wake_handle(handle)
        self.rx_waiting.wake_handle(handle)

    def send(self, handle: ZeroSender[Any], message: Any, deadline: float | None) -> None:
        """Hand ``message`` to a parked receiver of another thread, or park until one takes it.
        ``deadline`` None: try once (``Full``)."""
        me = _get_ident()
        while True:
            self.lock.acquire()
            try:
                if handle._closed:
                    raise HandleClosed(message)
                if self.rx_gone:
                    raise Disconnected(message)
                receiver = self.rx_waiting.hand_over(message, me)
                if receiver is not None:
                    receiver.token.wake()
                    return
                if deadline is None:
                    raise Full(message)
                if deadline != math.inf and time.monotonic() >= deadline:
                    raise Timeout(message)
                token = lease_token(handle, message)
                self.tx_waiting.append(token)  # a token is never an observer
                if self.rx_waiting.observers:
                    self.rx_waiting.wake_observers()
            finally:
                self.unlock()
            if park(token, deadline, self.withdraw_tx, token) is TAKEN:
                return
            # woken by a close or a disconnection, or timed out: look again

    def recv(self, handle: ZeroReceiver[Any], deadline: float | None) -> Any:
        """Take the message of a parked sender of another thread, or park until one hands
        one over. ``deadline`` None: try once (``Empty``)."""
        me = _get_ident()
        while True:
            self.lock.acquire()
            try:
                if handle._closed:
                    raise HandleClosed()
                sender = self.tx_waiting.hand_over(TAKEN, me)
                if sender is not None:
                    message = sender.message
                    sender.token.wake()  # the last touch: the sender reuses its token once awake
                    return message
                if self.tx_gone:
                    raise Disconnected()
                if deadline is None:
                    raise Empty()
                if deadline != math.inf and time.monotonic() >= deadline:
                    raise Timeout()
                token = lease_token(handle)
                self.rx_waiting.append(token)  # a token is never an observer
                if self.tx_waiting.observers:
                    self.tx_waiting.wake_observers()
            finally:
                self.unlock()
            payload = park(token, deadline, self.withdraw_rx, token)
            if payload is not WOKEN and payload is not ABORTED:
                return payload
            # woken by a close or a disconnection, or timed out: look again

    def withdraw_tx(self, entry: Entry) -> None:
        """Remove a parked sender's entry if it is still registered."""
        self.lock.acquire()
        try:
            self.tx_waiting.discard(entry)
        finally:
            self.unlock()

    def withdraw_rx(self, entry: Entry) -> None:
        """Remove a parked receiver's entry if it is still registered."""
        self.lock.acquire()
        try:
            self.rx_waiting.discard(entry)
        finally:
            self.unlock()

    def register(self, entry: Entry, handle: ImplSender[Any] | ImplReceiver[Any]) -> bool:
        """A select waits on the side of ``handle``; returns whether that case is ready already."""
        sending = isinstance(handle, ImplSender)
        waiting, partners = (self.tx_waiting, self.rx_waiting) if sending else (self.rx_waiting, self.tx_waiting)
        self.lock.acquire()
        try:
            waiting.add(entry)
            if not entry.observer and partners.observers:
                partners.wake_observers()
            gone = self.rx_gone if sending else self.tx_gone
            return handle._closed or gone or partners.has_partner(entry.token.thread)
        finally:
            self.unlock()


class _ZeroIntrospection:
    """A rendezvous is always empty and full at once."""

    __slots__ = ()
    _closed: bool

    def __len__(self) -> int:
        """Always 0: a rendezvous buffers nothing."""
        if self._closed:
            raise HandleClosed()
        return 0

    def is_empty(self) -> bool:
        """Always true: a rendezvous buffers nothing."""
        if self._closed:
            raise HandleClosed()
        return True

    def is_full(self) -> bool:
        """Always true: there is never room to leave a message behind."""
        if self._closed:
            raise HandleClosed()
        return True

    @property
    def capacity(self) -> int | None:
        """0: a rendezvous."""
        return 0


class ZeroSender(_ZeroIntrospection, ImplSender[T]):
    """Sending end of a rendezvous channel: a send completes only together with a receive of
    another thread, waiting until one comes (or every receiver is closed)."""

    __slots__ = ()
    _chan: ZeroChannel

    def __init__(self, chan: ZeroChannel) -> None:
        self._chan = chan
        self._closed = False

    def send(self, message: T) -> None:
        """Wait until a receiver of another thread takes ``message``. ``Disconnected`` (carrying
        it) if every receiver is closed, before or while waiting."""
        self._chan.send(self, message, math.inf)

    def try_send(self, message: T) -> None:
        """Succeeds only while a receiver of another thread is blocked in a receive (or a
        blocking select with this channel's receive); otherwise ``Full``, or ``Disconnected``
        if every receiver is closed. Both carry the message."""
        self._chan.send(self, message, None)

    def send_timeout(self, message: T, timeout: float) -> None:
        """Like ``send``, giving up with ``Timeout`` (carrying the message) after ``timeout``
        seconds; a receiver already waiting takes it even with a zero timeout."""
        self._chan.send(self, message, deadline_after(timeout))

    def send_deadline(self, message: T, deadline: float) -> None:
        """Like ``send_timeout`` with a deadline on the ``time.monotonic()`` clock."""
        self._chan.send(self, message, check_deadline(deadline))

    def _sel_attempt(self, message: Any, thread: int) -> Attempt:
        chan = self._chan
        chan.lock.acquire()
        try:
            if chan.rx_gone:
                return False, Disconnected(message)
            receiver = chan.rx_waiting.hand_over(message, thread)
            if receiver is not None:
                receiver.token.wake()
                return True, None
            return None
        finally:
            chan.unlock()

    def _sel_ready(self, thread: int) -> bool:
        chan = self._chan
        chan.lock.acquire()
        try:
            return chan.rx_gone or chan.rx_waiting.has_partner(thread)
        finally:
            chan.unlock()

    def _sel_register(self, entry: Entry) -> bool:
        return self._chan.register(entry, self)

    def _sel_unregister(self, entry: Entry) -> None:
        self._chan.withdraw_tx(entry)


class ZeroReceiver(_ZeroIntrospection, ImplReceiver[T]):
    """Receiving end of a rendezvous channel: a receive completes only together with a send
    of another thread, waiting until one comes (or every sender is closed)."""

    __slots__ = ()
    _chan: ZeroChannel

    def __init__(self, chan: ZeroChannel) -> None:
        self._chan = chan
        self._closed = False

    def recv(self) -> T:
        """Wait until a sender of another thread hands over a message. ``Disconnected`` once
        every sender is closed."""
        return self._chan.recv(self, math.inf)  # type: ignore[no-any-return]

    def try_recv(self) -> T:
        """Succeeds only while a sender of another thread is blocked in a send (or a blocking
        select with this channel's send); otherwise ``Empty``, or ``Disconnected`` if every
        sender is closed."""
        return self._chan.recv(self, None)  # type: ignore[no-any-return]

    def recv_timeout(self, timeout: float) -> T:
        """Like ``recv``, giving up with ``Timeout`` after ``timeout`` seconds; a sender already
        waiting is paired with even with a zero timeout."""
        return self._chan.recv(self, deadline_after(timeout))  # type: ignore[no-any-return]

    def recv_deadline(self, deadline: float) -> T:
        """Like ``recv_timeout`` with a deadline on the ``time.monotonic()`` clock."""
        return self._chan.recv(self, check_deadline(deadline))  # type: ignore[no-any-return]

    def _sel_attempt(self, message: Any, thread: int) -> Attempt:
        chan = self._chan
        chan.lock.acquire()
        try:
            sender = chan.tx_waiting.hand_over(TAKEN, thread)
            if sender is not None:
                message = sender.message
                sender.token.wake()  # the last touch: the sender reuses its token once awake
                return True, message
            if chan.tx_gone:
                return False, Disconnected()
            return None
        finally:
            chan.unlock()

    def _sel_ready(self, thread: int) -> bool:
        chan = self._chan
        chan.lock.acquire()
        try:
            return chan.tx_gone or chan.tx_waiting.has_partner(thread)
        finally:
            chan.unlock()

    def _sel_register(self, entry: Entry) -> bool:
        return self._chan.register(entry, self)

    def _sel_unregister(self, entry: Entry) -> None:
        self._chan.withdraw_rx(entry)
