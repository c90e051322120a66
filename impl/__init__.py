"""Production channels: separate flavours with lock-free fast paths.

``unbounded()`` is a deque that sends and receives touch without a lock;
``bounded(n)`` sends under the lock and receives without it; ``bounded(0)`` is
a rendezvous under one lock. A thread that has to wait parks on its own lock, registered
in the channel's wait queue, and is woken exactly when it may proceed (see
:mod:`chanspec.impl._waiters`). Timer channels and select work across all
flavours.
"""

from chanspec.handles import Receiver, Sender

from ._factories import bounded, channel, sync_channel, unbounded
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
