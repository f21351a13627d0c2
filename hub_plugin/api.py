"""The Python API: the same jobs as the command line, as calls that return data or raise.

>>> import hub_plugin
>>> hub_plugin.list_models()[:2]
['simclr_encoder_cifar10', 'simclr_linearclassifier_cifar10']
>>> net = hub_plugin.load("simclr")                       # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .registry.manifest import Manifest
from .registry.report import ValidationReport
from .registry.schema_profiles import Profile
from .registry.validation import validate_paths
from .runtime.loading import RegistryArgument, load_model, open_registry

if TYPE_CHECKING:
    from .runtime.export import ExportResult


def list_models(registry: RegistryArgument = None) -> list[str]:
    """The address of every card of every registry (UID where there is one, else the file stem)."""
    return [entry.address for entry in open_registry(registry).cards()]


def info(name: str, *, registry: RegistryArgument = None) -> Manifest:
    """The validated manifest of the card ``name`` addresses."""
    return open_registry(registry).resolve(name)


def validate(paths: Iterable[str | os.PathLike[str]], *, profile: Profile = "strict") -> ValidationReport:
    """Validate cards (files, or folders searched recursively); see :class:`ValidationReport`."""
    return validate_paths(paths, profile)


def download(
    name: str,
    *,
    registry: RegistryArgument = None,
    offline: bool | None = None,
    allow_http: bool = False,
) -> list[Path]:
    """Download and verify the assets of the card ``name``; their local paths, in card order."""
    from .assets import fetch_manifest

    manifest = open_registry(registry).resolve(name)
    return [fetched.path for fetched in fetch_manifest(manifest, offline=offline, allow_http=allow_http)]


def load(
    name: str,
    *,
    pretrained: bool = True,
    registry: RegistryArgument = None,
    device: str | None = None,
    trust: bool | None = None,
    **kwargs: Any,
) -> Any:
    """A ready ``mindspore.nn.Cell``: the network of the card ``name`` with its verified weights.

    ``pretrained=False`` builds it without weights; ``device`` is ``cpu``, ``gpu`` or ``ascend``;
    ``trust=True`` runs a model package from outside the bundled registry without asking;
    ``kwargs`` go to the package's ``create_network``.
    """
    return load_model(
        name, pretrained=pretrained, registry=registry, device=device, trust=trust, **kwargs
    ).network


def export(
    name: str,
    *,
    format: str,
    output: str | os.PathLike[str] = ".",
    batch_size: int | None = None,
    pretrained: bool = True,
    registry: RegistryArgument = None,
    device: str | None = None,
    trust: bool | None = None,
    **kwargs: Any,
) -> ExportResult:
    """Export the network of the card ``name`` to ``format`` (``mindir``, ``onnx``, ``air``), checked.

    Builds it as :func:`load` does, exports it for its declared input shape (``batch_size``
    replaces the batch) into ``output``, checks the file by a round trip and writes a card beside
    it. Returns an :class:`~hub_plugin.runtime.export.ExportResult`: ``path``, ``card_path``,
    ``card`` (the card's manifest) and ``check`` (the round trip's ``max_abs`` and ``max_rel``).
    ``kwargs`` go to ``create_network`` (and ``tolerance``, ``asset_base_url``, ``offline`` to the
    export). Raises ``ExportMismatch`` (the file deleted) when the file does not reproduce the network.
    """
    from .runtime.export import export_model

    return export_model(
        name, format=format,  # type: ignore[arg-type]  # checked there, with the known formats
        output=output, batch_size=batch_size, pretrained=pretrained, registry=registry,
        device=device, trust=trust, **kwargs,
    )
