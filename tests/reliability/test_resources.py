"""Resource use: channels cost nothing once dropped, waits leave nothing behind, idle waiters use no CPU.

- 100,000 channels (CI: a few thousand) of every flavour are created, used and
  dropped, closed or not: the memory traced by ``tracemalloc`` stays flat.
- A timed-out receive, send, select or ready, repeated many times on one
  channel, leaves no thread, no lock held and no waiter behind: the thread
  count does not change, memory stays flat, a rendezvous ``try_send`` finds no
  ghost receiver, and a later message goes to a live receiver, not a ghost.
- Threads blocked in receives, sends, selects and timers use no CPU while they
  wait (their CPU clocks stand still).
"""

from __future__ import annotations

import gc
import threading
import time
import tracemalloc
import warnings
from collections.abc import Callable
from contextlib import suppress
from types import ModuleType
from typing import Any

import pytest

from chanspec.errors import Empty, Full, NotReady, Timeout

from ..channels.helpers import BOUNDED_1, FLAVOURS, UNBOUNDED, ZERO, Flavour, Token, Worker
from . import tally
from .scale import size

CHANNELS = size(6_000, 100_000)
"""Channels created, used and dropped per implementation."""

TIMEOUTS = size(300, 3_000)
"""Timed-out calls per kind of call."""

IDLE = size(0.5, 2.0)
"""Seconds the idle-CPU check watches blocked threads."""

LEAK_PER_CHANNEL = 2
"""Bytes of growth per channel that would count as a leak (a leaked handle, token or list entry
is tens of bytes at least)."""


def _use_and_drop(api: ModuleType, flavour: Flavour, index: int) -> None:
    tx, rx = flavour.open(api)
    if flavour.rendezvous:
        with suppress(Full):
            tx.try_send(index)
        with suppress(Empty):
            rx.try_recv()
    else:
        tx.send(index)
        assert rx.recv() == index
        if index % 3 == 0:
            tx.send(index)  # dropped with a message buffered
    if index % 2:
        tx.close()
        rx.close()
    # otherwise dropped unclosed: the collector closes them (warnings silenced below)


def _traced_growth(work: Callable[[int], None], rounds: int) -> int:
    """Bytes of traced memory gained between a tenth of ``rounds`` and the end (after collections)."""
    warm = rounds // 10
    tracemalloc.start()
    try:
        for i in range(warm):
            work(i)
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        for i in range(warm, rounds):
            work(i)
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return after - before


def test_many_channels_created_used_and_dropped_keep_memory_flat(api: ModuleType) -> None:
    def work(i: int) -> None:
        _use_and_drop(api, FLAVOURS[i % len(FLAVOURS)], i)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        threads = threading.active_count()
        growth = _traced_growth(work, CHANNELS)
    assert threading.active_count() == threads, "channels started threads"
    limit = 64 * 1024 + LEAK_PER_CHANNEL * CHANNELS
    assert growth < limit, f"memory grew by {growth} bytes over {CHANNELS} channels (limit {limit})"
    tally.add("channels", CHANNELS)


TIMED: dict[str, tuple[bool, Callable[[ModuleType, Any, Any, float], Any]]] = {
    "recv_timeout": (True, lambda api, tx, rx, t: rx.recv_timeout(t)),
    "send_timeout": (False, lambda api, tx, rx, t: tx.send_timeout(Token(0), t)),
    "select_timeout(recv)": (True, lambda api, tx, rx, t: _select(api, rx, None).select_timeout(t)),
    "select_timeout(send)": (False, lambda api, tx, rx, t: _select(api, None, tx).select_timeout(t)),
    "ready_timeout": (True, lambda api, tx, rx, t: _select(api, rx, None).ready_timeout(t)),
    "select(timeout=)": (True, lambda api, tx, rx, t: api.select(rx, api.never(), timeout=t)),
    "recv on after()": (True, lambda api, tx, rx, t: api.after(t).recv()),
}
"""Calls that time out: whether each receives (then the channel is empty) or sends (then it is
full), and the call."""


def _select(api: ModuleType, rx: Any, tx: Any) -> Any:
    sel = api.Select()
    if rx is not None:
        sel.recv(rx)
    if tx is not None:
        sel.send(tx, Token(0))
    return sel


