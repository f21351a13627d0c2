"""Reading an upload back from its public link, against the loopback asset server: small files
whole, large ones by ranged samples; other bytes, another size, a server that ignores Range."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from asset_server import AssetServer, Fault

from hub_plugin.errors import DownloadError, PublicLinkMismatch
from hub_plugin.publishing import public_link
from hub_plugin.publishing.public_link import read_back


@pytest.fixture
def small_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(public_link, "FULL_READ_LIMIT", 10_000)
    monkeypatch.setattr(public_link, "SAMPLE_BYTES", 1_000)


def _local(tmp_path: Path, data: bytes) -> tuple[Path, str]:
    path = tmp_path / "model.ckpt"
    path.write_bytes(data)
    return path, hashlib.sha256(data).hexdigest()


def test_a_small_file_is_read_whole(asset_server: AssetServer, tmp_path: Path) -> None:
    data = os.urandom(5_000)
    path, digest = _local(tmp_path, data)
    url = asset_server.add("/m/model.ckpt", data)
    checked = read_back(url, path, size=len(data), sha256=digest)
    assert checked.whole and checked.compared == len(data)
    other = asset_server.add("/m/other.ckpt", data[:-1] + b"!")
    with pytest.raises(PublicLinkMismatch, match="sha256"):
        read_back(other, path, size=len(data), sha256=digest)


def test_a_large_file_is_sampled_by_ranges(
    asset_server: AssetServer, tmp_path: Path, small_limits: None
) -> None:
    data = os.urandom(50_000)
    path, digest = _local(tmp_path, data)
    url = asset_server.add("/m/model.ckpt", data)
    checked = read_back(url, path, size=len(data), sha256=digest)
    assert not checked.whole and checked.compared == 3_000 and checked.size == len(data)
    ranges = [r.range for r in asset_server.requests_for("/m/model.ckpt")]
    assert ranges == ["bytes=0-999", "bytes=24500-25499", "bytes=49000-49999"]
    middle = bytearray(data)
    middle[25_000] ^= 0xFF
    asset_server.add("/m/middle.ckpt", bytes(middle))
    with pytest.raises(PublicLinkMismatch, match="from offset 24500 differ"):
        read_back(asset_server.url("/m/middle.ckpt"), path, size=len(data), sha256=digest)
    asset_server.add("/m/short.ckpt", data[:-10])
    with pytest.raises(PublicLinkMismatch, match="49990 bytes served, 50000 uploaded"):
        read_back(asset_server.url("/m/short.ckpt"), path, size=len(data), sha256=digest)


def test_a_server_that_ignores_range_is_read_from_the_start(
    asset_server: AssetServer, tmp_path: Path, small_limits: None
) -> None:
    data = os.urandom(30_000)
    path, digest = _local(tmp_path, data)
    url = asset_server.add("/m/model.ckpt", data, *[Fault(ignore_range=True)] * 3)
    assert read_back(url, path, size=len(data), sha256=digest).compared == 3_000


def test_a_missing_file_is_a_download_error(asset_server: AssetServer, tmp_path: Path) -> None:
    path, digest = _local(tmp_path, b"abc")
    with pytest.raises(DownloadError, match="HTTP 404"):
        read_back(asset_server.url("/nothing"), path, size=3, sha256=digest)
