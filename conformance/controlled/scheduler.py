"""A cooperative scheduler: logical threads that run one at a time, on a virtual clock.

Each logical thread (a :class:`Task`) is a real OS thread that runs only while it
holds the scheduler's baton. It gives the baton up at *switch points*: the
scheduler-aware primitives (:mod:`.primitives`) call :meth:`Scheduler.switch_point`
before every synchronisation and after every release, and :meth:`Scheduler.block`
when the task has to wait. At each switch point a :class:`Chooser` picks which
enabled task runs next; a choice between two or more options is a *decision*, and
the list of decisions replays the run exactly.

Blocking never waits for real: a blocked task names what it waits for (a predicate)
and, for a timed wait, a virtual deadline. Time moves only when a decision lets it
(the option :data:`TIME`: jump to the next deadline) or when every task is blocked
and some deadline pends, so a timeout costs no wall time. When nothing can run and
no deadline pends, the run is *quiet*: the owner's ``on_quiet`` hook may enable a task
(the recorder closes the channel then); otherwise every task left is blocked for
good, and the scheduler tears the run down by raising :class:`Abandoned` in each of
them, one at a time.

A task that never comes back to a switch point (an uncontrolled blocking call, an
endless loop without synchronisation) is noticed by a wall-clock watchdog in the
controlling thread: the run ends as ``stuck`` and that OS thread is left behind as
a daemon (Python cannot stop a thread).
"""

from __future__ import annotations

import _thread
import contextlib
import enum
import math
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

_real_lock = _thread.allocate_lock
_get_ident = _thread.get_ident
_real_monotonic = time.monotonic

TIME = -1
"""The option "let virtual time pass until the next deadline of a blocked task"."""

TICK = 1_000
"""Virtual nanoseconds that pass at every switch point: every recorded event has its own time."""

START = 1_000_000_000
"""The virtual clock's reading when a run starts (``time.monotonic_ns``)."""


class Abandoned(BaseException):
    """Raised inside a task the scheduler gives up on (everything left is blocked for good, or
    the step limit was reached), to unwind it. Not an ``Exception``: backends and the
    recorder let it through."""


class State(enum.Enum):
    RUNNABLE = "runnable"
    BLOCKED = "blocked"
    DONE = "done"


class Chooser(Protocol):
    """Picks the next task at a decision: ``options`` are task indices (the current task
    first if it is enabled, then the others in order) and possibly :data:`TIME` last.
    Returns a position in ``options``. ``step`` counts every switch point so far;
    ``current`` is the task that reached the switch point (``None`` at the start)."""

    def choose(self, options: Sequence[int], current: int | None, current_enabled: bool, step: int) -> int: ...


@dataclass(eq=False)
class Task:
    """One logical thread."""

    index: int
    name: str
    body: Callable[[], None]
    gate: _thread.LockType = field(default_factory=_real_lock)
    state: State = State.RUNNABLE
    ready: Callable[[], bool] | None = None
    deadline: int | None = None
    waiting_for: str = ""
    abandoned: bool = False
    ident: int = -1
    exited: _thread.LockType = field(default_factory=_real_lock)
    error: BaseException | None = None

    def enabled(self, now: int) -> bool:
        if self.state is State.RUNNABLE:
            return True
        if self.state is State.DONE:
            return False
        return (self.deadline is not None and self.deadline <= now) or (self.ready is not None and self.ready())


@dataclass(frozen=True)
class Switch:
    """A decision that handed the baton to another task (kept when the run is explained):
    at ``step``, ``source`` (``None`` at the start) stopped at ``where`` (a switch point of
    ``kind``) and ``target`` ran next; ``time`` is the virtual clock then."""

    step: int
    time: int
    source: int | None
    target: int
    kind: str
    where: str
    advanced: bool = False
    blocked: bool = False


