"""Controlled checking: many short scheduled runs, each judged by the linearizability checker.

:func:`check` runs a backend's threads under the scheduler again and again, each run
with a small random plan of calls and a schedule from the chosen strategy, until a
run's history is not explained by the specification or the time is up. A failing run
is shrunk (plan and schedule together, :mod:`.shrink`) and reported with its schedule
string, which :func:`replay` runs again, decision for decision.

Run ``n`` of a check with seed ``s`` draws its plan and schedule from
``random.Random(f"{s}:{n}")``: a check is repeatable from its seed (and the schedule
string replays the failing run without it).
"""

from __future__ import annotations

import dataclasses
import enum
import random
import time
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..backend import Backend
from ..calls import Token
from ..history import History, lanes
from ..linearizability import Budget, Judgement, Verdict
from ..linearizability import check as check_history
from .execution import GRANULARITIES, QUIET, Execution, execute
from .plan import decode, generate
from .schedule import Schedule, decode_schedule, python_version
from .scheduler import Chooser
from .shrink import shrink
from .strategies import PCT, STRATEGIES, Exhaustive, Preemptions, RandomWalk, Replay, keyed, table_bytes, table_from
from .world import World

if TYPE_CHECKING:
    from ..runner import Finding

EXHAUSTIVE_RUNS_PER_PLAN = 400
"""The exhaustive strategy moves on to another plan after this many runs of one."""


@dataclass
class Failure:
    """A run the specification does not explain."""

    plan: bytes
    execution: Execution
    judgement: Judgement

    @property
    def size(self) -> tuple[int, ...]:
        ex = self.execution
        return (len(ex.history.entries), ex.preemptions, len(ex.decisions), sum(ex.decisions))


@dataclass
class ControlledResult:
    """What a controlled check found.

    ``verdict``: ``ok`` (no run deviated), ``deviation``, ``unknown`` (every run's history
    was too hard to judge within its budget), ``error`` (a run got stuck in an uncontrolled
    blocking call, or the recorder failed: ``report`` says why) or ``not run``. For a
    deviation: ``first_found_after`` (seconds from the start), ``schedule`` (replay it with
    :func:`replay`), ``steps`` (calls in the shrunk history), ``history`` and
    ``judgement`` of the shrunk run, and ``report``: the plan, the schedule string, the
    checker's explanation with the calls involved, every call as one lane per thread, and
    where each thread was stopped for another."""

    backend: str
    capacity: int | None
    strategy: str
    seed: int
    verdict: str = "not run"
    runs: int = 0
    seconds: float = 0.0
    first_found_after: float | None = None
    steps: int | None = None
    schedule: str | None = None
    report: str = ""
    history: History | None = None
    judgement: Judgement | None = None
    undecided: int = 0
    distinct_histories: int = 0
    switch_points: int = 0
    plans_exhausted: int = 0
    shrink_replays: int = 0

    @property
    def capacity_name(self) -> str:
        return "unbounded" if self.capacity is None else f"bounded({self.capacity})"

    def finding(self, phase: str = "controlled") -> Finding:
        """The result as a :class:`~chanspec.conformance.runner.Finding` of ``phase``."""
        from ..runner import Finding

        return Finding(
            self.backend,
            self.capacity,
            phase,
            self.verdict,
            self.runs,
            self.seconds,
            self.first_found_after,
            self.report,
            self.steps,
            self.seed,
        )


