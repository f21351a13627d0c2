"""Moving an asset's bytes into a :class:`~hub_plugin.assets.download.partial.PartialDownload`.

Over HTTP(S), with ``requests``, streamed, and correct under the faults real servers show:

- **Resume.** When the partial file already holds bytes (an earlier try, or a process that died),
  the request carries ``Range: bytes=<size>-``. A ``206`` answer must start exactly there; a server
  that answers ``200`` (it ignores ranges) or starts elsewhere makes the file start over from zero.
- **Retries.** Timeouts, connections dropped, bodies cut short, ``408``, ``429`` and ``5xx`` are
  retried with exponential backoff and jitter, honouring ``Retry-After``; other ``4xx`` fail at
  once. A try that delivered bytes resets the count, so a long download over a flaky link still
  finishes, while a server that never delivers gives up after ``max_tries``. A host name that
  does not resolve and a connection the host refuses fail at once: another try cannot help, and
  the error names the ways forward (``--offline``, a mirror).
- **Timeouts.** Separate connect and read timeouts (the read timeout bounds each wait for data, so
  a stalled server is detected however large the file).
- **Redirects.** Followed by hand, at most ``max_redirects``, each hop checked against the link
  policy of :mod:`~hub_plugin.assets.links.link_rules` (so a redirect cannot downgrade to remote plain HTTP).
- **TLS.** Verification is never turned off; CA bundles and proxies come from ``requests``'
  standard variables (``REQUESTS_CA_BUNDLE``, ``HTTPS_PROXY``, ``NO_PROXY``, ...).

Content is requested with ``Accept-Encoding: identity`` and read undecoded, up to the length the
server announced and no further (:mod:`.response_body`), so that byte ranges and digests are about
the file as sent. The digest is not checked here: that is :func:`hub_plugin.assets.download.fetch`'s job.
"""

from __future__ import annotations

import email.utils
import random
import re
import socket
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from ..._version import __version__
from ...core.progress import Progress, SilentProgress
from ...errors import DownloadError, UsageError
from ..links.link_rules import check_url_allowed
from .hashing import CHUNK_SIZE
from .partial import PartialDownload
from .response_body import body_limit, content_length, parse_byte_range, raw_chunks, too_long

if TYPE_CHECKING:
    import requests

#: Statuses worth another try: request timeout, rate limiting, and server errors (``5xx``).
RETRY_STATUSES = frozenset({408, 429})

# urllib3 starts messages with the connection object: "HTTPConnection(host=..., port=...): ".
_URLLIB3_PREFIX = re.compile(r"^(<[^>]*>|\w+\(host=[^)]*\)): ")


def new_session() -> requests.Session:
    """A ``requests`` session that says who is asking (``User-Agent: hub-plugin/<version>``)."""
    import requests

    session = requests.Session()
    session.headers["User-Agent"] = f"hub-plugin/{__version__}"
    return session


@dataclass(frozen=True, slots=True)
class TransferPolicy:
    """Timeouts, retry and redirect limits of a transfer (seconds, counts, bytes).

    The defaults suit a large checkpoint over the internet; tests pass tiny values.
    ``backoff(n)`` before the n-th retry is ``min(backoff_max, backoff_base * 2**(n-1))`` times a
    random factor in [0.5, 1) (the jitter keeps many clients from retrying in step). A
    ``Retry-After`` longer than ``max_retry_after`` is not waited for: the transfer fails saying so.
    ``max_size`` caps an asset's bytes (``None``: what the disk holds, see :mod:`.response_body`).
    """

    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    max_tries: int = 5
    backoff_base: float = 1.0
    backoff_max: float = 30.0
    max_retry_after: float = 300.0
    max_redirects: int = 5
    chunk_size: int = CHUNK_SIZE
    max_size: int | None = None

    def backoff(self, failures: int, jitter: float) -> float:
        """The wait before retry number ``failures`` (from 1), for a ``jitter`` in [0, 1)."""
        ceiling = min(self.backoff_max, self.backoff_base * 2.0 ** max(0, failures - 1))
        return ceiling * (0.5 + jitter / 2)

    def with_options(self, timeout: float | None = None, tries: int | None = None) -> TransferPolicy:
        """This policy with the command line's ``--timeout`` (connect and read) and ``--tries``;
        ``None`` keeps a value. Raises :class:`UsageError` for a timeout not above 0 or tries below 1."""
        policy = self
        if timeout is not None:
            if timeout <= 0:
                raise UsageError("--timeout must be a positive number of seconds")
            policy = replace(policy, connect_timeout=timeout, read_timeout=timeout)
        if tries is not None:
            if tries < 1:
                raise UsageError("--tries must be at least 1")
            policy = replace(policy, max_tries=tries)
        return policy


