"""Blocking and waking with real threads: who blocks, who wakes, what each one gets."""

from __future__ import annotations

import math
import time
from functools import partial
from types import ModuleType
from typing import Any

import pytest

from chanspec.errors import Disconnected, Empty, Full, HandleClosed, Timeout

from .conftest import Closer
from .helpers import (
    BOUNDED_1,
    CLONABLE,
    FULLABLE,
    RENDEZVOUS,
    SHORT,
    UNBOUNDED,
    ZERO,
    Flavour,
    Token,
    Worker,
    elapsed_at_least,
    promptly,
    with_flavours,
)

BLOCKING_SENDS = {
    "send": lambda tx, m: tx.send(m),
    "send_timeout": lambda tx, m: tx.send_timeout(m, 60.0),
    "send_deadline": lambda tx, m: tx.send_deadline(m, time.monotonic() + 60.0),
    "send_timeout_inf": lambda tx, m: tx.send_timeout(m, math.inf),
    "send_timeout_huge": lambda tx, m: tx.send_timeout(m, 1e12),
    "send_deadline_huge": lambda tx, m: tx.send_deadline(m, 1e300),
}
BLOCKING_RECEIVES = {
    "recv": lambda rx: rx.recv(),
    "recv_timeout": lambda rx: rx.recv_timeout(60.0),
    "recv_deadline": lambda rx: rx.recv_deadline(time.monotonic() + 60.0),
    "recv_timeout_inf": lambda rx: rx.recv_timeout(math.inf),
    "recv_timeout_huge": lambda rx: rx.recv_timeout(1e12),
    "recv_deadline_huge": lambda rx: rx.recv_deadline(1e300),
}


def fill(tx: Any, flavour: Flavour) -> None:
    for i in range(flavour.capacity or 0):
        tx.try_send(i)


# Receivers -------------------------------------------------------------------------------


@pytest.mark.parametrize("receive", BLOCKING_RECEIVES.values(), ids=BLOCKING_RECEIVES.keys())
def test_blocked_receive_woken_by_send(pair: tuple[Any, Any], receive: Any) -> None:
    tx, rx = pair
    worker = Worker(lambda: receive(rx)).start_blocked()
    message = Token(1)
    tx.send(message)  # at capacity 0 this completes the rendezvous with the worker
    assert worker.result() is message


@pytest.mark.parametrize("receive", BLOCKING_RECEIVES.values(), ids=BLOCKING_RECEIVES.keys())
def test_blocked_receive_woken_by_last_sender_close(pair: tuple[Any, Any], receive: Any) -> None:
    tx, rx = pair
    clone = tx.clone()
    worker = Worker(lambda: receive(rx)).start_blocked()
    tx.close()
    assert worker.still_blocked()  # one sender is left
    clone.close()
    assert isinstance(worker.raised(), Disconnected)


@with_flavours(*CLONABLE)
def test_several_blocked_receivers_all_woken_by_last_sender_close(pair: tuple[Any, Any]) -> None:
    tx, rx = pair
    clones = [rx.clone() for _ in range(3)]
    workers = [Worker(r.recv).start_blocked() for r in (rx, *clones)]
    tx.close()
    try:
        for worker in workers:
            assert isinstance(worker.raised(), Disconnected)
    finally:
        for clone in clones:
            clone.close()


def test_blocked_receive_on_closed_handle_gets_handle_closed(pair: tuple[Any, Any]) -> None:
    _tx, rx = pair
    worker = Worker(rx.recv).start_blocked()
    rx.close()  # this very handle, from another thread
    error = worker.raised()
    assert isinstance(error, HandleClosed)


def test_receive_timeout_woken_before_deadline(pair: tuple[Any, Any]) -> None:
    tx, rx = pair
    worker = Worker(lambda: rx.recv_timeout(60.0)).start_blocked()
    with promptly():
        tx.send("in time")
        assert worker.result() == "in time"


