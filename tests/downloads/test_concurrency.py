"""Several processes, one cache: one transfer, and no lock outlives a killed process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from asset_server import AssetServer, Fault

from hub_plugin.cache.asset_cache import AssetCache
from hub_plugin.cards.manifest import Asset
from hub_plugin.downloads.fetch import fetch
from hub_plugin.downloads.transfer import HttpTransfer

REPO = Path(__file__).resolve().parents[2]

# A child process: wait for the start signal (a file), fetch, print what happened as JSON.
FETCH_CHILD = """
import json, sys, time
from pathlib import Path
from hub_plugin.cache.asset_cache import AssetCache
from hub_plugin.downloads.transfer import HttpTransfer
from hub_plugin.core.http import TransferPolicy
from hub_plugin.downloads.fetch import fetch
from hub_plugin.cards.manifest import Asset
root, link, sha, go = sys.argv[1:5]
while not Path(go).exists():
    time.sleep(0.005)
transfer = HttpTransfer(TransferPolicy(read_timeout=20, chunk_size=16384))
result = fetch(Asset(link, sha, "ckpt"), card="c", cache=AssetCache(Path(root)), transfer=transfer)
print(json.dumps({"path": str(result.path), "downloaded": result.downloaded}), flush=True)
"""

LOCK_CHILD = """
import sys, time
from pathlib import Path
from hub_plugin.cache.asset_cache import AssetCache
lock = AssetCache(Path(sys.argv[1])).lock(sys.argv[2])
lock.acquire()
print("locked", flush=True)
time.sleep(60)
"""


def _child(code: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.01)


def test_four_processes_make_one_transfer(
    asset_server: AssetServer,
    cache: AssetCache,
    payload: bytes,
    make_asset: Callable[..., Asset],
    tmp_path: Path,
) -> None:
    # slow enough (about 0.4 s) that the others arrive while the first is downloading
    url = asset_server.add("/shared.ckpt", payload, chunk_delay=0.04)
    asset = make_asset(url, payload)
    go = tmp_path / "go"
    children = [_child(FETCH_CHILD, str(cache.root), url, asset.sha256, str(go)) for _ in range(5)]
    time.sleep(0.3)  # let the interpreters start
    go.touch()
    results = []
    for child in children:
        out, err = child.communicate(timeout=60)
        assert child.returncode == 0, err
        results.append(json.loads(out))
    assert len(asset_server.requests_for("/shared.ckpt")) == 1
    assert sum(r["downloaded"] for r in results) == 1
    assert {r["path"] for r in results} == {str(cache.root / "cards" / "c" / "shared.ckpt")}
    assert Path(results[0]["path"]).read_bytes() == payload
    assert list(cache.tmp_dir.iterdir()) == []


def test_a_download_killed_with_sigkill_resumes_on_the_next_run(
    asset_server: AssetServer,
    cache: AssetCache,
    transfer: HttpTransfer,
    payload: bytes,
    make_asset: Callable[..., Asset],
    tmp_path: Path,
) -> None:
    release = threading.Event()
    url = asset_server.add("/a.ckpt", payload, Fault(stall_after=400_000, release=release))
    asset = make_asset(url, payload)
    go = tmp_path / "go"
    go.touch()
    child = _child(FETCH_CHILD, str(cache.root), url, asset.sha256, str(go))
    try:
        part = cache.tmp_dir / f"{asset.sha256}.{child.pid}.part"
        _wait_for(lambda: part.exists() and part.stat().st_size >= 400_000 - 16384)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        release.set()
        if child.poll() is None:
            child.kill()
        child.communicate()
    assert child.returncode == -signal.SIGKILL
    kept = part.stat().st_size
    assert cache.entries() == []  # nothing half-done is served

    result = fetch(asset, card="c", cache=cache, transfer=transfer)  # the lock is free again
    assert result.path.read_bytes() == payload
    assert asset_server.requests_for("/a.ckpt")[-1].range == f"bytes={kept}-"
    assert list(cache.tmp_dir.iterdir()) == []


def test_a_lock_held_by_a_killed_process_is_released(cache: AssetCache) -> None:
    """filelock uses flock(2): the kernel drops the lock when its holder dies, even by SIGKILL."""
    import filelock

    key = "e" * 64
    child = _child(LOCK_CHILD, str(cache.root), key)
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "locked"
        with pytest.raises(filelock.Timeout):
            cache.lock(key).acquire(timeout=0.1)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
        child.communicate()
    lock = cache.lock(key)
    lock.acquire(timeout=2)  # would time out if the dead holder still blocked it
    lock.release()


def test_a_waiting_fetch_says_so_then_goes_on_when_the_lock_is_free(
    asset_server: AssetServer,
    cache: AssetCache,
    transfer: HttpTransfer,
    payload: bytes,
    make_asset: Callable[..., Asset],
) -> None:
    asset = make_asset(asset_server.add("/a.ckpt", payload), payload)
    messages: list[str] = []
    results = []
    lock = cache.lock(asset.sha256)
    lock.acquire()  # as if another process were downloading it
    waiter = threading.Thread(
        target=lambda: results.append(fetch(asset, cache=cache, transfer=transfer, on_wait=messages.append))
    )
    waiter.start()
    try:
        _wait_for(lambda: bool(messages))
        assert messages == ["another process is fetching a.ckpt; waiting for it"]
        assert waiter.is_alive()
    finally:
        lock.release()
    waiter.join(timeout=20)
    assert results and results[0].path.read_bytes() == payload
