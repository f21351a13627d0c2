"""Asking whether a link is alive, without downloading it (``validate --check-links``).

:meth:`LinkProbe.probe` sends ``HEAD``; where a server refuses ``HEAD`` (``405``, ``501``, and the
``400``/``403`` some object stores answer), it asks again with a one-byte ``Range`` GET and closes
the connection after the headers. The rules are the assets layer's, the same as a download's:

- TLS verification always on; CA bundles and proxies from ``requests``' standard variables;
- redirects followed by hand, at most ``max_redirects``, each hop checked with
  :func:`~hub_plugin.assets.links.link_rules.check_url_allowed` (no downgrade to remote plain HTTP);
- connection failures, timeouts, ``408``, ``429`` and ``5xx`` retried with the policy's backoff,
  honouring ``Retry-After``; other ``4xx`` are final;
- the link is rewritten by ``HUB_PLUGIN_MIRROR`` first (by the caller, with
  :class:`~hub_plugin.assets.links.mirrors.MirrorMap`).

A dead link (a ``4xx`` after redirects, a DNS or TLS failure, no answer after every try) is a
:class:`ProbeResult` with ``alive`` false and the reason; a size the server announces
(``Content-Length``, or the total of a ``Content-Range``) is kept in ``size``. Each thread gets
its own ``requests.Session``, so one probe object serves a :class:`~.host_pool.HostPool`.

:meth:`LinkProbe.read` asks, under the same rules, for a byte range of a link with a ``GET`` and
hands the answer's body to a reader (what ``--verify-assets`` compares with a cached file, see
:mod:`.served_file`).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from ...errors import LinkRefused
from ..download.transfer import (
    RETRY_STATUSES,
    TransferPolicy,
    new_session,
    parse_content_range,
    parse_retry_after,
    short_reason,
)
from .link_rules import check_url_allowed

if TYPE_CHECKING:
    import requests

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
#: to what it found; it raises :class:`OSError` or a ``requests`` error if the body breaks.
BodyReader = Callable[[int, int, "int | None", "Iterator[bytes]"], object]


class _Dead(Exception):
    """Internal: the link is dead and asking again will not help (TLS, DNS, a malformed URL)."""


class _Again(Exception):
    """Internal: this try failed in a way worth another (``delay`` overrides the backoff)."""

    def __init__(self, reason: str, status: int | None = None, delay: float | None = None) -> None:
        super().__init__(reason)
        self.reason, self.status, self.delay = reason, status, delay


class LinkProbe:
    """Probes links under a :class:`TransferPolicy` (``sleep`` and ``jitter`` injectable)."""

    def __init__(
        self,
        policy: TransferPolicy | None = None,
        *,
        allow_http: bool = False,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.policy = policy or TransferPolicy()
        self.allow_http = allow_http
        self._sleep = sleep
        self._jitter = jitter
        self._local = threading.local()

    @property
    def session(self) -> requests.Session:
        """This thread's session (connections are reused between probes of one thread)."""
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = new_session()
            self._local.session = session
        return session

    def probe(self, url: str) -> ProbeResult:
        """Ask for ``url``; never raises for a dead link (the result says so)."""
        return self._retrying(url, self._ask)

    def read(self, url: str, first: int, last: int | None, reader: BodyReader) -> ProbeResult:
        """``GET`` bytes ``first`` to ``last`` of ``url`` (``last`` ``None``: the whole file, no
        ``Range``) and give the answer to ``reader``; its result is the result's ``body``. A body
        cut short is retried like a failed request. Never raises for a dead link."""
        return self._retrying(url, partial(self._ask_range, first=first, last=last, reader=reader))

    def _retrying(self, url: str, ask: _Asker) -> ProbeResult:
        failures = 0
        requests_made = 0
        while True:
            try:
                return self._follow(url, requests_made, ask)
            except (LinkRefused, _Dead) as dead:
                return ProbeResult(url, False, url, reason=str(dead), requests=requests_made + 1)
            except _Again as again:
                requests_made += 1
                failures += 1
                if failures >= self.policy.max_tries:
                    tries = f" after {failures} tries" if failures > 1 else ""
                    return ProbeResult(url, False, url, again.status, reason=f"{again.reason}{tries}",
                                       requests=requests_made)
                delay = again.delay
                if delay is None or delay > self.policy.max_retry_after:
                    delay = self.policy.backoff(failures, self._jitter())
                self._sleep(delay)

    def _follow(self, url: str, made: int, ask: _Asker) -> ProbeResult:
        first, previous = url, None
        for _ in range(self.policy.max_redirects + 1):
            check_url_allowed(url, allow_http=self.allow_http, redirected_from=previous)
            status, location, size, body = self._asking(ask, url)
            made += 1
            if location is not None:
                previous, url = url, urljoin(url, location)
                continue
            if status < 400:
                return ProbeResult(first, True, url, status, size, requests=made, body=body)
            if status in RETRY_STATUSES or status >= 500:
                raise _Again(f"HTTP {status}", status)
            via = f" (redirected to {url})" if url != first else ""
            return ProbeResult(first, False, url, status, reason=f"HTTP {status}{via}", requests=made)
        return ProbeResult(first, False, url, reason=f"more than {self.policy.max_redirects} redirects",
                           requests=made)

    def _ask(self, url: str) -> _Answer:
        """One HEAD (and a one-byte GET where HEAD is refused): status, redirect target, size."""
        timeout = (self.policy.connect_timeout, self.policy.read_timeout)
        headers = {"Accept-Encoding": "identity"}
        with closing(self.session.head(url, headers=headers, timeout=timeout,
                                       allow_redirects=False)) as response:
            if response.status_code in HEAD_REFUSED:
                ranged = {**headers, "Range": "bytes=0-0"}
                with closing(self.session.get(url, headers=ranged, timeout=timeout, stream=True,
                                              allow_redirects=False)) as got:
                    return _answer(got)
            return _answer(response)

    def _ask_range(self, url: str, *, first: int, last: int | None, reader: BodyReader) -> _Answer:
        """One ranged GET whose body goes to ``reader`` when the server sends the file."""
        timeout = (self.policy.connect_timeout, self.policy.read_timeout)
        headers = {"Accept-Encoding": "identity"}
        if last is not None:
            headers["Range"] = f"bytes={first}-{last}"
        with closing(self.session.get(url, headers=headers, timeout=timeout, stream=True,
                                      allow_redirects=False)) as response:
            status, location, size, _ = _answer(response)
            if location is not None or status not in (200, 206):
                return status, location, size, None
            start = 0
            if status == 206:
                content_range = parse_content_range(response.headers.get("Content-Range"))
                start = content_range[0] if content_range else -1
            chunks = response.iter_content(chunk_size=self.policy.chunk_size)
            return status, None, size, reader(status, start, size, chunks)

    def _asking(self, ask: _Asker, url: str) -> _Answer:
        """``ask(url)``, its network failures sorted into dead links and failures worth a retry."""
        import requests

        try:
            return ask(url)
        except requests.exceptions.SSLError as error:
            raise _Dead(f"TLS failed: {short_reason(error)}") from error
        except requests.ConnectTimeout as error:
            raise _Again(f"no connection within {self.policy.connect_timeout:g} s") from error
        except requests.Timeout as error:
            raise _Again(f"no answer within {self.policy.read_timeout:g} s") from error
        except requests.ConnectionError as error:
            reason = short_reason(error)
            if "Name or service not known" in reason or "getaddrinfo" in reason or "resolve" in reason:
                raise _Dead(f"DNS failed: {reason}") from error
            raise _Again(f"connection failed: {reason}") from error
        except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError,
                OSError) as error:
            raise _Again(f"transfer broke: {short_reason(error)}") from error
        except requests.RequestException as error:
            raise _Dead(short_reason(error)) from error


#: One answer: status, redirect target, size, what a body reader made of the body.
_Answer = tuple[int, "str | None", "int | None", object]
_Asker = Callable[[str], _Answer]


def _answer(response: requests.Response) -> _Answer:
    status = response.status_code
    if response.is_redirect:
        return status, response.headers.get("Location", ""), None, None
    if status == 206:
        content_range = parse_content_range(response.headers.get("Content-Range"))
        return status, None, content_range[1] if content_range else None, None
    if status in RETRY_STATUSES or status >= 500:
        wait = parse_retry_after(response.headers.get("Retry-After"))
        if wait is not None:
            raise _Again(f"HTTP {status}", status, delay=wait)
    length = response.headers.get("Content-Length", "")
    return status, None, int(length) if length.isdigit() and status < 300 else None, None
