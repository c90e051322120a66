"""Helpers for the controlled-scheduling tests."""

from __future__ import annotations

import sys


def python_threads() -> int:
    """How many OS threads are running Python code in this process now."""
    return len(sys._current_frames())
