"""Histories: what makes one, prefixes, the lane picture, and the recorder on real channels."""

from __future__ import annotations

import time

import pytest
from chanspec.conformance.calls import Token
from chanspec.conformance.history import Entry, History, Mark, Workload, lanes, record
from chanspec.spec import STD, Clone, Close, Handle, Mode, Received, Recv, Send, Sent, Value, rx, tx

from .support import builtin_backend


def test_entries_are_sorted_by_invocation_and_marks_by_time() -> None:
    late = Entry(0, Send(tx(0), "a"), 50, 60, Sent())
    early = Entry(1, Recv(rx(0)), 10, 70, Received("a"))
    history = History(None, (late, early), (Mark(80, 1), Mark(5, 1)))
    assert history.entries == (early, late)
    assert [mark.at for mark in history.marks] == [5, 80]
    assert history.threads == (0, 1)
    assert history.start == 10


@pytest.mark.parametrize(
    ("entries", "problem"),
    [
        ((Entry(0, Recv(rx(0)), 0, 20, Received("a")), Entry(0, Recv(rx(0)), 10, 30, Received("b"))), "in progress"),
        ((Entry(0, Recv(rx(0)), 20, 10, Received("a")),), "returned before"),
        ((Entry(0, Recv(rx(0)), 0, 10),), "needs an outcome"),
        ((Entry(0, Recv(rx(0)), 0, deadline=5),), "only timed calls"),
        ((Entry(0, Recv(rx(0)), 0), Entry(0, Recv(rx(0)), 10, 20, Received("a"))), "in progress"),
    ],
    ids=["overlapping-calls", "time-runs-backwards", "time-without-outcome", "deadline", "after-no-return"],
)
def test_something_that_is_not_a_history_is_refused(entries: tuple[Entry, ...], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        History(None, entries)


def test_a_prefix_keeps_what_had_happened_by_the_cut() -> None:
    history = History(
        None,
        (
            Entry(0, Send(tx(0), "a"), 0, 10, Sent()),
            Entry(1, Recv(rx(0)), 5, 30, Received("a")),
            Entry(2, Send(tx(0), "b"), 40, 50, Sent()),
        ),
        (Mark(15, 1), Mark(45, 1)),
    )
    prefix = history.prefix(20)
    assert [e.operation for e in prefix.entries] == [e.operation for e in history.entries[:2]]
    assert prefix.entries[0] == history.entries[0]
    assert prefix.entries[1].returned is None and prefix.entries[1].outcome is None
    assert prefix.marks == (Mark(15, 1),)


def test_lanes_draw_one_row_per_thread_in_real_time_order() -> None:
    history = History(
        None,
        (
            Entry(0, Send(tx(0), "a"), 0, 30, Sent()),
            Entry(1, Recv(rx(0)), 10, 20, Received("a")),
            Entry(2, Recv(rx(0), Mode.TIMED), 25, deadline=40),
        ),
        (Mark(35, 1),),
    )
    picture = lanes(history, range(3), highlight=[1])
    rows = picture.splitlines()
    assert rows[0].startswith("quiet") and "!" in rows[0]
    t0, t1, t2 = rows[1:4]
    assert t0.index("[a") < t1.index("[b") < t1.index("]") < t0.rindex("]")
    assert t2.rstrip().endswith(">")
    assert any(line.startswith("*") and "c0.rx0.recv() -> Received('a')" in line for line in rows)
    assert "(no return)" in picture and "deadline +0.000" in picture


@pytest.mark.parametrize("capacity", [None, 1, 0], ids=["unbounded", "bounded1", "zero"])
def test_the_recorder_names_every_call_once_and_always_terminates(capacity: int | None) -> None:
    started = time.monotonic()
    history = record(builtin_backend("reference"), capacity, Workload(threads=4, operations=200, seed=7))
    assert time.monotonic() - started < 30
    workers = [e for e in history.entries if e.thread < 4]
    assert len(workers) == 200
    assert all(e.returned is not None for e in history.entries)
    assert history.marks and history.marks[-1].at >= max(e.response for e in history.entries)
    messages = [e.operation.message for e in history.entries if isinstance(e.operation, Send)]
    assert all(isinstance(m, Token) for m in messages) and len(set(map(id, messages))) == len(messages)
    outcomes = [e.outcome for e in history.entries]
    clones = [o.value for o in outcomes if isinstance(o, Value) and isinstance(o.value, Handle)]
    assert len(set(clones)) == len(clones)
    closed = {e.operation.handle for e in history.entries if e.thread == 4 and isinstance(e.operation, Close)}
    assert closed == {tx(0), rx(0), *clones}  # the recorder closes every handle by the end


def test_the_recorder_keeps_to_what_the_backend_claims() -> None:
    history = record(builtin_backend("reference-std"), 1, Workload(threads=3, operations=150, seed=3))
    assert history.profile is STD
    assert not any(isinstance(e.operation, Clone) and e.operation.handle.side.value == "rx" for e in history.entries)
