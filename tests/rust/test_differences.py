"""The declared differences are the real ones, and the docs page names them all."""

from __future__ import annotations

from pathlib import Path

import pytest
from chanspec.spec import (
    Call,
    Clone,
    Close,
    Expire,
    Inspect,
    Mode,
    Open,
    Operation,
    Query,
    Recv,
    SameChannel,
    Send,
    World,
    rx,
    successors,
    tx,
)

from .differences import DIFFERENCES, NOT_PLAYED, absent_in
from .driver import Chanrun
from .play import check
from .reports import Absent
from .scripts import LIBRARIES, Script, ScriptCall

DOCS_PAGE = Path(__file__).resolve().parents[2] / "docs" / "rust.md"


def _every_call(capacity: int | None) -> list[Operation]:
    """One call of every kind chanrun plays, on channel 0, ending with both handles closed."""
    return [
        Open(capacity),
        Send(tx(0), 1, Mode.TRY),
        Send(tx(0), 2, Mode.TIMED),
        Send(tx(0), 3, Mode.BLOCK),
        Recv(rx(0), Mode.TRY),
        Recv(rx(0), Mode.TIMED),
        Recv(rx(0), Mode.TIMED),
        *(Inspect(handle, query) for handle in (tx(0), rx(0)) for query in Query),
        SameChannel(tx(0), tx(0)),
        SameChannel(rx(0), rx(0)),
        Clone(tx(0)),
        Close(tx(0, 1)),
        Close(tx(0)),
        Close(rx(0)),
    ]


@pytest.mark.parametrize("library", sorted(LIBRARIES))
@pytest.mark.parametrize("capacity", [None, 3])
def test_exactly_the_declared_calls_are_absent(chanrun: Chanrun, library: str, capacity: int | None) -> None:
    calls = tuple(ScriptCall(0, op, 0 if _timed(op) else None) for op in _every_call(capacity))
    script = Script(library, calls)
    (run,) = check(chanrun, [script])
    absent = [str(call) for call, step in zip(calls, run.steps, strict=True) if isinstance(step.returned, Absent)]
    assert absent == _declared_absent(script)
    if library == "std":
        assert absent, "std lacks some calls; the script should have met them"


def _timed(operation: Operation) -> bool:
    return isinstance(operation, (Send, Recv)) and operation.mode is Mode.TIMED


def _declared_absent(script: Script) -> list[str]:
    """The calls :func:`absent_in` declares absent, judged in the world each is made in."""
    world, found = World(), []
    for call in script.calls:
        if absent_in(script.library, call.operation, world) is not None:
            found.append(str(call))
            continue
        world = successors(world, Call(call.thread, call.operation), script.profile)[0].world
        if world.pending and call.expires_at_once:
            world = successors(world, Expire(call.thread))[0].world
    return found


def test_the_docs_page_names_every_declared_difference() -> None:
    page = DOCS_PAGE.read_text()
    for declared in (*DIFFERENCES, *NOT_PLAYED):
        assert declared.title in page, f"docs/rust.md does not mention: {declared.title}"


def test_the_docs_page_names_the_crossbeam_version_compared(chanrun: Chanrun) -> None:
    assert f"crossbeam-channel {chanrun.crossbeam}" in DOCS_PAGE.read_text()
