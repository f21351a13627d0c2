"""The concurrency pieces of ``validate --check-links/--verify-assets``: the pool and the index."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from asset_server import AssetServer

from hub_plugin.cache.asset_cache import AssetCache
from hub_plugin.cards.manifest import Asset
from hub_plugin.downloads.fetch import fetch
from hub_plugin.validation.host_pool import HostPool, Job


def test_the_pool_keeps_order_hands_back_errors_and_holds_both_bounds() -> None:
    lock = threading.Lock()
    now: Counter[str] = Counter()
    most: Counter[str] = Counter()
    total = [0, 0]  # in flight now, most at once

    def job(host: str, value: int) -> int:
        with lock:
            now[host] += 1
            most[host] = max(most[host], now[host])
            total[0] += 1
            total[1] = max(total[1], total[0])
        time.sleep(0.02)
        with lock:
            now[host] -= 1
            total[0] -= 1
        if value == 7:
            raise ValueError("seven")
        return value * 10

    jobs = [Job(host, lambda h=host, v=i: job(h, v))
            for i, host in enumerate(["a"] * 12 + ["b"] * 12 + ["c"] * 3)]
    pool = HostPool(jobs=5, per_host=2)
    results = pool.map(jobs)
    assert results[:7] == [i * 10 for i in range(7)] and isinstance(results[7], ValueError)
    assert results[8:] == [i * 10 for i in range(8, 27)]
    assert most["a"] == most["b"] == 2 and most["c"] <= 2
    assert max(pool.peak.values()) == 2
    assert total[1] == 5  # one host busy never left a worker idle while another host waited


def test_bounds_below_one_are_refused() -> None:
    with pytest.raises(ValueError):
        HostPool(jobs=0)


def test_deferred_index_writes_once_at_the_end(asset_server: AssetServer, tmp_path: Path) -> None:
    cache = AssetCache(tmp_path / "cache")
    payloads = {f"/a{i}.ckpt": f"asset {i}".encode() for i in range(12)}
    assets = [Asset(asset_server.add(path, data), hashlib.sha256(data).hexdigest(), "ckpt")
              for path, data in payloads.items()]
    with cache.index.deferred():
        with cache.index.deferred():  # nested: the outer block writes
            results = HostPool(4, 4).map(
                [Job("h", lambda a=a, i=i: fetch(a, card=f"card{i}", cache=cache, offline=False))
                 for i, a in enumerate(assets)])
        assert all(not isinstance(r, BaseException) for r in results)
        assert not cache.index_path.exists()  # nothing written yet
        assert all(fetched.path.read_bytes() == data  # the blobs and views are there already
                   for fetched, data in zip(results, payloads.values(), strict=True))
    blobs = json.loads(cache.index_path.read_text())["blobs"]
    assert set(blobs) == {a.sha256 for a in assets}
    assert sorted(tuple(v) for record in blobs.values() for v in record["views"]) == sorted(
        (f"card{i}", f"a{i}.ckpt") for i in range(12))
