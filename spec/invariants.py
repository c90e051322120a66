"""The invariants of the model, as functions that list what is violated (empty: all hold).

``world_violations`` holds in every reachable world; ``step_violations`` in every
allowed step. Exploration checks both everywhere it goes, the property tests on
random runs, and CrossHair symbolically through the contracts of the
transition functions, so each invariant is written once, here.
"""

from __future__ import annotations

import functools
from collections import Counter

from . import channel as chan
from .handles import Handle, Side
from .operations import Blocking, Call, Cancel, Case, Expire, Message, Mode, Recv, Select, Send, Wake
from .outcomes import NO_MESSAGE, Cancelled, Outcome, Received, Selected, Timeout, carried_message
from .state import ChannelState, World
from .steps import Step


def world_violations(world: World) -> tuple[str, ...]:
    """What is wrong with ``world``, if anything."""
    found: list[str] = []
    for index, state in enumerate(world.channels):
        if not chan.well_formed(state):
            found.append(f"c{index} is malformed (buffer beyond capacity, or kept with no receiver): {state}")
    threads = [entry.thread for entry in world.pending]
    if threads != sorted(set(threads)):
        found.append(f"pending calls are not one per thread in thread order: {threads}")
    for entry in world.pending:
        found.extend(f"T{entry.thread}: {problem}" for problem in _pending_problems(world, entry.operation))
    found.extend(_idle_rendezvous(world))
    return tuple(found)


def _pending_problems(world: World, op: Blocking) -> list[str]:
    problems = []
    if op.mode is Mode.TRY:
        problems.append(f"a non-blocking call is pending: {op}")
    for case in _cases(op):
        handle = _handle(case)
        if not (0 <= handle.channel < len(world.channels)) or handle.serial >= world.channels[handle.channel].minted(
            handle.side
        ):
            problems.append(f"pending call uses an unknown handle {handle}")
    return problems


def _idle_rendezvous(world: World) -> list[str]:
    """A rendezvous never leaves a sender and a receiver of different threads both waiting."""
    waiting: dict[tuple[int, Side], set[int]] = {}
    for entry in world.pending:
        op = entry.operation
        if isinstance(op, Select) and not (op.complete and all(_live(world, _handle(c)) for c in op.cases)):
            continue  # an observer, or a select that must wake with HandleClosed: never a partner
        for case in _cases(op):
            handle = _handle(case)
            if handle.channel >= len(world.channels):
                continue
            state = world.channels[handle.channel]
            if state.is_rendezvous and handle.serial in state.live(handle.side):
                waiting.setdefault((handle.channel, handle.side), set()).add(entry.thread)
    found = []
    for (channel, side), senders in waiting.items():
        if side is not Side.SEND:
            continue
        receivers = waiting.get((channel, Side.RECV), set())
        if any(s != r for s in senders for r in receivers):
            found.append(f"c{channel}: a sender and a receiver of different threads both wait on a rendezvous")
    return found


def step_violations(before: World, step: Step) -> tuple[str, ...]:
    """What is wrong with ``step`` taken from ``before``, or with the world it reaches."""
    return world_violations(step.world) + transition_violations(before, step)


def transition_violations(before: World, step: Step) -> tuple[str, ...]:
    """What is wrong with the change ``step`` makes to ``before``, if anything."""
    after = step.world
    found: list[str] = []
    if after.now < before.now:
        found.append("time went backwards")
    if len(after.channels) < len(before.channels):
        found.append("a channel vanished")
    for index, (old, new) in enumerate(zip(before.channels, after.channels, strict=False)):
        found.extend(f"c{index}: {problem}" for problem in _channel_change_problems(old, new, step.discarded))
    found.extend(_completion_problems(before, step))
    found.extend(_conservation_problems(before, step))
    return tuple(found)


def _channel_change_problems(old: ChannelState, new: ChannelState, discarded: tuple[Message, ...]) -> list[str]:
    if old is new:
        return []
    problems = []
    if (old.capacity, old.timer is None) != (new.capacity, new.timer is None):
        problems.append("the channel changed its kind or capacity")
    if old.disconnected and not new.disconnected:
        problems.append("disconnection was undone")
    for side in Side:
        if not old.live(side) and new.live(side):
            problems.append(f"a {side.name.lower()} count came back from zero")
        if new.minted(side) < old.minted(side):
            problems.append("a handle serial was reused")
        if not new.live(side) <= old.live(side) | set(range(old.minted(side), new.minted(side))):
            problems.append("a closed handle came back to life")
    if discarded:
        if new.buffer or tuple(discarded) != old.buffer:
            problems.append("the discard did not take exactly the buffered messages")
    elif not _fifo_change(old.buffer, new.buffer):
        problems.append(
            f"the buffer changed other than by a pop at the front and a push at the back: {old.buffer} -> {new.buffer}"
        )
    return problems


