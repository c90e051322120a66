"""Awaited sends and receives on every flavour, between tasks of one loop."""

from __future__ import annotations

import asyncio
from types import ModuleType

import pytest

from chanspec.errors import Disconnected, HandleClosed

from ..channels.helpers import BUFFERED, Flavour
from .support import run, settle


def test_tasks_exchange_messages_in_order(api: ModuleType, flavour: Flavour) -> None:
    async def main() -> list[int]:
        tx, rx = flavour.open(api)

        async def produce() -> None:
            with tx:
                for number in range(50):
                    await tx.asend(number)

        producer = asyncio.create_task(produce())
        received = [message async for message in rx]
        await producer
        rx.close()
        return received

    assert run(main()) == list(range(50))


@pytest.mark.parametrize("flavour", BUFFERED, ids=lambda f: f.name)
def test_async_for_drains_the_buffer_after_every_sender_closed(api: ModuleType, flavour: Flavour) -> None:
    async def main() -> list[str]:
        tx, rx = flavour.open(api)
        tx.send("a")
        tx.close()
        received = [message async for message in rx]
        rx.close()
        return received

    assert run(main()) == ["a"]


def test_arecv_on_a_disconnected_empty_channel_raises_at_once(api: ModuleType, flavour: Flavour) -> None:
    async def main() -> None:
        tx, rx = flavour.open(api)
        tx.close()
        with pytest.raises(Disconnected):
            await rx.arecv()
        rx.close()

    run(main())


def test_asend_without_receivers_hands_the_message_back(api: ModuleType, flavour: Flavour) -> None:
    async def main() -> None:
        tx, rx = flavour.open(api)
        rx.close()
        message = object()
        with pytest.raises(Disconnected) as caught:
            await tx.asend(message)
        assert caught.value.message is message
        tx.close()

    run(main())


def test_closed_handles_raise_handle_closed(api: ModuleType, flavour: Flavour) -> None:
    async def main() -> None:
        tx, rx = flavour.open(api)
        tx.close()
        rx.close()
        with pytest.raises(HandleClosed) as caught:
            await tx.asend("m")
        assert caught.value.message == "m"
        with pytest.raises(HandleClosed):
            await rx.arecv()

    run(main())


def test_a_waiting_arecv_does_not_block_the_loop(api: ModuleType, flavour: Flavour) -> None:
    async def main() -> None:
        tx, rx = flavour.open(api)
        waiting = asyncio.create_task(rx.arecv())
        await settle()
        assert not waiting.done()
        for _ in range(3):  # the loop keeps running other tasks meanwhile
            await asyncio.sleep(0.001)
        await tx.asend("late")
        assert await waiting == "late"
        tx.close()
        rx.close()

    run(main())


def test_the_last_senders_close_wakes_awaiting_receivers(api: ModuleType, flavour: Flavour) -> None:
    async def main() -> None:
        tx, rx = flavour.open(api)
        waiting = asyncio.create_task(rx.arecv())
        await settle()
        tx.close()
        with pytest.raises(Disconnected):
            await waiting
        rx.close()

    run(main())


@pytest.mark.parametrize("capacity", [0, 1])
def test_the_last_receivers_close_fails_awaiting_senders_with_their_message(api: ModuleType, capacity: int) -> None:
    async def main() -> None:
        tx, rx = api.bounded(capacity)
        if capacity:
            tx.send("first")
        waiting = asyncio.create_task(tx.asend("mine"))
        await settle()
        assert not waiting.done()
        rx.close()
        with pytest.raises(Disconnected) as caught:
            await waiting
        assert caught.value.message == "mine"
        tx.close()

    run(main())


def test_closing_the_awaited_handle_wakes_its_task_with_handle_closed(api: ModuleType, flavour: Flavour) -> None:
    async def main() -> None:
        tx, rx = flavour.open(api)
        waiting = asyncio.create_task(rx.arecv())
        await settle()
        rx.close()
        with pytest.raises(HandleClosed):
            await waiting
        tx.close()

    run(main())


def test_two_tasks_of_one_loop_pair_on_a_rendezvous(api: ModuleType) -> None:
    async def main() -> None:
        tx, rx = api.bounded(0)
        receiving = asyncio.create_task(rx.arecv())
        await settle()
        tx.try_send("now")  # the awaiting task counts as a receiver of another thread
        assert await receiving == "now"
        sending = asyncio.create_task(tx.asend("back"))
        await settle()
        assert rx.try_recv() == "back"
        await sending
        tx.close()
        rx.close()

    run(main())


def test_timer_channels_are_awaitable(api: ModuleType) -> None:
    async def main() -> None:
        timer = api.after(0.01)
        instant = await timer.arecv()
        assert isinstance(instant, float)
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(api.never().arecv(), 0.02)

    run(main())
