"""What makes an event meaningful to ask the model about.

A meaningless event (a call by a blocked thread, an unknown handle, a sender
used for receiving, a negative capacity) is a mistake of whoever drives the
model, not a channel behaviour, so the model refuses it with
``SpecUsageError`` instead of inventing an outcome.
"""

from __future__ import annotations

from .handles import Handle, Side
from .operations import (
    Call,
    Cancel,
    Clone,
    Close,
    Event,
    Inspect,
    Mode,
    Open,
    OpenTimer,
    Operation,
    Recv,
    SameChannel,
    Select,
    Send,
)
from .state import World


def usage_problem(world: World, event: Event) -> str | None:
    """Why ``event`` is meaningless in ``world``, or ``None`` if it is fine."""
    if isinstance(event, Cancel):
        return None if world.pending_of(event.thread) is not None else f"T{event.thread} has no pending call to cancel"
    if not isinstance(event, Call):
        return None
    if world.pending_of(event.thread) is not None:
        return f"T{event.thread} is blocked and cannot make another call"
    return _operation_problem(world, event.operation)


def _operation_problem(world: World, op: Operation) -> str | None:
    if isinstance(op, Open):
        capacity = op.capacity
        if capacity is not None and (isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 0):
            return f"capacity must be None or an int >= 0, not {capacity!r}"
        return None
    if isinstance(op, OpenTimer):
        return None if op.delay >= 0 else f"a timer delay must be >= 0, not {op.delay}"
    if isinstance(op, Select):
        if not op.cases and op.mode is Mode.BLOCK:
            return "a blocking select needs at least one case"
        for case in op.cases:
            problem = _operation_problem(world, case)
            if problem is not None:
                return problem
        return None
    if isinstance(op, Send):
        return _handle_problem(world, op.sender, Side.SEND)
    if isinstance(op, Recv):
        return _handle_problem(world, op.receiver, Side.RECV)
    if isinstance(op, SameChannel):
        return _handle_problem(world, op.first, None) or _handle_problem(world, op.second, None)
    assert isinstance(op, (Clone, Close, Inspect))
    return _handle_problem(world, op.handle, None)


def _handle_problem(world: World, handle: Handle, side: Side | None) -> str | None:
    if side is not None and handle.side is not side:
        return f"{handle} is not a {'sender' if side is Side.SEND else 'receiver'}"
    if not 0 <= handle.channel < len(world.channels):
        return f"{handle}: no such channel"
    if not 0 <= handle.serial < world.channels[handle.channel].minted(handle.side):
        return f"{handle}: no such handle"
    return None
