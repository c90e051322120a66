"""Fixtures of the reliability suite and its closing report (the counts in :mod:`.tally`)."""

from __future__ import annotations

import json
import os
from types import ModuleType

import pytest

from ..channels.conftest import IMPLEMENTATIONS, _load
from . import tally
from .scale import PROFILE
from .windows import OBSERVED


@pytest.fixture(params=IMPLEMENTATIONS, ids=lambda name: name.rsplit(".", 1)[-1])
def api(request: pytest.FixtureRequest) -> ModuleType:
    """The implementation module under test: ``chanspec.reference`` or ``chanspec.impl``.
    Parametrize it indirectly with :func:`.known_bugs.implementations` to mark one as failing."""
    return _load(request.param)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    lines = tally.summary()
    if not lines:
        return
    terminalreporter.section(f"chanspec reliability counts ({PROFILE} size)")
    for line in lines:
        terminalreporter.write_line(line)


def pytest_sessionfinish(session: pytest.Session) -> None:
    target = os.environ.get("CHANSPEC_RELIABILITY_COUNTS")
    if target and tally.COUNTS:
        with open(target, "w", encoding="utf-8") as out:
            json.dump({"profile": PROFILE, **tally.COUNTS, **tally.WORST}, out, indent=2, sort_keys=True)
    observed = os.environ.get("CHANSPEC_RELIABILITY_WINDOWS")
    if observed:
        OBSERVED.write(observed)
