"""A played scenario as a step-by-step trace table, or as a Mermaid timeline (sequence diagram)."""

from __future__ import annotations

from chanspec.spec import Call, Event, Expire, Open, Outcome, Select, Send, Wake, World, can_complete
from chanspec.spec.render import world_line

from .scenarios import Played, Scenario, play, stuck_threads


def trace_table(scenario: Scenario) -> str:
    """Markdown: one row per event with the thread, the call, what it returned and the state after."""
    played = play(scenario)
    rows = ["| # | thread | call | returns | state after |", "|---:|---|---|---|---|"]
    for number, entry in enumerate(played, 1):
        thread = _thread_of(entry.event)
        rows.append(
            f"| {number} | T{thread} | {_call_text(entry.event)} | {_returns(entry)} | "
            f"`{world_line(entry.step.world)}` |"
        )
    return "\n".join(rows) + "\n" + _ending(played[-1].step.world)


def _thread_of(event: Event) -> int:
    assert not isinstance(event, Open) and hasattr(event, "thread"), event
    thread: int = event.thread
    return thread


def _call_text(event: Event) -> str:
    if isinstance(event, Call):
        return f"`{event.operation}`"
    return "(wakes up)" if isinstance(event, Wake) else "(times out)"


def _returns(entry: Played) -> str:
    thread = _thread_of(entry.event)
    step = entry.step
    own = step.outcome_of(thread)
    parts = ["blocks" if own is None else f"`{own}`"]
    others = [f"`{other}`" for other in _alternatives(entry, thread) if other != own]
    if others:
        parts[0] += " (also allowed: " + ", ".join(others) + ")"
    parts.extend(f"T{who} returns `{outcome}`" for who, outcome in step.results if who != thread)
    if step.discarded:
        parts.append("discards " + ", ".join(f"`{message!r}`" for message in step.discarded))
    parts.extend(
        f"T{entry.thread} can now complete"
        for entry in step.world.pending
        if entry.thread != thread and can_complete(step.world, entry.thread)
    )
    return "; ".join(parts)


def _alternatives(entry: Played, thread: int) -> list[Outcome | None]:
    seen: dict[str, Outcome | None] = {}
    for step in entry.allowed:
        outcome = step.outcome_of(thread)
        seen.setdefault(str(outcome), outcome)
    return list(seen.values())


def _ending(world: World) -> str:
    stuck = stuck_threads(world)
    if not stuck:
        return ""
    waits = {entry.thread: entry.operation for entry in world.pending}
    lines = [f"T{thread} stays blocked in `{waits[thread]}`: no wake-up can release it." for thread in stuck]
    return "\n" + "\n".join(lines) + "\n"


# Timelines ---------------------------------------------------------------------------------


def timeline(scenario: Scenario) -> str:
    """A Mermaid sequence diagram: one lifeline per thread, one per channel; a blocked thread's
    lifeline is highlighted from the call that blocks to the step that completes it."""
    played = [entry for entry in play(scenario) if not _opens(entry.event)]
    channels = sorted({_channel_of(entry) for entry in played})
    threads = sorted({_thread_of(entry.event) for entry in played})
    half = (len(threads) + 1) // 2
    lines = ["sequenceDiagram"]
    lines += [f"  participant T{t}" for t in threads[:half]]
    lines += [f"  participant c{c}" for c in channels]
    lines += [f"  participant T{t}" for t in threads[half:]]
    for entry in played:
        lines.extend(_timeline_lines(entry))
    return "\n".join(lines) + "\n"


def _opens(event: Event) -> bool:
    return isinstance(event, Call) and isinstance(event.operation, Open)


def _channel_of(entry: Played) -> int:
    """The channel an event is about: its call's handle, or the blocked call it wakes."""
    if isinstance(entry.event, Call):
        operation = entry.event.operation
    else:
        pending = entry.before.pending_of(_thread_of(entry.event))
        assert pending is not None
        operation = pending.operation
    if isinstance(operation, Select):
        operation = operation.cases[0]
    handle = operation.sender if isinstance(operation, Send) else getattr(operation, "receiver", None)
    handle = handle or getattr(operation, "handle", None)
    assert handle is not None, operation
    channel: int = handle.channel
    return channel


def _timeline_lines(entry: Played) -> list[str]:
    event, step = entry.event, entry.step
    thread = _thread_of(event)
    channel = f"c{_channel_of(entry)}"
    lines: list[str] = []
    if isinstance(event, Call):
        call = str(event.operation).split(".", 1)[1]
        lines.append(f"  T{thread}->>{channel}: {call}")
    own = step.outcome_of(thread)
    if own is None:
        lines += [f"  activate T{thread}", f"  Note over T{thread}: blocked"]
    else:
        suffix = {Wake: " (woken)", Expire: " (gave up)"}.get(type(event), "")
        lines.append(f"  {channel}-->>T{thread}: {own}{suffix}")
        if not isinstance(event, Call):
            lines.append(f"  deactivate T{thread}")
    for who, outcome in step.results:
        if who != thread:
            lines += [f"  {channel}-->>T{who}: {outcome}", f"  deactivate T{who}"]
    if step.discarded:
        lines.append(f"  Note over {channel}: discards " + ", ".join(map(repr, step.discarded)))
    return lines
