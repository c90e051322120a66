"""A step of the model: an event and everything it changed."""

from __future__ import annotations

from dataclasses import dataclass

from .operations import Event, Message
from .outcomes import Outcome
from .state import World

Result = tuple[int, Outcome]
"""A completed call: the thread that made it and what it returns."""


@dataclass(frozen=True)
class Step:
    """One allowed transition: the event, the world after it, the calls it completed
    (the caller's own, and a rendezvous partner's), and the messages it discarded."""

    event: Event
    world: World
    results: tuple[Result, ...] = ()
    discarded: tuple[Message, ...] = ()

    def outcome_of(self, thread: int) -> Outcome | None:
        """What ``thread``'s call returned in this step, or ``None`` if it did not complete."""
        for who, outcome in self.results:
            if who == thread:
                return outcome
        return None
