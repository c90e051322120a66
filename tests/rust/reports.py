"""chanrun's reports, read into the specification's outcome values.

chanrun prints an outcome per call (see ``chanrun/src/main.rs`` for the format). Here each one
becomes the spec's :mod:`~chanspec.spec.outcomes` value, or one of three markers that have no
spec counterpart: the call was still parked when chanrun stopped waiting (:data:`BLOCKED`), the
library has no such call (:class:`Absent`), or chanrun could not make sense of the call
(:class:`RunnerError`, a bug in the script).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from chanspec.spec import (
    NO_MESSAGE,
    Disconnected,
    Empty,
    Full,
    Handle,
    Opened,
    Outcome,
    Received,
    Sent,
    Side,
    Timeout,
    Unsupported,
    Value,
    rx,
    tx,
)


class Blocked(enum.Enum):
    BLOCKED = "blocked"

    def __str__(self) -> str:
        return "blocks"


BLOCKED = Blocked.BLOCKED


@dataclass(frozen=True)
class Absent:
    """The library has no such call (std's missing APIs)."""

    reason: str

    def __str__(self) -> str:
        return f"absent ({self.reason})"


@dataclass(frozen=True)
class RunnerError:
    """chanrun refused the call: the script asked something meaningless for Rust."""

    reason: str

    def __str__(self) -> str:
        return f"chanrun error: {self.reason}"


Returned = Outcome | Blocked | Absent | RunnerError
Completion = tuple[int, Outcome]


@dataclass(frozen=True)
class RustStep:
    """One call as Rust played it: what it returned, which waiting calls returned meanwhile
    (thread, outcome), and which messages the channel destroyed."""

    returned: Returned
    woken: tuple[Completion, ...]
    destroyed: tuple[int, ...]

    def __str__(self) -> str:
        parts = [str(self.returned)]
        parts.extend(f"T{thread} returns {outcome}" for thread, outcome in self.woken)
        if self.destroyed:
            parts.append(f"destroyed {list(self.destroyed)}")
        return "; ".join(parts)


@dataclass(frozen=True)
class RustRun:
    """A whole script as Rust played it, with what happened when chanrun tidied up after it."""

    library: str
    steps: tuple[RustStep, ...]
    end_woken: tuple[Completion, ...]
    stuck: tuple[int, ...]
    end_destroyed: tuple[int, ...]


def read_run(report: dict[str, Any]) -> RustRun:
    if "error" in report:
        raise ValueError(f"chanrun could not read script {report.get('id')}: {report['error']}")
    end = report["end"]
    return RustRun(
        library=report["library"],
        steps=tuple(_step(step) for step in report["steps"]),
        end_woken=_woken(end["woken"]),
        stuck=tuple(end["stuck"]),
        end_destroyed=tuple(end["destroyed"]),
    )


def _step(step: dict[str, Any]) -> RustStep:
    return RustStep(read_returned(step["returned"]), _woken(step["woken"]), tuple(step["destroyed"]))


def _woken(items: list[list[Any]]) -> tuple[Completion, ...]:
    completions = []
    for thread, printed in items:
        outcome = read_returned(printed)
        if not isinstance(outcome, (Blocked, Absent, RunnerError)):
            completions.append((int(thread), outcome))
        else:
            raise ValueError(f"a woken call cannot be {printed!r}")
    return tuple(completions)


def read_returned(printed: str | dict[str, Any]) -> Returned:
    """One printed outcome as a spec outcome (or a marker)."""
    if isinstance(printed, str):
        simple: dict[str, Returned] = {
            "sent": Sent(),
            "empty": Empty(),
            "closed": Value(None),
            "blocked": BLOCKED,
        }
        return simple[printed]
    ((kind, value),) = printed.items()
    carried = NO_MESSAGE if value is None else value
    if kind == "received":
        return Received(value)
    if kind == "full":
        return Full(value)
    if kind == "disconnected":
        return Disconnected(carried)
    if kind == "timeout":
        return Timeout(carried)
    if kind == "value":
        return Value(value)
    if kind == "handle":
        channel, side, serial = value
        return Value(Handle(channel, Side(side), serial))
    if kind == "opened":
        return Opened(tx(value), rx(value))
    if kind == "unsupported":
        return Unsupported(value)
    if kind == "absent":
        return Absent(value)
    if kind == "error":
        return RunnerError(value)
    raise ValueError(f"unknown outcome {printed!r}")
