"""Trust: running a model package's ``hubconf.py`` is running code from elsewhere.

The bundled registry is trusted. Any other package (a ``--registry`` folder, ``HUB_PLUGIN_REGISTRY``,
a plugin distribution) is asked about once: the answer is remembered in an allow-list,
``trusted.json`` under ``HUB_PLUGIN_HOME``, keyed by the package's folder and the sha256 of its
``hubconf.py``, so an edited hubconf is asked about again. ``--trust`` (``trust=True``) trusts for
one run without remembering, for CI; ``trust=False`` refuses. A non-interactive run with no answer
on record is an :class:`UntrustedCode` error that says how to proceed.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import HubPluginError
from ..registry import ModelPackage

ALLOW_LIST = "trusted.json"


class UntrustedCode(HubPluginError):
    """A model package's code was not trusted: refused, or no one could be asked."""


def _home() -> Path:
    from ..assets.cache import default_cache_root

    return default_cache_root()


def hubconf_digest(package: ModelPackage) -> str:
    try:
        return hashlib.sha256(package.hubconf.read_bytes()).hexdigest()
    except OSError:
        return ""


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"trusted": {}}
    if not isinstance(data, dict) or not isinstance(data.get("trusted"), dict):
        return {"trusted": {}}
    return data


def _write(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".trusted.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=2, sort_keys=True)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class TrustStore:
    """The allow-list of trusted model packages, in ``<home>/trusted.json``."""

    def __init__(self, home: Path | None = None) -> None:
        self.path = (home or _home()) / ALLOW_LIST

    def is_trusted(self, package: ModelPackage) -> bool:
        if package.root.trusted:
            return True
        entry = _read(self.path)["trusted"].get(str(package.path.resolve()))
        return isinstance(entry, dict) and entry.get("hubconf-sha256") == hubconf_digest(package)

    def remember(self, package: ModelPackage) -> None:
        import filelock

        with filelock.FileLock(str(self.path) + ".lock"):
            data = _read(self.path)
            data["trusted"][str(package.path.resolve())] = {
                "name": package.name,
                "source": package.root.source,
                "hubconf-sha256": hubconf_digest(package),
            }
            _write(self.path, data)


def _ask_terminal(question: str) -> bool:
    print(question + " [y/N] ", end="", file=sys.stderr, flush=True)
    return sys.stdin.readline().strip().lower() in ("y", "yes")


def ensure_trusted(
    package: ModelPackage,
    trust: bool | None = None,
    *,
    store: TrustStore | None = None,
    ask: Callable[[str], bool] | None = None,
    interactive: bool | None = None,
) -> None:
    """Return when ``package``'s code may run; raise :class:`UntrustedCode` otherwise.

    ``trust``: True trusts for this call, False refuses, None consults the allow-list and, on a
    terminal, asks once and remembers a yes.
    """
    if package.root.trusted or trust is True:
        return
    where = f"{package.path} (from {package.root.source})"
    if trust is False:
        raise UntrustedCode(f"refusing to run the model package {package.name!r} at {where}")
    store = store or TrustStore()
    if store.is_trusted(package):
        return
    if interactive is None:
        interactive = sys.stdin.isatty() and sys.stderr.isatty()
    if not interactive:
        raise UntrustedCode(
            f"the model package {package.name!r} at {where} is code from outside the bundled "
            "registry and has not been trusted",
            hint="run once on a terminal to be asked, or pass --trust (trust=True) to run it",
        )
    question = f"Run the code of the model package {package.name!r} at {where}?"
    if not (ask or _ask_terminal)(question):
        raise UntrustedCode(f"not trusted: the model package {package.name!r} at {where}")
    store.remember(package)
