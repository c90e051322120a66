"""Schedule strings: one controlled run in a line of text, to replay it exactly.

``cs1:3.12:<data>`` where ``3.12`` is the Python version the run was recorded on (the
interleaving depends on which synchronisation calls the interpreter's own code makes,
so a replay is exact on the same version) and ``<data>`` is URL-safe base64 of the
raw-deflated bytes: a format byte, the capacity, the granularity, the plan bytes
(:mod:`.plan`) and one byte per decision (a position among the options). Long runs of
zero decisions (no preemption) compress to almost nothing.
"""

from __future__ import annotations

import base64
import sys
import zlib
from dataclasses import dataclass

from .execution import GRANULARITIES
from .plan import PLAN_SIZE

PREFIX = "cs1"
_FORMAT = 1
_UNBOUNDED = 255


@dataclass(frozen=True)
class Schedule:
    """A decoded schedule string."""

    capacity: int | None
    granularity: str
    plan: bytes
    decisions: tuple[int, ...]
    python: str

    def encode(self) -> str:
        if self.capacity is not None and not 0 <= self.capacity < _UNBOUNDED:
            raise ValueError(f"schedule strings record capacities below {_UNBOUNDED}, not {self.capacity}")
        if any(not 0 <= d < 256 for d in self.decisions):
            raise ValueError("a decision is a position among at most 255 options")
        capacity = _UNBOUNDED if self.capacity is None else self.capacity
        raw = bytes([_FORMAT, capacity, GRANULARITIES.index(self.granularity)]) + self.plan + bytes(self.decisions)
        deflate = zlib.compressobj(9, zlib.DEFLATED, -15)  # raw deflate: no header (3.10 has no wbits here)
        packed = deflate.compress(raw) + deflate.flush()
        return f"{PREFIX}:{self.python}:{base64.urlsafe_b64encode(packed).decode().rstrip('=')}"

    @property
    def same_python(self) -> bool:
        return self.python == python_version()


def python_version() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def decode_schedule(text: str) -> Schedule:
    """The schedule a string names; ``ValueError`` saying what is wrong with a malformed one."""
    parts = text.strip().split(":")
    if len(parts) != 3 or parts[0] != PREFIX:
        raise ValueError(f"not a schedule string (expected {PREFIX}:<python>:<data>): {text!r}")
    _, python, data = parts
    try:
        packed = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
        raw = zlib.decompress(packed, wbits=-15)
    except (ValueError, zlib.error) as error:
        raise ValueError(f"the schedule string's data is damaged: {error}") from None
    if len(raw) < 3 + PLAN_SIZE or raw[0] != _FORMAT or raw[2] >= len(GRANULARITIES):
        raise ValueError("the schedule string's data is damaged or from another version of chanspec")
    capacity = None if raw[1] == _UNBOUNDED else raw[1]
    plan = raw[3 : 3 + PLAN_SIZE]
    return Schedule(capacity, GRANULARITIES[raw[2]], plan, tuple(raw[3 + PLAN_SIZE :]), python)
