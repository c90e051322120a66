"""The contenders: chanspec's two implementations and whichever peers are installed, behind one
small interface.

Each contender opens channels and hands out plain functions (bound methods where the library has
them) so that a workload's loop pays for the library's calls and nothing else. Where a library
has per-thread handles (chanspec's clones, ferryboat's sender clones), every thread gets its own,
as a user would write it. Peers are imported by name and skipped when missing.
"""

from __future__ import annotations

import importlib
import math
import os
import queue
import threading
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any, cast

Send = Callable[[Any], object]
Recv = Callable[[], object]


def optional_module(name: str) -> ModuleType | None:
    """The module ``name`` if it is installed, else None."""
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


class Opened:
    """One open channel: send and receive functions for the threads of a workload, all closed by
    :meth:`close`."""

    def sender(self) -> Send:
        """A blocking send for one producer thread."""
        raise NotImplementedError

    def receiver(self) -> Recv:
        """A blocking receive for one consumer thread."""
        raise NotImplementedError

    def try_send(self) -> Send:
        """A send that never waits (its failure is not expected in the workloads)."""
        raise NotImplementedError

    def try_recv(self) -> Recv:
        """A receive that never waits."""
        raise NotImplementedError

    def close(self) -> None:
        """Give back whatever the channel holds (handles, clones)."""


class Fanned:
    """Several channels read by one consumer that takes from whichever has a message."""

    def __init__(self, senders: list[Send], receive_any: Recv, close: Callable[[], None]) -> None:
        self.senders = senders
        self.receive_any = receive_any
        self.close = close


class Contender:
    """A channel library under test, and what it can do.

    ``unbounded`` false means the library has no unbounded shape: unbounded workloads then open
    it bounded to the whole run (so it never fills), and say so. ``traced`` false means its
    buffers live outside Python's allocator, where ``tracemalloc`` cannot see them.
    """

    key = ""
    label = ""
    threads = True
    unbounded = True
    bounded = True
    rendezvous = False
    select = False
    traced = True
    item: object = 0
    """The message every workload sends (one shared object, so no workload allocates messages)."""
    only: frozenset[str] | None = None
    """The keys of the only scenarios this contender enters (None: every one it can)."""

    def open(self, capacity: int | None, size: int) -> Opened:
        """A channel of ``capacity`` (None: unbounded, or bounded to ``size`` without that shape)."""
        raise NotImplementedError

    def fan_in(self, channels: int, size: int) -> Fanned:
        """``channels`` channels and one consumer selecting over them."""
        raise NotImplementedError

    def make(self) -> object:
        """Create one idle channel (both ends); :meth:`unmake` tears it down."""
        raise NotImplementedError

    def unmake(self, made: object) -> None:
        """Tear down what :meth:`make` returned."""


# chanspec ----------------------------------------------------------------------------------------


class _ChanspecOpened(Opened):
    def __init__(self, pair: tuple[Any, Any]) -> None:
        self._tx, self._rx = pair
        self._handles: list[Any] = [self._tx, self._rx]

    def sender(self) -> Send:
        clone = self._tx.clone()
        self._handles.append(clone)
        return clone.send  # type: ignore[no-any-return]

    def receiver(self) -> Recv:
        clone = self._rx.clone()
        self._handles.append(clone)
        return clone.recv  # type: ignore[no-any-return]

    def try_send(self) -> Send:
        return self._tx.try_send  # type: ignore[no-any-return]

    def try_recv(self) -> Recv:
        return self._rx.try_recv  # type: ignore[no-any-return]

    def close(self) -> None:
        for handle in self._handles:
            handle.close()


class Chanspec(Contender):
    """``chanspec`` (the production implementation) or ``chanspec.reference``."""

    rendezvous = True
    select = True

    def __init__(self, module: ModuleType, key: str, label: str) -> None:
        self._module = module
        self.key = key
        self.label = label

    def _pair(self, capacity: int | None) -> tuple[Any, Any]:
        if capacity is None:
            return self._module.unbounded()  # type: ignore[no-any-return]
        return self._module.bounded(capacity)  # type: ignore[no-any-return]

    def open(self, capacity: int | None, size: int) -> Opened:
        return _ChanspecOpened(self._pair(capacity))

    def fan_in(self, channels: int, size: int) -> Fanned:
        pairs = [self._pair(None) for _ in range(channels)]
        receivers = [rx for _, rx in pairs]
        selector = self._module.Select()
        for rx in receivers:
            selector.recv(rx)
        select = selector.select

        def receive_any() -> object:
            op = select()
            return op.recv(receivers[op.index])

        def close() -> None:
            for tx, rx in pairs:
                tx.close()
                rx.close()

        return Fanned([tx.send for tx, _ in pairs], receive_any, close)

    def make(self) -> object:
        return self._module.unbounded()

    def unmake(self, made: object) -> None:
        tx, rx = cast(tuple[Any, Any], made)
        tx.close()
        rx.close()


