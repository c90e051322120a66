"""Rules that concern one channel alone: room, the buffer, closing a handle, introspection.

Each function is pure and small, and carries its contract (``pre:``/``post:``)
in the docstring, where CrossHair checks it symbolically.
"""

from __future__ import annotations

from dataclasses import replace

from .handles import Side
from .operations import Message, Query, TimerKind
from .outcomes import UNSPECIFIED, IntrospectionValue
from .state import ChannelState, Timer


def well_formed(state: ChannelState) -> bool:
    """The per-channel invariant: what every reachable channel state satisfies.

    0 <= len <= capacity; with no receiver left nothing stays buffered; live
    serials were all minted; a timer channel buffers nothing, has no senders
    and keeps a sane schedule.
    """
    if state.capacity is not None and not 0 <= len(state.buffer) <= state.capacity:
        return False
    if not state.receivers and state.buffer:
        return False
    if state.timer is not None and not _timer_well_formed(state):
        return False
    return all(0 <= serial < state.minted(side) for side in Side for serial in state.live(side))


def _timer_well_formed(state: ChannelState) -> bool:
    timer = state.timer
    assert timer is not None
    if state.buffer or state.senders or state.minted_senders or timer.period < 0:
        return False
    if timer.kind is TimerKind.NEVER:
        return timer.due is None and state.capacity == 0
    return state.capacity == 1 and (timer.kind is TimerKind.AFTER or timer.due is not None)


def has_room(state: ChannelState) -> bool:
    """A send could add to the buffer now (never at capacity 0)."""
    return state.timer is None and (state.capacity is None or len(state.buffer) < state.capacity)


def append(state: ChannelState, message: Message) -> ChannelState:
    """The message joins the back of the buffer.

    pre: well_formed(state) and has_room(state) and state.receivers
    post: __return__.buffer == state.buffer + (message,)
    post: well_formed(__return__)
    """
    return replace(state, buffer=(*state.buffer, message))


def pop(state: ChannelState) -> tuple[Message, ChannelState]:
    """The oldest message leaves the front of the buffer (FIFO).

    pre: well_formed(state) and len(state.buffer) > 0
    post: (__return__[0],) + __return__[1].buffer == state.buffer
    post: well_formed(__return__[1])
    """
    return state.buffer[0], replace(state, buffer=state.buffer[1:])


def close(state: ChannelState, side: Side, serial: int) -> tuple[ChannelState, tuple[Message, ...]]:
    """Give up one live handle; the last receiver takes the buffered messages with it.

    Returns the new state and the messages discarded (std and current crossbeam
    discard at the last receiver's close; crossbeam 0.5.16 and older kept
    bounded buffers until the senders went too).

    pre: well_formed(state) and serial in state.live(side)
    post: serial not in __return__[0].live(side)
    post: len(__return__[0].live(side)) == len(state.live(side)) - 1
    post: __return__[1] + __return__[0].buffer == state.buffer
    post: well_formed(__return__[0])
    post: __return__[0].disconnected or not state.disconnected
    """
    live = state.live(side) - {serial}
    after = state.with_live(side, live, state.minted(side))
    if side is Side.RECV and not live and after.timer is None:
        return replace(after, buffer=()), state.buffer
    return after, ()


def mint(state: ChannelState, side: Side) -> tuple[int, ChannelState]:
    """A clone: the next serial joins the live handles of that side.

    pre: well_formed(state) and len(state.live(side)) > 0
    post: __return__[0] in __return__[1].live(side)
    post: len(__return__[1].live(side)) == len(state.live(side)) + 1
    post: __return__[1].disconnected == state.disconnected
    post: well_formed(__return__[1])
    """
    serial = state.minted(side)
    return serial, state.with_live(side, state.live(side) | {serial}, serial + 1)


def timer_ready(state: ChannelState, now: int) -> bool:
    """A timer channel has a message to hand out at time ``now``."""
    timer = state.timer
    return timer is not None and timer.due is not None and now >= timer.due


def take_timer(state: ChannelState, now: int) -> tuple[int, ChannelState]:
    """Take a timer's message: its scheduled instant. ``after`` fires once; ``tick``
    reschedules one period after the read, so missed ticks collapse into one.

    pre: well_formed(state) and timer_ready(state, now)
    post: __return__[0] <= now
    post: not timer_ready(__return__[1], now) or __return__[1].timer.period == 0
    """
    timer = state.timer
    assert timer is not None and timer.due is not None
    due = now + timer.period if timer.kind is TimerKind.TICK else None
    return timer.due, replace(state, timer=Timer(timer.kind, timer.period, due))


def introspect(state: ChannelState, query: Query, now: int) -> IntrospectionValue:
    """``len``, ``is_empty``, ``is_full`` and ``capacity`` of a channel at time ``now``.

    A rendezvous is always empty and full at once; an unbounded channel never
    full. Once every receiver is gone a bounded channel's ``len``/``is_empty``/
    ``is_full`` are UNSPECIFIED: std reports a stale count, crossbeam 0.5 the
    messages it still keeps.

    pre: well_formed(state)
    post: query != Query.LEN or __return__ == UNSPECIFIED or 0 <= __return__
    """
    if query is Query.CAPACITY:
        return state.capacity
    if state.timer is not None:
        length = 1 if timer_ready(state, now) else 0
    elif state.capacity is not None and state.capacity > 0 and not state.receivers:
        return UNSPECIFIED
    else:
        length = len(state.buffer)
    if query is Query.LEN:
        return length
    if query is Query.IS_EMPTY:
        return length == 0
    if state.capacity is None:
        return False
    return length >= state.capacity
