"""The zoo: one channel per kind of bug, each the correct channel of :mod:`.base` with one mistake.

Every mistake is one an implementer could make: a guard in the wrong order, a
notification forgotten, a condition missing, a unit confused, a check and an
act split across critical sections. Each member overrides one method of
:class:`~tests.zoo.base.ZooChannel`; the line that differs is marked ``BUG``.
:data:`BUGS` lists them with the capacities where the bug can be observed, so
that a check spends its time there.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from chanspec.conformance import Backend

from chanspec._validate import deadline_after
from chanspec.errors import NO_MESSAGE, Disconnected, Empty, HandleClosed, Timeout

from .base import Handle, Slot, ZooChannel, factory

BUFFERED: tuple[int | None, ...] = (None, 1, 2)
EVERY: tuple[int | None, ...] = (None, 0, 1, 2)


# Messages lost, duplicated, reordered --------------------------------------------------------


class AnyReceiverCloseDiscards(ZooChannel):
    """Closing any receiver discards the buffer: the "last receiver" test is missing, so
    messages are lost while other receivers are still open."""

    def release_receiver(self, handle: Handle) -> None:
        self.receivers -= 1
        self.buffer = deque()  # BUG: should happen only when self.receivers == 0
        if self.receivers == 0 or handle.blocked:
            self.cond.notify_all()


class OfferLeftQueued(ZooChannel):
    """At capacity 0 a receiver takes a waiting sender's message but leaves its offer in the
    queue, so the next receiver gets the same message again."""

    def take_from_sender(self) -> tuple[bool, Any]:
        for offer in self.waiting_senders:
            if not offer.handle.closed:
                # BUG: the offer is not removed from self.waiting_senders
                offer.taken = True
                self.cond.notify_all()
                return True, offer.message
        return False, None


class NewestFirst(ZooChannel):
    """Receives take the newest message instead of the oldest (``pop`` for ``popleft``)."""

    def take(self) -> Any:
        message = self.buffer.pop()  # BUG: the wrong end of the deque
        self.cond.notify_all()
        return message


# Disconnection ---------------------------------------------------------------------------------


class RoomBeforeDisconnection(ZooChannel):
    """A send checks for room before checking for receivers, so a channel whose receivers
    are all gone still accepts messages while it has room (and nobody will ever get them)."""

    def send_now(self, handle: Handle, message: Any) -> bool:
        if handle.closed:
            raise HandleClosed(message)
        if self.has_room():  # BUG: must come after the disconnection test
            self.append(message)
            return True
        if self.receivers == 0:
            raise Disconnected(message)
        return self.capacity == 0 and self.hand_to_receiver(message)


class DisconnectionBeforeBuffer(ZooChannel):
    """A receive checks for senders before looking at the buffer, so the messages still
    buffered when the last sender closes are never delivered."""

    def recv_now(self, handle: Handle) -> tuple[bool, Any]:
        if handle.closed:
            raise HandleClosed()
        if self.senders == 0:  # BUG: the buffered messages must be delivered first
            raise Disconnected()
        if self.buffer:
            return True, self.take()
        if self.capacity == 0:
            return self.take_from_sender()
        return False, None


class EmptyFastPath(ZooChannel):
    """``try_recv`` answers ``Empty`` as soon as nothing is there, forgetting that a drained
    channel without senders must report ``Disconnected``."""

    def try_recv(self, handle: Handle) -> Any:
        with self.cond:
            if not handle.closed and not self.buffer and not self.waiting_senders:
                raise Empty()  # BUG: a disconnected channel must raise Disconnected
            return self.recv(handle, None)


# Capacity ---------------------------------------------------------------------------------------


class ZeroAsOneSlot(ZooChannel):
    """Capacity 0 is treated as a one-slot buffer: a send leaves its message and returns
    without waiting for a receiver."""

    def has_room(self) -> bool:
        # BUG: a rendezvous has no room at all; the send must wait for a receiver
        return self.capacity is None or len(self.buffer) < max(self.capacity, 1)


class OffByOneRoom(ZooChannel):
    """The room test uses ``<=``, so a bounded channel takes one message more than its capacity."""

    def has_room(self) -> bool:
        return self.capacity is None or len(self.buffer) <= self.capacity  # BUG: should be <


# Wake-ups ----------------------------------------------------------------------------------------


class SilentAppend(ZooChannel):
    """A buffered send does not notify, so a receiver blocked on an empty channel sleeps on
    while a message waits for it."""

    def append(self, message: Any) -> None:
        self.buffer.append(message)  # BUG: no self.cond.notify_all()


class QuietLastSender(ZooChannel):
    """Closing a sender notifies only the calls blocked on that very handle, forgetting that
    the last sender's close must wake every blocked receiver."""

    def release_sender(self, handle: Handle) -> None:
        self.senders -= 1
        if handle.blocked:  # BUG: should be `self.senders == 0 or handle.blocked`
            self.cond.notify_all()


