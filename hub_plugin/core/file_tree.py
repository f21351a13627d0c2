"""Walking and removing folder trees without recursion, whatever their depth (issue 27, hole 5).

A hub's cards, a zoo checkout and the files ``validate`` is given are trees a stranger shapes: a
card 1,100 folders deep made :meth:`pathlib.Path.rglob` end in ``RecursionError``, and
:func:`shutil.rmtree` (recursive up to Python 3.12, and ``ignore_errors`` does not catch
``RecursionError``) then failed on every later sync and even on ``hub rm``. Here both are loops over
an explicit stack of :func:`os.scandir` listings:

- :func:`walk_files` yields the files of a tree down to ``max_depth`` folders, never following a
  link to a folder, and tells the caller (``too_deep``) of each folder it did not enter;
- :func:`walk_folders` is :func:`os.walk` (top-down, prunable) without its recursion;
- :func:`remove_tree` deletes a tree of any depth (links removed, never followed) and never raises:
  what it cannot delete stays, and the next removal tries again.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

#: The depth :func:`walk_files` goes to by default: far past any card or package layout.
DEFAULT_MAX_DEPTH = 32


def walk_files(
    folder: Path,
    *,
    max_depth: int = DEFAULT_MAX_DEPTH,
    skip_folder: Callable[[str], bool] = lambda name: False,
    too_deep: Callable[[Path], None] | None = None,
) -> Iterator[Path]:
    """The files under ``folder`` (plain files, and links to files), folder by folder in name
    order, each at most ``max_depth`` folders below it (a file of ``folder`` itself is at depth 0).

    Folders whose name ``skip_folder`` accepts are not entered; links to folders never are. A
    folder deeper than ``max_depth`` is not entered either, and is handed to ``too_deep``. Folders
    that cannot be listed are passed over. Never recursive: any depth is safe.
    """
    stack: list[tuple[Path, int]] = [(folder, 0)]
    while stack:
        here, depth = stack.pop()
        try:
            with os.scandir(here) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError:
            continue
        folders: list[Path] = []
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    if skip_folder(entry.name):
                        continue
                    if depth >= max_depth:
                        if too_deep is not None:
                            too_deep(Path(entry.path))
                        continue
                    folders.append(Path(entry.path))
                elif entry.is_file():
                    yield Path(entry.path)
            except OSError:
                continue
        stack.extend((child, depth + 1) for child in reversed(folders))


def walk_folders(folder: Path) -> Iterator[tuple[Path, list[str], list[str]]]:
    """:func:`os.walk` top-down without recursion (Python 3.11's recurses): ``(folder, folder
    names, file names)`` for ``folder`` and each folder under it, links to folders listed as files
    and never entered; the caller may prune the folder names in place, as with :func:`os.walk`."""
    stack = [folder]
    while stack:
        here = stack.pop()
        try:
            with os.scandir(here) as listing:
                entries = list(listing)
        except OSError:
            continue
        folders: list[str] = []
        files: list[str] = []
        for entry in entries:
            try:
                (folders if entry.is_dir(follow_symlinks=False) else files).append(entry.name)
            except OSError:
                files.append(entry.name)
        yield here, folders, files
        stack.extend(here / name for name in reversed(folders))


def remove_tree(path: Path) -> None:
    """Delete ``path`` and everything under it (a link is removed, never followed). Never raises:
    whatever cannot be deleted is left, for the next removal."""
    try:
        if not stat.S_ISDIR(os.lstat(path).st_mode):
            os.unlink(path)
            return
    except OSError:
        return
    # Folders are emptied deepest first: each is listed, its files removed, its folders pushed,
    # and a folder is removed once everything under it was.
    pending: list[tuple[Path, bool]] = [(path, False)]
    while pending:
        here, listed = pending.pop()
        if listed:
            with contextlib.suppress(OSError):
                os.rmdir(here)
            continue
        pending.append((here, True))
        try:
            with os.scandir(here) as listing:
                entries = list(listing)
        except OSError:
            _make_writable(here)
            try:
                with os.scandir(here) as listing:
                    entries = list(listing)
            except OSError:
                continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    pending.append((Path(entry.path), False))
                else:
                    os.unlink(entry.path)
            except PermissionError:
                _make_writable(here)
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
            except OSError:
                pass


def _make_writable(folder: Path) -> None:
    with contextlib.suppress(OSError):
        os.chmod(folder, stat.S_IRWXU)
