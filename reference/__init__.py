"""Reference channels: obviously correct, short, and slow.

Every reference channel shares one lock and one condition variable, so each
operation reads as a direct transcription of the specification
(:mod:`chanspec.spec`): check the guards in the spec's order, complete, or
wait in a loop that re-checks after every wake-up. It is the teaching
implementation and the second opinion the production channels
(:mod:`chanspec.impl`) are tested against.
"""

from ._handles import Receiver, Sender, bounded, channel, sync_channel, unbounded
from ._select import Select, SelectedOperation, aselect, select
from ._timers import after, never, tick

__all__ = [
    "Receiver",
    "Select",
    "SelectedOperation",
    "Sender",
    "after",
    "aselect",
    "bounded",
    "channel",
    "never",
    "select",
    "sync_channel",
    "tick",
    "unbounded",
]
