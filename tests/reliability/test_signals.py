"""A real ``KeyboardInterrupt``: SIGINT delivered to the main thread while it waits in a channel.

Signal handlers run in the main thread only, so this is where Ctrl-C lands in a
real program. A watcher thread waits until the main thread is parked in the
call, then sends it SIGINT; the default handler raises ``KeyboardInterrupt``
out of the wait. Afterwards the interrupted call must not have happened (nobody
could have completed it), it must have left no waiter behind, and the channel
must work as before, from the very same thread.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

import pytest

from chanspec.errors import Empty, Full

from ..channels.helpers import BOUNDED_1, FLAVOURS, ZERO, Flavour, Token, Worker
from . import tally
from .agents import thread_parked

pytestmark = pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="needs signal.pthread_kill")


@contextmanager
def interrupted_once_parked() -> Iterator[None]:
    """Send SIGINT to this (the main) thread as soon as it is parked in a channel wait."""
    main = threading.current_thread()
    assert main is threading.main_thread(), "signals are delivered to the main thread only"
    assert main.ident is not None
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    done = threading.Event()
    sent = threading.Event()

    def watch() -> None:
        deadline = time.monotonic() + 10.0
        while not done.is_set() and time.monotonic() < deadline:
            if thread_parked(main.ident or 0):
                sent.set()
                signal.pthread_kill(main.ident or 0, signal.SIGINT)
                return
            time.sleep(0.001)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join(10.0)
        signal.signal(signal.SIGINT, previous)
    assert sent.is_set(), "the call never parked"


CALLS: dict[str, Callable[[Any, Any, Any], Any]] = {
    "recv": lambda api, tx, rx: rx.recv(),
    "recv_timeout": lambda api, tx, rx: rx.recv_timeout(60.0),
    "select": lambda api, tx, rx: _select(api, rx).select(),
    "one-call select": lambda api, tx, rx: api.select(rx, timeout=60.0),
    "ready": lambda api, tx, rx: _select(api, rx).ready(),
}


def _select(api: ModuleType, rx: Any) -> Any:
    sel = api.Select()
    sel.recv(rx)
    return sel


@pytest.mark.parametrize("flavour", FLAVOURS, ids=lambda f: f.name)
@pytest.mark.parametrize("call", list(CALLS))
def test_ctrl_c_in_a_blocked_receive(api: ModuleType, flavour: Flavour, call: str) -> None:
    tx, rx = flavour.open(api)
    with interrupted_once_parked(), pytest.raises(KeyboardInterrupt):
        CALLS[call](api, tx, rx)
    tally.add("signals")
    if flavour.rendezvous:
        with pytest.raises(Full):
            tx.try_send(Token(0))  # the interrupted receive must not still wait
    message = Token(1)
    sender = Worker(lambda: tx.send_timeout(message, 10.0)).start()
    assert rx.recv_timeout(10.0) is message  # the same thread receives again
    sender.result()
    tx.close()
    rx.close()


@pytest.mark.parametrize("flavour", [BOUNDED_1, ZERO], ids=lambda f: f.name)
@pytest.mark.parametrize("how", ["send", "send_timeout", "select"])
def test_ctrl_c_in_a_blocked_send(api: ModuleType, flavour: Flavour, how: str) -> None:
    tx, rx = flavour.open(api)
    if flavour.capacity:
        tx.send(Token(0))
    message = Token(1)
    with interrupted_once_parked(), pytest.raises(KeyboardInterrupt):
        if how == "send":
            tx.send(message)
        elif how == "send_timeout":
            tx.send_timeout(message, 60.0)
        else:
            sel = api.Select()
            sel.send(tx, message)
            sel.select()
    tally.add("signals")
    if flavour.capacity:
        assert rx.try_recv().number == 0
    with pytest.raises(Empty):
        rx.try_recv()  # the interrupted send did not happen, and does not still wait
    receiver = Worker(lambda: rx.recv_timeout(10.0)).start()
    tx.send_timeout(message, 10.0)  # the same thread sends again
    assert receiver.result() is message
    tx.close()
    rx.close()


@pytest.mark.parametrize("timer", ["after", "tick", "never"])
def test_ctrl_c_in_a_blocked_timer_receive(api: ModuleType, timer: str) -> None:
    receiver = api.never() if timer == "never" else getattr(api, timer)(60.0)
    with interrupted_once_parked(), pytest.raises(KeyboardInterrupt):
        receiver.recv()
    tally.add("signals")
    with pytest.raises(Empty):
        receiver.try_recv()
    receiver.close()
