"""Every observed Rust edge case, as a check of the specification.

Sources: /work/shared/reference/rust-observed-edge-cases.md (sequential rows
1-34, concurrent scenarios) and rust-channel-semantics.md sections 3 and 9.
Messages are the Rust scripts' integers. Where the Rust script was sequential
and an operation "would block", the blocking call is made by another thread
and stays pending, which is what "would block" means in the model.

Deliberate differences from crossbeam-channel 0.5.6 (std 1.95 and current
crossbeam agree with the spec): the last receiver's close discards a bounded
channel's buffer at once (0.5.6 kept it until the last sender went), and a
bounded channel's len/is_empty/is_full are UNSPECIFIED once every receiver is
gone (0.5.6 reports the kept messages, std a stale count).

Rows not modelled, because they have no meaning for a state machine of values:
- row 34 (a Rust panic between two calls): Python has no panics; an exception
  in the caller's code does not touch the channel.
- row 33's "unknown op": a malformed script line, not a channel operation.
- section 9 Display/Debug texts (std and crossbeam): error text belongs to
  chanspec.errors, not to the spec's outcome values.
- section 9 `after(Duration::MAX)` / `tick(Duration::MAX)` same_channel with
  `never()`, `recv_timeout(Duration::MAX)`, `bounded(usize::MAX)`,
  `sync_channel(usize::MAX)`: Instant/usize overflow; the model's time is an
  unbounded integer and a wait for ever is Mode.BLOCK.
- section 9 dropping an uncompleted SelectedOperation, `Select::remove`,
  `SelectedOperation::recv` with another receiver, a `select!` message
  expression not being evaluated: API-level (the spec's select completes the
  chosen case atomically and has no SelectedOperation).
- section 9 std trait checks (Send/Sync): Rust's type system; the std
  profile's non-clonable receiver is tested (Unsupported).
- section 3 "Memory" row and destructor panics during a discard: allocation
  and destructors are not part of the model.
- section 9 timing probes (">= 50 ms", "woke promptly"): the model's time is
  abstract; what is checked is that the call can complete or expire.
"""

from __future__ import annotations

import pytest
from chanspec.spec import (
    STD,
    UNSPECIFIED,
    Call,
    Clone,
    Disconnected,
    Empty,
    Full,
    HandleClosed,
    Mode,
    NotReady,
    Received,
    Recv,
    Select,
    Selected,
    Send,
    Sent,
    SpecUsageError,
    Timeout,
    Unsupported,
    Value,
    profile_named,
    rx,
)

from .helpers import Script, completes, recv_case, send_case

# Sequential rows -----------------------------------------------------------------------------


def test_row01_rendezvous_try_send_without_waiting_receiver_is_full() -> None:
    s = Script()
    tx, r = s.open(0)
    assert s.try_send(tx, 1) == Full(1)
    assert s.try_recv(r) == Empty()


def test_row02_rendezvous_try_send_after_receiver_closed_is_disconnected() -> None:
    s = Script()
    tx, r = s.open(0)
    s.close(r)
    assert s.try_send(tx, 1) == Disconnected(1)


def test_row03_rendezvous_send_timeout_without_receiver_times_out_with_the_message() -> None:
    s = Script()
    tx, _ = s.open(0)
    for message in (1, 2):
        assert s.send_timeout(tx, message) is None
        assert s.can_expire(0)
        assert s.expire(0) == Timeout(message)


def test_row04_rendezvous_is_always_empty_and_full() -> None:
    s = Script()
    tx, r = s.open(0)
    assert s.stats(tx) == s.stats(r) == (0, True, True, 0)
    assert s.try_send(tx, 1) == Full(1)
    assert s.stats(tx) == s.stats(r) == (0, True, True, 0)


def test_row05_rendezvous_receive_without_sender_then_disconnected() -> None:
    s = Script()
    tx, r = s.open(0)
    assert s.try_recv(r) == Empty()
    assert s.recv_timeout(r) is None
    assert s.expire(0) == Timeout()
    assert s.recv(r, thread=1) is None
    assert not s.can_complete(1)
    s.close(tx)
    assert s.wake(1) == Disconnected()
    assert s.try_recv(r) == Disconnected()
    assert s.recv_timeout(r) == Disconnected()  # at once: it never waits


def test_row06_rendezvous_blocked_send_gets_its_message_back_when_receiver_closes() -> None:
    s = Script()
    tx, r = s.open(0)
    assert s.send(tx, 1, thread=1) is None
    assert s.close(r) == ()
    assert s.wake(1) == Disconnected(1)
    assert s.send(tx, 2) == Disconnected(2)


