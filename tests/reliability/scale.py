"""How big the reliability suite runs: CI size by default, full size with ``CHANSPEC_RELIABILITY=full``.

Every size in the suite is written as ``size(ci, full)``, so the two profiles
stay side by side and one environment variable switches between them
(``scripts/reliability`` sets it).
"""

from __future__ import annotations

import os
from typing import TypeVar

N = TypeVar("N")

PROFILE = os.environ.get("CHANSPEC_RELIABILITY", "ci").strip().lower() or "ci"
if PROFILE not in ("ci", "full"):
    raise RuntimeError(f"CHANSPEC_RELIABILITY must be 'ci' or 'full', not {PROFILE!r}")

FULL = PROFILE == "full"


def size(ci: N, full: N) -> N:
    """``full`` when the full-size profile is selected, otherwise ``ci``."""
    return full if FULL else ci
