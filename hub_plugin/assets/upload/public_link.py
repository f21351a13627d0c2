"""Reading an uploaded file back from its public link, before a card may name that link.

What the bucket accepted is not always what the public sees (a CDN in front, a mistyped
``--public-url``, a bucket that is not public): so the link the card will carry is asked for. A
file of up to :data:`FULL_READ_LIMIT` bytes is read whole and its sha256 compared; a larger one is
sampled: :data:`SAMPLES` ranged reads of :data:`SAMPLE_BYTES` (start, middle, end), compared with
the same bytes of the local file, and its size taken from ``Content-Range``. A server that ignores
``Range`` is read from the start. Any difference is a :class:`PublicLinkMismatch`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from ...errors import DownloadError
from ...errors import (  # moved to errors.py (issue 26); importable here too
    PublicLinkMismatch as PublicLinkMismatch,
)
from ..links.link_rules import check_url_allowed

FULL_READ_LIMIT = 16 * 1024 * 1024
SAMPLE_BYTES = 1024 * 1024
SAMPLES = 3
TIMEOUT = 30.0


@dataclass(frozen=True)
class ReadBack:
    """What was checked: the size the link announced and how many of its bytes were compared."""

    url: str
    size: int
    compared: int
    whole: bool


def _offsets(size: int) -> list[int]:
    if size <= SAMPLE_BYTES:
        return [0]
    last = size - SAMPLE_BYTES
    return sorted({0, (size // 2) - SAMPLE_BYTES // 2, last})[:SAMPLES]


def read_back(url: str, path: Path, *, size: int, sha256: str, allow_http: bool = False) -> ReadBack:
    """Check that ``url`` serves ``path`` (``size`` bytes, ``sha256``); see the module docstring."""
    import requests

    check_url_allowed(url, allow_http=allow_http)
    session = requests.Session()
    session.headers["Accept-Encoding"] = "identity"
    try:
        if size <= FULL_READ_LIMIT:
            answer = session.get(url, timeout=TIMEOUT)
            _expect(url, answer.status_code, 200)
            data = answer.content
            if len(data) != size:
                raise PublicLinkMismatch(url, f"{len(data)} bytes served, {size} uploaded")
            actual = hashlib.sha256(data).hexdigest()
            if actual != sha256:
                raise PublicLinkMismatch(url, f"sha256 {actual}, uploaded {sha256}")
            return ReadBack(url, size, size, True)
        compared = 0
        with open(path, "rb") as local:
            for offset in _offsets(size):
                end = min(size, offset + SAMPLE_BYTES) - 1
                with session.get(url, headers={"Range": f"bytes={offset}-{end}"}, stream=True,
                                 timeout=TIMEOUT) as answer:
                    _expect(url, answer.status_code, 206, 200)
                    served = _served_size(answer.headers, answer.status_code)
                    if served is not None and served != size:
                        raise PublicLinkMismatch(url, f"{served} bytes served, {size} uploaded")
                    skip = offset if answer.status_code == 200 else 0  # Range ignored: read up to it
                    data = _read_exactly(answer, skip + end - offset + 1)[skip:]
                local.seek(offset)
                if data != local.read(end - offset + 1):
                    raise PublicLinkMismatch(url, f"the bytes from offset {offset} differ")
                compared += len(data)
        return ReadBack(url, size, compared, False)
    except requests.RequestException as error:
        raise DownloadError(url, f"reading the uploaded file back failed: {type(error).__name__}",
                            hint="check --public-url; the card was not written") from error
    finally:
        session.close()


def _expect(url: str, status: int, *wanted: int) -> None:
    if status not in wanted:
        raise DownloadError(url, f"reading the uploaded file back: HTTP {status}", status=status,
                            hint="check --public-url and that the bucket allows public reads; "
                            "the card was not written")


def _served_size(headers: object, status: int) -> int | None:
    get = getattr(headers, "get")  # noqa: B009  (requests' case-insensitive mapping)
    if status == 206:
        total = str(get("Content-Range") or "").rpartition("/")[2]
        return int(total) if total.isdigit() else None
    length = str(get("Content-Length") or "")
    return int(length) if length.isdigit() else None


def _read_exactly(answer: object, count: int) -> bytes:
    chunks: list[bytes] = []
    got = 0
    for chunk in answer.iter_content(chunk_size=256 * 1024):  # type: ignore[attr-defined]
        chunks.append(chunk)
        got += len(chunk)
        if got >= count:
            break
    return b"".join(chunks)[:count]


__all__ = ["FULL_READ_LIMIT", "PublicLinkMismatch", "ReadBack", "read_back"]
