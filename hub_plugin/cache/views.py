"""The cache's readable view: ``cards/<place>/<file name>``, a symbolic link to a blob.

A view's place says which card it belongs to, so that two cards never share a path:

- ``hub/<hub>@<commit>/<uid>`` for a card of a synced hub (``mindspore/1.8/alexnet_cifar10``): the
  same stem and file name in two hub versions, or two hubs, or two syncs of one hub, are two paths,
  and a path that ``download`` printed keeps pointing to the bytes it printed it for;
- ``local/<folder>-<id>/<card path>`` for a card of a local registry (``id``: 12 hex digits of the
  sha256 of the registry root's path);
- ``checked/<folder>-<id>/<stem>`` for a card ``validate`` read;
- ``<card>`` alone for a fetch through the Python API without an origin, and for the views older
  versions made (``cards/<stem>/<file>``): those stay where they are and readable, and the index
  keeps them as two-element records.

Every part of a place and the file name go through :func:`safe_name`, so no view lies outside
``cards/``.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path

from .index import View

_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._@+-]")


def safe_name(text: str) -> str:
    """``text`` as one harmless path component (no separators, never ``.`` or ``..``)."""
    name = _UNSAFE_NAME.sub("_", text.strip()) or "_"
    return "_" + name if name in (".", "..") else name


def view_from_record(record: object) -> View | None:
    """A view from its index record, ``[card, file]`` (older caches) or ``[card, file, place]``."""
    if isinstance(record, list | tuple) and len(record) in (2, 3):
        return View(*(str(part) for part in record))
    return None


class CardViews:
    """The views under ``folder`` (``cards/``), as links to the blobs ``blob_path`` names."""

    def __init__(self, folder: Path, blob_path: Callable[[str], Path]) -> None:
        self.folder = folder
        self.blob_path = blob_path

    def path(self, view: View) -> Path:
        parts: Sequence[str] = view.place.split("/") if view.place else (view.card,)
        return self.folder.joinpath(*(safe_name(p) for p in parts if p), safe_name(view.file_name))

    def target(self, view: View) -> str | None:
        """The digest of the blob ``view`` points to, if it is a link."""
        try:
            return os.readlink(self.path(view)).rsplit("/", 1)[-1]
        except OSError:
            return None

    def link(self, view: View, sha256: str) -> None:
        """Point ``view`` at the blob ``sha256`` (atomically: a new link renamed over the old)."""
        path = self.path(view)
        path.parent.mkdir(parents=True, exist_ok=True)
        target = os.path.relpath(self.blob_path(sha256), path.parent)
        with contextlib.suppress(OSError):
            if os.readlink(path) == target:
                return
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.unlink(missing_ok=True)
        try:
            os.symlink(target, temporary)
        except OSError:  # no symbolic links here (some Windows set-ups): a hard link will do
            os.link(self.blob_path(sha256), temporary)
        os.replace(temporary, path)

    def unlink(self, view: View, sha256: str | None) -> None:
        """Remove ``view`` (when it points to ``sha256``, or to anything if ``None``), and the
        folders it leaves empty."""
        path = self.path(view)
        if sha256 is None or self.target(view) == sha256 or not path.is_symlink():
            path.unlink(missing_ok=True)
        self._drop_empty_folders(path.parent)

    def _drop_empty_folders(self, folder: Path) -> None:
        while folder != self.folder and self.folder in folder.parents:
            try:
                folder.rmdir()  # only when empty
            except OSError:
                return
            folder = folder.parent

    def dangling(self) -> list[Path]:
        """Views whose blob is gone."""
        if not self.folder.is_dir():
            return []
        return sorted(p for p in self.folder.rglob("*") if p.is_symlink() and not p.exists())

    def remove_dangling(self) -> None:
        for path in self.dangling():
            path.unlink(missing_ok=True)
            self._drop_empty_folders(path.parent)
