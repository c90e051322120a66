"""Replay a scenario of the docs on a real channel, with real threads.

The conformance kit's :class:`Harness` drives the channel: a call that the
scenario completes at once is made by the harness's test thread, a call that
blocks is started in a worker thread of its own, and the harness checks every
return against the specification. On top of that, each outcome must be the
very one the scenario's trace prints, and a thread the trace leaves blocked
must still be blocked at the end.

A real thread that was started on a blocking call is not observably blocked
yet: until it is, a ``try_send`` that the trace pairs with it may still find
nobody (the specification allows that too). Such a call failed without any
effect (``Full``, ``Empty``, ``Timeout``), so it is simply made again, until
the trace's outcome comes or a generous bound passes.
"""

from __future__ import annotations

import time

from chanspec.conformance import Backend, Harness, Timing
from chanspec.conformance.tracker import matches
from chanspec.spec import Call, Clone, Empty, Expire, Full, Open, Operation, Outcome, Select, Side, Timeout, Wake

from .scenarios import Played, Scenario, play

BLOCKED_WINDOW = 0.05
"""Seconds a thread the trace leaves blocked is watched for returning anyway."""

RETURN_BOUND = 5.0
"""Seconds a call the trace completes may take to do so (a generous bound)."""

TIMING = Timing(timed=0.3)
"""Timed calls in workers wait 0.3 s: long enough for a partner to meet them, short enough to expire."""

NO_EFFECT = (Full, Empty, Timeout)


def replayable(scenario: Scenario, backend: Backend) -> bool:
    """One channel, no select, and nothing the backend does not claim."""
    events = [entry.event for entry in play(scenario)]
    opens = [event for event in events if isinstance(event, Call) and isinstance(event.operation, Open)]
    selects = [event for event in events if isinstance(event, Call) and isinstance(event.operation, Select)]
    clones_receiver = any(
        isinstance(event, Call) and isinstance(event.operation, Clone) and event.operation.handle.side is Side.RECV
        for event in events
    )
    return (
        len(opens) == 1
        and events[0] in opens
        and not selects
        and (backend.capabilities.receiver_clone or not clones_receiver)
    )


def replay(scenario: Scenario, backend: Backend) -> None:
    """Play ``scenario`` on ``backend``; raises ``AssertionError`` (the harness's ``Deviation``
    included) at the first difference."""
    played = play(scenario)
    opening = played[0].event
    assert isinstance(opening, Call) and isinstance(opening.operation, Open)
    harness = Harness(backend, opening.operation.capacity, workers=3, timing=TIMING)
    workers: dict[int, int] = {}
    try:
        for entry in played[1:]:
            _replay_step(harness, workers, entry)
        _check_still_blocked(harness, workers, played)
    finally:
        harness.close_everything()


def _replay_step(harness: Harness, workers: dict[int, int], entry: Played) -> None:
    event, step = entry.event, entry.step
    if isinstance(event, Call):
        own = step.outcome_of(event.thread)
        if own is None:
            worker = workers.setdefault(event.thread, len(workers) + 1)
            harness.start(worker, event.operation)
        else:
            _expect(own, _call_until(harness, event.operation, own), f"{event}")
    elif isinstance(event, (Wake, Expire)):
        _await_return(harness, workers[event.thread])
    for thread, outcome in step.results:
        if isinstance(event, Call) and thread == event.thread and step.outcome_of(thread) is not None:
            continue
        _await_return(harness, workers[thread])
        returned = harness.pool[workers[thread]]
        assert returned.result is not None
        _expect(outcome, returned.result, f"T{thread}'s {returned.op}")


def _call_until(harness: Harness, operation: Operation, expected: Outcome) -> object:
    """Make the call, again while it fails without effect and the trace says it succeeds."""
    deadline = time.monotonic() + RETURN_BOUND
    while True:
        harness.call(operation)
        observed = harness.main.result
        retry = isinstance(observed, NO_EFFECT) and not isinstance(expected, NO_EFFECT)
        if not retry or time.monotonic() > deadline:
            return observed
        time.sleep(0.005)


def _await_return(harness: Harness, worker: int) -> None:
    assert harness.pool[worker].done.wait(RETURN_BOUND), f"worker {worker} did not return"
    harness.settle()


def _expect(expected: Outcome, observed: object, what: str) -> None:
    assert matches(expected, observed), f"{what}: the trace says {expected}, the channel returned {observed}"  # type: ignore[arg-type]


def _check_still_blocked(harness: Harness, workers: dict[int, int], played: list[Played]) -> None:
    final = played[-1].step.world
    for entry in final.pending:
        worker = harness.pool[workers[entry.thread]]
        assert not worker.done.wait(BLOCKED_WINDOW), f"T{entry.thread} returned although the trace leaves it blocked"
        harness.settle()
