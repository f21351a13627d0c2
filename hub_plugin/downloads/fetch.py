"""Fetching an asset: from the cache when it is there, else downloaded, verified and stored.

:func:`fetch` is the one door through which an asset reaches a caller, and it never hands out a
file whose sha256 failed. The steps:

1. Rewrite the link through the mirrors (``HUB_PLUGIN_MIRROR``) and resolve it (URL or local file)
   by the rules of the card's origin (:func:`~hub_plugin.downloads.mirrors.card_source`: a hub
   card names no local file; a local registry's card only files inside its root). A refused link
   raises :class:`~hub_plugin.errors.LinkRefused` before anything is opened.
2. Look in the cache by digest (a hit also checks the size) and return the hit.
3. Offline (``HUB_PLUGIN_OFFLINE=1`` or ``offline=True``) a miss is an :class:`OfflineError`; no
   connection is ever opened. Local files are still read.
4. Take the asset's cross-process lock. Whoever gets it first downloads; the others wait, then find
   the blob in the cache and reuse it: one transfer however many processes ask.
5. Stream the bytes into this process's temporary file, hashing as they arrive and resuming what an
   earlier, interrupted try left (see :mod:`~hub_plugin.downloads.transfer`).
6. fsync, check the full digest, rename into ``blobs/sha256/<digest>``. On a mismatch the bytes are
   deleted and :class:`IntegrityError` raised (after one clean retry from zero when part of the
   bytes came from resuming, since a resumed prefix may belong to an older version of the file).
"""

from __future__ import annotations

import errno
import logging
import re
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import filelock

from ..cache.asset_cache import AssetCache
from ..cache.index import CacheEntry, View
from ..cards.asset_link import CardOrigin
from ..cards.manifest import Asset, Manifest
from ..core.hashing import digest_matches
from ..core.http import TransferPolicy
from ..core.progress import Progress, SilentProgress
from ..core.settings import OFFLINE_VARIABLE as OFFLINE_VARIABLE
from ..core.settings import Settings, current_settings
from ..errors import CacheError, HubPluginError, IntegrityError, LockMismatch, OfflineError, UsageError
from .link_rules import Source, check_url_allowed
from .local_file import copy_local_file
from .mirrors import MirrorMap, card_source
from .partial import PartialDownload
from .transfer import HttpTransfer

_DIGEST_OR_PREFIX = re.compile(r"[0-9a-f]{8,64}")
_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FetchedAsset:
    """A verified asset on disk.

    ``path`` is where to read it: the readable view ``cards/<place>/<file name>`` when a card was
    named (see :mod:`~hub_plugin.cache.views`), else the blob. ``sha256`` is the full
    digest of the content; ``weak_check`` is true when the card gave only a prefix of it.
    ``downloaded`` is false when the cache already had it.
    """

    asset: Asset
    path: Path
    blob: Path
    sha256: str
    size: int
    weak_check: bool
    downloaded: bool


