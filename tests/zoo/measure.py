"""How reliably and how fast the conformance kit finds each bug of the zoo.

Run from the checkout root, with chanspec installed::

    python -m tests.zoo.measure                  # 20 runs per bug, each with the bug's budget
    python -m tests.zoo.measure --runs 5 --bugs lost-message fifo-violation

Each run is one ``check`` of one bug at the capacities where it shows, with
``stop_on_first`` and its own seed. The table says in how many runs it was
found, how long that took from the start of the check (a bug that needs
worker threads is found only after the sequential phase has used its share
of the budget), and how long the shrunk trace was. The correct channel is
checked as many times and must conform every time. The bugs whose race window is too narrow
for stress testing (``controlled_only``) are checked by the controlled phase alone;
``tests/zoo/measure_controlled.py`` compares the two modes on them.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chanspec.conformance.runner import CheckResult

ROOT = Path(__file__).resolve().parents[2]
DESCRIPTION = "How reliably and how fast the conformance kit finds each bug of the zoo."


@dataclass(frozen=True)
class Sample:
    """What one check of one bug found."""

    found: bool
    error: bool
    time_to_find: float | None
    steps: int | None
    where: str
    seconds: float


def sample(result: CheckResult) -> Sample:
    """The first deviation of ``result``, timed from the start of the check."""
    elapsed = 0.0
    for finding in result.findings:
        if finding.verdict in ("deviation", "error"):
            after = elapsed + (finding.first_found_after or finding.seconds)
            where = f"{finding.capacity_name} {finding.phase}"
            deviation = finding.verdict == "deviation"
            return Sample(deviation, not deviation, after, finding.steps, where, result.seconds)
        elapsed += finding.seconds
    return Sample(False, False, None, None, "", result.seconds)


def row(name: str, capacities: str, budget: float, samples: Sequence[Sample]) -> str:
    """One line of the Markdown table."""
    found = [s for s in samples if s.found]
    times = [s.time_to_find for s in found if s.time_to_find is not None]
    steps = [s.steps for s in found if s.steps is not None]
    places = Counter(s.where for s in found).most_common(1)
    errors = sum(s.error for s in samples)
    cells = [
        name,
        capacities,
        f"{budget:g}",
        f"{len(found)}/{len(samples)}" + (f" ({errors} errors)" if errors else ""),
        f"{statistics.median(times):.2f}" if times else "-",
        f"{max(times):.2f}" if times else "-",
        f"{statistics.median(steps):g}" if steps else "-",
        places[0][0] if places else "-",
        f"{statistics.median(s.seconds for s in samples):.1f}",
    ]
    return "| " + " | ".join(cells) + " |"


HEADER = (
    "| bug | capacities | budget (s) | found | median time to find (s) | max time to find (s) | median steps | "
    "mostly found at | median run (s) |\n|---|---|---:|---|---:|---:|---:|---|---:|"
)


def _prefer_installed_chanspec() -> None:
    """``python -m`` puts the checkout root first on ``sys.path``, where the source folder
    ``chanspec/`` holds only the front package (the other sub-packages are mapped in by the
    installation) and would hide the installed package. Keep the root importable, after it."""
    if "chanspec" in sys.modules:
        return
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT]
    sys.path.append(str(ROOT))


def _capacities(capacities: Sequence[int | None]) -> str:
    return ", ".join("unbounded" if c is None else str(c) for c in capacities)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.zoo.measure", description=DESCRIPTION)
    parser.add_argument("--runs", type=int, default=20, help="checks per bug (default 20)")
    parser.add_argument("--budget", type=float, help="seconds per check of a bug (default: the bug's own budget)")
    parser.add_argument(
        "--base-budget", type=float, default=20.0, help="seconds per check of the correct channel (default 20)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the first run; run i uses seed + i")
    parser.add_argument("--bugs", nargs="*", metavar="NAME", help="only these bugs (default: every one)")
    parser.add_argument("--no-base", action="store_true", help="do not check the correct channel")
    args = parser.parse_args(argv)

    _prefer_installed_chanspec()
    from chanspec.conformance import Backend
    from chanspec.conformance.runner import DEFAULT_PHASES, check

    from .base import make
    from .bugs import BUGS, BY_NAME

    unknown = sorted(set(args.bugs or ()) - set(BY_NAME))
    if unknown:
        parser.error(f"unknown bugs: {', '.join(unknown)} (known: {', '.join(BY_NAME)})")
    chosen = [bug for bug in BUGS if not args.bugs or bug.name in args.bugs]
    seeds = [args.seed + i for i in range(args.runs)]

    lines = [HEADER]
    for bug in chosen:
        samples = []
        for seed in seeds:
            budget = args.budget or bug.budget
            with contextlib.redirect_stdout(sys.stderr):  # Hypothesis reports replays on stdout
                phases = ("controlled",) if bug.controlled_only else DEFAULT_PHASES
                result = check(
                    [bug.backend], budget, seed, capacities=bug.capacities, stop_on_first=True, phases=phases
                )
            samples.append(sample(result))
            outcome = f"found after {samples[-1].time_to_find:.2f} s" if samples[-1].found else "not found"
            print(f"{bug.name} seed {seed}: {outcome}", file=sys.stderr, flush=True)
        lines.append(row(bug.name, _capacities(bug.capacities), args.budget or bug.budget, samples))

    base_line = ""
    conforming = 0
    if not args.no_base:
        for seed in seeds:
            result = check([Backend("zoo-base", make)], args.base_budget, seed)
            conforming += result.conforms
            print(f"base seed {seed}: {'conforms' if result.conforms else 'DOES NOT CONFORM'}", file=sys.stderr)
            if not result.conforms:
                for finding in result.findings:
                    if finding.verdict in ("deviation", "error"):
                        print(finding.report, file=sys.stderr)
        base_line = f"\ncorrect channel: {conforming}/{len(seeds)} checks conform ({args.base_budget:g} s each)"

    print("\n".join(lines) + base_line)
    return 0 if args.no_base or conforming == len(seeds) else 1


if __name__ == "__main__":
    sys.exit(main())
