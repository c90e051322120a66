"""Every operation and outcome, one thread at a time."""

from __future__ import annotations

import gc
import math
import time
import weakref
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

from chanspec.errors import NO_MESSAGE, ChannelError, Disconnected, Empty, Full, HandleClosed, Timeout

from .conftest import Closer
from .helpers import (
    BOUNDED_N,
    BUFFERED,
    CLONABLE,
    FULLABLE,
    RENDEZVOUS,
    UNBOUNDED,
    Flavour,
    Token,
    promptly,
    with_flavours,
)

SendCall = Callable[[Any, Any], Any]
RecvCall = Callable[[Any], Any]

EVERY_SEND: list[SendCall] = [
    lambda tx, m: tx.send(m),
    lambda tx, m: tx.try_send(m),
    lambda tx, m: tx.send_timeout(m, 0),
    lambda tx, m: tx.send_timeout(m, 10.0),
    lambda tx, m: tx.send_deadline(m, time.monotonic() - 1.0),
    lambda tx, m: tx.send_deadline(m, time.monotonic() + 10.0),
]
"""Every way of sending; those that may wait are given a long timeout."""

EVERY_RECEIVE: list[RecvCall] = [
    lambda rx: rx.recv(),
    lambda rx: rx.try_recv(),
    lambda rx: rx.recv_timeout(0),
    lambda rx: rx.recv_timeout(10.0),
    lambda rx: rx.recv_deadline(time.monotonic() - 1.0),
    lambda rx: rx.recv_deadline(time.monotonic() + 10.0),
]
"""Every way of receiving one message."""


def fill(tx: Any, flavour: Flavour) -> list[Any]:
    """Send until a bounded channel is full (``flavour.room`` messages); returns them."""
    messages = [Token(i) for i in range(flavour.room)]
    for message in messages:
        tx.try_send(message)
    return messages


# Sending and receiving -------------------------------------------------------------------


@with_flavours(*BUFFERED)
def test_messages_come_out_in_order(flavour: Flavour, pair: tuple[Any, Any]) -> None:
    tx, rx = pair
    for round_ in range(3):  # wraps around a bounded buffer
        sent = [(round_, i) for i in range(flavour.room)]
        for message in sent:
            tx.send(message)
        assert [rx.recv() for _ in sent] == sent


@with_flavours(*BUFFERED)
def test_every_way_of_sending_and_receiving(flavour: Flavour, pair: tuple[Any, Any]) -> None:
    tx, rx = pair
    for send in EVERY_SEND:
        for receive in EVERY_RECEIVE:
            message = Token(0)
            assert send(tx, message) is None
            assert receive(rx) is message


@with_flavours(*BUFFERED)
def test_none_is_a_message(pair: tuple[Any, Any]) -> None:
    tx, rx = pair
    tx.send(None)
    assert rx.try_recv() is None


@with_flavours(*FULLABLE)
def test_try_send_on_full_hands_message_back(flavour: Flavour, pair: tuple[Any, Any]) -> None:
    tx, _rx = pair
    fill(tx, flavour)
    message = Token(99)
    with pytest.raises(Full) as caught:
        tx.try_send(message)
    assert caught.value.message is message
    assert len(tx) == flavour.capacity


@with_flavours(*FULLABLE)
def test_send_timeout_on_full_hands_message_back(flavour: Flavour, pair: tuple[Any, Any]) -> None:
    tx, _rx = pair
    fill(tx, flavour)
    for message in (Token(98), Token(99)):
        with pytest.raises(Timeout) as caught:
            tx.send_timeout(message, 0)
        assert caught.value.message is message
        with pytest.raises(Timeout) as caught:
            tx.send_deadline(message, time.monotonic() - 5)
        assert caught.value.message is message


