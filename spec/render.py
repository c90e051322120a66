"""Short, readable text for worlds and steps (traces, the explorer, diagrams)."""

from __future__ import annotations

from .state import ChannelState, World
from .steps import Step


def channel_line(index: int, state: ChannelState, now: int) -> str:
    """One channel on one line, e.g. ``c0 cap=1 [a] tx{0,1} rx{0}``."""
    if state.timer is not None:
        timer = state.timer
        due = "spent" if timer.due is None else f"due@{timer.due}"
        rx = ",".join(map(str, sorted(state.receivers)))
        return f"c{index} {timer.kind.value}({timer.period}) {due} rx{{{rx}}}"
    cap = "inf" if state.capacity is None else str(state.capacity)
    buffer = " ".join(map(str, state.buffer))
    tx = ",".join(map(str, sorted(state.senders)))
    rx = ",".join(map(str, sorted(state.receivers)))
    flag = " disconnected" if state.disconnected else ""
    return f"c{index} cap={cap} [{buffer}] tx{{{tx}}} rx{{{rx}}}{flag}"


def world_line(world: World) -> str:
    """The whole world on one line: channels, then blocked calls, then the time if it moved."""
    parts = [channel_line(i, state, world.now) for i, state in enumerate(world.channels)]
    parts.extend(f"T{entry.thread} waits in {entry.operation}" for entry in world.pending)
    if world.now:
        parts.append(f"t={world.now}")
    return "; ".join(parts) if parts else "(no channels)"


def step_line(step: Step) -> str:
    """The event and what it returned, e.g. ``T0: c0.rx0.try_recv() -> Received('a')``."""
    results = ", ".join(f"T{thread} -> {outcome}" for thread, outcome in step.results)
    discarded = f" (discarded {', '.join(map(repr, step.discarded))})" if step.discarded else ""
    return f"{step.event}" + (f"  => {results}" if results else "  => blocks") + discarded
