"""Random runs of the specification for property tests.

A run draws events one at a time from the current world: a call by an idle
thread (random operation on random handles, closed ones included, across
several channels and timers), a wake-up or expiry, or time passing; then a
random choice among the allowed successors. Every step is checked against
the invariants and the rules on blocked calls; a failure reads as a trace.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from chanspec.spec import (
    PROFILES,
    Advance,
    Call,
    Case,
    Clone,
    Close,
    Event,
    Expire,
    Handle,
    Inspect,
    Mode,
    Open,
    OpenTimer,
    Operation,
    Profile,
    Query,
    Recv,
    SameChannel,
    Select,
    Send,
    Side,
    Step,
    TimerKind,
    Wake,
    World,
    can_complete,
    internal_events,
    successors,
)
from chanspec.spec.invariants import transition_violations, world_violations
from chanspec.spec.render import step_line, world_line
from hypothesis import note
from hypothesis import strategies as st

THREADS = 3
MAX_CHANNELS = 3
MAX_STEPS = 40


@dataclass(frozen=True)
class Move:
    """One step of a run: the event and which of its allowed successors was taken."""

    event: Event
    choice: int


@dataclass
class Run:
    """A run from the empty world: ``worlds[i + 1]`` is reached from ``worlds[i]`` by ``moves[i]``."""

    profile: Profile
    moves: list[Move] = field(default_factory=list)
    worlds: list[World] = field(default_factory=lambda: [World()])
    steps: list[Step] = field(default_factory=list)

    @property
    def world(self) -> World:
        return self.worlds[-1]

    def trace(self) -> str:
        lines = [f"profile {self.profile.name}"] + [step_line(step) for step in self.steps]
        return "\n  ".join([*lines, f"=> {world_line(self.world)}"])

    def take(self, event: Event, choice: int, found: tuple[Step, ...]) -> None:
        """Apply ``found[choice]`` (one of the successors of ``event``), then check it."""
        before, step = self.world, found[choice]
        self.moves.append(Move(event, choice))
        self.steps.append(step)
        self.worlds.append(step.world)
        note(f"{step_line(step)}    [{world_line(step.world)}]")
        problems = step_problems(before, step, self.profile)
        assert not problems, f"{'; '.join(problems)}\ntrace:\n  {self.trace()}"


def step_problems(before: World, step: Step, profile: Profile) -> list[str]:
    """Every invariant, plus the rules on blocked calls, which the invariants do not state."""
    problems = list(world_violations(step.world)) + list(transition_violations(before, step))
    if isinstance(step.event, Expire) and can_complete(before, step.event.thread):
        problems.append(f"T{step.event.thread} expired although it could complete")
    if isinstance(step.event, Wake) and not can_complete(before, step.event.thread):
        problems.append(f"T{step.event.thread} was woken although it could not complete")
    for entry in step.world.pending:
        thread, timed = entry.thread, entry.operation.mode is Mode.TIMED
        may_expire, able = bool(successors(step.world, Expire(thread), profile)), can_complete(step.world, thread)
        if may_expire != (timed and not able):
            problems.append(f"T{thread} may {'' if may_expire else 'not '}expire (timed={timed}, can complete={able})")
    return problems


# Drawing events --------------------------------------------------------------------------------


def handles(world: World) -> list[Handle]:
    """Every handle ever minted, live or closed."""
    return [
        Handle(index, side, serial)
        for index, state in enumerate(world.channels)
        for side in Side
        for serial in range(state.minted(side))
    ]


def draw_event(data: st.DataObject, world: World, profile: Profile, message: str) -> Event:
    idle = [thread for thread in range(THREADS) if world.pending_of(thread) is None]
    blocked = [entry.thread for entry in world.pending]
    internal = internal_events(world)
    kinds = ["call"] * 4 if idle else []
    kinds += (["internal"] * 2 if internal else []) + (["any wake-up"] if blocked else []) + ["advance"]
    kind = data.draw(st.sampled_from(kinds), label="kind")
    if kind == "internal":
        return data.draw(st.sampled_from(internal), label="internal event")
    if kind == "any wake-up":  # enabled or not: a disabled one must have no successor
        thread = data.draw(st.sampled_from(blocked), label="blocked thread")
        wakes: list[Event] = [Wake(thread), Expire(thread)]
        return data.draw(st.sampled_from(wakes), label="wake or expire")
    if kind == "advance":
        return Advance()
    thread = data.draw(st.sampled_from(idle), label="thread")
    return Call(thread, draw_operation(data, world, profile, message))


def draw_operation(data: st.DataObject, world: World, profile: Profile, message: str) -> Operation:
    known = handles(world)
    senders = [h for h in known if h.is_sender]
    receivers = [h for h in known if not h.is_sender]
    kinds = []
    if senders:
        kinds += ["send"] * 3
    if receivers:
        kinds += ["recv"] * 3
    if profile.select and known:
        kinds += ["select"] * 2
    if known:
        kinds += ["close", "clone", "inspect", "same_channel"]
    if len(world.channels) < MAX_CHANNELS:
        kinds += ["open", "timer"] if profile.timers else ["open"]
    kind = data.draw(st.sampled_from(kinds), label="operation")
    mode = data.draw(st.sampled_from(list(Mode)), label="mode")
    if kind == "send":
        return Send(data.draw(st.sampled_from(senders)), message, mode)
    if kind == "recv":
        return Recv(data.draw(st.sampled_from(receivers)), mode)
    if kind == "select":
        return _draw_select(data, senders, receivers, message, mode)
    if kind == "open":
        return Open(data.draw(st.sampled_from([1, 0, None, 2]), label="capacity"))
    if kind == "timer":
        return OpenTimer(data.draw(st.sampled_from(list(TimerKind))), data.draw(st.integers(0, 3), label="delay"))
    handle = data.draw(st.sampled_from(known), label="handle")
    if kind == "close":
        return Close(handle)
    if kind == "clone":
        return Clone(handle)
    if kind == "inspect":
        return Inspect(handle, data.draw(st.sampled_from(list(Query))))
    return SameChannel(handle, data.draw(st.sampled_from(known), label="other handle"))


def _draw_select(
    data: st.DataObject, senders: list[Handle], receivers: list[Handle], message: str, mode: Mode
) -> Select:
    options: list[st.SearchStrategy[Case]] = []
    if receivers:
        options.append(st.builds(Recv, st.sampled_from(receivers)))
    if senders:
        options.append(st.builds(Send, st.sampled_from(senders), st.just(message)))
    smallest = 1 if mode is Mode.BLOCK else 0
    cases = data.draw(st.lists(st.one_of(options), min_size=smallest, max_size=3), label="cases")
    numbered = tuple(Send(c.sender, f"{message}.{i}") if isinstance(c, Send) else c for i, c in enumerate(cases))
    biased = data.draw(st.booleans(), label="biased")
    complete = data.draw(st.booleans(), label="complete")
    return Select(numbered, mode, biased, complete)


# Whole runs ------------------------------------------------------------------------------------


def random_run(data: st.DataObject, profile: Profile | None = None) -> Run:
    """Draw a run of up to MAX_STEPS events, checking every step as it is taken."""
    if profile is None:
        profile = data.draw(st.sampled_from(sorted(PROFILES.values(), key=lambda p: p.name)), label="profile")
    run = Run(profile)
    length = data.draw(st.integers(0, MAX_STEPS), label="length")
    for number in range(length):
        event = draw_event(data, run.world, profile, f"m{number}")
        found = successors(run.world, event, profile)
        enabled = not isinstance(event, (Wake, Expire)) or event in internal_events(run.world)
        if found:
            choice = data.draw(st.integers(0, len(found) - 1), label="successor") if len(found) > 1 else 0
            run.take(event, choice, found)
        offered = "offered" if enabled else "not offered"
        assert bool(found) == enabled, f"{event} is {offered}, yet has {len(found)} steps\n  {run.trace()}"
    return run


def settle(data: st.DataObject, run: Run) -> None:
    """No more calls: take wake-ups and expiries until none is left, then check that
    nothing blocked could complete (no lost wake-up) and that it took at most one
    event per blocked call (each completes or gives up exactly once)."""
    blocked = len(run.world.pending)
    for _ in range(blocked):
        internal = internal_events(run.world)
        if not internal:
            break
        event = data.draw(st.sampled_from(internal), label="settle event")
        found = successors(run.world, event, run.profile)
        choice = data.draw(st.integers(0, len(found) - 1), label="successor") if len(found) > 1 else 0
        run.take(event, choice, found)
    left = internal_events(run.world)
    assert not left, f"still enabled after {blocked} internal events: {left}\ntrace:\n  {run.trace()}"
    stuck = [entry.thread for entry in run.world.pending if can_complete(run.world, entry.thread)]
    assert not stuck, f"T{stuck} could complete but stay blocked\ntrace:\n  {run.trace()}"
    timed = [entry.thread for entry in run.world.pending if entry.operation.mode is Mode.TIMED]
    assert not timed, f"timed calls of T{timed} neither completed nor expired\ntrace:\n  {run.trace()}"


def replay(profile: Profile, moves: list[Move]) -> list[World]:
    """The worlds a recorded run goes through, recomputed from scratch."""
    worlds = [World()]
    for move in moves:
        worlds.append(successors(worlds[-1], move.event, profile)[move.choice].world)
    return worlds


def checked_run(data: st.DataObject, profile: Profile | None = None) -> Run:
    """A random run followed by settling, everything checked: the whole property in one call."""
    run = random_run(data, profile)
    settle(data, run)
    return run
