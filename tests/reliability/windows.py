"""The measured windows: where an interrupted call leaves a channel inconsistent, per implementation.

``windows.json`` lists, for each implementation and grain (``line`` or
``opcode``), every line of the implementation the scenarios pass through, with
the kinds of violation (see :data:`.oracle.KINDS`) that an exception injected
there produced in some scenario; an empty list: that line is clean. It is
measured, not written by hand: ``scripts/reliability --update`` regenerates it
from a full-size run. It serves twice:

- the injection tests accept damage only at lines listed with damage: damage at
  a line listed as clean (or, at full size, not listed) fails the suite. In CI
  only lines listed as clean are tried (quick runs that stay meaningful while an
  implementation is being edited: a changed line is not listed); the full-size
  run tries every line. The kinds listed are documentation: at some lines they
  vary with timing from run to run (whether a line does damage does not);
- ``docs/reliability.md`` summarises it.

A full-size run also writes what it observed (``CHANSPEC_RELIABILITY_WINDOWS``
names the file); ``scripts/reliability`` compares that with ``windows.json``,
line by line (clean, receive window only, damaged), so a window that closed or
moved is noticed too. The receive windows (an interrupted
receive that had taken its message: not a violation, documented) are recorded
the same way under ``"lost by an interrupted receive"``.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from pathlib import Path

from .oracle import Verdict
from .tracer import Point

REGISTRY = Path(__file__).with_name("windows.json")
RECEIVE_WINDOW = "lost by an interrupted receive"
RECORDING = os.environ.get("CHANSPEC_RELIABILITY_RECORD", "") == "1"
"""Set by ``scripts/reliability --update``: measure, do not judge against the registry."""

Table = dict[str, dict[str, dict[str, list[str]]]]
"""implementation -> grain -> line key -> sorted kinds."""


def _load() -> Table:
    if not REGISTRY.exists():
        return {}
    table: Table = json.loads(REGISTRY.read_text(encoding="utf-8"))
    return table


KNOWN = _load()


def expected(api: str, grain: str, point: Point) -> frozenset[str]:
    """The kinds of violation known at ``point``'s line (empty: clean, or not measured yet)."""
    return frozenset(KNOWN.get(api, {}).get(grain, {}).get(point.key, ()))


def known_clean(api: str, grain: str, point: Point) -> bool:
    """Whether the last full run measured ``point``'s line and found no damage there (a receive
    window is not damage). A line that changed since is not known at all."""
    kinds = KNOWN.get(api, {}).get(grain, {}).get(point.key)
    return kinds is not None and not set(kinds) - {RECEIVE_WINDOW}


class Observed:
    """What the runs of this session found, by implementation, grain and line."""

    def __init__(self) -> None:
        self.kinds: defaultdict[tuple[str, str, str], set[str]] = defaultdict(set)

    def record(self, api: str, grain: str, verdict: Verdict) -> None:
        """Note the violations (and a receive window) of one run; a clean run notes its line as
        clean (an empty list), so that a line that changed shows up as unknown."""
        if verdict.point is None:
            return
        kinds = set(verdict.kinds)
        if verdict.lost:
            kinds.add(RECEIVE_WINDOW)
        self.kinds[(api, grain, verdict.point.key)].update(kinds)

    def table(self) -> Table:
        """The observations in the layout of ``windows.json``."""
        table: Table = {}
        for (api, grain, key), kinds in sorted(self.kinds.items()):
            table.setdefault(api, {}).setdefault(grain, {})[key] = sorted(kinds)
        return table

    def write(self, path: str) -> None:
        """Save :meth:`table` as JSON."""
        Path(path).write_text(json.dumps(self.table(), indent=1, sort_keys=True) + "\n", encoding="utf-8")


OBSERVED = Observed()