@dataclass(frozen=True, slots=True)
class TransferReport:
    """How a transfer went: the URL that answered, the length it announced, the requests made,
    and whether any bytes came from resuming."""

    url: str
    announced: int | None
    requests: int
    resumed: bool


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


def parse_content_range(value: str | None) -> tuple[int, int | None] | None:
    """``(first byte, total length or None)`` from ``Content-Range: bytes a-b/total``."""
    parsed = parse_byte_range(value)
    return None if parsed is None else (parsed.first, parsed.total)


class _Retry(Exception):
    """Internal: this try failed in a way worth another (``delay`` overrides the backoff)."""

    def __init__(self, reason: str, *, status: int | None = None, delay: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.delay = delay


class HttpTransfer:
    """Downloads URLs into partial files under a :class:`TransferPolicy`.

    ``session`` is a ``requests.Session`` to reuse (one is made otherwise); ``sleep`` and
    ``jitter`` are injectable so tests run without waiting.
    """

    def __init__(
        self,
        policy: TransferPolicy | None = None,
        *,
        session: requests.Session | None = None,
        allow_http: bool = False,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.policy = policy or TransferPolicy()
        self.allow_http = allow_http
        self._session = session
        self._sleep = sleep
        self._jitter = jitter

    @property
    def session(self) -> requests.Session:
        if self._session is None:
            self._session = new_session()
        return self._session

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
        progress = progress or SilentProgress()
        policy = self.policy
        requests_made = 0
        failures = 0
        resumed = partial.size > 0
        while True:
            requests_made += 1
            offset = partial.size
            try:
                announced = self._try_once(url, partial, progress, description)
            except _Retry as retry:
                failures = 0 if partial.size > offset else failures + 1
                resumed = resumed or partial.size > 0
                if failures >= policy.max_tries:
                    raise DownloadError(
                        url, retry.reason, status=retry.status, tries=requests_made
                    ) from retry
                delay = retry.delay
                if delay is None:
                    delay = policy.backoff(max(failures, 1), self._jitter())
                self._sleep(delay)
                continue
            return TransferReport(url, announced, requests_made, resumed)

    def _try_once(
        self, url: str, partial: PartialDownload, progress: Progress, description: str
    ) -> int | None:
        """One request; returns the announced length, or raises :class:`_Retry`."""
        import requests
        import urllib3

        offset = partial.size
        headers = {"Accept-Encoding": "identity"}
        if offset:
            headers["Range"] = f"bytes={offset}-"
        try:
            response, answered = self._open(url, headers)
        except requests.exceptions.SSLError as error:
            raise DownloadError(
                url,
                f"TLS failed: {_short(error)}",
                hint="for a private CA set REQUESTS_CA_BUNDLE; verification stays on",
            ) from error
        except requests.ConnectTimeout as error:
            raise _Retry(f"no connection within {self.policy.connect_timeout:g} s") from error
        except requests.Timeout as error:
            raise _Retry(f"no answer within {self.policy.read_timeout:g} s") from error
        except requests.ConnectionError as error:
            unreachable = _unreachable(error)
            if unreachable:  # DNS or a refusal: the next try would fail the same way
                raise DownloadError(url, f"{unreachable}: {_short(error)}", hint=WAYS_FORWARD) from error
            raise _Retry(f"connection failed: {_short(error)}") from error
        except requests.RequestException as error:  # an invalid URL, a bad header, ...
            raise DownloadError(url, _short(error)) from error

        with closing(response):
            status = response.status_code
            announced: int | None  # the length of the whole file
            end: int | None  # the file's size once this body is written
            if status == 206:
                content_range = parse_byte_range(response.headers.get("Content-Range"))
                length = content_length(response)
                if content_range is None or content_range.first != offset or (
                    length is not None and length != content_range.length
                ):
                    partial.restart()
                    progress.reset(0)
                    got = response.headers.get("Content-Range")
                    raise _Retry(f"{answered} answered range {got!r} for a file resumed at {offset} "
                                 "bytes; starting over", delay=0)
                end = content_range.last + 1
                announced = end if content_range.total is None else content_range.total
            elif status == 200:
                if offset:  # the server ignored the Range header: it sends everything again
                    partial.restart()
                    progress.reset(0)
                announced = end = content_length(response)
            elif status == 416 and offset:
                partial.restart()
                progress.reset(0)
                raise _Retry("the server cannot resume (416); starting over", status=status)
            elif status in RETRY_STATUSES or 500 <= status < 600:
                wait = parse_retry_after(response.headers.get("Retry-After"))
                if wait is not None and wait > self.policy.max_retry_after:
                    raise DownloadError(
                        answered,
                        f"HTTP {status} {response.reason}",
                        status=status,
                        hint=f"the server asks to retry after {wait:.0f} s",
                    )
                raise _Retry(f"HTTP {status} {response.reason}", status=status, delay=wait)
            else:
                raise DownloadError(answered, f"HTTP {status} {response.reason}", status=status)

            max_size = self.policy.max_size
            if announced is not None and max_size is not None and announced > max_size:
                raise DownloadError(answered, f"the server announces {announced} bytes, more than "
                                    f"the {max_size} allowed")
            if announced is not None:
                partial.ensure_room(announced)
            limit = body_limit(end, partial.size, partial.path.parent, max_size)
            progress.start(description, announced, completed=partial.size)
            chunks = raw_chunks(response, self.policy.chunk_size)
            while True:
                try:
                    chunk = next(chunks)
                except StopIteration:
                    break
                except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as error:
                    reason = f"transfer broke after {partial.size} bytes: {_short(error)}"
                    raise _Retry(reason) from error
                if partial.size + len(chunk) > limit:  # the server broke its word: keep nothing
                    partial.restart()
                    raise too_long(answered, limit, end)
                partial.write(chunk)  # a local write error (disk full) is not retried
                progress.advance(len(chunk))
            if announced is not None and partial.size < announced:
                raise _Retry(f"body ended at {partial.size} of {announced} bytes")
            return announced

    def _open(self, url: str, headers: dict[str, str]) -> tuple[requests.Response, str]:
        """GET ``url``, following at most ``max_redirects`` redirects, each hop checked."""
        timeout = (self.policy.connect_timeout, self.policy.read_timeout)
        previous: str | None = None
        for _ in range(self.policy.max_redirects + 1):
            check_url_allowed(url, allow_http=self.allow_http, redirected_from=previous)
            response = self.session.get(
                url, headers=headers, stream=True, timeout=timeout, allow_redirects=False
            )
            if not response.is_redirect:
                return response, url
            location = response.headers.get("Location", "")
            response.close()
            previous, url = url, urljoin(url, location)
        raise DownloadError(url, f"more than {self.policy.max_redirects} redirects")


#: What a person can do when a host cannot be reached at all.
WAYS_FORWARD = ("ways forward: --offline (HUB_PLUGIN_OFFLINE=1) with a filled cache, or "
                "HUB_PLUGIN_MIRROR=PREFIX=REPLACEMENT to fetch from a mirror")


def _unreachable(error: BaseException) -> str | None:
    """``"host not found"`` (a :class:`socket.gaierror` among the causes of ``error``) or
    ``"connection refused"`` (a :class:`ConnectionRefusedError`), else None."""
    pending, seen = [error], set()
    while pending:
        if id(current := pending.pop()) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, socket.gaierror | ConnectionRefusedError):
            return "host not found" if isinstance(current, socket.gaierror) else "connection refused"
        pending += [c for c in (getattr(current, "reason", None), *current.args, current.__cause__,
                                current.__context__) if isinstance(c, BaseException)]
    return None


def short_reason(error: BaseException) -> str:
    """A one-line description of a network error (see :func:`_short`)."""
    return _short(error)


def _short(error: BaseException) -> str:
    """A one-line description of a network error.

    ``requests`` nests urllib3's errors several deep ("Max retries exceeded ... Caused by
    NewConnectionError(...)"); the useful part is the innermost cause, such as the operating
    system's "Connection refused".
    """
    innermost: BaseException = error
    seen = {id(error)}
    while True:
        reason = getattr(innermost, "reason", None)
        nested = innermost.args[0] if innermost.args else None
        following = next(
            (
                candidate
                for candidate in (reason, nested, innermost.__cause__, innermost.__context__)
                if isinstance(candidate, BaseException) and id(candidate) not in seen
            ),
            None,
        )
        if following is None:
            break
        seen.add(id(following))
        innermost = following
    if isinstance(innermost, OSError) and innermost.strerror:
        text = innermost.strerror
    else:
        text = _URLLIB3_PREFIX.sub("", str(innermost)) or type(innermost).__name__
    text = text.splitlines()[0] if text else type(error).__name__
    return text if len(text) <= 160 else text[:157] + "..."
