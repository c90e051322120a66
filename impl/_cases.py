"""The cases of a select, and the one attempt at them that every select round (threaded or
awaited) begins with: perform the first case that would not wait.

A plain ``asend``/``arecv`` is an awaited select over one case, so this module is shared by
:mod:`chanspec.impl._select` and :mod:`chanspec.impl._async`.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

from chanspec.errors import NO_MESSAGE, HandleClosed

from ._waiters import TAKEN, WOKEN

if TYPE_CHECKING:
    from ._core import ImplHandle

Done = tuple[int, bool, Any]
"""(case index, succeeded, value or error)"""

_random = random.random


class Case:
    """One registered operation: the handle, and the message if it is a send."""

    __slots__ = ("handle", "message", "sending")

    def __init__(self, handle: ImplHandle, sending: bool, message: Any) -> None:
        self.handle = handle
        self.sending = sending
        self.message = message


def attempt(cases: list[tuple[int, Case]], biased: bool, complete: bool, thread: int) -> Done | None:
    """Complete (or find ready) a case that would not wait; None if none would. A case whose
    handle is closed comes first (the lowest such index)."""
    if biased:
        for index, case in cases:
            if case.handle._closed:
                return index, False, HandleClosed(case.message if case.sending else NO_MESSAGE)
        for index, case in cases:
            if complete:
                attempt = case.handle._sel_attempt(case.message, thread)
                if attempt is not None:
                    return index, attempt[0], attempt[1]
            elif case.handle._sel_ready(thread):
                return index, True, None
        return None
    # Fair: a uniform pick among the cases that look ready (reservoir sampling: the k-th one
    # seen replaces the pick with probability 1/k), which is then performed. Only if it
    # stopped being ready in between are all the cases tried, in a random order.
    chosen: tuple[int, Case] | None = None
    seen = 0
    for item in cases:
        handle = item[1].handle
        if handle._closed:
            index, case = item
            return index, False, HandleClosed(case.message if case.sending else NO_MESSAGE)
        if handle._sel_ready(thread):
            seen += 1
            if _random() * seen < 1.0:
                chosen = item
    if chosen is None:
        return None
    index, case = chosen
    if not complete:
        return index, True, None
    attempt = case.handle._sel_attempt(case.message, thread)
    if attempt is not None:
        return index, attempt[0], attempt[1]
    for index, case in random.sample(cases, len(cases)):
        attempt = case.handle._sel_attempt(case.message, thread)
        if attempt is not None:
            return index, attempt[0], attempt[1]
    return None


def completed_by_claim(index: int, payload: Any) -> Done | None:
    """What the claim that woke a waiting select means: the case it completed (a parked send's
    message moved, ``TAKEN``; a message handed over), or None if it only woke it (``WOKEN``)."""
    if payload is TAKEN:
        return index, True, None
    if payload is not WOKEN:
        return index, True, payload
    return None


def same_side(case: Case, done: Done | None, cases: list[tuple[int, Case]]) -> bool:
    """Whether the completed case used the same channel side as ``case`` (then it consumed
    the wake-up ``case`` brought)."""
    if done is None:
        return False
    chosen = dict(cases)[done[0]]
    return chosen.sending is case.sending and chosen.handle._chan is case.handle._chan