def test_row07_unbounded_introspection() -> None:
    s = Script()
    tx, r = s.open(None)
    assert s.stats(tx) == s.stats(r) == (0, True, False, None)
    assert s.send(tx, 1) == s.send(tx, 2) == Sent()
    assert s.stats(tx) == s.stats(r) == (2, False, False, None)


def test_row08_bounded_introspection() -> None:
    s = Script()
    tx, r = s.open(2)
    assert s.stats(tx) == (0, True, False, 2)
    s.send(tx, 1)
    s.send(tx, 2)
    assert s.stats(tx) == s.stats(r) == (2, False, True, 2)
    assert s.try_recv(r) == Received(1)
    assert s.stats(tx) == s.stats(r) == (1, False, False, 2)


@pytest.mark.parametrize("profile_name", ["crossbeam", "std"])
def test_row09_unbounded_try_send_then_try_recv(profile_name: str) -> None:
    """std's unbounded Sender has no try_send; chanspec offers it with the same meaning."""
    s = Script(profile_named(profile_name))
    tx, r = s.open(None)
    assert s.try_send(tx, 1) == Sent()
    assert s.try_recv(r) == Received(1)


def test_row10_unbounded_last_receiver_close_discards_and_later_sends_hand_back() -> None:
    s = Script()
    tx, r = s.open(None)
    for message in (1, 2, 3):
        s.send(tx, message)
    assert s.close(r) == (1, 2, 3)
    assert s.send(tx, 4) == Disconnected(4)
    assert s.close(tx) == ()


def test_row11_unbounded_discard_of_many_messages() -> None:
    s = Script()
    tx, r = s.open(None)
    for message in range(1, 41):
        s.send(tx, message)
    assert s.close(r) == tuple(range(1, 41))


def test_row12_bounded_last_receiver_close_discards_at_once() -> None:
    """Differs from crossbeam 0.5.6, which drops [1, 2] only at the last sender's close;
    the spec follows std 1.95 and current crossbeam: discarded at the receiver's close."""
    s = Script()
    tx, r = s.open(3)
    s.try_send(tx, 1)
    s.try_send(tx, 2)
    assert s.close(r) == (1, 2)
    assert s.try_send(tx, 3) == Disconnected(3)
    assert s.close(tx) == ()


def test_row13_bounded_discard_does_not_wait_for_the_senders() -> None:
    """Differs from crossbeam 0.5.6 (dropped at the last sender, s1): the spec discards at the receiver's close."""
    s = Script()
    s0, r = s.open(3)
    s1 = s.clone(s0)
    s.try_send(s0, 1)
    s.try_send(s1, 2)
    assert s.close(r) == (1, 2)
    assert s.close(s0) == ()
    assert s.close(s1) == ()


def test_row14_bounded_introspection_after_receivers_gone_is_unspecified() -> None:
    """Differs from crossbeam 0.5.6 (2 / false / true: it still holds the messages) and
    std 1.95 (a stale count): the spec leaves len/is_empty/is_full UNSPECIFIED."""
    s = Script()
    tx, r = s.open(2)
    s.send(tx, 1)
    s.send(tx, 2)
    assert s.close(r) == (1, 2)
    assert s.stats(tx) == (UNSPECIFIED, UNSPECIFIED, UNSPECIFIED, 2)


def test_row15_unbounded_introspection_after_receivers_gone() -> None:
    s = Script()
    tx, r = s.open(None)
    s.send(tx, 1)
    s.send(tx, 2)
    assert s.close(r) == (1, 2)
    assert s.stats(tx) == (0, True, False, None)


def test_row16_unbounded_sends_after_receivers_gone_are_disconnected() -> None:
    s = Script()
    tx, r = s.open(None)
    s.close(r)
    assert s.send(tx, 1) == Disconnected(1)
    assert s.try_send(tx, 2) == Disconnected(2)
    assert s.send_timeout(tx, 3) == Disconnected(3)


def test_row17_disconnection_beats_fullness() -> None:
    """Differs from crossbeam 0.5.6 only in when [1] is dropped: at the receiver's close here."""
    s = Script()
    tx, r = s.open(1)
    s.send(tx, 1)
    assert s.try_send(tx, 2) == Full(2)
    assert s.close(r) == (1,)
    assert s.stats(tx) == (UNSPECIFIED, UNSPECIFIED, UNSPECIFIED, 1)  # crossbeam 0.5.6: (1, false, true)
    assert s.try_send(tx, 3) == Disconnected(3)
    assert s.send_timeout(tx, 4) == Disconnected(4)
    assert s.send(tx, 5) == Disconnected(5)