@with_flavours(*RENDEZVOUS)
def test_rendezvous_without_partner(pair: tuple[Any, Any]) -> None:
    tx, rx = pair
    message = Token(1)
    with pytest.raises(Full) as full:
        tx.try_send(message)
    assert full.value.message is message
    with pytest.raises(Timeout) as timeout:
        tx.send_timeout(message, 0)
    assert timeout.value.message is message
    with pytest.raises(Empty):
        rx.try_recv()
    with pytest.raises(Timeout):
        rx.recv_timeout(0)


def test_unbounded_never_full(api: ModuleType, closer: Closer) -> None:
    tx, rx = closer.open(api, UNBOUNDED)
    for i in range(10_000):
        tx.try_send(i)
    tx.send_timeout("last", 0)
    assert len(rx) == 10_001
    assert not tx.is_full()


def test_try_recv_on_empty(pair: tuple[Any, Any]) -> None:
    _tx, rx = pair
    with pytest.raises(Empty) as caught:
        rx.try_recv()
    assert caught.value.message is NO_MESSAGE
    with pytest.raises(Timeout) as timeout:
        rx.recv_timeout(0)
    assert timeout.value.message is NO_MESSAGE


def test_errors_are_channel_errors() -> None:
    for error in (Disconnected, Empty, Full, HandleClosed, Timeout):
        assert issubclass(error, ChannelError)


# Disconnection ---------------------------------------------------------------------------


def test_send_after_last_receiver_closed(pair: tuple[Any, Any]) -> None:
    tx, rx = pair
    rx.close()
    for send in EVERY_SEND:
        message = Token(5)
        with promptly(), pytest.raises(Disconnected) as caught:
            send(tx, message)
        assert caught.value.message is message


@with_flavours(*FULLABLE)
def test_disconnection_beats_fullness(flavour: Flavour, pair: tuple[Any, Any]) -> None:
    tx, rx = pair
    fill(tx, flavour)
    rx.close()
    message = Token(7)
    with pytest.raises(Disconnected) as caught:
        tx.try_send(message)
    assert caught.value.message is message
    with pytest.raises(Disconnected):
        tx.send_timeout(message, 0)


@with_flavours(*BUFFERED)
def test_buffered_messages_survive_the_senders(flavour: Flavour, pair: tuple[Any, Any]) -> None:
    tx, rx = pair
    sent = fill(tx, flavour)
    tx.close()
    assert len(rx) == len(sent)
    receives = [rx.try_recv, rx.recv, lambda: rx.recv_timeout(10.0)]
    assert [receives[i % 3]() for i in range(len(sent))] == sent
    with pytest.raises(Disconnected) as caught:
        rx.try_recv()
    assert caught.value.message is NO_MESSAGE


def test_receive_on_empty_disconnected_returns_at_once(pair: tuple[Any, Any]) -> None:
    tx, rx = pair
    tx.close()
    for receive in EVERY_RECEIVE:
        with promptly(), pytest.raises(Disconnected):
            receive(rx)
    assert list(rx) == []
    assert list(rx.try_iter()) == []


# Closing and using closed handles ---------------------------------------------------------


def test_close_is_idempotent(pair: tuple[Any, Any]) -> None:
    tx, rx = pair
    for handle in (tx, rx):
        assert not handle.closed
        handle.close()
        handle.close()
        assert handle.closed


def test_closed_sender_refuses_everything_but_capacity_and_identity(flavour: Flavour, pair: tuple[Any, Any]) -> None:
    tx, rx = pair
    tx.close()
    for send in EVERY_SEND:
        message = Token(3)
        with promptly(), pytest.raises(HandleClosed) as caught:  # not Disconnected: a caller error
            send(tx, message)
        assert caught.value.message is message
    for query in (tx.clone, tx.__len__, tx.is_empty, tx.is_full):
        with pytest.raises(HandleClosed) as error:
            query()
        assert error.value.message is NO_MESSAGE
    assert tx.capacity == flavour.capacity
    assert tx.same_channel(rx)


