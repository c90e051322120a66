"""Polling with ``try_recv`` while doing other work.

The main thread has chores of its own. Between chores it looks at the channel
without waiting: ``Empty`` means nothing yet (a sender is still open),
``Disconnected`` means every sender is closed and nothing is left. Once its
chores are done it stops polling and simply waits for the rest.
"""

import threading
import time

import chanspec


def download(urls: list[str], tx: chanspec.Sender[str]) -> None:
    with tx:
        for url in urls:
            time.sleep(0.01)  # stands for slow input/output
            tx.send(f"{url} ({len(url)} bytes)")


def chore(name: str) -> str:
    time.sleep(0.002)
    return name


def main() -> None:
    tx, rx = chanspec.unbounded()
    downloader = threading.Thread(target=download, args=(["a.example/x", "b.example/yy", "c.example/zzz"], tx))
    downloader.start()
    chores = [f"chore {n}" for n in range(1, 6)]
    pages: list[str] = []
    done: list[str] = []
    with rx:
        while True:
            try:
                pages.append(rx.try_recv())  # never waits
            except chanspec.Empty:
                if chores:
                    done.append(chore(chores.pop(0)))
                else:
                    pages.extend(rx)  # nothing else to do: wait for the rest (ends at disconnection)
                    break
            except chanspec.Disconnected:
                break
    done.extend(chore(name) for name in chores)  # if the downloads finished first
    downloader.join()
    print("pages:", pages)
    print("chores:", done)


if __name__ == "__main__":
    main()
