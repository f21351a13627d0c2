"""A real threaded HTTP server on 127.0.0.1 for the assets tests, with faults to order.

Each path serves some bytes (with byte ranges, like a real file server). A list of :class:`Fault`
per path is consumed one per request: the first request meets the first fault, and so on; once the
list is empty the path is served normally. Every request is logged (path, ``Range`` header), so a
test can assert how many transfers were made, or that none was.
"""

from __future__ import annotations

import gzip
import socket
import ssl
import struct
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from hub_plugin.core.http import TransferPolicy

#: Short timeouts and next to no backoff, so that tests meet faults in milliseconds, not minutes.
FAST_POLICY = TransferPolicy(
    connect_timeout=2.0,
    read_timeout=0.5,
    max_tries=4,
    backoff_base=0.001,
    backoff_max=0.01,
    max_retry_after=5.0,
    chunk_size=64 * 1024,
)


@dataclass
class Fault:
    """What goes wrong with one request.

    ``status``: answer with this status and an empty body (``headers`` added, e.g. Retry-After).
    ``delay``: wait this long before answering (a server too slow for the read timeout).
    ``cut_after``: send only this many body bytes, then close (``reset``: abort with a TCP reset).
    ``body``: send these bytes instead of the real content (wrong bytes).
    ``ignore_range``: answer a Range request with 200 and the whole content.
    ``stall_after`` / ``release``: after that many body bytes, wait until ``release`` is set.
    ``redirect``: answer 302 to this path (or URL).
    ``encoding``: send ``Content-Encoding`` with this value, and the body gzip-compressed when it is
    ``gzip`` (whatever the client asked for, as a misconfigured server does).
    ``no_length``: send no ``Content-Length`` and end the body by closing the connection.
    ``forever``: with ``no_length``, send the content again and again until the client goes.
    ``extra``: bytes sent after the body that ``Content-Length`` does not count.
    ``content_range`` / ``content_length``: send these header values instead of the true ones.
    ``trickle``: send the body one byte every ``trickle`` seconds (a server that is never silent for
    long, yet never done); with ``trickle_head`` the status line and headers trickle too.
    """

    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    cut_after: int | None = None
    reset: bool = False
    body: bytes | None = None
    ignore_range: bool = False
    stall_after: int | None = None
    release: threading.Event | None = None
    redirect: str | None = None
    encoding: str | None = None
    no_length: bool = False
    forever: bool = False
    extra: bytes = b""
    content_range: str | None = None
    content_length: str | None = None
    trickle: float = 0.0
    trickle_head: bool = False


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    range: str | None
    accept_encoding: str | None = None


@dataclass
class Route:
    content: bytes
    faults: list[Fault] = field(default_factory=list)
    chunk_delay: float = 0.0  # seconds between 64 KiB chunks (a slow link)


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # many clients at once (the concurrency tests and bench)


