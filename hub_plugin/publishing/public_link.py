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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..core.http import HttpClient, Response, TransferPolicy, TryFailed
from ..downloads.link_rules import url_check
from ..errors import DownloadError
from ..errors import (  # moved to errors.py (issue 26); importable here too
    PublicLinkMismatch as PublicLinkMismatch,
)

FULL_READ_LIMIT = 16 * 1024 * 1024
SAMPLE_BYTES = 1024 * 1024
SAMPLES = 3
#: The read-back's policy unless the caller gives one: the client's defaults, 30 s to wait for data.
READ_BACK_POLICY = TransferPolicy(read_timeout=30.0)
_HINT = "check --public-url and that the bucket allows public reads; the card was not written"


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


def read_back(url: str, path: Path, *, size: int, sha256: str, allow_http: bool = False,
              policy: TransferPolicy | None = None) -> ReadBack:
    """Check that ``url`` serves ``path`` (``size`` bytes, ``sha256``); see the module docstring.

    The reads go through the one HTTP client (its retries, deadline and link rules) under
    ``policy`` (default :data:`READ_BACK_POLICY`). Raises :class:`PublicLinkMismatch`, or
    :class:`~hub_plugin.errors.DownloadError` when the link cannot be read.
    """
    client = HttpClient(policy or READ_BACK_POLICY, check_url=url_check(allow_http=allow_http))
    headers = {"Accept-Encoding": "identity"}
    if size <= FULL_READ_LIMIT:
        data = _reading(client, url, lambda: _get(client, url, headers, size + 1, 200))
        if len(data) != size:  # read up to one byte more than uploaded: a longer file shows
            served = f"more than {size}" if len(data) > size else str(len(data))
            raise PublicLinkMismatch(url, f"{served} bytes served, {size} uploaded")
        actual = hashlib.sha256(data).hexdigest()
        if actual != sha256:
            raise PublicLinkMismatch(url, f"sha256 {actual}, uploaded {sha256}")
        return ReadBack(url, size, size, True)
    compared = 0
    with open(path, "rb") as local:
        for offset in _offsets(size):
            end = min(size, offset + SAMPLE_BYTES) - 1
            ranged = {**headers, "Range": f"bytes={offset}-{end}"}

            def sample(offset: int = offset, end: int = end, ranged: dict[str, str] = ranged) -> bytes:
                with client.request("GET", url, headers=ranged) as answer:
                    _expect(answer, 206, 200)
                    served = _served_size(answer.headers, answer.status)
                    if served is not None and served != size:
                        raise PublicLinkMismatch(url, f"{served} bytes served, {size} uploaded")
                    skip = offset if answer.status == 200 else 0  # Range ignored: read up to it
                    return _read_exactly(answer, skip + end - offset + 1)[skip:]

            data = _reading(client, url, sample)
            local.seek(offset)
            if data != local.read(end - offset + 1):
                raise PublicLinkMismatch(url, f"the bytes from offset {offset} differ")
            compared += len(data)
    return ReadBack(url, size, compared, False)


def _reading(client: HttpClient, url: str, attempt: Callable[[], bytes]) -> bytes:
    """``attempt`` under the client's retries; a failure is the read-back's one-line error."""
    try:
        return client.retrying(url, attempt)[0]
    except DownloadError as error:
        more = f"; {error.hint}" if error.hint else ""
        raise DownloadError(error.url, f"reading the uploaded file back: {error.reason}",
                            status=error.status, tries=error.tries, hint=_HINT + more) from error


def _get(client: HttpClient, url: str, headers: dict[str, str], limit: int, *wanted: int) -> bytes:
    with client.request("GET", url, headers=headers) as answer:
        _expect(answer, *wanted)
        return _read_exactly(answer, limit)


def _expect(answer: Response, *wanted: int) -> None:
    if answer.status not in wanted:
        raise TryFailed(f"HTTP {answer.status}", final=True, status=answer.status, url=answer.url)


def _served_size(headers: Mapping[str, str], status: int) -> int | None:
    if status == 206:
        total = str(headers.get("Content-Range") or "").rpartition("/")[2]
        return int(total) if total.isdigit() else None
    length = str(headers.get("Content-Length") or "")
    return int(length) if length.isdigit() else None


def _read_exactly(answer: Response, count: int) -> bytes:
    """The body's first ``count`` bytes (fewer when it ends sooner)."""
    chunks: list[bytes] = []
    got = 0
    for chunk in answer.chunks():
        chunks.append(chunk)
        got += len(chunk)
        if got >= count:
            break
    return b"".join(chunks)[:count]


__all__ = ["FULL_READ_LIMIT", "READ_BACK_POLICY", "PublicLinkMismatch", "ReadBack", "read_back"]
