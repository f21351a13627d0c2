"""The registry: where cards and model packages are found, and which card a name means.

:mod:`.registry` searches the bundled ``models/``, ``--registry`` folders, ``HUB_PLUGIN_REGISTRY``,
plugins and the synced hubs (its records, :class:`Root` and :class:`CardEntry`, are in
:mod:`.entries`); :mod:`.routes` says what builds a card's network (its package, a package serving
it, or the model zoo's code); :mod:`.card_url` accepts MindSpore Hub's card URLs as names. It
imports the core, the errors, :mod:`hub_plugin.cards`, :mod:`hub_plugin.validation` (to read a
card) and :mod:`hub_plugin.hubs` (a UID in the synced hubs); never MindSpore.
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
