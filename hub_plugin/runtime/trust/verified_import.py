"""What runs is what was hashed: importing code from outside the bundled registry from its source
bytes, checked against the listing trust was given for, with no bytecode cache.

Python's own path finder would read ``__pycache__/*.pyc`` beside a source when its recorded mtime and
size match (or, for a PEP 552 *unchecked-hash* pyc, always), run a sourceless ``.pyc``, follow a
symbolic link, and read a module lazily imported long after the trust check. For the private
namespaces hub-plugin imports packages and zoo folders under (``hub_plugin_models.<name>``,
``hub_plugin_zoo.<key>``), :class:`VerifiedFinder`, first on ``sys.meta_path``, answers instead:

- a module is ``<name>.py`` or ``<name>/__init__.py`` under the registered folder (a folder without
  ``__init__.py`` is a namespace package); the path is joined with
  :func:`~hub_plugin.registry.files.contained_path.contained`: no symbolic link is followed;
- its bytes are read once, their sha256 compared with the listing (``{relative path: sha256}``,
  a :class:`~.code_digest.CodeDigest`'s) taken when trust was checked, and the same bytes are
  compiled and run: a file changed or added since, even one imported lazily an hour later, is
  refused with :class:`CodeChangedSinceTrust`, before it runs;
- no bytecode is read or written (``__pycache__`` is never looked at);
- an extension module (``.so``/``.pyd``) is loaded only when its digest matches the listing;
  a sourceless ``.pyc`` never is.

A name of a registered namespace that none of that finds is :class:`ModuleNotFoundError`: no other
finder is asked, so nothing can slip past.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import os
import stat
import sys
import threading
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ...errors import (  # moved to errors.py (issue 26); importable here too
    CodeChangedSinceTrust as CodeChangedSinceTrust,
)
from ...registry.files.contained_path import PathEscape, contained


@dataclass(frozen=True)
class TrustedSource:
    """A folder importable as the package ``package``; ``listing`` maps paths relative to
    ``scope`` to sha256 (None: the bundled registry, checked by nothing but its install)."""

    package: str
    folder: Path
    scope: Path
    listing: Mapping[str, str] | None
    own_names: frozenset[str] = frozenset()
    """Top-level names (``src``, ``model_utils``) that the folder's code imports as its own: an
    ``import src...`` in its modules, run at any time, gets ``<package>.src...``."""


def _regular_file(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


class _HashedSourceLoader(importlib.abc.Loader):
    """Compiles and runs the bytes read and checked in :meth:`VerifiedFinder.find_spec`."""

    def __init__(self, path: Path, source: bytes, owner: TrustedSource) -> None:
        self.path = path
        self.source = source
        self.owner = owner

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        return None

    def exec_module(self, module: types.ModuleType) -> None:
        code = compile(self.source, str(self.path), "exec", dont_inherit=True)
        if self.owner.own_names:
            module.__dict__["__builtins__"] = _own_names_builtins(self.owner)
        exec(code, module.__dict__)  # trusted code: the very bytes that were hashed

    def get_source(self, fullname: str) -> str:
        return self.source.decode("utf-8", errors="replace")


_BUILTINS: dict[str, dict[str, object]] = {}


def _own_names_builtins(owner: TrustedSource) -> dict[str, object]:
    """The builtins of a module of ``owner``: Python's, with an ``__import__`` that maps the
    folder's own top-level names into its package. The import statement looks ``__import__`` up
    in the running frame's builtins, so this holds for imports run long after the module was
    (a lazy ``from src.utils import x`` inside a function), where no finder is in place any more
    and ``sys.path`` would give the caller's own ``src``."""
    cached = _BUILTINS.get(owner.package)
    if cached is not None:
        return cached
    import builtins

    original = builtins.__import__
    package, names = owner.package, owner.own_names

    def own_import(name: str, globals: Mapping[str, object] | None = None,
                   locals: Mapping[str, object] | None = None, fromlist: Sequence[str] = (),
                   level: int = 0) -> types.ModuleType:
        top = name.partition(".")[0]
        if level != 0 or top not in names:
            return original(name, globals, locals, fromlist, level)
        full = f"{package}.{name}"
        if fromlist:
            return original(full, globals, locals, fromlist, 0)
        original(full, globals, locals, (), 0)
        return sys.modules[f"{package}.{top}"]

    table = dict(builtins.__dict__)
    table["__import__"] = own_import
    _BUILTINS[owner.package] = table
    return table


