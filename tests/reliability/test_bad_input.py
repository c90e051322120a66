"""Bad input: each mistake gets a specific error, nothing happens to the channel, and it stays usable.

Capacities and timeouts of every wrong type and value, calls through closed
handles, pickling and copying, a channel's own handle sent through itself, and
every misuse of select. After each refused call the test checks that the call
did nothing (a message that was buffered is still there, none was added) and
that the channel still sends and receives.
"""

from __future__ import annotations

import copy
import gc
import math
import pickle
import threading
import warnings
import weakref
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from functools import partial
from types import ModuleType
from typing import Any

import pytest

from chanspec.errors import Disconnected, Empty, HandleClosed, NotReady, Timeout

from ..channels.helpers import FLAVOURS, Flavour, Token, Worker
from . import tally


class _Index:
    """An integer-like object (as numpy integers are): a valid capacity."""

    def __index__(self) -> int:
        return 2


REFUSED_CAPACITIES = [
    (-1, ValueError),
    (-(10**30), ValueError),
    (True, TypeError),
    (False, TypeError),
    (1.0, TypeError),
    (2.5, TypeError),
    (math.nan, TypeError),
    (math.inf, TypeError),
    (-math.inf, TypeError),
    ("3", TypeError),
    (b"3", TypeError),
    (None, TypeError),
    ([3], TypeError),
    (Decimal(3), TypeError),
    (Fraction(3), TypeError),
    (complex(3), TypeError),
    (object(), TypeError),
]

REFUSED_TIMEOUTS = [
    (-1, ValueError, "must be >= 0"),
    (-1e-9, ValueError, "must be >= 0"),
    (-math.inf, ValueError, "must be >= 0"),
    (math.nan, ValueError, "NaN"),
    (True, TypeError, "not bool"),
    (False, TypeError, "not bool"),
    ("1", TypeError, "not str"),
    (b"1", TypeError, "not bytes"),
    (None, TypeError, "not NoneType"),
    ([1], TypeError, "not list"),
    (Decimal("0.1"), TypeError, "not Decimal"),
    (Fraction(1, 10), TypeError, "not Fraction"),
    (complex(1), TypeError, "not complex"),
]

REFUSED_DEADLINES = [
    (math.nan, ValueError, "NaN"),
    (True, TypeError, "not bool"),
    ("1", TypeError, "not str"),
    (None, TypeError, "not NoneType"),
    (Decimal("1"), TypeError, "not Decimal"),
    (complex(1), TypeError, "not complex"),
]

Call = Callable[[ModuleType, Any, Any, Any], Any]
"""A timed call: ``(api, tx, rx, timeout) -> result``."""

TIMED_CALLS: dict[str, Call] = {
    "recv_timeout": lambda api, tx, rx, t: rx.recv_timeout(t),
    "send_timeout": lambda api, tx, rx, t: tx.send_timeout("refused", t),
    "select_timeout": lambda api, tx, rx, t: _select(api, rx).select_timeout(t),
    "ready_timeout": lambda api, tx, rx, t: _select(api, rx).ready_timeout(t),
    "select(timeout=)": lambda api, tx, rx, t: api.select(rx, (tx, "refused"), timeout=t),
    "after": lambda api, tx, rx, t: api.after(t),
    "tick": lambda api, tx, rx, t: api.tick(t),
}

DEADLINE_CALLS: dict[str, Call] = {
    "recv_deadline": lambda api, tx, rx, d: rx.recv_deadline(d),
    "send_deadline": lambda api, tx, rx, d: tx.send_deadline("refused", d),
    "select_deadline": lambda api, tx, rx, d: _select(api, rx).select_deadline(d),
    "ready_deadline": lambda api, tx, rx, d: _select(api, rx).ready_deadline(d),
}


def _select(api: ModuleType, rx: Any) -> Any:
    sel = api.Select()
    sel.recv(rx)
    return sel


def _untouched_and_usable(tx: Any, rx: Any, kept: Any) -> None:
    """The refused call did nothing: ``kept`` is still the one buffered message; and the channel
    still sends and receives."""
    assert len(rx) == 1, "a refused call added or took a message"
    assert rx.try_recv() is kept
    fresh = Token(2)
    tx.send(fresh)
    assert rx.recv_timeout(5.0) is fresh


def _kept_message(api: ModuleType) -> tuple[Any, Any, Token]:
    tx, rx = api.bounded(2)
    kept = Token(1)
    tx.send(kept)
    return tx, rx, kept


