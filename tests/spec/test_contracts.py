"""CrossHair checks the contracts of the specification symbolically, within a time budget.

The contracts (``pre:``/``post:`` in the docstrings of :mod:`chanspec.spec.channel`
and :func:`chanspec.spec.transitions.successors`) name the invariants of
:mod:`chanspec.spec.invariants`. A second test seeds a bug behind the same
contract to show that the check can fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from chanspec.spec.channel import pop

pytestmark = pytest.mark.skipif(
    shutil.which("crosshair") is None and not Path(sys.executable).with_name("crosshair").exists(),
    reason="crosshair-tool is not installed (it is in the dev extra)",
)

THOROUGH = os.environ.get("HYPOTHESIS_PROFILE") == "thorough"
PER_CONDITION = "20" if THOROUGH else "2"
SUCCESSORS_BUDGET = "300" if THOROUGH else "25"


def _crosshair(*args: str, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run ``crosshair check`` in ``cwd`` (never the checkout: its ``chanspec/`` folder would
    shadow the installed package, whose sub-packages are mapped from other folders)."""
    executable = shutil.which("crosshair") or str(Path(sys.executable).with_name("crosshair"))
    command = [executable, "check", "--analysis_kind=PEP316", *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=timeout)


def test_channel_rules_satisfy_their_contracts(tmp_path: Path) -> None:
    result = _crosshair(
        "chanspec.spec.channel", f"--per_condition_timeout={PER_CONDITION}", "--per_path_timeout=1", cwd=tmp_path
    )
    assert result.returncode == 0 and result.stdout.strip() == "", result.stdout + result.stderr


def test_every_step_keeps_every_invariant(tmp_path: Path) -> None:
    result = _crosshair(
        "chanspec.spec.transitions.successors",
        f"--per_condition_timeout={SUCCESSORS_BUDGET}",
        "--per_path_timeout=5",
        cwd=tmp_path,
    )
    assert result.returncode == 0 and result.stdout.strip() == "", result.stdout + result.stderr


def test_a_seeded_bug_is_reported(tmp_path: Path) -> None:
    contract = textwrap.indent(f'"""{pop.__doc__}"""', "    ")
    (tmp_path / "seeded.py").write_text(
        "from chanspec.spec.channel import well_formed\n"
        "from chanspec.spec.state import ChannelState\n"
        "from dataclasses import replace\n\n\n"
        "def pop(state: ChannelState) -> tuple[object, ChannelState]:\n"
        f"{contract}\n"
        "    return state.buffer[-1], replace(state, buffer=state.buffer[:-1])  # LIFO: the seeded bug\n"
    )
    result = _crosshair("seeded", "--per_condition_timeout=15", "--per_path_timeout=2", cwd=tmp_path)
    assert result.returncode != 0
    assert "seeded.py" in result.stdout and "false" in result.stdout, result.stdout + result.stderr
