"""The threaded scenarios: Rust does what each is named after, and the spec allows all of it."""

from __future__ import annotations

import pytest

from .driver import Chanrun
from .play import check
from .scenarios import Scenario, scenarios


@pytest.mark.parametrize("scenario", list(scenarios()), ids=str)
def test_scenario(chanrun: Chanrun, scenario: Scenario) -> None:
    (run,) = check(chanrun, [scenario.script])
    for expect in scenario.expectations:
        step = run.steps[expect.index]
        seen = (step.returned, step.woken)
        assert seen == (expect.returned, expect.woken), (
            f"{scenario}: call {expect.index} ({scenario.script.calls[expect.index]}) gave {step}, "
            f"expected {expect.returned} with woken {list(expect.woken)}\n" + "\n".join(scenario.script.lines())
        )
