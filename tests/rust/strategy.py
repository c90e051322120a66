"""Hypothesis strategies for scripts, drawn from the specification's own vocabulary.

A script is built call by call while the spec's world is tracked, so that every call is one a
Rust program can make (see :data:`.differences.NOT_PLAYED`): handles are live and not held by a
waiting call, a thread that waits makes no call, std scripts leave out what std lacks. Two
worker threads make the calls: once one waits (a blocking call, or a timed one with a long
timeout, that the spec says cannot complete), the other carries on, so scripts also cover
wake-ups and rendezvous partners. A third thread tidies up at the end, closing every handle in
a drawn order; that wakes whatever still waits, and lets the comparison see every buffered
message's fate.

The spec only steers the drawing here; it is not trusted for the verdict (:mod:`.compare`
replays the script from scratch against what Rust reported).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TypeVar

from chanspec.spec import (
    Call,
    Clone,
    Close,
    Expire,
    Handle,
    Inspect,
    Mode,
    Open,
    Operation,
    Query,
    Recv,
    SameChannel,
    Send,
    Side,
    Wake,
    World,
    can_complete,
    successors,
)
from hypothesis import strategies as st

from .differences import absent_in
from .scripts import LIBRARIES, Script, ScriptCall

WORKERS = (0, 1)
TEARDOWN_THREAD = 2
CAPACITIES: tuple[int | None, ...] = (1, 0, None, 2, 3)
TIMEOUTS_MS = (0, 1, 10_000)
"""0 and 1 ms give up within their step if they cannot complete; 10 s waits until woken."""
MAX_CHANNELS = 3
MAX_CALLS = 14

Draw = st.DrawFn
T = TypeVar("T")


@cache
def _index(size: int) -> st.SearchStrategy[int]:
    # One strategy object per size: building strategies afresh for every draw is most of the cost.
    return st.integers(0, size - 1)


def _choose(draw: Draw, items: Sequence[T]) -> T:
    """One of ``items``, shrinking towards the first."""
    return items[draw(_index(len(items)))] if len(items) > 1 else items[0]


def _shuffled(draw: Draw, items: Sequence[T]) -> list[T]:
    rest, order = list(items), []
    while rest:
        order.append(rest.pop(draw(_index(len(rest))) if len(rest) > 1 else 0))
    return order


class _Builder:
    """A script under construction, with the spec's world after each call."""

    def __init__(self, library: str) -> None:
        self.library = library
        self.profile = LIBRARIES[library]
        self.world = World()
        self.calls: list[ScriptCall] = []
        self.messages = 0

    def call(self, thread: int, operation: Operation, timeout_ms: int | None = None) -> None:
        call = ScriptCall(thread, operation, timeout_ms)
        assert absent_in(self.library, operation, self.world) is None, f"{call} is not a {self.library} call"
        self.calls.append(call)
        step = successors(self.world, Call(thread, operation), self.profile)[0]
        world = step.world
        if step.outcome_of(thread) is None and call.expires_at_once:
            world = successors(world, Expire(thread))[0].world
        self.world = _wake_all(world)

    def message(self) -> int:
        self.messages += 1
        return self.messages

    def free_threads(self) -> list[int]:
        waiting = {entry.thread for entry in self.world.pending}
        return [thread for thread in WORKERS if thread not in waiting]

    def handles(self, side: Side | None = None) -> list[Handle]:
        """Live handles that no waiting call holds."""
        held = {_held(entry.operation) for entry in self.world.pending}
        found: list[Handle] = []
        for index, state in enumerate(self.world.channels):
            for each in Side if side is None else (side,):
                found.extend(
                    handle
                    for serial in sorted(state.live(each))
                    if (handle := Handle(index, each, serial)) not in held
                )
        return found

    def allowed(self, operation: Operation) -> bool:
        return absent_in(self.library, operation, self.world) is None

    def script(self) -> Script:
        return Script(self.library, tuple(self.calls))


