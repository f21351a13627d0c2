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
from typing import Any

from .registry.manifest import Manifest
from .registry.report import ValidationReport
from .registry.schema_profiles import Profile
from .registry.validation import validate_paths
from .runtime.loading import RegistryArgument, load_model, open_registry


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
    ``kwargs`` go to the package's ``create_network``. Without MindSpore (the light install) it
    raises :class:`~hub_plugin.runtime.extras.MissingDependency`, naming the ``pip install``.
    """
    from .runtime.extras import require

    require("mindspore", "hub_plugin.load()", "mindspore")
    return load_model(
        name, pretrained=pretrained, registry=registry, device=device, trust=trust, **kwargs
    ).network
