"""Exhaustive exploration of every reachable state of one channel within a small scope.

Scopes are small on purpose (capacity 0..2, two senders, two receivers, three
messages, a few threads): every call every idle thread could make on every
handle, live or closed, and every wake-up and expiry, breadth first, with
every invariant checked in every state and on every transition.

A scope's messages are the distinct values that may be in flight (buffered or
held by a blocked sender) at once; a send uses the first one not in flight, so
the number of sends is unbounded while the state space stays finite. Symmetry
keeps it small without losing anything: messages are renamed in the order they
stand in the buffer, and threads in the order of their blocked calls, since
only "same message or not" and "same thread or not" matter.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from .handles import Handle, Side
from .invariants import transition_violations, world_violations
from .operations import (
    Blocking,
    Call,
    Cancel,
    Clone,
    Close,
    Event,
    Inspect,
    Message,
    Mode,
    Operation,
    Query,
    Recv,
    Select,
    Send,
)
from .profiles import CROSSBEAM, Profile
from .render import step_line, world_line
from .state import ChannelState, Pending, World
from .steps import Step
from .transitions import internal_events, successors

MESSAGES = ("a", "b", "c", "d", "e")


@dataclass(frozen=True)
class Scope:
    """What one exploration covers."""

    capacity: int | None = 1
    senders: int = 2
    receivers: int = 2
    messages: int = 3
    threads: int = 2
    profile: Profile = CROSSBEAM
    timed: bool = True
    select: bool = True
    cancel: bool = False
    """Also cancel pending calls (as when the task awaiting an asynchronous call is cancelled)."""

    def __str__(self) -> str:
        cap = "unbounded" if self.capacity is None else f"capacity {self.capacity}"
        return (
            f"{self.profile.name}, {cap}, <= {self.senders} senders, <= {self.receivers} receivers, "
            f"{self.messages} messages, {self.threads} threads"
        )


@dataclass(frozen=True)
class Edge:
    """A transition between two explored states."""

    source: int
    target: int
    step: Step

    @property
    def label(self) -> str:
        return step_line(self.step)


@dataclass
class Exploration:
    """What exploring a scope found."""

    scope: Scope
    nodes: list[World] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    violations: list[tuple[str, list[str]]] = field(default_factory=list)
    deadlocks: int = 0
    seconds: float = 0.0

    @property
    def states(self) -> int:
        return len(self.nodes)

    @property
    def transitions(self) -> int:
        return len(self.edges)


def initial_world(scope: Scope) -> World:
    return World(channels=(ChannelState(scope.capacity),))


def explore(scope: Scope, max_states: int = 2_000_000) -> Exploration:
    """Visit every state reachable within ``scope``, checking every invariant."""
    started = time.perf_counter()
    result = Exploration(scope)
    start = initial_world(scope)
    index: dict[World, int] = {start: 0}
    parent: dict[int, tuple[int, Step]] = {}
    result.nodes.append(start)
    queue: deque[int] = deque([0])
    while queue:
        source = queue.popleft()
        world = result.nodes[source]
        for event in events(world, scope):
            for step in successors(world, event, scope.profile):
                problems = list(transition_violations(world, step))
                target_node = canonical(step.world)
                target = index.get(target_node)
                if target is None:
                    target = len(result.nodes)
                    index[target_node] = target
                    result.nodes.append(target_node)
                    parent[target] = (source, step)
                    if target >= max_states:
                        raise RuntimeError(f"more than {max_states} states: scope too large ({scope})")
                    queue.append(target)
                    problems.extend(world_violations(step.world))
                result.edges.append(Edge(source, target, step))
                if problems:
                    trace = [*_trace(parent, source), step_line(step)]
                    result.violations.extend((problem, trace) for problem in problems)
        if world.pending and len(world.pending) == scope.threads and not internal_events(world):
            result.deadlocks += 1
    result.seconds = time.perf_counter() - started
    return result


def events(world: World, scope: Scope) -> Iterator[Event]:
    """Every event worth trying in ``world``: calls by one idle thread, wake-ups, expiries, and
    with ``scope.cancel`` cancellations."""
    yield from internal_events(world)
    if scope.cancel:
        yield from (Cancel(entry.thread) for entry in world.pending)
    busy = {entry.thread for entry in world.pending}
    if len(busy) >= scope.threads:
        return
    thread = min(set(range(scope.threads)) - busy)
    for op in calls(world, scope):
        yield Call(thread, op)


def calls(world: World, scope: Scope) -> Iterator[Operation]:
    """The calls explored on channel 0: each operation on each handle, closed ones included."""
    state = world.channels[0]
    message = _free_message(world, scope)
    modes = (Mode.TRY, Mode.BLOCK, Mode.TIMED) if scope.timed else (Mode.TRY, Mode.BLOCK)
    for side in Side:
        bound = scope.senders if side is Side.SEND else scope.receivers
        for serial in range(state.minted(side)):
            handle = Handle(0, side, serial)
            if side is Side.SEND and message is not None:
                yield from (Send(handle, message, mode) for mode in modes)
            if side is Side.RECV:
                yield from (Recv(handle, mode) for mode in modes)
            if state.minted(side) < bound:
                yield Clone(handle)
            yield Close(handle)
            yield from (Inspect(handle, query) for query in Query)
    if scope.select and scope.profile.select and message is not None and state.senders and state.receivers:
        pair = (
            Send(Handle(0, Side.SEND, min(state.senders)), message),
            Recv(Handle(0, Side.RECV, min(state.receivers))),
        )
        yield Select(pair, Mode.BLOCK)
        yield Select(pair, Mode.TRY, biased=True)


def canonical(world: World) -> World:
    """The representative of ``world`` up to renaming messages and threads."""
    renaming: dict[Message, Message] = dict(zip(_flight_order(world), MESSAGES, strict=False))
    pending = [Pending(entry.thread, _renamed(entry.operation, renaming)) for entry in world.pending]
    pending.sort(key=lambda entry: str(entry.operation))
    channels = tuple(replace(state, buffer=tuple(renaming[m] for m in state.buffer)) for state in world.channels)
    renumbered = tuple(Pending(i, entry.operation) for i, entry in enumerate(pending))
    return replace(world, channels=channels, pending=renumbered)


def _flight_order(world: World) -> list[Message]:
    """Messages in flight: buffered ones in buffer order, then those held by blocked senders."""
    order: dict[Message, None] = {}
    for state in world.channels:
        order.update(dict.fromkeys(state.buffer))
    held = [entry.operation for entry in world.pending if isinstance(entry.operation, Send)]
    for op in sorted(held, key=lambda op: (str(replace(op, message=None)), str(op.message))):
        order[op.message] = None
    return list(order)


def _renamed(op: Blocking, renaming: dict[Message, Message]) -> Blocking:
    if isinstance(op, Send):
        return replace(op, message=renaming[op.message])
    return op


def _free_message(world: World, scope: Scope) -> Message | None:
    in_flight = set(_flight_order(world))
    return next((m for m in MESSAGES[: scope.messages] if m not in in_flight), None)


def _trace(parent: dict[int, tuple[int, Step]], node: int) -> list[str]:
    lines: list[str] = []
    while node in parent:
        node, step = parent[node]
        lines.append(step_line(step))
    return lines[::-1]


def describe(world: World) -> str:
    return world_line(world)
