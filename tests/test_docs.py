"""The docs' generated blocks match what the specification produces today."""

from __future__ import annotations

from .docs_blocks import BLOCK, DOCS, stale_files


def test_docs_have_generated_blocks() -> None:
    assert any(BLOCK.search(path.read_text()) for path in DOCS.rglob("*.md"))


def test_generated_blocks_are_current() -> None:
    assert stale_files() == [], "run: python tests/docs_blocks.py --write"
