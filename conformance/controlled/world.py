"""The controlled world: what a run patches so that a backend's threads obey the scheduler.

For the duration of one run (:func:`controlled`):

- ``threading.Lock``, ``RLock``, ``Condition``, ``Event``, ``Semaphore``,
  ``BoundedSemaphore`` and ``_thread.allocate_lock`` (with ``threading._allocate_lock``)
  become factories that return :mod:`.primitives` objects when a task calls them, and
  the real ones otherwise. ``queue.Queue`` and ``threading.Barrier`` build on these, so
  they are controlled too, and ``queue.SimpleQueue`` (written in C) becomes the standard
  library's pure-Python twin, which builds on them.
- ``time.monotonic``, ``monotonic_ns``, ``perf_counter``, ``perf_counter_ns`` read the
  virtual clock in a task, and ``time.sleep`` blocks on it (``sleep(0)`` is a switch
  point).
- In the backend's modules (:class:`World` finds them), module-level names bound at
  import time to those functions (``_monotonic = time.monotonic``) are rebound, and
  module-level primitives (a global lock and its condition) are replaced by fresh
  controlled ones; everything is put back afterwards.
- The ``random`` module is seeded from the run's plan (a fair select draws from it),
  and the cyclic garbage collector is paused, so that a replay runs the same code.

Only one controlled run can be in progress in a process at a time, and while it is,
other threads of the process must leave the backend alone (its module-level primitives
are the run's). Not controlled: primitives made before the run and kept elsewhere than
in a module global (an object's attribute), names bound with ``from time import
monotonic`` in modules outside the backend's package, C code that blocks (a socket, a C
extension's lock), threads the backend starts itself. A wait in one of those is seen as
a thread that does not come back to a switch point: the run ends ``stuck``.
"""

from __future__ import annotations

import _thread
import gc
import importlib
import os
import queue
import random
import sys
import threading
import time
import types
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from . import primitives
from .scheduler import Scheduler

_ACTIVE: Scheduler | None = None
_ONE_AT_A_TIME = _thread.allocate_lock()

_REAL_LOCK_TYPE = type(_thread.allocate_lock())
_REAL_RLOCK_TYPES: tuple[type, ...] = tuple({type(threading.RLock()), threading._PyRLock})  # type: ignore[attr-defined]
_REAL_CONDITION = threading.Condition
_REAL_EVENT = threading.Event
_REAL_SEMAPHORE = threading.Semaphore
_REAL_BOUNDED = threading.BoundedSemaphore
_PRIMITIVE_TYPES = (_REAL_LOCK_TYPE, *_REAL_RLOCK_TYPES, _REAL_CONDITION, _REAL_EVENT, _REAL_SEMAPHORE)


def _managed() -> Scheduler | None:
    sched = _ACTIVE
    if sched is not None and sched.manages_caller():
        return sched
    return None


def _factory(controlled: Callable[..., Any], real: Callable[..., Any]) -> Callable[..., Any]:
    def make(*args: Any, **kwargs: Any) -> Any:
        sched = _managed()
        if sched is None:
            return real(*args, **kwargs)
        return controlled(sched, *args, **kwargs)

    make.__name__ = getattr(real, "__name__", "factory")
    make.__qualname__ = make.__name__
    make.__doc__ = f"{make.__name__} (controlled inside a controlled run)"
    return make


def _clock(real: Callable[[], Any], convert: Callable[[int], Any]) -> Callable[[], Any]:
    def read() -> Any:
        sched = _managed()
        return real() if sched is None else convert(sched.now)

    read.__name__ = getattr(real, "__name__", "clock")
    return read


_real_sleep = time.sleep


def _sleep(seconds: float) -> None:
    sched = _managed()
    if sched is None:
        _real_sleep(seconds)
        return
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    if seconds == 0:
        sched.switch_point("sleep")
        return
    sched.block(_never, sched.deadline_after(seconds), "sleep")


def _never() -> bool:
    return False


