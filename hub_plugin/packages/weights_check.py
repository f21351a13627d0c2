"""``validate --check-weights``: each card's checkpoints against its network's parameters (issue 29).

For every valid card of a report: the card's route and network are found as ``load`` finds them
(:func:`.loading.resolve`, :func:`.loading.network_for`), the checkpoints of the cards it requires
and its own are fetched and verified through the cache (:func:`~..downloads.fetch.fetch_manifest`,
as ``--verify-assets`` does; offline: from the cache), read by the light reader, and judged by
:func:`~..checkpoints.weights.compare_weights` as ``load``'s strict fill judges them.

The network's parameters come from the model package's declared list when it has one for that
network and those arguments (``package.yaml``'s ``parameters``: no MindSpore), else from the
network itself, built as ``load --no-pretrained`` builds it (:func:`.loading.build`: MindSpore).
When neither is possible (no list, no MindSpore) the card gets one warning ``weights/unchecked``;
a card whose checkpoints cannot be fetched or read, or whose network cannot be built, gets an error
``weights/unchecked``. No network at all stops the run (:class:`~hub_plugin.errors.NoNetworkAccess`,
exit 2), as for ``--verify-assets``.

:func:`write_parameter_lists` (MindSpore) generates a package's lists from its networks.
"""

from __future__ import annotations

import dataclasses
import importlib.util
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..cards.asset_link import CardOrigin
from ..cards.card import Defect
from ..cards.manifest import Manifest
from ..checkpoints.reader import Tensor
from ..checkpoints.weights import (
    MISSING,
    PARAMETERS_KEY,
    SHAPE,
    UNCHECKED,
    Parameter,
    ParameterList,
    compare_weights,
    match_messages,
    parameter_list_path,
    parameter_list_text,
    read_parameter_list,
)
from ..core.settings import Settings
from ..errors import HubPluginError, NoNetworkAccess
from ..registry.registry import ModelPackage

if TYPE_CHECKING:
    from mindspore.nn import Cell

    from ..downloads.transfer import TransferPolicy
    from ..registry.routes import Route
    from ..validation.report import FileReport, ValidationReport
    from .loading import LoadRequest


def declared_parameters(package: ModelPackage, network: str,
                        arguments: Mapping[str, object]) -> ParameterList | None:
    """The package's declared parameter list of ``network`` built with ``arguments`` (any of its
    cards' lists made with that network and the same arguments, the network function's literal
    defaults filling those not given: :func:`.hubconf_reader.network_defaults`), if any."""
    pattern = package.settings.get(PARAMETERS_KEY)
    cards = package.settings.get("cards")
    if not isinstance(pattern, str) or not isinstance(cards, Mapping):
        return None
    from .hubconf_reader import network_defaults

    defaults = network_defaults(package.hubconf, network)
    wanted = {**defaults, **arguments}
    for card in cards:
        path = parameter_list_path(package.path, pattern, card)
        if path.is_file():
            listed = read_parameter_list(path)
            if listed.network == network and {**defaults, **listed.arguments} == wanted:
                return listed
    return None


def network_parameters(network: Cell) -> tuple[Parameter, ...]:
    """A built network's parameters, in ``parameters_and_names()`` order (MindSpore)."""
    return tuple(Parameter(parameter.name, tuple(int(d) for d in parameter.shape),
                           _dtype_name(parameter.dtype))
                 for _, parameter in network.parameters_and_names())


def _dtype_name(dtype: Any) -> str:
    """MindSpore's dtype as a checkpoint names it (``tensor_type``: ``Float32``, ``BFloat16``)."""
    from mindspore.train.serialization import tensor_to_ms_type

    wanted = str(dtype)
    for name, value in tensor_to_ms_type.items():
        if str(value) == wanted:
            return str(name)
    return wanted


def check_weights(report: ValidationReport, settings: Settings, *,
                  policy: TransferPolicy | None = None) -> None:
    """Check the weights of every valid card of ``report`` and file what was found."""
    for file in report.files:
        if file.manifest is None:
            continue
        for defect in _check_card(file, settings, policy):
            file.add(defect)


