"""A name resolved completely into its lock entry, through the code ``load`` uses.

The card is found with the registry ``load`` opens (:func:`~hub_plugin.hubs.sync.registry_with_hubs`:
the settings' folders, the synced hubs behind them), its route with
:func:`~hub_plugin.registry.routes.route_for`, the cards it requires as
:func:`~hub_plugin.packages.loading.network_for` finds them (a package card's ``requires``;
:func:`~hub_plugin.packages.hub_cards.required_cards` for a hub card a package serves), the zoo code with
:func:`~hub_plugin.zoo.loading.fetch_zoo_folder` and the code digests with
:mod:`hub_plugin.trust.code_digest`: no network is built and no code is run.
"""

from __future__ import annotations

import platform
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from .._version import __version__
from ..cards.manifest import Manifest
from ..core.hashing import hash_file
from ..core.settings import Settings
from ..registry.entries import Root
from ..registry.registry import Registry
from ..registry.routes import Route

#: What a card's assets become in an entry: ``[{card, link, sha256, size}]``.
AssetPins = Callable[[Manifest], list[dict[str, Any]]]


def distribution_version(name: str) -> str | None:
    """The installed version of the distribution ``name`` (from its metadata: nothing is
    imported), or ``None``."""
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def machine_versions() -> dict[str, str]:
    """hub-plugin's, Python's and (when installed) MindSpore's versions."""
    found = {"hub-plugin": __version__, "python": platform.python_version(),
             "mindspore": distribution_version("mindspore")}
    return {k: v for k, v in found.items() if v is not None}


@dataclass(frozen=True)
class Resolved:
    """A name resolved: its lock ``entry`` and the cards whose assets the model uses, in order
    (the cards it requires, then its own)."""

    entry: dict[str, Any]
    cards: Sequence[Manifest]
    manifest: Manifest
    route: Route


def card_assets(manifest: Manifest) -> list[dict[str, Any]]:
    """The assets as the card gives them (the digest may be a prefix; no size)."""
    return [{"card": manifest.name, "link": a.link, "sha256": a.sha256.strip().lower()}
            for a in manifest.assets]


def resolve_name(name: str, settings: Settings, *, registry: Registry | None = None,
                 assets: AssetPins = card_assets, code: bool = True,
                 zoo_commit: str | None = None) -> Resolved:
    """The lock entry of ``name`` as ``settings`` resolve it now. ``assets`` pins each card's
    assets (:func:`card_assets`: as the card says; ``lock`` fetches them to learn full digests
    and sizes); ``code``: pin the route's code too (the zoo folder is fetched when not cached;
    at ``zoo_commit`` when given, a lock file's, instead of where the card's ref points)."""
    from ..hubs.sync import registry_with_hubs
    from ..registry.routes import route_for

    registry = registry or registry_with_hubs(settings.option_registries, settings=settings)
    found = registry.find(name)
    manifest = registry.read(found)
    route = route_for(registry, manifest)
    entry: dict[str, Any] = {"name": name}
    snapshot = found.root.hub
    if snapshot is not None:
        entry["hub"] = {"name": snapshot.hub, "url": snapshot.url, "commit": snapshot.commit}
        path = Path(found.path).relative_to(snapshot.cards).as_posix()
    else:
        path = local_path(Path(found.path), [found.root])
    entry["card"] = {"path": path, "sha256": hash_file(Path(found.path)).sha256}
    required = _required(registry, manifest, route)
    cards = [*required, manifest]
    entry["route"] = _route(route, manifest, settings, zoo_commit) if code else {"kind": route.kind}
    if required:
        entry["requires"] = [required_pin(registry, card) for card in required]
    entry["assets"] = [pin for card in cards for pin in assets(card)]
    return Resolved(entry, cards, manifest, route)


