"""Building and running chanrun, the Rust program that plays scripts against the real channels.

The build is offline: cargo reads crossbeam-channel's sources from the directory Debian's
``librust-crossbeam-channel-dev`` installs (``chanrun/.cargo/config.toml`` replaces crates.io
with it). What is missing is said in so many words (:func:`missing`), so that the tests can
skip with the reason instead of passing silently.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CRATE = Path(__file__).resolve().parent / "chanrun"
DEBIAN_REGISTRY = Path("/usr/share/cargo/registry")
DEBIAN_PACKAGE = "librust-crossbeam-channel-dev"
CRATES = ("crossbeam-channel", "crossbeam-utils", "cfg-if")
"""The crate sources the build needs from Debian's registry directory."""

BUILD_TIMEOUT_S = 600
RUN_TIMEOUT_S = 600


def find_cargo() -> Path | None:
    """cargo from $CARGO, the PATH, or rustup's default place (~/.cargo/bin)."""
    candidates = [os.environ.get("CARGO"), shutil.which("cargo"), str(Path.home() / ".cargo" / "bin" / "cargo")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return Path(candidate)
    return None


def missing() -> str | None:
    """Why chanrun cannot be built on this machine, or ``None`` if it can."""
    if find_cargo() is None:
        return "cargo is not installed (not on PATH, not in ~/.cargo/bin): the Rust comparison cannot run"
    absent = [name for name in CRATES if not any(DEBIAN_REGISTRY.glob(f"{name}-[0-9]*"))]
    if absent:
        return (
            f"the crate sources {', '.join(absent)} are not in {DEBIAN_REGISTRY}: "
            f"`apt-get install -y {DEBIAN_PACKAGE}` installs them (crates.io is not reachable here)"
        )
    return None


@dataclass(frozen=True)
class Chanrun:
    """A built chanrun binary and the versions it was built with."""

    binary: Path
    rustc: str
    crossbeam: str
    build_seconds: float

    @property
    def versions(self) -> str:
        return f"{self.rustc} std, crossbeam-channel {self.crossbeam}"

    def run(self, lines: Sequence[str]) -> list[dict[str, Any]]:
        """Play scripts (JSON lines) in one process; one report per script, in order."""
        if not lines:
            return []
        done = subprocess.run(
            [str(self.binary)],
            input="\n".join(lines) + "\n",
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT_S,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"chanrun exited with {done.returncode}:\n{done.stderr}")
        reports = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
        if len(reports) != len(lines):
            raise RuntimeError(f"chanrun answered {len(reports)} scripts out of {len(lines)}:\n{done.stderr}")
        return reports


def target_dir() -> Path:
    """Where chanrun is built: ``CARGO_TARGET_DIR``, else ``$XDG_CACHE_HOME/chanspec/chanrun``
    (``~/.cache`` by default), so that a build never writes into the work tree."""
    chosen = os.environ.get("CARGO_TARGET_DIR")
    if chosen:
        return Path(chosen).resolve()
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "chanspec" / "chanrun"


def build() -> Chanrun:
    """Build chanrun (offline, with the locked crate versions) and ask it for its versions.

    The build goes to ``CARGO_TARGET_DIR`` if set, else to a cache outside the repository
    (:func:`target_dir`); cargo rebuilds only what changed.
    """
    cargo = find_cargo()
    if cargo is None:
        raise RuntimeError(missing())
    target = target_dir()
    env = dict(os.environ, CARGO_TARGET_DIR=str(target))
    # rustup's cargo finds rustc beside itself.
    env["PATH"] = f"{cargo.parent}{os.pathsep}{env.get('PATH', '')}"
    started = time.perf_counter()
    # cargo reads .cargo/config.toml from the directory it runs in: run it in the crate.
    done = subprocess.run(
        [str(cargo), "build", "--offline", "--locked", "--quiet", "--message-format=short"],
        cwd=CRATE,
        env=env,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_S,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"building chanrun failed ({cargo} build --offline --locked):\n{done.stderr}")
    binary = target / "debug" / "chanrun"
    versions = subprocess.run([str(binary), "--versions"], capture_output=True, text=True, check=True, timeout=60)
    found = json.loads(versions.stdout)
    return Chanrun(binary, found["rustc"], found["crossbeam-channel"], seconds)
