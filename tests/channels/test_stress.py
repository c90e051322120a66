"""Many messages, many threads, many channels: nothing lost, nothing duplicated, order kept.

Sizes are chosen so the whole suite stays fast on two cores; the counts are
still large enough that a lost wake-up or a race shows up as a hang (bounded
joins fail the test) or as a wrong tally.
"""

from __future__ import annotations

import gc
import random
import threading
import time
import weakref
from collections import Counter, defaultdict
from functools import partial
from types import ModuleType
from typing import Any

import pytest

from chanspec.errors import Disconnected, Full, HandleClosed, Timeout

from .conftest import Closer
from .helpers import (
    BOUNDED_1,
    BOUNDED_N,
    FLAVOURS,
    STD_CHANNEL,
    STD_SYNC,
    UNBOUNDED,
    ZERO,
    Flavour,
    Token,
    Worker,
    with_flavours,
)

WIDE = Flavour("bounded64", 64)


@pytest.mark.parametrize(
    ("flavour", "count"),
    [(UNBOUNDED, 100_000), (WIDE, 100_000), (BOUNDED_1, 10_000), (ZERO, 10_000), (STD_SYNC, 10_000)],
    ids=["unbounded", "bounded64", "bounded1", "zero", "std_sync2"],
)
def test_spsc_in_order(api: ModuleType, flavour: Flavour, count: int, closer: Closer) -> None:
    tx, rx = closer.open(api, flavour)

    def produce() -> None:
        for i in range(count):
            tx.send(i)
        tx.close()

    producer = Worker(produce, name="producer").start()
    received = list(rx)
    producer.result(timeout=60.0)
    assert received == list(range(count))


@with_flavours(UNBOUNDED, BOUNDED_1, BOUNDED_N, ZERO)
def test_mpmc_every_message_exactly_once(api: ModuleType, flavour: Flavour, closer: Closer) -> None:
    producers, consumers, per_producer = 4, 4, 2_500
    tx, rx = flavour.open(api)
    senders = [tx.clone() for _ in range(producers)]
    receivers = [rx.clone() for _ in range(consumers)]
    tx.close()
    rx.close()
    closer.add(*senders, *receivers)
    start = threading.Barrier(producers + consumers)

    def produce(sender: Any, p: int) -> None:
        start.wait()
        with sender:
            for i in range(per_producer):
                sender.send((p, i))

    def consume(receiver: Any) -> list[tuple[int, int]]:
        start.wait()
        with receiver:
            return list(receiver)

    workers = [Worker(partial(produce, s, p), name=f"producer-{p}").start() for p, s in enumerate(senders)]
    eaters = [Worker(partial(consume, r), name=f"consumer-{c}").start() for c, r in enumerate(receivers)]
    for worker in workers:
        worker.result(timeout=60.0)
    got = [eater.result(timeout=60.0) for eater in eaters]
    everything = Counter(message for part in got for message in part)
    assert everything == Counter((p, i) for p in range(producers) for i in range(per_producer))
    for part in got:  # each consumer sees each producer's messages in the order they were sent
        for p in range(producers):
            numbers = [i for q, i in part if q == p]
            assert numbers == sorted(numbers)


def test_thousand_channels_created_and_torn_down(api: ModuleType, closer: Closer) -> None:
    # Each channel travels to a worker through a control channel; the worker receives one
    # message on it and closes its receiver. Afterwards nothing may keep any handle alive.
    control_tx, control_rx = closer.open(api, UNBOUNDED)
    refs: list[weakref.ref[Any]] = []

    def serve() -> int:
        served = 0
        for receiver in control_rx:
            with receiver:
                assert receiver.recv() == served
            served += 1
            del receiver
        return served

    worker = Worker(serve, name="server").start()
    for n in range(1000):
        tx, rx = FLAVOURS[n % len(FLAVOURS)].open(api)
        refs += [weakref.ref(tx), weakref.ref(rx)]
        control_tx.send(rx)
        del rx
        with tx:
            tx.send(n)  # at capacity 0 this waits for the worker
        del tx
    control_tx.close()
    assert worker.result(timeout=60.0) == 1000
    del worker
    gc.collect()
    assert sum(ref() is not None for ref in refs) == 0


