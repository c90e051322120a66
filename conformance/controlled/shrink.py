"""Shrinking a failing run, with Hypothesis choosing what to try.

A run is a pure function of two byte strings: the plan (:mod:`.plan`) and the
schedule, as a table of the decisions that preempted or picked another thread than
the first (:class:`~.strategies.Preemptions`: each entry names the thread running, how
many decisions it had been at, and the thread to run instead). Hypothesis draws both
as fixed-size ``binary`` values, is handed the failing run through
:meth:`fuzz_one_input` (a fixed-size binary is read byte for byte from the buffer,
which the first call checks), and then shrinks it from its example database: zero
bytes empty a call slot, drop a clone or an entry of the table, so the operations and
the schedule shrink together (an entry is keyed by its own thread's decisions, so it
keeps its meaning when a call of another thread goes). Every replay that still
fails is kept if it is smaller (fewer calls, then fewer preemptions, then fewer and
smaller decisions); shrinking stops at ``seconds``.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import strategies as st
from hypothesis.database import InMemoryExampleDatabase

from .plan import PLAN_SIZE

F = TypeVar("F")


@dataclass
class Shrunk(Generic[F]):
    """The smallest failure found, and how many replays shrinking tried."""

    failure: F
    replays: int
    used_hypothesis: bool


class _StillFails(Exception):
    pass


def shrink(
    plan: bytes,
    schedule: bytes,
    failure: F,
    rerun: Callable[[bytes, bytes], F | None],
    size: Callable[[F], tuple[int, ...]],
    seconds: float,
) -> Shrunk[F]:
    """Shrink ``failure`` (the run of ``plan`` under ``schedule``). ``rerun(plan, schedule)``
    replays a candidate and returns its failure or ``None``; ``size`` orders failures."""
    best = Shrunk(failure, 0, False)
    schedule = schedule or b"\0\0\0"
    end = time.monotonic() + seconds
    read_as_intended: list[bool] = []

    @settings(
        database=InMemoryExampleDatabase(),
        phases=(Phase.reuse, Phase.shrink),
        max_examples=1,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
        report_multiple_bugs=False,
        print_blob=False,
        derandomize=False,
    )
    @given(st.binary(min_size=PLAN_SIZE, max_size=PLAN_SIZE), st.binary(min_size=len(schedule), max_size=len(schedule)))
    def scenario(plan_bytes: bytes, schedule_bytes: bytes) -> None:
        if not read_as_intended:
            read_as_intended.append(plan_bytes == plan and schedule_bytes == schedule)
            raise _StillFails
        if time.monotonic() > end:
            return
        best.replays += 1
        found = rerun(plan_bytes, schedule_bytes)
        if found is None:
            return
        if size(found) < size(best.failure):
            best.failure = found
        raise _StillFails

    with contextlib.suppress(_StillFails):
        scenario.hypothesis.fuzz_one_input(plan + schedule)  # type: ignore[attr-defined]
    if not read_as_intended or not read_as_intended[0]:
        return best  # this version of Hypothesis reads fuzzing buffers differently: no shrinking
    best.used_hypothesis = True
    with contextlib.suppress(Exception):  # the shrunk failure (or a flaky replay once time was up): ``best`` has it
        scenario()
    return best
