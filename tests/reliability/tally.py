"""The counts the reliability suite reports at its end: messages accounted for, injection
points tried, bad inputs tried (and a few more), summed over every test that ran.

Tests add to :data:`COUNTS`; ``conftest.py`` prints the totals after the run and,
when ``CHANSPEC_RELIABILITY_COUNTS`` names a file, writes them there as JSON.
"""

from __future__ import annotations

from collections import Counter

COUNTS: Counter[str] = Counter()
"""Totals by name; the names are the keys of :data:`LABELS`."""

LABELS = {
    "messages": "messages accounted for (soak)",
    "discarded": "  of which discarded by a last receiver's close",
    "returned": "  of which handed back in an error's .message",
    "injection_points": "injection points tried (exception raised at one line or instruction)",
    "injection_lost": "  of which an interrupted receive lost its message (the documented window)",
    "preemption_points": "preemption points tried (a handle closed while a call paused there)",
    "signals": "real SIGINTs delivered to a main thread blocked in a channel call",
    "bad_inputs": "bad inputs tried",
    "gc_handles": "handles closed by the garbage collector",
    "channels": "channels created, used and dropped (memory check)",
    "timed_out_calls": "timed-out calls checked for leftovers (threads, memory, waiters)",
    "timeouts_measured": "timeouts measured for accuracy with both cores loaded",
}


WORST: dict[str, float] = {}
"""The largest value seen, by name (e.g. how late a timed call returned, in milliseconds)."""

WORST_LABELS = {"timeout_late_ms": "ms: the latest a timed call returned after its deadline, cores busy"}


def worst(name: str, value: float) -> None:
    """Remember ``value`` if it is the largest seen for ``name`` (one of :data:`WORST_LABELS`)."""
    if name not in WORST_LABELS:
        raise KeyError(f"unknown maximum {name!r}")
    WORST[name] = max(value, WORST.get(name, value))


def add(name: str, amount: int = 1) -> None:
    """Count ``amount`` more of ``name`` (one of :data:`LABELS`)."""
    if name not in LABELS:
        raise KeyError(f"unknown tally {name!r}")
    COUNTS[name] += amount


def summary() -> list[str]:
    """The report lines, in the order of :data:`LABELS`, for the counts that were touched."""
    lines = [f"{COUNTS[name]:>12,}  {label}" for name, label in LABELS.items() if name in COUNTS]
    lines += [f"{WORST[name]:>12.1f}  {label}" for name, label in WORST_LABELS.items() if name in WORST]
    return lines
