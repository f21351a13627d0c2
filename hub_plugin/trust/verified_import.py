"""The one importer of untrusted code: what runs is what was hashed, whatever ``sys.path`` says.

Python's own path finder would read ``__pycache__/*.pyc`` beside a source when its recorded mtime and
size match (or, for a PEP 552 *unchecked-hash* pyc, always), run a sourceless ``.pyc``, follow a
symbolic link, and read a module lazily imported long after the trust check. hub-plugin imports a
model package (``hub_plugin_models.<name>``, :mod:`hub_plugin.packages.hubconf_import`) and a zoo
folder (``hub_plugin_zoo.<key>``, :mod:`hub_plugin.zoo.importer`) by registering the folder
here (:func:`register_source`, with the listing ``{relative path: sha256}`` of the
:class:`~.code_digest.CodeDigest` trust was given for). :class:`VerifiedFinder`, first on
``sys.meta_path`` from then on, answers for:

- every module of the private namespace: ``<name>.py`` or ``<name>/__init__.py`` under the folder
  (a folder without ``__init__.py``, the package's own folder included, is a namespace package);
- **any module whose file lies inside a registered folder, found through ``sys.path`` or a
  package's ``__path__``**, at any time: zoo code that does ``sys.path.append(<its src/>)`` then
  ``import lenet`` (57 folders of the zoo at r1.8 put a sub-folder on ``sys.path``), a package whose
  hubconf appends its own folder. The search path is walked in order as Python's path finder walks
  it (entries outside every registered folder are asked of that path finder, so a module outside is
  imported as usual; builtin and frozen modules win as they do); an entry inside a registered folder
  is looked up here, among the same file names Python's file finder tries;
- while a zoo folder's code runs (:meth:`VerifiedFinder.scope`), its own top-level names
  (``src``, ``model_utils``): ``import src.resnet`` is ``hub_plugin_zoo.<key>.src.resnet``.

For each module found inside a registered folder:

- the path is joined with :func:`~hub_plugin.core.contained_path.contained`: no symbolic
  link is followed;
- its bytes are read once, their sha256 compared with the listing, and the same bytes are compiled
  and run: a file changed or added since, even one imported lazily an hour later, is refused with
  :class:`CodeChangedSinceTrust`, before it runs;
- no bytecode is read or written: ``__pycache__`` is never looked at (the digest leaves Python's
  caches out and the trust question says they are ignored), and a sourceless ``.pyc`` is refused
  (:class:`~hub_plugin.errors.BytecodeRefused`), never run;
- an extension module (``.so``/``.pyd``) is loaded only when its digest matches the listing.

A name of a private namespace that none of that finds is :class:`ModuleNotFoundError`: no other
finder is asked, so nothing can slip past.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import importlib.abc
import importlib.machinery
import os
import stat
import sys
import threading
import types
import zipimport
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..core.contained_path import PathEscape, contained
from ..errors import BytecodeRefused
from ..errors import (  # moved to errors.py (issue 26); importable here too
    CodeChangedSinceTrust as CodeChangedSinceTrust,
)


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


class _AliasLoader(importlib.abc.Loader):
    """Hands out a module already imported under its private name."""

    def __init__(self, module: types.ModuleType) -> None:
        self.module = module

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return self.module

    def exec_module(self, module: types.ModuleType) -> None:
        """Nothing to run: the private module is already executed."""


_BYTECODE_SUFFIXES = tuple(importlib.machinery.BYTECODE_SUFFIXES)


class VerifiedFinder(importlib.abc.MetaPathFinder):
    """The finder of the registered folders' modules; see the module docstring."""

    def __init__(self) -> None:
        self._sources: dict[str, TrustedSource] = {}
        self._scopes: list[TrustedSource] = []
        self._real: dict[str, str] = {}
        self._lock = threading.Lock()

    def register(self, source: TrustedSource) -> None:
        with self._lock:
            self._sources[source.package] = source

    def registered(self, package: str) -> TrustedSource | None:
        return self._sources.get(package)

    @contextlib.contextmanager
    def scope(self, source: TrustedSource) -> Iterator[None]:
        """While the body runs, ``source``'s own top-level names (:attr:`TrustedSource.own_names`)
        import as its private modules: ``import src.x`` is ``<package>.src.x``."""
        verified_finder()
        self._scopes.append(source)
        try:
            yield
        finally:
            self._scopes.remove(source)

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
        if owner is not None:
            return self._private_spec(owner, fullname)
        if self._scopes and fullname.partition(".")[0] in self._scopes[-1].own_names:
            package = self._scopes[-1].package
            module = importlib.import_module(f"{package}.{fullname}")
            return importlib.machinery.ModuleSpec(
                fullname, _AliasLoader(module), is_package=hasattr(module, "__path__"))
        return self._path_spec(fullname, path)

    def _private_spec(self, owner: TrustedSource,
                      fullname: str) -> importlib.machinery.ModuleSpec:
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
        if base.is_dir() and not base.is_symlink():  # the package itself too (no __init__.py)
            spec = importlib.machinery.ModuleSpec(fullname, None, is_package=True)
            spec.submodule_search_locations = [str(base)]
            return spec
        raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)

    def _guard(self, entry: str) -> tuple[TrustedSource, str] | None:
        """The registered folder (with a listing) that the search path entry ``entry`` lies in,
        and the entry's path relative to its scope; None for an entry outside all of them."""
        key = entry if os.path.isabs(entry) else f"{os.getcwd()}\0{entry}"
        real = self._real.get(key)
        if real is None:
            try:
                real = os.path.realpath(entry or os.curdir)
            except (OSError, ValueError):
                return None
            self._real[key] = real
        found: tuple[TrustedSource, str] | None = None
        for source in list(self._sources.values()):
            if source.listing is None:
                continue
            scope = str(source.scope)
            inside = real == scope or real.startswith(scope.rstrip(os.sep) + os.sep)
            if inside and (found is None or len(scope) > len(str(found[0].scope))):
                relative = os.path.relpath(real, scope)
                found = (source, "" if relative == os.curdir else Path(relative).as_posix())
        return found

    def _path_spec(self, fullname: str,
                   path: Sequence[str] | None) -> importlib.machinery.ModuleSpec | None:
        """A module found through the search path (``sys.path`` or the parent's ``__path__``)
        whose file lies in a registered folder; None when no entry of the path is in one."""
        entries = list(sys.path if path is None else path)
        guards = [(entry, self._guard(entry)) for entry in entries if isinstance(entry, str)]
        if all(guard is None for _, guard in guards):
            return None
        if path is None and (importlib.machinery.BuiltinImporter.find_spec(fullname) is not None
                             or importlib.machinery.FrozenImporter.find_spec(fullname) is not None):
            return None
        portions: list[str] = []
        for entry, guard in guards:
            if guard is None:
                spec = importlib.machinery.PathFinder.find_spec(fullname, [entry])
                if spec is None:
                    continue
                if spec.loader is not None:
                    return spec
                portions.extend(spec.submodule_search_locations or ())
                continue
            source, relative = guard
            found = self._in_folder(source, fullname, relative)
            if isinstance(found, importlib.machinery.ModuleSpec):
                return found
            if found is not None:
                portions.append(found)
        if portions:
            spec = importlib.machinery.ModuleSpec(fullname, None, is_package=True)
            spec.submodule_search_locations = portions
            return spec
        return None

    def _in_folder(self, source: TrustedSource, fullname: str,
                   entry: str) -> importlib.machinery.ModuleSpec | str | None:
        """``fullname`` in the search path entry ``entry`` (relative to ``source.scope``), tried
        in the order of Python's file finder: a package folder (``__init__``), then a module, an
        extension before a source; a namespace portion (the folder) when only a folder is there."""
        name = fullname.rpartition(".")[2]
        base = f"{entry}/{name}" if entry else name
        try:
            where = contained(source.scope, entry) if entry else source.scope
            if not where.is_dir():
                return self._archive(source, fullname, where)
            folder = contained(source.scope, base)
            package = folder if folder.is_dir() and not folder.is_symlink() else None
            candidates: list[tuple[str, Path | None]] = (
                [(f"{base}/__init__", package)] if package is not None else [])
            candidates.append((base, None))
            for stem, package_folder in candidates:
                found = self._file_spec(source, fullname, stem, package_folder)
                if found is not None:
                    return found
        except PathEscape as error:
            raise CodeChangedSinceTrust(f"refusing to import {fullname}: {error.message}") from None
        return str(package) if package is not None else None

    def _file_spec(self, source: TrustedSource, fullname: str, stem: str,
                   package_folder: Path | None) -> importlib.machinery.ModuleSpec | None:
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            candidate = contained(source.scope, stem + suffix)
            if _regular_file(candidate):
                self._check(source, fullname, candidate, candidate.read_bytes())
                loader = importlib.machinery.ExtensionFileLoader(fullname, str(candidate))
                spec = importlib.machinery.ModuleSpec(fullname, loader, origin=str(candidate),
                                                      is_package=package_folder is not None)
                if package_folder is not None:
                    spec.submodule_search_locations = [str(package_folder)]
                spec.has_location = True
                return spec
        for suffix in importlib.machinery.SOURCE_SUFFIXES:
            candidate = contained(source.scope, stem + suffix)
            if _regular_file(candidate):
                return self._spec(source, fullname, candidate, package_folder)
        for suffix in _BYTECODE_SUFFIXES:
            candidate = contained(source.scope, stem + suffix)
            if _regular_file(candidate):
                raise BytecodeRefused(
                    f"refusing to import {fullname}: {candidate} is bytecode without its source; "
                    "only source that trust was given for runs", hint="ship the .py source")
        return None

    def _archive(self, source: TrustedSource, fullname: str,
                 where: Path) -> importlib.machinery.ModuleSpec | None:
        """A search path entry that is a file of the folder (a zip archive): refused when the
        module is in it, since its bytes are not what the digest hashed module by module."""
        if not _regular_file(where):
            return None
        try:
            found = zipimport.zipimporter(str(where)).find_spec(fullname)
        except (zipimport.ZipImportError, OSError):
            return None
        if found is not None:
            raise BytecodeRefused(
                f"refusing to import {fullname} from the archive {where}: only source files that "
                "trust was given for run", hint="ship the .py source")
        return None

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


def loaded_from(module: types.ModuleType) -> str | None:
    """The private package whose folder ``module`` was imported from by :class:`VerifiedFinder`
    (under whatever name), or None."""
    spec = getattr(module, "__spec__", None)
    loader = getattr(spec, "loader", None)
    return loader.owner.package if isinstance(loader, _HashedSourceLoader) else None


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


__all__ = ["BytecodeRefused", "CodeChangedSinceTrust", "TrustedSource", "VerifiedFinder", "loaded_from",
           "register_source",
           "verified_finder"]
