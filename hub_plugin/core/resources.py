"""Where the bundled registry (``models/``) and the JSON Schemas (``schemas/``) are.

In a checkout or an editable install they sit beside the package; a wheel carries them inside it,
under ``hub_plugin/_bundled/`` (see ``pyproject.toml``).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

#: The ``hub_plugin`` package folder (this module is ``hub_plugin/core/resources.py``).
_PACKAGE_DIR = Path(__file__).resolve().parents[1]


def _bundled(name: str) -> Path:
    inside = _PACKAGE_DIR / "_bundled" / name
    if inside.is_dir():
        return inside
    return _PACKAGE_DIR.parent / name


@cache
def models_dir() -> Path:
    """The folder of the bundled model packages (the default registry)."""
    return _bundled("models")


@cache
def schemas_dir() -> Path:
    """The folder of the JSON Schemas."""
    return _bundled("schemas")