def _held(operation: object) -> Handle | None:
    if isinstance(operation, Send):
        return operation.sender
    if isinstance(operation, Recv):
        return operation.receiver
    return None


def _wake_all(world: World) -> World:
    """Complete every waiting call that can complete (chanrun waits for them after each call)."""
    while True:
        ready = [entry.thread for entry in world.pending if can_complete(world, entry.thread)]
        if not ready:
            return world
        world = successors(world, Wake(ready[0]))[0].world


def _operations(builder: _Builder) -> list[str]:
    """The kinds of call the builder can make now, simplest first (Hypothesis shrinks towards them)."""
    senders, receivers = builder.handles(Side.SEND), builder.handles(Side.RECV)
    kinds = []
    if senders:
        kinds.append("send")
        probe = senders[0]
        bounded = [h for h in senders if builder.world.channel(h).capacity is not None]
        if builder.allowed(Send(probe, 0, Mode.TRY)) or bounded:
            kinds.append("try_send")
        if builder.allowed(Send(probe, 0, Mode.TIMED)):
            kinds.append("send_timeout")
    if receivers:
        kinds.extend(["try_recv", "recv", "recv_timeout"])
    if senders or receivers:
        kinds.extend(["clone", "close"])
        probe = (senders or receivers)[0]
        if builder.allowed(Inspect(probe, Query.LEN)):
            kinds.append("inspect")
        if builder.allowed(SameChannel(probe, probe)):
            kinds.append("same_channel")
    if len(builder.world.channels) < MAX_CHANNELS:
        kinds.append("open")
    return kinds


def _draw_call(draw: Draw, builder: _Builder, thread: int, kind: str) -> None:
    def pick(handles: Sequence[Handle]) -> Handle:
        return _choose(draw, handles)

    if kind in ("send", "try_send", "send_timeout"):
        mode = {"send": Mode.BLOCK, "try_send": Mode.TRY, "send_timeout": Mode.TIMED}[kind]
        senders = [h for h in builder.handles(Side.SEND) if builder.allowed(Send(h, 0, mode))]
        operation: Operation = Send(pick(senders), builder.message(), mode)
    elif kind in ("recv", "try_recv", "recv_timeout"):
        mode = {"recv": Mode.BLOCK, "try_recv": Mode.TRY, "recv_timeout": Mode.TIMED}[kind]
        operation = Recv(pick(builder.handles(Side.RECV)), mode)
    elif kind == "clone":
        operation = Clone(pick(builder.handles()))
    elif kind == "close":
        operation = Close(pick(builder.handles()))
    elif kind == "inspect":
        operation = Inspect(pick(builder.handles()), _choose(draw, list(Query)))
    elif kind == "same_channel":
        first = pick(builder.handles())
        operation = SameChannel(first, pick(builder.handles(first.side)))
    else:
        operation = Open(_choose(draw, CAPACITIES))
    timed = isinstance(operation, (Send, Recv)) and operation.mode is Mode.TIMED
    timeout = _choose(draw, TIMEOUTS_MS) if timed else None
    builder.call(thread, operation, timeout)


@st.composite
def scripts(draw: Draw, library: str, max_calls: int = MAX_CALLS) -> Script:
    """One script for ``library``: a channel, up to ``max_calls`` calls, then every handle closed."""
    builder = _Builder(library)
    builder.call(0, Open(_choose(draw, CAPACITIES)))
    for _ in range(draw(_index(max_calls + 1))):
        free = builder.free_threads()
        kinds = _operations(builder)
        if not free or not kinds:
            break
        _draw_call(draw, builder, _choose(draw, free), _choose(draw, kinds))
    while handles := builder.handles():
        for handle in _shuffled(draw, handles):
            builder.call(TEARDOWN_THREAD, Close(handle))
    assert not builder.world.pending, f"a call still waits after every handle closed: {builder.script()}"
    return builder.script()
