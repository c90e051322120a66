"""Raise an exception at the n-th line (or bytecode instruction) an implementation executes.

A trace hook, installed with ``sys.settrace`` on one thread, counts the
``line`` events (or, at the finer grain, ``opcode`` events) of frames whose code
belongs to the implementation under test and the front package it builds on
(``chanspec/handles.py``, ``errors.py``, ``_validate.py``). A dry run records
where each event happened; a run with ``target=n`` raises :class:`Injected` at
event ``n``, which is what a signal handler raising ``KeyboardInterrupt`` (or
any trace hook raising) does at that point. With ``pause=True`` the thread
instead stops at event ``n`` until resumed: another thread can act right there
(the preemption runs close the call's own handle at that moment). Python stops tracing a thread whose
trace function raised, so each run injects exactly once.

Points are named by file, function and the text of the line (plus the
instruction offset at the opcode grain), not by line numbers alone, so that the
table of known windows survives edits elsewhere in a file.
"""

from __future__ import annotations

import linecache
import os
import sys
import threading
from collections import deque
from dataclasses import dataclass
from types import FrameType, ModuleType
from typing import Any

import chanspec

GRAINS = ("line", "opcode")

PAUSE_LIMIT = 30.0
"""Seconds a paused thread waits to be resumed, at most (a harness that forgets cannot hang it)."""


_KEPT: deque[tuple[Any, Any]] = deque(maxlen=100_000)
"""The trace functions of recent tracers, kept alive. CPython 3.11 can call a trace function
after the thread's trace was reset by an exception raised from it (a use after free: the
interpreter crashed, about once in a few thousand runs, until these were kept)."""


class Injected(KeyboardInterrupt):
    """The asynchronous exception the tracer raises (a ``KeyboardInterrupt``, as Ctrl-C gives)."""


@dataclass(frozen=True)
class Point:
    """Where an event happened: ``file`` is relative to the package root (``impl/_zero.py``)."""

    file: str
    function: str
    line: int
    text: str
    offset: int = -1  # the instruction offset, at the opcode grain

    def __str__(self) -> str:
        at = f" @{self.offset}" if self.offset >= 0 else ""
        return f"{self.file}:{self.line} {self.function}(): {self.text}{at}"

    @property
    def key(self) -> str:
        """The name of the line, without its number: ``impl/_zero.py send(): self.lock.acquire()``."""
        return f"{self.file} {self.function}(): {self.text}"


def roots(api: ModuleType) -> tuple[str, ...]:
    """The source paths whose lines count for ``api`` (a directory ends with a separator)."""
    front = os.path.dirname(os.path.abspath(chanspec.__file__))
    package = os.path.dirname(os.path.abspath(api.__file__ or ""))
    return (package + os.sep, *(os.path.join(front, name) for name in ("handles.py", "errors.py", "_validate.py")))


_SOURCES: dict[str, list[str]] = {}
"""The text of each traced file as first read in this process. Not ``linecache``, which rereads a
file that changed on disk: the code that runs is the code imported, and a point must be named by
that code's line even if someone edits the file during a long run."""


def _line(filename: str, number: int) -> str:
    lines = _SOURCES.get(filename)
    if lines is None:
        lines = _SOURCES[filename] = linecache.getlines(filename)
    return lines[number - 1].strip() if 0 < number <= len(lines) else "(no line)"


def _relative(filename: str) -> str:
    parts = os.path.abspath(filename).split(os.sep)
    return "/".join(parts[-2:]) if parts[-2] in ("impl", "reference") else "chanspec/" + parts[-1]


class Tracer:
    """Counts events of one grain in one thread; records them (dry run) or injects at ``target``."""

    def __init__(
        self, api: ModuleType, grain: str, target: int | None = None, record: bool = False, pause: bool = False
    ) -> None:
        assert grain in GRAINS
        self._roots = roots(api)
        self._opcodes = grain == "opcode"
        self._event = grain
        self.target = -1 if target is None else target
        self.record = record
        self.count = 0
        self.points: list[Point] = []
        self.fired: Point | None = None
        self._hooks = (self._global, self._local)  # one object each, kept alive: see _KEPT
        self.pause = pause  # at the target: wait for resume instead of raising
        self.paused = threading.Event()
        self.resume = threading.Event()

    def install(self) -> None:
        """Start tracing the calling thread."""
        _KEPT.append(self._hooks)
        sys.settrace(self._hooks[0])

    @staticmethod
    def remove() -> None:
        """Stop tracing the calling thread (harmless if the injection already stopped it)."""
        sys.settrace(None)

    def _global(self, frame: FrameType, event: str, arg: Any) -> Any:
        if not frame.f_code.co_filename.startswith(self._roots):
            return None
        if self._opcodes:
            frame.f_trace_opcodes = True
        return self._hooks[1]

    def _local(self, frame: FrameType, event: str, arg: Any) -> Any:
        if event == self._event:
            index = self.count
            self.count += 1
            if self.record:
                self.points.append(self._point(frame))
            if index == self.target:
                self.fired = self._point(frame)
                if self.pause:
                    self.paused.set()
                    self.resume.wait(PAUSE_LIMIT)
                else:
                    raise Injected(f"injected at event {index}: {self.fired}")
        return self._hooks[1]

    def _point(self, frame: FrameType) -> Point:
        code = frame.f_code
        line = frame.f_lineno or 0  # None for the few instructions that belong to no line
        text = _line(code.co_filename, line)
        offset = frame.f_lasti if self._opcodes else -1
        return Point(_relative(code.co_filename), code.co_name, line, text, offset)
