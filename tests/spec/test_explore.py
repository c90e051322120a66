"""Exhaustive exploration: the documented scopes are clean and stable, and small scopes
hold exactly the states one can list by hand."""

from __future__ import annotations

import pytest
from chanspec.spec import (
    CROSSBEAM,
    STD,
    ChannelState,
    Mode,
    Pending,
    Profile,
    Recv,
    Select,
    Send,
    World,
    can_complete,
    internal_events,
    rx,
    tx,
)
from chanspec.spec.explore import Exploration, Scope, canonical, explore
from chanspec.spec.operations import Blocking

CAPACITIES = [0, 1, 2, None]


@pytest.mark.parametrize("capacity", CAPACITIES, ids=["cap0", "cap1", "cap2", "unbounded"])
@pytest.mark.parametrize("profile", [CROSSBEAM, STD], ids=lambda p: p.name)
def test_documented_scope_has_no_violation_and_is_stable(profile: Profile, capacity: int | None) -> None:
    """The default Scope (two senders, two receivers, three messages, two threads, timed calls
    and selects) is what `chanspec explore` checks; two separate runs must agree exactly."""
    scope = Scope(capacity=capacity, profile=profile)
    first, second = explore(scope), explore(scope)
    assert first.violations == [], first.violations[:3]
    assert (first.states, first.transitions, first.deadlocks) == (second.states, second.transitions, second.deadlocks)
    assert first.nodes == second.nodes
    assert [(e.source, e.target, e.label) for e in first.edges] == [(e.source, e.target, e.label) for e in second.edges]
    _check_shape(first)


def _check_shape(found: Exploration) -> None:
    """Every node is canonical and inside the scope; every edge joins known nodes."""
    scope = found.scope
    assert found.states > 1 and found.transitions >= found.states - 1
    for world in found.nodes:
        assert canonical(world) == world
        state = world.channels[0]
        assert state.minted_senders <= scope.senders and state.minted_receivers <= scope.receivers
        assert len(world.pending) <= scope.threads
    assert all(0 <= e.source < found.states and 0 <= e.target < found.states for e in found.edges)
    for world in found.nodes:  # a deadlock: everyone blocked for ever, never a timed call
        if len(world.pending) == scope.threads and not internal_events(world):
            assert all(e.operation.mode is Mode.BLOCK and not can_complete(world, e.thread) for e in world.pending)


def _world(
    capacity: int | None,
    buffer: tuple[str, ...] = (),
    senders: bool = True,
    receivers: bool = True,
    waiting: Blocking | None = None,
) -> World:
    state = ChannelState(
        capacity,
        buffer,
        senders=frozenset({0}) if senders else frozenset(),
        receivers=frozenset({0}) if receivers else frozenset(),
    )
    return World((state,), (Pending(0, waiting),) if waiting is not None else ())


def _idle_worlds(capacity: int | None) -> set[World]:
    return {_world(capacity, (), s, r) for s in (True, False) for r in (True, False)}


def test_capacity_one_one_thread_by_hand() -> None:
    """Capacity 1, one sender, one receiver, one message 'a', one thread, no timed calls.

    Nothing buffered: sender live or closed x receiver live or closed = 4 worlds.
    'a' buffered: the receiver must be live (its close discards), the sender live or
    closed = 2 worlds. Blocked: recv waits only on an empty connected channel = 1 world
    (a send never blocks: with 'a' in flight there is no second message to send, and
    the select's send case always finds room). Total 7, one of them a deadlock (the
    lone thread waits in recv for ever). Timed calls add "T0 waits in recv_timeout": 8.
    """
    expected = _idle_worlds(1) | {
        _world(1, ("a",), senders=True),
        _world(1, ("a",), senders=False),
        _world(1, waiting=Recv(rx(0))),
    }
    found = explore(Scope(capacity=1, senders=1, receivers=1, messages=1, threads=1, timed=False))
    assert set(found.nodes) == expected and found.states == 7
    assert found.deadlocks == 1 and found.violations == []
    timed = explore(Scope(capacity=1, senders=1, receivers=1, messages=1, threads=1, timed=True))
    assert set(timed.nodes) == expected | {_world(1, waiting=Recv(rx(0), Mode.TIMED))}


def test_rendezvous_one_thread_by_hand() -> None:
    """Capacity 0, one sender, one receiver, one message 'a', one thread, no timed calls.

    Nothing is ever buffered: 4 idle worlds (each side live or closed). On the connected
    channel the lone thread can block in recv, in send('a') (no partner: it is alone) and
    in the select [send 'a', recv], whose two cases never pair with each other: 3 more,
    all deadlocks. Total 7. Timed calls add send_timeout and recv_timeout waits: 9.
    """
    both = (Send(tx(0), "a"), Recv(rx(0)))
    expected = _idle_worlds(0) | {
        _world(0, waiting=Recv(rx(0))),
        _world(0, waiting=Send(tx(0), "a")),
        _world(0, waiting=Select(both)),
    }
    found = explore(Scope(capacity=0, senders=1, receivers=1, messages=1, threads=1, timed=False))
    assert set(found.nodes) == expected and found.states == 7
    assert found.deadlocks == 3 and found.violations == []
    timed = explore(Scope(capacity=0, senders=1, receivers=1, messages=1, threads=1, timed=True))
    assert set(timed.nodes) == expected | {
        _world(0, waiting=Recv(rx(0), Mode.TIMED)),
        _world(0, waiting=Send(tx(0), "a", Mode.TIMED)),
    }


def test_std_rendezvous_one_thread_by_hand() -> None:
    """The same scope in the std profile has no select: the 6 worlds left of the 7 above."""
    found = explore(Scope(capacity=0, senders=1, receivers=1, messages=1, threads=1, timed=False, profile=STD))
    assert set(found.nodes) == _idle_worlds(0) | {
        _world(0, waiting=Recv(rx(0))),
        _world(0, waiting=Send(tx(0), "a")),
    }
