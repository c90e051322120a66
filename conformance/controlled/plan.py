"""What a controlled run does, decoded from a few bytes: the handles and each thread's calls.

A plan is a fixed-size byte string (:data:`PLAN_SIZE`) so that Hypothesis can shrink
it byte by byte: every byte string is a valid plan, and the zero byte is always the
simplest choice (an empty call slot, the first handle, a ``try`` call, no extra
clones). Layout:

- byte 0: extra sender clones (``% 3``); byte 1: extra receiver clones (``% 3``, none
  when the backend cannot clone receivers); byte 2: worker threads (``2 + b % 2``);
  byte 3: bit 0 set: the final closes start with the receivers; bits 1-2: 1 or 2: the
  recorder's own thread closes every sender (1) or every receiver (2) while the workers
  run, as a thread of its own, so that a disconnection races with their calls;
- then :data:`MAX_THREADS` x :data:`MAX_CALLS` call slots of three bytes each: the kind
  (``% 10``: 0 empty, 1-3 send, 4-6 receive, 7-8 close, 9 introspection), the handle,
  and an argument (the mode and timeout of a send or receive, the question of an
  introspection).

The handles are made before the workers start: the originals ``c0.tx0``/``c0.rx0`` and
the clones, each thread then uses any of them (a close of an original by a worker
disconnects the channel while the others go on). At the first quiet moment every handle
still open is closed by the recorder's own thread.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from ...spec.handles import Handle, Side
from ...spec.operations import Close, Inspect, Mode, Operation, Query, Recv, Send
from ..backend import Capabilities
from ..calls import Token

MAX_THREADS = 3
MAX_CALLS = 3
HEADER = 4
SLOT = 3
PLAN_SIZE = HEADER + MAX_THREADS * MAX_CALLS * SLOT

TIMEOUTS = (0.0, 0.001, 0.05)
"""The timeouts of timed calls, in (virtual) seconds."""

_MODES = (Mode.TRY, Mode.BLOCK, Mode.TIMED)
_QUERIES = (Query.LEN, Query.IS_EMPTY, Query.IS_FULL, Query.CAPACITY)


@dataclass(frozen=True)
class Call:
    """One planned call: ``kind`` is send, recv, close or inspect."""

    kind: str
    handle: Handle
    mode: Mode = Mode.TRY
    timeout: float = 0.0
    query: Query = Query.LEN

    def operation(self) -> Operation:
        """The specification operation (a send gets a new unique message)."""
        if self.kind == "send":
            return Send(self.handle, Token(), self.mode)
        if self.kind == "recv":
            return Recv(self.handle, self.mode)
        if self.kind == "close":
            return Close(self.handle)
        return Inspect(self.handle, self.query)

    def __str__(self) -> str:
        if self.kind in ("send", "recv"):
            name = {Mode.TRY: "try_", Mode.BLOCK: "", Mode.TIMED: ""}[self.mode] + self.kind
            if self.mode is Mode.TIMED:
                return f"{self.handle}.{name}_timeout({self.timeout:g})"
            return f"{self.handle}.{name}()"
        if self.kind == "close":
            return f"{self.handle}.close()"
        return f"{self.handle}.{self.query.value}"


@dataclass(frozen=True)
class Plan:
    """Decoded plan bytes: ``senders``/``receivers`` handles on each side (originals
    included), the calls of each worker thread, and which side the final closes begin with."""

    capacity: int | None
    senders: int
    receivers: int
    threads: tuple[tuple[Call, ...], ...]
    receivers_closed_first: bool
    disconnect: Side | None = None

    @property
    def calls(self) -> int:
        return sum(len(calls) for calls in self.threads)

    def handles(self) -> list[Handle]:
        """Every handle, originals first."""
        return [Handle(0, Side.SEND, i) for i in range(self.senders)] + [
            Handle(0, Side.RECV, i) for i in range(self.receivers)
        ]

    def __str__(self) -> str:
        lines = [f"{self.senders} sender(s), {self.receivers} receiver(s), capacity {self.capacity}"]
        for index, calls in enumerate(self.threads):
            if calls:
                lines.append(f"  T{index}: " + ", ".join(map(str, calls)))
        if self.disconnect is not None:
            side = "sender" if self.disconnect is Side.SEND else "receiver"
            lines.append(f"  T{len(self.threads)} (recorder): closes every {side} while they run")
        return "\n".join(lines)


def decode(data: bytes, capacity: int | None, capabilities: Capabilities) -> Plan:
    """The plan ``data`` encodes (missing bytes count as zero, extra ones are ignored)."""
    raw = data[:PLAN_SIZE].ljust(PLAN_SIZE, b"\0")
    senders = 1 + raw[0] % 3
    receivers = 1 + raw[1] % 3 if capabilities.receiver_clone else 1
    workers = 2 + raw[2] % 2
    threads = []
    for thread in range(workers):
        calls = []
        for slot in range(MAX_CALLS):
            at = HEADER + (thread * MAX_CALLS + slot) * SLOT
            call = _call(raw[at], raw[at + 1], raw[at + 2], senders, receivers, capabilities)
            if call is not None:
                calls.append(call)
        threads.append(tuple(calls))
    disconnect = {1: Side.SEND, 2: Side.RECV}.get((raw[3] >> 1) % 4)
    return Plan(capacity, senders, receivers, tuple(threads), bool(raw[3] & 1), disconnect)


def _call(kind: int, handle: int, argument: int, senders: int, receivers: int, caps: Capabilities) -> Call | None:
    kind %= 10
    if kind == 0:
        return None
    if kind <= 6:
        side = Side.SEND if kind <= 3 else Side.RECV
        serial = handle % (senders if side is Side.SEND else receivers)
        mode = _MODES[argument % 3]
        if mode is Mode.TIMED and not caps.timeouts:
            mode = Mode.BLOCK
        timeout = TIMEOUTS[(argument // 3) % len(TIMEOUTS)] if mode is Mode.TIMED else 0.0
        return Call("send" if side is Side.SEND else "recv", Handle(0, side, serial), mode, timeout)
    side = Side.SEND if handle % 2 == 0 else Side.RECV
    serial = (handle // 2) % (senders if side is Side.SEND else receivers)
    if kind <= 8:
        return Call("close", Handle(0, side, serial))
    if not caps.introspection:
        return Call("recv", Handle(0, Side.RECV, serial % receivers))
    return Call("inspect", Handle(0, side, serial), query=_QUERIES[argument % len(_QUERIES)])


def generate(rng: random.Random, threads: tuple[int, int] = (2, 3), calls: tuple[int, int] = (1, 3)) -> bytes:
    """Random plan bytes: ``threads`` workers and ``calls`` calls each (inclusive ranges),
    mostly sends and receives, some closes and introspection; at most one extra clone per
    side (small plans make short failing schedules)."""
    raw = bytearray(PLAN_SIZE)
    raw[0] = rng.choice((0, 0, 1))
    raw[1] = rng.choice((0, 0, 1))
    workers = threads[0] if rng.random() < 0.7 else rng.randint(*threads)
    raw[2] = workers - 2
    raw[3] = rng.getrandbits(1) | rng.choice((0, 1, 2)) << 1
    for thread in range(workers):
        for slot in range(min(rng.randint(*calls), rng.randint(*calls))):
            at = HEADER + (thread * MAX_CALLS + slot) * SLOT
            roll = rng.random()
            kind = rng.randint(1, 3) if roll < 0.38 else rng.randint(4, 6) if roll < 0.76 else 7 if roll < 0.9 else 9
            raw[at] = kind
            raw[at + 1] = rng.getrandbits(8)
            raw[at + 2] = rng.getrandbits(8)
    return bytes(raw)