@pytest.mark.parametrize("seed", range(3))
@with_flavours(UNBOUNDED, BOUNDED_1, BOUNDED_N, ZERO, STD_CHANNEL, STD_SYNC)
def test_random_closes_account_for_every_message(api: ModuleType, flavour: Flavour, seed: int) -> None:
    """Producers and consumers run while their handles are closed at random moments (by
    themselves or by a third thread). Every message must end up exactly one of: received
    once, handed back in an error's ``.message``, or discarded with the buffer at the last
    receiver's close (and then really released)."""
    rng = random.Random(seed)
    producers, per_producer = 3, 400
    consumers = 1 if flavour.std else 3
    tx, rx = flavour.open(api)
    senders = [tx.clone() for _ in range(producers)]
    receivers = [rx] + [rx.clone() for _ in range(consumers - 1)]
    tx.close()
    sent: set[int] = set()
    returned: set[int] = set()
    alive: dict[int, weakref.ref[Token]] = {}
    received: list[list[int]] = [[] for _ in range(consumers)]
    problems: list[str] = []
    lock = threading.Lock()

    def produce(p: int, sender: Any, chooser: random.Random) -> None:
        for i in range(per_producer):
            message = Token(p * per_producer + i)
            with lock:
                alive[message.number] = weakref.ref(message)
            how = chooser.randrange(4)
            try:
                if how == 0:
                    sender.send(message)
                elif how == 1:
                    sender.try_send(message)
                elif how == 2:
                    sender.send_timeout(message, 0.002)
                else:
                    sender.send_deadline(message, time.monotonic() + 0.002)
            except (Full, Timeout, Disconnected, HandleClosed) as error:
                if error.message is not message:
                    problems.append(f"{type(error).__name__} handed back {error.message!r}, not {message!r}")
                with lock:
                    returned.add(message.number)
                if isinstance(error, (Disconnected, HandleClosed)):
                    break
            else:
                with lock:
                    sent.add(message.number)
            del message
            if chooser.random() < 0.1:
                time.sleep(0.0005)  # spread the traffic over the time the closes take
        sender.close()

    def consume(c: int, receiver: Any, chooser: random.Random) -> None:
        while True:
            try:
                message = receiver.recv() if chooser.random() < 0.5 else receiver.recv_timeout(0.005)
            except Timeout:
                continue
            except (Disconnected, HandleClosed):
                return
            received[c].append(message.number)
            del message
            if chooser.random() < 0.002:
                receiver.close()  # a consumer that gives up by itself

    def chaos() -> None:
        handles = [*senders[:1], *receivers]
        rng.shuffle(handles)
        for handle in handles:
            time.sleep(rng.uniform(0.0, 0.02))
            handle.close()  # from another thread: the owner gets HandleClosed

    threads = [
        *(Worker(partial(produce, p, s, random.Random(rng.random()))) for p, s in enumerate(senders)),
        *(Worker(partial(consume, c, r, random.Random(rng.random()))) for c, r in enumerate(receivers)),
        Worker(chaos, name="chaos"),
    ]
    for worker in threads:
        worker.start()
    for worker in threads:
        worker.result(timeout=60.0)
    del threads
    gc.collect()

    assert problems == []
    flat = [number for part in received for number in part]
    assert len(flat) == len(set(flat)), "a message was received twice"
    got = set(flat)
    assert not got & returned, "a message was both received and handed back"
    assert not sent & returned
    assert got <= sent, "a message was received that no send delivered"
    assert sent | returned == set(alive), "a send neither succeeded nor handed its message back"
    discarded = sent - got
    if flavour.rendezvous:
        assert not discarded, "a rendezvous has no buffer to discard"
    elif flavour.capacity is not None:
        assert len(discarded) <= flavour.capacity
    still_alive = sorted(n for n in discarded if alive[n]() is not None)
    assert not still_alive, f"messages never received and never released: {still_alive[:10]}"


def test_producer_fifo_under_contention(api: ModuleType, closer: Closer) -> None:
    per_producer = 5_000
    tx, rx = closer.open(api, BOUNDED_N)
    senders = closer.add(*(tx.clone() for _ in range(3)))
    tx.close()

    def produce(p: int, sender: Any) -> None:
        with sender:
            for i in range(per_producer):
                sender.send((p, i))

    workers = [Worker(partial(produce, p, s)).start() for p, s in enumerate(senders)]
    last: dict[int, int] = defaultdict(lambda: -1)
    count = 0
    for p, i in rx:
        assert i == last[p] + 1
        last[p] = i
        count += 1
    for worker in workers:
        worker.result(timeout=60.0)
    assert count == 3 * per_producer
