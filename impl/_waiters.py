"""Parked threads: a claim-once token per blocked call, and per-channel queues of waiters.

A thread that must wait (in a send, a receive or a whole select) makes one
:class:`Token` and puts an :class:`Entry` for it in the wait queue of every
channel side it waits on. Whoever wakes it first *claims* the token (at most
one claim ever succeeds, across all channels), writes what happened into it and
releases the token's park lock. A select registered on many channels is thus
completed or woken exactly once; the losers find the token claimed and move on
to the next entry.

What a claim means depends on the flavour. The buffered flavours mostly
*notify* (payload :data:`WOKEN`: look again, something changed), but they also
complete calls inside the claim: a bounded send that finds the buffer empty
hands its message to a parked receiver (payload: the message), and a receive
that frees a slot completes a parked send by moving its message into the
buffer (:data:`TAKEN`). A rendezvous always completes the pair in the claim.

A woken owner reuses its token at once (each thread keeps one spare), so a
claimer that still needs the entry (to read the message a parked send offers,
and place it) *reserves* the token and wakes the owner only when it is done.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any, Final


class _Mark:
    """A private marker payload (messages can be any object, ``None`` included)."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return self._name


WOKEN: Final = _Mark("WOKEN")
"""Payload of a wake-up that completes nothing: the woken call looks again."""

TAKEN: Final = _Mark("TAKEN")
"""Payload for a parked rendezvous sender whose message a receiver took."""

ABORTED: Final = _Mark("ABORTED")
"""Payload a waiter writes into its own token when it gives up (timeout, error)."""

_LONGEST_WAIT: Final = threading.TIMEOUT_MAX
_INF: Final = math.inf


class Entry:
    """A token's place in one channel side's wait queue.

    ``handle`` is the handle the call waits through (a close of that very handle
    wakes it); ``message`` is what a parked send offers; ``observer`` marks a
    ``Select.ready`` waiter, which wants to hear of readiness but never pairs or
    takes anything.
    """

    __slots__ = ("case", "handle", "message", "observer", "token")

    def __init__(self, token: Token, case: int, handle: object, message: Any = None, observer: bool = False) -> None:
        self.token = token
        self.case = case
        self.handle = handle
        self.message = message
        self.observer = observer


class Token(Entry):
    """One blocked call: claimed at most once, by a partner, a notifier or its owner.

    A plain send or receive waits on one channel only, so its token is its own
    entry (case 0); a select adds one :class:`Entry` per case. ``case`` and
    ``payload`` are written by the claimer before it releases the park lock, so
    the owner reads them only after :meth:`wait` returned True or :meth:`abort`
    returned False.
    """

    __slots__ = ("_claim", "_park", "payload", "thread")

    def __init__(self) -> None:
        self.token = self
        self.case = 0
        self.handle = None
        self.message = None
        self.observer = False
        self.thread = threading.get_ident()
        self.payload: Any = None
        self._claim = threading.Lock()  # acquire(False) is the claim: exactly one caller wins
        # Locked except between a claim and the owner waking. An awaiting task's token
        # (chanspec.impl._async) puts a loop wake-up with the same ``release`` here instead.
        self._park: Any = threading.Lock()
        self._park.acquire()

    @property
    def claimed(self) -> bool:
        """Whether someone (maybe the owner) has claimed this token."""
        return self._claim.locked()

    def claim(self, case: int, payload: Any) -> bool:
        """Complete or wake the owner through ``case``; False if it was already claimed."""
        if not self._claim.acquire(False):
            return False
        self.case = case
        self.payload = payload
        self._park.release()  # the last touch: the owner may reuse the token from here on
        return True

    def reserve(self, case: int, payload: Any) -> bool:
        """Claim without waking: the owner stays parked until :meth:`wake`, so the claimer can
        still read the entry and finish the exchange first."""
        if not self._claim.acquire(False):
            return False
        self.case = case
        self.payload = payload
        return True

    def wake(self) -> None:
        """Let the owner of a reserved token run (the last touch)."""
        self._park.release()

    def wait(self, deadline: float) -> bool:
        """Park until claimed (True) or until ``deadline`` passes (False: call :meth:`abort`)."""
        if deadline == _INF:
            self._park.acquire()
            return True
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            if self._park.acquire(True, min(remaining, _LONGEST_WAIT)):
                return True

    def abort(self) -> bool:
        """The owner gives up. False if a claim got there first: the claim then stands and
        its ``case``/``payload`` are readable once this returns."""
        if self._claim.acquire(False):
            self.payload = ABORTED
            return True
        self._park.acquire()  # the claimer releases it right after writing case and payload
        return False


_spare = threading.local()  # one idle token per thread, reused by its next wait


def lease_token(handle: object, message: Any = None) -> Token:
    """A token for one wait of this thread, as its own entry for ``handle``.

    Give it back with :func:`return_token` once no wait queue can reach it any
    more. A wait nested inside another on the same thread (a signal handler, a
    finalizer) finds no spare and gets a fresh token.
    """
    try:
        token: Token | None = _spare.token
    except AttributeError:
        token = None
    if token is None:
        token = Token()
    else:
        _spare.token = None
        token._claim.release()  # a spare token is always claimed: see return_token and park
        token.case = 0
    token.handle = handle
    token.message = message
    return token


