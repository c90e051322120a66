"""The conformance kit drives awaited calls too: tasks on event loops beside threads, and
cancellation as the spec's ``Cancel``."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from chanspec.conformance import check
from chanspec.conformance.adapters.chanspec_async import impl, own_async_backends, reference
from chanspec.conformance.backend import Backend, Capabilities
from chanspec.conformance.calls import Token
from chanspec.conformance.harness import CancelAwait, Deviation, Harness
from chanspec.conformance.linearizability import Verdict
from chanspec.conformance.linearizability import check as check_history
from chanspec.spec import Cancelled, Empty, Mode, Received, Recv, Send, Sent, rx, tx

import chanspec

from ..conformance.support import Script


def test_own_async_backends_claim_the_capability() -> None:
    backends = own_async_backends()
    assert {b.name for b in backends} == {"impl-async", "impl-std-async", "reference-async", "reference-std-async"}
    assert all(b.capabilities.asynchronous for b in backends)


def test_a_cancelled_awaited_receive_is_seen_as_cancelled_and_took_nothing() -> None:
    harness = Harness(impl, 1)
    try:
        harness.start(1, Recv(rx(0)))
        assert "await" in harness.log[-1]
        harness.call(CancelAwait(1))
        assert any("returned Cancelled" in line for line in harness.log), harness.log
        harness.call(Send(tx(0), "m", Mode.TRY))
        harness.call(Recv(rx(0), Mode.TRY))
        assert harness.log[-1].endswith("Received('m')")
    finally:
        harness.close_everything()


def test_cancelling_a_thread_worker_does_nothing() -> None:
    harness = Harness(impl, 1)
    try:
        harness.start(2, Recv(rx(0)))  # T2 blocks its thread: there is no task to cancel
        logged = len(harness.log)
        harness.call(CancelAwait(2))
        assert len(harness.log) == logged
    finally:
        harness.close_everything()


def test_own_async_backends_conform_with_tasks_and_threads() -> None:
    result = check([impl, reference], budget=12.0, capacities=(None, 0, 2), phases=("threads", "histories"))
    assert result.conforms, [f.report for f in result.findings if f.report]


class _Bridged:
    """A naive bridge: the awaited calls run the blocking ones in the loop's thread pool. A
    cancelled task leaves its blocking receive running, which later takes a message nobody
    gets: the kit must see it."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def __len__(self) -> int:
        return len(self.inner)

    def same_channel(self, other: Any) -> bool:
        return bool(self.inner.same_channel(getattr(other, "inner", other)))

    def clone(self) -> _Bridged:
        return _Bridged(self.inner.clone())

    async def asend(self, message: Any) -> None:
        await asyncio.get_running_loop().run_in_executor(None, self.inner.send, message)

    async def arecv(self) -> Any:
        return await asyncio.get_running_loop().run_in_executor(None, self.inner.recv)


def _bridged(capacity: int | None) -> tuple[_Bridged, _Bridged]:
    sender, receiver = chanspec.unbounded() if capacity is None else chanspec.bounded(capacity)
    return _Bridged(sender), _Bridged(receiver)


def test_the_kit_finds_a_bridge_whose_cancelled_receive_swallows_a_message() -> None:
    """T1's awaited receive is cancelled, but its blocking ``recv`` runs on in the thread pool
    and takes the next message: a message sent and never received while a ``try_recv`` finds
    nothing (or, if the test thread wins the race, the message after it)."""
    naive = Backend("naive-bridge", _bridged, Capabilities(asynchronous=True))
    harness = Harness(naive, 2)
    try:
        with pytest.raises(Deviation) as caught:
            harness.start(1, Recv(rx(0)))
            time.sleep(0.1)  # the pool's thread is in recv by then (cancelled sooner, it never runs)
            harness.call(CancelAwait(1))
            for _ in range(20):
                harness.call(Send(tx(0), Token(), Mode.TRY))
                harness.call(Recv(rx(0), Mode.TRY))
        assert "Empty" in caught.value.report or "Received" in caught.value.report
    finally:
        harness.abandon()


def test_a_cancelled_call_had_no_effect_in_a_history() -> None:
    script = (
        Script(1)
        .call(1, Recv(rx(0)), 0, 30, Cancelled())
        .call(0, Send(tx(0), "a", Mode.TRY), 10, 20, Sent())
        .call(2, Recv(rx(0), Mode.TRY), 40, 50, Received("a"))
    )
    assert check_history(script.history()).verdict is Verdict.OK


def test_a_cancelled_receive_that_swallowed_the_message_is_a_violation() -> None:
    script = (
        Script(1)
        .call(0, Send(tx(0), "a", Mode.TRY), 0, 10, Sent())
        .call(1, Recv(rx(0)), 20, 30, Cancelled())
        .call(2, Recv(rx(0), Mode.TRY), 40, 50, Empty())
    )
    assert check_history(script.history()).verdict is Verdict.VIOLATION


def test_a_cancelled_send_blocked_at_a_quiet_moment_is_explained() -> None:
    script = (
        Script(1)
        .call(0, Send(tx(0), "a", Mode.TRY), 0, 10, Sent())
        .call(1, Send(tx(0), "b"), 20, 60, Cancelled("b"))
        .quiet(40)
        .call(2, Recv(rx(0), Mode.TRY), 70, 80, Received("a"))
        .call(2, Recv(rx(0), Mode.TRY), 90, 100, Empty())
    )
    assert check_history(script.history()).verdict is Verdict.OK


def test_a_cancelled_receive_that_could_complete_at_a_quiet_moment_is_a_missed_wake_up() -> None:
    script = (
        Script(1).call(0, Send(tx(0), "a", Mode.TRY), 0, 10, Sent()).call(1, Recv(rx(0)), 20, 60, Cancelled()).quiet(40)
    )
    assert check_history(script.history()).verdict is Verdict.VIOLATION
