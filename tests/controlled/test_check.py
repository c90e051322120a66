"""Controlled checks of real channels: every zoo bug is found and replays; correct channels pass."""

from __future__ import annotations

import importlib
import json
import math
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, ClassVar

import pytest
from chanspec.conformance import Backend, Capabilities
from chanspec.conformance.controlled import check, decode_schedule, replay
from chanspec.conformance.controlled.schedule import Schedule
from chanspec.conformance.controlled.search import shape

from ..zoo.base import Handle, ZooChannel, factory, make
from ..zoo.bugs import BUGS, BY_NAME, Bug

FIND_WITHIN = 20.0
"""Seconds a controlled check gets to find a zoo bug (most take well under one)."""


@pytest.mark.parametrize("bug", BUGS, ids=[bug.name for bug in BUGS])
def test_every_zoo_bug_is_found(bug: Bug) -> None:
    result = check(bug.backend, bug.capacities[0], budget_seconds=FIND_WITHIN, seed=3, shrink_seconds=0.3)
    assert result.verdict == "deviation", f"{bug.name} not found in {result.runs} runs:\n{result.report}"
    assert result.schedule is not None and result.history is not None
    assert result.schedule in result.report and "T0" in result.report


@pytest.mark.parametrize("capacity", [None, 0, 1, 2], ids=["unbounded", "zero", "one", "two"])
@pytest.mark.parametrize(
    "name",
    [
        "zoo-base",
        "reference",
        "reference-std",
        "impl",
        "impl-std",
    ],
)
def test_correct_channels_pass(name: str, capacity: int | None, tmp_path: Path) -> None:
    if name == "zoo-base":
        result = check(Backend("zoo-base", make), capacity, budget_seconds=0.4, seed=5)
        verdict, report, runs = result.verdict, result.report, result.runs
    else:
        verdict, report, runs = _check_in_a_fresh_process(name, capacity, tmp_path)
    assert verdict == "ok", report
    assert runs > 10


_CHECK_ONE = """
import json, sys
from chanspec.conformance.builtin import own_backends
from chanspec.conformance.controlled import check
backend = {b.name: b for b in own_backends()}[sys.argv[1]]
capacity = None if sys.argv[2] == "None" else int(sys.argv[2])
result = check(backend, capacity, budget_seconds=0.4, seed=5)
print(json.dumps([result.verdict, result.report, result.runs]))
"""


