"""Run one specification operation against real handles and say what happened, as a spec outcome."""

from __future__ import annotations

import asyncio
import itertools
import threading
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass
from typing import Any

from .. import errors
from ..spec.handles import Handle
from ..spec.operations import Clone, Close, Inspect, Mode, Operation, Query, Recv, SameChannel, Send
from ..spec.outcomes import (
    NO_MESSAGE,
    Cancelled,
    Disconnected,
    Empty,
    Full,
    HandleClosed,
    Outcome,
    Received,
    Sent,
    Timeout,
    Value,
)


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
    except Exception as error:  # a backend may raise anything; it becomes part of the report
        return _failed(op, error), None


def _failed(op: Operation, error: Exception) -> Observed:
    """The outcome an exception stands for: chanspec's errors are outcomes, anything else is
    :class:`Raised`."""
    if isinstance(error, errors.HandleClosed):
        return HandleClosed(error.message) if isinstance(op, Send) else HandleClosed()
    if isinstance(error, errors.Disconnected):
        return Disconnected(error.message) if isinstance(op, Send) else Disconnected()
    if isinstance(error, errors.Full):
        return Full(error.message)
    if isinstance(error, errors.Empty):
        return Empty()
    if isinstance(error, errors.Timeout):
        return Timeout(error.message) if isinstance(op, Send) else Timeout()
    return Raised(type(error).__name__, str(error))


def cancelled(op: Operation) -> Cancelled:
    """The outcome of ``op`` withdrawn by a cancellation: a send keeps its message."""
    return Cancelled(op.message) if isinstance(op, Send) else Cancelled(NO_MESSAGE)


def awaitable(op: Operation) -> bool:
    """Whether ``op`` has an awaited form (``asend``/``arecv``: the calls that block for ever)."""
    return isinstance(op, (Send, Recv)) and op.mode is Mode.BLOCK


async def perform_awaited(op: Operation, handles: Mapping[Handle, Any]) -> tuple[Observed, Any]:
    """Do a blocking send or receive as an awaited call (``asend``/``arecv``) in the running
    loop. A cancellation that withdrew the call is the outcome ``Cancelled``; one that came
    too late (the call had completed) changes nothing."""
    try:
        if isinstance(op, Send):
            await handles[op.sender].asend(op.message)
            return Sent(), None
        if isinstance(op, Recv):
            return Received(await handles[op.receiver].arecv()), None
        raise TypeError(f"{type(op).__name__} calls have no awaited form")
    except asyncio.CancelledError:
        return cancelled(op), None
    except Exception as error:  # a backend may raise anything; it becomes part of the report
        return _failed(op, error), None


class AwaitedCall:
    """One awaited call running as a task on a :class:`LoopThread`'s loop; :meth:`cancel` cancels
    that task, :meth:`wait` (from any thread) returns what happened."""

    def __init__(self, loop: asyncio.AbstractEventLoop, op: Operation, coroutine: Coroutine[Any, Any, Any]) -> None:
        self.loop = loop
        self.op = op
        self.done = threading.Event()
        self.result: tuple[Observed, Any] = (cancelled(op), None)
        self._task: asyncio.Task[tuple[Observed, Any]] | None = None
        loop.call_soon_threadsafe(self._start, coroutine)

    def _start(self, coroutine: Coroutine[Any, Any, tuple[Observed, Any]]) -> None:
        self._task = self.loop.create_task(coroutine)
        self._task.add_done_callback(self._finish)

    def _finish(self, task: asyncio.Task[tuple[Observed, Any]]) -> None:
        if not task.cancelled():  # cancelled before its first step: it never ran, Cancelled stands
            self.result = task.result()
        self.done.set()

    def cancel(self, after: float = 0.0) -> None:
        """Cancel the task ``after`` seconds from now (from any thread; it runs after
        :meth:`_start`, which was scheduled first)."""
        if after > 0:
            self.loop.call_soon_threadsafe(self.loop.call_later, after, self._cancel)
        else:
            self.loop.call_soon_threadsafe(self._cancel)

    def _cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()

    def wait(self) -> tuple[Observed, Any]:
        """Block until the call returned or was withdrawn."""
        self.done.wait()
        return self.result


class LoopThread:
    """An asyncio event loop running for ever in a daemon thread of its own."""

    def __init__(self, name: str) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_forever()
        finally:
            self.loop.close()

    def start(self, op: Operation, handles: Mapping[Handle, Any]) -> AwaitedCall:
        """Start ``op`` as an awaited call on this loop."""
        return AwaitedCall(self.loop, op, perform_awaited(op, handles))

    def stop(self, seconds: float = 1.0) -> None:
        """Cancel every task still running (each returns ``Cancelled``), stop the loop and wait
        at most ``seconds`` for its thread."""
        if self.loop.is_closed():
            return
        try:
            self.loop.call_soon_threadsafe(self._shutdown)
        except RuntimeError:  # closed meanwhile
            return
        self._thread.join(seconds)

    def _shutdown(self) -> None:
        for task in asyncio.all_tasks(self.loop):
            task.cancel()
        self.loop.call_soon(self._stop_when_idle, 100)

    def _stop_when_idle(self, rounds: int) -> None:
        if rounds and any(not task.done() for task in asyncio.all_tasks(self.loop)):
            self.loop.call_soon(self._stop_when_idle, rounds - 1)
            return
        self.loop.stop()


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
