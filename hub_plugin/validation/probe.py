"""Asking whether a link is alive, without downloading it (``validate --check-links``).

:meth:`LinkProbe.probe` sends ``HEAD``; where a server refuses ``HEAD`` (``405``, ``501``, and the
``400``/``403`` some object stores answer), it asks again with a one-byte ``Range`` GET and closes
the connection after the headers. The requests are the one HTTP client's
(:class:`~hub_plugin.core.http.HttpClient`), under the same rules as a download's: redirects
checked hop by hop with :func:`~hub_plugin.downloads.link_rules.check_url_allowed`, the same
retry policy (which failures are final, backoff, ``Retry-After`` and its cap) and the same
deadline per request. The link is rewritten by ``HUB_PLUGIN_MIRROR`` first (by the caller, with
:class:`~hub_plugin.downloads.mirrors.MirrorMap`).

A dead link (a ``4xx`` after redirects, a final failure, no answer after every try) is a
:class:`ProbeResult` with ``alive`` false and the reason; a size the server announces
(``Content-Length``, or the total of a ``Content-Range``) is kept in ``size``. The client keeps a
session per thread, so one probe object serves a :class:`~.host_pool.HostPool`.

:meth:`LinkProbe.read` asks, under the same rules, for a byte range of a link with a ``GET`` and
hands the answer's body to a reader (what ``--verify-assets`` compares with a cached file, see
:mod:`.served_file`).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ..core.http import HttpClient, Response, TransferPolicy
from ..downloads.link_rules import url_check
from ..downloads.response_body import content_length, parse_byte_range
from ..errors import DownloadError, LinkRefused

#: Answers to HEAD after which the same question is asked with a one-byte GET.
HEAD_REFUSED = frozenset({400, 403, 405, 501})


@dataclass(frozen=True, slots=True)
class ProbeResult:
    """What asking for ``url`` gave: alive or not, the last URL asked, its status and size."""

    url: str
    alive: bool
    final_url: str
    status: int | None = None
    size: int | None = None
    reason: str = ""
    requests: int = 0
    #: What the reader of :meth:`LinkProbe.read` made of the body (``None`` for a probe).
    body: object = None


#: A reader of :meth:`LinkProbe.read`: (status, first byte sent, total size or None, body chunks)
#: to what it found; the chunks raise :class:`~hub_plugin.core.http.TryFailed` if the body breaks
#: or comes too slowly (the read is then tried again).
BodyReader = Callable[[int, int, "int | None", "Iterator[bytes]"], object]


class LinkProbe:
    """Probes links under a :class:`~hub_plugin.core.http.TransferPolicy` (``sleep`` and
    ``jitter`` injectable)."""

    def __init__(
        self,
        policy: TransferPolicy | None = None,
        *,
        allow_http: bool = False,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.client = HttpClient(policy, check_url=url_check(allow_http=allow_http), sleep=sleep,
                                 jitter=jitter)
        self.policy = self.client.policy
        self.allow_http = allow_http

    def probe(self, url: str) -> ProbeResult:
        """Ask for ``url``; never raises for a dead link (the result says so)."""
        return self._retrying(url, lambda: self._ask(url))

    def read(self, url: str, first: int, last: int | None, reader: BodyReader) -> ProbeResult:
        """``GET`` bytes ``first`` to ``last`` of ``url`` (``last`` ``None``: the whole file, no
        ``Range``) and give the answer to ``reader``; its result is the result's ``body``. A body
        cut short is retried like a failed request. Never raises for a dead link."""
        return self._retrying(url, lambda: self._ask_range(url, first, last, reader))

    def _retrying(self, url: str, ask: Callable[[], ProbeResult]) -> ProbeResult:
        try:
            result, tries = self.client.retrying(url, ask)
        except LinkRefused as refused:
            return ProbeResult(url, False, url, reason=str(refused), requests=1)
        except DownloadError as dead:
            reason = dead.reason + (f" after {dead.tries} tries" if dead.tries > 1 else "")
            reason += f" ({dead.hint})" if dead.hint else ""
            return ProbeResult(url, False, dead.url, dead.status, reason=reason, requests=dead.tries)
        return ProbeResult(result.url, result.alive, result.final_url, result.status, result.size,
                           result.reason, tries, result.body)

    def _ask(self, url: str) -> ProbeResult:
        """One HEAD (and a one-byte GET where HEAD is refused): status and size."""
        headers = {"Accept-Encoding": "identity"}
        with self.client.request("HEAD", url, headers=headers, keep=HEAD_REFUSED) as response:
            if response.status not in HEAD_REFUSED:
                return _result(url, response)
            final = response.url
        with self.client.request("GET", final, headers={**headers, "Range": "bytes=0-0"}) as got:
            return _result(url, got)

    def _ask_range(self, url: str, first: int, last: int | None, reader: BodyReader) -> ProbeResult:
        """One ranged GET whose body goes to ``reader`` when the server sends the file."""
        headers = {"Accept-Encoding": "identity"}
        if last is not None:
            headers["Range"] = f"bytes={first}-{last}"
        with self.client.request("GET", url, headers=headers) as response:
            result = _result(url, response)
            if response.status not in (200, 206):
                return result
            start = 0
            if response.status == 206:
                content_range = parse_byte_range(response.headers.get("Content-Range"))
                start = content_range.first if content_range else -1
            body = reader(response.status, start, result.size, response.chunks())
            return ProbeResult(url, True, response.url, response.status, result.size, body=body)


def _result(url: str, response: Response) -> ProbeResult:
    """What an answer says of the link: alive below ``400`` (with the size it announces)."""
    status, final = response.status, response.url
    if status >= 400:
        via = f" (redirected to {final})" if final != url else ""
        return ProbeResult(url, False, final, status, reason=f"HTTP {status}{via}")
    size: int | None = None
    if status == 206:
        content_range = parse_byte_range(response.headers.get("Content-Range"))
        size = content_range.total if content_range else None
    elif status < 300:
        size = content_length(response.headers)
    return ProbeResult(url, True, final, status, size)