def fetch(
    asset: Asset,
    *,
    card: str | None = None,
    cache: AssetCache | None = None,
    settings: Settings | None = None,
    offline: bool | None = None,
    allow_http: bool | None = None,
    mirrors: MirrorMap | None = None,
    transfer: HttpTransfer | None = None,
    policy: TransferPolicy | None = None,
    progress: Progress | None = None,
    base_dir: Path | None = None,
    retry_command: str | None = None,
    on_wait: Callable[[str], None] | None = None,
    origin: CardOrigin | None = None,
    locked_sha256: str | None = None,
) -> FetchedAsset:
    """Return ``asset`` verified on disk, downloading it at most once.

    ``card`` names the card the asset belongs to (for the readable view and messages);
    ``cache``, ``offline``, ``allow_http`` and ``mirrors`` default to what ``settings`` hold (the
    environment's, ``HUB_PLUGIN_HOME``, ``HUB_PLUGIN_OFFLINE``, ``HUB_PLUGIN_MIRROR``, when ``None``);
    ``base_dir`` is where relative local paths start (the card's folder). ``transfer`` (or
    ``policy``) tunes the network side. ``on_wait`` is called with a message when another
    process is already fetching the same asset and this one waits for it. ``origin`` is where
    the card came from: it decides whether the link may name a local file (only a local
    registry's card, inside its root) and where the view goes (``cards/<origin.place>/<file>``);
    without it the link is the caller's own, and the view ``cards/<card>/<file>``.

    ``locked_sha256`` is the asset's full digest from a lock file (``--locked``,
    :mod:`hub_plugin.lock`): the bytes served must have it, not only the card's digest (often an
    8-digit prefix), and a card digest that is no prefix of it is a
    :class:`~hub_plugin.errors.LockMismatch`.

    Raises :class:`IntegrityError`, :class:`~hub_plugin.errors.DownloadError`,
    :class:`OfflineError`, :class:`~hub_plugin.errors.LinkRefused` or :class:`CacheError`.
    """
    expected = asset.sha256.strip().lower()
    if not _DIGEST_OR_PREFIX.fullmatch(expected):
        raise UsageError(
            f"asset {asset.link} has no usable sha256 ({asset.sha256!r})",
            hint="a card must give 64 hex digits, or a prefix of at least 8",
        )
    if locked_sha256 is not None:
        if not digest_matches(expected, locked_sha256):
            raise LockMismatch(f"{card or asset.link}: the card gives sha256 {expected} for "
                               f"{asset.link}, locked {locked_sha256}",
                               hint=f"to use what is served now: hub-plugin lock --upgrade {card}")
        expected = locked_sha256
    if cache is None or offline is None or allow_http is None or mirrors is None:
        settings = current_settings(settings)
        cache = cache or AssetCache(settings.home)
        offline = settings.offline if offline is None else offline
        allow_http = settings.allow_http if allow_http is None else allow_http
        mirrors = MirrorMap.from_settings(settings) if mirrors is None else mirrors
    view = View(card, asset.file_name, origin.place if origin else "") if card else None
    link = mirrors.apply(asset.link)
    source = card_source(asset.link, origin, mirrors, card_dir=base_dir)
    if retry_command is None and card:
        retry_command = f"hub-plugin download {card}"

    entry = cache.find(expected, view)
    if entry is not None:
        return _served(asset, cache, entry, view, downloaded=False)
    if offline and not source.is_local:
        raise OfflineError(link, expected, card=card)
    if not source.is_local:
        check_url_allowed(source.url, allow_http=allow_http)
    transfer = transfer or HttpTransfer(policy, allow_http=allow_http)
    progress = progress or SilentProgress()

    lock = cache.lock(expected)
    try:
        try:
            lock.acquire(timeout=0)
        except filelock.Timeout:
            message = f"another process is fetching {asset.file_name}; waiting for it"
            _log.info("%s (%s)", message, link)
            if on_wait is not None:
                on_wait(message)
            lock.acquire()
    except OSError as error:  # a file system without flock (some network mounts)
        raise CacheError(
            f"cannot lock {cache.locks_dir}: {error.strerror or error}",
            hint="set HUB_PLUGIN_HOME to a folder on a local disk",
        ) from error
    try:
        entry = cache.find(expected, view)  # stored by whoever held the lock before us?
        if entry is not None:
            return _served(asset, cache, entry, view, downloaded=False)
        entry = _download(asset, expected, source, cache, view, transfer, progress, retry_command)
        return _served(asset, cache, entry, view, downloaded=True)
    finally:
        lock.release()


