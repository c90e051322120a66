"""Printing and saving the results: a text report per scenario, a Markdown summary table, JSON."""

from __future__ import annotations

import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

from .contenders import BASELINE
from .runner import Result, Settings
from .scenarios import Scenario

Measured = list[tuple[Scenario, dict[str, Result]]]


def amount(value: float, kind: str) -> str:
    """A value in its unit, compactly (4.52M, 345k, 56 B, 0.3 %)."""
    if kind == "bytes":
        return f"{value:.1f} B"
    if kind == "cpu":
        return f"{value:.2f} %"
    for threshold, suffix in ((1e6, "M"), (1e3, "k")):
        if value >= threshold:
            return f"{value / threshold:.3g}{suffix}"
    return f"{value:.3g}"


def ratio_text(result: Result, spread: bool = True) -> str:
    """``10.3x (9.1-12.0)``: the median of the per-round ratios and their range."""
    ratio = result.ratio
    if ratio is None or math.isnan(ratio):
        return "-"
    if not spread or len(result.ratios) < 2:
        return f"{ratio:.2f}x"
    return f"{ratio:.2f}x ({min(result.ratios):.2f}-{max(result.ratios):.2f})"


def scenario_text(scenario: Scenario, results: dict[str, Result]) -> str:
    """The lines of one scenario: each contender's median value and its ratio to the baseline."""
    if scenario.kind == "rate":
        how = f"{scenario.unit}, median of {len(next(iter(results.values())).values)} runs"
    else:
        how = scenario.unit
    lines = [f"{scenario.title} ({how}; ratio to queue.Queue in the same round: median (min-max))"]
    for result in results.values():
        note = f"  [{result.stand_in}]" if result.stand_in else ""
        ratio = "" if scenario.kind == "cpu" else ratio_text(result)
        cpu = f"cpu {statistics.median(result.cpu) * 1e6:.2f} us/op" if result.cpu else ""
        lines.append(f"  {result.label:<22} {amount(result.median, scenario.kind):>10}  {ratio:<26}{cpu:<18}{note}")
    return "\n".join(lines)


def _cell(scenario: Scenario, result: Result | None) -> str:
    if result is None:
        return ""
    mark = "*" if result.stand_in else ""
    if scenario.kind == "cpu":
        return amount(result.median, "cpu") + mark
    if scenario.kind == "bytes":
        return f"{amount(result.median, 'bytes')} ({ratio_text(result, spread=False)}){mark}"
    return ratio_text(result) + mark


def markdown(measured: Measured, labels: dict[str, str]) -> str:
    """The summary table: a row per scenario; ratios to queue.Queue, with the baseline's own
    value, the target and each contender's ratio (range) across rounds."""
    keys = [key for key in labels if any(key in results for _, results in measured)]
    contenders = [key for key in keys if key != BASELINE]
    header = ["scenario", "queue.Queue", "target", *(labels[key] for key in contenders)]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for scenario, results in measured:
        base = results.get(BASELINE)
        base_text = f"{amount(base.median, scenario.kind)}{'*' if base.stand_in else ''}" if base else ""
        target = f">= {scenario.target:g}x" if scenario.target else ""
        cells = [scenario.title, base_text, target, *(_cell(scenario, results.get(key)) for key in contenders)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def load_average() -> list[float] | None:
    """The system's 1, 5 and 15 minute load averages (None where there are none)."""
    return list(os.getloadavg()) if hasattr(os, "getloadavg") else None


def metadata(settings: Settings) -> dict[str, object]:
    """Where and how the numbers were taken."""
    return {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "machine": platform.machine(),
        "system": platform.system(),
        "cpus": os.cpu_count(),
        "load_average_at_end": load_average(),
        "switch_interval": sys.getswitchinterval(),
        "reps": settings.reps,
        "seconds_per_run": settings.seconds,
        "fixed_size": settings.fixed_size,
        "commit": _commit(),
    }


def _commit() -> str | None:
    """The checkout's commit, with ``+changes`` if its files differ from it (None outside git)."""
    root = Path(__file__).resolve().parent.parent.parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True)
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True)
    except OSError:
        return None
    if head.returncode != 0:
        return None
    return head.stdout.strip() + ("+changes" if dirty.stdout.strip() else "")


def to_json(
    measured: Measured, labels: dict[str, str], settings: Settings, seconds: float, load_at_start: list[float] | None
) -> dict[str, object]:
    """Everything measured, every run's value included."""
    return {
        "meta": {**metadata(settings), "load_average_at_start": load_at_start, "duration_seconds": round(seconds, 1)},
        "baseline": BASELINE,
        "contenders": labels,
        "scenarios": [
            {
                "key": scenario.key,
                "title": scenario.title,
                "unit": scenario.unit,
                "kind": scenario.kind,
                "target": scenario.target,
                "results": {key: result.as_json() for key, result in results.items()},
            }
            for scenario, results in measured
        ],
    }


def write_json(path: Path, document: dict[str, object]) -> None:
    """Save ``document`` (NaN, from a zero baseline, is written as null)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(document, indent=1, default=str)
    path.write_text(text.replace("NaN", "null") + "\n")
