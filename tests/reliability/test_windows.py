"""The worst windows for an asynchronous exception, one test each, expected to fail until fixed.

:mod:`.test_injection` measures every window and accepts those listed in
``windows.json``. The windows below are the ones that do lasting damage (a lock
held for ever, a slot or a wake-up lost for good, a close lost) and that can be
closed in pure Python; each test injects at exactly that line, expects a clean
verdict, and names the fix in its reason (:mod:`.known_bugs`). A line that no
longer exists makes the test pass, which strict ``xfail`` reports: the window was
rewritten, so check it and update the pin.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from ..channels.helpers import UNBOUNDED, ZERO, Flavour
from . import known_bugs
from .scenarios import SCENARIOS
from .sweep import dry_run, quiet, run_once


@dataclass(frozen=True)
class Pin:
    """An injection point named by implementation, scenario, flavour, function and line text."""

    api: str
    scenario: str
    flavour: Flavour
    function: str
    text: str
    reason: str

    def __str__(self) -> str:
        return f"{self.api.rsplit('.', 1)[-1]}-{self.function}-{self.text}"


PINS = [
    Pin(
        "chanspec.reference",
        "recv of a buffered message",
        UNBOUNDED,
        "critical",
        "try:",
        known_bugs.REFERENCE_LOCK_LEFT_HELD,
    ),
    Pin(
        "chanspec.reference",
        "close of a sender clone",
        UNBOUNDED,
        "release",
        "channel.senders -= 1",
        known_bugs.REFERENCE_CLOSE_HALF_DONE,
    ),
    Pin(
        "chanspec.reference",
        "clone of a sender",
        UNBOUNDED,
        "_clone_end",
        "return End(",
        known_bugs.REFERENCE_CLONE_COUNTED_TWICE,
    ),
    Pin("chanspec.impl", "try_send on a full channel", ZERO, "send", "try:", known_bugs.IMPL_LOCK_LEFT_HELD),
    Pin(
        "chanspec.impl",
        "send to a parked receiver",
        UNBOUNDED,
        "send",
        "if self._waiting or chan.rx_gone:",
        known_bugs.IMPL_WAKE_UP_LOST,
    ),
    Pin(
        "chanspec.impl",
        "send to a parked receiver",
        ZERO,
        "send",
        "receiver.token.wake()",
        known_bugs.IMPL_HAND_OFF_STRANDED,
    ),
    Pin(
        "chanspec.impl",
        "finalizer closes the last sender",
        UNBOUNDED,
        "_close_from_finalizer",
        "self._chan.defer_close(",
        known_bugs.FINALIZER_CLOSE_LOST,
    ),
    Pin(
        "chanspec.reference",
        "finalizer closes the last sender",
        UNBOUNDED,
        "__del__",
        "self._close_from_finalizer()",
        known_bugs.FINALIZER_CLOSE_LOST,
    ),
]


@pytest.mark.parametrize(
    "pin", [pytest.param(p, id=str(p), marks=pytest.mark.xfail(strict=True, reason=p.reason)) for p in PINS]
)
def test_an_exception_at_this_line_leaves_the_channel_consistent(pin: Pin) -> None:
    api = pytest.importorskip(pin.api)
    scenario = next(s for s in SCENARIOS if s.name == pin.scenario)
    _, points = dry_run(scenario, api, pin.flavour, "line")
    found = [i for i, p in enumerate(points) if p.function == pin.function and p.text.startswith(pin.text)]
    if not found:
        return  # the line is gone: reported as XPASS, so that the pin gets checked
    with quiet():
        verdict, _ = run_once(scenario, api, pin.flavour, "line", found[0], patience=1.0)
    assert not verdict.violations, f"at {verdict.point}: " + "; ".join(str(v) for v in verdict.violations)
