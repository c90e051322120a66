"""Select: wait on several sends and receives, complete exactly one of them."""

from __future__ import annotations

import math
from typing import Any, NoReturn, TypeVar

from chanspec import handles
from chanspec._validate import check_deadline, deadline_after
from chanspec.errors import ChannelError, NotReady, Timeout

from ._handles import Receiver, Sender
from ._ops import Case, Done, Outcome, arun, run
from ._state import End, critical

T = TypeVar("T")

SelectCase = handles.Receiver[Any] | tuple[handles.Sender[Any], Any]
"""A case of the one-call ``select``: a receiver, or a ``(sender, message)`` pair."""


class SelectedOperation:
    """The case a select completed. It has already been performed: complete it once, with a
    handle of that case's side of that channel (or a clone of it), to get its result."""

    __slots__ = ("_end", "_index", "_outcomes")

    def __init__(self, index: int, end: End, outcome: Outcome) -> None:
        self._index = index
        self._end = end
        self._outcomes = [outcome]  # popped by the one completion

    @property
    def index(self) -> int:
        """The index ``Select.send``/``Select.recv`` returned for the selected case."""
        return self._index

    def recv(self, receiver: handles.Receiver[T]) -> T:
        """The message the selected receive took; ``Disconnected`` if the channel was
        disconnected and drained, ``HandleClosed`` if the handle was closed. ``ValueError``
        if ``receiver`` is not a receiver of the selected case's channel, or the operation
        was already completed."""
        value: T = self._complete(receiver, is_sender=False).unwrap()
        return value

    def send(self, sender: handles.Sender[Any]) -> None:
        """``None`` if the selected send delivered its message; ``Disconnected`` (carrying the
        message) if every receiver was gone, ``HandleClosed`` if the handle was closed.
        ``ValueError`` if ``sender`` is not a sender of the selected case's channel, or the
        operation was already completed."""
        self._complete(sender, is_sender=True).unwrap()

    def _complete(self, handle: object, is_sender: bool) -> Outcome:
        if is_sender is not self._end.is_sender:
            side = "send" if self._end.is_sender else "receive"
            raise ValueError(f"the selected operation is a {side}; complete it with op.{side[:4]}()")
        if (
            not isinstance(handle, (Sender, Receiver))
            or handle._end.channel is not self._end.channel
            or handle._end.is_sender is not is_sender
        ):
            side = "sender" if is_sender else "receiver"
            raise ValueError(f"this handle is not a {side} of the channel of the selected operation")
        with critical():  # two threads completing one operation: exactly one gets the outcome
            if not self._outcomes:
                raise ValueError("this selected operation was already completed")
            return self._outcomes.pop()

    def __reduce__(self) -> NoReturn:
        raise TypeError("a SelectedOperation cannot be copied or pickled: it completes once")

    def __repr__(self) -> str:
        return f"<SelectedOperation index={self._index}>"


