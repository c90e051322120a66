"""The tracker follows observations through the specification and rejects the impossible ones."""

from __future__ import annotations

from chanspec.conformance.calls import Cloned, Raised, Token
from chanspec.conformance.tracker import Tracker, matches
from chanspec.spec import (
    CROSSBEAM,
    UNSPECIFIED,
    Call,
    Clone,
    Close,
    Disconnected,
    Empty,
    Full,
    Inspect,
    Mode,
    Open,
    Query,
    Received,
    Recv,
    Send,
    Sent,
    Timeout,
    Value,
    World,
    rx,
    successors,
    tx,
)


def tracker(capacity: int | None) -> Tracker:
    (opened,) = successors(World(), Call(0, Open(capacity)))
    return Tracker(opened.world, CROSSBEAM)


def test_a_sequence_the_spec_allows_is_accepted() -> None:
    t = tracker(1)
    m = Token()
    assert t.call(0, Send(tx(0), m, Mode.TRY), Sent())[0] is None
    assert t.call(0, Send(tx(0), Token(), Mode.TRY), Full(Token()))[0] is not None  # a different object
    assert t.call(0, Recv(rx(0), Mode.TRY), Received(m))[0] is None
    assert t.call(0, Recv(rx(0), Mode.TRY), Empty())[0] is None


def test_an_outcome_the_spec_forbids_is_a_mismatch_with_what_was_allowed() -> None:
    t = tracker(1)
    m = Token()
    t.call(0, Send(tx(0), m, Mode.TRY), Sent())
    mismatch, _ = t.call(0, Recv(rx(0), Mode.TRY), Empty())
    assert mismatch is not None
    assert mismatch.allowed == (Received(m),)
    assert "[m" in mismatch.states[0]


def test_a_started_call_may_take_effect_later() -> None:
    """A worker's blocking send may not have registered yet when the test thread's try_recv runs."""
    t = tracker(0)
    m = Token()
    t.start(1, Send(tx(0), m))
    assert t.call(0, Recv(rx(0), Mode.TRY), Empty())[0] is None  # the send had not taken effect yet
    assert t.progress_required([1]) is False  # nobody receives: the send must stay blocked
    assert t.call(0, Recv(rx(0), Mode.TRY), Received(m))[0] is None  # now it has
    assert t.settle({1: Sent()}) is None


def test_a_blocked_receiver_must_return_once_a_message_arrives() -> None:
    t = tracker(None)
    t.start(1, Recv(rx(0)))
    assert t.progress_required([1]) is False
    m = Token()
    t.call(0, Send(tx(0), m), Sent())
    assert t.progress_required([1]) is True
    assert t.settle({1: Received(Token())}) is not None  # not the message that was sent
    assert t.settle({1: Received(m)}) is None


def test_closing_the_last_sender_requires_blocked_receivers_to_return_disconnected() -> None:
    t = tracker(2)
    t.start(1, Recv(rx(0)))
    t.call(0, Close(tx(0)), Value(None))
    assert t.progress_required([1]) is True
    assert t.settle({1: Timeout()}) is not None
    assert t.settle({1: Disconnected()}) is None


def test_a_timeout_is_only_allowed_while_the_call_cannot_complete() -> None:
    t = tracker(1)
    m = Token()
    t.call(0, Send(tx(0), m), Sent())
    mismatch, _ = t.call(0, Recv(rx(0), Mode.TIMED), Timeout())
    assert mismatch is not None and mismatch.allowed == (Received(m),)


def test_clone_binds_the_new_handle() -> None:
    t = tracker(None)
    mismatch, minted = t.call(0, Clone(tx(0)), Cloned())
    assert mismatch is None and minted == tx(0, 1)


def test_matching_rules() -> None:
    assert matches(Value(UNSPECIFIED), Value(3))
    assert not matches(Value(True), Value(1))  # a bool answer must be a bool
    assert not matches(Value(0), Raised("TypeError", "boom"))
    assert matches(Value(tx(0, 1)), Cloned())
    assert not matches(Value(None), Cloned())


def test_introspection_is_checked() -> None:
    t = tracker(2)
    t.call(0, Send(tx(0), Token(), Mode.TRY), Sent())
    assert t.call(0, Inspect(tx(0), Query.LEN), Value(2))[0] is not None
    assert t.call(0, Inspect(tx(0), Query.LEN), Value(1))[0] is None
