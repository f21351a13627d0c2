"""The assets layer: download once, verify the sha256, cache by content.

Every file a card names (its checkpoints) reaches a caller through :func:`fetch`, which never hands
out bytes whose digest failed. The pieces, one module each:

- :mod:`.cache`: :class:`AssetCache`, the content-addressed store (``HUB_PLUGIN_HOME``);
- :mod:`.cache_index`: its records (:class:`CacheEntry`, :class:`View`, ...) and ``index.json``;
- :mod:`.transfer`: :class:`HttpTransfer`, streamed HTTP with resume, retries and timeouts;
- :mod:`.partial`: a download in progress and its running digest;
- :mod:`.hashing`: the sha256 path;
- :mod:`.links` and :mod:`.mirrors`: where a link points, whether it may be followed, and
  ``HUB_PLUGIN_MIRROR``;
- :mod:`.progress`: the ``rich`` progress bar;
- :mod:`.link_probe`, :mod:`.host_pool` and :mod:`.remote_checks`: ``validate --check-links`` and
  ``--verify-assets``, concurrent with a bound in all and per host;
- :mod:`.fetch`: the steps that tie them together.

Git repositories reach hub-plugin here too, under the same mirror and link rules:

- :mod:`.git_transport`: the ``git`` command, shallow, partial and sparse, with no prompts;
- :mod:`.hub_sync`: a hub's card folder synced into a new snapshot, switched to atomically;
- :mod:`.zoo_checkout`: one folder of a model zoo at one commit, fetched once, kept read-only.

This layer sits below the model packages: it never imports MindSpore.
"""

from __future__ import annotations

from .cache import AssetCache, default_cache_root
from .cache_index import CacheEntry, CorruptBlob, PrunePlan, View
from .fetch import FetchedAsset, fetch, fetch_manifest, offline_from_environment
from .hashing import EMPTY_SHA256, FileDigest, hash_file
from .mirrors import MirrorMap
from .transfer import HttpTransfer, TransferPolicy

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
