"""Generated scripts, played by Rust and by the specification, agree call by call.

Each Hypothesis example draws a batch of scripts and plays the whole batch in one chanrun
process (so the process start is paid once per batch). The batch size is chosen so that the
``ci`` profile compares at least MIN_SCRIPTS scripts per library: 60 examples of 34 scripts
(2,040 per library); ``thorough`` runs 2,000 examples of the same size (68,000 per library).
On a disagreement Hypothesis shrinks the batch, and the error shows the failing script call by
call, with what Rust did and what the spec allows.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .driver import Chanrun
from .play import check
from .scripts import LIBRARIES
from .strategy import scripts

MIN_SCRIPTS = 2_000
BATCH = math.ceil(MIN_SCRIPTS / settings.get_profile("ci").max_examples)
TIMEOUT_S = max(300, settings().max_examples)
"""About 0.2 s an example: the default 300 s is ample for ``ci``, not for ``thorough``."""


@pytest.mark.timeout(TIMEOUT_S)  # type: ignore[untyped-decorator, unused-ignore]  # typing of @given varies
@pytest.mark.parametrize("library", sorted(LIBRARIES))
@settings(
    # A batch is large by design (it is BATCH scripts), and drawing it takes a while.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
@given(data=st.data())
def test_rust_agrees_with_the_spec(chanrun: Chanrun, library: str, data: st.DataObject) -> None:
    batch = data.draw(st.lists(scripts(library), min_size=BATCH, max_size=BATCH), label="scripts")
    check(chanrun, batch)
