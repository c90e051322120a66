"""The async scenarios: tasks on one event loop, and a thread feeding a loop.

Kept apart from the threaded suite (its own baselines, its own command: ``benchmarks/async_run.py``).
On one loop the baseline is ``asyncio.Queue``; across the thread-to-loop bridge, where
``asyncio.Queue`` cannot be used (it is not thread-safe), the baseline is janus, the best-known
bridge, and culsans is measured beside it. Contenders take turns round by round, as in the
threaded suite, and each ratio is taken within a round.
"""

from __future__ import annotations

import asyncio
import functools
import math
import statistics
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from .contenders import optional_module
from .workloads import shares

ASend = Callable[[Any], Awaitable[object]]
ARecv = Callable[[], Awaitable[object]]
Send = Callable[[Any], object]


class AsyncOpened:
    """One open channel, made inside the running loop: awaitable ends for tasks, a blocking send
    for a thread (None where the library has no thread side)."""

    def __init__(
        self, asend: ASend, arecv: ARecv, send: Send | None, close: Callable[[], object] = lambda: None
    ) -> None:
        self.asend, self.arecv, self.send, self.close = asend, arecv, send, close


class AsyncContender:
    """An async channel library: ``open`` runs inside the loop that will use the channel."""

    def __init__(self, key: str, label: str, open_: Callable[[int | None], AsyncOpened], bridge: bool) -> None:
        self.key, self.label, self.open, self.bridge = key, label, open_, bridge


def _chanspec(module: Any) -> Callable[[int | None], AsyncOpened]:
    def open_(capacity: int | None) -> AsyncOpened:
        tx, rx = module.unbounded() if capacity is None else module.bounded(capacity)

        def close() -> None:
            tx.close()
            rx.close()

        return AsyncOpened(tx.asend, rx.arecv, tx.send, close)

    return open_


def _asyncio_queue(capacity: int | None) -> AsyncOpened:
    queue: asyncio.Queue[Any] = asyncio.Queue(0 if capacity is None else capacity)
    return AsyncOpened(queue.put, queue.get, None)


def _mixed(module: Any) -> Callable[[int | None], AsyncOpened]:
    """janus and culsans: one queue with a thread side and an async side."""

    def open_(capacity: int | None) -> AsyncOpened:
        mixed = module.Queue(0 if capacity is None else capacity)
        return AsyncOpened(mixed.async_q.put, mixed.async_q.get, mixed.sync_q.put, mixed.close)

    return open_


def _anyio_stream(module: Any) -> Callable[[int | None], AsyncOpened]:
    """anyio's memory object streams (on the asyncio backend); unbounded is ``math.inf``."""

    def open_(capacity: int | None) -> AsyncOpened:
        send, receive = module.create_memory_object_stream(math.inf if capacity is None else capacity)

        def close() -> None:
            send.close()
            receive.close()

        return AsyncOpened(send.send, receive.receive, None, close)

    return open_


def _aiochannel(module: Any) -> Callable[[int | None], AsyncOpened]:
    """aiochannel's ``Channel`` (``maxsize`` 0: unbounded)."""

    def open_(capacity: int | None) -> AsyncOpened:
        channel = module.Channel(0 if capacity is None else capacity)
        return AsyncOpened(channel.put, channel.get, None, channel.close)

    return open_


def contenders() -> list[AsyncContender]:
    """chanspec, asyncio.Queue, and those of janus, culsans, anyio and aiochannel installed."""
    import chanspec

    found = [
        AsyncContender("asyncio", "asyncio.Queue", _asyncio_queue, bridge=False),
        AsyncContender("chanspec", "chanspec", _chanspec(chanspec), bridge=True),
    ]
    for name in ("janus", "culsans"):
        module = optional_module(name)
        if module is not None:
            found.append(AsyncContender(name, name, _mixed(module), bridge=True))
    anyio = optional_module("anyio")
    if anyio is not None:
        found.append(AsyncContender("anyio", "anyio memory stream", _anyio_stream(anyio), bridge=False))
    aiochannel = optional_module("aiochannel")
    if aiochannel is not None:
        found.append(AsyncContender("aiochannel", "aiochannel", _aiochannel(aiochannel), bridge=False))
    return found


# Workloads ----------------------------------------------------------------------------------