def test_closed_receiver_refuses_everything_but_capacity_and_identity(flavour: Flavour, pair: tuple[Any, Any]) -> None:
    tx, rx = pair
    if flavour.buffered:
        tx.send("waiting")
    rx.close()
    others: list[RecvCall] = [
        lambda rx: next(iter(rx)),
        lambda rx: list(rx.try_iter()),
        len,
        lambda rx: rx.is_empty(),
        lambda rx: rx.is_full(),
    ]
    for attempt in EVERY_RECEIVE + others:
        with promptly(), pytest.raises(HandleClosed) as caught:
            attempt(rx)
        assert caught.value.message is NO_MESSAGE
    if not flavour.std:
        with pytest.raises(HandleClosed):
            rx.clone()
    assert rx.capacity == flavour.capacity
    assert rx.same_channel(tx)


def test_handle_closed_error_is_not_disconnected() -> None:
    assert not issubclass(HandleClosed, Disconnected)
    assert not issubclass(Disconnected, HandleClosed)


# Clones ---------------------------------------------------------------------------------


@with_flavours(*BUFFERED)
def test_channel_stays_connected_while_any_sender_clone_lives(flavour: Flavour, pair: tuple[Any, Any]) -> None:
    tx, rx = pair
    clones = [tx.clone(), tx.clone()]
    tx.close()
    clones[0].close()
    with pytest.raises(Empty):
        rx.try_recv()
    clones[1].send("last")
    clones[1].close()
    assert rx.recv() == "last"
    with pytest.raises(Disconnected):
        rx.try_recv()


@with_flavours(*(f for f in CLONABLE if f.buffered))
def test_channel_stays_connected_while_any_receiver_clone_lives(flavour: Flavour, pair: tuple[Any, Any]) -> None:
    tx, rx = pair
    rx2 = rx.clone()
    tx.send("kept")
    rx.close()
    assert len(tx) == 1  # closing one clone discards nothing
    assert rx2.recv() == "kept"
    rx2.close()
    message = Token(0)
    with pytest.raises(Disconnected) as caught:
        tx.send(message)
    assert caught.value.message is message


@with_flavours(*(f for f in CLONABLE if f.buffered))
def test_receiver_clones_share_one_queue(flavour: Flavour, pair: tuple[Any, Any]) -> None:
    tx, rx = pair
    rx2 = rx.clone()
    try:
        sent = fill(tx, flavour)
        got = [(rx, rx2)[i % 2].try_recv() for i in range(len(sent))]
        assert got == sent
        with pytest.raises(Empty):
            rx.try_recv()
    finally:
        rx2.close()


def test_clone_of_clone_counts(api: ModuleType, closer: Closer) -> None:
    tx, rx = closer.open(api, BOUNDED_N)
    chain = [tx]
    for _ in range(5):
        chain.append(chain[-1].clone())
    for handle in chain[:-1]:
        handle.close()
        with pytest.raises(Empty):
            rx.try_recv()
    chain[-1].close()
    with pytest.raises(Disconnected):
        rx.try_recv()


# The last receiver's close discards the buffer -----------------------------------------------


@with_flavours(*BUFFERED)
def test_last_receiver_close_discards_buffer(flavour: Flavour, pair: tuple[Any, Any]) -> None:
    tx, rx = pair
    refs = [weakref.ref(message) for message in fill(tx, flavour)]
    gc.collect()
    assert all(ref() is not None for ref in refs)  # the channel holds them
    rx.close()
    gc.collect()
    assert [ref() for ref in refs] == [None] * len(refs)  # gone although a sender is still open
    assert (len(tx), tx.is_empty()) == (0, True)


@with_flavours(*(f for f in CLONABLE if f.buffered))
def test_only_the_last_receiver_close_discards(flavour: Flavour, pair: tuple[Any, Any]) -> None:
    tx, rx = pair
    rx2 = rx.clone()
    refs = [weakref.ref(message) for message in fill(tx, flavour)]
    rx.close()
    gc.collect()
    assert all(ref() is not None for ref in refs)
    rx2.close()
    gc.collect()
    assert all(ref() is None for ref in refs)


