"""Properties of the specification over random runs (see runs.py for how runs are drawn).

Every reachable world satisfies every invariant, every step every transition
invariant; replaying a run gives the same worlds; worlds are values (equal
worlds hash equal); and, once no more calls are made, wake-ups and expiries
run out with no blocked call left that could complete.
"""

from __future__ import annotations

from dataclasses import fields

from chanspec.spec import CROSSBEAM, STD, ChannelState, Pending, World
from hypothesis import given
from hypothesis import strategies as st

from .runs import checked_run, random_run, replay


@given(st.data())
def test_every_reachable_world_and_step_satisfies_the_invariants(data: st.DataObject) -> None:
    random_run(data)  # checks every step as it is taken


@given(st.data())
def test_crossbeam_runs_with_selects_and_timers_are_invariant(data: st.DataObject) -> None:
    random_run(data, CROSSBEAM)


@given(st.data())
def test_std_runs_are_invariant(data: st.DataObject) -> None:
    random_run(data, STD)


@given(st.data())
def test_replaying_a_run_reaches_the_same_worlds(data: st.DataObject) -> None:
    run = random_run(data)
    first, second = replay(run.profile, run.moves), replay(run.profile, run.moves)
    assert first == second == run.worlds
    assert [hash(world) for world in first] == [hash(world) for world in run.worlds]


def _rebuilt(world: World) -> World:
    """A structurally equal copy made of fresh objects (no cached hash carried over)."""
    channels = tuple(
        ChannelState(**{field.name: getattr(state, field.name) for field in fields(state)}) for state in world.channels
    )
    pending = tuple(Pending(entry.thread, entry.operation) for entry in world.pending)
    return World(channels, pending, world.now)


@given(st.data())
def test_worlds_are_hashable_values(data: st.DataObject) -> None:
    run = random_run(data)
    for world in run.worlds:
        copy = _rebuilt(world)
        assert copy == world and hash(copy) == hash(world)
        assert {world: 1}[copy] == 1
    distinct = set(run.worlds)
    assert all(sum(w == other for other in distinct) == 1 for w in run.worlds)


@given(st.data())
def test_without_more_calls_every_blocked_call_completes_or_gives_up(data: st.DataObject) -> None:
    checked_run(data)
