"""Follow a real channel through the specification, one observation at a time.

The tracker holds every model state consistent with what has been observed so
far (the model is nondeterministic, and a blocked thread may have been woken
without having returned yet). Each candidate also remembers the calls that
were started in worker threads but may not have taken effect yet ("invoked":
a call takes effect at some moment between its start and its return, as in
linearizability), and the outcomes the model has already decided for threads
that have not returned ("owed": a rendezvous completes the partner's call in
the same step, and a wake-up may have happened unseen). An observation keeps
the candidates that explain it; when none does, the backend has departed from
the specification.

A thread whose awaited call the harness cancelled ("cancelling") may also end
with the spec's ``Cancel`` while its call is pending, or be withdrawn before its
call took effect at all (the task never ran): both end with ``Cancelled`` and
no effect. Once cancelled, its call must return.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from ..spec.handles import Handle
from ..spec.operations import Call, Cancel, Event, Expire, Operation, Wake
from ..spec.outcomes import UNSPECIFIED, Outcome, Value
from ..spec.profiles import Profile
from ..spec.render import world_line
from ..spec.state import World
from ..spec.steps import Step
from ..spec.transitions import can_complete, successors
from .calls import Cloned, Observed, cancelled

Owed = frozenset[tuple[int, Outcome]]


@dataclass(frozen=True)
class Candidate:
    """One model state that explains everything observed, and what it still owes to threads."""

    world: World
    owed: Owed = frozenset()
    invoked: frozenset[tuple[int, Operation]] = frozenset()

    def owes(self, thread: int) -> bool:
        return any(who == thread for who, _ in self.owed)


@dataclass(frozen=True)
class Mismatch:
    """An observation no candidate explains: what was seen, what the model allowed, and where."""

    thread: int
    observed: Observed | None
    allowed: tuple[Outcome, ...]
    states: tuple[str, ...]


def matches(expected: Outcome, observed: Observed) -> bool:
    """Whether an observed result is the outcome the model expects."""
    if isinstance(observed, Cloned):
        return isinstance(expected, Value) and isinstance(expected.value, Handle)
    if isinstance(expected, Value) and isinstance(observed, Value):
        if expected.value is UNSPECIFIED:
            return True
        same_kind = isinstance(expected.value, bool) == isinstance(observed.value, bool)
        return same_kind and expected.value == observed.value
    return expected == observed


class Tracker:
    """The set of model states consistent with a run so far."""

    def __init__(self, world: World, profile: Profile) -> None:
        self.profile = profile
        self.candidates: frozenset[Candidate] = frozenset({Candidate(world)})
        self.cancelling: set[int] = set()

    # Observations ------------------------------------------------------------------------

    def call(self, thread: int, op: Operation, observed: Observed) -> tuple[Mismatch | None, Handle | None]:
        """A call that ``thread`` made and that returned ``observed``. For a clone, also the
        spec handle the new object stands for (the same in every candidate)."""
        kept: set[Candidate] = set()
        allowed: list[Outcome] = []
        minted: Handle | None = None
        for candidate in self._closure(self.candidates, exclude=thread):
            for step in successors(candidate.world, Call(thread, op), self.profile):
                for world, outcome, others in _returning(step, thread, self.profile):
                    allowed.append(outcome)
                    if matches(outcome, observed):
                        kept.add(Candidate(world, candidate.owed | others, candidate.invoked))
                        if isinstance(outcome, Value) and isinstance(outcome.value, Handle):
                            minted = outcome.value
        return self._keep(kept, thread, observed, allowed), minted

    def start(self, thread: int, op: Operation) -> None:
        """``thread`` started a call that may block; it takes effect at some moment before it returns."""
        self.candidates = frozenset(Candidate(c.world, c.owed, c.invoked | {(thread, op)}) for c in self.candidates)

    def cancel(self, thread: int) -> None:
        """The task making ``thread``'s call was cancelled: the call may end with ``Cancelled``."""
        self.cancelling.add(thread)

    def settle(self, returned: Mapping[int, Observed]) -> Mismatch | None:
        """Threads that returned since the last observation, with their results."""
        if not returned:
            return None
        kept: set[Candidate] = set()
        for candidate in self._closure(self.candidates, exclude=None):
            if all(_owes(candidate, thread, result) for thread, result in returned.items()):
                remaining = frozenset(entry for entry in candidate.owed if entry[0] not in returned)
                kept.add(Candidate(candidate.world, remaining, candidate.invoked))
        if kept:
            self.candidates = frozenset(kept)
            self.cancelling.difference_update(returned)
            return None
        thread, result = next(iter(returned.items()))
        allowed = tuple(o for c in self._closure(self.candidates, exclude=None) for t, o in c.owed if t == thread)
        return Mismatch(thread, result, allowed, self.describe())

    # Questions ---------------------------------------------------------------------------

    def progress_required(self, blocked: Iterable[int]) -> bool:
        """Whether some thread of ``blocked`` must return: in every state the run may be in (unseen
        wake-ups included), one of them has completed or can complete. Weak fairness: a call that
        can complete does not stay blocked for ever."""
        threads = tuple(blocked)
        settled = [c for c in self._closure(self.candidates, None) if not c.invoked]
        if any(t in self.cancelling for t in threads):
            return True  # a cancellation always ends the call
        return bool(threads) and all(any(c.owes(t) or can_complete(c.world, t) for t in threads) for c in settled)

    def may_return(self, thread: int) -> bool:
        """Whether ``thread`` may return now in some state the run may be in."""
        if thread in self.cancelling:
            return True
        return any(c.owes(thread) or can_complete(c.world, thread) for c in self._closure(self.candidates, None))

    def describe(self, limit: int = 3) -> tuple[str, ...]:
        """Some of the candidate states, for a report."""
        lines = sorted({world_line(c.world) for c in self.candidates})
        return tuple(lines[:limit]) + ((f"... and {len(lines) - limit} more",) if len(lines) > limit else ())

    # Internals ---------------------------------------------------------------------------

    def _keep(
        self, kept: set[Candidate], thread: int, observed: Observed | None, allowed: Iterable[Outcome]
    ) -> Mismatch | None:
        if kept:
            self.candidates = frozenset(kept)
            return None
        return Mismatch(thread, observed, tuple(dict.fromkeys(allowed)), self.describe())

    def _closure(self, candidates: Iterable[Candidate], exclude: int | None) -> frozenset[Candidate]:
        """The candidates plus every state reachable by started calls taking effect and by unseen
        wake-ups and expiries of blocked threads (other than ``exclude``): a worker's call takes
        effect, and a blocked call may complete, before anyone sees it."""
        seen = set(candidates)
        frontier = list(seen)
        while frontier:
            candidate = frontier.pop()
            for thread, op in candidate.invoked:
                for step in successors(candidate.world, Call(thread, op), self.profile):
                    owed = candidate.owed | frozenset(step.results)
                    successor = Candidate(step.world, owed, candidate.invoked - {(thread, op)})
                    if successor not in seen:
                        seen.add(successor)
                        frontier.append(successor)
                if thread in self.cancelling:  # withdrawn before it took effect
                    owed = candidate.owed | {(thread, cancelled(op))}
                    successor = Candidate(candidate.world, owed, candidate.invoked - {(thread, op)})
                    if successor not in seen:
                        seen.add(successor)
                        frontier.append(successor)
            for entry in candidate.world.pending:
                if entry.thread == exclude:
                    continue
                event: Event
                events: tuple[Event, ...] = (Wake(entry.thread), Expire(entry.thread))
                if entry.thread in self.cancelling:
                    events += (Cancel(entry.thread),)
                for event in events:
                    for step in successors(candidate.world, event, self.profile):
                        successor = Candidate(step.world, candidate.owed | frozenset(step.results), candidate.invoked)
                        if successor not in seen:
                            seen.add(successor)
                            frontier.append(successor)
        return frozenset(seen)


def _owes(candidate: Candidate, thread: int, result: Observed) -> bool:
    return any(who == thread and matches(outcome, result) for who, outcome in candidate.owed)


def _returning(step: Step, thread: int, profile: Profile) -> Iterator[tuple[World, Outcome, Owed]]:
    """The ways ``step`` ends with ``thread``'s call returned: at once, or (for a timed call that
    could not complete) by expiring right away."""
    own = step.outcome_of(thread)
    others = frozenset(entry for entry in step.results if entry[0] != thread)
    if own is not None:
        yield step.world, own, others
        return
    for later in successors(step.world, Expire(thread), profile):
        outcome = later.outcome_of(thread)
        assert outcome is not None
        yield later.world, outcome, others | frozenset(e for e in later.results if e[0] != thread)