@with_flavours(*BUFFERED)
def test_last_sender_close_keeps_buffer(flavour: Flavour, pair: tuple[Any, Any]) -> None:
    tx, rx = pair
    sent = fill(tx, flavour)
    tx.close()
    assert [*rx.try_iter()] == sent


# Introspection -----------------------------------------------------------------------------


def snapshot(handle: Any) -> tuple[int, bool, bool, int | None]:
    return len(handle), handle.is_empty(), handle.is_full(), handle.capacity


def test_introspection_when_empty(flavour: Flavour, pair: tuple[Any, Any]) -> None:
    _tx, _rx = pair
    full = flavour.rendezvous  # a rendezvous is always both empty and full
    for handle in pair:
        assert snapshot(handle) == (0, True, full, flavour.capacity)


@with_flavours(*BUFFERED)
def test_introspection_follows_the_buffer(flavour: Flavour, pair: tuple[Any, Any]) -> None:
    tx, rx = pair
    tx.send("a")
    for handle in pair:
        assert snapshot(handle) == (1, False, flavour.capacity == 1, flavour.capacity)
    fill_to = flavour.room
    for i in range(1, fill_to):
        tx.send(i)
    bounded = flavour.capacity is not None
    for handle in pair:
        assert snapshot(handle) == (fill_to, False, bounded, flavour.capacity)
    rx.recv()
    for handle in pair:
        assert snapshot(handle) == (fill_to - 1, fill_to == 1, False, flavour.capacity)


@with_flavours(*FULLABLE)
def test_introspection_after_every_receiver_closed(flavour: Flavour, pair: tuple[Any, Any]) -> None:
    # Unspecified by the spec; chanspec's channels report the discarded buffer.
    tx, rx = pair
    fill(tx, flavour)
    rx.close()
    assert snapshot(tx) == (0, True, False, flavour.capacity)


def test_introspection_after_every_sender_closed(flavour: Flavour, pair: tuple[Any, Any]) -> None:
    tx, rx = pair
    sent = [] if flavour.rendezvous else fill(tx, flavour)
    tx.close()
    full = flavour.rendezvous or len(sent) == flavour.capacity
    assert snapshot(rx) == (len(sent), not sent, full, flavour.capacity)


# Iteration -----------------------------------------------------------------------------------


@with_flavours(*BUFFERED)
def test_iteration_drains_then_ends_at_disconnection(flavour: Flavour, pair: tuple[Any, Any]) -> None:
    tx, rx = pair
    sent = fill(tx, flavour)
    tx.close()
    assert list(rx) == sent
    assert list(rx) == []


@with_flavours(*BUFFERED)
def test_try_iter_takes_what_is_there_without_blocking(flavour: Flavour, pair: tuple[Any, Any]) -> None:
    tx, rx = pair
    assert list(rx.try_iter()) == []
    sent = fill(tx, flavour)
    with promptly():
        assert list(rx.try_iter()) == sent
    tx.send("later")
    assert list(rx.try_iter()) == ["later"]  # not fused: a later call yields again


@with_flavours(*RENDEZVOUS)
def test_try_iter_on_idle_rendezvous_is_empty(pair: tuple[Any, Any]) -> None:
    _tx, rx = pair
    with promptly():
        assert list(rx.try_iter()) == []


@with_flavours(*BUFFERED)
def test_timed_operations_accept_infinity_when_they_can_complete(pair: tuple[Any, Any]) -> None:
    tx, rx = pair  # at capacity 0 this needs a partner thread: see test_blocking
    tx.send_timeout("x", math.inf)
    assert rx.recv_timeout(math.inf) == "x"
    tx.send_deadline("y", math.inf)
    assert rx.recv_deadline(math.inf) == "y"
