"""Property: a run of the specification itself, each step stretched into a real-time
interval around it, is always explained (no false alarms); and receiving a message that
nobody sent never is (no missed alarm)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from chanspec.conformance.history import Entry, History, Mark
from chanspec.conformance.linearizability import Budget, Verdict, check
from chanspec.spec import (
    Call,
    Clone,
    Close,
    Event,
    Expire,
    Handle,
    Inspect,
    Mode,
    Open,
    Operation,
    Outcome,
    Query,
    Received,
    Recv,
    Send,
    Step,
    Value,
    World,
    can_complete,
    internal_events,
    rx,
    successors,
    tx,
)
from hypothesis import given
from hypothesis import strategies as st

SPACING = 10
"""Model steps happen every SPACING time units."""

REACH = 3 * SPACING
"""How far before its first step a call may be invoked, and after its last step it may return."""


@dataclass
class _Open:
    """A call that has taken effect but not returned yet."""

    operation: Operation
    invoked: int
    deadline: int | None


@dataclass
class _Done:
    """A call that completed at ``completed``; it returns some time before its thread's next call."""

    operation: Operation
    invoked: int
    completed: int
    outcome: Outcome
    deadline: int | None


@dataclass
class StretchedRun:
    """Drives the specification with random steps and writes down a history it explains: every
    call is invoked some time before its first step and returns some time after its last."""

    capacity: int | None
    threads: int
    world: World = field(init=False)
    handles: list[Handle] = field(default_factory=list)
    usable: dict[Handle, int] = field(default_factory=dict)
    returned: dict[int, int] = field(default_factory=dict)
    open_calls: dict[int, _Open] = field(default_factory=dict)
    done: dict[int, _Done] = field(default_factory=dict)
    entries: list[Entry] = field(default_factory=list)
    now: int = 0
    messages: int = 0

    def __post_init__(self) -> None:
        (opened,) = successors(World(), Call(0, Open(self.capacity)))
        self.world = opened.world
        self.handles = [tx(0), rx(0)]
        self.usable = {tx(0): 0, rx(0): 0}

    def events(self) -> list[Event]:
        events: list[Event] = list(internal_events(self.world))
        for thread in range(self.threads):
            if thread not in self.open_calls:
                events.extend(Call(thread, op) for op in self._calls())
        return events

    def _calls(self) -> list[Operation]:
        ops: list[Operation] = []
        for handle in self.handles:
            if handle.is_sender:
                ops.extend(Send(handle, f"m{self.messages}", mode) for mode in Mode)
            else:
                ops.extend(Recv(handle, mode) for mode in Mode)
            ops.extend([Clone(handle), Close(handle), Inspect(handle, Query.LEN), Inspect(handle, Query.IS_FULL)])
        return ops

    def take(self, step: Step, data: st.DataObject) -> None:
        self.now += SPACING
        event = step.event
        if isinstance(event, Call):
            op = event.operation
            if isinstance(op, Send):
                self.messages += 1
            earliest = max(self.now - REACH, self._finish(event.thread, data) + 1, *(self.usable[h] for h in _used(op)))
            invoked = data.draw(st.integers(earliest, self.now))
            timed = getattr(op, "mode", None) is Mode.TIMED
            deadline = invoked + data.draw(st.integers(0, REACH)) if timed else None
            self.open_calls[event.thread] = _Open(op, invoked, deadline)
        elif isinstance(event, Expire):
            call = self.open_calls[event.thread]
            call.deadline = data.draw(st.integers(call.invoked, self.now))
        for thread, outcome in step.results:
            call = self.open_calls.pop(thread)
            self.done[thread] = _Done(call.operation, call.invoked, self.now, outcome, call.deadline)
            if isinstance(outcome, Value) and isinstance(outcome.value, Handle):
                # A clone returns at once: its thread cannot hand the new handle on before.
                self.handles.append(outcome.value)
                self.usable[outcome.value] = self._finish(thread, data, before=self.now + 1) + 1
        self.world = step.world

    def _finish(self, thread: int, data: st.DataObject, before: int | None = None) -> int:
        """Give ``thread``'s completed call its response time (before ``before``, default: now)."""
        done = self.done.pop(thread, None)
        if done is None:
            return self.returned.get(thread, -REACH)
        latest = (self.now if before is None else before) - 1
        returned = data.draw(st.integers(done.completed, max(done.completed, min(latest, done.completed + REACH))))
        self.entries.append(Entry(thread, done.operation, done.invoked, returned, done.outcome, done.deadline))
        self.returned[thread] = returned
        return returned

    def history(self, data: st.DataObject) -> History:
        for thread in list(self.done):
            self._finish(thread, data, before=self.now + REACH + 1)
        entries = list(self.entries)
        end = max([self.now, *(e.response for e in entries)]) + 1
        for thread, call in self.open_calls.items():
            deadline = None if call.deadline is None else max(call.deadline, end + SPACING)
            entries.append(Entry(thread, call.operation, call.invoked, deadline=deadline))
        stuck = all(not can_complete(self.world, thread) for thread in self.open_calls)
        return History(self.capacity, tuple(entries), (Mark(end, 1),) if stuck else ())


def _used(op: Operation) -> list[Handle]:
    if isinstance(op, Send):
        return [op.sender]
    if isinstance(op, Recv):
        return [op.receiver]
    assert isinstance(op, (Clone, Close, Inspect))
    return [op.handle]


@st.composite
def stretched_runs(draw: st.DrawFn) -> History:
    run = StretchedRun(draw(st.sampled_from([None, 0, 1, 2])), draw(st.integers(1, 4)))
    data = draw(st.data())
    for _ in range(draw(st.integers(1, 30))):
        events = run.events()
        if not events:
            break  # every thread is blocked for good
        event = data.draw(st.sampled_from(events))
        steps = successors(run.world, event)
        if not steps:
            continue
        run.take(data.draw(st.sampled_from(steps)), data)
    return run.history(data)


@given(stretched_runs())
def test_a_run_of_the_specification_stretched_in_time_is_explained(history: History) -> None:
    judgement = check(history, Budget(seconds=30))
    assert judgement.verdict is Verdict.OK, str(judgement)


@given(stretched_runs(), st.data())
def test_receiving_a_message_nobody_sent_is_never_explained(history: History, data: st.DataObject) -> None:
    received = [i for i, e in enumerate(history.entries) if isinstance(e.outcome, Received)]
    if not received:
        return
    chosen = data.draw(st.sampled_from(received))
    entries = list(history.entries)
    entries[chosen] = replace(entries[chosen], outcome=Received("never sent"))
    judgement = check(replace(history, entries=tuple(entries)), Budget(seconds=30))
    assert judgement.verdict is Verdict.VIOLATION, str(judgement)
    assert judgement.violation is not None and chosen in judgement.violation.culprits
