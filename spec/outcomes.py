"""What a call returns, as values.

Send-side failures carry the unsent message back; receive-side failures carry
nothing (``NO_MESSAGE``). A pending call has no outcome until it is woken or
expires.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from .handles import Handle
from .operations import Message


class Absent(enum.Enum):
    """Marks the absence of a message (``None`` is a valid message)."""

    NO_MESSAGE = "no message"

    def __repr__(self) -> str:
        return "NO_MESSAGE"


NO_MESSAGE = Absent.NO_MESSAGE


class Unspecified(enum.Enum):
    """An introspection value that Rust's channels leave unspecified."""

    UNSPECIFIED = "unspecified"

    def __repr__(self) -> str:
        return "UNSPECIFIED"


UNSPECIFIED = Unspecified.UNSPECIFIED

Carried = Message | Absent
IntrospectionValue = int | bool | None | Unspecified


@dataclass(frozen=True)
class Sent:
    """The message was handed to the channel (or, at capacity 0, to a receiver)."""

    def __str__(self) -> str:
        return "Sent"


@dataclass(frozen=True)
class Received:
    """The oldest available message (or a timer's scheduled instant)."""

    message: Message

    def __str__(self) -> str:
        return f"Received({self.message!r})"


@dataclass(frozen=True)
class Empty:
    """``try_recv`` found nothing, and the channel is still connected."""

    def __str__(self) -> str:
        return "Empty"


@dataclass(frozen=True)
class Full:
    """``try_send`` found no room (no waiting receiver at capacity 0)."""

    message: Message

    def __str__(self) -> str:
        return f"Full({self.message!r})"


@dataclass(frozen=True)
class Disconnected:
    """The other side is gone: no receivers left (send), or no senders and nothing buffered (recv)."""

    message: Carried = NO_MESSAGE

    def __str__(self) -> str:
        return "Disconnected" if self.message is NO_MESSAGE else f"Disconnected({self.message!r})"


@dataclass(frozen=True)
class Timeout:
    """A timed call gave up while it could not complete."""

    message: Carried = NO_MESSAGE

    def __str__(self) -> str:
        return "Timeout" if self.message is NO_MESSAGE else f"Timeout({self.message!r})"


@dataclass(frozen=True)
class Cancelled:
    """A pending call was withdrawn before it completed (its awaiting task was cancelled) and
    had no effect: a send gets its message back."""

    message: Carried = NO_MESSAGE

    def __str__(self) -> str:
        return "Cancelled" if self.message is NO_MESSAGE else f"Cancelled({self.message!r})"


@dataclass(frozen=True)
class HandleClosed:
    """The handle used had been closed: a caller error, distinct from disconnection."""

    message: Carried = NO_MESSAGE

    def __str__(self) -> str:
        return "HandleClosed" if self.message is NO_MESSAGE else f"HandleClosed({self.message!r})"


@dataclass(frozen=True)
class NotReady:
    """``try_select`` / ``try_ready``: no case could complete without waiting."""

    def __str__(self) -> str:
        return "NotReady"


@dataclass(frozen=True)
class Unsupported:
    """The call is outside the semantics profile (for example cloning a std receiver)."""

    reason: str

    def __str__(self) -> str:
        return f"Unsupported({self.reason})"


@dataclass(frozen=True)
class Value:
    """The answer of an introspection, clone, close or same_channel call."""

    value: IntrospectionValue | Handle

    def __str__(self) -> str:
        return repr(self.value) if not isinstance(self.value, Handle) else str(self.value)


@dataclass(frozen=True)
class Opened:
    """A new channel: its sender (``None`` for timer channels) and receiver."""

    sender: Handle | None
    receiver: Handle

    def __str__(self) -> str:
        return f"({self.sender}, {self.receiver})" if self.sender else str(self.receiver)


CaseOutcome = Sent | Received | Disconnected | HandleClosed


@dataclass(frozen=True)
class Selected:
    """A select completed case ``index`` with ``outcome`` (``None`` for ``ready``)."""

    index: int
    outcome: CaseOutcome | None = None

    def __str__(self) -> str:
        return f"Selected({self.index})" if self.outcome is None else f"Selected({self.index}, {self.outcome})"


Outcome = (
    Sent
    | Received
    | Empty
    | Full
    | Disconnected
    | Timeout
    | Cancelled
    | HandleClosed
    | NotReady
    | Unsupported
    | Value
    | Opened
    | Selected
)


def carried_message(outcome: Outcome) -> Carried:
    """The message a send-side outcome hands back to its sender, if any."""
    if isinstance(outcome, (Full, Disconnected, Timeout, HandleClosed, Cancelled)):
        return outcome.message
    if isinstance(outcome, Selected) and isinstance(outcome.outcome, (Disconnected, HandleClosed)):
        return outcome.outcome.message
    return NO_MESSAGE


def delivered_message(outcome: Outcome) -> Carried:
    """The message a receive-side outcome delivered, if any."""
    if isinstance(outcome, Received):
        return outcome.message
    if isinstance(outcome, Selected) and isinstance(outcome.outcome, Received):
        return outcome.outcome.message
    return NO_MESSAGE
