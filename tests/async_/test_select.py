"""Awaited selects: ``Select.aselect``/``aready`` and the one-call ``aselect``."""

from __future__ import annotations

import asyncio
import threading
from types import ModuleType

import pytest

from chanspec.errors import Disconnected, NotReady, Timeout

from .support import BOUND, run, settle


def test_aselect_completes_the_ready_case(api: ModuleType) -> None:
    async def main() -> None:
        tx_a, rx_a = api.unbounded()
        tx_b, rx_b = api.unbounded()
        tx_b.send("b")
        sel = api.Select()
        sel.recv(rx_a)
        index = sel.recv(rx_b)
        op = await sel.aselect()
        assert op.index == index
        assert op.recv(rx_b) == "b"
        for handle in (tx_a, rx_a, tx_b, rx_b):
            handle.close()

    run(main())


def test_aselect_waits_for_a_thread(api: ModuleType) -> None:
    async def main() -> None:
        tx_a, rx_a = api.bounded(0)
        tx_b, rx_b = api.bounded(0)
        feeder = threading.Thread(target=tx_b.send, args=("from a thread",), daemon=True)
        selecting = asyncio.create_task(api.aselect(rx_a, rx_b))
        await settle()
        feeder.start()
        assert await selecting == (1, "from a thread")
        feeder.join(BOUND)
        for handle in (tx_a, rx_a, tx_b, rx_b):
            handle.close()

    run(main())


def test_an_aselect_send_pairs_with_a_task_receive(api: ModuleType) -> None:
    async def main() -> None:
        tx, rx = api.bounded(0)
        receiving = asyncio.create_task(rx.arecv())
        await settle()
        assert await api.aselect((tx, "sent"), timeout=1.0) == (0, None)
        assert await receiving == "sent"
        tx.close()
        rx.close()

    run(main())


def test_an_aselects_own_send_and_receive_never_pair(api: ModuleType) -> None:
    async def main() -> None:
        tx, rx = api.bounded(0)
        with pytest.raises(Timeout):
            await api.aselect((tx, "self"), rx, timeout=0.02)
        tx.close()
        rx.close()

    run(main())


def test_one_call_aselect_timeouts_and_errors(api: ModuleType) -> None:
    async def main() -> None:
        tx, rx = api.unbounded()
        with pytest.raises(NotReady):
            await api.aselect(rx, timeout=0)
        with pytest.raises(Timeout):
            await api.aselect(rx, api.never(), timeout=0.01)
        tx.close()
        with pytest.raises(Disconnected) as caught:
            await api.aselect(rx)
        assert caught.value.index == 0
        rx.close()
        with pytest.raises(ValueError):
            await api.Select().aselect()

    run(main())


def test_aready_observes_without_taking(api: ModuleType) -> None:
    async def main() -> None:
        tx, rx = api.unbounded()
        sel = api.Select()
        index = sel.recv(rx)
        observing = asyncio.create_task(sel.aready())
        await settle()
        assert not observing.done()
        tx.send("stays")
        assert await asyncio.wait_for(observing, BOUND) == index
        assert rx.try_recv() == "stays"
        tx.close()
        rx.close()

    run(main())


def test_aselect_with_a_timer_case(api: ModuleType) -> None:
    async def main() -> None:
        tx, rx = api.unbounded()
        index, instant = await api.aselect(rx, api.after(0.01))
        assert index == 1 and isinstance(instant, float)
        tx.close()
        rx.close()

    run(main())
