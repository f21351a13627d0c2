"""The digest of a model package's code: every regular file of it but the data it declares.

Trust is recorded against this digest (see :mod:`hub_plugin.trust.gate`), so that an edit to
any file of the package, not only to ``hubconf.py``, is asked about again: modules, extension
modules and versioned shared libraries (``libx.so.1``, which ``ctypes`` loads), ``package.yaml``,
configuration files, anything the code might read and be steered by. Left out:

* the files the package declares as data in ``package.yaml``'s ``data-files`` (glob patterns
  relative to the package folder, ``data-files: [weights/*.ckpt]``), unless they are code (a ``.py``
  or a library is covered whatever the patterns say) or also match ``trust-files``;
* Python's own caches of a source (``__pycache__/<name>.cpython-311.pyc``), which hub-plugin
  ignores and never reads for such code, whatever ``sys.path`` says (it compiles the hashed source,
  :mod:`.verified_import`); they are counted in :attr:`CodeDigest.ignored` and the trust question
  says they are ignored. Any other file in a ``__pycache__`` folder is covered (a ``.py`` planted
  there is code), and a sourceless ``.pyc`` is covered and refused when imported;
* the ``.git`` folder.

``trust-files`` (the older key, glob patterns of configuration files) stays accepted: its files are
covered, as every file is, even where ``data-files`` also matches them.

The walk covers the package folder and its sub-folders, sorted. A symbolic link anywhere inside is
refused (:class:`LinkInPackage`): it would let the code that runs be a file the digest never read
(a link to ``/usr/lib`` would list thousands of files). A package from a plugin distribution is
covered with the whole importable package of its distribution (the plugin's root folder), since its
hubconf may import the distribution's other modules and a ``pip install --upgrade`` changes them
all.

The digest is the sha256 of the ``sha256sum``-style listing ``"<sha256>  <path>\\n"`` of every
file covered, sorted by path (POSIX, relative to the scope folder), so ``sha256sum`` over the same
files reproduces it. The listing itself is kept with the trust, so that a changed digest can be
explained file by file (:func:`describe_changes`).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..core.console import safe_text, shown
from ..errors import (  # moved to errors.py (issue 26); importable here too
    LinkInPackage as LinkInPackage,
)
from ..errors import UnsafeFileName
from ..registry.registry import ModelPackage

CODE_SUFFIXES = (".py", ".pyw", ".pyc", ".so", ".pyd", ".dylib", ".dll")
"""File name endings of code the interpreter can import or ``ctypes`` can load."""
_VERSIONED_LIBRARY = re.compile(r"\.so(\.[0-9A-Za-z]+)+$")
_SOURCE_CACHE = re.compile(r"^[^/.]+\.[a-z]+-[0-9]+(\.opt-[0-9]+)?\.pyc$")
BYTECODE_FOLDER = "__pycache__"
SKIPPED_FOLDERS = frozenset({".git"})
TRUST_FILES_KEY = "trust-files"
"""The ``package.yaml`` key listing configuration files (glob patterns): always covered."""
DATA_FILES_KEY = "data-files"
"""The ``package.yaml`` key listing a package's data files (glob patterns): left out of the digest."""
NAMED_PER_KIND = 3
"""How many files of each kind (added, removed, modified) a description names before counting."""


@dataclass(frozen=True)
class CodeDigest:
    """The files of a package's code, each with its sha256, and the digest over them all.

    ``scope`` is the folder the relative paths start from; ``files`` maps each POSIX relative path
    to the hex sha256 of its bytes.
    """

    scope: Path
    files: Mapping[str, str]
    ignored: tuple[str, ...] = ()
    """Python's caches of a source found in the folder (``src/__pycache__/x.cpython-311.pyc``):
    not covered, since no bytecode of trusted code is ever read."""

    @property
    def digest(self) -> str:
        """The hex sha256 of the sorted ``sha256sum`` listing of :attr:`files`."""
        return listing_digest(self.files)

    def listing(self) -> str:
        """The ``sha256sum``-style listing the digest is taken over."""
        return "".join(f"{self.files[path]}  {path}\n" for path in sorted(self.files))


def listing_digest(files: Mapping[str, str]) -> str:
    """The digest of a ``{path: sha256}`` listing, as :attr:`CodeDigest.digest` computes it."""
    listing = "".join(f"{files[path]}  {path}\n" for path in sorted(files))
    return hashlib.sha256(listing.encode("utf-8")).hexdigest()


def _walk(folder: str, relative: str, seen: set[str]) -> Iterator[tuple[str, str]]:
    """``(relative path, path)`` of every regular file under ``folder``, in name order, depth
    first; a symbolic link is :class:`LinkInPackage`. Iterative (a stack of listings), so that a
    folder of any depth cannot end the digest in ``RecursionError`` (issue 27 hole 5)."""
    stack: list[tuple[Iterator[os.DirEntry[str]], str]] = []

    def enter(here: str, prefix: str) -> None:
        try:
            with os.scandir(here) as scan:
                entries = sorted(scan, key=lambda entry: entry.name)
        except OSError:
            return
        stack.append((iter(entries), prefix))

    enter(folder, relative)
    while stack:
        entries, prefix = stack[-1]
        entry = next(entries, None)
        if entry is None:
            stack.pop()
            continue
        path = prefix + entry.name
        if safe_text(entry.name) != entry.name:  # issue 27 hole 1: a name that drives the terminal
            raise UnsafeFileName(f"{safe_text(entry.path)}: a file name with control characters "
                                 "in code to be trusted; refused before anything is listed")
        if entry.is_symlink():
            raise LinkInPackage(
                f"{entry.path} is a symbolic link: code that runs must be files the trust digest "
                "reads, so a package with links is refused", hint="replace the link by the files",
            )
        if entry.is_dir(follow_symlinks=False):
            if entry.name not in SKIPPED_FOLDERS:
                enter(entry.path, path + "/")
        elif entry.is_file(follow_symlinks=False):
            yield path, entry.path


