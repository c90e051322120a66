"""Run a scenario once per injection point and judge each run.

:func:`dry_run` runs the scenario with the tracer counting (and recording) the
events of one grain; :func:`run_once` reruns it raising :class:`~.tracer.Injected`
at one event; :func:`sweep` does that for a list of events (every one at full
size, an evenly spread sample in CI), several runs at a time where the
implementation allows it (a run spends most of its time waiting to see whether
a parked call wakes up).
"""

from __future__ import annotations

import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from ..channels.helpers import Flavour
from .agents import Agent, Job, until_parked_or_done
from .bench import Bench
from .internals import check_reference_lock, shares_one_lock
from .oracle import SETTLE, Judge, Verdict, Violation
from .tracer import Injected, Point, Tracer


@dataclass(frozen=True)
class Scenario:
    """A named way to set up a bench and its traced call, for some flavours."""

    name: str
    build: Callable[[Bench], None]
    flavours: tuple[Flavour, ...]

    def __str__(self) -> str:
        return self.name


@contextmanager
def quiet() -> Iterator[None]:
    """No ResourceWarnings for the clones an interrupted call orphaned, and no report of an
    injected exception that a finalizer swallowed (set once, on the calling thread:
    ``warnings.catch_warnings`` is not thread-safe)."""
    previous = sys.unraisablehook

    def hook(unraisable: Any) -> None:
        if not isinstance(unraisable.exc_value, Injected):
            previous(unraisable)

    sys.unraisablehook = hook
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            yield
    finally:
        sys.unraisablehook = previous


def run_once(
    scenario: Scenario,
    api: ModuleType,
    flavour: Flavour,
    grain: str,
    target: int | None,
    record: bool = False,
    patience: float = SETTLE,
) -> tuple[Verdict, list[Point]]:
    """One run, injecting at event ``target`` (None: not at all); the verdict and, if
    ``record``, every point the traced call went through. ``patience``: how long a call may
    take before it counts as stuck. Call it inside :func:`quiet`."""
    bench = Bench(api, flavour)
    scenario.build(bench)
    tracer = Tracer(api, grain, target, record)
    agent, job = _start_traced(bench, tracer)
    verdict = Judge(bench, agent, job, tracer, patience).verdict()
    if shares_one_lock(api):
        problem = check_reference_lock(api)
        if problem:
            verdict.violations.append(Violation("lock", problem))
    return verdict, tracer.points


def run_preempted(
    scenario: Scenario, api: ModuleType, flavour: Flavour, grain: str, target: int, patience: float = SETTLE
) -> tuple[Verdict, bool]:
    """One run in which the traced call stops at event ``target`` while another thread closes the
    very handle it goes through; the verdict, and whether the call then did its work (a message
    buffered or taken, a partner completed) after the close had returned: the window in which a
    running call outlives a close of its own handle."""
    bench = Bench(api, flavour)
    scenario.build(bench)
    through = bench.through
    assert through is not None, "a preemption scenario sends or receives"
    if not hasattr(through, "send"):
        others = [h for h in bench.receivers if h is not through and not h.closed]
        bench.discards = bench.discards or not others  # closing the last receiver discards the buffer
    tracer = Tracer(api, grain, target, pause=True)
    agent, job = _start_traced(bench, tracer)
    late = False
    if _wait_either(tracer.paused, job.done, patience):
        closer = Agent("closer")
        closing = closer.submit(through.close)
        if closing.wait(0.05):  # otherwise the close waits for the paused call (which holds a lock)
            _settle_partners(bench, patience)
            before = _effects(bench)
            tracer.resume.set()
            late = job.wait(patience) and job.error is None and _effects(bench) != before
        tracer.resume.set()
        closing.wait(patience)
        closer.finish(patience)
    tracer.resume.set()
    verdict = Judge(bench, agent, job, tracer, patience).verdict()
    return verdict, late and verdict.outcome in ("sent", "received")


def _settle_partners(bench: Bench, patience: float) -> None:
    for partner in bench.partners:
        if partner.job is not None:
            with suppress(AssertionError):  # the judge reports it
                until_parked_or_done(partner.agent, partner.job, patience)


def _effects(bench: Bench) -> tuple[object, ...]:
    """What a send or receive changes: the buffer's length and which partners have finished."""
    observer = next((h for h in (*bench.receivers, *bench.senders) if not h.closed), None)
    length = len(observer) if observer is not None else None
    return (length, *(p.job is not None and p.job.done.is_set() for p in bench.partners))


def _wait_either(first: threading.Event, second: threading.Event, timeout: float) -> bool:
    """Wait until ``first`` or ``second`` is set; whether ``first`` is."""
    deadline = time.monotonic() + timeout
    while not first.is_set() and not second.is_set() and time.monotonic() < deadline:
        time.sleep(0.0002)
    return first.is_set()


def _start_traced(bench: Bench, tracer: Tracer) -> tuple[Agent, Job]:
    agent = Agent("traced")

    def traced() -> object:
        tracer.install()
        try:
            return bench.traced()
        finally:
            Tracer.remove()

    job = agent.submit(traced)
    if bench.later:
        with suppress(AssertionError):  # the judge reports a call that neither parks nor ends
            until_parked_or_done(agent, job, stopped=tracer.paused)
        for start in bench.later:
            start()
    return agent, job


def dry_run(scenario: Scenario, api: ModuleType, flavour: Flavour, grain: str) -> tuple[Verdict, list[Point]]:
    """Run without injecting, recording every point; the run itself must be clean."""
    with quiet():
        return run_once(scenario, api, flavour, grain, None, record=True)


def sweep(
    scenario: Scenario,
    api: ModuleType,
    flavour: Flavour,
    grain: str,
    indices: list[int],
    patience: Callable[[int], float] = lambda index: SETTLE,
    workers: int = 6,
) -> list[tuple[int, Verdict]]:
    """One run per index in ``indices`` (in parallel unless every channel of ``api`` shares one
    lock, which a run may leave held); the verdicts in index order. A run mostly waits (to see
    whether a parked call wakes up), so runs overlap well."""
    parallel = 1 if shares_one_lock(api) else workers

    def run(index: int) -> Verdict:
        return run_once(scenario, api, flavour, grain, index, patience=patience(index))[0]

    with quiet(), ThreadPoolExecutor(parallel) as pool:
        return list(zip(indices, pool.map(run, indices), strict=True))


def spread(total: int, budget: int | None) -> list[int]:
    """Every index below ``total``, or ``budget`` of them evenly spread (first and last included)."""
    if budget is None or budget >= total:
        return list(range(total))
    if budget <= 1:
        return [0][:budget]
    return sorted({round(i * (total - 1) / (budget - 1)) for i in range(budget)})
