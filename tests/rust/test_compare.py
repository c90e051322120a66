"""The comparison itself: it accepts what the spec allows plus the declared differences, and
rejects anything else with the script shown. These tests feed it hand-made Rust reports, so they
run without cargo."""

from __future__ import annotations

from dataclasses import replace

import pytest
from chanspec.spec import (
    Call,
    Close,
    Empty,
    Expire,
    Inspect,
    Mode,
    Open,
    Operation,
    Query,
    Received,
    Recv,
    Send,
    Step,
    Timeout,
    Value,
    Wake,
    World,
    can_complete,
    rx,
    successors,
    tx,
)

from .compare import Disagreement, compare
from .differences import absent_in
from .reports import BLOCKED, Absent, Completion, Returned, RustRun, RustStep
from .scripts import LIBRARIES, Script, ScriptCall


def predicted(script: Script) -> RustRun:
    """The report Rust would give if it behaved like the spec's first choice at every call, and
    destroyed what the spec discards at the step where it discards it."""
    world, steps = World(), []
    for call in script.calls:
        if absent_in(script.library, call.operation, world) is not None:
            steps.append(RustStep(Absent("declared"), (), ()))
            continue
        step = successors(world, Call(call.thread, call.operation), LIBRARIES[script.library])[0]
        returned: Returned = step.outcome_of(call.thread) or BLOCKED
        world, woken = step.world, [r for r in step.results if r[0] != call.thread]
        if returned is BLOCKED and call.expires_at_once:
            expiry = successors(world, Expire(call.thread))[0]
            world, returned = expiry.world, expiry.outcome_of(call.thread) or BLOCKED
        world, more = _wake_all(world)
        steps.append(RustStep(returned, tuple(woken + more), tuple(step.discarded)))  # type: ignore[arg-type]
    return RustRun(script.library, tuple(steps), (), (), ())


def _wake_all(world: World) -> tuple[World, list[Completion]]:
    woken: list[Completion] = []
    while ready := [p.thread for p in world.pending if can_complete(world, p.thread)]:
        step: Step = successors(world, Wake(ready[0]))[0]
        world = step.world
        woken.extend(step.results)
    return world, woken


def _script(library: str, capacity: int | None = 2) -> Script:
    calls: list[tuple[int, Operation]] = [
        (0, Open(capacity)),
        (0, Send(tx(0), 1, Mode.TRY)),
        (0, Send(tx(0), 2, Mode.BLOCK)),
        (0, Inspect(tx(0), Query.LEN)),
        (0, Recv(rx(0), Mode.TRY)),
        (0, Recv(rx(0), Mode.TRY)),
        (1, Recv(rx(0), Mode.BLOCK)),
        (0, Send(tx(0), 3, Mode.BLOCK)),
        (0, Send(tx(0), 4, Mode.BLOCK)),
        (2, Close(rx(0))),
        (2, Close(tx(0))),
    ]
    return Script(library, tuple(ScriptCall(thread, op) for thread, op in calls))


RX_CLOSE, TX_CLOSE = 9, 10


def _with_step(run: RustRun, index: int, **changes: object) -> RustRun:
    steps = list(run.steps)
    steps[index] = replace(steps[index], **changes)  # type: ignore[arg-type]
    return replace(run, steps=tuple(steps))


@pytest.mark.parametrize(("library", "capacity"), [("std", 2), ("std", None), ("crossbeam", None)])
def test_the_spec_agrees_with_itself(library: str, capacity: int | None) -> None:
    script = _script(library, capacity)
    run = predicted(script)
    assert run.steps[6].returned is BLOCKED
    assert run.steps[7].woken == ((1, Received(3)),)
    assert run.steps[RX_CLOSE].destroyed == (4,)
    assert compare(script, run) == len(script.calls)


def test_a_different_outcome_is_shown_with_the_script() -> None:
    script = _script("std")
    run = _with_step(predicted(script), 4, returned=Empty())
    with pytest.raises(Disagreement) as caught:
        compare(script, run)
    text = str(caught.value)
    assert "disagree at call 4" in text
    assert "T0: c0.rx0.try_recv()" in text
    assert "spec allows: T0: c0.rx0.try_recv()  => T0 -> Received(1)" in text


def test_a_count_does_not_pass_for_a_flag() -> None:
    script = _script("crossbeam", capacity=None)
    run = predicted(script)
    assert run.steps[3].returned == Value(2)
    with pytest.raises(Disagreement):
        compare(script, _with_step(run, 3, returned=Value(True)))


def test_a_call_rust_leaves_waiting_must_not_be_able_to_complete() -> None:
    script = _script("std")
    with pytest.raises(Disagreement):
        compare(script, _with_step(predicted(script), 7, woken=()))


def test_a_call_that_can_complete_must_not_block() -> None:
    script = _script("std")
    with pytest.raises(Disagreement):
        compare(script, _with_step(predicted(script), 4, returned=BLOCKED))


def _destroyed_late(run: RustRun) -> RustRun:
    late = _with_step(run, RX_CLOSE, destroyed=())
    return _with_step(late, TX_CLOSE, destroyed=(4,))


def test_crossbeam_bounded_destroys_the_buffer_when_the_channel_is_freed() -> None:
    script = _script("crossbeam")
    compare(script, _destroyed_late(predicted(script)))
    with pytest.raises(Disagreement):  # the declared difference is what 0.5.6 does: it is required
        compare(script, predicted(script))


def test_nothing_else_may_destroy_the_buffer_late() -> None:
    for script in (_script("std"), _script("crossbeam", capacity=None)):
        with pytest.raises(Disagreement):
            compare(script, _destroyed_late(predicted(script)))


def test_a_deferred_destruction_must_happen() -> None:
    script = _script("crossbeam")
    with pytest.raises(Disagreement):
        compare(script, _with_step(predicted(script), RX_CLOSE, destroyed=()))


def test_only_the_declared_calls_may_be_absent() -> None:
    std = _script("std")
    assert isinstance(predicted(std).steps[3].returned, Absent)  # std has no len
    with pytest.raises(Disagreement):
        compare(std, _with_step(predicted(std), 4, returned=Absent("no try_recv?")))
    crossbeam = _script("crossbeam", capacity=None)
    with pytest.raises(Disagreement):
        compare(crossbeam, _with_step(predicted(crossbeam), 3, returned=Absent("no len?")))


def test_only_a_short_timed_call_may_time_out_within_its_step() -> None:
    for timeout_ms, accepted in ((1, True), (10_000, False)):
        call = ScriptCall(0, Recv(rx(0), Mode.TIMED), timeout_ms)
        opened = ScriptCall(0, Open(None))
        script = Script("crossbeam", (opened, call, ScriptCall(2, Close(tx(0))), ScriptCall(2, Close(rx(0)))))
        run = predicted(replace(script, calls=(opened, replace(call, timeout_ms=1), *script.calls[2:])))
        assert run.steps[1].returned == Timeout()
        if accepted:
            compare(script, run)
        else:
            with pytest.raises(Disagreement):
                compare(script, run)


def test_rust_must_leave_nothing_to_tidy_up() -> None:
    script = _script("std")
    with pytest.raises(Disagreement) as caught:
        compare(script, replace(predicted(script), stuck=(1,)))
    assert "after the last call" in str(caught.value)
