"""The lock-free fast paths, and who a wake-up reaches: exactly the waiter that must wake."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from chanspec.impl import _bounded, _unbounded, bounded, unbounded

from chanspec.errors import Disconnected

from .support import Call, CountingLock, wait_until


def core(handle: Any) -> Any:
    """The channel core behind a production handle."""
    return handle._chan


def count_lock(handle: Any) -> CountingLock:
    """Swap the channel's lock for one that counts acquisitions (before any thread uses it)."""
    lock = CountingLock()
    core(handle).lock = lock
    return lock


@pytest.mark.parametrize("capacity", [None, 2])
def test_buffered_fast_paths_take_no_lock_but_to_place_a_bounded_send(capacity: int | None) -> None:
    tx, rx = unbounded() if capacity is None else bounded(capacity)
    lock = count_lock(tx)
    for round_ in range(100):
        tx.send(round_)
        tx.try_send(-round_)
        assert rx.recv() == round_
        assert rx.recv_timeout(0) == -round_
    for i in range(capacity or 10):  # fill up and drain
        tx.send(i)
    assert list(rx.try_iter()) == list(range(capacity or 10))
    sends = 0 if capacity is None else 200 + capacity  # a bounded send checks its room under the lock
    assert lock.acquired == sends  # and no receive took it
    tx.close()
    rx.close()


@pytest.mark.parametrize("capacity", [None, 3])
def test_one_send_wakes_exactly_one_of_several_parked_receivers(capacity: int | None) -> None:
    tx, rx = unbounded() if capacity is None else bounded(capacity)
    receivers = [rx.clone() for _ in range(3)]
    calls = [Call(r.recv, name=f"receiver{i}") for i, r in enumerate(receivers)]
    waiting = core(rx).rx_waiting
    wait_until(lambda: len(waiting) == 3, what="three parked receivers")

    tx.send("only")
    wait_until(lambda: sum(call.done for call in calls) == 1, what="one receiver returning")
    assert len(waiting) == 2  # the other two stayed parked: nobody else was woken
    assert [call.value for call in calls if call.done] == ["only"]

    tx.close()  # the last sender: every parked receiver wakes with Disconnected
    for call in calls:
        if call.value != "only":
            assert isinstance(call.raised(), Disconnected)
    for handle in [rx, *receivers]:
        handle.close()


def test_bounded_send_hands_message_to_parked_receiver() -> None:
    tx, rx = bounded(1)
    chan = core(tx)
    call = Call(rx.recv)
    wait_until(lambda: len(chan.rx_waiting) == 1, what="a parked receiver")
    tx.send("direct")
    assert call.result() == "direct"
    assert len(chan.queue) == 0  # never went through the buffer
    tx.try_send("buffered")  # so the room is still free: the next send does not block
    assert rx.try_recv() == "buffered"
    tx.close()
    rx.close()


def test_receive_completes_a_parked_send() -> None:
    tx, rx = bounded(1)
    chan = core(tx)
    tx.send("first")
    sender = Call(lambda: tx.send("second"))
    wait_until(lambda: len(chan.tx_waiting) == 1, what="a parked sender")
    assert rx.recv() == "first"
    assert sender.result() is None  # the receive moved "second" into the buffer for it
    assert list(chan.queue) == ["second"]
    assert len(chan.tx_waiting) == 0
    assert rx.recv() == "second"
    tx.close()
    rx.close()


def test_unbounded_send_wakes_no_one_when_nobody_waits() -> None:
    tx, rx = unbounded()
    woken: list[str] = []
    original = _unbounded.ListChannel.after_append

    def spy(chan: Any) -> None:
        woken.append("after_append")
        original(chan)

    _unbounded.ListChannel.after_append = spy  # type: ignore[method-assign,assignment]
    try:
        for i in range(50):
            tx.send(i)
        assert list(rx.try_iter()) == list(range(50))
    finally:
        _unbounded.ListChannel.after_append = original  # type: ignore[method-assign]
    assert woken == []
    tx.close()
    rx.close()


@pytest.mark.parametrize("capacity", [None, 1, 0])
def test_idle_blocked_receivers_park_once_and_stay_parked(capacity: int | None) -> None:
    tx, rx = unbounded() if capacity is None else bounded(capacity)
    parks: list[int] = []
    module: Any = {None: _unbounded, 1: _bounded}.get(capacity)
    if module is None:
        from chanspec.impl import _zero as module
    original = module.park

    def counting_park(*args: Any) -> bool:
        parks.append(threading.get_ident())
        return original(*args)  # type: ignore[no-any-return]

    module.park = counting_park
    try:
        receivers = [rx.clone() for _ in range(4)]
        calls = [Call(r.recv) for r in receivers]
        wait_until(lambda: len(parks) == 4, what="four parked receivers")
        threading.Event().wait(0.1)  # let time pass: a polling waiter would park again
        assert len(parks) == 4
        assert not any(call.done for call in calls)
        tx.close()
        for call in calls:
            assert isinstance(call.raised(), Disconnected)
    finally:
        module.park = original
    for handle in [rx, *receivers]:
        handle.close()
