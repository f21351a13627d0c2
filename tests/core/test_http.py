"""The one HTTP client (issue 26): one module imports ``requests``; one sorting of failures into
final and retried; the same fault gets the same decision in a download and in a link probe; and
every request has a deadline (issue 27 hole 9; the commands are in tests/cli/test_slow_servers.py)."""

from __future__ import annotations

import ast
import socket
import time
from pathlib import Path

import pytest
import requests
import urllib3
from asset_server import FAST_POLICY, AssetServer, Fault
from locations import REPO
from ports import free_port

from hub_plugin.core.http import (
    HttpClient,
    TransferPolicy,
    TryFailed,
    classify,
    is_retried_status,
    status_failure,
)
from hub_plugin.downloads.link_rules import url_check
from hub_plugin.downloads.partial import PartialDownload
from hub_plugin.downloads.transfer import HttpTransfer
from hub_plugin.errors import DownloadError
from hub_plugin.validation.probe import LinkProbe

PACKAGE = REPO / "hub_plugin"
HTTP_LIBRARIES = {"requests", "urllib3", "http.client", "httpx", "aiohttp"}
#: What of ``urllib.request`` makes requests (``url2pathname`` and friends do not).
URLLIB_OPENERS = {"urlopen", "Request", "build_opener", "OpenerDirector", "urlretrieve"}


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names.add(node.module)
            if node.module == "urllib.request" and {a.name for a in node.names} & URLLIB_OPENERS:
                names.add("http.client")
    return names


def test_one_module_of_hub_plugin_imports_an_http_library() -> None:
    """At any depth (functions, ``if TYPE_CHECKING:`` blocks): only core/http.py."""
    importing = sorted(
        str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
        if "_bundled" not in path.parts
        and any(name in HTTP_LIBRARIES or name.split(".")[0] in HTTP_LIBRARIES
                for name in _imported(path))
    )
    assert importing == ["core/http.py"]


# --- the classification --------------------------------------------------------------------------


def _raised(call: object) -> BaseException:
    try:
        call()  # type: ignore[operator]
    except Exception as error:  # the error is the subject
        return error
    raise AssertionError("nothing was raised")


def test_a_refused_connection_and_an_unknown_host_are_final() -> None:
    refused = _raised(lambda: requests.get(f"http://127.0.0.1:{free_port()}/a", timeout=5))
    failure = classify(refused, FAST_POLICY)
    assert failure.final and failure.reason.startswith("connection refused: ")
    unknown = _raised(lambda: requests.get("https://assets.hub-plugin.invalid/a", timeout=5))
    failure = classify(unknown, FAST_POLICY)
    assert failure.final and failure.reason.startswith("host not found: ")


@pytest.mark.parametrize(
    ("error", "final", "reason"),
    [
        (requests.exceptions.SSLError("CERTIFICATE_VERIFY_FAILED"), True, "TLS failed: "),
        (requests.exceptions.InvalidURL("no host"), True, "no host"),
        (requests.ConnectTimeout("slow"), False, "no connection within 2 s"),
        (requests.ReadTimeout("slow"), False, "no answer within 0.5 s"),
        (urllib3.exceptions.ReadTimeoutError(None, "", "slow"), False, "no answer within 0.5 s"),  # type: ignore[arg-type]
        (requests.ConnectionError(ConnectionResetError(104, "Connection reset by peer")), False,
         "connection failed: Connection reset by peer"),
        (requests.exceptions.ChunkedEncodingError("cut"), False, "transfer broke: cut"),
        (urllib3.exceptions.ProtocolError("Connection broken", ConnectionResetError(104, "reset")), False,
         "transfer broke: reset"),
        (requests.ConnectionError(OSError("x"), socket.gaierror(-2, "Name or service not known")), True,
         "host not found: "),
    ],
    ids=["tls", "invalid-url", "connect-timeout", "read-timeout", "urllib3-read-timeout", "reset",
         "chunked", "protocol", "dns-by-type"],
)
def test_each_error_is_sorted_once(error: BaseException, final: bool, reason: str) -> None:
    failure = classify(error, FAST_POLICY)
    assert failure.final is final and failure.reason.startswith(reason), failure.reason


@pytest.mark.parametrize("status", range(100, 600))
def test_retried_statuses_are_408_425_429_and_5xx(status: int) -> None:
    retried = status in (408, 425, 429) or status >= 500
    assert is_retried_status(status) is retried
    failure = status_failure(status, "Reason", {}, FAST_POLICY, "https://x/a")
    assert (failure is not None) is retried
    assert failure is None or not failure.final


def test_retry_after_is_honoured_up_to_the_cap_and_final_above_it() -> None:
    policy = TransferPolicy(max_retry_after=60)
    waited = status_failure(503, "Service Unavailable", {"Retry-After": "60"}, policy, "https://x/a")
    assert waited is not None and not waited.final and waited.delay == 60.0
    over = status_failure(429, "Too Many Requests", {"Retry-After": "61"}, policy, "https://x/a")
    assert over is not None and over.final and over.status == 429
    assert over.hint == "the server asks to retry after 61 s, more than the 60 s allowed"


