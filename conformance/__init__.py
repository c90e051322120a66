"""The conformance kit: check any channel implementation against the specification.

A backend is a factory ``make(capacity) -> (sender, receiver)`` whose handles
speak chanspec's API, with an optional :class:`Capabilities` declaration.
"""

from .backend import Backend, BackendError, Capabilities, as_backend, load_backend
from .calls import Token, perform
from .harness import Deviation, Harness, Timing
from .tracker import Tracker

__all__ = [
    "Backend",
    "BackendError",
    "Capabilities",
    "Deviation",
    "Harness",
    "Timing",
    "Token",
    "Tracker",
    "as_backend",
    "load_backend",
    "perform",
]
