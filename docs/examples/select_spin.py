"""A disconnected case is always ready: a select loop over a finished channel spins.

``done`` is a channel whose only sender has already closed. Every select
returns its case at once (completing it raises Disconnected), however often
it is asked, so a loop around it never waits for ``work``. The fix is to
remove the case once it reports Disconnected.
"""

import chanspec


def main() -> None:
    work_tx, work_rx = chanspec.bounded(1)
    done_tx, done_rx = chanspec.bounded(1)
    done_tx.close()
    sel = chanspec.Select()
    sel.recv(work_rx)
    done = sel.recv(done_rx)
    for attempt in range(1, 4):
        operation = sel.select()  # returns at once: the disconnected case is ready
        try:
            operation.recv(done_rx)
        except chanspec.Disconnected:
            print(f"select #{attempt}: case {operation.index} is ready, and it is Disconnected")
    sel.remove(done)  # the fix: stop selecting on a channel that is finished
    try:
        sel.select_timeout(0.05)
    except chanspec.Timeout:
        print("after remove(): select_timeout waits for work, and times out")
    work_tx.send("job")
    operation = sel.select()
    print(f"select: case {operation.index}, received {operation.recv(work_rx)!r}")
    for handle in (work_tx, work_rx, done_rx):
        handle.close()


if __name__ == "__main__":
    main()
