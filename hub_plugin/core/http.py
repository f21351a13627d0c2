"""The one HTTP client: every request hub-plugin makes goes through :class:`HttpClient`.

Downloads (:mod:`~hub_plugin.downloads.transfer`), ``validate --check-links`` and
``--verify-assets`` (:mod:`~hub_plugin.validation.probe`) and publish's read-back
(:mod:`~hub_plugin.publishing.public_link`) share one session type, one redirect rule, one retry
policy and one deadline. This is the only module of ``hub_plugin`` that imports ``requests``
(``tests/core/test_http.py`` checks it); it imports no feature.

- **Session.** ``User-Agent: hub-plugin/<version>``; TLS verification always on; CA bundles and
  proxies from ``requests``' standard variables (``REQUESTS_CA_BUNDLE``, ``HTTPS_PROXY``,
  ``NO_PROXY``, ...). Each thread gets its own session, so one client serves a pool of threads.
- **Redirects.** Followed by hand, at most :attr:`TransferPolicy.max_redirects`, and every hop,
  the first included, is put to the caller's :data:`UrlCheck` (the downloads feature passes
  :func:`~hub_plugin.downloads.link_rules.url_check`: no downgrade to remote plain HTTP, no
  redirect from a remote host to this machine).
- **Which failures are final** (:func:`classify` for exceptions, :func:`status_failure` for
  statuses): a host name that does not resolve, a connection the host refuses, a TLS failure, a
  malformed URL, a redirect loop, and every ``4xx`` but ``408`` (Request Timeout, RFC 9110
  §15.5.9), ``425`` (Too Early, RFC 8470 §5.2) and ``429`` (Too Many Requests, RFC 6585 §4). Another
  try cannot help them, so none is made. Everything else (timeouts, connections dropped, bodies cut
  short or too slow, those three statuses and every ``5xx``) is retried.
- **No network at all** (:func:`network_missing`): when no resolver answers (``getaddrinfo``'s
  ``EAI_AGAIN``, "Temporary failure in name resolution") or connecting finds no route
  (``ENETUNREACH``, ``EHOSTUNREACH``) *and* the kernel has no route out of this machine (or, for
  the resolver, none to any nameserver of ``/etc/resolv.conf``), the failure is the machine's, not
  the host's: :meth:`HttpClient.request` raises :class:`~hub_plugin.errors.NoNetworkAccess` (exit
  2), never a dead link or a failed download. A name the resolver says does not exist
  (``EAI_NONAME``, a ``.invalid`` host), a refusal, or one host without a route while the machine
  has one stay that host's failure. Asking the route table sends nothing (a UDP ``connect``), so a
  machine without network is told apart at once, and loopback servers are never affected.
- **Backoff.** Before the n-th retry, ``min(backoff_max, backoff_base * 2**(n-1))`` times a random
  factor in [0.5, 1) (the jitter keeps many clients from retrying in step), unless the server said
  ``Retry-After`` (RFC 9110 §10.2.3): that is waited for, up to ``max_retry_after``. **A
  ``Retry-After`` above the cap is a final failure**, for downloads, probes and read-backs alike:
  the server says it will not be ready within the time this command may take, and waiting less
  than it asked would only be refused again. The error says how long it asked for.
- **Deadline per request** (so that no server holds a command past ``--timeout`` and ``--tries``):
  a connection within ``connect_timeout``; the first byte of the answer within ``read_timeout``
  and the rest of the status line and headers within another ``read_timeout`` (a watchdog shuts
  the socket when they trickle); then the body at :attr:`TransferPolicy.min_rate` bytes a second
  or more, measured over every ``read_timeout`` seconds spent waiting for it (curl's
  ``--speed-limit``/``--speed-time``), and no single wait longer than ``read_timeout``. A server
  that sends one byte every 2 s fails a try after about ``read_timeout`` seconds.

Bodies are read as sent (``Accept-Encoding: identity`` is the caller's to ask; bytes are never
decoded) and as they arrive (``read1``), so byte ranges and digests are about the file as served
and a trickle is seen as one. Resuming (``Range``) is the download feature's: the client streams.
"""