@pytest.mark.parametrize("capacity", [None, 2], ids=["row18-unbounded", "row19-bounded2"])
def test_rows18_19_buffered_messages_outlive_the_senders(capacity: int | None) -> None:
    s = Script()
    tx, r = s.open(capacity)
    s.send(tx, 1)
    s.send(tx, 2)
    s.close(tx)
    assert s.try_recv(r) == Received(1)
    assert s.recv_timeout(r) == Received(2)
    assert s.try_recv(r) == Disconnected()
    assert s.recv_timeout(r) == Disconnected()
    assert s.recv(r) == Disconnected()


def test_row20_unbounded_empty_connected_receives_wait() -> None:
    s = Script()
    _tx, r = s.open(None)
    assert s.try_recv(r) == Empty()
    assert s.recv_timeout(r) is None
    assert s.expire(0) == Timeout()
    assert s.recv(r, thread=1) is None
    assert not s.can_complete(1) and not s.can_expire(1)


def test_row21_recv_timeout_takes_a_ready_message_first() -> None:
    s = Script()
    tx, r = s.open(1)
    s.send(tx, 7)
    assert s.recv_timeout(r) == Received(7)
    assert s.recv_timeout(r) is None
    assert s.expire(0) == Timeout()


def test_row22_connected_while_any_sender_clone_lives() -> None:
    s = Script()
    s0, r = s.open(None)
    s1 = s.clone(s0)
    s2 = s.clone(s1)
    s.close(s0)
    s.close(s2)
    assert s.try_recv(r) == Empty()
    assert s.send(s1, 5) == Sent()
    assert s.try_recv(r) == Received(5)
    s.close(s1)
    assert s.try_recv(r) == Disconnected()
    assert s.recv_timeout(r) == Disconnected()


def test_row23_receiver_clones_keep_the_channel_connected() -> None:
    s = Script()
    tx, r0 = s.open(None)
    r1 = s.clone(r0)
    s.send(tx, 1)
    assert s.close(r0) == ()
    assert s.send(tx, 2) == Sent()
    assert s.close(r1) == (1, 2)
    assert s.send(tx, 3) == Disconnected(3)


def test_row23_std_receiver_cannot_be_cloned() -> None:
    s = Script(STD)
    tx, r0 = s.open(None)
    assert isinstance(s.call(Clone(r0)), Unsupported)
    s.send(tx, 1)
    assert s.close(r0) == (1,)
    assert s.send(tx, 2) == Disconnected(2)


def test_row24_receivers_share_one_queue() -> None:
    s = Script()
    tx, r0 = s.open(None)
    r1 = s.clone(r0)
    for message in (1, 2, 3):
        s.send(tx, message)
    assert s.try_recv(r1) == Received(1)
    assert s.try_recv(r0) == Received(2)
    assert s.try_iter(r1) == [3]
    assert s.try_iter(r0) == []


def test_row25_bounded_full_send_timeout() -> None:
    s = Script()
    tx, r = s.open(1)
    s.send(tx, 1)
    for message in (2, 3):
        assert s.send_timeout(tx, message) is None
        assert s.expire(0) == Timeout(message)
    assert s.try_recv(r) == Received(1)
    assert s.send_timeout(tx, 4) == Sent()
    assert s.try_recv(r) == Received(4)


def test_row26_bounded_send_timeout_after_receiver_closed() -> None:
    s = Script()
    tx, r = s.open(1)
    s.close(r)
    assert s.send_timeout(tx, 1) == Disconnected(1)
    assert s.send_timeout(tx, 2) == Disconnected(2)


def test_row27_bounded_blocked_send_may_be_overtaken() -> None:
    """The Rust script's "would_block" send is thread 1's here; it stays pending while
    thread 0's later send overtakes it (wake-ups are not hand-offs)."""
    s = Script()
    tx, r = s.open(1)
    assert s.send(tx, 1) == Sent()
    assert s.send(tx, 2, thread=1) is None
    assert s.try_recv(r) == Received(1)
    assert s.can_complete(1)
    assert s.send(tx, 3) == Sent()
    assert not s.can_complete(1)
    assert s.try_recv(r) == Received(3)
    assert s.wake_all() == {1: Sent()}
    assert s.try_recv(r) == Received(2)


def test_row28_try_iter_is_not_fused() -> None:
    s = Script()
    tx, r = s.open(None)
    for message in (1, 2, 3):
        s.send(tx, message)
    assert s.try_iter(r) == [1, 2, 3]
    assert s.try_iter(r) == []
    s.send(tx, 4)
    assert s.try_iter(r) == [4]


def test_row29_try_iter_drains_then_disconnected() -> None:
    s = Script()
    tx, r = s.open(2)
    s.try_send(tx, 1)
    s.try_send(tx, 2)
    s.close(tx)
    assert s.try_iter(r) == [1, 2]
    assert s.try_recv(r) == Disconnected()


