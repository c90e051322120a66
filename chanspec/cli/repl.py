"""``chanspec explore --repl``: step through the specification by hand.

Type calls as a thread would make them and watch the state change::

    chanspec> bounded 1
    chanspec> tx0.send(a)
    chanspec> T1 tx0.send(b)          # thread T1 blocks: the buffer is full
    chanspec> rx0.recv()              # frees a slot: T1 can now complete
    chanspec> wake T1
    chanspec> undo

``what`` lists what every call would do now, and why the others would block.
"""

from __future__ import annotations

import cmd
import re
import shlex
from collections.abc import Callable
from typing import IO

from ..spec.handles import Handle, Side
from ..spec.operations import (
    Advance,
    Call,
    Clone,
    Close,
    Event,
    Expire,
    Inspect,
    Mode,
    Open,
    Operation,
    Query,
    Recv,
    Send,
    Wake,
)
from ..spec.profiles import CROSSBEAM, Profile
from ..spec.render import step_line, world_line
from ..spec.state import SpecUsageError, World
from ..spec.steps import Step
from ..spec.transitions import internal_events, successors

CALL = re.compile(
    r"^(?:T(?P<thread>\d+)\s*:?\s+)?(?:c(?P<channel>\d+)\.)?(?P<side>tx|rx)(?P<serial>\d+)\.(?P<name>\w+)\((?P<arg>[^)]*)\)$"
)
METHODS: dict[str, Callable[[Handle, str], Operation]] = {
    "send": lambda h, a: Send(h, a, Mode.BLOCK),
    "try_send": lambda h, a: Send(h, a, Mode.TRY),
    "send_timeout": lambda h, a: Send(h, a, Mode.TIMED),
    "recv": lambda h, a: Recv(h, Mode.BLOCK),
    "try_recv": lambda h, a: Recv(h, Mode.TRY),
    "recv_timeout": lambda h, a: Recv(h, Mode.TIMED),
    "clone": lambda h, a: Clone(h),
    "close": lambda h, a: Close(h),
    "len": lambda h, a: Inspect(h, Query.LEN),
    "is_empty": lambda h, a: Inspect(h, Query.IS_EMPTY),
    "is_full": lambda h, a: Inspect(h, Query.IS_FULL),
    "capacity": lambda h, a: Inspect(h, Query.CAPACITY),
}


