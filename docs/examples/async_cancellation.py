"""Cancellation is exact: a cancelled send either delivered its message or kept it.

A rendezvous ``asend`` waits for a receiver. Cancelled before one came, it had
no effect: ``CancelledError``, and the message is still the caller's. Cancelled
after a receiver took the message (but before the task ran again), the send
had completed: it returns normally, since a completed call cannot be undone.
"""

import asyncio

import chanspec


async def main() -> None:
    tx, rx = chanspec.bounded(0)
    with tx, rx:
        waiting = asyncio.create_task(tx.asend("first"))
        await asyncio.sleep(0)  # the send is now waiting for a receiver
        waiting.cancel()
        try:
            await waiting
        except asyncio.CancelledError:
            print("cancelled before a receiver came: 'first' was not sent")

        waiting = asyncio.create_task(tx.asend("second"))
        await asyncio.sleep(0)
        print("a receiver takes:", rx.try_recv())  # completes the waiting send...
        waiting.cancel()  # ...so this cancellation comes too late
        await waiting
        print("cancelled after the receiver took it: the send returned normally")


if __name__ == "__main__":
    asyncio.run(main())
