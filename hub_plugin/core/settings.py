"""The settings of one command or API call, read once: every ``HUB_PLUGIN_*`` variable and the
global options, in one frozen object (issue 26: "one home for each concern").

:meth:`Settings.from_environment` is the only place in ``hub_plugin`` that reads a
``HUB_PLUGIN_*`` variable (``tests/core/test_settings.py`` checks it). Nothing is read at import time: a
:class:`Settings` is made when a command or an API call starts (tests change the environment between
calls), then handed down whole, instead of a dozen keywords threaded through every feature. The
variables, as huggingface_hub's ``constants.py`` and uv's resolved settings hold theirs:

================================  =====================================================================
``HUB_PLUGIN_HOME``               the cache; else ``$XDG_CACHE_HOME/hub-plugin``, else ``~/.cache/hub-plugin``
``HUB_PLUGIN_CONFIG``             the config folder; else ``$XDG_CONFIG_HOME/hub-plugin``, else
                                  ``~/.config/hub-plugin`` (the XDG Base Directory Specification)
``HUB_PLUGIN_OFFLINE``            ``1``/``true``/``yes``/``on``: no network connection
``HUB_PLUGIN_MIRROR``             ``PREFIX=REPLACEMENT,...``: links rewritten by prefix (parsed by
                                  :class:`hub_plugin.downloads.mirrors.MirrorMap`; the core imports
                                  no feature, so it holds the text)
``HUB_PLUGIN_REGISTRY``           extra registry folders, an ``os.pathsep`` list (after ``--registry``)
``HUB_PLUGIN_VERBOSE``            ``1``/...: zoo code's output and third-party logs shown
================================  =====================================================================

The core imports no feature and no third-party package (``tests/test_layers.py``).
"""

from __future__ import annotations

import enum
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

#: The environment variables hub-plugin reads, each once, here (``hub-plugin env`` lists them).
HOME_VARIABLE = "HUB_PLUGIN_HOME"
CONFIG_VARIABLE = "HUB_PLUGIN_CONFIG"
OFFLINE_VARIABLE = "HUB_PLUGIN_OFFLINE"
MIRROR_VARIABLE = "HUB_PLUGIN_MIRROR"
REGISTRY_VARIABLE = "HUB_PLUGIN_REGISTRY"
VERBOSE_VARIABLE = "HUB_PLUGIN_VERBOSE"
VARIABLES = (HOME_VARIABLE, CONFIG_VARIABLE, REGISTRY_VARIABLE, MIRROR_VARIABLE, OFFLINE_VARIABLE,
             VERBOSE_VARIABLE)

_TRUE = ("1", "true", "yes", "on")


def is_true(value: str | None) -> bool:
    """Whether a variable's value switches a setting on (``1``, ``true``, ``yes``, ``on``)."""
    return (value or "").strip().lower() in _TRUE


def xdg_folder(environ: Mapping[str, str], own: str, xdg: str, fallback: str) -> Path:
    """The folder the variable ``own`` names, else ``$<xdg>/hub-plugin``, else
    ``~/<fallback>/hub-plugin`` (the XDG Base Directory Specification's rule)."""
    given = environ.get(own)
    if given:
        return Path(given).expanduser()
    base = environ.get(xdg)
    return (Path(base).expanduser() if base else Path.home() / fallback) / "hub-plugin"


class TrustPolicy(enum.Enum):
    """What to do with code from outside the bundled registry that no one trusted yet.

    ``ASK``: ask on a terminal, refuse elsewhere (the default); ``ALWAYS``: trust it without asking
    (``--trust``, ``trust=True``); ``NEVER``: refuse it without asking (``--no-trust``,
    ``trust=False``). It replaces the ``trust: bool | None`` that meant these three things.
    """

    ASK = "ask"
    ALWAYS = "always"
    NEVER = "never"

    @classmethod
    def of(cls, trust: TrustPolicy | bool | None) -> TrustPolicy:
        """The policy a ``trust`` argument names: ``None`` asks, ``True`` always, ``False`` never."""
        if isinstance(trust, TrustPolicy):
            return trust
        if trust is None:
            return cls.ASK
        return cls.ALWAYS if trust else cls.NEVER

    @property
    def answer(self) -> bool | None:
        """The policy as the ``bool | None`` it replaces (the build path and the trust gate take the
        policy itself; this is for code that still speaks the old spelling)."""
        return {TrustPolicy.ASK: None, TrustPolicy.ALWAYS: True, TrustPolicy.NEVER: False}[self]


