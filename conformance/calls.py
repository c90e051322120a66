"""Run one specification operation against real handles and say what happened, as a spec outcome."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .. import errors
from ..spec.handles import Handle
from ..spec.operations import Clone, Close, Inspect, Mode, Operation, Query, Recv, SameChannel, Send
from ..spec.outcomes import Disconnected, Empty, Full, HandleClosed, Outcome, Received, Sent, Timeout, Value


class Token:
    """A message with an identity: the checker sends tokens, so that a message handed back or
    delivered can be checked to be the very object that was sent."""

    __slots__ = ("number",)
    _numbers = itertools.count(1)

    def __init__(self) -> None:
        self.number = next(Token._numbers)

    def __repr__(self) -> str:
        return f"m{self.number}"


@dataclass(frozen=True)
class Raised:
    """The backend raised something the specification has no outcome for."""

    kind: str
    text: str

    def __str__(self) -> str:
        return f"raised {self.kind}: {self.text}"


@dataclass(frozen=True)
class Cloned:
    """A clone returned a new handle object (which spec handle it is, the model says)."""

    def __str__(self) -> str:
        return "a new handle"


Observed = Outcome | Raised | Cloned


def perform(op: Operation, handles: Mapping[Handle, Any], timeout: float) -> tuple[Observed, Any]:
    """Do ``op`` on the real handles; returns what happened and, for a clone, the new handle object.

    ``timeout`` is the seconds a timed call waits. Exceptions that are chanspec's are outcomes;
    anything else is :class:`Raised`.
    """
    try:
        return _perform(op, handles, timeout)
    except errors.HandleClosed as error:
        return HandleClosed(error.message) if isinstance(op, Send) else HandleClosed(), None
    except errors.Disconnected as error:
        return Disconnected(error.message) if isinstance(op, Send) else Disconnected(), None
    except errors.Full as error:
        return Full(error.message), None
    except errors.Empty:
        return Empty(), None
    except errors.Timeout as error:
        return Timeout(error.message) if isinstance(op, Send) else Timeout(), None
    except Exception as error:  # a backend may raise anything; it becomes part of the report
        return Raised(type(error).__name__, str(error)), None


def _perform(op: Operation, handles: Mapping[Handle, Any], timeout: float) -> tuple[Observed, Any]:
    if isinstance(op, Send):
        sender = handles[op.sender]
        if op.mode is Mode.TRY:
            sender.try_send(op.message)
        elif op.mode is Mode.BLOCK:
            sender.send(op.message)
        else:
            sender.send_timeout(op.message, timeout)
        return Sent(), None
    if isinstance(op, Recv):
        receiver = handles[op.receiver]
        if op.mode is Mode.TRY:
            return Received(receiver.try_recv()), None
        if op.mode is Mode.BLOCK:
            return Received(receiver.recv()), None
        return Received(receiver.recv_timeout(timeout)), None
    if isinstance(op, Clone):
        return Cloned(), handles[op.handle].clone()
    if isinstance(op, Close):
        handles[op.handle].close()
        return Value(None), None
    if isinstance(op, Inspect):
        return Value(_inspect(handles[op.handle], op.query)), None
    if isinstance(op, SameChannel):
        return Value(bool(handles[op.first].same_channel(handles[op.second]))), None
    raise TypeError(f"the checker does not drive {type(op).__name__} calls")


def _inspect(handle: Any, query: Query) -> Any:
    if query is Query.LEN:
        return len(handle)
    if query is Query.IS_EMPTY:
        return handle.is_empty()
    if query is Query.IS_FULL:
        return handle.is_full()
    return handle.capacity
