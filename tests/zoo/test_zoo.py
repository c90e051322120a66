"""The conformance kit finds every bug of the zoo, and finds nothing wrong with the correct channel."""

from __future__ import annotations

import threading

import pytest
from chanspec.conformance import Backend
from chanspec.conformance.runner import DEFAULT_PHASES, CheckResult, check

from chanspec.errors import Empty

from .base import ZooChannel, factory, make
from .bugs import BUGS, Bug, UnlockedTryRecv

SLOW = 20.0
"""A bug whose check needs a larger budget than this is marked slow. Most are found within a
second or two (a missed wake-up costs the kit's 2 s bound); one found only with worker threads
first waits out the sequential phase's share of the budget; the race needs the concurrent
histories, the last phase at each capacity."""


def _summary(result: CheckResult) -> str:
    lines = [f"{f.capacity_name} {f.phase}: {f.verdict} ({f.runs} runs, {f.seconds:.1f} s)" for f in result.findings]
    lines += [f.report for f in result.findings if f.verdict in ("deviation", "error")]
    return "\n".join(lines)


def _cases() -> list[object]:
    cases: list[object] = []
    for bug in BUGS:
        marks = [pytest.mark.slow] if bug.budget > SLOW else []
        cases.append(pytest.param(bug, id=bug.name, marks=marks))
    return cases


@pytest.mark.parametrize("bug", _cases())
def test_the_kit_finds_the_bug(bug: Bug) -> None:
    phases = ("controlled",) if bug.controlled_only else DEFAULT_PHASES
    result = check([bug.backend], budget=bug.budget, capacities=bug.capacities, stop_on_first=True, phases=phases)
    deviations = [f for f in result.findings if f.verdict == "deviation"]
    assert deviations, f"{bug.name} ({bug.description}) was not found:\n{_summary(result)}"
    assert not [f for f in result.findings if f.verdict == "error"], _summary(result)


def test_the_correct_channel_conforms() -> None:
    result = check([Backend("zoo-base", make)], budget=30.0)
    assert result.conforms, _summary(result)
    assert all(f.verdict == "ok" for f in result.findings), _summary(result)


def _two_receives_at_once(channel: type[ZooChannel]) -> list[str]:
    """Buffer "first" and "second", then let two threads call try_recv at the same moment."""
    sender, receiver = factory(channel)(None)
    sender.send("first")
    sender.send("second")
    received: list[str] = []
    start = threading.Barrier(2)

    def receive() -> None:
        start.wait(timeout=10)
        try:
            received.append(receiver.try_recv())
        except Empty:
            received.append("Empty")

    threads = [threading.Thread(target=receive) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert not any(thread.is_alive() for thread in threads)
    return sorted(received)


@pytest.mark.parametrize("channel", [UnlockedTryRecv, ZooChannel], ids=["racy", "correct"])
def test_the_race_is_real(channel: type[ZooChannel]) -> None:
    """The racy channel soon hands both threads the first message and drops the second; the
    correct one never does."""
    outcomes = [_two_receives_at_once(channel) for _ in range(50)]
    wrong = [o for o in outcomes if o != ["first", "second"]]
    if channel is ZooChannel:
        assert wrong == []
    else:
        assert ["first", "first"] in wrong