def on_one_loop(producers: int, consumers: int, capacity: int | None) -> Callable[[AsyncContender, int], float]:
    """``producers`` tasks send ``n`` messages in all to ``consumers`` tasks on one loop."""

    def workload(contender: AsyncContender, n: int) -> float:
        async def main() -> float:
            opened = contender.open(capacity)

            async def produce(count: int) -> None:
                asend = opened.asend
                for _ in range(count):
                    await asend(0)

            async def consume(count: int) -> None:
                arecv = opened.arecv
                for _ in range(count):
                    await arecv()

            began = time.perf_counter()
            await asyncio.gather(
                *(produce(c) for c in shares(n, producers)), *(consume(c) for c in shares(n, consumers))
            )
            elapsed = time.perf_counter() - began
            opened.close()
            return elapsed

        return asyncio.run(main())

    return workload


def thread_to_loop(capacity: int | None) -> Callable[[AsyncContender, int], float]:
    """A thread sends ``n`` messages (blocking sends), a task on a loop receives them."""

    def workload(contender: AsyncContender, n: int) -> float:
        async def main() -> float:
            opened = contender.open(capacity)
            send = opened.send
            assert send is not None
            started = threading.Event()

            def produce() -> None:
                started.wait()
                for _ in range(n):
                    send(0)

            producer = threading.Thread(target=produce, daemon=True)
            producer.start()
            arecv = opened.arecv
            began = time.perf_counter()
            started.set()
            for _ in range(n):
                await arecv()
            elapsed = time.perf_counter() - began
            producer.join()
            opened.close()
            return elapsed

        return asyncio.run(main())

    return workload


@dataclass(frozen=True)
class AsyncScenario:
    key: str
    title: str
    workload: Callable[[AsyncContender, int], float]
    bridge: bool
    baselines: tuple[str, ...]
    """The contender the others are compared to: the first of these that is installed."""
    target: float | None = None


_ONE_LOOP = ("asyncio",)
_BRIDGE = ("janus", "culsans", "chanspec")  # chanspec only when no bridge peer is installed


def scenarios() -> list[AsyncScenario]:
    """Every async scenario, in report order."""
    return [
        AsyncScenario("async_spsc", "async SPSC unbounded, one loop", on_one_loop(1, 1, None), False, _ONE_LOOP, 1),
        AsyncScenario("async_spsc_b16", "async SPSC bounded(16), one loop", on_one_loop(1, 1, 16), False, _ONE_LOOP),
        AsyncScenario("async_mpmc", "async MPMC 4x4 unbounded, one loop", on_one_loop(4, 4, None), False, _ONE_LOOP),
        AsyncScenario(
            "async_mpmc_b16", "async MPMC 4x4 bounded(16), one loop", on_one_loop(4, 4, 16), False, _ONE_LOOP
        ),
        AsyncScenario("bridge", "thread -> loop, unbounded", thread_to_loop(None), True, _BRIDGE, 2),
        AsyncScenario("bridge_b16", "thread -> loop, bounded(16)", thread_to_loop(16), True, _BRIDGE, 2),
    ]


# Measuring ----------------------------------------------------------------------------------


@dataclass
class AsyncResult:
    label: str
    size: int
    values: list[float] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "label": self.label,
            "size": self.size,
            "values": self.values,
            "median": statistics.median(self.values),
            "ratios": self.ratios,
            "ratio": statistics.median(self.ratios) if self.ratios else None,
            "ratio_low": min(self.ratios) if self.ratios else None,
            "ratio_high": max(self.ratios) if self.ratios else None,
        }


def _calibrate(run: Callable[[int], float], seconds: float) -> int:
    n = 256
    while True:
        elapsed = run(n)
        if elapsed >= 0.03 or n >= 3_000_000:
            break
        n *= 4 if elapsed < 0.005 else 2
    return max(64, min(3_000_000, int(n * seconds / max(elapsed, 1e-9))))


def baseline_of(scenario: AsyncScenario, results: dict[str, AsyncResult]) -> str:
    """The key of the contender ``scenario`` compares the others to, among those measured."""
    return next(key for key in scenario.baselines if key in results)


def measure(
    scenario: AsyncScenario,
    entrants: list[AsyncContender],
    reps: int,
    seconds: float,
    fixed_size: int | None = None,
) -> dict[str, AsyncResult]:
    """Run ``scenario`` for every entrant it applies to, alternating them round by round."""
    entrants = [c for c in entrants if c.bridge or not scenario.bridge]
    results: dict[str, AsyncResult] = {}
    for contender in entrants:
        size = fixed_size or _calibrate(functools.partial(scenario.workload, contender), seconds)
        results[contender.key] = AsyncResult(contender.label, size)
    for round_number in range(reps):
        for contender in entrants if round_number % 2 == 0 else entrants[::-1]:
            result = results[contender.key]
            result.values.append(result.size / scenario.workload(contender, result.size))
    baseline = results[baseline_of(scenario, results)]
    for result in results.values():
        result.ratios = [value / base for value, base in zip(result.values, baseline.values, strict=True)]
    return results
