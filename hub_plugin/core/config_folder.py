"""The config folder: what a person decided, kept apart from the cache that can be cleared.

The trust store (``trusted.json``) and the hubs' settings (``hubs.json``) are decisions, not
cached data: clearing the cache (``HUB_PLUGIN_HOME``, marked ``CACHEDIR.TAG`` so that backup tools
skip it) must not forget them. They live in ``HUB_PLUGIN_CONFIG``, by default
``$XDG_CONFIG_HOME/hub-plugin`` or ``~/.config/hub-plugin`` (the XDG Base Directory
Specification), read by :mod:`hub_plugin.core.settings`. No release kept them anywhere else, so
nothing is moved: a store from before is rebuilt.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from .settings import CONFIG_VARIABLE, Settings


def default_config_root(environ: Mapping[str, str] | None = None) -> Path:
    """``HUB_PLUGIN_CONFIG``, else ``$XDG_CONFIG_HOME/hub-plugin``, else ``~/.config/hub-plugin``
    (:attr:`hub_plugin.core.settings.Settings.config`)."""
    return Settings.from_environment(environ).config


__all__ = ["CONFIG_VARIABLE", "default_config_root"]
