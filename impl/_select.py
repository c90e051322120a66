"""Select: wait on several sends and receives at once, complete exactly one of them.

A select first tries its cases in order (biased) or in a random order (fair),
performing the first that would not wait. If none would, it makes one token,
registers an entry for it on every case (each registration reports whether its
case became ready meanwhile, so nothing slips between trying and parking) and
parks until the first timer of its cases is due or its deadline passes.

The first claim of the token wins. A rendezvous partner, or a bounded send
handing a message over, completes the case inside the claim; any other claim
(a new message, a free slot, a disconnection, a closed handle) only wakes the
select, which withdraws its entries and tries again. If that second round
completes another case, the wake-up is passed on to the next waiter of the case
that woke it, so no wake-up is lost.
"""

from __future__ import annotations

import math
import threading
import time
from typing import Any, NoReturn, TypeVar

from chanspec import handles
from chanspec._validate import check_deadline, deadline_after
from chanspec.errors import ChannelError, NotReady, Timeout

from . import _async
from ._cases import Case, Done, attempt, completed_by_claim, same_side
from ._core import ImplReceiver, ImplSender
from ._waiters import Entry, lease_token, return_token, wait_for_claim

T = TypeVar("T")

SelectCase = handles.Receiver[Any] | tuple[handles.Sender[Any], Any]
"""A case of the one-call :func:`select`: a receiver, or a ``(sender, message)`` pair."""


class SelectedOperation:
    """The case a select completed. It has already been performed: complete it once, with a
    handle of that case's side of that channel (or a clone of it), to get its result."""

    __slots__ = ("_case", "_index", "_result")

    def __init__(self, index: int, case: Case, ok: bool, value: Any) -> None:
        self._index = index
        self._case = case
        self._result = [(ok, value)]  # popped by the one completion (atomically)

    @property
    def index(self) -> int:
        """The index ``Select.send``/``Select.recv`` returned for the selected case."""
        return self._index

    def recv(self, receiver: handles.Receiver[T]) -> T:
        """The message the selected receive took; ``Disconnected`` if the channel was
        disconnected and drained, ``HandleClosed`` if the handle was closed. ``ValueError`` if
        ``receiver`` is not a receiver of the selected case's channel, or the operation was
        already completed."""
        ok, value = self._complete(receiver, sending=False)
        if not ok:
            raise value
        return value  # type: ignore[no-any-return]

    def send(self, sender: handles.Sender[Any]) -> None:
        """``None`` if the selected send delivered its message; ``Disconnected`` (carrying the
        message) if every receiver was gone, ``HandleClosed`` if the handle was closed.
        ``ValueError`` if ``sender`` is not a sender of the selected case's channel, or the
        operation was already completed."""
        ok, value = self._complete(sender, sending=True)
        if not ok:
            raise value

    def _complete(self, handle: object, sending: bool) -> tuple[bool, Any]:
        case = self._case
        if sending is not case.sending:
            side = "send" if case.sending else "recv"
            raise ValueError(f"the selected operation is a {side}; complete it with op.{side}()")
        # Only the handles of a channel refer to its core, so identity says it all (and is much
        # cheaper than an isinstance test against the abstract handle classes).
        if getattr(handle, "_chan", None) is not case.handle._chan or getattr(handle, "_sending", None) is not sending:
            side = "sender" if sending else "receiver"
            raise ValueError(f"this handle is not a {side} of the channel of the selected operation")
        try:
            return self._result.pop()
        except IndexError:
            raise ValueError("this selected operation was already completed") from None

    def __reduce__(self) -> NoReturn:
        raise TypeError("a SelectedOperation cannot be copied or pickled: it completes once")

    def __repr__(self) -> str:
        return f"<SelectedOperation index={self._index}>"


