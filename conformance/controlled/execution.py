"""One controlled run: a plan's calls made by scheduled threads, recorded as a history.

Threads ``0..n-1`` are the workers of the plan; thread ``n`` is the recorder's own: it
makes the channel and the clones before the workers start (and, if the plan says so,
closes one side while they run), waits for the first quiet moment, asks every handle
for its ``len`` (a message accepted after the last receiver's close shows there), then
closes every handle (which must wake every blocked call). Call times are
the virtual clock's, so two calls overlap in the history exactly when they overlapped
in the run, and a quiet moment (:class:`~chanspec.conformance.history.Mark`) is
recorded exactly when every thread was blocked or finished and no timeout pended:
before it, the clock jumps past the deadline of every timed call still in progress,
plus :data:`QUIET`. A call a thread was still in when the run was torn down is kept
without a response.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...spec.handles import Handle, Side
from ...spec.operations import Clone, Close, Inspect, Mode, Operation, Query
from ...spec.outcomes import Value
from ..backend import Backend
from ..calls import Cloned, Observed, perform
from ..history import Entry, History, Mark, _handles_of
from .plan import Call, Plan
from .scheduler import Chooser, Scheduler, Switch
from .world import World, controlled, line_tracer, locate

QUIET = 10_000_000
"""Virtual nanoseconds of stillness recorded with a quiet moment (and added after the
latest deadline of a timed call in progress then)."""

GRANULARITIES = ("sync", "line")
"""Where threads may be switched: at synchronisation calls, or also at every line of the
backend's code (``sys.settrace``: slower, finds races between synchronisation calls)."""


@dataclass
class Execution:
    """What one run did: its history, the decisions that replay it (positions among the
    options at each decision, with how many options there were), how it ended, and, when
    explained, every hand-over of the baton."""

    plan: Plan
    history: History
    decisions: list[int]
    widths: list[int]
    preemptible: list[bool]
    chosen: list[tuple[int | None, int]]
    status: str
    detail: str
    steps: int
    switches: list[Switch] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    longest: tuple[float, str] = (0.0, "")
    """The longest wall-clock stretch a thread ran without a switch point, and where it ended."""

    @property
    def preemptions(self) -> int:
        """Decisions that stopped a thread that could have gone on."""
        return sum(1 for pick, counts in zip(self.decisions, self.preemptible, strict=True) if pick and counts)


@dataclass
class _Busy:
    operation: Operation
    invoked: int
    deadline: int | None