def check(
    backend: Backend,
    capacity: int | None,
    budget_seconds: float = 10.0,
    seed: int = 0,
    strategy: str = "random",
    *,
    depth: int = 3,
    preemption_bound: int = 2,
    granularity: str = "sync",
    shrink_seconds: float = 5.0,
    modules: Sequence[str] = (),
    watchdog: float = 5.0,
) -> ControlledResult:
    """Run ``backend``'s channel of ``capacity`` under the scheduler until a run deviates from
    the specification or ``budget_seconds`` (wall clock) have passed.

    ``strategy``: ``random`` (every decision uniformly at random), ``pct`` (PCT with bug
    depth ``depth``), ``exhaustive`` (every schedule with at most ``preemption_bound``
    preemptions, of one small plan after another) or ``mixed`` (random and PCT runs
    alternately). ``granularity``: ``sync`` (threads switch at synchronisation calls) or
    ``line`` (also at every line of the backend's code). Shrinking a deviation takes at most
    ``shrink_seconds``, and no more than the budget has left (but up to one second even
    when nothing is left). ``modules`` names more modules whose import-time bindings of ``threading``
    and ``time`` must be controlled (see :mod:`.world`); a run whose thread does not come back
    to a switch point within ``watchdog`` seconds ends the check with an ``error``.
    ``ValueError`` for an unknown strategy or granularity, or a capacity the backend does
    not claim.
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r} (known: {', '.join(STRATEGIES)})")
    if granularity not in GRANULARITIES:
        raise ValueError(f"unknown granularity {granularity!r} (known: {', '.join(GRANULARITIES)})")
    if not backend.capabilities.supports_capacity(capacity):
        raise ValueError(f"backend {backend.name} does not claim channels of capacity {capacity}")
    if depth < 1 or preemption_bound < 0:
        raise ValueError("depth must be at least 1 and preemption_bound at least 0")
    started = time.monotonic()
    deadline = started + budget_seconds
    result = ControlledResult(backend.name, capacity, strategy, seed)
    session = _Session(backend, capacity, granularity, World.for_factory(backend.make, modules), watchdog)
    explorer: Exhaustive | None = None
    plan_bytes = b""
    mean_steps = 40.0
    while time.monotonic() < deadline:
        rng = random.Random(f"{seed}:{result.runs}")
        if strategy == "exhaustive":
            if explorer is None or explorer.runs >= EXHAUSTIVE_RUNS_PER_PLAN:
                explorer, plan_bytes = Exhaustive(preemption_bound), generate(rng, threads=(2, 2), calls=(1, 2))
            chooser: Chooser = explorer.next()
        else:
            plan_bytes = generate(rng)
            chooser = _chooser(strategy, rng, result.runs, plan_bytes, capacity, backend, depth, mean_steps)
        execution = session.run(plan_bytes, chooser)
        result.runs += 1
        result.switch_points += execution.steps
        mean_steps += (execution.steps - mean_steps) / 20
        if explorer is not None:
            explorer.done_with(execution.decisions, execution.widths, execution.preemptible)
            if explorer.exhausted:
                result.plans_exhausted += 1
        problem = _problem(execution)
        if problem is not None:
            result.verdict, result.report = "error", f"run {result.runs - 1} of seed {seed}: {problem}"
            break
        if explorer is not None and explorer.exhausted:
            explorer = None
        judgement = session.judge(execution.history, deadline)
        if judgement.verdict is Verdict.UNKNOWN:
            result.undecided += 1
        elif judgement.verdict is Verdict.VIOLATION:
            result.first_found_after = time.monotonic() - started
            result.distinct_histories = len(session.judged) + 1
            failure = Failure(plan_bytes, execution, judgement)
            seconds = min(shrink_seconds, max(1.0, deadline - time.monotonic()))
            _report(result, session, failure, seconds, f"run {result.runs - 1} of seed {seed}")
            break
    if result.verdict != "deviation":
        result.distinct_histories = len(session.judged)
    result.seconds = time.monotonic() - started
    if result.verdict == "not run" and result.runs:
        result.verdict = "unknown" if result.undecided == result.runs else "ok"
    return result


def replay(backend: Backend, schedule: str, *, modules: Sequence[str] = (), watchdog: float = 5.0) -> ControlledResult:
    """Run the schedule string ``schedule`` (from a :class:`ControlledResult`) again against
    ``backend`` and judge it: the same calls, interleaved decision for decision as when it
    was recorded (if the backend behaves the same way, on the same Python version; the
    report says where the replay went another way)."""
    decoded = decode_schedule(schedule)
    started = time.monotonic()
    result = ControlledResult(backend.name, decoded.capacity, "replay", 0, schedule=schedule)
    world = World.for_factory(backend.make, modules)
    session = _Session(backend, decoded.capacity, decoded.granularity, world, watchdog)
    chooser = Replay(decoded.decisions)
    execution = session.run(decoded.plan, chooser, explain=True)
    result.runs = 1
    result.switch_points = execution.steps
    problem = _problem(execution)
    notes = []
    if not decoded.same_python:
        notes.append(f"recorded on Python {decoded.python}, replayed on {python_version()}: the runs may differ")
    if len(execution.decisions) != len(decoded.decisions) or chooser.diverged_at is not None:
        notes.append(
            f"the replay made {len(execution.decisions)} decisions, the recording {len(decoded.decisions)}: "
            "the backend did not behave as when it was recorded"
        )
    if problem is not None:
        result.verdict, result.report = "error", "\n".join([problem, *notes])
    else:
        judgement = check_history(execution.history, Budget(seconds=10.0))
        result.history, result.judgement = execution.history, judgement
        result.steps = len(execution.history.entries)
        result.verdict = {Verdict.OK: "ok", Verdict.VIOLATION: "deviation", Verdict.UNKNOWN: "unknown"}[
            judgement.verdict
        ]
        result.report = _describe(execution, judgement, Schedule(
            decoded.capacity, decoded.granularity, decoded.plan, decoded.decisions, decoded.python
        ).encode(), notes)
    result.seconds = time.monotonic() - started
    return result


# A session: the runs of one check ------------------------------------------------------------


@dataclass
class _Session:
    backend: Backend
    capacity: int | None
    granularity: str
    world: World
    watchdog: float
    judged: dict[Hashable, Judgement] = field(default_factory=dict)

    def run(self, plan_bytes: bytes, chooser: Chooser, explain: bool = False) -> Execution:
        plan = decode(plan_bytes, self.capacity, self.backend.capabilities)
        return execute(
            self.backend,
            plan,
            chooser,
            self.world,
            seed=plan_bytes,
            granularity=self.granularity,
            explain=explain,
            watchdog=self.watchdog,
        )

    def judge(self, history: History, deadline: float) -> Judgement:
        """The checker's verdict, remembered per shape of history (schedules that interleave
        differently often produce the same history, up to message names and time scale)."""
        key = shape(history)
        known = self.judged.get(key)
        if known is not None:
            return known
        seconds = min(2.0, max(0.2, deadline - time.monotonic()))
        judgement = check_history(history, Budget(seconds=seconds, states=200_000), explain=False)
        if judgement.verdict is Verdict.OK:
            self.judged[key] = judgement
        return judgement

    def rerun(self, plan_bytes: bytes, schedule_bytes: bytes) -> Failure | None:
        execution = self.run(plan_bytes, Preemptions(table_from(schedule_bytes)))
        if _problem(execution) is not None:
            return None
        judgement = self.judge(execution.history, time.monotonic() + 2.0)
        if judgement.verdict is not Verdict.VIOLATION:
            return None
        return Failure(plan_bytes, execution, judgement)


def _chooser(
    strategy: str,
    rng: random.Random,
    run: int,
    plan_bytes: bytes,
    capacity: int | None,
    backend: Backend,
    depth: int,
    mean_steps: float,
) -> Chooser:
    if strategy == "random" or (strategy == "mixed" and run % 2 == 0):
        return RandomWalk(rng)
    tasks = len(decode(plan_bytes, capacity, backend.capabilities).threads) + 1
    chosen_depth = depth if strategy == "pct" else 2 + (run // 2) % 2
    return PCT(rng, tasks, chosen_depth, max(2, round(mean_steps)))


def _problem(execution: Execution) -> str | None:
    """Why a run cannot be judged: it got stuck, or a thread of the recorder failed."""
    if execution.status == "stuck":
        return f"the run got stuck: {execution.detail}"
    if execution.errors:
        return "a thread failed outside the backend's calls: " + "; ".join(execution.errors)
    return None


# Shapes of histories ---------------------------------------------------------------------------


def shape(history: History) -> Hashable:
    """``history`` up to renaming messages and rescaling time: what the checker's verdict
    depends on (it only compares times, and a deadline with a quiet moment's time)."""
    moments: set[int] = {mark.at for mark in history.marks}
    for entry in history.entries:
        moments.add(entry.invoked)
        if entry.returned is not None:
            moments.add(entry.returned)
        if entry.deadline is not None:
            moments.update((entry.deadline, entry.deadline + QUIET))
    rank = {moment: n for n, moment in enumerate(sorted(moments))}
    names: dict[int, int] = {}
    rows = tuple(
        (
            entry.thread,
            _canonical(entry.operation, names),
            rank[entry.invoked],
            None if entry.returned is None else rank[entry.returned],
            _canonical(entry.outcome, names),
            None if entry.deadline is None else (rank[entry.deadline], rank[entry.deadline + QUIET]),
        )
        for entry in history.entries
    )
    marks = tuple((rank[mark.at], mark.quiet) for mark in history.marks)
    return (history.capacity, history.profile.name, rows, marks)


def _canonical(value: Any, names: dict[int, int]) -> Hashable:
    if isinstance(value, Token):
        return ("message", names.setdefault(id(value), len(names)))
    if isinstance(value, enum.Enum):
        return value.value  # type: ignore[no-any-return]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__, *(_canonical(getattr(value, f.name), names) for f in dataclasses.fields(value)))
    if isinstance(value, tuple):
        return tuple(_canonical(item, names) for item in value)
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value  # type: ignore[no-any-return]


# Reports -----------------------------------------------------------------------------------------


def _report(result: ControlledResult, session: _Session, failure: Failure, seconds: float, where: str) -> None:
    first_size = failure.size
    table = keyed(failure.execution.chosen, failure.execution.decisions)
    shrunk = shrink(
        failure.plan,
        table_bytes(table),
        failure,
        session.rerun,
        lambda f: f.size,
        seconds,
    )
    best = shrunk.failure
    result.shrink_replays = shrunk.replays
    decisions = tuple(min(d, 255) for d in best.execution.decisions)
    schedule = Schedule(session.capacity, session.granularity, best.plan, decisions, python_version()).encode()
    chooser = Replay(decisions, best.execution.widths)
    explained = session.run(best.plan, chooser, explain=True)
    judgement = check_history(explained.history, Budget(seconds=10.0))
    notes = []
    if judgement.verdict is not Verdict.VIOLATION or chooser.diverged_at is not None:
        # the backend is not deterministic under replay: report the run as it was found
        explained, judgement = best.execution, check_history(best.execution.history, Budget(seconds=10.0))
        notes.append("the replay of this schedule went another way: the backend does not replay deterministically")
    how = "shrunk by Hypothesis" if shrunk.used_hypothesis else "not shrunk (this Hypothesis reads buffers differently)"
    headline = (
        f"{where} ({result.strategy}) deviated after {result.first_found_after:.2f} s; {how} in "
        f"{shrunk.replays} replays from {first_size[0]} calls and {first_size[1]} preemptions to "
        f"{len(explained.history.entries)} calls and {explained.preemptions} preemptions"
    )
    result.verdict = "deviation"
    result.schedule = schedule
    result.history, result.judgement = explained.history, judgement
    result.steps = len(explained.history.entries)
    result.report = headline + "\n" + _describe(explained, judgement, schedule, notes)


UNCONTROLLED = 0.05
"""Wall-clock seconds a thread may run without a switch point before a report warns that it
may have waited outside the scheduler's control."""


def _describe(execution: Execution, judgement: Judgement, schedule: str, notes: list[str]) -> str:
    history = execution.history
    seconds, where = execution.longest
    if seconds > UNCONTROLLED:
        notes = [
            *notes,
            f"warning: {where} ran {seconds:.3f} s of wall time without a switch point: if it waited in a call the "
            "scheduler does not control (C code, a primitive made before the run), the run did not follow the "
            "virtual clock and this verdict may be wrong",
        ]
    lines = [*notes, "plan:", str(execution.plan), f"schedule: {schedule}"]
    lines.append(f"(replay: chanspec.conformance.controlled.replay(backend, {schedule!r}))")
    lines.append("")
    lines.append(str(judgement.violation) if judgement.violation is not None else f"judgement: {judgement}")
    lines.append("")
    lines.append("every call, one lane per thread (virtual time; the recorder's own thread is the last):")
    lines.append(lanes(history, range(len(history.entries))))
    switches = [s for s in execution.switches if s.source is not None]
    if switches:
        lines.append("")
        lines.append("where threads were stopped for another (switch points of the shrunk schedule):")
        for switch in switches:
            target = "time passes to the next deadline" if switch.advanced else f"T{switch.target} runs"
            where = f" at {switch.where}" if switch.where else ""
            if switch.blocked:
                how = f"waits in {switch.kind}"
            elif switch.kind == "call":
                how = "stops before its next call"
            elif switch.kind.endswith("release"):
                how = f"stops after {switch.kind}"
            else:
                how = f"stops before {switch.kind}"
            lines.append(f"  step {switch.step:>4}: T{switch.source} {how}{where}; {target}")
    if execution.status != "finished":
        lines.append("")
        lines.append(f"the run ended {execution.status}: {execution.detail}")
    return "\n".join(lines)
