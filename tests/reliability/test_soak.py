"""The soak: a million messages (CI: a few thousand) through every flavour, every kind of call,
clones, closes and selects, and every message accounted for (see :mod:`.soak`)."""

from __future__ import annotations

import random
import zlib
from types import ModuleType

import pytest

from ..channels.helpers import FLAVOURS, Flavour
from . import tally
from .scale import size
from .soak import ENDINGS, Epoch

MESSAGES = size(21_000, 1_000_000)
"""Messages per implementation, shared out evenly over the flavours."""

EPOCH = size(1_500, 6_000)
"""Messages one epoch's producers set out to send (a ``quit`` epoch stops earlier)."""


@pytest.mark.parametrize("flavour", FLAVOURS, ids=lambda f: f.name)
def test_every_message_is_received_once_handed_back_or_discarded(api: ModuleType, flavour: Flavour) -> None:
    seed = zlib.crc32(f"{api.__name__}/{flavour.name}".encode())
    rng = random.Random(seed)
    quota = MESSAGES // len(FLAVOURS)
    accounted = epochs = 0
    while accounted < quota:
        ending = ENDINGS[epochs % len(ENDINGS)]
        epoch = Epoch(api, flavour, ending, min(EPOCH, quota - accounted), random.Random(rng.random()))
        epoch.run()
        created, discarded, returned = epoch.verify()
        accounted += created
        epochs += 1
        tally.add("messages", created)
        tally.add("discarded", discarded)
        tally.add("returned", returned)