# --- one decision for downloads and probes -------------------------------------------------------


def _download(url: str, tmp_path: Path, sleeps: list[float]) -> tuple[bool, str, int]:
    """(succeeded, the reason of the failure, tries) of a download of ``url``."""
    partial = PartialDownload(tmp_path / f"{len(list(tmp_path.iterdir()))}.part")
    transfer = HttpTransfer(FAST_POLICY, sleep=sleeps.append, jitter=lambda: 0.5)
    try:
        report = transfer.download(url, partial)
    except DownloadError as error:
        return False, f"{error.reason} ({error.hint})" if error.hint else error.reason, error.tries
    finally:
        partial.close()
    return True, "", report.requests


def _probe(url: str, sleeps: list[float]) -> tuple[bool, str, int]:
    result = LinkProbe(FAST_POLICY, sleep=sleeps.append, jitter=lambda: 0.5).probe(url)
    return result.alive, result.reason, result.requests


def _faults(server: AssetServer, name: str) -> str:
    """A fresh path of ``server`` showing fault ``name`` (each caller gets its own)."""
    path = f"/{name}-{len(server.routes)}"
    refused = f"http://127.0.0.1:{free_port()}/gone"
    if name == "refused":
        return refused
    if name == "redirect-to-refused":
        return server.add(path, b"", Fault(redirect=refused))
    if name == "503-retry-after":
        return server.add(path, b"payload", Fault(status=503, headers={"Retry-After": "1"}))
    if name == "retry-after-over-the-cap":
        return server.add(path, b"payload", Fault(status=503, headers={"Retry-After": "3600"}))
    if name == "404":
        return server.add(path, b"payload", Fault(status=404))
    raise AssertionError(name)


@pytest.mark.parametrize(
    ("fault", "alive", "reason", "tries", "waits"),
    [
        ("refused", False, "connection refused: ", 1, []),
        ("redirect-to-refused", False, "connection refused: ", 1, []),
        ("503-retry-after", True, "", 2, [1.0]),
        ("retry-after-over-the-cap", False, "HTTP 503 Service Unavailable (the server asks to retry after "
         "3600 s, more than the 5 s allowed)", 1, []),
    ],
)
def test_a_fault_gets_the_same_decision_in_a_download_and_a_probe(
    asset_server: AssetServer, tmp_path: Path, fault: str, alive: bool, reason: str, tries: int,
    waits: list[float]
) -> None:
    download_waits: list[float] = []
    probe_waits: list[float] = []
    downloaded = _download(_faults(asset_server, fault), tmp_path, download_waits)
    probed = _probe(_faults(asset_server, fault), probe_waits)
    for (ok, why, made), sleeps in ((downloaded, download_waits), (probed, probe_waits)):
        assert ok is alive and why.startswith(reason) and made == tries and sleeps == waits, (ok, why, made)
    if fault in ("refused", "redirect-to-refused"):  # a download adds the ways forward to its error
        assert "--offline" in downloaded[1] and "--offline" not in probed[1]


# --- the deadline ---------------------------------------------------------------------------------


def _client(timeout: float) -> HttpClient:
    policy = TransferPolicy(connect_timeout=timeout, read_timeout=timeout, max_tries=1)
    return HttpClient(policy, check_url=url_check(allow_http=False))


def test_a_trickling_head_ends_the_try_in_about_two_read_timeouts(asset_server: AssetServer) -> None:
    url = asset_server.add("/head", b"x" * 100, Fault(trickle=0.2, trickle_head=True))
    started = time.monotonic()
    still_coming = r"too slow: the status line and headers were still coming 0\.5 s after their first byte"
    with pytest.raises(TryFailed, match=still_coming):
        _client(0.5).request("GET", url)
    assert time.monotonic() - started < 2.5


def test_a_trickling_body_ends_the_try_after_about_one_read_timeout(asset_server: AssetServer) -> None:
    url = asset_server.add("/body", b"x" * 1000, Fault(trickle=0.2))
    started = time.monotonic()
    with _client(0.5).request("GET", url) as response, pytest.raises(TryFailed, match="too slow: "):
        for _ in response.chunks():
            pass
    assert time.monotonic() - started < 2.5
    assert 0 < response.received < 20


def test_a_silent_server_is_no_answer_within_the_read_timeout(asset_server: AssetServer) -> None:
    url = asset_server.add("/silent", b"x", Fault(delay=5.0))
    started = time.monotonic()
    with pytest.raises(TryFailed, match=r"no answer within 0\.5 s"):
        _client(0.5).request("GET", url)
    assert time.monotonic() - started < 2.0


def test_a_slow_body_above_the_minimum_rate_is_not_cut(asset_server: AssetServer) -> None:
    """64 KiB every 0.1 s (640 KiB/s) over a read timeout of 0.3 s: slow, well above 1 KiB/s."""
    content = bytes(range(256)) * 2048
    url = asset_server.add("/steady", content, chunk_delay=0.1)
    with _client(0.3).request("GET", url) as response:
        assert b"".join(response.chunks()) == content