def is_code(relative: str) -> bool:
    """Whether the file at ``relative`` (POSIX) counts as code: see the module docstring."""
    *folders, name = relative.split("/")
    if folders and folders[-1] == BYTECODE_FOLDER:
        return not _SOURCE_CACHE.match(name)
    return (relative.endswith(CODE_SUFFIXES) or bool(_VERSIONED_LIBRARY.search(relative))
            or BYTECODE_FOLDER in folders)


def _sha256(path: str | Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def code_digest(
    scope: Path, package_folder: Path | None = None, patterns: Sequence[str] = (),
    data_patterns: Sequence[str] = (),
) -> CodeDigest:
    """The :class:`CodeDigest` of every regular file under ``scope`` but its data.

    ``package_folder`` (default: ``scope``) is where the glob patterns are looked up: ``patterns``
    (``trust-files``, always covered) and ``data_patterns`` (``data-files``, left out unless code).
    A pattern's matches outside ``scope`` are ignored. A file that cannot be read is listed with
    ``"unreadable"`` for its sha256, so that it still counts (and differs from any readable
    version).
    """
    scope = Path(scope)
    package_folder = Path(package_folder) if package_folder is not None else scope
    declared = {relative for relative, _ in _declared(scope, package_folder, patterns)}
    data = {relative for relative, _ in _declared(scope, package_folder, data_patterns)
            if not is_code(relative)} - declared
    files: dict[str, str] = {}
    ignored: list[str] = []
    for relative, found in _walk(str(scope), "", set()):
        if _is_source_cache(relative):
            ignored.append(relative)
            continue
        if relative in data:
            continue
        try:
            files[relative] = _sha256(found)
        except OSError:
            files[relative] = "unreadable"
    return CodeDigest(scope, files, tuple(ignored))


def _is_source_cache(relative: str) -> bool:
    """Whether ``relative`` is Python's own cache of a source, which hub-plugin never reads."""
    *folders, name = relative.split("/")
    return bool(folders) and folders[-1] == BYTECODE_FOLDER and bool(_SOURCE_CACHE.match(name))


def _declared(scope: Path, folder: Path, patterns: Iterable[str]) -> Iterator[tuple[str, Path]]:
    """The files the ``trust-files`` patterns match, as paths relative to ``scope``."""
    resolved_scope = scope.resolve()
    for pattern in patterns:
        if not pattern or Path(pattern).is_absolute() or ".." in Path(pattern).parts:
            continue
        for path in sorted(folder.glob(pattern)):
            if path.is_symlink() or not path.is_file() or SKIPPED_FOLDERS & set(path.parts):
                continue
            try:
                relative = path.absolute().relative_to(scope.absolute())
            except ValueError:
                try:
                    relative = path.resolve().relative_to(resolved_scope)
                except ValueError:
                    continue
            yield relative.as_posix(), path


def package_scope(package: ModelPackage) -> Path:
    """The folder a package's digest covers: the package folder, or for a package of a plugin
    distribution the plugin's root (the distribution's importable package), which holds it."""
    if package.root.source.startswith("plugin "):
        try:
            package.path.resolve().relative_to(package.root.path.resolve())
        except ValueError:
            return package.path
        return package.root.path
    return package.path


def package_patterns(package: ModelPackage, key: str = TRUST_FILES_KEY) -> tuple[str, ...]:
    """The glob patterns of a package's ``package.yaml`` under ``key`` (``trust-files`` or
    ``data-files``; validated as strings)."""
    declared = package.settings.get(key) or ()
    return tuple(p for p in declared if isinstance(p, str)) if isinstance(declared, list) else ()


def package_digest(package: ModelPackage) -> CodeDigest:
    """The :class:`CodeDigest` of a model package: see the module docstring for what it covers."""
    return code_digest(package_scope(package), package.path, package_patterns(package),
                       package_patterns(package, DATA_FILES_KEY))


def describe_changes(before: Mapping[str, str], after: Mapping[str, str]) -> str:
    """What changed from one ``{path: sha256}`` listing to another, in a few words.

    ``"modified network.py; added evil.py, more.py, other.py and 2 more"``: for each kind (modified,
    added, removed) at most :data:`NAMED_PER_KIND` files are named and the rest counted; ``""`` when
    nothing changed.
    """
    modified = sorted(path for path in before.keys() & after.keys() if before[path] != after[path])
    added = sorted(after.keys() - before.keys())
    removed = sorted(before.keys() - after.keys())
    parts = [
        f"{kind} {_named(paths)}"
        for kind, paths in (("modified", modified), ("added", added), ("removed", removed))
        if paths
    ]
    return "; ".join(parts)


def _named(paths: Sequence[str]) -> str:
    named = [shown(path) for path in paths[:NAMED_PER_KIND]]
    rest = len(paths) - len(named)
    if rest:
        return ", ".join(named) + f" and {rest} more"
    return " and ".join(named) if len(named) == 2 else ", ".join(named)


__all__ = [
    "CODE_SUFFIXES", "DATA_FILES_KEY", "TRUST_FILES_KEY", "CodeDigest", "LinkInPackage",
    "code_digest", "describe_changes", "is_code", "listing_digest", "package_digest",
    "package_scope",
]
