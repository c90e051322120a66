"""Several producer tasks: each gets its own clone of the sender, and the original is closed.

As with threads, ``async for`` ends only when *every* sender is closed, so the
original sender must be closed once the tasks have their clones.
"""

import asyncio

import chanspec


async def work(worker: int, tx: chanspec.Sender[tuple[int, int]]) -> None:
    with tx:
        for job in range(3):
            await tx.asend((worker, 10 * job + worker))
            await asyncio.sleep(0)  # let the other tasks run: their messages interleave


async def main() -> None:
    tx, rx = chanspec.unbounded()
    workers = [asyncio.create_task(work(n, tx.clone())) for n in range(3)]
    tx.close()  # the tasks have their clones; without this line the loop below never ends
    results: dict[int, list[int]] = {}
    with rx:
        async for worker, value in rx:
            results.setdefault(worker, []).append(value)
    await asyncio.gather(*workers)
    for worker in sorted(results):
        print(f"worker {worker}: {results[worker]}")  # each worker's messages stay in its order


if __name__ == "__main__":
    asyncio.run(main())