def fetch_manifest(manifest: Manifest, *, locked: Mapping[str, str] | None = None,
                   **options: object) -> list[FetchedAsset]:
    """:func:`fetch` every asset of a card, in order (the card's folder anchors local paths);
    ``locked`` gives the full sha256 each link must have (``--locked``: by link, from
    :func:`hub_plugin.lock.verify.locked_pins`)."""
    base_dir = Path(manifest.path).parent if manifest.path else None
    origin = manifest.origin
    if origin is None:  # a manifest made outside the registry: its links are untrusted
        origin = CardOrigin.checked(Path(manifest.path or manifest.name))
    return [
        fetch(asset, card=manifest.name, base_dir=base_dir, origin=origin,
              locked_sha256=locked.get(asset.link) if locked is not None else None,
              **options)  # type: ignore[arg-type]
        for asset in manifest.assets
    ]


def _served(
    asset: Asset, cache: AssetCache, entry: CacheEntry, view: View | None, *, downloaded: bool
) -> FetchedAsset:
    if not downloaded:  # a hit: note the use (and the card, if it is new for this blob)
        entry = cache.record_use(entry.sha256, entry.size, view, asset.link)
    return FetchedAsset(
        asset=asset,
        path=cache.view_path(view) if view is not None else entry.path,
        blob=entry.path,
        sha256=entry.sha256,
        size=entry.size,
        weak_check=asset.is_digest_prefix,
        downloaded=downloaded,
    )


def _download(
    asset: Asset,
    expected: str,
    source: Source,
    cache: AssetCache,
    view: View | None,
    transfer: HttpTransfer,
    progress: Progress,
    retry_command: str | None,
) -> CacheEntry:
    """Transfer, verify and store; called with the asset's lock held."""
    description = asset.file_name
    clean_retry_left = True
    while True:
        partial = cache.claim_partial(expected)
        announced: int | None
        resumed = False
        try:
            if partial.size and digest_matches(expected, partial.digest.result().sha256):
                announced = partial.size  # complete already: the last holder died before storing
            elif source.path is not None:
                announced = copy_local_file(source.path, partial, progress=progress, description=description)
            else:
                report = transfer.download(source.url, partial, progress=progress, description=description)
                announced, resumed = report.announced, report.resumed
            digest = partial.finish()
        except HubPluginError:  # a DownloadError is a ConnectionError too: not a local write failure
            _keep_for_resume(partial)
            raise
        except OSError as error:
            raise _write_failed(partial, error) from error
        except BaseException:
            _keep_for_resume(partial)
            raise
        finally:
            progress.finish()
        if digest_matches(expected, digest.sha256):
            return cache.store(partial, digest, view, asset.link)
        partial.discard()
        if resumed and clean_retry_left:
            clean_retry_left = False
            _log.warning("%s: digest mismatch after resuming; downloading again from zero", source.url)
            continue
        raise IntegrityError(
            source.url,
            expected=expected,
            actual=digest.sha256,
            received=digest.size,
            announced=announced,
            retry_command=retry_command,
        )


def _write_failed(partial: PartialDownload, error: OSError) -> CacheError:
    """The one-line error for a local write that failed. A full disk (``ENOSPC``, or a quota's
    ``EDQUOT``) also deletes the partial file, so that the failed download does not keep the disk
    full; other failures keep it for the next try to resume."""
    folder = partial.path.parent
    if error.errno not in (errno.ENOSPC, errno.EDQUOT):
        _keep_for_resume(partial)
        return CacheError(f"cannot write {partial.path}: {error.strerror or error}",
                          hint="set HUB_PLUGIN_HOME to a writable folder")
    partial.discard()
    try:
        free = f"{shutil.disk_usage(folder).free / 2**20:.1f} MiB free"
    except OSError:
        free = "free space unknown"
    return CacheError(
        f"no space left in {folder} ({free}): {error.strerror or error}; the unfinished download "
        "was removed",
        hint="free some space (hub-plugin cache prune) or set HUB_PLUGIN_HOME elsewhere",
    )


def _keep_for_resume(partial: PartialDownload) -> None:
    """After a failed try: keep the bytes so far for the next one to resume, unless there are none."""
    if partial.size:
        partial.close()
    else:
        partial.discard()
