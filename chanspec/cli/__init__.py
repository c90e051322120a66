"""The ``chanspec`` command line: one module per subcommand."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import check, explore


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chanspec",
        description="Rust channel semantics for Python: explore the specification, check implementations.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check.register(commands)
    explore.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 a finding, 2 a usage error)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    status: int = args.run(args)
    return status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
