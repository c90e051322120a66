"""A library's objects confined to the one event loop that owns them, called from anywhere.

``asyncio.Queue``, aiochannel, anyio's and trio's memory channels are bound to one event loop
and are not thread-safe. The adapters keep each channel on a loop of its own, running in a
daemon thread (the *owner*), and send every call there: a thread's call waits for the result,
and a task on another loop awaits it. That bridge is what a program using such a channel from
several threads or loops has to build; nothing else is added.

An awaited call runs as a task of the owner. When the awaiting task is cancelled, the owner's
task is cancelled in turn, and the awaiting task waits for what really happened there: if the
call completed before the cancellation reached it, its result is returned (the call completed);
if it was withdrawn, ``CancelledError`` propagates. So the bridge neither loses nor invents an
effect; what a cancelled call does is the library's own behaviour.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

from ..calls import LoopThread

R = TypeVar("R")

Outcome = concurrent.futures.Future
"""What a call on the owner came to: its result, its exception, or cancelled (withdrawn)."""


class Owner(Protocol):
    """An event loop that owns a channel, and the three ways of calling it from elsewhere."""

    def call(self, function: Callable[..., R], *args: Any) -> R:
        """Run ``function(*args)`` (not a coroutine) on the loop; block for its result."""

    def wait(self, function: Callable[..., Awaitable[R]], *args: Any) -> R:
        """Run ``await function(*args)`` on the loop; block for its result."""

    def start(self, function: Callable[..., Awaitable[Any]], *args: Any) -> tuple[Outcome[Any], Callable[[], None]]:
        """Start ``await function(*args)`` on the loop: its outcome, and how to cancel it."""


def _deliver(outcome: Outcome[R], function: Callable[..., R], *args: Any) -> None:
    try:
        outcome.set_result(function(*args))
    except BaseException as error:  # handed to the caller, which re-raises it
        outcome.set_exception(error)


class AsyncioOwner:
    """An asyncio event loop in a daemon thread (started on first use)."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                self._loop = LoopThread(self._name).loop
            return self._loop

    def call(self, function: Callable[..., R], *args: Any) -> R:
        outcome: Outcome[R] = Outcome()
        self.loop.call_soon_threadsafe(_deliver, outcome, function, *args)
        return outcome.result()

    def wait(self, function: Callable[..., Awaitable[R]], *args: Any) -> R:
        return asyncio.run_coroutine_threadsafe(_awaiting(function, *args), self.loop).result()

    def start(self, function: Callable[..., Awaitable[Any]], *args: Any) -> tuple[Outcome[Any], Callable[[], None]]:
        loop = self.loop
        outcome: Outcome[Any] = Outcome()
        tasks: list[asyncio.Task[Any]] = []

        def begin() -> None:
            task = loop.create_task(_awaiting(function, *args))
            tasks.append(task)
            task.add_done_callback(lambda done: _settle(outcome, done))

        def cancel() -> None:
            # begin() was scheduled first, so the task exists by the time this runs
            loop.call_soon_threadsafe(lambda: tasks[0].cancel())

        loop.call_soon_threadsafe(begin)
        return outcome, cancel


async def _awaiting(function: Callable[..., Awaitable[R]], *args: Any) -> R:
    return await function(*args)


def _settle(outcome: Outcome[Any], task: asyncio.Task[Any]) -> None:
    if task.cancelled():
        outcome.cancel()
    elif task.exception() is not None:
        outcome.set_exception(task.exception())
    else:
        outcome.set_result(task.result())


async def awaited(owner: Owner, function: Callable[..., Awaitable[R]], *args: Any) -> R:
    """``await function(*args)`` on ``owner``, from a task of another asyncio loop (see the
    module docstring for cancellation)."""
    outcome, cancel = owner.start(function, *args)
    waiting = asyncio.wrap_future(outcome)
    cancelled = False
    while not waiting.done():
        try:
            await asyncio.wait([waiting])  # unlike a plain await, a cancellation leaves ``waiting`` be
        except asyncio.CancelledError:
            if not cancelled:
                cancel()
                cancelled = True
    result: R = waiting.result()  # raises CancelledError when the call was withdrawn
    return result
