"""Named step-by-step scenarios, played on the specification.

A scenario is a list of events (calls by numbered threads, wake-ups, expiries)
starting from no channel at all. Playing it asks the specification for every
allowed step of each event and follows one; the docs print the result as a
trace table or a timeline, and the test suite replays the same scenarios on
the real channels (``test_replay.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from chanspec.spec import (
    CROSSBEAM,
    Call,
    Clone,
    Close,
    Event,
    Expire,
    Mode,
    Open,
    Profile,
    Recv,
    Select,
    Send,
    Step,
    Wake,
    World,
    internal_events,
    rx,
    successors,
    tx,
)


@dataclass(frozen=True)
class Choose:
    """An event whose ``index``-th allowed step is followed (the first one otherwise)."""

    event: Event
    index: int


Action = Event | Choose


@dataclass(frozen=True)
class Scenario:
    """A story told in events; ``title`` is what it shows."""

    title: str
    actions: tuple[Action, ...]
    profile: Profile = CROSSBEAM


@dataclass(frozen=True)
class Played:
    """One event of a played scenario: the world it happened in, the step followed and every
    step that was allowed."""

    before: World
    event: Event
    step: Step
    allowed: tuple[Step, ...] = field(default=())


def play(scenario: Scenario, start: World | None = None) -> list[Played]:
    """Every event of ``scenario`` applied in turn; ``ValueError`` if one is not enabled."""
    world = World() if start is None else start
    played: list[Played] = []
    for action in scenario.actions:
        event, index = (action.event, action.index) if isinstance(action, Choose) else (action, 0)
        allowed = successors(world, event, scenario.profile)
        if not allowed:
            raise ValueError(f"{scenario.title}: {event} is not enabled in {world}")
        played.append(Played(world, event, allowed[index], allowed))
        world = allowed[index].world
    return played


def final_world(scenario: Scenario) -> World:
    played = play(scenario)
    return played[-1].step.world if played else World()


def stuck_threads(world: World) -> list[int]:
    """Blocked threads that no wake-up or expiry can release now."""
    enabled = {getattr(event, "thread", None) for event in internal_events(world)}
    return [entry.thread for entry in world.pending if entry.thread not in enabled]


def T(thread: int, operation: Open | Send | Recv | Clone | Close | Select) -> Call:
    """``thread`` makes ``operation`` (reads like the traces: ``T(1, Recv(rx(0)))``)."""
    return Call(thread, operation)


# The state of a channel -----------------------------------------------------------------------

ANATOMY = Scenario(
    "Handles, buffer, blocked calls, disconnection",
    (
        T(0, Open(1)),
        T(0, Clone(tx(0))),
        T(0, Send(tx(0), "a")),
        T(1, Send(tx(0, 1), "b")),  # the buffer is full: T1 blocks, holding its message
        T(0, Close(tx(0))),  # one of two senders: only the count changes
        T(2, Recv(rx(0))),  # frees the slot: T1 can now complete, but is not handed it
        Wake(1),
        T(1, Close(tx(0, 1))),  # the last sender: disconnected, yet `b` is still there
        T(2, Recv(rx(0))),
        T(2, Recv(rx(0))),
    ),
)

# The pitfalls ------------------------------------------------------------------------------

FORGOTTEN_SENDER = Scenario(
    "The original sender is never closed",
    (
        T(0, Open(None)),
        T(0, Clone(tx(0))),  # a clone for the producer thread T1
        T(1, Send(tx(0, 1), "a")),
        T(1, Close(tx(0, 1))),  # the producer is done and closes its clone
        T(0, Recv(rx(0))),  # the consumer loop, on the main thread
        T(0, Recv(rx(0))),  # blocks: c0.tx0 is still open, and only T0 could close it
    ),
)

FORGOTTEN_SENDER_FIXED = Scenario(
    "The original sender is closed once the clones are handed out",
    (
        T(0, Open(None)),
        T(0, Clone(tx(0))),
        T(0, Close(tx(0))),  # the fix: the main thread gives up its own sender
        T(1, Send(tx(0, 1), "a")),
        T(1, Close(tx(0, 1))),
        T(0, Recv(rx(0))),
        T(0, Recv(rx(0))),  # the last sender is gone and the buffer is drained
    ),
)

NOT_A_BROADCAST = Scenario(
    "A cloned receiver shares the messages; it does not copy them",
    (
        T(0, Open(None)),
        T(0, Clone(rx(0))),  # c0.rx1 for a second consumer
        T(0, Send(tx(0), "a")),
        T(0, Send(tx(0), "b")),
        T(1, Recv(rx(0), Mode.TRY)),
        T(2, Recv(rx(0, 1), Mode.TRY)),
        T(2, Recv(rx(0, 1), Mode.TRY)),  # nothing left: each message went to one receiver
    ),
)

SURVIVE_SENDERS = Scenario(
    "Buffered messages survive the senders",
    (
        T(0, Open(2)),
        T(0, Send(tx(0), "a")),
        T(0, Send(tx(0), "b")),
        T(0, Close(tx(0))),
        T(1, Recv(rx(0))),
        T(1, Recv(rx(0))),
        T(1, Recv(rx(0))),
    ),
)

LOST_WITH_RECEIVERS = Scenario(
    "Buffered messages do not survive the receivers",
    (
        T(0, Open(2)),
        T(0, Send(tx(0), "a")),
        T(0, Send(tx(0), "b")),
        T(1, Close(rx(0))),
        T(0, Send(tx(0), "c")),
    ),
)

ZERO_CAPACITY_TRY_SEND = Scenario(
    "try_send at capacity 0 needs a receiver that is already waiting",
    (
        T(0, Open(0)),
        T(0, Send(tx(0), "a", Mode.TRY)),
        T(1, Recv(rx(0))),
        T(0, Send(tx(0), "a", Mode.TRY)),
        T(0, Send(tx(0), "b", Mode.TRY)),
    ),
)

_TWO_RECEIVES = (Recv(rx(0)), Recv(rx(1)))

SELECT_SPIN = Scenario(
    "A disconnected case is always ready",
    (
        T(0, Open(1)),  # c0: work
        T(0, Open(1)),  # c1: a channel whose producer finishes early
        T(1, Close(tx(1))),
        T(0, Select(_TWO_RECEIVES)),
        T(0, Select(_TWO_RECEIVES)),
        T(2, Send(tx(0), "a")),
        Choose(T(0, Select(_TWO_RECEIVES)), 1),
        T(0, Select((Recv(rx(0)),))),  # the fix: drop the finished case
    ),
)

# Rendezvous --------------------------------------------------------------------------------

RENDEZVOUS_RECEIVER_FIRST = Scenario(
    "The receiver arrives first",
    (
        T(0, Open(0)),
        T(1, Recv(rx(0))),
        T(2, Send(tx(0), "a")),
    ),
)

RENDEZVOUS_SENDER_FIRST = Scenario(
    "The sender arrives first",
    (
        T(0, Open(0)),
        T(2, Send(tx(0), "a")),
        T(1, Recv(rx(0))),
    ),
)

RENDEZVOUS_TRY = Scenario(
    "try_send and try_recv only meet a partner that is already waiting",
    (
        T(0, Open(0)),
        T(2, Send(tx(0), "a", Mode.TRY)),
        T(1, Recv(rx(0), Mode.TRY)),
        T(2, Send(tx(0), "a")),
        T(1, Recv(rx(0), Mode.TRY)),
    ),
)

RENDEZVOUS_DISCONNECT = Scenario(
    "A blocked sender gets its message back when the receivers go",
    (
        T(0, Open(0)),
        T(2, Send(tx(0), "a")),
        T(1, Close(rx(0))),
        Wake(2),
    ),
)

BUFFERED_CONTRAST = Scenario(
    "With a buffer, the sender does not wait for the receiver",
    (
        T(0, Open(1)),
        T(2, Send(tx(0), "a")),
        T(2, Send(tx(0), "b")),
        T(1, Recv(rx(0))),
        Wake(2),
        T(1, Recv(rx(0))),
    ),
)

TIMED_RENDEZVOUS = Scenario(
    "A timed send gives up only while nobody takes the message",
    (
        T(0, Open(0)),
        T(2, Send(tx(0), "a", Mode.TIMED)),
        Expire(2),
        T(1, Recv(rx(0), Mode.TIMED)),
        T(2, Send(tx(0), "b", Mode.TIMED)),
    ),
)

SCENARIOS: dict[str, Scenario] = {
    "anatomy": ANATOMY,
    "forgotten-sender": FORGOTTEN_SENDER,
    "forgotten-sender-fixed": FORGOTTEN_SENDER_FIXED,
    "not-a-broadcast": NOT_A_BROADCAST,
    "survive-senders": SURVIVE_SENDERS,
    "lost-with-receivers": LOST_WITH_RECEIVERS,
    "zero-capacity-try-send": ZERO_CAPACITY_TRY_SEND,
    "select-spin": SELECT_SPIN,
    "rendezvous-receiver-first": RENDEZVOUS_RECEIVER_FIRST,
    "rendezvous-sender-first": RENDEZVOUS_SENDER_FIRST,
    "rendezvous-try": RENDEZVOUS_TRY,
    "rendezvous-disconnect": RENDEZVOUS_DISCONNECT,
    "buffered-contrast": BUFFERED_CONTRAST,
    "timed-rendezvous": TIMED_RENDEZVOUS,
}
