"""After an interrupted call: is the channel consistent, and where did every message go?

:class:`Judge` looks at a finished run through the public API only, and makes
every call of its own on an agent thread with a bound, so a lock the interrupted
call left held shows as a call that does not return (then, and only then, the
lock is released through :mod:`.internals` so the stuck threads can finish). In
order:

1. the traced call ended (an interrupted call must not hang);
2. partners settle: each ends or parks in a channel wait;
3. nobody who can complete stays parked: a receiver while a message is buffered
   or every sender is closed, a sender while there is room or every receiver is
   closed, a rendezvous sender and receiver both waiting;
4. closing each partner's own handle ends its call (a waiter whose entry was
   lost would sleep for ever);
5. the buffer drains, then fresh calls work, on the traced thread itself: at
   capacity ``n`` exactly ``n`` messages fit (a leaked slot shows), at capacity 0
   a ``try_send`` finds no ghost receiver and a send and a receive pair;
6. the handle counts are right: the channel stays connected while one handle of
   a side is open and disconnects when the last one closes;
7. every message is received once, or handed back, or discarded by the last
   receiver's close, or (the interrupted send's own) never sent; at most one
   message may be missing, and only when the interrupted call was a receive that
   had taken it (:attr:`Verdict.lost`); no message is still held by anything.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from chanspec.errors import ChannelError, Disconnected, Empty, Full, HandleClosed, Timeout

from .agents import Agent, Job, parked, where
from .bench import Bench
from .internals import release_held_locks, shares_one_lock
from .parcels import still_held
from .tracer import Injected, Point, Tracer

SETTLE = 3.0
"""Seconds a call may take to end or park before it counts as stuck. Generous: a wake-up
takes microseconds, but the machine may be loaded."""

GRACE = 0.5
"""Seconds a parked call that can complete gets to do so before it counts as stuck."""

KINDS = {
    "hang": "the interrupted call itself never returned",
    "blocked": "a later call blocks outside any channel wait: a lock was left held",
    "lock": "the reference implementation's global lock was left held (every reference channel stops)",
    "stuck": "a parked call that can complete stays parked: a wake-up was lost",
    "waiter lost": "a parked call never wakes, even when its own handle is closed: its wait entry is gone",
    "room lost": "the buffer takes fewer messages than its capacity: a slot leaked",
    "ghost": "a send or receive pairs with a waiter that is gone",
    "count": "the channel disconnects too early or never: a handle count is off",
    "lost": "a message was sent and never received (other than by an interrupted receive)",
    "duplicate": "a message was received twice, or received and handed back",
    "held": "a message is still referenced by something after the run",
    "error": "a call raised an error it should not have",
}
"""The kinds of violation the oracle reports, by name."""


@dataclass(frozen=True)
class Violation:
    """One thing that went wrong: its kind (a key of :data:`KINDS`) and the details."""

    kind: str
    text: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.text}"


@dataclass
class Verdict:
    """What one run did: where it was interrupted, what the call did, what went wrong."""

    point: Point | None
    outcome: str
    violations: list[Violation] = field(default_factory=list)
    lost: int = 0  # messages an interrupted receive took and never returned (the documented window)

    @property
    def injected(self) -> bool:
        """Whether the exception was raised (the run's index was within the call)."""
        return self.point is not None

    @property
    def kinds(self) -> frozenset[str]:
        """The kinds of the violations."""
        return frozenset(v.kind for v in self.violations)


class _Abandon(Exception):
    """A call of the judge never returned even after the channel's lock was released."""


class Judge:
    """Runs the checks of the module docstring on one finished run."""

    def __init__(self, bench: Bench, traced: Agent, job: Job, tracer: Tracer, patience: float = SETTLE) -> None:
        self.bench = bench
        self.patience = patience  # SETTLE, or less when a violation is expected and only confirmed
        self.traced = traced
        self.job = job
        self.tracer = tracer
        self.fired: Point | None = None
        self.violations: list[Violation] = []
        self.worker = Agent("judge")
        self.agents: list[Agent] = [traced, self.worker, *(p.agent for p in bench.partners)]

    def fail(self, kind: str, text: str) -> None:
        assert kind in KINDS, kind
        self.violations.append(Violation(kind, text))

    def verdict(self) -> Verdict:
        outcome = self._traced_outcome()
        self.fired = self.tracer.fired
        if shares_one_lock(self.bench.api) and release_held_locks(self.bench.api, None, wait=0.05):
            # Nothing else holds the one lock of every reference channel for more than a moment:
            # the interrupted call left it held. Released now, so the rest of the checks can run.
            self.fail("blocked", "the interrupted call left the lock of every reference channel held")
        lost = 0
        try:
            self._settle()
            self._nobody_stuck()
            self._resolve()
            self._drain()
            self._fresh_calls()
            self._counts()
        except _Abandon:
            pass
        finally:
            lost = self._account()
        return Verdict(self.fired, outcome, self.violations, lost)

    def do(self, call: Callable[[], Any], what: str, agent: Agent | None = None) -> Any:
        """``call()`` on an agent, bounded: a call that blocks is reported, the channel's lock
        released, and the call waited for once more; ``_Abandon`` if it still does not end."""
        agent = agent or self.worker
        job = agent.submit(call)
        if not job.wait(self.patience):
            self.fail("blocked", f"{what} never returned, at {where(agent)}")
            release_held_locks(self.bench.api, self.bench.tx)
            if not job.wait(self.patience):
                raise _Abandon()
        return job.result(0)

    # 1-2 ---------------------------------------------------------------------------------

    def _traced_outcome(self) -> str:
        if not self.job.wait(self.patience):
            self.fail("hang", f"the interrupted call never returned, at {where(self.traced)}")
            release_held_locks(self.bench.api, self.bench.tx)
            if not self.job.wait(self.patience):
                self.traced = Agent("fresh")  # the stuck one is abandoned
                self.agents.append(self.traced)
                return "stuck"
        error, self.job.error = self.job.error, None  # its traceback may hold an orphaned clone
        if error is None:
            return str(self.job.value)
        if isinstance(error, Injected):
            return "interrupted"
        self.fail("error", f"the traced call raised {error!r}")
        return "error"

    def _settle(self) -> None:
        for partner in self.bench.partners:
            job = partner.job
            if job is None:
                continue
            deadline = time.monotonic() + self.patience
            while not job.done.is_set() and not parked(partner.agent):
                if time.monotonic() > deadline:
                    self.fail("blocked", f"{partner.name} is blocked outside a channel wait, at {where(partner.agent)}")
                    release_held_locks(self.bench.api, self.bench.tx)
                    break
                time.sleep(0.0002)

    # 3 -------------------------------------------------------------------------------------

    def _nobody_stuck(self) -> None:
        deadline = time.monotonic() + GRACE
        while True:
            reason = self._who_should_move()
            if reason is None:
                return
            if time.monotonic() > deadline:
                self.fail("stuck", reason)
                return
            time.sleep(0.0005)

    def _who_should_move(self) -> str | None:
        waiting = [p for p in self.bench.partners if p.job is not None and not p.job.done.is_set()]
        if not waiting:
            return None
        receivers = [p for p in waiting if not p.sending]
        senders = [p for p in waiting if p.sending]
        if receivers and all(h.closed for h in self.bench.senders):
            return f"{receivers[0].name} still waits although every sender is closed"
        if senders and all(h.closed for h in self.bench.receivers):
            return f"{senders[0].name} still waits although every receiver is closed"
        buffered = self._buffered()
        capacity = self.bench.flavour.capacity
        if receivers and buffered:
            return f"{receivers[0].name} still waits although {buffered} message(s) are buffered"
        if senders and capacity and buffered is not None and buffered < capacity:
            return f"{senders[0].name} still waits although the buffer has room ({buffered}/{capacity})"
        if senders and receivers and capacity == 0:
            return f"{senders[0].name} and {receivers[0].name} both wait on a rendezvous"
        return None

    def _buffered(self) -> int | None:
        handle = self._open(self.bench.receivers) or self._open(self.bench.senders)
        if handle is None:
            return None
        try:
            length: int = self.do(lambda: len(handle), "len()")  # the reference takes its lock
        except HandleClosed:
            return None
        return length

    # 4-5 -----------------------------------------------------------------------------------

    def _resolve(self) -> None:
        for partner in self.bench.partners:
            if partner.job is None:
                partner.start()  # a partner meant to start later: the traced call never got there
            self.do(partner.handle.close, f"closing {partner.name}'s handle")
        for partner in self.bench.partners:
            assert partner.job is not None
            if not partner.job.wait(self.patience):
                where_now = where(partner.agent)
                self.fail("waiter lost", f"{partner.name} never woke after its handle was closed, at {where_now}")
            elif partner.job.error is not None:
                self.fail("error", f"{partner.name} raised {partner.job.error!r}")

    @staticmethod
    def _open(handles: list[Any]) -> Any:
        return next((h for h in handles if not h.closed), None)

    def _drain(self) -> None:
        rx = self._open(self.bench.receivers)
        if rx is None:
            return
        for _ in range(1_000):
            try:
                self.bench.ledger.receive(self.do(rx.try_recv, "draining try_recv"))
            except (Empty, Disconnected):
                return
            except ChannelError as error:
                self.fail("error", f"draining raised {error!r}")
                return
        self.fail("error", "draining never ended")

    def _fresh_calls(self) -> None:
        tx, rx = self._open(self.bench.senders), self._open(self.bench.receivers)
        if tx is None or rx is None:
            return
        try:
            if self.bench.flavour.capacity == 0:
                self._fresh_rendezvous(tx, rx)
                return
            room = self.do(lambda: self._fresh_buffered(tx, rx), "fresh sends and receives", self.traced)
        except ChannelError as error:
            self.fail("error", f"a fresh call raised {error!r}")
            return
        capacity = self.bench.flavour.capacity
        if capacity is not None and room != capacity:
            self.fail("room lost", f"a channel of capacity {capacity} took {room} messages")

    def _fresh_buffered(self, tx: Any, rx: Any) -> int:
        """On the traced thread: send until ``Full`` (3 when unbounded), receive them back in
        order; returns how many fitted."""
        capacity = self.bench.flavour.capacity
        limit = 3 if capacity is None else capacity + 1
        sent: list[Any] = []
        while len(sent) < limit:
            parcel = self.bench.parcel()
            try:
                tx.try_send(parcel)
            except Full as error:
                self.bench.ledger.hand_back(parcel, error)
                break
            self.bench.ledger.sent.add(parcel.number)
            sent.append(parcel)
        for parcel in sent:
            try:
                got = rx.try_recv()
            except Empty:
                self.fail("ghost", f"{parcel!r}, sent into an empty buffer, is gone (taken by a waiter that is gone)")
                break
            self.bench.ledger.receive(got)
            if got is not parcel:
                self.fail("ghost", f"a fresh receive got {got!r}, not {parcel!r} (a waiter from before completed)")
        return len(sent)

    def _fresh_rendezvous(self, tx: Any, rx: Any) -> None:
        """No ghost partner on either side; then a send and a receive pair, each way round."""
        probe = self.bench.parcel()
        try:
            self.do(partial(tx.try_send, probe), "a fresh try_send", self.traced)
        except Full as error:
            self.bench.ledger.hand_back(probe, error)
        else:
            self.bench.ledger.sent.add(probe.number)
            self.fail("ghost", "try_send found a receiver although none waits")
        del probe
        try:
            self.bench.ledger.receive(self.do(rx.try_recv, "a fresh try_recv", self.traced))
            self.fail("ghost", "try_recv found a sender although none waits")
        except Empty:
            pass
        for receiver_is_traced in (False, True):
            helper = Agent("helper")
            self.agents.append(helper)
            parcel = self.bench.parcel()
            self.bench.ledger.sent.add(parcel.number)
            recv_agent, send_agent = (self.traced, helper) if receiver_is_traced else (helper, self.traced)
            receiving = recv_agent.submit(lambda: rx.recv_timeout(self.patience))
            sending = send_agent.submit(lambda p=parcel: tx.send_timeout(p, self.patience))  # type: ignore[misc]
            del parcel
            for job in (sending, receiving):
                if not job.wait(2 * self.patience):
                    self.fail("blocked", "a fresh send and receive did not pair")
                    release_held_locks(self.bench.api, tx)
                    raise _Abandon()
            try:
                sending.result(0)
                self.bench.ledger.receive(receiving.result(0))
            except Timeout as error:  # one side paired with something that is not there
                side = "receive" if receiver_is_traced else "send"
                self.fail("ghost", f"a fresh send and receive did not pair ({side} on the traced thread): {error!r}")

    # 6 -------------------------------------------------------------------------------------

    def _counts(self) -> None:
        if self.bench.orphans:
            self.do(_collect, "a garbage collection")  # a clone an interrupted call orphaned closes here
        senders, receivers = self.bench.senders, self.bench.receivers
        tx, rx = self._open(senders), self._open(receivers)
        try:
            if self.bench.counted_side == "rx":
                self._count_side(receivers, rx, tx, lambda: self._send_probe(tx, rx))
            else:
                self._count_side(senders, tx, rx, lambda: self._recv_probe(rx))
        except (AssertionError, ChannelError) as error:
            self.fail("count", str(error) or repr(error))
        for handle in (*senders, *receivers):
            self.do(handle.close, "closing a handle")

    def _count_side(self, side: list[Any], keep: Any, other: Any, probe: Callable[[], bool]) -> None:
        """Close ``side`` down to ``keep``: the channel must stay connected; close ``keep``: it
        must disconnect (``probe()`` through ``other`` says whether it is disconnected)."""
        if other is None:
            return
        if keep is not None:
            for handle in side:
                if handle is not keep:
                    self.do(handle.close, "closing a handle")
            assert not probe(), "disconnected although a handle of that side is still open"
            self.do(keep.close, "closing the last handle of a side")
        assert probe(), "still connected although every handle of that side is closed"

    def _send_probe(self, tx: Any, rx: Any) -> bool:
        """Whether a send finds every receiver gone; a probe that goes through is received back
        through ``rx`` (still open then, or the count is wrong and the loss is reported too)."""
        probe = self.bench.parcel()
        try:
            self.do(partial(tx.try_send, probe), "a probing try_send")
        except Disconnected as error:
            self.bench.ledger.hand_back(probe, error)
            return True
        except Full as error:
            self.bench.ledger.hand_back(probe, error)
            return False
        self.bench.ledger.sent.add(probe.number)
        del probe
        if rx is not None and not rx.closed:
            self.bench.ledger.receive(self.do(rx.try_recv, "receiving the probe back"))
        return False

    def _recv_probe(self, rx: Any) -> bool:
        try:
            self.bench.ledger.receive(self.do(rx.try_recv, "a probing try_recv"))
        except Disconnected:
            return True
        except Empty:
            return False
        raise AssertionError("a message appeared after draining")

    # 7 -------------------------------------------------------------------------------------

    def _account(self) -> int:
        ledger = self.bench.ledger
        if ledger.problems:
            self.fail("error", "; ".join(ledger.problems[:3]))
        received = ledger.received
        duplicates = sorted({n for n in received if received.count(n) > 1})
        if duplicates:
            self.fail("duplicate", f"received twice: {duplicates}")
        got = set(received)
        if got & ledger.returned:
            self.fail("duplicate", f"both received and handed back: {sorted(got & ledger.returned)}")
        stranded = {p.number for p in self.bench.partners if p.job is not None and not p.job.done.is_set()}
        unsent = got - ledger.sent - ledger.doubtful - stranded  # a stranded sender's message may arrive
        if unsent:
            self.fail("error", f"received but never sent: {sorted(unsent)}")
        missing = ledger.sent - got
        lost = 0
        if missing and not self.bench.discards:
            if self.bench.receiving and self.fired is not None and len(missing) == 1:
                lost = 1  # the interrupted receive had taken it: the documented window
            else:
                self.fail("lost", f"{sorted(missing)} were sent and never received")
        numbers = self.bench.numbers
        self._forget()
        held = still_held(numbers)
        if held:
            self.fail("held", f"{held} still referenced after the run")
        return lost

    def _forget(self) -> None:
        """Drop every reference this run holds to its messages: outcomes, and the threads
        (a running thread's frames hold what it was sending or received)."""
        for job in (self.job, *(p.job for p in self.bench.partners)):
            if job is not None:
                job.value = job.error = None
        for agent in {id(a): a for a in self.agents}.values():
            agent.finish(self.patience)


def _collect() -> None:
    import gc

    gc.collect()
