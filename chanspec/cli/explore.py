"""``chanspec explore``: enumerate every reachable state of the specification in a small scope."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..spec.diagram import to_dot, to_mermaid
from ..spec.explore import MESSAGES, Exploration, Scope, explore
from ..spec.profiles import CROSSBEAM, PROFILES, profile_named

DEFAULT_CAPACITIES = ("0", "1", "2", "unbounded")


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "explore",
        help="enumerate every reachable state in a small scope and check every invariant",
        description=(
            "Breadth-first enumeration of every state one channel can reach within a scope, with every "
            "invariant checked in every state and on every transition. Prints state and transition counts; "
            "exits 1 if an invariant is violated (with the trace that reaches it)."
        ),
    )
    parser.add_argument(
        "--capacity",
        nargs="+",
        default=list(DEFAULT_CAPACITIES),
        metavar="N",
        help="capacities to explore: integers >= 0 or 'unbounded' (default: 0 1 2 unbounded)",
    )
    parser.add_argument(
        "--profile",
        nargs="+",
        default=sorted(PROFILES),
        choices=sorted(PROFILES),
        help="semantics profiles (default: all)",
    )
    parser.add_argument("--senders", type=_positive, default=2, help="sender handles that may exist (default 2)")
    parser.add_argument("--receivers", type=_positive, default=2, help="receiver handles that may exist (default 2)")
    parser.add_argument(
        "--messages", type=_bounded(len(MESSAGES)), default=3, help="distinct messages (default 3, at most 5)"
    )
    parser.add_argument("--threads", type=_positive, default=2, help="threads making calls (default 2)")
    parser.add_argument("--repl", action="store_true", help="step through the specification by hand instead")
    parser.add_argument("--no-timed", action="store_true", help="leave out timed sends and receives")
    parser.add_argument("--no-select", action="store_true", help="leave out the one-channel selects")
    parser.add_argument(
        "--cancel", action="store_true", help="also cancel pending calls (asynchronous calls whose task is cancelled)"
    )
    parser.add_argument(
        "--dot", metavar="FILE", help="write the state graph as Graphviz DOT to FILE, or - for stdout (one scope only)"
    )
    parser.add_argument(
        "--mermaid", metavar="FILE", help="write the state graph as Mermaid to FILE, or - for stdout (one scope only)"
    )
    parser.set_defaults(run=run)


def scopes_from(args: argparse.Namespace) -> list[Scope]:
    """The scopes the parsed arguments ask for (``ValueError`` for a bad capacity)."""
    capacities = [_capacity(text) for text in args.capacity]
    return [
        Scope(
            capacity=capacity,
            senders=args.senders,
            receivers=args.receivers,
            messages=args.messages,
            threads=args.threads,
            profile=profile_named(name),
            timed=not args.no_timed,
            select=not args.no_select,
            cancel=args.cancel,
        )
        for name in args.profile
        for capacity in capacities
    ]


def run(args: argparse.Namespace) -> int:
    if args.repl:
        from .repl import run as repl

        return repl(profile_named(args.profile[0]) if len(args.profile) == 1 else CROSSBEAM)
    try:
        scopes = scopes_from(args)
    except ValueError as error:
        print(f"chanspec explore: {error}", file=sys.stderr)
        return 2
    if (args.dot or args.mermaid) and len(scopes) != 1:
        print("chanspec explore: --dot/--mermaid need exactly one profile and one capacity", file=sys.stderr)
        return 2
    header = ("profile", "capacity", "states", "transitions", "deadlocks", "violations", "seconds")
    print("{:<10} {:>9} {:>8} {:>12} {:>9} {:>10} {:>8}".format(*header))
    results = [explore(scope) for scope in scopes]
    for result in results:
        _print_row(result)
    total = sum(r.seconds for r in results)
    states, transitions = sum(r.states for r in results), sum(r.transitions for r in results)
    print(f"{len(results)} scopes, {states} states, {transitions} transitions in {total:.1f} s")
    for result in results:
        _print_violations(result)
    if args.dot:
        _write(args.dot, to_dot(results[0]))
    if args.mermaid:
        _write(args.mermaid, to_mermaid(results[0]))
    return 1 if any(r.violations for r in results) else 0


def _print_row(result: Exploration) -> None:
    scope = result.scope
    cap = "unbounded" if scope.capacity is None else str(scope.capacity)
    print(
        f"{scope.profile.name:<10} {cap:>9} {result.states:>8} {result.transitions:>12} "
        f"{result.deadlocks:>9} {len(result.violations):>10} {result.seconds:>8.2f}"
    )


def _print_violations(result: Exploration, limit: int = 3) -> None:
    for problem, trace in result.violations[:limit]:
        print(f"\nVIOLATION in {result.scope}: {problem}")
        for line in trace:
            print(f"  {line}")
    if len(result.violations) > limit:
        print(f"  ... and {len(result.violations) - limit} more")


def _write(path: str, text: str) -> None:
    if path == "-":
        print(text, end="")
        return
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    print(f"wrote {path}")


def _capacity(text: str) -> int | None:
    if text in ("unbounded", "inf", "none"):
        return None
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"capacity must be an integer >= 0 or 'unbounded', not {text!r}") from None
    if value < 0:
        raise ValueError(f"capacity must be >= 0, not {value}")
    return value


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, not {value}")
    return value


def _bounded(limit: int) -> Any:
    def parse(text: str) -> int:
        value = _positive(text)
        if value > limit:
            raise argparse.ArgumentTypeError(f"must be <= {limit}, not {value}")
        return value

    return parse
