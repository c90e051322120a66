"""Threads that run calls on request, and a probe that tells when one is parked in a channel.

An :class:`Agent` is a daemon thread that runs the jobs given to it one at a
time, so a test can run several calls on the *same* thread (an interrupted call,
then a fresh one: per-thread state such as a spare wait token is exercised too)
and wait for each with a bound. An agent whose job never ends is abandoned: it
is a daemon and holds nothing the next test needs.

:func:`parked` looks at a thread's innermost Python frame, without knowing the
implementation's function names (they change): a call is parked when that frame
is in the implementation (or is ``Condition.wait`` called from it), its current
line calls ``acquire(`` or ``wait(``, and it is still at the same instruction a
moment later (a thread merely passing an uncontended ``acquire`` is gone by
then).
"""

from __future__ import annotations

import linecache
import os
import queue
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

WAIT = 5.0
"""Seconds any call a test expects to finish may take (only reached when something is stuck)."""

_BLOCKING_CALLS = ("acquire(", "wait(")
_THREADING = os.path.abspath(threading.__file__)
_PACKAGE = os.sep + "chanspec" + os.sep


class Job:
    """One call given to an agent: its outcome once :attr:`done` is set."""

    def __init__(self, call: Callable[[], Any]) -> None:
        self.call = call
        self.started = threading.Event()
        self.done = threading.Event()
        self.value: Any = None
        self.error: BaseException | None = None

    def wait(self, timeout: float = WAIT) -> bool:
        """Whether the call ended within ``timeout`` seconds."""
        return self.done.wait(timeout)

    def result(self, timeout: float = WAIT) -> Any:
        """What the call returned; re-raises what it raised (once: the job lets go of it, so no
        reference cycle through the traceback keeps the caller's frame alive); AssertionError if
        the call is still running."""
        assert self.wait(timeout), f"a call is still running after {timeout} s"
        error, self.error = self.error, None
        if error is not None:
            try:
                raise error
            finally:
                del error
        return self.value


class Agent:
    """A daemon thread running the jobs submitted to it, in order."""

    def __init__(self, name: str) -> None:
        self._jobs: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self.current: Job | None = None
        self.thread = threading.Thread(target=self._serve, name=name, daemon=True)
        self.thread.start()

    def submit(self, call: Callable[[], Any]) -> Job:
        """Run ``call`` on this agent's thread after the jobs before it."""
        job = Job(call)
        self._jobs.put(job)
        return job

    def run(self, call: Callable[[], Any], timeout: float = WAIT) -> Any:
        """Run ``call`` here and wait for its result (see :meth:`Job.result`)."""
        return self.submit(call).result(timeout)

    def stop(self) -> None:
        """Let the thread end once its current job (if any) ends."""
        self._jobs.put(None)

    def finish(self, timeout: float) -> bool:
        """Stop, and wait up to ``timeout`` seconds for the thread to end (False: it is stuck)."""
        self.stop()
        self.thread.join(timeout)
        return not self.thread.is_alive()

    def _serve(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            self.current = job
            job.started.set()
            try:
                job.value = job.call()
            except BaseException as error:  # kept for the test, which decides what it means
                job.error = error
            finally:
                job.call = _done
                self.current = None
                job.done.set()


def _done() -> None:
    """Stands in for a finished job's call, so the job does not keep the call's closure alive."""


def parked(agent: Agent) -> bool:
    """Whether the agent's current job is waiting inside a channel (see the module docstring)."""
    ident = agent.thread.ident
    return ident is not None and agent.current is not None and thread_parked(ident)


def thread_parked(ident: int) -> bool:
    """Whether the thread ``ident`` is waiting inside a channel (see the module docstring)."""
    first = _blocking_frame(ident)
    if first is None:
        return False
    time.sleep(0.0005)
    return _blocking_frame(ident) == first


def _blocking_frame(ident: int) -> tuple[int, int] | None:
    frame = sys._current_frames().get(ident)
    if frame is None:
        return None
    filename = os.path.abspath(frame.f_code.co_filename)
    if filename == _THREADING:  # Condition.wait, but only when a channel called it
        caller = frame.f_back
        if caller is None or _PACKAGE not in os.path.abspath(caller.f_code.co_filename):
            return None
    elif _PACKAGE not in filename:
        return None
    line = linecache.getline(frame.f_code.co_filename, frame.f_lineno)
    if not any(call in line for call in _BLOCKING_CALLS):
        return None
    return id(frame), frame.f_lasti


def where(agent: Agent) -> str:
    """``file:line function`` of the agent's innermost frame, for failure messages."""
    frame = sys._current_frames().get(agent.thread.ident or -1)
    if frame is None:
        return "(not running)"
    return f"{os.path.basename(frame.f_code.co_filename)}:{frame.f_lineno} {frame.f_code.co_name}"


def until_parked_or_done(agent: Agent, job: Job, timeout: float = WAIT, stopped: threading.Event | None = None) -> bool:
    """Wait until ``job`` is parked in a channel (True) or has ended (False), or the event
    ``stopped`` is set (False); AssertionError if none of it happens within ``timeout`` (the job
    is blocked somewhere else, e.g. on a lock left held)."""
    assert job.started.wait(timeout), "the agent did not start the job"
    deadline = time.monotonic() + timeout
    while True:
        if job.done.is_set() or (stopped is not None and stopped.is_set()):
            return False
        if parked(agent):
            return True
        if time.monotonic() > deadline:
            raise AssertionError(f"neither parked nor done after {timeout} s, at {where(agent)}")
        time.sleep(0.0002)
