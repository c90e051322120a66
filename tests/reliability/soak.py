"""The soak: many messages through one channel at a time, with every kind of call, clones, closes,
timeouts and selects, and an exact account of every message at the end.

One *epoch* is one channel and a handful of threads: producers, consumers, for
the MPMC flavours a *mixer* (one thread selecting over a send and a receive on
the same channel) and, in one ending, a *chaos* thread that closes consumers'
handles from outside. Every message is a fresh :class:`Parcel`, and each thread
writes down what became of every parcel it touched. An epoch ends one of three
ways:

- ``drain``: producers send their share and close; consumers read until
  ``Disconnected`` (the last sender closes mid-traffic while consumers wait);
- ``quit``: consumers give up after a random number of receives; the last
  receiver closes mid-traffic, discarding what is buffered and failing every
  parked or later send with ``Disconnected`` carrying its own parcel;
- ``chaos``: like ``drain``, but another thread closes consumers' handles at
  random moments (each wakes with ``HandleClosed``).

The account (:meth:`Epoch.verify`): every parcel was sent or handed back,
exactly one of the two; every parcel received was sent, and received once; a
sent parcel nobody received was discarded by the last receiver's close, which
is only possible if no receiver ever saw the channel drained and disconnected
(and, bounded, at most ``capacity`` of them; at capacity 0, none); and once the
epoch is over every parcel has been released (nothing holds on to a message).
"""

from __future__ import annotations

import gc
import itertools
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from chanspec.errors import Disconnected, Empty, Full, HandleClosed, NotReady, Timeout

from ..channels.helpers import Flavour
from .parcels import Parcel, still_held

JOIN = 120.0
"""Seconds an epoch's threads may take to finish before the epoch fails (never reached when
nothing is stuck)."""

ENDINGS = ("drain", "quit", "chaos")


@dataclass
class Book:
    """What one thread did with parcels: numbers sent, handed back, received (in order)."""

    sent: list[int] = field(default_factory=list)
    returned: list[int] = field(default_factory=list)
    received: list[int] = field(default_factory=list)
    saw_disconnected: bool = False  # a receive found the channel drained and disconnected
    send_disconnected: bool = False  # a send was failed by the last receiver's close
    problems: list[str] = field(default_factory=list)

    def handed_back(self, error: BaseException, parcel: Parcel) -> None:
        """``error`` ended a send of ``parcel``: it must carry that very parcel."""
        if getattr(error, "message", None) is not parcel:
            self.problems.append(f"{type(error).__name__} carried {getattr(error, 'message', None)!r}, not {parcel!r}")


class Slot:
    """A thread's current handle, swapped for a clone now and then and visible to the chaos thread."""

    def __init__(self, handle: Any) -> None:
        self.handle = handle

    def swap_for_clone(self) -> None:
        """Continue with a clone and close the old handle (the count never touches zero)."""
        old = self.handle
        self.handle = old.clone()
        old.close()


