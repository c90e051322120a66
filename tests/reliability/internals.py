"""The few things the injection oracle knows about the implementations' insides: their locks.

An interrupted call can leave a lock held. The oracle notices that through the
public API (a call that never returns) and records it; then, so that the
threads stuck on that lock can finish and the remaining runs still mean
something, it releases the lock: :func:`release_held_locks`. For
``chanspec.reference`` this matters beyond one channel: all its channels share
one lock, which :func:`check_reference_lock` looks at after every run.

:func:`holding_lock` runs code inside a channel's critical section, to show that
a handle the collector closes there is closed without blocking.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any


def shares_one_lock(api: ModuleType) -> bool:
    """Whether every channel of ``api`` shares one lock (``chanspec.reference``): runs on it
    cannot overlap, and each one is checked for leaving that lock held."""
    return api.__name__ == "chanspec.reference"


def _locks(api: ModuleType, handle: Any) -> list[Any]:
    if shares_one_lock(api):
        from chanspec.reference import _state

        return [_state.LOCK]
    chan = getattr(handle, "_chan", None)
    lock = getattr(chan, "lock", None)
    return [lock] if lock is not None else []


def release_held_locks(api: ModuleType, handle: Any, wait: float = 0.2) -> bool:
    """Release the lock of ``handle``'s channel if it stays held for ``wait`` seconds while
    nobody should be inside; whether one was released."""
    released = False
    for lock in _locks(api, handle):
        if lock.acquire(timeout=wait):
            lock.release()
        else:
            lock.release()
            released = True
    return released


def check_reference_lock(api: ModuleType) -> str | None:
    """A violation if ``api`` shares one lock and a run left it held (it is then released)."""
    if not shares_one_lock(api):
        return None
    if release_held_locks(api, None, wait=0.5):
        return "the reference implementation's global lock was left held (every reference channel stops)"
    return None


@contextmanager
def holding_lock(api: ModuleType, handle: Any) -> Iterator[None]:
    """Run the block inside ``handle``'s channel's critical section, as the implementation's own
    code does (so what the block triggers, a finalizer say, runs where the collector may run it)."""
    if shares_one_lock(api):
        from chanspec.reference import _state

        with _state.critical():
            yield
        return
    chan = handle._chan
    chan.lock.acquire()
    try:
        yield
    finally:
        chan.unlock()