class QuietLastReceiver(ZooChannel):
    """Closing a receiver notifies only the calls blocked on that very handle, forgetting that
    the last receiver's close must wake every blocked sender."""

    def release_receiver(self, handle: Handle) -> None:
        self.receivers -= 1
        if self.receivers == 0:
            self.buffer = deque()
        if handle.blocked:  # BUG: should be `self.receivers == 0 or handle.blocked`
            self.cond.notify_all()


# Handle counting ---------------------------------------------------------------------------------


class CloneCountedOnWrongSide(ZooChannel):
    """A cloned sender is counted as a receiver (a copy-paste slip): the sender count is one
    short and the receiver count one over, so the channel disconnects too early on one side
    and never on the other."""

    def count_clone(self, handle: Handle) -> None:
        if handle.is_sender:
            self.receivers += 1  # BUG: should be self.senders
        else:
            self.receivers += 1


class BufferKeptAfterLastReceiver(ZooChannel):
    """The last receiver's close leaves the buffered messages in place (they are never
    delivered, and they stay alive until the channel goes)."""

    def release_receiver(self, handle: Handle) -> None:
        self.receivers -= 1  # BUG: no `self.buffer = deque()` when this was the last one
        if self.receivers == 0 or handle.blocked:
            self.cond.notify_all()


# Timeouts -----------------------------------------------------------------------------------------


class TimeoutInMilliseconds(ZooChannel):
    """Timeouts are read as milliseconds (as in an API that took them so), so a timed call
    gives up a thousand times too early."""

    def deadline_after(self, timeout: float) -> float:
        return deadline_after(timeout / 1000)  # BUG: the timeout is in seconds


class WaitWithoutTimeout(ZooChannel):
    """A timed call checks its deadline but then waits without passing the time left, so it
    sleeps until some unrelated notification, however late."""

    def wait(self, deadline: float, message: Any = NO_MESSAGE) -> None:
        if deadline - time.monotonic() <= 0:
            raise Timeout(message)
        self.cond.wait()  # BUG: should be self.cond.wait(deadline - time.monotonic()) when finite


# Rendezvous bookkeeping ----------------------------------------------------------------------------


class SlotLeftAfterTimeout(ZooChannel):
    """A rendezvous receiver that gives up leaves its slot registered; a later send fills the
    abandoned slot and reports success, and its message is lost."""

    def withdraw(self, slot: Slot) -> None:
        pass  # BUG: an unfilled slot must be removed from self.waiting_receivers


# Races ------------------------------------------------------------------------------------------------


class UnlockedTryRecv(ZooChannel):
    """``try_recv`` has a fast path that reads the front of the buffer without the lock and
    removes the front later, under it: two receivers at once can both return the same message
    while the one behind it is dropped. A single thread never sees it."""

    def try_recv(self, handle: Handle) -> Any:
        if not handle.closed and self.buffer:  # BUG: the check and the read are not under the lock ...
            message = self.buffer[0]
            time.sleep(0)  # (stands for any work between the read and the removal; widens the window)
            with self.cond:  # ... only the removal is, and it may remove another message
                if self.buffer:
                    self.buffer.popleft()
                    self.cond.notify_all()
            return message
        return super().try_recv(handle)


# The catalogue ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bug:
    """A zoo member: its name, what is wrong, the channel, and where the bug shows.

    ``capacities`` are those at which the check should look (the bug is observable there);
    ``threads`` says that it needs blocking calls in worker threads (the kit's "threads" phase)
    to show; ``race`` that it needs calls that overlap in time; ``budget`` is the seconds a
    check should be given to find it reliably; ``controlled_only`` that its window is a few
    bytecodes wide, so that stress testing with real threads almost never hits it and only the
    controlled scheduler (:mod:`chanspec.conformance.controlled`) finds it reliably."""

    name: str
    description: str
    channel: type[ZooChannel]
    capacities: tuple[int | None, ...]
    threads: bool = False
    race: bool = False
    budget: float = 20.0
    controlled_only: bool = False

    @property
    def backend(self) -> Backend:
        return Backend(self.name, factory(self.channel))


