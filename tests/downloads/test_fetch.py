"""fetch(): cache, verification, offline mode, mirrors and local links, in one process."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from asset_server import AssetServer, Fault

from hub_plugin.cache.asset_cache import AssetCache
from hub_plugin.cards.manifest import Asset
from hub_plugin.core.hashing import EMPTY_SHA256
from hub_plugin.downloads.fetch import fetch
from hub_plugin.downloads.mirrors import MirrorMap
from hub_plugin.downloads.transfer import HttpTransfer
from hub_plugin.errors import (
    CacheError,
    DownloadError,
    IntegrityError,
    LinkRefused,
    OfflineError,
    UsageError,
)

MakeAsset = Callable[..., Asset]


def cache_state(cache: AssetCache) -> dict[str, object]:
    """Everything a failed download must leave as it was."""
    files = sorted(str(p.relative_to(cache.root)) for p in cache.root.rglob("*") if p.is_file())
    index = cache.root / "index.json"
    return {
        "files": [f for f in files if not f.startswith("locks/")],
        "index": index.read_text() if index.exists() else None,
    }


def test_download_then_hit(
    asset_server: AssetServer,
    cache: AssetCache,
    transfer: HttpTransfer,
    payload: bytes,
    make_asset: MakeAsset,
) -> None:
    asset = make_asset(asset_server.add("/m/encoder.ckpt", payload), payload)
    first = fetch(asset, card="simclr_encoder", cache=cache, transfer=transfer)
    assert first.downloaded and not first.weak_check
    assert first.path == cache.root / "cards" / "simclr_encoder" / "encoder.ckpt"
    assert first.path.read_bytes() == payload
    assert first.blob == cache.root / "blobs" / "sha256" / asset.sha256
    again = fetch(asset, card="simclr_encoder", cache=cache, transfer=transfer)
    assert not again.downloaded and again.path == first.path
    assert len(asset_server.requests_for("/m/encoder.ckpt")) == 1
    assert (cache.root / "CACHEDIR.TAG").is_file()


def test_the_stored_name_comes_from_the_digest_not_the_url(
    asset_server: AssetServer, cache: AssetCache, transfer: HttpTransfer, make_asset: MakeAsset
) -> None:
    one = fetch(make_asset(asset_server.add("/x/w.ckpt", b"one"), b"one"), cache=cache, transfer=transfer)
    two = fetch(make_asset(asset_server.add("/y/w.ckpt", b"two"), b"two"), cache=cache, transfer=transfer)
    assert one.blob != two.blob
    assert one.blob.read_bytes() == b"one" and two.blob.read_bytes() == b"two"


def test_wrong_bytes_raise_and_leave_the_cache_as_it_was(
    asset_server: AssetServer,
    cache: AssetCache,
    transfer: HttpTransfer,
    payload: bytes,
    make_asset: MakeAsset,
) -> None:
    fetch(
        make_asset(asset_server.add("/other", b"other"), b"other"), card="o", cache=cache, transfer=transfer
    )
    before = cache_state(cache)
    wrong = bytes(reversed(payload))
    url = asset_server.add("/a.ckpt", payload, Fault(body=wrong))
    asset = make_asset(url, payload)
    with pytest.raises(IntegrityError) as caught:
        fetch(asset, card="simclr_encoder", cache=cache, transfer=transfer)
    error = caught.value
    assert error.url == url
    assert error.expected == asset.sha256
    assert error.actual == hashlib.sha256(wrong).hexdigest()
    assert (error.received, error.announced) == (len(payload), len(payload))
    text = str(error)
    assert url in text and asset.sha256 in text and error.actual in text
    assert f"{len(payload)} bytes received of {len(payload)} announced" in text
    assert "hub-plugin download simclr_encoder" in text
    assert cache_state(cache) == before
    # and the next try, with the server fixed, succeeds
    assert fetch(asset, card="simclr_encoder", cache=cache, transfer=transfer).path.read_bytes() == payload


def test_nothing_arrived_says_so(
    asset_server: AssetServer, cache: AssetCache, transfer: HttpTransfer, make_asset: MakeAsset
) -> None:
    asset = make_asset(asset_server.add("/empty", b""), b"real content")
    with pytest.raises(IntegrityError, match=r"nothing arrived \(0 bytes\)") as caught:
        fetch(asset, cache=cache, transfer=transfer)
    assert caught.value.actual == EMPTY_SHA256
    assert EMPTY_SHA256 not in str(caught.value)


def test_a_digest_prefix_is_a_weak_check_but_the_blob_gets_the_full_name(
    asset_server: AssetServer,
    cache: AssetCache,
    transfer: HttpTransfer,
    payload: bytes,
    make_asset: MakeAsset,
) -> None:
    url = asset_server.add("/a.ckpt", payload)
    fetched = fetch(make_asset(url, payload, prefix=8), card="c", cache=cache, transfer=transfer)
    assert fetched.weak_check
    assert fetched.sha256 == hashlib.sha256(payload).hexdigest()
    assert fetched.blob.name == fetched.sha256
    hit = fetch(make_asset(url, payload, prefix=10), card="c", cache=cache, transfer=transfer)
    assert not hit.downloaded
    wrong = Asset(url, "0123abcd", "ckpt")
    with pytest.raises(IntegrityError, match="expected 0123abcd"):
        fetch(wrong, cache=cache, transfer=transfer)


@pytest.mark.parametrize("sha", ["", "abc", "XYZ" * 30, "a" * 65])
def test_an_unusable_digest_is_refused_before_any_request(
    asset_server: AssetServer, cache: AssetCache, sha: str
) -> None:
    with pytest.raises(UsageError, match="no usable sha256"):
        fetch(Asset(asset_server.url("/a"), sha, "ckpt"), cache=cache)
    assert asset_server.log == []


def test_offline_serves_the_cache_and_never_connects(
    asset_server: AssetServer,
    cache: AssetCache,
    transfer: HttpTransfer,
    payload: bytes,
    make_asset: MakeAsset,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cached = make_asset(asset_server.add("/cached.ckpt", payload), payload)
    fetch(cached, card="c", cache=cache, transfer=transfer)
    asset_server.log.clear()
    monkeypatch.setenv("HUB_PLUGIN_OFFLINE", "1")
    assert fetch(cached, card="c", cache=cache).path.read_bytes() == payload
    missing = make_asset(asset_server.add("/missing.ckpt", b"zz"), b"zz")
    with pytest.raises(OfflineError, match="not in the cache"):
        fetch(missing, card="c", cache=cache)
    with pytest.raises(OfflineError):
        fetch(missing, cache=cache, offline=True)
    assert asset_server.log == []  # no request at all


def test_a_corrupt_hit_is_fetched_again(
    asset_server: AssetServer,
    cache: AssetCache,
    transfer: HttpTransfer,
    payload: bytes,
    make_asset: MakeAsset,
) -> None:
    asset = make_asset(asset_server.add("/a.ckpt", payload), payload)
    blob = fetch(asset, cache=cache, transfer=transfer).blob
    os.chmod(blob, 0o644)
    blob.write_bytes(payload[:1000])  # truncated on disk
    assert fetch(asset, cache=cache, transfer=transfer).blob.read_bytes() == payload
    assert len(asset_server.requests_for("/a.ckpt")) == 2


def test_a_mismatch_after_resuming_gets_one_clean_retry(
    asset_server: AssetServer,
    cache: AssetCache,
    transfer: HttpTransfer,
    payload: bytes,
    make_asset: MakeAsset,
) -> None:
    asset = make_asset(asset_server.add("/a.ckpt", payload), payload)
    cache.ensure()
    # a leftover from a dead process, holding bytes of some other version of the file
    (cache.tmp_dir / f"{asset.sha256}.4242.part").write_bytes(b"\0" * 5000)
    assert fetch(asset, cache=cache, transfer=transfer).blob.read_bytes() == payload
    assert [r.range for r in asset_server.requests_for("/a.ckpt")] == ["bytes=5000-", None]


def test_a_complete_leftover_is_stored_without_a_request(
    asset_server: AssetServer,
    cache: AssetCache,
    transfer: HttpTransfer,
    payload: bytes,
    make_asset: MakeAsset,
) -> None:
    asset = make_asset(asset_server.add("/a.ckpt", payload), payload)
    cache.ensure()
    (cache.tmp_dir / f"{asset.sha256}.4242.part").write_bytes(payload)
    assert fetch(asset, cache=cache, transfer=transfer).blob.read_bytes() == payload
    assert asset_server.log == []


def test_mirrors_redirect_the_download(
    asset_server: AssetServer,
    cache: AssetCache,
    transfer: HttpTransfer,
    payload: bytes,
    make_asset: MakeAsset,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asset_server.add("/mirror/models/r1.8/a.ckpt", payload)
    asset = make_asset("https://download.mindspore.cn/models/r1.8/a.ckpt", payload)
    monkeypatch.setenv("HUB_PLUGIN_MIRROR", f"https://download.mindspore.cn/={asset_server.url('/mirror/')}")
    fetched = fetch(asset, card="c", cache=cache, transfer=transfer)
    assert fetched.path.read_bytes() == payload
    assert len(asset_server.requests_for("/mirror/models/r1.8/a.ckpt")) == 1
    index = json.loads((cache.root / "index.json").read_text())
    assert index["blobs"][asset.sha256]["links"] == [asset.link]


def test_file_links_and_relative_paths(tmp_path: Path, cache: AssetCache, make_asset: MakeAsset) -> None:
    content = os.urandom(3000)
    (tmp_path / "weights").mkdir()
    (tmp_path / "weights" / "w.ckpt").write_bytes(content)
    by_uri = fetch(make_asset((tmp_path / "weights" / "w.ckpt").as_uri(), content), cache=cache)
    assert by_uri.blob.read_bytes() == content
    by_path = fetch(
        make_asset("weights/w.ckpt", content), card="c", cache=cache, base_dir=tmp_path, offline=True
    )
    assert by_path.path.read_bytes() == content
    mirrors = MirrorMap.parse(f"https://hub.example/={(tmp_path / 'weights').as_uri()}/")
    other = os.urandom(10)
    (tmp_path / "weights" / "o.ckpt").write_bytes(other)
    assert fetch(make_asset("https://hub.example/o.ckpt", other), cache=cache, mirrors=mirrors).size == 10


def test_remote_plain_http_is_refused_without_connecting(cache: AssetCache, make_asset: MakeAsset) -> None:
    with pytest.raises(LinkRefused, match="--allow-http"):
        fetch(make_asset("http://hub.invalid/a.ckpt", b"x"), cache=cache)


def test_an_asset_too_big_for_the_disk_stops_before_downloading(
    asset_server: AssetServer,
    cache: AssetCache,
    transfer: HttpTransfer,
    payload: bytes,
    make_asset: MakeAsset,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from collections import namedtuple

    usage = namedtuple("usage", "total used free")
    asset = make_asset(asset_server.add("/big.ckpt", payload), payload)
    with monkeypatch.context() as patch:  # a disk with 1000 bytes free
        patch.setattr("hub_plugin.downloads.partial.shutil.disk_usage",
                      lambda _: usage(10**9, 10**9, 1000))
        with pytest.raises(CacheError, match="No space left") as caught:
            fetch(asset, cache=cache, transfer=transfer)
    assert "hub-plugin cache prune" in str(caught.value)
    assert list(cache.tmp_dir.iterdir()) == []
    assert cache.entries() == []
    assert fetch(asset, cache=cache, transfer=transfer).downloaded


def test_a_failed_download_keeps_its_bytes_for_the_next_run_only_if_there_are_some(
    asset_server: AssetServer,
    cache: AssetCache,
    transfer: HttpTransfer,
    payload: bytes,
    make_asset: MakeAsset,
) -> None:
    missing = make_asset(asset_server.add("/gone.ckpt", payload, Fault(status=404)), payload)
    with pytest.raises(DownloadError, match="HTTP 404"):
        fetch(missing, cache=cache, transfer=transfer)
    assert list(cache.tmp_dir.iterdir()) == []

    url = asset_server.add("/flaky.ckpt", payload, Fault(cut_after=200_000), *[Fault(status=503)] * 4)
    asset = make_asset(url, payload)
    with pytest.raises(DownloadError, match="HTTP 503"):
        fetch(asset, cache=cache, transfer=transfer)
    (kept,) = cache.tmp_dir.iterdir()
    kept_size = kept.stat().st_size
    assert 0 < kept_size <= 200_000
    assert cache.entries() == []  # never served
    assert fetch(asset, cache=cache, transfer=transfer).path.read_bytes() == payload
    assert asset_server.requests_for("/flaky.ckpt")[-1].range == f"bytes={kept_size}-"
