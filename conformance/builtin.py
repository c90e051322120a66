"""chanspec's own backends: the reference and the production implementation, MPMC and std flavour."""

from __future__ import annotations

import importlib
from typing import Any

from ..spec.profiles import STD
from .backend import Backend, Capabilities

IMPLEMENTATIONS = ("chanspec.impl", "chanspec.reference")


def own_backends() -> list[Backend]:
    """Every implementation, in the crossbeam (MPMC) and the std flavour."""
    backends: list[Backend] = []
    for module_name in IMPLEMENTATIONS:
        module = importlib.import_module(module_name)
        short = module_name.rsplit(".", 1)[-1]
        backends.append(Backend(f"{short}", _mpmc(module)))
        backends.append(Backend(f"{short}-std", _std(module), Capabilities(receiver_clone=False, profile=STD)))
    return backends


def _mpmc(module: Any) -> Any:
    def make(capacity: int | None) -> Any:
        return module.unbounded() if capacity is None else module.bounded(capacity)

    return make


def _std(module: Any) -> Any:
    def make(capacity: int | None) -> Any:
        return module.channel() if capacity is None else module.sync_channel(capacity)

    return make
