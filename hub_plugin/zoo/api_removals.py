"""Zoo code written for older NumPy and MindSpore: failures that a removed or changed API explains.

Two kinds, each named with the versions involved:

- NumPy's aliases of builtins (``np.bool``, ``np.int``, ``np.float``, ``np.object``, ``np.str``,
  ``np.long``, ``np.complex``, ``np.unicode``): deprecated in NumPy 1.20, removed in 1.24
  (NumPy 1.24.0 release notes, "Expired deprecations"). MindSpore 1.x's zoo uses them freely.
- MindSpore signatures that changed between 1.x and 2.x (``EmbeddingLookup(...,
  vocab_cache_size=...)``): a ``TypeError`` about an argument, raised inside MindSpore itself,
  called from the zoo folder's code.

A name MindSpore no longer has at all (``ImportError``/``AttributeError`` on ``mindspore``) is
:mod:`.failures`' business; this module adds only what that one cannot tell.
"""

from __future__ import annotations

import re
import traceback
from pathlib import Path

#: The NumPy aliases NumPy 1.24 removed, and the builtin each stood for.
NUMPY_ALIASES = {"bool": "bool", "int": "int", "float": "float", "complex": "complex",
                 "object": "object", "str": "str", "long": "int", "unicode": "str"}
_NUMPY_ATTRIBUTE = re.compile(r"module 'numpy' has no attribute '(?P<name>\w+)'")
_ARGUMENT_ERROR = re.compile(r"unexpected keyword argument|required positional argument|"
                             r"takes \d+ positional arguments? but|missing \d+ required")


def installed_version(distribution: str) -> str:
    """The installed version of ``distribution``, or ``not installed``."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return "not installed"


def _raised_in_mindspore(error: BaseException) -> bool:
    frames = traceback.extract_tb(error.__traceback__)
    return bool(frames) and "mindspore" in Path(frames[-1].filename).parts


def removal_failure(error: BaseException, *, what: str, where: str,
                    card_mindspore: str) -> tuple[str, str] | None:
    """The message and hint naming the versions, when a removed NumPy alias or a changed
    MindSpore signature explains ``error``; None otherwise."""
    if isinstance(error, AttributeError):
        match = _NUMPY_ATTRIBUTE.search(str(error))
        if match and match.group("name") in NUMPY_ALIASES:
            name = match.group("name")
            return (
                f"{what} uses np.{name}{where}, which NumPy 1.24 removed (deprecated since 1.20); "
                f"NumPy {installed_version('numpy')} is installed",
                f"the code was written for NumPy below 1.24: there np.{name} is the builtin "
                f"{NUMPY_ALIASES[name]}",
            )
    if isinstance(error, TypeError) and _ARGUMENT_ERROR.search(str(error)) and \
            _raised_in_mindspore(error):
        return (
            f"{what} calls MindSpore with arguments its API no longer takes{where}: {error}",
            f"the card was written for mindspore-version {card_mindspore or '?'}, MindSpore "
            f"{installed_version('mindspore')} is installed (the API changed between them)",
        )
    return None


__all__ = ["NUMPY_ALIASES", "installed_version", "removal_failure"]
