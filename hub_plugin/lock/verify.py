"""What a command would use now, against what the lock file pins: the first difference, one line.

:func:`locked_pins` is what ``--locked`` runs (``load``, ``export``, ``download``, ``info`` and the
API's ``locked=``): it reads the lock file, resolves the name as the command would
(:func:`.resolution.resolve_name`, the assets as the card gives them), and raises
:class:`~hub_plugin.errors.LockMismatch` at the first difference (:func:`difference`); else it
returns each asset's locked full sha256, by link, for the download to verify against
(:func:`hub_plugin.downloads.fetch.fetch_manifest`'s ``locked``).

What counts (issue 29): the hub and the card's bytes (a hub that moved on to another commit is no
difference while the card's bytes are the locked ones); the route: its package and code digest,
the zoo repository, ref, commit (a branch that moved), folder and code digest, the library and its
version; every asset's link and digest (the card's digest, often an 8-digit prefix, must be a
prefix of the locked full digest); and the versions of hub-plugin, Python (major.minor: a patch
release changes no load) and, for the commands that build, MindSpore.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from ..core.hashing import digest_matches
from ..core.settings import Settings
from ..errors import LockMismatch
from ..registry.registry import Registry
from .lock_file import LockFile, read_lock_file
from .resolution import machine_versions, resolve_name


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
        at = (f" (the hub {now_hub.get('name')} is at commit {_short(now_hub.get('commit'))}, "
              f"locked {_short(hub.get('commit'))})" if now_hub else "")
        return (f"the card {now_card.get('path')} was edited{at}: its sha256 is "
                f"{_short(now_card.get('sha256'))}, locked {_short(card.get('sha256'))}")
    locked_route, now_route = locked.get("route") or {}, now.get("route") or {}
    if len(now_route) > 1:  # the code was pinned now
        found = _route_difference(locked_route, now_route)
        if found:
            return found
    return _assets_difference(list(locked.get("assets") or []), list(now.get("assets") or []))


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


def locked_pins(name: str, lock: str | os.PathLike[str] | LockFile | None, settings: Settings, *,
                builds: bool, registry: Registry | None = None) -> dict[str, str]:
    """Check ``name`` against the lock file (``hub-plugin.lock`` when ``None``) as a command that
    ``builds`` a network (its code and MindSpore's version count) or only reads the card and its
    assets; returns each asset's locked full sha256 by link. Raises
    :class:`~hub_plugin.errors.LockMismatch` or :class:`~hub_plugin.errors.LockFileError`."""
    opened = lock if isinstance(lock, LockFile) else read_lock_file(lock)
    entry = opened.entry(name)
    found = versions_difference(opened.versions, machine_versions(), builds=builds)
    if found:
        raise mismatch(name, found, opened)
    now = resolve_name(name, settings, registry=registry, code=builds)
    found = difference(entry, now.entry)
    if found:
        raise mismatch(name, found, opened)
    return {str(a["link"]): str(a["sha256"]) for a in entry.get("assets") or ()}
