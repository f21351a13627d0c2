"""The asset cache: verified files stored by their sha256, with a readable view by card.

Layout under the cache root (``HUB_PLUGIN_HOME``, by default ``$XDG_CACHE_HOME/hub-plugin`` or
``~/.cache/hub-plugin``)::

    CACHEDIR.TAG                  marks the folder as a cache (backup tools skip it)
    index.json                    size, first and last use, cards and links of every blob
    blobs/sha256/<hex>            the content, named by its full digest, read-only
    cards/<place>/<file name>     a symbolic link to the blob: the readable view (:mod:`.views`)
    tmp/<key>.<pid>.part          downloads in progress (never served; ``cache ls`` lists them)
    locks/<key>.lock              one lock per asset, and ``index.lock`` for the index

A blob's name comes only from the digest of its bytes, never from a URL, and a blob appears (by an
atomic rename) only after its digest checked, so whatever is under ``blobs/`` was verified once.
``index.json`` is plain JSON; if it is lost or unreadable it is rebuilt from the files on disk.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import filelock

from ..core.hashing import FileDigest, hash_file, is_full_digest
from ..core.settings import HOME_VARIABLE, Settings
from ..downloads.partial import PartialDownload, fsync_directory
from ..errors import CacheError
from .index import CacheEntry, CacheIndex, CorruptBlob, PartialFile, PrunePlan, View
from .views import CardViews, safe_name, view_from_record

__all__ = ["CACHEDIR_TAG", "HOME_VARIABLE", "AssetCache", "default_cache_root", "safe_name"]

# The signature the Cache Directory Tagging Specification asks for (https://bford.info/cachedir/).
CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by hub-plugin.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)

_HEX = re.compile(r"[0-9a-f]{1,64}")


def default_cache_root(environ: Mapping[str, str] | None = None) -> Path:
    """``HUB_PLUGIN_HOME``, else ``$XDG_CACHE_HOME/hub-plugin``, else ``~/.cache/hub-plugin``
    (:attr:`hub_plugin.core.settings.Settings.home`)."""
    return Settings.from_environment(environ).home


class AssetCache:
    """A content-addressed store of verified assets under ``root``.

    The class does no network I/O; :func:`hub_plugin.downloads.fetch` drives downloads into it. All
    mutations of the index happen under ``locks/index.lock``, so several processes may share one
    cache.
    """

    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root is not None else default_cache_root()
        self.blobs_dir = self.root / "blobs" / "sha256"
        self.views_dir = self.root / "cards"
        self.tmp_dir = self.root / "tmp"
        self.locks_dir = self.root / "locks"
        self.index_path = self.root / "index.json"
        self.index = CacheIndex(self.index_path, self.locks_dir / "index.lock", self.blobs_dir)
        self.views = CardViews(self.views_dir, self.blob_path)

    def __repr__(self) -> str:
        return f"AssetCache({str(self.root)!r})"

    # --- layout -------------------------------------------------------------------------------

    def ensure(self) -> None:
        """Create the folders and ``CACHEDIR.TAG``; raises :class:`CacheError` when it cannot."""
        try:
            for folder in (self.blobs_dir, self.views_dir, self.tmp_dir, self.locks_dir):
                folder.mkdir(parents=True, exist_ok=True)
            tag = self.root / "CACHEDIR.TAG"
            if not tag.exists():
                tag.write_text(CACHEDIR_TAG, encoding="ascii")
        except OSError as error:
            raise CacheError(
                f"cannot use the asset cache at {self.root}: {error.strerror or error}",
                hint=f"set {HOME_VARIABLE} to a writable folder",
            ) from error

    def blob_path(self, sha256: str) -> Path:
        return self.blobs_dir / sha256

    def view_path(self, view: View) -> Path:
        return self.views.path(view)

    # --- locking ------------------------------------------------------------------------------

    def lock(self, key: str) -> filelock.BaseFileLock:
        """The cross-process lock of one asset (``key`` is its digest or digest prefix).

        An OS lock (``flock``): the kernel releases it when its holder exits, even by SIGKILL, so
        a crashed download never blocks the next one. On a file system without ``flock`` this
        fails rather than fall back to a marker file that a dead process would leave behind.
        """
        self.ensure()
        return filelock.FileLock(self.locks_dir / f"{safe_name(key)}.lock", fallback_to_soft=False)

    # --- partial downloads --------------------------------------------------------------------

    def claim_partial(self, key: str) -> PartialDownload:
        """This process's temporary file for asset ``key``; call only while holding its lock.

        A file another process left behind for the same key (it died: it would hold the lock
        otherwise) is taken over, so the download resumes where that one stopped.
        """
        self.ensure()
        stem = safe_name(key)
        mine = self.tmp_dir / f"{stem}.{os.getpid()}.part"
        leftovers = sorted(
            (p for p in self.tmp_dir.glob(f"{stem}.*.part") if p != mine),
            key=lambda p: p.stat().st_size,
        )
        if leftovers and not mine.exists():
            os.replace(leftovers.pop(), mine)
        for stale in leftovers:
            stale.unlink(missing_ok=True)
        return PartialDownload(mine)

    def stale_partials(self) -> list[Path]:
        """Temporary files whose asset lock nobody holds: left by processes that died."""
        return [part.path for part in self.partials() if not part.active]

    def partials(self) -> list[PartialFile]:
        """Every unfinished download under ``tmp/``; ``active`` when a process holds its lock."""
        found = []
        for part in sorted(self.tmp_dir.glob("*.part")) if self.tmp_dir.is_dir() else ():
            lock = self.lock(part.name.split(".", 1)[0])
            try:
                lock.acquire(timeout=0)
                lock.release()
                active = False
            except filelock.Timeout:
                active = True
            with contextlib.suppress(OSError):
                info = part.stat()
                found.append(PartialFile(part, info.st_size, info.st_mtime, active))
        return found

    def _entry(self, sha256: str, record: Mapping[str, Any] | None) -> CacheEntry | None:
        path = self.blob_path(sha256)
        try:
            stat = path.stat()
        except OSError:
            return None
        record = record or {}
        views = tuple(sorted(filter(None, map(view_from_record, record.get("views", ())))))
        return CacheEntry(
            sha256=sha256,
            size=int(record.get("size", stat.st_size)),
            path=path,
            added=float(record.get("added", stat.st_mtime)),
            last_used=float(record.get("last_used", stat.st_mtime)),
            views=views,
            links=tuple(str(link) for link in record.get("links", ())),
        )

    def entries(self) -> list[CacheEntry]:
        """Every blob on disk with what the index knows of it (blobs the index lacks included)."""
        records = self.index.read()
        if not self.blobs_dir.is_dir():
            return []
        found = []
        for path in self.blobs_dir.iterdir():
            if is_full_digest(path.name):
                entry = self._entry(path.name, records.get(path.name))
                if entry is not None:
                    found.append(entry)
        return sorted(found, key=lambda e: e.sha256)

    # --- lookup and storing -------------------------------------------------------------------

    def find(self, expected: str, view: View | None = None) -> CacheEntry | None:
        """The stored blob that satisfies ``expected`` (a full digest or a prefix), if any.

        A hit checks the blob's size against the index; a blob of the wrong size is corrupt and
        is removed (``None`` is returned, so the caller downloads it again). A prefix that several
        blobs share is resolved by the blob ``view`` already points to, or not at all.
        """
        if not self.blobs_dir.is_dir() or not _HEX.fullmatch(expected):
            return None
        if is_full_digest(expected):
            candidates = [expected] if self.blob_path(expected).is_file() else []
        else:
            candidates = [p.name for p in self.blobs_dir.glob(f"{expected}*") if is_full_digest(p.name)]
        if len(candidates) > 1 and view is not None:
            target = self.views.target(view)
            candidates = [c for c in candidates if c == target]
        if len(candidates) != 1:
            return None
        sha256 = candidates[0]
        entry = self._entry(sha256, self.index.read().get(sha256))
        if entry is None:
            return None
        if entry.path.stat().st_size != entry.size:
            self.remove(sha256)
            return None
        return entry

    def store(
        self, partial: PartialDownload, digest: FileDigest, view: View | None, link: str | None
    ) -> CacheEntry:
        """Move a finished, verified download into place as ``blobs/sha256/<digest>``."""
        final = self.blob_path(digest.sha256)
        if final.is_file() and final.stat().st_size == digest.size:
            partial.discard()  # another process stored the same content meanwhile
        else:
            os.chmod(partial.path, 0o444)
            os.replace(partial.path, final)
            fsync_directory(self.blobs_dir)
        return self.record_use(digest.sha256, digest.size, view, link)

    def record_use(
        self, sha256: str, size: int, view: View | None = None, link: str | None = None
    ) -> CacheEntry:
        """Note a use of a blob in the index (last use, card, link) and refresh its view."""
        now = time.time()

        def change(blobs: dict[str, dict[str, Any]]) -> None:
            record = blobs.setdefault(sha256, {"size": size, "added": now})
            record["size"] = size
            record["last_used"] = now
            if view is not None:
                views = {tuple(v) for v in record.get("views", ())}
                views.add(view.record())
                record["views"] = sorted([list(v) for v in views])
            if link is not None:
                links = set(record.get("links", ()))
                links.add(link)
                record["links"] = sorted(links)

        self.ensure()
        try:
            self.index.update(change)
            if view is not None:
                self.views.link(view, sha256)
        except OSError as error:  # a full disk here too is the one-line cache error
            raise CacheError(f"cannot update the asset cache at {self.root}: {error.strerror or error}",
                             hint="free some space (hub-plugin cache prune)") from error
        entry = self._entry(sha256, self.index.read().get(sha256))
        if entry is None:
            raise CacheError(f"blob {sha256} vanished from the cache at {self.root}")
        return entry

    # --- removal ------------------------------------------------------------------------------

    def remove(self, sha256: str) -> None:
        """Delete a blob, its views and its index record."""
        record = self.index.read().get(sha256, {})
        for view in filter(None, map(view_from_record, record.get("views", ()))):
            self.views.unlink(view, sha256)
        blob = self.blob_path(sha256)
        with contextlib.suppress(OSError):
            os.chmod(blob, 0o644)  # blobs are read-only, and Windows will not delete those
        blob.unlink(missing_ok=True)

        def change(blobs: dict[str, dict[str, Any]]) -> None:
            blobs.pop(sha256, None)

        self.ensure()
        self.index.update(change)

    def remove_view(self, view: View) -> None:
        """Drop one card's view of a blob; the blob goes too when no other card uses it."""
        target = self.views.target(view)
        self.views.unlink(view, target)
        if target is None:
            return
        record = self.index.read().get(target, {})
        views = [v for v in record.get("views", ()) if view_from_record(v) != view]
        if not views:
            self.remove(target)
            return

        def change(blobs: dict[str, dict[str, Any]]) -> None:
            if target in blobs:
                blobs[target]["views"] = views

        self.ensure()
        self.index.update(change)

    # --- verify and prune ---------------------------------------------------------------------

    def verify(self, *, remove: bool = True) -> tuple[int, list[CorruptBlob]]:
        """Re-hash every blob; returns how many were checked and the corrupt ones.

        A blob is corrupt when its bytes no longer hash to its name, or its size is not the one
        recorded. With ``remove`` (the default) corrupt blobs are deleted with their views.
        """
        entries = self.entries()
        corrupt = []
        for entry in entries:
            actual = hash_file(entry.path)
            if actual.sha256 != entry.sha256 or actual.size != entry.size:
                corrupt.append(CorruptBlob(entry, actual))
                if remove:
                    self.remove(entry.sha256)
        return len(entries), corrupt

    def plan_prune(
        self,
        *,
        older_than: float | None = None,
        max_size: int | None = None,
        now: float | None = None,
    ) -> PrunePlan:
        """Choose blobs to remove: unused for ``older_than`` seconds, then least recently used
        ones until the cache holds at most ``max_size`` bytes. Stale partial downloads are always
        part of the plan."""
        now = time.time() if now is None else now
        entries = sorted(self.entries(), key=lambda e: e.last_used)
        size = sum(e.size for e in entries)
        chosen: list[CacheEntry] = []
        kept: list[CacheEntry] = []
        for entry in entries:
            if older_than is not None and now - entry.last_used > older_than:
                chosen.append(entry)
            else:
                kept.append(entry)
        remaining = size - sum(e.size for e in chosen)
        if max_size is not None:
            for entry in kept:  # oldest use first
                if remaining <= max_size:
                    break
                chosen.append(entry)
                remaining -= entry.size
        return PrunePlan(tuple(chosen), tuple(self.stale_partials()), size, remaining)

    def prune(self, plan: PrunePlan) -> None:
        """Carry out a plan from :meth:`plan_prune`, and drop views whose blob is gone."""
        for entry in plan.blobs:
            self.remove(entry.sha256)
        for part in plan.partials:
            lock = self.lock(part.name.split(".", 1)[0])
            try:
                lock.acquire(timeout=0)
            except filelock.Timeout:
                continue  # a download started meanwhile and owns it now
            try:
                part.unlink(missing_ok=True)
            finally:
                lock.release()
        self.views.remove_dangling()
