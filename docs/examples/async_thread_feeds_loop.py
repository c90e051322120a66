"""A thread feeds an event loop, and the loop answers a thread: one channel, both worlds.

A thread's ``send`` blocks the thread; a task's ``arecv`` awaits on its loop,
and is woken from the other thread without blocking the loop. The same channel
works the other way round, and with any number of loops at once.
"""

import asyncio
import threading

import chanspec


def sensor(tx: chanspec.Sender[float]) -> None:
    """A blocking producer, as a driver or a legacy library would be."""
    with tx:
        for reading in (20.5, 21.0, 21.25):
            tx.send(reading)


def logger(rx: chanspec.Receiver[str]) -> None:
    """A blocking consumer."""
    with rx:
        for line in rx:
            print("logged:", line)


async def main() -> None:
    readings_tx, readings_rx = chanspec.bounded(1)
    lines_tx, lines_rx = chanspec.unbounded()
    threads = [
        threading.Thread(target=sensor, args=(readings_tx,)),
        threading.Thread(target=logger, args=(lines_rx,)),
    ]
    for thread in threads:
        thread.start()
    with readings_rx, lines_tx:
        async for reading in readings_rx:  # the loop stays free while it waits
            await lines_tx.asend(f"{reading:.2f} C")
    await asyncio.to_thread(lambda: [thread.join() for thread in threads])
    print("both threads are done")


if __name__ == "__main__":
    asyncio.run(main())
