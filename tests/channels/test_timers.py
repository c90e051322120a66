"""Timer channels: ``after`` fires once, ``tick`` repeats (missed ticks collapse), ``never`` never."""

from __future__ import annotations

import math
import time
from types import ModuleType
from typing import Any

import pytest

from chanspec.errors import Empty, HandleClosed, Timeout

from .conftest import Closer
from .helpers import LATE, SHORT, Worker, elapsed_at_least, promptly


def snapshot(handle: Any) -> tuple[int, bool, bool, int | None]:
    return len(handle), handle.is_empty(), handle.is_full(), handle.capacity


def test_after_fires_once_with_its_scheduled_instant(api: ModuleType, closer: Closer) -> None:
    before = time.monotonic()
    timer = closer.add(api.after(SHORT))
    created = time.monotonic()
    instant = timer.recv()
    returned = time.monotonic()
    assert before + SHORT <= instant <= created + SHORT  # the scheduled instant...
    assert instant <= returned <= instant + LATE  # ...and it did not come early
    with pytest.raises(Empty):
        timer.try_recv()
    with elapsed_at_least(SHORT), pytest.raises(Timeout):
        timer.recv_timeout(SHORT)


def test_after_not_yet(api: ModuleType, closer: Closer) -> None:
    timer = closer.add(api.after(60.0))
    with pytest.raises(Empty):  # not Disconnected: a timer has no senders but never disconnects
        timer.try_recv()
    assert snapshot(timer) == (0, True, False, 1)
    with elapsed_at_least(SHORT), pytest.raises(Timeout):
        timer.recv_timeout(SHORT)


def test_after_introspection(api: ModuleType, closer: Closer) -> None:
    timer = closer.add(api.after(SHORT))
    time.sleep(SHORT * 1.5)
    assert snapshot(timer) == (1, False, True, 1)
    timer.try_recv()
    assert snapshot(timer) == (0, True, False, 1)


def test_after_zero_is_ready_at_once(api: ModuleType, closer: Closer) -> None:
    timer = closer.add(api.after(0))
    with promptly():
        assert timer.recv_timeout(0) <= time.monotonic()
    with pytest.raises(Empty):
        timer.try_recv()


def test_after_clones_share_the_one_message(api: ModuleType, closer: Closer) -> None:
    timer = closer.add(api.after(0))
    clone = closer.add(timer.clone())
    assert clone.same_channel(timer)
    assert clone.recv_timeout(1.0) <= time.monotonic()
    with pytest.raises(Empty):
        timer.try_recv()


def test_after_woken_blocked_receiver(api: ModuleType, closer: Closer) -> None:
    timer = closer.add(api.after(SHORT))
    worker = Worker(timer.recv).start()
    assert worker.result() <= time.monotonic()


def test_tick_repeats(api: ModuleType, closer: Closer) -> None:
    start = time.monotonic()
    ticker = closer.add(api.tick(SHORT))
    first = ticker.recv()
    second = ticker.recv()
    assert start + SHORT <= first
    assert second >= first + SHORT  # rescheduled one period after the first read
    assert second <= time.monotonic()
    assert snapshot(ticker)[3] == 1


def test_tick_missed_ticks_collapse(api: ModuleType, closer: Closer) -> None:
    period = 0.1  # long enough that no new tick is due between the checks below
    start = time.monotonic()
    ticker = closer.add(api.tick(period))
    created = time.monotonic()
    time.sleep(period * 3.5)
    assert snapshot(ticker) == (1, False, True, 1)
    read_at = time.monotonic()
    instant = ticker.try_recv()
    assert start + period <= instant <= created + period  # the first scheduled instant, not a later one
    with pytest.raises(Empty):  # only one tick was kept
        ticker.try_recv()
    assert snapshot(ticker) == (0, True, False, 1)
    assert ticker.recv() >= read_at + period  # the next tick: one period after the read


def test_tick_timeout_before_the_next_tick(api: ModuleType, closer: Closer) -> None:
    ticker = closer.add(api.tick(20 * SHORT))
    with elapsed_at_least(SHORT), pytest.raises(Timeout):
        ticker.recv_timeout(SHORT)


def test_never_never_delivers(api: ModuleType, closer: Closer) -> None:
    silent = closer.add(api.never())
    assert snapshot(silent) == (0, True, True, 0)
    with pytest.raises(Empty):
        silent.try_recv()
    with elapsed_at_least(SHORT), pytest.raises(Timeout):
        silent.recv_timeout(SHORT)
    assert list(silent.try_iter()) == []


def test_every_never_is_the_same_channel(api: ModuleType, closer: Closer) -> None:
    one, two = closer.add(api.never(), api.never())
    assert one.same_channel(two)
    first, second = closer.add(api.after(1.0), api.after(1.0))
    assert not first.same_channel(second) and not first.same_channel(one)
    tick_one, tick_two = closer.add(api.tick(1.0), api.tick(1.0))
    assert not tick_one.same_channel(tick_two)


def test_timer_clone_is_the_same_channel(api: ModuleType, closer: Closer) -> None:
    for timer in (api.after(1.0), api.tick(1.0), api.never()):
        clone = closer.add(timer, timer.clone())[1]
        assert clone.same_channel(timer)


def test_infinite_after_never_fires(api: ModuleType, closer: Closer) -> None:
    timer = closer.add(api.after(math.inf))
    with pytest.raises(Empty):
        timer.try_recv()
    with elapsed_at_least(SHORT), pytest.raises(Timeout):
        timer.recv_timeout(SHORT)


def test_closed_timer_raises_handle_closed(api: ModuleType) -> None:
    for timer in (api.after(0), api.tick(0), api.never()):
        timer.close()
        with pytest.raises(HandleClosed):
            timer.try_recv()
        with pytest.raises(HandleClosed):
            timer.recv()
