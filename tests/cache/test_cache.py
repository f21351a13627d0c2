from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import filelock
import pytest

from hub_plugin.cache.asset_cache import CACHEDIR_TAG, AssetCache, default_cache_root, safe_name
from hub_plugin.cache.index import View
from hub_plugin.core.hashing import FileDigest


def put(cache: AssetCache, content: bytes, card: str | None = "card", file_name: str = "w.ckpt") -> str:
    """Store ``content`` as if a download of it had just verified; returns its digest."""
    partial = cache.claim_partial(hashlib.sha256(content).hexdigest())
    partial.write(content)
    digest = partial.finish()
    view = View(card, file_name) if card else None
    cache.store(partial, digest, view, "https://example.org/" + file_name)
    return digest.sha256


def corrupt(path: Path, content: bytes) -> None:
    os.chmod(path, 0o644)
    path.write_bytes(content)


def test_default_root_follows_the_environment(tmp_path: Path) -> None:
    assert default_cache_root({"HUB_PLUGIN_HOME": str(tmp_path)}) == tmp_path
    assert default_cache_root({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "hub-plugin"
    assert default_cache_root({}) == Path.home() / ".cache" / "hub-plugin"


def test_layout_tag_index_and_view(cache: AssetCache) -> None:
    content = os.urandom(5000)
    sha = put(cache, content, "simclr_encoder", "encoder.ckpt")
    assert (cache.root / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    assert CACHEDIR_TAG.endswith("\n")
    blob = cache.root / "blobs" / "sha256" / sha
    assert blob.read_bytes() == content
    assert not os.access(blob, os.W_OK) or os.geteuid() == 0  # stored read-only
    view = cache.root / "cards" / "simclr_encoder" / "encoder.ckpt"
    assert view.is_symlink() and not os.path.isabs(os.readlink(view))
    assert view.read_bytes() == content
    index = json.loads((cache.root / "index.json").read_text())
    assert index["format"] == "hub-plugin-asset-index"
    record = index["blobs"][sha]
    assert record["size"] == 5000
    assert record["views"] == [["simclr_encoder", "encoder.ckpt"]]
    assert record["links"] == ["https://example.org/encoder.ckpt"]
    assert list((cache.root / "tmp").iterdir()) == []


def test_find_by_digest_and_prefix(cache: AssetCache) -> None:
    sha = put(cache, b"hello")
    assert cache.find(sha) is not None
    entry = cache.find(sha[:8])
    assert entry is not None and entry.sha256 == sha and entry.size == 5
    assert cache.find("0" * 64) is None
    assert AssetCache(cache.root / "nothing").find(sha) is None


def test_a_hit_of_the_wrong_size_is_removed(cache: AssetCache) -> None:
    sha = put(cache, b"hello world")
    corrupt(cache.blob_path(sha), b"hello")
    assert cache.find(sha) is None
    assert not cache.blob_path(sha).exists()
    assert not (cache.root / "cards" / "card" / "w.ckpt").exists()


def test_a_lost_or_broken_index_is_rebuilt_from_disk(cache: AssetCache) -> None:
    sha = put(cache, b"abc")
    (cache.root / "index.json").write_text("{not json")
    entries = cache.entries()
    assert [e.sha256 for e in entries] == [sha]
    assert entries[0].size == 3
    (cache.root / "index.json").unlink()
    assert cache.find(sha) is not None
    put(cache, b"def")
    assert len(json.loads((cache.root / "index.json").read_text())["blobs"]) == 2


def test_verify_finds_removes_and_reports_corrupt_blobs(cache: AssetCache) -> None:
    good = put(cache, b"good bytes", "a")
    bad = put(cache, b"bad bytes!", "b")
    corrupt(cache.blob_path(bad), b"BAD bytes!")  # same size: only a re-hash finds it
    checked, corrupted = cache.verify(remove=False)
    assert checked == 2
    assert [c.entry.sha256 for c in corrupted] == [bad]
    assert corrupted[0].actual == FileDigest(hashlib.sha256(b"BAD bytes!").hexdigest(), 10)
    assert cache.blob_path(bad).exists()  # a dry run
    checked, corrupted = cache.verify()
    assert len(corrupted) == 1
    assert not cache.blob_path(bad).exists()
    assert not (cache.root / "cards" / "b").exists()
    assert cache.blob_path(good).exists()
    assert cache.verify() == (1, [])


def test_prune_by_age_then_size(cache: AssetCache) -> None:
    old = put(cache, b"o" * 100, "old")
    mid = put(cache, b"m" * 100, "mid")
    new = put(cache, b"n" * 100, "new")
    index = json.loads((cache.root / "index.json").read_text())
    now = time.time()
    for sha, age in ((old, 90 * 86400), (mid, 2 * 86400), (new, 60)):
        index["blobs"][sha]["last_used"] = now - age
    (cache.root / "index.json").write_text(json.dumps(index))

    plan = cache.plan_prune(older_than=30 * 86400, now=now)
    assert [e.sha256 for e in plan.blobs] == [old]
    assert (plan.size_before, plan.size_after) == (300, 200)
    plan = cache.plan_prune(max_size=150, now=now)
    assert [e.sha256 for e in plan.blobs] == [old, mid]  # least recently used first
    assert plan.size_after == 100
    cache.prune(plan)
    assert [e.sha256 for e in cache.entries()] == [new]
    assert not (cache.root / "cards" / "old").exists()
    assert cache.plan_prune().blobs == ()


def test_prune_takes_stale_partials_but_not_live_ones(cache: AssetCache) -> None:
    cache.ensure()
    stale = cache.tmp_dir / f"{'a' * 64}.99999.part"
    live = cache.tmp_dir / f"{'b' * 64}.88888.part"
    stale.write_bytes(b"x")
    live.write_bytes(b"y")
    with cache.lock("b" * 64):  # someone is downloading b right now
        plan = cache.plan_prune()
        assert plan.partials == (stale,)
        cache.prune(plan)
    assert not stale.exists()
    assert live.exists()


def test_a_card_view_goes_but_a_shared_blob_stays(cache: AssetCache) -> None:
    sha = put(cache, b"shared", "one")
    put(cache, b"shared", "two")
    cache.remove_view(View("one", "w.ckpt"))
    assert cache.blob_path(sha).exists()
    assert [e.cards for e in cache.entries()] == [("two",)]
    cache.remove_view(View("two", "w.ckpt"))
    assert cache.entries() == []


def test_claim_partial_adopts_the_largest_leftover(cache: AssetCache) -> None:
    cache.ensure()
    key = "c" * 64
    (cache.tmp_dir / f"{key}.11.part").write_bytes(b"12345")
    (cache.tmp_dir / f"{key}.22.part").write_bytes(b"12")
    partial = cache.claim_partial(key)
    assert partial.path.name == f"{key}.{os.getpid()}.part"
    assert partial.resumed_from == 5
    partial.discard()
    assert list(cache.tmp_dir.iterdir()) == []


def test_the_lock_excludes_other_holders(cache: AssetCache) -> None:
    with cache.lock("d" * 64), pytest.raises(filelock.Timeout):
        cache.lock("d" * 64).acquire(timeout=0.05)
    cache.lock("d" * 64).acquire(timeout=0).lock.release()


@pytest.mark.parametrize(("text", "name"), [("a/b", "a_b"), ("..", "_.."), ("", "_"), ("ok-1.2", "ok-1.2")])
def test_safe_names(text: str, name: str) -> None:
    assert safe_name(text) == name
