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
from ..errors import (  # moved to errors.py (issue 26); importable here too
    EntryPointMissing as EntryPointMissing,
)
from ..errors import (
    NoNetwork as NoNetwork,
)
from ..registry import ModelPackage, Registry
from ..registry.cards.manifest import Manifest

RegistryArgument = Registry | Sequence[str | os.PathLike[str]] | None


@dataclass
class LoadedModel:
    """What :func:`load_model` did: the network and how it was made."""

    network: Any
    manifest: Manifest
    package: ModelPackage | None  # None for a network built by model zoo code
    network_name: str
    assets: list[Any] = field(default_factory=list)  # hub_plugin.assets.FetchedAsset
    loaded: dict[str, str] = field(default_factory=dict)  # parameter -> checkpoint entry
    ignored: tuple[str, ...] = ()
    seconds: float = 0.0
    zoo: Any = None  # hub_plugin.assets.git.zoo_checkout.ZooFolder, for zoo code
    missing: tuple[str, ...] = ()  # parameters left unfilled (strict_weights=False only)
    route: Any = None  # hub_plugin.registry.routes.card_routes.Route: how the card was built
    input_shape: tuple[int, ...] | None = None  # batch first, where known (see .input_shape)
    zoo_config: str | None = None  # the zoo config file handed to zoo code, if any
    arguments: dict[str, Any] = field(default_factory=dict)  # create_network's keyword arguments


def open_registry(
    registry: RegistryArgument, *, offline: bool | None = None, allow_http: bool = False,
    refresh: bool = False,
) -> Registry:
    """A :class:`Registry` from what the API accepts: one, extra folders, or None (the default),
    with the synced hubs behind it (a hub is synced on first use unless ``offline``; with
    ``refresh``, a hub that follows a branch is synced again when it answers a UID)."""
    if isinstance(registry, Registry):
        return registry
    from ..assets.git.hub_sync import registry_with_hubs

    return registry_with_hubs(registry or (), offline=offline, allow_http=allow_http,
                              refresh=refresh)


