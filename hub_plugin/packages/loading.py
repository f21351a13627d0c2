"""From a name to a working network with verified weights: the one build path.

card (registry) -> route -> code (a model package's hubconf, or the model zoo's) -> assets -> network.

Every front door builds through :func:`build`: ``hub_plugin.load`` (:func:`load_model`),
``hub-plugin load``, ``export`` (:mod:`hub_plugin.exports.exporter`), and the tasks (``train``, ``eval``,
``predict``), which open their package's code with :func:`package_code`. What to build is a
:class:`LoadRequest` (the name as given, the create_network arguments, and :class:`LoadOptions`);
what was built is a :class:`LoadedModel`.

:func:`build` resolves the card and its route (:mod:`hub_plugin.registry.routes`): the
card's own model package, a package whose ``serves`` rule matches a hub card's ``repo-link``
(:mod:`.hub_cards`), or else the model zoo's own code (:mod:`hub_plugin.zoo.loading`). It checks that
the code is trusted, downloads and verifies the checkpoints (the card's and those of the cards it
``requires``), builds the network and fills it strictly. Filling is the package's business when its
hubconf defines ``load_pretrained(network, checkpoints)`` (SimCLR's does: its classifier needs two
checkpoints); else every parameter is filled from the checkpoints by name with MindSpore's own
loader. The input shape is worked out once, by :func:`.input_shape.model_input_shape`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol

from ..cards.manifest import Manifest
from ..core.settings import Settings, current_settings
from ..errors import DownloadError, HubPluginError
from ..errors import (  # moved to errors.py (issue 26); importable here too
    EntryPointMissing as EntryPointMissing,
)
from ..errors import (
    NoNetwork as NoNetwork,
)
from ..registry.registry import ModelPackage, Registry
from .contract import ENTRY_POINTS

if TYPE_CHECKING:  # the light install and start-up import none of these
    from mindspore.nn import Cell

    from ..core.progress import Progress
    from ..downloads.fetch import FetchedAsset
    from ..downloads.transfer import TransferPolicy
    from ..registry.routes import Route
    from ..zoo.checkout import ZooFolder
    from ..zoo.config_choice import ZooConfig

RegistryArgument = Registry | Sequence[str | os.PathLike[str]] | None


@dataclass(frozen=True)
class LoadOptions:
    """How a request is served: the :class:`~hub_plugin.core.settings.Settings` of the command or
    API call (registries, trust policy, offline, plain http, refresh, verbosity, home and config
    folders: read once, held here, never handed on one by one), and what is per call and not a
    setting: an already opened ``registry`` to search instead of the settings' folders, the
    ``progress`` display and the ``transfer_policy``. ``settings`` defaults to the environment's
    when the options are made."""

    settings: Settings = field(default_factory=current_settings)
    registry: Registry | None = None
    progress: Progress | None = None
    transfer_policy: TransferPolicy | None = None


#: The Python API's keywords that are settings (:meth:`LoadRequest.from_keywords`); ``None`` (or
#: absent) leaves the setting as the :class:`Settings` hold it.
SETTING_KEYWORDS = ("registry", "trust", "offline", "allow_http", "refresh", "verbose")


def settings_with(settings: Settings | None, keywords: Mapping[str, Any]) -> tuple[Settings, Registry | None]:
    """``settings`` (the environment's now when ``None``) with the API keywords of
    :data:`SETTING_KEYWORDS` on top, and the opened :class:`Registry` when ``registry`` is one.

    ``trust`` is a :class:`TrustPolicy` or the ``bool | None`` it replaces (``TrustPolicy.of``);
    ``registry`` folders come before the settings' own; a keyword that is ``None`` changes nothing
    (``offline=False`` given explicitly does turn offline mode off, as it always did)."""
    settings = current_settings(settings)
    given = {k: v for k, v in keywords.items() if k in SETTING_KEYWORDS and v is not None}
    registry = given.pop("registry", None)
    opened = registry if isinstance(registry, Registry) else None
    if registry is not None and opened is None:
        given["registries"] = (*(Path(folder) for folder in registry), *settings.registries)
    for name in ("offline", "allow_http", "refresh", "verbose"):
        if name in given:
            given[name] = bool(given[name])
    return (settings.with_options(**given) if given else settings), opened


@dataclass(frozen=True)
class LoadRequest:
    """What to build: the card ``name`` addresses (a path, card URL, UID or bare name, see
    :meth:`Registry.find`), with ``args`` and ``arguments`` for ``create_network``.

    ``strict_weights=False`` loads the checkpoint entries that match and lists the rest instead of
    failing (see :func:`_load_by_name`); ``zoo_config`` overrides the config file chosen for a card
    built by zoo code (:mod:`hub_plugin.zoo.config_choice`); ``locked`` is a lock file to load
    exactly what it pins (``True``: ``hub-plugin.lock``; :mod:`hub_plugin.lock.verify`)."""

    name: str
    args: tuple[object, ...] = ()
    arguments: Mapping[str, object] = field(default_factory=dict)
    pretrained: bool = True
    strict_weights: bool = True
    device: str | None = None
    zoo_config: str | None = None
    locked: str | os.PathLike[str] | bool | None = None
    options: LoadOptions = field(default_factory=LoadOptions)

    @classmethod
    def from_keywords(
        cls, name: str, *args: object, settings: Settings | None = None, **keywords: Any
    ) -> LoadRequest:
        """The Python API's spelling: the request's fields by keyword, ``settings`` (the
        environment's when ``None``) with the old option keywords (``registry``, ``trust``,
        ``offline``, ``allow_http``, ``refresh``, ``verbose``) on top as overrides
        (:func:`settings_with`), ``progress`` and ``transfer_policy``; every other keyword an
        argument for ``create_network``."""
        own = {f.name for f in fields(cls)} - {"name", "args", "arguments", "options"}
        per_call = {"progress", "transfer_policy"}
        held, registry = settings_with(settings, keywords)
        options = LoadOptions(held, registry, **{k: v for k, v in keywords.items() if k in per_call})
        taken = own | per_call | set(SETTING_KEYWORDS)
        return cls(
            name, tuple(args),
            arguments={k: v for k, v in keywords.items() if k not in taken},
            options=options,
            **{k: v for k, v in keywords.items() if k in own},
        )


@dataclass
class LoadedModel:
    """What :func:`build` did: the network and how it was made."""

    network: Cell
    manifest: Manifest
    route: Route  # how the card was built: its package, a package serving it, or zoo code
    network_name: str
    package: ModelPackage | None = None  # None for a network built by model zoo code
    hubconf: ModuleType | None = None  # the package's hubconf, imported after the trust check
    zoo: ZooFolder | None = None  # the zoo code's folder, for a network built by it
    zoo_config: str | None = None  # the zoo config file handed to zoo code, if any
    assets: list[FetchedAsset] = field(default_factory=list)
    loaded: dict[str, str] = field(default_factory=dict)  # parameter -> checkpoint entry
    ignored: tuple[str, ...] = ()  # checkpoint entries that filled nothing
    missing: tuple[str, ...] = ()  # parameters left unfilled (strict_weights=False only)
    input_shape: tuple[int, ...] | None = None  # batch first, where known (one answer: .input_shape)
    arguments: dict[str, object] = field(default_factory=dict)  # create_network's keyword arguments
    seconds: float = 0.0


@dataclass(frozen=True)
class Filled:
    """What filling a network from checkpoints did."""

    loaded: dict[str, str] = field(default_factory=dict)
    ignored: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class Target:
    """The card a request names, the registry it was found in and the route that builds it."""

    registry: Registry
    manifest: Manifest
    route: Route
    source: str  # the registry root the card came from (for the trust question)


def open_registry(registry: RegistryArgument = None, settings: Settings | None = None) -> Registry:
    """A :class:`Registry` from what the API accepts: one, extra folders, or None (the default),
    with the synced hubs behind it, as ``settings`` (the environment's when ``None``) ask: a hub is
    synced on first use unless offline; with ``refresh``, a hub that follows a branch is synced
    again when it answers a UID."""
    if isinstance(registry, Registry):
        return registry
    held, _ = settings_with(settings, {"registry": registry})
    return _open(LoadOptions(held))


def _open(options: LoadOptions) -> Registry:
    if options.registry is not None:
        return options.registry
    from ..hubs.sync import registry_with_hubs

    settings = options.settings
    return registry_with_hubs(settings.option_registries, settings=settings)


def resolve(request: LoadRequest) -> Target:
    """The card ``request.name`` addresses and its route; nothing is fetched but the hub index."""
    from ..registry.routes import route_for

    registry = _open(request.options)
    entry = registry.find(request.name)
    manifest = registry.read(entry)
    return Target(registry, manifest, route_for(registry, manifest), entry.root.source)


def network_for(
    registry: Registry, manifest: Manifest, route: Route | None = None
) -> tuple[ModelPackage, str, list[Manifest]]:
    """The package, the hubconf network name and the required cards' manifests for a card (a
    package's own card, or a hub card a package serves: ``route``, see :mod:`.hub_cards`)."""
    if route is not None and route.spec is not None and route.package is not None \
            and manifest.package is None:
        from .hub_cards import card_requirements

        return route.package, route.spec.network, card_requirements(registry, manifest)
    if route is not None and route.rule is not None:
        from .hub_cards import required_cards

        if route.network is None:
            raise NoNetwork(f"{route.rule.where} names no network for the card {manifest.name!r}",
                            hint="give the rule a network, or a card whose settings name one")
        return route.rule.package, route.network, required_cards(registry, route, manifest)
    if manifest.package is None:
        from ..registry.routes import could_serve

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



def trusted_hubconf(package: ModelPackage, settings: Settings) -> ModuleType:
    """A package's hubconf module, imported (in its own namespace) after the trust check, by the
    settings' trust policy and the trust store in their config folder."""
    from ..trust.gate import ensure_trusted
    from ..trust.store import TrustStore
    from .hubconf_import import import_hubconf

    code = ensure_trusted(package, settings.trust, store=TrustStore(settings.config))
    if code is None:
        return import_hubconf(package.path)
    return import_hubconf(package.path, code.files, code.scope)




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


def _load_by_name(network: Cell, checkpoints: Sequence[Path], *, strict: bool = True) -> Filled:
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
            from ..checkpoints.weights import unfilled_message

            raise HubPluginError(
                unfilled_message(missing),
                hint="--load-matching (strict_weights=False) loads what matches and lists the rest",
            )
        not_loaded, _ = mindspore.load_param_into_net(network, entries, strict_load=True)
        if not_loaded:
            raise HubPluginError(f"parameters not loaded: {', '.join(not_loaded)}")
        ignored = tuple(sorted(set(entries) - set(parameters)))
        return Filled({name: name for name in parameters}, ignored)
    matching = {name: value for name, value in entries.items()
                if name in parameters and tuple(value.shape) == tuple(parameters[name].shape)}
    mindspore.load_param_into_net(network, matching, strict_load=False)
    unfilled = tuple(name for name in parameters if name not in matching)
    ignored = tuple(sorted(set(entries) - set(matching)))
    return Filled({name: name for name in matching}, ignored, unfilled)


def _fetch_assets(cards: Sequence[Manifest], options: LoadOptions,
                  locked: Mapping[str, str] | None = None) -> list[FetchedAsset]:
    """The verified assets of ``cards``, in order (against the ``locked`` full digests, by link,
    when given); a network failure names the ways forward."""
    from ..downloads.fetch import fetch_manifest

    keywords: dict[str, Any] = {"settings": options.settings, "locked": locked}
    if options.progress is not None:
        keywords["progress"] = options.progress
    if options.transfer_policy is not None:
        keywords["policy"] = options.transfer_policy
    fetched: list[FetchedAsset] = []
    for card in cards:
        try:
            fetched.extend(fetch_manifest(card, **keywords))
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


def _checkpoints(fetched: Sequence[FetchedAsset]) -> list[Path]:
    return [asset.path for asset in fetched if asset.asset.file_format == "ckpt"]


class _Code(Protocol):
    """The code that builds a target's network, once found (and, for a package, trusted)."""

    cards: Sequence[Manifest]  # whose checkpoints the network needs, in order
    package: ModelPackage | None  # the model package's code, or
    hubconf: ModuleType | None
    folder: ZooFolder | None  # the zoo code's
    served_shape: Sequence[int] | None  # a serving package's answer for a hub card
    zoo_choice: ZooConfig | None  # the config handed to zoo code, once chosen

    def create(self, request: LoadRequest) -> tuple[Cell, str, dict[str, object]]:
        """The network, its name and the keyword arguments it was built with."""
        ...

    def fill(self, network: Cell, checkpoints: Sequence[Path], strict: bool) -> Filled:
        """Fill the network from the checkpoints."""
        ...


class _PackageCode:
    """A model package's hubconf: the card's own package, or the package that serves a hub card."""

    def __init__(self, target: Target, request: LoadRequest) -> None:
        from .hub_cards import require_library, served_card

        self.target = target
        package, self.network_name, required = network_for(
            target.registry, target.manifest, target.route)
        require_library(target.route)
        hubconf = trusted_hubconf(package, request.options.settings)
        self.create_network: Callable[..., Any] = hubconf_entry(package, hubconf, "create_network")
        self.package: ModelPackage | None = package
        self.hubconf: ModuleType | None = hubconf
        self.folder: ZooFolder | None = None
        served = served_card(self.hubconf, target.route, target.manifest)
        self.served_arguments = {**served.arguments, **card_arguments(target, request)}
        self.served_shape: Sequence[int] | None = served.input_shape
        self.cards: Sequence[Manifest] = [*required, target.manifest]
        self.zoo_choice: ZooConfig | None = None
        from .network_arguments import check_network_arguments

        check_network_arguments(hubconf, self.network_name, request.arguments, package=package.name)

    def create(self, request: LoadRequest) -> tuple[Cell, str, dict[str, object]]:
        arguments = {**self.served_arguments, **request.arguments}
        network: Cell = self.create_network(self.network_name, *request.args, **arguments)
        return network, self.network_name, arguments

    def fill(self, network: Cell, checkpoints: Sequence[Path], strict: bool) -> Filled:
        from .hub_cards import library_mismatch

        load_pretrained = getattr(self.hubconf, "load_pretrained", None)
        try:
            if callable(load_pretrained):
                report = load_pretrained(network, list(checkpoints))
                return Filled(dict(report.loaded), tuple(report.ignored))
            return _load_by_name(network, checkpoints, strict=strict)
        except HubPluginError as error:
            raise library_mismatch(error, self.target.route) from error


def card_arguments(target: Target, request: LoadRequest) -> dict[str, object]:
    """The ``create_network`` arguments the card's ``network`` field gives (issue 28); an
    argument of the request that contradicts one is an :class:`ArgumentContradictsCard` naming
    both, before anything is downloaded. Without weights (``pretrained=False``) the arguments
    given win: nothing they could contradict is loaded."""
    spec = target.route.spec
    if spec is None:
        return {}
    if not request.pretrained:  # no weights to belong to: the arguments given win
        return dict(spec.arguments)
    from ..cards.network_spec import contradictions
    from ..errors import ArgumentContradictsCard

    wrong = contradictions(spec, request.arguments)
    if wrong:
        raise ArgumentContradictsCard(
            f"{'; '.join(wrong)}: the card {target.manifest.name!r} ({target.manifest.path}) says "
            f"which network its weights belong to",
            hint="leave the argument out: the card's network field sets it")
    return dict(spec.arguments)


class _ZooCode:
    """The model zoo's own code for a card no package serves (:mod:`hub_plugin.zoo.loading`)."""

    def __init__(self, target: Target, request: LoadRequest, commit: str | None = None) -> None:
        from ..zoo.loading import fetch_zoo_folder

        self.target = target
        self.package: ModelPackage | None = None
        self.hubconf: ModuleType | None = None
        # at ``commit`` (a lock file's) rather than where the card's ref points now
        self.checkout = fetch_zoo_folder(target.manifest, request.options.settings, commit=commit)
        self.folder: ZooFolder | None = self.checkout
        if request.pretrained and not target.manifest.assets:
            raise NoNetwork(f"the card {target.manifest.name!r} names no checkpoint to load",
                            hint="load it with --no-pretrained (pretrained=False)")
        self.cards: Sequence[Manifest] = [target.manifest]
        self.served_shape: Sequence[int] | None = None
        self.zoo_choice: ZooConfig | None = None

    def create(self, request: LoadRequest) -> tuple[Cell, str, dict[str, object]]:
        from ..registry.routes import could_serve
        from ..zoo.config_choice import card_config
        from ..zoo.loading import NoZooEntryPoint, zoo_network

        manifest = self.target.manifest
        # after the device is chosen: the config depends on it
        config, class_count = card_config(self.checkout.path, manifest, request.zoo_config)
        self.zoo_choice = config
        arguments = dict(request.arguments)
        try:
            built = zoo_network(manifest, self.checkout, request.args, arguments,
                                settings=request.options.settings, source=self.target.source,
                                argv=["--config_path", str(config.path)] if config else [],
                                class_count=class_count)
        except NoZooEntryPoint as error:
            offered = could_serve(self.target.registry, manifest)
            if not offered:
                raise
            raise NoZooEntryPoint(error.message, hint=f"the model package {', '.join(offered)} may "
                                  f"build it: hub-plugin load {offered[0]}") from error
        network: Cell = built.network
        return network, built.model_name, arguments

    def fill(self, network: Cell, checkpoints: Sequence[Path], strict: bool) -> Filled:
        return _load_by_name(network, checkpoints, strict=strict)


def build(request: LoadRequest) -> LoadedModel:
    """Build the network of the card ``request.name`` and, if ``pretrained``, fill it with its
    verified checkpoints (and those of the cards it requires): the one build path of every front
    door (see the module docstring). Raises the registry's, the assets' and the code's typed
    errors; see the README."""
    from .input_shape import model_input_shape

    started = time.perf_counter()
    lock_file = request.locked if request.locked is not None and request.locked is not False else None
    target = resolve(request) if lock_file is None else None
    if request.device is not None:  # checks before work: the device, then the trust and the
        from .device import use_device  # arguments (in the code's __init__), then downloads

        use_device(request.device)
    pins, zoo_commit = None, None
    if lock_file is not None:  # the locked card, code and digests; any other drift stops
        from dataclasses import replace

        from ..lock.verify import locked_load

        locked = locked_load(request.name, lock_file,
                             request.options.settings, builds=True, registry=request.options.registry)
        pins, zoo_commit = locked.pins, locked.zoo_commit
        target = resolve(replace(request, options=replace(request.options, registry=locked.registry)))
    assert target is not None
    code: _Code = (_ZooCode(target, request, zoo_commit) if target.route.kind == "zoo"
                   else _PackageCode(target, request))
    fetched = _fetch_assets(code.cards, request.options, pins) if request.pretrained else []
    network, network_name, arguments = code.create(request)
    filled = (code.fill(network, _checkpoints(fetched), request.strict_weights)
              if request.pretrained else Filled())
    config = code.zoo_choice
    return LoadedModel(
        network=network, manifest=target.manifest, route=target.route, network_name=network_name,
        package=code.package, hubconf=code.hubconf, zoo=code.folder,
        zoo_config=f"{config.relative} ({config.reason})" if config else None,
        assets=fetched, loaded=filled.loaded, ignored=filled.ignored, missing=filled.missing,
        input_shape=model_input_shape(target.route, target.manifest.fields,
                                      served=code.served_shape, zoo_config=config),
        arguments=arguments, seconds=time.perf_counter() - started,
    )


def load_model(name: str, *args: object, **keywords: Any) -> LoadedModel:
    """:func:`build` for a request spelled as keywords (:meth:`LoadRequest.from_keywords`):
    ``pretrained``, ``strict_weights``, ``device``, ``zoo_config``, ``settings`` and the setting
    keywords on top of them (``registry``, ``trust``, ``offline``, ``allow_http``, ``refresh``,
    ``verbose``), ``progress``, ``transfer_policy``; every other keyword, and ``args``, go to
    ``create_network``."""
    return build(LoadRequest.from_keywords(name, *args, **keywords))


def package_code(request: LoadRequest) -> tuple[ModelPackage, ModuleType]:
    """The model package ``request.name`` and its hubconf, imported after the trust check: what
    ``train``, ``eval`` and ``predict`` run, found and trusted as :func:`build` finds and trusts
    a package."""
    package = _open(request.options).package(request.name)
    return package, trusted_hubconf(package, request.options.settings)


@dataclass(frozen=True)
class CardTask:
    """A task run for a card that says what builds it (``hub-plugin predict UID``, issue 28):
    the package its ``network`` field names, its hubconf (trusted), and the verified checkpoints
    of the cards it requires and of the card itself, in that order."""

    package: ModelPackage
    hubconf: ModuleType
    manifest: Manifest
    network: str
    arguments: Mapping[str, object]
    checkpoints: tuple[Path, ...]


def card_task(request: LoadRequest) -> CardTask | None:
    """The :class:`CardTask` of ``request.name`` when it names a card whose ``network`` field
    says what builds it (not a package name); ``None`` otherwise. The checkpoints are fetched
    (from the cache when offline) after the trust check."""
    registry = _open(request.options)
    if any(package.name == request.name for package in registry.packages()):
        return None
    try:
        target = resolve(request)
    except HubPluginError:
        return None
    spec = target.route.spec
    if spec is None or target.route.package is None:
        return None
    package, network, required = network_for(target.registry, target.manifest, target.route)
    hubconf = trusted_hubconf(package, request.options.settings)
    fetched = _fetch_assets([*required, target.manifest], request.options)
    return CardTask(package, hubconf, target.manifest, network, dict(spec.arguments),
                    tuple(_checkpoints(fetched)))


@dataclass(frozen=True)
class ForwardPass:
    """One forward pass on a dummy batch: its input shape, the first output's shape, the time."""

    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    seconds: float


def forward_once(loaded: LoadedModel, batch_size: int | None = None) -> ForwardPass | None:
    """Run ``loaded``'s network once, in inference mode, on a seeded batch of its input shape
    (``batch_size`` replacing the batch); ``None`` when no input shape is known."""
    from .input_shape import with_batch

    if loaded.input_shape is None:
        return None
    shape = with_batch(loaded.input_shape, batch_size)
    import mindspore
    import numpy as np

    loaded.network.set_train(False)
    batch = mindspore.Tensor(np.random.default_rng(0).uniform(0, 255, shape).astype(np.float32))
    started = time.perf_counter()
    output = loaded.network(batch)
    first = output[0] if isinstance(output, tuple | list) else output
    first.asnumpy()
    return ForwardPass(shape, tuple(int(d) for d in first.shape), time.perf_counter() - started)


