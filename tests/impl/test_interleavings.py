"""The critical interleavings, forced deterministically.

Each test wraps one internal step of the production channels (taking a token to park,
or a timed park running out) so that the racing operation happens exactly inside the
window the implementation must guard. Without the guard, the test hangs (caught by a
bounded join) or sees a wrong outcome.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

import pytest
from chanspec.impl import _bounded, _unbounded, _waiters, bounded, unbounded

from chanspec.errors import Disconnected, Timeout

from .support import Call, parked, wait_until


def on_another_thread(call: Callable[..., object], *args: object) -> None:
    """Run ``call(*args)`` on a helper thread and wait for it (re-raising what it raised)."""
    Call(lambda: call(*args)).result()


def open_channel(capacity: int | None) -> tuple[Any, Any]:
    """A new ``(sender, receiver)``, typed loosely so tests can reach the channel core."""
    return unbounded() if capacity is None else bounded(capacity)


@contextmanager
def before_parking(module: Any, action: Callable[[], object]) -> Iterator[list[int]]:
    """Run ``action`` once, on the parking thread, between its last look at the channel and
    its registration (where it takes its token). Yields a list that records the run."""
    original = module.lease_token
    ran: list[int] = []

    def lease(*args: Any) -> Any:
        if not ran:
            ran.append(1)
            action()
        return original(*args)

    module.lease_token = lease
    try:
        yield ran
    finally:
        module.lease_token = original


@contextmanager
def when_timing_out(action: Callable[[], object]) -> Iterator[list[int]]:
    """Run ``action`` once, on the waiting thread, right after its timed park ran out and
    before it gives up (so a wake-up or hand-off lands on a waiter about to leave)."""
    original = _waiters.Token.wait
    ran: list[int] = []

    def wait(token: _waiters.Token, deadline: float) -> bool:
        woken = original(token, deadline)
        if not woken and not ran:
            ran.append(1)
            action()
        return woken

    _waiters.Token.wait = wait  # type: ignore[method-assign,assignment]
    try:
        yield ran
    finally:
        _waiters.Token.wait = original  # type: ignore[method-assign]


def test_message_sent_while_a_receiver_registers_is_seen() -> None:
    # Unbounded only: a bounded send takes the lock the registering receiver holds, so it
    # cannot land in this window.
    tx, rx = unbounded()
    with before_parking(_unbounded, lambda: tx.send("slipped in")) as ran:
        call = Call(rx.recv)
        assert call.result() == "slipped in"  # it looked again after registering
    assert ran
    tx.close()
    rx.close()


@pytest.mark.parametrize("capacity", [1, 3])
def test_room_freed_while_a_sender_registers_is_seen(capacity: int) -> None:
    tx, rx = bounded(capacity)
    for i in range(capacity):
        tx.send(i)
    with before_parking(_bounded, rx.try_recv) as ran:
        call = Call(lambda: tx.send("last"))
        call.result()  # it looked again after registering and used the freed room
    assert ran
    assert list(rx.try_iter()) == [*range(1, capacity), "last"]
    tx.close()
    rx.close()


@pytest.mark.parametrize("capacity", [None, 1], ids=["unbounded", "bounded1"])
def test_receiver_timing_out_as_a_message_arrives_takes_it(capacity: int | None) -> None:
    tx, rx = unbounded() if capacity is None else bounded(capacity)
    with when_timing_out(lambda: on_another_thread(tx.send, "just in time")) as ran:
        assert rx.recv_timeout(0.01) == "just in time"  # not Timeout, and not lost
    assert ran
    assert list(rx.try_iter()) == []
    tx.close()
    rx.close()


def test_rendezvous_sender_timing_out_as_a_receiver_takes_its_message_succeeds() -> None:
    tx, rx = bounded(0)
    received: list[Any] = []
    with when_timing_out(lambda: on_another_thread(lambda: received.append(rx.try_recv()))) as ran:
        tx.send_timeout("late", 0.01)  # the receiver took it at the last moment: success
    assert ran
    assert received == ["late"]
    tx.close()
    rx.close()


def test_rendezvous_receiver_timing_out_as_a_sender_hands_over_returns_the_message() -> None:
    tx, rx = bounded(0)
    with when_timing_out(lambda: on_another_thread(tx.try_send, "late")) as ran:
        assert rx.recv_timeout(0.01) == "late"  # try_send succeeded: the receiver still waited
    assert ran
    tx.close()
    rx.close()


def test_timing_out_without_any_partner_still_times_out() -> None:
    tx, rx = open_channel(0)
    with when_timing_out(lambda: None) as ran, pytest.raises(Timeout):
        rx.recv_timeout(0.005)
    assert ran
    with when_timing_out(lambda: None), pytest.raises(Timeout) as caught:
        tx.send_timeout("kept", 0.005)
    assert caught.value.message == "kept"
    assert not tx._chan.tx_waiting and not tx._chan.rx_waiting  # nothing left registered
    tx.close()
    rx.close()


class StealingDeque(deque[Any]):
    """A channel buffer (or slot pool) that, once armed, looks empty to the lock-free fast
    path and, under the channel lock, lets "another thread" take its head between the
    look and the take: the race a lock-free receive (or send) wins against a slow path."""

    def __init__(self, lock: Any) -> None:
        super().__init__()
        self._lock = lock
        self.armed = False
        self.stolen: list[Any] = []

    def __bool__(self) -> bool:
        length = len(self)
        if self.armed and length:
            if not self._lock.locked():
                return False  # the fast path sees nothing and takes the slow path
            self.armed = False
            self.stolen.append(self.popleft())
        return length > 0


@pytest.mark.parametrize("capacity", [None, 2], ids=["unbounded", "bounded2"])
def test_message_taken_by_a_lock_free_receive_under_the_slow_paths_nose(capacity: int | None) -> None:
    tx, rx = open_channel(capacity)
    chan = tx._chan
    racy = StealingDeque(chan.lock)
    chan.queue = rx._queue = tx._queue = racy
    tx.send("stolen")
    racy.armed = True
    receiver = Call(rx.recv)  # looks, loses the message to the thief, parks instead of failing
    wait_until(partial(parked, chan.rx_waiting, 1), what="the receiver parked")
    tx.send("next")
    assert receiver.result() == "next"
    assert racy.stolen == ["stolen"]
    tx.close()
    rx.close()


class HidingDeque(deque[Any]):
    """A channel buffer that looks empty to its next ``hide`` truth tests."""

    hide = 0

    def __bool__(self) -> bool:
        if self.hide:
            self.hide -= 1
            return False
        return len(self) > 0


def test_receiver_taking_at_its_last_look_does_not_hand_the_freed_slot_to_itself() -> None:
    # A receiver finds the buffer empty, registers, and at its last look finds a message;
    # taking it frees the slot, which completes a parked send. That send's message must go
    # to the buffer (or another receiver), not to the taker's own, just withdrawn, entry.
    tx, rx = open_channel(1)
    chan = tx._chan
    hiding = HidingDeque()
    chan.queue = rx._queue = tx._queue = hiding
    tx.send("first")
    sender = Call(lambda: tx.send("second"))
    wait_until(partial(parked, chan.tx_waiting, 1), what="the sender parked")
    hiding.hide = 2  # the fast path and the first look see nothing; the last look sees "first"
    assert rx.recv() == "first"
    sender.result()
    assert rx.recv_timeout(5) == "second"  # not lost
    tx.close()
    rx.close()


def test_whoever_sees_the_last_receiver_closed_finds_the_channel_disconnected(monkeypatch: pytest.MonkeyPatch) -> None:
    # Another thread looks while the last receiver's close is under way (just before the count
    # drops): if it already sees that receiver closed, a send must fail with Disconnected.
    tx, rx = unbounded()
    seen: list[tuple[bool, str]] = []
    original = _unbounded.ListChannel.drop_handle

    def look() -> None:
        try:
            tx.try_send("late")
            outcome = "sent"
        except Disconnected:
            outcome = "disconnected"
        seen.append((rx.closed, outcome))

    def drop_handle(chan: Any, sending: bool) -> list[Any]:
        if not sending:
            Call(look).result()
        return original(chan, sending)

    monkeypatch.setattr(_unbounded.ListChannel, "drop_handle", drop_handle)
    rx.close()
    assert seen and all(outcome == "disconnected" for closed, outcome in seen if closed)
    assert seen == [(False, "sent")]  # the close had not happened yet: the send came before it
    tx.close()
