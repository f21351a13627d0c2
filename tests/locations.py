"""Where the tests find the repository and ../shared.

``SHARED`` is ``../shared`` beside the checkout, or the folder ``HUB_PLUGIN_SHARED`` names: CI sets
it to a folder that does not exist to prove that every test reading ../shared skips cleanly
without it (as for someone who clones the repository alone); see ``.ci/run``.
"""

from __future__ import annotations

import os
from pathlib import Path

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
SHARED = Path(os.environ.get("HUB_PLUGIN_SHARED") or REPO.parent / "shared")
