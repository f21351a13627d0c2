"""A download in progress: a temporary file in the cache and the running sha256 of its bytes.

Each process writes its own file, ``tmp/<key>.<pid>.part``, and only while it holds the asset's lock
(see :meth:`AssetCache.claim_partial <hub_plugin.assets.cache.AssetCache.claim_partial>`), so no two
writers ever share one. A file left behind by a process that died is adopted by the next one that
takes the lock, and the download resumes from its end. The digest covers every byte in the file, so
the final check is always over the whole content, whatever was resumed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

from .hashing import FileDigest, StreamDigest


def fsync_directory(folder: Path) -> None:
    """Make a rename in ``folder`` durable (best effort: not every platform can open folders)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class PartialDownload:
    """An open temporary file being appended to, with the digest of its content so far.

    ``resumed_from`` is the size it had when opened (bytes from an earlier, interrupted try).
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        if self.path.exists():
            self.digest = StreamDigest.of_file(self.path)
        else:
            self.digest = StreamDigest()
        self.resumed_from = self.digest.size
        self._handle: BinaryIO | None = open(self.path, "ab")  # noqa: SIM115 (closed by finish)

    @property
    def size(self) -> int:
        """Bytes in the file so far."""
        return self.digest.size

    def _file(self) -> BinaryIO:
        if self._handle is None:
            raise ValueError(f"{self.path} is closed")
        return self._handle

    def write(self, chunk: bytes) -> None:
        """Append ``chunk`` and fold it into the digest."""
        self._file().write(chunk)
        self.digest.update(chunk)

    def restart(self) -> None:
        """Drop everything written so far (the server will send the content from byte 0)."""
        handle = self._file()
        handle.flush()
        handle.truncate(0)
        handle.seek(0)
        self.digest = StreamDigest()
        self.resumed_from = 0

    def finish(self) -> FileDigest:
        """Flush and fsync the file, close it, and return the digest of its whole content."""
        handle = self._file()
        handle.flush()
        os.fsync(handle.fileno())
        handle.close()
        self._handle = None
        return self.digest.result()

    def close(self) -> None:
        """Close the file and keep it, so that a later try can resume from it."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def discard(self) -> None:
        """Close and delete the file: its bytes must never be used."""
        self.close()
        self.path.unlink(missing_ok=True)