# The standard library -------------------------------------------------------------------------------


class _SharedOpened(Opened):
    """A channel that is one object for every thread (the queue family)."""

    def __init__(
        self, send: Send, recv: Recv, try_send: Send, try_recv: Recv, close: Callable[[], None] | None = None
    ) -> None:
        self._send, self._recv, self._try_send, self._try_recv = send, recv, try_send, try_recv
        self._close = close

    def sender(self) -> Send:
        return self._send

    def receiver(self) -> Recv:
        return self._recv

    def try_send(self) -> Send:
        return self._try_send

    def try_recv(self) -> Recv:
        return self._try_recv

    def close(self) -> None:
        if self._close is not None:
            self._close()


class QueueQueue(Contender):
    """``queue.Queue``: the baseline every ratio is taken against. It has neither a rendezvous nor
    a select; those workloads run its closest stand-ins (``Queue(1)``; every producer putting
    into one shared queue)."""

    key = "queue"
    label = "queue.Queue"

    def open(self, capacity: int | None, size: int) -> Opened:
        q: queue.Queue[object] = queue.Queue(capacity or 0)
        return _SharedOpened(q.put, q.get, q.put_nowait, q.get_nowait)

    def fan_in(self, channels: int, size: int) -> Fanned:
        q: queue.Queue[object] = queue.Queue()
        return Fanned([q.put] * channels, q.get, lambda: None)

    def make(self) -> object:
        return queue.Queue()


class SimpleQueue(Contender):
    """``queue.SimpleQueue`` (C): unbounded only."""

    key = "simplequeue"
    label = "queue.SimpleQueue"
    bounded = False

    def open(self, capacity: int | None, size: int) -> Opened:
        q: queue.SimpleQueue[object] = queue.SimpleQueue()
        return _SharedOpened(q.put, q.get, q.put_nowait, q.get_nowait)

    def make(self) -> object:
        return queue.SimpleQueue()


# Peers ------------------------------------------------------------------------------------------------


class _SyncFace(Contender):
    """janus and culsans: the ``sync_q`` face of a two-faced queue, used without an event loop."""

    def __init__(self, module: ModuleType, key: str, label: str) -> None:
        self._module = module
        self.key = key
        self.label = label

    def open(self, capacity: int | None, size: int) -> Opened:
        q = self._module.Queue(capacity or 0)
        face = q.sync_q
        return _SharedOpened(face.put, face.get, face.put_nowait, face.get_nowait, q.close)

    def make(self) -> object:
        return self._module.Queue()

    def unmake(self, made: object) -> None:
        made.close()  # type: ignore[attr-defined]


class Aiologic(Contender):
    """aiologic's ``SimpleQueue`` (unbounded) and ``Queue(n)`` through their blocking ``green_*`` calls."""

    key = "aiologic"
    label = "aiologic"

    def __init__(self, module: ModuleType) -> None:
        self._module = module

    def open(self, capacity: int | None, size: int) -> Opened:
        q = self._module.SimpleQueue() if capacity is None else self._module.Queue(capacity)
        get = q.green_get

        def try_send(item: object) -> None:
            q.green_put(item, blocking=False)

        def try_recv() -> object:
            return get(blocking=False)

        return _SharedOpened(q.green_put, get, try_send, try_recv)

    def make(self) -> object:
        return self._module.SimpleQueue()


class PygoRoutines(Contender):
    """pygo-routines' ``Chan`` (buffered or rendezvous, no unbounded shape) and its prepared ``Select``."""

    key = "pygo"
    label = "pygo-routines"
    unbounded = False
    rendezvous = True
    select = True

    def __init__(self, module: ModuleType) -> None:
        self._module = module

    def open(self, capacity: int | None, size: int) -> Opened:
        chan = self._module.Chan(size if capacity is None else capacity)
        try_recv_pair = chan.try_recv

        def try_recv() -> object:
            return try_recv_pair()[0]

        return _SharedOpened(chan.send, chan.recv, chan.try_send, try_recv, chan.close)

    def fan_in(self, channels: int, size: int) -> Fanned:
        chans = [self._module.Chan(size) for _ in range(channels)]
        wait = self._module.Select(*(self._module.recv_case(chan) for chan in chans)).wait

        def receive_any() -> object:
            return wait()[1]

        def close() -> None:
            for chan in chans:
                chan.close()

        return Fanned([chan.send for chan in chans], receive_any, close)

    def make(self) -> object:
        return self._module.Chan(1)

    def unmake(self, made: object) -> None:
        made.close()  # type: ignore[attr-defined]


