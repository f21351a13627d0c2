"""A response body as the server sent it: never decoded, never longer than announced.

What the cache stores must be the server's file, byte for byte, and no more of it than the disk was
told to expect:

- **Identity.** Requests carry ``Accept-Encoding: identity``, and the body is read from the raw
  stream with ``decode_content=False``: a ``Content-Encoding: gzip`` answer is stored as the gzip
  bytes the server sent, and hashed as such (so 1 MiB on the wire is 1 MiB on disk, and a card's
  sha256 is checked against what was sent, not against what a decoder made of it).
- **Announced length.** A ``200`` announces ``Content-Length``; a ``206`` its ``Content-Range``
  (``bytes first-last/total``), which must start where the partial file ends, fit inside ``total``
  and agree with ``Content-Length`` when both are given. Writing stops at that length: a byte past
  it is a :class:`~hub_plugin.errors.DownloadError`, not a bigger file.
- **No length.** A body with no announced length (chunked, or ended by closing) may hold at most
  :attr:`TransferPolicy.max_size <hub_plugin.core.http.TransferPolicy.max_size>` bytes, or else what the disk
  holds less :data:`FREE_SPACE_RESERVE` (at most a twentieth of it): a server that sends forever
  stops at that, not at a full disk.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import DownloadError

#: Bytes left free on the cache's disk by a download whose length nobody announced (or a twentieth
#: of the free space, when that is less).
FREE_SPACE_RESERVE = 256 * 1024 * 1024

_CONTENT_RANGE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+|\*)")


@dataclass(frozen=True, slots=True)
class ContentRange:
    """``Content-Range: bytes first-last/total`` (``total`` ``None`` for ``*``)."""

    first: int
    last: int
    total: int | None

    @property
    def length(self) -> int:
        return self.last - self.first + 1


def parse_byte_range(value: str | None) -> ContentRange | None:
    """The parts of ``Content-Range: bytes a-b/total``, or ``None`` when it is not that form or
    does not hold together (``b`` before ``a``, or past the total)."""
    match = _CONTENT_RANGE.fullmatch((value or "").strip())
    if match is None:
        return None
    first, last = int(match[1]), int(match[2])
    total = None if match[3] == "*" else int(match[3])
    if last < first or (total is not None and last >= total):
        return None
    return ContentRange(first, last, total)


def content_length(headers: Mapping[str, str]) -> int | None:
    """``Content-Length`` as a number, or ``None`` when absent or not a plain decimal."""
    value = headers.get("Content-Length", "").strip()
    return int(value) if value.isdigit() else None


def body_limit(announced: int | None, written: int, folder: Path, max_size: int | None) -> int:
    """The file size writing must not pass: the announced length when there is one, else
    ``max_size``, else what ``folder``'s disk can take less :data:`FREE_SPACE_RESERVE`."""
    if announced is not None:
        return announced
    if max_size is not None:
        return max_size
    free = shutil.disk_usage(folder).free
    return written + free - min(FREE_SPACE_RESERVE, free // 20)


def too_long(url: str, limit: int, announced: int | None) -> DownloadError:
    """The error for a body that goes past ``limit``."""
    if announced is not None:
        return DownloadError(url, f"the server sent more than the {announced} bytes it announced")
    return DownloadError(
        url,
        f"the server sent more than {limit} bytes without announcing a length",
        hint="the cache's disk would fill; free some space or ask the server for a Content-Length",
    )