BUGS: tuple[Bug, ...] = (
    Bug(
        "lost-message",
        "closing any receiver clone discards the buffer, not only the last receiver",
        AnyReceiverCloseDiscards,
        BUFFERED,
    ),
    Bug(
        "duplicated-message",
        "a rendezvous receiver takes a blocked sender's message but leaves its offer queued",
        OfferLeftQueued,
        (0,),
        threads=True,
    ),
    Bug("fifo-violation", "receives pop the newest message instead of the oldest", NewestFirst, (None, 2)),
    Bug(
        "send-after-disconnect",
        "a send checks for room before for receivers, so it succeeds after the last receiver closed",
        RoomBeforeDisconnection,
        BUFFERED,
    ),
    Bug(
        "disconnect-before-drain",
        "a receive reports Disconnected while messages are still buffered",
        DisconnectionBeforeBuffer,
        BUFFERED,
    ),
    Bug(
        "empty-when-disconnected",
        "try_recv on a drained channel with no senders raises Empty instead of Disconnected",
        EmptyFastPath,
        EVERY,
    ),
    Bug(
        "rendezvous-without-receiver",
        "at capacity 0 a send leaves its message in a one-slot buffer and returns",
        ZeroAsOneSlot,
        (0,),
    ),
    Bug("capacity-overrun", "the room test is <= instead of <", OffByOneRoom, (1, 2)),
    Bug(
        "missed-wakeup-on-send",
        "a buffered send does not notify, so a blocked receiver is not woken",
        SilentAppend,
        BUFFERED,
        threads=True,
    ),
    Bug(
        "missed-wakeup-on-last-sender-close",
        "the last sender's close wakes only calls blocked on that handle, not the blocked receivers",
        QuietLastSender,
        (None,),  # shows at every capacity; unbounded, where only receives block, shows it soonest
        threads=True,
        budget=20.0,  # found when a run ends closing the senders first while a worker waits in recv()
    ),
    Bug(
        "missed-wakeup-on-last-receiver-close",
        "the last receiver's close wakes only calls blocked on that handle, not the blocked senders",
        QuietLastReceiver,
        (0, 1, 2),
        threads=True,
    ),
    Bug(
        "clone-count-off-by-one",
        "a cloned sender is counted as a receiver",
        CloneCountedOnWrongSide,
        EVERY,
    ),
    Bug(
        "buffer-kept-after-last-receiver",
        "the last receiver's close does not discard the buffered messages",
        BufferKeptAfterLastReceiver,
        (None,),
    ),
    Bug(
        "timeout-returns-early",
        "timeouts are read as milliseconds",
        TimeoutInMilliseconds,
        EVERY,
        threads=True,
    ),
    Bug(
        "timeout-never-returns",
        "a timed wait does not pass the time left, so it sleeps until an unrelated notification",
        WaitWithoutTimeout,
        EVERY,
        threads=True,
    ),
    Bug(
        "abandoned-rendezvous-slot",
        "a rendezvous receiver that times out leaves its slot, and a later send is lost in it",
        SlotLeftAfterTimeout,
        (0,),
    ),
    Bug(
        "race-unlocked-try-recv",
        "try_recv peeks at the buffer without the lock and pops later: concurrent receives "
        "duplicate one message and lose the next",
        UnlockedTryRecv,
        BUFFERED,
        race=True,
    ),
)
"""Every zoo member."""

BY_NAME = {bug.name: bug for bug in BUGS}


# Races that only a controlled scheduler finds reliably -------------------------------------------


class CheckThenWait(ZooChannel):
    """A blocked receive looks at the buffer in one critical section and waits in the next:
    a send (or the last sender's close) that lands between the two notifies nobody, and the
    receiver sleeps on beside a message. Between the two sections are a few bytecodes."""

    def recv(self, handle: Handle, deadline: float | None) -> Any:
        if deadline is None or self.capacity == 0:
            return super().recv(handle, deadline)
        while True:
            with self.cond:
                done, message = self.recv_now(handle)
                if done:
                    return message
            with self.cond:  # BUG: the lock was released between the check and the wait
                handle.blocked += 1
                try:
                    self.wait(deadline)
                finally:
                    handle.blocked -= 1


class ReceiversCheckedBeforeLock(ZooChannel):
    """A buffered send checks for receivers before it takes the lock, and does not check again
    under it: if the last receiver closes in between, the message joins the buffer that the
    close has just discarded, and the send reports success although nobody can ever receive
    it (``len`` on a sender then counts it). Between the check and the lock are a few bytecodes."""

    def send(self, handle: Handle, message: Any, deadline: float | None) -> None:
        if self.capacity == 0 or handle.closed or self.receivers == 0:
            super().send(handle, message, deadline)
            return
        with self.cond:  # BUG: the channel looked connected a moment ago; that is not checked again
            if not handle.closed and self.has_room():
                self.append(message)
                return
        super().send(handle, message, deadline)


CONTROLLED_ONLY: tuple[Bug, ...] = (
    Bug(
        "race-check-then-wait",
        "a blocked receive checks the buffer and waits in two critical sections: a send between "
        "them is a lost wake-up",
        CheckThenWait,
        BUFFERED,
        race=True,
        controlled_only=True,
    ),
    Bug(
        "race-disconnect-check-then-act",
        "a send checks for receivers before taking the lock: if the last receiver closes in "
        "between, the message is accepted after the discard and lost",
        ReceiversCheckedBeforeLock,
        (None,),  # after the last receiver's close only an unbounded channel's len is specified
        race=True,
        controlled_only=True,
    ),
)
"""The zoo members whose race window is too narrow for stress testing (see ``Bug.controlled_only``)."""

BUGS = (*BUGS, *CONTROLLED_ONLY)
BY_NAME = {bug.name: bug for bug in BUGS}
