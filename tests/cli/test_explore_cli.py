"""``chanspec explore``: the counts table, the exit status, the diagrams and the interactive explorer."""

from __future__ import annotations

import io

import pytest

from chanspec.cli import main
from chanspec.cli.repl import Explorer


def test_explore_prints_counts_and_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explore", "--capacity", "1", "--profile", "std"]) == 0
    out = capsys.readouterr().out
    assert "std" in out and "1 scopes" in out and "violations" in out


def test_explore_rejects_a_bad_capacity(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explore", "--capacity", "-1"]) == 2
    assert "capacity must be >= 0" in capsys.readouterr().err


def test_diagram_needs_one_scope(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explore", "--mermaid", "-"]) == 2


def test_mermaid_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["explore", "--capacity", "0", "--profile", "std", "--senders", "1", "--receivers", "1"]
    assert main([*args, "--messages", "1", "--threads", "2", "--no-timed", "--mermaid", "-"]) == 0
    out = capsys.readouterr().out
    assert "flowchart TD" in out and "blocks" in out


def repl(*lines: str) -> str:
    out = io.StringIO()
    Explorer(stdin=io.StringIO("\n".join(lines) + "\n"), stdout=out).cmdloop()
    return out.getvalue()


def test_repl_steps_blocks_wakes_and_undoes() -> None:
    out = repl("bounded 1", "tx0.send(a)", "T1 tx0.send(b)", "rx0.recv()", "wake T1", "undo", "state")
    assert "T1: c0.tx0.send('b')  => blocks" in out
    assert "T1: (wakes)  => T1 -> Sent" in out
    assert out.rstrip().endswith("chanspec> c0 cap=1 [] tx{0} rx{0}; T1 waits in c0.tx0.send('b')\nchanspec>")


def test_repl_offers_the_nondeterministic_choices() -> None:
    out = repl("unbounded", "rx0.clone()", "T1 rx0.recv()", "T2 rx1.recv()", "tx0.close()", "tx0.send(a)")
    assert "HandleClosed('a')" in out
    out = repl("bounded 0", "T1 rx0.recv()", "rx0.clone()", "T2 rx1.recv()", "tx0.try_send(a)", "choose 2")
    assert "several outcomes are allowed" in out
    assert "T2 -> Received('a')" in out.split("choose")[-1] or "T1 -> Received('a')" in out.split("choose")[-1]


def test_repl_explains_what_each_call_would_do() -> None:
    out = repl("bounded 1", "tx0.send(a)", "what")
    assert "c0.tx0.try_send('x'): T0 -> Full('x')" in out
    assert "c0.rx0.try_recv(): T0 -> Received('a')" in out
    assert "c0.tx0.recv()" not in out


def test_repl_refuses_what_is_meaningless() -> None:
    out = repl("bounded 1", "rx5.recv()", "wake T3", "gibberish")
    assert "no such handle" in out and "not enabled" in out and "not understood" in out
