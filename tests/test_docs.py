"""The docs' generated blocks match what the specification produces today."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .docs_blocks import BLOCK, DOCS, stale_files


def test_docs_have_generated_blocks() -> None:
    assert any(BLOCK.search(path.read_text()) for path in DOCS.rglob("*.md"))


def test_generated_blocks_are_current() -> None:
    assert stale_files() == [], "run: python tests/docs_blocks.py --write"


def test_site_builds_without_warnings(tmp_path: Path) -> None:
    mkdocs = Path(sys.executable).with_name("mkdocs")
    if not mkdocs.exists():
        pytest.skip("mkdocs is not installed (it is in the dev extra)")
    root = DOCS.parent
    done = subprocess.run(
        [str(mkdocs), "build", "--strict", "-f", str(root / "mkdocs.yml"), "-d", str(tmp_path / "site")],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "site" / "spec" / "index.html").exists()
