"""How the scheduler's decisions are made: uniformly at random, by PCT, exhaustively, or replayed.

At each decision the options are task indices (the running task first when it can go
on) and possibly :data:`~.scheduler.TIME` (let the clock reach the next deadline)
last; a chooser returns a position among them. Position 0 never preempts, which is
why replaying a schedule with every later decision at 0 is the natural way to cut it
short, and why a schedule shrinks towards zeros.

- :class:`RandomWalk`: every option equally likely at every decision.
- :class:`PCT`: probabilistic concurrency testing (Burckhardt et al., ASPLOS 2010).
  Tasks get distinct random priorities and the highest-priority enabled task runs;
  at ``depth - 1`` random steps the running task drops below every other. A bug that
  needs ``depth`` ordering constraints is found with probability at least
  ``1 / (n * k^(depth-1))`` per run (``n`` tasks, ``k`` steps), whatever its window.
- :class:`Exhaustive`: every schedule with at most ``bound`` preemptions, depth first
  by re-running the program (stateless model checking, CHESS-style preemption bounding).
- :class:`Replay`: a recorded list of decisions (later ones: 0).
- :class:`Preemptions`: a table of the decisions that did not take option 0, each keyed by
  the task that was running and how many decisions it had been at before; every other
  decision takes option 0. Removing a call from one thread leaves the other threads'
  keys alone, which is why shrinking edits schedules in this form.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from .scheduler import TIME

STRATEGIES = ("random", "pct", "exhaustive", "mixed")
"""The strategies :func:`~.search.check` knows; ``mixed`` alternates random and PCT runs
(PCT depths 2 and 3)."""


class Replay:
    """The decisions of a recorded run, then always 0. ``widths``, if given, are the numbers
    of options the recorded run had: the first mismatch is kept in ``diverged_at`` (the
    backend did not behave as when it was recorded)."""

    def __init__(self, decisions: Sequence[int], widths: Sequence[int] | None = None) -> None:
        self.decisions = decisions
        self.widths = widths
        self.position = 0
        self.diverged_at: int | None = None

    def choose(self, options: Sequence[int], current: int | None, current_enabled: bool, step: int) -> int:
        at = self.position
        self.position += 1
        widths = self.widths
        if widths is not None and self.diverged_at is None and at < len(widths) and widths[at] != len(options):
            self.diverged_at = at
        return self.decisions[at] % len(options) if at < len(self.decisions) else 0


class RandomWalk:
    """Every option equally likely."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def choose(self, options: Sequence[int], current: int | None, current_enabled: bool, step: int) -> int:
        return self.rng.randrange(len(options))


class PCT:
    """Random priorities for ``tasks`` tasks, and ``depth - 1`` change points among the first
    ``steps`` switch points, at which the running task's priority drops below all others.
    Letting time pass has the lowest priority (it is chosen when no task can run)."""

    def __init__(self, rng: random.Random, tasks: int, depth: int, steps: int) -> None:
        order = list(range(tasks))
        rng.shuffle(order)
        self.priority = {task: depth + rank for rank, task in enumerate(order)}
        points = rng.sample(range(1, max(steps, depth) + 1), depth - 1)
        self.changes = sorted(points)
        self.drops = list(range(depth - 1, 0, -1))  # the priorities the change points give, highest first

    def choose(self, options: Sequence[int], current: int | None, current_enabled: bool, step: int) -> int:
        while self.changes and self.changes[0] <= step:
            self.changes.pop(0)
            drop = self.drops.pop(0)
            if current is not None:
                self.priority[current] = drop
        best = max(range(len(options)), key=lambda i: -1 if options[i] == TIME else self.priority.get(options[i], 0))
        return best


class Exhaustive:
    """Enumerates the schedules of one deterministic program with at most ``bound``
    preemptions (a decision that does not continue a task that could go on), depth first.

    Use: ``chooser = explorer.next()``; run with it; ``explorer.done_with(decisions, widths,
    preempting)`` where ``preempting[i]`` says whether option 0 at decision ``i`` was the
    running task; repeat while :attr:`exhausted` is false."""

    def __init__(self, bound: int) -> None:
        self.bound = bound
        self.prefix: list[int] = []
        self.exhausted = False
        self.runs = 0

    def next(self) -> Replay:
        return Replay(list(self.prefix))

    def done_with(self, decisions: Sequence[int], widths: Sequence[int], preempting: Sequence[bool]) -> None:
        """Choose the next prefix: the deepest decision with an untried option within the bound."""
        self.runs += 1
        used = [0]
        for pick, counts in zip(decisions, preempting, strict=True):
            used.append(used[-1] + (1 if pick and counts else 0))
        for at in range(len(decisions) - 1, -1, -1):
            pick = decisions[at] + 1
            if pick >= widths[at]:
                continue
            cost = used[at] + (1 if preempting[at] else 0)
            if cost > self.bound:
                continue
            self.prefix = [*decisions[:at], pick]
            return
        self.exhausted = True


Key = tuple[int | None, int]
"""A decision's key: the running task (``None`` between tasks) and how many decisions it had been at."""


def keyed(chosen: Sequence[tuple[int | None, int]], decisions: Sequence[int]) -> list[tuple[Key, int]]:
    """The non-default decisions of a run (``chosen``: the running task and the option taken at
    each decision; ``decisions``: the positions taken), as (key, option taken) pairs."""
    counts: dict[int | None, int] = {}
    table = []
    for (running, option), pick in zip(chosen, decisions, strict=True):
        count = counts.get(running, 0)
        counts[running] = count + 1
        if pick:
            table.append(((running, count), option))
    return table


class Preemptions:
    """Takes the option a table names for a decision's key, if it is an option then, and
    option 0 otherwise."""

    def __init__(self, table: Sequence[tuple[Key, int]]) -> None:
        self.table: dict[Key, int] = {}
        for key, option in table:
            self.table.setdefault(key, option)
        self.counts: dict[int | None, int] = {}

    def choose(self, options: Sequence[int], current: int | None, current_enabled: bool, step: int) -> int:
        count = self.counts.get(current, 0)
        self.counts[current] = count + 1
        wanted = self.table.get((current, count))
        if wanted is None or wanted not in options:
            return 0
        return options.index(wanted)


def table_bytes(table: Sequence[tuple[Key, int]]) -> bytes:
    """A table as bytes, three per entry: the running task + 1 (0: none), the count (mod 256),
    the option taken + 1 (0: let time pass). All-zero entries change nothing."""
    entries = [(0 if running is None else running + 1, count % 256, option + 1) for (running, count), option in table]
    return bytes(b for entry in entries for b in entry)


def table_from(data: bytes) -> list[tuple[Key, int]]:
    """The table ``data`` encodes (a trailing partial entry is ignored)."""
    return [
        ((None if data[i] == 0 else data[i] - 1, data[i + 1]), data[i + 2] - 1)
        for i in range(0, len(data) - len(data) % 3, 3)
    ]
