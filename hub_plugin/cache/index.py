"""The asset cache's records and its index file, ``index.json``.

The index holds, per blob, its size, first and last use, the card views that show it and the links
it came from. It is plain JSON, rewritten atomically (a temporary file, fsync, rename) under its own
file lock, so several processes may share one cache. It is a convenience, never the truth: the
blobs on disk are, and :meth:`CacheIndex.update` first makes the index agree with them (a lost or
damaged index is rebuilt from the files).
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import filelock

from ..core.atomic_file import write_atomically
from ..core.hashing import FileDigest, is_full_digest

INDEX_FORMAT = "hub-plugin-asset-index"
INDEX_VERSION = 1


@dataclass(frozen=True, slots=True, order=True)
class View:
    """Where a blob shows in the readable view: ``cards/<place>/<file_name>`` (see
    :mod:`.views`; an empty ``place`` is the card's name alone, as older versions laid it out)."""

    card: str
    file_name: str
    place: str = ""

    def record(self) -> tuple[str, ...]:
        """The view as the index stores it (two parts without a place, as older indexes did)."""
        return (self.card, self.file_name, self.place) if self.place else (self.card, self.file_name)


@dataclass(frozen=True, slots=True)
class CacheEntry:
    """One blob in the cache and what the index knows of it (times are Unix seconds)."""

    sha256: str
    size: int
    path: Path
    added: float
    last_used: float
    views: tuple[View, ...] = ()
    links: tuple[str, ...] = ()

    @property
    def cards(self) -> tuple[str, ...]:
        return tuple(sorted({view.card for view in self.views}))


@dataclass(frozen=True, slots=True)
class CorruptBlob:
    """A blob whose bytes no longer hash to its name (found by :meth:`AssetCache.verify`)."""

    entry: CacheEntry
    actual: FileDigest


@dataclass(frozen=True, slots=True)
class PartialFile:
    """An unfinished download in ``tmp/``: its bytes so far, its last write (Unix seconds), and
    whether a process is writing it now (``active``) or it was left by one that stopped."""

    path: Path
    size: int
    modified: float
    active: bool


@dataclass(frozen=True, slots=True)
class PrunePlan:
    """What :meth:`AssetCache.plan_prune` would remove, and what it would leave."""

    blobs: tuple[CacheEntry, ...]
    partials: tuple[Path, ...]
    size_before: int
    size_after: int = field(default=0)


class CacheIndex:
    """``index.json`` of a cache: read it, or change it under its lock.

    Inside :meth:`deferred`, changes are kept in memory and written in one update when it ends: a
    run that fetches many assets (``validate --verify-assets`` over a hub) rewrites the index once,
    not once per asset. The blobs themselves are stored as usual meanwhile, and since the index is
    never the truth, a process that dies before the end loses only the notes of its uses.
    """

    def __init__(self, path: Path, lock_path: Path, blobs_dir: Path) -> None:
        self.path = path
        self.lock_path = lock_path
        self.blobs_dir = blobs_dir
        self._pending: list[Callable[[dict[str, dict[str, Any]]], None]] | None = None
        self._snapshot: dict[str, dict[str, Any]] | None = None
        self._pending_lock = threading.Lock()

    @contextlib.contextmanager
    def deferred(self) -> Iterator[None]:
        """Hold back index changes until the block ends, then apply them all in one update."""
        with self._pending_lock:
            if self._pending is not None:  # already deferring: the outer block writes
                outer = True
            else:
                outer, self._pending = False, []
        try:
            yield
        finally:
            if not outer:
                with self._pending_lock:
                    changes, self._pending, self._snapshot = self._pending or [], None, None
                if changes:

                    def apply_all(blobs: dict[str, dict[str, Any]]) -> None:
                        for change in changes:
                            change(blobs)

                    self.update(apply_all)

    def read(self) -> dict[str, dict[str, Any]]:
        """The records by digest; an index that is missing or unreadable reads as empty.

        Inside :meth:`deferred` the file is read once and that reading is served until the block
        ends (the block's own changes are not in it; a caller finds a blob stored meanwhile on
        disk, by its size there): a cache hit then costs no parse of the whole index.
        """
        with self._pending_lock:
            deferring, snapshot = self._pending is not None, self._snapshot
        if snapshot is not None:
            return snapshot
        blobs = self._read_file()
        if deferring:
            with self._pending_lock:
                if self._pending is not None:
                    self._snapshot = blobs
        return blobs

    def _read_file(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("format") != INDEX_FORMAT:
            return {}
        blobs = data.get("blobs")
        return blobs if isinstance(blobs, dict) else {}

    def _write(self, blobs: Mapping[str, Mapping[str, Any]]) -> None:
        data = {"format": INDEX_FORMAT, "version": INDEX_VERSION, "blobs": dict(sorted(blobs.items()))}
        write_atomically(self.path, json.dumps(data, indent=1))

    def update(self, change: Callable[[dict[str, dict[str, Any]]], None]) -> None:
        """Apply ``change`` to the index under its lock, first making it agree with the disk:
        records of vanished blobs are dropped, blobs the index lacks (it was lost) are added."""
        with self._pending_lock:
            if self._pending is not None:
                self._pending.append(change)
                return
        with filelock.FileLock(self.lock_path, fallback_to_soft=False):
            blobs = self.read()
            on_disk = {path.name: path for path in self.blobs_dir.iterdir() if is_full_digest(path.name)}
            for sha256 in set(blobs) - set(on_disk):
                del blobs[sha256]
            for sha256 in set(on_disk) - set(blobs):
                with contextlib.suppress(OSError):
                    stat = on_disk[sha256].stat()
                    blobs[sha256] = {
                        "size": stat.st_size,
                        "added": stat.st_mtime,
                        "last_used": stat.st_mtime,
                    }
            change(blobs)
            self._write(blobs)
