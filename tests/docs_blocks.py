"""Regenerate the docs' generated blocks: ``python tests/docs_blocks.py --write``.

Without ``--write`` it lists the stale pages and exits 1 if there are any. The
blocks and what makes them are described in :mod:`tests.docs.blocks`.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":
    # Run as a script, this file's folder is on sys.path but the checkout is not. The checkout goes
    # last, after the installed packages, so that `tests` is importable and `chanspec` is still the
    # installed one (the checkout's chanspec/ folder is not the whole package).
    sys.path.append(str(Path(__file__).resolve().parent.parent))
    from tests.docs.blocks import main

    sys.exit(main(sys.argv[1:]))
