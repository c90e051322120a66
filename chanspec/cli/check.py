"""``chanspec check``: check channel implementations against the specification."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from typing import Any

from ..spec.profiles import PROFILES, profile_named

PHASE_TITLES = {
    "sequential": "calls",
    "threads": "blocking calls",
    "histories": "concurrent",
    "controlled": "controlled",
}


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "check",
        help="check channel implementations against the specification",
        description=(
            "Drive a channel implementation with generated calls, from the test thread and from worker "
            "threads, and check every result against the specification. With no BACKEND, checks "
            "chanspec's own implementations. Exit status: 0 conforms, 1 a deviation was found, "
            "2 usage error or a backend that cannot be loaded."
        ),
    )
    parser.add_argument(
        "backend",
        nargs="?",
        metavar="MODULE:ATTR",
        help="a chanspec.conformance.Backend, or a factory make(capacity) -> (sender, receiver)",
    )
    parser.add_argument("--profile", choices=sorted(PROFILES), help="semantics profile (default: the backend's)")
    parser.add_argument(
        "--time-budget", type=_seconds, default=60.0, metavar="SECONDS", help="wall-clock bound (default 60)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the generated runs (default 0)")
    parser.add_argument(
        "--phases",
        type=_phases,
        metavar="LIST",
        help="comma-separated phases to run: sequential, threads, histories (the default three) and "
        "controlled (threads interleaved by a cooperative scheduler)",
    )
    parser.add_argument("--json", action="store_true", help="print a machine-readable report")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        from ..conformance import BackendError, load_backend
        from ..conformance.builtin import own_backends
        from ..conformance.runner import DEFAULT_PHASES, check
    except ImportError as error:
        print(
            f"chanspec check needs the conformance extra (pip install 'chanspec[conformance]'): {error}",
            file=sys.stderr,
        )
        return 2
    try:
        backends = [load_backend(args.backend)] if args.backend else own_backends()
    except BackendError as error:
        print(f"chanspec check: {error}", file=sys.stderr)
        return 2
    if args.profile:
        profile = profile_named(args.profile)
        backends = [_with_profile(b, profile) for b in backends]
    progress = None if args.json else _print_progress
    phases = args.phases or DEFAULT_PHASES
    result = check(backends, budget=args.time_budget, master_seed=args.seed, progress=progress, phases=phases)
    if args.json:
        print(
            json.dumps(
                {
                    "conforms": result.conforms,
                    "seed": result.seed,
                    "seconds": round(result.seconds, 2),
                    "findings": [asdict(f) for f in result.findings],
                },
                indent=2,
            )
        )
    else:
        _print_table(result)
    return 0 if result.conforms else 1


def _with_profile(backend: Any, profile: Any) -> Any:
    from dataclasses import replace

    return replace(backend, capabilities=replace(backend.capabilities, profile=profile))


def _print_progress(finding: Any) -> None:
    detail = "" if finding.verdict == "n/a" else f" ({finding.runs} runs, {finding.seconds:.1f} s)"
    print(
        f"  {finding.backend:<16} {finding.capacity_name:<11} {PHASE_TITLES[finding.phase]:<15} "
        f"{finding.verdict}{detail}",
        file=sys.stderr,
        flush=True,
    )


def _print_table(result: Any) -> None:
    rows: dict[tuple[str, str], dict[str, str]] = {}
    for f in result.findings:
        rows.setdefault((f.backend, f.capacity_name), {})[f.phase] = (
            f.verdict.upper() if f.verdict == "deviation" else f.verdict
        )
    phases = [p for p in PHASE_TITLES if any(f.phase == p for f in result.findings)]
    print()
    print(f"{'backend':<16} {'capacity':<11} " + " ".join(f"{PHASE_TITLES[p]:<15}" for p in phases))
    for (backend, capacity), verdicts in rows.items():
        print(f"{backend:<16} {capacity:<11} " + " ".join(f"{verdicts.get(p, '-'):<15}" for p in phases))
    for f in result.findings:
        if f.verdict in ("deviation", "error"):
            print(
                f"\n{f.verdict.upper()}: {f.backend}, {f.capacity_name}, {PHASE_TITLES[f.phase]} "
                f"(found after {f.first_found_after or 0:.1f} s; replay: --seed {result.seed})"
            )
            print("  " + f.report.replace("\n", "\n  "))
    verdict = "conforms" if result.conforms else "DOES NOT CONFORM"
    print(f"\n{verdict} ({result.seconds:.1f} s, seed {result.seed})")


def _phases(text: str) -> tuple[str, ...]:
    chosen = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [p for p in chosen if p not in PHASE_TITLES]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"unknown phases {unknown} (known: {', '.join(PHASE_TITLES)})")
    return chosen


def _seconds(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be > 0, not {text}")
    return value