from __future__ import annotations

import contextlib
import email.utils
import errno
import os
import random
import re
import select
import socket
import threading
import time
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, replace
from functools import cache
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urljoin

from .._version import __version__
from ..errors import DownloadError, NoNetworkAccess, UsageError
from ..errors import TryFailed as TryFailed

if TYPE_CHECKING:
    import requests
    from requests import Session as Session  # for the features' annotations: they import no requests

T = TypeVar("T")

#: ``check(url, redirected_from)``: raises (a :class:`~hub_plugin.errors.LinkRefused`) unless
#: ``url`` may be requested; ``redirected_from`` is the URL whose answer redirected here, or None.
UrlCheck = Callable[[str, "str | None"], None]

#: Statuses retried besides every ``5xx``: Request Timeout, Too Early, Too Many Requests.
RETRY_STATUSES = frozenset({408, 425, 429})

# urllib3 starts messages with the connection object: "HTTPConnection(host=..., port=...): ".
_URLLIB3_PREFIX = re.compile(r"^(<[^>]*>|\w+\(host=[^)]*\)): ")


@dataclass(frozen=True, slots=True)
class TransferPolicy:
    """Timeouts, the minimum rate, retry and redirect limits of a request (seconds, counts, bytes).

    The defaults suit a large checkpoint over the internet; tests pass tiny values. ``--timeout``
    sets ``connect_timeout`` and ``read_timeout``, ``--tries`` ``max_tries``
    (:meth:`with_options`). ``min_rate`` (bytes a second) applies to a body over every
    ``read_timeout`` seconds spent waiting for it. ``chunk_size`` is the most one read returns;
    ``max_size`` caps an asset's bytes (``None``: what the disk holds; a download's rule).
    """

    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    min_rate: float = 1024.0
    max_tries: int = 5
    backoff_base: float = 1.0
    backoff_max: float = 30.0
    max_retry_after: float = 300.0
    max_redirects: int = 5
    chunk_size: int = 1 << 20
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


def is_retried_status(status: int) -> bool:
    """Whether an answer with ``status`` is worth another try (``408``, ``425``, ``429``, ``5xx``)."""
    return status in RETRY_STATUSES or 500 <= status < 600


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


def status_failure(status: int, reason: str, headers: Mapping[str, str], policy: TransferPolicy,
                   url: str) -> TryFailed | None:
    """The failure an answer with a retried ``status`` is (``None`` for any other status: the
    caller decides what a ``4xx`` means to it). A ``Retry-After`` over the cap makes it final."""
    if not is_retried_status(status):
        return None
    what = f"HTTP {status} {reason}".rstrip()
    wait = parse_retry_after(headers.get("Retry-After"))
    if wait is not None and wait > policy.max_retry_after:
        return TryFailed(what, final=True, status=status, url=url,
                         hint=f"the server asks to retry after {wait:.0f} s, more than the "
                         f"{policy.max_retry_after:g} s allowed")
    return TryFailed(what, status=status, delay=wait, url=url)


def classify(error: BaseException, policy: TransferPolicy) -> TryFailed:
    """The one sorting of ``requests``', urllib3's and the system's errors into final failures and
    failures worth another try (see the module docstring). Whether the failure is the machine's
    (no network at all) is asked first, by :func:`network_missing`: :meth:`HttpClient.request`
    raises :class:`~hub_plugin.errors.NoNetworkAccess` for it instead of classifying it."""
    import requests
    import urllib3

    if _among_causes(error, _head_too_slow_type()):
        return TryFailed(f"too slow: the status line and headers were still coming "
                         f"{policy.read_timeout:g} s after their first byte")
    if isinstance(error, requests.exceptions.SSLError):
        return TryFailed(f"TLS failed: {short_reason(error)}", final=True,
                         hint="for a private CA set REQUESTS_CA_BUNDLE; verification stays on")
    if isinstance(error, requests.ConnectTimeout | urllib3.exceptions.ConnectTimeoutError):
        return TryFailed(f"no connection within {policy.connect_timeout:g} s")
    if isinstance(error, requests.Timeout | urllib3.exceptions.ReadTimeoutError | TimeoutError):
        return TryFailed(f"no answer within {policy.read_timeout:g} s")
    unreachable = _unreachable(error)
    if unreachable:  # DNS or a refusal: the next try would fail the same way
        return TryFailed(f"{unreachable}: {short_reason(error)}", final=True)
    if isinstance(error, requests.ConnectionError):
        return TryFailed(f"connection failed: {short_reason(error)}")
    broke = requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError
    if isinstance(error, broke | urllib3.exceptions.HTTPError) or (
        isinstance(error, OSError) and not isinstance(error, requests.RequestException)
    ):  # (every error of requests is an OSError)
        return TryFailed(f"transfer broke: {short_reason(error)}")
    return TryFailed(short_reason(error), final=True)  # an invalid URL, a bad header, ...


