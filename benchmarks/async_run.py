"""Run chanspec's async benchmarks: ``python benchmarks/async_run.py`` (``--help`` for the options).

Tasks on one event loop against ``asyncio.Queue`` (and janus's and culsans's async sides), and
a thread feeding a loop against janus and culsans. Run it like ``benchmarks/run.py``: as a
script, with the interpreter of an environment where chanspec is installed. It prints a
Markdown table (ratio to each scenario's baseline: median of per-round ratios, min-max) and
writes the results as JSON (``--json``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != ROOT]

try:
    import chanspec  # noqa: F401  (fails here, with a clear message, rather than mid-run)
except ImportError as error:
    sys.exit(f"chanspec is not installed in this environment ({error}); run: pip install -e '.[bench]'")

from chanbench.asyncbench import baseline_of, contenders, measure, scenarios  # noqa: E402


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python benchmarks/async_run.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=5, help="rounds per scenario (default 5)")
    parser.add_argument("--seconds", type=float, default=0.15, help="length of one run, roughly (default 0.15)")
    parser.add_argument("--only", help="comma-separated scenario keys (default: all)")
    parser.add_argument("--json", type=Path, help="where to write the results (default: nowhere)")
    parser.add_argument("--list", action="store_true", help="list the scenarios and contenders, then stop")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, 2 rounds: checks that everything runs")
    return parser.parse_args(argv)


def _rate(value: float) -> str:
    return f"{value / 1e6:.2f}M" if value >= 1e6 else f"{value / 1e3:.0f}k"


def main(argv: list[str] | None = None) -> int:
    """Run the async scenarios as the arguments say; the exit status."""
    args = _arguments(argv)
    suite = scenarios()
    if args.only:
        wanted = args.only.split(",")
        unknown = set(wanted) - {scenario.key for scenario in suite}
        if unknown:
            print(f"unknown scenario(s): {', '.join(sorted(unknown))}", file=sys.stderr)
            return 2
        suite = [scenario for scenario in suite if scenario.key in wanted]
    entrants = contenders()
    if args.list:
        for scenario in suite:
            print(f"{scenario.key:<16} {scenario.title} (baseline: the first installed of {scenario.baselines})")
        print("contenders here:", ", ".join(f"{c.key} ({c.label})" for c in entrants))
        return 0
    reps, fixed = (2, 64) if args.smoke else (args.reps, None)
    keys = [c.key for c in entrants]
    header = "| scenario | baseline | target | " + " | ".join(c.label for c in entrants) + " |"
    rows = [header, "|" + "---|" * (3 + len(entrants))]
    document: dict[str, object] = {"contenders": {c.key: c.label for c in entrants}, "scenarios": []}
    began = time.perf_counter()
    for scenario in suite:
        results = measure(scenario, entrants, reps, args.seconds, fixed)
        baseline = baseline_of(scenario, results)
        base = results[baseline]
        cells = []
        for key in keys:
            result = results.get(key)
            if result is None:
                cells.append("n/a")
            else:
                ratio = statistics.median(result.ratios)
                cells.append(f"{ratio:.2f}x ({min(result.ratios):.2f}-{max(result.ratios):.2f})")
        target = f">= {scenario.target:g}x" if scenario.target else ""
        base_cell = f"{base.label} {_rate(statistics.median(base.values))} msgs/s"
        rows.append(f"| {scenario.title} | {base_cell} | {target} | " + " | ".join(cells) + " |")
        scenarios_list = document["scenarios"]
        assert isinstance(scenarios_list, list)
        scenarios_list.append(
            {
                "key": scenario.key,
                "title": scenario.title,
                "baseline": baseline,
                "target": scenario.target,
                "results": {key: result.as_json() for key, result in results.items()},
            }
        )
        print(
            f"{scenario.key}: "
            + ", ".join(f"{r.label} {_rate(statistics.median(r.values))}" for r in results.values()),
            flush=True,
        )
    print(
        f"\nSummary (ratio to the scenario's baseline, median of per-round ratios (min-max)), "
        f"{time.perf_counter() - began:.0f} s:\n"
    )
    print("\n".join(rows))
    if args.json is not None:
        args.json.write_text(json.dumps(document, indent=1) + "\n")
        print(f"\nresults: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
