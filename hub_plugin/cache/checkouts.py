"""What git put in the cache, for ``cache ls|rm|prune``: hub snapshots and zoo checkouts.

Beside the assets, the cache (``HUB_PLUGIN_HOME``) holds two kinds of git-fetched folders:

- **hub snapshots** (``hubs/<name>/snapshots/<commit>``, :mod:`hub_plugin.hubs.sync`): a hub's card folder
  at one commit; the hub's current snapshot is never removed here (``hub rm`` forgets a hub);
- **zoo checkouts** (``zoo/<repository key>/<commit>``, :mod:`hub_plugin.zoo.checkout`): a sparse checkout
  of model-zoo code at one commit; removing one forgets the refs that named it, so the next load
  fetches it again.

Each is listed with its size and its last use: when it was last read (a hub card found by UID
touches the snapshot's ``.last-used``; a zoo folder loaded touches the checkout's record
``<commit>.json`` beside it, so that the checkout's own files stay exactly as fetched), else when
it was made. Removal takes the lock of the hub or
repository, as a sync or a fetch does.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import filelock

from ..core.file_tree import remove_tree, walk_files
from ..hubs.store import HUBS_FOLDER
from ..zoo.checkout import ZOO_FOLDER, read_json_object, write_json_object

KINDS = ("hub", "zoo")
USED_MARK = ".last-used"


@dataclass(frozen=True, slots=True)
class CachedCheckout:
    """One hub snapshot (``kind`` ``"hub"``, ``owner`` the hub's name) or zoo checkout (``"zoo"``,
    ``owner`` the repository's URL) at ``commit``, in ``path``."""

    kind: str
    owner: str
    commit: str
    path: Path
    size: int
    last_used: float
    current: bool = False  # a hub's snapshot in use (never pruned)
    detail: str = ""  # the zoo folders checked out, or the hub's ref

    @property
    def key(self) -> str:
        """How ``cache rm`` names it: ``hub:<name>@<commit>`` or ``zoo:<folder>@<commit>``."""
        return f"{self.kind}:{self.path.parent.name if self.kind == 'zoo' else self.owner}@{self.commit}"


def folder_size(folder: Path) -> int:
    """The bytes of the files under ``folder``, links not followed."""
    total = 0
    for path in walk_files(folder, max_depth=sys.maxsize):  # iterative: any depth
        try:
            total += os.lstat(path).st_size
        except OSError:
            continue
    return total


def _last_used(mark: Path, folder: Path) -> float:
    for candidate in (mark, folder):
        try:
            return candidate.stat().st_mtime
        except OSError:
            continue
    return 0.0


def hub_snapshots(home: Path) -> list[CachedCheckout]:
    """Every hub snapshot under ``home``, the current ones marked."""
    found = []
    for hub in sorted((home / HUBS_FOLDER).glob("*/snapshots")):
        try:
            current = (hub.parent / "current").read_text(encoding="utf-8").strip()
        except OSError:
            current = ""
        for folder in sorted(p for p in hub.iterdir() if p.is_dir()):
            meta = read_json_object(folder / "snapshot.json")
            found.append(CachedCheckout("hub", hub.parent.name, folder.name, folder,
                                        folder_size(folder),
                                        _last_used(folder / USED_MARK, folder),
                                        folder.name == current, str(meta.get("ref", ""))))
    return found


def zoo_checkouts(home: Path) -> list[CachedCheckout]:
    """Every zoo checkout under ``home``, with its repository's URL and its folders."""
    found = []
    for repository in sorted(p for p in (home / ZOO_FOLDER).glob("*") if p.is_dir()):
        url = str(read_json_object(repository / "origin.json").get("url") or repository.name)
        for folder in sorted(p for p in repository.iterdir() if p.is_dir() and p.name != "tmp"):
            folders = read_json_object(repository / f"{folder.name}.json").get("folders") or []
            detail = ", ".join(str(f) or "/" for f in folders) if isinstance(folders, list) else ""
            found.append(CachedCheckout("zoo", url, folder.name, folder, folder_size(folder),
                                        _last_used(repository / f"{folder.name}.json", folder),
                                        False, detail))
    return found


def cached_checkouts(home: Path) -> list[CachedCheckout]:
    """Hub snapshots, then zoo checkouts."""
    return [*hub_snapshots(home), *zoo_checkouts(home)]


def prunable(checkouts: Iterable[CachedCheckout], older_than: float,
             now: float | None = None) -> list[CachedCheckout]:
    """The checkouts unused for more than ``older_than`` seconds, never a hub's current snapshot."""
    now = time.time() if now is None else now
    return [c for c in checkouts if not c.current and now - c.last_used > older_than]


def remove(checkout: CachedCheckout) -> None:
    """Delete ``checkout`` under its lock; a zoo checkout's refs and record go with it."""
    if checkout.current:
        raise ValueError(f"{checkout.key} is the hub's current snapshot")
    base = checkout.path.parent
    # the locks hub_sync and zoo_checkout take: hubs/<name>.lock, zoo/<repository key>.lock
    lock = base.parent.parent / f"{checkout.owner}.lock" if checkout.kind == "hub" else Path(f"{base}.lock")
    with filelock.FileLock(str(lock)):
        if checkout.kind == "zoo":
            refs = read_json_object(base / "refs.json")
            kept = {ref: commit for ref, commit in refs.items() if commit != checkout.commit}
            write_json_object(base / "refs.json", kept)
            (base / f"{checkout.commit}.json").unlink(missing_ok=True)
        remove_tree(checkout.path)  # iterative, and it restores a read-only folder's bits


__all__ = ["KINDS", "CachedCheckout", "cached_checkouts", "hub_snapshots", "prunable", "remove",
           "zoo_checkouts"]
