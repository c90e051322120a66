"""Messages that report their own release, so a message kept (or leaked) by a channel shows.

``Parcel(n)`` appends ``n`` to :data:`FREED` when it is released. A test notes
which numbers it created, drops every reference it holds, collects, and then
checks that every one of them is in :data:`FREED`: a number that is missing is a
message something still holds (a buffer, a parked waiter's token, a stuck thread).
"""

from __future__ import annotations

import gc
import itertools
import time
from collections import deque
from collections.abc import Iterable

FREED: deque[int] = deque()
"""Numbers of the parcels released so far (``deque.append`` is atomic: finalizers may run on any thread)."""

_numbers = itertools.count()


class Parcel:
    """A message with a number unique in the whole test session."""

    __slots__ = ("number",)

    def __init__(self, number: int | None = None) -> None:
        self.number = next(_numbers) if number is None else number

    def __del__(self) -> None:
        FREED.append(self.number)

    def __repr__(self) -> str:
        return f"Parcel({self.number})"


def still_held(numbers: Iterable[int], attempts: int = 5) -> list[int]:
    """The parcels among ``numbers`` not released yet, after a full collection. Collects again a
    few times before answering: ``gc.collect()`` does nothing while another thread is collecting."""
    wanted = set(numbers).difference(FREED)  # usually everything is gone already: no collection
    for attempt in range(attempts if wanted else 0):
        gc.collect()
        wanted.difference_update(FREED)
        if not wanted:
            break
        time.sleep(0.01 * attempt)
    return sorted(wanted)
