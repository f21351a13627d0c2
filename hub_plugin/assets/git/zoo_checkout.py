"""Model zoo code on disk: one folder of a zoo repository at one commit, fetched once, kept.

A card's ``repo-link`` names a folder of a repository that is gigabytes in full; one folder is
kilobytes. Under ``HUB_PLUGIN_HOME``::

    zoo/<repository key>/refs.json          each ref fetched so far and the commit it gave
    zoo/<repository key>/<commit>/          a shallow, partial, sparse checkout of that commit
    zoo/<repository key>/<commit>.json      the folders of that checkout that are complete
    zoo/<repository key>/tmp/               clones in progress (never read)
    zoo/<repository key>.lock               one git operation per repository at a time

One clone per repository and commit is shared by all its folders: a second folder widens the
sparse checkout (fetching that folder's files only). A ref is resolved once and remembered, so a
later load needs no network at all (a commit id in the ``repo-link`` pins the code); the files of a
complete folder are made read-only. The lock makes several processes loading one folder at once
make one clone; a clone killed midway leaves files only in ``tmp/``, which the next run removes
(and a folder whose widening was killed is not marked complete, so it is redone).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import filelock

from ...errors import HubPluginError
from ...registry.atomic_file import write_atomically
from ...registry.cards.repo_link import RepoLink
from .sparse_rollback import widened
from .transport import GitTransport, add_folders, fetch_sparse

ZOO_FOLDER = "zoo"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class ZooCodeMissing(HubPluginError):
    """The zoo folder is not cached and cannot be fetched now (offline), or does not exist."""


@dataclass(frozen=True, slots=True)
class ZooFolder:
    """A complete, read-only folder of a zoo repository at one commit."""

    repository: str
    ref: str
    commit: str
    folder: str
    path: Path


def repository_key(url: str) -> str:
    """A folder name for a repository: readable host and path, plus a digest of the URL."""
    parts = urlsplit(url)
    readable = _UNSAFE.sub("_", f"{parts.hostname or 'local'}_{parts.path.strip('/')}")[:60]
    return f"{readable}-{hashlib.sha256(url.encode()).hexdigest()[:10]}"


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_json(path: Path, data: dict[str, Any]) -> None:
    write_atomically(path, json.dumps(data, indent=2, sort_keys=True) + "\n")


def _make_read_only(folder: Path) -> None:
    """Take the write bits off the folder's files (not its directories, not git's own files)."""
    for path in folder.rglob("*"):
        if ".git" in path.relative_to(folder).parts:
            continue
        if path.is_file() and not path.is_symlink():
            mode = path.stat().st_mode
            path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


class ZooCache:
    """Zoo checkouts under ``<home>/zoo``; see the module docstring."""

    def __init__(self, home: Path) -> None:
        self.root = Path(home) / ZOO_FOLDER

    def folder(self, link: RepoLink, transport: GitTransport) -> ZooFolder:
        """The folder ``link`` names, from the cache or fetched (see the module docstring)."""
        base = self.root / repository_key(link.repository)
        base.mkdir(parents=True, exist_ok=True)
        with filelock.FileLock(str(base) + ".lock"):
            shutil.rmtree(base / "tmp", ignore_errors=True)
            refs = _read_json(base / "refs.json")
            known = link.ref if link.pinned else refs.get(link.ref)
            commit = known if isinstance(known, str) else None
            if commit and self._complete(base, commit, link.folder):
                return self._found(link, commit, base)
            if transport.offline:
                raise ZooCodeMissing(
                    f"offline: the code of {link.repository} at {link.ref} "
                    f"(folder {link.folder or '/'}) is not in the cache",
                    hint="load it once while online, or unset HUB_PLUGIN_OFFLINE / drop --offline",
                )
            if commit and (base / commit).is_dir():
                with widened(transport, base / commit, link.repository, self._wanted(link)):
                    add_folders(transport, base / commit, link.repository, self._wanted(link))
            else:
                commit = self._clone(base, link, transport)
            refs[link.ref] = commit
            _write_json(base / "refs.json", refs)
            found = self._found(link, commit, base)
            _make_read_only(found.path)
            done = _read_json(base / f"{commit}.json")
            folders = [*list(done.get("folders") or []), link.folder]
            _write_json(base / f"{commit}.json", {"folders": sorted(set(map(str, folders)))})
            return found

    @staticmethod
    def _wanted(link: RepoLink) -> list[str]:
        return [link.folder] if link.folder else []

    def _clone(self, base: Path, link: RepoLink, transport: GitTransport) -> str:
        work = base / "tmp" / f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        try:
            checkout = fetch_sparse(transport, link.repository, link.ref, self._wanted(link), work)
            target = base / checkout.commit
            if target.is_dir():  # another ref gave the same commit: widen that checkout
                with widened(transport, target, link.repository, self._wanted(link)):
                    add_folders(transport, target, link.repository, self._wanted(link))
            else:
                work.rename(target)
            return checkout.commit
        finally:
            shutil.rmtree(work, ignore_errors=True)

    @staticmethod
    def _complete(base: Path, commit: str, folder: str) -> bool:
        done = _read_json(base / f"{commit}.json").get("folders") or []
        return isinstance(done, list) and folder in done and (base / commit / folder).is_dir()

    @staticmethod
    def _found(link: RepoLink, commit: str, base: Path) -> ZooFolder:
        path = base / commit / link.folder if link.folder else base / commit
        if not path.is_dir():
            raise ZooCodeMissing(
                f"{link.repository} at {link.ref} (commit {commit[:12]}) has no folder "
                f"{link.folder!r}", hint="the card's repo-link names a folder that is not there",
            )
        return ZooFolder(link.repository, link.ref, commit, link.folder, path)
