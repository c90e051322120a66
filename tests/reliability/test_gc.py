"""Garbage collection: handles dropped without ``close()`` are closed by the collector, wherever and
whenever it runs, with a ``ResourceWarning`` each, the right count, and no deadlock.

Handles are dropped plainly (``del``), in reference cycles, from inside other
objects' finalizers, from other threads, and while the dropping thread holds the
channel's own lock (the collector may run at any allocation, including one inside
a channel operation). Afterwards the channel must still count exactly the handles
that are left: it stays connected while one handle of a side is open and
disconnects when the last one goes.
"""

from __future__ import annotations

import gc
import random
import threading
import warnings
from collections.abc import Callable
from functools import partial
from types import ModuleType
from typing import Any

import pytest

from chanspec.errors import Disconnected, Empty, Full

from ..channels.helpers import BOUNDED_1, UNBOUNDED, ZERO, Flavour, Token, Worker, resource_warnings
from . import tally
from .internals import holding_lock
from .scale import size

CLONABLE = (UNBOUNDED, BOUNDED_1, ZERO)

STORM_ROUNDS = size(2_000, 20_000)
"""Messages per flavour in the collection storm."""


class Holder:
    """Holds a handle and lets go of it from its own finalizer (a nested finalizer)."""

    def __init__(self, handle: Any) -> None:
        self.handle: Any = handle

    def __del__(self) -> None:
        self.handle = None


def drop_plainly(box: list[Any]) -> None:
    box.clear()


def drop_in_a_cycle(box: list[Any]) -> None:
    cycle: list[Any] = [box.pop()]
    cycle.append(cycle)


def drop_from_a_finalizer(box: list[Any]) -> None:
    holder = Holder(box.pop())
    holder.me = holder  # type: ignore[attr-defined]  # a cycle: the collector runs Holder.__del__


def drop_on_another_thread(box: list[Any]) -> None:
    Worker(box.clear).start().result()


DROPS: dict[str, Callable[[list[Any]], None]] = {
    "del": drop_plainly,
    "cycle": drop_in_a_cycle,
    "finalizer": drop_from_a_finalizer,
    "thread": drop_on_another_thread,
}
"""Ways to let go of the only reference to a handle, which is in the one-item list given."""


def connected_for_receivers(rx: Any) -> bool:
    """Whether some sender is still counted (a receive finds Empty, not Disconnected)."""
    try:
        rx.try_recv()
    except Empty:
        return True
    except Disconnected:
        return False
    raise AssertionError("a message appeared")


def connected_for_senders(tx: Any) -> bool:
    """Whether some receiver is still counted (a send finds room or Full, not Disconnected)."""
    try:
        tx.try_send(Token(0))
    except Full:
        return True
    except Disconnected:
        return False
    return True


@pytest.mark.parametrize("flavour", CLONABLE, ids=lambda f: f.name)
@pytest.mark.parametrize("how", list(DROPS))
def test_dropped_clones_are_closed_and_counted(api: ModuleType, flavour: Flavour, how: str) -> None:
    tx, rx = flavour.open(api)
    kept_tx, kept_rx = tx.clone(), rx.clone()
    with resource_warnings() as found:
        for _ in range(2):
            DROPS[how]([tx.clone()])
            DROPS[how]([rx.clone()])
    assert len(found) == 4, [str(w.message) for w in found]
    tally.add("gc_handles", 4)
    tx.close()
    rx.close()
    assert connected_for_receivers(kept_rx) and connected_for_senders(kept_tx)
    if not flavour.rendezvous:
        kept_rx.recv()  # the probe connected_for_senders sent
    box = [kept_tx]
    del kept_tx
    with resource_warnings() as found:
        DROPS[how](box)  # the last sender, dropped the same way
    assert len(found) == 1
    assert not connected_for_receivers(kept_rx)
    box = [kept_rx]
    del kept_rx
    with resource_warnings() as found:
        DROPS[how](box)
    assert len(found) == 1
    tally.add("gc_handles", 2)


@pytest.mark.parametrize("flavour", CLONABLE, ids=lambda f: f.name)
@pytest.mark.parametrize("side", ["sender", "receiver"])
def test_a_handle_collected_inside_the_channels_own_critical_section(
    api: ModuleType, flavour: Flavour, side: str
) -> None:
    """The collector runs a handle's finalizer while this very thread holds the channel's lock:
    the close must neither block nor be lost; it takes effect when the section ends."""
    tx, rx = flavour.open(api)
    if side == "receiver" and flavour.capacity == 1:
        tx.send(Token(0))  # full: the next send blocks
    blocked = None
    if side == "sender":
        blocked = Worker(rx.recv).start_blocked()
        box, other = [tx], rx
        del tx
    else:
        if flavour.capacity is not None:
            blocked = Worker(partial(tx.send, Token(1))).start_blocked()
        box, other = [rx], tx
        del rx

    def drop_inside() -> None:
        with holding_lock(api, other):  # the other side's handle names the same channel
            box.clear()  # the last handle of that side: its finalizer runs right here

    with resource_warnings() as found:
        Worker(drop_inside).start().result(timeout=10.0)  # a deadlock fails here, bounded
        if blocked is not None:
            assert isinstance(blocked.raised(), Disconnected)
    assert len(found) == 1
    if side == "receiver":
        with pytest.raises(Disconnected):
            other.try_send(Token(2))
    else:
        with pytest.raises(Disconnected):
            other.try_recv()
    other.close()
    tally.add("gc_handles")


