"""Handles as the specification sees them: a channel, a side and a serial number."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Side(str, enum.Enum):
    """Which end of a channel a handle belongs to."""

    SEND = "tx"
    RECV = "rx"


@dataclass(frozen=True, order=True)
class Handle:
    """One sender or receiver handle.

    ``channel`` indexes the world's channels, ``serial`` counts the handles ever
    minted on that side of that channel (the original is 0, clones follow), so a
    handle's identity survives its own ``close`` and use-after-close is
    expressible.
    """

    channel: int
    side: Side
    serial: int

    def __str__(self) -> str:
        return f"c{self.channel}.{self.side.value}{self.serial}"

    @property
    def is_sender(self) -> bool:
        return self.side is Side.SEND


def tx(channel: int, serial: int = 0) -> Handle:
    """The sender handle ``serial`` of ``channel``."""
    return Handle(channel, Side.SEND, serial)


def rx(channel: int, serial: int = 0) -> Handle:
    """The receiver handle ``serial`` of ``channel``."""
    return Handle(channel, Side.RECV, serial)