class AssetServer:
    """The server; ``url(path)`` gives a link to a path added with :meth:`add`.

    ``host``: the loopback address to listen on (``127.0.0.2`` is another host to a client).
    ``head``: answer ``HEAD`` (else it gets ``501``, as from a server that refuses it).
    ``latency``: seconds added before every answer. ``in_flight`` and ``peak`` count the requests
    being answered now and the most at once.
    """

    def __init__(self, tls: ssl.SSLContext | None = None, *, host: str = "127.0.0.1",
                 head: bool = False, latency: float = 0.0) -> None:
        self.routes: dict[str, Route] = {}
        self.log: list[LoggedRequest] = []
        self.host = host
        self.head = head
        self.latency = latency
        self.in_flight = 0
        self.peak = 0
        self._lock = threading.Lock()
        self._httpd = _Server((host, 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self.scheme = "https" if tls else "http"
        if tls is not None:
            self._httpd.socket = tls.wrap_socket(self._httpd.socket, server_side=True)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    def url(self, path: str) -> str:
        return f"{self.scheme}://{self.host}:{self.port}{path}"

    def entering(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)

    def leaving(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def add(
        self,
        path: str,
        content: bytes,
        *faults: Fault,
        chunk_delay: float = 0.0,
    ) -> str:
        """Serve ``content`` at ``path`` (meeting ``faults`` in order); returns its URL."""
        self.routes[path] = Route(content, list(faults), chunk_delay)
        return self.url(path)

    def requests_for(self, path: str) -> list[LoggedRequest]:
        return [entry for entry in self.log if entry.path == path]

    def next_fault(self, path: str) -> tuple[Route | None, Fault]:
        with self._lock:
            route = self.routes.get(path)
            if route is None or not route.faults:
                return route, Fault()
            return route, route.faults.pop(0)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def _handler_for(server: AssetServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in separate writes: without TCP_NODELAY, Nagle's algorithm
        # meets the client's delayed ACK and adds 40 ms to every answer.
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
            pass

        def do_GET(self) -> None:
            server.entering()
            try:
                if server.latency:
                    time.sleep(server.latency)
                self._answer("GET")
            finally:
                server.leaving()

        def do_HEAD(self) -> None:
            if not server.head:
                server.log.append(LoggedRequest("HEAD", self.path.split("?", 1)[0], None))
                self._empty(501)
                return
            server.entering()
            try:
                if server.latency:
                    time.sleep(server.latency)
                self._answer("HEAD")
            finally:
                server.leaving()

        def _answer(self, method: str) -> None:
            path = self.path.split("?", 1)[0]
            server.log.append(LoggedRequest(method, path, self.headers.get("Range"),
                                            self.headers.get("Accept-Encoding")))
            route, fault = server.next_fault(path)
            if fault.delay:
                time.sleep(fault.delay)
            if route is None:
                self._empty(404)
                return
            if fault.status is not None:
                self._empty(fault.status, fault.headers)
                return
            if fault.redirect is not None:
                self._empty(302, {"Location": fault.redirect})
                return
            content = fault.body if fault.body is not None else route.content
            if fault.encoding == "gzip":
                content = gzip.compress(content, mtime=0)
            if fault.trickle and fault.trickle_head:
                head = (f"HTTP/1.1 200 OK\r\nContent-Length: {len(content)}\r\n"
                        "Content-Type: application/octet-stream\r\n\r\n").encode()
                self.close_connection = True
                self._trickle(head + (content if method == "GET" else b""), fault.trickle)
                return
            start = self._range_start(fault)
            if start is not None and start >= len(content):
                self._empty(416, {"Content-Range": f"bytes */{len(content)}"})
                return
            if start is None:
                self.send_response(200)
                start = 0
            else:
                self.send_response(206)
                self.send_header("Content-Range", fault.content_range
                                 or f"bytes {start}-{len(content) - 1}/{len(content)}")
            self.send_header("Content-Type", "application/octet-stream")
            if fault.encoding is not None:
                self.send_header("Content-Encoding", fault.encoding)
            if fault.no_length:
                self.send_header("Connection", "close")
                self.close_connection = True
            else:
                self.send_header("Content-Length", fault.content_length or str(len(content) - start))
            self.send_header("Accept-Ranges", "bytes")
            self.end_headers()
            if method == "HEAD":
                return
            body = content[start:] + fault.extra
            if fault.forever:
                self._send_forever(body)
                return
            if fault.trickle:
                self.close_connection = True
                self._trickle(body, fault.trickle)
                return
            limit = fault.cut_after if fault.cut_after is not None else len(body)
            self._send(body[:limit], route.chunk_delay, fault)
            if limit < len(body):
                self.close_connection = True
                if fault.reset:  # SO_LINGER 0: close sends a TCP reset, not a clean end
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

        def _range_start(self, fault: Fault) -> int | None:
            header = self.headers.get("Range")
            if not header or fault.ignore_range or not header.startswith("bytes="):
                return None
            first = header[len("bytes=") :].split("-", 1)[0]
            return int(first) if first.isdigit() else None

        def _send(self, body: bytes, chunk_delay: float, fault: Fault) -> None:
            step = 64 * 1024
            sent = 0
            try:
                while sent < len(body):
                    end = min(len(body), sent + step)
                    if fault.stall_after is not None and sent <= fault.stall_after < end:
                        end = fault.stall_after
                        self.wfile.write(body[sent:end])
                        self.wfile.flush()
                        sent = end
                        if fault.release is not None:
                            fault.release.wait(30)
                        fault.stall_after = None
                        continue
                    self.wfile.write(body[sent:end])
                    sent = end
                    if chunk_delay:
                        self.wfile.flush()
                        time.sleep(chunk_delay)
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        def _trickle(self, data: bytes, every: float) -> None:
            try:
                for index in range(len(data)):
                    self.wfile.write(data[index : index + 1])
                    self.wfile.flush()
                    time.sleep(every)
            except (BrokenPipeError, ConnectionResetError, OSError):
                self.close_connection = True

        def _send_forever(self, body: bytes) -> None:
            try:
                while True:
                    self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError, OSError):
                self.close_connection = True

        def _empty(self, status: int, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

    return Handler


@pytest.fixture
def asset_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[AssetServer]:
    """A started :class:`AssetServer`; proxies are bypassed for 127.0.0.1."""
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    server = AssetServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
