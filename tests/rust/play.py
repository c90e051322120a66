"""Playing scripts through chanrun and comparing every run with the specification, with a tally
of what was compared (printed at the end of the test session)."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from .compare import compare
from .driver import Chanrun
from .reports import RustRun, read_run
from .scripts import Script


@dataclass
class Tally:
    """What this test session compared, per library."""

    scripts: Counter[str] = field(default_factory=Counter)
    calls: Counter[str] = field(default_factory=Counter)
    rust_seconds: float = 0.0
    compare_seconds: float = 0.0
    build_seconds: float | None = None
    versions: str = ""
    skipped: str | None = None

    def lines(self) -> list[str]:
        if self.skipped is not None:
            return [self.skipped]
        if not self.scripts:
            return []
        counts = ", ".join(
            f"{library}: {self.scripts[library]} scripts, {self.calls[library]} calls"
            for library in sorted(self.scripts)
        )
        build = f"build {self.build_seconds:.1f} s, " if self.build_seconds is not None else ""
        return [
            f"compared with {self.versions}: {counts}",
            f"{build}Rust runs {self.rust_seconds:.1f} s, comparison {self.compare_seconds:.1f} s",
        ]


TALLY = Tally()


def run(chanrun: Chanrun, scripts: Sequence[Script]) -> list[RustRun]:
    """Rust's runs of ``scripts``, all in one chanrun process."""
    started = time.perf_counter()
    reports = chanrun.run([script.to_line(index) for index, script in enumerate(scripts)])
    TALLY.rust_seconds += time.perf_counter() - started
    return [read_run(report) for report in reports]


def check(chanrun: Chanrun, scripts: Sequence[Script]) -> list[RustRun]:
    """Play ``scripts`` in Rust and compare each run with the spec (``Disagreement`` at the first
    difference); the runs, for checks of their own."""
    runs = run(chanrun, scripts)
    started = time.perf_counter()
    for script, rust in zip(scripts, runs, strict=True):
        calls = compare(script, rust, chanrun.versions)
        TALLY.scripts[script.library] += 1
        TALLY.calls[script.library] += calls
    TALLY.compare_seconds += time.perf_counter() - started
    return runs
