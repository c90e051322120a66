"""Select and ready in the specification: which cases may win, and what waiting selects do."""

from __future__ import annotations

from chanspec.spec import (
    STD,
    Disconnected,
    Empty,
    Expire,
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
    Timeout,
    TimerKind,
    Unsupported,
    rx,
)

from .helpers import Script, recv_case, send_case


def _two_ready_receivers() -> tuple[Script, Select]:
    s = Script()
    tx0, r0 = s.open(None)
    tx1, r1 = s.open(None)
    s.send(tx0, "a")
    s.send(tx1, "b")
    return s, Select((Recv(r0), Recv(r1)), Mode.TRY)


def test_fair_select_may_take_any_ready_case() -> None:
    s, select = _two_ready_receivers()
    assert s.outcomes(select) == {Selected(0, Received("a")), Selected(1, Received("b"))}


def test_fair_select_never_takes_a_case_that_is_not_ready() -> None:
    s = Script()
    tx0, r0 = s.open(None)
    _, r1 = s.open(1)
    tx2, r2 = s.open(2)
    s.send(tx0, "a")
    s.send(tx2, "c")
    select = Select((Recv(r0), Recv(r1), Recv(r2)), Mode.TRY)
    assert s.outcomes(select) == {Selected(0, Received("a")), Selected(2, Received("c"))}


def test_fair_select_counts_duplicate_cases_separately() -> None:
    s = Script()
    tx, r = s.open(None)
    s.send(tx, "a")
    assert s.outcomes(Select((Recv(r), Recv(r)), Mode.TRY)) == {Selected(0, Received("a")), Selected(1, Received("a"))}


def test_biased_select_takes_the_lowest_ready_index() -> None:
    s, _ = _two_ready_receivers()
    _, idle = s.open(1)
    cases = (recv_case(idle), recv_case(rx(0)), recv_case(rx(1)))
    assert s.outcomes(Select(cases, Mode.TRY, biased=True)) == {Selected(1, Received("a"))}
    assert s.select(*cases, mode=Mode.TRY, biased=True) == Selected(1, Received("a"))
    assert s.select(*cases, mode=Mode.TRY, biased=True) == Selected(2, Received("b"))
    assert s.select(*cases, mode=Mode.TRY, biased=True) == NotReady()


def test_biased_ready_reports_the_lowest_ready_index_and_performs_nothing() -> None:
    s, select = _two_ready_receivers()
    before = s.world
    assert s.call(Select(select.cases, Mode.TRY, biased=True, complete=False)) == Selected(0)
    assert s.outcomes(Select(select.cases, Mode.TRY, complete=False)) == {Selected(0), Selected(1)}
    assert s.world == before


def test_disconnected_cases_are_ready() -> None:
    s = Script()
    tx0, r0 = s.open(1)
    tx1, r1 = s.open(0)
    _, r2 = s.open(None)
    s.close(tx0)
    s.close(r1)
    cases = (Recv(r0), Send(tx1, "m"), Recv(r2))
    assert s.outcomes(Select(cases, Mode.TRY)) == {Selected(0, Disconnected()), Selected(1, Disconnected("m"))}
    assert s.outcomes(Select(cases, Mode.TRY, complete=False)) == {Selected(0), Selected(1)}


def test_nothing_ready_try_select_and_timed_select() -> None:
    s = Script()
    tx, _ = s.open(1)
    s.send(tx, "full")
    _, empty = s.open(None)
    assert s.select(send_case(tx, "m"), recv_case(empty), mode=Mode.TRY) == NotReady()
    assert s.ready(send_case(tx, "m"), recv_case(empty), mode=Mode.TRY) == NotReady()
    assert s.select(send_case(tx, "m"), recv_case(empty), mode=Mode.TIMED) is None
    assert s.expire(0) == Timeout()  # the send case's message was never handed over
    assert s.world.channels[0].buffer == ("full",)


def test_timed_select_with_a_ready_case_completes_at_once() -> None:
    s = Script()
    tx, r = s.open(None)
    s.send(tx, 1)
    assert s.select(recv_case(r), mode=Mode.TIMED) == Selected(0, Received(1))


def test_blocked_select_wakes_on_the_case_that_became_ready() -> None:
    s = Script()
    tx0, r0 = s.open(None)
    tx1, r1 = s.open(None)
    assert s.select(recv_case(r0), recv_case(r1), thread=1) is None
    s.send(tx1, "b")
    assert s.wake_outcomes(1) == {Selected(1, Received("b"))}
    s.send(tx0, "a")
    assert s.wake_outcomes(1) == {Selected(0, Received("a")), Selected(1, Received("b"))}
    assert s.wake(1, Selected(0, Received("a"))) == Selected(0, Received("a"))


def test_blocked_biased_select_wakes_on_the_lowest_ready_case() -> None:
    s = Script()
    tx0, r0 = s.open(None)
    tx1, r1 = s.open(None)
    assert s.select(recv_case(r0), recv_case(r1), biased=True, thread=1) is None
    s.send(tx1, "b")
    s.send(tx0, "a")
    assert s.wake_outcomes(1) == {Selected(0, Received("a"))}


def test_blocked_select_send_wakes_when_room_frees() -> None:
    s = Script()
    tx, r = s.open(1)
    s.send(tx, 1)
    assert s.select(send_case(tx, 2), thread=1) is None
    assert s.recv(r) == Received(1)
    assert s.wake_all() == {1: Selected(0, Sent())}
    assert s.try_iter(r) == [2]


