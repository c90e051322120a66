"""Fixtures of the async suite: which implementation and which flavour (as in tests/channels)."""

from __future__ import annotations

import importlib
from types import ModuleType

import pytest

from ..channels.helpers import FLAVOURS, Flavour

IMPLEMENTATIONS = ["chanspec.reference", "chanspec.impl"]


@pytest.fixture(params=IMPLEMENTATIONS, ids=lambda name: name.rsplit(".", 1)[-1])
def api(request: pytest.FixtureRequest) -> ModuleType:
    """The implementation module under test."""
    return importlib.import_module(request.param)


@pytest.fixture(params=FLAVOURS, ids=lambda f: f.name)
def flavour(request: pytest.FixtureRequest) -> Flavour:
    """The kind of channel under test."""
    flavour: Flavour = request.param
    return flavour
