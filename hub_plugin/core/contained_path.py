"""Paths that stay inside their root: untrusted relative paths parsed once, joined safely each time.

A card's ``repo-link`` names a folder of a repository, ``hub add --path`` a folder of a hub; both end
up joined to a folder of the cache (``zoo/<key>/<commit>/``, ``hubs/<name>/snapshots/...``). Two
steps keep such a join inside its root, whatever the text said:

1. :func:`relative_folder` parses the text once into a safe form: a relative POSIX path whose every
   segment is a plain name, checked after every decoding the code does (percent-decoding, and the
   Unicode compatibility normalisation NFKC, under which ``．．`` is ``..`` and ``／`` is ``/``). No
   empty, ``.`` or ``..`` segment, no backslash, no control character, no glob character (the path
   also becomes a git sparse-checkout pattern), no ``%`` left after decoding (decoding twice must
   not change it).
2. :func:`contained` joins such a path to its root at the moment of use and checks again: no step
   of the way is a symbolic link (none is followed), and the resolved path lies inside the resolved
   root. A gap in the parser therefore cannot become an escape.
"""

from __future__ import annotations

import os
import stat
import unicodedata
from pathlib import Path
from urllib.parse import unquote

from ..errors import (  # moved to errors.py (issue 26); importable here too
    PathEscape as PathEscape,
)

_GLOB_OR_ESCAPE = frozenset("\\*?[]!#")


def unsafe_segment(segment: str) -> str | None:
    """Why ``segment`` (one part of a path, already percent-decoded once) is not a plain name, or
    None when it is one."""
    if unquote(segment) != segment:
        return "it is percent-encoded twice"
    for form in (segment, unicodedata.normalize("NFKC", segment)):
        if form in ("", ".", ".."):
            return "it has an empty, '.' or '..' segment"
        if "/" in form:
            return "it has an encoded '/'"
        if any(ord(c) < 0x20 or ord(c) == 0x7F or c in _GLOB_OR_ESCAPE for c in form):
            return "it has a backslash, a control or a glob character"
        if form != form.strip():
            return "a segment starts or ends with white space"
    return None


def relative_folder(text: str, *, what: str = "the folder") -> str:
    """``text`` as a safe relative POSIX folder (``""`` for the root); :class:`PathEscape` if it is
    absolute, or any segment is unsafe (see the module docstring). One trailing ``/`` is allowed."""
    if text in ("", "/"):
        return ""
    if text.startswith("/"):
        raise PathEscape(f"{what} {text!r} is absolute; it must be relative to its root")
    segments = text[:-1].split("/") if text.endswith("/") else text.split("/")
    for segment in segments:
        why = unsafe_segment(segment)
        if why:
            raise PathEscape(f"{what} {text!r} is not a plain relative path: {why}")
    return "/".join(segments)


def contained(root: Path, relative: str) -> Path:
    """``root / relative``, after checking that no step below ``root`` is a symbolic link and that
    the resolved result lies inside the resolved ``root``; :class:`PathEscape` otherwise.

    Steps that do not exist yet are allowed (the result may be about to be made)."""
    base = Path(root)
    path = base
    for segment in relative_folder(relative, what="the path").split("/") if relative else ():
        path = path / segment
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            continue
        if stat.S_ISLNK(mode):
            raise PathEscape(f"{path} is a symbolic link; hub-plugin follows none under {base}")
    real_root = base.resolve()
    if not path.resolve().is_relative_to(real_root):
        raise PathEscape(f"{path} lies outside {real_root}")
    return path


def inside(root: Path, path: Path) -> bool:
    """Whether ``path`` (resolved) lies inside ``root`` (resolved)."""
    return Path(path).resolve().is_relative_to(Path(root).resolve())
