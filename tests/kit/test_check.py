"""``chanspec check`` on chanspec's own backends, its command line, and its failure reports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import chanspec.reference as reference
import pytest
from chanspec.conformance import Backend, Capabilities, assert_conforms, check
from chanspec.conformance.builtin import own_backends

from chanspec.errors import Empty


def test_own_backends_conform_within_a_small_budget() -> None:
    result = check(own_backends(), budget=16.0)
    bad = [
        (f.backend, f.capacity_name, f.phase, f.report) for f in result.findings if f.verdict not in ("ok", "not run")
    ]
    assert bad == []
    assert sum(f.verdict == "ok" for f in result.findings) >= len(result.findings) * 3 // 4
    assert result.seconds < 16.0 * 1.1


class _EmptyWhenDisconnected:
    """A receiver wrapper with a seeded bug: Empty instead of Disconnected on a drained channel."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def __len__(self) -> int:
        return len(self.inner)

    def try_recv(self) -> Any:
        from chanspec.errors import Disconnected

        try:
            return self.inner.try_recv()
        except Disconnected:
            raise Empty() from None

    def clone(self) -> _EmptyWhenDisconnected:
        return _EmptyWhenDisconnected(self.inner.clone())


def _buggy(capacity: int | None) -> tuple[Any, Any]:
    sender, receiver = reference.unbounded() if capacity is None else reference.bounded(capacity)
    return sender, _EmptyWhenDisconnected(receiver)


BUGGY = Backend("empty-when-disconnected", _buggy, Capabilities(introspection=False))


def test_a_deviation_is_reported_with_a_short_trace() -> None:
    result = check([BUGGY], budget=20.0, capacities=(1,), stop_on_first=True)
    (deviation,) = [f for f in result.findings if f.verdict == "deviation"]
    assert "returned Empty; the specification allows: Disconnected" in deviation.report
    assert "trace:" in deviation.report
    assert deviation.steps is not None and deviation.steps <= 6


def test_assert_conforms_raises_with_the_report() -> None:
    with pytest.raises(AssertionError, match="does not conform"):
        assert_conforms(BUGGY, budget=10.0, capacities=(None,))


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("chanspec")
    return subprocess.run([str(script), *args], capture_output=True, text=True, timeout=300, cwd="/")


def test_cli_exit_status_and_json() -> None:
    done = _cli("check", "chanspec.conformance.builtin:no_such_thing")
    assert done.returncode == 2 and "has no attribute" in done.stderr
    done = _cli("check", "no_such_module_xyz:make")
    assert done.returncode == 2 and "cannot import" in done.stderr
    done = _cli("check", "--time-budget", "0")
    assert done.returncode == 2
    done = _cli("check", "--time-budget", "8", "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["conforms"] is True
    assert {f["backend"] for f in report["findings"]} >= {"impl", "reference", "impl-std", "reference-std"}


def test_the_report_shown_in_the_docs_is_what_the_harness_prints() -> None:
    from chanspec.conformance import Deviation, Harness
    from chanspec.spec import Close, Mode, Recv, rx, tx

    docs = (Path(__file__).resolve().parents[2] / "docs" / "conformance.md").read_text()
    shown = docs.split("## Reading a report", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    harness = Harness(BUGGY, 1, workers=0)
    harness.call(Close(tx(0)))
    with pytest.raises(Deviation) as caught:
        harness.call(Recv(rx(0), Mode.TRY))
    harness.abandon()
    assert caught.value.report.strip() == shown.strip()
