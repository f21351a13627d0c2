"""Writing a file so that a reader sees the old contents or the new, never half of either.

The text goes to a temporary file in the same folder (``mkstemp``: a name no other process or
thread can share), is flushed and fsynced, and then renamed over the target with ``os.replace``,
which is atomic on POSIX and Windows. A failure removes the temporary file and leaves the target
as it was. Every store of hub-plugin that rewrites a file whole (the asset index, the trust store,
hub settings and snapshots, zoo checkout records) writes through :func:`write_atomically`.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` by ``text`` (UTF-8) in one step, creating its folder if needed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


__all__ = ["write_atomically"]
