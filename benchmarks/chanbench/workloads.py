"""The workloads: each runs one contender once and returns what it measured.

Throughput workloads take a size ``n`` and return the seconds that ``n`` operations took. Threads
are started behind a barrier and the clock runs from the barrier's release to the last join;
each consumer takes an exact share of the messages, so no end-of-stream marker is involved and
the same code drives every library.
"""

from __future__ import annotations

import gc
import threading
import time
import tracemalloc
from collections.abc import Callable

from .contenders import Contender, Opened, Recv, Send


def _timed_threads(bodies: list[Callable[[], None]]) -> float:
    """Run ``bodies`` on threads released together; the seconds until the last one finished."""
    barrier = threading.Barrier(len(bodies) + 1)

    def start(body: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            barrier.wait()
            body()

        return run

    threads = [threading.Thread(target=start(body), daemon=True) for body in bodies]
    for thread in threads:
        thread.start()
    gc.collect()
    barrier.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - began


def _producer(send: Send, item: object, count: int) -> Callable[[], None]:
    def body() -> None:
        for _ in range(count):
            send(item)

    return body


def _consumer(recv: Recv, count: int) -> Callable[[], None]:
    def body() -> None:
        for _ in range(count):
            recv()

    return body


def shares(total: int, parts: int) -> list[int]:
    """``total`` split into ``parts`` nearly equal whole shares."""
    base, extra = divmod(total, parts)
    return [base + (1 if index < extra else 0) for index in range(parts)]


def streaming(producers: int, consumers: int, capacity: int | None) -> Callable[[Contender, int], float]:
    """``producers`` threads send ``n`` messages in all to ``consumers`` threads."""

    def run(contender: Contender, n: int) -> float:
        opened = contender.open(capacity, n)
        try:
            bodies = [_producer(opened.sender(), contender.item, share) for share in shares(n, producers)]
            bodies += [_consumer(opened.receiver(), share) for share in shares(n, consumers)]
            return _timed_threads(bodies)
        finally:
            opened.close()

    return run


def ping_pong(contender: Contender, n: int) -> float:
    """Two threads, two unbounded channels: ``n`` request/reply round trips."""
    requests = contender.open(None, n)
    replies = contender.open(None, n)
    try:
        ask, answer = requests.sender(), replies.receiver()
        take, reply = requests.receiver(), replies.sender()
        item = contender.item

        def client() -> None:
            for _ in range(n):
                ask(item)
                answer()

        def server() -> None:
            for _ in range(n):
                reply(take())

        return _timed_threads([client, server])
    finally:
        requests.close()
        replies.close()


def fan_in(channels: int) -> Callable[[Contender, int], float]:
    """One producer per channel; one consumer selecting over all of them takes ``n`` messages."""

    def run(contender: Contender, n: int) -> float:
        fanned = contender.fan_in(channels, n)
        try:
            bodies = [
                _producer(send, contender.item, share)
                for send, share in zip(fanned.senders, shares(n, channels), strict=True)
            ]
            bodies.append(_consumer(fanned.receive_any, n))
            return _timed_threads(bodies)
        finally:
            fanned.close()

    return run


def try_pairs(contender: Contender, n: int) -> float:
    """One thread: ``n`` times a send that never waits, then a receive that never waits."""
    opened = contender.open(None, 1)
    try:
        try_send, try_recv, item = opened.try_send(), opened.try_recv(), contender.item
        gc.collect()
        began = time.perf_counter()
        for _ in range(n):
            try_send(item)
            try_recv()
        return time.perf_counter() - began
    finally:
        opened.close()


def create_teardown(contender: Contender, n: int) -> float:
    """One thread: ``n`` times, create a channel (both ends) and tear it down."""
    make, unmake = contender.make, contender.unmake
    gc.collect()
    began = time.perf_counter()
    for _ in range(n):
        unmake(make())
    return time.perf_counter() - began


# Measurements that are not rates ---------------------------------------------------------------------


def bytes_per_message(contender: Contender, n: int) -> float:
    """Bytes ``tracemalloc`` sees the channel take for each of ``n`` buffered messages (the
    message objects themselves are one shared object, so they do not count)."""
    opened = contender.open(None, n)
    try:
        send, recv, item = opened.try_send(), opened.try_recv(), contender.item
        send(item)  # any lazily built state (a first block, a cached method) is not per message
        recv()
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            for _ in range(n):
                send(item)
            after = tracemalloc.get_traced_memory()[0]
        finally:
            tracemalloc.stop()
        for _ in range(n):
            recv()
        return (after - before) / n
    finally:
        opened.close()


def bytes_per_channel(contender: Contender, n: int) -> float:
    """Bytes ``tracemalloc`` sees for each of ``n`` idle channels kept alive (both ends)."""
    contender.unmake(contender.make())
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = [contender.make() for _ in range(n)]
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    holder = kept.__sizeof__()  # the list holding them is not the channels' cost
    for made in kept:
        contender.unmake(made)
    return (after - before - holder) / n


def idle_cpu(receivers: int, seconds: float) -> Callable[[Contender, int], float]:
    """Percent of one CPU the process uses while ``receivers`` threads are blocked in a receive
    on an empty channel for ``seconds`` (``n`` is unused). Then one message each lets them go."""

    def run(contender: Contender, n: int) -> float:
        opened = contender.open(None, receivers)
        try:
            return _idle(opened, contender.item, receivers, seconds)
        finally:
            opened.close()

    return run


def _idle(opened: Opened, item: object, receivers: int, seconds: float) -> float:
    started = threading.Barrier(receivers + 1)

    def wait(recv: Recv) -> Callable[[], None]:
        def body() -> None:
            started.wait()
            recv()

        return body

    threads = [threading.Thread(target=wait(opened.receiver()), daemon=True) for _ in range(receivers)]
    for thread in threads:
        thread.start()
    started.wait()
    time.sleep(min(0.2, seconds))  # let every receiver reach its blocking call
    cpu, wall = time.process_time(), time.perf_counter()
    time.sleep(seconds)
    used = (time.process_time() - cpu) / (time.perf_counter() - wall)
    send = opened.sender()
    for _ in range(receivers):
        send(item)
    for thread in threads:
        thread.join(10)
    return 100 * used
