"""Timeouts as the adapters pass them on to a library."""

from __future__ import annotations

import math

from ..._validate import deadline_after


def seconds(timeout: float) -> float | None:
    """``timeout`` checked as chanspec checks it (``TypeError``/``ValueError``); ``None`` for
    ``math.inf``, which libraries spell "no timeout"."""
    return None if deadline_after(timeout) == math.inf else float(timeout)