# Capacities --------------------------------------------------------------------------------


@pytest.mark.parametrize(("capacity", "error"), REFUSED_CAPACITIES, ids=lambda v: repr(v)[:20])
@pytest.mark.parametrize("constructor", ["bounded", "sync_channel"])
def test_a_bad_capacity_is_refused(api: ModuleType, constructor: str, capacity: Any, error: type) -> None:
    with pytest.raises(error, match="capacity must be"):
        getattr(api, constructor)(capacity)
    tally.add("bad_inputs")


@pytest.mark.parametrize("capacity", [0, 1, _Index()], ids=["zero", "one", "index-object"])
def test_every_non_negative_integer_is_a_capacity(api: ModuleType, capacity: Any) -> None:
    tx, rx = api.bounded(capacity)
    assert tx.capacity == int(capacity.__index__() if isinstance(capacity, _Index) else capacity)
    tx.close()
    rx.close()
    tally.add("bad_inputs")


@pytest.mark.parametrize("capacity", [2**62, 10**100], ids=["2**62", "10**100"])
def test_a_huge_capacity_is_a_capacity(api: ModuleType, capacity: int) -> None:
    tally.add("bad_inputs")
    tx, rx = api.bounded(capacity)
    assert tx.capacity == capacity and not tx.is_full()
    message = Token(1)
    tx.try_send(message)
    assert rx.try_recv() is message
    tx.close()
    rx.close()


# Timeouts and deadlines --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "timeout", "error", "text"),
    [
        (call, *refused)
        for call in TIMED_CALLS
        for refused in REFUSED_TIMEOUTS
        if not (call == "select(timeout=)" and refused[0] is None)  # there, None means "for ever"
    ],
    ids=lambda v: repr(v)[:20],
)
def test_a_bad_timeout_is_refused_before_anything_happens(
    api: ModuleType, call: str, timeout: Any, error: type, text: str
) -> None:
    tx, rx, kept = _kept_message(api)
    with pytest.raises(error, match=text):
        TIMED_CALLS[call](api, tx, rx, timeout)
    _untouched_and_usable(tx, rx, kept)
    tally.add("bad_inputs")


@pytest.mark.parametrize(("deadline", "error", "text"), REFUSED_DEADLINES, ids=lambda v: repr(v)[:20])
@pytest.mark.parametrize("call", list(DEADLINE_CALLS), ids=str)
def test_a_bad_deadline_is_refused_before_anything_happens(
    api: ModuleType, call: str, deadline: Any, error: type, text: str
) -> None:
    tx, rx, kept = _kept_message(api)
    with pytest.raises(error, match=text):
        DEADLINE_CALLS[call](api, tx, rx, deadline)
    _untouched_and_usable(tx, rx, kept)
    tally.add("bad_inputs")


@pytest.mark.parametrize("call", ["recv_timeout", "select_timeout", "ready_timeout"])
def test_an_infinite_timeout_waits_until_the_call_can_complete(api: ModuleType, call: str) -> None:
    tx, rx = api.bounded(1)
    waiting = Worker(lambda: TIMED_CALLS[call](api, tx, rx, math.inf)).start_blocked()
    tx.send(Token(1))
    waiting.result()
    tally.add("bad_inputs")


def test_past_and_infinite_deadlines_are_deadlines(api: ModuleType) -> None:
    tx, rx, kept = _kept_message(api)
    assert rx.recv_deadline(-math.inf) is kept  # a deadline in the past still tries once
    with pytest.raises(Timeout):
        rx.recv_deadline(-math.inf)
    waiting = Worker(lambda: rx.recv_deadline(math.inf)).start_blocked()
    tx.send(kept)
    assert waiting.result() is kept
    tally.add("bad_inputs", 2)


@pytest.mark.parametrize("call", ["recv_timeout", "recv_deadline", "after"])
def test_a_timeout_beyond_the_float_range_waits_for_ever(api: ModuleType, call: str) -> None:
    tally.add("bad_inputs")
    tx, rx = api.bounded(1)
    if call == "after":
        timer = api.after(10**400)
        with pytest.raises(Empty):
            timer.try_recv()
        return
    waiting = Worker(lambda: getattr(rx, call)(10**400)).start_blocked()
    message = Token(1)
    tx.send(message)
    assert waiting.result() is message


