"""Without cargo or the Debian crate sources, chanrun's absence is explained, not silent."""

from __future__ import annotations

from pathlib import Path

import pytest

from . import driver


def test_missing_cargo_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(driver, "find_cargo", lambda: None)
    reason = driver.missing()
    assert reason is not None and "cargo is not installed" in reason


def test_missing_crate_sources_say_what_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(driver, "find_cargo", lambda: Path("/usr/bin/true"))
    (tmp_path / "cfg-if-1.0.0").mkdir()
    monkeypatch.setattr(driver, "DEBIAN_REGISTRY", tmp_path)
    reason = driver.missing()
    assert reason is not None
    assert "crossbeam-channel, crossbeam-utils" in reason
    assert "apt-get install -y librust-crossbeam-channel-dev" in reason


def test_the_build_stays_out_of_the_work_tree(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CARGO_TARGET_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert driver.target_dir() == tmp_path / "chanspec" / "chanrun"
    monkeypatch.setenv("CARGO_TARGET_DIR", str(tmp_path / "elsewhere"))
    assert driver.target_dir() == tmp_path / "elsewhere"
