"""Stress mode against controlled mode: how reliably and how fast each finds the zoo's bugs.

Run from the checkout root, with chanspec installed::

    python -m tests.zoo.measure_controlled                    # the races, 20 runs per bug and mode, 30 s each
    python -m tests.zoo.measure_controlled --bugs all --modes controlled
    python -m tests.zoo.measure_controlled --runs 5 --bugs race-check-then-wait --strategy pct

Stress mode is ``chanspec.conformance.runner.check`` (the sequential, threads and
histories phases, real threads) with ``stop_on_first`` at the bug's capacities; controlled
mode is ``chanspec.conformance.controlled.check`` at each of the bug's capacities in turn,
with an equal share of the budget. Run ``i`` of either mode uses seed ``seed + i``. The
table says in how many runs the bug was found within the budget, how long that took (for
controlled mode, shrinking comes after and is not counted), and how many calls the
reported history has. Then the correct channels are checked in controlled mode as many
times, and must conform every time.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chanspec.conformance import Backend

    from .bugs import Bug

ROOT = Path(__file__).resolve().parents[2]
DESCRIPTION = "Stress mode against controlled mode: how reliably and how fast each finds the zoo's bugs."
CAPACITIES: tuple[int | None, ...] = (None, 0, 1, 2)


@dataclass(frozen=True)
class Sample:
    """One check of one bug in one mode."""

    found: bool
    error: str
    time_to_find: float | None
    calls: int | None
    seconds: float


def stress(bug: Bug, budget: float, seed: int) -> Sample:
    """The kit's real-thread check (every phase), stopping at the first deviation."""
    from chanspec.conformance.runner import check

    with contextlib.redirect_stdout(sys.stderr):  # Hypothesis reports replays on stdout
        result = check([bug.backend], budget, seed, capacities=bug.capacities, stop_on_first=True)
    elapsed = 0.0
    for finding in result.findings:
        if finding.verdict in ("deviation", "error"):
            found = finding.verdict == "deviation"
            after = elapsed + (finding.first_found_after or finding.seconds)
            return Sample(found, "" if found else finding.report[:200], after, finding.steps, result.seconds)
        elapsed += finding.seconds
    return Sample(False, "", None, None, result.seconds)


def controlled(backend: Backend, capacities: Sequence[int | None], budget: float, seed: int, strategy: str) -> Sample:
    """Controlled checks at each capacity in turn, each with an equal share of ``budget``."""
    from chanspec.conformance.controlled import check

    started = time.monotonic()
    for capacity in capacities:
        result = check(backend, capacity, budget / len(capacities), seed, strategy, shrink_seconds=2.0)
        if result.verdict == "deviation":
            assert result.first_found_after is not None
            after = time.monotonic() - started - result.seconds + result.first_found_after
            return Sample(True, "", after, result.steps, time.monotonic() - started)
        if result.verdict == "error":
            return Sample(False, result.report[:200], None, None, time.monotonic() - started)
    return Sample(False, "", None, None, time.monotonic() - started)


def row(name: str, capacities: str, mode: str, budget: float, samples: Sequence[Sample]) -> str:
    """One line of the Markdown table."""
    found = [s for s in samples if s.found]
    times = [s.time_to_find for s in found if s.time_to_find is not None]
    calls = [s.calls for s in found if s.calls is not None]
    errors = sum(bool(s.error) for s in samples)
    cells = [
        name,
        capacities,
        mode,
        f"{budget:g}",
        f"{len(found)}/{len(samples)}" + (f" ({errors} errors)" if errors else ""),
        f"{statistics.median(times):.2f}" if times else "-",
        f"{max(times):.2f}" if times else "-",
        f"{statistics.median(calls):g}" if calls else "-",
        f"{statistics.median(s.seconds for s in samples):.1f}",
    ]
    return "| " + " | ".join(cells) + " |"


HEADER = (
    "| bug | capacities | mode | budget (s) | found | median time to find (s) | max time to find (s) | "
    "median calls reported | median check (s) |\n|---|---|---|---:|---|---:|---:|---:|---:|"
)


