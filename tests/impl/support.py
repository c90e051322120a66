"""Helpers for the production-implementation tests: bounded waits on internal state."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sized
from typing import Any

JOIN_TIMEOUT = 10.0
"""Seconds any join or wait for an internal state may take before the test fails."""


def wait_until(predicate: Callable[[], bool], timeout: float = JOIN_TIMEOUT, what: str = "the condition") -> None:
    """Return once ``predicate()`` holds; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout} s")
        time.sleep(0.001)


def parked(waiting: Sized, count: int) -> bool:
    """Whether exactly ``count`` entries wait in the wait queue ``waiting``."""
    return len(waiting) == count


def join_all(threads: list[threading.Thread], timeout: float = JOIN_TIMEOUT) -> None:
    """Join every thread within ``timeout`` seconds in total; fail if one is still running."""
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
        assert not thread.is_alive(), f"{thread.name} still running after {timeout} s"


class Call:
    """Runs ``call`` on a daemon thread and keeps its result or exception."""

    def __init__(self, call: Callable[[], Any], name: str = "call") -> None:
        self._call = call
        self.value: Any = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            self.value = self._call()
        except BaseException as error:
            self.error = error

    @property
    def done(self) -> bool:
        """The call has returned or raised."""
        return not self.thread.is_alive()

    def result(self, timeout: float = JOIN_TIMEOUT) -> Any:
        """What the call returned (re-raising what it raised), within ``timeout``."""
        join_all([self.thread], timeout)
        if self.error is not None:
            raise self.error
        return self.value

    def raised(self, timeout: float = JOIN_TIMEOUT) -> BaseException:
        """The exception the call raised, within ``timeout``."""
        join_all([self.thread], timeout)
        assert self.error is not None, f"returned {self.value!r} instead of raising"
        return self.error


class CountingLock:
    """Stands in for a channel's lock and counts how often it is taken."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.acquired = 0

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        taken = self._lock.acquire(blocking, timeout)
        self.acquired += taken
        return taken

    def release(self) -> None:
        self._lock.release()

    def locked(self) -> bool:
        return self._lock.locked()

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc_info: object) -> None:
        self.release()