class _Run:
    def __init__(self, backend: Backend, plan: Plan, sched: Scheduler) -> None:
        self.backend = backend
        self.plan = plan
        self.sched = sched
        self.objects: dict[Handle, Any] = {}
        self.entries: list[Entry] = []
        self.marks: list[Mark] = []
        self.busy: dict[int, _Busy] = {}
        self.set_up = False
        self.quiet = False
        self.own = len(plan.threads)
        self.minted = {Side.SEND: 1, Side.RECV: 1}

    # The threads ------------------------------------------------------------------------

    def worker(self, thread: int, calls: tuple[Call, ...]) -> None:
        for call in calls:
            self._call(thread, call.operation(), call.timeout)

    def own_thread(self) -> None:
        plan = self.plan
        sender, receiver = self.backend.make(plan.capacity)
        self.objects[Handle(0, Side.SEND, 0)] = sender
        self.objects[Handle(0, Side.RECV, 0)] = receiver
        for _ in range(plan.senders - 1):
            self._call(self.own, Clone(Handle(0, Side.SEND, 0)), 0.0)
        for _ in range(plan.receivers - 1):
            self._call(self.own, Clone(Handle(0, Side.RECV, 0)), 0.0)
        self.set_up = True
        if plan.disconnect is not None:
            for handle in sorted(self.objects):
                if handle.side is plan.disconnect:
                    self._call(self.own, Close(handle), 0.0)
        self.sched.block(self._is_quiet, None, "the first quiet moment")
        if self.backend.capabilities.introspection:
            for handle in sorted(self.objects):
                self._call(self.own, Inspect(handle, Query.LEN), 0.0)
        handles = sorted(self.objects, key=lambda h: (h.side is Side.SEND) == plan.receivers_closed_first)
        for handle in handles:
            if not (plan.disconnect is not None and handle.side is plan.disconnect):
                self._call(self.own, Close(handle), 0.0)

    def _is_quiet(self) -> bool:
        return self.quiet

    def _started(self) -> bool:
        return self.set_up

    def _call(self, thread: int, op: Operation, timeout: float) -> None:
        handles = _handles_of(op)
        if any(handle not in self.objects for handle in handles):
            return  # a clone that failed: the plan's call has no handle to use
        objects = {handle: self.objects[handle] for handle in handles}
        sched = self.sched
        sched.switch_point("call")
        invoked = sched.stamp()
        timed = getattr(op, "mode", None) is Mode.TIMED
        deadline = invoked + round(timeout * 1e9) if timed else None
        self.busy[thread] = _Busy(op, invoked, deadline)
        observed, new_object = perform(op, objects, timeout)
        returned = sched.stamp()
        del self.busy[thread]
        outcome = self._name_clone(op, observed, new_object)
        self.entries.append(Entry(thread, op, invoked, returned, outcome, deadline))

    def _name_clone(self, op: Operation, observed: Observed, new_object: Any) -> Observed:
        if not (isinstance(op, Clone) and isinstance(observed, Cloned)):
            return observed
        side = op.handle.side
        handle = Handle(0, side, self.minted[side])
        self.minted[side] += 1
        self.objects[handle] = new_object
        return Value(handle)

    # The scheduler's quiet hook ---------------------------------------------------------

    def on_quiet(self) -> bool:
        """Every thread is blocked or finished and no timeout pends: note a quiet moment if a
        call is in progress, and let the own thread close everything (the first time)."""
        sched = self.sched
        if self.busy:
            deadlines = [busy.deadline for busy in self.busy.values() if busy.deadline is not None]
            sched.now = max([sched.now, *deadlines]) + QUIET
            self.marks.append(Mark(sched.now, QUIET))
        if self.set_up and not self.quiet:
            self.quiet = True
            return True
        return False

    def history(self) -> History:
        entries = list(self.entries)
        for thread, busy in self.busy.items():
            entries.append(Entry(thread, busy.operation, busy.invoked, deadline=busy.deadline))
        return History(self.plan.capacity, tuple(entries), tuple(self.marks), self.backend.capabilities.profile)


def execute(
    backend: Backend,
    plan: Plan,
    chooser: Chooser,
    world: World,
    *,
    seed: bytes = b"",
    granularity: str = "sync",
    explain: bool = False,
    max_steps: int = 20_000,
    watchdog: float = 5.0,
) -> Execution:
    """Run ``plan`` against a new channel of ``backend`` under ``chooser``'s decisions."""
    if granularity not in GRANULARITIES:
        raise ValueError(f"granularity must be one of {GRANULARITIES}, not {granularity!r}")
    sched = Scheduler(chooser, max_steps=max_steps, watchdog=watchdog, explain=explain)
    run = _Run(backend, plan, sched)
    sched.on_quiet = run.on_quiet
    if explain:
        sched.locate = locate(world.files)
    if granularity == "line":
        sched.thread_setup = line_tracer(sched, world.files)
    for index, calls in enumerate(plan.threads):
        sched.spawn(f"T{index}", _bind(run.worker, index, calls), ready=run._started)
    sched.spawn(f"T{run.own} (recorder)", run.own_thread)
    with controlled(sched, world, seed):
        status = sched.run()
    errors = [f"{task.name}: {type(task.error).__name__}: {task.error}" for task in sched.tasks if task.error]
    history = run.history()
    return Execution(
        plan,
        history,
        sched.decisions,
        sched.widths,
        sched.preemptible,
        sched.chosen,
        status,
        sched.detail,
        sched.steps,
        sched.switches,
        errors,
        (sched.longest, sched.longest_where),
    )


def _bind(function: Any, thread: int, calls: tuple[Call, ...]) -> Any:
    def body() -> None:
        function(thread, calls)

    return body
