"""``hub-plugin lock``: write, upgrade and check the lock file.

:func:`lock_models` resolves each name (:func:`.resolution.resolve_name`) and pins every asset by
fetching it (:func:`hub_plugin.downloads.fetch.fetch_manifest`: from the cache, else downloaded and
verified against the card's digest) to learn its full sha256 and size: newer hub cards give an
8-digit prefix only, so a download may be needed, and ``say`` is told before each one.
:func:`check_lock` resolves every locked name against what the hubs serve now, in a throwaway
home (the hubs synced afresh, the zoo branches asked again, the assets downloaded again, so that a
file replaced on its server is seen), leaving the user's cache, snapshots and remembered refs as
they were; it returns each difference as a line.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..cache.asset_cache import AssetCache
from ..cards.manifest import Manifest
from ..core.settings import Settings
from ..errors import HubPluginError
from .lock_file import LockFile, read_lock_file
from .resolution import machine_versions, resolve_name
from .verify import difference

Say = Callable[[str], None]


def fetched_pins(settings: Settings, say: Say, cache: AssetCache | None = None
                 ) -> Callable[[Manifest], list[dict[str, Any]]]:
    """Pins each asset of a card with its full sha256 and size, fetched into ``cache`` (the
    settings' own when ``None``); ``say`` names each asset that has to be downloaded first."""
    from ..downloads.fetch import fetch_manifest

    store = cache or AssetCache(settings.home)

    def pins(manifest: Manifest) -> list[dict[str, Any]]:
        for asset in manifest.assets:
            if store.find(asset.sha256.strip().lower()) is None:
                say(f"downloading {asset.file_name} of {manifest.name} to learn its full sha256 "
                    f"and size ({asset.link})")
        fetched = fetch_manifest(manifest, settings=settings, cache=store)
        return [{"card": manifest.name, "link": item.asset.link, "sha256": item.sha256,
                 "size": item.size} for item in fetched]

    return pins


def lock_models(names: Sequence[str], settings: Settings, output: Path, *, say: Say,
                upgrade: bool = False) -> LockFile:
    """Write ``output`` with an entry for each of ``names``; with ``upgrade``, keep the file's
    other entries and rewrite these (every entry when ``names`` is empty)."""
    lock = read_lock_file(output) if upgrade and output.exists() else LockFile(path=output)
    todo = list(names) if names or not upgrade else [str(m["name"]) for m in lock.models]
    pins = fetched_pins(settings, say)
    for name in todo:
        lock.put(resolve_name(name, settings, assets=pins).entry)
    lock.versions = machine_versions()
    lock.write(output)
    return lock


def check_lock(path: Path, settings: Settings, *, say: Say) -> list[str]:
    """Every way the lock file at ``path`` no longer matches what is served now, one line each
    (empty when it all matches)."""
    lock = read_lock_file(path)
    found: list[str] = []  # the machine's versions are not what the hubs serve: --locked checks them
    with tempfile.TemporaryDirectory(prefix="hub-plugin-lock-check-") as scratch:
        fresh = settings.with_options(home=Path(scratch), refresh=True)
        pins = fetched_pins(fresh, say)
        for model in lock.models:
            name = str(model["name"])
            try:
                what = difference(model, resolve_name(name, fresh, assets=pins).entry)
            except HubPluginError as error:
                what = f"cannot be resolved: {error}"
            if what:
                found.append(f"{name}: {what}")
    return found