def test_select_never_pairs_its_own_send_and_recv_on_a_rendezvous() -> None:
    s = Script()
    tx, r = s.open(0)
    assert s.select(send_case(tx, 1), recv_case(r), thread=1) is None
    assert not s.can_complete(1)
    assert s.steps(Expire(1)) == ()  # a blocking select never gives up
    s2 = Script()
    tx2, r2 = s2.open(0)
    assert s2.ready(send_case(tx2, 2), recv_case(r2), mode=Mode.TIMED) is None
    assert not s2.can_complete(0)
    assert s2.expire(0) == Timeout()


def test_an_observer_sees_another_threads_waiting_select_as_a_partner() -> None:
    s = Script()
    tx, r = s.open(0)
    assert s.select(send_case(tx, 1), recv_case(r), thread=1) is None
    assert s.outcomes(Select((Send(tx, 2), Recv(r)), Mode.TRY, complete=False), thread=2) == {
        Selected(0),
        Selected(1),
    }
    assert s.pending() == (1,)


def test_rendezvous_select_pairs_with_another_threads_select() -> None:
    s = Script()
    tx, r = s.open(0)
    assert s.select(send_case(tx, "x"), recv_case(r), thread=1) is None
    outcomes = s.outcomes(Select((Send(tx, "y"), Recv(r))), thread=2)
    assert outcomes == {Selected(0, Sent()), Selected(1, Received("x"))}
    step = s.call_choosing(Select((Send(tx, "y"), Recv(r))), Selected(0, Sent()), thread=2)
    assert step.outcome_of(1) == Selected(1, Received("y"))


def test_rendezvous_select_pairs_with_a_plain_blocked_call() -> None:
    s = Script()
    tx, r = s.open(0)
    assert s.recv(r, thread=1) is None
    assert s.select(send_case(tx, "z"), mode=Mode.TRY) == Selected(0, Sent())
    assert s.result_of(1) == Received("z")


def test_observers_do_not_pair_or_count_as_partners() -> None:
    s = Script()
    tx, r = s.open(0)
    assert s.ready(recv_case(r), thread=1) is None
    assert s.ready(send_case(tx, "m"), thread=2) is None
    assert s.try_send(tx, 1) == Full(1)
    assert s.try_recv(r) == Empty()
    assert s.select(send_case(tx, 2), mode=Mode.TRY) == NotReady()
    assert not s.can_complete(1) and not s.can_complete(2)


def test_observer_wakes_when_a_real_partner_waits_and_leaves_it_waiting() -> None:
    s = Script()
    tx, r = s.open(0)
    assert s.ready(send_case(tx, "m"), thread=1) is None
    assert s.recv(r, thread=2) is None
    assert s.wake_all() == {1: Selected(0)}
    assert s.pending() == (2,)
    assert s.try_send(tx, "real", thread=1) == Sent()
    assert s.result_of(2) == Received("real")


def test_select_on_a_closed_handle_reports_it_with_the_message() -> None:
    s = Script()
    tx, r = s.open(None)
    tx1 = s.clone(tx)
    s.close(tx1)
    s.send(tx, "ready")
    assert s.select(recv_case(r), send_case(tx1, "m"), mode=Mode.TRY) == Selected(1, HandleClosed("m"))


def test_select_waits_for_a_timer() -> None:
    s = Script()
    after = s.timer(TimerKind.AFTER, 3)
    never = s.timer(TimerKind.NEVER)
    assert s.select(recv_case(never), recv_case(after), thread=1) is None
    assert s.ready(recv_case(after), thread=2) is None
    s.advance(2)
    assert not s.can_complete(1) and not s.can_complete(2)
    s.advance()
    assert s.wake(2) == Selected(0)
    assert s.wake(1) == Selected(1, Received(3))


def test_std_profile_has_no_select() -> None:
    s = Script(STD)
    _, r = s.open(None)
    assert isinstance(s.select(recv_case(r)), Unsupported)
    assert isinstance(s.ready(recv_case(r), mode=Mode.TRY), Unsupported)
    assert s.pending() == ()


def test_a_select_whose_handle_was_closed_wakes_with_handle_closed() -> None:
    """If thread A is blocked on a handle and B closes that handle object, A wakes with
    HandleClosed: a rendezvous partner no longer pairs with another case of A's select."""
    s = Script()
    tx0, r0 = s.open(0)
    _, r1 = s.open(None)
    assert s.select(send_case(tx0, "a"), recv_case(r1), thread=1) is None
    s.close(r1)
    assert s.outcomes(Recv(r0), thread=2) == {None}  # no pairing with a select that must fail


def test_a_blocked_biased_select_may_still_be_paired_on_a_later_case() -> None:
    """Biased means the lowest ready index *when the selecting thread chooses*. A blocked select
    is registered on every channel; once case 0 becomes ready the thread is woken, but until it
    runs, a rendezvous partner may claim its registered case 1, as in crossbeam, where the partner
    claims the waiting selector's context. Once the selecting thread has run, case 0 wins."""
    s = Script()
    tx0, r0 = s.open(0)
    tx1, r1 = s.open(None)
    assert s.select(recv_case(r1), recv_case(r0), biased=True, thread=1) is None
    s.send(tx1, "first")
    assert s.outcomes(Send(tx0, "second", Mode.TRY), thread=2) == {Sent()}  # not woken yet: it pairs
    assert s.wake_all() == {1: Selected(0, Received("first"))}
    assert s.outcomes(Send(tx0, "second", Mode.TRY), thread=2) == {Full("second")}
