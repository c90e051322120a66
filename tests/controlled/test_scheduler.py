"""The scheduler and its primitives: one thread at a time, virtual time, deadlocks seen at once."""

from __future__ import annotations

import random
import sys
import threading
import time
import types
from collections.abc import Callable

import pytest
from chanspec.conformance.controlled import primitives
from chanspec.conformance.controlled.scheduler import Scheduler
from chanspec.conformance.controlled.strategies import PCT, Exhaustive, RandomWalk, Replay
from chanspec.conformance.controlled.world import World, controlled

from .support import python_threads


def run(sched: Scheduler, *bodies: Callable[[], None], world: World | None = None) -> str:
    """Run ``bodies`` as the tasks of ``sched`` in a controlled world; returns the status."""
    for index, body in enumerate(bodies):
        sched.spawn(f"T{index}", body)
    with controlled(sched, world or World(()), b"seed"):
        return sched.run()


def _increments(seed: int, locked: bool) -> int:
    """Two threads increment a counter (a read, a switch point, a write), under a lock or not."""
    sched = Scheduler(RandomWalk(random.Random(seed)))
    lock = primitives.Lock(sched)
    counter = [0]

    def increment() -> None:
        if locked:
            lock.acquire()
        value = counter[0]
        time.sleep(0)  # a switch point between the read and the write
        counter[0] = value + 1
        if locked:
            lock.release()

    assert run(sched, increment, increment) == "finished"
    return counter[0]


def test_without_a_lock_some_schedule_loses_an_update_and_with_one_none_does() -> None:
    assert {_increments(seed, locked=False) for seed in range(40)} == {1, 2}
    assert {_increments(seed, locked=True) for seed in range(40)} == {2}


def _hand_over(seed: int) -> list[str]:
    """A consumer waits on a condition for the item a producer adds."""
    sched = Scheduler(RandomWalk(random.Random(seed)))
    cond = primitives.Condition(sched)
    items: list[str] = []
    got: list[str] = []

    def consume() -> None:
        with cond:
            while not items:
                cond.wait()
            got.append(items.pop())

    def produce() -> None:
        with cond:
            items.append("x")
            cond.notify()

    assert run(sched, consume, produce) == "finished"
    return got


def test_a_condition_wakes_its_waiter_in_every_schedule() -> None:
    for seed in range(30):
        assert _hand_over(seed) == ["x"]


def test_a_timeout_runs_on_the_virtual_clock_and_costs_no_wall_time() -> None:
    sched = Scheduler(RandomWalk(random.Random(0)))
    event = primitives.Event(sched)
    answers: list[object] = []

    def wait_an_hour() -> None:
        before = time.monotonic()
        answers.append(event.wait(3600))
        answers.append(time.monotonic() - before)

    started = time.monotonic()
    assert run(sched, wait_an_hour) == "finished"
    assert answers[0] is False
    assert isinstance(answers[1], float) and answers[1] >= 3600
    assert time.monotonic() - started < 5


def test_a_deadlock_is_detected_at_once_and_every_thread_is_torn_down() -> None:
    threads_before = python_threads()
    # T0 takes the first lock and is stopped at its sleep; T1 takes the second: each then waits for the other
    sched = Scheduler(Replay([0, 0, 1]))
    first, second = primitives.Lock(sched), primitives.Lock(sched)
    unwound: list[str] = []

    def take(one: primitives.Lock, other: primitives.Lock, name: str) -> Callable[[], None]:
        def body() -> None:
            try:
                with one:
                    time.sleep(0)
                    with other:
                        pass
            except BaseException:
                unwound.append(name)
                raise

        return body

    started = time.monotonic()
    status = run(sched, take(first, second, "T0"), take(second, first, "T1"))
    assert status == "stalled"
    assert "T0 in Lock.acquire" in sched.detail and "T1 in Lock.acquire" in sched.detail
    assert sorted(unwound) == ["T0", "T1"]
    assert time.monotonic() - started < 5
    assert python_threads() <= threads_before


def test_a_run_without_end_stops_at_the_step_limit() -> None:
    sched = Scheduler(RandomWalk(random.Random(0)), max_steps=300)

    def spin() -> None:
        while True:
            time.sleep(0)

    assert run(sched, spin, spin) == "step limit"


