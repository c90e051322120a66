"""Constructors and argument checks: types, capacities, timeouts, pickling, std receivers."""

from __future__ import annotations

import math
import pickle
from types import ModuleType
from typing import Any

import pytest

from chanspec import handles

from .conftest import Closer
from .helpers import CLONABLE, FLAVOURS, STD_CHANNEL, STD_SYNC, STD_SYNC_ZERO, Flavour, with_flavours

BAD_CAPACITIES: list[tuple[object, type[Exception]]] = [
    (-1, ValueError),
    (-100, ValueError),
    (True, TypeError),
    (False, TypeError),
    (1.0, TypeError),
    (2.5, TypeError),
    (float("nan"), TypeError),
    (math.inf, TypeError),
    ("3", TypeError),
    (None, TypeError),
]

BAD_TIMEOUTS: list[tuple[object, type[Exception]]] = [
    (-1, ValueError),
    (-0.001, ValueError),
    (-math.inf, ValueError),
    (math.nan, ValueError),
    (True, TypeError),
    (False, TypeError),
    ("1", TypeError),
    (None, TypeError),
    ([1], TypeError),
]

BAD_DEADLINES: list[tuple[object, type[Exception]]] = [
    (math.nan, ValueError),
    (True, TypeError),
    ("1", TypeError),
    (None, TypeError),
]


def test_handles_are_the_public_abstract_types(api: ModuleType, pair: tuple[Any, Any]) -> None:
    tx, rx = pair
    assert isinstance(tx, handles.Sender)
    assert isinstance(rx, handles.Receiver)
    assert isinstance(tx, api.Sender)
    assert isinstance(rx, api.Receiver)


def test_capacity_reported(flavour: Flavour, pair: tuple[Any, Any]) -> None:
    tx, rx = pair
    assert tx.capacity == flavour.capacity
    assert rx.capacity == flavour.capacity


@pytest.mark.parametrize(("capacity", "error"), BAD_CAPACITIES, ids=repr)
@pytest.mark.parametrize("constructor", ["bounded", "sync_channel"])
def test_bad_capacity_refused(api: ModuleType, constructor: str, capacity: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        getattr(api, constructor)(capacity)


@pytest.mark.parametrize("capacity", [0, 1, 7, 1000])
def test_good_capacity_accepted(api: ModuleType, closer: Closer, capacity: int) -> None:
    tx, _rx = closer.add(*api.bounded(capacity))
    assert tx.capacity == capacity


@pytest.mark.parametrize(("timeout", "error"), BAD_TIMEOUTS, ids=repr)
def test_bad_timeout_refused_and_nothing_lost(
    api: ModuleType, closer: Closer, timeout: object, error: type[Exception]
) -> None:
    tx, rx = closer.open(api, STD_SYNC)
    message = object()
    with pytest.raises(error):
        tx.send_timeout(message, timeout)
    with pytest.raises(error):
        rx.recv_timeout(timeout)
    assert len(rx) == 0  # the refused send did not happen
    tx.send(message)
    with pytest.raises(error):
        rx.recv_timeout(timeout)
    assert rx.try_recv() is message  # the refused receive took nothing


@pytest.mark.parametrize(("deadline", "error"), BAD_DEADLINES, ids=repr)
def test_bad_deadline_refused(api: ModuleType, closer: Closer, deadline: object, error: type[Exception]) -> None:
    tx, rx = closer.open(api, STD_SYNC)
    with pytest.raises(error):
        tx.send_deadline("m", deadline)
    with pytest.raises(error):
        rx.recv_deadline(deadline)
    assert len(rx) == 0


@pytest.mark.parametrize(("timeout", "error"), BAD_TIMEOUTS, ids=repr)
def test_bad_select_timeout_refused(api: ModuleType, closer: Closer, timeout: object, error: type[Exception]) -> None:
    tx, rx = closer.open(api, STD_SYNC)
    tx.send("m")
    sel = api.Select()
    sel.recv(rx)
    with pytest.raises(error):
        sel.select_timeout(timeout)
    with pytest.raises(error):
        sel.ready_timeout(timeout)
    if timeout is not None:  # None is the one-call select's "wait for ever"
        with pytest.raises(error):
            api.select(rx, timeout=timeout)
    assert len(rx) == 1  # nothing was taken


@pytest.mark.parametrize(("deadline", "error"), BAD_DEADLINES, ids=repr)
def test_bad_select_deadline_refused(api: ModuleType, closer: Closer, deadline: object, error: type[Exception]) -> None:
    _tx, rx = closer.open(api, STD_SYNC)
    sel = api.Select()
    sel.recv(rx)
    with pytest.raises(error):
        sel.select_deadline(deadline)
    with pytest.raises(error):
        sel.ready_deadline(deadline)


@pytest.mark.parametrize(("delay", "error"), BAD_TIMEOUTS, ids=repr)
@pytest.mark.parametrize("timer", ["after", "tick"])
def test_bad_timer_delay_refused(api: ModuleType, timer: str, delay: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        getattr(api, timer)(delay)


def test_handles_refuse_pickling(pair: tuple[Any, Any]) -> None:
    for handle in pair:
        with pytest.raises(TypeError):
            pickle.dumps(handle)


def test_timer_handles_refuse_pickling(api: ModuleType, closer: Closer) -> None:
    for handle in (api.after(1.0), api.tick(1.0), api.never()):
        closer.add(handle)
        with pytest.raises(TypeError):
            pickle.dumps(handle)


@with_flavours(STD_CHANNEL, STD_SYNC, STD_SYNC_ZERO)
def test_std_receiver_cannot_be_cloned(pair: tuple[Any, Any]) -> None:
    _tx, rx = pair
    with pytest.raises(TypeError, match="std"):
        rx.clone()
    rx.close()
    with pytest.raises(TypeError):  # refused as unsupported, whatever the handle's state
        rx.clone()


@with_flavours(STD_CHANNEL, STD_SYNC, STD_SYNC_ZERO)
def test_std_sender_clones(pair: tuple[Any, Any]) -> None:
    tx, rx = pair
    other = tx.clone()
    try:
        assert other.same_channel(rx)
    finally:
        other.close()


@with_flavours(*CLONABLE)
def test_clones_are_the_same_channel(api: ModuleType, flavour: Flavour, closer: Closer) -> None:
    tx, rx = closer.open(api, flavour)
    tx2, rx2 = closer.add(tx.clone(), rx.clone())
    other_tx, other_rx = closer.open(api, flavour)
    assert tx.same_channel(tx2) and tx.same_channel(rx) and rx2.same_channel(tx2)
    assert not tx.same_channel(other_tx) and not rx.same_channel(other_rx) and not tx.same_channel(other_rx)


def test_flavours_are_different_channels(api: ModuleType, closer: Closer) -> None:
    opened = [closer.open(api, flavour) for flavour in FLAVOURS]
    for i, (tx, _) in enumerate(opened):
        for j, (_, rx) in enumerate(opened):
            assert tx.same_channel(rx) == (i == j)


def test_handles_are_truthy_even_when_empty(pair: tuple[Any, Any]) -> None:
    tx, rx = pair
    assert bool(tx) and bool(rx)


def test_context_manager_closes(api: ModuleType, flavour: Flavour) -> None:
    tx, rx = flavour.open(api)
    with tx as entered_tx, rx as entered_rx:
        assert entered_tx is tx and entered_rx is rx
        assert not tx.closed and not rx.closed
    assert tx.closed and rx.closed