class Scheduler:
    """Runs tasks one at a time. Build it, :meth:`spawn` the tasks, then :meth:`run`.

    ``max_steps`` bounds the switch points of one run (a livelock guard); ``watchdog`` is the
    wall-clock seconds a task may run without reaching a switch point; with ``explain`` the
    scheduler keeps a :class:`Switch` per hand-over, with the source location (slower)."""

    def __init__(
        self,
        chooser: Chooser,
        *,
        max_steps: int = 20_000,
        watchdog: float = 5.0,
        explain: bool = False,
        on_quiet: Callable[[], bool] | None = None,
        locate: Callable[[], str] | None = None,
        thread_setup: Callable[[], None] | None = None,
    ) -> None:
        self.chooser = chooser
        self.max_steps = max_steps
        self.watchdog = watchdog
        self.explain = explain
        self.on_quiet = on_quiet or (lambda: False)
        self.locate = locate or (lambda: "")
        self.thread_setup = thread_setup
        self.tasks: list[Task] = []
        self.current: Task | None = None
        self.now = START
        self.steps = 0
        self.decisions: list[int] = []
        self.widths: list[int] = []
        self.preemptible: list[bool] = []  # per decision: option 0 was the running task
        self.chosen: list[tuple[int | None, int]] = []  # per decision: the running task, and the option taken
        self.switches: list[Switch] = []
        self.status = "not started"
        self.ending = "stalled"  # the status a teardown ends with
        self.detail = ""
        self.tearing_down = False
        self.active = False
        self.longest = 0.0  # the longest wall-clock stretch a task ran without a switch point
        self.longest_where = ""
        self._since = 0.0
        self._finished = _real_lock()
        self._finished.acquire()

    # Setting up and running --------------------------------------------------------------

    def spawn(self, name: str, body: Callable[[], None], ready: Callable[[], bool] | None = None) -> Task:
        """Add a task; with ``ready`` it starts blocked until ``ready()`` holds."""
        task = Task(len(self.tasks), name, body)
        task.gate.acquire()
        if ready is not None:
            task.state, task.ready, task.waiting_for = State.BLOCKED, ready, "its start"
        self.tasks.append(task)
        return task

    def run(self) -> str:
        """Run every task to the end; returns the status: ``finished`` (every task done),
        ``stalled`` (tasks blocked for good were abandoned), ``step limit`` or ``stuck``."""
        for task in self.tasks:  # plain OS threads: a threading.Thread's start handshake costs more than a run
            task.exited.acquire()
            _thread.start_new_thread(self._bootstrap, (task,))
        self.active = True
        self.status = "running"
        first = self._next(None)
        if first is None:
            self._end("finished")
        else:
            self._hand(None, first, "start")
        self._await_end()
        self.active = False
        if self.status != "stuck":
            for task in self.tasks:
                if task.exited.acquire(True, self.watchdog):
                    task.exited.release()
        return self.status

    def _await_end(self) -> None:
        last_steps, last_change = -1, _real_monotonic()
        while not self._finished.acquire(True, 0.05):
            if self.steps != last_steps:
                last_steps, last_change = self.steps, _real_monotonic()
            elif _real_monotonic() - last_change > self.watchdog:
                holder = self.current
                where = _frame_of(holder.ident) if holder is not None else "?"
                name = holder.name if holder is not None else "?"
                self.status = "stuck"
                self.detail = (
                    f"{name} did not reach a switch point within {self.watchdog:g} s (an uncontrolled blocking "
                    f"call, or a loop without synchronisation); it was at {where}"
                )
                self.tearing_down = True
                for task in self.tasks:  # the parked ones unwind (the stuck one is left behind)
                    if task is not holder and task.state is not State.DONE:
                        task.abandoned = True
                        with contextlib.suppress(RuntimeError):  # a gate already open
                            task.gate.release()
                return

    def _bootstrap(self, task: Task) -> None:
        task.ident = _get_ident()
        task.gate.acquire()
        try:
            if task.abandoned:
                raise Abandoned
            if self.thread_setup is not None:
                self.thread_setup()
            self._since = _real_monotonic()
            task.body()
        except Abandoned:
            pass
        except BaseException as error:  # reported with the run; the other tasks go on
            task.error = error
        finally:
            if self.status != "stuck":
                self._finish(task)
            task.exited.release()

    # The switch points (called by the task holding the baton) -------------------------------

    def manages_caller(self) -> bool:
        """Whether the calling OS thread is the task that holds the baton of a running run."""
        current = self.current
        return self.active and current is not None and current.ident == _get_ident() and self.status == "running"

    def switch_point(self, kind: str) -> None:
        """A place where another task may run: the current task stays enabled."""
        if self.tearing_down:
            return
        current = self.current
        assert current is not None
        self._tick(current, kind)
        target = self._next(current, kind)
        if target is not current:
            assert target is not None
            self._hand(current, target, kind)
            if current.abandoned:
                raise Abandoned

    def block(self, ready: Callable[[], bool], deadline: int | None, kind: str) -> bool:
        """The current task waits until ``ready()`` holds (True) or the virtual clock reaches
        ``deadline`` (False; ``None`` waits for ever). Raises :class:`Abandoned` if the run
        is torn down meanwhile."""
        current = self.current
        assert current is not None
        if current.abandoned:
            raise Abandoned
        if self.tearing_down:  # unwinding: nothing else will run to make it ready
            if ready():
                return True
            raise Abandoned
        current.state, current.ready, current.deadline, current.waiting_for = State.BLOCKED, ready, deadline, kind
        self._tick(current, kind)
        target = self._next(current, kind)
        if target is None:
            target = self._tear_down()
        if target is not current:
            self._hand(current, target, kind)
        if current.abandoned:
            raise Abandoned
        return ready()

    def deadline_after(self, seconds: float) -> int:
        """The virtual deadline ``seconds`` from now (at least now; huge ones are capped)."""
        if seconds <= 0:
            return self.now
        return self.now + math.ceil(min(seconds, 1e9) * 1e9)

    def stamp(self) -> int:
        """A fresh virtual time for an event the recorder notes (every one is distinct)."""
        self.now += 1
        return self.now

    # Choosing ----------------------------------------------------------------------------

    def _tick(self, current: Task, kind: str) -> None:
        self.steps += 1
        self.now += TICK
        real = _real_monotonic()
        if real - self._since > self.longest:
            self.longest, self.longest_where = real - self._since, f"{current.name} before {kind}"
        self._since = real
        if self.steps > self.max_steps and not self.tearing_down:
            self.ending = "step limit"
            self.detail = f"the run reached {self.max_steps} switch points (a livelock?)"
            self.tearing_down = True
            current.abandoned = True
            raise Abandoned

    def _next(self, current: Task | None, kind: str = "start") -> Task | None:
        """Decide who runs next (advancing the clock when that is the choice); ``None`` if
        nobody can, even after the owner's quiet hook."""
        while True:
            now = self.now
            others = [t.index for t in self.tasks if t is not current and t.enabled(now)]
            current_enabled = current is not None and current.enabled(now)
            options = [current.index, *others] if current_enabled and current is not None else others
            pending = [t.deadline for t in self.tasks if t.state is State.BLOCKED and t.deadline is not None]
            later = [d for d in pending if d > now]
            if later:
                options.append(TIME)
            if not options:
                if self.on_quiet():
                    continue
                return None
            if len(options) == 1:
                pick = 0
            else:
                running = None if current is None else current.index
                pick = self.chooser.choose(options, running, current_enabled, self.steps)
                self.decisions.append(pick)
                self.widths.append(len(options))
                self.preemptible.append(current_enabled)
                self.chosen.append((running, options[pick]))
            choice = options[pick]
            if choice == TIME:
                self.now = min(later)
                if self.explain:
                    self._note(current, None, kind, advanced=True)
                continue
            target = self.tasks[choice]
            if target.state is State.BLOCKED:
                target.state = State.RUNNABLE
            if self.explain and target is not current:
                self._note(current, target, kind)
            return target

    def _note(self, source: Task | None, target: Task | None, kind: str, advanced: bool = False) -> None:
        where = self.locate() if source is not None else ""
        self.switches.append(
            Switch(
                self.steps,
                self.now,
                None if source is None else source.index,
                -1 if target is None else target.index,
                kind,
                where,
                advanced,
                source is not None and source.state is State.BLOCKED,
            )
        )

    def _hand(self, source: Task | None, target: Task, kind: str) -> None:
        """Give the baton to ``target`` and, for a task, park until it comes back."""
        self.current = target
        target.gate.release()
        if source is not None:
            source.gate.acquire()
            self._since = _real_monotonic()
            if source.abandoned and source.state is State.BLOCKED:
                source.state = State.RUNNABLE

    # Ending ------------------------------------------------------------------------------

    def _tear_down(self) -> Task:
        """Nothing can run any more and the owner has nothing to add: give up on every task
        left, one at a time (each unwinds with :class:`Abandoned`)."""
        if not self.tearing_down:
            self.tearing_down = True
            left = [t for t in self.tasks if t.state is not State.DONE]
            self.detail = "blocked for good: " + ", ".join(f"{t.name} in {t.waiting_for}" for t in left)
        return self._abandon_next()

    def _abandon_next(self) -> Task:
        task = next(t for t in self.tasks if t.state is not State.DONE)
        task.abandoned = True
        task.state = State.RUNNABLE
        return task

    def _finish(self, task: Task) -> None:
        task.state = State.DONE
        if self.tearing_down:
            left = [t for t in self.tasks if t.state is not State.DONE]
            if not left:
                self._end(self.ending)
                return
            target = self._abandon_next()
        else:
            found = self._next(None, "end")
            if found is None:
                if all(t.state is State.DONE for t in self.tasks):
                    self._end("finished")
                    return
                target = self._tear_down()
            else:
                target = found
        self.current = target
        target.gate.release()

    def _end(self, status: str) -> None:
        self.status = status
        self.current = None
        self._finished.release()


def _frame_of(ident: int) -> str:
    frame = sys._current_frames().get(ident)
    if frame is None:
        return "(thread gone)"
    return f"{frame.f_code.co_filename}:{frame.f_lineno} in {frame.f_code.co_name}"