@pytest.mark.parametrize("flavour", [BOUNDED_1, ZERO], ids=lambda f: f.name)
@pytest.mark.parametrize("call", list(TIMED))
def test_timed_out_calls_leave_nothing_behind(api: ModuleType, flavour: Flavour, call: str) -> None:
    tx, rx = flavour.open(api)
    receiving, timed = TIMED[call]
    if flavour.capacity and not receiving:
        tx.send(Token(-1))  # full: sends time out
    threads = threading.active_count()

    def time_out(i: int) -> None:
        try:
            timed(api, tx, rx, 0.0 if i % 2 else 1e-4)
        except (Timeout, NotReady):  # the one-call select's timeout=0 is a try: NotReady
            pass
        else:
            assert call == "recv on after()", "the call completed instead of timing out"

    growth = _traced_growth(time_out, TIMEOUTS)
    assert threading.active_count() == threads, "a timed-out call left a thread behind"
    assert growth < 32 * 1024, f"memory grew by {growth} bytes over {TIMEOUTS} timed-out calls"
    _no_waiter_left(flavour, tx, rx, receiving)
    tally.add("timed_out_calls", TIMEOUTS)
    tx.close()
    rx.close()


def _no_waiter_left(flavour: Flavour, tx: Any, rx: Any, receiving: bool) -> None:
    """No ghost of a timed-out receiver takes a message, no ghost of a timed-out sender offers one."""
    if flavour.rendezvous:
        with pytest.raises(Full):
            tx.try_send(Token(1))  # a ghost receiver would take it
        with pytest.raises(Empty):
            rx.try_recv()  # a ghost sender would offer one
        return
    if not receiving:
        assert rx.recv().number == -1  # making room: a ghost sender would now be completed ...
        with pytest.raises(Empty):
            rx.try_recv()  # ... and its message would show up here
    receiver = Worker(lambda: rx.recv_timeout(10.0)).start_blocked()
    message = Token(2)
    tx.send(message)  # a ghost receiver parked earlier would be handed it, or woken in vain
    assert receiver.result() is message


def _cpu(thread: threading.Thread) -> float:
    assert thread.ident is not None
    return time.clock_gettime(time.pthread_getcpuclockid(thread.ident))


@pytest.mark.skipif(not hasattr(time, "pthread_getcpuclockid"), reason="needs per-thread CPU clocks")
def test_idle_blocked_calls_use_no_cpu(api: ModuleType) -> None:
    empty_tx, empty_rx = UNBOUNDED.open(api)
    full_tx, full_rx = BOUNDED_1.open(api)
    full_tx.send(Token(0))
    zero_tx, zero_rx = ZERO.open(api)  # a receive waits here ...
    other_tx, other_rx = ZERO.open(api)  # ... and a send there (they must not pair)
    timers = [api.never(), api.after(60.0), api.tick(60.0)]
    sel = api.Select()
    sel.recv(empty_rx)
    sel.recv(timers[0])
    blocked: list[Callable[[], Any]] = [
        empty_rx.recv,
        lambda: empty_rx.recv_timeout(60.0),
        lambda: full_tx.send(Token(1)),
        zero_rx.recv,
        lambda: other_tx.send(Token(2)),
        *(timer.recv for timer in timers),
        sel.select,
        lambda: api.select(timers[1], timers[2], timeout=60.0),
    ]
    workers = [Worker(call).start_blocked() for call in blocked]
    start = [_cpu(w.thread) for w in workers]
    time.sleep(IDLE)  # the measurement itself: the CPU the parked threads use meanwhile
    used = [_cpu(w.thread) - s for w, s in zip(workers, start, strict=True)]
    for handle in (empty_rx, full_tx, zero_rx, other_tx, *timers):
        handle.close()  # wakes every blocked call (HandleClosed, or a select that reports it)
    for worker in workers:
        worker.join()
    assert max(used) < 0.005, f"blocked threads used CPU while idle: {[f'{u * 1000:.1f} ms' for u in used]}"
    for handle in (empty_tx, full_rx, zero_tx, other_rx):
        handle.close()