def test_row30_senders_closing_first_discards_nothing() -> None:
    s = Script()
    tx, r = s.open(2)
    s.try_send(tx, 1)
    s.try_send(tx, 2)
    assert s.close(tx) == ()
    assert s.close(r) == (1, 2)


def test_row31_teardown_discards_at_the_receiver() -> None:
    s = Script()
    tx, r = s.open(None)
    s.send(tx, 1)
    s.send(tx, 2)
    assert s.close(tx) == ()
    assert s.close(r) == (1, 2)


def test_row32_fifo_across_wrap_around() -> None:
    s = Script()
    tx, r = s.open(2)
    s.try_send(tx, 1)
    s.try_send(tx, 2)
    assert s.try_recv(r) == Received(1)
    assert s.try_send(tx, 3) == Sent()
    assert s.try_send(tx, 4) == Full(4)
    assert s.try_recv(r) == Received(2)
    assert s.try_recv(r) == Received(3)
    s.try_send(tx, 5)
    assert s.try_iter(r) == [5]


def test_row33_misuse_is_reported_per_call_and_changes_nothing() -> None:
    s = Script()
    s0, r = s.open(None)
    assert s.close(s0) == ()
    assert s.close(s0) == ()  # idempotent
    before = s.world
    assert s.send(s0, 1) == HandleClosed(1)
    assert s.try_send(s0, 2) == HandleClosed(2)
    assert s.send_timeout(s0, 3) == HandleClosed(3)
    assert s.world == before
    with pytest.raises(SpecUsageError):
        s.try_recv(rx(0, 3))  # a handle that was never minted
    assert s.try_recv(r) == Disconnected()  # the script goes on


# Concurrent scenarios --------------------------------------------------------------------------


@pytest.mark.parametrize("capacity", [None, 0], ids=["unbounded", "rendezvous"])
def test_blocked_receiver_woken_only_by_the_last_sender(capacity: int | None) -> None:
    s = Script()
    s0, r = s.open(capacity)
    s1 = s.clone(s0)
    assert s.recv(r, thread=1) is None
    s.close(s0)
    assert not s.can_complete(1)
    s.close(s1)
    assert s.can_complete(1)
    assert s.wake(1) == Disconnected()


def test_recv_timeout_gets_disconnected_not_timeout() -> None:
    s = Script()
    tx, r = s.open(None)
    assert s.recv_timeout(r, thread=1) is None
    s.close(tx)
    assert not s.can_expire(1)
    assert s.wake(1) == Disconnected()


def test_blocked_sender_on_full_bounded_when_receiver_closes() -> None:
    """Differs from crossbeam 0.5.6, where [1] is dropped only when s0 (the last sender) goes:
    the spec discards it at the receiver's close, as std 1.95 does."""
    s = Script()
    tx, r = s.open(1)
    s.send(tx, 1)
    assert s.send(tx, 100, thread=1) is None
    assert s.close(r) == (1,)
    assert s.wake(1) == Disconnected(100)
    assert s.try_send(tx, 2) == Disconnected(2)


def test_blocked_sender_on_rendezvous_when_receiver_closes() -> None:
    s = Script()
    tx, r = s.open(0)
    assert s.send(tx, 100, thread=1) is None
    assert s.close(r) == ()
    assert s.wake(1) == Disconnected(100)


def test_blocked_send_timeout_gets_disconnected_not_timeout() -> None:
    """Differs from crossbeam 0.5.6 ([1, 2] dropped at the last sender's close): discarded at the receiver's close."""
    s = Script()
    tx, r = s.open(2)
    s.send(tx, 1)
    s.send(tx, 2)
    assert s.send_timeout(tx, 100, thread=1) is None
    assert s.close(r) == (1, 2)
    assert not s.can_expire(1)
    assert s.wake(1) == Disconnected(100)


@pytest.mark.parametrize("capacity", [0, 1])
def test_every_blocked_sender_woken_when_receiver_closes(capacity: int) -> None:
    s = Script()
    tx, r = s.open(capacity)
    if capacity:
        s.send(tx, 1)
    assert s.send(tx, 101, thread=1) is None
    assert s.send(tx, 102, thread=2) is None
    assert s.close(r) == ((1,) if capacity else ())
    assert s.wake_all() == {1: Disconnected(101), 2: Disconnected(102)}


@pytest.mark.parametrize("mode", [Mode.BLOCK, Mode.TIMED])
def test_rendezvous_try_send_succeeds_only_while_a_receiver_waits(mode: Mode) -> None:
    s = Script()
    tx, r = s.open(0)
    assert s.try_send(tx, 1) == Full(1)
    assert s.recv(r, mode, thread=1) is None
    assert s.try_send(tx, 2) == Sent()
    assert s.result_of(1) == Received(2)
    assert s.pending() == ()
    assert s.try_send(tx, 3) == Full(3)
    assert s.try_recv(r) == Empty()


