"""Cancellation is exact: a pending call withdrawn has no effect, a completed one is not undone.

The spec's ``Cancel`` (docs/spec.md, "Blocking is part of the model"): a cancelled send
keeps its message, a cancelled receive takes nothing, and a call that already completed when
the cancellation is processed returns its result instead of raising ``CancelledError``.
"""

from __future__ import annotations

import asyncio
import threading
from types import ModuleType

import pytest

from chanspec.errors import Empty, Full

from ..channels.helpers import BUFFERED, FULLABLE, RENDEZVOUS, Flavour
from .support import BOUND, run, settle


def test_a_cancelled_arecv_takes_nothing(api: ModuleType, flavour: Flavour) -> None:
    async def main() -> None:
        tx, rx = flavour.open(api)
        waiting = asyncio.create_task(rx.arecv())
        await settle()
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        if flavour.buffered:
            tx.send("kept")
            assert rx.try_recv() == "kept"
        else:
            with pytest.raises(Full):  # nobody waits any more
                tx.try_send("nobody")
        tx.close()
        rx.close()

    run(main())


@pytest.mark.parametrize("flavour", FULLABLE + RENDEZVOUS, ids=lambda f: f.name)
def test_a_cancelled_asend_delivers_nothing(api: ModuleType, flavour: Flavour) -> None:
    async def main() -> None:
        tx, rx = flavour.open(api)
        for number in range(flavour.capacity or 0):
            tx.send(number)
        waiting = asyncio.create_task(tx.asend("withdrawn"))
        await settle()
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        tx.close()
        assert [message async for message in rx] == list(range(flavour.capacity or 0))
        rx.close()

    run(main())


def test_a_timeout_through_wait_for_is_a_cancellation(api: ModuleType, flavour: Flavour) -> None:
    async def main() -> None:
        tx, rx = flavour.open(api)
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(rx.arecv(), 0.01)
        if flavour.buffered:
            tx.send("after")
            assert await rx.arecv() == "after"
        tx.close()
        rx.close()

    run(main())


@pytest.mark.parametrize("flavour", RENDEZVOUS, ids=lambda f: f.name)
def test_a_rendezvous_asend_completed_before_the_cancellation_returns(api: ModuleType, flavour: Flavour) -> None:
    async def main() -> None:
        tx, rx = flavour.open(api)
        sending = asyncio.create_task(tx.asend("delivered"))
        await settle()
        assert rx.try_recv() == "delivered"  # completes the pending send...
        sending.cancel()  # ...before its task runs again
        assert await sending is None  # the completion wins: no CancelledError
        assert not sending.cancelled()
        tx.close()
        rx.close()

    run(main())


@pytest.mark.parametrize("flavour", RENDEZVOUS, ids=lambda f: f.name)
def test_a_rendezvous_arecv_completed_before_the_cancellation_returns_the_message(
    api: ModuleType, flavour: Flavour
) -> None:
    async def main() -> None:
        tx, rx = flavour.open(api)
        receiving = asyncio.create_task(rx.arecv())
        await settle()
        tx.try_send("handed")
        receiving.cancel()
        assert await receiving == "handed"
        tx.close()
        rx.close()

    run(main())


@pytest.mark.parametrize("flavour", BUFFERED, ids=lambda f: f.name)
def test_a_cancelled_arecv_never_swallows_a_message(api: ModuleType, flavour: Flavour) -> None:
    """Woken by a send and cancelled before it ran: either it returns the message (it was
    handed over) or it raises and the message is still in the channel. Never both lost."""

    async def main() -> None:
        tx, rx = flavour.open(api)
        receiving = asyncio.create_task(rx.arecv())
        await settle()
        tx.send("precious")
        receiving.cancel()
        try:
            got = [await receiving]
        except asyncio.CancelledError:
            got = []
        got.extend(rx.try_iter())
        assert got == ["precious"]
        tx.close()
        rx.close()

    run(main())


@pytest.mark.parametrize("flavour", BUFFERED, ids=lambda f: f.name)
def test_a_cancelled_woken_receiver_passes_the_wake_up_on(api: ModuleType, flavour: Flavour) -> None:
    async def main() -> None:
        tx, rx = flavour.open(api)
        first = asyncio.create_task(rx.arecv())
        await settle()
        second = asyncio.create_task(rx.arecv())
        await settle()
        tx.send("one")
        first.cancel()
        await asyncio.wait([first], timeout=BOUND)
        if first.cancelled():  # the wake-up was not used: the second receiver must get "one"
            assert await asyncio.wait_for(second, BOUND) == "one"
        else:
            assert first.result() == "one"
            second.cancel()
        tx.close()
        rx.close()

    run(main())


@pytest.mark.parametrize("flavour", FULLABLE, ids=lambda f: f.name)
def test_a_bounded_asend_moved_into_the_buffer_before_the_cancellation_returns(
    api: ModuleType, flavour: Flavour
) -> None:
    async def main() -> None:
        tx, rx = flavour.open(api)
        capacity = flavour.capacity or 0
        for number in range(capacity):
            tx.send(number)
        sending = asyncio.create_task(tx.asend("last"))
        await settle()
        assert rx.try_recv() == 0  # frees a slot: the parked send may be completed right here
        sending.cancel()
        try:
            await sending
            sent = True
        except asyncio.CancelledError:
            sent = False
        tx.close()
        rest = [message async for message in rx]
        assert rest == [*range(1, capacity), *(["last"] if sent else [])]
        rx.close()

    run(main())


def test_cancelling_a_task_waiting_on_a_thread_partner_is_exact(api: ModuleType) -> None:
    """A thread receives while tasks asend and are cancelled at random moments: every message
    is either delivered once (its asend returned) or not at all (CancelledError)."""

    async def main() -> None:
        tx, rx = api.bounded(0)
        received: list[int] = []
        consumer = threading.Thread(target=lambda: received.extend(rx), daemon=True)
        consumer.start()
        returned: list[int] = []
        for number in range(200):
            sending = asyncio.create_task(tx.asend(number))
            await asyncio.sleep(0)
            sending.cancel()
            try:
                await sending
                returned.append(number)
            except asyncio.CancelledError:
                pass
        tx.close()
        await asyncio.get_running_loop().run_in_executor(None, consumer.join, BOUND)
        assert received == returned
        rx.close()

    run(main())


def test_a_cancelled_aselect_performs_no_case(api: ModuleType) -> None:
    async def main() -> None:
        tx_a, rx_a = api.bounded(0)
        tx_b, rx_b = api.bounded(1)
        tx_b.send("fills")
        selecting = asyncio.create_task(api.aselect(rx_a, (tx_b, "never sent")))
        await settle()
        selecting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await selecting
        assert rx_b.try_recv() == "fills"
        with pytest.raises(Empty):
            rx_b.try_recv()
        with pytest.raises(Full):  # no receiver waits on rx_a any more
            tx_a.try_send("x")
        for handle in (tx_a, rx_a, tx_b, rx_b):
            handle.close()

    run(main())