class Select:
    """A set of send and receive cases; a select completes exactly one of them.

    A case is ready when it could complete now without waiting; a disconnected
    case counts as ready (completing it raises ``Disconnected``). A fair select
    takes a uniformly random ready case, a biased one (``Select(biased=True)``)
    the lowest ready index. A blocked select waits on every case at once and is
    woken by any send, receive, close or timer that may make a case ready. A
    thread's own send and receive on one rendezvous channel never pair.
    """

    __slots__ = ("_biased", "_cases", "_handles", "_next_index")

    def __init__(self, biased: bool = False) -> None:
        self._biased = biased
        self._cases: dict[int, Case] = {}
        # The handles themselves, not just their ends: a handle given only to the select stays
        # alive (and open) as long as its case.
        self._handles: dict[int, handles.Sender[Any] | handles.Receiver[Any]] = {}
        self._next_index = 0

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Select cannot be copied or pickled: its cases hold channel handles")

    def send(self, sender: handles.Sender[T], message: T) -> int:
        """Add a case sending ``message`` through ``sender``; returns its index (never reused)."""
        if not isinstance(sender, Sender):
            raise TypeError(f"expected a chanspec.reference Sender, not {type(sender).__name__}")
        return self._add(sender, message)

    def recv(self, receiver: handles.Receiver[Any]) -> int:
        """Add a case receiving from ``receiver``; returns its index (never reused)."""
        if not isinstance(receiver, Receiver):
            raise TypeError(f"expected a chanspec.reference Receiver, not {type(receiver).__name__}")
        return self._add(receiver)

    def _add(self, handle: Sender[Any] | Receiver[Any], *message: Any) -> int:
        index = self._next_index
        self._next_index += 1
        self._cases[index] = Case(index, handle._end, *message)
        self._handles[index] = handle
        return index

    def remove(self, index: int) -> None:
        """Remove the case ``index``; ``ValueError`` if there is no such case (any more)."""
        if index not in self._cases:
            raise ValueError(f"no case with index {index} in this Select")
        del self._cases[index]
        del self._handles[index]

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
        """Block until a case is ready and return its index; performs nothing (it is an
        observer: a rendezvous ``try_send`` does not count it as a waiting receiver)."""
        self._require_cases()
        return self._ready(math.inf)

    def ready_timeout(self, timeout: float) -> int:
        """Like ``ready``, but ``Timeout`` if no case was ready within ``timeout`` seconds."""
        return self._ready(deadline_after(timeout))

    def ready_deadline(self, deadline: float) -> int:
        """Like ``ready_timeout`` with a deadline on the ``time.monotonic()`` clock."""
        return self._ready(check_deadline(deadline))

    async def aselect(self) -> SelectedOperation:
        """``select`` for an asyncio task: awaits instead of blocking. ``ValueError`` if there is
        no case. Cancelled while waiting, it performed no case (``CancelledError``), unless a
        rendezvous partner already completed one: then that operation is returned."""
        self._require_cases()
        return await self._aselect(math.inf)

    async def aready(self) -> int:
        """``ready`` for an asyncio task; performs nothing, so cancelling it just withdraws it."""
        self._require_cases()
        done = await arun(list(self._cases.values()), biased=self._biased, complete=False, deadline=math.inf)
        assert done is not None  # waiting for ever
        return done[0]

    def _select(self, deadline: float | None) -> SelectedOperation:
        return self._selected(
            run(list(self._cases.values()), biased=self._biased, complete=True, deadline=deadline), deadline
        )

    async def _aselect(self, deadline: float | None) -> SelectedOperation:
        done = await arun(list(self._cases.values()), biased=self._biased, complete=True, deadline=deadline)
        return self._selected(done, deadline)

    def _selected(self, done: Done | None, deadline: float | None) -> SelectedOperation:
        if done is None:
            raise NotReady() if deadline is None else Timeout()
        index, outcome = done
        return SelectedOperation(index, self._cases[index].end, outcome)

    def _ready(self, deadline: float | None) -> int:
        done = run(list(self._cases.values()), biased=self._biased, complete=False, deadline=deadline)
        if done is None:
            raise NotReady() if deadline is None else Timeout()
        return done[0]

    def _require_cases(self) -> None:
        if not self._cases:
            raise ValueError("a blocking select needs at least one case")


def select(*cases: SelectCase, timeout: float | None = None, biased: bool = False) -> tuple[int, Any]:
    """Complete one of ``cases`` and return ``(index, value)``: ``value`` is the message
    received, or ``None`` for a send. A case is a receiver, or a ``(sender, message)`` pair.

    ``timeout=None`` waits for ever, ``0`` tries once (``NotReady``), otherwise ``Timeout``
    after ``timeout`` seconds. If the chosen case fails (``Disconnected``, ``HandleClosed``)
    its exception is raised with ``.index`` set to the case's index.
    """
    sel, handles_by_index = _one_call_select(cases, biased)
    if timeout is None:
        op = sel.select()
    else:
        deadline = deadline_after(timeout)  # validates the timeout
        op = sel.try_select() if timeout == 0 else sel.select_deadline(deadline)
    return _outcome(op, handles_by_index)


async def aselect(*cases: SelectCase, timeout: float | None = None, biased: bool = False) -> tuple[int, Any]:
    """``select`` for an asyncio task: awaits instead of blocking; ``timeout`` as in
    ``select`` (``asyncio.timeout``/``wait_for`` work too, as cancellation)."""
    sel, handles_by_index = _one_call_select(cases, biased)
    if timeout is None:
        op = await sel.aselect()
    else:
        deadline = deadline_after(timeout)  # validates the timeout
        op = await sel._aselect(None if timeout == 0 else deadline)
    return _outcome(op, handles_by_index)


def _one_call_select(
    cases: tuple[SelectCase, ...], biased: bool
) -> tuple[Select, list[handles.Sender[Any] | handles.Receiver[Any]]]:
    sel = Select(biased=biased)
    handles_by_index: list[handles.Sender[Any] | handles.Receiver[Any]] = []
    for case in cases:
        if isinstance(case, tuple) and len(case) == 2:
            sel.send(case[0], case[1])
            handles_by_index.append(case[0])
        elif isinstance(case, handles.Receiver):
            sel.recv(case)
            handles_by_index.append(case)
        else:
            raise TypeError(f"a select case is a Receiver or a (Sender, message) pair, not {case!r}")
    return sel, handles_by_index


def _outcome(
    op: SelectedOperation, handles_by_index: list[handles.Sender[Any] | handles.Receiver[Any]]
) -> tuple[int, Any]:
    """``(index, value)`` of the selected operation, or its error with ``.index`` set."""
    handle = handles_by_index[op.index]
    try:
        if isinstance(handle, handles.Sender):
            op.send(handle)
            return op.index, None
        return op.index, op.recv(handle)
    except ChannelError as error:
        error.index = op.index
        raise
