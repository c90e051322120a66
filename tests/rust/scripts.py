"""Operation scripts: calls of the specification's vocabulary, made by numbered threads, that
both the specification and chanrun (the Rust program) can play.

A script names the Rust library it is meant for; its calls use the spec's operation values
(:class:`~chanspec.spec.Open`, :class:`~chanspec.spec.Send`, ...). A timed call also says how
many milliseconds Rust waits: the spec's time is abstract, Rust's is not (chanrun waits for a
call due within a second to return, so its ``Timeout`` belongs to the step that made it; a
longer one that parks is reported blocked, like a blocking call).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from chanspec.spec import (
    CROSSBEAM,
    STD,
    Clone,
    Close,
    Handle,
    Inspect,
    Mode,
    Open,
    Operation,
    Profile,
    Recv,
    SameChannel,
    Send,
)

LIBRARIES: dict[str, Profile] = {"crossbeam": CROSSBEAM, "std": STD}
"""The Rust libraries chanrun drives, each with the specification profile that describes it."""

SHORT_TIMEOUT_MS = 1_000
"""chanrun waits for a timed call due sooner than this to return (it then expires in the same step)."""

JsonValue = int | str | bool | None | list["JsonValue"] | dict[str, "JsonValue"]


@dataclass(frozen=True)
class ScriptCall:
    """Thread ``thread`` makes the call ``operation``; ``timeout_ms`` for a timed send or receive."""

    thread: int
    operation: Operation
    timeout_ms: int | None = None

    def __str__(self) -> str:
        wait = f"  [{self.timeout_ms} ms]" if self.timeout_ms is not None else ""
        return f"T{self.thread}: {self.operation}{wait}"

    @property
    def expires_at_once(self) -> bool:
        """A timed call so short that, if it cannot complete, it gives up within its own step."""
        return self.timeout_ms is not None and self.timeout_ms < SHORT_TIMEOUT_MS

    def to_json(self) -> dict[str, JsonValue]:
        op = self.operation
        call: dict[str, JsonValue] = {"t": self.thread}
        if isinstance(op, Open):
            call.update(op="open", cap=op.capacity)
        elif isinstance(op, Send):
            call.update(op="send", h=_handle(op.sender), msg=_message(op.message), mode=op.mode.value)
        elif isinstance(op, Recv):
            call.update(op="recv", h=_handle(op.receiver), mode=op.mode.value)
        elif isinstance(op, Clone):
            call.update(op="clone", h=_handle(op.handle))
        elif isinstance(op, Close):
            call.update(op="close", h=_handle(op.handle))
        elif isinstance(op, Inspect):
            call.update(op=op.query.value, h=_handle(op.handle))
        elif isinstance(op, SameChannel):
            call.update(op="same_channel", h=_handle(op.first), other=_handle(op.second))
        else:
            raise ValueError(f"chanrun cannot play {op}")
        if isinstance(op, (Send, Recv)) and op.mode is Mode.TIMED:
            if self.timeout_ms is None:
                raise ValueError(f"{op} needs a timeout in milliseconds")
            call["ms"] = self.timeout_ms
        return call


@dataclass(frozen=True)
class Script:
    """Calls to play, in order, against ``library`` ("crossbeam" or "std")."""

    library: str
    calls: tuple[ScriptCall, ...]

    @property
    def profile(self) -> Profile:
        return LIBRARIES[self.library]

    def to_line(self, script_id: int) -> str:
        """The script as chanrun reads it: one JSON line."""
        payload = {"id": script_id, "library": self.library, "calls": [call.to_json() for call in self.calls]}
        return json.dumps(payload, separators=(",", ":"))

    def lines(self) -> list[str]:
        """One readable line per call."""
        return [f"{index:3}  {call}" for index, call in enumerate(self.calls)]

    def __repr__(self) -> str:
        # Hypothesis prints falsifying examples with repr: keep them readable.
        calls = "; ".join(map(str, self.calls))
        return f"<{self.library} script: {calls}>"


def _handle(handle: Handle) -> list[JsonValue]:
    return [handle.channel, handle.side.value, handle.serial]


def _message(message: object) -> int:
    if not isinstance(message, int) or isinstance(message, bool):
        raise ValueError(f"chanrun messages are integers, not {message!r}")
    return message