@dataclass(frozen=True)
class Settings:
    """Everything one command or API call was told, by the environment and the global options.

    ``mirror_text`` is ``HUB_PLUGIN_MIRROR`` as written; ``registries`` the ``--registry`` folders
    then those of ``HUB_PLUGIN_REGISTRY``; ``variables`` the ``HUB_PLUGIN_*`` variables that were
    set (for ``hub-plugin env``).
    """

    home: Path
    config: Path
    offline: bool = False
    mirror_text: str = ""
    registries: tuple[Path, ...] = ()
    environment_registries: tuple[Path, ...] = ()
    verbose: bool = False
    debug: bool = False
    allow_http: bool = False
    trust: TrustPolicy = TrustPolicy.ASK
    refresh: bool = False
    variables: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """The settings the environment (``os.environ`` when ``environ`` is ``None``) gives, with
        ``overrides`` (the global options, an API call's keywords) on top. ``registries`` given as
        an override come before ``HUB_PLUGIN_REGISTRY``'s; ``offline=False`` or ``None`` keeps the
        variable's answer, as ``--offline`` only ever turns offline mode on."""
        env = os.environ if environ is None else environ
        from_env = tuple(Path(folder) for folder in
                         filter(None, env.get(REGISTRY_VARIABLE, "").split(os.pathsep)))
        given: tuple[Path, ...] = tuple(Path(folder) for folder in overrides.pop("registries", ()) or ())
        offline = bool(overrides.pop("offline", False)) or is_true(env.get(OFFLINE_VARIABLE))
        verbose = bool(overrides.pop("verbose", False)) or is_true(env.get(VERBOSE_VARIABLE))
        if "trust" in overrides:
            overrides["trust"] = TrustPolicy.of(overrides["trust"])
        return cls(
            home=xdg_folder(env, HOME_VARIABLE, "XDG_CACHE_HOME", ".cache"),
            config=xdg_folder(env, CONFIG_VARIABLE, "XDG_CONFIG_HOME", ".config"),
            offline=offline,
            mirror_text=env.get(MIRROR_VARIABLE, ""),
            registries=given + from_env,
            environment_registries=from_env,
            verbose=verbose,
            variables={name: env[name] for name in VARIABLES if env.get(name)},
            **overrides,
        )

    @property
    def option_registries(self) -> tuple[Path, ...]:
        """The registry folders given by ``--registry`` or an API call: :attr:`registries` without
        ``HUB_PLUGIN_REGISTRY``'s, which follow them."""
        return self.registries[: len(self.registries) - len(self.environment_registries)]

    def with_options(self, **changes: Any) -> Settings:
        """A copy with ``changes`` (``trust`` may be a ``bool | None``)."""
        if "trust" in changes:
            changes["trust"] = TrustPolicy.of(changes["trust"])
        return replace(self, **changes)


def current_settings(settings: Settings | None = None) -> Settings:
    """``settings``, or the environment's now when ``None`` (an API call made without any)."""
    return Settings.from_environment() if settings is None else settings


__all__ = [
    "CONFIG_VARIABLE",
    "HOME_VARIABLE",
    "MIRROR_VARIABLE",
    "OFFLINE_VARIABLE",
    "REGISTRY_VARIABLE",
    "VARIABLES",
    "VERBOSE_VARIABLE",
    "Settings",
    "TrustPolicy",
    "current_settings",
    "is_true",
    "xdg_folder",
]