def _fifo_change(old: tuple[Message, ...], new: tuple[Message, ...]) -> bool:
    for popped in (0, 1):
        rest = old[popped:] if popped <= len(old) else ()
        if new[: len(rest)] == rest and len(new) - len(rest) in (0, 1):
            return True
    return False


def _completion_problems(before: World, step: Step) -> list[str]:
    problems = []
    threads = [thread for thread, _ in step.results]
    if len(threads) != len(set(threads)):
        problems.append("a call completed twice in one step")
    caller = step.event.thread if isinstance(step.event, (Call, Wake, Expire, Cancel)) else None
    for thread, outcome in step.results:
        if thread != caller and before.pending_of(thread) is None:
            problems.append(f"T{thread} completed without having called")
        if step.world.pending_of(thread) is not None:
            problems.append(f"T{thread} completed but is still pending")
        if isinstance(outcome, Timeout) != isinstance(step.event, Expire):
            problems.append(f"T{thread}: a timeout happens exactly when a timed call expires")
        if isinstance(outcome, Cancelled) != isinstance(step.event, Cancel):
            problems.append(f"T{thread}: a call ends cancelled exactly when it is cancelled")
    if isinstance(step.event, Call):
        pends = step.world.pending_of(step.event.thread) is not None
        if pends == (step.event.thread in threads):
            problems.append("a call must either complete or become pending")
        if pends and step.event.operation.mode is Mode.TRY:  # type: ignore[union-attr]
            problems.append("a non-blocking call became pending")
    elif isinstance(step.event, (Wake, Expire, Cancel)) and step.event.thread not in threads:
        problems.append("a wake-up, expiry or cancellation completed nothing")
    if isinstance(step.event, Cancel) and (len(step.results) != 1 or step.world.channels != before.channels):
        problems.append("a cancelled call had an effect")
    return problems


def _conservation_problems(before: World, step: Step) -> list[str]:
    """Every message is buffered, held by a blocked sender, delivered or handed back: never two, never none."""
    entering: Counter[Message] = Counter()
    leaving: Counter[Message] = Counter(step.discarded)
    for thread, outcome in step.results:
        op = _operation_of(before, step, thread)
        if op is None:
            continue
        case = _completed_case(op, outcome)
        if isinstance(op, Select) and isinstance(case, Send):
            entering[case.message] += 1
        from_buffer = isinstance(case, Recv) and before.channels[case.receiver.channel].timer is None
        if from_buffer and isinstance(_inner(outcome), Received):
            leaving[_inner_message(outcome)] += 1
        carried = carried_message(outcome)
        if carried is not NO_MESSAGE:
            leaving[carried] += 1
    if isinstance(step.event, Call) and isinstance(step.event.operation, Send):
        entering[step.event.operation.message] += 1
    if _in_flight(before) + entering != _in_flight(step.world) + leaving:  # Counter sums are fresh objects
        return [f"messages not conserved: in {dict(entering)}, out {dict(leaving)}"]
    return []


@functools.lru_cache(maxsize=4096)
def _in_flight(world: World) -> Counter[Message]:
    flight: Counter[Message] = Counter()
    for state in world.channels:
        flight.update(state.buffer)
    for entry in world.pending:
        if isinstance(entry.operation, Send):
            flight[entry.operation.message] += 1
    return flight


def _operation_of(before: World, step: Step, thread: int) -> Blocking | None:
    if isinstance(step.event, Call) and step.event.thread == thread:
        op = step.event.operation
        return op if isinstance(op, (Send, Recv, Select)) else None
    entry = before.pending_of(thread)
    return None if entry is None else entry.operation


def _completed_case(op: Blocking, outcome: Outcome) -> Case | None:
    if isinstance(op, Select):
        if isinstance(outcome, Selected) and outcome.outcome is not None:
            return op.cases[outcome.index]
        return None
    return op


def _inner(outcome: Outcome) -> object:
    return outcome.outcome if isinstance(outcome, Selected) else outcome


def _inner_message(outcome: Outcome) -> Message:
    inner = _inner(outcome)
    assert isinstance(inner, Received)
    return inner.message


def _live(world: World, handle: Handle) -> bool:
    if handle.channel >= len(world.channels):
        return False
    return handle.serial in world.channels[handle.channel].live(handle.side)


def _cases(op: Blocking) -> tuple[Case, ...]:
    return op.cases if isinstance(op, Select) else (op,)


def _handle(case: Case) -> Handle:
    return case.sender if isinstance(case, Send) else case.receiver
