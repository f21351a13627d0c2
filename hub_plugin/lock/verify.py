"""What a ``--locked`` command uses, from the lock file, and the first difference, one line.

:func:`locked_load` is what ``--locked`` runs (``load``, ``export``, ``download``, ``info`` and the
API's ``locked=``): it reads the lock file and resolves the name as the command would
(:func:`.resolution.resolve_name`, the assets as the card gives them) through a registry whose
hubs answer at the locked commits (:func:`pinned_registry`: the card and the cards it requires are
read from the hub's snapshot at that commit, fetched with git when not on disk) and, for a command
that builds, with the zoo code at the locked commit (fetched likewise). So what moved upstream is
served from the lock, not refused: a hub whose branch moved on, a card edited upstream since, a
zoo branch that moved. It raises :class:`~hub_plugin.errors.LockMismatch` when what the lock pins
cannot be had (offline and not cached, a commit the server no longer has) and at the first
difference (:func:`difference`); else it returns that registry, each asset's locked full sha256 by
link for the download to verify against (:func:`hub_plugin.downloads.fetch.fetch_manifest`'s
``locked``: an asset replaced at its link is refused there), and the zoo commit.

What counts as a difference (issue 29; :func:`difference` also serves ``lock --check``, which
compares with what is served now): the hub (name, URL) and the card's path and bytes; the route:
its package and code digest, the zoo repository, commit, folder, code digest and config, the
library and its version; every asset's link and digest (the card's digest, often an 8-digit
prefix, must be a prefix of the locked full digest) and size; the required cards' own paths and
bytes; and the versions of hub-plugin, Python (major.minor: a patch release changes no load) and,
for the commands that build, MindSpore.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..core.hashing import digest_matches
from ..core.settings import Settings
from ..errors import LockMismatch
from ..registry.registry import Registry
from .lock_file import LockFile, read_lock_file
from .resolution import machine_versions, pinned_hubs, resolve_name


def _short(text: object) -> str:
    value = str(text)
    return value[:12] if len(value) in (40, 64) else value


def _hub(hub: Mapping[str, Any]) -> str:
    return f"the hub {hub.get('name')} ({hub.get('url')})" if hub else "a local registry"


def _route_difference(locked: Mapping[str, Any], now: Mapping[str, Any]) -> str | None:
    if locked.get("kind") != now.get("kind"):
        return f"its route changed: locked {locked.get('kind')}, now {now.get('kind')}"
    if now.get("kind") == "zoo":
        where = f"{now.get('repository')} folder {now.get('folder') or '/'}"
        if locked.get("repository") != now.get("repository") or locked.get("folder") != now.get("folder"):
            return (f"its zoo code moved: locked {locked.get('repository')} folder "
                    f"{locked.get('folder') or '/'}, now {where}")
        if locked.get("commit") != now.get("commit"):
            return (f"the ref {now.get('ref')} of {now.get('repository')} moved: locked at commit "
                    f"{_short(locked.get('commit'))}, now {_short(now.get('commit'))}")
        if locked.get("digest") != now.get("digest"):
            return (f"the zoo code of {where} at {_short(now.get('commit'))} changed: its digest is "
                    f"{_short(now.get('digest'))}, locked {_short(locked.get('digest'))}")
        if locked.get("config") and now.get("config") and locked.get("config") != now.get("config"):
            return (f"the zoo config chosen for the card changed: now {now.get('config')}, locked "
                    f"{locked.get('config')} (another device?)")
        return None
    for field in ("package", "library"):
        if locked.get(field) != now.get(field):
            return f"its {field} changed: locked {locked.get(field)}, now {now.get(field)}"
    if locked.get("version") != now.get("version"):
        return (f"{now.get('library')} {now.get('version')} is installed, locked "
                f"{locked.get('version')}")
    if locked.get("digest") != now.get("digest"):
        return (f"the code of the model package {now.get('package')} changed: its digest is "
                f"{_short(now.get('digest'))}, locked {_short(locked.get('digest'))}")
    return None


def _requires_difference(locked: list[Mapping[str, Any]], now: list[Mapping[str, Any]]) -> str | None:
    """The first required card that is not the locked one: another card, another place, other
    bytes."""
    def place(pin: Mapping[str, Any]) -> str:
        hub = f" in the hub {pin.get('hub')} at {_short(pin.get('commit'))}" if pin.get("hub") else ""
        return f"{pin.get('path')}{hub}"

    if [p.get("card") for p in locked] != [p.get("card") for p in now]:
        return (f"the cards it requires changed: locked {', '.join(str(p.get('card')) for p in locked)}"
                f", now {', '.join(str(p.get('card')) for p in now) or 'none'}")
    for pinned, current in zip(locked, now, strict=True):
        if (pinned.get("hub"), pinned.get("path")) != (current.get("hub"), current.get("path")):
            return (f"the required card {current.get('card')} is now {place(current)}, locked "
                    f"{place(pinned)}")
        if pinned.get("sha256") != current.get("sha256"):
            return (f"the required card {current.get('card')} ({place(current)}) was edited: its "
                    f"sha256 is {_short(current.get('sha256'))}, locked {_short(pinned.get('sha256'))}")
    return None


def _assets_difference(locked: list[Mapping[str, Any]], now: list[Mapping[str, Any]]) -> str | None:
    locked_links = [(a.get("card"), a.get("link")) for a in locked]
    now_links = [(a.get("card"), a.get("link")) for a in now]
    if locked_links != now_links:
        gone = [str(link) for _, link in sorted(set(locked_links) - set(now_links), key=str)]
        new = [str(link) for _, link in sorted(set(now_links) - set(locked_links), key=str)]
        return ("its assets changed: " + "; ".join(
            [*(["locked " + ", ".join(gone) + " no longer named"] if gone else []),
             *(["now " + ", ".join(new)] if new else [])]) if gone or new
            else "its assets changed order")
    for pinned, current in zip(locked, now, strict=True):
        full, given = str(pinned.get("sha256", "")), str(current.get("sha256", ""))
        if not (digest_matches(given, full) if len(given) < 64 else given == full):
            return (f"the asset {current.get('link')} of {current.get('card')} changed: the card "
                    f"gives sha256 {given}, locked {full}")
        if "size" in current and current.get("size") != pinned.get("size"):
            return (f"the asset {current.get('link')} of {current.get('card')} changed: "
                    f"{current.get('size')} bytes, locked {pinned.get('size')}")
    return None


def difference(locked: Mapping[str, Any], now: Mapping[str, Any]) -> str | None:
    """The first difference between a locked entry and the entry resolved now, as words, or
    ``None`` when they agree (see the module docstring for what counts)."""
    hub, now_hub = locked.get("hub") or {}, now.get("hub") or {}
    card, now_card = locked.get("card") or {}, now.get("card") or {}
    if (hub.get("name"), hub.get("url")) != (now_hub.get("name"), now_hub.get("url")):
        return f"the card now comes from {_hub(now_hub)}, locked from {_hub(hub)}"
    if card.get("path") != now_card.get("path"):
        return f"the card is now {now_card.get('path')}, locked {card.get('path')}"
    if card.get("sha256") != now_card.get("sha256"):
        if now_hub and now_hub.get("commit") == hub.get("commit"):
            return (f"the card {now_card.get('path')} was edited: at the locked commit "
                    f"{_short(hub.get('commit'))} the hub {now_hub.get('name')} serves sha256 "
                    f"{_short(now_card.get('sha256'))}, locked {_short(card.get('sha256'))}")
        at = (f" (the hub {now_hub.get('name')} is at commit {_short(now_hub.get('commit'))}, "
              f"locked {_short(hub.get('commit'))})" if now_hub else "")
        return (f"the card {now_card.get('path')} was edited{at}: its sha256 is "
                f"{_short(now_card.get('sha256'))}, locked {_short(card.get('sha256'))}")
    locked_route, now_route = locked.get("route") or {}, now.get("route") or {}
    if len(now_route) > 1:  # the code was pinned now
        found = _route_difference(locked_route, now_route)
        if found:
            return found
    found = _assets_difference(list(locked.get("assets") or []), list(now.get("assets") or []))
    if found or "requires" not in locked:  # lock files written before required cards were pinned
        return found
    return _requires_difference(list(locked.get("requires") or []), list(now.get("requires") or []))


def versions_difference(locked: Mapping[str, str], now: Mapping[str, str], *, builds: bool) -> str | None:
    """The first version that differs: hub-plugin's, Python's major.minor, and MindSpore's when
    the command ``builds`` a network."""
    names = ("hub-plugin", "python", "mindspore") if builds else ("hub-plugin", "python")
    for name in names:
        old, new = locked.get(name), now.get(name)
        if name == "python" and old and new:
            old, new = ".".join(old.split(".")[:2]), ".".join(new.split(".")[:2])
        if old != new:
            here = f"{name} {new} is installed" if new else f"{name} is not installed"
            return f"{here}, locked {old or 'absent'}"
    return None


def mismatch(name: str, what: str, lock: LockFile | os.PathLike[str] | str | None) -> LockMismatch:
    """The one line: ``name``, what changed, where it is locked and how to update."""
    where = lock.path if isinstance(lock, LockFile) else lock
    return LockMismatch(f"{name}: {what} (locked in {where or 'hub-plugin.lock'})",
                        hint=f"to use what is served now: hub-plugin lock --upgrade {name}")


@dataclass(frozen=True)
class LockedLoad:
    """What a ``--locked`` command uses: the ``registry`` whose hubs answer at the locked commits
    (the card's and its required cards' hubs), each asset's locked full sha256 by link
    (``pins``), and the locked zoo commit for a zoo route (``zoo_commit``)."""

    registry: Registry
    pins: dict[str, str]
    zoo_commit: str | None = None


def pinned_registry(entry: Mapping[str, Any], settings: Settings,
                    registry: Registry | None = None) -> Registry:
    """``registry`` (the settings' when ``None``) with its hubs answering at the commits ``entry``
    pins (:func:`.resolution.pinned_hubs`): the snapshot at that commit, on disk or fetched."""
    from ..hubs.sync import hub_cards, registry_with_hubs

    pinned = pinned_hubs(entry)
    if registry is None:
        return registry_with_hubs(settings.option_registries, settings=settings, pinned=pinned)
    if registry.hubs is None:
        return registry
    return Registry(registry.roots, registry.profile, hubs=hub_cards(settings, pinned=pinned))


def _check_hubs_known(name: str, entry: Mapping[str, Any], settings: Settings, lock: LockFile) -> None:
    """A :class:`LockMismatch` when a hub the entry is locked from is not a hub here (nothing
    would answer at its commit)."""
    from ..hubs.sync import hub_store

    known = {spec.name for spec in hub_store(settings).hubs()}
    locked_hub = entry.get("hub") or {}
    for hub in pinned_hubs(entry):
        if hub not in known:
            url = locked_hub.get("url") if locked_hub.get("name") == hub else None
            raise LockMismatch(
                f"{name}: {lock.path or 'hub-plugin.lock'} reads it from the hub {hub}, which is not "
                f"a hub here", hint=f"add it: hub-plugin hub add {hub} {url or 'URL'}")


def locked_load(name: str, lock: str | os.PathLike[str] | LockFile | bool | None, settings: Settings,
                *, builds: bool, registry: Registry | None = None) -> LockedLoad:
    """What ``name`` locked in the lock file (``hub-plugin.lock`` when ``None`` or ``True``) loads, for a
    command that ``builds`` a network (its code and MindSpore's version count) or only reads the
    card and its assets. The card and the cards it requires are read at the locked hub commits,
    the zoo code at the locked commit (fetched when not on disk: a hub or a zoo branch that moved
    on is served from the lock); what cannot be had, and every other difference, raises
    :class:`~hub_plugin.errors.LockMismatch` (or :class:`~hub_plugin.errors.LockFileError`)."""
    from ..errors import GitError, HubNotSynced, ZooCodeMissing

    opened = lock if isinstance(lock, LockFile) else read_lock_file(lock)
    entry = opened.entry(name)
    found = versions_difference(opened.versions, machine_versions(), builds=builds)
    if found:
        raise mismatch(name, found, opened)
    _check_hubs_known(name, entry, settings, opened)
    route = entry.get("route") or {}
    zoo_commit = str(route["commit"]) if route.get("kind") == "zoo" and route.get("commit") else None
    pinned = pinned_registry(entry, settings, registry)
    try:
        now = resolve_name(name, settings, registry=pinned, code=builds,
                           zoo_commit=zoo_commit if builds else None)
    except (HubNotSynced, GitError, ZooCodeMissing) as error:
        raise LockMismatch(
            f"{name}: what {opened.path or 'hub-plugin.lock'} pins cannot be had: {error.message}",
            hint=f"fetch it online (drop --offline), or use what is served now: hub-plugin lock "
            f"--upgrade {name}") from error
    found = difference(entry, now.entry)
    if found:
        raise mismatch(name, found, opened)
    pins = {str(a["link"]): str(a["sha256"]) for a in entry.get("assets") or ()}
    return LockedLoad(pinned, pins, zoo_commit)


def locked_pins(name: str, lock: str | os.PathLike[str] | LockFile | None, settings: Settings, *,
                builds: bool, registry: Registry | None = None) -> dict[str, str]:
    """:func:`locked_load`'s ``pins``: each asset's locked full sha256, by link."""
    return locked_load(name, lock, settings, builds=builds, registry=registry).pins