def _check_in_a_fresh_process(name: str, capacity: int | None, where: Path) -> tuple[str, str, int]:
    """A controlled run of chanspec's own channels rebinds their module-level lock while it runs,
    so it gets a process of its own: threads that earlier tests left behind cannot touch it."""
    done = subprocess.run(
        [sys.executable, "-c", _CHECK_ONE, name, str(capacity)],
        cwd=where,  # not the checkout, whose chanspec/ folder would shadow the installed package
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    verdict, report, runs = json.loads(done.stdout.strip().splitlines()[-1])
    return str(verdict), str(report), int(runs)


def test_a_schedule_string_replays_the_failing_run_exactly() -> None:
    bug = BY_NAME["race-check-then-wait"]
    found = check(bug.backend, None, budget_seconds=FIND_WITHIN, seed=1, shrink_seconds=1.0)
    assert found.schedule is not None and found.history is not None
    again = replay(bug.backend, found.schedule)
    assert again.verdict == "deviation"
    assert again.history is not None and shape(again.history) == shape(found.history)
    assert "did not behave" not in again.report
    assert replay(Backend("zoo-base", make), found.schedule).verdict == "ok"  # the correct channel, same run


def test_the_same_seed_finds_the_same_run() -> None:
    bug = BY_NAME["race-disconnect-check-then-act"]
    first = check(bug.backend, None, budget_seconds=FIND_WITHIN, seed=8, shrink_seconds=0.5)
    second = check(bug.backend, None, budget_seconds=FIND_WITHIN, seed=8, shrink_seconds=0.5)
    assert first.verdict == second.verdict == "deviation"
    assert first.runs == second.runs


def test_shrinking_leaves_a_small_plan_and_few_preemptions() -> None:
    bug = BY_NAME["race-unlocked-try-recv"]
    result = check(bug.backend, None, budget_seconds=FIND_WITHIN, seed=2, shrink_seconds=3.0)
    assert result.schedule is not None and result.steps is not None
    schedule = decode_schedule(result.schedule)
    assert result.steps <= 8
    assert sum(1 for d in schedule.decisions if d) <= 3


def test_a_replay_on_another_python_says_so() -> None:
    bug = BY_NAME["race-check-then-wait"]
    found = check(bug.backend, None, budget_seconds=FIND_WITHIN, seed=1, shrink_seconds=0.3)
    assert found.schedule is not None
    recorded = decode_schedule(found.schedule)
    elsewhere = Schedule(recorded.capacity, recorded.granularity, recorded.plan, recorded.decisions, "3.0")
    again = replay(bug.backend, elsewhere.encode())
    assert "recorded on Python 3.0" in again.report


def test_schedule_strings_round_trip_and_damaged_ones_are_refused() -> None:
    schedule = Schedule(2, "line", bytes(range(31)), (0, 1, 0, 0, 2), "3.12")
    assert decode_schedule(schedule.encode()) == schedule
    with pytest.raises(ValueError, match="not a schedule string"):
        decode_schedule("hello")
    with pytest.raises(ValueError, match="damaged"):
        decode_schedule("cs1:3.12:AAAA")


def test_pct_and_exhaustive_strategies_find_the_lost_wakeup() -> None:
    bug = BY_NAME["race-check-then-wait"]
    for strategy in ("pct", "exhaustive", "mixed"):
        result = check(bug.backend, None, budget_seconds=FIND_WITHIN, seed=4, strategy=strategy, shrink_seconds=0.5)
        assert result.verdict == "deviation", f"{strategy}: {result.report}"


def test_exhaustive_search_explores_small_plans_completely() -> None:
    result = check(Backend("zoo-base", make), 1, budget_seconds=2.0, strategy="exhaustive", preemption_bound=1)
    assert result.verdict == "ok"
    assert result.plans_exhausted >= 1


class LockFreePeek(ZooChannel):
    """``try_recv`` reads the front message and pops it in two statements, with no
    synchronisation between them: two receivers can get the same message and lose the next."""

    def try_recv(self, handle: Handle) -> Any:
        if not handle.closed and self.buffer:
            message = self.buffer[0]
            self.buffer.popleft()
            return message
        return super().try_recv(handle)


def test_line_granularity_finds_a_race_with_no_synchronisation_in_its_window() -> None:
    backend = Backend("lock-free-peek", factory(LockFreePeek))
    at_sync_calls = check(backend, None, budget_seconds=0.8, seed=6)
    assert at_sync_calls.verdict == "ok"  # no switch point inside the window: invisible
    at_lines = check(backend, None, budget_seconds=FIND_WITHIN, seed=6, granularity="line", shrink_seconds=0.5)
    assert at_lines.verdict == "deviation", at_lines.report
    assert "line" in at_lines.report


class BlocksOutside(ZooChannel):
    """A channel whose blocking receive first waits for a lock made before any run (a class
    attribute, which no controlled run replaces): the scheduler cannot see it block."""

    outside: ClassVar[threading.Lock] = threading.Lock()

    def recv(self, handle: Handle, deadline: float | None) -> Any:
        if deadline == math.inf:
            with BlocksOutside.outside:
                pass
        return super().recv(handle, deadline)


def test_a_backend_that_blocks_outside_the_scheduler_is_an_error_not_a_hang() -> None:
    BlocksOutside.outside.acquire()
    try:
        backend = Backend("blocks-outside", factory(BlocksOutside))
        result = check(backend, None, budget_seconds=FIND_WITHIN, watchdog=0.3)
        assert result.verdict == "error"
        assert "stuck" in result.report and "did not reach a switch point" in result.report
        assert "in recv" in result.report  # where it was stuck
    finally:
        BlocksOutside.outside.release()  # the thread left behind goes on


@pytest.mark.parametrize("adapter", ["simple_queue", "queue_queue"])
def test_queue_based_backends_run_under_the_scheduler(adapter: str) -> None:
    """``queue.Queue`` builds on controlled primitives, and ``queue.SimpleQueue`` is replaced by
    its pure-Python twin: both block in the scheduler, never for real. (Neither can report a
    disconnection, which the specification requires: that is the deviation found.)"""
    backend = importlib.import_module(f"chanspec.conformance.adapters.{adapter}").backend
    result = check(backend, None, budget_seconds=FIND_WITHIN, seed=1, watchdog=1.0, shrink_seconds=0.5)
    assert result.verdict == "deviation", result.report
    assert "Disconnected" in result.report
    assert "warning" not in result.report and "stuck" not in result.report


def test_an_unknown_strategy_or_capacity_is_refused() -> None:
    backend = Backend("zoo-base", make)
    with pytest.raises(ValueError, match="unknown strategy"):
        check(backend, None, strategy="clever")
    with pytest.raises(ValueError, match="unknown granularity"):
        check(backend, None, granularity="bytecode")
    with pytest.raises(ValueError, match="does not claim"):
        check(Backend("unbounded-only", make, Capabilities(bounded=False, zero=False)), 1)


def test_the_result_converts_to_a_finding() -> None:
    result = check(Backend("zoo-base", make), 2, budget_seconds=0.3, seed=9)
    finding = result.finding()
    assert (finding.phase, finding.verdict, finding.capacity, finding.runs) == ("controlled", "ok", 2, result.runs)
