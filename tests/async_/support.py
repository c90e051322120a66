"""Helpers of the async suite: running a coroutine with a bound, letting tasks reach their wait."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

BOUND = 10.0
"""Seconds any test coroutine (or thread join) may take before the test fails."""


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` on a fresh loop, failing (not hanging) after :data:`BOUND` seconds."""
    return asyncio.run(asyncio.wait_for(coroutine, BOUND))


async def settle() -> None:
    """Let every ready task of this loop run until it awaits something (a task that calls
    ``arecv`` on an empty channel is then registered as a waiter)."""
    for _ in range(5):
        await asyncio.sleep(0)
