"""Importing a model zoo folder's code in isolation: a private namespace per repository, commit and
folder, and a shielded ``sys.argv``, ``sys.path`` and working directory.

Zoo code is written to be run from its folder: ``mindspore_hub_conf.py`` says ``from src.resnet
import resnet50``, and ``src`` is the folder's own package. MindSpore Hub puts the folder on
``sys.path``, so the second zoo model in a process gets the first one's ``src``. Here:

- the folder is the package ``hub_plugin_zoo.<key>`` (``key`` from the repository, commit and
  folder), and its entry point is imported as ``hub_plugin_zoo.<key>.mindspore_hub_conf``;
- while the folder's code imports and runs (:func:`zoo_scope`), the one importer of untrusted code
  (:class:`~hub_plugin.trust.verified_import.VerifiedFinder`, first on ``sys.meta_path``)
  answers for the folder's own top-level names (``src``, ``model_utils``, ``config.py``, ...):
  ``import src.resnet`` returns ``hub_plugin_zoo.<key>.src.resnet``. Modules of those names that
  were already imported (another folder's ``src``, the caller's ``utils``) are set aside for the
  scope and put back after it, so each folder sees only its own;
- a module the folder's code finds through ``sys.path`` (``sys.path.append(<folder>/src)`` then
  ``import lenet``) is answered by the same finder from its hashed source, and dropped from
  ``sys.modules`` after the scope, so that the next folder's ``import lenet`` gets its own;
- ``sys.argv`` is ``[<entry point>]`` (zoo config modules call argparse at import and must see no
  arguments of the caller's), the working directory is the folder (zoo code opens
  ``default_config.yaml`` by relative path), ``sys.path`` is restored to what it was (some zoo code
  appends to it), and no ``__pycache__`` is written into the read-only cache.

Every module of the folder, whatever ``sys.path`` says, is imported from its source bytes, checked
against the listing taken when trust was checked, with no bytecode read or written
(:mod:`hub_plugin.trust.verified_import`); and an import of one of the folder's own names
run after the scope (a lazy ``from src.utils import x`` inside ``create_network``'s network) still
gets the folder's module, never the caller's ``src`` on ``sys.path``.

After the scope the modules live on under their private names only.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.machinery
import importlib.util
import os
import sys
import threading
import types
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from ..trust.verified_import import TrustedSource, loaded_from, register_source, verified_finder

NAMESPACE = "hub_plugin_zoo"
#: The scope changes process-wide state (sys.modules, sys.argv, the working directory): one at a time.
_ONE_SCOPE = threading.RLock()


def zoo_key(repository: str, commit: str, folder: str) -> str:
    """The private package name's last part for one folder at one commit of one repository."""
    digest = hashlib.sha256(f"{repository}\n{commit}\n{folder}".encode()).hexdigest()[:16]
    tail = "".join(c if c.isalnum() else "_" for c in (folder.rsplit("/", 1)[-1] or "root"))
    return f"{tail}_{digest}"


def top_level_names(folder: Path) -> frozenset[str]:
    """The module and package names a folder offers at its top: ``src``, ``model_utils``, ..."""
    names = set()
    for entry in folder.iterdir():
        if entry.name.startswith(".") or entry.name == "__pycache__":
            continue
        if entry.is_file() and entry.suffix == ".py" and entry.stem.isidentifier():
            names.add(entry.stem)
        elif entry.is_dir() and entry.name.isidentifier():
            names.add(entry.name)
    return frozenset(names)


def _package(name: str, folder: Path, listing: Mapping[str, str] | None,
             names: frozenset[str]) -> TrustedSource:
    source = register_source(name, folder, listing=listing, own_names=names)
    if NAMESPACE not in sys.modules:
        root = types.ModuleType(NAMESPACE, "Model zoo folders imported by hub-plugin.")
        root.__path__ = []
        sys.modules[NAMESPACE] = root
    if name not in sys.modules:
        spec = importlib.machinery.ModuleSpec(name, None, is_package=True)
        spec.submodule_search_locations = [str(folder)]
        package = importlib.util.module_from_spec(spec)
        package.__path__ = [str(folder)]
        sys.modules[name] = package
    return source


def _found_through_sys_path(package: str) -> list[str]:
    """The modules of the folder registered as ``package`` imported under a name outside its
    namespace (``lenet``, found through a ``sys.path.append(<folder>/src)``)."""
    return [name for name, module in list(sys.modules.items())
            if not (name == package or name.startswith(package + "."))
            and loaded_from(module) == package]


@contextlib.contextmanager
def zoo_scope(folder: Path, key: str, entry_point: str,
              listing: Mapping[str, str] | None = None, argv: Sequence[str] = ()) -> Iterator[str]:
    """Run the body with ``folder``'s code importable in isolation; yields the private package name
    (import ``<name>.<entry point stem>``). ``listing`` (``{relative path: sha256}``) is what each
    module must match; ``argv`` follows the entry point in ``sys.argv`` (``--config_path FILE``:
    :mod:`.config_choice`). See the module docstring for what is shielded."""
    with _ONE_SCOPE:
        yield from _scoped(Path(folder).resolve(), key, entry_point, listing, argv)


def _scoped(folder: Path, key: str, entry_point: str,
            listing: Mapping[str, str] | None, argv: Sequence[str] = ()) -> Iterator[str]:
    package = f"{NAMESPACE}.{key}"
    names = top_level_names(folder)
    source = _package(package, folder, listing, names)
    set_aside = {n: m for n, m in sys.modules.items() if n.partition(".")[0] in names}
    for name in set_aside:
        del sys.modules[name]
    saved_path, saved_argv, saved_cwd = list(sys.path), list(sys.argv), os.getcwd()
    saved_bytecode = sys.dont_write_bytecode
    sys.argv = [str(folder / entry_point), *argv]
    sys.dont_write_bytecode = True
    os.chdir(folder)
    try:
        with verified_finder().scope(source):
            yield package
    finally:
        os.chdir(saved_cwd)
        sys.dont_write_bytecode = saved_bytecode
        sys.argv = saved_argv
        sys.path[:] = saved_path
        for name in [n for n in sys.modules if n.partition(".")[0] in names]:
            del sys.modules[name]
        for name in _found_through_sys_path(package):
            del sys.modules[name]  # the next folder's ``import lenet`` gets its own
        sys.modules.update(set_aside)
