"""Closing a handle from the garbage collector: never blocks, never deadlocks, even inside
the channel's own critical section; the close is applied when that section ends."""

from __future__ import annotations

import gc
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from chanspec.impl import bounded, unbounded
from chanspec.impl._waiters import WaitQueue

from chanspec.errors import Disconnected

from .support import Call, parked, wait_until


@contextmanager
def unclosed_handles_expected() -> Iterator[list[warnings.WarningMessage]]:
    """Collect the ResourceWarnings of handles collected without ``close()``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        yield caught


def open_channel(capacity: int | None) -> tuple[Any, Any]:
    """A new ``(sender, receiver)``, typed loosely so tests can reach the channel core."""
    return unbounded() if capacity is None else bounded(capacity)


@pytest.mark.parametrize("capacity", [None, 1, 0], ids=["unbounded", "bounded1", "zero"])
def test_collecting_a_handle_while_this_thread_holds_the_lock_defers_the_close(capacity: int | None) -> None:
    tx, rx = open_channel(capacity)
    chan = tx._chan
    clone = tx.clone()
    with unclosed_handles_expected() as caught:
        chan.lock.acquire()
        try:
            del clone  # the finalizer runs right here, inside the critical section
            assert chan.senders == 2  # not applied yet: the lock is taken
        finally:
            chan.unlock()  # the end of the critical section applies it
    assert chan.senders == 1
    assert [w.category for w in caught] == [ResourceWarning]
    tx.close()
    rx.close()


@pytest.mark.parametrize("capacity", [None, 1, 0], ids=["unbounded", "bounded1", "zero"])
def test_deferred_close_of_the_last_sender_wakes_parked_receivers(capacity: int | None) -> None:
    tx, rx = open_channel(capacity)
    chan = rx._chan
    receiver = Call(rx.recv)
    wait_until(lambda: parked(chan.rx_waiting, 1), what="a parked receiver")
    with unclosed_handles_expected():
        chan.lock.acquire()
        try:
            del tx
            assert not chan.tx_gone
        finally:
            chan.unlock()
    assert isinstance(receiver.raised(), Disconnected)
    rx.close()


def test_deferred_close_of_the_last_receiver_discards_and_fails_parked_senders() -> None:
    tx, rx = open_channel(1)
    chan = tx._chan
    tx.send("buffered")
    sender = Call(lambda: tx.send("waiting"))
    wait_until(lambda: parked(chan.tx_waiting, 1), what="a parked sender")
    with unclosed_handles_expected():
        chan.lock.acquire()
        try:
            del rx
        finally:
            chan.unlock()
    error = sender.raised()
    assert isinstance(error, Disconnected) and error.message == "waiting"
    assert len(chan.queue) == 0
    tx.close()


def test_collecting_while_another_thread_holds_the_lock_is_applied_when_it_unlocks() -> None:
    tx, rx = open_channel(None)
    chan = tx._chan
    clone = rx.clone()
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        chan.lock.acquire()
        holding.set()
        release.wait(10)
        chan.unlock()

    holder = Call(hold)
    assert holding.wait(10)
    with unclosed_handles_expected():
        del clone  # cannot take the lock: deferred, and this thread does not block
    assert chan.receivers == 2
    release.set()
    holder.result()
    assert chan.receivers == 1
    tx.close()
    rx.close()


def test_collecting_with_the_lock_free_applies_at_once() -> None:
    tx, rx = open_channel(None)
    chan = tx._chan
    with unclosed_handles_expected() as caught:
        del tx
    assert chan.tx_gone and len(caught) == 1
    with pytest.raises(Disconnected):
        rx.try_recv()
    rx.close()


def test_a_handle_in_a_reference_cycle_is_closed_by_the_collector() -> None:
    tx, rx = open_channel(None)
    chan = rx._chan

    class Holder:
        pass

    holder = Holder()
    holder.me = holder  # type: ignore[attr-defined]
    holder.handle = tx.clone()  # type: ignore[attr-defined]
    del holder
    with unclosed_handles_expected() as caught:
        gc.collect()
    assert chan.senders == 1 and len(caught) == 1
    tx.close()
    rx.close()


def test_collector_running_inside_a_wake_up_does_not_deadlock() -> None:
    # The finalizer fires in the middle of a critical section that is waking a receiver.
    tx, rx = open_channel(None)
    chan = tx._chan
    spare = [tx.clone()]
    original = WaitQueue.wake_one

    def wake_one_and_collect(waiting: Any) -> None:
        spare.clear()  # drops the last reference: the clone's finalizer runs under the lock
        original(waiting)

    receiver = Call(rx.recv)
    wait_until(lambda: parked(chan.rx_waiting, 1), what="a parked receiver")
    WaitQueue.wake_one = wake_one_and_collect  # type: ignore[method-assign,assignment]
    try:
        with unclosed_handles_expected() as caught:
            tx.send("m")
    finally:
        WaitQueue.wake_one = original  # type: ignore[method-assign]
    assert receiver.result() == "m"
    assert chan.senders == 1 and len(caught) == 1
    tx.close()
    rx.close()


def test_messages_discarded_by_the_last_receiver_are_dropped_outside_the_lock() -> None:
    tx, rx = open_channel(3)
    chan = tx._chan
    lock_was_free: list[bool] = []

    class Watcher:
        def __del__(self) -> None:
            lock_was_free.append(not chan.lock.locked())

    tx.send(Watcher())
    tx.send(Watcher())
    rx.close()
    assert lock_was_free == [True, True]  # a destructor could use the channel without deadlock
    tx.close()