@pytest.mark.parametrize("mode", [Mode.BLOCK, Mode.TIMED])
def test_rendezvous_try_recv_succeeds_only_while_a_sender_waits(mode: Mode) -> None:
    s = Script()
    tx, r = s.open(0)
    assert s.try_recv(r) == Empty()
    assert s.send(tx, 7, mode, thread=1) is None
    assert s.try_recv(r) == Received(7)
    assert s.result_of(1) == Sent()
    assert s.try_recv(r) == Empty()


def test_blocked_sender_completes_after_a_receive_makes_room() -> None:
    s = Script()
    tx, r = s.open(1)
    s.send(tx, 1)
    assert s.send(tx, 100, thread=1) is None
    assert s.try_recv(r) == Received(1)
    assert s.wake_all() == {1: Sent()}
    assert s.try_iter(r) == [100]


def test_blocked_receiver_gets_an_unbounded_send() -> None:
    s = Script()
    tx, r = s.open(None)
    assert s.recv(r, thread=1) is None
    assert s.send(tx, 5) == Sent()
    assert s.wake_all() == {1: Received(5)}


def test_blocked_receiver_gets_a_rendezvous_try_send() -> None:
    s = Script()
    tx, r = s.open(0)
    assert s.recv(r, thread=1) is None
    assert s.try_send(tx, 5) == Sent()
    assert s.result_of(1) == Received(5)


def test_receiver_clone_blocked_survives_the_other_clone_closing() -> None:
    s = Script()
    tx, r0 = s.open(None)
    r1 = s.clone(r0)
    assert s.recv(r1, thread=1) is None
    s.close(r0)
    assert not s.can_complete(1)
    s.send(tx, 9)
    assert s.wake_all() == {1: Received(9)}


# Section 3: disconnection ------------------------------------------------------------------------


@pytest.mark.parametrize("closed_side", ["senders", "receivers"])
@pytest.mark.parametrize("capacity", [None, 0, 1])
def test_disconnected_as_soon_as_either_side_is_gone(closed_side: str, capacity: int | None) -> None:
    s = Script()
    tx, r = s.open(capacity)
    s.close(tx if closed_side == "senders" else r)
    assert s.world.channels[0].disconnected
    if closed_side == "senders":
        assert s.try_recv(r) == Disconnected()
        assert s.recv(r) == Disconnected()
    else:
        assert s.try_send(tx, 1) == Disconnected(1)
        assert s.send(tx, 2) == Disconnected(2)


def test_len_still_counts_buffered_messages_after_senders_gone() -> None:
    s = Script()
    tx, r = s.open(None)
    for message in range(100):
        s.send(tx, message)
    assert s.stats(tx) == (100, False, False, None)
    s.close(tx)
    assert s.stats(r) == (100, False, False, None)


def test_last_sender_close_wakes_every_blocked_receiver_select_and_observer() -> None:
    s = Script()
    tx, r = s.open(1)
    assert s.recv(r, thread=1) is None
    assert s.select(recv_case(r), thread=2) is None
    assert s.ready(recv_case(r), thread=3) is None
    assert not any(s.can_complete(t) for t in (1, 2, 3))
    s.close(tx)
    assert s.wake_all() == {1: Disconnected(), 2: Selected(0, Disconnected()), 3: Selected(0)}


def test_blocked_select_send_gets_its_message_back_when_receiver_closes() -> None:
    s = Script()
    tx, r = s.open(0)
    assert s.select(send_case(tx, 42), thread=1) is None
    s.close(r)
    assert s.wake_all() == {1: Selected(0, Disconnected(42))}


@pytest.mark.parametrize("capacity", [None, 0, 2])
def test_after_senders_gone_try_recv_is_never_empty_again(capacity: int | None) -> None:
    s = Script()
    tx, r = s.open(capacity)
    if capacity != 0:
        s.send(tx, 1)
    s.close(tx)
    assert s.try_iter(r) == ([] if capacity == 0 else [1])
    for _ in range(3):
        assert s.try_recv(r) == Disconnected()


def test_rendezvous_introspection_after_either_side_gone() -> None:
    s = Script()
    tx, r = s.open(0)
    s.close(r)
    assert s.stats(tx) == (0, True, True, 0)
    s2 = Script()
    tx2, r2 = s2.open(0)
    s2.close(tx2)
    assert s2.stats(r2) == (0, True, True, 0)