_PATCHES: tuple[tuple[types.ModuleType, str, Any], ...] = (
    (threading, "Lock", _factory(primitives.Lock, threading.Lock)),
    (threading, "_allocate_lock", _factory(primitives.Lock, threading._allocate_lock)),  # type: ignore[attr-defined]
    (_thread, "allocate_lock", _factory(primitives.Lock, _thread.allocate_lock)),
    (threading, "RLock", _factory(primitives.RLock, threading.RLock)),
    (threading, "Condition", _factory(primitives.Condition, threading.Condition)),
    (threading, "Event", _factory(primitives.Event, threading.Event)),
    (threading, "Semaphore", _factory(primitives.Semaphore, threading.Semaphore)),
    (threading, "BoundedSemaphore", _factory(primitives.BoundedSemaphore, threading.BoundedSemaphore)),
    (time, "monotonic", _clock(time.monotonic, lambda ns: ns / 1e9)),
    (time, "monotonic_ns", _clock(time.monotonic_ns, lambda ns: ns)),
    (time, "perf_counter", _clock(time.perf_counter, lambda ns: ns / 1e9)),
    (time, "perf_counter_ns", _clock(time.perf_counter_ns, lambda ns: ns)),
    (time, "sleep", _sleep),
    (queue, "SimpleQueue", _factory(lambda sched, *args: queue._PySimpleQueue(*args), queue.SimpleQueue)),  # type: ignore[attr-defined]
)
_REPLACEMENT_OF = {id(getattr(module, name)): patched for module, name, patched in _PATCHES}
"""What a module-level name bound to a real function at import time is rebound to."""


DEFAULT_MODULES = ("queue",)
"""Modules whose import-time bindings are always rebound (``queue`` binds ``time.monotonic`` at
import). The backend's own package is added by :meth:`World.for_factory`; nothing else is
touched, so that other code of the process (another backend, a leftover thread) keeps the real
primitives."""

_NEVER_REBOUND = ("chanspec.conformance",)


@dataclass
class World:
    """The modules of one backend whose module-level bindings a run rebinds: the default
    ones, the package of the backend's factory (and of modules its closure holds), and
    any named in ``extra``. Found once, when the world is made."""

    modules: tuple[types.ModuleType, ...]
    files: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        self.bindings = [
            (module, name)
            for module in self.modules
            for name, value in vars(module).items()
            if (callable(value) and id(value) in _REPLACEMENT_OF) or isinstance(value, _PRIMITIVE_TYPES)
        ]
        """The module-level names that may need a controlled stand-in (checked again each run)."""

    @classmethod
    def for_factory(cls, factory: Callable[..., Any], extra: Sequence[str] = ()) -> World:
        prefixes = set(DEFAULT_MODULES) | set(extra) | set(_packages_of(factory))
        for prefix in list(prefixes):
            if prefix not in sys.modules:
                try:
                    importlib.import_module(prefix)
                except ImportError:
                    prefixes.discard(prefix)
        chosen = tuple(
            module
            for name, module in sorted(sys.modules.items())
            if isinstance(module, types.ModuleType)
            and any(name == p or name.startswith(p + ".") for p in prefixes)
            and not name.startswith(_NEVER_REBOUND)
        )
        files = frozenset(
            os.path.realpath(path)
            for module in chosen
            if module.__name__ != "queue" and (path := getattr(module, "__file__", None))
        )
        return cls(chosen, files)


def _packages_of(factory: Callable[..., Any]) -> list[str]:
    """The package of ``factory``'s module, modules its closure holds, and the packages of
    classes and functions it holds (chanspec's own factories hold the implementation's module)."""
    found = [getattr(factory, "__module__", None) or ""]
    for cell in getattr(factory, "__closure__", None) or ():
        try:
            held = cell.cell_contents
        except ValueError:
            continue
        if isinstance(held, types.ModuleType):
            found.append(held.__name__ + ".")
        elif isinstance(held, (type, types.FunctionType)):
            found.append(held.__module__)
    packages = [name[:-1] if name.endswith(".") else name.rpartition(".")[0] or name for name in found if name]
    return [name for name in packages if not name.startswith(_NEVER_REBOUND)]


