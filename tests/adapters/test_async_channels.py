"""The adapters of loop-bound async channels (``asyncio.Queue``, aiochannel, anyio's and trio's
memory channels): every call reaches the channel on the loop that owns it, awaited calls from
other loops included, and the kit finds each difference that docs/findings.md describes. Every
behaviour asserted here was first checked by hand against the library."""

from __future__ import annotations

import asyncio
import sys
import time
from typing import Any

import pytest
from chanspec.conformance import Backend, Deviation, Harness, Timing
from chanspec.conformance.harness import CancelAwait
from chanspec.spec import Clone, Close, Inspect, Mode, Query, Recv, Send, rx, tx

from chanspec import errors

from .helpers import adapter

ASYNC = ["asyncio_queue", "aiochannel_channel", "anyio_memory", "trio_async"]

QUICK = Timing(must=0.5)
"""A missed wake-up is reported after half a second (the kit waits longer to be sure)."""


def _harness(module: str, capacity: int | None) -> Harness:
    return Harness(adapter(module), capacity, timing=QUICK)


def _deviation(module: str, capacity: int | None, *steps: Send | Recv | Close | Clone | Inspect) -> str:
    """The kit's report of the first step of ``steps`` (made by the test thread) that deviates."""
    harness = _harness(module, capacity)
    try:
        with pytest.raises(Deviation) as caught:
            for step in steps:
                harness.call(step)
    finally:
        harness.abandon()
    return caught.value.report


@pytest.mark.parametrize(
    ("module", "capacities"),
    [
        ("asyncio_queue", [None, 1, 2]),  # no rendezvous: Queue(1) still buffers an item
        ("aiochannel_channel", [None, 1, 2]),
        ("anyio_memory", [None, 0, 1, 2]),  # math.inf, a rendezvous, buffers
        ("trio_async", [None, 0, 1, 2]),
    ],
)
def test_declared_capacities_are_the_librarys(module: str, capacities: list[int | None]) -> None:
    backend: Backend = adapter(module)
    assert backend.capacities() == capacities
    assert backend.capabilities.asynchronous


@pytest.mark.parametrize("module", ASYNC)
def test_threads_and_tasks_of_other_loops_share_the_channel(module: str) -> None:
    harness = _harness(module, 1)
    try:
        harness.call(Send(tx(0), "a", Mode.TRY))
        harness.call(Recv(rx(0), Mode.TRY))
        harness.start(1, Recv(rx(0)))  # T1 awaits arecv() on a loop of its own
        assert harness.log[-1] == "T1: await c0.rx0.recv() ..."
        harness.call(Send(tx(0), "b", Mode.TRY))
        harness.start(2, Recv(rx(0)))  # T2 blocks its thread in recv()
        harness.start(1, Send(tx(0), "c"))
        assert any("returned Received('c')" in line for line in harness.log), harness.log
        harness.close_everything()
    finally:
        harness.abandon()


@pytest.mark.parametrize("module", ASYNC)
def test_a_cancelled_awaited_receive_takes_nothing(module: str) -> None:
    harness = _harness(module, 1)
    try:
        harness.start(1, Recv(rx(0)))
        harness.call(CancelAwait(1))
        assert any("returned Cancelled" in line for line in harness.log), harness.log
        harness.call(Send(tx(0), "m", Mode.TRY))
        harness.call(Recv(rx(0), Mode.TRY))
        assert harness.log[-1].endswith("Received('m')")
        harness.close_everything()
    finally:
        harness.abandon()


# asyncio.Queue -------------------------------------------------------------------------------------


@pytest.mark.skipif(sys.version_info >= (3, 13), reason="asyncio.Queue has shutdown() from Python 3.13")
def test_asyncio_queue_before_313_never_disconnects() -> None:
    report = _deviation("asyncio_queue", 1, Close(rx(0)), Send(tx(0), "m", Mode.TRY))
    assert "T0 returned Sent; the specification allows: Disconnected('m')" in report


@pytest.mark.skipif(sys.version_info < (3, 13), reason="asyncio.Queue has shutdown() from Python 3.13")
def test_asyncio_queue_shutdown_ends_the_channel_for_both_sides() -> None:
    sender, receiver = adapter("asyncio_queue").make(2)
    sender.try_send("a")
    sender.close()
    assert receiver.try_recv() == "a"
    with pytest.raises(errors.Disconnected):
        receiver.recv_timeout(0.0)
    other_sender, other_receiver = adapter("asyncio_queue").make(None)
    other_sender.try_send("a")
    other_receiver.close()
    assert len(other_sender) == 0
    with pytest.raises(errors.Disconnected):
        other_sender.try_send("b")