class Select:
    """A set of send and receive cases; a select completes exactly one of them.

    A case is ready when it could complete now without waiting; a disconnected case
    counts as ready (completing it raises ``Disconnected``), and so does a case whose
    handle is closed (``HandleClosed``, chosen first). A fair select takes a uniformly
    random ready case, a biased one (``Select(biased=True)``) the lowest ready index. A
    blocked select parks once for all its cases and is woken by the first send, receive,
    close or timer that may make one ready. A thread's own send and receive on one
    rendezvous channel never pair.
    """

    __slots__ = ("_biased", "_cases", "_items", "_next_index")

    def __init__(self, biased: bool = False) -> None:
        self._biased = biased
        self._cases: dict[int, Case] = {}
        self._items: list[tuple[int, Case]] = []  # the cases in index order, for each select
        self._next_index = 0

    def send(self, sender: handles.Sender[T], message: T) -> int:
        """Add a case sending ``message`` through ``sender``; returns its index (never reused)."""
        if not isinstance(sender, ImplSender):
            raise TypeError(f"expected a chanspec.impl sender, not {type(sender).__name__}")
        return self._add(Case(sender, True, message))

    def recv(self, receiver: handles.Receiver[Any]) -> int:
        """Add a case receiving from ``receiver``; returns its index (never reused)."""
        if not isinstance(receiver, ImplReceiver):
            raise TypeError(f"expected a chanspec.impl receiver, not {type(receiver).__name__}")
        return self._add(Case(receiver, False, None))

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Select cannot be copied or pickled: its cases hold channel handles")

    def _add(self, case: Case) -> int:
        index = self._next_index
        self._next_index += 1
        self._cases[index] = case
        self._items = list(self._cases.items())
        return index

    def remove(self, index: int) -> None:
        """Remove the case ``index``; ``ValueError`` if there is no such case (any more)."""
        if index not in self._cases:
            raise ValueError(f"no case with index {index} in this Select")
        del self._cases[index]
        self._items = list(self._cases.items())

    def try_select(self) -> SelectedOperation:
        """Complete a ready case now, or raise ``NotReady``."""
        return self._select(None)

    def select(self) -> SelectedOperation:
        """Complete a case, blocking until one is ready. ``ValueError`` if there is no case."""
        self._require_cases()
        return self._select(math.inf)

    def select_timeout(self, timeout: float) -> SelectedOperation:
        """Like ``select``, but ``Timeout`` if no case completed within ``timeout`` seconds
        (without cases it waits for the whole timeout)."""
        return self._select(deadline_after(timeout))

    def select_deadline(self, deadline: float) -> SelectedOperation:
        """Like ``select_timeout`` with a deadline on the ``time.monotonic()`` clock."""
        return self._select(check_deadline(deadline))

    def try_ready(self) -> int:
        """The index of a case ready now (performs nothing), or ``NotReady``."""
        return self._ready(None)

    def ready(self) -> int:
        """Block until a case is ready and return its index; performs nothing. A waiting
        ``ready`` is an observer: a rendezvous ``try_send`` does not count it as a receiver."""
        self._require_cases()
        return self._ready(math.inf)

    def ready_timeout(self, timeout: float) -> int:
        """Like ``ready``, but ``Timeout`` if no case was ready within ``timeout`` seconds."""
        return self._ready(deadline_after(timeout))

    def ready_deadline(self, deadline: float) -> int:
        """Like ``ready_timeout`` with a deadline on the ``time.monotonic()`` clock."""
        return self._ready(check_deadline(deadline))

    async def aselect(self) -> SelectedOperation:
        """Complete a case from an asyncio task, awaiting (never blocking the loop) until one
        is ready. ``ValueError`` if there is no case. Cancelled while waiting, it either
        performed no case (``CancelledError``) or had already completed one (then that
        operation is returned: a completed case cannot be undone)."""
        self._require_cases()
        return await self._aselect(math.inf)

    async def aready(self) -> int:
        """Await until a case is ready and return its index; performs nothing (an observer,
        like ``ready``). Cancellation just withdraws it."""
        self._require_cases()
        done = await _async.run(self._items, self._biased, False, math.inf)
        assert done is not None  # waiting for ever
        return done[0]

    def _select(self, deadline: float | None) -> SelectedOperation:
        return self._selected(_run(self._items, self._biased, True, deadline), deadline)

    async def _aselect(self, deadline: float | None) -> SelectedOperation:
        return self._selected(await _async.run(self._items, self._biased, True, deadline), deadline)

    def _selected(self, done: Done | None, deadline: float | None) -> SelectedOperation:
        if done is None:
            raise NotReady() if deadline is None else Timeout()
        index, ok, value = done
        return SelectedOperation(index, self._cases[index], ok, value)

    def _ready(self, deadline: float | None) -> int:
        done = _run(self._items, self._biased, False, deadline)
        if done is None:
            raise NotReady() if deadline is None else Timeout()
        return done[0]

    def _require_cases(self) -> None:
        if not self._cases:
            raise ValueError("a blocking select needs at least one case")


