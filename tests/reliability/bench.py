"""The stage of one injection run: a channel, its handles, partner threads, and the ledger.

A scenario (see :mod:`.scenarios`) builds a :class:`Bench`: it fills the
buffer, parks partner calls (a receiver waiting for a message, a sender waiting
for room) or arranges partners that start once the traced call has parked, and
sets the *traced call*: the one call that runs on the traced thread with the
tracer installed. Every message is a fresh :class:`~.parcels.Parcel`, and every
call books what became of it in the :class:`Ledger`, so the oracle
(:mod:`.oracle`) can account for each one.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from chanspec.errors import ChannelError, Disconnected, HandleClosed

from ..channels.helpers import Flavour
from .agents import Agent, Job, until_parked_or_done
from .parcels import Parcel
from .tracer import Injected


@dataclass
class Ledger:
    """What became of each parcel of one run, by number."""

    sent: set[int] = field(default_factory=set)
    returned: set[int] = field(default_factory=set)
    doubtful: set[int] = field(default_factory=set)  # the interrupted send's parcel: it may have gone
    received: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def receive(self, parcel: Any) -> None:
        """A receive returned ``parcel``."""
        if isinstance(parcel, Parcel):
            self.received.append(parcel.number)
        else:
            self.problems.append(f"a receive returned {parcel!r}, which was never sent")

    def hand_back(self, parcel: Parcel, error: ChannelError) -> None:
        """A send of ``parcel`` failed with ``error``, which must carry that very parcel."""
        if error.message is not parcel:
            self.problems.append(f"{type(error).__name__} handed back {error.message!r}, not {parcel!r}")
        self.returned.add(parcel.number)


@dataclass
class Partner:
    """A call on another thread (through a handle of its own) that the traced call may complete,
    wake or race. Closing its handle ends it, if nothing else did."""

    name: str
    sending: bool
    handle: Any
    call: Callable[[], None]
    agent: Agent = field(default_factory=lambda: Agent("partner"))
    job: Job | None = None
    number: int | None = None  # a sender's message

    def start(self) -> None:
        """Make the call on the partner's thread."""
        self.job = self.agent.submit(self.call)

    def start_parked(self) -> None:
        """Make the call and return once it is parked."""
        self.start()
        assert self.job is not None and until_parked_or_done(self.agent, self.job), f"{self.name} did not park"


