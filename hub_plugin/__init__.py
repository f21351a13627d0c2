"""hub-plugin: publish, validate, fetch and run models from a MindSpore-style model hub.

The public API (see the README): :func:`load`, :func:`list_models`, :func:`info`,
:func:`validate`, :func:`download`, :func:`export`, :func:`publish`, the :class:`Settings` they take
(``settings=``; the environment's when not given) with its :class:`TrustPolicy`, and the typed errors.
Importing it never imports MindSpore, nor any module before one of its names is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:  # what type checkers and editors see; at run time each name loads on first use
    from .api import download, export, info, list_models, load, publish, validate
    from .cards.manifest import Asset, Manifest
    from .core.settings import Settings, TrustPolicy
    from .errors import (
        AmbiguousName,
        CacheError,
        CardError,
        DownloadError,
        EntryPointMissing,
        ExportMismatch,
        GitError,
        HubChangeError,
        HubError,
        HubNotSynced,
        HubPluginError,
        IntegrityError,
        LinkRefused,
        MissingDependency,
        ModelNotFound,
        NoNetwork,
        NoZooEntryPoint,
        OfflineError,
        PublicLinkMismatch,
        QuantizationMismatch,
        RegistryError,
        S3Error,
        UntrustedCode,
        UsageError,
        ZooCodeError,
        ZooCodeMissing,
    )

#: Where each public name lives. ``import hub_plugin`` loads none of these modules: a name is
#: imported when first used (PEP 562), so the command line and ``import hub_plugin`` start fast
#: and the light install never reaches a module it does not need.
_EXPORTS: dict[str, str] = {
    "AmbiguousName": ".errors",
    "Asset": ".cards.manifest",
    "CacheError": ".errors",
    "CardError": ".errors",
    "DownloadError": ".errors",
    "EntryPointMissing": ".errors",
    "ExportMismatch": ".errors",
    "GitError": ".errors",
    "HubChangeError": ".errors",
    "HubError": ".errors",
    "HubNotSynced": ".errors",
    "HubPluginError": ".errors",
    "IntegrityError": ".errors",
    "LinkRefused": ".errors",
    "Manifest": ".cards.manifest",
    "MissingDependency": ".errors",
    "ModelNotFound": ".errors",
    "NoNetwork": ".errors",
    "NoZooEntryPoint": ".errors",
    "OfflineError": ".errors",
    "PublicLinkMismatch": ".errors",
    "QuantizationMismatch": ".errors",
    "RegistryError": ".errors",
    "S3Error": ".errors",
    "Settings": ".core.settings",
    "TrustPolicy": ".core.settings",
    "UntrustedCode": ".errors",
    "UsageError": ".errors",
    "ZooCodeError": ".errors",
    "ZooCodeMissing": ".errors",
    "download": ".api",
    "export": ".api",
    "info": ".api",
    "list_models": ".api",
    "load": ".api",
    "publish": ".api",
    "validate": ".api",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "AmbiguousName",
    "Asset",
    "CacheError",
    "CardError",
    "DownloadError",
    "EntryPointMissing",
    "ExportMismatch",
    "GitError",
    "HubChangeError",
    "HubError",
    "HubNotSynced",
    "HubPluginError",
    "IntegrityError",
    "LinkRefused",
    "Manifest",
    "MissingDependency",
    "ModelNotFound",
    "NoNetwork",
    "NoZooEntryPoint",
    "OfflineError",
    "PublicLinkMismatch",
    "QuantizationMismatch",
    "RegistryError",
    "S3Error",
    "Settings",
    "TrustPolicy",
    "UntrustedCode",
    "UsageError",
    "ZooCodeError",
    "ZooCodeMissing",
    "__version__",
    "download",
    "export",
    "info",
    "list_models",
    "load",
    "publish",
    "validate",
]
