"""The transition relation: every step the model allows from a world.

``successors(world, event)`` returns every allowed step for one event; more
than one where the semantics leave a choice (which case a fair select takes,
which waiting partner a rendezvous pairs with). ``internal_events(world)``
lists what may happen without a new call: a blocked call woken now that it can
complete, or a timed one giving up while it cannot.

Blocked calls complete lazily, as in crossbeam's bounded and unbounded
flavours: a send into a channel with a blocked receiver only makes that
receiver *able* to complete, and another receiver may overtake it. Only a
rendezvous completes two calls in one step. Weak fairness is the liveness
rule: a blocked call that stays able to complete must eventually be woken.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from . import channel as chan
from .handles import Handle, Side
from .invariants import step_violations, world_violations  # noqa: F401  # named by the contracts
from .operations import (
    Blocking,
    Call,
    Cancel,
    Case,
    Clone,
    Close,
    Event,
    Expire,
    Inspect,
    Message,
    Mode,
    Open,
    OpenTimer,
    Operation,
    Query,
    Recv,
    SameChannel,
    Select,
    Send,
    TimerKind,
    Wake,
)
from .outcomes import (
    NO_MESSAGE,
    Cancelled,
    CaseOutcome,
    Disconnected,
    Empty,
    Full,
    HandleClosed,
    NotReady,
    Opened,
    Outcome,
    Received,
    Selected,
    Sent,
    Timeout,
    Unsupported,
    Value,
)
from .profiles import CROSSBEAM, Profile
from .state import ChannelState, Pending, SpecUsageError, Timer, World
from .steps import Result, Step
from .usage import usage_problem


@dataclass(frozen=True)
class _Completion:
    """One way for a case to complete now: the world after it, the caller's outcome,
    and the partner whose blocked call completes with it (a rendezvous)."""

    world: World
    outcome: CaseOutcome
    partner: Result | None = None


def successors(world: World, event: Event, profile: Profile = CROSSBEAM) -> tuple[Step, ...]:
    """Every step the semantics allow for ``event`` in ``world``; empty if it is not enabled.

    Raises ``SpecUsageError`` for a meaningless event (see :mod:`.usage`).

    pre: not world_violations(world) and usage_problem(world, event) is None
    post: all(not step_violations(world, step) for step in __return__)
    """
    problem = usage_problem(world, event)
    if problem is not None:
        raise SpecUsageError(problem)
    if isinstance(event, Call):
        steps: Iterable[Step] = _call(world, event, profile)
    elif isinstance(event, Wake):
        steps = _wake(world, event)
    elif isinstance(event, Expire):
        steps = _expire(world, event)
    elif isinstance(event, Cancel):
        steps = _cancel(world, event)
    else:
        steps = (Step(event, replace(world, now=world.now + 1)),)
    return tuple(dict.fromkeys(steps))


def internal_events(world: World) -> tuple[Event, ...]:
    """The wake-ups and expiries enabled in ``world`` (time passing is always possible)."""
    events: list[Event] = []
    for entry in world.pending:
        if _wake(world, Wake(entry.thread)):
            events.append(Wake(entry.thread))
        elif entry.operation.mode is Mode.TIMED:
            events.append(Expire(entry.thread))
    return tuple(events)


def can_complete(world: World, thread: int) -> bool:
    """Whether the blocked call of ``thread`` could complete now (it must not stay blocked)."""
    return bool(_wake(world, Wake(thread)))


# Calls ---------------------------------------------------------------------------------


def _call(world: World, event: Call, profile: Profile) -> list[Step]:
    thread, op = event.thread, event.operation
    unsupported = _unsupported(op, profile)
    if unsupported is not None:
        return [Step(event, world, ((thread, Unsupported(unsupported)),))]
    if isinstance(op, (Send, Recv, Select)):
        return _blocking_call(world, event, op)
    after, outcome = _immediate(world, op)
    discarded: tuple[Message, ...] = ()
    if isinstance(op, Close) and world.is_live(op.handle):
        after, discarded = _close(world, op.handle)
    return [Step(event, after, ((thread, outcome),), discarded)]


def _unsupported(op: Operation, profile: Profile) -> str | None:
    if isinstance(op, Select) and not profile.select:
        return f"select is not part of the {profile.name} profile"
    if isinstance(op, OpenTimer) and not profile.timers:
        return f"timer channels are not part of the {profile.name} profile"
    if isinstance(op, Clone) and op.handle.side is Side.RECV and not profile.receiver_clone:
        return f"receivers cannot be cloned in the {profile.name} profile"
    return None


def _blocking_call(world: World, event: Call, op: Blocking) -> list[Step]:
    thread = event.thread
    done = _attempts(world, thread, op, rendezvous=True)
    if done:
        return [Step(event, w, ((thread, outcome), *extra)) for w, outcome, extra in done]
    if op.mode is Mode.TRY:
        return [Step(event, world, ((thread, _would_block(op)),))]
    return [Step(event, world.with_pending(Pending(thread, op)))]


def _would_block(op: Blocking) -> Outcome:
    if isinstance(op, Send):
        return Full(op.message)
    if isinstance(op, Recv):
        return Empty()
    return NotReady()


def _immediate(world: World, op: Operation) -> tuple[World, Outcome]:
    if isinstance(op, Open):
        return _open(world, op)
    if isinstance(op, OpenTimer):
        return _open_timer(world, op)
    if isinstance(op, SameChannel):
        world.channel(op.first), world.channel(op.second)
        return world, Value(_same_channel(world, op.first, op.second))
    assert isinstance(op, (Clone, Close, Inspect))
    handle = op.handle
    state = world.channel(handle)
    if isinstance(op, Close):
        return world, Value(None)
    if isinstance(op, Inspect) and op.query is Query.CAPACITY:
        return world, Value(state.capacity)
    if not world.is_live(handle):
        return world, HandleClosed()
    if isinstance(op, Inspect):
        return world, Value(chan.introspect(state, op.query, world.now))
    serial, state = chan.mint(state, handle.side)
    return world.with_channel(handle.channel, state), Value(Handle(handle.channel, handle.side, serial))


def _open(world: World, op: Open) -> tuple[World, Outcome]:
    index = len(world.channels)
    after = replace(world, channels=(*world.channels, ChannelState(op.capacity)))
    return after, Opened(Handle(index, Side.SEND, 0), Handle(index, Side.RECV, 0))


def _open_timer(world: World, op: OpenTimer) -> tuple[World, Outcome]:
    never = op.kind is TimerKind.NEVER
    timer = Timer(op.kind, op.delay, None if never else world.now + op.delay)
    state = ChannelState(0 if never else 1, senders=frozenset(), minted_senders=0, timer=timer)
    index = len(world.channels)
    return replace(world, channels=(*world.channels, state)), Opened(None, Handle(index, Side.RECV, 0))


def _same_channel(world: World, first: Handle, second: Handle) -> bool:
    if first.channel == second.channel:
        return True
    timers = (world.channels[first.channel].timer, world.channels[second.channel].timer)
    return all(t is not None and t.kind is TimerKind.NEVER for t in timers)


def _close(world: World, handle: Handle) -> tuple[World, tuple[Message, ...]]:
    state, discarded = chan.close(world.channel(handle), handle.side, handle.serial)
    return world.with_channel(handle.channel, state), discarded


# Completing a send, a receive or a select ------------------------------------------------

_Done = tuple[World, Outcome, tuple[Result, ...]]


def _attempts(world: World, thread: int, op: Blocking, rendezvous: bool) -> list[_Done]:
    """Every way ``op`` by ``thread`` can complete in ``world`` right now (none: it would block).

    ``rendezvous`` is false when a blocked call is woken: blocked calls never
    pair with each other, a rendezvous happens when its second party arrives.
    """
    if not isinstance(op, Select):
        return [(c.world, c.outcome, _partner(c)) for c in _case_completions(world, thread, op, rendezvous)]
    closed = [i for i, case in enumerate(op.cases) if not world.is_live(_case_handle(case))]
    if closed:
        first = closed[0]
        return [(world, Selected(first, HandleClosed(_case_message(op.cases[first]))), ())]
    done: list[_Done] = []
    for index, case in enumerate(op.cases):
        completions = _case_completions(world, thread, case, rendezvous)
        if not completions:
            continue
        if not op.complete:
            done.append((world, Selected(index), ()))
        else:
            done.extend((c.world, Selected(index, c.outcome), _partner(c)) for c in completions)
        if op.biased:
            break
    return done


def _partner(completion: _Completion) -> tuple[Result, ...]:
    return () if completion.partner is None else (completion.partner,)


def _case_handle(case: Case) -> Handle:
    return case.sender if isinstance(case, Send) else case.receiver


def _case_message(case: Case) -> Message:
    return case.message if isinstance(case, Send) else NO_MESSAGE


def _case_completions(world: World, thread: int, case: Case, rendezvous: bool) -> list[_Completion]:
    handle = _case_handle(case)
    state = world.channel(handle)
    if not world.is_live(handle):
        return [_Completion(world, HandleClosed(_case_message(case)))]
    if isinstance(case, Send):
        return _send_completions(world, thread, case, state, rendezvous)
    return _recv_completions(world, thread, case, state, rendezvous)


def _send_completions(
    world: World, thread: int, case: Send, state: ChannelState, rendezvous: bool
) -> list[_Completion]:
    index = case.sender.channel
    if state.disconnected:
        return [_Completion(world, Disconnected(case.message))]
    if chan.has_room(state):
        return [_Completion(world.with_channel(index, chan.append(state, case.message)), Sent())]
    if not (state.is_rendezvous and rendezvous):
        return []
    return [
        _Completion(
            world.without_pending(partner.thread), Sent(), (partner.thread, _wrap(op, i, Received(case.message)))
        )
        for partner, op, i in _waiting_partners(world, thread, index, Side.RECV)
    ]


def _recv_completions(
    world: World, thread: int, case: Recv, state: ChannelState, rendezvous: bool
) -> list[_Completion]:
    index = case.receiver.channel
    if chan.timer_ready(state, world.now):
        instant, state = chan.take_timer(state, world.now)
        return [_Completion(world.with_channel(index, state), Received(instant))]
    if state.buffer:
        message, state = chan.pop(state)
        return [_Completion(world.with_channel(index, state), Received(message))]
    if state.disconnected:
        return [_Completion(world, Disconnected())]
    if not (state.is_rendezvous and rendezvous):
        return []
    completions = []
    for partner, op, i in _waiting_partners(world, thread, index, Side.SEND):
        case_op = op.cases[i] if isinstance(op, Select) else op
        assert isinstance(case_op, Send)
        completions.append(
            _Completion(
                world.without_pending(partner.thread), Received(case_op.message), (partner.thread, _wrap(op, i, Sent()))
            )
        )
    return completions


def _wrap(op: Blocking, index: int, outcome: CaseOutcome) -> Outcome:
    return Selected(index, outcome) if isinstance(op, Select) else outcome


def _waiting_partners(world: World, thread: int, channel: int, side: Side) -> list[tuple[Pending, Blocking, int]]:
    """Blocked calls of other threads that a rendezvous on ``channel`` can pair with:
    plain sends/receives, and each matching case of a blocked completing select
    (a biased select offers its lowest matching case). Observers (``ready``)
    never pair."""
    found: list[tuple[Pending, Blocking, int]] = []
    for entry in world.pending:
        op = entry.operation
        if entry.thread == thread or not _can_pair(world, op):
            continue
        cases = op.cases if isinstance(op, Select) else (op,)
        for i, case in enumerate(cases):
            handle = _case_handle(case)
            if handle.channel == channel and handle.side is side and world.is_live(handle):
                found.append((entry, op, i))
                if isinstance(op, Select) and op.biased:
                    break
    return found


def _can_pair(world: World, op: Blocking) -> bool:
    """A blocked call can be a rendezvous partner unless it observes only (``ready``) or one of
    its handles was closed under it (then it must wake with ``HandleClosed``)."""
    if not isinstance(op, Select):
        return True
    return op.complete and all(world.is_live(_case_handle(case)) for case in op.cases)


# Blocked calls ---------------------------------------------------------------------------


def _wake(world: World, event: Wake | Expire) -> list[Step]:
    entry = world.pending_of(event.thread)
    if entry is None:
        return []
    rest = world.without_pending(event.thread)
    op = entry.operation
    # An observer (ready) learns of a rendezvous partner while both wait; nothing pairs.
    observe = isinstance(op, Select) and not op.complete
    done = _attempts(rest, event.thread, op, rendezvous=observe)
    return [Step(Wake(event.thread), w, ((event.thread, outcome), *extra)) for w, outcome, extra in done]


def _expire(world: World, event: Expire) -> list[Step]:
    entry = world.pending_of(event.thread)
    if entry is None or entry.operation.mode is not Mode.TIMED or _wake(world, Wake(event.thread)):
        return []
    op = entry.operation
    message = op.message if isinstance(op, Send) else NO_MESSAGE
    return [Step(event, world.without_pending(event.thread), ((event.thread, Timeout(message)),))]


def _cancel(world: World, event: Cancel) -> list[Step]:
    entry = world.pending_of(event.thread)
    if entry is None:
        return []
    op = entry.operation
    message = op.message if isinstance(op, Send) else NO_MESSAGE
    return [Step(event, world.without_pending(event.thread), ((event.thread, Cancelled(message)),))]
