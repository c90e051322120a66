"""Scheduler-aware stand-ins for ``threading``'s locks, conditions, events and semaphores.

While a controlled run is in progress, ``threading.Lock()`` and its siblings called
from a task return these (:mod:`.world` installs the factories), so a backend that
creates its primitives when a channel is made synchronises through the scheduler.
They behave like the originals, with three differences: every operation is a switch
point (before it acts; a release also after), waiting is blocking in the scheduler
(so it costs no wall time and a timeout runs on the virtual clock), and a wait can
end with :class:`~.scheduler.Abandoned` when the run is torn down.

A primitive used by a thread that is not the running task (a finalizer after the
run, say) acts at once without switching; if it would have to wait there it raises
``RuntimeError`` rather than wait for a task that will never run again.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

from .scheduler import Scheduler, Task

_OUTSIDE = "a controlled {} was waited for outside its controlled run (nothing would ever release it)"


def _check_timeout(blocking: bool, timeout: float) -> None:
    if not blocking and timeout != -1:
        raise ValueError("can't specify a timeout for a non-blocking call")
    if timeout < 0 and timeout != -1:
        raise ValueError("timeout value must be a non-negative number")


class Lock:
    """``threading.Lock``: any thread may release it."""

    __slots__ = ("_locked", "_sched")

    def __init__(self, sched: Scheduler) -> None:
        self._sched = sched
        self._locked = False

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        _check_timeout(blocking, timeout)
        sched = self._sched
        if not sched.manages_caller():
            return self._acquire_outside(blocking and timeout != 0)
        sched.switch_point("Lock.acquire")
        if not self._locked:
            self._locked = True
            return True
        if not blocking or timeout == 0:
            return False
        deadline = None if timeout < 0 else sched.deadline_after(timeout)
        if not sched.block(self._free, deadline, "Lock.acquire"):
            return False
        self._locked = True
        return True

    def _acquire_outside(self, wait: bool) -> bool:
        if not self._locked:
            self._locked = True
            return True
        if wait:
            raise RuntimeError(_OUTSIDE.format("lock"))
        return False

    def _free(self) -> bool:
        return not self._locked

    def release(self) -> None:
        if not self._locked:
            raise RuntimeError("release unlocked lock")
        self._locked = False
        sched = self._sched
        if sched.manages_caller():
            sched.switch_point("Lock.release")

    def _release_quietly(self) -> None:
        """Release without a switch point (a condition wait releases and blocks in one step)."""
        self._locked = False

    def locked(self) -> bool:
        sched = self._sched
        if sched.manages_caller():
            sched.switch_point("Lock.locked")
        return self._locked

    def _is_owned(self) -> bool:
        return self._locked

    acquire_lock = acquire
    release_lock = release
    locked_lock = locked

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc_info: object) -> None:
        self.release()

    def __repr__(self) -> str:
        return f"<controlled {'locked' if self._locked else 'unlocked'} Lock>"


class RLock:
    """``threading.RLock``: re-entrant for the task that holds it; only that task releases it."""

    __slots__ = ("_count", "_owner", "_sched")

    def __init__(self, sched: Scheduler) -> None:
        self._sched = sched
        self._owner: object | None = None
        self._count = 0

    def _me(self) -> object:
        sched = self._sched
        return sched.current if sched.manages_caller() else _Outsider.token()

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        _check_timeout(blocking, timeout)
        me = self._me()
        if self._owner is me:
            self._count += 1
            return True
        sched = self._sched
        if not isinstance(me, Task):
            if self._owner is None:
                self._owner, self._count = me, 1
                return True
            if blocking and timeout != 0:
                raise RuntimeError(_OUTSIDE.format("re-entrant lock"))
            return False
        sched.switch_point("RLock.acquire")
        if self._owner is None:
            self._owner, self._count = me, 1
            return True
        if not blocking or timeout == 0:
            return False
        deadline = None if timeout < 0 else sched.deadline_after(timeout)
        if not sched.block(self._free, deadline, "RLock.acquire"):
            return False
        self._owner, self._count = me, 1
        return True

    def _free(self) -> bool:
        return self._owner is None

    def release(self) -> None:
        if self._owner is not self._me():
            raise RuntimeError("cannot release un-acquired lock")
        self._count -= 1
        if self._count == 0:
            self._owner = None
            sched = self._sched
            if sched.manages_caller():
                sched.switch_point("RLock.release")

    def _is_owned(self) -> bool:
        return self._owner is self._me()

    def _release_save(self) -> tuple[int, object]:
        if not self._is_owned():
            raise RuntimeError("cannot release un-acquired lock")
        state = (self._count, self._owner)
        self._owner, self._count = None, 0
        return state

    def _acquire_restore(self, state: tuple[int, object]) -> None:
        self.acquire()
        self._count, self._owner = state

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc_info: object) -> None:
        self.release()

    def __repr__(self) -> str:
        return f"<controlled RLock count={self._count}>"


class _Outsider:
    """Who holds a re-entrant lock taken outside the run: the OS thread."""

    @staticmethod
    def token() -> object:
        import _thread

        return ("outside", _thread.get_ident())


class _Waiter:
    __slots__ = ("notified",)

    def __init__(self) -> None:
        self.notified = False

    def __call__(self) -> bool:
        return self.notified


class Condition:
    """``threading.Condition`` over a controlled lock (a new :class:`RLock` by default).
    A wait releases the lock and blocks in one step; a notification marks the oldest
    waiters, which then compete for the lock like anyone else."""

    def __init__(self, sched: Scheduler, lock: Any = None) -> None:
        self._sched = sched
        self._lock: Any = RLock(sched) if lock is None else lock
        self._waiters: deque[_Waiter] = deque()
        self.acquire = self._lock.acquire
        self.release = self._lock.release

    def __enter__(self) -> bool:
        return bool(self._lock.acquire())

    def __exit__(self, *exc_info: object) -> None:
        self._lock.release()

    def _is_owned(self) -> bool:
        owned = getattr(self._lock, "_is_owned", None)
        if owned is not None:
            return bool(owned())
        if self._lock.acquire(False):
            self._lock.release()
            return False
        return True

    def _release_all(self) -> Any:
        lock = self._lock
        if isinstance(lock, RLock):
            return lock._release_save()
        if isinstance(lock, Lock):
            lock._release_quietly()
        else:
            lock.release()
        return None

    def _reacquire(self, saved: Any) -> None:
        lock = self._lock
        if isinstance(lock, RLock):
            lock._acquire_restore(saved)
        else:
            lock.acquire()

    def wait(self, timeout: float | None = None) -> bool:
        if not self._is_owned():
            raise RuntimeError("cannot wait on un-acquired lock")
        sched = self._sched
        if not sched.manages_caller():
            raise RuntimeError(_OUTSIDE.format("condition"))
        waiter = _Waiter()
        self._waiters.append(waiter)
        saved = self._release_all()
        try:
            deadline = None if timeout is None else sched.deadline_after(timeout)
            sched.block(waiter, deadline, "Condition.wait")
        finally:
            if not waiter.notified and waiter in self._waiters:
                self._waiters.remove(waiter)
            self._reacquire(saved)
        return waiter.notified

    def wait_for(self, predicate: Callable[[], Any], timeout: float | None = None) -> Any:
        sched = self._sched
        end: int | None = None
        result = predicate()
        while not result:
            wait: float | None = None
            if timeout is not None:
                if end is None:
                    end = sched.deadline_after(timeout)
                wait = (end - sched.now) / 1e9
                if wait <= 0:
                    break
            self.wait(wait)
            result = predicate()
        return result

    def notify(self, n: int = 1) -> None:
        if not self._is_owned():
            raise RuntimeError("cannot notify on un-acquired lock")
        sched = self._sched
        if sched.manages_caller():
            sched.switch_point("Condition.notify")
        for _ in range(min(n, len(self._waiters))):
            self._waiters.popleft().notified = True

    def notify_all(self) -> None:
        self.notify(len(self._waiters))

    notifyAll = notify_all

    def __repr__(self) -> str:
        return f"<controlled Condition({self._lock!r}, {len(self._waiters)} waiting)>"


class Event:
    """``threading.Event``: ``set`` wakes every task waiting then, even if the flag is
    cleared again before they run."""

    __slots__ = ("_flag", "_sched", "_waiters")

    def __init__(self, sched: Scheduler) -> None:
        self._sched = sched
        self._flag = False
        self._waiters: list[_Waiter] = []

    def _switch(self, kind: str) -> None:
        sched = self._sched
        if sched.manages_caller():
            sched.switch_point(kind)

    def is_set(self) -> bool:
        self._switch("Event.is_set")
        return self._flag

    isSet = is_set

    def set(self) -> None:
        self._switch("Event.set")
        self._flag = True
        for waiter in self._waiters:
            waiter.notified = True
        self._waiters.clear()

    def clear(self) -> None:
        self._switch("Event.clear")
        self._flag = False

    def wait(self, timeout: float | None = None) -> bool:
        sched = self._sched
        if not sched.manages_caller():
            if self._flag or timeout == 0:
                return self._flag
            raise RuntimeError(_OUTSIDE.format("event"))
        sched.switch_point("Event.wait")
        if self._flag:
            return True
        waiter = _Waiter()
        self._waiters.append(waiter)
        try:
            deadline = None if timeout is None else sched.deadline_after(timeout)
            sched.block(waiter, deadline, "Event.wait")
        finally:
            if not waiter.notified and waiter in self._waiters:
                self._waiters.remove(waiter)
        return waiter.notified

    def __repr__(self) -> str:
        return f"<controlled Event {'set' if self._flag else 'unset'}>"


class Semaphore:
    """``threading.Semaphore``: a waiter takes a unit when one is free (others may barge)."""

    def __init__(self, sched: Scheduler, value: int = 1) -> None:
        if value < 0:
            raise ValueError("semaphore initial value must be >= 0")
        self._sched = sched
        self._value = value

    def _free(self) -> bool:
        return self._value > 0

    def acquire(self, blocking: bool = True, timeout: float | None = None) -> bool:
        if not blocking and timeout is not None:
            raise ValueError("can't specify timeout for non-blocking acquire")
        sched = self._sched
        if not sched.manages_caller():
            if self._value > 0:
                self._value -= 1
                return True
            if blocking and timeout != 0:
                raise RuntimeError(_OUTSIDE.format("semaphore"))
            return False
        sched.switch_point("Semaphore.acquire")
        if self._value == 0:
            if not blocking or timeout == 0:
                return False
            deadline = None if timeout is None else sched.deadline_after(timeout)
            if not sched.block(self._free, deadline, "Semaphore.acquire"):
                return False
        self._value -= 1
        return True

    def release(self, n: int = 1) -> None:
        if n < 1:
            raise ValueError("n must be one or more")
        self._value += n
        sched = self._sched
        if sched.manages_caller():
            sched.switch_point("Semaphore.release")

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc_info: object) -> None:
        self.release()


class BoundedSemaphore(Semaphore):
    """``threading.BoundedSemaphore``: releasing above the initial value is an error."""

    def __init__(self, sched: Scheduler, value: int = 1) -> None:
        super().__init__(sched, value)
        self._initial = value

    def release(self, n: int = 1) -> None:
        if self._value + n > self._initial:
            raise ValueError("Semaphore released too many times")
        super().release(n)
