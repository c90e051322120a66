"""The exceptions of chanspec's channels.

Every exception raised by a send operation carries the unsent message, the
very object passed in, as ``.message``: a failed send never loses it. Receive
errors carry nothing; their ``.message`` is :data:`NO_MESSAGE`.
"""

from __future__ import annotations

import enum
from typing import Any


class _NoMessage(enum.Enum):
    NO_MESSAGE = "NO_MESSAGE"

    def __repr__(self) -> str:
        return "chanspec.NO_MESSAGE"

    def __bool__(self) -> bool:
        return False


NO_MESSAGE = _NoMessage.NO_MESSAGE
"""Stands in ``.message`` of errors that carry no message (``None`` is a valid message)."""


class ChannelError(Exception):
    """Base of every channel error. ``message`` is the unsent message, or ``NO_MESSAGE``."""

    default_text = "channel error"

    index: int | None = None
    """Set by the one-call ``select`` on the error of the case it chose: that case's index."""

    def __init__(self, message: Any = NO_MESSAGE, text: str | None = None) -> None:
        super().__init__(text or self.default_text)
        self.message: Any = message

    @property
    def has_message(self) -> bool:
        """Whether this error hands a message back to its sender."""
        return self.message is not NO_MESSAGE

    def __repr__(self) -> str:
        payload = "(..)" if self.has_message else "()"
        return f"{type(self).__name__}{payload}"


class Disconnected(ChannelError):
    """The other side is gone.

    From a send: every receiver has been closed; the message was not sent and
    is returned in ``.message``. From a receive: every sender has been closed
    and no message is left (buffered messages are always delivered first).
    """

    default_text = "channel is disconnected"


class Full(ChannelError):
    """``try_send`` found no room: the buffer is full, or at capacity 0 no receiver is
    waiting. The message is returned in ``.message``."""

    default_text = "sending on a full channel"


class Empty(ChannelError):
    """``try_recv`` found no message, and some sender is still open."""

    default_text = "receiving on an empty channel"


class Timeout(ChannelError):
    """A timed operation reached its deadline without completing. From a send the
    message is returned in ``.message``."""

    default_text = "timed out"


class HandleClosed(ChannelError):
    """The handle was used after its own ``close()``: a caller error, not a state of
    the channel. From a send the message is returned in ``.message``."""

    default_text = "the handle is closed"


class NotReady(ChannelError):
    """``try_select``/``try_ready`` found no operation ready to complete."""

    default_text = "all operations in select would block"
