"""Turning a zoo folder's failure into one line a user can act on.

Zoo code fails in a few ways that have a remedy, and the remedy is what the line names:

- a module that is not installed (``ModuleNotFoundError``): the module, and the line of the
  folder's ``requirements.txt`` that asks for it (``pip install`` that line);
- a name that ``mindspore`` no longer has (``ImportError`` from ``mindspore...``, or an
  ``AttributeError`` on a ``mindspore`` module): the card's ``mindspore-version`` against the
  installed one;
- ``create_network`` (or the class it builds) called without arguments it needs (a
  ``TypeError`` naming the missing ones): the signature, and how to pass them (``--arg k=v``).

Anything else keeps the exception's own message; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import inspect
import re
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import (  # moved to errors.py (issue 26); importable here too
    ZooCodeError as ZooCodeError,
)

#: Distributions whose import name differs from the requirement's name.
_IMPORT_NAMES = {
    "opencv-python": "cv2", "opencv-python-headless": "cv2", "opencv-contrib-python": "cv2",
    "pyyaml": "yaml", "pillow": "PIL", "scikit-learn": "sklearn", "scikit-image": "skimage",
    "easydict": "easydict", "pycocotools": "pycocotools", "protobuf": "google",
    "python-dateutil": "dateutil", "beautifulsoup4": "bs4",
}
_REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_MISSING_ARGUMENTS = re.compile(r"^(?P<callee>[\w.<>]+)\(\) missing \d+ required (?:positional|keyword-only)")


#: ``hub_plugin_zoo.<key>.``: the private package a zoo folder is imported as (see .importer).
_PRIVATE = re.compile(r"\bhub_plugin_zoo\.[A-Za-z0-9_]+\.")


def own_module(name: str) -> str | None:
    """``src.config`` for ``hub_plugin_zoo.<key>.src.config`` (a module of the folder itself)."""
    match = _PRIVATE.match(name)
    return name[match.end():] if match else None


def public(text: str) -> str:
    """``text`` with hub-plugin's private module prefix taken off every module name."""
    return _PRIVATE.sub("", text)


def _import_name(requirement: str) -> str:
    name = requirement.lower()
    return _IMPORT_NAMES.get(name, name.replace("-", "_").replace(".", "_"))


def requirement_line(folder: Path, module: str) -> str | None:
    """The line of ``folder``'s ``requirements.txt`` that installs ``module``, as written."""
    for candidate in (folder / "requirements.txt", folder / "requirement.txt"):
        try:
            lines = candidate.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        for number, line in enumerate(lines, 1):
            match = _REQUIREMENT_NAME.match(line.split("#", 1)[0])
            if match and _import_name(match.group(1)) == module.lower():
                return f"{candidate.name}:{number}: {line.strip()}"
    return None


def _mindspore_version() -> str:
    from .api_removals import installed_version

    return installed_version("mindspore")


def _where(error: BaseException, folder: Path) -> str:
    """``src/resnet.py:12``: the deepest frame of the zoo folder's own code in the traceback."""
    place = ""
    for frame in traceback.extract_tb(error.__traceback__):
        try:
            relative = Path(frame.filename).resolve().relative_to(folder.resolve())
        except ValueError:
            continue
        place = f"{relative.as_posix()}:{frame.lineno}"
    return place


def import_failure(error: BaseException, *, folder: Path, what: str, card_mindspore: str) -> ZooCodeError:
    """The one-line error for code of ``folder`` that raised ``error`` while importing; module
    names are as the folder writes them (``src.config``), never hub-plugin's private ones."""
    from .api_removals import removal_failure

    at = _where(error, folder)
    where = f" ({at})" if at else ""
    own = own_module(error.name or "") if isinstance(error, ModuleNotFoundError) else None
    if own:
        return ZooCodeError(
            f"{what} imports {own!r}, which the folder does not have (no "
            f"{own.replace('.', '/')}.py or {own.replace('.', '/')}/){where}",
            hint="the folder's code is incomplete at the card's ref: build it from the folder's "
            "own scripts, or load with a model package",
        )
    removed = removal_failure(error, what=what, where=where, card_mindspore=card_mindspore)
    if removed is not None:
        return ZooCodeError(removed[0], hint=removed[1])
    if isinstance(error, ModuleNotFoundError) and error.name:
        top = error.name.partition(".")[0]
        if top == "mindspore":
            return _mindspore_gone(error, what, where, card_mindspore)
        line = requirement_line(folder, top)
        hint = f"pip install the line {line}" if line else f"pip install the package that provides {top!r}"
        return ZooCodeError(f"{what} needs the module {top!r}, which is not installed{where}", hint=hint)
    if isinstance(error, ImportError) and (error.name or "").partition(".")[0] == "mindspore":
        return _mindspore_gone(error, what, where, card_mindspore)
    if isinstance(error, AttributeError) and "module 'mindspore" in str(error):
        return _mindspore_gone(error, what, where, card_mindspore)
    return ZooCodeError(f"{what} failed{where}: {type(error).__name__}: {public(str(error))}",
                        hint="run with --debug for the traceback")


def _mindspore_gone(error: BaseException, what: str, where: str, card_mindspore: str) -> ZooCodeError:
    return ZooCodeError(
        f"{what} uses a part of MindSpore that the installed version does not have{where}: "
        f"{public(str(error))}",
        hint=f"the card was written for mindspore-version {card_mindspore or '?'}, "
        f"MindSpore {_mindspore_version()} is installed",
    )


def call_failure(
    error: TypeError, function: Callable[..., Any], *, what: str
) -> ZooCodeError | None:
    """The one-line error for ``create_network`` called without the arguments it (or what it
    builds) needs, with the signature; None when ``error`` is some other ``TypeError``."""
    match = _MISSING_ARGUMENTS.match(str(error))
    if not match:
        return None
    callee = match.group("callee")
    target: Any = function
    frames = traceback.extract_tb(error.__traceback__)
    tb = error.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if callee.split(".")[0] != function.__name__ and tb is not None:
        namespace = {**tb.tb_frame.f_globals, **tb.tb_frame.f_locals}
        target = namespace.get(callee.split(".")[0], function)
    try:
        signature = f"{getattr(target, '__name__', callee)}{inspect.signature(target)}"
    except (TypeError, ValueError):
        signature = callee
    del frames
    return ZooCodeError(
        f"{what}: {public(str(error))}; the signature is {public(signature)}",
        hint="pass the arguments with --arg NAME=VALUE (hub_plugin.load(name, *args, NAME=VALUE))",
    )
