"""The sequential conformance check as a Hypothesis state machine.

Hypothesis chooses the calls (any operation on any handle, closed ones
included, from the test thread or, when it may block, from a worker thread),
the :class:`Harness` runs them and checks every result against the
specification, and Hypothesis shrinks a failing run to a short one.
"""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule

from .backend import Backend
from .harness import Deviation, Harness, Timing


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

        @rule(data=st.data())
        def call(self, data: st.DataObject) -> None:
            op = data.draw(st.sampled_from(self.harness.immediate_calls()), label="call")
            self.harness.call(op)

        @precondition(lambda self: bool(self.harness.idle_workers()))
        @rule(data=st.data())
        def start_blocking(self, data: st.DataObject) -> None:
            thread = data.draw(st.sampled_from(self.harness.idle_workers()), label="worker")
            op = data.draw(st.sampled_from(self.harness.blocking_calls()), label="blocking call")
            self.harness.start(thread, op)

        def teardown(self) -> None:
            self.harness.close_everything()

    capacity_name = "unbounded" if capacity is None else f"bounded{capacity}"
    ConformanceMachine.__name__ = ConformanceMachine.__qualname__ = f"Conformance_{capacity_name}"
    return ConformanceMachine
