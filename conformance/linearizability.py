"""Does the specification explain a concurrent history? A linearizability checker.

A history (:mod:`.history`) is explained when its calls can be put in one order
of atomic specification steps, each step at a moment inside the real-time
interval of the call it belongs to:

- a call that returns at once is one ``Call`` step;
- a send, receive or timed call is a ``Call`` step that either completes it or
  leaves it pending, and then a ``Wake`` (it completes), an ``Expire`` (a
  timed call gives up, only while it cannot complete, and only after its
  deadline) or the ``Call`` step of a rendezvous partner, which completes both
  calls at one moment; all before it returns;
- a call that had not returned when recording stopped may take effect, with
  any outcome, or not at all;
- an awaited call whose task was cancelled and that returned ``Cancelled`` had no
  effect: unless it was blocked at a quiet moment, it is taken as no step at all
  (equivalently, withdrawn at once); otherwise its ``Call`` step leaves it pending
  and a ``Cancel`` ends it once those quiet moments are passed;
- at a quiet moment (:class:`~.history.Mark`) every call then in progress is
  blocked: it must be pending in the model, and the model must say it cannot
  complete. A call that could is a *missed wake-up*. A timed call still in
  progress there, long after its deadline, never timed out.

Unique messages make the common violations plain without any search: a message
received twice, received but never handed over, received out of the order in which
it was sent (FIFO), or lost while a later one was received. Everything else is
searched, Wing & Gong's way with Lowe's memoization: depth first over the next step
of each thread (a thread's calls are sequential, so the set of calls done is one
position per thread), remembering every (positions, model world) pair explored. A
step is allowed next only if its earliest moment is not after the latest moment of
any step still to be placed. The model's candidates per step are few, and the search
cuts more: a message may join the buffer only where the history's receives can take
it out in order, a handle may close only once every call that used it successfully
is done, a step that changes nothing (a query, a failed try, a timeout) is taken at
once without alternatives, and the likeliest steps are tried first.

The answer is three-valued: ``ok`` (with the order of steps that explains it),
``violation`` (with a report: the shortest failing prefix, the calls involved drawn as
one lane per thread, what the specification allowed) or ``unknown`` when the time or
the state budget ran out.
"""

from __future__ import annotations

import enum
import gc
import time
from bisect import bisect_left
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from ..spec.handles import Handle
from ..spec.operations import (
    Call,
    Cancel,
    Clone,
    Close,
    Event,
    Expire,
    Inspect,
    Message,
    Mode,
    Open,
    Operation,
    Query,
    Recv,
    SameChannel,
    Send,
    Wake,
)
from ..spec.outcomes import (
    NO_MESSAGE,
    Cancelled,
    Empty,
    Full,
    HandleClosed,
    Outcome,
    Received,
    Sent,
    Timeout,
    Value,
    carried_message,
    delivered_message,
)
from ..spec.render import world_line
from ..spec.state import ChannelState, World
from ..spec.steps import Step
from ..spec.transitions import can_complete, successors
from .calls import Cloned, Observed, Raised
from .history import NEVER, Entry, History, handles_named, lanes
from .tracker import matches


class Verdict(enum.Enum):
    """The answer: explained, not explainable, or not decided within the budget."""

    OK = "ok"
    VIOLATION = "violation"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Budget:
    """How much the checker may spend: wall-clock ``seconds`` and model ``states`` explored
    (each remembered state costs about a kilobyte). Explaining a violation (finding its
    shortest failing prefix) gets a budget of its own."""

    seconds: float = 10.0
    states: int = 500_000


@dataclass(frozen=True)
class Violation:
    """Why a history is not explained: a headline, a failing prefix (its length in calls and
    the time it ends; ``minimal`` when every shorter prefix is known to be explained), the
    calls at fault and those around them, what the specification allowed them to return,
    and some of the states they were tried in."""

    headline: str
    prefix_calls: int
    total_calls: int
    cut: int
    culprits: tuple[int, ...]
    involved: tuple[int, ...]
    allowed: tuple[str, ...]
    states: tuple[str, ...]
    picture: str
    minimal: bool = True
    hints: tuple[str, ...] = ()

    def __str__(self) -> str:
        lines = [f"violation: {self.headline}"]
        lines.extend(f"possible cause: {hint}" for hint in self.hints)
        calls = f"the first {self.prefix_calls} of {self.total_calls} calls"
        if self.minimal:
            lines.append(f"shortest failing prefix: {calls} (every shorter prefix is explained)")
        else:
            lines.append(f"failing prefix: {calls}")
        if self.allowed:
            lines.append("the specification allows there: " + "; ".join(self.allowed))
        if self.states:
            lines.append("in specification states such as:")
            lines.extend(f"  {state}" for state in self.states)
        lines.append("")
        lines.append(self.picture)
        return "\n".join(lines)


@dataclass(frozen=True)
class Judgement:
    """The checker's answer. ``exhausted`` names the budget that fired (``"time"`` or
    ``"states"``) when the verdict is unknown; ``witness`` is an order of steps that
    explains the history when it is ok."""

    verdict: Verdict
    seconds: float
    states: int
    exhausted: str | None = None
    violation: Violation | None = None
    witness: tuple[str, ...] = field(default=(), repr=False)

    def __str__(self) -> str:
        head = f"{self.verdict.value} after {self.states} states in {self.seconds:.3f} s"
        if self.exhausted is not None:
            head += f" (the {self.exhausted} budget ran out)"
        return head if self.violation is None else f"{head}\n{self.violation}"