def test_a_huge_float_timeout_still_completes_when_a_message_comes(api: ModuleType) -> None:
    tx, rx = api.bounded(1)
    waiting = Worker(lambda: rx.recv_timeout(1e300)).start_blocked()
    message = Token(1)
    tx.send(message)
    assert waiting.result() is message
    tally.add("bad_inputs")


# Closed handles ----------------------------------------------------------------------------

SENDER_CALLS: dict[str, Callable[[Any, Any], Any]] = {
    "send": lambda tx, m: tx.send(m),
    "try_send": lambda tx, m: tx.try_send(m),
    "send_timeout": lambda tx, m: tx.send_timeout(m, 1.0),
    "send_deadline": lambda tx, m: tx.send_deadline(m, math.inf),
    "clone": lambda tx, m: tx.clone(),
    "len": lambda tx, m: len(tx),
    "is_empty": lambda tx, m: tx.is_empty(),
    "is_full": lambda tx, m: tx.is_full(),
}

RECEIVER_CALLS: dict[str, Callable[[Any], Any]] = {
    "recv": lambda rx: rx.recv(),
    "try_recv": lambda rx: rx.try_recv(),
    "recv_timeout": lambda rx: rx.recv_timeout(1.0),
    "recv_deadline": lambda rx: rx.recv_deadline(math.inf),
    "clone": lambda rx: rx.clone(),
    "len": lambda rx: len(rx),
    "is_empty": lambda rx: rx.is_empty(),
    "is_full": lambda rx: rx.is_full(),
    "iteration": lambda rx: next(iter(rx)),
    "try_iter": lambda rx: list(rx.try_iter()),
}


@pytest.mark.parametrize("flavour", FLAVOURS, ids=lambda f: f.name)
@pytest.mark.parametrize("call", list(SENDER_CALLS))
def test_a_closed_sender_refuses_every_call_and_hands_the_message_back(
    api: ModuleType, flavour: Flavour, call: str
) -> None:
    tx, rx = flavour.open(api)
    closed = tx.clone()
    closed.close()
    message = Token(1)
    with pytest.raises(HandleClosed) as caught:
        SENDER_CALLS[call](closed, message)
    if call.startswith("send") or call == "try_send":
        assert caught.value.message is message
    assert closed.closed and closed.capacity == flavour.capacity and closed.same_channel(rx)
    closed.close()  # idempotent
    _still_works(flavour, tx, rx)
    tally.add("bad_inputs")


@pytest.mark.parametrize("flavour", FLAVOURS, ids=lambda f: f.name)
@pytest.mark.parametrize("call", list(RECEIVER_CALLS))
def test_a_closed_receiver_refuses_every_call(api: ModuleType, flavour: Flavour, call: str) -> None:
    tx, rx = flavour.open(api)
    if flavour.buffered:
        tx.send(Token(0))  # a message is there: the closed handle must still refuse
    if flavour.std:
        closed, other = rx, None
    else:
        closed, other = rx.clone(), rx
    closed.close()
    refusal = TypeError if call == "clone" and flavour.std else HandleClosed  # std receivers never clone
    with pytest.raises(refusal):
        RECEIVER_CALLS[call](closed)
    assert closed.closed and closed.capacity == flavour.capacity and closed.same_channel(tx)
    closed.close()
    if other is not None:
        if flavour.buffered:
            assert other.try_recv().number == 0
        _still_works(flavour, tx, other)
    else:
        with pytest.raises(Disconnected):
            tx.try_send(Token(1))
    tally.add("bad_inputs")


@pytest.mark.parametrize("make", ["after", "tick", "never"])
def test_a_closed_timer_refuses_every_call(api: ModuleType, make: str) -> None:
    timer = api.never() if make == "never" else getattr(api, make)(0.0)
    timer.close()
    for call in RECEIVER_CALLS.values():
        with pytest.raises(HandleClosed):
            call(timer)
        tally.add("bad_inputs")


def test_a_select_over_a_closed_handle_completes_that_case_with_handle_closed(api: ModuleType) -> None:
    tx, rx = api.bounded(1)
    closed_tx, closed_rx = tx.clone(), rx.clone()
    closed_tx.close()
    closed_rx.close()
    with pytest.raises(HandleClosed) as caught:
        api.select(rx, closed_rx, timeout=0)
    assert caught.value.index == 1
    message = Token(1)
    sel = api.Select()
    case = sel.send(closed_tx, message)
    op = sel.select()
    assert op.index == case
    with pytest.raises(HandleClosed) as refused:
        op.send(closed_tx)
    assert refused.value.message is message
    _still_works(Flavour("bounded1", 1), tx, rx)
    tally.add("bad_inputs", 2)


