"""Moving an asset's bytes into a :class:`~hub_plugin.downloads.partial.PartialDownload`.

The requests, their retries, redirects and deadlines are the one HTTP client's
(:mod:`hub_plugin.core.http`); what is a download's own is the file being filled:

- **Resume.** When the partial file already holds bytes (an earlier try, or a process that died),
  the request carries ``Range: bytes=<size>-``. A ``206`` answer must start exactly there; a server
  that answers ``200`` (it ignores ranges) or starts elsewhere makes the file start over from zero;
  a ``416`` to a resumed request starts over too.
- **Progress resets the tries.** A try that kept at least what the minimum rate asks of one
  ``read_timeout`` (:attr:`TransferPolicy.min_rate <hub_plugin.core.http.TransferPolicy.min_rate>`
  times ``read_timeout`` bytes) starts the count of failed tries again, so a long download over a
  flaky link still finishes, while a server that never delivers (or trickles) gives up after
  ``max_tries``. A host that cannot be reached at all fails at once, naming the ways forward
  (``--offline``, a mirror).
- **Other 4xx** fail at once with a :class:`~hub_plugin.errors.DownloadError`.

Content is requested with ``Accept-Encoding: identity`` and read undecoded, up to the length the
server announced and no further (:mod:`.response_body`), so that byte ranges and digests are about
the file as sent. The digest is not checked here: that is :func:`hub_plugin.downloads.fetch`'s job.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..core.http import HttpClient, Response, TransferPolicy, TryFailed
from ..core.progress import Progress, SilentProgress
from ..errors import DownloadError
from .link_rules import url_check
from .partial import PartialDownload
from .response_body import body_limit, content_length, parse_byte_range, too_long

if TYPE_CHECKING:
    from ..core.http import Session

__all__ = ["WAYS_FORWARD", "HttpTransfer", "TransferPolicy", "TransferReport"]

#: What a person can do when a host cannot be reached at all.
WAYS_FORWARD = ("ways forward: --offline (HUB_PLUGIN_OFFLINE=1) with a filled cache, or "
                "HUB_PLUGIN_MIRROR=PREFIX=REPLACEMENT to fetch from a mirror")


@dataclass(frozen=True, slots=True)
class TransferReport:
    """How a transfer went: the URL that answered, the length it announced, the requests made,
    and whether any bytes came from resuming."""

    url: str
    announced: int | None
    requests: int
    resumed: bool


class HttpTransfer:
    """Downloads URLs into partial files under a :class:`~hub_plugin.core.http.TransferPolicy`,
    through one :class:`~hub_plugin.core.http.HttpClient` (every hop checked by the link rules).

    ``session`` is a ``requests.Session`` to reuse (each thread makes one otherwise); ``sleep``
    and ``jitter`` are injectable so tests run without waiting.
    """

    def __init__(
        self,
        policy: TransferPolicy | None = None,
        *,
        session: Session | None = None,
        allow_http: bool = False,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.client = HttpClient(policy, check_url=url_check(allow_http=allow_http), session=session,
                                 sleep=sleep, jitter=jitter, unreachable_hint=WAYS_FORWARD)
        self.policy = self.client.policy
        self.allow_http = allow_http

    def download(
        self,
        url: str,
        partial: PartialDownload,
        *,
        progress: Progress | None = None,
        description: str = "",
    ) -> TransferReport:
        """Fill ``partial`` with the content at ``url``, resuming from what it holds.

        Raises :class:`~hub_plugin.errors.DownloadError` when the server refuses or every try
        failed, :class:`~hub_plugin.errors.LinkRefused` for a link (or redirect) not allowed.
        """
        shown = progress or SilentProgress()
        resumed = partial.size > 0
        policy = self.policy
        kept_enough = policy.min_rate * policy.read_timeout
        offset = partial.size

        def attempt() -> int | None:
            nonlocal offset, resumed
            offset = partial.size
            resumed = resumed or offset > 0
            return self._try_once(url, partial, shown, description)

        def progressed() -> bool:
            return partial.size > offset and partial.size - offset >= kept_enough

        announced, tries = self.client.retrying(url, attempt, progressed=progressed)
        return TransferReport(url, announced, tries, resumed)

    def _try_once(
        self, url: str, partial: PartialDownload, progress: Progress, description: str
    ) -> int | None:
        """One request: the announced length, or :class:`~hub_plugin.core.http.TryFailed`."""
        offset = partial.size
        headers = {"Accept-Encoding": "identity"}
        if offset:
            headers["Range"] = f"bytes={offset}-"
        with self.client.request("GET", url, headers=headers) as response:
            announced, end = self._expect_body(response, offset, partial, progress)
            answered = response.url
            max_size = self.policy.max_size
            if announced is not None and max_size is not None and announced > max_size:
                raise DownloadError(answered, f"the server announces {announced} bytes, more than "
                                    f"the {max_size} allowed")
            if announced is not None:
                partial.ensure_room(announced)
            limit = body_limit(end, partial.size, partial.path.parent, max_size)
            progress.start(description, announced, completed=partial.size)
            for chunk in response.chunks():
                if partial.size + len(chunk) > limit:  # the server broke its word: keep nothing
                    partial.restart()
                    raise too_long(answered, limit, end)
                partial.write(chunk)  # a local write error (disk full) is not retried
                progress.advance(len(chunk))
            if announced is not None and partial.size < announced:
                raise TryFailed(f"body ended at {partial.size} of {announced} bytes")
            return announced

    @staticmethod
    def _expect_body(response: Response, offset: int, partial: PartialDownload,
                     progress: Progress) -> tuple[int | None, int | None]:
        """``(the whole file's announced length, its size once this body is written)`` of an
        answer that brings the file (or the rest of it); otherwise raises."""
        status, answered = response.status, response.url
        if status == 206:
            content_range = parse_byte_range(response.headers.get("Content-Range"))
            length = content_length(response.headers)
            if content_range is None or content_range.first != offset or (
                length is not None and length != content_range.length
            ):
                partial.restart()
                progress.reset(0)
                got = response.headers.get("Content-Range")
                raise TryFailed(f"{answered} answered range {got!r} for a file resumed at {offset} "
                                "bytes; starting over", delay=0)
            end = content_range.last + 1
            return (end if content_range.total is None else content_range.total), end
        if status == 200:
            if offset:  # the server ignored the Range header: it sends everything again
                partial.restart()
                progress.reset(0)
            announced = content_length(response.headers)
            return announced, announced
        if status == 416 and offset:
            partial.restart()
            progress.reset(0)
            raise TryFailed("the server cannot resume (416); starting over", status=status)
        raise DownloadError(answered, f"HTTP {status} {response.reason}".rstrip(), status=status)