#: Where the route table is asked whether this machine reaches the internet at all: the addresses of
#: a.root-servers.net (IANA, unchanged for decades). A UDP ``connect`` only looks the route up.
ROUTE_PROBES = (("198.41.0.4", socket.AF_INET), ("2001:503:ba3e::2:30", socket.AF_INET6))
#: The resolver's configuration read for its nameservers (POSIX systems).
RESOLV_CONF = "/etc/resolv.conf"


def has_route(address: str, family: socket.AddressFamily) -> bool:
    """Whether the kernel has a route to ``address`` (nothing is sent: a UDP socket's connect)."""
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as probe:
            probe.connect((address, 53))
    except OSError:
        return False
    return True


def routes_out() -> bool:
    """Whether this machine has a route to the internet, over IPv4 or IPv6."""
    return any(has_route(address, family) for address, family in ROUTE_PROBES)


def nameservers(resolv_conf: str = RESOLV_CONF) -> list[str]:
    """The nameservers ``resolv_conf`` names (none where it cannot be read)."""
    try:
        with open(resolv_conf, encoding="utf-8", errors="replace") as handle:
            lines = handle.read(64 * 1024).splitlines()
    except OSError:
        return []
    found = []
    for line in lines:
        words = line.split()
        if len(words) >= 2 and words[0] == "nameserver":
            found.append(words[1].split("%", 1)[0])
    return found


def resolver_reachable(resolv_conf: str = RESOLV_CONF) -> bool:
    """Whether a route leads to one of the configured nameservers (true where none is configured
    or the file is absent: then the system's own default applies, and nothing is concluded)."""
    servers = nameservers(resolv_conf)
    if not servers:
        return True
    return any(has_route(server, socket.AF_INET6 if ":" in server else socket.AF_INET)
               for server in servers)


def network_missing(error: BaseException, *, routes: Callable[[], bool] | None = None,
                    resolver: Callable[[], bool] | None = None) -> str | None:
    """Why this machine has no network access, when ``error`` shows it; else None (the failure,
    if any, is the host's). See the module docstring: the error must be of a kind the machine
    causes (no resolver answer, no route), and the machine must agree (``routes()`` false, or for
    the resolver ``resolver()`` false): one host without a route, or with a name that does not
    resolve, among hosts that answer, stays a dead link. ``routes`` and ``resolver`` default to
    :func:`routes_out` and :func:`resolver_reachable` (looked up when called)."""
    routes = routes or routes_out
    resolver = resolver or resolver_reachable
    if _gai_errno(error) == socket.EAI_AGAIN:
        if not routes():
            return "names do not resolve and no route leads out of this machine"
        if not resolver():
            return "no route to any nameserver of " + RESOLV_CONF
        return None
    no_route = _os_errno(error, (errno.ENETUNREACH, errno.EHOSTUNREACH))
    if no_route is not None and not routes():
        return f"no route leads out of this machine ({os.strerror(no_route)})"
    return None


def _gai_errno(error: BaseException) -> int | None:
    """The code of the first :class:`socket.gaierror` among the causes of ``error``."""
    for cause in _causes(error):
        if isinstance(cause, socket.gaierror):
            return cause.errno
    return None


