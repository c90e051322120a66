"""Many threads hammering the races the production channels must win: parking against
appending, timeouts against wake-ups and hand-offs, closes against blocked calls.

Every message must be delivered exactly once or handed back inside an error.
Sizes are small enough to keep each test well under a second or two.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from functools import partial
from typing import Any

import pytest
from chanspec.impl import bounded, unbounded

from chanspec.errors import Disconnected, Empty, HandleClosed, Timeout

from .support import Call, join_all, parked, wait_until

CAPACITIES = [None, 1, 2, 0]
IDS = ["unbounded", "bounded1", "bounded2", "zero"]


@pytest.fixture(autouse=True)
def frequent_thread_switches() -> Iterator[None]:
    """Switch threads every few microseconds instead of every 5 ms, so the GIL lets the
    racing threads interleave inside the short windows these tests aim at."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


def open_channel(capacity: int | None) -> tuple[Any, Any]:
    """A new ``(sender, receiver)``, typed loosely so tests can reach the channel core."""
    return unbounded() if capacity is None else bounded(capacity)


@pytest.mark.parametrize("capacity", CAPACITIES, ids=IDS)
def test_receiver_parking_while_sender_appends_misses_nothing(capacity: int | None) -> None:
    # Each round the receiver drains and parks just as the next message comes: the window
    # between "the buffer is empty" and "I am registered" is crossed thousands of times.
    tx, rx = open_channel(capacity)
    ack_tx, ack_rx = unbounded()
    rounds = 3000

    def echo() -> None:
        for _ in range(rounds):
            ack_tx.send(rx.recv())

    worker = threading.Thread(target=echo, daemon=True)
    worker.start()
    for i in range(rounds):
        tx.send(i)
        assert ack_rx.recv_timeout(10) == i
    join_all([worker])
    for handle in (tx, rx, ack_tx, ack_rx):
        handle.close()


