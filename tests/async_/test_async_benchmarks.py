"""The async benchmark command still runs (tiny sizes, from the checkout's root); nothing here
looks at how fast anything was."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COMMAND = ROOT / "benchmarks" / "async_run.py"


def test_the_async_benchmarks_run_every_scenario(tmp_path: Path) -> None:
    results = tmp_path / "async.json"
    done = subprocess.run(
        [sys.executable, str(COMMAND), "--smoke", "--json", str(results)],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    document = json.loads(results.read_text())
    keys = [scenario["key"] for scenario in document["scenarios"]]
    assert keys == ["async_spsc", "async_spsc_b16", "async_mpmc", "async_mpmc_b16", "bridge", "bridge_b16"]
    for scenario in document["scenarios"]:
        assert "chanspec" in scenario["results"]
        assert scenario["results"][scenario["baseline"]]["ratios"] == [1.0, 1.0]
    table = [line for line in done.stdout.splitlines() if line.startswith("|")]
    assert len(table) == 2 + len(keys)