def required_pin(registry: Registry, card: Manifest) -> dict[str, Any]:
    """A required card's own pin: its name, its path (in its hub's snapshot, with the hub's name
    and commit; else on disk) and the sha256 of its bytes."""
    path = Path(card.path)
    pin: dict[str, Any] = {"card": card.name}
    hubs = registry.hubs
    try:
        inside = (path.resolve().relative_to(hubs.store.folder.resolve()).parts
                  if hubs is not None else ())
    except ValueError:  # not in a hub's snapshot
        inside = ()
    if len(inside) > 4 and inside[1] == "snapshots" and inside[3] == "cards":
        pin.update(hub=inside[0], commit=inside[2], path="/".join(inside[4:]))
    else:
        pin["path"] = local_path(path, registry.roots)
    pin["sha256"] = hash_file(path).sha256
    return pin


def local_path(path: Path, roots: Sequence[Root]) -> str:
    """A local card's place as a lock records it: ``<root's source>:<path inside that root>``
    (``bundled:simclr/simclr_encoder_cifar10.md``), so that a lock reads the same on a machine
    where the checkout or the ``--registry`` folder lives elsewhere; the absolute path only for a
    card outside every root (a card given by its path)."""
    resolved = path.resolve()
    for root in roots:
        try:
            inside = resolved.relative_to(root.path.resolve())
        except ValueError:
            continue
        return f"{root.source}:{inside.as_posix()}"
    return str(path)


def pinned_hubs(entry: Mapping[str, Any]) -> dict[str, str]:
    """The hub commits a lock entry pins, by hub name: its card's, and its required cards'."""
    found: dict[str, str] = {}
    hub = entry.get("hub") or {}
    if isinstance(hub, Mapping) and hub.get("name") and hub.get("commit"):
        found[str(hub["name"])] = str(hub["commit"])
    for pin in entry.get("requires") or ():
        if isinstance(pin, Mapping) and pin.get("hub") and pin.get("commit"):
            found.setdefault(str(pin["hub"]), str(pin["commit"]))
    return found


def _required(registry: Registry, manifest: Manifest, route: Route) -> list[Manifest]:
    if route.kind not in ("package", "library") or route.package is None:
        return []
    if route.spec is not None and manifest.package is None:  # as network_for finds them
        from ..packages.hub_cards import card_requirements

        return card_requirements(registry, manifest)
    if route.rule is not None:
        from ..packages.hub_cards import required_cards

        return required_cards(registry, route, manifest)
    return [registry.package_card(route.package, name) for name in route.settings.get("requires") or ()]


def _route(route: Route, manifest: Manifest, settings: Settings,
           zoo_commit: str | None = None) -> dict[str, Any]:
    pinned: dict[str, Any] = {"kind": route.kind}
    if route.kind in ("package", "library") and route.package is not None:
        from ..trust.code_digest import package_digest

        pinned["package"] = route.package.name
        pinned["digest"] = package_digest(route.package).digest
        library = route.rule.library if route.rule is not None else None
        if library:
            pinned["library"] = library
            pinned["version"] = distribution_version(library) or "not installed"
    elif route.kind == "zoo":
        from ..trust.code_digest import code_digest
        from ..zoo.loading import fetch_zoo_folder

        folder = fetch_zoo_folder(manifest, settings, commit=zoo_commit)
        pinned.update(repository=folder.repository, ref=folder.ref, commit=folder.commit,
                      folder=folder.folder, digest=code_digest(folder.path).digest,
                      config=_zoo_config(folder.path, manifest))
    return pinned


def _zoo_config(folder: Path, manifest: Manifest) -> str | None:
    """The config file (relative to the zoo folder) ``load`` hands the card's zoo code on
    MindSpore's device (:func:`hub_plugin.zoo.config_choice.card_config`); ``None`` when the
    folder has none, or when MindSpore is not installed (the device is then unknown: the light
    install pins the code, which holds the configs, and not the choice)."""
    from importlib.util import find_spec

    if find_spec("mindspore") is None:
        return None
    from ..zoo.config_choice import card_config

    chosen, _ = card_config(folder, manifest)
    return chosen.relative if chosen is not None else None
