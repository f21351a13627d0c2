"""Where the tests find the repository and ../shared (``HUB_PLUGIN_TEST_SHARED`` names another
folder for it, e.g. from a git worktree whose parent has no ``shared``)."""

from __future__ import annotations

import os
from pathlib import Path

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
SHARED = Path(os.environ.get("HUB_PLUGIN_TEST_SHARED") or REPO.parent / "shared")