class Bench:
    """One run's channel, handles, partners, messages and traced call."""

    def __init__(self, api: ModuleType, flavour: Flavour) -> None:
        self.api = api
        self.flavour = flavour
        self.tx, self.rx = flavour.open(api)
        self.senders: list[Any] = [self.tx]
        self.receivers: list[Any] = [self.rx]
        self.partners: list[Partner] = []
        self.later: list[Callable[[], None]] = []
        self.ledger = Ledger()
        self.numbers: list[int] = []
        self.traced: Callable[[], Any] = _nothing
        self.receiving = False  # the traced call may take a message (then an interrupt may lose it)
        self.discards = False  # the traced call may close the last receiver (discarding the buffer)
        self.counted_side = "tx"  # which side's count the oracle checks to the end
        self.orphans = False  # the traced call may drop a handle it made (a clone): collect before counting
        self.through: Any = None  # the handle the traced send or receive goes through

    # Messages and handles ------------------------------------------------------------------

    def parcel(self) -> Parcel:
        """A new message of this run."""
        parcel = Parcel()
        self.numbers.append(parcel.number)
        return parcel

    def fill(self, count: int) -> None:
        """Send ``count`` messages through ``tx`` now (there must be room)."""
        for _ in range(count):
            parcel = self.parcel()
            self.tx.try_send(parcel)
            self.ledger.sent.add(parcel.number)

    def fill_up(self) -> None:
        """Fill a bounded buffer to capacity."""
        self.fill(self.flavour.capacity or 0)

    def sender_clone(self) -> Any:
        """A new sender of this channel, counted by the oracle."""
        clone = self.tx.clone()
        self.senders.append(clone)
        return clone

    def receiver_clone(self) -> Any:
        """A new receiver of this channel, counted by the oracle."""
        clone = self.rx.clone()
        self.receivers.append(clone)
        return clone

    # Partners ------------------------------------------------------------------------------

    def park_receiver(self, select: bool = False) -> Partner:
        """A receive on its own clone, parked before the traced call starts."""
        partner = self._receiver(select)
        partner.start_parked()
        return partner

    def park_sender(self, select: bool = False) -> Partner:
        """A send on its own clone, parked before the traced call starts."""
        partner = self._sender(select)
        partner.start_parked()
        return partner

    def receiver_later(self, select: bool = False) -> None:
        """A receive that starts once the traced call has parked (or ended)."""
        self.later.append(self._receiver(select).start)

    def sender_later(self, select: bool = False) -> None:
        """A send that starts once the traced call has parked (or ended)."""
        self.later.append(self._sender(select).start)

    def _receiver(self, select: bool) -> Partner:
        rx = self.receiver_clone()
        receive = self._select_recv if select else self._recv
        partner = Partner(f"receiver{len(self.partners)}", False, rx, lambda: receive(rx))
        self.partners.append(partner)
        return partner

    def _sender(self, select: bool) -> Partner:
        tx = self.sender_clone()
        holder = [self.parcel()]
        send = self._select_send if select else self._send
        partner = Partner(f"sender{len(self.partners)}", True, tx, lambda: send(tx, holder.pop()))
        partner.number = holder[0].number
        self.partners.append(partner)
        return partner

    # The calls partners and traced calls make, booking every message -----------------------

    def _recv(self, rx: Any) -> None:
        with suppress(Disconnected, HandleClosed):
            self.ledger.receive(rx.recv())

    def _select_recv(self, rx: Any) -> None:
        sel = self.api.Select(biased=True)  # the same order in every rerun
        case = sel.recv(rx)
        never = idle_case(self.api)
        sel.recv(never)
        op = sel.select()
        assert op.index == case
        with suppress(Disconnected, HandleClosed):
            self.ledger.receive(op.recv(rx))

    def _send(self, tx: Any, parcel: Parcel) -> None:
        try:
            tx.send(parcel)
        except ChannelError as error:
            self.ledger.hand_back(parcel, error)
        else:
            self.ledger.sent.add(parcel.number)

    def _select_send(self, tx: Any, parcel: Parcel) -> None:
        sel = self.api.Select(biased=True)  # the same order in every rerun
        case = sel.send(tx, parcel)
        never = idle_case(self.api)
        sel.recv(never)
        op = sel.select()
        assert op.index == case
        try:
            op.send(tx)
        except ChannelError as error:
            self.ledger.hand_back(parcel, error)
        else:
            self.ledger.sent.add(parcel.number)

    # Traced calls ----------------------------------------------------------------------------

    def trace_send(self, send: Callable[[Any, Parcel], None], handle: Any = None) -> None:
        """The traced call sends a new parcel with ``send(handle, parcel)``."""
        holder = [self.parcel()]
        number = holder[0].number
        tx = self.tx if handle is None else handle
        self.through = tx

        def call() -> str:
            parcel = holder.pop()
            try:
                send(tx, parcel)
            except ChannelError as error:
                self.ledger.hand_back(parcel, error)
                return f"handed back ({type(error).__name__})"
            except Injected:
                self.ledger.doubtful.add(number)
                raise
            self.ledger.sent.add(number)
            return "sent"

        self.traced = call

    def trace_recv(self, recv: Callable[[Any], Any], handle: Any = None) -> None:
        """The traced call receives with ``recv(handle)``, which returns a parcel (or None: nothing)."""
        rx = self.rx if handle is None else handle
        self.through = rx
        self.receiving = True

        def call() -> str:
            try:
                got = recv(rx)
            except ChannelError as error:
                return f"raised {type(error).__name__}"
            if got is None:
                return "received nothing"
            self.ledger.receive(got)
            return "received"

        self.traced = call

    def trace(self, action: Callable[[], Any]) -> None:
        """The traced call is ``action()``; what it returns is ignored unless it is a handle,
        which joins the counted handles (a clone)."""

        def call() -> str:
            result = action()
            if hasattr(result, "same_channel"):
                (self.senders if hasattr(result, "send") else self.receivers).append(result)
                return "returned a handle"
            return "done"

        self.traced = call


def idle_case(api: ModuleType) -> Any:
    """A receiver that never delivers, for a select case that must not complete: ``after(inf)``.
    Not ``never()``: every ``never()`` is one shared channel, so a run that damaged it would
    damage the runs after it. Keep it in a variable while the select runs: the reference's
    Select does not keep its handles alive (a known bug, see :mod:`.known_bugs`)."""
    return api.after(math.inf)


def _nothing() -> None:
    """The traced call of a bench whose scenario set none."""
