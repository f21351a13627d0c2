"""Which optional install a command needs, and a clear error when it is missing.

hub-plugin's light install (registry, assets, CLI) has no MindSpore; the commands that build or run
a network need an extra (see ``pyproject.toml``). Each calls :func:`require` before it imports the
package, so a missing one is one line naming the command and the ``pip install`` that adds it,
never an ``ImportError`` traceback. :func:`require` looks the package up with
:func:`importlib.util.find_spec`, which does not import it, so the check itself is cheap.
"""

from __future__ import annotations

import importlib.util

from ..errors import HubPluginError

#: The distribution name, as ``pip install`` spells it.
DISTRIBUTION = "hub-plugin"

#: How the messages name an optional package (by its import name).
DISPLAY_NAMES = {"mindspore": "MindSpore", "onnxruntime": "ONNX Runtime"}


class MissingDependency(HubPluginError):
    """An optional package a command needs is not installed; ``install`` is the command that adds it."""

    exit_code = 2

    def __init__(self, module: str, command: str, extra: str) -> None:
        self.module = module
        self.command = command
        self.install = f"pip install '{DISTRIBUTION}[{extra}]'"
        shown = DISPLAY_NAMES.get(module, module)
        super().__init__(f"{command} needs {shown}, which is not installed: {self.install}")


def is_installed(module: str) -> bool:
    """Whether ``module`` can be imported (without importing it)."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def require(module: str, command: str, extra: str) -> None:
    """Raise :class:`MissingDependency` unless ``module`` is installed.

    ``command`` names what needs it as a person would type it (``"hub-plugin load"``); ``extra`` is
    the optional-dependency group of ``pyproject.toml`` that brings it (``"mindspore"``).
    """
    if not is_installed(module):
        raise MissingDependency(module, command, extra)
