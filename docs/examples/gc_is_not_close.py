"""Garbage collection is not a close: a forgotten sender keeps the channel connected until the
collector happens to run, and then it is closed with a ResourceWarning.

The forgotten clone lives in a reference cycle, which only the cycle collector
frees. The collector is switched off here so that the run is repeatable; in a
real program it runs whenever it likes.
"""

import gc
import warnings

import chanspec


class Worker:
    def __init__(self, tx: chanspec.Sender[str]) -> None:
        self.tx = tx
        self.me = self  # a reference cycle


def main() -> None:
    gc.disable()
    try:
        tx, rx = chanspec.unbounded()
        Worker(tx.clone())  # forgotten at once, but its clone is not closed
        tx.close()
        print("1. tx.close()             -> the original is closed, a clone is still open")
        try:
            rx.recv_timeout(0.05)
        except chanspec.Timeout:
            print("2. rx.recv_timeout(0.05)  -> Timeout: still connected, the clone is garbage but not closed")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            gc.collect()
        for warning in caught:
            print(f"3. gc.collect()           -> {warning.category.__name__}: {warning.message}")
        try:
            rx.try_recv()
        except chanspec.Disconnected:
            print("4. rx.try_recv()          -> Disconnected: the collector closed the clone")
        rx.close()
    finally:
        gc.enable()


if __name__ == "__main__":
    main()
