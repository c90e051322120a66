"""A producer task and a consumer task on one event loop.

The same program as producer_consumer.py, with tasks: ``await tx.asend(...)``
waits (without blocking the loop) while the buffer is full, and ``async for``
receives until every sender is closed and the buffer is drained.
"""

import asyncio

import chanspec


async def produce(tx: chanspec.Sender[int]) -> None:
    with tx:
        for n in range(1, 6):
            await tx.asend(n * n)  # waits while the buffer (2 messages) is full


async def main() -> None:
    tx, rx = chanspec.bounded(2)
    producer = asyncio.create_task(produce(tx))
    with rx:
        async for square in rx:
            print("received", square)
    await producer
    print("the producer closed its sender, so the loop ended")


if __name__ == "__main__":
    asyncio.run(main())
