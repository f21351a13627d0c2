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

from ...core.settings import CONFIG_VARIABLE, Settings
from .atomic_file import write_atomically


def default_config_root(environ: Mapping[str, str] | None = None) -> Path:
    """``HUB_PLUGIN_CONFIG``, else ``$XDG_CONFIG_HOME/hub-plugin``, else ``~/.config/hub-plugin``
    (:attr:`hub_plugin.core.settings.Settings.config`)."""
    return Settings.from_environment(environ).config


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


__all__ = ["CONFIG_VARIABLE", "default_config_root", "moved_once"]
