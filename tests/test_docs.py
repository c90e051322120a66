"""The docs: generated blocks match what running things produces today, the site builds without
warnings, and its diagrams render without reaching the network."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .docs.blocks import DOCS, Block, blocks, render

ROOT = DOCS.parent
MERMAID = "assets/javascripts/mermaid.min.js"


def test_docs_have_generated_blocks() -> None:
    assert len(blocks()) > 10


@pytest.mark.parametrize("block", blocks(), ids=lambda block: block.name)
def test_generated_block_is_current(block: Block) -> None:
    assert render(block.args) == block.body, f"{block.name} is stale; run: python tests/docs_blocks.py --write"


def test_every_example_is_shown() -> None:
    shown = {block.args.split(" ", 1)[1] for block in blocks() if block.args.startswith("example ")}
    assert shown == {path.name for path in (DOCS / "examples").glob("*.py")}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    mkdocs = Path(sys.executable).with_name("mkdocs")
    if not mkdocs.exists():
        pytest.skip("mkdocs is not installed (it is in the dev extra)")
    where = tmp_path_factory.mktemp("docs")
    done = subprocess.run(
        [str(mkdocs), "build", "--strict", "-f", str(ROOT / "mkdocs.yml"), "-d", str(where / "site")],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=where,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return where / "site"


def test_site_builds_without_warnings(site: Path) -> None:
    assert (site / "spec" / "index.html").exists()
    assert (site / "semantics" / "index.html").exists()


def test_diagrams_load_mermaid_from_the_site(site: Path) -> None:
    """Material loads mermaid from a CDN unless it is already there: the site ships its own copy,
    loaded on every page, so diagrams render offline."""
    assert (site / MERMAID).stat().st_size > 1_000_000
    page = (site / "semantics" / "index.html").read_text()
    assert 'class="mermaid"' in page
    assert re.search(r'<script src="\.\./' + re.escape(MERMAID) + '"', page), "mermaid.min.js is not loaded"