@pytest.mark.parametrize("flavour", CLONABLE, ids=lambda f: f.name)
def test_a_collection_storm_during_traffic_keeps_the_count(api: ModuleType, flavour: Flavour) -> None:
    """Two threads exchange messages while the collector runs after almost every allocation, and
    every round leaves an unclosed clone of *this* channel in a reference cycle, so clones are
    closed by finalizers running inside this channel's own critical sections, on both threads.
    At the end exactly the handles still open are counted."""
    tx, rx = flavour.open(api)
    rounds = STORM_ROUNDS
    chooser = random.Random(5)

    def produce() -> None:
        for i in range(rounds):
            cycle: list[Any] = [tx.clone() if i % 2 else rx.clone()]
            cycle.append(cycle)
            del cycle
            tx.send(i)
        tx.close()

    consumer_clones = []

    def consume() -> list[int]:
        got = []
        for message in rx:
            got.append(message)
            if chooser.random() < 0.3:
                cycle: list[Any] = [rx.clone()]
                cycle.append(cycle)
                del cycle
                consumer_clones.append(1)
        return got

    thresholds = gc.get_threshold()
    try:
        with resource_warnings() as found:
            gc.set_threshold(5, 1000, 1000)  # a young collection every five allocations
            producer = Worker(produce).start()
            consumer = Worker(consume).start()
            producer.result(timeout=120.0)
            gc.set_threshold(*thresholds)
            gc.collect()  # clones still waiting in garbage cycles keep the channel connected until now
            received = consumer.result(timeout=120.0)
    finally:
        gc.set_threshold(*thresholds)
    assert received == list(range(rounds)), "the storm lost, duplicated or reordered messages"
    clones = rounds + len(consumer_clones)
    assert len(found) == clones, f"{len(found)} ResourceWarnings for {clones} dropped clones"
    tally.add("gc_handles", clones)
    with pytest.raises(Disconnected):
        rx.try_recv()  # every sender is gone: the clones were all closed, none counted twice
    rx.close()


def test_a_handle_dropped_on_another_thread_while_its_channel_is_busy(api: ModuleType) -> None:
    """Thread A is blocked in a receive; thread B drops the last sender, unclosed, while thread C
    sends: A gets C's message or Disconnected after it, never hangs."""
    tx, rx = api.bounded(1)
    receiver = Worker(rx.recv).start_blocked()
    other = tx.clone()
    start = threading.Barrier(2)

    def drop() -> None:
        start.wait()
        box.clear()

    def send() -> None:
        start.wait()
        other.send(Token(7))
        other.close()

    box = [tx]
    del tx
    with resource_warnings() as found:
        workers = [Worker(drop).start(), Worker(send).start()]
        for worker in workers:
            worker.result()
        assert receiver.result().number == 7
    with pytest.raises(Disconnected):
        rx.recv_timeout(5.0)
    assert len(found) == 1
    tally.add("gc_handles")


def test_a_select_keeps_its_handles_alive(api: ModuleType) -> None:
    """A handle given only to a ``Select`` is in use: the collector must not close it."""
    tx, rx = api.unbounded()
    sel = api.Select()
    sel.recv(rx.clone())  # the Select holds the only reference to this clone
    sel.recv(api.never())
    gc.collect()
    tx.send(Token(1))
    with resource_warnings() as found:
        op = sel.select_timeout(5.0)
        assert op.index == 0
        assert op.recv(rx).number == 1
    assert found == []
    tally.add("gc_handles")


@pytest.mark.parametrize("flavour", CLONABLE, ids=lambda f: f.name)
def test_a_resource_warning_turned_into_an_error_does_not_lose_the_close(
    api: ModuleType, flavour: Flavour, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under ``-W error::ResourceWarning`` the finalizer's warning raises (reported as
    unraisable): the close has happened before it, so the channel still disconnects."""
    tx, rx = flavour.open(api)
    unraisable: list[Any] = []
    monkeypatch.setattr("sys.unraisablehook", unraisable.append)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)
        del tx
        gc.collect()
    assert [type(u.exc_value) for u in unraisable] == [ResourceWarning]
    with pytest.raises(Disconnected):
        rx.recv_timeout(5.0)
    rx.close()
    tally.add("gc_handles")
