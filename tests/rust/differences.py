"""Where the real Rust channels and the specification are allowed to differ: declared once, here.

Two kinds of entries:

- :data:`DIFFERENCES`: real, intended behavioural differences. The comparison accepts exactly
  these (through :func:`absent_in` and :func:`destruction_deferred`) and nothing else.
- :data:`NOT_PLAYED`: things the spec says that a Rust program cannot do or that chanrun does not
  play, so that the generated scripts never ask for them.

docs/rust.md lists both (a test checks that it names every entry).
"""

from __future__ import annotations

from dataclasses import dataclass

from chanspec.spec import ChannelState, Inspect, Mode, Operation, SameChannel, Send, World


@dataclass(frozen=True)
class Declared:
    """One declared difference or omission, with the reason it is accepted."""

    title: str
    libraries: tuple[str, ...]
    what: str
    why: str


DEFERRED_DESTRUCTION = Declared(
    title="crossbeam 0.5 keeps a bounded buffer after the last receiver closes",
    libraries=("crossbeam",),
    what=(
        "The spec discards a bounded channel's buffered messages when its last receiver closes. "
        "crossbeam-channel 0.5.6 (its array flavour, capacity >= 1) destroys them only when the "
        "channel is freed: at the close of the last handle of either side, normally the last sender."
    ),
    why=(
        "An old crossbeam behaviour, changed after 0.5.16 (crossbeam's drop_unreceived test); std "
        "destroys them at once since rust-lang/rust#108164. The spec follows std and current crossbeam. "
        "Only destructors can tell: every later send fails with Disconnected either way, and the "
        "spec leaves len/is_empty/is_full UNSPECIFIED once every receiver is gone."
    ),
)

STD_MISSING_CALLS = Declared(
    title="std::sync::mpsc lacks some of the spec's calls",
    libraries=("std",),
    what=(
        "std's Sender (from channel()) has no try_send, no std sender has a stable send_timeout, and "
        "std handles have no len, is_empty, is_full, capacity or same_channel. chanrun reports such a "
        "call absent and does nothing; the comparison then leaves the spec's world as it was."
    ),
    why=(
        "API surface, not behaviour: std::sync::mpsc is a port of crossbeam-channel (since Rust 1.67) "
        "behind a smaller interface. Its SyncSender::send_timeout exists but is unstable. A std "
        "receiver cannot be cloned either, which the spec's std profile says itself (Unsupported): "
        "that one is compared, not declared."
    ),
)

DIFFERENCES = (DEFERRED_DESTRUCTION, STD_MISSING_CALLS)

NOT_PLAYED = (
    Declared(
        title="no call through a closed handle",
        libraries=("crossbeam", "std"),
        what="The spec answers a call through a closed handle with HandleClosed, and a second close with None.",
        why="Rust's drop consumes the handle: such a call does not compile. Scripts use live handles only.",
    ),
    Declared(
        title="no call through a handle a waiting call is using",
        libraries=("crossbeam", "std"),
        what=(
            "The spec lets another thread close the handle a blocked call uses (the call wakes with "
            "HandleClosed)."
        ),
        why=(
            "In Rust the waiting call borrows the handle: nobody else can drop or use it until the call "
            "returns. chanrun moves the handle into the waiting thread, and scripts leave it alone."
        ),
    ),
    Declared(
        title="same_channel compares two handles of one side",
        libraries=("crossbeam",),
        what="The spec's same_channel takes any two handles.",
        why="crossbeam's Sender::same_channel takes a Sender and Receiver::same_channel a Receiver.",
    ),
    Declared(
        title="no select, no timer channels",
        libraries=("crossbeam",),
        what="The spec's Select (select, try_select, ready) and after/tick/never are not played by chanrun.",
        why=(
            "Not yet covered by this comparison (std has neither); the observations in the Rust reference "
            "notes are encoded in the spec's own tests."
        ),
    ),
)


def absent_in(library: str, operation: Operation, world: World) -> str | None:
    """Why ``library`` has no call for ``operation`` (see :data:`STD_MISSING_CALLS`), if it has none."""
    if library != "std":
        return None
    if isinstance(operation, Send) and operation.mode is Mode.TIMED:
        return "no stable send_timeout"
    if isinstance(operation, Send) and operation.mode is Mode.TRY and world.channel(operation.sender).capacity is None:
        return "channel()'s Sender has no try_send"
    if isinstance(operation, Inspect):
        return f"no {operation.query.value}"
    if isinstance(operation, SameChannel):
        return "no same_channel"
    return None


def destruction_deferred(library: str, state: ChannelState) -> bool:
    """Whether ``library`` destroys the messages the spec discards at the last receiver's close only
    when the channel is freed (see :data:`DEFERRED_DESTRUCTION`)."""
    return library == "crossbeam" and state.capacity is not None and state.capacity >= 1
