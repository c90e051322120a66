"""trio memory channels (``trio.open_memory_channel``) with their awaited calls, as a chanspec
backend claiming ``asynchronous``.

The channels of :mod:`.trio_memory` (see there for trio's semantics), owned by one trio event loop
in a daemon thread. Threads reach it through ``trio.from_thread`` (``run_sync`` for the
synchronous calls, ``run`` for ``await send(m)``/``await receive()``), as
:mod:`.trio_memory`'s ``threaded`` backend does; tasks of the kit's asyncio loops reach it too:
their ``asend``/``arecv`` start ``send``/``receive`` as a task of the trio loop, inside a cancel
scope that a cancellation of the awaiting task cancels (:mod:`._owner_loop`). The handles are
those of :mod:`._streams`: ``WouldBlock`` -> ``Full``/``Empty``, ``BrokenResourceError``/
``EndOfChannel`` -> ``Disconnected``, ``ClosedResourceError`` -> ``HandleClosed``; timeouts are
``trio.move_on_after``.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import trio

from ..backend import Backend, Capabilities
from ._owner_loop import Outcome
from ._streams import EXPIRED, Library, Receiver, Sender, open_ends

R = TypeVar("R")


class TrioOwner:
    """A trio event loop in a daemon thread (started on first use), with a nursery for the
    awaited calls of other loops' tasks."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._started: tuple[trio.lowlevel.TrioToken, trio.Nursery] | None = None

    def call(self, function: Callable[..., R], *args: Any) -> R:
        result: R = trio.from_thread.run_sync(function, *args, trio_token=self._running()[0])
        return result

    def wait(self, function: Callable[..., Awaitable[R]], *args: Any) -> R:
        result: R = trio.from_thread.run(function, *args, trio_token=self._running()[0])
        return result

    def start(self, function: Callable[..., Awaitable[Any]], *args: Any) -> tuple[Outcome[Any], Callable[[], None]]:
        token, nursery = self._running()
        outcome: Outcome[Any] = Outcome()
        scope = trio.CancelScope()

        async def run() -> None:
            with scope:
                try:
                    outcome.set_result(await function(*args))
                except Exception as error:  # handed to the awaiting task, which re-raises it
                    outcome.set_exception(error)
                return
            outcome.cancel()  # the scope caught the cancellation: the call was withdrawn

        token.run_sync_soon(nursery.start_soon, run)
        return outcome, lambda: token.run_sync_soon(scope.cancel)

    def _running(self) -> tuple[trio.lowlevel.TrioToken, trio.Nursery]:
        with self._lock:
            if self._started is None:
                ready = threading.Event()
                started: list[tuple[trio.lowlevel.TrioToken, trio.Nursery]] = []

                async def serve() -> None:
                    async with trio.open_nursery() as nursery:
                        started.append((trio.lowlevel.current_trio_token(), nursery))
                        ready.set()
                        await trio.sleep_forever()

                threading.Thread(target=trio.run, args=(serve,), name="chanspec-trio-owner", daemon=True).start()
                ready.wait()
                self._started = started[0]
            return self._started


_OWNER = TrioOwner()


async def _within(timeout: float | None, operation: Callable[..., Awaitable[Any]], *args: Any) -> Any:
    with trio.move_on_after(math.inf if timeout is None else timeout):
        return await operation(*args)
    return EXPIRED


TRIO = Library(
    would_block=(trio.WouldBlock,),
    broken=(trio.BrokenResourceError,),
    end=(trio.EndOfChannel,),
    closed=(trio.ClosedResourceError,),
    within=_within,
)


def _open(size: float) -> tuple[trio.MemorySendChannel[Any], trio.MemoryReceiveChannel[Any]]:
    ends: tuple[trio.MemorySendChannel[Any], trio.MemoryReceiveChannel[Any]] = trio.open_memory_channel(size)
    return ends


def make(capacity: int | None) -> tuple[Sender, Receiver]:
    """``trio.open_memory_channel(capacity)`` (``math.inf`` when ``capacity`` is ``None``)."""
    return open_ends(_OWNER.call(_open, math.inf if capacity is None else capacity), _OWNER, TRIO)


backend = Backend("trio-async", make, Capabilities(asynchronous=True))