@dataclass
class Epoch:
    """One channel of ``flavour`` and the threads that use it until one of the ``ending`` happens."""

    api: ModuleType
    flavour: Flavour
    ending: str
    budget: int
    rng: random.Random
    books: list[Book] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    made: list[int] = field(default_factory=list)

    def parcel(self) -> Parcel:
        """A new message of this epoch (numbered by the session-wide count; ``list.append`` is atomic)."""
        parcel = Parcel()
        self.made.append(parcel.number)
        return parcel

    def book(self) -> Book:
        """A new book for one thread."""
        book = Book()
        self.books.append(book)
        return book

    def run(self) -> None:
        """Open the channel, run every thread to its end (bounded), close what is left."""
        tx, rx = self.flavour.open(self.api)
        mpmc = not self.flavour.std
        producers = [Slot(tx.clone()) for _ in range(self.rng.randint(1, 3))]
        consumers = [Slot(rx.clone()) for _ in range(self.rng.randint(1, 3) - 1)] if mpmc else []
        consumers.append(Slot(rx))
        mixer = (Slot(tx.clone()), Slot(rx.clone())) if mpmc else None
        tx.close()
        share = max(1, self.budget // len(producers))
        stop_mixer = threading.Event()
        threads = [self._thread(self._produce, slot, share) for slot in producers]
        threads += [self._thread(self._consume, slot) for slot in consumers]
        extra: list[threading.Thread] = []
        if mixer is not None:
            extra.append(self._thread(self._mix, *mixer, stop_mixer))
        if self.ending == "chaos":
            extra.append(self._thread(self._chaos, consumers))
        for thread in threads + extra:
            thread.start()
        _join(threads[: len(producers)])
        stop_mixer.set()
        _join(threads + extra)
        assert not self.errors, f"a soak thread failed: {self.errors[0]!r}"

    def _thread(self, body: Callable[..., None], *args: Any) -> threading.Thread:
        rng = random.Random(self.rng.random())

        def guarded() -> None:
            try:
                body(*args, rng)
            except BaseException as error:  # reported by run(), not by the threading excepthook
                self.errors.append(error)

        return threading.Thread(target=guarded, daemon=True)

    # The threads -------------------------------------------------------------------------

    def _produce(self, slot: Slot, share: int, rng: random.Random) -> None:
        book = self.book()
        try:
            for _ in range(share):
                if not send_until_done(slot, self.parcel(), rng, book, self.api):
                    return
                if rng.random() < 0.01:
                    slot.swap_for_clone()  # senders clone in every flavour
        finally:
            slot.handle.close()

    def _consume(self, slot: Slot, rng: random.Random) -> None:
        book = self.book()
        patience = self._patience(rng)
        try:
            while patience < 0 or len(book.received) < patience:
                if not receive_once(slot.handle, rng, book, self.api):
                    return
                if rng.random() < 0.005 and not self.flavour.std:
                    try:
                        slot.swap_for_clone()
                    except HandleClosed:  # the chaos thread closed it first
                        return
        finally:
            slot.handle.close()

    def _mix(self, tx: Slot, rx: Slot, stop: threading.Event, rng: random.Random) -> None:
        book = self.book()
        patience = self._patience(rng)
        parcel: Parcel | None = None
        try:
            while (patience < 0 or len(book.received) < patience) and not stop.is_set():
                parcel = parcel or self.parcel()
                outcome = mix_once(tx.handle, rx.handle, parcel, rng, book, self.api)
                if outcome == "done":
                    return
                if outcome == "sent":
                    parcel = None
            if parcel is not None:
                book.returned.append(parcel.number)  # made but never sent: still with its sender
        finally:
            tx.handle.close()
            rx.handle.close()

    def _patience(self, rng: random.Random) -> int:
        """How many messages a receiving thread takes before it gives up (-1: never). In a ``quit``
        epoch the (at most four) receiving threads together take at most half the budget, so the
        last receiver always closes while producers still have parcels to send."""
        return rng.randint(0, max(1, self.budget // 8)) if self.ending == "quit" else -1

    def _chaos(self, consumers: list[Slot], rng: random.Random) -> None:
        victims = consumers[:]
        rng.shuffle(victims)
        for slot in victims[: rng.randint(1, len(victims))]:
            time.sleep(rng.uniform(0.0, 0.01))
            slot.handle.close()  # the owner wakes with HandleClosed, or meets it on its next call

    # The account -------------------------------------------------------------------------

    def verify(self) -> tuple[int, int, int]:
        """Check the account of every parcel; returns (accounted, discarded, handed back)."""
        gc.collect()
        sent = _merge(book.sent for book in self.books)
        returned = _merge(book.returned for book in self.books)
        received = [n for book in self.books for n in book.received]
        problems = [p for book in self.books for p in book.problems]
        assert not problems, problems[:5]
        assert len(received) == len(set(received)), f"received twice: {_duplicates(received)[:10]}"
        assert not sent & returned, f"both sent and handed back: {sorted(sent & returned)[:10]}"
        everything = set(self.made)
        unaccounted = sorted(everything - sent - returned)[:10]
        assert sent | returned == everything, f"neither sent nor handed back: {unaccounted}"
        got = set(received)
        assert got <= sent, f"received but never sent: {sorted(got - sent)[:10]}"
        discarded = sent - got
        drained = any(book.saw_disconnected for book in self.books)
        if discarded:
            assert not drained, f"lost (a receiver saw the channel drained): {sorted(discarded)[:10]}"
            assert self.flavour.capacity != 0, f"lost at capacity 0: {sorted(discarded)[:10]}"
            if self.flavour.capacity is not None:
                assert len(discarded) <= self.flavour.capacity, f"discarded {len(discarded)} > capacity"
        kept = still_held(everything)
        assert not kept, f"never released (held by the channel?): {sorted(kept)[:10]}"
        self._check_producer_order()
        self._check_ending(bool(discarded))
        return len(self.made), len(discarded), len(returned)

    def _check_ending(self, discarded: bool) -> None:
        """The epoch ended the way it was set up to: a ``quit`` epoch by the last receiver's close
        failing sends or discarding the buffer, the others by receivers finding the channel drained
        and disconnected."""
        if self.ending == "quit":
            failed = any(book.send_disconnected for book in self.books)
            assert failed or discarded, "the last receiver's close neither failed a send nor discarded anything"
        elif self.ending == "drain":
            assert any(book.saw_disconnected for book in self.books), "no receiver saw the last sender go"

    def _check_producer_order(self) -> None:
        """With one consumer and no mixer, each producer's parcels arrive in the order it sent them."""
        consumers = [book for book in self.books if book.received and not book.sent]
        if len(consumers) != 1 or not self.flavour.std:
            return
        rank = {n: (i, k) for i, book in enumerate(self.books) for k, n in enumerate(book.sent)}
        last: dict[int, int] = {}
        for n in consumers[0].received:
            producer, k = rank[n]
            assert last.get(producer, -1) < k, f"producer {producer}'s parcels out of order at {n}"
            last[producer] = k


def send_until_done(slot: Slot, parcel: Parcel, rng: random.Random, book: Book, api: ModuleType) -> bool:
    """Send ``parcel`` in one of several ways, retrying after ``Full``/``Timeout``/``NotReady``,
    until it is sent (True) or handed back for good by ``Disconnected``/``HandleClosed`` (False)."""
    while True:
        try:
            if send_once(slot.handle, parcel, rng, api):
                book.sent.append(parcel.number)
                return True
        except (Full, Timeout) as error:
            book.handed_back(error, parcel)
        except (Disconnected, HandleClosed) as error:
            book.handed_back(error, parcel)
            book.returned.append(parcel.number)
            book.send_disconnected = isinstance(error, Disconnected) or book.send_disconnected
            return False


def send_once(tx: Any, parcel: Parcel, rng: random.Random, api: ModuleType) -> bool:
    """One attempt; True if sent, False if nothing happened (a select that timed out or chose
    a timer); send errors propagate."""
    how = rng.random()
    if how < 0.35:
        tx.send(parcel)
    elif how < 0.5:
        tx.try_send(parcel)
    elif how < 0.65:
        tx.send_timeout(parcel, rng.choice((0.0, 0.0005, 0.002)))
    elif how < 0.72:
        tx.send_deadline(parcel, time.monotonic() + rng.choice((0.0, 0.001)))
    elif how < 0.86:
        return select_send(tx, parcel, rng, api)
    else:
        try:
            index, _ = api.select((tx, parcel), api.never(), timeout=rng.choice((0, 0.001, None)))
        except (NotReady, Timeout):
            return False
        assert index == 0
    return True


def select_send(tx: Any, parcel: Parcel, rng: random.Random, api: ModuleType) -> bool:
    """A ``Select`` with the send case and a timer case; True if the send case was chosen and sent."""
    sel = api.Select(biased=rng.random() < 0.5)
    timer = api.after(rng.choice((0.0005, 0.002))) if rng.random() < 0.5 else api.never()
    if rng.random() < 0.5:
        sel.recv(timer)
    mine = sel.send(tx, parcel)
    try:
        op = sel.select_timeout(0.002) if rng.random() < 0.5 else sel.try_select()
    except (Timeout, NotReady):
        return False
    if op.index != mine:
        op.recv(timer)
        return False
    op.send(tx)
    return True


def receive_once(rx: Any, rng: random.Random, book: Book, api: ModuleType) -> bool:
    """One receive of some kind; False once the receiver is done (disconnected or closed)."""
    got: list[Parcel] = []
    try:
        receive_some(rx, rng, api, got)
    except (Empty, Timeout, NotReady):
        return True
    except Disconnected:
        book.saw_disconnected = True
        return False
    except HandleClosed:
        return False
    finally:  # a batch cut short by an error still received what it yielded before
        book.received.extend(parcel.number for parcel in got)
    return True


def receive_some(rx: Any, rng: random.Random, api: ModuleType, got: list[Parcel]) -> None:
    """Receive by one of the receiving calls, appending each parcel to ``got`` as it arrives."""
    how = rng.random()
    if how < 0.3:
        got.append(rx.recv())
    elif how < 0.42:
        got.append(rx.try_recv())
    elif how < 0.56:
        got.append(rx.recv_timeout(rng.choice((0.0, 0.0005, 0.002))))
    elif how < 0.62:
        got.append(rx.recv_deadline(time.monotonic() + 0.001))
    elif how < 0.72:
        got.extend(select_recv(rx, rng, api))
    elif how < 0.8:
        _, value = api.select(rx, api.never(), timeout=rng.choice((0, 0.001, None)), biased=True)
        got.append(value)
    elif how < 0.88:
        # An empty batch: the next call finds out why. Collected one by one, not with list():
        # a HandleClosed in the middle must not lose the parcels already taken.
        for parcel in itertools.islice(rx.try_iter(), 8):
            got.append(parcel)
    elif how < 0.94:
        sel = api.Select()
        sel.recv(rx)
        sel.ready_timeout(0.002)
        got.append(rx.try_recv())
    else:
        for parcel in rx:  # iteration: one message, or the end of the channel
            got.append(parcel)
            return
        raise Disconnected()


def select_recv(rx: Any, rng: random.Random, api: ModuleType) -> list[Parcel]:
    """A ``Select`` over the receive, a clone-free duplicate case and a timer."""
    sel = api.Select(biased=rng.random() < 0.3)
    cases = [sel.recv(rx), sel.recv(rx)]  # the same receiver twice: either case may be chosen
    timer = api.after(0.001) if rng.random() < 0.3 else api.never()
    sel.recv(timer)
    op = sel.select_timeout(0.002) if rng.random() < 0.6 else sel.select()
    if op.index not in cases:
        op.recv(timer)
        return []
    return [op.recv(rx)]


def mix_once(tx: Any, rx: Any, parcel: Parcel, rng: random.Random, book: Book, api: ModuleType) -> str:
    """One select over sending ``parcel`` and receiving, on the same channel (a thread's own send and
    receive never pair). Books what happened and says so: ``"sent"``, ``"idle"`` (timed out, or
    received), or ``"done"`` once either side failed for good (a failed send hands ``parcel`` back)."""
    sel = api.Select(biased=rng.random() < 0.5)
    send_case = sel.send(tx, parcel)
    sel.recv(rx)
    try:
        op = sel.select_timeout(rng.choice((0.0, 0.001)))
    except Timeout:
        return "idle"
    try:
        if op.index == send_case:
            op.send(tx)
            book.sent.append(parcel.number)
            return "sent"
        book.received.append(op.recv(rx).number)
        return "idle"
    except (Disconnected, HandleClosed) as error:
        if op.index == send_case:
            book.handed_back(error, parcel)
            book.returned.append(parcel.number)
            book.send_disconnected = isinstance(error, Disconnected) or book.send_disconnected
        else:
            book.saw_disconnected = isinstance(error, Disconnected) or book.saw_disconnected
            book.returned.append(parcel.number)  # never offered: still with its sender
        return "done"


def _join(threads: list[threading.Thread]) -> None:
    deadline = time.monotonic() + JOIN
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
        assert not thread.is_alive(), f"a soak thread is stuck after {JOIN} s"


def _merge(parts: Any) -> set[int]:
    merged: set[int] = set()
    for part in parts:
        merged.update(part)
    return merged


def _duplicates(numbers: list[int]) -> list[int]:
    seen: set[int] = set()
    return sorted({n for n in numbers if n in seen or seen.add(n)})  # type: ignore[func-returns-value]