class Explorer(cmd.Cmd):
    """The interactive explorer; every command prints what happened and the state line."""

    intro = "chanspec explorer: 'help' lists the commands, 'what' shows what every call would do."
    prompt = "chanspec> "

    def __init__(self, profile: Profile = CROSSBEAM, stdin: IO[str] | None = None, stdout: IO[str] | None = None):
        super().__init__(stdin=stdin, stdout=stdout)
        if stdin is not None:
            self.use_rawinput = False
        self.profile = profile
        self.history: list[World] = []
        self.world = World()
        self.choices: tuple[Step, ...] = ()

    def say(self, text: str) -> None:
        self.stdout.write(text + "\n")

    # Commands ------------------------------------------------------------------------------

    def do_unbounded(self, arg: str) -> None:
        """unbounded: open an unbounded channel."""
        self._apply(Call(0, Open(None)))

    def do_bounded(self, arg: str) -> None:
        """bounded N: open a channel of capacity N (0 is a rendezvous)."""
        try:
            capacity = int(arg)
        except ValueError:
            self.say("usage: bounded N")
            return
        self._apply(Call(0, Open(capacity)))

    def do_wake(self, arg: str) -> None:
        """wake Tn: the blocked call of thread n completes (if it can)."""
        self._apply(Wake(_thread(arg)))

    def do_expire(self, arg: str) -> None:
        """expire Tn: the blocked timed call of thread n times out (only while it cannot complete)."""
        self._apply(Expire(_thread(arg)))

    def do_tick(self, arg: str) -> None:
        """tick: abstract time moves on (for timer channels)."""
        self._apply(Advance())

    def do_choose(self, arg: str) -> None:
        """choose K: pick outcome K when several were allowed."""
        try:
            step = self.choices[int(arg) - 1]
        except (ValueError, IndexError):
            self.say("usage: choose K, with K one of the numbers listed")
            return
        self._commit(step)

    def do_undo(self, arg: str) -> None:
        """undo: go back one step."""
        if not self.history:
            self.say("nothing to undo")
            return
        self.world, self.choices = self.history.pop(), ()
        self.say(world_line(self.world))

    def do_state(self, arg: str) -> None:
        """state: print the state line."""
        self.say(world_line(self.world))

    def do_what(self, arg: str) -> None:
        """what: what every call by a new thread would do now, and which blocked calls can complete."""
        thread = _idle_thread(self.world)
        for event in internal_events(self.world):
            self.say(f"  {event}  is enabled")
        for index, _ in enumerate(self.world.channels):
            for handle in _handles(self.world, index):
                for make in METHODS.values():
                    op = make(handle, "x")
                    if _fits(op, handle):
                        self.say(f"  {_predict(self.world, Call(thread, op), self.profile)}")

    def do_quit(self, arg: str) -> bool:
        """quit: leave."""
        return True

    do_EOF = do_quit

    def default(self, line: str) -> None:
        match = CALL.match(line.strip())
        if match is None or match["name"] not in METHODS:
            self.say(f"not understood: {line!r} (try 'help', or a call like tx0.send(a) or T1 rx0.recv())")
            return
        handle = Handle(int(match["channel"] or 0), Side(match["side"]), int(match["serial"]))
        thread = int(match["thread"]) if match["thread"] else _idle_thread(self.world)
        argument = shlex.split(match["arg"])[0] if match["arg"].strip() else "x"
        self._apply(Call(thread, METHODS[match["name"]](handle, argument)))

    def emptyline(self) -> bool:
        return False

    # Stepping ------------------------------------------------------------------------------

    def _apply(self, event: Event) -> None:
        try:
            steps = successors(self.world, event, self.profile)
        except SpecUsageError as error:
            self.say(f"not meaningful: {error}")
            return
        if not steps:
            self.say(f"{event}: not enabled now")
            return
        if len(steps) == 1:
            self._commit(steps[0])
            return
        self.choices = steps
        self.say("several outcomes are allowed; pick one with 'choose K':")
        for number, step in enumerate(steps, 1):
            self.say(f"  {number}) {step_line(step)}")

    def _commit(self, step: Step) -> None:
        self.history.append(self.world)
        self.world, self.choices = step.world, ()
        self.say(step_line(step))
        self.say(world_line(self.world))


def _thread(arg: str) -> int:
    return int(arg.strip().lstrip("Tt") or 0)


def _idle_thread(world: World) -> int:
    busy = {entry.thread for entry in world.pending}
    return min(set(range(len(busy) + 1)) - busy)


def _handles(world: World, index: int) -> list[Handle]:
    state = world.channels[index]
    return [Handle(index, side, serial) for side in Side for serial in range(state.minted(side))]


def _fits(op: Operation, handle: Handle) -> bool:
    """Sends go with senders and receives with receivers; the rest with either."""
    if isinstance(op, Send):
        return handle.side is Side.SEND
    return handle.side is Side.RECV if isinstance(op, Recv) else True


def _predict(world: World, event: Call, profile: Profile) -> str:
    try:
        steps = successors(world, event, profile)
    except SpecUsageError as error:
        return f"{event.operation}: not meaningful ({error})"
    outcomes = sorted({step_line(step).split("=>", 1)[1].strip() for step in steps})
    return f"{event.operation}: " + " | ".join(outcomes)


def run(profile: Profile = CROSSBEAM) -> int:
    Explorer(profile).cmdloop()
    return 0