@pytest.mark.parametrize("module", ["asyncio_queue", "aiochannel_channel"])
def test_closing_one_handle_does_not_wake_a_call_blocked_on_it(module: str) -> None:
    harness = _harness(module, 1)
    try:
        harness.call(Clone(rx(0)))
        harness.start(2, Recv(rx(0)))
        time.sleep(0.1)  # T2 is in the library's get() by then, past its handle's own check
        with pytest.raises(Deviation) as caught:
            harness.call(Close(rx(0)))
        assert "missed wake-up" in caught.value.report and "T2 in c0.rx0.recv()" in caught.value.report
    finally:
        harness.abandon()


def test_a_zero_wait_for_never_tries() -> None:
    # Why the bridges bound waits with asyncio.timeout() where Python has it.
    async def put_within_zero() -> int:
        queue: asyncio.Queue[str] = asyncio.Queue(1)
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(queue.put("a"), 0)
        return queue.qsize()

    assert asyncio.run(put_within_zero()) == 0


# aiochannel ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("module", ["aiochannel_channel", "anyio_memory"])
def test_the_buffer_is_kept_when_the_receivers_are_gone(module: str) -> None:
    # Unbounded: a bounded crossbeam channel may keep it too (until 0.5.16), an unbounded one never.
    steps = (Send(tx(0), "a", Mode.TRY), Close(rx(0)), Inspect(tx(0), Query.LEN))
    assert "T0 returned 1; the specification allows: 0" in _deviation(module, None, *steps)


def test_aiochannel_says_full_rather_than_closed() -> None:
    sender, receiver = adapter("aiochannel_channel").make(1)
    sender.try_send("a")
    spare = receiver.clone()
    spare.close()
    receiver.close()
    with pytest.raises(errors.Full):
        sender.try_send("b")  # Rust: Disconnected beats Full
    with pytest.raises(errors.Timeout):
        sender.send("b")  # put() raises ChannelFull at once, which the adapter reports as a timeout
    sender.close()


def test_aiochannel_second_close_after_a_woken_put_raises() -> None:
    # Why the adapter closes only a channel that closed() says is open.
    aiochannel = pytest.importorskip("aiochannel")

    async def close_twice() -> None:
        channel = aiochannel.Channel(1)
        channel.put_nowait("a")
        putter = asyncio.create_task(channel.put("b"))
        await asyncio.sleep(0)
        channel.close()
        with pytest.raises(aiochannel.ChannelClosed):
            await putter
        with pytest.raises(asyncio.InvalidStateError):
            channel.close()

    asyncio.run(close_twice())


# anyio and trio ------------------------------------------------------------------------------------


@pytest.mark.parametrize("module", ["anyio_memory", "trio_async"])
def test_an_expired_timeout_does_not_try(module: str) -> None:
    report = _deviation(module, 1, Send(tx(0), "m", Mode.TIMED))
    assert "T0 returned Timeout('m'); the specification allows: Sent" in report


@pytest.mark.parametrize("module", ["anyio_memory", "trio_async"])
def test_statistics_answer_on_a_closed_handle(module: str) -> None:
    report = _deviation(module, 1, Close(rx(0)), Inspect(rx(0), Query.LEN))
    assert "T0 returned 0; the specification allows: HandleClosed" in report


def test_anyio_a_cancelled_send_may_have_been_received() -> None:
    # What the concurrent histories found: the parked item stays offered until the sender runs again.
    anyio = pytest.importorskip("anyio")

    async def cancel_then_receive() -> tuple[object, list[str]]:
        send, receive = anyio.create_memory_object_stream(0)
        scopes: list[Any] = []
        outcome: list[str] = []

        async def sender() -> None:
            with anyio.CancelScope() as scope:
                scopes.append(scope)
                await send.send("a")
                outcome.append("sent")
                return
            outcome.append("cancelled")

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(sender)
            await anyio.wait_all_tasks_blocked()
            scopes[0].cancel()
            taken = receive.receive_nowait()
        return taken, outcome

    assert anyio.run(cancel_then_receive) == ("a", ["cancelled"])