# Senders ---------------------------------------------------------------------------------


@with_flavours(*FULLABLE, *RENDEZVOUS)
@pytest.mark.parametrize("send", BLOCKING_SENDS.values(), ids=BLOCKING_SENDS.keys())
def test_blocked_send_woken_by_receive(flavour: Flavour, pair: tuple[Any, Any], send: Any) -> None:
    tx, rx = pair
    fill(tx, flavour)
    message = Token(9)
    worker = Worker(lambda: send(tx, message)).start_blocked()
    for expected in range(flavour.capacity or 0):
        assert rx.recv() == expected
    assert rx.recv() is message
    assert worker.result() is None


@with_flavours(*FULLABLE, *RENDEZVOUS)
@pytest.mark.parametrize("send", BLOCKING_SENDS.values(), ids=BLOCKING_SENDS.keys())
def test_blocked_send_woken_by_last_receiver_close(flavour: Flavour, pair: tuple[Any, Any], send: Any) -> None:
    tx, rx = pair
    fill(tx, flavour)
    message = Token(9)
    worker = Worker(lambda: send(tx, message)).start_blocked()
    rx.close()
    error = worker.raised()
    assert isinstance(error, Disconnected)
    assert error.message is message


@with_flavours(BOUNDED_1, ZERO)
def test_only_the_last_receiver_close_wakes_blocked_senders(flavour: Flavour, pair: tuple[Any, Any]) -> None:
    tx, rx = pair
    clone = rx.clone()
    fill(tx, flavour)
    worker = Worker(lambda: tx.send("blocked")).start_blocked()
    rx.close()
    assert worker.still_blocked()
    clone.close()
    assert isinstance(worker.raised(), Disconnected)


@with_flavours(*FULLABLE, *RENDEZVOUS)
def test_every_blocked_sender_gets_its_own_message_back(api: ModuleType, flavour: Flavour, closer: Closer) -> None:
    tx, rx = closer.open(api, flavour)
    fill(tx, flavour)
    senders = [closer.add(tx.clone()) for _ in range(3)]
    messages = [Token(i) for i in range(3)]
    workers = [
        Worker(partial(s.send, m), name=f"sender-{m.number}").start_blocked()
        for s, m in zip(senders, messages, strict=True)
    ]
    rx.close()
    for worker, message in zip(workers, messages, strict=True):
        error = worker.raised()
        assert isinstance(error, Disconnected) and error.message is message


@with_flavours(*FULLABLE, *RENDEZVOUS)
def test_blocked_send_on_closed_handle_gets_handle_closed(flavour: Flavour, pair: tuple[Any, Any]) -> None:
    tx, _rx = pair
    fill(tx, flavour)
    message = Token(4)
    worker = Worker(lambda: tx.send(message)).start_blocked()
    tx.close()
    error = worker.raised()
    assert isinstance(error, HandleClosed)
    assert error.message is message


def test_unbounded_send_never_blocks(api: ModuleType, closer: Closer) -> None:
    tx, _rx = closer.open(api, UNBOUNDED)
    with promptly():
        for i in range(1000):
            tx.send_timeout(i, 0)


# Rendezvous ------------------------------------------------------------------------------


@with_flavours(*RENDEZVOUS)
@pytest.mark.parametrize("receive", BLOCKING_RECEIVES.values(), ids=BLOCKING_RECEIVES.keys())
def test_try_send_succeeds_only_while_a_receiver_is_blocked(pair: tuple[Any, Any], receive: Any) -> None:
    tx, rx = pair
    with pytest.raises(Full):
        tx.try_send("nobody waits")
    worker = Worker(lambda: receive(rx)).start_blocked()
    message = Token(2)
    tx.try_send(message)
    assert worker.result() is message
    with pytest.raises(Full):  # the receiver has gone again
        tx.try_send("nobody waits any more")
    assert (len(tx), tx.is_empty(), tx.is_full()) == (0, True, True)


