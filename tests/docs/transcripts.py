"""Text the docs show from running things: the example programs and the explorer.

An example's block is its source and its output: the program is run with the
interpreter running the tests, in development mode, and must exit 0 and write
nothing to stderr (a forgotten handle's ``ResourceWarning`` would). The
explorer's block is a session typed into ``chanspec explore --repl``.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from chanspec.spec import CROSSBEAM, profile_named

from chanspec.cli.repl import Explorer

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


class ExampleFailed(AssertionError):
    """An example program failed, or complained on stderr."""


def run_example(name: str) -> str:
    """The output of ``docs/examples/NAME``."""
    path = EXAMPLES / name
    done = subprocess.run(
        [sys.executable, "-X", "dev", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=path.parent,
    )
    if done.returncode != 0 or done.stderr:
        raise ExampleFailed(f"{name} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def example(name: str) -> str:
    """Markdown: the source of an example and what it printed."""
    source = (EXAMPLES / name).read_text()
    return (
        f'```python title="docs/examples/{name}"\n{source}```\n\n'
        f'```text title="output"\n{run_example(name)}```\n'
    )


def explorer_session(script: str) -> str:
    """Markdown: the commands of ``script`` (separated by ``;``; the first may be ``--profile NAME``)
    typed into the explorer, with everything it printed."""
    commands = [part.strip() for part in script.split(";")]
    profile = CROSSBEAM
    if commands[0].startswith("--profile "):
        profile = profile_named(commands.pop(0).split()[1])
    shown = io.StringIO()
    explorer = Explorer(profile, stdout=shown)
    for command in commands:
        shown.write(f"{explorer.prompt}{command}\n")
        explorer.onecmd(command)
    return f"```text\n{shown.getvalue()}```\n"
