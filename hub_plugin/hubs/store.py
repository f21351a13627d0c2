"""Hubs: git repositories of cards, their settings, and the snapshots synced from them.

A hub is a git repository, a ref and a folder of cards laid out ``<publisher>/<version>/<stem>.md``
(or ``<publisher>/<device>/<version>/<stem>.md`` in older hubs). Built in: ``mindspore``, MindSpore
Hub's own source, ``https://gitee.com/mindspore/hub.git`` at ``master``, folder ``mshub_res/assets``
(its GitHub copy is ``https://github.com/mindspore-ai/hub.git``; ``HUB_PLUGIN_MIRROR`` or
``hub add`` switch to it).

In the config folder (``HUB_PLUGIN_CONFIG``, see :mod:`hub_plugin.core.config_folder`)::

    hubs.json                                hubs added by ``hub add``, built-ins removed by ``hub rm``

Under ``HUB_PLUGIN_HOME`` (the cache)::

    hubs/<name>/current                      the commit in use (replaced atomically)
    hubs/<name>/snapshots/<commit>/cards/    the card folder at that commit
    hubs/<name>/snapshots/<commit>/snapshot.json   url, ref, folder, commit, its date, when synced
    hubs/<name>/snapshots/<commit>/index.json      one line per card, for ``list --hub``
    hubs/<name>/tmp/                         syncs in progress (never read)
    hubs/<name>.lock                         one sync at a time

This module only reads and writes those files; fetching with git is the sync's
(:mod:`hub_plugin.hubs.sync`), which is handed down to the registry as a callable so that a
first use can sync.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..core.atomic_file import write_atomically
from ..core.file_tree import remove_tree
from ..errors import (  # moved to errors.py (issue 26); importable here too
    HubError as HubError,
)
from ..errors import (
    HubNotSynced as HubNotSynced,
)
from ..errors import UsageError

HUBS_FOLDER = "hubs"
SETTINGS_FILE = "hubs.json"
_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
_FULL_COMMIT = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


@dataclass(frozen=True, slots=True)
class HubSpec:
    """Where a hub's cards come from: ``url`` at ``ref`` (a branch, a tag or a commit id), in the
    folder ``path`` of the repository (``""`` for its root)."""

    name: str
    url: str
    ref: str = "master"
    path: str = ""
    builtin: bool = False


BUILTIN_HUBS: tuple[HubSpec, ...] = (
    HubSpec("mindspore", "https://gitee.com/mindspore/hub.git", "master", "mshub_res/assets", True),
)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A synced copy of a hub's card folder at one commit."""

    hub: str
    url: str
    ref: str
    path: str
    commit: str
    date: str
    synced_at: str
    folder: Path

    @property
    def cards(self) -> Path:
        return self.folder / "cards"

    @property
    def index_file(self) -> Path:
        return self.folder / "index.json"

    def index(self) -> list[dict[str, Any]]:
        """The card index written at sync time (see :mod:`.index`)."""
        try:
            data = json.loads(self.index_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise HubError(f"the snapshot of the hub {self.hub!r} at {self.folder} is damaged: {error}",
                           hint=f"run 'hub-plugin hub update {self.hub}'") from error
        cards = data.get("cards") if isinstance(data, dict) else None
        return list(cards) if isinstance(cards, list) else []


def in_utc(stamp: str) -> str:
    """An ISO 8601 time with an offset (git's ``%cI``: ``2026-12-01T16:20:03+01:00``) in UTC
    (``2026-12-01T15:20:03+00:00``), so that every date hub-plugin prints is in one time zone;
    text that is not such a time is returned as it is."""
    import datetime as dt

    try:
        when = dt.datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        return stamp
    if when.tzinfo is None:
        return stamp
    return when.astimezone(dt.timezone.utc).isoformat(timespec="seconds")


def check_hub_name(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise UsageError(f"a hub name is lower-case letters, digits, '.', '_' and '-', got {name!r}")
    return name


class HubStore:
    """The hubs known under a home folder (``HUB_PLUGIN_HOME``): settings and snapshots.

    With ``config`` (the config folder), the settings are ``<config>/hubs.json``; without it they
    are ``<home>/hubs/settings.json``."""

    def __init__(self, home: Path, config: Path | None = None) -> None:
        self.home = Path(home)
        self.folder = self.home / HUBS_FOLDER
        self.settings_file = (self.folder / "settings.json" if config is None
                              else Path(config) / SETTINGS_FILE)

    # --- settings -----------------------------------------------------------------------------

    def _settings(self) -> dict[str, Any]:
        try:
            data = json.loads(self.settings_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"hubs": {}, "removed": []}
        except (OSError, ValueError) as error:
            raise HubError(f"{self.settings_file} cannot be read: {error}") from error
        if not isinstance(data, dict):
            raise HubError(f"{self.settings_file} is not a JSON object")
        data.setdefault("hubs", {})
        data.setdefault("removed", [])
        return data

    def hubs(self) -> list[HubSpec]:
        """Every hub: the built-ins not removed, then those added, by name."""
        data = self._settings()
        found = {h.name: h for h in BUILTIN_HUBS if h.name not in data["removed"]}
        for name, entry in data["hubs"].items():
            if isinstance(entry, Mapping) and isinstance(entry.get("url"), str):
                found[name] = HubSpec(name, entry["url"], str(entry.get("ref") or "master"),
                                      str(entry.get("path") or "").strip("/"))
        return [found[name] for name in sorted(found)]

    def hub(self, name: str) -> HubSpec:
        for spec in self.hubs():
            if spec.name == name:
                return spec
        known = ", ".join(h.name for h in self.hubs()) or "none"
        raise HubError(f"no hub named {name!r}",
                       hint=f"known hubs: {known}; add one with 'hub-plugin hub add'")

    def add(self, spec: HubSpec) -> None:
        """Add (or replace) a hub's settings."""
        check_hub_name(spec.name)
        data = self._settings()
        entry = asdict(spec)
        del entry["name"], entry["builtin"]
        data["hubs"][spec.name] = entry
        data["removed"] = [n for n in data["removed"] if n != spec.name]
        write_atomically(self.settings_file, json.dumps(data, indent=2, sort_keys=True) + "\n")

    def remove(self, name: str) -> None:
        """Forget a hub and delete its snapshots: ``hubs/<name>/`` and nothing else (a name that is
        not a hub name, or a folder that is a link, deletes nothing)."""
        check_hub_name(name)
        spec = self.hub(name)
        data = self._settings()
        data["hubs"].pop(name, None)
        if spec.builtin and name not in data["removed"]:
            data["removed"].append(name)
        write_atomically(self.settings_file, json.dumps(data, indent=2, sort_keys=True) + "\n")
        folder = self.folder / name
        if folder.is_symlink():
            folder.unlink()  # the link, not what it points to
        else:
            remove_tree(folder)  # any depth: a hub's cards are a stranger's tree (issue 27, hole 5)

    # --- snapshots ----------------------------------------------------------------------------

    def hub_folder(self, name: str) -> Path:
        return self.folder / check_hub_name(name)

    def lock_file(self, name: str) -> Path:
        return self.folder / f"{check_hub_name(name)}.lock"

    def snapshot(self, name: str) -> Snapshot | None:
        """The snapshot in use for the hub ``name``, or None when it was never synced."""
        base = self.hub_folder(name)
        try:
            commit = (base / "current").read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return self._read_snapshot(name, base / "snapshots" / commit)

    def snapshot_at(self, name: str, commit: str) -> Snapshot | None:
        """The snapshot of the hub ``name`` at ``commit`` (a full commit id), whether in use or
        kept beside the one in use (the previous one, or one fetched for a lock file), or None
        when there is none on disk."""
        folder = self.hub_folder(name) / "snapshots" / commit
        if not _FULL_COMMIT.fullmatch(commit) or not (folder / "snapshot.json").is_file():
            return None
        found = self._read_snapshot(name, folder)
        return found if found.commit == commit and found.cards.is_dir() else None

    @staticmethod
    def _read_snapshot(name: str, folder: Path) -> Snapshot:
        try:
            meta = json.loads((folder / "snapshot.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise HubError(f"the snapshot of the hub {name!r} at {folder} is damaged: {error}",
                           hint=f"run 'hub-plugin hub update {name}'") from error
        return Snapshot(name, meta["url"], meta["ref"], meta.get("path", ""), meta["commit"],
                        in_utc(meta.get("date", "")), meta.get("synced-at", ""), folder)

    def snapshots(self) -> Iterator[tuple[HubSpec, Snapshot | None]]:
        for spec in self.hubs():
            yield spec, self.snapshot(spec.name)
