"""Every adapter module imports, its backend is well formed and declares what its library has, and a
short ``check`` of it completes with a verdict for every capacity and phase."""

from __future__ import annotations

import pytest
from chanspec.conformance import Backend, Capabilities, check, load_backend
from chanspec.conformance.runner import CAPACITIES, DEFAULT_PHASES

from .helpers import ADAPTERS, Adapter, adapter

EVERY = pytest.mark.parametrize("entry", ADAPTERS, ids=lambda entry: entry.id)


@EVERY
def test_backend_loads_by_name(entry: Adapter) -> None:
    backend = entry.load()
    assert load_backend(f"chanspec.conformance.adapters.{entry.id}") is backend
    assert backend.name
    assert isinstance(backend.capabilities, Capabilities)


@EVERY
def test_handles_answer_the_api_on_every_declared_capacity(entry: Adapter) -> None:
    backend = entry.load()
    assert backend.capacities(), "an adapter must support some capacity"
    for capacity in backend.capacities():
        sender, receiver = backend.make(capacity)
        other_sender, other_receiver = backend.make(capacity)
        try:
            assert sender.capacity == receiver.capacity == capacity
            assert sender.same_channel(receiver) and receiver.same_channel(sender)
            assert not sender.same_channel(other_sender) and not receiver.same_channel(other_receiver)
            assert len(sender) == 0 and receiver.is_empty()
            assert sender.is_full() == (capacity == 0)
            clone = sender.clone()
            assert clone.same_channel(sender)
            clone.close()
        finally:
            for handle in (sender, receiver, other_sender, other_receiver):
                handle.close()


@pytest.mark.parametrize(
    ("module", "capacities"),
    [
        ("queue_queue", [None, 1, 2]),  # no rendezvous: Queue(1) still buffers an item
        ("simple_queue", [None]),  # unbounded only
        ("janus_queue", [None, 1, 2]),
        ("culsans_queue", [None, 1, 2]),
        ("aiologic_queue", [None, 1, 2]),  # maxsize must be >= 1
        ("pygo_routines", [0, 1, 2]),  # Go channels: no unbounded mode
        ("ferryboat_channel", [1, 2]),  # capacity must be > 0
        ("trio_memory", [None, 0, 1, 2]),  # math.inf, a rendezvous, buffers
    ],
)
def test_declared_capacities_are_the_librarys(module: str, capacities: list[int | None]) -> None:
    assert adapter(module).capacities() == capacities


def test_single_receiver_libraries_declare_it() -> None:
    ferryboat = adapter("ferryboat_channel")
    assert not ferryboat.capabilities.receiver_clone
    assert ferryboat.capabilities.profile.name == "std"


def test_libraries_without_blocking_calls_or_timeouts_declare_it() -> None:
    assert not adapter("trio_memory").capabilities.timeouts
    assert not adapter("ferryboat_channel").capabilities.timeouts  # a receive timeout, no send timeout


@EVERY
def test_a_short_check_gives_a_verdict_everywhere(entry: Adapter) -> None:
    backend: Backend = entry.load()
    result = check([backend], budget=4.0)
    assert [(f.capacity, f.phase) for f in result.findings] == [(c, p) for c in CAPACITIES for p in DEFAULT_PHASES]
    for finding in result.findings:
        if backend.capabilities.supports_capacity(finding.capacity):
            assert finding.verdict in ("ok", "deviation", "unknown", "not run"), finding.report
        else:
            assert finding.verdict == "n/a"
        if finding.verdict == "deviation":
            assert ("violation:" if finding.phase == "histories" else "trace:") in finding.report
