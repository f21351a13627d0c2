"""Which optional install a command needs, and a clear error when it is missing.

hub-plugin's light install (``validate``, ``list``, ``info``, ``download``, ``cache``) has no
MindSpore; the commands that build or run a network need an extra (see ``pyproject.toml``). Each
calls :func:`require` before it imports the package, so a missing one is one line naming the
command and the ``pip install`` that adds it, never an ``ImportError`` traceback. :func:`require`
looks the package up with :func:`importlib.util.find_spec`, which does not import it, so the check
itself is cheap.
"""

from __future__ import annotations

import importlib.util

from ..errors import (  # moved to errors.py (issue 26); importable here too
    MissingDependency as MissingDependency,
)


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
