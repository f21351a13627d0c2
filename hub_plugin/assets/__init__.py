"""The assets layer: download once, verify the sha256, cache by content.

Every file a card names (its checkpoints) reaches a caller through :func:`fetch`, which never hands
out bytes whose digest failed. One folder per concept:

- :mod:`.download`: fetching one asset (the steps, the HTTP transfer, the partial file, sha256,
  progress);
- :mod:`.cache`: :class:`AssetCache`, the content-addressed store (``HUB_PLUGIN_HOME``), and its
  index;
- :mod:`.links`: where a link points and whether it may be followed, mirrors, and ``validate``'s
  ``--check-links`` and ``--verify-assets`` (concurrent, bounded in all and per host);
- :mod:`.git`: git repositories under the same mirror and link rules (the ``git`` command, hub
  sync, zoo checkouts).

This layer sits below the model packages: it never imports MindSpore.
"""

from __future__ import annotations

from ..core.http import TransferPolicy
from .cache.asset_cache import AssetCache, default_cache_root
from .cache.index import CacheEntry, CorruptBlob, PrunePlan, View
from .download.fetch import FetchedAsset, fetch, fetch_manifest, offline_from_environment
from .download.hashing import EMPTY_SHA256, FileDigest, hash_file
from .download.transfer import HttpTransfer
from .links.mirrors import MirrorMap

__all__ = [
    "EMPTY_SHA256",
    "AssetCache",
    "CacheEntry",
    "CorruptBlob",
    "FetchedAsset",
    "FileDigest",
    "HttpTransfer",
    "MirrorMap",
    "PrunePlan",
    "TransferPolicy",
    "View",
    "default_cache_root",
    "fetch",
    "fetch_manifest",
    "hash_file",
    "offline_from_environment",
]
