"""The readable view (issue 17, case 12): one path per card origin, old views kept readable."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from hub_plugin.cache.asset_cache import AssetCache
from hub_plugin.cache.index import View
from hub_plugin.cache.views import CardViews
from hub_plugin.cards.asset_link import CardOrigin
from hub_plugin.cards.manifest import Asset
from hub_plugin.downloads.fetch import fetch


def _local_asset(folder: Path, name: str, content: bytes) -> Asset:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return Asset(path.as_uri(), hashlib.sha256(content).hexdigest(), "ckpt")


def test_a_view_made_by_an_older_version_stays_readable_and_removable(tmp_path: Path) -> None:
    """Older caches: ``cards/<stem>/<file>`` and two-element index records."""
    content = os.urandom(1000)
    sha = hashlib.sha256(content).hexdigest()
    cache = AssetCache(tmp_path / "cache")
    cache.ensure()
    cache.blob_path(sha).write_bytes(content)
    old = cache.views_dir / "enc" / "w.ckpt"
    old.parent.mkdir(parents=True)
    old.symlink_to(os.path.relpath(cache.blob_path(sha), old.parent))
    cache.index_path.write_text(json.dumps({"format": "hub-plugin-asset-index", "version": 1, "blobs": {
        sha: {"size": 1000, "added": 1.0, "last_used": 1.0, "views": [["enc", "w.ckpt"]]}}}))
    (entry,) = cache.entries()
    assert entry.views == (View("enc", "w.ckpt"),) and cache.view_path(entry.views[0]) == old
    origin = CardOrigin.hub(tmp_path, "main", "a" * 40, "mindspore/1.8/enc")
    got = fetch(Asset("https://example.org/w.ckpt", sha, "ckpt"), card="enc", cache=cache,
                origin=origin, offline=True)  # a hit: no network
    assert got.path == cache.views_dir / "hub" / "main@aaaaaaaaaaaa" / "mindspore" / "1.8" / "enc" / "w.ckpt"
    assert got.path.read_bytes() == old.read_bytes() == content
    (entry,) = cache.entries()
    assert set(entry.views) == {View("enc", "w.ckpt"), View("enc", "w.ckpt", origin.place)}
    cache.remove(sha)
    assert not old.exists() and not got.path.exists() and list(cache.views_dir.iterdir()) == []


def test_two_origins_with_one_card_name_and_file_name_never_share_a_path(tmp_path: Path) -> None:
    cache = AssetCache(tmp_path / "cache")
    first = _local_asset(tmp_path / "a", "w.ckpt", b"first")
    second = _local_asset(tmp_path / "b", "w.ckpt", b"second")
    a = fetch(first, card="net", cache=cache,
              origin=CardOrigin.local(tmp_path / "a", tmp_path / "a" / "net.md"))
    b = fetch(second, card="net", cache=cache,
              origin=CardOrigin.local(tmp_path / "b", tmp_path / "b" / "net.md"))
    assert a.path != b.path
    assert a.path.read_bytes() == b"first" and b.path.read_bytes() == b"second"


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)


@settings(deadline=None)
@given(card=TEXT, file_name=TEXT, place=st.lists(TEXT, max_size=5).map("/".join))
def test_every_view_lies_inside_the_views_folder(card: str, file_name: str, place: str) -> None:
    views = CardViews(Path("/cache/cards"), lambda sha: Path("/cache/blobs") / sha)
    path = views.path(View(card, file_name, place))
    assert os.path.normpath(path) == str(path)  # nothing for the kernel to resolve: no '..', no '.'
    assert Path("/cache/cards") in path.parents
