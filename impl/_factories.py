"""The channel constructors: each picks its flavour once, at creation."""

from __future__ import annotations

from typing import Any

from chanspec import handles
from chanspec._validate import check_capacity

from ._bounded import ArrayChannel, BoundedReceiver, BoundedSender
from ._unbounded import ListChannel, UnboundedReceiver, UnboundedSender
from ._zero import ZeroChannel, ZeroReceiver, ZeroSender

Pair = tuple[handles.Sender[Any], handles.Receiver[Any]]


def _open(capacity: int | None, std: bool) -> Pair:
    if capacity is None:
        unbounded_core = ListChannel(std)
        return UnboundedSender(unbounded_core), UnboundedReceiver(unbounded_core)
    if capacity == 0:
        zero_core = ZeroChannel(std)
        return ZeroSender(zero_core), ZeroReceiver(zero_core)
    array_core = ArrayChannel(capacity, std)
    return BoundedSender(array_core), BoundedReceiver(array_core)


def unbounded() -> Pair:
    """A channel without a capacity limit: sends never block (they fail only when every
    receiver is closed), receives park while it is empty. Multi-producer, multi-consumer:
    both ends clone."""
    return _open(None, std=False)


def bounded(capacity: int) -> Pair:
    """A channel holding at most ``capacity`` messages: sends park while it is full, receives
    while it is empty. ``bounded(0)`` is a rendezvous: each send waits for a receive of
    another thread. Both ends clone."""
    return _open(check_capacity(capacity), std=False)


def channel() -> Pair:
    """std's ``mpsc::channel``: unbounded, and the receiver cannot be cloned."""
    return _open(None, std=True)


def sync_channel(bound: int) -> Pair:
    """std's ``mpsc::sync_channel``: bounded (0 = rendezvous), and the receiver cannot be cloned."""
    return _open(check_capacity(bound), std=True)
