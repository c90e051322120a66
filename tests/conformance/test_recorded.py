"""Recorded histories of real channels: the reference and the production ones are explained,
seeded bugs are caught, and the checker's time on a 1000-call, 8-thread history is reported."""

from __future__ import annotations

import time
from typing import Any

import pytest
from chanspec.conformance.history import Workload, record
from chanspec.conformance.linearizability import Budget, Verdict, check
from chanspec.spec import Close

from .support import builtin_backend, deaf_backend, hanging_backend, lossy_backend

CAPACITIES = [None, 2, 0]
IDS = ["unbounded", "bounded2", "zero"]


@pytest.mark.parametrize("capacity", CAPACITIES, ids=IDS)
@pytest.mark.parametrize("which", ["reference", "impl"])
def test_histories_of_correct_channels_are_explained(which: str, capacity: int | None) -> None:
    history = record(builtin_backend(which), capacity, Workload(threads=6, operations=400, seed=11))
    judgement = check(history, Budget(seconds=60))
    assert judgement.verdict is Verdict.OK, str(judgement)
    assert len(judgement.witness) >= len(history.entries)


def test_std_flavour_histories_are_explained_in_the_std_profile() -> None:
    history = record(builtin_backend("reference-std"), 1, Workload(threads=4, operations=200, seed=5))
    judgement = check(history, Budget(seconds=60))
    assert judgement.verdict is Verdict.OK, str(judgement)


def test_a_channel_that_loses_messages_is_caught() -> None:
    history = record(lossy_backend(), 2, Workload(threads=4, operations=300, seed=2))
    judgement = check(history, Budget(seconds=60))
    assert judgement.verdict is Verdict.VIOLATION, str(judgement)
    assert judgement.violation is not None
    assert judgement.violation.prefix_calls < len(history.entries)


def test_a_receive_deaf_to_messages_is_caught_as_a_missed_wake_up() -> None:
    history = record(deaf_backend(), None, Workload(threads=3, operations=60, seed=4, blocking_share=0.5))
    judgement = check(history, Budget(seconds=60))
    assert judgement.verdict is Verdict.VIOLATION, str(judgement)
    assert judgement.violation is not None
    assert judgement.violation.headline.startswith("missed wake-up"), str(judgement.violation)


def test_the_recorder_leaves_a_call_that_hangs_behind_and_the_checker_reports_it() -> None:
    workload = Workload(threads=3, operations=60, seed=1, patience=0.3, time_limit=5.0)
    started = time.monotonic()
    history = record(hanging_backend(), 1, workload)
    assert time.monotonic() - started < workload.time_limit + 10 * workload.patience + 5
    hung = [e for e in history.entries if e.returned is None]
    assert any(isinstance(e.operation, Close) for e in hung)  # others may be left blocked by it
    judgement = check(history, Budget(seconds=60))
    assert judgement.verdict is Verdict.VIOLATION, str(judgement)
    assert judgement.violation is not None and judgement.violation.headline.startswith("missed wake-up")


def test_a_1000_call_8_thread_history_is_decided(record_property: Any) -> None:
    history = record(builtin_backend("impl"), 2, Workload(threads=8, operations=1000, seed=1))
    wall, cpu = time.monotonic(), time.thread_time()
    judgement = check(history, Budget(seconds=120))
    wall, cpu = time.monotonic() - wall, time.thread_time() - cpu
    record_property("checker_wall_seconds", round(wall, 3))
    record_property("checker_cpu_seconds", round(cpu, 3))
    print(f"\n1000 calls, 8 threads: {judgement} (wall {wall:.3f} s, cpu {cpu:.3f} s)")
    assert judgement.verdict is Verdict.OK, str(judgement)


def test_a_tiny_time_budget_gives_unknown() -> None:
    history = record(builtin_backend("reference"), None, Workload(threads=8, operations=600, seed=3))
    judgement = check(history, Budget(seconds=0.0))
    assert judgement.verdict is Verdict.UNKNOWN
    assert judgement.exhausted == "time"
