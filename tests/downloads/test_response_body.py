"""Responses are stored as sent: never decoded, never past their announced length (issue 17, case 10).

Against the real loopback server, with the faults a hostile or broken server shows: gzip whatever
was asked, bytes past ``Content-Length``, a ``Content-Range`` that does not match, a body that never
ends, a length no disk holds, redirects to ``file://`` or to plain http on another host.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from dataclasses import replace
from pathlib import Path

import pytest
from asset_server import FAST_POLICY, AssetServer, Fault
from hypothesis import given, settings
from hypothesis import strategies as st

from hub_plugin.cache.asset_cache import AssetCache
from hub_plugin.cards.manifest import Asset
from hub_plugin.downloads.fetch import fetch
from hub_plugin.downloads.partial import PartialDownload
from hub_plugin.downloads.response_body import parse_byte_range
from hub_plugin.downloads.transfer import HttpTransfer
from hub_plugin.errors import CacheError, DownloadError, IntegrityError, LinkRefused


def _asset(url: str, content: bytes) -> Asset:
    return Asset(url, hashlib.sha256(content).hexdigest(), "ckpt")


def _tmp_files(cache: AssetCache) -> list[Path]:
    return sorted(cache.tmp_dir.glob("*")) if cache.tmp_dir.is_dir() else []


def test_a_gzip_answer_is_stored_as_sent_and_hashed_as_such(
    asset_server: AssetServer, transfer: HttpTransfer, cache: AssetCache
) -> None:
    plain = bytes(8 * 1024 * 1024)  # 8 MiB of zeros: a few KiB on the wire
    wire = gzip.compress(plain, mtime=0)
    url = asset_server.add("/z.ckpt", plain, Fault(encoding="gzip"), Fault(encoding="gzip"))
    with pytest.raises(IntegrityError) as caught:  # the card's digest is of the plain bytes
        fetch(_asset(url, plain), cache=cache, transfer=transfer)
    assert caught.value.received == len(wire)  # not 8 MiB: nothing was decoded
    assert all(r.accept_encoding == "identity" for r in asset_server.requests_for("/z.ckpt"))
    assert _tmp_files(cache) == []
    fetched = fetch(_asset(url, wire), cache=cache, transfer=transfer)
    assert fetched.path.read_bytes() == wire and fetched.size == len(wire)


def test_bytes_past_the_content_length_never_reach_the_file(
    asset_server: AssetServer, transfer: HttpTransfer, cache: AssetCache, payload: bytes
) -> None:
    url = asset_server.add("/x.ckpt", payload, Fault(extra=os.urandom(300_000)))
    fetched = fetch(_asset(url, payload), cache=cache, transfer=transfer)
    assert fetched.path.read_bytes() == payload


def test_a_content_range_that_disagrees_with_the_length_starts_over(
    asset_server: AssetServer, transfer: HttpTransfer, tmp_path: Path, payload: bytes
) -> None:
    url = asset_server.add("/r.ckpt", payload, Fault(content_length="1000"))
    (tmp_path / "x.part").write_bytes(payload[:1000])
    partial = PartialDownload(tmp_path / "x.part")
    report = transfer.download(url, partial)
    assert partial.finish().size == len(payload)
    assert (tmp_path / "x.part").read_bytes() == payload
    assert report.requests == 2 and asset_server.requests_for("/r.ckpt")[-1].range is None


@pytest.mark.parametrize("content_range", ["bytes 1000-999/5000", "bytes 1000-6000/5000", "bytes 0-99/100"])
def test_a_content_range_that_does_not_hold_together_is_not_trusted(
    asset_server: AssetServer, transfer: HttpTransfer, tmp_path: Path, payload: bytes, content_range: str
) -> None:
    url = asset_server.add("/r.ckpt", payload, Fault(content_range=content_range))
    (tmp_path / "x.part").write_bytes(payload[:1000])
    partial = PartialDownload(tmp_path / "x.part")
    transfer.download(url, partial)
    assert partial.finish().size == len(payload)
    assert (tmp_path / "x.part").read_bytes() == payload


def test_a_body_without_a_length_that_never_ends_stops_at_the_limit(
    asset_server: AssetServer, cache: AssetCache, payload: bytes
) -> None:
    transfer = HttpTransfer(replace(FAST_POLICY, max_size=2 * 1024 * 1024))
    url = asset_server.add("/forever", payload, Fault(no_length=True, forever=True))
    with pytest.raises(DownloadError, match="more than 2097152 bytes without announcing a length"):
        fetch(_asset(url, payload), cache=cache, transfer=transfer)
    assert _tmp_files(cache) == []  # nothing kept of it
    assert len(asset_server.requests_for("/forever")) == 1  # not retried


def test_a_body_without_a_length_is_read_to_its_end(
    asset_server: AssetServer, transfer: HttpTransfer, cache: AssetCache, payload: bytes
) -> None:
    url = asset_server.add("/closed", payload, Fault(no_length=True))
    assert fetch(_asset(url, payload), cache=cache, transfer=transfer).path.read_bytes() == payload


def test_a_length_beyond_the_limit_is_refused_before_any_byte(
    asset_server: AssetServer, cache: AssetCache, payload: bytes
) -> None:
    transfer = HttpTransfer(replace(FAST_POLICY, max_size=1000))
    url = asset_server.add("/big", payload)
    with pytest.raises(DownloadError, match=f"announces {len(payload)} bytes, more than the 1000"):
        fetch(_asset(url, payload), cache=cache, transfer=transfer)
    assert _tmp_files(cache) == []


def test_a_length_no_disk_holds_is_the_one_line_cache_error(
    asset_server: AssetServer, transfer: HttpTransfer, cache: AssetCache, payload: bytes
) -> None:
    url = asset_server.add("/huge", payload, Fault(content_length=str(10**18)))
    with pytest.raises(CacheError) as caught:
        fetch(_asset(url, payload), cache=cache, transfer=transfer)
    message = str(caught.value)
    assert str(cache.root) in message and "free" in message and "\n" not in message
    assert _tmp_files(cache) == []


@pytest.mark.parametrize(
    "target", ["file:///etc/hostname", "http://example.org/w.ckpt", "ftp://127.0.0.1/w.ckpt",
               "http://x.localhost/w.ckpt"],
)
def test_a_redirect_to_a_local_file_or_remote_plain_http_is_refused(
    asset_server: AssetServer, transfer: HttpTransfer, cache: AssetCache, payload: bytes, target: str
) -> None:
    url = asset_server.add("/moved", payload, Fault(redirect=target))
    with pytest.raises(LinkRefused):
        fetch(_asset(url, payload), cache=cache, transfer=transfer)
    assert len(asset_server.requests_for("/moved")) == 1 and _tmp_files(cache) == []


@settings(deadline=None)
@given(first=st.integers(0, 2**40), last=st.integers(0, 2**40), total=st.integers(1, 2**40) | st.none())
def test_a_parsed_content_range_always_holds_together(first: int, last: int, total: int | None) -> None:
    text = f"bytes {first}-{last}/{'*' if total is None else total}"
    parsed = parse_byte_range(text)
    if parsed is None:
        assert last < first or (total is not None and last >= total)
    else:
        assert parsed.length >= 1 and (parsed.total is None or parsed.last < parsed.total)


def _own_address() -> str | None:
    """An address of this machine that is not loopback (a 'remote' host the test can serve on)."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: no packet is sent for a UDP connect
            address = str(probe.getsockname()[0])
        except OSError:
            return None
    return None if address.startswith("127.") else address


def test_a_remote_server_may_not_redirect_to_this_machine(
    asset_server: AssetServer, cache: AssetCache, payload: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A hub card's link must not reach the user's local services through a redirect, even with
    --allow-http; loopback to loopback (a local mirror) still redirects."""
    address = _own_address()
    if address is None:
        pytest.skip("this machine has no address but loopback")
    monkeypatch.setenv("NO_PROXY", f"127.0.0.1,localhost,{address}")
    remote = AssetServer(host=address)
    remote.start()
    try:
        local_url = asset_server.add("/local-service", payload)
        url = remote.add("/w.ckpt", payload, Fault(redirect=local_url))
        transfer = HttpTransfer(FAST_POLICY, allow_http=True)
        with pytest.raises(LinkRefused, match=f"redirect from {address} to this machine"):
            fetch(_asset(url, payload), cache=cache, transfer=transfer, allow_http=True)
        assert asset_server.requests_for("/local-service") == []
        hop = asset_server.add("/hop", payload, Fault(redirect=local_url))
        assert fetch(_asset(hop, payload), cache=cache, transfer=transfer).path.read_bytes() == payload
    finally:
        remote.stop()
