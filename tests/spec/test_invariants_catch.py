"""The invariants can fail: seeded bugs in the spec's transition helpers are caught.

Each test patches one helper with a plausible bug (monkeypatch undoes it) and
checks that exhaustive exploration of a small scope, or a property run,
reports a violation together with a trace that leads to it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import chanspec.spec.channel as rules
import chanspec.spec.transitions as transitions
import pytest
from chanspec.spec import CROSSBEAM, Event, Expire, Message, Recv, Side, Step, Wake, World
from chanspec.spec.explore import Exploration, Scope, explore
from chanspec.spec.operations import Mode
from chanspec.spec.outcomes import NO_MESSAGE, Timeout
from chanspec.spec.state import ChannelState
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from . import runs
from .runs import checked_run


def _small(capacity: int | None, threads: int = 1, messages: int = 2) -> Scope:
    return Scope(capacity=capacity, senders=1, receivers=1, messages=messages, threads=threads, select=False)


def _assert_caught(found: Exploration, fragment: str) -> None:
    matching = [(problem, trace) for problem, trace in found.violations if fragment in problem]
    assert matching, f"no violation mentioning {fragment!r}; found {[p for p, _ in found.violations[:5]]}"
    problem, trace = min(matching, key=lambda item: len(item[1]))
    assert trace, problem
    assert all(" => " in line for line in trace), trace  # step lines: "event  => results"


def test_the_unpatched_small_scopes_are_clean() -> None:
    for capacity in (None, 0, 1, 2):
        assert explore(_small(capacity, threads=2)).violations == []


def test_append_without_room_check_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rules, "has_room", lambda state: state.timer is None)
    _assert_caught(explore(_small(1)), "malformed")


def test_append_into_a_rendezvous_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rules, "has_room", lambda state: state.timer is None)
    _assert_caught(explore(_small(0)), "malformed")


def test_pop_of_the_newest_message_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    def newest(state: ChannelState) -> tuple[Message, ChannelState]:
        return state.buffer[-1], replace(state, buffer=state.buffer[:-1])

    monkeypatch.setattr(rules, "pop", newest)
    _assert_caught(explore(_small(2)), "buffer changed")


def test_pop_that_keeps_the_message_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rules, "pop", lambda state: (state.buffer[0], state))
    _assert_caught(explore(_small(None)), "not conserved")


def test_send_that_duplicates_its_message_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    def twice(state: ChannelState, message: Message) -> ChannelState:
        return replace(state, buffer=(*state.buffer, message, message))

    monkeypatch.setattr(rules, "append", twice)
    _assert_caught(explore(_small(None)), "not conserved")


def test_close_that_keeps_the_buffer_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    original = rules.close

    def keeps(state: ChannelState, side: Side, serial: int) -> tuple[ChannelState, tuple[Message, ...]]:
        after, _ = original(state, side, serial)
        return replace(after, buffer=state.buffer), ()

    monkeypatch.setattr(rules, "close", keeps)
    _assert_caught(explore(_small(1)), "kept with no receiver")


def test_close_that_reports_a_discard_but_keeps_the_messages_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    original = rules.close

    def claims(state: ChannelState, side: Side, serial: int) -> tuple[ChannelState, tuple[Message, ...]]:
        after, discarded = original(state, side, serial)
        return replace(after, buffer=state.buffer), discarded

    monkeypatch.setattr(rules, "close", claims)
    _assert_caught(explore(_small(None)), "discard did not take exactly")


def test_clone_that_does_not_count_the_new_handle_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    def uncounted(state: ChannelState, side: Side) -> tuple[int, ChannelState]:
        serial = state.minted(side)
        return serial, state.with_live(side, state.live(side) | {serial}, serial)

    monkeypatch.setattr(rules, "mint", uncounted)
    scope = Scope(capacity=1, senders=2, receivers=1, messages=1, threads=1, select=False)
    _assert_caught(explore(scope), "malformed")


def test_wake_that_forgets_to_remove_the_pending_call_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    original: Callable[[World, Wake | Expire], list[Step]] = transitions._wake

    def forgetful(world: World, event: Wake | Expire) -> list[Step]:
        entry = world.pending_of(event.thread)
        steps = original(world, event)
        if entry is None:
            return steps
        return [replace(step, world=step.world.with_pending(entry)) for step in steps]

    monkeypatch.setattr(transitions, "_wake", forgetful)
    _assert_caught(explore(_small(1, threads=2)), "still pending")


def test_rendezvous_that_does_not_pair_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """A send that blocks although a receiver of another thread waits on the rendezvous."""
    monkeypatch.setattr(transitions, "_waiting_partners", lambda world, thread, channel, side: [])
    _assert_caught(explore(_small(0, threads=2)), "both wait on a rendezvous")


_PROPERTY_RUN = settings(
    max_examples=300,
    derandomize=True,
    database=None,
    deadline=None,
    report_multiple_bugs=False,
    suppress_health_check=list(HealthCheck),
    phases=(Phase.generate,),
)


def _property_run_fails(*fragments: str) -> str:
    """Run the property test body under the current patches; it must fail, mentioning one of ``fragments``."""

    @_PROPERTY_RUN
    @given(st.data())
    def run(data: st.DataObject) -> None:
        checked_run(data, CROSSBEAM)

    with pytest.raises(AssertionError) as failure:
        run()
    message = str(failure.value)
    assert any(fragment in message for fragment in fragments), message
    assert "trace:" in message or "\n  profile" in message, message
    return message


def test_property_run_catches_a_lifo_pop_with_a_trace(monkeypatch: pytest.MonkeyPatch) -> None:
    def newest(state: ChannelState) -> tuple[Message, ChannelState]:
        return state.buffer[-1], replace(state, buffer=state.buffer[:-1])

    monkeypatch.setattr(rules, "pop", newest)
    message = _property_run_fails("buffer changed")
    assert "T" in message.split("trace:")[1]


def test_property_run_catches_an_expiry_while_the_call_could_complete(monkeypatch: pytest.MonkeyPatch) -> None:
    """No single world shows this bug; the run's rule check on Expire steps does."""

    def eager(world: World, event: Expire) -> list[Step]:
        entry = world.pending_of(event.thread)
        if entry is None or entry.operation.mode is not Mode.TIMED:
            return []
        message = getattr(entry.operation, "message", NO_MESSAGE)
        return [Step(event, world.without_pending(event.thread), ((event.thread, Timeout(message)),))]

    monkeypatch.setattr(transitions, "_expire", eager)
    _property_run_fails("expired although it could complete", "may expire")


def test_property_run_catches_a_lost_wake_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """A receiver blocked on a channel whose senders are all gone is never offered its wake-up."""
    original = transitions.internal_events

    def lossy(world: World) -> tuple[Event, ...]:
        return tuple(event for event in original(world) if not _waits_for_gone_senders(world, event))

    monkeypatch.setattr(transitions, "internal_events", lossy)
    monkeypatch.setattr(runs, "internal_events", lossy)
    _property_run_fails("could complete but stay blocked", "is not offered, yet has")


def _waits_for_gone_senders(world: World, event: Event) -> bool:
    entry = world.pending_of(event.thread) if isinstance(event, Wake) else None
    if entry is None or not isinstance(entry.operation, Recv):
        return False
    return not world.channels[entry.operation.receiver.channel].senders
