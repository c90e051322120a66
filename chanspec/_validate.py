"""Argument checks shared by every implementation: capacities, timeouts, deadlines."""

from __future__ import annotations

import math
import operator
import time


def check_capacity(capacity: object) -> int:
    """A bounded channel's capacity: a non-negative integer (``bool`` is refused)."""
    if isinstance(capacity, bool) or not hasattr(type(capacity), "__index__"):
        raise TypeError(f"capacity must be an int >= 0, not {type(capacity).__name__}")
    value = operator.index(capacity)  # type: ignore[arg-type]  # numpy integers are fine
    if value < 0:
        raise ValueError(f"capacity must be >= 0, not {value}")
    return value


def deadline_after(timeout: object) -> float:
    """The ``time.monotonic()`` deadline ``timeout`` seconds from now; ``math.inf`` for ever.

    Negative and NaN timeouts raise ``ValueError``; a non-number (``bool``
    included) raises ``TypeError``.
    """
    seconds = _seconds(timeout, "timeout")
    if seconds < 0:
        raise ValueError(f"timeout must be >= 0, not {seconds!r}")
    return math.inf if seconds == math.inf else time.monotonic() + seconds


def check_deadline(deadline: object) -> float:
    """A deadline on the ``time.monotonic()`` clock (``math.inf`` waits for ever)."""
    return _seconds(deadline, "deadline")


def _seconds(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number of seconds, not {type(value).__name__}")
    try:
        seconds = float(value)
    except OverflowError:  # an int beyond the float range: for ever (or, negative, long past)
        seconds = math.inf if value > 0 else -math.inf
    if math.isnan(seconds):
        raise ValueError(f"{name} must not be NaN")
    return seconds
