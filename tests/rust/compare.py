"""Checking a Rust run against the specification, step by step.

For every call of a script, Rust reported what the call returned, which waiting calls returned
meanwhile and which messages were destroyed. The comparison replays the call in the spec
(:func:`~chanspec.spec.successors` with the library's profile) and accepts the step only if the
spec allows exactly that: the caller's outcome (a call that Rust reports parked must be pending
in the spec; a short timed call that Rust reports timed out may be pending and then expire), a
rendezvous partner's outcome, each woken call's outcome (a spec ``Wake`` or ``Expire``), no call
left waiting that the spec says can complete, and the same destroyed messages in the same order.
The only tolerances are the ones declared in :mod:`.differences`.

Where the spec allows several steps, every one that matches is kept, so the comparison never
depends on the spec and Rust resolving a choice the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

from chanspec.spec import (
    UNSPECIFIED,
    Call,
    Close,
    Event,
    Expire,
    Message,
    Outcome,
    Timeout,
    Unsupported,
    Value,
    Wake,
    World,
    can_complete,
    successors,
)
from chanspec.spec.render import step_line, world_line

from .differences import absent_in, destruction_deferred
from .reports import BLOCKED, Absent, Completion, Returned, RunnerError, RustRun, RustStep
from .scripts import LIBRARIES, Script, ScriptCall

Owed = tuple[tuple[int, tuple[Message, ...]], ...]
"""Per channel, messages the spec discarded whose destruction the library defers."""


class Disagreement(AssertionError):
    """Rust did something the specification does not allow (the message shows the script)."""


@dataclass(frozen=True)
class _Reading:
    """One way the spec explains Rust's run so far: its world, and destructions still owed."""

    world: World
    owed: Owed = ()


def compare(script: Script, run: RustRun, versions: str = "") -> int:
    """Check ``run`` (Rust playing ``script``) against the spec; the number of calls compared.

    Raises :class:`Disagreement` at the first call Rust played in a way the spec does not allow.
    """
    if len(run.steps) != len(script.calls) or run.library != script.library:
        raise Disagreement(f"chanrun played {len(run.steps)} of {len(script.calls)} calls for {run.library}")
    readings = [_Reading(World())]
    for index, (call, rust) in enumerate(zip(script.calls, run.steps, strict=True)):
        found: dict[_Reading, None] = {}
        if not isinstance(rust.returned, RunnerError):
            for reading in readings:
                found.update(dict.fromkeys(_explanations(script.library, reading, call, rust)))
        if not found:
            raise Disagreement(_explain_failure(script, run, index, readings, versions))
        readings = list(found)
    leftovers = run.end_woken or run.stuck or run.end_destroyed
    settled = [r for r in readings if not r.owed and not r.world.pending]
    if leftovers or not settled:
        raise Disagreement(_explain_failure(script, run, len(script.calls), readings, versions))
    return len(script.calls)


def same_outcome(spec: Outcome | None, rust: Returned) -> bool:
    """Whether Rust's outcome is the one the spec gives (``None``: the spec says the call waits)."""
    if spec is None:
        return rust is BLOCKED
    if isinstance(spec, Unsupported):
        # Both refuse; the wording is each one's own.
        return isinstance(rust, Unsupported)
    if isinstance(spec, Value) and isinstance(rust, Value):
        if spec.value is UNSPECIFIED:
            return isinstance(rust.value, (int, bool))
        # Value(1) == Value(True) in Python: a length must not pass for a flag.
        return type(spec.value) is type(rust.value) and spec.value == rust.value
    return spec == rust


def _explanations(library: str, reading: _Reading, call: ScriptCall, rust: RustStep) -> Iterator[_Reading]:
    world = reading.world
    missing = absent_in(library, call.operation, world)
    if missing is not None or isinstance(rust.returned, Absent):
        if missing is not None and isinstance(rust.returned, Absent) and not rust.woken and not rust.destroyed:
            yield reading
        return
    profile = LIBRARIES[library]
    for step in successors(world, Call(call.thread, call.operation), profile):
        for after, partners, discarded in _caller_paths(step.world, step.results, step.discarded, call, rust.returned):
            others = list(rust.woken)
            if not _remove_all(others, partners):
                continue
            for final in _woken_paths(after, others):
                if any(can_complete(final, entry.thread) for entry in final.pending):
                    continue  # Rust left a call waiting that the spec says can complete
                settled = _settle_destruction(library, reading, world, final, call, discarded, rust.destroyed)
                if settled is not None:
                    yield settled


