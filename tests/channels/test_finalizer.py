"""A handle the garbage collector finds unclosed is closed, with a ResourceWarning, and never deadlocks."""

from __future__ import annotations

import gc
import random
import weakref
from types import ModuleType
from typing import Any

import pytest

from chanspec.errors import Disconnected, Empty

from .conftest import Closer
from .helpers import BUFFERED, CLONABLE, UNBOUNDED, Flavour, Token, Worker, resource_warnings, with_flavours


def test_dropped_sender_closes_the_channel(api: ModuleType, flavour: Flavour) -> None:
    tx, rx = flavour.open(api)
    if flavour.buffered:
        tx.send("buffered")
    with resource_warnings() as found:
        del tx
    assert len(found) == 1 and "Sender" in str(found[0].message)
    if flavour.buffered:
        assert rx.recv() == "buffered"  # still delivered after the disconnection
    with pytest.raises(Disconnected):
        rx.recv_timeout(5.0)
    rx.close()


def test_dropped_receiver_closes_the_channel(api: ModuleType, flavour: Flavour) -> None:
    tx, rx = flavour.open(api)
    refs = []
    if flavour.buffered:
        message = Token(1)
        refs.append(weakref.ref(message))
        tx.send(message)
        del message
    with resource_warnings() as found:
        del rx
    assert len(found) == 1 and "Receiver" in str(found[0].message)
    assert [ref() for ref in refs] == [None] * len(refs)  # the buffer went with the last receiver
    returned = Token(2)
    with pytest.raises(Disconnected) as caught:
        tx.send(returned)
    assert caught.value.message is returned
    tx.close()


def test_closed_handles_are_collected_silently(api: ModuleType, flavour: Flavour) -> None:
    tx, rx = flavour.open(api)
    with resource_warnings() as found:
        tx.close()
        rx.close()
        del tx, rx
    assert found == []


@with_flavours(*CLONABLE)
def test_dropped_clone_leaves_the_others_connected(api: ModuleType, flavour: Flavour, closer: Closer) -> None:
    tx, rx = closer.open(api, flavour)
    with resource_warnings() as found:
        tx.clone()  # dropped at once
        rx.clone()
    assert len(found) == 2
    with pytest.raises(Empty):
        rx.try_recv()
    if flavour.buffered:
        tx.send("still connected")
        assert rx.recv() == "still connected"


def test_dropped_last_sender_wakes_a_blocked_receiver(api: ModuleType, flavour: Flavour) -> None:
    tx, rx = flavour.open(api)
    worker = Worker(rx.recv).start_blocked()
    with resource_warnings():
        del tx
    assert isinstance(worker.raised(), Disconnected)
    rx.close()


@with_flavours(*BUFFERED)
def test_finalizer_run_by_discarding_a_buffer_does_not_deadlock(api: ModuleType, flavour: Flavour) -> None:
    # The last receiver's close drops the buffered messages; one holds an unclosed sender of
    # another channel and one an unclosed sender of this very channel, so their finalizers
    # run from inside that close.
    tx, rx = flavour.open(api)
    other_tx, other_rx = api.unbounded()
    tx.send([other_tx])
    if flavour.room > 1:
        tx.send([tx.clone()])
    del other_tx
    worker = Worker(rx.close)
    with resource_warnings() as found:
        worker.start().result()
    assert len(found) == (2 if flavour.room > 1 else 1)
    with pytest.raises(Disconnected):
        other_rx.recv_timeout(5.0)
    tx.close()
    other_rx.close()


def test_collection_in_the_middle_of_traffic_never_deadlocks(api: ModuleType, closer: Closer) -> None:
    # Cyclic garbage holding unclosed senders, collected at random allocations, including
    # those made inside a channel's critical section on the thread that holds it.
    watched: list[Any] = []
    tx, rx = closer.open(api, UNBOUNDED)
    rounds = 3000

    def traffic() -> None:
        chooser = random.Random(7)
        for i in range(rounds):
            garbage_tx, garbage_rx = api.bounded(chooser.choice([0, 1, 4]))
            watched.append(garbage_rx)
            cycle: list[Any] = [garbage_tx]
            cycle.append(cycle)
            del cycle, garbage_tx
            # The next collection comes after a random number of allocations: sometimes
            # inside the send or the receive below.
            gc.set_threshold(chooser.randint(1, 15), 1, 1)
            tx.send(i)
            assert rx.recv() == i

    thresholds = gc.get_threshold()
    try:
        with resource_warnings() as found:
            Worker(traffic).start().result(timeout=60.0)
    finally:
        gc.set_threshold(*thresholds)
    assert len(found) == rounds
    for garbage_rx in watched:
        with pytest.raises(Disconnected):
            garbage_rx.recv_timeout(5.0)
        garbage_rx.close()


def test_a_collected_timer_receiver_closes_quietly(api: ModuleType) -> None:
    """Nobody waits for a timer receiver to close, so forgetting one is no leak worth a warning:
    ``select(rx, after(1))`` is the idiom."""
    for make in (lambda: api.after(60), lambda: api.tick(60), api.never):
        timer = make()
        probe = weakref.ref(timer)
        with resource_warnings() as found:
            del timer
        assert found == [] and probe() is None