def return_token(token: Token) -> None:
    """``token``'s wait is over and no queue holds it: keep it for this thread's next wait.

    A token given back unclaimed (its wait ended at a last look, before parking) is claimed
    now, so that no stale entry could ever claim it, and every spare is in the same state."""
    token._claim.acquire(False)
    token.handle = token.message = token.payload = None
    _spare.token = token


def wait_for_claim(token: Token, deadline: float, withdraw: Callable[[Entry], object], entry: Entry) -> bool:
    """Wait for ``token`` to be claimed: True if it was, False if it timed out and
    ``withdraw(entry)`` removed it. An exception while parked (KeyboardInterrupt) withdraws
    too before it propagates, unless a claim beat it. The caller gives the token back."""
    try:
        if deadline == _INF:
            token._park.acquire()
            return True
        if token.wait(deadline):
            return True
    except BaseException:
        if token.abort():
            withdraw(entry)
        raise
    if token.abort():
        withdraw(entry)
        return False
    return True


def park(token: Token, deadline: float, withdraw: Callable[[Entry], object], entry: Entry) -> Any:
    """A single-channel wait: park until ``token`` is claimed and return the claim's payload,
    or :data:`ABORTED` if the wait timed out (``withdraw(entry)`` then removed it). Either way
    no wait queue holds the token any more, so it goes back to this thread's spare.

    The wait for ever is spelled out here: it is every blocking call's path, and a thread woken
    from it is on the critical path of the thread that woke it."""
    if deadline == _INF:
        try:
            token._park.acquire()
        except BaseException:
            if token.abort():
                withdraw(entry)
            raise
    elif not wait_for_claim(token, deadline, withdraw, entry):
        return_token(token)
        return ABORTED
    payload = token.payload
    token.handle = token.message = token.payload = None
    _spare.token = token
    return payload


class WaitQueue(deque[Entry]):
    """The entries waiting on one side of one channel, oldest first.

    Every method runs under the owning channel's lock. The queue itself is the
    cheap "is anybody waiting?" test on the lock-free fast paths: an empty deque
    is false. Entries whose token was claimed elsewhere (a select woken by
    another channel) are stale; they are dropped when met.
    """

    # No __slots__ and no __init__: creating a channel then costs no Python-level call. The
    # count of ``ready`` observers starts as this class attribute; the first observer gives
    # the queue its own (and, with it, the instance dictionary only observers ever need).
    observers = 0

    def add(self, entry: Entry) -> None:
        """Register ``entry`` at the back."""
        self.append(entry)
        if entry.observer:
            self.observers += 1

    def discard(self, entry: Entry) -> None:
        """Withdraw ``entry`` if it is still here."""
        try:
            self.remove(entry)
        except ValueError:
            return
        if entry.observer:
            self.observers -= 1

    def wake_one(self) -> None:
        """Wake every observer and the oldest selector still waiting (buffered flavours:
        one new message or one free slot is worth one wake-up)."""
        if self.observers:
            self.wake_observers()
        while self:
            entry = self.popleft()
            token = entry.token
            if token._claim.acquire(False):  # Token.claim, inlined: this is every send's wake-up
                token.case = entry.case
                token.payload = WOKEN
                token._park.release()
                return

    def wake_observers(self) -> None:
        """Wake every observer (each looks again at all its cases)."""
        observers = [entry for entry in self if entry.observer]
        for entry in observers:
            self.remove(entry)
        self.observers = 0
        for entry in observers:
            entry.token.claim(entry.case, WOKEN)

    def wake_all(self) -> None:
        """Wake everyone: the channel became disconnected."""
        if not self:
            return
        entries = list(self)
        self.clear()
        if self.observers:
            self.observers = 0
        for entry in entries:
            entry.token.claim(entry.case, WOKEN)

    def forget(self) -> None:
        """Drop every entry unwoken: in a forked child, the parked calls are the parent's."""
        self.clear()
        if self.observers:
            self.observers = 0

    def wake_handle(self, handle: object) -> None:
        """Wake the calls waiting through ``handle``: it was just closed."""
        if not self:
            return
        for entry in [entry for entry in self if entry.handle is handle]:
            self.discard(entry)
            entry.token.claim(entry.case, WOKEN)

    def hand_over(self, payload: Any, thread: int) -> Entry | None:
        """Reserve the oldest selector of a thread other than ``thread`` with ``payload`` and
        withdraw its entry; None if no such waiter is left (stale entries met on the way are
        dropped). The owner stays parked: the caller finishes the exchange (reads the
        entry's ``message``, places it) and then calls ``entry.token.wake()``."""
        while self:  # usually the oldest entry will do
            entry = self[0]
            if entry.observer or entry.token.thread == thread:
                break
            self.popleft()
            if entry.token.reserve(entry.case, payload):
                return entry
        else:
            return None
        for entry in list(self):
            if entry.observer or entry.token.thread == thread:
                continue
            self.remove(entry)
            if entry.token.reserve(entry.case, payload):
                return entry
        return None

    def has_partner(self, thread: int) -> bool:
        """Whether a selector of another thread waits here (rendezvous readiness)."""
        return any(not entry.observer and entry.token.thread != thread and not entry.token.claimed for entry in self)