def _run(cases: list[tuple[int, Case]], biased: bool, complete: bool, deadline: float | None) -> Done | None:
    """Complete (or, with ``complete`` false, find ready) one case; None if ``deadline`` (None:
    try once) passed first."""
    thread = threading.get_ident()
    woken_by: Case | None = None  # the case whose wake-up the last round used
    done: Done | None = None
    try:
        while True:
            done = attempt(cases, biased, complete, thread)
            if done is not None:
                return done
            if deadline is None or (deadline != math.inf and time.monotonic() >= deadline):
                return None
            claimed = _wait(cases, complete, deadline)
            if claimed is None:
                continue
            index, payload = claimed
            done = completed_by_claim(index, payload)
            if done is not None:
                return done
            woken_by = dict(cases)[index] if complete else None
    finally:
        if woken_by is not None and not same_side(woken_by, done, cases):
            woken_by.handle._sel_pass_on()


def _wait(cases: list[tuple[int, Case]], complete: bool, deadline: float) -> tuple[int, Any] | None:
    """Register on every case and park: ``(index, payload)`` of the claim, or None if a case
    turned out ready while registering, or the wait timed out (try again)."""
    token = lease_token(None)
    registered: list[tuple[Case, Entry]] = []
    try:
        wake_at = deadline
        for index, case in cases:
            entry = Entry(token, index, case.handle, case.message, observer=not complete)
            registered.append((case, entry))
            if case.handle._sel_register(entry):
                if token.abort():
                    return None
                return token.case, token.payload
            wake_at = min(wake_at, case.handle._sel_due())
        if not wait_for_claim(token, wake_at, _no_withdrawal, token):
            return None
        return token.case, token.payload
    finally:
        for case, entry in registered:
            case.handle._sel_unregister(entry)
        return_token(token)


def _no_withdrawal(entry: Entry) -> None:
    """The select's ``finally`` withdraws every entry itself."""


def select(*cases: SelectCase, timeout: float | None = None, biased: bool = False) -> tuple[int, Any]:
    """Complete one of ``cases`` and return ``(index, value)``: ``value`` is the message
    received, or ``None`` for a send. A case is a receiver, or a ``(sender, message)`` pair.

    ``timeout=None`` waits for ever, ``0`` tries once (``NotReady``), otherwise ``Timeout``
    after ``timeout`` seconds. If the chosen case fails (``Disconnected``, ``HandleClosed``)
    its exception is raised with ``.index`` set to the case's index.
    """
    sel = _one_call_select(cases, biased)
    if timeout is None:
        op = sel.select()
    else:
        deadline = deadline_after(timeout)  # validates the timeout
        op = sel.try_select() if timeout == 0 else sel.select_deadline(deadline)
    return _outcome(sel, op)


async def aselect(*cases: SelectCase, timeout: float | None = None, biased: bool = False) -> tuple[int, Any]:
    """:func:`select` for asyncio tasks: awaits (never blocking the loop) instead of blocking.
    ``timeout`` as in :func:`select` (``asyncio.timeout``/``wait_for`` work too, as
    cancellation). Cancelled while waiting, it either performed no case (``CancelledError``)
    or had already completed one (then its result is returned)."""
    sel = _one_call_select(cases, biased)
    if timeout is None:
        op = await sel.aselect()
    else:
        deadline = deadline_after(timeout)  # validates the timeout
        op = await sel._aselect(None if timeout == 0 else deadline)
    return _outcome(sel, op)


def _one_call_select(cases: tuple[SelectCase, ...], biased: bool) -> Select:
    sel = Select(biased=biased)
    for case in cases:
        if isinstance(case, tuple) and len(case) == 2:
            sel.send(case[0], case[1])
        elif isinstance(case, handles.Receiver):
            sel.recv(case)
        else:
            raise TypeError(f"a select case is a Receiver or a (Sender, message) pair, not {case!r}")
    return sel


def _outcome(sel: Select, op: SelectedOperation) -> tuple[int, Any]:
    """``(index, value)`` of the selected operation, or its error with ``.index`` set."""
    chosen = sel._cases[op.index]
    try:
        if chosen.sending:
            op.send(chosen.handle)  # type: ignore[arg-type]
            return op.index, None
        return op.index, op.recv(chosen.handle)  # type: ignore[arg-type]
    except ChannelError as error:
        error.index = op.index
        raise