def _caller_paths(
    after: World,
    results: tuple[Completion, ...],
    discarded: tuple[Message, ...],
    call: ScriptCall,
    returned: Returned,
) -> Iterator[tuple[World, list[Completion], tuple[Message, ...]]]:
    """Ways the spec's step for the call matches what the caller got: (world, partners' completions, discards)."""
    own = [outcome for thread, outcome in results if thread == call.thread]
    partners = [(thread, outcome) for thread, outcome in results if thread != call.thread]
    spec_outcome = own[0] if own else None
    if same_outcome(spec_outcome, returned):
        yield after, partners, discarded
    elif spec_outcome is None and isinstance(returned, Timeout) and call.expires_at_once:
        # Pending, then gave up within the same step.
        for expiry in successors(after, Expire(call.thread)):
            if same_outcome(expiry.outcome_of(call.thread), returned):
                yield expiry.world, partners, discarded


def _remove_all(completions: list[Completion], expected: list[Completion]) -> bool:
    for thread, outcome in expected:
        match = next((c for c in completions if c[0] == thread and same_outcome(outcome, c[1])), None)
        if match is None:
            return False
        completions.remove(match)
    return True


def _woken_paths(world: World, woken: list[Completion]) -> Iterator[World]:
    """Worlds where each woken call completed as Rust says (a Wake, or an Expire for a Timeout), in some order."""
    if not woken:
        yield world
        return
    for index, (thread, outcome) in enumerate(woken):
        rest = woken[:index] + woken[index + 1 :]
        events: list[Event] = [Wake(thread)]
        if isinstance(outcome, Timeout):
            events.append(Expire(thread))
        for event in events:
            for step in successors(world, event):
                if same_outcome(step.outcome_of(thread), outcome):
                    yield from _woken_paths(step.world, rest)


def _settle_destruction(
    library: str,
    reading: _Reading,
    before: World,
    after: World,
    call: ScriptCall,
    discarded: tuple[Message, ...],
    destroyed: tuple[int, ...],
) -> _Reading | None:
    """The reading after this step if Rust destroyed what the spec discarded (allowing the declared
    deferral), else ``None``."""
    owed = dict(reading.owed)
    expected: list[Message] = []
    if discarded:
        assert isinstance(call.operation, Close)
        channel = call.operation.handle.channel
        if destruction_deferred(library, before.channels[channel]):
            owed[channel] = owed.get(channel, ()) + discarded
        else:
            expected.extend(discarded)
    for channel in sorted(owed):
        state = after.channels[channel]
        if not state.senders and not state.receivers:  # the channel is freed
            expected.extend(owed.pop(channel))
    if list(destroyed) != expected:
        return None
    return replace(reading, world=after, owed=tuple(sorted(owed.items())))


def _explain_failure(script: Script, run: RustRun, index: int, readings: list[_Reading], versions: str) -> str:
    where = f"at call {index}" if index < len(script.calls) else "after the last call"
    lines = [f"Rust ({script.library}{', ' + versions if versions else ''}) and the spec disagree {where}:"]
    for number, (call, rust) in enumerate(zip(script.calls, run.steps, strict=True)):
        marker = ">" if number == index else " "
        lines.append(f"{marker}{number:3}  {call!s:45}  rust: {rust}")
    if index < len(script.calls):
        call = script.calls[index]
        for reading in readings:
            lines.append(f"  spec world before call {index}: {world_line(reading.world)}")
            if reading.owed:
                lines.append(f"  destruction owed (declared deferral): {dict(reading.owed)}")
            if absent_in(script.library, call.operation, reading.world) is not None:
                lines.append("  the spec expects Rust to report this call absent (declared)")
                continue
            for step in successors(reading.world, Call(call.thread, call.operation), script.profile):
                lines.append(f"  spec allows: {step_line(step)}")
                for thread in (entry.thread for entry in step.world.pending):
                    for woken in successors(step.world, Wake(thread)):
                        lines.append(f"    then: {step_line(woken)}")
    else:
        lines.append(
            f"  when chanrun tidied up: returned {list(run.end_woken)}, stuck {list(run.stuck)}, "
            f"destroyed {list(run.end_destroyed)}"
        )
        lines.extend(f"  spec world: {world_line(r.world)}; owed {dict(r.owed)}" for r in readings)
    return "\n".join(lines)
