"""What a benchmark needs before it starts: a one-line message and exit status 2 when it is absent.

The benches read ../shared/ (the real cards, CIFAR-10 as JPEG) beside the checkout; someone who
clones the repository alone gets this line, not a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path


def require(path: Path, what: str, option: str | None = None) -> None:
    """Exit with one line naming ``what`` is missing at ``path`` and the ``option`` to give it."""
    if not path.exists():
        name = Path(sys.argv[0]).name
        where = "../shared/ beside the checkout" + (f", or {option}" if option else "")
        print(f"{name}: needs {what} at {path}, which is not there ({where})", file=sys.stderr)
        raise SystemExit(2)