def test_rendezvous_try_send_does_not_count_an_observer() -> None:
    s = Script()
    tx, r = s.open(0)
    assert s.ready(recv_case(r), thread=1) is None
    assert s.try_send(tx, 1) == Full(1)
    assert s.pending() == (1,)


def test_rendezvous_never_pairs_a_thread_with_itself() -> None:
    s = Script()
    tx, r = s.open(0)
    assert s.select(send_case(tx, 1), recv_case(r), mode=Mode.TIMED) is None
    assert not s.can_complete(0)
    assert s.expire(0) == Timeout()
    assert s.select(send_case(tx, 1), recv_case(r), mode=Mode.TRY) == NotReady()


def test_closing_one_of_two_receiver_clones_discards_nothing() -> None:
    s = Script()
    tx, r0 = s.open(None)
    r1 = s.clone(r0)
    for message in (1, 2, 3):
        s.send(tx, message)
    assert s.close(r0) == ()
    assert s.close(r1) == (1, 2, 3)


# Section 9: empirical probes ------------------------------------------------------------------------


@pytest.mark.parametrize("capacity", [1, 5])
def test_probe_empty_bounded_introspection(capacity: int) -> None:
    s = Script()
    tx, r = s.open(capacity)
    assert s.stats(tx) == s.stats(r) == (0, True, False, capacity)


def test_probe_rendezvous_introspection_while_a_sender_is_blocked() -> None:
    s = Script()
    tx, r = s.open(0)
    assert s.send(tx, 1, thread=1) is None
    assert s.stats(tx) == s.stats(r) == (0, True, True, 0)


def test_probe_rendezvous_try_send_while_receiver_blocked_in_a_select() -> None:
    s = Script()
    tx, r = s.open(0)
    assert s.select(recv_case(r), thread=1) is None
    assert s.try_send(tx, 3) == Sent()
    assert s.result_of(1) == Selected(0, Received(3))


def test_probe_observer_returns_once_a_sender_blocks_then_try_recv_succeeds() -> None:
    s = Script()
    tx, r = s.open(0)
    assert s.ready(recv_case(r), thread=1) is None
    assert s.try_send(tx, 8) == Full(8)
    assert s.send(tx, 8, thread=2) is None
    assert s.pending() == (1, 2)
    assert s.wake_all() == {1: Selected(0)}
    assert s.try_recv(r, thread=1) == Received(8)
    assert s.result_of(2) == Sent()


def test_probe_rendezvous_send_timeout_pairs_with_a_blocked_receiver() -> None:
    s = Script()
    tx, r = s.open(0)
    assert s.recv(r, thread=1) is None
    assert s.send_timeout(tx, 4) == Sent()
    assert s.result_of(1) == Received(4)


def test_probe_rendezvous_try_iter_takes_a_blocked_sender() -> None:
    s = Script()
    tx, r = s.open(0)
    assert s.send(tx, 8, thread=1) is None
    assert s.try_iter(r) == [8]


def test_probe_rendezvous_receiver_stays_blocked_until_the_last_of_two_senders() -> None:
    s = Script()
    s0, r = s.open(0)
    s1 = s.clone(s0)
    assert s.recv(r, thread=1) is None
    s.close(s0)
    assert not s.can_complete(1)
    s.close(s1)
    assert s.wake(1) == Disconnected()


def test_probe_rendezvous_pairing_order_is_left_open() -> None:
    """crossbeam pairs with the earliest-registered sender (observed FIFO 5/5). The spec
    deliberately allows any blocked sender of another thread; FIFO is one allowed choice."""
    s = Script()
    tx, r = s.open(0)
    for thread in range(1, 5):
        assert s.send(tx, thread - 1, thread=thread) is None
    assert s.outcomes(Recv(r)) == {Received(0), Received(1), Received(2), Received(3)}
    for expected in range(4):  # the FIFO choice, step by step
        s.call_choosing(Recv(r), Received(expected))
        assert s.result_of(expected + 1) == Sent()


def test_probe_rendezvous_pairing_order_with_blocked_receivers_is_left_open() -> None:
    """0.5.16 paired receiver i with value i every trial; the spec allows any blocked
    receiver of another thread, the FIFO pairing among them."""
    s = Script()
    tx, r = s.open(0)
    for thread in range(1, 5):
        assert s.recv(r, thread=thread) is None
    for value in range(4):
        call = Call(0, Send(tx, value, Mode.TRY))
        assert {step.results[1][0] for step in s.steps(call)} == set(range(value + 1, 5))
        s.take(call, completes(value + 1))
        assert s.result_of(value + 1) == Received(value)


