"""Waiting with a timeout while doing other work: a timed-out receive takes nothing.

The main task has chores of its own. Between chores it waits a little for a
page with ``asyncio.wait_for(rx.arecv(), ...)``. A timeout cancels the receive,
and a cancelled receive is exact: either it had already been handed a message
(then it returns it) or it took nothing, so no page is ever lost in between.
"""

import asyncio

import chanspec


async def download(urls: list[str], tx: chanspec.Sender[str]) -> None:
    with tx:
        for url in urls:
            await asyncio.sleep(0.01)  # stands for slow input/output
            await tx.asend(f"{url} ({len(url)} bytes)")


async def chore(name: str) -> str:
    await asyncio.sleep(0.002)
    return name


async def main() -> None:
    tx, rx = chanspec.unbounded()
    downloader = asyncio.create_task(download(["a.example/x", "b.example/yy", "c.example/zzz"], tx))
    chores = [f"chore {n}" for n in range(1, 6)]
    pages: list[str] = []
    done: list[str] = []
    timeouts = 0
    with rx:
        while chores:
            try:
                pages.append(await asyncio.wait_for(rx.arecv(), 0.001))
            except asyncio.TimeoutError:  # cancelled: it took nothing
                timeouts += 1
                done.append(await chore(chores.pop(0)))
        pages.extend([page async for page in rx])  # nothing else to do: wait for the rest
    await downloader
    print("pages:", pages)
    print("chores:", done)
    print("every page arrived, whatever the timeouts:", len(pages) == 3 and timeouts > 0)


if __name__ == "__main__":
    asyncio.run(main())
