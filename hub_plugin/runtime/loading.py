"""From a name to a working network with verified weights: the layers joined.

card (registry) -> assets (download, verify, cache) -> model package (hubconf) -> network.

:func:`load_model` resolves the card, finds the model package that builds it and the hubconf network
named for the card in its ``package.yaml``, checks that the package's code is trusted, downloads and
verifies the card's assets and those of the cards it ``requires``, builds the network with
``create_network`` and fills it strictly. Filling is the package's business when its hubconf defines
``load_pretrained(network, checkpoints)`` (SimCLR's does: its classifier needs two checkpoints); else
every parameter is filled from the checkpoints by name with MindSpore's own loader, strictly.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import DownloadError, HubPluginError
from ..registry import ModelPackage, Registry
from ..registry.manifest import Manifest


class NoNetwork(HubPluginError):
    """The card has no model package, or its package names no network that builds it."""


class EntryPointMissing(HubPluginError):
    """A model package's hubconf lacks the entry point asked for; the message names those it has."""


RegistryArgument = Registry | Sequence[str | os.PathLike[str]] | None


@dataclass
class LoadedModel:
    """What :func:`load_model` did: the network and how it was made."""

    network: Any
    manifest: Manifest
    package: ModelPackage
    network_name: str
    assets: list[Any] = field(default_factory=list)  # hub_plugin.assets.FetchedAsset
    loaded: dict[str, str] = field(default_factory=dict)  # parameter -> checkpoint entry
    ignored: tuple[str, ...] = ()
    seconds: float = 0.0


def open_registry(
    registry: RegistryArgument, *, offline: bool | None = None, allow_http: bool = False
) -> Registry:
    """A :class:`Registry` from what the API accepts: one, extra folders, or None (the default),
    with the synced hubs behind it (a hub is synced on first use unless ``offline``)."""
    if isinstance(registry, Registry):
        return registry
    from ..assets.hub_sync import registry_with_hubs

    return registry_with_hubs(registry or (), offline=offline, allow_http=allow_http)


def network_for(registry: Registry, manifest: Manifest) -> tuple[ModelPackage, str, list[Manifest]]:
    """The package, the hubconf network name and the required cards' manifests for a card."""
    if manifest.package is None:
        raise NoNetwork(
            f"the card {manifest.name!r} ({manifest.path}) is not part of a model package",
            hint="a model package is a folder with hubconf.py and package.yaml beside the card",
        )
    package = registry.package(manifest.package)
    settings = package.card_settings(manifest.name)
    network_name = settings.get("network")
    if not isinstance(network_name, str):
        raise NoNetwork(
            f"{package.path / 'package.yaml'} names no network for the card {manifest.name!r}"
        )
    required = [registry.package_card(package, name) for name in settings.get("requires") or ()]
    return package, network_name, required


def trusted_hubconf(package: ModelPackage, *, trust: bool | None = None) -> Any:
    """A package's hubconf module, imported (in its own namespace) after the trust check."""
    from .hubconf_import import import_hubconf
    from .trust import ensure_trusted

    ensure_trusted(package, trust)
    return import_hubconf(package.path)


ENTRY_POINTS = ("create_network", "load_pretrained", "train", "evaluate", "predict")


def hubconf_entry(package: ModelPackage, hubconf: Any, entry: str) -> Any:
    """The function ``entry`` of a package's hubconf, or :class:`EntryPointMissing`."""
    function = getattr(hubconf, entry, None)
    if not callable(function):
        offered = [name for name in ENTRY_POINTS if callable(getattr(hubconf, name, None))]
        raise EntryPointMissing(
            f"the model package {package.name!r} has no {entry}() in its hubconf.py",
            hint=f"it offers: {', '.join(offered) or 'nothing'}",
        )
    return function


def _load_by_name(network: Any, checkpoints: Sequence[Path]) -> tuple[dict[str, str], tuple[str, ...]]:
    """Fill every parameter of ``network`` by name from ``checkpoints``, strictly."""
    import mindspore

    entries: dict[str, Any] = {}
    for path in checkpoints:
        entries.update(mindspore.load_checkpoint(str(path)))
    names = [p.name for p in network.get_parameters()]
    missing = [name for name in names if name not in entries]
    if missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        raise HubPluginError(f"the checkpoints do not fill {len(missing)} parameters: {shown}")
    not_loaded, _ = mindspore.load_param_into_net(network, entries, strict_load=True)
    if not_loaded:
        raise HubPluginError(f"parameters not loaded: {', '.join(not_loaded)}")
    ignored = tuple(sorted(set(entries) - set(names)))
    return {name: name for name in names}, ignored


def load_model(
    name: str,
    *,
    pretrained: bool = True,
    registry: RegistryArgument = None,
    device: str | None = None,
    trust: bool | None = None,
    offline: bool | None = None,
    allow_http: bool = False,
    progress: Any = None,
    transfer_policy: Any = None,
    **kwargs: Any,
) -> LoadedModel:
    """Build the network of the card ``name`` and, if ``pretrained``, fill it with its verified
    checkpoints (and those of the cards it requires). ``kwargs`` go to ``create_network``;
    ``transfer_policy`` (a :class:`~hub_plugin.assets.TransferPolicy`) tunes timeouts and retries.

    Raises the registry's, the assets' and the package's typed errors; see the README.
    """
    started = time.perf_counter()
    reg = open_registry(registry, offline=offline, allow_http=allow_http)
    manifest = reg.resolve(name)
    package, network_name, required = network_for(reg, manifest)
    hubconf = trusted_hubconf(package, trust=trust)
    create_network = hubconf_entry(package, hubconf, "create_network")
    fetched: list[Any] = []
    if pretrained:
        from ..assets import fetch_manifest

        options: dict[str, Any] = {"offline": offline, "allow_http": allow_http}
        if progress is not None:
            options["progress"] = progress
        if transfer_policy is not None:
            options["policy"] = transfer_policy
        for card in [*required, manifest]:
            try:
                fetched.extend(fetch_manifest(card, **options))
            except DownloadError as error:
                if error.status is not None:
                    raise
                raise DownloadError(
                    error.url, f"the network cannot be reached ({error.reason})", tries=error.tries,
                    hint="ways forward: --offline (HUB_PLUGIN_OFFLINE=1) with a filled cache, "
                    "HUB_PLUGIN_MIRROR=PREFIX=REPLACEMENT to fetch from a mirror, or "
                    "--no-pretrained (pretrained=False) to build without weights",
                ) from error
    if device is not None:
        from .device import use_device

        use_device(device)
    network = create_network(network_name, **kwargs)
    loaded: dict[str, str] = {}
    ignored: tuple[str, ...] = ()
    if pretrained:
        checkpoints = [asset.path for asset in fetched if asset.asset.file_format == "ckpt"]
        load_pretrained = getattr(hubconf, "load_pretrained", None)
        if callable(load_pretrained):
            report = load_pretrained(network, checkpoints)
            loaded, ignored = dict(report.loaded), tuple(report.ignored)
        else:
            loaded, ignored = _load_by_name(network, checkpoints)
    return LoadedModel(
        network=network, manifest=manifest, package=package, network_name=network_name,
        assets=fetched, loaded=loaded, ignored=ignored, seconds=time.perf_counter() - started,
    )
