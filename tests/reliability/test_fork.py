"""Use after fork: a child process created by ``os.fork()`` inherits copies of the parent's channels.

The parent must be unaffected by whatever the child does. In the child, the
inherited channels cannot work as channels (the threads at their other ends did
not come along), so every call should fail at once with a documented error
rather than receive copies of the parent's messages, hand a message to a
receiver that exists only in the parent, or block for ever on a lock another
parent thread held at the moment of the fork. Both implementations disconnect
every inherited channel in the child (``os.register_at_fork``): sends raise
``Disconnected`` carrying their message, receives raise ``Disconnected``.
"""

from __future__ import annotations

import os
import signal
import threading
import time
import warnings
from collections.abc import Callable
from types import ModuleType

import pytest

from chanspec.errors import Disconnected

from ..channels.helpers import Token, Worker
from . import tally
from .internals import holding_lock

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")

CHILD_ALARM = 2
"""Seconds after which the child is ended by its own alarm (a call that hangs there)."""

CHILD_TIMEOUT = 10.0
"""Seconds the parent waits for the child before killing it."""


def in_child(body: Callable[[], str]) -> str:
    """Run ``body`` in a forked child and return the text it returned (or what it raised, or
    ``"hung"``). The child never returns into pytest: it leaves with ``os._exit``."""
    read, write = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # forking a process that has threads
        pid = os.fork()
    if pid == 0:  # the child
        try:
            signal.signal(signal.SIGALRM, signal.SIG_DFL)
            signal.alarm(CHILD_ALARM)  # a child that hangs ends here (pytest-timeout's handler came along)
            os.close(read)
            try:
                text = body()
            except BaseException as error:
                text = f"raised {type(error).__name__}: {error}"
            os.write(write, text.encode())
        finally:
            os._exit(0)
    os.close(write)
    try:
        deadline = time.monotonic() + CHILD_TIMEOUT
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return "hung"
            time.sleep(0.01)
        if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGALRM:
            return "hung"
        return os.read(read, 65536).decode()
    finally:
        os.close(read)


def test_the_parent_keeps_its_channel_whatever_the_child_does(api: ModuleType) -> None:
    tx, rx = api.bounded(4)
    tx.send(Token(1))
    receiver_tx, receiver_rx = api.bounded(0)
    receiver = Worker(receiver_rx.recv).start_blocked()

    def child() -> str:
        tx.send(Token(2))
        rx.try_recv()
        rx.close()
        tx.close()
        return "done"

    in_child(child)  # whatever the child managed to do happened to its copies
    assert rx.try_recv().number == 1
    assert rx.is_empty() and not tx.closed and not rx.closed
    tx.send(Token(3))
    assert rx.recv().number == 3
    receiver_tx.send(Token(4))
    assert receiver.result().number == 4
    tally.add("bad_inputs")


def test_in_a_child_an_inherited_channel_is_disconnected(api: ModuleType) -> None:
    tally.add("bad_inputs")
    tx, rx = api.bounded(4)
    tx.send(Token(1))  # buffered at the fork: the parent's, not the child's
    zero_tx, zero_rx = api.bounded(0)
    parent_receiver = Worker(zero_rx.recv).start_blocked()  # exists in the parent only

    def child() -> str:
        outcomes = []
        message = Token(2)
        for name, call in (
            ("rendezvous send", lambda: zero_tx.send_timeout(message, 1.0)),
            ("send", lambda: tx.send(message)),
            ("try_recv", rx.try_recv),
        ):
            try:
                call()
                outcomes.append(f"{name} went through")
            except Disconnected as error:
                if name.endswith("send") and error.message is not message:
                    outcomes.append(f"{name} did not hand its message back")
            except BaseException as error:
                outcomes.append(f"{name} raised {error!r}")
        return "; ".join(outcomes) or "ok"

    outcome = in_child(child)
    zero_tx.send(Token(3))
    assert parent_receiver.result().number == 3
    assert outcome == "ok", outcome


def test_in_a_child_no_call_blocks_on_a_lock_held_at_the_fork(api: ModuleType) -> None:
    tally.add("bad_inputs")
    tx, rx = api.bounded(1)
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with holding_lock(api, tx):
            holding.set()
            release.wait(30.0)

    holder = Worker(hold).start()
    assert holding.wait(10.0)
    try:
        outcome = in_child(lambda: repr(rx.recv_timeout(0.1)))
    finally:
        release.set()
        holder.result()
    assert outcome != "hung", "in the child, a receive waited for ever for a lock no thread there holds"


def test_in_a_child_clones_and_selects_stay_disconnected_and_timers_still_fire(api: ModuleType) -> None:
    tally.add("bad_inputs")
    tx, rx = api.unbounded()
    tx.send(Token(1))

    def child() -> str:
        outcomes = []
        more_tx, more_rx = tx.clone(), rx.clone()  # cloning does not reconnect
        for name, call in (
            ("clone send", lambda: more_tx.send(Token(2))),
            ("clone recv", more_rx.recv),
            ("select", lambda: api.select(rx, timeout=1.0)),
        ):
            try:
                call()
                outcomes.append(f"{name} went through")
            except Disconnected:
                pass
            except BaseException as error:
                outcomes.append(f"{name} raised {error!r}")
        for handle in (more_tx, more_rx, tx, rx):
            handle.close()
        if not isinstance(api.after(0).recv_timeout(1.0), float):
            outcomes.append("a timer did not fire")
        fresh_tx, fresh_rx = api.bounded(1)  # channels made in the child work as usual
        fresh_tx.send(Token(3))
        if fresh_rx.recv().number != 3:
            outcomes.append("a fresh channel lost its message")
        return "; ".join(outcomes) or "ok"

    outcome = in_child(child)
    assert outcome == "ok", outcome
    assert rx.try_recv().number == 1  # the parent's message stayed the parent's
    tx.send(Token(4))
    assert rx.recv().number == 4
