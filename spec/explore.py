"""Exhaustive exploration of every reachable state of one channel within a small scope.

Scopes are small on purpose (capacity 0..2, two senders, two receivers, three
messages, a few threads): every call every idle thread could make on every
handle, live or closed, and every wake-up and expiry, breadth first, with
every invariant checked in every state and on every transition. Symmetry keeps
it small without losing anything: messages are sent in a fixed order (a, b, c)
and threads are renamed canonically, since only "same thread or not" matters.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from .handles import Handle, Side
from .invariants import transition_violations, world_violations
from .operations import Call, Clone, Close, Event, Inspect, Mode, Operation, Query, Recv, Select, Send
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

    def __str__(self) -> str:
        cap = "unbounded" if self.capacity is None else f"capacity {self.capacity}"
        return (
            f"{self.profile.name}, {cap}, <= {self.senders} senders, <= {self.receivers} receivers, "
            f"{self.messages} messages, {self.threads} threads"
        )


@dataclass(frozen=True)
class Node:
    """An explored state: the world and how many messages have been sent so far."""

    world: World
    sent: int


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
    nodes: list[Node] = field(default_factory=list)
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


def initial_node(scope: Scope) -> Node:
    return Node(World(channels=(ChannelState(scope.capacity),)), 0)


def explore(scope: Scope, max_states: int = 2_000_000) -> Exploration:
    """Visit every state reachable within ``scope``, checking every invariant."""
    started = time.perf_counter()
    result = Exploration(scope)
    start = initial_node(scope)
    index: dict[Node, int] = {start: 0}
    parent: dict[int, tuple[int, Step]] = {}
    result.nodes.append(start)
    queue: deque[int] = deque([0])
    while queue:
        source = queue.popleft()
        node = result.nodes[source]
        for event in events(node, scope):
            for step in successors(node.world, event, scope.profile):
                problems = list(transition_violations(node.world, step))
                target_node = canonical(Node(step.world, node.sent + _sends(event)))
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
                    trace = _trace(parent, source) + [step_line(step)]
                    result.violations.extend((problem, trace) for problem in problems)
        if node.world.pending and len(node.world.pending) == scope.threads and not internal_events(node.world):
            result.deadlocks += 1
    result.seconds = time.perf_counter() - started
    return result


def events(node: Node, scope: Scope) -> Iterator[Event]:
    """Every event worth trying in ``node``: calls by one idle thread, wake-ups, expiries."""
    world = node.world
    yield from internal_events(world)
    busy = {entry.thread for entry in world.pending}
    if len(busy) >= scope.threads:
        return
    thread = min(set(range(scope.threads)) - busy)
    for op in calls(world, node.sent, scope):
        yield Call(thread, op)


def calls(world: World, sent: int, scope: Scope) -> Iterator[Operation]:
    """The calls explored on channel 0: each operation on each handle, closed ones included."""
    state = world.channels[0]
    message = MESSAGES[sent] if sent < scope.messages else None
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
        pair = (Send(Handle(0, Side.SEND, min(state.senders)), message), Recv(Handle(0, Side.RECV, min(state.receivers))))
        yield Select(pair, Mode.BLOCK)
        yield Select(pair, Mode.TRY, biased=True)


def canonical(node: Node) -> Node:
    """Rename threads 0, 1, ... in the order of their pending calls' text (threads are interchangeable)."""
    pending = sorted(node.world.pending, key=lambda entry: str(entry.operation))
    renamed = tuple(Pending(i, entry.operation) for i, entry in enumerate(pending))
    return Node(replace(node.world, pending=renamed), node.sent)


def _sends(event: Event) -> int:
    return int(isinstance(event, Call) and isinstance(event.operation, (Send, Select)) and _uses_message(event.operation))


def _uses_message(op: Operation) -> bool:
    if isinstance(op, Send):
        return True
    return isinstance(op, Select) and any(isinstance(case, Send) for case in op.cases)


def _trace(parent: dict[int, tuple[int, Step]], node: int) -> list[str]:
    lines: list[str] = []
    while node in parent:
        node, step = parent[node]
        lines.append(step_line(step))
    return lines[::-1]


def describe(node: Node) -> str:
    return world_line(node.world)
