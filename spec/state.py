"""The state of a world of channels: immutable, hashable, comparable."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from .handles import Handle, Side
from .operations import Blocking, Message, TimerKind


class SpecUsageError(ValueError):
    """The model was asked something meaningless (an unknown handle, a busy thread)."""


@dataclass(frozen=True)
class Timer:
    """The schedule of a timer channel; ``due`` is ``None`` once nothing more will come."""

    kind: TimerKind
    period: int
    due: int | None


@dataclass(frozen=True)
class ChannelState:
    """One channel.

    ``senders``/``receivers`` hold the serials of live handles; serials below
    ``minted_*`` that are not live belong to closed handles. Disconnection is
    derived from the counts, never stored, so it cannot disagree with them.
    """

    capacity: int | None
    buffer: tuple[Message, ...] = ()
    senders: frozenset[int] = frozenset({0})
    receivers: frozenset[int] = frozenset({0})
    minted_senders: int = 1
    minted_receivers: int = 1
    timer: Timer | None = None

    def __hash__(self) -> int:
        return _cached_hash(self)

    @property
    def disconnected(self) -> bool:
        """No live sender or no live receiver (timer channels never disconnect)."""
        return self.timer is None and (not self.senders or not self.receivers)

    @property
    def is_rendezvous(self) -> bool:
        return self.timer is None and self.capacity == 0

    def live(self, side: Side) -> frozenset[int]:
        return self.senders if side is Side.SEND else self.receivers

    def minted(self, side: Side) -> int:
        return self.minted_senders if side is Side.SEND else self.minted_receivers

    def with_live(self, side: Side, live: frozenset[int], minted: int) -> ChannelState:
        if side is Side.SEND:
            return replace(self, senders=live, minted_senders=minted)
        return replace(self, receivers=live, minted_receivers=minted)


@dataclass(frozen=True)
class Pending:
    """A call that could not complete and waits: the thread is blocked in it."""

    thread: int
    operation: Blocking


@dataclass(frozen=True)
class World:
    """Every channel, every blocked call (at most one per thread, sorted by thread) and the time."""

    channels: tuple[ChannelState, ...] = ()
    pending: tuple[Pending, ...] = ()
    now: int = 0

    def __hash__(self) -> int:
        return _cached_hash(self)

    def channel(self, handle: Handle) -> ChannelState:
        """The channel of ``handle``; ``SpecUsageError`` if it was never minted."""
        if not 0 <= handle.channel < len(self.channels):
            raise SpecUsageError(f"{handle}: no such channel")
        state = self.channels[handle.channel]
        if not 0 <= handle.serial < state.minted(handle.side):
            raise SpecUsageError(f"{handle}: no such handle")
        return state

    def is_live(self, handle: Handle) -> bool:
        return handle.serial in self.channel(handle).live(handle.side)

    def pending_of(self, thread: int) -> Pending | None:
        for entry in self.pending:
            if entry.thread == thread:
                return entry
        return None

    def with_channel(self, index: int, state: ChannelState) -> World:
        channels = (*self.channels[:index], state, *self.channels[index + 1 :])
        return replace(self, channels=channels)

    def with_pending(self, entry: Pending) -> World:
        return replace(self, pending=tuple(sorted((*self.pending, entry), key=_by_thread)))

    def without_pending(self, thread: int) -> World:
        return replace(self, pending=tuple(p for p in self.pending if p.thread != thread))


def _by_thread(entry: Pending) -> int:
    return entry.thread


def _cached_hash(state: ChannelState | World) -> int:
    """Hash a frozen state once: exploration hashes the same states many times over."""
    try:
        return state.__dict__["_hash"]  # type: ignore[no-any-return]
    except KeyError:
        value = hash(tuple(getattr(state, f.name) for f in fields(state)))
        object.__setattr__(state, "_hash", value)
        return value