class VerifiedFinder(importlib.abc.MetaPathFinder):
    """The finder of the registered folders' modules; see the module docstring."""

    def __init__(self) -> None:
        self._sources: dict[str, TrustedSource] = {}
        self._lock = threading.Lock()

    def register(self, source: TrustedSource) -> None:
        with self._lock:
            self._sources[source.package] = source

    def registered(self, package: str) -> TrustedSource | None:
        return self._sources.get(package)

    def _owner(self, fullname: str) -> TrustedSource | None:
        name = fullname
        while name:
            found = self._sources.get(name)
            if found is not None:
                return found
            name = name.rpartition(".")[0]
        return None

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        owner = self._owner(fullname)
        if owner is None:
            return None
        relative = fullname[len(owner.package):].lstrip(".").replace(".", "/")
        try:
            base = contained(owner.folder, relative) if relative else owner.folder
            init = contained(owner.folder, f"{relative}/__init__.py" if relative else "__init__.py")
            module = contained(owner.folder, f"{relative}.py") if relative else None
        except PathEscape as error:
            raise CodeChangedSinceTrust(f"refusing to import {fullname}: {error.message}") from None
        if _regular_file(init):
            return self._spec(owner, fullname, init, package_folder=base)
        if module is not None and _regular_file(module):
            return self._spec(owner, fullname, module)
        extension = self._extension(owner, fullname, base)
        if extension is not None:
            return extension
        if relative and base.is_dir() and not base.is_symlink():
            spec = importlib.machinery.ModuleSpec(fullname, None, is_package=True)
            spec.submodule_search_locations = [str(base)]
            return spec
        raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)

    def _check(self, owner: TrustedSource, fullname: str, path: Path, data: bytes) -> None:
        if owner.listing is None:
            return
        try:
            key = path.relative_to(owner.scope).as_posix()
        except ValueError:
            key = ""
        expected = owner.listing.get(key)
        if expected != hashlib.sha256(data).hexdigest():
            what = "is not in the code trust was given for" if expected is None else (
                "changed since trust was checked")
            raise CodeChangedSinceTrust(
                f"refusing to import {fullname}: {path} {what}",
                hint="load it again to be asked about the code as it is now",
            )

    def _spec(self, owner: TrustedSource, fullname: str, path: Path,
              package_folder: Path | None = None) -> importlib.machinery.ModuleSpec:
        data = path.read_bytes()
        self._check(owner, fullname, path, data)
        spec = importlib.machinery.ModuleSpec(
            fullname, _HashedSourceLoader(path, data, owner), origin=str(path),
            is_package=package_folder is not None,
        )
        if package_folder is not None:
            spec.submodule_search_locations = [str(package_folder)]
        spec.has_location = True
        return spec

    def _extension(self, owner: TrustedSource, fullname: str,
                   base: Path) -> importlib.machinery.ModuleSpec | None:
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            candidate = base.with_name(base.name + suffix)
            if _regular_file(candidate):
                self._check(owner, fullname, candidate, candidate.read_bytes())
                loader = importlib.machinery.ExtensionFileLoader(fullname, str(candidate))
                return importlib.machinery.ModuleSpec(fullname, loader, origin=str(candidate))
        return None


_FINDER = VerifiedFinder()


def verified_finder() -> VerifiedFinder:
    """The process's finder, first on ``sys.meta_path`` (put there on the first call)."""
    if not sys.meta_path or sys.meta_path[0] is not _FINDER:
        if _FINDER in sys.meta_path:
            sys.meta_path.remove(_FINDER)
        sys.meta_path.insert(0, _FINDER)
    return _FINDER


def register_source(package: str, folder: Path, *, scope: Path | None = None,
                    listing: Mapping[str, str] | None = None,
                    own_names: frozenset[str] = frozenset()) -> TrustedSource:
    """Make ``package`` import from ``folder`` through :class:`VerifiedFinder`, checked against
    ``listing`` (paths relative to ``scope``, default ``folder``); ``own_names``: see
    :attr:`TrustedSource.own_names`."""
    folder = Path(folder).resolve()
    source = TrustedSource(package, folder, Path(scope).resolve() if scope else folder,
                           dict(listing) if listing is not None else None, own_names)
    _BUILTINS.pop(package, None)
    verified_finder().register(source)
    return source


__all__ = ["CodeChangedSinceTrust", "TrustedSource", "VerifiedFinder", "register_source",
           "verified_finder"]
