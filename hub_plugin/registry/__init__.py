"""The registry layer: reading model cards, validating them, finding cards and model packages.

One folder per concept, and the modules that join them:

* :mod:`.cards`: a card's text, its typed :class:`Manifest`, its ``repo-link`` and asset links;
* :mod:`.validation`: the schema profiles, the checks, the reports, ``--changed-since``;
* :mod:`.hubs`: hubs (git repositories of cards), their snapshots and index, finding a UID;
* :mod:`.registry` finds cards and model packages in the bundled folder, extra folders, plugins and
  hubs (its records, :class:`Root` and :class:`CardEntry`, are in :mod:`.entries`);
* :mod:`.contract` declares the model-package contract (the hubconf hooks, what is a network);
  :mod:`.hubconf_reader` reads what a hubconf offers with ``ast``, never running it;
* :mod:`.files`: where hub-plugin's own files are (the bundled registry, the schemas, the config
  folder), writing them atomically, and joining untrusted relative paths inside their root.

This layer imports nothing above it (no assets, no runtime, no MindSpore).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what type checkers see; at run time each name loads on first use
    from .entries import CardEntry
    from .registry import ModelPackage, Registry

#: Where each name lives: loaded when first used (PEP 562), so that importing one module of
#: this package does not import them all (which would be a circular import).
_EXPORTS: dict[str, str] = {
    "CardEntry": ".entries",
    "ModelPackage": ".registry",
    "Registry": ".registry",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


__all__ = ["CardEntry", "ModelPackage", "Registry"]
