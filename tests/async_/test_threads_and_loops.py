"""One channel, many users: blocking threads and tasks of several event loops at once."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from types import ModuleType
from typing import Any

import pytest

from ..channels.helpers import CLONABLE, Flavour
from .support import BOUND, run

PER_PRODUCER = 300


def _loop_thread(coroutine_factory: Any, errors: list[BaseException]) -> threading.Thread:
    def target() -> None:
        try:
            asyncio.run(asyncio.wait_for(coroutine_factory(), BOUND))
        except BaseException as error:  # reported by the test
            errors.append(error)

    return threading.Thread(target=target, daemon=True)


@pytest.mark.parametrize("flavour", CLONABLE, ids=lambda f: f.name)
def test_threads_and_several_loops_share_one_channel(api: ModuleType, flavour: Flavour) -> None:
    """Two loops of async producers and consumers, plus a blocking producer and a blocking
    consumer thread: every message is received exactly once, each producer's in order."""
    tx, rx = flavour.open(api)
    errors: list[BaseException] = []
    received: list[list[tuple[str, int]]] = []

    def sync_producer(name: str, sender: Any) -> None:
        with sender:
            for number in range(PER_PRODUCER):
                sender.send((name, number))

    def sync_consumer(receiver: Any) -> None:
        with receiver:
            received.append(list(receiver))

    def async_side(name: str, sender: Any, receiver: Any) -> Any:
        senders = [sender.clone(), sender.clone()]
        receivers = [receiver.clone(), receiver.clone()]
        sender.close()
        receiver.close()

        async def main() -> None:
            async def produce(label: str, clone: Any) -> None:
                with clone:
                    for number in range(PER_PRODUCER):
                        await clone.asend((label, number))

            async def consume(clone: Any) -> None:
                with clone:
                    received.append([message async for message in clone])

            await asyncio.gather(
                produce(f"{name}-a", senders[0]),
                produce(f"{name}-b", senders[1]),
                consume(receivers[0]),
                consume(receivers[1]),
            )

        return main

    threads = [
        threading.Thread(target=sync_producer, args=("thread", tx.clone()), daemon=True),
        threading.Thread(target=sync_consumer, args=(rx.clone(),), daemon=True),
        _loop_thread(async_side("loop1", tx.clone(), rx.clone()), errors),
        _loop_thread(async_side("loop2", tx.clone(), rx.clone()), errors),
    ]
    tx.close()
    rx.close()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(BOUND)
        assert not thread.is_alive(), "a user of the channel did not finish"
    assert errors == []
    everything = [message for part in received for message in part]
    counts = Counter(everything)
    assert len(everything) == 5 * PER_PRODUCER and set(counts.values()) == {1}
    for part in received:  # FIFO per producer, as seen by each consumer
        for label in {label for label, _ in part}:
            numbers = [number for name, number in part if name == label]
            assert numbers == sorted(numbers)


def test_a_thread_feeds_a_loop(api: ModuleType, flavour: Flavour) -> None:
    async def main() -> list[int]:
        tx, rx = flavour.open(api)

        def feed() -> None:
            with tx:
                for number in range(PER_PRODUCER):
                    tx.send(number)

        feeder = threading.Thread(target=feed, daemon=True)
        feeder.start()
        with rx:
            received = [message async for message in rx]
        feeder.join(BOUND)
        return received

    assert run(main()) == list(range(PER_PRODUCER))


def test_a_loop_feeds_a_thread(api: ModuleType, flavour: Flavour) -> None:
    async def main() -> list[int]:
        tx, rx = flavour.open(api)
        received: list[int] = []

        def drain() -> None:
            with rx:
                received.extend(rx)

        drainer = threading.Thread(target=drain, daemon=True)
        drainer.start()
        with tx:
            for number in range(PER_PRODUCER):
                await tx.asend(number)
        await asyncio.get_running_loop().run_in_executor(None, drainer.join, BOUND)
        return received

    assert run(main()) == list(range(PER_PRODUCER))


def test_ping_pong_between_two_loops_on_rendezvous_channels(api: ModuleType) -> None:
    ping_tx, ping_rx = api.bounded(0)
    pong_tx, pong_rx = api.bounded(0)
    errors: list[BaseException] = []
    rounds = 100

    async def pinger() -> None:
        with ping_tx, pong_rx:
            for number in range(rounds):
                await ping_tx.asend(number)
                assert await pong_rx.arecv() == number + 1

    async def ponger() -> None:
        with ping_rx, pong_tx:
            async for number in ping_rx:
                await pong_tx.asend(number + 1)

    threads = [_loop_thread(pinger, errors), _loop_thread(ponger, errors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(BOUND)
        assert not thread.is_alive()
    assert errors == []
