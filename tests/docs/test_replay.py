"""The docs' traces are not only the specification's: every single-channel scenario replays on
chanspec's real channels, both implementations, with the same outcomes."""

from __future__ import annotations

import pytest
from chanspec.conformance import Backend
from chanspec.conformance.builtin import own_backends

from .replay import replay, replayable
from .scenarios import SCENARIOS

CASES = [
    pytest.param(name, backend, id=f"{name}-{backend.name}")
    for name, scenario in SCENARIOS.items()
    for backend in own_backends()
    if replayable(scenario, backend)
]


def test_most_scenarios_replay() -> None:
    names = {case.values[0] for case in CASES}
    assert set(SCENARIOS) - names == {"select-spin"}


@pytest.mark.parametrize(("name", "backend"), CASES)
def test_scenario_replays_on_the_real_channel(name: str, backend: Backend) -> None:
    replay(SCENARIOS[name], backend)