def _prefer_installed_chanspec() -> None:
    """``python -m`` puts the checkout root first on ``sys.path``, where ``chanspec/`` holds only
    the front package and would hide the installed one: keep the root importable, after it."""
    if "chanspec" in sys.modules:
        return
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT]
    sys.path.append(str(ROOT))


def _names(capacities: Sequence[int | None]) -> str:
    return ", ".join("unbounded" if c is None else str(c) for c in capacities)


def _measure(label: str, seeds: Sequence[int], one: Callable[[int], Sample]) -> list[Sample]:
    samples = []
    for seed in seeds:
        sample = one(seed)
        samples.append(sample)
        outcome = f"found after {sample.time_to_find:.2f} s" if sample.found else f"not found {sample.error}"
        print(f"{label} seed {seed}: {outcome}", file=sys.stderr, flush=True)
    return samples


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.zoo.measure_controlled", description=DESCRIPTION)
    parser.add_argument("--runs", type=int, default=20, help="checks per bug and mode (default 20)")
    parser.add_argument("--budget", type=float, default=30.0, help="seconds per check (default 30)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the first run; run i uses seed + i")
    parser.add_argument("--bugs", nargs="*", metavar="NAME", help="bug names, or 'all' (default: the races)")
    parser.add_argument("--modes", nargs="*", choices=("stress", "controlled"), default=["stress", "controlled"])
    parser.add_argument("--strategy", default="random", help="controlled mode's strategy (default random)")
    parser.add_argument(
        "--base-budget", type=float, default=2.0, help="seconds per controlled check of a correct channel (default 2)"
    )
    parser.add_argument(
        "--correct",
        nargs="*",
        default=["zoo-base", "reference", "reference-std", "impl", "impl-std"],
        help="correct channels to check in controlled mode (default: the zoo's base and chanspec's own)",
    )
    args = parser.parse_args(argv)

    _prefer_installed_chanspec()
    from chanspec.conformance import Backend
    from chanspec.conformance.builtin import own_backends

    from .base import make
    from .bugs import BUGS, BY_NAME

    if args.bugs is None:
        chosen = [bug for bug in BUGS if bug.race]
    elif args.bugs == ["all"]:
        chosen = list(BUGS)
    else:
        unknown = sorted(set(args.bugs) - set(BY_NAME))
        if unknown:
            parser.error(f"unknown bugs: {', '.join(unknown)} (known: {', '.join(BY_NAME)})")
        chosen = [BY_NAME[name] for name in args.bugs]
    seeds = [args.seed + i for i in range(args.runs)]

    budget: float = args.budget
    strategy: str = args.strategy
    lines = [HEADER]
    for bug in chosen:
        for mode in args.modes:

            def one(seed: int, bug: Bug = bug, mode: str = mode) -> Sample:
                if mode == "stress":
                    return stress(bug, budget, seed)
                return controlled(bug.backend, bug.capacities, budget, seed, strategy)

            samples = _measure(f"{bug.name} {mode}", seeds, one)
            lines.append(row(bug.name, _names(bug.capacities), mode, budget, samples))
        print("\n".join(lines[-len(args.modes) :]), file=sys.stderr, flush=True)

    backends = {b.name: b for b in own_backends()} | {"zoo-base": Backend("zoo-base", make)}
    verdicts = []
    conforming_all = True
    for name in args.correct:
        backend = backends[name]
        conforming = 0
        for seed in seeds:
            sample = controlled(backend, CAPACITIES, args.base_budget * len(CAPACITIES), seed, strategy)
            conforming += not sample.found and not sample.error
            if sample.found or sample.error:
                print(f"{name} seed {seed}: DOES NOT CONFORM {sample.error}", file=sys.stderr, flush=True)
        conforming_all &= conforming == len(seeds)
        verdicts.append(
            f"{name}: {conforming}/{len(seeds)} controlled checks conform "
            f"({args.base_budget:g} s per capacity, capacities {_names(CAPACITIES)})"
        )
    print("\n".join(lines))
    if verdicts:
        print("\n" + "\n".join(verdicts))
    return 0 if conforming_all else 1


if __name__ == "__main__":
    sys.exit(main())
