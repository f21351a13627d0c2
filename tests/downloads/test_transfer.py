"""The HTTP transfer against a real server on 127.0.0.1, one fault at a time."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from asset_server import FAST_POLICY, AssetServer, Fault

from hub_plugin.core.http import TransferPolicy, parse_retry_after
from hub_plugin.downloads.partial import PartialDownload
from hub_plugin.downloads.response_body import ContentRange, parse_byte_range
from hub_plugin.downloads.transfer import HttpTransfer
from hub_plugin.errors import DownloadError, LinkRefused


def _partial(tmp_path: Path) -> PartialDownload:
    return PartialDownload(tmp_path / "x.part")


def _done(partial: PartialDownload, content: bytes) -> None:
    digest = partial.finish()
    assert digest.size == len(content)
    assert digest.sha256 == hashlib.sha256(content).hexdigest()


def test_plain_download(
    asset_server: AssetServer, transfer: HttpTransfer, payload: bytes, tmp_path: Path
) -> None:
    url = asset_server.add("/a.ckpt", payload)
    partial = _partial(tmp_path)
    report = transfer.download(url, partial)
    _done(partial, payload)
    assert report.announced == len(payload)
    assert report.requests == 1
    assert not report.resumed
    assert (tmp_path / "x.part").read_bytes() == payload


@pytest.mark.parametrize("reset", [False, True], ids=["short-body", "dropped-connection"])
def test_a_cut_body_resumes_with_a_range_request(
    asset_server: AssetServer,
    transfer: HttpTransfer,
    payload: bytes,
    tmp_path: Path,
    reset: bool,
) -> None:
    url = asset_server.add("/a.ckpt", payload, Fault(cut_after=200_000, reset=reset))
    partial = _partial(tmp_path)
    report = transfer.download(url, partial)
    _done(partial, payload)
    ranges = [r.range for r in asset_server.requests_for("/a.ckpt")]
    assert ranges[0] is None
    assert ranges[-1] is not None and ranges[-1].startswith("bytes=")
    assert int(ranges[-1][len("bytes=") : -1]) >= 1  # resumed, not restarted
    assert report.resumed


def test_a_range_answered_with_200_starts_over(
    asset_server: AssetServer, transfer: HttpTransfer, payload: bytes, tmp_path: Path
) -> None:
    url = asset_server.add("/a.ckpt", payload, Fault(cut_after=100_000), Fault(ignore_range=True))
    partial = _partial(tmp_path)
    transfer.download(url, partial)
    _done(partial, payload)  # not the first bytes twice
    first, second = asset_server.requests_for("/a.ckpt")
    assert first.range is None
    assert second.range == "bytes=100000-"  # every byte that arrived before the cut


def test_resume_from_a_file_left_by_an_earlier_run(
    asset_server: AssetServer, transfer: HttpTransfer, payload: bytes, tmp_path: Path
) -> None:
    (tmp_path / "x.part").write_bytes(payload[:12345])
    url = asset_server.add("/a.ckpt", payload)
    partial = _partial(tmp_path)
    assert partial.resumed_from == 12345
    transfer.download(url, partial)
    _done(partial, payload)
    assert [r.range for r in asset_server.requests_for("/a.ckpt")] == ["bytes=12345-"]


def test_416_starts_over(
    asset_server: AssetServer, transfer: HttpTransfer, payload: bytes, tmp_path: Path
) -> None:
    (tmp_path / "x.part").write_bytes(payload + b"extra")  # longer than the file: 416
    url = asset_server.add("/a.ckpt", payload)
    partial = _partial(tmp_path)
    transfer.download(url, partial)
    _done(partial, payload)
    assert [r.range for r in asset_server.requests_for("/a.ckpt")] == [
        f"bytes={len(payload) + 5}-",
        None,
    ]


@pytest.mark.parametrize("status", [500, 502, 503, 504, 408])
def test_server_errors_are_retried_with_backoff(
    asset_server: AssetServer,
    transfer: HttpTransfer,
    sleeps: list[float],
    payload: bytes,
    tmp_path: Path,
    status: int,
) -> None:
    url = asset_server.add("/a.ckpt", payload, Fault(status=status), Fault(status=status))
    partial = _partial(tmp_path)
    report = transfer.download(url, partial)
    _done(partial, payload)
    assert report.requests == 3
    # exponential: the second wait is twice the first (the jitter is pinned at 0.5)
    assert len(sleeps) == 2 and sleeps[1] == pytest.approx(2 * sleeps[0])


def test_429_honours_retry_after(
    asset_server: AssetServer,
    transfer: HttpTransfer,
    sleeps: list[float],
    payload: bytes,
    tmp_path: Path,
) -> None:
    url = asset_server.add("/a.ckpt", payload, Fault(status=429, headers={"Retry-After": "2"}))
    partial = _partial(tmp_path)
    transfer.download(url, partial)
    _done(partial, payload)
    assert sleeps == [2.0]


def test_a_retry_after_too_long_is_not_waited_for(
    asset_server: AssetServer, transfer: HttpTransfer, payload: bytes, tmp_path: Path
) -> None:
    url = asset_server.add("/a.ckpt", payload, Fault(status=503, headers={"Retry-After": "3600"}))
    with pytest.raises(DownloadError, match="retry after 3600 s"):
        transfer.download(url, _partial(tmp_path))


@pytest.mark.parametrize("status", [403, 404, 410])
def test_other_4xx_are_not_retried(
    asset_server: AssetServer,
    transfer: HttpTransfer,
    payload: bytes,
    tmp_path: Path,
    status: int,
) -> None:
    url = asset_server.add("/a.ckpt", payload, Fault(status=status))
    with pytest.raises(DownloadError, match=f"HTTP {status}") as caught:
        transfer.download(url, _partial(tmp_path))
    assert caught.value.status == status
    assert len(asset_server.requests_for("/a.ckpt")) == 1


def test_tries_are_bounded(
    asset_server: AssetServer, transfer: HttpTransfer, payload: bytes, tmp_path: Path
) -> None:
    url = asset_server.add("/a.ckpt", payload, *[Fault(status=503)] * 10)
    with pytest.raises(DownloadError, match=r"HTTP 503 .* after 4 tries"):
        transfer.download(url, _partial(tmp_path))
    assert len(asset_server.requests_for("/a.ckpt")) == FAST_POLICY.max_tries


def test_a_server_too_slow_for_the_read_timeout(
    asset_server: AssetServer, payload: bytes, tmp_path: Path
) -> None:
    policy = TransferPolicy(read_timeout=0.2, max_tries=2, backoff_base=0.001)
    url = asset_server.add("/a.ckpt", payload, Fault(delay=1.0), Fault(delay=1.0))
    with pytest.raises(DownloadError, match=r"no answer within 0.2 s after 2 tries"):
        HttpTransfer(policy).download(url, _partial(tmp_path))


def test_a_slow_first_answer_then_success(asset_server: AssetServer, payload: bytes, tmp_path: Path) -> None:
    policy = TransferPolicy(read_timeout=0.2, max_tries=3, backoff_base=0.001)
    url = asset_server.add("/a.ckpt", payload, Fault(delay=0.6))
    partial = _partial(tmp_path)
    HttpTransfer(policy).download(url, partial)
    _done(partial, payload)


def test_a_stall_mid_body_times_out_and_resumes(
    asset_server: AssetServer, payload: bytes, tmp_path: Path
) -> None:
    import threading

    release = threading.Event()
    policy = TransferPolicy(read_timeout=0.3, max_tries=3, backoff_base=0.001, chunk_size=4096)
    url = asset_server.add("/a.ckpt", payload, Fault(stall_after=300_000, release=release))
    partial = _partial(tmp_path)
    try:
        HttpTransfer(policy).download(url, partial)
    finally:
        release.set()
    _done(partial, payload)
    last = asset_server.requests_for("/a.ckpt")[-1].range
    assert last is not None
    assert 300_000 - 4096 < int(last[len("bytes=") : -1]) <= 300_000  # whole chunks kept


def test_redirects_are_followed_and_bounded(
    asset_server: AssetServer, transfer: HttpTransfer, payload: bytes, tmp_path: Path
) -> None:
    asset_server.add("/real.ckpt", payload)
    url = asset_server.add("/moved.ckpt", b"", Fault(redirect="/real.ckpt"))
    partial = _partial(tmp_path)
    report = transfer.download(url, partial)
    _done(partial, payload)
    assert report.url == url
    loop = asset_server.add("/loop", b"", *[Fault(redirect="/loop")] * 20)
    with pytest.raises(DownloadError, match="more than 5 redirects"):
        transfer.download(loop, PartialDownload(tmp_path / "y"))


def test_a_redirect_to_remote_plain_http_is_refused(
    asset_server: AssetServer, transfer: HttpTransfer, tmp_path: Path
) -> None:
    url = asset_server.add("/moved", b"", Fault(redirect="http://example.org/a.ckpt"))
    with pytest.raises(LinkRefused, match="plain http"):
        transfer.download(url, _partial(tmp_path))


class _CountingSession:
    """A ``requests`` session that counts the requests it was asked to make."""

    def __init__(self) -> None:
        from hub_plugin.core.http import new_session

        self.session = new_session()
        self.requests = 0

    def get(self, *args: object, **kwargs: object) -> object:
        self.requests += 1
        return self.session.get(*args, **kwargs)  # type: ignore[arg-type]


def _refused_port() -> int:
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    ("url", "reason"),
    [(f"http://127.0.0.1:{_refused_port()}/a", "connection refused"),
     ("https://assets.hub-plugin.invalid/a.ckpt", "host not found")],  # RFC 2606: never resolves
    ids=["refused-port", "unresolvable-host"],
)
def test_a_host_that_cannot_be_reached_is_tried_once(url: str, reason: str, tmp_path: Path) -> None:
    session, waits = _CountingSession(), []
    transfer = HttpTransfer(TransferPolicy(), session=session, sleep=waits.append)  # type: ignore[arg-type]
    with pytest.raises(DownloadError, match=reason) as raised:
        transfer.download(url, _partial(tmp_path))
    assert session.requests == 1 and raised.value.tries == 1 and waits == []
    assert "--offline" in str(raised.value) and "HUB_PLUGIN_MIRROR" in str(raised.value)


def test_header_parsers() -> None:
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert parse_byte_range("bytes 10-99/100") == ContentRange(10, 99, 100)
    assert parse_byte_range("bytes 10-99/*") == ContentRange(10, 99, None)
    assert parse_byte_range("items 1-2/3") is None
    assert TransferPolicy(backoff_base=1, backoff_max=5).backoff(10, 0.999) < 5
