"""Timeouts stay accurate with every core busy: a timed call returns no earlier than its deadline and
no more than 50 ms after it.

While the checks run, one busy-looping process per core (started and stopped by
the fixture) keeps the machine loaded, so a waiting thread must be woken by its
deadline, not by luck. Every timed call is measured: receives, sends, selects,
``ready``, deadlines, and the timers ``after`` and ``tick``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import suppress
from types import ModuleType
from typing import Any

import pytest

from chanspec.errors import NotReady, Timeout

from ..channels.helpers import Token
from . import tally
from .scale import size

LATE = 0.05
"""How late a timed call may return (the issue's bound)."""

EARLY = 0.001
"""Clock granularity: how early a timed call may appear to return."""

SAMPLES = size(3, 25)
"""Measurements per kind of call."""

TIMEOUT = size(0.05, 0.2)
"""The timeout each measured call is given."""


@pytest.fixture(scope="module")
def loaded_cores() -> Iterator[int]:
    """One busy-looping process per core, for the duration of this module's tests."""
    count = os.cpu_count() or 2
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]
    try:
        time.sleep(0.2)  # let them get going
        yield count
    finally:
        for hog in hogs:
            hog.kill()
        for hog in hogs:
            hog.wait(10)


def _recv(api: ModuleType, t: float, capacity: int | None, deadline: bool = False) -> Callable[[], Any]:
    tx, rx = api.unbounded() if capacity is None else api.bounded(capacity)
    if deadline:
        return lambda: (tx, rx.recv_deadline(time.monotonic() + t))
    return lambda: (tx, rx.recv_timeout(t))  # tx is kept alive: the channel stays connected


def _send(api: ModuleType, t: float, capacity: int) -> Callable[[], Any]:
    tx, rx = api.bounded(capacity)
    if capacity:
        tx.send(Token(0))  # full
    return lambda: (rx, tx.send_timeout(Token(1), t))


def _select(api: ModuleType, t: float, ready: bool) -> Callable[[], Any]:
    tx, rx = api.unbounded()
    full_tx, full_rx = api.bounded(1)
    full_tx.send(Token(0))
    sel = api.Select()
    sel.recv(rx)
    sel.send(full_tx, Token(2))
    keep = (tx, rx, full_tx, full_rx)  # the reference's Select does not keep its handles alive
    return lambda: (keep, sel.ready_timeout(t) if ready else sel.select_timeout(t))


def _one_call(api: ModuleType, t: float) -> Callable[[], Any]:
    tx, rx = api.unbounded()
    return lambda: (tx, api.select(rx, timeout=t))


TIMED: dict[str, Callable[[ModuleType, float], Callable[[], Any]]] = {
    "recv_timeout": lambda api, t: _recv(api, t, None),
    "recv_timeout (rendezvous)": lambda api, t: _recv(api, t, 0),
    "recv_deadline": lambda api, t: _recv(api, t, None, deadline=True),
    "send_timeout": lambda api, t: _send(api, t, 1),
    "send_timeout (rendezvous)": lambda api, t: _send(api, t, 0),
    "select_timeout": lambda api, t: _select(api, t, ready=False),
    "ready_timeout": lambda api, t: _select(api, t, ready=True),
    "select(timeout=)": _one_call,
    "after": lambda api, t: api.after(t).recv,
    "tick": lambda api, t: api.tick(t).recv,
}
"""For each kind of timed call: given the API and a timeout, a call that waits that long (holding
on to every handle it needs, so that no channel disconnects under it)."""


@pytest.mark.parametrize("call", list(TIMED))
def test_a_timed_call_returns_within_50_ms_of_its_deadline(api: ModuleType, call: str, loaded_cores: int) -> None:
    late = []
    for _ in range(SAMPLES):
        timed = TIMED[call](api, TIMEOUT)
        start = time.monotonic()
        with suppress(Timeout, NotReady):
            timed()
        took = time.monotonic() - start
        assert took >= TIMEOUT - EARLY, f"{call} returned after {took:.4f} s, before its {TIMEOUT} s timeout"
        late.append(took - TIMEOUT)
        tally.add("timeouts_measured")
    tally.worst("timeout_late_ms", max(late) * 1000)
    assert max(late) <= LATE, f"{call} returned up to {max(late) * 1000:.1f} ms late (samples: {late})"
