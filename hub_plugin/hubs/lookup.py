"""Finding a card by its UID in the synced hubs, syncing a hub on its first use.

A name that no local registry answers and that reads as a UID (``publisher/version/stem`` or the
four-part ``publisher/device/version/stem``) is looked up in each hub's snapshot, in name order:
the card is the file ``<uid>.md`` of the snapshot's card folder, so a lookup is one ``stat`` however
many cards a hub holds. Only a card of the hub is served
(:func:`~hub_plugin.cards.card_files.is_hub_card`: no README, no dot path), the files the
CI gate checks and the index lists. A hub without a snapshot is synced first through the ``syncer`` the caller
handed down (the registry itself never runs git: see :mod:`hub_plugin.hubs.sync`); without a
syncer, or offline, that is a :class:`~hub_plugin.errors.HubNotSynced` error naming ``hub-plugin hub update``.
"""

from __future__ import annotations

import contextlib
import difflib
from collections.abc import Callable, Mapping
from pathlib import Path

from ..cards.card_files import hub_card_of_uid
from ..core.contained_path import contained
from ..errors import HubNotSynced, PathEscape
from ..registry.entries import CardEntry, Root
from .store import HubSpec, HubStore, Snapshot

#: Syncs a hub that has no snapshot yet and returns the new snapshot.
Syncer = Callable[[HubStore, HubSpec], Snapshot]
#: The snapshot of a hub at a commit (a lock file's), found on disk or fetched.
AtCommit = Callable[[HubStore, HubSpec, str], Snapshot]


def is_commit_id(ref: str) -> bool:
    """Whether ``ref`` is a full commit id (40 or 64 hex digits), which pins a hub."""
    return len(ref) in (40, 64) and all(c in "0123456789abcdef" for c in ref)


def is_uid(name: str) -> bool:
    """Whether ``name`` reads as a hub UID: three or four plain parts separated by ``/``."""
    parts = name.split("/")
    return len(parts) in (3, 4) and all(p and p not in (".", "..") and "\\" not in p for p in parts)


def _version_order(uid: str) -> tuple[tuple[int, ...], str]:
    """A UID's version part as numbers (``1.10`` after ``1.9``), then the UID."""
    parts = uid.split("/")
    version = parts[-2] if len(parts) >= 3 else ""
    return tuple(int(p) for p in version.split(".") if p.isdigit()), uid


class HubCards:
    """The cards of the hubs of a :class:`~.store.HubStore`, found by UID."""

    def __init__(
        self, store: HubStore, syncer: Syncer | None = None, *, resyncer: Syncer | None = None,
        pinned: Mapping[str, str] | None = None, at_commit: AtCommit | None = None,
    ) -> None:
        self.store = store
        self.syncer = syncer
        self.resyncer = resyncer  # --refresh: sync again a hub that follows a branch, once
        # --locked: hub name -> the commit whose snapshot answers for that hub (its current one
        # does not), made or found by ``at_commit`` (:func:`hub_plugin.hubs.sync.snapshot_at_commit`)
        self.pinned = dict(pinned or {})
        self.at_commit = at_commit

    def _pinned_snapshot(self, spec: HubSpec) -> Snapshot | None:
        commit = self.pinned.get(spec.name)
        if commit is None:
            return None
        if self.at_commit is None:
            found = self.store.snapshot_at(spec.name, commit)
            if found is None:
                raise HubNotSynced(spec.name, f"its cards at commit {commit[:12]} are not in the cache")
            return found
        return self.at_commit(self.store, spec, commit)

    def _refreshed(self, spec: HubSpec, snapshot: Snapshot, uid: str) -> CardEntry | None:
        """The card ``uid`` in ``spec``'s snapshot, after syncing it again if asked to (a hub
        pinned to a commit is not: its cards cannot change)."""
        resync = self.resyncer
        if resync is not None and not is_commit_id(spec.ref):
            self.resyncer = None
            snapshot = resync(self.store, spec)
        return self._entry(snapshot, uid)

    def _entry(self, snapshot: Snapshot, uid: str) -> CardEntry | None:
        relative = hub_card_of_uid(uid)
        if relative is None:
            return None  # a README or a dot path: never a card of the hub (issue 27, hole 6)
        try:
            path = contained(snapshot.cards, relative.as_posix())  # inside the snapshot, no link followed
        except PathEscape:
            return None
        if not path.is_file():
            return None
        root = Root(snapshot.cards, f"hub {snapshot.hub} @ {snapshot.commit[:12]}", hub=snapshot)
        with contextlib.suppress(OSError):  # the snapshot's last use, for cache ls and prune
            (snapshot.folder / ".last-used").touch()  # beside the cards, not among them
        return CardEntry(Path(uid).name, path, root, uid)

    def find(self, uid: str) -> CardEntry | None:
        """The card ``uid`` names in a synced hub (syncing hubs never synced), or None."""
        if not is_uid(uid):
            return None
        pending: list[HubSpec] = []
        for spec in self.store.hubs():
            pinned = self._pinned_snapshot(spec)
            if pinned is not None:  # a commit cannot change: never synced again
                entry = self._entry(pinned, uid)
                if entry is not None:
                    return entry
                continue
            snapshot = self.store.snapshot(spec.name)
            if snapshot is None:
                pending.append(spec)
                continue
            entry = self._entry(snapshot, uid)
            if entry is not None:
                return self._refreshed(spec, snapshot, uid)
        for spec in pending:
            if self.syncer is None:
                raise HubNotSynced(spec.name)
            entry = self._entry(self.syncer(self.store, spec), uid)
            if entry is not None:
                return entry
        return None

    def entry_for_path(self, path: Path) -> CardEntry | None:
        """The hub card a file path names, when it lies in a synced snapshot (so that a hub card
        given by its path is still a hub card, with what that allows its links), else None."""
        path = path.resolve()
        for _spec, snapshot in self.store.snapshots():
            if snapshot is None:
                continue
            cards = snapshot.cards.resolve()
            if cards in path.parents:
                return self._entry(snapshot, path.relative_to(cards).with_suffix("").as_posix())
        return None

    def known_uids(self) -> list[str]:
        """The UIDs of the synced hubs' indexes, each once (two hubs may hold one UID), in hub
        order; never syncs."""
        known: dict[str, None] = {}
        for _spec, snapshot in self.store.snapshots():
            if snapshot is not None:
                known.update((str(e.get("uid")), None) for e in snapshot.index() if e.get("uid"))
        return list(known)

    def close_matches(self, uid: str, n: int = 3) -> list[str]:
        """UIDs of the synced hubs close to ``uid``, each once, for a not-found error."""
        return difflib.get_close_matches(uid, self.known_uids(), n=n, cutoff=0.6)

    def stem_matches(self, stem: str, n: int = 3) -> list[str]:
        """UIDs of the synced hubs whose last part is ``stem`` (newest version first), or else
        is close to it: what a bare stem such as ``alexnet_cifar10`` most likely meant."""
        by_stem: dict[str, list[str]] = {}
        for uid in self.known_uids():
            by_stem.setdefault(uid.rsplit("/", 1)[-1], []).append(uid)
        exact = sorted(by_stem.get(stem, ()), key=_version_order, reverse=True)
        if exact:
            return exact[:n]
        close = difflib.get_close_matches(stem, list(by_stem), n=n, cutoff=0.75)
        return [uid for name in close for uid in by_stem[name]][:n]
