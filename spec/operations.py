"""The vocabulary of calls a thread can make, and the events that drive the model.

A call is what a thread asks of the channels; an event is one step of the
model: a thread making a call, a blocked call being woken, a timed call
expiring, or abstract time moving on.
"""

from __future__ import annotations

import enum
from collections.abc import Hashable
from dataclasses import dataclass

from .handles import Handle

Message = Hashable
"""Any hashable value can be a message in the model (the channels accept any object)."""


class Mode(enum.Enum):
    """How long a send, receive or select is prepared to wait."""

    TRY = "try"  # never waits
    BLOCK = "block"  # waits until it can complete
    TIMED = "timed"  # waits, but may give up while it cannot complete


class Query(enum.Enum):
    """The introspection questions a handle answers."""

    LEN = "len"
    IS_EMPTY = "is_empty"
    IS_FULL = "is_full"
    CAPACITY = "capacity"


class TimerKind(enum.Enum):
    """Receiver-only channels driven by (abstract) time."""

    AFTER = "after"  # one message, ``delay`` ticks after creation
    TICK = "tick"  # a message every ``delay`` ticks, missed ones collapse
    NEVER = "never"  # no message, ever


@dataclass(frozen=True)
class Send:
    """``send`` / ``try_send`` / ``send_timeout`` of ``message`` through ``sender``."""

    sender: Handle
    message: Message
    mode: Mode = Mode.BLOCK

    def __str__(self) -> str:
        name = {Mode.TRY: "try_send", Mode.BLOCK: "send", Mode.TIMED: "send_timeout"}[self.mode]
        return f"{self.sender}.{name}({self.message!r})"


@dataclass(frozen=True)
class Recv:
    """``recv`` / ``try_recv`` / ``recv_timeout`` on ``receiver``."""

    receiver: Handle
    mode: Mode = Mode.BLOCK

    def __str__(self) -> str:
        name = {Mode.TRY: "try_recv", Mode.BLOCK: "recv", Mode.TIMED: "recv_timeout"}[self.mode]
        return f"{self.receiver}.{name}()"


@dataclass(frozen=True)
class Clone:
    """Mint another handle on the same side of the same channel."""

    handle: Handle

    def __str__(self) -> str:
        return f"{self.handle}.clone()"


@dataclass(frozen=True)
class Close:
    """Give up a handle (Rust's drop). Idempotent."""

    handle: Handle

    def __str__(self) -> str:
        return f"{self.handle}.close()"


@dataclass(frozen=True)
class Inspect:
    """``len`` / ``is_empty`` / ``is_full`` / ``capacity`` through a handle."""

    handle: Handle
    query: Query

    def __str__(self) -> str:
        return f"{self.handle}.{self.query.value}()"


@dataclass(frozen=True)
class SameChannel:
    """Whether two handles belong to the same channel."""

    first: Handle
    second: Handle

    def __str__(self) -> str:
        return f"{self.first}.same_channel({self.second})"


Case = Send | Recv
"""One operation of a select; its ``mode`` is ignored (the select's mode rules)."""


@dataclass(frozen=True)
class Select:
    """Wait on several cases and complete exactly one of them.

    ``biased`` picks the lowest ready index, otherwise any ready case may win.
    With ``complete=False`` it is crossbeam's ``ready``: it reports a ready
    index and performs nothing.
    """

    cases: tuple[Case, ...]
    mode: Mode = Mode.BLOCK
    biased: bool = False
    complete: bool = True

    def __str__(self) -> str:
        verb = "select" if self.complete else "ready"
        prefix = {Mode.TRY: "try_", Mode.BLOCK: "", Mode.TIMED: ""}[self.mode]
        suffix = "_timeout" if self.mode is Mode.TIMED else ""
        bias = "biased " if self.biased else ""
        inner = ", ".join(_case_text(case) for case in self.cases)
        return f"{bias}{prefix}{verb}{suffix}[{inner}]"


def _case_text(case: Case) -> str:
    if isinstance(case, Send):
        return f"send({case.sender}, {case.message!r})"
    return f"recv({case.receiver})"


@dataclass(frozen=True)
class Open:
    """Create a channel: ``None`` is unbounded, 0 a rendezvous, n >= 1 bounded."""

    capacity: int | None

    def __str__(self) -> str:
        return "unbounded()" if self.capacity is None else f"bounded({self.capacity})"


@dataclass(frozen=True)
class OpenTimer:
    """Create a timer channel (``after``, ``tick`` or ``never``); ``delay`` in ticks."""

    kind: TimerKind
    delay: int = 0

    def __str__(self) -> str:
        return "never()" if self.kind is TimerKind.NEVER else f"{self.kind.value}({self.delay})"


Operation = Send | Recv | Clone | Close | Inspect | SameChannel | Select | Open | OpenTimer
Blocking = Send | Recv | Select
"""The calls that can become pending."""


@dataclass(frozen=True)
class Call:
    """Thread ``thread`` makes the call ``operation``."""

    thread: int
    operation: Operation

    def __str__(self) -> str:
        return f"T{self.thread}: {self.operation}"


@dataclass(frozen=True)
class Wake:
    """The pending call of ``thread`` completes, now that it can."""

    thread: int

    def __str__(self) -> str:
        return f"T{self.thread}: (wakes)"


@dataclass(frozen=True)
class Expire:
    """The pending timed call of ``thread`` gives up while it still cannot complete."""

    thread: int

    def __str__(self) -> str:
        return f"T{self.thread}: (times out)"


@dataclass(frozen=True)
class Cancel:
    """The pending call of ``thread`` is withdrawn before it completes (the task awaiting it
    was cancelled): it ends with ``Cancelled`` and has had no effect, and a send keeps its
    message. Allowed whenever the call is pending, even if it could complete: until it is
    woken, it has not taken anything. A call that already completed cannot be cancelled."""

    thread: int

    def __str__(self) -> str:
        return f"T{self.thread}: (cancelled)"


@dataclass(frozen=True)
class Advance:
    """Abstract time moves on by one tick."""

    def __str__(self) -> str:
        return "(time passes)"


Event = Call | Wake | Expire | Cancel | Advance