def spin_until(predicate: Any, what: str, timeout: float = 5.0) -> None:
    """Busy-wait (holding the GIL between forced switches) until ``predicate()`` holds: the
    spinning thread stays runnable, so it can interrupt the other thread anywhere."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s (a lost wake-up?)")


@pytest.mark.parametrize("capacity", CAPACITIES, ids=IDS)
def test_parking_receiver_races_a_running_sender(capacity: int | None) -> None:
    # The sender never sleeps: it spins until the previous message arrived, then sends the
    # next one at once. The receiver is then somewhere between finding the channel empty
    # and parking, and a lost wake-up leaves it parked with the message next to it.
    tx, rx = open_channel(capacity)
    got: list[int] = []
    rounds = 1500
    worker = threading.Thread(target=lambda: got.extend(rx), daemon=True)
    worker.start()
    for i in range(rounds):
        if capacity == 0:
            tx.send(i)
        else:
            tx.try_send(i)
        spin_until(lambda i=i: len(got) > i, what=f"message {i} delivered")
    tx.close()
    join_all([worker])
    assert got == list(range(rounds))
    rx.close()


@pytest.mark.parametrize("capacity", [1, 2], ids=["bounded1", "bounded2"])
def test_parking_sender_races_a_running_receiver(capacity: int) -> None:
    # Mirror image: the buffer is full, the sender is on its way to park, and the receiver
    # (spinning, never sleeping) frees a slot right then.
    tx, rx = bounded(capacity)
    sent = [0]
    rounds = 1500

    def produce() -> None:
        for i in range(rounds + capacity):
            tx.send(i)
            sent[0] = i + 1

    worker = threading.Thread(target=produce, daemon=True)
    worker.start()
    got: list[int] = []
    for i in range(rounds):
        spin_until(lambda i=i: sent[0] >= i + capacity, what=f"the buffer filled up again (round {i})")
        got.append(rx.try_recv())
    got.extend(rx.try_recv() for _ in range(capacity))
    join_all([worker])
    assert got == list(range(rounds + capacity))
    tx.close()
    rx.close()


@pytest.mark.parametrize("capacity", CAPACITIES, ids=IDS)
def test_many_producers_and_consumers_deliver_each_message_once(capacity: int | None) -> None:
    tx, rx = open_channel(capacity)
    producers, consumers, per_producer = 4, 4, 3000
    received: list[list[tuple[int, int]]] = [[] for _ in range(consumers)]
    senders = [tx.clone() for _ in range(producers)]
    receivers = [rx.clone() for _ in range(consumers)]
    tx.close()

    def produce(k: int) -> None:
        with senders[k]:
            for i in range(per_producer):
                senders[k].send((k, i))

    def consume(k: int) -> None:
        received[k].extend(receivers[k])  # until disconnected and drained

    threads = [threading.Thread(target=produce, args=(k,)) for k in range(producers)]
    threads += [threading.Thread(target=consume, args=(k,)) for k in range(consumers)]
    for thread in threads:
        thread.start()
    join_all(threads)
    everything = [item for part in received for item in part]
    assert sorted(everything) == [(k, i) for k in range(producers) for i in range(per_producer)]
    for part in received:  # each producer's messages keep their order at every consumer
        for k in range(producers):
            mine = [i for (p, i) in part if p == k]
            assert mine == sorted(mine)
    for handle in (rx, *receivers):
        handle.close()


@pytest.mark.parametrize("capacity", CAPACITIES, ids=IDS)
def test_receive_timeouts_racing_sends_lose_nothing(capacity: int | None) -> None:
    # Receivers give up after a tiny timeout and try again; a wake-up (or a hand-off) that
    # lands just as one gives up must not be lost, nor the message it announced.
    tx, rx = open_channel(capacity)
    total = 2000
    got: list[list[int]] = [[], [], []]
    receivers = [rx.clone() for _ in got]

    def consume(k: int) -> None:
        while True:
            try:
                got[k].append(receivers[k].recv_timeout(0.0005))
            except Timeout:
                continue
            except Disconnected:
                return

    threads = [threading.Thread(target=consume, args=(k,)) for k in range(len(got))]
    for thread in threads:
        thread.start()
    for i in range(total):
        tx.send(i)
    tx.close()
    join_all(threads)
    assert sorted(m for part in got for m in part) == list(range(total))
    for handle in (rx, *receivers):
        handle.close()


@pytest.mark.parametrize("capacity", [1, 2, 0], ids=["bounded1", "bounded2", "zero"])
def test_send_timeouts_racing_receives_lose_nothing(capacity: int) -> None:
    # Senders give up after a tiny timeout: each message is then either delivered or
    # handed back in Timeout.message, never both, never neither.
    tx, rx = bounded(capacity)
    per_sender = 700
    handed_back: Counter[int] = Counter()
    received: list[int] = []
    senders = [tx.clone() for _ in range(3)]
    tx.close()

    def produce(k: int) -> None:
        with senders[k]:
            for i in range(per_sender):
                message = k * per_sender + i
                while True:
                    try:
                        senders[k].send_timeout(message, 0.0003)
                        break
                    except Timeout as error:
                        assert error.message == message
                        handed_back[message] += 1  # retried below: must not also be delivered now

    def consume() -> None:
        received.extend(rx)

    threads = [threading.Thread(target=produce, args=(k,)) for k in range(len(senders))]
    threads.append(threading.Thread(target=consume))
    for thread in threads:
        thread.start()
    join_all(threads)
    assert sorted(received) == list(range(len(senders) * per_sender))
    rx.close()


@pytest.mark.parametrize("capacity", [0], ids=["zero"])
def test_rendezvous_with_both_sides_timed_pairs_each_message_once(capacity: int) -> None:
    tx, rx = bounded(capacity)
    total = 1500
    received: list[int] = []

    def consume() -> None:
        while True:
            try:
                received.append(rx.recv_timeout(0.0002))
            except Timeout:
                continue
            except Disconnected:
                return

    worker = threading.Thread(target=consume)
    worker.start()
    for i in range(total):
        while True:
            try:
                tx.send_timeout(i, 0.0002)
                break
            except Timeout as error:
                assert error.message == i
    tx.close()
    join_all([worker])
    assert received == list(range(total))
    rx.close()


@pytest.mark.parametrize("capacity", [1, 0], ids=["bounded1", "zero"])
def test_last_receiver_close_fails_every_blocked_sender_with_its_message(capacity: int) -> None:
    tx, rx = open_channel(capacity)
    chan = tx._chan
    if capacity:
        tx.send("buffered")
    senders = [tx.clone() for _ in range(5)]
    calls = [Call(partial(s.send, k)) for k, s in enumerate(senders)]
    wait_until(lambda: len(chan.tx_waiting) == 5, what="five parked senders")
    rx.close()
    for k, call in enumerate(calls):
        error = call.raised()
        assert isinstance(error, Disconnected)
        assert error.message == k
    assert len(chan.queue if capacity else []) == 0  # the buffer was discarded
    for handle in (tx, *senders):
        handle.close()


@pytest.mark.parametrize("capacity", [None, 2], ids=["unbounded", "bounded2"])
def test_wake_up_reaching_a_receiver_whose_handle_closes_is_passed_on(capacity: int | None) -> None:
    # A send wakes the oldest parked receiver; if another thread closes that receiver's handle
    # at the same moment, it leaves with HandleClosed and must pass the wake-up on.
    for _ in range(200):
        tx, rx = open_channel(capacity)
        first, second = rx.clone(), rx.clone()
        chan = tx._chan
        a = Call(first.recv)
        wait_until(partial(parked, chan.rx_waiting, 1), what="the first receiver parked")
        b = Call(second.recv)
        wait_until(partial(parked, chan.rx_waiting, 2), what="the second receiver parked")
        closer = threading.Thread(target=first.close)
        closer.start()
        tx.send("m")
        join_all([closer])
        a.thread.join(10)
        if a.error is None:
            assert a.value == "m"
            tx.send("n")  # the first got it before its close: give the second one too
            assert b.result() == "n"
        else:
            assert isinstance(a.error, HandleClosed)
            assert b.result() == "m"
        for handle in (tx, rx, second):
            handle.close()


def test_try_recv_right_after_last_sender_closes_sees_every_message() -> None:
    for _ in range(300):
        tx, rx = unbounded()
        worker = threading.Thread(target=lambda tx=tx: (tx.send(1), tx.close()))
        worker.start()
        seen: list[int] = []
        while True:
            try:
                seen.append(rx.try_recv())
            except Empty:
                continue
            except Disconnected:
                break
        join_all([worker])
        assert seen == [1]
        rx.close()
