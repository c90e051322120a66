"""Timer channels (after, tick, never) under abstract time (Advance moves it one tick)."""

from __future__ import annotations

from chanspec.spec import (
    STD,
    Empty,
    Expire,
    OpenTimer,
    Received,
    Timeout,
    TimerKind,
    Unsupported,
    Value,
)

from .helpers import Script


def test_after_fires_once_with_its_scheduled_instant() -> None:
    s = Script()
    after = s.timer(TimerKind.AFTER, 3)
    assert s.stats(after) == (0, True, False, 1)
    assert s.try_recv(after) == Empty()
    s.advance(5)
    assert s.stats(after) == (1, False, True, 1)
    assert s.try_recv(after) == Received(3)  # the scheduled instant, not the reading time
    assert s.try_recv(after) == Empty()
    assert s.stats(after) == (0, True, False, 1)


def test_after_consumed_waits_for_ever() -> None:
    s = Script()
    after = s.timer(TimerKind.AFTER, 0)
    assert s.recv(after) == Received(0)
    assert s.recv_timeout(after) is None
    assert s.expire(0) == Timeout()
    assert s.recv(after, thread=1) is None
    s.advance(10)
    assert not s.can_complete(1)


def test_after_message_goes_to_one_clone_only() -> None:
    s = Script()
    first = s.timer(TimerKind.AFTER, 1)
    second = s.clone(first)
    assert s.same_channel(first, second) == Value(True)
    s.advance()
    assert s.try_recv(second) == Received(1)
    assert s.try_recv(first) == Empty()


def test_blocked_recv_on_after_completes_when_due() -> None:
    s = Script()
    after = s.timer(TimerKind.AFTER, 2)
    assert s.recv(after, thread=1) is None
    s.advance()
    assert not s.can_complete(1)
    s.advance()
    assert s.wake_all() == {1: Received(2)}


def test_tick_collapses_missed_ticks_and_reschedules_from_the_read() -> None:
    s = Script()
    tick = s.timer(TimerKind.TICK, 2)
    s.advance(11)
    assert s.stats(tick) == (1, False, True, 1)
    assert s.try_recv(tick) == Received(2)  # the oldest missed instant, once
    assert s.try_recv(tick) == Empty()
    assert s.stats(tick)[0] == 0
    s.advance(2)
    assert s.try_recv(tick) == Received(13)


def test_tick_recv_twice() -> None:
    s = Script()
    tick = s.timer(TimerKind.TICK, 5)
    assert s.recv(tick, thread=1) is None
    s.advance(5)
    assert s.wake_all() == {1: Received(5)}
    assert s.recv(tick, thread=1) is None
    s.advance(4)
    assert not s.can_complete(1)
    s.advance()
    assert s.wake_all() == {1: Received(10)}


def test_tick_zero_is_always_ready_and_after_zero_once() -> None:
    s = Script()
    tick = s.timer(TimerKind.TICK, 0)
    assert [s.try_recv(tick) for _ in range(3)] == [Received(0)] * 3
    after = s.timer(TimerKind.AFTER, 0)
    assert [s.try_recv(after) for _ in range(2)] == [Received(0), Empty()]


def test_recv_timeout_on_a_tick_expires_only_before_it_is_due() -> None:
    s = Script()
    tick = s.timer(TimerKind.TICK, 4)
    assert s.recv_timeout(tick) is None
    assert s.can_expire(0)
    s.advance(4)
    assert s.can_complete(0) and not s.can_expire(0)
    assert s.steps(Expire(0)) == ()
    assert s.wake(0) == Received(4)


def test_never_delivers_nothing_and_is_never_disconnected() -> None:
    s = Script()
    never = s.timer(TimerKind.NEVER)
    assert s.stats(never) == (0, True, True, 0)
    assert s.try_recv(never) == Empty()
    assert s.recv_timeout(never) is None
    s.advance(100)
    assert s.expire(0) == Timeout()
    assert s.recv(never, thread=1) is None
    s.advance(100)
    assert not s.can_complete(1)
    assert not s.world.channels[0].disconnected


def test_same_channel_for_timers() -> None:
    s = Script()
    n0 = s.timer(TimerKind.NEVER)
    n1 = s.timer(TimerKind.NEVER)
    a0 = s.timer(TimerKind.AFTER, 1)
    a1 = s.timer(TimerKind.AFTER, 1)
    assert s.same_channel(n0, n1) == Value(True)  # any two never receivers
    assert s.same_channel(a0, a1) == Value(False)  # equal delays, different channels
    assert s.same_channel(n0, a0) == Value(False)


def test_std_profile_has_no_timers() -> None:
    s = Script(STD)
    assert isinstance(s.call(OpenTimer(TimerKind.AFTER, 1)), Unsupported)
    assert s.world.channels == ()
