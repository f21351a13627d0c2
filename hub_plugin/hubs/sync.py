"""Syncing a hub: its card folder fetched with git into a new snapshot, switched to atomically.

``hub-plugin hub update`` and a hub's first use come here. Under the hub's lock (one sync at a
time, across processes; the kernel releases it if its holder dies):

1. leftovers of syncs that were killed are removed from ``hubs/<name>/tmp/``;
2. the card folder is fetched as a shallow, partial, sparse clone of ``ref`` (a branch, a tag or
   a commit id) into a new folder under ``tmp/`` (:func:`~hub_plugin.git.transport.fetch_sparse`);
3. its cards are indexed (:func:`~hub_plugin.hubs.index.build_index`) and the folder is
   renamed to ``snapshots/<commit>``;
4. only then is ``current`` replaced (atomically) to name the new commit; older snapshots but the
   previous one are removed.

A sync that fails or is killed before step 4 leaves the previous snapshot in use, untouched.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from pathlib import Path

import filelock

from ..core.atomic_file import write_atomically
from ..core.console import err
from ..core.contained_path import contained
from ..core.file_tree import remove_tree
from ..core.settings import Settings, current_settings
from ..errors import HubError, HubNotSynced, UsageError
from ..git.transport import GitTransport, fetch_sparse
from ..registry.registry import Registry
from .index import build_index
from .lookup import HubCards
from .store import HubSpec, HubStore, Snapshot, in_utc


def sync_hub(
    store: HubStore, spec: HubSpec, transport: GitTransport, *, if_missing: bool = False
) -> Snapshot:
    """Fetch ``spec``'s cards into a new snapshot and switch to it; see the module docstring.

    ``if_missing``: return the snapshot another process made while this one waited for the lock
    instead of syncing again (a first use in several processes at once syncs once). On a
    terminal, each phase shows on stderr while it runs (:class:`~hub_plugin.core.progress.Activity`).
    """
    from ..core.progress import Activity

    with Activity(f"hub {spec.name}: waiting for another sync") as activity:
        return _sync(store, spec, transport, if_missing=if_missing, phase=activity.phase)


def _sync(store: HubStore, spec: HubSpec, transport: GitTransport, *, if_missing: bool,
          phase: Callable[[str], None]) -> Snapshot:
    base = store.hub_folder(spec.name)
    base.mkdir(parents=True, exist_ok=True)
    with filelock.FileLock(str(store.lock_file(spec.name))):
        phase(f"hub {spec.name}: fetching {spec.path or 'the cards'} from {spec.url} ({spec.ref})")
        existing = store.snapshot(spec.name) if if_missing else None
        if existing is not None:
            return existing
        checkout = _fetch_snapshot(store, spec, transport, spec.ref, phase)
        previous = _current(base)
        write_atomically(base / "current", checkout + "\n")
        _prune(base, keep={checkout, previous})
    snapshot = store.snapshot(spec.name)
    assert snapshot is not None
    return snapshot


def _fetch_snapshot(store: HubStore, spec: HubSpec, transport: GitTransport, ref: str,
                    phase: Callable[[str], None], *, record_layout: bool = True) -> str:
    """Fetch ``spec``'s cards at ``ref`` into ``snapshots/<commit>`` (indexed; kept when it is
    already there), write its ``snapshot.json`` and return the commit; ``current`` is the
    caller's. Called with the hub's lock held."""
    base = store.hub_folder(spec.name)
    scratch = base / "tmp"
    remove_tree(scratch)  # only killed syncs leave files here, of any depth (issue 27, hole 5)
    work = scratch / f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        checkout = fetch_sparse(transport, spec.url, ref, [spec.path] if spec.path else [],
                                work / "clone", layouts=CARD_LAYOUTS)
        remove_tree(checkout.path / ".git")
        if checkout.layout:  # a hub at a repository's root, laid out like MindSpore Hub
            spec = (_record_layout(store, spec, checkout.layout, phase) if record_layout
                    else replace(spec, path=checkout.layout))
        cards = contained(checkout.path, spec.path)  # never a folder outside the clone
        if not cards.is_dir() or cards.is_symlink():
            raise HubError(f"{spec.url} at {ref} (commit {checkout.commit[:12]}) has no "
                           f"folder {spec.path!r}", hint="check the hub's --path")
        target = base / "snapshots" / checkout.commit
        if not target.is_dir():
            staging = work / "snapshot"
            staging.mkdir()
            cards.rename(staging / "cards")
            phase(f"hub {spec.name}: indexing the cards of {checkout.commit[:12]}")
            index = build_index(staging / "cards")
            (staging / "index.json").write_text(json.dumps(index, ensure_ascii=False),
                                                encoding="utf-8")
            target.parent.mkdir(parents=True, exist_ok=True)
            staging.rename(target)
        meta = {"url": spec.url, "ref": ref, "path": spec.path, "commit": checkout.commit,
                "date": in_utc(checkout.date),
                "synced-at": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")}
        write_atomically(target / "snapshot.json", json.dumps(meta, indent=2) + "\n")
        return checkout.commit
    finally:
        remove_tree(work)


def snapshot_at_commit(store: HubStore, spec: HubSpec, commit: str,
                       transport: GitTransport) -> Snapshot:
    """The snapshot of ``spec``'s cards at ``commit`` (a full commit id, as a lock file pins
    it): the one on disk (in use, the previous one, or fetched before), else fetched with git at
    that commit (the fetch names the commit after ``--``) and kept beside the one in use, which
    stays in use: ``current`` is not touched. Offline and not on disk: :class:`HubNotSynced`.
    A later sync prunes it like any snapshot but the current and the previous one."""
    from ..core.progress import Activity

    found = store.snapshot_at(spec.name, commit)
    if found is not None:
        return found
    if transport.offline:
        raise HubNotSynced(spec.name, f"offline, and its cards at commit {commit[:12]} are not in "
                           "the cache")
    base = store.hub_folder(spec.name)
    base.mkdir(parents=True, exist_ok=True)
    with Activity(f"hub {spec.name}: waiting for another sync") as activity, \
            filelock.FileLock(str(store.lock_file(spec.name))):
        found = store.snapshot_at(spec.name, commit)  # fetched while this one waited
        if found is None:
            activity.phase(f"hub {spec.name}: fetching the cards of commit {commit[:12]} from "
                           f"{spec.url}")
            _fetch_snapshot(store, spec, transport, commit, activity.phase, record_layout=False)
            found = store.snapshot_at(spec.name, commit)
    if found is None:
        raise HubError(f"{spec.url} gave no snapshot at commit {commit[:12]}")
    return found


CARD_LAYOUTS = ("mshub_res/assets",)
"""Card folders a hub added without ``--path`` is looked for in, at its first (and every) sync:
MindSpore Hub's own layout. A hub at the root of such a repository would hold no UIDs (its cards
lie five folders deep), so its root never is what was meant (issue 28, item 5)."""


def _record_layout(store: HubStore, spec: HubSpec, layout: str,
                   phase: Callable[[str], None]) -> HubSpec:
    """``spec`` with the card folder ``layout``, recorded in the hub's settings (so that ``hub
    ls`` shows it and the next sync fetches that folder alone), and said on stderr."""
    from dataclasses import replace

    found = replace(spec, path=layout)
    if any(known.name == spec.name and not known.path for known in store.hubs()):
        store.add(found)
    err(f"hub {spec.name}: the repository is laid out like MindSpore Hub: its cards are "
        f"{layout}/ (recorded as the hub's --path)")
    phase(f"hub {spec.name}: fetching {layout} from {spec.url} ({spec.ref})")
    return found


def _current(base: Path) -> str | None:
    try:
        return (base / "current").read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None


def _prune(base: Path, keep: set[str | None]) -> None:
    snapshots = base / "snapshots"
    for folder in snapshots.iterdir() if snapshots.is_dir() else ():
        if folder.name not in keep:
            remove_tree(folder)


def first_use_syncer(
    transport: GitTransport, *, say: Callable[[str], None] | None = None
) -> Callable[[HubStore, HubSpec], Snapshot]:
    """The callable a :class:`~hub_plugin.registry.Registry` calls for a hub with no snapshot:
    it says so on stderr and syncs; offline, it raises :class:`HubNotSynced`."""

    tell = say or err

    def sync(store: HubStore, spec: HubSpec) -> Snapshot:
        if transport.offline:
            raise HubNotSynced(spec.name, "offline")
        tell(f"hub-plugin: first use of the hub {spec.name!r}: syncing its cards from "
             f"{spec.url} ({spec.ref})")
        return sync_hub(store, spec, transport, if_missing=True)

    return sync


_SHORT_COMMIT = re.compile(r"[0-9a-f]{7,39}")


def full_ref(transport: GitTransport, url: str, ref: str) -> str:
    """``ref`` as a hub can be synced at: a short commit id (7 to 39 hex digits) becomes the full
    id of the advertised branch or tag tip it abbreviates; ``git fetch`` takes only full ids.

    Raises :class:`~hub_plugin.errors.UsageError` for a short id that no tip starts with (git
    cannot find other commits by a prefix without cloning the repository), and
    :class:`~hub_plugin.errors.GitError` when the repository cannot be asked.
    """
    if not _SHORT_COMMIT.fullmatch(ref):
        return ref
    refusal = UsageError(
        f"--ref {ref} looks like a short commit id, and git fetches a commit by its full id only",
        hint="give the full 40-digit commit id (git rev-parse " + ref + " in a clone), or a "
        "branch or tag",
    )
    if transport.offline:
        raise refusal
    target = transport.rewrite(url)
    advertised = [line.split("\t", 1) for line in
                  transport.run(["ls-remote", "--", target], url=target, ref=ref).splitlines()
                  if "\t" in line]
    if any(name in (f"refs/heads/{ref}", f"refs/tags/{ref}") for _, name in advertised):
        return ref  # a branch or a tag whose name looks like hex
    commits = {commit for commit, _ in advertised if commit.startswith(ref)}
    if len(commits) != 1:
        raise refusal
    return commits.pop()


def hub_store(settings: Settings | None = None) -> HubStore:
    """The hubs under ``HUB_PLUGIN_HOME``, their settings in the config folder (those of
    ``settings``; the environment's when ``None``)."""
    settings = current_settings(settings)
    return HubStore(settings.home, settings.config)


def hub_cards(settings: Settings | None = None, *,
              pinned: Mapping[str, str] | None = None) -> HubCards:
    """The synced hubs' cards, syncing a hub on its first use (unless the settings, the
    environment's when ``None``, are offline); with their ``refresh`` (and online), a hub that
    follows a branch is synced again when it answers a UID. ``pinned`` (hub name -> full commit
    id, from a lock file) answers for those hubs from their snapshot at that commit
    (:func:`snapshot_at_commit`: on disk, else fetched), whatever commit they are synced at."""
    settings = current_settings(settings)
    transport = GitTransport.from_settings(settings)

    def resync(store: HubStore, spec: HubSpec) -> Snapshot:
        return sync_hub(store, spec, transport)

    def at_commit(store: HubStore, spec: HubSpec, commit: str) -> Snapshot:
        return snapshot_at_commit(store, spec, commit, transport)

    resyncer = resync if settings.refresh and not transport.offline else None
    return HubCards(hub_store(settings), first_use_syncer(transport), resyncer=resyncer,
                    pinned=pinned, at_commit=at_commit)


def registry_with_hubs(
    extra_dirs: Iterable[str | os.PathLike[str]] = (),
    *,
    settings: Settings | None = None,
    pinned: Mapping[str, str] | None = None,
) -> Registry:
    """:meth:`Registry.open` with the synced hubs behind it, as ``settings`` ask (offline, plain
    http, mirrors, ``refresh``: see :func:`hub_cards`; ``pinned``: hubs answered at a lock
    file's commits): what the CLI and the API search."""
    settings = current_settings(settings)
    return Registry.open(extra_dirs, settings=settings, hubs=hub_cards(settings, pinned=pinned))


def hub_snapshot(name: str, *, settings: Settings | None = None) -> Snapshot:
    """The snapshot of the hub ``name``, synced first if it never was (unless the settings are
    offline)."""
    cards = hub_cards(settings)
    spec = cards.store.hub(name)
    snapshot = cards.store.snapshot(spec.name)
    if snapshot is not None:
        return snapshot
    if cards.syncer is None:
        raise HubNotSynced(spec.name)
    return cards.syncer(cards.store, spec)
