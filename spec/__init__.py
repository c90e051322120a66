"""The executable specification of channel semantics.

A pure, immutable state machine: a :class:`World` of channels, the calls
threads make (:mod:`.operations`), what they return (:mod:`.outcomes`), and
the transition relation (:func:`successors`, :func:`internal_events`) whose
invariants are written once in :mod:`.invariants`.
"""

from .handles import Handle, Side, rx, tx
from .invariants import step_violations, world_violations
from .operations import (
    Advance,
    Call,
    Case,
    Clone,
    Close,
    Event,
    Expire,
    Inspect,
    Message,
    Mode,
    Open,
    OpenTimer,
    Operation,
    Query,
    Recv,
    SameChannel,
    Select,
    Send,
    TimerKind,
    Wake,
)
from .outcomes import (
    NO_MESSAGE,
    UNSPECIFIED,
    Disconnected,
    Empty,
    Full,
    HandleClosed,
    NotReady,
    Opened,
    Outcome,
    Received,
    Selected,
    Sent,
    Timeout,
    Unsupported,
    Value,
)
from .profiles import CROSSBEAM, PROFILES, STD, Profile, profile_named
from .state import ChannelState, Pending, SpecUsageError, Timer, World
from .steps import Result, Step
from .transitions import can_complete, internal_events, successors

__all__ = [
    "CROSSBEAM", "NO_MESSAGE", "PROFILES", "STD", "UNSPECIFIED", "Advance", "Call", "Case",
    "ChannelState", "Clone", "Close", "Disconnected", "Empty", "Event", "Expire", "Full",
    "Handle", "HandleClosed", "Inspect", "Message", "Mode", "NotReady", "Open", "OpenTimer",
    "Opened", "Operation", "Outcome", "Pending", "Profile", "Query", "Received", "Recv",
    "Result", "SameChannel", "Select", "Selected", "Send", "Sent", "Side", "SpecUsageError",
    "Step", "Timeout", "Timer", "TimerKind", "Unsupported", "Value", "Wake", "World",
    "can_complete", "internal_events", "profile_named", "rx", "step_violations", "successors",
    "tx", "world_violations",
]
