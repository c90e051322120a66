"""Running a scenario: sizing each contender's runs, alternating the contenders, and the statistics.

Shared machines are noisy: the same contended queue can run 2-4x faster or slower from one
minute to the next. So the contenders take turns, round by round (A B C, then C B A, ...), and a
contender's ratio to the baseline is taken within each round, between runs a few seconds apart;
the report gives the median of those per-round ratios and their range.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from .contenders import BASELINE, Contender
from .scenarios import Scenario


@dataclass(frozen=True)
class Settings:
    """How long and how often to measure."""

    reps: int = 7
    """Rounds of the rate scenarios (each contender runs once per round)."""
    seconds: float = 0.15
    """Roughly how long one run of one contender lasts (its size is calibrated to that)."""
    fixed_size: int | None = None
    """Skip calibration and run every rate workload at this size (the smoke test's tiny runs)."""
    memory_size: int = 10_000
    """Messages (and idle channels) in the memory scenarios."""
    max_size: int = 3_000_000


@dataclass
class Result:
    """One contender in one scenario."""

    label: str
    size: int
    values: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    """Rate scenarios: the process's CPU seconds per operation in each run (every thread, setup
    included), steadier than wall-clock rates on a shared machine."""
    ratios: list[float] = field(default_factory=list)
    stand_in: str | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def ratio(self) -> float | None:
        return statistics.median(self.ratios) if self.ratios else None

    def as_json(self) -> dict[str, object]:
        return {
            "label": self.label,
            "size": self.size,
            "values": self.values,
            "median": self.median,
            "cpu_per_op": self.cpu,
            "ratios": self.ratios,
            "ratio": self.ratio,
            "ratio_low": min(self.ratios) if self.ratios else None,
            "ratio_high": max(self.ratios) if self.ratios else None,
            "stand_in": self.stand_in,
        }


def _calibrate(run: Callable[[int], float], settings: Settings) -> int:
    """A size for which one run lasts about ``settings.seconds`` (this also warms the contender up)."""
    n = 256
    while True:
        elapsed = run(n)
        if elapsed >= 0.03 or n >= settings.max_size:
            break
        n *= 4 if elapsed < 0.005 else 2
    return max(64, min(settings.max_size, int(n * settings.seconds / max(elapsed, 1e-9))))


def measure(
    scenario: Scenario, contenders: list[Contender], settings: Settings, log: Callable[[str], None]
) -> dict[str, Result]:
    """Run ``scenario`` for every contender it applies to; results by contender key."""
    entrants = [
        contender
        for contender in contenders
        if scenario.applies(contender) and (contender.only is None or scenario.key in contender.only)
    ]
    results: dict[str, Result] = {}
    for contender in entrants:
        if scenario.kind == "rate":
            size = settings.fixed_size or _calibrate(partial(scenario.workload, contender), settings)
        else:
            size = settings.memory_size
        results[contender.key] = Result(contender.label, size, stand_in=scenario.stand_in(contender))
    rounds = settings.reps if scenario.kind == "rate" else 1  # memory is exact; idle CPU is one long window
    for round_number in range(rounds):
        order = entrants if round_number % 2 == 0 else entrants[::-1]
        for contender in order:
            result = results[contender.key]
            cpu = time.process_time()
            outcome = scenario.workload(contender, result.size)
            if scenario.kind == "rate":
                result.cpu.append((time.process_time() - cpu) / result.size)
                result.values.append(result.size / outcome)
            else:
                result.values.append(outcome)
        log(".")
    baseline = results.get(BASELINE)
    if baseline is not None and scenario.kind != "cpu":
        for result in results.values():
            result.ratios = [
                value / base if base > 0 else float("nan")
                for value, base in zip(result.values, baseline.values, strict=True)
            ]
    return results