def _still_works(flavour: Flavour, tx: Any, rx: Any) -> None:
    message = Token(9)
    if flavour.rendezvous:
        receiver = Worker(lambda: rx.recv_timeout(5.0)).start_blocked()
        tx.send_timeout(message, 5.0)
        assert receiver.result() is message
    else:
        tx.send(message)
        assert rx.recv_timeout(5.0) is message


# Pickling and copying ------------------------------------------------------------------------

PICKLERS: dict[str, Callable[[Any], Any]] = {
    **{f"pickle{p}": partial(pickle.dumps, protocol=p) for p in range(pickle.HIGHEST_PROTOCOL + 1)},
    "copy": copy.copy,
    "deepcopy": copy.deepcopy,
}


@pytest.mark.parametrize("flavour", FLAVOURS, ids=lambda f: f.name)
@pytest.mark.parametrize("how", list(PICKLERS))
def test_handles_refuse_pickling_and_copying(api: ModuleType, flavour: Flavour, how: str) -> None:
    tx, rx = flavour.open(api)
    for handle in (tx, rx, api.after(60), api.tick(60), api.never()):
        with pytest.raises(TypeError, match="cannot be pickled"):
            PICKLERS[how](handle)
        tally.add("bad_inputs")
    _still_works(flavour, tx, rx)


@pytest.mark.parametrize("how", ["pickle", "deepcopy"])
def test_a_select_and_its_operation_refuse_pickling(api: ModuleType, how: str) -> None:
    tally.add("bad_inputs", 2)
    tx, rx = api.bounded(1)
    tx.send(Token(1))
    sel = api.Select()
    sel.recv(rx)
    op = sel.select()
    dump = pickle.dumps if how == "pickle" else copy.deepcopy
    for thing in (sel, op):
        with pytest.raises(TypeError):
            dump(thing)
    assert op.recv(rx).number == 1


def test_a_selected_operation_refuses_copying(api: ModuleType) -> None:
    tally.add("bad_inputs")
    tx, rx = api.bounded(1)
    tx.send(Token(1))
    sel = api.Select()
    sel.recv(rx)
    op = sel.select()
    with pytest.raises(TypeError):
        copy.copy(op)
    assert op.recv(rx).number == 1


# A channel's own handles through itself ------------------------------------------------------


@pytest.mark.parametrize("flavour", FLAVOURS, ids=lambda f: f.name)
def test_a_channel_carries_its_own_handles(api: ModuleType, flavour: Flavour) -> None:
    tx, rx = flavour.open(api)
    for handle in (tx, rx):
        if flavour.rendezvous:
            receiver = Worker(lambda: rx.recv_timeout(5.0)).start_blocked()
            tx.send_timeout(handle, 5.0)
            got = receiver.result()
        else:
            tx.send(handle)
            got = rx.recv_timeout(5.0)
        assert got is handle
    _still_works(flavour, tx, rx)
    tally.add("bad_inputs", 2)


@pytest.mark.parametrize("flavour", [f for f in FLAVOURS if f.room >= 3], ids=lambda f: f.name)
def test_a_channel_holding_its_own_last_handles_is_collected(api: ModuleType, flavour: Flavour) -> None:
    """A message, the last sender and the last receiver sit in the channel's own buffer and nothing
    else refers to them. The collector closes both handles (two ResourceWarnings), the close of
    the last receiver discards the very buffer it sits in, and nothing deadlocks."""

    def build_and_drop() -> weakref.ref[Token]:
        tx, rx = flavour.open(api)
        message = Token(1)
        for thing in (message, tx, rx):
            tx.send(thing)
        return weakref.ref(message)

    gc.collect()  # earlier garbage is not this test's
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        worker = Worker(lambda: (build_and_drop(), gc.collect())[0]).start()
        probe = worker.result(timeout=30.0)
        gc.collect()
    assert probe() is None, "the message in the collected channel was not released"
    assert sum(issubclass(w.category, ResourceWarning) for w in caught) == 2
    tally.add("bad_inputs")


# Misusing select -----------------------------------------------------------------------------


