"""Controlled scheduling: find thread races deterministically, and replay them.

With the GIL, real threads switch every few milliseconds, so a race window of a few
bytecodes inside a channel is almost never hit by stress testing. Here a backend's
threads run under a cooperative scheduler instead: exactly one runs at a time, and
the scheduler decides at every synchronisation call (and, with ``granularity="line"``,
at every line of the backend's code) who runs next. Blocking and timeouts run on a
virtual clock, so a timeout costs no wall time and a deadlock is seen at once.

:func:`check` runs many short controlled runs (a small random plan of calls on one
channel, a schedule from a strategy: ``random``, ``pct``, ``exhaustive`` or ``mixed``),
judges each run's history with the linearizability checker, shrinks a failing run
(operations and schedule together, with Hypothesis) and reports it with a schedule
string that :func:`replay` runs again exactly. Supported backends: any whose threads
synchronise through ``threading``'s locks, conditions, events and semaphores,
``queue.Queue`` or ``time.sleep`` (see :mod:`.world` for what is patched, and how
module-level primitives and import-time bindings are handled); a backend that blocks in
C code (``queue.SimpleQueue``, a socket) is reported as stuck.
"""

from .execution import Execution, execute
from .plan import Plan, decode, generate
from .schedule import Schedule, decode_schedule
from .scheduler import Abandoned, Scheduler
from .search import ControlledResult, check, replay
from .strategies import PCT, STRATEGIES, Exhaustive, RandomWalk, Replay
from .world import World

__all__ = [
    "PCT",
    "STRATEGIES",
    "Abandoned",
    "ControlledResult",
    "Exhaustive",
    "Execution",
    "Plan",
    "RandomWalk",
    "Replay",
    "Schedule",
    "Scheduler",
    "World",
    "check",
    "decode",
    "decode_schedule",
    "execute",
    "generate",
    "replay",
]
