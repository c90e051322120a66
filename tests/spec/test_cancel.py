"""Cancellation: a pending call withdrawn before it completes (an awaiting task cancelled)
ends with ``Cancelled``, has had no effect, and a send keeps its message."""

from __future__ import annotations

from dataclasses import replace

import chanspec.spec.transitions as transitions
import pytest
from chanspec.spec import (
    Cancel,
    Cancelled,
    Received,
    Recv,
    Select,
    Send,
    Sent,
    SpecUsageError,
    Step,
    World,
    successors,
)
from chanspec.spec.explore import Scope, explore
from chanspec.spec.operations import Mode

from .helpers import Script


def test_a_cancelled_receive_leaves_the_message_for_another_receiver() -> None:
    s = Script()
    tx, r = s.open(None)
    assert s.recv(r, thread=1) is None
    s.send(tx, "a")  # thread 1 could complete now, but has not been woken
    assert s.take(Cancel(1)).outcome_of(1) == Cancelled()
    assert s.pending() == ()
    assert s.try_recv(r, thread=2) == Received("a")


def test_a_cancelled_send_keeps_its_message_and_frees_nothing() -> None:
    s = Script()
    tx, r = s.open(1)
    s.send(tx, "a")
    assert s.send(tx, "b", thread=1) is None
    assert s.take(Cancel(1)).outcome_of(1) == Cancelled("b")
    assert s.recv(r) == Received("a")
    assert s.try_send(tx, "c", thread=2) == Sent()


def test_a_cancelled_rendezvous_send_is_no_longer_a_partner() -> None:
    s = Script()
    tx, r = s.open(0)
    assert s.send(tx, "a", thread=1) is None
    s.take(Cancel(1))
    assert s.try_recv(r, thread=2) != Received("a")


def test_a_cancelled_select_ends_without_completing_a_case() -> None:
    s = Script()
    tx, r = s.open(0)
    assert s.call(Select((Recv(r),), Mode.BLOCK), thread=1) is None
    assert s.take(Cancel(1)).outcome_of(1) == Cancelled()
    assert s.try_send(tx, "a", thread=2) != Sent()  # no receiver waits any more


def test_cancelling_a_thread_with_nothing_pending_is_a_usage_error() -> None:
    with pytest.raises(SpecUsageError, match="no pending call"):
        successors(World(), Cancel(0))


def test_exploring_with_cancellation_finds_no_violation_and_adds_only_transitions() -> None:
    scope = Scope(capacity=1, senders=1, receivers=2, messages=2, threads=2)
    plain, cancelling = explore(scope), explore(replace(scope, cancel=True))
    assert cancelling.violations == []
    assert len(cancelling.nodes) == len(plain.nodes)  # a cancelled call leaves a world that exists anyway
    assert len(cancelling.edges) > len(plain.edges)


def test_a_cancel_that_swallows_the_message_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    original = transitions._cancel

    def swallowing(world: World, event: Cancel) -> list[Step]:
        return [replace(step, results=((event.thread, Cancelled()),)) for step in original(world, event)]

    monkeypatch.setattr(transitions, "_cancel", swallowing)
    found = explore(Scope(capacity=1, senders=1, receivers=1, messages=2, threads=2, select=False, cancel=True))
    assert any("not conserved" in problem for problem, _ in found.violations), found.violations[:3]


def test_a_cancel_that_takes_effect_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """A cancelled send that still delivers its message."""
    original = transitions._cancel

    def delivering(world: World, event: Cancel) -> list[Step]:
        entry = world.pending_of(event.thread)
        steps = original(world, event)
        if entry is None or not isinstance(entry.operation, Send):
            return steps
        channel = entry.operation.sender.channel
        state = world.channels[channel]
        buffered = replace(state, buffer=(*state.buffer, entry.operation.message))
        channels = (*world.channels[:channel], buffered, *world.channels[channel + 1 :])
        return [replace(step, world=replace(step.world, channels=channels)) for step in steps]

    monkeypatch.setattr(transitions, "_cancel", delivering)
    found = explore(Scope(capacity=1, senders=1, receivers=1, messages=2, threads=2, select=False, cancel=True))
    assert any("had an effect" in problem or "not conserved" in problem for problem, _ in found.violations)
