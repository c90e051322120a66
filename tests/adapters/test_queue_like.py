"""The adapters of queues with one shared object (``queue.Queue``, janus, culsans, ``SimpleQueue``,
aiologic): what the library does is what the handles report. Every behaviour asserted here was
first checked by hand against the library."""

from __future__ import annotations

import sys

import pytest
from chanspec.conformance import Backend

from chanspec import errors

from .helpers import Background, adapter

SHUTDOWN = ["janus_queue", "culsans_queue"] + (["queue_queue"] if sys.version_info >= (3, 13) else [])
"""Libraries with ``shutdown(immediate)``: the adapter calls it when the last handle of a side closes."""

NO_END = ["simple_queue", "aiologic_queue"] + ([] if sys.version_info >= (3, 13) else ["queue_queue"])
"""Libraries a queue of which cannot be ended."""


def _backend(module: str) -> Backend:
    return adapter(module)


@pytest.mark.parametrize("module", SHUTDOWN)
def test_last_sender_close_lets_receivers_drain_then_disconnects(module: str) -> None:
    sender, receiver = _backend(module).make(2)
    sender.try_send("a")
    sender.close()
    assert receiver.try_recv() == "a"
    with pytest.raises(errors.Disconnected):
        receiver.try_recv()
    with pytest.raises(errors.Disconnected):
        receiver.recv_timeout(0.0)
    receiver.close()


@pytest.mark.parametrize("module", SHUTDOWN)
def test_last_receiver_close_drops_the_buffer_and_hands_messages_back(module: str) -> None:
    sender, receiver = _backend(module).make(None)
    sender.try_send("a")
    receiver.close()
    assert len(sender) == 0
    message = object()
    with pytest.raises(errors.Disconnected) as raised:
        sender.try_send(message)
    assert raised.value.message is message
    sender.close()


@pytest.mark.parametrize("module", SHUTDOWN)
def test_blocked_receiver_wakes_when_the_last_sender_closes(module: str) -> None:
    sender, receiver = _backend(module).make(1)
    blocked = Background(receiver.recv)
    assert blocked.is_blocked_after(0.05)
    sender.close()
    assert isinstance(blocked.join().error, errors.Disconnected)
    receiver.close()


@pytest.mark.parametrize("module", SHUTDOWN)
def test_closing_a_handle_that_is_not_the_last_does_not_wake_a_call_blocked_on_it(module: str) -> None:
    # No per-handle interruption in these libraries: only the shutdown (the last close) wakes it.
    sender, receiver = _backend(module).make(1)
    spare = receiver.clone()
    blocked = Background(receiver.recv)
    assert blocked.is_blocked_after(0.05)
    receiver.close()
    assert blocked.is_blocked_after(0.2)
    spare.close()
    assert isinstance(blocked.join().error, errors.HandleClosed)
    sender.close()


@pytest.mark.parametrize("module", SHUTDOWN)
def test_a_timed_send_tries_before_it_gives_up(module: str) -> None:
    sender, receiver = _backend(module).make(1)
    sender.send_timeout("a", 0.0)
    message = object()
    with pytest.raises(errors.Timeout) as raised:
        sender.send_timeout(message, 0.0)
    assert raised.value.message is message
    assert receiver.recv_timeout(0.0) == "a"
    sender.close()
    receiver.close()


@pytest.mark.parametrize("module", NO_END)
def test_a_queue_that_cannot_be_ended_never_disconnects(module: str) -> None:
    sender, receiver = _backend(module).make(None)
    spare = sender.clone()
    receiver.close()
    sender.try_send("still accepted")  # Rust: Disconnected, every receiver is gone
    assert len(spare) == 1
    spare.close()
    sender.close()


@pytest.mark.parametrize("module", ["queue_queue", "simple_queue", "janus_queue", "culsans_queue", "aiologic_queue"])
def test_a_closed_handle_refuses_use_and_hands_the_message_back(module: str) -> None:
    sender, receiver = _backend(module).make(None)
    spare = sender.clone()
    sender.close()
    sender.close()  # idempotent
    message = object()
    with pytest.raises(errors.HandleClosed) as raised:
        sender.try_send(message)
    assert raised.value.message is message
    with pytest.raises(errors.HandleClosed):
        len(sender)
    with pytest.raises(errors.HandleClosed):
        sender.clone()
    assert sender.capacity is None and sender.same_channel(receiver)
    spare.close()
    receiver.close()
