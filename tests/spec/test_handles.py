"""Handles in the specification: clone counting, the std profile, use after close, and
closing a handle that another thread is blocked on."""

from __future__ import annotations

import pytest
from chanspec.spec import (
    STD,
    Clone,
    Disconnected,
    HandleClosed,
    Inspect,
    Mode,
    Query,
    Received,
    Selected,
    Sent,
    Unsupported,
    Value,
)

from .helpers import Script, recv_case, send_case


def test_std_receiver_clone_is_unsupported_and_sender_clone_works() -> None:
    s = Script(STD)
    tx, r = s.open(1)
    outcome = s.call(Clone(r))
    assert isinstance(outcome, Unsupported) and "receiver" in outcome.reason
    assert s.world.channels[0].minted_receivers == 1
    tx1 = s.clone(tx)
    s.close(tx)
    assert s.send(tx1, 1) == Sent()
    assert s.recv(r) == Received(1)


@pytest.mark.parametrize("mode", list(Mode))
def test_send_on_a_closed_sender_hands_the_message_back(mode: Mode) -> None:
    s = Script()
    tx, _ = s.open(1)
    extra = s.clone(tx)
    s.close(tx)
    assert s.send(tx, "m", mode) == HandleClosed("m")
    assert s.world.channels[0].buffer == ()
    assert s.send(extra, "n") == Sent()


@pytest.mark.parametrize("mode", list(Mode))
def test_recv_on_a_closed_receiver_raises_handle_closed(mode: Mode) -> None:
    s = Script()
    tx, r = s.open(None)
    extra = s.clone(r)
    s.send(tx, "m")
    s.close(r)
    assert s.recv(r, mode) == HandleClosed()
    assert s.recv(extra) == Received("m")


def test_closed_handle_answers_only_capacity_and_same_channel() -> None:
    s = Script()
    tx, r = s.open(2)
    s.close(tx)
    for query in (Query.LEN, Query.IS_EMPTY, Query.IS_FULL):
        assert s.call(Inspect(tx, query)) == HandleClosed()
    assert s.call(Inspect(tx, Query.CAPACITY)) == Value(2)
    assert s.same_channel(tx, r) == Value(True)
    assert s.call(Clone(tx)) == HandleClosed()


def test_close_is_idempotent_and_discards_once() -> None:
    s = Script()
    tx, r = s.open(None)
    s.send(tx, 1)
    assert s.close(r) == (1,)
    before = s.world
    assert s.close(r) == ()
    assert s.world == before


def test_closing_the_handle_a_receiver_is_blocked_on() -> None:
    s = Script()
    tx, r0 = s.open(None)
    r1 = s.clone(r0)
    assert s.recv(r1, thread=1) is None
    s.close(r1)
    assert s.can_complete(1)
    s.send(tx, "m")  # still connected through r0, and r1's waiter must not take it
    assert s.wake(1) == HandleClosed()
    assert s.recv(r0) == Received("m")


def test_closing_the_handle_a_timed_sender_is_blocked_on_hands_the_message_back() -> None:
    s = Script()
    tx0, r = s.open(1)
    tx1 = s.clone(tx0)
    s.send(tx0, 1)
    assert s.send_timeout(tx1, 2, thread=1) is None
    s.close(tx1)
    assert not s.can_expire(1)  # it can complete, so it must not time out
    assert s.wake(1) == HandleClosed(2)
    assert s.try_iter(r) == [1]


def test_closing_the_last_receiver_a_thread_is_blocked_on() -> None:
    s = Script()
    tx, r = s.open(1)
    assert s.recv(r, thread=1) is None
    assert s.close(r) == ()
    assert s.wake(1) == HandleClosed()
    assert s.send(tx, 1) == Disconnected(1)


def test_a_rendezvous_sender_on_a_closed_handle_is_no_partner() -> None:
    s = Script()
    tx0, r = s.open(0)
    tx1 = s.clone(tx0)
    assert s.send(tx1, "m", thread=1) is None
    s.close(tx1)
    assert s.recv(r, thread=2) is None  # does not pair with thread 1
    assert s.wake(1) == HandleClosed("m")
    assert s.try_send(tx0, "n") == Sent()
    assert s.result_of(2) == Received("n")


def test_closing_a_handle_a_select_is_blocked_on() -> None:
    s = Script()
    tx, r = s.open(1)
    s.send(tx, "full")
    r1 = s.clone(r)
    _, other = s.open(None)
    assert s.select(send_case(tx, "m"), recv_case(other), thread=1) is None
    s.close(tx)
    assert s.wake_all() == {1: Selected(0, HandleClosed("m"))}
    assert s.recv(r1) == Received("full")


def test_a_receiver_can_still_be_cloned_after_the_senders_are_gone() -> None:
    s = Script()
    tx, r = s.open(1)
    s.send(tx, 1)
    s.close(tx)
    r1 = s.clone(r)
    assert s.recv(r1) == Received(1)
    assert s.recv(r1) == Disconnected()
