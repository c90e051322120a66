"""Run the conformance check: every phase on every capacity of every backend, within a time budget."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from hypothesis import HealthCheck, Phase, Verbosity, seed, settings
from hypothesis.stateful import run_state_machine_as_test

from .backend import Backend
from .harness import Deviation, Timing
from .history import Workload, record
from .linearizability import Budget, Verdict
from .linearizability import check as check_history
from .machine import machine_for

CAPACITIES: tuple[int | None, ...] = (None, 0, 1, 2)
PHASES = ("sequential", "threads", "histories", "controlled")
"""``sequential``: calls that return at once; ``threads``: blocking calls in worker threads too;
``histories``: many threads calling at once, their recorded history judged by the
linearizability checker; ``controlled``: small runs whose threads interleave as a
cooperative scheduler decides (:mod:`.controlled`), judged the same way."""
DEFAULT_PHASES = PHASES[:3]
"""What ``check`` runs unless told otherwise. The controlled phase is asked for by name: it
patches the ``threading`` primitives while it runs, so the backend must synchronise only
through them (a queue that blocks in C code is reported as stuck)."""


@dataclass
class Finding:
    """The result of one phase on one capacity of one backend."""

    backend: str
    capacity: int | None
    phase: str
    verdict: str  # "ok", "deviation", "unknown", "n/a", "error", "not run"
    runs: int = 0
    seconds: float = 0.0
    first_found_after: float | None = None
    report: str = ""
    steps: int | None = None
    seed: int = 0

    @property
    def capacity_name(self) -> str:
        return "unbounded" if self.capacity is None else f"bounded({self.capacity})"


@dataclass
class CheckResult:
    """Everything one ``chanspec check`` found."""

    findings: list[Finding] = field(default_factory=list)
    seed: int = 0
    seconds: float = 0.0

    @property
    def conforms(self) -> bool:
        return not any(f.verdict in ("deviation", "error") for f in self.findings)


def check(
    backends: list[Backend],
    budget: float = 60.0,
    master_seed: int = 0,
    progress: Callable[[Finding], None] | None = None,
    capacities: tuple[int | None, ...] = CAPACITIES,
    stop_on_first: bool = False,
    phases: tuple[str, ...] = DEFAULT_PHASES,
) -> CheckResult:
    """Check every backend; the whole run ends within ``budget`` seconds (wall clock).
    ``stop_on_first`` ends the run at the first deviation (the rest is "not run"); ``phases``
    chooses among ``PHASES``."""
    started = time.monotonic()
    result = CheckResult(seed=master_seed)
    unknown = set(phases) - set(PHASES)
    if unknown:
        raise ValueError(f"unknown phases {sorted(unknown)} (known: {', '.join(PHASES)})")
    jobs = [(b, c, p) for b in backends for c in capacities for p in phases]
    runnable = [j for j in jobs if j[0].capabilities.supports_capacity(j[1])]
    end = started + budget * 0.97
    hard_end = started + budget * 0.99  # waits end here: the budget holds even if a check is mid-run
    for index, (backend, capacity, phase) in enumerate(jobs):
        if not backend.capabilities.supports_capacity(capacity):
            finding = Finding(backend.name, capacity, phase, "n/a")
        elif stop_on_first and not result.conforms:
            finding = Finding(backend.name, capacity, phase, "not run")
        else:
            left = len(runnable) - runnable.index((backend, capacity, phase))
            slice_end = time.monotonic() + max(0.0, end - time.monotonic()) / left
            finding = _run_phase(backend, capacity, phase, slice_end, hard_end, master_seed * 1000 + index)
        result.findings.append(finding)
        if progress is not None:
            progress(finding)
    result.seconds = time.monotonic() - started
    return result


def _run_phase(
    backend: Backend, capacity: int | None, phase: str, deadline: float, hard_end: float, phase_seed: int
) -> Finding:
    if phase == "histories":
        return _run_histories(backend, capacity, deadline, hard_end, phase_seed)
    if phase == "controlled":
        from .controlled import check as controlled_check

        explore = max(0.0, deadline - time.monotonic())
        shrink = max(0.0, min(5.0, hard_end - time.monotonic() - explore))
        return controlled_check(backend, capacity, explore, phase_seed, shrink_seconds=shrink).finding(phase)
    finding = Finding(backend.name, capacity, phase, "not run", seed=phase_seed)
    started = time.monotonic()
    found: list[Deviation] = []

    def record(deviation: Deviation) -> None:
        if not found:
            finding.first_found_after = time.monotonic() - started
        found.append(deviation)

    timing = Timing(deadline=deadline, must=2.0, hard_end=hard_end)
    workers = 0 if phase == "sequential" else 2

    def count() -> None:
        finding.runs += 1

    machine = machine_for(backend, capacity, workers, timing, on_deviation=record, on_run=count)
    batch = 0
    try:
        while time.monotonic() < deadline and not found:
            run_state_machine_as_test(seed(phase_seed * 100 + batch)(machine), settings=_settings())  # type: ignore[no-untyped-call, unused-ignore]
            batch += 1
    except Exception as error:  # a deviation (possibly wrapped by Hypothesis) or a backend that crashed
        if not found and not any(isinstance(e, Deviation) for e in _chain(error)):
            finding.verdict, finding.report = "error", f"{type(error).__name__}: {error}"
    finding.seconds = time.monotonic() - started
    if found:
        shortest = min(found, key=lambda d: d.steps)
        finding.verdict, finding.report, finding.steps = "deviation", shortest.report, shortest.steps
    elif finding.verdict == "not run":
        finding.verdict = "ok" if finding.runs else "not run"
    return finding


_HISTORY_SHAPES = ((4, 200), (8, 400), (3, 100), (6, 300))
"""(threads, calls) of the histories recorded one after the other: small ones show a missed
wake-up in a short trace, large ones make rare overlaps likely."""


def _run_histories(
    backend: Backend, capacity: int | None, deadline: float, hard_end: float, phase_seed: int
) -> Finding:
    """Record histories of concurrent calls until ``deadline`` and judge each; a deviation is
    the first history the specification cannot explain. A history whose judgement ran out of
    budget counts as run but proves nothing: with no other run the verdict is "unknown"."""
    finding = Finding(backend.name, capacity, "histories", "not run", seed=phase_seed)
    started = time.monotonic()
    undecided = 0
    for number in itertools.count():
        left = deadline - time.monotonic()
        if left < 0.3:
            break
        threads, calls = _HISTORY_SHAPES[number % len(_HISTORY_SHAPES)]
        workload = Workload(
            threads=threads,
            operations=calls,
            seed=phase_seed * 100 + number,
            time_limit=left / 3,
            patience=min(1.0, max(0.25, left / 4)),  # how long calls get to return after the last close
        )
        try:
            history = record(backend, capacity, workload)
            # the checker may spend as much again explaining a violation
            seconds = min(10.0, max(0.5, deadline - time.monotonic()), max(0.05, (hard_end - time.monotonic()) / 2))
            judgement = check_history(history, Budget(seconds=seconds))
        except Exception as error:  # the backend crashed
            finding.verdict, finding.report = "error", f"{type(error).__name__}: {error}"
            break
        finding.runs += 1
        if judgement.verdict is Verdict.UNKNOWN:
            undecided += 1
        elif judgement.verdict is Verdict.VIOLATION and judgement.violation is not None:
            violation = judgement.violation
            finding.first_found_after = time.monotonic() - started
            finding.verdict, finding.steps = "deviation", len(violation.involved)
            finding.report = (
                f"{threads} threads, {calls} calls (workload seed {workload.seed}); {judgement.seconds:.2f} s "
                f"to judge\n{violation}"
            )
            break
    finding.seconds = time.monotonic() - started
    if finding.verdict == "not run" and finding.runs:
        finding.verdict = "unknown" if undecided == finding.runs else "ok"
    return finding


_EXAMPLES = 10


def _settings() -> settings:
    return settings(
        max_examples=_EXAMPLES,
        stateful_step_count=25,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=(Phase.generate, Phase.shrink),
        report_multiple_bugs=False,
        print_blob=False,
        verbosity=Verbosity.quiet,
    )


def _chain(error: BaseException) -> Iterator[BaseException]:
    """``error`` and everything it wraps (causes, contexts, exception groups)."""
    seen: set[int] = set()
    stack = [error]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        stack.extend(getattr(current, "exceptions", ()))
        stack.extend(e for e in (current.__cause__, current.__context__) if e is not None)


def assert_conforms(
    backend: Backend,
    budget: float = 30.0,
    seed_value: int = 0,
    capacities: tuple[int | None, ...] = CAPACITIES,
) -> CheckResult:
    """Check ``backend`` and raise ``AssertionError`` with every deviation report if it does not
    conform: one line in a user's own test suite (see docs/conformance.md)."""
    result = check([backend], budget=budget, master_seed=seed_value, capacities=capacities)
    failures = [f for f in result.findings if f.verdict in ("deviation", "error")]
    if failures:
        text = "\n\n".join(f"{f.capacity_name}, {f.phase}:\n{f.report}" for f in failures)
        raise AssertionError(f"{backend.name} does not conform (seed {seed_value}):\n\n{text}")
    return result
