"""chanspec's own channels with their awaited operations: the same backends as
:func:`chanspec.conformance.builtin.own_backends`, claiming ``asynchronous``.

The checker then makes some blocking calls as ``asend``/``arecv`` from tasks on event loops
(each in a thread of its own, several at once) beside blocking thread calls, and cancels some
of those tasks: a cancelled call must end with no effect (``Cancelled``) or have completed.

``chanspec check --backend chanspec.conformance.adapters.chanspec_async:impl`` (or ``:reference``,
``:impl_std``, ``:reference_std``) checks one of them.
"""

from __future__ import annotations

import importlib
from typing import Any

from ...spec.profiles import STD
from ..backend import Backend, Capabilities


def _backend(module_name: str, std: bool) -> Backend:
    module = importlib.import_module(module_name)
    short = module_name.rsplit(".", 1)[-1]

    def make(capacity: int | None) -> Any:
        if std:
            return module.channel() if capacity is None else module.sync_channel(capacity)
        return module.unbounded() if capacity is None else module.bounded(capacity)

    if std:
        return Backend(f"{short}-std-async", make, Capabilities(receiver_clone=False, profile=STD, asynchronous=True))
    return Backend(f"{short}-async", make, Capabilities(asynchronous=True))


impl = _backend("chanspec.impl", std=False)
reference = _backend("chanspec.reference", std=False)
impl_std = _backend("chanspec.impl", std=True)
reference_std = _backend("chanspec.reference", std=True)


def own_async_backends() -> list[Backend]:
    """Every implementation, in the crossbeam (MPMC) and the std flavour, checked with tasks."""
    return [impl, impl_std, reference, reference_std]
