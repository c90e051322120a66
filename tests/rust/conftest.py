"""chanrun is built once per session; without cargo or the Debian crate sources the tests that
need it skip, saying what is missing."""

from __future__ import annotations

import pytest

from .driver import Chanrun, build, missing
from .play import TALLY


@pytest.fixture(scope="session")
def chanrun() -> Chanrun:
    reason = missing()
    if reason is not None:
        TALLY.skipped = f"Rust comparison skipped: {reason}"
        pytest.skip(TALLY.skipped)
    built = build()
    TALLY.build_seconds = built.build_seconds
    TALLY.versions = built.versions
    return built


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    lines = TALLY.lines()
    if lines:
        terminalreporter.section("spec vs Rust")
        for line in lines:
            terminalreporter.write_line(line)
