"""``import chanspec`` gives the documented names, served by the production implementation."""

from __future__ import annotations

import doctest

import chanspec.impl
import chanspec.reference

import chanspec


def test_module_docstring_examples_run() -> None:
    result = doctest.testmod(chanspec)
    assert result.attempted > 0 and result.failed == 0


def test_public_names_come_from_the_production_implementation() -> None:
    for name in ("unbounded", "bounded", "channel", "sync_channel", "Select", "select", "after", "tick", "never"):
        assert getattr(chanspec, name) is getattr(chanspec.impl, name)


def test_both_implementations_export_the_same_api() -> None:
    assert set(chanspec.impl.__all__) == set(chanspec.reference.__all__)


def test_handles_are_the_public_types() -> None:
    tx, rx = chanspec.unbounded()
    assert isinstance(tx, chanspec.Sender) and isinstance(rx, chanspec.Receiver)
    rtx, rrx = chanspec.reference.bounded(0)
    assert isinstance(rtx, chanspec.Sender) and isinstance(rrx, chanspec.Receiver)
    for handle in (tx, rx, rtx, rrx):
        handle.close()


def test_every_error_is_a_channel_error() -> None:
    for error in (chanspec.Disconnected, chanspec.Full, chanspec.Empty, chanspec.Timeout, chanspec.HandleClosed):
        assert issubclass(error, chanspec.ChannelError)
