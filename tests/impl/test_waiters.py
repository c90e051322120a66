"""The claim-once token and the wait queues, on their own."""

from __future__ import annotations

import math
import threading

from chanspec.impl._waiters import ABORTED, TAKEN, WOKEN, Entry, Token, WaitQueue, lease_token, return_token

from .support import Call, join_all


def test_exactly_one_of_many_concurrent_claims_wins() -> None:
    for _ in range(200):
        token = Token()
        barrier = threading.Barrier(8)
        wins: list[int] = []
        threads = [threading.Thread(target=race_to_claim, args=(token, barrier, k, wins)) for k in range(8)]
        for thread in threads:
            thread.start()
        join_all(threads)
        assert len(wins) == 1
        assert token.wait(math.inf) and token.case == wins[0]


def race_to_claim(token: Token, barrier: threading.Barrier, case: int, wins: list[int]) -> None:
    barrier.wait()
    if token.claim(case, WOKEN):
        wins.append(case)


def test_an_abort_that_loses_to_a_claim_reports_the_claim() -> None:
    token = Token()
    assert token.claim(3, "message")
    assert not token.abort()  # the claim stands
    assert (token.case, token.payload) == (3, "message")


def test_an_abort_that_wins_shuts_out_later_claims() -> None:
    token = Token()
    assert not token.wait(0)  # nobody claimed it: the wait runs out
    assert token.abort()
    assert token.payload is ABORTED
    assert not token.claim(1, WOKEN)


def test_a_parked_owner_wakes_only_when_a_reservation_is_released() -> None:
    token = Token()
    owner = Call(lambda: token.wait(float("inf")))
    assert token.reserve(2, TAKEN)
    owner.thread.join(0.02)
    assert not owner.done  # reserved, but still parked
    token.wake()
    assert owner.result() is True
    assert (token.case, token.payload) == (2, TAKEN)


def test_a_thread_reuses_its_token_but_a_nested_wait_gets_a_fresh_one() -> None:
    first = lease_token("handle", "message")
    assert (first.handle, first.message, first.case) == ("handle", "message", 0)
    nested = lease_token("other")  # the first is still in use
    assert nested is not first
    first.claim(0, WOKEN)
    assert first.wait(math.inf)  # as a woken owner does
    return_token(first)
    assert first.handle is None and first.message is None  # no handle or message kept alive
    again = lease_token("handle")
    assert again is first and not again.claimed  # reused, and claimable again
    return_token(again)


def test_tokens_are_not_shared_between_threads() -> None:
    mine = lease_token(None)
    return_token(mine)
    theirs = Call(lambda: lease_token(None)).result()
    assert theirs is not mine and theirs.thread != mine.thread


def test_hand_over_skips_own_thread_observers_and_stale_entries() -> None:
    queue = WaitQueue()
    own = Token()  # this thread's own waiter: never a partner
    observer = Entry(Token(), 0, None, observer=True)
    stale = Call(Token).result()
    stale.claim(0, WOKEN)  # claimed elsewhere already
    partner = Call(Token).result()  # a token of another thread
    partner.message = "offered"
    for entry in (own, observer, stale, partner):
        queue.add(entry)
    assert queue.observers == 1
    chosen = queue.hand_over(TAKEN, threading.get_ident())
    assert chosen is partner and chosen.message == "offered"
    chosen.token.wake()
    assert list(queue) == [own, observer]  # the stale entry was dropped on the way
    assert queue.hand_over(TAKEN, threading.get_ident()) is None


def test_wake_one_wakes_every_observer_and_one_selector() -> None:
    queue = WaitQueue()
    observers = [Entry(Token(), 0, None, observer=True) for _ in range(2)]
    selectors = [Token() for _ in range(2)]
    queue.add(selectors[0])
    queue.add(observers[0])
    queue.add(selectors[1])
    queue.add(observers[1])
    queue.wake_one()
    assert all(entry.token.claimed for entry in observers)
    assert selectors[0].claimed and not selectors[1].claimed
    assert list(queue) == [selectors[1]] and queue.observers == 0


def test_wake_handle_wakes_only_that_handles_waiters() -> None:
    queue = WaitQueue()
    mine, other = Token(), Token()
    mine.handle, other.handle = "h1", "h2"
    queue.add(mine)
    queue.add(other)
    queue.wake_handle("h1")
    assert mine.claimed and not other.claimed
    assert list(queue) == [other]
