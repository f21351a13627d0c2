"""The config folder: what a person decided, kept apart from the cache that can be cleared.

The trust store (``trusted.json``) and the hubs' settings (``hubs.json``) are decisions, not
cached data: clearing the cache (``HUB_PLUGIN_HOME``, marked ``CACHEDIR.TAG`` so that backup tools
skip it) must not forget them. They live in ``HUB_PLUGIN_CONFIG``, by default
``$XDG_CONFIG_HOME/hub-plugin`` or ``~/.config/hub-plugin`` (the XDG Base Directory
Specification). hub-plugin before 0.x kept them in the cache folder: :func:`moved_once` moves such
a file to its new place the first time it is looked for, and reads it from there afterwards.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from .atomic_file import write_atomically

#: The environment variable that sets the config folder.
CONFIG_VARIABLE = "HUB_PLUGIN_CONFIG"


def xdg_folder(environ: Mapping[str, str] | None, own: str, xdg: str, fallback: str) -> Path:
    """The folder the variable ``own`` names, else ``$<xdg>/hub-plugin``, else
    ``~/<fallback>/hub-plugin`` (the XDG Base Directory Specification's rule)."""
    env = os.environ if environ is None else environ
    given = env.get(own)
    if given:
        return Path(given).expanduser()
    base = env.get(xdg)
    return (Path(base).expanduser() if base else Path.home() / fallback) / "hub-plugin"


def default_config_root(environ: Mapping[str, str] | None = None) -> Path:
    """``HUB_PLUGIN_CONFIG``, else ``$XDG_CONFIG_HOME/hub-plugin``, else ``~/.config/hub-plugin``."""
    return xdg_folder(environ, CONFIG_VARIABLE, "XDG_CONFIG_HOME", ".config")


def moved_once(path: Path, old: Path) -> Path:
    """``path``, after moving the file at ``old`` there if ``path`` does not exist yet.

    The move is one ``os.replace`` on one file system (a second process racing finds ``old``
    gone, and ``path`` in place); across file systems the file (a JSON store) is written with
    :func:`~.atomic_file.write_atomically` and ``old`` removed. A file already at ``path`` wins:
    ``old`` is then left alone.
    """
    if path.exists() or not old.is_file() or old.is_symlink():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(old, path)
    except FileNotFoundError:  # another process moved it first
        pass
    except OSError:  # another file system: copy, then rename into place
        write_atomically(path, old.read_text(encoding="utf-8"))
        old.unlink(missing_ok=True)
    return path


__all__ = ["CONFIG_VARIABLE", "default_config_root", "moved_once", "xdg_folder"]
