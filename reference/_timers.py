"""Timer channels: receivers whose messages come from the clock, not from a sender."""

from __future__ import annotations

import math
from typing import Any

from chanspec._validate import deadline_after

from ._handles import Receiver
from ._state import Channel, End, Timer, TimerKind


def after(seconds: float) -> Receiver[float]:
    """A receiver that delivers one message ``seconds`` from now: the scheduled
    ``time.monotonic()`` instant. Capacity 1, never disconnected; a receive blocks until
    the instant (for ever once the message was taken). Clones share the one message."""
    due = deadline_after(seconds)
    return _timer(Channel(1, timer=Timer(TimerKind.AFTER, 0.0, due)))


def tick(seconds: float) -> Receiver[float]:
    """A receiver that delivers a message every ``seconds``: its scheduled
    ``time.monotonic()`` instant. The next one is scheduled one period after each read,
    so ticks missed while nobody reads collapse into one. Capacity 1, never disconnected."""
    due = deadline_after(seconds)
    period = math.inf if due == math.inf else float(seconds)
    return _timer(Channel(1, timer=Timer(TimerKind.TICK, period, due)))


def never() -> Receiver[Any]:
    """A receiver that never delivers and is never disconnected: a receive blocks until its
    timeout (or for ever). Capacity 0. Every ``never()`` is the same channel. Useful to
    switch a select case off."""
    return _timer(Channel(0, timer=Timer(TimerKind.NEVER, 0.0, None)))


def _timer(channel: Channel) -> Receiver[Any]:
    return Receiver(End(channel, is_sender=False))
