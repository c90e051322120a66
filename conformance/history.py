"""Concurrent histories of one channel: who called what, when, and what came back.

A :class:`History` lists every call that threads made on one channel, with
its invocation and response times and the observed outcome, plus the *quiet
moments* (:class:`Mark`) at which the recorder saw every thread either done or
blocked, and nothing return for a while. :func:`record` makes one by running
threads that issue random operations against a real channel from a
:class:`~chanspec.conformance.backend.Backend`;
:mod:`chanspec.conformance.linearizability` decides whether the specification
explains it.

Quiet moments are where missed wake-ups show, so the recorder makes them: the
threads pause now and then until every other thread has paused, finished or
blocked, and nothing has returned for ``quiet`` seconds. The recorder then
nudges a blocked call with a ``try_send``/``try_recv`` of its own (at the next
quiet moment the call must have woken), and at one of the later pauses closes
one side of the channel instead. It always terminates: when every thread is
blocked or finished and nudging changes nothing, or the time limit is reached,
it closes every handle, which must wake every blocked call, and waits at most
``patience`` seconds for them. Calls that still have not returned are kept
without a response, and the checker reports them.

For a backend that claims ``asynchronous``, the odd-numbered threads make their
blocking sends and receives as awaited calls (``asend``/``arecv``), each a task on
one of two event loops (threads 1, 5, 9, ... on one, 3, 7, ... on the other), and
a share of those tasks is cancelled a moment (one of the workload's timeouts)
after it started: the call returns ``Cancelled`` (no effect) or what it completed
with. Until its cancellation is due, such a call counts as a timed one for quiet
moments.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ..spec.handles import Handle, Side
from ..spec.operations import Clone, Close, Inspect, Mode, Operation, Query, Recv, SameChannel, Send
from ..spec.outcomes import Value
from ..spec.profiles import CROSSBEAM, Profile
from .backend import Backend
from .calls import Cloned, LoopThread, Observed, Token, awaitable, perform

NEVER = 2**63
"""A time after every recorded time (nanoseconds): the response time of a call that never returned."""


@dataclass(frozen=True)
class Entry:
    """One call: the thread that made it, the specification operation (messages are unique
    :class:`~chanspec.conformance.calls.Token` objects), its invocation and response times
    (``time.monotonic_ns``), what it returned (``None`` if it had not returned when recording
    stopped) and, for a timed call, its deadline. A successful clone's outcome is
    ``Value(handle)``: the name the history gives to the new handle."""

    thread: int
    operation: Operation
    invoked: int
    returned: int | None = None
    outcome: Observed | None = None
    deadline: int | None = None

    @property
    def response(self) -> int:
        """The response time, or :data:`NEVER` for a call that did not return."""
        return NEVER if self.returned is None else self.returned

    def spans(self, moment: int) -> bool:
        """Whether the call was in progress (invoked, not yet returned) at ``moment``."""
        return self.invoked < moment < self.response

    def __str__(self) -> str:
        result = "(no return)" if self.outcome is None else str(self.outcome)
        return f"T{self.thread}: {self.operation} -> {result}"


@dataclass(frozen=True)
class Mark:
    """A quiet moment at ``at``: every thread had either stopped issuing calls or was blocked
    in one, and no call had returned for ``quiet`` nanoseconds. A call in progress then is
    blocked, so the specification must say that it cannot complete."""

    at: int
    quiet: int


@dataclass(frozen=True)
class History:
    """The calls made on one channel opened with ``capacity``, sorted by invocation, and the
    quiet moments, sorted by time. Handles are named as in the specification: ``c0.tx0`` and
    ``c0.rx0`` are the originals, clones are named by the history (each by the clone that
    returned it). ``ValueError`` if it is not a history: a thread with two calls in progress
    at once, a response before its invocation, a call after one that never returned, a
    cloned handle used before the clone that made it returned."""

    capacity: int | None
    entries: tuple[Entry, ...]
    marks: tuple[Mark, ...] = ()
    profile: Profile = CROSSBEAM

    def __post_init__(self) -> None:
        object.__setattr__(self, "entries", tuple(sorted(self.entries, key=_by_invocation)))
        object.__setattr__(self, "marks", tuple(sorted(self.marks, key=_by_time)))
        problem = _problem(self.entries)
        if problem is not None:
            raise ValueError(f"not a history: {problem}")

    @property
    def threads(self) -> tuple[int, ...]:
        """The threads that made calls, in order."""
        return tuple(sorted({entry.thread for entry in self.entries}))

    @property
    def start(self) -> int:
        """The first invocation (the origin of the times in reports)."""
        return self.entries[0].invoked if self.entries else 0

    def prefix(self, cut: int) -> History:
        """What had happened by ``cut``: the calls invoked by then, those that returned later
        without their response, and the quiet moments up to it."""
        entries = tuple(_truncated(entry, cut) for entry in self.entries if entry.invoked <= cut)
        marks = tuple(mark for mark in self.marks if mark.at <= cut)
        return replace(self, entries=entries, marks=marks)


def _by_invocation(entry: Entry) -> tuple[int, int]:
    return entry.invoked, entry.thread


def _by_time(mark: Mark) -> int:
    return mark.at


def _truncated(entry: Entry, cut: int) -> Entry:
    if entry.returned is not None and entry.returned > cut:
        return replace(entry, returned=None, outcome=None)
    return entry


def _problem(entries: tuple[Entry, ...]) -> str | None:
    last: dict[int, Entry] = {}
    handed: dict[Handle, int] = {}  # a cloned handle: when the clone that made it returned
    for entry in entries:
        for handle in _handles_of(entry.operation):
            if handle.serial and handed.get(handle, entry.invoked) >= entry.invoked:
                return f"{entry}: uses {handle} before a clone returned it"
        if isinstance(entry.outcome, Value) and isinstance(entry.outcome.value, Handle):
            assert entry.returned is not None
            if entry.outcome.value in handed:
                return f"{entry}: {entry.outcome.value} was returned by another clone already"
            handed[entry.outcome.value] = entry.returned
        if (entry.returned is None) != (entry.outcome is None):
            return f"{entry}: a response time needs an outcome and an outcome a response time"
        if entry.returned is not None and entry.returned < entry.invoked:
            return f"{entry}: returned before it was invoked"
        if entry.deadline is not None and getattr(entry.operation, "mode", None) is not Mode.TIMED:
            return f"{entry}: only timed calls have a deadline"
        previous = last.get(entry.thread)
        if previous is not None and previous.response >= entry.invoked:
            return f"T{entry.thread} made a call while {previous.operation} was still in progress"
        last[entry.thread] = entry
    return None


# Lanes -----------------------------------------------------------------------------------


def lanes(
    history: History, indices: Iterable[int], highlight: Iterable[int] = (), cut: int | None = None
) -> str:
    """The calls ``indices`` of ``history`` drawn as one lane per thread, in real-time order.

    Columns follow the order of the invocation and response times (not their scale), so
    every call is visible and two calls overlap on the page exactly when they overlapped
    in time. Each call is a bar ``[a---]`` labelled by a letter explained below the
    lanes; a call that had not returned (by ``cut``, if given) runs off to the right
    (``>``); ``*`` flags the calls in ``highlight`` and ``!`` the quiet moments.
    """
    chosen = sorted(set(indices))
    flagged = set(highlight)
    if not chosen:
        return "(no calls)"
    horizon = NEVER if cut is None else cut
    entries = [history.entries[i] for i in chosen]
    ends = [e.returned if e.returned is not None and e.returned <= horizon else None for e in entries]
    first = min(e.invoked for e in entries)
    last = max(NEVER if end is None else end for end in ends)
    shown_marks = [m for m in history.marks if first <= m.at <= min(last, horizon)]
    moments = {e.invoked for e in entries} | {end for end in ends if end is not None} | {m.at for m in shown_marks}
    column = {moment: 2 + 3 * rank for rank, moment in enumerate(sorted(moments))}
    width = 2 + 3 * len(moments) + 2
    threads = sorted({e.thread for e in entries})
    rows = {thread: [" "] * width for thread in threads}
    labels = {index: _label(n) for n, index in enumerate(chosen)}
    for index, entry, end in zip(chosen, entries, ends, strict=True):
        _draw(rows[entry.thread], column[entry.invoked], None if end is None else column[end], labels[index])
    lines = []
    if shown_marks:
        ruler = [" "] * width
        for mark in shown_marks:
            ruler[column[mark.at]] = "!"
        lines.append("quiet " + "".join(ruler).rstrip())
    lines.extend(f"T{thread:<4} " + "".join(rows[thread]).rstrip() for thread in threads)
    lines.append("")
    for index, entry, end in zip(chosen, entries, ends, strict=True):
        flag = "*" if index in flagged else " "
        text = str(entry)
        if end is None and entry.returned is not None:
            text = f"T{entry.thread}: {entry.operation} -> (in progress; returned {entry.outcome} later)"
        lines.append(f"{flag}{labels[index]:>3} #{index:<5} {text}   {_interval(entry, history.start, end)}")
    for mark in shown_marks:
        at = (mark.at - history.start) / 1e6
        lines.append(f"   !        quiet moment at +{at:.3f} ms (nothing returned for {mark.quiet / 1e6:.1f} ms)")
    return "\n".join(lines)


def _draw(row: list[str], start: int, end: int | None, label: str) -> None:
    stop = len(row) - 1 if end is None else end
    for x in range(start + 1, stop):
        row[x] = "-"
    row[start] = "["
    row[stop] = ">" if end is None else "]"
    for offset, char in enumerate(label):
        if start + 1 + offset < stop or offset == 0:
            row[min(start + 1 + offset, len(row) - 1)] = char


def _label(n: int) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return letters[n] if n < len(letters) else letters[n // len(letters) - 1] + letters[n % len(letters)]


def _interval(entry: Entry, origin: int, end: int | None) -> str:
    start = (entry.invoked - origin) / 1e6
    deadline = "" if entry.deadline is None else f", deadline +{(entry.deadline - origin) / 1e6:.3f}"
    if end is None:
        return f"[+{start:.3f} ms ...{deadline}"
    return f"[+{start:.3f} .. +{(end - origin) / 1e6:.3f} ms{deadline}]"


# Recording -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Workload:
    """What :func:`record` does: ``threads`` threads issue ``operations`` calls in all
    (random, from ``seed``) against one channel. Timed calls wait one of ``timeouts``
    seconds; ``blocking_share`` of the sends and receives are plain blocking calls. A
    quiet moment is declared after ``quiet`` seconds without a return; after closing
    everything, blocked calls get ``patience`` seconds to return; issuing stops after
    ``time_limit`` seconds. Each thread ``pauses`` times stops issuing until the recorder
    has seen a quiet moment (the other threads paused, finished or blocked): calls blocked
    then must be unable to complete, which is where missed wake-ups show; the recorder
    nudges one of them and checks at the next quiet moment that it woke. With
    ``disconnect`` (and at least one pause), at one of the later pauses the recorder closes
    every handle of one side (the side whose close must wake the blocked calls) and the
    threads go on: receives drain the buffer, then everything fails."""

    threads: int = 8
    operations: int = 1000
    seed: int = 0
    timeouts: tuple[float, ...] = (0.0, 0.0005, 0.002)
    blocking_share: float = 0.15
    quiet: float = 0.1
    patience: float = 2.0
    time_limit: float = 20.0
    pauses: int = 3
    disconnect: bool = True
    cancel_share: float = 0.3
    """For an asynchronous backend: the share of awaited calls whose task is cancelled."""


def record(backend: Backend, capacity: int | None, workload: Workload | None = None) -> History:
    """Run ``workload`` against a new channel of ``backend`` at ``capacity`` and return its history.

    Threads 0..n-1 issue the random calls; thread n is the recorder's own: it nudges blocked
    calls at quiet moments, closes one side, and closes every handle at the end. Bounded in
    wall time by
    about ``time_limit + 2 * patience``: a call that hangs is left behind, without a response,
    in a daemon thread. ``ValueError`` if the backend does not claim ``capacity``.
    """
    if not backend.capabilities.supports_capacity(capacity):
        raise ValueError(f"backend {backend.name} does not claim channels of capacity {capacity}")
    return _Recorder(backend, capacity, workload or Workload()).run()


@dataclass
class _Busy:
    """A call a worker is in."""

    operation: Operation
    invoked: int
    deadline: int | None
    cancel_at: int | None = None  # an awaited call whose task will be cancelled then


@dataclass
class _Worker:
    thread: int
    quota: int
    rng: random.Random
    busy: _Busy | None = None
    finished: bool = False
    paused: bool = False


@dataclass
class _Recorder:
    backend: Backend
    capacity: int | None
    workload: Workload
    entries: list[Entry] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)

    def __post_init__(self) -> None:
        sender, receiver = self.backend.make(self.capacity)
        self.objects: dict[Handle, Any] = {_ORIGINAL_SENDER: sender, _ORIGINAL_RECEIVER: receiver}
        self.minted = {Side.SEND: 1, Side.RECV: 1}
        self.closed: set[Handle] = set()
        self.changed = threading.Condition()
        self.stop = False
        self.sealed = False
        self.last_activity = time.monotonic_ns()
        load = self.workload
        shares = [load.operations // load.threads + (i < load.operations % load.threads) for i in range(load.threads)]
        self.workers = [_Worker(i, shares[i], random.Random(f"{load.seed}/{i}")) for i in range(load.threads)]
        self.own = _Worker(load.threads, 0, random.Random(f"{load.seed}/own"), finished=True)
        self.stuck = False  # one of the recorder's own calls never returned: make no more
        self.gate = 0  # paused workers wait for this to change
        # At which pause one side is closed (a later one), and which side if that wakes nobody.
        later = load.pauses // 2
        self.disconnect_at = self.own.rng.randint(later, load.pauses - 1) if load.disconnect and load.pauses else -1
        self.disconnect_side = self.own.rng.choice([Side.SEND, Side.RECV])
        self.loops: list[LoopThread] = []
        if self.backend.capabilities.asynchronous:
            self.loops = [LoopThread(f"chanspec-history-loop-{n}") for n in range(2)]

    def run(self) -> History:
        load = self.workload
        threads = [
            threading.Thread(target=self._work, args=(w,), name=f"chanspec-history-{w.thread}", daemon=True)
            for w in self.workers
        ]
        for thread in threads:
            thread.start()
        self._supervise(time.monotonic() + load.time_limit)
        self._close_everything()
        with self.changed:
            since = self._await_quiet(load.patience)
            now = time.monotonic_ns()
            self.marks.append(Mark(now, now - (self.last_activity if since is None else since)))
            self.sealed = True
            entries = list(self.entries)
            for worker in (*self.workers, self.own):
                if worker.busy is not None:
                    busy = worker.busy
                    entries.append(Entry(worker.thread, busy.operation, busy.invoked, deadline=busy.deadline))
        for loop in self.loops:
            loop.stop()
        return History(self.capacity, tuple(entries), tuple(self.marks), self.backend.capabilities.profile)

    # The supervisor (the recorder's own thread) -------------------------------------------

    def _supervise(self, give_up: float) -> None:
        """At each quiet moment: if the threads paused, first nudge a blocked call (a message
        for a receive, room for a send) and see at the next quiet moment that it woke; at one
        of the later pauses close one side instead; then let the threads go on. If every
        thread is blocked or finished, nudge; if nudging changes nothing, stop."""
        previous: list[int] | None = None
        nudged = False
        pauses = 0
        while True:
            with self.changed:
                since = self._await_quiet(self.workload.quiet, give_up)
                if since is None:
                    return
                now = time.monotonic_ns()
                self.marks.append(Mark(now, now - since))
                busy = [w.busy for w in self.workers if w.busy is not None]
                blocked = [call.operation for call in busy]
                disconnect = False
                if any(w.paused for w in self.workers):
                    if pauses == self.disconnect_at:
                        disconnect, self.disconnect_at = True, -1
                    elif blocked and not nudged:
                        nudged = True
                    else:
                        self.gate += 1  # the pause is over
                        self.changed.notify_all()
                        nudged, pauses = False, pauses + 1
                        continue
                else:
                    started = [call.invoked for call in busy]
                    if started == previous:
                        return  # nudging changed nothing: close everything
                    previous = started
            if disconnect:
                self._close_side(self._side_to_wake(blocked))
            else:
                self._unblock(blocked)

    def _await_quiet(self, seconds: float, give_up: float = math.inf) -> int | None:
        """Wait (holding ``changed``) for a quiet moment: every worker has finished or is blocked
        in a call (a timed one past its deadline), and nothing happened for ``seconds``, seen
        by several polls in a row. A stall of the whole process (a loaded machine) counts as
        one poll only, so it is not mistaken for blocked threads. Returns when the quiet
        began, or ``None`` if every worker finished first or ``give_up`` (``time.monotonic``)
        passed."""
        poll = seconds / _POLLS
        streak, since = 0, time.monotonic_ns()
        while not all(w.finished for w in self.workers) and time.monotonic() < give_up:
            self.changed.wait(poll)
            now = time.monotonic_ns()
            if self.last_activity >= since or not self._all_blocked(since):
                streak, since = 0, now
                continue
            streak += 1
            if streak >= _POLLS and now - self.last_activity >= seconds * 1e9:
                return since
        return None

    def _all_blocked(self, since: int) -> bool:
        """Every worker that has not finished or paused is in a call, and timed calls passed
        their deadline by ``since``."""
        for worker in self.workers:
            if worker.finished or worker.paused:
                continue
            if worker.busy is None:
                return False
            deadline = worker.busy.deadline if worker.busy.cancel_at is None else worker.busy.cancel_at
            if deadline is not None and deadline > since:
                return False
        return True

    def _unblock(self, blocked: list[Operation]) -> None:
        """Give a blocked receive a message, or a blocked send some room (or its partner)."""
        if any(isinstance(op, Recv) for op in blocked):
            self._own_calls([Send(_ORIGINAL_SENDER, Token(), Mode.TRY)])
        else:
            self._own_calls([Recv(_ORIGINAL_RECEIVER, Mode.TRY)])

    def _side_to_wake(self, blocked: list[Operation]) -> Side:
        """The side whose close must wake the blocked calls: the senders' for blocked receives,
        the receivers' for blocked sends; the side chosen at random if both or neither."""
        sides = {Side.SEND if isinstance(op, Recv) else Side.RECV for op in blocked if isinstance(op, (Send, Recv))}
        return sides.pop() if len(sides) == 1 else self.disconnect_side

    def _close_side(self, side: Side) -> None:
        """Close every handle of ``side`` while the workers go on (again if a clone made one meanwhile)."""
        for _ in range(10):
            with self.changed:
                left = [h for h in sorted(self.objects) if h.side is side and h not in self.closed]
            if not left:
                return
            self._own_calls([Close(handle) for handle in left])

    def _close_everything(self) -> None:
        with self.changed:
            self.stop = True
            self.changed.notify_all()  # paused workers stop
            handles = sorted(self.objects)
        self.own.rng.shuffle(handles)
        self._own_calls([Close(handle) for handle in handles])

    def _own_calls(self, ops: list[Operation]) -> None:
        """Some of the recorder's own calls, none of which should block, one after the other: made
        in a thread of their own, so that a backend call that hangs cannot hang the recorder
        (after ``patience`` seconds it is left running, and the recorder makes no more calls)."""
        if self.stuck:
            return

        def calls() -> None:
            for op in ops:
                self._call(self.own.thread, op, 0.0, self.own)

        thread = threading.Thread(target=calls, name="chanspec-history-own", daemon=True)
        thread.start()
        thread.join(self.workload.patience)
        self.stuck = thread.is_alive()

    # Workers ---------------------------------------------------------------------------

    def _work(self, worker: _Worker) -> None:
        pauses = self.workload.pauses
        pause_points = {worker.quota * k // (pauses + 1) for k in range(1, pauses + 1)}
        try:
            for n in range(worker.quota):
                if n in pause_points:
                    self._pause(worker)
                with self.changed:
                    if self.stop:
                        break
                op, timeout = self._choose(worker.rng)
                self._call(worker.thread, op, timeout, worker)
        finally:
            with self.changed:
                worker.finished = True
                self.last_activity = time.monotonic_ns()
                self.changed.notify_all()

    def _pause(self, worker: _Worker) -> None:
        """Stop issuing calls until the recorder has seen a quiet moment: every other worker
        paused, finished or blocked. Calls still blocked then must be unable to complete."""
        with self.changed:
            generation = self.gate
            worker.paused = True
            self.last_activity = time.monotonic_ns()
            self.changed.notify_all()
            while self.gate == generation and not self.stop:
                self.changed.wait()
            worker.paused = False
            self.last_activity = time.monotonic_ns()

    def _choose(self, rng: random.Random) -> tuple[Operation, float]:
        """A random call on a random handle (now and then one already closed)."""
        caps = self.backend.capabilities
        with self.changed:
            handles = sorted(self.objects)
            open_handles = [h for h in handles if h not in self.closed]
            clones = [h for h in open_handles if h.serial > 0]
        pool = handles if rng.random() < 0.05 else open_handles
        senders = [h for h in pool if h.side is Side.SEND] or [_ORIGINAL_SENDER]
        receivers = [h for h in pool if h.side is Side.RECV] or [_ORIGINAL_RECEIVER]
        modes = [Mode.TRY, Mode.BLOCK, Mode.TIMED] if caps.timeouts else [Mode.TRY, Mode.BLOCK]
        share = self.workload.blocking_share
        weights = [0.5 - share / 2, share, 0.5 - share / 2] if caps.timeouts else [1 - share, share]
        timeout = rng.choice(self.workload.timeouts)
        roll = rng.random()
        if roll < 0.4:
            return Send(rng.choice(senders), Token(), rng.choices(modes, weights)[0]), timeout
        if roll < 0.8:
            return Recv(rng.choice(receivers), rng.choices(modes, weights)[0]), timeout
        if roll < 0.85:
            cloneable = [h for h in pool if h.side is Side.SEND or caps.receiver_clone] or [_ORIGINAL_SENDER]
            return Clone(rng.choice(cloneable)), timeout
        if roll < 0.89 and clones:
            return Close(rng.choice(clones)), timeout
        if caps.introspection and roll < 0.98:
            return Inspect(rng.choice(pool or handles), rng.choice(list(Query))), timeout
        if caps.introspection:
            return SameChannel(rng.choice(handles), rng.choice(handles)), timeout
        return Recv(rng.choice(receivers), Mode.TRY), timeout

    def _call(self, thread: int, op: Operation, timeout: float, worker: _Worker | None = None) -> None:
        with self.changed:
            objects = {h: self.objects[h] for h in _handles_of(op)}
            if isinstance(op, Close):
                self.closed.add(op.handle)
            invoked = time.monotonic_ns()
            timed = getattr(op, "mode", None) is Mode.TIMED
            deadline = invoked + int(timeout * 1e9) if timed else None
            loop = self._loop_of(thread, op)
            cancel_after: float | None = None
            if loop is not None and worker is not None and worker.rng.random() < self.workload.cancel_share:
                cancel_after = timeout
            if worker is not None:
                cancel_at = None if cancel_after is None else invoked + int(cancel_after * 1e9)
                worker.busy = _Busy(op, invoked, deadline, cancel_at)
            self.last_activity = invoked
        if loop is None:
            observed, new_object = perform(op, objects, timeout)
        else:
            awaited = loop.start(op, objects)
            if cancel_after is not None:
                awaited.cancel(after=cancel_after)
            observed, new_object = awaited.wait()
        returned = time.monotonic_ns()
        with self.changed:
            if self.sealed:
                return
            outcome = self._name_clone(op, observed, new_object)
            self.entries.append(Entry(thread, op, invoked, returned, outcome, deadline))
            if worker is not None:
                worker.busy = None
            self.last_activity = returned
            self.changed.notify_all()

    def _loop_of(self, thread: int, op: Operation) -> LoopThread | None:
        """The loop on which ``thread`` awaits ``op``, or None: ``op`` blocks its thread."""
        if not self.loops or thread % 2 == 0 or thread >= self.workload.threads or not awaitable(op):
            return None
        return self.loops[(thread // 2) % len(self.loops)]

    def _name_clone(self, op: Operation, observed: Observed, new_object: Any) -> Observed:
        if not (isinstance(op, Clone) and isinstance(observed, Cloned)):
            return observed
        side = op.handle.side
        handle = Handle(op.handle.channel, side, self.minted[side])
        self.minted[side] += 1
        self.objects[handle] = new_object
        return Value(handle)


_POLLS = 5
"""How many polls in a row must see nothing happen before the recorder calls a moment quiet."""

_ORIGINAL_SENDER = Handle(0, Side.SEND, 0)
_ORIGINAL_RECEIVER = Handle(0, Side.RECV, 0)


def _handles_of(op: Operation) -> tuple[Handle, ...]:
    """The handles a call uses."""
    if isinstance(op, Send):
        return (op.sender,)
    if isinstance(op, Recv):
        return (op.receiver,)
    if isinstance(op, SameChannel):
        return (op.first, op.second)
    if isinstance(op, (Clone, Close, Inspect)):
        return (op.handle,)
    raise TypeError(f"a history of one channel has no {type(op).__name__} calls")


def handles_named(history: History) -> Mapping[Side, int]:
    """How many handles ``history`` names on each side (serials run from 0)."""
    counts = {Side.SEND: 1, Side.RECV: 1}
    for entry in history.entries:
        found: list[Handle] = list(_handles_of(entry.operation))
        if isinstance(entry.outcome, Value) and isinstance(entry.outcome.value, Handle):
            found.append(entry.outcome.value)
        for handle in found:
            counts[handle.side] = max(counts[handle.side], handle.serial + 1)
    return counts
