"""What the adapter tests share: the adapters, the library each needs, and a bounded thread helper."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pytest
from chanspec.conformance import Backend


@dataclass(frozen=True)
class Adapter:
    """An adapter module, the attribute naming its backend, and the library it needs (its import
    name, and the name pip installs it by)."""

    module: str
    attribute: str
    library: str | None
    distribution: str | None = None

    @property
    def id(self) -> str:
        return f"{self.module}:{self.attribute}"

    def load(self) -> Backend:
        """The backend, or a skip when its library is not installed here."""
        if self.library is not None:
            installed_as = self.distribution or self.library
            pytest.importorskip(self.library, reason=f"{self.library} is not installed (pip install {installed_as})")
        backend = getattr(self.imported(), self.attribute)
        assert isinstance(backend, Backend)
        return backend

    def imported(self) -> ModuleType:
        return importlib.import_module(f"chanspec.conformance.adapters.{self.module}")


ADAPTERS = (
    Adapter("queue_queue", "backend", None),
    Adapter("simple_queue", "backend", None),
    Adapter("trio_memory", "backend", "trio"),
    Adapter("trio_memory", "threaded", "trio"),
    Adapter("janus_queue", "backend", "janus"),
    Adapter("culsans_queue", "backend", "culsans"),
    Adapter("aiologic_queue", "backend", "aiologic"),
    Adapter("pygo_routines", "backend", "pyroutine", "pygo-routines"),
    Adapter("ferryboat_channel", "backend", "ferryboat"),
    Adapter("asyncio_queue", "backend", None),
    Adapter("aiochannel_channel", "backend", "aiochannel"),
    Adapter("anyio_memory", "backend", "anyio"),
    Adapter("trio_async", "backend", "trio"),
)


def adapter(module: str, attribute: str = "backend") -> Backend:
    """The backend of ``module:attribute`` (skips when its library is missing)."""
    (found,) = [a for a in ADAPTERS if a.module == module and a.attribute == attribute]
    return found.load()


class Background:
    """A call run in another thread, whose result or exception is collected with a bounded wait."""

    def __init__(self, call: Callable[[], Any]) -> None:
        self.started = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None
        self._call = call
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        assert self.started.wait(5)

    def _run(self) -> None:
        self.started.set()
        try:
            self.result = self._call()
        except BaseException as error:  # the test inspects whatever the call raised
            self.error = error

    def join(self, seconds: float = 5.0) -> Background:
        self._thread.join(seconds)
        assert not self._thread.is_alive(), "the call is still blocked"
        return self

    def is_blocked_after(self, seconds: float) -> bool:
        """Whether the call is still running ``seconds`` from now."""
        self._thread.join(seconds)
        return self._thread.is_alive()
