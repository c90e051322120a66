"""Select: readiness, choice (fair and biased), completion, blocking, rendezvous, timers."""

from __future__ import annotations

import time
from collections import Counter
from types import ModuleType
from typing import Any

import pytest

from chanspec.errors import Disconnected, Full, HandleClosed, NotReady, Timeout

from .conftest import Closer
from .helpers import (
    BOUNDED_1,
    BUFFERED,
    FLAVOURS,
    LATE,
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


def select_over(api: ModuleType, *cases: Any, biased: bool = False) -> Any:
    """A Select with ``cases``: a receiver, or a ``(sender, message)`` pair."""
    sel = api.Select(biased=biased)
    for case in cases:
        if isinstance(case, tuple):
            sel.send(*case)
        else:
            sel.recv(case)
    return sel


# Empty selects ---------------------------------------------------------------------------


def test_empty_select(api: ModuleType) -> None:
    sel = api.Select()
    with pytest.raises(ValueError):
        sel.select()
    with pytest.raises(ValueError):
        sel.ready()
    with pytest.raises(NotReady):
        sel.try_select()
    with pytest.raises(NotReady):
        sel.try_ready()
    with elapsed_at_least(SHORT), pytest.raises(Timeout):
        sel.select_timeout(SHORT)
    with elapsed_at_least(SHORT), pytest.raises(Timeout):
        sel.ready_timeout(SHORT)


def test_empty_one_call_select(api: ModuleType) -> None:
    with pytest.raises(ValueError):
        api.select()
    with pytest.raises(NotReady):
        api.select(timeout=0)
    with elapsed_at_least(SHORT), pytest.raises(Timeout):
        api.select(timeout=SHORT)


# Indices -----------------------------------------------------------------------------------


def test_indices_count_up_and_are_never_reused(api: ModuleType, closer: Closer) -> None:
    tx, rx = closer.open(api, UNBOUNDED)
    sel = api.Select()
    assert [sel.recv(rx), sel.send(tx, "a"), sel.recv(rx)] == [0, 1, 2]
    sel.remove(1)
    assert sel.send(tx, "b") == 3
    with pytest.raises(ValueError):
        sel.remove(1)
    with pytest.raises(ValueError):
        sel.remove(17)


def test_removed_case_is_never_chosen(api: ModuleType, closer: Closer) -> None:
    tx1, rx1 = closer.open(api, UNBOUNDED)
    tx2, rx2 = closer.open(api, UNBOUNDED)
    tx1.send("one")
    sel = select_over(api, rx1, rx2)
    sel.remove(0)
    with pytest.raises(NotReady):
        sel.try_select()
    tx2.send("two")
    op = sel.try_select()
    assert op.index == 1 and op.recv(rx2) == "two"
    assert rx1.try_recv() == "one"


# Completion --------------------------------------------------------------------------------


@with_flavours(*BUFFERED)
def test_selected_receive_is_already_performed(flavour: Flavour, pair: tuple[Any, Any], api: ModuleType) -> None:
    tx, rx = pair
    message = Token(1)
    tx.send(message)
    op = select_over(api, rx).try_select()
    assert isinstance(op, api.SelectedOperation)
    assert op.index == 0
    assert len(rx) == 0  # taken before op.recv is called
    assert op.recv(rx) is message


@with_flavours(*BUFFERED)
def test_selected_send_is_already_performed(flavour: Flavour, pair: tuple[Any, Any], api: ModuleType) -> None:
    tx, rx = pair
    message = Token(2)
    op = select_over(api, (tx, message)).try_select()
    assert len(rx) == 1  # sent before op.send is called
    assert op.send(tx) is None
    assert rx.try_recv() is message


def test_select_not_ready(api: ModuleType, flavour: Flavour, closer: Closer) -> None:
    _empty_tx, empty_rx = closer.open(api, flavour)
    cases: list[Any] = [empty_rx]
    if flavour.capacity is not None:  # a full channel's send is not ready either
        full_tx, _full_rx = closer.open(api, flavour)
        for i in range(flavour.capacity):
            full_tx.send(i)
        cases.append((full_tx, "x"))
    sel = select_over(api, *cases)
    with pytest.raises(NotReady):
        sel.try_select()
    with pytest.raises(NotReady):
        sel.try_ready()
    with elapsed_at_least(SHORT), pytest.raises(Timeout):
        sel.select_timeout(SHORT)
    with elapsed_at_least(SHORT), pytest.raises(Timeout):
        sel.ready_deadline(time.monotonic() + SHORT)
    with elapsed_at_least(SHORT), pytest.raises(Timeout):
        sel.select_deadline(time.monotonic() + SHORT)


def test_completing_with_a_clone_is_fine(api: ModuleType, closer: Closer) -> None:
    tx, rx = closer.open(api, UNBOUNDED)
    rx_clone, tx_clone = closer.add(rx.clone(), tx.clone())
    tx.send("m")
    assert select_over(api, rx).try_select().recv(rx_clone) == "m"
    assert select_over(api, (tx, "n")).try_select().send(tx_clone) is None
    assert rx.try_recv() == "n"


def test_completing_with_a_handle_of_another_channel_is_refused(api: ModuleType, closer: Closer) -> None:
    tx, rx = closer.open(api, UNBOUNDED)
    other_tx, other_rx = closer.open(api, UNBOUNDED)
    tx.send("m")
    op = select_over(api, rx).try_select()
    with pytest.raises(ValueError):
        op.recv(other_rx)
    with pytest.raises(ValueError):
        op.send(tx)  # the selected case is a receive
    assert op.recv(rx) == "m"
    op = select_over(api, (tx, "n")).try_select()
    with pytest.raises(ValueError):
        op.send(other_tx)
    with pytest.raises(ValueError):
        op.recv(rx)  # the selected case is a send


def test_one_call_select_returns_index_and_value(api: ModuleType, closer: Closer) -> None:
    tx1, rx1 = closer.open(api, UNBOUNDED)
    tx2, rx2 = closer.open(api, BOUNDED_1)
    tx2.send("full")
    tx1.send("hello")
    assert api.select(rx2, rx1, biased=True) == (0, "full")
    assert api.select((tx2, "x"), rx1, biased=True, timeout=0) == (0, None)
    assert rx2.try_recv() == "x"
    assert api.select(rx2, rx1, timeout=1.0) == (1, "hello")


def test_one_call_select_sets_index_on_the_failing_case(api: ModuleType, closer: Closer) -> None:
    tx1, rx1 = closer.open(api, UNBOUNDED)
    tx2, rx2 = closer.open(api, UNBOUNDED)
    rx2.close()
    message = Token(8)
    with pytest.raises(Disconnected) as caught:
        api.select(rx1, (tx2, message))
    assert caught.value.index == 1
    assert caught.value.message is message
    tx1.close()
    with pytest.raises(Disconnected) as caught:
        api.select(rx1, timeout=0)
    assert caught.value.index == 0


def test_one_call_select_timeouts(api: ModuleType, closer: Closer) -> None:
    tx, rx = closer.open(api, UNBOUNDED)
    with promptly(), pytest.raises(NotReady):
        api.select(rx, timeout=0)
    with elapsed_at_least(SHORT), pytest.raises(Timeout):
        api.select(rx, timeout=SHORT)
    tx.send("ready")
    assert api.select(rx, timeout=0) == (0, "ready")


def test_one_call_select_refuses_other_cases(api: ModuleType, closer: Closer) -> None:
    tx, rx = closer.open(api, UNBOUNDED)
    for bad in (tx, (rx, 1), (tx,), "rx", 3):
        with pytest.raises(TypeError):
            api.select(bad, timeout=0)


# Choosing ------------------------------------------------------------------------------------


def test_biased_select_takes_the_lowest_ready_index(api: ModuleType, closer: Closer) -> None:
    channels = [closer.open(api, UNBOUNDED) for _ in range(3)]
    for tx, _ in channels[1:]:
        for i in range(50):
            tx.send(i)
    sel = select_over(api, *(rx for _, rx in channels), biased=True)
    picks = [sel.try_select().index for _ in range(100)]
    assert picks == [1] * 50 + [2] * 50
    channels[0][0].send("now ready")
    assert sel.try_ready() == 0


def test_fair_select_spreads_over_ready_cases(api: ModuleType, closer: Closer) -> None:
    rounds = 1000
    (tx1, rx1), (tx2, rx2) = closer.open(api, UNBOUNDED), closer.open(api, UNBOUNDED)
    for i in range(rounds):
        tx1.send(i)
        tx2.send(i)
    sel = select_over(api, rx1, rx2)
    picks = Counter(sel.try_select().index for _ in range(rounds))
    # Uniform choice gives ~500 each; 350 is more than 9 standard deviations away.
    assert picks[0] >= 350 and picks[1] >= 350, picks
    ready = Counter(sel.try_ready() for _ in range(400))
    assert ready[0] >= 120 and ready[1] >= 120, ready


def test_fair_select_over_duplicate_cases(api: ModuleType, closer: Closer) -> None:
    tx, rx = closer.open(api, UNBOUNDED)
    for i in range(600):
        tx.send(i)
    sel = select_over(api, rx, rx, rx)
    picks = Counter(sel.try_select().index for _ in range(600))
    assert min(picks[i] for i in range(3)) >= 120, picks


def test_ready_performs_nothing(api: ModuleType, closer: Closer) -> None:
    tx, rx = closer.open(api, BOUNDED_1)
    tx.send("m")
    sel = select_over(api, rx)
    assert sel.ready() == 0 and sel.try_ready() == 0 and sel.ready_timeout(1.0) == 0
    assert len(rx) == 1


# Disconnected and closed cases -------------------------------------------------------------------


def test_disconnected_receive_case_is_ready(pair: tuple[Any, Any], api: ModuleType, closer: Closer) -> None:
    tx, rx = pair
    _idle_tx, idle_rx = closer.open(api, UNBOUNDED)
    tx.close()
    sel = select_over(api, idle_rx, rx)
    assert sel.try_ready() == 1
    op = sel.select()
    assert op.index == 1
    with pytest.raises(Disconnected):
        op.recv(rx)


def test_disconnected_send_case_is_ready(pair: tuple[Any, Any], api: ModuleType, closer: Closer) -> None:
    tx, rx = pair
    _idle_tx, idle_rx = closer.open(api, UNBOUNDED)
    rx.close()
    message = Token(3)
    sel = select_over(api, idle_rx, (tx, message))
    assert sel.ready() == 1
    op = sel.try_select()
    assert op.index == 1
    with pytest.raises(Disconnected) as caught:
        op.send(tx)
    assert caught.value.message is message


def test_closed_handle_case_is_selected_with_handle_closed(api: ModuleType, closer: Closer) -> None:
    tx, rx = closer.open(api, UNBOUNDED)
    tx2, _rx2 = closer.open(api, UNBOUNDED)
    tx.send("ready")
    tx2_closed = tx2.clone()
    tx2_closed.close()
    message = Token(4)
    sel = select_over(api, rx, (tx2_closed, message), biased=True)
    op = sel.try_select()
    assert op.index == 1  # a closed handle wins over a ready case
    with pytest.raises(HandleClosed) as caught:
        op.send(tx2)
    assert caught.value.message is message
    assert rx.try_recv() == "ready"


# Blocking selects ------------------------------------------------------------------------------


@pytest.mark.parametrize("flavour", FLAVOURS, ids=[f.name for f in FLAVOURS])
def test_blocked_select_woken_by_a_send(api: ModuleType, flavour: Flavour, closer: Closer) -> None:
    _idle_tx, idle_rx = closer.open(api, flavour)
    tx, rx = closer.open(api, flavour)
    sel = select_over(api, idle_rx, rx)
    worker = Worker(sel.select).start_blocked()
    message = Token(5)
    tx.send(message)  # at capacity 0 the blocked select is the partner
    op = worker.result()
    assert op.index == 1 and op.recv(rx) is message


@pytest.mark.parametrize("flavour", FLAVOURS, ids=[f.name for f in FLAVOURS])
def test_blocked_select_woken_by_disconnection(api: ModuleType, flavour: Flavour, closer: Closer) -> None:
    _idle_tx, idle_rx = closer.open(api, flavour)
    tx, rx = closer.open(api, flavour)
    sel = select_over(api, idle_rx, rx)
    worker = Worker(lambda: sel.select_timeout(60.0)).start_blocked()
    tx.close()
    op = worker.result()
    assert op.index == 1
    with pytest.raises(Disconnected):
        op.recv(rx)


@with_flavours(BOUNDED_1, ZERO)
def test_blocked_select_send_woken_by_a_receive(api: ModuleType, flavour: Flavour, closer: Closer) -> None:
    tx, rx = closer.open(api, flavour)
    _idle_tx, idle_rx = closer.open(api, UNBOUNDED)
    if flavour.capacity:
        tx.send("filler")
    message = Token(6)
    sel = select_over(api, idle_rx, (tx, message))
    worker = Worker(sel.select).start_blocked()
    received = [rx.recv() for _ in range((flavour.capacity or 0) + 1)]
    assert received[-1] is message
    op = worker.result()
    assert op.index == 1 and op.send(tx) is None


def test_blocked_select_on_a_closed_handle(api: ModuleType, closer: Closer) -> None:
    _tx, rx = closer.open(api, UNBOUNDED)
    sel = select_over(api, rx)
    worker = Worker(sel.select).start_blocked()
    rx.close()
    op = worker.result()
    with pytest.raises(HandleClosed):
        op.recv(rx)


def test_blocked_ready_woken_by_a_send(api: ModuleType, closer: Closer) -> None:
    _idle_tx, idle_rx = closer.open(api, UNBOUNDED)
    tx, rx = closer.open(api, UNBOUNDED)
    sel = select_over(api, idle_rx, rx)
    worker = Worker(sel.ready).start_blocked()
    tx.send("m")
    assert worker.result() == 1
    assert rx.try_recv() == "m"  # ready() left it there


# Rendezvous in selects --------------------------------------------------------------------------


@with_flavours(*RENDEZVOUS)
def test_a_thread_never_pairs_with_itself(pair: tuple[Any, Any], api: ModuleType) -> None:
    tx, rx = pair
    sel = select_over(api, (tx, "mine"), rx)
    with pytest.raises(NotReady):
        sel.try_select()
    with pytest.raises(NotReady):
        sel.try_ready()
    with elapsed_at_least(SHORT), pytest.raises(Timeout):
        sel.select_timeout(SHORT)
    with elapsed_at_least(SHORT), pytest.raises(Timeout):
        sel.ready_timeout(SHORT)
    with pytest.raises(Timeout):
        api.select((tx, "mine"), rx, timeout=SHORT)


def test_send_and_receive_on_one_buffered_channel_in_one_select(api: ModuleType, closer: Closer) -> None:
    tx, rx = closer.open(api, UNBOUNDED)
    assert select_over(api, (tx, "m"), rx, biased=True).try_select().index == 0
    assert select_over(api, (tx, "n"), rx).ready_timeout(SHORT) in (0, 1)


@with_flavours(*RENDEZVOUS)
def test_blocked_select_pairs_with_a_blocked_call_of_another_thread(pair: tuple[Any, Any], api: ModuleType) -> None:
    tx, rx = pair
    sender = Worker(lambda: tx.send("from a plain send")).start_blocked()
    op = select_over(api, rx).select_timeout(60.0)
    assert op.recv(rx) == "from a plain send"
    sender.join()
    receiver = Worker(rx.recv).start_blocked()
    select_over(api, (tx, "from a select")).try_select().send(tx)
    assert receiver.result() == "from a select"


@with_flavours(*RENDEZVOUS)
def test_two_selects_pair_across_threads(pair: tuple[Any, Any], api: ModuleType) -> None:
    tx, rx = pair
    sending = select_over(api, (tx, "between selects"))
    worker = Worker(sending.select).start_blocked()
    op = select_over(api, rx).select()
    assert op.recv(rx) == "between selects"
    assert worker.result().send(tx) is None


@with_flavours(ZERO)
def test_try_send_pairs_with_a_receiver_blocked_in_select(pair: tuple[Any, Any], api: ModuleType) -> None:
    tx, rx = pair
    worker = Worker(select_over(api, rx).select).start_blocked()
    tx.try_send("taken")
    assert worker.result().recv(rx) == "taken"


@with_flavours(ZERO)
def test_ready_is_not_a_rendezvous_partner(pair: tuple[Any, Any], api: ModuleType) -> None:
    tx, rx = pair
    observer = Worker(select_over(api, rx).ready).start_blocked()
    with pytest.raises(Full):
        tx.try_send("nobody to take it")
    assert observer.still_blocked()
    sender = Worker(lambda: tx.send("to a real receiver")).start_blocked()
    assert observer.result() == 0  # a sender now waits: the receive case is ready
    assert rx.try_recv() == "to a real receiver"
    sender.join()


@with_flavours(ZERO)
def test_ready_sees_a_receiver_for_a_send_case(pair: tuple[Any, Any], api: ModuleType) -> None:
    tx, rx = pair
    receiver = Worker(rx.recv).start_blocked()
    assert select_over(api, (tx, "x")).try_ready() == 0
    assert receiver.still_blocked()  # ready() performed nothing
    tx.try_send("x")
    assert receiver.result() == "x"


# Timers in selects ------------------------------------------------------------------------------


def test_timer_fires_inside_a_blocking_select(api: ModuleType, closer: Closer) -> None:
    _idle_tx, idle_rx = closer.open(api, UNBOUNDED)
    start = time.monotonic()
    timer, silent = closer.add(api.after(SHORT), api.never())
    op = select_over(api, idle_rx, silent, timer).select()
    returned = time.monotonic()
    assert op.index == 2
    instant = op.recv(timer)
    assert start + SHORT <= instant <= returned <= instant + LATE  # fired on time, not before


def test_sooner_timer_wins(api: ModuleType, closer: Closer) -> None:
    later, sooner = closer.add(api.tick(10 * SHORT), api.after(SHORT))
    index, _instant = api.select(later, sooner)
    assert index == 1


def test_never_is_never_ready(api: ModuleType, closer: Closer) -> None:
    silent = closer.add(api.never())
    with pytest.raises(NotReady):
        api.select(silent, timeout=0)
    with elapsed_at_least(SHORT), pytest.raises(Timeout):
        api.select(silent, timeout=SHORT)
