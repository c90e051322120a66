"""A producer thread and a consumer loop.

The producer sends the squares of 1 to 5 and closes its sender when it is done
(the ``with`` block does that, even if an exception is raised). The consumer's
``for`` loop receives until every sender is closed and the buffer is drained.
"""

import threading

import chanspec


def produce(tx: chanspec.Sender[int]) -> None:
    with tx:
        for n in range(1, 6):
            tx.send(n * n)  # waits while the buffer (2 messages) is full


def main() -> None:
    tx, rx = chanspec.bounded(2)
    producer = threading.Thread(target=produce, args=(tx,))
    producer.start()
    with rx:
        for square in rx:
            print("received", square)
    producer.join()
    print("the producer closed its sender, so the loop ended")


if __name__ == "__main__":
    main()
