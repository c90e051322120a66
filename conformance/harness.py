"""Drive a real channel and the specification side by side, with blocking calls in worker threads.

The test thread (T0) makes calls that return at once; a blocking call goes to a
worker thread (T1, T2, ...). After every action the harness waits for the
system to be quiet: a worker whose call the model says must complete (it has
a message, a slot, a partner, a disconnection, or its deadline passed) is
waited for, with a generous bound, and is reported as a missed wake-up if it
stays blocked; a worker the model says may complete gets a short grace period.
Every result is checked against the model through a :class:`Tracker`.

For a backend that claims ``asynchronous``, the odd-numbered workers (T1, T3,
...) make their blocking calls as awaited ones (``asend``/``arecv``), each a
task on an event loop running in a thread of its own (T1 on one loop, T3 on
another, ...), while the even-numbered workers keep blocking their threads. The
test thread may then also cancel such a task (:class:`CancelAwait`): the call
must return, either withdrawn (``Cancelled``, no effect) or completed.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NoReturn

from ..spec.handles import Handle, Side
from ..spec.operations import Call, Clone, Close, Inspect, Mode, Open, Operation, Query, Recv, SameChannel, Send
from ..spec.outcomes import Opened, Timeout
from ..spec.state import World
from ..spec.transitions import successors
from .backend import Backend
from .calls import AwaitedCall, LoopThread, Observed, Token, awaitable, perform
from .tracker import Mismatch, Tracker

MAIN = 0


class Deviation(AssertionError):
    """The backend did something the specification does not allow; the message is the report."""

    def __init__(self, report: str, steps: int) -> None:
        super().__init__(report)
        self.report = report
        self.steps = steps


@dataclass(frozen=True)
class Timing:
    """How long the harness waits. ``must`` bounds the wait for a call that must complete (a
    generous bound: reaching it is a missed wake-up); ``grace`` is how long a call that may
    complete gets; ``timed`` is the timeout given to timed calls in workers."""

    must: float = 5.0
    grace: float = 0.02
    timed: float = 0.05
    deadline: float = float("inf")
    """``time.monotonic()`` after which the harness does nothing more (the run's budget is spent)."""
    hard_end: float = float("inf")
    """``time.monotonic()`` at which every wait ends, even one for a call that must complete (the
    whole check's budget is spent): a wait cut short there proves nothing and ends the run."""


@dataclass(frozen=True)
class CancelAwait:
    """The test thread cancels the task making ``thread``'s awaited call (nothing if there is none)."""

    thread: int

    def __str__(self) -> str:
        return f"cancel T{self.thread}'s task"


Action = Operation | CancelAwait
"""What the test thread can do at once: a call, or cancelling an awaited call."""


class Worker:
    """A thread that runs one call at a time and records its result and timing; ``returns``
    is notified whenever any worker sharing it returns."""

    def __init__(self, thread: int, returns: threading.Condition) -> None:
        self.thread = thread
        self.returns = returns
        self.busy = False
        self.done = threading.Event()
        self.result: Observed | None = None
        self.created: Any = None
        self.started = self.ended = 0.0
        self.op: Operation | None = None
        self._jobs: queue.SimpleQueue[Callable[[], tuple[Observed, Any]] | None] = queue.SimpleQueue()
        threading.Thread(target=self._loop, name=f"chanspec-worker-{thread}", daemon=True).start()

    def submit(self, op: Operation, job: Callable[[], tuple[Observed, Any]]) -> None:
        self.busy, self.op, self.result, self.created = True, op, None, None
        self.done.clear()
        self.started = time.monotonic()
        self._jobs.put(job)

    def stop(self) -> None:
        self._jobs.put(None)

    def _loop(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            result, created = job()
            with self.returns:
                self.ended = time.monotonic()
                self.result, self.created = result, created
                self.done.set()
                self.returns.notify_all()


@dataclass
class Harness:
    """One channel of a backend, driven and checked against the model."""

    backend: Backend
    capacity: int | None
    workers: int = 2
    timing: Timing = field(default_factory=Timing)

    on_deviation: Callable[[Deviation], None] | None = None

    def __post_init__(self) -> None:
        self.failed = False
        self.cut_short = False
        sender, receiver = self.backend.make(self.capacity)
        (opened,) = successors(World(), Call(MAIN, Open(self.capacity)), self.backend.capabilities.profile)
        assert isinstance(opened.results[0][1], Opened)
        self.objects: dict[Handle, Any] = {Handle(0, Side.SEND, 0): sender, Handle(0, Side.RECV, 0): receiver}
        self.tracker = Tracker(opened.world, self.backend.capabilities.profile)
        self.log: list[str] = [f"T0: {'unbounded()' if self.capacity is None else f'bounded({self.capacity})'}"]
        self.returns = threading.Condition()
        self.main = Worker(MAIN, self.returns)
        self.pool = {thread: Worker(thread, self.returns) for thread in range(1, self.workers + 1)}
        awaiting = [t for t in self.pool if t % 2 == 1] if self.backend.capabilities.asynchronous else []
        self.loops = {t: LoopThread(f"chanspec-loop-{t}") for t in awaiting}
        self.awaited: dict[int, AwaitedCall] = {}

    # What can be done next -------------------------------------------------------------

    def handles(self) -> list[Handle]:
        return sorted(self.objects)

    def idle_workers(self) -> list[int]:
        return [thread for thread, worker in self.pool.items() if not worker.busy]

    def immediate_calls(self) -> list[Action]:
        """Calls the test thread can make without blocking, on every handle, closed ones included
        (and, for an asynchronous backend, cancelling each awaiting worker's task)."""
        caps = self.backend.capabilities
        ops: list[Action] = [CancelAwait(thread) for thread in self.loops]
        for handle in self.handles():
            if handle.side is Side.SEND:
                ops.append(Send(handle, Token(), Mode.TRY))
                if caps.timeouts:
                    ops.append(Send(handle, Token(), Mode.TIMED))
            else:
                ops.append(Recv(handle, Mode.TRY))
                if caps.timeouts:
                    ops.append(Recv(handle, Mode.TIMED))
            if handle.side is Side.SEND or caps.receiver_clone:
                ops.append(Clone(handle))
            ops.append(Close(handle))
            if caps.introspection:
                ops.extend(Inspect(handle, query) for query in Query)
        if caps.introspection:
            first, *rest = self.handles()
            ops.extend(SameChannel(first, other) for other in rest[:1])
        return ops

    def blocking_calls(self) -> list[Operation]:
        """Calls a worker can make that may block."""
        modes = (Mode.BLOCK, Mode.TIMED) if self.backend.capabilities.timeouts else (Mode.BLOCK,)
        ops: list[Operation] = []
        for handle in self.handles():
            for mode in modes:
                ops.append(Send(handle, Token(), mode) if handle.side is Side.SEND else Recv(handle, mode))
        return ops

    # Actions -----------------------------------------------------------------------------

    def call(self, op: Action) -> None:
        """The test thread makes a call that returns at once (timed calls wait zero seconds)."""
        if self.out_of_time():
            return
        self.settle()
        if isinstance(op, CancelAwait):
            self.cancel(op.thread)
            return
        observed, new_object = self._immediately(op)
        self.log.append(f"T0: {op} -> {observed}")
        mismatch, minted = self.tracker.call(MAIN, op, observed)
        self._check(mismatch, f"T0: {op}")
        if minted is not None:
            self.objects[minted] = new_object
        self.quiesce()

    def start(self, thread: int, op: Operation) -> None:
        """Worker ``thread`` starts a call that may block."""
        if self.out_of_time():
            return
        self.settle()
        worker = self.pool[thread]
        if thread in self.loops and awaitable(op):
            awaited = self.loops[thread].start(op, self.objects)
            self.awaited[thread] = awaited
            worker.submit(op, awaited.wait)
            self.log.append(f"T{thread}: await {op} ...")
        else:
            self.awaited.pop(thread, None)
            timeout = self.timing.timed
            worker.submit(op, lambda: perform(op, self.objects, timeout))
            self.log.append(f"T{thread}: {op} ...")
        self.tracker.start(thread, op)
        self.quiesce()

    def cancel(self, thread: int) -> None:
        """Cancel the task of ``thread``'s awaited call, if it is still running; it must return."""
        awaited = self.awaited.get(thread)
        if awaited is None or not self.pool[thread].busy:
            return
        self.log.append(f"T0: cancel T{thread}'s task")
        self.tracker.cancel(thread)
        awaited.cancel()
        self.quiesce()

    def _immediately(self, op: Operation) -> tuple[Observed, Any]:
        """Run the test thread's call on its own thread, so that a call that should return at once
        but hangs is reported instead of hanging the check."""
        self.main.submit(op, lambda: perform(op, self.objects, 0.0))
        if not self.main.done.wait(self.timing.must):
            self.log.append(f"T0: {op} -> (still running)")
            self._fail(f"T0: {op} has not returned after {self.timing.must:.1f} s, although it never waits")
        self.main.busy = False
        assert self.main.result is not None
        return self.main.result, self.main.created

    def close_everything(self) -> None:
        """Close every handle; every blocked worker must then return. Stops the workers.
        After a deviation, or once the budget is spent, it only abandons the channel."""
        if self.failed or self.out_of_time():
            self.abandon()
            return
        try:
            for handle in self._closing_order():
                self.call(Close(handle))
        finally:
            self.abandon()

    def _closing_order(self) -> list[Handle]:
        """Close the side opposite to the blocked workers first, so that the end of every run
        checks that the last sender's (or receiver's) close wakes them."""
        blocked_receiving = any(isinstance(w.op, Recv) for w in self.pool.values() if w.busy)
        first = Side.SEND if blocked_receiving else Side.RECV
        return sorted(self.handles(), key=lambda handle: handle.side is not first)

    def abandon(self) -> None:
        """Close every handle without checking anything, and stop the workers (after a failure)."""
        objects = list(self.objects.values())

        def close_all() -> None:
            for obj in objects:
                with contextlib.suppress(Exception):  # the backend may misbehave, or was cut short
                    obj.close()

        closer = threading.Thread(target=close_all, name="chanspec-abandon", daemon=True)
        closer.start()
        closer.join(1.0)  # a backend whose close hangs must not hang the check
        for loop in self.loops.values():
            loop.stop()
        for worker in (self.main, *self.pool.values()):
            worker.stop()

    def out_of_time(self) -> bool:
        """The budget is spent: actions become no-ops, so that a run in progress ends quickly
        (raising would make Hypothesis see a failure that does not replay)."""
        return self.cut_short or time.monotonic() > self.timing.deadline

    # Waiting and checking ---------------------------------------------------------------

    def quiesce(self) -> None:
        """Wait until no blocked call has to return any more, checking every return.

        A worker whose timed call passed its deadline must return. Otherwise, while in every state
        the run may be in some worker's call can complete, one of them must return: if none does
        within the bound, that is a missed wake-up. Workers that only may return get a grace period.
        """
        while not self.cut_short:
            self.settle()
            blocked = [t for t, w in self.pool.items() if w.busy]
            overdue = [t for t in blocked if self._past_deadline(self.pool[t])]
            if overdue:
                self._await(overdue, self._must_wait(self.pool[overdue[0]]))
            elif self.tracker.progress_required(blocked):
                self._await(blocked, self.timing.must)
            else:
                hopeful = [t for t in blocked if self.tracker.may_return(t)]
                if hopeful:
                    self._await(hopeful, self.timing.grace, missed_is_deviation=False)
                self.settle()
                return

    def _await(self, threads: list[int], seconds: float, missed_is_deviation: bool = True) -> None:
        """Wait until one of ``threads`` has returned, at most ``seconds``."""
        deadline = time.monotonic() + seconds
        cut_short = deadline > self.timing.hard_end
        with self.returns:
            while not any(self.pool[t].done.is_set() for t in threads):
                left = min(deadline, self.timing.hard_end) - time.monotonic()
                if left <= 0:
                    if cut_short:
                        self.cut_short = True
                    elif missed_is_deviation:
                        self._missed_wakeup(threads, seconds)
                    return
                self.returns.wait(left)

    def settle(self) -> None:
        """Feed the results of workers that have returned to the tracker."""
        returned: dict[int, Observed] = {}
        for thread, worker in self.pool.items():
            if worker.busy and worker.done.is_set():
                assert worker.result is not None and worker.op is not None
                returned[thread] = worker.result
                worker.busy = False
                elapsed = worker.ended - worker.started
                self.log.append(f"T{thread}: {worker.op} returned {worker.result} after {elapsed * 1000:.0f} ms")
                if isinstance(worker.result, Timeout) and elapsed < self.timing.timed * 0.95:
                    self._fail(f"T{thread}: a timeout returned early ({elapsed * 1000:.0f} ms)")
        self._check(self.tracker.settle(returned), "returns")

    def _past_deadline(self, worker: Worker) -> bool:
        timed = getattr(worker.op, "mode", None) is Mode.TIMED
        return timed and time.monotonic() >= worker.started + self.timing.timed

    def _must_wait(self, worker: Worker) -> float:
        timed = getattr(worker.op, "mode", None) is Mode.TIMED
        deadline = worker.started + self.timing.timed if timed else time.monotonic()
        return max(0.0, deadline - time.monotonic()) + self.timing.must

    def _missed_wakeup(self, threads: list[int], seconds: float) -> None:
        calls = ", ".join(f"T{t} in {self.pool[t].op}" for t in threads)
        self._fail(
            f"missed wake-up: still blocked after {seconds:.1f} s ({calls}), although the specification "
            "says that one of them can complete"
        )

    def _check(self, mismatch: Mismatch | None, what: str) -> None:
        if mismatch is None:
            return
        allowed = ", ".join(map(str, mismatch.allowed)) or "no return at this point (it must stay blocked)"
        observed = "did not return" if mismatch.observed is None else f"returned {mismatch.observed}"
        headline = f"T{mismatch.thread} {observed}; the specification allows: {allowed}"
        self._fail(headline, mismatch.states)

    def _fail(self, headline: str, states: tuple[str, ...] = ()) -> NoReturn:
        self.failed = True
        deviation = Deviation(self._report(headline, states), steps=len(self.log) - 1)
        if self.on_deviation is not None:
            self.on_deviation(deviation)
        raise deviation

    def _report(self, headline: str, states: tuple[str, ...] = ()) -> str:
        lines = [headline, "", "trace:"]
        lines.extend(f"  {line}" for line in self.log)
        shown = states or self.tracker.describe()
        lines.append("specification state before the failing step:" if states else "specification state:")
        lines.extend(f"  {state}" for state in shown)
        return "\n".join(lines)
