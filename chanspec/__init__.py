"""chanspec: the channels of Rust's std::sync::mpsc and crossbeam-channel, for Python threads.

>>> import chanspec
>>> tx, rx = chanspec.bounded(1)
>>> tx.send("hello")
>>> rx.recv()
'hello'
>>> tx.close()
>>> list(rx)          # every sender is closed and the buffer is drained: iteration ends
[]

``unbounded()``, ``bounded(n)`` (``bounded(0)`` is a rendezvous) and the std-flavour
``channel()`` / ``sync_channel(n)`` return ``(Sender, Receiver)`` pairs. Errors are
:mod:`chanspec.errors`; a failed send always hands its message back in ``.message``.
The production implementation serves these names; :mod:`chanspec.reference` has the
same API, written for clarity, and :mod:`chanspec.spec` is the specification both follow.
"""

from .errors import NO_MESSAGE, ChannelError, Disconnected, Empty, Full, HandleClosed, NotReady, Timeout
from .handles import Receiver, Sender
from .impl import (
    Select,
    SelectedOperation,
    after,
    aselect,
    bounded,
    channel,
    never,
    select,
    sync_channel,
    tick,
    unbounded,
)

__all__ = [
    "NO_MESSAGE",
    "ChannelError",
    "Disconnected",
    "Empty",
    "Full",
    "HandleClosed",
    "NotReady",
    "Receiver",
    "Select",
    "SelectedOperation",
    "Sender",
    "Timeout",
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