class _FerryboatOpened(Opened):
    def __init__(self, pair: tuple[Any, Any]) -> None:
        self._tx, self._rx = pair
        self._senders: list[Any] = [self._tx]

    def sender(self) -> Send:
        clone = self._tx.clone()
        self._senders.append(clone)
        return clone.send  # type: ignore[no-any-return]

    def receiver(self) -> Recv:
        return self._rx.recv  # type: ignore[no-any-return]  # one receiver, shared (it cannot clone)

    def try_send(self) -> Send:
        return self._tx.try_send  # type: ignore[no-any-return]

    def try_recv(self) -> Recv:
        return self._rx.try_recv  # type: ignore[no-any-return]

    def close(self) -> None:
        for sender in self._senders:
            sender.close()
        self._rx.close()


class Ferryboat(Contender):
    """ferryboat: crossbeam-channel behind PyO3. Bounded only, ``bytes`` only; its buffers are Rust
    memory, invisible to ``tracemalloc``."""

    key = "ferryboat"
    label = "ferryboat"
    unbounded = False
    traced = False
    item = b"x"

    def __init__(self, module: ModuleType) -> None:
        self._module = module
        module.configure_logging("error")  # it logs every channel creation otherwise

    def open(self, capacity: int | None, size: int) -> Opened:
        return _FerryboatOpened(self._module.Channel.new(size if capacity is None else capacity))

    def make(self) -> object:
        return self._module.Channel.new(1)

    def unmake(self, made: object) -> None:
        tx, rx = cast(tuple[Any, Any], made)
        tx.close()
        rx.close()


class TrioMemory(Contender):
    """trio's memory channel through its synchronous calls (``send_nowait``/``receive_nowait``) in
    one thread: it is not thread-safe, so it only enters the single-thread workloads."""

    key = "trio"
    label = "trio memory channel"
    threads = False
    bounded = False

    def __init__(self, module: ModuleType) -> None:
        self._module = module

    def open(self, capacity: int | None, size: int) -> Opened:
        tx, rx = self._module.open_memory_channel(math.inf if capacity is None else capacity)

        def close() -> None:
            tx.close()
            rx.close()

        return _SharedOpened(tx.send_nowait, rx.receive_nowait, tx.send_nowait, rx.receive_nowait, close)

    def make(self) -> object:
        return self._module.open_memory_channel(math.inf)

    def unmake(self, made: object) -> None:
        tx, rx = cast(tuple[Any, Any], made)
        tx.close()
        rx.close()


# The floor ----------------------------------------------------------------------------------------------


class _Signal:
    """The least a pure-Python blocking channel can be: one Python method around releasing a
    lock, one around acquiring it. It carries no message and holds at most one signal."""

    __slots__ = ("_lock",)

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._lock.acquire()

    def send(self, item: object) -> None:
        self._lock.release()

    def recv(self) -> object:
        return self._lock.acquire()


class LockFloor(Contender):
    """Not a channel: a ``threading.Lock`` hand-off wrapped in two methods, the floor under any
    pure-Python channel's round trip (it enters the ping-pong only)."""

    key = "lock_floor"
    label = "Lock hand-off (floor)"
    only = frozenset({"ping_pong"})

    def open(self, capacity: int | None, size: int) -> Opened:
        signal = _Signal()
        return _SharedOpened(signal.send, signal.recv, signal.send, signal.recv)


# Discovery --------------------------------------------------------------------------------------------


def available(extra_modules: list[str] = []) -> Iterator[Contender]:  # noqa: B006 (never mutated)
    """Every contender that imports here, baseline first, then chanspec, then ``extra_modules``
    (importable modules with chanspec's API, such as a modified copy of the implementation
    under study), then the peers."""
    yield QueueQueue()
    yield Chanspec(importlib.import_module("chanspec"), "chanspec", "chanspec")
    yield Chanspec(importlib.import_module("chanspec.reference"), "reference", "chanspec.reference")
    for name in extra_modules:
        yield Chanspec(importlib.import_module(name), name, name)
    yield SimpleQueue()
    for name in ("janus", "culsans"):
        module = optional_module(name)
        if module is not None:
            yield _SyncFace(module, name, f"{name} (sync_q)")
    module = optional_module("aiologic")
    if module is not None:
        yield Aiologic(module)
    os.environ.setdefault("PYROUTINE_NO_GIL_WARNING", "1")  # its import warns on GIL builds otherwise
    module = optional_module("pyroutine")
    if module is not None:
        yield PygoRoutines(module)
    module = optional_module("ferryboat")
    if module is not None:
        yield Ferryboat(module)
    module = optional_module("trio")
    if module is not None:
        yield TrioMemory(module)
    yield LockFloor()


BASELINE = "queue"
"""The key of the contender every ratio is taken against."""