def network_for(
    registry: Registry, manifest: Manifest, route: Any = None
) -> tuple[ModelPackage, str, list[Manifest]]:
    """The package, the hubconf network name and the required cards' manifests for a card (a
    package's own card, or a hub card a package serves: ``route``, see :mod:`.serving.hub_cards`)."""
    if route is not None and route.rule is not None:
        from .serving.hub_cards import required_cards

        return route.package, route.network, required_cards(registry, route, manifest)
    if manifest.package is None:
        from ..registry.routes.card_routes import could_serve

        offered = could_serve(registry, manifest)
        raise NoNetwork(
            f"the card {manifest.name!r} ({manifest.path}) is not part of a model package",
            hint=f"the model package {', '.join(offered)} may build it: hub-plugin load "
            f"{offered[0]}" if offered else
            "a model package is a folder with hubconf.py and package.yaml beside the card",
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
    from .trust.gate import ensure_trusted

    code = ensure_trusted(package, trust)
    if code is None:
        return import_hubconf(package.path)
    return import_hubconf(package.path, code.files, code.scope)


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


def _load_by_name(
    network: Any, checkpoints: Sequence[Path], *, strict: bool = True
) -> tuple[dict[str, str], tuple[str, ...], tuple[str, ...]]:
    """Fill the parameters of ``network`` by name from ``checkpoints``: what was loaded, the
    checkpoint entries ignored (optimizer state, extras) and the parameters left unfilled.

    ``strict`` (the default): every parameter must be filled with the right shape, else an error
    naming the missing ones. Not strict: the entries whose name and shape match are loaded and
    the rest is listed (zoo checkpoints often carry extra heads or renamed layers).
    """
    import mindspore

    entries: dict[str, Any] = {}
    for path in checkpoints:
        entries.update(mindspore.load_checkpoint(str(path)))
    parameters = {p.name: p for p in network.get_parameters()}
    if strict:
        missing = [name for name in parameters if name not in entries]
        if missing:
            shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
            raise HubPluginError(
                f"the checkpoints do not fill {len(missing)} parameters: {shown}",
                hint="--load-matching (strict_weights=False) loads what matches and lists the rest",
            )
        not_loaded, _ = mindspore.load_param_into_net(network, entries, strict_load=True)
        if not_loaded:
            raise HubPluginError(f"parameters not loaded: {', '.join(not_loaded)}")
        ignored = tuple(sorted(set(entries) - set(parameters)))
        return {name: name for name in parameters}, ignored, ()
    matching = {name: value for name, value in entries.items()
                if name in parameters and tuple(value.shape) == tuple(parameters[name].shape)}
    mindspore.load_param_into_net(network, matching, strict_load=False)
    unfilled = tuple(name for name in parameters if name not in matching)
    ignored = tuple(sorted(set(entries) - set(matching)))
    return {name: name for name in matching}, ignored, unfilled


def _fetch_assets(
    cards: Sequence[Manifest], *, offline: bool | None, allow_http: bool, progress: Any,
    transfer_policy: Any,
) -> list[Any]:
    """The verified assets of ``cards``, in order; a network failure names the ways forward."""
    from ..assets import fetch_manifest

    options: dict[str, Any] = {"offline": offline, "allow_http": allow_http}
    if progress is not None:
        options["progress"] = progress
    if transfer_policy is not None:
        options["policy"] = transfer_policy
    fetched: list[Any] = []
    for card in cards:
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
    return fetched


def _checkpoints(fetched: Sequence[Any]) -> list[Path]:
    return [asset.path for asset in fetched if asset.asset.file_format == "ckpt"]


def load_model(
    name: str,
    *args: Any,
    pretrained: bool = True,
    registry: RegistryArgument = None,
    device: str | None = None,
    trust: bool | None = None,
    offline: bool | None = None,
    allow_http: bool = False,
    progress: Any = None,
    transfer_policy: Any = None,
    strict_weights: bool = True,
    refresh: bool = False,
    zoo_config: str | None = None,
    verbose: bool | None = None,
    **kwargs: Any,
) -> LoadedModel:
    """Build the network of the card ``name`` and, if ``pretrained``, fill it with its verified
    checkpoints (and those of the cards it requires). ``args`` and ``kwargs`` go to
    ``create_network``; ``transfer_policy`` (a :class:`~hub_plugin.assets.TransferPolicy`) tunes
    timeouts and retries; ``strict_weights=False`` loads the checkpoint entries that match and
    lists the rest instead of failing (see :func:`_load_by_name`); ``refresh`` re-resolves the
    branch refs of the hub and the zoo code (a pinned commit never is). For zoo code, ``zoo_config``
    overrides the config file chosen for the card (:mod:`.zoo.config_choice`) and ``verbose``
    shows the code's own output (else shown only when it fails).

    The route (:mod:`hub_plugin.registry.routes.card_routes`) says what builds the card: its own
    package, a package whose ``serves`` rule matches the hub card's ``repo-link`` (filled from the
    hub card's own checkpoints: :mod:`.serving.hub_cards`), or else the model zoo's own code
    (:mod:`.zoo.loading`). Raises the registry's, the assets' and the package's typed
    errors; see the README.
    """
    started = time.perf_counter()
    reg = open_registry(registry, offline=offline, allow_http=allow_http, refresh=refresh)
    entry = reg.find(name)
    manifest = reg.read(entry)
    from ..registry.routes.card_routes import route_for
    from .input_shape import declared_input_shape
    from .serving.hub_cards import library_mismatch, require_library, served_card

    route = route_for(reg, manifest)
    if route.kind == "zoo":
        return _load_from_zoo(
            manifest, args, kwargs, source=entry.root.source, pretrained=pretrained,
            device=device, trust=trust, offline=offline, allow_http=allow_http, progress=progress,
            transfer_policy=transfer_policy, strict_weights=strict_weights, started=started,
            refresh=refresh, registry=reg, route=route, zoo_config=zoo_config, verbose=verbose,
        )
    package, network_name, required = network_for(reg, manifest, route)
    require_library(route)
    hubconf = trusted_hubconf(package, trust=trust)
    create_network = hubconf_entry(package, hubconf, "create_network")
    served = served_card(hubconf, route, manifest)
    kwargs = {**served.arguments, **kwargs}
    fetched: list[Any] = []
    if pretrained:
        fetched = _fetch_assets([*required, manifest], offline=offline, allow_http=allow_http,
                                progress=progress, transfer_policy=transfer_policy)
    if device is not None:
        from .device import use_device

        use_device(device)
    network = create_network(network_name, *args, **kwargs)
    loaded: dict[str, str] = {}
    ignored: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    if pretrained:
        checkpoints = _checkpoints(fetched)
        load_pretrained = getattr(hubconf, "load_pretrained", None)
        try:
            if callable(load_pretrained):
                report = load_pretrained(network, checkpoints)
                loaded, ignored = dict(report.loaded), tuple(report.ignored)
            else:
                loaded, ignored, missing = _load_by_name(network, checkpoints, strict=strict_weights)
        except HubPluginError as error:
            raise library_mismatch(error, route) from error
    shape = served.input_shape or declared_input_shape(route.settings, manifest.fields)
    return LoadedModel(
        network=network, manifest=manifest, package=package, network_name=network_name,
        assets=fetched, loaded=loaded, ignored=ignored, seconds=time.perf_counter() - started,
        missing=missing, route=route, input_shape=shape, arguments=dict(kwargs),
    )


def _load_from_zoo(
    manifest: Manifest, args: Sequence[Any], kwargs: dict[str, Any], *, source: str,
    pretrained: bool, device: str | None, trust: bool | None, offline: bool | None,
    allow_http: bool, progress: Any, transfer_policy: Any, strict_weights: bool, started: float,
    refresh: bool = False, registry: Registry, route: Any, zoo_config: str | None,
    verbose: bool | None,
) -> LoadedModel:
    """:func:`load_model` for a card built by the model zoo's code (see :mod:`.zoo.loading`)."""
    from ..assets import offline_from_environment
    from .input_shape import declared_input_shape
    from .zoo.loading import fetch_zoo_folder, zoo_network

    is_offline = offline_from_environment() if offline is None else offline
    folder = fetch_zoo_folder(manifest, offline=is_offline, allow_http=allow_http, trust=trust,
                              refresh=refresh)
    fetched: list[Any] = []
    if pretrained:
        if not manifest.assets:
            raise NoNetwork(f"the card {manifest.name!r} names no checkpoint to load",
                            hint="load it with --no-pretrained (pretrained=False)")
        fetched = _fetch_assets([manifest], offline=offline, allow_http=allow_http,
                                progress=progress, transfer_policy=transfer_policy)
    if device is not None:
        from .device import use_device

        use_device(device)
    from .zoo.config_choice import card_config, input_shape
    from .zoo.loading import NoZooEntryPoint

    config, class_count = card_config(folder.path, manifest, zoo_config)
    try:
        built = zoo_network(manifest, folder, args, kwargs, trust=trust, source=source,
                            argv=["--config_path", str(config.path)] if config else [],
                            class_count=class_count, verbose=verbose)
    except NoZooEntryPoint as error:
        from ..registry.routes.card_routes import could_serve

        offered = could_serve(registry, manifest)
        if not offered:
            raise
        raise NoZooEntryPoint(error.message, hint=f"the model package {', '.join(offered)} may "
                              f"build it: hub-plugin load {offered[0]}") from error
    loaded: dict[str, str] = {}
    ignored: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    if pretrained:
        loaded, ignored, missing = _load_by_name(built.network, _checkpoints(fetched),
                                                 strict=strict_weights)
    return LoadedModel(
        network=built.network, manifest=manifest, package=None, network_name=built.model_name,
        assets=fetched, loaded=loaded, ignored=ignored, seconds=time.perf_counter() - started,
        zoo=folder, missing=missing, route=route, arguments=dict(kwargs),
        input_shape=declared_input_shape({}, manifest.fields) or input_shape(config),
        zoo_config=f"{config.relative} ({config.reason})" if config else None,
    )
