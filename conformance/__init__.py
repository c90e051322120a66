"""The conformance kit: check any channel implementation against the specification.

A backend is a factory ``make(capacity) -> (sender, receiver)`` whose handles
speak chanspec's API, with an optional :class:`Capabilities` declaration.
:func:`assert_conforms` checks one from a test suite; ``machine_for(backend,
capacity).TestCase`` exposes the state machine to pytest or unittest directly.
The checking parts need Hypothesis (the ``conformance`` extra).
"""

from .backend import Backend, BackendError, Capabilities, as_backend, load_backend
from .calls import Token, perform
from .harness import Deviation, Harness, Timing
from .history import Entry, History, Mark, Workload, lanes, record
from .linearizability import Budget, Judgement, Verdict, Violation
from .linearizability import check as check_history
from .machine import machine_for
from .runner import CheckResult, Finding, assert_conforms, check
from .tracker import Tracker

__all__ = [
    "Backend",
    "Budget",
    "Entry",
    "History",
    "Judgement",
    "Mark",
    "Verdict",
    "Violation",
    "Workload",
    "check_history",
    "lanes",
    "record",
    "BackendError",
    "Capabilities",
    "CheckResult",
    "Deviation",
    "Finding",
    "Harness",
    "Timing",
    "Token",
    "Tracker",
    "as_backend",
    "assert_conforms",
    "check",
    "load_backend",
    "machine_for",
    "perform",
]
