"""hub-plugin: publish, validate, fetch and run models from a MindSpore-style model hub."""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import (
    AmbiguousName,
    CardError,
    HubPluginError,
    ModelNotFound,
    RegistryError,
    UsageError,
)

__all__ = [
    "AmbiguousName",
    "CardError",
    "HubPluginError",
    "ModelNotFound",
    "RegistryError",
    "UsageError",
    "__version__",
]
