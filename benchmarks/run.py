"""Run chanspec's benchmark suite: ``python benchmarks/run.py`` (``--help`` for the options).

Run it as a script, from anywhere, with the interpreter of an environment where chanspec is
installed (``pip install -e '.[bench]'`` gives the peers and matplotlib too). Python then puts this
folder first on ``sys.path``, not the checkout's root, so ``import chanspec`` finds the installed
package rather than the checkout's ``chanspec/`` folder (which alone lacks the mapped
sub-packages); the root is also removed from ``sys.path`` in case ``PYTHONPATH`` holds it.

It prints a report per scenario and a Markdown summary table, and writes the results as JSON and
the plot the docs show (by default ``docs/assets/performance.json`` and ``.png``). A full run
takes about three minutes; ``--only``/``--contenders`` narrow it, ``--smoke`` runs everything at
tiny sizes in seconds (the test suite does, so the suite cannot rot).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != ROOT]

try:
    import chanspec  # noqa: F401  (fails here, with a clear message, rather than mid-run)
except ImportError as error:
    sys.exit(f"chanspec is not installed in this environment ({error}); run: pip install -e '.[bench]'")

from chanbench import plot, report  # noqa: E402
from chanbench.contenders import BASELINE, available  # noqa: E402
from chanbench.runner import Settings, measure  # noqa: E402
from chanbench.scenarios import scenarios  # noqa: E402

ASSETS = ROOT / "docs" / "assets"


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python benchmarks/run.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=7, help="rounds per throughput scenario (default 7)")
    parser.add_argument("--seconds", type=float, default=0.15, help="length of one run, roughly (default 0.15)")
    parser.add_argument("--idle-seconds", type=float, default=1.0, help="the idle receivers' window (default 1)")
    parser.add_argument("--only", help="comma-separated scenario keys (default: all)")
    parser.add_argument("--contenders", help="comma-separated contender keys (queue.Queue always runs)")
    parser.add_argument(
        "--module",
        action="append",
        default=[],
        help="also measure this importable module with chanspec's API (a modified copy under study); repeatable",
    )
    parser.add_argument("--json", type=Path, default=ASSETS / "performance.json", help="where to write results")
    parser.add_argument("--plot", type=Path, default=ASSETS / "performance.png", help="where to draw the figure")
    parser.add_argument("--no-plot", action="store_true", help="do not draw the figure")
    parser.add_argument("--replot", type=Path, help="only draw the figure from this results file, then stop")
    parser.add_argument("--list", action="store_true", help="list the scenarios and contenders, then stop")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, 2 rounds: checks that everything runs")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the suite as the arguments say; the exit status."""
    args = _arguments(argv)
    if args.replot:
        plot.draw(json.loads(args.replot.read_text()), args.plot)
        print(f"plot: {args.plot}")
        return 0
    if args.smoke:
        settings = Settings(reps=2, fixed_size=64, memory_size=200)
        idle_seconds = 0.05
    else:
        settings = Settings(reps=args.reps, seconds=args.seconds)
        idle_seconds = args.idle_seconds
    contenders = list(available(args.module))
    chosen = [name for name in args.contenders.split(",") if name] if args.contenders else None
    if chosen is not None:
        kept = {BASELINE, *args.module}
        contenders = [entrant for entrant in contenders if entrant.key in chosen or entrant.key in kept]
    suite = scenarios(idle_seconds)
    if args.only:
        wanted = args.only.split(",")
        unknown = set(wanted) - {scenario.key for scenario in suite}
        if unknown:
            print(f"unknown scenario(s): {', '.join(sorted(unknown))}", file=sys.stderr)
            return 2
        suite = [scenario for scenario in suite if scenario.key in wanted]
    if args.list:
        for scenario in suite:
            print(f"{scenario.key:<18} {scenario.title}")
        print("contenders here:", ", ".join(f"{entrant.key} ({entrant.label})" for entrant in contenders))
        return 0
    labels = {entrant.key: entrant.label for entrant in contenders}
    print("contenders:", ", ".join(labels.values()), flush=True)
    began, load_at_start = time.perf_counter(), report.load_average()
    measured: report.Measured = []
    for scenario in suite:
        print(f"{scenario.key} ", end="", file=sys.stderr, flush=True)
        results = measure(scenario, contenders, settings, lambda text: print(text, end="", file=sys.stderr, flush=True))
        print(file=sys.stderr)
        measured.append((scenario, results))
        print(report.scenario_text(scenario, results), flush=True)
    seconds = time.perf_counter() - began
    print(
        f"\nSummary (ratio to queue.Queue, median of per-round ratios (min-max); * = stand-in shape), "
        f"{seconds:.0f} s:\n"
    )
    print(report.markdown(measured, labels))
    document = report.to_json(measured, labels, settings, seconds, load_at_start)
    report.write_json(args.json, document)
    print(f"\nresults: {args.json}")
    if not args.no_plot:
        if plot.available():
            plot.draw(document, args.plot)
            print(f"plot: {args.plot}")
        else:
            print("plot: skipped, matplotlib is not installed (pip install -e '.[bench]')")
    return 0


if __name__ == "__main__":
    sys.exit(main())