def test_probe_select_timeout_zero_pairs_with_a_blocked_sender() -> None:
    s = Script()
    tx, r = s.open(0)
    assert s.send(tx, 11, thread=1) is None
    assert s.select(recv_case(r), mode=Mode.TIMED) == Selected(0, Received(11))
    assert s.result_of(1) == Sent()


def test_probe_try_select_recv_pairs_with_a_select_send() -> None:
    s = Script()
    tx, r = s.open(0)
    assert s.select(send_case(tx, 12), thread=1) is None
    assert s.select(recv_case(r), mode=Mode.TRY) == Selected(0, Received(12))
    assert s.result_of(1) == Selected(0, Sent())


def test_probe_bounded_full_timed_sends_time_out() -> None:
    s = Script()
    tx, _ = s.open(1)
    assert s.try_send(tx, 1) == Sent()
    assert s.try_send(tx, 2) == Full(2)
    for message in (3, 4, 5):  # send_timeout(0), send_timeout(30 ms), send_deadline(past)
        assert s.send_timeout(tx, message) is None
        assert s.expire(0) == Timeout(message)


def test_probe_timed_calls_attempt_before_giving_up() -> None:
    s = Script()
    tx, r = s.open(1)
    assert s.send_timeout(tx, 1) == Sent()
    assert s.recv_timeout(r) == Received(1)
    assert s.recv_timeout(r) is None
    assert s.expire(0) == Timeout()


def test_probe_bounded_full_with_blocked_sender_refills() -> None:
    s = Script()
    tx, r = s.open(2)
    s.send(tx, 1)
    s.send(tx, 2)
    assert s.send(tx, 3, thread=1) is None
    assert s.stats(tx) == (2, False, True, 2)
    assert s.recv(r) == Received(1)
    assert s.wake_all() == {1: Sent()}
    assert s.stats(tx) == (2, False, True, 2)


def test_probe_bounded_drained_after_senders_gone() -> None:
    s = Script()
    tx, r = s.open(4)
    for message in range(3):
        s.send(tx, message)
    s.close(tx)
    assert s.stats(r) == (3, False, False, 4)
    assert [s.try_recv(r) for _ in range(4)] == [Received(0), Received(1), Received(2), Disconnected()]
    assert s.recv(r) == Disconnected()
    assert s.recv_timeout(r) == Disconnected()
    assert s.try_iter(r) == []


@pytest.mark.parametrize("first", ["receiver", "sender"])
def test_probe_bounded_drop_accounting(first: str) -> None:
    """Differs from crossbeam 0.5.6 when the receiver goes first (it destroyed 0 at the
    receiver's drop and 3 at the sender's): the spec discards all 3 at the receiver's close."""
    s = Script()
    tx, r = s.open(4)
    for message in range(3):
        s.send(tx, message)
    if first == "receiver":
        assert s.close(r) == (0, 1, 2)
        assert s.close(tx) == ()
    else:
        assert s.close(tx) == ()
        assert s.close(r) == (0, 1, 2)


def test_probe_bounded_blocked_senders_have_no_fifo_guarantee() -> None:
    """0.5.6 drained four blocked senders out of order once in five trials: once a slot
    frees, every blocked sender can take it, and whichever is woken first wins."""
    s = Script()
    tx, r = s.open(1)
    s.send(tx, 100)
    for thread in range(1, 5):
        assert s.send(tx, thread - 1, thread=thread) is None
    assert s.recv(r) == Received(100)
    assert all(s.can_complete(thread) for thread in range(1, 5))
    assert s.wake(3) == Sent()  # not the first to block
    assert not any(s.can_complete(thread) for thread in (1, 2, 4))
    assert s.recv(r) == Received(2)


def test_probe_receiver_blocked_with_timeout_when_sender_goes() -> None:
    s = Script()
    tx, r = s.open(2)
    assert s.recv_timeout(r, thread=1) is None
    s.close(tx)
    assert s.can_complete(1) and not s.can_expire(1)
    assert s.wake(1) == Disconnected()


def test_probe_per_producer_order_and_single_delivery() -> None:
    s = Script()
    a, r0 = s.open(None)
    b = s.clone(a)
    rs = [r0] + [s.clone(r0) for _ in range(3)]
    got: list[object] = []
    for i in range(6):
        s.send(a, f"a{i}")
        s.send(b, f"b{i}")
        outcome = s.try_recv(rs[i % 4])
        assert isinstance(outcome, Received)
        got.append(outcome.message)
    got.extend(s.try_iter(rs[0]))
    assert len(got) == len(set(got)) == 12  # each message delivered exactly once
    for producer in "ab":
        assert [m for m in got if str(m)[0] == producer] == [f"{producer}{i}" for i in range(6)]


