"""A small driver for the specification: a script of calls by threads, checked at every step.

``Script`` holds a world and applies events to it. A call that would block
leaves its thread pending (the call returns ``None``); ``wake``/``wake_all``
complete pending calls that can complete, ``expire`` gives up a timed one,
``advance`` moves abstract time. Every step taken is checked against every
invariant, and failures quote the trace so far.
"""

from __future__ import annotations

from collections.abc import Callable

from chanspec.spec import (
    CROSSBEAM,
    Advance,
    Call,
    Case,
    Clone,
    Close,
    Event,
    Expire,
    Handle,
    Inspect,
    Message,
    Mode,
    Open,
    Opened,
    OpenTimer,
    Operation,
    Outcome,
    Profile,
    Query,
    Received,
    Recv,
    SameChannel,
    Select,
    Send,
    Step,
    TimerKind,
    Value,
    Wake,
    World,
    can_complete,
    internal_events,
    step_violations,
    successors,
)
from chanspec.spec.outcomes import IntrospectionValue
from chanspec.spec.render import step_line, world_line

Stats = tuple[IntrospectionValue, IntrospectionValue, IntrospectionValue, IntrospectionValue]
"""``(len, is_empty, is_full, capacity)`` as a handle answers them."""


class Script:
    """A world driven call by call; the default caller is thread 0."""

    def __init__(self, profile: Profile = CROSSBEAM) -> None:
        self.profile = profile
        self.world = World()
        self.trace: list[str] = []
        self.last: Step | None = None

    # Stepping ---------------------------------------------------------------------------

    def steps(self, event: Event) -> tuple[Step, ...]:
        """Every allowed step for ``event`` (nothing is applied), each checked against the invariants."""
        found = successors(self.world, event, self.profile)
        for step in found:
            problems = step_violations(self.world, step)
            assert not problems, self._explain(f"{step_line(step)} violates {problems}")
        return found

    def take(self, event: Event, pick: Callable[[Step], bool] | None = None) -> Step:
        """Apply the one allowed step for ``event`` (the one ``pick`` selects, if several are allowed)."""
        found = self.steps(event)
        chosen = [step for step in found if pick is None or pick(step)]
        assert len(chosen) == 1, self._explain(
            f"{event}: expected exactly one matching step, found {[step_line(s) for s in chosen]}"
            f" among {[step_line(s) for s in found]}"
        )
        step = chosen[0]
        self.world, self.last = step.world, step
        self.trace.append(step_line(step))
        return step

    def _explain(self, problem: str) -> str:
        lines = "\n  ".join(self.trace) or "(no steps)"
        return f"{problem}\ntrace:\n  {lines}\nworld: {world_line(self.world)}"

    # Calls ------------------------------------------------------------------------------

    def call(self, op: Operation, thread: int = 0) -> Outcome | None:
        """Make a call whose outcome the spec determines; ``None`` when it blocks (the thread is pending)."""
        return self.take(Call(thread, op)).outcome_of(thread)

    def outcomes(self, op: Operation, thread: int = 0) -> frozenset[Outcome | None]:
        """Every outcome the caller may get (``None``: it blocks); nothing is applied."""
        return frozenset(step.outcome_of(thread) for step in self.steps(Call(thread, op)))

    def call_choosing(self, op: Operation, outcome: Outcome | None, thread: int = 0) -> Step:
        """Make a call where the spec allows several outcomes, taking the one where the caller gets ``outcome``."""
        return self.take(Call(thread, op), lambda step: step.outcome_of(thread) == outcome)

    def result_of(self, thread: int) -> Outcome | None:
        """What ``thread`` got in the last step (a rendezvous partner completes in its partner's step)."""
        assert self.last is not None
        return self.last.outcome_of(thread)

    @property
    def discarded(self) -> tuple[Message, ...]:
        """The messages the last step discarded."""
        assert self.last is not None
        return self.last.discarded

    # Blocked calls and time -------------------------------------------------------------

    def pending(self) -> tuple[int, ...]:
        return tuple(entry.thread for entry in self.world.pending)

    def can_complete(self, thread: int) -> bool:
        return can_complete(self.world, thread)

    def can_expire(self, thread: int) -> bool:
        return Expire(thread) in internal_events(self.world)

    def wake_outcomes(self, thread: int) -> frozenset[Outcome | None]:
        return frozenset(step.outcome_of(thread) for step in self.steps(Wake(thread)))

    def wake(self, thread: int, outcome: Outcome | None = None) -> Outcome | None:
        """Complete the pending call of ``thread`` (taking ``outcome`` where several are allowed)."""
        pick = None if outcome is None else (lambda step: step.outcome_of(thread) == outcome)
        return self.take(Wake(thread), pick).outcome_of(thread)

    def wake_all(self) -> dict[int, Outcome | None]:
        """Wake every pending call that can complete, in thread order, until none can."""
        woken: dict[int, Outcome | None] = {}
        while True:
            ready = [thread for thread in self.pending() if self.can_complete(thread)]
            if not ready:
                return woken
            woken[ready[0]] = self.wake(ready[0])

    def expire(self, thread: int) -> Outcome | None:
        return self.take(Expire(thread)).outcome_of(thread)

    def advance(self, ticks: int = 1) -> None:
        for _ in range(ticks):
            self.take(Advance())

    # Vocabulary -------------------------------------------------------------------------

    def open(self, capacity: int | None) -> tuple[Handle, Handle]:
        opened = self.call(Open(capacity))
        assert isinstance(opened, Opened) and opened.sender is not None
        return opened.sender, opened.receiver

    def timer(self, kind: TimerKind, delay: int = 0) -> Handle:
        opened = self.call(OpenTimer(kind, delay))
        assert isinstance(opened, Opened) and opened.sender is None
        return opened.receiver

    def send(self, sender: Handle, message: Message, mode: Mode = Mode.BLOCK, thread: int = 0) -> Outcome | None:
        return self.call(Send(sender, message, mode), thread)

    def try_send(self, sender: Handle, message: Message, thread: int = 0) -> Outcome | None:
        return self.send(sender, message, Mode.TRY, thread)

    def send_timeout(self, sender: Handle, message: Message, thread: int = 0) -> Outcome | None:
        return self.send(sender, message, Mode.TIMED, thread)

    def recv(self, receiver: Handle, mode: Mode = Mode.BLOCK, thread: int = 0) -> Outcome | None:
        return self.call(Recv(receiver, mode), thread)

    def try_recv(self, receiver: Handle, thread: int = 0) -> Outcome | None:
        return self.recv(receiver, Mode.TRY, thread)

    def recv_timeout(self, receiver: Handle, thread: int = 0) -> Outcome | None:
        return self.recv(receiver, Mode.TIMED, thread)

    def try_iter(self, receiver: Handle, thread: int = 0) -> list[Message]:
        """``try_recv`` until it stops returning messages; the messages received."""
        got: list[Message] = []
        while isinstance(outcome := self.try_recv(receiver, thread), Received):
            got.append(outcome.message)
        return got

    def clone(self, handle: Handle, thread: int = 0) -> Handle:
        outcome = self.call(Clone(handle), thread)
        assert isinstance(outcome, Value) and isinstance(outcome.value, Handle), outcome
        return outcome.value

    def close(self, handle: Handle, thread: int = 0) -> tuple[Message, ...]:
        """Close ``handle``; the messages the close discarded."""
        assert self.call(Close(handle), thread) == Value(None)
        return self.discarded

    def query(self, handle: Handle, query: Query) -> Outcome | None:
        return self.call(Inspect(handle, query))

    def stats(self, handle: Handle) -> Stats:
        """``(len, is_empty, is_full, capacity)`` through ``handle``."""
        values = []
        for query in (Query.LEN, Query.IS_EMPTY, Query.IS_FULL, Query.CAPACITY):
            outcome = self.query(handle, query)
            assert isinstance(outcome, Value) and not isinstance(outcome.value, Handle), outcome
            values.append(outcome.value)
        return values[0], values[1], values[2], values[3]

    def same_channel(self, first: Handle, second: Handle) -> Outcome | None:
        return self.call(SameChannel(first, second))

    def select(self, *cases: Case, mode: Mode = Mode.BLOCK, biased: bool = False, thread: int = 0) -> Outcome | None:
        return self.call(Select(cases, mode, biased), thread)

    def ready(self, *cases: Case, mode: Mode = Mode.BLOCK, biased: bool = False, thread: int = 0) -> Outcome | None:
        return self.call(Select(cases, mode, biased, complete=False), thread)


def recv_case(receiver: Handle) -> Recv:
    """A receive case of a select."""
    return Recv(receiver)


def send_case(sender: Handle, message: Message) -> Send:
    """A send case of a select."""
    return Send(sender, message)


def completes(thread: int) -> Callable[[Step], bool]:
    """A ``pick`` for :meth:`Script.take`: the step in which ``thread``'s call completes."""
    return lambda step: step.outcome_of(thread) is not None
