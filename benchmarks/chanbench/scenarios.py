"""The scenarios of the suite: what each measures, which contenders it applies to, and the stand-in
a contender runs where it lacks the shape (said in the report, never silent)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from . import workloads
from .contenders import BASELINE, Contender

Kind = Literal["rate", "bytes", "cpu"]


@dataclass(frozen=True)
class Scenario:
    """One line of the report.

    ``kind`` says how to read the workload's result: ``rate`` workloads return the seconds that
    ``n`` operations took (reported as operations per second, higher is better); ``bytes`` and
    ``cpu`` workloads return the value itself (lower is better).
    """

    key: str
    title: str
    unit: str
    kind: Kind
    workload: Callable[[Contender, int], float]
    applies: Callable[[Contender], bool]
    stand_in: Callable[[Contender], str | None] = lambda contender: None
    target: float | None = None
    """The ratio to ``queue.Queue`` the production implementation aims at (issue #6)."""


def _threads(contender: Contender) -> bool:
    return contender.threads


def _bounded(contender: Contender) -> bool:
    return contender.threads and contender.bounded


def _traced(contender: Contender) -> bool:
    return contender.traced


def _everyone(contender: Contender) -> bool:
    return True


def _unbounded_stand_in(contender: Contender) -> str | None:
    return None if contender.unbounded else "bounded to the run's size (no unbounded shape)"


def _rendezvous_applies(contender: Contender) -> bool:
    return contender.threads and (contender.rendezvous or contender.key == BASELINE)


def _rendezvous_stand_in(contender: Contender) -> str | None:
    return None if contender.rendezvous else "capacity 1 (no rendezvous)"


def _rendezvous(contender: Contender, n: int) -> float:
    return workloads.streaming(1, 1, 0 if contender.rendezvous else 1)(contender, n)


def _select_applies(contender: Contender) -> bool:
    return contender.threads and (contender.select or contender.key == BASELINE)


def _select_stand_in(contender: Contender) -> str | None:
    if not contender.select:
        return "one shared queue for the 4 producers (no select)"
    return _unbounded_stand_in(contender)


def _streaming(
    key: str, title: str, producers: int, consumers: int, capacity: int | None, target: float | None = None
) -> Scenario:
    unbounded = capacity is None
    return Scenario(
        key,
        title,
        "msgs/s",
        "rate",
        workloads.streaming(producers, consumers, capacity),
        _threads if unbounded else _bounded,
        _unbounded_stand_in if unbounded else lambda contender: None,
        target,
    )


def scenarios(idle_seconds: float) -> list[Scenario]:
    """Every scenario, in report order."""
    return [
        _streaming("spsc", "SPSC unbounded", 1, 1, None, target=8),
        _streaming("mpsc", "MPSC 4->1 unbounded", 4, 1, None, target=8),
        _streaming("mpmc", "MPMC 4x4 unbounded", 4, 4, None, target=20),
        _streaming("spsc_b1", "SPSC bounded(1)", 1, 1, 1, target=5),
        _streaming("spsc_b16", "SPSC bounded(16)", 1, 1, 16),
        _streaming("spsc_b1024", "SPSC bounded(1024)", 1, 1, 1024, target=4),
        _streaming("mpmc_b1", "MPMC 4x4 bounded(1)", 4, 4, 1),
        _streaming("mpmc_b16", "MPMC 4x4 bounded(16)", 4, 4, 16),
        _streaming("mpmc_b1024", "MPMC 4x4 bounded(1024)", 4, 4, 1024),
        Scenario(
            "rendezvous",
            "SPSC rendezvous (capacity 0)",
            "msgs/s",
            "rate",
            _rendezvous,
            _rendezvous_applies,
            _rendezvous_stand_in,
        ),
        Scenario(
            "ping_pong",
            "ping-pong round trip",
            "round trips/s",
            "rate",
            workloads.ping_pong,
            _threads,
            _unbounded_stand_in,
            2,
        ),
        Scenario(
            "select",
            "select over 4 channels, 4 producers",
            "msgs/s",
            "rate",
            workloads.fan_in(4),
            _select_applies,
            _select_stand_in,
        ),
        Scenario(
            "try_pair",
            "try_send + try_recv, one thread",
            "pairs/s",
            "rate",
            workloads.try_pairs,
            _everyone,
            _unbounded_stand_in,
        ),
        Scenario(
            "create",
            "channel creation + teardown",
            "channels/s",
            "rate",
            workloads.create_teardown,
            _everyone,
        ),
        Scenario(
            "bytes_per_message",
            "memory per buffered message",
            "bytes",
            "bytes",
            workloads.bytes_per_message,
            _traced,
            _unbounded_stand_in,
        ),
        Scenario(
            "bytes_per_channel",
            "memory per idle channel",
            "bytes",
            "bytes",
            workloads.bytes_per_channel,
            _traced,
        ),
        Scenario(
            "idle_cpu",
            f"CPU of 8 receivers blocked {idle_seconds:g} s",
            "% of a CPU",
            "cpu",
            workloads.idle_cpu(8, idle_seconds),
            _threads,
            _unbounded_stand_in,
        ),
    ]