def test_probe_biased_select_always_takes_the_first_ready_case() -> None:
    s = Script()
    tx0, r0 = s.open(None)
    tx1, r1 = s.open(None)
    for i in range(3):
        s.send(tx0, i)
        s.send(tx1, i)
    assert s.outcomes(Select((Recv(r0), Recv(r1)), Mode.TRY, biased=True)) == {Selected(0, Received(0))}
    assert s.outcomes(Select((Recv(r0), Recv(r1)), Mode.TRY)) == {Selected(0, Received(0)), Selected(1, Received(0))}


def test_probe_disconnected_case_is_ready() -> None:
    s = Script()
    tx, r = s.open(1)
    s.close(tx)
    assert s.ready(recv_case(r), mode=Mode.TRY) == Selected(0)
    assert s.select(recv_case(r), mode=Mode.TRY) == Selected(0, Disconnected())


def test_probe_select_send_to_a_rendezvous_without_receivers_runs_the_case() -> None:
    s = Script()
    tx, r = s.open(0)
    s.close(r)
    assert s.select(send_case(tx, 5), mode=Mode.TRY) == Selected(0, Disconnected(5))


def test_probe_unbounded_after_receiver_gone() -> None:
    s = Script()
    tx, r = s.open(None)
    s.close(r)
    assert s.send(tx, 1) == Disconnected(1)
    assert s.send_timeout(tx, 2) == Disconnected(2)
    assert s.stats(tx)[:2] == (0, True)


def test_probe_empty_select() -> None:
    s = Script()
    assert s.select(mode=Mode.TRY) == NotReady()
    assert s.select(mode=Mode.TIMED) is None
    assert s.expire(0) == Timeout()
    with pytest.raises(SpecUsageError):
        s.select()
    with pytest.raises(SpecUsageError):
        s.ready()


@pytest.mark.parametrize("capacity", [None, 4])
def test_probe_std_receiver_close_discards_at_once(capacity: int | None) -> None:
    s = Script(STD)
    tx, r = s.open(capacity)
    for message in range(3):
        s.send(tx, message)
    assert s.close(r) == (0, 1, 2)
    expected = (0, True, False, None) if capacity is None else (UNSPECIFIED, UNSPECIFIED, UNSPECIFIED, 4)
    assert s.stats(tx) == expected  # std's stale count (3 / false / false) is one allowed reading


def test_probe_std_sync_channel_drained_after_sender_gone() -> None:
    s = Script(STD)
    tx, r = s.open(3)
    s.send(tx, 1)
    s.send(tx, 2)
    s.close(tx)
    assert [s.try_recv(r) for _ in range(3)] == [Received(1), Received(2), Disconnected()]
    assert s.recv(r) == Disconnected()
    assert s.recv_timeout(r) == Disconnected()


def test_probe_std_sync_channel_zero() -> None:
    s = Script(STD)
    tx, r = s.open(0)
    assert s.try_send(tx, 1) == Full(1)
    assert s.recv(r, thread=1) is None
    assert s.try_send(tx, 2) == Sent()
    assert s.result_of(1) == Received(2)
    assert s.send(tx, 3, thread=1) is None
    s.close(r)
    assert s.wake(1) == Disconnected(3)
    assert s.stats(tx) == (0, True, True, 0)


def test_probe_std_sync_channel_one_full() -> None:
    s = Script(STD)
    tx, r = s.open(1)
    s.send(tx, 1)
    assert s.try_send(tx, 2) == Full(2)
    assert s.send_timeout(tx, 3) is None
    assert s.expire(0) == Timeout(3)
    s.close(r)
    assert s.try_send(tx, 4) == Disconnected(4)


def test_probe_std_recv_timeout_cases() -> None:
    s = Script(STD)
    tx, r = s.open(None)
    assert s.recv_timeout(r) is None  # empty and connected: waits, then times out
    assert s.expire(0) == Timeout()
    s.send(tx, 6)
    assert s.recv_timeout(r) == Received(6)
    s.close(tx)
    assert s.recv_timeout(r) == Disconnected()


def test_probe_clone_same_channel() -> None:
    s = Script()
    tx, r0 = s.open(0)
    r1 = s.clone(r0)
    _, other = s.open(0)
    assert s.same_channel(r0, r1) == Value(True)
    assert s.same_channel(tx, r1) == Value(True)
    assert s.same_channel(r0, other) == Value(False)


def test_send_case_message_belongs_to_the_sender_until_chosen() -> None:
    s = Script()
    tx, r = s.open(1)
    s.send(tx, 1)
    assert s.select(send_case(tx, 2), recv_case(r), mode=Mode.TRY, biased=True) == Selected(1, Received(1))
    assert s.try_iter(r) == []  # message 2 was never sent
