"""Importing a model package (a folder with a ``hubconf.py``) under a namespace of its own.

MindSpore Hub imports every ``hubconf.py`` with the model's folder on ``sys.path``, so two packages
that both have a ``src`` or ``utils`` module collide in one process. Here each package is imported as
``hub_plugin_models.<name>``: its modules use relative imports (``from .network import SimCLR``) and
live in their own namespace, whatever the folder next door calls its modules.

A package needs no ``__init__.py`` (the README never asks for one): a folder without it is
imported as a namespace package, and its modules' relative imports (``from .network import
SimCLR``) work the same; ``list``, ``info``, ``trust add`` and ``load`` take the same folders, those
with a ``hubconf.py`` or a ``package.yaml`` (:mod:`hub_plugin.registry.registry`; issue 28, item 5).

Every module of the package is imported through
:class:`~hub_plugin.trust.verified_import.VerifiedFinder`, the one importer of untrusted
code: from its source bytes, with no bytecode read, and, for a package from outside the bundled
registry, checked against the listing trust was checked with (``listing``), also for a module
imported lazily later and for one its code finds through ``sys.path`` (a hubconf that appends its
own folder and imports ``helpers``).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import re
import sys
import types
from collections.abc import Mapping
from pathlib import Path

from ..errors import (  # moved to errors.py (issue 26); importable here too
    PackageImportError as PackageImportError,
)

NAMESPACE = "hub_plugin_models"
_IDENTIFIER = re.compile(r"[^0-9A-Za-z_]")


def _folder_of(module: types.ModuleType) -> Path:
    return Path(module.__file__ or "").resolve().parent


def module_name(folder: Path) -> str:
    """The namespaced module name of the package in ``folder``: ``hub_plugin_models.simclr``.

    A second, different folder of the same name (another registry's ``simclr``) gets the name with
    a short digest of its path, ``hub_plugin_models.simclr_3fa2b1c0``, so both live in one process.
    """
    folder = Path(folder).resolve()
    ident = _IDENTIFIER.sub("_", folder.name)
    if ident[:1].isdigit():
        ident = "_" + ident
    name = f"{NAMESPACE}.{ident}"
    existing = sys.modules.get(name)
    if existing is None or _folder_of(existing) == folder:
        return name
    return f"{name}_{hashlib.sha256(str(folder).encode()).hexdigest()[:8]}"


def _namespace() -> types.ModuleType:
    root = sys.modules.get(NAMESPACE)
    if root is None:
        root = types.ModuleType(NAMESPACE, "Model packages imported by hub-plugin.")
        root.__path__ = []
        sys.modules[NAMESPACE] = root
    return root


def import_package(folder: Path, listing: Mapping[str, str] | None = None,
                   scope: Path | None = None) -> types.ModuleType:
    """Import the model package in ``folder`` (once per folder) and return it; with ``listing``
    (``{path relative to scope: sha256}``), every module is checked against it when imported.

    A folder without ``__init__.py`` is a namespace package (see the module docstring). Raises
    :class:`PackageImportError` when ``folder`` is not a folder.
    """
    from ..trust.verified_import import register_source, verified_finder

    folder = Path(folder).resolve()
    name = module_name(folder)
    existing = sys.modules.get(name)
    if existing is not None:
        source = verified_finder().registered(name)
        if listing is None or (source is not None and source.listing == dict(listing)):
            return existing
        for stale in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            del sys.modules[stale]  # the code trust was given for now is not what was imported
    if not folder.is_dir():
        raise PackageImportError(f"{folder} is not a model package: it is not a folder")
    _namespace()
    register_source(name, folder, scope=scope, listing=listing)
    spec = verified_finder().find_spec(name)
    if spec is None:
        raise PackageImportError(f"cannot import the model package in {folder}")
    namespace = spec.loader is None  # no __init__.py: nothing of the package itself runs
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    if not namespace and spec.loader is not None:
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[name]
            raise
    return module


def import_hubconf(folder: Path, listing: Mapping[str, str] | None = None,
                   scope: Path | None = None) -> types.ModuleType:
    """Import ``hubconf.py`` of the model package in ``folder`` (see :func:`import_package`)."""
    package = import_package(folder, listing, scope)
    return importlib.import_module(f"{package.__name__}.hubconf")
