"""Copying a local asset (a ``file://`` link or a path that its card's origin allows) into a
:class:`~hub_plugin.downloads.partial.PartialDownload`, as safely as a download."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..core.hashing import CHUNK_SIZE
from ..core.progress import Progress, SilentProgress
from ..errors import DownloadError
from .partial import PartialDownload


def copy_local_file(
    source: Path,
    partial: PartialDownload,
    *,
    progress: Progress | None = None,
    description: str = "",
    chunk_size: int = CHUNK_SIZE,
) -> int:
    """Copy a local file (a ``file://`` link or a path) into ``partial``; returns its size.

    Only a regular file, opened without following a symbolic link as its last step, and only the
    size it had when opened (a device such as ``/dev/zero``, or a file that keeps growing, cannot
    fill the disk).
    """
    progress = progress or SilentProgress()
    if partial.size:
        partial.restart()
    try:
        fd = os.open(source, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        raise DownloadError(source.as_uri(), f"cannot read: {error.strerror or error}") from error
    with open(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise DownloadError(source.as_uri(), "not a regular file")
        size = info.st_size
        partial.ensure_room(size)
        progress.start(description, size)
        left = size
        while left:
            chunk = handle.read(min(chunk_size, left))
            if not chunk:
                break
            partial.write(chunk)
            progress.advance(len(chunk))
            left -= len(chunk)
    return size - left
