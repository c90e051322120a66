"""Fixed threaded scenarios: what sequential scripts cannot show, pinned down call by call.

Each scenario is a script (several threads; a call that cannot complete waits on its own
thread) plus what Rust must visibly do at its key calls, so that a scenario cannot pass without
exercising what it is named after. The comparison with the spec applies to them as to generated
scripts.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from chanspec.spec import (
    Clone,
    Close,
    Disconnected,
    Empty,
    Full,
    Handle,
    Mode,
    Open,
    Operation,
    Received,
    Recv,
    Send,
    Sent,
    Value,
    rx,
    tx,
)

from .reports import BLOCKED, Completion, Returned
from .scripts import Script, ScriptCall

LONG_MS = 10_000
"""A timed call that must be woken long before it would expire."""


@dataclass(frozen=True)
class Expect:
    """At call ``index``: what it returned, and which waiting calls returned meanwhile."""

    index: int
    returned: Returned
    woken: tuple[Completion, ...] = ()


@dataclass(frozen=True)
class Scenario:
    name: str
    script: Script
    expectations: tuple[Expect, ...]

    def __str__(self) -> str:
        return f"{self.name} [{self.script.library}]"


class _Calls:
    """Builds a scenario's calls: ``by(thread, op)`` returns the call's index."""

    def __init__(self) -> None:
        self.calls: list[ScriptCall] = []

    def by(self, thread: int, operation: Operation, timeout_ms: int | None = None) -> int:
        self.calls.append(ScriptCall(thread, operation, timeout_ms))
        return len(self.calls) - 1

    def close_all(self, thread: int, *handles: Handle) -> None:
        for handle in handles:
            self.by(thread, Close(handle))

    def scenario(self, name: str, library: str, *expectations: Expect) -> Scenario:
        return Scenario(name, Script(library, tuple(self.calls)), expectations)


def _recv_woken_by_last_sender_close(library: str, capacity: int | None, timed: bool) -> Scenario:
    c = _Calls()
    c.by(0, Open(capacity))
    c.by(0, Clone(tx(0)))
    wait = c.by(1, Recv(rx(0), Mode.TIMED if timed else Mode.BLOCK), LONG_MS if timed else None)
    first = c.by(0, Close(tx(0)))
    last = c.by(0, Close(tx(0, 1)))
    c.close_all(2, rx(0))
    call = "recv_timeout" if timed else "recv"
    return c.scenario(
        f"a blocked {call} is woken by the last sender's close (capacity {capacity})",
        library,
        Expect(wait, BLOCKED),
        Expect(first, _closed()),
        Expect(last, _closed(), ((1, Disconnected()),)),
    )


def _send_woken_by_receiver_close(library: str, capacity: int, timed: bool) -> Scenario:
    c = _Calls()
    c.by(0, Open(capacity))
    for message in range(1, capacity + 1):
        c.by(0, Send(tx(0), message, Mode.TRY))
    wait = c.by(1, Send(tx(0), 100, Mode.TIMED if timed else Mode.BLOCK), LONG_MS if timed else None)
    close = c.by(0, Close(rx(0)))
    later = c.by(0, Send(tx(0), 101, Mode.TRY))
    c.close_all(2, tx(0))
    call = "send_timeout" if timed else "send"
    return c.scenario(
        f"a blocked {call} is woken by the receiver's close, with its message (capacity {capacity})",
        library,
        Expect(wait, BLOCKED),
        Expect(close, _closed(), ((1, Disconnected(100)),)),
        Expect(later, Disconnected(101)),
    )


def _two_senders_woken(library: str, capacity: int) -> Scenario:
    c = _Calls()
    c.by(0, Open(capacity))
    c.by(0, Clone(tx(0)))
    for message in range(1, capacity + 1):
        c.by(0, Send(tx(0), message, Mode.TRY))
    first = c.by(0, Send(tx(0), 100, Mode.BLOCK))
    second = c.by(1, Send(tx(0, 1), 200, Mode.BLOCK))
    close = c.by(2, Close(rx(0)))
    c.close_all(2, tx(0), tx(0, 1))
    return c.scenario(
        f"two blocked senders are both woken by the receiver's close (capacity {capacity})",
        library,
        Expect(first, BLOCKED),
        Expect(second, BLOCKED),
        Expect(close, _closed(), ((0, Disconnected(100)), (1, Disconnected(200)))),
    )


def _rendezvous_try_send(library: str, timed: bool) -> Scenario:
    c = _Calls()
    c.by(0, Open(0))
    alone = c.by(0, Send(tx(0), 1, Mode.TRY))
    wait = c.by(1, Recv(rx(0), Mode.TIMED if timed else Mode.BLOCK), LONG_MS if timed else None)
    paired = c.by(0, Send(tx(0), 2, Mode.TRY))
    after = c.by(0, Send(tx(0), 3, Mode.TRY))
    empty = c.by(0, Recv(rx(0), Mode.TRY))
    c.close_all(2, tx(0), rx(0))
    call = "recv_timeout" if timed else "recv"
    return c.scenario(
        f"a rendezvous try_send succeeds only while a {call} waits",
        library,
        Expect(alone, Full(1)),
        Expect(wait, BLOCKED),
        Expect(paired, Sent(), ((1, Received(2)),)),
        Expect(after, Full(3)),
        Expect(empty, Empty()),
    )


def _rendezvous_try_recv(library: str) -> Scenario:
    c = _Calls()
    c.by(0, Open(0))
    alone = c.by(0, Recv(rx(0), Mode.TRY))
    wait = c.by(1, Send(tx(0), 7, Mode.BLOCK))
    paired = c.by(0, Recv(rx(0), Mode.TRY))
    after = c.by(0, Recv(rx(0), Mode.TRY))
    c.close_all(2, tx(0), rx(0))
    return c.scenario(
        "a rendezvous try_recv succeeds only while a send waits",
        library,
        Expect(alone, Empty()),
        Expect(wait, BLOCKED),
        Expect(paired, Received(7), ((1, Sent()),)),
        Expect(after, Empty()),
    )


def _send_woken_by_room(library: str) -> Scenario:
    c = _Calls()
    c.by(0, Open(1))
    c.by(0, Send(tx(0), 1, Mode.TRY))
    wait = c.by(1, Send(tx(0), 100, Mode.BLOCK))
    taken = c.by(0, Recv(rx(0), Mode.TRY))
    second = c.by(0, Recv(rx(0), Mode.TRY))
    c.close_all(2, tx(0), rx(0))
    return c.scenario(
        "a blocked send completes once a receive makes room",
        library,
        Expect(wait, BLOCKED),
        Expect(taken, Received(1), ((1, Sent()),)),
        Expect(second, Received(100)),
    )


def _recv_woken_by_send(library: str) -> Scenario:
    c = _Calls()
    c.by(0, Open(None))
    wait = c.by(1, Recv(rx(0), Mode.BLOCK))
    send = c.by(0, Send(tx(0), 5, Mode.BLOCK))
    c.close_all(2, tx(0), rx(0))
    return c.scenario(
        "a blocked recv is woken by a send",
        library,
        Expect(wait, BLOCKED),
        Expect(send, Sent(), ((1, Received(5)),)),
    )


def _receiver_clone_keeps_waiting(library: str) -> Scenario:
    c = _Calls()
    c.by(0, Open(None))
    c.by(0, Clone(rx(0)))
    wait = c.by(1, Recv(rx(0, 1), Mode.BLOCK))
    close = c.by(0, Close(rx(0)))
    send = c.by(0, Send(tx(0), 9, Mode.BLOCK))
    c.close_all(2, tx(0), rx(0, 1))
    return c.scenario(
        "a recv blocked on a receiver clone stays blocked when another receiver closes",
        library,
        Expect(wait, BLOCKED),
        Expect(close, _closed()),
        Expect(send, Sent(), ((1, Received(9)),)),
    )


def _closed() -> Returned:
    return Value(None)


def scenarios() -> Iterator[Scenario]:
    """Every scenario, for every library that has its calls."""
    for library in ("crossbeam", "std"):
        for capacity in (None, 0, 2):
            yield _recv_woken_by_last_sender_close(library, capacity, timed=False)
        yield _recv_woken_by_last_sender_close(library, None, timed=True)
        for capacity in (0, 1):
            yield _send_woken_by_receiver_close(library, capacity, timed=False)
        yield _two_senders_woken(library, 0)
        yield _two_senders_woken(library, 1)
        yield _rendezvous_try_send(library, timed=False)
        yield _rendezvous_try_send(library, timed=True)
        yield _rendezvous_try_recv(library)
        yield _send_woken_by_room(library)
        yield _recv_woken_by_send(library)
    # crossbeam only: std has no send_timeout, and its receiver cannot be cloned.
    yield _send_woken_by_receiver_close("crossbeam", 2, timed=True)
    yield _receiver_clone_keeps_waiting("crossbeam")
