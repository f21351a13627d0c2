"""Whether a link still serves the file the cache holds: its size and its bytes, compared.

``validate --verify-assets`` asks every link in every run. When the cache already holds the blob
of a link's digest (verified by its sha256 when it was stored), downloading the link again would
prove nothing more than comparing what it serves with the blob, so :func:`compare_served` does:

- a file up to :data:`WHOLE_FILE_LIMIT` bytes is fetched whole and compared byte for byte;
- a larger one is asked for :data:`SAMPLES` + 2 ranges of :data:`SAMPLE_LENGTH` bytes: the first,
  the last, and :data:`SAMPLES` at offsets drawn from a generator seeded by the digest and the
  link (the same offsets in every run: a verdict never depends on the run), each compared with the
  same bytes of the blob, and the total size each ``Content-Range`` gives compared with the blob's;
- a server that ignores ``Range`` and sends the whole file is compared over the whole file, as it
  streams (nothing is stored).

What it cannot catch: a server that serves the right size and the right bytes at every one of those
ranges and other bytes elsewhere (a file edited in place, say). The full sha256 is what the first
download of the digest checked.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

from ..core.console import human_size as console_size
from .probe import LinkProbe

#: The bytes of each compared range, and how many ranges at seeded offsets.
SAMPLE_LENGTH = 64 * 1024
SAMPLES = 4
#: Files up to this size are fetched and compared whole (as few requests as the sampled ranges).
WHOLE_FILE_LIMIT = (SAMPLES + 2) * SAMPLE_LENGTH

Verdict = Literal["same", "dead", "different"]


@dataclass(frozen=True, slots=True)
class ServedFile:
    """What a link serves against the cached blob: ``same``, ``dead`` (``detail`` says why) or
    ``different`` (``detail`` says what differs); ``compared`` bytes were compared."""

    verdict: Verdict
    detail: str = ""
    compared: int = 0
    ranges: int = 0


def sample_ranges(size: int, seed: str) -> list[tuple[int, int]]:
    """The byte ranges (first, last, inclusive) compared for a file of ``size`` bytes."""
    if size <= WHOLE_FILE_LIMIT:
        return [(0, size - 1)] if size else []
    generator = random.Random(hashlib.sha256(seed.encode("utf-8")).digest())
    starts = {0, size - SAMPLE_LENGTH}
    starts.update(generator.randrange(0, size - SAMPLE_LENGTH + 1) for _ in range(SAMPLES))
    return [(start, start + SAMPLE_LENGTH - 1) for start in sorted(starts)]


@dataclass(frozen=True, slots=True)
class _Read:
    """What one answer's body was, against the blob."""

    total: int | None
    compared: int
    differs_at: int | None
    whole: bool


class _Comparer:
    """Compares a body with the blob at the offset the server says it starts from."""

    def __init__(self, blob: BinaryIO, wanted: int | None) -> None:
        self.blob = blob
        self.wanted = wanted

    def __call__(self, status: int, start: int, total: int | None, chunks: Iterator[bytes]) -> _Read:
        whole = status == 200
        if start < 0:
            return _Read(total, 0, 0, whole)
        self.blob.seek(start)
        offset = start
        limit = None if whole or self.wanted is None else start + self.wanted
        for chunk in chunks:
            if limit is not None:
                chunk = chunk[: limit - offset]
            if self.blob.read(len(chunk)) != chunk:
                return _Read(total, offset - start, offset, whole)
            offset += len(chunk)
            if limit is not None and offset >= limit:
                break
        if whole and total is None:
            total = offset
        return _Read(total, offset - start, None, whole)


def compare_served(probe: LinkProbe, url: str, blob: Path, size: int, seed: str) -> ServedFile:
    """Compare what ``url`` serves with ``blob`` (``size`` bytes); ``seed`` fixes the offsets."""
    compared = 0
    ranges = 0
    with open(blob, "rb") as handle:
        plan: list[tuple[int, int | None]] = [(0, None)]  # small: the whole file, one GET
        if size > WHOLE_FILE_LIMIT:
            plan = list(sample_ranges(size, seed))
        for first, last in plan:
            wanted = None if last is None else last - first + 1
            result = probe.read(url, first, last, _Comparer(handle, wanted))
            ranges += 1
            if not result.alive:
                return ServedFile("dead", result.reason, compared, ranges)
            read = result.body
            if not isinstance(read, _Read):
                return ServedFile("dead", f"HTTP {result.status} without the file", compared, ranges)
            if read.total is not None and read.total != size:
                return ServedFile("different", f"it serves {human_size(read.total)}, the file of this "
                                  f"sha256 has {human_size(size)}", compared, ranges)
            if read.differs_at is not None:
                return ServedFile("different", f"its bytes differ from the file of this sha256 at "
                                  f"offset {read.differs_at}", compared, ranges)
            if wanted is not None and read.compared < wanted and not read.whole:
                return ServedFile("different", f"it sent {read.compared} of the {wanted} bytes "
                                  f"asked for at offset {first}", compared, ranges)
            compared += read.compared
            if read.whole:  # the server sent the whole file: it is compared, all of it
                break
    return ServedFile("same", "", compared, ranges)


def human_size(size: int) -> str:
    """``3000 bytes`` as ``2.9 KiB (3000 bytes)``; below 1 KiB, ``N bytes``: a size in a finding,
    exact for the comparison, on top of the console's :func:`~..core.console.human_size`."""
    return f"{size} bytes" if size < 1024 else f"{console_size(size)} ({size} bytes)"
