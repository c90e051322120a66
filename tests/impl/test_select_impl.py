"""Select across the production flavours: one token registered on many channels, completed
exactly once; a wake-up a select does not use is passed on."""

from __future__ import annotations

import sys
import threading
from collections import Counter
from collections.abc import Iterator
from functools import partial
from typing import Any

import pytest
from chanspec.impl import Select, bounded, select, tick, unbounded

from chanspec.errors import Disconnected

from .support import Call, join_all, parked, wait_until


@pytest.fixture(autouse=True)
def frequent_thread_switches() -> Iterator[None]:
    """Interleave threads finely so selects race the channels' own operations."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


def open_channel(capacity: int | None) -> tuple[Any, Any]:
    """A new ``(sender, receiver)``, typed loosely so tests can reach the channel core."""
    return unbounded() if capacity is None else bounded(capacity)


def test_select_over_every_flavour_receives_each_message_once() -> None:
    capacities = [None, 2, 0]
    channels = [open_channel(c) for c in capacities]
    per_channel = 1000
    got: Counter[tuple[int, int]] = Counter()

    def produce(k: int) -> None:
        tx = channels[k][0]
        for i in range(per_channel):
            tx.send((k, i))
        tx.close()

    producers = [threading.Thread(target=produce, args=(k,)) for k in range(len(channels))]
    for thread in producers:
        thread.start()
    with tick(0.001) as ticker:
        sel = Select()
        indices = {sel.recv(rx): k for k, (_, rx) in enumerate(channels)}
        tick_index = sel.recv(ticker)
        open_cases = set(indices)
        while open_cases:
            op = sel.select_timeout(10)
            if op.index == tick_index:
                assert isinstance(op.recv(ticker), float)  # a timer case in the same select
                continue
            rx = channels[indices[op.index]][1]
            try:
                got[op.recv(rx)] += 1
            except Disconnected:
                sel.remove(op.index)
                open_cases.discard(op.index)
    join_all(producers)
    assert got == Counter((k, i) for k in range(len(channels)) for i in range(per_channel))
    for _, rx in channels:
        rx.close()


def test_select_choosing_another_case_passes_its_wake_up_on() -> None:
    # A biased select waits on [b, a] and a plain receiver waits on a, registered after the
    # select, so a send on a wakes the select first. If a message on b is there by the time
    # the select looks again, it takes b, and must hand a's wake-up to the plain receiver.
    passed_on = 0
    for _ in range(150):
        a_tx, a_rx = open_channel(None)
        b_tx, b_rx = open_channel(None)
        plain_rx = a_rx.clone()
        a_waiting, b_waiting = a_rx._chan.rx_waiting, b_rx._chan.rx_waiting
        sel = Select(biased=True)
        sel.recv(b_rx)
        sel.recv(a_rx)
        selector = Call(sel.select)
        wait_until(partial(parked, a_waiting, 1))
        wait_until(partial(parked, b_waiting, 1))
        plain = Call(plain_rx.recv)
        wait_until(partial(parked, a_waiting, 2))
        a_tx.send("a")
        b_tx.send("b")
        op = selector.result()
        if op.index == 0:
            assert op.recv(b_rx) == "b"
            assert plain.result() == "a"  # the wake-up was passed on
            passed_on += 1
        else:
            assert op.recv(a_rx) == "a"
            a_tx.send("a2")
            assert plain.result() == "a2"
        for handle in (a_tx, a_rx, b_tx, b_rx, plain_rx):
            handle.close()
    assert passed_on > 0  # the interesting interleaving happened at least once


def test_parked_select_send_is_completed_by_a_receive() -> None:
    tx, rx = open_channel(1)
    tx.send("first")
    sel = Select()
    index = sel.send(tx, "second")
    selector = Call(sel.select)
    wait_until(lambda: parked(tx._chan.tx_waiting, 1), what="the select parked on the send")
    assert rx.recv() == "first"
    op = selector.result()
    assert op.index == index
    assert op.send(tx) is None
    assert list(tx._chan.queue) == ["second"]  # the receive moved it into the buffer
    assert rx.recv() == "second"
    tx.close()
    rx.close()


def test_parked_select_receive_gets_a_message_handed_over() -> None:
    tx, rx = open_channel(1)
    other_tx, other_rx = open_channel(0)
    sel = Select()
    sel.recv(other_rx)
    index = sel.recv(rx)
    selector = Call(sel.select)
    wait_until(lambda: parked(rx._chan.rx_waiting, 1), what="the select parked on the receive")
    tx.send("handed")
    op = selector.result()
    assert op.index == index
    assert op.recv(rx) == "handed"
    assert len(rx._chan.queue) == 0
    tx.try_send("room left")  # the hand-off used no room
    assert rx.try_recv() == "room left"
    assert not other_rx._chan.rx_waiting  # withdrawn from the other channel
    for handle in (tx, rx, other_tx, other_rx):
        handle.close()


def test_rendezvous_selects_pair_off_and_never_with_themselves() -> None:
    tx, rx = open_channel(0)
    threads = 12
    results: list[tuple[str, Any] | None] = [None] * threads
    senders = [tx.clone() for _ in range(threads)]
    receivers = [rx.clone() for _ in range(threads)]

    def run(k: int) -> None:
        index, value = select((senders[k], k), receivers[k], timeout=10)
        results[k] = ("sent", k) if index == 0 else ("received", value)

    workers = [threading.Thread(target=run, args=(k,)) for k in range(threads)]
    for worker in workers:
        worker.start()
    join_all(workers)
    sent = sorted(value for kind, value in filter(None, results) if kind == "sent")
    received = sorted(value for kind, value in filter(None, results) if kind == "received")
    assert sent == received and len(sent) == threads // 2
    for k, result in enumerate(results):
        assert result != ("received", k)  # nobody paired with itself
    for handle in (tx, rx, *senders, *receivers):
        handle.close()


def test_one_token_completes_exactly_one_case_under_contention() -> None:
    # Many sends race to complete one parked select over several rendezvous channels:
    # exactly one pairs, the others stay parked (then are released by disconnection).
    channels = [open_channel(0) for _ in range(6)]
    sel = Select()
    for _, rx in channels:
        sel.recv(rx)
    selector = Call(sel.select)
    for _, rx in channels:
        wait_until(partial(parked, rx._chan.rx_waiting, 1))
    senders = [Call(partial(tx.send, k)) for k, (tx, _) in enumerate(channels)]
    op = selector.result()
    assert op.recv(channels[op.index][1]) == op.index
    for k, (_, rx) in enumerate(channels):
        if k != op.index:
            rx.close()  # the senders that did not pair get their message back
    for k, call in enumerate(senders):
        if k == op.index:
            assert call.result() is None
        else:
            error = call.raised()
            assert isinstance(error, Disconnected) and error.message == k
    for tx, rx in channels:
        tx.close()
        rx.close()