@with_flavours(*RENDEZVOUS)
@pytest.mark.parametrize("send", BLOCKING_SENDS.values(), ids=BLOCKING_SENDS.keys())
def test_try_recv_succeeds_only_while_a_sender_is_blocked(pair: tuple[Any, Any], send: Any) -> None:
    tx, rx = pair
    message = Token(3)
    worker = Worker(lambda: send(tx, message)).start_blocked()
    assert (len(rx), rx.is_empty(), rx.is_full()) == (0, True, True)  # also while a sender waits
    assert rx.try_recv() is message
    assert worker.result() is None
    with pytest.raises(Empty):
        rx.try_recv()


@with_flavours(*RENDEZVOUS)
def test_rendezvous_timeout_zero_pairs_with_a_waiting_partner(pair: tuple[Any, Any]) -> None:
    tx, rx = pair
    receiver = Worker(rx.recv).start_blocked()
    tx.send_timeout("now", 0)
    assert receiver.result() == "now"
    sender = Worker(lambda: tx.send("later")).start_blocked()
    assert rx.recv_timeout(0) == "later"
    sender.join()


@with_flavours(*RENDEZVOUS)
def test_rendezvous_send_returns_only_when_received(pair: tuple[Any, Any]) -> None:
    tx, rx = pair
    sender = Worker(lambda: tx.send("hand-off")).start_blocked()
    time.sleep(SHORT)
    assert sender.thread.is_alive()  # nobody has taken it yet
    taken_at = time.monotonic()
    assert rx.recv() == "hand-off"
    sender.join()
    assert sender.finished_at is not None and sender.finished_at >= taken_at


@with_flavours(ZERO)
def test_rendezvous_pairs_each_message_with_one_receiver(pair: tuple[Any, Any]) -> None:
    tx, rx = pair
    clones = [rx.clone() for _ in range(2)]
    try:
        workers = [Worker(r.recv).start_blocked() for r in (rx, *clones)]
        messages = [Token(i) for i in range(3)]
        for message in messages:
            tx.send(message)
        got = [worker.result() for worker in workers]
        assert sorted(got, key=lambda t: t.number) == messages
    finally:
        for clone in clones:
            clone.close()


# Timeouts ----------------------------------------------------------------------------------


def test_recv_timeout_expires_on_time(pair: tuple[Any, Any]) -> None:
    _tx, rx = pair
    with elapsed_at_least(SHORT), pytest.raises(Timeout):
        rx.recv_timeout(SHORT)
    with elapsed_at_least(SHORT), pytest.raises(Timeout):
        rx.recv_deadline(time.monotonic() + SHORT)


@with_flavours(*FULLABLE, *RENDEZVOUS)
def test_send_timeout_expires_on_time_and_hands_message_back(flavour: Flavour, pair: tuple[Any, Any]) -> None:
    tx, _rx = pair
    fill(tx, flavour)
    message = Token(6)
    with elapsed_at_least(SHORT), pytest.raises(Timeout) as caught:
        tx.send_timeout(message, SHORT)
    assert caught.value.message is message
    with elapsed_at_least(SHORT), pytest.raises(Timeout) as caught:
        tx.send_deadline(message, time.monotonic() + SHORT)
    assert caught.value.message is message
    assert len(tx) == (flavour.capacity or 0)  # nothing was added


@with_flavours(*RENDEZVOUS)
def test_expired_rendezvous_send_is_not_received(pair: tuple[Any, Any]) -> None:
    tx, rx = pair
    with pytest.raises(Timeout):
        tx.send_timeout("expired", SHORT)
    with pytest.raises(Empty):
        rx.try_recv()


def test_timed_receive_sees_disconnection_not_timeout(pair: tuple[Any, Any]) -> None:
    tx, rx = pair
    worker = Worker(lambda: rx.recv_timeout(60.0)).start_blocked()
    tx.close()
    assert isinstance(worker.raised(), Disconnected)
