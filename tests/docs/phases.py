"""The phases of a channel's life, drawn from an exhaustive exploration.

Every explored state is mapped to its phase (which sides still have open
handles, and whether messages are left); a transition between two phases
becomes an arrow labelled with the calls that made it, and each phase lists
what sends and receives on open handles returned there. Nothing is written by
hand: a change in the specification changes the diagram.
"""

from __future__ import annotations

from chanspec.spec import Call, ChannelState, Recv, Send, World
from chanspec.spec.explore import Exploration

CONNECTED = "connected"
DRAINING = "senders_gone"
DRAINED = "drained"
RECEIVERS_GONE = "receivers_gone"
ALL_GONE = "all_gone"

TITLES = {
    CONNECTED: "connected",
    DRAINING: "every sender closed, messages left",
    DRAINED: "every sender closed, nothing left",
    RECEIVERS_GONE: "every receiver closed",
    ALL_GONE: "every handle closed",
}


def phase(state: ChannelState) -> str:
    if state.senders and state.receivers:
        return CONNECTED
    if state.receivers:
        return DRAINING if state.buffer else DRAINED
    return RECEIVERS_GONE if state.senders else ALL_GONE


def phase_diagram(exploration: Exploration) -> str:
    """A Mermaid state diagram of the phases the exploration reached."""
    arrows: dict[tuple[str, str], dict[str, None]] = {}
    returns: dict[str, dict[str, dict[str, None]]] = {name: {"send": {}, "recv": {}} for name in TITLES}
    for edge in exploration.edges:
        before, after = exploration.nodes[edge.source], exploration.nodes[edge.target]
        source, target = phase(before.channels[0]), phase(after.channels[0])
        event = edge.step.event
        if source != target:
            arrows.setdefault((source, target), {})[_call_name(event, before)] = None
        if isinstance(event, Call) and isinstance(event.operation, (Send, Recv)):
            operation = event.operation
            handle = operation.sender if isinstance(operation, Send) else operation.receiver
            if before.is_live(handle):
                outcome = edge.step.outcome_of(event.thread)
                kind = "blocks" if outcome is None else type(outcome).__name__
                returns[source]["send" if isinstance(operation, Send) else "recv"][kind] = None
    reached = {phase(world.channels[0]) for world in exploration.nodes}
    lines = ["stateDiagram-v2", f"  [*] --> {CONNECTED}"]
    for name in (name for name in TITLES if name in reached):
        lines.append(f"  state \"{TITLES[name]}\" as {name}")
        for side, kinds in returns[name].items():
            if kinds:
                lines.append(f"  {name} : {side} returns {', '.join(sorted(kinds))}")
    for (source, target), labels in arrows.items():
        lines.append(f"  {source} --> {target} : {' / '.join(sorted(labels))}")
    return "\n".join(lines) + "\n"


def _call_name(event: object, before: World) -> str:
    """``tx.close()``, ``rx.recv()``: the call without its handle's serial or message."""
    if not isinstance(event, Call):
        return "a blocked call wakes"
    text = str(event.operation)
    handle, method = text.split(".", 2)[1:]
    return f"{handle.rstrip('0123456789')}.{method.split('(')[0]}()"
