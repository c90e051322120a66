"""The benchmark suite still runs: its documented command, at tiny sizes, from the checkout's root.

A benchmark, not a test of speed: nothing here looks at how fast anything was. It checks that
every scenario ran for chanspec's two implementations and every installed peer it applies to,
that the report and the results file have their shape, and that the figure is drawn when
matplotlib is installed.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
COMMAND = ROOT / "benchmarks" / "run.py"

SCENARIOS = [
    "spsc",
    "mpsc",
    "mpmc",
    "spsc_b1",
    "spsc_b16",
    "spsc_b1024",
    "mpmc_b1",
    "mpmc_b16",
    "mpmc_b1024",
    "rendezvous",
    "ping_pong",
    "select",
    "try_pair",
    "create",
    "bytes_per_message",
    "bytes_per_channel",
    "idle_cpu",
]


class SuiteRun:
    """One smoke run of the suite: its output, its results document, where its figure goes."""

    def __init__(self, done: subprocess.CompletedProcess[str], document: dict[str, Any], figure: Path) -> None:
        self.done = done
        self.document = document
        self.figure = figure


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> SuiteRun:
    """The suite, run once for this module's tests (a few seconds)."""
    folder = tmp_path_factory.mktemp("benchmarks")
    results, figure = folder / "results.json", folder / "figure.png"
    done = subprocess.run(
        [sys.executable, str(COMMAND), "--smoke", "--json", str(results), "--plot", str(figure)],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=ROOT,  # where the checkout's chanspec/ folder could shadow the installed package
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return SuiteRun(done, json.loads(results.read_text()), figure)


def test_the_suite_runs_every_scenario_for_both_implementations(suite: SuiteRun) -> None:
    document = suite.document
    assert [scenario["key"] for scenario in document["scenarios"]] == SCENARIOS
    for scenario in document["scenarios"]:
        results = scenario["results"]
        assert {"chanspec", "reference"} <= results.keys(), scenario["key"]
        rounds = 2 if scenario["kind"] == "rate" else 1
        for result in results.values():
            assert len(result["values"]) == rounds and all(value >= 0 for value in result["values"])
        if scenario["kind"] != "cpu" and "queue" in results:
            assert results["queue"]["ratios"] == [1.0] * rounds  # every ratio is to queue.Queue
            assert len(results["chanspec"]["ratios"]) == rounds
    assert document["baseline"] == "queue"
    assert document["contenders"]["chanspec"] == "chanspec"
    table = [line for line in suite.done.stdout.splitlines() if line.startswith("|")]
    assert table[0].startswith("| scenario | queue.Queue |")
    assert len(table) == 2 + len(SCENARIOS)  # the summary: header, rule, one row per scenario


def test_the_figure_is_drawn_when_matplotlib_is_installed(suite: SuiteRun) -> None:
    if importlib.util.find_spec("matplotlib") is None:
        assert not suite.figure.exists() and "matplotlib is not installed" in suite.done.stdout
    else:
        assert suite.figure.read_bytes().startswith(b"\x89PNG")