def _os_errno(error: BaseException, codes: tuple[int, ...]) -> int | None:
    """The first of ``codes`` an :class:`OSError` among the causes of ``error`` carries, else None."""
    for cause in _causes(error):
        if isinstance(cause, OSError) and cause.errno in codes:
            return cause.errno
    return None


def is_unreachable(failure: TryFailed) -> bool:
    """Whether ``failure`` says the host cannot be reached at all (no name, or refused)."""
    return failure.final and failure.reason.startswith(("host not found", "connection refused"))


def _unreachable(error: BaseException) -> str | None:
    """``"host not found"`` (a :class:`socket.gaierror` among the causes of ``error``) or
    ``"connection refused"`` (a :class:`ConnectionRefusedError`), else None."""
    if _among_causes(error, socket.gaierror):
        return "host not found"
    if _among_causes(error, ConnectionRefusedError):
        return "connection refused"
    return None


def _among_causes(error: BaseException, kind: type[BaseException]) -> bool:
    """Whether ``error`` or anything it wraps (``reason``, ``args``, causes) is a ``kind``."""
    return any(isinstance(cause, kind) for cause in _causes(error))


def _causes(error: BaseException) -> Iterator[BaseException]:
    """``error`` and everything it wraps (``reason``, ``args``, causes), each once."""
    pending, seen = [error], set()
    while pending:
        if id(current := pending.pop()) in seen:
            continue
        seen.add(id(current))
        yield current
        pending += [c for c in (getattr(current, "reason", None), *current.args, current.__cause__,
                                current.__context__) if isinstance(c, BaseException)]