def test_a_thread_blocked_outside_the_scheduler_is_reported_stuck() -> None:
    real = threading.Lock()
    real.acquire()
    sched = Scheduler(RandomWalk(random.Random(0)), watchdog=0.3)

    def block_for_real() -> None:
        real.acquire()  # created before the run: not controlled

    try:
        status = run(sched, block_for_real)
        assert status == "stuck"
        assert "did not reach a switch point" in sched.detail and "block_for_real" in sched.detail
    finally:
        real.release()


def test_rlock_and_semaphores_keep_their_rules() -> None:
    sched = Scheduler(RandomWalk(random.Random(0)))
    rlock = primitives.RLock(sched)
    bounded = primitives.BoundedSemaphore(sched, 1)
    semaphore = primitives.Semaphore(sched, 0)
    seen: list[object] = []

    def owner() -> None:
        with rlock, rlock:
            seen.append("nested")
            time.sleep(0)
        bounded.acquire()
        bounded.release()
        with pytest.raises(ValueError, match="too many"):
            bounded.release()
        seen.append(semaphore.acquire(timeout=0.5))  # nobody releases: times out (virtually)

    def stranger() -> None:
        try:
            rlock.release()
        except RuntimeError as error:
            seen.append(str(error))

    assert run(sched, owner, stranger) == "finished"
    assert "nested" in seen and False in seen
    assert "cannot release un-acquired lock" in seen


def test_the_world_controls_threading_and_time_only_inside_a_task_and_puts_everything_back() -> None:
    module = types.ModuleType("chanspec_test_backend")
    module.LOCK = threading.Lock()  # type: ignore[attr-defined]
    module.CHANGED = threading.Condition(module.LOCK)  # type: ignore[attr-defined]
    module.clock = time.monotonic  # type: ignore[attr-defined]
    original_lock, original_changed = module.LOCK, module.CHANGED
    sched = Scheduler(RandomWalk(random.Random(0)))
    seen: dict[str, object] = {}

    def inside() -> None:
        seen["lock"] = threading.Lock()
        seen["condition"] = threading.Condition()
        seen["module lock"] = module.LOCK
        seen["module condition lock"] = module.CHANGED._lock
        seen["now"] = (time.monotonic(), module.clock(), sched.now / 1e9)

    sys.modules[module.__name__] = module
    try:
        status = run(sched, inside, world=World((module,)))
    finally:
        del sys.modules[module.__name__]
    assert status == "finished"
    assert isinstance(seen["lock"], primitives.Lock)
    assert isinstance(seen["condition"], primitives.Condition)
    assert isinstance(seen["module lock"], primitives.Lock)
    assert seen["module condition lock"] is seen["module lock"]
    now = seen["now"]
    assert isinstance(now, tuple) and now[0] == now[1] == now[2]
    assert module.LOCK is original_lock and module.CHANGED is original_changed
    assert module.clock is time.monotonic
    assert not isinstance(threading.Lock(), primitives.Lock)


def _two_threads_of_steps(sched: Scheduler, steps: int) -> str:
    """Threads a and b append ``steps`` entries each to a log, with a switch point between
    entries; returns the log."""
    log: list[str] = []

    def thread(name: str) -> Callable[[], None]:
        def body() -> None:
            for n in range(steps):
                if n:
                    time.sleep(0)
                log.append(f"{name}{n + 1}")

        return body

    assert run(sched, thread("a"), thread("b")) == "finished"
    return " ".join(log)


def _orders(chooser: Exhaustive) -> set[str]:
    """Every order the exhaustive chooser produces for two threads of two steps each."""
    seen = set()
    while not chooser.exhausted:
        sched = Scheduler(chooser.next())
        seen.add(_two_threads_of_steps(sched, 2))
        chooser.done_with(sched.decisions, sched.widths, sched.preemptible)
    return seen


def test_exhaustive_search_enumerates_every_interleaving_within_its_preemption_bound() -> None:
    assert _orders(Exhaustive(bound=0)) == {"a1 a2 b1 b2", "b1 b2 a1 a2"}
    everything = _orders(Exhaustive(bound=2))
    assert len(everything) == 6
    assert "a1 b1 a2 b2" in everything and "b1 a1 b2 a2" in everything


def test_pct_with_depth_one_runs_threads_in_priority_order_without_preemption() -> None:
    for seed in range(10):
        sched = Scheduler(PCT(random.Random(seed), tasks=2, depth=1, steps=10))
        assert _two_threads_of_steps(sched, 3) in ("a1 a2 a3 b1 b2 b3", "b1 b2 b3 a1 a2 a3")
