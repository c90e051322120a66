"""The sequential conformance check as a Hypothesis state machine.

Hypothesis chooses the calls (any operation on any handle, closed ones
included, from the test thread or, when it may block, from a worker thread),
the :class:`Harness` runs them and checks every result against the
specification, and Hypothesis shrinks a failing run to a short one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule

from .backend import Backend
from .harness import Deviation, Harness, Timing

T = TypeVar("T")

_CHOICES = 1 << 16
"""Choices are drawn as numbers from a fixed range and mapped onto the options of the moment, so
that what Hypothesis draws has the same shape on every replay, whatever the threads did."""


def _pick(options: Sequence[T], choice: int) -> T:
    return options[choice % len(options)]


def machine_for(
    backend: Backend,
    capacity: int | None,
    workers: int = 2,
    timing: Timing | None = None,
    on_deviation: Callable[[Deviation], None] | None = None,
    on_run: Callable[[], None] | None = None,
) -> type[RuleBasedStateMachine]:
    """A state machine class that checks ``backend`` at ``capacity``; run it with
    ``run_state_machine_as_test`` or expose ``Machine.TestCase`` to pytest/unittest.
    ``workers`` threads make the calls that may block (0: only calls that return at once);
    ``on_run`` is told of every run (every new channel) the machine starts."""
    chosen_timing = timing or Timing()

    class ConformanceMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.harness = Harness(backend, capacity, workers, chosen_timing, on_deviation)
            if on_run is not None:
                on_run()

        @rule(choice=st.integers(0, _CHOICES - 1))
        def call(self, choice: int) -> None:
            self.harness.call(_pick(self.harness.immediate_calls(), choice))

        @precondition(lambda self: self.harness.workers > 0)
        @rule(worker=st.integers(0, _CHOICES - 1), choice=st.integers(0, _CHOICES - 1))
        def start_blocking(self, worker: int, choice: int) -> None:
            idle = self.harness.idle_workers()
            if idle:  # whether a worker is still busy depends on timing: then this step does nothing
                self.harness.start(_pick(idle, worker), _pick(self.harness.blocking_calls(), choice))

        def teardown(self) -> None:
            self.harness.close_everything()

    capacity_name = "unbounded" if capacity is None else f"bounded{capacity}"
    ConformanceMachine.__name__ = ConformanceMachine.__qualname__ = f"Conformance_{capacity_name}"
    return ConformanceMachine
