"""hub-plugin: publish, validate, fetch and run models from a MindSpore-style model hub.

The public API (see the README): :func:`load`, :func:`list_models`, :func:`info`,
:func:`validate`, :func:`download`, :func:`export`, and the typed errors. Importing it never imports
MindSpore.
"""

from __future__ import annotations

from ._version import __version__
from .api import download, export, info, list_models, load, validate
from .assets.git_transport import GitError
from .assets.zoo_checkout import ZooCodeMissing
from .errors import (
    AmbiguousName,
    CacheError,
    CardError,
    DownloadError,
    HubPluginError,
    IntegrityError,
    LinkRefused,
    ModelNotFound,
    OfflineError,
    RegistryError,
    UsageError,
)
from .registry.hubs import HubError, HubNotSynced
from .registry.manifest import Asset, Manifest
from .runtime.export_errors import ExportMismatch
from .runtime.extras import MissingDependency
from .runtime.loading import EntryPointMissing, NoNetwork
from .runtime.trust import UntrustedCode
from .runtime.zoo_failures import ZooCodeError
from .runtime.zoo_loading import NoZooEntryPoint

__all__ = [
    "AmbiguousName",
    "Asset",
    "CacheError",
    "CardError",
    "DownloadError",
    "EntryPointMissing",
    "ExportMismatch",
    "GitError",
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
    "RegistryError",
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
    "validate",
]
