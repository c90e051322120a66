"""Semantics profiles: where Rust's channel libraries differ, a profile decides."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    """Which parts of the vocabulary a flavour of channel offers.

    The transition rules themselves are shared: std's channels are a port of
    crossbeam's since Rust 1.67, so the profiles differ only in what exists.
    """

    name: str
    receiver_clone: bool
    select: bool
    timers: bool


CROSSBEAM = Profile("crossbeam", receiver_clone=True, select=True, timers=True)
"""crossbeam-channel: MPMC, select, ``after``/``tick``/``never``. The default."""

STD = Profile("std", receiver_clone=False, select=False, timers=False)
"""``std::sync::mpsc``: one receiver that cannot be cloned, no select, no timers."""

PROFILES: dict[str, Profile] = {profile.name: profile for profile in (CROSSBEAM, STD)}


def profile_named(name: str) -> Profile:
    """The profile called ``name``; ``ValueError`` listing the known ones otherwise."""
    try:
        return PROFILES[name]
    except KeyError:
        known = ", ".join(sorted(PROFILES))
        raise ValueError(f"unknown semantics profile {name!r} (known: {known})") from None
