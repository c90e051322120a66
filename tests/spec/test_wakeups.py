"""Lazy wake-ups and expiry: a blocked call is made able to complete, not handed a message;
a timed call may give up only while it cannot complete."""

from __future__ import annotations

from chanspec.spec import (
    Call,
    Disconnected,
    Expire,
    Received,
    Send,
    Sent,
    Timeout,
    Wake,
    internal_events,
)

from .helpers import Script


def test_a_newcomer_may_overtake_a_woken_receiver() -> None:
    s = Script()
    tx, r = s.open(None)
    assert s.recv(r, thread=1) is None
    s.send(tx, "a")
    assert s.can_complete(1)  # able to complete: it must not stay blocked ...
    assert s.try_recv(r, thread=2) == Received("a")  # ... but a newcomer got there first
    assert s.pending() == (1,) and not s.can_complete(1)
    s.send(tx, "b")
    assert s.wake_all() == {1: Received("b")}


def test_a_newcomer_may_overtake_a_woken_sender() -> None:
    s = Script()
    tx, r = s.open(1)
    s.send(tx, 1)
    assert s.send(tx, 2, thread=1) is None
    assert s.recv(r) == Received(1)
    assert s.try_send(tx, 3, thread=2) == Sent()
    assert not s.can_complete(1)
    assert s.recv(r) == Received(3)
    assert s.wake_all() == {1: Sent()}


def test_one_message_makes_every_blocked_receiver_able_but_only_one_gets_it() -> None:
    s = Script()
    tx, r = s.open(None)
    for thread in (1, 2, 3):
        assert s.recv(r, thread=thread) is None
    s.send(tx, "only")
    assert all(s.can_complete(thread) for thread in (1, 2, 3))
    assert s.wake(2) == Received("only")
    assert not s.can_complete(1) and not s.can_complete(3)
    assert s.wake_all() == {}


def test_a_blocked_call_that_cannot_complete_has_no_wake_up() -> None:
    s = Script()
    _tx, r = s.open(None)
    assert s.recv(r, thread=1) is None
    assert s.steps(Wake(1)) == ()
    assert internal_events(s.world) == ()


def test_rendezvous_completes_both_calls_in_one_step() -> None:
    s = Script()
    tx, r = s.open(0)
    assert s.recv(r, thread=1) is None
    step = s.take(Call(0, Send(tx, "m")))
    assert dict(step.results) == {0: Sent(), 1: Received("m")}
    assert s.pending() == ()


def test_expiry_only_while_the_call_cannot_complete() -> None:
    s = Script()
    tx, r = s.open(None)
    assert s.recv_timeout(r, thread=1) is None
    assert internal_events(s.world) == (Expire(1),)
    s.send(tx, "a")
    assert internal_events(s.world) == (Wake(1),)
    assert s.steps(Expire(1)) == ()
    assert s.try_recv(r, thread=2) == Received("a")  # overtaken: it may give up again
    assert internal_events(s.world) == (Expire(1),)
    assert s.expire(1) == Timeout()


def test_expiry_hands_a_timed_send_its_message_back() -> None:
    s = Script()
    tx, _ = s.open(0)
    assert s.send_timeout(tx, "m", thread=1) is None
    assert s.expire(1) == Timeout("m")


def test_untimed_calls_never_expire() -> None:
    s = Script()
    _tx, r = s.open(0)
    assert s.recv(r, thread=1) is None
    s.advance(10)
    assert s.steps(Expire(1)) == ()


def test_disconnection_makes_timed_calls_complete_instead_of_expiring() -> None:
    s = Script()
    tx, r = s.open(1)
    s.send(tx, 1)
    assert s.send_timeout(tx, 2, thread=1) is None
    s.close(r)
    assert s.can_complete(1) and not s.can_expire(1)
    assert s.wake(1) == Disconnected(2)


def test_an_unbounded_send_never_waits_so_never_times_out() -> None:
    s = Script()
    tx, _ = s.open(None)
    for message in range(50):
        assert s.send_timeout(tx, message) == Sent()
    assert s.pending() == ()