@contextmanager
def controlled(sched: Scheduler, world: World, seed: bytes) -> Iterator[None]:
    """Patch everything for one run of ``sched`` (see the module's description)."""
    global _ACTIVE
    if not _ONE_AT_A_TIME.acquire(False):
        raise RuntimeError("another controlled run is in progress in this process")
    saved: list[tuple[Any, str, Any]] = []
    random_state = random.getstate()
    collecting = gc.isenabled()
    try:
        for module, name, patched in _PATCHES:
            saved.append((module, name, getattr(module, name)))
            setattr(module, name, patched)
        replacements: dict[int, Any] = {}
        for module, name in world.bindings:
            value = getattr(module, name, None)
            new = _replacement(value, sched, replacements)
            if new is not None:
                saved.append((module, name, value))
                setattr(module, name, new)
        random.seed(seed)
        gc.disable()
        _ACTIVE = sched
        yield
    finally:
        _ACTIVE = None
        for module, name, value in reversed(saved):
            setattr(module, name, value)
        random.setstate(random_state)
        if collecting:
            gc.enable()
        _ONE_AT_A_TIME.release()


def _replacement(value: Any, sched: Scheduler, memo: dict[int, Any]) -> Any:
    """A controlled stand-in for a module-level ``value``, or ``None`` to leave it."""
    key = id(value)
    if key in memo:
        return memo[key]
    new: Any = None
    if callable(value) and key in _REPLACEMENT_OF:
        new = _REPLACEMENT_OF[key]
    elif isinstance(value, _REAL_LOCK_TYPE):
        new = None if value.locked() else primitives.Lock(sched)
    elif isinstance(value, _REAL_RLOCK_TYPES):
        rlock: Any = value
        if rlock.acquire(False):  # free: replace it
            rlock.release()
            new = primitives.RLock(sched)
    elif isinstance(value, _REAL_CONDITION):
        lock = _replacement(value._lock, sched, memo)  # type: ignore[attr-defined]
        if lock is not None and not value._waiters:  # type: ignore[attr-defined]
            new = primitives.Condition(sched, lock)
    elif isinstance(value, _REAL_EVENT):
        new = primitives.Event(sched)
        if value.is_set():
            new._flag = True
    elif isinstance(value, _REAL_BOUNDED):
        new = primitives.BoundedSemaphore(sched, value._initial_value)  # type: ignore[attr-defined]
        new._value = value._value
    elif isinstance(value, _REAL_SEMAPHORE):
        new = primitives.Semaphore(sched, value._value)
    if new is not None:
        memo[key] = new
    return new


def locate(files: frozenset[str]) -> Callable[[], str]:
    """A function that names the innermost frame of the calling thread in one of ``files``
    (the backend's code) as ``file:line in function``."""
    cache: dict[str, bool] = {}

    def where() -> str:
        frame = sys._getframe(1)
        while frame is not None:
            path = frame.f_code.co_filename
            inside = cache.get(path)
            if inside is None:
                inside = cache[path] = os.path.realpath(path) in files
            if inside:
                return f"{os.path.basename(path)}:{frame.f_lineno} in {frame.f_code.co_name}"
            frame = frame.f_back  # type: ignore[assignment]
        return ""

    return where


def line_tracer(sched: Scheduler, files: frozenset[str]) -> Callable[[], None]:
    """A per-thread setup that makes every line of the backend's code (``files``) a switch
    point, through ``sys.settrace`` (slow; for races between synchronisation calls)."""
    cache: dict[str, bool] = {}

    def local(frame: types.FrameType, event: str, arg: object) -> Any:
        if event == "line" and sched.manages_caller():
            sched.switch_point("line")
        return local

    def trace(frame: types.FrameType, event: str, arg: object) -> Any:
        path = frame.f_code.co_filename
        inside = cache.get(path)
        if inside is None:
            inside = cache[path] = os.path.realpath(path) in files
        return local if inside else None

    def install() -> None:
        sys.settrace(trace)

    return install
