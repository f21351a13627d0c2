"""SHA-256 of files and of byte streams, the one way hub-plugin computes digests of assets.

Two entry points: :func:`hash_file` re-hashes a file on disk (a partial download being resumed, a
blob checked by ``cache verify``), and :class:`StreamDigest` hashes bytes as they stream past (a
download). Both feed :mod:`hashlib` large chunks, so its C code runs with the GIL released and the
Python overhead per byte is negligible; ``bench/bench_hashing.py`` measures :func:`hash_file` against
``hashlib.file_digest`` on a 1 GiB file.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

#: The chunk size used to read files: large enough that per-call overhead vanishes, small enough
#: to keep memory flat.
CHUNK_SIZE = 1 << 20

#: The sha256 of zero bytes: what a download that delivered nothing hashes to.
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()

_HEX_DIGEST = re.compile(r"[0-9a-f]{64}")


def is_full_digest(text: str) -> bool:
    """Whether ``text`` is a complete lower-case sha256 hex digest (64 digits)."""
    return _HEX_DIGEST.fullmatch(text) is not None


def digest_matches(expected: str, actual: str) -> bool:
    """Whether the full digest ``actual`` satisfies ``expected``: equal, or a prefix of it.

    A prefix (as newer hub cards give) is a weak check; callers say so to the user.
    """
    return bool(expected) and actual.startswith(expected)


@dataclass(frozen=True, slots=True)
class FileDigest:
    """The sha256 (lower-case hex) and size in bytes of some content."""

    sha256: str
    size: int


class StreamDigest:
    """A running sha256 and byte count of bytes seen so far (a download in flight)."""

    __slots__ = ("_hash", "size")

    def __init__(self) -> None:
        self._hash = hashlib.sha256()
        self.size = 0

    def update(self, chunk: bytes | bytearray | memoryview) -> None:
        self._hash.update(chunk)
        self.size += len(chunk)

    def result(self) -> FileDigest:
        return FileDigest(self._hash.hexdigest(), self.size)

    @classmethod
    def of_file(cls, path: Path, *, chunk_size: int = CHUNK_SIZE) -> StreamDigest:
        """A digest primed with the whole content of ``path`` (to resume appending to it)."""
        digest = cls()
        _feed_file(digest, path, chunk_size)
        return digest


def _feed_file(digest: StreamDigest, path: Path, chunk_size: int) -> None:
    # One reusable buffer and readinto: no allocation per chunk, so the loop costs only the hash.
    buffer = bytearray(chunk_size)
    view = memoryview(buffer)
    with open(path, "rb", buffering=0) as handle:
        # Not POSIX, or a file system that ignores the advice: either way, read on.
        with contextlib.suppress(AttributeError, OSError):
            os.posix_fadvise(handle.fileno(), 0, 0, os.POSIX_FADV_SEQUENTIAL)
        while True:
            count = handle.readinto(view)
            if not count:
                break
            digest.update(view[:count])


def hash_file(path: Path, *, chunk_size: int = CHUNK_SIZE) -> FileDigest:
    """The sha256 and size of the file at ``path``, read in ``chunk_size`` pieces."""
    return StreamDigest.of_file(Path(path), chunk_size=chunk_size).result()
