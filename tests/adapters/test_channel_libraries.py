"""The adapters of libraries with handles or Go-style channels (trio, pygo-routines, ferryboat): the
handles report what the library does. Every behaviour asserted here was first checked by hand
against the library."""

from __future__ import annotations

import time

import pytest

from chanspec import errors

from .helpers import Background, adapter


def _wait_until_sent(sender: object, message: object, seconds: float = 5.0) -> None:
    """``try_send`` at a rendezvous until a receiver blocked in another thread takes it (the library
    offers no way to see that the receiver has parked)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            sender.try_send(message)  # type: ignore[attr-defined]
            return
        except errors.Full:
            assert time.monotonic() < deadline, "no receiver became ready"
            time.sleep(0.005)


# trio ----------------------------------------------------------------------------------------------


def test_trio_counts_clones_and_discards_the_buffer_when_receivers_are_gone() -> None:
    sender, receiver = adapter("trio_memory").make(2)
    sender.try_send("a")
    spare = receiver.clone()
    receiver.close()
    assert len(sender) == 1  # one receive clone is still open
    spare.close()
    assert len(sender) == 0
    message = object()
    with pytest.raises(errors.Disconnected) as raised:
        sender.try_send(message)
    assert raised.value.message is message
    sender.close()


def test_trio_rendezvous_without_a_waiting_task_is_full() -> None:
    sender, receiver = adapter("trio_memory").make(0)
    with pytest.raises(errors.Full):
        sender.try_send("a")
    with pytest.raises(errors.Empty):
        receiver.try_recv()
    sender.close()
    with pytest.raises(errors.Disconnected):
        receiver.try_recv()
    receiver.close()


def test_trio_direct_backend_has_no_blocking_call() -> None:
    sender, receiver = adapter("trio_memory").make(1)
    with pytest.raises(NotImplementedError):
        receiver.recv()
    with pytest.raises(NotImplementedError):
        sender.send("a")
    sender.close()
    receiver.close()


def test_trio_statistics_answer_on_a_closed_handle() -> None:
    # chanspec raises HandleClosed here; trio's statistics() keeps answering after close().
    sender, receiver = adapter("trio_memory").make(1)
    sender.try_send("a")
    receiver.close()
    assert len(receiver) == 0 and receiver.is_empty()
    with pytest.raises(errors.HandleClosed):
        receiver.try_recv()
    sender.close()


def test_trio_threaded_rendezvous_pairs_a_thread_with_a_blocked_receiver() -> None:
    sender, receiver = adapter("trio_memory", "threaded").make(0)
    blocked = Background(receiver.recv)
    _wait_until_sent(sender, "a")
    assert blocked.join().result == "a"
    sender.close()
    receiver.close()


def test_trio_threaded_close_wakes_a_call_blocked_on_that_very_handle() -> None:
    sender, receiver = adapter("trio_memory", "threaded").make(1)
    spare = receiver.clone()
    blocked = Background(receiver.recv)
    assert blocked.is_blocked_after(0.05)
    receiver.close()
    assert isinstance(blocked.join().error, errors.HandleClosed)
    spare.close()
    sender.close()


def test_trio_threaded_expired_timeout_cancels_before_trying() -> None:
    # A cancel scope whose deadline has passed cancels at the first checkpoint, before send_nowait.
    sender, receiver = adapter("trio_memory", "threaded").make(1)
    with pytest.raises(errors.Timeout):
        sender.send_timeout("a", 0.0)
    assert len(sender) == 0
    sender.send_timeout("a", 1.0)
    assert receiver.recv_timeout(1.0) == "a"
    sender.close()
    receiver.close()


# pygo-routines ------------------------------------------------------------------------------------


def test_go_channel_rendezvous_needs_a_blocked_receiver() -> None:
    sender, receiver = adapter("pygo_routines").make(0)
    with pytest.raises(errors.Full):
        sender.try_send("a")
    blocked = Background(receiver.recv)
    _wait_until_sent(sender, "b")
    assert blocked.join().result == "b"
    sender.close()
    receiver.close()


def test_go_channel_close_by_the_last_sender_drains_then_disconnects() -> None:
    sender, receiver = adapter("pygo_routines").make(2)
    clone = sender.clone()
    sender.try_send("a")
    sender.close()
    clone.close()
    assert receiver.try_recv() == "a"
    with pytest.raises(errors.Disconnected):
        receiver.recv()
    receiver.close()


def test_go_channel_has_no_receiver_side_disconnection() -> None:
    sender, receiver = adapter("pygo_routines").make(1)
    receiver.close()
    sender.try_send("accepted")  # Rust: Disconnected
    with pytest.raises(errors.Full):
        sender.try_send("no room")  # Rust: Disconnected beats Full
    sender.close()


# ferryboat ----------------------------------------------------------------------------------------


def test_ferryboat_follows_crossbeams_disconnection() -> None:
    sender, receiver = adapter("ferryboat_channel").make(1)
    message = object()
    sender.try_send(message)
    with pytest.raises(errors.Full):
        sender.try_send("no room")
    sender.close()
    assert receiver.try_recv() is message  # the very object, carried as a key
    with pytest.raises(errors.Disconnected):
        receiver.recv()
    receiver.close()
    with pytest.raises(errors.HandleClosed):
        receiver.try_recv()


def test_ferryboat_refuses_a_receiver_call_that_would_freeze_the_process() -> None:
    sender, receiver = adapter("ferryboat_channel").make(1)
    blocked = Background(receiver.recv)
    assert blocked.is_blocked_after(0.05)
    from chanspec.conformance.adapters.ferryboat_channel import WouldFreeze

    with pytest.raises(WouldFreeze):
        receiver.try_recv()
    sender.send("a")
    assert blocked.join().result == "a"
    assert receiver.is_empty()
    sender.close()
    receiver.close()


def test_ferryboat_receiver_closed_while_in_use_stays_connected_until_the_call_returns() -> None:
    # close() drops ferryboat's reference, but the blocked recv() holds the Rust receiver alive.
    sender, receiver = adapter("ferryboat_channel").make(1)
    blocked = Background(receiver.recv)
    assert blocked.is_blocked_after(0.05)
    receiver.close()
    sender.try_send("a")  # Rust: Disconnected, the only receiver is closed
    assert blocked.join().result == "a"
    with pytest.raises(errors.Disconnected):
        sender.try_send("b")
    sender.close()
