"""Fixtures of the channel suite: which implementation, which flavour, and tidy-up.

Every test takes ``api``: the implementation module under test, one of
``IMPLEMENTATIONS``. A module that cannot be imported or does not export
``unbounded`` yet is skipped with the reason shown.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

from .helpers import FLAVOURS, Flavour

IMPLEMENTATIONS = ["chanspec.reference", "chanspec.impl"]


def _load(name: str) -> ModuleType:
    try:
        module = importlib.import_module(name)
    except ImportError as error:
        pytest.skip(f"{name} cannot be imported: {error}")
    if not hasattr(module, "unbounded"):
        pytest.skip(f"{name} does not export unbounded() yet (it is being written)")
    return module


@pytest.fixture(params=IMPLEMENTATIONS, ids=lambda name: name.rsplit(".", 1)[-1])
def api(request: pytest.FixtureRequest) -> ModuleType:
    """The implementation module under test."""
    return _load(request.param)


@pytest.fixture(params=FLAVOURS, ids=lambda f: f.name)
def flavour(request: pytest.FixtureRequest) -> Flavour:
    """The kind of channel under test (tests that apply to only some parametrize ``flavour`` themselves)."""
    flavour: Flavour = request.param
    return flavour


class Closer:
    """Keeps handles made by a test and closes them all at its end."""

    def __init__(self) -> None:
        self.handles: list[Any] = []

    def add(self, *handles: Any) -> Any:
        """Remember ``handles``; returns them (a single one unpacked)."""
        self.handles.extend(handles)
        return handles[0] if len(handles) == 1 else handles

    def open(self, api: ModuleType, flavour: Flavour) -> tuple[Any, Any]:
        """A new ``(sender, receiver)`` of ``flavour``, closed at the end of the test."""
        tx, rx = flavour.open(api)
        self.add(tx, rx)
        return tx, rx


@pytest.fixture
def closer() -> Iterator[Closer]:
    """Closes every handle given to it when the test ends."""
    keeper = Closer()
    yield keeper
    for handle in keeper.handles:
        handle.close()


@pytest.fixture
def pair(api: ModuleType, flavour: Flavour, closer: Closer) -> tuple[Any, Any]:
    """A ``(sender, receiver)`` of the flavour under test, closed when the test ends."""
    return closer.open(api, flavour)