def _check_card(file: FileReport, settings: Settings, policy: TransferPolicy | None) -> list[Defect]:
    from .loading import LoadOptions, LoadRequest, network_for, resolve

    request = LoadRequest(file.path, pretrained=False, options=LoadOptions(settings))
    try:
        target = resolve(request)
        if not target.manifest.assets:
            return [_defect(file, UNCHECKED, "warning", "the card names no checkpoint to check")]
        route, listed, own_fill = target.route, None, False
        required: Sequence[Manifest] = ()
        if route.kind != "zoo":
            package, network_name, required = network_for(target.registry, target.manifest, route)
            own_fill = _fills_its_own_weights(package)
            arguments = _arguments(route, package)
            if arguments is not None:
                listed = declared_parameters(package, network_name, arguments)
        if listed is None and importlib.util.find_spec("mindspore") is None:
            built_by = ("its network is built by model zoo code" if route.kind == "zoo" else
                        f"the package {package.name!r} declares no parameter list for its network")
            return [_defect(file, UNCHECKED, "warning",
                            f"{built_by} and MindSpore is not installed: install it to check the weights")]
        tensors = _tensors([*required, target.manifest], settings, policy)
        if listed is not None:
            parameters: Sequence[Parameter] = listed.parameters
        else:
            parameters = _built_parameters(request)
    except NoNetworkAccess:  # the runner's failure, not the card's: the run stops (exit 2)
        raise
    except HubPluginError as error:
        return [_defect(file, UNCHECKED, "error", f"the weights could not be checked: {error}")]
    return [_defect(file, rule, "error" if rule in (MISSING, SHAPE) else "warning",
                    message) for rule, message in match_messages(
                        compare_weights(parameters, tensors, own_fill=own_fill))]


def _fills_its_own_weights(package: ModelPackage) -> bool:
    """Whether the package's hubconf has the ``load_pretrained`` hook (read, never run)."""
    from .contract import LOAD_PRETRAINED
    from .hubconf_reader import read_offer

    return any(hook.name == LOAD_PRETRAINED for hook in read_offer(package.hubconf).hooks)


def _arguments(route: Route, package: ModelPackage) -> Mapping[str, object] | None:
    """The ``create_network`` arguments ``load`` builds the card with, when known without running
    the package's code: the card's ``network`` field's, else none (``None`` for a hub card served
    by a package whose hubconf has a ``serve_hub_card`` hook: its answer gives them)."""
    from .contract import SERVE_HUB_CARD
    from .hubconf_reader import read_offer

    if route.spec is not None:
        return route.spec.arguments
    if route.rule is not None and any(hook.name == SERVE_HUB_CARD
                                      for hook in read_offer(package.hubconf).hooks):
        return None
    return {}


def _built_parameters(request: LoadRequest) -> tuple[Parameter, ...]:
    """The parameters of the network built as ``load --no-pretrained`` builds it (MindSpore); what
    the package's code raises is one line, never a traceback."""
    from .loading import build

    try:
        return network_parameters(build(request).network)
    except HubPluginError:
        raise
    except Exception as error:  # the package's own code: any error it raises
        raise HubPluginError(f"building the network failed: {type(error).__name__}: {error}") from error


def _tensors(cards: Iterable[Manifest], settings: Settings, policy: TransferPolicy | None) -> list[Tensor]:
    """The tensors of every checkpoint of ``cards``, in order, fetched and verified (only network
    links are followed, as for every card being checked)."""
    from ..checkpoints.check import check_checkpoint, is_checkpoint_name
    from ..downloads.fetch import fetch_manifest

    tensors: list[Tensor] = []
    for card in cards:
        checked = dataclasses.replace(card, origin=CardOrigin.checked(Path(card.path or card.name)))
        keywords: dict[str, Any] = {"settings": settings}
        if policy is not None:
            keywords["policy"] = policy
        for fetched in fetch_manifest(checked, **keywords):
            if fetched.asset.file_format == "ckpt" or is_checkpoint_name(fetched.asset.file_name):
                tensors.extend(check_checkpoint(fetched.path, shown_as=fetched.asset.link).tensors)
    return tensors


def _defect(file: FileReport, rule: str, severity: Any, message: str) -> Defect:
    position = file.positions.get("/asset/0/asset-link") or file.positions.get("/asset")
    return Defect(file.path, position.line if position else None,
                  position.column if position else None, rule, message,
                  "/asset/0/asset-link" if position else "", severity)


def write_parameter_lists(package_path: str | Path, *, settings: Settings | None = None) -> list[Path]:
    """Generate (MindSpore) the parameter list of every card of the package at ``package_path``,
    from the network each card names, built as ``load --no-pretrained`` builds it with the card's
    ``network`` arguments; ``package.yaml`` must declare ``parameters``. Returns the files written."""
    from ..core.yamlio import load_mapping
    from .loading import LoadOptions, LoadRequest, build

    folder = Path(package_path)
    package_settings = load_mapping(folder / "package.yaml")
    pattern = package_settings.get(PARAMETERS_KEY)
    if not isinstance(pattern, str):
        raise HubPluginError(f"{folder / 'package.yaml'} declares no '{PARAMETERS_KEY}'")
    options = LoadOptions(settings) if settings is not None else LoadOptions()
    written = []
    for card in sorted(package_settings.get("cards") or {}):
        loaded = build(LoadRequest(str(folder / f"{card}.md"), pretrained=False, options=options))
        spec = loaded.route.spec
        listed = ParameterList(loaded.network_name, dict(spec.arguments) if spec else {},
                               network_parameters(loaded.network))
        path = parameter_list_path(folder, pattern, card)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(parameter_list_text(listed), encoding="utf-8")
        written.append(path)
    return written


__all__ = ["check_weights", "declared_parameters", "network_parameters", "write_parameter_lists"]