def test_an_empty_select_refuses_to_block(api: ModuleType) -> None:
    blocking: list[Callable[[Any], Any]] = [lambda s: s.select(), lambda s: s.ready()]
    for block in blocking:
        with pytest.raises(ValueError, match="at least one case"):
            block(api.Select())
    with pytest.raises(ValueError, match="at least one case"):
        api.select()
    trying: list[Callable[[Any], Any]] = [lambda s: s.try_select(), lambda s: s.try_ready()]
    for attempt in trying:
        with pytest.raises(NotReady):
            attempt(api.Select())
    with pytest.raises(Timeout):
        api.Select().select_timeout(0.01)
    tally.add("bad_inputs", 6)


def test_removing_an_unknown_case_is_refused(api: ModuleType) -> None:
    _tx, rx = api.bounded(1)
    sel = api.Select()
    index = sel.recv(rx)
    with pytest.raises(ValueError, match="no case"):
        sel.remove(index + 1)
    sel.remove(index)
    with pytest.raises(ValueError, match="no case"):
        sel.remove(index)
    tally.add("bad_inputs", 2)


def test_a_case_of_the_wrong_kind_is_refused(api: ModuleType) -> None:
    tx, rx = api.bounded(1)
    other = _other_implementation(api)
    other_tx, other_rx = other.bounded(1)
    sel = api.Select()
    misuses: list[Callable[[], Any]] = [
        lambda: sel.send(rx, 1),
        lambda: sel.recv(tx),
        lambda: sel.recv(object()),
        lambda: sel.recv(other_rx),
        lambda: sel.send(other_tx, 1),
        lambda: api.select("not a case"),
        lambda: api.select((tx,)),
        lambda: api.select((tx, 1, 2)),
        lambda: api.select(tx),
    ]
    for bad in misuses:
        with pytest.raises(TypeError):
            bad()
        tally.add("bad_inputs")
    _still_works(Flavour("bounded1", 1), tx, rx)


def _other_implementation(api: ModuleType) -> ModuleType:
    import chanspec.impl
    import chanspec.reference

    return chanspec.reference if api is chanspec.impl else chanspec.impl


def test_completing_with_the_wrong_handle_is_refused_and_loses_nothing(api: ModuleType) -> None:
    tx, rx = api.bounded(1)
    other_tx, other_rx = api.bounded(1)
    message = Token(1)
    tx.send(message)
    sel = api.Select()
    sel.recv(rx)
    op = sel.select()
    wrong_handles: list[Callable[[], Any]] = [
        lambda: op.recv(other_rx),
        lambda: op.send(tx),
        lambda: op.send(other_tx),
        lambda: op.send(rx),
    ]
    for wrong in wrong_handles:
        with pytest.raises(ValueError):
            wrong()
        tally.add("bad_inputs")
    assert op.recv(rx.clone()) is message  # the message was kept for the right handle (a clone is fine)


def test_completing_a_receive_with_a_sender_is_refused(api: ModuleType) -> None:
    tally.add("bad_inputs")
    tx, rx = api.bounded(1)
    message = Token(1)
    tx.send(message)
    sel = api.Select()
    sel.recv(rx)
    op = sel.select()
    with pytest.raises(ValueError):
        op.recv(tx)
    assert op.recv(rx) is message


def test_completing_a_selected_operation_twice_is_refused(api: ModuleType) -> None:
    tally.add("bad_inputs")
    tx, rx = api.bounded(1)
    message = Token(1)
    tx.send(message)
    sel = api.Select()
    sel.recv(rx)
    op = sel.select()
    assert op.recv(rx) is message
    with pytest.raises(ValueError):
        op.recv(rx)


def test_select_misuse_from_two_threads_at_once_completes_each_case_once(api: ModuleType) -> None:
    """One ``Select`` object used by two threads at the same time (a misuse that is not refused):
    each ``select()`` still completes one case of its own, and no message is taken twice."""
    tx, rx = api.unbounded()
    sel = api.Select()
    sel.recv(rx)
    start = threading.Barrier(2)
    got: list[Any] = []

    def select_once() -> None:
        start.wait()
        got.append(sel.select().recv(rx))

    workers = [Worker(select_once).start() for _ in range(2)]
    tx.send(Token(1))
    tx.send(Token(2))
    for worker in workers:
        worker.result()
    assert sorted(t.number for t in got) == [1, 2]
    tally.add("bad_inputs")