def short_reason(error: BaseException) -> str:
    """A one-line description of a network error.

    ``requests`` nests urllib3's errors several deep ("Max retries exceeded ... Caused by
    NewConnectionError(...)"); the useful part is the innermost cause, such as the operating
    system's "Connection refused".
    """
    innermost: BaseException = error
    seen = {id(error)}
    while True:
        reason = getattr(innermost, "reason", None)
        following = next(
            (
                candidate
                for candidate in (reason, *innermost.args, innermost.__cause__, innermost.__context__)
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


# --- the deadline of a response's head -------------------------------------------------------

_deadline = threading.local()  # .seconds: the head deadline of this thread's request, or None


@cache
def _head_too_slow_type() -> type[Exception]:
    """urllib3's read timeout, marked: the head trickled past its deadline (built on first use,
    so that importing this module does not import urllib3)."""
    from urllib3.exceptions import ReadTimeoutError

    class _HeadTooSlow(ReadTimeoutError):
        """The status line and headers did not arrive within their deadline."""

    return _HeadTooSlow


def _get_head(connection: Any, get: Callable[[], T]) -> T:
    """``get()`` (http.client's reading of the status line and headers on ``connection``) under
    this thread's deadline: the first byte within it, the whole head within it again. A watchdog
    shuts the socket down when the head trickles past that, which ends the blocked read."""
    from urllib3.exceptions import ReadTimeoutError

    seconds: float | None = getattr(_deadline, "seconds", None)
    sock = getattr(connection, "sock", None)
    if seconds is None or sock is None:
        return get()
    pending = getattr(sock, "pending", None)  # bytes TLS has decrypted and buffered already
    if not (pending is not None and pending()) and not select.select([sock], [], [], seconds)[0]:
        raise ReadTimeoutError(None, "", f"Read timed out. (read timeout={seconds:g})")  # type: ignore[arg-type]
    fired = threading.Event()

    def expire() -> None:
        fired.set()
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)

    watchdog = threading.Timer(seconds, expire)
    watchdog.daemon = True
    watchdog.start()
    try:
        return get()
    except BaseException as error:
        if fired.is_set():
            raise _head_too_slow_type()(None, "", "the head trickled") from error
        raise
    finally:
        watchdog.cancel()


@cache
def _adapter_type() -> type[Any]:
    """``requests``' adapter whose connections read each head under :func:`_get_head`."""
    from requests.adapters import HTTPAdapter
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    class Connection(HTTPConnection):
        def getresponse(self) -> Any:
            return _get_head(self, super().getresponse)

    class SecureConnection(HTTPSConnection):
        def getresponse(self) -> Any:
            return _get_head(self, super().getresponse)

    class Pool(HTTPConnectionPool):
        ConnectionCls = Connection

    class SecurePool(HTTPSConnectionPool):
        ConnectionCls = SecureConnection

    pools = {"http": Pool, "https": SecurePool}

    class Adapter(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = pools

        def proxy_manager_for(self, proxy: Any, **kwargs: Any) -> Any:
            manager = super().proxy_manager_for(proxy, **kwargs)
            manager.pool_classes_by_scheme = pools
            return manager

    return Adapter


def new_session() -> requests.Session:
    """A ``requests`` session that says who is asking (``User-Agent: hub-plugin/<version>``) and
    reads each answer's head under the deadline of the request."""
    import requests

    session = requests.Session()
    session.headers["User-Agent"] = f"hub-plugin/{__version__}"
    adapter = _adapter_type()
    session.mount("http://", adapter())
    session.mount("https://", adapter())
    return session


# --- the client -------------------------------------------------------------------------------

#: Seconds at most between two chunks handed on while bytes arrive (progress stays live).
HAND_ON_EVERY = 0.25


class Response:
    """An answer whose head has arrived: ``status``, ``reason``, ``headers``, the ``url`` that
    answered (after redirects); the body streams from :meth:`chunks`. Close it (or use ``with``)."""

    def __init__(self, answer: requests.Response, url: str, policy: TransferPolicy) -> None:
        self._answer = answer
        self.url = url
        self.status: int = answer.status_code
        self.reason: str = answer.reason or ""
        self.headers: Mapping[str, str] = answer.headers
        self._policy = policy
        self.received = 0  #: body bytes read so far

    def chunks(self) -> Iterator[bytes]:
        """The body's bytes exactly as sent (never decoded), read as they arrive.

        Reads are gathered into chunks of up to ``chunk_size`` bytes, handed on at least every
        :data:`HAND_ON_EVERY` seconds. Raises :class:`TryFailed` when the connection breaks, one
        wait passes ``read_timeout``, or the bytes come slower than ``min_rate`` over
        ``read_timeout`` seconds of waiting.
        """
        import requests
        import urllib3

        policy = self._policy
        raw = self._answer.raw
        window, size = policy.read_timeout, policy.chunk_size
        waited, counted = 0.0, 0
        gathered = bytearray()
        handed = time.monotonic()
        while True:
            started = time.monotonic()
            try:
                chunk = raw.read1(size - len(gathered), decode_content=False)
            except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as error:
                failure = classify(error, policy)
                if gathered:  # what arrived before the break is kept (a download resumes after it)
                    self.received += len(gathered)
                    yield bytes(gathered)
                raise TryFailed(f"transfer broke after {self.received} bytes: {short_reason(error)}",
                                final=failure.final) from error
            now = time.monotonic()
            if not chunk:
                if gathered:
                    self.received += len(gathered)
                    yield bytes(gathered)
                return
            waited += now - started
            counted += len(chunk)
            if waited >= window:
                if counted < policy.min_rate * waited:
                    raise TryFailed(f"too slow: {counted} bytes in {waited:.0f} s, under the minimum "
                                    f"of {policy.min_rate:g} bytes a second")
                waited, counted = 0.0, 0
            if not gathered and len(chunk) >= size:
                self.received += len(chunk)
                handed = now
                yield chunk
                continue
            gathered += chunk
            if len(gathered) >= size or now - handed >= HAND_ON_EVERY:
                self.received += len(gathered)
                handed = now
                yield bytes(gathered)
                gathered.clear()

    def close(self) -> None:
        self._answer.close()

    def __enter__(self) -> Response:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()


class HttpClient:
    """Requests under a :class:`TransferPolicy`, every hop put to ``check_url``.

    ``session`` is a ``requests.Session`` to use in every thread (else each thread makes its own
    with :func:`new_session`); ``sleep`` and ``jitter`` are injectable so tests run without
    waiting. ``unreachable_hint`` is added to the error for a host that cannot be reached at all.
    """

    def __init__(
        self,
        policy: TransferPolicy | None = None,
        *,
        check_url: UrlCheck,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
        unreachable_hint: str | None = None,
    ) -> None:
        self.policy = policy or TransferPolicy()
        self.check_url = check_url
        self._session = session
        self._local = threading.local()
        self._sleep = sleep
        self._jitter = jitter
        self.unreachable_hint = unreachable_hint

    @property
    def session(self) -> requests.Session:
        """The session given, or this thread's own."""
        if self._session is not None:
            return self._session
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = new_session()
        return session

    def request(self, method: str, url: str, *, headers: Mapping[str, str] | None = None,
                keep: Collection[int] = ()) -> Response:
        """One try of ``method`` (``GET`` or ``HEAD``) at ``url``, redirects followed and checked.

        Returns the answer once its head has arrived. A retried status (``408``, ``425``, ``429``,
        ``5xx``) not in ``keep`` and every network failure raise :class:`TryFailed`; a URL the
        check refuses raises what the check raises (:class:`~hub_plugin.errors.LinkRefused`).
        """
        import requests

        policy = self.policy
        timeout = (policy.connect_timeout, policy.read_timeout)
        send = self.session.head if method == "HEAD" else self.session.get
        previous: str | None = None
        for _ in range(policy.max_redirects + 1):
            self.check_url(url, previous)
            _deadline.seconds = policy.read_timeout
            try:
                answer = send(url, headers=dict(headers or {}), stream=True, timeout=timeout,
                              allow_redirects=False)
            except requests.RequestException as error:
                missing = network_missing(error)
                if missing is not None:
                    raise NoNetworkAccess(missing, url) from error
                failure = classify(error, policy)
                failure.url = url
                if is_unreachable(failure):
                    failure.hint = self.unreachable_hint
                raise failure from error
            finally:
                _deadline.seconds = None
            if answer.is_redirect:
                location = answer.headers.get("Location", "")
                answer.close()
                previous, url = url, urljoin(url, location)
                continue
            response = Response(answer, url, policy)
            if response.status not in keep:
                refused = status_failure(response.status, response.reason, response.headers, policy, url)
                if refused is not None:
                    response.close()
                    raise refused
            return response
        raise TryFailed(f"more than {policy.max_redirects} redirects", final=True, url=url)

    def retrying(self, url: str, attempt: Callable[[], T], *,
                 progressed: Callable[[], bool] = lambda: False) -> tuple[T, int]:
        """``attempt()`` until it returns: its result and the tries it took.

        A :class:`TryFailed` that is final ends it at once; others are retried after the backoff
        (or the ``Retry-After`` asked for) until ``max_tries`` tries in a row failed. ``progressed()``
        is asked after each failed try: true (bytes were kept) starts the count again. Raises
        :class:`~hub_plugin.errors.DownloadError` with the last failure's reason.
        """
        policy = self.policy
        tries = failures = 0
        while True:
            tries += 1
            try:
                return attempt(), tries
            except TryFailed as failed:
                if failed.final:
                    raise DownloadError(failed.url or url, failed.reason, status=failed.status,
                                        hint=failed.hint) from failed
                failures = 0 if progressed() else failures + 1
                if failures >= policy.max_tries:
                    raise DownloadError(url, failed.reason, status=failed.status, tries=tries,
                                        hint=failed.hint) from failed
                delay = failed.delay
                if delay is None:
                    delay = policy.backoff(max(failures, 1), self._jitter())
                self._sleep(delay)


__all__ = [
    "RETRY_STATUSES",
    "HttpClient",
    "Response",
    "TransferPolicy",
    "TryFailed",
    "UrlCheck",
    "classify",
    "is_retried_status",
    "network_missing",
    "new_session",
    "parse_retry_after",
    "short_reason",
    "status_failure",
]
