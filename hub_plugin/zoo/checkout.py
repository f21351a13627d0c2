"""Model zoo code on disk: one folder of a zoo repository at one commit, fetched once, kept.

A card's ``repo-link`` names a folder of a repository that is gigabytes in full; one folder is
kilobytes. Under ``HUB_PLUGIN_HOME``::

    zoo/<repository key>/origin.json        the repository's URL
    zoo/<repository key>/refs.json          each ref fetched so far and the commit it gave
    zoo/<repository key>/<commit>/          a shallow, partial, sparse checkout of that commit
    zoo/<repository key>/<commit>.json      the folders of that checkout that are complete
    zoo/<repository key>/tmp/               clones in progress (never read)
    zoo/<repository key>.lock               one git operation per repository at a time

One clone per repository and commit is shared by all its folders: a second folder widens the
sparse checkout (fetching that folder's files only). A ref is resolved once and remembered, so a
later load needs no network at all (a commit id in the ``repo-link`` pins the code); ``refresh``
asks the repository again where a branch or tag points now (``git ls-remote``), so a fixed branch
is picked up (a pinned commit is never asked about); the files of a complete folder are made
read-only. The lock makes several processes loading one folder at once
make one clone; a clone killed midway leaves files only in ``tmp/``, which the next run removes
(and a folder whose widening was killed is not marked complete, so it is redone).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import filelock

from ..cards.repo_link import RepoLink, is_full_commit, normal_repository_url
from ..core.atomic_file import write_atomically
from ..core.contained_path import contained
from ..core.file_tree import remove_tree, walk_files
from ..errors import (  # moved to errors.py (issue 26); importable here too
    ZooCodeMissing as ZooCodeMissing,
)
from ..git.sparse_rollback import widened
from ..git.transport import GitTransport, add_folders, fetch_sparse

ZOO_FOLDER = "zoo"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_FULL_COMMIT = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


@dataclass(frozen=True, slots=True)
class ZooFolder:
    """A complete, read-only folder of a zoo repository at one commit."""

    repository: str
    ref: str
    commit: str
    folder: str
    path: Path


def repository_key(url: str) -> str:
    """A folder name for a repository: readable host and path, plus a digest of the URL's normal
    form (:func:`~hub_plugin.cards.repo_link.normal_repository_url`)."""
    url = normal_repository_url(url)
    parts = urlsplit(url)
    readable = _UNSAFE.sub("_", f"{parts.hostname or 'local'}_{parts.path.strip('/')}")[:60]
    return f"{readable}-{hashlib.sha256(url.encode()).hexdigest()[:10]}"


def read_json_object(path: Path) -> dict[str, Any]:
    """The JSON object in ``path``; ``{}`` when it is missing, unreadable, not JSON or not an object
    (a cache's record written by an older version or cut short: rebuilt, never an error)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_json_object(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` to ``path`` as indented JSON with sorted keys, atomically."""
    write_atomically(path, json.dumps(data, indent=2, sort_keys=True) + "\n")


def _make_read_only(checkout: Path, folder: Path) -> None:
    """Take the write bits off the regular files of ``folder`` (not its directories, not git's own
    files), which must lie inside ``checkout``: no link is followed, nothing outside is touched."""
    if not folder.resolve().is_relative_to(checkout.resolve()):
        raise ZooCodeMissing(f"refusing to change {folder}: it is not inside the checkout {checkout}")
    # any depth, no folder link entered (issue 27, hole 5)
    for path in walk_files(folder, max_depth=sys.maxsize, skip_folder=lambda name: name == ".git"):
        mode = path.lstat().st_mode
        if stat.S_ISREG(mode):
            path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def remote_commit(transport: GitTransport, url: str, ref: str) -> str | None:
    """The commit the branch or tag ``ref`` of ``url`` points to now (an annotated tag: the commit
    it tags), asked with ``git ls-remote``; None when the repository advertises no such ref."""
    target = transport.rewrite(url)
    wanted = (f"refs/heads/{ref}", f"refs/tags/{ref}^{{}}", f"refs/tags/{ref}", ref)
    found: dict[str, str] = {}
    for line in transport.run(["ls-remote", "--", target], url=target, ref=ref).splitlines():
        commit, _, name = line.partition("\t")
        found.setdefault(name.strip(), commit.strip())
    return next((found[name] for name in wanted if name in found), None)


class ZooCache:
    """Zoo checkouts under ``<home>/zoo``; see the module docstring."""

    def __init__(self, home: Path) -> None:
        self.root = Path(home) / ZOO_FOLDER

    def folder(self, link: RepoLink, transport: GitTransport, *, refresh: bool = False) -> ZooFolder:
        """The folder ``link`` names, from the cache or fetched (see the module docstring);
        ``refresh`` re-resolves a branch or tag ref first."""
        base = self.root / repository_key(link.key)
        base.mkdir(parents=True, exist_ok=True)
        with filelock.FileLock(str(base) + ".lock"):
            remove_tree(base / "tmp")
            refs = read_json_object(base / "refs.json")
            known = link.ref if link.pinned else refs.get(link.ref)
            if refresh and not link.pinned and not transport.offline:
                known = remote_commit(transport, link.repository, link.ref)
            commit = known if isinstance(known, str) and is_full_commit(known) else None
            if not (base / "origin.json").is_file():  # for cache ls: whose checkouts these are
                write_json_object(base / "origin.json", {"url": link.repository})
            if commit and self._complete(base, commit, link.folder):
                found = self._found(link, commit, base)
                os.utime(base / f"{commit}.json")  # its last use, for cache ls and prune (the
                # checkout itself stays as fetched: its files are what trust is given to)
                return found
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
            write_json_object(base / "refs.json", refs)
            found = self._found(link, commit, base)
            _make_read_only(base / commit, found.path)
            done = read_json_object(base / f"{commit}.json")
            folders = [*list(done.get("folders") or []), link.folder]
            write_json_object(base / f"{commit}.json", {"folders": sorted(set(map(str, folders)))})
            return found

    def forget_branch_refs(self) -> int:
        """Forget where every remembered branch or tag ref pointed (a full commit id is kept:
        it cannot move), so that the next :meth:`folder` resolves it again; the checkouts stay.
        Returns how many refs were forgotten."""
        forgotten = 0
        for refs_file in sorted(self.root.glob("*/refs.json")) if self.root.is_dir() else ():
            with filelock.FileLock(str(refs_file.parent) + ".lock"):
                refs = read_json_object(refs_file)
                kept = {ref: commit for ref, commit in refs.items() if _FULL_COMMIT.fullmatch(ref)}
                forgotten += len(refs) - len(kept)
                write_json_object(refs_file, kept)
        return forgotten

    @staticmethod
    def _wanted(link: RepoLink) -> list[str]:
        return [link.folder] if link.folder else []

    def _clone(self, base: Path, link: RepoLink, transport: GitTransport) -> str:
        work = base / "tmp" / f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        try:
            checkout = fetch_sparse(transport, link.repository, link.ref, self._wanted(link), work)
            if not is_full_commit(checkout.commit):
                raise ZooCodeMissing(f"git gave {checkout.commit!r} for {link.repository}, not a commit")
            target = base / checkout.commit
            if target.is_dir():  # another ref gave the same commit: widen that checkout
                with widened(transport, target, link.repository, self._wanted(link)):
                    add_folders(transport, target, link.repository, self._wanted(link))
            else:
                work.rename(target)
            return checkout.commit
        finally:
            remove_tree(work)

    @staticmethod
    def _complete(base: Path, commit: str, folder: str) -> bool:
        done = read_json_object(base / f"{commit}.json").get("folders") or []
        return (isinstance(done, list) and folder in done
                and contained(base / commit, folder).is_dir())

    @staticmethod
    def _found(link: RepoLink, commit: str, base: Path) -> ZooFolder:
        path = contained(base / commit, link.folder)
        if not path.is_dir():
            raise ZooCodeMissing(
                f"{link.repository} at {link.ref} (commit {commit[:12]}) has no folder "
                f"{link.folder!r}", hint="the card's repo-link names a folder that is not there",
            )
        return ZooFolder(link.repository, link.ref, commit, link.folder, path)