def check(history: History, budget: Budget | None = None, explain: bool = True) -> Judgement:
    """Decide whether the specification explains ``history``.

    With ``explain``, a violation comes with a report (:class:`Violation`), found by
    searching for the shortest failing prefix within a second ``budget``.
    """
    chosen = budget or Budget()
    started = time.monotonic()
    plain = _overdue(history) or _message_order_violation(history)
    if plain is not None:
        return Judgement(Verdict.VIOLATION, time.monotonic() - started, 0, violation=plain)
    with _collector_paused():
        search = _Search(history, chosen)
        verdict = search.run()
        seconds = time.monotonic() - started
        if verdict is not Verdict.VIOLATION or not explain:
            return Judgement(verdict, seconds, search.explored, search.exhausted, witness=search.witness)
        violation = _explain(history, search, chosen)
    return Judgement(verdict, seconds, search.explored, violation=violation)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while searching. The search allocates millions of
    small acyclic objects (reference counting frees them) while keeping a large set of
    states alive, which the collector would traverse again and again: a third of the time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# Preparing the search ------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    """When and how one call may take effect.

    ``call_lo..call_hi`` bounds its Call step; ``wake_lo``/``expire_lo``..``done_hi`` its
    completion by a Wake (or as a rendezvous partner) / an Expire. ``must_block``: it was
    in progress at a quiet moment, so its Call step must leave it pending, and it completes
    only once ``marks_first`` quiet moments are passed. ``expects`` is the observed outcome,
    ``None`` if it never returned (then any outcome, or none, will do). ``commutes``: see
    :func:`_commutes`; ``receipt``: for a send, when its message was received.
    """

    index: int
    entry: Entry
    call_lo: int
    call_hi: int
    wake_lo: int
    expire_lo: int
    done_hi: int
    must_block: bool
    may_wake: bool
    may_expire: bool
    expects: Observed | None
    commutes: bool
    marks_first: int = 0
    receipt: tuple[int, int] | None = None
    cancelled: bool = False


def _plan(index: int, entry: Entry, marks: tuple[int, ...]) -> _Plan:
    spanned = [at for at in marks if entry.spans(at)]
    response = entry.response
    call_hi = min(response, spanned[0]) if spanned else response
    wake_lo = max(entry.invoked, spanned[-1]) if spanned else entry.invoked
    deadline = entry.deadline if entry.deadline is not None else entry.invoked
    timed = getattr(entry.operation, "mode", None) is Mode.TIMED
    observed = entry.outcome
    if observed is None:
        may_wake, may_expire = True, timed
    elif isinstance(observed, Cancelled):
        may_wake, may_expire = True, False  # "wake" stands for its Cancel step here
    else:
        may_wake, may_expire = not isinstance(observed, Timeout), isinstance(observed, Timeout)
    if entry.returned is None:
        call_hi = spanned[0] if spanned else NEVER
    return _Plan(
        index=index,
        entry=entry,
        call_lo=entry.invoked,
        call_hi=call_hi,
        wake_lo=wake_lo,
        expire_lo=max(wake_lo, deadline),
        done_hi=response,
        must_block=bool(spanned),
        may_wake=may_wake,
        may_expire=may_expire,
        expects=observed,
        commutes=_commutes(entry),
        marks_first=max((n + 1 for n, at in enumerate(marks) if entry.spans(at)), default=0),
        cancelled=isinstance(observed, Cancelled),
    )


def _commutes(entry: Entry) -> bool:
    """Whether the call's steps never matter to other calls once they match the history:
    queries, closes and try calls that change nothing, and timeouts (an expiring call only
    stops waiting, and a call that times out can never be anyone's partner), and cancelled
    calls (they had no effect; while pending, pairing with them would complete them)."""
    if isinstance(entry.outcome, (Timeout, Cancelled)):
        return True
    op = entry.operation
    return entry.returned is not None and (
        isinstance(op, (Inspect, SameChannel, Close)) or getattr(op, "mode", None) is Mode.TRY
    )


def _initial_world(history: History) -> World:
    (opened,) = successors(World(), Call(0, Open(history.capacity)), history.profile)
    world = opened.world
    state = world.channels[0]
    for side, count in handles_named(history).items():
        state = state.with_live(side, state.live(side), count)
    return world.with_channel(0, state)


def _overdue(history: History) -> Violation | None:
    """A timed call still in progress at a quiet moment that began after its deadline."""
    for mark in history.marks:
        for index, entry in enumerate(history.entries):
            if entry.deadline is not None and entry.spans(mark.at) and entry.deadline + mark.quiet <= mark.at:
                late = (mark.at - entry.deadline) / 1e6
                headline = (
                    f"#{index} T{entry.thread} {entry.operation} did not return at its deadline: still "
                    f"blocked {late:.1f} ms after it"
                )
                return _plain(history, headline, [index], mark.at)
    return None


def _message_order_violation(history: History) -> Violation | None:
    """Violations that unique messages make plain without any search: a message received
    twice, received without having been sent, or received out of the order it was sent in
    (FIFO), or lost while a message sent after it was received. Messages sent more than
    once are left to the search."""
    entries = history.entries
    sends: dict[Message, list[int]] = {}
    receipts: dict[Message, list[int]] = {}
    for index, entry in enumerate(entries):
        op, outcome = entry.operation, entry.outcome
        if isinstance(op, Send):
            sends.setdefault(op.message, []).append(index)
        elif isinstance(op, Recv) and isinstance(outcome, Received):
            receipts.setdefault(outcome.message, []).append(index)
    for message, received in receipts.items():
        sent = sends.get(message, [])
        if len(sent) == 1 and len(received) > 1:
            first, second = received[:2]
            headline = f"duplicated message: {message!r} was sent once (#{sent[0]}) but received twice "
            headline += f"(#{first}, #{second})"
            return _plain(history, headline, [second, first, sent[0]], max(entries[r].response for r in received[:2]))
        for r in received:
            if not any(entries[i].invoked <= entries[r].response and _delivers(entries[i]) for i in sent):
                headline = f"#{r} T{entries[r].thread} received {message!r}, which no call had handed over"
                return _plain(history, headline, [r, *sent], entries[r].response)
    return _fifo_violation(history, sends, receipts)


def _delivers(entry: Entry) -> bool:
    """Whether a send may have handed its message over: it returned ``Sent`` or never returned."""
    return entry.outcome is None or isinstance(entry.outcome, Sent)


def _fifo_violation(
    history: History, sends: dict[Message, list[int]], receipts: dict[Message, list[int]]
) -> Violation | None:
    """Two messages, each sent once: ``a``'s send returned before ``b``'s began, so ``a`` was
    handed over first and must come out first. A receive of ``b`` that returned before a
    receive of ``a`` began is out of order; a receive of ``b`` while nobody ever received
    ``a`` (and no receive is left without a return) lost ``a``."""
    entries = history.entries
    pending_receive = any(isinstance(e.operation, Recv) and e.outcome is None for e in entries)
    messages = [
        (m, found[0], receipts.get(m, [None])[0])
        for m, found in sends.items()
        if len(found) == 1 and isinstance(entries[found[0]].outcome, Sent) and len(receipts.get(m, [])) <= 1
    ]
    by_return = sorted(messages, key=lambda item: entries[item[1]].response)
    by_start = sorted(messages, key=lambda item: entries[item[1]].invoked)
    latest_receipt: tuple[Message, int, int] | None = None
    lost: tuple[Message, int] | None = None
    n = 0
    for b, send_b, receipt_b in by_start:
        while n < len(by_return) and entries[by_return[n][1]].response < entries[send_b].invoked:
            a, send_a, receipt_a = by_return[n]
            n += 1
            if receipt_a is None:
                lost = lost or (a, send_a)
            elif latest_receipt is None or entries[receipt_a].invoked > entries[latest_receipt[2]].invoked:
                latest_receipt = (a, send_a, receipt_a)
        if receipt_b is None:
            continue
        if latest_receipt is not None and entries[receipt_b].response < entries[latest_receipt[2]].invoked:
            a, send_a, receipt_a = latest_receipt
            headline = (
                f"messages out of order: {a!r} was sent before {b!r} (#{send_a} returned before #{send_b} "
                f"began) but received after it (#{receipt_b} returned before #{receipt_a} began)"
            )
            return _plain(history, headline, [receipt_a, receipt_b, send_a, send_b], entries[receipt_a].response)
        if lost is not None and not pending_receive:
            a, send_a = lost
            headline = (
                f"lost message: {a!r} was sent (#{send_a}) before {b!r} (#{send_b}), {b!r} was received "
                f"(#{receipt_b}), but {a!r} never was"
            )
            return _plain(history, headline, [receipt_b, send_a, send_b], entries[receipt_b].response)
    return None


def _plain(history: History, headline: str, culprits: list[int], cut: int) -> Violation:
    """A violation found without a search: the calls that show it and the prefix they end."""
    shown = _neighbours(history, culprits, cut)
    return Violation(
        headline,
        sum(e.invoked <= cut for e in history.entries),
        len(history.entries),
        cut,
        tuple(culprits),
        tuple(shown),
        (),
        (),
        lanes(history, shown, highlight=culprits, cut=cut),
        minimal=False,
        hints=tuple(_closed_under_calls(history, cut)),
    )


# The search ------------------------------------------------------------------------------

_State = tuple[tuple[int, ...], int, World]
"""Per thread, how many of its calls are done; how many quiet moments are passed; the model."""

_CALL, _DONE, _MARK, _WAKE, _EXPIRE, _CANCEL = 0, 1, 2, 3, 4, 5

_REMEMBERED_STEPS = 50_000
"""How many model answers the search keeps at most (each holds worlds: about 4 KB)."""

_Label = tuple[int, Event | None]
"""A step taken: the call it belongs to and its event, or ``(-1 - n, None)`` for passing quiet moment n."""


def _label_text(label: _Label) -> str:
    index, event = label
    return f"quiet moment {-1 - index}" if event is None else f"#{index} {event}"


class _Search:
    """One depth-first search for an order of steps that explains a history."""

    def __init__(self, history: History, budget: Budget) -> None:
        self.history = history
        self.profile = history.profile
        self.budget = budget
        self.marks = tuple(mark.at for mark in history.marks)
        plans = [_plan(i, e, self.marks) for i, e in enumerate(history.entries)]
        self.receipts, self.wildcard = _receipts(plans)
        self.plans = [_with_receipt(plan, self.receipts) for plan in plans]
        self.sent_at: dict[Message, int] = {}
        for plan in reversed(self.plans):
            if isinstance(plan.entry.operation, Send):
                self.sent_at[plan.entry.operation.message] = plan.index
        self.earliest_receipt = {
            plan.entry.operation.message: self.receipts.get(plan.entry.operation.message, (self.wildcard, 0))[0]
            for plan in self.plans
            if isinstance(plan.entry.operation, Send)
        }
        self.threads = history.threads
        self.slot = {thread: n for n, thread in enumerate(self.threads)}
        self.lanes: list[list[_Plan]] = [[] for _ in self.threads]
        for plan in self.plans:
            self.lanes[self.slot[plan.entry.thread]].append(plan)
        self.unsent_receipts = [_latest_receipts(lane) for lane in self.lanes]
        self.live_users, self.last_sent = _needs_connection(self.lanes)
        self.serials = handles_named(history)
        self.steps: dict[tuple[World, int, int], tuple[Step, ...]] = {}
        self.explored = 0
        self.frontier = 0  # how far in time some order of steps got: every earlier prefix is explained
        self.exhausted: str | None = None
        self.witness: tuple[str, ...] = ()
        # What the model offered where the history disagreed: for the report.
        self.offered: dict[int, dict[str, None]] = {}
        self.tried_in: dict[int, dict[str, None]] = {}
        self.at_once: dict[int, dict[str, None]] = {}
        self.mark_trouble: dict[int, dict[int, dict[str, None]]] = {}

    def run(self) -> Verdict:
        start: _State = (tuple(0 for _ in self.threads), 0, _initial_world(self.history))
        if self._finished(start):
            return Verdict.OK
        stop_at = time.monotonic() + self.budget.seconds
        seen: set[_State] = {start}
        stack: list[Iterator[tuple[_State, _Label]]] = [self._children(start)]
        path: list[_Label] = []
        while stack:
            try:
                child, label = next(stack[-1])
            except StopIteration:
                stack.pop()
                if path:
                    path.pop()
                continue
            if child in seen:
                continue
            seen.add(child)
            self.explored += 1
            if self._finished(child):
                self.witness = tuple(_label_text(done) for done in (*path, label))
                return Verdict.OK
            if self.explored >= self.budget.states:
                self.exhausted = "states"
                return Verdict.UNKNOWN
            if not self.explored & 255 and time.monotonic() >= stop_at:
                self.exhausted = "time"
                return Verdict.UNKNOWN
            stack.append(self._children(child))
            path.append(label)
        return Verdict.VIOLATION

    def _finished(self, state: _State) -> bool:
        progress, passed, _ = state
        if passed < len(self.marks):
            return False
        for lane, done in zip(self.lanes, progress, strict=True):
            if done < len(lane) and not (done == len(lane) - 1 and lane[done].expects is None):
                return False
        return True

    def _children(self, state: _State) -> Iterator[tuple[_State, _Label]]:
        progress, passed, world = state
        latest = self.marks[passed] if passed < len(self.marks) else NEVER
        nexts: list[tuple[int, int, _Plan]] = []
        for lane, done in zip(self.lanes, progress, strict=True):
            if done == len(lane):
                continue
            plan = lane[done]
            if world.pending_of(plan.entry.thread) is None:
                latest = min(latest, plan.call_hi)
                nexts.append((plan.call_lo, _CALL, plan))
            else:
                latest = min(latest, plan.done_hi)
                nexts.append((plan.wake_lo if plan.may_wake else plan.expire_lo, _DONE, plan))
        self.frontier = max(self.frontier, latest)
        enabled = [candidate for candidate in nexts if candidate[0] <= latest]
        for _, kind, plan in enabled:
            if not plan.commutes:
                continue
            # Partial-order reduction: a step that leaves the model as it is (a query, a
            # failed try) or only ends a wait that can help nobody (a timeout) may take its
            # place now rather than later without losing any explanation: it is the only
            # child worth trying.
            children = self._call(state, plan, latest) if kind == _CALL else self._complete(state, plan, latest)
            for child, label in children:
                if child[2] is world or kind == _DONE:
                    yield child, label
                    return
        for _, kind, plan in _in_likely_order(enabled, nexts, world.channels[0], self.history.capacity):
            if kind == _CALL:
                yield from self._call(state, plan, latest)
            else:
                yield from self._complete(state, plan, latest)
        if passed < len(self.marks) and self.marks[passed] <= latest:
            yield from self._pass_mark(state)

    def _call(self, state: _State, plan: _Plan, latest: int) -> Iterator[tuple[_State, _Label]]:
        progress, passed, world = state
        thread = plan.entry.thread
        if plan.cancelled and not plan.must_block:  # withdrawn with no effect: no step at all
            advanced = list(progress)
            advanced[self.slot[thread]] += 1
            yield (tuple(advanced), passed, world), (plan.index, Cancel(thread))
            return
        for step in self._successors(world, plan.index, _CALL):
            advanced = list(progress)
            after = step.world
            own = step.outcome_of(thread)
            if own is not None:
                if plan.must_block:
                    self._note(plan, str(own), world, self.at_once)
                    continue
                if not self._accepts(plan, own):
                    self._note(plan, str(own), world)
                    continue
                if not self._fifo_feasible(plan, own, after, progress):
                    continue
                if isinstance(plan.entry.operation, Close) and not self._may_close(plan, world, after, progress):
                    continue
                after = self._rename(plan, own, self._canonical(plan, own, after))
                advanced[self.slot[thread]] += 1
            partners_fit = True
            for partner, outcome in step.results:
                if partner == thread:
                    continue
                other = self.lanes[self.slot[partner]][progress[self.slot[partner]]]
                if other.wake_lo > latest or passed < other.marks_first or not self._accepts(other, outcome):
                    self._note(other, f"{outcome} (with #{plan.index} as rendezvous partner)", world)
                    partners_fit = False
                    break
                advanced[self.slot[partner]] += 1
            if partners_fit:
                yield (tuple(advanced), passed, after), (plan.index, step.event)

    def _complete(self, state: _State, plan: _Plan, latest: int) -> Iterator[tuple[_State, _Label]]:
        progress, passed, world = state
        thread = plan.entry.thread
        kinds: list[int] = []
        if passed < plan.marks_first:
            return
        if plan.cancelled:
            if plan.wake_lo <= latest:
                kinds.append(_CANCEL)
        elif plan.may_wake and plan.wake_lo <= latest:
            kinds.append(_WAKE)
        if plan.may_expire and plan.expire_lo <= latest:
            kinds.append(_EXPIRE)
        for kind in kinds:
            for step in self._successors(world, plan.index, kind):
                own = step.outcome_of(thread)
                assert own is not None
                if not self._accepts(plan, own):
                    self._note(plan, str(own), world)
                    continue
                if not self._fifo_feasible(plan, own, step.world, progress):
                    continue
                advanced = list(progress)
                advanced[self.slot[thread]] += 1
                yield (tuple(advanced), passed, self._canonical(plan, own, step.world)), (plan.index, step.event)

    def _pass_mark(self, state: _State) -> Iterator[tuple[_State, _Label]]:
        progress, passed, world = state
        moment = self.marks[passed]
        for lane, done in zip(self.lanes, progress, strict=True):
            if done == len(lane) or not lane[done].entry.spans(moment):
                continue
            plan = lane[done]
            thread = plan.entry.thread
            if world.pending_of(thread) is None:
                return  # its Call step is still to come, before the mark
            if can_complete(world, thread):
                states = self.mark_trouble.setdefault(passed, {}).setdefault(plan.index, {})
                if len(states) < 3:
                    states[world_line(world)] = None
                return
        yield (progress, passed + 1, world), (-1 - passed, None)

    def _successors(self, world: World, index: int, kind: int) -> tuple[Step, ...]:
        """The model's steps for the Call, Wake or Expire of call ``index``, remembered: the same
        call meets the same world again and again in states that differ only in what other
        threads have done."""
        key = (world, index, kind)
        found = self.steps.get(key)
        if found is None:
            if len(self.steps) >= _REMEMBERED_STEPS:
                self.steps.clear()  # most hits are recent ones; memory stays bounded
            entry = self.plans[index].entry
            event: Event
            if kind == _CALL:
                event = Call(entry.thread, entry.operation)
            elif kind == _WAKE:
                event = Wake(entry.thread)
            elif kind == _CANCEL:
                event = Cancel(entry.thread)
            else:
                event = Expire(entry.thread)
            found = self.steps[key] = successors(world, event, self.profile)
        return found

    def _fifo_feasible(self, plan: _Plan, outcome: Outcome, world: World, progress: tuple[int, ...]) -> bool:
        """Whether a message just buffered can still be received when the history received it.

        Messages leave in the order they came (FIFO). So every message ahead of it must be
        received first: each of their receives must be able to take effect before the
        receive of this one has returned. And a message whose receive returned before the
        receive of this one began must be ahead of it: its send cannot still be to come.
        This cuts a wrong order of concurrent sends at once, not hundreds of steps later
        at the receives."""
        receipt = plan.receipt
        if receipt is None or not isinstance(outcome, Sent) or self.history.capacity == 0:
            return True
        op = plan.entry.operation
        assert isinstance(op, Send)
        ahead = world.channels[op.sender.channel].buffer[:-1]
        if ahead and max(map(self.earliest_receipt.__getitem__, ahead)) > receipt[1]:
            return False
        own = self.slot[plan.entry.thread]
        for slot, (done, later) in enumerate(zip(progress, self.unsent_receipts, strict=True)):
            if later[done + 1 if slot == own else done] < receipt[0]:
                return False
        return True

    def _canonical(self, plan: _Plan, outcome: Outcome, world: World) -> World:
        """The world with the messages at the back of the buffer that nobody received sorted in
        a fixed order. Their order can never show (a receive that returned did not take any of
        them, one that never returned may take any), so every order of their sends leads to
        one state instead of a factorial number of them."""
        op = plan.entry.operation
        if not (isinstance(op, Send) and isinstance(outcome, Sent)) or plan.receipt is not None:
            return world
        state = world.channels[op.sender.channel]
        buffer = state.buffer
        start = len(buffer)
        while start and buffer[start - 1] not in self.receipts:
            start -= 1
        tail = buffer[start:]
        if len(tail) < 2:
            return world
        ordered = tuple(sorted(tail, key=self.sent_at.__getitem__))
        if ordered == tail:
            return world
        return world.with_channel(op.sender.channel, replace(state, buffer=buffer[:start] + ordered))

    def _may_close(self, plan: _Plan, before: World, after: World, progress: tuple[int, ...]) -> bool:
        """Whether closing a handle now leaves every call still to be done a way to return what
        it returned. Calls on the handle that did not return ``HandleClosed`` must be done
        before it is closed, and sends that returned ``Sent`` before the channel is
        disconnected. Closing too early would otherwise only show much later."""
        op = plan.entry.operation
        assert isinstance(op, Close)
        if not before.is_live(op.handle):
            return True
        users = self.live_users.get(op.handle)
        if users is not None and self._needed(progress, users, f"HandleClosed once #{plan.index} closed {op.handle}"):
            return False
        channel = op.handle.channel
        if after.channels[channel].disconnected and not before.channels[channel].disconnected:
            return not self._needed(progress, self.last_sent, f"Disconnected once #{plan.index} disconnected it")
        return True

    def _needed(self, progress: tuple[int, ...], last: list[int], instead: str) -> bool:
        """Whether some thread still has to make a call at or before position ``last[thread]``;
        if so, note for the report what that call would return ``instead``."""
        pairs = enumerate(zip(progress, last, strict=True))
        late = [(slot, position) for slot, (done, position) in pairs if done <= position]
        for slot, position in late:
            plan = self.lanes[slot][position]
            seen = self.offered.setdefault(plan.index, {})
            if len(seen) < 8:
                seen[instead] = None
        return bool(late)

    def _accepts(self, plan: _Plan, outcome: Outcome) -> bool:
        expected = plan.expects
        if expected is None:
            return True
        if isinstance(outcome, Value) and isinstance(outcome.value, Handle):
            return isinstance(expected, Value) and isinstance(expected.value, Handle)
        return matches(outcome, expected)

    def _rename(self, plan: _Plan, outcome: Outcome, world: World) -> World:
        """Give a cloned handle the name the history gave it (the model numbers clones in the
        order it makes them, the history in the order they returned)."""
        if not (isinstance(outcome, Value) and isinstance(outcome.value, Handle)):
            return world
        expected = plan.expects
        made = outcome.value
        if not (isinstance(expected, Value) and isinstance(expected.value, Handle)):
            return world
        wanted = expected.value
        state = world.channels[made.channel]
        live = (state.live(made.side) - {made.serial}) | {wanted.serial}
        return world.with_channel(made.channel, state.with_live(made.side, live, self.serials[made.side]))

    def _note(self, plan: _Plan, offered: str, world: World, into: dict[int, dict[str, None]] | None = None) -> None:
        """Remember, for the report, an outcome the model offered a call that the history
        contradicts, and a state it was offered in (``into``: where to, by default ``offered``)."""
        seen = (self.offered if into is None else into).setdefault(plan.index, {})
        if len(seen) < 8:
            seen[offered] = None
        states = self.tried_in.setdefault(plan.index, {})
        if len(states) < 3:
            states[world_line(world)] = None


def _with_receipt(plan: _Plan, receipts: dict[object, tuple[int, int]]) -> _Plan:
    """A send whose message was received learns when (to be tried in that order)."""
    op = plan.entry.operation
    if not (isinstance(op, Send) and isinstance(plan.expects, Sent)):
        return plan
    receipt = receipts.get(op.message)
    return plan if receipt is None else replace(plan, receipt=receipt)


def _needs_connection(lanes: list[list[_Plan]]) -> tuple[dict[Handle, list[int]], list[int]]:
    """Per handle, per thread, the position of the thread's last call that needed the handle
    open (it did not return ``HandleClosed``); per thread, the position of its last send that
    returned ``Sent`` (it needed the channel connected). -1 where there is none."""
    users: dict[Handle, list[int]] = {}
    last_sent = [-1] * len(lanes)
    for slot, lane in enumerate(lanes):
        for position, plan in enumerate(lane):
            outcome = plan.expects
            if outcome is None or isinstance(outcome, (HandleClosed, Cancelled)):
                continue
            op = plan.entry.operation
            if isinstance(outcome, Sent):
                last_sent[slot] = position
            handle = _needing_open(op)
            if handle is not None:
                users.setdefault(handle, [-1] * len(lanes))[slot] = position
    return users, last_sent


def _needing_open(op: Operation) -> Handle | None:
    """The handle a call fails on with ``HandleClosed`` once it is closed, if any."""
    if isinstance(op, Send):
        return op.sender
    if isinstance(op, Recv):
        return op.receiver
    if isinstance(op, Clone):
        return op.handle
    if isinstance(op, Inspect) and op.query is not Query.CAPACITY:
        return op.handle
    return None


def _latest_receipts(lane: list[_Plan]) -> list[int]:
    """For each position in a thread's calls, the earliest moment by which a message sent from
    there on was received (the latest moment of its receive), ``NEVER`` if none was."""
    found = [NEVER] * (len(lane) + 1)
    for k in range(len(lane) - 1, -1, -1):
        receipt = lane[k].receipt
        found[k] = found[k + 1] if receipt is None else min(found[k + 1], receipt[1])
    return found


def _receipts(plans: list[_Plan]) -> tuple[dict[object, tuple[int, int]], int]:
    """For each message some call received: the earliest moment one of its receives may take
    effect and the latest; and the earliest moment a receive that never returned may take
    effect (it may have received anything)."""
    windows: dict[object, tuple[int, int]] = {}
    wildcard = NEVER
    for plan in plans:
        if not isinstance(plan.entry.operation, Recv):
            continue
        if plan.expects is None:
            wildcard = min(wildcard, plan.call_lo)
            continue
        if isinstance(plan.expects, Received):
            message = plan.expects.message
            low, high = windows.get(message, (NEVER, 0))
            windows[message] = (min(low, plan.call_lo), max(high, plan.done_hi))
    return windows, wildcard


def _in_likely_order(
    candidates: list[tuple[int, int, _Plan]],
    upcoming: list[tuple[int, int, _Plan]],
    channel: ChannelState,
    capacity: int | None,
) -> list[tuple[int, int, _Plan]]:
    """The candidate steps, most likely first: a call takes effect soon after it is invoked,
    a blocked call completes just before it returns; sends whose messages are received go
    in the order their messages were received (FIFO); and while a call that saw the buffer
    at some length (``len``, ``Empty``, ``Full``, a timeout) is next in its thread (allowed
    to take effect now or not yet) but could not see that length now, the steps that bring
    the buffer towards that length go first and those that take it away last.
    Trying likely steps first finds an explanation with little backtracking."""
    ordered = sorted(candidates, key=_likely_time)
    sends = [n for n, (_, _, plan) in enumerate(ordered) if plan.receipt is not None]
    by_receipt = sorted((ordered[n] for n in sends), key=_receipt)
    for n, candidate in zip(sends, by_receipt, strict=True):
        ordered[n] = candidate
    direction = _towards(upcoming, len(channel.buffer), capacity)
    if direction:
        ordered.sort(key=lambda candidate: -direction * _moves(candidate[2]))  # stable: towards, neutral, away
    return ordered


def _towards(candidates: list[tuple[int, int, _Plan]], length: int, capacity: int | None) -> int:
    """Which way the most urgent call that saw the buffer at a length it does not have now
    needs it to move: -1 shorter, +1 longer, 0 none waits for that."""
    if capacity == 0:
        return 0
    urgent: tuple[int, int] | None = None
    for _, kind, plan in candidates:
        wanted = _seen_length(plan, capacity)
        if wanted is None or wanted[0] <= length <= wanted[1]:
            continue
        deadline = plan.call_hi if kind == _CALL else plan.done_hi
        if urgent is None or deadline < urgent[0]:
            urgent = (deadline, -1 if length > wanted[1] else 1)
    return 0 if urgent is None else urgent[1]


def _seen_length(plan: _Plan, capacity: int | None) -> tuple[int, int] | None:
    """The buffer lengths at which a call could have returned what it returned, if that
    depends on the length: ``len``, ``is_empty``, ``is_full``, ``Empty``, ``Full``, timeouts."""
    op, outcome = plan.entry.operation, plan.expects
    full = NEVER if capacity is None else capacity
    if isinstance(op, Inspect) and isinstance(outcome, Value) and not isinstance(outcome.value, Handle):
        value = outcome.value
        if op.query is Query.LEN and isinstance(value, int) and not isinstance(value, bool):
            return value, value
        if op.query is Query.IS_EMPTY and isinstance(value, bool):
            return (0, 0) if value else (1, NEVER)
        if op.query is Query.IS_FULL and isinstance(value, bool):
            return (full, full) if value else (0, full - 1)
        return None
    if isinstance(op, Recv) and isinstance(outcome, (Empty, Timeout)):
        return 0, 0
    if isinstance(op, Send) and isinstance(outcome, (Full, Timeout)):
        return full, full
    return None


def _moves(plan: _Plan) -> int:
    """How a call's step moves the buffer: -1 a receive that received, +1 a send that sent."""
    if isinstance(plan.entry.operation, Recv) and isinstance(plan.expects, Received):
        return -1
    if isinstance(plan.entry.operation, Send) and isinstance(plan.expects, Sent):
        return 1
    return 0


def _likely_time(candidate: tuple[int, int, _Plan]) -> int:
    earliest, kind, plan = candidate
    return earliest if kind == _CALL else plan.entry.response


def _receipt(candidate: tuple[int, int, _Plan]) -> tuple[int, int]:
    receipt = candidate[2].receipt
    assert receipt is not None
    return receipt


# Explaining a violation --------------------------------------------------------------------


def _explain(history: History, failed: _Search, budget: Budget) -> Violation:
    """Find the shortest failing prefix, then describe what fails there.

    Linearizability is prefix-closed, and the failed search proves every prefix that ends
    before its frontier explained (some order of steps placed every step due by then). So
    the shortest failing prefix ends at the first response or quiet moment from the
    frontier on, or a little later: gallop forward from there, then bisect. Should the
    budget run out, the report says how far the whole history can be explained.
    """
    cuts = sorted({e.returned for e in history.entries if e.returned is not None} | set(failed.marks))
    stop_at = time.monotonic() + budget.seconds
    low = bisect_left(cuts, failed.frontier) - 1  # prefix(cuts[low]) is explained
    high, smallest = len(cuts), failed  # prefix(cuts[high]) fails (high == len(cuts): everything)
    step = 1
    while high - low > 1:
        probe = min(low + step, high - 1) if step else (low + high) // 2
        left = stop_at - time.monotonic()
        if left <= 0:
            break
        search = _Search(history.prefix(cuts[probe]), Budget(left, budget.states))
        verdict = search.run()
        if verdict is Verdict.UNKNOWN:
            break
        if verdict is Verdict.VIOLATION:
            high, smallest, step = probe, search, 0
        else:
            low, step = probe, step * 2 if step else 0
    if smallest is failed and high - low > 1:
        return _describe(history, failed, failed.frontier, minimal=False)  # out of budget
    cut = cuts[high] if high < len(cuts) else max(cuts, default=0)
    return _describe(history, smallest, cut, minimal=high - low == 1)


def _describe(history: History, search: _Search, cut: int, minimal: bool) -> Violation:
    prefix = search.history
    at_mark = [n for n, at in enumerate(search.marks) if at == cut]
    culprits = [i for i, e in enumerate(prefix.entries) if e.returned == cut]
    allowed: list[str] = []
    states: list[str] = []
    if at_mark:
        headline, culprits, allowed, states = _mark_failure(prefix, search, at_mark[0])
    else:
        headline = ""
        for index in culprits:
            entry = prefix.entries[index]
            offered = list(search.offered.get(index, {}))
            allowed.extend(f"#{index} -> {text}" for text in offered)
            states.extend(search.tried_in.get(index, {}))
            if offered:
                headline = f"#{index} T{entry.thread} {entry.operation} returned {entry.outcome}; " + (
                    "the specification allows " + " or ".join(offered)
                )
            elif not headline:
                headline = (
                    f"#{index} T{entry.thread} {entry.operation} returned {entry.outcome}, and no order of the "
                    "calls before it lets it take effect inside its interval"
                )
    shown = _neighbours(prefix, culprits, cut)
    return Violation(
        hints=tuple(_closed_under_calls(prefix, cut)),
        headline=headline,
        prefix_calls=sum(e.invoked <= cut for e in prefix.entries),
        total_calls=len(history.entries),
        cut=cut,
        culprits=tuple(culprits),
        involved=tuple(shown),
        allowed=tuple(dict.fromkeys(allowed)),
        states=tuple(dict.fromkeys(states))[:3],
        picture=lanes(history, shown, highlight=culprits, cut=cut),
        minimal=minimal,
    )


def _mark_failure(prefix: History, search: _Search, mark: int) -> tuple[str, list[int], list[str], list[str]]:
    """Why no explanation reaches quiet moment ``mark``: calls blocked there that could complete
    (a missed wake-up), or blocked calls that should not even have blocked, or else the
    blocked calls, with what the model offered them."""
    moment = search.marks[mark]
    blocked = [i for i, e in enumerate(prefix.entries) if e.spans(moment)]
    when = f"+{(moment - prefix.start) / 1e6:.3f} ms"
    trouble = search.mark_trouble.get(mark, {})
    if trouble:
        able = list(trouble)
        states = [state for i in able for state in trouble[i]]
        headline = f"missed wake-up: at the quiet moment {when}, {_calls(prefix, able)} "
        headline += f"{_was(able)} still blocked, although the specification says it can complete"
        return headline, able, [], states
    eager = [i for i in blocked if search.at_once.get(i)]
    if eager:
        allowed = [f"#{i} returns {' or '.join(search.at_once[i])} at once" for i in eager]
        states = [state for i in eager for state in search.tried_in.get(i, {})]
        headline = f"missed wake-up: at the quiet moment {when}, {_calls(prefix, eager)} "
        headline += f"{_was(eager)} still blocked, but the specification says {_it(eager)} completes"
        return headline, eager, allowed, states
    allowed = [f"#{i} -> {text}" for i in blocked for text in search.offered.get(i, {})]
    states = [state for i in blocked for state in search.tried_in.get(i, {})]
    headline = f"at the quiet moment {when}, {_calls(prefix, blocked) or 'no call'} {_was(blocked)} "
    headline += "blocked, but no order of the calls before it leaves exactly these calls blocked"
    return headline, blocked, allowed, states


def _was(indices: list[int]) -> str:
    return "was" if len(indices) == 1 else "were"


def _it(indices: list[int]) -> str:
    return "it" if len(indices) == 1 else "each"


def _calls(history: History, indices: list[int]) -> str:
    return ", ".join(f"#{i} T{history.entries[i].thread} in {history.entries[i].operation}" for i in indices)


def _neighbours(history: History, culprits: list[int], cut: int, limit: int = 14) -> list[int]:
    """The calls worth showing around ``culprits``, most telling first: themselves; the calls
    that sent or received the messages they mention; closes of the handles those calls were
    using, made while they were in progress; then the calls that overlap the culprits and the
    latest call of each thread before the cut, nearest the cut first."""
    entries = history.entries
    tier = dict.fromkeys(culprits, 0)
    for i in _related(history, culprits):
        tier.setdefault(i, 1)
    for pair in _closes_during(history, cut):
        for i in pair:
            tier.setdefault(i, 2)
    for c in culprits:
        for i, entry in enumerate(entries):
            if entry.invoked <= entries[c].response and entries[c].invoked <= entry.response:
                tier.setdefault(i, 3)
    latest: dict[int, int] = {}
    for i, entry in enumerate(entries):
        if entry.invoked <= cut:
            latest[entry.thread] = i
    for i in latest.values():
        tier.setdefault(i, 3)
    ranked = sorted(tier, key=lambda i: (tier[i], abs(entries[i].invoked - cut)))
    return sorted(ranked[:limit])


def _related(history: History, culprits: list[int]) -> list[int]:
    """``culprits`` and the calls that sent or received a message one of them mentions."""
    entries = history.entries
    messages = {m for i in culprits for m in _messages(entries[i])}
    related = dict.fromkeys(culprits)
    for i, entry in enumerate(entries):
        if messages & set(_messages(entry)):
            related[i] = None
    return list(related)


def _closes_during(history: History, cut: int, most: int = 3) -> list[tuple[int, int]]:
    """Up to ``most`` (call, close) pairs before ``cut``: another thread closed the handle
    ``call`` was using while it was in progress, and ``call`` did not return ``HandleClosed``."""
    entries = history.entries
    pairs: list[tuple[int, int]] = []
    for i, entry in enumerate(entries):
        handle = _needing_open(entry.operation)
        if handle is None or entry.invoked > cut or isinstance(entry.outcome, HandleClosed):
            continue
        for j, other in enumerate(entries):
            op = other.operation
            if (
                isinstance(op, Close)
                and op.handle == handle
                and other.thread != entry.thread
                and entry.invoked < other.invoked
                and other.response < min(entry.response, cut + 1)
            ):
                pairs.append((i, j))
                if len(pairs) == most:
                    return pairs
    return pairs


def _closed_under_calls(history: History, cut: int) -> list[str]:
    """A hint for each call that outlived a close of its own handle by another thread: a call
    blocked on a handle that is closed must wake with ``HandleClosed``, and a backend that
    lets it complete later can break FIFO order or the accounting of the other calls."""
    entries = history.entries
    hints = []
    for i, j in _closes_during(history, cut):
        outcome = entries[i].outcome
        then = "had not returned" if outcome is None else f"returned {outcome} afterwards"
        hints.append(
            f"#{j} T{entries[j].thread} {entries[j].operation} while #{i} T{entries[i].thread} "
            f"{entries[i].operation} was in progress on that handle, and #{i} {then} (a call blocked on a "
            "handle that another thread closes must wake with HandleClosed)"
        )
    return hints


def _messages(entry: Entry) -> list[object]:
    found: list[object] = []
    op = entry.operation
    if isinstance(op, Send):
        found.append(op.message)
    outcome = entry.outcome
    if outcome is not None and not isinstance(outcome, (Raised, Cloned)):
        for message in (delivered_message(outcome), carried_message(outcome)):
            if message is not NO_MESSAGE:
                found.append(message)
    return found


__all__ = ["Budget", "Judgement", "Verdict", "Violation", "check"]

