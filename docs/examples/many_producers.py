"""Several producers: each gets its own clone of the sender, and the original is closed.

The receiver's loop ends only when *every* sender is closed. The workers close
their clones when they finish; the original belongs to the main thread, which
must close it too, or the loop would wait for it for ever.
"""

import threading

import chanspec


def work(worker: int, tx: chanspec.Sender[tuple[int, int]]) -> None:
    with tx:
        for job in range(3):
            tx.send((worker, 10 * job + worker))


def main() -> None:
    tx, rx = chanspec.unbounded()
    workers = [threading.Thread(target=work, args=(n, tx.clone())) for n in range(3)]
    tx.close()  # the workers have their clones; without this line the loop below never ends
    for thread in workers:
        thread.start()
    results: dict[int, list[int]] = {}
    with rx:
        for worker, value in rx:
            results.setdefault(worker, []).append(value)
    for thread in workers:
        thread.join()
    for worker in sorted(results):
        print(f"worker {worker}: {results[worker]}")  # each worker's messages stay in its order
    forgetting_the_original()


def forgetting_the_original() -> None:
    tx, rx = chanspec.unbounded()
    worker = threading.Thread(target=work, args=(7, tx.clone()))
    worker.start()
    worker.join()
    received = [rx.recv() for _ in range(3)]
    try:
        rx.recv_timeout(0.1)
    except chanspec.Timeout:
        print(f"without tx.close(): got {received}, then still connected (a for loop would wait for ever)")
    tx.close()
    rx.close()


if __name__ == "__main__":
    main()
